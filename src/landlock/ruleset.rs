//! The kernel-facing part: probing, creating a ruleset from a [`Plan`],
//! adding rules, and restricting the calling thread.

use super::access::{AbiVersion, AccessFs, AccessNet};
use super::compat::{CompatError, Enforcement, Plan, Request, plan};
use crate::Compatibility;
use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::{self, O_CLOEXEC, O_DIRECTORY, O_PATH, OwnedFd};
use crate::tables::native_nr;
use core::ffi::CStr;
use core::fmt;

const LANDLOCK_CREATE_RULESET_VERSION: usize = 1 << 0;
const LANDLOCK_CREATE_RULESET_ERRATA: usize = 1 << 1;
const LANDLOCK_RULE_PATH_BENEATH: usize = 1;
const LANDLOCK_RULE_NET_PORT: usize = 2;

/// The Landlock version of the running kernel
/// (`landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`);
/// [`AbiVersion::Unsupported`] if the kernel has no Landlock or it is
/// disabled.
///
/// ```
/// let version = seclude::landlock::abi_version();
/// println!("{version}");
/// ```
pub fn abi_version() -> AbiVersion {
    // SAFETY: a null attribute pointer with size 0 is the documented query.
    match unsafe {
        sys::syscall3(
            native_nr!(landlock_create_ruleset),
            0,
            0,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    } {
        Ok(v) => AbiVersion::from_raw(v as i64),
        Err(_) => AbiVersion::Unsupported,
    }
}

/// The kernel's Landlock errata bitmask (`LANDLOCK_CREATE_RULESET_ERRATA`):
/// one bit per fixed issue. Kernels without the query answer `EINVAL`.
///
/// ```
/// let _ = seclude::landlock::errata();
/// ```
pub fn errata() -> Result<u64, Errno> {
    // SAFETY: as for abi_version.
    unsafe {
        sys::syscall3(
            native_nr!(landlock_create_ruleset),
            0,
            0,
            LANDLOCK_CREATE_RULESET_ERRATA,
        )
    }
    .map(|v| v as u64)
}

/// Why a ruleset could not be built or enforced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RulesetError {
    /// A hard requirement this kernel cannot meet.
    Compat(CompatError),
    /// `landlock_create_ruleset` failed.
    Create(Errno),
    /// A path could not be opened (`ENOENT` for a missing one).
    Open(Errno),
    /// `landlock_add_rule` failed.
    AddRule(Errno),
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    NoNewPrivs(Errno),
    /// `landlock_restrict_self` failed.
    Restrict(Errno),
}

impl fmt::Display for RulesetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RulesetError::Compat(e) => fmt::Display::fmt(e, f),
            RulesetError::Create(e) => write!(f, "landlock: creating the ruleset: {e}"),
            RulesetError::Open(e) => write!(f, "landlock: opening a rule's path: {e}"),
            RulesetError::AddRule(e) => write!(f, "landlock: adding a rule: {e}"),
            RulesetError::NoNewPrivs(e) => write!(f, "landlock: prctl(PR_SET_NO_NEW_PRIVS): {e}"),
            RulesetError::Restrict(e) => write!(f, "landlock: restricting the thread: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RulesetError {}

/// `struct landlock_ruleset_attr`.
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// `struct landlock_path_beneath_attr` (packed: 12 bytes).
#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// `struct landlock_net_port_attr`.
#[repr(C)]
struct NetPortAttr {
    allowed_access: u64,
    port: u64,
}

/// A Landlock ruleset being built: what it handles follows its [`Plan`],
/// rules are added with [`allow_path`](Ruleset::allow_path) and
/// [`allow_port`](Ruleset::allow_port), and
/// [`restrict_self`](Ruleset::restrict_self) enforces it.
///
/// ```no_run
/// use seclude::Compatibility;
/// use seclude::landlock::{AccessFs, Enforcement, Request, Ruleset};
///
/// let request = Request { fs: AccessFs::all(), ..Request::EMPTY };
/// let mut ruleset = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
/// ruleset.allow_path(c"/usr", AccessFs::READ_FILE | AccessFs::READ_DIR | AccessFs::EXECUTE).unwrap();
/// let plan = ruleset.restrict_self().unwrap();
/// assert_ne!(plan.enforcement, Enforcement::None);
/// ```
#[derive(Debug)]
pub struct Ruleset {
    fd: Option<OwnedFd>,
    plan: Plan,
}

impl Ruleset {
    /// A ruleset for `request` on the running kernel, under `compat`.
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::landlock::{AccessFs, Request, Ruleset};
    /// let request = Request { fs: AccessFs::WRITE_FILE, ..Request::EMPTY };
    /// let ruleset = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
    /// println!("{:?}", ruleset.plan().enforcement);
    /// ```
    pub fn new(request: &Request, compat: Compatibility) -> Result<Ruleset, RulesetError> {
        Ruleset::for_abi(request, compat, abi_version())
    }

    /// A ruleset planned as if the kernel's version were `abi` (at most the
    /// running kernel's): what an older kernel would enforce, on this one.
    /// Tests use it to exercise every version's plan against a real kernel.
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::landlock::{AbiVersion, AccessFs, Enforcement, Request, Ruleset};
    /// let request = Request { fs: AccessFs::TRUNCATE | AccessFs::WRITE_FILE, ..Request::EMPTY };
    /// let as_if_5_19 = Ruleset::for_abi(&request, Compatibility::BestEffort, AbiVersion::V2).unwrap();
    /// assert_eq!(as_if_5_19.plan().dropped.fs, AccessFs::TRUNCATE);
    /// ```
    pub fn for_abi(
        request: &Request,
        compat: Compatibility,
        abi: AbiVersion,
    ) -> Result<Ruleset, RulesetError> {
        let plan = plan(request, abi, compat).map_err(RulesetError::Compat)?;
        if plan.enforcement == Enforcement::None {
            return Ok(Ruleset { fd: None, plan });
        }
        let attr = RulesetAttr {
            handled_access_fs: plan.enforced.fs.bits(),
            handled_access_net: plan.enforced.net.bits(),
            scoped: plan.enforced.scopes.bits(),
        };
        // The smallest struct that holds what is asked: older kernels refuse
        // a larger one.
        let size = if !plan.enforced.scopes.is_empty() {
            24
        } else if !plan.enforced.net.is_empty() {
            16
        } else {
            8
        };
        // SAFETY: the kernel reads `size` bytes of attr.
        let fd = unsafe {
            sys::syscall3(
                native_nr!(landlock_create_ruleset),
                &attr as *const RulesetAttr as usize,
                size,
                0,
            )
        }
        .map_err(RulesetError::Create)?;
        Ok(Ruleset {
            fd: Some(
                // SAFETY: the kernel just returned this descriptor to us.
                unsafe { OwnedFd::from_raw(fd as i32) },
            ),
            plan,
        })
    }

    /// What this ruleset will enforce.
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::landlock::{AbiVersion, Enforcement, Request, Ruleset};
    /// let r = Ruleset::for_abi(&Request::ALL, Compatibility::SoftRequirement, AbiVersion::V1).unwrap();
    /// assert_eq!(r.plan().enforcement, Enforcement::None);
    /// ```
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Allows `access` beneath `path` (a directory) or on it (a file). The
    /// rights are narrowed to what the ruleset handles, and for a file to
    /// the rights that apply to files ([`AccessFs::FILE`]); if nothing is
    /// left, no rule is added. A missing path is `Err(Open(ENOENT))`.
    ///
    /// ```
    /// use seclude::{Compatibility, Errno, landlock::{AccessFs, Request, Ruleset, RulesetError}};
    /// let request = Request { fs: AccessFs::all(), ..Request::EMPTY };
    /// let mut r = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
    /// r.allow_path(c"/etc/hostname", AccessFs::READ_FILE | AccessFs::READ_DIR).unwrap();
    /// # if r.plan().enforcement != seclude::landlock::Enforcement::None {
    /// assert_eq!(r.allow_path(c"/no/such/path", AccessFs::READ_FILE), Err(RulesetError::Open(Errno::ENOENT)));
    /// # }
    /// ```
    pub fn allow_path(&mut self, path: &CStr, access: AccessFs) -> Result<(), RulesetError> {
        let Some(ruleset) = &self.fd else {
            return Ok(());
        };
        let (fd, is_dir) = open_path(path).map_err(RulesetError::Open)?;
        let mut allowed = access.intersection(self.plan.enforced.fs);
        if !is_dir {
            allowed = allowed.intersection(AccessFs::FILE);
        }
        if allowed.is_empty() {
            return Ok(());
        }
        let attr = PathBeneathAttr {
            allowed_access: allowed.bits(),
            parent_fd: fd.raw(),
        };
        // SAFETY: the kernel reads the 12-byte attr.
        unsafe {
            sys::syscall4(
                native_nr!(landlock_add_rule),
                ruleset.raw() as usize,
                LANDLOCK_RULE_PATH_BENEATH,
                &attr as *const PathBeneathAttr as usize,
                0,
            )
        }
        .map(drop)
        .map_err(RulesetError::AddRule)
    }

    /// Allows `access` for TCP port `port` (ABI 4); narrowed to what the
    /// ruleset handles, and skipped if nothing is left.
    ///
    /// ```
    /// use seclude::Compatibility;
    /// use seclude::landlock::{AccessNet, Request, Ruleset};
    /// let request = Request { net: AccessNet::all(), ..Request::EMPTY };
    /// let mut r = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
    /// r.allow_port(443, AccessNet::CONNECT_TCP).unwrap();
    /// ```
    pub fn allow_port(&mut self, port: u16, access: AccessNet) -> Result<(), RulesetError> {
        let Some(ruleset) = &self.fd else {
            return Ok(());
        };
        let allowed = access.intersection(self.plan.enforced.net);
        if allowed.is_empty() {
            return Ok(());
        }
        let attr = NetPortAttr {
            allowed_access: allowed.bits(),
            port: u64::from(port),
        };
        // SAFETY: the kernel reads the 16-byte attr.
        unsafe {
            sys::syscall4(
                native_nr!(landlock_add_rule),
                ruleset.raw() as usize,
                LANDLOCK_RULE_NET_PORT,
                &attr as *const NetPortAttr as usize,
                0,
            )
        }
        .map(drop)
        .map_err(RulesetError::AddRule)
    }

    /// Sets `no_new_privs` and enforces the ruleset on the calling thread
    /// (and every thread, with [`RestrictFlags::TSYNC`](super::RestrictFlags::TSYNC)
    /// on ABI 8), and the children it creates from now on. Returns the plan:
    /// what is now enforced. A plan of [`Enforcement::None`] calls nothing.
    ///
    /// ```no_run
    /// use seclude::Compatibility;
    /// use seclude::landlock::{AccessFs, Request, Ruleset};
    /// // Deny every write, everywhere, from now on.
    /// let request = Request { fs: AccessFs::WRITE_FILE, ..Request::EMPTY };
    /// let plan = Ruleset::new(&request, Compatibility::HardRequirement).unwrap().restrict_self().unwrap();
    /// ```
    pub fn restrict_self(self) -> Result<Plan, RulesetError> {
        let Some(ruleset) = &self.fd else {
            return Ok(self.plan);
        };
        crate::seccomp::set_no_new_privs().map_err(RulesetError::NoNewPrivs)?;
        // SAFETY: integer arguments only.
        unsafe {
            sys::syscall2(
                native_nr!(landlock_restrict_self),
                ruleset.raw() as usize,
                self.plan.enforced.flags.bits() as usize,
            )
        }
        .map_err(RulesetError::Restrict)?;
        Ok(self.plan)
    }
}

/// Opens `path` with `O_PATH | O_CLOEXEC` (a final symbolic link is
/// followed) and tells whether it is a directory, from the descriptor
/// itself ([`file_info`](sys::path::file_info)): one path walk, and the
/// type is that of the file the rule will name, whatever happens to the
/// path meanwhile.
///
/// A walk that ends in an automount trigger mounts what belongs there only
/// with `O_DIRECTORY` (or without `O_PATH`): alone, `O_PATH` names the
/// trigger, under which a rule would not reach the mounted filesystem
/// (Landlock does not look at a covered mount point). So a directory that
/// may be one is opened again with `O_DIRECTORY`, as it always was: those
/// on a filesystem without a block device (autofs's triggers are marked
/// on the dentry, not visible to `statx`), or marked as triggers. The same
/// second open decides when `statx` is refused (by a seccomp filter, say).
fn open_path(path: &CStr) -> Result<(OwnedFd, bool), Errno> {
    let fd = fd::open(path, O_PATH | O_CLOEXEC, 0)?;
    let info = sys::path::file_info(fd.raw());
    match info {
        Ok(info) if !info.is_dir() => return Ok((fd, false)),
        Ok(info) if !info.is_automount() && info.dev_major() != 0 => return Ok((fd, true)),
        _ => {}
    }
    match fd::open(path, O_PATH | O_CLOEXEC | O_DIRECTORY, 0) {
        Ok(dir) => Ok((dir, true)),
        // Not a directory (statx refused), or no longer one (the path
        // changed since the first open): the file opened first, with the
        // rights of what it is. A directory it held stays one: with a
        // file's rights its rule would give those rights under it.
        Err(Errno::ENOTDIR) => {
            let is_dir = match info {
                Ok(info) => info.is_dir(),
                // "." under a descriptor that is not a directory: ENOTDIR.
                Err(_) => match fd::openat(fd.raw(), c".", O_PATH | O_CLOEXEC | O_DIRECTORY, 0) {
                    Ok(_) => true,
                    Err(Errno::ENOTDIR) => false,
                    Err(e) => return Err(e),
                },
            };
            Ok((fd, is_dir))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use std::os::unix::fs::MetadataExt;

    /// The inode an `O_PATH` descriptor names.
    fn ino(fd: &OwnedFd) -> u64 {
        const STATX_INO: u32 = 0x100;
        let mut buf = [0u8; 256];
        sys::path::statx(fd.raw(), c"", sys::path::AT_EMPTY_PATH, STATX_INO, &mut buf).unwrap();
        u64::from_ne_bytes(buf[0x20..0x28].try_into().unwrap())
    }

    #[test]
    fn open_path_tells_files_from_directories_and_follows_links() {
        let root =
            std::env::temp_dir().join(std::format!("seclude-open-path-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("dir")).unwrap();
        std::fs::write(root.join("file"), b"x").unwrap();
        std::os::unix::fs::symlink("dir", root.join("to-dir")).unwrap();
        std::os::unix::fs::symlink("file", root.join("to-file")).unwrap();
        std::os::unix::fs::symlink("missing", root.join("dangling")).unwrap();
        let at = |name: &str| CString::new(root.join(name).to_str().unwrap()).unwrap();
        let cases = [
            ("dir", "dir", true),
            ("file", "file", false),
            // A final symbolic link is followed, to either kind.
            ("to-dir", "dir", true),
            ("to-file", "file", false),
        ];
        for (name, target, dir) in cases {
            let (fd, is_dir) = open_path(&at(name)).unwrap();
            assert_eq!(is_dir, dir, "{name}");
            let expected = std::fs::metadata(root.join(target)).unwrap().ino();
            assert_eq!(ino(&fd), expected, "{name}");
        }
        assert_eq!(open_path(&at("dangling")).unwrap_err(), Errno::ENOENT);
        assert_eq!(open_path(&at("missing")).unwrap_err(), Errno::ENOENT);
        assert_eq!(open_path(&at("file/")).unwrap_err(), Errno::ENOTDIR);
        assert_eq!(open_path(&at("file/x")).unwrap_err(), Errno::ENOTDIR);
        std::fs::remove_dir_all(&root).unwrap();
        // proc has no block device: a directory there is opened again with
        // O_DIRECTORY, a file is not.
        let (fd, is_dir) = open_path(c"/proc/self/fd").unwrap();
        assert!(is_dir);
        assert!(sys::path::file_info(fd.raw()).unwrap().is_dir());
        assert!(!open_path(c"/proc/self/status").unwrap().1);
    }

    #[test]
    fn open_path_answers_for_the_file_it_returns_while_the_path_changes() {
        // tmpfs has no block device: a directory there is opened twice,
        // and the path may name a file by the second open.
        let root = std::path::Path::new("/dev/shm").join(std::format!(
            "seclude-open-path-race-{}",
            std::process::id()
        ));
        if std::fs::create_dir_all(root.join("dir")).is_err() {
            return; // no /dev/shm
        }
        std::fs::write(root.join("file"), b"x").unwrap();
        let dir = CString::new(root.join("dir").to_str().unwrap()).unwrap();
        let file = CString::new(root.join("file").to_str().unwrap()).unwrap();
        let stop = std::sync::Arc::new(core::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (dir, file, stop) = (dir.clone(), file.clone(), stop.clone());
            std::thread::spawn(move || {
                const RENAME_EXCHANGE: usize = 2;
                const AT_FDCWD: usize = -100isize as usize;
                while !stop.load(core::sync::atomic::Ordering::Relaxed) {
                    // SAFETY: two NUL-terminated paths that outlive the call.
                    let _ = unsafe {
                        sys::syscall5(
                            native_nr!(renameat2),
                            AT_FDCWD,
                            dir.as_ptr() as usize,
                            AT_FDCWD,
                            file.as_ptr() as usize,
                            RENAME_EXCHANGE,
                        )
                    };
                }
            })
        };
        let mut wrong = 0;
        for _ in 0..20_000 {
            let Ok((fd, is_dir)) = open_path(&dir) else {
                continue;
            };
            if sys::path::file_info(fd.raw()).unwrap().is_dir() != is_dir {
                wrong += 1;
            }
        }
        stop.store(true, core::sync::atomic::Ordering::Relaxed);
        swapper.join().unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(wrong, 0, "a descriptor reported as the other kind");
    }
}
