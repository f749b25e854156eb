//! Every one of the 23 promises against the real kernel: calls a promise
//! allows get through the filter, neighbouring calls it does not allow are
//! refused by it. Each test runs its body in fresh child processes, as root
//! and as uid 65534 without capabilities, once per promise string it names
//! (a body reads which one from its environment and expects accordingly).
//!
//! The penalty is `ENOTRECOVERABLE` (131), an errno none of these calls
//! gets from the kernel itself: a call "refused" failed with 131, a call
//! "let through" may still fail with the kernel's own errno (an
//! unprivileged `settimeofday` gets `EPERM`), and a call "allowed"
//! succeeded. The table these tests hold the filter to is
//! `src/pledge/table.rs`.
//!
//! One module per group of promises (`stdio`, `files`, `net`, `proc_exec`,
//! `id_settime_unveil_vminfo`, `narrowing`), so a test's full name is
//! `stdio::stdio_alone_cannot_open_etc_passwd` and so on; `run`, `expect`
//! and `raw` hold what they share.

#[path = "../support/child.rs"]
mod child;

use libc::{c_int, c_long, c_uint};
use seclude::pledge::{Penalty, Pledge, PledgeError, Promises};
use seclude::promises;
use std::ffi::{CStr, CString};
use std::fs;
use std::os::fd::IntoRawFd;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

/// The filter's errno: `ENOTRECOVERABLE`.
const FILTER_ERRNO: i32 = 131;
const ENOSYS: i32 = libc::ENOSYS;
/// `fcntl` commands the libc crate does not name.
const F_SETSIG: c_int = 10;
/// `F_NOTIFY`'s `DN_ACCESS`.
const DN_ACCESS: c_long = 1;

/// The promise string of the current run, for the body.
const CASE: &str = "SECLUDE_PROMISES_CASE";
/// A directory the body may create before pledging (removed by the parent).
const SCRATCH: &str = "SECLUDE_PROMISES_SCRATCH";

/// Every promise.
const ALL: &str = "stdio rpath wpath cpath dpath flock fattr chown inet anet unix dns tty \
                   recvfd sendfd proc exec prot_exec id settime unveil vminfo tmppath";

mod expect;
mod files;
mod id_settime_unveil_vminfo;
mod narrowing;
mod net;
mod proc_exec;
mod raw;
mod run;
mod stdio;

use expect::*;
use raw::*;
use run::*;
