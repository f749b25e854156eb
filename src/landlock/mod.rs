//! Landlock: unprivileged filesystem, network and IPC restrictions.
//!
//! This module is being built in layers, pure ones first:
//!
//! - [`AccessFs`], [`AccessNet`], [`Scope`], [`RestrictFlags`]: the rights
//!   and flags, and [`AbiVersion`]: which kernel version brought each, for
//!   every version from 1 (Linux 5.13) to 9 (Linux 7.1);
//! - [`plan`]: what of a request a given kernel enforces, under the
//!   caller's explicit [`Compatibility`](crate::Compatibility) choice,
//!   reported as a [`Plan`];
//! - [`Ruleset`]: the plan made real: [`abi_version`] probes the kernel,
//!   rules are added by path (opened `O_PATH`) or TCP port, and
//!   [`Ruleset::restrict_self`] enforces it and returns the plan;
//! - [`Unveil`]: OpenBSD's `unveil()` on top: paths with `r`, `w`, `x`,
//!   `c` permissions, committed at once.
//!
//! ```
//! use seclude::Compatibility;
//! use seclude::landlock::{plan, AbiVersion, AccessFs, Enforcement, Request};
//!
//! let request = Request { fs: AccessFs::all(), ..Request::EMPTY };
//! let p = plan(&request, AbiVersion::V5, Compatibility::BestEffort).unwrap();
//! assert_eq!(p.enforcement, Enforcement::Partial);
//! assert_eq!(p.dropped.fs, AccessFs::RESOLVE_UNIX); // ABI 9's right
//! ```

mod access;
mod compat;
mod ruleset;
mod unveil;

pub use access::{AbiVersion, AccessFs, AccessNet, RestrictFlags, Scope};
pub use compat::{CompatError, Enforcement, Plan, Request, plan};
pub use ruleset::{Ruleset, RulesetError, abi_version, errata};
pub use unveil::{
    PreparedUnveil, UnixSockets, Unveil, UnveilError, UnveilPerms, seccomp_supplement,
    seccomp_supplement_rules,
};
