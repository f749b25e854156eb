//! `explain`, `bpf`, `resolve` and `syscalls`: the policy and the tables,
//! without running anything.
//!
//! - `resolve` and `syscalls` read the syscall tables (`resolve` prints
//!   what libseccomp's `scmp_sys_resolver` prints for one argument, so
//!   scripts can switch);
//! - `bpf` prints the compiled pledge filter;
//! - `explain` answers for one call from the promise table, checks the
//!   answer against the compiled filter run in the simulator, and says
//!   which promises allow (or would allow) the call.

use crate::cli::{self, DEFAULT_PROMISES, Failure};
use crate::exit;
use seclude::bpf::{Action, Listing, MAX_INSNS, SeccompData, simulate};
use seclude::pledge::{
    Decision, Penalty, Promises, SELF_PID, decide, patch_self_pid, program, would_allow,
};
use seclude::seccomp::Program;
use seclude::tables::{Abi, Syscall, constants};
use std::ffi::OsString;

const EXPLAIN_HELP: &str = "\
usage: seclude explain [-p PROMISES]... [-k] [--arch ARCH] SYSCALL [ARG]...

What a pledge does with one system call: allowed (and by which promise),
refused (and which promises would allow it), or ENOSYS. The answer comes
from the promise table and is checked against the compiled filter.

  -p PROMISES   promise words, space- or comma-separated; repeatable
                (default \"stdio rpath\")
  -k            refused calls kill the process (default: they fail with EPERM)
  --arch ARCH   the ABI (default: this machine's; -a ARCH also works)
  SYSCALL       a name (openat) or a number (257)
  ARG           up to 6 arguments, missing ones are 0: numbers (42, 0x41,
                0o644, -100) or names joined with '|' (O_WRONLY|O_CREAT);
                SELF is the sandboxed process's own pid

Argument names (values follow the ABI):
";

const EXPLAIN_EXAMPLES: &str = "
examples:
  seclude explain -p 'stdio rpath' openat AT_FDCWD 0 'O_WRONLY|O_CREAT'
  seclude explain -p stdio,inet socket AF_INET SOCK_STREAM
  seclude explain --arch aarch64 -p stdio kill SELF SIGTERM
";

const BPF_HELP: &str = "\
usage: seclude bpf [-p PROMISES]... [-k] [--arch ARCH]

Prints the seccomp BPF program a pledge installs, one instruction a line
(comparisons of the syscall number are commented with its name), and its
size against the kernel's limit of 4096 instructions.

  -p PROMISES   promise words, space- or comma-separated; repeatable
                (default \"stdio rpath\")
  -k            refused calls kill the process (default: they fail with EPERM)
  --arch ARCH   the ABI (default: this machine's; -a ARCH also works)

example:
  seclude bpf -p 'stdio rpath inet dns' --arch aarch64
";

const RESOLVE_HELP: &str = "\
usage: seclude resolve [--arch ARCH] NAME|NUMBER...

Prints the number of each syscall NAME and the name of each NUMBER on one
ABI, one a line, as libseccomp's scmp_sys_resolver does. An unknown name or
number, or a syscall the ABI does not have, is an error.

  --arch ARCH   the ABI (default: this machine's; -a ARCH also works)

examples:
  seclude resolve openat          (prints 257 on x86_64)
  seclude resolve --arch aarch64 56
";

const SYSCALLS_HELP: &str = "\
usage: seclude syscalls [--arch ARCH]

Prints every syscall of one ABI in seclude's tables, by number, one
`NUMBER NAME` a line.

  --arch ARCH   the ABI (default: this machine's; -a ARCH also works)

example:
  seclude syscalls --arch x86 | grep socket
";

/// A help text with this machine's ABI named.
fn native(help: &str) -> String {
    help.replace("this machine's", Abi::NATIVE.name())
}

/// The flags one subcommand takes.
struct Flags {
    /// `-p` and `-k`.
    policy: bool,
    /// Positional arguments.
    positional: bool,
}

/// What the flags of a subcommand said.
struct Parsed {
    promise_lists: Vec<String>,
    kill: bool,
    abi: Abi,
    positional: Vec<String>,
    help: bool,
}

impl Parsed {
    fn promises(&self) -> Result<Promises, Failure> {
        if self.promise_lists.is_empty() {
            cli::promises(&[DEFAULT_PROMISES.to_string()])
        } else {
            cli::promises(&self.promise_lists)
        }
    }

    fn penalty(&self) -> Penalty {
        if self.kill {
            Penalty::KILL_PROCESS
        } else {
            Penalty::EPERM
        }
    }
}

/// Whether `arg` is a negative number (an argument, not a flag).
fn is_negative_number(arg: &str) -> bool {
    arg.strip_prefix('-')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// The value after `flag`, as UTF-8, or a failure naming the flag.
fn flag_value<'a>(
    command: &str,
    args: &mut impl Iterator<Item = &'a OsString>,
    flag: &str,
) -> Result<&'a str, Failure> {
    cli::value(args, flag)
        .and_then(|v| cli::utf8(v, flag))
        .map_err(|e| Failure::new(e.code, format!("{command}: {}", e.message)))
}

fn parse(command: &str, args: &[OsString], flags: Flags) -> Result<Parsed, Failure> {
    let mut parsed = Parsed {
        promise_lists: Vec::new(),
        kill: false,
        abi: Abi::NATIVE,
        positional: Vec::new(),
        help: false,
    };
    let unknown = |flag: &str| {
        Failure::usage(format!(
            "{command}: unknown flag \"{flag}\" (see seclude {command} --help)"
        ))
    };
    // Shared parsers' failures, with the subcommand's name.
    let named = |e: Failure| Failure::new(e.code, format!("{command}: {}", e.message));
    let mut it = args.iter();
    let mut only_positional = false;
    while let Some(arg) = it.next() {
        let text = cli::utf8(arg, &format!("{command}: an argument"))?;
        if only_positional || !text.starts_with('-') || text == "-" || is_negative_number(text) {
            if !flags.positional {
                return Err(Failure::usage(format!(
                    "{command}: unexpected argument \"{text}\" (see seclude {command} --help)"
                )));
            }
            parsed.positional.push(text.to_string());
            continue;
        }
        match text {
            "--" => only_positional = true,
            "-h" | "--help" => parsed.help = true,
            "-a" | "--arch" => {
                let name = flag_value(command, &mut it, text)?;
                parsed.abi = cli::arch(name).map_err(named)?;
            }
            "-k" if flags.policy => parsed.kill = true,
            "-p" if flags.policy => {
                let list = flag_value(command, &mut it, "-p")?;
                parsed.promise_lists.push(list.to_string());
            }
            _ => {
                if let Some(name) = text.strip_prefix("--arch=") {
                    parsed.abi = cli::arch(name).map_err(named)?;
                } else if let (true, Some(list)) = (flags.policy, text.strip_prefix("-p")) {
                    parsed.promise_lists.push(list.to_string());
                } else {
                    return Err(unknown(text));
                }
            }
        }
    }
    Ok(parsed)
}

/// The bits of an argument that a call on `abi` passes (the low 32 on
/// 32-bit ABIs).
fn mask(abi: Abi) -> u64 {
    if abi.arg_bits() == 32 {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    }
}

/// `ENOSYS` in `abi`'s errno numbering.
fn enosys(abi: Abi) -> u16 {
    match constants::value(abi, "ENOSYS") {
        Some(errno) => errno as u16,
        None => unreachable!("every family of constants has ENOSYS"),
    }
}

// ---------------------------------------------------------------- resolve

/// A syscall given by name or number, on `abi`: its number and name.
fn syscall_on(command: &str, abi: Abi, what: &str) -> Result<(u32, Syscall), Failure> {
    if what.starts_with(|c: char| c.is_ascii_digit()) {
        let nr = cli::number(what)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                Failure::usage(format!("{command}: \"{what}\" is not a syscall number"))
            })?;
        return match abi.syscall(nr) {
            Some(call) => Ok((nr, call)),
            None => {
                let base = abi.number_base();
                let hint = if nr < base {
                    format!(" (its numbers start at {base})")
                } else {
                    String::new()
                };
                Err(Failure::usage(format!(
                    "{command}: {what} is not a syscall number on {abi}{hint}"
                )))
            }
        };
    }
    let call = Syscall::from_name(what).ok_or_else(|| {
        Failure::usage(format!(
            "{command}: unknown syscall \"{what}\" (see seclude syscalls)"
        ))
    })?;
    match abi.number(call) {
        Some(nr) => Ok((nr, call)),
        None => Err(Failure::usage(format!(
            "{command}: {abi} has no syscall \"{what}\""
        ))),
    }
}

/// `seclude resolve [--arch ARCH] NAME|NUMBER…`
pub fn resolve(args: &[OsString]) -> Result<u8, Failure> {
    let parsed = parse(
        "resolve",
        args,
        Flags {
            policy: false,
            positional: true,
        },
    )?;
    if parsed.help {
        print!("{}", native(RESOLVE_HELP));
        return Ok(0);
    }
    if parsed.positional.is_empty() {
        return Err(Failure::usage(
            "resolve: no syscall name or number given (see seclude resolve --help)".into(),
        ));
    }
    // Every argument first, so that nothing is printed for a bad list.
    let mut out = String::new();
    for what in &parsed.positional {
        let (nr, call) = syscall_on("resolve", parsed.abi, what)?;
        if what.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(call.name());
        } else {
            out.push_str(&nr.to_string());
        }
        out.push('\n');
    }
    print!("{out}");
    Ok(0)
}

// --------------------------------------------------------------- syscalls

/// `seclude syscalls [--arch ARCH]`
pub fn syscalls(args: &[OsString]) -> Result<u8, Failure> {
    let parsed = parse(
        "syscalls",
        args,
        Flags {
            policy: false,
            positional: false,
        },
    )?;
    if parsed.help {
        print!("{}", native(SYSCALLS_HELP));
        return Ok(0);
    }
    let mut out = String::new();
    for (nr, call) in parsed.abi.entries() {
        out.push_str(&format!("{nr} {}\n", call.name()));
    }
    print!("{out}");
    Ok(0)
}

// -------------------------------------------------------------------- bpf

/// The pledge program, or a failure naming the promises.
fn compile(promises: Promises, penalty: Penalty, abi: Abi) -> Result<Program, Failure> {
    program(promises, penalty, abi).map_err(|e| {
        Failure::new(
            exit::PROMISES,
            format!("{} on {abi}: {e}", quoted(promises)),
        )
    })
}

/// `"stdio rpath"`, or `no promises`.
fn quoted(promises: Promises) -> String {
    if promises.is_empty() {
        "no promises".to_string()
    } else {
        format!("\"{}\"", cli::promise_words(promises))
    }
}

/// What a refused call gets.
fn penalty_text(penalty: Penalty) -> &'static str {
    if penalty.kills_process() {
        "kill the process (SIGSYS)"
    } else {
        "fail with EPERM"
    }
}

/// `seclude bpf [-p PROMISES]… [-k] [--arch ARCH]`
pub fn bpf(args: &[OsString]) -> Result<u8, Failure> {
    let parsed = parse(
        "bpf",
        args,
        Flags {
            policy: true,
            positional: false,
        },
    )?;
    if parsed.help {
        print!("{}", native(BPF_HELP));
        return Ok(0);
    }
    let promises = parsed.promises()?;
    let penalty = parsed.penalty();
    let abi = parsed.abi;
    let prog = compile(promises, penalty, abi)?;
    let insns = prog.instructions();
    let mut out = format!(
        "; pledge {} on {abi}: refused calls {}\n",
        quoted(promises),
        penalty_text(penalty)
    );
    let mut copy = insns.to_vec();
    if patch_self_pid(&mut copy, 1) > 0 {
        out.push_str(&format!(
            "; #{SELF_PID:#010x} stands for the process's own pid, patched in when the filter is loaded\n"
        ));
    }
    out.push_str(&Listing::new(insns).abi(abi).to_string());
    out.push_str(&format!(
        "; {} instructions (of {MAX_INSNS})\n",
        insns.len()
    ));
    print!("{out}");
    Ok(0)
}

// ---------------------------------------------------------------- explain

/// The names `explain` accepts in arguments, by group: the kernel's own,
/// with their values on each ABI from [`constants`].
const SYMBOLS: &[(&str, &[&str])] = &[
    (
        "open",
        &[
            "O_RDONLY",
            "O_WRONLY",
            "O_RDWR",
            "O_CREAT",
            "O_EXCL",
            "O_NOCTTY",
            "O_TRUNC",
            "O_APPEND",
            "O_NONBLOCK",
            "O_DIRECTORY",
            "O_NOFOLLOW",
            "O_CLOEXEC",
            "O_PATH",
            "O_TMPFILE",
        ],
    ),
    (
        "*at",
        &[
            "AT_FDCWD",
            "AT_SYMLINK_NOFOLLOW",
            "AT_REMOVEDIR",
            "AT_EMPTY_PATH",
        ],
    ),
    (
        "fcntl",
        &[
            "F_DUPFD",
            "F_GETFD",
            "F_SETFD",
            "F_GETFL",
            "F_SETFL",
            "F_GETLK",
            "F_SETLK",
            "F_SETLKW",
            "F_DUPFD_CLOEXEC",
        ],
    ),
    (
        "socket",
        &[
            "AF_UNIX",
            "AF_INET",
            "AF_INET6",
            "AF_NETLINK",
            "AF_PACKET",
            "SOCK_STREAM",
            "SOCK_DGRAM",
            "SOCK_RAW",
            "SOCK_SEQPACKET",
            "SOCK_NONBLOCK",
            "SOCK_CLOEXEC",
            "IPPROTO_TCP",
            "IPPROTO_UDP",
        ],
    ),
    (
        "mmap",
        &[
            "PROT_NONE",
            "PROT_READ",
            "PROT_WRITE",
            "PROT_EXEC",
            "MAP_SHARED",
            "MAP_PRIVATE",
            "MAP_FIXED",
            "MAP_ANONYMOUS",
        ],
    ),
    (
        "memfd_create",
        &[
            "MFD_CLOEXEC",
            "MFD_ALLOW_SEALING",
            "MFD_NOEXEC_SEAL",
            "MFD_EXEC",
            "MFD_HUGETLB",
        ],
    ),
    (
        "ioctl",
        &[
            "FIONREAD",
            "FIONBIO",
            "FIOCLEX",
            "FIONCLEX",
            "TCGETS",
            "TCSETS",
            "TCSETSW",
            "TCSETSF",
            "TIOCGWINSZ",
            "TIOCSWINSZ",
            "TIOCGPGRP",
            "TIOCSPGRP",
            "TCSBRK",
            "TCXONC",
            "TCFLSH",
            "TIOCGPTN",
            "TIOCSPTLCK",
            "TIOCGPTPEER",
            "TIOCSTI",
        ],
    ),
    (
        "signals",
        &[
            "SIGHUP", "SIGINT", "SIGQUIT", "SIGABRT", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
            "SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
            "SIGWINCH", "SIGSYS",
        ],
    ),
];

/// The value of the argument name `name` on `abi`.
fn symbol(name: &str, abi: Abi) -> Option<u64> {
    if name == "SELF" {
        return Some(u64::from(SELF_PID));
    }
    SYMBOLS
        .iter()
        .any(|(_, group)| group.contains(&name))
        .then(|| constants::value(abi, name))
        .flatten()
        // Negative values (`AT_FDCWD`) as their 64-bit two's complement,
        // cut to 32 bits on 32-bit ABIs by the caller.
        .map(|v| v as u64)
}

/// The help's list of argument names.
fn symbol_help() -> String {
    let mut out = String::new();
    for (group, names) in SYMBOLS {
        let mut line = format!("  {group}:");
        for name in *names {
            if line.len() + 1 + name.len() > 76 {
                out.push_str(&line);
                out.push('\n');
                line = "   ".to_string();
            }
            line.push(' ');
            line.push_str(name);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Argument `index` (from 1) of a call on `abi`: numbers and names joined
/// with `|`, or a failure naming the argument and the bad part.
fn argument(index: usize, text: &str, abi: Abi) -> Result<(u64, bool), Failure> {
    let bad = |why: String| Failure::usage(format!("explain: argument {index} \"{text}\": {why}"));
    let mut value = 0u64;
    let mut symbolic = false;
    for part in text.split('|') {
        let part = part.trim();
        let v = if let Some(v) = cli::number(part) {
            v
        } else if let Some(v) = symbol(part, abi) {
            symbolic = true;
            v
        } else if part.is_empty() {
            return Err(bad("an empty part".into()));
        } else {
            return Err(bad(format!(
                "\"{part}\" is neither a number nor a known name (see seclude explain --help)"
            )));
        };
        value |= v;
    }
    // A 32-bit ABI passes 32 bits: negative values are cut, others must fit.
    let m = mask(abi);
    if value & !m != 0 {
        let negative32 = (value as i64) < 0 && (value as i64) >= i64::from(i32::MIN);
        if !negative32 {
            return Err(bad(format!(
                "{value:#x} does not fit in the 32 bits of an argument on {abi}"
            )));
        }
    }
    Ok((value & m, symbolic))
}

/// A value as an administrator reads it: numbers below 32 in decimal,
/// small negative ones (`AT_FDCWD`) as such, the rest (flags) in hex.
fn show(value: u64, abi: Abi) -> String {
    let signed = if abi.arg_bits() == 32 {
        i64::from(value as u32 as i32)
    } else {
        value as i64
    };
    if (-4095..0).contains(&signed) {
        signed.to_string()
    } else if value < 32 {
        value.to_string()
    } else {
        format!("{value:#x}")
    }
}

/// The smallest sets of `held` promises that allow the call (each alone
/// enough): every single promise that does, else one irreducible set.
fn allowed_by(held: Promises, abi: Abi, call: Syscall, args: &[u64; 6]) -> Vec<Promises> {
    let allows = |p: Promises| decide(p, abi, call, args, SELF_PID) == Decision::Allowed;
    let singles: Vec<Promises> = held.iter().filter(|&p| allows(p)).collect();
    if !singles.is_empty() {
        return singles;
    }
    // The fewest promises of any rule, if the held ones include them.
    if let Some(fewest) = would_allow(Promises::empty(), abi, call, args, SELF_PID) {
        if held.contains(fewest) && allows(fewest) {
            return vec![fewest];
        }
    }
    // Drop every promise the call does not need.
    let mut needed = held;
    for p in held.iter() {
        if allows(needed.difference(p)) {
            needed.remove(p);
        }
    }
    vec![needed]
}

/// `seclude explain [-p PROMISES]… [-k] [--arch ARCH] SYSCALL [ARG…]`
pub fn explain(args: &[OsString]) -> Result<u8, Failure> {
    let parsed = parse(
        "explain",
        args,
        Flags {
            policy: true,
            positional: true,
        },
    )?;
    if parsed.help {
        print!(
            "{}{}{EXPLAIN_EXAMPLES}",
            native(EXPLAIN_HELP),
            symbol_help()
        );
        return Ok(0);
    }
    let abi = parsed.abi;
    let promises = parsed.promises()?;
    let penalty = parsed.penalty();
    let (what, texts) = match parsed.positional.split_first() {
        Some(first) => first,
        None => {
            return Err(Failure::usage(
                "explain: no syscall given (see seclude explain --help)".into(),
            ));
        }
    };
    let (nr, call) = syscall_on("explain", abi, what)?;
    if texts.len() > 6 {
        return Err(Failure::usage(format!(
            "explain: argument 7 \"{}\": a system call has at most 6 arguments",
            texts[6]
        )));
    }
    let mut args = [0u64; 6];
    let mut symbolic = [false; 6];
    for (i, text) in texts.iter().enumerate() {
        (args[i], symbolic[i]) = argument(i + 1, text, abi)?;
    }

    let decision = decide(promises, abi, call, &args, SELF_PID);
    let verdict = match decision {
        Decision::Allowed => "allowed".to_string(),
        Decision::Enosys => "fails with ENOSYS, whatever the promises".to_string(),
        Decision::Refused if penalty.kills_process() => {
            "refused: the process is killed (SIGSYS)".to_string()
        }
        Decision::Refused => "refused (EPERM)".to_string(),
    };
    let mut out = format!(
        "{}({}) on {abi} under {}: {verdict}\n",
        call.name(),
        texts.join(", "),
        quoted(promises)
    );
    if symbolic.contains(&true) {
        let numbers: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                if symbolic[i] {
                    show(args[i], abi)
                } else {
                    text.clone()
                }
            })
            .collect();
        out.push_str(&format!(
            "  as numbers: {}({})\n",
            call.name(),
            numbers.join(", ")
        ));
    }
    match decision {
        Decision::Allowed if decide(Promises::empty(), abi, call, &args, SELF_PID) == Decision::Allowed => {
            out.push_str("allowed under every pledge, even without promises\n");
        }
        Decision::Allowed => {
            let sets: Vec<String> = allowed_by(promises, abi, call, &args)
                .into_iter()
                .map(cli::promise_words)
                .collect();
            out.push_str(&format!("allowed by: {}", sets[0]));
            if sets.len() > 1 {
                out.push_str(&format!(" (also by {} alone)", sets[1..].join(" or ")));
            }
            out.push('\n');
        }
        Decision::Enosys => out.push_str(
            "(seclude answers ENOSYS so that C libraries fall back to calls the filter can inspect)\n",
        ),
        Decision::Refused => match would_allow(promises, abi, call, &args, SELF_PID) {
            Some(missing) if !missing.is_empty() => out.push_str(&format!(
                "would be allowed with: {}\n",
                cli::promise_words(missing)
            )),
            // The rules a held promise (exec) narrows.
            None if promises.contains(Promises::EXEC)
                && decide(promises.difference(Promises::EXEC), abi, call, &args, SELF_PID)
                    == Decision::Allowed =>
            {
                out.push_str(if call == Syscall::memfd_create {
                    "under exec a memfd must be made with MFD_NOEXEC_SEAL, and without MFD_EXEC \
                     and MFD_HUGETLB (which lets a chmod past the seal), so that it can never be \
                     executed (Linux 6.3; EINVAL before); seclude run creates one asked without \
                     the seal itself, with it added, and refuses MFD_EXEC and MFD_HUGETLB\n"
                } else {
                    "under exec no extended attribute is set: a POSIX ACL would rewrite a sealed \
                     memfd's mode, making it executable\n"
                })
            }
            _ => out.push_str("no promise allows it\n"),
        },
    }

    // The same call through the compiled filter.
    let prog = compile(promises, penalty, abi)?;
    let mut data = SeccompData::new(nr as i32, abi.audit_arch());
    data.args = args;
    let expected = match decision {
        Decision::Allowed => Action::Allow,
        Decision::Enosys => Action::Errno(enosys(abi)),
        Decision::Refused => penalty.action(),
    };
    let got = simulate(prog.instructions(), &data, abi.endian());
    match got {
        Ok(outcome) if outcome.action == expected => {
            out.push_str(&format!(
                "the compiled filter agrees: {} after {} of its {} instructions\n",
                outcome.action,
                outcome.executed,
                prog.len()
            ));
            print!("{out}");
            Ok(0)
        }
        other => {
            print!("{out}");
            let filter = match other {
                Ok(outcome) => outcome.action.to_string(),
                Err(e) => format!("no answer ({e})"),
            };
            Err(Failure::new(
                crate::exit::BUG,
                format!(
                    "BUG: the promise table says {expected} but the compiled filter says {filter} \
                     for {}({}) on {abi}; please report it",
                    call.name(),
                    texts.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_symbols() -> impl Iterator<Item = &'static str> {
        SYMBOLS.iter().flat_map(|(_, group)| group.iter().copied())
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all_symbols().collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn every_name_has_a_value_on_every_abi() {
        for abi in Abi::ALL {
            for name in all_symbols() {
                assert!(symbol(name, abi).is_some(), "{name} on {abi}");
            }
        }
    }

    /// The native values against the C library's.
    #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
    #[test]
    fn x86_64_values_are_the_c_librarys() {
        let libc: &[(&str, i64)] = &[
            ("O_RDONLY", libc::O_RDONLY.into()),
            ("O_WRONLY", libc::O_WRONLY.into()),
            ("O_RDWR", libc::O_RDWR.into()),
            ("O_CREAT", libc::O_CREAT.into()),
            ("O_EXCL", libc::O_EXCL.into()),
            ("O_NOCTTY", libc::O_NOCTTY.into()),
            ("O_TRUNC", libc::O_TRUNC.into()),
            ("O_APPEND", libc::O_APPEND.into()),
            ("O_NONBLOCK", libc::O_NONBLOCK.into()),
            ("O_DIRECTORY", libc::O_DIRECTORY.into()),
            ("O_NOFOLLOW", libc::O_NOFOLLOW.into()),
            ("O_CLOEXEC", libc::O_CLOEXEC.into()),
            ("O_PATH", libc::O_PATH.into()),
            ("O_TMPFILE", libc::O_TMPFILE.into()),
            ("AT_FDCWD", libc::AT_FDCWD.into()),
            ("AT_SYMLINK_NOFOLLOW", libc::AT_SYMLINK_NOFOLLOW.into()),
            ("AT_REMOVEDIR", libc::AT_REMOVEDIR.into()),
            ("AT_EMPTY_PATH", libc::AT_EMPTY_PATH.into()),
            ("F_DUPFD", libc::F_DUPFD.into()),
            ("F_GETFD", libc::F_GETFD.into()),
            ("F_SETFD", libc::F_SETFD.into()),
            ("F_GETFL", libc::F_GETFL.into()),
            ("F_SETFL", libc::F_SETFL.into()),
            ("F_GETLK", libc::F_GETLK.into()),
            ("F_SETLK", libc::F_SETLK.into()),
            ("F_SETLKW", libc::F_SETLKW.into()),
            ("F_DUPFD_CLOEXEC", libc::F_DUPFD_CLOEXEC.into()),
            ("AF_UNIX", libc::AF_UNIX.into()),
            ("AF_INET", libc::AF_INET.into()),
            ("AF_INET6", libc::AF_INET6.into()),
            ("AF_NETLINK", libc::AF_NETLINK.into()),
            ("AF_PACKET", libc::AF_PACKET.into()),
            ("SOCK_STREAM", libc::SOCK_STREAM.into()),
            ("SOCK_DGRAM", libc::SOCK_DGRAM.into()),
            ("SOCK_RAW", libc::SOCK_RAW.into()),
            ("SOCK_SEQPACKET", libc::SOCK_SEQPACKET.into()),
            ("SOCK_NONBLOCK", libc::SOCK_NONBLOCK.into()),
            ("SOCK_CLOEXEC", libc::SOCK_CLOEXEC.into()),
            ("IPPROTO_TCP", libc::IPPROTO_TCP.into()),
            ("IPPROTO_UDP", libc::IPPROTO_UDP.into()),
            ("PROT_NONE", libc::PROT_NONE.into()),
            ("PROT_READ", libc::PROT_READ.into()),
            ("PROT_WRITE", libc::PROT_WRITE.into()),
            ("PROT_EXEC", libc::PROT_EXEC.into()),
            ("MAP_SHARED", libc::MAP_SHARED.into()),
            ("MAP_PRIVATE", libc::MAP_PRIVATE.into()),
            ("MAP_FIXED", libc::MAP_FIXED.into()),
            ("MAP_ANONYMOUS", libc::MAP_ANONYMOUS.into()),
            ("MFD_CLOEXEC", libc::MFD_CLOEXEC.into()),
            ("MFD_ALLOW_SEALING", libc::MFD_ALLOW_SEALING.into()),
            ("MFD_NOEXEC_SEAL", libc::MFD_NOEXEC_SEAL.into()),
            ("MFD_EXEC", libc::MFD_EXEC.into()),
            ("MFD_HUGETLB", libc::MFD_HUGETLB.into()),
            ("FIONREAD", libc::FIONREAD as i64),
            ("FIONBIO", libc::FIONBIO as i64),
            ("FIOCLEX", libc::FIOCLEX as i64),
            ("FIONCLEX", libc::FIONCLEX as i64),
            ("TCGETS", libc::TCGETS as i64),
            ("TCSETS", libc::TCSETS as i64),
            ("TCSETSW", libc::TCSETSW as i64),
            ("TCSETSF", libc::TCSETSF as i64),
            ("TIOCGWINSZ", libc::TIOCGWINSZ as i64),
            ("TIOCSWINSZ", libc::TIOCSWINSZ as i64),
            ("TIOCGPGRP", libc::TIOCGPGRP as i64),
            ("TIOCSPGRP", libc::TIOCSPGRP as i64),
            ("TCSBRK", libc::TCSBRK as i64),
            ("TCXONC", libc::TCXONC as i64),
            ("TCFLSH", libc::TCFLSH as i64),
            ("TIOCGPTN", libc::TIOCGPTN as i64),
            ("TIOCSPTLCK", libc::TIOCSPTLCK as i64),
            ("TIOCGPTPEER", libc::TIOCGPTPEER as i64),
            ("TIOCSTI", libc::TIOCSTI as i64),
            ("SIGHUP", libc::SIGHUP.into()),
            ("SIGINT", libc::SIGINT.into()),
            ("SIGQUIT", libc::SIGQUIT.into()),
            ("SIGABRT", libc::SIGABRT.into()),
            ("SIGKILL", libc::SIGKILL.into()),
            ("SIGUSR1", libc::SIGUSR1.into()),
            ("SIGSEGV", libc::SIGSEGV.into()),
            ("SIGUSR2", libc::SIGUSR2.into()),
            ("SIGPIPE", libc::SIGPIPE.into()),
            ("SIGALRM", libc::SIGALRM.into()),
            ("SIGTERM", libc::SIGTERM.into()),
            ("SIGCHLD", libc::SIGCHLD.into()),
            ("SIGCONT", libc::SIGCONT.into()),
            ("SIGSTOP", libc::SIGSTOP.into()),
            ("SIGTSTP", libc::SIGTSTP.into()),
            ("SIGWINCH", libc::SIGWINCH.into()),
            ("SIGSYS", libc::SIGSYS.into()),
        ];
        assert_eq!(libc.len(), all_symbols().count(), "every name is checked");
        for &(name, value) in libc {
            assert_eq!(
                symbol(name, Abi::X86_64),
                Some(value as u64),
                "{name} on x86_64"
            );
        }
    }

    fn decides(promises: &str, abi: Abi, call: Syscall, texts: &[&str]) -> Decision {
        let promises = Promises::parse(promises).unwrap();
        let mut args = [0u64; 6];
        for (i, t) in texts.iter().enumerate() {
            args[i] = argument(i + 1, t, abi).unwrap().0;
        }
        decide(promises, abi, call, &args, SELF_PID)
    }

    /// The names the promise table compares with, on every ABI: a wrong
    /// value would turn these decisions around.
    #[test]
    fn names_agree_with_the_promise_table_on_every_abi() {
        use Decision::{Allowed, Refused};
        for abi in Abi::ALL {
            let check = |promises: &str, call: Syscall, texts: &[&str], want: Decision| {
                if abi.number(call).is_none() {
                    return;
                }
                let got = decides(promises, abi, call, texts);
                assert_eq!(got, want, "{abi}: {call}({texts:?}) under {promises:?}");
            };
            let open = |flags: &str, promises: &str, want: Decision| {
                check(promises, Syscall::openat, &["AT_FDCWD", "0", flags], want);
            };
            open("O_RDONLY|O_CLOEXEC|O_DIRECTORY", "rpath", Allowed);
            open("O_WRONLY", "rpath", Refused);
            open("O_WRONLY|O_APPEND|O_NONBLOCK", "wpath", Allowed);
            open("O_RDWR|O_NOFOLLOW|O_NOCTTY", "rpath wpath", Allowed);
            for flag in ["O_CREAT", "O_TRUNC", "O_TMPFILE"] {
                open(&format!("O_RDWR|{flag}"), "rpath wpath", Refused);
                open(&format!("O_RDWR|{flag}"), "rpath wpath cpath", Allowed);
            }
            // tmppath: exactly mkstemp's O_RDWR|O_CREAT|O_EXCL.
            open("O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC", "tmppath", Allowed);
            open("O_RDWR|O_CREAT", "tmppath", Refused);
            open("O_RDWR|O_DIRECTORY", "rpath wpath", Allowed);
            for ioctl in [
                "TCGETS",
                "TCSETS",
                "TCSETSW",
                "TCSETSF",
                "TIOCGWINSZ",
                "TIOCSWINSZ",
                "TIOCGPGRP",
                "TIOCSPGRP",
                "TCSBRK",
                "TCXONC",
                "TCFLSH",
                "TIOCGPTN",
                "TIOCSPTLCK",
                "TIOCGPTPEER",
            ] {
                check("stdio", Syscall::ioctl, &["0", ioctl], Refused);
                check("stdio tty", Syscall::ioctl, &["0", ioctl], Allowed);
            }
            for ioctl in ["FIONREAD", "FIONBIO", "FIOCLEX", "FIONCLEX"] {
                check("stdio", Syscall::ioctl, &["0", ioctl], Allowed);
            }
            check("stdio tty", Syscall::ioctl, &["0", "TIOCSTI"], Refused);
            check(
                "stdio",
                Syscall::socket,
                &["AF_INET", "SOCK_STREAM"],
                Refused,
            );
            let socket = |family: &str, kind: &str, promise: &str| {
                let kind = format!("{kind}|SOCK_CLOEXEC|SOCK_NONBLOCK");
                check(promise, Syscall::socket, &[family, &kind], Allowed);
            };
            socket("AF_INET", "SOCK_STREAM", "inet");
            socket("AF_INET6", "SOCK_STREAM", "inet");
            socket("AF_UNIX", "SOCK_STREAM", "unix");
            socket("AF_INET", "SOCK_DGRAM", "dns");
            check("dns", Syscall::socket, &["AF_INET", "SOCK_STREAM"], Refused);
            check(
                "unix",
                Syscall::socket,
                &["AF_INET", "SOCK_STREAM"],
                Refused,
            );
            let mprotect = |prot: &str, promises: &str, want: Decision| {
                check(promises, Syscall::mprotect, &["0", "0", prot], want);
            };
            mprotect("PROT_READ|PROT_WRITE", "stdio", Allowed);
            mprotect("PROT_READ|PROT_EXEC", "stdio", Refused);
            mprotect("PROT_READ|PROT_EXEC", "stdio prot_exec", Allowed);
            let memfd = |flags: &str, promises: &str, want: Decision| {
                check(promises, Syscall::memfd_create, &["0", flags], want);
            };
            memfd("MFD_CLOEXEC", "stdio", Allowed);
            memfd("MFD_CLOEXEC", "stdio exec", Refused);
            memfd("MFD_CLOEXEC|MFD_NOEXEC_SEAL", "stdio exec", Allowed);
            memfd("MFD_NOEXEC_SEAL|MFD_EXEC", "stdio exec", Refused);
            let fcntl = |cmd: &str, promises: &str, want: Decision| {
                check(promises, Syscall::fcntl, &["0", cmd], want);
            };
            for cmd in ["F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL"] {
                fcntl(cmd, "stdio", Allowed);
            }
            fcntl("F_DUPFD_CLOEXEC", "stdio", Allowed);
            for cmd in ["F_GETLK", "F_SETLK", "F_SETLKW"] {
                fcntl(cmd, "stdio", Refused);
                fcntl(cmd, "stdio flock", Allowed);
            }
            let self_kill =
                |signal: &str| check("stdio", Syscall::kill, &["SELF", signal], Allowed);
            for signal in ["SIGTERM", "SIGKILL", "SIGUSR1", "SIGSYS", "SIGCHLD"] {
                self_kill(signal);
            }
            check("stdio", Syscall::kill, &["1", "SIGTERM"], Refused);
            check("stdio proc", Syscall::kill, &["1", "SIGTERM"], Allowed);
        }
    }

    #[test]
    fn arguments_follow_the_abi() {
        let arg = |text: &str, abi: Abi| argument(1, text, abi).map(|(v, _)| v);
        assert_eq!(arg("O_WRONLY|O_CREAT", Abi::X86_64).unwrap(), 0o101);
        assert_eq!(arg("O_WRONLY|O_CREAT", Abi::Mips).unwrap(), 0x101);
        assert_eq!(arg("O_DIRECTORY", Abi::Aarch64).unwrap(), 0o40000);
        assert_eq!(
            arg("AT_FDCWD", Abi::X86_64).unwrap(),
            constants::generic::AT_FDCWD as u64
        );
        assert_eq!(arg("AT_FDCWD", Abi::I386).unwrap(), 0xffff_ff9c);
        assert_eq!(arg("-100", Abi::Arm).unwrap(), 0xffff_ff9c);
        assert_eq!(arg("0x10 | 1", Abi::X86_64).unwrap(), 0x11);
        assert_eq!(show(0xffff_ff9c, Abi::I386), "-100");
        assert_eq!(
            show(constants::generic::AT_FDCWD as u64, Abi::X86_64),
            "-100"
        );
        assert_eq!(show(0o101, Abi::X86_64), "0x41");
        assert_eq!(show(15, Abi::X86_64), "15");
        let e = arg("O_WRONLY|O_CRAET", Abi::X86_64).unwrap_err();
        assert_eq!(e.code, exit::USAGE);
        assert!(e.message.contains("\"O_CRAET\""), "{}", e.message);
        let e = arg("0x100000000", Abi::I386).unwrap_err();
        assert!(e.message.contains("0x100000000"), "{}", e.message);
        assert!(arg("O_WRONLY|", Abi::X86_64).is_err());
    }

    #[test]
    fn help_lists_every_name() {
        let help = symbol_help();
        for name in all_symbols() {
            assert!(help.contains(&format!(" {name}")), "{name}");
        }
        assert!(help.lines().all(|l| l.len() <= 80), "{help}");
    }
}
