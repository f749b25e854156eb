//! [`kernel_caches_allow`]: which calls the kernel lets through without
//! running a filter at all.
//!
//! Since Linux 5.11 the kernel keeps, per filter and per architecture, a
//! bitmap of the system calls the filter allows whatever their arguments
//! (`seccomp_cache_prepare`). It fills it when the filter is loaded by
//! walking the program once per call number with only `nr` and `arch`
//! known; a call in the bitmap then costs seccomp's entry path and
//! nothing else. A call the walk cannot decide (the program loads an
//! argument or the instruction pointer, or uses an instruction the walk
//! does not follow) runs the filter every time it is made: about
//! 25 to 35 ns more a call on the machine `BENCHMARKS.md` was measured on.
//! With stacked filters a call is cached only if every filter caches it.

use super::action::RET_ALLOW;
use super::insn::{Instruction, op};
use super::seccomp_data::SeccompData;

/// Whether the kernel's action cache lets call `nr` of architecture
/// `arch` through without running `program`: the same walk as the
/// kernel's `seccomp_is_const_allow`. It follows loads of `nr` and `arch`
/// (any other load, of an argument or the instruction pointer, ends it
/// undecided), constant jumps and comparisons, and `and` with a constant
/// (anything else ends it undecided), up to a return; only a return of
/// `SECCOMP_RET_ALLOW` is cached. A walk that runs off the end, or a jump
/// past it, is undecided.
///
/// The kernel consults the cache only for its native architecture and,
/// where it has one, its compat architecture (i386 on x86-64, arm on
/// AArch64), for numbers below the size of that architecture's table;
/// x32 calls (numbers from `0x4000_0000`) and calls of other
/// architectures always run the filter. Kernels that exempt `uretprobe`
/// from seccomp (a later addition) let it through whatever the program;
/// this walk knows nothing of that.
///
/// ```
/// use seclude::bpf::{kernel_caches_allow, Action, Instruction as I, SeccompData};
/// use seclude::tables::{Abi, Syscall};
///
/// const ABI: Abi = Abi::X86_64;
/// let read = ABI.number(Syscall::read).unwrap();
/// let write = ABI.number(Syscall::write).unwrap();
/// let program = [
///     I::load_word(SeccompData::ARCH),
///     I::jeq(ABI.audit_arch(), 1, 0),
///     I::ret(Action::KillProcess.to_ret()),
///     I::load_word(SeccompData::NR),
///     I::jeq(read, 0, 1),
///     I::ret(Action::Allow.to_ret()), // read: decided by nr alone
///     I::jeq(write, 0, 3),
///     I::load_word(SeccompData::arg_lo(0, ABI.endian())),
///     I::jeq(1, 0, 1), // write: only to standard output
///     I::ret(Action::Allow.to_ret()),
///     I::ret(Action::Errno(1).to_ret()),
/// ];
/// assert!(kernel_caches_allow(&program, ABI.audit_arch(), read));
/// assert!(!kernel_caches_allow(&program, ABI.audit_arch(), write)); // reads an argument
/// assert!(!kernel_caches_allow(&program, ABI.audit_arch(), 9999)); // refused
/// assert!(!kernel_caches_allow(&program, 0, read)); // another architecture: killed
/// ```
pub const fn kernel_caches_allow(program: &[Instruction], arch: u32, nr: u32) -> bool {
    let mut a = 0u32;
    let mut pc = 0usize;
    while pc < program.len() {
        let insn = program[pc];
        let code = insn.code;
        if code == op::LD | op::W | op::ABS {
            a = if insn.k == SeccompData::NR {
                nr
            } else if insn.k == SeccompData::ARCH {
                arch
            } else {
                return false;
            };
        } else if code == op::RET | op::K {
            return insn.k == RET_ALLOW;
        } else if code == op::JMP | op::JA {
            // Past the end: run off it. (Added to `pc` unchecked, a `k`
            // near `u32::MAX` wraps on 32-bit hosts: back into the
            // program, or onto this jump for ever.)
            if insn.k as usize >= program.len() - pc {
                return false;
            }
            pc += insn.k as usize;
        } else if code == op::ALU | op::AND | op::K {
            a &= insn.k;
        } else if code == op::JMP | op::JEQ | op::K
            || code == op::JMP | op::JGT | op::K
            || code == op::JMP | op::JGE | op::K
            || code == op::JMP | op::JSET | op::K
        {
            // The kernel's cases, code for code: `op::op` ignores the
            // bits above the low byte, which the kernel's walk does not.
            let taken = match op::op(code) {
                op::JEQ => a == insn.k,
                op::JGT => a > insn.k,
                op::JGE => a >= insn.k,
                _ => a & insn.k != 0,
            };
            pc += if taken { insn.jt } else { insn.jf } as usize;
        } else {
            return false;
        }
        pc += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::Action;

    const ARCH: u32 = 0xc000_003e;
    const ALLOW: Instruction = Instruction::ret(RET_ALLOW);

    /// `prefix`, then a return of `Allow`.
    fn then_allow(prefix: &[Instruction]) -> std::vec::Vec<Instruction> {
        let mut p = prefix.to_vec();
        p.push(ALLOW);
        p
    }

    #[test]
    fn only_an_allow_reached_from_nr_and_arch_is_cached() {
        assert!(kernel_caches_allow(&[ALLOW], ARCH, 0));
        assert!(!kernel_caches_allow(
            &[Instruction::ret(Action::Log.to_ret())],
            ARCH,
            0
        ));
        assert!(!kernel_caches_allow(
            &[Instruction::ret(Action::UserNotif.to_ret())],
            ARCH,
            0
        ));
        let nr_then_allow = then_allow(&[Instruction::load_word(SeccompData::NR)]);
        assert!(kernel_caches_allow(&nr_then_allow, ARCH, 5));
        for offset in [
            SeccompData::IP,
            SeccompData::IP + 4,
            SeccompData::ARGS,
            SeccompData::ARGS + 44,
        ] {
            let p = then_allow(&[Instruction::load_word(offset)]);
            assert!(!kernel_caches_allow(&p, ARCH, 5), "ld [{offset}]");
        }
    }

    #[test]
    fn instructions_the_walk_does_not_follow_leave_the_call_uncached() {
        let not_followed = [
            Instruction::tax(),
            Instruction::txa(),
            Instruction::store(0),
            Instruction::load_mem(0),
            Instruction::load_imm(7),
            Instruction::alu_or(1),
            Instruction::alu_add(1),
            Instruction::jeq_x(0, 0),
        ];
        for insn in not_followed {
            let p = then_allow(&[Instruction::load_word(SeccompData::NR), insn]);
            assert!(!kernel_caches_allow(&p, ARCH, 5), "{:#x}", insn.code);
        }
        // `and` with a constant is followed, and changes what is compared.
        let masked = [
            Instruction::load_word(SeccompData::NR),
            Instruction::alu_and(0xf),
            Instruction::jeq(5, 0, 1),
            ALLOW,
            Instruction::ret(Action::Errno(1).to_ret()),
        ];
        assert!(kernel_caches_allow(&masked, ARCH, 0x15));
        assert!(!kernel_caches_allow(&masked, ARCH, 0x16));
    }

    #[test]
    fn jumps_are_followed_as_the_kernel_runs_them() {
        let p = [
            Instruction::load_word(SeccompData::NR),
            Instruction::jge(10, 0, 3), // < 10: to the errno
            Instruction::jgt(20, 1, 0), // > 20: to `ja`
            ALLOW,                      // 10..=20
            Instruction::ja(1),         // skip the errno
            Instruction::ret(Action::Errno(1).to_ret()),
            Instruction::jset(1, 0, 1), // > 20: odd ones allowed
            ALLOW,
            Instruction::ret(Action::Errno(2).to_ret()),
        ];
        let cached: std::vec::Vec<u32> = (0..30)
            .filter(|&nr| kernel_caches_allow(&p, ARCH, nr))
            .collect();
        assert_eq!(
            cached,
            [
                10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 25, 27, 29
            ]
        );
    }

    #[test]
    fn a_walk_off_the_end_is_not_cached() {
        let p = [Instruction::load_word(SeccompData::NR), Instruction::ja(5)];
        assert!(!kernel_caches_allow(&p, ARCH, 0));
        assert!(!kernel_caches_allow(&[], ARCH, 0));
        // However far: never wrapped back into the program.
        for k in [1, u32::MAX - 1, u32::MAX] {
            let p = [Instruction::ja(k), ALLOW];
            assert!(!kernel_caches_allow(&p, ARCH, 0), "ja {k}");
        }
        assert!(kernel_caches_allow(&[Instruction::ja(0), ALLOW], ARCH, 0));
    }

    #[test]
    fn only_the_kernels_codes_are_followed() {
        // JEQ|K with a bit above the low byte: not a code the kernel's
        // walk knows (nor one its loader takes).
        let mut odd = Instruction::jeq(5, 0, 1);
        odd.code |= 0x100;
        let p = [Instruction::load_word(SeccompData::NR), odd, ALLOW, ALLOW];
        assert!(!kernel_caches_allow(&p, ARCH, 5));
        let mut even = odd;
        even.code &= 0xff;
        let p = [Instruction::load_word(SeccompData::NR), even, ALLOW, ALLOW];
        assert!(kernel_caches_allow(&p, ARCH, 5));
    }
}
