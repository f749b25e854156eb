//! Structure-aware: an arbitrary policy is built with the public builder,
//! compiled and verified, and the simulator's verdict on every probe must
//! equal both `Policy::evaluate` and the plain reference evaluation below
//! (written here from the documented semantics, no BPF and no `seclude`
//! policy code involved).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seclude::bpf::{self, Action, SeccompData};
use seclude::seccomp::{self, Cmp, CompileError, Condition, PolicyError, Width};
use seclude::tables::{Abi, Endian, X32_SYSCALL_BIT};
use seclude_fuzz::{Built, CAPACITY, MAX_CONDS, MAX_PROBES, PolicyInput, Rules, build};

fuzz_target!(|input: PolicyInput| run(&input));

fn run(input: &PolicyInput) {
    let Built {
        abis,
        default,
        bad_arch,
        unknown,
        rules,
        policy,
    } = build(input);

    let expected_error = builder_error(abis, &rules);
    assert_eq!(policy.error(), expected_error, "builder error");

    let program = match seccomp::compile::<CAPACITY, 4096>(&policy) {
        Ok(program) => {
            assert!(
                expected_error.is_none(),
                "compiled despite {expected_error:?}"
            );
            program
        }
        Err(CompileError::Policy(e)) => {
            assert_eq!(Some(e), expected_error, "compile reported another error");
            return;
        }
        Err(CompileError::TooLong { capacity }) => {
            assert!(expected_error.is_none());
            assert_eq!(capacity, 4096);
            return;
        }
        Err(e) => panic!("compiler bug: {e:?}\n{policy:?}"),
    };

    let prog = program.instructions();
    assert!(!prog.is_empty() && prog.len() <= 4096);
    if let Err(e) = bpf::verify(prog) {
        panic!("compiled program fails verification: {e:?}");
    }

    for probe in input.probes.iter().take(MAX_PROBES) {
        let data = probe.data(abis, &rules);
        let reference = reference(abis, &rules, default, bad_arch, unknown, &data);
        let evaluated = policy.evaluate(&data);
        assert_eq!(
            evaluated, reference,
            "Policy::evaluate vs reference on {data:?}"
        );

        match abis.iter().find(|a| a.audit_arch() == data.arch) {
            Some(abi) => {
                let out = simulate(prog, &data, abi.endian());
                assert_eq!(
                    out.action,
                    reference,
                    "program vs policy on {data:?} ({abi}): {policy:?}\n{}",
                    bpf::Listing::new(prog).abi(*abi)
                );
                assert_eq!(out.ret, reference.to_ret(), "ret value on {data:?}");
            }
            None => {
                // An arch the policy does not cover: only arch (and nr) may
                // be read, so the byte order cannot matter.
                assert_eq!(reference, bad_arch);
                for endian in [Endian::Little, Endian::Big] {
                    let out = simulate(prog, &data, endian);
                    assert_eq!(out.action, bad_arch, "uncovered arch {data:?} ({endian:?})");
                    assert_eq!(out.ret, bad_arch.to_ret());
                }
            }
        }
    }
}

fn simulate(prog: &[bpf::Instruction], data: &SeccompData, endian: Endian) -> bpf::Outcome {
    let out = bpf::simulate(prog, data, endian)
        .unwrap_or_else(|e| panic!("verified program does not run: {e:?} on {data:?}"));
    assert!(
        out.executed <= prog.len(),
        "executed {} of {}",
        out.executed,
        prog.len()
    );
    out
}

/// The first mistake the builder must record, from the documentation of
/// `Policy` and `Rule::with`.
fn builder_error(abis: &[Abi], rules: &Rules) -> Option<PolicyError> {
    let mut seen: Vec<Abi> = Vec::new();
    for &abi in abis {
        if seen.contains(&abi) {
            return Some(PolicyError::DuplicateAbi(abi));
        }
        if seen.len() == seccomp::MAX_ABIS {
            return Some(PolicyError::TooManyAbis);
        }
        seen.push(abi);
    }
    for (i, (syscall, conds, _)) in rules.iter().enumerate() {
        assert!(conds.len() <= MAX_CONDS);
        if conds.len() > seccomp::MAX_CONDITIONS {
            return Some(PolicyError::TooManyConditions { syscall: *syscall });
        }
        if let Some(c) = conds.iter().find(|c| c.arg > 5) {
            return Some(PolicyError::BadArgument {
                syscall: *syscall,
                arg: c.arg,
            });
        }
        if i == CAPACITY {
            return Some(PolicyError::TooManyRules { capacity: CAPACITY });
        }
    }
    None
}

/// What the policy decides for `data`, straight from the rules.
fn reference(
    abis: &[Abi],
    rules: &Rules,
    default: Action,
    bad_arch: Action,
    unknown: Action,
    data: &SeccompData,
) -> Action {
    let nr = data.nr as u32;
    // x86-64 and x32 share AUDIT_ARCH_X86_64: numbers from the x32 bit up
    // are x32's (as documented on `Policy::abi_of`).
    let x32_number = nr >= X32_SYSCALL_BIT;
    let abi = abis.iter().copied().find(|&abi| {
        abi.audit_arch() == data.arch
            && match abi {
                Abi::X86_64 => !x32_number,
                Abi::X32 => x32_number,
                _ => true,
            }
    });
    let Some(abi) = abi else {
        return bad_arch;
    };
    let Some(syscall) = abi.syscall(nr) else {
        return unknown;
    };
    let bits = abi.arg_bits();
    for (s, conds, action) in rules {
        if *s == syscall
            && conds
                .iter()
                .all(|c| holds(c, data.args[c.arg as usize], bits))
        {
            return *action;
        }
    }
    default
}

fn holds(c: &Condition, arg: u64, arg_bits: u32) -> bool {
    let arg = match (c.width, arg_bits) {
        (Width::Bits64, 64) => arg,
        _ => arg & 0xffff_ffff,
    };
    let v = c.value;
    match c.cmp {
        Cmp::Eq => arg == v,
        Cmp::Ne => arg != v,
        Cmp::Lt => arg < v,
        Cmp::Le => arg <= v,
        Cmp::Gt => arg > v,
        Cmp::Ge => arg >= v,
        Cmp::MaskedEq(mask) => arg & mask == v,
    }
}
