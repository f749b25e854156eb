//! Kernel agreement for `seclude::bpf`: the running kernel is asked whether
//! it accepts each of many programs, and its verdict is compared with
//! `verify`; then programs `verify` accepts are loaded and the system calls
//! they filter are compared with `simulate`.
//!
//! Everything that touches seccomp runs in a child process: the test binary
//! re-executes itself (`--ignored --exact child`) with `SECLUDE_BPF_CHILD`
//! naming the job.
//!
//! Asking the kernel without installing the filter: `seccomp(2)` with
//! `SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH` checks the
//! program first (`seccomp_prepare_user_filter`: `EINVAL` if refused) and
//! only then tries to synchronise the other threads. A helper thread that
//! has installed a filter of its own cannot be synchronised (its filter is
//! not an ancestor of ours), so an accepted program fails with `ESRCH` and
//! is freed, never installed. One child can thus ask about any number of
//! programs. The `install` job cross-checks this oracle against a real
//! installation, one child per program.

use seclude::Errno;
use seclude::bpf::{
    Action, Instruction as I, Listing, MAX_INSNS, SECCOMP_OPCODES, SeccompData, op, simulate,
    verify,
};
use seclude::sys;
use seclude::tables::{Abi, Syscall};
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

const CHILD_ENV: &str = "SECLUDE_BPF_CHILD";
const PROG_ENV: &str = "SECLUDE_BPF_PROG";

const SECCOMP_SET_MODE_FILTER: usize = 1;
const SECCOMP_FILTER_FLAG_TSYNC: usize = 1 << 0;
const SECCOMP_FILTER_FLAG_TSYNC_ESRCH: usize = 1 << 4;
const PR_SET_NO_NEW_PRIVS: usize = 38;
const NOBODY: usize = 65534;

#[repr(C)]
struct SockFprog {
    len: u16,
    filter: *const I,
}

fn nr(call: Syscall) -> usize {
    Abi::NATIVE
        .number(call)
        .expect("native ABI has this syscall") as usize
}

/// The 32-bit-uid variant where the ABI has one (i386, arm), else the plain one.
fn nr32(call32: Syscall, call: Syscall) -> usize {
    Abi::NATIVE
        .number(call32)
        .or(Abi::NATIVE.number(call))
        .expect("native ABI has it") as usize
}

fn seccomp_filter(flags: usize, prog: &[I]) -> Result<usize, Errno> {
    let fprog = SockFprog {
        len: prog.len() as u16,
        filter: prog.as_ptr(),
    };
    // SAFETY: the kernel reads fprog and prog.len() instructions from it.
    unsafe {
        sys::syscall3(
            nr(Syscall::seccomp),
            SECCOMP_SET_MODE_FILTER,
            flags,
            &fprog as *const SockFprog as usize,
        )
    }
}

fn no_new_privs() {
    // SAFETY: prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) touches no memory; the
    // kernel insists on the unused arguments being 0.
    unsafe { sys::syscall5(nr(Syscall::prctl), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }
        .expect("no_new_privs");
}

/// Drops the calling thread (raw syscalls act on the thread only) to
/// nobody:nogroup with no capabilities, if it is root.
fn drop_privileges() -> bool {
    // SAFETY: none of these calls takes a pointer (setgroups gets size 0).
    unsafe {
        if sys::syscall0(nr32(Syscall::getuid32, Syscall::getuid)) != Ok(0) {
            return false;
        }
        sys::syscall2(nr32(Syscall::setgroups32, Syscall::setgroups), 0, 0).expect("setgroups");
        let gid = nr32(Syscall::setresgid32, Syscall::setresgid);
        sys::syscall3(gid, NOBODY, NOBODY, NOBODY).expect("setresgid");
        let uid = nr32(Syscall::setresuid32, Syscall::setresuid);
        sys::syscall3(uid, NOBODY, NOBODY, NOBODY).expect("setresuid");
    }
    true
}

const ALLOW: I = I::ret(Action::Allow.to_ret());

// ---------------------------------------------------------------- programs

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CLASSIC_ONLY: [u16; 8] = [0x94, 0x9c, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1];
const INTERESTING_K: [u32; 16] = [
    0,
    1,
    2,
    3,
    4,
    8,
    15,
    16,
    31,
    32,
    60,
    62,
    63,
    64,
    0xffff_f000,
    0xffff_ffff,
];

fn random_program(rng: &mut Rng) -> Vec<I> {
    let len = match rng.below(50) {
        0 => 100 + rng.below(300) as usize,
        1..=10 => 1 + rng.below(3) as usize,
        _ => 2 + rng.below(14) as usize,
    };
    let mut prog = Vec::with_capacity(len);
    for pc in 0..len {
        let code = match rng.below(20) {
            0..=13 => SECCOMP_OPCODES[rng.below(41) as usize],
            14 | 15 => CLASSIC_ONLY[rng.below(8) as usize],
            16 | 17 => rng.below(0x100) as u16,
            _ => rng.next() as u16,
        };
        let k = match rng.below(4) {
            0 => rng.next() as u32,
            1 => INTERESTING_K[rng.below(16) as usize],
            _ => rng.below(8) as u32,
        };
        let remaining = (len - pc) as u64; // targets pc+1+off < len ⇔ off < remaining - 1
        let mut off = || match rng.below(10) {
            0 => rng.next() as u8,
            _ => rng.below(remaining.clamp(1, 256)) as u8,
        };
        let (jt, jf) = (off(), off());
        let k = if code == op::JMP | op::JA && rng.below(2) == 0 {
            rng.below(remaining) as u32
        } else {
            k
        };
        prog.push(I::jump(code, k, jt, jf));
    }
    if rng.below(8) != 0 {
        prog[len - 1] = if rng.below(2) == 0 {
            I::ret_a()
        } else {
            I::ret(rng.next() as u32)
        };
    }
    prog
}

/// Hand-written edge cases, one per check of the kernel (accepted and refused).
fn edge_cases() -> Vec<Vec<I>> {
    let mut v: Vec<Vec<I>> = vec![
        vec![ALLOW],
        vec![I::ret_a()],
        vec![I::load_word(SeccompData::NR), ALLOW],
        vec![I::load_word(60), ALLOW],
        vec![I::load_word(62), ALLOW],
        vec![I::load_word(64), ALLOW],
        vec![I::load_word(0xffff_f000), ALLOW],
        vec![I::load_word(0xffff_f000 + 4), ALLOW], // SKF_AD_PKTTYPE
        vec![I::stmt(0x30, 0), ALLOW],              // ldb [0]
        vec![I::stmt(0x28, 0), ALLOW],              // ldh [0]
        vec![I::stmt(0x40, 0), ALLOW],              // ld [x + 0]
        vec![I::stmt(0xb1, 0), ALLOW],              // ldxb msh
        vec![I::alu(op::MOD, 3), ALLOW],
        vec![I::alu_x(op::MOD), ALLOW],
        vec![I::alu_div(0), ALLOW],
        vec![I::alu_div(1), ALLOW],
        vec![I::alu_x(op::DIV), ALLOW],
        vec![I::alu_lsh(31), ALLOW],
        vec![I::alu_lsh(32), ALLOW],
        vec![I::alu_rsh(32), ALLOW],
        vec![I::ldx_imm(40), I::alu_x(op::LSH), ALLOW],
        vec![I::store(15), I::load_mem(15), ALLOW],
        vec![I::store(16), ALLOW],
        vec![I::load_mem(0), ALLOW],
        vec![I::ldx_mem(0), ALLOW],
        vec![I::store(1), ALLOW, I::load_mem(1), ALLOW],
        vec![ALLOW, I::load_mem(1), ALLOW],
        vec![I::ja(1), I::load_mem(1), ALLOW],
        vec![I::jeq(0, 0, 1), I::store(2), I::load_mem(2), ALLOW],
        vec![
            I::jeq(0, 0, 2),
            I::store(2),
            I::ja(1),
            I::store_x(2),
            I::load_mem(2),
            ALLOW,
        ],
        vec![I::ja(0), ALLOW],
        vec![I::ja(1), ALLOW],
        vec![I::ja(u32::MAX), ALLOW],
        vec![I::jeq(0, 1, 0), ALLOW, ALLOW],
        vec![I::jeq(0, 2, 0), ALLOW, ALLOW],
        vec![I::jset_x(0, 2), ALLOW, ALLOW],
        vec![ALLOW, I::jgt(0, 0, 0)],
        vec![ALLOW, I::load_imm(0)],
        vec![I::load_len(), I::ret_a()],
        vec![I::ldx_len(), I::txa(), I::ret_a()],
        vec![I::stmt(0x0e, 0)], // RET | X
        vec![I::stmt(0x106, 0)],
        vec![I::stmt(0x0d, 0), ALLOW], // JA | X
        vec![I::stmt(0x8c, 0), ALLOW], // NEG | X
    ];
    // Lengths at the limit.
    let mut max = vec![I::load_word(0); MAX_INSNS + 1];
    max[MAX_INSNS - 1] = ALLOW;
    max[MAX_INSNS] = ALLOW;
    v.push(max[..MAX_INSNS].to_vec());
    v.push(max.clone());
    // The longest jump: from instruction 0 to the last of 4096.
    let mut far = vec![ALLOW; MAX_INSNS];
    far[0] = I::ja(MAX_INSNS as u32 - 2);
    v.push(far.clone());
    far[0] = I::ja(MAX_INSNS as u32 - 1);
    v.push(far);
    // 255-offset conditional jumps on both sides of the end.
    let mut cond = vec![ALLOW; 257];
    cond[0] = I::jeq(0, 255, 255);
    v.push(cond.clone());
    cond.pop();
    v.push(cond);
    v
}

/// Every 16-bit opcode in a program where `k` = 4 is a valid operand for
/// each of them, and in one where `k` = 0 (so `div #0` and `ld M[0]` fail).
fn opcode_sweep() -> impl Iterator<Item = Vec<I>> {
    (0..=u16::MAX).flat_map(|code| {
        let mut with_k4 = vec![ALLOW; 7];
        with_k4[0] = I::store(4);
        with_k4[1] = I::stmt(code, 4);
        [vec![I::stmt(code, 0), ALLOW], with_k4]
    })
}

// ------------------------------------------------------------------ parent

fn run_child(job: &str, envs: &[(&str, String)]) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        "--ignored",
        "--exact",
        "child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, job)
    .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("spawn child")
}

fn summary(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child failed: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    // libtest may print "test child ... " on the same line first.
    let line = stdout
        .lines()
        .find_map(|l| l.find("SUMMARY ").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}\n{stderr}"));
    println!("{line}");
    line.to_string()
}

#[test]
fn kernel_agrees_with_verify_as_root() {
    let line = summary(&run_child("dryrun", &[]));
    assert!(line.ends_with("disagreements=0"), "{line}");
}

#[test]
fn kernel_agrees_with_verify_unprivileged() {
    let line = summary(&run_child("dryrun-nobody", &[]));
    assert!(line.ends_with("disagreements=0"), "{line}");
}

fn encode(prog: &[I]) -> String {
    prog.iter()
        .map(|i| format!("{:04x}{:02x}{:02x}{:08x}", i.code, i.jt, i.jf, i.k))
        .collect()
}

fn decode(s: &str) -> Vec<I> {
    (0..s.len() / 16)
        .map(|n| {
            let w = &s[n * 16..n * 16 + 16];
            let p = |a: usize, b: usize| u32::from_str_radix(&w[a..b], 16).unwrap();
            I::jump(p(0, 4) as u16, p(8, 16), p(4, 6) as u8, p(6, 8) as u8)
        })
        .collect()
}

/// The dry-run oracle against a real installation, one child per program.
#[test]
fn dry_run_oracle_agrees_with_real_installation() {
    let mut programs = edge_cases();
    let mut rng = Rng(0xda7a_5eed);
    programs.extend((0..150).map(|_| random_program(&mut rng)));
    let (mut accepted, mut rejected) = (0, 0);
    for prog in &programs {
        let out = run_child("install", &[(PROG_ENV, encode(prog))]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("about to load\n"),
            "child did not reach seccomp: {out:?}"
        );
        assert_ne!(out.status.code(), Some(4), "unexpected errno: {stdout}");
        assert_ne!(out.status.code(), Some(101), "child panicked: {out:?}");
        let kernel = !(out.status.code() == Some(3) && stdout.contains("rejected\n"));
        assert_eq!(
            kernel,
            verify(prog).is_ok(),
            "kernel {} but verify says {:?}:\n{}",
            if kernel { "accepts" } else { "refuses" },
            verify(prog),
            Listing::new(prog)
        );
        if kernel { accepted += 1 } else { rejected += 1 }
    }
    println!(
        "installed for real: tried={} accepted={accepted} rejected={rejected}",
        programs.len()
    );
    assert!(accepted > 20 && rejected > 20);
}

#[test]
fn kernel_runs_filters_as_simulate_predicts() {
    let line = summary(&run_child("simulate", &[]));
    assert!(line.contains("mismatches=0"), "{line}");
}

// ------------------------------------------------------------------- child

#[test]
#[ignore = "run in a child process by the other tests of this file"]
fn child() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    match job.as_str() {
        "dryrun" => dry_run(false),
        "dryrun-nobody" => dry_run(true),
        "install" => install(&decode(&std::env::var(PROG_ENV).unwrap())),
        "simulate" => simulate_in_kernel(),
        other => panic!("unknown job {other}"),
    }
}

/// Starts a thread with a filter of its own, which makes every TSYNC
/// request of another thread fail after the filter was checked.
fn start_unsyncable_thread() {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        no_new_privs();
        seccomp_filter(0, &[ALLOW]).expect("helper filter");
        tx.send(()).unwrap();
        loop {
            std::thread::park();
        }
    });
    rx.recv().unwrap();
}

const DRY_RUN: usize = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

/// The kernel's verdict: `true` if it accepts `prog`, without installing it.
fn kernel_accepts(prog: &[I]) -> bool {
    match seccomp_filter(DRY_RUN, prog) {
        Err(Errno::ESRCH) => true,
        Err(Errno::EINVAL) => false,
        other => {
            // Ok would mean the filter got installed: the oracle is broken.
            let _ = writeln!(std::io::stderr(), "unexpected seccomp result {other:?}");
            std::process::abort();
        }
    }
}

fn dry_run(unprivileged: bool) {
    start_unsyncable_thread();
    if unprivileged {
        if drop_privileges() {
            // Without no_new_privs or CAP_SYS_ADMIN the kernel refuses.
            assert_eq!(seccomp_filter(DRY_RUN, &[ALLOW]), Err(Errno::EACCES));
        }
        no_new_privs();
    }
    assert!(kernel_accepts(&[ALLOW]));
    assert!(!kernel_accepts(&[I::load_imm(0)]));

    let (mut tried, mut accepted, mut disagreements) = (0usize, 0usize, 0usize);
    let mut check = |prog: &[I]| {
        let kernel = kernel_accepts(prog);
        let ours = verify(prog);
        tried += 1;
        accepted += kernel as usize;
        if kernel != ours.is_ok() {
            disagreements += 1;
            if disagreements <= 10 {
                println!(
                    "DISAGREE kernel={} verify={ours:?}\n{}",
                    if kernel { "accepts" } else { "refuses" },
                    Listing::new(prog)
                );
            }
        }
    };
    for prog in edge_cases() {
        check(&prog);
    }
    for prog in opcode_sweep() {
        check(&prog);
    }
    let mut rng = Rng(if unprivileged { 0xb0b } else { 0x5eed });
    for _ in 0..100_000 {
        check(&random_program(&mut rng));
    }
    println!(
        "SUMMARY tried={tried} accepted={accepted} rejected={} disagreements={disagreements}",
        tried - accepted
    );
}

fn raw_exit(status: usize) -> ! {
    // SAFETY: exit_group takes no pointer. If a filter denies it, abort()
    // ends the process without needing any syscall to succeed.
    let _ = unsafe { sys::syscall1(nr(Syscall::exit_group), status) };
    std::process::abort();
}

/// Loads `prog` for real. The filter applies to this thread only, and may
/// kill it (`KILL_THREAD` leaves the rest of the test harness waiting) or
/// deny `exit_group`; so a watchdog thread started before the load, which
/// the filter does not cover, ends the process once the load succeeded.
fn install(prog: &[I]) {
    static LOADED: AtomicBool = AtomicBool::new(false);
    std::thread::spawn(|| {
        while !LOADED.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        raw_exit(0);
    });
    sys::write_all(1, b"about to load\n").unwrap();
    no_new_privs();
    match seccomp_filter(0, prog) {
        Ok(_) => {
            // A plain store: no system call between the load and here.
            LOADED.store(true, Ordering::SeqCst);
            raw_exit(0)
        }
        Err(Errno::EINVAL) => {
            let _ = sys::write_all(1, b"rejected\n");
            raw_exit(3)
        }
        Err(e) => {
            let _ = writeln!(std::io::stdout(), "error {e}");
            raw_exit(4)
        }
    }
}

/// A program that acts on `getppid` calls with `args[5]` == `id` only
/// (every other call gets ALLOW), computing its verdict from the arguments
/// with a random body, so that stacked programs do not interfere.
fn keyed_program(rng: &mut Rng, id: u32) -> Vec<I> {
    let endian = Abi::NATIVE.endian();
    let getppid = Abi::NATIVE.number(Syscall::getppid).unwrap();
    let body_len = 1 + rng.below(20) as usize;
    // Layout: 0 ld nr; 1 jeq getppid; 2 ld args[5].lo; 3 jeq id;
    // 4.. body; then the tail: jset #0x4000 → ALLOW; and; or ERRNO; ret a; ALLOW.
    let tail = 4 + body_len;
    let allow_at = tail + 4;
    let mut p = vec![
        I::load_word(SeccompData::NR),
        I::jeq(getppid, 0, (allow_at - 2) as u8),
        I::load_word(SeccompData::arg_lo(5, endian)),
        I::jeq(id, 0, (allow_at - 4) as u8),
    ];
    const ALU_OPS: [u16; 8] = [
        op::ADD,
        op::SUB,
        op::MUL,
        op::OR,
        op::AND,
        op::LSH,
        op::RSH,
        op::XOR,
    ];
    const JUMPS: [u16; 4] = [op::JEQ, op::JGT, op::JGE, op::JSET];
    for pc in 4..tail {
        let small = rng.below(40) as u32;
        let insn = match rng.below(12) {
            // Any word but the instruction pointer's, which the test cannot predict.
            0 | 1 => I::load_word(
                [0, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60][rng.below(14) as usize],
            ),
            2 => I::alu(
                ALU_OPS[rng.below(8) as usize],
                if rng.below(2) == 0 {
                    small % 32
                } else {
                    rng.next() as u32
                },
            )
            .with_shift_fix(),
            3 => I::alu_x(ALU_OPS[rng.below(8) as usize]),
            4 => I::alu_div(1 + rng.below(1000) as u32),
            5 => I::alu_neg(),
            6 => I::tax(),
            7 => I::txa(),
            8 => I::store(small % 16),
            9 => I::ldx_mem(small % 16),
            10 => {
                let code = op::JMP
                    | JUMPS[rng.below(4) as usize]
                    | if rng.below(2) == 0 { op::K } else { op::X };
                let room = (tail - pc) as u64; // may jump to the tail's first instruction
                I::jump(
                    code,
                    rng.next() as u32 >> rng.below(32),
                    rng.below(room) as u8,
                    rng.below(room) as u8,
                )
            }
            _ => {
                if rng.below(2) == 0 {
                    I::load_len()
                } else {
                    I::ldx_imm(rng.next() as u32)
                }
            }
        };
        p.push(insn);
    }
    p.extend([
        I::jset(0x4000, 3, 0),
        I::alu_and(0x1fff),
        I::alu_or(Action::Errno(0).to_ret()),
        I::ret_a(),
        ALLOW,
    ]);
    assert_eq!(p.len(), allow_at + 1);
    p
}

trait ShiftFix {
    fn with_shift_fix(self) -> Self;
}

impl ShiftFix for I {
    /// Constant shifts of 32 or more are refused: keep them below.
    fn with_shift_fix(mut self) -> Self {
        if matches!(op::op(self.code), op::LSH | op::RSH) {
            self.k %= 32;
        }
        self
    }
}

fn simulate_in_kernel() {
    let mut rng = Rng(0x51a1);
    let abi = Abi::NATIVE;
    let getppid = abi.number(Syscall::getppid).unwrap();
    let ppid = std::os::unix::process::parent_id() as usize;
    let mut programs = Vec::new();
    while programs.len() < 150 {
        let id = 1000 + programs.len() as u32;
        let prog = keyed_program(&mut rng, id);
        if verify(&prog).is_ok() {
            programs.push((id, prog));
        }
    }
    no_new_privs();
    for (_, prog) in &programs {
        seccomp_filter(0, prog).expect("load a verified program");
    }
    let (mut calls, mut mismatches, mut errnos, mut allowed, mut capped) = (0, 0, 0, 0, 0);
    for (id, prog) in &programs {
        for _ in 0..40 {
            let mut args = [0u64; 6];
            for a in args.iter_mut() {
                *a = match rng.below(3) {
                    0 => rng.next(),
                    1 => rng.below(64),
                    _ => rng.next() & 0xffff_ffff,
                };
            }
            args[5] = *id as u64;
            let data = SeccompData {
                nr: getppid as i32,
                arch: abi.audit_arch(),
                instruction_pointer: 0,
                args,
            };
            let predicted = simulate(prog, &data, abi.endian()).expect("verified programs run");
            let expected: Result<usize, Errno> = match predicted.action {
                Action::Allow => Ok(ppid),
                Action::Errno(_) => match predicted.action.errno().unwrap() {
                    0 => Ok(0),
                    e => Err(Errno::new(e as i32).unwrap()),
                },
                other => panic!("keyed programs only return ALLOW or ERRNO, got {other:?}"),
            };
            if matches!(predicted.action, Action::Errno(e) if e > 4095) {
                capped += 1;
            }
            // SAFETY: getppid ignores its arguments.
            let got = unsafe {
                sys::syscall6(
                    getppid as usize,
                    args[0] as usize,
                    args[1] as usize,
                    args[2] as usize,
                    args[3] as usize,
                    args[4] as usize,
                    args[5] as usize,
                )
            };
            calls += 1;
            match got {
                Ok(_) if predicted.action == Action::Allow => allowed += 1,
                _ => errnos += 1,
            }
            if got != expected {
                mismatches += 1;
                if mismatches <= 5 {
                    println!(
                        "MISMATCH args={args:x?} predicted={predicted:?} got={got:?}\n{}",
                        Listing::new(prog)
                    );
                }
            }
        }
    }

    // Division by X = 0 ends the program with 0: SECCOMP_RET_KILL_THREAD.
    let div = [
        I::load_word(SeccompData::NR),
        I::jeq(getppid, 0, 6),
        I::load_word(SeccompData::arg_lo(5, abi.endian())),
        I::jeq(7, 0, 4),
        I::load_word(SeccompData::arg_lo(0, abi.endian())),
        I::tax(),
        I::load_imm(100),
        I::alu_x(op::DIV),
        ALLOW,
    ];
    let zero = SeccompData {
        nr: getppid as i32,
        arch: abi.audit_arch(),
        instruction_pointer: 0,
        args: [0, 0, 0, 0, 0, 7],
    };
    let predicted = simulate(&div, &zero, abi.endian()).unwrap();
    assert_eq!(predicted.action, Action::KillThread);
    seccomp_filter(0, &div).expect("load div program");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // SAFETY: getppid ignores its arguments.
        let r = unsafe { sys::syscall6(getppid as usize, 0, 0, 0, 0, 0, 7) };
        let _ = tx.send(r);
    });
    let killed = matches!(
        rx.recv_timeout(Duration::from_secs(5)),
        Err(mpsc::RecvTimeoutError::Timeout)
    );
    if !killed {
        mismatches += 1;
        println!("MISMATCH division by X = 0 did not kill the calling thread");
    }
    println!(
        "SUMMARY programs={} calls={calls} allowed={allowed} errno={errnos} errno_capped={capped} thread_killed_by_div0={killed} mismatches={mismatches}",
        programs.len()
    );
    let _ = std::io::stdout().flush();
    raw_exit(0);
}
