//! seccomp: policies compiled into verified BPF, and installed.
//!
//! Data flows one way: a [`Policy`] (rules as plain data) is compiled by
//! [`compile`] into a [`Program`] (classic BPF, verified), which [`load`]
//! installs. The first two are pure and `const`: a policy that is a
//! constant becomes a program at compile time ([`seccomp_program!`](crate::seccomp_program)),
//! and the same functions run at run time on a policy built from input.
//! [`notify`] is the other end of [`Action::UserNotif`](crate::bpf::Action::UserNotif):
//! the supervisor that answers the calls such a filter hands over.
//!
//! ```
//! use seclude::bpf::{self, Action, Instruction, SeccompData};
//! use seclude::seccomp::{Cmp, Condition, Policy};
//! use seclude::tables::{Abi, Syscall};
//!
//! const EPERM: u16 = 1;
//! const POLICY: Policy<8> = Policy::new(Action::Errno(EPERM))
//!     .allow_all(&[Syscall::read, Syscall::write, Syscall::close, Syscall::exit_group])
//!     .rule(Syscall::mprotect, &[Condition::arg32(2, Cmp::MaskedEq(0x4), 0)], Action::Allow);
//! static PROGRAM: &[Instruction] = seclude::seccomp_program!(POLICY);
//!
//! // Test the policy without a kernel: simulate a call.
//! let mprotect_exec = SeccompData {
//!     nr: Abi::NATIVE.number(Syscall::mprotect).unwrap() as i32,
//!     arch: Abi::NATIVE.audit_arch(),
//!     instruction_pointer: 0,
//!     args: [0, 4096, 0x7, 0, 0, 0],
//! };
//! let outcome = bpf::simulate(PROGRAM, &mprotect_exec, Abi::NATIVE.endian()).unwrap();
//! assert_eq!(outcome.action, Action::Errno(EPERM));
//! assert_eq!(outcome.action, POLICY.evaluate(&mprotect_exec));
//! ```

mod compile;
mod load;
pub mod notify;
mod policy;

pub use compile::{CompileError, MAX_RANGES, Program, compile};
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
pub(crate) use load::add_thread_filter_raw;
pub use load::{FilterFlags, LoadError, action_available, load, no_new_privs, set_no_new_privs};
pub use policy::{Cmp, Condition, MAX_ABIS, MAX_CONDITIONS, Policy, PolicyError, Rule, Width};
