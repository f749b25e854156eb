//! What each step did, and why a step failed.

use super::cap_syscalls::CapSets;
use super::capability::Capabilities;
use super::rlimit::Resource;
use super::securebits::SecureBits;
use crate::errno::Errno;
use core::fmt;

/// Why a step was skipped or done only in part.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reason {
    /// The step needs `CAP_SETPCAP` in the effective set, which an
    /// unprivileged process does not have. For the bounding set this costs
    /// little once `no_new_privs` is set (seccomp and Landlock set it): the
    /// bounding set only limits what `execve` can grant, and with
    /// `no_new_privs` an `execve` grants nothing.
    MissingCapSetpcap,
    /// The kernel does not know these securebits (the ambient ones are
    /// Linux 4.3's, the exec ones 6.14's) and refused them; the rest was
    /// set.
    UnknownSecureBits(SecureBits),
    /// These securebit flags are already locked to the other value.
    LockedSecureBits(SecureBits),
    /// The requested limit is above the current hard limit, which only
    /// ever goes down here.
    AboveHardLimit {
        /// The resource.
        resource: Resource,
        /// What was asked for.
        requested: u64,
        /// The hard limit, which the limit stays at.
        hard: u64,
    },
    /// These capabilities were to be kept but are not in the permitted set
    /// (an unprivileged process has none to keep).
    NotPermitted(Capabilities),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MissingCapSetpcap => f.write_str(
                "CAP_SETPCAP is not in the effective set (the process is not privileged)",
            ),
            Reason::UnknownSecureBits(b) => {
                write!(f, "the kernel does not know securebits {:#x}", b.bits())
            }
            Reason::LockedSecureBits(b) => {
                write!(
                    f,
                    "securebits {:#x} are locked to the other value",
                    b.bits()
                )
            }
            Reason::AboveHardLimit {
                resource,
                requested,
                hard,
            } => write!(
                f,
                "{resource:?} limit {requested} is above the hard limit {hard}, which was kept"
            ),
            Reason::NotPermitted(c) => {
                write!(f, "capabilities {c} are not permitted, so cannot be kept")
            }
        }
    }
}

/// What one step did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Outcome {
    /// The policy did not ask for it.
    NotRequested,
    /// Done, and checked by reading the state back where the kernel allows
    /// it.
    Applied,
    /// Done in part ([`Compatibility::BestEffort`](crate::Compatibility)):
    /// the reason says what is missing.
    Partial(Reason),
    /// Not done at all; the state is as before the step.
    Skipped(Reason),
}

impl Outcome {
    /// Whether the step was done completely.
    ///
    /// ```
    /// use seclude::privileges::{Outcome, Reason};
    /// assert!(Outcome::Applied.is_applied());
    /// assert!(!Outcome::Skipped(Reason::MissingCapSetpcap).is_applied());
    /// ```
    pub const fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied)
    }
}

/// The steps, as errors name them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Step {
    /// Lowering one resource limit.
    Rlimit(Resource),
    /// `PR_SET_DUMPABLE`.
    Dumpable,
    /// Closing inherited descriptors.
    CloseFds,
    /// Setting and locking the securebits.
    SecureBits,
    /// Dropping the bounding set.
    BoundingSet,
    /// Clearing the ambient set.
    Ambient,
    /// Clearing the supplementary groups.
    Groups,
    /// Setting the group ids.
    Gid,
    /// Setting the user ids.
    Uid,
    /// Setting the capability sets to the kept set.
    Capabilities,
    /// Reading the state back.
    ReadBack,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Rlimit(r) => write!(f, "setting the {r:?} resource limit (prlimit64)"),
            Step::Dumpable => f.write_str("prctl(PR_SET_DUMPABLE)"),
            Step::CloseFds => f.write_str("closing inherited file descriptors"),
            Step::SecureBits => f.write_str("locking the securebits (PR_SET_SECUREBITS)"),
            Step::BoundingSet => f.write_str("dropping the bounding set (PR_CAPBSET_DROP)"),
            Step::Ambient => f.write_str("clearing the ambient capabilities"),
            Step::Groups => f.write_str("clearing the supplementary groups (setgroups)"),
            Step::Gid => f.write_str("setting the group ids (setresgid)"),
            Step::Uid => f.write_str("setting the user ids (setresuid)"),
            Step::Capabilities => f.write_str("setting the capability sets (capset)"),
            Step::ReadBack => f.write_str("reading the credentials back"),
        }
    }
}

/// Why dropping privileges failed. The process may be partly restricted
/// when this comes back (steps before the failing one stay done), never
/// less restricted than before; a program should treat it as fatal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PrivilegeError {
    /// A system call failed.
    Failed {
        /// The step.
        step: Step,
        /// The kernel's answer.
        errno: Errno,
    },
    /// Under [`Compatibility::HardRequirement`](crate::Compatibility)
    /// (or for ids, which are always required): the step cannot be done
    /// here.
    Unmet {
        /// The step.
        step: Step,
        /// Why not.
        reason: Reason,
    },
    /// The kernel accepted the calls, but the state read back is not what
    /// was asked for.
    NotVerified {
        /// The step.
        step: Step,
    },
}

impl fmt::Display for PrivilegeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PrivilegeError::Failed { step, errno } => {
                write!(f, "privileges: {step}: {errno}")?;
                let advice = match (step, errno) {
                    (Step::SecureBits | Step::BoundingSet, Errno::EPERM) => {
                        "; this needs CAP_SETPCAP: run as root, or choose \
                         Compatibility::BestEffort to skip it when unprivileged"
                    }
                    (Step::Groups | Step::Gid, Errno::EPERM) => {
                        "; changing groups needs CAP_SETGID: start the program as root \
                         (or do not ask for a user change)"
                    }
                    (Step::Uid, Errno::EPERM) => {
                        "; changing user ids needs CAP_SETUID: start the program as root \
                         (or do not ask for a user change)"
                    }
                    (Step::Uid, Errno::EAGAIN) => {
                        "; the target user is over its RLIMIT_NPROC: raise the limit or \
                         lower it only after the change"
                    }
                    (Step::Rlimit(_), Errno::EPERM) => {
                        "; only a process with CAP_SYS_RESOURCE may raise a hard limit"
                    }
                    (Step::CloseFds, Errno::ENOSYS | Errno::EACCES | Errno::ENOENT) => {
                        "; the kernel has no close_range and /proc/self/fd is not readable"
                    }
                    _ => "",
                };
                f.write_str(advice)
            }
            PrivilegeError::Unmet { step, reason } => write!(
                f,
                "privileges: {step} is required but not possible here: {reason}; \
                 choose Compatibility::BestEffort to go on with what can be done"
            ),
            PrivilegeError::NotVerified { step } => write!(
                f,
                "privileges: {step}: the kernel accepted the change, but the state read back \
                 differs (another thread or a security module may have changed it); do not go on"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PrivilegeError {}

/// The credentials read back after [`drop_privileges`](super::Privileges::drop_privileges).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CredentialState {
    /// Effective, permitted and inheritable sets.
    pub caps: CapSets,
    /// The bounding set.
    pub bounding: Capabilities,
    /// The ambient set.
    pub ambient: Capabilities,
    /// The securebits.
    pub securebits: SecureBits,
}

/// What [`drop_privileges`](super::Privileges::drop_privileges) did, step
/// by step, and the state it left.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DropReport {
    /// Setting and locking the securebits.
    pub securebits: Outcome,
    /// Dropping the bounding set to the kept capabilities.
    pub bounding_set: Outcome,
    /// Clearing the ambient set.
    pub ambient: Outcome,
    /// Changing groups, gid and uid.
    pub ids: Outcome,
    /// Setting the capability sets to the kept capabilities.
    pub capabilities: Outcome,
    /// The credentials read back at the end.
    pub state: CredentialState,
}

/// What [`apply`](super::Privileges::apply) did, step by step.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PrivilegesReport {
    /// Lowering the resource limits.
    pub rlimits: Outcome,
    /// Making the process non-dumpable.
    pub dumpable: Outcome,
    /// Closing inherited descriptors.
    pub close_fds: Outcome,
    /// Capabilities, securebits and ids.
    pub drop: DropReport,
}
