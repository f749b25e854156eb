//! Compiled seccomp policies against the real kernel.
//!
//! Every test installs its filter in a child process (see
//! `support/child.rs`), once as root and once as uid 65534 without
//! capabilities, and the child checks what the kernel does with its calls.
//! `getppid` is the probe: it ignores its arguments, so a filter may decide
//! on any 64-bit register values and the call is harmless when allowed.

#[path = "support/child.rs"]
mod child;

use child::{MODES, Mode, run, run_both};
use seclude::Errno;
use seclude::bpf::{Action, Instruction, SeccompData, simulate};
use seclude::seccomp::{
    Cmp, CompileError, Condition, FilterFlags, LoadError, Policy, Program, compile, load,
};
use seclude::sys;
use seclude::tables::{Abi, Syscall};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

fn nr(call: Syscall) -> usize {
    Abi::NATIVE.number(call).unwrap() as usize
}

fn getppid_with(args: [u64; 6]) -> Result<usize, Errno> {
    let a = args.map(|a| a as usize);
    // SAFETY: getppid reads none of its (ignored) argument registers.
    unsafe { sys::syscall6(nr(Syscall::getppid), a[0], a[1], a[2], a[3], a[4], a[5]) }
}

fn errno(n: i32) -> Errno {
    Errno::new(n).unwrap()
}

/// What a call whose filter verdict is `action` returns in the caller.
fn expected_result(action: Action) -> Option<Result<(), Errno>> {
    match action {
        Action::Allow | Action::Log => Some(Ok(())),
        Action::Errno(n) => Some(Err(errno(n as i32))),
        _ => None,
    }
}

// ------------------------------------------------------------------ basics

const ALLOWLIST: Policy<4> = Policy::new(Action::Errno(99)).allow_all(&[
    Syscall::exit_group,
    Syscall::getpid,
    Syscall::rt_sigreturn,
]);
static ALLOWLIST_PROGRAM: &[Instruction] = seclude::seccomp_program!(ALLOWLIST);

#[test]
fn allowed_calls_succeed_and_denied_calls_get_the_errno() {
    run_both(
        "allowed_calls_succeed_and_denied_calls_get_the_errno",
        || {
            let pid = sys::getpid();
            if load(ALLOWLIST_PROGRAM, FilterFlags::empty()) != Ok(None) {
                return 1;
            }
            if sys::getpid() != pid {
                return 2;
            }
            if getppid_with([0; 6]) != Err(errno(99)) {
                return 3;
            }
            if sys::write(2, b"x") != Err(errno(99)) {
                return 4;
            }
            // prctl is denied too: the errno proves the filter saw it.
            if seclude::seccomp::no_new_privs() != Err(errno(99)) {
                return 5;
            }
            0
        },
    );
}

const KILL: Policy<1> = Policy::new(Action::KillProcess).allow(Syscall::exit_group);
static KILL_PROGRAM: &[Instruction] = seclude::seccomp_program!(KILL);

#[test]
fn a_denied_call_kills_the_process_with_sigsys() {
    for mode in MODES {
        let exit = run("a_denied_call_kills_the_process_with_sigsys", mode, || {
            if load(KILL_PROGRAM, FilterFlags::empty()).is_err() {
                return 1;
            }
            let _ = getppid_with([0; 6]);
            2 // not reached
        });
        exit.assert_signal(libc::SIGSYS, &format!("{mode:?}"));
    }
}

// -------------------------------------------------------------------- trap

static TRAPPED_SYSCALL: AtomicI64 = AtomicI64::new(-1);
static TRAPPED_DATA: AtomicI64 = AtomicI64::new(-1);
static TRAPPED_ARCH: AtomicU32 = AtomicU32::new(0);
static TRAPPED_CODE: AtomicI64 = AtomicI64::new(-1);

extern "C" fn on_sigsys(_sig: i32, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    // siginfo for SIGSYS: si_signo, si_errno, si_code, then (after padding
    // to pointer alignment) the union { void *call_addr; int syscall; u32 arch }.
    let base = info as *const u8;
    let union = if cfg!(target_pointer_width = "64") {
        16
    } else {
        12
    };
    let ptr = core::mem::size_of::<usize>();
    // SAFETY: the kernel filled a whole siginfo_t at info.
    unsafe {
        TRAPPED_DATA.store(i64::from((*info).si_errno), Ordering::SeqCst);
        TRAPPED_CODE.store(i64::from((*info).si_code), Ordering::SeqCst);
        let syscall = (base.add(union + ptr) as *const i32).read();
        let arch = (base.add(union + ptr + 4) as *const u32).read();
        TRAPPED_SYSCALL.store(i64::from(syscall), Ordering::SeqCst);
        TRAPPED_ARCH.store(arch, Ordering::SeqCst);
    }
}

const TRAP: Policy<4> = Policy::new(Action::Errno(1))
    .allow_all(&[Syscall::exit_group, Syscall::rt_sigreturn])
    .action(Syscall::getppid, Action::Trap(42));
static TRAP_PROGRAM: &[Instruction] = seclude::seccomp_program!(TRAP);

#[test]
fn trap_delivers_sigsys_with_the_syscall_number_and_data() {
    run_both(
        "trap_delivers_sigsys_with_the_syscall_number_and_data",
        || {
            // SAFETY: a plain SA_SIGINFO handler that only stores atomics.
            unsafe {
                let mut sa: libc::sigaction = core::mem::zeroed();
                sa.sa_sigaction = on_sigsys as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO;
                if libc::sigaction(libc::SIGSYS, &sa, core::ptr::null_mut()) != 0 {
                    return 1;
                }
            }
            if load(TRAP_PROGRAM, FilterFlags::empty()).is_err() {
                return 2;
            }
            let _ = getppid_with([0; 6]);
            const SYS_SECCOMP: i64 = 1;
            if TRAPPED_SYSCALL.load(Ordering::SeqCst) != nr(Syscall::getppid) as i64 {
                return 3;
            }
            if TRAPPED_DATA.load(Ordering::SeqCst) != 42 {
                return 4;
            }
            if TRAPPED_ARCH.load(Ordering::SeqCst) != Abi::NATIVE.audit_arch() {
                return 5;
            }
            if TRAPPED_CODE.load(Ordering::SeqCst) != SYS_SECCOMP {
                return 6;
            }
            0
        },
    );
}

// --------------------------------------------------------------- arguments

/// Rules on getppid at the edges of 32- and 64-bit comparisons; the errno
/// tells which rule decided.
const ARGUMENTS: Policy<12> = Policy::new(Action::Errno(1))
    .allow_all(&[Syscall::exit_group, Syscall::write, Syscall::futex])
    .rule(
        Syscall::getppid,
        &[Condition::arg64(0, Cmp::Eq, 0x1_0000_0000)],
        Action::Errno(10),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(1, Cmp::Gt, 0xffff_ffff)],
        Action::Errno(11),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(2, Cmp::Ge, 0x8000_0000_0000_0000)],
        Action::Errno(12),
    )
    .rule(
        Syscall::getppid,
        &[
            Condition::arg64(3, Cmp::Ge, 0x1_0000_0000),
            Condition::arg64(3, Cmp::Lt, 0x1_0000_0002),
        ],
        Action::Errno(13),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(
            4,
            Cmp::MaskedEq(0xff00_0000_0000_00ff),
            0x1200_0000_0000_0034,
        )],
        Action::Errno(14),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg32(5, Cmp::Eq, 0xffff_ffff)],
        Action::Errno(15),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(0, Cmp::Le, 7)],
        Action::Errno(16),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(0, Cmp::Ne, 0x7777)],
        Action::Errno(17),
    )
    .action(Syscall::getppid, Action::Allow);
static ARGUMENTS_PROGRAM: &[Instruction] = seclude::seccomp_program!(ARGUMENTS);

/// Edge values of the conditions above, and their neighbours.
const EDGES: [u64; 14] = [
    0,
    7,
    8,
    0x7777,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0001,
    0x1_0000_0002,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0x1200_0000_0000_0034,
    0x12ab_cdef_0000_0034,
    0xdead_beef_ffff_ffff,
    u64::MAX,
];

#[test]
fn argument_rules_at_64_bit_edges_decide_as_the_policy_says() {
    run_both(
        "argument_rules_at_64_bit_edges_decide_as_the_policy_says",
        || {
            if load(ARGUMENTS_PROGRAM, FilterFlags::empty()).is_err() {
                return 1;
            }
            let mut seed = 0x1234_5678_9abc_def0u64;
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            for i in 0..3000 {
                let mut args = [0u64; 6];
                for a in &mut args {
                    *a = match next() % 3 {
                        0 => EDGES[(next() % EDGES.len() as u64) as usize],
                        1 => next(),
                        _ => 0,
                    };
                }
                // Make the later rules reachable: most calls pass rule 16/17's argument.
                if i % 2 == 0 {
                    args[0] = 0x7777;
                }
                let data = SeccompData {
                    nr: nr(Syscall::getppid) as i32,
                    arch: Abi::NATIVE.audit_arch(),
                    instruction_pointer: 0,
                    args,
                };
                let policy = ARGUMENTS.evaluate(&data);
                let simulated = simulate(ARGUMENTS_PROGRAM, &data, Abi::NATIVE.endian())
                    .unwrap()
                    .action;
                let kernel = getppid_with(args).map(drop);
                if simulated != policy || expected_result(policy) != Some(kernel) {
                    eprintln!(
                        "args {args:#x?}: policy {policy}, simulated {simulated}, kernel {kernel:?}"
                    );
                    return 2;
                }
            }
            0
        },
    );
}

// ------------------------------------------------------------------ limits

/// `ld [nr]`, 4094 comparisons that never match, `ret ALLOW`.
fn program_of(len: usize) -> Vec<Instruction> {
    let mut p = vec![Instruction::load_word(SeccompData::NR)];
    for i in 0..len - 2 {
        p.push(Instruction::jeq(1_000_000 + i as u32, 0, 0));
    }
    p.push(Instruction::ret(Action::Allow.to_ret()));
    p
}

#[test]
fn a_4096_instruction_program_loads_and_4097_is_refused() {
    run_both(
        "a_4096_instruction_program_loads_and_4097_is_refused",
        || {
            let too_long = program_of(4097);
            match load(&too_long, FilterFlags::empty()) {
                Err(LoadError::Invalid(_)) => {}
                _ => return 1,
            }
            // The kernel agrees: bypass our check and ask it directly.
            #[repr(C)]
            struct Fprog {
                len: u16,
                filter: *const Instruction,
            }
            let fprog = Fprog {
                len: 4097,
                filter: too_long.as_ptr(),
            };
            // SAFETY: the kernel reads fprog and at most 4097 instructions.
            let raw = unsafe {
                sys::syscall3(nr(Syscall::seccomp), 1, 0, &fprog as *const Fprog as usize)
            };
            if raw != Err(Errno::EINVAL) {
                return 2;
            }
            if load(&program_of(4096), FilterFlags::empty()) != Ok(None) {
                return 3;
            }
            if sys::getpid() == 0 {
                return 4;
            }
            0
        },
    );
}

/// Grows a policy until its program is exactly 4096 instructions: large
/// steps while far, then 2- and 3-instruction conditions on getppid that
/// never leave a remainder of 1 (the same method as the compiler's unit test).
fn policy_of_4096() -> Policy<600> {
    let length = |p: &Policy<600>| {
        compile::<600, 4096>(p)
            .map(|prog| prog.len())
            .unwrap_or(usize::MAX)
    };
    let mut p: Policy<600> = Policy::new(Action::Errno(1))
        .allow(Syscall::exit_group)
        .rule(
            Syscall::getppid,
            &[Condition::arg32(0, Cmp::Eq, 1)],
            Action::Allow,
        );
    let entries = Abi::NATIVE.entries();
    let mut i = 0usize;
    while length(&p) != 4096 {
        assert!(i < 20_000, "stuck at {}", length(&p));
        let s = entries[i % entries.len()].1;
        let v = i as u32 + 2;
        let candidates = [
            p.rule(
                s,
                &[Condition::arg64(0, Cmp::Eq, 0x1_0000_0000 + i as u64); 4],
                Action::Errno(2),
            ),
            p.rule(
                Syscall::getppid,
                &[Condition::arg32(1, Cmp::Eq, v)],
                Action::Allow,
            ),
            p.rule(
                Syscall::getppid,
                &[Condition::arg32(1, Cmp::MaskedEq(0xff), v & 0xff)],
                Action::Allow,
            ),
        ];
        let fits = |c: &Policy<600>| length(c) <= 4096 && 4096 - length(c) != 1;
        if let Some(next) = candidates.into_iter().find(fits) {
            p = next;
        }
        i += 1;
    }
    p
}

#[test]
fn a_compiled_4096_instruction_program_loads_and_decides() {
    run_both(
        "a_compiled_4096_instruction_program_loads_and_decides",
        || {
            let policy = policy_of_4096();
            let program: Program = compile(&policy).unwrap();
            assert_eq!(program.len(), 4096);
            let longer = policy.rule(
                Syscall::getpid,
                &[Condition::arg32(5, Cmp::Eq, 1)],
                Action::Allow,
            );
            if compile::<600, 4096>(&longer).err() != Some(CompileError::TooLong { capacity: 4096 })
            {
                return 1;
            }
            let probe = |args: [u64; 6]| SeccompData {
                nr: nr(Syscall::getppid) as i32,
                arch: Abi::NATIVE.audit_arch(),
                instruction_pointer: 0,
                args,
            };
            let cases = [[0, 0, 0, 0, 0, 0], [5, 5, 0, 0, 0, 0], [0x1_0000_0003; 6]];
            let expected = cases.map(|args| expected_result(policy.evaluate(&probe(args))));
            if load(program.instructions(), FilterFlags::empty()) != Ok(None) {
                return 2;
            }
            for (args, want) in cases.iter().zip(expected) {
                if Some(getppid_with(*args).map(drop)) != want {
                    return 3;
                }
            }
            0
        },
    );
}

// ----------------------------------------------------- compat ABIs on x86-64

/// `int 0x80` from a 64-bit process: the i386 entry, with i386 numbers and
/// `AUDIT_ARCH_I386`.
#[cfg(target_arch = "x86_64")]
fn int80(nr: u32, a0: u32) -> i32 {
    let ret: i32;
    // SAFETY: the i386 calls used here (getpid, getppid) touch no memory;
    // the compat entry clobbers r8-r11 and preserves the rest.
    unsafe {
        // rbx is reserved by LLVM: swap the argument in and out around the trap.
        core::arch::asm!(
            "xchg rbx, {a0}",
            "int 0x80",
            "xchg rbx, {a0}",
            a0 = inout(reg) u64::from(a0) => _,
            inlateout("eax") nr as i32 => ret,
            lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

#[cfg(target_arch = "x86_64")]
const X86_64_ONLY: Policy<1> = Policy::for_abis(&[Abi::X86_64], Action::Allow)
    .bad_arch(Action::Errno(77))
    .action(Syscall::getppid, Action::Errno(78));
#[cfg(target_arch = "x86_64")]
static X86_64_ONLY_PROGRAM: &[Instruction] = seclude::seccomp_program!(X86_64_ONLY);

#[cfg(target_arch = "x86_64")]
#[test]
fn x32_and_int80_calls_get_the_bad_arch_action() {
    run_both("x32_and_int80_calls_get_the_bad_arch_action", || {
        let i386_getpid = Abi::I386.number(Syscall::getpid).unwrap();
        let x32_getpid = Abi::X32.number(Syscall::getpid).unwrap() as usize;
        let pid = sys::getpid() as i32;
        // Without a filter: the compat entry works, x32 is not built in.
        if int80(i386_getpid, 0) != pid {
            return 1;
        }
        // SAFETY: getpid takes no arguments.
        let x32_before = unsafe { sys::syscall0(x32_getpid) };
        if load(X86_64_ONLY_PROGRAM, FilterFlags::empty()) != Ok(None) {
            return 2;
        }
        if int80(i386_getpid, 0) != -77 {
            return 3;
        }
        // SAFETY: as above.
        if unsafe { sys::syscall0(x32_getpid) } != Err(errno(77)) {
            return 4;
        }
        if x32_before == Err(errno(77)) {
            return 5; // the filter, not the kernel, must be what refuses
        }
        if getppid_with([0; 6]) != Err(errno(78)) || sys::getpid() as i32 != pid {
            return 6;
        }
        0
    });
}

#[cfg(target_arch = "x86_64")]
const WITH_I386: Policy<3> = Policy::for_abis(&[Abi::X86_64, Abi::I386], Action::Allow)
    .bad_arch(Action::Errno(77))
    .rule(
        Syscall::getppid,
        &[Condition::arg64(0, Cmp::Eq, 0x1_0000_0005)],
        Action::Errno(80),
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg64(0, Cmp::Eq, 5)],
        Action::Errno(81),
    );
#[cfg(target_arch = "x86_64")]
static WITH_I386_PROGRAM: &[Instruction] = seclude::seccomp_program!(WITH_I386);

#[cfg(target_arch = "x86_64")]
#[test]
fn compat_i386_calls_use_i386_numbers_and_32_bit_arguments() {
    run_both(
        "compat_i386_calls_use_i386_numbers_and_32_bit_arguments",
        || {
            let i386 = |call| Abi::I386.number(call).unwrap();
            if load(WITH_I386_PROGRAM, FilterFlags::empty()) != Ok(None) {
                return 1;
            }
            if int80(i386(Syscall::getpid), 0) != sys::getpid() as i32 {
                return 2;
            }
            // i386 has no high word: 0x1_0000_0005 cannot match, 5 does.
            if int80(i386(Syscall::getppid), 5) != -81 {
                return 3;
            }
            if int80(i386(Syscall::getppid), 6) <= 0 {
                return 4;
            }
            // The 64-bit entry sees the full register.
            if getppid_with([0x1_0000_0005, 0, 0, 0, 0, 0]) != Err(errno(80)) {
                return 5;
            }
            0
        },
    );
}

// ------------------------------------------------------------------ loader

const DENY_GETPPID: Policy<1> =
    Policy::new(Action::Allow).action(Syscall::getppid, Action::Errno(55));
static DENY_GETPPID_PROGRAM: &[Instruction] = seclude::seccomp_program!(DENY_GETPPID);

#[test]
fn tsync_installs_the_filter_on_every_thread() {
    run_both("tsync_installs_the_filter_on_every_thread", || {
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            go_rx.recv().unwrap();
            getppid_with([0; 6])
        });
        if load(DENY_GETPPID_PROGRAM, FilterFlags::TSYNC) != Ok(None) {
            return 1;
        }
        go_tx.send(()).unwrap();
        if worker.join().unwrap() != Err(errno(55)) {
            return 2;
        }
        0
    });
}

#[test]
fn without_tsync_other_threads_are_not_filtered() {
    run_both("without_tsync_other_threads_are_not_filtered", || {
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            go_rx.recv().unwrap();
            getppid_with([0; 6])
        });
        if load(DENY_GETPPID_PROGRAM, FilterFlags::empty()) != Ok(None) {
            return 1;
        }
        go_tx.send(()).unwrap();
        if worker.join().unwrap().is_err() {
            return 2;
        }
        if getppid_with([0; 6]) != Err(errno(55)) {
            return 3;
        }
        0
    });
}

const NOTIFY: Policy<1> = Policy::new(Action::Allow).action(Syscall::getppid, Action::UserNotif);
static NOTIFY_PROGRAM: &[Instruction] = seclude::seccomp_program!(NOTIFY);

#[test]
fn new_listener_returns_a_listener_fd() {
    run_both("new_listener_returns_a_listener_fd", || {
        let fd = match load(NOTIFY_PROGRAM, FilterFlags::NEW_LISTENER) {
            Ok(Some(fd)) if fd > 2 => fd,
            _ => return 1,
        };
        // The fd is real and close-on-exec, as the kernel documents.
        // SAFETY: fcntl(F_GETFD) on an integer fd.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags < 0 || flags & libc::FD_CLOEXEC == 0 {
            return 2;
        }
        0
    });
}

/// Makes `seccomp()` itself fail with ENOSYS, as on kernels before 3.17.
const NO_SECCOMP_SYSCALL: Policy<1> =
    Policy::new(Action::Allow).action(Syscall::seccomp, Action::Errno(38));
static NO_SECCOMP_SYSCALL_PROGRAM: &[Instruction] = seclude::seccomp_program!(NO_SECCOMP_SYSCALL);

#[test]
fn loading_falls_back_to_prctl_without_the_seccomp_syscall() {
    run_both(
        "loading_falls_back_to_prctl_without_the_seccomp_syscall",
        || {
            if load(NO_SECCOMP_SYSCALL_PROGRAM, FilterFlags::empty()) != Ok(None) {
                return 1;
            }
            // Flags need the seccomp syscall: no silent fallback without them.
            if load(DENY_GETPPID_PROGRAM, FilterFlags::TSYNC) != Err(LoadError::Seccomp(errno(38)))
            {
                return 2;
            }
            if getppid_with([0; 6]).is_err() {
                return 3;
            }
            if load(DENY_GETPPID_PROGRAM, FilterFlags::empty()) != Ok(None) {
                return 4;
            }
            if getppid_with([0; 6]) != Err(errno(55)) {
                return 5;
            }
            0
        },
    );
}

#[test]
fn every_action_is_available_on_this_kernel() {
    for action in [
        Action::KillProcess,
        Action::KillThread,
        Action::Trap(0),
        Action::Errno(1),
        Action::UserNotif,
        Action::Trace(0),
        Action::Log,
        Action::Allow,
    ] {
        assert_eq!(
            seclude::seccomp::action_available(action),
            Ok(true),
            "{action}"
        );
    }
}

const LOG_AND_TRACE: Policy<3> = Policy::new(Action::Errno(1))
    .allow(Syscall::exit_group)
    .rule(
        Syscall::getppid,
        &[Condition::arg32(0, Cmp::Eq, 1)],
        Action::Log,
    )
    .rule(
        Syscall::getppid,
        &[Condition::arg32(0, Cmp::Eq, 2)],
        Action::Trace(9),
    );
static LOG_AND_TRACE_PROGRAM: &[Instruction] = seclude::seccomp_program!(LOG_AND_TRACE);

#[test]
fn log_allows_and_trace_without_a_tracer_fails_with_enosys() {
    run_both(
        "log_allows_and_trace_without_a_tracer_fails_with_enosys",
        || {
            if load(LOG_AND_TRACE_PROGRAM, FilterFlags::empty()) != Ok(None) {
                return 1;
            }
            if getppid_with([1, 0, 0, 0, 0, 0]).is_err() {
                return 2;
            }
            if getppid_with([2, 0, 0, 0, 0, 0]) != Err(Errno::ENOSYS) {
                return 3;
            }
            if getppid_with([3, 0, 0, 0, 0, 0]) != Err(errno(1)) {
                return 4;
            }
            0
        },
    );
}

const KILL_THREAD: Policy<1> =
    Policy::new(Action::Allow).action(Syscall::getppid, Action::KillThread);
static KILL_THREAD_PROGRAM: &[Instruction] = seclude::seccomp_program!(KILL_THREAD);

static AFTER_CALL: AtomicU32 = AtomicU32::new(0);

#[test]
fn kill_thread_ends_only_the_calling_thread() {
    run_both("kill_thread_ends_only_the_calling_thread", || {
        if load(KILL_THREAD_PROGRAM, FilterFlags::TSYNC) != Ok(None) {
            return 1;
        }
        let _worker = std::thread::spawn(|| {
            let _ = getppid_with([0; 6]);
            AFTER_CALL.store(1, Ordering::SeqCst);
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        if AFTER_CALL.load(Ordering::SeqCst) != 0 {
            return 2;
        }
        // This thread lives on and can still make calls.
        if sys::getpid() == 0 {
            return 3;
        }
        0
    });
}

#[test]
fn the_unprivileged_child_really_is_unprivileged() {
    // The harness the other tests rely on: in the Unprivileged mode the
    // child has uid 65534 and may not, for example, change its uid back.
    let exit = run(
        "the_unprivileged_child_really_is_unprivileged",
        Mode::Unprivileged,
        || {
            if !child::unprivileged() {
                return 1;
            }
            // SAFETY: plain libc call.
            if unsafe { libc::setuid(0) } == 0 {
                return 2;
            }
            0
        },
    );
    exit.assert_success("unprivileged child");
}

#[test]
fn the_log_and_spec_allow_flags_are_accepted_and_the_filter_applies() {
    run_both(
        "the_log_and_spec_allow_flags_are_accepted_and_the_filter_applies",
        || {
            if load(DENY_GETPPID_PROGRAM, FilterFlags::LOG) != Ok(None) {
                return 1;
            }
            if load(DENY_GETPPID_PROGRAM, FilterFlags::SPEC_ALLOW) != Ok(None) {
                return 2;
            }
            if getppid_with([0; 6]) != Err(errno(55)) {
                return 3;
            }
            // A flag this kernel does not know is refused, not ignored.
            let unknown = FilterFlags::from_bits_retain(1 << 20);
            if load(DENY_GETPPID_PROGRAM, unknown) != Err(LoadError::Seccomp(Errno::EINVAL)) {
                return 4;
            }
            0
        },
    );
}
