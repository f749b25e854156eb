//! The steps of a [`Privileges`] policy against the running kernel.

use super::cap_syscalls::{self, CapSets};
use super::capability::{Capabilities, Capability};
use super::fds::{CloseMethod, close_fds_except};
use super::ids::{self, IdFailure};
use super::report::{
    CredentialState, DropReport, Outcome, PrivilegeError, PrivilegesReport, Reason, Step,
};
use super::rlimit::{self, Resource, Rlimit};
use super::securebits::{self as sb, SecureBits};
use super::{Privileges, set_dumpable_off};
use crate::Compatibility;
use crate::errno::Errno;

const fn failed(step: Step) -> impl Fn(Errno) -> PrivilegeError {
    move |errno| PrivilegeError::Failed { step, errno }
}

impl Privileges<'_> {
    /// Lowers the resource limits the policy names (step 1 of
    /// [`apply`](Self::apply)). Every limit is planned before any is set:
    /// a limit above its hard limit makes the step [`Outcome::Partial`]
    /// (best effort: the limit stays at the hard one), [`Outcome::Skipped`]
    /// (soft requirement: no limit is changed) or an error (hard
    /// requirement). Each limit is read back.
    ///
    /// ```no_run
    /// use seclude::privileges::{Outcome, Privileges};
    /// // Default policy: RLIMIT_CORE 0.
    /// assert_eq!(Privileges::new().apply_rlimits(), Ok(Outcome::Applied));
    /// ```
    pub fn apply_rlimits(&self) -> Result<Outcome, PrivilegeError> {
        let mut plans: [Option<(Resource, Rlimit)>; 16] = [None; 16];
        let mut first_clamp = None;
        for resource in Resource::ALL {
            let Some(value) = self.rlimits[resource as usize] else {
                continue;
            };
            let current = rlimit::getrlimit(resource).map_err(failed(Step::Rlimit(resource)))?;
            let (new, clamped) = rlimit::plan(current, value);
            if clamped && first_clamp.is_none() {
                first_clamp = Some(Reason::AboveHardLimit {
                    resource,
                    requested: value,
                    hard: current.hard,
                });
            }
            plans[resource as usize] = Some((resource, new));
        }
        if plans.iter().all(Option::is_none) {
            return Ok(Outcome::NotRequested);
        }
        if let Some(reason) = first_clamp {
            match self.compat {
                Compatibility::HardRequirement => {
                    let Reason::AboveHardLimit { resource, .. } = reason else {
                        unreachable!()
                    };
                    return Err(PrivilegeError::Unmet {
                        step: Step::Rlimit(resource),
                        reason,
                    });
                }
                Compatibility::SoftRequirement => return Ok(Outcome::Skipped(reason)),
                Compatibility::BestEffort => {}
            }
        }
        for (resource, new) in plans.into_iter().flatten() {
            let step = Step::Rlimit(resource);
            rlimit::setrlimit(resource, new).map_err(failed(step))?;
            if rlimit::getrlimit(resource).map_err(failed(step))? != new {
                return Err(PrivilegeError::NotVerified { step });
            }
        }
        Ok(match first_clamp {
            Some(reason) => Outcome::Partial(reason),
            None => Outcome::Applied,
        })
    }

    /// Makes the process non-dumpable (`PR_SET_DUMPABLE 0`, read back),
    /// unless the policy says [`dumpable(true)`](Self::dumpable) (step 2).
    ///
    /// ```no_run
    /// use seclude::privileges::{Outcome, Privileges};
    /// use seclude::sys::process::dumpable;
    /// assert_eq!(Privileges::new().apply_dumpable(), Ok(Outcome::Applied));
    /// assert_eq!(dumpable(), Ok(0));
    /// ```
    pub fn apply_dumpable(&self) -> Result<Outcome, PrivilegeError> {
        if self.dumpable {
            return Ok(Outcome::NotRequested);
        }
        set_dumpable_off()?;
        Ok(Outcome::Applied)
    }

    /// Closes every descriptor above 2 not in the policy's kept list, if
    /// it has one (step 3; see [`close_fds_except`]
    /// for the methods).
    ///
    /// ```no_run
    /// use seclude::privileges::{Outcome, Privileges};
    /// let p = Privileges::new().close_fds_except(&[]);
    /// assert_eq!(p.close_fds(), Ok(Outcome::Applied));
    /// ```
    pub fn close_fds(&self) -> Result<Outcome, PrivilegeError> {
        let Some(keep) = self.close_fds else {
            return Ok(Outcome::NotRequested);
        };
        close_fds_except(keep, CloseMethod::Auto).map_err(failed(Step::CloseFds))?;
        Ok(Outcome::Applied)
    }

    /// Securebits, bounding set, ambient set, ids, capability sets, in
    /// that order (step 4; see the [module documentation](super) for why),
    /// then reads the credentials back into the report.
    ///
    /// ```no_run
    /// use seclude::privileges::{Capabilities, Privileges};
    /// let report = Privileges::new().drop_privileges().unwrap();
    /// assert_eq!(report.state.caps.effective, Capabilities::empty());
    /// ```
    pub fn drop_privileges(&self) -> Result<DropReport, PrivilegeError> {
        let start = cap_syscalls::capget().map_err(failed(Step::ReadBack))?;
        // A hard requirement to keep what is not held fails before anything
        // changes.
        let missing = self.keep.difference(start.permitted);
        if !missing.is_empty() && self.compat == Compatibility::HardRequirement {
            return Err(PrivilegeError::Unmet {
                step: Step::Capabilities,
                reason: Reason::NotPermitted(missing),
            });
        }
        // Read once for every pass over the capability numbers below (it
        // cannot change while the system runs), before anything changes.
        let last = cap_syscalls::cap_last_cap().map_err(failed(Step::BoundingSet))?;
        let has_setpcap = start.effective.has(Capability::Setpcap);
        let securebits = self.lock_securebits(has_setpcap)?;
        let bounding_set = self.drop_bounding(has_setpcap, last)?;
        cap_syscalls::clear_ambient().map_err(failed(Step::Ambient))?;
        let ambient = Outcome::Applied;
        let ids = self.change_ids()?;
        let capabilities = self.set_kept()?;
        let state = read_state(last)?;
        Ok(DropReport {
            securebits,
            bounding_set,
            ambient,
            ids,
            capabilities,
            state,
        })
    }

    /// All the steps, in order: [`apply_rlimits`](Self::apply_rlimits),
    /// [`apply_dumpable`](Self::apply_dumpable), [`close_fds`](Self::close_fds),
    /// [`drop_privileges`](Self::drop_privileges).
    ///
    /// ```no_run
    /// use seclude::privileges::Privileges;
    /// let report = Privileges::new().user(65534, 65534).apply().unwrap();
    /// assert!(report.drop.ids.is_applied());
    /// ```
    pub fn apply(&self) -> Result<PrivilegesReport, PrivilegeError> {
        let rlimits = self.apply_rlimits()?;
        let dumpable = self.apply_dumpable()?;
        let close_fds = self.close_fds()?;
        let drop = self.drop_privileges()?;
        Ok(PrivilegesReport {
            rlimits,
            dumpable,
            close_fds,
            drop,
        })
    }

    fn lock_securebits(&self, has_setpcap: bool) -> Result<Outcome, PrivilegeError> {
        let Some(requested) = self.securebits else {
            return Ok(Outcome::NotRequested);
        };
        let step = Step::SecureBits;
        let current = cap_syscalls::securebits().map_err(failed(step))?;
        if sb::satisfies(current, requested) {
            return Ok(Outcome::Applied);
        }
        if !has_setpcap {
            return self.cannot(step, Reason::MissingCapSetpcap);
        }
        let (value, conflict) = sb::merge(current, requested);
        if !conflict.is_empty() && self.compat != Compatibility::BestEffort {
            return self.cannot(step, Reason::LockedSecureBits(conflict));
        }
        match cap_syscalls::set_securebits(value) {
            Ok(()) => {}
            // With CAP_SETPCAP and the current locks respected, EPERM means
            // a bit this kernel does not know. Bits the thread already has
            // are known, so only the others are candidates.
            Err(Errno::EPERM) => {
                let newer = SecureBits::SINCE_6_14.difference(current);
                let older = SecureBits::SINCE_4_3.difference(current);
                if self.compat != Compatibility::BestEffort {
                    let unknown = value.intersection(newer.union(older));
                    return self.cannot(step, Reason::UnknownSecureBits(unknown));
                }
                let without_exec = value.difference(newer);
                let without_both = without_exec.difference(older);
                let mut set = false;
                for candidate in [without_exec, without_both] {
                    if candidate != value && cap_syscalls::set_securebits(candidate).is_ok() {
                        set = true;
                        break;
                    }
                }
                if !set {
                    return Err(PrivilegeError::Failed {
                        step,
                        errno: Errno::EPERM,
                    });
                }
            }
            Err(errno) => return Err(PrivilegeError::Failed { step, errno }),
        }
        // Report what the kernel holds now, not what was asked.
        let now = cap_syscalls::securebits().map_err(failed(step))?;
        if sb::satisfies(now, requested) {
            return Ok(Outcome::Applied);
        }
        if !conflict.is_empty() {
            return Ok(Outcome::Partial(Reason::LockedSecureBits(conflict)));
        }
        // Requested flags or locks the kernel does not hold.
        let decided = requested.decided_flags();
        let wrong_flags = now.symmetric_difference(requested).intersection(decided);
        let missing_locks = requested.intersection(SecureBits::LOCKS).difference(now);
        Ok(Outcome::Partial(Reason::UnknownSecureBits(
            wrong_flags.union(missing_locks),
        )))
    }

    fn drop_bounding(&self, has_setpcap: bool, last: u8) -> Result<Outcome, PrivilegeError> {
        let step = Step::BoundingSet;
        let before = cap_syscalls::bounding_set_upto(last).map_err(failed(step))?;
        if self.keep.contains(before) {
            // Nothing beyond the kept set: the target state already holds.
            return Ok(Outcome::Applied);
        }
        if !has_setpcap {
            return self.cannot(step, Reason::MissingCapSetpcap);
        }
        // `before` is the set now: drop what it holds beyond the kept set,
        // without asking about each number again. The read-back below is
        // the verification.
        cap_syscalls::drop_bounding_from(before, self.keep).map_err(failed(step))?;
        let after = cap_syscalls::bounding_set_upto(last).map_err(failed(step))?;
        if !self.keep.contains(after) {
            return Err(PrivilegeError::NotVerified { step });
        }
        Ok(Outcome::Applied)
    }

    fn change_ids(&self) -> Result<Outcome, PrivilegeError> {
        let Some((uid, gid)) = self.user else {
            return Ok(Outcome::NotRequested);
        };
        // Without NO_SETUID_FIXUP (securebits skipped or not asked for),
        // leaving uid 0 empties the permitted set; KEEP_CAPS keeps it, for
        // the kept capabilities to survive. Best effort: if KEEP_CAPS is
        // locked off, the capability step reports what was lost.
        let fixup = !cap_syscalls::securebits()
            .map_err(failed(Step::ReadBack))?
            .contains(SecureBits::NO_SETUID_FIXUP);
        let keep_caps = fixup && !self.keep.is_empty();
        if keep_caps {
            // SAFETY: integer arguments only.
            let _ =
                unsafe { crate::sys::process::prctl(cap_syscalls::PR_SET_KEEPCAPS, 1, 0, 0, 0) };
        }
        let result = ids::change_ids(uid, gid);
        if keep_caps {
            // SAFETY: integer arguments only.
            let _ =
                unsafe { crate::sys::process::prctl(cap_syscalls::PR_SET_KEEPCAPS, 0, 0, 0, 0) };
        }
        result.map_err(|e| match e {
            IdFailure::Groups(errno) => PrivilegeError::Failed {
                step: Step::Groups,
                errno,
            },
            IdFailure::Gid(errno) => PrivilegeError::Failed {
                step: Step::Gid,
                errno,
            },
            IdFailure::Uid(errno) => PrivilegeError::Failed {
                step: Step::Uid,
                errno,
            },
            IdFailure::Verify => PrivilegeError::NotVerified { step: Step::Uid },
        })?;
        // A change of effective ids resets the dumpable flag to
        // fs.suid_dumpable (commit_creds); put ours back.
        if !self.dumpable {
            set_dumpable_off()?;
        }
        Ok(Outcome::Applied)
    }

    fn set_kept(&self) -> Result<Outcome, PrivilegeError> {
        let step = Step::Capabilities;
        let now = cap_syscalls::capget().map_err(failed(step))?;
        let kept = self.keep.intersection(now.permitted);
        let target = CapSets {
            effective: kept,
            permitted: kept,
            inheritable: Capabilities::empty(),
        };
        cap_syscalls::capset(&target).map_err(failed(step))?;
        if cap_syscalls::capget().map_err(failed(step))? != target {
            return Err(PrivilegeError::NotVerified { step });
        }
        let missing = self.keep.difference(kept);
        if missing.is_empty() {
            return Ok(Outcome::Applied);
        }
        // The drop itself is done whatever the level: only keeping failed.
        let reason = Reason::NotPermitted(missing);
        match self.compat {
            Compatibility::HardRequirement => Err(PrivilegeError::Unmet { step, reason }),
            _ => Ok(Outcome::Partial(reason)),
        }
    }

    /// A step that cannot be done at all: skipped, or an error under a hard
    /// requirement.
    fn cannot(&self, step: Step, reason: Reason) -> Result<Outcome, PrivilegeError> {
        match self.compat {
            Compatibility::HardRequirement => Err(PrivilegeError::Unmet { step, reason }),
            _ => Ok(Outcome::Skipped(reason)),
        }
    }
}

/// The credentials now; `last` is [`cap_syscalls::cap_last_cap`].
fn read_state(last: u8) -> Result<CredentialState, PrivilegeError> {
    let step = Step::ReadBack;
    let caps = cap_syscalls::capget().map_err(failed(step))?;
    Ok(CredentialState {
        caps,
        bounding: cap_syscalls::bounding_set_upto(last).map_err(failed(step))?,
        // The kernel holds the ambient set within permitted & inheritable
        // (see ambient_set_within): asking about those numbers only reads
        // the whole set, and after set_kept, which empties the inheritable
        // set, asks nothing.
        ambient: cap_syscalls::ambient_set_within(caps.permitted.intersection(caps.inheritable))
            .map_err(failed(step))?,
        securebits: cap_syscalls::securebits().map_err(failed(step))?,
    })
}
