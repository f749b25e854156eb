//! Securebits: the per-thread flags that switch off the kernel's special
//! treatment of uid 0, and their locks. Pure data and arithmetic; the
//! `prctl` calls are in `cap_syscalls.rs`.
//!
//! Values from `include/uapi/linux/securebits.h`. The kernel refuses, with
//! `EPERM`, any value with a bit it does not know (`cap_prctl`'s
//! `PR_SET_SECUREBITS` case in `security/commoncap.c`), so what a kernel
//! accepts depends on its version: the ambient bits came with Linux 4.3,
//! the exec bits with 6.14.

bitflags::bitflags! {
    /// The securebits (`SECBIT_*`). Each flag has a `_LOCKED` companion that,
    /// once set, makes the flag immutable for this thread and every process
    /// it starts; locks cannot be released.
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert_eq!(SecureBits::NOROOT.bits(), 1);
    /// assert_eq!(SecureBits::DEFAULT_LOCK.bits(), 0xef);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct SecureBits: u32 {
        /// uid 0 gains no capabilities at `execve` (a setuid-root program or
        /// root running a program gets only what file capabilities grant).
        const NOROOT = 1 << 0;
        /// Locks [`NOROOT`](Self::NOROOT).
        const NOROOT_LOCKED = 1 << 1;
        /// Changing uids to or from 0 no longer adjusts the capability
        /// sets: capabilities are only ever changed explicitly.
        const NO_SETUID_FIXUP = 1 << 2;
        /// Locks [`NO_SETUID_FIXUP`](Self::NO_SETUID_FIXUP).
        const NO_SETUID_FIXUP_LOCKED = 1 << 3;
        /// Keep the permitted set when all uids leave 0 (`PR_SET_KEEPCAPS`).
        const KEEP_CAPS = 1 << 4;
        /// Locks [`KEEP_CAPS`](Self::KEEP_CAPS).
        const KEEP_CAPS_LOCKED = 1 << 5;
        /// No capability may be raised into the ambient set (Linux 4.3).
        const NO_CAP_AMBIENT_RAISE = 1 << 6;
        /// Locks [`NO_CAP_AMBIENT_RAISE`](Self::NO_CAP_AMBIENT_RAISE) (Linux 4.3).
        const NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 7;
        /// Script interpreters that honour it only run files that
        /// `execveat(AT_EXECVE_CHECK)` accepts (Linux 6.14).
        const EXEC_RESTRICT_FILE = 1 << 8;
        /// Locks [`EXEC_RESTRICT_FILE`](Self::EXEC_RESTRICT_FILE) (Linux 6.14).
        const EXEC_RESTRICT_FILE_LOCKED = 1 << 9;
        /// Script interpreters that honour it refuse interactive input
        /// (Linux 6.14).
        const EXEC_DENY_INTERACTIVE = 1 << 10;
        /// Locks [`EXEC_DENY_INTERACTIVE`](Self::EXEC_DENY_INTERACTIVE) (Linux 6.14).
        const EXEC_DENY_INTERACTIVE_LOCKED = 1 << 11;
    }
}

impl SecureBits {
    /// What [`Privileges`](super::Privileges) sets by default: uid 0 is
    /// ordinary (`NOROOT`, `NO_SETUID_FIXUP`), no ambient raising, and
    /// `KEEP_CAPS` locked off, all locked so that nothing run later can
    /// undo them. The exec bits are left alone: they only matter to script
    /// interpreters that opt in, and locking them on would refuse every
    /// script.
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert!(!SecureBits::DEFAULT_LOCK.contains(SecureBits::KEEP_CAPS));
    /// assert!(SecureBits::DEFAULT_LOCK.contains(SecureBits::KEEP_CAPS_LOCKED));
    /// ```
    pub const DEFAULT_LOCK: SecureBits = SecureBits::from_bits_retain(
        SecureBits::NOROOT.bits()
            | SecureBits::NOROOT_LOCKED.bits()
            | SecureBits::NO_SETUID_FIXUP.bits()
            | SecureBits::NO_SETUID_FIXUP_LOCKED.bits()
            | SecureBits::KEEP_CAPS_LOCKED.bits()
            | SecureBits::NO_CAP_AMBIENT_RAISE.bits()
            | SecureBits::NO_CAP_AMBIENT_RAISE_LOCKED.bits(),
    );

    /// The flags (even bits), without their locks.
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert_eq!(SecureBits::FLAGS.bits(), 0x555);
    /// ```
    pub const FLAGS: SecureBits = SecureBits::from_bits_retain(0x555);

    /// The locks (odd bits).
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert_eq!(SecureBits::LOCKS.bits(), 0xaaa);
    /// ```
    pub const LOCKS: SecureBits = SecureBits::from_bits_retain(0xaaa);

    /// The bits Linux 4.3 added (ambient capabilities).
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert_eq!(SecureBits::SINCE_4_3.bits(), 0xc0);
    /// ```
    pub const SINCE_4_3: SecureBits = SecureBits::from_bits_retain(
        SecureBits::NO_CAP_AMBIENT_RAISE.bits() | SecureBits::NO_CAP_AMBIENT_RAISE_LOCKED.bits(),
    );

    /// The bits Linux 6.14 added (exec control for script interpreters).
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// assert_eq!(SecureBits::SINCE_6_14.bits(), 0xf00);
    /// ```
    pub const SINCE_6_14: SecureBits = SecureBits::from_bits_retain(0xf00);

    /// The flags whose value is fixed: those whose lock is set.
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// let s = SecureBits::NOROOT_LOCKED | SecureBits::KEEP_CAPS;
    /// assert_eq!(s.locked_flags(), SecureBits::NOROOT);
    /// ```
    pub const fn locked_flags(self) -> SecureBits {
        SecureBits::from_bits_retain((self.bits() & SecureBits::LOCKS.bits()) >> 1)
    }

    /// The flags `self` says something about: the flags it sets, and the
    /// flags whose lock it sets (their value, on or off, is part of the
    /// request).
    ///
    /// ```
    /// use seclude::privileges::SecureBits;
    /// let decided = SecureBits::DEFAULT_LOCK.decided_flags();
    /// assert!(decided.contains(SecureBits::KEEP_CAPS));
    /// assert!(!decided.contains(SecureBits::EXEC_RESTRICT_FILE));
    /// ```
    pub const fn decided_flags(self) -> SecureBits {
        SecureBits::from_bits_retain(
            (self.bits() & SecureBits::FLAGS.bits()) | self.locked_flags().bits(),
        )
    }
}

/// The value to write with `PR_SET_SECUREBITS` to move from `current`
/// toward `requested` without asking the kernel for anything it always
/// refuses: flags that `current` has locked keep their current value,
/// locks that `current` holds stay, and flags `requested` does not decide
/// keep their current value. Returns the value and the part of `requested`
/// that the current locks make impossible (empty when the value is exactly
/// what was asked).
pub(crate) const fn merge(current: SecureBits, requested: SecureBits) -> (SecureBits, SecureBits) {
    let fixed = current.locked_flags().bits();
    let decided = requested.decided_flags().bits();
    let flags = SecureBits::FLAGS.bits();
    let locks = SecureBits::LOCKS.bits();
    // Flags: current where locked or not decided, otherwise requested.
    let keep_current = fixed | (flags & !decided);
    let flag_value = (current.bits() & keep_current) | (requested.bits() & flags & !keep_current);
    let value = flag_value | ((current.bits() | requested.bits()) & locks);
    // What was asked for and cannot be: decided flags that are locked to a
    // different value.
    let conflict = (current.bits() ^ requested.bits()) & fixed & decided;
    (
        SecureBits::from_bits_retain(value),
        SecureBits::from_bits_retain(conflict),
    )
}

/// Whether `now` (read back from the kernel) satisfies `requested`: every
/// flag `requested` decides has the requested value, and every requested
/// lock is set.
pub(crate) const fn satisfies(now: SecureBits, requested: SecureBits) -> bool {
    let decided = requested.decided_flags().bits();
    let locks = requested.bits() & SecureBits::LOCKS.bits();
    (now.bits() ^ requested.bits()) & decided == 0 && now.bits() & locks == locks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_kernel_header() {
        // include/uapi/linux/securebits.h: SECURE_* bit numbers 0..=11.
        let expected = [
            (SecureBits::NOROOT, 0),
            (SecureBits::NOROOT_LOCKED, 1),
            (SecureBits::NO_SETUID_FIXUP, 2),
            (SecureBits::NO_SETUID_FIXUP_LOCKED, 3),
            (SecureBits::KEEP_CAPS, 4),
            (SecureBits::KEEP_CAPS_LOCKED, 5),
            (SecureBits::NO_CAP_AMBIENT_RAISE, 6),
            (SecureBits::NO_CAP_AMBIENT_RAISE_LOCKED, 7),
            (SecureBits::EXEC_RESTRICT_FILE, 8),
            (SecureBits::EXEC_RESTRICT_FILE_LOCKED, 9),
            (SecureBits::EXEC_DENY_INTERACTIVE, 10),
            (SecureBits::EXEC_DENY_INTERACTIVE_LOCKED, 11),
        ];
        for (bits, n) in expected {
            assert_eq!(bits.bits(), 1 << n);
        }
        assert_eq!(SecureBits::all().bits(), 0xfff);
        assert_eq!(SecureBits::FLAGS.bits() << 1, SecureBits::LOCKS.bits());
    }

    #[test]
    fn merge_from_nothing_is_the_request() {
        let (value, conflict) = merge(SecureBits::empty(), SecureBits::DEFAULT_LOCK);
        assert_eq!(value, SecureBits::DEFAULT_LOCK);
        assert!(conflict.is_empty());
        assert!(satisfies(value, SecureBits::DEFAULT_LOCK));
    }

    #[test]
    fn merge_turns_an_unlocked_flag_off_when_its_lock_is_requested() {
        // KEEP_CAPS on (say a parent's PR_SET_KEEPCAPS), unlocked: the
        // default locks it off.
        let (value, conflict) = merge(SecureBits::KEEP_CAPS, SecureBits::DEFAULT_LOCK);
        assert_eq!(value, SecureBits::DEFAULT_LOCK);
        assert!(conflict.is_empty());
    }

    #[test]
    fn merge_reports_what_a_lock_prevents() {
        let current = SecureBits::KEEP_CAPS | SecureBits::KEEP_CAPS_LOCKED;
        let (value, conflict) = merge(current, SecureBits::DEFAULT_LOCK);
        assert_eq!(conflict, SecureBits::KEEP_CAPS);
        assert!(value.contains(SecureBits::KEEP_CAPS | SecureBits::KEEP_CAPS_LOCKED));
        assert!(!satisfies(value, SecureBits::DEFAULT_LOCK));
    }

    /// The kernel's own acceptance test for PR_SET_SECUREBITS (the first
    /// three conditions of cap_prctl; the fourth is CAP_SETPCAP).
    fn kernel_accepts(old: u32, new: u32) -> bool {
        let locks = 0xaaa;
        !(((old & locks) >> 1) & (old ^ new) != 0 || old & locks & !new != 0 || new & !0xfff != 0)
    }

    #[test]
    fn merge_always_produces_a_value_the_kernel_accepts() {
        let mut rng = crate::testing::Rng(0x1234_5678_9abc_def1);
        for _ in 0..20000 {
            let current = SecureBits::from_bits_retain(rng.below(0x1000) as u32);
            let requested = SecureBits::from_bits_retain(rng.below(0x1000) as u32);
            let (value, conflict) = merge(current, requested);
            assert!(
                kernel_accepts(current.bits(), value.bits()),
                "{current:?} {requested:?}"
            );
            assert_eq!(conflict.is_empty(), satisfies(value, requested));
            // Undecided flags are left as they were.
            let undecided = SecureBits::FLAGS.difference(requested.decided_flags());
            assert_eq!(
                value.intersection(undecided),
                current.intersection(undecided)
            );
        }
    }
}
