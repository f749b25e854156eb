//! pledge(): promises, as OpenBSD's `pledge(2)` has them, for Linux.
//!
//! A program names what it still needs (`"stdio rpath"`) and every other
//! system call is refused with a [`Penalty`]. The layers, pure first:
//! - [`Promises`]: the 23 promise words, parsed at run time
//!   ([`Promises::parse`], a typed error naming an unknown word) or in
//!   `const` context ([`promises!`](crate::promises): an unknown word is a
//!   compile error);
//! - the promise table: per ABI, which syscalls (with which argument
//!   conditions) each promise allows. `PROMISES.md` at the top of the
//!   repository is generated from it, for auditing; [`decide`] and
//!   [`would_allow`] query it;
//! - [`policy`] and [`program`]: promises → seccomp policy → BPF, `const`
//!   ([`pledge_program!`](crate::pledge_program) computes the whole filter
//!   at compile time);
//! - [`Pledge`]: applies it to the process (all threads), optionally with
//!   `execpromises` for programs started by [`execve`] (or, with the `std`
//!   feature, by `PledgedCommand::spawn_pledged` on a
//!   `std::process::Command`; while narrower execpromises are pending, no
//!   other exec gets through: see [`Pledge::execpromises`]) and together
//!   with an unveil ([`Pledge::apply_with_unveil`]);
//! - [`SupervisedProgram`]: for a supervisor, the promises with every
//!   refused call sent to it (a seccomp user notification) instead of
//!   punished, installed in the process it runs, returning the listener.
//!
//! What every pledge does besides the promises: `exit`, `exit_group` and
//! `rt_sigreturn` always work; `clone3`, `openat2`, `io_uring_*`,
//! `memfd_secret`, the `socketcall`/`ipc` multiplexers and numbers newer
//! than the tables fail with `ENOSYS` (C libraries then fall back to calls
//! the filter can inspect); calls from another ABI (`int 0x80` on x86-64)
//! kill the process.
//!
//! Limits, stated rather than hidden: seccomp sees register values, never
//! memory, so paths are not checked (that is unveil's job; `stdio` even
//! lets `fstatat(.., AT_EMPTY_PATH)` read any named path's metadata,
//! because C libraries implement `fstat` with it), nor socket addresses,
//! nor `SCM_RIGHTS` contents (`recvfd`/`sendfd` allow the message calls);
//! `tmppath` and `dns` cannot name `/tmp` or the resolver. `getpid` is
//! always allowed (a forked child's exec filter and the report handler
//! need it). A memfd, which Landlock cannot keep from being executed, is
//! never executable while `exec` is held: `memfd_create` then needs
//! `MFD_NOEXEC_SEAL` (Linux 6.3; `EINVAL` before, so no memfd there) and
//! neither `MFD_EXEC` nor `MFD_HUGETLB` (hugetlbfs does not enforce the
//! seal), and `fattr` sets no extended attribute (a POSIX ACL rewrites a
//! mode past the seal), also for a program executed under execpromises
//! (the filter it was executed from stays).
//! A reported kill ends the thread or process by `SIGSYS`, as the
//! unreported one does.
//! Report mode and the exec gate (execpromises narrower than the promises) exist on
//! x86-64 and AArch64 (both proven on real kernels by `.ci/vm-matrix.sh`)
//! and are refused with a typed error elsewhere
//! ([`PledgeError::ReportUnsupported`], [`PledgeError::ExecGateUnsupported`]).
//!
//! ```
//! use seclude::pledge::{Decision, Promises, decide};
//! use seclude::tables::{Abi, Syscall};
//! const SERVER: Promises = seclude::promises!("stdio rpath inet dns");
//! assert!(SERVER.contains(Promises::INET));
//! assert_eq!(Promises::parse("stdio rpth").unwrap_err().word(), "rpth");
//! // openat(AT_FDCWD, path, O_RDONLY): allowed by rpath.
//! let args = [-100i64 as u64, 0, 0, 0, 0, 0];
//! assert_eq!(decide(SERVER, Abi::X86_64, Syscall::openat, &args, 1), Decision::Allowed);
//! ```

mod apply;
#[cfg(feature = "std")]
mod command;
mod constants;
mod cover;
mod held;
mod policy;
mod promises;
mod report;
mod supervised;
mod table;

pub use apply::{Compiled, Pledge, Pledged, execve};
#[cfg(feature = "std")]
pub use command::{Environment, PledgedCommand};
pub use cover::{Cover, Needs, needs, smallest_cover};
pub use held::held;

pub use policy::{
    Decision, MAX_RULES, Penalty, PledgeError, decide, patch_self_pid, policy, program,
    self_pid_comparisons, would_allow,
};
pub use promises::{Promises, UnknownPromise};
pub use supervised::{SupervisedProgram, supervised_policy, supervised_policy_in};
pub use table::SELF_PID;

#[cfg(test)]
mod cache_tests;
#[cfg(test)]
mod promises_md;

/// The pledge program for a promise string, computed at compile time: an
/// unknown promise word is a compile error. The optional second argument
/// is the [`Penalty`] (default `EPERM`). The result is a
/// [`Compiled`](crate::pledge::Compiled) for
/// [`Pledge::from_compiled`](crate::pledge::Pledge::from_compiled).
///
/// ```
/// use seclude::pledge::{Compiled, Penalty};
/// static STDIO: Compiled = seclude::pledge_program!("stdio");
/// static KILL: Compiled = seclude::pledge_program!("stdio rpath", Penalty::KILL_PROCESS);
/// assert!(STDIO.instructions.len() < KILL.instructions.len());
/// ```
///
/// ```compile_fail,E0080
/// static BAD: seclude::pledge::Compiled = seclude::pledge_program!("stdio rpth");
/// ```
#[macro_export]
macro_rules! pledge_program {
    ($promises:literal) => {
        $crate::pledge_program!($promises, $crate::pledge::Penalty::EPERM)
    };
    ($promises:literal, $penalty:expr) => {{
        const PROMISES: $crate::pledge::Promises = $crate::promises!($promises);
        const PENALTY: $crate::pledge::Penalty = $penalty;
        const FULL: $crate::seccomp::Program =
            match $crate::pledge::program(PROMISES, PENALTY, $crate::tables::Abi::NATIVE) {
                Ok(program) => program,
                Err(e) => panic!("{}", e.message()),
            };
        const LEN: usize = FULL.len();
        const EXACT: [$crate::bpf::Instruction; LEN] = FULL.to_array::<LEN>();
        $crate::pledge::Compiled {
            promises: PROMISES,
            penalty: PENALTY,
            instructions: &EXACT,
        }
    }};
}
