//! Tests of the policy compiler, through whole policies.

use super::*;
use crate::bpf::{Action, simulate};
use crate::seccomp::policy::{MAX_CONDITIONS, Rule};
use crate::tables::Endian;

use crate::testing::{Rng, with_big_stack};

impl Rng {
    /// Values near the interesting edges of 32/64-bit comparisons.
    fn edgy(&mut self) -> u64 {
        const EDGES: [u64; 10] = [
            0,
            1,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            0x1_0000_0001,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            u64::MAX,
        ];
        match self.below(4) {
            0 => EDGES[self.below(10) as usize],
            1 => EDGES[self.below(10) as usize]
                .wrapping_add(self.below(3))
                .wrapping_sub(1),
            2 => self.below(16),
            _ => self.next(),
        }
    }
    fn action(&mut self) -> Action {
        match self.below(8) {
            0 => Action::KillProcess,
            1 => Action::KillThread,
            2 => Action::Trap(self.below(4) as u16),
            3 => Action::Errno(self.below(40) as u16),
            4 => Action::UserNotif,
            5 => Action::Trace(self.below(4) as u16),
            6 => Action::Log,
            _ => Action::Allow,
        }
    }
    fn condition(&mut self) -> Condition {
        let arg = self.below(6) as u8;
        let value = self.edgy();
        let cmp = match self.below(7) {
            0 => Cmp::Eq,
            1 => Cmp::Ne,
            2 => Cmp::Lt,
            3 => Cmp::Le,
            4 => Cmp::Gt,
            5 => Cmp::Ge,
            _ => Cmp::MaskedEq(self.edgy()),
        };
        if self.below(2) == 0 {
            Condition::arg32(arg, cmp, value as u32)
        } else {
            Condition::arg64(arg, cmp, value)
        }
    }
}

fn random_policy(rng: &mut Rng, abis: &[Abi]) -> Policy<64> {
    let mut p: Policy<64> = Policy::for_abis(abis, rng.action()).bad_arch(rng.action());
    if rng.below(2) == 0 {
        p = p.unknown(rng.action());
    }
    let syscalls = [
        Syscall::read,
        Syscall::write,
        Syscall::openat,
        Syscall::close,
        Syscall::mmap,
        Syscall::ioctl,
        Syscall::socket,
        Syscall::exit_group,
        Syscall::clone,
        Syscall::kill,
    ];
    let n = rng.below(40);
    for _ in 0..n {
        let s = if rng.below(3) == 0 {
            Syscall::ALL[rng.below(Syscall::COUNT as u64) as usize]
        } else {
            syscalls[rng.below(syscalls.len() as u64) as usize]
        };
        // Often repeat an earlier rule for another syscall, so that
        // identical rule lists (which share one block) are common.
        if !p.rules().is_empty() && rng.below(3) == 0 {
            let earlier = p.rules()[rng.below(p.rules().len() as u64) as usize];
            p = p.push(Rule::with(s, earlier.conditions(), earlier.action).unwrap());
            continue;
        }
        let k = rng.below(4) as usize;
        let conds: [Condition; 3] = [rng.condition(), rng.condition(), rng.condition()];
        p = p.push(Rule::with(s, &conds[..k.min(3)], rng.action()).unwrap());
    }
    p
}

fn data(rng: &mut Rng, abi: Abi, policy_syscalls: &[Rule]) -> SeccompData {
    let nr = match rng.below(6) {
        0 => rng.next() as u32,
        1 => abi.entries()[rng.below(abi.entries().len() as u64) as usize]
            .0
            .wrapping_add(rng.below(3) as u32),
        _ if !policy_syscalls.is_empty() => {
            let r = &policy_syscalls[rng.below(policy_syscalls.len() as u64) as usize];
            abi.number(r.syscall).unwrap_or(0)
        }
        _ => rng.below(500) as u32,
    };
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = rng.edgy();
    }
    // Often reuse a rule's own values, so conditions hold as often as not.
    if !policy_syscalls.is_empty() && rng.below(2) == 0 {
        let r = &policy_syscalls[rng.below(policy_syscalls.len() as u64) as usize];
        for c in r.conditions() {
            args[c.arg as usize] = if rng.below(2) == 0 {
                c.value
            } else {
                c.value.wrapping_add(1)
            };
        }
    }
    let arch = if rng.below(10) == 0 {
        rng.next() as u32
    } else {
        abi.audit_arch()
    };
    SeccompData {
        nr: nr as i32,
        arch,
        instruction_pointer: rng.next(),
        args,
    }
}

fn run(program: &[Instruction], d: &SeccompData, endian: Endian) -> Action {
    simulate(program, d, endian).unwrap().action
}

#[test]
fn compiled_programs_agree_with_the_policy_on_random_calls() {
    with_big_stack(agree_on_random_calls);
}

fn agree_on_random_calls() {
    let abi_sets: [&[Abi]; 6] = [
        &[Abi::X86_64],
        &[Abi::X86_64, Abi::X32, Abi::I386],
        &[Abi::Aarch64, Abi::Arm],
        &[Abi::Ppc64],
        &[Abi::Mips, Abi::Mips64N32],
        &[Abi::S390x, Abi::Riscv32],
    ];
    let mut rng = Rng(0x5ec1_0de0_0000_0001);
    let mut checked = 0;
    for round in 0..600 {
        let abis = abi_sets[round % abi_sets.len()];
        let policy = random_policy(&mut rng, abis);
        let program: Program = compile(&policy).unwrap();
        for _ in 0..200 {
            let abi = abis[rng.below(abis.len() as u64) as usize];
            let d = data(&mut rng, abi, policy.rules());
            let got = run(program.instructions(), &d, abi.endian());
            assert_eq!(got, policy.evaluate(&d), "round {round}: {d:?}\n{policy:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 120_000);
}

#[test]
fn x32_calls_get_the_bad_arch_action_unless_covered() {
    const P: Policy<1> = Policy::for_abis(&[Abi::X86_64], Action::Errno(1)).allow(Syscall::read);
    let program: Program = compile(&P).unwrap();
    let arch = Abi::X86_64.audit_arch();
    let x32_read = SeccompData::new(X32_SYSCALL_BIT as i32, arch);
    assert_eq!(
        run(program.instructions(), &x32_read, Endian::Little),
        Action::KillProcess
    );
    let high = SeccompData::new(-1, arch);
    assert_eq!(
        run(program.instructions(), &high, Endian::Little),
        Action::KillProcess
    );
    let read = SeccompData::new(0, arch);
    assert_eq!(
        run(program.instructions(), &read, Endian::Little),
        Action::Allow
    );

    const Q: Policy<1> =
        Policy::for_abis(&[Abi::X86_64, Abi::X32], Action::Errno(1)).allow(Syscall::read);
    let program: Program = compile(&Q).unwrap();
    assert_eq!(
        run(program.instructions(), &x32_read, Endian::Little),
        Action::Allow
    );
    let x32_write = SeccompData::new(X32_SYSCALL_BIT as i32 + 1, arch);
    assert_eq!(
        run(program.instructions(), &x32_write, Endian::Little),
        Action::Errno(1)
    );
}

/// Follows the program's path for `d`, recording every offset it loads.
fn loads_on_path(
    program: &[Instruction],
    d: &SeccompData,
    endian: Endian,
) -> heapless::Vec<u32, 64> {
    let mut loads = heapless::Vec::new();
    let (mut pc, mut a) = (0usize, 0u32);
    loop {
        let insn = program[pc];
        match op::class(insn.code) {
            op::LD => {
                loads.push(insn.k).unwrap();
                a = d.word_at(insn.k, endian);
                pc += 1;
            }
            op::ALU => {
                a &= insn.k;
                pc += 1;
            }
            op::RET => return loads,
            _ => {
                let taken = match op::op(insn.code) {
                    op::JA => {
                        pc += 1 + insn.k as usize;
                        continue;
                    }
                    op::JEQ => a == insn.k,
                    op::JGT => a > insn.k,
                    op::JGE => a >= insn.k,
                    _ => a & insn.k != 0,
                };
                pc += 1 + if taken { insn.jt } else { insn.jf } as usize;
            }
        }
    }
}

#[test]
fn unconditional_syscalls_are_decided_by_arch_and_nr_alone() {
    const P: Policy<8> = Policy::new(Action::Errno(1))
        .allow_all(&[
            Syscall::read,
            Syscall::write,
            Syscall::close,
            Syscall::exit_group,
        ])
        .rule(
            Syscall::mmap,
            &[Condition::arg64(2, Cmp::Eq, 3)],
            Action::Allow,
        );
    let program: Program = compile(&P).unwrap();
    for &(nr, syscall) in Abi::NATIVE.entries() {
        let d = SeccompData::new(nr as i32, Abi::NATIVE.audit_arch());
        let loads = loads_on_path(program.instructions(), &d, Abi::NATIVE.endian());
        if syscall == Syscall::mmap {
            assert!(
                loads.iter().any(|&o| o >= SeccompData::ARGS),
                "{syscall}: {loads:?}"
            );
        } else {
            assert_eq!(
                &loads[..],
                &[SeccompData::ARCH, SeccompData::NR],
                "{syscall}"
            );
        }
    }
}

#[test]
fn search_depth_is_logarithmic() {
    with_big_stack(search_depth);
}

fn search_depth() {
    // A 250-syscall allowlist: every call costs at most
    // ld arch + jeq + ld nr + ceil(log2 ranges) + ret.
    let mut p: Policy<250> = Policy::new(Action::Errno(1));
    for &(_, s) in Abi::NATIVE
        .entries()
        .iter()
        .step_by(Abi::NATIVE.entries().len() / 250 + 1)
        .take(250)
    {
        p = p.allow(s);
    }
    let program: Program = compile(&p).unwrap();
    let ranges = count_ranges(&p);
    let bound = 4 + (usize::BITS - (ranges - 1).leading_zeros()) as usize;
    let mut worst = 0;
    for nr in 0..600u32 {
        let d = SeccompData::new(nr as i32, Abi::NATIVE.audit_arch());
        let out = simulate(program.instructions(), &d, Abi::NATIVE.endian()).unwrap();
        worst = worst.max(out.executed);
    }
    assert!(
        worst <= bound,
        "worst {worst} > {bound} for {ranges} ranges"
    );
}

fn count_ranges<const P: usize>(policy: &Policy<P>) -> usize {
    let index = index_rules(policy);
    let mut ranges = Ranges {
        items: [NO_RANGE; MAX_RANGES],
        len: 0,
        overflow: false,
    };
    push_segment(&mut ranges, policy, &index, Abi::NATIVE, true, 0);
    if matches!(Abi::NATIVE, Abi::X86_64) {
        push_segment(
            &mut ranges,
            policy,
            &index,
            Abi::X32,
            false,
            X32_SYSCALL_BIT,
        );
    }
    ranges.len
}

/// A policy whose program is long: every syscall of the ABI gets rules
/// with wide conditions, so jumps from the search to the rule blocks are
/// far beyond 255 instructions.
/// Each syscall's rule tests a value of its own, so no two syscalls
/// share a block.
fn long_policy(syscalls: usize, conditions: usize) -> Policy<600> {
    let mut p: Policy<600> = Policy::new(Action::Errno(1));
    for (i, &(_, s)) in Abi::NATIVE.entries().iter().take(syscalls).enumerate() {
        let conds = [Condition::arg64(1, Cmp::Eq, long_value(i)); MAX_CONDITIONS];
        p = p.rule(s, &conds[..conditions], Action::Allow);
    }
    p
}

fn long_value(i: usize) -> u64 {
    0x1_0000_0007 + ((i as u64) << 8)
}

#[test]
fn far_jumps_use_trampolines_and_still_reach_their_targets() {
    with_big_stack(far_jumps);
}

fn far_jumps() {
    let p = long_policy(120, 2);
    let program: Program = compile(&p).unwrap();
    assert!(program.len() > 1000, "{}", program.len());
    let trampolines = program
        .instructions()
        .iter()
        .filter(|i| i.code == op::JMP | op::JA)
        .count();
    assert!(trampolines > 0, "expected JA trampolines");
    for (i, &(nr, _)) in Abi::NATIVE.entries().iter().take(120).enumerate() {
        let mut d = SeccompData::new(nr as i32, Abi::NATIVE.audit_arch());
        d.args[1] = long_value(i);
        assert_eq!(
            run(program.instructions(), &d, Abi::NATIVE.endian()),
            Action::Allow
        );
        d.args[1] = 7;
        assert_eq!(
            run(program.instructions(), &d, Abi::NATIVE.endian()),
            Action::Errno(1)
        );
    }
}

fn length(p: &Policy<600>) -> usize {
    compile::<600, 4096>(p)
        .map(|prog| prog.len())
        .unwrap_or(usize::MAX)
}

/// A policy whose program is exactly `len` long. Large steps (four
/// wide conditions on a new syscall) grow a base to somewhat below
/// `len`; then equalities on the argument the previous rule tested are
/// appended one by one (1 instruction each, as the reload is skipped,
/// or 2 when a new `ret` must be placed within jump reach). Bases of a
/// few different lengths are tried until one lands exactly.
fn policy_of_length(len: usize) -> Policy<600> {
    let entries = Abi::NATIVE.entries();
    for gap in 40..80 {
        let mut p: Policy<600> = Policy::new(Action::Errno(1)).rule(
            Syscall::getppid,
            &[Condition::arg32(1, Cmp::Eq, 1)],
            Action::Allow,
        );
        let mut i = 0usize;
        while length(&p) + gap < len && i < 20_000 {
            let s = entries[i % entries.len()].1;
            let bigger = p.rule(
                s,
                &[Condition::arg64(0, Cmp::Eq, 0x1_0000_0000 + i as u64); 4],
                Action::Errno(2),
            );
            if length(&bigger) + gap <= len {
                p = bigger;
            }
            i += 1;
        }
        let mut v = 2;
        while length(&p) < len {
            p = p.rule(
                Syscall::getppid,
                &[Condition::arg32(1, Cmp::Eq, v)],
                Action::Allow,
            );
            v += 1;
        }
        if length(&p) == len {
            return p;
        }
    }
    panic!("no policy of length {len} found");
}

#[test]
fn exactly_4096_instructions_compile_and_more_do_not() {
    with_big_stack(exactly_4096);
}

fn exactly_4096() {
    let p = policy_of_length(4096);
    let program: Program = compile(&p).unwrap();
    assert_eq!(program.len(), 4096);
    assert!(crate::bpf::verify(program.instructions()).is_ok());
    let longer = p.rule(
        Syscall::read,
        &[Condition::arg32(5, Cmp::Eq, 77)],
        Action::Allow,
    );
    assert_eq!(
        compile::<600, 4096>(&longer).unwrap_err(),
        CompileError::TooLong { capacity: 4096 }
    );
    // A larger capacity does not lift the kernel's limit.
    assert_eq!(
        compile::<600, 8192>(&longer).unwrap_err(),
        CompileError::TooLong { capacity: 4096 }
    );
}

#[test]
fn capacity_is_exact() {
    with_big_stack(capacity);
}

fn capacity() {
    let p = long_policy(3, 1);
    let len = compile::<600, 4096>(&p).unwrap().len();
    assert_eq!(compile::<600, 512>(&p).unwrap().len(), len);
    let ok = compile_with_capacity(&p, len);
    assert!(ok, "capacity == length must compile");
    assert!(!compile_with_capacity(&p, len - 1));
}

fn compile_with_capacity(p: &Policy<600>, cap: usize) -> bool {
    // Program capacity is a const generic: try the few we need.
    macro_rules! try_caps {
        ($($n:literal)*) => {
            match cap {
                $($n => compile::<600, $n>(p).is_ok(),)*
                _ => panic!("no capacity {cap} in the list"),
            }
        };
    }
    try_caps!(20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40)
}

#[test]
fn rules_after_an_unconditional_rule_are_not_emitted() {
    let base: Policy<3> = Policy::new(Action::Errno(1))
        .rule(
            Syscall::getppid,
            &[Condition::arg32(0, Cmp::Eq, 1)],
            Action::Allow,
        )
        .action(Syscall::getppid, Action::Errno(2));
    let dead = base.rule(
        Syscall::getppid,
        &[Condition::arg32(0, Cmp::Eq, 3)],
        Action::Log,
    );
    let a: Program = compile(&base).unwrap();
    let b: Program = compile(&dead).unwrap();
    assert_eq!(a.instructions(), b.instructions());
    let d = SeccompData::new(
        Abi::NATIVE.number(Syscall::getppid).unwrap() as i32,
        Abi::NATIVE.audit_arch(),
    )
    .with_arg(0, 3);
    assert_eq!(
        run(b.instructions(), &d, Abi::NATIVE.endian()),
        Action::Errno(2)
    );
    assert_eq!(dead.evaluate(&d), Action::Errno(2));
}

#[test]
fn syscalls_with_identical_rules_share_one_block() {
    let no_exec = [Condition::arg64(2, Cmp::MaskedEq(0x4), 0)];
    let one: Policy<2> = Policy::new(Action::Errno(1)).rule(Syscall::mmap, &no_exec, Action::Allow);
    let two = one.rule(Syscall::mprotect, &no_exec, Action::Allow);
    let different = one.rule(
        Syscall::mprotect,
        &[Condition::arg64(2, Cmp::MaskedEq(0x2), 0)],
        Action::Allow,
    );
    let len = |p: &Policy<2>| compile::<2, 4096>(p).unwrap().len();
    // mprotect adds only its ranges to the search, not a second block...
    let shared_cost = len(&two) - len(&one);
    let own_cost = len(&different) - len(&one);
    assert_eq!(own_cost, shared_cost + 2, "a block of its own is ld + jset");
    // ...and both still decide correctly.
    let program: Program = compile(&two).unwrap();
    for s in [Syscall::mmap, Syscall::mprotect] {
        let d = SeccompData::new(
            Abi::NATIVE.number(s).unwrap() as i32,
            Abi::NATIVE.audit_arch(),
        );
        assert_eq!(
            run(
                program.instructions(),
                &d.with_arg(2, 3),
                Abi::NATIVE.endian()
            ),
            Action::Allow
        );
        assert_eq!(
            run(
                program.instructions(),
                &d.with_arg(2, 7),
                Abi::NATIVE.endian()
            ),
            Action::Errno(1)
        );
    }
}

/// 300 rules, each testing a value of its own, compiled while the
/// tests compile: if compile-time cost grows (quadratic scans),
/// rustc's long-running const evaluation error stops the build.
const fn three_hundred_rules() -> Policy<300> {
    let mut policy = Policy::new(Action::Errno(1));
    let mut i = 0;
    while i < 300 {
        let c = Condition::arg64(0, Cmp::Eq, (1 << 32) + i as u64);
        policy = policy.rule(Syscall::ALL[i], &[c], Action::Allow);
        i += 1;
    }
    policy
}
static THREE_HUNDRED: &[Instruction] = crate::seccomp_program!(three_hundred_rules());

#[test]
fn a_300_rule_policy_compiles_at_compile_time() {
    assert!(THREE_HUNDRED.len() > 1000, "{}", THREE_HUNDRED.len());
    let at_run_time: Program = compile(&three_hundred_rules()).unwrap();
    assert_eq!(THREE_HUNDRED, at_run_time.instructions());
}

/// The first try's small emitter and the full one give the same code
/// whenever it fits the small one; a program too long for it is
/// compiled again, not refused.
#[test]
fn the_emitter_room_changes_no_program() {
    with_big_stack(|| {
        let mut rng = Rng(0x5ec1_0de0_0000_0002);
        for round in 0..200 {
            let policy = random_policy(&mut rng, &[Abi::X86_64, Abi::X32, Abi::I386]);
            let index = index_rules(&policy);
            let mut small: Program = Program {
                insns: [Instruction::stmt(0, 0); MAX_INSNS],
                len: 0,
            };
            let mut full = small;
            let fitted = emit::<64, MAX_INSNS, EMIT_FIRST>(&policy, &index, &mut small);
            assert_eq!(fitted, Ok(true), "round {round}");
            assert_eq!(
                emit::<64, MAX_INSNS, EMIT_CAPACITY>(&policy, &index, &mut full),
                Ok(true)
            );
            assert_eq!(small.instructions(), full.instructions(), "round {round}");
        }
        let long = long_policy(120, 2);
        let index = index_rules(&long);
        let mut program: Program = Program {
            insns: [Instruction::stmt(0, 0); MAX_INSNS],
            len: 0,
        };
        assert_eq!(
            emit::<600, MAX_INSNS, EMIT_FIRST>(&long, &index, &mut program),
            Ok(false)
        );
        let compiled: Program = compile(&long).unwrap();
        assert!(compiled.len() > EMIT_FIRST, "{}", compiled.len());
    });
}

#[test]
fn policy_errors_surface_at_compile() {
    let p: Policy<1> = Policy::new(Action::Allow)
        .allow(Syscall::read)
        .allow(Syscall::write);
    assert_eq!(
        compile::<1, 64>(&p).unwrap_err(),
        CompileError::Policy(PolicyError::TooManyRules { capacity: 1 })
    );
}

#[test]
fn const_compilation_matches_run_time_compilation() {
    const P: Policy<4> = Policy::for_abis(&[Abi::X86_64, Abi::I386], Action::Errno(1))
        .allow(Syscall::read)
        .rule(
            Syscall::write,
            &[Condition::arg32(0, Cmp::Le, 2)],
            Action::Allow,
        );
    static AT_COMPILE_TIME: &[Instruction] = crate::seccomp_program!(P);
    let at_run_time: Program = compile(&P).unwrap();
    assert_eq!(AT_COMPILE_TIME, at_run_time.instructions());
}

#[test]
fn compat_abis_use_their_own_numbers() {
    const P: Policy<2> = Policy::for_abis(&[Abi::X86_64, Abi::I386], Action::Errno(1))
        .allow(Syscall::socketcall)
        .allow(Syscall::getpid);
    let program: Program = compile(&P).unwrap();
    let i386 = |name| {
        SeccompData::new(
            Abi::I386.number_of(name).unwrap() as i32,
            Abi::I386.audit_arch(),
        )
    };
    assert_eq!(
        run(program.instructions(), &i386("socketcall"), Endian::Little),
        Action::Allow
    );
    assert_eq!(
        run(program.instructions(), &i386("getpid"), Endian::Little),
        Action::Allow
    );
    // i386 getpid is 20, which on x86-64 is writev: not allowed there.
    let x86_64_20 = SeccompData::new(20, Abi::X86_64.audit_arch());
    assert_eq!(
        run(program.instructions(), &x86_64_20, Endian::Little),
        Action::Errno(1)
    );
}
