//! Metadata changes under unveil, performed by seclude: `chmod`, `chown`
//! and `utimes` (with their `f`, `l` and `at` forms) on a file beneath a
//! path unveiled with `w`.
//!
//! Landlock does not check these calls, so unveil's seccomp supplement
//! refuses them everywhere; under the command they reach seclude instead
//! (the supplement's rules notify). Seccomp cannot see paths, and a path
//! seclude read in the program's memory may change the moment after, so
//! seclude never lets such a call continue: it performs it itself, on what
//! it resolved, and answers with the result.
//!
//! 1. The path is copied once from the program's memory; from then on the
//!    program cannot change what seclude works on.
//! 2. It is resolved the way the kernel would for the program: from the
//!    program's root (absolute paths, with `RESOLVE_IN_ROOT`), its working
//!    directory or its directory descriptor, following symbolic links as
//!    the call would, never a `/proc` magic link (`RESOLVE_NO_MAGICLINKS`:
//!    they would name seclude's own descriptors). The result is a
//!    descriptor, so the file cannot be swapped afterwards.
//! 3. That file must be beneath a path unveiled with `w`: its path is
//!    resolved again from the unveiled directory with `RESOLVE_BENEATH`
//!    (no symbolic link, no `..` out) and must give the same inode.
//! 4. The change is made on the descriptor, in a short-lived process of
//!    seclude's that holds the program's credentials (ids, groups,
//!    capabilities), so the kernel's own permission checks apply as they
//!    would to the program. A process, not a thread: with the program's
//!    uid it could be signalled or have its limits changed by the program
//!    (`proc`), which must not reach seclude itself; killing the helper
//!    only fails that one call.
//!
//! Everything seclude reads about the program goes through its
//! `/proc/TID` directory, opened first and checked against the
//! notification (`SECCOMP_IOCTL_NOTIF_ID_VALID`): a thread that died and
//! whose id was reused cannot lend seclude another process's credentials,
//! descriptors or directories.
//!
//! Anything else in the supplement (extended attributes, inode flags,
//! executing a descriptor, truncating before Landlock ABI 3) stays refused
//! and reported, as does a change in a program with its own user
//! namespace, whose credentials seclude cannot take.

use seclude::Errno;
use seclude::seccomp::notify::{Notification, Response};
use seclude::sys::fd::{self, OwnedFd};
use seclude::tables::Syscall;
use seclude::tables::constants::native;
use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;

const AT_FDCWD: i64 = native::AT_FDCWD as i64;
const AT_SYMLINK_NOFOLLOW: u64 = native::AT_SYMLINK_NOFOLLOW as u64;
const AT_EMPTY_PATH: u64 = native::AT_EMPTY_PATH as u64;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const RESOLVE_BENEATH: u64 = 0x08;
const RESOLVE_IN_ROOT: u64 = 0x10;
const S_IFLNK: u16 = 0o120000;
const S_IFCHR: u16 = 0o020000;
const S_IFBLK: u16 = 0o060000;

/// Why seclude refuses a metadata change (`EPERM`), for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Refusal {
    NotBeneath,
    UserNamespace,
    Credentials,
    ProcEntries,
    Gone,
    NoOpenat2,
    Helper,
}

impl Refusal {
    const ALL: [Refusal; 7] = [
        Refusal::NotBeneath,
        Refusal::UserNamespace,
        Refusal::Credentials,
        Refusal::ProcEntries,
        Refusal::Gone,
        Refusal::NoOpenat2,
        Refusal::Helper,
    ];
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::NotBeneath => "the file is not beneath a path unveiled with w",
            Refusal::UserNamespace => {
                "the program has its own user namespace, whose credentials seclude cannot take"
            }
            Refusal::Credentials => "seclude cannot take the program's credentials",
            Refusal::ProcEntries => "seclude cannot open the program's /proc entries",
            Refusal::Gone => "the program's descriptor or directory is gone",
            Refusal::NoOpenat2 => "this kernel has no openat2 (Linux 5.6)",
            Refusal::Helper => "seclude's helper process failed",
        })
    }
}

/// The directories unveiled with `w`, opened by seclude before the program
/// runs, with their paths as the kernel names them.
pub struct WritableRoots {
    roots: Vec<(Vec<u8>, OwnedFd)>,
}

impl WritableRoots {
    /// Opens (`O_PATH`) each unveiled path whose permissions hold `w`, but
    /// for those in /proc (the program's own descriptors, which seclude
    /// reaches otherwise) and devices (`stdio`'s /dev/null is unveiled for
    /// writing, not for a change of its mode or owner). A path that cannot be opened is left out:
    /// unveiling it fails anyway.
    pub fn open<'p>(unveiled: impl IntoIterator<Item = (&'p CStr, &'p str)>) -> WritableRoots {
        let roots = unveiled
            .into_iter()
            .filter(|(_, perms)| perms.contains('w'))
            .filter_map(|(path, _)| {
                let fd = fd::open(path, fd::O_PATH | fd::O_CLOEXEC, 0).ok()?;
                if matches!(file_type(&fd).ok()?, S_IFCHR | S_IFBLK) {
                    return None;
                }
                let name = std::fs::read_link(format!("/proc/self/fd/{}", fd.raw())).ok()?;
                let name = name.as_os_str().as_bytes().to_vec();
                // By the name it resolves to (/dev/fd is /proc/self/fd).
                if name == b"/proc" || name.starts_with(b"/proc/") {
                    return None;
                }
                Some((name, fd))
            })
            .collect();
        WritableRoots { roots }
    }

    /// The descriptors, which the child must keep open while it shares
    /// seclude's descriptor table (they are close-on-exec: the program does
    /// not get them).
    pub fn descriptors(&self) -> impl Iterator<Item = i32> + '_ {
        self.roots.iter().map(|(_, fd)| fd.raw())
    }

    /// Whether `target` (a descriptor of seclude's) is beneath one of the
    /// roots: its path, resolved again from that root without symbolic
    /// links or a way out, is the same inode. A file with no name left (an
    /// `O_TMPFILE`, or one the program removed: /proc shows its last path
    /// with " (deleted)") is beneath a root if the directory it was in is:
    /// no other path reaches it.
    fn holds(&self, target: &OwnedFd) -> Result<bool, Errno> {
        let inode = identity(target)?;
        let shown = std::fs::read_link(format!("/proc/thread-self/fd/{}", target.raw()))
            .map_err(|_| Errno::EBADF)?;
        let shown = shown.as_os_str().as_bytes();
        if let Some(former) = shown.strip_suffix(b" (deleted)") {
            if links(target)? != 0 {
                return Ok(false);
            }
            let Some(slash) = former.iter().rposition(|&b| b == b'/') else {
                return Ok(false);
            };
            let dir = if slash == 0 {
                &b"/"[..]
            } else {
                &former[..slash]
            };
            let Ok(dir) = CString::new(dir) else {
                return Ok(false);
            };
            // The directory, as seclude resolves it now (a directory is
            // never shown deleted while it holds a name).
            let Ok(dir) = fd::open(&dir, fd::O_PATH | fd::O_DIRECTORY | fd::O_CLOEXEC, 0) else {
                return Ok(false);
            };
            // On the directory's filesystem: a memfd shows as
            // "/memfd:NAME (deleted)" but was never in `/` (it lives on an
            // internal mount, another device).
            let (major, minor, _) = identity(&dir)?;
            if (major, minor) != (inode.0, inode.1) {
                return Ok(false);
            }
            return self.holds(&dir);
        }
        for (root, fd) in &self.roots {
            let rest = if root == b"/" {
                shown.strip_prefix(b"/")
            } else {
                shown
                    .strip_prefix(root.as_slice())
                    .filter(|r| r.is_empty() || r[0] == b'/')
                    .map(|r| r.strip_prefix(b"/").unwrap_or(r))
            };
            let Some(rest) = rest else { continue };
            if rest.is_empty() {
                // The root itself (a file unveiled on its own, too).
                if identity(fd)? == inode {
                    return Ok(true);
                }
                continue;
            }
            let Ok(rest) = CString::new(rest) else {
                continue;
            };
            let again = openat2(
                fd.raw(),
                &rest,
                (fd::O_PATH | fd::O_NOFOLLOW | fd::O_CLOEXEC) as u64,
                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
            );
            if let Ok(again) = again {
                if identity(&again)? == inode {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

/// What a call asks to change.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Mode(u32),
    /// New owner and group; `u32::MAX` leaves one as it is.
    Owner(u32, u32),
    /// Access and modification times as `utimensat` takes them; `None` is
    /// "now" for both.
    Times(Option<[(i64, i64); 2]>),
}

/// Where the file is: a path (an address in the program) from a directory
/// descriptor, or a descriptor itself.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Path {
        dir: i64,
        address: u64,
    },
    /// `fchmod`, `fchown`, `futimens`: the kernel wants a descriptor that
    /// is not `O_PATH` there.
    Descriptor(i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Request {
    target: Target,
    follow: bool,
    /// `AT_EMPTY_PATH`: an empty path names the directory descriptor.
    empty_path: bool,
    change: Change,
}

/// How `times` arguments are laid out: a `timespec`, `timeval` or
/// `utimbuf` pair with fields of the kernel's `long`
/// ([`KernelLong`](seclude::sys::KernelLong): 64 bits on x32 too, where
/// a pointer has 32), or a `timespec` pair with 64-bit fields
/// (`utimensat_time64`, what a 32-bit ABI's C library calls first).
#[derive(Clone, Copy, Debug)]
enum TimesLayout {
    Timespec,
    Timespec64,
    Timeval,
    Utimbuf,
}

/// The call's request, or `None` for a call seclude does not perform.
/// Reading the times may fail (`EFAULT`, `EINVAL`), as the kernel's would.
fn decode(call: Syscall, args: &[u64; 6], pid: u32) -> Option<Result<Request, Errno>> {
    use Syscall as S;
    let path = |dir: u64, address: u64| Target::Path {
        dir: dir as i32 as i64,
        address,
    };
    let cwd = AT_FDCWD as u64;
    let times = |address: u64, layout| read_times(pid, address, layout);
    let request = |target, follow, empty_path, change| {
        Ok(Request {
            target,
            follow,
            empty_path,
            change,
        })
    };
    let flags = |f: u64| (f & AT_SYMLINK_NOFOLLOW == 0, f & AT_EMPTY_PATH != 0);
    let owner = |u: u64, g: u64| Change::Owner(u as u32, g as u32);
    Some(match call {
        S::chmod => request(
            path(cwd, args[0]),
            true,
            false,
            Change::Mode(args[1] as u32),
        ),
        S::fchmod => request(
            Target::Descriptor(args[0] as i32 as i64),
            true,
            false,
            Change::Mode(args[1] as u32),
        ),
        S::fchmodat => request(
            path(args[0], args[1]),
            true,
            false,
            Change::Mode(args[2] as u32),
        ),
        S::fchmodat2 => {
            let (follow, empty) = flags(args[3]);
            request(
                path(args[0], args[1]),
                follow,
                empty,
                Change::Mode(args[2] as u32),
            )
        }
        S::chown | S::chown32 => request(path(cwd, args[0]), true, false, owner(args[1], args[2])),
        S::lchown | S::lchown32 => {
            request(path(cwd, args[0]), false, false, owner(args[1], args[2]))
        }
        S::fchown | S::fchown32 => request(
            Target::Descriptor(args[0] as i32 as i64),
            true,
            false,
            owner(args[1], args[2]),
        ),
        S::fchownat => {
            let (follow, empty) = flags(args[4]);
            request(
                path(args[0], args[1]),
                follow,
                empty,
                owner(args[2], args[3]),
            )
        }
        S::utime => times(args[1], TimesLayout::Utimbuf)
            .and_then(|t| request(path(cwd, args[0]), true, false, Change::Times(t))),
        S::utimes => times(args[1], TimesLayout::Timeval)
            .and_then(|t| request(path(cwd, args[0]), true, false, Change::Times(t))),
        S::futimesat => {
            let target = if args[1] == 0 {
                Target::Descriptor(args[0] as i32 as i64)
            } else {
                path(args[0], args[1])
            };
            times(args[2], TimesLayout::Timeval)
                .and_then(|t| request(target, true, false, Change::Times(t)))
        }
        S::utimensat | S::utimensat_time64 => {
            let (follow, empty) = flags(args[3]);
            let target = if args[1] == 0 {
                // futimens: no path, the descriptor itself, and no flag.
                if args[3] & AT_SYMLINK_NOFOLLOW != 0 {
                    return Some(Err(Errno::EINVAL));
                }
                Target::Descriptor(args[0] as i32 as i64)
            } else {
                path(args[0], args[1])
            };
            let layout = if call == S::utimensat_time64 {
                TimesLayout::Timespec64
            } else {
                TimesLayout::Timespec
            };
            times(args[2], layout).and_then(|t| request(target, follow, empty, Change::Times(t)))
        }
        _ => return None,
    })
}

/// Two times from the program's memory, as `utimensat` takes them
/// (`None` for a null pointer: now).
fn read_times(
    pid: u32,
    address: u64,
    layout: TimesLayout,
) -> Result<Option<[(i64, i64); 2]>, Errno> {
    use std::os::unix::fs::FileExt;
    if address == 0 {
        return Ok(None);
    }
    let word = match layout {
        TimesLayout::Timespec64 => 8,
        _ => core::mem::size_of::<seclude::sys::KernelLong>(),
    };
    let fields = match layout {
        TimesLayout::Utimbuf => 2,
        TimesLayout::Timespec | TimesLayout::Timespec64 | TimesLayout::Timeval => 4,
    };
    let mut raw = [0u8; 32];
    let raw = &mut raw[..fields * word];
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).map_err(|_| Errno::EFAULT)?;
    mem.read_exact_at(raw, address).map_err(|_| Errno::EFAULT)?;
    let field = |i: usize| -> i64 {
        let bytes = &raw[i * word..(i + 1) * word];
        if word == 8 {
            i64::from_ne_bytes(bytes.try_into().expect("8 bytes"))
        } else {
            i32::from_ne_bytes(bytes.try_into().expect("4 bytes")) as i64
        }
    };
    Ok(Some(match layout {
        TimesLayout::Timespec | TimesLayout::Timespec64 => {
            [(field(0), field(1)), (field(2), field(3))]
        }
        TimesLayout::Utimbuf => [(field(0), 0), (field(1), 0)],
        TimesLayout::Timeval => {
            let micros = |us: i64| {
                if (0..1_000_000).contains(&us) {
                    Ok(us * 1000)
                } else {
                    Err(Errno::EINVAL)
                }
            };
            [(field(0), micros(field(1))?), (field(2), micros(field(3))?)]
        }
    }))
}

/// Performs a metadata call the supplement sent to seclude (`listener`
/// is the notification's). `None`: not a call seclude performs.
/// `Some(Err(refusal))`: refused (`EPERM`), with the reason for the
/// report. `Some(Ok(response))`: done, or failed as the kernel made it
/// fail for the program.
pub fn perform(
    n: &Notification,
    call: Syscall,
    roots: &WritableRoots,
    listener: i32,
) -> Option<Result<Response, Refusal>> {
    let request = match decode(call, &n.data.args, n.pid)? {
        Ok(request) => request,
        Err(e) => return Some(Ok(Response::Error(e))),
    };
    Some(perform_request(n, &request, roots, listener))
}

/// The calling thread's `/proc/TID` directory, opened before anything is
/// read through it and checked against the notification: if the thread
/// died and its id went to another, the notification is no longer valid,
/// and the directory stays the dead thread's.
struct Task(OwnedFd);

impl Task {
    fn open(n: &Notification, listener: i32) -> Result<Task, Refusal> {
        let path = CString::new(format!("/proc/{}", n.pid)).expect("no NUL");
        let dir = fd::open(&path, fd::O_PATH | fd::O_DIRECTORY | fd::O_CLOEXEC, 0)
            .map_err(|_| Refusal::Gone)?;
        match seclude::seccomp::notify::id_valid(listener, n.id) {
            Ok(true) => Ok(Task(dir)),
            _ => Err(Refusal::Gone),
        }
    }

    /// A path to an entry, through seclude's descriptor of the directory.
    fn entry(&self, entry: &str) -> String {
        format!("/proc/self/fd/{}/{entry}", self.0.raw())
    }

    /// An entry opened `O_PATH` (following its magic link, if any).
    fn open_entry(&self, entry: &str) -> Result<OwnedFd, Refusal> {
        let path = CString::new(self.entry(entry)).expect("no NUL");
        fd::open(&path, fd::O_PATH | fd::O_CLOEXEC, 0).map_err(|e| match e {
            Errno::ENOENT => Refusal::Gone,
            _ => Refusal::ProcEntries,
        })
    }

    /// The program's descriptor `fd`: reopened `O_PATH`, with whether it is
    /// itself an `O_PATH` descriptor (`flags:` in fdinfo, octal).
    fn descriptor(&self, fd: i64) -> Result<(OwnedFd, bool), Refusal> {
        let opened = self.open_entry(&format!("fd/{fd}"))?;
        let info = std::fs::read_to_string(self.entry(&format!("fdinfo/{fd}")))
            .map_err(|_| Refusal::Gone)?;
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .ok_or(Refusal::ProcEntries)?;
        Ok((opened, flags & fd::O_PATH != 0))
    }

    fn own_user_namespace(&self) -> bool {
        let theirs = std::fs::read_link(self.entry("ns/user"));
        let ours = std::fs::read_link("/proc/self/ns/user");
        match (theirs, ours) {
            (Ok(theirs), Ok(ours)) => theirs != ours,
            _ => true,
        }
    }

    /// A NUL-terminated string at `address` in the program's memory (at
    /// most `PATH_MAX`), or `None` if it cannot be read or is too long.
    fn string(&self, address: u64) -> Option<Vec<u8>> {
        crate::procfs::read_c_string(&self.entry("mem"), address)
    }
}

fn perform_request(
    n: &Notification,
    request: &Request,
    roots: &WritableRoots,
    listener: i32,
) -> Result<Response, Refusal> {
    let task = Task::open(n, listener)?;
    if task.own_user_namespace() {
        return Err(Refusal::UserNamespace);
    }
    let credentials = std::fs::read_to_string(task.entry("status"))
        .ok()
        .and_then(|s| Credentials::parse(&s))
        .ok_or(Refusal::Gone)?;
    // What the program named: a start descriptor (opened by seclude, which
    // may read the program's /proc entries) and a copied path.
    let (start, path, resolve) = match request.target {
        Target::Descriptor(fd) if fd < 0 => return Ok(Response::Error(Errno::EBADF)),
        Target::Descriptor(fd) => match task.descriptor(fd)? {
            (_, true) => return Ok(Response::Error(Errno::EBADF)),
            (opened, false) => (opened, None, 0),
        },
        Target::Path { dir, address } => {
            let Some(path) = task.string(address) else {
                return Ok(Response::Error(Errno::EFAULT));
            };
            if let Some(fd) = proc_self_fd(&path) {
                (task.open_entry(&format!("fd/{fd}"))?, None, 0)
            } else if path.first() == Some(&b'/') {
                (task.open_entry("root")?, Some(path), RESOLVE_IN_ROOT)
            } else if path.is_empty() && !request.empty_path {
                return Ok(Response::Error(Errno::ENOENT));
            } else if dir == AT_FDCWD {
                (task.open_entry("cwd")?, Some(path), 0)
            } else if dir < 0 {
                return Ok(Response::Error(Errno::EBADF));
            } else {
                (task.open_entry(&format!("fd/{dir}"))?, Some(path), 0)
            }
        }
    };
    let path = match path {
        Some(path) if !path.is_empty() => match CString::new(path) {
            Ok(path) => Some(path),
            Err(_) => return Ok(Response::Error(Errno::EINVAL)),
        },
        _ => None,
    };
    let change = request.change;
    let follow = request.follow;
    let work = || -> Result<Response, Refusal> {
        let resolved;
        let target = match &path {
            Some(path) => {
                let nofollow = if follow { 0 } else { fd::O_NOFOLLOW };
                resolved = match openat2(
                    start.raw(),
                    path,
                    (fd::O_PATH | fd::O_CLOEXEC | nofollow) as u64,
                    resolve | RESOLVE_NO_MAGICLINKS,
                ) {
                    Ok(target) => target,
                    Err(Errno::ENOSYS) => return Err(Refusal::NoOpenat2),
                    Err(e) => return Ok(Response::Error(e)),
                };
                &resolved
            }
            None => &start,
        };
        match roots.holds(target) {
            Ok(true) => {}
            Ok(false) => return Err(Refusal::NotBeneath),
            Err(e) => return Ok(Response::Error(e)),
        }
        Ok(match apply(target, change, follow) {
            Ok(()) => Response::Return(0),
            Err(e) => Response::Error(e),
        })
    };
    in_helper(|| {
        credentials.take()?;
        work()
    })
}

/// Runs `work` in a child process of seclude's and returns its result,
/// passed back as the exit status: 0 done, an errno, or 200 and more for a
/// refusal.
fn in_helper(work: impl FnOnce() -> Result<Response, Refusal>) -> Result<Response, Refusal> {
    use seclude::sys::process::{ExitStatus, Forked, fork, wait};
    // SAFETY: seclude's supervisor is single-threaded; the child makes
    // system calls and small allocations, then leaves by exit_group.
    match unsafe { fork(0) } {
        Err(_) => Err(Refusal::Helper),
        Ok(Forked::Child) => {
            let code = match work() {
                Ok(Response::Return(_)) => 0,
                Ok(Response::Error(e)) => e.raw(),
                Ok(_) => 200 + Refusal::Helper as i32,
                Err(refusal) => 200 + refusal as i32,
            };
            seclude::sys::exit_group(code)
        }
        Ok(Forked::Parent(pid)) => match wait(pid) {
            Ok(ExitStatus::Exited(0)) => Ok(Response::Return(0)),
            Ok(ExitStatus::Exited(code))
                if (200..200 + Refusal::ALL.len() as i32).contains(&code) =>
            {
                Err(Refusal::ALL[(code - 200) as usize])
            }
            Ok(ExitStatus::Exited(code)) if (1..200).contains(&code) => {
                Ok(Response::Error(Errno::new(code).unwrap_or(Errno::EPERM)))
            }
            _ => Err(Refusal::Helper),
        },
    }
}

/// `/proc/self/fd/N` (or `thread-self`): the program's descriptor N, which
/// seclude resolves as the program's, not its own.
fn proc_self_fd(path: &[u8]) -> Option<i64> {
    let rest = path
        .strip_prefix(b"/proc/self/fd/")
        .or_else(|| path.strip_prefix(b"/proc/thread-self/fd/"))?;
    if rest.is_empty() || rest.len() > 10 || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // "03" is no descriptor's name.
    if rest.len() > 1 && rest[0] == b'0' {
        return None;
    }
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// Makes the change on `target` (an `O_PATH` descriptor).
fn apply(target: &OwnedFd, change: Change, follow: bool) -> Result<(), Errno> {
    let symlink = file_type(target)? == S_IFLNK;
    // A descriptor's path in /proc names the file itself (the magic link
    // is followed, not the file if it is a symbolic link).
    let by_path = CString::new(format!("/proc/thread-self/fd/{}", target.raw())).expect("no NUL");
    use seclude::sys::path;
    match change {
        Change::Mode(_) if symlink && !follow => Err(Errno::EOPNOTSUPP),
        Change::Mode(mode) => path::fchmodat(AT_FDCWD as i32, &by_path, mode),
        Change::Owner(uid, gid) => {
            path::fchownat(target.raw(), c"", uid, gid, AT_EMPTY_PATH as u32)
        }
        Change::Times(times) => {
            let timespecs: Option<[[i64; 2]; 2]> = times.map(|t| t.map(|(sec, nsec)| [sec, nsec]));
            if symlink {
                // Not followed (a followed link is resolved already).
                path::utimensat(
                    target.raw(),
                    c"",
                    timespecs.as_ref(),
                    (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) as u32,
                )
            } else {
                path::utimensat(AT_FDCWD as i32, &by_path, timespecs.as_ref(), 0)
            }
        }
    }
}

/// `openat2` (see [`seclude::sys::path::openat2`]).
fn openat2(dir: i32, path: &CString, flags: u64, resolve: u64) -> Result<OwnedFd, Errno> {
    seclude::sys::path::openat2(dir, path, flags, resolve)
}

/// `statx` on a descriptor itself (its layout is the same on every
/// architecture): links at 0x10, type at 0x1c, inode at 0x20, device at
/// 0x88 and 0x8c.
fn statx_of(target: &OwnedFd, buf: &mut [u8; 256]) -> Result<(), Errno> {
    const STATX_TYPE: u32 = 1;
    const STATX_NLINK: u32 = 4;
    const STATX_INO: u32 = 0x100;
    seclude::sys::path::statx(
        target.raw(),
        c"",
        (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) as u32,
        STATX_TYPE | STATX_NLINK | STATX_INO,
        buf,
    )
}

/// How many names (hard links) a descriptor's file has (at 0x10).
fn links(target: &OwnedFd) -> Result<u32, Errno> {
    let mut buf = [0u8; 256];
    statx_of(target, &mut buf)?;
    Ok(u32::from_ne_bytes(
        buf[0x10..0x14].try_into().expect("4 bytes"),
    ))
}

/// The type bits (`S_IFMT`) of a descriptor's file.
fn file_type(target: &OwnedFd) -> Result<u16, Errno> {
    seclude::sys::path::file_info(target.raw()).map(|info| info.format())
}

/// Device and inode of a descriptor's file.
fn identity(target: &OwnedFd) -> Result<(u32, u32, u64), Errno> {
    let mut buf = [0u8; 256];
    statx_of(target, &mut buf)?;
    let u32_at = |o: usize| u32::from_ne_bytes(buf[o..o + 4].try_into().expect("4 bytes"));
    let ino = u64::from_ne_bytes(buf[0x20..0x28].try_into().expect("8 bytes"));
    Ok((u32_at(0x88), u32_at(0x8c), ino))
}

/// A process's ids, groups and capabilities, from /proc/PID/status.
#[derive(PartialEq, Eq, Debug)]
struct Credentials {
    uids: [u32; 3],
    gids: [u32; 3],
    groups: Vec<u32>,
    /// Inheritable, permitted, effective.
    caps: [u64; 3],
}

impl Credentials {
    fn parse(status: &str) -> Option<Credentials> {
        let line = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(str::trim)
        };
        let ids = |key: &str| -> Option<[u32; 3]> {
            let v: Vec<u32> = line(key)?
                .split_whitespace()
                .map(|w| w.parse().ok())
                .collect::<Option<_>>()?;
            Some([*v.first()?, *v.get(1)?, *v.get(2)?])
        };
        let cap = |key: &str| u64::from_str_radix(line(key)?, 16).ok();
        Some(Credentials {
            uids: ids("Uid:")?,
            gids: ids("Gid:")?,
            groups: line("Groups:")?
                .split_whitespace()
                .map(|w| w.parse().ok())
                .collect::<Option<_>>()?,
            caps: [cap("CapInh:")?, cap("CapPrm:")?, cap("CapEff:")?],
        })
    }

    /// Whether the calling thread has these credentials already.
    fn are_ours(&self) -> bool {
        std::fs::read_to_string("/proc/thread-self/status")
            .ok()
            .and_then(|s| Credentials::parse(&s))
            .as_ref()
            == Some(self)
    }

    /// Takes these credentials (in seclude's helper process; the raw calls
    /// change the calling thread, its only one). Keeping capabilities
    /// across the uid change lets it then set the program's.
    fn take(&self) -> Result<(), Refusal> {
        use seclude::privileges::{CapSets, Capabilities, capset};
        use seclude::sys::process::{setgroups, setresgid, setresuid};
        if self.are_ours() {
            return Ok(());
        }
        let failed = |_| Refusal::Credentials;
        seclude::sys::process::set_keep_caps(true).map_err(failed)?;
        setgroups(&self.groups).map_err(failed)?;
        let [r, e, s] = self.gids;
        setresgid(r, e, s).map_err(failed)?;
        let [r, e, s] = self.uids;
        setresuid(r, e, s).map_err(failed)?;
        let [inheritable, permitted, effective] = self.caps.map(Capabilities::from_bits_retain);
        capset(&CapSets {
            effective,
            permitted,
            inheritable,
        })
        .map_err(failed)
    }
}

#[cfg(test)]
mod tests;
