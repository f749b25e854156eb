//! Runs seclude's raw system calls for real on the architectures whose
//! `asm!` shims are ours, one arity at a time, and exits with the number of
//! the first check that failed (0 when all passed). On success it prints
//! one line, which .ci/cross-run.sh compares.
//!
//! Every call goes through seclude's public layer (`seclude::sys`), with
//! numbers from seclude's own tables (`Abi::NATIVE`).

#![no_std]
#![no_main]

mod rt;

use seclude::Errno;
use seclude::sys;
use seclude::tables::{Abi, Syscall};

/// The native number of `call`, or exit 90 if the table lacks it.
fn nr(call: Syscall) -> usize {
    match Abi::NATIVE.number(call) {
        Some(n) => n as usize,
        None => sys::exit_group(90),
    }
}

/// The first of `calls` the native ABI has (e.g. `mmap2` before `mmap`).
fn nr_of_first(calls: &[Syscall]) -> usize {
    for &call in calls {
        if let Some(n) = Abi::NATIVE.number(call) {
            return n as usize;
        }
    }
    sys::exit_group(91)
}

const AT_FDCWD: isize = -100;
const STATX_BASIC_STATS: usize = 0x7ff;
const SIG_BLOCK: usize = 0;
const PROT_READ_WRITE: usize = 0x3;
const MAP_PRIVATE_ANONYMOUS: usize = 0x02 | 0x20;
const FUTEX_CMP_REQUEUE_PRIVATE: usize = 4 | 128;

/// The checks, in order; returns 0 or the number of the first failure.
fn run(sp: *const usize) -> i32 {
    // 1: the start code handed over the initial stack (argc >= 1).
    // SAFETY: the kernel put argc at the initial stack pointer.
    if unsafe { *sp } < 1 {
        return 1;
    }

    // 2, 3: zero arguments: getpid through the wrapper and raw.
    let pid = sys::getpid();
    if pid == 0 {
        return 2;
    }
    if unsafe { sys::syscall0(nr(Syscall::getpid)) } != Ok(pid as usize) {
        return 3;
    }

    // 4: one argument and the errno path: close(-1) is EBADF.
    if unsafe { sys::syscall1(nr(Syscall::close), -1isize as usize) } != Err(Errno::EBADF) {
        return 4;
    }

    // 5: a number no ABI has is ENOSYS (keeping x32's number bit).
    let unknown = 4000 | (nr(Syscall::getpid) & 0x4000_0000);
    if unsafe { sys::syscall0(unknown) } != Err(Errno::ENOSYS) {
        return 5;
    }

    // 6, 7: four arguments: rt_sigprocmask checks the fourth (the size of
    // the signal set, 8 bytes on every architecture here).
    let mut old = [0u64; 1];
    let old = old.as_mut_ptr() as usize;
    let sigprocmask = |size: usize| unsafe {
        sys::syscall4(nr(Syscall::rt_sigprocmask), SIG_BLOCK, 0, old, size)
    };
    if sigprocmask(8) != Ok(0) {
        return 6;
    }
    if sigprocmask(7) != Err(Errno::EINVAL) {
        return 7;
    }

    // 8, 9: five arguments: statx writes through the fifth.
    let mut stx = [0u64; 32];
    let statx = |buf: usize| unsafe {
        sys::syscall5(
            nr(Syscall::statx),
            AT_FDCWD as usize,
            c"/".as_ptr() as usize,
            0,
            STATX_BASIC_STATS,
            buf,
        )
    };
    if statx(0) != Err(Errno::EFAULT) {
        return 8;
    }
    // stx_mask (the first 32 bits, either endianness) reports what was
    // filled in, so the first word is no longer zero.
    if statx(stx.as_mut_ptr() as usize) != Ok(0) || stx[0] == 0 {
        return 9;
    }

    // 10, 11: six arguments: FUTEX_CMP_REQUEUE compares the word with the
    // sixth argument and fails with EAGAIN when they differ.
    let word = 5u32;
    let other = 0u32;
    let requeue = |val3: usize| unsafe {
        sys::syscall6(
            nr_of_first(&[Syscall::futex, Syscall::futex_time64]),
            &word as *const u32 as usize,
            FUTEX_CMP_REQUEUE_PRIVATE,
            0,
            0,
            &other as *const u32 as usize,
            val3,
        )
    };
    if requeue(6) != Err(Errno::EAGAIN) {
        return 10;
    }
    if requeue(5) != Ok(0) {
        return 11;
    }

    // 12-14: six arguments: an anonymous page from mmap (mmap2 on 32-bit
    // ABIs; s390x's `mmap` takes one pointer to a block instead), then
    // munmap (two arguments).
    if !cfg!(target_arch = "s390x") {
        let addr = unsafe {
            sys::syscall6(
                nr_of_first(&[Syscall::mmap2, Syscall::mmap]),
                0,
                4096,
                PROT_READ_WRITE,
                MAP_PRIVATE_ANONYMOUS,
                -1isize as usize,
                0,
            )
        };
        let Ok(addr) = addr else { return 12 };
        if addr % 4096 != 0 {
            return 13;
        }
        // SAFETY: the page is ours, readable and writable.
        unsafe {
            let p = addr as *mut u8;
            p.add(4095).write_volatile(0xa5);
            if p.add(4095).read_volatile() != 0xa5 || p.read_volatile() != 0 {
                return 13;
            }
        }
        if unsafe { sys::syscall2(nr(Syscall::munmap), addr, 4096) } != Ok(0) {
            return 14;
        }
    }

    // 16-19: processes: a pipe, a child made by clone (s390x takes its
    // arguments in another order) that writes to it and exits with 7, and
    // waitid's siginfo read at this ABI's offsets.
    let Ok((reader, writer)) = sys::fd::pipe() else {
        return 16;
    };
    // SAFETY: this program has one thread; the child only writes and exits.
    match unsafe { sys::process::fork(0) } {
        Ok(sys::process::Forked::Child) => {
            let _ = sys::write(writer.raw(), b"k");
            sys::exit_group(7);
        }
        Ok(sys::process::Forked::Parent(pid)) => {
            drop(writer);
            let mut byte = [0u8; 2];
            if sys::fd::read(reader.raw(), &mut byte) != Ok(1) || byte[0] != b'k' {
                return 17;
            }
            if sys::process::wait(pid) != Ok(sys::process::ExitStatus::Exited(7)) {
                return 18;
            }
        }
        Err(_) => return 17,
    }
    // SAFETY: as above; the child ends itself with SIGKILL.
    match unsafe { sys::process::fork(0) } {
        Ok(sys::process::Forked::Child) => {
            let _ = sys::process::kill(sys::getpid() as i32, sys::process::SIGKILL);
            sys::exit_group(0);
        }
        Ok(sys::process::Forked::Parent(pid)) => {
            let killed = sys::process::ExitStatus::Killed {
                signal: sys::process::SIGKILL,
                core_dumped: false,
            };
            if sys::process::wait(pid) != Ok(killed) {
                return 19;
            }
        }
        Err(_) => return 19,
    }

    // 20: a function isolated in a child: the shared status page (mmap,
    // s390x's through a pointer), the result pipe, the default privileges.
    let mut buf = [0u8; 16];
    let isolated = seclude::sandbox::isolate(&seclude::sandbox::Sandbox::new(), &mut buf, |w| {
        let _ = w.write(b"isolated");
        5
    });
    match isolated {
        Ok(out)
            if out.ended == seclude::sandbox::Ended::Exited(5)
                && out.result == b"isolated"
                && out.report.is_some() => {}
        _ => return 20,
    }

    // 21: times after 2038 on a memfd: utimensat lays them out as this
    // ABI's kernel reads them (utimensat_time64 on 32-bit ABIs), and
    // statx reads them back.
    let Ok(file) = sys::fd::memfd_create(c"times", sys::fd::MFD_CLOEXEC) else {
        return 21;
    };
    let empty = sys::path::AT_EMPTY_PATH;
    if sys::path::utimensat(file.raw(), c"", Some(&[[1, 0], [5_000_000_000, 7]]), empty) != Ok(()) {
        return 21;
    }
    let mut statx = [0u8; 256];
    const STATX_MTIME: u32 = 0x40;
    if sys::path::statx(file.raw(), c"", empty, STATX_MTIME, &mut statx) != Ok(()) {
        return 21;
    }
    // struct statx: stx_mtime at 0x70, a 64-bit tv_sec then a 32-bit
    // tv_nsec.
    let seconds = i64::from_ne_bytes(statx[0x70..0x78].try_into().unwrap_or([0; 8]));
    let nanoseconds = u32::from_ne_bytes(statx[0x78..0x7c].try_into().unwrap_or([0; 4]));
    if (seconds, nanoseconds) != (5_000_000_000, 7) {
        return 21;
    }

    // 15: three arguments: write the success line.
    let line = rt::ARCH_LINE;
    if sys::write(1, line) != Ok(line.len()) {
        return 15;
    }
    0
}
