//! The kernel's uapi constants that seclude compares system call arguments
//! with, for every architecture: open flags, `fcntl` commands, socket
//! families and types, `mmap` and `memfd_create` flags, terminal and file
//! `ioctl` numbers, `clone` flags, `prctl` and `seccomp` operations,
//! signals.
//!
//! Several architectures number some of them their own way (MIPS its open
//! flags, socket types and signals; PowerPC and MIPS their `ioctl`s, whose
//! direction bits also differ), and a filter for a compat ABI needs that
//! ABI's numbers whatever the crate was compiled for. So there is one
//! module per family of architectures that number all of them alike, each
//! with every constant:
//!
//! | module | ABIs |
//! | --- | --- |
//! | [`generic`] | x86-64, x32, i386, RISC-V, LoongArch |
//! | [`s390`] | s390x (`clone` takes its flags second) |
//! | [`arm`] | AArch64, ARM |
//! | [`powerpc`] | PowerPC 32 and 64 |
//! | [`mips`] | MIPS o32, n32, n64 |
//!
//! plus [`x86`] for x86's `arch_prctl` operations. [`by_name`] picks an
//! ABI's module.
//!
//! Like the syscall tables, the modules are generated from the Linux
//! kernel's headers by `syscalls/generator` (which checks that the
//! architectures of a module agree) and committed; a test regenerates them
//! and fails on any difference.
//!
//! ```
//! use seclude::tables::Abi;
//! use seclude::tables::constants::{self, generic, mips};
//!
//! assert_eq!(generic::O_CREAT, 0o100);
//! assert_eq!(mips::O_CREAT, 0x100);
//! assert_eq!(constants::value(Abi::Mipsel64, "SOCK_STREAM"), Some(2));
//! assert_eq!(constants::value(Abi::X86_64, "AT_FDCWD"), Some(-100));
//! ```

use super::Abi;
use crate::text::eq;

include!("../../syscalls/tables/constants.rs");

#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub use arm as native;
/// The family module of the architecture seclude is compiled for: the one
/// [`by_name`] gives for [`Abi::NATIVE`], whose numbers the library's own
/// calls use.
///
/// ```
/// use seclude::tables::constants::native;
///
/// let flags = native::O_WRONLY | native::O_CREAT | native::O_CLOEXEC;
/// # let _ = flags;
/// ```
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "x86",
    target_arch = "riscv64",
    target_arch = "riscv32",
    target_arch = "loongarch64"
))]
pub use generic as native;
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
pub use mips as native;
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64"))]
pub use powerpc as native;
#[cfg(target_arch = "s390x")]
pub use s390 as native;

/// The constants of `abi`'s family by header name (its module's `BY_NAME`),
/// negative ones (`AT_FDCWD`) sign-extended.
///
/// ```
/// use seclude::tables::{Abi, constants};
///
/// let ppc = constants::by_name(Abi::Ppc64le);
/// assert!(ppc.contains(&("TCGETS", 0x402c_7413)));
/// ```
pub const fn by_name(abi: Abi) -> &'static [(&'static str, i64)] {
    match abi {
        Abi::X86_64 | Abi::X32 | Abi::I386 | Abi::Riscv64 | Abi::Riscv32 | Abi::Loongarch64 => {
            generic::BY_NAME
        }
        Abi::S390x => s390::BY_NAME,
        Abi::Aarch64 | Abi::Arm => arm::BY_NAME,
        Abi::Ppc64 | Abi::Ppc64le | Abi::Ppc => powerpc::BY_NAME,
        Abi::Mips
        | Abi::Mipsel
        | Abi::Mips64N32
        | Abi::Mipsel64N32
        | Abi::Mips64
        | Abi::Mipsel64 => mips::BY_NAME,
    }
}

/// The value of the constant `name` (its uapi header name) on `abi`, if it
/// is one of this module's.
///
/// ```
/// use seclude::tables::{Abi, constants};
///
/// assert_eq!(constants::value(Abi::Aarch64, "O_DIRECTORY"), Some(0o40000));
/// assert_eq!(constants::value(Abi::Aarch64, "O_NOSUCH"), None);
/// ```
pub const fn value(abi: Abi, name: &str) -> Option<i64> {
    let table = by_name(abi);
    let mut i = 0;
    while i < table.len() {
        if eq(table[i].0, name) {
            return Some(table[i].1);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_is_the_native_abis_family() {
        assert_eq!(by_name(Abi::NATIVE), native::BY_NAME);
    }
}
