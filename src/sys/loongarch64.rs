//! LoongArch64: `syscall 0`.
//!
//! Kernel convention: the number goes in `a7`, the arguments in `a0` to
//! `a5`, and the result comes back in `a0`. The kernel may overwrite the
//! temporaries `t0` to `t8` (the kernel's own syscall wrappers list them as
//! clobbered), so they are declared as such; everything else is preserved.
//! No trick is needed: every register involved is a plain operand.

use core::arch::asm;

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            lateout("$a0") ret,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw1(nr: usize, a0: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw2(nr: usize, a0: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            in("$a1") a1,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            in("$a1") a1,
            in("$a2") a2,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            in("$a1") a1,
            in("$a2") a2,
            in("$a3") a3,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw5(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            in("$a1") a1,
            in("$a2") a2,
            in("$a3") a3,
            in("$a4") a4,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}

#[inline(always)]
pub(super) unsafe fn raw6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall 0",
            in("$a7") nr,
            inlateout("$a0") a0 => ret,
            in("$a1") a1,
            in("$a2") a2,
            in("$a3") a3,
            in("$a4") a4,
            in("$a5") a5,
            lateout("$t0") _, lateout("$t1") _, lateout("$t2") _,
            lateout("$t3") _, lateout("$t4") _, lateout("$t5") _,
            lateout("$t6") _, lateout("$t7") _, lateout("$t8") _,
            options(nostack),
        );
    }
    ret
}
