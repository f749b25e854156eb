//! The policy compiler: [`Policy`] → verified classic-BPF [`Program`].
//!
//! Layout of a compiled program:
//!
//! ```text
//!     ld  [arch]
//!     jeq #AUDIT_ARCH_1, block_1        ; one test per covered architecture
//!     jeq #AUDIT_ARCH_2, block_2
//!     ret <bad-arch action>
//! block_1:
//!     ld  [nr]
//!     jge #n, …                         ; balanced search over number ranges
//!     …
//!     ret <action>                      ; a range decided without arguments
//! rules_of_syscall:                     ; a range whose syscall has conditions
//!     ld  [args[i].hi] / ld [args[i].lo] / jeq / jgt / jge / jset …
//!     ret <action of the first matching rule> / ret <default>
//! ```
//!
//! The number space of each architecture is cut into ranges that share one
//! outcome, and a balanced binary search picks the range: a syscall costs
//! ⌈log2 ranges⌉ comparisons, and one allowed without conditions is decided
//! from `arch` and `nr` alone, so the kernel's per-syscall action cache
//! (Linux 5.11+) can skip the filter for it entirely. Nothing loads the
//! instruction pointer or an argument before the search has picked the
//! syscall.
//!
//! x86-64 and x32 share `AUDIT_ARCH_X86_64`, so they share one search: the
//! numbers from [`X32_SYSCALL_BIT`] up are x32's ranges when the policy
//! covers x32 and one bad-arch range when it does not. Numbers a covered ABI
//! does not number at all (below a MIPS base, above the table) get the
//! policy's default action.
//!
//! This module decides what is tested in which order; [`codegen`] turns
//! that into instructions (back to front, with far jumps, shared returns
//! and skipped reloads).

mod codegen;

use super::policy::{Cmp, Condition, Policy, PolicyError, Width};
use crate::bpf::{self, Instruction, MAX_INSNS, SeccompData, VerifyError, op};
use crate::tables::{Abi, Syscall, X32_SYSCALL_BIT};
use codegen::{EMIT_CAPACITY, EMIT_FIRST, Emitter};
use core::fmt;

// Labels (below the emitter's room) are kept as u16 in the search's tables.
const _: () = assert!(EMIT_CAPACITY <= u16::MAX as usize);

/// A compiled seccomp program of at most `N` instructions, stored without
/// allocation. Every `Program` the compiler returns has passed
/// [`bpf::verify`].
///
/// ```
/// use seclude::{bpf::Action, seccomp::{compile, Policy, Program}, tables::Syscall};
/// let policy: Policy<2> = Policy::new(Action::Errno(1)).allow(Syscall::read);
/// let program: Program = compile(&policy).unwrap();
/// assert!(program.len() > 3);
/// ```
#[derive(Clone, Copy)]
pub struct Program<const N: usize = MAX_INSNS> {
    insns: [Instruction; N],
    len: usize,
}

impl<const N: usize> Program<N> {
    /// The instructions.
    ///
    /// ```
    /// # use seclude::{bpf::Action, seccomp::{compile, Policy, Program}};
    /// let p: Program = compile(&Policy::<1>::new(Action::Allow)).unwrap();
    /// assert_eq!(p.instructions().len(), p.len());
    /// ```
    pub const fn instructions(&self) -> &[Instruction] {
        self.insns.split_at(self.len).0
    }

    /// Number of instructions.
    ///
    /// ```
    /// # use seclude::{bpf::Action, seccomp::{compile, Policy, Program}};
    /// let p: Program = compile(&Policy::<1>::new(Action::Allow)).unwrap();
    /// assert!(!p.is_empty());
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the program has no instructions (never true for a compiled one).
    ///
    /// ```
    /// # use seclude::{bpf::Action, seccomp::{compile, Policy, Program}};
    /// assert!(!compile::<1, 64>(&Policy::new(Action::Allow)).unwrap().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The instructions as an array of exactly `L` elements; used by
    /// [`seccomp_program!`](crate::seccomp_program) to keep only the
    /// instructions, not the whole capacity, in the binary. Panics if `L` is
    /// not [`len`](Program::len).
    ///
    /// ```
    /// # use seclude::{bpf::Action, seccomp::{compile, Policy, Program}};
    /// const P: Program<64> = match compile(&Policy::<1>::new(Action::Allow)) {
    ///     Ok(p) => p,
    ///     Err(_) => panic!(),
    /// };
    /// const LEN: usize = P.len();
    /// let exact: [seclude::bpf::Instruction; LEN] = P.to_array();
    /// assert_eq!(&exact[..], P.instructions());
    /// ```
    pub const fn to_array<const L: usize>(&self) -> [Instruction; L] {
        assert!(L == self.len, "to_array: L must equal the program's length");
        let mut out = [Instruction::stmt(0, 0); L];
        let mut i = 0;
        while i < L {
            out[i] = self.insns[i];
            i += 1;
        }
        out
    }
}

impl<const N: usize> fmt::Debug for Program<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.instructions()).finish()
    }
}

/// Why a policy could not be compiled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompileError {
    /// The policy was built with a mistake.
    Policy(PolicyError),
    /// The program needs more than `capacity` instructions (the program's
    /// `N`, or the kernel's limit of 4096).
    TooLong {
        /// The limit that was exceeded.
        capacity: usize,
    },
    /// More distinct number ranges on one architecture than the compiler's
    /// fixed scratch space holds ([`MAX_RANGES`]).
    TooManyRanges,
    /// The generated program failed verification: a compiler bug, reported
    /// rather than loaded.
    Verify(VerifyError),
}

/// Most number ranges one architecture's search may have.
pub const MAX_RANGES: usize = 2 * Syscall::COUNT + 8;

impl CompileError {
    /// A sentence describing the error (for `const` panics, which cannot format).
    ///
    /// ```
    /// use seclude::seccomp::CompileError;
    /// assert!(CompileError::TooLong { capacity: 4096 }.message().contains("instructions"));
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            CompileError::Policy(e) => e.message(),
            CompileError::TooLong { .. } => {
                "seccomp policy: the program needs more instructions than its capacity (at most 4096)"
            }
            CompileError::TooManyRanges => {
                "seccomp policy: too many distinct syscall ranges on one architecture"
            }
            CompileError::Verify(_) => {
                "seccomp compiler bug: the generated program failed verification"
            }
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Policy(e) => fmt::Display::fmt(e, f),
            CompileError::TooLong { capacity } => {
                write!(
                    f,
                    "seccomp policy: the program needs more than {capacity} instructions"
                )
            }
            CompileError::TooManyRanges => f.write_str(self.message()),
            CompileError::Verify(e) => {
                write!(f, "seccomp compiler bug: generated program rejected: {e}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CompileError {}

/// What a range of syscall numbers leads to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// A `ret` with this value, decided from the number alone.
    Ret(u32),
    /// The rules of this syscall, which test arguments as wide as this
    /// ABI's (x86-64 and x32 share one search, so ranges carry their ABI).
    Rules(Syscall, Abi),
}

/// `[start, next range's start)` has `outcome`.
#[derive(Clone, Copy)]
struct Range {
    start: u32,
    outcome: Outcome,
}

const NO_RANGE: Range = Range {
    start: 0,
    outcome: Outcome::Ret(0),
};

/// The rules of each syscall as a chain (first rule, then `next` links),
/// built once in one pass: walking one syscall's rules then touches only
/// those, which keeps `const` evaluation of large policies fast.
struct RuleIndex<const P: usize> {
    first: [u16; Syscall::COUNT],
    next: [u16; P],
}
const NONE: u16 = u16::MAX;

const fn index_rules<const P: usize>(policy: &Policy<P>) -> RuleIndex<P> {
    let mut first = [NONE; Syscall::COUNT];
    let mut last = [NONE; Syscall::COUNT];
    let mut next = [NONE; P];
    let rules = policy.rules();
    let mut i = 0;
    while i < rules.len() {
        let s = rules[i].syscall as usize;
        if first[s] == NONE {
            first[s] = i as u16;
        } else {
            next[last[s] as usize] = i as u16;
        }
        last[s] = i as u16;
        i += 1;
    }
    RuleIndex { first, next }
}

/// What the number of `syscall` leads to, before arguments are known.
const fn outcome_of<const P: usize>(
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    syscall: Syscall,
    abi: Abi,
) -> Outcome {
    let i = index.first[syscall as usize];
    if i == NONE {
        return Outcome::Ret(policy.default_action().to_ret());
    }
    let rule = &policy.rules()[i as usize];
    if rule.conditions().is_empty() {
        Outcome::Ret(rule.action.to_ret())
    } else {
        Outcome::Rules(syscall, abi)
    }
}

/// The ranges of one architecture's number space, in order.
struct Ranges {
    items: [Range; MAX_RANGES],
    len: usize,
    overflow: bool,
}

impl Ranges {
    const fn push(&mut self, start: u32, outcome: Outcome) {
        if self.len > 0 {
            let last = self.items[self.len - 1];
            if last.start == start {
                // A later range starting at the same number replaces it
                // (only the default gap after a table's last number can).
                self.items[self.len - 1].outcome = outcome;
                self.merge_last();
                return;
            }
            if outcome_eq(last.outcome, outcome) {
                return;
            }
        }
        if self.len == MAX_RANGES {
            self.overflow = true;
            return;
        }
        self.items[self.len] = Range { start, outcome };
        self.len += 1;
    }

    const fn merge_last(&mut self) {
        if self.len >= 2
            && outcome_eq(
                self.items[self.len - 2].outcome,
                self.items[self.len - 1].outcome,
            )
        {
            self.len -= 1;
        }
    }
}

const fn outcome_eq(a: Outcome, b: Outcome) -> bool {
    match (a, b) {
        (Outcome::Ret(x), Outcome::Ret(y)) => x == y,
        (Outcome::Rules(x, a), Outcome::Rules(y, b)) => x as u16 == y as u16 && a as u8 == b as u8,
        _ => false,
    }
}

/// Appends the ranges of `abi`'s numbers within `[from, to)` (or the
/// bad-arch action over all of it when the policy does not cover `abi`).
const fn push_segment<const P: usize>(
    ranges: &mut Ranges,
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    abi: Abi,
    covered: bool,
    from: u32,
) {
    if !covered {
        ranges.push(from, Outcome::Ret(policy.bad_arch_action().to_ret()));
        return;
    }
    let unknown = Outcome::Ret(policy.unknown_action().to_ret());
    ranges.push(from, unknown);
    let entries = abi.entries();
    let mut i = 0;
    while i < entries.len() {
        let (nr, syscall) = entries[i];
        ranges.push(nr, outcome_of(policy, index, syscall, abi));
        if nr < u32::MAX {
            ranges.push(nr + 1, unknown);
        }
        i += 1;
    }
}

/// Emits the rules of `syscall` (in policy order), falling back to the
/// default action. Returns the entry label.
const fn emit_rules<const N: usize, const P: usize>(
    e: &mut Emitter<N>,
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    syscall: Syscall,
    abi: Abi,
) -> usize {
    let rules = policy.rules();
    // The conditional rules up to the syscall's first unconditional one:
    // that one is the fallback, and rules after it can never decide.
    let mut chain = [NONE; P];
    let mut len = 0;
    let mut fallback = policy.default_action().to_ret();
    let mut i = index.first[syscall as usize];
    while i != NONE {
        let rule = &rules[i as usize];
        if rule.conditions().is_empty() {
            fallback = rule.action.to_ret();
            break;
        }
        chain[len] = i;
        len += 1;
        i = index.next[i as usize];
    }
    // Back to front: each rule's failure target is the next rule's entry.
    let mut next = e.ret(fallback);
    while len > 0 {
        len -= 1;
        let rule = &rules[chain[len] as usize];
        let success = e.ret(rule.action.to_ret());
        let conditions = rule.conditions();
        let mut entry = success;
        let mut c = conditions.len();
        while c > 0 {
            c -= 1;
            entry = e.condition(&conditions[c], abi.arg_bits(), abi.endian(), entry, next);
        }
        next = entry;
    }
    next
}

/// Emits the balanced search over `ranges[lo..hi]`; `targets` holds the
/// entry label of every `Rules` range. Returns the entry label.
const fn emit_search<const N: usize>(
    e: &mut Emitter<N>,
    ranges: &Ranges,
    targets: &[u16; MAX_RANGES],
    lo: usize,
    hi: usize,
) -> usize {
    if hi - lo == 1 {
        return match ranges.items[lo].outcome {
            Outcome::Ret(value) => e.ret(value),
            Outcome::Rules(..) => targets[lo] as usize,
        };
    }
    let mid = lo + (hi - lo) / 2;
    let right = emit_search(e, ranges, targets, mid, hi);
    let left = emit_search(e, ranges, targets, lo, mid);
    e.jump(op::JGE, ranges.items[mid].start, right, left)
}

/// Emits the block for one `AUDIT_ARCH_*` value. Returns its entry label.
const fn emit_arch_block<const N: usize, const P: usize>(
    e: &mut Emitter<N>,
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    abi: Abi,
) -> Result<usize, CompileError> {
    let mut ranges = Ranges {
        items: [NO_RANGE; MAX_RANGES],
        len: 0,
        overflow: false,
    };
    // The ABI whose tables decide each part of the number space.
    let mut segments: [(Abi, u32); 2] = [(abi, 0), (abi, 0)];
    let mut count = 1;
    if matches!(abi, Abi::X86_64 | Abi::X32) {
        segments = [(Abi::X86_64, 0), (Abi::X32, X32_SYSCALL_BIT)];
        count = 2;
    }
    let mut s = 0;
    while s < count {
        let (seg_abi, from) = segments[s];
        let covered = contains(policy.abis(), seg_abi);
        push_segment(&mut ranges, policy, index, seg_abi, covered, from);
        s += 1;
    }
    if ranges.overflow {
        return Err(CompileError::TooManyRanges);
    }

    // Rule blocks first: they end up after the search that jumps to them.
    // Labels are below the emitter's room, and a fingerprint's 32-bit fold
    // finds as well (equal ones are confirmed): small entries keep these
    // tables, on the stack, to fewer pages.
    let mut targets = [0u16; MAX_RANGES];
    let mut keys = [0u32; MAX_RANGES];
    let mut i = ranges.len;
    while i > 0 {
        if e.is_full() {
            // The code is discarded (or compiled again with more room):
            // the rest of the work would be wasted, at compile time too.
            return Ok(e.next_label());
        }
        i -= 1;
        if let Outcome::Rules(syscall, seg_abi) = ranges.items[i].outcome {
            // Syscalls with identical rules share one block (mmap and
            // mprotect without PROT_EXEC, say): the first emitted serves all.
            // Fingerprints make the search cheap; equal ones are confirmed.
            let h = fingerprint(policy, index, syscall);
            keys[i] = (h ^ (h >> 32)) as u32;
            let mut shared = None;
            let mut j = i + 1;
            while j < ranges.len {
                // Every ABI of one arch block has the same argument width
                // and byte order, so x86-64 and x32 ranges may share too.
                if let Outcome::Rules(other, _) = ranges.items[j].outcome {
                    if keys[j] == keys[i] && same_rules(policy, index, syscall, other) {
                        shared = Some(targets[j] as usize);
                        break;
                    }
                }
                j += 1;
            }
            targets[i] = match shared {
                Some(label) => label,
                None => emit_rules(e, policy, index, syscall, seg_abi),
            } as u16;
        }
    }
    let search = emit_search(e, &ranges, &targets, 0, ranges.len);
    Ok(e.seq(Instruction::load_word(SeccompData::NR), search))
}

const fn same_condition(a: &Condition, b: &Condition) -> bool {
    let same_cmp = match (a.cmp, b.cmp) {
        (Cmp::MaskedEq(x), Cmp::MaskedEq(y)) => x == y,
        (Cmp::Eq, Cmp::Eq) | (Cmp::Ne, Cmp::Ne) | (Cmp::Lt, Cmp::Lt) => true,
        (Cmp::Le, Cmp::Le) | (Cmp::Gt, Cmp::Gt) | (Cmp::Ge, Cmp::Ge) => true,
        _ => false,
    };
    let same_width = matches!(
        (a.width, b.width),
        (Width::Bits32, Width::Bits32) | (Width::Bits64, Width::Bits64)
    );
    same_cmp && same_width && a.arg == b.arg && a.value == b.value
}

/// One FNV-1a step over a 64-bit value.
const fn mix(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(0x0000_0100_0000_01b3)
}

/// A hash of a syscall's rule chain (actions and conditions up to the
/// first unconditional rule): equal chains have equal fingerprints.
const fn fingerprint<const P: usize>(
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    syscall: Syscall,
) -> u64 {
    let rules = policy.rules();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = index.first[syscall as usize];
    while i != NONE {
        let rule = &rules[i as usize];
        h = mix(h, rule.action.to_ret() as u64);
        let conditions = rule.conditions();
        let mut k = 0;
        while k < conditions.len() {
            let c = &conditions[k];
            let (cmp, mask) = match c.cmp {
                Cmp::Eq => (0, 0),
                Cmp::Ne => (1, 0),
                Cmp::Lt => (2, 0),
                Cmp::Le => (3, 0),
                Cmp::Gt => (4, 0),
                Cmp::Ge => (5, 0),
                Cmp::MaskedEq(m) => (6, m),
            };
            let width = matches!(c.width, Width::Bits64) as u64;
            h = mix(
                mix(mix(h, c.arg as u64 | cmp << 8 | width << 16), c.value),
                mask,
            );
            k += 1;
        }
        if conditions.is_empty() {
            break;
        }
        h = mix(h, 0xff);
        i = index.next[i as usize];
    }
    h
}

/// Whether two syscalls' rules decide every call alike: the same
/// conditions and actions in the same order, up to the first
/// unconditional rule (or to the default action for both). Walks both
/// chains side by side; most pairs differ at their first rule.
const fn same_rules<const P: usize>(
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    a: Syscall,
    b: Syscall,
) -> bool {
    let rules = policy.rules();
    let (mut ia, mut ib) = (index.first[a as usize], index.first[b as usize]);
    loop {
        if ia == NONE || ib == NONE {
            return ia == ib;
        }
        let (ra, rb) = (&rules[ia as usize], &rules[ib as usize]);
        if ra.action.to_ret() != rb.action.to_ret() {
            return false;
        }
        let (ca, cb) = (ra.conditions(), rb.conditions());
        if ca.len() != cb.len() {
            return false;
        }
        let mut k = 0;
        while k < ca.len() {
            if !same_condition(&ca[k], &cb[k]) {
                return false;
            }
            k += 1;
        }
        if ca.is_empty() {
            return true; // both chains end here
        }
        ia = index.next[ia as usize];
        ib = index.next[ib as usize];
    }
}

const fn contains(abis: &[Abi], abi: Abi) -> bool {
    let mut i = 0;
    while i < abis.len() {
        if abis[i] as u8 == abi as u8 {
            return true;
        }
        i += 1;
    }
    false
}

/// Compiles `policy` into a verified program of at most `N` instructions.
///
/// Usable in `const` context; see [`seccomp_program!`](crate::seccomp_program)
/// for the form that turns every error into a compile error.
///
/// ```
/// use seclude::bpf::{self, Action, SeccompData};
/// use seclude::seccomp::{compile, Cmp, Condition, Policy, Program};
/// use seclude::tables::{Abi, Syscall};
///
/// let policy: Policy<4> = Policy::for_abis(&[Abi::X86_64], Action::Errno(1))
///     .allow(Syscall::read)
///     .rule(Syscall::write, &[Condition::arg32(0, Cmp::Eq, 2)], Action::Allow);
/// let program: Program<256> = compile(&policy).unwrap();
///
/// let write_to = |fd| SeccompData { nr: 1, arch: Abi::X86_64.audit_arch(), instruction_pointer: 0, args: [fd, 0, 0, 0, 0, 0] };
/// let run = |d: &SeccompData| bpf::simulate(program.instructions(), d, Abi::X86_64.endian()).unwrap().action;
/// assert_eq!(run(&write_to(2)), Action::Allow);
/// assert_eq!(run(&write_to(1)), Action::Errno(1));
/// ```
pub const fn compile<const P: usize, const N: usize>(
    policy: &Policy<P>,
) -> Result<Program<N>, CompileError> {
    if let Some(e) = policy.error() {
        return Err(CompileError::Policy(e));
    }
    let index = index_rules(policy);
    let mut program = Program {
        insns: [Instruction::stmt(0, 0); N],
        len: 0,
    };
    let fitted = match emit::<P, N, EMIT_FIRST>(policy, &index, &mut program) {
        Ok(fitted) => fitted,
        Err(err) => return Err(err),
    };
    if !fitted {
        if let Err(err) = emit_large(policy, &index, &mut program) {
            return Err(err);
        }
    }
    match bpf::verify(program.instructions()) {
        Ok(()) => Ok(program),
        Err(err) => Err(CompileError::Verify(err)),
    }
}

/// [`emit`] with all the room a program can need (see [`EMIT_FIRST`]),
/// in a frame of its own: one that needs no more does not touch it.
#[inline(never)]
const fn emit_large<const P: usize, const N: usize>(
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    program: &mut Program<N>,
) -> Result<(), CompileError> {
    match emit::<P, N, EMIT_CAPACITY>(policy, index, program) {
        Ok(true) => Ok(()),
        Ok(false) => Err(CompileError::TooLong {
            capacity: if N < MAX_INSNS { N } else { MAX_INSNS },
        }),
        Err(err) => Err(err),
    }
}

/// Generates the code into an emitter of `E` instructions and moves it
/// into `program`: `Ok(false)` if it did not fit the emitter, and
/// `TooLong` if it fits the emitter but not the program. The code does not
/// depend on `E`, only whether there was room for it.
const fn emit<const P: usize, const N: usize, const E: usize>(
    policy: &Policy<P>,
    index: &RuleIndex<P>,
    program: &mut Program<N>,
) -> Result<bool, CompileError> {
    let mut e = Emitter::<E>::new();
    let abis = policy.abis();

    // One block per distinct AUDIT_ARCH value, in the policy's order.
    let mut families: [Abi; super::policy::MAX_ABIS] = [Abi::X86_64; super::policy::MAX_ABIS];
    let mut family_count = 0;
    let mut i = 0;
    while i < abis.len() {
        let mut seen = false;
        let mut j = 0;
        while j < family_count {
            if families[j].audit_arch() == abis[i].audit_arch() {
                seen = true;
            }
            j += 1;
        }
        if !seen {
            families[family_count] = abis[i];
            family_count += 1;
        }
        i += 1;
    }

    let mut blocks = [0usize; super::policy::MAX_ABIS];
    let mut f = family_count;
    while f > 0 {
        f -= 1;
        blocks[f] = match emit_arch_block(&mut e, policy, index, families[f]) {
            Ok(label) => label,
            Err(err) => return Err(err),
        };
    }
    let mut next = e.ret(policy.bad_arch_action().to_ret());
    let mut f = family_count;
    while f > 0 {
        f -= 1;
        next = e.jump(op::JEQ, families[f].audit_arch(), blocks[f], next);
    }
    e.seq(Instruction::load_word(SeccompData::ARCH), next);

    if e.is_full() {
        return Ok(false);
    }
    match e.finish(&mut program.insns) {
        Some(len) => {
            program.len = len;
            Ok(true)
        }
        None => Err(CompileError::TooLong {
            capacity: if N < MAX_INSNS { N } else { MAX_INSNS },
        }),
    }
}

/// Compiles a `const` [`Policy`] at compile time into a `&'static
/// [Instruction]` of exactly the program's length. Any error (a policy
/// mistake, a program over 4096 instructions) is a compile error.
///
/// ```
/// use seclude::bpf::{Action, Instruction};
/// use seclude::seccomp::Policy;
/// use seclude::tables::Syscall;
///
/// const POLICY: Policy<3> = Policy::new(Action::Errno(1))
///     .allow(Syscall::read)
///     .allow(Syscall::write)
///     .allow(Syscall::exit_group);
/// static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);
/// assert!(PROGRAM.len() < 16);
/// ```
///
/// A policy whose program would exceed the kernel's 4096 instructions does
/// not compile (the error is the const evaluation's, E0080):
///
/// ```compile_fail,E0080
/// use seclude::bpf::{Action, Instruction};
/// use seclude::seccomp::{Cmp, Condition, Policy};
/// use seclude::tables::Syscall;
///
/// // 300 syscalls, each with six 64-bit conditions: about 7,500 instructions.
/// const fn big() -> Policy<300> {
///     let mut policy = Policy::new(Action::Errno(1));
///     let mut i = 0;
///     while i < 300 {
///         // A value of its own per syscall: identical rules would share one block.
///         let wide = Condition::arg64(0, Cmp::Eq, (1 << 32) + i as u64);
///         policy = policy.rule(Syscall::ALL[i], &[wide; 6], Action::Allow);
///         i += 1;
///     }
///     policy
/// }
/// static PROGRAM: &[Instruction] = seclude::seccomp_program!(big());
/// ```
///
/// while the same policy with fewer syscalls does:
///
/// ```
/// use seclude::bpf::{Action, Instruction};
/// use seclude::seccomp::{Cmp, Condition, Policy};
/// use seclude::tables::Syscall;
///
/// const fn smaller() -> Policy<100> {
///     let mut policy = Policy::new(Action::Errno(1));
///     let mut i = 0;
///     while i < 100 {
///         // A value of its own per syscall: identical rules would share one block.
///         let wide = Condition::arg64(0, Cmp::Eq, (1 << 32) + i as u64);
///         policy = policy.rule(Syscall::ALL[i], &[wide; 6], Action::Allow);
///         i += 1;
///     }
///     policy
/// }
/// static PROGRAM: &[Instruction] = seclude::seccomp_program!(smaller());
/// assert!(PROGRAM.len() > 1000 && PROGRAM.len() <= 4096);
/// ```
///
/// A mistake in the policy does not compile either:
///
/// ```compile_fail,E0080
/// use seclude::bpf::{Action, Instruction};
/// use seclude::seccomp::{Cmp, Condition, Policy};
/// use seclude::tables::Syscall;
///
/// // There is no seventh argument.
/// const POLICY: Policy<1> = Policy::new(Action::Allow)
///     .rule(Syscall::read, &[Condition::arg32(6, Cmp::Eq, 0)], Action::Allow);
/// static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);
/// ```
#[macro_export]
macro_rules! seccomp_program {
    ($policy:expr) => {{
        const FULL: $crate::seccomp::Program = match $crate::seccomp::compile(&$policy) {
            Ok(program) => program,
            Err(e) => panic!("{}", e.message()),
        };
        const LEN: usize = FULL.len();
        const EXACT: [$crate::bpf::Instruction; LEN] = FULL.to_array::<LEN>();
        &EXACT
    }};
}

#[cfg(test)]
mod tests;
