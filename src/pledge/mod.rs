//! pledge(): promises, as OpenBSD's `pledge(2)` has them, for Linux.
//!
//! This module is being built in layers; so far the promise set and its
//! parser: [`Promises::parse`] at run time (an unknown word is a typed
//! error naming it) and [`promises!`](crate::promises) in `const` context
//! (an unknown word is a compile error). The promises' syscall rules,
//! penalties and `execpromises` come next, compiled by [`crate::seccomp`].
//!
//! ```
//! use seclude::pledge::Promises;
//! const SERVER: Promises = seclude::promises!("stdio rpath inet dns");
//! assert!(SERVER.contains(Promises::INET));
//! assert_eq!(Promises::parse("stdio rpth").unwrap_err().word(), "rpth");
//! ```

mod promises;

pub use promises::{Promises, UnknownPromise};
