//! The namespace types as a set of the kernel's `CLONE_NEW*` flags, and
//! their names (as the command line and `/proc/<pid>/ns` spell them).

use core::fmt;

bitflags::bitflags! {
    /// Namespace types, with the kernel's `CLONE_NEW*` values (from
    /// `include/uapi/linux/sched.h`, the same on every architecture), so
    /// that [`bits`](Namespaces::bits) can be passed to `unshare` or
    /// `clone` as is.
    ///
    /// ```
    /// use seclude::ns::Namespaces;
    /// let ns = Namespaces::USER | Namespaces::NET;
    /// assert_eq!(ns.bits(), 0x5000_0000);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct Namespaces: u32 {
        /// A user namespace (`CLONE_NEWUSER`): ids and capabilities of
        /// its own, which lets an unprivileged process create the others.
        const USER = 0x1000_0000;
        /// A mount namespace (`CLONE_NEWNS`): a private copy of the mount
        /// table.
        const MOUNT = 0x0002_0000;
        /// A network namespace (`CLONE_NEWNET`): only a loopback interface,
        /// down.
        const NET = 0x4000_0000;
        /// A PID namespace (`CLONE_NEWPID`): for children created
        /// afterwards, the first of which is pid 1.
        const PID = 0x2000_0000;
        /// An IPC namespace (`CLONE_NEWIPC`): System V IPC objects and
        /// POSIX message queues of its own.
        const IPC = 0x0800_0000;
        /// A UTS namespace (`CLONE_NEWUTS`): a host and domain name of its
        /// own.
        const UTS = 0x0400_0000;
        /// A cgroup namespace (`CLONE_NEWCGROUP`): the current cgroup
        /// becomes the root of what `/proc/self/cgroup` shows.
        const CGROUP = 0x0200_0000;
    }
}

/// Every namespace type, in the order the names list them, with its name in
/// [`Namespaces::parse`] and in `/proc/self/ns/`.
const TABLE: [(Namespaces, &str, &str); 7] = [
    (Namespaces::USER, "user", "user"),
    (Namespaces::MOUNT, "mount", "mnt"),
    (Namespaces::NET, "net", "net"),
    (Namespaces::PID, "pid", "pid"),
    (Namespaces::IPC, "ipc", "ipc"),
    (Namespaces::UTS, "uts", "uts"),
    (Namespaces::CGROUP, "cgroup", "cgroup"),
];

/// Why a list of namespace names was refused; positions are byte offsets
/// into the list.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ParseNamespacesError<'a> {
    /// A name that is none of the known ones.
    Unknown {
        /// The name as written.
        name: &'a str,
        /// Where it starts.
        position: usize,
    },
    /// Nothing between two commas, or a comma at an end.
    Empty {
        /// Where the empty item is.
        position: usize,
    },
}

impl fmt::Display for ParseNamespacesError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseNamespacesError::Unknown { name, position } => write!(
                f,
                "namespaces: unknown name {name:?} at byte {position}; the names are \
                 user, mount (or mnt), net, pid, ipc, uts and cgroup"
            ),
            ParseNamespacesError::Empty { position } => write!(
                f,
                "namespaces: empty name at byte {position}; separate names with single commas"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParseNamespacesError<'_> {}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Namespaces {
    /// Parses a comma-separated list of names (`"user,mount,net"`):
    /// `user`, `mount` (or `mnt`, its name in `/proc/self/ns`), `net`,
    /// `pid`, `ipc`, `uts`, `cgroup`, with optional spaces around each. An
    /// empty string is the empty set. Usable in `const` context.
    ///
    /// ```
    /// use seclude::ns::{Namespaces, ParseNamespacesError};
    /// const NS: Namespaces = match Namespaces::parse("user, net,pid") {
    ///     Ok(ns) => ns,
    ///     Err(_) => panic!("bad namespace list"),
    /// };
    /// assert_eq!(NS, Namespaces::USER | Namespaces::NET | Namespaces::PID);
    /// assert_eq!(
    ///     Namespaces::parse("user,time"),
    ///     Err(ParseNamespacesError::Unknown { name: "time", position: 5 })
    /// );
    /// ```
    pub const fn parse(list: &str) -> Result<Namespaces, ParseNamespacesError<'_>> {
        let bytes = list.as_bytes();
        let mut result = Namespaces::empty();
        if bytes.is_empty() {
            return Ok(result);
        }
        let mut start = 0;
        loop {
            // One item: from start to the next comma or the end.
            let mut end = start;
            while end < bytes.len() && bytes[end] != b',' {
                end += 1;
            }
            let mut first = start;
            while first < end && bytes[first] == b' ' {
                first += 1;
            }
            let mut last = end;
            while last > first && bytes[last - 1] == b' ' {
                last -= 1;
            }
            if first == last {
                return Err(ParseNamespacesError::Empty { position: start });
            }
            let (head, _) = bytes.split_at(last);
            let (_, word) = head.split_at(first);
            match Namespaces::from_name_bytes(word) {
                Some(ns) => result = result.union(ns),
                None => {
                    // Cut at ASCII spaces and commas, so still UTF-8.
                    let name = match core::str::from_utf8(word) {
                        Ok(name) => name,
                        Err(_) => "",
                    };
                    return Err(ParseNamespacesError::Unknown {
                        name,
                        position: first,
                    });
                }
            }
            if end == bytes.len() {
                return Ok(result);
            }
            start = end + 1;
        }
    }

    const fn from_name_bytes(word: &[u8]) -> Option<Namespaces> {
        let mut i = 0;
        while i < TABLE.len() {
            let (ns, name, proc_name) = TABLE[i];
            if bytes_eq(word, name.as_bytes()) || bytes_eq(word, proc_name.as_bytes()) {
                return Some(ns);
            }
            i += 1;
        }
        None
    }

    /// The name of a single namespace type (`"mount"` for
    /// [`MOUNT`](Namespaces::MOUNT)); `None` for a set of several or none.
    ///
    /// ```
    /// use seclude::ns::Namespaces;
    /// assert_eq!(Namespaces::CGROUP.name(), Some("cgroup"));
    /// assert_eq!((Namespaces::USER | Namespaces::PID).name(), None);
    /// ```
    pub const fn name(self) -> Option<&'static str> {
        let mut i = 0;
        while i < TABLE.len() {
            if TABLE[i].0.bits() == self.bits() {
                return Some(TABLE[i].1);
            }
            i += 1;
        }
        None
    }

    /// The name of a single namespace type in `/proc/<pid>/ns/` and in the
    /// `user.max_<name>_namespaces` limits (`"mnt"` for
    /// [`MOUNT`](Namespaces::MOUNT)); `None` for a set of several or none.
    ///
    /// ```
    /// use seclude::ns::Namespaces;
    /// assert_eq!(Namespaces::MOUNT.proc_name(), Some("mnt"));
    /// assert_eq!(Namespaces::USER.proc_name(), Some("user"));
    /// ```
    pub const fn proc_name(self) -> Option<&'static str> {
        let mut i = 0;
        while i < TABLE.len() {
            if TABLE[i].0.bits() == self.bits() {
                return Some(TABLE[i].2);
            }
            i += 1;
        }
        None
    }
}

/// Formats as the comma-separated names [`Namespaces::parse`] reads.
///
/// ```
/// use seclude::ns::Namespaces;
/// let mut s = heapless::String::<64>::new();
/// core::fmt::write(&mut s, format_args!("{}", Namespaces::USER | Namespaces::UTS)).unwrap();
/// assert_eq!(s, "user,uts");
/// ```
impl fmt::Display for Namespaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (ns, name, _) in TABLE {
            if self.contains(ns) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("(none)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_kernels() {
        // include/uapi/linux/sched.h, Linux 6.12.
        assert_eq!(Namespaces::MOUNT.bits(), 0x0002_0000);
        assert_eq!(Namespaces::CGROUP.bits(), 0x0200_0000);
        assert_eq!(Namespaces::UTS.bits(), 0x0400_0000);
        assert_eq!(Namespaces::IPC.bits(), 0x0800_0000);
        assert_eq!(Namespaces::USER.bits(), 0x1000_0000);
        assert_eq!(Namespaces::PID.bits(), 0x2000_0000);
        assert_eq!(Namespaces::NET.bits(), 0x4000_0000);
    }

    #[test]
    fn names_round_trip() {
        for (ns, name, proc_name) in TABLE {
            assert_eq!(Namespaces::parse(name), Ok(ns));
            assert_eq!(Namespaces::parse(proc_name), Ok(ns));
            assert_eq!(ns.name(), Some(name));
            assert_eq!(ns.proc_name(), Some(proc_name));
        }
        let all = std::format!("{}", Namespaces::all());
        assert_eq!(all, "user,mount,net,pid,ipc,uts,cgroup");
        assert_eq!(Namespaces::parse(&all), Ok(Namespaces::all()));
        assert_eq!(std::format!("{}", Namespaces::empty()), "(none)");
    }

    #[test]
    fn parse_errors_point_at_the_item() {
        assert_eq!(Namespaces::parse(""), Ok(Namespaces::empty()));
        assert_eq!(
            Namespaces::parse(" user , pid "),
            Ok(Namespaces::USER | Namespaces::PID)
        );
        assert_eq!(
            Namespaces::parse("user,,pid"),
            Err(ParseNamespacesError::Empty { position: 5 })
        );
        assert_eq!(
            Namespaces::parse("user,"),
            Err(ParseNamespacesError::Empty { position: 5 })
        );
        assert_eq!(
            Namespaces::parse(",user"),
            Err(ParseNamespacesError::Empty { position: 0 })
        );
        assert_eq!(
            Namespaces::parse("net, User"),
            Err(ParseNamespacesError::Unknown {
                name: "User",
                position: 5
            })
        );
        assert_eq!(
            Namespaces::parse("ütс"),
            Err(ParseNamespacesError::Unknown {
                name: "ütс",
                position: 0
            })
        );
        let text = std::format!("{}", Namespaces::parse("a,time").unwrap_err());
        assert!(text.contains("\"a\"") && text.contains("cgroup"), "{text}");
    }
}
