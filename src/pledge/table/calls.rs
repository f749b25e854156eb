//! The promise table's lists of system calls: those a promise allows
//! whatever their arguments, and the groups that several rules share.
//!
//! Plain data, kept apart from the rules (the parent module) so that the
//! rules stay short enough to read; a list's name says which promise it
//! is for, and the rules say how it is used.

use crate::tables::Syscall;

use Syscall as S;

/// Calls every pledged process keeps. `getpid` is among them because the
/// exec filter and the report handler need the caller's pid after a fork.
pub(super) const ALWAYS: &[Syscall] = &[
    S::exit,
    S::exit_group,
    S::rt_sigreturn,
    S::sigreturn,
    S::getpid,
];

/// Calls that fail with ENOSYS whatever the promises: newer interfaces
/// whose arguments a filter cannot inspect (they live in memory) and that
/// every C library falls back from, and the multiplexers that newer
/// kernels replace with direct calls.
pub(super) const ENOSYS: &[Syscall] = &[
    S::clone3,
    S::openat2,
    S::io_uring_setup,
    S::io_uring_enter,
    S::io_uring_register,
    S::memfd_secret,
    S::socketcall,
    S::ipc,
];

/// stdio without argument conditions.
pub(super) const STDIO_CALLS: &[Syscall] = &[
    // I/O on open descriptors
    S::read,
    S::readv,
    S::pread64,
    S::preadv,
    S::preadv2,
    S::write,
    S::writev,
    S::pwrite64,
    S::pwritev,
    S::pwritev2,
    S::lseek,
    S::_llseek,
    S::llseek,
    S::close,
    S::close_range,
    S::dup,
    S::dup2,
    S::dup3,
    S::fsync,
    S::fdatasync,
    S::ftruncate,
    S::ftruncate64,
    S::fstat,
    S::fstat64,
    S::fstatfs,
    S::fstatfs64,
    S::sendfile,
    S::sendfile64,
    S::splice,
    S::tee,
    S::vmsplice,
    S::copy_file_range,
    S::fadvise64,
    S::fadvise64_64,
    S::arm_fadvise64_64,
    S::readahead,
    S::pipe,
    S::pipe2,
    S::poll,
    S::ppoll,
    S::ppoll_time64,
    S::select,
    S::_newselect,
    S::pselect6,
    S::pselect6_time64,
    S::epoll_create,
    S::epoll_create1,
    S::epoll_ctl,
    S::epoll_wait,
    S::epoll_pwait,
    S::epoll_pwait2,
    S::eventfd,
    S::eventfd2,
    S::signalfd,
    S::signalfd4,
    S::timerfd_create,
    S::timerfd_settime,
    S::timerfd_gettime,
    S::timerfd_settime64,
    S::timerfd_gettime64,
    // sockets already open, without an address
    S::recvfrom,
    S::recv,
    S::send,
    S::shutdown,
    S::getsockname,
    S::getpeername,
    // memory
    S::brk,
    S::munmap,
    S::mremap,
    S::msync,
    S::madvise,
    S::mincore,
    S::membarrier,
    S::pkey_alloc,
    S::pkey_free,
    // time
    S::clock_gettime,
    S::clock_gettime64,
    S::clock_getres,
    S::clock_getres_time64,
    S::gettimeofday,
    S::time,
    S::nanosleep,
    S::clock_nanosleep,
    S::clock_nanosleep_time64,
    S::getitimer,
    S::setitimer,
    S::alarm,
    S::times,
    S::timer_create,
    S::timer_delete,
    S::timer_gettime,
    S::timer_gettime64,
    S::timer_settime,
    S::timer_settime64,
    S::timer_getoverrun,
    // about this process
    S::getpid,
    S::getppid,
    S::gettid,
    S::getuid,
    S::geteuid,
    S::getgid,
    S::getegid,
    S::getresuid,
    S::getresgid,
    S::getgroups,
    S::getuid32,
    S::geteuid32,
    S::getgid32,
    S::getegid32,
    S::getresuid32,
    S::getresgid32,
    S::getgroups32,
    S::getpgid,
    S::getpgrp,
    S::getsid,
    S::getrlimit,
    S::ugetrlimit,
    S::getrusage,
    S::getpriority,
    S::uname,
    S::umask,
    S::capget,
    S::sched_yield,
    S::sched_getaffinity,
    S::sched_getparam,
    S::sched_getscheduler,
    S::sched_getattr,
    S::sched_get_priority_max,
    S::sched_get_priority_min,
    S::sched_rr_get_interval,
    S::sched_rr_get_interval_time64,
    S::getcpu,
    S::getrandom,
    S::riscv_hwprobe,
    // signals (sending them is checked below)
    S::rt_sigaction,
    S::sigaction,
    S::rt_sigprocmask,
    S::sigprocmask,
    S::rt_sigsuspend,
    S::sigsuspend,
    S::sigaltstack,
    S::rt_sigpending,
    S::sigpending,
    S::rt_sigtimedwait,
    S::rt_sigtimedwait_time64,
    S::pause,
    S::restart_syscall,
    // threads
    S::futex,
    S::futex_time64,
    S::futex_waitv,
    S::futex_wake,
    S::futex_wait,
    S::futex_requeue,
    S::set_robust_list,
    S::get_robust_list,
    S::set_tid_address,
    S::rseq,
    S::set_thread_area,
    S::get_thread_area,
    S::set_tls,
    S::get_tls,
    S::uretprobe,
    // children (creating them needs proc)
    S::wait4,
    S::waitid,
    S::waitpid,
];

pub(super) const RPATH_CALLS: &[Syscall] = &[
    S::chdir,
    S::fchdir,
    S::getcwd,
    S::stat,
    S::stat64,
    S::lstat,
    S::lstat64,
    S::newfstatat,
    S::fstatat64,
    S::statx,
    S::access,
    S::faccessat,
    S::faccessat2,
    S::readlink,
    S::readlinkat,
    S::getdents,
    S::getdents64,
    S::readdir,
    S::statfs,
    S::statfs64,
    S::getxattr,
    S::lgetxattr,
    S::fgetxattr,
    S::getxattrat,
    S::listxattr,
    S::llistxattr,
    S::flistxattr,
    S::listxattrat,
    S::file_getattr,
    S::inotify_init,
    S::inotify_init1,
    S::inotify_add_watch,
    S::inotify_rm_watch,
];

pub(super) const CPATH_CALLS: &[Syscall] = &[
    S::rmdir,
    S::unlink,
    S::unlinkat,
    S::rename,
    S::renameat,
    S::renameat2,
    S::link,
    S::linkat,
    S::symlink,
    S::symlinkat,
];

pub(super) const FATTR_CALLS: &[Syscall] = &[
    S::utime,
    S::utimes,
    S::utimensat,
    S::utimensat_time64,
    S::futimesat,
    S::removexattr,
    S::lremovexattr,
    S::fremovexattr,
    S::removexattrat,
    S::file_setattr,
];

/// The calls that set an extended attribute (`fattr`, without `exec`).
pub(super) const XATTR_SETTERS: [Syscall; 4] =
    [S::setxattr, S::lsetxattr, S::fsetxattr, S::setxattrat];

pub(super) const CHOWN_CALLS: &[Syscall] = &[
    S::chown,
    S::fchown,
    S::lchown,
    S::fchownat,
    S::chown32,
    S::fchown32,
    S::lchown32,
];

/// Socket calls shared by inet, anet and unix, but the sending ones
/// (creating the socket, `connect` and sending are listed per promise).
pub(super) const SOCKET_CALLS: &[Syscall] = &[
    S::bind,
    S::listen,
    S::accept,
    S::accept4,
    S::getsockopt,
    S::setsockopt,
    S::recvmsg,
    S::recvmmsg,
    S::recvmmsg_time64,
];

/// The sending calls, with the argument holding their flags.
pub(super) const SENDERS: [(Syscall, u8); 3] = [(S::sendto, 3), (S::sendmsg, 2), (S::sendmmsg, 3)];

/// dns: a UDP exchange with a resolver.
pub(super) const DNS_CALLS: &[Syscall] = &[
    S::connect,
    S::getsockopt,
    S::setsockopt,
    S::sendto,
    S::sendmsg,
    S::sendmmsg,
    S::recvmsg,
    S::recvmmsg,
    S::recvmmsg_time64,
];

pub(super) const PROC_CALLS: &[Syscall] = &[
    S::fork,
    S::vfork,
    S::kill,
    S::tkill,
    S::tgkill,
    S::rt_sigqueueinfo,
    S::rt_tgsigqueueinfo,
    S::pidfd_open,
    S::pidfd_send_signal,
    S::setpgid,
    S::setsid,
    S::setrlimit,
    S::nice,
    S::ioprio_get,
];

pub(super) const ID_CALLS: &[Syscall] = &[
    S::setuid,
    S::setgid,
    S::setreuid,
    S::setregid,
    S::setresuid,
    S::setresgid,
    S::setgroups,
    S::setfsuid,
    S::setfsgid,
    S::setuid32,
    S::setgid32,
    S::setreuid32,
    S::setregid32,
    S::setresuid32,
    S::setresgid32,
    S::setgroups32,
    S::setfsuid32,
    S::setfsgid32,
    S::setrlimit,
];

pub(super) const SETTIME_CALLS: &[Syscall] = &[
    S::settimeofday,
    S::clock_settime,
    S::clock_settime64,
    S::clock_adjtime,
    S::clock_adjtime64,
    S::adjtimex,
    S::stime,
];

/// Calls that send a signal, with the argument holding the target process.
pub(super) const SIGNAL_SENDERS: &[Syscall] = &[
    S::kill,
    S::tkill,
    S::tgkill,
    S::rt_sigqueueinfo,
    S::rt_tgsigqueueinfo,
];
