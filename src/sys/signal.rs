//! Signal masks and signal descriptors: what a supervisor needs to take
//! its signals as records on a descriptor (`signalfd`) instead of handlers.

use super::fd::{O_CLOEXEC, OwnedFd};
use super::syscall4;
use crate::errno::Errno;
use crate::tables::native_nr;

/// A set of signals as the kernel takes it on 64-signal architectures
/// (every one seclude supports): bit `n - 1` for signal `n`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SignalSet(u64);

impl SignalSet {
    /// The empty set.
    pub const EMPTY: SignalSet = SignalSet(0);

    /// The set of `signals` (each 1 to 64).
    ///
    /// ```
    /// use seclude::sys::process::{SIGCHLD, SIGKILL};
    /// use seclude::sys::signal::SignalSet;
    /// let set = SignalSet::of(&[SIGCHLD, SIGKILL]);
    /// assert!(set.contains(SIGKILL) && !set.contains(1));
    /// ```
    pub const fn of(signals: &[i32]) -> SignalSet {
        let mut bits = 0u64;
        let mut i = 0;
        while i < signals.len() {
            assert!(signals[i] >= 1 && signals[i] <= 64, "signals are 1 to 64");
            bits |= 1 << (signals[i] - 1);
            i += 1;
        }
        SignalSet(bits)
    }

    /// Whether `signal` is in the set.
    pub const fn contains(self, signal: i32) -> bool {
        signal >= 1 && signal <= 64 && self.0 & (1 << (signal - 1)) != 0
    }
}

/// How [`sigprocmask`] changes the mask.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MaskChange {
    /// Adds the set (`SIG_BLOCK`).
    Block,
    /// Removes the set (`SIG_UNBLOCK`).
    Unblock,
    /// Replaces the mask with the set (`SIG_SETMASK`).
    Set,
}

/// Changes the calling thread's signal mask (`rt_sigprocmask`) and returns
/// the mask it had.
///
/// ```
/// use seclude::sys::process::SIGCHLD;
/// use seclude::sys::signal::{sigprocmask, MaskChange, SignalSet};
/// let old = sigprocmask(MaskChange::Block, SignalSet::of(&[SIGCHLD])).unwrap();
/// let now = sigprocmask(MaskChange::Set, old).unwrap();
/// assert!(now.contains(SIGCHLD));
/// ```
pub fn sigprocmask(change: MaskChange, set: SignalSet) -> Result<SignalSet, Errno> {
    let how = match change {
        MaskChange::Block => 0,
        MaskChange::Unblock => 1,
        MaskChange::Set => 2,
    };
    let mut old = 0u64;
    // SAFETY: both pointers are to 8-byte sets, the size passed.
    unsafe {
        syscall4(
            native_nr!(rt_sigprocmask),
            how,
            &set.0 as *const u64 as usize,
            &mut old as *mut u64 as usize,
            8,
        )
    }?;
    Ok(SignalSet(old))
}

/// A new close-on-exec descriptor that reads the pending signals of `set`
/// as `signalfd_siginfo` records (`signalfd4`); the signals must be
/// blocked, or they are delivered the usual way.
///
/// ```
/// use seclude::sys::process::SIGCHLD;
/// use seclude::sys::signal::{signalfd, SignalSet};
/// let fd = signalfd(SignalSet::of(&[SIGCHLD])).unwrap();
/// assert!(fd.raw() > 2);
/// ```
pub fn signalfd(set: SignalSet) -> Result<OwnedFd, Errno> {
    // signalfd4's flags are the open flags of the same names.
    // SAFETY: an 8-byte set, the size passed; -1 asks for a new descriptor.
    let fd = unsafe {
        syscall4(
            native_nr!(signalfd4),
            usize::MAX,
            &set.0 as *const u64 as usize,
            8,
            O_CLOEXEC as usize,
        )
    }?;
    // SAFETY: a new descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw(fd as i32) })
}
