//! [`simulate`]: the kernel's run-time semantics of a seccomp filter.

use super::action::Action;
use super::insn::{Instruction, MEMWORDS, op};
use super::seccomp_data::SeccompData;
use crate::tables::Endian;
use core::fmt;

/// The result of running a filter to its return.
///
/// ```
/// use seclude::bpf::{simulate, Action, Instruction as I, SeccompData};
/// use seclude::tables::Endian;
/// let out = simulate(&[I::ret(0x7fff_0000)], &SeccompData::default(), Endian::Little).unwrap();
/// assert_eq!((out.ret, out.action, out.executed), (0x7fff_0000, Action::Allow, 1));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Outcome {
    /// The program's return value.
    pub ret: u32,
    /// What the kernel does with it ([`Action::from_ret`]).
    pub action: Action,
    /// How many instructions ran, the return included.
    pub executed: usize,
}

/// Why the simulator could not run a program to a return. None of these
/// happens to a program [`verify`](super::verify) accepts.
///
/// ```
/// use seclude::bpf::{simulate, Instruction as I, SeccompData, SimError};
/// use seclude::tables::Endian;
/// let err = simulate(&[I::load_imm(0)], &SeccompData::default(), Endian::Little);
/// assert_eq!(err, Err(SimError::FellOffEnd));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum SimError {
    /// The program has no instructions.
    Empty,
    /// An opcode seccomp does not run.
    BadOpcode {
        /// Instruction index.
        at: usize,
        /// The opcode.
        code: u16,
    },
    /// Execution went past the last instruction without a return.
    FellOffEnd,
    /// A jump to a target past the last instruction.
    JumpOutOfRange {
        /// Instruction index.
        at: usize,
    },
    /// `ld [k]` outside the aligned words of `seccomp_data`.
    BadLoad {
        /// Instruction index.
        at: usize,
        /// The offset.
        offset: u32,
    },
    /// A scratch memory index of 16 or more.
    BadMemorySlot {
        /// Instruction index.
        at: usize,
        /// The index.
        slot: u32,
    },
    /// `div #0`.
    DivisionByZero {
        /// Instruction index.
        at: usize,
    },
    /// `lsh #k` or `rsh #k` with `k` >= 32.
    ShiftTooLarge {
        /// Instruction index.
        at: usize,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SimError::Empty => f.write_str("empty program"),
            SimError::BadOpcode { at, code } => {
                write!(
                    f,
                    "instruction {at}: opcode {code:#06x} is not run by seccomp"
                )
            }
            SimError::FellOffEnd => f.write_str("execution went past the last instruction"),
            SimError::JumpOutOfRange { at } => {
                write!(f, "instruction {at}: jump past the end of the program")
            }
            SimError::BadLoad { at, offset } => {
                write!(
                    f,
                    "instruction {at}: no seccomp_data word at offset {offset}"
                )
            }
            SimError::BadMemorySlot { at, slot } => {
                write!(f, "instruction {at}: no scratch word {slot}")
            }
            SimError::DivisionByZero { at } => {
                write!(f, "instruction {at}: division by constant zero")
            }
            SimError::ShiftTooLarge { at } => {
                write!(f, "instruction {at}: constant shift of 32 or more")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SimError {}

/// The target of a jump by `off` from `pc`, if inside a program of `len`.
const fn target(pc: usize, off: u32, len: usize) -> Option<usize> {
    // pc < len <= usize::MAX, off <= u32::MAX: compute in u64/u128 free of overflow.
    let t = pc as u64 + 1 + off as u64;
    if t < len as u64 {
        Some(t as usize)
    } else {
        None
    }
}

/// Runs `prog` on `data` for a system call made by an ABI of byte order
/// `endian`, as the kernel would run it, and returns what it returned.
/// It is a `const fn`, so a policy can be tested without loading it, even
/// at compile time.
///
/// The kernel never interprets classic BPF directly: `bpf_migrate_filter`
/// translates the program to eBPF (`bpf_convert_filter`,
/// `net/core/filter.c`) and runs the result (JIT or `kernel/bpf/core.c`).
/// The semantics that follow from that translation, and that [`simulate`]
/// reproduces:
///
/// - A and X start at 0; every value is an unsigned 32-bit number and
///   arithmetic wraps (`ALU32` instructions);
/// - `ld [k]` loads the 32-bit word at `k` of `seccomp_data` in the byte
///   order of the calling ABI ([`SeccompData::get_word`]); `ld #len` and
///   `ldx #len` load 64, as `seccomp_check_filter` rewrites them;
/// - `div x` with X = 0 **ends the program with return value 0**
///   (`SECCOMP_RET_KILL_THREAD`): the translation puts "if X == 0 then
///   A = 0, exit" in front of every division by X;
/// - `lsh x` and `rsh x` shift by `X & 31` (the eBPF interpreter masks the
///   amount, and the JITs use the CPU's 32-bit shifts, which mask it the
///   same way); a constant shift of 32 or more never runs, the kernel
///   refuses it;
/// - comparisons are unsigned 32-bit, `k` included (the translation
///   zero-extends negative constants into a scratch register);
/// - scratch memory starts undefined, but [`verify`](super::verify)
///   guarantees a word is stored before it is loaded; the simulator starts
///   it at 0 so that an unverified program still runs deterministically.
///
/// ```
/// use seclude::bpf::{simulate, Action, Instruction as I, SeccompData};
/// use seclude::tables::Endian;
///
/// const PROG: [I; 4] = [
///     I::load_word(SeccompData::NR),
///     I::jeq(101, 0, 1),
///     I::ret(Action::Errno(1).to_ret()),
///     I::ret(Action::Allow.to_ret()),
/// ];
/// const PTRACE: SeccompData = SeccompData::new(101, 0xc000_003e);
/// const OUT: Action = match simulate(&PROG, &PTRACE, Endian::Little) {
///     Ok(outcome) => outcome.action,
///     Err(_) => panic!("PROG runs"),
/// };
/// assert_eq!(OUT, Action::Errno(1));
/// ```
///
/// It never panics, on any input: what the kernel would have refused to
/// load and the simulator cannot give a meaning to is a [`SimError`].
/// Every jump goes forward, so it runs at most `prog.len()` instructions.
///
/// ```
/// use seclude::bpf::{simulate, Action, Instruction as I, SeccompData};
/// use seclude::tables::{Abi, Endian};
///
/// // Return ERRNO(args[0] low word & 0xff).
/// let prog = [
///     I::load_word(SeccompData::arg_lo(0, Endian::Big)),
///     I::alu_and(0xff),
///     I::alu_or(Action::Errno(0).to_ret()),
///     I::ret_a(),
/// ];
/// let data = SeccompData::new(0, Abi::S390x.audit_arch()).with_arg(0, 0x1_0000_0102);
/// let out = simulate(&prog, &data, Endian::Big).unwrap();
/// assert_eq!(out.action, Action::Errno(2));
/// assert_eq!(out.executed, 4);
/// ```
pub const fn simulate(
    prog: &[Instruction],
    data: &SeccompData,
    endian: Endian,
) -> Result<Outcome, SimError> {
    let len = prog.len();
    if len == 0 {
        return Err(SimError::Empty);
    }
    let mut a: u32 = 0;
    let mut x: u32 = 0;
    let mut mem = [0u32; MEMWORDS];
    let mut pc: usize = 0;
    let mut executed: usize = 0;
    loop {
        if pc >= len {
            return Err(SimError::FellOffEnd);
        }
        let insn = prog[pc];
        let k = insn.k;
        executed += 1;
        let mut next = pc + 1;
        match insn.code {
            0x06 | 0x16 => {
                // RET | K, RET | A
                let ret = if insn.code == op::RET | op::K { k } else { a };
                return Ok(Outcome {
                    ret,
                    action: Action::from_ret(ret),
                    executed,
                });
            }
            0x00 => a = k,                 // LD | IMM
            0x01 => x = k,                 // LDX | IMM
            0x80 => a = SeccompData::SIZE, // LD | W | LEN
            0x81 => x = SeccompData::SIZE, // LDX | W | LEN
            0x07 => x = a,                 // TAX
            0x87 => a = x,                 // TXA
            0x20 => match data.get_word(k, endian) {
                // LD | W | ABS
                Some(word) => a = word,
                None => return Err(SimError::BadLoad { at: pc, offset: k }),
            },
            0x60 | 0x61 | 0x02 | 0x03 => {
                if k >= MEMWORDS as u32 {
                    return Err(SimError::BadMemorySlot { at: pc, slot: k });
                }
                let slot = k as usize;
                match insn.code {
                    0x60 => a = mem[slot],
                    0x61 => x = mem[slot],
                    0x02 => mem[slot] = a,
                    _ => mem[slot] = x,
                }
            }
            0x84 => a = a.wrapping_neg(), // ALU | NEG
            0x04 | 0x0c | 0x14 | 0x1c | 0x24 | 0x2c | 0x34 | 0x3c | 0x44 | 0x4c | 0x54 | 0x5c
            | 0x64 | 0x6c | 0x74 | 0x7c | 0xa4 | 0xac => {
                let src = if op::src(insn.code) == op::X { x } else { k };
                let is_k = op::src(insn.code) == op::K;
                a = match op::op(insn.code) {
                    op::ADD => a.wrapping_add(src),
                    op::SUB => a.wrapping_sub(src),
                    op::MUL => a.wrapping_mul(src),
                    op::DIV => {
                        if src == 0 {
                            if is_k {
                                return Err(SimError::DivisionByZero { at: pc });
                            }
                            // The translated program exits with A = 0.
                            return Ok(Outcome {
                                ret: 0,
                                action: Action::from_ret(0),
                                executed,
                            });
                        }
                        a / src
                    }
                    op::OR => a | src,
                    op::AND => a & src,
                    op::XOR => a ^ src,
                    op::LSH | op::RSH => {
                        if is_k && src >= 32 {
                            return Err(SimError::ShiftTooLarge { at: pc });
                        }
                        let amount = src & 31;
                        if op::op(insn.code) == op::LSH {
                            a << amount
                        } else {
                            a >> amount
                        }
                    }
                    _ => a, // unreachable: the arm lists only the operations above
                };
            }
            0x05 => match target(pc, k, len) {
                // JMP | JA
                Some(t) => next = t,
                None => return Err(SimError::JumpOutOfRange { at: pc }),
            },
            0x15 | 0x1d | 0x25 | 0x2d | 0x35 | 0x3d | 0x45 | 0x4d => {
                let src = if op::src(insn.code) == op::X { x } else { k };
                let taken = match op::op(insn.code) {
                    op::JEQ => a == src,
                    op::JGT => a > src,
                    op::JGE => a >= src,
                    _ => a & src != 0, // JSET
                };
                let off = if taken { insn.jt } else { insn.jf };
                // The kernel refuses a program if either target is out of range.
                let (Some(t), Some(_), Some(_)) = (
                    target(pc, off as u32, len),
                    target(pc, insn.jt as u32, len),
                    target(pc, insn.jf as u32, len),
                ) else {
                    return Err(SimError::JumpOutOfRange { at: pc });
                };
                next = t;
            }
            code => return Err(SimError::BadOpcode { at: pc, code }),
        }
        pc = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::verify;
    use Instruction as I;

    const ALLOW: I = I::ret(Action::Allow.to_ret());

    fn run(prog: &[I], data: &SeccompData) -> Result<Outcome, SimError> {
        simulate(prog, data, Endian::Little)
    }

    fn ret_of(prog: &[I]) -> u32 {
        run(prog, &SeccompData::default()).unwrap().ret
    }

    #[test]
    fn returns_the_constant_or_a() {
        assert_eq!(ret_of(&[ALLOW]), 0x7fff_0000);
        assert_eq!(ret_of(&[I::load_imm(42), I::ret_a()]), 42);
    }

    #[test]
    fn arithmetic_is_unsigned_32_bit_and_wraps() {
        assert_eq!(
            ret_of(&[I::load_imm(u32::MAX), I::alu_add(2), I::ret_a()]),
            1
        );
        assert_eq!(
            ret_of(&[I::load_imm(1), I::alu_sub(2), I::ret_a()]),
            u32::MAX
        );
        assert_eq!(
            ret_of(&[I::load_imm(0x8000_0001), I::alu_mul(2), I::ret_a()]),
            2
        );
        assert_eq!(
            ret_of(&[I::load_imm(u32::MAX), I::alu_div(2), I::ret_a()]),
            0x7fff_ffff
        );
        assert_eq!(
            ret_of(&[I::load_imm(5), I::alu_neg(), I::ret_a()]),
            5u32.wrapping_neg()
        );
        assert_eq!(
            ret_of(&[
                I::load_imm(0b1100),
                I::alu_and(0b1010),
                I::alu_or(1),
                I::alu_xor(0xf0),
                I::ret_a()
            ]),
            0xf9
        );
        assert_eq!(
            ret_of(&[I::load_imm(0x8000_0000), I::alu_rsh(31), I::ret_a()]),
            1
        );
        assert_eq!(
            ret_of(&[I::load_imm(3), I::alu_lsh(31), I::ret_a()]),
            0x8000_0000
        );
        assert_eq!(
            ret_of(&[I::load_imm(7), I::ldx_imm(3), I::alu_x(op::SUB), I::ret_a()]),
            4
        );
    }

    #[test]
    fn shift_by_x_uses_the_low_five_bits() {
        assert_eq!(
            ret_of(&[
                I::ldx_imm(33),
                I::load_imm(1),
                I::alu_x(op::LSH),
                I::ret_a()
            ]),
            2
        );
        assert_eq!(
            ret_of(&[
                I::ldx_imm(32),
                I::load_imm(8),
                I::alu_x(op::RSH),
                I::ret_a()
            ]),
            8
        );
        assert_eq!(
            ret_of(&[
                I::ldx_imm(63),
                I::load_imm(1),
                I::alu_x(op::LSH),
                I::ret_a()
            ]),
            0x8000_0000
        );
    }

    #[test]
    fn division_by_x_zero_returns_zero() {
        let prog = [I::load_imm(9), I::alu_x(op::DIV), ALLOW];
        assert_eq!(verify(&prog), Ok(()));
        let out = run(&prog, &SeccompData::default()).unwrap();
        assert_eq!(
            out,
            Outcome {
                ret: 0,
                action: Action::KillThread,
                executed: 2
            }
        );
    }

    #[test]
    fn len_loads_the_size_of_seccomp_data() {
        assert_eq!(ret_of(&[I::load_len(), I::ret_a()]), 64);
        assert_eq!(ret_of(&[I::ldx_len(), I::txa(), I::ret_a()]), 64);
    }

    #[test]
    fn argument_words_follow_the_abi_byte_order() {
        let data = SeccompData::new(1, 2).with_arg(2, 0xaaaa_bbbb_cccc_dddd);
        let prog = [I::load_word(32), I::ret_a()];
        assert_eq!(
            simulate(&prog, &data, Endian::Little).unwrap().ret,
            0xcccc_dddd
        );
        assert_eq!(
            simulate(&prog, &data, Endian::Big).unwrap().ret,
            0xaaaa_bbbb
        );
        let hi = [
            I::load_word(SeccompData::arg_hi(2, Endian::Big)),
            I::ret_a(),
        ];
        assert_eq!(simulate(&hi, &data, Endian::Big).unwrap().ret, 0xaaaa_bbbb);
        let nr = [I::load_word(SeccompData::NR), I::ret_a()];
        assert_eq!(
            simulate(&nr, &SeccompData::new(-1, 0), Endian::Big)
                .unwrap()
                .ret,
            u32::MAX
        );
    }

    #[test]
    fn jumps_and_executed_count() {
        // ld [nr]; jeq #5 → 3 : 2; ret KILL; ja +1; ret KILL; ret ALLOW
        let prog = [
            I::load_word(0),
            I::jeq(5, 1, 0),
            I::ret(0),
            I::ja(1),
            I::ret(0),
            ALLOW,
        ];
        assert_eq!(verify(&prog), Ok(()));
        let hit = run(&prog, &SeccompData::new(5, 0)).unwrap();
        assert_eq!((hit.action, hit.executed), (Action::Allow, 4));
        let miss = run(&prog, &SeccompData::new(6, 0)).unwrap();
        assert_eq!((miss.action, miss.executed), (Action::KillThread, 3));
        // Unsigned comparison of negative-looking constants.
        let ge = [
            I::load_imm(0xffff_fffe),
            I::jge(0x8000_0000, 0, 1),
            ALLOW,
            I::ret(0),
        ];
        assert_eq!(
            run(&ge, &SeccompData::default()).unwrap().action,
            Action::Allow
        );
        let set = [
            I::load_imm(0b100),
            I::ldx_imm(0b011),
            I::jset_x(1, 0),
            ALLOW,
            I::ret(0),
        ];
        assert_eq!(
            run(&set, &SeccompData::default()).unwrap().action,
            Action::Allow
        );
    }

    #[test]
    fn scratch_memory_round_trips() {
        let prog = [
            I::load_imm(7),
            I::store(15),
            I::ldx_imm(9),
            I::store_x(0),
            I::load_mem(0),
            I::ldx_mem(15),
            I::alu_x(op::ADD),
            I::ret_a(),
        ];
        assert_eq!(verify(&prog), Ok(()));
        assert_eq!(ret_of(&prog), 16);
    }

    #[test]
    fn unrunnable_programs_are_errors() {
        let d = SeccompData::default();
        assert_eq!(run(&[], &d), Err(SimError::Empty));
        assert_eq!(run(&[I::load_imm(0)], &d), Err(SimError::FellOffEnd));
        assert_eq!(
            run(&[I::stmt(0x30, 0), ALLOW], &d),
            Err(SimError::BadOpcode { at: 0, code: 0x30 })
        );
        assert_eq!(
            run(&[I::ja(u32::MAX), ALLOW], &d),
            Err(SimError::JumpOutOfRange { at: 0 })
        );
        assert_eq!(
            run(&[I::jeq(1, 9, 0), ALLOW], &d),
            Err(SimError::JumpOutOfRange { at: 0 })
        );
        assert_eq!(
            run(&[I::load_word(64), ALLOW], &d),
            Err(SimError::BadLoad { at: 0, offset: 64 })
        );
        assert_eq!(
            run(&[I::store(16), ALLOW], &d),
            Err(SimError::BadMemorySlot { at: 0, slot: 16 })
        );
        assert_eq!(
            run(&[I::alu_div(0), ALLOW], &d),
            Err(SimError::DivisionByZero { at: 0 })
        );
        assert_eq!(
            run(&[I::alu_lsh(32), ALLOW], &d),
            Err(SimError::ShiftTooLarge { at: 0 })
        );
    }

    /// splitmix64, enough for test inputs.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[test]
    fn never_panics_and_verified_programs_always_return() {
        let mut state = 0x05ec_c0de;
        let mut prog = [ALLOW; 24];
        let mut verified = 0;
        for _ in 0..300_000 {
            let len = 1 + (next(&mut state) % prog.len() as u64) as usize;
            for insn in prog[..len].iter_mut() {
                let r = next(&mut state);
                let code = if r & 3 == 0 {
                    r as u16 >> 2 // anything
                } else {
                    SECCOMP_CODES[(r >> 8) as usize % SECCOMP_CODES.len()]
                };
                let k = match (r >> 16) & 3 {
                    0 => (r >> 32) as u32,
                    1 => (r >> 32) as u32 % 70,
                    _ => (r >> 32) as u32 % 8,
                };
                *insn = I::jump(code, k, (r >> 40) as u8 % 6, (r >> 48) as u8 % 6);
            }
            if state & 2 == 0 {
                prog[len - 1] = I::ret_a();
            }
            let data = SeccompData {
                nr: next(&mut state) as i32,
                arch: next(&mut state) as u32,
                instruction_pointer: next(&mut state),
                args: [0; 6].map(|_: u64| next(&mut state)),
            };
            let endian = if state & 1 == 0 {
                Endian::Little
            } else {
                Endian::Big
            };
            let out = simulate(&prog[..len], &data, endian);
            if verify(&prog[..len]).is_ok() {
                verified += 1;
                let out = out.expect("a verified program runs to a return");
                assert!(out.executed >= 1 && out.executed <= len);
            }
        }
        assert!(verified > 1000, "only {verified} verified programs");
    }

    const SECCOMP_CODES: [u16; 41] = crate::bpf::SECCOMP_OPCODES;
}
