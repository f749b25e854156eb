//! Differential test against libseccomp: random policies built both with
//! seclude ([`Policy`] + [`compile`]) and with libseccomp 2.5.4
//! (`seccomp_init`, `seccomp_rule_add_array`, exported with
//! `seccomp_export_bpf`), both programs run through seclude's simulator on
//! the same random [`SeccompData`], which must get the same return value
//! from both. libseccomp's program must also pass [`bpf::verify`]. Both of
//! libseccomp's optimisation levels are checked (1, the default sequence of
//! `if`s, and 2, its binary tree), against the same seclude program.
//!
//! # Which policies are expressible in both
//!
//! seclude tries the rules of a syscall in order and the first match
//! decides; libseccomp merges the rules of a syscall into one decision tree
//! and, by experiment with 2.5.4, resolves conflicts its own way (no error):
//! an unconditional rule replaces every conditional one of the syscall
//! whatever their actions, a later unconditional rule with another action is
//! ignored, conditional rules with different actions are layered by
//! argument. The policies generated here are those where both semantics
//! coincide, found by experiment and by the man pages
//! (`seccomp_rule_add(3)`, `seccomp_attr_set(3)`):
//!
//! - **One action per syscall.** All rules of a syscall share one action,
//!   conditional or not. Then seclude's first-match is the OR of the rules,
//!   which is libseccomp's union ("rules … are combined into a union").
//! - **A rule whose action is the default action** is refused by libseccomp
//!   (`-EACCES`). Such rules are generated for seclude and left out of the
//!   libseccomp filter: with one action per syscall, the syscall gets the
//!   default either way.
//! - **One comparison per argument per rule**: libseccomp refuses a second
//!   comparison of the same argument in one rule (`-EINVAL`).
//! - **Actions libseccomp accepts**: `TRAP` only without data (`SCMP_ACT_TRAP`
//!   is 0x00030000; a data value is `-EINVAL`), `ERRNO` only up to 4094 (4095
//!   is `-EINVAL` in 2.5.4, although the kernel allows it), `TRACE` with any
//!   data; `KILL_PROCESS`, `KILL_THREAD`, `NOTIFY`, `LOG`, `ALLOW` as they
//!   are. All of them are used as rule, default and bad-arch actions.
//! - **Comparisons.** libseccomp compares the whole 64-bit register on a
//!   64-bit ABI, so seclude's [`Condition::arg64`] with any [`Cmp`] maps to
//!   the same `SCMP_CMP_*`. `SCMP_CMP_MASKED_EQ` compares `arg & mask` with
//!   `datum & mask`, seclude's `MaskedEq` compares `arg & mask` with the
//!   value as given: values are generated inside their mask. seclude's
//!   32-bit width ([`Condition::arg32`], the high word ignored) has no
//!   libseccomp form for orderings, but `Eq` and `MaskedEq` do: a masked
//!   equality with a mask of at most 32 bits (`Eq` is mask `0xffffffff`).
//!   Those are generated; `arg32` orderings and `Ne` are not.
//! - **32-bit ABIs.** On i386 libseccomp compares only the low word of the
//!   datum (it truncates `1 << 32` to 0), seclude takes the missing high
//!   word of the argument as 0 (so `arg == 1 << 32` never holds there). In
//!   policies covering i386 or x32, `arg64` values are below 2^32; 64-bit
//!   edge values remain in the masks and in the inputs.
//! - **x32.** libseccomp treats x32 as a 32-bit ABI and compares only the
//!   low word of an argument; seclude ([`Abi::arg_bits`] is 64 for x32, the
//!   kernel passes 64-bit registers) compares all 64 bits for `arg64`. So
//!   x32 inputs get a zero high word in every argument an `arg64` condition
//!   of the policy tests (the `arg32` forms agree whatever the high word).
//! - **Syscalls.** Rules are added to libseccomp by the number
//!   `seccomp_syscall_resolve_name_arch(x86_64, name)` gives: the native
//!   number, or for a syscall x86-64 lacks one of libseccomp's negative
//!   pseudo-numbers, which it translates per architecture. A syscall is
//!   used only if, on every ABI of the policy, libseccomp's number is ours
//!   or both agree it is absent; that drops the calls libseccomp does not
//!   know (newer than 2.5.4: `mseal`, `listmount`, …; `-EFAULT` in a
//!   multi-arch filter) and, on i386, the `socketcall`/`ipc` calls, which
//!   libseccomp rewrites into multiplexer rules (`socket` becomes also
//!   `socketcall` with `a0 == SYS_SOCKET`).
//! - **Syscall number -1 without x32.** On `AUDIT_ARCH_X86_64` libseccomp's
//!   x86-64 block sends numbers from 0x40000000 up to the bad-arch action,
//!   except -1 (0xffffffff), the "skipped by a tracer" number, which falls
//!   through to the default action; seclude gives every number from
//!   0x40000000 up the bad-arch action when x32 is not covered. That input
//!   is excluded for those policies (and counted).
//!
//! Everything else (other syscall numbers, foreign `arch` values, the x32
//! number space, 64-bit edge arguments, instruction pointers) is compared.
//!
//! # What libseccomp 2.5.4 gets wrong, and how the test deals with it
//!
//! Every input is also run through [`Policy::evaluate`], seclude's
//! reference semantics; seclude's program must always agree with it (a
//! seclude bug otherwise). Where libseccomp's program disagrees, the test
//! found three libseccomp problems, none of them a seclude bug:
//!
//! 1. **A missing `ld [nr]`** (optimize 1, filters with several
//!    architectures): an architecture block starts comparing syscall numbers
//!    with the `arch` value still in the accumulator, so every call of that
//!    ABI gets the default action. Recognised from the program itself
//!    ([`arch_block_skips_nr_load`]) and counted, not failed.
//! 2. **Wrong union of overlapping rules**: with several conditional rules
//!    of one syscall comparing the *same* argument (e.g. `a0 < X && a3 < Y`
//!    and `a0 < Z`), libseccomp's merged tree loses some matches, or
//!    jumps into a block shared with another syscall that tests another
//!    argument than the accumulator holds. So half the policies are
//!    *strict*: the rules of a syscall test pairwise disjoint arguments
//!    (and every syscall is one x86-64 has). Strict policies must agree
//!    exactly (apart from 1.); in the others, a disagreement is counted and
//!    reported only when seclude agrees with the reference semantics.
//! 3. **Exponential build time**: overlapping conditional rules (six
//!    two-condition rules on one syscall) made libseccomp run for minutes.
//!    Rules per syscall are capped at three, and libseccomp builds each
//!    policy in a forked child that is killed after five seconds (counted).

#[path = "support/libseccomp.rs"]
mod libseccomp;
#[path = "support/skip.rs"]
mod skip;

use libseccomp::{Filter, scmp_arg_cmp};
use seclude::bpf::{self, Action, Instruction, Listing, SeccompData};
use seclude::seccomp::{Cmp, Condition, Policy, Program, Width, compile};
use seclude::tables::{Abi, Syscall, X32_SYSCALL_BIT};
use std::time::Duration;
use std::time::Instant;

/// Whether libseccomp is loaded (saying so if not: the tests then skip).
fn have_libseccomp() -> bool {
    let Err(e) = libseccomp::available() else {
        return true;
    };
    skip::skipped(
        "seclude vs libseccomp differential tests",
        &format!("cannot load {}: {e}", libseccomp::SONAME),
        "apt-get install libseccomp2",
    );
    false
}

const POLICIES: usize = 2000;
const INPUTS: usize = 100;
const MAX_RULES_PER_SYSCALL: usize = 3;
/// How long libseccomp may take to build one policy's two programs.
const LIBSECCOMP_TIMEOUT: Duration = Duration::from_secs(5);

/// The ABI sets compared: (seclude's ABIs, in filter order).
const ABI_SETS: &[&[Abi]] = &[
    &[Abi::X86_64],
    &[Abi::X86_64, Abi::I386, Abi::X32],
    &[Abi::X86_64, Abi::I386],
    &[Abi::X86_64, Abi::X32],
];

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    /// Values near the edges of 32- and 64-bit comparisons.
    fn edgy(&mut self) -> u64 {
        const EDGES: [u64; 12] = [
            0,
            1,
            2,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            0x1_0000_0001,
            0xffff_ffff_0000_0000,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            u64::MAX,
        ];
        match self.below(5) {
            0 => self.pick(&EDGES),
            1 => self
                .pick(&EDGES)
                .wrapping_add(self.below(3))
                .wrapping_sub(1),
            2 => self.below(16),
            3 => self.next() & 0xffff_ffff,
            _ => self.next(),
        }
    }
    /// An action libseccomp accepts.
    fn action(&mut self) -> Action {
        match self.below(8) {
            0 => Action::KillProcess,
            1 => Action::KillThread,
            2 => Action::Trap(0),
            3 => Action::Errno(self.pick(&[0, 1, 13, 38, 4094])),
            4 => Action::UserNotif,
            5 => Action::Trace(self.pick(&[0, 7, 0xffff])),
            6 => Action::Log,
            _ => Action::Allow,
        }
    }
}

/// Syscalls usable in policies over `abis` (see the module comment), with
/// the number libseccomp's rules take.
fn usable_syscalls(abis: &[Abi]) -> Vec<(Syscall, i32)> {
    let mut out = Vec::new();
    for &s in Syscall::ALL.iter() {
        let native = libseccomp::resolve(libseccomp::SCMP_ARCH_X86_64, s.name());
        let mut present_somewhere = false;
        let agree = abis.iter().all(|&abi| {
            let theirs = libseccomp::resolve(libseccomp::arch_token(abi), s.name());
            match abi.number(s) {
                Some(ours) => {
                    present_somewhere = true;
                    theirs >= 0 && theirs as u32 == ours
                }
                None => theirs < 0,
            }
        });
        // A negative native number must be a pseudo-syscall (below -1), not
        // "unknown name" (-1).
        if agree && present_somewhere && native != -1 {
            out.push((s, native));
        }
    }
    out
}

/// One generated rule: seclude's conditions and their libseccomp form.
struct GenRule {
    syscall: Syscall,
    nr: i32,
    action: Action,
    conditions: Vec<Condition>,
    cmps: Vec<scmp_arg_cmp>,
}

struct Case {
    /// Rules of one syscall test disjoint arguments, and every syscall is
    /// one x86-64 has (see the module comment).
    strict: bool,
    abis: &'static [Abi],
    default: Action,
    bad_arch: Action,
    rules: Vec<GenRule>,
}

fn gen_condition(rng: &mut Rng, arg: u8, narrow_values: bool) -> (Condition, scmp_arg_cmp) {
    use libseccomp::*;
    let value = |rng: &mut Rng| {
        let v = rng.edgy();
        if narrow_values { v & 0xffff_ffff } else { v }
    };
    let cmp = |op, a, b| scmp_arg_cmp {
        arg: arg as u32,
        op,
        datum_a: a,
        datum_b: b,
    };
    match rng.below(9) {
        // arg64, every comparison.
        k @ 0..=5 => {
            let v = value(rng);
            let (c, op) = [
                (Cmp::Eq, SCMP_CMP_EQ),
                (Cmp::Ne, SCMP_CMP_NE),
                (Cmp::Lt, SCMP_CMP_LT),
                (Cmp::Le, SCMP_CMP_LE),
                (Cmp::Gt, SCMP_CMP_GT),
                (Cmp::Ge, SCMP_CMP_GE),
            ][k as usize];
            (Condition::arg64(arg, c, v), cmp(op, v, 0))
        }
        6 => {
            let mask = rng.edgy();
            let v = value(rng) & mask;
            (
                Condition::arg64(arg, Cmp::MaskedEq(mask), v),
                cmp(SCMP_CMP_MASKED_EQ, mask, v),
            )
        }
        // arg32 Eq: a masked equality on the low word.
        7 => {
            let v = rng.edgy() as u32;
            (
                Condition::arg32(arg, Cmp::Eq, v),
                cmp(SCMP_CMP_MASKED_EQ, 0xffff_ffff, v as u64),
            )
        }
        // arg32 MaskedEq.
        _ => {
            let mask = rng.edgy() as u32;
            let v = rng.edgy() as u32 & mask;
            (
                Condition::arg32(arg, Cmp::MaskedEq(mask as u64), v),
                cmp(SCMP_CMP_MASKED_EQ, mask as u64, v as u64),
            )
        }
    }
}

fn gen_case(rng: &mut Rng, abis: &'static [Abi], pool: &[(Syscall, i32)], strict: bool) -> Case {
    let narrow = abis.len() > 1;
    let default = rng.action();
    let bad_arch = rng.action();
    // A few syscalls, each with one action.
    let n_syscalls = 1 + rng.below(12) as usize;
    let mut chosen: Vec<(Syscall, i32, Action)> = Vec::new();
    while chosen.len() < n_syscalls {
        let (s, nr) = rng.pick(pool);
        if chosen.iter().any(|c| c.0 == s) || (strict && nr < 0) {
            continue;
        }
        let action = if rng.below(8) == 0 {
            default
        } else {
            rng.action()
        };
        chosen.push((s, nr, action));
    }
    let mut rules = Vec::new();
    // Rules per syscall and conditions per rule are kept small: libseccomp
    // 2.5.4 builds a decision tree per syscall whose size (and build time)
    // grows exponentially with overlapping conditional rules (a policy with
    // six two-condition rules on one syscall did not finish in minutes).
    for &(syscall, nr, action) in &chosen {
        let n = 1 + rng.below(MAX_RULES_PER_SYSCALL as u64) as usize;
        // In strict cases, the arguments this syscall's rules have not tested.
        let mut free: Vec<u8> = (0..6).collect();
        for _ in 0..n {
            let mut conditions = Vec::new();
            let mut cmps = Vec::new();
            // Mostly conditional rules; distinct arguments within a rule.
            let k = match rng.below(6) {
                0 => 0,
                1..=3 => 1,
                _ => 2,
            };
            let mut args: Vec<u8> = if strict {
                free.clone()
            } else {
                (0..6).collect()
            };
            for _ in 0..k.min(args.len()) {
                let arg = args.remove(rng.below(args.len() as u64) as usize);
                free.retain(|&a| a != arg);
                let (c, l) = gen_condition(rng, arg, narrow);
                conditions.push(c);
                cmps.push(l);
            }
            rules.push(GenRule {
                syscall,
                nr,
                action,
                conditions,
                cmps,
            });
        }
    }
    // Interleave the syscalls' rules (the order matters to neither side).
    for i in (1..rules.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        rules.swap(i, j);
    }
    Case {
        strict,
        abis,
        default,
        bad_arch,
        rules,
    }
}

fn seclude_policy(case: &Case) -> Policy<64> {
    let mut p: Policy<64> = Policy::for_abis(case.abis, case.default).bad_arch(case.bad_arch);
    for r in &case.rules {
        p = p.rule(r.syscall, &r.conditions, r.action);
    }
    p
}

/// libseccomp's programs at optimize levels 1 and 2, built in a forked
/// child so that a filter libseccomp does not finish building within
/// `LIBSECCOMP_TIMEOUT` cannot stall the test (`None` then).
fn libseccomp_programs(case: &Case) -> Option<[Vec<Instruction>; 2]> {
    let mut fds = [0i32; 2];
    // SAFETY: plain system calls; the child only builds filters with
    // libseccomp, writes to the pipe and leaves with _exit.
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        let pid = libc::fork();
        assert!(pid >= 0, "fork");
        if pid == 0 {
            libc::close(fds[0]);
            let mut out = Vec::new();
            for level in [1, 2] {
                let p = libseccomp_filter(case, level)
                    .export()
                    .expect("seccomp_export_bpf");
                out.extend_from_slice(&(p.len() as u32).to_ne_bytes());
                for i in p {
                    out.extend_from_slice(&i.code.to_ne_bytes());
                    out.extend_from_slice(&[i.jt, i.jf]);
                    out.extend_from_slice(&i.k.to_ne_bytes());
                }
            }
            let mut rest = &out[..];
            while !rest.is_empty() {
                let n = libc::write(fds[1], rest.as_ptr().cast(), rest.len());
                if n <= 0 {
                    libc::_exit(1);
                }
                rest = &rest[n as usize..];
            }
            libc::_exit(0);
        }
        libc::close(fds[1]);
        let deadline = Instant::now() + LIBSECCOMP_TIMEOUT;
        let mut bytes = Vec::new();
        let mut buf = [0u8; 65536];
        let finished = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut pfd = libc::pollfd {
                fd: fds[0],
                events: libc::POLLIN,
                revents: 0,
            };
            if left.is_zero() || libc::poll(&mut pfd, 1, left.as_millis() as i32 + 1) == 0 {
                break false;
            }
            let n = libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len());
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            if n <= 0 {
                break true;
            }
            bytes.extend_from_slice(&buf[..n as usize]);
        };
        libc::close(fds[0]);
        if !finished {
            libc::kill(pid, libc::SIGKILL);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        if !finished {
            return None;
        }
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "libseccomp child failed: {status:#x}\n{}",
            describe(case)
        );
        let mut at = 0;
        let mut next = || {
            let len = u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            at += 4 + 8 * len;
            libseccomp::instructions(&bytes[at - 8 * len..at])
        };
        let first = next();
        Some([first, next()])
    }
}

fn libseccomp_filter(case: &Case, optimize: u32) -> Filter {
    use libseccomp::*;
    let mut f = Filter::new(case.default.to_ret()).expect("seccomp_init");
    assert_eq!(
        f.attr_set(SCMP_FLTATR_ACT_BADARCH, case.bad_arch.to_ret()),
        0
    );
    assert_eq!(f.attr_set(SCMP_FLTATR_CTL_OPTIMIZE, optimize), 0);
    // seccomp_init adds the native ABI (x86-64); add the others in order.
    for &abi in &case.abis[1..] {
        assert_eq!(f.arch_add(arch_token(abi)), 0, "seccomp_arch_add({abi})");
    }
    for r in &case.rules {
        if r.action == case.default {
            continue; // refused with -EACCES; the same decision either way
        }
        let rc = f.rule_add(r.action.to_ret(), r.nr, &r.cmps);
        assert_eq!(
            rc, 0,
            "seccomp_rule_add_array({}, {:?}, {:?})",
            r.syscall, r.action, r.cmps
        );
    }
    f
}

fn gen_input(rng: &mut Rng, case: &Case) -> SeccompData {
    let abi = rng.pick(case.abis);
    let nr: u32 = match rng.below(8) {
        0..=2 => {
            let r = &case.rules[rng.below(case.rules.len() as u64) as usize];
            // The rule's syscall on some ABI of the policy, else any number.
            abi.number(r.syscall)
                .unwrap_or_else(|| rng.below(600) as u32)
        }
        3 => {
            let e = abi.entries();
            e[rng.below(e.len() as u64) as usize]
                .0
                .wrapping_add(rng.below(3) as u32)
                .wrapping_sub(1)
        }
        4 => rng.pick(&[
            0,
            0x3fff_ffff,
            X32_SYSCALL_BIT,
            X32_SYSCALL_BIT + 1,
            X32_SYSCALL_BIT + 512,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_fffe,
            u32::MAX,
        ]),
        5 => rng.next() as u32,
        _ => {
            rng.below(1100) as u32
                | if rng.below(3) == 0 {
                    X32_SYSCALL_BIT
                } else {
                    0
                }
        }
    };
    let arch = match rng.below(12) {
        0 => rng
            .pick(&[Abi::Aarch64, Abi::I386, Abi::X86_64, Abi::Arm])
            .audit_arch(),
        1 => rng.next() as u32,
        _ => abi.audit_arch(),
    };
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = rng.edgy();
    }
    // Often make conditions of a rule hold (or nearly).
    if rng.below(2) == 0 {
        let r = &case.rules[rng.below(case.rules.len() as u64) as usize];
        for c in &r.conditions {
            let v = match rng.below(4) {
                0 => c.value.wrapping_add(1),
                1 => c.value.wrapping_sub(1),
                2 if matches!(c.width, Width::Bits32) => c.value | (rng.next() << 32),
                _ => c.value,
            };
            args[c.arg as usize] = v;
        }
    }
    let data = SeccompData {
        nr: nr as i32,
        arch,
        instruction_pointer: rng.next(),
        args,
    };
    x32_fixup(case, data)
}

/// x32 calls: a zero high word in every argument an `arg64` condition tests.
fn x32_fixup(case: &Case, mut d: SeccompData) -> SeccompData {
    let x32 = case.abis.contains(&Abi::X32)
        && d.arch == Abi::X86_64.audit_arch()
        && d.nr as u32 >= X32_SYSCALL_BIT;
    if x32 {
        for r in &case.rules {
            for c in &r.conditions {
                if matches!(c.width, Width::Bits64) {
                    d.args[c.arg as usize] &= 0xffff_ffff;
                }
            }
        }
    }
    d
}

/// Whether libseccomp's block for `arch` (where its first `jeq #arch`
/// jumps) starts without `ld [nr]`, so that it compares the `arch` value
/// still in the accumulator with syscall numbers.
fn arch_block_skips_nr_load(p: &[Instruction], arch: u32) -> bool {
    let jeq = bpf::op::JMP | bpf::op::JEQ | bpf::op::K;
    p.iter()
        .position(|i| i.code == jeq && i.k == arch)
        .is_some_and(|at| p[at + 1 + p[at].jt as usize] != Instruction::load_word(SeccompData::NR))
}

/// The one input where the semantics differ by design (module comment).
fn excluded(case: &Case, d: &SeccompData) -> bool {
    d.arch == Abi::X86_64.audit_arch() && d.nr == -1 && !case.abis.contains(&Abi::X32)
}

fn describe(case: &Case) -> String {
    let mut s = format!(
        "abis {:?}, default {}, bad arch {}\n",
        case.abis, case.default, case.bad_arch
    );
    for r in &case.rules {
        s += &format!("  {} {:?} -> {}\n", r.syscall, r.conditions, r.action);
    }
    s
}

#[test]
fn seclude_and_libseccomp_agree_on_random_policies() {
    if !have_libseccomp() {
        return;
    }
    let seed: u64 = std::env::var("SECLUDE_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5ec1_0de0_d1ff);
    let started = Instant::now();
    let pools: Vec<Vec<(Syscall, i32)>> = ABI_SETS.iter().map(|s| usable_syscalls(s)).collect();
    for (set, pool) in ABI_SETS.iter().zip(&pools) {
        println!("ABIs {set:?}: {} usable syscalls", pool.len());
        assert!(pool.len() > 300, "{set:?}");
    }
    let mut rng = Rng(seed | 1);
    let (mut compared, mut skipped, mut rules_total, mut rules_skipped) = (0usize, 0usize, 0, 0);
    let mut executed = [0usize; 3];
    let mut failures = Vec::new();
    let policies: usize = std::env::var("SECLUDE_DIFF_POLICIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(POLICIES);
    let mut t = [Duration::ZERO; 4];
    let mut timeouts = 0usize;
    let mut missing_nr_load = [0usize; 2];
    let mut strict_failures = [0usize; 2];
    let mut deviations = vec![[0usize; 2]; ABI_SETS.len()];
    let mut bad_policies = vec![[0usize; 2]; ABI_SETS.len()];
    for i in 0..policies {
        let set = i % ABI_SETS.len();
        let case = gen_case(
            &mut rng,
            ABI_SETS[set],
            &pools[set],
            (i / ABI_SETS.len()).is_multiple_of(2),
        );
        rules_total += case.rules.len();
        rules_skipped += case
            .rules
            .iter()
            .filter(|r| r.action == case.default)
            .count();
        if std::env::var_os("SECLUDE_DIFF_TRACE").is_some() {
            eprintln!("policy {i}\n{}", describe(&case));
        }
        let t0 = Instant::now();
        let policy = seclude_policy(&case);
        let ours: Program = compile(&policy).unwrap_or_else(|e| panic!("seclude: {e}"));
        let t1 = Instant::now();
        let Some(theirs) = libseccomp_programs(&case) else {
            timeouts += 1;
            println!(
                "libseccomp did not finish in {LIBSECCOMP_TIMEOUT:?}: policy {i}\n{}",
                describe(&case)
            );
            continue;
        };
        let t2 = Instant::now();
        t[0] += t1 - t0;
        t[1] += t2 - t1;
        for (level, p) in theirs.iter().enumerate() {
            if let Err(e) = bpf::verify(p) {
                panic!(
                    "libseccomp (optimize {}) program fails seclude's verifier: {e}\n{}",
                    level + 1,
                    describe(&case)
                );
            }
        }
        let mut bad_policy = [false; 2];
        for _ in 0..INPUTS {
            let d = gen_input(&mut rng, &case);
            if excluded(&case, &d) {
                skipped += 1;
                continue;
            }
            compared += 1;
            let endian = Abi::X86_64.endian(); // i386 and x32 are little-endian too
            let a = bpf::simulate(ours.instructions(), &d, endian).unwrap();
            executed[0] += a.executed;
            let reference = policy.evaluate(&d).to_ret();
            assert_eq!(
                a.ret,
                reference,
                "seclude's program differs from Policy::evaluate: policy {i}\n{}input {d:x?}",
                describe(&case)
            );
            for (level, p) in theirs.iter().enumerate() {
                let b = bpf::simulate(p, &d, endian).unwrap();
                executed[level + 1] += b.executed;
                if a.ret == b.ret {
                    continue;
                }
                // libseccomp's known miscompilation (module comment): its
                // x86-64 block tests `nr` without loading it.
                let no_nr_load = arch_block_skips_nr_load(p, d.arch);
                if no_nr_load {
                    missing_nr_load[level] += 1;
                } else if !case.strict {
                    deviations[set][level] += 1;
                    bad_policy[level] = true;
                } else {
                    strict_failures[level] += 1;
                }
                if case.strict && !no_nr_load && failures.len() < 5 {
                    failures.push(format!(
                        "policy {i} (seed {seed:#x}), optimize {}:\n{}input {d:x?}\nseclude: {} ({:#x}); libseccomp: {} ({:#x})\nseclude program:\n{}\nlibseccomp:\n{}\nlibseccomp's pseudo-code:\n{}",
                        level + 1,
                        describe(&case),
                        a.action,
                        a.ret,
                        b.action,
                        b.ret,
                        Listing::new(ours.instructions()).abi(Abi::X86_64),
                        Listing::new(p).abi(Abi::X86_64),
                        libseccomp_filter(&case, level as u32 + 1).export_pfc().unwrap(),
                    ));
                }
            }
        }
        for level in 0..2 {
            bad_policies[set][level] += bad_policy[level] as usize;
        }
    }
    println!(
        "disagreements from libseccomp's missing `ld [nr]`, optimize 1 / 2: {missing_nr_load:?}"
    );
    println!("disagreements in strict policies, optimize 1 / 2: {strict_failures:?}");
    println!("policies libseccomp did not build in {LIBSECCOMP_TIMEOUT:?}: {timeouts}");
    println!(
        "libseccomp deviations from the union of rules in non-strict policies (inputs, policies) per ABI set, optimize 1 / 2:"
    );
    for (k, set) in ABI_SETS.iter().enumerate() {
        println!(
            "  {set:?}: {:?} / {:?}",
            (deviations[k][0], bad_policies[k][0]),
            (deviations[k][1], bad_policies[k][1])
        );
    }
    println!(
        "time: seclude compile {:?}, libseccomp build+export {:?}",
        t[0], t[1]
    );
    let n = compared.max(1) as f64;
    println!(
        "{policies} policies ({rules_total} rules, {rules_skipped} of them equal to the default and left out of libseccomp's filter), \
         {compared} inputs compared against libseccomp at optimize 1 and 2 each, {skipped} excluded (nr -1 without x32), in {:.1?}",
        started.elapsed()
    );
    println!(
        "mean instructions executed: seclude {:.2}, libseccomp optimize=1 {:.2}, optimize=2 {:.2}",
        executed[0] as f64 / n,
        executed[1] as f64 / n,
        executed[2] as f64 / n
    );
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The experiments behind the module comment, kept as checks so that a
/// libseccomp upgrade that changes them is noticed.
#[test]
fn libseccomp_refusals_and_conflict_resolution() {
    if !have_libseccomp() {
        return;
    }
    use libseccomp::*;
    let eq = |arg, v| scmp_arg_cmp {
        arg,
        op: SCMP_CMP_EQ,
        datum_a: v,
        datum_b: 0,
    };
    let mut f = Filter::new(scmp_act_errno(1)).unwrap();
    assert_eq!(
        f.rule_add(scmp_act_errno(1), 0, &[]),
        -libc::EACCES,
        "action = default"
    );
    assert_eq!(
        f.rule_add(SCMP_ACT_TRAP | 5, 1, &[]),
        -libc::EINVAL,
        "TRAP with data"
    );
    assert_eq!(
        f.rule_add(scmp_act_errno(4095), 2, &[]),
        -libc::EINVAL,
        "ERRNO(4095)"
    );
    assert_eq!(f.rule_add(scmp_act_errno(4094), 2, &[]), 0, "ERRNO(4094)");
    assert_eq!(
        f.rule_add(scmp_act_trace(0xffff), 3, &[]),
        0,
        "TRACE(0xffff)"
    );
    let ge_le = [
        scmp_arg_cmp {
            arg: 0,
            op: SCMP_CMP_GE,
            datum_a: 1,
            datum_b: 0,
        },
        scmp_arg_cmp {
            arg: 0,
            op: SCMP_CMP_LE,
            datum_a: 9,
            datum_b: 0,
        },
    ];
    assert_eq!(
        f.rule_add(SCMP_ACT_ALLOW, 4, &ge_le),
        -libc::EINVAL,
        "argument compared twice"
    );
    // Conflicts are accepted and resolved: a conditional rule and a later
    // unconditional one with another action leave the unconditional one.
    assert_eq!(f.rule_add(SCMP_ACT_ALLOW, 5, &[eq(0, 1)]), 0);
    assert_eq!(f.rule_add(scmp_act_errno(3), 5, &[]), 0);
    // An unconditional rule, then another action: the first one stays.
    assert_eq!(f.rule_add(SCMP_ACT_ALLOW, 6, &[]), 0);
    assert_eq!(f.rule_add(SCMP_ACT_LOG, 6, &[]), 0);
    let p = f.export().unwrap();
    let run = |nr: i32, a0: u64| {
        let d = SeccompData::new(nr, Abi::X86_64.audit_arch()).with_arg(0, a0);
        bpf::simulate(&p, &d, Abi::X86_64.endian()).unwrap().action
    };
    assert_eq!(
        run(5, 1),
        Action::Errno(3),
        "seclude's first match would give ALLOW"
    );
    assert_eq!(run(6, 0), Action::Allow);
    // -1 on x86-64 without x32 falls through to the default action.
    assert_eq!(run(-1, 0), Action::Errno(1));
    assert_eq!(run(0x4000_0000, 0), Action::KillThread);
}
