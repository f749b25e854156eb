//! The loopback interface of a new network namespace, which the kernel
//! creates down: without it up, even `127.0.0.1` is unreachable.
//!
//! Bringing it up takes an `AF_INET` datagram socket (any socket of the
//! namespace will do; it is only the handle the interface ioctls go
//! through) and the `SIOCGIFFLAGS`/`SIOCSIFFLAGS` ioctls with a
//! `struct ifreq`. Netlink would do the same in many more bytes.

use crate::errno::Errno;
use crate::sys;
use crate::sys::fd::OwnedFd;
use crate::tables::constants::native;
use crate::tables::native_nr;

const AF_INET: usize = native::AF_INET as usize;
const SOCK_DGRAM: usize = native::SOCK_DGRAM as usize;
const SOCK_CLOEXEC: usize = native::SOCK_CLOEXEC as usize;
// include/uapi/linux/sockios.h: the same on every architecture (the
// per-architecture asm/sockios.h only number the FIO*/SIOC*PGRP ones).
const SIOCGIFFLAGS: usize = 0x8913;
const SIOCSIFFLAGS: usize = 0x8914;
/// `IFF_UP`: administratively up. The kernel sets `IFF_RUNNING` itself.
const IFF_UP: i16 = 0x1;

/// `struct ifreq`: a 16-byte interface name, then a union whose largest
/// member (`struct ifmap`, with two `unsigned long`s) makes the whole 40
/// bytes with 8-byte alignment on 64-bit ABIs and 32 bytes with 4-byte
/// alignment on 32-bit ones (x32 included: its ioctls go through the
/// kernel's compat path, which copies the 32-byte layout). Only the name
/// and `ifr_flags`, a `short` at offset 16, are used.
#[cfg_attr(target_pointer_width = "64", repr(C, align(8)))]
#[cfg_attr(target_pointer_width = "32", repr(C, align(4)))]
struct IfReq {
    name: [u8; 16],
    flags: i16,
    rest: [u8; IFREQ_SIZE - 18],
}

#[cfg(target_pointer_width = "64")]
const IFREQ_SIZE: usize = 40;
#[cfg(target_pointer_width = "32")]
const IFREQ_SIZE: usize = 32;

const _: () = assert!(core::mem::size_of::<IfReq>() == IFREQ_SIZE);

impl IfReq {
    /// A request for interface `name` (at most 15 bytes, NUL-padded).
    const fn new(name: &[u8]) -> IfReq {
        let mut req = IfReq {
            name: [0; 16],
            flags: 0,
            rest: [0; IFREQ_SIZE - 18],
        };
        let mut i = 0;
        while i < name.len() && i < 15 {
            req.name[i] = name[i];
            i += 1;
        }
        req
    }
}

/// A close-on-exec `AF_INET` datagram socket in the caller's network
/// namespace.
fn inet_socket() -> Result<OwnedFd, Errno> {
    // SAFETY: integer arguments only.
    let direct =
        unsafe { sys::syscall3(native_nr!(socket), AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) };
    // i386 and s390x had only socketcall before Linux 4.3.
    #[cfg(any(target_arch = "x86", target_arch = "s390x"))]
    let direct = match direct {
        Err(Errno::ENOSYS) => {
            const SYS_SOCKET: usize = 1;
            let args: [usize; 3] = [AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0];
            // SAFETY: the kernel reads three unsigned longs from args.
            unsafe { sys::syscall2(native_nr!(socketcall), SYS_SOCKET, args.as_ptr() as usize) }
        }
        other => other,
    };
    // SAFETY: a new descriptor nothing else owns.
    direct.map(|fd| unsafe { OwnedFd::from_raw(fd as i32) })
}

fn ioctl_ifreq(fd: &OwnedFd, request: usize, req: &mut IfReq) -> Result<(), Errno> {
    // SAFETY: both requests read and (SIOCGIFFLAGS) write one struct ifreq,
    // which req is, with the size and alignment of this ABI.
    unsafe {
        sys::syscall3(
            native_nr!(ioctl),
            fd.raw() as usize,
            request,
            req as *mut IfReq as usize,
        )
    }
    .map(drop)
}

/// Brings the loopback interface `lo` of the caller's network namespace
/// up (`SIOCSIFFLAGS` with `IFF_UP` added to its flags). Needs
/// `CAP_NET_ADMIN` in the namespace's user namespace: in a new network
/// namespace created together with a user namespace, the creator has it.
///
/// ```no_run
/// use seclude::ns::{self, NamespaceRequest, Namespaces};
/// ns::unshare(&NamespaceRequest::new(Namespaces::USER | Namespaces::NET)).unwrap();
/// ns::loopback_up().unwrap();
/// ```
pub fn loopback_up() -> Result<(), Errno> {
    let sock = inet_socket()?;
    let mut req = IfReq::new(b"lo");
    ioctl_ifreq(&sock, SIOCGIFFLAGS, &mut req)?;
    if req.flags & IFF_UP != 0 {
        return Ok(());
    }
    req.flags |= IFF_UP;
    ioctl_ifreq(&sock, SIOCSIFFLAGS, &mut req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_layout() {
        let req = IfReq::new(b"a-name-longer-than-fifteen");
        assert_eq!(&req.name[..15], b"a-name-longer-t");
        assert_eq!(req.name[15], 0, "the name stays NUL-terminated");
        let base = &req as *const IfReq as usize;
        assert_eq!(&req.flags as *const i16 as usize - base, 16);
        assert_eq!(
            core::mem::align_of::<IfReq>(),
            core::mem::size_of::<usize>()
        );
    }

    #[test]
    fn reads_the_flags_of_lo() {
        // Reading needs no privilege: the test's own namespace has an lo.
        let sock = inet_socket().unwrap();
        let mut req = IfReq::new(b"lo");
        ioctl_ifreq(&sock, SIOCGIFFLAGS, &mut req).unwrap();
        const IFF_LOOPBACK: i16 = 0x8;
        assert_ne!(req.flags & IFF_LOOPBACK, 0);
        let mut missing = IfReq::new(b"no-such-if0");
        assert_eq!(
            ioctl_ifreq(&sock, SIOCGIFFLAGS, &mut missing),
            Err(Errno::ENODEV)
        );
    }
}
