//! Applying a pledge to the running process: installing its filter and
//! executing under it. (The report-mode `SIGSYS` handler and the exec gate
//! it needs are in `report`.)

use super::Promises;
use super::held::{EXEC_HELD, HELD};
use super::policy::{Penalty, PledgeError, patch_self_pid, policy_from};
use super::report;
use super::table::NATIVE_TABLE;
use crate::bpf::{Instruction, MAX_INSNS};
use crate::landlock::{Plan, Unveil};
use crate::seccomp::{FilterFlags, LoadError, compile, load};
use crate::sys;
use core::cell::UnsafeCell;
use core::ffi::CStr;
use core::sync::atomic::{AtomicU8, AtomicU32, Ordering};

/// The filter to install at exec time, built when the pledge was applied.
struct ExecFilter {
    /// 0: none; 1: being written; 2: ready.
    state: AtomicU8,
    insns: UnsafeCell<[Instruction; MAX_INSNS]>,
    len: UnsafeCell<usize>,
}

// SAFETY: `insns` and `len` are written only by the thread that moved
// `state` from 0 or 2 to 1, and read only in state 2.
unsafe impl Sync for ExecFilter {}

static EXEC_FILTER: ExecFilter = ExecFilter {
    state: AtomicU8::new(0),
    insns: UnsafeCell::new([Instruction::ret(0); MAX_INSNS]),
    len: UnsafeCell::new(0),
};

/// A program computed at compile time by
/// [`pledge_program!`](crate::pledge_program), with the promises and the
/// penalty it was made from.
#[derive(Clone, Copy, Debug)]
pub struct Compiled {
    /// The promises.
    pub promises: Promises,
    /// The penalty.
    pub penalty: Penalty,
    /// The program for [`Abi::NATIVE`](crate::tables::Abi::NATIVE), self-pid still unpatched.
    pub instructions: &'static [Instruction],
}

/// A pledge to apply: promises, optional execpromises, penalty.
///
/// ```no_run
/// use seclude::pledge::{Penalty, Pledge};
/// use seclude::promises;
/// let applied = Pledge::new(promises!("stdio rpath"))
///     .penalty(Penalty::KILL_PROCESS)
///     .apply()
///     .expect("pledged");
/// assert_eq!(applied.promises, promises!("stdio rpath"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Pledge {
    promises: Promises,
    execpromises: Option<Promises>,
    penalty: Penalty,
    compiled: Option<&'static [Instruction]>,
}

/// What [`Pledge::apply`] installed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Pledged {
    /// The promises now held.
    pub promises: Promises,
    /// What a program started by [`execve`] will hold, if set.
    pub execpromises: Option<Promises>,
    /// The penalty of refused calls.
    pub penalty: Penalty,
    /// Length of the installed program, in instructions.
    pub instructions: usize,
    /// Whether the program was computed at compile time.
    pub precompiled: bool,
}

impl Pledge {
    /// A pledge of `promises` with the default penalty (`EPERM`) and no
    /// execpromises.
    ///
    /// ```
    /// let p = seclude::pledge::Pledge::new(seclude::promises!("stdio"));
    /// assert_eq!(p.promises(), seclude::promises!("stdio"));
    /// ```
    pub const fn new(promises: Promises) -> Pledge {
        Pledge {
            promises,
            execpromises: None,
            penalty: Penalty::EPERM,
            compiled: None,
        }
    }

    /// A pledge whose program was computed at compile time.
    ///
    /// ```
    /// use seclude::pledge::{Compiled, Pledge};
    /// static STDIO: Compiled = seclude::pledge_program!("stdio");
    /// let p = Pledge::from_compiled(&STDIO);
    /// assert_eq!(p.promises(), seclude::promises!("stdio"));
    /// ```
    pub const fn from_compiled(compiled: &Compiled) -> Pledge {
        Pledge {
            promises: compiled.promises,
            execpromises: None,
            penalty: compiled.penalty,
            compiled: Some(compiled.instructions),
        }
    }

    /// What a program started with [`execve`] is left with: a subset of
    /// the promises (checked when applied), installed just before the
    /// exec. Needs the `exec` promise.
    ///
    /// When they are narrower than the promises, [`execve`] (and
    /// `PledgedCommand`, with the `std` feature) is the only way to exec: the filter lets `execve` through
    /// only from its exec gate, so any other exec (libc's `execve`, hence
    /// `std::process::Command::spawn`; any `execveat`) fails with `EPERM`
    /// (the penalty's errno for an errno penalty; never a kill, as this is
    /// the wrong way to a call the promises allow; reported in report
    /// mode: `seclude: execve denied; execpromises are pending: exec
    /// through seclude::pledge::execve`), instead of running the program
    /// with all the promises. That filter stays with the program executed,
    /// which has no gate: a program started under execpromises that keep
    /// `exec` cannot exec in turn. On architectures without the gate,
    /// narrower execpromises are refused
    /// ([`PledgeError::ExecGateUnsupported`]). The gate is told apart by its
    /// address only: this holds against libc and `Command`, not against
    /// code that jumps to the gate itself (with the process's own memory
    /// under its control, it holds the promises anyway).
    ///
    /// ```
    /// use seclude::{pledge::Pledge, promises};
    /// let p = Pledge::new(promises!("stdio rpath exec")).execpromises(promises!("stdio"));
    /// assert_eq!(p.execpromises_of(), Some(promises!("stdio")));
    /// ```
    pub const fn execpromises(mut self, execpromises: Promises) -> Pledge {
        self.execpromises = Some(execpromises);
        self
    }

    /// The penalty for refused calls (default [`Penalty::EPERM`]).
    ///
    /// ```
    /// use seclude::pledge::{Penalty, Pledge};
    /// let p = Pledge::new(seclude::promises!("stdio")).penalty(Penalty::KILL_PROCESS);
    /// assert_eq!(p.penalty_of(), Penalty::KILL_PROCESS);
    /// ```
    pub const fn penalty(mut self, penalty: Penalty) -> Pledge {
        if self.compiled.is_some() && !same_action(self.penalty, penalty) {
            // A precompiled program has its penalty built in.
            self.compiled = None;
        }
        self.penalty = penalty;
        self
    }

    /// The promises.
    ///
    /// ```
    /// assert!(seclude::pledge::Pledge::new(seclude::promises!("stdio")).promises().contains(seclude::pledge::Promises::STDIO));
    /// ```
    pub const fn promises(&self) -> Promises {
        self.promises
    }

    /// The execpromises, if set.
    ///
    /// ```
    /// assert_eq!(seclude::pledge::Pledge::new(seclude::promises!("stdio")).execpromises_of(), None);
    /// ```
    pub const fn execpromises_of(&self) -> Option<Promises> {
        self.execpromises
    }

    /// The penalty.
    ///
    /// ```
    /// use seclude::pledge::{Penalty, Pledge};
    /// assert_eq!(Pledge::new(seclude::promises!("stdio")).penalty_of(), Penalty::EPERM);
    /// ```
    pub const fn penalty_of(&self) -> Penalty {
        self.penalty
    }

    /// Checks everything that does not need the kernel: penalty,
    /// execpromises, narrowing, report and gate support.
    pub(crate) fn check(&self) -> Result<(), PledgeError> {
        self.penalty.check()?;
        if self.penalty.is_reported() && !report::SUPPORTED {
            return Err(PledgeError::ReportUnsupported);
        }
        narrows(self.promises, &HELD)?;
        if let Some(exec) = self.execpromises {
            if !self.promises.contains(Promises::EXEC) {
                return Err(PledgeError::ExecPromisesWithoutExec);
            }
            let extra = exec.difference(self.promises);
            if !extra.is_empty() {
                return Err(PledgeError::ExecPromisesNotSubset { extra });
            }
            narrows(exec, &EXEC_HELD)?;
            // Narrower execpromises are kept only if every exec goes
            // through the gate (see `apply`).
            if exec != self.promises && !report::SUPPORTED {
                return Err(PledgeError::ExecGateUnsupported);
            }
        }
        Ok(())
    }

    /// Installs the pledge on every thread of the process (seccomp
    /// `TSYNC`), after setting `no_new_privs`. A later pledge can only
    /// narrow: asking for a promise given up is [`PledgeError::Widening`].
    ///
    /// ```no_run
    /// use seclude::{pledge::Pledge, promises};
    /// Pledge::new(promises!("stdio rpath")).apply().unwrap();
    /// Pledge::new(promises!("stdio")).apply().unwrap(); // narrower: fine
    /// assert!(Pledge::new(promises!("stdio rpath")).apply().is_err()); // wider
    /// ```
    pub fn apply(&self) -> Result<Pledged, PledgeError> {
        self.check()?;
        let pid = sys::getpid();
        let mut program = Buffer::new();
        // With narrower execpromises pending, an exec anywhere but at the
        // gate (libc's, std's Command) would run the program with all the
        // promises: the filter refuses it, so that pledge::execve, which
        // installs the execpromises first, is the only way to exec.
        #[cfg(any(
            all(target_arch = "x86_64", target_pointer_width = "64"),
            target_arch = "aarch64"
        ))]
        if let Some(exec) = self.execpromises
            && exec != self.promises
        {
            program.extend(&gated_exec_prefix(
                report::exec_gate_ip(),
                outside_the_gate(self.penalty),
            ))?;
        }
        let precompiled = match self.compiled {
            Some(insns) => {
                program.extend(insns)?;
                true
            }
            None => {
                program.build(self.promises, self.penalty)?;
                false
            }
        };
        program.patch(pid);
        if let Some(exec) = self.execpromises {
            stage_exec_filter(exec, self.penalty.unreported())?;
        }
        if self.penalty.is_reported() {
            report::install().map_err(|errno| PledgeError::Kernel {
                step: "installing the SIGSYS handler",
                errno,
            })?;
        }
        load(program.instructions(), FilterFlags::TSYNC).map_err(load_error)?;
        let held = HELD.fetch_and(self.promises.bits(), Ordering::AcqRel) & self.promises.bits();
        if let Some(exec) = self.execpromises {
            EXEC_HELD.fetch_and(exec.bits(), Ordering::AcqRel);
        }
        Ok(Pledged {
            promises: Promises::from_bits_retain(held),
            execpromises: self.execpromises,
            penalty: self.penalty,
            instructions: program.len,
            precompiled,
        })
    }

    /// Unveil, then pledge: the order that works, since the Landlock calls
    /// that unveil makes are refused once pledged (unless `unveil` is
    /// promised). If unveil fails, nothing is pledged; if the pledge fails
    /// after unveil succeeded, the error says so and Landlock stays
    /// enforced (it cannot be undone).
    ///
    /// ```no_run
    /// use seclude::{landlock::Unveil, pledge::Pledge, promises};
    /// let mut unveil: Unveil<'_, 4> = Unveil::new();
    /// unveil.unveil(c"/etc", "r").unwrap();
    /// let (pledged, plan) = Pledge::new(promises!("stdio rpath")).apply_with_unveil(unveil).unwrap();
    /// ```
    pub fn apply_with_unveil<const N: usize>(
        &self,
        unveil: Unveil<'_, N>,
    ) -> Result<(Pledged, Plan), PledgeError> {
        // Refuse what can be refused before anything is enforced.
        self.check()?;
        let plan = unveil.commit().map_err(PledgeError::Unveil)?;
        let pledged = self.apply()?;
        Ok((pledged, plan))
    }

    /// Installs this pledge and executes `path`: the program runs with
    /// exactly these promises; this process is not pledged before the exec. The filter lets through the
    /// one `execve` made here even without the `exec` promise (the exec
    /// gate, x86-64; elsewhere the promises must include `exec`). Returns
    /// only on failure, with the filter installed if the failure was the
    /// exec itself.
    ///
    /// # Safety
    /// As `execve(2)`: `argv` and `envp` are NULL-terminated arrays of
    /// NUL-terminated strings.
    pub unsafe fn exec(
        &self,
        path: &CStr,
        argv: *const *const u8,
        envp: *const *const u8,
    ) -> PledgeError {
        let staged = self
            .penalty
            .check()
            .and_then(|()| narrows(self.promises, &HELD))
            // An earlier pledge's execpromises bound what may be exec'd.
            .and_then(|()| narrows(self.promises, &EXEC_HELD))
            .and_then(|()| exec_gate_available(self.promises))
            .and_then(|()| stage_exec_filter(self.promises, self.penalty.unreported()));
        if let Err(e) = staged {
            return e;
        }
        EXEC_HELD.fetch_and(self.promises.bits(), Ordering::AcqRel);
        // SAFETY: the caller's contract.
        unsafe { execve(path, argv, envp) }
    }
}

/// `wanted` asks for nothing beyond what `held` still allows.
fn narrows(wanted: Promises, held: &AtomicU32) -> Result<(), PledgeError> {
    let extra = wanted.difference(Promises::from_bits_retain(held.load(Ordering::Acquire)));
    if extra.is_empty() {
        Ok(())
    } else {
        Err(PledgeError::Widening { extra })
    }
}

/// An exec filter without `exec` needs the exec gate.
fn exec_gate_available(exec: Promises) -> Result<(), PledgeError> {
    if exec.contains(Promises::EXEC) || report::SUPPORTED {
        Ok(())
    } else {
        Err(PledgeError::ExecGateUnsupported)
    }
}

/// Whether two penalties compile to the same filter action (`Penalty`'s
/// `==` is not `const`). The action tells reported from unreported too.
const fn same_action(a: Penalty, b: Penalty) -> bool {
    a.action().to_ret() == b.action().to_ret()
}

fn load_error(e: LoadError) -> PledgeError {
    let errno = match e {
        LoadError::NoNewPrivs(errno) | LoadError::Seccomp(errno) => errno,
        LoadError::ThreadSync { .. } => crate::Errno::EAGAIN,
        LoadError::Invalid(_) => crate::Errno::EINVAL,
    };
    PledgeError::Kernel {
        step: "installing the seccomp filter",
        errno,
    }
}

/// A program being put together on the stack.
struct Buffer {
    insns: [Instruction; MAX_INSNS],
    len: usize,
}

impl Buffer {
    fn new() -> Buffer {
        Buffer {
            insns: [Instruction::ret(0); MAX_INSNS],
            len: 0,
        }
    }

    fn extend(&mut self, insns: &[Instruction]) -> Result<(), PledgeError> {
        if self.len + insns.len() > MAX_INSNS {
            return Err(PledgeError::Compile(
                crate::seccomp::CompileError::TooLong {
                    capacity: MAX_INSNS,
                },
            ));
        }
        self.insns[self.len..self.len + insns.len()].copy_from_slice(insns);
        self.len += insns.len();
        Ok(())
    }

    fn build(&mut self, promises: Promises, penalty: Penalty) -> Result<(), PledgeError> {
        let policy = policy_from(&NATIVE_TABLE, promises, penalty)?;
        let program =
            compile::<{ super::MAX_RULES }, MAX_INSNS>(&policy).map_err(PledgeError::Compile)?;
        self.extend(program.instructions())
    }

    fn patch(&mut self, pid: u32) {
        patch_self_pid(&mut self.insns[..self.len], pid);
    }

    fn instructions(&self) -> &[Instruction] {
        &self.insns[..self.len]
    }
}

#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
/// The instructions that let exactly the exec gate's `execve` through:
/// native arch, `execve`, and the gate's return address.
fn exec_gate_prefix(ip: u64) -> [Instruction; 9] {
    use crate::bpf::{Action, SeccompData};
    use crate::tables::{Abi, Syscall};
    let arch = Abi::NATIVE.audit_arch();
    let nr = Abi::NATIVE.number(Syscall::execve).unwrap_or(u32::MAX);
    // Little-endian (the gate exists on x86-64 and AArch64): low word first.
    let ip_lo = SeccompData::IP;
    [
        Instruction::load_word(SeccompData::ARCH),
        Instruction::jeq(arch, 0, 7),
        Instruction::load_word(SeccompData::NR),
        Instruction::jeq(nr, 0, 5),
        Instruction::load_word(ip_lo),
        Instruction::jeq(ip as u32, 0, 3),
        Instruction::load_word(ip_lo + 4),
        Instruction::jeq((ip >> 32) as u32, 0, 1),
        Instruction::ret(Action::Allow.to_ret()),
    ]
}

/// The refusal of an exec made outside the gate while execpromises are
/// pending: not a call the promises forbid but the wrong way to make one,
/// so it fails with an errno the program can handle (the penalty's, or
/// `EPERM` for a kill), reported if the penalty is.
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
fn outside_the_gate(penalty: Penalty) -> crate::bpf::Action {
    let refusal = Penalty::errno(penalty.returned_errno().unwrap_or(1));
    if penalty.is_reported() {
        refusal.reported().action()
    } else {
        refusal.action()
    }
}

/// The instructions, before the main filter, that let `execve` through
/// only from the gate's return address `ip` and refuse every other
/// `execve` and every `execveat` with `refusal`; other calls go on to the
/// program that follows.
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
fn gated_exec_prefix(ip: u64, refusal: crate::bpf::Action) -> [Instruction; 11] {
    use crate::bpf::{Action, SeccompData};
    use crate::tables::{Abi, Syscall};
    let arch = Abi::NATIVE.audit_arch();
    let execve = Abi::NATIVE.number(Syscall::execve).unwrap_or(u32::MAX);
    let execveat = Abi::NATIVE.number(Syscall::execveat).unwrap_or(u32::MAX);
    // Little-endian (the gate exists on x86-64 and AArch64): low word first.
    let ip_lo = SeccompData::IP;
    // Jump offsets count from the next instruction; the program follows
    // at 11.
    [
        /* 0 */ Instruction::load_word(SeccompData::ARCH),
        /* 1 */ Instruction::jeq(arch, 0, 9),
        /* 2 */ Instruction::load_word(SeccompData::NR),
        /* 3 */ Instruction::jeq(execve, 1, 0),
        /* 4 */ Instruction::jeq(execveat, 5, 6),
        /* 5 */ Instruction::load_word(ip_lo),
        /* 6 */ Instruction::jeq(ip as u32, 0, 3),
        /* 7 */ Instruction::load_word(ip_lo + 4),
        /* 8 */ Instruction::jeq((ip >> 32) as u32, 0, 1),
        /* 9 */ Instruction::ret(Action::Allow.to_ret()),
        /* 10 */ Instruction::ret(refusal.to_ret()),
    ]
}

/// Builds the exec filter for `exec` (with the gate unless it promises
/// `exec`) into the static slot. Its self-pid is patched at exec time: the
/// process that execs may be a child forked after the pledge.
fn stage_exec_filter(exec: Promises, penalty: Penalty) -> Result<(), PledgeError> {
    let mut program = Buffer::new();
    #[cfg(any(
        all(target_arch = "x86_64", target_pointer_width = "64"),
        target_arch = "aarch64"
    ))]
    if !exec.contains(Promises::EXEC) {
        program.extend(&exec_gate_prefix(report::exec_gate_ip()))?;
    }
    program.build(exec, penalty)?;
    // Take the slot.
    let mut state = EXEC_FILTER.state.load(Ordering::Acquire);
    loop {
        if state == 1 {
            return Err(PledgeError::Kernel {
                step: "another thread is pledging",
                errno: crate::Errno::EBUSY,
            });
        }
        match EXEC_FILTER
            .state
            .compare_exchange(state, 1, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => break,
            Err(now) => state = now,
        }
    }
    // SAFETY: state 1 gives this thread exclusive access.
    unsafe {
        (&mut *EXEC_FILTER.insns.get())[..program.len].copy_from_slice(program.instructions());
        *EXEC_FILTER.len.get() = program.len;
    }
    EXEC_FILTER.state.store(2, Ordering::Release);
    Ok(())
}

/// `execve(2)` that applies the pending execpromises first: the program
/// runs with what [`Pledge::execpromises`] left it. Without pending
/// execpromises it is a plain execve. Returns only on failure (with the
/// exec filter, if any, already installed: this thread then holds only
/// the execpromises). While narrower execpromises are pending, this (or
/// `PledgedCommand`, with the `std` feature) is the only exec the filter
/// lets through; it works in a child forked after the pledge too.
///
/// # Safety
/// As `execve(2)`: `argv` and `envp` are NULL-terminated arrays of
/// NUL-terminated strings.
///
/// ```no_run
/// use seclude::{pledge::{Pledge, execve}, promises};
/// Pledge::new(promises!("stdio rpath exec")).execpromises(promises!("stdio")).apply().unwrap();
/// let argv = [c"/bin/true".as_ptr().cast(), core::ptr::null()];
/// let envp = [core::ptr::null()];
/// let error = unsafe { execve(c"/bin/true", argv.as_ptr(), envp.as_ptr()) };
/// ```
pub unsafe fn execve(path: &CStr, argv: *const *const u8, envp: *const *const u8) -> PledgeError {
    // SAFETY: the caller's contract.
    unsafe { execve_first(core::iter::once(path), argv, envp) }
}

/// [`execve`] of the first of `paths` that can be executed, tried in
/// order as `execvp` tries the directories of `PATH`: the exec filter, if
/// staged, is installed once, then each path is tried (through the gate if
/// there is one). A path that does not exist (`ENOENT`, `ENOTDIR`,
/// `ESTALE`, `ENODEV`, `ETIMEDOUT`) or may not be executed (`EACCES`)
/// leads to the next; any other error ends the search. Returns only on
/// failure: the last error, or `EACCES` if some path had it.
///
/// # Safety
/// As [`execve`]; async-signal-safe (no allocation, raw calls only), for
/// the child of a fork.
pub(crate) unsafe fn execve_first<'p>(
    paths: impl IntoIterator<Item = &'p CStr>,
    argv: *const *const u8,
    envp: *const *const u8,
) -> PledgeError {
    use crate::Errno;
    let staged = EXEC_FILTER.state.load(Ordering::Acquire) == 2;
    if staged {
        // SAFETY: state 2: the slot is complete and no longer written.
        let staged = unsafe { &(&*EXEC_FILTER.insns.get())[..*EXEC_FILTER.len.get()] };
        let mut program = Buffer::new();
        if let Err(e) = program.extend(staged) {
            return e;
        }
        // The pid of the process that execs (getpid is always allowed).
        program.patch(sys::getpid());
        if let Err(e) = load(program.instructions(), FilterFlags::empty()) {
            return load_error(e);
        }
        let exec = EXEC_HELD.load(Ordering::Acquire);
        HELD.fetch_and(exec, Ordering::AcqRel);
    }
    let mut last = Errno::ENOENT;
    let mut denied = false;
    for path in paths {
        // SAFETY: the caller's contract.
        let errno = unsafe { execve_once(staged, path, argv, envp) };
        match errno {
            Errno::EACCES => denied = true,
            Errno::ENOENT | Errno::ENOTDIR | Errno::ESTALE | Errno::ENODEV | Errno::ETIMEDOUT => {}
            _ => {
                return PledgeError::Kernel {
                    step: "execve",
                    errno,
                };
            }
        }
        last = errno;
    }
    PledgeError::Kernel {
        step: "execve",
        errno: if denied { Errno::EACCES } else { last },
    }
}

/// One execve, through the gate when the exec filter was `staged` (and
/// there is a gate); returns only on failure.
///
/// # Safety
/// As [`execve`].
unsafe fn execve_once(
    staged: bool,
    path: &CStr,
    argv: *const *const u8,
    envp: *const *const u8,
) -> crate::Errno {
    #[cfg(any(
        all(target_arch = "x86_64", target_pointer_width = "64"),
        target_arch = "aarch64"
    ))]
    if staged {
        // SAFETY: the caller's contract.
        return unsafe { report::execve_through_gate(path.as_ptr().cast(), argv, envp) };
    }
    let _ = staged;
    // SAFETY: the caller's contract.
    let result = unsafe {
        sys::syscall3(
            crate::tables::native_nr!(execve),
            path.as_ptr() as usize,
            argv as usize,
            envp as usize,
        )
    };
    result.err().unwrap_or(crate::Errno::EINVAL)
}
