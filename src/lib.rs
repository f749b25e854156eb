//! seclude: process self-isolation for Linux, with no libc and no allocator.
//!
//! A program calls seclude to lock itself down before it touches untrusted
//! data, the way OpenBSD programs call `pledge()` and `unveil()`. The crate
//! is `#![no_std]`, uses neither `alloc` nor `libc`, and issues every kernel
//! call as a raw system call, so a static musl binary, an init process or a
//! freestanding program can link it.
//!
//! This release provides the foundation the sandboxing layers stand on:
//!
//! - [`tables`]: syscall numbers of fourteen kernel ABIs, generated from the
//!   kernel's own tables and usable in `const` context;
//! - [`sys`]: raw system calls returning `Result<usize, Errno>`;
//! - [`Errno`]: every errno name of the target architecture.
//!
//! ```
//! use seclude::tables::{Abi, Syscall};
//!
//! // Resolved at compile time, for an ABI other than the one compiled for.
//! const I386_SOCKETCALL: Option<u32> = Abi::I386.number(Syscall::socketcall);
//! assert_eq!(I386_SOCKETCALL, Some(102));
//! assert!(seclude::sys::getpid() > 0);
//! ```
#![no_std]
#![warn(missing_docs)]

// Tests use std (threads, formatting into Strings); the library never does
// unless the `std` feature asks for its Error impls.
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod bpf;
mod errno;
pub mod seccomp;
pub mod sys;
pub mod tables;

pub use errno::Errno;
