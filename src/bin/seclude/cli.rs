//! What every subcommand shares: failures with their exit status, and the
//! parsers of promise lists, architecture names and numbers.

use crate::exit;
use seclude::pledge::Promises;
use seclude::tables::Abi;
use std::ffi::OsString;

/// The promises when no `-p` is given (as pledge.com).
pub const DEFAULT_PROMISES: &str = "stdio rpath";

/// Writes one line to stderr, ignoring a failure to write (a closed pipe
/// must not abort seclude while it supervises: `eprintln!` panics then).
pub fn say_err(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Why seclude stops before (or instead of) running anything: an exit
/// status from [`exit`] and a message naming what was wrong.
#[derive(Debug)]
pub struct Failure {
    /// The exit status.
    pub code: u8,
    /// One line, without the `seclude: ` prefix.
    pub message: String,
}

impl Failure {
    /// A bad flag, argument or value.
    pub fn usage(message: String) -> Failure {
        Failure {
            code: exit::USAGE,
            message,
        }
    }

    /// A failure with another exit status.
    pub fn new(code: u8, message: String) -> Failure {
        Failure { code, message }
    }
}

/// An argument as UTF-8, or a usage failure naming it.
pub fn utf8<'a>(arg: &'a OsString, what: &str) -> Result<&'a str, Failure> {
    arg.to_str()
        .ok_or_else(|| Failure::usage(format!("{what} is not valid UTF-8: {arg:?}")))
}

/// The value after a flag, or a usage failure naming the flag.
pub fn value<'a>(
    args: &mut impl Iterator<Item = &'a OsString>,
    flag: &str,
) -> Result<&'a OsString, Failure> {
    args.next()
        .ok_or_else(|| Failure::usage(format!("{flag} needs a value")))
}

/// The promises of one or more `-p` lists (words separated by spaces,
/// tabs or commas), or a failure naming the unknown word.
pub fn promises(lists: &[String]) -> Result<Promises, Failure> {
    promises_of("-p", lists)
}

/// The promises of `flag`'s (`-p`, `-e`) lists; an unknown word names the
/// flag.
pub fn promises_of(flag: &str, lists: &[String]) -> Result<Promises, Failure> {
    let mut all = Promises::empty();
    for list in lists {
        for word in list.split([' ', '\t', '\n', ',']).filter(|w| !w.is_empty()) {
            let promise = Promises::from_word(word).ok_or_else(|| {
                Failure::new(
                    exit::PROMISES,
                    format!("unknown promise \"{word}\" in {flag} '{list}' (see seclude --help)"),
                )
            })?;
            all |= promise;
        }
    }
    Ok(all)
}

/// The execpromises of `lists` (`-e`), if any: a subset of the promises,
/// which must hold `exec` (as for the library's pledge: seccomp filters
/// only narrow, and without `exec` they would never apply).
pub fn execpromises(lists: &[String], promises: Promises) -> Result<Option<Promises>, Failure> {
    if lists.is_empty() {
        return Ok(None);
    }
    let exec = promises_of("-e", lists)?;
    if !promises.contains(Promises::EXEC) {
        return Err(Failure::new(
            exit::PROMISES,
            "execpromises need the \"exec\" promise in -p".into(),
        ));
    }
    let extra = exec.difference(promises);
    if !extra.is_empty() {
        return Err(Failure::new(
            exit::PROMISES,
            format!(
                "execpromises: \"{}\" is not in the promises (an executed program can hold no more than the one that runs it)",
                promise_words(extra)
            ),
        ));
    }
    Ok(Some(exec))
}

/// The promise words of `promises`, space-separated, in table order.
pub fn promise_words(promises: Promises) -> String {
    let words: Vec<&str> = promises.iter().filter_map(Promises::word).collect();
    words.join(" ")
}

/// An ABI by name (`x86_64`, `i386`, `aarch64`, …), or a failure listing
/// the names.
pub fn arch(name: &str) -> Result<Abi, Failure> {
    Abi::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Abi::ALL.iter().map(|a| a.name()).collect();
        Failure::usage(format!(
            "unknown architecture \"{name}\" (one of: {})",
            names.join(", ")
        ))
    })
}

/// A number in decimal, `0x` hex or `0o` octal, or negative decimal (as
/// its two's complement: `-100` is `AT_FDCWD`).
pub fn number(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = t.strip_prefix("0o") {
        u64::from_str_radix(oct, 8).ok()
    } else if let Some(neg) = t.strip_prefix('-') {
        neg.parse::<i64>().ok().map(|n| n.wrapping_neg() as u64)
    } else {
        t.parse::<u64>().ok()
    }
}

/// A size with an optional `k`, `m`, `g` or `t` suffix (powers of `base`,
/// 1000 or 1024, as pledge.com's `-F` and `-M`), or a usage failure naming
/// the flag.
pub fn size(flag: &str, text: &str, base: u64) -> Result<u64, Failure> {
    let bad = || {
        Failure::usage(format!(
            "{flag} {text}: not a size (a number, optionally with k, m, g or t)"
        ))
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let exponent = match suffix.to_ascii_lowercase().as_str() {
        "" => 0,
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 2,
        "g" | "gb" | "gib" => 3,
        "t" | "tb" | "tib" => 4,
        _ => return Err(bad()),
    };
    (0..exponent)
        .try_fold(n, |acc, _| acc.checked_mul(base))
        .ok_or_else(|| Failure::usage(format!("{flag} {text}: too large")))
}

/// A word as a shell would need it written: unchanged when it has only
/// safe characters, otherwise in single quotes.
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:=,+-@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `--help`.
pub const HELP: &str = "\
usage: seclude [FLAGS] [--] PROGRAM [ARGS...]     run PROGRAM confined
       seclude learn [--save FILE] [--] PROGRAM [ARGS...]
                                                  what PROGRAM needs
       seclude check FILE                         explain a policy file
       seclude explain [-p PROMISES] SYSCALL [ARG...]
       seclude bpf [-p PROMISES] [-k] [--arch ARCH]
       seclude resolve [--arch ARCH] NAME|NUMBER...
       seclude syscalls [--arch ARCH]

Runs PROGRAM under pledge-style promises (a seccomp filter) and
unveil-style path rules (Landlock). Flags as Cosmopolitan's pledge.com:

  -p PROMISES     promises, space-separated, repeatable [default: stdio rpath]
                    e.g. -p 'stdio rpath inet dns'
  -e PROMISES     execpromises: what the programs PROGRAM executes hold
                    (PROGRAM and its forks keep -p), a subset of -p,
                    which needs exec; also --execpromises,
                    e.g. -p 'stdio rpath proc exec' -e 'stdio proc'
  -v [PERM:]PATH  unveil PATH with PERM letters r w x c [default: r]
                    e.g. -v /etc -v rwc:/tmp/out
  -V              no unveil (promises only), e.g. -V -p stdio
  --unconfined-unix
                  under unveil before Linux 7.1, whose Landlock cannot
                    confine connecting to UNIX sockets by path: allow new
                    ones anyway (refused unless given; no effect from 7.1
                    on or with -V), e.g. --unconfined-unix -p 'stdio unix'
  -q              quiet: refused calls are not reported, e.g. -q -p stdio
  -k              kill on a refused call rather than EPERM, e.g. -k -p stdio
  -n              lowest priority: nice 19, idle I/O and scheduling, e.g. -n
  -u UID          run as this user id (root only), e.g. -u 65534
  -g GID          run as this group id (root only), e.g. -g 65534
  -D              keep capabilities (default: all dropped), e.g. -D
  -N              keep inherited descriptors (default: all but 0-2 close),
                    e.g. -N -- prog 3<input
  -C SECS         CPU time limit (RLIMIT_CPU), e.g. -C 10
  -M BYTES        address space limit, k/m/g/t suffixes of 1024, e.g. -M 2g
  -O FILES        open file limit (RLIMIT_NOFILE), e.g. -O 64
  -P PROCS        process limit (RLIMIT_NPROC), e.g. -P 32
  -F BYTES        file size limit, k/m/g/t suffixes of 1000, e.g. -F 100m
  -T pledge       exit 0 if this kernel can enforce promises, else 1,
                    e.g. seclude -T pledge && echo supported
  -T unveil       exit 0 if this kernel can enforce unveil, else 1
  --unshare LIST  new namespaces: user,mount,net,pid,ipc,uts,cgroup
                    e.g. --unshare net,pid (a user namespace is added
                    for a user without root)
  --net none      no network: a new network namespace (only lo, down),
                    e.g. --net none -p 'stdio inet'
  --policy FILE   a policy file (JSON, as `learn --save` writes; see the
                    README): -p, -e and -v given here replace its
                    promises, execpromises and rules, -u/-g its ids, limits follow its limits,
                    switches and namespaces add to it,
                    e.g. --policy ls.json -- ls /
  -h, --help      this text, e.g. seclude --help | less

Promises: stdio rpath wpath cpath dpath flock fattr chown inet anet unix
dns tty recvfd sendfd proc exec prot_exec id settime unveil vminfo tmppath
(see PROMISES.md; `seclude explain` and `seclude bpf` show what a set does).

Unveiled automatically (unless -V): PROGRAM (rx); for a dynamically linked
program its loader and /lib, /lib64, /usr/lib, /usr/lib64, /usr/local/lib*
(rx) and /etc/ld.so.*; and per promise the files it is for (stdio:
/dev/null, /dev/zero, /dev/full, /dev/urandom, /dev/fd, /proc/self/fd,
locale and time zone files; dns: /etc/hosts, resolv.conf, ...; tmppath:
/tmp; tty: /dev/tty and terminfo; vminfo: /proc/stat, meminfo, ...).
Landlock does not check chmod, chown and utimes (touch): with fattr or
chown promised, seclude makes those changes itself, with PROGRAM's
credentials, on files beneath a path unveiled with w, and refuses them
elsewhere; extended attributes and inode flags are refused under unveil.
Under exec, a memfd is never executable (Landlock cannot keep one from
being executed): seclude creates one asked without MFD_NOEXEC_SEAL itself,
with it, and refuses MFD_EXEC and MFD_HUGETLB; fattr sets no extended
attribute (an ACL would change the mode past the seal); before Linux 6.3,
which has no such seal, memfd_create fails with EINVAL under exec.

Loading: a dynamically linked program first runs its loader, which needs
stdio rpath prot_exec. seclude allows those to the calls made from the
loader's own code (by their address), in each process run by a system
loader, until the loader has loaded everything (a marker object it
preloads reports that; without it, after env -i, for as long as the
process runs, except under musl), then only PROGRAM's promises hold. The
allowance maps files executable privately and read-only: no anonymous,
shared or writable executable memory, no mprotect to executable, and no
memfd but the marker (a memfd is code the program wrote).
Code that runs before the marker (initializers, IFUNC resolvers,
DT_PREINIT_ARRAY) calls through the C library and holds PROGRAM's
promises; code that jumps into the loader's own system calls shares the
allowance: it can read within the unveiled paths, and map a file it can
write executable, which seccomp cannot tell from a library.
Refused calls are reported as
  seclude: ls[1234]: ioctl refused (EPERM); promise \"tty\" would allow it

Exit status: PROGRAM's own; 128+N if a signal N killed it; and
  64  bad usage (the message names the argument)
  65  bad promises
  66  an unveil rule failed (missing path, bad letters, no Landlock)
  70  explain found the table and the filter disagreeing (a bug: report it)
  71  another part of the sandbox failed (namespaces, ids, limits, filter)
  126 PROGRAM cannot be executed
  127 PROGRAM not found
  159 killed for a refused call (-k)

examples:
  seclude -p 'stdio rpath' -v /etc -- cat /etc/os-release
  seclude -k -p stdio -- sh -c 'echo hi > /tmp/x'     (killed: 159)
  seclude learn -- ls /
  seclude explain -p 'stdio rpath' openat AT_FDCWD 0 'O_WRONLY|O_CREAT'
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promise_lists_join_and_name_the_unknown_word() {
        let p = promises(&["stdio rpath".into(), "inet,dns".into()]).unwrap();
        assert_eq!(promise_words(p), "stdio rpath inet dns");
        let e = promises(&["stdio rpth".into()]).unwrap_err();
        assert_eq!(e.code, exit::PROMISES);
        assert!(e.message.contains("\"rpth\""), "{}", e.message);
    }

    #[test]
    fn execpromises_are_a_subset_of_promises_holding_exec() {
        let all = promises(&["stdio rpath exec".into()]).unwrap();
        assert_eq!(execpromises(&[], all).unwrap(), None);
        let e = execpromises(&["stdio".into()], all).unwrap().unwrap();
        assert_eq!(promise_words(e), "stdio");
        let wider = execpromises(&["stdio inet".into()], all).unwrap_err();
        assert_eq!(wider.code, exit::PROMISES);
        assert!(
            wider.message.contains("\"inet\" is not in the promises"),
            "{}",
            wider.message
        );
        let no_exec = promises(&["stdio rpath".into()]).unwrap();
        let e = execpromises(&["stdio".into()], no_exec).unwrap_err();
        assert!(e.message.contains("\"exec\""), "{}", e.message);
        let e = execpromises(&["stdio rpth".into()], all).unwrap_err();
        assert!(e.message.contains("in -e 'stdio rpth'"), "{}", e.message);
    }

    #[test]
    fn the_help_names_every_promise() {
        for promise in Promises::all().iter() {
            let word = promise.word().unwrap();
            assert!(HELP.contains(&format!(" {word}")), "--help lacks {word}");
        }
    }

    #[test]
    fn every_flag_of_the_help_has_an_example() {
        let flags = HELP
            .lines()
            .skip_while(|l| !l.starts_with("  -p"))
            .take_while(|l| !l.is_empty());
        let mut flag: Option<&str> = None;
        let mut example = false;
        for line in flags.chain([""]) {
            let starts = line.starts_with("  -");
            if starts || line.is_empty() {
                if let Some(f) = flag {
                    assert!(example, "--help: {f} has no example");
                }
                flag = starts.then_some(line);
                example = false;
            }
            example |= line.contains("e.g.") || line.contains("-T unveil");
        }
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("ls"), "ls");
        assert_eq!(shell_quote("/etc/x.conf"), "/etc/x.conf");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn numbers_and_sizes() {
        assert_eq!(number("0x10"), Some(16));
        assert_eq!(number("-100"), Some(-100i64 as u64));
        assert_eq!(number("0o777"), Some(511));
        assert_eq!(number("x"), None);
        assert_eq!(size("-M", "4g", 1024).unwrap(), 4 << 30);
        assert_eq!(size("-F", "2k", 1000).unwrap(), 2000);
        assert!(
            size("-F", "2q", 1000)
                .unwrap_err()
                .message
                .contains("-F 2q")
        );
        assert!(size("-F", "99999999999t", 1000).is_err());
    }
}
