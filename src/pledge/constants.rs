//! The kernel constants the promise rules compare arguments with, per ABI.
//!
//! Most of them are the same on every architecture; MIPS and PowerPC
//! number some flags, socket types and terminal `ioctl`s their own way
//! (their uapi `asm/fcntl.h`, `asm/socket.h` and `asm/ioctls.h`), and
//! s390's `clone` takes the flags second. The values are the kernel's:
//! [`crate::tables::constants`], generated from its headers.

use crate::tables::Abi;
use crate::tables::constants::{arm, generic, mips, powerpc, s390, x86};

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

/// `name` of the generic module, checked at compile time to be the same
/// in every architecture's (the rules use one value for all ABIs).
macro_rules! everywhere {
    ($name:ident) => {{
        const V: u32 = generic::$name;
        assert!(
            V == s390::$name && V == arm::$name && V == powerpc::$name && V == mips::$name,
            concat!(stringify!($name), " differs between architectures")
        );
        V
    }};
}

/// The `O_ACCMODE` bits and their values.
pub(crate) const O_ACCMODE: u32 = everywhere!(O_ACCMODE);
pub(crate) const O_RDONLY: u32 = everywhere!(O_RDONLY);
pub(crate) const O_WRONLY: u32 = everywhere!(O_WRONLY);
pub(crate) const O_RDWR: u32 = everywhere!(O_RDWR);
/// Set-user-id, set-group-id and sticky bits of a mode.
pub(crate) const SETID_BITS: u32 =
    everywhere!(S_ISUID) | everywhere!(S_ISGID) | everywhere!(S_ISVTX);
pub(crate) const S_IFMT: u32 = everywhere!(S_IFMT);
pub(crate) const S_IFIFO: u32 = everywhere!(S_IFIFO);
pub(crate) const PROT_EXEC: u32 = everywhere!(PROT_EXEC);
/// `memfd_create`: the file is not executable and never can be (its mode
/// has no x bits and `F_SEAL_EXEC` forbids adding them; Linux 6.3).
pub(crate) const MFD_NOEXEC_SEAL: u32 = everywhere!(MFD_NOEXEC_SEAL);
/// `memfd_create`: the file is executable (Linux 6.3).
pub(crate) const MFD_EXEC: u32 = everywhere!(MFD_EXEC);
/// `memfd_create`: on hugetlbfs, whose attribute changes do not check
/// `F_SEAL_EXEC` (a chmod would add x bits to a sealed one).
pub(crate) const MFD_HUGETLB: u32 = everywhere!(MFD_HUGETLB);
pub(crate) const AF_UNIX: u32 = everywhere!(AF_UNIX);
pub(crate) const AF_INET: u32 = everywhere!(AF_INET);
pub(crate) const AF_INET6: u32 = everywhere!(AF_INET6);
pub(crate) const SOCK_SEQPACKET: u32 = everywhere!(SOCK_SEQPACKET);
/// The socket type's bits; the rest of `type` are `SOCK_NONBLOCK`/`SOCK_CLOEXEC`.
pub(crate) const SOCK_TYPE_MASK: u32 = everywhere!(SOCK_TYPE_MASK);
pub(crate) const IPPROTO_TCP: u32 = everywhere!(IPPROTO_TCP);
pub(crate) const IPPROTO_UDP: u32 = everywhere!(IPPROTO_UDP);
/// A send flag: connect with the data in the SYN (TCP Fast Open).
pub(crate) const MSG_FASTOPEN: u32 = everywhere!(MSG_FASTOPEN);
pub(crate) const AT_EMPTY_PATH: u32 = everywhere!(AT_EMPTY_PATH);
pub(crate) const AT_REMOVEDIR: u32 = everywhere!(AT_REMOVEDIR);
pub(crate) const CLONE_THREAD: u32 = everywhere!(CLONE_THREAD);
/// `CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
/// CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET`.
pub(crate) const CLONE_NAMESPACES: u32 = everywhere!(CLONE_NEWNS)
    | everywhere!(CLONE_NEWCGROUP)
    | everywhere!(CLONE_NEWUTS)
    | everywhere!(CLONE_NEWIPC)
    | everywhere!(CLONE_NEWUSER)
    | everywhere!(CLONE_NEWPID)
    | everywhere!(CLONE_NEWNET);
/// `fcntl` commands with the same number everywhere: `F_DUPFD`, `F_GETFD`,
/// `F_SETFD`, `F_GETFL`, `F_SETFL`, `F_DUPFD_QUERY`, `F_DUPFD_CLOEXEC`,
/// `F_SETPIPE_SZ`, `F_GETPIPE_SZ`, `F_ADD_SEALS`, `F_GET_SEALS`.
pub(crate) const FCNTL_STDIO: [u32; 11] = [
    everywhere!(F_DUPFD),
    everywhere!(F_GETFD),
    everywhere!(F_SETFD),
    everywhere!(F_GETFL),
    everywhere!(F_SETFL),
    everywhere!(F_DUPFD_QUERY),
    everywhere!(F_DUPFD_CLOEXEC),
    everywhere!(F_SETPIPE_SZ),
    everywhere!(F_GETPIPE_SZ),
    everywhere!(F_ADD_SEALS),
    everywhere!(F_GET_SEALS),
];
/// `F_OFD_GETLK`, `F_OFD_SETLK`, `F_OFD_SETLKW`, `F_SETLEASE`, `F_GETLEASE`.
pub(crate) const FCNTL_LOCKS: [u32; 5] = [
    everywhere!(F_OFD_GETLK),
    everywhere!(F_OFD_SETLK),
    everywhere!(F_OFD_SETLKW),
    everywhere!(F_SETLEASE),
    everywhere!(F_GETLEASE),
];
/// `prctl` options that neither widen what the process may do nor reach
/// other processes: `PR_SET_PDEATHSIG`, `PR_GET_PDEATHSIG`,
/// `PR_GET_DUMPABLE`, `PR_GET_KEEPCAPS`, `PR_SET_NAME`, `PR_GET_NAME`,
/// `PR_GET_SECCOMP`, `PR_SET_SECCOMP` (filters only narrow),
/// `PR_CAPBSET_READ`, `PR_GET_TIMERSLACK`, `PR_SET_NO_NEW_PRIVS`,
/// `PR_GET_NO_NEW_PRIVS`, `PR_GET_TID_ADDRESS`, `PR_GET_THP_DISABLE`,
/// `PR_SET_VMA` (names anonymous mappings).
pub(crate) const PRCTL_HARMLESS: [u32; 15] = [
    everywhere!(PR_SET_PDEATHSIG),
    everywhere!(PR_GET_PDEATHSIG),
    everywhere!(PR_GET_DUMPABLE),
    everywhere!(PR_GET_KEEPCAPS),
    everywhere!(PR_SET_NAME),
    everywhere!(PR_GET_NAME),
    everywhere!(PR_GET_SECCOMP),
    everywhere!(PR_SET_SECCOMP),
    everywhere!(PR_CAPBSET_READ),
    everywhere!(PR_GET_TIMERSLACK),
    everywhere!(PR_SET_NO_NEW_PRIVS),
    everywhere!(PR_GET_NO_NEW_PRIVS),
    everywhere!(PR_GET_TID_ADDRESS),
    everywhere!(PR_GET_THP_DISABLE),
    everywhere!(PR_SET_VMA),
];
/// `PR_SET_DUMPABLE`, allowed only to clear it.
pub(crate) const PR_SET_DUMPABLE: u32 = everywhere!(PR_SET_DUMPABLE);
/// `SECCOMP_SET_MODE_STRICT` up to `SECCOMP_GET_NOTIF_SIZES`: adding a
/// filter only narrows.
pub(crate) const SECCOMP_LAST_OP: u32 = everywhere!(SECCOMP_GET_NOTIF_SIZES);
const _: () = assert!(everywhere!(SECCOMP_SET_MODE_STRICT) == 0);
/// The seccomp op that adds a filter.
pub(crate) const SECCOMP_SET_MODE_FILTER: u32 = everywhere!(SECCOMP_SET_MODE_FILTER);
/// `ARCH_SET_GS` up to `ARCH_GET_GS` (x86 thread pointers).
pub(crate) const ARCH_FS_GS: (u32, u32) = (x86::ARCH_SET_GS, x86::ARCH_GET_GS);
// The range holds exactly the four thread-pointer operations.
const _: () = assert!(
    ARCH_FS_GS.1 - ARCH_FS_GS.0 == 3
        && x86::ARCH_SET_FS > ARCH_FS_GS.0
        && x86::ARCH_SET_FS < ARCH_FS_GS.1
        && x86::ARCH_GET_FS > ARCH_FS_GS.0
        && x86::ARCH_GET_FS < ARCH_FS_GS.1
        && x86::ARCH_SET_FS != x86::ARCH_GET_FS
);

/// The [`Constants`] of one family module of the generated constants.
macro_rules! constants_of {
    ($m:ident) => {
        Constants {
            o_creat: $m::O_CREAT,
            o_excl: $m::O_EXCL,
            o_trunc: $m::O_TRUNC,
            o_tmpfile: $m::__O_TMPFILE,
            sock_stream: $m::SOCK_STREAM,
            sock_dgram: $m::SOCK_DGRAM,
            f_locks: [$m::F_GETLK, $m::F_SETLK, $m::F_SETLKW],
            f_locks64: [$m::F_GETLK64, $m::F_SETLK64, $m::F_SETLKW64],
            fio: [$m::FIONREAD, $m::FIONBIO, $m::FIOCLEX, $m::FIONCLEX],
            tty: [
                $m::TCGETS,
                $m::TCSETS,
                $m::TCSETSW,
                $m::TCSETSF,
                $m::TIOCGWINSZ,
                $m::TIOCSWINSZ,
                $m::TIOCGPGRP,
                $m::TIOCSPGRP,
                $m::TCSBRK,
                $m::TCXONC,
                $m::TCFLSH,
                $m::TIOCGPTN,
                $m::TIOCSPTLCK,
                $m::TIOCGPTPEER,
            ],
            tiocsti: $m::TIOCSTI,
            clone_flags_arg: $m::CLONE_FLAGS_ARG,
            enosys: $m::ENOSYS as u16,
        }
    };
}

/// x86, RISC-V and LoongArch.
const GENERIC: Constants = constants_of!(generic);
/// s390x: generic, but `clone(stack, flags, ...)`.
const S390X: Constants = constants_of!(s390);
/// AArch64 and ARM (the same as [`GENERIC`] in every field here).
const ARM: Constants = constants_of!(arm);
/// PowerPC (32 and 64-bit): generic flags, BSD-style `ioctl` numbers.
const POWERPC: Constants = constants_of!(powerpc);
/// MIPS (o32, n32, n64).
const MIPS: Constants = constants_of!(mips);

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
        Abi::Aarch64 | Abi::Arm => ARM,
        Abi::X86_64 | Abi::X32 | Abi::I386 | Abi::Riscv64 | Abi::Riscv32 | Abi::Loongarch64 => {
            GENERIC
        }
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
    //! The header names of the array constants, in their order, and that
    //! order checked against the generated constants (which the generator
    //! checks against the kernel's headers); the x86-64 constants against
    //! the `libc` crate as a second source.

    use super::*;
    use crate::tables::constants::value;
    use std::format;
    use std::string::String;
    use std::vec::Vec;

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

    /// `(what, our values, their header names)` for every field of `abi`'s
    /// [`Constants`] but `clone_flags_arg` (`f_locks64` only where it is
    /// used) and the shared arrays.
    fn arrays(abi: Abi) -> Vec<(&'static str, Vec<u32>, &'static [&'static str])> {
        let c = constants(abi);
        let mut v = Vec::from([
            ("o_creat", [c.o_creat].to_vec(), &["O_CREAT"][..]),
            ("o_excl", [c.o_excl].to_vec(), &["O_EXCL"][..]),
            ("o_trunc", [c.o_trunc].to_vec(), &["O_TRUNC"][..]),
            ("o_tmpfile", [c.o_tmpfile].to_vec(), &["__O_TMPFILE"][..]),
            (
                "sock_stream",
                [c.sock_stream].to_vec(),
                &["SOCK_STREAM"][..],
            ),
            ("sock_dgram", [c.sock_dgram].to_vec(), &["SOCK_DGRAM"][..]),
            ("tiocsti", [c.tiocsti].to_vec(), &["TIOCSTI"][..]),
            ("enosys", [u32::from(c.enosys)].to_vec(), &["ENOSYS"][..]),
            ("f_locks", c.f_locks.to_vec(), &F_LOCKS_NAMES[..]),
            ("fio", c.fio.to_vec(), &FIO_NAMES[..]),
            ("tty", c.tty.to_vec(), &TTY_NAMES[..]),
            ("FCNTL_STDIO", FCNTL_STDIO.to_vec(), &FCNTL_STDIO_NAMES[..]),
            ("FCNTL_LOCKS", FCNTL_LOCKS.to_vec(), &FCNTL_LOCKS_NAMES[..]),
            (
                "PRCTL_HARMLESS",
                PRCTL_HARMLESS.to_vec(),
                &PRCTL_HARMLESS_NAMES[..],
            ),
        ]);
        if abi.pointer_bits() == 32 {
            v.push(("f_locks64", c.f_locks64.to_vec(), &F_LOCKS64_NAMES[..]));
        }
        v
    }

    /// One line per array element whose name does not give its value on `abi`.
    fn misnamed(abi: Abi, arrays: &[(&str, Vec<u32>, &[&str])]) -> Vec<String> {
        let mut bad = Vec::new();
        for (what, ours, names) in arrays {
            assert_eq!(ours.len(), names.len(), "{what}");
            for (i, (&ours, &name)) in ours.iter().zip(names.iter()).enumerate() {
                if value(abi, name) != Some(i64::from(ours)) {
                    bad.push(format!(
                        "{}: {what}[{i}] is {ours:#x}, {name} is {:?}",
                        abi.name(),
                        value(abi, name)
                    ));
                }
            }
        }
        bad
    }

    /// Each ABI gets its family's values (the mapping here and
    /// `tables::constants::by_name`'s agree), and the documentation's name
    /// arrays are in the order of the values.
    #[test]
    fn every_abi_gets_its_familys_values_under_their_names() {
        for abi in Abi::ALL {
            let bad = misnamed(abi, &arrays(abi));
            assert!(bad.is_empty(), "{}", bad.join("\n"));
            // 64-bit ABIs answer the *64 lock commands with EINVAL.
            if abi.pointer_bits() == 64 {
                assert_eq!(constants(abi).f_locks64, [0; 3], "{}", abi.name());
            }
        }
        // The comparison must be able to fail: two names swapped.
        let mut swapped = arrays(Abi::Mips);
        let fio = swapped.iter_mut().find(|a| a.0 == "fio").unwrap();
        fio.1.swap(0, 1);
        assert_eq!(misnamed(Abi::Mips, &swapped).len(), 2);
    }

    /// Used by the x86-64 libc comparison only.
    #[cfg(all(
        target_arch = "x86_64",
        target_pointer_width = "64",
        target_os = "linux",
        target_env = "gnu"
    ))]
    fn assert_none(bad: &[String]) {
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
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
