//! Our generated syscall tables against libseccomp's, entry by entry.
//!
//! libseccomp (Debian's 2.5.4, package `seccomp`) keeps its own tables, made
//! independently of ours. For every ABI both know, this asks its resolver
//! (`scmp_sys_resolver -a ARCH NAME|NUMBER`) for the number of each of our
//! names and for the name at each number we leave empty, and collects every
//! difference. The differences that are known and explained are listed
//! below; any other one fails the test, and so does a listed one that went
//! away (so the list stays true).

#[path = "support/skip.rs"]
mod skip;

use seclude::tables::{Abi, Syscall};
use std::collections::BTreeSet;
use std::process::Command;

/// Syscalls newer than Debian's libseccomp 2.5.4-1+deb12u1 (whose tables
/// were updated up to Linux 6.7: `cachestat`, `fchmodat2`,
/// `map_shadow_stack` and the `futex_*` calls are known to it): on every ABI that has them, libseccomp does not
/// know the name (it answers -1).
const NEWER_THAN_LIBSECCOMP: &[&str] = &[
    "riscv_hwprobe",     // Linux 6.4 (RISC-V only)
    "statmount",         // Linux 6.8
    "listmount",         // Linux 6.8
    "lsm_get_self_attr", // Linux 6.8
    "lsm_set_self_attr", // Linux 6.8
    "lsm_list_modules",  // Linux 6.8
    "mseal",             // Linux 6.10
    "uretprobe",         // Linux 6.11 (x86-64 only)
    "setxattrat",        // Linux 6.13
    "getxattrat",        // Linux 6.13
    "listxattrat",       // Linux 6.13
    "removexattrat",     // Linux 6.13
    "open_tree_attr",    // Linux 6.15
    "file_getattr",      // Linux 6.17
    "file_setattr",      // Linux 6.17
];

/// On ABIs whose kernels also multiplex sockets through `socketcall` and
/// SysV IPC through `ipc`, libseccomp 2.5.4 resolves the direct calls
/// (`socket` is 359 on i386 since Linux 4.3) to its own negative
/// pseudo-numbers and filters them through the multiplexer instead. Our
/// tables give them the kernel's real numbers. For these the test checks
/// that libseccomp's translation (`-t`) lands on our `socketcall` or `ipc`.
const MULTIPLEXING_ABIS: &[Abi] = &[
    Abi::I386,
    Abi::S390x,
    Abi::Ppc,
    Abi::Ppc64,
    Abi::Ppc64le,
    Abi::Mips,
    Abi::Mipsel,
];
const SOCKETCALL_CALLS: &[&str] = &[
    "socket",
    "bind",
    "connect",
    "listen",
    "accept",
    "getsockname",
    "getpeername",
    "socketpair",
    "send",
    "recv",
    "sendto",
    "recvfrom",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "sendmsg",
    "recvmsg",
    "accept4",
    "recvmmsg",
    "sendmmsg",
];
const IPC_CALLS: &[&str] = &[
    "semop",
    "semget",
    "semctl",
    "semtimedop",
    "msgsnd",
    "msgrcv",
    "msgget",
    "msgctl",
    "shmat",
    "shmdt",
    "shmget",
    "shmctl",
];

/// Single differences: `(abi, name, libseccomp's answer, why)`.
const KNOWN: &[(&str, &str, i64, &str)] = &[(
    "x32",
    "map_shadow_stack",
    -10245,
    "the kernel's syscall_64.tbl marks map_shadow_stack `common`, so x32 has it \
     (0x40000000 + 453); libseccomp's table leaves it out of x32",
)];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Mismatch {
    /// We have `name` at `ours`; libseccomp answers `theirs` (negative:
    /// -1 for an unknown name, below -100 for one of its pseudo-syscalls).
    Number {
        abi: &'static str,
        name: String,
        ours: u32,
        theirs: i64,
    },
    /// libseccomp names `name` at a number where our table has nothing.
    Extra {
        abi: &'static str,
        nr: u32,
        name: String,
    },
}

fn resolve_with(abi: Abi, flags: &[&str], what: &str) -> String {
    let out = Command::new("scmp_sys_resolver")
        .args(flags)
        .args(["-a", abi.name(), what])
        .output()
        .unwrap_or_else(|e| {
            panic!("scmp_sys_resolver: {e}: install Debian's `seccomp` package (apt-get install seccomp)")
        });
    assert!(
        out.status.success(),
        "scmp_sys_resolver -a {abi} {what}: {out:?}"
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Whether libseccomp's resolver is installed (saying so if not).
fn have_resolver() -> bool {
    if skip::on_path("scmp_sys_resolver") {
        return true;
    }
    skip::skipped(
        "syscall tables vs libseccomp's",
        "no scmp_sys_resolver on PATH",
        "apt-get install seccomp",
    );
    false
}

fn resolve(abi: Abi, what: &str) -> String {
    resolve_with(abi, &[], what)
}

/// The ABIs libseccomp 2.5.4 has tables for: all of ours but LoongArch and
/// 32-bit RISC-V, which it does not support.
fn libseccomp_abis() -> Vec<Abi> {
    Abi::ALL
        .into_iter()
        .filter(|a| !matches!(a, Abi::Loongarch64 | Abi::Riscv32))
        .collect()
}

fn mismatches_for(abi: Abi) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for &(ours, call) in abi.entries() {
        let answer = resolve(abi, call.name());
        let theirs = answer
            .parse::<i64>()
            .unwrap_or_else(|_| panic!("{abi} {call}: {answer:?}"));
        if theirs != i64::from(ours) {
            out.push(Mismatch::Number {
                abi: abi.name(),
                name: call.name().to_string(),
                ours,
                theirs,
            });
        }
    }
    // Numbers we leave empty, from the ABI's base to past our last number.
    let base = abi.number_base();
    let last = abi
        .entries()
        .iter()
        .map(|e| e.0)
        .filter(|&n| n < base + 0x1000)
        .max()
        .unwrap();
    for nr in base..=last + 64 {
        if abi.syscall(nr).is_none() {
            let name = resolve(abi, &nr.to_string());
            if name != "UNKNOWN" {
                out.push(Mismatch::Extra {
                    abi: abi.name(),
                    nr,
                    name,
                });
            }
        }
    }
    out
}

/// Why a difference is expected, or `None` if it is not.
fn explain(found: &Mismatch) -> Option<&'static str> {
    let Mismatch::Number {
        abi, name, theirs, ..
    } = found
    else {
        return None;
    };
    if let Some(known) = KNOWN
        .iter()
        .find(|k| (k.0, k.1, k.2) == (*abi, name.as_str(), *theirs))
    {
        return Some(known.3);
    }
    let abi = Abi::from_name(abi).unwrap();
    if NEWER_THAN_LIBSECCOMP.contains(&name.as_str()) && *theirs == -1 {
        return Some("newer than libseccomp 2.5.4");
    }
    let mux = if SOCKETCALL_CALLS.contains(&name.as_str()) {
        Syscall::socketcall
    } else if IPC_CALLS.contains(&name.as_str()) {
        Syscall::ipc
    } else {
        return None;
    };
    if MULTIPLEXING_ABIS.contains(&abi) && *theirs < -100 {
        let translated = resolve_with(abi, &["-t"], name);
        if translated.parse::<i64>().ok() == abi.number(mux).map(i64::from) {
            return Some("libseccomp pseudo-syscall for a multiplexed call");
        }
    }
    None
}

#[test]
fn tables_agree_with_libseccomp() {
    if !have_resolver() {
        return;
    }
    let abis = libseccomp_abis();
    // Two cores: split the ~15k resolver runs over a few threads.
    let found: BTreeSet<Mismatch> = std::thread::scope(|s| {
        let handles: Vec<_> = abis
            .iter()
            .map(|&abi| s.spawn(move || mismatches_for(abi)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let mut unexpected = Vec::new();
    let mut newer_seen = BTreeSet::new();
    let mut multiplexed = 0;
    let mut known_seen = 0;
    for m in &found {
        match explain(m) {
            None => unexpected.push(m),
            Some(why) if KNOWN.iter().any(|k| k.3 == why) => known_seen += 1,
            Some(why) if why.starts_with("newer") => {
                if let Mismatch::Number { name, .. } = m {
                    newer_seen.insert(name.as_str());
                }
            }
            Some(_) => multiplexed += 1,
        }
    }
    let newer_unseen: Vec<&&str> = NEWER_THAN_LIBSECCOMP
        .iter()
        .filter(|n| !newer_seen.contains(**n))
        .collect();
    let compared: usize = abis.iter().map(|a| a.entries().len()).sum();
    println!(
        "compared {compared} entries over {} ABIs: {} differences, {} newer than libseccomp, \
         {multiplexed} multiplexed socket/IPC calls, {} unexplained",
        abis.len(),
        found.len(),
        found.len() - multiplexed - known_seen - unexpected.len(),
        unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "unexplained differences: {unexpected:#?}"
    );
    // A listed name that libseccomp knows after all would hide a real
    // difference on some ABI: the list must stay exact.
    assert!(
        newer_unseen.is_empty(),
        "listed as newer than libseccomp but it knows them: {newer_unseen:?}"
    );
    assert_eq!(
        known_seen,
        KNOWN.len(),
        "a listed single difference went away: update KNOWN"
    );
    // The explanation for socket/IPC calls must stay true too.
    assert!(
        multiplexed > 100,
        "only {multiplexed} multiplexed calls: libseccomp's behaviour changed?"
    );
}

#[test]
fn resolver_answers_what_we_parse() {
    if !have_resolver() {
        return;
    }
    // The comparison above relies on these answer forms.
    assert_eq!(resolve(Abi::X86_64, "read"), "0");
    assert_eq!(resolve(Abi::X86_64, "no_such_syscall"), "-1");
    assert!(resolve(Abi::X86_64, "socketcall").starts_with("-10"));
    assert_eq!(resolve(Abi::X86_64, "9999"), "UNKNOWN");
    assert_eq!(resolve(Abi::X86_64, "0"), "read");
    let _ = Syscall::read;
}
