//! Writes the seed corpus under `fuzz/corpus/<target>/`.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --features seeds --bin make_seeds
//!
//! With `--check`, writes nothing and fails if a committed seed differs
//! from what this program generates (e.g. after a format change).
//!
//! Every `compile_policy` seed is encoded in the derived `Arbitrary` format
//! and decoded back here; the program stops if the decoded description is
//! not the one encoded, so the seeds mean what they say.

use arbitrary::{Arbitrary, Unstructured};
use seclude::bpf::{Action, Instruction as I, SeccompData, op};
use seclude::seccomp::compile;
use seclude::tables::{Abi, Syscall};
use seclude_fuzz::{
    ABI_SETS, ActionDesc as A, CAPACITY, CmpDesc as C, ConditionDesc, Encode, FLAG_BIG_ENDIAN,
    FLAG_SHAPED, Form, HOT, HOT_LIMIT, NrDesc, Pin, PolicyInput, ProbeDesc, RuleDesc,
    ValueDesc as V, build, encode_raw,
};
use std::path::{Path, PathBuf};

/// The `abi_set` byte selecting exactly `abis`.
fn set(abis: &[Abi]) -> u8 {
    let i = ABI_SETS
        .iter()
        .position(|s| *s == abis)
        .expect("listed ABI set");
    if i < seclude_fuzz::REALISTIC_SETS {
        i as u8
    } else {
        let odd = ABI_SETS.len() - seclude_fuzz::REALISTIC_SETS;
        (240..=255u8)
            .find(|b| seclude_fuzz::REALISTIC_SETS + *b as usize % odd == i)
            .unwrap()
    }
}

fn sys(s: Syscall) -> u16 {
    match HOT.iter().position(|&h| h == s) {
        Some(i) => i as u16,
        None => HOT_LIMIT + Syscall::ALL.iter().position(|&x| x == s).unwrap() as u16,
    }
}

fn cond(arg: u8, form: Form, cmp: C, value: u64) -> ConditionDesc {
    ConditionDesc {
        arg,
        form,
        cmp,
        value: exact(value),
    }
}

/// A value: an edge when it is one, else small or raw.
fn exact(v: u64) -> V {
    if let Some(i) = seclude_fuzz::EDGES.iter().position(|&e| e == v) {
        V::Edge(i as u8, 0)
    } else if v < 256 {
        V::Small(v as u8)
    } else {
        V::Raw(v)
    }
}

fn rule(s: Syscall, action: A, conditions: Vec<ConditionDesc>) -> RuleDesc {
    RuleDesc {
        syscall: sys(s),
        action,
        via_push: conditions.len() % 2 == 0,
        conditions,
    }
}

fn masked(mask: u64) -> C {
    C::MaskedEq(exact(mask))
}

/// A probe of rule `r`'s syscall on policy ABI `abi`, arguments pinned to
/// the rule's values (±1 by `delta`), other arguments `args`.
fn on_rule(r: u8, abi: u8, delta: u8, args: [u64; 6]) -> ProbeDesc {
    ProbeDesc {
        nr: NrDesc::OfRule {
            rule: r,
            abi,
            delta: 0,
        },
        arch_sel: abi,
        arch_raw: 0,
        ip: 0x7fff_0000_1000,
        args: args.map(exact),
        pin: Some(Pin { rule: r, delta }),
    }
}

/// A probe of number `nr` on policy ABI `abi` (`arch_sel` < 200), or with
/// a raw `arch` (`arch_sel` >= 240).
fn raw_probe(nr: u32, arch_sel: u8, arch: u32, args: [u64; 6]) -> ProbeDesc {
    ProbeDesc {
        nr: NrDesc::Raw(nr),
        arch_sel,
        arch_raw: arch,
        ip: 0,
        args: args.map(exact),
        pin: None,
    }
}

fn table_probe(abi: Abi, index: u16) -> ProbeDesc {
    ProbeDesc {
        nr: NrDesc::OfTable {
            abi: Abi::ALL.iter().position(|&a| a == abi).unwrap() as u8,
            index,
        },
        arch_sel: 200 + Abi::ALL.iter().position(|&a| a == abi).unwrap() as u8,
        arch_raw: 0,
        ip: 0,
        args: [0; 6].map(exact),
        pin: None,
    }
}

/// Pinned probes for every rule on every ABI, exact and off by one.
fn all_rules(n: usize, abis: usize) -> Vec<ProbeDesc> {
    let mut v = Vec::new();
    for r in 0..n as u8 {
        for a in 0..abis as u8 {
            v.push(on_rule(r, a, 0, [0; 6]));
            v.push(on_rule(r, a, 2, [1; 6]));
        }
    }
    v
}

const PROT_EXEC: u64 = 4;
const AF_UNIX: u64 = 1;

fn policies() -> Vec<(&'static str, PolicyInput)> {
    use Form::*;
    let allowlist = |abis: &[Abi]| {
        let rules = vec![
            rule(Syscall::read, A::Allow, vec![]),
            rule(Syscall::write, A::Allow, vec![cond(0, Arg32, C::Le, 2)]),
            rule(Syscall::close, A::Allow, vec![]),
            rule(Syscall::exit_group, A::Allow, vec![]),
            rule(
                Syscall::mprotect,
                A::Allow,
                vec![cond(2, Arg32, masked(PROT_EXEC), 0)],
            ),
            rule(
                Syscall::socket,
                A::Allow,
                vec![cond(0, Arg32, C::Eq, AF_UNIX)],
            ),
            rule(Syscall::socket, A::Errno(97), vec![]),
        ];
        let mut probes = all_rules(rules.len(), abis.len());
        probes.push(raw_probe(100_000, 0, 0, [0; 6]));
        probes.push(raw_probe(0x4000_0000, 0, 0, [0; 6]));
        probes.push(raw_probe(u32::MAX, 0, 0, [0; 6]));
        probes.push(raw_probe(0, 255, Abi::I386.audit_arch(), [0; 6]));
        probes.push(raw_probe(0, 255, 0xdead_beef, [0; 6]));
        PolicyInput {
            abi_set: set(abis),
            default: A::Errno(1),
            bad_arch: A::KillProcess,
            rules,
            probes,
        }
    };

    let mut out = vec![
        ("x86_64-allowlist", allowlist(&[Abi::X86_64])),
        (
            "x86-family-allowlist",
            allowlist(&[Abi::X86_64, Abi::X32, Abi::I386]),
        ),
        ("arm-allowlist", allowlist(&[Abi::Aarch64, Abi::Arm])),
        ("mips-allowlist", allowlist(&[Abi::Mips, Abi::Mips64N32])),
        ("x32-only", allowlist(&[Abi::X32])),
        ("empty-abi-set", allowlist(&[])),
    ];

    // 64-bit comparisons: wide values on 64-bit ABIs, folded on 32-bit ones.
    let wide = vec![
        rule(
            Syscall::mmap,
            A::Allow,
            vec![
                cond(1, Arg64, C::Ge, 1 << 32),
                cond(2, Arg64, masked(0xffff_ffff_0000_0004), 0),
            ],
        ),
        rule(
            Syscall::ioctl,
            A::Trap(7),
            vec![cond(1, Arg64, C::Eq, 0x8000_0000_0000_0000)],
        ),
        rule(
            Syscall::ioctl,
            A::Trace(3),
            vec![cond(1, Arg64, C::Ne, 0xffff_ffff)],
        ),
        rule(
            Syscall::clone,
            A::Log,
            vec![
                cond(0, Arg64, C::Gt, 0x7fff_ffff),
                cond(0, Arg64, C::Lt, 0xffff_ffff_0000_0000),
            ],
        ),
        rule(
            Syscall::kill,
            A::UserNotif,
            vec![cond(1, Arg64, C::Le, u64::MAX - 1)],
        ),
    ];
    for (name, abis) in [
        ("wide-s390x-riscv32", &[Abi::S390x, Abi::Riscv32][..]),
        ("wide-ppc64le", &[Abi::Ppc64le][..]),
        ("wide-x86-family", &[Abi::X86_64, Abi::X32, Abi::I386][..]),
        (
            "wide-mipsel",
            &[Abi::Mipsel, Abi::Mipsel64, Abi::Mipsel64N32][..],
        ),
    ] {
        out.push((
            name,
            PolicyInput {
                abi_set: set(abis),
                default: A::Allow,
                bad_arch: A::KillThread,
                rules: wide.clone(),
                probes: all_rules(wide.len(), abis.len()),
            },
        ));
    }

    // Literal Bits32 conditions with values above 32 bits: constant outcomes.
    let literal = vec![
        rule(
            Syscall::read,
            A::Errno(5),
            vec![cond(0, Literal32, C::Lt, 1 << 32)],
        ),
        rule(
            Syscall::write,
            A::Errno(6),
            vec![cond(0, Literal32, C::Eq, 1 << 32)],
        ),
        rule(
            Syscall::openat,
            A::Errno(7),
            vec![cond(3, Literal32, masked(u64::MAX), 0xffff_ffff_0000_0000)],
        ),
        rule(
            Syscall::close,
            A::Errno(8),
            vec![cond(0, Literal32, C::Gt, u64::MAX)],
        ),
        rule(
            Syscall::close,
            A::Errno(4095),
            vec![cond(5, Arg32, masked(0), 0)],
        ),
    ];
    out.push((
        "literal32-folding",
        PolicyInput {
            abi_set: set(&[Abi::X86_64, Abi::I386]),
            default: A::Errno(5000),
            bad_arch: A::Trap(0xffff),
            probes: all_rules(literal.len(), 2),
            rules: literal,
        },
    ));

    // First matching rule wins; later rules of the same syscall only apply
    // when earlier ones miss.
    let order = vec![
        rule(
            Syscall::kill,
            A::KillProcess,
            vec![cond(1, Arg32, C::Eq, 9)],
        ),
        rule(Syscall::kill, A::Allow, vec![cond(1, Arg32, C::Lt, 32)]),
        rule(Syscall::kill, A::Errno(22), vec![]),
        rule(Syscall::kill, A::Allow, vec![]),
    ];
    out.push((
        "first-match-order",
        PolicyInput {
            abi_set: set(&[Abi::Riscv64]),
            default: A::Errno(38),
            bad_arch: A::KillProcess,
            probes: all_rules(order.len(), 1),
            rules: order,
        },
    ));

    // Every syscall of the table with 6 wide conditions: a long program with
    // far jumps (trampolines).
    let long: Vec<RuleDesc> = (0..CAPACITY)
        .map(|i| {
            let s = Abi::X86_64.entries()[i * 5].1;
            let conds = (0..6)
                .map(|a| cond(a, Arg64, C::Eq, 0x1_0000_0007 + i as u64))
                .collect();
            rule(s, A::Errno(i as u16 + 1), conds)
        })
        .collect();
    out.push((
        "long-trampolines",
        PolicyInput {
            abi_set: set(&[Abi::X86_64]),
            default: A::Allow,
            bad_arch: A::KillProcess,
            probes: (0..8).map(|r| on_rule(r * 8, 0, 0, [0; 6])).collect(),
            rules: long.clone(),
        },
    ));
    out.push((
        "too-long",
        PolicyInput {
            abi_set: set(&[Abi::Arm, Abi::Aarch64, Abi::Riscv64, Abi::Mips64]),
            default: A::Allow,
            bad_arch: A::KillProcess,
            probes: vec![],
            rules: long,
        },
    ));

    // Builder mistakes, each reported by compile.
    let ok = || rule(Syscall::read, A::Allow, vec![]);
    out.push((
        "error-bad-argument",
        PolicyInput {
            abi_set: 0,
            default: A::Allow,
            bad_arch: A::KillProcess,
            rules: vec![
                ok(),
                rule(Syscall::write, A::Allow, vec![cond(0xfa, Arg32, C::Eq, 1)]),
            ],
            probes: vec![],
        },
    ));
    out.push((
        "error-too-many-conditions",
        PolicyInput {
            abi_set: 0,
            default: A::Allow,
            bad_arch: A::KillProcess,
            rules: vec![rule(
                Syscall::write,
                A::Allow,
                (0..7).map(|a| cond(a, Arg32, C::Eq, 1)).collect(),
            )],
            probes: vec![],
        },
    ));
    out.push((
        "error-too-many-rules",
        PolicyInput {
            abi_set: 0,
            default: A::Allow,
            bad_arch: A::KillProcess,
            rules: (0..CAPACITY + 1).map(|_| ok()).collect(),
            probes: vec![],
        },
    ));
    out.push((
        "error-duplicate-abi",
        PolicyInput {
            abi_set: set(&[Abi::X86_64, Abi::X86_64]),
            default: A::Allow,
            bad_arch: A::KillProcess,
            rules: vec![ok()],
            probes: vec![],
        },
    ));
    out.push((
        "error-too-many-abis",
        PolicyInput {
            abi_set: set(&[Abi::X86_64, Abi::X32, Abi::I386, Abi::Aarch64, Abi::Arm]),
            default: A::Allow,
            bad_arch: A::KillProcess,
            rules: vec![ok()],
            probes: vec![],
        },
    ));

    // Whole tables: every number of a few ABIs against a small policy.
    let mut probes: Vec<ProbeDesc> = (0..48).map(|i| table_probe(Abi::Arm, i * 9)).collect();
    probes.extend((0..16).map(|i| table_probe(Abi::Aarch64, i * 19)));
    out.push((
        "arm-table-walk",
        PolicyInput {
            abi_set: set(&[Abi::Aarch64, Abi::Arm]),
            default: A::Errno(1),
            bad_arch: A::KillProcess,
            rules: vec![
                rule(Syscall::set_tls, A::Allow, vec![]),
                rule(Syscall::open, A::Allow, vec![]),
                rule(
                    Syscall::openat,
                    A::Allow,
                    vec![cond(2, Arg32, masked(3), 0)],
                ),
            ],
            probes,
        },
    ));
    out
}

/// Instruction-level seeds: `(name, flags, data, program)`.
fn programs(policies: &[(&'static str, PolicyInput)]) -> Vec<(String, u8, SeccompData, Vec<I>)> {
    let mut out = Vec::new();
    for (name, input) in policies {
        let built = build(input);
        let Ok(program) = compile::<CAPACITY, 4096>(&built.policy) else {
            continue;
        };
        let Some(&abi) = built.abis.first() else {
            continue;
        };
        let flags = match abi.endian() {
            seclude::tables::Endian::Big => FLAG_BIG_ENDIAN,
            seclude::tables::Endian::Little => 0,
        };
        let nr = abi.number(Syscall::write).unwrap_or(1);
        let data = SeccompData::new(nr as i32, abi.audit_arch()).with_arg(0, 2);
        out.push((
            format!("compiled-{name}"),
            flags,
            data,
            program.instructions().to_vec(),
        ));
    }
    let d = SeccompData::new(1, Abi::X86_64.audit_arch()).with_arg(0, 0x1_0000_0002);
    let allow = I::ret(Action::Allow.to_ret());
    let hand: Vec<(&str, u8, Vec<I>)> = vec![
        ("ret-allow", 0, vec![allow]),
        ("empty", 0, vec![]),
        ("no-return-at-end", 0, vec![I::load_imm(1)]),
        (
            "div-x-zero",
            0,
            vec![I::load_imm(9), I::alu_x(op::DIV), allow],
        ),
        (
            "scratch-memory",
            0,
            vec![
                I::load_word(SeccompData::NR),
                I::store(3),
                I::ldx_mem(3),
                I::txa(),
                I::alu_x(op::ADD),
                I::store_x(15),
                I::load_mem(15),
                I::ret_a(),
            ],
        ),
        (
            "uninitialized-memory",
            0,
            vec![
                I::load_word(SeccompData::NR),
                I::jeq(1, 0, 1),
                I::store(2),
                I::load_mem(2),
                I::ret_a(),
            ],
        ),
        (
            "args-both-orders",
            FLAG_BIG_ENDIAN,
            vec![
                I::load_word(SeccompData::arg_lo(0, seclude::tables::Endian::Big)),
                I::alu_and(0xff),
                I::alu_or(Action::Errno(0).to_ret()),
                I::jset(0x100, 0, 1),
                I::ret(Action::Trap(1).to_ret()),
                I::ret_a(),
            ],
        ),
        ("far-ja", 0, {
            let mut p = vec![I::ja(300)];
            p.extend(std::iter::repeat_n(
                I::ret(Action::KillProcess.to_ret()),
                300,
            ));
            p.push(I::load_len());
            p.push(I::alu_rsh(2));
            p.push(I::ret_a());
            p
        }),
        (
            "bad-loads",
            0,
            vec![I::load_word(2), I::load_word(64), I::ret_a()],
        ),
        (
            "jump-past-end",
            0,
            vec![I::load_word(0), I::jgt(5, 0, 1), allow],
        ),
        (
            "alu-everything",
            0,
            vec![
                I::load_word(SeccompData::ARCH),
                I::alu_add(1),
                I::alu_sub(2),
                I::alu_mul(3),
                I::alu_div(4),
                I::alu_lsh(31),
                I::alu_neg(),
                I::alu_xor(0xffff),
                I::tax(),
                I::alu_x(op::MUL),
                I::alu_x(op::RSH),
                I::jgt_x(0, 1),
                I::ret_a(),
                allow,
            ],
        ),
        (
            "classic-not-seccomp",
            0,
            vec![
                I::stmt(op::LD | op::B | op::ABS, 0),
                I::stmt(op::ALU | op::MOD | op::K, 3),
                I::ret_a(),
            ],
        ),
    ];
    for (name, flags, prog) in hand {
        out.push((name.to_string(), flags, d, prog));
    }
    // Shaped: arbitrary instructions the target maps onto valid ones.
    let shaped: Vec<I> = (0..64u32)
        .map(|i| I {
            code: (i * 7) as u16,
            jt: (i * 13) as u8,
            jf: (i * 29) as u8,
            k: i.wrapping_mul(0x9e37_79b9) & 0x7fff_ffff,
        })
        .collect();
    out.push(("shaped-64".to_string(), FLAG_SHAPED, d, shaped));
    // Longer than the kernel allows (4097 instructions).
    let mut too_long = vec![I::load_word(SeccompData::NR); 4096];
    too_long.push(allow);
    out.push(("too-long-4097".to_string(), 0, d, too_long));
    out
}

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();

    let policies = policies();
    for (name, input) in &policies {
        let mut bytes = Vec::new();
        input.encode(&mut bytes);
        let decoded =
            PolicyInput::arbitrary_take_rest(Unstructured::new(&bytes)).expect("seed decodes");
        assert_eq!(&decoded, input, "seed {name} does not decode to itself");
        files.push((root.join("compile_policy").join(name), bytes));
    }
    for (name, flags, data, prog) in programs(&policies) {
        let bytes = encode_raw(flags, &data, &prog);
        let decoded = seclude_fuzz::decode_raw(&bytes);
        if flags & FLAG_SHAPED == 0 {
            assert_eq!(decoded.prog, prog, "{name}");
        }
        assert_eq!(decoded.data, data, "{name}");
        files.push((root.join("verify_simulate").join(&name), bytes.clone()));
        // The listing: the high bits of the flags pick the ABI names.
        if prog.len() <= 1024 {
            let listing_flags = flags | (((name.len() as u8) % 64) << 2);
            let bytes = encode_raw(listing_flags, &data, &prog);
            files.push((root.join("listing").join(&name), bytes));
        }
    }

    let mut stale = 0;
    for (path, bytes) in &files {
        if check {
            if std::fs::read(path).ok().as_deref() != Some(&bytes[..]) {
                eprintln!("differs: {}", path.display());
                stale += 1;
            }
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!("{} seeds, {} bytes", files.len(), total);
    if stale > 0 {
        eprintln!("{stale} seeds differ: rerun make_seeds");
        std::process::exit(1);
    }
}
