//! [`Action`] and the `SECCOMP_RET_*` values.

use core::fmt;

/// `SECCOMP_RET_KILL_PROCESS`: kill the process.
///
/// ```
/// assert_eq!(seclude::bpf::RET_KILL_PROCESS, 0x8000_0000);
/// ```
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
/// `SECCOMP_RET_KILL_THREAD` (also `SECCOMP_RET_KILL`): kill the calling thread.
///
/// ```
/// assert_eq!(seclude::bpf::RET_KILL_THREAD, 0);
/// ```
pub const RET_KILL_THREAD: u32 = 0x0000_0000;
/// `SECCOMP_RET_TRAP`: send SIGSYS, skip the call.
///
/// ```
/// assert_eq!(seclude::bpf::RET_TRAP, 0x0003_0000);
/// ```
pub const RET_TRAP: u32 = 0x0003_0000;
/// `SECCOMP_RET_ERRNO`: skip the call, fail it with the errno in the data.
///
/// ```
/// assert_eq!(seclude::bpf::RET_ERRNO, 0x0005_0000);
/// ```
pub const RET_ERRNO: u32 = 0x0005_0000;
/// `SECCOMP_RET_USER_NOTIF`: ask the supervisor listening on the notify fd.
///
/// ```
/// assert_eq!(seclude::bpf::RET_USER_NOTIF, 0x7fc0_0000);
/// ```
pub const RET_USER_NOTIF: u32 = 0x7fc0_0000;
/// `SECCOMP_RET_TRACE`: hand to the ptracer (ENOSYS without one).
///
/// ```
/// assert_eq!(seclude::bpf::RET_TRACE, 0x7ff0_0000);
/// ```
pub const RET_TRACE: u32 = 0x7ff0_0000;
/// `SECCOMP_RET_LOG`: allow, after logging.
///
/// ```
/// assert_eq!(seclude::bpf::RET_LOG, 0x7ffc_0000);
/// ```
pub const RET_LOG: u32 = 0x7ffc_0000;
/// `SECCOMP_RET_ALLOW`: allow.
///
/// ```
/// assert_eq!(seclude::bpf::RET_ALLOW, 0x7fff_0000);
/// ```
pub const RET_ALLOW: u32 = 0x7fff_0000;
/// `SECCOMP_RET_ACTION_FULL`: the action bits, what the kernel switches on.
///
/// ```
/// assert_eq!(seclude::bpf::RET_ACTION_FULL, 0xffff_0000);
/// ```
pub const RET_ACTION_FULL: u32 = 0xffff_0000;
/// `SECCOMP_RET_ACTION`: the action bits without the sign bit (legacy mask).
///
/// ```
/// assert_eq!(seclude::bpf::RET_ACTION, 0x7fff_0000);
/// ```
pub const RET_ACTION: u32 = 0x7fff_0000;
/// `SECCOMP_RET_DATA`: the data bits.
///
/// ```
/// assert_eq!(seclude::bpf::RET_DATA, 0x0000_ffff);
/// ```
pub const RET_DATA: u32 = 0x0000_ffff;

/// `MAX_ERRNO`: the kernel caps `SECCOMP_RET_ERRNO` data to this.
///
/// ```
/// assert_eq!(seclude::bpf::MAX_ERRNO, 4095);
/// ```
pub const MAX_ERRNO: u16 = 4095;

/// What the kernel does with a system call, as decided by a filter's return
/// value. The `RET_*` constants are the `SECCOMP_RET_*` values of
/// `include/uapi/linux/seccomp.h`.
///
/// A return value is an action in its upper 16 bits
/// ([`RET_ACTION_FULL`]) and data in its lower 16 ([`RET_DATA`]). How the
/// kernel (`__seccomp_filter` in `kernel/seccomp.c`, Linux 6.12) reads it:
///
/// - it switches on `ret & SECCOMP_RET_ACTION_FULL`; an action value it does
///   not know takes the `default:` branch, shared with the two kill actions,
///   and since it is not `SECCOMP_RET_KILL_THREAD` it **kills the whole
///   process** (SIGSYS, with a core dump), like [`Action::KillProcess`];
/// - the data is used by `ERRNO` (the errno), `TRAP` (`si_errno` of the
///   SIGSYS) and `TRACE` (the ptrace event message); the other actions
///   ignore it;
/// - an `ERRNO` data above 4095 (`MAX_ERRNO`) is **capped to 4095**; an
///   `ERRNO` of 0 makes the call return 0 without running it.
///
/// ```
/// use seclude::bpf::{Action, RET_ERRNO};
///
/// assert_eq!(Action::Errno(1).to_ret(), RET_ERRNO | 1);
/// assert_eq!(Action::from_ret(0x0001_0000), Action::KillProcess);
/// assert!(Action::Errno(1).more_restrictive(Action::Allow));
/// ```
///
/// The variants are listed from most to least restrictive, the order in
/// which the kernel lets one stacked filter override another
/// ([`more_restrictive`](Action::more_restrictive)).
///
/// ```
/// use seclude::bpf::Action;
///
/// let ret = Action::Trap(7).to_ret();
/// assert_eq!(Action::from_ret(ret), Action::Trap(7));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Action {
    /// Kill the whole process with SIGSYS (`SECCOMP_RET_KILL_PROCESS`).
    /// Unknown action values do the same.
    KillProcess,
    /// Kill the calling thread (`SECCOMP_RET_KILL_THREAD`); the process
    /// dies with SIGSYS if it was its last thread.
    KillThread,
    /// Skip the call and send SIGSYS with this value in `si_errno`.
    Trap(u16),
    /// Skip the call and fail it with this errno (capped to 4095; 0 makes
    /// the call return 0).
    Errno(u16),
    /// Ask the user-space supervisor (`SECCOMP_RET_USER_NOTIF`).
    UserNotif,
    /// Hand to the ptracer with this event message; fail with ENOSYS if
    /// there is none.
    Trace(u16),
    /// Allow, and log (`SECCOMP_RET_LOG`).
    Log,
    /// Allow.
    Allow,
}

impl Action {
    /// The filter return value for this action (the data is 0 for the
    /// actions that ignore it).
    ///
    /// ```
    /// use seclude::bpf::Action;
    /// const DENY: u32 = Action::Errno(13).to_ret();
    /// assert_eq!(DENY, 0x0005_000d);
    /// ```
    pub const fn to_ret(self) -> u32 {
        match self {
            Action::KillProcess => RET_KILL_PROCESS,
            Action::KillThread => RET_KILL_THREAD,
            Action::Trap(data) => RET_TRAP | data as u32,
            Action::Errno(data) => RET_ERRNO | data as u32,
            Action::UserNotif => RET_USER_NOTIF,
            Action::Trace(data) => RET_TRACE | data as u32,
            Action::Log => RET_LOG,
            Action::Allow => RET_ALLOW,
        }
    }

    /// The action the kernel takes for filter return value `ret`: the
    /// action bits are `ret & RET_ACTION_FULL`, an unknown action value is
    /// [`Action::KillProcess`], and the data (`ret & RET_DATA`) is kept for
    /// `Trap`, `Errno` and `Trace`, dropped elsewhere. `Errno` keeps data
    /// above 4095 as it is; the kernel caps it when it applies it (see
    /// [`Action::errno`]).
    ///
    /// ```
    /// use seclude::bpf::Action;
    /// assert_eq!(Action::from_ret(0x7fff_1234), Action::Allow);
    /// assert_eq!(Action::from_ret(0xffff_0000), Action::KillProcess);
    /// assert_eq!(Action::from_ret(0x0005_2000), Action::Errno(0x2000));
    /// ```
    pub const fn from_ret(ret: u32) -> Action {
        let data = (ret & RET_DATA) as u16;
        match ret & RET_ACTION_FULL {
            RET_KILL_PROCESS => Action::KillProcess,
            RET_KILL_THREAD => Action::KillThread,
            RET_TRAP => Action::Trap(data),
            RET_ERRNO => Action::Errno(data),
            RET_USER_NOTIF => Action::UserNotif,
            RET_TRACE => Action::Trace(data),
            RET_LOG => Action::Log,
            RET_ALLOW => Action::Allow,
            _ => Action::KillProcess,
        }
    }

    /// The errno a call denied by this action fails with, as the kernel
    /// applies it: `Some(min(data, 4095))` for `Errno` (0 means the call
    /// returns 0), `None` for every other action.
    ///
    /// ```
    /// use seclude::bpf::Action;
    /// assert_eq!(Action::Errno(5000).errno(), Some(4095));
    /// assert_eq!(Action::Allow.errno(), None);
    /// ```
    pub const fn errno(self) -> Option<u16> {
        match self {
            Action::Errno(data) if data > MAX_ERRNO => Some(MAX_ERRNO),
            Action::Errno(data) => Some(data),
            _ => None,
        }
    }

    /// Whether the kernel prefers this action over `other` when stacked
    /// filters disagree: see [`ret_more_restrictive`].
    ///
    /// ```
    /// use seclude::bpf::Action;
    /// assert!(Action::KillProcess.more_restrictive(Action::KillThread));
    /// assert!(Action::Log.more_restrictive(Action::Allow));
    /// assert!(!Action::Errno(1).more_restrictive(Action::Errno(2)));
    /// ```
    pub const fn more_restrictive(self, other: Action) -> bool {
        ret_more_restrictive(self.to_ret(), other.to_ret())
    }

    /// The kernel's name of the action, without `SECCOMP_RET_`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Action::Errno(1).name(), "ERRNO");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Action::KillProcess => "KILL_PROCESS",
            Action::KillThread => "KILL_THREAD",
            Action::Trap(_) => "TRAP",
            Action::Errno(_) => "ERRNO",
            Action::UserNotif => "USER_NOTIF",
            Action::Trace(_) => "TRACE",
            Action::Log => "LOG",
            Action::Allow => "ALLOW",
        }
    }
}

/// Formats as the disassembler prints returns: `ALLOW`, `ERRNO(1)`,
/// `TRAP(3)`, `KILL_PROCESS`.
///
/// ```
/// use seclude::bpf::Action;
/// let mut s = heapless::String::<16>::new();
/// core::fmt::write(&mut s, format_args!("{}", Action::Errno(1))).unwrap();
/// assert_eq!(s, "ERRNO(1)");
/// ```
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Trap(d) | Action::Errno(d) | Action::Trace(d) => {
                write!(f, "{}({d})", self.name())
            }
            _ => f.write_str(self.name()),
        }
    }
}

/// Whether filter return value `a` takes precedence over `b` when both
/// filters of a stack run (`seccomp_run_filters`): the kernel compares the
/// action bits as a **signed** 32-bit number (`(s32)(ret &
/// SECCOMP_RET_ACTION_FULL)`) and keeps the lowest, ignoring the data. So
/// `KILL_PROCESS` (0x80000000, negative) beats everything, an unknown
/// action value ranks by its number (0xffff0000 sits between
/// `KILL_PROCESS` and `KILL_THREAD`), and the order of the known actions is
/// that of [`Action`]'s variants.
///
/// On a tie the kernel keeps the value of the filter it ran first, which is
/// the most recently installed one; with no filter returning less than
/// `ALLOW` the result is `ALLOW`.
///
/// ```
/// use seclude::bpf::{ret_more_restrictive, RET_ALLOW, RET_ERRNO, RET_KILL_THREAD};
/// assert!(ret_more_restrictive(RET_ERRNO | 1, RET_ALLOW));
/// assert!(ret_more_restrictive(0xffff_0000, RET_KILL_THREAD));
/// assert!(!ret_more_restrictive(RET_ERRNO | 1, RET_ERRNO | 2));
/// ```
pub const fn ret_more_restrictive(a: u32, b: u32) -> bool {
    ((a & RET_ACTION_FULL) as i32) < ((b & RET_ACTION_FULL) as i32)
}

/// The return value a stack of filters produces, given each filter's return
/// value in the order the kernel runs them (newest filter first), as
/// `seccomp_run_filters` computes it.
///
/// ```
/// use seclude::bpf::{stacked_ret, Action};
/// let newest_first = [Action::Errno(2).to_ret(), Action::Allow.to_ret(), Action::Errno(1).to_ret()];
/// assert_eq!(stacked_ret(&newest_first), Action::Errno(2).to_ret());
/// ```
pub const fn stacked_ret(newest_first: &[u32]) -> u32 {
    let mut ret = RET_ALLOW;
    let mut i = 0;
    while i < newest_first.len() {
        if ret_more_restrictive(newest_first[i], ret) {
            ret = newest_first[i];
        }
        i += 1;
    }
    ret
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Action; 8] = [
        Action::KillProcess,
        Action::KillThread,
        Action::Trap(3),
        Action::Errno(1),
        Action::UserNotif,
        Action::Trace(9),
        Action::Log,
        Action::Allow,
    ];

    #[test]
    fn to_ret_and_from_ret_round_trip() {
        for a in ALL {
            assert_eq!(Action::from_ret(a.to_ret()), a);
        }
        assert_eq!(Action::Errno(0xffff).to_ret(), 0x0005_ffff);
    }

    #[test]
    fn from_ret_ignores_data_of_dataless_actions() {
        assert_eq!(Action::from_ret(RET_ALLOW | 5), Action::Allow);
        assert_eq!(Action::from_ret(RET_LOG | 5), Action::Log);
        assert_eq!(Action::from_ret(RET_KILL_THREAD | 5), Action::KillThread);
        assert_eq!(Action::from_ret(RET_KILL_PROCESS | 5), Action::KillProcess);
        assert_eq!(Action::from_ret(RET_USER_NOTIF | 5), Action::UserNotif);
    }

    #[test]
    fn unknown_actions_kill_the_process() {
        for ret in [
            0x0001_0000,
            0x0004_0000,
            0x7ffe_0000,
            0x8001_0000,
            0xffff_ffff,
        ] {
            assert_eq!(Action::from_ret(ret), Action::KillProcess, "{ret:#x}");
        }
    }

    #[test]
    fn errno_is_capped_at_max_errno() {
        assert_eq!(Action::Errno(4095).errno(), Some(4095));
        assert_eq!(Action::Errno(4096).errno(), Some(4095));
        assert_eq!(Action::Errno(0).errno(), Some(0));
        assert_eq!(Action::Trap(1).errno(), None);
    }

    #[test]
    fn more_restrictive_follows_declaration_order() {
        for (i, a) in ALL.iter().enumerate() {
            for (j, b) in ALL.iter().enumerate() {
                assert_eq!(a.more_restrictive(*b), i < j, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn stacked_ret_keeps_the_newest_of_equals() {
        assert_eq!(stacked_ret(&[]), RET_ALLOW);
        assert_eq!(stacked_ret(&[RET_ALLOW | 7]), RET_ALLOW);
        assert_eq!(stacked_ret(&[RET_ERRNO | 1, RET_ERRNO | 2]), RET_ERRNO | 1);
        assert_eq!(
            stacked_ret(&[RET_ERRNO | 1, RET_KILL_PROCESS]),
            RET_KILL_PROCESS
        );
        assert_eq!(stacked_ret(&[RET_KILL_THREAD, 0xffff_0000]), 0xffff_0000);
    }
}
