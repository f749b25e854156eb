//! Isolation with input as well as output: [`isolate_duplex`] (and, with
//! `std`, `isolate_io`) streams the caller's input to the child through
//! a socket while it passes the child's output on, waiting on both at once.
//!
//! Apart from the output-only entry points because the input side brings
//! its own handle ([`InputReader`]), its own transport (a socket, for
//! `MSG_NOSIGNAL`) and the two-way `poll` loop.

use super::launch::{close_inherited, reap, spawn};
use super::{Ended, IsolateError, ResultWriter};
use crate::errno::Errno;
use crate::sandbox::{Sandbox, SandboxReport};
use crate::sys;
use crate::sys::fd::{self, OwnedFd};

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
/// [`isolate`]: super::isolate
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
/// [`isolate`]: super::isolate
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
