//! One sandbox, applied in the one order that works: namespaces, the
//! filesystem, Landlock, limits and privileges, seccomp last.
//!
//! Each mechanism has its own module ([`ns`](crate::ns),
//! [`landlock`](crate::landlock), [`privileges`](crate::privileges),
//! [`pledge`](crate::pledge), [`seccomp`](crate::seccomp)); a [`Sandbox`]
//! names the parts wanted and [`Sandbox::apply`] applies them to the calling
//! process in this order, each step for a reason:
//!
//! 1. **check** everything that needs no kernel (the pledge's promises, the
//!    seccomp program's validity), so a wrong sandbox fails before anything
//!    is applied;
//! 2. **namespaces** (`unshare`, then the user namespace's id maps): a new
//!    user namespace grants the capabilities every later step may need, and
//!    its maps can only be written while the process is still dumpable and
//!    holds them;
//! 3. **filesystem isolation** (mount namespace, tmpfs root, bind mounts,
//!    `pivot_root`): needs the mount namespace, and must come before
//!    Landlock so Landlock's paths name the new tree;
//! 4. **close descriptors** except the kept ones: before the Landlock
//!    ruleset is opened (which needs its descriptors) and before
//!    `RLIMIT_NOFILE` is lowered (the fallback closes up to that limit);
//! 5. **Landlock ruleset** created and its paths opened: while the paths are
//!    reachable and descriptors can still be opened;
//! 6. **rlimits**: `RLIMIT_NPROC` before the uid change, which counts it;
//! 7. **`no_new_privs`**, then Landlock's **`restrict_self`**, which needs it
//!    (or `CAP_SYS_ADMIN`);
//! 8. **privileges**: securebits locked and the bounding set dropped while
//!    `CAP_SETPCAP` is still held, ambient set cleared, groups, gid and uid
//!    changed while `CAP_SETGID`/`CAP_SETUID` are held, capabilities set to
//!    the kept ones last;
//! 9. **not dumpable** (`PR_SET_DUMPABLE` 0): after the uid change, because
//!    changing ids resets the flag to `fs.suid_dumpable` (2 on some
//!    distributions): exile.h sets it before and can lose it;
//! 10. **seccomp** last: a pledge and/or a filter, so no earlier step's
//!     calls need to be allowed by it.
//!
//! [`isolate`] runs a function in a child process under a sandbox and
//! brings back its result ([`isolate_duplex`] also streams it input); there
//! the namespaces are created by the `clone` that makes the child.
//!
//! ```no_run
//! use seclude::landlock::Unveil;
//! use seclude::pledge::Pledge;
//! use seclude::sandbox::Sandbox;
//!
//! let mut unveil: Unveil<'_, 4> = Unveil::new();
//! unveil.unveil(c"/usr", "rx").unwrap();
//! unveil.unveil(c"/etc", "r").unwrap();
//! let report = Sandbox::new()
//!     .unveil(&unveil)
//!     .pledge(Pledge::new(seclude::promises!("stdio rpath")))
//!     .apply()
//!     .expect("sandboxed");
//! println!("{report:?}");
//! ```

mod isolate;

use core::fmt;

use crate::bpf::{self, Instruction, VerifyError};
use crate::errno::Errno;
use crate::landlock::{Plan, PreparedUnveil, Unveil, UnveilError};
use crate::ns::{FsIsolation, MountError, NamespaceError, NamespaceReport, NamespaceRequest};
use crate::pledge::{Pledge, PledgeError, Pledged};
use crate::privileges::{PrivilegeError, Privileges, PrivilegesReport};
use crate::seccomp::{FilterFlags, LoadError};

#[cfg(feature = "std")]
pub use isolate::isolate_io;
pub use isolate::{
    Ended, InputReader, IsolateError, Isolated, IsolatedDuplex, IsolatedStreaming, ResultWriter,
    Stream, isolate, isolate_duplex, isolate_streaming,
};

/// A filesystem-isolation plan of any capacity.
trait FilesystemPlan {
    fn isolate(&self) -> Result<(), MountError>;
}

impl<const N: usize> FilesystemPlan for FsIsolation<'_, N> {
    fn isolate(&self) -> Result<(), MountError> {
        crate::ns::isolate_filesystem(self)
    }
}

/// A set of unveiled paths of any capacity.
trait LandlockPlan {
    fn prepare(&self) -> Result<PreparedUnveil, UnveilError>;
}

impl<const N: usize> LandlockPlan for Unveil<'_, N> {
    fn prepare(&self) -> Result<PreparedUnveil, UnveilError> {
        Unveil::prepare(self)
    }
}

/// What to apply: namespaces, filesystem isolation, Landlock paths,
/// privileges and limits, a pledge and/or a seccomp filter. Every part is
/// optional except `no_new_privs`, which is always set.
///
/// ```
/// use seclude::ns::{Namespaces, NamespaceRequest};
/// use seclude::privileges::Privileges;
/// use seclude::sandbox::Sandbox;
///
/// let sandbox = Sandbox::new()
///     .namespaces(NamespaceRequest::new(Namespaces::USER.union(Namespaces::NET)))
///     .privileges(Privileges::new());
/// # let _ = sandbox;
/// ```
#[derive(Clone, Copy)]
pub struct Sandbox<'a> {
    namespaces: Option<NamespaceRequest<'a>>,
    filesystem: Option<&'a dyn FilesystemPlan>,
    landlock: Option<&'a dyn LandlockPlan>,
    privileges: Privileges<'a>,
    pledge: Option<Pledge>,
    filter: Option<(&'a [Instruction], FilterFlags)>,
}

impl fmt::Debug for Sandbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("namespaces", &self.namespaces)
            .field("filesystem", &self.filesystem.is_some())
            .field("landlock", &self.landlock.is_some())
            .field("privileges", &self.privileges)
            .field("pledge", &self.pledge)
            .field("filter", &self.filter.map(|(p, _)| p.len()))
            .finish()
    }
}

impl Default for Sandbox<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Sandbox<'a> {
    /// A sandbox of `no_new_privs` and the default [`Privileges`] (every
    /// capability dropped, securebits locked, no core dumps, not dumpable).
    ///
    /// ```
    /// let sandbox = seclude::sandbox::Sandbox::new();
    /// # let _ = sandbox;
    /// ```
    pub const fn new() -> Self {
        Sandbox {
            namespaces: None,
            filesystem: None,
            landlock: None,
            privileges: Privileges::new(),
            pledge: None,
            filter: None,
        }
    }

    /// New namespaces (and a user namespace's id maps).
    ///
    /// ```
    /// use seclude::ns::{Namespaces, NamespaceRequest};
    /// let s = seclude::sandbox::Sandbox::new()
    ///     .namespaces(NamespaceRequest::new(Namespaces::USER.union(Namespaces::PID)));
    /// # let _ = s;
    /// ```
    pub const fn namespaces(mut self, request: NamespaceRequest<'a>) -> Self {
        self.namespaces = Some(request);
        self
    }

    /// Filesystem isolation without Landlock: a tmpfs root with only the
    /// plan's bind mounts. Needs a mount namespace in the request (and a
    /// user namespace when unprivileged).
    ///
    /// ```
    /// use seclude::ns::FsIsolation;
    /// static PLAN: FsIsolation<'static, 4> = FsIsolation::new();
    /// let s = seclude::sandbox::Sandbox::new().filesystem(&PLAN);
    /// # let _ = s;
    /// ```
    pub fn filesystem<const N: usize>(mut self, plan: &'a FsIsolation<'a, N>) -> Self {
        self.filesystem = Some(plan);
        self
    }

    /// Landlock: only these paths, with these permissions.
    ///
    /// ```
    /// use seclude::landlock::Unveil;
    /// let mut unveil: Unveil<'_, 2> = Unveil::new();
    /// unveil.unveil(c"/usr", "rx").unwrap();
    /// let s = seclude::sandbox::Sandbox::new().unveil(&unveil);
    /// # let _ = s;
    /// ```
    pub fn unveil<const N: usize>(mut self, unveil: &'a Unveil<'a, N>) -> Self {
        self.landlock = Some(unveil);
        self
    }

    /// Privileges, limits and descriptors (replaces the default).
    ///
    /// ```
    /// use seclude::privileges::Privileges;
    /// let s = seclude::sandbox::Sandbox::new().privileges(Privileges::new());
    /// # let _ = s;
    /// ```
    pub const fn privileges(mut self, privileges: Privileges<'a>) -> Self {
        self.privileges = privileges;
        self
    }

    /// A pledge, installed in the last step.
    ///
    /// ```
    /// use seclude::pledge::Pledge;
    /// let s = seclude::sandbox::Sandbox::new().pledge(Pledge::new(seclude::promises!("stdio")));
    /// # let _ = s;
    /// ```
    pub const fn pledge(mut self, pledge: Pledge) -> Self {
        self.pledge = Some(pledge);
        self
    }

    /// A seccomp program, installed in the last step (after the pledge, if
    /// both are given: the kernel applies the stricter answer of the two).
    ///
    /// ```
    /// use seclude::bpf::Action;
    /// use seclude::seccomp::{FilterFlags, Policy};
    /// use seclude::tables::Syscall;
    /// const POLICY: Policy<1> = Policy::new(Action::Allow).action(Syscall::ptrace, Action::Errno(1));
    /// static PROGRAM: &[seclude::bpf::Instruction] = seclude::seccomp_program!(POLICY);
    /// let s = seclude::sandbox::Sandbox::new().seccomp(PROGRAM, FilterFlags::TSYNC);
    /// # let _ = s;
    /// ```
    pub const fn seccomp(mut self, program: &'a [Instruction], flags: FilterFlags) -> Self {
        self.filter = Some((program, flags));
        self
    }

    /// The `clone` flags of the namespaces asked for (0 for none).
    pub(crate) fn clone_flags(&self) -> u64 {
        match &self.namespaces {
            Some(request) => request.namespaces.bits() as u64,
            None => 0,
        }
    }

    /// Applies the sandbox to the calling process, in the module's order,
    /// and reports what was applied.
    ///
    /// On an error, the steps before the failing one stay applied (none of
    /// them can be undone) and nothing after it was applied:
    /// [`SandboxError::step`] says where it stopped. A new pid namespace
    /// holds the children created afterwards, not the caller; a new user
    /// namespace needs a single-threaded caller. The whole sandbox does:
    /// credentials, capabilities and Landlock hold per thread, so a caller
    /// with more than one thread gets [`Cause::Multithreaded`] before
    /// anything is applied (use [`isolate`] from a multithreaded one).
    ///
    /// ```no_run
    /// use seclude::pledge::Pledge;
    /// let report = seclude::sandbox::Sandbox::new()
    ///     .pledge(Pledge::new(seclude::promises!("stdio")))
    ///     .apply()
    ///     .unwrap();
    /// assert!(report.pledge.is_some());
    /// ```
    pub fn apply(&self) -> Result<SandboxReport, SandboxError> {
        self.check()?;
        // Credentials, capabilities and Landlock are per thread: another
        // thread would keep all of them. Without /proc the count is
        // unknown, which the report says.
        let threads = crate::sys::process::thread_count().ok();
        if let Some(threads @ 2..) = threads {
            return Err(SandboxError {
                step: Step::Check,
                cause: Cause::Multithreaded { threads },
            });
        }
        let mut report = self.apply_in_one_thread()?;
        report.threads = threads;
        Ok(report)
    }

    /// [`apply`](Sandbox::apply) in a process the caller knows has one
    /// thread, such as the child of a [`fork`](crate::sys::process::fork)
    /// that has started none: the same steps and report, without counting
    /// the threads in `/proc/self/status` first (a read that costs tens of
    /// microseconds in a new process, where a launcher that sets up a
    /// sandbox before each exec spends it on every launch). The report's
    /// `threads` is `Some(1)`.
    ///
    /// # Safety
    /// The calling process has exactly one thread. Not a memory-safety
    /// condition: with other threads, they keep their credentials,
    /// capabilities and Landlock domain while the report says the sandbox
    /// is applied, which [`apply`](Sandbox::apply) refuses to do.
    ///
    /// ```no_run
    /// use seclude::sandbox::Sandbox;
    /// use seclude::sys::process::{fork, Forked};
    /// let sandbox = Sandbox::new().pledge(seclude::pledge::Pledge::new(seclude::promises!("stdio")));
    /// // SAFETY: the child uses nothing another thread could hold locked,
    /// // and leaves through exit_group.
    /// if let Forked::Child = unsafe { fork(0) }.unwrap() {
    ///     // SAFETY: a fork's child has the one thread that called fork.
    ///     let applied = unsafe { sandbox.apply_single_threaded() }.is_ok();
    ///     seclude::sys::exit_group(if applied { 0 } else { 1 });
    /// }
    /// ```
    pub unsafe fn apply_single_threaded(&self) -> Result<SandboxReport, SandboxError> {
        self.check()?;
        let mut report = self.apply_in_one_thread()?;
        report.threads = Some(1);
        Ok(report)
    }

    /// The namespaces, then the rest, in a process with one thread.
    fn apply_in_one_thread(&self) -> Result<SandboxReport, SandboxError> {
        let namespaces = match &self.namespaces {
            Some(request) => {
                Some(crate::ns::unshare(request).map_err(at(Step::Namespaces, Cause::Namespaces))?)
            }
            None => None,
        };
        self.apply_rest(namespaces, None)
    }

    /// In a child created with [`clone_flags`](Sandbox::clone_flags): the
    /// namespaces exist; write the maps and apply the rest, keeping
    /// `keep_fds` open as well as the sandbox's own kept descriptors.
    pub(crate) fn apply_in_child(
        &self,
        outer: (u32, u32),
        keep_fds: &[i32],
    ) -> Result<SandboxReport, SandboxError> {
        self.check()?;
        let namespaces = match &self.namespaces {
            Some(request) => Some(
                crate::ns::enter_child(request, outer.0, outer.1)
                    .map_err(at(Step::Namespaces, Cause::Namespaces))?,
            ),
            None => None,
        };
        let mut report = self.apply_rest(namespaces, Some(keep_fds))?;
        // A fork has exactly one thread.
        report.threads = Some(1);
        Ok(report)
    }

    /// Step 1: what can be refused before anything is applied.
    fn check(&self) -> Result<(), SandboxError> {
        // One place left for an isolated child's own descriptor.
        if self.privileges.close_fds_of().map_or(0, <[i32]>::len) >= KEPT_FDS {
            return Err(SandboxError {
                step: Step::Check,
                cause: Cause::TooManyKeptFds,
            });
        }
        if let Some(pledge) = &self.pledge {
            pledge.check().map_err(at(Step::Check, Cause::Pledge))?;
        }
        if let Some((program, _)) = self.filter {
            bpf::verify(program).map_err(at(Step::Check, Cause::InvalidFilter))?;
        }
        Ok(())
    }

    /// Steps 3 to 10.
    fn apply_rest(
        &self,
        namespaces: Option<NamespaceReport>,
        child_fds: Option<&[i32]>,
    ) -> Result<SandboxReport, SandboxError> {
        use Step as S;
        if let Some(plan) = self.filesystem {
            plan.isolate()
                .map_err(at(S::Filesystem, Cause::Filesystem))?;
        }
        // An isolated child's own descriptors stay open when the sandbox
        // closes the others.
        // The descriptors to keep open, the caller's and the child's own.
        let mut kept: heapless::Vec<i32, KEPT_FDS> = heapless::Vec::new();
        // An isolated child always closes what it inherited (another
        // thread's pipes, say), keeping its own descriptors too.
        let closing = match (self.privileges.close_fds_of(), child_fds) {
            (None, None) => None,
            (asked, child) => Some((asked.unwrap_or(&[]), child.unwrap_or(&[]))),
        };
        if let Some((asked, child)) = closing {
            kept.extend_from_slice(asked)
                .and_then(|()| kept.extend_from_slice(child))
                .map_err(at(S::CloseFds, |_| Cause::TooManyKeptFds))?;
        }
        let privileges = match closing {
            Some(_) => self.privileges.close_fds_except(&kept),
            None => self.privileges,
        };
        let close_fds = privileges
            .close_fds()
            .map_err(at(S::CloseFds, Cause::Privileges))?;
        let prepared = match self.landlock {
            Some(plan) => Some(
                plan.prepare()
                    .map_err(at(S::LandlockRuleset, Cause::Landlock))?,
            ),
            None => None,
        };
        let rlimits = privileges
            .apply_rlimits()
            .map_err(at(S::Rlimits, Cause::Privileges))?;
        crate::seccomp::set_no_new_privs().map_err(at(S::NoNewPrivs, Cause::Kernel))?;
        let landlock = match prepared {
            Some(prepared) => Some(
                prepared
                    .enforce()
                    .map_err(at(S::LandlockRestrict, Cause::Landlock))?,
            ),
            None => None,
        };
        let drop = privileges
            .drop_privileges()
            .map_err(at(S::DropPrivileges, Cause::Privileges))?;
        let dumpable = privileges
            .apply_dumpable()
            .map_err(at(S::Dumpable, Cause::Privileges))?;
        let pledge = match &self.pledge {
            Some(pledge) => Some(pledge.apply().map_err(at(S::Pledge, Cause::Pledge))?),
            None => None,
        };
        let filter = match self.filter {
            Some((program, flags)) => {
                crate::seccomp::load(program, flags).map_err(at(S::Seccomp, Cause::Seccomp))?;
                Some(program.len())
            }
            None => None,
        };
        Ok(SandboxReport {
            namespaces,
            filesystem: self.filesystem.is_some(),
            landlock,
            privileges: PrivilegesReport {
                rlimits,
                dumpable,
                close_fds,
                drop,
            },
            no_new_privs: true,
            pledge,
            filter,
            threads: None,
        })
    }
}

/// How many descriptors a sandbox can keep open when closing the rest.
const KEPT_FDS: usize = 64;

/// What [`Sandbox::apply`] applied.
#[derive(Clone, Copy, Debug)]
pub struct SandboxReport {
    /// The namespaces entered, if any were asked for.
    pub namespaces: Option<NamespaceReport>,
    /// Whether the filesystem was isolated (tmpfs root and bind mounts).
    pub filesystem: bool,
    /// What Landlock enforces, if paths were unveiled: check
    /// [`Plan::enforcement`], which best effort may leave partial.
    pub landlock: Option<Plan>,
    /// Privileges, limits and descriptors, step by step.
    pub privileges: PrivilegesReport,
    /// `no_new_privs` is set (always, when the sandbox applied).
    pub no_new_privs: bool,
    /// The pledge installed, if any.
    pub pledge: Option<Pledged>,
    /// The length of the seccomp filter installed, if any.
    pub filter: Option<usize>,
    /// The process's thread count when the sandbox was applied: 1, or
    /// `None` when `/proc` was not there to tell (the per-thread steps,
    /// credentials, capabilities and Landlock, hold for the calling thread
    /// only, so more threads are refused).
    pub threads: Option<u32>,
}

/// The steps of [`Sandbox::apply`], in order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Step {
    /// Checking the sandbox before applying anything.
    Check,
    /// An isolated child connecting its output to the parent.
    Redirect,
    /// Namespaces and id maps.
    Namespaces,
    /// Mounts and `pivot_root`.
    Filesystem,
    /// Closing descriptors.
    CloseFds,
    /// Creating the Landlock ruleset and opening its paths.
    LandlockRuleset,
    /// Resource limits.
    Rlimits,
    /// `no_new_privs`.
    NoNewPrivs,
    /// Enforcing the Landlock ruleset.
    LandlockRestrict,
    /// Securebits, bounding and ambient sets, ids, capabilities.
    DropPrivileges,
    /// `PR_SET_DUMPABLE` 0.
    Dumpable,
    /// The pledge.
    Pledge,
    /// The seccomp filter.
    Seccomp,
}

/// What went wrong in a [`Step`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cause {
    /// The seccomp program is not a valid filter.
    InvalidFilter(VerifyError),
    /// More descriptors to keep than the sandbox can hold (63, and one
    /// for an isolated child's result pipe).
    TooManyKeptFds,
    /// [`Sandbox::apply`] in a process with more than one thread: the
    /// other threads would keep their credentials, capabilities and
    /// Landlock domain. Apply before starting threads, or use [`isolate`].
    Multithreaded {
        /// The thread count.
        threads: u32,
    },
    /// A namespace could not be created or entered.
    Namespaces(NamespaceError),
    /// The filesystem could not be isolated.
    Filesystem(MountError),
    /// Landlock failed.
    Landlock(UnveilError),
    /// A privilege, limit or descriptor step failed.
    Privileges(PrivilegeError),
    /// A kernel call failed.
    Kernel(Errno),
    /// The pledge was refused or could not be installed.
    Pledge(PledgeError),
    /// The seccomp filter could not be installed.
    Seccomp(LoadError),
}

/// Why a sandbox could not be applied: the step it stopped at and the
/// cause. The steps before `step` stay applied (none can be undone), the
/// step itself may be in part (namespaces created but not mapped, Landlock
/// enforced but its seccomp supplement refused, securebits locked before
/// the uid change failed); nothing after it was applied.
///
/// ```
/// use seclude::sandbox::{Cause, SandboxError, Step};
/// let e = SandboxError { step: Step::Rlimits, cause: Cause::Kernel(seclude::Errno::EPERM) };
/// assert!(e.to_string().contains("stay applied"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SandboxError {
    /// Where the sandbox stopped.
    pub step: Step,
    /// Why.
    pub cause: Cause,
}

impl SandboxError {
    /// Whether nothing of the sandbox was applied.
    ///
    /// ```
    /// use seclude::sandbox::{Cause, SandboxError, Step};
    /// assert!(SandboxError { step: Step::Check, cause: Cause::TooManyKeptFds }.nothing_applied());
    /// ```
    pub fn nothing_applied(&self) -> bool {
        matches!(self.step, Step::Check | Step::Redirect)
    }
}

/// An error mapper for `step`: `result.map_err(at(Step::X, Cause::Y))`.
fn at<E>(step: Step, cause: impl FnOnce(E) -> Cause) -> impl FnOnce(E) -> SandboxError {
    move |e| SandboxError {
        step,
        cause: cause(e),
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::InvalidFilter(e) => write!(f, "invalid seccomp filter: {e}"),
            Cause::TooManyKeptFds => write!(f, "more than 63 descriptors to keep open"),
            Cause::Multithreaded { threads } => write!(
                f,
                "the process has {threads} threads; credentials, capabilities and Landlock \
                 apply to one thread only: apply the sandbox before starting threads, or run \
                 the work with sandbox::isolate"
            ),
            Cause::Namespaces(e) => write!(f, "{e}"),
            Cause::Filesystem(e) => write!(f, "{e}"),
            Cause::Landlock(e) => write!(f, "{e}"),
            Cause::Privileges(e) => write!(f, "{e}"),
            Cause::Kernel(e) => write!(f, "{e}"),
            Cause::Pledge(e) => write!(f, "{e}"),
            Cause::Seccomp(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sandbox step {:?}: {}", self.step, self.cause)?;
        if self.nothing_applied() {
            write!(f, " (nothing was applied)")
        } else {
            write!(
                f,
                " (the steps before {:?} stay applied and it may be in part; nothing after it \
                 was)",
                self.step
            )
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SandboxError {}
