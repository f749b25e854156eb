//! [`Listing`]: a disassembler for seccomp filters.

use super::action::Action;
use super::insn::{Instruction, MAX_INSNS, op};
use super::seccomp_data::{Field, SeccompData};
use crate::tables::{Abi, Endian};
use core::fmt;

/// A disassembly of a program, written straight to a formatter by its
/// `Display` implementation (no allocation).
///
/// One line per instruction, `NNNN: mnemonic operands`, in the classic
/// `bpf_asm` syntax with seccomp's names for the loaded words and actions:
///
/// ```text
/// 0000: ld [arch]
/// 0001: jeq #0xc000003e, 0002, 0005  ; x86_64
/// 0002: ld [nr]
/// 0003: jeq #257, 0004, 0005  ; openat
/// 0004: ret ERRNO(13)
/// 0005: ret ALLOW
/// ```
///
/// Jump targets are absolute line numbers. A comparison of `arch` is
/// commented with the ABI it matches; given an ABI
/// ([`Listing::abi`]), a comparison of `nr` is commented with the syscall's
/// name. The listing knows what A holds by following every path to an
/// instruction: the comment appears only where A holds `nr` (or `arch`) on
/// all of them.
///
/// ```
/// use seclude::bpf::{Action, Instruction as I, Listing, SeccompData};
/// use seclude::tables::Abi;
/// use core::fmt::Write;
///
/// let prog = [
///     I::load_word(SeccompData::NR),
///     I::jeq(59, 0, 1),
///     I::ret(Action::KillProcess.to_ret()),
///     I::ret(Action::Allow.to_ret()),
/// ];
/// let mut out = heapless::String::<256>::new();
/// write!(out, "{}", Listing::new(&prog).abi(Abi::X86_64)).unwrap();
/// assert_eq!(out, "0000: ld [nr]\n0001: jeq #59, 0002, 0003  ; execve\n0002: ret KILL_PROCESS\n0003: ret ALLOW\n");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Listing<'a> {
    prog: &'a [Instruction],
    abi: Option<Abi>,
    endian: Endian,
}

impl<'a> Listing<'a> {
    /// A listing of `prog`, naming argument words in the byte order of the
    /// ABI the crate is compiled for, with no syscall names.
    ///
    /// ```
    /// let prog = [seclude::bpf::Instruction::ret_a()];
    /// let _ = seclude::bpf::Listing::new(&prog);
    /// ```
    pub const fn new(prog: &'a [Instruction]) -> Listing<'a> {
        Listing {
            prog,
            abi: None,
            endian: Abi::NATIVE.endian(),
        }
    }

    /// Names syscalls in comparisons of `nr` with `abi`'s numbers, and
    /// names argument words in `abi`'s byte order.
    ///
    /// ```
    /// use seclude::{bpf::{Instruction as I, Listing}, tables::{Abi, Endian}};
    /// use core::fmt::Write;
    /// let prog = [I::load_word(16), I::ret_a()];
    /// let mut out = heapless::String::<64>::new();
    /// write!(out, "{}", Listing::new(&prog).abi(Abi::S390x)).unwrap();
    /// assert_eq!(out, "0000: ld [args[0].hi]\n0001: ret a\n");
    /// ```
    pub const fn abi(mut self, abi: Abi) -> Listing<'a> {
        self.abi = Some(abi);
        self.endian = abi.endian();
        self
    }

    /// Names argument words in byte order `endian` (after [`abi`](Self::abi),
    /// this overrides the ABI's byte order).
    ///
    /// ```
    /// use seclude::{bpf::{Instruction as I, Listing}, tables::Endian};
    /// use core::fmt::Write;
    /// let prog = [I::load_word(16), I::ret_a()];
    /// let mut out = heapless::String::<64>::new();
    /// write!(out, "{}", Listing::new(&prog).endian(Endian::Little)).unwrap();
    /// assert_eq!(out, "0000: ld [args[0].lo]\n0001: ret a\n");
    /// ```
    pub const fn endian(mut self, endian: Endian) -> Listing<'a> {
        self.endian = endian;
        self
    }
}

/// What the accumulator holds when an instruction starts, over all paths.
const UNREACHED: u8 = 0;
const HOLDS_NR: u8 = 1;
const HOLDS_ARCH: u8 = 2;
const UNKNOWN: u8 = 3;

const fn meet(a: u8, b: u8) -> u8 {
    if a == UNREACHED {
        b
    } else if b == UNREACHED || a == b {
        a
    } else {
        UNKNOWN
    }
}

/// An immediate: decimal below 0x10000, hexadecimal above.
struct Imm(u32);

impl fmt::Display for Imm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0x1_0000 {
            write!(f, "#{}", self.0)
        } else {
            write!(f, "#{:#010x}", self.0)
        }
    }
}

/// An absolute jump target.
struct Target(u64);

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

const fn alu_name(operation: u16) -> Option<&'static str> {
    Some(match operation {
        op::ADD => "add",
        op::SUB => "sub",
        op::MUL => "mul",
        op::DIV => "div",
        op::OR => "or",
        op::AND => "and",
        op::LSH => "lsh",
        op::RSH => "rsh",
        op::MOD => "mod",
        op::XOR => "xor",
        _ => return None,
    })
}

const fn jump_name(operation: u16) -> Option<&'static str> {
    Some(match operation {
        op::JEQ => "jeq",
        op::JGT => "jgt",
        op::JGE => "jge",
        op::JSET => "jset",
        _ => return None,
    })
}

impl Listing<'_> {
    /// Writes one instruction, without its line number or comment.
    fn mnemonic(&self, f: &mut fmt::Formatter<'_>, pc: usize, insn: Instruction) -> fmt::Result {
        let Instruction { code, jt, jf, k } = insn;
        let at = |off: u64| Target(pc as u64 + 1 + off);
        let invalid = |f: &mut fmt::Formatter<'_>| {
            write!(f, ".invalid code={code:#06x} jt={jt} jf={jf} k={k:#010x}")
        };
        if code > 0xff {
            return invalid(f);
        }
        match code {
            0x20 => match SeccompData::field_at(k, self.endian) {
                Some(field) => write!(f, "ld [{field}]"),
                None => write!(f, "ld [{k}]"),
            },
            0x28 => write!(f, "ldh [{k}]"),
            0x30 => write!(f, "ldb [{k}]"),
            0x40 => write!(f, "ld [x + {k}]"),
            0x48 => write!(f, "ldh [x + {k}]"),
            0x50 => write!(f, "ldb [x + {k}]"),
            0xb1 => write!(f, "ldxb 4*([{k}]&0xf)"),
            0x00 => write!(f, "ld {}", Imm(k)),
            0x01 => write!(f, "ldx {}", Imm(k)),
            0x80 => f.write_str("ld #len"),
            0x81 => f.write_str("ldx #len"),
            0x60 => write!(f, "ld M[{k}]"),
            0x61 => write!(f, "ldx M[{k}]"),
            0x02 => write!(f, "st M[{k}]"),
            0x03 => write!(f, "stx M[{k}]"),
            0x07 => f.write_str("tax"),
            0x87 => f.write_str("txa"),
            0x84 => f.write_str("neg"),
            0x16 => f.write_str("ret a"),
            0x06 => {
                let action = Action::from_ret(k);
                if action.to_ret() == k {
                    write!(f, "ret {action}")
                } else {
                    // Data the action ignores, or an unknown action value.
                    write!(f, "ret #{k:#010x} ({action})")
                }
            }
            0x05 => write!(f, "ja {}", at(k as u64)),
            _ => match op::class(code) {
                op::ALU => match alu_name(op::op(code)) {
                    Some(name) if op::src(code) == op::K => write!(f, "{name} {}", Imm(k)),
                    Some(name) if code & 0x07 == op::ALU => write!(f, "{name} x"),
                    _ => invalid(f),
                },
                op::JMP if insn.is_conditional_jump() => {
                    let name = match jump_name(op::op(code)) {
                        Some(name) => name,
                        None => return invalid(f),
                    };
                    if op::src(code) == op::K {
                        write!(f, "{name} {}, ", Imm(k))?;
                    } else {
                        write!(f, "{name} x, ")?;
                    }
                    write!(f, "{}, {}", at(jt as u64), at(jf as u64))
                }
                _ => invalid(f),
            },
        }
    }

    /// Writes the comment for a comparison of `k` with what A holds.
    fn comment(&self, f: &mut fmt::Formatter<'_>, holds: u8, k: u32) -> fmt::Result {
        match holds {
            HOLDS_NR => {
                if let Some(abi) = self.abi {
                    if let Some(call) = abi.syscall(k) {
                        write!(f, "  ; {}", call.name())?;
                    }
                }
                Ok(())
            }
            HOLDS_ARCH => {
                let named = match self.abi {
                    Some(abi) if abi.audit_arch() == k => Some(abi),
                    _ => {
                        let mut found = None;
                        let mut i = 0;
                        while i < Abi::ALL.len() {
                            if Abi::ALL[i].audit_arch() == k {
                                found = Some(Abi::ALL[i]);
                                break;
                            }
                            i += 1;
                        }
                        found
                    }
                };
                match named {
                    Some(abi) => write!(f, "  ; {}", abi.name()),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prog = self.prog;
        // What A holds at each instruction; jumps only go forward, so one
        // pass sees every predecessor of an instruction before it.
        let tracked = if prog.len() < MAX_INSNS {
            prog.len()
        } else {
            MAX_INSNS
        };
        let mut holds = [UNREACHED; MAX_INSNS];
        if tracked > 0 {
            holds[0] = UNKNOWN;
        }
        let flow = |holds: &mut [u8; MAX_INSNS], to: u64, state: u8| {
            if to < tracked as u64 {
                holds[to as usize] = meet(holds[to as usize], state);
            }
        };
        for (pc, &insn) in prog.iter().enumerate() {
            let state = if pc < tracked { holds[pc] } else { UNKNOWN };
            write!(f, "{pc:04}: ")?;
            self.mnemonic(f, pc, insn)?;
            let compares_k = matches!(insn.code, 0x15 | 0x25 | 0x35);
            if compares_k {
                self.comment(f, state, insn.k)?;
            }
            f.write_str("\n")?;

            let after = match insn.code {
                0x20 => match SeccompData::field_at(insn.k, self.endian) {
                    Some(Field::Nr) => HOLDS_NR,
                    Some(Field::Arch) => HOLDS_ARCH,
                    _ => UNKNOWN,
                },
                // Everything else that writes A: loads, ALU, txa.
                c if c <= 0xff
                    && (op::class(c) == op::LD || op::class(c) == op::ALU || c == 0x87) =>
                {
                    UNKNOWN
                }
                _ => state,
            };
            let after = if state == UNREACHED { UNREACHED } else { after };
            let next = pc as u64 + 1;
            if insn.is_conditional_jump() {
                flow(&mut holds, next + insn.jt as u64, after);
                flow(&mut holds, next + insn.jf as u64, after);
            } else if insn.code == op::JMP | op::JA {
                flow(&mut holds, next + insn.k as u64, after);
            } else if !insn.is_return() {
                flow(&mut holds, next, after);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Instruction as I;
    use core::fmt::Write;

    fn listing(l: Listing<'_>) -> heapless::String<4096> {
        let mut out = heapless::String::new();
        write!(out, "{l}").unwrap();
        out
    }

    #[test]
    fn golden_listing_of_a_small_filter() {
        let nr = |name| Abi::X86_64.number_of(name).unwrap();
        let prog = [
            I::load_word(SeccompData::ARCH),
            I::jeq(Abi::X86_64.audit_arch(), 1, 0),
            I::ret(Action::KillProcess.to_ret()),
            I::load_word(SeccompData::NR),
            I::jge(crate::tables::X32_SYSCALL_BIT, 8, 0),
            I::jeq(nr("openat"), 2, 0),
            I::jeq(nr("read"), 6, 0),
            I::ja(4),
            I::load_word(SeccompData::arg_lo(2, Endian::Little)),
            I::jset(3, 0, 2),
            I::ret(Action::Errno(13).to_ret()),
            I::ret(0x7fff_0001),
            I::ret(Action::Trap(1).to_ret()),
            I::ret(Action::Allow.to_ret()),
        ];
        let expected = "\
0000: ld [arch]
0001: jeq #0xc000003e, 0003, 0002  ; x86_64
0002: ret KILL_PROCESS
0003: ld [nr]
0004: jge #0x40000000, 0013, 0005
0005: jeq #257, 0008, 0006  ; openat
0006: jeq #0, 0013, 0007  ; read
0007: ja 0012
0008: ld [args[2].lo]
0009: jset #3, 0010, 0012
0010: ret ERRNO(13)
0011: ret #0x7fff0001 (ALLOW)
0012: ret TRAP(1)
0013: ret ALLOW
";
        assert_eq!(listing(Listing::new(&prog).abi(Abi::X86_64)), expected);
    }

    #[test]
    fn no_syscall_names_without_an_abi() {
        let prog = [I::load_word(0), I::jeq(257, 0, 0), I::ret_a()];
        assert_eq!(
            listing(Listing::new(&prog)),
            "0000: ld [nr]\n0001: jeq #257, 0002, 0002\n0002: ret a\n"
        );
    }

    #[test]
    fn names_only_where_every_path_holds_nr() {
        // 0003 is reached with A = nr (from 0001) and A = 7 (from 0002).
        let prog = [
            I::load_word(0),
            I::jeq(1, 1, 0),
            I::load_imm(7),
            I::jeq(0, 0, 0),
            I::ret_a(),
        ];
        let out = listing(Listing::new(&prog).abi(Abi::X86_64));
        assert!(out.contains("0001: jeq #1, 0003, 0002  ; write\n"), "{out}");
        assert!(out.contains("0003: jeq #0, 0004, 0004\n"), "{out}");
    }

    #[test]
    fn every_opcode_has_a_line() {
        let mut prog = [I::ret_a(); 300];
        for (i, insn) in prog.iter_mut().enumerate() {
            *insn = I::jump(i as u16, 0xffff_ffff, 255, 255);
        }
        let mut big: heapless::String<65536> = heapless::String::new();
        write!(big, "{}", Listing::new(&prog)).unwrap();
        assert_eq!(big.lines().count(), 300);
        assert!(big.contains("0257: .invalid code=0x0101 jt=255 jf=255 k=0xffffffff\n"));
        assert!(big.contains("0005: ja 4294967301\n"));
        assert!(big.contains("0080: ldb [x + 4294967295]\n"));
        assert!(big.contains("0148: mod #0xffffffff\n"));
        assert!(big.contains("0021: jeq #0xffffffff, 0277, 0277\n"));
    }
}
