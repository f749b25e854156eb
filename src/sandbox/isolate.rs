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

use core::mem::{MaybeUninit, size_of};

use super::{Sandbox, SandboxError, SandboxReport};
use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::{self, OwnedFd};
use crate::sys::mem::SharedMapping;
use crate::sys::process::{self, ExitStatus, Forked, SIGSYS};

/// The exit status of a child whose sandbox could not be applied (the
/// parent reports [`Ended::SetupFailed`] from the shared record, not from
/// this number; it only keeps the status recognisable in `ps` or `strace`).
const SETUP_FAILED_STATUS: i32 = 125;
/// The exit status of a child whose function panicked.
const PANICKED_STATUS: i32 = 101;

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

/// What [`isolate_duplex`] (and, with `std`, `isolate_io`) brings back.
///
/// ```
/// use seclude::sandbox::{isolate_duplex, Ended, Sandbox};
/// // Endless input, and a child that takes none of it and ends: the parent
/// // stops sending (no SIGPIPE, no hang) and says the input was refused.
/// let endless = |buf: &mut [u8]| {
///     buf.fill(b'x');
///     buf.len()
/// };
/// let out = isolate_duplex(&Sandbox::new(), |_, _| 0, endless, |_| {}).unwrap();
/// assert_eq!(out.ended, Ended::Exited(0));
/// assert!(out.input_refused);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IsolatedDuplex {
    /// How the child ended.
    pub ended: Ended,
    /// What the sandbox applied in the child (`None` if setup failed).
    pub report: Option<SandboxReport>,
    /// Whether the child closed its input before taking all of it (it
    /// ended, or closed its [`InputReader`]'s descriptor): the rest was not
    /// sent. Not an error: a parser may stop early, and a violation kills
    /// it mid-stream; [`IsolatedDuplex::ended`] says which.
    pub input_refused: bool,
}

/// Where an isolated function reads its input: one end of a Unix stream
/// socket whose other end the parent feeds from the caller's input and then
/// closes, so that [`read`](InputReader::read) returns 0 at the end.
///
/// The sandbox's seccomp policy must allow `read` (the pledge promise
/// `stdio` does).
#[derive(Debug)]
pub struct InputReader {
    fd: i32,
}

impl InputReader {
    /// Reads up to `buf.len()` bytes of input, waiting for some if none has
    /// arrived; `Ok(0)` once the parent has sent all of it. Retries after
    /// `EINTR`. Input may arrive in pieces of any size: read until 0.
    ///
    /// ```
    /// use seclude::sandbox::{isolate_duplex, Ended, Sandbox};
    /// let mut input: &[u8] = b"ping";
    /// let out = isolate_duplex(
    ///     &Sandbox::new(),
    ///     |input, _| {
    ///         let (mut buf, mut len) = ([0u8; 16], 0);
    ///         while let Ok(n @ 1..) = input.read(&mut buf[len..]) {
    ///             len += n;
    ///         }
    ///         len as i32 // the exit status says how many bytes arrived
    ///     },
    ///     |buf| {
    ///         let n = input.len().min(buf.len());
    ///         buf[..n].copy_from_slice(&input[..n]);
    ///         input = &input[n..];
    ///         n
    ///     },
    ///     |_| {},
    /// )
    /// .unwrap();
    /// assert_eq!(out.ended, Ended::Exited(4));
    /// ```
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            match fd::read(self.fd, buf) {
                Err(Errno::EINTR) => {}
                other => return other,
            }
        }
    }

    /// The descriptor the input arrives on, for a function that hands it to
    /// code of its own (`poll`, say). It is close-on-exec: to make it a
    /// program's standard input, duplicate it with
    /// [`dup2`](crate::sys::fd::dup2) before `execve`.
    ///
    /// ```
    /// use seclude::sandbox::{isolate_duplex, Ended, Sandbox};
    /// let out = isolate_duplex(&Sandbox::new(), |input, _| (input.raw() > 2) as i32, |_| 0, |_| {})
    ///     .unwrap();
    /// assert_eq!(out.ended, Ended::Exited(1));
    /// ```
    pub fn raw(&self) -> i32 {
        self.fd
    }
}

/// With `std`: reads the input as [`InputReader::read`] does.
#[cfg(feature = "std")]
impl std::io::Read for InputReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        InputReader::read(self, buf).map_err(|e| std::io::Error::from_raw_os_error(e.raw()))
    }
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

/// The record the child leaves in the shared mapping before it runs the
/// function.
#[repr(C)]
struct Record {
    /// 0: nothing written; 1: `report` is set; 2: `error` is set.
    state: u32,
    report: MaybeUninit<SandboxReport>,
    error: MaybeUninit<SandboxError>,
}

const RECORD_EMPTY: u32 = 0;
const RECORD_APPLIED: u32 = 1;
const RECORD_FAILED: u32 = 2;

/// A shared anonymous mapping holding one [`Record`], unmapped on drop.
struct SharedRecord {
    mapping: SharedMapping,
    addr: *mut Record,
}

impl SharedRecord {
    fn new() -> Result<Self, Errno> {
        let mapping = SharedMapping::new(size_of::<Record>())?;
        let addr = mapping.as_ptr() as *mut Record;
        // SAFETY: the mapping is zero-filled, page-aligned and large enough;
        // the state word is all that is read before the child writes the rest.
        unsafe { (*addr).state = RECORD_EMPTY };
        Ok(SharedRecord { mapping, addr })
    }

    fn store(&self, outcome: &Result<SandboxReport, SandboxError>) {
        // SAFETY: the mapping holds a Record; only this child writes it,
        // before the parent reads it (after the child has ended).
        unsafe {
            match outcome {
                Ok(report) => {
                    (*self.addr).report = MaybeUninit::new(*report);
                    // The state last, so it never names a field not yet
                    // written (were the child killed in between).
                    core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
                    core::ptr::addr_of_mut!((*self.addr).state).write_volatile(RECORD_APPLIED);
                }
                Err(error) => {
                    (*self.addr).error = MaybeUninit::new(*error);
                    core::sync::atomic::fence(core::sync::atomic::Ordering::Release);
                    core::ptr::addr_of_mut!((*self.addr).state).write_volatile(RECORD_FAILED);
                }
            }
        }
    }

    /// In the child, once the outcome is stored: unmaps the record, so the
    /// sandboxed function cannot write into it (the parent trusts what it
    /// reads there as values of Rust types).
    fn seal(self) -> Result<(), Errno> {
        // Nothing in the child uses the record again.
        self.mapping.unmap()
    }

    /// In the parent, after the child ended: what it stored.
    fn load(&self) -> Option<Result<SandboxReport, SandboxError>> {
        // SAFETY: the child has ended; it wrote the field the state names,
        // with a value of that type made by this same program image (a
        // fork shares the parent's code and the data its references point
        // to).
        unsafe {
            match (*self.addr).state {
                RECORD_APPLIED => Some(Ok((*self.addr).report.assume_init())),
                RECORD_FAILED => Some(Err((*self.addr).error.assume_init())),
                _ => None,
            }
        }
    }
}

/// Ends the child if the function unwinds out of it: a panic must never
/// carry the child back into the caller's code as if it were the parent.
struct ExitOnUnwind;

impl Drop for ExitOnUnwind {
    fn drop(&mut self) {
        sys::exit_group(PANICKED_STATUS);
    }
}

/// How the parent tells the outcome, from the record and the wait status.
fn classify(status: ExitStatus, record: Option<Result<SandboxReport, SandboxError>>) -> Ended {
    if let Some(Err(error)) = record {
        return Ended::SetupFailed(error);
    }
    match status {
        ExitStatus::Exited(code) => Ended::Exited(code),
        ExitStatus::Killed { signal: SIGSYS, .. } => Ended::Violation,
        ExitStatus::Killed {
            signal,
            core_dumped,
        } => Ended::Killed {
            signal,
            core_dumped,
        },
    }
}

/// Forks a child under `sandbox` (in its namespaces). The child runs
/// `prepare` (closing the parent's pipe ends, redirecting output), applies
/// the rest of the sandbox keeping `keep_fds` open, records the outcome,
/// and runs `body`; it never returns. The parent gets the child's pid and
/// the record.
fn spawn(
    sandbox: &Sandbox<'_>,
    keep_fds: &[i32],
    prepare: impl FnOnce() -> Result<(), SandboxError>,
    body: impl FnOnce() -> i32,
) -> Result<(i32, SharedRecord), IsolateError> {
    let record = SharedRecord::new().map_err(IsolateError::Map)?;
    // Read before the clone: inside an unmapped user namespace the ids
    // read as the overflow id.
    let outer = (process::getuid(), process::getgid());
    // SAFETY: the child applies the sandbox (raw calls, no locks), runs
    // body under the caller's contract, and leaves through exit_group.
    match unsafe { process::fork(sandbox.clone_flags()) }.map_err(IsolateError::Fork)? {
        Forked::Child => {
            let guard = ExitOnUnwind;
            let outcome = prepare().and_then(|()| sandbox.apply_in_child(outer, keep_fds));
            record.store(&outcome);
            if outcome.is_err() || record.seal().is_err() {
                sys::exit_group(SETUP_FAILED_STATUS);
            }
            let status = body();
            core::mem::forget(guard);
            sys::exit_group(status);
        }
        Forked::Parent(pid) => Ok((pid, record)),
    }
}

/// In the parent, once the child's output is read: reaps the child (even
/// when reading failed, so no zombie is left) and tells how it ended.
fn reap<T>(
    pid: i32,
    record: SharedRecord,
    read: Result<T, IsolateError>,
) -> Result<(T, Ended, Option<SandboxReport>), IsolateError> {
    let status = process::wait(pid).map_err(IsolateError::Wait)?;
    let read = read?;
    let stored = record.load();
    Ok((read, classify(status, stored), stored.and_then(Result::ok)))
}

/// Closes a descriptor number inherited from the parent, in the child.
fn close_inherited(fd: &OwnedFd) {
    fd::close(fd.raw());
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

/// Runs `f` in a child process under `sandbox`, like [`isolate`], with
/// input as well as output, both streamed: the parent sends the child what
/// `fill_input` provides while it passes what the child writes to
/// `on_output`, as the bytes arrive.
///
/// The child reads its input from an [`InputReader`] (0 at the end) and
/// writes with a [`ResultWriter`]. In the parent, `fill_input` is called
/// with a buffer to fill each time the child has taken what it gave; it
/// returns how many bytes it put there, 0 for the end of the input (it is
/// not called again). Neither side needs to hold all of the data: the
/// parent waits on both directions at once ([`fd::poll`]), so neither a full
/// input nor a full output stalls the other, whatever sizes and order the
/// function reads and writes in. Nothing is allocated.
///
/// A child that stops reading and ends (it finished early, or a violation
/// killed it) leaves input unsent: that is reported as
/// [`IsolatedDuplex::input_refused`], never as a `SIGPIPE` in the parent
/// (the input goes through a socket, sent with `MSG_NOSIGNAL`).
///
/// The rest is as for [`isolate`]: the child is a fork of the caller, the
/// sandbox's policy must allow `read` and `write` (`stdio`), and the
/// parent is not sandboxed. With `std`, `isolate_io` takes a
/// `std::io::Read` and a `std::io::Write` instead of the two closures.
///
/// ```
/// use seclude::pledge::{Penalty, Pledge};
/// use seclude::sandbox::{isolate_duplex, Ended, Sandbox};
///
/// // A child that upper-cases what it reads, under `stdio` only.
/// let sandbox = Sandbox::new().pledge(Pledge::new(seclude::promises!("stdio")).penalty(Penalty::KILL_PROCESS));
/// let mut input: &[u8] = b"untrusted input";
/// let mut output = heapless::Vec::<u8, 64>::new();
/// let out = isolate_duplex(
///     &sandbox,
///     |input, output| {
///         let mut buf = [0u8; 256];
///         loop {
///             match input.read(&mut buf) {
///                 Ok(0) => return 0,
///                 Ok(n) => {
///                     buf[..n].make_ascii_uppercase();
///                     output.write(&buf[..n]).unwrap();
///                 }
///                 Err(_) => return 1,
///             }
///         }
///     },
///     |buf| {
///         let n = input.len().min(buf.len());
///         buf[..n].copy_from_slice(&input[..n]);
///         input = &input[n..];
///         n
///     },
///     |bytes| output.extend_from_slice(bytes).unwrap(),
/// )
/// .unwrap();
/// assert_eq!(out.ended, Ended::Exited(0));
/// assert!(!out.input_refused);
/// assert_eq!(&output[..], b"UNTRUSTED INPUT");
/// ```
pub fn isolate_duplex<F, I, O>(
    sandbox: &Sandbox<'_>,
    f: F,
    mut fill_input: I,
    mut on_output: O,
) -> Result<IsolatedDuplex, IsolateError>
where
    F: FnOnce(&mut InputReader, &mut ResultWriter) -> i32,
    I: FnMut(&mut [u8]) -> usize,
    O: FnMut(&[u8]),
{
    let (out_reader, out_writer) = fd::pipe().map_err(IsolateError::Pipe)?;
    // A socket, not a pipe, for the input: sending with MSG_NOSIGNAL turns
    // a child that has gone into EPIPE instead of a SIGPIPE that would end
    // the caller's process.
    let (input_sender, input_receiver) = sys::socket::socketpair().map_err(IsolateError::Pipe)?;
    let (pid, record) = spawn(
        sandbox,
        &[out_writer.raw(), input_receiver.raw()],
        || {
            close_inherited(&out_reader);
            close_inherited(&input_sender);
            Ok(())
        },
        || {
            let mut input = InputReader {
                fd: input_receiver.raw(),
            };
            let mut output = ResultWriter {
                fd: out_writer.raw(),
                error: None,
            };
            f(&mut input, &mut output)
        },
    )?;
    drop(out_writer);
    drop(input_receiver);
    let pumped = pump(input_sender, &out_reader, &mut fill_input, &mut on_output);
    drop(out_reader);
    let (input_refused, ended, report) = reap(pid, record, pumped)?;
    Ok(IsolatedDuplex {
        ended,
        report,
        input_refused,
    })
}

/// Feeds `input` from `fill_input` and passes what arrives on `output` to
/// `on_output`, until the input has ended (or the child closed it) and the
/// output is at its end. Returns whether the child refused some input.
///
/// Only `poll` waits: the input is sent without waiting (what fits now),
/// so a child blocked writing its output is always read from.
fn pump(
    input: OwnedFd,
    output: &OwnedFd,
    fill_input: &mut dyn FnMut(&mut [u8]) -> usize,
    on_output: &mut dyn FnMut(&[u8]),
) -> Result<bool, IsolateError> {
    let mut input = Some(input);
    let mut output_open = true;
    let mut refused = false;
    // Input taken from the caller and not yet sent: pending[sent..filled].
    let mut pending = [0u8; 4096];
    let (mut sent, mut filled) = (0, 0);
    let mut received = [0u8; 4096];
    loop {
        if input.is_some() && sent == filled {
            (sent, filled) = (0, fill_input(&mut pending).min(pending.len()));
            if filled == 0 {
                // The end of the input: closing the socket is the child's 0.
                input = None;
            }
        }
        if input.is_none() && !output_open {
            return Ok(refused);
        }
        // A finished direction's slot gets fd -1, which poll ignores.
        let mut fds = [
            fd::PollFd::new(if output_open { output.raw() } else { -1 }, fd::POLLIN),
            fd::PollFd::new(input.as_ref().map_or(-1, OwnedFd::raw), fd::POLLOUT),
        ];
        match fd::poll(&mut fds, None) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(IsolateError::Read(e)),
            Ok(_) => {}
        }
        if fds[0].revents != 0 {
            match fd::read(output.raw(), &mut received) {
                Ok(0) => output_open = false,
                Ok(n) => on_output(&received[..n]),
                Err(Errno::EINTR) => {}
                Err(e) => return Err(IsolateError::Read(e)),
            }
        }
        if let (Some(socket), true) = (&input, fds[1].revents != 0) {
            match sys::socket::send_nonblocking(socket.raw(), &pending[sent..filled]) {
                Ok(n) => sent += n,
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                // The child's end is closed: it ended or stopped reading.
                Err(Errno::EPIPE | Errno::ECONNRESET) => {
                    refused = true;
                    input = None;
                }
                Err(e) => return Err(IsolateError::Write(e)),
            }
        }
    }
}

/// With `std`: runs `f` in a child process under `sandbox` with `input`
/// streamed to its [`InputReader`] and what it writes streamed to `output`,
/// as [`isolate_duplex`] does with closures.
///
/// An error reading `input` ends the input there (the child sees its end)
/// and an error writing `output` drops the rest of the output (the child
/// is still read from, so it never blocks); either is returned once the
/// child has ended. An [`IsolateError`] comes back as an
/// [`std::io::Error`] of kind `Other` wrapping it.
///
/// In the child, the [`InputReader`] is a [`std::io::Read`] and the
/// [`ResultWriter`] a [`std::io::Write`], so `std::io::copy` works there
/// (it allocates nothing; the child of a multithreaded parent must not
/// allocate, see [`isolate`]).
///
/// ```
/// use seclude::pledge::{Penalty, Pledge};
/// use seclude::sandbox::{isolate_io, Ended, Sandbox};
///
/// let sandbox = Sandbox::new().pledge(Pledge::new(seclude::promises!("stdio")).penalty(Penalty::KILL_PROCESS));
/// let mut output = Vec::new();
/// let out = isolate_io(&sandbox, &b"echo me"[..], &mut output, |input, output| {
///     std::io::copy(input, output).map_or(1, |_| 0)
/// })?;
/// assert_eq!(out.ended, Ended::Exited(0));
/// assert_eq!(output, b"echo me");
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn isolate_io<F, R, W>(
    sandbox: &Sandbox<'_>,
    mut input: R,
    mut output: W,
    f: F,
) -> std::io::Result<IsolatedDuplex>
where
    F: FnOnce(&mut InputReader, &mut ResultWriter) -> i32,
    R: std::io::Read,
    W: std::io::Write,
{
    let mut read_error = None;
    let mut write_error = None;
    let out = isolate_duplex(
        sandbox,
        f,
        |buf| loop {
            match input.read(buf) {
                Ok(n) => return n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    read_error = Some(e);
                    return 0;
                }
            }
        },
        |bytes| {
            if write_error.is_none() {
                if let Err(e) = output.write_all(bytes) {
                    write_error = Some(e);
                }
            }
        },
    )
    .map_err(std::io::Error::other)?;
    match (read_error, write_error) {
        (Some(e), _) | (None, Some(e)) => Err(e),
        (None, None) => output.flush().map(|()| out),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seccomp_kill_is_a_violation_and_other_signals_are_not() {
        assert_eq!(
            classify(
                ExitStatus::Killed {
                    signal: SIGSYS,
                    core_dumped: true
                },
                None
            ),
            Ended::Violation
        );
        assert_eq!(
            classify(
                ExitStatus::Killed {
                    signal: 9,
                    core_dumped: false
                },
                None
            ),
            Ended::Killed {
                signal: 9,
                core_dumped: false
            }
        );
        assert_eq!(classify(ExitStatus::Exited(3), None), Ended::Exited(3));
    }
}
