//! Unix sockets that carry descriptors: socket pairs, `sendmsg` with an
//! `SCM_RIGHTS` message and `recvmsg` that takes it apart, and the
//! `SO_PASSRIGHTS` switch that makes a socket refuse them.
//!
//! A module of its own rather than part of [`fd`](super::fd): the
//! `msghdr`/`cmsghdr` layouts, the `CMSG_*` arithmetic and the
//! `socketcall` fallback of i386 and s390x concern only these calls.

use core::mem::{offset_of, size_of};

use super::fd::OwnedFd;
// Only the socketcall fallback of i386 and s390x takes two arguments.
#[cfg(any(target_arch = "x86", target_arch = "s390x"))]
use super::syscall2;
use super::{syscall4, syscall5};
use crate::errno::Errno;
use crate::tables::constants::native;
use crate::tables::native_nr;

const AF_UNIX: usize = native::AF_UNIX as usize;
const SOCK_STREAM: usize = native::SOCK_STREAM as usize;
const SOCK_CLOEXEC: usize = native::SOCK_CLOEXEC as usize;
/// The socket level of `setsockopt` and `SCM_RIGHTS` messages: MIPS and
/// SPARC kept the BSD value.
#[cfg(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc",
    target_arch = "sparc64"
))]
pub const SOL_SOCKET: i32 = 0xffff;
/// The socket level of `setsockopt` and `SCM_RIGHTS` messages.
#[cfg(not(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "sparc",
    target_arch = "sparc64"
)))]
pub const SOL_SOCKET: i32 = 1;
const SCM_RIGHTS: i32 = 1;
/// `recvmsg`'s `msg_flags`: some control data did not fit.
const MSG_CTRUNC: u32 = 0x8;
/// `EPIPE` rather than `SIGPIPE` when the peer has gone.
const MSG_NOSIGNAL: usize = 0x4000;
/// `EAGAIN` rather than waiting when nothing can be sent now.
const MSG_DONTWAIT: usize = 0x40;
/// Received descriptors are close-on-exec.
const MSG_CMSG_CLOEXEC: usize = 0x4000_0000;
// socketcall's call numbers (SYS_* of linux/net.h).
const SYS_SOCKETPAIR: usize = 8;
const SYS_SENDMSG: usize = 16;
const SYS_RECVMSG: usize = 17;

/// Issues socket call `nr`. Every ABI has the socket calls as syscalls of
/// their own today, but i386 and s390x got them only in Linux 4.3; before
/// that they exist only behind the `socketcall` multiplexer (as call
/// `call`), which `ENOSYS` sends us to.
///
/// # Safety
/// As for the direct call with these arguments (a call with fewer than
/// four ignores the rest).
unsafe fn socket_call(nr: usize, call: usize, args: [usize; 4]) -> Result<usize, Errno> {
    // SAFETY: as the caller guarantees.
    let direct = unsafe { syscall4(nr, args[0], args[1], args[2], args[3]) };
    #[cfg(any(target_arch = "x86", target_arch = "s390x"))]
    if direct == Err(Errno::ENOSYS) {
        // SAFETY: socketcall reads the call's arguments (at most four
        // unsigned longs, what args holds) and then acts as the direct call.
        return unsafe { syscall2(native_nr!(socketcall), call, args.as_ptr() as usize) };
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "s390x")))]
    let _ = call;
    direct
}

/// A connected pair of Unix stream sockets, both close-on-exec
/// (`socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)`): what
/// [`send_fd`] and [`recv_fd`] pass descriptors over.
///
/// ```
/// let (a, b) = seclude::sys::socket::socketpair().unwrap();
/// seclude::sys::write(a.raw(), b"ping").unwrap();
/// let mut buf = [0u8; 4];
/// assert_eq!(seclude::sys::fd::read(b.raw(), &mut buf), Ok(4));
/// assert_eq!(&buf, b"ping");
/// ```
pub fn socketpair() -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds.
    unsafe {
        socket_call(
            native_nr!(socketpair),
            SYS_SOCKETPAIR,
            [
                AF_UNIX,
                SOCK_STREAM | SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr() as usize,
            ],
        )
    }?;
    // SAFETY: two new descriptors nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw(fds[0]), OwnedFd::from_raw(fds[1])) })
}

/// The kernel's `struct iovec`.
#[repr(C)]
struct IoVec {
    base: *mut u8,
    len: usize,
}

/// The kernel's `struct user_msghdr`. Its `size_t` fields and pointers
/// are `usize` on every ABI, x32 included (whose `sendmsg` and `recvmsg`
/// take the 32-bit `compat_msghdr`), and `repr(C)` pads after `namelen`
/// on 64-bit ABIs as C does.
#[repr(C)]
struct MsgHdr {
    name: *mut u8,
    namelen: i32,
    iov: *mut IoVec,
    iovlen: usize,
    control: *mut u8,
    controllen: usize,
    flags: u32,
}

/// The kernel's `struct cmsghdr` (`compat_cmsghdr` for x32): a `size_t`
/// length, then level and type.
#[repr(C)]
struct CmsgHdr {
    len: usize,
    level: i32,
    kind: i32,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<IoVec>() == 16);
    assert!(size_of::<MsgHdr>() == 56);
    assert!(offset_of!(MsgHdr, namelen) == 8);
    assert!(offset_of!(MsgHdr, iov) == 16);
    assert!(offset_of!(MsgHdr, iovlen) == 24);
    assert!(offset_of!(MsgHdr, control) == 32);
    assert!(offset_of!(MsgHdr, controllen) == 40);
    assert!(offset_of!(MsgHdr, flags) == 48);
    assert!(size_of::<CmsgHdr>() == 16);
    assert!(offset_of!(CmsgHdr, level) == 8);
    assert!(offset_of!(CmsgHdr, kind) == 12);
};
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<IoVec>() == 8);
    assert!(size_of::<MsgHdr>() == 28);
    assert!(offset_of!(MsgHdr, namelen) == 4);
    assert!(offset_of!(MsgHdr, iov) == 8);
    assert!(offset_of!(MsgHdr, iovlen) == 12);
    assert!(offset_of!(MsgHdr, control) == 16);
    assert!(offset_of!(MsgHdr, controllen) == 20);
    assert!(offset_of!(MsgHdr, flags) == 24);
    assert!(size_of::<CmsgHdr>() == 12);
    assert!(offset_of!(CmsgHdr, level) == 4);
    assert!(offset_of!(CmsgHdr, kind) == 8);
};

/// `CMSG_ALIGN`: control messages are aligned to the size of a `long`
/// (for x32 a `compat_long`, 4 bytes, as its `usize`).
const fn cmsg_align(len: usize) -> usize {
    (len + size_of::<usize>() - 1) & !(size_of::<usize>() - 1)
}

/// `CMSG_LEN`: a header followed by `len` bytes of data; `cmsg_len(0)` is
/// where the data starts (`CMSG_DATA`).
const fn cmsg_len(len: usize) -> usize {
    cmsg_align(size_of::<CmsgHdr>()) + len
}

/// `CMSG_SPACE`: what one message with `len` bytes of data occupies.
const fn cmsg_space(len: usize) -> usize {
    cmsg_align(size_of::<CmsgHdr>()) + cmsg_align(len)
}

/// `sendmsg(socket, msg, MSG_NOSIGNAL | flags)`, retried on `EINTR`
/// (after which nothing was sent).
fn sendmsg(socket: i32, msg: &MsgHdr, flags: usize) -> Result<usize, Errno> {
    loop {
        // SAFETY: msg and everything it points at are valid for the call;
        // the kernel only reads them.
        let r = unsafe {
            socket_call(
                native_nr!(sendmsg),
                SYS_SENDMSG,
                [
                    socket as isize as usize,
                    msg as *const MsgHdr as usize,
                    MSG_NOSIGNAL | flags,
                    0,
                ],
            )
        };
        if r != Err(Errno::EINTR) {
            return r;
        }
    }
}

/// Sends what fits now of `bytes` over stream socket `socket`, without
/// waiting (`MSG_DONTWAIT`: [`Errno::EAGAIN`] if nothing fits) and without
/// `SIGPIPE` (a peer that has gone is [`Errno::EPIPE`]): for a parent that
/// feeds a child through a socket and must neither block while the child
/// waits for it nor die with the child.
pub(crate) fn send_nonblocking(socket: i32, bytes: &[u8]) -> Result<usize, Errno> {
    let mut iov = IoVec {
        base: bytes.as_ptr() as *mut u8,
        len: bytes.len(),
    };
    let msg = MsgHdr {
        name: core::ptr::null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: core::ptr::null_mut(),
        controllen: 0,
        flags: 0,
    };
    sendmsg(socket, &msg, MSG_DONTWAIT)
}

/// Sends `bytes` over Unix socket `socket` with a copy of descriptor `fd`
/// attached (`sendmsg` with one `SCM_RIGHTS` message). The peer receives it
/// with [`recv_fd`]; `fd` stays open here.
///
/// `bytes` must not be empty ([`Errno::EINVAL`]): a descriptor travels
/// with data, and a stream socket delivers no message of none. A peer that
/// has gone is [`Errno::EPIPE`], not a `SIGPIPE`.
///
/// ```
/// use seclude::sys::fd::{pipe, read};
/// use seclude::sys::socket::{recv_fd, send_fd, socketpair};
/// let (a, b) = socketpair().unwrap();
/// let (r, w) = pipe().unwrap();
/// send_fd(a.raw(), w.raw(), b"w").unwrap();
/// drop(w);
/// let mut buf = [0u8; 1];
/// let (n, received) = recv_fd(b.raw(), &mut buf).unwrap();
/// assert_eq!((n, &buf), (1, b"w"));
/// // The received copy writes into the same pipe.
/// seclude::sys::write(received.unwrap().raw(), b"x").unwrap();
/// assert_eq!(read(r.raw(), &mut buf), Ok(1));
/// ```
pub fn send_fd(socket: i32, fd: i32, bytes: &[u8]) -> Result<(), Errno> {
    if bytes.is_empty() {
        return Err(Errno::EINVAL);
    }
    // usize words: control data must be aligned as a cmsghdr.
    let mut control = [0usize; cmsg_space(size_of::<i32>()) / size_of::<usize>()];
    let base = control.as_mut_ptr() as *mut u8;
    // SAFETY: control is aligned for a CmsgHdr and holds one with an int
    // of data, which starts at cmsg_len(0), a multiple of the alignment.
    unsafe {
        (base as *mut CmsgHdr).write(CmsgHdr {
            len: cmsg_len(size_of::<i32>()),
            level: SOL_SOCKET,
            kind: SCM_RIGHTS,
        });
        (base.add(cmsg_len(0)) as *mut i32).write(fd);
    }
    let mut iov = IoVec {
        base: bytes.as_ptr() as *mut u8,
        len: bytes.len(),
    };
    let mut msg = MsgHdr {
        name: core::ptr::null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: base,
        controllen: size_of_val(&control),
        flags: 0,
    };
    let mut sent = sendmsg(socket, &msg, 0)?;
    // A stream socket may take fewer bytes than offered; the descriptor
    // went with the first of them, so the rest goes without.
    msg.control = core::ptr::null_mut();
    msg.controllen = 0;
    while sent < bytes.len() {
        let rest = &bytes[sent..];
        iov = IoVec {
            base: rest.as_ptr() as *mut u8,
            len: rest.len(),
        };
        msg.iov = &mut iov;
        match sendmsg(socket, &msg, 0)? {
            0 => return Err(Errno::EIO),
            n => sent += n,
        }
    }
    Ok(())
}

/// The most descriptors [`recv_fd`] accepts in one message.
const RECV_FDS: usize = 8;

/// Receives data into `buf` from Unix socket `socket`, and the descriptor
/// sent with it by [`send_fd`] if there is one (`recvmsg` with
/// `MSG_CMSG_CLOEXEC`, retried on `EINTR`). Returns the number of bytes
/// read (0 at end of stream) and the descriptor, close-on-exec.
///
/// A peer that attached several descriptors gets the first kept and the
/// others closed. When the kernel reports the control data truncated
/// (`MSG_CTRUNC`: more than 8 descriptors, or this process at its
/// descriptor limit), every descriptor that did arrive is closed and the
/// answer is [`Errno::EMSGSIZE`], since data and descriptors no longer
/// match. `buf` must not be empty ([`Errno::EINVAL`]: 0 bytes would look
/// like the end of the stream).
///
/// ```
/// use seclude::sys::socket::{recv_fd, socketpair};
/// let (a, b) = socketpair().unwrap();
/// seclude::sys::write(a.raw(), b"no fd").unwrap();
/// let mut buf = [0u8; 16];
/// let (n, fd) = recv_fd(b.raw(), &mut buf).unwrap();
/// assert_eq!((&buf[..n], fd.is_none()), (&b"no fd"[..], true));
/// ```
pub fn recv_fd(socket: i32, buf: &mut [u8]) -> Result<(usize, Option<OwnedFd>), Errno> {
    if buf.is_empty() {
        return Err(Errno::EINVAL);
    }
    let mut control = [0usize; cmsg_space(RECV_FDS * size_of::<i32>()) / size_of::<usize>()];
    let mut iov = IoVec {
        base: buf.as_mut_ptr(),
        len: buf.len(),
    };
    let mut msg = MsgHdr {
        name: core::ptr::null_mut(),
        namelen: 0,
        iov: &mut iov,
        iovlen: 1,
        control: control.as_mut_ptr() as *mut u8,
        controllen: size_of_val(&control),
        flags: 0,
    };
    let n = loop {
        // SAFETY: the kernel writes at most iov.len bytes into buf, at most
        // controllen bytes into control, and updates msg.
        let r = unsafe {
            socket_call(
                native_nr!(recvmsg),
                SYS_RECVMSG,
                [
                    socket as isize as usize,
                    &mut msg as *mut MsgHdr as usize,
                    MSG_CMSG_CLOEXEC,
                    0,
                ],
            )
        };
        if r != Err(Errno::EINTR) {
            break r?;
        }
    };
    // Every descriptor listed is open in this process now: keep the first,
    // close the rest (walking the messages as CMSG_NXTHDR does).
    let base = control.as_ptr() as *const u8;
    let len = msg.controllen.min(size_of_val(&control));
    let mut first = None;
    let mut offset = 0;
    while offset + size_of::<CmsgHdr>() <= len {
        // SAFETY: offset is a multiple of the alignment and the header lies
        // inside control.
        let header = unsafe { (base.add(offset) as *const CmsgHdr).read() };
        if header.len < cmsg_len(0) || header.len > len - offset {
            break;
        }
        if header.level == SOL_SOCKET && header.kind == SCM_RIGHTS {
            let count = (header.len - cmsg_len(0)) / size_of::<i32>();
            for i in 0..count {
                // SAFETY: inside this message's data, which holds count ints
                // and starts at an aligned offset.
                let fd = unsafe {
                    (base.add(offset + cmsg_len(0) + i * size_of::<i32>()) as *const i32).read()
                };
                // SAFETY: the kernel installed it in this process for this
                // message; nothing else owns it.
                let owned = unsafe { OwnedFd::from_raw(fd) };
                if first.is_none() {
                    first = Some(owned);
                } else {
                    drop(owned);
                }
            }
        }
        offset += cmsg_align(header.len);
    }
    if msg.flags & MSG_CTRUNC != 0 {
        return Err(Errno::EMSGSIZE);
    }
    Ok((n, first))
}

/// `SO_PASSRIGHTS` (Linux 6.16): whether a Unix socket accepts
/// descriptors (`SCM_RIGHTS`) sent to it: 83, but 0x5c on SPARC (and
/// 0x4051 on PA-RISC, which has no Rust target).
#[cfg(target_arch = "sparc64")]
pub const SO_PASSRIGHTS: i32 = 0x5c;
/// `SO_PASSRIGHTS` (Linux 6.16): whether a Unix socket accepts
/// descriptors (`SCM_RIGHTS`) sent to it; see [`pass_rights`].
#[cfg(not(target_arch = "sparc64"))]
pub const SO_PASSRIGHTS: i32 = 83;

/// Makes Unix socket `socket` accept descriptors sent to it, or refuse them
/// (`setsockopt(SOL_SOCKET, SO_PASSRIGHTS)`, Linux 6.16): refused, a sender
/// of `SCM_RIGHTS` to it gets `EPERM` and nothing is queued. The setting
/// belongs to the socket, so every holder of a descriptor of it sees the
/// change. `ENOPROTOOPT` before 6.16, `EOPNOTSUPP` on a socket of another
/// family, `ENOTSOCK` on another file.
///
/// ```
/// use seclude::{Errno, sys::socket::{pass_rights, send_fd, socketpair}};
/// let (a, b) = socketpair().unwrap();
/// match pass_rights(b.raw(), false) {
///     // A descriptor sent to b is refused.
///     Ok(()) => assert_eq!(send_fd(a.raw(), 0, b"x"), Err(Errno::EPERM)),
///     Err(e) => assert_eq!(e, Errno::ENOPROTOOPT), // before Linux 6.16
/// }
/// ```
pub fn pass_rights(socket: i32, accept: bool) -> Result<(), Errno> {
    let value: i32 = accept.into();
    // SAFETY: the kernel reads an int from value, whose size is passed.
    unsafe {
        syscall5(
            native_nr!(setsockopt),
            socket as usize,
            SOL_SOCKET as usize,
            SO_PASSRIGHTS as usize,
            &value as *const i32 as usize,
            size_of::<i32>(),
        )
    }
    .map(drop)
}
