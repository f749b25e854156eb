//! Installing a program: `no_new_privs`, then `seccomp(SECCOMP_SET_MODE_FILTER)`.
//!
//! The user-notification calls, which act on an installed filter, are in
//! `notify`.

use crate::bpf::{self, Action, Instruction, VerifyError};
use crate::errno::Errno;
use crate::sys;
use crate::tables::constants::native;
use crate::tables::native_nr;
use core::fmt;

const PR_SET_NO_NEW_PRIVS: usize = native::PR_SET_NO_NEW_PRIVS as usize;
const PR_GET_NO_NEW_PRIVS: usize = native::PR_GET_NO_NEW_PRIVS as usize;
const PR_SET_SECCOMP: usize = native::PR_SET_SECCOMP as usize;
const SECCOMP_MODE_FILTER: usize = 2;
const SECCOMP_SET_MODE_FILTER: usize = native::SECCOMP_SET_MODE_FILTER as usize;
const SECCOMP_GET_ACTION_AVAIL: usize = 2;

bitflags::bitflags! {
    /// Flags of `seccomp(SECCOMP_SET_MODE_FILTER)` (`SECCOMP_FILTER_FLAG_*`).
    ///
    /// ```
    /// use seclude::seccomp::FilterFlags;
    /// let flags = FilterFlags::TSYNC | FilterFlags::LOG;
    /// assert_eq!(flags.bits(), 3);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct FilterFlags: u32 {
        /// Install the filter on every thread of the process (Linux 3.17).
        const TSYNC = 1 << 0;
        /// Log every action except `Allow` (Linux 4.14).
        const LOG = 1 << 1;
        /// Do not enable the speculative-store-bypass mitigation (Linux 4.17).
        const SPEC_ALLOW = 1 << 2;
        /// Return a user-notification listener fd (Linux 5.0).
        const NEW_LISTENER = 1 << 3;
        /// With `TSYNC`: fail with `ESRCH` rather than a thread id (Linux 5.7).
        const TSYNC_ESRCH = 1 << 4;
        /// Notified tasks wait killably once the supervisor has the notification (Linux 6.0).
        const WAIT_KILLABLE_RECV = 1 << 5;
    }
}

/// Why a program was not installed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LoadError {
    /// The program is not one the kernel accepts (checked before the call).
    Invalid(VerifyError),
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    NoNewPrivs(Errno),
    /// `seccomp()` (or the `prctl` fallback) failed: `EINVAL` for flags this
    /// kernel does not know, `EACCES` without `no_new_privs` or
    /// `CAP_SYS_ADMIN`, `ENOMEM` past the kernel's total filter size limit.
    Seccomp(Errno),
    /// With [`FilterFlags::TSYNC`]: this thread could not be synchronised
    /// (it already has an incompatible filter).
    ThreadSync {
        /// The thread's id.
        tid: u32,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Invalid(e) => write!(f, "seccomp: invalid program: {e}"),
            LoadError::NoNewPrivs(e) => write!(f, "seccomp: prctl(PR_SET_NO_NEW_PRIVS): {e}"),
            LoadError::Seccomp(e) => write!(f, "seccomp: installing the filter: {e}"),
            LoadError::ThreadSync { tid } => {
                write!(f, "seccomp: thread {tid} could not be synchronised (TSYNC)")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for LoadError {}

/// The kernel's `struct sock_fprog`.
#[repr(C)]
struct SockFprog {
    len: u16,
    filter: *const Instruction,
}

/// Sets `no_new_privs` for the calling thread (inherited by children and
/// kept across `execve`): from then on `execve` cannot grant privileges, and
/// an unprivileged thread may install seccomp filters.
///
/// ```
/// // In a child, since it cannot be undone:
/// # if false {
/// seclude::seccomp::set_no_new_privs().unwrap();
/// assert!(seclude::seccomp::no_new_privs().unwrap());
/// # }
/// ```
pub fn set_no_new_privs() -> Result<(), Errno> {
    // SAFETY: prctl with integer arguments only.
    unsafe { sys::syscall5(native_nr!(prctl), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }.map(drop)
}

/// Whether `no_new_privs` is set for the calling thread.
///
/// ```
/// let _set: bool = seclude::seccomp::no_new_privs().unwrap();
/// ```
pub fn no_new_privs() -> Result<bool, Errno> {
    // SAFETY: prctl with integer arguments only.
    unsafe { sys::syscall5(native_nr!(prctl), PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) }.map(|v| v == 1)
}

/// Installs `program` as a seccomp filter of the calling thread (of every
/// thread with [`FilterFlags::TSYNC`]), after setting `no_new_privs`.
///
/// The program is verified first, so a bad one is a typed error rather
/// than the kernel's bare `EINVAL`. Falls back to `prctl(PR_SET_SECCOMP)` on
/// kernels without the `seccomp` syscall (before 3.17) when no flags are
/// asked for. Returns the listener fd when [`FilterFlags::NEW_LISTENER`] is
/// given, `None` otherwise. Filters stack: a later one can only restrict.
///
/// ```no_run
/// use seclude::bpf::{Action, Instruction};
/// use seclude::seccomp::{load, FilterFlags, Policy};
/// use seclude::tables::Syscall;
///
/// const POLICY: Policy<4> = Policy::new(Action::Errno(1))
///     .allow_all(&[Syscall::read, Syscall::write, Syscall::exit_group, Syscall::sigaltstack]);
/// static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);
/// load(PROGRAM, FilterFlags::empty()).expect("filter installed");
/// ```
pub fn load(program: &[Instruction], flags: FilterFlags) -> Result<Option<i32>, LoadError> {
    bpf::verify(program).map_err(LoadError::Invalid)?;
    set_no_new_privs().map_err(LoadError::NoNewPrivs)?;
    let fprog = SockFprog {
        // verify() bounds the length by 4096.
        len: program.len() as u16,
        filter: program.as_ptr(),
    };
    let addr = &fprog as *const SockFprog as usize;
    // SAFETY: fprog points at `program`, which outlives the call; the kernel
    // copies the instructions.
    let result = unsafe {
        sys::syscall3(
            native_nr!(seccomp),
            SECCOMP_SET_MODE_FILTER,
            flags.bits() as usize,
            addr,
        )
    };
    match result {
        Err(Errno::ENOSYS) if flags.is_empty() => {
            // SAFETY: as above.
            unsafe { sys::syscall3(native_nr!(prctl), PR_SET_SECCOMP, SECCOMP_MODE_FILTER, addr) }
                .map(|_| None)
                .map_err(LoadError::Seccomp)
        }
        Err(e) => Err(LoadError::Seccomp(e)),
        Ok(fd) if flags.contains(FilterFlags::NEW_LISTENER) => Ok(Some(fd as i32)),
        Ok(0) => Ok(None),
        // With TSYNC (without TSYNC_ESRCH) a positive value is the id of a
        // thread that could not be synchronised.
        Ok(tid) => Err(LoadError::ThreadSync { tid: tid as u32 }),
    }
}

/// Adds `program` to the calling thread's filters with one raw call: no
/// verification, no `no_new_privs`, no fallback to `prctl`. For the
/// `SIGSYS` handler, which runs where the pledge allows only the calls it
/// was given (`seccomp(SECCOMP_SET_MODE_FILTER, 0, ..)`), after the pledge
/// set `no_new_privs`; `program` must be valid.
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
pub(crate) fn add_thread_filter_raw(program: &[Instruction]) -> Result<(), Errno> {
    let fprog = SockFprog {
        len: program.len() as u16,
        filter: program.as_ptr(),
    };
    // SAFETY: fprog points at `program`, which outlives the call.
    unsafe {
        sys::syscall3(
            native_nr!(seccomp),
            SECCOMP_SET_MODE_FILTER,
            0,
            &fprog as *const SockFprog as usize,
        )
    }
    .map(drop)
}

/// Whether this kernel knows `action` (`SECCOMP_GET_ACTION_AVAIL`, Linux 4.14).
///
/// ```
/// use seclude::bpf::Action;
/// assert_eq!(seclude::seccomp::action_available(Action::Allow), Ok(true));
/// ```
pub fn action_available(action: Action) -> Result<bool, Errno> {
    // The kernel checks only the action bits.
    let value: u32 = action.to_ret() & 0xffff_0000;
    let addr = &value as *const u32 as usize;
    // SAFETY: the kernel reads one u32 at addr.
    match unsafe { sys::syscall3(native_nr!(seccomp), SECCOMP_GET_ACTION_AVAIL, 0, addr) } {
        Ok(_) => Ok(true),
        Err(Errno::EOPNOTSUPP) => Ok(false),
        Err(e) => Err(e),
    }
}
