//! Landlock on the kernel at hand: the ABI it reports, what each
//! compatibility level plans for it, and a probe per right proving that
//! what the plan calls enforced is enforced and what it calls dropped is
//! not.
//!
//! Each filesystem right gets its own directory `no-RIGHT/` whose rule
//! grants every enforced right except that one, so an operation there is
//! denied by that right alone; the same operation in `all/` (every right
//! granted) is the control. Network rights and scopes are probed against
//! listeners and a process created before the domain.

use crate::harness::{Env, Results, c, errno, errno_name, scratch, sys, wait};
use seclude::Compatibility;
use seclude::landlock::{
    self, AccessFs, AccessNet, Enforcement, Plan, Request, Ruleset, RulesetError, Scope,
};

/// The rights each Landlock ABI brought, written out here from the
/// kernel's documentation rather than taken from the library, so that the
/// library's plan is compared with an independent statement.
fn expected_supported(abi: u32) -> Request {
    let fs_bits: u64 = match abi {
        0 => 0,
        1 => (1 << 13) - 1,
        2 => (1 << 14) - 1,
        3 | 4 => (1 << 15) - 1,
        5..=8 => (1 << 16) - 1,
        _ => (1 << 17) - 1,
    };
    Request {
        fs: AccessFs::from_bits_truncate(fs_bits),
        net: if abi >= 4 {
            AccessNet::all()
        } else {
            AccessNet::empty()
        },
        scopes: if abi >= 6 {
            Scope::all()
        } else {
            Scope::empty()
        },
        flags: seclude::landlock::RestrictFlags::empty(),
    }
}

fn describe(r: &Request) -> String {
    let names = |it: &mut dyn Iterator<Item = (&'static str, ())>| {
        let v: Vec<_> = it.map(|(n, ())| n.to_lowercase()).collect();
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(",")
        }
    };
    format!(
        "fs {} / net {} / scopes {}",
        names(&mut r.fs.iter_names().map(|(n, _)| (n, ()))),
        names(&mut r.net.iter_names().map(|(n, _)| (n, ()))),
        names(&mut r.scopes.iter_names().map(|(n, _)| (n, ())))
    )
}

/// The kernel's Landlock version, as the library reads it.
pub fn abi(env: &Env, _: &mut Results) -> Result<String, String> {
    let abi = landlock::abi_version();
    let number = abi as u32;
    if number != env.landlock_abi {
        return Err(format!(
            "the kernel reports {abi:?}, expected ABI {}",
            env.landlock_abi
        ));
    }
    Ok(format!("ABI {number}"))
}

/// What best effort, a soft and a hard requirement plan for everything the
/// library can restrict, against the independent table above.
pub fn levels(env: &Env, results: &mut Results) -> Result<String, String> {
    let abi = landlock::abi_version();
    let supported = expected_supported(env.landlock_abi);
    let missing = Request::ALL.minus(&supported);

    let best = Ruleset::new(&Request::ALL, Compatibility::BestEffort)
        .map_err(|e| format!("best effort refused: {e:?}"))?;
    let plan = *best.plan();
    let ok = plan.enforced == supported
        && plan.dropped == missing
        && plan.enforcement == Enforcement::Partial;
    results.record(
        "best-effort",
        ok,
        &format!(
            "{:?}: enforced {}; dropped {}",
            plan.enforcement,
            describe(&plan.enforced),
            describe(&plan.dropped)
        ),
    );

    let soft = Ruleset::new(&Request::ALL, Compatibility::SoftRequirement)
        .map_err(|e| format!("soft requirement refused: {e:?}"))?;
    let soft_plan = *soft.plan();
    results.record(
        "soft-requirement",
        soft_plan.enforcement == Enforcement::None && soft_plan.enforced == Request::EMPTY,
        &format!(
            "{:?} (nothing enforced, since not all of it can be)",
            soft_plan.enforcement
        ),
    );

    match Ruleset::new(&Request::ALL, Compatibility::HardRequirement) {
        Err(RulesetError::Compat(e)) => results.record(
            "hard-requirement",
            e.missing == missing,
            &format!("refused: {e}"),
        ),
        Err(e) => results.record(
            "hard-requirement",
            false,
            &format!("unexpected error {e:?}"),
        ),
        Ok(_) => results.record(
            "hard-requirement",
            false,
            "accepted, though the kernel lacks rights",
        ),
    }

    // What this kernel has, required: met in full.
    match Ruleset::new(&supported, Compatibility::HardRequirement) {
        Ok(r) => results.record(
            "hard-requirement-met",
            r.plan().enforcement == Enforcement::Full,
            &format!("{:?} for {}", r.plan().enforcement, describe(&supported)),
        ),
        Err(e) => results.record("hard-requirement-met", false, &format!("refused: {e:?}")),
    }
    Ok(format!("plans for {abi:?}"))
}

/// The outcome of one operation: Ok, or the errno it failed with.
type Outcome = Result<(), i32>;

fn show(o: Outcome) -> String {
    match o {
        Ok(()) => "allowed".to_string(),
        Err(e) => errno_name(e),
    }
}

fn ok(ret: i64) -> Outcome {
    sys(ret).map(drop)
}

/// The operation that needs `right`, on `dir` (set up by [`prepare`]).
fn fs_op(right: AccessFs, dir: &str) -> Outcome {
    let p = |name: &str| c(&format!("{dir}/{name}"));
    // SAFETY: each call gets NUL-terminated paths that outlive it.
    unsafe {
        match right {
            AccessFs::EXECUTE => {
                let exe = p("exe");
                let pid = libc::fork();
                if pid == 0 {
                    let argv = [c"vm-check".as_ptr(), c"true".as_ptr(), std::ptr::null()];
                    let envp = [std::ptr::null()];
                    libc::execve(exe.as_ptr(), argv.as_ptr(), envp.as_ptr());
                    libc::_exit(100 + errno());
                }
                match wait(pid) {
                    crate::harness::Ended::Exited(0) => Ok(()),
                    crate::harness::Ended::Exited(code) if code > 100 => Err(code - 100),
                    _ => Err(-1),
                }
            }
            AccessFs::WRITE_FILE => open_close(&p("file"), libc::O_WRONLY),
            AccessFs::READ_FILE => open_close(&p("file"), libc::O_RDONLY),
            AccessFs::READ_DIR => open_close(&c(dir), libc::O_RDONLY | libc::O_DIRECTORY),
            AccessFs::REMOVE_DIR => ok(libc::rmdir(p("dir").as_ptr()) as i64),
            AccessFs::REMOVE_FILE => ok(libc::unlink(p("victim").as_ptr()) as i64),
            AccessFs::MAKE_CHAR => ok(libc::mknod(
                p("chr").as_ptr(),
                libc::S_IFCHR | 0o600,
                libc::makedev(1, 3),
            ) as i64),
            AccessFs::MAKE_DIR => ok(libc::mkdir(p("newdir").as_ptr(), 0o700) as i64),
            AccessFs::MAKE_REG => {
                ok(libc::mknod(p("newfile").as_ptr(), libc::S_IFREG | 0o600, 0) as i64)
            }
            AccessFs::MAKE_SOCK => {
                ok(libc::mknod(p("sock").as_ptr(), libc::S_IFSOCK | 0o600, 0) as i64)
            }
            AccessFs::MAKE_FIFO => {
                ok(libc::mknod(p("fifo").as_ptr(), libc::S_IFIFO | 0o600, 0) as i64)
            }
            AccessFs::MAKE_BLOCK => ok(libc::mknod(
                p("blk").as_ptr(),
                libc::S_IFBLK | 0o600,
                libc::makedev(7, 0),
            ) as i64),
            AccessFs::MAKE_SYM => ok(libc::symlink(c"file".as_ptr(), p("sym").as_ptr()) as i64),
            // Reparenting: from one subdirectory to another.
            AccessFs::REFER => {
                ok(libc::rename(p("a/moved").as_ptr(), p("b/moved").as_ptr()) as i64)
            }
            AccessFs::TRUNCATE => ok(libc::truncate(p("file").as_ptr(), 0) as i64),
            // A device opened after the domain, and a tty request on it.
            AccessFs::IOCTL_DEV => {
                let dev = if dir.ends_with("/all") {
                    c"/dev/zero"
                } else {
                    c"/dev/null"
                };
                let fd = libc::open(dev.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
                if fd < 0 {
                    return Err(errno());
                }
                let mut termios: libc::termios = std::mem::zeroed();
                let r = ok(libc::ioctl(fd, libc::TCGETS, &mut termios) as i64);
                libc::close(fd);
                // ENOTTY is the device's own answer: the call got through.
                match r {
                    Err(libc::ENOTTY) => Ok(()),
                    other => other,
                }
            }
            AccessFs::RESOLVE_UNIX => unix_connect(&format!("{dir}/listener")),
            _ => Err(-1),
        }
    }
}

fn open_close(path: &std::ffi::CStr, flags: i32) -> Outcome {
    // SAFETY: a NUL-terminated path.
    let fd = unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(errno());
    }
    // SAFETY: ours.
    unsafe { libc::close(fd) };
    Ok(())
}

fn unix_addr(path: &[u8]) -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: plain data.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in addr.sun_path.iter_mut().zip(path) {
        *d = *s as libc::c_char;
    }
    let len = std::mem::size_of::<libc::sa_family_t>() + path.len();
    (addr, len as libc::socklen_t)
}

/// A listening UNIX socket at `path` (a leading NUL: abstract).
fn unix_listen(path: &[u8]) -> Result<i32, String> {
    let (addr, len) = unix_addr(path);
    // SAFETY: addr is a valid sockaddr_un of `len` bytes.
    unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0
            || libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len) != 0
            || libc::listen(fd, 8) != 0
        {
            return Err(format!(
                "unix listener {:?}: {}",
                String::from_utf8_lossy(path),
                errno_name(errno())
            ));
        }
        Ok(fd)
    }
}

fn unix_connect_bytes(path: &[u8]) -> Outcome {
    let (addr, len) = unix_addr(path);
    // SAFETY: addr is a valid sockaddr_un of `len` bytes.
    unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(errno());
        }
        let r = ok(libc::connect(fd, &addr as *const _ as *const libc::sockaddr, len) as i64);
        libc::close(fd);
        r
    }
}

fn unix_connect(path: &str) -> Outcome {
    unix_connect_bytes(path.as_bytes())
}

fn inet_addr(port: u16) -> libc::sockaddr_in {
    // SAFETY: plain data.
    let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    a.sin_family = libc::AF_INET as libc::sa_family_t;
    a.sin_port = port.to_be();
    a.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
    a
}

/// bind (and listen, if `listen`) a TCP socket on 127.0.0.1:`port`.
fn tcp_bind(port: u16, listen: bool) -> Result<i32, i32> {
    let a = inet_addr(port);
    // SAFETY: a is a valid sockaddr_in.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(errno());
        }
        let one: i32 = 1;
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            &one as *const i32 as *const _,
            4,
        );
        if libc::bind(
            fd,
            &a as *const _ as *const libc::sockaddr,
            std::mem::size_of_val(&a) as u32,
        ) != 0
            || (listen && libc::listen(fd, 8) != 0)
        {
            let e = errno();
            libc::close(fd);
            return Err(e);
        }
        Ok(fd)
    }
}

fn tcp_connect(port: u16) -> Outcome {
    let a = inet_addr(port);
    // SAFETY: a is a valid sockaddr_in.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(errno());
        }
        let r = ok(libc::connect(
            fd,
            &a as *const _ as *const libc::sockaddr,
            std::mem::size_of_val(&a) as u32,
        ) as i64);
        libc::close(fd);
        r
    }
}

/// A child that lives until the returned descriptor is closed (here: when
/// the check's process ends). It cannot be killed from inside a domain
/// with the signal scope, and the kernel's parent-death signal counts as
/// a signal from the dying parent, so it is refused too: a pipe's end of
/// file is what ends it.
fn sleeper() -> (i32, i32) {
    let (read_end, write_end) = crate::harness::pipe();
    // SAFETY: the child only reads and exits.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::close(write_end);
            let mut byte = 0u8;
            libc::read(read_end, &mut byte as *mut u8 as *mut libc::c_void, 1);
            libc::_exit(0);
        }
        libc::close(read_end);
        (pid, write_end)
    }
}

fn kill0(pid: i32) -> Outcome {
    // SAFETY: signal 0 only checks permission.
    ok(unsafe { libc::kill(pid, 0) } as i64)
}

/// Files and directories for one probe directory.
fn prepare(dir: &str) -> Result<(), String> {
    let mk = |r: std::io::Result<()>, what: &str| r.map_err(|e| format!("{dir}/{what}: {e}"));
    mk(std::fs::create_dir_all(format!("{dir}/dir")), "dir")?;
    mk(std::fs::create_dir_all(format!("{dir}/a")), "a")?;
    mk(std::fs::create_dir_all(format!("{dir}/b")), "b")?;
    mk(
        std::fs::write(format!("{dir}/file"), b"probe data\n"),
        "file",
    )?;
    mk(std::fs::write(format!("{dir}/victim"), b"x"), "victim")?;
    mk(std::fs::write(format!("{dir}/a/moved"), b"x"), "a/moved")?;
    mk(
        std::fs::copy("/proc/self/exe", format!("{dir}/exe")).map(drop),
        "exe",
    )?;
    unix_listen(format!("{dir}/listener").as_bytes())?;
    Ok(())
}

/// Every right the library knows, probed under one best-effort ruleset
/// that handles everything.
pub fn probes(_: &Env, results: &mut Results) -> Result<String, String> {
    let root = scratch("landlock")?;
    let all = format!("{root}/all");
    prepare(&all)?;
    let rights: Vec<(&'static str, AccessFs)> = AccessFs::all().iter_names().collect();
    for (name, _) in &rights {
        prepare(&format!("{root}/no-{}", name.to_lowercase()))?;
    }
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() };
    let port = |n: u16| 20000 + (pid as u16 % 5000) * 4 + n;
    // Listeners and a process created before the domain: outside it.
    tcp_bind(port(0), true).map_err(|e| format!("tcp listener: {}", errno_name(e)))?;
    tcp_bind(port(1), true).map_err(|e| format!("tcp listener: {}", errno_name(e)))?;
    let abstract_name = format!("\0seclude-vm-{pid}");
    unix_listen(abstract_name.as_bytes())?;
    let (outside, _outside_lives) = sleeper();

    let mut ruleset =
        Ruleset::new(&Request::ALL, Compatibility::BestEffort).map_err(|e| format!("{e:?}"))?;
    let plan: Plan = *ruleset.plan();
    let handled = plan.enforced.fs;
    let add = |r: &mut Ruleset, path: &str, access: AccessFs| {
        r.allow_path(&c(path), access)
            .map_err(|e| format!("rule for {path}: {e:?}"))
    };
    add(&mut ruleset, &all, handled)?;
    for (name, right) in &rights {
        add(
            &mut ruleset,
            &format!("{root}/no-{}", name.to_lowercase()),
            handled.difference(*right),
        )?;
    }
    add(&mut ruleset, "/dev/null", AccessFs::READ_FILE)?;
    add(
        &mut ruleset,
        "/dev/zero",
        AccessFs::READ_FILE | AccessFs::IOCTL_DEV,
    )?;
    // The port controls: allowed by a rule.
    let net_rule = |r: &mut Ruleset, p: u16, a: AccessNet| {
        r.allow_port(p, a).map_err(|e| format!("port rule: {e:?}"))
    };
    net_rule(&mut ruleset, port(1), AccessNet::CONNECT_TCP)?;
    net_rule(&mut ruleset, port(3), AccessNet::BIND_TCP)?;
    let enforced_plan = ruleset
        .restrict_self()
        .map_err(|e| format!("restrict_self: {e:?}"))?;
    if enforced_plan != plan {
        return Err("restrict_self returned another plan than the ruleset's".into());
    }

    let mut probed = 0;
    let mut verdict =
        |name: String, enforced: bool, denied_with: i32, probe: Outcome, control: Outcome| {
            let (good, text) = if control.err() == Some(denied_with) {
                (
                    false,
                    format!(
                        "the control was denied too ({}): the probe proves nothing",
                        show(control)
                    ),
                )
            } else if enforced {
                (
                    probe == Err(denied_with),
                    format!("enforced: {} (control {})", show(probe), show(control)),
                )
            } else {
                (
                    probe == control,
                    format!(
                        "dropped by the plan: {} (control {})",
                        show(probe),
                        show(control)
                    ),
                )
            };
            probed += 1;
            results.record(&name, good, &text);
        };

    for (name, right) in &rights {
        let denied_with = if *right == AccessFs::REFER {
            libc::EXDEV
        } else {
            libc::EACCES
        };
        let dir = format!("{root}/no-{}", name.to_lowercase());
        // Without CAP_MKNOD the mknod controls fail with EPERM, after
        // Landlock's check: the comparison still tells enforced from dropped.
        let probe = fs_op(*right, &dir);
        let control = fs_op(*right, &all);
        verdict(
            format!("fs.{}", name.to_lowercase()),
            handled.contains(*right),
            denied_with,
            probe,
            control,
        );
    }
    for (name, right) in AccessNet::all().iter_names() {
        let enforced = plan.enforced.net.contains(right);
        let (probe, control) = match right {
            AccessNet::BIND_TCP => (
                tcp_bind(port(2), false)
                    .map(|fd| unsafe { libc::close(fd) })
                    .map(drop),
                tcp_bind(port(3), false)
                    .map(|fd| unsafe { libc::close(fd) })
                    .map(drop),
            ),
            _ => (tcp_connect(port(0)), tcp_connect(port(1))),
        };
        verdict(
            format!("net.{}", name.to_lowercase()),
            enforced,
            libc::EACCES,
            probe,
            control,
        );
    }
    for (name, scope) in Scope::all().iter_names() {
        let enforced = plan.enforced.scopes.contains(scope);
        let (probe, control) = match scope {
            Scope::SIGNAL => {
                let (inside, inside_lives) = sleeper();
                let r = (kill0(outside), kill0(inside));
                // SAFETY: our descriptor; the child then exits.
                unsafe { libc::close(inside_lives) };
                wait(inside);
                r
            }
            _ => {
                let inside_name = format!("\0seclude-vm-in-{pid}");
                unix_listen(inside_name.as_bytes())?;
                (
                    unix_connect_bytes(abstract_name.as_bytes()),
                    unix_connect_bytes(inside_name.as_bytes()),
                )
            }
        };
        verdict(
            format!("scope.{}", name.to_lowercase()),
            enforced,
            libc::EPERM,
            probe,
            control,
        );
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(format!("{probed} rights probed under {:?}", plan.abi))
}

/// unveil(): a directory with "rwc", nothing else, and the plan it reports.
pub fn unveil(_: &Env, results: &mut Results) -> Result<String, String> {
    let root = scratch("unveil")?;
    let open = format!("{root}/open");
    std::fs::create_dir_all(&open).map_err(|e| e.to_string())?;
    std::fs::write(format!("{root}/hidden"), b"secret").map_err(|e| e.to_string())?;
    let open_c = c(&open);
    let mut u: landlock::Unveil<'_, 2> = landlock::Unveil::new();
    u.unveil(&open_c, "rwc").map_err(|e| format!("{e:?}"))?;
    let plan = u.commit().map_err(|e| format!("commit: {e:?}"))?;
    let abi = landlock::abi_version();
    let truncate_expected = abi as u32 >= 3;
    results.record(
        "plan",
        plan.enforcement != Enforcement::None
            && plan.enforced.fs.contains(AccessFs::TRUNCATE) == truncate_expected,
        &format!(
            "{:?}: enforced {}",
            plan.enforcement,
            describe(&plan.enforced)
        ),
    );
    let inside = std::fs::write(format!("{open}/made"), b"ok")
        .and_then(|()| std::fs::read(format!("{open}/made")));
    results.record(
        "inside",
        inside.is_ok(),
        &format!("create+write+read inside: {:?}", inside.map(drop)),
    );
    let outside = std::fs::read(format!("{root}/hidden"));
    let denied = matches!(&outside, Err(e) if e.raw_os_error() == Some(libc::EACCES));
    results.record(
        "outside",
        denied,
        &format!("read outside: {:?}", outside.map(drop)),
    );
    // Before ABI 9 Landlock cannot confine connecting to a UNIX socket by
    // path: the supplement refuses new UNIX sockets (a stream pair stays).
    // SAFETY: plain socket calls; the descriptors are closed.
    let (unix, pair) = unsafe {
        let fd = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        let unix = if fd < 0 {
            Err(errno())
        } else {
            Ok(libc::close(fd))
        };
        let mut fds = [0i32; 2];
        let pair = libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr());
        if pair == 0 {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        (unix, pair)
    };
    let refused = (abi as u32) < 9;
    results.record(
        "unix_socket",
        (unix == Err(libc::EPERM)) == refused && pair == 0,
        &format!(
            "socket(AF_UNIX) {:?} (refused expected: {refused}), stream socketpair {pair}",
            unix.map_err(errno_name)
        ),
    );
    Ok(format!("{:?}", plan.abi))
}
