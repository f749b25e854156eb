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
