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
//!
//! This file holds the plan and its checks; the mount calls are in
//! `apply`, and the tests in `tests`.

use core::ffi::CStr;
use core::fmt;

mod apply;
#[cfg(test)]
mod tests;

pub use apply::{MountError, MountStep, isolate_filesystem};

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

/// The longest path accepted (`PATH_MAX`, less room for `/oldroot`).
pub const PATH_LIMIT: usize = 4096 - 16;

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
