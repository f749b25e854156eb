//! Landlock's access rights, scopes and `restrict_self` flags, and which ABI
//! version brought each (kernel facts, from `include/uapi/linux/landlock.h`
//! and the kernel's Landlock documentation).

use core::fmt;

bitflags::bitflags! {
    /// Filesystem access rights (`LANDLOCK_ACCESS_FS_*`).
    ///
    /// ```
    /// use seclude::landlock::AccessFs;
    /// let read = AccessFs::READ_FILE | AccessFs::READ_DIR;
    /// assert_eq!(read.bits(), 0b1100);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct AccessFs: u64 {
        /// Execute a file (ABI 1).
        const EXECUTE = 1 << 0;
        /// Open a file with write access (ABI 1).
        const WRITE_FILE = 1 << 1;
        /// Open a file with read access (ABI 1).
        const READ_FILE = 1 << 2;
        /// Open a directory or list its content (ABI 1).
        const READ_DIR = 1 << 3;
        /// Remove an empty directory or rename one (ABI 1).
        const REMOVE_DIR = 1 << 4;
        /// Unlink or rename a file (ABI 1).
        const REMOVE_FILE = 1 << 5;
        /// Create, rename or link a character device (ABI 1).
        const MAKE_CHAR = 1 << 6;
        /// Create or rename a directory (ABI 1).
        const MAKE_DIR = 1 << 7;
        /// Create, rename or link a regular file (ABI 1).
        const MAKE_REG = 1 << 8;
        /// Create, rename or link a UNIX domain socket (ABI 1).
        const MAKE_SOCK = 1 << 9;
        /// Create, rename or link a named pipe (ABI 1).
        const MAKE_FIFO = 1 << 10;
        /// Create, rename or link a block device (ABI 1).
        const MAKE_BLOCK = 1 << 11;
        /// Create, rename or link a symbolic link (ABI 1).
        const MAKE_SYM = 1 << 12;
        /// Link or rename a file from or to a different directory (ABI 2).
        /// Before ABI 2 such reparenting is always denied inside a domain.
        const REFER = 1 << 13;
        /// Truncate a file (`truncate`, `ftruncate`, `O_TRUNC`) (ABI 3).
        const TRUNCATE = 1 << 14;
        /// `ioctl` on character and block devices opened after the rule (ABI 5).
        const IOCTL_DEV = 1 << 15;
        /// Connect to a UNIX socket by path (`connect`, `sendmsg`) (ABI 9).
        const RESOLVE_UNIX = 1 << 16;
    }
}

impl AccessFs {
    /// The rights that apply to a non-directory (the kernel's
    /// `ACCESS_FILE`): a rule on a regular file, device or socket may only
    /// grant these, the others make `landlock_add_rule` fail with `EINVAL`.
    ///
    /// ```
    /// use seclude::landlock::AccessFs;
    /// assert!(AccessFs::FILE.contains(AccessFs::READ_FILE));
    /// assert!(!AccessFs::FILE.contains(AccessFs::READ_DIR));
    /// ```
    pub const FILE: AccessFs = AccessFs::EXECUTE
        .union(AccessFs::WRITE_FILE)
        .union(AccessFs::READ_FILE)
        .union(AccessFs::TRUNCATE)
        .union(AccessFs::IOCTL_DEV)
        .union(AccessFs::RESOLVE_UNIX);
}

bitflags::bitflags! {
    /// Network access rights (`LANDLOCK_ACCESS_NET_*`, ABI 4).
    ///
    /// ```
    /// use seclude::landlock::AccessNet;
    /// assert_eq!(AccessNet::all().bits(), 3);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct AccessNet: u64 {
        /// Bind a TCP socket to a local port.
        const BIND_TCP = 1 << 0;
        /// Connect a TCP socket to a remote port.
        const CONNECT_TCP = 1 << 1;
    }
}

bitflags::bitflags! {
    /// IPC scopes (`LANDLOCK_SCOPE_*`, ABI 6): what may not reach out of the
    /// domain.
    ///
    /// ```
    /// use seclude::landlock::Scope;
    /// assert_eq!(Scope::SIGNAL.bits(), 2);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct Scope: u64 {
        /// Connecting to abstract UNIX sockets created outside the domain.
        const ABSTRACT_UNIX_SOCKET = 1 << 0;
        /// Sending signals to processes outside the domain.
        const SIGNAL = 1 << 1;
    }
}

bitflags::bitflags! {
    /// Flags of `landlock_restrict_self` (`LANDLOCK_RESTRICT_SELF_*`).
    ///
    /// ```
    /// use seclude::landlock::RestrictFlags;
    /// assert_eq!(RestrictFlags::TSYNC.bits(), 8);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct RestrictFlags: u32 {
        /// Do not log denials of the domain's own process before `execve` (ABI 7).
        const LOG_SAME_EXEC_OFF = 1 << 0;
        /// Log denials after `execve` too (ABI 7).
        const LOG_NEW_EXEC_ON = 1 << 1;
        /// Do not log denials of nested domains (ABI 7).
        const LOG_SUBDOMAINS_OFF = 1 << 2;
        /// Restrict every thread of the process, not only the caller (ABI 8).
        const TSYNC = 1 << 3;
    }
}

impl RestrictFlags {
    /// The flags that only change what is logged: dropping them on an older
    /// kernel weakens no restriction.
    ///
    /// ```
    /// use seclude::landlock::RestrictFlags;
    /// assert!(!RestrictFlags::LOGGING.contains(RestrictFlags::TSYNC));
    /// ```
    pub const LOGGING: RestrictFlags = RestrictFlags::LOG_SAME_EXEC_OFF
        .union(RestrictFlags::LOG_NEW_EXEC_ON)
        .union(RestrictFlags::LOG_SUBDOMAINS_OFF);
}

/// A Landlock ABI version, as `landlock_create_ruleset(NULL, 0,
/// LANDLOCK_CREATE_RULESET_VERSION)` reports it: what the running kernel
/// can enforce.
///
/// ```
/// use seclude::landlock::{AbiVersion, AccessFs};
/// let v = AbiVersion::from_raw(3);
/// assert!(v.fs().contains(AccessFs::TRUNCATE));
/// assert!(!v.fs().contains(AccessFs::IOCTL_DEV));
/// assert_eq!(v.linux(), "6.2");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum AbiVersion {
    /// No Landlock: the kernel lacks it, or it is disabled at boot.
    Unsupported = 0,
    /// Linux 5.13: filesystem rights.
    V1 = 1,
    /// Linux 5.19: `REFER`.
    V2 = 2,
    /// Linux 6.2: `TRUNCATE`.
    V3 = 3,
    /// Linux 6.7: TCP bind and connect.
    V4 = 4,
    /// Linux 6.10: `IOCTL_DEV`.
    V5 = 5,
    /// Linux 6.12: abstract UNIX socket and signal scopes.
    V6 = 6,
    /// Linux 6.15: logging flags of `restrict_self`.
    V7 = 7,
    /// Linux 7.0: `restrict_self` for every thread (`TSYNC`).
    V8 = 8,
    /// Linux 7.1: `RESOLVE_UNIX`.
    V9 = 9,
}

impl AbiVersion {
    /// The newest version this crate knows.
    ///
    /// ```
    /// assert_eq!(seclude::landlock::AbiVersion::LATEST as u8, 9);
    /// ```
    pub const LATEST: AbiVersion = AbiVersion::V9;

    /// Every version, oldest first.
    ///
    /// ```
    /// assert_eq!(seclude::landlock::AbiVersion::ALL.len(), 10);
    /// ```
    pub const ALL: [AbiVersion; 10] = [
        AbiVersion::Unsupported,
        AbiVersion::V1,
        AbiVersion::V2,
        AbiVersion::V3,
        AbiVersion::V4,
        AbiVersion::V5,
        AbiVersion::V6,
        AbiVersion::V7,
        AbiVersion::V8,
        AbiVersion::V9,
    ];

    /// The version for a raw number: 0 or less is [`Unsupported`](AbiVersion::Unsupported);
    /// a version newer than [`LATEST`](AbiVersion::LATEST) can do at least
    /// what `LATEST` can, and is treated as it.
    ///
    /// ```
    /// use seclude::landlock::AbiVersion;
    /// assert_eq!(AbiVersion::from_raw(12), AbiVersion::V9);
    /// assert_eq!(AbiVersion::from_raw(-1), AbiVersion::Unsupported);
    /// ```
    pub const fn from_raw(raw: i64) -> AbiVersion {
        if raw <= 0 {
            AbiVersion::Unsupported
        } else if raw >= AbiVersion::LATEST as i64 {
            AbiVersion::LATEST
        } else {
            AbiVersion::ALL[raw as usize]
        }
    }

    /// The first Linux release with this version.
    ///
    /// ```
    /// assert_eq!(seclude::landlock::AbiVersion::V4.linux(), "6.7");
    /// ```
    pub const fn linux(self) -> &'static str {
        match self {
            AbiVersion::Unsupported => "-",
            AbiVersion::V1 => "5.13",
            AbiVersion::V2 => "5.19",
            AbiVersion::V3 => "6.2",
            AbiVersion::V4 => "6.7",
            AbiVersion::V5 => "6.10",
            AbiVersion::V6 => "6.12",
            AbiVersion::V7 => "6.15",
            AbiVersion::V8 => "7.0",
            AbiVersion::V9 => "7.1",
        }
    }

    /// The filesystem rights this version can restrict.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, AccessFs};
    /// assert!(!AbiVersion::V1.fs().contains(AccessFs::REFER));
    /// assert_eq!(AbiVersion::V9.fs(), AccessFs::all());
    /// ```
    pub const fn fs(self) -> AccessFs {
        let v = self as u8;
        let mut fs = AccessFs::empty();
        if v >= 1 {
            fs = AccessFs::from_bits_truncate((1 << 13) - 1);
        }
        if v >= 2 {
            fs = fs.union(AccessFs::REFER);
        }
        if v >= 3 {
            fs = fs.union(AccessFs::TRUNCATE);
        }
        if v >= 5 {
            fs = fs.union(AccessFs::IOCTL_DEV);
        }
        if v >= 9 {
            fs = fs.union(AccessFs::RESOLVE_UNIX);
        }
        fs
    }

    /// The network rights this version can restrict.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, AccessNet};
    /// assert_eq!(AbiVersion::V3.net(), AccessNet::empty());
    /// assert_eq!(AbiVersion::V4.net(), AccessNet::all());
    /// ```
    pub const fn net(self) -> AccessNet {
        if self as u8 >= 4 {
            AccessNet::all()
        } else {
            AccessNet::empty()
        }
    }

    /// The scopes this version can restrict.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, Scope};
    /// assert_eq!(AbiVersion::V6.scopes(), Scope::all());
    /// ```
    pub const fn scopes(self) -> Scope {
        if self as u8 >= 6 {
            Scope::all()
        } else {
            Scope::empty()
        }
    }

    /// The `restrict_self` flags this version accepts.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, RestrictFlags};
    /// assert_eq!(AbiVersion::V7.restrict_flags(), RestrictFlags::LOGGING);
    /// ```
    pub const fn restrict_flags(self) -> RestrictFlags {
        let v = self as u8;
        let mut flags = RestrictFlags::empty();
        if v >= 7 {
            flags = flags.union(RestrictFlags::LOGGING);
        }
        if v >= 8 {
            flags = flags.union(RestrictFlags::TSYNC);
        }
        flags
    }

    /// The size of `struct landlock_ruleset_attr` this version reads: 8
    /// bytes (filesystem only), 16 from ABI 4 (network), 24 from ABI 6
    /// (scopes). Passing the larger struct with its new fields zero also
    /// works on newer kernels; an older kernel refuses a larger size
    /// (`E2BIG`) unless the extra bytes are zero, so the smallest size that
    /// holds what is asked is passed.
    ///
    /// ```
    /// assert_eq!(seclude::landlock::AbiVersion::V5.ruleset_attr_size(), 16);
    /// ```
    pub const fn ruleset_attr_size(self) -> usize {
        match self as u8 {
            0..=3 => 8,
            4 | 5 => 16,
            _ => 24,
        }
    }
}

impl fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbiVersion::Unsupported => f.write_str("no Landlock"),
            v => write!(f, "Landlock ABI {} (Linux {})", *v as u8, v.linux()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_adds_to_the_previous_one() {
        for pair in AbiVersion::ALL.windows(2) {
            let (old, new) = (pair[0], pair[1]);
            assert!(new.fs().contains(old.fs()), "{new:?}");
            assert!(new.net().contains(old.net()), "{new:?}");
            assert!(new.scopes().contains(old.scopes()), "{new:?}");
            assert!(
                new.restrict_flags().contains(old.restrict_flags()),
                "{new:?}"
            );
            let grew = new.fs() != old.fs()
                || new.net() != old.net()
                || new.scopes() != old.scopes()
                || new.restrict_flags() != old.restrict_flags();
            assert!(grew, "{new:?} adds something");
        }
    }

    #[test]
    fn the_latest_version_has_every_right() {
        let v = AbiVersion::LATEST;
        assert_eq!(v.fs(), AccessFs::all());
        assert_eq!(v.net(), AccessNet::all());
        assert_eq!(v.scopes(), Scope::all());
        assert_eq!(v.restrict_flags(), RestrictFlags::all());
    }

    #[test]
    fn version_1_has_the_thirteen_original_rights() {
        assert_eq!(AbiVersion::V1.fs().bits(), 0x1fff);
        assert_eq!(AbiVersion::Unsupported.fs(), AccessFs::empty());
    }

    #[test]
    fn from_raw_round_trips() {
        for v in AbiVersion::ALL {
            assert_eq!(AbiVersion::from_raw(v as i64), v);
        }
    }
}
