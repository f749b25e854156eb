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
//! code (everything continues); a program a system loader runs, with the
//! [marker](crate::marker) preloaded, is `Loading` from its exec until its
//! marker call, then `Loaded`; anything else is `Loaded`, the strict
//! answer (see [`Tracker`] for how an exec is judged).

use crate::cli::Failure;
use crate::exit;
use crate::launch::Filter;
use crate::tracker::Tracker;
use crate::verdict::{Caller, Verdict};
use seclude::Errno;
use seclude::bpf::{Action, Instruction, SeccompData, kernel_caches_allow};
use seclude::pledge::{PledgeError, SupervisedProgram};
use seclude::seccomp::notify::{self, Notification, Response};
use seclude::seccomp::{CompileError, FilterFlags, load};
use seclude::sys::fd::{OwnedFd, POLLERR, POLLHUP, POLLIN, PollFd, poll};
use seclude::sys::mem::{SharedMapping, futex_call, futex_wait, futex_wake};
use seclude::sys::process::{self, ExitStatus, Forked, SIGCHLD};
use seclude::sys::signal::{MaskChange, SignalSet, signalfd, sigprocmask};
use seclude::tables::Abi;
use seclude::tables::constants::native;
use std::ffi::CString;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

/// The program to start: its path, arguments and environment, the clone
/// flags of its namespaces, and its filter (for a pid still unknown),
/// built before the fork: the child has it in its copy of seclude's memory
/// and never waits for it.
pub struct Launch {
    pub path: CString,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    pub clone_flags: u64,
    /// The filter's rules, compiled by seclude while the child sets up.
    pub filter: Filter,
    /// A second filter (a policy file's raw seccomp section), installed
    /// after the supervised one, so that it also judges seclude's own calls
    /// up to the exec only through the first (empty: none).
    pub extra_filter: Vec<Instruction>,
    /// Tell the started program from the ones it executes ([`Image`](crate::verdict::Image)):
    /// costs two reads of /proc per new process and per exec. The filter
    /// must then send `exit_group` to seclude too: the started program
    /// cannot end the usual way without a call seclude sees while its
    /// image can still be read, so its forks are known as its own (not
    /// when it is killed, or ends its last thread with `exit`).
    pub follow_images: bool,
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
    /// Written by seclude: one of the `FILTER_*` values, once the filter
    /// in the program page is compiled (release), or cannot be.
    filter: AtomicU32,
    listener: AtomicI32,
    code: AtomicU32,
    len: AtomicU32,
    message: [u8; 2048],
}

// State 0: the child is still setting up.
const STATE_LISTENING: u32 = 1;
const STATE_FAILED: u32 = 2;
// Filter 0: seclude is still compiling it.
const FILTER_READY: u32 = 1;
const FILTER_FAILED: u32 = 2;

impl Handoff {
    /// The hand-off record in `page` (mapped for it, zero-filled: a valid
    /// `Handoff` in state 0).
    fn on(page: &mut SharedMapping) -> &mut Handoff {
        assert!(page.len() >= size_of::<Handoff>());
        // SAFETY: the mapping is large enough, page-aligned and zeroed, and
        // outlives the reference.
        unsafe { &mut *(page.as_ptr() as *mut Handoff) }
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
        let _ = futex_wake(&self.state, 1);
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

/// A prefix for the child's filter that lets exactly one call through
/// before seclude listens: `futex(&handoff.state, FUTEX_WAKE, ..)`, the
/// child's wake-up of seclude once the listener is published (whatever the
/// promises; waking a waiter on seclude's own page harms nothing). Every
/// other call falls through to the filter behind it. Needed only when the
/// promises do not allow that call already (see [`compile_filter`]).
const HANDOFF_PREFIX_LEN: usize = 11;

/// The number of the call the child wakes seclude with
/// ([`futex_wake`]'s).
fn wake_call_number() -> u32 {
    Abi::NATIVE.number(futex_call()).expect("a futex call")
}

fn handoff_prefix(state: &AtomicU32) -> [Instruction; HANDOFF_PREFIX_LEN] {
    const FUTEX_WAKE: u32 = 1;
    let abi = Abi::NATIVE;
    let endian = abi.endian();
    let address = state.as_ptr() as u64;
    let nr = wake_call_number();
    let mut prefix = [
        Instruction::load_word(SeccompData::ARCH),
        Instruction::jeq(abi.audit_arch(), 0, 0),
        Instruction::load_word(SeccompData::NR),
        Instruction::jeq(nr, 0, 0),
        Instruction::load_word(SeccompData::arg_lo(0, endian)),
        Instruction::jeq(address as u32, 0, 0),
        Instruction::load_word(SeccompData::arg_hi(0, endian)),
        Instruction::jeq((address >> 32) as u32, 0, 0),
        Instruction::load_word(SeccompData::arg_lo(1, endian)),
        Instruction::jeq(FUTEX_WAKE, 0, 0),
        Instruction::ret(Action::Allow.to_ret()),
    ];
    // Every failed comparison jumps past the prefix.
    let len = prefix.len();
    for (i, insn) in prefix.iter_mut().enumerate() {
        if i % 2 == 1 && i < len - 1 {
            insn.jf = (len - 1 - i) as u8;
        }
    }
    prefix
}

fn setup_failure(message: String) -> Failure {
    Failure::new(exit::SETUP, message)
}

/// The signals seclude blocks (and reads from a signalfd) while it
/// supervises: the child's end, and those it passes on.
const FORWARDED: [i32; 8] = [
    native::SIGHUP as i32,
    native::SIGINT as i32,
    native::SIGQUIT as i32,
    native::SIGUSR1 as i32,
    native::SIGUSR2 as i32,
    native::SIGALRM as i32,
    native::SIGTERM as i32,
    native::SIGWINCH as i32,
];

/// Starts `launch` with `setup` run in the child first (the fork's child:
/// one thread, before its exec; namespaces,
/// unveil, privileges), then the filter, then the exec; and answers the
/// notified calls with `handler` until the child ends.
pub fn run(
    launch: &mut Launch,
    parent: &ParentWatch,
    setup: &mut dyn FnMut() -> Result<(), Failure>,
    handler: &mut dyn FnMut(&Notification, Caller) -> Verdict,
) -> Result<Ended, Failure> {
    const CLONE_FILES: u64 = 0x400;
    let mut page = SharedMapping::new(size_of::<Handoff>())
        .map_err(|e| setup_failure(format!("mapping the hand-off page: {e}")))?;
    let handoff = Handoff::on(&mut page);
    // The child's filter, compiled by seclude after the fork while the
    // child sets up its sandbox (Landlock, privileges: about as long), in
    // a shared page the child installs it from: on two CPUs neither waits
    // for the other. Made before the fork, the ~100 us it takes came
    // before all of the child's set-up.
    let program_page = SharedMapping::new(size_of::<SupervisedProgram>())
        .map_err(|e| setup_failure(format!("mapping the filter's page: {e}")))?;
    // SAFETY: the mapping is large enough and page-aligned; a
    // `MaybeUninit` needs no initialisation.
    let program_place =
        unsafe { &mut *(program_page.as_ptr() as *mut MaybeUninit<SupervisedProgram>) };
    let mut watched = FORWARDED.to_vec();
    watched.push(SIGCHLD);
    let old_mask = sigprocmask(MaskChange::Block, SignalSet::of(&watched))
        .map_err(|e| setup_failure(format!("blocking signals: {e}")))?;
    let argv = null_terminated(&launch.argv);
    let envp = null_terminated(&launch.envp);
    // What the program leaves running when it ends is reparented to
    // seclude, which keeps supervising and reaps it.
    let _ = process::set_child_subreaper(true);
    // SAFETY: seclude is single-threaded, so the child may allocate; it
    // leaves only through exec or exit_group.
    let forked = unsafe { process::fork(launch.clone_flags | CLONE_FILES) }
        .map_err(|e| setup_failure(fork_message(e)))?;
    let pid = match forked {
        Forked::Child => {
            let _ = sigprocmask(MaskChange::Set, old_mask);
            child(launch, handoff, program_place, parent, setup, &argv, &envp)
        }
        Forked::Parent(pid) => pid,
    };
    let kill_child = |failure: Failure| {
        let _ = process::kill(pid, process::SIGKILL);
        let _ = process::wait(pid);
        failure
    };
    // Compiling opens no descriptor (see below).
    match compile_filter(&launch.filter, program_place, &handoff.state) {
        Ok(()) => handoff.filter.store(FILTER_READY, Ordering::Release),
        Err(failure) => {
            handoff.filter.store(FILTER_FAILED, Ordering::Release);
            let _ = futex_wake(&handoff.filter, 1);
            return Err(kill_child(failure));
        }
    }
    let _ = futex_wake(&handoff.filter, 1);
    // While the child sets up its sandbox (a few hundred microseconds),
    // seclude waits: what it would otherwise do once the child's exec is
    // waiting on it, it does now, if it opens no descriptor. The child
    // shares the descriptor table until its exec, and closes what it does
    // not keep: a descriptor seclude opened now could be closed under it,
    // or its number taken by one of the child's (`CLONE_FILES`).
    //
    // The program must not reach seclude through /proc/PID/mem (same
    // user, no Landlock with -V): seclude stops being dumpable; the child
    // keeps its own setting.
    let _ = process::set_dumpable(false);
    // Wait for the listener (or a failure): the child wakes seclude with
    // a call its filter lets through before anyone listens (by the
    // promises, or else by the hand-off prefix).
    let listener = loop {
        match handoff.state.load(Ordering::Acquire) {
            STATE_LISTENING => {
                // SAFETY: the child put the listener in the shared table
                // and nothing else owns it once the child has exec'd.
                break unsafe { OwnedFd::from_raw(handoff.listener.load(Ordering::Relaxed)) };
            }
            STATE_FAILED => {
                // Its exit_group may wait for an answer (under -e) that
                // nobody will give: killed, not waited for.
                let _ = process::kill(pid, process::SIGKILL);
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
        // Woken by the child; the timeout only bounds how late a child
        // that died without a word is noticed.
        let _ = futex_wait(&handoff.state, 0, 50);
    };
    // Each notified call waits for seclude, which waits for the next:
    // the kernel hands the CPU straight over (Linux 6.6; a hint only, that
    // made `learn`, a round trip per call, a third faster).
    let _ = notify::set_sync_wakeup(listener.raw());
    let signals = signalfd(SignalSet::of(&watched))
        .map_err(|e| kill_child(setup_failure(format!("signalfd: {e}"))))?;
    let mut tracker = Tracker::new(pid as u32, launch.follow_images);
    let mut killed: Vec<u32> = Vec::new();
    let mut listening = true;
    let mut status = None;
    // Until the child has ended and no process uses the filter any more:
    // what the program leaves running stays supervised (seclude is their
    // subreaper and reaps them).
    while status.is_none() || listening {
        let mut fds = [
            PollFd::new(if listening { listener.raw() } else { -1 }, POLLIN),
            PollFd::new(signals.raw(), POLLIN),
        ];
        match poll(&mut fds, None) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(kill_child(setup_failure(format!("poll: {e}")))),
        }
        if fds[1].revents & POLLIN != 0 {
            if let Some(ended) =
                read_signals(&signals, pid, status.is_none()).map_err(kill_child)?
            {
                tracker.child_reaped = true;
                status = Some(ended);
            }
        }
        if fds[0].revents & POLLIN != 0 {
            let n = match notify::receive(listener.raw()) {
                Ok(n) => n,
                // The caller died or was interrupted: nothing to answer.
                Err(Errno::ENOENT | Errno::EINTR) => continue,
                Err(e) => {
                    return Err(kill_child(setup_failure(format!(
                        "receiving a notification: {e}"
                    ))));
                }
            };
            let (process, verdict) = tracker.answer(&n, listener.raw(), handler);
            if verdict.kill {
                let _ = process::kill(process as i32, process::SIGKILL);
                killed.push(process);
            }
            let mut answered = notify::respond(listener.raw(), n.id, verdict.response);
            if let (Response::Descriptor { .. }, Err(e)) = (verdict.response, answered) {
                // Still unanswered: a kernel before 5.14 cannot answer
                // with a descriptor (EINVAL, ENOTTY before 5.9: the call is
                // refused as the promises say), or the process could not
                // take one (EMFILE, say: it gets that error).
                let errno = match e {
                    Errno::EINVAL | Errno::ENOTTY => Errno::EPERM,
                    other => other,
                };
                if e != Errno::ENOENT {
                    answered = notify::respond(listener.raw(), n.id, Response::Error(errno));
                }
            }
            // The descriptor the answer copied, if any, is no longer needed.
            drop(verdict.holds);
            match answered {
                Ok(()) | Err(Errno::ENOENT) => {}
                Err(e) => {
                    return Err(kill_child(setup_failure(format!(
                        "answering a notification: {e}"
                    ))));
                }
            }
        } else if fds[0].revents & (POLLHUP | POLLERR) != 0 {
            listening = false;
        }
    }
    if let Some(failure) = handoff.failure() {
        return Ok(Ended::Failed(failure));
    }
    Ok(Ended::Ran {
        status: status.expect("the loop ends with a status"),
        killed_for_violation: killed.contains(&(pid as u32)),
        never_loaded: tracker.awaits_marker(pid as u32),
    })
}

/// The NULL-terminated pointer array `execve` takes.
fn null_terminated(strings: &[CString]) -> Vec<*const u8> {
    strings
        .iter()
        .map(|s| s.as_ptr().cast())
        .chain([core::ptr::null()])
        .collect()
}

/// In the child: set up, install the filter, publish the listener, exec.
fn child(
    launch: &mut Launch,
    handoff: &mut Handoff,
    program: &mut MaybeUninit<SupervisedProgram>,
    parent: &ParentWatch,
    setup: &mut dyn FnMut() -> Result<(), Failure>,
    argv: &[*const u8],
    envp: &[*const u8],
) -> ! {
    if let Err(failure) = setup() {
        handoff.fail(failure.code, format_args!("{}", failure.message));
        seclude::sys::exit_group(failure.code as i32);
    }
    // The program dies with seclude (set after the ids changed, which
    // clears it). Once the program runs, a seclude gone also makes its
    // filter fail closed: the calls it would have judged fail with ENOSYS.
    let _ = process::set_parent_death_signal(process::SIGKILL);
    // A seclude killed before that sends no signal: the child ends rather
    // than run unsupervised. (Nor would its filter fail closed then: the
    // listener stays open in the descriptor table the child shares until
    // its exec, and its notified calls would wait for ever.) The kernel
    // reads the death signal and reparents under the task-list lock, which
    // a `waitid` takes too (the child has no children: it finds none):
    // after it, either seclude's end saw the signal set, or the check below
    // sees seclude gone.
    let _ = process::try_wait_any();
    if parent.gone(launch.clone_flags) {
        seclude::sys::exit_group(exit::SETUP as i32);
    }
    // The filter seclude compiles meanwhile.
    loop {
        match handoff.filter.load(Ordering::Acquire) {
            FILTER_READY => break,
            // seclude reports why, and kills this child.
            FILTER_FAILED => seclude::sys::exit_group(exit::SETUP as i32),
            _ => {}
        }
        if parent.gone(launch.clone_flags) {
            seclude::sys::exit_group(exit::SETUP as i32);
        }
        let _ = futex_wait(&handoff.filter, 0, 50);
    }
    // SAFETY: seclude compiled a program in this page (`FILTER_READY`,
    // read with acquire after its release) and no longer touches it.
    let program = unsafe { program.assume_init_mut() };
    // Its own pid in the promises' conditions (never in the prefix).
    match program.install(seclude::sys::getpid()) {
        Ok(listener) => {
            handoff
                .listener
                .store(listener.into_raw(), Ordering::Relaxed);
            handoff.state.store(STATE_LISTENING, Ordering::Release);
            let _ = futex_wake(&handoff.state, 1);
        }
        Err(e) => {
            handoff.fail(
                exit::SETUP,
                format_args!("installing the seccomp filter: {e}"),
            );
            seclude::sys::exit_group(exit::SETUP as i32);
        }
    }
    // Its seccomp() call reaches seclude, which lets the child's own calls
    // continue until the exec.
    if !launch.extra_filter.is_empty() {
        if let Err(e) = load(&launch.extra_filter, FilterFlags::empty()) {
            handoff.fail(
                exit::SETUP,
                format_args!("installing the policy file's seccomp filter: {e}"),
            );
            seclude::sys::exit_group(exit::SETUP as i32);
        }
    }
    // SAFETY: NULL-terminated arrays of NUL-terminated strings, alive in
    // this copy of the parent's memory.
    let errno = unsafe { process::execve(&launch.path, argv.as_ptr(), envp.as_ptr()) };
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

/// Compiles `filter` in `place`, with the hand-off prefix for `state` in
/// front unless the promises let the wake-up through already. Runs while
/// the child sets up and shares seclude's descriptor table: it must open
/// no descriptor (the child closes what it does not keep, and takes free
/// numbers), and it opens none: it computes, and allocates memory.
fn compile_filter(
    filter: &Filter,
    place: &mut MaybeUninit<SupervisedProgram>,
    state: &AtomicU32,
) -> Result<(), Failure> {
    let program = filter.build_in(place)?;
    // Promises that let the wake-up through whatever its arguments
    // (`stdio` does) need no prefix; without one the kernel's action
    // cache keeps passing every `futex` of the program without running
    // the filter, which the prefix's argument loads would end.
    if kernel_caches_allow(
        program.instructions(),
        Abi::NATIVE.audit_arch(),
        wake_call_number(),
    ) {
        return Ok(());
    }
    program
        .set_prefix(&handoff_prefix(state))
        .map_err(|e| match e {
            PledgeError::Compile(CompileError::TooLong { .. }) => {
                setup_failure("the filter is longer than the kernel allows".into())
            }
            e => setup_failure(format!("the filter's hand-off prefix: {e}")),
        })
}

fn fork_message(e: Errno) -> String {
    match e {
        Errno::EPERM | Errno::ENOSPC | Errno::EUSERS => {
            format!("creating the child in its namespaces: {e} (see `seclude --help`, namespaces)")
        }
        _ => format!("creating the child: {e}"),
    }
}

/// How the child tells that seclude has ended, once its parent-death
/// signal is set (before, seclude's end sends no signal). Made by seclude
/// before the fork; run mode keeps its descriptor open in the child (see
/// [`ParentWatch::descriptor`]).
pub struct ParentWatch {
    /// seclude's pidfd (Linux 5.3), readable once seclude has ended: it
    /// tells from any pid namespace.
    pidfd: Option<OwnedFd>,
    /// seclude's pid, for kernels without pidfds: outside a new pid
    /// namespace the child's parent id stops being it when seclude ends.
    /// (Read by the child when it starts, it could already be the
    /// reaper's.)
    pid: u32,
}

impl ParentWatch {
    /// In seclude, before the fork.
    pub fn new() -> ParentWatch {
        let pid = seclude::sys::getpid();
        ParentWatch {
            pidfd: process::pidfd_open(pid).ok(),
            pid,
        }
    }

    /// The descriptor the child must not close before it asks [`gone`].
    ///
    /// [`gone`]: ParentWatch::gone
    pub fn descriptor(&self) -> Option<i32> {
        self.pidfd.as_ref().map(OwnedFd::raw)
    }

    /// In the child: whether seclude has ended. Without pidfds, in a new
    /// pid namespace (`clone_flags`), it cannot tell.
    fn gone(&self, clone_flags: u64) -> bool {
        const CLONE_NEWPID: u64 = 0x2000_0000;
        match &self.pidfd {
            Some(fd) => {
                // Readable, or any other answer than "nothing yet" (a
                // descriptor closed after all: POLLNVAL): gone, so the
                // child fails closed.
                !matches!(poll(&mut [PollFd::new(fd.raw(), POLLIN)], Some(0)), Ok(0))
            }
            None => clone_flags & CLONE_NEWPID == 0 && process::getppid() != self.pid,
        }
    }
}

/// Reads the pending signals: passes on the ones sent to seclude by a
/// process while the child runs (`forward`; a terminal's signals reach the
/// whole process group, the program included, and are not sent twice),
/// reaps every ended child (the program's orphans included), and returns
/// the child's status once it has ended.
fn read_signals(
    signals: &OwnedFd,
    child: i32,
    forward: bool,
) -> Result<Option<ExitStatus>, Failure> {
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
        let signo = i32::from_ne_bytes(info[0..4].try_into().expect("4 bytes"));
        let code = i32::from_ne_bytes(info[8..12].try_into().expect("4 bytes"));
        if signo == SIGCHLD {
            // Every ended child, the program and the orphans seclude
            // adopted as their subreaper, in one sweep: the program's
            // status is kept whichever call reaps it.
            while let Ok(Some((pid, status))) = process::try_wait_any() {
                if pid == child {
                    ended = Some(status);
                }
            }
        } else if forward && code <= 0 {
            // SI_USER (0), SI_QUEUE (-1) and below: sent by a process.
            let _ = process::kill(child, signo);
        }
        // One record per read; the signalfd is blocking, so stop when
        // poll says nothing is left.
        let mut more = [PollFd::new(signals.raw(), POLLIN)];
        if !matches!(poll(&mut more, Some(0)), Ok(1..)) {
            break;
        }
    }
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seclude::pledge::{MAX_RULES, Promises};
    use seclude::seccomp::Rule;
    use seclude::tables::Syscall;

    /// `filter` compiled as a launch compiles it, for the hand-off word
    /// `state`.
    fn compiled(filter: &Filter, state: &AtomicU32) -> Box<SupervisedProgram> {
        let mut place = Box::<SupervisedProgram>::new_uninit();
        compile_filter(filter, &mut place, state).unwrap();
        // SAFETY: compiled just now.
        unsafe { place.assume_init() }
    }

    /// Whether the program lets the child's wake-up through without
    /// running the filter.
    fn wake_is_cached(program: &[Instruction]) -> bool {
        kernel_caches_allow(program, Abi::NATIVE.audit_arch(), wake_call_number())
    }

    #[test]
    fn the_filter_compiles_in_place_behind_the_prefix() {
        let state = AtomicU32::new(0);
        // Without `stdio`, `futex` is refused: the wake-up needs the prefix.
        let filter = crate::launch::filter(Promises::RPATH, None, false, false);
        let program = compiled(&filter, &state);
        let prefix = handoff_prefix(&state);
        assert_eq!(&program.instructions()[..prefix.len()], &prefix[..]);
        assert!(program.instructions().len() > prefix.len() + 10);
        // The wake-up passes the prefix; any other futex goes on.
        let mut wake = SeccompData::new(wake_call_number() as i32, Abi::NATIVE.audit_arch());
        let endian = Abi::NATIVE.endian();
        let address = state.as_ptr() as u64;
        wake.args = [address, 1, 0, 0, 0, 0];
        let run = |d: &SeccompData| {
            seclude::bpf::simulate(program.instructions(), d, endian)
                .unwrap()
                .action
        };
        assert_eq!(run(&wake), Action::Allow);
        let mut other = wake;
        other.args[0] = address + 4;
        assert_eq!(run(&other), Action::UserNotif);
    }

    #[test]
    fn promises_that_allow_the_wake_up_get_no_prefix() {
        let state = AtomicU32::new(0);
        let filter = crate::launch::filter(Promises::STDIO, None, false, false);
        let built = compiled(&filter, &state);
        assert!(built.prefix().is_empty());
        let program = built.instructions();
        let prefix = handoff_prefix(&state);
        assert_ne!(&program[..prefix.len()], &prefix[..]);
        assert!(wake_is_cached(program));
    }

    /// The wake-up on its own: the prefix stays whenever the program
    /// reads the wake-up call's arguments, here a rule of `first` that
    /// sends `FUTEX_WAIT` to seclude under `stdio`, and the wake-up still
    /// passes (a notified wake-up would wait for a seclude not listening
    /// yet: the launch would hang).
    #[test]
    fn a_wake_up_decided_by_its_arguments_keeps_the_prefix() {
        use seclude::seccomp::{Cmp, Condition};
        let abi = Abi::NATIVE;
        let call = futex_call();
        assert_eq!(abi.number(call), Some(wake_call_number()));
        let wait = Rule::with(call, &[Condition::arg32(1, Cmp::Eq, 0)], Action::UserNotif)
            .expect("one condition");
        let filter = crate::launch::Filter::of(std::vec![wait], Promises::STDIO);
        let state = AtomicU32::new(0);
        let built = compiled(&filter, &state);
        let program = built.instructions();
        assert_eq!(&program[..HANDOFF_PREFIX_LEN], &handoff_prefix(&state)[..]);
        let endian = abi.endian();
        let run = |args: [u64; 6]| {
            let mut d = SeccompData::new(wake_call_number() as i32, abi.audit_arch());
            d.args = args;
            seclude::bpf::simulate(program, &d, endian).unwrap().action
        };
        let address = state.as_ptr() as u64;
        assert_eq!(run([address, 1, 1, 0, 0, 0]), Action::Allow);
        assert_eq!(run([address + 4, 1, 1, 0, 0, 0]), Action::Allow); // stdio's
        assert_eq!(run([address, 0, 0, 0, 0, 0]), Action::UserNotif);
    }

    /// The kernel's action cache lets a call through without running the
    /// filter: compiling the child's filter (with unveil's supplement and
    /// the loader's marker, as a launch has them) keeps every call the
    /// promises' program caches cached, `futex` included when the
    /// promises allow it; a prefix, which reads `futex`'s arguments, only
    /// when they do not.
    #[test]
    fn the_launch_filter_keeps_the_kernels_cached_calls_cached() {
        use seclude::landlock::{AbiVersion, UnixSockets, seccomp_supplement_rules};
        let supplement = seccomp_supplement_rules(AbiVersion::V7, UnixSockets::ConfinedOnly);
        let abi = Abi::NATIVE;
        for promises in [Promises::STDIO | Promises::RPATH, Promises::RPATH] {
            let state = AtomicU32::new(0);
            let filter = crate::launch::filter(promises, Some(supplement), false, false);
            let mut bare = Box::<SupervisedProgram>::new_uninit();
            let unprefixed = filter.build_in(&mut bare).unwrap().instructions().to_vec();
            let program = compiled(&filter, &state);
            let compiled = program.instructions();
            let mut cached = 0;
            for &(nr, call) in abi.entries() {
                let before = kernel_caches_allow(&unprefixed, abi.audit_arch(), nr);
                let after = kernel_caches_allow(compiled, abi.audit_arch(), nr);
                if nr == wake_call_number() && !promises.contains(Promises::STDIO) {
                    assert!(!before && !after, "{promises:?} {call}");
                } else {
                    assert_eq!(after, before, "{promises:?} {call}");
                }
                cached += after as usize;
            }
            assert!(cached > 15, "{promises:?}: {cached}");
            for call in [Syscall::getdents64, Syscall::newfstatat] {
                let Some(nr) = abi.number(call) else { continue };
                assert!(
                    kernel_caches_allow(compiled, abi.audit_arch(), nr),
                    "{call}"
                );
            }
            if promises.contains(Promises::STDIO) {
                assert!(cached > 100, "{promises:?}: {cached}");
                assert!(wake_is_cached(compiled));
            }
        }
    }

    #[test]
    fn a_filter_that_cannot_be_compiled_is_a_failure_of_the_promises() {
        let state = AtomicU32::new(0);
        let mut place = Box::<SupervisedProgram>::new_uninit();
        let too_many = vec![Rule::new(Syscall::read, Action::UserNotif); MAX_RULES + 1];
        let filter = crate::launch::Filter::of(too_many, Promises::STDIO);
        let failure = compile_filter(&filter, &mut place, &state).unwrap_err();
        assert_eq!(failure.code, exit::PROMISES, "{}", failure.message);
    }
}
