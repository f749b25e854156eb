//! Starting an isolated child and collecting how it ended, for every entry
//! point ([`isolate`](super::isolate) and the others): the fork under the
//! sandbox, the shared record through which the child reports what the
//! sandbox applied (before the function runs, so it arrives even if the
//! policy forbids `write`), and the reaping that tells a seccomp kill from
//! other signals.
//!
//! Apart from the entry points because this is the one part that runs on
//! both sides of the fork and shares memory between them; the entry points
//! only wire pipes around it.

use core::mem::{MaybeUninit, size_of};

use super::{Ended, IsolateError};
use crate::errno::Errno;
use crate::sandbox::{Sandbox, SandboxError, SandboxReport};
use crate::sys;
use crate::sys::fd::{self, OwnedFd};
use crate::sys::mem::SharedMapping;
use crate::sys::process::{self, ExitStatus, Forked, SIGSYS};

/// The exit status of a child whose sandbox could not be applied (the
/// parent reports [`Ended::SetupFailed`] from the shared record, not from
/// this number; it only keeps the status recognisable in `ps` or `strace`).
const SETUP_FAILED_STATUS: i32 = 125;
/// The exit status of a child whose function panicked.
const PANICKED_STATUS: i32 = 101;

/// The record the child leaves in the shared mapping before it runs the
/// function.
#[repr(C)]
struct Record {
    /// 0: nothing written; 1: `report` is set; 2: `error` is set.
    state: u32,
    report: MaybeUninit<SandboxReport>,
    error: MaybeUninit<SandboxError>,
}

const RECORD_EMPTY: u32 = 0;
const RECORD_APPLIED: u32 = 1;
const RECORD_FAILED: u32 = 2;

/// A shared anonymous mapping holding one [`Record`], unmapped on drop.
/// The entry points only carry it from [`spawn`] to [`reap`]; its fields
/// and methods stay private to this module.
pub(super) struct SharedRecord {
    mapping: SharedMapping,
    addr: *mut Record,
}

impl SharedRecord {
    fn new() -> Result<Self, Errno> {
        let mapping = SharedMapping::new(size_of::<Record>())?;
        let addr = mapping.as_ptr() as *mut Record;
        // SAFETY: the mapping is zero-filled, page-aligned and large enough;
        // the state word is all that is read before the child writes the rest.
        unsafe { (*addr).state = RECORD_EMPTY };
        Ok(SharedRecord { mapping, addr })
    }

    fn store(&self, outcome: &Result<SandboxReport, SandboxError>) {
        // SAFETY: the mapping holds a Record; only this child writes it,
        // before the parent reads it (after the child has ended).
        unsafe {
            match outcome {
                Ok(report) => {
                    (*self.addr).report = MaybeUninit::new(*report);
                    // The state last, so it never names a field not yet
                    // written (were the child killed in between).
                    core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
                    core::ptr::addr_of_mut!((*self.addr).state).write_volatile(RECORD_APPLIED);
                }
                Err(error) => {
                    (*self.addr).error = MaybeUninit::new(*error);
                    core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
                    core::ptr::addr_of_mut!((*self.addr).state).write_volatile(RECORD_FAILED);
                }
            }
        }
    }

    /// In the child, once the outcome is stored: unmaps the record, so the
    /// sandboxed function cannot write into it (the parent trusts what it
    /// reads there as values of Rust types).
    fn seal(self) -> Result<(), Errno> {
        // Nothing in the child uses the record again.
        self.mapping.unmap()
    }

    /// In the parent, after the child ended: what it stored.
    fn load(&self) -> Option<Result<SandboxReport, SandboxError>> {
        // SAFETY: the child has ended; it wrote the field the state names,
        // with a value of that type made by this same program image (a
        // fork shares the parent's code and the data its references point
        // to).
        unsafe {
            match (*self.addr).state {
                RECORD_APPLIED => Some(Ok((*self.addr).report.assume_init())),
                RECORD_FAILED => Some(Err((*self.addr).error.assume_init())),
                _ => None,
            }
        }
    }
}

/// Ends the child if the function unwinds out of it: a panic must never
/// carry the child back into the caller's code as if it were the parent.
struct ExitOnUnwind;

impl Drop for ExitOnUnwind {
    fn drop(&mut self) {
        sys::exit_group(PANICKED_STATUS);
    }
}

/// How the parent tells the outcome, from the record and the wait status.
fn classify(status: ExitStatus, record: Option<Result<SandboxReport, SandboxError>>) -> Ended {
    if let Some(Err(error)) = record {
        return Ended::SetupFailed(error);
    }
    match status {
        ExitStatus::Exited(code) => Ended::Exited(code),
        ExitStatus::Killed { signal: SIGSYS, .. } => Ended::Violation,
        ExitStatus::Killed {
            signal,
            core_dumped,
        } => Ended::Killed {
            signal,
            core_dumped,
        },
    }
}

/// Forks a child under `sandbox` (in its namespaces). The child runs
/// `prepare` (closing the parent's pipe ends, redirecting output), applies
/// the rest of the sandbox keeping `keep_fds` open, records the outcome,
/// and runs `body`; it never returns. The parent gets the child's pid and
/// the record.
pub(super) fn spawn(
    sandbox: &Sandbox<'_>,
    keep_fds: &[i32],
    prepare: impl FnOnce() -> Result<(), SandboxError>,
    body: impl FnOnce() -> i32,
) -> Result<(i32, SharedRecord), IsolateError> {
    let record = SharedRecord::new().map_err(IsolateError::Map)?;
    // Read before the clone: inside an unmapped user namespace the ids
    // read as the overflow id.
    let outer = (process::getuid(), process::getgid());
    // SAFETY: the child applies the sandbox (raw calls, no locks), runs
    // body under the caller's contract, and leaves through exit_group.
    match unsafe { process::fork(sandbox.clone_flags()) }.map_err(IsolateError::Fork)? {
        Forked::Child => {
            let guard = ExitOnUnwind;
            let outcome = prepare().and_then(|()| sandbox.apply_in_child(outer, keep_fds));
            record.store(&outcome);
            if outcome.is_err() || record.seal().is_err() {
                sys::exit_group(SETUP_FAILED_STATUS);
            }
            let status = body();
            core::mem::forget(guard);
            sys::exit_group(status);
        }
        Forked::Parent(pid) => Ok((pid, record)),
    }
}

/// In the parent, once the child's output is read: reaps the child (even
/// when reading failed, so no zombie is left) and tells how it ended.
pub(super) fn reap<T>(
    pid: i32,
    record: SharedRecord,
    read: Result<T, IsolateError>,
) -> Result<(T, Ended, Option<SandboxReport>), IsolateError> {
    let status = process::wait(pid).map_err(IsolateError::Wait)?;
    let read = read?;
    let stored = record.load();
    Ok((read, classify(status, stored), stored.and_then(Result::ok)))
}

/// Closes a descriptor number inherited from the parent, in the child.
pub(super) fn close_inherited(fd: &OwnedFd) {
    fd::close(fd.raw());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seccomp_kill_is_a_violation_and_other_signals_are_not() {
        assert_eq!(
            classify(
                ExitStatus::Killed {
                    signal: SIGSYS,
                    core_dumped: true
                },
                None
            ),
            Ended::Violation
        );
        assert_eq!(
            classify(
                ExitStatus::Killed {
                    signal: 9,
                    core_dumped: false
                },
                None
            ),
            Ended::Killed {
                signal: 9,
                core_dumped: false
            }
        );
        assert_eq!(classify(ExitStatus::Exited(3), None), Ended::Exited(3));
    }
}
