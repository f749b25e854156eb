//! File descriptors and the few file calls the mechanisms need: opening a
//! path, reading and writing small `/proc` and `/sys` files, pipes, memory
//! files and `poll`. Unix sockets that carry descriptors are in
//! [`socket`](super::socket).
//!
//! Everything goes through `openat` (the one open call every architecture
//! has) and closes on drop, so no descriptor leaks on an error path.

use core::ffi::CStr;
use core::mem::{offset_of, size_of};

use super::{syscall1, syscall2, syscall3, syscall4};
use crate::errno::Errno;
use crate::tables::constants::native;
use crate::tables::{Abi, Syscall, native_nr};

/// `openat`'s "relative to the current directory" descriptor.
pub const AT_FDCWD: i32 = native::AT_FDCWD;

/// Open for reading only.
pub const O_RDONLY: u32 = native::O_RDONLY;
/// Open for writing only.
pub const O_WRONLY: u32 = native::O_WRONLY;
/// Open for reading and writing.
pub const O_RDWR: u32 = native::O_RDWR;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = native::O_CREAT;
/// With `O_CREAT`: fail if the file exists.
pub const O_EXCL: u32 = native::O_EXCL;
/// Truncate to length 0.
pub const O_TRUNC: u32 = native::O_TRUNC;
/// Do not block: on open (a FIFO without a writer), and in later I/O.
pub const O_NONBLOCK: u32 = native::O_NONBLOCK;
/// Close the descriptor on `execve`.
pub const O_CLOEXEC: u32 = native::O_CLOEXEC;
/// A descriptor that names a path without opening the file for I/O.
pub const O_PATH: u32 = native::O_PATH;
/// Fail unless the path is a directory.
pub const O_DIRECTORY: u32 = native::O_DIRECTORY;
/// Fail if the last component is a symbolic link.
pub const O_NOFOLLOW: u32 = native::O_NOFOLLOW;

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

// ------------------------------------------------------------ memory files

/// [`memfd_create`]: close the descriptor on `execve`.
pub const MFD_CLOEXEC: u32 = native::MFD_CLOEXEC;
/// [`memfd_create`]: allow seals (`fcntl(F_ADD_SEALS)`), which otherwise
/// the file refuses.
pub const MFD_ALLOW_SEALING: u32 = native::MFD_ALLOW_SEALING;
/// [`memfd_create`]: the file is not executable, and sealed so (implies
/// [`MFD_ALLOW_SEALING`]); Linux 6.3, `EINVAL` before.
pub const MFD_NOEXEC_SEAL: u32 = native::MFD_NOEXEC_SEAL;
/// [`memfd_create`]: the file may be executed (`execveat` on it); Linux
/// 6.3, `EINVAL` before. Since 6.3 a call with neither this nor
/// [`MFD_NOEXEC_SEAL`] gets what `vm.memfd_noexec` says, and a warning in
/// the kernel log.
pub const MFD_EXEC: u32 = native::MFD_EXEC;
/// [`memfd_create`]: the file is on hugetlbfs (huge pages), whose
/// attribute changes do not check `F_SEAL_EXEC`: a chmod adds x bits to a
/// file sealed with [`MFD_NOEXEC_SEAL`].
pub const MFD_HUGETLB: u32 = native::MFD_HUGETLB;

/// Creates an anonymous file in memory (`memfd_create`, Linux 3.17):
/// readable and writable, gone when the last descriptor closes. `name`
/// (at most 249 bytes) only appears in `/proc/<pid>/fd` as
/// `/memfd:<name>`; `flags` are the `MFD_*` constants.
///
/// ```
/// use seclude::sys::fd::{memfd_create, MFD_CLOEXEC};
/// let file = memfd_create(c"scratch", MFD_CLOEXEC).unwrap();
/// assert_eq!(seclude::sys::write(file.raw(), b"abc"), Ok(3));
/// ```
pub fn memfd_create(name: &CStr, flags: u32) -> Result<OwnedFd, Errno> {
    // SAFETY: name is NUL-terminated and outlives the call.
    unsafe {
        syscall2(
            native_nr!(memfd_create),
            name.as_ptr() as usize,
            flags as usize,
        )
    }
    .map(|fd| OwnedFd(fd as i32))
}

bitflags::bitflags! {
    /// File seals (`F_SEAL_*`, `linux/fcntl.h`, the same on every
    /// architecture), for [`add_seals`].
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Seals: u32 {
        /// No more seals may be added.
        const SEAL = 0x0001;
        /// The file may not shrink.
        const SHRINK = 0x0002;
        /// The file may not grow.
        const GROW = 0x0004;
        /// The contents may not be written.
        const WRITE = 0x0008;
    }
}

/// Seals a memfd made with [`MFD_ALLOW_SEALING`] (`fcntl(F_ADD_SEALS)`).
///
/// ```
/// use seclude::sys::fd::{add_seals, memfd_create, Seals, MFD_ALLOW_SEALING, MFD_CLOEXEC};
/// let file = memfd_create(c"sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING).unwrap();
/// add_seals(file.raw(), Seals::WRITE | Seals::SEAL).unwrap();
/// assert!(seclude::sys::write(file.raw(), b"x").is_err());
/// ```
pub fn add_seals(fd: i32, seals: Seals) -> Result<(), Errno> {
    // 32-bit architectures name it fcntl64; same arguments here.
    let nr = Abi::NATIVE
        .number(Syscall::fcntl)
        .or(Abi::NATIVE.number(Syscall::fcntl64))
        .ok_or(Errno::ENOSYS)?;
    // SAFETY: integer arguments only.
    unsafe {
        syscall3(
            nr as usize,
            fd as usize,
            native::F_ADD_SEALS as usize,
            seals.bits() as usize,
        )
    }
    .map(drop)
}

// -------------------------------------------------------------------- poll

/// [`PollFd`] event: there is data to read (or the end of it).
pub const POLLIN: i16 = 0x1;
/// [`PollFd`] event: writing would not block.
pub const POLLOUT: i16 = 0x4;
/// [`PollFd`] event (always reported): an error condition.
pub const POLLERR: i16 = 0x8;
/// [`PollFd`] event (always reported): the peer hung up (a pipe's write end
/// closed; for a seccomp listener, every task the filter applied to has
/// exited).
pub const POLLHUP: i16 = 0x10;
/// [`PollFd`] event (always reported): the descriptor is not open.
pub const POLLNVAL: i16 = 0x20;

/// One descriptor for [`poll`]: the kernel's `struct pollfd`. A negative
/// `fd` is skipped (its `revents` stays 0).
///
/// ```
/// use seclude::sys::fd::{PollFd, POLLIN};
/// let entry = PollFd::new(0, POLLIN);
/// assert_eq!((entry.fd, entry.events, entry.revents), (0, POLLIN, 0));
/// assert_eq!(core::mem::size_of::<PollFd>(), 8);
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PollFd {
    /// The descriptor.
    pub fd: i32,
    /// The events asked for (`POLLIN`, `POLLOUT`).
    pub events: i16,
    /// The events that happened, set by [`poll`].
    pub revents: i16,
}

const _: () = assert!(size_of::<PollFd>() == 8);
const _: () = assert!(offset_of!(PollFd, events) == 4);
const _: () = assert!(offset_of!(PollFd, revents) == 6);

impl PollFd {
    /// An entry asking for `events` on `fd`.
    ///
    /// ```
    /// let entry = seclude::sys::fd::PollFd::new(3, seclude::sys::fd::POLLOUT);
    /// assert_eq!(entry.revents, 0);
    /// ```
    pub const fn new(fd: i32, events: i16) -> PollFd {
        PollFd {
            fd,
            events,
            revents: 0,
        }
    }
}

// The struct timespec ppoll takes: two 32-bit longs (old_timespec32) for
// the original ppoll of the 32-bit ABIs (i386, arm, 32-bit powerpc); two
// 64-bit words for every 64-bit ABI, for x32 (64-bit time) and for
// ppoll_time64, the only ppoll riscv32 has.
#[cfg(all(
    target_pointer_width = "32",
    not(target_arch = "x86_64"),
    not(target_arch = "riscv32")
))]
type TimeWord = i32;
#[cfg(not(all(
    target_pointer_width = "32",
    not(target_arch = "x86_64"),
    not(target_arch = "riscv32")
)))]
type TimeWord = i64;

#[repr(C)]
struct Timespec {
    sec: TimeWord,
    nsec: TimeWord,
}

/// `ppoll`, or `ppoll_time64` where the ABI has only that (riscv32).
const PPOLL: usize = match Abi::NATIVE.number(Syscall::ppoll) {
    Some(nr) => nr as usize,
    None => match Abi::NATIVE.number(Syscall::ppoll_time64) {
        Some(nr) => nr as usize,
        None => panic!("the target ABI has neither ppoll nor ppoll_time64"),
    },
};
// ppoll_time64 reads 64-bit words whatever the ABI.
const _: () = assert!(Abi::NATIVE.number(Syscall::ppoll).is_some() || size_of::<TimeWord>() == 8);

/// Waits until one of `fds` has an event it asks for, or `timeout_ms`
/// milliseconds pass (`None`: no limit; `Some(0)`: just look), and returns
/// how many entries have a non-zero `revents` (0 on a timeout). Goes
/// through `ppoll` (`ppoll_time64` on riscv32), with no signal mask.
///
/// A signal handler that runs while waiting makes it [`Errno::EINTR`],
/// returned rather than retried so that a supervisor can look at what the
/// handler recorded. A negative timeout is [`Errno::EINVAL`].
///
/// ```
/// use seclude::sys::fd::{pipe, poll, PollFd, POLLIN};
/// let (r, w) = pipe().unwrap();
/// let mut fds = [PollFd::new(r.raw(), POLLIN)];
/// assert_eq!(poll(&mut fds, Some(0)), Ok(0));
/// seclude::sys::write(w.raw(), b"x").unwrap();
/// assert_eq!(poll(&mut fds, None), Ok(1));
/// assert_eq!(fds[0].revents, POLLIN);
/// ```
pub fn poll(fds: &mut [PollFd], timeout_ms: Option<i32>) -> Result<usize, Errno> {
    let mut time = Timespec { sec: 0, nsec: 0 };
    let timeout = match timeout_ms {
        None => 0,
        Some(ms) if ms < 0 => return Err(Errno::EINVAL),
        Some(ms) => {
            // Both parts fit an i32 (nanoseconds below 10^9).
            time.sec = TimeWord::from(ms / 1000);
            time.nsec = TimeWord::from((ms % 1000) * 1_000_000);
            &mut time as *mut Timespec as usize
        }
    };
    // SAFETY: the kernel reads and writes fds.len() pollfd entries and
    // reads (and updates with the time left) the timespec if one is given;
    // no signal mask.
    unsafe { syscall4(PPOLL, fds.as_mut_ptr() as usize, fds.len(), timeout, 0) }
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
