//! Why creating namespaces failed, and what the user can do about it.
//!
//! The kernel answers a refused `unshare` with a bare errno, and the same
//! errno means different things on different systems: `EPERM` is Debian's
//! `kernel.unprivileged_userns_clone`, a missing capability, or a seccomp
//! filter; `ENOSPC` is a limit set to 0 or a limit reached. The decision is
//! the pure function [`diagnose`], from the errno, the step that failed and
//! a few readings of `/proc` ([`Readings`]), so every combination is tested
//! on any machine; [`Readings::gather`] is the only part that reads files.

use super::Namespaces;
use crate::errno::Errno;
use crate::sys::fd::{self, O_CLOEXEC, O_PATH};
use core::ffi::CStr;
use core::fmt;

/// The step of creating and setting up namespaces that failed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Step {
    /// `unshare(2)` itself.
    Unshare,
    /// `clone(2)` with namespace flags (a child created with
    /// [`crate::sys::process::fork`]).
    Clone,
    /// Writing `deny` to `/proc/self/setgroups`.
    Setgroups,
    /// Writing `/proc/self/uid_map`.
    UidMap,
    /// Writing `/proc/self/gid_map`.
    GidMap,
    /// Bringing the loopback interface up.
    Loopback,
    /// `sethostname(2)`.
    Hostname,
    /// Making every mount of a new mount namespace private.
    MakePrivate,
}

impl Step {
    /// What the step does, for messages.
    ///
    /// ```
    /// assert_eq!(seclude::ns::Step::UidMap.describe(), "writing /proc/self/uid_map");
    /// ```
    pub const fn describe(self) -> &'static str {
        match self {
            Step::Unshare => "unshare",
            Step::Clone => "clone",
            Step::Setgroups => "writing \"deny\" to /proc/self/setgroups",
            Step::UidMap => "writing /proc/self/uid_map",
            Step::GidMap => "writing /proc/self/gid_map",
            Step::Loopback => "bringing the loopback interface up",
            Step::Hostname => "sethostname",
            Step::MakePrivate => "making the mounts private (mount MS_REC|MS_PRIVATE on /)",
        }
    }
}

/// The longest host name the kernel takes (`__NEW_UTS_LEN`).
pub const HOSTNAME_MAX: usize = 64;

/// A request that makes no sense, refused before anything changes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RequestError {
    /// A host name without [`Namespaces::UTS`]: it would rename the host.
    HostnameWithoutUts,
    /// A host name that is empty or longer than 64 bytes.
    HostnameLength {
        /// Its length.
        len: usize,
    },
    /// The loopback asked up without [`Namespaces::NET`].
    LoopbackWithoutNet,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::HostnameWithoutUts => f.write_str(
                "namespaces: a host name needs a new UTS namespace (add `uts`); without one it \
                 would rename the host",
            ),
            RequestError::HostnameLength { len } => write!(
                f,
                "namespaces: a host name must be 1 to {HOSTNAME_MAX} bytes, not {len}"
            ),
            RequestError::LoopbackWithoutNet => f.write_str(
                "namespaces: bringing the loopback up needs a new network namespace (add `net`)",
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RequestError {}

/// Why namespaces could not be created or set up, with what to do about it
/// in its `Display`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum NamespaceError {
    /// The request itself is wrong.
    Request(RequestError),
    /// `unshare` with a user namespace in a process with more than one
    /// thread (`EINVAL`): the kernel only moves a single-threaded process.
    Multithreaded {
        /// The thread count `/proc/self/status` showed.
        threads: u32,
    },
    /// `user.max_<name>_namespaces` is 0 for this namespace type
    /// (`ENOSPC`): the administrator disabled it.
    Disabled {
        /// The namespace type.
        namespace: Namespaces,
    },
    /// `ENOSPC` with no limit at 0: a `user.max_*_namespaces` count is
    /// reached, or PID namespaces are nested 32 deep.
    LimitReached {
        /// The namespace types requested.
        namespaces: Namespaces,
    },
    /// User namespaces nested 32 deep (`EUSERS`).
    TooDeep,
    /// Debian's `kernel.unprivileged_userns_clone = 0`: only a privileged
    /// process may create a user namespace (`EPERM`).
    UnprivilegedUsernsDisabled,
    /// Ubuntu's `kernel.apparmor_restrict_unprivileged_userns = 1`: the user
    /// namespace is created but holds no capabilities, so the next step
    /// fails with `EPERM`.
    AppArmorRestricted {
        /// The step that failed.
        step: Step,
    },
    /// Namespaces other than a user namespace need `CAP_SYS_ADMIN`, which
    /// an unprivileged caller only gets in a user namespace of its own
    /// (`EPERM`).
    NeedsUserNamespace {
        /// The namespace types requested.
        namespaces: Namespaces,
    },
    /// The kernel has no such namespace type (built without it:
    /// `/proc/self/ns/<name>` is missing, `EINVAL`), or no `unshare` at all
    /// (`ENOSYS`).
    Unsupported {
        /// The namespace types missing (all requested ones for `ENOSYS`).
        namespaces: Namespaces,
    },
    /// Refused though nothing above explains it: a seccomp filter (a
    /// container runtime's), a security module, or a chroot (`EPERM`).
    Refused {
        /// The step refused.
        step: Step,
        /// The errno.
        errno: Errno,
    },
    /// Writing `setgroups`, `uid_map` or `gid_map` failed with `EACCES`
    /// because the process is not dumpable (it changed its ids, or runs a
    /// set-user-id program): its `/proc/self` files then belong to root.
    NotDumpable {
        /// Which file.
        step: Step,
    },
    /// Writing `setgroups`, `uid_map` or `gid_map` failed.
    MapWrite {
        /// Which file ([`Step::Setgroups`], [`Step::UidMap`] or
        /// [`Step::GidMap`]).
        step: Step,
        /// The errno.
        errno: Errno,
    },
    /// Anything else, as the kernel said it.
    Other {
        /// The step that failed.
        step: Step,
        /// The errno.
        errno: Errno,
    },
}

impl fmt::Display for NamespaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NamespaceError::Request(e) => e.fmt(f),
            NamespaceError::Multithreaded { threads } => write!(
                f,
                "namespaces: unshare of a user namespace needs a single-threaded process, and \
                 this one has {threads} threads (EINVAL); call it before starting threads, or \
                 create a child with clone (seclude::sys::process::fork) and set it up with \
                 seclude::ns::enter_child"
            ),
            NamespaceError::Disabled { namespace } => {
                let name = namespace.proc_name().unwrap_or("user");
                write!(
                    f,
                    "namespaces: {namespace} namespaces are disabled: user.max_{name}_namespaces \
                     is 0 (ENOSPC); an administrator can allow them with \
                     `sysctl -w user.max_{name}_namespaces=10000` (this limit is per user \
                     namespace: set it in the one the process runs in)"
                )
            }
            NamespaceError::LimitReached { namespaces } => write!(
                f,
                "namespaces: a limit is reached creating {namespaces} (ENOSPC): too many \
                 namespaces exist for this user (raise user.max_*_namespaces) or PID namespaces \
                 are nested 32 deep"
            ),
            NamespaceError::TooDeep => f.write_str(
                "namespaces: user namespaces are nested 32 deep, the kernel's limit (EUSERS); \
                 create this one from a shallower process",
            ),
            NamespaceError::UnprivilegedUsernsDisabled => f.write_str(
                "namespaces: unprivileged user namespaces are disabled \
                 (kernel.unprivileged_userns_clone = 0, EPERM); an administrator can allow them \
                 with `sysctl -w kernel.unprivileged_userns_clone=1`, or run as root",
            ),
            NamespaceError::AppArmorRestricted { step } => write!(
                f,
                "namespaces: {} failed (EPERM) because AppArmor restricts unprivileged user \
                 namespaces (kernel.apparmor_restrict_unprivileged_userns = 1): the namespace \
                 exists but holds no capabilities; give the program an AppArmor profile with \
                 `userns,`, or an administrator can set \
                 `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`",
                step.describe()
            ),
            NamespaceError::NeedsUserNamespace { namespaces } => write!(
                f,
                "namespaces: creating {namespaces} needs CAP_SYS_ADMIN (EPERM); an unprivileged \
                 process gets it by creating a user namespace in the same call: add `user`"
            ),
            NamespaceError::Unsupported { namespaces } => write!(
                f,
                "namespaces: this kernel does not support {namespaces} namespaces (built \
                 without them, or unshare is filtered); drop them from the request"
            ),
            NamespaceError::Refused { step, errno } => write!(
                f,
                "namespaces: {} refused: {errno}; not explained by a setting seclude knows: \
                 likely a seccomp filter (a container runtime's), a security module, or a \
                 chroot",
                step.describe()
            ),
            NamespaceError::NotDumpable { step } => write!(
                f,
                "namespaces: {} failed (EACCES): the process is not dumpable (it changed its \
                 ids or runs set-user-id), so its /proc/self files belong to root; create the \
                 namespaces before changing ids, or make the process dumpable again with \
                 prctl(PR_SET_DUMPABLE, 1) if that is acceptable",
                step.describe()
            ),
            NamespaceError::MapWrite { step, errno } => write!(
                f,
                "namespaces: {} failed: {errno}; an unprivileged process may map only its own \
                 uid and gid, once, after denying setgroups",
                step.describe()
            ),
            NamespaceError::Other { step, errno } => {
                write!(f, "namespaces: {} failed: {errno}", step.describe())
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for NamespaceError {}

/// What the diagnosis looks at, read from `/proc` by [`Readings::gather`]
/// or made up in tests. `None` is "could not be read" (the file does not
/// exist on this kernel or distribution).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Readings {
    /// `/proc/sys/user/max_<name>_namespaces`, in the order of
    /// [`Namespaces::all`]'s iteration: user, mnt, net, pid, ipc, uts,
    /// cgroup.
    pub max_namespaces: [Option<i64>; 7],
    /// Debian's `/proc/sys/kernel/unprivileged_userns_clone`.
    pub unprivileged_userns_clone: Option<i64>,
    /// Ubuntu's `/proc/sys/kernel/apparmor_restrict_unprivileged_userns`.
    pub apparmor_restrict_unprivileged_userns: Option<i64>,
    /// `Threads:` in `/proc/self/status`.
    pub threads: Option<u32>,
    /// Whether the caller is root (then no setting above applies to it).
    pub is_root: bool,
    /// Whether the process is dumpable (`prctl(PR_GET_DUMPABLE)` is 1).
    pub dumpable: Option<bool>,
    /// The namespace types with a `/proc/self/ns/<name>` file: those the
    /// kernel has; `None` if `/proc/self/ns` could not be opened.
    pub available: Option<Namespaces>,
}

impl Readings {
    /// Nothing known, as a starting point for tests.
    ///
    /// ```
    /// assert_eq!(seclude::ns::Readings::UNKNOWN.threads, None);
    /// ```
    pub const UNKNOWN: Readings = Readings {
        max_namespaces: [None; 7],
        unprivileged_userns_clone: None,
        apparmor_restrict_unprivileged_userns: None,
        threads: None,
        is_root: false,
        dumpable: None,
        available: None,
    };

    /// The limit `user.max_<name>_namespaces` of one namespace type.
    ///
    /// ```
    /// use seclude::ns::{Namespaces, Readings};
    /// let mut r = Readings::UNKNOWN;
    /// r.max_namespaces[3] = Some(0);
    /// assert_eq!(r.max_namespaces_of(Namespaces::PID), Some(0));
    /// ```
    pub fn max_namespaces_of(&self, namespace: Namespaces) -> Option<i64> {
        Namespaces::all()
            .iter()
            .position(|ns| ns == namespace)
            .and_then(|i| self.max_namespaces[i])
    }

    /// Reads the current values from `/proc`; `is_root` is the effective
    /// uid's.
    ///
    /// ```
    /// let r = seclude::ns::Readings::gather();
    /// assert!(r.threads.unwrap() >= 1);
    /// assert!(r.available.unwrap().contains(seclude::ns::Namespaces::USER));
    /// ```
    pub fn gather() -> Readings {
        const LIMITS: [&CStr; 7] = [
            c"/proc/sys/user/max_user_namespaces",
            c"/proc/sys/user/max_mnt_namespaces",
            c"/proc/sys/user/max_net_namespaces",
            c"/proc/sys/user/max_pid_namespaces",
            c"/proc/sys/user/max_ipc_namespaces",
            c"/proc/sys/user/max_uts_namespaces",
            c"/proc/sys/user/max_cgroup_namespaces",
        ];
        const NS_FILES: [&CStr; 7] = [c"user", c"mnt", c"net", c"pid", c"ipc", c"uts", c"cgroup"];
        let mut max_namespaces = [None; 7];
        for (slot, path) in max_namespaces.iter_mut().zip(LIMITS) {
            *slot = fd::read_number(path).ok();
        }
        let available = fd::open(c"/proc/self/ns", O_PATH | O_CLOEXEC, 0)
            .ok()
            .map(|dir| {
                let mut found = Namespaces::empty();
                for (ns, name) in Namespaces::all().iter().zip(NS_FILES) {
                    if fd::openat(dir.raw(), name, O_PATH | O_CLOEXEC, 0).is_ok() {
                        found |= ns;
                    }
                }
                found
            });
        let threads = crate::sys::process::thread_count().ok();
        Readings {
            max_namespaces,
            unprivileged_userns_clone: fd::read_number(
                c"/proc/sys/kernel/unprivileged_userns_clone",
            )
            .ok(),
            apparmor_restrict_unprivileged_userns: fd::read_number(
                c"/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
            )
            .ok(),
            threads,
            is_root: crate::sys::process::geteuid() == 0,
            dumpable: dumpable(),
            available,
        }
    }
}

fn dumpable() -> Option<bool> {
    crate::sys::process::dumpable().ok().map(|v| v == 1)
}

/// Explains why `step` failed with `errno` while creating `requested`,
/// given the `readings`. Pure: the same inputs always give the same error.
///
/// ```
/// use seclude::ns::{diagnose, NamespaceError, Namespaces, Readings, Step};
/// use seclude::Errno;
/// let mut r = Readings::UNKNOWN;
/// r.max_namespaces[0] = Some(0); // user.max_user_namespaces = 0
/// assert_eq!(
///     diagnose(Namespaces::USER, Step::Unshare, Errno::ENOSPC, &r),
///     NamespaceError::Disabled { namespace: Namespaces::USER }
/// );
/// ```
pub fn diagnose(
    requested: Namespaces,
    step: Step,
    errno: Errno,
    readings: &Readings,
) -> NamespaceError {
    let user = requested.contains(Namespaces::USER);
    let apparmor =
        !readings.is_root && user && readings.apparmor_restrict_unprivileged_userns == Some(1);
    match step {
        Step::Unshare | Step::Clone => match errno {
            Errno::EINVAL => {
                let missing = readings
                    .available
                    .map_or(Namespaces::empty(), |have| requested.difference(have));
                if !missing.is_empty() {
                    return NamespaceError::Unsupported {
                        namespaces: missing,
                    };
                }
                // clone takes CLONE_NEWUSER from a threaded process; only
                // unshare has to move every thread.
                match readings.threads {
                    Some(threads) if user && step == Step::Unshare && threads > 1 => {
                        NamespaceError::Multithreaded { threads }
                    }
                    _ => NamespaceError::Other { step, errno },
                }
            }
            Errno::ENOSYS => NamespaceError::Unsupported {
                namespaces: requested,
            },
            Errno::ENOSPC => match requested
                .iter()
                .find(|&ns| readings.max_namespaces_of(ns) == Some(0))
            {
                Some(namespace) => NamespaceError::Disabled { namespace },
                None => NamespaceError::LimitReached {
                    namespaces: requested,
                },
            },
            Errno::EUSERS => NamespaceError::TooDeep,
            Errno::EPERM => {
                if user && !readings.is_root && readings.unprivileged_userns_clone == Some(0) {
                    NamespaceError::UnprivilegedUsernsDisabled
                } else if !user && !readings.is_root {
                    NamespaceError::NeedsUserNamespace {
                        namespaces: requested,
                    }
                } else {
                    NamespaceError::Refused { step, errno }
                }
            }
            _ => NamespaceError::Other { step, errno },
        },
        Step::Setgroups | Step::UidMap | Step::GidMap => {
            if errno == Errno::EPERM && apparmor {
                NamespaceError::AppArmorRestricted { step }
            } else if errno == Errno::EACCES && readings.dumpable == Some(false) {
                NamespaceError::NotDumpable { step }
            } else {
                NamespaceError::MapWrite { step, errno }
            }
        }
        Step::Loopback | Step::Hostname | Step::MakePrivate => {
            if errno == Errno::EPERM && apparmor {
                NamespaceError::AppArmorRestricted { step }
            } else {
                NamespaceError::Other { step, errno }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec::Vec;

    const STEPS: [Step; 8] = [
        Step::MakePrivate,
        Step::Unshare,
        Step::Clone,
        Step::Setgroups,
        Step::UidMap,
        Step::GidMap,
        Step::Loopback,
        Step::Hostname,
    ];
    const ERRNOS: [Errno; 9] = [
        Errno::EPERM,
        Errno::EINVAL,
        Errno::ENOSPC,
        Errno::EUSERS,
        Errno::ENOSYS,
        Errno::ENOMEM,
        Errno::EACCES,
        Errno::ENOENT,
        Errno::EIO,
    ];

    /// Every combination of the readings that matter: each setting unknown,
    /// 0 or 1 (and the limits a large number), threads unknown, 1 or 4,
    /// root or not, the namespaces available all, none known, or all but
    /// cgroup.
    fn all_readings() -> Vec<Readings> {
        let mut out = Vec::new();
        let values = [None, Some(0), Some(1)];
        let limits = [None, Some(0), Some(15000)];
        let availability = [
            None,
            Some(Namespaces::all()),
            Some(Namespaces::all().difference(Namespaces::CGROUP)),
        ];
        for user_limit in limits {
            for other_limit in limits {
                for clone in values {
                    for apparmor in values {
                        for threads in [None, Some(1), Some(4)] {
                            for is_root in [false, true] {
                                for (available, dumpable) in
                                    availability
                                        .into_iter()
                                        .zip([None, Some(true), Some(false)])
                                {
                                    let mut max = [other_limit; 7];
                                    max[0] = user_limit;
                                    out.push(Readings {
                                        max_namespaces: max,
                                        unprivileged_userns_clone: clone,
                                        apparmor_restrict_unprivileged_userns: apparmor,
                                        threads,
                                        is_root,
                                        dumpable,
                                        available,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn requests() -> [Namespaces; 6] {
        [
            Namespaces::USER,
            Namespaces::USER | Namespaces::NET | Namespaces::PID,
            Namespaces::MOUNT,
            Namespaces::NET | Namespaces::UTS,
            Namespaces::all(),
            Namespaces::CGROUP | Namespaces::USER,
        ]
    }

    /// The rules, checked for every combination: each variant only when
    /// its evidence is there, and every message says something useful.
    #[test]
    fn every_combination_follows_the_rules() {
        let readings = all_readings();
        assert_eq!(readings.len(), 3 * 3 * 3 * 3 * 3 * 2 * 3);
        let mut seen = std::collections::HashSet::new();
        for r in &readings {
            for requested in requests() {
                for step in STEPS {
                    for errno in ERRNOS {
                        let e = diagnose(requested, step, errno, r);
                        let creating = matches!(step, Step::Unshare | Step::Clone);
                        let user = requested.contains(Namespaces::USER);
                        match e {
                            NamespaceError::Multithreaded { threads } => {
                                assert!(step == Step::Unshare && user && errno == Errno::EINVAL);
                                assert!(threads > 1 && r.threads == Some(threads));
                            }
                            NamespaceError::Disabled { namespace } => {
                                assert!(creating && errno == Errno::ENOSPC);
                                assert!(requested.contains(namespace));
                                assert_eq!(r.max_namespaces_of(namespace), Some(0));
                            }
                            NamespaceError::LimitReached { namespaces } => {
                                assert!(creating && errno == Errno::ENOSPC);
                                assert_eq!(namespaces, requested);
                                assert!(
                                    requested
                                        .iter()
                                        .all(|ns| r.max_namespaces_of(ns) != Some(0))
                                );
                            }
                            NamespaceError::TooDeep => {
                                assert!(creating && errno == Errno::EUSERS)
                            }
                            NamespaceError::UnprivilegedUsernsDisabled => {
                                assert!(creating && errno == Errno::EPERM && user);
                                assert!(!r.is_root && r.unprivileged_userns_clone == Some(0));
                            }
                            NamespaceError::AppArmorRestricted { step: s } => {
                                assert_eq!(s, step);
                                assert!(!creating && errno == Errno::EPERM && user);
                                assert!(
                                    !r.is_root
                                        && r.apparmor_restrict_unprivileged_userns == Some(1)
                                );
                            }
                            NamespaceError::NeedsUserNamespace { namespaces } => {
                                assert!(creating && errno == Errno::EPERM);
                                assert!(!user && !r.is_root && namespaces == requested);
                            }
                            NamespaceError::Unsupported { namespaces } => {
                                assert!(creating);
                                assert!(errno == Errno::EINVAL || errno == Errno::ENOSYS);
                                assert!(!namespaces.is_empty() && requested.contains(namespaces));
                                if errno == Errno::EINVAL {
                                    assert!(r.available.is_some_and(|a| !a.contains(namespaces)));
                                }
                            }
                            NamespaceError::Refused { step: s, errno: x } => {
                                assert!(creating && s == step && x == errno);
                                assert_eq!(errno, Errno::EPERM);
                            }
                            NamespaceError::NotDumpable { step: s } => {
                                assert!(s == step && errno == Errno::EACCES);
                                assert!(matches!(
                                    step,
                                    Step::Setgroups | Step::UidMap | Step::GidMap
                                ));
                                assert_eq!(r.dumpable, Some(false));
                            }
                            NamespaceError::MapWrite { step: s, errno: x } => {
                                assert!(!(errno == Errno::EACCES && r.dumpable == Some(false)));
                                assert!(matches!(
                                    step,
                                    Step::Setgroups | Step::UidMap | Step::GidMap
                                ));
                                assert!(s == step && x == errno);
                            }
                            NamespaceError::Other { step: s, errno: x } => {
                                assert!(s == step && x == errno);
                                if creating {
                                    assert!(errno != Errno::EPERM && errno != Errno::ENOSPC);
                                }
                            }
                            NamespaceError::Request(_) => {
                                panic!("diagnose never blames the request")
                            }
                        }
                        let text = e.to_string();
                        assert!(text.starts_with("namespaces: "), "{text}");
                        seen.insert(core::mem::discriminant(&e));
                    }
                }
            }
        }
        // Every variant but Request is reachable.
        assert_eq!(seen.len(), 12, "{seen:?}");
    }

    #[test]
    fn the_usual_failures() {
        let mut r = Readings::UNKNOWN;
        r.threads = Some(3);
        r.available = Some(Namespaces::all());
        assert_eq!(
            diagnose(Namespaces::USER, Step::Unshare, Errno::EINVAL, &r),
            NamespaceError::Multithreaded { threads: 3 }
        );
        // clone does not care about threads.
        assert!(matches!(
            diagnose(Namespaces::USER, Step::Clone, Errno::EINVAL, &r),
            NamespaceError::Other { .. }
        ));
        // A kernel without cgroup namespaces: EINVAL, whatever the threads.
        r.available = Some(Namespaces::all().difference(Namespaces::CGROUP));
        assert_eq!(
            diagnose(
                Namespaces::USER | Namespaces::CGROUP,
                Step::Unshare,
                Errno::EINVAL,
                &r
            ),
            NamespaceError::Unsupported {
                namespaces: Namespaces::CGROUP
            }
        );

        // Debian.
        let mut r = Readings::UNKNOWN;
        r.unprivileged_userns_clone = Some(0);
        assert_eq!(
            diagnose(Namespaces::USER, Step::Unshare, Errno::EPERM, &r),
            NamespaceError::UnprivilegedUsernsDisabled
        );
        r.is_root = true;
        assert!(matches!(
            diagnose(Namespaces::USER, Step::Unshare, Errno::EPERM, &r),
            NamespaceError::Refused { .. }
        ));

        // Ubuntu: unshare worked, the map write did not.
        let mut r = Readings::UNKNOWN;
        r.apparmor_restrict_unprivileged_userns = Some(1);
        assert_eq!(
            diagnose(Namespaces::USER, Step::UidMap, Errno::EPERM, &r),
            NamespaceError::AppArmorRestricted { step: Step::UidMap }
        );
        r.apparmor_restrict_unprivileged_userns = Some(0);
        assert_eq!(
            diagnose(Namespaces::USER, Step::UidMap, Errno::EPERM, &r),
            NamespaceError::MapWrite {
                step: Step::UidMap,
                errno: Errno::EPERM
            }
        );

        // No user namespace, no capability.
        assert_eq!(
            diagnose(
                Namespaces::NET,
                Step::Unshare,
                Errno::EPERM,
                &Readings::UNKNOWN
            ),
            NamespaceError::NeedsUserNamespace {
                namespaces: Namespaces::NET
            }
        );

        // Limits: 0 is disabled, otherwise reached.
        let mut r = Readings::UNKNOWN;
        r.max_namespaces = [Some(100); 7];
        r.max_namespaces[2] = Some(0);
        assert_eq!(
            diagnose(
                Namespaces::USER | Namespaces::NET,
                Step::Unshare,
                Errno::ENOSPC,
                &r
            ),
            NamespaceError::Disabled {
                namespace: Namespaces::NET
            }
        );
        assert_eq!(
            diagnose(Namespaces::USER, Step::Unshare, Errno::ENOSPC, &r),
            NamespaceError::LimitReached {
                namespaces: Namespaces::USER
            }
        );
        assert_eq!(
            diagnose(Namespaces::USER, Step::Unshare, Errno::EUSERS, &r),
            NamespaceError::TooDeep
        );
    }

    #[test]
    fn messages_name_the_remedy() {
        let text = NamespaceError::Disabled {
            namespace: Namespaces::USER,
        }
        .to_string();
        assert!(
            text.contains("sysctl -w user.max_user_namespaces="),
            "{text}"
        );
        let text = NamespaceError::Disabled {
            namespace: Namespaces::MOUNT,
        }
        .to_string();
        assert!(text.contains("user.max_mnt_namespaces"), "{text}");
        let text = NamespaceError::UnprivilegedUsernsDisabled.to_string();
        assert!(text.contains("kernel.unprivileged_userns_clone"), "{text}");
        let text = NamespaceError::AppArmorRestricted { step: Step::GidMap }.to_string();
        assert!(
            text.contains("gid_map") && text.contains("apparmor_restrict_unprivileged_userns"),
            "{text}"
        );
        let text = NamespaceError::NeedsUserNamespace {
            namespaces: Namespaces::MOUNT | Namespaces::NET,
        }
        .to_string();
        assert!(
            text.contains("mount,net") && text.contains("add `user`"),
            "{text}"
        );
        let text = NamespaceError::Multithreaded { threads: 2 }.to_string();
        assert!(
            text.contains("2 threads") && text.contains("enter_child"),
            "{text}"
        );
    }

    #[test]
    fn thread_counts() {
        let r = Readings::gather();
        assert!(r.threads.unwrap() >= 1);
    }
}
