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
use crate::elf;
use crate::exit;
use crate::marker::{MARKER_ARG, MARKER_OPTION};
use seclude::Errno;
use seclude::bpf::{Action, Instruction, SeccompData};
use seclude::seccomp::notify::{self, Notification, Response};
use seclude::seccomp::{FilterFlags, load};
use seclude::sys::fd::{OwnedFd, POLLERR, POLLHUP, POLLIN, PollFd, poll};
use seclude::sys::mem::{SharedMapping, futex_wait, futex_wake};
use seclude::sys::process::{self, ExitStatus, Forked, SIGCHLD};
use seclude::tables::constants::native;
use seclude::tables::{Abi, Syscall};
use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
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

/// Which program a process runs, for execpromises (`-e`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Image {
    /// The program seclude started, or a fork of it.
    Started,
    /// A program executed after it (or a fork of one), or a process
    /// seclude cannot tell to be `Started`: it holds the execpromises.
    Executed,
}

/// Who made a notified call.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    /// Whether the loader's allowance may apply.
    pub phase: Phase,
    /// Which program made it; without [`Launch::follow_images`], only
    /// the started program itself is known as `Started`.
    pub image: Image,
    /// The listener, for answers that add a descriptor.
    pub listener: i32,
    /// The calling process's id as it sees itself (in its own pid
    /// namespace): what its own-pid conditions compare with.
    pub own_pid: u32,
}

/// What the handler decides for a notified call.
pub struct Verdict {
    /// The answer.
    pub response: Response,
    /// Kill the calling process (`-k`).
    pub kill: bool,
    /// A descriptor the answer copies into the process
    /// ([`Response::Descriptor`]), closed once the answer is sent.
    pub holds: Option<OwnedFd>,
}

impl Verdict {
    /// This answer, nobody killed, no descriptor.
    pub fn answer(response: Response) -> Verdict {
        Verdict {
            response,
            kill: false,
            holds: None,
        }
    }
}

/// The program to start: its path, arguments and environment, the clone
/// flags of its namespaces, and its filter (self-pid still unpatched),
/// built before the fork: the child has it in its copy of seclude's memory
/// and never waits for it.
pub struct Launch {
    pub path: CString,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    pub clone_flags: u64,
    pub filter: Vec<Instruction>,
    /// A second filter (a policy file's raw seccomp section), installed
    /// after the supervised one, so that it also judges seclude's own calls
    /// up to the exec only through the first (empty: none).
    pub extra_filter: Vec<Instruction>,
    /// Tell the started program from the ones it executes ([`Image`]):
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
    listener: AtomicI32,
    code: AtomicU32,
    len: AtomicU32,
    message: [u8; 2048],
}

// State 0: the child is still setting up.
const STATE_LISTENING: u32 = 1;
const STATE_FAILED: u32 = 2;

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
/// other call falls through to the filter behind it.
const HANDOFF_PREFIX_LEN: usize = 11;

fn handoff_prefix(state: &AtomicU32) -> Vec<Instruction> {
    const FUTEX_WAKE: u32 = 1;
    let abi = Abi::NATIVE;
    let endian = abi.endian();
    let address = state.as_ptr() as u64;
    let nr = abi
        .number(Syscall::futex_time64)
        .or(abi.number(Syscall::futex))
        .expect("a futex call");
    let mut prefix = vec![
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
    debug_assert_eq!(prefix.len(), HANDOFF_PREFIX_LEN);
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
    handler: &mut dyn FnMut(&Notification, Caller) -> Verdict,
) -> Result<Ended, Failure> {
    const SIG_BLOCK: usize = 0;
    const SIG_SETMASK: usize = 2;
    const CLONE_FILES: u64 = 0x400;
    // Room for the prefix the child puts in front.
    if launch.filter.len() + HANDOFF_PREFIX_LEN > seclude::bpf::MAX_INSNS {
        return Err(setup_failure(
            "the filter is longer than the kernel allows".into(),
        ));
    }
    let mut page = SharedMapping::new(size_of::<Handoff>())
        .map_err(|e| setup_failure(format!("mapping the hand-off page: {e}")))?;
    let handoff = Handoff::on(&mut page);
    let mut watched = FORWARDED.to_vec();
    watched.push(SIGCHLD);
    let old_mask = sigprocmask(SIG_BLOCK, sigset(&watched))
        .map_err(|e| setup_failure(format!("blocking signals: {e}")))?;
    let argv = null_terminated(&launch.argv);
    let envp = null_terminated(&launch.envp);
    // The child's whole filter, made before the fork: the child only
    // writes its pid into it. Built in the child, it was allocations there,
    // each write to a heap page (or malloc's own state) that seclude had
    // touched a copy-on-write fault.
    let mut filter = handoff_prefix(&handoff.state);
    filter.extend_from_slice(&launch.filter);
    // What the program leaves running when it ends is reparented to
    // seclude, which keeps supervising and reaps it.
    // SAFETY: integer arguments.
    let _ = unsafe { process::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let parent = ParentWatch::new(launch.clone_flags);
    // SAFETY: seclude is single-threaded, so the child may allocate; it
    // leaves only through exec or exit_group.
    let forked = unsafe { process::fork(launch.clone_flags | CLONE_FILES) }
        .map_err(|e| setup_failure(fork_message(e)))?;
    let pid = match forked {
        Forked::Child => {
            let _ = sigprocmask(SIG_SETMASK, old_mask);
            child(launch, handoff, &parent, setup, &mut filter, &argv, &envp)
        }
        Forked::Parent(pid) => pid,
    };
    // Wait for the listener (or a failure): the child wakes seclude with
    // the one call its filter's prefix lets through before anyone listens.
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
    // The program must not reach seclude through /proc/PID/mem (same
    // user, no Landlock with -V): seclude stops being dumpable; the child
    // keeps its own setting.
    // SAFETY: integer arguments.
    let _ = unsafe { process::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) };
    let kill_child = |failure: Failure| {
        let _ = process::kill(pid, process::SIGKILL);
        let _ = process::wait(pid);
        failure
    };
    let signals = signalfd(sigset(&watched))
        .map_err(|e| kill_child(setup_failure(format!("signalfd: {e}"))))?;
    let mut tracker = Tracker {
        child: pid as u32,
        started: false,
        follow_images: launch.follow_images,
        first: None,
        processes: HashMap::new(),
        threads: HashMap::new(),
        child_reaped: false,
    };
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

const PR_SET_DUMPABLE: u32 = 4;
const PR_SET_CHILD_SUBREAPER: u32 = 36;

/// What seclude knows of one process (a thread group).
struct Process {
    /// Its start time (field 22 of /proc/PID/stat): a pid reused by a
    /// later process has another.
    start: u64,
    state: State,
    /// An exec seclude let through and has not seen the result of: the
    /// thread that made it, the process's auxiliary vector before it, and
    /// the state to keep if it failed.
    exec: Option<PendingExec>,
    /// Its image, as read when seclude first knew it (when images are
    /// followed): an exec's "before", even if the process has since made
    /// itself unreadable.
    identity: Option<Identity>,
}

/// An exec let through, not resolved yet.
struct PendingExec {
    tid: u32,
    /// The process's image before the exec.
    before: Identity,
    prior: State,
    /// What the new image is.
    next: Image,
}

/// What tells one program image from another: its auxiliary vector (the
/// kernel's, set at exec, copied by fork, not changeable without
/// `CAP_SYS_RESOURCE`) and, when images are followed, the 16 bytes its
/// `AT_RANDOM` entry points at: new random bytes on every exec, so an
/// image with the very same layout (no address randomization, the same
/// program with arguments of the same sizes) still differs, unless it
/// writes the earlier image's bytes, which it cannot read.
#[derive(Clone, Debug)]
struct Identity {
    auxv: Vec<u8>,
    random: Option<[u8; 16]>,
    /// Whether everything asked for was read: the random bytes are not
    /// when the process made itself non-dumpable (`stdio` may), and
    /// then only a different vector tells anything.
    complete: bool,
}

impl Identity {
    /// Process `tgid`'s image now (empty if it is gone); the random bytes
    /// only `with_random`.
    fn of(tgid: u32, with_random: bool) -> Identity {
        const AT_RANDOM: u64 = 25;
        let auxv = std::fs::read(format!("/proc/{tgid}/auxv")).unwrap_or_default();
        let random = with_random
            .then(|| auxv_entry(&auxv, AT_RANDOM))
            .flatten()
            .and_then(|address| {
                use std::os::unix::fs::FileExt;
                let mem = std::fs::File::open(format!("/proc/{tgid}/mem")).ok()?;
                let mut bytes = [0u8; 16];
                mem.read_exact_at(&mut bytes, address).ok()?;
                Some(bytes)
            });
        let complete = !with_random || random.is_some();
        Identity {
            auxv,
            random,
            complete,
        }
    }

    /// Whether both are surely the same image.
    fn same_as(&self, other: &Identity) -> bool {
        self.complete && other.complete && self.auxv == other.auxv && self.random == other.random
    }

    /// Whether they are surely different images.
    fn differs_from(&self, other: &Identity) -> bool {
        self.auxv != other.auxv || (self.complete && other.complete && self.random != other.random)
    }

    /// Whether the kernel has filled the vector (mid-exec it is zeros).
    fn filled(&self) -> bool {
        self.auxv.iter().any(|&b| b != 0)
    }
}

/// The value of the auxiliary vector's entry `kind`, if it has one.
fn auxv_entry(auxv: &[u8], kind: u64) -> Option<u64> {
    let word = size_of::<usize>();
    let read = |b: &[u8]| -> u64 {
        let mut bytes = [0u8; 8];
        if cfg!(target_endian = "little") {
            bytes[..word].copy_from_slice(b);
            u64::from_le_bytes(bytes)
        } else {
            bytes[8 - word..].copy_from_slice(b);
            u64::from_be_bytes(bytes)
        }
    };
    auxv.chunks_exact(2 * word)
        .find_map(|pair| (read(&pair[..word]) == kind).then(|| read(&pair[word..])))
}

/// Where a process is in its loading.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct State {
    /// `Loading`: the loader's calls get its allowance.
    phase: Phase,
    /// The loader's code (start and end addresses): only calls made from
    /// it get the allowance, not those of the code it runs before the
    /// program (IFUNC resolvers, constructors, `DT_PREINIT_ARRAY`), which
    /// call through the C library.
    loader_text: (u64, u64),
    /// The loader's file (device and inode): a call from the range counts
    /// only while that file is what is mapped there.
    loader_file: (u64, u64),
    /// Whether the marker is preloaded and ends the loading; without it
    /// (an exec with a cleared environment, `env -i`), the loader's calls
    /// keep the allowance, so a later `dlopen` gets it too.
    marked: bool,
    image: Image,
}

impl State {
    /// The strict state: no allowance, the execpromises.
    const LOADED: State = State {
        phase: Phase::Loaded,
        loader_text: (0, 0),
        loader_file: (0, 0),
        marked: false,
        image: Image::Executed,
    };

    /// The phase a call of process `tgid` made from `ip` is judged in:
    /// `Loading` only if `ip` is in the loader's range and, read now, the
    /// mapping there is the loader's file, executable, and the process has
    /// one thread (`alone`: no other can remap the range while this one
    /// waits, nor start, since the one thread is waiting).
    fn phase_at(&self, tgid: u32, ip: u64, alone: bool) -> Phase {
        let (start, end) = self.loader_text;
        if self.phase == Phase::Loading
            && alone
            && (start..end).contains(&ip)
            && mapped_file_at(tgid, ip) == Some(self.loader_file)
        {
            Phase::Loading
        } else {
            Phase::Loaded
        }
    }
}

/// The phases of the supervised processes.
///
/// An exec is judged by its result, not by its arguments: on the
/// process's next notification, a changed auxiliary vector (a new image
/// has a new one; an unchanged one reads as a failed exec, the strict
/// answer) means the exec happened, and `/proc/PID/exe` is the program
/// that now runs. It gets the loader's allowance only if its loader is a
/// system loader ([`elf::trusted_loader`]) and the marker object is
/// really preloaded (`LD_PRELOAD` in its environment names a descriptor
/// that is seclude's marker memfd): then its marker call is sure to come
/// before the program's own code.
struct Tracker {
    child: u32,
    /// Whether the child has made its exec (before it, its calls are
    /// seclude's own code).
    started: bool,
    /// Whether to tell [`Image`]s apart.
    follow_images: bool,
    /// The started program's image, once its exec is resolved.
    first: Option<Identity>,
    processes: HashMap<u32, Process>,
    /// The threads seen, by id and their own start time (which name one
    /// thread for its whole life; a reused id has another start time):
    /// their process and its start time, read from /proc once per thread
    /// rather than on each of its calls. A thread that execs from another
    /// than the main one takes the main one's id and start time, and so
    /// still names the same process.
    threads: HashMap<(u32, u64), Thread>,
    /// Whether seclude has reaped the started program: its pid may then
    /// name any later process, and is never read again.
    child_reaped: bool,
}

/// What seclude knows of a thread: its process, that process's start
/// time, and its id in its own pid namespace.
#[derive(Clone, Copy)]
struct Thread {
    tgid: u32,
    start: u64,
    own_pid: u32,
}

impl Tracker {
    /// The process of thread `tid`, its start time and own id, and
    /// whether that process has this one thread, read now.
    fn identify(&mut self, tid: u32) -> Option<(Thread, bool)> {
        let stat = ProcStat::read(tid)?;
        let alone = stat.threads == 1;
        if let Some(&known) = self.threads.get(&(tid, stat.start)) {
            return Some((known, alone));
        }
        let found = identify(tid, stat.start)?;
        if self.threads.len() >= 4096 {
            self.threads.clear();
        }
        self.threads.insert((tid, stat.start), found);
        Some((found, alone))
    }

    /// Whether thread group `tgid` has its marker preloaded and has not
    /// called it yet.
    fn awaits_marker(&self, tgid: u32) -> bool {
        self.processes
            .get(&tgid)
            .is_some_and(|p| p.state.marked && p.state.phase == Phase::Loading)
    }

    /// Decides one notification; returns the caller's process id with the
    /// verdict.
    fn answer(
        &mut self,
        n: &Notification,
        listener: i32,
        handler: &mut dyn FnMut(&Notification, Caller) -> Verdict,
    ) -> (u32, Verdict) {
        let go_on = Verdict::answer;
        let (
            Thread {
                tgid,
                start,
                own_pid,
            },
            alone,
        ) = self.identify(n.pid).unwrap_or((
            Thread {
                tgid: n.pid,
                start: 0,
                // No process has this id: no own-pid condition holds.
                own_pid: 0x7fff_ffff,
            },
            false,
        ));
        let call = Abi::NATIVE.syscall(n.data.nr as u32);
        let is_exec = matches!(call, Some(Syscall::execve | Syscall::execveat));
        if tgid == self.child && !self.started {
            // seclude's own code, between the filter and the exec.
            if is_exec {
                self.started = true;
                self.expect_exec(tgid, start, n.pid, State::LOADED, Image::Started);
            }
            return (tgid, go_on(Response::Continue));
        }
        let state = self.settle(tgid, start, n.pid);
        if call == Some(Syscall::prctl)
            && n.data.args[0] as u32 == MARKER_OPTION
            && n.data.args[1] as u32 == MARKER_ARG
        {
            let loaded = State {
                image: state.image,
                ..State::LOADED
            };
            match self.processes.get_mut(&tgid) {
                Some(process) if process.exec.is_none() => process.state = loaded,
                _ => self.set(tgid, start, loaded, None),
            }
            return (tgid, go_on(Response::Return(0)));
        }
        let caller = Caller {
            phase: state.phase_at(tgid, n.data.instruction_pointer, alone),
            image: state.image,
            listener,
            own_pid,
        };
        let verdict = handler(n, caller);
        if is_exec && matches!(verdict.response, Response::Continue) {
            self.expect_exec(tgid, start, n.pid, state, Image::Executed);
        }
        (tgid, verdict)
    }

    fn set(&mut self, tgid: u32, start: u64, state: State, identity: Option<Identity>) {
        self.processes.insert(
            tgid,
            Process {
                start,
                state,
                exec: None,
                identity,
            },
        );
    }

    /// Records an exec (by thread `tid`) about to be let through, whose
    /// image will be `next`.
    fn expect_exec(&mut self, tgid: u32, start: u64, tid: u32, state: State, next: Image) {
        let known = self
            .processes
            .get(&tgid)
            .filter(|p| p.start == start)
            .and_then(|p| p.identity.clone());
        let before = known.unwrap_or_else(|| Identity::of(tid, self.follow_images));
        self.processes.insert(
            tgid,
            Process {
                start,
                state,
                exec: Some(PendingExec {
                    tid,
                    before: before.clone(),
                    prior: state,
                    next,
                }),
                identity: self.follow_images.then_some(before),
            },
        );
    }

    /// The state of a process seclude has not seen before (a fork):
    /// `Loaded`; and when images are followed, `Started` only if its image
    /// is the started program's (a fork keeps its parent's), recorded.
    fn newcomer(&mut self, tgid: u32, start: u64, tid: u32) -> State {
        if !self.follow_images {
            return State::LOADED;
        }
        self.resolve_first();
        let identity = Identity::of(tid, true);
        let image = match &self.first {
            Some(first) if identity.same_as(first) => Image::Started,
            _ => Image::Executed,
        };
        let state = State {
            image,
            ..State::LOADED
        };
        self.set(tgid, start, state, Some(identity));
        state
    }

    /// Resolves the started program's exec if it is still pending (a fork
    /// of it may call before it does), and only while its pid is surely
    /// its own: seclude's child, not reaped yet (a zombie reads as empty).
    fn resolve_first(&mut self) {
        if self.first.is_some() || self.child_reaped {
            return;
        }
        let child = self.child;
        let pending = self.processes.get(&child).and_then(|p| p.exec.as_ref());
        if pending.is_some_and(|pending| pending.next == Image::Started) {
            // Not a failed exec even if unchanged: no thread of it waits.
            self.resolve_exec(child, child, false);
        }
    }

    /// Resolves `tgid`'s pending exec from its image read now through
    /// thread `reader`: a changed, filled vector is the new image; an
    /// unchanged one a failed exec, if `reader` is the thread that made
    /// it and `may_have_failed`. Returns whether the exec is still pending.
    fn resolve_exec(&mut self, tgid: u32, reader: u32, may_have_failed: bool) -> bool {
        let Some(process) = self.processes.get_mut(&tgid) else {
            return false;
        };
        let Some(pending) = process.exec.take() else {
            return false;
        };
        let now = Identity::of(reader, self.follow_images);
        // Mid-exec (a call of a thread the exec is about to end, read
        // after the new memory is in place) the new vector is still
        // zeros: only a filled one is the new image's.
        if !pending.before.auxv.is_empty() && now.differs_from(&pending.before) && now.filled() {
            process.state = State {
                image: pending.next,
                ..loading_state(tgid, &now.auxv)
            };
            if self.follow_images {
                process.identity = Some(now.clone());
            }
            if pending.next == Image::Started {
                self.first = Some(now);
            }
            false
        } else if may_have_failed && reader == pending.tid && now.same_as(&pending.before) {
            process.state = pending.prior;
            false
        } else {
            process.exec = Some(pending);
            true
        }
    }

    /// The state of `tgid` now, for a call of its thread `tid`, resolving
    /// an exec let through earlier: a changed, filled auxiliary vector is a
    /// new image; an unchanged one is a failed exec only once the thread
    /// that made it calls again. Another thread may call before the exec
    /// has replaced the image (and its threads), or be read while it does:
    /// its call is judged strictly, and the exec stays pending.
    fn settle(&mut self, tgid: u32, start: u64, tid: u32) -> State {
        let Some(process) = self.processes.get_mut(&tgid) else {
            return self.newcomer(tgid, start, tid);
        };
        if process.start != start {
            // Another process with a reused pid.
            self.processes.remove(&tgid);
            return self.newcomer(tgid, start, tid);
        }
        // Read through the calling thread, alive and waiting: the main
        // thread may have ended, which empties /proc/TGID.
        if self.resolve_exec(tgid, tid, true) {
            return State::LOADED;
        }
        self.processes[&tgid].state
    }
}

/// A NUL-terminated string at `address` in process `pid` (at most a
/// page): what a path argument pointed at when seclude looked, which the
/// process may have changed since. A hint, or the name of a call seclude
/// then performs itself; never a reason to let the call continue.
pub fn read_string(pid: u32, address: u64) -> Option<std::path::PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let bytes = read_c_string(&format!("/proc/{pid}/mem"), address)?;
    Some(std::path::PathBuf::from(std::ffi::OsString::from_vec(
        bytes,
    )))
}

/// A NUL-terminated string at `address` in the memory file `mem` (a
/// /proc `mem` entry), without its NUL: at most `PATH_MAX` bytes, read up
/// to a page boundary at a time (the string may end before an unmapped
/// page). `None` if it cannot be read or is longer.
pub fn read_c_string(mem: &str, address: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mem = std::fs::File::open(mem).ok()?;
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    while len < buf.len() {
        let at = address + len as u64;
        let to_page = 4096 - (at % 4096) as usize;
        let end = (len + to_page).min(buf.len());
        let got = mem.read_at(&mut buf[len..end], at).ok()?;
        if got == 0 {
            return None;
        }
        if let Some(nul) = buf[len..len + got].iter().position(|&b| b == 0) {
            buf.truncate(len + nul);
            return Some(buf);
        }
        len += got;
    }
    None
}

/// What seclude reads of /proc/ID/stat.
struct ProcStat {
    /// The thread's (or process's) start time.
    start: u64,
    /// The number of threads of its process.
    threads: u64,
}

impl ProcStat {
    fn read(id: u32) -> Option<ProcStat> {
        let stat = read_proc(&format!("/proc/{id}/stat"))?;
        // The name (field 2) may hold spaces and parentheses: count from
        // the last ')'. Field 20 (num_threads) is the 18th after it, field
        // 22 (starttime) the 20th.
        let mut after = stat[stat.rfind(')')? + 1..].split_whitespace().skip(17);
        let threads = after.next()?.parse().ok()?;
        let start = after.nth(1)?.parse().ok()?;
        Some(ProcStat { start, threads })
    }
}

/// A thread's (or process's) start time, from /proc/ID/stat.
fn start_time(id: u32) -> Option<u64> {
    ProcStat::read(id).map(|stat| stat.start)
}

/// A /proc file, in a read or two: `std::fs::read_to_string` asks for its
/// size first (0 for these) and then reads from 32 bytes up, doubling,
/// about ten calls for a process's maps on each notification.
fn read_proc(path: &str) -> Option<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut bytes = vec![0; 16 * 1024];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes.resize(2 * len, 0);
        }
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    bytes.truncate(len);
    // Only the fields seclude reads must be valid: a file name in maps
    // may not be UTF-8.
    Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A thread's process id, that process's start time and its id in its
/// own pid namespace, from /proc (`own_start`, the thread's own, is the
/// process's for its main thread).
fn identify(tid: u32, own_start: u64) -> Option<Thread> {
    let status = read_proc(&format!("/proc/{tid}/status"))?;
    let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name));
    let tgid = field("Tgid:")?.trim().parse().ok()?;
    // One id per namespace, the innermost last (Linux 4.1).
    let own_pid = field("NStgid:")
        .and_then(|ids| ids.split_whitespace().last())
        .and_then(|id| id.parse().ok())
        .unwrap_or(tgid);
    let start = if tgid == tid {
        own_start
    } else {
        start_time(tgid)?
    };
    Some(Thread {
        tgid,
        start,
        own_pid,
    })
}

/// The state of a process that has just exec'd (`auxv`, its auxiliary
/// vector): `Loading` if a system loader runs it, for the calls made from
/// the loader's code, until the marker's call if the marker is preloaded.
/// Without the marker, only a loader that is not also the C library
/// (glibc's, not musl's, whose loader is its libc) gets the allowance:
/// calls from its code are then the loader's own. `Loaded` otherwise.
fn loading_state(tgid: u32, auxv: &[u8]) -> State {
    let loader = match elf::inspect(Path::new(&format!("/proc/{tgid}/exe"))) {
        Ok(elf::Executable::Elf {
            interpreter: Some(loader),
            ..
        }) if elf::trusted_loader(&loader) => loader,
        _ => return State::LOADED,
    };
    // The kernel resolves a relative PT_INTERP from the program's working
    // directory, not seclude's: only an absolute one names a known file.
    if !loader.is_absolute() {
        return State::LOADED;
    }
    let Ok(file) = std::fs::metadata(&loader) else {
        return State::LOADED;
    };
    let loader_file = {
        use std::os::unix::fs::MetadataExt;
        (file.dev(), file.ino())
    };
    let Some(loader_text) = loader_text(tgid, auxv, loader_file) else {
        return State::LOADED;
    };
    let marked = marker_preloaded(tgid);
    let loader_is_libc = std::fs::canonicalize(&loader).is_ok_and(|real| {
        real.file_name()
            .is_some_and(|n| n.as_bytes().starts_with(b"ld-musl"))
    });
    if !marked && loader_is_libc {
        return State::LOADED;
    }
    State {
        phase: Phase::Loading,
        loader_text,
        loader_file,
        marked,
        image: Image::Executed,
    }
}

/// The loader's executable mapping: where the auxiliary vector's
/// `AT_BASE` is, the loader's file (`file`, device and inode) must be
/// mapped; its executable segments' first and last addresses, from
/// /proc/PID/maps.
fn loader_text(tgid: u32, auxv: &[u8], file: (u64, u64)) -> Option<(u64, u64)> {
    const AT_BASE: u64 = 7;
    let base = auxv_entry(auxv, AT_BASE)?;
    if base == 0 {
        return None;
    }
    let maps = read_maps(tgid)?;
    if maps.iter().find(|m| m.start == base)?.file != Some(file) {
        return None;
    }
    let text = maps.iter().filter(|m| m.file == Some(file) && m.executable);
    let start = text.clone().map(|m| m.start).min()?;
    let end = text.map(|m| m.end).max()?;
    Some((start, end))
}

/// One line of /proc/PID/maps.
struct Mapping {
    start: u64,
    end: u64,
    executable: bool,
    /// Device (as `st_dev` encodes it) and inode of a mapped file.
    file: Option<(u64, u64)>,
}

fn read_maps(tgid: u32) -> Option<Vec<Mapping>> {
    let maps = read_proc(&format!("/proc/{tgid}/maps"))?;
    Some(maps.lines().filter_map(parse_mapping).collect())
}

/// `start-end perms offset major:minor inode [path]`.
fn parse_mapping(line: &str) -> Option<Mapping> {
    let mut fields = line.split_whitespace();
    let (start, end) = fields.next()?.split_once('-')?;
    let perms = fields.next()?;
    let _offset = fields.next()?;
    let (major, minor) = fields.next()?.split_once(':')?;
    let inode: u64 = fields.next()?.parse().ok()?;
    let major = u64::from_str_radix(major, 16).ok()?;
    let minor = u64::from_str_radix(minor, 16).ok()?;
    // The kernel's dev_t encoding (as st_dev reports it).
    let dev = ((major & 0xfff) << 8)
        | ((major & !0xfff) << 32)
        | (minor & 0xff)
        | ((minor & !0xff) << 12);
    Some(Mapping {
        start: u64::from_str_radix(start, 16).ok()?,
        end: u64::from_str_radix(end, 16).ok()?,
        executable: perms.as_bytes().get(2) == Some(&b'x'),
        file: (inode != 0).then_some((dev, inode)),
    })
}

/// The file mapped executable at `ip` in process `tgid`, now.
fn mapped_file_at(tgid: u32, ip: u64) -> Option<(u64, u64)> {
    read_maps(tgid)?
        .into_iter()
        .find(|m| (m.start..m.end).contains(&ip) && m.executable)?
        .file
}

/// Whether `LD_PRELOAD` in the process's (initial) environment names one
/// of its descriptors that is seclude's marker memfd.
fn marker_preloaded(tgid: u32) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{tgid}/environ")) else {
        return false;
    };
    let Some(preload) = environ
        .split(|&b| b == 0)
        .find_map(|var| var.strip_prefix(b"LD_PRELOAD="))
    else {
        return false;
    };
    String::from_utf8_lossy(preload)
        .split([':', ' '])
        .filter_map(|item| item.strip_prefix("/proc/self/fd/"))
        .filter_map(|fd| fd.parse::<u32>().ok())
        .any(|fd| {
            std::fs::read_link(format!("/proc/{tgid}/fd/{fd}"))
                .is_ok_and(|target| target.as_os_str().as_bytes().starts_with(MARKER_LINK))
        })
}

/// What /proc/PID/fd/N shows for the marker memfd.
const MARKER_LINK: &[u8] = b"/memfd:seclude-marker ";

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
    launch: &Launch,
    handoff: &mut Handoff,
    parent: &ParentWatch,
    setup: &mut dyn FnMut() -> Result<(), Failure>,
    filter: &mut [Instruction],
    argv: &[*const u8],
    envp: &[*const u8],
) -> ! {
    if let Err(failure) = setup() {
        handoff.fail(failure.code, format_args!("{}", failure.message));
        seclude::sys::exit_group(failure.code as i32);
    }
    // The program dies with seclude (set after the ids changed, which
    // clears it). Without seclude its filter still fails closed: the calls
    // it would have judged fail with ENOSYS.
    const PR_SET_PDEATHSIG: usize = 1;
    let prctl = Abi::NATIVE.number(Syscall::prctl).expect("prctl") as usize;
    // SAFETY: integer arguments.
    let _ = unsafe { seclude::sys::syscall2(prctl, PR_SET_PDEATHSIG, process::SIGKILL as usize) };
    // A seclude killed before that sends no signal: the child ends rather
    // than run unsupervised. (Nor would its filter fail closed then: the
    // listener stays open in the descriptor table the child shares until
    // its exec, and its notified calls would wait for ever.)
    if parent.gone() {
        seclude::sys::exit_group(exit::SETUP as i32);
    }
    // The filter's own part only: the prefix holds an address, never the
    // pid's stand-in.
    let own = filter.len() - launch.filter.len();
    seclude::pledge::patch_self_pid(&mut filter[own..], seclude::sys::getpid());
    match load(filter, FilterFlags::NEW_LISTENER) {
        Ok(Some(listener)) => {
            handoff.listener.store(listener, Ordering::Relaxed);
            handoff.state.store(STATE_LISTENING, Ordering::Release);
            let _ = futex_wake(&handoff.state, 1);
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
    // Its seccomp() call reaches seclude, which lets the child's own calls
    // continue until the exec.
    if !launch.extra_filter.is_empty() {
        if let Err(e) = load(&launch.extra_filter, FilterFlags::empty()) {
            handoff.fail(
                exit::SETUP,
                format_args!("installing the policy file's seccomp filter: {e:?}"),
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

/// How the child tells that seclude has ended, once its parent-death
/// signal is set (before, seclude's end sends no signal): its parent id is
/// no longer seclude's, taken before the fork. (Taken by the child when it
/// starts, it could already be the reaper's.)
struct ParentWatch {
    /// seclude's pid as the child sees it; `None` in a new pid namespace,
    /// where seclude has no id and the child cannot tell. (A pidfd would
    /// tell, but the child closes the descriptors it does not keep.)
    pid: Option<u32>,
}

impl ParentWatch {
    /// In seclude, before the fork with `clone_flags`.
    fn new(clone_flags: u64) -> ParentWatch {
        const CLONE_NEWPID: u64 = 0x2000_0000;
        ParentWatch {
            pid: (clone_flags & CLONE_NEWPID == 0).then(seclude::sys::getpid),
        }
    }

    /// In the child: whether seclude has ended.
    fn gone(&self) -> bool {
        self.pid.is_some_and(|pid| process::getppid() != pid)
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

    #[test]
    fn maps_lines_name_files_as_stat_does() {
        use std::os::unix::fs::MetadataExt;
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let meta = std::fs::metadata(&exe).unwrap();
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let line = maps
            .lines()
            .find(|l| {
                l.ends_with(exe.to_str().unwrap())
                    && l.split_whitespace().nth(1).unwrap().contains('x')
            })
            .unwrap();
        let m = parse_mapping(line).unwrap();
        assert!(m.executable);
        assert_eq!(m.file, Some((meta.dev(), meta.ino())));
        // Large device numbers, as glibc's makedev encodes them: major
        // 0x123, minor 0x45678.
        let m = parse_mapping("1000-2000 r-xp 00000000 123:45678 9 /x").unwrap();
        assert_eq!(m.file, Some((0x4561_2378, 9)));
        assert!(
            parse_mapping("1000-2000 rw-p 00000000 00:00 0")
                .unwrap()
                .file
                .is_none()
        );
    }
}
