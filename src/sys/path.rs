//! Calls on a path relative to a directory descriptor (`*at`): opening
//! with resolution limits, reading and changing a file's metadata.

use super::fd::OwnedFd;
use super::{KernelLong, syscall3, syscall4, syscall5};
use crate::errno::Errno;
use crate::tables::constants::native;
use crate::tables::{Abi, Syscall, native_nr};
use core::ffi::CStr;
use core::mem::size_of;

/// `AT_EMPTY_PATH`: an empty path names the directory descriptor itself.
pub const AT_EMPTY_PATH: u32 = native::AT_EMPTY_PATH;
/// `AT_SYMLINK_NOFOLLOW`: a final symbolic link is not followed.
pub const AT_SYMLINK_NOFOLLOW: u32 = native::AT_SYMLINK_NOFOLLOW;

/// Changes the mode of `path` from `dir` (`fchmodat`; no flags: a final
/// symbolic link is followed).
///
/// ```
/// use seclude::sys::fd::AT_FDCWD;
/// use seclude::sys::path::fchmodat;
/// let path = std::env::temp_dir().join(format!("seclude-fchmodat-{}", std::process::id()));
/// std::fs::write(&path, "x").unwrap();
/// let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
/// fchmodat(AT_FDCWD, &c, 0o600).unwrap();
/// # use std::os::unix::fs::PermissionsExt;
/// assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn fchmodat(dir: i32, path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: a NUL-terminated path and integers.
    unsafe {
        syscall3(
            native_nr!(fchmodat),
            dir as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    }
    .map(drop)
}

/// Changes the owner and group of `path` from `dir` (`fchownat`); `u32::MAX`
/// leaves one unchanged.
///
/// ```
/// use seclude::sys::fd::{open, O_RDONLY};
/// use seclude::sys::path::{fchownat, AT_EMPTY_PATH};
/// let me = open(c"/proc/self/exe", O_RDONLY, 0).unwrap();
/// // Unchanged owner and group: allowed to anyone on their own file.
/// let _ = fchownat(me.raw(), c"", u32::MAX, u32::MAX, AT_EMPTY_PATH);
/// ```
pub fn fchownat(dir: i32, path: &CStr, uid: u32, gid: u32, flags: u32) -> Result<(), Errno> {
    // SAFETY: a NUL-terminated path and integers.
    unsafe {
        syscall5(
            native_nr!(fchownat),
            dir as usize,
            path.as_ptr() as usize,
            uid as usize,
            gid as usize,
            flags as usize,
        )
    }
    .map(drop)
}

/// Sets the access and modification times of `path` from `dir`
/// (`utimensat`): `None` sets both to now; each time is seconds and
/// nanoseconds (`UTIME_NOW`, `UTIME_OMIT` as the kernel defines them).
/// The times are laid out as this ABI's kernel takes them: 64-bit fields
/// on 64-bit ABIs and x32; on the other 32-bit ABIs `utimensat_time64`
/// (Linux 5.1; the only one riscv32 has) with 64-bit fields, and before
/// that kernel's `utimensat`, with 32-bit ones (`EOVERFLOW` for seconds
/// beyond 2038 then).
///
/// ```
/// use seclude::sys::fd::AT_FDCWD;
/// use seclude::sys::path::utimensat;
/// let path = std::env::temp_dir().join(format!("seclude-utimensat-{}", std::process::id()));
/// std::fs::write(&path, "x").unwrap();
/// let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
/// utimensat(AT_FDCWD, &c, Some(&[[1, 0], [2, 0]]), 0).unwrap();
/// # use std::os::unix::fs::MetadataExt;
/// assert_eq!(std::fs::metadata(&path).unwrap().mtime(), 2);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn utimensat(
    dir: i32,
    path: &CStr,
    times: Option<&[[i64; 2]; 2]>,
    flags: u32,
) -> Result<(), Errno> {
    let call = |nr: u32, times: usize| {
        // SAFETY: a NUL-terminated path, and null or two live timespecs
        // laid out as call `nr` reads them.
        unsafe {
            syscall4(
                nr as usize,
                dir as usize,
                path.as_ptr() as usize,
                times,
                flags as usize,
            )
        }
        .map(drop)
    };
    // Only the 32-bit ABIs have it, and it reads 64-bit fields there.
    if let Some(nr) = Abi::NATIVE.number(Syscall::utimensat_time64) {
        match call(nr, times.map_or(0, |t| t.as_ptr() as usize)) {
            Err(Errno::ENOSYS) => {}
            done => return done,
        }
    }
    let nr = Abi::NATIVE
        .number(Syscall::utimensat)
        .ok_or(Errno::ENOSYS)?;
    // The kernel's `long`s.
    let mut narrow = [[0 as KernelLong; 2]; 2];
    if let Some(times) = times {
        for (to, from) in narrow.iter_mut().flatten().zip(times.iter().flatten()) {
            *to = KernelLong::try_from(*from).map_err(|_| Errno::EOVERFLOW)?;
        }
    }
    call(nr, times.map_or(0, |_| narrow.as_ptr() as usize))
}

/// Opens `path` from `dir` with `openat2` (Linux 5.6): `flags` are open
/// flags, `resolve` the `RESOLVE_*` limits on the path's resolution.
///
/// ```
/// use seclude::sys::fd::{AT_FDCWD, O_CLOEXEC, O_RDONLY};
/// use seclude::sys::path::openat2;
/// const RESOLVE_NO_SYMLINKS: u64 = 0x04;
/// match openat2(AT_FDCWD, c"/proc", (O_RDONLY | O_CLOEXEC) as u64, RESOLVE_NO_SYMLINKS) {
///     Ok(fd) => assert!(fd.raw() > 2),
///     Err(e) => assert_eq!(e, seclude::Errno::ENOSYS), // before Linux 5.6
/// }
/// ```
pub fn openat2(dir: i32, path: &CStr, flags: u64, resolve: u64) -> Result<OwnedFd, Errno> {
    // struct open_how: flags, mode, resolve, 64 bits each.
    let how: [u64; 3] = [flags, 0, resolve];
    // SAFETY: a NUL-terminated path and a live `open_how` of the size given.
    let fd = unsafe {
        syscall4(
            native_nr!(openat2),
            dir as usize,
            path.as_ptr() as usize,
            how.as_ptr() as usize,
            size_of::<[u64; 3]>(),
        )
    }?;
    // SAFETY: a new descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw(fd as i32) })
}

/// `statx` of `path` from `dir` into `buf`, the kernel's `struct statx`
/// (its layout is the same on every architecture), with the fields of
/// `mask` (`STATX_*`) filled.
///
/// ```
/// use seclude::sys::fd::AT_FDCWD;
/// use seclude::sys::path::statx;
/// const STATX_INO: u32 = 0x100;
/// let mut buf = [0u8; 256];
/// statx(AT_FDCWD, c"/", 0, STATX_INO, &mut buf).unwrap();
/// # use std::os::unix::fs::MetadataExt;
/// let ino = u64::from_ne_bytes(buf[0x20..0x28].try_into().unwrap());
/// assert_eq!(ino, std::fs::metadata("/").unwrap().ino());
/// ```
pub fn statx(
    dir: i32,
    path: &CStr,
    flags: u32,
    mask: u32,
    buf: &mut [u8; 256],
) -> Result<(), Errno> {
    // SAFETY: a NUL-terminated path and a live 256-byte buffer, the size
    // of struct statx.
    unsafe {
        syscall5(
            native_nr!(statx),
            dir as usize,
            path.as_ptr() as usize,
            flags as usize,
            mask as usize,
            buf.as_mut_ptr() as usize,
        )
    }
    .map(drop)
}

/// `STATX_TYPE`: the type bits of `stx_mode`.
const STATX_TYPE: u32 = 0x1;
/// `STATX_ATTR_AUTOMOUNT`: the file is an automount trigger.
const STATX_ATTR_AUTOMOUNT: u64 = 0x1000;
/// `S_IFMT`: the type bits of a mode (the same on every architecture).
const S_IFMT: u16 = 0o170_000;

/// What [`file_info`] reads of an open file: its type, whether it is an
/// automount trigger, and its filesystem's device.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FileInfo {
    format: u16,
    automount: bool,
    dev_major: u32,
}

impl FileInfo {
    /// The type bits of the file's mode (`S_IFMT`: `0o040000` for a
    /// directory, `0o100000` for a regular file, and so on).
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let root = open(c"/", O_PATH | O_CLOEXEC, 0).unwrap();
    /// assert_eq!(file_info(root.raw()).unwrap().format(), 0o040_000);
    /// ```
    pub const fn format(self) -> u16 {
        self.format
    }

    /// Whether the file is a directory.
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let fd = open(c"/proc/self", O_PATH | O_CLOEXEC, 0).unwrap();
    /// assert!(file_info(fd.raw()).unwrap().is_dir()); // the link is followed
    /// ```
    pub const fn is_dir(self) -> bool {
        self.format == 0o040_000
    }

    /// Whether the file is a regular file.
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let fd = open(c"/proc/self/status", O_PATH | O_CLOEXEC, 0).unwrap();
    /// assert!(file_info(fd.raw()).unwrap().is_regular());
    /// ```
    pub const fn is_regular(self) -> bool {
        self.format == 0o100_000
    }

    /// Whether the file is a symbolic link (a descriptor opened with
    /// `O_PATH | O_NOFOLLOW` on one names the link itself).
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_NOFOLLOW, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let fd = open(c"/proc/self", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0).unwrap();
    /// assert!(file_info(fd.raw()).unwrap().is_symlink());
    /// ```
    pub const fn is_symlink(self) -> bool {
        self.format == 0o120_000
    }

    /// Whether the inode is an automount trigger (`STATX_ATTR_AUTOMOUNT`:
    /// NFS, CIFS and AFS referrals, debugfs's tracefs). autofs marks its
    /// triggers on the dentry instead, so they do not show here; see
    /// [`dev_major`](Self::dev_major).
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let fd = open(c"/", O_PATH | O_CLOEXEC, 0).unwrap();
    /// assert!(!file_info(fd.raw()).unwrap().is_automount());
    /// ```
    pub const fn is_automount(self) -> bool {
        self.automount
    }

    /// The major number of the device of the file's filesystem: 0 for a
    /// filesystem without a block device of its own (proc, sysfs, tmpfs,
    /// autofs, NFS, overlayfs, btrfs subvolumes, ...).
    ///
    /// ```
    /// # use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
    /// use seclude::sys::path::file_info;
    /// let fd = open(c"/proc/self/status", O_PATH | O_CLOEXEC, 0).unwrap();
    /// assert_eq!(file_info(fd.raw()).unwrap().dev_major(), 0);
    /// ```
    pub const fn dev_major(self) -> u32 {
        self.dev_major
    }
}

/// What kind of file `fd` refers to: `statx(fd, "", AT_EMPTY_PATH,
/// STATX_TYPE)` (Linux 4.11), which works on `O_PATH` descriptors and
/// walks no path. The answer is about the file the descriptor holds,
/// whatever has happened to its path since it was opened.
///
/// ```
/// use seclude::sys::fd::{open, O_CLOEXEC, O_PATH};
/// use seclude::sys::path::file_info;
/// let dir = open(c"/proc", O_PATH | O_CLOEXEC, 0).unwrap();
/// assert!(file_info(dir.raw()).unwrap().is_dir());
/// let file = open(c"/proc/self/status", O_PATH | O_CLOEXEC, 0).unwrap();
/// let info = file_info(file.raw()).unwrap();
/// assert!(info.is_regular() && !info.is_dir());
/// ```
pub fn file_info(fd: i32) -> Result<FileInfo, Errno> {
    let mut buf = [0u8; 256];
    statx(fd, c"", AT_EMPTY_PATH, STATX_TYPE, &mut buf)?;
    let u32_at = |o: usize| u32::from_ne_bytes(buf[o..o + 4].try_into().expect("4 bytes"));
    if u32_at(0) & STATX_TYPE == 0 {
        // Every filesystem reports the type; without it the mode is unknown.
        return Err(Errno::EOPNOTSUPP);
    }
    let attributes = u64::from_ne_bytes(buf[0x08..0x10].try_into().expect("8 bytes"));
    Ok(FileInfo {
        format: u16::from_ne_bytes([buf[0x1c], buf[0x1d]]) & S_IFMT,
        automount: attributes & STATX_ATTR_AUTOMOUNT != 0,
        // stx_dev_major: always filled, whatever the mask.
        dev_major: u32_at(0x88),
    })
}
