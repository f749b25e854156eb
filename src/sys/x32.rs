//! x86-64 with 32-bit pointers (the x32 ABI): `syscall`.
//!
//! Kernel convention: the number goes in `rax` (x32 numbers carry bit
//! `0x4000_0000`, already included by our generated table), the arguments in
//! `rdi`, `rsi`, `rdx`, `r10`, `r8` and `r9`, and the result comes back in
//! `rax`. The `syscall` instruction itself overwrites `rcx` (return address)
//! and `r11` (saved flags); the kernel preserves everything else.
//!
//! The trick: `usize` is 32 bits here, but the kernel reads whole 64-bit
//! registers, and `asm!` leaves the upper half of a register holding a
//! 32-bit operand undefined. So every value is zero-extended to `u64`
//! before it goes in. The 64-bit result is truncated back: an error
//! `-4095..=-1` stays `-4095..=-1` as a 32-bit `usize`, and x32 addresses
//! fit in 32 bits.

use core::arch::asm;

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
}

#[inline(always)]
pub(super) unsafe fn raw1(nr: usize, a0: usize) -> usize {
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
}

#[inline(always)]
pub(super) unsafe fn raw2(nr: usize, a0: usize, a1: usize) -> usize {
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            in("rsi") a1 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
}

#[inline(always)]
pub(super) unsafe fn raw3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            in("rsi") a1 as u64,
            in("rdx") a2 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
}

#[inline(always)]
pub(super) unsafe fn raw4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            in("rsi") a1 as u64,
            in("rdx") a2 as u64,
            in("r10") a3 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
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
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            in("rsi") a1 as u64,
            in("rdx") a2 as u64,
            in("r10") a3 as u64,
            in("r8") a4 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
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
    let ret: u64;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as u64 => ret,
            in("rdi") a0 as u64,
            in("rsi") a1 as u64,
            in("rdx") a2 as u64,
            in("r10") a3 as u64,
            in("r8") a4 as u64,
            in("r9") a5 as u64,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret as usize
}
