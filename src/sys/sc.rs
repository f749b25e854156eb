//! x86-64, AArch64 and RISC-V 64: the `sc` crate's raw syscall functions.
//! `sc` takes the number as an argument, so its own tables are not used.

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall0(nr) }
}

#[inline(always)]
pub(super) unsafe fn raw1(nr: usize, a0: usize) -> usize {
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall1(nr, a0) }
}

#[inline(always)]
pub(super) unsafe fn raw2(nr: usize, a0: usize, a1: usize) -> usize {
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall2(nr, a0, a1) }
}

#[inline(always)]
pub(super) unsafe fn raw3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall3(nr, a0, a1, a2) }
}

#[inline(always)]
pub(super) unsafe fn raw4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall4(nr, a0, a1, a2, a3) }
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
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall5(nr, a0, a1, a2, a3, a4) }
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
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); `sc` declares the registers the trap clobbers.
    unsafe { sc::syscall6(nr, a0, a1, a2, a3, a4, a5) }
}
