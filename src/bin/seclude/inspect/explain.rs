//! `explain`: one call judged by the promise table, the answer checked
//! against the compiled filter run in the simulator, and the promises that
//! allow (or would allow) it.

use super::{
    EXPLAIN_EXAMPLES, EXPLAIN_HELP, Flags, compile, enosys, mask, native, parse, quoted, syscall_on,
};
use crate::cli::{self, Failure};
use seclude::bpf::{Action, SeccompData, simulate};
use seclude::pledge::{Decision, Promises, SELF_PID, decide, would_allow};
use seclude::tables::{Abi, Syscall, constants};
use std::ffi::OsString;

/// The names `explain` accepts in arguments, by group: the kernel's own,
/// with their values on each ABI from [`constants`].
pub(super) const SYMBOLS: &[(&str, &[&str])] = &[
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
pub(super) fn symbol(name: &str, abi: Abi) -> Option<u64> {
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
pub(super) fn symbol_help() -> String {
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
pub(super) fn argument(index: usize, text: &str, abi: Abi) -> Result<(u64, bool), Failure> {
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
pub(super) fn show(value: u64, abi: Abi) -> String {
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
pub(super) fn allowed_by(
    held: Promises,
    abi: Abi,
    call: Syscall,
    args: &[u64; 6],
) -> Vec<Promises> {
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
