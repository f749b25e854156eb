//! What run mode and learn mode share to start a program: finding it and
//! its loader, the marker object and `LD_PRELOAD`, its arguments and
//! environment as C strings, the paths unveiled for it without asking,
//! and the seccomp filter it runs under.

use crate::cli::Failure;
use crate::elf::{self, Executable};
use crate::exit;
use crate::marker;
use seclude::Errno;
use seclude::bpf::Action;
use seclude::pledge::{MAX_RULES, PledgeError, Promises, SupervisedProgram};
use seclude::seccomp::{Cmp, Condition, Policy, Rule};
use seclude::tables::Syscall;
use std::ffi::{CString, OsStr, OsString};
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What a dynamic loader needs before the program's own code runs: read
/// its libraries and configuration (`rpath`), map them executable
/// (`prot_exec`), and the basics (`stdio`); narrowed by
/// [`loading_narrowed`].
pub const LOADER: Promises = seclude::promises!("stdio rpath prot_exec");

/// Whether `promises` let the program receive messages (`recvmsg`: `unix`,
/// `inet`, `anet`, `dns`) but not descriptors (`recvfd`).
pub fn receives_no_descriptors(promises: Promises) -> bool {
    promises.intersects(Promises::UNIX | Promises::INET | Promises::ANET | Promises::DNS)
        && !promises.contains(Promises::RECVFD)
}

/// `setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, …)`, sent to seclude: the
/// filter's rule, and what seclude matches a notified call against.
pub fn passrights_rule() -> Rule {
    use seclude::sys::socket::{SO_PASSRIGHTS, SOL_SOCKET};
    Rule::with(
        Syscall::setsockopt,
        &[
            Condition::arg32(1, Cmp::Eq, SOL_SOCKET as u32),
            Condition::arg32(2, Cmp::Eq, SO_PASSRIGHTS as u32),
        ],
        Action::UserNotif,
    )
    .expect("two conditions")
}

/// The program's path, searched in `PATH` unless it has a slash.
pub fn find_program(name: &OsStr) -> Result<PathBuf, Failure> {
    use std::os::unix::fs::PermissionsExt;
    let shown = name.to_string_lossy();
    if name.as_bytes().contains(&b'/') {
        let path = PathBuf::from(name);
        return match std::fs::metadata(&path) {
            Ok(_) => Ok(path),
            Err(e) => Err(Failure::new(exit::NOT_FOUND, format!("{shown}: {e}"))),
        };
    }
    let search = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    let mut found_not_executable = None;
    for dir in std::env::split_paths(&search) {
        let candidate = dir.join(name);
        if let Ok(meta) = std::fs::metadata(&candidate) {
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Ok(candidate);
            }
            found_not_executable.get_or_insert(candidate);
        }
    }
    match found_not_executable {
        Some(path) => Err(cannot_execute(&path, "not executable")),
        None => Err(Failure::new(
            exit::NOT_FOUND,
            format!("{shown}: command not found"),
        )),
    }
}

pub fn cannot_execute(path: &Path, why: &str) -> Failure {
    Failure::new(exit::CANNOT_EXECUTE, format!("{}: {why}", path.display()))
}

/// The program's loader (its ELF interpreter, or its script
/// interpreter's), refusing programs for another machine (the filter
/// covers the native ABI only: their calls would kill them).
pub fn loader_of(path: &Path, executable: &Executable) -> Result<Option<PathBuf>, Failure> {
    match executable {
        Executable::Elf {
            machine,
            bits,
            interpreter,
        } => {
            if Some(*machine) != elf::NATIVE_MACHINE || *bits as usize != usize::BITS as usize {
                return Err(cannot_execute(
                    path,
                    &format!(
                        "built for another ABI (ELF machine {machine}, {bits}-bit); seclude's filter covers only its own"
                    ),
                ));
            }
            Ok(interpreter.clone())
        }
        Executable::Script { interpreter } => {
            let inner = elf::inspect(interpreter)
                .map_err(|e| cannot_execute(interpreter, &e.to_string()))?;
            match inner {
                Executable::Script { .. } => {
                    Err(cannot_execute(path, "its interpreter is itself a script"))
                }
                other => loader_of(interpreter, &other),
            }
        }
        Executable::Other => Ok(None),
    }
}

/// Sets `LD_PRELOAD` to `object` first, before any preloads already asked for.
pub fn set_preload(env: &mut Vec<(OsString, OsString)>, object: &str) {
    match env.iter_mut().find(|(k, _)| k == "LD_PRELOAD") {
        Some((_, v)) => {
            let mut joined = OsString::from(object);
            joined.push(":");
            joined.push(&*v);
            *v = joined;
        }
        None => env.push(("LD_PRELOAD".into(), object.into())),
    }
}

/// Arguments as C strings.
pub fn c_strings(args: &[OsString]) -> Result<Vec<CString>, Failure> {
    args.iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<_, _>>()
        .map_err(|_| Failure::usage("an argument contains a NUL byte".into()))
}

/// `KEY=VALUE` strings (variables with a NUL byte cannot be passed on).
pub fn environment(env: &[(OsString, OsString)]) -> Vec<CString> {
    env.iter()
        .filter_map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).ok()
        })
        .collect()
}

/// The marker object in a memfd that an exec keeps open (no close-on-exec),
/// sealed against any change and reopened read-only: the program gets a
/// descriptor it cannot write through.
pub fn marker_memfd(object: &[u8]) -> Result<seclude::sys::fd::OwnedFd, Failure> {
    use seclude::sys::fd;
    let failed =
        |what: &str, e: Errno| Failure::new(exit::SETUP, format!("marker object: {what}: {e}"));
    let writable = fd::memfd_create(c"seclude-marker", fd::MFD_CLOEXEC | fd::MFD_ALLOW_SEALING)
        .map_err(|e| failed("memfd_create", e))?;
    seclude::sys::write_all(writable.raw(), object).map_err(|e| failed("write", e))?;
    fd::add_seals(
        writable.raw(),
        fd::Seals::SEAL | fd::Seals::SHRINK | fd::Seals::GROW | fd::Seals::WRITE,
    )
    .map_err(|e| failed("sealing", e))?;
    let path = CString::new(format!("/proc/self/fd/{}", writable.raw())).expect("no NUL");
    // Without O_CLOEXEC: the program's loader opens it by number.
    fd::open(&path, fd::O_RDONLY, 0).map_err(|e| failed("reopening read-only", e))
}

/// Where a loader finds libraries: unveiled `rx` for a dynamically
/// linked program.
pub const LIBRARY_DIRS: [&str; 6] = [
    "/lib",
    "/lib64",
    "/usr/lib",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/local/lib64",
];

/// The loader's configuration: unveiled `r` for a dynamically linked
/// program.
pub const LOADER_FILES: [&str; 4] = [
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/ld.so.preload",
];

/// Whether run mode unveils `path` by itself for a dynamically linked
/// program under `promises` (the loader's paths, and [`AUTOMATIC`]'s for
/// those promises), so that no `-v` rule is needed for it.
pub fn unveiled_automatically(path: &Path, promises: Promises) -> bool {
    LIBRARY_DIRS
        .iter()
        .chain(&LOADER_FILES)
        .any(|p| path.starts_with(p))
        || AUTOMATIC
            .iter()
            .any(|&(promise, p, _)| promises.contains(promise) && path.starts_with(p))
}

/// The files a promise's calls are for, unveiled with it (the list of
/// pledge.com, trimmed to files that make sense on Linux distributions).
/// Not `/dev/stdin` and friends: they name whatever descriptors 0 to 2
/// are, and a pipe or a socket is no path Landlock can hold a rule for
/// (the program has those descriptors open already).
pub const AUTOMATIC: &[(Promises, &str, &str)] = &[
    (Promises::STDIO, "/dev/null", "rw"),
    (Promises::STDIO, "/dev/zero", "r"),
    (Promises::STDIO, "/dev/full", "rw"),
    (Promises::STDIO, "/dev/urandom", "r"),
    (Promises::STDIO, "/dev/fd", "r"),
    (Promises::STDIO, "/proc/self/fd", "rw"),
    (Promises::STDIO, "/proc/self/stat", "r"),
    (Promises::STDIO, "/proc/self/status", "r"),
    (Promises::STDIO, "/proc/self/cmdline", "r"),
    (Promises::STDIO, "/etc/localtime", "r"),
    (Promises::STDIO, "/usr/share/locale", "r"),
    (Promises::STDIO, "/usr/share/zoneinfo", "r"),
    (Promises::STDIO, "/usr/lib/locale", "r"),
    (Promises::STDIO, "/proc/sys/kernel/version", "r"),
    (Promises::STDIO, "/proc/sys/kernel/ngroups_max", "r"),
    (Promises::STDIO, "/proc/sys/kernel/cap_last_cap", "r"),
    (Promises::STDIO, "/proc/sys/vm/overcommit_memory", "r"),
    (Promises::RPATH, "/proc/filesystems", "r"),
    (Promises::INET, "/etc/ssl/certs/ca-certificates.crt", "r"),
    (Promises::DNS, "/etc/hosts", "r"),
    (Promises::DNS, "/etc/hostname", "r"),
    (Promises::DNS, "/etc/services", "r"),
    (Promises::DNS, "/etc/protocols", "r"),
    (Promises::DNS, "/etc/resolv.conf", "r"),
    (Promises::DNS, "/etc/nsswitch.conf", "r"),
    (Promises::DNS, "/etc/gai.conf", "r"),
    (Promises::TTY, "/dev/tty", "rw"),
    (Promises::TTY, "/etc/terminfo", "r"),
    (Promises::TTY, "/usr/lib/terminfo", "r"),
    (Promises::TTY, "/usr/share/terminfo", "r"),
    (Promises::VMINFO, "/proc/stat", "r"),
    (Promises::VMINFO, "/proc/meminfo", "r"),
    (Promises::VMINFO, "/proc/cpuinfo", "r"),
    (Promises::VMINFO, "/proc/diskstats", "r"),
    (Promises::VMINFO, "/proc/self/maps", "r"),
    (Promises::VMINFO, "/sys/devices/system/cpu", "r"),
    (Promises::TMPPATH, "/tmp", "rwc"),
];

/// The filter: the promises, with every refused call, every exec and the
/// marker sent to seclude; and first, with `supplement`, what unveil's
/// seccomp supplement would refuse in the kernel (what Landlock cannot
/// check), so that seclude reports those refusals too; with `exits`,
/// `exit_group` too (see [`Launch::follow_images`]); with `memfds`, every
/// `memfd_create` that could make an executable memfd (which `promises`
/// allow if they lack `exec`), for a started program that holds `exec`
/// (see [`memfd_under_exec`]).
///
/// Only the rules: [`Filter::build_in`] compiles them, which seclude does
/// while the child sets up its sandbox.
pub fn filter(
    promises: Promises,
    supplement: Option<&'static [Rule]>,
    exits: bool,
    memfds: bool,
) -> Filter {
    let marker = Rule::with(
        Syscall::prctl,
        &[Condition::arg32(0, Cmp::Eq, marker::MARKER_OPTION)],
        Action::UserNotif,
    )
    .expect("one condition");
    // Its refusals come to seclude; what it makes unavailable (ENOSYS:
    // io_uring, socketcall's socket calls) stays so, as under the promises.
    let mut first: Vec<Rule> = supplement
        .unwrap_or_default()
        .iter()
        .map(|rule| {
            let mut notified = *rule;
            if notified.action == Action::Errno(Errno::EPERM.raw() as u16) {
                notified.action = Action::UserNotif;
            }
            notified
        })
        .collect();
    first.extend([
        Rule::new(Syscall::execve, Action::UserNotif),
        Rule::new(Syscall::execveat, Action::UserNotif),
        marker,
    ]);
    if exits {
        first.push(Rule::new(Syscall::exit_group, Action::UserNotif));
    }
    if receives_no_descriptors(promises) {
        // Turning SO_PASSRIGHTS back on would undo what seclude set on
        // the inherited sockets (see `refuse_passed_descriptors`).
        first.push(passrights_rule());
    }
    if memfds {
        use seclude::sys::fd::{MFD_EXEC, MFD_HUGETLB, MFD_NOEXEC_SEAL};
        // Without the seal, executable, or on hugetlbfs; a sealed one goes
        // on to the promises' rules.
        for (mask, value) in [
            (MFD_NOEXEC_SEAL, 0),
            (MFD_EXEC, MFD_EXEC),
            (MFD_HUGETLB, MFD_HUGETLB),
        ] {
            let flags = Condition::arg32(1, Cmp::MaskedEq(mask.into()), value);
            first.extend(Rule::with(
                Syscall::memfd_create,
                &[flags],
                Action::UserNotif,
            ));
        }
    }
    Filter { first, promises }
}

/// What the child's filter is made of (see [`filter`]): rules deciding
/// first, then the promises'.
pub struct Filter {
    first: Vec<Rule>,
    promises: Promises,
}

impl Filter {
    /// A filter of `first` and `promises` as they are (tests).
    #[cfg(test)]
    pub fn of(first: Vec<Rule>, promises: Promises) -> Filter {
        Filter { first, promises }
    }

    /// Compiles the filter in `place` (a page shared with the child, in
    /// the command).
    ///
    /// Built where it stays: the policy it is compiled from has room for
    /// 480 rules (~100 KB), of which a launch uses about half, and the
    /// program room for 4096 instructions (32 KB), of which it uses about
    /// 500. Returned by value, they were copied from frame to frame, and
    /// every page of a frame is touched (each page first touched is a
    /// fault, ~2 µs on a VM); made in place, only the pages used are.
    pub fn build_in<'p>(
        &self,
        place: &'p mut MaybeUninit<SupervisedProgram>,
    ) -> Result<&'p mut SupervisedProgram, Failure> {
        let mut scratch = Box::<Policy<MAX_RULES>>::new_uninit();
        SupervisedProgram::new_in(place, &mut scratch, &self.first, self.promises).map_err(|e| {
            let message = match e {
                PledgeError::Compile(e) => format!("compiling the filter: {e}"),
                e => format!("promises: {e}"),
            };
            Failure::new(exit::PROMISES, message)
        })
    }
}
