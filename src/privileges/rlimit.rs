//! Resource limits: reading and lowering them with `prlimit64`, the one
//! call every architecture has with 64-bit limits (riscv32 has no
//! `getrlimit`/`setrlimit` at all).
//!
//! The `RLIMIT_*` numbers are `include/uapi/asm-generic/resource.h`'s on
//! every architecture seclude builds for; only alpha, mips and sparc number
//! some of them differently, and seclude does not build for those.

use crate::errno::Errno;
use crate::sys::syscall4;
use crate::tables::native_nr;

/// `RLIM_INFINITY` as `prlimit64` carries it.
pub const INFINITY: u64 = u64::MAX;

/// A resource limit (`RLIMIT_*`).
///
/// ```
/// use seclude::privileges::Resource;
/// assert_eq!(Resource::Core as u32, 4);
/// assert_eq!(Resource::Nofile as u32, 7);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u32)]
pub enum Resource {
    /// CPU time in seconds (`SIGXCPU` at the soft limit).
    Cpu = 0,
    /// Largest file the process may create, in bytes (`SIGXFSZ`).
    Fsize = 1,
    /// Data segment size in bytes.
    Data = 2,
    /// Stack size in bytes.
    Stack = 3,
    /// Core dump size in bytes (0: no core dumps).
    Core = 4,
    /// Resident set size (not enforced by Linux).
    Rss = 5,
    /// Processes (threads) the real uid may have; not enforced for a
    /// process with `CAP_SYS_ADMIN` or `CAP_SYS_RESOURCE`.
    Nproc = 6,
    /// One more than the highest file descriptor number that can be opened.
    Nofile = 7,
    /// Bytes of locked memory.
    Memlock = 8,
    /// Address space size in bytes.
    As = 9,
    /// File locks (not enforced since Linux 2.4.25).
    Locks = 10,
    /// Queued signals for the real uid.
    Sigpending = 11,
    /// Bytes in POSIX message queues for the real uid.
    Msgqueue = 12,
    /// Ceiling of the nice value (`20 - limit`).
    Nice = 13,
    /// Ceiling of the real-time priority.
    Rtprio = 14,
    /// Microseconds of real-time CPU without a blocking call.
    Rttime = 15,
}

impl Resource {
    /// Every resource, in numeric order.
    ///
    /// ```
    /// assert_eq!(seclude::privileges::Resource::ALL.len(), 16);
    /// ```
    pub const ALL: [Resource; 16] = [
        Resource::Cpu,
        Resource::Fsize,
        Resource::Data,
        Resource::Stack,
        Resource::Core,
        Resource::Rss,
        Resource::Nproc,
        Resource::Nofile,
        Resource::Memlock,
        Resource::As,
        Resource::Locks,
        Resource::Sigpending,
        Resource::Msgqueue,
        Resource::Nice,
        Resource::Rtprio,
        Resource::Rttime,
    ];
}

/// A soft and a hard limit (`struct rlimit64`); [`INFINITY`] is unlimited.
///
/// ```
/// use seclude::privileges::{getrlimit, Resource};
/// let nofile = getrlimit(Resource::Nofile).unwrap();
/// assert!(nofile.soft <= nofile.hard);
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Rlimit {
    /// What the kernel enforces.
    pub soft: u64,
    /// The ceiling for the soft limit; only lowered without
    /// `CAP_SYS_RESOURCE`.
    pub hard: u64,
}

/// The calling process's limit on `resource` (`prlimit64` reading only).
///
/// ```
/// use seclude::privileges::{getrlimit, Resource};
/// let core = getrlimit(Resource::Core).unwrap();
/// assert!(core.soft <= core.hard);
/// ```
pub fn getrlimit(resource: Resource) -> Result<Rlimit, Errno> {
    let mut old = Rlimit { soft: 0, hard: 0 };
    // SAFETY: pid 0 is the caller; no new limit; the kernel writes one
    // struct rlimit64 into old.
    unsafe {
        syscall4(
            native_nr!(prlimit64),
            0,
            resource as usize,
            0,
            &mut old as *mut Rlimit as usize,
        )
    }?;
    Ok(old)
}

/// Sets the calling process's limit on `resource` to exactly `limit`
/// (`prlimit64`). Raising the hard limit needs `CAP_SYS_RESOURCE`; a soft
/// limit above the hard one is `EINVAL`.
///
/// ```no_run
/// use seclude::privileges::{setrlimit, Resource, Rlimit};
/// setrlimit(Resource::Core, Rlimit { soft: 0, hard: 0 }).unwrap();
/// ```
pub fn setrlimit(resource: Resource, limit: Rlimit) -> Result<(), Errno> {
    // SAFETY: pid 0 is the caller; the kernel reads one struct rlimit64
    // and writes no old value.
    unsafe {
        syscall4(
            native_nr!(prlimit64),
            0,
            resource as usize,
            &limit as *const Rlimit as usize,
            0,
        )
    }
    .map(drop)
}

/// What lowering a limit to `requested` does, given the `current` limit:
/// both limits become `requested`, except that the hard limit is never
/// raised (a root process could raise it, but a policy that asks for a
/// limit means "at most this"). Returns the new limit and whether it had to
/// be clamped because `requested` is above the current hard limit.
pub(crate) const fn plan(current: Rlimit, requested: u64) -> (Rlimit, bool) {
    if requested <= current.hard {
        (
            Rlimit {
                soft: requested,
                hard: requested,
            },
            false,
        )
    } else {
        (
            Rlimit {
                soft: current.hard,
                hard: current.hard,
            },
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_never_raise_the_hard_limit() {
        let cur = Rlimit {
            soft: 10,
            hard: 100,
        };
        assert_eq!(plan(cur, 0), (Rlimit { soft: 0, hard: 0 }, false));
        assert_eq!(plan(cur, 50), (Rlimit { soft: 50, hard: 50 }, false));
        assert_eq!(
            plan(cur, 100),
            (
                Rlimit {
                    soft: 100,
                    hard: 100
                },
                false
            )
        );
        assert_eq!(
            plan(cur, INFINITY),
            (
                Rlimit {
                    soft: 100,
                    hard: 100
                },
                true
            )
        );
        let unlimited = Rlimit {
            soft: INFINITY,
            hard: INFINITY,
        };
        assert_eq!(plan(unlimited, INFINITY), (unlimited, false));
        for (i, r) in Resource::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
        }
    }

    #[test]
    fn reading_a_limit_works_and_setting_it_unchanged_is_allowed() {
        let core = getrlimit(Resource::Core).unwrap();
        assert!(core.soft <= core.hard);
        setrlimit(Resource::Core, core).unwrap();
        assert_eq!(getrlimit(Resource::Core).unwrap(), core);
    }
}
