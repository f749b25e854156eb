//! The process promises: proc, exec, prot_exec.

use super::*;

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
