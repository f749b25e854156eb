//! Sandbox and isolate against the real kernel: a function run in an
//! isolated child, as root and as uid 65534 without capabilities.
//!
//! The functions given to `isolate` use raw calls and `core::fmt` only:
//! the child is a fork of a multithreaded process, where an allocator lock
//! held by another thread would never be released.

#[path = "support/child.rs"]
mod child;

use core::fmt::Write as _;

use seclude::landlock::Unveil;
use seclude::ns::{FsIsolation, IdMapping, NamespaceRequest, Namespaces};
use seclude::pledge::{Penalty, Pledge};
use seclude::privileges::Privileges;
use seclude::promises;
use seclude::sandbox::{
    Cause, Ended, InputReader, IsolatedDuplex, ResultWriter, Sandbox, Step, Stream, isolate,
    isolate_duplex, isolate_streaming,
};
use seclude::sys::fd::{self, O_CLOEXEC, O_RDONLY};

/// A pattern of `len` bytes no two neighbouring KiB of which are equal.
fn pattern(len: usize) -> impl Iterator<Item = u8> {
    (0..len).map(|i| (i * 7 + i / 1024) as u8)
}

/// The sandbox most tests use: everything dropped, pledge stdio, killing.
fn strict() -> Sandbox<'static> {
    Sandbox::new().pledge(Pledge::new(promises!("stdio")).penalty(Penalty::KILL_PROCESS))
}

/// [`strict`], with reading files allowed (for [`observe`]).
fn reading() -> Sandbox<'static> {
    Sandbox::new().pledge(Pledge::new(promises!("stdio rpath")).penalty(Penalty::KILL_PROCESS))
}

/// A namespace request that works unprivileged: always with a user
/// namespace, mapping the caller to root inside.
fn with_user(namespaces: Namespaces) -> NamespaceRequest<'static> {
    NamespaceRequest::new(namespaces.union(Namespaces::USER)).id_mapping(IdMapping::Root)
}

#[test]
fn a_result_of_a_few_kib_comes_back_intact() {
    child::run_both("a_result_of_a_few_kib_comes_back_intact", || {
        let mut buf = [0u8; 8192];
        let out = isolate(&strict(), &mut buf, |w| {
            let mut chunk = [0u8; 100];
            let mut all = pattern(5000);
            loop {
                let mut n = 0;
                for (slot, byte) in chunk.iter_mut().zip(&mut all) {
                    *slot = byte;
                    n += 1;
                }
                if n == 0 {
                    return 0;
                }
                w.write(&chunk[..n]).unwrap();
            }
        })
        .unwrap();
        assert_eq!(out.ended, Ended::Exited(0));
        assert!(!out.truncated);
        assert!(
            out.result.iter().copied().eq(pattern(5000)),
            "result differs"
        );
        let report = out.report.expect("report");
        assert!(report.no_new_privs && report.pledge.is_some());
        0
    });
}

#[test]
fn a_result_larger_than_the_buffer_is_truncated_not_blocked() {
    let mut buf = [0u8; 1000];
    let out = isolate(&strict(), &mut buf, |w| {
        // Far more than a pipe holds: the parent must keep reading.
        for _ in 0..100 {
            w.write(&[b'x'; 4096]).unwrap();
        }
        3
    })
    .unwrap();
    assert_eq!(out.ended, Ended::Exited(3));
    assert!(out.truncated);
    assert_eq!(out.result, &[b'x'; 1000][..]);
}

#[test]
fn a_forbidden_call_is_a_violation_and_the_parent_continues() {
    child::run_both(
        "a_forbidden_call_is_a_violation_and_the_parent_continues",
        || {
            let mut buf = [0u8; 64];
            let out = isolate(&strict(), &mut buf, |w| {
                w.write(b"before").unwrap();
                // stdio does not allow opening a file: killed here.
                let _ = fd::open(c"/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
                w.write(b"after").unwrap();
                0
            })
            .unwrap();
            assert_eq!(out.ended, Ended::Violation, "{out:?}");
            assert_eq!(out.result, b"before");
            // The parent is not sandboxed: it opens the file and runs another.
            assert!(std::fs::File::open("/etc/passwd").is_ok());
            let again = isolate(&strict(), &mut buf, |_| 4).unwrap();
            assert_eq!(again.ended, Ended::Exited(4));
            0
        },
    );
}

#[test]
fn other_signals_are_not_violations() {
    let mut buf = [0u8; 8];
    let out = isolate(&strict(), &mut buf, |_| {
        let pid = seclude::sys::getpid() as i32;
        let _ = seclude::sys::process::kill(pid, 9);
        0
    })
    .unwrap();
    assert_eq!(
        out.ended,
        Ended::Killed {
            signal: 9,
            core_dumped: false
        }
    );
}

/// A reported kill prints its message, then ends the child by `SIGSYS`
/// as the unreported kill does: a violation, never an exit status a
/// program could also return.
#[test]
fn a_reported_kill_is_a_violation() {
    child::run_both("a_reported_kill_is_a_violation", || {
        for penalty in [Penalty::KILL_PROCESS, Penalty::KILL_THREAD] {
            let sandbox =
                Sandbox::new().pledge(Pledge::new(promises!("stdio")).penalty(penalty.reported()));
            let mut buf = [0u8; 64];
            let out = isolate(&sandbox, &mut buf, |w| {
                w.write(b"before").unwrap();
                let _ = fd::open(c"/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
                w.write(b"after").unwrap();
                0
            })
            .unwrap();
            assert_eq!(out.ended, Ended::Violation, "{penalty:?}: {out:?}");
            assert_eq!(out.result, b"before", "{penalty:?}");
        }
        0
    });
}

#[test]
fn a_failed_setup_is_reported_and_the_function_never_runs() {
    child::run_both(
        "a_failed_setup_is_reported_and_the_function_never_runs",
        || {
            let mut unveil: Unveil<'_, 2> = Unveil::new();
            unveil.unveil(c"/no/such/directory", "r").unwrap();
            let sandbox = strict().unveil(&unveil);
            let mut buf = [0u8; 8];
            let out = isolate(&sandbox, &mut buf, |w| {
                w.write(b"ran").unwrap();
                0
            })
            .unwrap();
            let Ended::SetupFailed(error) = out.ended else {
                panic!("not a setup failure: {out:?}");
            };
            assert_eq!(error.step, Step::LandlockRuleset);
            assert!(matches!(error.cause, Cause::Landlock(_)), "{error}");
            assert!(out.result.is_empty() && out.report.is_none());
            0
        },
    );
}

#[test]
fn a_refused_pledge_fails_before_the_child_exists_nothing_applied() {
    // execpromises without exec: refused by the check, nothing applied.
    let sandbox = Sandbox::new().pledge(
        Pledge::new(promises!("stdio"))
            .execpromises(promises!("stdio"))
            .penalty(Penalty::KILL_PROCESS),
    );
    let mut buf = [0u8; 8];
    let out = isolate(&sandbox, &mut buf, |_| 0).unwrap();
    let Ended::SetupFailed(error) = out.ended else {
        panic!("not a setup failure: {out:?}");
    };
    assert_eq!(error.step, Step::Check);
    assert!(error.nothing_applied());
}

#[test]
fn a_panicking_function_ends_the_child_not_the_parent() {
    let mut buf = [0u8; 8];
    let out = isolate(&Sandbox::new(), &mut buf, |_| panic!("in the child")).unwrap();
    // Unwinding (tests are built with panic=unwind) stops at the child's
    // guard, which exits with 101.
    assert_eq!(out.ended, Ended::Exited(101));
}

#[test]
fn streaming_keeps_stdout_and_stderr_apart() {
    child::run_both("streaming_keeps_stdout_and_stderr_apart", || {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let out = isolate_streaming(
            &strict(),
            || {
                for i in 0..50u8 {
                    seclude::sys::write_all(1, &[b'a' + i % 26; 1000]).unwrap();
                    seclude::sys::write_all(2, b"e").unwrap();
                }
                7
            },
            |stream, bytes| match stream {
                Stream::Stdout => stdout.extend_from_slice(bytes),
                Stream::Stderr => stderr.extend_from_slice(bytes),
            },
        )
        .unwrap();
        assert_eq!(out.ended, Ended::Exited(7));
        assert_eq!(stdout.len(), 50_000);
        assert!(
            stdout
                .chunks(1000)
                .enumerate()
                .all(|(i, c)| c.iter().all(|&b| b == b'a' + (i % 26) as u8))
        );
        assert_eq!(stderr, vec![b'e'; 50]);
        0
    });
}

/// Byte `i` of the stream [`pattern`] yields, for checking a stream piece
/// by piece without holding it.
fn pattern_byte(i: usize) -> u8 {
    (i * 7 + i / 1024) as u8
}

/// One MiB: sixteen times a pipe's default capacity, and more than a Unix
/// socket buffers, so neither direction fits without the other moving.
const MIB: usize = 1 << 20;

/// Runs `f` under [`strict`] with `len` bytes of [`pattern`] as its input,
/// and checks that its output is `expected` bytes of [`pattern`] (what an
/// echo of all of it writes back). Before that, restores `SIGPIPE`'s default
/// action, which Rust's runtime had set to "ignore": a C or `no_std` caller
/// keeps the default, under which a write to a child that has gone would
/// kill the caller.
fn duplex_pattern(
    len: usize,
    expected: usize,
    f: fn(&mut InputReader, &mut ResultWriter) -> i32,
) -> IsolatedDuplex {
    // SAFETY: setting a signal's disposition to its default.
    assert_ne!(
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) },
        libc::SIG_ERR
    );
    // A deadlock (both sides waiting for the other) ends this test process
    // with SIGALRM, a failure, rather than hanging the test run. Every body
    // calling this runs in its own process (`child::run_both`).
    // SAFETY: alarm takes a number of seconds.
    unsafe { libc::alarm(60) };
    let mut given = 0;
    let mut received = 0;
    let mut first_wrong = None;
    let out = isolate_duplex(
        &strict(),
        f,
        |buf| {
            // Pieces of an odd size, so they straddle the child's reads.
            let n = buf.len().min(len - given).min(3000);
            for (i, slot) in buf[..n].iter_mut().enumerate() {
                *slot = pattern_byte(given + i);
            }
            given += n;
            n
        },
        |bytes| {
            for &b in bytes {
                if first_wrong.is_none() && b != pattern_byte(received) {
                    first_wrong = Some(received);
                }
                received += 1;
            }
        },
    )
    .unwrap();
    assert_eq!(first_wrong, None, "output differs from the pattern");
    assert_eq!(received, expected, "output length; {out:?}");
    out
}

/// In the child: copies input to output until the input ends.
fn echo(input: &mut InputReader, output: &mut ResultWriter) -> i32 {
    let mut buf = [0u8; 1000];
    loop {
        match input.read(&mut buf) {
            Ok(0) => return 0,
            Ok(n) => output.write(&buf[..n]).unwrap(),
            Err(_) => return 2,
        }
    }
}

#[test]
fn a_duplex_child_echoes_its_input() {
    child::run_both("a_duplex_child_echoes_its_input", || {
        let out = duplex_pattern(10_000, 10_000, echo);
        assert_eq!(out.ended, Ended::Exited(0));
        assert!(!out.input_refused);
        let report = out.report.expect("report");
        assert!(report.no_new_privs && report.pledge.is_some());
        0
    });
}

#[test]
fn a_mebibyte_each_way_streams_without_deadlock() {
    child::run_both("a_mebibyte_each_way_streams_without_deadlock", || {
        // Interleaved: every piece read is written back at once.
        let out = duplex_pattern(MIB, MIB, echo);
        assert_eq!(out.ended, Ended::Exited(0));
        assert!(!out.input_refused);
        // All output first, then all input: the parent must read a full
        // output while it still has input to send.
        let out = duplex_pattern(MIB, MIB, |input, output| {
            let mut buf = [0u8; 4096];
            for at in (0..MIB).step_by(buf.len()) {
                for (i, slot) in buf.iter_mut().enumerate() {
                    *slot = pattern_byte(at + i);
                }
                output.write(&buf).unwrap();
            }
            let mut at = 0;
            loop {
                match input.read(&mut buf) {
                    Ok(0) => return if at == MIB { 0 } else { 3 },
                    Ok(n) => {
                        if (0..n).any(|i| buf[i] != pattern_byte(at + i)) {
                            return 4;
                        }
                        at += n;
                    }
                    Err(_) => return 2,
                }
            }
        });
        assert_eq!(out.ended, Ended::Exited(0), "the child checks its input");
        assert!(!out.input_refused);
        0
    });
}

#[test]
fn a_child_that_dies_mid_stream_leaves_the_rest_of_its_input_unsent() {
    child::run_both(
        "a_child_that_dies_mid_stream_leaves_the_rest_of_its_input_unsent",
        || {
            // Killed by the pledge after echoing some of a mebibyte.
            let out = duplex_pattern(MIB, 5000, |input, output| {
                let mut buf = [0u8; 5000];
                let mut at = 0;
                while at < buf.len() {
                    match input.read(&mut buf[at..]) {
                        Ok(n @ 1..) => at += n,
                        _ => return 2,
                    }
                }
                output.write(&buf).unwrap();
                // stdio does not allow opening a file: killed here.
                let _ = fd::open(c"/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
                0
            });
            assert_eq!(out.ended, Ended::Violation);
            assert!(out.input_refused, "{out:?}");
            // Returning early, having read nothing.
            let out = duplex_pattern(MIB, 0, |_, _| 5);
            assert_eq!(out.ended, Ended::Exited(5));
            assert!(out.input_refused, "{out:?}");
            // The parent lives on (no SIGPIPE) and isolates again.
            let out = duplex_pattern(1000, 1000, echo);
            assert_eq!(out.ended, Ended::Exited(0));
            0
        },
    );
}

/// `isolate_io`: a `Read` streamed through a child into a `Write`, and a
/// writer that fails part-way (the error comes back once the child ended;
/// the child still gets all of its input and never blocks).
#[cfg(feature = "std")]
#[test]
fn isolate_io_streams_a_reader_through_the_child_into_a_writer() {
    child::run_both(
        "isolate_io_streams_a_reader_through_the_child_into_a_writer",
        || {
            use seclude::sandbox::isolate_io;
            let input: Vec<u8> = pattern(MIB).collect();
            let copy = |input: &mut InputReader, output: &mut ResultWriter| {
                std::io::copy(input, output).map_or(1, |n| if n == MIB as u64 { 0 } else { 2 })
            };
            let mut output = Vec::new();
            let out = isolate_io(&strict(), &input[..], &mut output, copy).unwrap();
            assert_eq!(out.ended, Ended::Exited(0));
            assert!(!out.input_refused);
            assert!(output == input, "output differs from the input");

            /// Takes 1000 bytes, then fails.
            struct Full(usize);
            impl std::io::Write for Full {
                fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                    if self.0 >= 1000 {
                        return Err(std::io::Error::other("full"));
                    }
                    let n = buf.len().min(1000 - self.0);
                    self.0 += n;
                    Ok(n)
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let err = isolate_io(&strict(), &input[..], Full(0), copy).unwrap_err();
            assert_eq!(err.to_string(), "full");
            0
        },
    );
}

/// Writes what the child sees into the result: its pid, its uid, and the
/// network interfaces in /proc/net/dev.
fn observe(w: &mut seclude::sandbox::ResultWriter) -> i32 {
    let pid = seclude::sys::getpid();
    let uid = seclude::sys::process::getuid();
    let _ = write!(w, "pid={pid} uid={uid} ifaces=");
    let mut buf = [0u8; 4096];
    if let Ok(dev) = fd::read_file(c"/proc/net/dev", &mut buf) {
        // Two header lines, then "  name: counters".
        for line in dev.split(|&b| b == b'\n').skip(2) {
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                let name = core::str::from_utf8(line[..colon].trim_ascii()).unwrap_or("?");
                let _ = write!(w, "{name},");
            }
        }
    }
    0
}

#[test]
fn an_isolated_function_is_pid_1_of_its_namespace() {
    child::run_both("an_isolated_function_is_pid_1_of_its_namespace", || {
        let sandbox = reading().namespaces(with_user(Namespaces::PID));
        let mut buf = [0u8; 256];
        let out = isolate(&sandbox, &mut buf, observe).unwrap();
        assert_eq!(out.ended, Ended::Exited(0), "{out:?}");
        let seen = core::str::from_utf8(out.result).unwrap();
        assert!(seen.starts_with("pid=1 uid=0 "), "{seen}");
        0
    });
}

#[test]
fn an_isolated_function_in_a_network_namespace_sees_only_lo() {
    child::run_both(
        "an_isolated_function_in_a_network_namespace_sees_only_lo",
        || {
            let mut buf = [0u8; 256];
            // Control: without a namespace the host's interfaces show (this
            // machine has more than lo), so the check below can fail.
            let host = isolate(&Sandbox::new(), &mut buf, observe).unwrap();
            let host = core::str::from_utf8(host.result).unwrap().to_owned();
            assert!(host.contains("ifaces=") && host != "ifaces=lo,", "{host}");
            let sandbox = reading().namespaces(with_user(Namespaces::NET));
            let out = isolate(&sandbox, &mut buf, observe).unwrap();
            let seen = core::str::from_utf8(out.result).unwrap();
            assert!(seen.ends_with("ifaces=lo,"), "{seen}");
            0
        },
    );
}

#[test]
fn isolate_creates_a_user_namespace_from_a_multithreaded_parent() {
    // The test harness is multithreaded; unshare(CLONE_NEWUSER) would be
    // EINVAL here, clone is not.
    let _other = std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1)));
    let sandbox = reading().namespaces(with_user(Namespaces::PID));
    let mut buf = [0u8; 256];
    let out = isolate(&sandbox, &mut buf, observe).unwrap();
    assert_eq!(out.ended, Ended::Exited(0), "{out:?}");
    assert!(out.result.starts_with(b"pid=1 uid=0 "));
}

static ROOT_PLAN: FsIsolation<'static, 8> = {
    let plan = FsIsolation::new().proc();
    let plan = match plan.bind_read_only(c"/usr") {
        Ok(p) => p,
        Err(_) => panic!("capacity"),
    };
    match plan.bind_read_only(c"/lib") {
        Ok(p) => p,
        Err(_) => panic!("capacity"),
    }
};

#[test]
fn everything_at_once_in_the_documented_order() {
    child::run_both("everything_at_once_in_the_documented_order", || {
        let mut unveil: Unveil<'_, 2> = Unveil::new();
        unveil.unveil(c"/usr", "r").unwrap();
        unveil.unveil(c"/proc", "r").unwrap();
        let sandbox = Sandbox::new()
            .namespaces(with_user(
                Namespaces::MOUNT
                    | Namespaces::PID
                    | Namespaces::NET
                    | Namespaces::IPC
                    | Namespaces::UTS
                    | Namespaces::CGROUP,
            ))
            .filesystem(&ROOT_PLAN)
            .unveil(&unveil)
            .privileges(Privileges::new())
            .pledge(Pledge::new(promises!("stdio rpath")).penalty(Penalty::errno(131)));
        let mut buf = [0u8; 4096];
        let out = isolate(&sandbox, &mut buf, |w| {
            observe(w);
            // Only the bind mounts (and /proc) in the new root.
            let mut status = [0u8; 4096];
            let etc = fd::open(c"/etc/passwd", O_RDONLY | O_CLOEXEC, 0).err();
            let _ = write!(w, " etc={etc:?}");
            let usr = fd::open(c"/usr/bin", O_RDONLY | O_CLOEXEC, 0).is_ok();
            let _ = write!(w, " usr={usr}");
            // Landlock: /lib is bound but not unveiled.
            let lib = fd::open(c"/lib", O_RDONLY | O_CLOEXEC, 0).err();
            let _ = write!(w, " lib={lib:?}");
            if let Ok(text) = fd::read_file(c"/proc/self/status", &mut status) {
                for line in text.split(|&b| b == b'\n') {
                    if line.starts_with(b"Cap") || line.starts_with(b"NoNewPrivs") {
                        let _ = write!(w, " {}", core::str::from_utf8(line).unwrap_or("?"));
                    }
                }
            }
            0
        })
        .unwrap();
        let seen = core::str::from_utf8(out.result).unwrap();
        assert_eq!(out.ended, Ended::Exited(0), "{out:?} {seen}");
        assert!(seen.starts_with("pid=1 uid=0 ifaces=lo,"), "{seen}");
        assert!(seen.contains(" etc=Some(ENOENT)"), "{seen}");
        assert!(seen.contains(" usr=true"), "{seen}");
        assert!(seen.contains(" lib=Some(EACCES)"), "{seen}");
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            assert!(
                seen.contains(&format!("{set}:\t0000000000000000")),
                "{set}: {seen}"
            );
        }
        assert!(seen.contains("NoNewPrivs:\t1"), "{seen}");
        let report = out.report.unwrap();
        assert!(report.filesystem && report.landlock.is_some() && report.pledge.is_some());
        0
    });
}

#[test]
fn apply_refuses_a_multithreaded_process_before_applying_anything() {
    child::run_both(
        "apply_refuses_a_multithreaded_process_before_applying_anything",
        || {
            // libtest runs this body on a thread of its own: two threads.
            let error = strict().apply().unwrap_err();
            assert_eq!(error.step, Step::Check, "{error}");
            assert!(
                matches!(error.cause, Cause::Multithreaded { threads: 2.. }),
                "{error}"
            );
            assert!(error.nothing_applied());
            // Really nothing: no no_new_privs, the files still open.
            assert!(!seclude::seccomp::no_new_privs().unwrap());
            assert!(std::fs::File::open("/etc/passwd").is_ok());
            0
        },
    );
}

#[test]
fn apply_sandboxes_a_single_threaded_process() {
    child::run_both("apply_sandboxes_a_single_threaded_process", || {
        sandbox_a_fork(|sandbox| sandbox.apply())
    });
}

#[test]
fn apply_single_threaded_sandboxes_a_fork_without_counting_threads() {
    child::run_both(
        "apply_single_threaded_sandboxes_a_fork_without_counting_threads",
        || {
            // SAFETY: `sandbox_a_fork` calls it in a fork's child.
            sandbox_a_fork(|sandbox| unsafe { sandbox.apply_single_threaded() })
        },
    );
}

/// Forks, applies a sandbox (a network namespace, no capabilities, a
/// pledge) in the child with `apply`, and checks from the child that each
/// part holds: 0, or the number of the check that failed.
fn sandbox_a_fork(
    apply: fn(
        &Sandbox<'_>,
    ) -> Result<seclude::sandbox::SandboxReport, seclude::sandbox::SandboxError>,
) -> i32 {
    use seclude::sys::process::{ExitStatus, Forked, fork, wait};
    {
        // A fork has one thread; it uses raw calls only until it exits.
        match unsafe { fork(0) }.unwrap() {
            Forked::Child => {
                let sandbox = Sandbox::new()
                    .namespaces(with_user(Namespaces::NET))
                    .pledge(Pledge::new(promises!("stdio rpath")).penalty(Penalty::errno(131)));
                let report = match apply(&sandbox) {
                    Ok(report) => report,
                    Err(_) => seclude::sys::exit_group(10),
                };
                if report.threads != Some(1) || report.pledge.is_none() {
                    seclude::sys::exit_group(11);
                }
                let mut buf = [0u8; 4096];
                let status = fd::read_file(c"/proc/self/status", &mut buf).unwrap_or(b"");
                let empty = b"CapEff:\t0000000000000000";
                if !status.windows(empty.len()).any(|w| w == empty) {
                    seclude::sys::exit_group(12);
                }
                let dev = fd::read_file(c"/proc/net/dev", &mut buf).unwrap_or(b"");
                if dev
                    .split(|&b| b == b'\n')
                    .filter(|l| l.contains(&b':'))
                    .count()
                    != 1
                {
                    seclude::sys::exit_group(13);
                }
                // The pledge holds: no writing open.
                if fd::open(c"/tmp/seclude-x", fd::O_WRONLY | fd::O_CREAT, 0o600).err()
                    != seclude::Errno::new(131)
                {
                    seclude::sys::exit_group(14);
                }
                seclude::sys::exit_group(0);
            }
            Forked::Parent(pid) => match wait(pid).unwrap() {
                ExitStatus::Exited(code) => code,
                other => panic!("{other:?}"),
            },
        }
    }
}

#[test]
fn an_isolated_child_closes_inherited_descriptors_unless_kept() {
    child::run_both(
        "an_isolated_child_closes_inherited_descriptors_unless_kept",
        || {
            // A descriptor of the parent's (another isolation's pipe, say).
            let (inherited, _w) = fd::pipe().unwrap();
            let number = inherited.raw();
            let probe = |w: &mut seclude::sandbox::ResultWriter, fd: i32| {
                // dup3 onto a spare number fails (EBADF) when fd is closed.
                let open = seclude::sys::fd::dup2(fd, 900).is_ok();
                let _ = write!(w, "{open}");
                0
            };
            let mut buf = [0u8; 8];
            let out = isolate(&Sandbox::new(), &mut buf, |w| probe(w, number)).unwrap();
            assert_eq!(out.result, b"false", "{out:?}");
            let keep = [number];
            let sandbox = Sandbox::new().privileges(Privileges::new().close_fds_except(&keep));
            let out = isolate(&sandbox, &mut buf, |w| probe(w, number)).unwrap();
            assert_eq!(out.result, b"true", "{out:?}");
            0
        },
    );
}

#[test]
fn the_isolated_function_cannot_reach_the_status_page() {
    child::run_both("the_isolated_function_cannot_reach_the_status_page", || {
        let mut buf = [0u8; 8];
        let out = isolate(&Sandbox::new(), &mut buf, |w| {
            // The status page is the only shared anonymous mapping
            // (/dev/zero, deleted) the child had; it must be gone.
            let mut maps = [0u8; 65536];
            let Ok(text) = fd::read_file(c"/proc/self/maps", &mut maps) else {
                return 2;
            };
            let shared = text
                .split(|&b| b == b'\n')
                .filter(|l| l.windows(4).any(|x| x == b"rw-s") && l.ends_with(b"(deleted)"))
                .count();
            let _ = write!(w, "{shared}");
            0
        })
        .unwrap();
        assert_eq!(out.ended, Ended::Exited(0), "{out:?}");
        assert_eq!(out.result, b"0");
        0
    });
}
