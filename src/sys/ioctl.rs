//! `_IOC`: how an `ioctl` request number carries the direction its
//! argument travels, a type, a number and the argument's size.
//!
//! Most architectures use asm-generic's layout; MIPS, PowerPC and SPARC
//! have their own (`asm/ioctl.h`), with three direction bits and one size
//! bit fewer. A request the kernel does not know by its number is
//! answered with `ENOTTY`, so a number built with the wrong layout fails
//! quietly: this is the one place that builds them.

/// Which way an `ioctl`'s argument travels, seen from user space.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    /// `_IOR`: the kernel writes it.
    Read,
    /// `_IOW`: the kernel reads it.
    Write,
    /// `_IOWR`: both.
    ReadWrite,
}

/// One architecture's `_IOC` layout: the number in bits 0-7 and the type
/// in bits 8-15 everywhere; then the size and the direction bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct IocLayout {
    /// `_IOC_READ`.
    read: u32,
    /// `_IOC_WRITE`.
    write: u32,
    /// `_IOC_SIZEBITS`, from bit 16.
    size_bits: u32,
    /// `_IOC_DIRSHIFT`.
    dir_shift: u32,
}

/// asm-generic (x86, ARM, RISC-V, LoongArch, s390, ...): 14 size bits and
/// two direction bits from 30, `_IOC_WRITE` 1 and `_IOC_READ` 2.
pub(crate) const ASM_GENERIC: IocLayout = IocLayout {
    read: 2,
    write: 1,
    size_bits: 14,
    dir_shift: 30,
};

/// MIPS, PowerPC and SPARC: 13 size bits and three direction bits from 29,
/// `_IOC_READ` 2 and `_IOC_WRITE` 4 (`_IOC_NONE` is 1, not 0). So `_IOWR`
/// comes out as asm-generic's (6 << 29 == 3 << 30), while `_IOR` and
/// `_IOW` swap places: PowerPC's `_IOW` has asm-generic's `_IOR` bit.
pub(crate) const THREE_DIRECTION_BITS: IocLayout = IocLayout {
    read: 2,
    write: 4,
    size_bits: 13,
    dir_shift: 29,
};

/// The layout of the architecture seclude is compiled for.
pub(crate) const NATIVE: IocLayout = if cfg!(any(
    target_arch = "mips",
    target_arch = "mips64",
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "sparc",
    target_arch = "sparc64"
)) {
    THREE_DIRECTION_BITS
} else {
    ASM_GENERIC
};

impl IocLayout {
    /// `_IOC(dir, ty, nr, size)` in this layout; a size that does not fit
    /// in its bits stops the build (the numbers are constants).
    pub(crate) const fn encode(self, dir: Direction, ty: u8, nr: u8, size: usize) -> u32 {
        assert!(
            size < 1 << self.size_bits,
            "ioctl argument too large for _IOC_SIZEBITS"
        );
        let dir = match dir {
            Direction::Read => self.read,
            Direction::Write => self.write,
            Direction::ReadWrite => self.read | self.write,
        };
        dir << self.dir_shift | (size as u32) << 16 | (ty as u32) << 8 | nr as u32
    }
}

/// `_IOC(dir, ty, nr, size)` for the native architecture.
pub(crate) const fn ioc(dir: Direction, ty: u8, nr: u8, size: usize) -> u32 {
    NATIVE.encode(dir, ty, nr, size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::constants::{generic, mips, powerpc};

    /// Both layouts against numbers the kernel's headers give (through the
    /// generated constants), on every target.
    #[test]
    fn layouts_give_the_headers_numbers() {
        use Direction::{Read, Write};
        // TIOCGPTN is _IOR('T', 0x30, unsigned int); TIOCSPTLCK _IOW('T', 0x31, int).
        assert_eq!(ASM_GENERIC.encode(Read, b'T', 0x30, 4), generic::TIOCGPTN);
        assert_eq!(
            ASM_GENERIC.encode(Write, b'T', 0x31, 4),
            generic::TIOCSPTLCK
        );
        for (read, write) in [
            (powerpc::TIOCGPTN, powerpc::TIOCSPTLCK),
            (mips::TIOCGPTN, mips::TIOCSPTLCK),
        ] {
            assert_eq!(THREE_DIRECTION_BITS.encode(Read, b'T', 0x30, 4), read);
            assert_eq!(THREE_DIRECTION_BITS.encode(Write, b'T', 0x31, 4), write);
        }
        // TIOCGWINSZ and TIOCSWINSZ are _IOR/_IOW('t', 104/103, struct
        // winsize) on PowerPC.
        assert_eq!(
            THREE_DIRECTION_BITS.encode(Read, b't', 104, 8),
            powerpc::TIOCGWINSZ
        );
        assert_eq!(
            THREE_DIRECTION_BITS.encode(Write, b't', 103, 8),
            powerpc::TIOCSWINSZ
        );
        // x86-64's SECCOMP_IOCTL_NOTIF_RECV, _IOWR('!', 0, struct seccomp_notif),
        // as the kernel headers expand it; _IOWR is the same in both layouts.
        for layout in [ASM_GENERIC, THREE_DIRECTION_BITS] {
            assert_eq!(
                layout.encode(Direction::ReadWrite, b'!', 0, 80),
                0xC050_2100
            );
        }
    }
}
