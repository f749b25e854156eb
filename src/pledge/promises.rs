//! The promise words and their parser.

use core::fmt;

bitflags::bitflags! {
    /// A set of pledge promises: what a program says it still needs.
    ///
    /// The words and their meaning are OpenBSD's `pledge(2)`, as ported to
    /// Linux by Cosmopolitan (the 23 promises it supports).
    ///
    /// ```
    /// use seclude::pledge::Promises;
    /// let p = Promises::parse("stdio rpath").unwrap();
    /// assert_eq!(p, Promises::STDIO | Promises::RPATH);
    /// ```
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
    pub struct Promises: u32 {
        /// Basic I/O on open descriptors, memory, time, signals to self, exit.
        const STDIO = 1 << 0;
        /// Read-only filesystem access by path.
        const RPATH = 1 << 1;
        /// Writing to existing files by path.
        const WPATH = 1 << 2;
        /// Creating and removing files and directories.
        const CPATH = 1 << 3;
        /// Creating special files (FIFOs, device nodes).
        const DPATH = 1 << 4;
        /// File locks (`flock`, `fcntl` locks).
        const FLOCK = 1 << 5;
        /// Changing file attributes (mode, times).
        const FATTR = 1 << 6;
        /// Changing file owners.
        const CHOWN = 1 << 7;
        /// IPv4 and IPv6 sockets.
        const INET = 1 << 8;
        /// IPv4/IPv6 TCP for a server: TCP sockets that bind, listen and
        /// accept; no UDP or raw sockets, no outgoing `connect`, no TCP Fast
        /// Open (`MSG_FASTOPEN`).
        const ANET = 1 << 9;
        /// UNIX domain sockets.
        const UNIX = 1 << 10;
        /// Name resolution: UDP sockets and `connect`/`send`/`recv` on them
        /// (reading `/etc/resolv.conf` needs `rpath`).
        const DNS = 1 << 11;
        /// Terminal `ioctl`s.
        const TTY = 1 << 12;
        /// Receiving descriptors over UNIX sockets.
        const RECVFD = 1 << 13;
        /// Sending descriptors over UNIX sockets.
        const SENDFD = 1 << 14;
        /// Creating processes, signalling others, changing priorities.
        const PROC = 1 << 15;
        /// Executing programs. While it is held, `memfd_create` needs
        /// `MFD_NOEXEC_SEAL` (and neither `MFD_EXEC` nor `MFD_HUGETLB`),
        /// and `fattr` sets no extended attribute (a POSIX ACL would
        /// rewrite the mode past the seal): a memfd, which Landlock cannot
        /// keep from being executed, is then never executable.
        /// Kernels before 6.3 refuse that flag (`EINVAL`), so there a
        /// program holding `exec` cannot create a memfd.
        ///
        /// ```
        /// use seclude::{pledge::{Decision, decide}, promises, tables::{Abi, Syscall}};
        /// const MFD_CLOEXEC: u64 = 1;
        /// const MFD_NOEXEC_SEAL: u64 = 8;
        /// let memfd = |p, flags| decide(p, Abi::X86_64, Syscall::memfd_create, &[0, flags, 0, 0, 0, 0], 1);
        /// assert_eq!(memfd(promises!("stdio"), MFD_CLOEXEC), Decision::Allowed);
        /// assert_eq!(memfd(promises!("stdio exec"), MFD_CLOEXEC), Decision::Refused);
        /// assert_eq!(memfd(promises!("stdio exec"), MFD_CLOEXEC | MFD_NOEXEC_SEAL), Decision::Allowed);
        /// ```
        const EXEC = 1 << 16;
        /// Executable memory (`PROT_EXEC`).
        const PROT_EXEC = 1 << 17;
        /// Changing user, group and groups.
        const ID = 1 << 18;
        /// Setting the clock.
        const SETTIME = 1 << 19;
        /// Calling `unveil` (Landlock) after pledging.
        const UNVEIL = 1 << 20;
        /// System-wide memory information (`sysinfo`, `get_mempolicy`).
        const VMINFO = 1 << 21;
        /// Temporary files: `mkstemp`'s create, `lstat`, `unlink` (the
        /// directory is for unveil to restrict).
        const TMPPATH = 1 << 22;
    }
}

/// Every promise word, in the order of the flags.
const WORDS: [(&str, Promises); 23] = [
    ("stdio", Promises::STDIO),
    ("rpath", Promises::RPATH),
    ("wpath", Promises::WPATH),
    ("cpath", Promises::CPATH),
    ("dpath", Promises::DPATH),
    ("flock", Promises::FLOCK),
    ("fattr", Promises::FATTR),
    ("chown", Promises::CHOWN),
    ("inet", Promises::INET),
    ("anet", Promises::ANET),
    ("unix", Promises::UNIX),
    ("dns", Promises::DNS),
    ("tty", Promises::TTY),
    ("recvfd", Promises::RECVFD),
    ("sendfd", Promises::SENDFD),
    ("proc", Promises::PROC),
    ("exec", Promises::EXEC),
    ("prot_exec", Promises::PROT_EXEC),
    ("id", Promises::ID),
    ("settime", Promises::SETTIME),
    ("unveil", Promises::UNVEIL),
    ("vminfo", Promises::VMINFO),
    ("tmppath", Promises::TMPPATH),
];

/// A promise string with a word that is not a promise.
///
/// ```
/// use seclude::pledge::Promises;
/// let e = Promises::parse("stdio rpth").unwrap_err();
/// assert_eq!(e.word(), "rpth");
/// assert_eq!(e.offset(), 6);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnknownPromise<'a> {
    word: &'a str,
    offset: usize,
}

impl<'a> UnknownPromise<'a> {
    /// The unknown word.
    ///
    /// ```
    /// assert_eq!(seclude::pledge::Promises::parse("bogus").unwrap_err().word(), "bogus");
    /// ```
    pub const fn word(&self) -> &'a str {
        self.word
    }

    /// Where the word starts in the string, in bytes.
    ///
    /// ```
    /// assert_eq!(seclude::pledge::Promises::parse("  bogus").unwrap_err().offset(), 2);
    /// ```
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for UnknownPromise<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pledge: unknown promise {:?}", self.word)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for UnknownPromise<'_> {}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl Promises {
    /// Parses space-separated promise words (OpenBSD's syntax; any ASCII
    /// whitespace separates). Repeated words are fine; the empty string is
    /// the empty set (only `exit` remains, as on OpenBSD). Usable in `const`
    /// context; see [`promises!`](crate::promises) for the form where an
    /// unknown word is a compile error.
    ///
    /// ```
    /// use seclude::pledge::Promises;
    /// const P: Promises = match Promises::parse("stdio inet dns") {
    ///     Ok(p) => p,
    ///     Err(_) => panic!("bad promises"),
    /// };
    /// assert!(P.contains(Promises::DNS));
    /// assert_eq!(Promises::parse(""), Ok(Promises::empty()));
    /// ```
    pub const fn parse(s: &str) -> Result<Promises, UnknownPromise<'_>> {
        let bytes = s.as_bytes();
        let mut promises = Promises::empty();
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !is_space(bytes[i]) {
                i += 1;
            }
            if start == i {
                break;
            }
            // Cut at ASCII whitespace, so on character boundaries.
            let word = crate::text::slice(s, start, i);
            match Promises::from_word(word) {
                Some(p) => promises = promises.union(p),
                None => {
                    return Err(UnknownPromise {
                        word,
                        offset: start,
                    });
                }
            }
        }
        Ok(promises)
    }

    /// The promise named `word`, if any.
    ///
    /// ```
    /// use seclude::pledge::Promises;
    /// assert_eq!(Promises::from_word("prot_exec"), Some(Promises::PROT_EXEC));
    /// assert_eq!(Promises::from_word("Stdio"), None);
    /// ```
    pub const fn from_word(word: &str) -> Option<Promises> {
        let mut i = 0;
        while i < WORDS.len() {
            if crate::text::eq(WORDS[i].0, word) {
                return Some(WORDS[i].1);
            }
            i += 1;
        }
        None
    }

    /// The word of a single promise (`None` for an empty or multiple set).
    ///
    /// ```
    /// use seclude::pledge::Promises;
    /// assert_eq!(Promises::TMPPATH.word(), Some("tmppath"));
    /// assert_eq!((Promises::STDIO | Promises::RPATH).word(), None);
    /// ```
    pub const fn word(self) -> Option<&'static str> {
        let mut i = 0;
        while i < WORDS.len() {
            if WORDS[i].1.bits() == self.bits() {
                return Some(WORDS[i].0);
            }
            i += 1;
        }
        None
    }
}

impl fmt::Display for Promises {
    /// The words, space-separated, in a fixed order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (word, promise) in WORDS {
            if self.contains(promise) {
                if !first {
                    f.write_str(" ")?;
                }
                f.write_str(word)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// A [`Promises`] constant from a string literal: an unknown word is a
/// compile error that names it.
///
/// ```
/// use seclude::pledge::Promises;
/// const P: Promises = seclude::promises!("stdio rpath");
/// assert_eq!(P, Promises::STDIO | Promises::RPATH);
/// ```
///
/// ```compile_fail,E0080
/// const P: seclude::pledge::Promises = seclude::promises!("stdio rpaht");
/// ```
#[macro_export]
macro_rules! promises {
    ($words:literal) => {{
        const PROMISES: $crate::pledge::Promises = match $crate::pledge::Promises::parse($words) {
            Ok(promises) => promises,
            // A const panic can only show one `&str`: the unknown word itself.
            Err(e) => panic!("{}", e.word()),
        };
        PROMISES
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn every_word_round_trips() {
        for (word, promise) in WORDS {
            assert_eq!(Promises::from_word(word), Some(promise));
            assert_eq!(promise.word(), Some(word));
            assert_eq!(Promises::parse(word), Ok(promise));
        }
        assert_eq!(WORDS.len(), 23);
        let all = WORDS.iter().fold(Promises::empty(), |a, (_, p)| a | *p);
        assert_eq!(all, Promises::all());
    }

    #[test]
    fn whitespace_and_repeats() {
        assert_eq!(
            Promises::parse("  stdio\trpath \n stdio "),
            Ok(Promises::STDIO | Promises::RPATH)
        );
        assert_eq!(Promises::parse("   "), Ok(Promises::empty()));
    }

    #[test]
    fn the_first_unknown_word_is_named_with_its_offset() {
        let e = Promises::parse("stdio inet bogus tty").unwrap_err();
        assert_eq!((e.word(), e.offset()), ("bogus", 11));
        let e = Promises::parse("stdio,rpath").unwrap_err();
        assert_eq!(e.word(), "stdio,rpath", "commas are not separators");
        let e = Promises::parse("stdio rpäth").unwrap_err();
        assert_eq!(e.word(), "rpäth", "non-ASCII words are reported whole");
    }

    #[test]
    fn display_lists_the_words_in_order() {
        let mut s = heapless::String::<64>::new();
        write!(s, "{}", Promises::TTY | Promises::STDIO | Promises::DNS).unwrap();
        assert_eq!(s, "stdio dns tty");
    }
}
