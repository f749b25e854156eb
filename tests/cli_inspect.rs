//! `seclude resolve`, `syscalls`, `bpf` and `explain`, run as a command:
//! their output against libseccomp's `scmp_sys_resolver`, the library's
//! tables and the library's compiled programs.

#[path = "support/skip.rs"]
mod skip;

use seclude::pledge::{Penalty, Promises, program};
use seclude::tables::Abi;
use std::process::Command;

/// The exit statuses of `seclude` (its `exit` module).
const USAGE: i32 = 64;
const PROMISES: i32 = 65;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn seclude(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_seclude"))
        .args(args)
        .output()
        .expect("run seclude");
    Run {
        code: out.status.code().expect("seclude exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `seclude ARGS`, which must succeed; its standard output.
fn ok(args: &[&str]) -> String {
    let run = seclude(args);
    assert_eq!(
        run.code, 0,
        "seclude {args:?}: {}\n{}",
        run.stderr, run.stdout
    );
    assert_eq!(run.stderr, "", "seclude {args:?}");
    run.stdout
}

/// `seclude ARGS`, which must fail with `code` and a message naming each
/// of `named`, and print nothing on standard output.
fn fails(args: &[&str], code: i32, named: &[&str]) {
    let run = seclude(args);
    assert_eq!(
        run.code, code,
        "seclude {args:?}: {}\n{}",
        run.stderr, run.stdout
    );
    assert!(
        run.stderr.starts_with("seclude: "),
        "seclude {args:?}: {}",
        run.stderr
    );
    for word in named {
        assert!(
            run.stderr.lines().next().unwrap().contains(word),
            "seclude {args:?} should name {word:?}: {}",
            run.stderr
        );
    }
    assert_eq!(run.stdout, "", "seclude {args:?}");
}

fn scmp_sys_resolver(abi: &str, what: &str) -> String {
    let out = Command::new("scmp_sys_resolver")
        .args(["-a", abi, what])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "scmp_sys_resolver: {e}: install Debian's `seccomp` package (apt-get install seccomp)"
            )
        });
    assert!(out.status.success(), "scmp_sys_resolver -a {abi} {what}");
    String::from_utf8(out.stdout).unwrap()
}

/// Syscalls both tables have on x86_64, x86 and aarch64 (and that
/// libseccomp numbers as the kernel does: not i386's socket calls, which
/// it gives pseudo-numbers for the socketcall multiplexer).
const SAMPLE: [&str; 16] = [
    "read",
    "write",
    "openat",
    "close",
    "execve",
    "dup3",
    "pipe2",
    "mmap",
    "mprotect",
    "ptrace",
    "clone",
    "exit_group",
    "getpid",
    "futex",
    "ioctl",
    "kill",
];

#[test]
fn resolve_agrees_with_scmp_sys_resolver() {
    if !skip::on_path("scmp_sys_resolver") {
        return skip::skipped(
            "seclude resolve vs libseccomp's scmp_sys_resolver",
            "no scmp_sys_resolver on PATH",
            "apt-get install seccomp",
        );
    }
    for abi in ["x86_64", "x86", "aarch64"] {
        for name in SAMPLE {
            let ours = ok(&["resolve", "--arch", abi, name]);
            assert_eq!(ours, scmp_sys_resolver(abi, name), "{abi} {name}");
            let nr = ours.trim_end();
            assert!(nr.parse::<u32>().is_ok(), "{abi} {name}: {ours:?}");
            let back = ok(&["resolve", "-a", abi, nr]);
            assert_eq!(back, format!("{name}\n"), "{abi} {nr}");
            assert_eq!(back, scmp_sys_resolver(abi, nr), "{abi} {nr}");
        }
    }
    // Without --arch: this machine's ABI, as scmp_sys_resolver.
    let native = Abi::NATIVE.name();
    assert_eq!(
        ok(&["resolve", "openat"]),
        scmp_sys_resolver(native, "openat")
    );
    // Several at once: one a line, in order.
    let names = ok(&["resolve", "--arch", "x86_64", "openat", "0", "execve"]);
    assert_eq!(names, "257\nread\n59\n");
}

#[test]
fn resolve_errors_name_the_argument() {
    fails(&["resolve", "no_such_call"], USAGE, &["no_such_call"]);
    fails(&["resolve", "--arch", "x86_64", "9999"], USAGE, &["9999"]);
    fails(
        &["resolve", "--arch", "aarch64", "open"],
        USAGE,
        &["aarch64", "\"open\""],
    );
    fails(&["resolve", "--arch", "vax", "read"], USAGE, &["vax"]);
    fails(&["resolve", "--arch"], USAGE, &["--arch"]);
    fails(&["resolve"], USAGE, &["resolve"]);
    // Nothing printed when any argument is bad.
    fails(&["resolve", "read", "bogus", "write"], USAGE, &["bogus"]);
}

#[test]
fn syscalls_lists_the_tables_and_resolve_agrees() {
    for abi in [Abi::X86_64, Abi::I386, Abi::Aarch64, Abi::Mips64, Abi::X32] {
        let out = ok(&["syscalls", "--arch", abi.name()]);
        let pairs: Vec<(u32, &str)> = out
            .lines()
            .map(|line| {
                let (nr, name) = line.split_once(' ').expect("NUMBER NAME");
                (nr.parse().expect("a number"), name)
            })
            .collect();
        let table: Vec<(u32, &str)> = abi
            .entries()
            .iter()
            .map(|&(nr, call)| (nr, call.name()))
            .collect();
        assert_eq!(pairs, table, "{abi}");
        assert!(
            pairs.windows(2).all(|w| w[0].0 < w[1].0),
            "{abi}: by number"
        );
        // resolve, for every line, both ways.
        let mut names = vec!["resolve", "--arch", abi.name()];
        names.extend(pairs.iter().map(|&(_, name)| name));
        let numbers: Vec<String> = pairs.iter().map(|&(nr, _)| nr.to_string()).collect();
        let want_numbers: String = numbers.iter().map(|n| format!("{n}\n")).collect();
        assert_eq!(ok(&names), want_numbers, "{abi}: resolve NAME");
        let mut by_number = vec!["resolve", "--arch", abi.name()];
        by_number.extend(numbers.iter().map(String::as_str));
        let want_names: String = pairs.iter().map(|&(_, n)| format!("{n}\n")).collect();
        assert_eq!(ok(&by_number), want_names, "{abi}: resolve NUMBER");
    }
    let x86_64 = ok(&["syscalls", "--arch", "x86_64"]);
    for known in ["0 read", "1 write", "59 execve", "257 openat"] {
        assert!(x86_64.lines().any(|l| l == known), "x86_64: {known}");
    }
    let aarch64 = ok(&["syscalls", "--arch", "aarch64"]);
    assert!(aarch64.lines().any(|l| l == "56 openat"));
    assert!(!aarch64.lines().any(|l| l.ends_with(" open")));
    fails(&["syscalls", "read"], USAGE, &["\"read\""]);
}

/// The program length the library compiles, on a thread with room for
/// the unoptimized builders.
fn library_len(promises: &'static str, penalty: Penalty, abi: Abi) -> usize {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            program(Promises::parse(promises).unwrap(), penalty, abi)
                .unwrap()
                .len()
        })
        .unwrap()
        .join()
        .unwrap()
}

/// The instruction lines of a listing and the count its last line states.
fn listing(out: &str) -> (Vec<&str>, usize) {
    let insns: Vec<&str> = out
        .lines()
        .filter(|l| l.len() > 6 && l[..4].bytes().all(|b| b.is_ascii_digit()) && &l[4..6] == ": ")
        .collect();
    for (i, line) in insns.iter().enumerate() {
        assert!(line.starts_with(&format!("{i:04}: ")), "{line}");
    }
    let last = out.lines().last().unwrap();
    let stated = last
        .strip_prefix("; ")
        .and_then(|l| l.strip_suffix(" instructions (of 4096)"))
        .unwrap_or_else(|| panic!("last line: {last:?}"));
    (insns, stated.parse().unwrap())
}

#[test]
fn bpf_prints_the_library_program() {
    let cases: [(&[&str], &'static str, Penalty, Abi); 5] = [
        (&[], "stdio rpath", Penalty::EPERM, Abi::NATIVE),
        (&["-k"], "stdio rpath", Penalty::KILL_PROCESS, Abi::NATIVE),
        (
            &["-p", "stdio", "-p", "inet,dns"],
            "stdio inet dns",
            Penalty::EPERM,
            Abi::NATIVE,
        ),
        (
            &["-p", "stdio", "--arch", "aarch64"],
            "stdio",
            Penalty::EPERM,
            Abi::Aarch64,
        ),
        (
            &["-pstdio tty", "-k", "--arch=mips"],
            "stdio tty",
            Penalty::KILL_PROCESS,
            Abi::Mips,
        ),
    ];
    let mut lengths = Vec::new();
    for (flags, promises, penalty, abi) in cases {
        let mut args = vec!["bpf"];
        args.extend_from_slice(flags);
        let out = ok(&args);
        let (insns, stated) = listing(&out);
        let want = library_len(promises, penalty, abi);
        assert_eq!(insns.len(), want, "bpf {flags:?}");
        assert_eq!(stated, want, "bpf {flags:?}");
        let first = out.lines().next().unwrap();
        assert!(
            first.contains(&format!("\"{promises}\" on {abi}")),
            "bpf {flags:?}: {first}"
        );
        assert!(out.contains("0x7ffffff0 stands for the process's own pid"));
        // The refused calls' return, and syscall names in comments.
        let refused = if penalty == Penalty::EPERM {
            "ret ERRNO(1)"
        } else {
            "ret KILL_PROCESS"
        };
        assert!(insns.iter().any(|l| l.ends_with(refused)), "bpf {flags:?}");
        if penalty == Penalty::KILL_PROCESS {
            assert!(!insns.iter().any(|l| l.ends_with("ret ERRNO(1)")));
        }
        let named = insns.iter().filter_map(|l| l.split_once("  ; ")).count();
        let syscall_names = insns
            .iter()
            .filter_map(|l| l.split_once("  ; "))
            .filter(|(_, name)| abi.number_of(name).is_some())
            .count();
        assert!(
            syscall_names > 10,
            "bpf {flags:?}: syscall names in comments"
        );
        assert_eq!(named, syscall_names + 1, "bpf {flags:?}: and the ABI's");
        lengths.push(insns.len());
    }
    // -k changes the program.
    assert_ne!(lengths[0], lengths[1]);
    assert_eq!(
        ok(&["bpf"]),
        ok(&["bpf", "-p", "stdio rpath"]),
        "default promises"
    );
    fails(&["bpf", "-p", "stdio rpth"], PROMISES, &["\"rpth\""]);
    fails(&["bpf", "-q"], USAGE, &["\"-q\""]);
}

#[test]
fn explain_allowed_calls_name_their_promise() {
    let out = ok(&["explain", "-p", "stdio", "read", "0", "0", "16"]);
    assert_eq!(
        out.lines().next().unwrap(),
        "read(0, 0, 16) on x86_64 under \"stdio\": allowed".replace("x86_64", Abi::NATIVE.name())
    );
    assert!(out.contains("\nallowed by: stdio\n"), "{out}");
    assert!(out.contains("the compiled filter agrees: ALLOW"), "{out}");

    let out = ok(&[
        "explain",
        "-p",
        "stdio inet",
        "socket",
        "AF_INET",
        "SOCK_STREAM",
    ]);
    assert!(out.contains(": allowed\n"), "{out}");
    assert!(out.contains("\nallowed by: inet\n"), "{out}");
    // Both allow a UDP socket: both are named.
    let out = ok(&[
        "explain",
        "-p",
        "stdio inet dns",
        "socket",
        "AF_INET",
        "SOCK_DGRAM|SOCK_CLOEXEC",
    ]);
    assert!(
        out.contains("\nallowed by: inet (also by dns alone)\n"),
        "{out}"
    );
    // The smallest set when it takes two.
    let out = ok(&[
        "explain",
        "-p",
        "stdio rpath wpath cpath inet",
        "openat",
        "AT_FDCWD",
        "0",
        "O_WRONLY|O_CREAT",
    ]);
    assert!(out.contains("\nallowed by: wpath cpath\n"), "{out}");
    let out = ok(&["explain", "-p", "", "exit_group", "0"]);
    assert!(out.contains("under no promises: allowed\n"), "{out}");
    assert!(out.contains("even without promises"), "{out}");
}

#[test]
fn explain_refused_calls_name_the_missing_promises() {
    let out = ok(&[
        "explain",
        "-p",
        "stdio rpath",
        "--arch",
        "x86_64",
        "openat",
        "AT_FDCWD",
        "0",
        "O_WRONLY|O_CREAT",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "openat(AT_FDCWD, 0, O_WRONLY|O_CREAT) on x86_64 under \"stdio rpath\": refused (EPERM)"
    );
    assert_eq!(lines[1], "  as numbers: openat(-100, 0, 0x41)");
    assert_eq!(lines[2], "would be allowed with: wpath cpath");
    assert!(
        lines[3].starts_with("the compiled filter agrees: ERRNO(1) after "),
        "{out}"
    );

    let out = ok(&["explain", "-p", "stdio", "socket", "AF_INET", "SOCK_STREAM"]);
    assert!(out.contains("\nwould be allowed with: inet\n"), "{out}");

    let out = ok(&["explain", "ptrace", "0", "1"]);
    assert!(out.contains(": refused (EPERM)\n"), "{out}");
    assert!(out.contains("\nno promise allows it\n"), "{out}");

    // -k: the process is killed, and the filter agrees.
    let out = ok(&["explain", "-k", "ptrace"]);
    assert!(out.contains("the process is killed"), "{out}");
    assert!(out.contains("agrees: KILL_PROCESS"), "{out}");

    // ENOSYS whatever the promises.
    let out = ok(&["explain", "--arch", "x86_64", "clone3"]);
    assert!(out.contains("fails with ENOSYS"), "{out}");
    assert!(out.contains("agrees: ERRNO(38)"), "{out}");
}

#[test]
fn explain_takes_numbers_and_follows_the_abi() {
    // A number instead of a name: read on x86_64, openat on aarch64.
    let out = ok(&["explain", "-p", "stdio", "--arch", "x86_64", "0"]);
    assert!(
        out.starts_with("read() on x86_64 under \"stdio\": allowed\n"),
        "{out}"
    );
    let out = ok(&["explain", "--arch", "aarch64", "56", "-100", "0", "0x41"]);
    assert!(out.starts_with("openat(-100, 0, 0x41) on aarch64"), "{out}");
    assert!(out.contains("would be allowed with: wpath cpath"), "{out}");
    // MIPS numbers the flags and socket types its own way.
    let out = ok(&[
        "explain",
        "--arch",
        "mips",
        "openat",
        "AT_FDCWD",
        "0",
        "O_WRONLY|O_CREAT",
    ]);
    assert!(out.contains("as numbers: openat(-100, 0, 0x101)"), "{out}");
    assert!(out.contains("would be allowed with: wpath cpath"), "{out}");
    let out = ok(&[
        "explain",
        "--arch",
        "mips",
        "-p",
        "stdio inet",
        "socket",
        "AF_INET",
        "SOCK_STREAM",
    ]);
    assert!(out.contains("as numbers: socket(2, 2)"), "{out}");
    assert!(out.contains("allowed by: inet"), "{out}");
    // SELF is the process's own pid; another pid needs proc.
    let out = ok(&["explain", "-p", "stdio", "kill", "SELF", "SIGTERM"]);
    assert!(out.contains("allowed by: stdio"), "{out}");
    let out = ok(&["explain", "-p", "stdio", "kill", "1", "SIGTERM"]);
    assert!(out.contains("would be allowed with: proc"), "{out}");
}

#[test]
fn explain_errors_name_the_argument() {
    fails(
        &["explain", "-p", "stdio rpth", "read"],
        PROMISES,
        &["\"rpth\""],
    );
    fails(&["explain", "no_such_call"], USAGE, &["\"no_such_call\""]);
    fails(
        &["explain", "--arch", "aarch64", "open"],
        USAGE,
        &["\"open\""],
    );
    fails(&["explain", "99999"], USAGE, &["99999"]);
    fails(
        &["explain", "openat", "AT_FDCWD", "0", "O_WRONLY|O_CRAET"],
        USAGE,
        &["argument 3", "\"O_CRAET\""],
    );
    fails(
        &["explain", "read", "12z"],
        USAGE,
        &["argument 1", "\"12z\""],
    );
    fails(
        &["explain", "--arch", "x86", "read", "0x100000000"],
        USAGE,
        &["0x100000000"],
    );
    fails(
        &["explain", "read", "1", "2", "3", "4", "5", "6", "7"],
        USAGE,
        &["argument 7"],
    );
    fails(
        &["explain", "--frobnicate", "read"],
        USAGE,
        &["\"--frobnicate\""],
    );
    fails(&["explain"], USAGE, &["no syscall"]);
}

#[test]
fn every_subcommand_has_help_and_refuses_unknown_flags() {
    for sub in ["explain", "bpf", "resolve", "syscalls"] {
        for help in ["--help", "-h"] {
            let out = ok(&[sub, help]);
            assert!(
                out.starts_with(&format!("usage: seclude {sub} ")),
                "{sub} {help}: {out}"
            );
            assert!(out.contains("example"), "{sub} {help}: {out}");
            assert!(out.contains(&format!("\n  seclude {sub} ")), "{sub}: {out}");
        }
        fails(&[sub, "-z"], USAGE, &[sub, "\"-z\""]);
        fails(&[sub, "--arch", "vax"], USAGE, &[sub, "\"vax\""]);
    }
    // Only explain and bpf take a policy.
    for sub in ["resolve", "syscalls"] {
        fails(&[sub, "-k"], USAGE, &["\"-k\""]);
        fails(&[sub, "-p", "stdio"], USAGE, &["\"-p\""]);
    }
    let help = ok(&["explain", "--help"]);
    for name in [
        "O_CREAT",
        "AT_FDCWD",
        "SOCK_STREAM",
        "TIOCGWINSZ",
        "SIGKILL",
    ] {
        assert!(help.contains(name), "explain --help lists {name}");
    }
}
