//! The process entry point, one per architecture.
//!
//! The kernel starts a static executable at `_start` with the stack pointer
//! at `argc`, followed by the `argv` and `envp` arrays and the auxiliary
//! vector. There is no return address: `_start` must never return. Each
//! version clears the frame pointer (so a debugger's backtrace ends here),
//! passes the initial stack pointer as the first argument, aligns the stack
//! to the 16 bytes all three C ABIs require at a call, and traps if
//! [`crate::start_rust`] ever comes back.

#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // SysV: %rsp must be 16-byte aligned just before `call`.
    core::arch::naked_asm!(
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {main}",
        "ud2",
        main = sym crate::start_rust,
    )
}

#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // AAPCS64: sp must be 16-byte aligned at every access (the kernel
    // already guarantees it; the `and` keeps that explicit).
    core::arch::naked_asm!(
        "mov x29, xzr",
        "mov x30, xzr",
        "mov x0, sp",
        "and sp, x0, #-16",
        "bl {main}",
        "brk #0x1",
        main = sym crate::start_rust,
    )
}

#[cfg(target_arch = "riscv64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // The psABI reserves gp for the linker's gp-relative relaxation; set it
    // before any relaxed access could run. sp must be 16-byte aligned.
    core::arch::naked_asm!(
        ".option push",
        ".option norelax",
        "lla gp, __global_pointer$",
        ".option pop",
        "li fp, 0",
        "li ra, 0",
        "mv a0, sp",
        "andi sp, sp, -16",
        "call {main}",
        "unimp",
        main = sym crate::start_rust,
    )
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
compile_error!("the freestanding example has a _start for x86_64, aarch64 and riscv64 only");
