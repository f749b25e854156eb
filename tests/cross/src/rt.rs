//! The bare runtime a program without libc needs: the `_start` entry point
//! (one per architecture), the memory functions the compiler may call, and a
//! panic handler.

use core::arch::naked_asm;

/// What the program prints when every check passed.
pub const ARCH_LINE: &[u8] = concat!(
    "seclude cross-check: all checks passed on ",
    env!("SECLUDE_CROSS_ARCH"),
    "\n"
)
.as_bytes();

/// Called by `_start` with the initial stack pointer (argc, argv, envp,
/// auxv); never returns.
extern "C" fn start_rust(sp: *const usize) -> ! {
    seclude::sys::exit_group(crate::run(sp))
}

// Each `_start` clears the frame pointer (the end of the frame chain),
// passes the kernel's stack pointer as the first argument, aligns the stack
// to 16 bytes as the C ABI wants at a call, and calls `start_rust`.

#[cfg(target_arch = "x86")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // cdecl: the argument goes on the stack; 12 bytes of padding keep the
    // stack 16-byte aligned at the call.
    naked_asm!(
        "xor ebp, ebp",
        "mov eax, esp",
        "and esp, -16",
        "sub esp, 12",
        "push eax",
        "call {main}",
        "ud2",
        main = sym start_rust,
    )
}

#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {main}",
        "ud2",
        main = sym start_rust,
    )
}

#[cfg(target_arch = "arm")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "mov fp, #0",
        "mov lr, #0",
        "mov r0, sp",
        "bic sp, sp, #15",
        "bl {main}",
        "udf #0",
        main = sym start_rust,
    )
}

#[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "mv s0, zero",
        "mv a0, sp",
        "andi sp, sp, -16",
        "call {main}",
        "unimp",
        main = sym start_rust,
    )
}

#[cfg(target_arch = "loongarch64")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    naked_asm!(
        "move $fp, $zero",
        "move $a0, $sp",
        "bstrins.d $sp, $zero, 3, 0",
        "bl {main}",
        "break 0",
        main = sym start_rust,
    )
}

#[cfg(target_arch = "s390x")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // The s390x ABI wants a 160-byte register save area below the callee's
    // stack pointer, with a zero back chain at its start.
    naked_asm!(
        "lgr %r2, %r15",
        "aghi %r15, -160",
        "lghi %r0, 0",
        "stg %r0, 0(%r15)",
        "brasl %r14, {main}",
        ".word 0",
        main = sym start_rust,
    )
}

#[cfg(all(target_arch = "powerpc64", target_endian = "little"))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn _start() -> ! {
    // ELFv2: r1 is the stack pointer; r2 must hold the TOC pointer, computed
    // here from our own address; a 32-byte minimal frame with a zero back
    // chain sits below the callee.
    naked_asm!(
        "bcl 20, 31, 2f",
        "2:",
        "mflr 12",
        "addis 2, 12, (.TOC. - 2b)@ha",
        "addi 2, 2, (.TOC. - 2b)@l",
        "mr 3, 1",
        "clrrdi 1, 1, 4",
        "li 0, 0",
        "stdu 0, -32(1)",
        "bl {main}",
        "nop",
        "trap",
        main = sym start_rust,
    )
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    seclude::sys::exit_group(99)
}

// The compiler lowers copies and comparisons to these. Plain byte loops
// through volatile accesses, so that the optimizer cannot turn a loop back
// into a call to the function it is in.

#[unsafe(no_mangle)]
unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        unsafe { dst.add(i).write_volatile(src.add(i).read_volatile()) };
        i += 1;
    }
    dst
}

#[unsafe(no_mangle)]
unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize) <= (src as usize) {
        return unsafe { memcpy(dst, src, n) };
    }
    let mut i = n;
    while i > 0 {
        i -= 1;
        unsafe { dst.add(i).write_volatile(src.add(i).read_volatile()) };
    }
    dst
}

#[unsafe(no_mangle)]
unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        unsafe { dst.add(i).write_volatile(c as u8) };
        i += 1;
    }
    dst
}

#[unsafe(no_mangle)]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return x as i32 - y as i32;
        }
        i += 1;
    }
    0
}

#[unsafe(no_mangle)]
unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    unsafe { memcmp(a, b, n) }
}

/// Unoptimised builds reference the unwinding personality even with
/// `panic = "abort"`; nothing ever calls it.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
