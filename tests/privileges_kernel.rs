//! Privilege dropping against the real kernel, as root and as uid 65534
//! without capabilities. Every body runs in its own child process: the
//! changes cannot be undone.

#[path = "support/child.rs"]
mod child;
#[path = "support/executable.rs"]
mod executable;

use child::{Mode, NOBODY};
use seclude::Compatibility;
use seclude::privileges::{
    CapSets, Capabilities, Capability, CloseMethod, Outcome, PrivilegeError, Privileges, Reason,
    Resource, SecureBits, Step, close_fds_except,
};
use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fails the body with a message on stderr (which the parent prints).
macro_rules! check {
    ($cond:expr, $($msg:tt)*) => {
        if !$cond {
            eprintln!("check failed: {}: {}", stringify!($cond), format!($($msg)*));
            return 1;
        }
    };
}

/// A `Cap*` line of the calling thread's status, as a number. The raw
/// calls change the calling thread's credentials only, and the body may not
/// run on the main thread (which /proc/self/status describes).
fn status_caps(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .unwrap();
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

/// The `Groups:` line of the calling thread's status, without the field name.
fn status_groups() -> String {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Groups:")).unwrap();
    line["Groups:".len()..].trim().to_string()
}

fn prctl_securebits() -> i32 {
    unsafe { libc::prctl(libc::PR_GET_SECUREBITS, 0, 0, 0, 0) }
}

fn res_uids() -> (u32, u32, u32) {
    let (mut r, mut e, mut s) = (0, 0, 0);
    assert_eq!(unsafe { libc::getresuid(&mut r, &mut e, &mut s) }, 0);
    (r, e, s)
}

fn res_gids() -> (u32, u32, u32) {
    let (mut r, mut e, mut s) = (0, 0, 0);
    assert_eq!(unsafe { libc::getresgid(&mut r, &mut e, &mut s) }, 0);
    (r, e, s)
}

fn unprivileged() -> bool {
    child::unprivileged()
}

#[test]
fn drop_privileges_empties_every_set() {
    child::run_both("drop_privileges_empties_every_set", || {
        let report = Privileges::new().drop_privileges().expect("drop");
        for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
            check!(status_caps(set) == 0, "{set} {:#x}", status_caps(set));
        }
        check!(report.state.caps == CapSets::EMPTY, "{report:?}");
        check!(report.capabilities == Outcome::Applied, "{report:?}");
        check!(report.ambient == Outcome::Applied, "{report:?}");
        check!(report.ids == Outcome::NotRequested, "{report:?}");
        let bounding = status_caps("CapBnd");
        check!(
            report.state.bounding.bits() == bounding,
            "{report:?} vs {bounding:#x}"
        );
        check!(report.state.ambient.is_empty(), "{report:?}");
        if unprivileged() {
            // Cannot be dropped without CAP_SETPCAP: reported, not claimed.
            let skipped = Outcome::Skipped(Reason::MissingCapSetpcap);
            check!(report.bounding_set == skipped, "{report:?}");
            check!(report.securebits == skipped, "{report:?}");
            check!(bounding != 0, "the bounding set was full: {bounding:#x}");
        } else {
            check!(bounding == 0, "CapBnd {bounding:#x}");
            check!(report.bounding_set == Outcome::Applied, "{report:?}");
            check!(report.securebits == Outcome::Applied, "{report:?}");
        }
        0
    });
}

#[test]
fn a_hard_requirement_fails_without_cap_setpcap() {
    let exit = child::run(
        "a_hard_requirement_fails_without_cap_setpcap",
        Mode::Unprivileged,
        || {
            let r = Privileges::new()
                .compatibility(Compatibility::HardRequirement)
                .drop_privileges();
            let expected = PrivilegeError::Unmet {
                step: Step::SecureBits,
                reason: Reason::MissingCapSetpcap,
            };
            check!(r == Err(expected), "{r:?}");
            check!(
                expected.to_string().contains("BestEffort"),
                "advice: {expected}"
            );
            // Nothing after the failing step was done: the bounding set is
            // intact, and so are the (empty) ids.
            check!(status_caps("CapBnd") != 0, "bounding set touched");
            // Without securebits, the bounding set is the first refusal.
            let r = Privileges::new()
                .securebits(false)
                .compatibility(Compatibility::HardRequirement)
                .drop_privileges();
            check!(
                matches!(
                    r,
                    Err(PrivilegeError::Unmet {
                        step: Step::BoundingSet,
                        ..
                    })
                ),
                "{r:?}"
            );
            0
        },
    );
    exit.assert_success("a_hard_requirement_fails_without_cap_setpcap");
}

#[test]
fn a_named_capability_survives_the_uid_change() {
    let exit = child::run(
        "a_named_capability_survives_the_uid_change",
        Mode::Root,
        || {
            let report = Privileges::new()
                .user(NOBODY, NOBODY)
                .keep(Capabilities::NET_BIND_SERVICE)
                .compatibility(Compatibility::HardRequirement)
                .drop_privileges()
                .expect("drop");
            let bit = 1u64 << Capability::NetBindService as u8;
            for set in ["CapEff", "CapPrm", "CapBnd"] {
                check!(status_caps(set) == bit, "{set} {:#x}", status_caps(set));
            }
            for set in ["CapInh", "CapAmb"] {
                check!(status_caps(set) == 0, "{set} {:#x}", status_caps(set));
            }
            check!(res_uids() == (NOBODY, NOBODY, NOBODY), "{:?}", res_uids());
            check!(report.capabilities == Outcome::Applied, "{report:?}");
            // And it works: port 80 can be bound as nobody.
            let bound = std::net::TcpListener::bind("127.0.0.1:80");
            check!(bound.is_ok(), "bind to port 80: {bound:?}");
            0
        },
    );
    exit.assert_success("a_named_capability_survives_the_uid_change");
}

#[test]
fn keeping_what_is_not_held_is_reported() {
    let exit = child::run(
        "keeping_what_is_not_held_is_reported",
        Mode::Unprivileged,
        || {
            let keep = Capabilities::NET_BIND_SERVICE;
            let r = Privileges::new()
                .keep(keep)
                .compatibility(Compatibility::HardRequirement)
                .securebits(false)
                .drop_privileges();
            check!(
                r == Err(PrivilegeError::Unmet {
                    step: Step::Capabilities,
                    reason: Reason::NotPermitted(keep),
                }),
                "{r:?}"
            );
            let report = Privileges::new().keep(keep).drop_privileges().unwrap();
            check!(
                report.capabilities == Outcome::Partial(Reason::NotPermitted(keep)),
                "{report:?}"
            );
            check!(status_caps("CapEff") == 0, "CapEff");
            0
        },
    );
    exit.assert_success("keeping_what_is_not_held_is_reported");
}

#[test]
fn securebits_are_locked() {
    let exit = child::run("securebits_are_locked", Mode::Root, || {
        // Keep CAP_SETPCAP, so that a refusal below is the lock's doing.
        let report = Privileges::new()
            .keep(Capabilities::SETPCAP)
            .drop_privileges()
            .unwrap();
        let expected = SecureBits::DEFAULT_LOCK.bits() as i32;
        check!(prctl_securebits() == expected, "{:#x}", prctl_securebits());
        check!(report.securebits == Outcome::Applied, "{report:?}");
        check!(
            report.state.securebits == SecureBits::DEFAULT_LOCK,
            "{report:?}"
        );
        let set =
            |v: i32| unsafe { libc::prctl(libc::PR_SET_SECUREBITS, v as libc::c_ulong, 0, 0, 0) };
        // Setting the same value is allowed: CAP_SETPCAP is still there.
        check!(set(expected) == 0, "control");
        // Unsetting a locked flag, releasing a lock, setting KEEP_CAPS:
        // all refused.
        let noroot = SecureBits::NOROOT.bits() as i32;
        let lock = SecureBits::NOROOT_LOCKED.bits() as i32;
        let keep_caps = SecureBits::KEEP_CAPS.bits() as i32;
        for attempt in [expected & !noroot, expected & !lock, expected | keep_caps] {
            check!(set(attempt) == -1, "{attempt:#x} accepted");
            check!(
                std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM),
                "{attempt:#x}"
            );
        }
        check!(prctl_securebits() == expected, "changed");
        0
    });
    exit.assert_success("securebits_are_locked");
}

#[test]
fn securebits_are_left_alone_when_not_asked() {
    // The control for the test above: the bits come from the policy.
    const TEST: &str = "securebits_are_left_alone_when_not_asked";
    let exit = child::run(TEST, Mode::Root, || {
        let report = Privileges::new()
            .securebits(false)
            .drop_privileges()
            .unwrap();
        check!(report.securebits == Outcome::NotRequested, "{report:?}");
        check!(prctl_securebits() == 0, "{:#x}", prctl_securebits());
        0
    });
    exit.assert_success(TEST);
}

#[test]
fn user_and_group_change() {
    child::run_both("user_and_group_change", || {
        if !unprivileged() {
            // Some supplementary groups to clear.
            let groups = [1 as libc::gid_t, 2];
            assert_eq!(unsafe { libc::setgroups(2, groups.as_ptr()) }, 0);
            assert_eq!(status_groups(), "1 2");
        }
        let report = Privileges::new().user(NOBODY, NOBODY).drop_privileges();
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        };
        check!(report.ids == Outcome::Applied, "{report:?}");
        check!(res_uids() == (NOBODY, NOBODY, NOBODY), "{:?}", res_uids());
        check!(res_gids() == (NOBODY, NOBODY, NOBODY), "{:?}", res_gids());
        check!(status_groups().is_empty(), "Groups: {}", status_groups());
        let ours = seclude::privileges::getresuid().unwrap();
        check!(ours.all(NOBODY), "{ours:?}");
        // The kernel resets the dumpable flag on a uid change; the step puts
        // it back.
        let d = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        check!(d == 0, "dumpable {d}");
        if unprivileged() {
            // Becoming root again is refused, with the step named.
            let r = Privileges::new().user(0, 0).drop_privileges();
            check!(
                r == Err(PrivilegeError::Failed {
                    step: Step::Gid,
                    errno: seclude::Errno::EPERM
                }),
                "{r:?}"
            );
            check!(r.unwrap_err().to_string().contains("CAP_SETGID"), "advice");
        }
        0
    });
}

const SETUID_DIR: &str = "SECLUDE_SETUID_DIR";

/// A directory on a filesystem that honours setuid bits, open to every
/// user, with setuid-root copies of `id` and `cat`.
struct SetuidFixture(PathBuf);

impl SetuidFixture {
    fn new(test: &str) -> SetuidFixture {
        let candidates = [
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
            std::env::temp_dir(),
        ];
        let base = candidates
            .iter()
            .find(|p| {
                let c = CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
                let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
                let ok = unsafe { libc::statvfs(c.as_ptr(), &mut st) } == 0;
                ok && st.f_flag & libc::ST_NOSUID == 0
            })
            .expect("a filesystem not mounted nosuid for the setuid test");
        let dir = base.join(format!("seclude-setuid-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        for tool in ["id", "cat"] {
            let from = Path::new("/usr/bin").join(tool);
            let to = dir.join(tool);
            executable::copy_executable(&from, &to, 0o755);
            std::os::unix::fs::chown(&to, Some(0), Some(0)).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o4755)).unwrap();
        }
        SetuidFixture(dir)
    }
}

impl Drop for SetuidFixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn setuid_tool(tool: &str) -> PathBuf {
    PathBuf::from(std::env::var(SETUID_DIR).unwrap()).join(tool)
}

fn euid_of_setuid_id() -> String {
    let out = Command::new(setuid_tool("id")).arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_setuid_root_binary_gains_nothing() {
    const TEST: &str = "a_setuid_root_binary_gains_nothing";
    let fixture = SetuidFixture::new(TEST);
    let dir = fixture.0.to_str().unwrap();
    let exit = child::run_with_env(TEST, Mode::Unprivileged, &[(SETUID_DIR, dir)], || {
        // Control: the bit works on this filesystem, for this user.
        check!(
            euid_of_setuid_id() == "0",
            "control: {}",
            euid_of_setuid_id()
        );
        seclude::seccomp::set_no_new_privs().unwrap();
        let report = Privileges::new().apply().unwrap();
        check!(report.drop.capabilities == Outcome::Applied, "{report:?}");
        let euid = euid_of_setuid_id();
        check!(
            euid == NOBODY.to_string(),
            "euid after no_new_privs: {euid}"
        );
        0
    });
    exit.assert_success(TEST);
}

/// The capabilities a setuid-root `cat` of /proc/self/status starts with.
fn setuid_cat_permitted() -> u64 {
    let out = Command::new(setuid_tool("cat"))
        .arg("/proc/self/status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text.lines().find(|l| l.starts_with("CapPrm:")).unwrap();
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

#[test]
fn noroot_keeps_a_setuid_root_binary_powerless() {
    const TEST: &str = "noroot_keeps_a_setuid_root_binary_powerless";
    let fixture = SetuidFixture::new(TEST);
    let dir = fixture.0.to_str().unwrap();
    // Root drops to nobody keeping CAP_NET_BIND_SERVICE in the bounding
    // set, without no_new_privs: the setuid bit still makes `cat` euid 0,
    // and only the locked NOROOT bit stops it from being granted the
    // bounding set's capability.
    let exit = child::run_with_env(TEST, Mode::Root, &[(SETUID_DIR, dir)], || {
        Privileges::new()
            .user(NOBODY, NOBODY)
            .keep(Capabilities::NET_BIND_SERVICE)
            .drop_privileges()
            .unwrap();
        let p = setuid_cat_permitted();
        check!(p == 0, "setuid cat got {p:#x}");
        0
    });
    exit.assert_success(TEST);
}

#[test]
fn without_noroot_a_setuid_root_binary_gets_the_bounding_set() {
    // The control for the test above: the same, without the securebits.
    const TEST: &str = "without_noroot_a_setuid_root_binary_gets_the_bounding_set";
    let fixture = SetuidFixture::new(TEST);
    let dir = fixture.0.to_str().unwrap();
    let exit = child::run_with_env(TEST, Mode::Root, &[(SETUID_DIR, dir)], || {
        Privileges::new()
            .user(NOBODY, NOBODY)
            .keep(Capabilities::NET_BIND_SERVICE)
            .securebits(false)
            .drop_privileges()
            .unwrap();
        // Kept across the uid change through PR_SET_KEEPCAPS, as the
        // securebits were not asked for.
        let bit = Capabilities::NET_BIND_SERVICE.bits();
        check!(
            status_caps("CapEff") == bit,
            "CapEff {:#x}",
            status_caps("CapEff")
        );
        check!(
            status_caps("CapPrm") == bit,
            "CapPrm {:#x}",
            status_caps("CapPrm")
        );
        let p = setuid_cat_permitted();
        check!(p == bit, "setuid cat got {p:#x}");
        0
    });
    exit.assert_success(TEST);
}

/// The soft and hard limit, through libc (a macro: the resource's type is
/// glibc's enum or musl's int).
macro_rules! limits {
    ($resource:expr) => {{
        let mut l: libc::rlimit = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::getrlimit($resource, &mut l) }, 0);
        (l.rlim_cur as u64, l.rlim_max as u64)
    }};
}

#[test]
fn rlimits_are_lowered_and_never_raised() {
    child::run_both("rlimits_are_lowered_and_never_raised", || {
        let r = Privileges::new()
            .rlimit(Resource::Nofile, 100)
            .apply_rlimits();
        check!(r == Ok(Outcome::Applied), "{r:?}");
        check!(
            limits!(libc::RLIMIT_CORE) == (0, 0),
            "{:?}",
            limits!(libc::RLIMIT_CORE)
        );
        check!(
            limits!(libc::RLIMIT_NOFILE) == (100, 100),
            "{:?}",
            limits!(libc::RLIMIT_NOFILE)
        );
        let proc_limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = proc_limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        check!(
            core.split_whitespace().collect::<Vec<_>>()[4..6] == ["0", "0"],
            "{core}"
        );
        // Above the hard limit: clamped (best effort), skipped (soft),
        // refused (hard); the limit never goes up.
        let above = Privileges::new()
            .no_rlimit(Resource::Core)
            .rlimit(Resource::Nofile, 1000);
        let reason = Reason::AboveHardLimit {
            resource: Resource::Nofile,
            requested: 1000,
            hard: 100,
        };
        let r = above.apply_rlimits();
        check!(r == Ok(Outcome::Partial(reason)), "{r:?}");
        let r = above
            .compatibility(Compatibility::SoftRequirement)
            .apply_rlimits();
        check!(r == Ok(Outcome::Skipped(reason)), "{r:?}");
        let r = above
            .compatibility(Compatibility::HardRequirement)
            .apply_rlimits();
        check!(
            r == Err(PrivilegeError::Unmet {
                step: Step::Rlimit(Resource::Nofile),
                reason
            }),
            "{r:?}"
        );
        check!(
            limits!(libc::RLIMIT_NOFILE) == (100, 100),
            "{:?}",
            limits!(libc::RLIMIT_NOFILE)
        );
        // The raw call is refused by the kernel itself without
        // CAP_SYS_RESOURCE.
        let raw = seclude::privileges::setrlimit(
            Resource::Nofile,
            seclude::privileges::Rlimit {
                soft: 1000,
                hard: 1000,
            },
        );
        if unprivileged() {
            check!(raw == Err(seclude::Errno::EPERM), "{raw:?}");
        }
        0
    });
}

/// Opens pipes, moves them to high numbers, and returns the numbers.
fn high_fds() -> [i32; 4] {
    let targets = [100, 101, 200, 1000];
    for pair in targets.chunks(2) {
        let mut fds = [0; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        for (fd, target) in fds.iter().zip(pair) {
            assert!(unsafe { libc::dup2(*fd, *target) } == *target);
            unsafe { libc::close(*fd) };
        }
    }
    targets
}

fn is_open(fd: i32) -> bool {
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

#[test]
fn close_fds_keeps_only_the_kept_ones() {
    child::run_both("close_fds_keeps_only_the_kept_ones", || {
        for method in [
            CloseMethod::Auto,
            CloseMethod::CloseRange,
            CloseMethod::ProcSelfFd,
            CloseMethod::UpToLimit,
        ] {
            let fds = high_fds();
            for fd in fds {
                check!(is_open(fd), "{method:?}: {fd} not open before");
            }
            let used = close_fds_except(&[101, 7, -1], method);
            let expect = match method {
                CloseMethod::Auto => CloseMethod::CloseRange,
                m => m,
            };
            check!(used == Ok(expect), "{method:?}: {used:?}");
            for fd in [100, 200, 1000] {
                check!(!is_open(fd), "{method:?}: {fd} still open");
                check!(
                    std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF),
                    "{method:?}"
                );
            }
            check!(is_open(101), "{method:?}: the kept one was closed");
            for fd in 0..3 {
                check!(is_open(fd), "{method:?}: {fd} closed");
            }
            // Nothing else is left above 2 but the kept one.
            let left: Vec<String> = std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            // read_dir's own descriptor shows up too; it is closed by now.
            let above: Vec<i32> = left
                .iter()
                .map(|n| n.parse::<i32>().unwrap())
                .filter(|&fd| fd > 2 && fd != 101 && is_open(fd))
                .collect();
            check!(above.is_empty(), "{method:?}: left open: {above:?}");
            unsafe { libc::close(101) };
        }
        // Through the policy, after the process became non-dumpable.
        let fds = high_fds();
        let r = Privileges::new()
            .close_fds_except(&[fds[3]])
            .apply_dumpable();
        check!(r == Ok(Outcome::Applied), "{r:?}");
        let r = Privileges::new().close_fds_except(&[fds[3]]).close_fds();
        check!(r == Ok(Outcome::Applied), "{r:?}");
        check!(!is_open(fds[0]) && is_open(fds[3]), "policy close");
        0
    });
}

#[test]
fn the_process_is_not_dumpable() {
    child::run_both("the_process_is_not_dumpable", || {
        // The harness's own uid change may have cleared the flag
        // (fs.suid_dumpable): set it, so the step has something to do.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) };
        let before = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        check!(before == 1, "dumpable before: {before}");
        let report = Privileges::new().apply().unwrap();
        check!(report.dumpable == Outcome::Applied, "{report:?}");
        let d = unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) };
        check!(d == 0, "dumpable {d}");
        check!(seclude::sys::process::dumpable() == Ok(0), "ours");
        // dumpable(true) leaves the flag alone.
        let r = Privileges::new().dumpable(true).apply_dumpable();
        check!(r == Ok(Outcome::NotRequested), "{r:?}");
        0
    });
}
