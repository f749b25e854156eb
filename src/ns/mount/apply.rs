//! The apply step of filesystem isolation: the mount calls that turn a
//! checked [`FsIsolation`] plan into the process's new root, and the
//! errors they report.
//!
//! Apart from the plan (in the parent module) because this half is all
//! system calls and the order they must come in, while the plan is data
//! that `const` code builds and checks without touching the kernel.

use super::{FsIsolation, MountFlags, PathOf, PlanError};
use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::{self, AT_FDCWD, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_PATH, O_WRONLY};
use crate::tables::native_nr;
use core::ffi::CStr;
use core::fmt;

const MS_RDONLY: usize = 0x1;
const MS_REMOUNT: usize = 0x20;
const MS_BIND: usize = 0x1000;
const MS_REC: usize = 0x4000;
const MS_PRIVATE: usize = 0x40000;
const MNT_DETACH: usize = 0x2;
const AT_REMOVEDIR: usize = 0x200;
const AT_RECURSIVE: usize = 0x8000;
const MOUNT_ATTR_RDONLY: u64 = 0x1;

/// `struct mount_attr`, version 0 (32 bytes).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
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

/// A NUL-terminated path built on the stack (`pub(super)` for the
/// module's tests).
pub(super) struct PathBuf {
    buf: [u8; 4096],
    len: usize,
}

impl PathBuf {
    pub(super) fn new() -> PathBuf {
        PathBuf {
            buf: [0; 4096],
            len: 0,
        }
    }

    /// Appends; the plan's length check keeps this within the buffer.
    pub(super) fn push(&mut self, bytes: &[u8]) -> &mut PathBuf {
        let end = (self.len + bytes.len()).min(self.buf.len() - 1);
        self.buf[self.len..end].copy_from_slice(&bytes[..end - self.len]);
        self.len = end;
        self.buf[end] = 0;
        self
    }

    pub(super) fn as_cstr(&self) -> &CStr {
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

/// The target of symbolic link `path` (`readlinkat`), `None` if it cannot
/// be read; a target longer than `buf` comes back cut to `buf`'s length.
pub(super) fn readlink<'b>(path: &CStr, buf: &'b mut [u8]) -> Option<&'b [u8]> {
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
/// [`unshare`](crate::ns::unshare) or [`fork`](crate::sys::process::fork):
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
