//! Raw calls (arguments widened to registers, so the filter sees exactly
//! what is written here).

use super::*;

pub(crate) fn openat(path: &CStr, flags: c_int, mode: c_uint) -> Ret {
    // SAFETY: a NUL-terminated path; integer flags and mode.
    ret(unsafe {
        libc::syscall(
            libc::SYS_openat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            flags as c_long,
            mode as c_long,
        )
    })
}

pub(crate) fn mkdir(path: &CStr, mode: c_uint) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe {
        libc::syscall(
            libc::SYS_mkdirat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            mode as c_long,
        )
    })
}

pub(crate) fn mknodat(path: &CStr, mode: c_uint, dev: libc::dev_t) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe {
        libc::syscall(
            libc::SYS_mknodat,
            libc::AT_FDCWD as c_long,
            path.as_ptr(),
            mode as c_long,
            dev as c_long,
        )
    })
}

pub(crate) fn unlink(path: &CStr) -> Ret {
    // SAFETY: a NUL-terminated path.
    ret(unsafe { libc::unlink(path.as_ptr()) })
}

pub(crate) fn fcntl(fd: c_int, cmd: c_int, arg: c_long) -> Ret {
    // SAFETY: the commands used take an integer or a pointer to a live `flock`.
    ret(unsafe { libc::syscall(libc::SYS_fcntl, fd as c_long, cmd as c_long, arg) })
}

pub(crate) fn ioctl(fd: c_int, request: libc::Ioctl, arg: *mut libc::c_void) -> Ret {
    // SAFETY: each request is given an argument of the size it reads or writes.
    ret(unsafe { libc::ioctl(fd, request, arg) })
}

pub(crate) fn socket(domain: c_int, ty: c_int, protocol: c_int) -> Ret {
    // SAFETY: integer arguments.
    ret(unsafe { libc::socket(domain, ty, protocol) })
}

pub(crate) fn loopback(port_be: u16) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port_be,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    }
}

pub(crate) const SIN_LEN: libc::socklen_t = size_of::<libc::sockaddr_in>() as libc::socklen_t;

pub(crate) fn bind_in(fd: i64, addr: &libc::sockaddr_in) -> Ret {
    // SAFETY: a live sockaddr_in and its size.
    ret(unsafe {
        libc::bind(
            fd as c_int,
            (addr as *const libc::sockaddr_in).cast(),
            SIN_LEN,
        )
    })
}

pub(crate) fn connect_in(fd: i64, addr: &libc::sockaddr_in) -> Ret {
    // SAFETY: a live sockaddr_in and its size.
    ret(unsafe {
        libc::connect(
            fd as c_int,
            (addr as *const libc::sockaddr_in).cast(),
            SIN_LEN,
        )
    })
}

pub(crate) fn listen(fd: i64) -> Ret {
    // SAFETY: integer arguments.
    ret(unsafe { libc::listen(fd as c_int, 4) })
}

/// The bound address of an IPv4 socket (getsockname is stdio).
pub(crate) fn local_in(fd: i64) -> Result<libc::sockaddr_in, String> {
    let mut addr = loopback(0);
    let mut len = SIN_LEN;
    // SAFETY: a live sockaddr_in and its size.
    let r = ret(unsafe {
        libc::getsockname(
            fd as c_int,
            (&mut addr as *mut libc::sockaddr_in).cast(),
            &mut len,
        )
    });
    ok("getsockname", r)?;
    Ok(addr)
}

/// A raw `clone` with `flags` and no new stack: like fork, the child
/// returns 0 here, and exits at once.
pub(crate) fn raw_clone(flags: c_long) -> Ret {
    // SAFETY: without CLONE_VM the child gets a copy of this address space
    // and only calls _exit.
    let r = ret(unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) });
    if r == Ok(0) {
        // SAFETY: ends the child.
        unsafe { libc::_exit(0) };
    }
    r
}

/// Waits for child `pid`: its exit status, or 1000 + the signal that killed it.
pub(crate) fn wait_for(pid: i64) -> Result<i32, String> {
    let mut status = 0;
    // SAFETY: a child of this process and a live status word.
    let r = ret(unsafe { libc::waitpid(pid as libc::pid_t, &mut status, 0) });
    ok("waitpid", r)?;
    Ok(if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        1000 + libc::WTERMSIG(status)
    })
}

pub(crate) fn getpid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::getpid() as c_long }
}

pub(crate) fn getppid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::getppid() as c_long }
}

pub(crate) fn gettid() -> c_long {
    // SAFETY: no arguments.
    unsafe { libc::syscall(libc::SYS_gettid) }
}
