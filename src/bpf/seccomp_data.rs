//! [`SeccompData`], the data a seccomp filter runs over, and the offsets
//! its `ld [k]` instructions use.
//!
//! A filter reads `struct seccomp_data` only in aligned 32-bit words, so a
//! 64-bit field (the instruction pointer, each argument) is two loads. Which
//! of the two words holds the low half depends on the byte order of the
//! ABI that made the system call: the low word comes first on
//! little-endian ABIs and second on big-endian ones. A filter for a compat
//! ABI uses that ABI's order, which [`Abi::endian`](crate::tables::Abi::endian)
//! gives.
//!
//! ```
//! use seclude::bpf::SeccompData;
//! use seclude::tables::Endian;
//!
//! assert_eq!(SeccompData::arg_lo(1, Endian::Little), 24);
//! assert_eq!(SeccompData::arg_lo(1, Endian::Big), 28);
//! ```

use crate::tables::Endian;
use core::fmt;
use core::mem::{offset_of, size_of};

/// The kernel's `struct seccomp_data`: what a seccomp filter sees of one
/// system call.
///
/// ```
/// use seclude::bpf::SeccompData;
///
/// let d = SeccompData::new(257, 0xc000_003e).with_arg(1, 0x1234_5678_9abc_def0);
/// assert_eq!(d.args[1], 0x1234_5678_9abc_def0);
/// assert_eq!(core::mem::size_of::<SeccompData>(), 64);
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, Default)]
pub struct SeccompData {
    /// The system call number (with the x32 bit or MIPS base included).
    pub nr: i32,
    /// The `AUDIT_ARCH_*` value of the calling ABI.
    pub arch: u32,
    /// The address of the system call instruction.
    pub instruction_pointer: u64,
    /// The six argument registers, whatever the call uses.
    pub args: [u64; 6],
}

const _: () = assert!(size_of::<SeccompData>() == 64);
const _: () = assert!(offset_of!(SeccompData, nr) == 0);
const _: () = assert!(offset_of!(SeccompData, arch) == 4);
const _: () = assert!(offset_of!(SeccompData, instruction_pointer) == 8);
const _: () = assert!(offset_of!(SeccompData, args) == 16);

/// A 32-bit word of [`SeccompData`] a filter can load, by name.
///
/// `Display` gives the names the disassembler uses: `nr`, `arch`, `ip.lo`,
/// `ip.hi`, `args[2].lo`, `args[2].hi`.
///
/// ```
/// use seclude::bpf::{Field, SeccompData};
/// use seclude::tables::Endian;
///
/// assert_eq!(SeccompData::field_at(20, Endian::Little), Some(Field::ArgHi(0)));
/// assert_eq!(SeccompData::field_at(20, Endian::Big), Some(Field::ArgLo(0)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Field {
    /// `nr`.
    Nr,
    /// `arch`.
    Arch,
    /// Low 32 bits of `instruction_pointer`.
    IpLo,
    /// High 32 bits of `instruction_pointer`.
    IpHi,
    /// Low 32 bits of `args[i]`.
    ArgLo(u8),
    /// High 32 bits of `args[i]`.
    ArgHi(u8),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Nr => f.write_str("nr"),
            Field::Arch => f.write_str("arch"),
            Field::IpLo => f.write_str("ip.lo"),
            Field::IpHi => f.write_str("ip.hi"),
            Field::ArgLo(i) => write!(f, "args[{i}].lo"),
            Field::ArgHi(i) => write!(f, "args[{i}].hi"),
        }
    }
}

impl SeccompData {
    /// `sizeof(struct seccomp_data)`: 64, also what `ld #len` loads.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::SeccompData::SIZE, 64);
    /// ```
    pub const SIZE: u32 = 64;

    /// Offset of `nr`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::SeccompData::NR, 0);
    /// ```
    pub const NR: u32 = 0;

    /// Offset of `arch`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::SeccompData::ARCH, 4);
    /// ```
    pub const ARCH: u32 = 4;

    /// Offset of `instruction_pointer` (its first word; see [`ip_lo`](Self::ip_lo)).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::SeccompData::IP, 8);
    /// ```
    pub const IP: u32 = 8;

    /// Offset of `args[0]` (its first word; see [`arg_lo`](Self::arg_lo)).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::SeccompData::ARGS, 16);
    /// ```
    pub const ARGS: u32 = 16;

    /// A `SeccompData` for call `nr` of ABI `arch`, with zero arguments and
    /// instruction pointer.
    ///
    /// ```
    /// let d = seclude::bpf::SeccompData::new(1, 2);
    /// assert_eq!((d.nr, d.arch, d.args), (1, 2, [0; 6]));
    /// ```
    pub const fn new(nr: i32, arch: u32) -> SeccompData {
        SeccompData {
            nr,
            arch,
            instruction_pointer: 0,
            args: [0; 6],
        }
    }

    /// This data with `args[i]` set to `value`.
    ///
    /// # Panics
    /// If `i` >= 6.
    ///
    /// ```
    /// let d = seclude::bpf::SeccompData::new(1, 2).with_arg(5, 9);
    /// assert_eq!(d.args[5], 9);
    /// ```
    pub const fn with_arg(mut self, i: usize, value: u64) -> SeccompData {
        self.args[i] = value;
        self
    }

    /// Offset of the 32-bit word holding the low half of a 64-bit field
    /// that starts at `base`.
    const fn lo(base: u32, endian: Endian) -> u32 {
        match endian {
            Endian::Little => base,
            Endian::Big => base + 4,
        }
    }

    const fn hi(base: u32, endian: Endian) -> u32 {
        match endian {
            Endian::Little => base + 4,
            Endian::Big => base,
        }
    }

    /// Offset of the low word of `instruction_pointer`: 8 on little-endian
    /// ABIs, 12 on big-endian ones.
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// assert_eq!(SeccompData::ip_lo(Endian::Little), 8);
    /// ```
    pub const fn ip_lo(endian: Endian) -> u32 {
        SeccompData::lo(SeccompData::IP, endian)
    }

    /// Offset of the high word of `instruction_pointer`: 12 on
    /// little-endian ABIs, 8 on big-endian ones.
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// assert_eq!(SeccompData::ip_hi(Endian::Big), 8);
    /// ```
    pub const fn ip_hi(endian: Endian) -> u32 {
        SeccompData::hi(SeccompData::IP, endian)
    }

    /// Offset of the low word of `args[i]`: `16 + 8i` on little-endian ABIs,
    /// `20 + 8i` on big-endian ones.
    ///
    /// # Panics
    /// If `i` >= 6 (in a constant: a compile error).
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// const ARG5_LO: u32 = SeccompData::arg_lo(5, Endian::Little);
    /// assert_eq!(ARG5_LO, 56);
    /// ```
    pub const fn arg_lo(i: usize, endian: Endian) -> u32 {
        assert!(i < 6, "seccomp_data has six arguments");
        SeccompData::lo(SeccompData::ARGS + 8 * i as u32, endian)
    }

    /// Offset of the high word of `args[i]`: `20 + 8i` on little-endian
    /// ABIs, `16 + 8i` on big-endian ones.
    ///
    /// # Panics
    /// If `i` >= 6 (in a constant: a compile error).
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// assert_eq!(SeccompData::arg_hi(0, Endian::Big), 16);
    /// ```
    pub const fn arg_hi(i: usize, endian: Endian) -> u32 {
        assert!(i < 6, "seccomp_data has six arguments");
        SeccompData::hi(SeccompData::ARGS + 8 * i as u32, endian)
    }

    /// Which field the word at `offset` is, for an ABI of byte order
    /// `endian`; `None` unless `offset` is a multiple of 4 below 64 (the
    /// loads seccomp accepts).
    ///
    /// ```
    /// use seclude::{bpf::{Field, SeccompData}, tables::Endian};
    /// assert_eq!(SeccompData::field_at(4, Endian::Big), Some(Field::Arch));
    /// assert_eq!(SeccompData::field_at(2, Endian::Big), None);
    /// ```
    pub const fn field_at(offset: u32, endian: Endian) -> Option<Field> {
        if offset >= SeccompData::SIZE || offset & 3 != 0 {
            return None;
        }
        Some(match offset {
            SeccompData::NR => Field::Nr,
            SeccompData::ARCH => Field::Arch,
            8 | 12 => {
                if offset == SeccompData::ip_lo(endian) {
                    Field::IpLo
                } else {
                    Field::IpHi
                }
            }
            _ => {
                let i = ((offset - SeccompData::ARGS) / 8) as usize;
                if offset == SeccompData::arg_lo(i, endian) {
                    Field::ArgLo(i as u8)
                } else {
                    Field::ArgHi(i as u8)
                }
            }
        })
    }

    /// The 32-bit word the kernel loads for `ld [offset]` when the system
    /// call came from an ABI of byte order `endian`, or `None` for an
    /// offset seccomp refuses (not a multiple of 4, or 64 and beyond).
    ///
    /// The kernel reads the word from memory in its own byte order, which
    /// is the calling ABI's: the 64-bit fields are stored natively, so on a
    /// big-endian ABI the word at `args[i]`'s offset is the high half.
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// let d = SeccompData::new(0, 0).with_arg(0, 0x1111_2222_3333_4444);
    /// assert_eq!(d.get_word(16, Endian::Little), Some(0x3333_4444));
    /// assert_eq!(d.get_word(16, Endian::Big), Some(0x1111_2222));
    /// assert_eq!(d.get_word(17, Endian::Big), None);
    /// ```
    pub const fn get_word(&self, offset: u32, endian: Endian) -> Option<u32> {
        match SeccompData::field_at(offset, endian) {
            None => None,
            Some(field) => Some(match field {
                Field::Nr => self.nr as u32,
                Field::Arch => self.arch,
                Field::IpLo => self.instruction_pointer as u32,
                Field::IpHi => (self.instruction_pointer >> 32) as u32,
                Field::ArgLo(i) => self.args[i as usize] as u32,
                Field::ArgHi(i) => (self.args[i as usize] >> 32) as u32,
            }),
        }
    }

    /// [`get_word`](Self::get_word) for an offset known to be valid.
    ///
    /// # Panics
    /// If `offset` is not a multiple of 4 below 64.
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// let d = SeccompData::new(59, 0xc000_003e);
    /// assert_eq!(d.word_at(SeccompData::ARCH, Endian::Little), 0xc000_003e);
    /// ```
    pub const fn word_at(&self, offset: u32, endian: Endian) -> u32 {
        match self.get_word(offset, endian) {
            Some(word) => word,
            None => panic!("seccomp_data words are at multiples of 4 below 64"),
        }
    }

    /// The bytes of this data as an ABI of byte order `endian` lays them out
    /// in memory (what the kernel hands the filter).
    ///
    /// ```
    /// use seclude::{bpf::SeccompData, tables::Endian};
    /// let bytes = SeccompData::new(1, 0).to_bytes(Endian::Big);
    /// assert_eq!(&bytes[..4], &[0, 0, 0, 1]);
    /// ```
    pub const fn to_bytes(&self, endian: Endian) -> [u8; 64] {
        let mut out = [0u8; 64];
        let mut offset = 0;
        while offset < SeccompData::SIZE {
            let word = match endian {
                Endian::Little => self.word_at(offset, endian).to_le_bytes(),
                Endian::Big => self.word_at(offset, endian).to_be_bytes(),
            };
            let mut j = 0;
            while j < 4 {
                out[offset as usize + j] = word[j];
                j += 1;
            }
            offset += 4;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_struct_layout() {
        assert_eq!(SeccompData::NR as usize, offset_of!(SeccompData, nr));
        assert_eq!(SeccompData::ARCH as usize, offset_of!(SeccompData, arch));
        assert_eq!(SeccompData::ip_lo(Endian::Little), 8);
        assert_eq!(SeccompData::ip_hi(Endian::Little), 12);
        assert_eq!(SeccompData::ip_lo(Endian::Big), 12);
        assert_eq!(SeccompData::ip_hi(Endian::Big), 8);
        for i in 0..6 {
            let base = 16 + 8 * i as u32;
            assert_eq!(SeccompData::arg_lo(i, Endian::Little), base);
            assert_eq!(SeccompData::arg_hi(i, Endian::Little), base + 4);
            assert_eq!(SeccompData::arg_lo(i, Endian::Big), base + 4);
            assert_eq!(SeccompData::arg_hi(i, Endian::Big), base);
        }
    }

    #[test]
    fn word_at_reads_native_memory_of_the_abi() {
        let mut d = SeccompData::new(-1, 0x4000_0003);
        d.instruction_pointer = 0x0102_0304_0506_0708;
        for (i, a) in d.args.iter_mut().enumerate() {
            *a = 0x1000_0000_2000_0000 * (i as u64 + 1) + i as u64;
        }
        // The host's own layout is the reference for its own byte order.
        // SAFETY: SeccompData is repr(C), 64 bytes, no padding.
        let host: [u8; 64] = unsafe { core::mem::transmute(d) };
        let native = if cfg!(target_endian = "little") {
            Endian::Little
        } else {
            Endian::Big
        };
        assert_eq!(d.to_bytes(native), host);
        for offset in (0..64).step_by(4) {
            let le = d.word_at(offset, Endian::Little);
            let be = d.word_at(offset, Endian::Big);
            let o = offset as usize;
            let bytes_le = d.to_bytes(Endian::Little);
            let bytes_be = d.to_bytes(Endian::Big);
            assert_eq!(
                le,
                u32::from_le_bytes(bytes_le[o..o + 4].try_into().unwrap())
            );
            assert_eq!(
                be,
                u32::from_be_bytes(bytes_be[o..o + 4].try_into().unwrap())
            );
        }
        assert_eq!(d.word_at(0, Endian::Big), u32::MAX);
    }

    #[test]
    fn only_aligned_offsets_below_64_are_words() {
        let d = SeccompData::default();
        for offset in 0..200u32 {
            let valid = offset % 4 == 0 && offset < 64;
            assert_eq!(d.get_word(offset, Endian::Little).is_some(), valid);
            assert_eq!(SeccompData::field_at(offset, Endian::Big).is_some(), valid);
        }
        assert_eq!(d.get_word(u32::MAX - 3, Endian::Little), None);
    }

    #[test]
    #[should_panic(expected = "multiples of 4")]
    fn word_at_panics_on_a_misaligned_offset() {
        SeccompData::default().word_at(6, Endian::Little);
    }
}
