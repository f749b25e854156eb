//! Capability names and sets: pure data, no system calls.
//!
//! The numbers are the kernel's (`include/uapi/linux/capability.h`), the
//! same on every architecture. A set is a `u64` bit mask, bit `n` for
//! capability `n`, which is how `/proc/self/status` prints them and how
//! `capget`/`capset` carry them (as two 32-bit words).

use core::fmt;

macro_rules! capabilities {
    ($( $(#[doc = $doc:literal])* $variant:ident $upper:ident = $nr:literal; )*) => {
        /// One Linux capability, numbered as the kernel numbers it.
        ///
        /// ```
        /// use seclude::privileges::Capability;
        /// assert_eq!(Capability::NetBindService as u8, 10);
        /// assert_eq!(Capability::from_name("net_raw"), Some(Capability::NetRaw));
        /// assert_eq!(Capability::SysAdmin.name(), "CAP_SYS_ADMIN");
        /// ```
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Capability {
            $( $(#[doc = $doc])* $variant = $nr, )*
        }

        impl Capability {
            /// Every capability this crate knows, in numeric order (index =
            /// number).
            ///
            /// ```
            /// use seclude::privileges::Capability;
            /// assert_eq!(Capability::ALL.len(), 41);
            /// assert_eq!(Capability::ALL[40], Capability::CheckpointRestore);
            /// ```
            pub const ALL: &'static [Capability] = &[ $( Capability::$variant, )* ];

            /// The kernel's name, `CAP_…`.
            ///
            /// ```
            /// assert_eq!(seclude::privileges::Capability::Chown.name(), "CAP_CHOWN");
            /// ```
            pub const fn name(self) -> &'static str {
                match self {
                    $( Capability::$variant => concat!("CAP_", stringify!($upper)), )*
                }
            }
        }

        bitflags::bitflags! {
            /// A set of capabilities: bit `n` is capability number `n`, as in
            /// the `Cap*` lines of `/proc/self/status`.
            ///
            /// ```
            /// use seclude::privileges::{Capabilities, Capability};
            /// const NET: Capabilities =
            ///     Capabilities::from_list(&[Capability::NetBindService, Capability::NetRaw]);
            /// assert_eq!(NET.bits(), (1 << 10) | (1 << 13));
            /// assert!(NET.has(Capability::NetRaw));
            /// ```
            #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
            pub struct Capabilities: u64 {
                $( $(#[doc = $doc])* const $upper = 1 << $nr; )*
            }
        }
    };
}

capabilities! {
    /// `CAP_CHOWN`: change file owners.
    Chown CHOWN = 0;
    /// `CAP_DAC_OVERRIDE`: bypass file permission checks.
    DacOverride DAC_OVERRIDE = 1;
    /// `CAP_DAC_READ_SEARCH`: bypass read and search permission checks.
    DacReadSearch DAC_READ_SEARCH = 2;
    /// `CAP_FOWNER`: bypass checks that the caller owns the file.
    Fowner FOWNER = 3;
    /// `CAP_FSETID`: keep set-user-id bits when modifying a file.
    Fsetid FSETID = 4;
    /// `CAP_KILL`: send signals to any process.
    Kill KILL = 5;
    /// `CAP_SETGID`: change group ids and supplementary groups.
    Setgid SETGID = 6;
    /// `CAP_SETUID`: change user ids.
    Setuid SETUID = 7;
    /// `CAP_SETPCAP`: change the bounding set and securebits.
    Setpcap SETPCAP = 8;
    /// `CAP_LINUX_IMMUTABLE`: set the immutable and append-only file flags.
    LinuxImmutable LINUX_IMMUTABLE = 9;
    /// `CAP_NET_BIND_SERVICE`: bind ports below 1024.
    NetBindService NET_BIND_SERVICE = 10;
    /// `CAP_NET_BROADCAST`: broadcast and multicast (unused by the kernel).
    NetBroadcast NET_BROADCAST = 11;
    /// `CAP_NET_ADMIN`: network configuration.
    NetAdmin NET_ADMIN = 12;
    /// `CAP_NET_RAW`: raw and packet sockets.
    NetRaw NET_RAW = 13;
    /// `CAP_IPC_LOCK`: lock memory.
    IpcLock IPC_LOCK = 14;
    /// `CAP_IPC_OWNER`: bypass System V IPC permission checks.
    IpcOwner IPC_OWNER = 15;
    /// `CAP_SYS_MODULE`: load and unload kernel modules.
    SysModule SYS_MODULE = 16;
    /// `CAP_SYS_RAWIO`: raw I/O (`iopl`, `/dev/mem`).
    SysRawio SYS_RAWIO = 17;
    /// `CAP_SYS_CHROOT`: `chroot`.
    SysChroot SYS_CHROOT = 18;
    /// `CAP_SYS_PTRACE`: trace any process.
    SysPtrace SYS_PTRACE = 19;
    /// `CAP_SYS_PACCT`: process accounting.
    SysPacct SYS_PACCT = 20;
    /// `CAP_SYS_ADMIN`: a wide range of administration (mount, …).
    SysAdmin SYS_ADMIN = 21;
    /// `CAP_SYS_BOOT`: `reboot` and `kexec_load`.
    SysBoot SYS_BOOT = 22;
    /// `CAP_SYS_NICE`: raise priorities, real-time scheduling.
    SysNice SYS_NICE = 23;
    /// `CAP_SYS_RESOURCE`: exceed resource limits, raise hard limits.
    SysResource SYS_RESOURCE = 24;
    /// `CAP_SYS_TIME`: set the clocks.
    SysTime SYS_TIME = 25;
    /// `CAP_SYS_TTY_CONFIG`: `vhangup` and terminal configuration.
    SysTtyConfig SYS_TTY_CONFIG = 26;
    /// `CAP_MKNOD`: create device nodes.
    Mknod MKNOD = 27;
    /// `CAP_LEASE`: file leases on files one does not own.
    Lease LEASE = 28;
    /// `CAP_AUDIT_WRITE`: write to the audit log.
    AuditWrite AUDIT_WRITE = 29;
    /// `CAP_AUDIT_CONTROL`: configure auditing.
    AuditControl AUDIT_CONTROL = 30;
    /// `CAP_SETFCAP`: set file capabilities.
    Setfcap SETFCAP = 31;
    /// `CAP_MAC_OVERRIDE`: override mandatory access control.
    MacOverride MAC_OVERRIDE = 32;
    /// `CAP_MAC_ADMIN`: configure mandatory access control.
    MacAdmin MAC_ADMIN = 33;
    /// `CAP_SYSLOG`: privileged `syslog` operations.
    Syslog SYSLOG = 34;
    /// `CAP_WAKE_ALARM`: timers that wake the system.
    WakeAlarm WAKE_ALARM = 35;
    /// `CAP_BLOCK_SUSPEND`: block system suspend.
    BlockSuspend BLOCK_SUSPEND = 36;
    /// `CAP_AUDIT_READ`: read the audit log (Linux 3.16).
    AuditRead AUDIT_READ = 37;
    /// `CAP_PERFMON`: performance monitoring (Linux 5.8).
    Perfmon PERFMON = 38;
    /// `CAP_BPF`: privileged BPF operations (Linux 5.8).
    Bpf BPF = 39;
    /// `CAP_CHECKPOINT_RESTORE`: checkpoint/restore operations (Linux 5.9).
    CheckpointRestore CHECKPOINT_RESTORE = 40;
}

/// Whether `a` equals `b` ignoring ASCII case.
const fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

impl Capability {
    /// The capability named `name`: the kernel's name (`CAP_NET_RAW`) or
    /// the name without its prefix (`net_raw`), in any case.
    ///
    /// ```
    /// use seclude::privileges::Capability;
    /// assert_eq!(Capability::from_name("CAP_NET_RAW"), Some(Capability::NetRaw));
    /// assert_eq!(Capability::from_name("Net_Raw"), Some(Capability::NetRaw));
    /// assert_eq!(Capability::from_name("cap_bpf"), Some(Capability::Bpf));
    /// assert_eq!(Capability::from_name("NET-RAW"), None);
    /// ```
    pub const fn from_name(name: &str) -> Option<Capability> {
        let mut bytes = name.as_bytes();
        if bytes.len() > 4 && eq_ignore_case(bytes.split_at(4).0, b"CAP_") {
            bytes = bytes.split_at(4).1;
        }
        let mut i = 0;
        while i < Capability::ALL.len() {
            let cap = Capability::ALL[i];
            // Every kernel name starts with "CAP_".
            if eq_ignore_case(cap.name().as_bytes().split_at(4).1, bytes) {
                return Some(cap);
            }
            i += 1;
        }
        None
    }

    /// The capability numbered `number`, if this crate knows it.
    ///
    /// ```
    /// use seclude::privileges::Capability;
    /// assert_eq!(Capability::from_number(8), Some(Capability::Setpcap));
    /// assert_eq!(Capability::from_number(41), None);
    /// ```
    pub const fn from_number(number: u8) -> Option<Capability> {
        if (number as usize) < Capability::ALL.len() {
            Some(Capability::ALL[number as usize])
        } else {
            None
        }
    }

    /// The one-element set holding this capability.
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// assert_eq!(Capability::Kill.set(), Capabilities::KILL);
    /// ```
    pub const fn set(self) -> Capabilities {
        Capabilities::from_bits_retain(1 << self as u8)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name in a capability list that is not a capability (see
/// [`Capabilities::parse`]).
///
/// ```
/// let e = seclude::privileges::Capabilities::parse("net_raw,bogus").unwrap_err();
/// assert_eq!(e.offset(), 8);
/// assert_eq!(e.name(), "bogus");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnknownCapability<'a> {
    name: &'a str,
    offset: usize,
}

impl<'a> UnknownCapability<'a> {
    /// The name that was not recognised (white space trimmed).
    ///
    /// ```
    /// let e = seclude::privileges::Capabilities::parse(" cap_nope ").unwrap_err();
    /// assert_eq!(e.name(), "cap_nope");
    /// ```
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// Where the name starts in the parsed string, in bytes.
    ///
    /// ```
    /// let e = seclude::privileges::Capabilities::parse(" cap_nope").unwrap_err();
    /// assert_eq!(e.offset(), 1);
    /// ```
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for UnknownCapability<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "privileges: unknown capability {:?} at byte {} (names look like CAP_NET_RAW or net_raw)",
            self.name, self.offset
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UnknownCapability<'_> {}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl Capabilities {
    /// The set of the capabilities in `list` (repeats are fine).
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// const KEEP: Capabilities = Capabilities::from_list(&[Capability::Chown, Capability::Chown]);
    /// assert_eq!(KEEP, Capabilities::CHOWN);
    /// ```
    pub const fn from_list(list: &[Capability]) -> Capabilities {
        let mut bits = 0u64;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << list[i] as u8;
            i += 1;
        }
        Capabilities::from_bits_retain(bits)
    }

    /// This set with `cap` added.
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// const S: Capabilities = Capabilities::empty().with(Capability::NetRaw);
    /// assert!(S.has(Capability::NetRaw));
    /// ```
    pub const fn with(self, cap: Capability) -> Capabilities {
        self.union(cap.set())
    }

    /// Whether `cap` is in the set.
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// assert!(!Capabilities::empty().has(Capability::Kill));
    /// ```
    pub const fn has(self, cap: Capability) -> bool {
        self.bits() & (1 << cap as u8) != 0
    }

    /// Parses a comma-separated list of names (as
    /// [`Capability::from_name`] accepts them; white space around a name is
    /// ignored). The empty string, or only white space, is the empty set.
    /// Usable in `const` context.
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// const NET: Capabilities = match Capabilities::parse("CAP_NET_BIND_SERVICE, net_raw") {
    ///     Ok(c) => c,
    ///     Err(_) => panic!("bad capability list"),
    /// };
    /// assert_eq!(NET, Capabilities::NET_BIND_SERVICE | Capabilities::NET_RAW);
    /// assert_eq!(Capabilities::parse(""), Ok(Capabilities::empty()));
    /// assert!(Capabilities::parse("net_raw,,kill").is_err());
    /// ```
    pub const fn parse(s: &str) -> Result<Capabilities, UnknownCapability<'_>> {
        let bytes = s.as_bytes();
        let mut set = Capabilities::empty();
        // The whole string blank: the empty set.
        let mut blank = true;
        let mut i = 0;
        while i < bytes.len() {
            if !is_space(bytes[i]) {
                blank = false;
            }
            i += 1;
        }
        if blank {
            return Ok(set);
        }
        let mut start = 0;
        while start <= bytes.len() {
            let mut end = start;
            while end < bytes.len() && bytes[end] != b',' {
                end += 1;
            }
            let mut first = start;
            while first < end && is_space(bytes[first]) {
                first += 1;
            }
            let mut last = end;
            while last > first && is_space(bytes[last - 1]) {
                last -= 1;
            }
            // Cut at ASCII bytes, so on character boundaries.
            let name = crate::text::slice(s, first, last);
            match Capability::from_name(name) {
                Some(cap) => set = set.with(cap),
                None => {
                    return Err(UnknownCapability {
                        name,
                        offset: first,
                    });
                }
            }
            start = end + 1;
        }
        Ok(set)
    }

    /// The capabilities in the set, lowest number first (bits this crate
    /// has no name for are skipped; see [`Capabilities::unnamed`]).
    ///
    /// ```
    /// use seclude::privileges::{Capabilities, Capability};
    /// let set = Capabilities::KILL | Capabilities::CHOWN;
    /// let v: Vec<Capability> = set.capabilities().collect();
    /// assert_eq!(v, [Capability::Chown, Capability::Kill]);
    /// ```
    pub fn capabilities(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .iter()
            .copied()
            .filter(move |c| self.has(*c))
    }

    /// The bits of the set that name no capability this crate knows (a
    /// newer kernel's).
    ///
    /// ```
    /// use seclude::privileges::Capabilities;
    /// assert_eq!(Capabilities::from_bits_retain(1 << 45).unnamed(), 1 << 45);
    /// assert_eq!(Capabilities::all().unnamed(), 0);
    /// ```
    pub const fn unnamed(self) -> u64 {
        self.bits() & !Capabilities::all().bits()
    }
}

impl fmt::Display for Capabilities {
    /// The kernel names, comma-separated, lowest number first; bits with no
    /// name print as `CAP_<number>`; the empty set prints as nothing.
    ///
    /// ```
    /// use seclude::privileges::Capabilities;
    /// let set = Capabilities::NET_RAW | Capabilities::CHOWN;
    /// assert_eq!(set.to_string(), "CAP_CHOWN,CAP_NET_RAW");
    /// assert_eq!(Capabilities::parse(&set.to_string()), Ok(set));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for bit in 0..64u8 {
            if self.bits() & (1 << bit) == 0 {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            match Capability::from_number(bit) {
                Some(cap) => f.write_str(cap.name())?,
                None => write!(f, "CAP_{bit}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn numbers_match_the_kernel_header() {
        // Spot checks against include/uapi/linux/capability.h, and the
        // table is dense: index = number.
        for (i, cap) in Capability::ALL.iter().enumerate() {
            assert_eq!(*cap as usize, i);
            assert_eq!(Capability::from_number(i as u8), Some(*cap));
        }
        assert_eq!(Capability::Setpcap as u8, 8);
        assert_eq!(Capability::NetBindService as u8, 10);
        assert_eq!(Capability::SysAdmin as u8, 21);
        assert_eq!(Capability::SysResource as u8, 24);
        assert_eq!(Capability::Setfcap as u8, 31);
        assert_eq!(Capability::CheckpointRestore as u8, 40);
        assert_eq!(Capabilities::all().bits(), (1u64 << 41) - 1);
    }

    #[test]
    fn every_name_round_trips_in_every_spelling() {
        for &cap in Capability::ALL {
            let name = cap.name();
            assert!(name.starts_with("CAP_"));
            assert_eq!(Capability::from_name(name), Some(cap));
            assert_eq!(Capability::from_name(&name.to_lowercase()), Some(cap));
            assert_eq!(Capability::from_name(&name[4..]), Some(cap));
            assert_eq!(Capability::from_name(&name[4..].to_lowercase()), Some(cap));
            assert_eq!(cap.set().bits().count_ones(), 1);
        }
        for bad in ["", "CAP_", "cap", "CAP_CAP_KILL", "kill ", "CAPKILL", "ä"] {
            assert_eq!(Capability::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lists_parse_and_print() {
        assert_eq!(
            Capabilities::parse(" kill ,\tCAP_SETUID,cap_kill\n"),
            Ok(Capabilities::KILL | Capabilities::SETUID)
        );
        assert_eq!(Capabilities::parse(" \t"), Ok(Capabilities::empty()));
        let e = Capabilities::parse("kill,").unwrap_err();
        assert_eq!((e.name(), e.offset()), ("", 5));
        let e = Capabilities::parse("kill, nope").unwrap_err();
        assert_eq!((e.name(), e.offset()), ("nope", 6));
        assert!(e.to_string().contains("\"nope\""));
        let all = Capabilities::all();
        assert_eq!(Capabilities::parse(&all.to_string()), Ok(all));
        assert_eq!(Capabilities::empty().to_string(), "");
        assert_eq!(
            Capabilities::from_bits_retain(1 | 1 << 50).to_string(),
            "CAP_CHOWN,CAP_50"
        );
    }

    #[test]
    fn parse_never_panics_on_odd_input() {
        let mut rng = crate::testing::Rng(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"capCAP_ ,\t\x00kilnetrw\xc3\xa4";
        for _ in 0..5000 {
            let len = rng.below(24) as usize;
            let bytes: std::vec::Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            if let Ok(s) = core::str::from_utf8(&bytes) {
                if let Err(e) = Capabilities::parse(s) {
                    assert!(e.offset() <= s.len());
                }
            }
        }
    }
}
