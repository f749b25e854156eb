//! The policy model: what a seccomp filter decides, as plain data.
//!
//! A [`Policy`] is a list of [`Rule`]s, each naming a syscall, up to
//! [`MAX_CONDITIONS`] argument [`Condition`]s (all must hold) and an
//! [`Action`]. For a system call the rules of its syscall are tried in the
//! order they were added; the first whose conditions hold decides. If none
//! does, the policy's default action decides. A call from an ABI the policy
//! does not cover gets the bad-arch action.
//!
//! Everything here is `const`: a policy written as a constant is compiled
//! into a verified program at compile time by [`crate::seccomp_program!`].
//! Builder methods never panic; the first mistake is remembered and
//! reported as a typed [`PolicyError`] when the policy is compiled (in
//! `const` context: a compile error naming the mistake).

use crate::bpf::{Action, SeccompData};
use crate::tables::{Abi, Syscall, X32_SYSCALL_BIT};
use core::fmt;
use core::mem::MaybeUninit;

/// Most argument conditions one rule can hold (they are ANDed). Six is one
/// per argument, or a range on three; every rule costs this many
/// condition slots (32 bytes each) in a [`Policy`].
pub const MAX_CONDITIONS: usize = 6;

/// Most ABIs one policy can cover (e.g. x86-64 + x32 + i386).
pub const MAX_ABIS: usize = 4;

/// How an argument is compared with a condition's value. Comparisons are
/// unsigned, as the kernel's `seccomp_data.args` are `u64`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Cmp {
    /// `arg == value`
    Eq,
    /// `arg != value`
    Ne,
    /// `arg < value`
    Lt,
    /// `arg <= value`
    Le,
    /// `arg > value`
    Gt,
    /// `arg >= value`
    Ge,
    /// `arg & mask == value`
    MaskedEq(u64),
}

/// How much of the argument register a condition reads.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Width {
    /// The low 32 bits only. Use it for C `int`/`unsigned int` arguments
    /// (flags, file descriptors, modes): the kernel ignores the upper half
    /// of such a register, so a caller can put anything there, and a
    /// 64-bit comparison of it would be bypassable.
    Bits32,
    /// All 64 bits, for `long`, pointers and `size_t` on 64-bit ABIs. On a
    /// 32-bit ABI (see [`Abi::arg_bits`]) only the low word exists: the
    /// compiler takes the high word as 0, so `arg == 1 << 32` never holds
    /// there and `arg != 1 << 32` always does.
    Bits64,
}

/// One argument comparison: `args[arg] (of width) cmp value`.
///
/// ```
/// use seclude::seccomp::{Cmp, Condition};
/// // The third argument of mmap/mprotect (prot) has no PROT_EXEC bit.
/// const NO_EXEC: Condition = Condition::arg32(2, Cmp::MaskedEq(0x4), 0);
/// assert!(NO_EXEC.holds(0x3, 64));
/// assert!(!NO_EXEC.holds(0x7, 64));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Condition {
    /// Argument index, 0 to 5.
    pub arg: u8,
    /// How much of the argument is read.
    pub width: Width,
    /// The comparison.
    pub cmp: Cmp,
    /// The value compared with.
    pub value: u64,
}

impl Condition {
    /// A comparison of the low 32 bits of argument `arg` (see [`Width::Bits32`]).
    /// A [`Cmp::MaskedEq`] mask is truncated to 32 bits.
    ///
    /// ```
    /// use seclude::seccomp::{Cmp, Condition};
    /// // AT_FDCWD (-100) as the first argument of openat.
    /// let c = Condition::arg32(0, Cmp::Eq, -100i32 as u32);
    /// assert!(c.holds(0xdead_beef_ffff_ff9c, 64)); // the high half is ignored
    /// ```
    pub const fn arg32(arg: u8, cmp: Cmp, value: u32) -> Condition {
        let cmp = match cmp {
            Cmp::MaskedEq(mask) => Cmp::MaskedEq(mask & 0xffff_ffff),
            other => other,
        };
        Condition {
            arg,
            width: Width::Bits32,
            cmp,
            value: value as u64,
        }
    }

    /// A comparison of all 64 bits of argument `arg` (see [`Width::Bits64`]).
    ///
    /// ```
    /// use seclude::seccomp::{Cmp, Condition};
    /// let c = Condition::arg64(1, Cmp::Ge, 1 << 40);
    /// assert!(c.holds(1 << 41, 64));
    /// assert!(!c.holds(1 << 41, 32)); // a 32-bit ABI has no high word
    /// ```
    pub const fn arg64(arg: u8, cmp: Cmp, value: u64) -> Condition {
        Condition {
            arg,
            width: Width::Bits64,
            cmp,
            value,
        }
    }

    /// Whether the condition holds for argument value `arg` on an ABI whose
    /// arguments are `arg_bits` wide ([`Abi::arg_bits`]): the reference
    /// semantics the compiled BPF must reproduce.
    ///
    /// ```
    /// use seclude::seccomp::{Cmp, Condition};
    /// assert!(Condition::arg64(0, Cmp::Lt, 10).holds(9, 64));
    /// ```
    pub const fn holds(&self, arg: u64, arg_bits: u32) -> bool {
        let arg = if arg_bits == 32 || matches!(self.width, Width::Bits32) {
            arg & 0xffff_ffff
        } else {
            arg
        };
        let v = self.value;
        match self.cmp {
            Cmp::Eq => arg == v,
            Cmp::Ne => arg != v,
            Cmp::Lt => arg < v,
            Cmp::Le => arg <= v,
            Cmp::Gt => arg > v,
            Cmp::Ge => arg >= v,
            Cmp::MaskedEq(mask) => arg & mask == v,
        }
    }
}

/// One rule: if every condition holds for a call of `syscall`, `action`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rule {
    /// The syscall the rule is for.
    pub syscall: Syscall,
    /// What happens when the conditions hold.
    pub action: Action,
    conditions: [Condition; MAX_CONDITIONS],
    len: u8,
}

const NO_CONDITION: Condition = Condition::arg32(0, Cmp::Eq, 0);

impl Rule {
    /// A rule with no conditions: every call of `syscall` gets `action`.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Rule, tables::Syscall};
    /// let r = Rule::new(Syscall::read, Action::Allow);
    /// assert!(r.conditions().is_empty());
    /// ```
    pub const fn new(syscall: Syscall, action: Action) -> Rule {
        Rule {
            syscall,
            action,
            conditions: [NO_CONDITION; MAX_CONDITIONS],
            len: 0,
        }
    }

    /// A rule with conditions, all of which must hold.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Cmp, Condition, Rule}, tables::Syscall};
    /// let r = Rule::with(Syscall::socket, &[Condition::arg32(0, Cmp::Eq, 1)], Action::Allow).unwrap();
    /// assert_eq!(r.conditions().len(), 1);
    /// ```
    pub const fn with(
        syscall: Syscall,
        conditions: &[Condition],
        action: Action,
    ) -> Result<Rule, PolicyError> {
        if conditions.len() > MAX_CONDITIONS {
            return Err(PolicyError::TooManyConditions { syscall });
        }
        let mut rule = Rule::new(syscall, action);
        let mut i = 0;
        while i < conditions.len() {
            if conditions[i].arg > 5 {
                return Err(PolicyError::BadArgument {
                    syscall,
                    arg: conditions[i].arg,
                });
            }
            rule.conditions[i] = conditions[i];
            i += 1;
        }
        rule.len = conditions.len() as u8;
        Ok(rule)
    }

    /// The conditions, in the order they are checked.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Rule, tables::Syscall};
    /// assert_eq!(Rule::new(Syscall::read, Action::Allow).conditions(), &[]);
    /// ```
    pub const fn conditions(&self) -> &[Condition] {
        self.conditions.split_at(self.len as usize).0
    }

    /// Whether the rule applies to a call with these arguments on an ABI
    /// with `arg_bits`-wide arguments.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Cmp, Condition, Rule}, tables::Syscall};
    /// let r = Rule::with(Syscall::kill, &[Condition::arg32(1, Cmp::Eq, 0)], Action::Allow).unwrap();
    /// assert!(r.matches(&[1, 0, 0, 0, 0, 0], 64));
    /// ```
    pub const fn matches(&self, args: &[u64; 6], arg_bits: u32) -> bool {
        let mut i = 0;
        while i < self.len as usize {
            let c = &self.conditions[i];
            if !c.holds(args[c.arg as usize], arg_bits) {
                return false;
            }
            i += 1;
        }
        true
    }
}

/// A mistake in building a policy, reported when it is compiled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyError {
    /// More rules than the policy's capacity `N`.
    TooManyRules {
        /// The capacity.
        capacity: usize,
    },
    /// A rule with more than [`MAX_CONDITIONS`] conditions.
    TooManyConditions {
        /// The rule's syscall.
        syscall: Syscall,
    },
    /// A condition on an argument index above 5.
    BadArgument {
        /// The rule's syscall.
        syscall: Syscall,
        /// The index given.
        arg: u8,
    },
    /// More than [`MAX_ABIS`] ABIs.
    TooManyAbis,
    /// The same ABI named twice.
    DuplicateAbi(Abi),
}

impl PolicyError {
    /// A sentence describing the mistake (for `const` panics, which cannot format).
    ///
    /// ```
    /// use seclude::seccomp::PolicyError;
    /// assert!(PolicyError::TooManyAbis.message().contains("ABIs"));
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            PolicyError::TooManyRules { .. } => {
                "seccomp policy: more rules than the policy's capacity N"
            }
            PolicyError::TooManyConditions { .. } => {
                "seccomp policy: a rule has more than MAX_CONDITIONS (6) conditions"
            }
            PolicyError::BadArgument { .. } => {
                "seccomp policy: a condition names an argument index above 5"
            }
            PolicyError::TooManyAbis => "seccomp policy: more than MAX_ABIS (4) ABIs",
            PolicyError::DuplicateAbi(_) => "seccomp policy: the same ABI is named twice",
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::TooManyRules { capacity } => {
                write!(
                    f,
                    "seccomp policy: more than {capacity} rules (the policy's capacity)"
                )
            }
            PolicyError::TooManyConditions { syscall } => {
                write!(
                    f,
                    "seccomp policy: a rule for {syscall} has more than {MAX_CONDITIONS} conditions"
                )
            }
            PolicyError::BadArgument { syscall, arg } => {
                write!(
                    f,
                    "seccomp policy: a rule for {syscall} tests argument {arg}; arguments are 0 to 5"
                )
            }
            PolicyError::TooManyAbis => write!(f, "seccomp policy: more than {MAX_ABIS} ABIs"),
            PolicyError::DuplicateAbi(abi) => write!(f, "seccomp policy: ABI {abi} named twice"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PolicyError {}

/// A seccomp policy of at most `N` rules, built in `const` context or at
/// run time with the same methods.
///
/// ```
/// use seclude::bpf::Action;
/// use seclude::seccomp::{Cmp, Condition, Policy};
/// use seclude::tables::{Abi, Syscall};
///
/// const EPERM: u16 = 1;
/// const POLICY: Policy<8> = Policy::new(Action::Errno(EPERM))
///     .allow(Syscall::read)
///     .allow(Syscall::write)
///     .allow(Syscall::exit_group)
///     // mprotect only without PROT_EXEC
///     .rule(Syscall::mprotect, &[Condition::arg32(2, Cmp::MaskedEq(0x4), 0)], Action::Allow);
/// assert_eq!(POLICY.rules().len(), 4);
/// assert_eq!(POLICY.abis(), &[Abi::NATIVE]);
/// ```
#[derive(Clone, Copy)]
pub struct Policy<const N: usize> {
    abis: [Abi; MAX_ABIS],
    abi_count: u8,
    default: Action,
    unknown: Option<Action>,
    bad_arch: Action,
    /// The rules `..len` are initialised, the rest never read: a policy
    /// with room for many rules (200 bytes each) writes only the ones it
    /// holds, so one made in place ([`Policy::new_in`]) touches no memory
    /// for the others.
    rules: [MaybeUninit<Rule>; N],
    len: usize,
    error: Option<PolicyError>,
}

/// As derived when every slot held a rule: the rules, then an empty
/// slot's filler for each of the others.
impl<const N: usize> fmt::Debug for Policy<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Slots<'a, const N: usize>(&'a Policy<N>);
        impl<const N: usize> fmt::Debug for Slots<'_, N> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.rules())
                    .entries((self.0.len..N).map(|_| &NO_RULE))
                    .finish()
            }
        }
        f.debug_struct("Policy")
            .field("abis", &self.abis)
            .field("abi_count", &self.abi_count)
            .field("default", &self.default)
            .field("unknown", &self.unknown)
            .field("bad_arch", &self.bad_arch)
            .field("rules", &Slots(self))
            .field("len", &self.len)
            .field("error", &self.error)
            .finish()
    }
}

const NO_RULE: Rule = Rule::new(Syscall::read, Action::KillProcess);

impl<const N: usize> Policy<N> {
    /// An empty policy for the native ABI: every call gets `default`, and a
    /// call from any other ABI kills the process.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<4> = Policy::new(Action::Errno(38));
    /// assert_eq!(p.default_action(), Action::Errno(38));
    /// ```
    pub const fn new(default: Action) -> Policy<N> {
        let mut abis = [Abi::NATIVE; MAX_ABIS];
        abis[0] = Abi::NATIVE;
        Policy {
            abis,
            abi_count: 1,
            default,
            unknown: None,
            bad_arch: Action::KillProcess,
            rules: [const { MaybeUninit::uninit() }; N],
            len: 0,
            error: None,
        }
    }

    /// [`new`](Self::new) made in `place`, for instance a heap allocation
    /// (`Box::new_uninit`): only the policy's few fixed fields are
    /// written, not its room for `N` rules, which neither passes through
    /// the stack nor is touched until rules are added. A policy returned
    /// by value is built in a temporary and copied, all `N` slots of it.
    ///
    /// ```
    /// use core::mem::MaybeUninit;
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Syscall};
    /// let mut place = MaybeUninit::<Policy<4>>::uninit();
    /// let p = Policy::new_in(&mut place, Action::Errno(1));
    /// p.add(seclude::seccomp::Rule::new(Syscall::read, Action::Allow));
    /// assert_eq!(p.rules().len(), 1);
    /// assert_eq!(p.default_action(), Action::Errno(1));
    /// ```
    pub const fn new_in(place: &mut MaybeUninit<Policy<N>>, default: Action) -> &mut Policy<N> {
        let p = place.as_mut_ptr();
        // SAFETY: every field but `rules` is written before the reference
        // is made, and `rules`, an array of `MaybeUninit`, needs no
        // initialisation (`len` is 0: none of it is ever read).
        unsafe {
            (&raw mut (*p).abis).write([Abi::NATIVE; MAX_ABIS]);
            (&raw mut (*p).abi_count).write(1);
            (&raw mut (*p).default).write(default);
            (&raw mut (*p).unknown).write(None);
            (&raw mut (*p).bad_arch).write(Action::KillProcess);
            (&raw mut (*p).len).write(0);
            (&raw mut (*p).error).write(None);
            &mut *p
        }
    }

    /// An empty policy for exactly these ABIs (in the order the filter
    /// tests them: put the most frequent first). x32 is covered only if
    /// [`Abi::X32`] is listed: otherwise an x32 call from an x86-64
    /// process gets the bad-arch action.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Abi};
    /// let p: Policy<4> = Policy::for_abis(&[Abi::X86_64, Abi::I386], Action::Errno(1));
    /// assert_eq!(p.abis(), &[Abi::X86_64, Abi::I386]);
    /// ```
    pub const fn for_abis(abis: &[Abi], default: Action) -> Policy<N> {
        let mut policy = Policy::new(default);
        policy.reset(abis, default);
        policy
    }

    /// [`for_abis`](Self::for_abis) in place: empties the policy (no rules,
    /// no error, the default bad-arch and unknown actions) and covers
    /// exactly `abis`. A policy holds room for `N` rules, and building a
    /// large one by value moves all of them at each step: a caller that
    /// builds one at run time can reuse a policy where it stands instead.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::{Abi, Syscall}};
    /// let mut p: Policy<4> = Policy::new(Action::Allow).allow(Syscall::read);
    /// p.reset(&[Abi::X86_64, Abi::I386], Action::Errno(1));
    /// assert!(p.rules().is_empty());
    /// assert_eq!(p.abis(), &[Abi::X86_64, Abi::I386]);
    /// assert_eq!(p.default_action(), Action::Errno(1));
    /// ```
    pub const fn reset(&mut self, abis: &[Abi], default: Action) {
        self.abi_count = 0;
        self.default = default;
        self.unknown = None;
        self.bad_arch = Action::KillProcess;
        self.len = 0;
        self.error = None;
        let mut i = 0;
        while i < abis.len() {
            self.push_abi(abis[i]);
            i += 1;
        }
    }

    /// In place: a policy is large, and copies of it are not free.
    const fn push_abi(&mut self, abi: Abi) {
        let mut i = 0;
        while i < self.abi_count as usize {
            if self.abis[i] as u8 == abi as u8 {
                self.record(PolicyError::DuplicateAbi(abi));
                return;
            }
            i += 1;
        }
        if self.abi_count as usize == MAX_ABIS {
            self.record(PolicyError::TooManyAbis);
            return;
        }
        self.abis[self.abi_count as usize] = abi;
        self.abi_count += 1;
    }

    const fn add_abi(mut self, abi: Abi) -> Self {
        self.push_abi(abi);
        self
    }

    /// Also cover `abi` (e.g. [`Abi::I386`] for `int 0x80` calls on x86-64).
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Abi};
    /// let p: Policy<4> = Policy::new(Action::Allow).abi(Abi::I386);
    /// assert_eq!(p.abis().len(), 2);
    /// ```
    pub const fn abi(self, abi: Abi) -> Self {
        self.add_abi(abi)
    }

    /// The action for calls from ABIs the policy does not cover (default:
    /// [`Action::KillProcess`]).
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<4> = Policy::new(Action::Allow).bad_arch(Action::KillThread);
    /// assert_eq!(p.bad_arch_action(), Action::KillThread);
    /// ```
    pub const fn bad_arch(mut self, action: Action) -> Self {
        self.set_bad_arch(action);
        self
    }

    /// [`bad_arch`](Self::bad_arch) in place.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let mut p: Policy<1> = Policy::new(Action::Allow);
    /// p.set_bad_arch(Action::KillThread);
    /// assert_eq!(p.bad_arch_action(), Action::KillThread);
    /// ```
    pub const fn set_bad_arch(&mut self, action: Action) {
        self.bad_arch = action;
    }

    /// The action for numbers of a covered ABI that name no syscall in its
    /// table: gaps in the numbering and numbers above the last one, i.e.
    /// syscalls newer than the tables (default: the default action).
    /// `Errno(ENOSYS)` here makes a C library fall back to an older call
    /// the policy can inspect, where the default action would refuse it.
    ///
    /// ```
    /// use seclude::{bpf::{Action, SeccompData}, seccomp::Policy, tables::Abi};
    /// const ENOSYS: u16 = 38;
    /// let p: Policy<1> = Policy::for_abis(&[Abi::X86_64], Action::KillProcess)
    ///     .unknown(Action::Errno(ENOSYS));
    /// let future = SeccompData { nr: 4000, arch: Abi::X86_64.audit_arch(), instruction_pointer: 0, args: [0; 6] };
    /// assert_eq!(p.evaluate(&future), Action::Errno(ENOSYS));
    /// assert_eq!(p.evaluate(&SeccompData { nr: 0, ..future }), Action::KillProcess);
    /// ```
    pub const fn unknown(mut self, action: Action) -> Self {
        self.set_unknown(action);
        self
    }

    /// [`unknown`](Self::unknown) in place.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let mut p: Policy<1> = Policy::new(Action::Allow);
    /// p.set_unknown(Action::Errno(38));
    /// assert_eq!(p.unknown_action(), Action::Errno(38));
    /// ```
    pub const fn set_unknown(&mut self, action: Action) {
        self.unknown = Some(action);
    }

    /// Adds a rule (see [`Rule`]).
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Policy, Rule}, tables::Syscall};
    /// let p: Policy<4> = Policy::new(Action::KillProcess).push(Rule::new(Syscall::read, Action::Allow));
    /// assert_eq!(p.rules().len(), 1);
    /// ```
    pub const fn push(mut self, rule: Rule) -> Self {
        self.add(rule);
        self
    }

    /// [`push`](Self::push) in place: a policy holds room for `N` rules,
    /// so a builder loop that adds many rules to a large policy moves far
    /// less memory this way than by value.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Policy, Rule}, tables::Syscall};
    /// let mut p: Policy<4> = Policy::new(Action::KillProcess);
    /// for call in [Syscall::read, Syscall::write] {
    ///     p.add(Rule::new(call, Action::Allow));
    /// }
    /// assert_eq!(p.rules().len(), 2);
    /// ```
    pub const fn add(&mut self, rule: Rule) {
        if self.len == N {
            self.record(PolicyError::TooManyRules { capacity: N });
            return;
        }
        self.rules[self.len] = MaybeUninit::new(rule);
        self.len += 1;
    }

    /// [`rule`](Self::rule) in place (see [`add`](Self::add)).
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Cmp, Condition, Policy}, tables::Syscall};
    /// let mut p: Policy<4> = Policy::new(Action::KillProcess);
    /// p.add_rule(Syscall::write, &[Condition::arg32(0, Cmp::Eq, 1)], Action::Allow);
    /// assert!(p.error().is_none());
    /// ```
    pub const fn add_rule(&mut self, syscall: Syscall, conditions: &[Condition], action: Action) {
        match Rule::with(syscall, conditions, action) {
            Ok(rule) => self.add(rule),
            Err(e) => self.record(e),
        }
    }

    /// Allows every call of `syscall`.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Syscall};
    /// let p: Policy<1> = Policy::new(Action::KillProcess).allow(Syscall::getpid);
    /// assert_eq!(p.rules()[0].action, Action::Allow);
    /// ```
    pub const fn allow(self, syscall: Syscall) -> Self {
        self.push(Rule::new(syscall, Action::Allow))
    }

    /// Allows every syscall in `syscalls`.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Syscall};
    /// let p: Policy<2> = Policy::new(Action::KillProcess).allow_all(&[Syscall::read, Syscall::write]);
    /// assert_eq!(p.rules().len(), 2);
    /// ```
    pub const fn allow_all(mut self, syscalls: &[Syscall]) -> Self {
        let mut i = 0;
        while i < syscalls.len() {
            self = self.allow(syscalls[i]);
            i += 1;
        }
        self
    }

    /// Gives every call of `syscall` the action `action`.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Syscall};
    /// let p: Policy<1> = Policy::new(Action::Allow).action(Syscall::ptrace, Action::Errno(1));
    /// assert_eq!(p.rules()[0].action, Action::Errno(1));
    /// ```
    pub const fn action(self, syscall: Syscall, action: Action) -> Self {
        self.push(Rule::new(syscall, action))
    }

    /// Gives calls of `syscall` whose arguments satisfy every condition the
    /// action `action`.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Cmp, Condition, Policy}, tables::Syscall};
    /// const AF_UNIX: u32 = 1;
    /// let p: Policy<1> = Policy::new(Action::Errno(1))
    ///     .rule(Syscall::socket, &[Condition::arg32(0, Cmp::Eq, AF_UNIX)], Action::Allow);
    /// assert_eq!(p.rules()[0].conditions().len(), 1);
    /// ```
    pub const fn rule(
        mut self,
        syscall: Syscall,
        conditions: &[Condition],
        action: Action,
    ) -> Self {
        self.add_rule(syscall, conditions, action);
        self
    }

    /// Keeps the first error only.
    const fn record(&mut self, error: PolicyError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// The first mistake made while building, if any.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::{Policy, PolicyError}, tables::Syscall};
    /// let p: Policy<1> = Policy::new(Action::Allow).allow(Syscall::read).allow(Syscall::write);
    /// assert_eq!(p.error(), Some(PolicyError::TooManyRules { capacity: 1 }));
    /// ```
    pub const fn error(&self) -> Option<PolicyError> {
        self.error
    }

    /// The ABIs covered, in the order the filter tests them.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Abi};
    /// let p: Policy<1> = Policy::new(Action::Allow);
    /// assert_eq!(p.abis(), &[Abi::NATIVE]);
    /// ```
    pub const fn abis(&self) -> &[Abi] {
        self.abis.split_at(self.abi_count as usize).0
    }

    /// The rules, in the order they were added.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<1> = Policy::new(Action::Allow);
    /// assert!(p.rules().is_empty());
    /// ```
    pub const fn rules(&self) -> &[Rule] {
        // SAFETY: the rules `..len` are initialised (`add` writes each
        // before counting it), and `MaybeUninit<Rule>` has `Rule`'s layout.
        unsafe { core::slice::from_raw_parts(self.rules.as_ptr().cast::<Rule>(), self.len) }
    }

    /// The action for calls no rule decides.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<1> = Policy::new(Action::Log);
    /// assert_eq!(p.default_action(), Action::Log);
    /// ```
    pub const fn default_action(&self) -> Action {
        self.default
    }

    /// The action for calls from an ABI the policy does not cover.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<1> = Policy::new(Action::Log);
    /// assert_eq!(p.bad_arch_action(), Action::KillProcess);
    /// ```
    pub const fn bad_arch_action(&self) -> Action {
        self.bad_arch
    }

    /// The action for numbers without a syscall (see [`Policy::unknown`]).
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy};
    /// let p: Policy<1> = Policy::new(Action::Log);
    /// assert_eq!(p.unknown_action(), Action::Log);
    /// assert_eq!(p.unknown(Action::Errno(38)).unknown_action(), Action::Errno(38));
    /// ```
    pub const fn unknown_action(&self) -> Action {
        match self.unknown {
            Some(action) => action,
            None => self.default,
        }
    }

    /// The covered ABI a call with this `arch` and `nr` belongs to, if any.
    /// x86-64 and x32 share `AUDIT_ARCH_X86_64`: numbers at or above
    /// [`X32_SYSCALL_BIT`] are x32's, the rest x86-64's.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Abi};
    /// let p: Policy<1> = Policy::for_abis(&[Abi::X86_64], Action::Allow);
    /// assert_eq!(p.abi_of(Abi::X86_64.audit_arch(), 0), Some(Abi::X86_64));
    /// assert_eq!(p.abi_of(Abi::X86_64.audit_arch(), 0x4000_0000), None); // x32 not covered
    /// ```
    pub const fn abi_of(&self, arch: u32, nr: u32) -> Option<Abi> {
        let mut i = 0;
        while i < self.abi_count as usize {
            let abi = self.abis[i];
            if abi.audit_arch() == arch {
                let x32_number = nr >= X32_SYSCALL_BIT;
                let shares_x86_64 = matches!(abi, Abi::X86_64 | Abi::X32);
                if !shares_x86_64 || x32_number == matches!(abi, Abi::X32) {
                    return Some(abi);
                }
            }
            i += 1;
        }
        None
    }

    /// The action of the rules of `syscall` for these arguments, or the
    /// default action: what the policy decides for a call of a known ABI.
    ///
    /// ```
    /// use seclude::{bpf::Action, seccomp::Policy, tables::Syscall};
    /// let p: Policy<1> = Policy::new(Action::Errno(1)).allow(Syscall::read);
    /// assert_eq!(p.decide(Syscall::read, &[0; 6], 64), Action::Allow);
    /// assert_eq!(p.decide(Syscall::write, &[0; 6], 64), Action::Errno(1));
    /// ```
    pub const fn decide(&self, syscall: Syscall, args: &[u64; 6], arg_bits: u32) -> Action {
        let rules = self.rules();
        let mut i = 0;
        while i < rules.len() {
            let rule = &rules[i];
            if rule.syscall as u16 == syscall as u16 && rule.matches(args, arg_bits) {
                return rule.action;
            }
            i += 1;
        }
        self.default
    }

    /// What the policy decides for `data`, evaluated directly on the rules
    /// (no BPF involved): the reference the compiled program is tested and
    /// fuzzed against.
    ///
    /// ```
    /// use seclude::{bpf::{Action, SeccompData}, seccomp::Policy, tables::{Abi, Syscall}};
    /// let p: Policy<1> = Policy::for_abis(&[Abi::X86_64], Action::Errno(1)).allow(Syscall::read);
    /// let data = SeccompData { nr: 0, arch: Abi::X86_64.audit_arch(), instruction_pointer: 0, args: [0; 6] };
    /// assert_eq!(p.evaluate(&data), Action::Allow);
    /// let i386 = SeccompData { arch: Abi::I386.audit_arch(), ..data };
    /// assert_eq!(p.evaluate(&i386), Action::KillProcess);
    /// ```
    pub const fn evaluate(&self, data: &SeccompData) -> Action {
        let nr = data.nr as u32;
        let Some(abi) = self.abi_of(data.arch, nr) else {
            return self.bad_arch;
        };
        match abi.syscall(nr) {
            Some(syscall) => self.decide(syscall, &data.args, abi.arg_bits()),
            None => self.unknown_action(),
        }
    }
}

#[cfg(test)]
mod tests;
