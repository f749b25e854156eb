//! The file system promises: rpath, wpath, cpath, tmppath, dpath, fattr,
//! chown, flock.

use super::*;

#[test]
fn rpath_opens_for_reading_only() {
    run_cases(
        "rpath_opens_for_reading_only",
        &["stdio", "stdio rpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let rpath = pledge_case().contains(Promises::RPATH);
                ok_if(
                    rpath,
                    "openat(/etc/passwd, O_RDONLY)",
                    openat(c"/etc/passwd", libc::O_RDONLY | libc::O_CLOEXEC, 0),
                )?;
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY (this block's calls): paths and live buffers.
                ok_if(
                    rpath,
                    "stat(/etc/passwd)",
                    ret(unsafe { libc::stat(c"/etc/passwd".as_ptr(), &mut st) }),
                )?;
                let mut link = [0u8; 256];
                ok_if(
                    rpath,
                    "readlink(/proc/self/exe)",
                    ret(unsafe {
                        libc::readlink(
                            c"/proc/self/exe".as_ptr(),
                            link.as_mut_ptr().cast(),
                            link.len(),
                        )
                    } as i64),
                )?;
                ok_if(
                    rpath,
                    "access(/etc/passwd, R_OK)",
                    ret(unsafe { libc::access(c"/etc/passwd".as_ptr(), libc::R_OK) }),
                )?;
                ok_if(
                    rpath,
                    "read_dir of the scratch directory",
                    io(fs::read_dir(&dir).and_then(|mut d| d.next().transpose())),
                )?;
                // Nothing that writes, creates or truncates.
                refused("openat(file, O_WRONLY)", openat(&file, libc::O_WRONLY, 0))?;
                refused("openat(file, O_RDWR)", openat(&file, libc::O_RDWR, 0))?;
                refused(
                    "openat(file, O_RDONLY|O_TRUNC)",
                    openat(&file, libc::O_RDONLY | libc::O_TRUNC, 0),
                )?;
                let new = cpath(&dir.join("new"));
                refused(
                    "openat(new, O_RDONLY|O_CREAT)",
                    openat(&new, libc::O_RDONLY | libc::O_CREAT, 0o644),
                )?;
                refused("mkdir", mkdir(&new, 0o755))?;
                refused("unlink", unlink(&file))?;
                Ok(())
            })
        },
    );
}

#[test]
fn wpath_does_not_imply_rpath() {
    run_cases(
        "wpath_does_not_imply_rpath",
        &["stdio", "stdio wpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let wpath = pledge_case().contains(Promises::WPATH);
                let fd = openat(&file, libc::O_WRONLY | libc::O_CLOEXEC, 0);
                ok_if(wpath, "openat(file, O_WRONLY)", fd)?;
                if let Ok(fd) = fd {
                    // SAFETY: a live buffer and its length.
                    let n = ok(
                        "write to the file opened for writing",
                        ret(
                            unsafe { libc::write(fd as c_int, b"seclude".as_ptr().cast(), 7) }
                                as i64,
                        ),
                    )?;
                    ensure(n == 7, "wrote 7 bytes")?;
                }
                ok_if(
                    wpath,
                    "openat(file, O_WRONLY|O_APPEND)",
                    openat(&file, libc::O_WRONLY | libc::O_APPEND, 0),
                )?;
                // SAFETY: a NUL-terminated path.
                ok_if(
                    wpath,
                    "truncate(file, 1)",
                    ret(unsafe { libc::truncate(file.as_ptr(), 1) }),
                )?;
                refused("openat(file, O_RDONLY)", openat(&file, libc::O_RDONLY, 0))?;
                refused("openat(file, O_RDWR)", openat(&file, libc::O_RDWR, 0))?;
                refused(
                    "openat(file, O_WRONLY|O_TRUNC) (cpath)",
                    openat(&file, libc::O_WRONLY | libc::O_TRUNC, 0),
                )?;
                refused(
                    "openat(new, O_WRONLY|O_CREAT) (cpath)",
                    openat(
                        &cpath(&dir.join("new")),
                        libc::O_WRONLY | libc::O_CREAT,
                        0o644,
                    ),
                )?;
                refused("std::fs::read", io(fs::read(dir.join("file"))))?;
                Ok(())
            })
        },
    );
}

#[test]
fn creating_and_removing_needs_cpath() {
    run_cases(
        "creating_and_removing_needs_cpath",
        &["stdio rpath wpath", "stdio rpath wpath cpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (a, _) = make_file(&dir, "a");
                let (b, _) = make_file(&dir, "b");
                let (trunc, _) = make_file(&dir, "trunc");
                let path = |name: &str| cpath(&dir.join(name));
                let c = pledge_case().contains(Promises::CPATH);
                // Opening what exists needs no cpath.
                ok("openat(a, O_RDWR)", openat(&a, libc::O_RDWR, 0))?;
                ok_if(
                    c,
                    "openat(new1, O_WRONLY|O_CREAT|O_EXCL, 0644)",
                    openat(
                        &path("new1"),
                        libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL,
                        0o644,
                    ),
                )?;
                ok_if(
                    c,
                    "openat(new2, O_RDWR|O_CREAT, 0600)",
                    openat(&path("new2"), libc::O_RDWR | libc::O_CREAT, 0o600),
                )?;
                ok_if(
                    c,
                    "openat(new3, O_RDONLY|O_CREAT, 0644)",
                    openat(&path("new3"), libc::O_RDONLY | libc::O_CREAT, 0o644),
                )?;
                ok_if(
                    c,
                    "openat(trunc, O_WRONLY|O_TRUNC)",
                    openat(&trunc, libc::O_WRONLY | libc::O_TRUNC, 0),
                )?;
                ok_if(
                    c,
                    "openat(dir, O_TMPFILE|O_RDWR, 0600)",
                    openat(&cpath(&dir), libc::O_TMPFILE | libc::O_RDWR, 0o600),
                )?;
                ok_if(c, "File::create", io(fs::File::create(dir.join("new4"))))?;
                ok_if(c, "mkdir(sub, 0755)", mkdir(&path("sub"), 0o755))?;
                // SAFETY (this block's calls): NUL-terminated paths.
                ok_if(
                    c,
                    "rename(a, a2)",
                    ret(unsafe { libc::rename(a.as_ptr(), path("a2").as_ptr()) }),
                )?;
                ok_if(
                    c,
                    "link(b, b2)",
                    ret(unsafe { libc::link(b.as_ptr(), path("b2").as_ptr()) }),
                )?;
                ok_if(
                    c,
                    "symlink(b, b3)",
                    ret(unsafe { libc::symlink(b.as_ptr(), path("b3").as_ptr()) }),
                )?;
                ok_if(c, "unlink(b2)", unlink(&path("b2")))?;
                ok_if(
                    c,
                    "rmdir(sub)",
                    ret(unsafe { libc::rmdir(path("sub").as_ptr()) }),
                )?;
                // A FIFO is dpath's, even with cpath.
                refused(
                    "mknodat(fifo, S_IFIFO|0644)",
                    mknodat(&path("fifo"), libc::S_IFIFO | 0o644, 0),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn set_id_modes_are_refused_when_creating_and_changing_modes() {
    run_cases(
        "set_id_modes_are_refused_when_creating_and_changing_modes",
        &["stdio rpath wpath cpath fattr"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let path = |name: &str| cpath(&dir.join(name));
                pledge_case();
                let create = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
                ok(
                    "openat(O_WRONLY|O_CREAT, 0644)",
                    openat(&path("plain"), create, 0o644),
                )?;
                for mode in [0o4755, 0o2755, 0o1644, 0o6755] {
                    refused(
                        &format!("openat(O_WRONLY|O_CREAT, {mode:o})"),
                        openat(&path("setid"), create, mode),
                    )?;
                    refused(
                        &format!("openat(O_RDWR|O_CREAT, {mode:o})"),
                        openat(&path("setid"), libc::O_RDWR | libc::O_CREAT, mode),
                    )?;
                    refused(
                        &format!("openat(O_RDONLY|O_CREAT, {mode:o})"),
                        openat(&path("setid"), libc::O_RDONLY | libc::O_CREAT, mode),
                    )?;
                    refused(&format!("mkdir({mode:o})"), mkdir(&path("setid-dir"), mode))?;
                }
                ok("mkdir(0755)", mkdir(&path("dir"), 0o755))?;
                #[cfg(target_arch = "x86_64")]
                {
                    // SAFETY: NUL-terminated paths.
                    ok(
                        "creat(0644)",
                        ret(unsafe {
                            libc::syscall(libc::SYS_creat, path("creat").as_ptr(), 0o644 as c_long)
                        }),
                    )?;
                    refused(
                        "creat(04755)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_creat,
                                path("creat2").as_ptr(),
                                0o4755 as c_long,
                            )
                        }),
                    )?;
                }
                // SAFETY (these calls): a NUL-terminated path, a live descriptor.
                ok(
                    "chmod(0644)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o644) }),
                )?;
                refused(
                    "chmod(04755)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o4755) }),
                )?;
                ok("fchmod(0600)", ret(unsafe { libc::fchmod(fd, 0o600) }))?;
                refused("fchmod(04755)", ret(unsafe { libc::fchmod(fd, 0o4755) }))?;
                refused(
                    "fchmodat(02755)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o2755, 0) }),
                )?;
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                ok("fstat", ret(unsafe { libc::fstat(fd, &mut st) }))?;
                ensure(st.st_mode & 0o7777 == 0o600, "the mode is 0600")?;
                Ok(())
            })
        },
    );
}

#[test]
fn tmppath_unlinks_and_makes_temporary_files_but_cannot_mkdir() {
    run_cases(
        "tmppath_unlinks_and_makes_temporary_files_but_cannot_mkdir",
        &["stdio", "stdio tmppath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                let (other, _) = make_file(&dir, "other");
                let sub = cpath(&dir.join("sub"));
                fs::create_dir(dir.join("sub")).expect("mkdir before pledging");
                let mut template = cpath(&dir.join("tmp.XXXXXX")).into_bytes_with_nul();
                let tmp = pledge_case().contains(Promises::TMPPATH);
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY (this block's calls): NUL-terminated paths, live buffers.
                ok_if(
                    tmp,
                    "lstat(file)",
                    ret(unsafe { libc::lstat(file.as_ptr(), &mut st) }),
                )?;
                ok_if(
                    tmp,
                    "mkstemp",
                    ret(unsafe { libc::mkstemp(template.as_mut_ptr().cast()) }),
                )?;
                ok_if(tmp, "unlink(file)", unlink(&file))?;
                if tmp {
                    let made = CStr::from_bytes_with_nul(&template).unwrap();
                    ok("unlink(the mkstemp file)", unlink(made))?;
                }
                // mkstemp's open, nothing else; no directories.
                let new = cpath(&dir.join("new"));
                refused(
                    "openat(new, O_RDWR|O_CREAT)",
                    openat(&new, libc::O_RDWR | libc::O_CREAT, 0o600),
                )?;
                refused(
                    "openat(new, O_WRONLY|O_CREAT|O_EXCL)",
                    openat(&new, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL, 0o600),
                )?;
                refused(
                    "openat(new, O_RDWR|O_CREAT|O_EXCL, 04600)",
                    openat(&new, libc::O_RDWR | libc::O_CREAT | libc::O_EXCL, 0o4600),
                )?;
                refused("openat(other, O_RDONLY)", openat(&other, libc::O_RDONLY, 0))?;
                refused("mkdir", mkdir(&cpath(&dir.join("newdir")), 0o700))?;
                refused("rmdir", ret(unsafe { libc::rmdir(sub.as_ptr()) }))?;
                refused(
                    "unlinkat(AT_REMOVEDIR)",
                    ret(unsafe {
                        libc::unlinkat(libc::AT_FDCWD, sub.as_ptr(), libc::AT_REMOVEDIR)
                    }),
                )?;
                refused(
                    "rename",
                    ret(unsafe { libc::rename(other.as_ptr(), new.as_ptr()) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn dpath_makes_fifos_but_not_devices() {
    run_cases(
        "dpath_makes_fifos_but_not_devices",
        &["stdio", "stdio dpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let path = |name: &str| cpath(&dir.join(name));
                let dpath = pledge_case().contains(Promises::DPATH);
                ok_if(
                    dpath,
                    "mknodat(S_IFIFO|0644)",
                    mknodat(&path("fifo"), libc::S_IFIFO | 0o644, 0),
                )?;
                // SAFETY: a NUL-terminated path.
                ok_if(
                    dpath,
                    "mkfifo(0600)",
                    ret(unsafe { libc::mkfifo(path("fifo2").as_ptr(), 0o600) }),
                )?;
                #[cfg(target_arch = "x86_64")]
                {
                    // SAFETY: NUL-terminated paths.
                    ok_if(
                        dpath,
                        "mknod(S_IFIFO|0600)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_mknod,
                                path("fifo3").as_ptr(),
                                (libc::S_IFIFO | 0o600) as c_long,
                                0usize,
                            )
                        }),
                    )?;
                    refused(
                        "mknod(S_IFCHR|0644, 1:3)",
                        ret(unsafe {
                            libc::syscall(
                                libc::SYS_mknod,
                                path("null2").as_ptr(),
                                (libc::S_IFCHR | 0o644) as c_long,
                                libc::makedev(1, 3) as c_long,
                            )
                        }),
                    )?;
                }
                refused(
                    "mknodat(S_IFCHR|0644, 1:3)",
                    mknodat(&path("null"), libc::S_IFCHR | 0o644, libc::makedev(1, 3)),
                )?;
                refused(
                    "mknodat(S_IFBLK|0600, 7:0)",
                    mknodat(&path("loop"), libc::S_IFBLK | 0o600, libc::makedev(7, 0)),
                )?;
                refused(
                    "mknodat(S_IFREG|0644)",
                    mknodat(&path("regular"), libc::S_IFREG | 0o644, 0),
                )?;
                refused(
                    "mknodat(S_IFSOCK|0644)",
                    mknodat(&path("sock"), libc::S_IFSOCK | 0o644, 0),
                )?;
                refused(
                    "mknodat(S_IFIFO|04644)",
                    mknodat(&path("setid-fifo"), libc::S_IFIFO | 0o4644, 0),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn fattr_changes_modes_and_times_without_set_id_bits() {
    run_cases(
        "fattr_changes_modes_and_times_without_set_id_bits",
        &["stdio", "stdio fattr"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let fattr = pledge_case().contains(Promises::FATTR);
                // SAFETY (this block's calls): a NUL-terminated path, a live
                // descriptor, NULL times.
                ok_if(
                    fattr,
                    "fchmod(0644)",
                    ret(unsafe { libc::fchmod(fd, 0o644) }),
                )?;
                ok_if(
                    fattr,
                    "chmod(0600)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o600) }),
                )?;
                ok_if(
                    fattr,
                    "fchmodat(0640)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o640, 0) }),
                )?;
                ok_if(
                    fattr,
                    "utimensat(file, NULL)",
                    ret(unsafe { libc::utimensat(libc::AT_FDCWD, file.as_ptr(), null(), 0) }),
                )?;
                ok_if(
                    fattr,
                    "futimens(fd, NULL)",
                    ret(unsafe { libc::futimens(fd, null()) }),
                )?;
                refused("fchmod(04755)", ret(unsafe { libc::fchmod(fd, 0o4755) }))?;
                refused(
                    "chmod(02755)",
                    ret(unsafe { libc::chmod(file.as_ptr(), 0o2755) }),
                )?;
                refused(
                    "fchmodat(01777)",
                    ret(unsafe { libc::fchmodat(libc::AT_FDCWD, file.as_ptr(), 0o1777, 0) }),
                )?;
                refused(
                    "fchown(fd, -1, -1) (chown)",
                    ret(unsafe { libc::fchown(fd, u32::MAX, u32::MAX) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn chown_allows_fchown_and_fchownat() {
    run_cases(
        "chown_allows_fchown_and_fchownat",
        &["stdio", "stdio chown"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, fd) = make_file(&dir, "file");
                let chown = pledge_case().contains(Promises::CHOWN);
                // SAFETY (this block's calls): a NUL-terminated path, a live descriptor.
                let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
                ok_if(
                    chown,
                    "fchown(fd, -1, -1)",
                    ret(unsafe { libc::fchown(fd, u32::MAX, u32::MAX) }),
                )?;
                ok_if(
                    chown,
                    "fchown(fd, own uid, own gid)",
                    ret(unsafe { libc::fchown(fd, uid, gid) }),
                )?;
                ok_if(
                    chown,
                    "fchownat(file, -1, -1, AT_SYMLINK_NOFOLLOW)",
                    ret(unsafe {
                        libc::fchownat(
                            libc::AT_FDCWD,
                            file.as_ptr(),
                            u32::MAX,
                            u32::MAX,
                            libc::AT_SYMLINK_NOFOLLOW,
                        )
                    }),
                )?;
                ok_if(
                    chown,
                    "lchown(file, -1, -1)",
                    ret(unsafe { libc::lchown(file.as_ptr(), u32::MAX, u32::MAX) }),
                )?;
                refused(
                    "fchmod(0644) (fattr)",
                    ret(unsafe { libc::fchmod(fd, 0o644) }),
                )?;
                Ok(())
            })
        },
    );
}

#[test]
fn file_locks_need_flock() {
    run_cases("file_locks_need_flock", &["stdio", "stdio flock"], || {
        outcome(|| {
            let dir = scratch();
            let (_, fd) = make_file(&dir, "file");
            let flock = pledge_case().contains(Promises::FLOCK);
            ok("fcntl(F_GETFD)", fcntl(fd, libc::F_GETFD, 0))?;
            ok(
                "fcntl(F_SETFL, O_NONBLOCK)",
                fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK as c_long),
            )?;
            let mut lock: libc::flock = unsafe { std::mem::zeroed() };
            lock.l_type = libc::F_WRLCK as i16;
            lock.l_whence = libc::SEEK_SET as i16;
            let ptr = |lock: &mut libc::flock| lock as *mut libc::flock as c_long;
            ok_if(
                flock,
                "fcntl(F_SETLK, F_WRLCK)",
                fcntl(fd, libc::F_SETLK, ptr(&mut lock)),
            )?;
            ok_if(
                flock,
                "fcntl(F_GETLK)",
                fcntl(fd, libc::F_GETLK, ptr(&mut lock)),
            )?;
            lock.l_type = libc::F_UNLCK as i16;
            ok_if(
                flock,
                "fcntl(F_SETLKW, F_UNLCK)",
                fcntl(fd, libc::F_SETLKW, ptr(&mut lock)),
            )?;
            lock.l_type = libc::F_RDLCK as i16;
            lock.l_whence = libc::SEEK_SET as i16;
            lock.l_pid = 0;
            ok_if(
                flock,
                "fcntl(F_OFD_SETLK, F_RDLCK)",
                fcntl(fd, libc::F_OFD_SETLK, ptr(&mut lock)),
            )?;
            // SAFETY: a live descriptor.
            ok_if(
                flock,
                "flock(LOCK_EX|LOCK_NB)",
                ret(unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) }),
            )?;
            ok_if(
                flock,
                "flock(LOCK_UN)",
                ret(unsafe { libc::flock(fd, libc::LOCK_UN) }),
            )?;
            // Not a lock: refused with flock too.
            refused("fcntl(F_GETOWN)", fcntl(fd, libc::F_GETOWN, 0))?;
            refused("fcntl(F_NOTIFY)", fcntl(fd, libc::F_NOTIFY, DN_ACCESS))?;
            Ok(())
        })
    });
}
