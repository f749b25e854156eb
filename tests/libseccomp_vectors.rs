//! libseccomp's simulator test vectors, re-expressed as seclude policies.
//!
//! libseccomp (github.com/seccomp/libseccomp) keeps in `tests/` pairs of a
//! program `NN-sim-NAME.c`, which builds a filter with its API, and a table
//! `NN-sim-NAME.tests`, whose `bpf-sim` rows give an architecture, a
//! syscall, six arguments and the action its simulator (`scmp_bpf_sim`)
//! must report. Each test below builds the equivalent [`Policy`], compiles
//! it, and runs every row through [`bpf::simulate`] and [`Policy::evaluate`].
//!
//! The tables are kept in libseccomp's column order (without the test-name
//! column) and read as `tests/regression` (`run_test_bpf_sim`) reads them:
//!
//! - arch column, a comma-separated list: `all` is the filter's native
//!   architecture, `all_64` the native one if it is 64-bit, `+ARCH` adds
//!   ARCH, a bare `ARCH` adds it only if it is the native one, `-ARCH`
//!   removes it. libseccomp runs a row on the machine's one native
//!   architecture; here every test builds its filter once per "native" ABI
//!   of a list (all 18 where the vector allows), so an `all` row is checked
//!   on each of them, big-endian ones included;
//! - syscall column: a name (resolved per ABI, as `scmp_sys_resolver -t`
//!   does), a number, or an inclusive range `LO-HI` of numbers;
//! - argument columns: a value, an inclusive range `LO-HI` (every value of
//!   it is tried, and every combination across columns), or `N`, an
//!   argument the runner does not pass, which `scmp_bpf_sim` leaves 0;
//! - result: `KILL` is `SCMP_ACT_KILL`, i.e. `SECCOMP_RET_KILL_THREAD`;
//!   `TRAP` has data 0.
//!
//! Semantic differences, handled per test:
//!
//! - libseccomp's vectors use fake syscall numbers (1000, 1001, …) that
//!   exist on no architecture; seclude's rules name real syscalls, so each
//!   fake number is mapped to a real one (the `FAKE_*` tables);
//! - libseccomp merges the rules of one syscall into a decision tree,
//!   seclude tries them in order and the first match decides. Where rules
//!   of one syscall overlap with different actions the order is chosen to
//!   give libseccomp's result (none of the ported vectors needed more);
//! - `SCMP_CMP_MASKED_EQ` compares `arg & mask` with `datum & mask`; our
//!   `Cmp::MaskedEq` compares with the value as given, so the ported value
//!   is pre-masked;
//! - `SCMP_A0(...)` compares the whole register on a 64-bit architecture:
//!   ported as [`Condition::arg64`]. libseccomp treats x32 and MIPS n32 as
//!   32-bit architectures (comparing low words only) where seclude, with
//!   64-bit argument registers there, compares 64 bits; no ported row
//!   depends on it.
//!
//! A row whose syscall name an ABI does not have (e.g. `open` on aarch64)
//! is skipped for that ABI (libseccomp's resolver would hand the simulator
//! a negative pseudo-syscall number); every row must run on at least one
//! ABI.

use seclude::bpf::{self, Action, SeccompData};
use seclude::seccomp::{Cmp, Condition, Policy, Program, compile};
use seclude::tables::{Abi, Syscall};

// ---------------------------------------------------------------------------
// The row runner.

/// libseccomp's fake syscall numbers mapped to real syscalls that every ABI
/// has (one table for every test that uses fakes; each test uses its own
/// policy, so sharing the syscalls is harmless).
const FAKE: &[(u64, Syscall)] = &[
    (1000, Syscall::getpid),
    (1001, Syscall::getppid),
    (1002, Syscall::gettid),
    (1003, Syscall::dup),
    (1004, Syscall::dup3),
    (1005, Syscall::fchdir),
    (1006, Syscall::umask),
    (1007, Syscall::sync),
    (1008, Syscall::sched_yield),
];

/// The real syscall standing for fake number `n`.
fn fake(n: u64) -> Syscall {
    FAKE.iter()
        .find(|(f, _)| *f == n)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("no real syscall for fake number {n}"))
}

/// A fake-number table restricted to what one test uses (so a real number
/// like 10 or 9999 in its table stays a number).
fn fakes(numbers: &[u64]) -> Vec<(u64, Syscall)> {
    numbers.iter().map(|&n| (n, fake(n))).collect()
}

fn abi_named(name: &str) -> Abi {
    Abi::from_name(name).unwrap_or_else(|| panic!("unknown architecture {name:?}"))
}

fn parse_num(s: &str) -> u64 {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    }
    .unwrap_or_else(|e| panic!("bad number {s:?}: {e}"))
}

/// `LO-HI` or a single value, as `get_range` in `tests/regression`.
fn parse_range(s: &str) -> (u64, u64) {
    match s.split_once('-') {
        Some((lo, hi)) => (parse_num(lo), parse_num(hi)),
        None => (parse_num(s), parse_num(s)),
    }
}

fn parse_action(s: &str) -> Action {
    let data = |inner: &str| -> u16 { parse_num(inner).try_into().expect("action data") };
    match s {
        "ALLOW" => Action::Allow,
        "KILL" => Action::KillThread,
        "KILL_PROCESS" => Action::KillProcess,
        "TRAP" => Action::Trap(0),
        "LOG" => Action::Log,
        _ => {
            if let Some(n) = s.strip_prefix("ERRNO(").and_then(|r| r.strip_suffix(')')) {
                Action::Errno(data(n))
            } else if let Some(n) = s.strip_prefix("TRACE(").and_then(|r| r.strip_suffix(')')) {
                Action::Trace(data(n))
            } else {
                panic!("unknown result {s:?}")
            }
        }
    }
}

/// One `bpf-sim` row.
struct Row<'a> {
    text: &'a str,
    arch: &'a str,
    syscall: &'a str,
    args: [Vec<u64>; 6],
    result: Action,
}

fn parse_rows(table: &str) -> Vec<Row<'_>> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|text| {
            let cols: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(cols.len(), 9, "row {text:?}: 9 columns expected");
            let args = core::array::from_fn(|i| {
                if cols[2 + i] == "N" {
                    vec![0]
                } else {
                    let (lo, hi) = parse_range(cols[2 + i]);
                    assert!(lo <= hi && hi - lo < 4096, "row {text:?}: range too wide");
                    (lo..=hi).collect()
                }
            });
            Row {
                text,
                arch: cols[0],
                syscall: cols[1],
                args,
                result: parse_action(cols[8]),
            }
        })
        .collect()
}

/// The ABIs a row's arch column selects for a filter whose native ABI is
/// `native` (`run_test_bpf_sim`'s expansion).
fn row_abis(spec: &str, native: Abi) -> Vec<Abi> {
    let mut add = Vec::new();
    let mut avoid = Vec::new();
    for item in spec.split(',') {
        match item {
            "all" => add.push(native),
            // libseccomp's 64-bit architectures: x32 and n32 are not.
            "all_64" if native.pointer_bits() == 64 => add.push(native),
            "all_64" => {}
            _ if item.starts_with('+') => add.push(abi_named(&item[1..])),
            _ if item.starts_with('-') => avoid.push(abi_named(&item[1..])),
            name if abi_named(name) == native => add.push(native),
            _ => {}
        }
    }
    add.retain(|a| !avoid.contains(a));
    add.dedup();
    add
}

/// The syscall numbers a row's syscall column stands for on `abi`, or
/// `None` if it names a syscall `abi` does not have.
fn row_numbers(syscall: &str, abi: Abi, fakes: &[(u64, Syscall)]) -> Option<Vec<u32>> {
    if syscall.starts_with(|c: char| c.is_ascii_digit()) {
        let (lo, hi) = parse_range(syscall);
        (lo..=hi)
            .map(|n| match fakes.iter().find(|(f, _)| *f == n) {
                Some((_, call)) => abi.number(*call),
                None => Some(u32::try_from(n).expect("syscall number")),
            })
            .collect()
    } else {
        let call = Syscall::from_name(syscall)
            .unwrap_or_else(|| panic!("syscall {syscall:?} unknown to seclude"));
        abi.number(call).map(|nr| vec![nr])
    }
}

/// Every combination of the row's argument values.
fn arg_sets(args: &[Vec<u64>; 6]) -> Vec<[u64; 6]> {
    let mut sets = vec![[0u64; 6]];
    for (i, values) in args.iter().enumerate() {
        sets = sets
            .into_iter()
            .flat_map(|base| {
                values.iter().map(move |&v| {
                    let mut a = base;
                    a[i] = v;
                    a
                })
            })
            .collect();
    }
    sets
}

/// Builds the policy for each native ABI in `natives`, compiles it, and
/// checks every row of `table` against the program and the policy.
/// Returns the number of simulated calls.
fn run_vectors<const P: usize>(
    case: &str,
    natives: &[Abi],
    fakes: &[(u64, Syscall)],
    table: &str,
    policy_for: impl Fn(Abi) -> Policy<P>,
) -> usize {
    let rows = parse_rows(table);
    let mut ran = vec![0usize; rows.len()];
    let mut calls = 0;
    let mut skipped = Vec::new();
    for &native in natives {
        let policy = policy_for(native);
        let program: Program =
            compile(&policy).unwrap_or_else(|e| panic!("{case}, native {native}: {e}"));
        for (i, row) in rows.iter().enumerate() {
            for abi in row_abis(row.arch, native) {
                let Some(numbers) = row_numbers(row.syscall, abi, fakes) else {
                    skipped.push(format!("{} on {abi}", row.syscall));
                    continue; // the ABI does not have the syscall
                };
                ran[i] += 1;
                for &nr in &numbers {
                    for args in arg_sets(&row.args) {
                        let data = SeccompData {
                            nr: nr as i32,
                            arch: abi.audit_arch(),
                            instruction_pointer: 0,
                            args,
                        };
                        let at = || {
                            format!(
                                "{case}: row {:?}, native {native}, call on {abi}: nr {nr}, args {args:#x?}",
                                row.text
                            )
                        };
                        let out = bpf::simulate(program.instructions(), &data, abi.endian())
                            .unwrap_or_else(|e| panic!("{}: simulate: {e}", at()));
                        assert_eq!(out.action, row.result, "{} (compiled program)", at());
                        assert_eq!(policy.evaluate(&data), row.result, "{} (evaluate)", at());
                        calls += 1;
                    }
                }
            }
        }
    }
    for (row, n) in rows.iter().zip(&ran) {
        assert!(*n > 0, "{case}: row {:?} ran on no ABI", row.text);
    }
    skipped.dedup();
    eprintln!("{case}: {calls} calls checked; skipped (no such syscall): {skipped:?}");
    calls
}

fn eq64(arg: u8, value: u64) -> Condition {
    Condition::arg64(arg, Cmp::Eq, value)
}

fn ne64(arg: u8, value: u64) -> Condition {
    Condition::arg64(arg, Cmp::Ne, value)
}

const EPERM: u16 = 1;

// ---------------------------------------------------------------------------
// Actions.

/// libseccomp `tests/01-sim-allow.{c,tests}`: an empty filter whose default
/// is ALLOW. The row covers 0-350 on every native ABI but x32 (on MIPS,
/// numbers below the ABI's base are not syscalls and get the default too).
///
/// x32 is left out: the row gives raw numbers, and 0-350 under x32's
/// `AUDIT_ARCH_X86_64` are x86-64 calls, which a filter covering x32 alone
/// gives its bad-arch action (KILL_PROCESS), not the default.
#[test]
fn libseccomp_01_sim_allow() {
    let table = "
        # Arch  Syscall  Arg0 Arg1 Arg2 Arg3 Arg4 Arg5  Result
        all     0-350    N    N    N    N    N    N     ALLOW
    ";
    let natives: Vec<Abi> = Abi::ALL.into_iter().filter(|&a| a != Abi::X32).collect();
    let calls = run_vectors("01-sim-allow", &natives, &[], table, |abi| {
        Policy::<1>::for_abis(&[abi], Action::Allow)
    });
    assert_eq!(calls, 351 * natives.len());
}

/// libseccomp `tests/02-sim-basic.{c,tests}`: seccomp mode 1 as a filter
/// (read, write, close, rt_sigreturn allowed, the rest KILL). The `open`
/// row is skipped on ABIs without `open` (aarch64, riscv*, loongarch64);
/// the numeric x86 / x86_64 rows run where the native ABI is x86 / x86_64.
#[test]
fn libseccomp_02_sim_basic() {
    let table = "
        # Arch  Syscall       Arg0       Arg1       Arg2  Arg3 Arg4 Arg5  Result
        all     read          0          0x856B008  40    N    N    N     ALLOW
        all     write         1          0x856B008  40    N    N    N     ALLOW
        all     close         4          N          N     N    N    N     ALLOW
        all     rt_sigreturn  N          N          N     N    N    N     ALLOW
        all     open          0x856B008  4          N     N    N    N     KILL
        x86     0-2           N          N          N     N    N    N     KILL
        x86     7-172         N          N          N     N    N    N     KILL
        x86     174-350       N          N          N     N    N    N     KILL
        x86_64  4-14          N          N          N     N    N    N     KILL
        x86_64  16-350        N          N          N     N    N    N     KILL
    ";
    run_vectors("02-sim-basic", &Abi::ALL, &[], table, |abi| {
        Policy::<4>::for_abis(&[abi], Action::KillThread).allow_all(&[
            Syscall::read,
            Syscall::write,
            Syscall::close,
            Syscall::rt_sigreturn,
        ])
    });
}

/// libseccomp `tests/06-sim-actions.{c,tests}`: one syscall per action
/// (ALLOW, LOG, ERRNO(EPERM), TRAP, TRACE(1234), KILL_PROCESS), default
/// KILL. `fstat` rows are skipped on ABIs without `fstat`.
#[test]
fn libseccomp_06_sim_actions() {
    let table = "
        # Arch  Syscall       Arg0  Arg1       Arg2  Arg3 Arg4 Arg5  Result
        all     read          4     0x856B008  80    N    N    N     ALLOW
        all     write         1     0x856B008  N     N    N    N     ERRNO(1)
        all     close         4     N          N     N    N    N     TRAP
        all     openat        0     0x856B008  4     N    N    N     TRACE(1234)
        all     fstat         N     N          N     N    N    N     KILL_PROCESS
        all     rt_sigreturn  N     N          N     N    N    N     LOG
        x86     0-2           N     N          N     N    N    N     KILL
        x86     7-107         N     N          N     N    N    N     KILL
        x86     109-172       N     N          N     N    N    N     KILL
        x86     174-294       N     N          N     N    N    N     KILL
        x86     296-350       N     N          N     N    N    N     KILL
        x86_64  6-14          N     N          N     N    N    N     KILL
        x86_64  16-256        N     N          N     N    N    N     KILL
        x86_64  258-350       N     N          N     N    N    N     KILL
    ";
    run_vectors("06-sim-actions", &Abi::ALL, &[], table, |abi| {
        Policy::<8>::for_abis(&[abi], Action::KillThread)
            .allow(Syscall::read)
            .action(Syscall::rt_sigreturn, Action::Log)
            .action(Syscall::write, Action::Errno(EPERM))
            .action(Syscall::close, Action::Trap(0))
            .action(Syscall::openat, Action::Trace(1234))
            .action(Syscall::fstat, Action::KillProcess)
    });
}

/// libseccomp `tests/45-sim-chain_code_coverage.{c,tests}`: many ALLOW
/// rules of one (fake, 1008) syscall, every comparison operator. The last
/// two libseccomp rules pass an argument count of 5 with six comparisons,
/// so their sixth (`A5 MASKED_EQ`) is ignored: ported with five conditions
/// (the two rules are then the same). The `MASKED_EQ` data (4, 5, 6) are
/// already within their masks.
#[test]
fn libseccomp_45_sim_chain_code_coverage() {
    let table = "
        # Arch  Syscall  Arg0 Arg1 Arg2 Arg3 Arg4 Arg5  Result
        all     1008     2    2    1    1    1    1     ALLOW
        all     1008     1    1    7    1    1    1     ALLOW
    ";
    let s = fake(1008);
    let tail = [
        ne64(0, 7),
        Condition::arg64(1, Cmp::Lt, 8),
        eq64(2, 9),
        Condition::arg64(3, Cmp::Ge, 10),
        Condition::arg64(4, Cmp::Gt, 11),
    ];
    run_vectors(
        "45-sim-chain_code_coverage",
        &Abi::ALL,
        &fakes(&[1008]),
        table,
        |abi| {
            Policy::<8>::for_abis(&[abi], Action::KillThread)
                .rule(s, &[Condition::arg64(0, Cmp::Ge, 1)], Action::Allow)
                .rule(s, &[Condition::arg64(1, Cmp::Ge, 2)], Action::Allow)
                .rule(s, &[Condition::arg64(0, Cmp::Gt, 3)], Action::Allow)
                .rule(
                    s,
                    &[Condition::arg64(2, Cmp::MaskedEq(0xf), 4)],
                    Action::Allow,
                )
                .rule(
                    s,
                    &[Condition::arg64(2, Cmp::MaskedEq(0xff), 5)],
                    Action::Allow,
                )
                .rule(
                    s,
                    &[Condition::arg64(2, Cmp::MaskedEq(0xff), 6)],
                    Action::Allow,
                )
                .rule(s, &tail, Action::Allow)
                .rule(s, &tail, Action::Allow)
        },
    );
}

// ---------------------------------------------------------------------------
// Long jumps.

/// libseccomp `tests/05-sim-long_jumps.{c,tests}` (the version naming
/// brk/chdir/close): `brk` allowed; 100 rules for `chdir` (`A0 == i`,
/// `A1 != 0`, `A2 < SSIZE_MAX`, i in 0..100); one rule `A0 != 0` for each
/// of the first 100 syscall numbers the native ABI has (chdir excepted);
/// `close` allowed; default KILL. The chdir rules make the jumps to the
/// default from the first rules far longer than 255 instructions.
///
/// Differences: libseccomp takes "the first 100 numbers with a name" from
/// its own tables, ours from seclude's (no row depends on which they are).
/// `brk` and `close` are also among those 100 on most ABIs with a
/// conditional ALLOW; libseccomp lets the unconditional rule win, and so
/// does the order here (brk's rule first; close's conditional rule also
/// allows, and its unconditional rule follows it).
#[test]
fn libseccomp_05_sim_long_jumps() {
    let table = "
        # Arch    Syscall  Arg0   Arg1       Arg2                Arg3 Arg4 Arg5  Result
        all,-x32  brk      1      2          3                   4    5    6     ALLOW
        all,-x32  9999     N      N          N                   N    N    N     KILL
        x86       chdir    0-5    0x856B008  0x7FFFFFFE          N    N    N     ALLOW
        x86_64    chdir    0-5    0x856B008  0x7FFFFFFFFFFFFFFE  N    N    N     ALLOW
        x86       chdir    95-99  0x856B008  0x7FFFFFFE          N    N    N     ALLOW
        x86_64    chdir    95-99  0x856B008  0x7FFFFFFFFFFFFFFE  N    N    N     ALLOW
        x86       chdir    100    0x856B008  0x7FFFFFFE          N    N    N     KILL
        x86_64    chdir    100    0x856B008  0x7FFFFFFFFFFFFFFE  N    N    N     KILL
        all,-x32  close    1      N          N                   N    N    N     ALLOW
    ";
    let calls = run_vectors("05-sim-long_jumps", &Abi::ALL, &[], table, |abi| {
        let ssize_max = if abi.pointer_bits() == 64 {
            i64::MAX as u64
        } else {
            i32::MAX as u64
        };
        let mut p = Policy::<256>::for_abis(&[abi], Action::KillThread).allow(Syscall::brk);
        for i in 0..100 {
            p = p.rule(
                Syscall::chdir,
                &[
                    eq64(0, i),
                    ne64(1, 0),
                    Condition::arg64(2, Cmp::Lt, ssize_max),
                ],
                Action::Allow,
            );
        }
        let many = abi
            .entries()
            .iter()
            .filter(|(_, call)| *call != Syscall::chdir)
            .take(100);
        for &(_, call) in many {
            p = p.rule(call, &[ne64(0, 0)], Action::Allow);
        }
        let p = p.allow(Syscall::close);
        assert_eq!(p.error(), None);
        p
    });
    assert!(calls > 0);

    // The chdir rules alone need far more than 255 instructions, so the
    // program really contains long jumps.
    let program: Program = compile(&Policy::<256>::for_abis(&[Abi::X86_64], Action::KillThread))
        .expect("empty policy");
    let empty = program.len();
    let mut p = Policy::<256>::for_abis(&[Abi::X86_64], Action::KillThread);
    for i in 0..100 {
        p = p.rule(Syscall::chdir, &[eq64(0, i), ne64(1, 0)], Action::Allow);
    }
    let program: Program = compile(&p).expect("chdir rules");
    assert!(
        program.len() > empty + 300,
        "{} instructions",
        program.len()
    );
}

// ---------------------------------------------------------------------------
// Argument trees and masked operations.

/// libseccomp `tests/08-sim-subtree_checks.{c,tests}`: ALLOW rules of one
/// syscall that are sub- or supersets of each other (fake syscalls
/// 1000-1007), and for 1007 a TRAP rule beside them.
///
/// Differences: the rules of one syscall are ORed in both libseccomp and
/// here; for 1007 the TRAP rule (`A2 == 1 && A3 == 3`) and the ALLOW rules
/// (`A3 != 3`) never hold together, so their order does not matter. The
/// table is the revision whose 1007 TRAP row is `0 0 1 3` and whose arch
/// column is `all`; a later revision (`all,-x32`, TRAP row `0 0 2 3`) goes
/// with a changed program we could not read, and is not ported. x32 is
/// checked too: libseccomp left it out because its fake numbers lack the
/// x32 bit, ours are real x32 numbers.
#[test]
fn libseccomp_08_sim_subtree_checks() {
    let table = "
        # Arch  Syscall  Arg0  Arg1   Arg2  Arg3   Arg4 Arg5  Result
        all     1000     0-10  1      N     N      N    N     ALLOW
        all     1000     0-10  0      N     N      N    N     KILL
        all     1001     0-10  1      N     N      N    N     ALLOW
        all     1001     0-10  0      N     N      N    N     KILL
        all     1002     0-5   1      2     0-5    N    N     ALLOW
        all     1002     0-5   2      1     0-5    N    N     KILL
        all     1003     0-5   1      2     0-5    N    N     ALLOW
        all     1003     0-5   2      1     0-5    N    N     KILL
        all     1004     0     11     5-10  10     10   1-5   ALLOW
        all     1004     0     1      2     0-5    N    N     ALLOW
        all     1004     1-5   1      2     0-5    N    N     ALLOW
        all     1004     1-5   1      2     30-35  N    N     ALLOW
        all     1004     1-5   2      1     30-35  N    N     KILL
        all     1005     0     11     5-10  10     10   1-5   ALLOW
        all     1005     0     1      2     0-5    N    N     ALLOW
        all     1005     1-5   1      2     0-5    N    N     ALLOW
        all     1005     1-5   1      2     30-35  N    N     ALLOW
        all     1005     1-5   2      1     30-35  N    N     KILL
        all     1006     0-10  1      2     N      N    N     ALLOW
        all     1006     0-10  1      3     N      N    N     KILL
        all     1006     10    2-100  2     N      N    N     ALLOW
        all     1007     0     0      1     3      N    N     TRAP
        all     1007     1     1      1     0-2    1    1     ALLOW
        all     1007     1     1      2     0-2    1    1     ALLOW
        all     1007     1     1      2     4-6    1    1     ALLOW
        all     1007     1     1      0     3      1    1     KILL
    ";
    let f = fakes(&[1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007]);
    let s = |n| fake(n);
    let a = Action::Allow;
    run_vectors("08-sim-subtree_checks", &Abi::ALL, &f, table, |abi| {
        Policy::<32>::for_abis(&[abi], Action::KillThread)
            .rule(s(1000), &[eq64(0, 0), eq64(1, 1)], a)
            .rule(s(1000), &[eq64(1, 1)], a)
            .rule(s(1001), &[eq64(1, 1)], a)
            .rule(s(1001), &[eq64(0, 0), eq64(1, 1)], a)
            .rule(
                s(1002),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 3)],
                a,
            )
            .rule(s(1002), &[eq64(1, 1), eq64(2, 2)], a)
            .rule(s(1003), &[eq64(1, 1), eq64(2, 2)], a)
            .rule(
                s(1003),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 3)],
                a,
            )
            .rule(
                s(1004),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 3)],
                a,
            )
            .rule(s(1004), &[eq64(0, 0), eq64(1, 11)], a)
            .rule(
                s(1004),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 33)],
                a,
            )
            .rule(s(1004), &[eq64(1, 1), eq64(2, 2)], a)
            .rule(s(1005), &[eq64(1, 1), eq64(2, 2)], a)
            .rule(
                s(1005),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 3)],
                a,
            )
            .rule(s(1005), &[eq64(0, 0), eq64(1, 11)], a)
            .rule(
                s(1005),
                &[eq64(0, 0), eq64(1, 1), eq64(2, 2), eq64(3, 33)],
                a,
            )
            .rule(s(1006), &[ne64(1, 1), eq64(2, 0)], a)
            .rule(s(1006), &[eq64(1, 1), eq64(2, 2)], a)
            .rule(s(1006), &[ne64(1, 1)], a)
            .rule(s(1007), &[eq64(2, 1), eq64(3, 3)], Action::Trap(0))
            .rule(s(1007), &[eq64(2, 1), ne64(3, 3)], a)
            .rule(s(1007), &[ne64(3, 3)], a)
    });
}

/// libseccomp `tests/12-sim-basic_masked_ops.{c,tests}`: five ALLOW rules
/// of one (fake, 1000) syscall, `A0 == 0 && A2 == 2` and `A1` equal to 1
/// or `A1 & mask == datum` for (0xff, 1), (0xffff, 11), (0xffff, 111),
/// (0xff00, 1000).
///
/// Difference: libseccomp compares `arg & mask` with `datum & mask` (the
/// table allows 0x300-0x3FF for mask 0xff00, datum 1000 = 0x3E8); ours
/// compares with the value as given, so the last one is ported as
/// `MaskedEq(0xff00)` with value `1000 & 0xff00` = 0x300. The masks have
/// no high-word bits, so rows with high-word bits set hold on 32-bit ABIs
/// (whose filters see the low word only) as well.
#[test]
fn libseccomp_12_sim_basic_masked_ops() {
    let table = "
        # Arch  Syscall  Arg0  Arg1                Arg2  Arg3 Arg4 Arg5  Result
        all     1000     0     1                   2     N    N    N     ALLOW
        all     1000     0     0x01                2     N    N    N     ALLOW
        all     1000     0     0x02-0x0A           2     N    N    N     KILL
        all     1000     0     0x101               2     N    N    N     ALLOW
        all     1000     0     11                  2     N    N    N     ALLOW
        all     1000     0     0x0B                2     N    N    N     ALLOW
        all     1000     0     0x0C-0x6E           2     N    N    N     KILL
        all     1000     0     0x1000B             2     N    N    N     ALLOW
        all     1000     0     111                 2     N    N    N     ALLOW
        all     1000     0     0x6F                2     N    N    N     ALLOW
        all     1000     0     0x70-0x100          2     N    N    N     KILL
        all     1000     0     0x102-0x200         2     N    N    N     KILL
        all     1000     0     0x10002-0x1000A     2     N    N    N     KILL
        all     1000     0     0x1000C-0x1006E     2     N    N    N     KILL
        all     1000     0     0x1006F             2     N    N    N     ALLOW
        all     1000     0     1000                2     N    N    N     ALLOW
        all     1000     0     0x3E8               2     N    N    N     ALLOW
        all     1000     0     0x2FF               2     N    N    N     KILL
        all     1000     0     0x300-0x3FF         2     N    N    N     ALLOW
        all     1000     0     0x400               2     N    N    N     KILL
        all     1000     0     0x402-0x4FF         2     N    N    N     KILL
        all     1000     0     0x10300-0x103FF     2     N    N    N     ALLOW
        all     1000     0     0x00000000F00003E8  2     N    N    N     ALLOW
        all     1000     0     0x00000000800003E8  2     N    N    N     ALLOW
        all     1000     0     0x00000001800003E8  2     N    N    N     ALLOW
        all     1000     0     0x00000001000003E8  2     N    N    N     ALLOW
        all     1000     0     0x0000000F000003E8  2     N    N    N     ALLOW
        all     1000     0     0xFFFFFFFFFFFF03E8  2     N    N    N     ALLOW
    ";
    let s = fake(1000);
    let masked = |mask: u64, datum: u64| Condition::arg64(1, Cmp::MaskedEq(mask), datum & mask);
    run_vectors(
        "12-sim-basic_masked_ops",
        &Abi::ALL,
        &fakes(&[1000]),
        table,
        |abi| {
            Policy::<8>::for_abis(&[abi], Action::KillThread)
                .rule(s, &[eq64(0, 0), eq64(1, 1), eq64(2, 2)], Action::Allow)
                .rule(
                    s,
                    &[eq64(0, 0), masked(0x00ff, 1), eq64(2, 2)],
                    Action::Allow,
                )
                .rule(
                    s,
                    &[eq64(0, 0), masked(0xffff, 11), eq64(2, 2)],
                    Action::Allow,
                )
                .rule(
                    s,
                    &[eq64(0, 0), masked(0xffff, 111), eq64(2, 2)],
                    Action::Allow,
                )
                .rule(
                    s,
                    &[eq64(0, 0), masked(0xff00, 1000), eq64(2, 2)],
                    Action::Allow,
                )
        },
    );
}

// ---------------------------------------------------------------------------
// 64-bit comparisons.

/// libseccomp `tests/25-sim-multilevel_chains_adv.{c,tests}`: syscalls
/// given by x86-64 number (10 = mprotect, 20 = writev), chains mixing `==`
/// and `!=`, and argument values that differ from the data only in the
/// high word (`0x10000000b` is not 11; `0x10000000c` is not 12).
#[test]
fn libseccomp_25_sim_multilevel_chains_adv() {
    let table = "
        # Arch   Syscall  Arg0         Arg1         Arg2         Arg3 Arg4 Arg5  Result
        +x86_64  0-9      N            N            N            N    N    N     KILL
        +x86_64  10       0x0000000b   0x00000000   N            N    N    N     ALLOW
        +x86_64  10       0x10000000b  0x00000000   N            N    N    N     KILL
        +x86_64  10       0x0000000b   0x10000000c  N            N    N    N     ALLOW
        +x86_64  11-19    N            N            N            N    N    N     KILL
        +x86_64  20       0x00000015   0x00000000   0x00000017   N    N    N     ALLOW
        +x86_64  20       0x00000015   0x00000016   0x00000017   N    N    N     KILL
        +x86_64  20       0x100000015  0x00000000   0x00000017   N    N    N     KILL
        +x86_64  20       0x00000015   0x00000000   0x100000017  N    N    N     KILL
        +x86_64  21-30    N            N            N            N    N    N     KILL
    ";
    let by_number = |nr| Abi::X86_64.syscall(nr).expect("x86-64 syscall");
    assert_eq!(by_number(10), Syscall::mprotect);
    assert_eq!(by_number(20), Syscall::writev);
    run_vectors(
        "25-sim-multilevel_chains_adv",
        &[Abi::X86_64],
        &[],
        table,
        |abi| {
            Policy::<2>::for_abis(&[abi], Action::KillThread)
                .rule(by_number(10), &[eq64(0, 11), ne64(1, 12)], Action::Allow)
                .rule(
                    by_number(20),
                    &[eq64(0, 21), ne64(1, 22), eq64(2, 23)],
                    Action::Allow,
                )
        },
    );
}

/// libseccomp `tests/48-sim-32b_args.{c,tests}`: `A0 == -1` as
/// `SCMP_A0` (the datum is 64-bit, 0xffff_ffff_ffff_ffff), `SCMP_A0_64`
/// (the same) and `SCMP_A0_32` (fake syscalls 1000, 1064, 1032; again as
/// 2000, 2064, 2032).
///
/// Difference: `SCMP_A0_32(EQ, -1)` casts the datum to 32 bits but
/// libseccomp still compares the whole 64-bit register on x86-64 (the
/// table allows 0xffffffff and kills 0xffffffffffffffff), so it is ported
/// as `arg64(0, Eq, 0xffff_ffff)`, not as `arg32`, which ignores the high
/// word and would allow both.
#[test]
fn libseccomp_48_sim_32b_args() {
    let table = "
        # Arch  Syscall  Arg0                Arg1 Arg2 Arg3 Arg4 Arg5  Result
        x86_64  1000     0x0                 N    N    N    N    N     KILL
        x86_64  1000     0xffffffff          N    N    N    N    N     KILL
        x86_64  1000     0xffffffffffffffff  N    N    N    N    N     ALLOW
        x86_64  1032     0x0                 N    N    N    N    N     KILL
        x86_64  1032     0xffffffff          N    N    N    N    N     ALLOW
        x86_64  1032     0xffffffffffffffff  N    N    N    N    N     KILL
        x86_64  1064     0x0                 N    N    N    N    N     KILL
        x86_64  1064     0xffffffff          N    N    N    N    N     KILL
        x86_64  1064     0xffffffffffffffff  N    N    N    N    N     ALLOW
        x86_64  2000     0x0                 N    N    N    N    N     KILL
        x86_64  2000     0xffffffff          N    N    N    N    N     KILL
        x86_64  2000     0xffffffffffffffff  N    N    N    N    N     ALLOW
        x86_64  2032     0x0                 N    N    N    N    N     KILL
        x86_64  2032     0xffffffff          N    N    N    N    N     ALLOW
        x86_64  2032     0xffffffffffffffff  N    N    N    N    N     KILL
        x86_64  2064     0x0                 N    N    N    N    N     KILL
        x86_64  2064     0xffffffff          N    N    N    N    N     KILL
        x86_64  2064     0xffffffffffffffff  N    N    N    N    N     ALLOW
    ";
    // Six fakes of this test, mapped to six distinct real syscalls.
    let f: Vec<(u64, Syscall)> = [1000, 1032, 1064, 2000, 2032, 2064]
        .into_iter()
        .zip([
            Syscall::getpid,
            Syscall::getppid,
            Syscall::gettid,
            Syscall::dup,
            Syscall::dup3,
            Syscall::fchdir,
        ])
        .collect();
    let s = |n: u64| f.iter().find(|(k, _)| *k == n).unwrap().1;
    let all_ones = eq64(0, u64::MAX);
    let a0_32 = eq64(0, u64::from(u32::MAX));
    run_vectors("48-sim-32b_args", &[Abi::X86_64], &f, table, |abi| {
        Policy::<8>::for_abis(&[abi], Action::KillThread)
            .rule(s(1000), &[all_ones], Action::Allow)
            .rule(s(1064), &[all_ones], Action::Allow)
            .rule(s(1032), &[a0_32], Action::Allow)
            .rule(s(2000), &[all_ones], Action::Allow)
            .rule(s(2064), &[all_ones], Action::Allow)
            .rule(s(2032), &[a0_32], Action::Allow)
    });
}

/// libseccomp `tests/49-sim-64b_comparisons.{c,tests}`: `A0 <
/// 0x123456789abc` (fake syscall 1000), rows on 64-bit architectures only
/// (`all_64`), around the high word 0x1234 and the low word 0x56789abc.
#[test]
fn libseccomp_49_sim_64b_comparisons() {
    let table = "
        # Arch  Syscall  Arg0            Arg1 Arg2 Arg3 Arg4 Arg5  Result
        all_64  1000     0x000000000000  N    N    N    N    N     ALLOW
        all_64  1000     0x123000000000  N    N    N    N    N     ALLOW
        all_64  1000     0x1230f0000000  N    N    N    N    N     ALLOW
        all_64  1000     0x123400000000  N    N    N    N    N     ALLOW
        all_64  1000     0x123450000000  N    N    N    N    N     ALLOW
        all_64  1000     0x123460000000  N    N    N    N    N     KILL
        all_64  1000     0x1234f0000000  N    N    N    N    N     KILL
        all_64  1000     0x123500000000  N    N    N    N    N     KILL
        all_64  1000     0x1235f0000000  N    N    N    N    N     KILL
        all_64  1000     0x123600000000  N    N    N    N    N     KILL
    ";
    let s = fake(1000);
    let calls = run_vectors(
        "49-sim-64b_comparisons",
        &Abi::ALL,
        &fakes(&[1000]),
        table,
        |abi| {
            Policy::<1>::for_abis(&[abi], Action::KillThread).rule(
                s,
                &[Condition::arg64(0, Cmp::Lt, 0x1234_5678_9abc)],
                Action::Allow,
            )
        },
    );
    let abis_64 = Abi::ALL.iter().filter(|a| a.pointer_bits() == 64).count();
    assert_eq!(calls, 10 * abis_64);
}

// ---------------------------------------------------------------------------
// Architectures.

/// libseccomp `tests/28-sim-arch_x86.{c,tests}`: a filter for x86-64 and
/// x86 (in that order, x32 explicitly left out), default ALLOW, `close`
/// ERRNO(1). Calls from arm and from x32 (which shares x86-64's
/// `AUDIT_ARCH`) get libseccomp's default bad-arch action, KILL
/// (`SECCOMP_RET_KILL_THREAD`), set here with `bad_arch`.
#[test]
fn libseccomp_28_sim_arch_x86() {
    let table = "
        # Arch        Syscall  Arg0 Arg1 Arg2 Arg3 Arg4 Arg5  Result
        +x86,+x86_64  read     N    N    N    N    N    N     ALLOW
        +x86,+x86_64  close    N    N    N    N    N    N     ERRNO(1)
        +arm,+x32     read     N    N    N    N    N    N     KILL
        +arm,+x32     close    N    N    N    N    N    N     KILL
    ";
    // The filter does not depend on the native ABI.
    let calls = run_vectors("28-sim-arch_x86", &[Abi::X86_64], &[], table, |_| {
        Policy::<1>::for_abis(&[Abi::X86_64, Abi::I386], Action::Allow)
            .bad_arch(Action::KillThread)
            .action(Syscall::close, Action::Errno(EPERM))
    });
    assert_eq!(calls, 8);
}
