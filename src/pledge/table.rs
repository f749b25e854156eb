//! What each promise allows, as syscall rules for one ABI.
//!
//! The table is plain data: entries of (promises needed, promises that
//! must not be held, syscall, argument conditions). A call is allowed when
//! some entry whose promises are all held, and none of whose excluded
//! promises is, names its syscall and its conditions hold. Exclusions
//! are rare: holding a promise normally only allows more, but `exec`
//! narrows `memfd_create` (see [`table`]). The seccomp policy
//! ([`super::policy`]), the trap handler's "which promise would allow it"
//! and the generated documentation all read this one table.
//!
//! This file holds the rules ([`table`]); the entry and table types are
//! in [`entry`], the long lists of calls the rules allow in [`calls`].
//! Its children live in `table/` beside it rather than under a
//! `table/mod.rs` (the crate's usual layout) because the generated
//! `PROMISES.md`, and the tests, send readers to `src/pledge/table.rs`
//! for the rules.

mod calls;
mod entry;

use super::Promises;
use super::constants::*;
use crate::seccomp::{Cmp, Condition};
use crate::tables::{Abi, Syscall};
use calls::*;
use entry::{NONE, bits, eq, no_setid, null};

pub use entry::SELF_PID;
pub(crate) use entry::{Entry, MAX_ENTRIES, Table, Verdict};

/// `setpriority`'s `which` for one process.
const PRIO_PROCESS: u32 = 0;
/// `ioprio_set`'s `which` for one process.
const IOPRIO_WHO_PROCESS: u32 = 1;

use Syscall as S;

const STDIO: Promises = Promises::STDIO;
const RPATH: Promises = Promises::RPATH;
const WPATH: Promises = Promises::WPATH;
const CPATH: Promises = Promises::CPATH;

/// The table of the ABI seclude is built for, computed at compile time.
pub(crate) static NATIVE_TABLE: Table = table(Abi::NATIVE);

/// The promise rules for `abi`.
pub(crate) const fn table(abi: Abi) -> Table {
    let c = constants(abi);
    let mut t = Table::new(abi);

    t.allow(NONE, ALWAYS);
    t.enosys(ENOSYS);
    // i386's `mmap` is old_mmap, whose arguments are in memory; every C
    // library there uses mmap2.
    if matches!(abi, Abi::I386) {
        t.enosys(&[S::mmap]);
    }

    // ---- stdio ----
    t.allow(STDIO, STDIO_CALLS);
    let mut i = 0;
    while i < FCNTL_STDIO.len() {
        t.allow_if(STDIO, S::fcntl, &[eq(1, FCNTL_STDIO[i])]);
        t.allow_if(STDIO, S::fcntl64, &[eq(1, FCNTL_STDIO[i])]);
        i += 1;
    }
    t.allow_values(STDIO, S::ioctl, 1, &c.fio);
    // A memfd is a file on an internal mount, which Landlock always lets
    // a program execute (by its /proc/self/fd/N path: seccomp sees only
    // the path's address). So while `exec` is held, a memfd must be made
    // non-executable for good: MFD_NOEXEC_SEAL (no x bits, and F_SEAL_EXEC
    // so that no chmod adds them; execve then fails with EACCES, root's
    // too), and not MFD_EXEC (the kernel refuses both anyway), nor
    // MFD_HUGETLB (hugetlbfs does not check F_SEAL_EXEC on chmod). Linux
    // before 6.3 refuses MFD_NOEXEC_SEAL with EINVAL: there a program
    // holding `exec` cannot create a memfd. Without `exec`, a memfd is
    // data only (executing one needs `exec`), as any file it could write.
    t.allow_unless(STDIO, Promises::EXEC, S::memfd_create, &[]);
    t.allow_if(
        STDIO,
        S::memfd_create,
        &[bits(
            1,
            MFD_NOEXEC_SEAL | MFD_EXEC | MFD_HUGETLB,
            MFD_NOEXEC_SEAL,
        )],
    );
    // Memory, never executable without prot_exec. s390x's `mmap` is
    // old_mmap (arguments in memory, the only mmap there): allowed
    // unchecked, documented in the table.
    let no_exec = bits(2, PROT_EXEC, 0);
    if matches!(abi, Abi::S390x) {
        t.allow(STDIO, &[S::mmap]);
    } else if !matches!(abi, Abi::I386) {
        t.allow_if(STDIO, S::mmap, &[no_exec]);
    }
    t.allow_if(STDIO, S::mmap2, &[no_exec]);
    t.allow_if(STDIO, S::mprotect, &[no_exec]);
    t.allow_if(STDIO, S::pkey_mprotect, &[no_exec]);
    // Threads only: CLONE_THREAD (which implies CLONE_VM and
    // CLONE_SIGHAND) and no namespace.
    t.allow_if(
        STDIO,
        S::clone,
        &[bits(
            c.clone_flags_arg,
            CLONE_THREAD | CLONE_NAMESPACES,
            CLONE_THREAD,
        )],
    );
    // Signals to this process only.
    let mut i = 0;
    while i < SIGNAL_SENDERS.len() {
        t.allow_if(STDIO, SIGNAL_SENDERS[i], &[eq(0, SELF_PID)]);
        i += 1;
    }
    // Reading own limits: prlimit64(0 or self, resource, NULL, old).
    t.allow_if(STDIO, S::prlimit64, &[eq(0, 0), null(2)]);
    t.allow_if(STDIO, S::prlimit64, &[eq(0, SELF_PID), null(2)]);
    // fstat() is fstatat(fd, "", AT_EMPTY_PATH) in current C libraries.
    t.allow_if(
        STDIO,
        S::newfstatat,
        &[bits(3, AT_EMPTY_PATH, AT_EMPTY_PATH)],
    );
    t.allow_if(
        STDIO,
        S::fstatat64,
        &[bits(3, AT_EMPTY_PATH, AT_EMPTY_PATH)],
    );
    t.allow_if(STDIO, S::statx, &[bits(2, AT_EMPTY_PATH, AT_EMPTY_PATH)]);
    t.allow_if(STDIO, S::sendto, &[null(4)]);
    t.allow_if(STDIO, S::socketpair, &[eq(0, AF_UNIX)]);
    t.allow_values(STDIO, S::prctl, 0, &PRCTL_HARMLESS);
    t.allow_if(STDIO, S::prctl, &[eq(0, PR_SET_DUMPABLE), eq(1, 0)]);
    t.allow_if(
        STDIO,
        S::seccomp,
        &[Condition::arg32(0, Cmp::Le, SECCOMP_LAST_OP)],
    );
    t.allow_if(
        STDIO,
        S::arch_prctl,
        &[
            Condition::arg32(0, Cmp::Ge, ARCH_FS_GS.0),
            Condition::arg32(0, Cmp::Le, ARCH_FS_GS.1),
        ],
    );

    // ---- rpath, wpath, cpath, tmppath: opening ----
    open_rules(&mut t, &c, S::open, 1, 2);
    open_rules(&mut t, &c, S::openat, 2, 3);
    t.allow_if(CPATH.union(WPATH), S::creat, &[no_setid(1)]);
    t.allow(RPATH, RPATH_CALLS);
    t.allow(WPATH, &[S::truncate, S::truncate64]);
    t.allow(CPATH, CPATH_CALLS);
    t.allow_if(CPATH, S::mkdir, &[no_setid(1)]);
    t.allow_if(CPATH, S::mkdirat, &[no_setid(2)]);
    // tmppath: what mkstemp and a cleanup need (paths are unveil's job).
    let tmp = Promises::TMPPATH;
    t.allow(
        tmp,
        &[
            S::unlink,
            S::lstat,
            S::lstat64,
            S::newfstatat,
            S::fstatat64,
            S::statx,
        ],
    );
    t.allow_if(tmp, S::unlinkat, &[bits(2, AT_REMOVEDIR, 0)]);

    // ---- dpath: FIFOs only ----
    let fifo = S_IFMT | SETID_BITS;
    t.allow_if(Promises::DPATH, S::mknod, &[bits(1, fifo, S_IFIFO)]);
    t.allow_if(Promises::DPATH, S::mknodat, &[bits(2, fifo, S_IFIFO)]);

    // ---- fattr, chown ----
    t.allow(Promises::FATTR, FATTR_CALLS);
    // Extended attributes, but not while `exec` is held: a POSIX ACL
    // (system.posix_acl_access) rewrites a file's mode without the
    // F_SEAL_EXEC check, making a sealed memfd executable again, and the
    // filter sees neither the attribute's name nor the file.
    let mut i = 0;
    while i < XATTR_SETTERS.len() {
        t.allow_unless(Promises::FATTR, Promises::EXEC, XATTR_SETTERS[i], &[]);
        i += 1;
    }
    t.allow_if(Promises::FATTR, S::chmod, &[no_setid(1)]);
    t.allow_if(Promises::FATTR, S::fchmod, &[no_setid(1)]);
    t.allow_if(Promises::FATTR, S::fchmodat, &[no_setid(2)]);
    t.allow_if(Promises::FATTR, S::fchmodat2, &[no_setid(2)]);
    t.allow(Promises::CHOWN, CHOWN_CALLS);

    // ---- flock ----
    t.allow(Promises::FLOCK, &[S::flock]);
    let mut i = 0;
    while i < 3 {
        t.allow_if(Promises::FLOCK, S::fcntl, &[eq(1, c.f_locks[i])]);
        t.allow_if(Promises::FLOCK, S::fcntl64, &[eq(1, c.f_locks[i])]);
        if c.f_locks64[i] != 0 {
            t.allow_if(Promises::FLOCK, S::fcntl64, &[eq(1, c.f_locks64[i])]);
        }
        i += 1;
    }
    let mut i = 0;
    while i < FCNTL_LOCKS.len() {
        t.allow_if(Promises::FLOCK, S::fcntl, &[eq(1, FCNTL_LOCKS[i])]);
        t.allow_if(Promises::FLOCK, S::fcntl64, &[eq(1, FCNTL_LOCKS[i])]);
        i += 1;
    }

    // ---- tty ----
    t.allow_values(Promises::TTY, S::ioctl, 1, &c.tty);

    // ---- networking ----
    inet_sockets(&mut t, &c, Promises::INET, INET_TCP | INET_UDP);
    t.allow(Promises::INET, SOCKET_CALLS);
    t.allow(
        Promises::INET,
        &[S::connect, S::sendto, S::sendmsg, S::sendmmsg],
    );
    // anet: a server's networking, TCP that accepts: no datagram or raw
    // socket, no outgoing connect, and no TCP Fast Open (a send with
    // MSG_FASTOPEN and an address connects).
    inet_sockets(&mut t, &c, Promises::ANET, INET_TCP);
    t.allow(Promises::ANET, SOCKET_CALLS);
    let mut i = 0;
    while i < SENDERS.len() {
        let (syscall, flags) = SENDERS[i];
        t.allow_if(Promises::ANET, syscall, &[bits(flags, MSG_FASTOPEN, 0)]);
        i += 1;
    }
    let unix_types = [c.sock_stream, c.sock_dgram, SOCK_SEQPACKET];
    let mut i = 0;
    while i < unix_types.len() {
        t.allow_if(
            Promises::UNIX,
            S::socket,
            &[
                eq(0, AF_UNIX),
                bits(1, SOCK_TYPE_MASK, unix_types[i]),
                eq(2, 0),
            ],
        );
        i += 1;
    }
    t.allow(Promises::UNIX, SOCKET_CALLS);
    t.allow(
        Promises::UNIX,
        &[S::connect, S::sendto, S::sendmsg, S::sendmmsg],
    );
    inet_sockets(&mut t, &c, Promises::DNS, INET_UDP);
    t.allow(Promises::DNS, DNS_CALLS);
    t.allow(
        Promises::RECVFD,
        &[S::recvmsg, S::recvmmsg, S::recvmmsg_time64],
    );
    // sendfd is for UNIX sockets, where MSG_FASTOPEN means nothing; without
    // it there, "anet sendfd" connects no more than anet alone.
    t.allow_if(Promises::SENDFD, S::sendmsg, &[bits(2, MSG_FASTOPEN, 0)]);
    t.allow_if(Promises::SENDFD, S::sendmmsg, &[bits(3, MSG_FASTOPEN, 0)]);

    // ---- proc, exec, prot_exec, id, settime, unveil, vminfo ----
    t.allow(Promises::PROC, PROC_CALLS);
    // Limits, priority, scheduling and I/O priority: its own only (0 or
    // its pid as the filter knows it). Another process's, seclude's say,
    // are not the program's to change; OpenBSD has no such calls.
    let own = [eq(0, 0), eq(0, SELF_PID)];
    let mut i = 0;
    while i < own.len() {
        t.allow_if(Promises::PROC, S::prlimit64, &[own[i]]);
        t.allow_if(Promises::PROC, S::sched_setaffinity, &[own[i]]);
        t.allow_if(Promises::PROC, S::sched_setparam, &[own[i]]);
        t.allow_if(Promises::PROC, S::sched_setscheduler, &[own[i]]);
        t.allow_if(Promises::PROC, S::sched_setattr, &[own[i]]);
        i += 1;
    }
    // setpriority(PRIO_PROCESS, who), ioprio_set(IOPRIO_WHO_PROCESS, who):
    // never a process group or a user.
    let who = [eq(1, 0), eq(1, SELF_PID)];
    let mut i = 0;
    while i < who.len() {
        t.allow_if(
            Promises::PROC,
            S::setpriority,
            &[eq(0, PRIO_PROCESS), who[i]],
        );
        t.allow_if(Promises::ID, S::setpriority, &[eq(0, PRIO_PROCESS), who[i]]);
        t.allow_if(
            Promises::PROC,
            S::ioprio_set,
            &[eq(0, IOPRIO_WHO_PROCESS), who[i]],
        );
        i += 1;
    }
    t.allow_if(
        Promises::PROC,
        S::clone,
        &[bits(c.clone_flags_arg, CLONE_NAMESPACES, 0)],
    );
    t.allow(Promises::EXEC, &[S::execve, S::execveat]);
    if !matches!(abi, Abi::I386 | Abi::S390x) {
        t.allow(Promises::PROT_EXEC, &[S::mmap]);
    }
    t.allow(
        Promises::PROT_EXEC,
        &[
            S::mmap2,
            S::mprotect,
            S::pkey_mprotect,
            S::cacheflush,
            S::riscv_flush_icache,
        ],
    );
    t.allow(Promises::ID, ID_CALLS);
    t.allow_if(Promises::ID, S::prlimit64, &[eq(0, 0)]);
    t.allow_if(Promises::ID, S::prlimit64, &[eq(0, SELF_PID)]);
    t.allow(Promises::SETTIME, SETTIME_CALLS);
    t.allow(
        Promises::UNVEIL,
        &[
            S::landlock_create_ruleset,
            S::landlock_add_rule,
            S::landlock_restrict_self,
        ],
    );
    t.allow(Promises::VMINFO, &[S::sysinfo, S::get_mempolicy]);
    t
}

/// The rules of one open-like call whose flags are argument `flags` and
/// create mode argument `mode`.
const fn open_rules(t: &mut Table, c: &Constants, syscall: Syscall, flags: u8, mode: u8) {
    let create = c.o_creat | c.o_trunc | c.o_tmpfile;
    let decisive = O_ACCMODE | create;
    // Opening what exists: the access mode decides.
    t.allow_if(RPATH, syscall, &[bits(flags, decisive, O_RDONLY)]);
    t.allow_if(WPATH, syscall, &[bits(flags, decisive, O_WRONLY)]);
    t.allow_if(
        RPATH.union(WPATH),
        syscall,
        &[bits(flags, decisive, O_RDWR)],
    );
    // Creating or truncating: cpath as well, and no set-id bits in the
    // mode. Truncating writes, so it needs wpath too whatever the access
    // mode (O_RDONLY|O_TRUNC truncates).
    let cpath_r = CPATH.union(RPATH);
    let cpath_w = CPATH.union(WPATH);
    t.allow_if(
        cpath_r,
        syscall,
        &[bits(flags, O_ACCMODE | c.o_trunc, O_RDONLY), no_setid(mode)],
    );
    t.allow_if(
        cpath_r.union(WPATH),
        syscall,
        &[bits(flags, O_ACCMODE, O_RDONLY), no_setid(mode)],
    );
    t.allow_if(
        cpath_w,
        syscall,
        &[bits(flags, O_ACCMODE, O_WRONLY), no_setid(mode)],
    );
    t.allow_if(
        cpath_r.union(WPATH),
        syscall,
        &[bits(flags, O_ACCMODE, O_RDWR), no_setid(mode)],
    );
    // tmppath: mkstemp's O_RDWR|O_CREAT|O_EXCL, nothing else.
    t.allow_if(
        Promises::TMPPATH,
        syscall,
        &[
            bits(flags, decisive | c.o_excl, O_RDWR | c.o_creat | c.o_excl),
            no_setid(mode),
        ],
    );
}

/// [`inet_sockets`]: UDP sockets.
const INET_UDP: u8 = 1;
/// [`inet_sockets`]: TCP sockets.
const INET_TCP: u8 = 2;

/// IPv4/IPv6 sockets of the `kinds` given ([`INET_UDP`], [`INET_TCP`]),
/// with protocol 0 or the protocol's own number. The type is compared
/// under `SOCK_TYPE_MASK`, so `SOCK_NONBLOCK`/`SOCK_CLOEXEC` may be
/// added; any other type (raw, packet, SCTP's seqpacket) is not allowed.
const fn inet_sockets(t: &mut Table, c: &Constants, needs: Promises, kinds: u8) {
    let families = [AF_INET, AF_INET6];
    let mut i = 0;
    while i < families.len() {
        let f = eq(0, families[i]);
        if kinds & INET_UDP != 0 {
            let udp = bits(1, SOCK_TYPE_MASK, c.sock_dgram);
            t.allow_if(needs, S::socket, &[f, udp, eq(2, 0)]);
            t.allow_if(needs, S::socket, &[f, udp, eq(2, IPPROTO_UDP)]);
        }
        if kinds & INET_TCP != 0 {
            let tcp = bits(1, SOCK_TYPE_MASK, c.sock_stream);
            t.allow_if(needs, S::socket, &[f, tcp, eq(2, 0)]);
            t.allow_if(needs, S::socket, &[f, tcp, eq(2, IPPROTO_TCP)]);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_abi_fits() {
        for abi in Abi::ALL {
            let t = table(abi);
            assert!(!t.overflowed(), "{abi:?}");
            assert!(t.entries().len() > 200, "{abi:?}: {}", t.entries().len());
        }
    }
}
