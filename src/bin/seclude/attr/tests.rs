//! Tests of the metadata calls seclude performs: decoding, times, the
//! helper's credentials.

use super::*;

/// A memfd shows as "/memfd:NAME (deleted)", but was never in `/`: it
/// is not beneath `/` unveiled with `w` (it used to be, as a removed
/// file of `/`), while a removed file of a writable directory is.
#[test]
fn a_memfd_is_beneath_no_root() {
    let roots = WritableRoots::open([(c"/", "rw")]);
    let memfd = fd::memfd_create(c"x", fd::MFD_CLOEXEC).unwrap();
    assert_eq!(roots.holds(&memfd), Ok(false));
    let dir = std::env::temp_dir().join(format!("seclude-attr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("removed");
    std::fs::write(&file, b"x").unwrap();
    let path = CString::new(file.as_os_str().as_bytes()).unwrap();
    let removed = fd::open(&path, fd::O_RDONLY | fd::O_CLOEXEC, 0).unwrap();
    std::fs::remove_file(&file).unwrap();
    let dir_c = CString::new(dir.as_os_str().as_bytes()).unwrap();
    let roots = WritableRoots::open([(dir_c.as_c_str(), "rw")]);
    assert_eq!(roots.holds(&removed), Ok(true));
    std::fs::remove_dir(&dir).unwrap();
}

#[test]
fn credentials_are_read_from_status_lines() {
    let status = "Name:\tx\nUid:\t1\t2\t3\t2\nGid:\t4\t5\t6\t5\nGroups:\t7 8 \nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000000400\n";
    let c = Credentials::parse(status).unwrap();
    assert_eq!(c.uids, [1, 2, 3]);
    assert_eq!(c.gids, [4, 5, 6]);
    assert_eq!(c.groups, [7, 8]);
    assert_eq!(c.caps, [0, 0x1ff_ffff_ffff, 0x400]);
    assert!(Credentials::parse("Uid:\t1\n").is_none());
}

#[test]
fn the_helpers_result_comes_back_through_its_exit_status() {
    assert_eq!(
        in_helper(|| Ok(Response::Return(0))),
        Ok(Response::Return(0))
    );
    assert_eq!(
        in_helper(|| Ok(Response::Error(Errno::EACCES))),
        Ok(Response::Error(Errno::EACCES))
    );
    for refusal in Refusal::ALL {
        assert_eq!(in_helper(|| Err(refusal)), Err(refusal));
    }
    // A helper killed (by the program, say) fails only its call.
    let killed = in_helper(|| {
        let _ = seclude::sys::process::kill(seclude::sys::getpid() as i32, 9);
        Ok(Response::Return(0))
    });
    assert_eq!(killed, Err(Refusal::Helper));
}

#[test]
fn only_plain_proc_self_fd_paths_name_the_programs_descriptors() {
    assert_eq!(proc_self_fd(b"/proc/self/fd/3"), Some(3));
    assert_eq!(proc_self_fd(b"/proc/thread-self/fd/12"), Some(12));
    assert_eq!(proc_self_fd(b"/proc/self/fd/3/x"), None);
    assert_eq!(proc_self_fd(b"/proc/self/fd/"), None);
    assert_eq!(proc_self_fd(b"/proc/1/fd/3"), None);
    assert_eq!(proc_self_fd(b"/proc/self/fd/03"), None);
}

#[test]
fn requests_follow_links_as_their_calls_do() {
    let args = |a: [u64; 6]| a;
    let lchown = decode(Syscall::lchown, &args([1, 5, 6, 0, 0, 0]), 0)
        .unwrap()
        .unwrap();
    assert!(!lchown.follow);
    assert_eq!(lchown.change, Change::Owner(5, 6));
    let at = decode(Syscall::fchownat, &args([3, 1, 5, 6, 0x1100, 0]), 0)
        .unwrap()
        .unwrap();
    assert!(!at.follow && at.empty_path);
    assert_eq!(at.target, Target::Path { dir: 3, address: 1 });
    let futimens = decode(Syscall::utimensat, &args([4, 0, 0, 0, 0, 0]), 0)
        .unwrap()
        .unwrap();
    assert_eq!(futimens.target, Target::Descriptor(4));
    assert_eq!(futimens.change, Change::Times(None));
    assert!(decode(Syscall::setxattr, &args([0; 6]), 0).is_none());
}

/// The program's times are read with its kernel's field widths: the
/// kernel's `long` for the original calls (64 bits on x32, where a
/// pointer has 32), 64 bits for `utimensat_time64`, the call a 32-bit
/// ABI's C library makes first.
#[test]
fn times_are_read_with_the_kernels_field_widths() {
    use seclude::sys::KernelLong;
    let me = std::process::id();
    let at = |fields: &[KernelLong]| fields.as_ptr() as u64;
    let native: [KernelLong; 4] = [1, 2, 3, 4];
    let read = read_times(me, at(&native), TimesLayout::Timespec).unwrap();
    assert_eq!(read, Some([(1, 2), (3, 4)]));
    let timeval: [KernelLong; 4] = [1, 999_999, 2, 0];
    let read = read_times(me, at(&timeval), TimesLayout::Timeval).unwrap();
    assert_eq!(read, Some([(1, 999_999_000), (2, 0)]));
    let too_many_micros: [KernelLong; 4] = [1, 1_000_000, 2, 0];
    let read = read_times(me, at(&too_many_micros), TimesLayout::Timeval);
    assert_eq!(read, Err(Errno::EINVAL));
    let utimbuf: [KernelLong; 2] = [9, 10];
    let read = read_times(me, at(&utimbuf), TimesLayout::Utimbuf).unwrap();
    assert_eq!(read, Some([(9, 0), (10, 0)]));
    assert_eq!(read_times(me, 0, TimesLayout::Timespec), Ok(None));

    // After 2038, as utimensat_time64 takes it on every ABI.
    let wide: [i64; 4] = [5_000_000_000, 6, 7, 8];
    let args = [AT_FDCWD as u64, 1, wide.as_ptr() as u64, 0, 0, 0];
    let request = decode(Syscall::utimensat_time64, &args, me)
        .expect("performed by seclude")
        .unwrap();
    assert_eq!(
        request.change,
        Change::Times(Some([(5_000_000_000, 6), (7, 8)]))
    );
    assert_eq!(
        request.target,
        Target::Path {
            dir: AT_FDCWD,
            address: 1
        }
    );
}
