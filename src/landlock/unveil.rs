//! `unveil()`: OpenBSD's path permissions, on Landlock.
//!
//! A program names the paths it still needs and what it does with them,
//! then commits: everything else on the filesystem is out of reach. The
//! permission letters are OpenBSD's:
//!
//! | letter | Landlock rights |
//! | --- | --- |
//! | `r` | `READ_FILE`, `READ_DIR`, `IOCTL_DEV` |
//! | `w` | `WRITE_FILE`, `TRUNCATE`, `IOCTL_DEV` |
//! | `x` | `EXECUTE`, `READ_FILE` |
//! | `c` | `MAKE_REG`, `MAKE_DIR`, `MAKE_SYM`, `MAKE_SOCK`, `MAKE_FIFO`, `REMOVE_FILE`, `REMOVE_DIR`, `REFER`, `RESOLVE_UNIX` |
//!
//! `x` includes `READ_FILE` because the kernel opens a program for reading
//! to execute it, and Landlock checks both rights then: `EXECUTE` alone
//! executes nothing.
//!
//! `c` is create *and* remove, as on OpenBSD, and also rename and link
//! within unveiled trees (`REFER`) and connecting to UNIX sockets there.
//! Device nodes (`MAKE_CHAR`, `MAKE_BLOCK`) are never allowed.
//!
//! Unlike Cosmopolitan's `unveil`, which leaves the remove rights unhandled
//! (so unlink and rmdir stay possible everywhere), every right the kernel
//! knows is handled: outside the unveiled paths nothing can be read,
//! written, executed, created, removed, renamed or linked. On kernels
//! before 6.2 truncation cannot be restricted, and before 5.19 renaming
//! across directories is always denied; the [`Plan`] returned by
//! [`Unveil::commit`] says what was enforced.
//!
//! Landlock does not see every change to a file. Mode, owner, extended
//! attributes and timestamps (`chmod`, `chown`, `setxattr`, `utimensat`,
//! their `f`/`l`/`at` forms, `file_setattr`), inode flags set by `ioctl`
//! (`FS_IOC_SETFLAGS`, `FS_IOC_FSSETXATTR`: `chattr`), before ABI 3
//! `truncate` by path, and executing a descriptor (`fexecve`, `execveat`
//! with `AT_EMPTY_PATH`: a memfd lives on an internal mount, which
//! Landlock always allows, so its code would run without any `x`), all go
//! past it. Not covered: executing a memfd by its `/proc/self/fd/N` path,
//! which Landlock allows for the same reason and which seccomp cannot tell
//! from any other path. As Cosmopolitan does, [`Unveil::commit`]
//! therefore also installs a small seccomp filter ([`seccomp_supplement`])
//! that fails these calls with `EPERM` everywhere, unveiled paths included,
//! since seccomp cannot see paths, and io_uring with `ENOSYS` (its
//! operations make no system call a filter could see). Opt out with
//! [`Unveil::without_seccomp_supplement`] if the program needs them, or
//! let a supervisor decide: [`seccomp_supplement_rules`] gives the same
//! rules as data, to be sent to it ([`Action::UserNotif`]), which can
//! perform a call itself where it can check the path. The `seclude`
//! command does so for `chmod`, `chown` and `utimes` on files beneath a
//! path unveiled with `w`.
//!
//! Connecting to a UNIX socket by its path is Landlock's only from ABI 9
//! (Linux 7.1, `RESOLVE_UNIX`, granted by `c`); before, a sandboxed
//! process could reach any pathname socket it can name (a session bus, a
//! collaborator's socket), and seccomp sees only the address's pointer.
//! There the supplement refuses what could make such a connection: new
//! UNIX sockets (`socket(AF_UNIX, …)`) and datagram socket pairs (a
//! datagram socket sends to any address it is given). Stream and
//! seqpacket pairs stay allowed: they cannot connect again. Opt out with
//! [`Unveil::allow_unconfined_unix_sockets`].
//!
//! Landlock only grants: a path cannot be hidden beneath an unveiled
//! parent, so OpenBSD's `unveil(path, "")` is refused with
//! [`UnveilError::NoPermissions`]. Committing again can only narrow: each
//! commit adds a Landlock layer, and an access must pass every layer.

use super::access::{AbiVersion, AccessFs, RestrictFlags, Scope};
use super::compat::{Plan, Request};
use super::ruleset::{Ruleset, RulesetError, abi_version};
use crate::Compatibility;
use crate::bpf::{Action, Instruction};
use crate::errno::Errno;
use crate::seccomp::{Cmp, Condition, FilterFlags, LoadError, Policy, Rule};
use crate::sys::ioctl::{Direction, ioc};
use crate::tables::Syscall;
use crate::tables::constants::native;
use core::ffi::CStr;
use core::fmt;

/// What `r`, `w`, `x` and `c` grant.
///
/// ```
/// use seclude::landlock::{AccessFs, UnveilPerms};
/// let rw = UnveilPerms::parse("rw").unwrap();
/// assert!(rw.access().contains(AccessFs::READ_FILE | AccessFs::WRITE_FILE));
/// assert!(!rw.access().contains(AccessFs::EXECUTE));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct UnveilPerms(AccessFs);

impl UnveilPerms {
    /// `r`: read files, list directories.
    pub const READ: AccessFs = AccessFs::READ_FILE
        .union(AccessFs::READ_DIR)
        .union(AccessFs::IOCTL_DEV);
    /// `w`: write and truncate files.
    pub const WRITE: AccessFs = AccessFs::WRITE_FILE
        .union(AccessFs::TRUNCATE)
        .union(AccessFs::IOCTL_DEV);
    /// `x`: execute files (which needs reading them: see the module docs).
    pub const EXECUTE: AccessFs = AccessFs::EXECUTE.union(AccessFs::READ_FILE);
    /// `c`: create, remove, rename and link; connect to UNIX sockets.
    pub const CREATE: AccessFs = AccessFs::MAKE_REG
        .union(AccessFs::MAKE_DIR)
        .union(AccessFs::MAKE_SYM)
        .union(AccessFs::MAKE_SOCK)
        .union(AccessFs::MAKE_FIFO)
        .union(AccessFs::REMOVE_FILE)
        .union(AccessFs::REMOVE_DIR)
        .union(AccessFs::REFER)
        .union(AccessFs::RESOLVE_UNIX);

    /// Parses permission letters; an unknown letter or an empty string is
    /// an error naming it.
    ///
    /// ```
    /// use seclude::landlock::{UnveilError, UnveilPerms};
    /// assert_eq!(UnveilPerms::parse("rq"), Err(UnveilError::BadPermission('q')));
    /// assert_eq!(UnveilPerms::parse(""), Err(UnveilError::NoPermissions));
    /// ```
    pub const fn parse(letters: &str) -> Result<UnveilPerms, UnveilError> {
        let bytes = letters.as_bytes();
        if bytes.is_empty() {
            return Err(UnveilError::NoPermissions);
        }
        let mut access = AccessFs::empty();
        let mut i = 0;
        while i < bytes.len() {
            access = access.union(match bytes[i] {
                b'r' => UnveilPerms::READ,
                b'w' => UnveilPerms::WRITE,
                b'x' => UnveilPerms::EXECUTE,
                b'c' => UnveilPerms::CREATE,
                other => {
                    // Report the character, not a byte of it.
                    let c = if other.is_ascii() {
                        other as char
                    } else {
                        char::REPLACEMENT_CHARACTER
                    };
                    return Err(UnveilError::BadPermission(c));
                }
            });
            i += 1;
        }
        Ok(UnveilPerms(access))
    }

    /// The Landlock rights granted.
    ///
    /// ```
    /// use seclude::landlock::{UnveilPerms};
    /// assert_eq!(UnveilPerms::parse("x").unwrap().access(), UnveilPerms::EXECUTE);
    /// ```
    pub const fn access(self) -> AccessFs {
        self.0
    }
}

/// A mistake in an `unveil` call, or a failure to commit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnveilError {
    /// A letter other than `r`, `w`, `x` and `c`.
    BadPermission(char),
    /// No letters: hiding a path is not something Landlock can do.
    NoPermissions,
    /// More paths than the `Unveil`'s capacity.
    TooManyPaths {
        /// The capacity.
        capacity: usize,
    },
    /// An unveiled path does not exist or cannot be opened.
    Path {
        /// Its index in the order of `unveil` calls.
        index: usize,
        /// Why.
        errno: Errno,
    },
    /// Building or enforcing the ruleset failed.
    Ruleset(RulesetError),
    /// Installing the seccomp supplement failed (the Landlock ruleset is
    /// enforced: the process is confined, but less than asked).
    Supplement(LoadError),
}

impl fmt::Display for UnveilError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnveilError::BadPermission(c) => {
                write!(f, "unveil: unknown permission {c:?} (use r, w, x, c)")
            }
            UnveilError::NoPermissions => {
                f.write_str("unveil: no permissions: Landlock cannot hide a path")
            }
            UnveilError::TooManyPaths { capacity } => {
                write!(f, "unveil: more than {capacity} paths")
            }
            UnveilError::Path { index, errno } => write!(f, "unveil: path #{index}: {errno}"),
            UnveilError::Ruleset(e) => fmt::Display::fmt(e, f),
            UnveilError::Supplement(e) => write!(f, "unveil: seccomp supplement: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UnveilError {}

/// Paths and permissions, gathered and then committed at once, without
/// allocating: at most `N` paths, borrowed for `'a`.
///
/// ```no_run
/// use seclude::landlock::Unveil;
///
/// let mut unveil: Unveil<'_, 8> = Unveil::new();
/// unveil.unveil(c"/usr", "rx").unwrap();
/// unveil.unveil(c"/etc/ssl", "r").unwrap();
/// unveil.unveil(c"/tmp/out", "rwc").unwrap();
/// let plan = unveil.commit().unwrap();
/// println!("{:?}", plan.enforcement);
/// ```
pub struct Unveil<'a, const N: usize> {
    /// Each path, its permissions, and whether it may be missing
    /// ([`unveil_if_present`](Unveil::unveil_if_present)).
    paths: heapless::Vec<(&'a CStr, UnveilPerms, bool), N>,
    compat: Compatibility,
    flags: RestrictFlags,
    skip_missing: bool,
    supplement: bool,
    unix: UnixSockets,
    scopes: Scope,
}

impl<'a, const N: usize> Default for Unveil<'a, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, const N: usize> Unveil<'a, N> {
    /// Nothing unveiled yet; best-effort compatibility; a missing path is an
    /// error.
    ///
    /// ```
    /// let u: seclude::landlock::Unveil<'_, 4> = seclude::landlock::Unveil::new();
    /// assert_eq!(u.len(), 0);
    /// ```
    pub const fn new() -> Self {
        Unveil {
            paths: heapless::Vec::new(),
            compat: Compatibility::BestEffort,
            flags: RestrictFlags::empty(),
            skip_missing: false,
            supplement: true,
            unix: UnixSockets::ConfinedOnly,
            scopes: Scope::empty(),
        }
    }

    /// Also cut the process off from what is outside its Landlock domain
    /// (ABI 6, Linux 6.12; under best effort dropped before, and the
    /// [`Plan`] says so): [`Scope::SIGNAL`], no signal to a process outside
    /// the sandbox (its supervisor, other programs of the same user);
    /// [`Scope::ABSTRACT_UNIX_SOCKET`], no connection to an abstract UNIX
    /// socket made outside it. Landlock scopes are what seccomp cannot see:
    /// the target of a `kill`, a socket's address.
    ///
    /// ```
    /// use seclude::landlock::{Scope, Unveil};
    /// let u: Unveil<'_, 4> = Unveil::new().scopes(Scope::all());
    /// # let _ = u;
    /// ```
    pub const fn scopes(mut self, scopes: Scope) -> Self {
        self.scopes = scopes;
        self
    }

    /// How much of the ruleset this kernel must be able to enforce.
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::landlock::Unveil;
    /// let u: Unveil<'_, 4> = Unveil::new().compatibility(Compatibility::HardRequirement);
    /// # let _ = u;
    /// ```
    pub const fn compatibility(mut self, compat: Compatibility) -> Self {
        self.compat = compat;
        self
    }

    /// `restrict_self` flags (logging, `TSYNC`), subject to compatibility.
    ///
    /// ```
    /// use seclude::landlock::{RestrictFlags, Unveil};
    /// let u: Unveil<'_, 4> = Unveil::new().flags(RestrictFlags::TSYNC);
    /// # let _ = u;
    /// ```
    pub const fn flags(mut self, flags: RestrictFlags) -> Self {
        self.flags = flags;
        self
    }

    /// Skip unveiled paths that do not exist instead of failing.
    ///
    /// ```
    /// let u: seclude::landlock::Unveil<'_, 4> = seclude::landlock::Unveil::new().skip_missing_paths();
    /// # let _ = u;
    /// ```
    pub const fn skip_missing_paths(mut self) -> Self {
        self.skip_missing = true;
        self
    }

    /// Do not install the seccomp supplement ([`seccomp_supplement`]): mode,
    /// owner, xattr and timestamp changes stay possible on every path the
    /// process can reach.
    ///
    /// ```
    /// let u: seclude::landlock::Unveil<'_, 4> = seclude::landlock::Unveil::new().without_seccomp_supplement();
    /// # let _ = u;
    /// ```
    pub const fn without_seccomp_supplement(mut self) -> Self {
        self.supplement = false;
        self
    }

    /// Let the seccomp supplement allow new UNIX sockets even where
    /// Landlock cannot confine connecting to them by path (before ABI 9):
    /// the process can then reach every pathname socket it can name,
    /// unveiled or not. See [`UnixSockets`].
    ///
    /// ```
    /// let u: seclude::landlock::Unveil<'_, 4> =
    ///     seclude::landlock::Unveil::new().allow_unconfined_unix_sockets();
    /// # let _ = u;
    /// ```
    pub const fn allow_unconfined_unix_sockets(mut self) -> Self {
        self.unix = UnixSockets::AllowUnconfined;
        self
    }

    /// Number of paths unveiled.
    ///
    /// ```
    /// let mut u: seclude::landlock::Unveil<'_, 4> = seclude::landlock::Unveil::new();
    /// u.unveil(c"/", "r").unwrap();
    /// assert_eq!(u.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether nothing is unveiled (committing then hides the whole filesystem).
    ///
    /// ```
    /// assert!(seclude::landlock::Unveil::<'_, 1>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Unveils `path` with permission letters `perms` (`"rwxc"`, any subset).
    ///
    /// ```
    /// use seclude::landlock::{Unveil, UnveilError};
    /// let mut u: Unveil<'_, 1> = Unveil::new();
    /// u.unveil(c"/etc", "r").unwrap();
    /// assert_eq!(u.unveil(c"/tmp", "rw"), Err(UnveilError::TooManyPaths { capacity: 1 }));
    /// ```
    pub fn unveil(&mut self, path: &'a CStr, perms: &str) -> Result<(), UnveilError> {
        self.push(path, perms, false)
    }

    /// Unveils `path` as [`unveil`](Unveil::unveil) does if it is there
    /// when the rules are made; if it is not (missing, under a file, out of
    /// reach for this user, a loop of links), it is left out and nothing
    /// under that name is reachable. For paths a program can go without
    /// (a locale directory, say), without a look beforehand that would walk
    /// the path twice.
    ///
    /// ```no_run
    /// let mut u: seclude::landlock::Unveil<'_, 2> = seclude::landlock::Unveil::new();
    /// u.unveil(c"/srv/data", "r").unwrap();
    /// u.unveil_if_present(c"/usr/share/locale", "r").unwrap();
    /// let plan = u.commit().unwrap();
    /// # let _ = plan;
    /// ```
    pub fn unveil_if_present(&mut self, path: &'a CStr, perms: &str) -> Result<(), UnveilError> {
        self.push(path, perms, true)
    }

    fn push(&mut self, path: &'a CStr, perms: &str, optional: bool) -> Result<(), UnveilError> {
        let perms = UnveilPerms::parse(perms)?;
        self.paths
            .push((path, perms, optional))
            .map_err(|_| UnveilError::TooManyPaths { capacity: N })
    }

    /// The ruleset request: every right the crate knows (the plan narrows it
    /// to the kernel's), plus the flags.
    fn request(&self) -> Request {
        Request {
            fs: AccessFs::all(),
            scopes: self.scopes,
            flags: self.flags,
            ..Request::EMPTY
        }
    }

    /// Enforces the unveiled paths on the calling thread and its future
    /// children, and returns what is enforced. See [`Plan`].
    ///
    /// With [`Compatibility::HardRequirement`], "every right" means every
    /// right this crate knows, including ones newer than the running
    /// kernel: use best effort (the default) and check the plan, or
    /// [`commit_for_kernel`](Unveil::commit_for_kernel).
    ///
    /// ```no_run
    /// let mut u: seclude::landlock::Unveil<'_, 2> = seclude::landlock::Unveil::new();
    /// u.unveil(c"/srv/data", "r").unwrap();
    /// let plan = u.commit().unwrap();
    /// ```
    pub fn commit(self) -> Result<Plan, UnveilError> {
        let request = self.request();
        self.commit_request(request)
    }

    /// Like [`commit`](Unveil::commit), but requiring only what the running
    /// kernel can do: with a hard requirement this fails only where Landlock
    /// is missing.
    ///
    /// ```no_run
    /// use seclude::Compatibility;
    /// use seclude::landlock::Unveil;
    /// let mut u: Unveil<'_, 2> = Unveil::new().compatibility(Compatibility::HardRequirement);
    /// u.unveil(c"/srv/data", "r").unwrap();
    /// let plan = u.commit_for_kernel().expect("this kernel has Landlock");
    /// ```
    pub fn commit_for_kernel(self) -> Result<Plan, UnveilError> {
        let mut request = self.request();
        request.fs = request.fs.intersection(abi_version().fs());
        self.commit_request(request)
    }

    fn commit_request(self, request: Request) -> Result<Plan, UnveilError> {
        self.prepare_request(request)?.enforce()
    }

    /// The first half of [`commit`](Unveil::commit): creates the ruleset
    /// and opens and adds every path, enforcing nothing yet. A sandbox that
    /// also lowers `RLIMIT_NOFILE` or changes the mount tree prepares here,
    /// while the paths can still be opened, and enforces later.
    ///
    /// ```no_run
    /// let mut u: seclude::landlock::Unveil<'_, 2> = seclude::landlock::Unveil::new();
    /// u.unveil(c"/srv/data", "r").unwrap();
    /// let prepared = u.prepare().unwrap();
    /// // ... other set-up that needs the paths closed or the limits lowered ...
    /// let plan = prepared.enforce().unwrap();
    /// ```
    pub fn prepare(&self) -> Result<PreparedUnveil, UnveilError> {
        self.prepare_request(self.request())
    }

    fn prepare_request(&self, request: Request) -> Result<PreparedUnveil, UnveilError> {
        let mut ruleset = Ruleset::new(&request, self.compat).map_err(UnveilError::Ruleset)?;
        for (index, &(path, perms, optional)) in self.paths.iter().enumerate() {
            match ruleset.allow_path(path, perms.access()) {
                Ok(()) => {}
                Err(RulesetError::Open(Errno::ENOENT)) if self.skip_missing || optional => {}
                Err(RulesetError::Open(
                    Errno::ENOTDIR | Errno::EACCES | Errno::ELOOP | Errno::ENAMETOOLONG,
                )) if optional => {}
                Err(RulesetError::Open(errno)) => return Err(UnveilError::Path { index, errno }),
                Err(e) => return Err(UnveilError::Ruleset(e)),
            }
        }
        Ok(PreparedUnveil {
            ruleset,
            supplement: self.supplement.then_some(self.unix),
        })
    }
}

/// A ruleset with every unveiled path added, not yet enforced: see
/// [`Unveil::prepare`]. Dropping it enforces nothing.
#[derive(Debug)]
pub struct PreparedUnveil {
    ruleset: Ruleset,
    /// The supplement to install, if any, and what it does with UNIX
    /// sockets.
    supplement: Option<UnixSockets>,
}

impl PreparedUnveil {
    /// The plan: what [`enforce`](PreparedUnveil::enforce) will restrict.
    ///
    /// ```no_run
    /// let u: seclude::landlock::Unveil<'_, 1> = seclude::landlock::Unveil::new();
    /// println!("{:?}", u.prepare().unwrap().plan().enforcement);
    /// ```
    pub fn plan(&self) -> Plan {
        *self.ruleset.plan()
    }

    /// Enforces the ruleset on the calling thread (setting `no_new_privs`)
    /// and installs the seccomp supplement: the second half of
    /// [`Unveil::commit`].
    ///
    /// ```no_run
    /// let u: seclude::landlock::Unveil<'_, 1> = seclude::landlock::Unveil::new();
    /// let plan = u.prepare().unwrap().enforce().unwrap();
    /// ```
    pub fn enforce(self) -> Result<Plan, UnveilError> {
        let plan = self.ruleset.restrict_self().map_err(UnveilError::Ruleset)?;
        if let Some(unix) = self.supplement {
            if plan.enforcement != super::Enforcement::None {
                // Every thread Landlock confined (TSYNC) gets the
                // supplement too, or another thread could do what it
                // refuses.
                let flags = if plan.enforced.flags.contains(RestrictFlags::TSYNC) {
                    FilterFlags::TSYNC
                } else {
                    FilterFlags::empty()
                };
                crate::seccomp::load(seccomp_supplement(plan.abi, unix), flags)
                    .map_err(UnveilError::Supplement)?;
            }
        }
        Ok(plan)
    }
}

/// `chattr`'s ioctls: `FS_IOC_SETFLAGS` is `_IOW('f', 2, long)`, so its
/// number carries the size of `long` (8 or 4; both are refused, for compat
/// callers); `FS_IOC_FSSETXATTR` is `_IOW('X', 32, struct fsxattr)` (28 bytes).
const FS_IOC_SETFLAGS_64: u32 = ioc(Direction::Write, b'f', 2, 8);
const FS_IOC_SETFLAGS_32: u32 = ioc(Direction::Write, b'f', 2, 4);
const FS_IOC_FSSETXATTR: u32 = ioc(Direction::Write, b'X', 32, 28);
const EPERM: u16 = 1;
/// 89 on MIPS.
const ENOSYS: u16 = Errno::ENOSYS.raw() as u16;
const AT_EMPTY_PATH: u32 = native::AT_EMPTY_PATH;
const AF_UNIX: u32 = native::AF_UNIX;
const SOCK_DGRAM: u32 = native::SOCK_DGRAM;
const SOCK_RAW: u32 = native::SOCK_RAW;
/// The type in `socket`'s second argument; the bits above are flags
/// (`SOCK_CLOEXEC`, `SOCK_NONBLOCK`).
const SOCK_TYPE_MASK: u32 = native::SOCK_TYPE_MASK;
/// `socketcall`'s call numbers (`SYS_SOCKET`, `SYS_SOCKETPAIR`).
const SYS_SOCKET: u32 = 1;
const SYS_SOCKETPAIR: u32 = 8;

/// The calls that change a file behind Landlock's back.
const METADATA_CALLS: [Syscall; 25] = [
    Syscall::chmod,
    Syscall::fchmod,
    Syscall::fchmodat,
    Syscall::fchmodat2,
    Syscall::chown,
    Syscall::fchown,
    Syscall::lchown,
    Syscall::fchownat,
    Syscall::chown32,
    Syscall::fchown32,
    Syscall::lchown32,
    Syscall::setxattr,
    Syscall::lsetxattr,
    Syscall::fsetxattr,
    Syscall::setxattrat,
    Syscall::removexattr,
    Syscall::lremovexattr,
    Syscall::fremovexattr,
    Syscall::removexattrat,
    Syscall::utime,
    Syscall::utimes,
    Syscall::futimesat,
    Syscall::utimensat,
    Syscall::utimensat_time64,
    Syscall::file_setattr,
];

/// What the seccomp supplement does with new UNIX sockets where Landlock
/// cannot confine connecting to them by path (before ABI 9, Linux 7.1,
/// whose `RESOLVE_UNIX` the `c` letter grants).
///
/// ```
/// use seclude::landlock::{seccomp_supplement_rules, AbiVersion, UnixSockets};
/// use seclude::tables::Syscall;
/// let refuses = |abi, unix| seccomp_supplement_rules(abi, unix).iter().any(|r| r.syscall == Syscall::socket);
/// assert!(refuses(AbiVersion::V7, UnixSockets::ConfinedOnly));
/// assert!(!refuses(AbiVersion::V9, UnixSockets::ConfinedOnly)); // Landlock's own
/// assert!(!refuses(AbiVersion::V7, UnixSockets::AllowUnconfined));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnixSockets {
    /// Refused (`EPERM`) there: `socket(AF_UNIX, …)`, and
    /// `socketpair(AF_UNIX, …)` of datagram sockets, which send to any
    /// address they are given; on architectures with `socketcall`, its
    /// `socket` and `socketpair` calls fail with `ENOSYS` (their arguments
    /// are in memory): a C library that makes sockets only through
    /// `socketcall` (glibc built for kernels before 4.3 on i386 or s390x)
    /// then makes none, musl and newer builds use the direct calls. The
    /// default.
    ConfinedOnly,
    /// Allowed: every pathname socket the process can name is reachable.
    AllowUnconfined,
}

const fn supplement_policy(with_truncate: bool, refuse_unix: bool) -> Policy<48> {
    let denied = Action::Errno(EPERM);
    let mut p: Policy<48> = Policy::new(Action::Allow);
    let mut i = 0;
    while i < METADATA_CALLS.len() {
        p = p.action(METADATA_CALLS[i], denied);
        i += 1;
    }
    // Inode flags and project attributes, set through ioctl on any file.
    let mut k = 0;
    let cmds = [FS_IOC_SETFLAGS_64, FS_IOC_SETFLAGS_32, FS_IOC_FSSETXATTR];
    while k < cmds.len() {
        p = p.rule(
            Syscall::ioctl,
            &[Condition::arg32(1, Cmp::Eq, cmds[k])],
            denied,
        );
        k += 1;
    }
    // Executing a descriptor (`fexecve`: execveat with AT_EMPTY_PATH):
    // Landlock checks its execute right on paths, so a memfd's code would
    // run whatever was unveiled with `x`.
    p = p.rule(
        Syscall::execveat,
        &[Condition::arg32(
            4,
            Cmp::MaskedEq(AT_EMPTY_PATH as u64),
            AT_EMPTY_PATH,
        )],
        denied,
    );
    if with_truncate {
        p = p
            .action(Syscall::truncate, denied)
            .action(Syscall::truncate64, denied);
    }
    // io_uring performs operations without their system calls, so past
    // every rule here (IORING_OP_SETXATTR, IORING_OP_SOCKET): unavailable,
    // as under pledge; C libraries do not depend on it. `enter` and
    // `register` too, for a ring made before the commit.
    let rings = [
        Syscall::io_uring_setup,
        Syscall::io_uring_enter,
        Syscall::io_uring_register,
    ];
    let mut r = 0;
    while r < rings.len() {
        p = p.action(rings[r], Action::Errno(ENOSYS));
        r += 1;
    }
    if refuse_unix {
        // The address a socket connects or sends to is in memory, out of
        // seccomp's sight: refuse the sockets that could use one. A
        // stream or seqpacket pair is connected for good (connect fails
        // with EISCONN, a send's address is refused or ignored); the
        // kernel makes SOCK_RAW a datagram socket.
        p = p.rule(
            Syscall::socket,
            &[Condition::arg32(0, Cmp::Eq, AF_UNIX)],
            denied,
        );
        let datagram = [SOCK_DGRAM, SOCK_RAW];
        let mut t = 0;
        while t < datagram.len() {
            p = p.rule(
                Syscall::socketpair,
                &[
                    Condition::arg32(0, Cmp::Eq, AF_UNIX),
                    Condition::arg32(1, Cmp::MaskedEq(SOCK_TYPE_MASK as u64), datagram[t]),
                ],
                denied,
            );
            t += 1;
        }
        let calls = [SYS_SOCKET, SYS_SOCKETPAIR];
        let mut c = 0;
        while c < calls.len() {
            p = p.rule(
                Syscall::socketcall,
                &[Condition::arg32(0, Cmp::Eq, calls[c])],
                Action::Errno(ENOSYS),
            );
            c += 1;
        }
    }
    p
}

/// The four supplements, by [`supplement_index`].
static SUPPLEMENTS: [Policy<48>; 4] = [
    supplement_policy(false, false),
    supplement_policy(false, true),
    supplement_policy(true, false),
    supplement_policy(true, true),
];
static SUPPLEMENT_PROGRAMS: [&[Instruction]; 4] = [
    crate::seccomp_program!(SUPPLEMENTS[0]),
    crate::seccomp_program!(SUPPLEMENTS[1]),
    crate::seccomp_program!(SUPPLEMENTS[2]),
    crate::seccomp_program!(SUPPLEMENTS[3]),
];

/// Which supplement a kernel of Landlock version `abi` needs: truncating
/// by path is Landlock's own from ABI 3, connecting to a UNIX socket by
/// path from ABI 9.
const fn supplement_index(abi: AbiVersion, unix: UnixSockets) -> usize {
    let truncate = (abi as u32) < (AbiVersion::V3 as u32);
    let refuse_unix =
        (abi as u32) < (AbiVersion::V9 as u32) && matches!(unix, UnixSockets::ConfinedOnly);
    (truncate as usize) * 2 + refuse_unix as usize
}

/// The seccomp program [`Unveil::commit`] installs for a kernel of Landlock
/// version `abi`: every call in the module's list fails with `EPERM`;
/// before ABI 3 so does `truncate` by path, and before ABI 9 new UNIX
/// sockets unless `unix` allows them ([`UnixSockets`]). Compiled at
/// compile time.
///
/// ```
/// use seclude::bpf::{simulate, Action, SeccompData};
/// use seclude::landlock::{seccomp_supplement, AbiVersion, UnixSockets};
/// use seclude::tables::{Abi, Syscall};
///
/// let chmod = SeccompData::new(Abi::NATIVE.number(Syscall::fchmodat).unwrap() as i32, Abi::NATIVE.audit_arch());
/// let program = seccomp_supplement(AbiVersion::V7, UnixSockets::ConfinedOnly);
/// assert_eq!(simulate(program, &chmod, Abi::NATIVE.endian()).unwrap().action, Action::Errno(1));
/// ```
pub fn seccomp_supplement(abi: AbiVersion, unix: UnixSockets) -> &'static [Instruction] {
    #[cfg(target_arch = "x86_64")]
    const _: () = assert!(FS_IOC_SETFLAGS_64 == 0x4008_6602 && FS_IOC_FSSETXATTR == 0x401c_5820);
    SUPPLEMENT_PROGRAMS[supplement_index(abi, unix)]
}

/// The rules of [`seccomp_supplement`]'s filter for a kernel with Landlock
/// `abi`, as data: each refuses (`EPERM`, `ENOSYS` for `socketcall`) what
/// Landlock cannot check. A supervisor that installs Landlock without the
/// supplement ([`Unveil::without_seccomp_supplement`]) can put these rules
/// in its own filter with another action, to report each refusal or to
/// perform the call itself where it can check the path.
///
/// ```
/// use seclude::landlock::{seccomp_supplement_rules, AbiVersion, UnixSockets};
/// use seclude::tables::Syscall;
/// let rules = seccomp_supplement_rules(AbiVersion::V7, UnixSockets::ConfinedOnly);
/// assert!(rules.iter().any(|r| r.syscall == Syscall::fchmodat));
/// // Truncating by path is Landlock's own from ABI 3 on.
/// assert!(!rules.iter().any(|r| r.syscall == Syscall::truncate));
/// assert!(seccomp_supplement_rules(AbiVersion::V2, UnixSockets::ConfinedOnly)
///     .iter()
///     .any(|r| r.syscall == Syscall::truncate));
/// ```
pub fn seccomp_supplement_rules(abi: AbiVersion, unix: UnixSockets) -> &'static [Rule] {
    SUPPLEMENTS[supplement_index(abi, unix)].rules()
}
