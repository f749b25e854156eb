//! `unveil` against the real kernel, as root and as uid 65534 without
//! capabilities: the behaviours programs rely on.

#[path = "support/child.rs"]
mod child;
#[path = "support/executable.rs"]
mod executable;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::{DENIED, Fixture, c, fixture, read, write};
use seclude::landlock::{AccessFs, Enforcement, Unveil, UnveilError, abi_version};
use std::ffi::CString;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

/// What a dynamically linked program needs to be executed: the program
/// directories and the loader's libraries.
fn unveil_system<'a, const N: usize>(u: &mut Unveil<'a, N>) {
    u.unveil(c"/usr", "rx").unwrap();
    u.unveil(c"/lib64", "rx").unwrap();
    u.unveil(c"/etc/ld.so.cache", "r").unwrap();
    u.unveil(c"/dev/null", "rw").unwrap();
}

#[test]
fn x_alone_is_enough_to_execute() {
    const TEST: &str = "x_alone_is_enough_to_execute";
    Fixture::new(TEST).run_both(TEST, || {
        let mut u: Unveil<'_, 8> = Unveil::new();
        u.unveil(c"/usr/bin/true", "x").unwrap();
        u.unveil(c"/usr/lib", "r").unwrap();
        u.unveil(c"/usr/lib64", "r").unwrap();
        u.unveil(c"/lib64", "r").unwrap();
        u.unveil(c"/etc/ld.so.cache", "r").unwrap();
        u.unveil(c"/dev/null", "rw").unwrap();
        // The loader itself is executed by the kernel: x on it too.
        u.unveil(c"/lib64/ld-linux-x86-64.so.2", "x").unwrap();
        u.skip_missing_paths().commit().unwrap();
        if !Command::new("/usr/bin/true")
            .status()
            .is_ok_and(|s| s.success())
        {
            return 1;
        }
        0
    });
}

#[test]
fn a_path_unveiled_if_present_is_left_out_when_missing_and_enforced_when_there() {
    const TEST: &str =
        "a_path_unveiled_if_present_is_left_out_when_missing_and_enforced_when_there";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let missing = c(&root.join("inside/none/deeper"));
        let under_a_file = c(&root.join("inside/file/x"));
        // Without "if present", a missing path is an error naming it.
        let mut strict: Unveil<'_, 2> = Unveil::new();
        strict.unveil(&inside, "r").unwrap();
        strict.unveil(&missing, "r").unwrap();
        match strict.prepare() {
            Err(UnveilError::Path { index: 1, errno }) if errno == seclude::Errno::ENOENT => {}
            other => {
                eprintln!("{other:?}");
                return 1;
            }
        }
        let mut u: Unveil<'_, 4> = Unveil::new();
        u.unveil_if_present(&missing, "r").unwrap();
        u.unveil_if_present(&under_a_file, "r").unwrap();
        u.unveil_if_present(&inside, "r").unwrap();
        u.commit().unwrap();
        // The present path is unveiled, and nothing else is.
        if read(&root.join("inside/file")).is_err() {
            return 2;
        }
        if read(&root.join("outside/file")).is_ok() {
            return 3;
        }
        0
    });
}

#[test]
fn bad_permission_letters_are_typed_errors() {
    let mut u: Unveil<'_, 2> = Unveil::new();
    assert_eq!(
        u.unveil(c"/tmp", "rwz"),
        Err(UnveilError::BadPermission('z'))
    );
    assert_eq!(u.unveil(c"/tmp", ""), Err(UnveilError::NoPermissions));
    assert!(u.is_empty());
}

#[test]
fn an_rwc_directory_allows_creating_but_not_executing() {
    const TEST: &str = "an_rwc_directory_allows_creating_but_not_executing";
    let f = Fixture::new(TEST);
    // A copy of true(1) inside, executable by everyone.
    let prog = f.0.join("inside/prog");
    executable::copy_executable(std::path::Path::new("/usr/bin/true"), &prog, 0o755);
    f.run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 8> = Unveil::new();
        u.unveil(&inside, "rwc").unwrap();
        unveil_system(&mut u);
        // Best effort on this kernel: everything but the rights it lacks
        // (ABI 9's RESOLVE_UNIX on an ABI 7 kernel), and the plan says so.
        let plan = u.commit().unwrap();
        let missing = AccessFs::all().difference(abi_version().fs());
        let expected = if missing.is_empty() {
            Enforcement::Full
        } else {
            Enforcement::Partial
        };
        if plan.enforcement != expected || plan.dropped.fs != missing {
            return 1;
        }
        let uid = unsafe { libc::getuid() };
        if fs::write(root.join(format!("inside/created-{uid}")), b"x").is_err() {
            return 2;
        }
        let denied = Command::new(root.join("inside/prog")).status();
        if denied.map_err(|e| e.kind()).err() != Some(ErrorKind::PermissionDenied) {
            return 3;
        }
        // The system's own true(1) runs: x on /usr.
        if !Command::new("/usr/bin/true")
            .status()
            .is_ok_and(|s| s.success())
        {
            return 4;
        }
        0
    });
}

#[test]
fn a_symlink_inside_pointing_outside_does_not_escape() {
    const TEST: &str = "a_symlink_inside_pointing_outside_does_not_escape";
    let f = Fixture::new(TEST);
    std::os::unix::fs::symlink("../outside/file", f.0.join("inside/link")).unwrap();
    f.run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 1> = Unveil::new();
        u.unveil(&inside, "r").unwrap();
        u.commit().unwrap();
        if read(&root.join("inside/file")).is_err() {
            return 1;
        }
        if read(&root.join("inside/link")) != DENIED {
            return 2;
        }
        0
    });
}

#[test]
fn renaming_or_linking_an_outside_file_into_an_unveiled_directory_fails() {
    const TEST: &str = "renaming_or_linking_an_outside_file_into_an_unveiled_directory_fails";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 1> = Unveil::new();
        u.unveil(&inside, "rwc").unwrap();
        u.commit().unwrap();
        let uid = unsafe { libc::getuid() };
        let target = root.join(format!("inside/moved-{uid}"));
        if fs::hard_link(root.join("outside/file"), &target).is_ok() {
            return 1;
        }
        if fs::rename(root.join("outside/file"), &target).is_ok() {
            return 2;
        }
        if fs::metadata(&target).is_ok() {
            return 3;
        }
        // Within the unveiled tree, rename works (REFER is part of "c").
        let a = root.join(format!("inside/a-{uid}"));
        fs::write(&a, b"x").unwrap();
        if fs::rename(&a, root.join(format!("inside/sub/b-{uid}"))).is_err() {
            return 4;
        }
        // And removal outside is denied.
        if fs::remove_file(root.join("outside/file")).is_ok() {
            return 5;
        }
        0
    });
}

#[test]
fn proc_is_hidden_unless_unveiled() {
    const TEST: &str = "proc_is_hidden_unless_unveiled";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 1> = Unveil::new();
        u.unveil(&inside, "r").unwrap();
        u.commit().unwrap();
        if fs::read_to_string("/proc/self/status")
            .map_err(|e| e.kind())
            .err()
            != Some(ErrorKind::PermissionDenied)
        {
            return 1;
        }
        0
    });
}

#[test]
fn a_hundred_single_files_are_unveiled_and_their_neighbours_are_not() {
    const TEST: &str = "a_hundred_single_files_are_unveiled_and_their_neighbours_are_not";
    let f = Fixture::new(TEST);
    fs::create_dir(f.0.join("many")).unwrap();
    for i in 0..200 {
        let path = f.0.join(format!("many/f{i}"));
        fs::write(&path, b"x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    }
    f.run_both(TEST, || {
        let root = fixture();
        let paths: Vec<CString> = (0..100)
            .map(|i| c(&root.join(format!("many/f{i}"))))
            .collect();
        let mut u: Unveil<'_, 100> = Unveil::new();
        for p in &paths {
            u.unveil(p, "r").unwrap();
        }
        u.commit().unwrap();
        for i in 0..200 {
            let result = read(&root.join(format!("many/f{i}")));
            if (i < 100) != result.is_ok() {
                return 1;
            }
        }
        // A file rule grants nothing on its directory.
        if fs::read_dir(root.join("many")).is_ok() {
            return 2;
        }
        0
    });
}

#[test]
fn a_second_commit_only_narrows() {
    const TEST: &str = "a_second_commit_only_narrows";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let all = c(&root);
        let inside = c(&root.join("inside"));
        let outside = c(&root.join("outside"));
        let mut first: Unveil<'_, 1> = Unveil::new();
        first.unveil(&all, "r").unwrap();
        first.commit().unwrap();
        if read(&root.join("outside/file")).is_err() || write(&root.join("outside/file")) != DENIED
        {
            return 1;
        }
        let mut second: Unveil<'_, 2> = Unveil::new();
        second.unveil(&inside, "r").unwrap();
        second.unveil(&outside, "rw").unwrap(); // cannot widen past the first layer
        second.commit().unwrap();
        if write(&root.join("outside/file")) != DENIED {
            return 2;
        }
        let mut third: Unveil<'_, 1> = Unveil::new();
        third.unveil(&inside, "r").unwrap();
        third.commit().unwrap();
        if read(&root.join("outside/file")) != DENIED || read(&root.join("inside/file")).is_err() {
            return 3;
        }
        0
    });
}

#[test]
fn threads_and_children_inherit_the_restriction() {
    const TEST: &str = "threads_and_children_inherit_the_restriction";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 8> = Unveil::new();
        u.unveil(&inside, "r").unwrap();
        unveil_system(&mut u);
        u.commit().unwrap();
        let outside = root.join("outside/file");
        let from_thread = {
            let outside = outside.clone();
            std::thread::spawn(move || read(&outside)).join().unwrap()
        };
        if from_thread != DENIED {
            return 1;
        }
        let cat = |path: &std::path::Path| {
            Command::new("/usr/bin/cat")
                .arg(path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
        };
        if cat(&root.join("inside/file")).ok() != Some(true) {
            return 2;
        }
        if cat(&outside).ok() != Some(false) {
            return 3;
        }
        0
    });
}

#[test]
fn a_missing_path_fails_the_commit_unless_skipped() {
    const TEST: &str = "a_missing_path_fails_the_commit_unless_skipped";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 2> = Unveil::new();
        u.unveil(&inside, "r").unwrap();
        u.unveil(c"/no/such/path", "r").unwrap();
        match u.commit() {
            Err(UnveilError::Path { index: 1, errno }) if errno == seclude::Errno::ENOENT => {}
            _ => return 1,
        }
        // Nothing was enforced by the failed commit.
        if read(&root.join("outside/file")).is_err() {
            return 2;
        }
        let mut u: Unveil<'_, 2> = Unveil::new().skip_missing_paths();
        u.unveil(&inside, "r").unwrap();
        u.unveil(c"/no/such/path", "r").unwrap();
        if u.commit().is_err() || read(&root.join("outside/file")) != DENIED {
            return 3;
        }
        0
    });
}

/// `execveat(fd, "", AT_EMPTY_PATH)` of a memfd: Landlock allows files of
/// internal mounts whatever was unveiled, so the supplement refuses
/// executing a descriptor. The memfd holds `false`: an exec that got
/// through ends the test child with status 1.
#[test]
fn executing_a_descriptor_is_refused_by_the_seccomp_supplement() {
    const TEST: &str = "executing_a_descriptor_is_refused_by_the_seccomp_supplement";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        // Read before anything is unveiled.
        let program = fs::read("/usr/bin/false").unwrap();
        let exec_memfd = || -> i64 {
            // SAFETY: a memfd written with the program, then executed by
            // descriptor with NULL-terminated argv and envp.
            unsafe {
                let fd = libc::memfd_create(c"seclude-test".as_ptr(), 0);
                if fd < 0 || libc::write(fd, program.as_ptr().cast(), program.len()) < 0 {
                    return -2;
                }
                let argv = [c"false".as_ptr(), std::ptr::null()];
                let envp: [*const libc::c_char; 1] = [std::ptr::null()];
                libc::syscall(
                    libc::SYS_execveat,
                    fd,
                    c"".as_ptr(),
                    argv.as_ptr(),
                    envp.as_ptr(),
                    libc::AT_EMPTY_PATH,
                )
            }
        };
        // The control: without the supplement the exec happens.
        // SAFETY: the grandchild only unveils and execs, then exits.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                let mut u: Unveil<'_, 5> = Unveil::new().without_seccomp_supplement();
                unveil_system(&mut u);
                u.unveil(&inside, "rwc").unwrap();
                u.commit().unwrap();
                exec_memfd();
                libc::_exit(77);
            }
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
            if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 1 {
                return 2; // false did not run: the test would prove nothing
            }
        }
        let mut u: Unveil<'_, 5> = Unveil::new();
        unveil_system(&mut u);
        u.unveil(&inside, "rwc").unwrap();
        u.commit().unwrap();
        let r = exec_memfd();
        let errno = std::io::Error::last_os_error().raw_os_error();
        if r != -1 || errno != Some(libc::EPERM) {
            return 3;
        }
        0
    });
}

#[test]
fn what_landlock_cannot_see_is_denied_by_the_seccomp_supplement() {
    const TEST: &str = "what_landlock_cannot_see_is_denied_by_the_seccomp_supplement";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        // A file this child owns, so ordinary permissions allow every call
        // below and only the supplement can refuse them.
        let own = own_file(&root);
        let file = c(&own);
        let mut u: Unveil<'_, 1> = Unveil::new();
        u.unveil(&inside, "rwc").unwrap();
        u.commit().unwrap();
        let eperm =
            |r: i32| r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        // SAFETY: plain libc calls on a NUL-terminated path and an open fd.
        unsafe {
            if !eperm(libc::chmod(file.as_ptr(), 0o600)) {
                return 1;
            }
            if !eperm(libc::chown(file.as_ptr(), libc::getuid(), libc::getgid())) {
                return 2;
            }
            if !eperm(libc::setxattr(
                file.as_ptr(),
                c"user.seclude".as_ptr(),
                b"x".as_ptr().cast(),
                1,
                0,
            )) {
                return 3;
            }
            if !eperm(libc::utimensat(
                libc::AT_FDCWD,
                file.as_ptr(),
                std::ptr::null(),
                0,
            )) {
                return 4;
            }
            let fd = libc::open(file.as_ptr(), libc::O_RDONLY);
            let mut flags: libc::c_long = 0;
            if fd < 0 || !eperm(libc::ioctl(fd, 0x4008_6602 as _, &mut flags)) {
                return 5; // FS_IOC_SETFLAGS (chattr)
            }
            // Reading and writing the unveiled file still work.
            if read(&root.join("inside/file")).is_err() || write(&root.join("inside/file")).is_err()
            {
                return 6;
            }
        }
        0
    });
}

#[test]
fn without_the_supplement_metadata_changes_stay_possible() {
    const TEST: &str = "without_the_supplement_metadata_changes_stay_possible";
    Fixture::new(TEST).run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let file = c(&own_file(&root));
        let mut u: Unveil<'_, 1> = Unveil::new().without_seccomp_supplement();
        u.unveil(&inside, "rwc").unwrap();
        u.commit().unwrap();
        // SAFETY: as above.
        unsafe {
            if libc::chmod(file.as_ptr(), 0o600) != 0 {
                return 1;
            }
            if libc::utimensat(libc::AT_FDCWD, file.as_ptr(), std::ptr::null(), 0) != 0 {
                return 2;
            }
        }
        0
    });
}

/// `inside/own-<uid>`, created by (and so owned by) the calling child.
fn own_file(root: &std::path::Path) -> std::path::PathBuf {
    let path = root.join(format!("inside/own-{}", unsafe { libc::getuid() }));
    fs::write(&path, b"seclude\n").unwrap();
    path
}

/// Before Landlock ABI 9 (Linux 7.1) connecting to a UNIX socket by path
/// is out of Landlock's sight, and seccomp sees only the address's
/// pointer: a sandboxed process used to reach every pathname socket it
/// could name, unveiled or not. The supplement refuses what could connect
/// (new UNIX sockets, datagram pairs) there; stream pairs and other
/// families stay. From ABI 9 Landlock refuses the connection itself.
/// `allow_unconfined_unix_sockets` opts out, and then the socket is
/// reachable: this is the gap the default closes.
#[test]
fn unix_sockets_that_landlock_cannot_confine_are_refused() {
    const TEST: &str = "unix_sockets_that_landlock_cannot_confine_are_refused";
    let (f, listener) = unix_fixture(TEST);
    f.run_both(TEST, || unix_sockets_under_unveil(false));
    drop(listener);
}

/// The opt-out, and the gap it opens before ABI 9.
#[test]
fn unconfined_unix_sockets_are_allowed_on_request() {
    const TEST: &str = "unconfined_unix_sockets_are_allowed_on_request";
    let (f, listener) = unix_fixture(TEST);
    f.run_both(TEST, || unix_sockets_under_unveil(true));
    drop(listener);
}

/// A fixture with a listener outside its `inside` directory, reachable by
/// both modes.
fn unix_fixture(test: &str) -> (Fixture, std::os::unix::net::UnixListener) {
    let f = Fixture::new(test);
    let path = f.0.join("listener");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o777)).unwrap();
    (f, listener)
}

fn unix_sockets_under_unveil(unconfined: bool) -> i32 {
    let confined = abi_version() >= seclude::landlock::AbiVersion::V9;
    let root = fixture();
    let inside = c(&root.join("inside"));
    let mut u: Unveil<'_, 1> = Unveil::new();
    if unconfined {
        u = u.allow_unconfined_unix_sockets();
    }
    u.unveil(&inside, "rwc").unwrap();
    u.commit().unwrap();
    let connect = std::os::unix::net::UnixStream::connect(root.join("listener"));
    let datagram = std::os::unix::net::UnixDatagram::pair();
    let refused = |r: Result<(), &std::io::Error>| {
        matches!(r, Err(e) if e.raw_os_error() == Some(libc::EPERM)
            || e.raw_os_error() == Some(libc::EACCES))
    };
    let connect = connect.as_ref().map(drop);
    let datagram = datagram.as_ref().map(drop);
    match (confined, unconfined) {
        // Landlock's own refusal: the socket is made, the connection
        // refused.
        (true, _) => {
            if !refused(connect) || datagram.is_err() {
                return 1;
            }
        }
        (false, false) => {
            if !refused(connect) || !refused(datagram) {
                return 2;
            }
        }
        (false, true) => {
            if connect.is_err() || datagram.is_err() {
                return 3;
            }
        }
    }
    // A connected stream pair cannot connect elsewhere, and other
    // families are not unveil's.
    if std::os::unix::net::UnixStream::pair().is_err() {
        return 4;
    }
    if std::net::UdpSocket::bind("127.0.0.1:0").is_err() {
        return 5;
    }
    0
}

/// io_uring's operations make no system call a filter could see: a ring
/// used to make a UNIX socket (`IORING_OP_SOCKET`) or set an extended
/// attribute (`IORING_OP_SETXATTR`) past the supplement's refusals. Under
/// unveil it is unavailable (ENOSYS, as under pledge), also with the
/// UNIX-socket opt-out.
#[test]
fn io_uring_is_unavailable_under_unveil() {
    const TEST: &str = "io_uring_is_unavailable_under_unveil";
    let f = Fixture::new(TEST);
    // The control: this kernel offers io_uring to both modes.
    let (open, _) = io_uring_setup();
    f.run_both(TEST, || {
        let root = fixture();
        let inside = c(&root.join("inside"));
        let mut u: Unveil<'_, 1> = Unveil::new().allow_unconfined_unix_sockets();
        u.unveil(&inside, "rwc").unwrap();
        u.commit().unwrap();
        match io_uring_setup() {
            (false, Some(libc::ENOSYS)) => 0,
            _ => 1,
        }
    });
    if !open {
        eprintln!(
            "{TEST}: io_uring is disabled here: the refusal was not compared with a working ring"
        );
    }
}

/// `io_uring_setup(4, params)`: whether a ring was made, and the errno if
/// not.
fn io_uring_setup() -> (bool, Option<i32>) {
    let mut params = [0u8; 120];
    // SAFETY: params is the 120-byte struct io_uring_params, zeroed.
    let fd = unsafe { libc::syscall(libc::SYS_io_uring_setup, 4, params.as_mut_ptr()) };
    if fd < 0 {
        return (false, std::io::Error::last_os_error().raw_os_error());
    }
    // SAFETY: the ring's descriptor, ours.
    unsafe { libc::close(fd as i32) };
    (true, None)
}
