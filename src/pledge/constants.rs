//! The kernel constants the promise rules compare arguments with, per ABI.
//!
//! Most of them are the same on every architecture; MIPS and PowerPC
//! number some flags, socket types and terminal `ioctl`s their own way
//! (their uapi `asm/fcntl.h`, `asm/socket.h` and `asm/ioctls.h`), and
//! s390's `clone` takes the flags second. Values are the kernel's
//! (checked against its headers by the tests at the end of this file).

use crate::tables::Abi;

/// The argument values of one ABI that differ between architectures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Constants {
    pub o_creat: u32,
    pub o_excl: u32,
    pub o_trunc: u32,
    /// `__O_TMPFILE`, the bit that makes `O_TMPFILE` differ from `O_DIRECTORY`.
    pub o_tmpfile: u32,
    pub sock_stream: u32,
    pub sock_dgram: u32,
    /// `F_GETLK`, `F_SETLK`, `F_SETLKW`.
    pub f_locks: [u32; 3],
    /// `F_GETLK64`, `F_SETLK64`, `F_SETLKW64` (32-bit ABIs; 0 where absent).
    pub f_locks64: [u32; 3],
    /// `FIONREAD`, `FIONBIO`, `FIOCLEX`, `FIONCLEX`.
    pub fio: [u32; 4],
    /// `TCGETS`, `TCSETS`, `TCSETSW`, `TCSETSF`, `TIOCGWINSZ`, `TIOCSWINSZ`,
    /// `TIOCGPGRP`, `TIOCSPGRP`, `TCSBRK`, `TCXONC`, `TCFLSH`, `TIOCGPTN`,
    /// `TIOCSPTLCK`, `TIOCGPTPEER`.
    pub tty: [u32; 14],
    /// `TIOCSTI`: never allowed; kept to test that it is not.
    pub tiocsti: u32,
    /// Which argument of `clone` holds the flags.
    pub clone_flags_arg: u8,
    /// `ENOSYS` in this ABI's errno numbering.
    pub enosys: u16,
}

/// The `O_ACCMODE` bits and their values (the same everywhere).
pub(crate) const O_ACCMODE: u32 = 3;
pub(crate) const O_RDONLY: u32 = 0;
pub(crate) const O_WRONLY: u32 = 1;
pub(crate) const O_RDWR: u32 = 2;
/// Set-user-id, set-group-id and sticky bits of a mode.
pub(crate) const SETID_BITS: u32 = 0o7000;
pub(crate) const S_IFMT: u32 = 0o170000;
pub(crate) const S_IFIFO: u32 = 0o010000;
pub(crate) const PROT_EXEC: u32 = 4;
/// `memfd_create`: the file is not executable and never can be (its mode
/// has no x bits and `F_SEAL_EXEC` forbids adding them; Linux 6.3).
pub(crate) const MFD_NOEXEC_SEAL: u32 = 0x8;
/// `memfd_create`: the file is executable (Linux 6.3).
pub(crate) const MFD_EXEC: u32 = 0x10;
/// `memfd_create`: on hugetlbfs, whose attribute changes do not check
/// `F_SEAL_EXEC` (a chmod would add x bits to a sealed one).
pub(crate) const MFD_HUGETLB: u32 = 0x4;
pub(crate) const AF_UNIX: u32 = 1;
pub(crate) const AF_INET: u32 = 2;
pub(crate) const AF_INET6: u32 = 10;
pub(crate) const SOCK_SEQPACKET: u32 = 5;
/// The socket type's bits; the rest of `type` are `SOCK_NONBLOCK`/`SOCK_CLOEXEC`.
pub(crate) const SOCK_TYPE_MASK: u32 = 0xf;
pub(crate) const IPPROTO_TCP: u32 = 6;
pub(crate) const IPPROTO_UDP: u32 = 17;
/// A send flag: connect with the data in the SYN (TCP Fast Open).
pub(crate) const MSG_FASTOPEN: u32 = 0x2000_0000;
pub(crate) const AT_EMPTY_PATH: u32 = 0x1000;
pub(crate) const AT_REMOVEDIR: u32 = 0x200;
pub(crate) const CLONE_THREAD: u32 = 0x0001_0000;
/// `CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
/// CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET`.
pub(crate) const CLONE_NAMESPACES: u32 = 0x7e02_0000;
/// `fcntl` commands with the same number everywhere: `F_DUPFD`, `F_GETFD`,
/// `F_SETFD`, `F_GETFL`, `F_SETFL`, `F_DUPFD_QUERY`, `F_DUPFD_CLOEXEC`,
/// `F_SETPIPE_SZ`, `F_GETPIPE_SZ`, `F_ADD_SEALS`, `F_GET_SEALS`.
pub(crate) const FCNTL_STDIO: [u32; 11] = [0, 1, 2, 3, 4, 1027, 1030, 1031, 1032, 1033, 1034];
/// `F_OFD_GETLK`, `F_OFD_SETLK`, `F_OFD_SETLKW`, `F_SETLEASE`, `F_GETLEASE`.
pub(crate) const FCNTL_LOCKS: [u32; 5] = [36, 37, 38, 1024, 1025];
/// `prctl` options that neither widen what the process may do nor reach
/// other processes: `PR_SET_PDEATHSIG`, `PR_GET_PDEATHSIG`,
/// `PR_GET_DUMPABLE`, `PR_GET_KEEPCAPS`, `PR_SET_NAME`, `PR_GET_NAME`,
/// `PR_GET_SECCOMP`, `PR_SET_SECCOMP` (filters only narrow),
/// `PR_CAPBSET_READ`, `PR_GET_TIMERSLACK`, `PR_SET_NO_NEW_PRIVS`,
/// `PR_GET_NO_NEW_PRIVS`, `PR_GET_TID_ADDRESS`, `PR_GET_THP_DISABLE`,
/// `PR_SET_VMA` (names anonymous mappings).
pub(crate) const PRCTL_HARMLESS: [u32; 15] = [
    1,
    2,
    3,
    7,
    15,
    16,
    21,
    22,
    23,
    30,
    38,
    39,
    40,
    42,
    0x5356_4d41,
];
/// `PR_SET_DUMPABLE`, allowed only to clear it.
pub(crate) const PR_SET_DUMPABLE: u32 = 4;
/// `SECCOMP_SET_MODE_STRICT` up to `SECCOMP_GET_NOTIF_SIZES`: adding a
/// filter only narrows.
pub(crate) const SECCOMP_LAST_OP: u32 = 3;
/// The seccomp op that adds a filter.
pub(crate) const SECCOMP_SET_MODE_FILTER: u32 = 1;
/// `ARCH_SET_GS` up to `ARCH_GET_GS` (x86 thread pointers).
pub(crate) const ARCH_FS_GS: (u32, u32) = (0x1001, 0x1004);

/// The generic numbering (asm-generic, used by x86, arm, riscv,
/// loongarch and s390).
const GENERIC: Constants = Constants {
    o_creat: 0o100,
    o_excl: 0o200,
    o_trunc: 0o1000,
    o_tmpfile: 0o20000000,
    sock_stream: 1,
    sock_dgram: 2,
    f_locks: [5, 6, 7],
    f_locks64: [12, 13, 14],
    fio: [0x541b, 0x5421, 0x5451, 0x5450],
    tty: [
        0x5401,
        0x5402,
        0x5403,
        0x5404,
        0x5413,
        0x5414,
        0x540f,
        0x5410,
        0x5409,
        0x540a,
        0x540b,
        0x8004_5430,
        0x4004_5431,
        0x5441,
    ],
    tiocsti: 0x5412,
    clone_flags_arg: 0,
    enosys: 38,
};

/// MIPS (o32, n32, n64).
const MIPS: Constants = Constants {
    o_creat: 0x100,
    o_excl: 0x400,
    o_trunc: 0x200,
    o_tmpfile: 0o20000000,
    sock_stream: 2,
    sock_dgram: 1,
    f_locks: [14, 6, 7],
    f_locks64: [33, 34, 35],
    fio: [0x467f, 0x667e, 0x6601, 0x6602],
    tty: [
        0x540d,
        0x540e,
        0x540f,
        0x5410,
        0x4008_7468,
        0x8008_7467,
        0x4004_7477,
        0x8004_7476,
        0x5405,
        0x5406,
        0x5407,
        0x4004_5430,
        0x8004_5431,
        0x2000_5441,
    ],
    tiocsti: 0x5472,
    clone_flags_arg: 0,
    enosys: 89,
};

/// PowerPC (32 and 64-bit): generic flags, BSD-style `ioctl` numbers.
const POWERPC: Constants = Constants {
    fio: [0x4004_667f, 0x8004_667e, 0x2000_6601, 0x2000_6602],
    tty: [
        0x402c_7413,
        0x802c_7414,
        0x802c_7415,
        0x802c_7416,
        0x4008_7468,
        0x8008_7467,
        0x4004_7477,
        0x8004_7476,
        0x2000_741d,
        0x2000_741e,
        0x2000_741f,
        0x4004_5430,
        0x8004_5431,
        0x2000_5441,
    ],
    ..GENERIC
};

/// s390x: generic, but `clone(stack, flags, ...)`.
const S390X: Constants = Constants {
    clone_flags_arg: 1,
    ..GENERIC
};

/// The constants of `abi`.
pub(crate) const fn constants(abi: Abi) -> Constants {
    let mut c = match abi {
        Abi::Mips
        | Abi::Mipsel
        | Abi::Mips64N32
        | Abi::Mipsel64N32
        | Abi::Mips64
        | Abi::Mipsel64 => MIPS,
        Abi::Ppc64 | Abi::Ppc64le | Abi::Ppc => POWERPC,
        Abi::S390x => S390X,
        _ => GENERIC,
    };
    // The *64 lock commands exist only where `long` is 32 bits; 64-bit
    // ABIs answer them with EINVAL, so they are left out there.
    if abi.pointer_bits() == 64 {
        c.f_locks64 = [0; 3];
    }
    c
}

#[cfg(test)]
pub(super) mod tests {
    //! Every constant above against the kernel's own headers (the tree
    //! `syscalls/fetch-linux-source.sh` unpacks into
    //! `target/linux-source-6.12`), and the x86-64 ones against the `libc`
    //! crate as a second source.
    //!
    //! The headers are read by a small preprocessor: object-like `#define`s,
    //! `enum` constants, `typedef`s and `struct` bodies; `#include <...>`
    //! followed along the kernel's include path; `#ifdef`, `#ifndef`,
    //! `#else` and `#endif` honoured. `#if EXPR` is taken as true unless
    //! EXPR is `0`: in these headers it guards the 32-bit lock commands and
    //! user-space definitions, both wanted. A name given two different
    //! values (a conditional read wrongly) cannot be used. Expressions may
    //! use literals, names, `| ^ & << >> + - * ~`, parentheses and the
    //! `_IO`/`_IOR`/`_IOW`/`_IOWR` macros with the architecture's encoding.

    use super::*;
    use std::borrow::ToOwned;
    use std::collections::{HashMap, HashSet};
    use std::format;
    use std::path::{Path, PathBuf};
    use std::string::String;
    use std::vec::Vec;

    /// The architectures whose headers are unpacked (all 18 ABIs map to one).
    const ARCHES: [&str; 8] = [
        "x86",
        "arm",
        "arm64",
        "riscv",
        "loongarch",
        "powerpc",
        "s390",
        "mips",
    ];

    /// The header names of the array constants, in their order: checked
    /// here, and used by the generated documentation (`super::doc`).
    pub(in crate::pledge) const F_LOCKS_NAMES: [&str; 3] = ["F_GETLK", "F_SETLK", "F_SETLKW"];
    pub(in crate::pledge) const F_LOCKS64_NAMES: [&str; 3] =
        ["F_GETLK64", "F_SETLK64", "F_SETLKW64"];
    pub(in crate::pledge) const FIO_NAMES: [&str; 4] =
        ["FIONREAD", "FIONBIO", "FIOCLEX", "FIONCLEX"];
    pub(in crate::pledge) const TTY_NAMES: [&str; 14] = [
        "TCGETS",
        "TCSETS",
        "TCSETSW",
        "TCSETSF",
        "TIOCGWINSZ",
        "TIOCSWINSZ",
        "TIOCGPGRP",
        "TIOCSPGRP",
        "TCSBRK",
        "TCXONC",
        "TCFLSH",
        "TIOCGPTN",
        "TIOCSPTLCK",
        "TIOCGPTPEER",
    ];
    pub(in crate::pledge) const FCNTL_STDIO_NAMES: [&str; 11] = [
        "F_DUPFD",
        "F_GETFD",
        "F_SETFD",
        "F_GETFL",
        "F_SETFL",
        "F_DUPFD_QUERY",
        "F_DUPFD_CLOEXEC",
        "F_SETPIPE_SZ",
        "F_GETPIPE_SZ",
        "F_ADD_SEALS",
        "F_GET_SEALS",
    ];
    pub(in crate::pledge) const FCNTL_LOCKS_NAMES: [&str; 5] = [
        "F_OFD_GETLK",
        "F_OFD_SETLK",
        "F_OFD_SETLKW",
        "F_SETLEASE",
        "F_GETLEASE",
    ];
    pub(in crate::pledge) const PRCTL_HARMLESS_NAMES: [&str; 15] = [
        "PR_SET_PDEATHSIG",
        "PR_GET_PDEATHSIG",
        "PR_GET_DUMPABLE",
        "PR_GET_KEEPCAPS",
        "PR_SET_NAME",
        "PR_GET_NAME",
        "PR_GET_SECCOMP",
        "PR_SET_SECCOMP",
        "PR_CAPBSET_READ",
        "PR_GET_TIMERSLACK",
        "PR_SET_NO_NEW_PRIVS",
        "PR_GET_NO_NEW_PRIVS",
        "PR_GET_TID_ADDRESS",
        "PR_GET_THP_DISABLE",
        "PR_SET_VMA",
    ];

    fn arch_of(abi: Abi) -> &'static str {
        match abi {
            Abi::X86_64 | Abi::X32 | Abi::I386 => "x86",
            Abi::Aarch64 => "arm64",
            Abi::Arm => "arm",
            Abi::Riscv64 | Abi::Riscv32 => "riscv",
            Abi::Loongarch64 => "loongarch",
            Abi::Ppc64 | Abi::Ppc64le | Abi::Ppc => "powerpc",
            Abi::S390x => "s390",
            Abi::Mips
            | Abi::Mipsel
            | Abi::Mips64N32
            | Abi::Mipsel64N32
            | Abi::Mips64
            | Abi::Mipsel64 => "mips",
        }
    }

    /// The kernel tree, or `None` when it is not unpacked (after saying so:
    /// see `crate::testing::skip`; under `SECLUDE_REQUIRE_ALL=1` a missing
    /// tree fails the test, as a skipped check proves nothing).
    fn linux_dir() -> Option<PathBuf> {
        let dir = std::env::var_os("SECLUDE_LINUX_SRC")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("target/linux-source-6.12")
            });
        for needed in [
            "include/uapi/asm-generic/ioctl.h",
            "include/uapi/linux/fcntl.h",
            "include/uapi/linux/memfd.h",
            "include/linux/net.h",
            "arch/mips/include/asm/socket.h",
            "arch/powerpc/include/uapi/asm/termbits.h",
            "arch/x86/include/uapi/asm/prctl.h",
            "arch/s390/Kconfig",
            "kernel/fork.c",
        ] {
            if !dir.join(needed).is_file() {
                crate::testing::skip::skipped(
                    "pledge constants vs kernel headers",
                    &format!(
                        "no kernel headers at {} ({needed} is missing)",
                        dir.display()
                    ),
                    "run `bash syscalls/fetch-linux-source.sh`, or set SECLUDE_LINUX_SRC",
                );
                return None;
            }
        }
        Some(dir)
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// C tokens, roughly: words (names and numbers), character and string
    /// literals, the two-character operators, and single characters.
    fn tokens(s: &str) -> Vec<String> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let start = i;
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            } else if c.is_ascii_alphanumeric() || c == b'_' {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            } else if c == b'\'' || c == b'"' {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
            } else if ["<<", ">>", "==", "!=", "<=", ">=", "&&", "||", "->"]
                .iter()
                .any(|op| s[i..].starts_with(op))
            {
                i += 2;
            } else {
                i += 1;
            }
            out.push(s[start..i].to_owned());
        }
        out
    }

    /// `text` without comments, its lines kept.
    fn strip_comments(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        loop {
            match (rest.find("/*"), rest.find("//")) {
                (Some(b), line) if line.is_none_or(|l| b < l) => {
                    out.push_str(&rest[..b]);
                    let end = rest[b + 2..]
                        .find("*/")
                        .map_or(rest.len(), |e| b + 2 + e + 2);
                    out.push(' ');
                    out.extend(rest[b..end].chars().filter(|&c| c == '\n'));
                    rest = &rest[end..];
                }
                (_, Some(l)) => {
                    out.push_str(&rest[..l]);
                    rest = &rest[rest[l..].find('\n').map_or(rest.len(), |e| l + e)..];
                }
                _ => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }

    /// How one architecture encodes `_IOC(dir, type, nr, size)`.
    #[derive(PartialEq, Eq, Debug)]
    struct Ioc {
        none: u64,
        read: u64,
        write: u64,
        size_bits: u64,
        nr_shift: u64,
        type_shift: u64,
        size_shift: u64,
        dir_shift: u64,
    }

    /// What the kernel, built for one architecture, sees of the headers read.
    struct Headers {
        root: PathBuf,
        arch: &'static str,
        defines: HashMap<String, String>,
        /// Function-like macros (only their names, for `#ifdef`).
        macros: HashSet<String>,
        enums: HashMap<String, String>,
        typedefs: HashMap<String, String>,
        structs: HashMap<String, String>,
        /// Names given two different values.
        ambiguous: HashSet<String>,
        seen: HashSet<PathBuf>,
    }

    /// The headers read for every architecture, in this order.
    /// `<linux/socket.h>` comes before `<linux/net.h>` as in the kernel's
    /// socket code: MIPS's `asm/socket.h` defines `ARCH_HAS_SOCKET_TYPES`,
    /// and net.h then leaves the socket types to it.
    const ROOTS: [&str; 15] = [
        "linux/fcntl.h",
        "linux/memfd.h",
        "asm/ioctl.h",
        "asm/ioctls.h",
        "asm/termbits.h",
        "asm/mman.h",
        "asm/errno.h",
        "linux/sched.h",
        "linux/prctl.h",
        "linux/stat.h",
        "linux/seccomp.h",
        "linux/socket.h",
        "linux/in.h",
        "linux/net.h",
        "asm/prctl.h",
    ];

    impl Headers {
        fn new(root: &Path, arch: &'static str) -> Headers {
            let mut h = Headers {
                root: root.to_owned(),
                arch,
                defines: HashMap::new(),
                macros: HashSet::new(),
                enums: HashMap::new(),
                typedefs: HashMap::new(),
                structs: HashMap::new(),
                ambiguous: HashSet::new(),
                seen: HashSet::new(),
            };
            for name in ROOTS {
                h.include(name);
            }
            h
        }

        /// The kernel's include path (arch/$A/include, include,
        /// arch/$A/include/uapi, include/uapi); an architecture without its
        /// own `asm/X.h` gets asm-generic's (Kbuild's generated wrapper).
        /// Headers that are not unpacked are skipped.
        fn resolve(&self, name: &str) -> Option<PathBuf> {
            let arch = self.arch;
            let dirs = [
                format!("arch/{arch}/include"),
                "include".to_owned(),
                format!("arch/{arch}/include/uapi"),
                "include/uapi".to_owned(),
            ];
            dirs.iter()
                .map(|d| self.root.join(d).join(name))
                .chain(
                    name.strip_prefix("asm/")
                        .map(|rest| self.root.join("include/uapi/asm-generic").join(rest)),
                )
                .find(|p| p.is_file())
        }

        fn is_defined(&self, name: &str) -> bool {
            self.defines.contains_key(name) || self.macros.contains(name)
        }

        fn include(&mut self, name: &str) {
            let Some(path) = self.resolve(name) else {
                return;
            };
            if !self.seen.insert(path.clone()) {
                return;
            }
            let text = strip_comments(&read(&path)).replace("\\\n", " ");
            // (enclosing block active, this branch active, a branch taken)
            let mut conds: Vec<(bool, bool, bool)> = Vec::new();
            let mut code = String::new();
            for line in text.lines() {
                let active = conds.last().is_none_or(|c| c.1);
                let Some(directive) = line.trim_start().strip_prefix('#') else {
                    if active {
                        code.push_str(line);
                        code.push('\n');
                    }
                    continue;
                };
                let directive = directive.trim();
                let (word, arg) = directive
                    .split_once(|c: char| c.is_ascii_whitespace())
                    .unwrap_or((directive, ""));
                let arg = arg.trim();
                let at = || format!("{}: #{word} {arg}", path.display());
                match word {
                    "ifdef" | "ifndef" | "if" => {
                        let holds = match word {
                            "ifdef" => self.is_defined(arg),
                            "ifndef" => !self.is_defined(arg),
                            _ => arg != "0",
                        };
                        conds.push((active, active && holds, holds));
                    }
                    "elif" => {
                        let top = conds.last_mut().unwrap_or_else(|| panic!("{}", at()));
                        let holds = !top.2 && arg != "0";
                        top.1 = top.0 && holds;
                        top.2 |= holds;
                    }
                    "else" => {
                        let top = conds.last_mut().unwrap_or_else(|| panic!("{}", at()));
                        top.1 = top.0 && !top.2;
                        top.2 = true;
                    }
                    "endif" => {
                        conds.pop().unwrap_or_else(|| panic!("{}", at()));
                    }
                    _ if !active => {}
                    "include" => {
                        if let Some((name, _)) =
                            arg.strip_prefix('<').and_then(|a| a.split_once('>'))
                        {
                            self.include(name);
                        }
                    }
                    "define" => self.define(arg),
                    "undef" => {
                        self.defines.remove(arg);
                        self.macros.remove(arg);
                    }
                    _ => {}
                }
            }
            assert!(conds.is_empty(), "{}: unbalanced #if", path.display());
            self.declarations(&tokens(&code));
        }

        fn define(&mut self, arg: &str) {
            let end = arg
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(arg.len());
            let (name, body) = arg.split_at(end);
            if body.starts_with('(') {
                self.macros.insert(name.to_owned());
                return;
            }
            let body = tokens(body).join(" ");
            // `#define IPPROTO_TCP IPPROTO_TCP`: the enum constant stays.
            if body == name {
                return;
            }
            if let Some(old) = self.defines.insert(name.to_owned(), body.clone()) {
                if old != body {
                    self.ambiguous.insert(name.to_owned());
                }
            }
        }

        /// `enum`s, `typedef`s and `struct` bodies of one file's C code.
        fn declarations(&mut self, toks: &[String]) {
            // The index of the `}` closing the `{` at `open`.
            let close = |open: usize| {
                let mut depth = 0;
                (open..toks.len()).find(|&i| {
                    match toks[i].as_str() {
                        "{" => depth += 1,
                        "}" => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
            };
            let mut i = 0;
            while i < toks.len() {
                let next = |k: usize| toks.get(i + k).map_or("", String::as_str);
                match toks[i].as_str() {
                    "enum" if next(1) == "{" || next(2) == "{" => {
                        let open = if next(1) == "{" { i + 1 } else { i + 2 };
                        let Some(end) = close(open) else { return };
                        let mut prev: Option<String> = None;
                        for item in toks[open + 1..end].split(|t| t == ",") {
                            let Some((name, rest)) = item.split_first() else {
                                continue;
                            };
                            let expr = match rest.split_first() {
                                Some((eq, value)) if eq == "=" => value.join(" "),
                                _ => prev.map_or("0".to_owned(), |p| format!("( {p} ) + 1")),
                            };
                            if let Some(old) = self.enums.insert(name.clone(), expr.clone()) {
                                if old != expr {
                                    self.ambiguous.insert(name.clone());
                                }
                            }
                            prev = Some(expr);
                        }
                        i = end;
                    }
                    "struct" if next(2) == "{" => {
                        let Some(end) = close(i + 2) else { return };
                        self.structs
                            .entry(next(1).to_owned())
                            .or_insert_with(|| toks[i + 3..end].join(" "));
                        i = end;
                    }
                    "typedef" => {
                        let Some(semi) = (i..toks.len()).find(|&k| toks[k] == ";") else {
                            return;
                        };
                        if !toks[i..semi].iter().any(|t| t == "{") && semi > i + 2 {
                            self.typedefs
                                .insert(toks[semi - 1].clone(), toks[i + 1..semi - 1].join(" "));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }

        /// The value of a C expression.
        fn eval(&self, expr: &str) -> Result<u64, String> {
            let toks = tokens(expr);
            self.eval_tokens(&toks, 0)
        }

        fn eval_tokens(&self, toks: &[String], depth: u32) -> Result<u64, String> {
            if depth > 64 {
                return Err("definitions nest too deep".to_owned());
            }
            let mut e = Eval {
                h: self,
                toks,
                pos: 0,
                depth,
            };
            let v = e.binary(0)?;
            match e.peek() {
                None => Ok(v),
                Some(t) => Err(format!("unexpected `{t}` in `{}`", toks.join(" "))),
            }
        }

        fn value(&self, name: &str, depth: u32) -> Result<u64, String> {
            if self.ambiguous.contains(name) {
                return Err(format!("{name} is defined twice, differently"));
            }
            let body = self
                .defines
                .get(name)
                .or_else(|| self.enums.get(name))
                .ok_or_else(|| format!("{name} is not defined"))?;
            self.eval_tokens(&tokens(body), depth + 1)
                .map_err(|e| format!("{name} = {body}: {e}"))
        }

        fn ioc(&self) -> Result<Ioc, String> {
            Ok(Ioc {
                none: self.eval("_IOC_NONE")?,
                read: self.eval("_IOC_READ")?,
                write: self.eval("_IOC_WRITE")?,
                size_bits: self.eval("_IOC_SIZEBITS")?,
                nr_shift: self.eval("_IOC_NRSHIFT")?,
                type_shift: self.eval("_IOC_TYPESHIFT")?,
                size_shift: self.eval("_IOC_SIZESHIFT")?,
                dir_shift: self.eval("_IOC_DIRSHIFT")?,
            })
        }

        /// Size and alignment of a C type.
        fn size_of(&self, ty: &str) -> Result<(u64, u64), String> {
            match ty {
                "char" | "signed char" | "unsigned char" => Ok((1, 1)),
                "short" | "unsigned short" => Ok((2, 2)),
                "int" | "unsigned int" => Ok((4, 4)),
                _ => {
                    if let Some(name) = ty.strip_prefix("struct ") {
                        match self.structs.get(name) {
                            Some(body) => self.layout(body),
                            // Four unsigned shorts (asm-generic/termios.h,
                            // not unpacked).
                            None if name == "winsize" => Ok((8, 2)),
                            None => Err(format!("struct {name} is not defined")),
                        }
                    } else if let Some(base) = self.typedefs.get(ty) {
                        self.size_of(base)
                    } else {
                        Err(format!("unknown type `{ty}`"))
                    }
                }
            }
        }

        /// Size and alignment of a struct of plain and array fields.
        fn layout(&self, body: &str) -> Result<(u64, u64), String> {
            let (mut size, mut align) = (0u64, 1u64);
            for field in body.split(';').map(tokens).filter(|f| !f.is_empty()) {
                let (decl, count) = match field.iter().position(|t| t == "[") {
                    Some(open) if field.last().is_some_and(|t| t == "]") => (
                        &field[..open],
                        self.eval_tokens(&field[open + 1..field.len() - 1], 0)?,
                    ),
                    Some(_) => return Err(format!("field `{}`", field.join(" "))),
                    None => (&field[..], 1),
                };
                let Some((_name, ty)) = decl.split_last() else {
                    return Err(format!("field `{}`", field.join(" ")));
                };
                let (s, a) = self.size_of(&ty.join(" "))?;
                size = size.next_multiple_of(a) + s * count;
                align = align.max(a);
            }
            Ok((size.next_multiple_of(align), align))
        }
    }

    /// A precedence-climbing evaluator over tokens.
    struct Eval<'a> {
        h: &'a Headers,
        toks: &'a [String],
        pos: usize,
        depth: u32,
    }

    impl<'a> Eval<'a> {
        fn peek(&self) -> Option<&'a str> {
            self.toks.get(self.pos).map(String::as_str)
        }

        fn take(&mut self) -> Result<&'a str, String> {
            let t = self.peek().ok_or("unexpected end of expression")?;
            self.pos += 1;
            Ok(t)
        }

        fn expect(&mut self, t: &str) -> Result<(), String> {
            match self.take()? {
                got if got == t => Ok(()),
                got => Err(format!("expected `{t}`, found `{got}`")),
            }
        }

        fn binary(&mut self, level: usize) -> Result<u64, String> {
            const LEVELS: [&[&str]; 6] =
                [&["|"], &["^"], &["&"], &["<<", ">>"], &["+", "-"], &["*"]];
            if level == LEVELS.len() {
                return self.unary();
            }
            let mut v = self.binary(level + 1)?;
            while let Some(op) = self.peek().filter(|t| LEVELS[level].contains(t)) {
                self.pos += 1;
                let r = self.binary(level + 1)?;
                v = match op {
                    "|" => v | r,
                    "^" => v ^ r,
                    "&" => v & r,
                    "<<" => v << r,
                    ">>" => v >> r,
                    "+" => v.wrapping_add(r),
                    "-" => v.wrapping_sub(r),
                    _ => v.wrapping_mul(r),
                };
            }
            Ok(v)
        }

        fn unary(&mut self) -> Result<u64, String> {
            match self.peek() {
                Some("~") => {
                    self.pos += 1;
                    Ok(!self.unary()?)
                }
                Some("-") => {
                    self.pos += 1;
                    Ok(self.unary()?.wrapping_neg())
                }
                _ => self.primary(),
            }
        }

        fn primary(&mut self) -> Result<u64, String> {
            let t = self.take()?;
            if t == "(" {
                let v = self.binary(0)?;
                self.expect(")")?;
                return Ok(v);
            }
            if let Some(c) = t.strip_prefix('\'').and_then(|c| c.strip_suffix('\'')) {
                return match c.as_bytes() {
                    [b] => Ok(u64::from(*b)),
                    _ => Err(format!("character literal {t}")),
                };
            }
            if t.starts_with(|c: char| c.is_ascii_digit()) {
                let digits = t.trim_end_matches(['u', 'U', 'l', 'L']);
                let parsed =
                    if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
                        u64::from_str_radix(hex, 16)
                    } else if digits.len() > 1 && digits.starts_with('0') {
                        u64::from_str_radix(&digits[1..], 8)
                    } else {
                        digits.parse()
                    };
                return parsed.map_err(|e| format!("number {t}: {e}"));
            }
            match t {
                "_IO" | "_IOR" | "_IOW" | "_IOWR" => self.ioctl(t),
                _ if t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                    self.h.value(t, self.depth)
                }
                _ => Err(format!("unexpected `{t}`")),
            }
        }

        /// `_IO(type, nr)`, `_IOR(type, nr, T)`, `_IOW`, `_IOWR`.
        fn ioctl(&mut self, which: &str) -> Result<u64, String> {
            self.expect("(")?;
            let start = self.pos;
            let mut depth = 0;
            loop {
                match self.take()? {
                    "(" => depth += 1,
                    ")" if depth == 0 => break,
                    ")" => depth -= 1,
                    _ => {}
                }
            }
            let args: Vec<&[String]> = self.toks[start..self.pos - 1].split(|t| t == ",").collect();
            let enc = self.h.ioc()?;
            let size = |i: usize| self.h.size_of(&args[i].join(" ")).map(|s| s.0);
            let (dir, size) = match (which, args.len()) {
                ("_IO", 2) => (enc.none, 0),
                ("_IOR", 3) => (enc.read, size(2)?),
                ("_IOW", 3) => (enc.write, size(2)?),
                ("_IOWR", 3) => (enc.read | enc.write, size(2)?),
                _ => return Err(format!("{which} with {} arguments", args.len())),
            };
            let ty = self.h.eval_tokens(args[0], self.depth + 1)?;
            let nr = self.h.eval_tokens(args[1], self.depth + 1)?;
            if ty > 0xff || nr > 0xff || size >= 1 << enc.size_bits {
                return Err(format!("{which}({ty}, {nr}, size {size}) does not fit"));
            }
            Ok(dir << enc.dir_shift
                | ty << enc.type_shift
                | nr << enc.nr_shift
                | size << enc.size_shift)
        }
    }

    /// Which argument of `clone` holds the flags on `arch`: the clone
    /// `SYSCALL_DEFINE` of kernel/fork.c that the `CLONE_BACKWARDS*`
    /// option arch/$A/Kconfig selects picks (any it selects anywhere: they
    /// must agree).
    fn clone_flags_arg(root: &Path, arch: &str) -> Result<u8, String> {
        let fork = read(&root.join("kernel/fork.c"));
        let start = fork
            .find("#ifdef __ARCH_WANT_SYS_CLONE\n")
            .ok_or("fork.c: no __ARCH_WANT_SYS_CLONE")?;
        // (the CONFIG_ option, or None for the #else; the flags' index)
        let mut variants: Vec<(Option<String>, u8)> = Vec::new();
        let mut config: Option<String> = None;
        let mut lines = fork[start..].lines().skip(1);
        while let Some(line) = lines.next() {
            let line = line.trim();
            if let Some(c) = line.strip_prefix("#ifdef CONFIG_") {
                config = Some(c.trim().to_owned());
            } else if let Some(c) = line.strip_prefix("#elif defined(CONFIG_") {
                config = Some(c.trim().trim_end_matches(')').to_owned());
            } else if line == "#else" {
                config = None;
            } else if line.starts_with("SYSCALL_DEFINE") && line.contains("(clone,") {
                let mut decl = line.to_owned();
                while !decl.contains(')') {
                    decl.push_str(lines.next().ok_or("fork.c: unterminated clone")?);
                }
                let args = decl.split_once("(clone,").map_or("", |d| d.1);
                let args: Vec<&str> = args
                    .split(')')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .collect();
                let index = args
                    .chunks(2)
                    .position(|pair| pair.get(1) == Some(&"clone_flags"))
                    .ok_or_else(|| format!("fork.c: no clone_flags in {decl}"))?;
                variants.push((config.clone(), index as u8));
                if config.is_none() {
                    break;
                }
            }
        }
        if variants.len() != 4 {
            return Err(format!(
                "fork.c: expected 4 clone definitions, found {variants:?}"
            ));
        }
        let kconfig = read(&root.join(format!("arch/{arch}/Kconfig")));
        let selected: HashSet<&str> = kconfig
            .lines()
            .filter_map(|l| l.trim().strip_prefix("select "))
            .filter_map(|s| s.split_whitespace().next())
            .filter(|s| s.starts_with("CLONE_BACKWARDS"))
            .collect();
        let mut picked: Vec<u8> = variants
            .iter()
            .filter(|(c, _)| c.as_deref().is_some_and(|c| selected.contains(c)))
            .map(|v| v.1)
            .collect();
        if picked.is_empty() {
            picked.extend(variants.iter().filter(|v| v.0.is_none()).map(|v| v.1));
        }
        picked.sort_unstable();
        picked.dedup();
        match picked[..] {
            [index] => Ok(index),
            _ => Err(format!("{arch}: clone variants disagree: {selected:?}")),
        }
    }

    /// `(field, our value, header expression)` for every field of `c` but
    /// `clone_flags_arg`; `f_locks64` only `with_locks64`.
    fn fields(c: &Constants, with_locks64: bool) -> Vec<(String, u64, &'static str)> {
        let mut v: Vec<(String, u64, &'static str)> = [
            ("o_creat", c.o_creat, "O_CREAT"),
            ("o_excl", c.o_excl, "O_EXCL"),
            ("o_trunc", c.o_trunc, "O_TRUNC"),
            ("o_tmpfile", c.o_tmpfile, "__O_TMPFILE"),
            ("sock_stream", c.sock_stream, "SOCK_STREAM"),
            ("sock_dgram", c.sock_dgram, "SOCK_DGRAM"),
            ("tiocsti", c.tiocsti, "TIOCSTI"),
            ("enosys", u32::from(c.enosys), "ENOSYS"),
        ]
        .into_iter()
        .map(|(f, ours, name)| (f.to_owned(), u64::from(ours), name))
        .collect();
        let mut array = |field: &str, ours: &[u32], names: &[&'static str]| {
            assert_eq!(ours.len(), names.len(), "{field}");
            for (i, (&ours, &name)) in ours.iter().zip(names).enumerate() {
                v.push((format!("{field}[{i}]"), u64::from(ours), name));
            }
        };
        array("f_locks", &c.f_locks, &F_LOCKS_NAMES);
        if with_locks64 {
            array("f_locks64", &c.f_locks64, &F_LOCKS64_NAMES);
        }
        array("fio", &c.fio, &FIO_NAMES);
        array("tty", &c.tty, &TTY_NAMES);
        v
    }

    /// The shared constants, with the header expressions they stand for.
    fn shared() -> Vec<(String, u64, &'static str)> {
        let mut v: Vec<(String, u64, &'static str)> = [
            ("O_ACCMODE", O_ACCMODE, "O_ACCMODE"),
            ("O_RDONLY", O_RDONLY, "O_RDONLY"),
            ("O_WRONLY", O_WRONLY, "O_WRONLY"),
            ("O_RDWR", O_RDWR, "O_RDWR"),
            ("SETID_BITS", SETID_BITS, "S_ISUID | S_ISGID | S_ISVTX"),
            ("S_IFMT", S_IFMT, "S_IFMT"),
            ("S_IFIFO", S_IFIFO, "S_IFIFO"),
            ("PROT_EXEC", PROT_EXEC, "PROT_EXEC"),
            ("MFD_NOEXEC_SEAL", MFD_NOEXEC_SEAL, "MFD_NOEXEC_SEAL"),
            ("MFD_EXEC", MFD_EXEC, "MFD_EXEC"),
            ("MFD_HUGETLB", MFD_HUGETLB, "MFD_HUGETLB"),
            ("AF_UNIX", AF_UNIX, "AF_UNIX"),
            ("AF_INET", AF_INET, "AF_INET"),
            ("AF_INET6", AF_INET6, "AF_INET6"),
            ("SOCK_SEQPACKET", SOCK_SEQPACKET, "SOCK_SEQPACKET"),
            ("SOCK_TYPE_MASK", SOCK_TYPE_MASK, "SOCK_TYPE_MASK"),
            ("IPPROTO_TCP", IPPROTO_TCP, "IPPROTO_TCP"),
            ("IPPROTO_UDP", IPPROTO_UDP, "IPPROTO_UDP"),
            ("MSG_FASTOPEN", MSG_FASTOPEN, "MSG_FASTOPEN"),
            ("AT_EMPTY_PATH", AT_EMPTY_PATH, "AT_EMPTY_PATH"),
            ("AT_REMOVEDIR", AT_REMOVEDIR, "AT_REMOVEDIR"),
            ("CLONE_THREAD", CLONE_THREAD, "CLONE_THREAD"),
            (
                "CLONE_NAMESPACES",
                CLONE_NAMESPACES,
                "CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
                 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET",
            ),
            ("PR_SET_DUMPABLE", PR_SET_DUMPABLE, "PR_SET_DUMPABLE"),
            (
                "SECCOMP_LAST_OP",
                SECCOMP_LAST_OP,
                "SECCOMP_GET_NOTIF_SIZES",
            ),
            ("the first seccomp op", 0, "SECCOMP_SET_MODE_STRICT"),
            (
                "SECCOMP_SET_MODE_FILTER",
                SECCOMP_SET_MODE_FILTER,
                "SECCOMP_SET_MODE_FILTER",
            ),
        ]
        .into_iter()
        .map(|(f, ours, name)| (f.to_owned(), u64::from(ours), name))
        .collect();
        let mut array = |field: &str, ours: &[u32], names: &[&'static str]| {
            assert_eq!(ours.len(), names.len(), "{field}");
            for (i, (&ours, &name)) in ours.iter().zip(names).enumerate() {
                v.push((format!("{field}[{i}]"), u64::from(ours), name));
            }
        };
        array("FCNTL_STDIO", &FCNTL_STDIO, &FCNTL_STDIO_NAMES);
        array("FCNTL_LOCKS", &FCNTL_LOCKS, &FCNTL_LOCKS_NAMES);
        array("PRCTL_HARMLESS", &PRCTL_HARMLESS, &PRCTL_HARMLESS_NAMES);
        v
    }

    /// One line per value that differs from its header expression.
    fn mismatches(h: &Headers, what: &str, fields: &[(String, u64, &str)]) -> Vec<String> {
        fields
            .iter()
            .filter_map(|(field, ours, expr)| match h.eval(expr) {
                Ok(v) if v == *ours => None,
                Ok(v) => Some(format!(
                    "{what}.{field} is {ours:#x}, but {expr} is {v:#x} in the {} headers",
                    h.arch
                )),
                Err(e) => Some(format!(
                    "{what}.{field}: {expr} in the {} headers: {e}",
                    h.arch
                )),
            })
            .collect()
    }

    fn assert_none(bad: &[String]) {
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn ioctl_encodings_are_the_expected_ones() {
        let Some(root) = linux_dir() else { return };
        let generic = Ioc {
            none: 0,
            read: 2,
            write: 1,
            size_bits: 14,
            nr_shift: 0,
            type_shift: 8,
            size_shift: 16,
            dir_shift: 30,
        };
        let bsd = Ioc {
            none: 1,
            read: 2,
            write: 4,
            size_bits: 13,
            nr_shift: 0,
            type_shift: 8,
            size_shift: 16,
            dir_shift: 29,
        };
        for arch in ARCHES {
            let h = Headers::new(&root, arch);
            let want = if matches!(arch, "mips" | "powerpc") {
                &bsd
            } else {
                &generic
            };
            assert_eq!(h.ioc().as_ref(), Ok(want), "{arch}");
        }
        // PowerPC's TCGETS carries sizeof(struct termios): four tcflag_t,
        // c_cc[19], c_line, two speed_t.
        let ppc = Headers::new(&root, "powerpc");
        assert_eq!(ppc.size_of("struct termios"), Ok((44, 4)));
        assert_eq!(ppc.eval("TCGETS"), Ok(0x402c_7413));
    }

    #[test]
    fn constant_sets_match_the_headers() {
        let Some(root) = linux_dir() else { return };
        let mut bad = Vec::new();
        for (what, set, arch) in [
            ("GENERIC", GENERIC, "x86"),
            ("MIPS", MIPS, "mips"),
            ("POWERPC", POWERPC, "powerpc"),
            ("S390X", S390X, "s390"),
        ] {
            let h = Headers::new(&root, arch);
            bad.extend(mismatches(&h, what, &fields(&set, true)));
            match clone_flags_arg(&root, arch) {
                Ok(arg) if arg == set.clone_flags_arg => {}
                other => bad.push(format!(
                    "{what}.clone_flags_arg is {}, but {arch}'s clone: {other:?}",
                    set.clone_flags_arg
                )),
            }
        }
        assert_none(&bad);
    }

    #[test]
    fn every_abi_gets_its_architectures_constants() {
        let Some(root) = linux_dir() else { return };
        let mut bad = Vec::new();
        for abi in Abi::ALL {
            let c = constants(abi);
            let arch = arch_of(abi);
            let h = Headers::new(&root, arch);
            let wide = abi.pointer_bits() == 64;
            // 64-bit ABIs answer the *64 lock commands with EINVAL.
            if wide && c.f_locks64 != [0; 3] {
                bad.push(format!("{}: f_locks64 should be unused", abi.name()));
            }
            bad.extend(mismatches(&h, abi.name(), &fields(&c, !wide)));
            match clone_flags_arg(&root, arch) {
                Ok(arg) if arg == c.clone_flags_arg => {}
                other => bad.push(format!(
                    "{}.clone_flags_arg is {}, but {arch}'s clone: {other:?}",
                    abi.name(),
                    c.clone_flags_arg
                )),
            }
        }
        assert_none(&bad);
    }

    #[test]
    fn shared_constants_are_the_same_on_every_architecture() {
        let Some(root) = linux_dir() else { return };
        let mut bad = Vec::new();
        for arch in ARCHES {
            let h = Headers::new(&root, arch);
            bad.extend(mismatches(&h, "shared", &shared()));
        }
        let x86 = Headers::new(&root, "x86");
        let arch_prctl = [
            (
                "ARCH_FS_GS.0".to_owned(),
                u64::from(ARCH_FS_GS.0),
                "ARCH_SET_GS",
            ),
            (
                "ARCH_FS_GS.1".to_owned(),
                u64::from(ARCH_FS_GS.1),
                "ARCH_GET_GS",
            ),
        ];
        bad.extend(mismatches(&x86, "shared", &arch_prctl));
        // The range holds exactly the four thread-pointer operations.
        let mut four: Vec<u64> = ["ARCH_SET_GS", "ARCH_SET_FS", "ARCH_GET_FS", "ARCH_GET_GS"]
            .iter()
            .map(|n| x86.eval(n).unwrap())
            .collect();
        four.sort_unstable();
        assert_eq!(
            four,
            (u64::from(ARCH_FS_GS.0)..=u64::from(ARCH_FS_GS.1)).collect::<Vec<_>>()
        );
        assert_none(&bad);
    }

    #[test]
    fn a_wrong_value_is_caught() {
        // The comparison must be able to fail.
        let Some(root) = linux_dir() else { return };
        let mut wrong = MIPS;
        wrong.o_excl = GENERIC.o_excl;
        wrong.tty[4] ^= 1;
        let bad = mismatches(&Headers::new(&root, "mips"), "MIPS", &fields(&wrong, true));
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(
            bad[0].starts_with("MIPS.o_excl is 0x80, but O_EXCL is 0x400"),
            "{bad:?}"
        );
        assert!(bad[1].starts_with("MIPS.tty[4] is 0x40087469"), "{bad:?}");
        // And an undefined name is a failure, not a skip.
        let h = Headers::new(&root, "x86");
        assert_eq!(
            h.eval("NO_SUCH_NAME"),
            Err("NO_SUCH_NAME is not defined".to_owned())
        );
    }

    /// The host's C library headers, through the `libc` crate, as a second
    /// source for x86-64.
    #[cfg(all(
        target_arch = "x86_64",
        target_pointer_width = "64",
        target_os = "linux",
        target_env = "gnu"
    ))]
    #[test]
    fn x86_64_constants_agree_with_libc() {
        fn n<T: TryInto<u32> + Copy + core::fmt::Debug>(v: T) -> u32 {
            match v.try_into() {
                Ok(v) => v,
                Err(_) => panic!("{v:?} does not fit in 32 bits"),
            }
        }
        let c = constants(Abi::X86_64);
        let pairs = [
            ("O_CREAT", c.o_creat, n(libc::O_CREAT)),
            ("O_EXCL", c.o_excl, n(libc::O_EXCL)),
            ("O_TRUNC", c.o_trunc, n(libc::O_TRUNC)),
            (
                "O_TMPFILE",
                c.o_tmpfile | n(libc::O_DIRECTORY),
                n(libc::O_TMPFILE),
            ),
            ("SOCK_STREAM", c.sock_stream, n(libc::SOCK_STREAM)),
            ("SOCK_DGRAM", c.sock_dgram, n(libc::SOCK_DGRAM)),
            ("F_GETLK", c.f_locks[0], n(libc::F_GETLK)),
            ("F_SETLK", c.f_locks[1], n(libc::F_SETLK)),
            ("F_SETLKW", c.f_locks[2], n(libc::F_SETLKW)),
            ("FIONREAD", c.fio[0], n(libc::FIONREAD)),
            ("FIONBIO", c.fio[1], n(libc::FIONBIO)),
            ("FIOCLEX", c.fio[2], n(libc::FIOCLEX)),
            ("FIONCLEX", c.fio[3], n(libc::FIONCLEX)),
            ("TCGETS", c.tty[0], n(libc::TCGETS)),
            ("TCSETS", c.tty[1], n(libc::TCSETS)),
            ("TCSETSW", c.tty[2], n(libc::TCSETSW)),
            ("TCSETSF", c.tty[3], n(libc::TCSETSF)),
            ("TIOCGWINSZ", c.tty[4], n(libc::TIOCGWINSZ)),
            ("TIOCSWINSZ", c.tty[5], n(libc::TIOCSWINSZ)),
            ("TIOCGPGRP", c.tty[6], n(libc::TIOCGPGRP)),
            ("TIOCSPGRP", c.tty[7], n(libc::TIOCSPGRP)),
            ("TCSBRK", c.tty[8], n(libc::TCSBRK)),
            ("TCXONC", c.tty[9], n(libc::TCXONC)),
            ("TCFLSH", c.tty[10], n(libc::TCFLSH)),
            ("TIOCGPTN", c.tty[11], n(libc::TIOCGPTN)),
            ("TIOCSPTLCK", c.tty[12], n(libc::TIOCSPTLCK)),
            ("TIOCGPTPEER", c.tty[13], n(libc::TIOCGPTPEER)),
            ("TIOCSTI", c.tiocsti, n(libc::TIOCSTI)),
            ("ENOSYS", u32::from(c.enosys), n(libc::ENOSYS)),
            ("O_ACCMODE", O_ACCMODE, n(libc::O_ACCMODE)),
            ("O_RDONLY", O_RDONLY, n(libc::O_RDONLY)),
            ("O_WRONLY", O_WRONLY, n(libc::O_WRONLY)),
            ("O_RDWR", O_RDWR, n(libc::O_RDWR)),
            (
                "SETID_BITS",
                SETID_BITS,
                n(libc::S_ISUID | libc::S_ISGID | libc::S_ISVTX),
            ),
            ("S_IFMT", S_IFMT, n(libc::S_IFMT)),
            ("S_IFIFO", S_IFIFO, n(libc::S_IFIFO)),
            ("PROT_EXEC", PROT_EXEC, n(libc::PROT_EXEC)),
            ("MFD_NOEXEC_SEAL", MFD_NOEXEC_SEAL, n(libc::MFD_NOEXEC_SEAL)),
            ("MFD_EXEC", MFD_EXEC, n(libc::MFD_EXEC)),
            ("MFD_HUGETLB", MFD_HUGETLB, n(libc::MFD_HUGETLB)),
            ("AF_UNIX", AF_UNIX, n(libc::AF_UNIX)),
            ("AF_INET", AF_INET, n(libc::AF_INET)),
            ("AF_INET6", AF_INET6, n(libc::AF_INET6)),
            ("SOCK_SEQPACKET", SOCK_SEQPACKET, n(libc::SOCK_SEQPACKET)),
            ("IPPROTO_TCP", IPPROTO_TCP, n(libc::IPPROTO_TCP)),
            ("IPPROTO_UDP", IPPROTO_UDP, n(libc::IPPROTO_UDP)),
            ("MSG_FASTOPEN", MSG_FASTOPEN, n(libc::MSG_FASTOPEN)),
            ("AT_EMPTY_PATH", AT_EMPTY_PATH, n(libc::AT_EMPTY_PATH)),
            ("AT_REMOVEDIR", AT_REMOVEDIR, n(libc::AT_REMOVEDIR)),
            ("CLONE_THREAD", CLONE_THREAD, n(libc::CLONE_THREAD)),
            (
                "CLONE_NAMESPACES",
                CLONE_NAMESPACES,
                n(libc::CLONE_NEWNS
                    | libc::CLONE_NEWCGROUP
                    | libc::CLONE_NEWUTS
                    | libc::CLONE_NEWIPC
                    | libc::CLONE_NEWUSER
                    | libc::CLONE_NEWPID
                    | libc::CLONE_NEWNET),
            ),
            ("F_DUPFD", FCNTL_STDIO[0], n(libc::F_DUPFD)),
            ("F_GETFD", FCNTL_STDIO[1], n(libc::F_GETFD)),
            ("F_SETFD", FCNTL_STDIO[2], n(libc::F_SETFD)),
            ("F_GETFL", FCNTL_STDIO[3], n(libc::F_GETFL)),
            ("F_SETFL", FCNTL_STDIO[4], n(libc::F_SETFL)),
            // FCNTL_STDIO[5], F_DUPFD_QUERY (Linux 6.10), is not in libc.
            ("F_DUPFD_CLOEXEC", FCNTL_STDIO[6], n(libc::F_DUPFD_CLOEXEC)),
            ("F_SETPIPE_SZ", FCNTL_STDIO[7], n(libc::F_SETPIPE_SZ)),
            ("F_GETPIPE_SZ", FCNTL_STDIO[8], n(libc::F_GETPIPE_SZ)),
            ("F_ADD_SEALS", FCNTL_STDIO[9], n(libc::F_ADD_SEALS)),
            ("F_GET_SEALS", FCNTL_STDIO[10], n(libc::F_GET_SEALS)),
            ("F_OFD_GETLK", FCNTL_LOCKS[0], n(libc::F_OFD_GETLK)),
            ("F_OFD_SETLK", FCNTL_LOCKS[1], n(libc::F_OFD_SETLK)),
            ("F_OFD_SETLKW", FCNTL_LOCKS[2], n(libc::F_OFD_SETLKW)),
            ("F_SETLEASE", FCNTL_LOCKS[3], n(libc::F_SETLEASE)),
            ("F_GETLEASE", FCNTL_LOCKS[4], n(libc::F_GETLEASE)),
            (
                "PR_SET_PDEATHSIG",
                PRCTL_HARMLESS[0],
                n(libc::PR_SET_PDEATHSIG),
            ),
            (
                "PR_GET_PDEATHSIG",
                PRCTL_HARMLESS[1],
                n(libc::PR_GET_PDEATHSIG),
            ),
            (
                "PR_GET_DUMPABLE",
                PRCTL_HARMLESS[2],
                n(libc::PR_GET_DUMPABLE),
            ),
            (
                "PR_GET_KEEPCAPS",
                PRCTL_HARMLESS[3],
                n(libc::PR_GET_KEEPCAPS),
            ),
            ("PR_SET_NAME", PRCTL_HARMLESS[4], n(libc::PR_SET_NAME)),
            ("PR_GET_NAME", PRCTL_HARMLESS[5], n(libc::PR_GET_NAME)),
            ("PR_GET_SECCOMP", PRCTL_HARMLESS[6], n(libc::PR_GET_SECCOMP)),
            ("PR_SET_SECCOMP", PRCTL_HARMLESS[7], n(libc::PR_SET_SECCOMP)),
            (
                "PR_CAPBSET_READ",
                PRCTL_HARMLESS[8],
                n(libc::PR_CAPBSET_READ),
            ),
            (
                "PR_GET_TIMERSLACK",
                PRCTL_HARMLESS[9],
                n(libc::PR_GET_TIMERSLACK),
            ),
            (
                "PR_SET_NO_NEW_PRIVS",
                PRCTL_HARMLESS[10],
                n(libc::PR_SET_NO_NEW_PRIVS),
            ),
            (
                "PR_GET_NO_NEW_PRIVS",
                PRCTL_HARMLESS[11],
                n(libc::PR_GET_NO_NEW_PRIVS),
            ),
            (
                "PR_GET_TID_ADDRESS",
                PRCTL_HARMLESS[12],
                n(libc::PR_GET_TID_ADDRESS),
            ),
            (
                "PR_GET_THP_DISABLE",
                PRCTL_HARMLESS[13],
                n(libc::PR_GET_THP_DISABLE),
            ),
            ("PR_SET_VMA", PRCTL_HARMLESS[14], n(libc::PR_SET_VMA)),
            ("PR_SET_DUMPABLE", PR_SET_DUMPABLE, n(libc::PR_SET_DUMPABLE)),
            (
                "SECCOMP_LAST_OP",
                SECCOMP_LAST_OP,
                n(libc::SECCOMP_GET_NOTIF_SIZES),
            ),
        ];
        let bad: Vec<String> = pairs
            .iter()
            .filter(|(_, ours, theirs)| ours != theirs)
            .map(|(name, ours, theirs)| format!("{name}: ours {ours:#x}, libc {theirs:#x}"))
            .collect();
        assert_none(&bad);
    }
}
