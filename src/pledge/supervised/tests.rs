use super::*;
use crate::bpf::{SeccompData, simulate};
use crate::pledge::SELF_PID;
use crate::seccomp::{Cmp, Condition};
use crate::tables::Syscall;
use crate::testing::with_big_stack;
use std::boxed::Box;
use std::vec::Vec;

fn stdio() -> Box<SupervisedProgram> {
    let mut place = Box::<SupervisedProgram>::new_uninit();
    let mut scratch = Box::<Policy<MAX_RULES>>::new_uninit();
    SupervisedProgram::new_in(&mut place, &mut scratch, &[], Promises::STDIO).unwrap();
    // SAFETY: `new_in` succeeded, so `place` holds a program.
    unsafe { place.assume_init() }
}

/// A prefix that compares with the stand-in's value itself.
fn prefix_with_the_stand_in() -> [Instruction; 4] {
    [
        Instruction::load_word(SeccompData::arg_lo(0, Abi::NATIVE.endian())),
        Instruction::jeq(SELF_PID, 0, 1),
        Instruction::ret(Action::Errno(77).to_ret()),
        Instruction::load_word(SeccompData::NR),
    ]
}

fn run(insns: &[Instruction], call: Syscall, args: [u64; 6]) -> Action {
    let abi = Abi::NATIVE;
    let mut data = SeccompData::new(abi.number(call).unwrap() as i32, abi.audit_arch());
    data.args = args;
    simulate(insns, &data, abi.endian()).unwrap().action
}

#[test]
fn only_the_pledge_program_is_patched_never_the_prefix() {
    with_big_stack(|| {
        let mut program = stdio();
        let body = program.body().to_vec();
        let sites = program.self_pid_comparisons();
        assert!(sites > 0);
        assert_eq!(sites, body.iter().filter(|i| i.k == SELF_PID).count());
        let prefix = prefix_with_the_stand_in();
        program.set_prefix(&prefix).unwrap();
        assert_eq!(program.body(), &body[..]);
        assert!((0..prefix.len()).all(|i| !program.compares_self_pid(i)));
        program.patch(4242);
        assert_eq!(program.prefix(), &prefix, "the prefix is left alone");
        let patched = program.body();
        assert!(patched.iter().all(|i| i.k != SELF_PID));
        for (i, (before, after)) in body.iter().zip(patched).enumerate() {
            let site = program.compares_self_pid(prefix.len() + i);
            assert_eq!(site, before.k == SELF_PID, "{i}");
            let want = if site { 4242 } else { before.k };
            assert_eq!(after.k, want, "{i}");
            assert_eq!(
                (after.code, after.jt, after.jf),
                (before.code, before.jt, before.jf)
            );
        }
        // Patched again for another pid: the map still knows where.
        program.patch(4_194_001);
        assert_eq!(
            program.body().iter().filter(|i| i.k == 4_194_001).count(),
            sites
        );
        assert!(program.body().iter().all(|i| i.k != 4242));
    });
}

#[test]
fn the_patched_program_lets_the_process_signal_itself_only() {
    with_big_stack(|| {
        let mut program = stdio();
        program.set_prefix(&prefix_with_the_stand_in()).unwrap();
        program.patch(4242);
        let insns = program.instructions();
        assert_eq!(
            run(insns, Syscall::kill, [4242, 0, 0, 0, 0, 0]),
            Action::Allow
        );
        assert_eq!(
            run(insns, Syscall::kill, [4243, 0, 0, 0, 0, 0]),
            Action::UserNotif
        );
        // The prefix decides first: its own comparison with the stand-in.
        let stand_in = SELF_PID as u64;
        assert_eq!(
            run(insns, Syscall::kill, [stand_in, 0, 0, 0, 0, 0]),
            Action::Errno(77)
        );
        assert_eq!(run(insns, Syscall::read, [0; 6]), Action::Allow);
        assert_eq!(run(insns, Syscall::openat, [0; 6]), Action::UserNotif);
    });
}

#[test]
fn a_new_prefix_replaces_the_old_one_longer_or_shorter() {
    with_big_stack(|| {
        let mut program = stdio();
        let body = program.body().to_vec();
        let long = [Instruction::load_word(SeccompData::NR); 40];
        program.set_prefix(&long).unwrap();
        assert_eq!(program.body(), &body[..]);
        let short = prefix_with_the_stand_in();
        program.set_prefix(&short).unwrap();
        assert_eq!(program.prefix(), &short);
        assert_eq!(program.body(), &body[..]);
        program.set_prefix(&[]).unwrap();
        assert_eq!(program.instructions(), &body[..]);
        program.patch(4_194_002);
        let patched = program.body().iter().filter(|i| i.k == 4_194_002).count();
        assert_eq!(patched, program.self_pid_comparisons());
    });
}

#[test]
fn too_long_is_a_typed_error_and_changes_nothing() {
    with_big_stack(|| {
        let mut program = stdio();
        let before = program.instructions().to_vec();
        let room = MAX_INSNS - before.len();
        let prefix: Vec<Instruction> = (0..room + 1).map(|_| Instruction::load_word(0)).collect();
        assert_eq!(
            program.set_prefix(&prefix),
            Err(PledgeError::Compile(CompileError::TooLong {
                capacity: MAX_INSNS
            }))
        );
        assert_eq!(program.instructions(), &before[..]);
        program.set_prefix(&prefix[..room]).unwrap();
        assert_eq!(program.instructions().len(), MAX_INSNS);

        let small = SupervisedProgram::<64>::new(&[], Promises::STDIO);
        assert!(matches!(
            small,
            Err(PledgeError::Compile(CompileError::TooLong { capacity: 64 }))
        ));
        let mut fits = SupervisedProgram::<1024>::new(&[], Promises::STDIO).unwrap();
        let prefix = [Instruction::load_word(0); 1024];
        assert_eq!(
            fits.set_prefix(&prefix),
            Err(PledgeError::Compile(CompileError::TooLong {
                capacity: 1024
            }))
        );
    });
}

/// A program longer than the first room is compiled again with all of
/// it, into the program the compiler makes.
#[test]
fn a_long_program_is_compiled_again_with_more_room() {
    with_big_stack(|| {
        let first: Vec<Rule> = Abi::NATIVE
            .entries()
            .iter()
            .take(150)
            .enumerate()
            .map(|(i, &(_, call))| {
                // A value of its own per call: identical rules share one block.
                let wide = Condition::arg64(1, Cmp::Eq, 0x1_0000_0000 + ((i as u64) << 8));
                Rule::with(call, &[wide, wide], Action::Allow).unwrap()
            })
            .collect();
        let mut place = Box::<SupervisedProgram>::new_uninit();
        let mut scratch = Box::<Policy<MAX_RULES>>::new_uninit();
        let long =
            SupervisedProgram::new_in(&mut place, &mut scratch, &first, Promises::STDIO).unwrap();
        assert!(
            long.instructions().len() > FIRST_ROOM,
            "{}",
            long.instructions().len()
        );
        let policy = supervised_policy(&first, Promises::STDIO, Abi::NATIVE).unwrap();
        let full = compile::<MAX_RULES, MAX_INSNS>(&policy).unwrap();
        assert_eq!(long.instructions(), full.instructions());
        assert_eq!(
            long.self_pid_comparisons(),
            super::super::self_pid_comparisons(full.instructions())
        );
        // Too long for a smaller room: typed.
        assert!(matches!(
            SupervisedProgram::<FIRST_ROOM>::new(&first, Promises::STDIO),
            Err(PledgeError::Compile(CompileError::TooLong {
                capacity: FIRST_ROOM
            }))
        ));
    });
}

#[test]
fn a_prefix_may_jump_to_the_program_but_not_into_it() {
    with_big_stack(|| {
        let mut program = stdio();
        let body = program.body().to_vec();
        let to_the_end = [
            Instruction::jump(op::JMP | op::JA, 1, 0, 0),
            Instruction::ret(0),
        ];
        program.set_prefix(&to_the_end).unwrap();
        let astray = [
            Instruction::jump(op::JMP | op::JA, u32::MAX, 0, 0),
            Instruction::ret(0),
        ];
        assert_eq!(
            program.set_prefix(&astray),
            Err(PledgeError::Compile(CompileError::Verify(
                VerifyError::JumpOutOfRange { at: 0 }
            )))
        );
        assert_eq!(program.prefix(), &to_the_end, "unchanged");
        assert_eq!(program.body(), &body[..]);
        // The kernel would run it: the prefix's jump lands on the program.
        assert_eq!(
            run(program.instructions(), Syscall::read, [0; 6]),
            Action::Allow
        );
    });
}

/// A jump one instruction past the prefix's end lands inside the pledge
/// program (past its first instruction): refused, whichever branch goes
/// there; one landing on the program's first instruction is fine.
#[test]
fn a_prefix_jump_one_past_the_program_start_is_refused_on_either_branch() {
    with_big_stack(|| {
        let mut program = stdio();
        let out = |at| {
            Err(PledgeError::Compile(CompileError::Verify(
                VerifyError::JumpOutOfRange { at },
            )))
        };
        // From instruction 0 of a 2-instruction prefix, 1 reaches the end.
        let jt_edge = [Instruction::jeq(0, 1, 0), Instruction::ret(0)];
        let jf_edge = [Instruction::jeq(0, 0, 1), Instruction::ret(0)];
        let ja_edge = [
            Instruction::jump(op::JMP | op::JA, 1, 0, 0),
            Instruction::ret(0),
        ];
        for prefix in [jt_edge, jf_edge, ja_edge] {
            assert_eq!(program.set_prefix(&prefix), Ok(()), "{prefix:?}");
        }
        let jt_past = [Instruction::jeq(0, 2, 0), Instruction::ret(0)];
        let jf_past = [Instruction::jeq(0, 0, 2), Instruction::ret(0)];
        let ja_past = [
            Instruction::jump(op::JMP | op::JA, 2, 0, 0),
            Instruction::ret(0),
        ];
        for prefix in [jt_past, jf_past, ja_past] {
            assert_eq!(program.set_prefix(&prefix), out(0), "{prefix:?}");
        }
        // The last instruction may not jump either, not even by one.
        let last = [Instruction::load_word(0), Instruction::jeq(0, 1, 0)];
        assert_eq!(program.set_prefix(&last), out(1));
    });
}

/// A program too long for a room smaller than the first compilation's
/// says the room it had, not the first compilation's.
#[test]
fn too_long_for_a_small_room_names_that_room() {
    with_big_stack(|| {
        let first: Vec<Rule> = Abi::NATIVE
            .entries()
            .iter()
            .take(150)
            .enumerate()
            .map(|(i, &(_, call))| {
                let wide = Condition::arg64(1, Cmp::Eq, 0x1_0000_0000 + ((i as u64) << 8));
                Rule::with(call, &[wide, wide], Action::Allow).unwrap()
            })
            .collect();
        assert!(matches!(
            SupervisedProgram::<512>::new(&first, Promises::STDIO),
            Err(PledgeError::Compile(CompileError::TooLong {
                capacity: 512
            }))
        ));
    });
}
