//! pledge against the real kernel, as root and as uid 65534 without
//! capabilities.

#[path = "support/child.rs"]
mod child;

use seclude::pledge::{Penalty, Pledge};
use seclude::promises;
use std::fs::File;

/// An errno no kernel path below returns, so that a refusal by the filter
/// is told apart from the kernel's own EPERM.
const FILTER_ERRNO: i32 = 131; // ENOTRECOVERABLE

fn pledge(p: seclude::pledge::Promises) {
    Pledge::new(p)
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .expect("pledge applied");
}

fn refused<T>(r: std::io::Result<T>) -> bool {
    matches!(r, Err(e) if e.raw_os_error() == Some(FILTER_ERRNO))
}

#[test]
fn stdio_alone_cannot_open_etc_passwd() {
    child::run_both("stdio_alone_cannot_open_etc_passwd", || {
        pledge(promises!("stdio"));
        if !refused(File::open("/etc/passwd")) {
            return 1;
        }
        println!("still writing to stdout");
        0
    });
}

#[test]
fn rpath_opens_etc_passwd() {
    child::run_both("rpath_opens_etc_passwd", || {
        pledge(promises!("stdio rpath"));
        if File::open("/etc/passwd").is_err() {
            return 1;
        }
        0
    });
}

#[test]
fn a_thread_can_be_created_under_stdio() {
    child::run_both("a_thread_can_be_created_under_stdio", || {
        pledge(promises!("stdio"));
        let t = std::thread::spawn(|| 42);
        if t.join().ok() != Some(42) {
            return 1;
        }
        0
    });
}

#[test]
fn the_trap_message_names_the_syscall_and_the_promise() {
    const TEST: &str = "the_trap_message_names_the_syscall_and_the_promise";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::EPERM.reported())
                .apply()
                .expect("pledge applied");
            match File::open("/etc/passwd") {
                Err(e) if e.raw_os_error() == Some(1) => 0,
                _ => 1,
            }
        });
        exit.assert_success(TEST);
        assert!(
            exit.stderr
                .contains("seclude: openat denied; promise \"rpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn a_reported_kill_prints_then_kills_with_sigsys() {
    const TEST: &str = "a_reported_kill_prints_then_kills_with_sigsys";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::KILL_PROCESS.reported())
                .apply()
                .expect("pledge applied");
            let _ = std::fs::create_dir("/tmp/seclude-never");
            0
        });
        exit.assert_signal(31, TEST);
        assert!(
            exit.stderr
                .contains("seclude: mkdir denied; promise \"cpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn pledging_works_on_a_default_sized_thread_stack() {
    child::run_both("pledging_works_on_a_default_sized_thread_stack", || {
        let t = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| Pledge::new(promises!("stdio rpath inet")).apply().is_ok())
            .unwrap();
        if t.join().ok() != Some(true) {
            return 1;
        }
        0
    });
}

/// Forks; the child runs `argv` through `seclude::pledge::execve` (so
/// pending execpromises apply) with stdout and stderr on /dev/null. Returns
/// the child's exit status, or 1000 + signal.
fn spawn_pledged(argv: &[&std::ffi::CStr]) -> i32 {
    let mut ptrs: Vec<*const u8> = argv.iter().map(|a| a.as_ptr().cast()).collect();
    ptrs.push(std::ptr::null());
    let envp = [std::ptr::null::<u8>()];
    // SAFETY: the child only makes raw syscalls before execve or _exit.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            libc::dup2(null, 1);
            libc::dup2(null, 2);
            let _ = seclude::pledge::execve(argv[0], ptrs.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            1000 + libc::WTERMSIG(status)
        }
    }
}

#[test]
fn execpromises_reduce_what_the_executed_program_may_do() {
    child::run_both(
        "execpromises_reduce_what_the_executed_program_may_do",
        || {
            let dir = std::env::temp_dir().join(format!("seclude-ep-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let target = std::ffi::CString::new(dir.join("made").to_str().unwrap()).unwrap();
            Pledge::new(promises!("stdio rpath wpath cpath proc exec prot_exec"))
                .execpromises(promises!("stdio rpath prot_exec"))
                .penalty(Penalty::errno(FILTER_ERRNO as u16))
                .apply()
                .expect("pledge applied");
            // Reading is within the execpromises.
            if spawn_pledged(&[c"/bin/cat", c"/etc/hostname"]) != 0 {
                return 1;
            }
            // Creating a file is not, though this process may.
            if spawn_pledged(&[c"/usr/bin/touch", &target]) == 0 || dir.join("made").exists() {
                return 2;
            }
            std::fs::write(dir.join("here"), b"this process still holds cpath").unwrap();
            // Executing again is not either (no "exec" in the execpromises):
            // the shell cannot run its command.
            if spawn_pledged(&[c"/bin/sh", c"-c", c"exec /bin/true"]) == 0 {
                return 3;
            }
            let _ = std::fs::remove_dir_all(&dir);
            0
        },
    );
}

#[test]
fn without_execpromises_the_program_keeps_the_promises() {
    child::run_both(
        "without_execpromises_the_program_keeps_the_promises",
        || {
            let dir = std::env::temp_dir().join(format!("seclude-noep-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let target = std::ffi::CString::new(dir.join("made").to_str().unwrap()).unwrap();
            pledge(promises!(
                "stdio rpath wpath cpath fattr proc exec prot_exec"
            ));
            if spawn_pledged(&[c"/usr/bin/touch", &target]) != 0 || !dir.join("made").exists() {
                return 1;
            }
            let _ = std::fs::remove_dir_all(&dir);
            0
        },
    );
}

#[test]
fn execpromises_are_checked() {
    use seclude::pledge::PledgeError;
    let p = Pledge::new(promises!("stdio exec")).execpromises(promises!("stdio rpath"));
    assert_eq!(
        p.apply().unwrap_err(),
        PledgeError::ExecPromisesNotSubset {
            extra: promises!("rpath")
        }
    );
    let p = Pledge::new(promises!("stdio rpath")).execpromises(promises!("stdio"));
    assert_eq!(p.apply().unwrap_err(), PledgeError::ExecPromisesWithoutExec);
    assert_eq!(
        Pledge::new(promises!("stdio"))
            .penalty(Penalty::errno(0))
            .apply()
            .unwrap_err(),
        PledgeError::BadErrno(0)
    );
}

#[test]
fn pledge_and_unveil_apply_together() {
    child::run_both("pledge_and_unveil_apply_together", || {
        let mut u: seclude::landlock::Unveil<'_, 2> = seclude::landlock::Unveil::new();
        u.unveil(c"/etc", "r").unwrap();
        Pledge::new(promises!("stdio rpath"))
            .penalty(Penalty::errno(FILTER_ERRNO as u16))
            .apply_with_unveil(u)
            .expect("unveiled and pledged");
        // Inside the unveiled tree and the promises.
        if File::open("/etc/passwd").is_err() {
            return 1;
        }
        // Outside the unveiled tree: Landlock refuses (EACCES).
        match File::open("/usr/bin/true") {
            Err(e) if e.raw_os_error() == Some(libc::EACCES) => {}
            _ => return 2,
        }
        // Within the tree but outside the promises: the filter refuses.
        if !refused(File::create("/etc/seclude-never")) {
            return 3;
        }
        // No "unveil" promise: Landlock cannot be called again.
        let r = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, 0usize, 0usize, 1u32) };
        if r != -1 || std::io::Error::last_os_error().raw_os_error() != Some(FILTER_ERRNO) {
            return 4;
        }
        0
    });
}

#[test]
fn execpromises_self_is_the_process_that_execs() {
    child::run_both("execpromises_self_is_the_process_that_execs", || {
        Pledge::new(promises!("stdio rpath proc exec prot_exec"))
            .execpromises(promises!("stdio rpath prot_exec"))
            .penalty(Penalty::errno(FILTER_ERRNO as u16))
            .apply()
            .expect("pledge applied");
        // The forked child execs: "self" in its filter is its own pid.
        if spawn_pledged(&[c"/bin/sh", c"-c", c"kill -0 $$"]) != 0 {
            return 1;
        }
        // And not the parent that pledged.
        if spawn_pledged(&[c"/bin/sh", c"-c", c"kill -0 $PPID"]) == 0 {
            return 2;
        }
        0
    });
}

#[test]
fn a_reported_kill_in_a_forked_child_kills_the_child_only() {
    child::run_both(
        "a_reported_kill_in_a_forked_child_kills_the_child_only",
        || {
            Pledge::new(promises!("stdio proc"))
                .penalty(Penalty::KILL_PROCESS.reported())
                .apply()
                .expect("pledge applied");
            // SAFETY: the child makes raw calls only.
            unsafe {
                let pid = libc::fork();
                if pid == 0 {
                    libc::open(c"/etc/passwd".as_ptr(), libc::O_RDONLY);
                    libc::_exit(0);
                }
                let mut status = 0;
                libc::waitpid(pid, &mut status, 0);
                if !(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS) {
                    return 1;
                }
            }
            0
        },
    );
}

#[test]
fn a_sigsys_not_from_the_filter_is_left_alone() {
    const TEST: &str = "a_sigsys_not_from_the_filter_is_left_alone";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::EPERM.reported())
                .apply()
                .expect("pledge applied");
            // SAFETY: SIGSYS has the pledge's handler.
            unsafe { libc::kill(libc::getpid(), libc::SIGSYS) };
            0
        });
        exit.assert_success(TEST);
        assert!(!exit.stderr.contains("seclude:"), "{mode:?}: {exit:#?}");
    }
}

#[test]
fn exec_cannot_exceed_earlier_execpromises() {
    child::run_both("exec_cannot_exceed_earlier_execpromises", || {
        use seclude::pledge::PledgeError;
        Pledge::new(promises!("stdio rpath exec prot_exec"))
            .execpromises(promises!("stdio prot_exec"))
            .penalty(Penalty::errno(FILTER_ERRNO as u16))
            .apply()
            .expect("pledge applied");
        // /bin/false: if the exec happened, the child exits 1.
        let argv = [c"/bin/false".as_ptr().cast(), std::ptr::null()];
        let envp = [std::ptr::null::<u8>()];
        // SAFETY: NULL-terminated arrays of C strings.
        let error = unsafe {
            Pledge::new(promises!("stdio rpath prot_exec")).exec(
                c"/bin/false",
                argv.as_ptr(),
                envp.as_ptr(),
            )
        };
        if error
            != (PledgeError::Widening {
                extra: promises!("rpath"),
            })
        {
            return 1;
        }
        0
    });
}

/// The errno of the last failed libc call.
fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `sockaddr_in` for 127.0.0.1:`port` (`port` in host order).
fn loopback(port: u16) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
        },
        sin_zero: [0; 8],
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel picks: the
/// descriptor and the port, or `None` if a step failed.
fn tcp_listener() -> Option<(i32, u16)> {
    // SAFETY: plain socket calls on a sockaddr_in of the right size.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return None;
        }
        let mut addr = loopback(0);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        if libc::bind(fd, (&raw const addr).cast(), len) != 0 || libc::listen(fd, 4) != 0 {
            return None;
        }
        let mut got = len;
        if libc::getsockname(fd, (&raw mut addr).cast(), &mut got) != 0 {
            return None;
        }
        Some((fd, u16::from_be(addr.sin_port)))
    }
}

#[test]
fn anet_refuses_datagram_and_raw_sockets_and_fast_open() {
    child::run_both(
        "anet_refuses_datagram_and_raw_sockets_and_fast_open",
        || {
            pledge(promises!("stdio anet"));
            use libc::{AF_INET, AF_INET6, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW};
            let flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
            for (i, (domain, kind, protocol)) in [
                (AF_INET, SOCK_DGRAM, 0),
                (AF_INET, SOCK_DGRAM | flags, libc::IPPROTO_UDP),
                (AF_INET6, SOCK_DGRAM, 0),
                (AF_INET6, SOCK_DGRAM | flags, libc::IPPROTO_UDP),
                (AF_INET, SOCK_RAW, libc::IPPROTO_ICMP),
                (AF_INET, SOCK_RAW | flags, libc::IPPROTO_RAW),
                (AF_INET6, SOCK_RAW, libc::IPPROTO_ICMPV6),
            ]
            .into_iter()
            .enumerate()
            {
                // SAFETY: socket() with integer arguments.
                let fd = unsafe { libc::socket(domain, kind, protocol) };
                if fd != -1 || errno() != FILTER_ERRNO {
                    println!(
                        "socket({domain}, {kind:#x}, {protocol}) = {fd}, errno {}",
                        errno()
                    );
                    return 10 + i as i32;
                }
            }
            // A TCP socket may be made, but not connected by sending a SYN
            // with data (TCP Fast Open), through sendto or sendmsg.
            let Some((_listener, port)) = tcp_listener() else {
                return 2;
            };
            let addr = loopback(port);
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            // SAFETY: socket calls on live buffers of the sizes given.
            unsafe {
                let fd = libc::socket(AF_INET, libc::SOCK_STREAM, 0);
                if fd < 0 {
                    return 3;
                }
                let data = b"syn data";
                let sent = libc::sendto(
                    fd,
                    data.as_ptr().cast(),
                    data.len(),
                    libc::MSG_FASTOPEN,
                    (&raw const addr).cast(),
                    len,
                );
                if sent != -1 || errno() != FILTER_ERRNO {
                    println!("sendto(MSG_FASTOPEN) = {sent}, errno {}", errno());
                    return 4;
                }
                let mut iov = libc::iovec {
                    iov_base: data.as_ptr() as *mut _,
                    iov_len: data.len(),
                };
                let mut msg: libc::msghdr = std::mem::zeroed();
                msg.msg_name = (&raw const addr) as *mut _;
                msg.msg_namelen = len;
                msg.msg_iov = &mut iov;
                msg.msg_iovlen = 1;
                let sent = libc::sendmsg(fd, &msg, libc::MSG_FASTOPEN);
                if sent != -1 || errno() != FILTER_ERRNO {
                    println!("sendmsg(MSG_FASTOPEN) = {sent}, errno {}", errno());
                    return 5;
                }
                let mut mmsg: libc::mmsghdr = std::mem::zeroed();
                mmsg.msg_hdr = msg;
                let sent = libc::sendmmsg(fd, &mut mmsg, 1, libc::MSG_FASTOPEN as _);
                if sent != -1 || errno() != FILTER_ERRNO {
                    println!("sendmmsg(MSG_FASTOPEN) = {sent}, errno {}", errno());
                    return 6;
                }
            }
            0
        },
    );
}

#[test]
fn anet_serves_tcp() {
    child::run_both("anet_serves_tcp", || {
        // The client connects from a process forked before the pledge (a
        // pledged one could not: no connect under anet); it learns the
        // port through a pipe.
        let mut pipe = [0; 2];
        // SAFETY: pipe, fork, and raw socket calls in the child, which
        // ends with _exit.
        let client = unsafe {
            assert_eq!(libc::pipe(pipe.as_mut_ptr()), 0);
            let pid = libc::fork();
            if pid == 0 {
                let mut port = [0u8; 2];
                if libc::read(pipe[0], port.as_mut_ptr().cast(), 2) != 2 {
                    libc::_exit(1);
                }
                let addr = loopback(u16::from_ne_bytes(port));
                let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
                let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
                if libc::connect(fd, (&raw const addr).cast(), len) != 0
                    || libc::write(fd, b"ping".as_ptr().cast(), 4) != 4
                {
                    libc::_exit(2);
                }
                libc::_exit(0);
            }
            pid
        };
        pledge(promises!("stdio anet"));
        let Some((listener, port)) = tcp_listener() else {
            return 1;
        };
        // SAFETY: accept, read and write on live buffers; waitpid.
        unsafe {
            if libc::write(pipe[1], port.to_ne_bytes().as_ptr().cast(), 2) != 2 {
                return 2;
            }
            let conn = libc::accept4(listener, std::ptr::null_mut(), std::ptr::null_mut(), 0);
            if conn < 0 {
                println!("accept: errno {}", errno());
                return 3;
            }
            let mut got = [0u8; 4];
            if libc::read(conn, got.as_mut_ptr().cast(), 4) != 4 || &got != b"ping" {
                return 4;
            }
            let mut status = 0;
            libc::waitpid(client, &mut status, 0);
            if status != 0 {
                return 5;
            }
        }
        0
    });
}

/// Forks; the child applies `pledge` and makes a call it refuses (mkdir:
/// no cpath). Returns the child's wait status.
fn refused_in_a_fresh_process(pledge: Pledge) -> i32 {
    // SAFETY: the child makes raw calls only (pledge is allocation-free)
    // and ends with _exit.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            if pledge.apply().is_err() {
                libc::_exit(100);
            }
            libc::mkdir(c"/tmp/seclude-never".as_ptr(), 0o700);
            libc::_exit(0);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        status
    }
}

fn killed_by_sigsys(status: i32) -> bool {
    libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGSYS
}

#[test]
fn a_reported_kill_thread_of_the_only_thread_dies_by_sigsys() {
    const TEST: &str = "a_reported_kill_thread_of_the_only_thread_dies_by_sigsys";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            // The test harness has two threads; a fork has one.
            let status = refused_in_a_fresh_process(
                Pledge::new(promises!("stdio")).penalty(Penalty::KILL_THREAD.reported()),
            );
            if !killed_by_sigsys(status) {
                println!("wait status {status:#x}");
                return 1;
            }
            0
        });
        exit.assert_success(TEST);
        assert!(
            exit.stderr
                .contains("seclude: mkdir denied; promise \"cpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn a_reported_kill_thread_ends_that_thread_only() {
    const TEST: &str = "a_reported_kill_thread_ends_that_thread_only";
    extern "C" fn refuse(_: *mut libc::c_void) -> *mut libc::c_void {
        // SAFETY: mkdir with a C string.
        unsafe { libc::mkdir(c"/tmp/seclude-never".as_ptr(), 0o700) };
        // Not reached: the thread ends in the call.
        std::ptr::without_provenance_mut(1)
    }
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::KILL_THREAD.reported())
                .apply()
                .expect("pledge applied");
            // A raw thread: std's join would panic on a thread that never
            // finished its closure. pthread_join returns when the kernel
            // clears the thread's tid, however it ended.
            let mut thread = 0;
            // SAFETY: a thread running `refuse`, joined below.
            unsafe {
                if libc::pthread_create(&mut thread, std::ptr::null(), refuse, std::ptr::null_mut())
                    != 0
                {
                    return 1;
                }
                let mut result = std::ptr::null_mut();
                if libc::pthread_join(thread, &mut result) != 0 || result as usize == 1 {
                    return 2;
                }
            }
            println!("the other threads live on");
            0
        });
        exit.assert_success(TEST);
        assert!(
            exit.stdout.contains("the other threads live on")
                && exit
                    .stderr
                    .contains("seclude: mkdir denied; promise \"cpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn a_reported_kill_process_kills_every_thread_by_sigsys() {
    const TEST: &str = "a_reported_kill_process_kills_every_thread_by_sigsys";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::KILL_PROCESS.reported())
                .apply()
                .expect("pledge applied");
            // The refusal happens on another thread than this one (and
            // the harness's main thread waits on a third).
            let t = std::thread::spawn(|| {
                let _ = std::fs::create_dir("/tmp/seclude-never");
            });
            let _ = t.join();
            println!("survived");
            0
        });
        exit.assert_signal(libc::SIGSYS, TEST);
        assert!(!exit.stdout.contains("survived"), "{mode:?}: {exit:#?}");
        assert!(
            exit.stderr
                .contains("seclude: mkdir denied; promise \"cpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

/// Forks; the child calls `exec` (an exec made some other way than
/// `seclude::pledge::execve`) with stdout and stderr on /dev/null unless
/// `quiet` is false. Returns the child's wait status; the child exits with
/// 100 + the errno if `exec` returns -1.
fn exec_in_a_fork(quiet: bool, exec: fn() -> i64) -> i32 {
    // SAFETY: the child makes raw calls only, then execs or _exits.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            if quiet {
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                libc::dup2(null, 1);
                libc::dup2(null, 2);
            }
            if exec() == -1 {
                libc::_exit(100 + *libc::__errno_location());
            }
            libc::_exit(1);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        status
    }
}

/// execv("/usr/bin/touch", [touch, $SECLUDE_TEST_TARGET]) through libc.
fn libc_touch() -> i64 {
    let target = std::env::var("SECLUDE_TEST_TARGET").unwrap();
    let target = std::ffi::CString::new(target).unwrap();
    let argv = [c"touch".as_ptr(), target.as_ptr(), std::ptr::null()];
    // SAFETY: NULL-terminated array of C strings.
    unsafe { libc::execv(c"/usr/bin/touch".as_ptr(), argv.as_ptr()) as i64 }
}

/// The same through execveat(AT_FDCWD, ..).
fn execveat_touch() -> i64 {
    let target = std::env::var("SECLUDE_TEST_TARGET").unwrap();
    let target = std::ffi::CString::new(target).unwrap();
    let argv = [c"touch".as_ptr(), target.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null::<libc::c_char>()];
    // SAFETY: NULL-terminated arrays of C strings.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            libc::AT_FDCWD,
            c"/usr/bin/touch".as_ptr(),
            argv.as_ptr(),
            envp.as_ptr(),
            0,
        )
    }
}

/// A scratch directory for one test in one process, and the path of a
/// file in it that the test expects never to be created.
fn scratch(test: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("seclude-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("made");
    // SAFETY: the body runs on the only thread that reads the environment
    // here, before anything else starts.
    unsafe { std::env::set_var("SECLUDE_TEST_TARGET", &target) };
    (dir, target)
}

#[test]
fn an_exec_outside_pledge_execve_cannot_skip_the_execpromises() {
    child::run_both(
        "an_exec_outside_pledge_execve_cannot_skip_the_execpromises",
        || {
            let (dir, target) = scratch("skip");
            Pledge::new(promises!(
                "stdio rpath wpath cpath fattr proc exec prot_exec"
            ))
            .execpromises(promises!("stdio rpath prot_exec"))
            .penalty(Penalty::errno(FILTER_ERRNO as u16))
            .apply()
            .expect("pledge applied");
            // std's Command execs through libc: refused, with the errno.
            match std::process::Command::new("/usr/bin/touch")
                .arg(&target)
                .status()
            {
                Err(e) if e.raw_os_error() == Some(FILTER_ERRNO) => {}
                other => {
                    println!("Command: {other:?}");
                    return 1;
                }
            }
            // libc's execv and a raw execveat: refused too.
            for (i, exec) in [libc_touch as fn() -> i64, execveat_touch]
                .into_iter()
                .enumerate()
            {
                let status = exec_in_a_fork(true, exec);
                if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 100 + FILTER_ERRNO {
                    println!("exec {i}: wait status {status:#x}");
                    return 2 + i as i32;
                }
            }
            if target.exists() {
                return 4;
            }
            // This process still creates files; pledge::execve still execs.
            std::fs::write(dir.join("here"), b"cpath").unwrap();
            if spawn_pledged(&[c"/bin/cat", c"/etc/hostname"]) != 0 {
                return 5;
            }
            let _ = std::fs::remove_dir_all(&dir);
            0
        },
    );
}

#[test]
fn an_exec_outside_pledge_execve_is_reported() {
    const TEST: &str = "an_exec_outside_pledge_execve_is_reported";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            let (dir, target) = scratch("reported");
            Pledge::new(promises!(
                "stdio rpath wpath cpath fattr proc exec prot_exec"
            ))
            .execpromises(promises!("stdio rpath prot_exec"))
            .penalty(Penalty::KILL_PROCESS.reported())
            .apply()
            .expect("pledge applied");
            // Not a violation of the promises but the wrong door: EPERM,
            // whatever the penalty, and the message says which door.
            let status = exec_in_a_fork(false, libc_touch);
            if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 100 + libc::EPERM {
                println!("wait status {status:#x}");
                return 1;
            }
            if target.exists() {
                return 2;
            }
            let _ = std::fs::remove_dir_all(&dir);
            0
        });
        exit.assert_success(TEST);
        assert!(
            exit.stderr.contains(
                "seclude: execve denied; execpromises are pending: \
                 exec through seclude::pledge::execve\n"
            ),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn execpromises_equal_to_the_promises_leave_every_exec_alone() {
    child::run_both(
        "execpromises_equal_to_the_promises_leave_every_exec_alone",
        || {
            let p = promises!("stdio rpath proc exec prot_exec");
            Pledge::new(p)
                .execpromises(p)
                .penalty(Penalty::errno(FILTER_ERRNO as u16))
                .apply()
                .expect("pledge applied");
            match std::process::Command::new("/bin/true").status() {
                Ok(s) if s.success() => 0,
                other => {
                    println!("{other:?}");
                    1
                }
            }
        },
    );
}

/// `spawn_pledged`: std's Command, its program run under the execpromises.
#[cfg(feature = "std")]
#[test]
fn a_command_spawned_pledged_runs_under_the_execpromises() {
    child::run_both(
        "a_command_spawned_pledged_runs_under_the_execpromises",
        || {
            use seclude::pledge::{Environment, PledgedCommand};
            use std::process::{Command, Stdio};
            let (dir, target) = scratch("command");
            Pledge::new(promises!(
                "stdio rpath wpath cpath fattr proc exec prot_exec"
            ))
            .execpromises(promises!("stdio rpath prot_exec"))
            .penalty(Penalty::errno(FILTER_ERRNO as u16))
            .apply()
            .expect("pledge applied");
            let status = |cmd: &mut Command, environment| {
                cmd.stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn_pledged(environment)
                    .and_then(|mut child| child.wait())
                    .map(|s| s.code())
            };
            // Reading is within the execpromises; `cat` is found in PATH,
            // and relative to the new directory.
            let read = status(
                Command::new("cat").arg("hostname").current_dir("/etc"),
                Environment::Inherited,
            );
            if read.as_ref().ok() != Some(&Some(0)) {
                println!("cat: {read:?}");
                return 1;
            }
            // Creating a file is not, though this process may.
            let touch = status(
                Command::new("/usr/bin/touch").arg(&target),
                Environment::Inherited,
            );
            if touch.as_ref().ok() == Some(&Some(0)) || target.exists() {
                println!("touch: {touch:?}");
                return 2;
            }
            std::fs::write(dir.join("here"), b"cpath").unwrap();
            // Nor executing again (no "exec" in the execpromises).
            let sh = status(
                Command::new("/bin/sh").args(["-c", "exec /bin/true"]),
                Environment::Inherited,
            );
            if sh.ok() == Some(Some(0)) {
                return 3;
            }
            // The environment: the command's variables, over the inherited
            // ones or alone; and "self" is the child's own pid.
            let env = |environment| {
                status(
                    Command::new("/bin/sh")
                        .args([
                            "-c",
                            r#"test "$SECLUDE_SET" = yes && test -z "$HOME" && kill -0 $$"#,
                        ])
                        .env("SECLUDE_SET", "yes")
                        .env_remove("HOME"),
                    environment,
                )
            };
            if env(Environment::Inherited).ok() != Some(Some(0))
                || env(Environment::Cleared).ok() != Some(Some(0))
            {
                return 4;
            }
            // This process's own variables (the harness's tag) pass only
            // when inherited.
            let tagged = |environment| {
                status(
                    Command::new("/bin/sh").args(["-c", r#"test -n "$SECLUDE_TEST_CHILD""#]),
                    environment,
                )
            };
            if tagged(Environment::Inherited).ok() != Some(Some(0))
                || tagged(Environment::Cleared).ok() != Some(Some(1))
            {
                return 5;
            }
            // A program not found is the spawn's error, as for spawn.
            match Command::new("seclude-no-such-program")
                .env("PATH", "/seclude-none:/usr/bin")
                .spawn_pledged(Environment::Inherited)
            {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                other => {
                    println!("not found: {other:?}");
                    return 6;
                }
            }
            // The hook stays with the command but only for spawn_pledged:
            // a plain spawn of it execs through libc, refused.
            let mut cmd = Command::new("/bin/true");
            if status(&mut cmd, Environment::Inherited).ok() != Some(Some(0)) {
                return 7;
            }
            match cmd.status() {
                Err(e) if e.raw_os_error() == Some(FILTER_ERRNO) => {}
                other => {
                    println!("plain spawn: {other:?}");
                    return 8;
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
            0
        },
    );
}

/// The limit the docs state: while narrower execpromises are pending, the
/// first filter refuses every exec but the gate's, and it stays with the
/// program executed; so a program started under execpromises that keep
/// "exec" still cannot exec (there is no gate in it), with an error.
#[test]
fn a_program_under_narrower_execpromises_cannot_exec_again() {
    child::run_both(
        "a_program_under_narrower_execpromises_cannot_exec_again",
        || {
            Pledge::new(promises!("stdio rpath wpath proc exec prot_exec"))
                .execpromises(promises!("stdio rpath proc exec prot_exec"))
                .penalty(Penalty::errno(FILTER_ERRNO as u16))
                .apply()
                .expect("pledge applied");
            // The shell runs; its own exec of true fails.
            if spawn_pledged(&[c"/bin/sh", c"-c", c"exit 7"]) != 7 {
                return 1;
            }
            if spawn_pledged(&[c"/bin/sh", c"-c", c"exec /bin/true"]) == 0 {
                return 2;
            }
            0
        },
    );
}

const MFD_CLOEXEC: u32 = 0x1;
const MFD_NOEXEC_SEAL: u32 = 0x8;
const MFD_EXEC: u32 = 0x10;

/// `memfd_create(name, flags)`, raw (libc's wrapper may be missing).
fn memfd_create(flags: u32) -> std::io::Result<i32> {
    // SAFETY: a NUL-terminated name and integer flags.
    let fd = unsafe { libc::syscall(libc::SYS_memfd_create, c"seclude-test".as_ptr(), flags) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(fd as i32)
}

/// Whether this kernel knows MFD_NOEXEC_SEAL (Linux 6.3), asked before any
/// filter: without it, a memfd under `exec` cannot be made at all.
fn noexec_seal_supported() -> bool {
    match memfd_create(MFD_CLOEXEC | MFD_NOEXEC_SEAL) {
        Ok(fd) => {
            // SAFETY: our own descriptor.
            unsafe { libc::close(fd) };
            true
        }
        Err(_) => false,
    }
}

/// Under `exec`, a memfd that could be made executable is refused, and the
/// one allowed (MFD_NOEXEC_SEAL) can be written and read but never
/// executed: not by its /proc/self/fd path, not as a descriptor, and no
/// chmod makes it executable. The code written into it is /usr/bin/false:
/// were it executed, the body would end with a failure.
#[test]
fn under_exec_a_memfd_is_never_executable() {
    if !noexec_seal_supported() {
        eprintln!("skipped: this kernel has no MFD_NOEXEC_SEAL (Linux 6.3)");
        return;
    }
    child::run_both("under_exec_a_memfd_is_never_executable", || {
        let code = std::fs::read("/usr/bin/false").expect("/usr/bin/false");
        pledge(promises!("stdio rpath exec fattr"));
        // Without the seal, or executable: refused by the filter.
        if !refused(memfd_create(MFD_CLOEXEC)) || !refused(memfd_create(MFD_EXEC)) {
            return 1;
        }
        if !refused(memfd_create(MFD_CLOEXEC | MFD_NOEXEC_SEAL | MFD_EXEC)) {
            return 2;
        }
        // On hugetlbfs a chmod goes past the seal.
        if !refused(memfd_create(MFD_NOEXEC_SEAL | libc::MFD_HUGETLB)) {
            return 9;
        }
        let Ok(fd) = memfd_create(MFD_NOEXEC_SEAL) else {
            return 3;
        };
        // SAFETY: our descriptor and live buffers of the lengths given.
        unsafe {
            if libc::write(fd, code.as_ptr().cast(), code.len()) != code.len() as isize {
                return 4;
            }
            let mut head = [0u8; 4];
            if libc::pread(fd, head.as_mut_ptr().cast(), 4, 0) != 4 || head != *b"\x7fELF" {
                return 5;
            }
            // The kernel's own refusal (EPERM), not the filter's: fattr is held.
            if libc::fchmod(fd, 0o755) != -1 || errno() != libc::EPERM {
                return 6;
            }
            // A POSIX ACL rewrites the mode without the seal's check: no
            // extended attribute is set under exec, fattr or not.
            // u::rwx g::rw- o::rw- (version 2, then tag, perm, id).
            let mut acl = vec![2u8, 0, 0, 0];
            for (tag, perm) in [(0x01u16, 7u16), (0x04, 6), (0x20, 6)] {
                acl.extend(tag.to_ne_bytes());
                acl.extend(perm.to_ne_bytes());
                acl.extend(u32::MAX.to_ne_bytes());
            }
            let set = libc::fsetxattr(
                fd,
                c"system.posix_acl_access".as_ptr(),
                acl.as_ptr().cast(),
                acl.len(),
                0,
            );
            if set != -1 || errno() != FILTER_ERRNO {
                return 10;
            }
            let path = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).unwrap();
            let argv = [c"false".as_ptr(), std::ptr::null()];
            let envp = [std::ptr::null::<libc::c_char>()];
            libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
            if errno() != libc::EACCES {
                return 7;
            }
            libc::syscall(
                libc::SYS_execveat,
                fd,
                c"".as_ptr(),
                argv.as_ptr(),
                envp.as_ptr(),
                libc::AT_EMPTY_PATH,
            );
            if errno() != libc::EACCES {
                return 8;
            }
        }
        0
    });
}

/// The refusal says why in report mode.
#[test]
fn an_executable_memfd_under_exec_is_reported() {
    const TEST: &str = "an_executable_memfd_under_exec_is_reported";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio exec"))
                .penalty(Penalty::EPERM.reported())
                .apply()
                .expect("pledge applied");
            match memfd_create(MFD_CLOEXEC) {
                Err(e) if e.raw_os_error() == Some(libc::EPERM) => 0,
                _ => 1,
            }
        });
        exit.assert_success(TEST);
        assert!(
            exit.stderr.contains(
                "seclude: memfd_create denied; under \"exec\" a memfd must be created with MFD_NOEXEC_SEAL"
            ),
            "{mode:?}: {exit:#?}"
        );
    }
}

/// Without `exec`, a memfd is as before: created without flags and used
/// as shared memory (written, mapped without PROT_EXEC).
#[test]
fn under_stdio_a_plain_memfd_is_shared_memory() {
    child::run_both("under_stdio_a_plain_memfd_is_shared_memory", || {
        pledge(promises!("stdio"));
        let Ok(fd) = memfd_create(MFD_CLOEXEC) else {
            return 1;
        };
        // SAFETY: our descriptor, a fresh shared mapping of one page, and
        // a live buffer.
        unsafe {
            if libc::ftruncate(fd, 4096) != 0 {
                return 2;
            }
            let map = libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            );
            if map == libc::MAP_FAILED {
                return 3;
            }
            std::ptr::copy_nonoverlapping(b"shared".as_ptr(), map.cast::<u8>(), 6);
            let mut back = [0u8; 6];
            if libc::pread(fd, back.as_mut_ptr().cast(), 6, 0) != 6 || back != *b"shared" {
                return 4;
            }
        }
        0
    });
}

/// A supervised pledge installed through the library on one thread: the
/// caller's prefix decides first, a call the promises allow only for the
/// process's own pid (`kill(getpid(), 0)` under `stdio`) runs in the
/// kernel, and refused calls (`kill` of another process, `openat`) wait
/// for the listener, whose answers they return.
#[test]
fn a_supervised_program_sends_refused_calls_to_its_listener() {
    use seclude::Errno;
    use seclude::bpf::{Action, Instruction, SeccompData};
    use seclude::pledge::SupervisedProgram;
    use seclude::seccomp::notify::{self, Response};
    use seclude::sys::fd::{POLLIN, PollFd, poll};
    use seclude::tables::{Abi, Syscall};
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, Ordering};

    static LISTENER: AtomicI32 = AtomicI32::new(-1);
    static DONE: AtomicBool = AtomicBool::new(false);
    static RESULTS: [AtomicI64; 4] = [const { AtomicI64::new(1) }; 4];

    child::run_both(
        "a_supervised_program_sends_refused_calls_to_its_listener",
        || {
            let mut program: Box<SupervisedProgram> =
                Box::new(SupervisedProgram::new(&[], promises!("stdio")).expect("compiled"));
            // getppid fails with errno 77 before the promises (which allow it).
            let getppid = Abi::NATIVE.number(Syscall::getppid).unwrap();
            let prefix = [
                Instruction::load_word(SeccompData::NR),
                Instruction::jeq(getppid, 0, 1),
                Instruction::ret(Action::Errno(77).to_ret()),
            ];
            program.set_prefix(&prefix).expect("room for the prefix");
            let filtered = std::thread::spawn(move || {
                let mut program = program;
                match program.install(seclude::sys::getpid()) {
                    Ok(listener) => LISTENER.store(listener.into_raw(), Ordering::SeqCst),
                    Err(_) => {
                        LISTENER.store(-2, Ordering::SeqCst);
                        return;
                    }
                }
                // The result, or minus the errno, read at once.
                let result = |r: libc::c_long| if r == -1 { -i64::from(errno()) } else { r };
                // SAFETY: raw system calls with integer arguments and a
                // NUL-terminated path.
                let calls = unsafe {
                    [
                        result(libc::syscall(libc::SYS_kill, libc::getpid(), 0)),
                        result(libc::syscall(libc::SYS_kill, 1, 0)),
                        result(libc::syscall(
                            libc::SYS_openat,
                            libc::AT_FDCWD,
                            c"/etc/passwd".as_ptr(),
                            libc::O_RDONLY,
                        )),
                        result(libc::syscall(libc::SYS_getppid)),
                    ]
                };
                for (slot, r) in RESULTS.iter().zip(calls) {
                    slot.store(r, Ordering::SeqCst);
                }
                DONE.store(true, Ordering::SeqCst);
            });
            let listener = loop {
                match LISTENER.load(Ordering::SeqCst) {
                    // A thread that panicked before storing would leave
                    // this loop waiting for ever.
                    -1 if filtered.is_finished() => return 3,
                    -1 => std::thread::sleep(std::time::Duration::from_millis(1)),
                    -2 => return 1,
                    fd => break fd,
                }
            };
            // Every notification until the thread is done; after, what its end
            // may send is let through.
            let mut notified = Vec::new();
            while !filtered.is_finished() {
                let mut fds = [PollFd::new(listener, POLLIN)];
                if !matches!(poll(&mut fds, Some(50)), Ok(1..)) {
                    continue;
                }
                let Ok(n) = notify::receive(listener) else {
                    continue;
                };
                let response = if DONE.load(Ordering::SeqCst) {
                    Response::Continue
                } else {
                    notified.push(n.data.nr as u32);
                    Response::Error(Errno::new(FILTER_ERRNO).unwrap())
                };
                let _ = notify::respond(listener, n.id, response);
            }
            filtered.join().unwrap();
            let results: Vec<i64> = RESULTS.iter().map(|r| r.load(Ordering::SeqCst)).collect();
            let number = |call| Abi::NATIVE.number(call).unwrap();
            let want_notified = [number(Syscall::kill), number(Syscall::openat)];
            let refused = -i64::from(FILTER_ERRNO);
            if results != [0, refused, refused, -77] || notified != want_notified {
                eprintln!("results {results:?}, notified {notified:?}");
                return 2;
            }
            0
        },
    );
}
