//! The supervised pledge: the promises a supervisor's program runs under,
//! with every refused call sent to the supervisor (a seccomp user
//! notification) rather than punished by the filter.
//!
//! [`supervised_policy`] is the policy; [`SupervisedProgram`] is what a
//! supervisor installs: the compiled program, with a prefix of the
//! supervisor's own in front if it wants one, that installs itself in the
//! calling process for that process's pid and returns the listener. Why
//! this shape:
//! - the promises' conditions on the caller's own pid hold
//!   [`SELF_PID`](crate::pledge::SELF_PID) until the pid is known, which
//!   for a supervisor is in the child, after the fork. The program records
//!   where those comparisons are when it is compiled (a map of
//!   instructions, not a search by value), so patching touches them only:
//!   never a prefix (whose values are the supervisor's business, the
//!   stand-in's value included), and patching again for another pid (a
//!   second child sharing the memory) finds them still;
//! - one value holds the instructions and that map, so they cannot come
//!   apart, and the prefix is put in front by moving the program (its
//!   jumps are relative), not by a caller splicing slices;
//! - no allocation: storage for [`MAX_INSNS`] instructions inside the
//!   value, of which only the used part is ever written, so a caller that
//!   puts it on the heap ([`SupervisedProgram::new_in`], with the ~100 KB
//!   policy it is compiled from in a scratch place of the caller's) has
//!   nothing copied through the stack and only the pages it uses touched,
//!   and [`SupervisedProgram::new`] makes one in `const` context;
//! - it is compiled for [`Abi::NATIVE`] only: it is made to be installed,
//!   and a program for another ABI would kill the process at its first
//!   call. ([`supervised_policy`] takes any ABI, to inspect.)

use super::Promises;
use super::policy::{MAX_RULES, PledgeError, compares_self_pid, promise_rules};
use super::table::{NATIVE_TABLE, Table, table};
use crate::bpf::{Action, Instruction, MAX_INSNS, VerifyError, op};
use crate::seccomp::{CompileError, FilterFlags, LoadError, Policy, Rule, compile, load};
use crate::sys::fd::OwnedFd;
use crate::tables::Abi;
use core::fmt;
use core::mem::MaybeUninit;

/// The policy a supervisor installs in a program it runs: as [`policy`](crate::pledge::policy),
/// except that a refused call is not punished by the filter but waits for
/// the supervisor holding the filter's listener (`Action::UserNotif`; see
/// [`seccomp::notify`](crate::seccomp::notify)), which answers it, and the
/// rules of `first` decide before the promises' own (the calls the
/// supervisor must always see, such as `execve`). Without a listener a
/// notified call fails with `ENOSYS`.
///
/// ```
/// use seclude::{bpf::Action, pledge::supervised_policy, promises, seccomp::Rule, tables::{Abi, Syscall}};
/// let first = [Rule::new(Syscall::execve, Action::UserNotif)];
/// let p = supervised_policy(&first, promises!("stdio exec"), Abi::X86_64).unwrap();
/// assert_eq!(p.decide(Syscall::read, &[0; 6], 64), Action::Allow);
/// assert_eq!(p.decide(Syscall::execve, &[0; 6], 64), Action::UserNotif); // `first` decides
/// assert_eq!(p.decide(Syscall::openat, &[0; 6], 64), Action::UserNotif); // refused
/// assert_eq!(p.decide(Syscall::clone3, &[0; 6], 64), Action::Errno(38)); // the ENOSYS list
/// ```
pub const fn supervised_policy(
    first: &[Rule],
    promises: Promises,
    abi: Abi,
) -> Result<Policy<MAX_RULES>, PledgeError> {
    let mut policy = Policy::new(Action::UserNotif);
    match supervised_policy_in(&mut policy, first, promises, abi) {
        Ok(()) => Ok(policy),
        Err(e) => Err(e),
    }
}

/// [`supervised_policy`] built in `policy`, whatever it held: a policy is
/// about 100 KB, and a run-time caller that builds it where it will stay
/// spares the copies a returned one costs (each a fresh 100 KB of stack
/// touched, so page faults, on a launch).
///
/// ```
/// use seclude::{bpf::Action, pledge::{MAX_RULES, supervised_policy, supervised_policy_in}};
/// use seclude::{promises, seccomp::{Policy, Rule}, tables::{Abi, Syscall}};
/// let first = [Rule::new(Syscall::execve, Action::UserNotif)];
/// let mut p: Policy<MAX_RULES> = Policy::new(Action::Allow);
/// supervised_policy_in(&mut p, &first, promises!("stdio exec"), Abi::X86_64).unwrap();
/// let by_value = supervised_policy(&first, promises!("stdio exec"), Abi::X86_64).unwrap();
/// assert_eq!(p.rules(), by_value.rules());
/// assert_eq!(p.default_action(), Action::UserNotif);
/// ```
pub const fn supervised_policy_in(
    policy: &mut Policy<MAX_RULES>,
    first: &[Rule],
    promises: Promises,
    abi: Abi,
) -> Result<(), PledgeError> {
    // The native table is built at compile time; another ABI's here.
    if abi as u8 == Abi::NATIVE as u8 {
        supervised_policy_from(&NATIVE_TABLE, policy, first, promises, abi)
    } else {
        supervised_policy_other(policy, first, promises, abi)
    }
}

/// Another ABI's table is built on the stack: in a frame of its own, so
/// that the native path's frame does not hold (and probe) its ~65 KB.
#[inline(never)]
const fn supervised_policy_other(
    policy: &mut Policy<MAX_RULES>,
    first: &[Rule],
    promises: Promises,
    abi: Abi,
) -> Result<(), PledgeError> {
    supervised_policy_from(&table(abi), policy, first, promises, abi)
}

const fn supervised_policy_from(
    t: &Table,
    policy: &mut Policy<MAX_RULES>,
    first: &[Rule],
    promises: Promises,
    abi: Abi,
) -> Result<(), PledgeError> {
    policy.reset(&[abi], Action::UserNotif);
    let mut i = 0;
    while i < first.len() {
        let r = &first[i];
        policy.add_rule(r.syscall, r.conditions(), r.action);
        i += 1;
    }
    promise_rules(t, policy, promises, false)
}

/// Instructions compiled first: a supervised program of every promise is
/// about 500, and a program of 1024 is 8 KB on the stack where one of the
/// kernel's 4096 is 32 KB; only a longer one is compiled again.
const FIRST_ROOM: usize = 1024;

/// Words of the map of self-pid comparisons: a bit per instruction the
/// kernel allows in a program.
const MAP_WORDS: usize = MAX_INSNS / 64;

/// A compiled [`supervised_policy`] for [`Abi::NATIVE`], with room for
/// `N` instructions (at most [`MAX_INSNS`] are used), an optional prefix
/// of the caller's in front, and the places of its comparisons with the
/// process's own pid. It records those places when it is compiled, so
/// patching the pid touches them only, never the prefix, and can be done
/// again for another pid; it allocates nothing, and of its room only the
/// part in use is ever written (made in place on the heap,
/// [`new_in`](SupervisedProgram::new_in), only those pages are touched).
///
/// ```
/// use seclude::{bpf::Action, pledge::SupervisedProgram, promises, seccomp::Rule, tables::Syscall};
/// let first = [Rule::new(Syscall::execve, Action::UserNotif)];
/// let mut program: SupervisedProgram = SupervisedProgram::new(&first, promises!("stdio")).unwrap();
/// assert!(program.self_pid_comparisons() > 0);
/// // In the process to supervise (a child, say), with the supervisor
/// // holding on to the listener:
/// # if false {
/// let listener = program.install(seclude::sys::getpid()).expect("installed");
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct SupervisedProgram<const N: usize = MAX_INSNS> {
    /// The prefix, then the pledge program; `..len` initialised.
    insns: [MaybeUninit<Instruction>; N],
    len: usize,
    /// The prefix's length: where the pledge program starts.
    start: usize,
    /// Bit `i`: the pledge program's instruction `i` (counted from
    /// `start`) compares with the process's own pid.
    self_pid: [u64; MAP_WORDS],
    /// How many bits of `self_pid` are set.
    comparisons: usize,
}

impl<const N: usize> SupervisedProgram<N> {
    /// The program for `promises`, the rules of `first` deciding before
    /// theirs (see [`supervised_policy`]); no prefix, self-pid unpatched.
    /// Usable in `const` context; at run time it builds the ~100 KB policy
    /// on the stack and returns the program by value (see
    /// [`new_in`](SupervisedProgram::new_in) for neither).
    ///
    /// ```
    /// use seclude::{pledge::{SupervisedProgram, PledgeError}, promises, seccomp::CompileError};
    /// static STDIO: SupervisedProgram<1024> = match SupervisedProgram::new(&[], promises!("stdio")) {
    ///     Ok(program) => program,
    ///     Err(e) => panic!("{}", e.message()),
    /// };
    /// assert!(STDIO.instructions().len() < 1024);
    /// // Too little room is a typed error.
    /// let tiny = SupervisedProgram::<16>::new(&[], promises!("stdio"));
    /// assert!(matches!(tiny, Err(PledgeError::Compile(CompileError::TooLong { capacity: 16 }))));
    /// ```
    pub const fn new(first: &[Rule], promises: Promises) -> Result<Self, PledgeError> {
        let mut policy = Policy::new(Action::UserNotif);
        if let Err(e) = supervised_policy_in(&mut policy, first, promises, Abi::NATIVE) {
            return Err(e);
        }
        let mut program = SupervisedProgram {
            insns: [const { MaybeUninit::uninit() }; N],
            len: 0,
            start: 0,
            self_pid: [0; MAP_WORDS],
            comparisons: 0,
        };
        match program.compile(&policy) {
            Ok(()) => Ok(program),
            Err(e) => Err(e),
        }
    }

    /// [`new`](SupervisedProgram::new) made in `place`, with the policy it
    /// is compiled from built in `scratch` (whatever either held): for a
    /// caller that keeps both on the heap, nothing is copied through the
    /// stack, and of the instructions' room only the used part is written.
    ///
    /// ```
    /// use seclude::{pledge::{MAX_RULES, SupervisedProgram}, promises, seccomp::Policy};
    /// let mut place = Box::<SupervisedProgram>::new_uninit();
    /// let mut scratch = Box::<Policy<MAX_RULES>>::new_uninit();
    /// let program = SupervisedProgram::new_in(&mut place, &mut scratch, &[], promises!("stdio")).unwrap();
    /// let by_value: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// assert_eq!(program.instructions(), by_value.instructions());
    /// ```
    pub const fn new_in<'p>(
        place: &'p mut MaybeUninit<Self>,
        scratch: &mut MaybeUninit<Policy<MAX_RULES>>,
        first: &[Rule],
        promises: Promises,
    ) -> Result<&'p mut Self, PledgeError> {
        let p = place.as_mut_ptr();
        // SAFETY: every field but `insns` is written before the reference
        // is made, and `insns`, an array of `MaybeUninit`, needs no
        // initialisation (`len` is 0: none of it is read).
        let program = unsafe {
            (&raw mut (*p).len).write(0);
            (&raw mut (*p).start).write(0);
            (&raw mut (*p).self_pid).write([0; MAP_WORDS]);
            (&raw mut (*p).comparisons).write(0);
            &mut *p
        };
        let policy = Policy::new_in(scratch, Action::UserNotif);
        if let Err(e) = supervised_policy_in(policy, first, promises, Abi::NATIVE) {
            return Err(e);
        }
        match program.compile(policy) {
            Ok(()) => Ok(program),
            Err(e) => Err(e),
        }
    }

    /// Compiles `policy` into the room after the prefix (there is none
    /// yet), and maps its self-pid comparisons.
    const fn compile(&mut self, policy: &Policy<MAX_RULES>) -> Result<(), PledgeError> {
        match compile::<MAX_RULES, FIRST_ROOM>(policy) {
            Ok(program) => self.take(program.instructions()),
            Err(CompileError::TooLong { .. }) if N > FIRST_ROOM => self.compile_long(policy),
            // The room the caller gave, not the first compilation's.
            Err(CompileError::TooLong { .. }) => Err(PledgeError::Compile(CompileError::TooLong {
                capacity: Self::capacity(),
            })),
            Err(e) => Err(PledgeError::Compile(e)),
        }
    }

    /// [`compile`](Self::compile) with all the room, in a frame of its own.
    #[inline(never)]
    const fn compile_long(&mut self, policy: &Policy<MAX_RULES>) -> Result<(), PledgeError> {
        match compile::<MAX_RULES, N>(policy) {
            Ok(program) => self.take(program.instructions()),
            Err(e) => Err(PledgeError::Compile(e)),
        }
    }

    /// Most instructions this program can hold.
    const fn capacity() -> usize {
        if N < MAX_INSNS { N } else { MAX_INSNS }
    }

    /// `insns` as the pledge program, with no prefix.
    const fn take(&mut self, insns: &[Instruction]) -> Result<(), PledgeError> {
        if insns.len() > Self::capacity() {
            return Err(PledgeError::Compile(CompileError::TooLong {
                capacity: Self::capacity(),
            }));
        }
        self.self_pid = [0; MAP_WORDS];
        self.comparisons = 0;
        let mut i = 0;
        while i < insns.len() {
            self.insns[i] = MaybeUninit::new(insns[i]);
            if compares_self_pid(&insns[i]) {
                self.self_pid[i / 64] |= 1 << (i % 64);
                self.comparisons += 1;
            }
            i += 1;
        }
        self.start = 0;
        self.len = insns.len();
        Ok(())
    }

    /// Puts `prefix` in front of the pledge program, in place of any
    /// earlier one. The prefix decides first: it returns for the calls it
    /// is about and lets every other fall through to the pledge program
    /// (its jumps may reach the instruction after its last, no further:
    /// `JumpOutOfRange` otherwise). Patching the pid never touches it,
    /// whatever values it compares with. A program that would be longer
    /// than its room (or than the kernel's [`MAX_INSNS`]) is `TooLong`,
    /// and unchanged.
    ///
    /// ```
    /// use seclude::bpf::{Action, Instruction, SeccompData, VerifyError};
    /// use seclude::{pledge::{PledgeError, SupervisedProgram}, promises, tables::{Abi, Syscall}};
    /// let mut program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// let own = program.instructions().to_vec();
    /// // getppid fails with EPERM whatever the promises.
    /// let getppid = Abi::NATIVE.number(Syscall::getppid).unwrap();
    /// let prefix = [
    ///     Instruction::load_word(SeccompData::NR),
    ///     Instruction::jeq(getppid, 0, 1),
    ///     Instruction::ret(Action::Errno(1).to_ret()),
    /// ];
    /// program.set_prefix(&prefix).unwrap();
    /// assert_eq!(program.prefix(), &prefix);
    /// assert_eq!(program.body(), &own[..]);
    /// // A jump past the prefix's end is refused.
    /// let astray = [Instruction::jeq(getppid, 0, 5), Instruction::ret(0)];
    /// assert_eq!(
    ///     program.set_prefix(&astray),
    ///     Err(PledgeError::Compile(seclude::seccomp::CompileError::Verify(VerifyError::JumpOutOfRange { at: 0 })))
    /// );
    /// ```
    pub const fn set_prefix(&mut self, prefix: &[Instruction]) -> Result<(), PledgeError> {
        let mut i = 0;
        while i < prefix.len() {
            let insn = prefix[i];
            let next = i + 1;
            let furthest = if op::class(insn.code) != op::JMP {
                next
            } else if op::op(insn.code) == op::JA {
                next.saturating_add(insn.k as usize)
            } else if insn.jt > insn.jf {
                next + insn.jt as usize
            } else {
                next + insn.jf as usize
            };
            if furthest > prefix.len() {
                return Err(PledgeError::Compile(CompileError::Verify(
                    VerifyError::JumpOutOfRange { at: i },
                )));
            }
            i += 1;
        }
        let body = self.len - self.start;
        if prefix.len() + body > Self::capacity() {
            return Err(PledgeError::Compile(CompileError::TooLong {
                capacity: Self::capacity(),
            }));
        }
        // Moved as a whole (its jumps are relative), overlapping copies in
        // the right order.
        if prefix.len() > self.start {
            let mut i = body;
            while i > 0 {
                i -= 1;
                self.insns[prefix.len() + i] = self.insns[self.start + i];
            }
        } else {
            let mut i = 0;
            while i < body {
                self.insns[prefix.len() + i] = self.insns[self.start + i];
                i += 1;
            }
        }
        let mut i = 0;
        while i < prefix.len() {
            self.insns[i] = MaybeUninit::new(prefix[i]);
            i += 1;
        }
        self.start = prefix.len();
        self.len = prefix.len() + body;
        Ok(())
    }

    /// The whole program: the prefix, then the pledge program.
    ///
    /// ```
    /// use seclude::{pledge::SupervisedProgram, promises};
    /// let program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// assert_eq!(program.instructions(), program.body()); // no prefix
    /// ```
    pub const fn instructions(&self) -> &[Instruction] {
        // SAFETY: the instructions `..len` are initialised, and
        // `MaybeUninit<Instruction>` has `Instruction`'s layout.
        unsafe { core::slice::from_raw_parts(self.insns.as_ptr().cast::<Instruction>(), self.len) }
    }

    /// The initialised instructions, to patch.
    const fn instructions_mut(&mut self) -> &mut [Instruction] {
        // SAFETY: as in `instructions`.
        unsafe {
            core::slice::from_raw_parts_mut(self.insns.as_mut_ptr().cast::<Instruction>(), self.len)
        }
    }

    /// The prefix ([`set_prefix`](SupervisedProgram::set_prefix)); empty
    /// without one.
    ///
    /// ```
    /// use seclude::{pledge::SupervisedProgram, promises};
    /// let program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// assert!(program.prefix().is_empty());
    /// ```
    pub const fn prefix(&self) -> &[Instruction] {
        self.instructions().split_at(self.start).0
    }

    /// The pledge program, after the prefix.
    ///
    /// ```
    /// use seclude::{pledge::SupervisedProgram, promises};
    /// let program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// assert!(program.body().len() > 100);
    /// ```
    pub const fn body(&self) -> &[Instruction] {
        self.instructions().split_at(self.start).1
    }

    /// How many comparisons with the process's own pid the pledge program
    /// has (0: [`patch`](SupervisedProgram::patch) has nothing to do).
    ///
    /// ```
    /// use seclude::{pledge::{Promises, SupervisedProgram}, promises};
    /// let stdio: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// assert!(stdio.self_pid_comparisons() > 0); // kill(getpid(), ..)
    /// let none: SupervisedProgram = SupervisedProgram::new(&[], Promises::empty()).unwrap();
    /// assert_eq!(none.self_pid_comparisons(), 0);
    /// ```
    pub const fn self_pid_comparisons(&self) -> usize {
        self.comparisons
    }

    /// Whether instruction `at` of [`instructions`](SupervisedProgram::instructions)
    /// is a comparison with the process's own pid (never in the prefix).
    ///
    /// ```
    /// use seclude::{pledge::{SELF_PID, SupervisedProgram}, promises};
    /// let program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// let at = (0..program.instructions().len()).find(|&i| program.compares_self_pid(i)).unwrap();
    /// assert_eq!(program.instructions()[at].k, SELF_PID);
    /// ```
    pub const fn compares_self_pid(&self, at: usize) -> bool {
        if at < self.start || at >= self.len {
            return false;
        }
        let i = at - self.start;
        self.self_pid[i / 64] & (1 << (i % 64)) != 0
    }

    /// Makes the comparisons with the process's own pid compare with
    /// `pid` (whatever they compared with before: patching again for
    /// another pid is fine).
    ///
    /// ```
    /// use seclude::{pledge::{SELF_PID, SupervisedProgram}, promises};
    /// let mut program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// program.patch(1234);
    /// program.patch(4321);
    /// assert!(program.instructions().iter().all(|i| i.k != SELF_PID && i.k != 1234));
    /// ```
    pub const fn patch(&mut self, pid: u32) {
        let start = self.start;
        let map = self.self_pid;
        let insns = self.instructions_mut();
        let mut word = 0;
        while word < MAP_WORDS {
            let mut bits = map[word];
            while bits != 0 {
                let i = word * 64 + bits.trailing_zeros() as usize;
                insns[start + i].k = pid;
                bits &= bits - 1;
            }
            word += 1;
        }
    }

    /// Installs the program on the calling thread with its comparisons
    /// made for `pid` (the process's own, [`sys::getpid`](crate::sys::getpid),
    /// unless the caller knows better), setting `no_new_privs`
    /// ([`load`](crate::seccomp::load) with
    /// [`FilterFlags::NEW_LISTENER`]), and returns the listener: the
    /// supervisor's, to [`receive`](crate::seccomp::notify::receive) the
    /// refused calls and answer them. Patches `self` in place.
    ///
    /// ```no_run
    /// use seclude::{pledge::SupervisedProgram, promises};
    /// let mut program: SupervisedProgram = SupervisedProgram::new(&[], promises!("stdio")).unwrap();
    /// // In the process to supervise:
    /// let listener = program.install(seclude::sys::getpid()).expect("installed");
    /// # let _ = listener;
    /// ```
    pub fn install(&mut self, pid: u32) -> Result<OwnedFd, LoadError> {
        self.patch(pid);
        match load(self.instructions(), FilterFlags::NEW_LISTENER)? {
            // SAFETY: the kernel just made the descriptor, owned by nobody
            // else.
            Some(fd) => Ok(unsafe { OwnedFd::from_raw(fd) }),
            None => unreachable!("NEW_LISTENER returns a listener"),
        }
    }
}

impl<const N: usize> fmt::Debug for SupervisedProgram<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisedProgram")
            .field("prefix", &self.prefix())
            .field("body", &self.body())
            .field("self_pid_comparisons", &self.comparisons)
            .finish()
    }
}

#[cfg(test)]
mod tests;
