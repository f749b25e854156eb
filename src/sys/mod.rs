//! Raw system calls: the only place seclude talks to the kernel.
//!
//! One file per architecture provides `raw0` … `raw6`, which take the
//! syscall number and up to six register-sized arguments and return the
//! kernel's raw result (`-4095..=-1` for an error, as `usize`). The
//! architectures `sc` supports (x86-64, AArch64, RISC-V 64) go through it;
//! every other one has its own small `asm!` shim. This module picks the file
//! in one place and turns the raw result into `Result<usize, Errno>`.
//!
//! The numbers come from our own generated tables
//! ([`crate::tables::Abi::NATIVE`]), never from `sc`'s, whose x86-64 table
//! ends before the Landlock syscalls.

use crate::errno::Errno;
use crate::tables::native_nr;

/// The kernel's `long` (`__kernel_long_t`) on this ABI, the type of the
/// fields of its original `timespec`, `timeval` and `utimbuf`: 64 bits on
/// 64-bit ABIs and on x32 (whose time is 64-bit), 32 bits on the other
/// 32-bit ABIs.
///
/// ```
/// assert!(core::mem::size_of::<seclude::sys::KernelLong>() >= core::mem::size_of::<usize>());
/// ```
#[cfg(any(target_pointer_width = "64", target_arch = "x86_64"))]
pub type KernelLong = i64;
/// The kernel's `long` (`__kernel_long_t`) on this ABI (see the 64-bit
/// definition).
#[cfg(not(any(target_pointer_width = "64", target_arch = "x86_64")))]
pub type KernelLong = i32;

pub mod fd;
pub(crate) mod ioctl;
pub mod mem;
pub mod path;
pub mod process;
pub mod signal;
pub mod socket;

#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    all(target_arch = "aarch64", target_endian = "little"),
    target_arch = "riscv64",
))]
#[path = "sc.rs"]
mod arch;

#[cfg(all(target_arch = "x86_64", target_pointer_width = "32"))]
#[path = "x32.rs"]
mod arch;

#[cfg(target_arch = "x86")]
#[path = "x86.rs"]
mod arch;

#[cfg(all(target_arch = "arm", target_endian = "little"))]
#[path = "arm.rs"]
mod arch;

#[cfg(target_arch = "riscv32")]
#[path = "riscv32.rs"]
mod arch;

#[cfg(target_arch = "loongarch64")]
#[path = "loongarch64.rs"]
mod arch;

#[cfg(target_arch = "s390x")]
#[path = "s390x.rs"]
mod arch;

#[cfg(target_arch = "powerpc64")]
#[path = "powerpc64.rs"]
mod arch;

#[cfg(not(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    all(target_arch = "aarch64", target_endian = "little"),
    target_arch = "riscv64",
    all(target_arch = "x86_64", target_pointer_width = "32"),
    target_arch = "x86",
    all(target_arch = "arm", target_endian = "little"),
    target_arch = "riscv32",
    target_arch = "loongarch64",
    target_arch = "s390x",
    target_arch = "powerpc64",
)))]
compile_error!(
    "seclude does not support this target architecture: its raw system calls exist for \
     x86_64 (64-bit and x32), i686, little-endian aarch64 and armv7, riscv64, riscv32, \
     loongarch64, s390x and powerpc64; mips and mips64 are refused because Rust's inline \
     assembly is not stable for them, and the rest (32-bit powerpc, big-endian arm, sparc, \
     ...) because no shim has been written and tested for them"
);

/// Issues system call `nr` with no arguments.
///
/// # Safety
/// The call must be sound for the arguments given: the kernel may read or
/// write memory through any argument that is a pointer for this `nr`, and
/// some calls (`exit`, `clone`, `munmap`, …) change what the caller may
/// assume about its own process.
#[inline]
pub unsafe fn syscall0(nr: usize) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw0(nr) })
}

/// Issues system call `nr` with one argument. See [`syscall0`] for safety.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall1(nr: usize, a0: usize) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw1(nr, a0) })
}

/// Issues system call `nr` with two arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw2(nr, a0, a1) })
}

/// Issues system call `nr` with three arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw3(nr, a0, a1, a2) })
}

/// Issues system call `nr` with four arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall4(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw4(nr, a0, a1, a2, a3) })
}

/// Issues system call `nr` with five arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall5(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw5(nr, a0, a1, a2, a3, a4) })
}

/// Issues system call `nr` with six arguments.
///
/// # Safety
/// As for [`syscall0`].
#[inline]
pub unsafe fn syscall6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> Result<usize, Errno> {
    // SAFETY: the caller keeps this function's contract, which is the
    // raw call's.
    Errno::result(unsafe { arch::raw6(nr, a0, a1, a2, a3, a4, a5) })
}

/// The caller's process id (`getpid`, which cannot fail).
///
/// ```
/// assert_eq!(seclude::sys::getpid(), std::process::id());
/// ```
pub fn getpid() -> u32 {
    // SAFETY: getpid takes no arguments and touches no memory.
    unsafe { syscall0(native_nr!(getpid)) }.unwrap_or(0) as u32
}

/// Writes `buf` to file descriptor `fd` (`write`); returns the number of
/// bytes written, which may be fewer than `buf.len()`.
///
/// ```
/// let n = seclude::sys::write(1, b"hello\n").unwrap();
/// assert_eq!(n, 6);
/// assert_eq!(seclude::sys::write(-1, b"x"), Err(seclude::Errno::EBADF));
/// ```
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    unsafe {
        syscall3(
            native_nr!(write),
            fd as isize as usize,
            buf.as_ptr() as usize,
            buf.len(),
        )
    }
}

/// Writes all of `buf` to `fd`, retrying after short writes and `EINTR`.
///
/// ```
/// seclude::sys::write_all(2, b"to stderr\n").unwrap();
/// ```
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => buf = &buf[n..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ends every thread of the calling process with `status` (`exit_group`).
///
/// ```no_run
/// seclude::sys::exit_group(3);
/// ```
pub fn exit_group(status: i32) -> ! {
    // SAFETY: exit_group does not return; no memory is passed.
    let _ = unsafe { syscall1(native_nr!(exit_group), status as isize as usize) };
    // The kernel never returns from exit_group; if a filter made it fail,
    // there is nothing better to do than to spin.
    #[allow(clippy::empty_loop)]
    loop {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_come_back_typed() {
        // close(-1) is EBADF on every kernel.
        // SAFETY: close of an invalid descriptor touches nothing.
        let r = unsafe { syscall1(native_nr!(close), -1isize as usize) };
        assert_eq!(r, Err(Errno::EBADF));
    }

    #[test]
    fn six_arguments_reach_the_kernel() {
        // mmap uses all six registers: an anonymous private page at a
        // kernel-chosen address must come back page-aligned and writable.
        const PROT_READ_WRITE: usize = 0x3;
        const MAP_PRIVATE_ANONYMOUS: usize = 0x02 | 0x20;
        // SAFETY: a fresh anonymous mapping at a kernel-chosen address
        // overlaps nothing the test holds.
        let addr = unsafe {
            syscall6(
                native_nr!(mmap),
                0,
                4096,
                PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS,
                -1isize as usize,
                0,
            )
        }
        .unwrap();
        assert_eq!(addr % 4096, 0);
        // SAFETY: addr is the start of the page just mapped writable.
        unsafe { (addr as *mut u8).write(7) };
        // SAFETY: the page is ours and nothing points into it any more.
        let unmapped = unsafe { syscall2(native_nr!(munmap), addr, 4096) };
        assert_eq!(unmapped, Ok(0));
    }

    #[test]
    fn unknown_syscall_is_enosys() {
        // SAFETY: no system call has this number, so nothing runs.
        let unknown = unsafe { syscall0(1_000_000) };
        assert_eq!(unknown, Err(Errno::ENOSYS));
    }
}
