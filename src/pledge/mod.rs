//! pledge(): promises, as OpenBSD's `pledge(2)` has them, for Linux.
//!
//! A program names what it still needs (`"stdio rpath"`) and every other
//! system call is refused with a [`Penalty`]. The layers:
//! - [`Promises`]: the 23 promise words, parsed at run time
//!   ([`Promises::parse`], a typed error naming an unknown word) or in
//!   `const` context ([`promises!`](crate::promises): an unknown word is a
//!   compile error);
//! - the promise table: per ABI, which syscalls (with which arguments)
//!   each promise allows; audited in `PROMISES.md`, generated from it;
//! - [`policy`] and [`program`]: promises → seccomp policy → BPF, pure
//!   and `const` ([`pledge_program!`](crate::pledge_program) computes the
//!   whole filter at compile time).
//!
//! ```
//! use seclude::pledge::Promises;
//! const SERVER: Promises = seclude::promises!("stdio rpath inet dns");
//! assert!(SERVER.contains(Promises::INET));
//! assert_eq!(Promises::parse("stdio rpth").unwrap_err().word(), "rpth");
//! ```

mod constants;
mod policy;
mod promises;
mod table;

pub use policy::{
    Decision, MAX_RULES, Penalty, PledgeError, decide, patch_self_pid, policy, program, would_allow,
};
pub use promises::{Promises, UnknownPromise};
pub use table::SELF_PID;

#[cfg(test)]
mod doc;
