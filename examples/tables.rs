//! Where a syscall lives on every ABI, and what the kernel says when a raw
//! call fails: a tour of seclude's foundation.
//!
//!     cargo run --example tables -- openat socketcall 0x40000101
//!
//! Each argument is a syscall name (printed with its number on every ABI)
//! or a number (printed with its name on every ABI that has one).

use seclude::tables::{Abi, Syscall};
use seclude::{Errno, sys};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = if args.is_empty() {
        vec!["openat".to_string(), "landlock_create_ruleset".to_string()]
    } else {
        args
    };

    println!(
        "native ABI: {} (AUDIT_ARCH {:#010x}), {} syscalls known across {} ABIs",
        Abi::NATIVE,
        Abi::NATIVE.audit_arch(),
        Syscall::COUNT,
        Abi::ALL.len()
    );
    for arg in &args {
        if let Some(nr) = parse_number(arg) {
            println!("\nnumber {arg}:");
            for abi in Abi::ALL {
                if let Some(call) = abi.syscall(nr) {
                    println!("  {:<12} {call}", abi.name());
                }
            }
        } else if let Some(call) = Syscall::from_name(arg) {
            println!("\n{call}:");
            for abi in Abi::ALL {
                match abi.number(call) {
                    Some(nr) => println!("  {:<12} {nr:>10}  ({nr:#x})", abi.name()),
                    None => println!("  {:<12} {:>10}", abi.name(), "-"),
                }
            }
            if let Some(release) = call.added_in() {
                println!("  (added in Linux {release}, after the 6.12 tables: recorded by hand)");
            }
        } else {
            eprintln!("tables: {arg:?} is neither a syscall name nor a number");
            return ExitCode::from(2);
        }
    }

    // The raw layer: a real call that succeeds, and one that fails with a typed errno.
    println!("\ngetpid() through seclude::sys = {}", sys::getpid());
    let landlock = Abi::NATIVE
        .number(Syscall::landlock_create_ruleset)
        .unwrap() as usize;
    // SAFETY: a null ruleset pointer with size 0 and flags = VERSION only asks for the ABI version.
    match unsafe { sys::syscall3(landlock, 0, 0, 1) } {
        Ok(v) => println!("landlock_create_ruleset(NULL, 0, VERSION) = {v} (Landlock ABI)"),
        Err(e) => println!("landlock_create_ruleset(NULL, 0, VERSION) failed: {e}"),
    }
    let bad: Result<usize, Errno> = sys::write(-1, b"x");
    match bad {
        Err(e) => println!("write(-1, ..) = {e}"),
        Ok(n) => println!("write(-1, ..) unexpectedly wrote {n} bytes"),
    }
    ExitCode::SUCCESS
}

fn parse_number(s: &str) -> Option<u32> {
    match s.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}
