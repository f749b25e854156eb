//! The kernel's action cache over pledge programs, and supervised ones
//! ([`supervised_policy`]): a call the promises
//! allow whatever its arguments must be decided by `arch` and `nr` alone,
//! so that the kernel lets it through without running the filter
//! ([`kernel_caches_allow`]); and no call the promises refuse for some
//! arguments may be cached, or the kernel would let those through too.

use super::*;
use crate::bpf::{Action, kernel_caches_allow};
use crate::seccomp::{Policy, Program, Rule, compile};
use crate::tables::{Abi, Syscall};
use crate::testing::with_big_stack;

/// Whether `policy` allows `call` whatever its arguments: its first rule
/// for `call` that can refuse is conditional or refuses (no), its first
/// unconditional rule allows (yes), or it has none and allows by default.
fn always_allows<const N: usize>(policy: &Policy<N>, call: Syscall) -> bool {
    for rule in policy.rules().iter().filter(|r| r.syscall == call) {
        if rule.action != Action::Allow {
            return false;
        }
        if rule.conditions().is_empty() {
            return true;
        }
    }
    policy.default_action() == Action::Allow
}

#[test]
fn pledge_and_supervised_programs_let_the_kernel_cache_exactly_what_their_policy_allows_whatever_the_arguments()
 {
    with_big_stack(|| {
        let mut sets = std::vec![
            Promises::STDIO | Promises::RPATH | Promises::WPATH | Promises::CPATH,
            Promises::all(),
        ];
        for promise in Promises::all().iter() {
            sets.push(promise);
            sets.push(Promises::STDIO | promise);
        }
        let first = [Rule::new(Syscall::execve, Action::UserNotif)];
        for abi in Abi::ALL {
            // Another architecture's calls are killed, never cached.
            let other = Abi::ALL
                .into_iter()
                .find(|o| o.audit_arch() != abi.audit_arch())
                .unwrap();
            let read = abi.number(Syscall::read).unwrap_or(0);
            let policies = sets.iter().flat_map(|&promises| {
                [
                    (promises, policy(promises, Penalty::EPERM, abi).unwrap()),
                    (promises, supervised_policy(&first, promises, abi).unwrap()),
                ]
            });
            for (promises, policy) in policies {
                let program: Program = compile(&policy).unwrap();
                let mut cached = 0;
                for &(nr, call) in abi.entries() {
                    let expected = always_allows(&policy, call);
                    let is = kernel_caches_allow(program.instructions(), abi.audit_arch(), nr);
                    assert_eq!(is, expected, "{abi:?} {promises:?}: {call}");
                    cached += is as usize;
                }
                // Not vacuous: stdio alone allows some 150 calls outright.
                if promises.contains(Promises::STDIO) {
                    assert!(cached > 100, "{abi:?} {promises:?}: {cached}");
                }
                assert!(!kernel_caches_allow(
                    program.instructions(),
                    other.audit_arch(),
                    read
                ));
            }
        }
    });
}

/// The comparison above is with the compiled policy: a table that put a
/// needless condition on a common call would still pass it. These calls,
/// which almost every program makes often, `stdio` allows outright on
/// every ABI that has them.
#[test]
fn stdio_lets_the_kernel_cache_the_common_calls() {
    const COMMON: &[Syscall] = &[
        Syscall::read,
        Syscall::write,
        Syscall::readv,
        Syscall::writev,
        Syscall::pread64,
        Syscall::pwrite64,
        Syscall::close,
        Syscall::lseek,
        Syscall::dup,
        Syscall::dup3,
        Syscall::pipe2,
        Syscall::futex,
        Syscall::futex_time64,
        Syscall::getpid,
        Syscall::gettid,
        Syscall::getuid,
        Syscall::brk,
        Syscall::munmap,
        Syscall::rt_sigaction,
        Syscall::rt_sigprocmask,
        Syscall::rt_sigreturn,
        Syscall::exit,
        Syscall::exit_group,
        Syscall::clock_gettime,
        Syscall::clock_nanosleep,
        Syscall::getrandom,
        Syscall::sched_yield,
        Syscall::set_robust_list,
        Syscall::rseq,
        Syscall::ppoll,
        Syscall::wait4,
    ];
    with_big_stack(|| {
        for abi in Abi::ALL {
            let program: Program =
                compile(&policy(Promises::STDIO, Penalty::EPERM, abi).unwrap()).unwrap();
            for &call in COMMON {
                let Some(nr) = abi.number(call) else { continue };
                assert!(
                    kernel_caches_allow(program.instructions(), abi.audit_arch(), nr),
                    "{abi:?}: {call}"
                );
            }
        }
    });
}
