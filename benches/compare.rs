//! seclude against libseccomp 2.5.4 on the same policies: program length,
//! instructions executed per syscall (seclude's simulator), and the
//! kernel-measured cost of a syscall under each filter. Then seclude's
//! pledge filters (stdio, stdio rpath, all promises) the same way, next to
//! the program lengths the issue gives for Cosmopolitan's pledge().
//!
//! `cargo bench --bench compare` (a `harness = false` bench target). The
//! kernel timings run in child processes (this binary re-executed with
//! `SECLUDE_BENCH_CHILD` set), since a filter cannot be removed once loaded;
//! every filter, libseccomp's included, is loaded with
//! `seclude::seccomp::load`, so only the program differs. Results are
//! recorded in BENCHMARKS.md.

#[path = "../tests/support/libseccomp.rs"]
mod libseccomp;
#[path = "../tests/support/skip.rs"]
mod skip;

use seclude::bpf::{self, Action, Instruction, SeccompData};
use seclude::pledge::{self, Decision, Penalty, Promises};
use seclude::seccomp::{Cmp, Condition, FilterFlags, Policy, Program, compile};
use seclude::tables::{Abi, Syscall, X32_SYSCALL_BIT};
use std::process::Command;
use std::time::Instant;

const EPERM: u16 = 1;
const ALLOWLIST_LEN: usize = 250;
const CALLS: u32 = 2_000_000;
const CHILD_ENV: &str = "SECLUDE_BENCH_CHILD";

// Constants of the argument rules.
const SEEK_END: u64 = 2;
const PROT_EXEC: u64 = 0x4;
const TCGETS: u64 = 0x5401;
const FIONREAD: u64 = 0x541b;
const MADV_DONTNEED: u64 = 4;
const AF_UNIX: u64 = 1;
const AF_INET: u64 = 2;
const MSG_OOB: u64 = 1;
const SOL_SOCKET: u64 = 1;
const CLONE_NEWUSER: u64 = 0x1000_0000;
const F_SETFL: u64 = 4;
const LOCK_UN: u64 = 8;
const PR_SET_NAME: u64 = 15;
const ARCH_SET_FS: u64 = 0x1002;
const FUTEX_CMD_MASK: u64 = 0x7f;
const FUTEX_WAKE: u64 = 1;
const F_GETFD: u64 = 1;

/// One rule: syscall, conditions (all 64-bit comparisons, the same in both
/// libraries), action.
type RuleSpec = (Syscall, Vec<(u8, Cmp, u64)>);

/// 250 distinct x86-64 syscalls libseccomp also knows (at the same number):
/// the 20 with argument rules, what the timing child needs (`write`,
/// `exit_group`, `getpid`), and the rest picked by a fixed pseudo-random
/// draw from the whole table, so the allowed numbers are scattered as in a
/// real allowlist rather than one contiguous block.
fn allowlist() -> Vec<Syscall> {
    let known: Vec<Syscall> = Abi::X86_64
        .entries()
        .iter()
        .filter(|(nr, s)| libseccomp::resolve(libseccomp::SCMP_ARCH_X86_64, s.name()) == *nr as i32)
        .map(|&(_, s)| s)
        .collect();
    let mut out: Vec<Syscall> = argument_rules().iter().map(|r| r.0).collect();
    out.extend([Syscall::write, Syscall::exit_group, Syscall::getpid]);
    out.dedup();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while out.len() < ALLOWLIST_LEN {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let s = known[(x.wrapping_mul(0x2545_f491_4f6c_dd1d) % known.len() as u64) as usize];
        if !out.contains(&s) {
            out.push(s);
        }
    }
    assert!(out.iter().all(|s| known.contains(s)));
    out.sort_by_key(|s| Abi::X86_64.number(*s));
    out
}

/// Realistic argument rules on 20 syscalls of the allowlist (each replaces
/// that syscall's unconditional allow). Several rules of one syscall are
/// alternatives.
fn argument_rules() -> Vec<RuleSpec> {
    use Cmp::*;
    use Syscall as S;
    vec![
        (S::lseek, vec![(2, Le, SEEK_END)]),
        (S::mmap, vec![(2, MaskedEq(PROT_EXEC), 0)]),
        (S::mprotect, vec![(2, MaskedEq(PROT_EXEC), 0)]),
        (S::ioctl, vec![(1, Eq, TCGETS)]),
        (S::ioctl, vec![(1, Eq, FIONREAD)]),
        (S::madvise, vec![(2, Eq, MADV_DONTNEED)]),
        (S::socket, vec![(0, Eq, AF_UNIX)]),
        (S::socket, vec![(0, Eq, AF_INET)]),
        (S::connect, vec![(2, Le, 128)]),
        (S::sendto, vec![(3, MaskedEq(MSG_OOB), 0)]),
        (S::setsockopt, vec![(1, Eq, SOL_SOCKET)]),
        (S::getsockopt, vec![(1, Eq, SOL_SOCKET)]),
        (S::clone, vec![(0, MaskedEq(CLONE_NEWUSER), 0)]),
        (S::kill, vec![(0, Eq, 0), (1, Eq, 0)]),
        (S::fcntl, vec![(1, Le, F_SETFL)]),
        (S::flock, vec![(1, Le, LOCK_UN)]),
        (S::personality, vec![(0, Eq, 0xffff_ffff)]),
        (S::prctl, vec![(0, Eq, PR_SET_NAME)]),
        (S::arch_prctl, vec![(0, Eq, ARCH_SET_FS)]),
        (S::futex, vec![(1, MaskedEq(FUTEX_CMD_MASK), 0)]),
        (S::futex, vec![(1, MaskedEq(FUTEX_CMD_MASK), FUTEX_WAKE)]),
        (S::getpriority, vec![(0, Eq, 0)]),
        (S::tgkill, vec![(2, Eq, 0)]),
    ]
}

/// The policy: (a) without argument rules, (b) with them.
fn rules(with_args: bool) -> Vec<RuleSpec> {
    let conditional = argument_rules();
    let mut out = Vec::new();
    for s in allowlist() {
        let cond: Vec<_> = conditional.iter().filter(|r| r.0 == s).cloned().collect();
        if with_args && !cond.is_empty() {
            out.extend(cond);
        } else {
            out.push((s, vec![]));
        }
    }
    out
}

fn seclude_program(rules: &[RuleSpec]) -> Vec<Instruction> {
    let mut p: Policy<300> = Policy::for_abis(&[Abi::X86_64], Action::Errno(EPERM));
    for (s, conds) in rules {
        let c: Vec<Condition> = conds
            .iter()
            .map(|&(a, cmp, v)| Condition::arg64(a, cmp, v))
            .collect();
        p = p.rule(*s, &c, Action::Allow);
    }
    let program: Program = compile(&p).expect("seclude compiles the policy");
    program.instructions().to_vec()
}

fn libseccomp_program(rules: &[RuleSpec], optimize: Option<u32>) -> Vec<Instruction> {
    use libseccomp::*;
    let mut f = Filter::new(scmp_act_errno(EPERM)).expect("seccomp_init");
    if let Some(level) = optimize {
        assert_eq!(f.attr_set(SCMP_FLTATR_CTL_OPTIMIZE, level), 0);
    }
    for (s, conds) in rules {
        let cmps: Vec<scmp_arg_cmp> = conds
            .iter()
            .map(|&(arg, cmp, v)| {
                let (op, a, b) = match cmp {
                    Cmp::Eq => (SCMP_CMP_EQ, v, 0),
                    Cmp::Ne => (SCMP_CMP_NE, v, 0),
                    Cmp::Lt => (SCMP_CMP_LT, v, 0),
                    Cmp::Le => (SCMP_CMP_LE, v, 0),
                    Cmp::Gt => (SCMP_CMP_GT, v, 0),
                    Cmp::Ge => (SCMP_CMP_GE, v, 0),
                    Cmp::MaskedEq(m) => (SCMP_CMP_MASKED_EQ, m, v),
                };
                scmp_arg_cmp {
                    arg: arg as u32,
                    op,
                    datum_a: a,
                    datum_b: b,
                }
            })
            .collect();
        let nr = Abi::X86_64.number(*s).unwrap() as i32;
        assert_eq!(f.rule_add(SCMP_ACT_ALLOW, nr, &cmps), 0, "{s}");
    }
    f.export().expect("seccomp_export_bpf")
}

/// The inputs of the executed-instruction measurements: every x86-64
/// number 0..=max, a few invalid numbers and an x32 number, zero arguments.
fn zero_arg_inputs() -> Vec<SeccompData> {
    let max = Abi::X86_64.entries().last().unwrap().0;
    let arch = Abi::X86_64.audit_arch();
    let mut nrs: Vec<u32> = (0..=max).collect();
    nrs.extend([max + 1, 1000, 0x3fff_ffff, X32_SYSCALL_BIT + 1]);
    nrs.into_iter()
        .map(|nr| SeccompData::new(nr as i32, arch))
        .collect()
}

/// Inputs that reach the argument rules: per rule, arguments that satisfy
/// it and zero arguments.
fn argument_inputs() -> Vec<SeccompData> {
    let arch = Abi::X86_64.audit_arch();
    let mut out = Vec::new();
    for (s, conds) in argument_rules() {
        let nr = Abi::X86_64.number(s).unwrap() as i32;
        let mut d = SeccompData::new(nr, arch);
        for &(a, _, v) in &conds {
            // v satisfies each comparison used: ==, <=, and masked ==.
            d.args[a as usize] = v;
        }
        out.push(d);
        out.push(SeccompData::new(nr, arch));
    }
    out
}

fn executed(p: &[Instruction], inputs: &[SeccompData]) -> (f64, usize) {
    let mut sum = 0;
    let mut max = 0;
    for d in inputs {
        let out = bpf::simulate(p, d, Abi::X86_64.endian()).unwrap();
        sum += out.executed;
        max = max.max(out.executed);
    }
    (sum as f64 / inputs.len() as f64, max)
}

/// Maximal runs of equal outcome over the x86-64 number space (0..2^32,
/// the x32 region one bad-arch run): what seclude's search splits.
fn ranges(rules: &[RuleSpec]) -> usize {
    #[derive(PartialEq, Clone, Copy)]
    enum Key {
        Default,
        Allow,
        Rules(Syscall),
        BadArch,
    }
    let key = |nr: u32| {
        if nr >= X32_SYSCALL_BIT {
            return Key::BadArch;
        }
        match Abi::X86_64.syscall(nr) {
            None => Key::Default,
            Some(s) => match rules.iter().find(|r| r.0 == s) {
                None => Key::Default,
                Some(r) if r.1.is_empty() => Key::Allow,
                Some(_) => Key::Rules(s),
            },
        }
    };
    let mut bounds = vec![0u32, X32_SYSCALL_BIT];
    for &(nr, _) in Abi::X86_64.entries() {
        bounds.extend([nr, nr + 1]);
    }
    bounds.sort();
    bounds.dedup();
    let mut runs = 0;
    let mut last = None;
    for b in bounds {
        let k = key(b);
        if last != Some(k) {
            runs += 1;
            last = Some(k);
        }
    }
    runs
}

// ---------------------------------------------------------------------------
// pledge: the compiled promise filters, against the figures the issue gives
// for Cosmopolitan's pledge() on Linux.

/// The pid patched into the pledge programs for the simulator (the kernel
/// children patch their own).
const SIM_PID: u32 = 4242;

/// Cosmopolitan's program lengths as the issue states them (not measured
/// here): stdio, stdio rpath, all promises.
const COSMO_LEN: [usize; 3] = [199, 234, 640];

fn pledge_sets() -> [(&'static str, Promises); 3] {
    [
        ("stdio", seclude::promises!("stdio")),
        ("stdio rpath", seclude::promises!("stdio rpath")),
        ("all 23", Promises::all()),
    ]
}

/// The x86-64 pledge program for `promises`, its self-pid comparisons
/// patched to `pid`.
fn pledge_program(promises: Promises, pid: u32) -> Vec<Instruction> {
    let p = pledge::program(promises, Penalty::EPERM, Abi::X86_64).expect("pledge compiles");
    let mut insns = p.instructions().to_vec();
    pledge::patch_self_pid(&mut insns, pid);
    insns
}

/// A realistic argument vector for the calls the promise table compares
/// arguments of (x86-64 values, the pid being `SIM_PID`), and for the calls
/// of the mix; every other call keeps zero arguments, since no filter
/// compares its arguments.
fn realistic_args(s: Syscall) -> [u64; 6] {
    use Syscall as S;
    const AT_FDCWD: u64 = -100i64 as u64;
    const PTR: u64 = 0x7ffd_1234_5000; // a pointer: path, buffer, struct
    const ADDR: u64 = 0x7f12_3456_7000; // a mapping
    const FD: u64 = 3;
    const O_RDONLY_CLOEXEC: u64 = 0o2_000_000;
    const PROT_READ: u64 = 1;
    const MAP_PRIVATE: u64 = 2;
    const MODE: u64 = 0o644;
    const S_IFIFO: u64 = 0o010_000;
    const SOCK_STREAM_CLOEXEC: u64 = 0x8_0001;
    // pthread_create's clone flags: VM FS FILES SIGHAND THREAD SYSVSEM
    // SETTLS PARENT_SETTID CHILD_CLEARTID.
    const CLONE_PTHREAD: u64 = 0x3d_0f00;
    const SIGTERM: u64 = 15;
    const RLIMIT_NOFILE: u64 = 7;
    const AT_EMPTY_PATH: u64 = 0x1000;
    const STATX_BASIC_STATS: u64 = 0x7ff;
    const MSG_NOSIGNAL: u64 = 0x4000;
    const SECCOMP_SET_MODE_FILTER: u64 = 1;
    const FUTEX_WAIT_PRIVATE: u64 = 128;
    const EPOLL_FD: u64 = 4;
    let pid = SIM_PID as u64;
    match s {
        S::read | S::write | S::pread64 | S::pwrite64 => [FD, PTR, 4096, 0, 0, 0],
        S::writev | S::readv => [FD, PTR, 2, 0, 0, 0],
        S::recvfrom => [FD, PTR, 4096, 0, 0, 0],
        S::sendto => [FD, PTR, 64, MSG_NOSIGNAL, 0, 0],
        S::close | S::fstat => [FD, PTR, 0, 0, 0, 0],
        S::lseek => [FD, 0, SEEK_END, 0, 0, 0],
        S::openat => [AT_FDCWD, PTR, O_RDONLY_CLOEXEC, 0, 0, 0],
        S::open => [PTR, O_RDONLY_CLOEXEC, 0, 0, 0, 0],
        S::creat | S::mkdir | S::chmod => [PTR, MODE, 0, 0, 0, 0],
        S::mkdirat | S::fchmodat | S::fchmodat2 => [AT_FDCWD, PTR, MODE, 0, 0, 0],
        S::fchmod => [FD, MODE, 0, 0, 0, 0],
        S::unlinkat => [AT_FDCWD, PTR, 0, 0, 0, 0],
        S::mknod => [PTR, S_IFIFO | MODE, 0, 0, 0, 0],
        S::mknodat => [AT_FDCWD, PTR, S_IFIFO | MODE, 0, 0, 0],
        S::newfstatat => [FD, PTR, PTR, AT_EMPTY_PATH, 0, 0],
        S::statx => [FD, PTR, AT_EMPTY_PATH, STATX_BASIC_STATS, PTR, 0],
        S::mmap => [0, 1 << 16, PROT_READ, MAP_PRIVATE, FD, 0],
        S::mprotect => [ADDR, 4096, PROT_READ, 0, 0, 0],
        S::pkey_mprotect => [ADDR, 4096, PROT_READ, 0, 0, 0],
        S::munmap => [ADDR, 1 << 16, 0, 0, 0, 0],
        S::madvise => [ADDR, 1 << 16, MADV_DONTNEED, 0, 0, 0],
        S::brk => [ADDR, 0, 0, 0, 0, 0],
        S::fcntl => [FD, F_GETFD, 0, 0, 0, 0],
        S::ioctl => [FD, FIONREAD, PTR, 0, 0, 0],
        S::clone => [CLONE_PTHREAD, PTR, PTR, PTR, PTR, 0],
        S::kill | S::tkill => [pid, SIGTERM, 0, 0, 0, 0],
        S::tgkill => [pid, pid, SIGTERM, 0, 0, 0],
        S::rt_sigqueueinfo => [pid, SIGTERM, PTR, 0, 0, 0],
        S::rt_tgsigqueueinfo => [pid, pid, SIGTERM, PTR, 0, 0],
        S::prlimit64 => [0, RLIMIT_NOFILE, 0, PTR, 0, 0],
        S::socket => [AF_INET, SOCK_STREAM_CLOEXEC, 0, 0, 0, 0],
        S::socketpair => [AF_UNIX, SOCK_STREAM_CLOEXEC, 0, PTR, 0, 0],
        S::prctl => [PR_SET_NAME, PTR, 0, 0, 0, 0],
        S::seccomp => [SECCOMP_SET_MODE_FILTER, 0, PTR, 0, 0, 0],
        S::arch_prctl => [ARCH_SET_FS, PTR, 0, 0, 0, 0],
        S::futex => [PTR, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0],
        S::epoll_wait => [EPOLL_FD, PTR, 64, 0xffff_ffff, 0, 0],
        S::poll => [PTR, 2, 0xffff_ffff, 0, 0, 0],
        S::clock_gettime => [1, PTR, 0, 0, 0, 0],
        S::rt_sigprocmask => [0, PTR, PTR, 8, 0, 0],
        _ => [0; 6],
    }
}

/// The call mix of (c): the ~20 most frequent syscalls of a typical
/// dynamically linked program serving I/O (an illustrative profile, not a
/// measured trace), weights per 1000 calls.
const MIX: [(Syscall, u32); 22] = [
    (Syscall::read, 200),
    (Syscall::write, 150),
    (Syscall::futex, 100),
    (Syscall::epoll_wait, 70),
    (Syscall::close, 60),
    (Syscall::openat, 50),
    (Syscall::newfstatat, 50),
    (Syscall::mmap, 40),
    (Syscall::recvfrom, 30),
    (Syscall::sendto, 30),
    (Syscall::lseek, 30),
    (Syscall::munmap, 30),
    (Syscall::fcntl, 25),
    (Syscall::rt_sigprocmask, 25),
    (Syscall::mprotect, 20),
    (Syscall::poll, 20),
    (Syscall::clock_gettime, 20),
    (Syscall::writev, 15),
    (Syscall::ioctl, 10),
    (Syscall::brk, 10),
    (Syscall::madvise, 10),
    (Syscall::getpid, 5),
];

/// One x86-64 call: the syscall, its input, and its weight.
struct Call {
    syscall: Syscall,
    data: SeccompData,
    weight: u32,
}

fn calls(list: impl IntoIterator<Item = (Syscall, u32)>, realistic: bool) -> Vec<Call> {
    let arch = Abi::X86_64.audit_arch();
    list.into_iter()
        .map(|(s, weight)| {
            let mut data = SeccompData::new(Abi::X86_64.number(s).unwrap() as i32, arch);
            if realistic {
                data.args = realistic_args(s);
            }
            Call {
                syscall: s,
                data,
                weight,
            }
        })
        .collect()
}

/// Every syscall of the x86-64 table, weight 1.
fn table_calls(realistic: bool) -> Vec<Call> {
    calls(
        Abi::X86_64.entries().iter().map(|&(_, s)| (s, 1)),
        realistic,
    )
}

/// Weighted mean and max of executed instructions over `calls`, after
/// checking each outcome against `pledge::decide`.
fn pledge_executed(p: &[Instruction], promises: Promises, calls: &[Call]) -> (f64, usize) {
    let (mut sum, mut weights, mut max) = (0u64, 0u64, 0);
    for c in calls {
        let out = bpf::simulate(p, &c.data, Abi::X86_64.endian()).unwrap();
        let expected = match decide(promises, c.syscall, &c.data.args) {
            Decision::Allowed => Action::Allow,
            Decision::Enosys => Action::Errno(38),
            Decision::Refused => Action::Errno(EPERM),
        };
        assert_eq!(out.action, expected, "{} {:?}", c.syscall, c.data.args);
        sum += out.executed as u64 * c.weight as u64;
        weights += c.weight as u64;
        max = max.max(out.executed);
    }
    (sum as f64 / weights as f64, max)
}

fn decide(promises: Promises, s: Syscall, args: &[u64; 6]) -> Decision {
    pledge::decide(promises, Abi::X86_64, s, args, SIM_PID)
}

/// The weighted share of `calls` the promises allow.
fn allowed_share(promises: Promises, calls: &[Call]) -> f64 {
    let total: u32 = calls.iter().map(|c| c.weight).sum();
    let allowed: u32 = calls
        .iter()
        .filter(|c| decide(promises, c.syscall, &c.data.args) == Decision::Allowed)
        .map(|c| c.weight)
        .sum();
    allowed as f64 / total as f64
}

/// An estimate for a linear chain of `len` instructions: an allowed call is
/// found on average half-way down, a refused one runs the whole chain.
fn chain_estimate(len: usize, allowed: f64) -> f64 {
    allowed * len as f64 / 2.0 + (1.0 - allowed) * len as f64
}

fn pledge_report() {
    let zero = table_calls(false);
    let real = table_calls(true);
    let mix = calls(MIX, true);
    assert_eq!(MIX.iter().map(|m| m.1).sum::<u32>(), 1000);
    println!(
        "pledge, x86-64, penalty ERRNO(EPERM): {} syscalls of the x86-64 table; (a) every one with \
         zero arguments and with a realistic argument vector, (b) those of the realistic pass the \
         promises allow, (c) a weighted mix of {} calls (realistic arguments).",
        zero.len(),
        MIX.len()
    );
    println!();
    println!(
        "| promises | length | (a) zero args mean / max | (a) realistic mean / max | (b) allowed: calls, mean / max | (c) mix mean / max |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut shares = Vec::new();
    for (name, promises) in pledge_sets() {
        let p = pledge_program(promises, SIM_PID);
        bpf::verify(&p).expect("verifies");
        let (zm, zx) = pledge_executed(&p, promises, &zero);
        let (rm, rx) = pledge_executed(&p, promises, &real);
        let allowed: Vec<Call> = table_calls(true)
            .into_iter()
            .filter(|c| decide(promises, c.syscall, &c.data.args) == Decision::Allowed)
            .collect();
        let (am, ax) = pledge_executed(&p, promises, &allowed);
        let (mm, mx) = pledge_executed(&p, promises, &mix);
        println!(
            "| {name} | {} | {zm:.2} / {zx} | {rm:.2} / {rx} | {}: {am:.2} / {ax} | {mm:.2} / {mx} |",
            p.len(),
            allowed.len()
        );
        shares.push((
            name,
            allowed_share(promises, &real),
            allowed_share(promises, &mix),
        ));
    }
    println!();
    println!(
        "Cosmopolitan pledge() on Linux: lengths as the issue gives them (not measured here); the \
         executed counts are ESTIMATES for a linear chain of that length: an allowed call ≈ half \
         the chain, a refused call ≈ the whole chain, weighted by the share of calls seclude's \
         table allows (realistic pass for (a), the mix for (c))."
    );
    println!();
    println!(
        "| promises | length (issue) | allowed share (a) / (c) | est. (a) mean | est. (b) mean | est. (c) mean |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for ((name, a, c), len) in shares.into_iter().zip(COSMO_LEN) {
        println!(
            "| {name} | ≈{len} | {a:.2} / {c:.2} | ≈{:.0} | ≈{:.0} | ≈{:.0} |",
            chain_estimate(len, a),
            len as f64 / 2.0,
            chain_estimate(len, c)
        );
    }
}

// ---------------------------------------------------------------------------
// Kernel timings, in a child.

fn programs() -> Vec<(&'static str, Vec<Instruction>)> {
    let (a, b) = (rules(false), rules(true));
    vec![
        ("seclude (a)", seclude_program(&a)),
        ("libseccomp default (a)", libseccomp_program(&a, None)),
        ("libseccomp optimize=2 (a)", libseccomp_program(&a, Some(2))),
        ("seclude (b)", seclude_program(&b)),
        ("libseccomp default (b)", libseccomp_program(&b, None)),
        ("libseccomp optimize=2 (b)", libseccomp_program(&b, Some(2))),
    ]
}

fn time_calls(nr: usize, a0: usize, a1: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        // SAFETY: getpid / fcntl(0, F_GETFD): no memory is passed.
        let _ = std::hint::black_box(unsafe { seclude::sys::syscall2(nr, a0, a1) });
    }
    start.elapsed().as_nanos() as f64 / CALLS as f64
}

fn child(which: &str) {
    if which != "none" {
        let p = match which.strip_prefix("pledge ") {
            Some(set) => {
                let (_, promises) = pledge_sets()
                    .into_iter()
                    .find(|(n, _)| *n == set)
                    .expect("promise set name");
                pledge_program(promises, std::process::id())
            }
            None => {
                programs()
                    .into_iter()
                    .find(|(n, _)| *n == which)
                    .expect("program name")
                    .1
            }
        };
        seclude::seccomp::load(&p, FilterFlags::empty()).expect("filter loaded");
    }
    let getpid = Abi::X86_64.number(Syscall::getpid).unwrap() as usize;
    let fcntl = Abi::X86_64.number(Syscall::fcntl).unwrap() as usize;
    // fcntl(0, F_GETFD) must be allowed by the argument rule, not denied.
    // SAFETY: as above.
    let r = unsafe { seclude::sys::syscall2(fcntl, 0, F_GETFD as usize) };
    assert!(r.is_ok(), "fcntl(0, F_GETFD) under {which}: {r:?}");
    let g = time_calls(getpid, 0, 0);
    let f = time_calls(fcntl, 0, F_GETFD as usize);
    println!("{g:.2} {f:.2}");
}

/// Median of 5 child runs: (getpid ns/call, fcntl ns/call).
fn measure(which: &str) -> (f64, f64) {
    let mut g = Vec::new();
    let mut f = Vec::new();
    for _ in 0..5 {
        let out = Command::new(std::env::current_exe().unwrap())
            .env(CHILD_ENV, which)
            .output()
            .unwrap();
        assert!(out.status.success(), "{which}: {out:?}");
        let s = String::from_utf8(out.stdout).unwrap();
        let v: Vec<f64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();
        g.push(v[0]);
        f.push(v[1]);
    }
    g.sort_by(f64::total_cmp);
    f.sort_by(f64::total_cmp);
    (g[2], f[2])
}

fn main() {
    if let Ok(which) = std::env::var(CHILD_ENV) {
        child(&which);
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and the like
    }
    if let Err(e) = libseccomp::available() {
        // Every table below compares with libseccomp.
        return skip::skipped(
            "the seclude vs libseccomp benchmark",
            &format!("cannot load {}: {e}", libseccomp::SONAME),
            "apt-get install libseccomp2",
        );
    }
    let zero = zero_arg_inputs();
    let args = argument_inputs();
    let ranges_a = ranges(&rules(false));
    let ranges_b = ranges(&rules(true));
    println!(
        "Policies: (a) {ALLOWLIST_LEN}-syscall allowlist, default ERRNO(EPERM); (b) the same with \
         argument rules on {} syscalls ({} rules). Inputs: {} zero-argument calls (x86-64 numbers \
         0..={}, 4 invalid or x32 numbers); for (b) also {} calls reaching the argument rules.",
        {
            let mut v: Vec<_> = argument_rules().iter().map(|r| r.0).collect();
            v.dedup();
            v.len()
        },
        argument_rules().len(),
        zero.len(),
        Abi::X86_64.entries().last().unwrap().0,
        args.len()
    );
    println!();
    println!(
        "| program | length | mean executed | max executed | mean executed, argument-rule calls |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    let progs = programs();
    let mut mean = std::collections::HashMap::new();
    for (name, p) in &progs {
        bpf::verify(p).expect("verifies");
        let (m, x) = executed(p, &zero);
        mean.insert(*name, m);
        let arg_col = if name.ends_with("(b)") {
            format!("{:.2}", executed(p, &args).0)
        } else {
            "—".to_string()
        };
        println!("| {name} | {} | {m:.2} | {x} | {arg_col} |", p.len());
    }
    println!();
    for (tag, r) in [("a", ranges_a), ("b", ranges_b)] {
        let bound = (r as f64).log2().ceil() + 5.0;
        let ours = mean[format!("seclude ({tag})").as_str()];
        let theirs = mean[format!("libseccomp optimize=2 ({tag})").as_str()];
        println!(
            "Target ({tag}): {r} ranges, ⌈log2 ranges⌉ + 5 = {bound}; seclude mean {ours:.2}: {} ≤ bound, {} ≤ libseccomp optimize=2 ({theirs:.2})",
            if ours <= bound { "met" } else { "MISSED" },
            if ours <= theirs { "met" } else { "MISSED" },
        );
    }
    println!();
    println!(
        "Kernel cost, ns per call (median of 5 child runs of {CALLS} calls each): getpid is allowed \
         unconditionally, so after its first call the kernel's seccomp action cache (Linux 5.11+) \
         allows it without running the filter; fcntl(0, F_GETFD) has an argument rule in (b), so the \
         filter runs on every call there."
    );
    println!();
    println!("| filter | getpid ns | ratio | fcntl(0, F_GETFD) ns | ratio |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let (g0, f0) = measure("none");
    println!("| no filter | {g0:.1} | 1.00 | {f0:.1} | 1.00 |");
    for (name, _) in &progs {
        let (g, f) = measure(name);
        println!(
            "| {name} | {g:.1} | {:.2} | {f:.1} | {:.2} |",
            g / g0,
            f / f0
        );
    }
    println!();
    println!(
        "getpid is decided by the action cache, so its cost over no filter is the seccomp entry \
         path alone, the same for every filter; fcntl under (b) runs the whole filter."
    );
    println!();
    pledge_report();
    println!();
    println!(
        "pledge kernel cost, ns per call (median of 5 child runs of {CALLS} calls each, the same \
         no-filter baseline): each child patches its own pid into the program and loads it with \
         seccomp::load. getpid is allowed unconditionally by stdio (action cache); fcntl(0, \
         F_GETFD) is allowed by an argument rule, so the filter runs on every call."
    );
    println!();
    println!("| filter | getpid ns | ratio | fcntl(0, F_GETFD) ns | ratio |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!("| no filter | {g0:.1} | 1.00 | {f0:.1} | 1.00 |");
    for (set, _) in pledge_sets() {
        let (g, f) = measure(&format!("pledge {set}"));
        println!(
            "| pledge {set} | {g:.1} | {:.2} | {f:.1} | {:.2} |",
            g / g0,
            f / f0
        );
    }
}
