//! The `stdio` promise: I/O on open descriptors, and what it leaves out.

use super::*;

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
