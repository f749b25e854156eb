//! Processes and credentials: fork, wait, kill, user and group ids.
//!
//! i386 and 32-bit Arm have two sets of id calls, 16-bit ones under the
//! plain names and 32-bit ones under `*32` names; every other ABI has only
//! 32-bit ones under the plain names. The `*32` calls are picked here, once.

use super::fd::OwnedFd;
use super::{syscall0, syscall2, syscall3, syscall5};
use crate::errno::Errno;
use crate::tables::constants::native;
use crate::tables::native_nr;

/// The signal number of `SIGCHLD`.
pub const SIGCHLD: i32 = native::SIGCHLD as i32;
/// The signal number of `SIGKILL`.
pub const SIGKILL: i32 = native::SIGKILL as i32;
/// The signal number of `SIGSYS` (what a seccomp "kill" looks like).
pub const SIGSYS: i32 = native::SIGSYS as i32;

macro_rules! id_call {
    ($plain:ident, $wide:ident) => {{
        #[cfg(any(target_arch = "x86", target_arch = "arm"))]
        let nr = $crate::tables::native_nr!($wide);
        #[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
        let nr = $crate::tables::native_nr!($plain);
        nr
    }};
}
pub(crate) use id_call;

/// Which side of a fork the caller is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Forked {
    /// The new process.
    Child,
    /// The caller, with the child's pid.
    Parent(i32),
}

/// Creates a child process, like `fork`, optionally in new namespaces
/// (`clone` with `flags | SIGCHLD`, no new stack: the child continues on a
/// copy of the caller's).
///
/// `clone` with `CLONE_NEWUSER` works from a multithreaded process, where
/// `unshare(CLONE_NEWUSER)` does not, and `CLONE_NEWPID` makes the child
/// itself pid 1 of the new namespace.
///
/// # Safety
/// As with `fork` in a multithreaded program: the child has only the
/// calling thread, and any lock another thread held (an allocator's, a
/// `Mutex`) stays locked forever in the child. Until it execs or exits the
/// child must only use what needs no such lock (seclude itself takes none).
/// The child must leave through [`exit_group`](super::exit_group) or an
/// exec, never by returning into code that expects to be the parent.
pub unsafe fn fork(namespace_flags: u64) -> Result<Forked, Errno> {
    let flags = namespace_flags as usize | SIGCHLD as usize;
    // s390 takes the stack first and the flags second (CLONE_BACKWARDS2);
    // with no stack and no tid pointers every other ABI's order agrees.
    #[cfg(target_arch = "s390x")]
    let (a0, a1) = (0, flags);
    #[cfg(not(target_arch = "s390x"))]
    let (a0, a1) = (flags, 0);
    // SAFETY: no new stack and no tid or tls pointers: the kernel copies the
    // address space; the caller upholds the contract above.
    let pid = unsafe { syscall5(native_nr!(clone), a0, a1, 0, 0, 0) }?;
    Ok(match pid {
        0 => Forked::Child,
        pid => Forked::Parent(pid as i32),
    })
}

/// How a child process ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExitStatus {
    /// It exited with this status (0..=255).
    Exited(i32),
    /// A signal killed it.
    Killed {
        /// The signal.
        signal: i32,
        /// Whether it dumped core.
        core_dumped: bool,
    },
}

/// Waits for child `pid` to end and reaps it (`waitid(P_PID, pid, ..,
/// WEXITED)`, retried on `EINTR`).
///
/// ```
/// use seclude::sys::process::{fork, wait, ExitStatus, Forked};
/// # // The doctest binary is single-threaded until here.
/// match unsafe { fork(0) }.unwrap() {
///     Forked::Child => seclude::sys::exit_group(7),
///     Forked::Parent(pid) => assert_eq!(wait(pid), Ok(ExitStatus::Exited(7))),
/// }
/// ```
pub fn wait(pid: i32) -> Result<ExitStatus, Errno> {
    // Without WNOHANG the kernel reports only an ended child.
    waitid(P_PID, pid, 0).map(|ended| ended.map_or(ExitStatus::Exited(0), |(_, status)| status))
}

/// Reaps child `pid` if it has ended, without waiting: `None` while it
/// runs (or is stopped). `waitid(.., WEXITED | WNOHANG)`.
///
/// ```
/// use seclude::sys::process::{fork, kill, try_wait, wait, ExitStatus, Forked, SIGKILL};
/// match unsafe { fork(0) }.unwrap() {
///     Forked::Child => loop { core::hint::spin_loop() },
///     Forked::Parent(pid) => {
///         assert_eq!(try_wait(pid), Ok(None));
///         kill(pid, SIGKILL).unwrap();
///         let ended = wait(pid).unwrap();
///         assert_eq!(ended, ExitStatus::Killed { signal: SIGKILL, core_dumped: false });
///     }
/// }
/// ```
pub fn try_wait(pid: i32) -> Result<Option<ExitStatus>, Errno> {
    waitid(P_PID, pid, WNOHANG).map(|ended| ended.map(|(_, status)| status))
}

/// Reaps any one ended child, without waiting: its pid and how it ended,
/// or `None` if no child has ended (or there is none).
/// `waitid(P_ALL, .., WEXITED | WNOHANG)`. A subreaper reaps the orphans
/// it adopted this way; call it until it returns `None`.
///
/// ```
/// use seclude::sys::process::{fork, try_wait_any, ExitStatus, Forked};
/// match unsafe { fork(0) }.unwrap() {
///     Forked::Child => seclude::sys::exit_group(3),
///     Forked::Parent(pid) => loop {
///         if let Some((reaped, status)) = try_wait_any().unwrap() {
///             assert_eq!((reaped, status), (pid, ExitStatus::Exited(3)));
///             break;
///         }
///     },
/// }
/// ```
pub fn try_wait_any() -> Result<Option<(i32, ExitStatus)>, Errno> {
    match waitid(P_ALL, 0, WNOHANG) {
        Err(Errno::ECHILD) => Ok(None),
        other => other,
    }
}

const P_ALL: usize = 0;
const P_PID: usize = 1;
const WNOHANG: usize = 1;

/// `waitid(idtype, id, .., WEXITED | extra)`, retried on `EINTR`: the pid
/// and status of the child reaped, `None` when the kernel reported none
/// (`WNOHANG` and nothing ended).
fn waitid(idtype: usize, id: i32, extra: usize) -> Result<Option<(i32, ExitStatus)>, Errno> {
    const WEXITED: usize = 4;
    // Zeroed, so that si_pid stays 0 when WNOHANG finds nothing.
    let mut info = [0u8; SIGINFO_SIZE];
    loop {
        // SAFETY: the kernel writes one siginfo_t (128 bytes) into info; no
        // rusage is asked for. The kernel's stores need no alignment of us
        // (copy_to_user), and the bytes are read back by decode_waitid.
        let r = unsafe {
            syscall5(
                native_nr!(waitid),
                idtype,
                id as usize,
                info.as_mut_ptr() as usize,
                WEXITED | extra,
                0,
            )
        };
        match r {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    Ok(decode_waitid(&info, SiginfoLayout::NATIVE))
}

/// The size of a `siginfo_t`, on every architecture.
const SIGINFO_SIZE: usize = 128;

/// How an architecture lays out a `siginfo_t`: the byte order of its
/// fields and the width of a pointer, which sets where the union after
/// `si_signo`, `si_errno` and `si_code` starts (it holds pointers, so it is
/// pointer-aligned: byte 16 on 64-bit ABIs, byte 12 on 32-bit ones, x32
/// included, whose kernel writes the compat layout).
#[derive(Clone, Copy, Debug)]
struct SiginfoLayout {
    big_endian: bool,
    pointer_bytes: usize,
}

impl SiginfoLayout {
    /// The layout of the architecture this is built for.
    const NATIVE: SiginfoLayout = SiginfoLayout {
        big_endian: cfg!(target_endian = "big"),
        pointer_bytes: core::mem::size_of::<usize>(),
    };

    /// The 32-bit `int` at byte `offset` (a multiple of 4, below 128).
    fn int_at(self, info: &[u8; SIGINFO_SIZE], offset: usize) -> i32 {
        let bytes = [
            info[offset],
            info[offset + 1],
            info[offset + 2],
            info[offset + 3],
        ];
        if self.big_endian {
            i32::from_be_bytes(bytes)
        } else {
            i32::from_le_bytes(bytes)
        }
    }

    /// Where the union of `siginfo_t` starts.
    fn union_start(self) -> usize {
        // si_signo, si_errno, si_code, rounded up to a pointer.
        (3 * 4usize).next_multiple_of(self.pointer_bytes)
    }
}

/// The pid and status of the child a `waitid` record (a `siginfo_t` laid out
/// as `layout` says) reports, `None` if it reports none (`si_pid` 0:
/// `WNOHANG` and nothing ended). For `SIGCHLD` the union holds `si_pid`,
/// `si_uid`, `si_status` (32-bit each, in that order); `si_code` says
/// whether `si_status` is an exit code or a signal.
fn decode_waitid(info: &[u8; SIGINFO_SIZE], layout: SiginfoLayout) -> Option<(i32, ExitStatus)> {
    const CLD_EXITED: i32 = 1;
    const CLD_DUMPED: i32 = 3;
    let union = layout.union_start();
    let pid = layout.int_at(info, union);
    if pid == 0 {
        return None;
    }
    let code = layout.int_at(info, 8);
    let status = layout.int_at(info, union + 8);
    Some((
        pid,
        if code == CLD_EXITED {
            ExitStatus::Exited(status)
        } else {
            ExitStatus::Killed {
                signal: status,
                core_dumped: code == CLD_DUMPED,
            }
        },
    ))
}

/// Sends `signal` to process `pid` (`kill`).
///
/// ```
/// // Signal 0 checks that the process exists.
/// seclude::sys::process::kill(std::process::id() as i32, 0).unwrap();
/// ```
pub fn kill(pid: i32, signal: i32) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe {
        syscall2(
            native_nr!(kill),
            pid as isize as usize,
            signal as isize as usize,
        )
    }
    .map(drop)
}

/// The caller's real user id.
///
/// ```
/// # extern crate libc;
/// assert_eq!(seclude::sys::process::getuid(), unsafe { libc::getuid() });
/// ```
pub fn getuid() -> u32 {
    // SAFETY: no arguments.
    unsafe { syscall0(id_call!(getuid, getuid32)) }.unwrap_or(0) as u32
}

/// The caller's effective user id.
///
/// ```
/// # extern crate libc;
/// assert_eq!(seclude::sys::process::geteuid(), unsafe { libc::geteuid() });
/// ```
pub fn geteuid() -> u32 {
    // SAFETY: no arguments.
    unsafe { syscall0(id_call!(geteuid, geteuid32)) }.unwrap_or(0) as u32
}

/// The caller's real group id.
///
/// ```
/// # extern crate libc;
/// assert_eq!(seclude::sys::process::getgid(), unsafe { libc::getgid() });
/// ```
pub fn getgid() -> u32 {
    // SAFETY: no arguments.
    unsafe { syscall0(id_call!(getgid, getgid32)) }.unwrap_or(0) as u32
}

/// The caller's effective group id.
///
/// ```
/// # extern crate libc;
/// assert_eq!(seclude::sys::process::getegid(), unsafe { libc::getegid() });
/// ```
pub fn getegid() -> u32 {
    // SAFETY: no arguments.
    unsafe { syscall0(id_call!(getegid, getegid32)) }.unwrap_or(0) as u32
}

/// The caller's parent's process id, as the caller's pid namespace sees
/// it: 0 when the parent is outside it (the caller is the namespace's
/// init, say).
///
/// ```
/// # extern crate libc;
/// assert_eq!(seclude::sys::process::getppid(), unsafe { libc::getppid() } as u32);
/// ```
pub fn getppid() -> u32 {
    // SAFETY: no arguments.
    unsafe { syscall0(native_nr!(getppid)) }.unwrap_or(0) as u32
}

/// Sets the real, effective and saved user ids (`setresuid`) of the
/// calling thread only: the raw call is per thread, unlike libc's wrapper,
/// which signals every thread to follow.
///
/// ```
/// // Setting the ids one already has is always allowed.
/// let uid = seclude::sys::process::getuid();
/// seclude::sys::process::setresuid(uid, uid, uid).unwrap();
/// # let _ = uid;
/// ```
pub fn setresuid(real: u32, effective: u32, saved: u32) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe {
        syscall3(
            id_call!(setresuid, setresuid32),
            real as usize,
            effective as usize,
            saved as usize,
        )
    }
    .map(drop)
}

/// Sets the real, effective and saved group ids (`setresgid`) of the
/// calling thread only.
///
/// ```
/// let gid = seclude::sys::process::getgid();
/// seclude::sys::process::setresgid(gid, gid, gid).unwrap();
/// ```
pub fn setresgid(real: u32, effective: u32, saved: u32) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe {
        syscall3(
            id_call!(setresgid, setresgid32),
            real as usize,
            effective as usize,
            saved as usize,
        )
    }
    .map(drop)
}

/// Sets the supplementary groups of the calling thread (`setgroups`); an
/// empty slice clears them.
///
/// ```no_run
/// seclude::sys::process::setgroups(&[]).unwrap();
/// ```
pub fn setgroups(groups: &[u32]) -> Result<(), Errno> {
    // SAFETY: the kernel reads groups.len() gids from the slice.
    unsafe {
        syscall2(
            id_call!(setgroups, setgroups32),
            groups.len(),
            groups.as_ptr() as usize,
        )
    }
    .map(drop)
}

/// The number of threads in the calling process (`Threads:` in
/// `/proc/self/status`); an error when `/proc` is not mounted.
///
/// ```
/// assert!(seclude::sys::process::thread_count().unwrap() >= 1);
/// ```
pub fn thread_count() -> Result<u32, Errno> {
    let mut status = [0u8; 4096];
    let text = super::fd::read_file(c"/proc/self/status", &mut status)?;
    threads_in_status(text).ok_or(Errno::EINVAL)
}

/// The `Threads:` count of a `/proc/<pid>/status` text.
fn threads_in_status(status: &[u8]) -> Option<u32> {
    status
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"Threads:"))
        .and_then(super::fd::parse_decimal)
        .and_then(|n| u32::try_from(n).ok())
}

/// Calls `prctl(option, a2, a3, a4, a5)`.
///
/// # Safety
/// Some options read or write memory through their arguments; the caller
/// must pass valid pointers for those.
pub unsafe fn prctl(
    option: u32,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> Result<usize, Errno> {
    // SAFETY: as the caller guarantees.
    unsafe { syscall5(native_nr!(prctl), option as usize, a2, a3, a4, a5) }
}

/// Whether the process is dumpable (`PR_GET_DUMPABLE`): 0 no, 1 yes, 2
/// only readable by root (`fs.suid_dumpable = 2` after a credential change).
///
/// ```
/// let d = seclude::sys::process::dumpable().unwrap();
/// assert!(d <= 2);
/// ```
pub fn dumpable() -> Result<u32, Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(native::PR_GET_DUMPABLE, 0, 0, 0, 0) }.map(|v| v as u32)
}

/// Makes the process dumpable or not (`PR_SET_DUMPABLE`). A non-dumpable
/// process leaves no core dump, and other processes of its user cannot
/// ptrace it or open most of its `/proc/<pid>` files.
///
/// ```no_run
/// seclude::sys::process::set_dumpable(false).unwrap();
/// assert_eq!(seclude::sys::process::dumpable(), Ok(0));
/// ```
pub fn set_dumpable(dumpable: bool) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(native::PR_SET_DUMPABLE, dumpable as usize, 0, 0, 0) }.map(drop)
}

/// Has the kernel send `signal` to the calling thread when the thread
/// that forked it ends (`PR_SET_PDEATHSIG`). Cleared by a change of
/// credentials and across a set-user-id exec; a parent that has already
/// ended sends nothing, so check `getppid` afterwards.
///
/// ```
/// use seclude::sys::process::{set_parent_death_signal, SIGKILL};
/// set_parent_death_signal(0).unwrap(); // none, as a process starts
/// ```
pub fn set_parent_death_signal(signal: i32) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(native::PR_SET_PDEATHSIG, signal as usize, 0, 0, 0) }.map(drop)
}

/// Makes the process the reaper of its descendants' orphans, or not
/// (`PR_SET_CHILD_SUBREAPER`): they are reparented to it, not to init,
/// and it reaps them.
///
/// ```
/// seclude::sys::process::set_child_subreaper(false).unwrap();
/// ```
pub fn set_child_subreaper(subreaper: bool) -> Result<(), Errno> {
    // `linux/prctl.h`, the same on every architecture.
    const PR_SET_CHILD_SUBREAPER: u32 = 36;
    // SAFETY: integer arguments only.
    unsafe { prctl(PR_SET_CHILD_SUBREAPER, subreaper as usize, 0, 0, 0) }.map(drop)
}

/// Runs `path` in place of the calling process (`execve`); returns only
/// if that failed, with the reason.
///
/// # Safety
/// `argv` and `envp` must point to NULL-terminated arrays of pointers to
/// NUL-terminated strings, valid for the call.
///
/// ```no_run
/// let argv = [c"true".as_ptr().cast::<u8>(), core::ptr::null()];
/// let envp = [core::ptr::null()];
/// // SAFETY: NULL-terminated arrays of C strings.
/// let e = unsafe { seclude::sys::process::execve(c"/bin/true", argv.as_ptr(), envp.as_ptr()) };
/// panic!("exec failed: {e}");
/// ```
pub unsafe fn execve(
    path: &core::ffi::CStr,
    argv: *const *const u8,
    envp: *const *const u8,
) -> Errno {
    // SAFETY: as the caller guarantees; the path is NUL-terminated.
    let result = unsafe {
        syscall3(
            native_nr!(execve),
            path.as_ptr() as usize,
            argv as usize,
            envp as usize,
        )
    };
    result.err().unwrap_or(Errno::EINVAL)
}

/// Whether the thread keeps its permitted capabilities when its user ids
/// all stop being 0 (`PR_SET_KEEPCAPS`; cleared by an exec).
///
/// ```
/// seclude::sys::process::set_keep_caps(false).unwrap();
/// ```
pub fn set_keep_caps(keep: bool) -> Result<(), Errno> {
    // `linux/prctl.h`, the same on every architecture.
    const PR_SET_KEEPCAPS: u32 = 8;
    // SAFETY: integer arguments only.
    unsafe { prctl(PR_SET_KEEPCAPS, keep as usize, 0, 0, 0) }.map(drop)
}

/// Gives the calling process the least claim on the machine: nice 19
/// (`setpriority`), the idle I/O class (`ioprio_set`) and the idle
/// scheduling policy (`sched_setscheduler(SCHED_IDLE)`), in that order;
/// the first refusal stops it, with the call's name.
///
/// ```no_run
/// seclude::sys::process::make_idle().unwrap();
/// ```
pub fn make_idle() -> Result<(), (&'static str, Errno)> {
    // `linux/resource.h`, `linux/ioprio.h`, `linux/sched.h`.
    const PRIO_PROCESS: usize = 0;
    const IOPRIO_WHO_PROCESS: usize = 1;
    const IOPRIO_CLASS_IDLE: usize = 3 << 13;
    const SCHED_IDLE: usize = 5;
    // SAFETY: integer arguments only (0: the calling process).
    unsafe { syscall3(native_nr!(setpriority), PRIO_PROCESS, 0, 19) }
        .map_err(|e| ("setpriority", e))?;
    // SAFETY: as above.
    unsafe {
        syscall3(
            native_nr!(ioprio_set),
            IOPRIO_WHO_PROCESS,
            0,
            IOPRIO_CLASS_IDLE,
        )
    }
    .map_err(|e| ("ioprio_set", e))?;
    // struct sched_param: one int, the priority, 0 for SCHED_IDLE.
    let param = 0i32;
    // SAFETY: the pointer is to a sched_param that outlives the call.
    unsafe {
        syscall3(
            native_nr!(sched_setscheduler),
            0,
            SCHED_IDLE,
            &param as *const i32 as usize,
        )
    }
    .map_err(|e| ("sched_setscheduler", e))?;
    Ok(())
}

/// A descriptor for process `pid` (`pidfd_open`, Linux 5.3), close-on-exec:
/// it polls readable once the process has ended, whichever pid namespace
/// the one polling is in.
///
/// ```
/// use seclude::sys::fd::{poll, PollFd, POLLIN};
/// let me = seclude::sys::process::pidfd_open(seclude::sys::getpid()).unwrap();
/// // Still running: not readable.
/// assert_eq!(poll(&mut [PollFd::new(me.raw(), POLLIN)], Some(0)), Ok(0));
/// ```
pub fn pidfd_open(pid: u32) -> Result<OwnedFd, Errno> {
    // SAFETY: integer arguments; the kernel returns a new descriptor.
    let fd = unsafe { syscall2(native_nr!(pidfd_open), pid as usize, 0) }?;
    // SAFETY: a new descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw(fd as i32) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts() {
        assert_eq!(
            threads_in_status(b"Name:\tx\nThreads:\t12\nSigQ:\t0/1\n"),
            Some(12)
        );
        assert_eq!(threads_in_status(b"Name:\tx\n"), None);
        assert!(thread_count().unwrap() >= 1);
    }

    const CLD_EXITED: i32 = 1;
    const CLD_KILLED: i32 = 2;
    const CLD_DUMPED: i32 = 3;

    /// A `waitid` record for an ended child as the kernel of an
    /// architecture with that byte order and pointer width writes it. The
    /// offsets are written out here, not taken from the decoder: si_signo
    /// at 0, si_errno at 4, si_code at 8, then the union at 16 (64-bit) or
    /// 12 (32-bit) with si_pid, si_uid, si_status, si_utime, si_stime.
    fn record(big_endian: bool, bits64: bool, code: i32, pid: i32, status: i32) -> [u8; 128] {
        let mut info = [0u8; 128];
        let mut put = |offset: usize, bytes: &[u8]| {
            info[offset..offset + bytes.len()].copy_from_slice(bytes);
        };
        let int = |v: i32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        put(0, &int(SIGCHLD));
        put(8, &int(code));
        let (pid_at, uid_at, status_at, times) = if bits64 {
            (16, 20, 24, 28..48)
        } else {
            (12, 16, 20, 24..32)
        };
        put(pid_at, &int(pid));
        // A uid unlike any pid or status here: read in the pid's place, or
        // the status's, it fails the test.
        put(uid_at, &int(60_001));
        put(status_at, &int(status));
        // si_utime and si_stime (and on 64-bit their alignment padding):
        // not zero, so a decoder reading there is caught too.
        for byte in &mut info[times] {
            *byte = 0x5a;
        }
        info
    }

    /// Every combination of byte order and pointer width.
    const LAYOUTS: [(bool, bool); 4] = [(false, true), (true, true), (false, false), (true, false)];

    fn layout(big_endian: bool, bits64: bool) -> SiginfoLayout {
        SiginfoLayout {
            big_endian,
            pointer_bytes: if bits64 { 8 } else { 4 },
        }
    }

    #[test]
    fn waitid_records_decode_on_both_byte_orders_and_widths() {
        for (big_endian, bits64) in LAYOUTS {
            let at = layout(big_endian, bits64);
            let decode = |code, pid, status| {
                decode_waitid(&record(big_endian, bits64, code, pid, status), at)
            };
            assert_eq!(
                decode(CLD_EXITED, 4242, 7),
                Some((4242, ExitStatus::Exited(7))),
                "big-endian: {big_endian}, 64-bit: {bits64}"
            );
            // A pid with bytes in all four places, and a status of 0.
            assert_eq!(
                decode(CLD_EXITED, 0x0102_0304, 0),
                Some((0x0102_0304, ExitStatus::Exited(0))),
                "big-endian: {big_endian}, 64-bit: {bits64}"
            );
            assert_eq!(
                decode(CLD_KILLED, 77, SIGKILL),
                Some((
                    77,
                    ExitStatus::Killed {
                        signal: SIGKILL,
                        core_dumped: false
                    }
                )),
                "big-endian: {big_endian}, 64-bit: {bits64}"
            );
            assert_eq!(
                decode(CLD_DUMPED, 78, SIGSYS),
                Some((
                    78,
                    ExitStatus::Killed {
                        signal: SIGSYS,
                        core_dumped: true
                    }
                )),
                "big-endian: {big_endian}, 64-bit: {bits64}"
            );
            // WNOHANG with nothing ended: the kernel leaves si_pid 0.
            assert_eq!(
                decode_waitid(&[0; 128], at),
                None,
                "big-endian: {big_endian}, 64-bit: {bits64}"
            );
        }
    }

    #[test]
    fn waitid_records_are_not_read_with_the_other_layouts() {
        // The test above would pass for a decoder blind to the layout if
        // the records were alike: they are not, and a record read with any
        // other layout gives a wrong pid (the uid, a byte-swapped pid, or
        // padding) or a wrong status.
        for (big_endian, bits64) in LAYOUTS {
            let info = record(big_endian, bits64, CLD_EXITED, 4242, 7);
            for (other_big, other_64) in LAYOUTS {
                if (other_big, other_64) != (big_endian, bits64) {
                    let read = decode_waitid(&info, layout(other_big, other_64));
                    assert_ne!(read, Some((4242, ExitStatus::Exited(7))));
                }
            }
        }
    }

    #[test]
    fn the_native_layout_is_the_c_librarys() {
        // libc's accessors (from the C library's headers, not from us) read
        // a record built for this architecture's byte order and width.
        let info = record(
            cfg!(target_endian = "big"),
            cfg!(target_pointer_width = "64"),
            CLD_EXITED,
            4242,
            7,
        );
        assert_eq!(core::mem::size_of::<libc::siginfo_t>(), info.len());
        // SAFETY: siginfo_t is plain data, 128 bytes (checked above).
        let theirs: libc::siginfo_t = unsafe { core::mem::transmute(info) };
        // SAFETY: a SIGCHLD record, whose union holds these fields.
        unsafe {
            assert_eq!(theirs.si_signo, SIGCHLD);
            assert_eq!(theirs.si_code, CLD_EXITED);
            assert_eq!(theirs.si_pid(), 4242);
            assert_eq!(theirs.si_uid(), 60_001);
            assert_eq!(theirs.si_status(), 7);
        }
        assert_eq!(
            decode_waitid(&info, SiginfoLayout::NATIVE),
            Some((4242, ExitStatus::Exited(7)))
        );
    }

    #[test]
    fn waitid_reports_the_pid_the_fork_returned() {
        // The native path end to end (also under qemu-user on big-endian
        // targets, which writes the guest's layout). P_PID, so a parallel
        // test's children are left alone.
        // SAFETY: the child only exits.
        match unsafe { fork(0) }.unwrap() {
            Forked::Child => crate::sys::exit_group(5),
            Forked::Parent(pid) => {
                assert_eq!(
                    waitid(P_PID, pid, 0),
                    Ok(Some((pid, ExitStatus::Exited(5))))
                );
            }
        }
    }
}
