//! The kernel constants the promise rules compare arguments with, per ABI.
//!
//! Most of them are the same on every architecture; MIPS and PowerPC
//! number some flags, socket types and terminal `ioctl`s their own way
//! (their uapi `asm/fcntl.h`, `asm/socket.h` and `asm/ioctls.h`), and
//! s390's `clone` takes the flags second. Values are the kernel's
//! (checked against its headers by `tests/pledge_constants.rs`).

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
pub(crate) const AF_UNIX: u32 = 1;
pub(crate) const AF_INET: u32 = 2;
pub(crate) const AF_INET6: u32 = 10;
pub(crate) const SOCK_SEQPACKET: u32 = 5;
/// The socket type's bits; the rest of `type` are `SOCK_NONBLOCK`/`SOCK_CLOEXEC`.
pub(crate) const SOCK_TYPE_MASK: u32 = 0xf;
pub(crate) const IPPROTO_TCP: u32 = 6;
pub(crate) const IPPROTO_UDP: u32 = 17;
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
