//! One rule of the promise table ([`Entry`]) and the table of one ABI
//! ([`Table`]), with the `const` methods the builder in the parent module
//! fills it with and the condition shorthands its rules are written in.
//!
//! Kept apart from the rules themselves so that `table.rs` reads as the
//! list of what each promise allows. Everything here is `const`: the
//! tables are built at compile time (`NATIVE_TABLE`, `pledge_program!`).

use super::super::Promises;
use super::super::constants::SETID_BITS;
use crate::seccomp::{Cmp, Condition};
use crate::tables::{Abi, Syscall};

/// Stands for the caller's own process id in a condition. It is patched
/// into the compiled program when the filter is loaded (the pid is not
/// known at compile time). It is above the kernel's `PID_MAX_LIMIT`, so an
/// unpatched program would only allow signals to a process that cannot
/// exist.
pub const SELF_PID: u32 = 0x7fff_fff0;

/// Most conditions of one table entry.
pub(crate) const ENTRY_CONDITIONS: usize = 3;

/// Most entries of one ABI's table.
pub(crate) const MAX_ENTRIES: usize = 640;

/// What an entry does with a matching call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Allowed.
    Allow,
    /// Fails with `ENOSYS`, whatever the promises: a C library then falls
    /// back to an older call the filter can inspect.
    Enosys,
}

/// One rule of the table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// All of these promises are needed (empty: always applies).
    pub needs: Promises,
    /// None of these promises may be held (empty: no exclusion).
    pub unless: Promises,
    pub syscall: Syscall,
    conditions: [Condition; ENTRY_CONDITIONS],
    len: u8,
    pub verdict: Verdict,
}

impl Entry {
    /// Whether the entry applies under `promises`: its promises are all
    /// held and none it excludes is.
    pub(crate) const fn applies(&self, promises: Promises) -> bool {
        promises.contains(self.needs) && !promises.intersects(self.unless)
    }

    pub(crate) const fn conditions(&self) -> &[Condition] {
        self.conditions.split_at(self.len as usize).0
    }

    /// Whether the conditions hold for `args`, with [`SELF_PID`] read as
    /// `self_pid`.
    pub(crate) const fn matches(&self, args: &[u64; 6], arg_bits: u32, self_pid: u32) -> bool {
        let conditions = self.conditions();
        let mut i = 0;
        while i < conditions.len() {
            let mut c = conditions[i];
            if c.value == SELF_PID as u64 {
                c.value = self_pid as u64;
            }
            if !c.holds(args[c.arg as usize], arg_bits) {
                return false;
            }
            i += 1;
        }
        true
    }
}

/// The promise rules of one ABI.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Table {
    entries: [Entry; MAX_ENTRIES],
    len: usize,
    overflow: bool,
    abi: Abi,
}

const NO_ENTRY: Entry = Entry {
    needs: Promises::empty(),
    unless: Promises::empty(),
    syscall: Syscall::read,
    conditions: [Condition::arg32(0, Cmp::Eq, 0); ENTRY_CONDITIONS],
    len: 0,
    verdict: Verdict::Allow,
};

/// No promise: an entry that needs none always applies.
pub(super) const NONE: Promises = Promises::empty();

impl Table {
    /// An empty table for `abi`.
    pub(super) const fn new(abi: Abi) -> Table {
        Table {
            entries: [NO_ENTRY; MAX_ENTRIES],
            len: 0,
            overflow: false,
            abi,
        }
    }

    pub(crate) const fn entries(&self) -> &[Entry] {
        self.entries.split_at(self.len).0
    }

    pub(crate) const fn abi(&self) -> Abi {
        self.abi
    }

    /// Whether the table outgrew [`MAX_ENTRIES`] (a bug: tested never to happen).
    pub(crate) const fn overflowed(&self) -> bool {
        self.overflow
    }

    const fn push(
        &mut self,
        needs: Promises,
        unless: Promises,
        syscall: Syscall,
        conds: &[Condition],
        verdict: Verdict,
    ) {
        // A syscall this ABI does not have needs no rule.
        if self.abi.number(syscall).is_none() {
            return;
        }
        if self.len == MAX_ENTRIES || conds.len() > ENTRY_CONDITIONS {
            self.overflow = true;
            return;
        }
        let mut entry = NO_ENTRY;
        entry.needs = needs;
        entry.unless = unless;
        entry.syscall = syscall;
        entry.verdict = verdict;
        let mut i = 0;
        while i < conds.len() {
            entry.conditions[i] = conds[i];
            i += 1;
        }
        entry.len = conds.len() as u8;
        self.entries[self.len] = entry;
        self.len += 1;
    }

    pub(super) const fn allow(&mut self, needs: Promises, syscalls: &[Syscall]) {
        let mut i = 0;
        while i < syscalls.len() {
            self.push(needs, NONE, syscalls[i], &[], Verdict::Allow);
            i += 1;
        }
    }

    pub(super) const fn allow_if(
        &mut self,
        needs: Promises,
        syscall: Syscall,
        conds: &[Condition],
    ) {
        self.push(needs, NONE, syscall, conds, Verdict::Allow);
    }

    /// Allowed while none of the promises `unless` is held.
    pub(super) const fn allow_unless(
        &mut self,
        needs: Promises,
        unless: Promises,
        syscall: Syscall,
        conds: &[Condition],
    ) {
        self.push(needs, unless, syscall, conds, Verdict::Allow);
    }

    /// One entry per value: `arg == value` (32-bit).
    pub(super) const fn allow_values(
        &mut self,
        needs: Promises,
        syscall: Syscall,
        arg: u8,
        values: &[u32],
    ) {
        let mut i = 0;
        while i < values.len() {
            self.allow_if(needs, syscall, &[eq(arg, values[i])]);
            i += 1;
        }
    }

    pub(super) const fn enosys(&mut self, syscalls: &[Syscall]) {
        let mut i = 0;
        while i < syscalls.len() {
            self.push(NONE, NONE, syscalls[i], &[], Verdict::Enosys);
            i += 1;
        }
    }
}

/// `arg == value` (32-bit).
pub(super) const fn eq(arg: u8, value: u32) -> Condition {
    Condition::arg32(arg, Cmp::Eq, value)
}

/// `arg & mask == value` (32-bit).
pub(super) const fn bits(arg: u8, mask: u32, value: u32) -> Condition {
    Condition::arg32(arg, Cmp::MaskedEq(mask as u64), value)
}

/// A NULL pointer: all 64 bits of `arg` are 0.
pub(super) const fn null(arg: u8) -> Condition {
    Condition::arg64(arg, Cmp::Eq, 0)
}

/// A mode (`arg`) without set-id bits.
pub(super) const fn no_setid(arg: u8) -> Condition {
    bits(arg, SETID_BITS, 0)
}
