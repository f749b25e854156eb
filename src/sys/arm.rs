//! 32-bit Arm, EABI: `svc 0`.
//!
//! Kernel convention: the number goes in `r7`, the arguments in `r0` to
//! `r5`, and the result comes back in `r0`. The kernel preserves every
//! other register.
//!
//! The trick: `r7` is the frame pointer in Thumb code, so Rust's `asm!`
//! refuses it as an operand (as it refuses `r6`, LLVM's base pointer, and
//! `r11`, the Arm-mode frame pointer). The number therefore arrives in a
//! register the compiler picks; the block parks the caller's `r7` in a
//! second scratch register, moves the number into `r7`, traps, and puts
//! `r7` back. No stack is touched.

use core::arch::asm;

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            lateout("r0") ret,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1,
            in("r2") a2,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1,
            in("r2") a2,
            in("r3") a3,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1,
            in("r2") a2,
            in("r3") a3,
            in("r4") a4,
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
            "mov {saved}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {saved}",
            nr = in(reg) nr,
            saved = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1,
            in("r2") a2,
            in("r3") a3,
            in("r4") a4,
            in("r5") a5,
            options(nostack),
        );
    }
    ret
}
