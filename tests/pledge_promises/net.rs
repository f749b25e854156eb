//! The socket promises: inet, anet, unix, dns, recvfd, sendfd.

use super::*;

#[test]
fn inet_allows_ip_sockets_only() {
    run_cases(
        "inet_allows_ip_sockets_only",
        &["stdio", "stdio inet"],
        || {
            outcome(|| {
                // Sockets made before pledging, for the calls on them.
                let listener = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                let client = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                let inet = pledge_case().contains(Promises::INET);
                for (family, ty, protocol, what) in [
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM,
                        0,
                        "AF_INET, SOCK_STREAM, 0",
                    ),
                    (libc::AF_INET, libc::SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM, 0"),
                    (
                        libc::AF_INET6,
                        libc::SOCK_STREAM,
                        0,
                        "AF_INET6, SOCK_STREAM, 0",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_INET6, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                        libc::IPPROTO_TCP,
                        "AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_DGRAM,
                        libc::IPPROTO_UDP,
                        "AF_INET6, SOCK_DGRAM, IPPROTO_UDP",
                    ),
                ] {
                    ok_if(
                        inet,
                        &format!("socket({what})"),
                        socket(family, ty, protocol),
                    )?;
                }
                for (family, ty, protocol, what) in [
                    (
                        libc::AF_UNIX,
                        libc::SOCK_STREAM,
                        0,
                        "AF_UNIX, SOCK_STREAM, 0",
                    ),
                    (libc::AF_UNIX, libc::SOCK_DGRAM, 0, "AF_UNIX, SOCK_DGRAM, 0"),
                    (
                        libc::AF_NETLINK,
                        libc::SOCK_RAW,
                        libc::NETLINK_ROUTE,
                        "AF_NETLINK, SOCK_RAW, NETLINK_ROUTE",
                    ),
                    (
                        libc::AF_NETLINK,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_NETLINK, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_RAW,
                        libc::IPPROTO_ICMP,
                        "AF_INET, SOCK_RAW, IPPROTO_ICMP",
                    ),
                    (
                        libc::AF_INET6,
                        libc::SOCK_RAW,
                        libc::IPPROTO_ICMPV6,
                        "AF_INET6, SOCK_RAW, IPPROTO_ICMPV6",
                    ),
                    (
                        libc::AF_PACKET,
                        libc::SOCK_RAW,
                        (libc::ETH_P_ALL as u16).to_be() as c_int,
                        "AF_PACKET, SOCK_RAW, ETH_P_ALL",
                    ),
                    (
                        libc::AF_PACKET,
                        libc::SOCK_DGRAM,
                        0,
                        "AF_PACKET, SOCK_DGRAM, 0",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_DGRAM,
                        libc::IPPROTO_ICMP,
                        "AF_INET, SOCK_DGRAM, IPPROTO_ICMP (ping)",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_STREAM,
                        libc::IPPROTO_UDP,
                        "AF_INET, SOCK_STREAM, IPPROTO_UDP",
                    ),
                    (
                        libc::AF_INET,
                        libc::SOCK_SEQPACKET,
                        0,
                        "AF_INET, SOCK_SEQPACKET, 0",
                    ),
                ] {
                    refused(&format!("socket({what})"), socket(family, ty, protocol))?;
                }
                // A loopback connection.
                ok_if(inet, "bind(127.0.0.1:0)", bind_in(listener, &loopback(0)))?;
                ok_if(inet, "listen", listen(listener))?;
                if inet {
                    let addr = local_in(listener)?;
                    ok("connect to the listener", connect_in(client, &addr))?;
                    // SAFETY: NULL address.
                    let peer = ok(
                        "accept",
                        ret(unsafe { libc::accept(listener as c_int, null_mut(), null_mut()) }),
                    )?;
                    // SAFETY: live buffers.
                    ok(
                        "write",
                        ret(
                            unsafe { libc::write(client as c_int, b"x".as_ptr().cast(), 1) } as i64,
                        ),
                    )?;
                    let mut byte = [0u8; 1];
                    ok(
                        "read",
                        ret(
                            unsafe { libc::read(peer as c_int, byte.as_mut_ptr().cast(), 1) }
                                as i64,
                        ),
                    )?;
                    ensure(byte == *b"x", "read what was written")?;
                } else {
                    refused("connect", connect_in(client, &loopback(1u16.to_be())))?;
                }
                Ok(())
            })
        },
    );
}

#[test]
fn anet_binds_and_listens_tcp_but_cannot_connect() {
    run_cases(
        "anet_binds_and_listens_tcp_but_cannot_connect",
        &["stdio anet"],
        || {
            outcome(|| {
                pledge_case();
                let listener = ok(
                    "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0),
                )?;
                let one: c_int = 1;
                // SAFETY: a live int and its size.
                ok(
                    "setsockopt(SO_REUSEADDR)",
                    ret(unsafe {
                        libc::setsockopt(
                            listener as c_int,
                            libc::SOL_SOCKET,
                            libc::SO_REUSEADDR,
                            (&one as *const c_int).cast(),
                            size_of::<c_int>() as libc::socklen_t,
                        )
                    }),
                )?;
                ok("bind(127.0.0.1:0)", bind_in(listener, &loopback(0)))?;
                ok("listen", listen(listener))?;
                let addr = local_in(listener)?;
                // SAFETY: NULL address; nobody is connecting (the listener
                // does not block).
                fails_with(
                    libc::EAGAIN,
                    "accept4 with no one connecting",
                    ret(unsafe {
                        libc::accept4(
                            listener as c_int,
                            null_mut(),
                            null_mut(),
                            libc::SOCK_CLOEXEC,
                        )
                    }),
                )?;
                // anet is TCP only: no datagram sockets.
                refused(
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_UDP)",
                    socket(
                        libc::AF_INET,
                        libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                        libc::IPPROTO_UDP,
                    ),
                )?;
                let client = ok(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused("connect to the listener", connect_in(client, &addr))?;
                refused(
                    "socket(AF_UNIX, SOCK_STREAM, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)",
                    socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn unix_allows_unix_sockets_only() {
    run_cases(
        "unix_allows_unix_sockets_only",
        &["stdio", "stdio unix"],
        || {
            outcome(|| {
                let unix = pledge_case().contains(Promises::UNIX);
                for (ty, what) in [
                    (libc::SOCK_STREAM, "SOCK_STREAM"),
                    (
                        libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                        "SOCK_DGRAM|SOCK_CLOEXEC",
                    ),
                    (libc::SOCK_SEQPACKET, "SOCK_SEQPACKET"),
                ] {
                    ok_if(
                        unix,
                        &format!("socket(AF_UNIX, {what}, 0)"),
                        socket(libc::AF_UNIX, ty, 0),
                    )?;
                }
                refused(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)",
                    socket(libc::AF_NETLINK, libc::SOCK_RAW, libc::NETLINK_ROUTE),
                )?;
                refused(
                    "socket(AF_UNIX, SOCK_RAW, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_RAW, 0),
                )?;
                if !unix {
                    return Ok(());
                }
                // A connection over an abstract address.
                let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
                addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
                let name = format!("seclude-promises-{}", getpid());
                for (i, b) in name.bytes().enumerate() {
                    addr.sun_path[i + 1] = b as libc::c_char;
                }
                let len = (size_of::<libc::sa_family_t>() + 1 + name.len()) as libc::socklen_t;
                let addr_ptr = (&addr as *const libc::sockaddr_un).cast::<libc::sockaddr>();
                let listener = ok("socket", socket(libc::AF_UNIX, libc::SOCK_STREAM, 0))? as c_int;
                let client = ok("socket", socket(libc::AF_UNIX, libc::SOCK_STREAM, 0))? as c_int;
                // SAFETY (this block's calls): a live address and its length.
                ok(
                    "bind(abstract)",
                    ret(unsafe { libc::bind(listener, addr_ptr, len) }),
                )?;
                ok("listen", ret(unsafe { libc::listen(listener, 1) }))?;
                ok(
                    "connect(abstract)",
                    ret(unsafe { libc::connect(client, addr_ptr, len) }),
                )?;
                ok(
                    "accept",
                    ret(unsafe { libc::accept(listener, null_mut(), null_mut()) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn dns_allows_udp_exchanges_only() {
    run_cases(
        "dns_allows_udp_exchanges_only",
        &["stdio", "stdio dns"],
        || {
            outcome(|| {
                // A "resolver", bound before pledging.
                let resolver = ok(
                    "socket (before pledging)",
                    socket(libc::AF_INET, libc::SOCK_DGRAM, 0),
                )?;
                ok("bind (before pledging)", bind_in(resolver, &loopback(0)))?;
                let server = local_in(resolver)?;
                let dns = pledge_case().contains(Promises::DNS);
                let client = socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
                ok_if(dns, "socket(AF_INET, SOCK_DGRAM, 0)", client)?;
                ok_if(
                    dns,
                    "socket(AF_INET, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_UDP)",
                    socket(
                        libc::AF_INET,
                        libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                        libc::IPPROTO_UDP,
                    ),
                )?;
                ok_if(
                    dns,
                    "socket(AF_INET6, SOCK_DGRAM, 0)",
                    socket(libc::AF_INET6, libc::SOCK_DGRAM, 0),
                )?;
                refused(
                    "socket(AF_INET, SOCK_STREAM, 0)",
                    socket(libc::AF_INET, libc::SOCK_STREAM, 0),
                )?;
                refused(
                    "socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)",
                    socket(libc::AF_INET6, libc::SOCK_STREAM, libc::IPPROTO_TCP),
                )?;
                refused(
                    "socket(AF_UNIX, SOCK_DGRAM, 0)",
                    socket(libc::AF_UNIX, libc::SOCK_DGRAM, 0),
                )?;
                let Ok(client) = client else {
                    return Ok(());
                };
                // A query and its answer.
                ok("connect to the resolver", connect_in(client, &server))?;
                // SAFETY (this block's calls): live buffers and addresses.
                ok(
                    "send the query",
                    ret(unsafe { libc::send(client as c_int, b"q".as_ptr().cast(), 1, 0) } as i64),
                )?;
                let mut from = loopback(0);
                let mut from_len = SIN_LEN;
                let mut byte = [0u8; 1];
                ok(
                    "recvfrom at the resolver",
                    ret(unsafe {
                        libc::recvfrom(
                            resolver as c_int,
                            byte.as_mut_ptr().cast(),
                            1,
                            0,
                            (&mut from as *mut libc::sockaddr_in).cast(),
                            &mut from_len,
                        )
                    } as i64),
                )?;
                ok(
                    "sendto the client",
                    ret(unsafe {
                        libc::sendto(
                            resolver as c_int,
                            b"a".as_ptr().cast(),
                            1,
                            0,
                            (&from as *const libc::sockaddr_in).cast(),
                            from_len,
                        )
                    } as i64),
                )?;
                ok(
                    "recv the answer",
                    ret(
                        unsafe { libc::recv(client as c_int, byte.as_mut_ptr().cast(), 1, 0) }
                            as i64,
                    ),
                )?;
                ensure(byte == *b"a", "the answer arrived")?;
                // No server side.
                let other = ok("socket", socket(libc::AF_INET, libc::SOCK_DGRAM, 0))?;
                refused("bind", bind_in(other, &loopback(0)))?;
                refused("listen", listen(other))?;
                Ok(())
            })
        },
    );
}

/// Sends one byte with `fd` attached (SCM_RIGHTS).
fn send_fd(sock: c_int, fd: c_int) -> Ret {
    let mut byte = [b'x'];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut control = [0u64; 8];
    // SAFETY: the control buffer is aligned and holds one SCM_RIGHTS
    // message of one descriptor; the message points at live buffers.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = libc::CMSG_SPACE(size_of::<c_int>() as u32) as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(size_of::<c_int>() as u32) as _;
        libc::CMSG_DATA(cmsg).cast::<c_int>().write_unaligned(fd);
        ret(libc::sendmsg(sock, &msg, 0) as i64)
    }
}

/// Receives one byte and the descriptor attached to it: recvmsg's result,
/// and the descriptor if one came.
fn recv_fd(sock: c_int) -> (Ret, Option<c_int>) {
    let mut byte = [0u8];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    let mut control = [0u64; 8];
    // SAFETY: as in send_fd; the kernel writes at most msg_controllen bytes.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = size_of_val(&control) as _;
        let r = ret(libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) as i64);
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        let fd = (r.is_ok()
            && !cmsg.is_null()
            && (*cmsg).cmsg_level == libc::SOL_SOCKET
            && (*cmsg).cmsg_type == libc::SCM_RIGHTS)
            .then(|| libc::CMSG_DATA(cmsg).cast::<c_int>().read_unaligned());
        (r, fd)
    }
}

#[test]
fn recvfd_and_sendfd_gate_the_message_calls() {
    run_cases(
        "recvfd_and_sendfd_gate_the_message_calls",
        &["stdio", "stdio recvfd", "stdio sendfd"],
        || {
            outcome(|| {
                let mut pair = [0; 2];
                // SAFETY: a live array of two descriptors.
                ok(
                    "socketpair (before pledging)",
                    ret(unsafe {
                        libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, pair.as_mut_ptr())
                    }),
                )?;
                let passwd = fs::File::open("/etc/passwd")
                    .expect("open before pledging")
                    .into_raw_fd();
                // A descriptor in flight, sent before pledging.
                ok("sendmsg (before pledging)", send_fd(pair[0], passwd))?;
                let promises = pledge_case();
                let (r, fd) = recv_fd(pair[1]);
                ok_if(promises.contains(Promises::RECVFD), "recvmsg", r)?;
                if r.is_ok() {
                    ensure(fd.is_some(), "recvmsg brought a descriptor")?;
                }
                ok_if(
                    promises.contains(Promises::SENDFD),
                    "sendmsg(SCM_RIGHTS)",
                    send_fd(pair[0], passwd),
                )?;
                // Plain I/O on the pair is stdio.
                // SAFETY (these calls): live buffers; NULL addresses.
                ok(
                    "send",
                    ret(unsafe { libc::send(pair[0], b"y".as_ptr().cast(), 1, 0) } as i64),
                )?;
                let mut buf = [0u8; 4];
                ok(
                    "recvfrom",
                    ret(unsafe {
                        libc::recvfrom(
                            pair[1],
                            buf.as_mut_ptr().cast(),
                            1,
                            0,
                            null_mut(),
                            null_mut(),
                        )
                    } as i64),
                )?;
                ok(
                    "write",
                    ret(unsafe { libc::write(pair[0], b"z".as_ptr().cast(), 1) } as i64),
                )?;
                ok(
                    "read",
                    ret(unsafe { libc::read(pair[1], buf.as_mut_ptr().cast(), 1) } as i64),
                )?;
                Ok(())
            })
        },
    );
}
