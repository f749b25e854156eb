//! seclude in an init process: booted as `/init`, this program confines
//! itself with `pledge("stdio rpath")` and `unveil("/etc", "r")`, shows that
//! an allowed call works and refused ones are refused, and powers the
//! machine off. No libc, no std, no allocator (see `main.rs` for how such a
//! program is built).
//!
//! An init process must not exit (the kernel panics), and the promises do
//! not allow `reboot`; so before confining itself it forks a helper that
//! waits on a pipe and powers off when the confined init writes to it.
//! Run as any other pid, it makes the same checks and exits instead
//! (`tests/freestanding.rs` runs it that way; `.ci/vm-matrix.sh` boots it).
//!
//! Each check prints `pid1: pass WHAT` or `pid1: FAIL WHAT`; the exit status
//! (when not pid 1) is 0 only if all passed.
#![no_std]
#![no_main]

mod mem;
#[macro_use]
mod out;
mod start;

use core::ffi::CStr;
use core::panic::PanicInfo;

use out::Report;
use seclude::Errno;
use seclude::landlock::Unveil;
use seclude::pledge::{Compiled, Penalty, Pledge};
use seclude::sys::{self, fd, process};
use seclude::tables::{Abi, Syscall};

/// The promises' filter, compiled while this program is compiled (no
/// compiler in the binary).
static PROMISES: Compiled = seclude::pledge_program!("stdio rpath", Penalty::EPERM);

/// `reboot(2)`'s magic numbers and the power-off command.
const LINUX_REBOOT_MAGIC1: usize = 0xfee1_dead;
const LINUX_REBOOT_MAGIC2: usize = 672_274_793;
const LINUX_REBOOT_CMD_POWER_OFF: usize = 0x4321_fedc;
/// The file the promises and the unveiled path let it read.
const READABLE: &CStr = c"/etc/hostname";
const AF_INET: usize = 2;
const SOCK_STREAM: usize = 1;

/// Called by `_start` with the initial stack pointer: `argc`, then `argv`.
extern "C" fn start_rust(stack: *const usize) -> ! {
    // SAFETY: the kernel puts argc at the initial stack pointer and the
    // argv pointers right after it; argv[0] is a NUL-terminated string.
    let argv0 = unsafe {
        match *stack.add(1) {
            0 => c"/init",
            p => CStr::from_ptr(p as *const core::ffi::c_char),
        }
    };
    let is_init = sys::getpid() == 1;
    let mut r = Report { status: 0 };
    // Before the pledge: the helper that may still power off.
    let power_off = if is_init {
        power_off_helper(&mut r)
    } else {
        None
    };
    confine_and_check(&mut r, argv0);
    match power_off {
        Some(pipe) => {
            say!(r, "pid1: done, powering off");
            let _ = sys::write_all(pipe.raw(), b"x");
            // Read is a stdio call: wait here for the power-off.
            let (forever, _writer) = match fd::pipe() {
                Ok(p) => p,
                Err(_) => loop {
                    core::hint::spin_loop();
                },
            };
            let mut byte = [0u8; 1];
            loop {
                let _ = fd::read(forever.raw(), &mut byte);
            }
        }
        None => sys::exit_group(r.status),
    }
}

/// Forks the child that powers the machine off once the returned pipe is
/// written to (or closed).
fn power_off_helper(r: &mut Report) -> Option<fd::OwnedFd> {
    let (read_end, write_end) = match fd::pipe() {
        Ok(p) => p,
        Err(e) => {
            say!(r, "pid1: FAIL pipe: {e}");
            r.fail(1);
            return None;
        }
    };
    // SAFETY: single-threaded; the child only reads, reboots and exits.
    match unsafe { process::fork(0) } {
        Ok(process::Forked::Child) => {
            drop(write_end);
            let mut byte = [0u8; 1];
            let _ = fd::read(read_end.raw(), &mut byte);
            let nr = Abi::NATIVE.number(Syscall::reboot).unwrap_or(u32::MAX) as usize;
            // SAFETY: integer arguments only.
            let _ = unsafe {
                sys::syscall4(
                    nr,
                    LINUX_REBOOT_MAGIC1,
                    LINUX_REBOOT_MAGIC2,
                    LINUX_REBOOT_CMD_POWER_OFF,
                    0,
                )
            };
            sys::exit_group(1)
        }
        Ok(process::Forked::Parent(_)) => Some(write_end),
        Err(e) => {
            say!(r, "pid1: FAIL fork: {e}");
            r.fail(1);
            None
        }
    }
}

fn confine_and_check(r: &mut Report, argv0: &CStr) {
    say!(r, "pid1: start as pid {}", sys::getpid());
    let mut unveil: Unveil<'_, 1> = Unveil::new();
    if unveil.unveil(c"/etc", "r").is_err() {
        say!(r, "pid1: FAIL unveil /etc");
        return r.fail(1);
    }
    match Pledge::from_compiled(&PROMISES).apply_with_unveil(unveil) {
        Ok((_, plan)) => say!(
            r,
            "pid1: pass pledge stdio rpath + unveil /etc r applied (Landlock {:?}, {:?})",
            plan.abi,
            plan.enforcement
        ),
        Err(e) => {
            say!(r, "pid1: FAIL pledge: {e}");
            return r.fail(1);
        }
    }

    let mut buf = [0u8; 64];
    match fd::open(READABLE, fd::O_RDONLY, 0).and_then(|f| fd::read(f.raw(), &mut buf)) {
        Ok(n) => say!(
            r,
            "pid1: pass allowed: read {} bytes of {}",
            n,
            READABLE.to_str().unwrap_or("?")
        ),
        Err(e) => {
            say!(
                r,
                "pid1: FAIL allowed read of {}: {e}",
                READABLE.to_str().unwrap_or("?")
            );
            r.fail(1);
        }
    }

    let name = argv0.to_str().unwrap_or("?");
    match fd::open(argv0, fd::O_RDONLY, 0) {
        Err(Errno::EACCES) => say!(
            r,
            "pid1: pass refused: open {name} outside the unveiled /etc: EACCES"
        ),
        other => {
            say!(
                r,
                "pid1: FAIL open {name} outside the unveiled /etc: {:?}",
                other.map(drop)
            );
            r.fail(1);
        }
    }

    let nr = Abi::NATIVE.number(Syscall::socket).unwrap_or(u32::MAX) as usize;
    // SAFETY: integer arguments only.
    match unsafe { sys::syscall3(nr, AF_INET, SOCK_STREAM, 0) } {
        Err(Errno::EPERM) => say!(
            r,
            "pid1: pass refused: socket without the inet promise: EPERM"
        ),
        other => {
            say!(r, "pid1: FAIL socket without the inet promise: {:?}", other);
            r.fail(1);
        }
    }
}

#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    let _ = sys::write_all(2, b"pid1: FAIL panic\n");
    sys::exit_group(101)
}

/// Referenced by the precompiled `core` in unoptimised builds even with
/// `panic = "abort"`; never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
