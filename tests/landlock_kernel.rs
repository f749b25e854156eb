//! Landlock rulesets against the real kernel, in children running as root
//! and as uid 65534 without capabilities (see `support/child.rs`).
//!
//! Each test gets a fixture directory, writable by everyone, with an
//! `inside` and an `outside` tree; its path reaches the child in
//! `SECLUDE_FIXTURE`.

#[path = "support/child.rs"]
mod child;
#[path = "support/executable.rs"]
mod executable;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::{DENIED, Fixture, c, fixture, read, write};
use seclude::Compatibility;
use seclude::landlock::{
    AbiVersion, AccessFs, AccessNet, Enforcement, Request, RestrictFlags, Ruleset, RulesetError,
    Scope, abi_version,
};
use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

#[test]
fn this_kernel_has_landlock() {
    assert!(abi_version() >= AbiVersion::V6, "{}", abi_version());
}

#[test]
fn a_hard_requirement_for_rights_newer_than_the_kernel_fails() {
    // Every right this crate knows includes ABI 9's RESOLVE_UNIX.
    let request = Request {
        fs: AccessFs::all(),
        ..Request::EMPTY
    };
    if abi_version() < AbiVersion::LATEST {
        match Ruleset::new(&request, Compatibility::HardRequirement) {
            Err(RulesetError::Compat(e)) => assert!(e.missing.fs.contains(AccessFs::RESOLVE_UNIX)),
            other => panic!("{:?}", other.map(|r| *r.plan())),
        }
        let best = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
        assert_eq!(best.plan().enforcement, Enforcement::Partial);
    }
}

#[test]
fn reading_is_allowed_inside_and_denied_outside() {
    const TEST: &str = "reading_is_allowed_inside_and_denied_outside";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        ruleset
            .allow_path(
                &c(&root.join("inside")),
                AccessFs::READ_FILE | AccessFs::READ_DIR,
            )
            .unwrap();
        if ruleset.restrict_self().unwrap().enforcement != Enforcement::Full {
            return 1;
        }
        if read(&root.join("inside/file")).is_err() || read(&root.join("inside/sub/file")).is_err()
        {
            return 2;
        }
        if read(&root.join("outside/file")) != DENIED {
            return 3;
        }
        if write(&root.join("inside/file")) != DENIED {
            return 4; // read was allowed, not write
        }
        if fs::read_dir(root.join("outside"))
            .map_err(|e| e.kind())
            .err()
            != Some(ErrorKind::PermissionDenied)
        {
            return 5;
        }
        if fs::read_dir(root.join("inside")).is_err() {
            return 6;
        }
        0
    });
}

#[test]
fn files_can_be_created_inside_only() {
    const TEST: &str = "files_can_be_created_inside_only";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        let rwc =
            AccessFs::READ_FILE | AccessFs::WRITE_FILE | AccessFs::MAKE_REG | AccessFs::READ_DIR;
        ruleset.allow_path(&c(&root.join("inside")), rwc).unwrap();
        ruleset.restrict_self().unwrap();
        // One name per mode: the root run's file stays behind (removal is
        // denied), and nobody may not rewrite a file root owns.
        if fs::write(
            root.join(format!("inside/new-{}", unsafe { libc::getuid() })),
            b"ok",
        )
        .is_err()
        {
            return 1;
        }
        if fs::write(
            root.join(format!("outside/new-{}", unsafe { libc::getuid() })),
            b"no",
        )
        .map_err(|e| e.kind())
            != DENIED
        {
            return 2;
        }
        // Removal was not allowed, even inside.
        if fs::remove_file(root.join(format!("inside/new-{}", unsafe { libc::getuid() })))
            .map_err(|e| e.kind())
            != DENIED
        {
            return 3;
        }
        0
    });
}

#[test]
fn a_file_rule_gets_only_file_rights() {
    const TEST: &str = "a_file_rule_gets_only_file_rights";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        // READ_DIR and MAKE_REG make no sense on a file: they are masked,
        // not refused by the kernel with EINVAL.
        let rights = AccessFs::READ_FILE | AccessFs::READ_DIR | AccessFs::MAKE_REG;
        if ruleset
            .allow_path(&c(&root.join("outside/file")), rights)
            .is_err()
        {
            return 1;
        }
        ruleset.restrict_self().unwrap();
        if read(&root.join("outside/file")).is_err() || read(&root.join("inside/file")) != DENIED {
            return 2;
        }
        0
    });
}

#[test]
fn rules_through_symbolic_links_and_on_proc_name_their_targets() {
    const TEST: &str = "rules_through_symbolic_links_and_on_proc_name_their_targets";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let uid = unsafe { libc::getuid() };
        let to_dir = root.join(format!("to-inside-{uid}"));
        let to_file = root.join(format!("to-outside-file-{uid}"));
        std::os::unix::fs::symlink(root.join("inside"), &to_dir).unwrap();
        std::os::unix::fs::symlink(root.join("outside/file"), &to_file).unwrap();
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        let rights = AccessFs::READ_FILE | AccessFs::READ_DIR;
        // A link to a directory: a directory rule, READ_DIR kept.
        ruleset.allow_path(&c(&to_dir), rights).unwrap();
        // A link to a file: a file rule (READ_DIR masked, or EINVAL).
        if ruleset.allow_path(&c(&to_file), rights).is_err() {
            return 1;
        }
        // A directory on a filesystem without a block device (opened again
        // with O_DIRECTORY), named through the /proc/self link.
        ruleset.allow_path(c"/proc/self", rights).unwrap();
        ruleset.restrict_self().unwrap();
        if read(&root.join("inside/sub/file")).is_err()
            || fs::read_dir(root.join("inside")).is_err()
        {
            return 2;
        }
        if read(&root.join("outside/file")).is_err() {
            return 3;
        }
        if fs::read_dir(root.join("outside"))
            .map_err(|e| e.kind())
            .err()
            != Some(ErrorKind::PermissionDenied)
        {
            return 4;
        }
        // The rule is on the target, not the link: reading through the
        // link is the same file, and the link's own directory is not open.
        if read(&to_file).is_err()
            || fs::read_dir(&root).map_err(|e| e.kind()).err() != Some(ErrorKind::PermissionDenied)
        {
            return 5;
        }
        if fs::read_to_string("/proc/self/status").is_err()
            || read(Path::new("/proc/version")) != DENIED
        {
            return 6;
        }
        0
    });
}

#[test]
fn a_missing_path_is_a_typed_error() {
    let request = Request {
        fs: abi_version().fs(),
        ..Request::EMPTY
    };
    let mut ruleset = Ruleset::new(&request, Compatibility::BestEffort).unwrap();
    assert_eq!(
        ruleset.allow_path(c"/no/such/seclude/path", AccessFs::READ_FILE),
        Err(RulesetError::Open(seclude::Errno::ENOENT))
    );
}

#[test]
fn an_fd_opened_before_the_restriction_keeps_working() {
    const TEST: &str = "an_fd_opened_before_the_restriction_keeps_working";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let mut before = fs::File::open(root.join("outside/file")).unwrap();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        Ruleset::new(&request, Compatibility::HardRequirement)
            .unwrap()
            .restrict_self()
            .unwrap();
        let mut s = String::new();
        if before.read_to_string(&mut s).is_err() || s != "seclude\n" {
            return 1;
        }
        if read(&root.join("outside/file")) != DENIED {
            return 2;
        }
        0
    });
}

#[test]
fn an_older_abi_leaves_its_missing_rights_unrestricted() {
    // Planned as on Linux 5.19 (ABI 2), TRUNCATE is not handled: truncating
    // stays possible while writing is denied. As on 6.2 (ABI 3) it is denied.
    const TEST: &str = "an_older_abi_leaves_its_missing_rights_unrestricted";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: AccessFs::WRITE_FILE | AccessFs::TRUNCATE,
            ..Request::EMPTY
        };
        let ruleset =
            Ruleset::for_abi(&request, Compatibility::BestEffort, AbiVersion::V2).unwrap();
        let plan = *ruleset.plan();
        if plan.enforcement != Enforcement::Partial || plan.dropped.fs != AccessFs::TRUNCATE {
            return 1;
        }
        ruleset.restrict_self().unwrap();
        let file = root.join("outside/file");
        if write(&file) != DENIED {
            return 2;
        }
        // SAFETY: truncate(2) on a NUL-terminated path.
        if unsafe { libc::truncate(c(&file).as_ptr(), 1) } != 0 {
            return 3;
        }
        0
    });
}

#[test]
fn from_abi_3_truncation_is_restricted() {
    const TEST: &str = "from_abi_3_truncation_is_restricted";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: AccessFs::WRITE_FILE | AccessFs::TRUNCATE,
            ..Request::EMPTY
        };
        let ruleset =
            Ruleset::for_abi(&request, Compatibility::HardRequirement, AbiVersion::V3).unwrap();
        ruleset.restrict_self().unwrap();
        // SAFETY: as above.
        let r = unsafe { libc::truncate(c(&root.join("outside/file")).as_ptr(), 1) };
        if r == 0 || std::io::Error::last_os_error().kind() != ErrorKind::PermissionDenied {
            return 1;
        }
        0
    });
}

#[test]
fn a_hard_requirement_on_an_older_abi_fails_and_restricts_nothing() {
    const TEST: &str = "a_hard_requirement_on_an_older_abi_fails_and_restricts_nothing";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: AccessFs::WRITE_FILE,
            net: AccessNet::all(),
            ..Request::EMPTY
        };
        match Ruleset::for_abi(&request, Compatibility::HardRequirement, AbiVersion::V3) {
            Err(RulesetError::Compat(e)) if e.missing.net == AccessNet::all() => {}
            _ => return 1,
        }
        // Soft: all or nothing, so nothing, and restrict_self says so.
        let soft =
            Ruleset::for_abi(&request, Compatibility::SoftRequirement, AbiVersion::V3).unwrap();
        if soft.restrict_self().unwrap().enforcement != Enforcement::None {
            return 2;
        }
        if write(&root.join("outside/file")).is_err() {
            return 3;
        }
        0
    });
}

fn test_port(offset: u16) -> u16 {
    // Distinct per test process, away from the usual service ports.
    40_000 + (std::process::id() % 10_000) as u16 + offset * 10_000 % 20_000
}

#[test]
fn tcp_bind_and_connect_are_allowed_only_on_listed_ports() {
    const TEST: &str = "tcp_bind_and_connect_are_allowed_only_on_listed_ports";
    Fixture::new(TEST).run_both(TEST, || {
        let (allowed, other) = (test_port(0), test_port(1) + 1);
        let reachable = other + 1;
        // Listeners on `other` and `reachable`, opened before the restriction.
        let listener = std::net::TcpListener::bind(("127.0.0.1", other)).unwrap();
        let reachable_listener = std::net::TcpListener::bind(("127.0.0.1", reachable)).unwrap();
        let request = Request {
            net: AccessNet::all(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        ruleset.allow_port(allowed, AccessNet::BIND_TCP).unwrap();
        ruleset
            .allow_port(reachable, AccessNet::CONNECT_TCP)
            .unwrap();
        ruleset.restrict_self().unwrap();
        // Connecting to the listed port works.
        if std::net::TcpStream::connect(("127.0.0.1", reachable)).is_err() {
            return 4;
        }
        let bound = std::net::TcpListener::bind(("127.0.0.1", allowed));
        if bound.is_err() {
            return 1;
        }
        let denied = std::net::TcpListener::bind(("127.0.0.1", allowed + 1));
        if denied.map_err(|e| e.kind()).err() != Some(ErrorKind::PermissionDenied) {
            return 2;
        }
        // Connecting to `other` was not listed.
        let connect = std::net::TcpStream::connect(("127.0.0.1", other));
        if connect.map_err(|e| e.kind()).err() != Some(ErrorKind::PermissionDenied) {
            return 3;
        }
        drop((listener, reachable_listener));
        0
    });
}

#[test]
fn the_signal_scope_denies_signals_to_processes_outside_the_domain() {
    const TEST: &str = "the_signal_scope_denies_signals_to_processes_outside_the_domain";
    Fixture::new(TEST).run_both(TEST, || {
        let request = Request {
            scopes: Scope::SIGNAL,
            ..Request::EMPTY
        };
        let ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        ruleset.restrict_self().unwrap();
        // SAFETY: signal 0 only checks permission.
        unsafe {
            if libc::kill(libc::getppid(), 0) == 0 {
                return 1;
            }
            if std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
                return 2;
            }
            if libc::kill(libc::getpid(), 0) != 0 {
                return 3; // inside the domain: allowed
            }
        }
        0
    });
}

#[test]
fn ioctl_on_devices_needs_ioctl_dev() {
    const TEST: &str = "ioctl_on_devices_needs_ioctl_dev";
    Fixture::new(TEST).run_both(TEST, || {
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        let rw = AccessFs::READ_FILE | AccessFs::WRITE_FILE;
        ruleset.allow_path(c"/dev/null", rw).unwrap();
        ruleset
            .allow_path(c"/dev/zero", rw | AccessFs::IOCTL_DEV)
            .unwrap();
        ruleset.restrict_self().unwrap();
        // TCGETS on a non-terminal is ENOTTY when allowed, EACCES when
        // Landlock refuses the ioctl itself.
        let tcgets = |path: &std::ffi::CStr| unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_RDWR);
            let mut t: libc::termios = core::mem::zeroed();
            let r = libc::ioctl(fd, libc::TCGETS, &mut t);
            (fd >= 0, r, std::io::Error::last_os_error().raw_os_error())
        };
        if tcgets(c"/dev/null") != (true, -1, Some(libc::EACCES)) {
            return 1;
        }
        if tcgets(c"/dev/zero") != (true, -1, Some(libc::ENOTTY)) {
            return 2;
        }
        0
    });
}

#[test]
fn the_abstract_unix_socket_scope_denies_connecting_out_of_the_domain() {
    const TEST: &str = "the_abstract_unix_socket_scope_denies_connecting_out_of_the_domain";
    Fixture::new(TEST).run_both(TEST, || {
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
        let name = format!("seclude-scope-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        // Created before the restriction: outside the domain.
        let _outside = UnixListener::bind_addr(&addr).unwrap();
        if UnixStream::connect_addr(&addr).is_err() {
            return 1;
        }
        let request = Request {
            scopes: Scope::ABSTRACT_UNIX_SOCKET,
            ..Request::EMPTY
        };
        Ruleset::new(&request, Compatibility::HardRequirement)
            .unwrap()
            .restrict_self()
            .unwrap();
        match UnixStream::connect_addr(&addr) {
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
            _ => return 2,
        }
        // A socket created inside the domain is reachable.
        let inner = SocketAddr::from_abstract_name(format!("{name}-inner").as_bytes()).unwrap();
        let _inside = UnixListener::bind_addr(&inner).unwrap();
        if UnixStream::connect_addr(&inner).is_err() {
            return 3;
        }
        0
    });
}

#[test]
fn logging_flags_are_accepted_from_abi_7_and_tsync_is_reported_missing_before_abi_8() {
    const TEST: &str =
        "logging_flags_are_accepted_from_abi_7_and_tsync_is_reported_missing_before_abi_8";
    Fixture::new(TEST).run_both(TEST, || {
        let request = Request {
            fs: AccessFs::WRITE_FILE,
            flags: RestrictFlags::LOG_NEW_EXEC_ON | RestrictFlags::LOG_SUBDOMAINS_OFF,
            ..Request::EMPTY
        };
        // On this kernel (ABI 7) the kernel accepts the flags: restrict_self
        // would fail with EINVAL otherwise.
        let plan = Ruleset::new(&request, Compatibility::HardRequirement)
            .unwrap()
            .restrict_self()
            .unwrap();
        if plan.enforcement != Enforcement::Full || plan.enforced.flags != request.flags {
            return 1;
        }
        let tsync = Request {
            flags: RestrictFlags::TSYNC,
            ..request
        };
        if abi_version() < AbiVersion::V8 {
            if Ruleset::new(&tsync, Compatibility::HardRequirement).is_ok() {
                return 2;
            }
            let best = Ruleset::new(&tsync, Compatibility::BestEffort).unwrap();
            if best.plan().enforcement != Enforcement::Partial
                || best.plan().dropped.flags != RestrictFlags::TSYNC
            {
                return 3;
            }
        }
        0
    });
}

#[test]
fn the_errata_query_answers_on_this_kernel() {
    // LANDLOCK_CREATE_RULESET_ERRATA exists from Linux 6.15 (ABI 7).
    if abi_version() >= AbiVersion::V7 {
        assert!(seclude::landlock::errata().is_ok());
    }
}

/// One filesystem right, and an operation that needs exactly it, run in
/// `dir` (with a per-uid name, since the root run's leftovers stay).
struct RightCase {
    right: AccessFs,
    /// Granted along with `right` because the operation needs it too.
    with: AccessFs,
    op: fn(&std::path::Path, u32) -> std::io::Result<()>,
}

fn mknod_at(path: &std::path::Path, mode: libc::mode_t) -> std::io::Result<()> {
    let p = c(path);
    // SAFETY: mknod(2) on a NUL-terminated path.
    match unsafe { libc::mknod(p.as_ptr(), mode, libc::makedev(1, 3)) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// execve(2) on a file that is not a program: Landlock checks EXECUTE
/// before the kernel looks at the format, so an allowed exec fails with
/// ENOEXEC and a denied one with EACCES; nothing ever runs.
fn exec_probe(path: &std::path::Path) -> std::io::Result<()> {
    let p = c(path);
    let argv = [p.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null()];
    // SAFETY: NUL-terminated path, argv and envp arrays.
    unsafe { libc::execve(p.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    match std::io::Error::last_os_error() {
        e if e.raw_os_error() == Some(libc::ENOEXEC) => Ok(()),
        e => Err(e),
    }
}

const RIGHT_CASES: [RightCase; 10] = [
    RightCase {
        right: AccessFs::EXECUTE,
        // The kernel opens a program for reading to execute it.
        with: AccessFs::READ_FILE,
        op: |dir, uid| exec_probe(&dir.join(format!("exec-{uid}"))),
    },
    RightCase {
        right: AccessFs::TRUNCATE,
        with: AccessFs::empty(),
        op: |dir, uid| {
            let p = c(&dir.join(format!("victim-{uid}")));
            // SAFETY: truncate(2) on a NUL-terminated path.
            match unsafe { libc::truncate(p.as_ptr(), 1) } {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        },
    },
    RightCase {
        right: AccessFs::MAKE_DIR,
        with: AccessFs::empty(),
        op: |dir, uid| fs::create_dir(dir.join(format!("d-{uid}"))),
    },
    RightCase {
        right: AccessFs::REMOVE_DIR,
        with: AccessFs::empty(),
        op: |dir, uid| fs::remove_dir(dir.join(format!("empty-{uid}"))),
    },
    RightCase {
        right: AccessFs::REMOVE_FILE,
        with: AccessFs::empty(),
        op: |dir, uid| fs::remove_file(dir.join(format!("victim-{uid}"))),
    },
    RightCase {
        right: AccessFs::MAKE_SYM,
        with: AccessFs::empty(),
        op: |dir, uid| std::os::unix::fs::symlink("file", dir.join(format!("sym-{uid}"))),
    },
    RightCase {
        right: AccessFs::MAKE_FIFO,
        with: AccessFs::empty(),
        op: |dir, uid| mknod_at(&dir.join(format!("fifo-{uid}")), libc::S_IFIFO | 0o600),
    },
    RightCase {
        right: AccessFs::MAKE_SOCK,
        with: AccessFs::empty(),
        op: |dir, uid| {
            std::os::unix::net::UnixListener::bind(dir.join(format!("sock-{uid}"))).map(drop)
        },
    },
    RightCase {
        right: AccessFs::MAKE_CHAR,
        with: AccessFs::empty(),
        op: |dir, uid| mknod_at(&dir.join(format!("chr-{uid}")), libc::S_IFCHR | 0o600),
    },
    RightCase {
        right: AccessFs::MAKE_BLOCK,
        with: AccessFs::empty(),
        op: |dir, uid| mknod_at(&dir.join(format!("blk-{uid}")), libc::S_IFBLK | 0o600),
    },
];

#[test]
fn each_right_is_allowed_inside_and_denied_outside() {
    const TEST: &str = "each_right_is_allowed_inside_and_denied_outside";
    for (i, case) in RIGHT_CASES.iter().enumerate() {
        let f = Fixture::new(&format!("{TEST}-{i}"));
        // What the remove cases remove, for both uids, in both trees.
        for uid in [0, child::NOBODY] {
            for tree in ["inside", "outside"] {
                let empty = f.0.join(format!("{tree}/empty-{uid}"));
                fs::create_dir(&empty).unwrap();
                let victim = f.0.join(format!("{tree}/victim-{uid}"));
                fs::write(&victim, b"x").unwrap();
                fs::set_permissions(&victim, fs::Permissions::from_mode(0o666)).unwrap();
                let exec = f.0.join(format!("{tree}/exec-{uid}"));
                executable::write_executable(&exec, &[0u8; 64], 0o755);
            }
        }
        let dir = f.0.to_str().unwrap().to_string();
        for mode in child::MODES {
            let env = [
                ("SECLUDE_FIXTURE", dir.as_str()),
                ("SECLUDE_RIGHT_CASE", &i.to_string()),
            ];
            child::run_with_env(TEST, mode, &env, || {
                let root = fixture();
                let case = &RIGHT_CASES[std::env::var("SECLUDE_RIGHT_CASE")
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()];
                let uid = unsafe { libc::getuid() };
                let request = Request {
                    fs: abi_version().fs(),
                    ..Request::EMPTY
                };
                let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
                ruleset
                    .allow_path(&c(&root.join("inside")), case.right | case.with)
                    .unwrap();
                ruleset.restrict_self().unwrap();
                let inside = (case.op)(&root.join("inside"), uid);
                let outside = (case.op)(&root.join("outside"), uid);
                if outside.map_err(|e| e.kind()).err() != Some(ErrorKind::PermissionDenied) {
                    return 1;
                }
                // Device nodes also need CAP_MKNOD: as nobody, the kernel
                // refuses them inside too (with EPERM, not Landlock's EACCES).
                let devices = AccessFs::MAKE_CHAR | AccessFs::MAKE_BLOCK;
                if uid != 0 && devices.contains(case.right) {
                    return if inside.map_err(|e| e.raw_os_error()).err() == Some(Some(libc::EPERM))
                    {
                        0
                    } else {
                        2
                    };
                }
                if inside.is_err() {
                    return 3;
                }
                0
            })
            .assert_success(&format!("{:?} ({mode:?})", case.right));
        }
    }
}

#[test]
fn openat_beneath_an_earlier_opened_directory_is_still_denied() {
    const TEST: &str = "openat_beneath_an_earlier_opened_directory_is_still_denied";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        // A directory fd opened before the restriction, outside the rules.
        let outside = fs::File::open(root.join("outside")).unwrap();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        let mut ruleset = Ruleset::new(&request, Compatibility::HardRequirement).unwrap();
        ruleset
            .allow_path(&c(&root.join("inside")), AccessFs::READ_FILE)
            .unwrap();
        ruleset.restrict_self().unwrap();
        use std::os::fd::AsRawFd;
        // SAFETY: openat(2) relative to a valid directory fd.
        let fd = unsafe { libc::openat(outside.as_raw_fd(), c"file".as_ptr(), libc::O_RDONLY) };
        if fd >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EACCES) {
            return 1;
        }
        0
    });
}

#[test]
fn o_path_and_stat_still_work_outside() {
    const TEST: &str = "o_path_and_stat_still_work_outside";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let request = Request {
            fs: abi_version().fs(),
            ..Request::EMPTY
        };
        Ruleset::new(&request, Compatibility::HardRequirement)
            .unwrap()
            .restrict_self()
            .unwrap();
        let file = c(&root.join("outside/file"));
        // SAFETY: open(2) with O_PATH on a NUL-terminated path.
        let fd = unsafe { libc::open(file.as_ptr(), libc::O_PATH) };
        if fd < 0 {
            return 1;
        }
        if fs::metadata(root.join("outside/file"))
            .map(|m| m.len())
            .ok()
            != Some(8)
        {
            return 2;
        }
        if read(&root.join("outside/file")) != DENIED {
            return 3;
        }
        0
    });
}
