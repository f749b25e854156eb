//! Filesystem isolation with a mount namespace: a new, empty root holding
//! only the paths bound into it, for kernels without Landlock or when
//! asked.
//!
//! The plan ([`FsIsolation`]) is plain data, checked as it is built; the
//! apply step ([`isolate_filesystem`]) needs a mount namespace of its own
//! (unshare [`Namespaces::MOUNT`](super::Namespaces::MOUNT), with
//! [`USER`](super::Namespaces::USER) when unprivileged) and does, in order:
//!
//! 1. makes every mount recursively private, so nothing done here
//!    propagates back to the parent namespace;
//! 2. mounts a tmpfs on the scratch directory (`/tmp` unless set) and
//!    creates `oldroot` in it;
//! 3. `pivot_root` into the tmpfs, the old root moving to `/oldroot`
//!    (`pivot_root`, not `chroot`: a chroot is left by a second chroot and
//!    `..` from an open directory, and keeps every old mount reachable);
//! 4. for each bind, creates the target (directories, or an empty file for
//!    a file), bind-mounts `/oldroot<source>` on it recursively, then makes
//!    it read-only unless writable, and nosuid/nodev/noexec as asked;
//! 5. mounts a tmpfs on `/tmp`, a minimal `/dev` and a new `/proc` if
//!    asked: `proc` while `/oldroot` is still attached, since an
//!    unprivileged proc mount is only allowed where a full one is visible;
//! 6. detaches `/oldroot` and removes the directory;
//! 7. makes the tmpfs root read-only.
//!
//! Flags go through `mount_setattr` (Linux 5.12) with `AT_RECURSIVE`, so
//! sub-mounts of a bind get them too. Older kernels get a remount
//! (`MS_REMOUNT | MS_BIND`), which changes only the top mount of each bind
//! (its sub-mounts keep their flags), and which must repeat the flags the
//! kernel locked on mounts inherited from a more privileged namespace: a
//! refused remount is retried with `nosuid`, `nodev`, `noexec` and
//! `rdonly` added in turn, so the result may be stricter than asked.

use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::{self, AT_FDCWD, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_PATH, O_WRONLY};
use crate::tables::native_nr;
use core::ffi::CStr;
use core::fmt;

bitflags::bitflags! {
    /// Restrictions for a bind mount, with the values of both `MS_*` and
    /// `MOUNT_ATTR_*` (they agree for these three).
    ///
    /// ```
    /// use seclude::ns::MountFlags;
    /// assert_eq!((MountFlags::NOSUID | MountFlags::NOEXEC).bits(), 0xa);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct MountFlags: u32 {
        /// Set-user-id and set-group-id bits and file capabilities are
        /// ignored.
        const NOSUID = 0x2;
        /// Device nodes cannot be opened.
        const NODEV = 0x4;
        /// Nothing can be executed.
        const NOEXEC = 0x8;
    }
}

const MS_RDONLY: usize = 0x1;
const MS_REMOUNT: usize = 0x20;
const MS_BIND: usize = 0x1000;
const MS_REC: usize = 0x4000;
const MS_PRIVATE: usize = 0x40000;
const MNT_DETACH: usize = 0x2;
const AT_REMOVEDIR: usize = 0x200;
const AT_RECURSIVE: usize = 0x8000;
const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// The longest path accepted (`PATH_MAX`, less room for `/oldroot`).
pub const PATH_LIMIT: usize = 4096 - 16;

/// `struct mount_attr`, version 0 (32 bytes).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// One path to make visible in the new root.
///
/// ```
/// use seclude::ns::{Bind, MountFlags};
/// const USR: Bind<'static> = Bind::new(c"/usr").flags(MountFlags::NOSUID);
/// const OUT: Bind<'static> = Bind::new(c"/var/tmp/job").at(c"/out").writable(true);
/// assert_eq!(USR.target, c"/usr");
/// assert!(!USR.writable && OUT.writable);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Bind<'a> {
    /// The path in the current root (absolute). Resolved after
    /// `pivot_root`, under `/oldroot`, so an absolute symbolic link in it
    /// resolves in the new root: name the link's target instead.
    pub source: &'a CStr,
    /// Where it appears in the new root (absolute; the source by default).
    pub target: &'a CStr,
    /// Writable (otherwise read-only).
    pub writable: bool,
    /// Further restrictions.
    pub flags: MountFlags,
}

impl<'a> Bind<'a> {
    /// `source`, read-only, at the same path.
    ///
    /// ```
    /// let b = seclude::ns::Bind::new(c"/etc/hostname");
    /// assert_eq!(b.target, b.source);
    /// ```
    pub const fn new(source: &'a CStr) -> Self {
        Bind {
            source,
            target: source,
            writable: false,
            flags: MountFlags::empty(),
        }
    }

    /// The same bind at another path.
    ///
    /// ```
    /// let b = seclude::ns::Bind::new(c"/srv/data").at(c"/data");
    /// assert_eq!(b.target, c"/data");
    /// ```
    pub const fn at(mut self, target: &'a CStr) -> Self {
        self.target = target;
        self
    }

    /// The same bind, writable or not.
    ///
    /// ```
    /// assert!(seclude::ns::Bind::new(c"/tmp/out").writable(true).writable);
    /// ```
    pub const fn writable(mut self, writable: bool) -> Self {
        self.writable = writable;
        self
    }

    /// The same bind with these restrictions.
    ///
    /// ```
    /// use seclude::ns::{Bind, MountFlags};
    /// let b = Bind::new(c"/home").flags(MountFlags::NOEXEC | MountFlags::NODEV);
    /// assert!(b.flags.contains(MountFlags::NOEXEC));
    /// ```
    pub const fn flags(mut self, flags: MountFlags) -> Self {
        self.flags = flags;
        self
    }
}

/// Which path of a plan an error is about.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PathOf {
    /// The scratch directory.
    Scratch,
    /// The source of the bind with this index (in the order added).
    Source(usize),
    /// The target of the bind with this index.
    Target(usize),
    /// A path of seclude's own (`/tmp`, `/proc`, `/dev/null`, …).
    Fixed(&'static CStr),
}

impl fmt::Display for PathOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathOf::Scratch => f.write_str("the scratch directory"),
            PathOf::Source(i) => write!(f, "the source of bind {i}"),
            PathOf::Target(i) => write!(f, "the target of bind {i}"),
            PathOf::Fixed(p) => write!(f, "{p:?}"),
        }
    }
}

/// What is wrong with a path of a plan.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PathProblem {
    /// It does not start with `/`.
    Relative,
    /// It has a `..` component.
    DotDot,
    /// It is longer than [`PATH_LIMIT`].
    TooLong,
    /// A target that is `/` itself, or `/oldroot` (detached at the end),
    /// or under a directory the plan mounts over afterwards (`/proc`,
    /// `/tmp`, `/dev` when asked).
    Reserved,
}

/// Why a plan was refused.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PlanError {
    /// More binds than the plan's capacity `N`.
    Full {
        /// The capacity.
        capacity: usize,
    },
    /// A path is unusable.
    Path {
        /// Which.
        path: PathOf,
        /// Why.
        problem: PathProblem,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Full { capacity } => write!(
                f,
                "filesystem isolation: more than {capacity} binds; raise the plan's capacity"
            ),
            PlanError::Path { path, problem } => {
                write!(f, "filesystem isolation: {path} ")?;
                match problem {
                    PathProblem::Relative => f.write_str("is not an absolute path"),
                    PathProblem::DotDot => {
                        f.write_str("has a `..` component; name the path directly")
                    }
                    PathProblem::TooLong => write!(f, "is longer than {PATH_LIMIT} bytes"),
                    PathProblem::Reserved => f.write_str(
                        "cannot be a bind target: it is the new root, /oldroot, or under a \
                         /proc, /tmp or /dev the plan mounts afterwards",
                    ),
                }
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PlanError {}

/// Checks one absolute path.
const fn check_path(path: &CStr, which: PathOf) -> Result<(), PlanError> {
    let bytes = path.to_bytes();
    let problem = if bytes.is_empty() || bytes[0] != b'/' {
        Some(PathProblem::Relative)
    } else if bytes.len() > PATH_LIMIT {
        Some(PathProblem::TooLong)
    } else if has_dot_dot(bytes) {
        Some(PathProblem::DotDot)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(PlanError::Path {
            path: which,
            problem,
        }),
        None => Ok(()),
    }
}

/// Whether a component of `path` is `..`.
const fn has_dot_dot(path: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < path.len() {
        let starts = i == 0 || path[i - 1] == b'/';
        let ends = i + 2 == path.len() || path[i + 2] == b'/';
        if starts && ends && path[i] == b'.' && path[i + 1] == b'.' {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `path` (without trailing slashes) is `dir` or under it.
const fn is_under(path: &[u8], dir: &[u8]) -> bool {
    if path.len() < dir.len() {
        return false;
    }
    let mut i = 0;
    while i < dir.len() {
        if path[i] != dir[i] {
            return false;
        }
        i += 1;
    }
    path.len() == dir.len() || path[dir.len()] == b'/'
}

/// A filesystem isolation plan: up to `N` binds, and which fresh
/// filesystems to mount. Built in `const` context (a `static` plan) or at
/// run time.
///
/// ```
/// use seclude::ns::{Bind, FsIsolation, MountFlags};
/// static PLAN: FsIsolation<'static, 4> = {
///     let plan = FsIsolation::new().proc().tmp();
///     let plan = match plan.bind_read_only(c"/usr") {
///         Ok(p) => p,
///         Err(_) => panic!("capacity"),
///     };
///     match plan.with(Bind::new(c"/etc").flags(MountFlags::NOEXEC)) {
///         Ok(p) => p,
///         Err(_) => panic!("capacity"),
///     }
/// };
/// assert_eq!(PLAN.binds().len(), 2);
///
/// let mut plan: FsIsolation<'_, 2> = FsIsolation::new();
/// plan.bind(Bind::new(c"/usr")).unwrap();
/// assert!(plan.bind(Bind::new(c"usr")).is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FsIsolation<'a, const N: usize> {
    binds: [Bind<'a>; N],
    len: usize,
    proc: bool,
    tmp: bool,
    dev: bool,
    scratch: &'a CStr,
}

impl<const N: usize> Default for FsIsolation<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, const N: usize> FsIsolation<'a, N> {
    /// No binds, no fresh filesystems, scratch directory `/tmp`.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 8> = seclude::ns::FsIsolation::new();
    /// assert!(plan.binds().is_empty());
    /// ```
    pub const fn new() -> Self {
        FsIsolation {
            binds: [Bind::new(c"/"); N],
            len: 0,
            proc: false,
            tmp: false,
            dev: false,
            scratch: c"/tmp",
        }
    }

    /// Mount a new `proc` at `/proc` (nosuid, nodev, noexec). It shows the
    /// caller's PID namespace: create one and call [`isolate_filesystem`]
    /// in its first child, or the new root shows every process of the
    /// parent's. Without privilege the kernel requires both.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> = seclude::ns::FsIsolation::new().proc();
    /// # let _ = plan;
    /// ```
    pub const fn proc(mut self) -> Self {
        self.proc = true;
        self
    }

    /// Mount an empty tmpfs at `/tmp` (nosuid, nodev, mode 1777).
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> = seclude::ns::FsIsolation::new().tmp();
    /// # let _ = plan;
    /// ```
    pub const fn tmp(mut self) -> Self {
        self.tmp = true;
        self
    }

    /// A minimal `/dev`: `null`, `zero`, `full`, `random` and `urandom`
    /// bound from the old root.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> = seclude::ns::FsIsolation::new().dev();
    /// # let _ = plan;
    /// ```
    pub const fn dev(mut self) -> Self {
        self.dev = true;
        self
    }

    /// The directory the new root's tmpfs is mounted on before
    /// `pivot_root` (`/tmp` by default); it must exist. The mount is
    /// private to the new namespace, and after `pivot_root` the old
    /// directory shows its old contents again under `/oldroot`.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> =
    ///     seclude::ns::FsIsolation::new().scratch(c"/run/seclude");
    /// # let _ = plan;
    /// ```
    pub const fn scratch(mut self, dir: &'a CStr) -> Self {
        self.scratch = dir;
        self
    }

    /// The plan with one more bind, after checking its paths: absolute, no
    /// `..`, and a target that is not `/` nor reserved.
    ///
    /// ```
    /// use seclude::ns::{Bind, FsIsolation, PlanError};
    /// let plan: FsIsolation<'_, 1> = FsIsolation::new().with(Bind::new(c"/usr")).unwrap();
    /// assert_eq!(plan.with(Bind::new(c"/etc")).unwrap_err(), PlanError::Full { capacity: 1 });
    /// ```
    pub const fn with(mut self, bind: Bind<'a>) -> Result<Self, PlanError> {
        if let Err(e) = self.check_bind(&bind, self.len) {
            return Err(e);
        }
        if self.len == N {
            return Err(PlanError::Full { capacity: N });
        }
        self.binds[self.len] = bind;
        self.len += 1;
        Ok(self)
    }

    /// [`with`](Self::with) a read-only bind of `path` at the same path.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> =
    ///     seclude::ns::FsIsolation::new().bind_read_only(c"/usr").unwrap();
    /// assert!(!plan.binds()[0].writable);
    /// ```
    pub const fn bind_read_only(self, path: &'a CStr) -> Result<Self, PlanError> {
        self.with(Bind::new(path))
    }

    /// [`with`](Self::with) a writable bind of `path` at the same path.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 1> =
    ///     seclude::ns::FsIsolation::new().bind_writable(c"/var/tmp").unwrap();
    /// assert!(plan.binds()[0].writable);
    /// ```
    pub const fn bind_writable(self, path: &'a CStr) -> Result<Self, PlanError> {
        self.with(Bind::new(path).writable(true))
    }

    /// Adds a bind in place, with the checks of [`with`](Self::with).
    ///
    /// ```
    /// use seclude::ns::{Bind, FsIsolation, PlanError};
    /// let mut plan: FsIsolation<'_, 1> = FsIsolation::new();
    /// plan.bind(Bind::new(c"/usr")).unwrap();
    /// assert_eq!(plan.bind(Bind::new(c"/etc")), Err(PlanError::Full { capacity: 1 }));
    /// ```
    pub fn bind(&mut self, bind: Bind<'a>) -> Result<(), PlanError> {
        *self = self.with(bind)?;
        Ok(())
    }

    /// The binds, in order.
    ///
    /// ```
    /// let plan: seclude::ns::FsIsolation<'_, 2> = seclude::ns::FsIsolation::new();
    /// assert_eq!(plan.binds().len(), 0);
    /// ```
    pub fn binds(&self) -> &[Bind<'a>] {
        &self.binds[..self.len]
    }

    const fn check_bind(&self, bind: &Bind<'a>, index: usize) -> Result<(), PlanError> {
        if let Err(e) = check_path(bind.source, PathOf::Source(index)) {
            return Err(e);
        }
        if let Err(e) = check_path(bind.target, PathOf::Target(index)) {
            return Err(e);
        }
        let mut t = bind.target.to_bytes();
        while let [rest @ .., b'/'] = t {
            t = rest;
        }
        let reserved = t.is_empty()
            || is_under(t, b"/oldroot")
            || (self.proc && is_under(t, b"/proc"))
            || (self.tmp && is_under(t, b"/tmp"))
            || (self.dev && is_under(t, b"/dev"));
        if reserved {
            return Err(PlanError::Path {
                path: PathOf::Target(index),
                problem: PathProblem::Reserved,
            });
        }
        Ok(())
    }

    /// Checks the whole plan (options set after the binds included).
    fn check(&self) -> Result<(), PlanError> {
        check_path(self.scratch, PathOf::Scratch)?;
        for (i, bind) in self.binds().iter().enumerate() {
            self.check_bind(bind, i)?;
        }
        Ok(())
    }
}

/// The step of [`isolate_filesystem`] that failed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MountStep {
    /// Making `/` recursively private.
    MakePrivate,
    /// Mounting the tmpfs on the scratch directory.
    MountScratch,
    /// Changing into the scratch directory.
    EnterScratch,
    /// Creating `oldroot` in the tmpfs.
    MakeOldroot,
    /// `pivot_root`.
    PivotRoot,
    /// Changing into the new root.
    EnterRoot,
    /// Looking up a bind source (under `/oldroot`).
    Source,
    /// Creating a bind target.
    CreateTarget,
    /// The bind mount.
    Bind,
    /// Setting a bind's flags.
    SetFlags,
    /// Mounting the tmpfs on `/tmp`.
    MountTmp,
    /// Binding a `/dev` node.
    MountDev,
    /// Mounting `/proc`.
    MountProc,
    /// Detaching `/oldroot`.
    DetachOldroot,
    /// Removing the `/oldroot` directory.
    RemoveOldroot,
    /// Making the new root read-only.
    ReadOnlyRoot,
}

/// Why filesystem isolation failed. After a failure past
/// [`MountStep::PivotRoot`] the process is in a half-built root: it should
/// exit rather than carry on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MountError {
    /// The plan is wrong.
    Plan(PlanError),
    /// The caller shares its mount namespace with pid 1: isolating it
    /// would change the mounts of every process in it.
    SharedMountNamespace,
    /// A step failed.
    Failed {
        /// Which.
        step: MountStep,
        /// The path concerned, if one.
        path: Option<PathOf>,
        /// The errno.
        errno: Errno,
    },
}

impl fmt::Display for MountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (step, path, errno) = match self {
            MountError::Plan(e) => return e.fmt(f),
            MountError::SharedMountNamespace => {
                return f.write_str(
                    "filesystem isolation: this process shares its mount namespace with pid 1; \
                     unshare a mount namespace first (with a user namespace when unprivileged)",
                );
            }
            MountError::Failed { step, path, errno } => (*step, *path, *errno),
        };
        write!(f, "filesystem isolation: {step:?}")?;
        if let Some(p) = path {
            write!(f, " ({p})")?;
        }
        write!(f, " failed: {errno}")?;
        let hint = match (step, errno) {
            (MountStep::MakePrivate | MountStep::MountScratch, Errno::EPERM) => {
                "; mounting needs CAP_SYS_ADMIN in the mount namespace's user namespace: unshare \
                 `mount` (with `user` when unprivileged) first"
            }
            (MountStep::PivotRoot, Errno::EINVAL) => {
                "; the current root is not a mount point (an initramfs, or a chroot), or the \
                 scratch directory is not usable: pivot_root cannot leave it"
            }
            (MountStep::Source, Errno::ENOENT) => {
                "; the source does not exist (an absolute symbolic link in it resolves in the \
                 new root: name the link's target)"
            }
            (MountStep::CreateTarget, Errno::EROFS) => {
                "; the target is inside an earlier read-only bind: a nested target must exist \
                 in the bound directory"
            }
            (MountStep::MountProc, Errno::EPERM) => {
                "; an unprivileged proc mount needs a PID namespace (unshare `pid`, then fork: \
                 the child is in it) and a fully visible /proc in the old root"
            }
            _ => "",
        };
        f.write_str(hint)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for MountError {}

/// A NUL-terminated path built on the stack.
struct PathBuf {
    buf: [u8; 4096],
    len: usize,
}

impl PathBuf {
    fn new() -> PathBuf {
        PathBuf {
            buf: [0; 4096],
            len: 0,
        }
    }

    /// Appends; the plan's length check keeps this within the buffer.
    fn push(&mut self, bytes: &[u8]) -> &mut PathBuf {
        let end = (self.len + bytes.len()).min(self.buf.len() - 1);
        self.buf[self.len..end].copy_from_slice(&bytes[..end - self.len]);
        self.len = end;
        self.buf[end] = 0;
        self
    }

    fn as_cstr(&self) -> &CStr {
        // The buffer holds no NUL before len (the pieces come from CStrs)
        // and one at len.
        CStr::from_bytes_until_nul(&self.buf[..=self.len]).unwrap_or(c"/")
    }
}

fn opt_ptr(s: Option<&CStr>) -> usize {
    s.map_or(0, |s| s.as_ptr() as usize)
}

fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: usize,
    data: Option<&CStr>,
) -> Result<(), Errno> {
    // SAFETY: every pointer is a NUL-terminated string or null, as mount
    // takes them.
    unsafe {
        sys::syscall5(
            native_nr!(mount),
            opt_ptr(source),
            target.as_ptr() as usize,
            opt_ptr(fstype),
            flags,
            opt_ptr(data),
        )
    }
    .map(drop)
}

fn path_call1(nr: usize, path: &CStr) -> Result<(), Errno> {
    // SAFETY: one NUL-terminated path.
    unsafe { sys::syscall1(nr, path.as_ptr() as usize) }.map(drop)
}

fn mkdir(path: &CStr, mode: usize) -> Result<(), Errno> {
    // SAFETY: one NUL-terminated path and integers.
    unsafe {
        sys::syscall3(
            native_nr!(mkdirat),
            AT_FDCWD as isize as usize,
            path.as_ptr() as usize,
            mode,
        )
    }
    .map(drop)
}

/// Creates every directory of `path` (`mkdir -p`), the last one included
/// if `last` is set.
fn mkdir_parents(path: &CStr, last: bool) -> Result<(), Errno> {
    let bytes = path.to_bytes();
    let mut buf = PathBuf::new();
    buf.push(bytes);
    let mut i = 1;
    while i <= bytes.len() {
        let end_of_component = i == bytes.len() || bytes[i] == b'/';
        if end_of_component && bytes[i - 1] != b'/' && (i < bytes.len() || last) {
            buf.buf[i] = 0;
            let prefix = CStr::from_bytes_until_nul(&buf.buf[..=i]).map_err(|_| Errno::EINVAL)?;
            match mkdir(prefix, 0o755) {
                Ok(()) | Err(Errno::EEXIST) => {}
                Err(e) => return Err(e),
            }
            if i < bytes.len() {
                buf.buf[i] = b'/';
            }
        }
        i += 1;
    }
    Ok(())
}

/// Sets read-only (if `rdonly`) and `flags` on the mount at `target`:
/// `mount_setattr` recursively, or on kernels before 5.12 a remount of the
/// top mount that retries with locked flags added.
fn set_flags(target: &CStr, rdonly: bool, flags: MountFlags, recursive: bool) -> Result<(), Errno> {
    let attr = MountAttr {
        attr_set: flags.bits() as u64 | if rdonly { MOUNT_ATTR_RDONLY } else { 0 },
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: the kernel reads one struct mount_attr of the size given.
    let r = unsafe {
        sys::syscall5(
            native_nr!(mount_setattr),
            AT_FDCWD as isize as usize,
            target.as_ptr() as usize,
            if recursive { AT_RECURSIVE } else { 0 },
            &attr as *const MountAttr as usize,
            core::mem::size_of::<MountAttr>(),
        )
    };
    if r != Err(Errno::ENOSYS) {
        return r.map(drop);
    }
    let asked = flags.bits() as usize | if rdonly { MS_RDONLY } else { 0 };
    // What the kernel may have locked and we did not ask for: a remount
    // must repeat it or fail with EPERM.
    let lockable = MountFlags::all().bits() as usize | MS_RDONLY;
    let extra_all = lockable & !asked;
    // Every subset of the extra flags, fewest first, so that the mount
    // ends up no stricter than the locks force.
    for count in 0..=extra_all.count_ones() {
        let mut subset = extra_all;
        loop {
            if subset.count_ones() == count {
                match mount(
                    None,
                    target,
                    None,
                    MS_REMOUNT | MS_BIND | asked | subset,
                    None,
                ) {
                    Ok(()) => return Ok(()),
                    Err(Errno::EPERM) => {}
                    Err(e) => return Err(e),
                }
            }
            if subset == 0 {
                break;
            }
            subset = (subset - 1) & extra_all;
        }
    }
    Err(Errno::EPERM)
}

/// Whether this process shares its mount namespace with pid 1 (as the
/// mounted `/proc` sees it). Unknown (no `/proc`, pid 1's links not
/// readable, or the caller is that pid 1) counts as not shared: the
/// mount calls then decide.
fn shares_mount_namespace_with_init() -> bool {
    let mut me = [0u8; 16];
    if readlink(c"/proc/self", &mut me) == Some(b"1") {
        return false;
    }
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    match (
        readlink(c"/proc/self/ns/mnt", &mut a),
        readlink(c"/proc/1/ns/mnt", &mut b),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn readlink<'b>(path: &CStr, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    let n = unsafe {
        sys::syscall4(
            native_nr!(readlinkat),
            AT_FDCWD as isize as usize,
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    }
    .ok()?;
    buf.get(..n)
}

/// Applies `plan`: the calling process's root becomes a read-only tmpfs
/// holding only the binds (and `/proc`, `/tmp`, `/dev` if asked). In
/// order, it:
///
/// 1. makes every mount recursively private, so nothing done here
///    propagates back to the parent namespace;
/// 2. mounts a tmpfs on the scratch directory (`/tmp` unless set) and
///    creates `oldroot` in it;
/// 3. `pivot_root` into the tmpfs, the old root moving to `/oldroot`
///    (`pivot_root`, not `chroot`: a chroot is left by a second chroot and
///    `..` from an open directory, and keeps every old mount reachable);
/// 4. for each bind, creates the target (directories, or an empty file for
///    a file), bind-mounts `/oldroot<source>` on it recursively, then makes
///    it read-only unless writable, and nosuid/nodev/noexec as asked;
/// 5. mounts a tmpfs on `/tmp`, a minimal `/dev` and a new `/proc` if
///    asked: `proc` while `/oldroot` is still attached, since an
///    unprivileged proc mount is only allowed where a full one is visible;
/// 6. detaches `/oldroot` and removes the directory;
/// 7. makes the tmpfs root read-only.
///
/// Flags are set with `mount_setattr` (Linux 5.12) recursively; older
/// kernels get a remount of each bind's top mount only, retried with the
/// flags the kernel locked added (so possibly stricter than asked).
///
/// Needs a mount namespace of its own, created with
/// [`unshare`](super::unshare) or [`fork`](crate::sys::process::fork):
/// [`MountError::SharedMountNamespace`] if the caller visibly shares pid
/// 1's. The current directory ends up at `/`; descriptors opened before
/// stay usable, including ones outside the new root.
///
/// ```no_run
/// use seclude::ns::{self, Bind, FsIsolation, IdMapping, MountFlags, NamespaceRequest, Namespaces};
/// ns::unshare(
///     &NamespaceRequest::new(Namespaces::USER | Namespaces::MOUNT).id_mapping(IdMapping::Root),
/// )
/// .unwrap();
/// let mut plan: FsIsolation<'_, 4> = FsIsolation::new().tmp();
/// plan.bind(Bind::new(c"/usr").flags(MountFlags::NOSUID | MountFlags::NODEV)).unwrap();
/// plan.bind(Bind::new(c"/etc/ssl")).unwrap();
/// plan.bind(Bind::new(c"/var/tmp/job").at(c"/out").writable(true)).unwrap();
/// ns::isolate_filesystem(&plan).unwrap();
/// ```
pub fn isolate_filesystem<const N: usize>(plan: &FsIsolation<'_, N>) -> Result<(), MountError> {
    plan.check().map_err(MountError::Plan)?;
    if shares_mount_namespace_with_init() {
        return Err(MountError::SharedMountNamespace);
    }
    let fail = |step: MountStep, path: Option<PathOf>| {
        move |errno: Errno| MountError::Failed { step, path, errno }
    };
    // Private first: with shared propagation (systemd's default) every
    // mount below would also appear in the parent namespace.
    mount(None, c"/", None, MS_REC | MS_PRIVATE, None)
        .map_err(fail(MountStep::MakePrivate, None))?;
    mount(
        Some(c"tmpfs"),
        plan.scratch,
        Some(c"tmpfs"),
        MountFlags::NOSUID.bits() as usize | MountFlags::NODEV.bits() as usize,
        Some(c"mode=0755"),
    )
    .map_err(fail(MountStep::MountScratch, Some(PathOf::Scratch)))?;
    path_call1(native_nr!(chdir), plan.scratch)
        .map_err(fail(MountStep::EnterScratch, Some(PathOf::Scratch)))?;
    mkdir(c"oldroot", 0o700).map_err(fail(MountStep::MakeOldroot, None))?;
    // SAFETY: two NUL-terminated paths.
    unsafe {
        sys::syscall2(
            native_nr!(pivot_root),
            c".".as_ptr() as usize,
            c"oldroot".as_ptr() as usize,
        )
    }
    .map_err(fail(MountStep::PivotRoot, None))?;
    path_call1(native_nr!(chdir), c"/").map_err(fail(MountStep::EnterRoot, None))?;

    for (i, bind) in plan.binds().iter().enumerate() {
        let mut source = PathBuf::new();
        source.push(b"/oldroot").push(bind.source.to_bytes());
        let source = source.as_cstr();
        let is_dir = match fd::open(source, O_PATH | O_DIRECTORY | O_CLOEXEC, 0) {
            Ok(_) => true,
            Err(Errno::ENOTDIR) => false,
            Err(e) => return Err(fail(MountStep::Source, Some(PathOf::Source(i)))(e)),
        };
        let create = fail(MountStep::CreateTarget, Some(PathOf::Target(i)));
        mkdir_parents(bind.target, is_dir).map_err(create)?;
        if !is_dir {
            fd::open(bind.target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644).map_err(create)?;
        }
        mount(Some(source), bind.target, None, MS_BIND | MS_REC, None)
            .map_err(fail(MountStep::Bind, Some(PathOf::Target(i))))?;
        if !bind.writable || !bind.flags.is_empty() {
            set_flags(bind.target, !bind.writable, bind.flags, true)
                .map_err(fail(MountStep::SetFlags, Some(PathOf::Target(i))))?;
        }
    }

    if plan.tmp {
        let f = fail(MountStep::MountTmp, Some(PathOf::Fixed(c"/tmp")));
        mkdir_parents(c"/tmp", true).map_err(f)?;
        mount(
            Some(c"tmpfs"),
            c"/tmp",
            Some(c"tmpfs"),
            (MountFlags::NOSUID | MountFlags::NODEV).bits() as usize,
            Some(c"mode=1777"),
        )
        .map_err(f)?;
    }
    if plan.dev {
        const NODES: [(&CStr, &CStr); 5] = [
            (c"/oldroot/dev/null", c"/dev/null"),
            (c"/oldroot/dev/zero", c"/dev/zero"),
            (c"/oldroot/dev/full", c"/dev/full"),
            (c"/oldroot/dev/random", c"/dev/random"),
            (c"/oldroot/dev/urandom", c"/dev/urandom"),
        ];
        mkdir_parents(c"/dev", true)
            .map_err(fail(MountStep::MountDev, Some(PathOf::Fixed(c"/dev"))))?;
        for (source, target) in NODES {
            let f = fail(MountStep::MountDev, Some(PathOf::Fixed(target)));
            fd::open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644).map_err(f)?;
            mount(Some(source), target, None, MS_BIND, None).map_err(f)?;
        }
    }
    if plan.proc {
        let f = fail(MountStep::MountProc, Some(PathOf::Fixed(c"/proc")));
        mkdir_parents(c"/proc", true).map_err(f)?;
        mount(
            Some(c"proc"),
            c"/proc",
            Some(c"proc"),
            MountFlags::all().bits() as usize,
            None,
        )
        .map_err(f)?;
    }

    // SAFETY: one NUL-terminated path and an integer.
    unsafe {
        sys::syscall2(
            native_nr!(umount2),
            c"/oldroot".as_ptr() as usize,
            MNT_DETACH,
        )
    }
    .map_err(fail(MountStep::DetachOldroot, None))?;
    // SAFETY: one NUL-terminated path and integers.
    unsafe {
        sys::syscall3(
            native_nr!(unlinkat),
            AT_FDCWD as isize as usize,
            c"/oldroot".as_ptr() as usize,
            AT_REMOVEDIR,
        )
    }
    .map_err(fail(MountStep::RemoveOldroot, None))?;
    // Not recursive: the binds keep their own flags, and /tmp its
    // writability.
    set_flags(c"/", true, MountFlags::NOSUID | MountFlags::NODEV, false)
        .map_err(fail(MountStep::ReadOnlyRoot, None))?;
    Ok(())
}

#[cfg(test)]
mod tests;
