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
use seclude::bpf::{Listing, MAX_INSNS};
use seclude::pledge::{Penalty, Promises, SELF_PID, program, self_pid_comparisons};
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
    if self_pid_comparisons(insns) > 0 {
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

mod explain;
#[cfg(test)]
mod tests;

pub use explain::explain;
