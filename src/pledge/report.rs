//! Report mode: a `SIGSYS` handler, written without libc, that names the
//! refused syscall and the promise that would allow it, then applies the
//! penalty; and the exec gate, the one `execve` an exec filter lets through.
//!
//! Both need the signal frame's and the syscall instruction's layout, so
//! they exist for x86-64 and AArch64 only; elsewhere [`SUPPORTED`] is
//! false and pledge refuses report mode and exec gates with a typed error.

/// Whether report mode and the exec gate exist on this architecture.
pub(crate) const SUPPORTED: bool = cfg!(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
));

#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
pub(crate) use handler::{exec_gate_ip, execve_through_gate, install};

#[cfg(not(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
)))]
pub(crate) fn install() -> Result<(), crate::Errno> {
    Err(crate::Errno::ENOSYS)
}

/// Room for the longest message: a syscall name and every promise word.
const MESSAGE_CAPACITY: usize = 256;

/// The message for one refused call (pure, so it is tested without a
/// signal): `seclude: NAME denied; promise "WORDS" would allow it`, for
/// syscall number `nr` (`name` if known) when `would_allow` is what
/// [`super::would_allow`] found. Formatting into a fixed buffer needs no
/// allocator and no lock, so the signal handler may do it.
#[cfg_attr(
    not(any(
        all(target_arch = "x86_64", target_pointer_width = "64"),
        target_arch = "aarch64"
    )),
    allow(dead_code)
)]
pub(crate) fn refused_message(
    name: Option<&str>,
    nr: u32,
    would_allow: Option<super::Promises>,
) -> heapless::String<MESSAGE_CAPACITY> {
    use core::fmt::Write;
    let mut m = heapless::String::new();
    // The capacity holds every syscall name and all 23 words.
    let _ = match name {
        Some(name) => write!(m, "seclude: {name} denied; "),
        None => write!(m, "seclude: syscall {nr} denied; "),
    };
    let _ = match would_allow {
        Some(p) if p.bits().count_ones() == 1 => writeln!(m, "promise \"{p}\" would allow it"),
        Some(p) if !p.is_empty() => writeln!(m, "promises \"{p}\" would allow it"),
        // The promises held allow it, yet the filter refused: the one case
        // is an exec outside the gate while execpromises are pending.
        Some(_) if matches!(name, Some("execve" | "execveat")) => writeln!(
            m,
            "execpromises are pending: exec through seclude::pledge::execve"
        ),
        // No promise allows a memfd_create only when `exec` is held (a
        // memfd it could execute) and the flags lack MFD_NOEXEC_SEAL or
        // ask for MFD_EXEC.
        None if name == Some("memfd_create") => writeln!(
            m,
            "under \"exec\" a memfd must be created with MFD_NOEXEC_SEAL, not MFD_EXEC (Linux 6.3)"
        ),
        _ => writeln!(m, "no promise allows it"),
    };
    m
}

/// The restorer `__seclude_v0_restore_rt` and the gate's
/// `__seclude_v0_execve`, whose return address is
/// `__seclude_v0_execve_return`: hidden symbols in a section of their own,
/// with each architecture's instructions.
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
macro_rules! gate_asm {
    (restore: [$($restore:literal),*], execve: [$($execve:literal),*],) => {
        core::arch::global_asm!(
            ".pushsection .text.__seclude_v0,\"ax\",@progbits",
            ".globl __seclude_v0_restore_rt",
            ".hidden __seclude_v0_restore_rt",
            ".globl __seclude_v0_execve",
            ".hidden __seclude_v0_execve",
            ".globl __seclude_v0_execve_return",
            ".hidden __seclude_v0_execve_return",
            ".p2align 4",
            "__seclude_v0_restore_rt:",
            $($restore,)*
            ".p2align 4",
            "__seclude_v0_execve:",
            $($execve,)*
            "__seclude_v0_execve_return:",
            "    ret",
            ".popsection",
        );
    };
}
#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
use gate_asm;

/// The architecture-specific half: the restorer the kernel returns
/// through, the gate's `execve`, and where the signal frame keeps the
/// syscall's arguments and return value.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
mod arch {
    // The restorer (x86-64 has no default one), and the execve whose
    // return address the exec gate compares with
    // `seccomp_data.instruction_pointer` (the address after `syscall`).
    super::gate_asm!(
        restore: ["mov eax, 15", "syscall", "ud2"],
        execve: ["mov eax, 59", "syscall"],
    );

    /// Offsets in `ucontext_t`: `uc_mcontext` starts at 40, its registers
    /// are r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax ….
    pub(super) const GREGS: usize = 40;
    /// rax: the return value.
    pub(super) const RETURN: usize = 13;
    /// rdi, rsi, rdx, r10, r8, r9: the syscall argument registers.
    pub(super) const ARGS: [usize; 6] = [8, 9, 12, 2, 0, 1];
}

/// See the x86-64 module above; AArch64's frame is the generic one.
#[cfg(target_arch = "aarch64")]
mod arch {
    // `rt_sigreturn` is 139 and `execve` 221 (the generic table). The
    // kernel reports the address after `svc` as the instruction pointer.
    super::gate_asm!(
        restore: ["mov x8, #139", "svc #0", "udf #0"],
        execve: ["mov x8, #221", "svc #0"],
    );

    /// Offsets in `ucontext_t`: after uc_flags, uc_link, uc_stack (24
    /// bytes), a 128-byte signal mask area, `uc_mcontext` (16-aligned)
    /// starts at 176 with `fault_address`, then x0..x30 from 184.
    pub(super) const GREGS: usize = 184;
    /// x0 carries the first argument in and the return value out.
    pub(super) const RETURN: usize = 0;
    /// x0..x5.
    pub(super) const ARGS: [usize; 6] = [0, 1, 2, 3, 4, 5];
}

#[cfg(any(
    all(target_arch = "x86_64", target_pointer_width = "64"),
    target_arch = "aarch64"
))]
mod handler {
    use super::super::held::HELD;
    use super::super::policy::{Penalty, would_allow_in};
    use super::super::table::NATIVE_TABLE;
    use super::arch::{ARGS, GREGS, RETURN};
    use super::refused_message;
    use crate::Errno;
    use crate::bpf::{Action, Instruction};
    use crate::seccomp::add_thread_filter_raw;
    use crate::sys;
    use crate::tables::{Abi, native_nr};
    use core::sync::atomic::Ordering;

    const SIGSYS: usize = 31;
    /// `si_code` of a seccomp trap.
    const SYS_SECCOMP: i32 = 1;
    const SA_SIGINFO: u64 = 4;
    /// The same bit on x86-64 and AArch64.
    const SA_RESTORER: u64 = 0x0400_0000;

    unsafe extern "C" {
        fn __seclude_v0_restore_rt();
        fn __seclude_v0_execve(
            path: *const u8,
            argv: *const *const u8,
            envp: *const *const u8,
        ) -> isize;
        static __seclude_v0_execve_return: u8;
    }

    /// The kernel's `struct sigaction` on x86-64 and AArch64.
    #[repr(C)]
    struct KernelSigaction {
        handler: usize,
        flags: u64,
        restorer: usize,
        mask: u64,
    }

    /// Sets the action of `SIGSYS`: `handler` (0 for the default) with
    /// `flags`, returning through our restorer.
    fn set_sigsys_action(handler: usize, flags: u64) -> Result<(), Errno> {
        let act = KernelSigaction {
            handler,
            flags: flags | SA_RESTORER,
            restorer: __seclude_v0_restore_rt as *const () as usize,
            mask: 0,
        };
        // SAFETY: act is a valid kernel sigaction; the handler and the
        // restorer live as long as the program.
        unsafe {
            sys::syscall4(
                native_nr!(rt_sigaction),
                SIGSYS,
                &act as *const KernelSigaction as usize,
                0,
                8,
            )
        }
        .map(|_| ())
    }

    /// Installs the `SIGSYS` handler.
    pub(crate) fn install() -> Result<(), Errno> {
        set_sigsys_action(on_sigsys as *const () as usize, SA_SIGINFO)
    }

    extern "C" fn on_sigsys(_sig: i32, info: *mut u8, context: *mut u8) {
        // SAFETY: the kernel passes a siginfo_t (si_errno at 4, si_code at
        // 8, and for SIGSYS si_syscall at 24 and si_arch at 28 on both
        // architectures) and a ucontext_t laid out as `arch` says.
        unsafe {
            // Only seccomp's traps (SYS_SECCOMP); a SIGSYS sent by kill()
            // or raised by a bad syscall without a filter is not ours.
            if core::ptr::read(info.add(8) as *const i32) != SYS_SECCOMP {
                return;
            }
            let data = core::ptr::read(info.add(4) as *const i32) as u16;
            let nr = core::ptr::read(info.add(24) as *const i32) as u32;
            let arch = core::ptr::read(info.add(28) as *const u32);
            let Some(penalty) = Penalty::from_trap_data(data) else {
                return;
            };
            let gregs = context.add(GREGS) as *mut u64;
            let mut args = [0u64; 6];
            for (i, reg) in ARGS.iter().enumerate() {
                args[i] = core::ptr::read(gregs.add(*reg));
            }
            let native = arch == Abi::NATIVE.audit_arch();
            let syscall = if native {
                Abi::NATIVE.syscall(nr)
            } else {
                None
            };
            let held = super::super::Promises::from_bits_truncate(HELD.load(Ordering::Relaxed));
            // Asked now, not remembered: after a fork this is another process.
            let pid = sys::getpid();
            let would = match syscall {
                Some(s) => would_allow_in(&NATIVE_TABLE, held, s, &args, pid),
                None => None,
            };
            let message = refused_message(syscall.map(|s| s.name()), nr, would);
            let _ = sys::write_all(2, message.as_bytes());
            if let Some(errno) = penalty.returned_errno() {
                core::ptr::write(gregs.add(RETURN), (-(errno as i64)) as u64);
            } else {
                // A kill: let the kernel carry out its own kill action, so
                // the end is the unreported penalty's to the letter (a
                // KILL_THREAD ends this thread only, unless it is the last
                // one: then the process dies of SIGSYS with a core dump).
                kill_as_the_filter_would(penalty);
                // Only if that filter could not be added: SIGSYS back to
                // its default and sent to this process, pending until the
                // handler returns and unblocks it, ends the whole process
                // (a thread alone cannot be made to die of a signal). In a
                // child forked after the pledge the filter refuses this
                // kill, and the kernel then kills with SIGSYS itself,
                // since SIGSYS is blocked in the handler.
                let _ = set_sigsys_action(0, 0);
                if sys::syscall2(native_nr!(kill), pid as usize, SIGSYS).is_err() {
                    sys::exit_group(128 + SIGSYS as i32);
                }
                core::ptr::write(gregs.add(RETURN), (-(Errno::EPERM.raw() as i64)) as u64);
            }
        }
    }

    /// Adds to this thread a filter that returns `penalty`'s kill action
    /// for every call, then makes a call: the kernel ends the thread or
    /// the process as that action does for any filter. Returns only if the
    /// filter could not be added.
    fn kill_as_the_filter_would(penalty: Penalty) {
        let action = if penalty.kills_process() {
            Action::KillProcess
        } else {
            Action::KillThread
        };
        let everything = [Instruction::ret(action.to_ret())];
        if add_thread_filter_raw(&everything).is_ok() {
            sys::getpid();
        }
    }

    /// The address `seccomp_data.instruction_pointer` holds for the gate's
    /// execve.
    pub(crate) fn exec_gate_ip() -> u64 {
        // SAFETY: only the address of the label is taken.
        (&raw const __seclude_v0_execve_return) as u64
    }

    /// execve through the gate; returns only on failure.
    ///
    /// # Safety
    /// As `execve(2)`: NUL-terminated path, NULL-terminated arrays.
    pub(crate) unsafe fn execve_through_gate(
        path: *const u8,
        argv: *const *const u8,
        envp: *const *const u8,
    ) -> Errno {
        // SAFETY: the caller's contract.
        let ret = unsafe { __seclude_v0_execve(path, argv, envp) };
        Errno::new((-ret) as i32).unwrap_or(Errno::EINVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pledge::Promises;

    #[test]
    fn messages_name_the_syscall_and_the_promises() {
        let m = refused_message(Some("openat"), 257, Some(Promises::RPATH));
        assert_eq!(
            m.as_bytes(),
            b"seclude: openat denied; promise \"rpath\" would allow it\n"
        );
        let m = refused_message(Some("openat"), 257, Some(Promises::RPATH | Promises::WPATH));
        assert_eq!(
            m.as_bytes(),
            b"seclude: openat denied; promises \"rpath wpath\" would allow it\n"
        );
        let m = refused_message(None, 4000, None);
        assert_eq!(
            m.as_bytes(),
            b"seclude: syscall 4000 denied; no promise allows it\n"
        );
        let m = refused_message(Some("ptrace"), 101, None);
        assert_eq!(
            m.as_bytes(),
            b"seclude: ptrace denied; no promise allows it\n"
        );
        let m = refused_message(Some("execve"), 59, Some(Promises::empty()));
        assert_eq!(
            m.as_bytes(),
            b"seclude: execve denied; execpromises are pending: exec through seclude::pledge::execve\n"
        );
        let m = refused_message(Some("memfd_create"), 319, None);
        assert_eq!(
            m.as_bytes(),
            b"seclude: memfd_create denied; under \"exec\" a memfd must be created with MFD_NOEXEC_SEAL, not MFD_EXEC (Linux 6.3)\n"
        );
        let m = refused_message(Some("mmap"), 9, Some(Promises::PROT_EXEC));
        assert_eq!(
            m.as_bytes(),
            b"seclude: mmap denied; promise \"prot_exec\" would allow it\n"
        );
    }

    #[test]
    fn the_longest_message_fits() {
        let longest = crate::tables::Syscall::ALL
            .iter()
            .map(|s| s.name())
            .max_by_key(|n| n.len())
            .unwrap();
        let m = refused_message(Some(longest), 0, Some(Promises::all()));
        assert!(m.ends_with("\" would allow it\n"), "{m}");
        assert!(m.contains("stdio rpath wpath"), "{m}");
    }
}
