//! Privilege dropping: capabilities, securebits, user and group ids,
//! resource limits, inherited file descriptors and core dumps.
//!
//! A sandbox that filters system calls (seccomp) or paths (Landlock) still
//! leaves the process whatever power it was started with: root's
//! capabilities, a setuid program's saved uid, a parent's open sockets. This
//! module takes that away. [`Privileges`] is a policy as plain data (a
//! constant, if you like); its step functions apply it, each returning what
//! it did ([`Outcome`]: applied, partly applied, skipped with a [`Reason`],
//! or not requested), never claiming a step it did not do.
//!
//! # The steps, and why in this order
//!
//! 1. [`apply_rlimits`](Privileges::apply_rlimits): lower resource limits
//!    (by default `RLIMIT_CORE` to 0, so a crash leaves no core file with
//!    the process's secrets). Lowering needs no privilege, so it can come
//!    first; `RLIMIT_NOFILE` lowered here also bounds the descriptor sweep.
//! 2. [`apply_dumpable`](Privileges::apply_dumpable): `PR_SET_DUMPABLE 0`:
//!    no core dump, and no `ptrace` attach or `/proc/<pid>/mem` access by
//!    other processes of the same user.
//! 3. [`close_fds`](Privileges::close_fds): close inherited descriptors
//!    except a kept list; access through a descriptor was checked when it
//!    was opened, so no later filter sees it.
//! 4. [`drop_privileges`](Privileges::drop_privileges), itself in order:
//!    - lock the securebits ([`SecureBits::DEFAULT_LOCK`]): uid 0 stops
//!      being special (`NOROOT`: no capabilities from `execve` as root;
//!      `NO_SETUID_FIXUP`: a uid change no longer changes the capability
//!      sets behind our back, which is what lets named capabilities survive
//!      the uid change below), no ambient raising, all locked for every
//!      descendant. It needs `CAP_SETPCAP`, so it comes before anything
//!      that drops it;
//!    - drop the bounding set to the kept capabilities (also needs
//!      `CAP_SETPCAP`): no later `execve` of a setuid or file-capability
//!      program can grant more;
//!    - clear the ambient set (no privilege needed): nothing passes to
//!      programs run later;
//!    - if asked, `setgroups([])`, `setresgid`, `setresuid`, in that order
//!      (each needs a capability the next one takes away), then read every
//!      id back;
//!    - last, `capset`: permitted = effective = the kept set, inheritable
//!      empty. It comes last because dropping `CAP_SETPCAP`, `CAP_SETGID`
//!      or `CAP_SETUID` earlier would make the steps above fail.
//!
//!    A uid change resets the kernel's dumpable flag to
//!    `fs.suid_dumpable`, so `drop_privileges` sets it again afterwards.
//!
//! [`apply`](Privileges::apply) runs all four in this order.
//!
//! # Unprivileged processes
//!
//! An ordinary user's process has no capabilities, so the capability steps
//! have nothing to drop except the bounding set and securebits, which it
//! cannot change (both need `CAP_SETPCAP`). What happens then is the
//! caller's [`Compatibility`] choice: [`BestEffort`](Compatibility::BestEffort)
//! and [`SoftRequirement`](Compatibility::SoftRequirement) report the step
//! as [`Outcome::Skipped`] with [`Reason::MissingCapSetpcap`];
//! [`HardRequirement`](Compatibility::HardRequirement) returns
//! [`PrivilegeError::Unmet`]. For the bounding set little is lost once
//! `no_new_privs` is set (seccomp and Landlock set it): the bounding set
//! only limits what `execve` can grant, and under `no_new_privs` `execve`
//! grants nothing. Where a step can be done in part (securebits on an old
//! kernel, a limit above the hard limit, capabilities to keep that are not
//! held), best effort does that part and reports [`Outcome::Partial`], a
//! soft requirement does none of it and reports [`Outcome::Skipped`], and
//! a hard requirement is an error. Dropping capabilities is never skipped,
//! and a requested uid/gid change is always required: failing to change
//! user is an error at every level.
//!
//! # Threads
//!
//! Credentials, securebits and the capability sets belong to a thread, and
//! the raw calls here change only the calling thread's (glibc and musl make
//! every thread follow by signalling them; seclude has no libc). Drop
//! privileges before starting any thread. Resource limits, the dumpable
//! flag and the descriptor table are per process.
//!
//! ```no_run
//! use seclude::privileges::{Capabilities, Capability, Privileges, Resource};
//!
//! // A network daemon started as root: keep the right to bind port 80 as
//! // nobody, no core dumps, at most 1024 descriptors.
//! const POLICY: Privileges<'static> = Privileges::new()
//!     .user(65534, 65534)
//!     .keep(Capabilities::from_list(&[Capability::NetBindService]))
//!     .rlimit(Resource::Nofile, 1024);
//!
//! let report = POLICY.apply().expect("privileges dropped");
//! assert_eq!(report.drop.state.caps.permitted, Capabilities::NET_BIND_SERVICE);
//! ```

mod cap_syscalls;
mod capability;
mod fds;
mod ids;
mod report;
mod rlimit;
mod securebits;

pub use cap_syscalls::{
    CapSets, ambient_set, bounding_set, cap_last_cap, capget, capset, clear_ambient,
    drop_bounding_set, securebits, set_securebits,
};
pub use capability::{Capabilities, Capability, UnknownCapability};
pub use fds::{CloseGaps, CloseMethod, close_fds_except};
pub use ids::{ResIds, getresgid, getresuid, supplementary_group_count};
pub use report::{
    CredentialState, DropReport, Outcome, PrivilegeError, PrivilegesReport, Reason, Step,
};
pub use rlimit::{INFINITY, Resource, Rlimit, getrlimit, setrlimit};
pub use securebits::SecureBits;

use crate::Compatibility;
use crate::sys::process::{dumpable, set_dumpable};

fn set_dumpable_off() -> Result<(), PrivilegeError> {
    let fail = |errno| PrivilegeError::Failed {
        step: Step::Dumpable,
        errno,
    };
    set_dumpable(false).map_err(fail)?;
    match dumpable().map_err(fail)? {
        0 => Ok(()),
        _ => Err(PrivilegeError::NotVerified {
            step: Step::Dumpable,
        }),
    }
}

/// A privilege-dropping policy: plain data, built with `const fn`s.
///
/// The default ([`Privileges::new`]): keep no capability, lock the
/// securebits, no core dumps (`RLIMIT_CORE` 0, not dumpable), no user
/// change, descriptors left alone, best effort. See the [module
/// documentation](self) for what each step does and in which order.
///
/// ```
/// use seclude::Compatibility;
/// use seclude::privileges::{Capabilities, Privileges, Resource};
///
/// const STRICT: Privileges<'static> = Privileges::new()
///     .user(1000, 1000)
///     .rlimit(Resource::Nproc, 0)
///     .close_fds_except(&[])
///     .compatibility(Compatibility::HardRequirement);
/// assert_eq!(STRICT.kept(), Capabilities::empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Privileges<'a> {
    keep: Capabilities,
    user: Option<(u32, u32)>,
    /// Indexed by resource number.
    rlimits: [Option<u64>; 16],
    close_fds: Option<&'a [i32]>,
    dumpable: bool,
    securebits: Option<SecureBits>,
    compat: Compatibility,
}

impl Default for Privileges<'_> {
    fn default() -> Self {
        Privileges::new()
    }
}

impl<'a> Privileges<'a> {
    /// The default policy (see [`Privileges`]).
    ///
    /// ```
    /// use seclude::privileges::{Privileges, Resource};
    /// let p = Privileges::new();
    /// assert_eq!(p.rlimit_of(Resource::Core), Some(0));
    /// ```
    pub const fn new() -> Privileges<'a> {
        let mut rlimits = [None; 16];
        rlimits[Resource::Core as usize] = Some(0);
        Privileges {
            keep: Capabilities::empty(),
            user: None,
            rlimits,
            close_fds: None,
            dumpable: false,
            securebits: Some(SecureBits::DEFAULT_LOCK),
            compat: Compatibility::BestEffort,
        }
    }

    /// Keeps these capabilities (permitted and effective; the bounding set
    /// keeps them too), dropping every other one. Replaces an earlier set.
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Privileges};
    /// let p = Privileges::new().keep(Capabilities::NET_RAW);
    /// assert_eq!(p.kept(), Capabilities::NET_RAW);
    /// ```
    pub const fn keep(mut self, caps: Capabilities) -> Self {
        self.keep = caps;
        self
    }

    /// Changes to user `uid` and group `gid` (real, effective and saved),
    /// with no supplementary groups. Needs `CAP_SETUID` and `CAP_SETGID`
    /// unless the process already has exactly these ids.
    ///
    /// ```
    /// let p = seclude::privileges::Privileges::new().user(65534, 65534);
    /// assert_eq!(p.user_of(), Some((65534, 65534)));
    /// ```
    pub const fn user(mut self, uid: u32, gid: u32) -> Self {
        self.user = Some((uid, gid));
        self
    }

    /// Limits `resource` to `value` (soft and hard; [`INFINITY`] for no
    /// limit). A hard limit is never raised: above the current hard limit,
    /// the limit stays at the hard one (see [`Reason::AboveHardLimit`]).
    /// Replaces an earlier value for the same resource.
    ///
    /// ```
    /// use seclude::privileges::{Privileges, Resource};
    /// let p = Privileges::new().rlimit(Resource::Nofile, 64);
    /// assert_eq!(p.rlimit_of(Resource::Nofile), Some(64));
    /// ```
    pub const fn rlimit(mut self, resource: Resource, value: u64) -> Self {
        self.rlimits[resource as usize] = Some(value);
        self
    }

    /// Leaves `resource` alone (undoes [`rlimit`](Self::rlimit), or the
    /// default core limit).
    ///
    /// ```
    /// use seclude::privileges::{Privileges, Resource};
    /// let p = Privileges::new().no_rlimit(Resource::Core);
    /// assert_eq!(p.rlimit_of(Resource::Core), None);
    /// ```
    pub const fn no_rlimit(mut self, resource: Resource) -> Self {
        self.rlimits[resource as usize] = None;
        self
    }

    /// Closes every descriptor above 2 except those in `keep`.
    ///
    /// ```
    /// let p = seclude::privileges::Privileges::new().close_fds_except(&[5]);
    /// # let _ = p;
    /// ```
    pub const fn close_fds_except(mut self, keep: &'a [i32]) -> Self {
        self.close_fds = Some(keep);
        self
    }

    /// `false` (the default): make the process non-dumpable; `true`: leave
    /// the dumpable flag alone (for a program that must be debuggable).
    ///
    /// ```
    /// let p = seclude::privileges::Privileges::new().dumpable(true);
    /// # let _ = p;
    /// ```
    pub const fn dumpable(mut self, dumpable: bool) -> Self {
        self.dumpable = dumpable;
        self
    }

    /// `true` (the default): set and lock [`SecureBits::DEFAULT_LOCK`];
    /// `false`: leave the securebits alone.
    ///
    /// ```
    /// let p = seclude::privileges::Privileges::new().securebits(false);
    /// assert_eq!(p.securebits_of(), None);
    /// ```
    pub const fn securebits(mut self, lock: bool) -> Self {
        self.securebits = if lock {
            Some(SecureBits::DEFAULT_LOCK)
        } else {
            None
        };
        self
    }

    /// Sets these securebits instead of the default: each flag named is
    /// set, each flag whose lock is named is locked at the value given
    /// (on if named, off if not).
    ///
    /// ```
    /// use seclude::privileges::{Privileges, SecureBits};
    /// let bits = SecureBits::DEFAULT_LOCK
    ///     .union(SecureBits::EXEC_RESTRICT_FILE)
    ///     .union(SecureBits::EXEC_RESTRICT_FILE_LOCKED);
    /// let p = Privileges::new().securebits_exactly(bits);
    /// assert_eq!(p.securebits_of(), Some(bits));
    /// ```
    pub const fn securebits_exactly(mut self, bits: SecureBits) -> Self {
        self.securebits = Some(bits);
        self
    }

    /// What to do where a step cannot be done fully (see the [module
    /// documentation](self#unprivileged-processes)).
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::privileges::Privileges;
    /// let p = Privileges::new().compatibility(Compatibility::HardRequirement);
    /// # let _ = p;
    /// ```
    pub const fn compatibility(mut self, compat: Compatibility) -> Self {
        self.compat = compat;
        self
    }

    /// The capabilities kept.
    ///
    /// ```
    /// assert!(seclude::privileges::Privileges::new().kept().is_empty());
    /// ```
    pub const fn kept(&self) -> Capabilities {
        self.keep
    }

    /// The user and group changed to, if any.
    ///
    /// ```
    /// assert_eq!(seclude::privileges::Privileges::new().user_of(), None);
    /// ```
    pub const fn user_of(&self) -> Option<(u32, u32)> {
        self.user
    }

    /// The limit requested for `resource`, if any.
    ///
    /// ```
    /// use seclude::privileges::{Privileges, Resource};
    /// assert_eq!(Privileges::new().rlimit_of(Resource::Nofile), None);
    /// ```
    pub const fn rlimit_of(&self, resource: Resource) -> Option<u64> {
        self.rlimits[resource as usize]
    }

    /// The securebits requested, if any.
    ///
    /// ```
    /// use seclude::privileges::{Privileges, SecureBits};
    /// assert_eq!(Privileges::new().securebits_of(), Some(SecureBits::DEFAULT_LOCK));
    /// ```
    pub const fn securebits_of(&self) -> Option<SecureBits> {
        self.securebits
    }

    /// The descriptors kept open when closing is asked for, `None` when
    /// descriptors are left alone.
    ///
    /// ```
    /// use seclude::privileges::Privileges;
    /// assert_eq!(Privileges::new().close_fds_of(), None);
    /// assert_eq!(Privileges::new().close_fds_except(&[5]).close_fds_of(), Some(&[5][..]));
    /// ```
    pub const fn close_fds_of(&self) -> Option<&'a [i32]> {
        self.close_fds
    }
}

mod apply;
