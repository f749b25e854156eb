//! Seccomp user notifications, descriptor passing, memory files and poll
//! against the real kernel.
//!
//! Every test body runs in a child process (see `support/child.rs`), once
//! as root and once as uid 65534 without capabilities. The notification
//! tests fork once more: the grandchild installs a filter that sends
//! `getppid` to a listener, passes the listener up over a socket pair, and
//! makes its calls; the child is the supervisor. The grandchild is a fork
//! of a multithreaded process, so it uses raw calls only.

#[path = "support/child.rs"]
mod child;

use child::run_both;
use seclude::Errno;
use seclude::bpf::{Action, Instruction};
use seclude::seccomp::notify::{self, Response};
use seclude::seccomp::{FilterFlags, Policy, load};
use seclude::sys::fd::{self, OwnedFd, POLLHUP, POLLIN, POLLNVAL, POLLOUT, PollFd};
use seclude::sys::process::{ExitStatus, Forked, SIGKILL, fork, kill, wait};
use seclude::sys::socket;
use seclude::sys::{self, exit_group};
use seclude::tables::{Abi, Syscall};
use std::time::{Duration, Instant};

const NOTIFY_GETPPID: Policy<1> =
    Policy::new(Action::Allow).action(Syscall::getppid, Action::UserNotif);
static NOTIFY_PROGRAM: &[Instruction] = seclude::seccomp_program!(NOTIFY_GETPPID);

fn getppid_nr() -> i32 {
    Abi::NATIVE.number(Syscall::getppid).unwrap() as i32
}

/// `getppid` with these argument registers (it ignores them; the filter
/// and the supervisor see them). Values below 2^32 so that every ABI
/// passes them whole.
fn getppid_with(args: [u64; 6]) -> Result<usize, Errno> {
    let a = args.map(|a| a as usize);
    // SAFETY: getppid reads none of its (ignored) argument registers.
    unsafe { sys::syscall6(getppid_nr() as usize, a[0], a[1], a[2], a[3], a[4], a[5]) }
}

/// The arguments of the `index`th probe call.
fn probe_args(index: u64) -> [u64; 6] {
    [index, 0x1111, 0x2222_2222, 0x3333, 0x4444_4444, 0xffff_fffe]
}

/// A result as the kernel returns it: the value, or minus the errno.
fn raw_result(r: Result<usize, Errno>) -> i64 {
    match r {
        Ok(v) => v as i64,
        Err(e) => -i64::from(e.raw()),
    }
}

/// A forked target with the notifying filter installed.
struct Target {
    pid: i32,
    listener: OwnedFd,
    /// The supervisor's end of the socket pair the target reports over.
    socket: OwnedFd,
}

/// Forks a grandchild that installs [`NOTIFY_PROGRAM`] with a listener,
/// sends the listener over a socket pair and exits with what `body` (given
/// its end of the pair) returns. Exit statuses 100 and up are setup
/// failures.
fn spawn_target(body: fn(i32) -> i32) -> Target {
    let (ours, theirs) = socket::socketpair().unwrap();
    // SAFETY: the child uses raw calls only and leaves through exit_group.
    match unsafe { fork(0) }.unwrap() {
        Forked::Child => {
            drop(ours);
            let listener = match load(NOTIFY_PROGRAM, FilterFlags::NEW_LISTENER) {
                Ok(Some(fd)) => fd,
                _ => exit_group(100),
            };
            if socket::send_fd(theirs.raw(), listener, b"L").is_err() {
                exit_group(101);
            }
            fd::close(listener);
            exit_group(body(theirs.raw()))
        }
        Forked::Parent(pid) => {
            drop(theirs);
            let mut tag = [0u8; 1];
            let (n, listener) = socket::recv_fd(ours.raw(), &mut tag).unwrap();
            assert_eq!((n, &tag), (1, b"L"), "the listener's message");
            let listener = listener
                .unwrap_or_else(|| panic!("no listener came; target ended {:?}", wait(pid)));
            Target {
                pid,
                listener,
                socket: ours,
            }
        }
    }
}

/// Reads exactly `buf.len()` bytes from `fd`.
fn read_exact(fd: i32, buf: &mut [u8]) {
    let mut got = 0;
    while got < buf.len() {
        match fd::read(fd, &mut buf[got..]).unwrap() {
            0 => panic!("end of stream after {got} bytes"),
            n => got += n,
        }
    }
}

/// Whether descriptor `fd` has `FD_CLOEXEC`.
fn cloexec(fd: i32) -> bool {
    // SAFETY: F_GETFD takes no argument.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    assert!(flags >= 0, "fcntl(F_GETFD) on {fd}");
    flags & libc::FD_CLOEXEC != 0
}

/// How many descriptors this process has open.
fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

// ------------------------------------------------------------ notifications

/// A target's body: three `getppid` calls with the probe arguments, their
/// results written to `socket` (read back by [`three_results`]).
fn three_getppids(socket: i32) -> i32 {
    let mut report = [0u8; 24];
    for (i, chunk) in report.chunks_mut(8).enumerate() {
        let r = raw_result(getppid_with(probe_args(i as u64)));
        chunk.copy_from_slice(&r.to_ne_bytes());
    }
    match sys::write_all(socket, &report) {
        Ok(()) => 0,
        Err(_) => 102,
    }
}

/// What [`three_getppids`] got.
fn three_results(target: &Target) -> Vec<i64> {
    let mut report = [0u8; 24];
    read_exact(target.socket.raw(), &mut report);
    report
        .chunks(8)
        .map(|c| i64::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn the_supervisor_decides_what_a_notified_call_returns() {
    run_both(
        "the_supervisor_decides_what_a_notified_call_returns",
        || {
            let target = spawn_target(three_getppids);
            let listener = target.listener.raw();
            assert_eq!(notify::sizes_match(), Ok(true));
            let answers = [
                Response::Return(42),
                Response::Error(Errno::EPERM),
                Response::Continue,
            ];
            for (i, answer) in answers.into_iter().enumerate() {
                // The listener is readable while a notification waits.
                let mut fds = [PollFd::new(listener, POLLIN)];
                assert_eq!(fd::poll(&mut fds, Some(10_000)), Ok(1), "call {i}");
                assert_eq!(fds[0].revents & POLLIN, POLLIN, "call {i}");
                let n = notify::receive(listener).unwrap();
                assert_eq!(n.pid, target.pid as u32, "call {i}");
                assert_eq!(n.flags, 0, "call {i}");
                assert_eq!(n.data.nr, getppid_nr(), "call {i}");
                assert_eq!(n.data.arch, Abi::NATIVE.audit_arch(), "call {i}");
                assert_ne!(n.data.instruction_pointer, 0, "call {i}");
                assert_eq!(n.data.args, probe_args(i as u64), "call {i}");
                assert_eq!(notify::id_valid(listener, n.id), Ok(true), "call {i}");
                notify::respond(listener, n.id, answer).unwrap();
                // Answered: the id is spent.
                assert_eq!(notify::id_valid(listener, n.id), Ok(false), "call {i}");
                // A second answer is refused: EINPROGRESS while the kernel
                // still holds the answered notification, ENOENT once the task
                // has taken its answer.
                let again = notify::respond(listener, n.id, answer);
                assert!(
                    again == Err(Errno::EINPROGRESS) || again == Err(Errno::ENOENT),
                    "call {i}: {again:?}"
                );
            }
            let seen = three_results(&target);
            // Continue ran the real getppid: the supervisor's pid.
            let real = i64::from(sys::getpid());
            assert_eq!(seen, [42, -i64::from(Errno::EPERM.raw()), real]);
            assert_eq!(wait(target.pid), Ok(ExitStatus::Exited(0)));
            0
        },
    );
}

/// The kernel's release, as `(major, minor)`.
fn kernel_release() -> (u32, u32) {
    let text = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = text
        .trim()
        .split(['.', '-'])
        .map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Synchronous wake-ups (Linux 6.6): accepted from 6.6, refused with
/// EINVAL (without a backport) before; with them on, answers still reach the task (a value, an
/// error, a continued call), as without.
#[test]
fn synchronous_wake_ups_change_nothing_but_the_scheduling() {
    run_both(
        "synchronous_wake_ups_change_nothing_but_the_scheduling",
        || {
            let target = spawn_target(three_getppids);
            let listener = target.listener.raw();
            // (A kernel before 6.6 may have it backported.)
            match notify::set_sync_wakeup(listener) {
                Ok(()) => {}
                Err(e) => {
                    assert!(kernel_release() < (6, 6), "refused on 6.6 or later: {e}");
                    assert!(e == Errno::EINVAL || e == Errno::ENOTTY, "{e}");
                }
            }
            // A closed descriptor is not a listener.
            assert_eq!(notify::set_sync_wakeup(-1), Err(Errno::EBADF));
            let answers = [
                Response::Return(7),
                Response::Error(Errno::EACCES),
                Response::Continue,
            ];
            for answer in answers {
                let n = notify::receive(listener).unwrap();
                assert_eq!(n.pid, target.pid as u32);
                notify::respond(listener, n.id, answer).unwrap();
            }
            let seen = three_results(&target);
            let real = i64::from(sys::getpid());
            assert_eq!(seen, [7, -i64::from(Errno::EACCES.raw()), real]);
            assert_eq!(wait(target.pid), Ok(ExitStatus::Exited(0)));
            0
        },
    );
}

/// `Response::Descriptor`: the notified call returns a copy of the
/// supervisor's descriptor (here a pipe's read end), close-on-exec or not
/// as asked, and the target reads through it what the supervisor wrote.
#[test]
fn the_supervisor_can_answer_with_a_descriptor() {
    run_both("the_supervisor_can_answer_with_a_descriptor", || {
        let target = spawn_target(|socket| {
            let mut report = [0u8; 16];
            for (i, chunk) in report.chunks_mut(8).enumerate() {
                let fd = match getppid_with(probe_args(i as u64)) {
                    Ok(fd) => fd as i32,
                    Err(_) => return 103,
                };
                let mut byte = [0u8; 1];
                if fd::read(fd, &mut byte) != Ok(1) {
                    return 104;
                }
                // SAFETY: F_GETFD takes no argument.
                let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
                let word = (byte[0] as i64) << 8 | i64::from(flags & libc::FD_CLOEXEC);
                chunk.copy_from_slice(&word.to_ne_bytes());
            }
            match sys::write_all(socket, &report) {
                Ok(()) => 0,
                Err(_) => 102,
            }
        });
        let listener = target.listener.raw();
        let (reader, writer) = fd::pipe().unwrap();
        sys::write_all(writer.raw(), b"AB").unwrap();
        for cloexec in [true, false] {
            let n = notify::receive(listener).unwrap();
            notify::respond(
                listener,
                n.id,
                Response::Descriptor {
                    fd: reader.raw(),
                    cloexec,
                },
            )
            .unwrap();
        }
        let mut report = [0u8; 16];
        read_exact(target.socket.raw(), &mut report);
        let seen: Vec<i64> = report
            .chunks(8)
            .map(|c| i64::from_ne_bytes(c.try_into().unwrap()))
            .collect();
        // 'A' with close-on-exec, then 'B' without.
        assert_eq!(seen, [(b'A' as i64) << 8 | 1, (b'B' as i64) << 8]);
        assert_eq!(wait(target.pid), Ok(ExitStatus::Exited(0)));
        0
    });
}

#[test]
fn a_notification_goes_stale_when_its_task_is_killed() {
    run_both("a_notification_goes_stale_when_its_task_is_killed", || {
        let target = spawn_target(|_| {
            let _ = getppid_with(probe_args(7));
            // Not reached: the supervisor kills the task while it waits.
            3
        });
        let listener = target.listener.raw();
        let n = notify::receive(listener).unwrap();
        assert_eq!((n.pid, n.data.args), (target.pid as u32, probe_args(7)));
        assert_eq!(notify::id_valid(listener, n.id), Ok(true));
        // Not answered yet: the task is still in the call.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(notify::id_valid(listener, n.id), Ok(true));
        kill(target.pid, SIGKILL).unwrap();
        assert_eq!(
            wait(target.pid),
            Ok(ExitStatus::Killed {
                signal: SIGKILL,
                core_dumped: false
            })
        );
        assert_eq!(notify::id_valid(listener, n.id), Ok(false));
        assert_eq!(
            notify::respond(listener, n.id, Response::Return(0)),
            Err(Errno::ENOENT)
        );
        // No task uses the filter any more: the listener hangs up.
        let mut fds = [PollFd::new(listener, POLLIN)];
        assert_eq!(fd::poll(&mut fds, Some(10_000)), Ok(1));
        assert_eq!(fds[0].revents & POLLHUP, POLLHUP);
        0
    });
}

// ------------------------------------------------------ descriptor passing

#[test]
fn a_descriptor_sent_over_a_socket_pair_is_the_same_file() {
    run_both(
        "a_descriptor_sent_over_a_socket_pair_is_the_same_file",
        || {
            let (a, b) = socket::socketpair().unwrap();
            assert!(cloexec(a.raw()) && cloexec(b.raw()));
            let (pipe_r, pipe_w) = fd::pipe().unwrap();
            socket::send_fd(a.raw(), pipe_w.raw(), b"hello").unwrap();
            let mut buf = [0u8; 16];
            let (n, received) = socket::recv_fd(b.raw(), &mut buf).unwrap();
            assert_eq!(&buf[..n], b"hello");
            let received = received.expect("a descriptor");
            assert_ne!(received.raw(), pipe_w.raw());
            assert!(cloexec(received.raw()), "MSG_CMSG_CLOEXEC");
            // Writing through the copy fills the original pipe.
            drop(pipe_w);
            sys::write_all(received.raw(), b"through").unwrap();
            drop(received);
            let mut got = [0u8; 16];
            assert_eq!(fd::read(pipe_r.raw(), &mut got), Ok(7));
            assert_eq!(&got[..7], b"through");
            // Every writer is closed now: the copy was the last one.
            assert_eq!(fd::read(pipe_r.raw(), &mut got), Ok(0));
            // Nothing to send without data; nothing to receive into nothing.
            assert_eq!(socket::send_fd(a.raw(), 0, b""), Err(Errno::EINVAL));
            assert_eq!(socket::recv_fd(b.raw(), &mut []).err(), Some(Errno::EINVAL));
            0
        },
    );
}

#[test]
fn plain_data_brings_no_descriptor_and_a_gone_peer_is_epipe() {
    run_both(
        "plain_data_brings_no_descriptor_and_a_gone_peer_is_epipe",
        || {
            let (a, b) = socket::socketpair().unwrap();
            let before = open_descriptors();
            sys::write_all(a.raw(), b"plain").unwrap();
            let mut buf = [0u8; 16];
            let (n, received) = socket::recv_fd(b.raw(), &mut buf).unwrap();
            assert_eq!((&buf[..n], received.is_none()), (&b"plain"[..], true));
            assert_eq!(open_descriptors(), before);
            drop(a);
            // End of stream.
            assert!(matches!(socket::recv_fd(b.raw(), &mut buf), Ok((0, None))));
            // MSG_NOSIGNAL: an error, not a SIGPIPE that would end us.
            assert_eq!(socket::send_fd(b.raw(), 0, b"x"), Err(Errno::EPIPE));
            0
        },
    );
}

/// Sends `fds` in one SCM_RIGHTS message with one byte of data, through
/// libc (seclude's own `send_fd` sends one descriptor).
fn send_many(socket: i32, fds: &[i32]) {
    let payload = std::mem::size_of_val(fds) as u32;
    // SAFETY: CMSG_SPACE is arithmetic.
    let space = unsafe { libc::CMSG_SPACE(payload) } as usize;
    let mut control = vec![0u64; space.div_ceil(8)];
    let mut byte = [b'm'];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // SAFETY: a zeroed msghdr is valid; the pointers set below outlive the
    // call, and the control buffer holds CMSG_SPACE(payload) bytes.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(payload) as _;
        std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(cmsg).cast(), fds.len());
        assert_eq!(libc::sendmsg(socket, &msg, 0), 1, "sendmsg");
    }
}

#[test]
fn extra_descriptors_are_closed_and_too_many_are_refused() {
    run_both(
        "extra_descriptors_are_closed_and_too_many_are_refused",
        || {
            let (a, b) = socket::socketpair().unwrap();
            let (pipe_r, pipe_w) = fd::pipe().unwrap();
            let before = open_descriptors();
            // Two: the first is kept, the second closed.
            send_many(a.raw(), &[pipe_w.raw(), pipe_r.raw()]);
            let mut buf = [0u8; 4];
            let (n, first) = socket::recv_fd(b.raw(), &mut buf).unwrap();
            assert_eq!(&buf[..n], b"m");
            let first = first.expect("the first descriptor");
            assert_eq!(open_descriptors(), before + 1, "the second one leaked");
            sys::write_all(first.raw(), b"1").unwrap();
            assert_eq!(
                fd::read(pipe_r.raw(), &mut buf),
                Ok(1),
                "first is the write end"
            );
            drop(first);
            // More than recv_fd makes room for: refused, none leaked.
            send_many(a.raw(), &[pipe_w.raw(); 12]);
            assert_eq!(
                socket::recv_fd(b.raw(), &mut buf).err(),
                Some(Errno::EMSGSIZE)
            );
            assert_eq!(open_descriptors(), before, "truncated descriptors leaked");
            0
        },
    );
}

// ------------------------------------------------------------ memory files

#[test]
fn a_memory_file_reads_back_through_proc() {
    run_both("a_memory_file_reads_back_through_proc", || {
        let file = fd::memfd_create(c"seclude-test", fd::MFD_CLOEXEC).unwrap();
        assert!(cloexec(file.raw()));
        sys::write_all(file.raw(), b"kept in memory").unwrap();
        let link = std::fs::read_link(format!("/proc/self/fd/{}", file.raw())).unwrap();
        assert!(
            link.to_string_lossy().starts_with("/memfd:seclude-test"),
            "{link:?}"
        );
        // A fresh open of the same file starts at offset 0.
        let path = std::ffi::CString::new(format!("/proc/self/fd/{}", file.raw())).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(fd::read_file(&path, &mut buf).unwrap(), b"kept in memory");
        // The flags reach the kernel: only a sealable file takes a seal.
        // SAFETY: fcntl with integer arguments.
        let seal = |fd: i32| unsafe { libc::fcntl(fd, libc::F_ADD_SEALS, libc::F_SEAL_GROW) };
        assert_eq!(seal(file.raw()), -1);
        let sealable =
            fd::memfd_create(c"sealable", fd::MFD_CLOEXEC | fd::MFD_ALLOW_SEALING).unwrap();
        assert_eq!(seal(sealable.raw()), 0);
        assert!(!cloexec(fd::memfd_create(c"inherited", 0).unwrap().raw()));
        0
    });
}

// -------------------------------------------------------------------- poll

#[test]
fn poll_sees_data_waits_out_its_timeout_and_reports_hang_ups() {
    run_both(
        "poll_sees_data_waits_out_its_timeout_and_reports_hang_ups",
        || {
            let (r, w) = fd::pipe().unwrap();
            let mut fds = [PollFd::new(r.raw(), POLLIN), PollFd::new(-1, POLLIN)];
            // Empty: nothing at once, and nothing after the full timeout.
            assert_eq!(fd::poll(&mut fds, Some(0)), Ok(0));
            assert_eq!(fds[0].revents, 0);
            let start = Instant::now();
            assert_eq!(fd::poll(&mut fds, Some(150)), Ok(0));
            let waited = start.elapsed();
            assert!(waited >= Duration::from_millis(140), "{waited:?}");
            sys::write_all(w.raw(), b"x").unwrap();
            assert_eq!(fd::poll(&mut fds, Some(0)), Ok(1));
            assert_eq!((fds[0].revents, fds[1].revents), (POLLIN, 0));
            // The write end is writable.
            let mut out = [PollFd::new(w.raw(), POLLOUT)];
            assert_eq!(fd::poll(&mut out, None), Ok(1));
            assert_eq!(out[0].revents, POLLOUT);
            let mut buf = [0u8; 1];
            assert_eq!(fd::read(r.raw(), &mut buf), Ok(1));
            drop(w);
            assert_eq!(fd::poll(&mut fds, None), Ok(1));
            assert_eq!(fds[0].revents & POLLHUP, POLLHUP);
            // A number that is not open.
            let mut closed = [PollFd::new(1_000_000, POLLIN)];
            assert_eq!(fd::poll(&mut closed, Some(0)), Ok(1));
            assert_eq!(closed[0].revents, POLLNVAL);
            assert_eq!(fd::poll(&mut closed, Some(-1)), Err(Errno::EINVAL));
            0
        },
    );
}
