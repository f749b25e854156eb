//! Every one of the 23 promises against the real kernel: calls a promise
//! allows get through the filter, neighbouring calls it does not allow are
//! refused by it. Each test runs its body in fresh child processes, as root
//! and as uid 65534 without capabilities, once per promise string it names
//! (a body reads which one from its environment and expects accordingly).
//!
//! The penalty is `ENOTRECOVERABLE` (131), an errno none of these calls
//! gets from the kernel itself: a call "refused" failed with 131, a call
//! "let through" may still fail with the kernel's own errno (an
//! unprivileged `settimeofday` gets `EPERM`), and a call "allowed"
//! succeeded. The table these tests hold the filter to is
//! `src/pledge/table.rs`.

#[path = "support/child.rs"]
mod child;

use libc::{c_int, c_long, c_uint};
use seclude::pledge::{Penalty, Pledge, PledgeError, Promises};
use seclude::promises;
use std::ffi::{CStr, CString};
use std::fs;
use std::os::fd::IntoRawFd;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

/// The filter's errno: `ENOTRECOVERABLE`.
const FILTER_ERRNO: i32 = 131;
const ENOSYS: i32 = libc::ENOSYS;
/// `fcntl` commands the libc crate does not name.
const F_SETSIG: c_int = 10;
/// `F_NOTIFY`'s `DN_ACCESS`.
const DN_ACCESS: c_long = 1;

/// The promise string of the current run, for the body.
const CASE: &str = "SECLUDE_PROMISES_CASE";
/// A directory the body may create before pledging (removed by the parent).
const SCRATCH: &str = "SECLUDE_PROMISES_SCRATCH";

/// Every promise.
const ALL: &str = "stdio rpath wpath cpath dpath flock fattr chown inet anet unix dns tty \
                   recvfd sendfd proc exec prot_exec id settime unveil vminfo tmppath";

// ---------------------------------------------------------------------------
// Running bodies.

/// Runs `body` in a child for every promise string of `cases`, as root and
/// unprivileged, and requires exit status 0 from each run.
fn run_cases(test: &str, cases: &[&str], body: fn() -> i32) {
    // In a child (the test binary re-executed by `child::run_with_env`),
    // go straight to the run the child was started for: its environment
    // already holds the case and the scratch directory, and the run for the
    // other mode would start a grandchild for nothing.
    if let Ok(tag) = std::env::var("SECLUDE_TEST_CHILD") {
        for mode in child::MODES {
            if tag == format!("{test}/{mode:?}") {
                child::run(test, mode, body);
            }
        }
    }
    for case in cases {
        for mode in child::MODES {
            let dir = std::env::temp_dir().join(format!(
                "seclude-promises-{}-{test}-{mode:?}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&dir);
            let exit = child::run_with_env(
                test,
                mode,
                &[(CASE, case), (SCRATCH, dir.to_str().unwrap())],
                body,
            );
            let _ = fs::remove_dir_all(&dir);
            exit.assert_success(&format!("{test} under \"{case}\" ({mode:?})"));
        }
    }
}

/// The body's outcome as an exit status; a failure is printed on stderr
/// (writing there is within every promise set used here).
fn outcome(checks: impl FnOnce() -> Result<(), String>) -> i32 {
    match checks() {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("{message}");
            1
        }
    }
}

/// In the body: the promises of this run.
fn case() -> Promises {
    let case = std::env::var(CASE).expect("the case's promises");
    Promises::parse(&case).expect("a valid promise string")
}

/// In the body: pledges the promises of this run and returns them.
fn pledge_case() -> Promises {
    let promises = case();
    pledge(promises);
    promises
}

fn pledge(promises: Promises) {
    Pledge::new(promises)
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .expect("pledge applied");
}

/// In the body, before pledging: creates the scratch directory, owned by
/// whoever the body runs as.
fn scratch() -> PathBuf {
    let dir = PathBuf::from(std::env::var(SCRATCH).expect("a scratch directory"));
    fs::create_dir(&dir).expect("create the scratch directory");
    dir
}

/// In the body, before pledging: creates `dir/name` and returns it with a
/// read-write descriptor.
fn make_file(dir: &Path, name: &str) -> (CString, c_int) {
    let path = dir.join(name);
    let file = fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .expect("create a file");
    (cpath(&path), file.into_raw_fd())
}

fn cpath(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).unwrap()
}

// ---------------------------------------------------------------------------
// What calls return, and what is expected of them.

/// What a call returned: its value, or the errno it failed with.
type Ret = Result<i64, i32>;

/// A C-style return value (-1 and errno on failure) as a [`Ret`]; call it
/// right after the call, before anything can change errno.
fn ret(r: impl Into<i64>) -> Ret {
    let r = r.into();
    if r == -1 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        Ok(r)
    }
}

fn io<T>(r: std::io::Result<T>) -> Ret {
    r.map(|_| 0).map_err(|e| e.raw_os_error().unwrap_or(0))
}

fn failure(at: &Location<'_>, what: &str, got: Ret, expected: &str) -> String {
    let got = match got {
        Ok(v) => format!("returned {v}"),
        Err(e) => format!("failed with errno {e}"),
    };
    format!(
        "{}:{}: {what}: {got}, expected {expected} (promises \"{}\", uid {})",
        at.file(),
        at.line(),
        case(),
        // SAFETY: getuid has no arguments.
        unsafe { libc::getuid() }
    )
}

/// The call succeeded; its value.
#[track_caller]
fn ok(what: &str, r: Ret) -> Result<i64, String> {
    let at = Location::caller();
    r.map_err(|e| failure(at, what, Err(e), "success"))
}

/// The filter refused the call.
#[track_caller]
fn refused(what: &str, r: Ret) -> Result<(), String> {
    match r {
        Err(FILTER_ERRNO) => Ok(()),
        other => Err(failure(
            Location::caller(),
            what,
            other,
            "refusal by the filter (errno 131)",
        )),
    }
}

/// The filter let the call through (the kernel may still have failed it).
#[track_caller]
fn let_through(what: &str, r: Ret) -> Result<(), String> {
    match r {
        Err(FILTER_ERRNO) => Err(failure(
            Location::caller(),
            what,
            r,
            "the filter to let it through",
        )),
        _ => Ok(()),
    }
}

/// Succeeded when `allowed`, refused by the filter otherwise.
#[track_caller]
fn ok_if(allowed: bool, what: &str, r: Ret) -> Result<(), String> {
    if allowed {
        ok(what, r).map(drop)
    } else {
        refused(what, r)
    }
}

/// Let through when `allowed`, refused by the filter otherwise.
#[track_caller]
fn through_if(allowed: bool, what: &str, r: Ret) -> Result<(), String> {
    if allowed {
        let_through(what, r)
    } else {
        refused(what, r)
    }
}

/// The call failed with exactly `errno` (not the filter's).
#[track_caller]
fn fails_with(errno: i32, what: &str, r: Ret) -> Result<(), String> {
    if r == Err(errno) {
        Ok(())
    } else {
        Err(failure(
            Location::caller(),
            what,
            r,
            &format!("errno {errno}"),
        ))
    }
}

#[track_caller]
fn ensure(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        let at = Location::caller();
        Err(format!("{}:{}: {what}", at.file(), at.line()))
    }
}

// ---------------------------------------------------------------------------
// Raw calls (arguments widened to registers, so the filter sees exactly
// what is written here).

fn openat(path: &CStr, flags: c_int, mode: c_uint) -> Ret {
    // SAFETY: a NUL-terminated path; integer flags and mode.
    ret(unsafe {
        libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            flags as c_long,
            mode as c_long,
        )
    })
}

fn mkdir(path: &CStr, mode: c_uint) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe {
        libc::syscall(
            libc::SYS_mkdirat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            mode as c_long,
        )
    })
}

fn mknodat(path: &CStr, mode: c_uint, dev: libc::dev_t) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe {
        libc::syscall(
            libc::SYS_mknodat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            mode as c_long,
            dev as c_long,
        )
    })
}

fn unlink(path: &CStr) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe { libc::unlink(path.as_ptr()) })
}

fn fcntl(fd: c_int, cmd: c_int, arg: c_long) -> Ret {
    // SAFETY: the commands used take an integer or a pointer to a live `flock`.
    ret(unsafe { libc::syscall(libc::SYS_fcntl, fd as c_long, cmd as c_long, arg) })
}

fn ioctl(fd: c_int, request: libc::Ioctl, arg: *mut libc::c_void) -> Ret {
    // SAFETY: each request is given an argument of the size it reads or writes.
    ret(unsafe { libc::ioctl(fd, request, arg) })
}

fn socket(domain: c_int, ty: c_int, protocol: c_int) -> Ret {
    // SAFETY: integer arguments.
    ret(unsafe { libc::socket(domain, ty, protocol) })
}

fn loopback(port_be: u16) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port_be,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    }
}

const SIN_LEN: libc::socklen_t = size_of::<libc::sockaddr_in>() as libc::socklen_t;

fn bind_in(fd: i64, addr: &libc::sockaddr_in) -> Ret {
    // SAFETY: a live sockaddr_in and its size.
    ret(unsafe {
        libc::bind(
            fd as c_int,
            (addr as *const libc::sockaddr_in).cast(),
            SIN_LEN,
        )
    })
}

fn connect_in(fd: i64, addr: &libc::sockaddr_in) -> Ret {
    // SAFETY: a live sockaddr_in and its size.
    ret(unsafe {
        libc::connect(
            fd as c_int,
            (addr as *const libc::sockaddr_in).cast(),
            SIN_LEN,
        )
    })
}

fn listen(fd: i64) -> Ret {
    // SAFETY: integer arguments.
    ret(unsafe { libc::listen(fd as c_int, 4) })
}

/// The bound address of an IPv4 socket (getsockname is stdio).
fn local_in(fd: i64) -> Result<libc::sockaddr_in, String> {
    let mut addr = loopback(0);
    let mut len = SIN_LEN;
    // SAFETY: a live sockaddr_in and its size.
    let r = ret(unsafe {
        libc::getsockname(
            fd as c_int,
            (&mut addr as *mut libc::sockaddr_in).cast(),
            &mut len,
        )
    });
    ok("getsockname", r)?;
    Ok(addr)
}

/// A raw `clone` with `flags` and no new stack: like fork, the child
/// returns 0 here, and exits at once.
fn raw_clone(flags: c_long) -> Ret {
    // SAFETY: without CLONE_VM the child gets a copy of this address space
    // and only calls _exit.
    let r = ret(unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) });
    if r == Ok(0) {
        // SAFETY: ends the child.
        unsafe { libc::_exit(0) };
    }
    r
}

/// Waits for child `pid`: its exit status, or 1000 + the signal that killed it.
fn wait_for(pid: i64) -> Result<i32, String> {
    let mut status = 0;
    // SAFETY: a child of this process and a live status word.
    let r = ret(unsafe { libc::waitpid(pid as libc::pid_t, &mut status, 0) });
    ok("waitpid", r)?;
    Ok(if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        1000 + libc::WTERMSIG(status)
    })
}

fn getpid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::getpid() as c_long }
}

fn getppid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::getppid() as c_long }
}

fn gettid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::syscall(libc::SYS_gettid) }
}

// ---------------------------------------------------------------------------
// stdio

#[test]
fn stdio_alone_cannot_open_etc_passwd() {
    run_cases("stdio_alone_cannot_open_etc_passwd", &["stdio"], || {
        outcome(|| {
            let before = fs::File::open("/etc/passwd").expect("open before pledging");
            let fd = before.into_raw_fd();
            pledge_case();
            refused(
                "openat(/etc/passwd, O_RDONLY)",
                openat(c"/etc/passwd", libc::O_RDONLY | libc::O_CLOEXEC, 0),
            )?;
            refused("File::open(/etc/passwd)", io(fs::File::open("/etc/passwd")))?;
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY (both): a path and a live stat buffer.
            refused(
                "fstatat(AT_FDCWD, /etc/passwd, 0)",
                ret(unsafe { libc::fstatat(libc::AT_FDCWD, c"/etc/passwd".as_ptr(), &mut st, 0) }),
            )?;
            // What was opened before pledging can still be used.
            ok(
                "fstatat(fd, \"\", AT_EMPTY_PATH)",
                ret(unsafe { libc::fstatat(fd, c"".as_ptr(), &mut st, libc::AT_EMPTY_PATH) }),
            )?;
            let mut buf = [0u8; 64];
            // SAFETY: a live buffer and its length.
            let n = ok(
                "read of the descriptor opened before pledging",
                ret(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } as i64),
            )?;
            ensure(n > 0, "read something from /etc/passwd")?;
            println!("still writing to stdout");
            Ok(())
        })
    });
}

#[test]
fn stdio_allows_io_on_open_descriptors_and_nothing_by_path() {
    run_cases(
        "stdio_allows_io_on_open_descriptors_and_nothing_by_path",
        &["stdio"],
        || {
            outcome(|| {
                let dir = fs::File::open("/etc").expect("open /etc").into_raw_fd();
                pledge_case();
                let mut fds = [0; 2];
                // SAFETY (this block's calls): live buffers of the sizes given.
                ok(
                    "pipe2",
                    ret(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }),
                )?;
                let n = ok(
                    "write",
                    ret(unsafe { libc::write(fds[1], b"abc".as_ptr().cast(), 3) } as i64),
                )?;
                ensure(n == 3, "wrote 3 bytes")?;
                let mut buf = [0u8; 8];
                let n = ok(
                    "read",
                    ret(unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) } as i64),
                )?;
                ensure(&buf[..n as usize] == b"abc", "read back what was written")?;
                ok("dup", ret(unsafe { libc::dup(fds[0]) }))?;
                let memfd = ok(
                    "memfd_create",
                    ret(unsafe { libc::memfd_create(c"seclude".as_ptr(), libc::MFD_CLOEXEC) }),
                )? as c_int;
                ok("ftruncate", ret(unsafe { libc::ftruncate(memfd, 4096) }))?;
                ok(
                    "lseek",
                    ret(unsafe { libc::lseek(memfd, 100, libc::SEEK_SET) } as i64),
                )?;
                let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
                ok(
                    "clock_gettime",
                    ret(unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) }),
                )?;
                ok(
                    "getrandom",
                    ret(unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) } as i64),
                )?;
                let zero = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                ok(
                    "nanosleep",
                    ret(unsafe { libc::nanosleep(&zero, null_mut()) }),
                )?;
                let mut pair = [0; 2];
                ok(
                    "socketpair(AF_UNIX)",
                    ret(unsafe {
                        libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr())
                    }),
                )?;
                // Reading its own limits is stdio; setting them is not.
                let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
                ok(
                    "prlimit64(0, RLIMIT_NOFILE, NULL, &old)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_prlimit64,
                            0usize,
                            libc::RLIMIT_NOFILE as c_long,
                            0usize,
                            &mut limit as *mut libc::rlimit,
                        )
                    }),
                )?;
                refused(
                    "prlimit64(0, RLIMIT_NOFILE, &same, NULL)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_prlimit64,
                            0usize,
                            libc::RLIMIT_NOFILE as c_long,
                            &limit as *const libc::rlimit,
                            0usize,
                        )
                    }),
                )?;
                // Neighbours that need other promises.
                refused(
                    "socket(AF_UNIX)",
                    socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
                )?;
                refused("fchdir (rpath)", ret(unsafe { libc::fchdir(dir) }))?;
                refused(
                    "getdents64 on a directory opened before pledging (rpath)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_getdents64,
                            dir as c_long,
                            buf.as_mut_ptr(),
                            8usize,
                        )
                    }),
                )?;
                refused(
                    "mkdir (cpath)",
                    mkdir(c"/tmp/seclude-promises-never", 0o755),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn fcntl_descriptor_commands_are_stdio() {
    run_cases("fcntl_descriptor_commands_are_stdio", &["stdio"], || {
        outcome(|| {
            let dir = scratch();
            let (_, fd) = make_file(&dir, "file");
            pledge_case();
            ok("fcntl(F_GETFD)", fcntl(fd, libc::F_GETFD, 0))?;
            ok(
                "fcntl(F_SETFD, FD_CLOEXEC)",
                fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC as c_long),
            )?;
            let flags = ok("fcntl(F_GETFL)", fcntl(fd, libc::F_GETFL, 0))?;
            ok(
                "fcntl(F_SETFL, O_NONBLOCK)",
                fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK as c_long),
            )?;
            ok(
                "fcntl(F_DUPFD_CLOEXEC)",
                fcntl(fd, libc::F_DUPFD_CLOEXEC, 10),
            )?;
            // SAFETY: a NUL-terminated name.
            let memfd = ok(
                "memfd_create(MFD_ALLOW_SEALING)",
                ret(unsafe { libc::memfd_create(c"sealed".as_ptr(), libc::MFD_ALLOW_SEALING) }),
            )? as c_int;
            ok(
                "fcntl(F_ADD_SEALS)",
                fcntl(memfd, libc::F_ADD_SEALS, libc::F_SEAL_GROW as c_long),
            )?;
            ok("fcntl(F_GET_SEALS)", fcntl(memfd, libc::F_GET_SEALS, 0))?;
            // Locks are flock's; owners and signals nobody's.
            let mut lock: libc::flock = unsafe { std::mem::zeroed() };
            lock.l_type = libc::F_WRLCK as i16;
            lock.l_whence = libc::SEEK_SET as i16;
            refused(
                "fcntl(F_SETLK)",
                fcntl(fd, libc::F_SETLK, &mut lock as *mut libc::flock as c_long),
            )?;
            refused("fcntl(F_GETOWN)", fcntl(fd, libc::F_GETOWN, 0))?;
            refused("fcntl(F_SETSIG)", fcntl(fd, F_SETSIG, 0))?;
            Ok(())
        })
    });
}

#[test]
fn ioctl_fio_requests_are_stdio_and_termios_requests_need_tty() {
    run_cases(
        "ioctl_fio_requests_are_stdio_and_termios_requests_need_tty",
        &["stdio", "stdio tty"],
        || {
            outcome(|| {
                // SAFETY: plain calls on integers and live buffers.
                let pty = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
                ok("posix_openpt (before pledging)", ret(pty))?;
                let mut fds = [0; 2];
                ok(
                    "pipe (before pledging)",
                    ret(unsafe { libc::pipe(fds.as_mut_ptr()) }),
                )?;
                let tty = pledge_case().contains(Promises::TTY);
                let mut n: c_int = 0;
                ok(
                    "ioctl(pipe, FIONREAD)",
                    ioctl(fds[0], libc::FIONREAD, (&mut n as *mut c_int).cast()),
                )?;
                let mut on: c_int = 1;
                ok(
                    "ioctl(pipe, FIONBIO)",
                    ioctl(fds[0], libc::FIONBIO, (&mut on as *mut c_int).cast()),
                )?;
                ok(
                    "ioctl(pipe, FIOCLEX)",
                    ioctl(fds[0], libc::FIOCLEX, null_mut()),
                )?;
                ok(
                    "ioctl(pipe, FIONCLEX)",
                    ioctl(fds[0], libc::FIONCLEX, null_mut()),
                )?;
                refused(
                    "ioctl(pipe, FIOASYNC)",
                    ioctl(fds[0], libc::FIOASYNC, (&mut on as *mut c_int).cast()),
                )?;
                let mut termios: libc::termios = unsafe { std::mem::zeroed() };
                ok_if(
                    tty,
                    "ioctl(pty, TCGETS)",
                    ioctl(
                        pty,
                        libc::TCGETS,
                        (&mut termios as *mut libc::termios).cast(),
                    ),
                )?;
                let mut size: libc::winsize = unsafe { std::mem::zeroed() };
                ok_if(
                    tty,
                    "ioctl(pty, TIOCGWINSZ)",
                    ioctl(
                        pty,
                        libc::TIOCGWINSZ,
                        (&mut size as *mut libc::winsize).cast(),
                    ),
                )?;
                ok_if(
                    tty,
                    "ioctl(pty, TIOCGPTN)",
                    ioctl(pty, libc::TIOCGPTN, (&mut n as *mut c_int).cast()),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn tiocsti_is_refused_even_with_tty() {
    run_cases("tiocsti_is_refused_even_with_tty", &["stdio tty"], || {
        outcome(|| {
            // SAFETY: plain calls on integers and live buffers.
            let pty = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
            ok("posix_openpt (before pledging)", ret(pty))?;
            pledge_case();
            let mut termios: libc::termios = unsafe { std::mem::zeroed() };
            ok(
                "ioctl(pty, TCGETS)",
                ioctl(
                    pty,
                    libc::TCGETS,
                    (&mut termios as *mut libc::termios).cast(),
                ),
            )?;
            let mut c = b'x';
            refused(
                "ioctl(pty, TIOCSTI)",
                ioctl(pty, libc::TIOCSTI, (&mut c as *mut u8).cast()),
            )?;
            refused(
                "ioctl(pty, TIOCSCTTY)",
                ioctl(pty, libc::TIOCSCTTY, null_mut()),
            )?;
            refused(
                "ioctl(pty, TIOCEXCL)",
                ioctl(pty, libc::TIOCEXCL, null_mut()),
            )?;
            Ok(())
        })
    });
}

#[test]
fn a_thread_can_be_created_under_stdio() {
    run_cases("a_thread_can_be_created_under_stdio", &["stdio"], || {
        outcome(|| {
            pledge_case();
            let worker = std::thread::Builder::new()
                .name("worker".into())
                .spawn(gettid)
                .map_err(|e| format!("spawning a thread: {e}"))?;
            let tid = worker.join().map_err(|_| "the thread panicked")?;
            ensure(tid != gettid(), "the thread had its own id")?;
            // A new process is not a thread.
            refused("clone(SIGCHLD)", raw_clone(libc::SIGCHLD as c_long))?;
            Ok(())
        })
    });
}

#[test]
fn prctl_set_name_is_stdio_but_not_set_mm_or_keepcaps() {
    run_cases(
        "prctl_set_name_is_stdio_but_not_set_mm_or_keepcaps",
        &["stdio"],
        || {
            outcome(|| {
                pledge_case();
                let prctl = |option: c_int, arg: c_long| {
                    // SAFETY: the options used take integers or a live name buffer.
                    ret(unsafe { libc::prctl(option, arg, 0 as c_long, 0 as c_long, 0 as c_long) })
                };
                ok(
                    "prctl(PR_SET_NAME)",
                    prctl(libc::PR_SET_NAME, c"seclude".as_ptr() as c_long),
                )?;
                let mut name = [0u8; 16];
                ok(
                    "prctl(PR_GET_NAME)",
                    prctl(libc::PR_GET_NAME, name.as_mut_ptr() as c_long),
                )?;
                ensure(
                    name.starts_with(b"seclude\0"),
                    "PR_GET_NAME read the name set",
                )?;
                ok("prctl(PR_GET_DUMPABLE)", prctl(libc::PR_GET_DUMPABLE, 0))?;
                ok("prctl(PR_SET_DUMPABLE, 0)", prctl(libc::PR_SET_DUMPABLE, 0))?;
                ok(
                    "prctl(PR_SET_NO_NEW_PRIVS, 1)",
                    prctl(libc::PR_SET_NO_NEW_PRIVS, 1),
                )?;
                refused("prctl(PR_SET_DUMPABLE, 1)", prctl(libc::PR_SET_DUMPABLE, 1))?;
                refused("prctl(PR_SET_KEEPCAPS, 1)", prctl(libc::PR_SET_KEEPCAPS, 1))?;
                // An unknown sub-option: the kernel would say EINVAL.
                refused("prctl(PR_SET_MM, 0xffff)", prctl(libc::PR_SET_MM, 0xffff))?;
                refused(
                    "prctl(PR_SET_SECUREBITS, 0)",
                    prctl(libc::PR_SET_SECUREBITS, 0),
                )?;
                refused(
                    "prctl(PR_SET_CHILD_SUBREAPER, 1)",
                    prctl(libc::PR_SET_CHILD_SUBREAPER, 1),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn newer_interfaces_and_unknown_numbers_fail_with_enosys_whatever_the_promises() {
    run_cases(
        "newer_interfaces_and_unknown_numbers_fail_with_enosys_whatever_the_promises",
        &["stdio", ALL],
        || {
            outcome(|| {
                pledge_case();
                // SAFETY (all): each call would fail on its NULL or invalid
                // arguments were it let through.
                fails_with(
                    ENOSYS,
                    "clone3(NULL, 0)",
                    ret(unsafe { libc::syscall(libc::SYS_clone3, 0usize, 0usize) }),
                )?;
                fails_with(
                    ENOSYS,
                    "openat2(AT_FDCWD, /etc/passwd, NULL, 0)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_openat2,
                            libc::AT_FDCWD as c_long,
                            c"/etc/passwd".as_ptr(),
                            0usize,
                            0usize,
                        )
                    }),
                )?;
                fails_with(
                    ENOSYS,
                    "io_uring_setup(1, NULL)",
                    ret(unsafe { libc::syscall(libc::SYS_io_uring_setup, 1usize, 0usize) }),
                )?;
                fails_with(
                    ENOSYS,
                    "io_uring_enter(-1, ...)",
                    ret(unsafe {
                        libc::syscall(libc::SYS_io_uring_enter, -1 as c_long, 0, 0, 0, 0, 0)
                    }),
                )?;
                fails_with(
                    ENOSYS,
                    "io_uring_register(-1, ...)",
                    ret(unsafe {
                        libc::syscall(libc::SYS_io_uring_register, -1 as c_long, 0, 0, 0)
                    }),
                )?;
                fails_with(
                    ENOSYS,
                    "memfd_secret(0)",
                    ret(unsafe { libc::syscall(libc::SYS_memfd_secret, 0usize) }),
                )?;
                fails_with(
                    ENOSYS,
                    "syscall 1000",
                    ret(unsafe { libc::syscall(1000, 0usize, 0usize) }),
                )?;
                // A C library falls back: threads still start.
                let t = std::thread::spawn(|| 7);
                ensure(
                    t.join().ok() == Some(7),
                    "a thread ran after clone3's ENOSYS",
                )?;
                Ok(())
            })
        },
    );
}

// ---------------------------------------------------------------------------
// rpath, wpath, cpath, tmppath, dpath, fattr, chown, flock

#[test]
fn rpath_opens_for_reading_only() {
    run_cases(
        "rpath_opens_for_reading_only",
        &["stdio", "stdio rpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let rpath = pledge_case().contains(Promises::RPATH);
                ok_if(
                    rpath,
                    "openat(/etc/passwd, O_RDONLY)",
                    openat(c"/etc/passwd", libc::O_RDONLY | libc::O_CLOEXEC, 0),
                )?;
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY (this block's calls): paths and live buffers.
                ok_if(
                    rpath,
                    "stat(/etc/passwd)",
                    ret(unsafe { libc::stat(c"/etc/passwd".as_ptr(), &mut st) }),
                )?;
                let mut link = [0u8; 256];
                ok_if(
                    rpath,
                    "readlink(/proc/self/exe)",
                    ret(unsafe {
                        libc::readlink(
                            c"/proc/self/exe".as_ptr(),
                            link.as_mut_ptr().cast(),
                            link.len(),
                        )
                    } as i64),
                )?;
                ok_if(
                    rpath,
                    "access(/etc/passwd, R_OK)",
                    ret(unsafe { libc::access(c"/etc/passwd".as_ptr(), libc::R_OK) }),
                )?;
                ok_if(
                    rpath,
                    "read_dir of the scratch directory",
                    io(fs::read_dir(&dir).and_then(|mut d| d.next().transpose())),
                )?;
                // Nothing that writes, creates or truncates.
                refused("openat(file, O_WRONLY)", openat(&file, libc::O_WRONLY, 0))?;
                refused("openat(file, O_RDWR)", openat(&file, libc::O_RDWR, 0))?;
                refused(
                    "openat(file, O_RDONLY|O_TRUNC)",
                    openat(&file, libc::O_RDONLY | libc::O_TRUNC, 0),
                )?;
                let new = cpath(&dir.join("new"));
                refused(
                    "openat(new, O_RDONLY|O_CREAT)",
                    openat(&new, libc::O_RDONLY | libc::O_CREAT, 0o644),
                )?;
                refused("mkdir", mkdir(&new, 0o755))?;
                refused("unlink", unlink(&file))?;
                Ok(())
            })
        },
    );
}

#[test]
fn wpath_does_not_imply_rpath() {
    run_cases(
        "wpath_does_not_imply_rpath",
        &["stdio", "stdio wpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let wpath = pledge_case().contains(Promises::WPATH);
                let fd = openat(&file, libc::O_WRONLY | libc::O_CLOEXEC, 0);
                ok_if(wpath, "openat(file, O_WRONLY)", fd)?;
                if let Ok(fd) = fd {
                    // SAFETY: a live buffer and its length.
                    let n = ok(
                        "write to the file opened for writing",
                        ret(
                            unsafe { libc::write(fd as c_int, b"seclude".as_ptr().cast(), 7) }
                                as i64,
                        ),
                    )?;
                    ensure(n == 7, "wrote 7 bytes")?;
                }
                ok_if(
                    wpath,
                    "openat(file, O_WRONLY|O_APPEND)",
                    openat(&file, libc::O_WRONLY | libc::O_APPEND, 0),
                )?;
                // SAFETY: a NUL-terminated path.
                ok_if(
                    wpath,
                    "truncate(file, 1)",
                    ret(unsafe { libc::truncate(file.as_ptr(), 1) }),
                )?;
                refused("openat(file, O_RDONLY)", openat(&file, libc::O_RDONLY, 0))?;
                refused("openat(file, O_RDWR)", openat(&file, libc::O_RDWR, 0))?;
                refused(
                    "openat(file, O_WRONLY|O_TRUNC) (cpath)",
                    openat(&file, libc::O_WRONLY | libc::O_TRUNC, 0),
                )?;
                refused(
                    "openat(new, O_WRONLY|O_CREAT) (cpath)",
                    openat(
                        &cpath(&dir.join("new")),
                        libc::O_WRONLY | libc::O_CREAT,
                        0o644,
                    ),
                )?;
                refused("std::fs::read", io(fs::read(dir.join("file"))))?;
                Ok(())
            })
        },
    );
}

#[test]
fn creating_and_removing_needs_cpath() {
    run_cases(
        "creating_and_removing_needs_cpath",
        &["stdio rpath wpath", "stdio rpath wpath cpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (a, _) = make_file(&dir, "a");
                let (b, _) = make_file(&dir, "b");
                let (trunc, _) = make_file(&dir, "trunc");
                let path = |name: &str| cpath(&dir.join(name));
                let c = pledge_case().contains(Promises::CPATH);
                // Opening what exists needs no cpath.
                ok("openat(a, O_RDWR)", openat(&a, libc::O_RDWR, 0))?;
                ok_if(
                    c,
                    "openat(new1, O_WRONLY|O_CREAT|O_EXCL, 0644)",
                    openat(
                        &path("new1"),
                        libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL,
                        0o644,
                    ),
                )?;
                ok_if(
                    c,
                    "openat(new2, O_RDWR|O_CREAT, 0600)",
                    openat(&path("new2"), libc::O_RDWR | libc::O_CREAT, 0o600),
                )?;
                ok_if(
                    c,
                    "openat(new3, O_RDONLY|O_CREAT, 0644)",
                    openat(&path("new3"), libc::O_RDONLY | libc::O_CREAT, 0o644),
                )?;
                ok_if(
                    c,
                    "openat(trunc, O_WRONLY|O_TRUNC)",
                    openat(&trunc, libc::O_WRONLY | libc::O_TRUNC, 0),
                )?;
                ok_if(
                    c,
                    "openat(dir, O_TMPFILE|O_RDWR, 0600)",
                    openat(&cpath(&dir), libc::O_TMPFILE | libc::O_RDWR, 0o600),
                )?;
                ok_if(c, "File::create", io(fs::File::create(dir.join("new4"))))?;
                ok_if(c, "mkdir(sub, 0755)", mkdir(&path("sub"), 0o755))?;
                // SAFETY (this block's calls): NUL-terminated paths.
                ok_if(
                    c,
                    "rename(a, a2)",
                    ret(unsafe { libc::rename(a.as_ptr(), path("a2").as_ptr()) }),
                )?;
                ok_if(
                    c,
                    "link(b, b2)",
                    ret(unsafe { libc::link(b.as_ptr(), path("b2").as_ptr()) }),
                )?;
                ok_if(
                    c,
                    "symlink(b, b3)",
                    ret(unsafe { libc::symlink(b.as_ptr(), path("b3").as_ptr()) }),
                )?;
                ok_if(c, "unlink(b2)", unlink(&path("b2")))?;
                ok_if(
                    c,
                    "rmdir(sub)",
                    ret(unsafe { libc::rmdir(path("sub").as_ptr()) }),
                )?;
                // A FIFO is dpath's, even with cpath.
                refused(
                    "mknodat(fifo, S_IFIFO|0644)",
                    mknodat(&path("fifo"), libc::S_IFIFO | 0o644, 0),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn set_id_modes_are_refused_when_creating_and_changing_modes() {
    run_cases(
        "set_id_modes_are_refused_when_creating_and_changing_modes",
        &["stdio rpath wpath cpath fattr"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let path = |name: &str| cpath(&dir.join(name));
                pledge_case();
                let create = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
                ok(
                    "openat(O_WRONLY|O_CREAT, 0644)",
                    openat(&path("plain"), create, 0o644),
                )?;
                for mode in [0o4755, 0o2755, 0o1644, 0o6755] {
                    refused(
                        &format!("openat(O_WRONLY|O_CREAT, {mode:o})"),
                        openat(&path("setid"), create, mode),
                    )?;
                    refused(
                        &format!("openat(O_RDWR|O_CREAT, {mode:o})"),
                        openat(&path("setid"), libc::O_RDWR | libc::O_CREAT, mode),
                    )?;
                    refused(
                        &format!("openat(O_RDONLY|O_CREAT, {mode:o})"),
                        openat(&path("setid"), libc::O_RDONLY | libc::O_CREAT, mode),
                    )?;
                    refused(&format!("mkdir({mode:o})"), mkdir(&path("setid-dir"), mode))?;
                }
                ok("mkdir(0755)", mkdir(&path("dir"), 0o755))?;
                #[cfg(target_arch = "x86_64")]
                {
                    // SAFETY: NUL-terminated paths.
                    ok(
                        "creat(0644)",
                        ret(unsafe {
                            libc::syscall(libc::SYS_creat, path("creat").as_ptr(), 0o644 as c_long)
                        }),
                    )?;
                    refused(
                        "creat(04755)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_creat,
                                path("creat2").as_ptr(),
                                0o4755 as c_long,
                            )
                        }),
                    )?;
                }
                // SAFETY (these calls): a NUL-terminated path, a live descriptor.
                ok(
                    "chmod(0644)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o644) }),
                )?;
                refused(
                    "chmod(04755)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o4755) }),
                )?;
                ok("fchmod(0600)", ret(unsafe { libc::fchmod(fd, 0o600) }))?;
                refused("fchmod(04755)", ret(unsafe { libc::fchmod(fd, 0o4755) }))?;
                refused(
                    "fchmodat(02755)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o2755, 0) }),
                )?;
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                ok("fstat", ret(unsafe { libc::fstat(fd, &mut st) }))?;
                ensure(st.st_mode & 0o7777 == 0o600, "the mode is 0600")?;
                Ok(())
            })
        },
    );
}

#[test]
fn tmppath_unlinks_and_makes_temporary_files_but_cannot_mkdir() {
    run_cases(
        "tmppath_unlinks_and_makes_temporary_files_but_cannot_mkdir",
        &["stdio", "stdio tmppath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let (other, _) = make_file(&dir, "other");
                let sub = cpath(&dir.join("sub"));
                fs::create_dir(dir.join("sub")).expect("mkdir before pledging");
                let mut template = cpath(&dir.join("tmp.XXXXXX")).into_bytes_with_nul();
                let tmp = pledge_case().contains(Promises::TMPPATH);
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY (this block's calls): NUL-terminated paths, live buffers.
                ok_if(
                    tmp,
                    "lstat(file)",
                    ret(unsafe { libc::lstat(file.as_ptr(), &mut st) }),
                )?;
                ok_if(
                    tmp,
                    "mkstemp",
                    ret(unsafe { libc::mkstemp(template.as_mut_ptr().cast()) }),
                )?;
                ok_if(tmp, "unlink(file)", unlink(&file))?;
                if tmp {
                    let made = CStr::from_bytes_with_nul(&template).unwrap();
                    ok("unlink(the mkstemp file)", unlink(made))?;
                }
                // mkstemp's open, nothing else; no directories.
                let new = cpath(&dir.join("new"));
                refused(
                    "openat(new, O_RDWR|O_CREAT)",
                    openat(&new, libc::O_RDWR | libc::O_CREAT, 0o600),
                )?;
                refused(
                    "openat(new, O_WRONLY|O_CREAT|O_EXCL)",
                    openat(&new, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, 0o600),
                )?;
                refused(
                    "openat(new, O_RDWR|O_CREAT|O_EXCL, 04600)",
                    openat(&new, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o4600),
                )?;
                refused("openat(other, O_RDONLY)", openat(&other, libc::O_RDONLY, 0))?;
                refused("mkdir", mkdir(&cpath(&dir.join("newdir")), 0o700))?;
                refused("rmdir", ret(unsafe { libc::rmdir(sub.as_ptr()) }))?;
                refused(
                    "unlinkat(AT_REMOVEDIR)",
                    ret(unsafe {
                        libc::unlinkat(libc::AT_FDCWD, sub.as_ptr(), libc::AT_REMOVEDIR)
                    }),
                )?;
                refused(
                    "rename",
                    ret(unsafe { libc::rename(other.as_ptr(), new.as_ptr()) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn dpath_makes_fifos_but_not_devices() {
    run_cases(
        "dpath_makes_fifos_but_not_devices",
        &["stdio", "stdio dpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let path = |name: &str| cpath(&dir.join(name));
                let dpath = pledge_case().contains(Promises::DPATH);
                ok_if(
                    dpath,
                    "mknodat(S_IFIFO|0644)",
                    mknodat(&path("fifo"), libc::S_IFIFO | 0o644, 0),
                )?;
                // SAFETY: a NUL-terminated path.
                ok_if(
                    dpath,
                    "mkfifo(0600)",
                    ret(unsafe { libc::mkfifo(path("fifo2").as_ptr(), 0o600) }),
                )?;
                #[cfg(target_arch = "x86_64")]
                {
                    // SAFETY: NUL-terminated paths.
                    ok_if(
                        dpath,
                        "mknod(S_IFIFO|0600)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_mknod,
                                path("fifo3").as_ptr(),
                                (libc::S_IFIFO | 0o600) as c_long,
                                0usize,
                            )
                        }),
                    )?;
                    refused(
                        "mknod(S_IFCHR|0644, 1:3)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_mknod,
                                path("null2").as_ptr(),
                                (libc::S_IFCHR | 0o644) as c_long,
                                libc::makedev(1, 3) as c_long,
                            )
                        }),
                    )?;
                }
                refused(
                    "mknodat(S_IFCHR|0644, 1:3)",
                    mknodat(&path("null"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)),
                )?;
                refused(
                    "mknodat(S_IFBLK|0600, 7:0)",
                    mknodat(&path("loop"), libc::S_IFBLK | 0o600, libc::makedev(7, 0)),
                )?;
                refused(
                    "mknodat(S_IFREG|0644)",
                    mknodat(&path("regular"), libc::S_IFREG | 0o644, 0),
                )?;
                refused(
                    "mknodat(S_IFSOCK|0644)",
                    mknodat(&path("sock"), libc::S_IFSOCK | 0o644, 0),
                )?;
                refused(
                    "mknodat(S_IFIFO|04644)",
                    mknodat(&path("setid-fifo"), libc::S_IFIFO | 0o4644, 0),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn fattr_changes_modes_and_times_without_set_id_bits() {
    run_cases(
        "fattr_changes_modes_and_times_without_set_id_bits",
        &["stdio", "stdio fattr"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let fattr = pledge_case().contains(Promises::FATTR);
                // SAFETY (this block's calls): a NUL-terminated path, a live
                // descriptor, NULL times.
                ok_if(
                    fattr,
                    "fchmod(0644)",
                    ret(unsafe { libc::fchmod(fd, 0o644) }),
                )?;
                ok_if(
                    fattr,
                    "chmod(0600)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o600) }),
                )?;
                ok_if(
                    fattr,
                    "fchmodat(0640)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o640, 0) }),
                )?;
                ok_if(
                    fattr,
                    "utimensat(file, NULL)",
                    ret(unsafe { libc::utimensat(libc::AT_FDCWD, file.as_ptr(), null(), 0) }),
                )?;
                ok_if(
                    fattr,
                    "futimens(fd, NULL)",
                    ret(unsafe { libc::futimens(fd, null()) }),
                )?;
                refused("fchmod(04755)", ret(unsafe { libc::fchmod(fd, 0o4755) }))?;
                refused(
                    "chmod(02755)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o2755) }),
                )?;
                refused(
                    "fchmodat(01777)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o1777, 0) }),
                )?;
                refused(
                    "fchown(fd, -1, -1) (chown)",
                    ret(unsafe { libc::fchown(fd, u32::MAX, u32::MAX) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn chown_allows_fchown_and_fchownat() {
    run_cases(
        "chown_allows_fchown_and_fchownat",
        &["stdio", "stdio chown"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let chown = pledge_case().contains(Promises::CHOWN);
                // SAFETY (this block's calls): a NUL-terminated path, a live descriptor.
                let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
                ok_if(
                    chown,
                    "fchown(fd, -1, -1)",
                    ret(unsafe { libc::fchown(fd, u32::MAX, u32::MAX) }),
                )?;
                ok_if(
                    chown,
                    "fchown(fd, own uid, own gid)",
                    ret(unsafe { libc::fchown(fd, uid, gid) }),
                )?;
                ok_if(
                    chown,
                    "fchownat(file, -1, -1, AT_SYMLINK_NOFOLLOW)",
                    ret(unsafe {
                        libc::fchownat(
                            libc::AT_FDCWD,
                            file.as_ptr(),
                            u32::MAX,
                            u32::MAX,
                            libc::AT_SYMLINK_NOFOLLOW,
                        )
                    }),
                )?;
                ok_if(
                    chown,
                    "lchown(file, -1, -1)",
                    ret(unsafe { libc::lchown(file.as_ptr(), u32::MAX, u32::MAX) }),
                )?;
                refused(
                    "fchmod(0644) (fattr)",
                    ret(unsafe { libc::fchmod(fd, 0o644) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn file_locks_need_flock() {
    run_cases("file_locks_need_flock", &["stdio", "stdio flock"], || {
        outcome(|| {
            let dir = scratch();
            let (_, fd) = make_file(&dir, "file");
            let flock = pledge_case().contains(Promises::FLOCK);
            ok("fcntl(F_GETFD)", fcntl(fd, libc::F_GETFD, 0))?;
            ok(
                "fcntl(F_SETFL, O_NONBLOCK)",
                fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK as c_long),
            )?;
            let mut lock: libc::flock = unsafe { std::mem::zeroed() };
            lock.l_type = libc::F_WRLCK as i16;
            lock.l_whence = libc::SEEK_SET as i16;
            let ptr = |lock: &mut libc::flock| lock as *mut libc::flock as c_long;
            ok_if(
                flock,
                "fcntl(F_SETLK, F_WRLCK)",
                fcntl(fd, libc::F_SETLK, ptr(&mut lock)),
            )?;
            ok_if(
                flock,
                "fcntl(F_GETLK)",
                fcntl(fd, libc::F_GETLK, ptr(&mut lock)),
            )?;
            lock.l_type = libc::F_UNLCK as i16;
            ok_if(
                flock,
                "fcntl(F_SETLKW, F_UNLCK)",
                fcntl(fd, libc::F_SETLKW, ptr(&mut lock)),
            )?;
            lock.l_type = libc::F_RDLCK as i16;
            lock.l_whence = libc::SEEK_SET as i16;
            lock.l_pid = 0;
            ok_if(
                flock,
                "fcntl(F_OFD_SETLK, F_RDLCK)",
                fcntl(fd, libc::F_OFD_SETLK, ptr(&mut lock)),
            )?;
            // SAFETY: a live descriptor.
            ok_if(
                flock,
                "flock(LOCK_EX|LOCK_NB)",
                ret(unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) }),
            )?;
            ok_if(
                flock,
                "flock(LOCK_UN)",
                ret(unsafe { libc::flock(fd, libc::LOCK_UN) }),
            )?;
            // Not a lock: refused with flock too.
            refused("fcntl(F_GETOWN)", fcntl(fd, libc::F_GETOWN, 0))?;
            refused("fcntl(F_NOTIFY)", fcntl(fd, libc::F_NOTIFY, DN_ACCESS))?;
            Ok(())
        })
    });
}

// ---------------------------------------------------------------------------
// inet, anet, unix, dns, recvfd, sendfd

#[test]
fn inet_allows_ip_sockets_only() {
    run_cases(
        "inet_allows_ip_sockets_only",
        &["stdio", "stdio inet"],
        || {
            outcome(|| {
                // Sockets made before pledging, for the calls on them.
                let listener = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                let client = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                let inet = pledge_case().contains(Promises::INET);
                for (family, ty, protocol, what) in [
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM,
                        0,
                        "AF_INET, SOCK_STREAM, 0",
                    ),
                    (libc::AF_INET, libc::SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM, 0"),
                    (
                        libc::AF_INET6,
                        libc::SOCK_STREAM,
                        0,
                        "AF_INET6, SOCK_STREAM, 0",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_INET6, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                        libc::IPPROTO_TCP,
                        "AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_DGRAM,
                        libc::IPPROTO_UDP,
                        "AF_INET6, SOCK_DGRAM, IPPROTO_UDP",
                    ),
                ] {
                    ok_if(
                        inet,
                        &format!("socket({what})"),
                        socket(family, ty, protocol),
                    )?;
                }
                for (family, ty, protocol, what) in [
                    (
                        libc::AF_UNIX,
                        libc::SOCK_STREAM,
                        0,
                        "AF_UNIX, SOCK_STREAM, 0",
                    ),
                    (libc::AF_UNIX, libc::SOCK_DGRAM, 0, "AF_UNIX, SOCK_DGRAM, 0"),
                    (
                        libc::AF_NETLINK,
                        libc::SOCK_RAW,
                        libc::NETLINK_ROUTE,
                        "AF_NETLINK, SOCK_RAW, NETLINK_ROUTE",
                    ),
                    (
                        libc::AF_NETLINK,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_NETLINK, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_RAW,
                        libc::IPPROTO_ICMP,
                        "AF_INET, SOCK_RAW, IPPROTO_ICMP",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_RAW,
                        libc::IPPROTO_ICMPV6,
                        "AF_INET6, SOCK_RAW, IPPROTO_ICMPV6",
                    ),
                    (
                        libc::AF_PACKET,
                        libc::SOCK_RAW,
                        (libc::ETH_P_ALL as u16).to_be() as c_int,
                        "AF_PACKET, SOCK_RAW, ETH_P_ALL",
                    ),
                    (
                        libc::AF_PACKET,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_PACKET, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_DGRAM,
                        libc::IPPROTO_ICMP,
                        "AF_INET, SOCK_DGRAM, IPPROTO_ICMP (ping)",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM,
                        libc::IPPROTO_UDP,
                        "AF_INET, SOCK_STREAM, IPPROTO_UDP",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_SEQPACKET,
                        0,
                        "AF_INET, SOCK_SEQPACKET, 0",
                    ),
                ] {
                    refused(&format!("socket({what})"), socket(family, ty, protocol))?;
                }
                // A loopback connection.
                ok_if(inet, "bind(127.0.0.1:0)", bind_in(listener, &loopback(0)))?;
                ok_if(inet, "listen", listen(listener))?;
                if inet {
                    let addr = local_in(listener)?;
                    ok("connect to the listener", connect_in(client, &addr))?;
                    // SAFETY: NULL address.
                    let peer = ok(
                        "accept",
                        ret(unsafe { libc::accept(listener as c_int, null_mut(), null_mut()) }),
                    )?;
                    // SAFETY: live buffers.
                    ok(
                        "write",
                        ret(
                            unsafe { libc::write(client as c_int, b"x".as_ptr().cast(), 1) } as i64,
                        ),
                    )?;
                    let mut byte = [0u8; 1];
                    ok(
                        "read",
                        ret(
                            unsafe { libc::read(peer as c_int, byte.as_mut_ptr().cast(), 1) }
                                as i64,
                        ),
                    )?;
                    ensure(byte == *b"x", "read what was written")?;
                } else {
                    refused("connect", connect_in(client, &loopback(1u16.to_be())))?;
                }
                Ok(())
            })
        },
    );
}

#[test]
fn anet_binds_and_listens_tcp_but_cannot_connect() {
    run_cases(
        "anet_binds_and_listens_tcp_but_cannot_connect",
        &["stdio anet"],
        || {
            outcome(|| {
                pledge_case();
                let listener = ok(
                    "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0),
                )?;
                let one: c_int = 1;
                // SAFETY: a live int and its size.
                ok(
                    "setsockopt(SO_REUSEADDR)",
                    ret(unsafe {
                        libc::setsockopt(
                            listener as c_int,
                            libc::SOL_SOCKET,
                            libc::SO_REUSEADDR,
                            (&one as *const c_int).cast(),
                            size_of::<c_int>() as libc::socklen_t,
                        )
                    }),
                )?;
                ok("bind(127.0.0.1:0)", bind_in(listener, &loopback(0)))?;
                ok("listen", listen(listener))?;
                let addr = local_in(listener)?;
                // SAFETY: NULL address; nobody is connecting (the listener
                // does not block).
                fails_with(
                    libc::EAGAIN,
                    "accept4 with no one connecting",
                    ret(unsafe {
                        libc::accept4(
                            listener as c_int,
                            null_mut(),
                            null_mut(),
                            libc::SOCK_CLOEXEC,
                        )
                    }),
                )?;
                // anet is TCP only: no datagram sockets.
                refused(
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_UDP)",
                    socket(
                        libc::AF_INET,
                        libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                        libc::IPPROTO_UDP,
                    ),
                )?;
                let client = ok(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused("connect to the listener", connect_in(client, &addr))?;
                refused(
                    "socket(AF_UNIX, SOCK_STREAM, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)",
                    socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn unix_allows_unix_sockets_only() {
    run_cases(
        "unix_allows_unix_sockets_only",
        &["stdio", "stdio unix"],
        || {
            outcome(|| {
                let unix = pledge_case().contains(Promises::UNIX);
                for (ty, what) in [
                    (libc::SOCK_STREAM, "SOCK_STREAM"),
                    (
                        libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                        "SOCK_DGRAM|SOCK_CLOEXEC",
                    ),
                    (libc::SOCK_SEQPACKET, "SOCK_SEQPACKET"),
                ] {
                    ok_if(
                        unix,
                        &format!("socket(AF_UNIX, {what}, 0)"),
                        socket(libc::AF_UNIX, ty, 0),
                    )?;
                }
                refused(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)",
                    socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE),
                )?;
                refused(
                    "socket(AF_UNIX, SOCK_RAW, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_RAW, 0),
                )?;
                if !unix {
                    return Ok(());
                }
                // A connection over an abstract address.
                let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
                addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
                let name = format!("seclude-promises-{}", getpid());
                for (i, b) in name.bytes().enumerate() {
                    addr.sun_path[i + 1] = b as libc::c_char;
                }
                let len = (size_of::<libc::sa_family_t>() + 1 + name.len()) as libc::socklen_t;
                let addr_ptr = (&addr as *const libc::sockaddr_un).cast::<libc::sockaddr>();
                let listener = ok("socket", socket(libc::AF_UNIX, libc::SOCK_STREAM, 0))? as c_int;
                let client = ok("socket", socket(libc::AF_UNIX, libc::SOCK_STREAM, 0))? as c_int;
                // SAFETY (this block's calls): a live address and its length.
                ok(
                    "bind(abstract)",
                    ret(unsafe { libc::bind(listener, addr_ptr, len) }),
                )?;
                ok("listen", ret(unsafe { libc::listen(listener, 1) }))?;
                ok(
                    "connect(abstract)",
                    ret(unsafe { libc::connect(client, addr_ptr, len) }),
                )?;
                ok(
                    "accept",
                    ret(unsafe { libc::accept(listener, null_mut(), null_mut()) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn dns_allows_udp_exchanges_only() {
    run_cases(
        "dns_allows_udp_exchanges_only",
        &["stdio", "stdio dns"],
        || {
            outcome(|| {
                // A "resolver", bound before pledging.
                let resolver = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_DGRAM, 0),
                )?;
                ok("bind (before pledging)", bind_in(resolver, &loopback(0)))?;
                let server = local_in(resolver)?;
                let dns = pledge_case().contains(Promises::DNS);
                let client = socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
                ok_if(dns, "socket(AF_INET, SOCK_DGRAM, 0)", client)?;
                ok_if(
                    dns,
                    "socket(AF_INET, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_UDP)",
                    socket(
                        libc::AF_INET,
                        libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                        libc::IPPROTO_UDP,
                    ),
                )?;
                ok_if(
                    dns,
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)",
                    socket(libc::AF_INET6, libc::SOCK_STREAM, libc::IPPROTO_TCP),
                )?;
                refused(
                    "socket(AF_UNIX, SOCK_DGRAM, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_DGRAM, 0),
                )?;
                let Ok(client) = client else {
                    return Ok(());
                };
                // A query and its answer.
                ok("connect to the resolver", connect_in(client, &server))?;
                // SAFETY (this block's calls): live buffers and addresses.
                ok(
                    "send the query",
                    ret(unsafe { libc::send(client as c_int, b"q".as_ptr().cast(), 1, 0) } as i64),
                )?;
                let mut from = loopback(0);
                let mut from_len = SIN_LEN;
                let mut byte = [0u8; 1];
                ok(
                    "recvfrom at the resolver",
                    ret(unsafe {
                        libc::recvfrom(
                            resolver as c_int,
                            byte.as_mut_ptr().cast(),
                            1,
                            0,
                            (&mut from as *mut libc::sockaddr_in).cast(),
                            &mut from_len,
                        )
                    } as i64),
                )?;
                ok(
                    "sendto the client",
                    ret(unsafe {
                        libc::sendto(
                            resolver as c_int,
                            b"a".as_ptr().cast(),
                            1,
                            0,
                            (&from as *const libc::sockaddr_in).cast(),
                            from_len,
                        )
                    } as i64),
                )?;
                ok(
                    "recv the answer",
                    ret(
                        unsafe { libc::recv(client as c_int, byte.as_mut_ptr().cast(), 1, 0) }
                            as i64,
                    ),
                )?;
                ensure(byte == *b"a", "the answer arrived")?;
                // No server side.
                let other = ok("socket", socket(libc::AF_INET, libc::SOCK_DGRAM, 0))?;
                refused("bind", bind_in(other, &loopback(0)))?;
                refused("listen", listen(other))?;
                Ok(())
            })
        },
    );
}

/// Sends one byte with `fd` attached (SCM_RIGHTS).
fn send_fd(sock: c_int, fd: c_int) -> Ret {
    let mut byte = [b'x'];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut control = [0u64; 8];
    // SAFETY: the control buffer is aligned and holds one SCM_RIGHTS
    // message of one descriptor; the message points at live buffers.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = libc::CMSG_SPACE(size_of::<c_int>() as u32) as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<c_int>() as u32) as _;
        libc::CMSG_DATA(cmsg).cast::<c_int>().write_unaligned(fd);
        ret(libc::sendmsg(sock, &msg, 0) as i64)
    }
}

/// Receives one byte and the descriptor attached to it: recvmsg's result,
/// and the descriptor if one came.
fn recv_fd(sock: c_int) -> (Ret, Option<c_int>) {
    let mut byte = [0u8];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut control = [0u64; 8];
    // SAFETY: as in send_fd; the kernel writes at most msg_controllen bytes.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = size_of_val(&control) as _;
        let r = ret(libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) as i64);
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        let fd = (r.is_ok()
            && !cmsg.is_null()
            && (*cmsg).cmsg_level == libc::SOL_SOCKET
            && (*cmsg).cmsg_type == libc::SCM_RIGHTS)
            .then(|| libc::CMSG_DATA(cmsg).cast::<c_int>().read_unaligned());
        (r, fd)
    }
}

#[test]
fn recvfd_and_sendfd_gate_the_message_calls() {
    run_cases(
        "recvfd_and_sendfd_gate_the_message_calls",
        &["stdio", "stdio recvfd", "stdio sendfd"],
        || {
            outcome(|| {
                let mut pair = [0; 2];
                // SAFETY: a live array of two descriptors.
                ok(
                    "socketpair (before pledging)",
                    ret(unsafe {
                        libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr())
                    }),
                )?;
                let passwd = fs::File::open("/etc/passwd")
                    .expect("open before pledging")
                    .into_raw_fd();
                // A descriptor in flight, sent before pledging.
                ok("sendmsg (before pledging)", send_fd(pair[0], passwd))?;
                let promises = pledge_case();
                let (r, fd) = recv_fd(pair[1]);
                ok_if(promises.contains(Promises::RECVFD), "recvmsg", r)?;
                if r.is_ok() {
                    ensure(fd.is_some(), "recvmsg brought a descriptor")?;
                }
                ok_if(
                    promises.contains(Promises::SENDFD),
                    "sendmsg(SCM_RIGHTS)",
                    send_fd(pair[0], passwd),
                )?;
                // Plain I/O on the pair is stdio.
                // SAFETY (these calls): live buffers; NULL addresses.
                ok(
                    "send",
                    ret(unsafe { libc::send(pair[0], b"y".as_ptr().cast(), 1, 0) } as i64),
                )?;
                let mut buf = [0u8; 4];
                ok(
                    "recvfrom",
                    ret(unsafe {
                        libc::recvfrom(
                            pair[1],
                            buf.as_mut_ptr().cast(),
                            1,
                            0,
                            null_mut(),
                            null_mut(),
                        )
                    } as i64),
                )?;
                ok(
                    "write",
                    ret(unsafe { libc::write(pair[0], b"z".as_ptr().cast(), 1) } as i64),
                )?;
                ok(
                    "read",
                    ret(unsafe { libc::read(pair[1], buf.as_mut_ptr().cast(), 1) } as i64),
                )?;
                Ok(())
            })
        },
    );
}

// ---------------------------------------------------------------------------
// proc, exec, prot_exec

#[test]
fn signals_go_to_this_process_under_stdio_and_to_others_with_proc() {
    run_cases(
        "signals_go_to_this_process_under_stdio_and_to_others_with_proc",
        &["stdio", "stdio proc"],
        || {
            outcome(|| {
                let proc = pledge_case().contains(Promises::PROC);
                let (pid, ppid) = (getpid(), getppid());
                // SAFETY (these calls): signal 0 only checks the target.
                let kill =
                    |target: c_long| ret(unsafe { libc::syscall(libc::SYS_kill, target, 0usize) });
                let tgkill = |tgid: c_long, tid: c_long| {
                    ret(unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, 0usize) })
                };
                ok("kill(getpid(), 0)", kill(pid))?;
                ok("tgkill(getpid(), gettid(), 0)", tgkill(pid, gettid()))?;
                // SAFETY: signal 0.
                ok("raise(0)", ret(unsafe { libc::raise(0) }))?;
                // The parent is root's test harness: an unprivileged sender
                // gets the kernel's EPERM when let through.
                through_if(proc, "kill(getppid(), 0)", kill(ppid))?;
                through_if(proc, "tgkill(getppid(), getppid(), 0)", tgkill(ppid, ppid))?;
                through_if(proc, "kill(0, 0) (the process group)", kill(0))?;
                Ok(())
            })
        },
    );
}

#[test]
fn fork_needs_proc() {
    run_cases("fork_needs_proc", &["stdio", "stdio proc"], || {
        outcome(|| {
            let proc = pledge_case().contains(Promises::PROC);
            // SAFETY: the child only exits.
            let pid = ret(unsafe { libc::fork() });
            if pid == Ok(0) {
                // SAFETY: ends the child.
                unsafe { libc::_exit(0) };
            }
            ok_if(proc, "fork", pid)?;
            if let Ok(pid) = pid {
                ensure(wait_for(pid)? == 0, "the forked child exited with 0")?;
            }
            let pid = raw_clone(libc::SIGCHLD as c_long);
            ok_if(proc, "clone(SIGCHLD)", pid)?;
            if let Ok(pid) = pid {
                ensure(wait_for(pid)? == 0, "the cloned child exited with 0")?;
            }
            #[cfg(target_arch = "x86_64")]
            {
                // SAFETY: like fork; the child only exits.
                let pid = ret(unsafe { libc::syscall(libc::SYS_fork) });
                if pid == Ok(0) {
                    // SAFETY: ends the child.
                    unsafe { libc::_exit(0) };
                }
                ok_if(proc, "the fork syscall", pid)?;
                if let Ok(pid) = pid {
                    ensure(wait_for(pid)? == 0, "the forked child exited with 0")?;
                }
            }
            // Waiting is stdio: nothing to wait for here.
            fails_with(
                libc::ECHILD,
                "waitpid(-1) with no child",
                // SAFETY: a NULL status.
                ret(unsafe { libc::waitpid(-1, null_mut(), libc::WNOHANG) }),
            )?;
            Ok(())
        })
    });
}

#[test]
fn proc_allows_process_controls() {
    run_cases(
        "proc_allows_process_controls",
        &["stdio", "stdio proc"],
        || {
            outcome(|| {
                let proc = pledge_case().contains(Promises::PROC);
                // SAFETY (these calls): integer arguments and live buffers.
                ok_if(proc, "setpgid(0, 0)", ret(unsafe { libc::setpgid(0, 0) }))?;
                ok_if(
                    proc,
                    "setpriority(PRIO_PROCESS, 0, 19)",
                    ret(unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) }),
                )?;
                let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
                ok(
                    "getrlimit(RLIMIT_NOFILE)",
                    ret(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }),
                )?;
                ok_if(
                    proc,
                    "setrlimit(RLIMIT_NOFILE, same)",
                    ret(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }),
                )?;
                let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
                ok(
                    "sched_getaffinity",
                    ret(unsafe { libc::sched_getaffinity(0, size_of_val(&set), &mut set) }),
                )?;
                ok_if(
                    proc,
                    "sched_setaffinity(same)",
                    ret(unsafe { libc::sched_setaffinity(0, size_of_val(&set), &set) }),
                )?;
                // Not proc's: identities.
                refused(
                    "setresuid(-1, -1, -1) (id)",
                    ret(unsafe { libc::syscall(libc::SYS_setresuid, -1, -1, -1) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn namespaces_are_refused_even_with_proc() {
    run_cases(
        "namespaces_are_refused_even_with_proc",
        &["stdio proc"],
        || {
            outcome(|| {
                pledge_case();
                for (flag, what) in [
                    (libc::CLONE_NEWUSER, "CLONE_NEWUSER"),
                    (libc::CLONE_NEWNET, "CLONE_NEWNET"),
                    (libc::CLONE_NEWNS, "CLONE_NEWNS"),
                    (libc::CLONE_NEWPID, "CLONE_NEWPID"),
                    (libc::CLONE_NEWUTS, "CLONE_NEWUTS"),
                    (libc::CLONE_NEWIPC, "CLONE_NEWIPC"),
                    (libc::CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
                ] {
                    let r = raw_clone((flag | libc::SIGCHLD) as c_long);
                    if let Ok(pid) = r {
                        let _ = wait_for(pid);
                    }
                    refused(&format!("clone({what}|SIGCHLD)"), r)?;
                    // SAFETY: an integer argument.
                    refused(
                        &format!("unshare({what})"),
                        ret(unsafe { libc::unshare(flag) }),
                    )?;
                }
                // A thread that would make a namespace, under stdio's own
                // rule (the kernel rejects the flags with EINVAL anyway).
                refused(
                    "clone(CLONE_THREAD|CLONE_NEWNET)",
                    raw_clone((libc::CLONE_THREAD | libc::CLONE_NEWNET) as c_long),
                )?;
                refused(
                    "setns(-1, 0)",
                    // SAFETY: integer arguments.
                    ret(unsafe { libc::setns(-1, 0) }),
                )?;
                // A plain child is proc's.
                let pid = ok("clone(SIGCHLD)", raw_clone(libc::SIGCHLD as c_long))?;
                ensure(wait_for(pid)? == 0, "the cloned child exited with 0")?;
                fails_with(
                    ENOSYS,
                    "clone3(NULL, 0)",
                    // SAFETY: would fail on NULL anyway.
                    ret(unsafe { libc::syscall(libc::SYS_clone3, 0usize, 0usize) }),
                )?;
                Ok(())
            })
        },
    );
}

/// Forks a child that executes `/bin/true` and exits with the errno of a
/// failed execve; returns the child's status.
fn fork_exec_true() -> Result<i32, String> {
    let argv = [c"true".as_ptr(), null()];
    let envp = [null()];
    // SAFETY: the child calls only execve and _exit.
    let pid = ret(unsafe { libc::fork() });
    if pid == Ok(0) {
        // SAFETY: NULL-terminated arrays of NUL-terminated strings.
        unsafe {
            libc::execve(c"/bin/true".as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(*libc::__errno_location());
        }
    }
    wait_for(ok("fork", pid)?)
}

#[test]
fn exec_needs_exec_and_loading_needs_rpath_and_prot_exec() {
    run_cases(
        "exec_needs_exec_and_loading_needs_rpath_and_prot_exec",
        &[
            "stdio rpath proc prot_exec",
            "stdio rpath proc exec prot_exec",
        ],
        || {
            outcome(|| {
                let exec = pledge_case().contains(Promises::EXEC);
                let status = fork_exec_true()?;
                let expected = if exec { 0 } else { FILTER_ERRNO };
                ensure(
                    status == expected,
                    &format!("/bin/true in a child: status {status}, expected {expected}"),
                )?;
                if !exec {
                    // Refused here too (a let-through execve would replace this body).
                    let argv = [c"true".as_ptr(), null()];
                    let envp = [null()];
                    // SAFETY: NULL-terminated arrays of NUL-terminated strings.
                    refused(
                        "execve(/bin/true)",
                        ret(unsafe {
                            libc::execve(c"/bin/true".as_ptr(), argv.as_ptr(), envp.as_ptr())
                        }),
                    )?;
                    refused(
                        "execveat(AT_FDCWD, /bin/true)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_execveat,
                                libc::AT_FDCWD as c_long,
                                c"/bin/true".as_ptr(),
                                argv.as_ptr(),
                                envp.as_ptr(),
                                0usize,
                            )
                        }),
                    )?;
                }
                Ok(())
            })
        },
    );
}

#[test]
fn executable_memory_needs_prot_exec() {
    run_cases(
        "executable_memory_needs_prot_exec",
        &["stdio", "stdio prot_exec"],
        || {
            outcome(|| {
                let passwd = fs::File::open("/etc/passwd")
                    .expect("open before pledging")
                    .into_raw_fd();
                let prot_exec = pledge_case().contains(Promises::PROT_EXEC);
                let mmap = |prot: c_int, fd: c_int| {
                    let flags = if fd < 0 {
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS
                    } else {
                        libc::MAP_PRIVATE
                    };
                    // SAFETY: a new mapping; nothing else is touched.
                    ret(unsafe { libc::mmap(null_mut(), 4096, prot, flags, fd, 0) } as i64)
                };
                let page = ok(
                    "mmap(PROT_READ|PROT_WRITE)",
                    mmap(libc::PROT_READ | libc::PROT_WRITE, -1),
                )?;
                ok("mmap(PROT_READ)", mmap(libc::PROT_READ, -1))?;
                ok(
                    "mmap(/etc/passwd, PROT_READ)",
                    mmap(libc::PROT_READ, passwd),
                )?;
                ok_if(
                    prot_exec,
                    "mmap(PROT_READ|PROT_EXEC)",
                    mmap(libc::PROT_READ | libc::PROT_EXEC, -1),
                )?;
                ok_if(prot_exec, "mmap(PROT_EXEC)", mmap(libc::PROT_EXEC, -1))?;
                let mprotect = |prot: c_int| {
                    // SAFETY: the page mapped above.
                    ret(unsafe { libc::mprotect(page as usize as *mut libc::c_void, 4096, prot) })
                };
                ok("mprotect(PROT_READ)", mprotect(libc::PROT_READ))?;
                ok_if(
                    prot_exec,
                    "mprotect(PROT_READ|PROT_EXEC)",
                    mprotect(libc::PROT_READ | libc::PROT_EXEC),
                )?;
                let pkey_mprotect = |prot: c_int| {
                    // SAFETY: the page mapped above; pkey -1 is plain mprotect.
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_pkey_mprotect,
                            page as usize,
                            4096usize,
                            prot as c_long,
                            -1 as c_long,
                        )
                    })
                };
                ok(
                    "pkey_mprotect(PROT_READ, -1)",
                    pkey_mprotect(libc::PROT_READ),
                )?;
                ok_if(
                    prot_exec,
                    "pkey_mprotect(PROT_READ|PROT_EXEC, -1)",
                    pkey_mprotect(libc::PROT_READ | libc::PROT_EXEC),
                )?;
                Ok(())
            })
        },
    );
}

// ---------------------------------------------------------------------------
// id, settime, unveil, vminfo

#[test]
fn id_allows_changing_ids() {
    run_cases("id_allows_changing_ids", &["stdio", "stdio id"], || {
        outcome(|| {
            let id = pledge_case().contains(Promises::ID);
            // SAFETY (these calls): integer arguments (raw, so that only this
            // thread changes; -1 leaves an id as it is).
            let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
            ok_if(
                id,
                "setresuid(-1, -1, -1)",
                ret(unsafe { libc::syscall(libc::SYS_setresuid, -1, -1, -1) }),
            )?;
            ok_if(
                id,
                "setresgid(-1, -1, -1)",
                ret(unsafe { libc::syscall(libc::SYS_setresgid, -1, -1, -1) }),
            )?;
            ok_if(
                id,
                "setuid(own uid)",
                ret(unsafe { libc::syscall(libc::SYS_setuid, uid as c_long) }),
            )?;
            ok_if(
                id,
                "setgid(own gid)",
                ret(unsafe { libc::syscall(libc::SYS_setgid, gid as c_long) }),
            )?;
            // Unprivileged: the kernel's EPERM.
            through_if(
                id,
                "setgroups(0, NULL)",
                ret(unsafe { libc::syscall(libc::SYS_setgroups, 0usize, 0usize) }),
            )?;
            // Reading ids and capabilities is stdio; setting capabilities nobody's.
            // struct __user_cap_header_struct, _LINUX_CAPABILITY_VERSION_3,
            // then two struct __user_cap_data_struct.
            let mut header: [u32; 2] = [0x2008_0522, 0];
            let mut data = [0u32; 6];
            ok(
                "capget",
                ret(unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) }),
            )?;
            refused(
                "capset(same)",
                ret(unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) }),
            )?;
            Ok(())
        })
    });
}

#[test]
fn settime_allows_the_clock_calls() {
    run_cases(
        "settime_allows_the_clock_calls",
        &["stdio", "stdio settime"],
        || {
            outcome(|| {
                let settime = pledge_case().contains(Promises::SETTIME);
                // Nothing here changes the clock: settimeofday(NULL, NULL)
                // sets nothing, adjtimex with modes 0 only reads, and the
                // monotonic clock cannot be set.
                // SAFETY (these calls): NULL or live buffers.
                let r = ret(unsafe { libc::syscall(libc::SYS_settimeofday, 0usize, 0usize) });
                if !settime {
                    refused("settimeofday(NULL, NULL)", r)?;
                } else if child::unprivileged() {
                    fails_with(libc::EPERM, "settimeofday(NULL, NULL)", r)?;
                } else {
                    ok("settimeofday(NULL, NULL)", r)?;
                }
                let mut tx: libc::timex = unsafe { std::mem::zeroed() };
                ok_if(
                    settime,
                    "adjtimex(modes 0)",
                    ret(unsafe { libc::syscall(libc::SYS_adjtimex, &mut tx) }),
                )?;
                let mut tx: libc::timex = unsafe { std::mem::zeroed() };
                ok_if(
                    settime,
                    "clock_adjtime(CLOCK_REALTIME, modes 0)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_clock_adjtime,
                            libc::CLOCK_REALTIME as c_long,
                            &mut tx,
                        )
                    }),
                )?;
                let mut now: libc::timespec = unsafe { std::mem::zeroed() };
                ok(
                    "clock_gettime(CLOCK_MONOTONIC)",
                    ret(unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) }),
                )?;
                let r = ret(unsafe {
                    libc::syscall(
                        libc::SYS_clock_settime,
                        libc::CLOCK_MONOTONIC as c_long,
                        &now,
                    )
                });
                if settime {
                    fails_with(libc::EINVAL, "clock_settime(CLOCK_MONOTONIC)", r)?;
                } else {
                    refused("clock_settime(CLOCK_MONOTONIC)", r)?;
                }
                Ok(())
            })
        },
    );
}

#[test]
fn unveil_allows_landlock() {
    run_cases("unveil_allows_landlock", &["stdio", "stdio unveil"], || {
        outcome(|| {
            let unveil = pledge_case().contains(Promises::UNVEIL);
            // SAFETY (these calls): NULL or a live attribute of the size given.
            let version = ret(unsafe {
                libc::syscall(
                    libc::SYS_landlock_create_ruleset,
                    0usize,
                    0usize,
                    1usize, // LANDLOCK_CREATE_RULESET_VERSION
                )
            });
            ok_if(unveil, "landlock_create_ruleset(NULL, 0, VERSION)", version)?;
            // handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE.
            let handled: u64 = 1 << 1;
            let ruleset = ret(unsafe {
                libc::syscall(
                    libc::SYS_landlock_create_ruleset,
                    &handled as *const u64,
                    size_of::<u64>(),
                    0usize,
                )
            });
            ok_if(unveil, "landlock_create_ruleset(write_file)", ruleset)?;
            if let Ok(ruleset) = ruleset {
                // no_new_privs is set by the pledge.
                ok(
                    "landlock_restrict_self",
                    ret(unsafe {
                        libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0usize)
                    }),
                )?;
            } else {
                refused(
                    "landlock_restrict_self(-1, 0)",
                    ret(unsafe {
                        libc::syscall(libc::SYS_landlock_restrict_self, -1 as c_long, 0usize)
                    }),
                )?;
            }
            refused(
                "openat(/etc/passwd, O_RDONLY) (rpath)",
                openat(c"/etc/passwd", libc::O_RDONLY, 0),
            )?;
            Ok(())
        })
    });
}

#[test]
fn vminfo_allows_sysinfo() {
    run_cases("vminfo_allows_sysinfo", &["stdio", "stdio vminfo"], || {
        outcome(|| {
            let vminfo = pledge_case().contains(Promises::VMINFO);
            let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
            // SAFETY (these calls): a live buffer; NULLs.
            ok_if(vminfo, "sysinfo", ret(unsafe { libc::sysinfo(&mut info) }))?;
            ensure(!vminfo || info.totalram > 0, "sysinfo reported memory")?;
            ok_if(
                vminfo,
                "get_mempolicy(NULL, NULL, 0, NULL, 0)",
                ret(unsafe {
                    libc::syscall(
                        libc::SYS_get_mempolicy,
                        0usize,
                        0usize,
                        0usize,
                        0usize,
                        0usize,
                    )
                }),
            )?;
            refused(
                "open(/proc/meminfo) (rpath)",
                openat(c"/proc/meminfo", libc::O_RDONLY, 0),
            )?;
            refused(
                "syslog(SYSLOG_ACTION_SIZE_BUFFER)",
                ret(unsafe { libc::syscall(libc::SYS_syslog, 10 as c_long, 0usize, 0usize) }),
            )?;
            Ok(())
        })
    });
}

// ---------------------------------------------------------------------------
// Narrowing

#[test]
fn a_second_pledge_can_only_narrow() {
    run_cases(
        "a_second_pledge_can_only_narrow",
        &["stdio rpath wpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                pledge_case();
                let penalty = Penalty::errno(FILTER_ERRNO as u16);
                ok("open for writing", openat(&file, libc::O_WRONLY, 0))?;
                let narrower = Pledge::new(promises!("stdio rpath"))
                    .penalty(penalty)
                    .apply()
                    .map_err(|e| format!("narrowing to \"stdio rpath\": {e}"))?;
                ensure(
                    narrower.promises == promises!("stdio rpath"),
                    "the narrower pledge holds stdio rpath",
                )?;
                ensure(
                    seclude::pledge::held() == promises!("stdio rpath"),
                    "held() is stdio rpath",
                )?;
                refused("open for writing", openat(&file, libc::O_WRONLY, 0))?;
                ok("open for reading", openat(&file, libc::O_RDONLY, 0))?;
                let wider = Pledge::new(promises!("stdio rpath wpath"))
                    .penalty(penalty)
                    .apply();
                ensure(
                    wider
                        == Err(PledgeError::Widening {
                            extra: promises!("wpath"),
                        }),
                    &format!("widening back to wpath: {wider:?}"),
                )?;
                refused(
                    "open for writing after the refused widening",
                    openat(&file, libc::O_WRONLY, 0),
                )?;
                Pledge::new(promises!("stdio"))
                    .penalty(penalty)
                    .apply()
                    .map_err(|e| format!("narrowing to \"stdio\": {e}"))?;
                refused("open for reading", openat(&file, libc::O_RDONLY, 0))?;
                let wider = Pledge::new(promises!("stdio rpath"))
                    .penalty(penalty)
                    .apply();
                ensure(
                    wider
                        == Err(PledgeError::Widening {
                            extra: promises!("rpath"),
                        }),
                    &format!("widening back to rpath: {wider:?}"),
                )?;
                refused(
                    "open for reading after the refused widening",
                    openat(&file, libc::O_RDONLY, 0),
                )?;
                ensure(
                    seclude::pledge::held() == promises!("stdio"),
                    "held() is stdio",
                )?;
                Ok(())
            })
        },
    );
}
