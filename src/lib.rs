//! seclude: process self-isolation for Linux, with no libc and no allocator.
//!
//! A program calls seclude to lock itself down before it touches untrusted
//! data, the way OpenBSD programs call `pledge()` and `unveil()`. The crate
//! is `#![no_std]`, uses neither `alloc` nor `libc`, and issues every kernel
//! call as a raw system call, so a static musl binary, an init process or a
//! freestanding program can link it.
//!
//! What is here:
//!
//! - [`seccomp`]: policies as plain data, compiled into verified classic-BPF
//!   programs at compile time (a wrong policy is a compile error) or at run
//!   time with the same code, and installed;
//! - [`bpf`]: the instruction type, a verifier that checks what the kernel
//!   checks, a simulator and a disassembler;
//! - [`tables`]: syscall numbers of fourteen kernel ABIs, generated from the
//!   kernel's own tables and usable in `const` context;
//! - [`landlock`]: rulesets with an explicit compatibility choice, and
//!   `unveil`; [`pledge`]: OpenBSD's promises as seccomp filters;
//! - [`ns`]: namespaces, id maps and filesystem isolation;
//!   [`privileges`]: capabilities, securebits, ids, limits, descriptors;
//! - [`sandbox`]: all of the above applied in one order, or in a child
//!   process that runs one function ([`sandbox::isolate`]);
//! - [`sys`]: raw system calls returning `Result<usize, Errno>`;
//! - [`Errno`]: every errno name of the target architecture.
//!
//! ```
//! use seclude::bpf::{self, Action, Instruction, SeccompData};
//! use seclude::seccomp::Policy;
//! use seclude::tables::{Abi, Syscall};
//!
//! // A policy, compiled into BPF while this crate's user is compiled.
//! const POLICY: Policy<3> = Policy::new(Action::Errno(1))
//!     .allow_all(&[Syscall::read, Syscall::write, Syscall::exit_group]);
//! static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);
//!
//! // Checked without a kernel: what would the filter do with getppid?
//! let nr = Abi::NATIVE.number(Syscall::getppid).unwrap() as i32;
//! let getppid = SeccompData::new(nr, Abi::NATIVE.audit_arch());
//! let outcome = bpf::simulate(PROGRAM, &getppid, Abi::NATIVE.endian()).unwrap();
//! assert_eq!(outcome.action, Action::Errno(1));
//!
//! // Numbers of an ABI other than the one compiled for, at compile time.
//! const I386_SOCKETCALL: Option<u32> = Abi::I386.number(Syscall::socketcall);
//! assert_eq!(I386_SOCKETCALL, Some(102));
//! ```
#![no_std]
#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

// Tests use std (threads, formatting into Strings); the library never does
// unless the `std` feature asks for its Error impls.
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod bpf;
mod compatibility;
mod errno;
pub mod landlock;
pub mod ns;
pub mod pledge;
pub mod privileges;
pub mod sandbox;
pub mod seccomp;
pub mod sys;
pub mod tables;
mod text;

#[cfg(test)]
mod testing;

pub use compatibility::Compatibility;
pub use errno::Errno;

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
