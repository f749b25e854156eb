//! Starting a program under a filter whose refused calls come to seclude
//! (seccomp user notifications), and answering them until it ends.
//!
//! How the listener reaches seclude: the child is created with
//! `CLONE_FILES`, so until it executes the program it shares seclude's
//! descriptor table, and the listener its filter returns is already
//! seclude's (the exec gives the program a private copy, where the
//! listener, close-on-exec, is closed). Passing it over a socket would
//! need a system call after the filter is installed, which the filter
//! would hand to a supervisor that does not have the listener yet. The
//! child says where it is through a shared page, with plain stores.
//!
//! Which process is where: the child before its exec is seclude's own
//! code (`Starting`: everything continues); a dynamically linked program
//! is `Loading` from its exec until its [marker](crate::marker) call, then
//! `Loaded`; a process seclude has not seen exec (a fork, a thread) is
//! `Loaded`, the strict answer.

use crate::cli::Failure;
use crate::elf;
use crate::exit;
use crate::marker::{MARKER_ARG, MARKER_OPTION};
use seclude::Errno;
use seclude::bpf::Instruction;
use seclude::seccomp::notify::{self, Notification, Response};
use seclude::seccomp::{FilterFlags, load};
use seclude::sys::fd::{OwnedFd, POLLHUP, POLLIN, PollFd, poll};
use seclude::sys::process::{self, ExitStatus, Forked};
use seclude::tables::{Abi, Syscall};
use std::collections::HashMap;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

/// Where a process is, for the loader's allowance.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// The loader (and the initializers of the libraries loaded before
    /// the marker) runs.
    Loading,
    /// The program's own code runs.
    Loaded,
}

/// What the handler decides for a notified call.
pub struct Verdict {
    /// The answer.
    pub response: Response,
    /// Kill the calling process (`-k`).
    pub kill: bool,
}

/// The program to start: its path, arguments and environment, the clone
/// flags of its namespaces, and the filter (self-pid still unpatched).
pub struct Launch {
    pub path: CString,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    pub clone_flags: u64,
    pub filter: Vec<Instruction>,
    /// Whether a loader runs first (its exec starts in [`Phase::Loading`]).
    pub dynamic: bool,
}

/// How the program ended.
pub enum Ended {
    /// It ran: its status, whether seclude killed it for a refused call,
    /// and whether it never reached its marker although it had a loader.
    Ran {
        status: ExitStatus,
        killed_for_violation: bool,
        never_loaded: bool,
    },
    /// Setting up the sandbox, or the exec itself, failed (already
    /// explained by the failure).
    Failed(Failure),
}

/// The page the child writes its progress to.
#[repr(C)]
struct Handoff {
    /// One of the `STATE_*` values, written last (release).
    state: AtomicU32,
    listener: AtomicI32,
    code: AtomicU32,
    len: AtomicU32,
    message: [u8; 2048],
}

// State 0: the child is still setting up.
const STATE_LISTENING: u32 = 1;
const STATE_FAILED: u32 = 2;

impl Handoff {
    /// A shared anonymous page (shared with the child across the fork).
    fn map() -> Result<&'static mut Handoff, Failure> {
        const PROT_READ_WRITE: usize = 0x1 | 0x2;
        const MAP_SHARED_ANONYMOUS: usize = 0x01 | 0x20;
        let nr = Abi::NATIVE
            .number(Syscall::mmap)
            .or(Abi::NATIVE.number(Syscall::mmap2))
            .ok_or_else(|| setup_failure("no mmap call on this architecture".into()))?;
        let len = size_of::<Handoff>();
        // SAFETY: a fresh anonymous mapping; the kernel chooses the address.
        let addr = unsafe {
            seclude::sys::syscall6(
                nr as usize,
                0,
                len,
                PROT_READ_WRITE,
                MAP_SHARED_ANONYMOUS,
                usize::MAX,
                0,
            )
        }
        .map_err(|e| setup_failure(format!("mapping the hand-off page: {e}")))?;
        // SAFETY: zeroed memory of the right size is a valid Handoff; it
        // stays mapped for the life of seclude.
        Ok(unsafe { &mut *(addr as *mut Handoff) })
    }

    /// In the child: records a failure for the parent. Formats into the
    /// page itself: after a failed exec the child is filtered, and an
    /// allocation's `mmap` could be refused.
    fn fail(&mut self, code: u8, message: core::fmt::Arguments<'_>) {
        struct Cursor<'b>(&'b mut [u8], usize);
        impl core::fmt::Write for Cursor<'_> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                let n = s.len().min(self.0.len() - self.1);
                self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
                self.1 += n;
                Ok(())
            }
        }
        let mut cursor = Cursor(&mut self.message, 0);
        let _ = core::fmt::write(&mut cursor, message);
        let n = cursor.1;
        self.len.store(n as u32, Ordering::Relaxed);
        self.code.store(code as u32, Ordering::Relaxed);
        self.state.store(STATE_FAILED, Ordering::Release);
    }

    fn failure(&self) -> Option<Failure> {
        if self.state.load(Ordering::Acquire) != STATE_FAILED {
            return None;
        }
        let n = self.len.load(Ordering::Relaxed) as usize;
        Some(Failure::new(
            self.code.load(Ordering::Relaxed) as u8,
            String::from_utf8_lossy(&self.message[..n.min(self.message.len())]).into_owned(),
        ))
    }
}

fn setup_failure(message: String) -> Failure {
    Failure::new(exit::SETUP, message)
}

/// The signals seclude blocks (and reads from a signalfd) while it
/// supervises: the child's end, and those it passes on.
const FORWARDED: [i32; 8] = [1, 2, 3, 10, 12, 14, 15, 28]; // HUP INT QUIT USR1 USR2 ALRM TERM WINCH
const SIGCHLD: i32 = 17;

/// A kernel signal set (64 signals, one word).
fn sigset(signals: &[i32]) -> u64 {
    signals.iter().fold(0, |set, &s| set | 1 << (s - 1))
}

fn sigprocmask(how: usize, set: u64) -> Result<u64, Errno> {
    let mut old = 0u64;
    let nr = Abi::NATIVE
        .number(Syscall::rt_sigprocmask)
        .expect("rt_sigprocmask");
    // SAFETY: both pointers are to 8-byte sets, the size passed.
    unsafe {
        seclude::sys::syscall4(
            nr as usize,
            how,
            &set as *const u64 as usize,
            &mut old as *mut u64 as usize,
            8,
        )
    }?;
    Ok(old)
}

/// Starts `launch` with `setup` run in the child first (namespaces,
/// unveil, privileges), then the filter, then the exec; and answers the
/// notified calls with `handler` until the child ends.
pub fn run(
    launch: &Launch,
    setup: &mut dyn FnMut() -> Result<(), Failure>,
    handler: &mut dyn FnMut(&Notification, Phase) -> Verdict,
) -> Result<Ended, Failure> {
    const SIG_BLOCK: usize = 0;
    const SIG_SETMASK: usize = 2;
    const CLONE_FILES: u64 = 0x400;
    let handoff = Handoff::map()?;
    let mut watched = FORWARDED.to_vec();
    watched.push(SIGCHLD);
    let old_mask = sigprocmask(SIG_BLOCK, sigset(&watched))
        .map_err(|e| setup_failure(format!("blocking signals: {e}")))?;
    let argv: Vec<*const u8> = launch
        .argv
        .iter()
        .map(|a| a.as_ptr().cast())
        .chain([core::ptr::null()])
        .collect();
    let envp: Vec<*const u8> = launch
        .envp
        .iter()
        .map(|a| a.as_ptr().cast())
        .chain([core::ptr::null()])
        .collect();
    // SAFETY: seclude is single-threaded, so the child may allocate; it
    // leaves only through exec or exit_group.
    let forked = unsafe { process::fork(launch.clone_flags | CLONE_FILES) }
        .map_err(|e| setup_failure(fork_message(e)))?;
    let pid = match forked {
        Forked::Child => {
            let _ = sigprocmask(SIG_SETMASK, old_mask);
            child(launch, handoff, setup, &argv, &envp)
        }
        Forked::Parent(pid) => pid,
    };
    // Wait for the listener (or a failure). The child needs a few
    // milliseconds; it cannot wake seclude without a system call.
    let listener = loop {
        match handoff.state.load(Ordering::Acquire) {
            STATE_LISTENING => {
                // SAFETY: the child put the listener in the shared table
                // and nothing else owns it once the child has exec'd.
                break unsafe { OwnedFd::from_raw(handoff.listener.load(Ordering::Relaxed)) };
            }
            STATE_FAILED => {
                let _ = process::wait(pid);
                return Ok(Ended::Failed(handoff.failure().expect("state is failed")));
            }
            _ => {}
        }
        if let Ok(Some(status)) = process::try_wait(pid) {
            return Err(setup_failure(format!(
                "the child ended while setting up the sandbox ({status:?})"
            )));
        }
        std::thread::sleep(std::time::Duration::from_micros(100));
    };
    let signals =
        signalfd(sigset(&watched)).map_err(|e| setup_failure(format!("signalfd: {e}")))?;
    let mut phases: HashMap<u32, Phase> = HashMap::new();
    let mut started = false;
    let mut killed: Vec<u32> = Vec::new();
    let mut listening = true;
    let status = loop {
        let mut fds = [
            PollFd {
                fd: if listening { listener.raw() } else { -1 },
                events: POLLIN,
                revents: 0,
            },
            PollFd {
                fd: signals.raw(),
                events: POLLIN,
                revents: 0,
            },
        ];
        match poll(&mut fds, None) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(setup_failure(format!("poll: {e}"))),
        }
        if fds[1].revents & POLLIN != 0 {
            if let Some(status) = read_signals(&signals, pid)? {
                break status;
            }
        }
        if fds[0].revents & POLLIN != 0 {
            let n = match notify::receive(listener.raw()) {
                Ok(n) => n,
                // The caller died or was interrupted: nothing to answer.
                Err(Errno::ENOENT | Errno::EINTR) => continue,
                Err(e) => return Err(setup_failure(format!("receiving a notification: {e}"))),
            };
            let verdict = answer(&n, pid, &mut started, launch.dynamic, &mut phases, handler);
            if verdict.kill {
                let _ = process::kill(n.pid as i32, process::SIGKILL);
                killed.push(n.pid);
            }
            match notify::respond(listener.raw(), n.id, verdict.response) {
                Ok(()) | Err(Errno::ENOENT) => {}
                Err(e) => return Err(setup_failure(format!("answering a notification: {e}"))),
            }
        } else if fds[0].revents & POLLHUP != 0 {
            // No process uses the filter any more.
            listening = false;
        }
    };
    if let Some(failure) = handoff.failure() {
        return Ok(Ended::Failed(failure));
    }
    Ok(Ended::Ran {
        status,
        killed_for_violation: killed.contains(&(pid as u32)),
        never_loaded: launch.dynamic && phases.get(&(pid as u32)) == Some(&Phase::Loading),
    })
}

/// Decides one notification: the child's own calls before its exec and
/// the marker here, everything else by `handler` (with exec targets
/// tracked for the loader's allowance).
fn answer(
    n: &Notification,
    child: i32,
    started: &mut bool,
    dynamic: bool,
    phases: &mut HashMap<u32, Phase>,
    handler: &mut dyn FnMut(&Notification, Phase) -> Verdict,
) -> Verdict {
    let go_on = |response| Verdict {
        response,
        kill: false,
    };
    let call = Abi::NATIVE.syscall(n.data.nr as u32);
    let is_exec = matches!(call, Some(Syscall::execve | Syscall::execveat));
    if n.pid == child as u32 && !*started {
        // seclude's own code, between the filter and the exec.
        if is_exec {
            *started = true;
            phases.insert(
                n.pid,
                if dynamic {
                    Phase::Loading
                } else {
                    Phase::Loaded
                },
            );
        }
        return go_on(Response::Continue);
    }
    if call == Some(Syscall::prctl)
        && n.data.args[0] as u32 == MARKER_OPTION
        && n.data.args[1] as u32 == MARKER_ARG
    {
        phases.insert(n.pid, Phase::Loaded);
        return go_on(Response::Return(0));
    }
    let phase = phases.get(&n.pid).copied().unwrap_or(Phase::Loaded);
    let verdict = handler(n, phase);
    if is_exec && matches!(verdict.response, Response::Continue) {
        let target = exec_target(n).map(|p| elf::inspect(&p));
        let loads = matches!(
            target,
            Some(Ok(elf::Executable::Elf {
                interpreter: Some(_),
                ..
            } | elf::Executable::Script { .. }))
        );
        phases.insert(n.pid, if loads { Phase::Loading } else { Phase::Loaded });
    }
    verdict
}

/// The file an `execve`/`execveat` names, read from the caller's memory
/// (best effort: when it cannot be read, the new program gets no loader
/// allowance, the strict answer).
fn exec_target(n: &Notification) -> Option<PathBuf> {
    use std::os::unix::fs::FileExt;
    let execveat = Abi::NATIVE.syscall(n.data.nr as u32) == Some(Syscall::execveat);
    let address = if execveat {
        n.data.args[1]
    } else {
        n.data.args[0]
    };
    let mem = std::fs::File::open(format!("/proc/{}/mem", n.pid)).ok()?;
    let mut buf = vec![0u8; 4096];
    let len = mem.read_at(&mut buf, address).ok()?;
    let end = buf[..len].iter().position(|&b| b == 0)?;
    let path = PathBuf::from(String::from_utf8_lossy(&buf[..end]).into_owned());
    if path.is_absolute() {
        return Some(path);
    }
    let base = if execveat && n.data.args[0] as i32 != seclude::sys::fd::AT_FDCWD {
        std::fs::read_link(format!("/proc/{}/fd/{}", n.pid, n.data.args[0] as i32)).ok()?
    } else {
        std::fs::read_link(format!("/proc/{}/cwd", n.pid)).ok()?
    };
    Some(base.join(path))
}

/// In the child: set up, install the filter, publish the listener, exec.
fn child(
    launch: &Launch,
    handoff: &mut Handoff,
    setup: &mut dyn FnMut() -> Result<(), Failure>,
    argv: &[*const u8],
    envp: &[*const u8],
) -> ! {
    if let Err(failure) = setup() {
        handoff.fail(failure.code, format_args!("{}", failure.message));
        seclude::sys::exit_group(failure.code as i32);
    }
    let mut filter = launch.filter.clone();
    seclude::pledge::patch_self_pid(&mut filter, seclude::sys::getpid());
    match load(&filter, FilterFlags::NEW_LISTENER) {
        Ok(Some(listener)) => {
            handoff.listener.store(listener, Ordering::Relaxed);
            handoff.state.store(STATE_LISTENING, Ordering::Release);
        }
        Ok(None) => unreachable!("NEW_LISTENER returns a listener"),
        Err(e) => {
            handoff.fail(
                exit::SETUP,
                format_args!("installing the seccomp filter: {e:?}"),
            );
            seclude::sys::exit_group(exit::SETUP as i32);
        }
    }
    let nr = Abi::NATIVE.number(Syscall::execve).expect("execve");
    // SAFETY: NULL-terminated arrays of NUL-terminated strings, alive in
    // this copy of the parent's memory.
    let result = unsafe {
        seclude::sys::syscall3(
            nr as usize,
            launch.path.as_ptr() as usize,
            argv.as_ptr() as usize,
            envp.as_ptr() as usize,
        )
    };
    let errno = result.err().unwrap_or(Errno::EINVAL);
    let code = if errno == Errno::ENOENT {
        exit::NOT_FOUND
    } else {
        exit::CANNOT_EXECUTE
    };
    let path = launch.path.to_bytes();
    let path = core::str::from_utf8(path).unwrap_or("the program");
    handoff.fail(code, format_args!("{path}: cannot execute: {errno}"));
    seclude::sys::exit_group(code as i32)
}

fn fork_message(e: Errno) -> String {
    match e {
        Errno::EPERM | Errno::ENOSPC | Errno::EUSERS => {
            format!("creating the child in its namespaces: {e} (see `seclude --help`, namespaces)")
        }
        _ => format!("creating the child: {e}"),
    }
}

/// A close-on-exec signalfd for `set`.
fn signalfd(set: u64) -> Result<OwnedFd, Errno> {
    const SFD_CLOEXEC: usize = 0o2000000;
    let nr = Abi::NATIVE.number(Syscall::signalfd4).expect("signalfd4");
    // SAFETY: an 8-byte set, the size passed.
    let fd = unsafe {
        seclude::sys::syscall4(
            nr as usize,
            usize::MAX,
            &set as *const u64 as usize,
            8,
            SFD_CLOEXEC,
        )
    }?;
    // SAFETY: a new descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw(fd as i32) })
}

/// Reads the pending signals: passes on the ones sent to seclude by a
/// process (a terminal's signals reach the whole process group, the
/// program included, and are not sent twice), and returns the child's
/// status once it has ended.
fn read_signals(signals: &OwnedFd, child: i32) -> Result<Option<ExitStatus>, Failure> {
    // struct signalfd_siginfo: 128 bytes, ssi_signo at 0, ssi_code at 8.
    let mut info = [0u8; 128];
    let mut ended = None;
    loop {
        match seclude::sys::fd::read(signals.raw(), &mut info) {
            Ok(128) => {}
            Ok(_) | Err(Errno::EAGAIN) => break,
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(setup_failure(format!("reading signals: {e}"))),
        }
        let signo = i32::from_ne_bytes(info[0..4].try_into().unwrap());
        let code = i32::from_ne_bytes(info[8..12].try_into().unwrap());
        if signo == SIGCHLD {
            if let Ok(Some(status)) = process::try_wait(child) {
                ended = Some(status);
            }
            break;
        }
        // SI_USER (0) and SI_QUEUE (-1) and below: sent by a process.
        if code <= 0 {
            let _ = process::kill(child, signo);
        }
        // One record per read; the signalfd is blocking, so stop when
        // poll says nothing is left.
        let mut more = [PollFd {
            fd: signals.raw(),
            events: POLLIN,
            revents: 0,
        }];
        if !matches!(poll(&mut more, Some(0)), Ok(1..)) {
            break;
        }
    }
    Ok(ended)
}

/// The path of the running seclude (for messages).
#[allow(dead_code)]
pub fn program_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
