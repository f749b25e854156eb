//! Namespaces against the real kernel, as root and as uid 65534 without
//! capabilities.
//!
//! The harness runs each body in a re-executed test binary, where libtest
//! has two threads (the body runs on a spawned one), and
//! `unshare(CLONE_NEWUSER)` refuses a multithreaded process. So every body
//! forks once more ([`single_threaded`]) and works in that child. As root,
//! the namespaces other than the user one are created without one (so
//! that path is tested too); unprivileged, every request includes it.

#[path = "support/child.rs"]
mod child;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;
use seclude::ns::{
    self, Bind, FsIsolation, IdMapping, MountFlags, NamespaceError, NamespaceRequest, Namespaces,
};
use seclude::sys::process::{self as process, ExitStatus, Forked};
use std::io::ErrorKind;

/// Runs `body` in a forked, single-threaded child and returns its exit
/// status (128 + the signal if one killed it).
fn single_threaded(body: impl FnOnce() -> i32) -> i32 {
    // libc's fork runs its atfork handlers (malloc's locks), so the child
    // may allocate; the other thread is parked in a join and holds nothing.
    match unsafe { libc::fork() } {
        0 => {
            // The harness dropped to uid 65534 from root, which made the
            // process non-dumpable: its /proc/self files (uid_map, ...)
            // then belong to root. A program started as an ordinary user
            // is dumpable; so is this child from here on
            // (`not_dumpable_is_diagnosed` covers the other case).
            unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) };
            let threads = threads();
            let status = if threads != 1 {
                eprintln!("the forked child has {threads} threads");
                90
            } else {
                body()
            };
            seclude::sys::exit_group(status);
        }
        pid if pid > 0 => match process::wait(pid) {
            Ok(ExitStatus::Exited(code)) => code,
            Ok(ExitStatus::Killed { signal, .. }) => 128 + signal,
            Err(e) => panic!("wait: {e}"),
        },
        _ => panic!("fork failed"),
    }
}

fn threads() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line[8..].trim().parse().unwrap()
}

/// Fails the body with `code` and a message unless `cond`.
macro_rules! check {
    ($code:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            eprintln!("check {} failed: {}", $code, format!($($msg)+));
            return $code;
        }
    };
}

/// `USER` when unprivileged (the other namespaces need it), nothing as root.
fn base() -> Namespaces {
    if child::unprivileged() {
        Namespaces::USER
    } else {
        Namespaces::empty()
    }
}

fn ns_link(path: &str) -> String {
    std::fs::read_link(path)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The first line of a `uid_map`/`gid_map` as numbers.
fn map_of(path: &str) -> Vec<Vec<u64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect()
}

#[test]
fn user_namespace_maps_read_back() {
    child::run_both("user_namespace_maps_read_back", || {
        for (mapping, base_code) in [(IdMapping::Own, 10), (IdMapping::Root, 20)] {
            let code = single_threaded(move || {
                let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
                let request = NamespaceRequest::new(Namespaces::USER).id_mapping(mapping);
                let report = match ns::unshare(&request) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("{e}");
                        return 1;
                    }
                };
                let (uid_in, gid_in) = match mapping {
                    IdMapping::Own => (uid, gid),
                    IdMapping::Root => (0, 0),
                };
                let uid_map = map_of("/proc/self/uid_map");
                check!(
                    2,
                    uid_map == [vec![uid_in as u64, uid as u64, 1]],
                    "{uid_map:?}"
                );
                let gid_map = map_of("/proc/self/gid_map");
                check!(
                    3,
                    gid_map == [vec![gid_in as u64, gid as u64, 1]],
                    "{gid_map:?}"
                );
                let setgroups = std::fs::read_to_string("/proc/self/setgroups").unwrap();
                check!(4, setgroups == "deny\n", "{setgroups:?}");
                let now = unsafe { (libc::getuid(), libc::geteuid(), libc::getgid()) };
                check!(5, now == (uid_in, uid_in, gid_in), "{now:?}");
                check!(6, report.ids.unwrap().uid_inside == uid_in, "{report:?}");
                check!(7, report.created == Namespaces::USER, "{report:?}");
                0
            });
            if code != 0 {
                return base_code + code;
            }
        }
        0
    });
}

#[test]
fn pid_namespace_applies_to_the_next_child() {
    child::run_both("pid_namespace_applies_to_the_next_child", || {
        single_threaded(|| {
            let before = seclude::sys::getpid();
            let request =
                NamespaceRequest::new(base() | Namespaces::PID).id_mapping(IdMapping::Root);
            if let Err(e) = ns::unshare(&request) {
                eprintln!("{e}");
                return 1;
            }
            check!(2, seclude::sys::getpid() == before, "the caller moved");
            match unsafe { process::fork(0) }.unwrap() {
                Forked::Child => {
                    let pid = seclude::sys::getpid();
                    seclude::sys::exit_group(if pid == 1 { 0 } else { 3 });
                }
                Forked::Parent(pid) => {
                    let status = process::wait(pid).unwrap();
                    check!(3, status == ExitStatus::Exited(0), "{status:?}");
                }
            }
            0
        })
    });
}

#[test]
fn clone_into_new_namespaces_then_enter_child() {
    child::run_both("clone_into_new_namespaces_then_enter_child", || {
        // No single_threaded here: clone works from a threaded process,
        // which is the point of enter_child.
        check!(1, threads() > 1, "expected libtest's second thread");
        // See single_threaded: the harness made the process non-dumpable.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) };
        let request = NamespaceRequest::new(Namespaces::USER | Namespaces::PID | Namespaces::UTS)
            .id_mapping(IdMapping::Root)
            .hostname("seclude-child");
        let (uid, gid) = (process::getuid(), process::getgid());
        match unsafe { process::fork(request.namespaces.bits() as u64) }.unwrap() {
            Forked::Child => {
                let code = match ns::enter_child(&request, uid, gid) {
                    Err(e) => {
                        eprintln!("{e}");
                        2
                    }
                    Ok(_) if seclude::sys::getpid() != 1 => 3,
                    Ok(_) if process::getuid() != 0 || process::geteuid() != 0 => 4,
                    Ok(_) => match std::fs::read_to_string("/proc/sys/kernel/hostname") {
                        Ok(name) if name == "seclude-child\n" => 0,
                        _ => 5,
                    },
                };
                seclude::sys::exit_group(code);
            }
            Forked::Parent(pid) => match process::wait(pid).unwrap() {
                ExitStatus::Exited(code) => code,
                other => panic!("{other:?}"),
            },
        }
    });
}

/// `IFF_UP` of `lo`, read with libc.
fn lo_is_up() -> bool {
    unsafe {
        let sock = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        assert!(sock >= 0);
        let mut req: libc::ifreq = std::mem::zeroed();
        for (d, s) in req.ifr_name.iter_mut().zip(b"lo") {
            *d = *s as libc::c_char;
        }
        assert_eq!(libc::ioctl(sock, libc::SIOCGIFFLAGS, &mut req), 0);
        libc::close(sock);
        req.ifr_ifru.ifru_flags & libc::IFF_UP as libc::c_short != 0
    }
}

fn interfaces() -> Vec<String> {
    std::fs::read_to_string("/proc/net/dev")
        .unwrap()
        .lines()
        .skip(2)
        .map(|l| l.split(':').next().unwrap().trim().to_string())
        .collect()
}

/// Whether a UDP datagram to 127.0.0.1 arrives.
fn loopback_works() -> bool {
    let Ok(rx) = std::net::UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let tx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    if tx.send_to(b"ping", rx.local_addr().unwrap()).is_err() {
        return false;
    }
    rx.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let mut buf = [0u8; 4];
    matches!(rx.recv(&mut buf), Ok(4))
}

#[test]
fn network_namespace_has_only_lo() {
    child::run_both("network_namespace_has_only_lo", || {
        for (up, base_code) in [(false, 10), (true, 20)] {
            let code = single_threaded(move || {
                let request = NamespaceRequest::new(base() | Namespaces::NET)
                    .id_mapping(IdMapping::Root)
                    .loopback_up(up);
                let report = match ns::unshare(&request) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("{e}");
                        return 1;
                    }
                };
                let names = interfaces();
                check!(2, names == ["lo"], "{names:?}");
                check!(3, lo_is_up() == up, "lo up: {}", lo_is_up());
                check!(4, loopback_works() == up, "127.0.0.1 reachable: {}", !up);
                check!(5, report.loopback_up == up, "{report:?}");
                0
            });
            if code != 0 {
                return base_code + code;
            }
        }
        0
    });
}

#[test]
fn mount_namespace_keeps_its_mounts() {
    let fixture = Fixture::new("ns-mount");
    fixture.run_both("mount_namespace_keeps_its_mounts", || {
        single_threaded(|| {
            let target = fixture::fixture().join("outside");
            let target_c = fixture::c(&target);
            let mut ready = [0i32; 2];
            let mut done = [0i32; 2];
            unsafe {
                assert_eq!(libc::pipe(ready.as_mut_ptr()), 0);
                assert_eq!(libc::pipe(done.as_mut_ptr()), 0);
            }
            let pid = unsafe { libc::fork() };
            if pid == 0 {
                let request =
                    NamespaceRequest::new(base() | Namespaces::MOUNT).id_mapping(IdMapping::Root);
                let mut code = 0;
                if let Err(e) = ns::unshare(&request) {
                    eprintln!("{e}");
                    code = 1;
                } else if unsafe {
                    libc::mount(
                        c"tmpfs".as_ptr(),
                        target_c.as_ptr(),
                        c"tmpfs".as_ptr(),
                        0,
                        std::ptr::null(),
                    )
                } != 0
                {
                    eprintln!("mount: {}", std::io::Error::last_os_error());
                    code = 2;
                }
                unsafe {
                    libc::write(ready[1], [code as u8].as_ptr().cast(), 1);
                    let mut b = [0u8; 1];
                    libc::read(done[0], b.as_mut_ptr().cast(), 1);
                }
                seclude::sys::exit_group(code);
            }
            let mut b = [0u8; 1];
            unsafe { libc::read(ready[0], b.as_mut_ptr().cast(), 1) };
            let target = target.to_str().unwrap().to_string();
            let has = |pid: &str| {
                std::fs::read_to_string(format!("/proc/{pid}/mountinfo"))
                    .unwrap()
                    .lines()
                    .any(|l| l.split(' ').nth(4) == Some(target.as_str()))
            };
            // The mount is there inside (so the check below can fail) and
            // not outside.
            let (inside, outside) = (has(&pid.to_string()), has("self"));
            unsafe { libc::write(done[1], [0u8].as_ptr().cast(), 1) };
            let status = process::wait(pid).unwrap();
            check!(
                3,
                b[0] == 0 && status == ExitStatus::Exited(0),
                "{status:?}"
            );
            check!(4, inside, "the mount is missing in the child's namespace");
            check!(5, !outside, "the mount leaked into the parent's namespace");
            0
        })
    });
}

#[test]
fn uts_namespace_has_its_own_hostname() {
    child::run_both("uts_namespace_has_its_own_hostname", || {
        let outer = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        let code = single_threaded(|| {
            let request = NamespaceRequest::new(base() | Namespaces::UTS)
                .id_mapping(IdMapping::Root)
                .hostname("seclude-uts");
            match ns::unshare(&request) {
                Ok(r) => check!(2, r.hostname_set, "{r:?}"),
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            }
            let mut buf = [0u8; 65];
            unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
            let name = std::ffi::CStr::from_bytes_until_nul(&buf).unwrap();
            check!(3, name == c"seclude-uts", "{name:?}");
            0
        });
        let after = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        check!(100 + code, code == 0, "inside");
        check!(4, after == outer, "{outer:?} became {after:?}");
        0
    });
}

#[test]
fn ipc_and_cgroup_namespaces_are_new() {
    child::run_both("ipc_and_cgroup_namespaces_are_new", || {
        single_threaded(|| {
            let kinds = ["ipc", "cgroup", "user"];
            let before: Vec<String> = kinds
                .iter()
                .map(|k| ns_link(&format!("/proc/self/ns/{k}")))
                .collect();
            let request = NamespaceRequest::new(base() | Namespaces::IPC | Namespaces::CGROUP);
            if let Err(e) = ns::unshare(&request) {
                eprintln!("{e}");
                return 1;
            }
            let parent = unsafe { libc::getppid() };
            for (i, kind) in kinds.iter().enumerate() {
                let mine = ns_link(&format!("/proc/self/ns/{kind}"));
                let theirs = ns_link(&format!("/proc/{parent}/ns/{kind}"));
                check!(
                    2,
                    theirs == before[i],
                    "{kind}: parent {theirs} vs {}",
                    before[i]
                );
                // The user namespace is new only when asked for.
                let expect_new = *kind != "user" || base().contains(Namespaces::USER);
                check!(
                    3,
                    (mine != theirs) == expect_new,
                    "{kind}: {mine} vs {theirs}"
                );
            }
            0
        })
    });
}

fn mount_options(mountinfo: &str, point: &str) -> Option<String> {
    // The last mount on a point is the visible one.
    mountinfo
        .lines()
        .rev()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .find(|f| f.get(4) == Some(&point))
        .map(|f| f[5].to_string())
}

#[test]
fn isolate_filesystem_shows_only_the_binds() {
    let fixture = Fixture::new("ns-isolate");
    fixture.run_both("isolate_filesystem_shows_only_the_binds", || {
        let out = fixture::fixture().join("inside");
        let code = single_threaded(|| {
            let request = NamespaceRequest::new(base() | Namespaces::MOUNT | Namespaces::PID)
                .id_mapping(IdMapping::Root);
            if let Err(e) = ns::unshare(&request) {
                eprintln!("{e}");
                return 1;
            }
            // The proc mount needs the PID namespace, which only the next
            // child is in.
            match unsafe { process::fork(0) }.unwrap() {
                Forked::Child => seclude::sys::exit_group(isolated_checks()),
                Forked::Parent(pid) => match process::wait(pid).unwrap() {
                    ExitStatus::Exited(code) => code,
                    other => panic!("{other:?}"),
                },
            }
        });
        check!(100 + code, code == 0, "inside");
        // Written inside, visible outside.
        let written = std::fs::read_to_string(out.join("written")).unwrap_or_default();
        // Removed, so that the next mode creates it again.
        let _ = std::fs::remove_file(out.join("written"));
        check!(2, written == "from inside", "{written:?}");
        0
    });
}

fn isolated_checks() -> i32 {
    let out = fixture::fixture().join("inside");
    let out_c = fixture::c(&out);
    let mut plan: FsIsolation<'_, 6> = FsIsolation::new().proc().tmp();
    plan.bind(Bind::new(c"/usr").flags(MountFlags::NOSUID | MountFlags::NODEV))
        .unwrap();
    // Symbolic links to usr/lib on merged-/usr systems: resolved under
    // /oldroot, so they bind the directory.
    plan.bind(Bind::new(c"/lib")).unwrap();
    plan.bind(Bind::new(c"/etc/hostname").flags(MountFlags::NOEXEC))
        .unwrap();
    plan.bind(Bind::new(&out_c).at(c"/out").writable(true))
        .unwrap();
    if let Err(e) = ns::isolate_filesystem(&plan) {
        eprintln!("{e}");
        return 10;
    }
    let mut names: Vec<String> = std::fs::read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    check!(
        11,
        names == ["etc", "lib", "out", "proc", "tmp", "usr"],
        "{names:?}"
    );
    let etc: Vec<_> = std::fs::read_dir("/etc").unwrap().collect();
    check!(12, etc.len() == 1, "{etc:?}");
    check!(13, std::fs::metadata("/usr/bin").is_ok(), "no /usr/bin");
    check!(14, std::fs::metadata("/lib").unwrap().is_dir(), "/lib");
    let ro = std::fs::write("/usr/seclude-test", b"x").map_err(|e| e.raw_os_error());
    check!(15, ro == Err(Some(libc::EROFS)), "{ro:?}");
    let ro = std::fs::write("/etc/hostname", b"x").map_err(|e| e.raw_os_error());
    check!(16, ro == Err(Some(libc::EROFS)), "{ro:?}");
    let root = std::fs::write("/new-file", b"x").map_err(|e| e.raw_os_error());
    check!(17, root == Err(Some(libc::EROFS)), "root: {root:?}");
    check!(
        18,
        std::fs::write("/out/written", b"from inside").is_ok(),
        "/out"
    );
    check!(19, std::fs::write("/tmp/scratch", b"x").is_ok(), "/tmp");
    check!(
        20,
        std::fs::metadata("/oldroot").map_err(|e| e.kind()).err() == Some(ErrorKind::NotFound),
        "/oldroot still there"
    );
    // The new /proc is the PID namespace's: this process is 1 in it.
    let me = std::fs::read_link("/proc/self").unwrap();
    check!(21, me.to_str() == Some("1"), "{me:?}");
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let usr = mount_options(&info, "/usr").unwrap_or_default();
    check!(22, usr.split(',').any(|o| o == "ro"), "/usr: {usr}");
    check!(
        23,
        usr.contains("nosuid") && usr.contains("nodev"),
        "/usr: {usr}"
    );
    check!(24, !usr.contains("noexec"), "/usr: {usr}");
    let host = mount_options(&info, "/etc/hostname").unwrap_or_default();
    check!(
        25,
        host.contains("noexec") && host.starts_with("ro"),
        "{host}"
    );
    let outm = mount_options(&info, "/out").unwrap_or_default();
    check!(26, outm.starts_with("rw"), "/out: {outm}");
    let rootm = mount_options(&info, "/").unwrap_or_default();
    check!(27, rootm.starts_with("ro"), "/: {rootm}");
    check!(28, !info.contains("oldroot"), "{info}");
    0
}

#[test]
fn multithreaded_unshare_is_diagnosed() {
    child::run_both("multithreaded_unshare_is_diagnosed", || {
        single_threaded(|| {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let thread = std::thread::spawn(move || rx.recv());
            let r = ns::unshare(&NamespaceRequest::new(Namespaces::USER));
            drop(tx);
            let _ = thread.join();
            check!(
                2,
                r == Err(NamespaceError::Multithreaded { threads: 2 }),
                "{r:?}"
            );
            let text = r.unwrap_err().to_string();
            check!(3, text.contains("enter_child"), "{text}");
            0
        })
    });
}

#[test]
fn max_user_namespaces_zero_is_diagnosed() {
    child::run_both("max_user_namespaces_zero_is_diagnosed", || {
        const LIMIT: &str = "/proc/sys/user/max_user_namespaces";
        let outer = std::fs::read_to_string(LIMIT).unwrap();
        let code = single_threaded(|| {
            let first = NamespaceRequest::new(Namespaces::USER).id_mapping(IdMapping::Root);
            if let Err(e) = ns::unshare(&first) {
                eprintln!("{e}");
                return 1;
            }
            // The limit is per user namespace (kernel/ucount.c): writable
            // by whoever has CAP_SYS_RESOURCE in it, checked against every
            // namespace up the chain when one is created under it.
            let original = std::fs::read_to_string(LIMIT).unwrap();
            check!(2, std::fs::write(LIMIT, "0").is_ok(), "write 0");
            let r = ns::unshare(&NamespaceRequest::new(Namespaces::USER));
            check!(
                3,
                r == Err(NamespaceError::Disabled {
                    namespace: Namespaces::USER
                }),
                "{r:?}"
            );
            let text = r.unwrap_err().to_string();
            check!(
                4,
                text.contains("sysctl -w user.max_user_namespaces="),
                "{text}"
            );
            // Restored, the same call works: it was the limit.
            check!(5, std::fs::write(LIMIT, original.trim()).is_ok(), "restore");
            let r = ns::unshare(&NamespaceRequest::new(Namespaces::USER));
            check!(6, r.is_ok(), "{r:?}");
            0
        });
        check!(100 + code, code == 0, "inside");
        // The machine's own limit never changed.
        let after = std::fs::read_to_string(LIMIT).unwrap();
        check!(7, after == outer, "{outer:?} became {after:?}");
        0
    });
}

#[test]
fn not_dumpable_is_diagnosed() {
    let exit = child::run(
        "not_dumpable_is_diagnosed",
        child::Mode::Unprivileged,
        || {
            single_threaded(|| {
                unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
                let r = ns::unshare(&NamespaceRequest::new(Namespaces::USER));
                check!(
                    2,
                    r == Err(NamespaceError::NotDumpable {
                        step: ns::Step::Setgroups
                    }),
                    "{r:?}"
                );
                0
            })
        },
    );
    exit.assert_success("unprivileged");
}

#[test]
fn non_user_namespaces_without_privilege_are_diagnosed() {
    // Only meaningful unprivileged: root may create them.
    let exit = child::run(
        "non_user_namespaces_without_privilege_are_diagnosed",
        child::Mode::Unprivileged,
        || {
            single_threaded(|| {
                let r = ns::unshare(&NamespaceRequest::new(Namespaces::NET));
                check!(
                    2,
                    r == Err(NamespaceError::NeedsUserNamespace {
                        namespaces: Namespaces::NET
                    }),
                    "{r:?}"
                );
                0
            })
        },
    );
    exit.assert_success("unprivileged");
}
