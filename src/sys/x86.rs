//! i386 (x86, 32-bit): `int 0x80`.
//!
//! Kernel convention: the number goes in `eax`, the arguments in `ebx`,
//! `ecx`, `edx`, `esi`, `edi` and `ebp` (in that order), and the result
//! comes back in `eax`. The kernel preserves every other register.
//!
//! The trick: Rust's `asm!` refuses `esi` on x86-32 and `ebp` everywhere as
//! operands, because LLVM may need them as base and frame pointer. So the
//! fourth argument arrives in `edi` and is exchanged into `esi` around the
//! trap (the exchange back restores both). With five or six arguments every
//! allowed register is taken, so the number and the arguments bound for
//! `esi` and `ebp` travel through a small array whose address arrives in
//! `eax`; the block saves `esi`/`ebp` on the stack, loads them from the
//! array, loads the number last (it overwrites the address), traps, and
//! restores them. Those two blocks use the stack, so they do not claim
//! `nostack`.

use core::arch::asm;

#[inline(always)]
pub(super) unsafe fn raw0(nr: usize) -> usize {
    let ret;
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!("int 0x80", inlateout("eax") nr => ret, options(nostack));
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
            "int 0x80",
            inlateout("eax") nr => ret,
            in("ebx") a0,
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
            "int 0x80",
            inlateout("eax") nr => ret,
            in("ebx") a0,
            in("ecx") a1,
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
            "int 0x80",
            inlateout("eax") nr => ret,
            in("ebx") a0,
            in("ecx") a1,
            in("edx") a2,
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
            "xchg esi, edi",
            "int 0x80",
            "xchg esi, edi",
            inlateout("eax") nr => ret,
            in("ebx") a0,
            in("ecx") a1,
            in("edx") a2,
            in("edi") a3,
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
    let spill = [nr, a3];
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "push esi",
            "mov esi, [eax + 4]",
            "mov eax, [eax]",
            "int 0x80",
            "pop esi",
            inlateout("eax") spill.as_ptr() => ret,
            in("ebx") a0,
            in("ecx") a1,
            in("edx") a2,
            in("edi") a4,
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
    let spill = [nr, a3, a5];
    // SAFETY: the caller keeps the system call's own contract (see
    // `super::syscall0`); the block declares every register it or the
    // kernel leaves changed, and puts back any it borrows (module docs).
    unsafe {
        asm!(
            "push ebp",
            "push esi",
            "mov esi, [eax + 4]",
            "mov ebp, [eax + 8]",
            "mov eax, [eax]",
            "int 0x80",
            "pop esi",
            "pop ebp",
            inlateout("eax") spill.as_ptr() => ret,
            in("ebx") a0,
            in("ecx") a1,
            in("edx") a2,
            in("edi") a4,
        );
    }
    ret
}
