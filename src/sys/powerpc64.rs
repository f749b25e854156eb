//! 64-bit PowerPC (ELFv1 big-endian and ELFv2 little-endian): `sc`.
//!
//! Kernel convention: the number goes in `r0`, the arguments in `r3` to
//! `r8`, and the result comes back in `r3`. Unlike every other Linux
//! architecture, an error is not a negative result: the kernel sets the
//! summary-overflow bit of condition register field 0 (`cr0.so`) and puts
//! the *positive* errno in `r3`. The block therefore branches over a `neg`
//! when `so` is clear, turning the error into the usual `-4095..=-1`.
//!
//! The kernel treats the C ABI's volatile registers as clobbered: `r0`,
//! `r4` to `r12`, `ctr`, `xer` and the condition register fields `cr0`,
//! `cr1` and `cr5` to `cr7`, all declared here.

use core::arch::asm;

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            lateout("r3") ret,
            lateout("r4") _,
            lateout("r5") _,
            lateout("r6") _,
            lateout("r7") _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            lateout("r4") _,
            lateout("r5") _,
            lateout("r6") _,
            lateout("r7") _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _,
            lateout("r5") _,
            lateout("r6") _,
            lateout("r7") _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _,
            inlateout("r5") a2 => _,
            lateout("r6") _,
            lateout("r7") _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _,
            inlateout("r5") a2 => _,
            inlateout("r6") a3 => _,
            lateout("r7") _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _,
            inlateout("r5") a2 => _,
            inlateout("r6") a3 => _,
            inlateout("r7") a4 => _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
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
            "sc",
            "bns 2f",
            "neg 3, 3",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _,
            inlateout("r5") a2 => _,
            inlateout("r6") a3 => _,
            inlateout("r7") a4 => _,
            inlateout("r8") a5 => _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("ctr") _,
            lateout("xer") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
            options(nostack),
        );
    }
    ret
}
