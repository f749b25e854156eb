//! seclude's checks inside a real kernel, for `.ci/vm-matrix.sh`.
//!
//! The matrix boots Debian's kernels under qemu-system with this program,
//! busybox and the static `seclude` command in an initramfs; its `/init`
//! runs `vm-check checks --landlock-abi N [--x32]` and powers off. Every
//! check runs in a fresh child, once as root and once as uid 65534 with no
//! capabilities, and prints `pass NAME [MODE]: what it saw` or
//! `FAIL NAME [MODE]: why`; the last line is `N passed, N failed`.
//!
//! Other first arguments are helpers the checks run as programs:
//! `true` (exit 0), `exec-probe` (after an exec under execpromises: may it
//! still open a file?), `memfd-probe` (can it run itself from a memfd?)
//! and `x32-probe` (x32 system calls from a 64-bit process).

mod harness;
mod landlock;

use harness::{Ended, Env, Results, Tally, c, errno, errno_name, in_child, run};
use seclude::bpf::Action;
use seclude::pledge::{Penalty, Pledge};
use seclude::promises;
use seclude::seccomp::{self, FilterFlags, Policy};
use seclude::tables::{Abi, Syscall};

/// An errno no kernel path below returns, so that a refusal by a filter is
/// told apart from the kernel's own EPERM.
const FILTER_ERRNO: i32 = 131; // ENOTRECOVERABLE
const SIGSYS: i32 = 31;
/// A file every mode may read (written by `setup`).
const DATA: &str = "/etc/vm/data";
const DATA_TEXT: &str = "seclude vm data\n";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = match args.get(1).map(String::as_str) {
        Some("true") => 0,
        Some("exec-probe") => exec_probe(),
        Some("memfd-probe") => memfd_probe(),
        Some("x32-probe") => x32_probe(),
        Some("checks") => checks(&args[2..]),
        _ => {
            eprintln!(
                "usage: vm-check checks --landlock-abi N [--x32] [--only PREFIX] | true | exec-probe | x32-probe"
            );
            64
        }
    };
    std::process::exit(code);
}

fn checks(args: &[String]) -> i32 {
    let mut env = Env {
        mode: harness::Mode::Root,
        landlock_abi: 0,
        x32: false,
    };
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--landlock-abi" => {
                env.landlock_abi = it.next().and_then(|v| v.parse().ok()).unwrap_or(0)
            }
            "--x32" => env.x32 = true,
            "--only" => only = it.next().cloned(),
            other => {
                eprintln!("vm-check: unknown argument {other}");
                return 64;
            }
        }
    }
    if let Err(e) = setup() {
        println!("FAIL setup: {e}");
        println!("0 passed, 1 failed");
        return 1;
    }
    let mut t = Tally {
        only,
        ..Tally::default()
    };
    // SAFETY: uname fills the struct.
    let release = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        libc::uname(&mut u);
        std::ffi::CStr::from_ptr(u.release.as_ptr())
            .to_string_lossy()
            .into_owned()
    };
    println!(
        "kernel {release} ({}), expecting Landlock ABI {}",
        Abi::NATIVE.name(),
        env.landlock_abi
    );

    t.check(&env, "seccomp.allow-errno", seccomp_allow_errno);
    t.check(&env, "seccomp.kill", seccomp_kill);
    t.check(&env, "seccomp.trap", seccomp_trap);
    t.check(&env, "pledge.workload", pledge_workload);
    t.check(&env, "pledge.report", pledge_report);
    t.check(&env, "pledge.report-kill", pledge_report_kill);
    t.check(&env, "pledge.exec-gate", pledge_exec_gate);
    t.check(&env, "pledge.memfd", pledge_memfd);
    t.check(&env, "landlock.abi", landlock::abi);
    t.check(&env, "landlock.levels", landlock::levels);
    t.check(&env, "landlock", landlock::probes);
    t.check(&env, "unveil", landlock::unveil);
    t.check(&env, "namespaces", namespaces);
    t.check(&env, "privileges", privileges);
    t.check(&env, "isolate", isolate);
    t.check(&env, "command.static", command_static);
    t.check(&env, "command.dynamic", command_dynamic);
    t.check(&env, "command.execpromises", command_execpromises);
    t.check(&env, "command.memfd", command_memfd);
    if cfg!(target_arch = "x86_64") {
        t.check(&env, "x32", x32);
    }
    println!("{} passed, {} failed", t.passed, t.failed);
    i32::from(t.failed > 0)
}

/// A file to read, and /tmp for every mode.
fn setup() -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all("/etc/vm").map_err(|e| e.to_string())?;
    std::fs::write(DATA, DATA_TEXT).map_err(|e| e.to_string())?;
    std::fs::create_dir_all("/tmp").map_err(|e| e.to_string())?;
    std::fs::set_permissions("/tmp", std::fs::Permissions::from_mode(0o1777))
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn load(policy: &Policy<16>) -> Result<(), String> {
    let program = seccomp::compile::<16, 4096>(policy).map_err(|e| format!("compile: {e:?}"))?;
    seccomp::load(program.instructions(), FilterFlags::empty())
        .map_err(|e| format!("load: {e:?}"))?;
    Ok(())
}

fn raw(call: Syscall) -> i64 {
    let nr = Abi::NATIVE.number(call).expect("native call") as i64;
    // SAFETY: argument-free calls.
    unsafe { libc::syscall(nr) }
}

/// An allow list: the listed calls work, any other gets the filter's errno.
fn seccomp_allow_errno(_: &Env, results: &mut Results) -> Result<String, String> {
    let policy = Policy::new(Action::Errno(FILTER_ERRNO as u16)).allow_all(&[
        Syscall::read,
        Syscall::write,
        Syscall::close,
        Syscall::exit,
        Syscall::exit_group,
        Syscall::getpid,
        Syscall::rt_sigreturn,
        Syscall::munmap,
        Syscall::futex,
    ]);
    load(&policy)?;
    let pid = raw(Syscall::getpid);
    results.record("allow", pid > 0, &format!("getpid returned {pid}"));
    let ppid = raw(Syscall::getppid);
    let e = errno();
    results.record(
        "errno",
        ppid == -1 && e == FILTER_ERRNO,
        &format!("getppid returned {ppid} ({})", errno_name(e)),
    );
    Ok(String::new())
}

fn seccomp_kill(_: &Env, _: &mut Results) -> Result<String, String> {
    let (ended, out) = in_child(|| {
        if let Err(e) =
            load(&Policy::new(Action::Allow).action(Syscall::getppid, Action::KillProcess))
        {
            println!("{e}");
            return 2;
        }
        raw(Syscall::getppid);
        0
    });
    if ended != Ended::Signaled(SIGSYS) {
        return Err(format!("the child {ended}, not killed by SIGSYS: {out}"));
    }
    Ok("getppid killed the process with SIGSYS".into())
}

static TRAPPED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

extern "C" fn on_sigsys(_: i32, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: for SIGSYS the kernel puts si_syscall at offset 24 (64-bit).
    let nr = unsafe { std::ptr::read((info as *const u8).add(24) as *const i32) };
    TRAPPED.store(nr, std::sync::atomic::Ordering::SeqCst);
}

fn seccomp_trap(_: &Env, _: &mut Results) -> Result<String, String> {
    // SAFETY: a handler that only stores an integer.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = on_sigsys as *const () as usize;
        act.sa_flags = libc::SA_SIGINFO;
        if libc::sigaction(libc::SIGSYS, &act, std::ptr::null_mut()) != 0 {
            return Err("sigaction failed".into());
        }
    }
    load(&Policy::new(Action::Allow).action(Syscall::getppid, Action::Trap(7)))?;
    raw(Syscall::getppid);
    let nr = TRAPPED.load(std::sync::atomic::Ordering::SeqCst);
    let want = Abi::NATIVE.number(Syscall::getppid).unwrap() as i32;
    if nr != want {
        return Err(format!(
            "the SIGSYS handler saw syscall {nr}, expected getppid ({want})"
        ));
    }
    Ok(format!("SIGSYS delivered for getppid ({want})"))
}

fn refused<T>(r: std::io::Result<T>) -> bool {
    matches!(r, Err(e) if e.raw_os_error() == Some(FILTER_ERRNO))
}

/// A reader's work under "stdio rpath": reading and listing work; writing,
/// creating, networking and forking are refused.
fn pledge_workload(_: &Env, results: &mut Results) -> Result<String, String> {
    Pledge::new(promises!("stdio rpath"))
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .map_err(|e| format!("pledge: {e:?}"))?;
    let read = std::fs::read_to_string(DATA);
    results.record(
        "read",
        read.as_deref().ok() == Some(DATA_TEXT),
        &format!("{DATA}: {read:?}"),
    );
    let listed = std::fs::read_dir("/etc/vm").map(|d| d.count());
    results.record(
        "list",
        matches!(listed, Ok(1)),
        &format!("/etc/vm entries: {listed:?}"),
    );
    let meta = std::fs::metadata("/etc/vm/data").map(|m| m.len());
    results.record("stat", meta.is_ok(), &format!("{meta:?}"));
    let created = std::fs::File::create("/tmp/pledge-created");
    results.record(
        "create-refused",
        refused(created),
        "File::create refused with the filter's errno",
    );
    let connected = std::net::TcpStream::connect("127.0.0.1:9");
    results.record(
        "socket-refused",
        refused(connected),
        "TcpStream::connect refused",
    );
    // SAFETY: a fork whose child exits at once, if it happens at all.
    let forked = unsafe { libc::fork() };
    if forked == 0 {
        // SAFETY: leaves at once.
        unsafe { libc::_exit(0) };
    }
    let e = errno();
    results.record(
        "fork-refused",
        forked == -1 && e == FILTER_ERRNO,
        &format!("fork returned {forked} ({})", errno_name(e)),
    );
    Ok("stdio rpath".into())
}

/// Report mode: the message names the call and the promise.
fn pledge_report(_: &Env, _: &mut Results) -> Result<String, String> {
    let (ended, out) = in_child(|| {
        if let Err(e) = Pledge::new(promises!("stdio"))
            .penalty(Penalty::EPERM.reported())
            .apply()
        {
            println!("pledge: {e:?}");
            return 2;
        }
        match std::fs::File::open(DATA) {
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => 0,
            other => {
                println!("open: {other:?}");
                3
            }
        }
    });
    // openat (glibc) or open (musl): the message names the call made.
    let named = out.contains("seclude: openat denied; ") || out.contains("seclude: open denied; ");
    if ended != Ended::Exited(0) || !named || !out.contains("; promise \"rpath\" would allow it") {
        return Err(format!("the child {ended}; it wrote {out:?}"));
    }
    Ok(format!("EPERM and {:?}", out.trim()))
}

/// A reported kill: the message, then death by SIGSYS.
fn pledge_report_kill(_: &Env, _: &mut Results) -> Result<String, String> {
    let (ended, out) = in_child(|| {
        if let Err(e) = Pledge::new(promises!("stdio"))
            .penalty(Penalty::KILL_PROCESS.reported())
            .apply()
        {
            println!("pledge: {e:?}");
            return 2;
        }
        let _ = std::fs::create_dir("/tmp/never");
        3
    });
    // mkdir, or mkdirat where there is no mkdir (AArch64).
    let named =
        out.contains("seclude: mkdir denied; ") || out.contains("seclude: mkdirat denied; ");
    if ended != Ended::Signaled(SIGSYS)
        || !named
        || !out.contains("; promise \"cpath\" would allow it")
    {
        return Err(format!("the child {ended}; it wrote {out:?}"));
    }
    Ok(format!("{:?}, then SIGSYS", out.trim()))
}

/// execpromises without "exec": the staged exec filter refuses execve,
/// except the exec gate's own, which runs the program under the
/// execpromises alone.
fn pledge_exec_gate(_: &Env, _: &mut Results) -> Result<String, String> {
    Pledge::new(promises!("stdio rpath proc exec"))
        .execpromises(promises!("stdio"))
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .map_err(|e| format!("pledge: {e:?}"))?;
    let argv = [
        c"/vm-check".as_ptr(),
        c"exec-probe".as_ptr(),
        std::ptr::null(),
    ];
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    // Any exec but the gate's is refused (libc's execve here).
    let (ended, out) = in_child(|| {
        // SAFETY: NULL-terminated arrays of C strings.
        unsafe { libc::execve(c"/vm-check".as_ptr(), argv.as_ptr(), envp.as_ptr()) };
        if errno() == FILTER_ERRNO { 0 } else { 1 }
    });
    if ended != Ended::Exited(0) {
        return Err(format!(
            "libc's execve was not refused: the child {ended}: {}",
            out.trim()
        ));
    }
    let (ended, out) = in_child(|| {
        // SAFETY: NULL-terminated arrays of C strings.
        let e = unsafe {
            seclude::pledge::execve(c"/vm-check", argv.as_ptr().cast(), envp.as_ptr().cast())
        };
        println!("pledge::execve: {e:?}");
        1
    });
    if ended != Ended::Exited(0) || !out.contains("exec-probe: open refused") {
        return Err(format!("the program {ended}: {}", out.trim()));
    }
    Ok(format!(
        "libc's execve refused; through the gate, under \"stdio\": {}",
        out.trim()
    ))
}

const MFD_CLOEXEC: u32 = 0x1;
const MFD_NOEXEC_SEAL: u32 = 0x8;

/// Whether this kernel has `MFD_NOEXEC_SEAL` (Linux 6.3), asked before
/// any filter (a backport counts).
fn has_noexec_seal() -> bool {
    let fd = memfd_create(MFD_CLOEXEC | MFD_NOEXEC_SEAL);
    if fd < 0 {
        return false;
    }
    // SAFETY: our own descriptor.
    unsafe { libc::close(fd) };
    true
}

fn memfd_create(flags: u32) -> i32 {
    let nr = Abi::NATIVE
        .number(Syscall::memfd_create)
        .expect("memfd_create") as i64;
    // SAFETY: a NUL-terminated name and integer flags.
    unsafe { libc::syscall(nr, c"vm-check".as_ptr(), flags) as i32 }
}

/// Under `exec`, a memfd must be sealed non-executable: one without the
/// seal is refused by the filter; a sealed one is made (Linux 6.3) and
/// cannot be executed (`EACCES`), or the kernel has no seal (`EINVAL`).
fn pledge_memfd(_: &Env, _: &mut Results) -> Result<String, String> {
    let sealed = has_noexec_seal();
    Pledge::new(promises!("stdio rpath exec"))
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .map_err(|e| format!("pledge: {e:?}"))?;
    if memfd_create(MFD_CLOEXEC) != -1 || errno() != FILTER_ERRNO {
        return Err(format!(
            "memfd_create(MFD_CLOEXEC) not refused: {}",
            errno_name(errno())
        ));
    }
    let fd = memfd_create(MFD_CLOEXEC | MFD_NOEXEC_SEAL);
    if !sealed {
        return if fd == -1 && errno() == libc::EINVAL {
            Ok("unsealed refused; sealed: EINVAL (no MFD_NOEXEC_SEAL before 6.3)".into())
        } else {
            Err(format!("sealed: fd {fd}, {}", errno_name(errno())))
        };
    }
    if fd < 0 {
        return Err(format!("sealed: {}", errno_name(errno())));
    }
    let code = std::fs::read("/vm-check").map_err(|e| format!("reading /vm-check: {e}"))?;
    // SAFETY: our descriptor and a live buffer of the length given.
    if unsafe { libc::write(fd, code.as_ptr().cast(), code.len()) } != code.len() as isize {
        return Err(format!("write: {}", errno_name(errno())));
    }
    let path = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).unwrap();
    let argv = [c"/vm-check".as_ptr(), c"true".as_ptr(), std::ptr::null()];
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    // SAFETY: NULL-terminated arrays of C strings.
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    if errno() != libc::EACCES {
        return Err(format!(
            "execve of the sealed memfd: {}",
            errno_name(errno())
        ));
    }
    Ok("unsealed refused; sealed made, its execve EACCES".into())
}

/// Run by `command.memfd` under seclude: writes itself into a memfd made
/// as C libraries make them (`MFD_CLOEXEC`) and executes it.
fn memfd_probe() -> i32 {
    let fd = memfd_create(MFD_CLOEXEC);
    if fd < 0 {
        println!("memfd_create: {}", errno_name(errno()));
        return 0;
    }
    let Ok(code) = std::fs::read("/vm-check") else {
        println!("reading /vm-check failed");
        return 1;
    };
    // SAFETY: our descriptor and a live buffer of the length given.
    if unsafe { libc::write(fd, code.as_ptr().cast(), code.len()) } != code.len() as isize {
        println!("write: {}", errno_name(errno()));
        return 1;
    }
    let path = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).unwrap();
    let argv = [c"/vm-check".as_ptr(), c"true".as_ptr(), std::ptr::null()];
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    // SAFETY: NULL-terminated arrays of C strings.
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    println!("execve: {}", errno_name(errno()));
    0
}

/// seclude makes the memfd a program asks for under `exec` sealed: its
/// exec fails with `EACCES`; before Linux 6.3 memfd_create fails with
/// `EINVAL`, reported.
fn command_memfd(_: &Env, results: &mut Results) -> Result<String, String> {
    let sealed = has_noexec_seal();
    let (ended, stdout, stderr) = run(&[
        "/seclude",
        "-p",
        "stdio rpath exec",
        "--",
        "/vm-check",
        "memfd-probe",
    ])?;
    let (want, report) = if sealed {
        ("execve: EACCES\n", "")
    } else {
        (
            "memfd_create: EINVAL\n",
            "memfd_create refused (EINVAL): under \"exec\" a memfd needs MFD_NOEXEC_SEAL",
        )
    };
    results.record(
        "sealed",
        ended == Ended::Exited(0) && stdout == want && stderr.contains(report),
        &format!("{ended}, printed {stdout:?} {}", stderr.trim()),
    );
    Ok(String::new())
}

/// After an exec under execpromises "stdio": opening a file is refused.
fn exec_probe() -> i32 {
    match std::fs::File::open(DATA) {
        Err(e) if e.raw_os_error() == Some(FILTER_ERRNO) => {
            println!("exec-probe: open refused");
            0
        }
        other => {
            println!("exec-probe: open {other:?}");
            1
        }
    }
}

fn namespaces(_: &Env, results: &mut Results) -> Result<String, String> {
    use seclude::ns::{IdMapping, NamespaceRequest, Namespaces, unshare};
    let request = NamespaceRequest::new(
        Namespaces::USER
            | Namespaces::MOUNT
            | Namespaces::NET
            | Namespaces::UTS
            | Namespaces::IPC
            | Namespaces::PID,
    )
    .id_mapping(IdMapping::Root)
    .loopback_up(true)
    .hostname("vm-sandbox");
    let report = unshare(&request).map_err(|e| format!("unshare: {e}"))?;
    // SAFETY: plain calls.
    let uid = unsafe { libc::getuid() };
    results.record(
        "root-inside",
        uid == 0,
        &format!("uid {uid} inside the user namespace"),
    );
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: u is ours.
    unsafe { libc::uname(&mut u) };
    // SAFETY: uname NUL-terminates.
    let host = unsafe { std::ffi::CStr::from_ptr(u.nodename.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    results.record(
        "hostname",
        host == "vm-sandbox",
        &format!("hostname {host}"),
    );
    results.record(
        "loopback",
        report.loopback_up,
        &format!("lo up: {}", report.loopback_up),
    );
    let (ended, out) = in_child(|| {
        // SAFETY: plain call.
        println!("{}", unsafe { libc::getpid() });
        0
    });
    results.record(
        "pid-1",
        ended == Ended::Exited(0) && out.trim() == "1",
        &format!("first child's pid {}", out.trim()),
    );
    Ok(format!("{:?}", report.created))
}

fn privileges(env: &Env, results: &mut Results) -> Result<String, String> {
    use seclude::privileges::Privileges;
    let p = Privileges::new().user(harness::NOBODY, harness::NOBODY);
    let report = p.apply().map_err(|e| format!("{e}"))?;
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:\t")).map(str::to_string))
            .unwrap_or_default()
    };
    let zero = |v: String| v.trim_start_matches('0').is_empty();
    let caps_gone = ["CapInh", "CapPrm", "CapEff", "CapAmb"]
        .iter()
        .all(|f| zero(field(f)));
    results.record(
        "caps",
        caps_gone,
        &format!("CapEff {} CapPrm {}", field("CapEff"), field("CapPrm")),
    );
    // Only root can empty the bounding set (CAP_SETPCAP).
    let bounding = field("CapBnd");
    let bounding_ok = env.mode == harness::Mode::User || zero(bounding.clone());
    results.record("bounding", bounding_ok, &format!("CapBnd {bounding}"));
    let ids = field("Uid");
    results.record(
        "ids",
        ids.split_whitespace().all(|u| u == "65534")
            && field("Gid").split_whitespace().all(|g| g == "65534"),
        &format!("Uid {ids}"),
    );
    let _ = report;
    Ok(String::new())
}

fn isolate(_: &Env, results: &mut Results) -> Result<String, String> {
    use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
    use seclude::sandbox::{Ended as IsoEnded, Sandbox, isolate};
    use std::fmt::Write as _;
    let sandbox = Sandbox::new()
        .namespaces(
            NamespaceRequest::new(Namespaces::USER | Namespaces::PID | Namespaces::NET)
                .id_mapping(IdMapping::Root),
        )
        .pledge(Pledge::new(promises!("stdio")).penalty(Penalty::KILL_PROCESS));
    let mut buf = [0u8; 64];
    let out = isolate(&sandbox, &mut buf, |w| {
        let _ = write!(w, "pid {}", seclude::sys::getpid());
        0
    })
    .map_err(|e| format!("isolate: {e}"))?;
    results.record(
        "result",
        out.ended == IsoEnded::Exited(0) && out.result == b"pid 1",
        &format!(
            "{:?}, wrote {:?}",
            out.ended,
            String::from_utf8_lossy(out.result)
        ),
    );
    let out = isolate(&sandbox, &mut buf, |_| {
        let _ = seclude::sys::fd::open(c"/etc/vm/data", seclude::sys::fd::O_RDONLY, 0);
        0
    })
    .map_err(|e| format!("isolate: {e}"))?;
    results.record(
        "violation",
        out.ended == IsoEnded::Violation,
        &format!("an open under stdio: {:?}", out.ended),
    );
    Ok(String::new())
}

/// The static command confining a static program (busybox).
fn command_static(_: &Env, results: &mut Results) -> Result<String, String> {
    let (ended, stdout, stderr) = run(&[
        "/seclude",
        "-p",
        "stdio rpath",
        "-v",
        "r:/etc/vm",
        "--",
        "/bin/busybox",
        "cat",
        DATA,
    ])?;
    results.record(
        "allowed",
        ended == Ended::Exited(0) && stdout == DATA_TEXT,
        &format!("cat {ended}, printed {stdout:?} {stderr}"),
    );
    let target = format!("{}/made", harness::scratch("cmd")?);
    let (ended, _, stderr) = run(&[
        "/seclude",
        "-p",
        "stdio rpath",
        "--",
        "/bin/busybox",
        "mkdir",
        &target,
    ])?;
    // mkdir (mkdirat on AArch64): refused by the promises alone, so
    // seclude names the promise.
    let reported = ["mkdir", "mkdirat"].iter().any(|call| {
        stderr.contains(&format!(
            ": {call} refused (EPERM); promise \"cpath\" would allow it"
        ))
    });
    results.record(
        "refused",
        ended != Ended::Exited(0) && reported && !std::path::Path::new(&target).exists(),
        &format!("mkdir {ended}: {}", stderr.trim()),
    );
    Ok(String::new())
}

/// execpromises (`-e`): the started shell and its subshell read with
/// `rpath`; the `cat` it executes holds only the execpromises and is
/// refused, and says so.
fn command_execpromises(_: &Env, results: &mut Results) -> Result<String, String> {
    let script = format!(
        "read -r l < {DATA} && echo first; (read -r l < {DATA} && echo fork); /bin/busybox cat {DATA}; echo cat=$?"
    );
    let (ended, stdout, stderr) = run(&[
        "/seclude",
        "-p",
        "stdio rpath proc exec",
        "-e",
        "stdio proc exec",
        "-v",
        "r:/etc/vm",
        "-v",
        "rx:/bin/busybox",
        "--",
        "/bin/busybox",
        "sh",
        "-c",
        &script,
    ])?;
    results.record(
        "executed-holds-less",
        ended == Ended::Exited(0)
            && stdout == "first\nfork\ncat=1\n"
            && stderr.contains("it holds the execpromises"),
        &format!("{ended}, printed {stdout:?} {}", stderr.trim()),
    );
    Ok(String::new())
}

/// A dynamically linked program: the loader gets its allowance until the
/// marker, then only the promises hold ("stdio" cannot open the file).
fn command_dynamic(_: &Env, results: &mut Results) -> Result<String, String> {
    let cat = "/usr/bin/cat";
    let (ended, stdout, stderr) = run(&[
        "/seclude",
        "-p",
        "stdio rpath",
        "-v",
        "r:/etc/vm",
        "--",
        cat,
        DATA,
    ])?;
    results.record(
        "loads-and-reads",
        ended == Ended::Exited(0) && stdout == DATA_TEXT && !stderr.contains("warning"),
        &format!("{cat} {ended}, printed {stdout:?} {}", stderr.trim()),
    );
    let (ended, _, stderr) = run(&["/seclude", "-p", "stdio", "--", cat, DATA])?;
    results.record(
        "marker-ends-allowance",
        ended != Ended::Exited(0)
            && stderr.contains("openat refused (EPERM); promise \"rpath\" would allow it")
            && !stderr.contains("warning"),
        &format!("loaded under stdio alone, then {ended}: {}", stderr.trim()),
    );
    Ok(String::new())
}

/// x32 system calls from this 64-bit process: prints one line per call and
/// exits 0 if all succeeded, 10 if all failed, 20 if mixed.
fn x32_probe() -> i32 {
    let calls = [
        (
            Syscall::openat,
            [
                libc::AT_FDCWD as i64,
                c(DATA).into_raw() as i64,
                libc::O_RDONLY as i64,
            ],
        ),
        (
            Syscall::socket,
            [libc::AF_INET as i64, libc::SOCK_STREAM as i64, 0],
        ),
    ];
    let mut succeeded = 0;
    for (call, args) in calls {
        let nr = Abi::X32.number(call).expect("x32 call") as i64;
        // SAFETY: openat with a valid path, socket with integers.
        let ret = unsafe { libc::syscall(nr, args[0], args[1], args[2]) };
        if ret >= 0 {
            succeeded += 1;
            println!("x32 {}: fd {ret}", call.name());
        } else {
            println!("x32 {}: {}", call.name(), errno_name(errno()));
        }
    }
    match succeeded {
        2 => 0,
        0 => 10,
        _ => 20,
    }
}

/// The x32 bypass: the calls work without a filter (the control), and every
/// filter seclude builds refuses them.
fn x32(env: &Env, results: &mut Results) -> Result<String, String> {
    if !env.x32 {
        return Err("this kernel was not booted with syscall.x32=y".into());
    }
    let (ended, out) = in_child(x32_probe);
    results.record(
        "control",
        ended == Ended::Exited(0),
        &format!("unfiltered: {}", out.trim().replace('\n', "; ")),
    );
    let refused = |ended: Ended| matches!(ended, Ended::Exited(10) | Ended::Signaled(SIGSYS));
    let (ended, out) = in_child(|| {
        if load(&Policy::new(Action::Allow).action(Syscall::getppid, Action::Errno(1))).is_err() {
            return 2;
        }
        x32_probe()
    });
    results.record(
        "policy",
        refused(ended),
        &format!(
            "under a native allow-by-default Policy: {ended} {}",
            out.trim().replace('\n', "; ")
        ),
    );
    let (ended, out) = in_child(|| {
        if Pledge::new(promises!("stdio rpath inet")).apply().is_err() {
            return 2;
        }
        x32_probe()
    });
    results.record(
        "pledge",
        refused(ended),
        &format!(
            "under pledge \"stdio rpath inet\": {ended} {}",
            out.trim().replace('\n', "; ")
        ),
    );
    let (ended, stdout, stderr) = run(&[
        "/seclude",
        "-q",
        "-p",
        "stdio rpath inet",
        "--",
        "/vm-check",
        "x32-probe",
    ])?;
    // Killed by the filter (SIGSYS, 128 + 31), not failed for another
    // reason before the probe ran.
    let command_refused = !stdout.contains("fd ") && ended == Ended::Exited(159);
    results.record(
        "command",
        command_refused,
        &format!(
            "under seclude -p 'stdio rpath inet': {ended} {} {}",
            stdout.trim().replace('\n', "; "),
            stderr.trim()
        ),
    );
    Ok(String::new())
}
