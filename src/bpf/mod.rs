//! Classic BPF for seccomp: the instruction type, the kernel's checks, a
//! simulator and a disassembler. Nothing here calls the kernel, and
//! everything that can be is a `const fn`, so a policy compiled to BPF at
//! compile time can also be verified and tested at compile time.
//!
//! # Why classic BPF
//!
//! `seccomp(SECCOMP_SET_MODE_FILTER)` takes a `struct sock_fprog`: a
//! program of classic BPF, the 1992 packet-filter language, not eBPF. The
//! kernel checks it, translates it to eBPF and JIT-compiles it; a seccomp
//! filter cannot be written in eBPF. Classic BPF has two 32-bit registers
//! (the accumulator A and the index X), 16 scratch words, forward jumps
//! only (so every program ends), and returns a 32-bit value, which seccomp
//! reads as an [`Action`].
//!
//! # What seccomp accepts
//!
//! A subset of classic BPF ([`SECCOMP_OPCODES`]): the data is a
//! [`SeccompData`], readable only as aligned 32-bit words (`ld [k]`, `k` a
//! multiple of 4 below 64); no byte, half-word or indexed loads, no `mod`;
//! at most 4096 instructions ([`MAX_INSNS`]), ending with a return. The full
//! list of checks is in [`verify`], which makes all of them.
//!
//! # Modules
//!
//! - [`Instruction`] and [`op`]: `struct sock_filter` and the opcodes;
//! - [`SeccompData`]: the input, and the word offsets per byte order;
//! - [`Action`]: the `SECCOMP_RET_*` values and their precedence;
//! - [`verify`]: the kernel's load-time checks;
//! - [`simulate`]: the kernel's run-time semantics;
//! - [`kernel_caches_allow`]: which calls the kernel's action cache lets
//!   through without running the filter;
//! - [`Listing`]: a disassembler.
//!
//! ```
//! use seclude::bpf::{simulate, verify, Action, Instruction as I, SeccompData};
//! use seclude::tables::{Abi, Syscall};
//!
//! const ABI: Abi = Abi::X86_64;
//! const PTRACE: u32 = match ABI.number(Syscall::ptrace) { Some(nr) => nr, None => panic!() };
//! const PROG: [I; 7] = [
//!     I::load_word(SeccompData::ARCH),
//!     I::jeq(ABI.audit_arch(), 1, 0),
//!     I::ret(Action::KillProcess.to_ret()),
//!     I::load_word(SeccompData::NR),
//!     I::jeq(PTRACE, 0, 1),
//!     I::ret(Action::Errno(1).to_ret()),
//!     I::ret(Action::Allow.to_ret()),
//! ];
//! const _: () = assert!(verify(&PROG).is_ok());
//!
//! let call = SeccompData::new(PTRACE as i32, ABI.audit_arch());
//! let out = simulate(&PROG, &call, ABI.endian()).unwrap();
//! assert_eq!(out.action, Action::Errno(1));
//! ```

mod action;
mod cache;
mod disasm;
mod insn;
mod seccomp_data;
mod simulate;
mod verify;

pub use action::{
    Action, MAX_ERRNO, RET_ACTION, RET_ACTION_FULL, RET_ALLOW, RET_DATA, RET_ERRNO,
    RET_KILL_PROCESS, RET_KILL_THREAD, RET_LOG, RET_TRACE, RET_TRAP, RET_USER_NOTIF,
    ret_more_restrictive, stacked_ret,
};
pub use cache::kernel_caches_allow;
pub use disasm::Listing;
pub use insn::{Instruction, MAX_INSNS, MEMWORDS, op};
pub use seccomp_data::{Field, SeccompData};
pub use simulate::{Outcome, SimError, simulate};
pub use verify::{SECCOMP_OPCODES, VerifyError, is_classic_opcode, is_seccomp_opcode, verify};
