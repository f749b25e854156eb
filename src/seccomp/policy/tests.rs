//! Tests of policies as data: the builder, rule order, ABIs and widths.

use super::*;

#[test]
fn builder_records_the_first_error_only() {
    let p: Policy<1> = Policy::new(Action::Allow)
        .rule(
            Syscall::read,
            &[Condition::arg32(6, Cmp::Eq, 0)],
            Action::Allow,
        )
        .allow(Syscall::read)
        .allow(Syscall::write);
    assert_eq!(
        p.error(),
        Some(PolicyError::BadArgument {
            syscall: Syscall::read,
            arg: 6
        })
    );
}

#[test]
fn too_many_conditions_is_an_error() {
    let c = Condition::arg32(0, Cmp::Eq, 0);
    assert_eq!(
        Rule::with(Syscall::read, &[c; MAX_CONDITIONS + 1], Action::Allow),
        Err(PolicyError::TooManyConditions {
            syscall: Syscall::read
        })
    );
    assert!(Rule::with(Syscall::read, &[c; MAX_CONDITIONS], Action::Allow).is_ok());
}

#[test]
fn abis_duplicate_and_capacity() {
    let p: Policy<1> = Policy::for_abis(&[Abi::X86_64, Abi::X86_64], Action::Allow);
    assert_eq!(p.error(), Some(PolicyError::DuplicateAbi(Abi::X86_64)));
    let p: Policy<1> = Policy::for_abis(
        &[Abi::X86_64, Abi::X32, Abi::I386, Abi::Arm, Abi::Aarch64],
        Action::Allow,
    );
    assert_eq!(p.error(), Some(PolicyError::TooManyAbis));
}

#[test]
fn first_matching_rule_wins_in_order() {
    let p: Policy<3> = Policy::new(Action::Errno(1))
        .rule(
            Syscall::kill,
            &[Condition::arg32(1, Cmp::Eq, 9)],
            Action::KillProcess,
        )
        .rule(
            Syscall::kill,
            &[Condition::arg32(1, Cmp::Lt, 32)],
            Action::Allow,
        )
        .action(Syscall::kill, Action::Errno(22));
    assert_eq!(
        p.decide(Syscall::kill, &[0, 9, 0, 0, 0, 0], 64),
        Action::KillProcess
    );
    assert_eq!(
        p.decide(Syscall::kill, &[0, 15, 0, 0, 0, 0], 64),
        Action::Allow
    );
    assert_eq!(
        p.decide(Syscall::kill, &[0, 40, 0, 0, 0, 0], 64),
        Action::Errno(22)
    );
    assert_eq!(p.decide(Syscall::read, &[0; 6], 64), Action::Errno(1));
}

#[test]
fn width_and_abi_bits_decide_the_high_word() {
    let wide = Condition::arg64(0, Cmp::Eq, 1 << 32);
    assert!(wide.holds(1 << 32, 64));
    assert!(
        !wide.holds(1 << 32, 32),
        "a 32-bit ABI sees only the low word, 0"
    );
    let narrow = Condition::arg32(0, Cmp::Eq, 0);
    assert!(narrow.holds(1 << 32, 64), "Bits32 ignores the high word");
    let ne = Condition::arg64(0, Cmp::Ne, 1 << 32);
    assert!(ne.holds(0, 32));
    let masked = Condition::arg64(0, Cmp::MaskedEq(0xff_0000_00ff), 0x12_0000_0034);
    assert!(masked.holds(0xab12_cdef_5634, 64));
    assert!(!masked.holds(0xab13_cdef_5634, 64));
}

/// A policy made in place (its rule slots never initialised) holds,
/// decides and prints as one made by value; reset empties it, and the
/// slots it held are written again before they are read.
#[test]
fn a_policy_made_in_place_is_one_made_by_value() {
    use std::{boxed::Box, format};
    let by_value: Policy<3> = Policy::new(Action::Errno(1)).allow(Syscall::read).rule(
        Syscall::kill,
        &[Condition::arg32(1, Cmp::Eq, 9)],
        Action::KillProcess,
    );
    let mut place = Box::<Policy<3>>::new_uninit();
    let p = Policy::new_in(&mut place, Action::Errno(1));
    p.add(Rule::new(Syscall::read, Action::Allow));
    p.add_rule(
        Syscall::kill,
        &[Condition::arg32(1, Cmp::Eq, 9)],
        Action::KillProcess,
    );
    assert_eq!(p.rules(), by_value.rules());
    assert_eq!(format!("{p:?}"), format!("{by_value:?}"));
    assert_eq!(format!("{p:?}").matches("Rule {").count(), 3, "{p:?}");
    p.reset(&[Abi::X86_64], Action::Allow);
    assert!(p.rules().is_empty());
    assert_eq!(p.error(), None);
    p.add(Rule::new(Syscall::write, Action::Log));
    assert_eq!(p.rules(), &[Rule::new(Syscall::write, Action::Log)]);
    assert_eq!(p.decide(Syscall::read, &[0; 6], 64), Action::Allow);
}

#[test]
fn x32_numbers_belong_to_x32_only_if_listed() {
    let arch = Abi::X86_64.audit_arch();
    let both: Policy<1> = Policy::for_abis(&[Abi::X86_64, Abi::X32], Action::Allow);
    assert_eq!(both.abi_of(arch, 1), Some(Abi::X86_64));
    assert_eq!(both.abi_of(arch, X32_SYSCALL_BIT + 1), Some(Abi::X32));
    assert_eq!(both.abi_of(arch, u32::MAX), Some(Abi::X32));
    let x32_only: Policy<1> = Policy::for_abis(&[Abi::X32], Action::Allow);
    assert_eq!(x32_only.abi_of(arch, 1), None);
    assert_eq!(x32_only.abi_of(Abi::I386.audit_arch(), 1), None);
}
