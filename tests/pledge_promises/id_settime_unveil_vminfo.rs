//! The remaining promises: id, settime, unveil, vminfo.

use super::*;

#[test]
fn id_allows_changing_ids() {
    run_cases("id_allows_changing_ids", &["stdio", "stdio id"], || {
        outcome(|| {
            let id = pledge_case().contains(Promises::ID);
            // SAFETY (these calls): integer arguments (raw, so that only this
            // thread changes; -1 leaves an id as it is).
            let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
            ok_if(
                id,
                "setresuid(-1, -1, -1)",
                ret(unsafe { libc::syscall(libc::SYS_setresuid, -1, -1, -1) }),
            )?;
            ok_if(
                id,
                "setresgid(-1, -1, -1)",
                ret(unsafe { libc::syscall(libc::SYS_setresgid, -1, -1, -1) }),
            )?;
            ok_if(
                id,
                "setuid(own uid)",
                ret(unsafe { libc::syscall(libc::SYS_setuid, uid as c_long) }),
            )?;
            ok_if(
                id,
                "setgid(own gid)",
                ret(unsafe { libc::syscall(libc::SYS_setgid, gid as c_long) }),
            )?;
            // Unprivileged: the kernel's EPERM.
            through_if(
                id,
                "setgroups(0, NULL)",
                ret(unsafe { libc::syscall(libc::SYS_setgroups, 0usize, 0usize) }),
            )?;
            // Reading ids and capabilities is stdio; setting capabilities nobody's.
            // struct __user_cap_header_struct, _LINUX_CAPABILITY_VERSION_3,
            // then two struct __user_cap_data_struct.
            let mut header: [u32; 2] = [0x2008_0522, 0];
            let mut data = [0u32; 6];
            ok(
                "capget",
                ret(unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) }),
            )?;
            refused(
                "capset(same)",
                ret(unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) }),
            )?;
            Ok(())
        })
    });
}

#[test]
fn settime_allows_the_clock_calls() {
    run_cases(
        "settime_allows_the_clock_calls",
        &["stdio", "stdio settime"],
        || {
            outcome(|| {
                let settime = pledge_case().contains(Promises::SETTIME);
                // Nothing here changes the clock: settimeofday(NULL, NULL)
                // sets nothing, adjtimex with modes 0 only reads, and the
                // monotonic clock cannot be set.
                // SAFETY (these calls): NULL or live buffers.
                let r = ret(unsafe { libc::syscall(libc::SYS_settimeofday, 0usize, 0usize) });
                if !settime {
                    refused("settimeofday(NULL, NULL)", r)?;
                } else if child::unprivileged() {
                    fails_with(libc::EPERM, "settimeofday(NULL, NULL)", r)?;
                } else {
                    ok("settimeofday(NULL, NULL)", r)?;
                }
                let mut tx: libc::timex = unsafe { std::mem::zeroed() };
                ok_if(
                    settime,
                    "adjtimex(modes 0)",
                    ret(unsafe { libc::syscall(libc::SYS_adjtimex, &mut tx) }),
                )?;
                let mut tx: libc::timex = unsafe { std::mem::zeroed() };
                ok_if(
                    settime,
                    "clock_adjtime(CLOCK_REALTIME, modes 0)",
                    ret(unsafe {
                        libc::syscall(
                            libc::SYS_clock_adjtime,
                            libc::CLOCK_REALTIME as c_long,
                            &mut tx,
                        )
                    }),
                )?;
                let mut now: libc::timespec = unsafe { std::mem::zeroed() };
                ok(
                    "clock_gettime(CLOCK_MONOTONIC)",
                    ret(unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) }),
                )?;
                let r = ret(unsafe {
                    libc::syscall(
                        libc::SYS_clock_settime,
                        libc::CLOCK_MONOTONIC as c_long,
                        &now,
                    )
                });
                if settime {
                    fails_with(libc::EINVAL, "clock_settime(CLOCK_MONOTONIC)", r)?;
                } else {
                    refused("clock_settime(CLOCK_MONOTONIC)", r)?;
                }
                Ok(())
            })
        },
    );
}

#[test]
fn unveil_allows_landlock() {
    run_cases("unveil_allows_landlock", &["stdio", "stdio unveil"], || {
        outcome(|| {
            let unveil = pledge_case().contains(Promises::UNVEIL);
            // SAFETY (these calls): NULL or a live attribute of the size given.
            let version = ret(unsafe {
                libc::syscall(
                    libc::SYS_landlock_create_ruleset,
                    0usize,
                    0usize,
                    1usize, // LANDLOCK_CREATE_RULESET_VERSION
                )
            });
            ok_if(unveil, "landlock_create_ruleset(NULL, 0, VERSION)", version)?;
            // handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE.
            let handled: u64 = 1 << 1;
            let ruleset = ret(unsafe {
                libc::syscall(
                    libc::SYS_landlock_create_ruleset,
                    &handled as *const u64,
                    size_of::<u64>(),
                    0usize,
                )
            });
            ok_if(unveil, "landlock_create_ruleset(write_file)", ruleset)?;
            if let Ok(ruleset) = ruleset {
                // no_new_privs is set by the pledge.
                ok(
                    "landlock_restrict_self",
                    ret(unsafe {
                        libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0usize)
                    }),
                )?;
            } else {
                refused(
                    "landlock_restrict_self(-1, 0)",
                    ret(unsafe {
                        libc::syscall(libc::SYS_landlock_restrict_self, -1 as c_long, 0usize)
                    }),
                )?;
            }
            refused(
                "openat(/etc/passwd, O_RDONLY) (rpath)",
                openat(c"/etc/passwd", libc::O_RDONLY, 0),
            )?;
            Ok(())
        })
    });
}

#[test]
fn vminfo_allows_sysinfo() {
    run_cases("vminfo_allows_sysinfo", &["stdio", "stdio vminfo"], || {
        outcome(|| {
            let vminfo = pledge_case().contains(Promises::VMINFO);
            let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
            // SAFETY (these calls): a live buffer; NULLs.
            ok_if(vminfo, "sysinfo", ret(unsafe { libc::sysinfo(&mut info) }))?;
            ensure(!vminfo || info.totalram > 0, "sysinfo reported memory")?;
            ok_if(
                vminfo,
                "get_mempolicy(NULL, NULL, 0, NULL, 0)",
                ret(unsafe {
                    libc::syscall(
                        libc::SYS_get_mempolicy,
                        0usize,
                        0usize,
                        0usize,
                        0usize,
                        0usize,
                    )
                }),
            )?;
            refused(
                "open(/proc/meminfo) (rpath)",
                openat(c"/proc/meminfo", libc::O_RDONLY, 0),
            )?;
            refused(
                "syslog(SYSLOG_ACTION_SIZE_BUFFER)",
                ret(unsafe { libc::syscall(libc::SYS_syslog, 10 as c_long, 0usize, 0usize) }),
            )?;
            Ok(())
        })
    });
}
