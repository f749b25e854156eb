//! [`Instruction`], the kernel's `struct sock_filter`, and the classic BPF
//! opcode constants ([`op`]).
//!
//! The constructors are `const fn`s named after what a seccomp program does
//! with them, so a filter written by hand or generated at compile time reads
//! as a listing:
//!
//! ```
//! use seclude::bpf::{Action, Instruction as I, SeccompData};
//!
//! const DENY_PTRACE: [I; 4] = [
//!     I::load_word(SeccompData::NR),
//!     I::jeq(101, 0, 1),
//!     I::ret(Action::Errno(1).to_ret()),
//!     I::ret(Action::Allow.to_ret()),
//! ];
//! assert_eq!(DENY_PTRACE[0].code, 0x20);
//! ```

use core::mem::{align_of, size_of};

/// `BPF_MAXINSNS`: the most instructions one classic program may have.
///
/// ```
/// assert_eq!(seclude::bpf::MAX_INSNS, 4096);
/// ```
pub const MAX_INSNS: usize = 4096;

/// `BPF_MEMWORDS`: the number of 32-bit scratch memory words (`M[0]` … `M[15]`).
///
/// ```
/// assert_eq!(seclude::bpf::MEMWORDS, 16);
/// ```
pub const MEMWORDS: usize = 16;

/// Classic BPF opcode parts, with the values of the kernel's
/// `include/uapi/linux/bpf_common.h` and `filter.h`.
///
/// An opcode is the OR of a class, and then, depending on the class, a size
/// and a mode (loads), an operation and a source (ALU and jumps), a return
/// value source (`RET`) or a misc operation (`MISC`).
///
/// ```
/// use seclude::bpf::op;
///
/// let ld_nr = op::LD | op::W | op::ABS;
/// assert_eq!(ld_nr, 0x20);
/// assert_eq!(op::class(ld_nr), op::LD);
/// assert_eq!(op::mode(ld_nr), op::ABS);
/// ```
pub mod op {
    /// Class: load into the accumulator A.
    pub const LD: u16 = 0x00;
    /// Class: load into the index register X.
    pub const LDX: u16 = 0x01;
    /// Class: store A into scratch memory.
    pub const ST: u16 = 0x02;
    /// Class: store X into scratch memory.
    pub const STX: u16 = 0x03;
    /// Class: arithmetic and logic on A.
    pub const ALU: u16 = 0x04;
    /// Class: jumps.
    pub const JMP: u16 = 0x05;
    /// Class: return.
    pub const RET: u16 = 0x06;
    /// Class: register transfers (`TAX`, `TXA`).
    pub const MISC: u16 = 0x07;

    /// Size: 32-bit word.
    pub const W: u16 = 0x00;
    /// Size: 16-bit half word.
    pub const H: u16 = 0x08;
    /// Size: byte.
    pub const B: u16 = 0x10;

    /// Mode: immediate (`k`).
    pub const IMM: u16 = 0x00;
    /// Mode: absolute offset `k` into the data (`seccomp_data` for seccomp).
    pub const ABS: u16 = 0x20;
    /// Mode: offset `X + k` into the data.
    pub const IND: u16 = 0x40;
    /// Mode: scratch memory word `M[k]`.
    pub const MEM: u16 = 0x60;
    /// Mode: length of the data.
    pub const LEN: u16 = 0x80;
    /// Mode: the IP header length trick (`4 * (P[k] & 0xf)`).
    pub const MSH: u16 = 0xa0;

    /// ALU operation: `A + src`.
    pub const ADD: u16 = 0x00;
    /// ALU operation: `A - src`.
    pub const SUB: u16 = 0x10;
    /// ALU operation: `A * src`.
    pub const MUL: u16 = 0x20;
    /// ALU operation: `A / src` (unsigned).
    pub const DIV: u16 = 0x30;
    /// ALU operation: `A | src`.
    pub const OR: u16 = 0x40;
    /// ALU operation: `A & src`.
    pub const AND: u16 = 0x50;
    /// ALU operation: `A << src`.
    pub const LSH: u16 = 0x60;
    /// ALU operation: `A >> src` (logical).
    pub const RSH: u16 = 0x70;
    /// ALU operation: `-A`.
    pub const NEG: u16 = 0x80;
    /// ALU operation: `A % src` (classic BPF has it; seccomp refuses it).
    pub const MOD: u16 = 0x90;
    /// ALU operation: `A ^ src`.
    pub const XOR: u16 = 0xa0;

    /// Jump operation: always, by `k`.
    pub const JA: u16 = 0x00;
    /// Jump operation: `A == src`.
    pub const JEQ: u16 = 0x10;
    /// Jump operation: `A > src` (unsigned).
    pub const JGT: u16 = 0x20;
    /// Jump operation: `A >= src` (unsigned).
    pub const JGE: u16 = 0x30;
    /// Jump operation: `A & src != 0`.
    pub const JSET: u16 = 0x40;

    /// Source: the constant `k`.
    pub const K: u16 = 0x00;
    /// Source: the index register X.
    pub const X: u16 = 0x08;

    /// Return value source: the accumulator (`RET | A`; `RET | K` returns `k`).
    pub const A: u16 = 0x10;

    /// Misc operation: `X = A`.
    pub const TAX: u16 = 0x00;
    /// Misc operation: `A = X`.
    pub const TXA: u16 = 0x80;

    /// `BPF_CLASS(code)`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::class(0x15), seclude::bpf::op::JMP);
    /// ```
    pub const fn class(code: u16) -> u16 {
        code & 0x07
    }

    /// `BPF_SIZE(code)`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::size(0x30), seclude::bpf::op::B);
    /// ```
    pub const fn size(code: u16) -> u16 {
        code & 0x18
    }

    /// `BPF_MODE(code)`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::mode(0x60), seclude::bpf::op::MEM);
    /// ```
    pub const fn mode(code: u16) -> u16 {
        code & 0xe0
    }

    /// `BPF_OP(code)`: the ALU or jump operation.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::op(0x15), seclude::bpf::op::JEQ);
    /// ```
    pub const fn op(code: u16) -> u16 {
        code & 0xf0
    }

    /// `BPF_SRC(code)`: [`K`] or [`X`].
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::src(0x1d), seclude::bpf::op::X);
    /// ```
    pub const fn src(code: u16) -> u16 {
        code & 0x08
    }

    /// `BPF_RVAL(code)`: [`K`] or [`A`].
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::rval(0x16), seclude::bpf::op::A);
    /// ```
    pub const fn rval(code: u16) -> u16 {
        code & 0x18
    }

    /// `BPF_MISCOP(code)`: [`TAX`] or [`TXA`].
    ///
    /// ```
    /// assert_eq!(seclude::bpf::op::miscop(0x87), seclude::bpf::op::TXA);
    /// ```
    pub const fn miscop(code: u16) -> u16 {
        code & 0xf8
    }
}

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`
/// so a slice of them can be handed to `seccomp(2)` as it is.
///
/// `jt` and `jf` are the forward offsets of a conditional jump (the target
/// is `pc + 1 + offset`); `k` is the constant operand.
///
/// ```
/// use seclude::bpf::{op, Instruction};
///
/// let i = Instruction::jump(op::JMP | op::JEQ | op::K, 257, 0, 3);
/// assert_eq!(i, Instruction::jeq(257, 0, 3));
/// assert_eq!(core::mem::size_of::<Instruction>(), 8);
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Instruction {
    /// The opcode (see [`op`]).
    pub code: u16,
    /// Offset of the jump target when the condition holds.
    pub jt: u8,
    /// Offset of the jump target when the condition does not hold.
    pub jf: u8,
    /// The constant operand.
    pub k: u32,
}

// The kernel copies `sock_filter` arrays from user memory byte for byte.
const _: () = assert!(size_of::<Instruction>() == 8 && align_of::<Instruction>() == 4);

impl Instruction {
    /// `BPF_STMT(code, k)`: a non-jump instruction.
    ///
    /// ```
    /// use seclude::bpf::{op, Instruction};
    /// assert_eq!(Instruction::stmt(op::RET | op::K, 0).k, 0);
    /// ```
    pub const fn stmt(code: u16, k: u32) -> Instruction {
        Instruction {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    /// `BPF_JUMP(code, k, jt, jf)`: a jump instruction.
    ///
    /// ```
    /// use seclude::bpf::{op, Instruction};
    /// let i = Instruction::jump(op::JMP | op::JGE | op::K, 10, 1, 0);
    /// assert_eq!((i.jt, i.jf), (1, 0));
    /// ```
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction { code, jt, jf, k }
    }

    /// `ld [offset]`: A = the 32-bit word at `offset` of `seccomp_data`
    /// (`LD | W | ABS`). Offsets come from [`SeccompData`](super::SeccompData).
    ///
    /// ```
    /// use seclude::bpf::{Instruction, SeccompData};
    /// assert_eq!(Instruction::load_word(SeccompData::ARCH).k, 4);
    /// ```
    pub const fn load_word(offset: u32) -> Instruction {
        Instruction::stmt(op::LD | op::W | op::ABS, offset)
    }

    /// `ld #len`: A = the length of the data, which seccomp turns into the
    /// constant 64 (`LD | W | LEN`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::load_len().code, 0x80);
    /// ```
    pub const fn load_len() -> Instruction {
        Instruction::stmt(op::LD | op::W | op::LEN, 0)
    }

    /// `ld #k`: A = `k` (`LD | IMM`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::load_imm(7).k, 7);
    /// ```
    pub const fn load_imm(k: u32) -> Instruction {
        Instruction::stmt(op::LD | op::IMM, k)
    }

    /// `ld M[slot]`: A = scratch word `slot` (`LD | MEM`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::load_mem(3).code, 0x60);
    /// ```
    pub const fn load_mem(slot: u32) -> Instruction {
        Instruction::stmt(op::LD | op::MEM, slot)
    }

    /// `ldx #k`: X = `k` (`LDX | IMM`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::ldx_imm(7).code, 0x01);
    /// ```
    pub const fn ldx_imm(k: u32) -> Instruction {
        Instruction::stmt(op::LDX | op::IMM, k)
    }

    /// `ldx M[slot]`: X = scratch word `slot` (`LDX | MEM`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::ldx_mem(3).code, 0x61);
    /// ```
    pub const fn ldx_mem(slot: u32) -> Instruction {
        Instruction::stmt(op::LDX | op::MEM, slot)
    }

    /// `ldx #len`: X = the data length, 64 for seccomp (`LDX | W | LEN`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::ldx_len().code, 0x81);
    /// ```
    pub const fn ldx_len() -> Instruction {
        Instruction::stmt(op::LDX | op::W | op::LEN, 0)
    }

    /// `st M[slot]`: scratch word `slot` = A (`ST`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::store(15).k, 15);
    /// ```
    pub const fn store(slot: u32) -> Instruction {
        Instruction::stmt(op::ST, slot)
    }

    /// `stx M[slot]`: scratch word `slot` = X (`STX`).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::store_x(0).code, 0x03);
    /// ```
    pub const fn store_x(slot: u32) -> Instruction {
        Instruction::stmt(op::STX, slot)
    }

    /// `tax`: X = A.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::tax().code, 0x07);
    /// ```
    pub const fn tax() -> Instruction {
        Instruction::stmt(op::MISC | op::TAX, 0)
    }

    /// `txa`: A = X.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::txa().code, 0x87);
    /// ```
    pub const fn txa() -> Instruction {
        Instruction::stmt(op::MISC | op::TXA, 0)
    }

    /// `ret #k`: end the program with `k`, a `SECCOMP_RET_*` value
    /// (see [`Action::to_ret`](super::Action::to_ret)).
    ///
    /// ```
    /// use seclude::bpf::{Action, Instruction};
    /// assert_eq!(Instruction::ret(Action::Allow.to_ret()).k, 0x7fff_0000);
    /// ```
    pub const fn ret(k: u32) -> Instruction {
        Instruction::stmt(op::RET | op::K, k)
    }

    /// `ret a`: end the program with the value of A.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::ret_a().code, 0x16);
    /// ```
    pub const fn ret_a() -> Instruction {
        Instruction::stmt(op::RET | op::A, 0)
    }

    /// `ja +off`: jump to `pc + 1 + off` unconditionally. Unlike the
    /// conditional jumps, the offset is 32 bits wide.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::ja(300).k, 300);
    /// ```
    pub const fn ja(off: u32) -> Instruction {
        Instruction::stmt(op::JMP | op::JA, off)
    }

    /// `jeq #k, jt, jf`: continue at `pc + 1 + jt` if A == `k`, else at `pc + 1 + jf`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jeq(1, 0, 1).code, 0x15);
    /// ```
    pub const fn jeq(k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JEQ | op::K, k, jt, jf)
    }

    /// `jgt #k, jt, jf`: branch on A > `k` (unsigned).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jgt(1, 0, 1).code, 0x25);
    /// ```
    pub const fn jgt(k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JGT | op::K, k, jt, jf)
    }

    /// `jge #k, jt, jf`: branch on A >= `k` (unsigned).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jge(1, 0, 1).code, 0x35);
    /// ```
    pub const fn jge(k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JGE | op::K, k, jt, jf)
    }

    /// `jset #k, jt, jf`: branch on A & `k` != 0.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jset(1, 0, 1).code, 0x45);
    /// ```
    pub const fn jset(k: u32, jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JSET | op::K, k, jt, jf)
    }

    /// `jeq x, jt, jf`: branch on A == X.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jeq_x(0, 1).code, 0x1d);
    /// ```
    pub const fn jeq_x(jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JEQ | op::X, 0, jt, jf)
    }

    /// `jgt x, jt, jf`: branch on A > X (unsigned).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jgt_x(0, 1).code, 0x2d);
    /// ```
    pub const fn jgt_x(jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JGT | op::X, 0, jt, jf)
    }

    /// `jge x, jt, jf`: branch on A >= X (unsigned).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jge_x(0, 1).code, 0x3d);
    /// ```
    pub const fn jge_x(jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JGE | op::X, 0, jt, jf)
    }

    /// `jset x, jt, jf`: branch on A & X != 0.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::jset_x(0, 1).code, 0x4d);
    /// ```
    pub const fn jset_x(jt: u8, jf: u8) -> Instruction {
        Instruction::jump(op::JMP | op::JSET | op::X, 0, jt, jf)
    }

    /// `<op> #k`: A = A `op` `k`, for an ALU operation of [`op`]
    /// ([`op::ADD`] … [`op::XOR`]).
    ///
    /// ```
    /// use seclude::bpf::{op, Instruction};
    /// assert_eq!(Instruction::alu(op::AND, 0xff), Instruction::alu_and(0xff));
    /// ```
    pub const fn alu(operation: u16, k: u32) -> Instruction {
        Instruction::stmt(op::ALU | operation | op::K, k)
    }

    /// `<op> x`: A = A `op` X.
    ///
    /// ```
    /// use seclude::bpf::{op, Instruction};
    /// assert_eq!(Instruction::alu_x(op::ADD).code, 0x0c);
    /// ```
    pub const fn alu_x(operation: u16) -> Instruction {
        Instruction::stmt(op::ALU | operation | op::X, 0)
    }

    /// `add #k`: A = A + `k` (wrapping).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_add(1).code, 0x04);
    /// ```
    pub const fn alu_add(k: u32) -> Instruction {
        Instruction::alu(op::ADD, k)
    }

    /// `sub #k`: A = A - `k` (wrapping).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_sub(1).code, 0x14);
    /// ```
    pub const fn alu_sub(k: u32) -> Instruction {
        Instruction::alu(op::SUB, k)
    }

    /// `mul #k`: A = A * `k` (wrapping).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_mul(3).code, 0x24);
    /// ```
    pub const fn alu_mul(k: u32) -> Instruction {
        Instruction::alu(op::MUL, k)
    }

    /// `div #k`: A = A / `k` (unsigned; `k` = 0 is refused by the kernel).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_div(3).code, 0x34);
    /// ```
    pub const fn alu_div(k: u32) -> Instruction {
        Instruction::alu(op::DIV, k)
    }

    /// `and #k`: A = A & `k`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_and(0xff).code, 0x54);
    /// ```
    pub const fn alu_and(k: u32) -> Instruction {
        Instruction::alu(op::AND, k)
    }

    /// `or #k`: A = A | `k`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_or(1).code, 0x44);
    /// ```
    pub const fn alu_or(k: u32) -> Instruction {
        Instruction::alu(op::OR, k)
    }

    /// `xor #k`: A = A ^ `k`.
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_xor(1).code, 0xa4);
    /// ```
    pub const fn alu_xor(k: u32) -> Instruction {
        Instruction::alu(op::XOR, k)
    }

    /// `lsh #k`: A = A << `k` (`k` >= 32 is refused by the kernel).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_lsh(4).code, 0x64);
    /// ```
    pub const fn alu_lsh(k: u32) -> Instruction {
        Instruction::alu(op::LSH, k)
    }

    /// `rsh #k`: A = A >> `k`, logical (`k` >= 32 is refused by the kernel).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_rsh(4).code, 0x74);
    /// ```
    pub const fn alu_rsh(k: u32) -> Instruction {
        Instruction::alu(op::RSH, k)
    }

    /// `neg`: A = -A (wrapping).
    ///
    /// ```
    /// assert_eq!(seclude::bpf::Instruction::alu_neg().code, 0x84);
    /// ```
    pub const fn alu_neg() -> Instruction {
        Instruction::stmt(op::ALU | op::NEG, 0)
    }

    /// Whether this is a return (`RET | K` or `RET | A`; other `RET` codes
    /// are not instructions the kernel knows).
    ///
    /// ```
    /// use seclude::bpf::Instruction;
    /// assert!(Instruction::ret_a().is_return());
    /// assert!(!Instruction::ja(0).is_return());
    /// ```
    pub const fn is_return(&self) -> bool {
        self.code == op::RET | op::K || self.code == op::RET | op::A
    }

    /// Whether this is one of the conditional jumps (`JEQ`, `JGT`, `JGE`,
    /// `JSET`, with `K` or `X`), which use `jt` and `jf`.
    ///
    /// ```
    /// use seclude::bpf::Instruction;
    /// assert!(Instruction::jset(4, 0, 0).is_conditional_jump());
    /// assert!(!Instruction::ja(0).is_conditional_jump());
    /// ```
    pub const fn is_conditional_jump(&self) -> bool {
        // JMP | JEQ/JGT/JGE/JSET | K/X.
        matches!(
            self.code,
            0x15 | 0x1d | 0x25 | 0x2d | 0x35 | 0x3d | 0x45 | 0x4d
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_sock_filter() {
        let i = Instruction::jump(0x1234, 0xdead_beef, 0x56, 0x78);
        // SAFETY: Instruction is repr(C), 8 bytes, no padding.
        let bytes: [u8; 8] = unsafe { core::mem::transmute(i) };
        let mut expected = [0u8; 8];
        expected[0..2].copy_from_slice(&0x1234u16.to_ne_bytes());
        expected[2] = 0x56;
        expected[3] = 0x78;
        expected[4..8].copy_from_slice(&0xdead_beefu32.to_ne_bytes());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn opcodes_have_kernel_values() {
        // Spot checks against the numeric opcodes of bpf_common.h/filter.h.
        assert_eq!(Instruction::load_word(0).code, 0x20);
        assert_eq!(Instruction::load_len().code, 0x80);
        assert_eq!(Instruction::ret(0).code, 0x06);
        assert_eq!(Instruction::ret_a().code, 0x16);
        assert_eq!(Instruction::ja(0).code, 0x05);
        assert_eq!(Instruction::alu_x(op::XOR).code, 0xac);
        assert_eq!(op::LDX | op::B | op::MSH, 0xb1);
        assert_eq!(op::ALU | op::MOD | op::K, 0x94);
    }

    #[test]
    fn conditional_jumps_are_recognised() {
        for code in [0x15u16, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d] {
            assert!(Instruction::jump(code, 0, 0, 0).is_conditional_jump());
        }
        for code in [0x05u16, 0x55, 0x0d, 0x115, 0x06] {
            assert!(!Instruction::jump(code, 0, 0, 0).is_conditional_jump());
        }
    }
}
