//! Syscall numbers and architecture facts for every ABI seclude builds
//! filters for, usable in `const` context.
//!
//! A seccomp filter compares `seccomp_data.nr` with numbers, and those
//! numbers differ per ABI: `openat` is 257 on x86-64, 295 on i386, 56 on
//! AArch64 and `0x40000101` on x32. A filter that also covers a compat ABI
//! (i386 programs on an x86-64 kernel) needs that ABI's numbers even though
//! the crate was compiled for another one. So the tables here cover all
//! fourteen numberings, not only the target's.
//!
//! The tables are generated from the Linux kernel's own `*.tbl` files by
//! `syscalls/generator` and committed under `syscalls/tables/`; a test
//! regenerates them and fails on any difference. Syscalls added after the
//! kernel sources we generate from are recorded by hand in
//! `syscalls/post-6.12.tbl` and reported by [`Syscall::added_in`].
//!
//! Everything is a `const fn`, so a policy written as a constant resolves
//! its numbers at compile time:
//!
//! ```
//! use seclude::tables::{Abi, Syscall};
//!
//! const OPENAT_I386: u32 = match Abi::I386.number(Syscall::openat) {
//!     Some(nr) => nr,
//!     None => panic!("i386 has openat"),
//! };
//! assert_eq!(OPENAT_I386, 295);
//! assert_eq!(Abi::I386.syscall(295), Some(Syscall::openat));
//! ```
//!
//! A syscall the ABI lacks is then a compile error, not a wrong number:
//!
//! ```compile_fail
//! use seclude::tables::{Abi, Syscall};
//!
//! // AArch64 has no open(2), only openat(2): this constant does not compile.
//! const OPEN_AARCH64: u32 = match Abi::Aarch64.number(Syscall::open) {
//!     Some(nr) => nr,
//!     None => panic!("aarch64 has no open"),
//! };
//! ```

use crate::text::{compare, eq};
use core::cmp::Ordering;
use core::fmt;

mod syscall {
    include!("../../syscalls/tables/syscall.rs");
}
pub use syscall::Syscall;
use syscall::{ALL, COUNT, HAND_ADDED, NAMES};

pub mod constants;

/// Facts from the kernel's uapi headers (`AUDIT_ARCH_*`, number offsets).
mod arch {
    include!("../../syscalls/tables/arch.rs");
}

/// Marks a syscall an ABI does not have, in the generated `BY_SYSCALL` arrays.
const ABSENT: u32 = u32::MAX;

macro_rules! tables {
    ($($module:ident),* $(,)?) => {
        $(
            mod $module {
                use super::{Syscall, ABSENT, syscall::COUNT};
                include!(concat!("../../syscalls/tables/", stringify!($module), ".rs"));
            }
        )*
    };
}
tables!(
    x86_64,
    x32,
    i386,
    aarch64,
    arm,
    riscv64,
    riscv32,
    loongarch64,
    powerpc64,
    powerpc,
    s390x,
    mips_o32,
    mips_n32,
    mips_n64,
);

/// Byte order of an ABI, as seen in `seccomp_data` argument words.
///
/// ```
/// use seclude::tables::{Abi, Endian};
/// assert_eq!(Abi::Ppc64le.endian(), Endian::Little);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Endian {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

/// A kernel system-call ABI: one `AUDIT_ARCH_*` value (what
/// `seccomp_data.arch` holds) together with one syscall numbering.
///
/// x86-64 and x32 share `AUDIT_ARCH_X86_64` and are told apart by bit
/// [`X32_SYSCALL_BIT`] of the syscall number; every other ABI has its own
/// `AUDIT_ARCH_*` value. Big- and little-endian variants of one architecture
/// share a numbering but not an `AUDIT_ARCH_*` value, so both are listed.
///
/// ```
/// use seclude::tables::Abi;
///
/// let abi = Abi::from_name("x86").unwrap();
/// assert_eq!(abi, Abi::I386);
/// assert_eq!(abi.audit_arch(), 0x4000_0003);
/// assert_eq!(abi.pointer_bits(), 32);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Abi {
    /// x86-64, 64-bit (`AUDIT_ARCH_X86_64`).
    X86_64,
    /// x32: ILP32 programs on x86-64 (`AUDIT_ARCH_X86_64`, numbers with bit `0x40000000`).
    X32,
    /// i386, also the `int 0x80` compat entry of x86-64 kernels (`AUDIT_ARCH_I386`).
    I386,
    /// AArch64, little-endian (`AUDIT_ARCH_AARCH64`).
    Aarch64,
    /// 32-bit ARM EABI, little-endian; also AArch64's compat mode (`AUDIT_ARCH_ARM`).
    Arm,
    /// RISC-V 64-bit (`AUDIT_ARCH_RISCV64`).
    Riscv64,
    /// RISC-V 32-bit (`AUDIT_ARCH_RISCV32`).
    Riscv32,
    /// LoongArch 64-bit (`AUDIT_ARCH_LOONGARCH64`).
    Loongarch64,
    /// PowerPC 64-bit, big-endian (`AUDIT_ARCH_PPC64`).
    Ppc64,
    /// PowerPC 64-bit, little-endian (`AUDIT_ARCH_PPC64LE`).
    Ppc64le,
    /// PowerPC 32-bit, big-endian (`AUDIT_ARCH_PPC`).
    Ppc,
    /// s390x, 64-bit (`AUDIT_ARCH_S390X`).
    S390x,
    /// MIPS o32, big-endian (`AUDIT_ARCH_MIPS`).
    Mips,
    /// MIPS o32, little-endian (`AUDIT_ARCH_MIPSEL`).
    Mipsel,
    /// MIPS n32, big-endian (`AUDIT_ARCH_MIPS64N32`).
    Mips64N32,
    /// MIPS n32, little-endian (`AUDIT_ARCH_MIPSEL64N32`).
    Mipsel64N32,
    /// MIPS n64, big-endian (`AUDIT_ARCH_MIPS64`).
    Mips64,
    /// MIPS n64, little-endian (`AUDIT_ARCH_MIPSEL64`).
    Mipsel64,
}

/// Bit 30 of the syscall number: set for every x32 system call.
///
/// ```
/// use seclude::tables::{Abi, Syscall, X32_SYSCALL_BIT};
/// assert_eq!(Abi::X32.number(Syscall::read), Some(X32_SYSCALL_BIT));
/// ```
pub const X32_SYSCALL_BIT: u32 = arch::X32_SYSCALL_BIT;

impl Abi {
    /// Every ABI, in declaration order.
    ///
    /// ```
    /// assert_eq!(seclude::tables::Abi::ALL.len(), 18);
    /// ```
    pub const ALL: [Abi; 18] = [
        Abi::X86_64,
        Abi::X32,
        Abi::I386,
        Abi::Aarch64,
        Abi::Arm,
        Abi::Riscv64,
        Abi::Riscv32,
        Abi::Loongarch64,
        Abi::Ppc64,
        Abi::Ppc64le,
        Abi::Ppc,
        Abi::S390x,
        Abi::Mips,
        Abi::Mipsel,
        Abi::Mips64N32,
        Abi::Mipsel64N32,
        Abi::Mips64,
        Abi::Mipsel64,
    ];

    /// The ABI this crate was compiled for.
    ///
    /// ```
    /// # #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
    /// assert_eq!(seclude::tables::Abi::NATIVE, seclude::tables::Abi::X86_64);
    /// ```
    pub const NATIVE: Abi = native();

    /// The name libseccomp and `scmp_sys_resolver -a` use (`"x86"` for i386).
    ///
    /// ```
    /// assert_eq!(seclude::tables::Abi::I386.name(), "x86");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Abi::X86_64 => "x86_64",
            Abi::X32 => "x32",
            Abi::I386 => "x86",
            Abi::Aarch64 => "aarch64",
            Abi::Arm => "arm",
            Abi::Riscv64 => "riscv64",
            Abi::Riscv32 => "riscv32",
            Abi::Loongarch64 => "loongarch64",
            Abi::Ppc64 => "ppc64",
            Abi::Ppc64le => "ppc64le",
            Abi::Ppc => "ppc",
            Abi::S390x => "s390x",
            Abi::Mips => "mips",
            Abi::Mipsel => "mipsel",
            Abi::Mips64N32 => "mips64n32",
            Abi::Mipsel64N32 => "mipsel64n32",
            Abi::Mips64 => "mips64",
            Abi::Mipsel64 => "mipsel64",
        }
    }

    /// Looks an ABI up by [`name`](Abi::name), or by one of the aliases
    /// `i386`, `i686`, `amd64` and `arm64`.
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::from_name("arm64"), Some(Abi::Aarch64));
    /// assert_eq!(Abi::from_name("vax"), None);
    /// ```
    pub const fn from_name(name: &str) -> Option<Abi> {
        let name = if eq(name, "i386") || eq(name, "i686") {
            "x86"
        } else if eq(name, "amd64") {
            "x86_64"
        } else if eq(name, "arm64") {
            "aarch64"
        } else {
            name
        };
        let mut i = 0;
        while i < Abi::ALL.len() {
            if eq(Abi::ALL[i].name(), name) {
                return Some(Abi::ALL[i]);
            }
            i += 1;
        }
        None
    }

    /// The value `seccomp_data.arch` holds for a system call of this ABI.
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::Aarch64.audit_arch(), 0xc000_00b7);
    /// ```
    pub const fn audit_arch(self) -> u32 {
        match self {
            Abi::X86_64 | Abi::X32 => arch::AUDIT_ARCH_X86_64,
            Abi::I386 => arch::AUDIT_ARCH_I386,
            Abi::Aarch64 => arch::AUDIT_ARCH_AARCH64,
            Abi::Arm => arch::AUDIT_ARCH_ARM,
            Abi::Riscv64 => arch::AUDIT_ARCH_RISCV64,
            Abi::Riscv32 => arch::AUDIT_ARCH_RISCV32,
            Abi::Loongarch64 => arch::AUDIT_ARCH_LOONGARCH64,
            Abi::Ppc64 => arch::AUDIT_ARCH_PPC64,
            Abi::Ppc64le => arch::AUDIT_ARCH_PPC64LE,
            Abi::Ppc => arch::AUDIT_ARCH_PPC,
            Abi::S390x => arch::AUDIT_ARCH_S390X,
            Abi::Mips => arch::AUDIT_ARCH_MIPS,
            Abi::Mipsel => arch::AUDIT_ARCH_MIPSEL,
            Abi::Mips64N32 => arch::AUDIT_ARCH_MIPS64N32,
            Abi::Mipsel64N32 => arch::AUDIT_ARCH_MIPSEL64N32,
            Abi::Mips64 => arch::AUDIT_ARCH_MIPS64,
            Abi::Mipsel64 => arch::AUDIT_ARCH_MIPSEL64,
        }
    }

    /// Byte order, from the `__AUDIT_ARCH_LE` bit of [`audit_arch`](Abi::audit_arch).
    ///
    /// ```
    /// use seclude::tables::{Abi, Endian};
    /// assert_eq!(Abi::S390x.endian(), Endian::Big);
    /// ```
    pub const fn endian(self) -> Endian {
        if self.audit_arch() & arch::AUDIT_ARCH_LE != 0 {
            Endian::Little
        } else {
            Endian::Big
        }
    }

    /// Width of the registers system-call arguments travel in, which is the
    /// width of the `seccomp_data.args` values the kernel acts on: 64 for
    /// the ABIs of 64-bit kernels (x32 and MIPS n32 included: their 32-bit
    /// pointers arrive in 64-bit registers), 32 for 32-bit ABIs, where the
    /// upper half of each `args` word is not part of the call.
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::X32.arg_bits(), 64);
    /// assert_eq!(Abi::I386.arg_bits(), 32);
    /// ```
    pub const fn arg_bits(self) -> u32 {
        match self {
            Abi::X32 | Abi::Mips64N32 | Abi::Mipsel64N32 => 64,
            _ => self.pointer_bits(),
        }
    }

    /// Width of a pointer (and of C `long`) in programs of this ABI.
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::X32.pointer_bits(), 32);
    /// ```
    pub const fn pointer_bits(self) -> u32 {
        match self {
            Abi::X32 | Abi::Mips64N32 | Abi::Mipsel64N32 => 32,
            _ if self.audit_arch() & arch::AUDIT_ARCH_64BIT != 0 => 64,
            _ => 32,
        }
    }

    /// The syscall table this ABI numbers its calls with: `(number, syscall)`
    /// sorted by number.
    ///
    /// ```
    /// use seclude::tables::{Abi, Syscall};
    /// assert_eq!(Abi::X86_64.entries()[0], (0, Syscall::read));
    /// ```
    pub const fn entries(self) -> &'static [(u32, Syscall)] {
        match self {
            Abi::X86_64 => x86_64::BY_NUMBER,
            Abi::X32 => x32::BY_NUMBER,
            Abi::I386 => i386::BY_NUMBER,
            Abi::Aarch64 => aarch64::BY_NUMBER,
            Abi::Arm => arm::BY_NUMBER,
            Abi::Riscv64 => riscv64::BY_NUMBER,
            Abi::Riscv32 => riscv32::BY_NUMBER,
            Abi::Loongarch64 => loongarch64::BY_NUMBER,
            Abi::Ppc64 | Abi::Ppc64le => powerpc64::BY_NUMBER,
            Abi::Ppc => powerpc::BY_NUMBER,
            Abi::S390x => s390x::BY_NUMBER,
            Abi::Mips | Abi::Mipsel => mips_o32::BY_NUMBER,
            Abi::Mips64N32 | Abi::Mipsel64N32 => mips_n32::BY_NUMBER,
            Abi::Mips64 | Abi::Mipsel64 => mips_n64::BY_NUMBER,
        }
    }

    const fn by_syscall(self) -> &'static [u32; COUNT] {
        match self {
            Abi::X86_64 => x86_64::BY_SYSCALL,
            Abi::X32 => x32::BY_SYSCALL,
            Abi::I386 => i386::BY_SYSCALL,
            Abi::Aarch64 => aarch64::BY_SYSCALL,
            Abi::Arm => arm::BY_SYSCALL,
            Abi::Riscv64 => riscv64::BY_SYSCALL,
            Abi::Riscv32 => riscv32::BY_SYSCALL,
            Abi::Loongarch64 => loongarch64::BY_SYSCALL,
            Abi::Ppc64 | Abi::Ppc64le => powerpc64::BY_SYSCALL,
            Abi::Ppc => powerpc::BY_SYSCALL,
            Abi::S390x => s390x::BY_SYSCALL,
            Abi::Mips | Abi::Mipsel => mips_o32::BY_SYSCALL,
            Abi::Mips64N32 | Abi::Mipsel64N32 => mips_n32::BY_SYSCALL,
            Abi::Mips64 | Abi::Mipsel64 => mips_n64::BY_SYSCALL,
        }
    }

    /// What this ABI adds to every number of its kernel table to make the
    /// number user space passes and `seccomp_data.nr` holds:
    /// [`X32_SYSCALL_BIT`] on x32, `__NR_Linux` (4000, 5000 or 6000) on MIPS,
    /// 0 elsewhere. Numbers below this base are not system calls of the ABI.
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::Mips64.number_base(), 5000);
    /// assert_eq!(Abi::X32.number_base(), seclude::tables::X32_SYSCALL_BIT);
    /// ```
    pub const fn number_base(self) -> u32 {
        match self {
            Abi::X32 => arch::X32_SYSCALL_BIT,
            Abi::Mips | Abi::Mipsel => arch::MIPS_O32_BASE,
            Abi::Mips64 | Abi::Mipsel64 => arch::MIPS_N64_BASE,
            Abi::Mips64N32 | Abi::Mipsel64N32 => arch::MIPS_N32_BASE,
            _ => 0,
        }
    }

    /// The number of `call` on this ABI (as `seccomp_data.nr` holds it:
    /// with the x32 bit, or the MIPS `__NR_Linux` base, included), or `None`
    /// if this ABI does not have that syscall.
    ///
    /// ```
    /// use seclude::tables::{Abi, Syscall};
    /// assert_eq!(Abi::X32.number(Syscall::ioctl), Some(0x4000_0000 + 514));
    /// assert_eq!(Abi::Riscv64.number(Syscall::fork), None);
    /// ```
    pub const fn number(self, call: Syscall) -> Option<u32> {
        match self.by_syscall()[call as usize] {
            ABSENT => None,
            nr => Some(nr),
        }
    }

    /// The syscall numbered `nr` on this ABI, if any.
    ///
    /// ```
    /// use seclude::tables::{Abi, Syscall};
    /// assert_eq!(Abi::Arm.syscall(0xf0005), Some(Syscall::set_tls));
    /// assert_eq!(Abi::X86_64.syscall(100_000), None);
    /// ```
    pub const fn syscall(self, nr: u32) -> Option<Syscall> {
        let entries = self.entries();
        let (mut lo, mut hi) = (0, entries.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (n, call) = entries[mid];
            if n == nr {
                return Some(call);
            } else if n < nr {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        None
    }

    /// The number of `name` on this ABI: [`Syscall::from_name`] then
    /// [`number`](Abi::number).
    ///
    /// ```
    /// use seclude::tables::Abi;
    /// assert_eq!(Abi::Mips.number_of("getpid"), Some(4020));
    /// ```
    pub const fn number_of(self, name: &str) -> Option<u32> {
        match Syscall::from_name(name) {
            Some(call) => self.number(call),
            None => None,
        }
    }
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Syscall {
    /// Number of distinct syscall names across all ABIs.
    ///
    /// ```
    /// assert!(seclude::tables::Syscall::COUNT > 500);
    /// ```
    pub const COUNT: usize = COUNT;

    /// Every syscall, sorted by name.
    ///
    /// ```
    /// use seclude::tables::Syscall;
    /// assert_eq!(Syscall::ALL[0].name(), "_llseek");
    /// ```
    pub const ALL: &'static [Syscall; COUNT] = &ALL;

    /// The kernel's name for this syscall.
    ///
    /// ```
    /// assert_eq!(seclude::tables::Syscall::rt_sigreturn.name(), "rt_sigreturn");
    /// ```
    pub const fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// Looks a syscall up by its kernel name (binary search, `const`).
    ///
    /// ```
    /// use seclude::tables::Syscall;
    /// assert_eq!(Syscall::from_name("break"), Some(Syscall::r#break));
    /// assert_eq!(Syscall::from_name("Openat"), None);
    /// ```
    pub const fn from_name(name: &str) -> Option<Syscall> {
        let (mut lo, mut hi) = (0, COUNT);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match compare(NAMES[mid].as_bytes(), name.as_bytes()) {
                Ordering::Equal => return Some(ALL[mid]),
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
            }
        }
        None
    }

    /// For a syscall newer than the kernel sources the tables were generated
    /// from (Linux 6.12), the release that added it, e.g. `Some("6.13")`.
    ///
    /// ```
    /// use seclude::tables::Syscall;
    /// assert_eq!(Syscall::open_tree_attr.added_in(), Some("6.15"));
    /// ```
    pub const fn added_in(self) -> Option<&'static str> {
        let mut i = 0;
        while i < HAND_ADDED.len() {
            if HAND_ADDED[i].0 as usize == self as usize {
                return Some(HAND_ADDED[i].1);
            }
            i += 1;
        }
        None
    }
}

impl fmt::Display for Syscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The ABI of the compilation target. Targets without a Linux seccomp ABI
/// are refused by `sys`, with a sentence saying so.
const fn native() -> Abi {
    #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
    return Abi::X86_64;
    #[cfg(all(target_arch = "x86_64", target_pointer_width = "32"))]
    return Abi::X32;
    #[cfg(target_arch = "x86")]
    return Abi::I386;
    #[cfg(all(target_arch = "aarch64", target_endian = "little"))]
    return Abi::Aarch64;
    #[cfg(all(target_arch = "arm", target_endian = "little"))]
    return Abi::Arm;
    #[cfg(target_arch = "riscv64")]
    return Abi::Riscv64;
    #[cfg(target_arch = "riscv32")]
    return Abi::Riscv32;
    #[cfg(target_arch = "loongarch64")]
    return Abi::Loongarch64;
    #[cfg(all(target_arch = "powerpc64", target_endian = "big"))]
    return Abi::Ppc64;
    #[cfg(all(target_arch = "powerpc64", target_endian = "little"))]
    return Abi::Ppc64le;
    #[cfg(target_arch = "powerpc")]
    return Abi::Ppc;
    #[cfg(target_arch = "s390x")]
    return Abi::S390x;
    #[cfg(all(target_arch = "mips", target_endian = "big"))]
    return Abi::Mips;
    #[cfg(all(target_arch = "mips", target_endian = "little"))]
    return Abi::Mipsel;
    #[cfg(all(
        target_arch = "mips64",
        target_pointer_width = "32",
        target_endian = "big"
    ))]
    return Abi::Mips64N32;
    #[cfg(all(
        target_arch = "mips64",
        target_pointer_width = "32",
        target_endian = "little"
    ))]
    return Abi::Mipsel64N32;
    #[cfg(all(
        target_arch = "mips64",
        target_pointer_width = "64",
        target_endian = "big"
    ))]
    return Abi::Mips64;
    #[cfg(all(
        target_arch = "mips64",
        target_pointer_width = "64",
        target_endian = "little"
    ))]
    return Abi::Mipsel64;
}

/// The native number of a syscall, as a compile-time constant `usize`; a
/// syscall the target ABI lacks is a compile error.
macro_rules! native_nr {
    ($name:ident) => {{
        const NR: u32 = match $crate::tables::Abi::NATIVE.number($crate::tables::Syscall::$name) {
            Some(nr) => nr,
            None => panic!(concat!(
                "the target ABI has no ",
                stringify!($name),
                " syscall"
            )),
        };
        NR as usize
    }};
}
pub(crate) use native_nr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for &call in Syscall::ALL {
            assert_eq!(Syscall::from_name(call.name()), Some(call));
        }
        assert_eq!(Syscall::from_name("no_such_call"), None);
        assert_eq!(Syscall::from_name(""), None);
    }

    #[test]
    fn names_are_strictly_sorted() {
        for pair in NAMES.windows(2) {
            assert_eq!(
                compare(pair[0].as_bytes(), pair[1].as_bytes()),
                Ordering::Less
            );
        }
    }

    #[test]
    fn every_number_round_trips_on_every_abi() {
        for abi in Abi::ALL {
            let entries = abi.entries();
            assert!(entries.windows(2).all(|p| p[0].0 < p[1].0), "{abi} sorted");
            for &(nr, call) in entries {
                assert_eq!(abi.number(call), Some(nr), "{abi} {call}");
                assert_eq!(abi.syscall(nr), Some(call), "{abi} {nr}");
            }
            let present = Syscall::ALL
                .iter()
                .filter(|s| abi.number(**s).is_some())
                .count();
            assert_eq!(
                present,
                entries.len(),
                "{abi}: by-syscall and by-number agree"
            );
        }
    }

    #[test]
    fn well_known_numbers() {
        // Spot checks against the kernel's own tables, one per numbering.
        let cases = [
            (Abi::X86_64, "read", 0),
            (Abi::X86_64, "landlock_create_ruleset", 444),
            (Abi::X32, "ioctl", 0x4000_0000 + 514),
            (Abi::I386, "socketcall", 102),
            (Abi::Aarch64, "openat", 56),
            (Abi::Arm, "cacheflush", 0xf0002),
            (Abi::Riscv64, "riscv_flush_icache", 259),
            (Abi::Riscv32, "clock_gettime64", 403),
            (Abi::Loongarch64, "clone", 220),
            (Abi::Ppc64le, "getpid", 20),
            (Abi::Ppc, "fstat64", 197),
            (Abi::S390x, "getpid", 20),
            (Abi::Mips, "getpid", 4020),
            (Abi::Mips64N32, "getpid", 6038),
            (Abi::Mipsel64, "getpid", 5038),
            (Abi::Aarch64, "file_setattr", 469),
            (Abi::Mips, "file_setattr", 4469),
            (Abi::X32, "file_setattr", 0x4000_0000 + 469),
        ];
        for (abi, name, nr) in cases {
            assert_eq!(abi.number_of(name), Some(nr), "{abi} {name}");
        }
    }

    #[test]
    fn missing_syscalls_are_none() {
        assert_eq!(Abi::Aarch64.number(Syscall::open), None);
        assert_eq!(Abi::Riscv32.number(Syscall::clock_gettime), None);
        assert_eq!(Abi::X86_64.number(Syscall::socketcall), None);
        // x32 must not inherit the 64-bit-only entries of the shared table.
        assert_eq!(Abi::X32.number(Syscall::uselib), None);
    }

    #[test]
    fn numbers_start_at_the_base() {
        for abi in Abi::ALL {
            let base = abi.number_base();
            assert!(abi.entries().iter().all(|&(nr, _)| nr >= base), "{abi}");
            assert!(abi.entries()[0].0 < base + 10, "{abi} starts near its base");
        }
    }

    #[test]
    fn abi_facts() {
        assert_eq!(Abi::X86_64.audit_arch(), 0xc000_003e);
        assert_eq!(Abi::X32.audit_arch(), Abi::X86_64.audit_arch());
        assert_eq!(Abi::Ppc64.endian(), Endian::Big);
        assert_eq!(Abi::Ppc64le.endian(), Endian::Little);
        assert_eq!((Abi::X32.pointer_bits(), Abi::X32.arg_bits()), (32, 64));
        assert_eq!((Abi::Arm.pointer_bits(), Abi::Arm.arg_bits()), (32, 32));
        assert_eq!(Abi::Mips64N32.audit_arch(), 0xa000_0008);
        for abi in Abi::ALL {
            assert_eq!(Abi::from_name(abi.name()), Some(abi));
        }
        assert_eq!(Abi::from_name("i686"), Some(Abi::I386));
        assert_eq!(Abi::from_name("sparc"), None);
    }

    #[test]
    fn distinct_audit_arch_except_x32() {
        for a in Abi::ALL {
            for b in Abi::ALL {
                let shared =
                    a == b || matches!((a, b), (Abi::X86_64, Abi::X32) | (Abi::X32, Abi::X86_64));
                assert_eq!(a.audit_arch() == b.audit_arch(), shared, "{a} {b}");
            }
        }
    }

    #[test]
    fn hand_added_syscalls_are_marked() {
        assert_eq!(Syscall::setxattrat.added_in(), Some("6.13"));
        assert_eq!(Syscall::file_setattr.added_in(), Some("6.17"));
        assert_eq!(Syscall::openat.added_in(), None);
    }

    #[test]
    fn native_is_consistent() {
        const GETPID: usize = native_nr!(getpid);
        assert_eq!(Some(GETPID as u32), Abi::NATIVE.number(Syscall::getpid));
    }
}
