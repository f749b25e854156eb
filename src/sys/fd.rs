//! File descriptors and the few file calls the mechanisms need: opening a
//! path, reading and writing small `/proc` and `/sys` files, pipes.
//!
//! Everything goes through `openat` (the one open call every architecture
//! has) and closes on drop, so no descriptor leaks on an error path.

use core::ffi::CStr;

use super::{syscall1, syscall2, syscall3, syscall4};
use crate::errno::Errno;
use crate::tables::native_nr;

/// `openat`'s "relative to the current directory" descriptor.
pub const AT_FDCWD: i32 = -100;

/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 2;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// With `O_CREAT`: fail if the file exists.
pub const O_EXCL: u32 = 0o200;
/// Truncate to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// Close the descriptor on `execve`.
pub const O_CLOEXEC: u32 = 0o2000000;
/// A descriptor that names a path without opening the file for I/O.
pub const O_PATH: u32 = 0o10000000;
// arm, aarch64 and powerpc number O_DIRECTORY and O_NOFOLLOW differently
// from asm-generic.
/// Fail unless the path is a directory.
#[cfg(any(
    target_arch = "arm",
    target_arch = "aarch64",
    target_arch = "powerpc",
    target_arch = "powerpc64"
))]
pub const O_DIRECTORY: u32 = 0o40000;
/// Fail unless the path is a directory.
#[cfg(not(any(
    target_arch = "arm",
    target_arch = "aarch64",
    target_arch = "powerpc",
    target_arch = "powerpc64"
)))]
pub const O_DIRECTORY: u32 = 0o200000;
/// Fail if the last component is a symbolic link.
#[cfg(any(
    target_arch = "arm",
    target_arch = "aarch64",
    target_arch = "powerpc",
    target_arch = "powerpc64"
))]
pub const O_NOFOLLOW: u32 = 0o100000;
/// Fail if the last component is a symbolic link.
#[cfg(not(any(
    target_arch = "arm",
    target_arch = "aarch64",
    target_arch = "powerpc",
    target_arch = "powerpc64"
)))]
pub const O_NOFOLLOW: u32 = 0o400000;

/// A file descriptor this process owns: closed when dropped.
///
/// ```
/// use seclude::sys::fd::{open, O_RDONLY, O_CLOEXEC};
/// let fd = open(c"/proc/self/status", O_RDONLY | O_CLOEXEC, 0).unwrap();
/// assert!(fd.raw() > 2);
/// ```
#[derive(Debug)]
pub struct OwnedFd(i32);

impl OwnedFd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` must be an open descriptor nothing else closes.
    pub const unsafe fn from_raw(fd: i32) -> Self {
        OwnedFd(fd)
    }

    /// The descriptor's number (still owned by `self`).
    pub const fn raw(&self) -> i32 {
        self.0
    }

    /// Gives up ownership: the descriptor stays open.
    pub fn into_raw(self) -> i32 {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for OwnedFd {
    fn drop(&mut self) {
        close(self.0);
    }
}

/// Closes `fd`, ignoring errors (after `close` fails the descriptor is
/// closed anyway on Linux, so there is nothing to retry).
///
/// ```
/// seclude::sys::fd::close(-1);
/// ```
pub fn close(fd: i32) {
    // SAFETY: integer argument only.
    let _ = unsafe { syscall1(native_nr!(close), fd as isize as usize) };
}

/// Opens `path` relative to directory `dir` (or [`AT_FDCWD`]) with the
/// `O_*` `flags` and `mode` (`openat`).
///
/// ```
/// use seclude::sys::fd::{openat, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_RDONLY};
/// assert!(openat(AT_FDCWD, c"/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0).is_ok());
/// assert_eq!(
///     openat(AT_FDCWD, c"/no/such/path", O_RDONLY, 0).unwrap_err(),
///     seclude::Errno::ENOENT
/// );
/// ```
pub fn openat(dir: i32, path: &CStr, flags: u32, mode: u32) -> Result<OwnedFd, Errno> {
    // SAFETY: path is NUL-terminated and outlives the call.
    unsafe {
        syscall4(
            native_nr!(openat),
            dir as isize as usize,
            path.as_ptr() as usize,
            flags as usize,
            mode as usize,
        )
    }
    .map(|fd| OwnedFd(fd as i32))
}

/// [`openat`] relative to the current directory.
///
/// ```
/// use seclude::sys::fd::{open, O_RDONLY};
/// assert!(open(c"/proc/self/stat", O_RDONLY, 0).is_ok());
/// ```
pub fn open(path: &CStr, flags: u32, mode: u32) -> Result<OwnedFd, Errno> {
    openat(AT_FDCWD, path, flags, mode)
}

/// Reads up to `buf.len()` bytes from `fd` (`read`), retrying on `EINTR`.
///
/// ```
/// use seclude::sys::fd::{open, read, O_RDONLY};
/// let fd = open(c"/proc/self/stat", O_RDONLY, 0).unwrap();
/// let mut buf = [0u8; 16];
/// assert!(read(fd.raw(), &mut buf).unwrap() > 0);
/// ```
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    loop {
        // SAFETY: the kernel writes at most buf.len() bytes into buf.
        let r = unsafe {
            syscall3(
                native_nr!(read),
                fd as isize as usize,
                buf.as_mut_ptr() as usize,
                buf.len(),
            )
        };
        if r != Err(Errno::EINTR) {
            return r;
        }
    }
}

/// Reads the whole of a small file into `buf` and returns the part read.
/// A file longer than `buf` is [`Errno::EFBIG`] rather than a silently
/// truncated answer.
///
/// ```
/// let mut buf = [0u8; 64];
/// let text = seclude::sys::fd::read_file(c"/proc/sys/kernel/ostype", &mut buf).unwrap();
/// assert_eq!(text, b"Linux\n");
/// ```
pub fn read_file<'b>(path: &CStr, buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
    let fd = open(path, O_RDONLY | O_CLOEXEC, 0)?;
    let mut len = 0;
    loop {
        if len == buf.len() {
            let mut probe = [0u8; 1];
            return match read(fd.raw(), &mut probe)? {
                0 => Ok(&buf[..len]),
                _ => Err(Errno::EFBIG),
            };
        }
        match read(fd.raw(), &mut buf[len..])? {
            0 => return Ok(&buf[..len]),
            n => len += n,
        }
    }
}

/// Reads a small file holding one decimal number (a `/proc/sys` setting,
/// say), ignoring surrounding white space. Text that is not a number is
/// [`Errno::EINVAL`].
///
/// ```
/// let pid_max = seclude::sys::fd::read_number(c"/proc/sys/kernel/pid_max").unwrap();
/// assert!(pid_max > 0);
/// ```
pub fn read_number(path: &CStr) -> Result<i64, Errno> {
    let mut buf = [0u8; 32];
    let text = read_file(path, &mut buf)?;
    parse_decimal(text).ok_or(Errno::EINVAL)
}

/// The decimal number in `text`, with optional sign and surrounding white
/// space.
pub(crate) fn parse_decimal(text: &[u8]) -> Option<i64> {
    let text = text.trim_ascii();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add((d - b'0') as i64)?;
    }
    Some(if negative { -value } else { value })
}

/// Writes `bytes` to the file at `path` in one `write` call, as `/proc`
/// files such as `uid_map` require; a short write is [`Errno::EIO`].
///
/// ```no_run
/// seclude::sys::fd::write_file(c"/proc/self/setgroups", b"deny").unwrap();
/// ```
pub fn write_file(path: &CStr, bytes: &[u8]) -> Result<(), Errno> {
    let fd = open(path, O_WRONLY | O_CLOEXEC, 0)?;
    match super::write(fd.raw(), bytes)? {
        n if n == bytes.len() => Ok(()),
        _ => Err(Errno::EIO),
    }
}

/// A pipe, both ends close-on-exec: `(read end, write end)` (`pipe2`).
///
/// ```
/// let (r, w) = seclude::sys::fd::pipe().unwrap();
/// seclude::sys::write(w.raw(), b"hi").unwrap();
/// let mut buf = [0u8; 2];
/// assert_eq!(seclude::sys::fd::read(r.raw(), &mut buf), Ok(2));
/// assert_eq!(&buf, b"hi");
/// ```
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds.
    unsafe {
        syscall2(
            native_nr!(pipe2),
            fds.as_mut_ptr() as usize,
            O_CLOEXEC as usize,
        )
    }?;
    Ok((OwnedFd(fds[0]), OwnedFd(fds[1])))
}

/// Duplicates `old` onto `new` (`dup3`; `new` is closed first if open).
/// The copy is not close-on-exec.
///
/// ```
/// let (r, _w) = seclude::sys::fd::pipe().unwrap();
/// seclude::sys::fd::dup2(r.raw(), 100).unwrap();
/// seclude::sys::fd::close(100);
/// ```
pub fn dup2(old: i32, new: i32) -> Result<(), Errno> {
    if old == new {
        return Ok(());
    }
    // SAFETY: integer arguments only.
    unsafe {
        syscall3(
            native_nr!(dup3),
            old as isize as usize,
            new as isize as usize,
            0,
        )
    }
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_numbers() {
        assert_eq!(parse_decimal(b"0\n"), Some(0));
        assert_eq!(parse_decimal(b" 15000 \n"), Some(15000));
        assert_eq!(parse_decimal(b"-1"), Some(-1));
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"-"), None);
        assert_eq!(parse_decimal(b"1x"), None);
        assert_eq!(parse_decimal(b"99999999999999999999"), None);
    }

    #[test]
    fn read_file_refuses_to_truncate() {
        let mut small = [0u8; 4];
        assert_eq!(
            read_file(c"/proc/self/status", &mut small),
            Err(Errno::EFBIG)
        );
        let mut exact = [0u8; 6];
        assert_eq!(
            read_file(c"/proc/sys/kernel/ostype", &mut exact).unwrap(),
            b"Linux\n"
        );
    }
}
