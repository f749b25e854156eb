//! A program with no libc, no std and no allocator that uses seclude.
//!
//! It proves the crate's claim that it needs nothing from a C runtime: the
//! binary brings its own `_start` ([`start`]) and memory functions
//! ([`mem`]), is linked with `-nostdlib -static` (see `build.rs`), and
//! talks to the kernel only through `seclude::sys`. `tests/freestanding.rs`
//! builds and runs it on the host, `.ci/freestanding-qemu.sh` under qemu for
//! AArch64 and RISC-V 64.
//!
//! It prints one line per check and exits with status 0 only if every check
//! passed; a failed check sets its own status (the first failure wins), so
//! the status alone says what went wrong:
//!
//! | status | check                                                      |
//! |--------|------------------------------------------------------------|
//! | 2      | writing to stdout failed                                   |
//! | 10     | the initial stack has no `argc >= 1` / `argv[0]`           |
//! | 11     | `getpid` returned 0                                        |
//! | 12     | the Landlock version query returned 0                      |
//! | 13     | `close(-1)` was not `EBADF`                                |
//! | 14     | `mmap` of an anonymous page failed or was not page-aligned |
//! | 15     | the page did not read back what was written                |
//! | 16     | `munmap` failed                                            |
//! | 101    | a panic                                                    |
#![no_std]
#![no_main]

mod mem;
#[macro_use]
mod out;
mod start;

use core::panic::PanicInfo;

use out::Report;

use seclude::Errno;
use seclude::sys;
use seclude::tables::{Abi, Syscall};

/// `LANDLOCK_CREATE_RULESET_VERSION` from `<linux/landlock.h>`.
const LANDLOCK_CREATE_RULESET_VERSION: usize = 1 << 0;
const PROT_READ_WRITE: usize = 0x1 | 0x2;
const MAP_PRIVATE_ANONYMOUS: usize = 0x02 | 0x20;
const PAGE: usize = 4096;

/// The native number of `call`, resolved at compile time.
const fn nr(call: Syscall) -> usize {
    match Abi::NATIVE.number(call) {
        Some(nr) => nr as usize,
        None => panic!("the native ABI lacks a syscall this example uses"),
    }
}
const NR_CLOSE: usize = nr(Syscall::close);
const NR_MMAP: usize = nr(Syscall::mmap);
const NR_MUNMAP: usize = nr(Syscall::munmap);

/// Called by `_start` with the initial stack pointer: `argc`, then `argv`.
extern "C" fn start_rust(stack: *const usize) -> ! {
    // SAFETY: the kernel puts argc at the initial stack pointer and the
    // argv pointers right after it.
    let (argc, argv0) = unsafe { (*stack, *stack.add(1)) };
    sys::exit_group(run(argc, argv0))
}

fn run(argc: usize, argv0: usize) -> i32 {
    let mut r = Report { status: 0 };
    say!(r, "seclude freestanding: start");

    say!(r, "argc: {argc}");
    if argc < 1 || argv0 == 0 {
        r.fail(10);
    }

    let pid = sys::getpid();
    say!(r, "pid: {pid}");
    if pid == 0 {
        r.fail(11);
    }

    say!(r, "abi: {}", Abi::NATIVE.name());

    // Looked up at run time, through the same const table.
    match Abi::NATIVE.number(Syscall::landlock_create_ruleset) {
        Some(nr) => {
            say!(r, "landlock_create_ruleset: nr {nr}");
            // SAFETY: with a null attribute pointer and size 0 the kernel
            // reads no memory; the flag asks for the ABI version.
            let ret = unsafe { sys::syscall3(nr as usize, 0, 0, LANDLOCK_CREATE_RULESET_VERSION) };
            match ret {
                Ok(0) => {
                    say!(r, "landlock abi 0");
                    r.fail(12);
                }
                Ok(v) => say!(r, "landlock abi {v}"),
                // ENOSYS (no Landlock, or qemu-user), EOPNOTSUPP (disabled
                // at boot): the errno path, which is what we want to see.
                Err(e) => say!(r, "landlock: {e}"),
            }
        }
        None => say!(r, "landlock_create_ruleset: not in this ABI"),
    }

    // SAFETY: closing an invalid descriptor touches no memory.
    let closed = unsafe { sys::syscall1(NR_CLOSE, -1isize as usize) };
    match closed {
        Err(e) => say!(r, "close(-1): {e}"),
        Ok(v) => say!(r, "close(-1): returned {v}"),
    }
    if closed != Err(Errno::EBADF) {
        r.fail(13);
    }

    check_mmap(&mut r);

    if r.status == 0 {
        say!(r, "seclude freestanding: ok");
    } else {
        let status = r.status;
        say!(r, "seclude freestanding: FAILED (status {status})");
    }
    r.status
}

/// Six arguments: map an anonymous page, use it, unmap it.
fn check_mmap(r: &mut Report) {
    // SAFETY: a fresh anonymous mapping at a kernel-chosen address aliases
    // nothing of ours.
    let mapped = unsafe {
        sys::syscall6(
            NR_MMAP,
            0,
            PAGE,
            PROT_READ_WRITE,
            MAP_PRIVATE_ANONYMOUS,
            -1isize as usize,
            0,
        )
    };
    let addr = match mapped {
        Ok(addr) if addr % PAGE == 0 => addr,
        Ok(_) => {
            say!(r, "mmap: not page-aligned");
            return r.fail(14);
        }
        Err(e) => {
            say!(r, "mmap: {e}");
            return r.fail(14);
        }
    };
    // SAFETY: the page is ours, readable and writable, until munmap.
    let page = unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, PAGE) };
    for (i, byte) in page.iter_mut().enumerate() {
        *byte = i as u8 ^ 0x5a;
    }
    let intact = page.iter().enumerate().all(|(i, &b)| b == i as u8 ^ 0x5a);
    // SAFETY: `page` is not used after this point.
    let unmapped = unsafe { sys::syscall2(NR_MUNMAP, addr, PAGE) };
    match (intact, unmapped) {
        (true, Ok(0)) => say!(r, "mmap+munmap: ok"),
        (false, _) => {
            say!(r, "mmap: page did not read back");
            r.fail(15);
        }
        (true, Ok(v)) => {
            say!(r, "munmap: returned {v}");
            r.fail(16);
        }
        (true, Err(e)) => {
            say!(r, "munmap: {e}");
            r.fail(16);
        }
    }
}

#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    let _ = sys::write_all(2, b"seclude freestanding: panic\n");
    sys::exit_group(101)
}

/// Referenced by the precompiled `core` in unoptimised builds even with
/// `panic = "abort"`; never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
