//! seclude with `std`, linked into a fully static musl executable.
//!
//! `.ci/musl-static.sh` builds it with `-Zbuild-std` against Debian's musl
//! (no glibc, no dynamic loader), checks with `file` that it is statically
//! linked, and runs it. The program checks the crate against `std`: the pid
//! from the raw syscall against `std::process::id()`, an `Errno` against the
//! `std::io::Error` it converts to. Each argument is a syscall name to look
//! up in the native table.
//!
//! Exit status: 0 if every check passed, 1 otherwise.

use std::process::ExitCode;

use seclude::Errno;
use seclude::tables::{Abi, Syscall};

fn main() -> ExitCode {
    let mut ok = true;
    println!("seclude on musl: start");
    println!("abi: {}", Abi::NATIVE);

    let pid = seclude::sys::getpid();
    if pid == std::process::id() {
        println!("pid: {pid} (std::process::id agrees)");
    } else {
        println!(
            "pid: {pid} but std::process::id() is {}",
            std::process::id()
        );
        ok = false;
    }

    for name in std::env::args().skip(1) {
        match (Syscall::from_name(&name), Abi::NATIVE.number_of(&name)) {
            (Some(_), Some(nr)) => println!("{name}: {nr}"),
            (Some(_), None) => println!("{name}: not in the {} ABI", Abi::NATIVE),
            (None, _) => println!("{name}: unknown"),
        }
    }

    let nr_close = Abi::NATIVE
        .number(Syscall::close)
        .expect("every ABI has close") as usize;
    // SAFETY: closing an invalid descriptor touches no memory.
    match unsafe { seclude::sys::syscall1(nr_close, -1isize as usize) } {
        Err(e) => {
            println!("close(-1): {e}");
            let io = std::io::Error::from(e);
            println!("io::Error: {io}");
            ok &= e == Errno::EBADF && io.raw_os_error() == Some(Errno::EBADF.raw());
        }
        Ok(v) => {
            println!("close(-1): returned {v}");
            ok = false;
        }
    }

    if ok {
        println!("seclude on musl: ok");
        ExitCode::SUCCESS
    } else {
        println!("seclude on musl: FAILED");
        ExitCode::FAILURE
    }
}
