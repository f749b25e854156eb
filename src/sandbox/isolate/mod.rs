//! Running one function in a sandboxed child process.
//!
//! The parent forks (raw `clone`, with the sandbox's namespace flags, so a
//! new pid namespace makes the child its pid 1 and a new user namespace
//! works even from a multithreaded parent), the child applies the sandbox
//! and runs the function, and the parent collects:
//!
//! - the function's result, written by the child into a pipe and read by
//!   the parent into a buffer the caller provides (no allocation), or
//!   passed on as it arrives ([`isolate_streaming`], [`isolate_duplex`]);
//! - with [`isolate_duplex`] (and `std`'s `isolate_io`), input the parent
//!   streams to the child through a socket while it reads the output;
//! - what the sandbox applied, or the error that stopped it, through a
//!   small shared anonymous mapping (written once by the child before the
//!   function runs, so it arrives even if a seccomp policy forbids `write`);
//! - how the child ended, with a seccomp kill told apart from other
//!   signals.
//!
//! The launch itself (the fork, the shared record, reaping) is in
//! `launch`, which every entry point shares; [`isolate_duplex`] and its
//! input side are in `duplex`.

use super::{Sandbox, SandboxError, SandboxReport};
use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::{self, OwnedFd};

mod duplex;
mod launch;

#[cfg(feature = "std")]
pub use duplex::isolate_io;
pub use duplex::{InputReader, IsolatedDuplex, isolate_duplex};
use launch::{close_inherited, reap, spawn};

/// How an isolated function's process ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ended {
    /// The function returned (or the process exited) with this status.
    Exited(i32),
    /// A signal other than a seccomp kill ended it.
    Killed {
        /// The signal number.
        signal: i32,
        /// Whether it dumped core.
        core_dumped: bool,
    },
    /// A seccomp filter killed it (`SIGSYS`): the function made a call the
    /// sandbox forbids with a kill penalty. (A `SIGSYS` sent with `kill`
    /// looks the same; nothing in the sandbox's policy sends one.)
    Violation,
    /// The sandbox could not be applied; the function never ran.
    SetupFailed(SandboxError),
}

/// What a failed isolation attempt could not do in the parent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IsolateError {
    /// Creating the result pipe (or the input socket) failed.
    Pipe(Errno),
    /// Mapping the shared record failed.
    Map(Errno),
    /// `clone` failed: with namespace flags, `EPERM` (no capability and no
    /// user namespace) or `ENOSPC`/`EUSERS` (namespace limits).
    Fork(Errno),
    /// Reading the child's output failed.
    Read(Errno),
    /// Sending the child its input failed (other than by the child having
    /// closed its end, which [`IsolatedDuplex::input_refused`] reports).
    Write(Errno),
    /// Waiting for the child failed.
    Wait(Errno),
}

impl core::fmt::Display for IsolateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            IsolateError::Pipe(e) => write!(f, "isolate: creating the result pipe: {e}"),
            IsolateError::Map(e) => write!(f, "isolate: mapping the shared status page: {e}"),
            IsolateError::Fork(e) => {
                write!(f, "isolate: creating the child process: {e}")?;
                match *e {
                    Errno::EPERM => write!(
                        f,
                        " (new namespaces other than a user namespace need CAP_SYS_ADMIN: \
                         add the user namespace to the sandbox when running unprivileged)"
                    ),
                    Errno::ENOSPC | Errno::EUSERS => write!(
                        f,
                        " (a namespace limit is reached: see user.max_*_namespaces, or \
                         seclude::ns::unshare for a diagnosis)"
                    ),
                    _ => Ok(()),
                }
            }
            IsolateError::Read(e) => write!(f, "isolate: reading the child's output: {e}"),
            IsolateError::Write(e) => write!(f, "isolate: sending the child its input: {e}"),
            IsolateError::Wait(e) => write!(f, "isolate: waiting for the child: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for IsolateError {}

/// What [`isolate`] brings back.
#[derive(Debug)]
pub struct Isolated<'b> {
    /// How the child ended.
    pub ended: Ended,
    /// What the sandbox applied in the child (`None` if setup failed).
    pub report: Option<SandboxReport>,
    /// The bytes the function wrote with its [`ResultWriter`], as far as
    /// they fit the caller's buffer.
    pub result: &'b [u8],
    /// Whether the function wrote more than the buffer holds (the rest was
    /// read and dropped, so the child never blocks on a full pipe).
    pub truncated: bool,
}

/// Where an isolated function writes its result: the write end of a pipe
/// whose other end the parent reads into the caller's buffer.
///
/// The sandbox's seccomp policy must allow `write` (the pledge promise
/// `stdio` does) for the result to arrive.
#[derive(Debug)]
pub struct ResultWriter {
    fd: i32,
    error: Option<Errno>,
}

impl ResultWriter {
    /// Writes all of `bytes` to the parent.
    ///
    /// ```no_run
    /// use seclude::sandbox::{isolate, Sandbox};
    /// let mut buf = [0u8; 64];
    /// let out = isolate(&Sandbox::new(), &mut buf, |w| {
    ///     w.write(b"hello").unwrap();
    ///     0
    /// })
    /// .unwrap();
    /// assert_eq!(out.result, b"hello");
    /// ```
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        sys::write_all(self.fd, bytes).inspect_err(|e| self.error = Some(*e))
    }

    /// The first error a write met, if any (a [`core::fmt::Write`] error
    /// carries no detail).
    pub fn error(&self) -> Option<Errno> {
        self.error
    }
}

impl core::fmt::Write for ResultWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.write(s.as_bytes()).map_err(|_| core::fmt::Error)
    }
}

/// Which of the child's output streams bytes came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stream {
    /// Standard output (descriptor 1).
    Stdout,
    /// Standard error (descriptor 2).
    Stderr,
}

/// What [`isolate_streaming`] brings back.
#[derive(Clone, Copy, Debug)]
pub struct IsolatedStreaming {
    /// How the child ended.
    pub ended: Ended,
    /// What the sandbox applied in the child (`None` if setup failed).
    pub report: Option<SandboxReport>,
}

/// With `std`: writes as [`ResultWriter::write`] does (all of `buf`).
#[cfg(feature = "std")]
impl std::io::Write for ResultWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        ResultWriter::write(self, buf)
            .map(|()| buf.len())
            .map_err(|e| std::io::Error::from_raw_os_error(e.raw()))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` in a child process under `sandbox` and waits for it.
///
/// The child is created with the sandbox's namespaces (a new pid namespace
/// makes it pid 1 there); in it the rest of the sandbox is applied in
/// [`Sandbox::apply`]'s order and then `f` runs with a [`ResultWriter`].
/// What `f` writes comes back in [`Isolated::result`], inside `out`; the
/// status `f` returns is the child's exit status. The parent itself is not
/// sandboxed and continues whatever the child does.
///
/// Works from a multithreaded parent, but the child is a `fork` of it: `f`
/// must not depend on locks another thread may hold (see
/// [`fork`](crate::sys::process::fork)): an allocation or a panic's message
/// in the child can deadlock it, and the parent then waits for it. The
/// sandbox's seccomp policy must allow `write` for the result to arrive.
///
/// The child closes every inherited descriptor above 2 except those the
/// sandbox keeps ([`Privileges::close_fds_except`](crate::privileges::Privileges::close_fds_except)):
/// pass a descriptor to `f` by keeping it. (Otherwise a concurrent
/// isolation's pipe, inherited by this child, would make that one wait for
/// this child too.) A process that ignores `SIGCHLD` has its children reaped
/// by the kernel: then waiting fails with [`IsolateError::Wait`]`(ECHILD)`.
///
/// ```no_run
/// use seclude::pledge::{Penalty, Pledge};
/// use seclude::sandbox::{isolate, Ended, Sandbox};
///
/// let sandbox = Sandbox::new().pledge(Pledge::new(seclude::promises!("stdio")).penalty(Penalty::KILL_PROCESS));
/// let mut buf = [0u8; 4096];
/// let out = isolate(&sandbox, &mut buf, |w| {
///     use core::fmt::Write;
///     write!(w, "{}", 6 * 7).unwrap();
///     0
/// })
/// .unwrap();
/// assert_eq!(out.ended, Ended::Exited(0));
/// assert_eq!(out.result, b"42");
/// ```
pub fn isolate<'b, F>(
    sandbox: &Sandbox<'_>,
    out: &'b mut [u8],
    f: F,
) -> Result<Isolated<'b>, IsolateError>
where
    F: FnOnce(&mut ResultWriter) -> i32,
{
    let (reader, writer) = fd::pipe().map_err(IsolateError::Pipe)?;
    let (pid, record) = spawn(
        sandbox,
        &[writer.raw()],
        || {
            close_inherited(&reader);
            Ok(())
        },
        || {
            let mut result = ResultWriter {
                fd: writer.raw(),
                error: None,
            };
            f(&mut result)
        },
    )?;
    drop(writer);
    let read = drain_into(&reader, out);
    drop(reader);
    let ((len, truncated), ended, report) = reap(pid, record, read)?;
    Ok(Isolated {
        ended,
        report,
        result: &out[..len],
        truncated,
    })
}

/// Reads `reader` to its end into `out`; bytes beyond `out`'s length are
/// read and dropped. Returns the length kept and whether any were dropped.
fn drain_into(reader: &OwnedFd, out: &mut [u8]) -> Result<(usize, bool), IsolateError> {
    let mut len = 0;
    let mut truncated = false;
    let mut spill = [0u8; 512];
    loop {
        let n = if len < out.len() {
            fd::read(reader.raw(), &mut out[len..])
        } else {
            fd::read(reader.raw(), &mut spill).inspect(|&n| truncated |= n > 0)
        }
        .map_err(IsolateError::Read)?;
        if n == 0 {
            return Ok((len.min(out.len()), truncated));
        }
        if len < out.len() {
            len += n;
        }
    }
}

/// Runs `f` in a child process under `sandbox`, like [`isolate`], with the
/// child's standard output and standard error connected to pipes whose
/// bytes are passed to `on_output` as they arrive.
///
/// ```no_run
/// use seclude::sandbox::{isolate_streaming, Ended, Sandbox, Stream};
/// let mut seen = heapless::Vec::<u8, 256>::new();
/// let out = isolate_streaming(
///     &Sandbox::new(),
///     || {
///         seclude::sys::write_all(1, b"from the child\n").unwrap();
///         0
///     },
///     |stream, bytes| {
///         if stream == Stream::Stdout {
///             seen.extend_from_slice(bytes).unwrap();
///         }
///     },
/// )
/// .unwrap();
/// assert_eq!(out.ended, Ended::Exited(0));
/// assert_eq!(&seen[..], b"from the child\n");
/// ```
pub fn isolate_streaming<F, O>(
    sandbox: &Sandbox<'_>,
    f: F,
    mut on_output: O,
) -> Result<IsolatedStreaming, IsolateError>
where
    F: FnOnce() -> i32,
    O: FnMut(Stream, &[u8]),
{
    let (out_reader, out_writer) = fd::pipe().map_err(IsolateError::Pipe)?;
    let (err_reader, err_writer) = fd::pipe().map_err(IsolateError::Pipe)?;
    // Descriptors 1 and 2 become the pipes before the sandbox is applied,
    // so "close every other descriptor" keeps them.
    let redirect = || {
        close_inherited(&out_reader);
        close_inherited(&err_reader);
        fd::dup2(out_writer.raw(), 1)
            .and_then(|()| fd::dup2(err_writer.raw(), 2))
            .map_err(|e| SandboxError {
                step: super::Step::Redirect,
                cause: super::Cause::Kernel(e),
            })?;
        // The originals are descriptors above 2 (0 to 2 were open when the
        // pipes were made, or they would have taken those numbers; then
        // dup2 onto itself is a no-op and the number must stay open).
        for original in [&out_writer, &err_writer] {
            if original.raw() > 2 {
                close_inherited(original);
            }
        }
        Ok(())
    };
    let (pid, record) = spawn(sandbox, &[], redirect, f)?;
    drop(out_writer);
    drop(err_writer);
    let streamed = stream(&out_reader, &err_reader, &mut on_output);
    drop(out_reader);
    drop(err_reader);
    let ((), ended, report) = reap(pid, record, streamed)?;
    Ok(IsolatedStreaming { ended, report })
}

/// Passes what arrives on the two pipes to `on_output` until both are at
/// their end ([`fd::poll`] on both, no timeout).
fn stream(
    stdout: &OwnedFd,
    stderr: &OwnedFd,
    on_output: &mut dyn FnMut(Stream, &[u8]),
) -> Result<(), IsolateError> {
    let mut open = [
        Some((stdout.raw(), Stream::Stdout)),
        Some((stderr.raw(), Stream::Stderr)),
    ];
    let mut buf = [0u8; 4096];
    while open.iter().any(Option::is_some) {
        // A closed stream's slot gets fd -1, which poll ignores.
        let mut fds = open.map(|slot| fd::PollFd::new(slot.map_or(-1, |(fd, _)| fd), fd::POLLIN));
        match fd::poll(&mut fds, None) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(IsolateError::Read(e)),
            Ok(_) => {}
        }
        for (slot, polled) in open.iter_mut().zip(fds.iter()) {
            let Some((fd, which)) = *slot else { continue };
            if polled.revents == 0 {
                continue;
            }
            match fd::read(fd, &mut buf).map_err(IsolateError::Read)? {
                0 => *slot = None,
                n => on_output(which, &buf[..n]),
            }
        }
    }
    Ok(())
}
