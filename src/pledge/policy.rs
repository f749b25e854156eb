//! Promises → seccomp policy → BPF program: the pure part of pledge.

use super::Promises;
use super::constants::{SECCOMP_SET_MODE_FILTER, constants};
use super::table::{Entry, NATIVE_TABLE, SELF_PID, Table, Verdict, table};
use crate::bpf::{Action, Instruction, op};
use crate::seccomp::{Cmp, CompileError, Condition, Policy, PolicyError, Program, compile};
use crate::tables::{Abi, Syscall};
use core::fmt;

/// Most rules a pledge policy has (all 23 promises on the ABI with the
/// most syscalls, plus the report rules); tested on every ABI.
pub const MAX_RULES: usize = 480;

/// `SIGSYS`, the signal of seccomp's trap action (31 on every ABI but MIPS).
pub(crate) const fn sigsys(abi: Abi) -> u32 {
    match abi {
        Abi::Mips
        | Abi::Mipsel
        | Abi::Mips64N32
        | Abi::Mipsel64N32
        | Abi::Mips64
        | Abi::Mipsel64 => 12,
        _ => 31,
    }
}

/// What happens to a call the promises do not allow.
///
/// The default is [`Penalty::EPERM`]: the call fails with `EPERM` and the
/// program goes on (it may handle the error). [`Penalty::reported`] adds a
/// one-line message on standard error naming the syscall and the promise
/// that would allow it, printed by a `SIGSYS` handler, before the penalty
/// acts: a reported kill ends the thread or the process by `SIGSYS`
/// exactly as the unreported one does (the handler has the kernel carry
/// out the kill action), so a parent sees a death by `SIGSYS`, never an
/// exit status.
///
/// ```
/// use seclude::{bpf::Action, pledge::Penalty};
/// assert_eq!(Penalty::EPERM.action(), Action::Errno(1));
/// assert_eq!(Penalty::KILL_PROCESS.action(), Action::KillProcess);
/// assert!(matches!(Penalty::KILL_PROCESS.reported().action(), Action::Trap(_)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Penalty {
    kind: Kind,
    report: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Errno(u16),
    KillProcess,
    KillThread,
}

impl Penalty {
    /// The call fails with `EPERM` (1 on every ABI).
    pub const EPERM: Penalty = Penalty::errno(1);
    /// The process is killed by `SIGSYS`, as by seccomp's kill action.
    pub const KILL_PROCESS: Penalty = Penalty {
        kind: Kind::KillProcess,
        report: false,
    };
    /// The calling thread is killed (the process too if it was the last).
    pub const KILL_THREAD: Penalty = Penalty {
        kind: Kind::KillThread,
        report: false,
    };

    /// The call fails with this errno (1 to 4095; checked when the policy
    /// is built).
    ///
    /// ```
    /// use seclude::{bpf::Action, pledge::Penalty};
    /// assert_eq!(Penalty::errno(13).action(), Action::Errno(13));
    /// ```
    pub const fn errno(errno: u16) -> Penalty {
        Penalty {
            kind: Kind::Errno(errno),
            report: false,
        }
    }

    /// The same penalty, after a message on standard error such as
    /// `seclude: openat denied; promise "rpath" would allow it`. The filter
    /// traps; the handler is installed when the pledge is applied (x86-64
    /// and aarch64), and in report mode `write` to descriptor 2 is allowed
    /// so that the message can be written. After the message, a kill is the
    /// kernel's own: [`Penalty::KILL_THREAD`] ends the calling thread (the
    /// process, by `SIGSYS`, if it was the last), [`Penalty::KILL_PROCESS`]
    /// every thread, by `SIGSYS`.
    ///
    /// ```
    /// use seclude::pledge::Penalty;
    /// assert!(Penalty::EPERM.reported().is_reported());
    /// assert_eq!(Penalty::EPERM.reported().unreported(), Penalty::EPERM);
    /// ```
    pub const fn reported(self) -> Penalty {
        Penalty {
            report: true,
            ..self
        }
    }

    /// The same penalty without the message.
    ///
    /// ```
    /// use seclude::pledge::Penalty;
    /// assert!(!Penalty::KILL_THREAD.reported().unreported().is_reported());
    /// ```
    pub const fn unreported(self) -> Penalty {
        Penalty {
            report: false,
            ..self
        }
    }

    /// Whether a message is printed first.
    ///
    /// ```
    /// assert!(!seclude::pledge::Penalty::EPERM.is_reported());
    /// ```
    pub const fn is_reported(self) -> bool {
        self.report
    }

    /// The errno a refused call returns, if the penalty returns one.
    ///
    /// ```
    /// use seclude::pledge::Penalty;
    /// assert_eq!(Penalty::EPERM.returned_errno(), Some(1));
    /// assert_eq!(Penalty::KILL_PROCESS.returned_errno(), None);
    /// ```
    pub const fn returned_errno(self) -> Option<u16> {
        match self.kind {
            Kind::Errno(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the penalty kills the process.
    ///
    /// ```
    /// assert!(seclude::pledge::Penalty::KILL_PROCESS.kills_process());
    /// ```
    pub const fn kills_process(self) -> bool {
        matches!(self.kind, Kind::KillProcess)
    }

    /// The filter action of a refused call: the penalty's own action, or
    /// `Trap` carrying the penalty (see [`Penalty::from_trap_data`]) when
    /// reported.
    ///
    /// ```
    /// use seclude::{bpf::Action, pledge::Penalty};
    /// assert_eq!(Penalty::KILL_THREAD.action(), Action::KillThread);
    /// ```
    pub const fn action(self) -> Action {
        if self.report {
            return Action::Trap(self.trap_data());
        }
        match self.kind {
            Kind::Errno(e) => Action::Errno(e),
            Kind::KillProcess => Action::KillProcess,
            Kind::KillThread => Action::KillThread,
        }
    }

    /// The 16 bits of trap data that carry a reported penalty to the
    /// handler (they arrive in `si_errno`): the kind in the low two bits,
    /// the errno above.
    const fn trap_data(self) -> u16 {
        match self.kind {
            Kind::Errno(e) => (e & 0x0fff) << 2,
            Kind::KillProcess => 1,
            Kind::KillThread => 2,
        }
    }

    /// The reported penalty that [`Penalty::action`] encoded in `data`.
    ///
    /// ```
    /// use seclude::{bpf::Action, pledge::Penalty};
    /// for p in [Penalty::EPERM, Penalty::errno(38), Penalty::KILL_PROCESS, Penalty::KILL_THREAD] {
    ///     let Action::Trap(data) = p.reported().action() else { unreachable!() };
    ///     assert_eq!(Penalty::from_trap_data(data), Some(p.reported()));
    /// }
    /// assert_eq!(Penalty::from_trap_data(3), None);
    /// ```
    pub const fn from_trap_data(data: u16) -> Option<Penalty> {
        let kind = match data & 3 {
            0 => Kind::Errno(data >> 2),
            1 => Kind::KillProcess,
            2 => Kind::KillThread,
            _ => return None,
        };
        Some(Penalty { kind, report: true })
    }
}

impl Penalty {
    /// An errno penalty must be 1 to 4095 (0 would fake success, and the
    /// kernel keeps 12 bits of `SECCOMP_RET_ERRNO`'s data).
    pub(crate) const fn check(self) -> Result<(), PledgeError> {
        match self.kind {
            Kind::Errno(e) if e == 0 || e > 4095 => Err(PledgeError::BadErrno(e)),
            _ => Ok(()),
        }
    }
}

impl Default for Penalty {
    fn default() -> Penalty {
        Penalty::EPERM
    }
}

/// Why a pledge could not be built or applied.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PledgeError {
    /// An errno penalty outside 1..=4095.
    BadErrno(u16),
    /// The policy could not be built (a bug: tested never to happen).
    Policy(PolicyError),
    /// The program could not be compiled (a bug: tested never to happen).
    Compile(CompileError),
    /// `execpromises` holds promises that `promises` does not.
    ExecPromisesNotSubset {
        /// The promises in `execpromises` but not in `promises`.
        extra: Promises,
    },
    /// `execpromises` was given without the `exec` promise.
    ExecPromisesWithoutExec,
    /// A second pledge asked for promises the first one gave up.
    Widening {
        /// The promises asked for that are no longer held.
        extra: Promises,
    },
    /// Report mode (a `SIGSYS` handler) is not implemented for this
    /// architecture.
    ReportUnsupported,
    /// `execpromises` narrower than the promises (or an exec filter
    /// without `exec`) need the exec gate (the one `execve` the filters let
    /// through), not implemented for this architecture.
    ExecGateUnsupported,
    /// A kernel call failed.
    Kernel {
        /// What was being done.
        step: &'static str,
        /// The errno.
        errno: crate::Errno,
    },
    /// The unveil part of a combined pledge + unveil failed (nothing of
    /// the pledge was applied).
    Unveil(crate::landlock::UnveilError),
}

impl PledgeError {
    /// A one-line description.
    ///
    /// ```
    /// use seclude::pledge::PledgeError;
    /// assert_eq!(PledgeError::BadErrno(0).message(), "pledge: an errno penalty must be 1 to 4095");
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            PledgeError::BadErrno(_) => "pledge: an errno penalty must be 1 to 4095",
            PledgeError::Policy(e) => e.message(),
            PledgeError::Compile(e) => e.message(),
            PledgeError::ExecPromisesNotSubset { .. } => {
                "pledge: execpromises must be a subset of the promises"
            }
            PledgeError::ExecPromisesWithoutExec => {
                "pledge: execpromises need the \"exec\" promise"
            }
            PledgeError::Widening { .. } => {
                "pledge: a new pledge can only narrow the promises held"
            }
            PledgeError::ReportUnsupported => {
                "pledge: report mode is implemented on x86-64 and aarch64 only"
            }
            PledgeError::ExecGateUnsupported => {
                "pledge: execpromises narrower than the promises need the exec gate, \
                 implemented on x86-64 and aarch64 only"
            }
            PledgeError::Kernel { step, .. } => step,
            PledgeError::Unveil(_) => "pledge: unveil failed; nothing was pledged",
        }
    }
}

impl fmt::Display for PledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PledgeError::BadErrno(e) => write!(f, "{} (got {e})", self.message()),
            PledgeError::ExecPromisesNotSubset { extra } | PledgeError::Widening { extra } => {
                write!(f, "{}: \"{extra}\"", self.message())
            }
            PledgeError::Kernel { step, errno } => write!(f, "pledge: {step}: {errno}"),
            PledgeError::Unveil(e) => write!(f, "{}: {e}", self.message()),
            PledgeError::Compile(e) => write!(f, "pledge: {e}"),
            _ => f.write_str(self.message()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PledgeError {}

/// The seccomp policy for `promises` on `abi`: every call the promises
/// allow is allowed, the calls of the ENOSYS list and numbers newer than
/// the tables fail with `ENOSYS`, everything else gets the penalty, and
/// calls from any other ABI kill the process. Conditions on the caller's
/// own pid hold [`SELF_PID`](crate::pledge::SELF_PID) until
/// [`patch_self_pid`] replaces it.
///
/// ```
/// use seclude::{bpf::Action, pledge::{Penalty, policy}, promises, tables::{Abi, Syscall}};
/// let p = policy(promises!("stdio"), Penalty::EPERM, Abi::X86_64).unwrap();
/// assert_eq!(p.decide(Syscall::read, &[0; 6], 64), Action::Allow);
/// assert_eq!(p.decide(Syscall::openat, &[0; 6], 64), Action::Errno(1));
/// assert_eq!(p.decide(Syscall::clone3, &[0; 6], 64), Action::Errno(38));
/// ```
pub const fn policy(
    promises: Promises,
    penalty: Penalty,
    abi: Abi,
) -> Result<Policy<MAX_RULES>, PledgeError> {
    if abi as u8 == Abi::NATIVE as u8 {
        policy_from(&NATIVE_TABLE, promises, penalty)
    } else {
        policy_from(&table(abi), promises, penalty)
    }
}

pub(crate) const fn policy_from(
    t: &Table,
    promises: Promises,
    penalty: Penalty,
) -> Result<Policy<MAX_RULES>, PledgeError> {
    if let Err(e) = penalty.check() {
        return Err(e);
    }
    let mut base = Policy::for_abis(&[t.abi()], penalty.action());
    match promise_rules(t, &mut base, promises, penalty.report) {
        Ok(()) => Ok(base),
        Err(e) => Err(e),
    }
}

/// The promises' rules (and the report handler's, if `report`), after the
/// rules `p` already holds.
///
/// In place: a policy is about 100 KB, and each copy of it by value (a
/// builder chain, a returned `Result`) cost a launch of `seclude` tens of
/// microseconds in copying and page faults.
pub(super) const fn promise_rules(
    t: &Table,
    p: &mut Policy<MAX_RULES>,
    promises: Promises,
    report: bool,
) -> Result<(), PledgeError> {
    if t.overflowed() {
        return Err(PledgeError::Policy(PolicyError::TooManyRules {
            capacity: super::table::MAX_ENTRIES,
        }));
    }
    let abi = t.abi();
    let enosys = Action::Errno(constants(abi).enosys);
    p.set_unknown(enosys);
    p.set_bad_arch(Action::KillProcess);
    if report {
        // What the handler itself needs: the message; for a kill, a filter
        // of its own on the calling thread (one more filter only narrows:
        // `seccomp(SECCOMP_SET_MODE_FILTER, 0, ..)`, flags 0, so no
        // listener and no other thread); and should that fail, SIGSYS
        // back to its default and sent to this process.
        let sig = sigsys(abi);
        let handler_needs: [(Syscall, &[Condition]); 4] = [
            (Syscall::write, &[Condition::arg32(0, Cmp::Eq, 2)]),
            (
                Syscall::seccomp,
                &[
                    Condition::arg32(0, Cmp::Eq, SECCOMP_SET_MODE_FILTER),
                    Condition::arg32(1, Cmp::Eq, 0),
                ],
            ),
            (Syscall::rt_sigaction, &[Condition::arg32(0, Cmp::Eq, sig)]),
            (
                Syscall::kill,
                &[
                    Condition::arg32(0, Cmp::Eq, SELF_PID),
                    Condition::arg32(1, Cmp::Eq, sig),
                ],
            ),
        ];
        // One rule per turn of a loop, not a chain of calls: unoptimised
        // builds give each link of a chain its own copy of the policy on
        // the stack, and pledging must fit a default thread stack.
        let mut i = 0;
        while i < handler_needs.len() {
            p.add_rule(handler_needs[i].0, handler_needs[i].1, Action::Allow);
            i += 1;
        }
    }
    let entries = t.entries();
    // A syscall some held promise allows without conditions, and none
    // sends to ENOSYS, is allowed whatever its arguments: one rule, and
    // none of its conditional ones, which would only make the kernel run
    // the filter on each call (an unconditional verdict is cached). So
    // `rpath` makes `newfstatat` one rule, not `stdio`'s AT_EMPTY_PATH
    // check followed by an allow.
    let mut always = [false; Syscall::COUNT];
    let mut enosys_too = [false; Syscall::COUNT];
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        i += 1;
        if !e.applies(promises) {
            continue;
        }
        match e.verdict {
            Verdict::Allow if e.conditions().is_empty() => always[e.syscall as usize] = true,
            Verdict::Allow => {}
            Verdict::Enosys => enosys_too[e.syscall as usize] = true,
        }
    }
    // A syscall allowed without conditions needs no further rule.
    let mut unconditional = [false; Syscall::COUNT];
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        i += 1;
        if !e.applies(promises) || unconditional[e.syscall as usize] {
            continue;
        }
        let sc = e.syscall as usize;
        if always[sc] && !enosys_too[sc] && !e.conditions().is_empty() {
            continue;
        }
        let action = match e.verdict {
            Verdict::Allow => Action::Allow,
            Verdict::Enosys => enosys,
        };
        if e.conditions().is_empty() {
            unconditional[e.syscall as usize] = true;
        }
        p.add_rule(e.syscall, e.conditions(), action);
    }
    match p.error() {
        Some(e) => Err(PledgeError::Policy(e)),
        None => Ok(()),
    }
}

/// The BPF program for `promises` on `abi` (see [`policy`]); its self-pid
/// conditions still need [`patch_self_pid`] before loading.
///
/// ```
/// use seclude::{pledge::{Penalty, program}, promises, tables::Abi};
/// let stdio = program(promises!("stdio"), Penalty::EPERM, Abi::X86_64).unwrap();
/// assert!(stdio.len() < 300);
/// ```
pub const fn program(
    promises: Promises,
    penalty: Penalty,
    abi: Abi,
) -> Result<Program, PledgeError> {
    match policy(promises, penalty, abi) {
        Ok(p) => match compile(&p) {
            Ok(program) => Ok(program),
            Err(e) => Err(PledgeError::Compile(e)),
        },
        Err(e) => Err(e),
    }
}

/// Replaces [`SELF_PID`](crate::pledge::SELF_PID) by `pid` in every
/// comparison of `program`; returns how many were replaced. The compiler
/// emits a condition's value only as the `k` of a conditional jump, and no
/// other rule compares with that value. (A supervised program knows where
/// its own are: [`SupervisedProgram`](crate::pledge::SupervisedProgram).)
///
/// ```
/// use seclude::{pledge::{Penalty, patch_self_pid, program}, promises, tables::Abi};
/// let mut insns = program(promises!("stdio"), Penalty::EPERM, Abi::X86_64).unwrap().instructions().to_vec();
/// assert!(patch_self_pid(&mut insns, 1234) > 0);
/// assert_eq!(patch_self_pid(&mut insns, 1234), 0);
/// ```
pub const fn patch_self_pid(program: &mut [Instruction], pid: u32) -> usize {
    let mut patched = 0;
    let mut i = 0;
    while i < program.len() {
        if compares_self_pid(&program[i]) {
            program[i].k = pid;
            patched += 1;
        }
        i += 1;
    }
    patched
}

/// How many comparisons of `program` hold
/// [`SELF_PID`](crate::pledge::SELF_PID), still to be replaced by the
/// process's own pid ([`patch_self_pid`]).
///
/// ```
/// use seclude::{pledge::{Penalty, Promises, program, self_pid_comparisons}, promises, tables::Abi};
/// let stdio = program(promises!("stdio"), Penalty::EPERM, Abi::X86_64).unwrap();
/// assert!(self_pid_comparisons(stdio.instructions()) > 0);
/// let none = program(Promises::empty(), Penalty::EPERM, Abi::X86_64).unwrap();
/// assert_eq!(self_pid_comparisons(none.instructions()), 0);
/// ```
pub const fn self_pid_comparisons(program: &[Instruction]) -> usize {
    let mut found = 0;
    let mut i = 0;
    while i < program.len() {
        if compares_self_pid(&program[i]) {
            found += 1;
        }
        i += 1;
    }
    found
}

/// Whether `insn` compares with [`SELF_PID`]: a conditional jump on it.
pub(super) const fn compares_self_pid(insn: &Instruction) -> bool {
    op::class(insn.code) == op::JMP && op::op(insn.code) != op::JA && insn.k == SELF_PID
}

/// What the promises decide for a call, straight from the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Allowed.
    Allowed,
    /// Fails with ENOSYS whatever the promises (see [`policy`]).
    Enosys,
    /// Refused: the penalty applies.
    Refused,
}

const fn first_match<'t>(
    t: &'t Table,
    promises: Promises,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Option<&'t Entry> {
    let bits = t.abi().arg_bits();
    let entries = t.entries();
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        if e.syscall as u16 == syscall as u16
            && e.applies(promises)
            && e.matches(args, bits, self_pid)
        {
            return Some(e);
        }
        i += 1;
    }
    None
}

pub(crate) const fn decide_in(
    t: &Table,
    promises: Promises,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Decision {
    match first_match(t, promises, syscall, args, self_pid) {
        Some(e) => match e.verdict {
            Verdict::Allow => Decision::Allowed,
            Verdict::Enosys => Decision::Enosys,
        },
        None => Decision::Refused,
    }
}

/// The fewest promises to add to `held` so that the call is allowed, or
/// `None` if no promise allows it. `self_pid` is the caller's pid (for the
/// calls that may signal only their own process).
pub(crate) const fn would_allow_in(
    t: &Table,
    held: Promises,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Option<Promises> {
    let bits = t.abi().arg_bits();
    let entries = t.entries();
    let mut best: Option<Promises> = None;
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        i += 1;
        if e.syscall as u16 != syscall as u16
            || !matches!(e.verdict, Verdict::Allow)
            || !e.matches(args, bits, self_pid)
            // Adding promises never gives one up.
            || held.union(e.needs).intersects(e.unless)
        {
            continue;
        }
        let missing = e.needs.difference(held);
        best = match best {
            Some(b) if b.bits().count_ones() <= missing.bits().count_ones() => Some(b),
            _ => Some(missing),
        };
    }
    best
}

/// What `promises` decide for this call on `abi` (see [`Decision`]).
///
/// ```
/// use seclude::{pledge::{Decision, decide}, promises, tables::{Abi, Syscall}};
/// const O_WRONLY: u64 = 1;
/// let p = promises!("stdio rpath");
/// assert_eq!(decide(p, Abi::X86_64, Syscall::openat, &[0, 0, 0, 0, 0, 0], 1), Decision::Allowed);
/// assert_eq!(decide(p, Abi::X86_64, Syscall::openat, &[0, 0, O_WRONLY, 0, 0, 0], 1), Decision::Refused);
/// ```
pub const fn decide(
    promises: Promises,
    abi: Abi,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Decision {
    if abi as u8 == Abi::NATIVE as u8 {
        decide_in(&NATIVE_TABLE, promises, syscall, args, self_pid)
    } else {
        decide_other(promises, abi, syscall, args, self_pid)
    }
}

/// Another ABI's table is built on the stack: in a frame of its own, so
/// that the native path's frame does not hold its ~65 KB (a supervisor
/// decides each call it is sent; every page of a frame is probed, and
/// after a fork each first write to a page is a copy-on-write fault).
#[inline(never)]
const fn decide_other(
    promises: Promises,
    abi: Abi,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Decision {
    decide_in(&table(abi), promises, syscall, args, self_pid)
}

/// The fewest promises to add to `held` so that this call on `abi` is
/// allowed (empty if it already is), or `None` if no promise allows it.
///
/// ```
/// use seclude::{pledge::{Promises, would_allow}, promises, tables::{Abi, Syscall}};
/// const O_RDWR: u64 = 2;
/// let held = promises!("stdio");
/// let rdwr = [0, 0, O_RDWR, 0, 0, 0];
/// assert_eq!(would_allow(held, Abi::X86_64, Syscall::openat, &rdwr, 1), Some(promises!("rpath wpath")));
/// assert_eq!(would_allow(held, Abi::X86_64, Syscall::ptrace, &[0; 6], 1), None);
/// assert_eq!(would_allow(held, Abi::X86_64, Syscall::read, &[0; 6], 1), Some(Promises::empty()));
/// ```
pub const fn would_allow(
    held: Promises,
    abi: Abi,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Option<Promises> {
    if abi as u8 == Abi::NATIVE as u8 {
        would_allow_in(&NATIVE_TABLE, held, syscall, args, self_pid)
    } else {
        would_allow_other(held, abi, syscall, args, self_pid)
    }
}

/// As [`decide_other`]: another ABI's table in a frame of its own.
#[inline(never)]
const fn would_allow_other(
    held: Promises,
    abi: Abi,
    syscall: Syscall,
    args: &[u64; 6],
    self_pid: u32,
) -> Option<Promises> {
    would_allow_in(&table(abi), held, syscall, args, self_pid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{SeccompData, simulate};
    use crate::seccomp::Rule;
    use crate::testing::{Rng, with_big_stack};

    #[test]
    fn every_abi_compiles_every_promise_set_size() {
        with_big_stack(|| {
            for abi in Abi::ALL {
                for (name, p) in [
                    ("stdio", Promises::STDIO),
                    ("stdio rpath", Promises::STDIO | Promises::RPATH),
                    ("all", Promises::all()),
                ] {
                    for penalty in [Penalty::EPERM, Penalty::KILL_PROCESS.reported()] {
                        let policy = policy(p, penalty, abi).unwrap();
                        let prog = compile::<MAX_RULES, 4096>(&policy)
                            .unwrap_or_else(|e| panic!("{abi:?} {name}: {e:?}"));
                        std::eprintln!(
                            "{abi:?} {name}: {} rules, {} insns",
                            policy.rules().len(),
                            prog.len()
                        );
                    }
                }
            }
        });
    }

    /// A call a held promise allows without conditions gets one rule and
    /// no conditional ones (which would make the kernel run the filter on
    /// every call instead of caching the verdict); without that promise
    /// the conditional rule stays.
    #[test]
    fn an_unconditional_allow_drops_the_conditional_rules() {
        with_big_stack(|| {
            let rules_for = |p: Promises| -> std::vec::Vec<Rule> {
                let policy = policy(p, Penalty::EPERM, Abi::X86_64).unwrap();
                policy
                    .rules()
                    .iter()
                    .filter(|r| r.syscall == Syscall::newfstatat)
                    .copied()
                    .collect()
            };
            let both = rules_for(Promises::STDIO | Promises::RPATH);
            assert_eq!(both.len(), 1, "{both:?}");
            assert!(both[0].conditions().is_empty(), "{both:?}");
            let stdio = rules_for(Promises::STDIO);
            assert_eq!(stdio.len(), 1, "{stdio:?}");
            assert!(!stdio[0].conditions().is_empty(), "{stdio:?}");
        });
    }

    impl Rng {
        /// Values the rules compare with, their neighbours, and noise.
        fn arg(&mut self, t: &Table, pid: u32) -> u64 {
            let entries = t.entries();
            match self.next() % 4 {
                0 => self.next(),
                1 => self.next() % 8,
                _ => {
                    let e = &entries[(self.next() % entries.len() as u64) as usize];
                    let v = match e.conditions().first() {
                        Some(c) if c.value == SELF_PID as u64 => pid as u64,
                        Some(c) => c.value,
                        None => 0,
                    };
                    let high = if self.next().is_multiple_of(4) {
                        self.next() << 32
                    } else {
                        0
                    };
                    (v ^ ((1u64 << (self.next() % 34)) * (self.next() % 2))) | high
                }
            }
        }
    }

    #[test]
    fn compiled_programs_agree_with_the_table_on_every_abi() {
        with_big_stack(|| {
            let mut rng = Rng(0x5eed_1e55);
            let pid = 4242;
            for abi in Abi::ALL {
                let t = table(abi);
                let entries = t.abi().entries();
                for round in 0..12 {
                    let promises = match round {
                        0 => Promises::STDIO,
                        1 => Promises::all(),
                        _ => Promises::from_bits_truncate(rng.next() as u32),
                    };
                    let penalty = [
                        Penalty::EPERM,
                        Penalty::KILL_PROCESS,
                        Penalty::EPERM.reported(),
                    ][round % 3];
                    let policy = policy_from(&t, promises, penalty).unwrap();
                    let program = compile::<MAX_RULES, 4096>(&policy).unwrap();
                    let mut insns = program.instructions().to_vec();
                    let insns = &mut insns[..];
                    patch_self_pid(insns, pid);
                    for _ in 0..1500 {
                        let (nr, syscall) = if rng.next().is_multiple_of(10) {
                            let nr = abi.number_base() + (rng.next() % 2000) as u32;
                            (nr, abi.syscall(nr))
                        } else {
                            let (nr, s) = entries[(rng.next() % entries.len() as u64) as usize];
                            (nr, Some(s))
                        };
                        let mut args = [0u64; 6];
                        for a in &mut args {
                            *a = rng.arg(&t, pid);
                        }
                        let mut data = SeccompData::new(nr as i32, abi.audit_arch());
                        data.args = args;
                        let got = simulate(insns, &data, abi.endian()).unwrap().action;
                        let want = match syscall {
                            None => Action::Errno(constants(abi).enosys),
                            Some(s) => {
                                let report_rule = penalty.is_reported()
                                    && policy.decide(s, &args, abi.arg_bits()) == Action::Allow
                                    && matches!(
                                        s,
                                        Syscall::write
                                            | Syscall::seccomp
                                            | Syscall::rt_sigaction
                                            | Syscall::kill
                                    );
                                match decide_in(&t, promises, s, &data.args, pid) {
                                    _ if report_rule => Action::Allow,
                                    Decision::Allowed => Action::Allow,
                                    Decision::Enosys => Action::Errno(constants(abi).enosys),
                                    Decision::Refused => penalty.action(),
                                }
                            }
                        };
                        assert_eq!(
                            got, want,
                            "{abi:?} {promises:?} nr {nr} {syscall:?} {args:x?}"
                        );
                    }
                }
            }
        });
    }
}
