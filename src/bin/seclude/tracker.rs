//! The loading state of the supervised processes: which process a
//! notified thread belongs to, whether its exec happened, and whether a
//! call comes from its loader while it loads (see [`Tracker`]).

use crate::elf;
use crate::marker::{MARKER_ARG, MARKER_OPTION};
use crate::procfs::{
    ProcStat, auxv_entry, mapped_file_at, marker_preloaded, read_maps, read_proc, read_proc_bytes,
    start_time,
};
use crate::verdict::{Caller, Image, Phase, Verdict};
use seclude::seccomp::notify::{Notification, Response};
use seclude::tables::{Abi, Syscall};
use std::collections::HashMap;
use std::path::Path;

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
        let auxv = read_proc_bytes(&format!("/proc/{tgid}/auxv")).unwrap_or_default();
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
pub struct Tracker {
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
    pub child_reaped: bool,
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
    /// A tracker of `child`, the started program, which has not made its
    /// exec yet.
    pub fn new(child: u32, follow_images: bool) -> Tracker {
        Tracker {
            child,
            started: false,
            follow_images,
            first: None,
            processes: HashMap::new(),
            threads: HashMap::new(),
            child_reaped: false,
        }
    }

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
    pub fn awaits_marker(&self, tgid: u32) -> bool {
        self.processes
            .get(&tgid)
            .is_some_and(|p| p.state.marked && p.state.phase == Phase::Loading)
    }

    /// Decides one notification; returns the caller's process id with the
    /// verdict.
    pub fn answer(
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
        }) => loader,
        _ => return State::LOADED,
    };
    // Only an absolute PT_INTERP names a known file (the kernel resolves
    // a relative one from the program's working directory): checked by
    // `examine_loader`.
    let Some(elf::TrustedLoader {
        file: loader_file,
        is_musl,
    }) = elf::examine_loader(&loader)
    else {
        return State::LOADED;
    };
    let Some(loader_text) = loader_text(tgid, auxv, loader_file) else {
        return State::LOADED;
    };
    let marked = marker_preloaded(tgid);
    if !marked && is_musl {
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
