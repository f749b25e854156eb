//! Compiles a small policy at compile time and prints its disassembly.
//!
//!     cargo run --example policy_listing

use seclude::bpf::{Action, Instruction, Listing};
use seclude::seccomp::{Cmp, Condition, Policy};
use seclude::tables::{Abi, Syscall};

const EPERM: u16 = 1;
const PROT_EXEC: u64 = 0x4;

/// stdio-like: read, write, exit; mmap/mprotect without PROT_EXEC; for
/// x86-64 and its i386 compat entry.
const POLICY: Policy<16> = Policy::for_abis(&[Abi::X86_64, Abi::I386], Action::Errno(EPERM))
    .allow_all(&[
        Syscall::read,
        Syscall::write,
        Syscall::exit_group,
        Syscall::rt_sigreturn,
    ])
    .rule(
        Syscall::mmap,
        &[Condition::arg64(2, Cmp::MaskedEq(PROT_EXEC), 0)],
        Action::Allow,
    )
    .rule(
        Syscall::mprotect,
        &[Condition::arg64(2, Cmp::MaskedEq(PROT_EXEC), 0)],
        Action::Allow,
    );

static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);

fn main() {
    println!(
        "{} instructions, compiled at compile time:\n",
        PROGRAM.len()
    );
    print!("{}", Listing::new(PROGRAM).abi(Abi::X86_64));
}
