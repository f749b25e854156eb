//! [`verify`]: the kernel's load-time checks of a seccomp filter.

use super::insn::{Instruction, MAX_INSNS, MEMWORDS, op};
use super::seccomp_data::SeccompData;
use core::fmt;

/// The 41 opcodes seccomp accepts (the `case` labels of
/// `seccomp_check_filter`), in ascending order. All are classic opcodes too.
///
/// Classic BPF has more — `MOD`, byte and half-word loads, indexed loads,
/// `LDX | B | MSH` — which seccomp refuses: a filter reads `seccomp_data`
/// only as aligned 32-bit words.
///
/// ```
/// use seclude::bpf::{Instruction, SECCOMP_OPCODES};
/// assert!(SECCOMP_OPCODES.contains(&Instruction::load_word(0).code));
/// assert_eq!(SECCOMP_OPCODES.len(), 41);
/// ```
pub const SECCOMP_OPCODES: [u16; 41] = [
    op::LD | op::IMM,           // 0x00
    op::LDX | op::IMM,          // 0x01
    op::ST,                     // 0x02
    op::STX,                    // 0x03
    op::ALU | op::ADD | op::K,  // 0x04
    op::JMP | op::JA,           // 0x05
    op::RET | op::K,            // 0x06
    op::MISC | op::TAX,         // 0x07
    op::ALU | op::ADD | op::X,  // 0x0c
    op::ALU | op::SUB | op::K,  // 0x14
    op::JMP | op::JEQ | op::K,  // 0x15
    op::RET | op::A,            // 0x16
    op::ALU | op::SUB | op::X,  // 0x1c
    op::JMP | op::JEQ | op::X,  // 0x1d
    op::LD | op::W | op::ABS,   // 0x20
    op::ALU | op::MUL | op::K,  // 0x24
    op::JMP | op::JGT | op::K,  // 0x25
    op::ALU | op::MUL | op::X,  // 0x2c
    op::JMP | op::JGT | op::X,  // 0x2d
    op::ALU | op::DIV | op::K,  // 0x34
    op::JMP | op::JGE | op::K,  // 0x35
    op::ALU | op::DIV | op::X,  // 0x3c
    op::JMP | op::JGE | op::X,  // 0x3d
    op::ALU | op::OR | op::K,   // 0x44
    op::JMP | op::JSET | op::K, // 0x45
    op::ALU | op::OR | op::X,   // 0x4c
    op::JMP | op::JSET | op::X, // 0x4d
    op::ALU | op::AND | op::K,  // 0x54
    op::ALU | op::AND | op::X,  // 0x5c
    op::LD | op::MEM,           // 0x60
    op::LDX | op::MEM,          // 0x61
    op::ALU | op::LSH | op::K,  // 0x64
    op::ALU | op::LSH | op::X,  // 0x6c
    op::ALU | op::RSH | op::K,  // 0x74
    op::ALU | op::RSH | op::X,  // 0x7c
    op::LD | op::W | op::LEN,   // 0x80
    op::LDX | op::W | op::LEN,  // 0x81
    op::ALU | op::NEG,          // 0x84
    op::MISC | op::TXA,         // 0x87
    op::ALU | op::XOR | op::K,  // 0xa4
    op::ALU | op::XOR | op::X,  // 0xac
];

/// Whether `code` is on seccomp's list ([`SECCOMP_OPCODES`]).
///
/// ```
/// use seclude::bpf::{is_seccomp_opcode, op};
/// assert!(is_seccomp_opcode(op::LD | op::W | op::ABS));
/// assert!(!is_seccomp_opcode(op::LD | op::B | op::ABS));
/// ```
pub const fn is_seccomp_opcode(code: u16) -> bool {
    let mut i = 0;
    while i < SECCOMP_OPCODES.len() {
        if SECCOMP_OPCODES[i] == code {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `code` is an opcode the classic BPF checker knows
/// (`chk_code_allowed` in `net/core/filter.c`): the seccomp ones plus
/// `ALU | MOD | K/X`, `LD | H/B | ABS`, `LD | W/H/B | IND` and
/// `LDX | B | MSH`. Every other 16-bit value, including any with bits
/// above the low byte set, is refused.
///
/// ```
/// use seclude::bpf::{is_classic_opcode, op};
/// assert!(is_classic_opcode(op::ALU | op::MOD | op::K));
/// assert!(!is_classic_opcode(op::RET | op::X));
/// ```
pub const fn is_classic_opcode(code: u16) -> bool {
    is_seccomp_opcode(code)
        || matches!(
            code,
            0x94 | 0x9c // ALU | MOD | K/X
                | 0x28 | 0x30 // LD | H/B | ABS
                | 0x40 | 0x48 | 0x50 // LD | W/H/B | IND
                | 0xb1 // LDX | B | MSH
        )
}

/// Why the kernel would refuse a program, and where (`at` is the index of
/// the offending instruction).
///
/// ```
/// use seclude::bpf::{verify, Instruction as I, VerifyError};
/// let err = verify(&[I::alu_div(0), I::ret_a()]).unwrap_err();
/// assert_eq!(err, VerifyError::DivisionByZero { at: 0 });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum VerifyError {
    /// The program has no instructions.
    Empty,
    /// The program has more than [`MAX_INSNS`] instructions.
    TooLong {
        /// Its length.
        len: usize,
    },
    /// An opcode classic BPF does not know, or one seccomp does not allow.
    BadOpcode {
        /// Instruction index.
        at: usize,
        /// The opcode.
        code: u16,
    },
    /// `div #0` (or `mod #0`).
    DivisionByZero {
        /// Instruction index.
        at: usize,
    },
    /// `lsh #k` or `rsh #k` with `k` >= 32.
    ShiftTooLarge {
        /// Instruction index.
        at: usize,
        /// The shift amount.
        shift: u32,
    },
    /// A scratch memory index of 16 or more.
    BadMemorySlot {
        /// Instruction index.
        at: usize,
        /// The index.
        slot: u32,
    },
    /// A jump whose target is past the last instruction.
    JumpOutOfRange {
        /// Instruction index.
        at: usize,
    },
    /// The last instruction is not `ret #k` or `ret a`.
    NoReturnAtEnd,
    /// A load from a scratch word not stored on every path to it.
    UninitializedMemory {
        /// Instruction index.
        at: usize,
        /// The scratch word.
        slot: u32,
    },
    /// `ld [k]` with `k` not a multiple of 4.
    MisalignedLoad {
        /// Instruction index.
        at: usize,
        /// The offset.
        offset: u32,
    },
    /// `ld [k]` with `k` >= 64, outside `seccomp_data`.
    LoadOutOfBounds {
        /// Instruction index.
        at: usize,
        /// The offset.
        offset: u32,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            VerifyError::Empty => f.write_str("empty program"),
            VerifyError::TooLong { len } => {
                write!(f, "program has {len} instructions, more than {MAX_INSNS}")
            }
            VerifyError::BadOpcode { at, code } => {
                write!(
                    f,
                    "instruction {at}: opcode {code:#06x} is not allowed in a seccomp filter"
                )
            }
            VerifyError::DivisionByZero { at } => {
                write!(f, "instruction {at}: division by constant zero")
            }
            VerifyError::ShiftTooLarge { at, shift } => {
                write!(f, "instruction {at}: shift by {shift}, at most 31 allowed")
            }
            VerifyError::BadMemorySlot { at, slot } => {
                write!(
                    f,
                    "instruction {at}: scratch memory index {slot} is not below {MEMWORDS}"
                )
            }
            VerifyError::JumpOutOfRange { at } => {
                write!(
                    f,
                    "instruction {at}: jump target is past the end of the program"
                )
            }
            VerifyError::NoReturnAtEnd => f.write_str("the last instruction is not a return"),
            VerifyError::UninitializedMemory { at, slot } => {
                write!(
                    f,
                    "instruction {at}: loads M[{slot}], not stored on every path to it"
                )
            }
            VerifyError::MisalignedLoad { at, offset } => {
                write!(
                    f,
                    "instruction {at}: load at offset {offset}, not a multiple of 4"
                )
            }
            VerifyError::LoadOutOfBounds { at, offset } => {
                write!(
                    f,
                    "instruction {at}: load at offset {offset}, outside seccomp_data (64 bytes)"
                )
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}

/// Checks `prog` the way the kernel checks a seccomp filter, and returns
/// the first problem found in the kernel's order of checks. `Ok(())` means
/// `seccomp(SECCOMP_SET_MODE_FILTER)` will not refuse the program with
/// `EINVAL`; as a `const fn`, a bad program is an error at compile time
/// rather than an `EINVAL` at run time.
///
/// `seccomp(SECCOMP_SET_MODE_FILTER)` hands the program to
/// `bpf_prog_create_from_user` (`net/core/filter.c`, Linux 6.12), which runs,
/// in this order:
///
/// 1. `bpf_check_basics_ok`: 1 to 4096 instructions;
/// 2. `bpf_check_classic`, instruction by instruction: the opcode is one of
///    classic BPF's ([`is_classic_opcode`]); `DIV`/`MOD` by a constant 0
///    and shifts by a constant of 32 or more are refused; scratch memory
///    indices are below 16; `JA`'s 32-bit offset and both offsets of a
///    conditional jump land inside the program; then the last instruction
///    must be `RET K` or `RET A`;
/// 3. `check_load_and_stores`: no load from a scratch word that some path
///    reaching it has not stored (a linear scan, see below);
/// 4. the seccomp hook `seccomp_check_filter` (`kernel/seccomp.c`): every
///    opcode must be on seccomp's own list ([`SECCOMP_OPCODES`]), and
///    `ld [k]` must read an aligned word inside `seccomp_data` (`k` a
///    multiple of 4 below 64).
///
/// [`verify`] makes the same checks in the same order and names the first
/// failure. The kernel only says `EINVAL`; the integration test
/// `tests/bpf_kernel_verifier.rs` checks that the verdicts agree.
///
/// ```
/// use seclude::bpf::{verify, Action, Instruction as I, VerifyError};
///
/// const ALLOW_ALL: [I; 1] = [I::ret(Action::Allow.to_ret())];
/// const _: () = assert!(verify(&ALLOW_ALL).is_ok());
/// assert_eq!(verify(&[I::load_word(2), I::ret_a()]), Err(VerifyError::MisalignedLoad { at: 0, offset: 2 }));
/// ```
///
/// ```
/// use seclude::bpf::{verify, Action, Instruction as I, SeccompData, VerifyError};
///
/// const PROG: [I; 4] = [
///     I::load_word(SeccompData::NR),
///     I::jeq(59, 0, 1),
///     I::ret(Action::KillProcess.to_ret()),
///     I::ret(Action::Allow.to_ret()),
/// ];
/// const _: () = assert!(verify(&PROG).is_ok());
/// assert_eq!(verify(&PROG[..3]), Err(VerifyError::JumpOutOfRange { at: 1 }));
/// ```
pub const fn verify(prog: &[Instruction]) -> Result<(), VerifyError> {
    let len = prog.len();
    if len == 0 {
        return Err(VerifyError::Empty);
    }
    if len > MAX_INSNS {
        return Err(VerifyError::TooLong { len });
    }
    // bpf_check_classic.
    let mut pc = 0;
    while pc < len {
        let insn = prog[pc];
        let code = insn.code;
        if !is_classic_opcode(code) {
            return Err(VerifyError::BadOpcode { at: pc, code });
        }
        match code {
            0x34 | 0x94 => {
                // ALU | DIV | K, ALU | MOD | K
                if insn.k == 0 {
                    return Err(VerifyError::DivisionByZero { at: pc });
                }
            }
            0x64 | 0x74 => {
                // ALU | LSH | K, ALU | RSH | K
                if insn.k >= 32 {
                    return Err(VerifyError::ShiftTooLarge {
                        at: pc,
                        shift: insn.k,
                    });
                }
            }
            0x60 | 0x61 | 0x02 | 0x03 => {
                // LD | MEM, LDX | MEM, ST, STX
                if insn.k >= MEMWORDS as u32 {
                    return Err(VerifyError::BadMemorySlot {
                        at: pc,
                        slot: insn.k,
                    });
                }
            }
            0x05 => {
                // JMP | JA: k >= flen - pc - 1 is refused.
                if insn.k as usize >= len - pc - 1 {
                    return Err(VerifyError::JumpOutOfRange { at: pc });
                }
            }
            _ => {
                if insn.is_conditional_jump()
                    && (pc + insn.jt as usize + 1 >= len || pc + insn.jf as usize + 1 >= len)
                {
                    return Err(VerifyError::JumpOutOfRange { at: pc });
                }
            }
        }
        // LD | ABS with k at or above SKF_AD_OFF (the ancillary loads) is
        // checked here by the kernel too; every such load is refused by
        // seccomp below anyway, so the verdict is the same.
        pc += 1;
    }
    if !prog[len - 1].is_return() {
        return Err(VerifyError::NoReturnAtEnd);
    }
    if let Err(e) = check_load_and_stores(prog) {
        return Err(e);
    }
    // seccomp_check_filter.
    let mut pc = 0;
    while pc < len {
        let insn = prog[pc];
        if !is_seccomp_opcode(insn.code) {
            return Err(VerifyError::BadOpcode {
                at: pc,
                code: insn.code,
            });
        }
        if insn.code == op::LD | op::W | op::ABS {
            if insn.k & 3 != 0 {
                return Err(VerifyError::MisalignedLoad {
                    at: pc,
                    offset: insn.k,
                });
            }
            if insn.k >= SeccompData::SIZE {
                return Err(VerifyError::LoadOutOfBounds {
                    at: pc,
                    offset: insn.k,
                });
            }
        }
        pc += 1;
    }
    Ok(())
}

/// The kernel's `check_load_and_stores`, for a program that passed the
/// per-instruction checks (jump targets in range, slots below 16).
///
/// It is a single forward scan with one bit per scratch word: `valid` holds
/// the words stored on the path being followed; a jump narrows the set of
/// its targets to what is valid at the jump and resets `valid` to "all"
/// (the next instruction is then only reached through jumps, whose masks
/// apply). A return does *not* reset `valid`, so code after a return that
/// no jump reaches still sees the stores before the return; the kernel
/// accepts or refuses such dead code on that basis, and so do we.
const fn check_load_and_stores(prog: &[Instruction]) -> Result<(), VerifyError> {
    let mut masks = [u16::MAX; MAX_INSNS];
    let mut valid: u16 = 0;
    let mut pc = 0;
    while pc < prog.len() {
        valid &= masks[pc];
        let insn = prog[pc];
        match insn.code {
            0x02 | 0x03 => valid |= 1 << insn.k,
            0x60 | 0x61 => {
                if valid & (1 << insn.k) == 0 {
                    return Err(VerifyError::UninitializedMemory {
                        at: pc,
                        slot: insn.k,
                    });
                }
            }
            0x05 => {
                masks[pc + 1 + insn.k as usize] &= valid;
                valid = u16::MAX;
            }
            _ => {
                if insn.is_conditional_jump() {
                    masks[pc + 1 + insn.jt as usize] &= valid;
                    masks[pc + 1 + insn.jf as usize] &= valid;
                    valid = u16::MAX;
                }
            }
        }
        pc += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::action::Action;
    use super::*;
    use Instruction as I;

    const ALLOW: I = I::ret(Action::Allow.to_ret());

    #[test]
    fn allow_all_is_accepted() {
        assert_eq!(verify(&[ALLOW]), Ok(()));
        assert_eq!(
            verify(&[I::load_imm(Action::Allow.to_ret()), I::ret_a()]),
            Ok(())
        );
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(verify(&[]), Err(VerifyError::Empty));
    }

    #[test]
    fn exactly_max_insns_is_accepted_one_more_is_refused() {
        let mut prog = [I::load_word(SeccompData::NR); MAX_INSNS + 1];
        prog[MAX_INSNS - 1] = ALLOW;
        prog[MAX_INSNS] = ALLOW;
        assert_eq!(verify(&prog[..MAX_INSNS]), Ok(()));
        assert_eq!(
            verify(&prog),
            Err(VerifyError::TooLong { len: MAX_INSNS + 1 })
        );
    }

    #[test]
    fn unknown_and_non_seccomp_opcodes_are_refused() {
        // RET | X is no classic opcode; LD | B | ABS is classic but not seccomp.
        assert_eq!(
            verify(&[I::stmt(0x0e, 0)]),
            Err(VerifyError::BadOpcode { at: 0, code: 0x0e })
        );
        for code in [0x30, 0x28, 0x40, 0x48, 0x50, 0xb1, 0x94, 0x9c, 0x100 | 0x06] {
            assert_eq!(
                verify(&[I::stmt(code, 1), ALLOW]),
                Err(VerifyError::BadOpcode { at: 0, code }),
                "{code:#x}"
            );
        }
    }

    #[test]
    fn division_by_constant_zero_is_refused() {
        assert_eq!(
            verify(&[I::alu_div(0), ALLOW]),
            Err(VerifyError::DivisionByZero { at: 0 })
        );
        // MOD is refused by seccomp, but the classic check comes first.
        assert_eq!(
            verify(&[I::alu(op::MOD, 0), ALLOW]),
            Err(VerifyError::DivisionByZero { at: 0 })
        );
        // Division by X is checked at run time (the program returns 0).
        assert_eq!(verify(&[I::alu_x(op::DIV), ALLOW]), Ok(()));
    }

    #[test]
    fn constant_shifts_of_32_or_more_are_refused() {
        assert_eq!(verify(&[I::alu_lsh(31), I::alu_rsh(31), ALLOW]), Ok(()));
        assert_eq!(
            verify(&[I::alu_lsh(32), ALLOW]),
            Err(VerifyError::ShiftTooLarge { at: 0, shift: 32 })
        );
        assert_eq!(
            verify(&[ALLOW, I::alu_rsh(u32::MAX), ALLOW]),
            Err(VerifyError::ShiftTooLarge {
                at: 1,
                shift: u32::MAX
            })
        );
    }

    #[test]
    fn memory_slots_of_16_or_more_are_refused() {
        for (at, insn) in [
            I::store(16),
            I::store_x(16),
            I::load_mem(16),
            I::ldx_mem(99),
        ]
        .into_iter()
        .enumerate()
        {
            let mut prog = [
                I::store(15),
                I::store(15),
                I::store(15),
                I::store(15),
                ALLOW,
            ];
            prog[at] = insn;
            assert_eq!(
                verify(&prog),
                Err(VerifyError::BadMemorySlot { at, slot: insn.k })
            );
        }
    }

    #[test]
    fn jumps_past_the_end_are_refused() {
        assert_eq!(verify(&[I::ja(0), ALLOW]), Ok(()));
        assert_eq!(
            verify(&[I::ja(1), ALLOW]),
            Err(VerifyError::JumpOutOfRange { at: 0 })
        );
        assert_eq!(
            verify(&[I::ja(u32::MAX), ALLOW]),
            Err(VerifyError::JumpOutOfRange { at: 0 })
        );
        assert_eq!(verify(&[I::jeq(0, 1, 0), ALLOW, ALLOW]), Ok(()));
        assert_eq!(
            verify(&[I::jeq(0, 2, 0), ALLOW, ALLOW]),
            Err(VerifyError::JumpOutOfRange { at: 0 })
        );
        assert_eq!(
            verify(&[I::jset_x(0, 2), ALLOW, ALLOW]),
            Err(VerifyError::JumpOutOfRange { at: 0 })
        );
        // A conditional jump as the last instruction: both targets are past it.
        assert_eq!(
            verify(&[ALLOW, I::jgt(0, 0, 0)]),
            Err(VerifyError::JumpOutOfRange { at: 1 })
        );
    }

    #[test]
    fn a_program_must_end_with_a_return() {
        assert_eq!(
            verify(&[ALLOW, I::load_imm(0)]),
            Err(VerifyError::NoReturnAtEnd)
        );
        assert_eq!(verify(&[I::ja(0), ALLOW]), Ok(()));
    }

    #[test]
    fn loads_from_unstored_memory_are_refused() {
        assert_eq!(
            verify(&[I::load_mem(0), ALLOW]),
            Err(VerifyError::UninitializedMemory { at: 0, slot: 0 })
        );
        assert_eq!(verify(&[I::store(3), I::ldx_mem(3), ALLOW]), Ok(()));
        // Stored on one path only.
        let one_path = [I::jeq(0, 0, 1), I::store(2), I::load_mem(2), ALLOW];
        assert_eq!(
            verify(&one_path),
            Err(VerifyError::UninitializedMemory { at: 2, slot: 2 })
        );
        // Stored on both paths.
        let both_paths = [
            I::jeq(0, 0, 2),
            I::store(2),
            I::ja(1),
            I::store_x(2),
            I::load_mem(2),
            ALLOW,
        ];
        assert_eq!(verify(&both_paths), Ok(()));
    }

    #[test]
    fn dead_code_after_a_return_sees_earlier_stores() {
        // check_load_and_stores does not reset its state at a return.
        assert_eq!(verify(&[I::store(1), ALLOW, I::load_mem(1), ALLOW]), Ok(()));
        assert_eq!(
            verify(&[ALLOW, I::load_mem(1), ALLOW]),
            Err(VerifyError::UninitializedMemory { at: 1, slot: 1 })
        );
        // ... but after a jump, unreached code is considered fully stored.
        assert_eq!(verify(&[I::ja(1), I::load_mem(1), ALLOW]), Ok(()));
    }

    #[test]
    fn loads_outside_seccomp_data_are_refused() {
        assert_eq!(verify(&[I::load_word(60), ALLOW]), Ok(()));
        assert_eq!(
            verify(&[I::load_word(62), ALLOW]),
            Err(VerifyError::MisalignedLoad { at: 0, offset: 62 })
        );
        assert_eq!(
            verify(&[I::load_word(64), ALLOW]),
            Err(VerifyError::LoadOutOfBounds { at: 0, offset: 64 })
        );
        assert_eq!(
            verify(&[I::load_word(0xffff_f000), ALLOW]),
            Err(VerifyError::LoadOutOfBounds {
                at: 0,
                offset: 0xffff_f000
            })
        );
    }

    #[test]
    fn the_accepted_opcodes_are_exactly_the_seccomp_list() {
        // [st M[4]; <code> with k = 4; ret ×5]: k = 4 is a valid operand for
        // every opcode (aligned offset, stored slot, nonzero divisor, small
        // shift, in-range JA), so only the opcode decides.
        let mut accepted = 0;
        for code in 0..=u16::MAX {
            let mut prog = [ALLOW; 7];
            prog[0] = I::store(4);
            prog[1] = I::stmt(code, 4);
            let ok = verify(&prog).is_ok();
            assert_eq!(ok, SECCOMP_OPCODES.contains(&code), "{code:#06x}");
            accepted += ok as usize;
        }
        assert_eq!(accepted, 41);
        let mut sorted = SECCOMP_OPCODES;
        sorted.sort_unstable();
        assert_eq!(sorted, SECCOMP_OPCODES);
    }

    #[test]
    fn verify_runs_in_const_context() {
        const R: Result<(), VerifyError> = verify(&[I::load_word(4), I::ret_a()]);
        assert_eq!(R, Ok(()));
    }

    #[test]
    fn errors_display_their_position() {
        let mut s = heapless::String::<128>::new();
        core::fmt::write(
            &mut s,
            format_args!("{}", VerifyError::UninitializedMemory { at: 3, slot: 2 }),
        )
        .unwrap();
        assert_eq!(
            s,
            "instruction 3: loads M[2], not stored on every path to it"
        );
    }
}
