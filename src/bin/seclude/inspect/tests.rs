//! Tests of the inspecting subcommands.

use super::explain::*;
use super::*;
use seclude::pledge::{Decision, decide};

fn all_symbols() -> impl Iterator<Item = &'static str> {
    SYMBOLS.iter().flat_map(|(_, group)| group.iter().copied())
}

#[test]
fn names_are_unique() {
    let mut names: Vec<&str> = all_symbols().collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before);
}

#[test]
fn every_name_has_a_value_on_every_abi() {
    for abi in Abi::ALL {
        for name in all_symbols() {
            assert!(symbol(name, abi).is_some(), "{name} on {abi}");
        }
    }
}

/// The native values against the C library's.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#[test]
fn x86_64_values_are_the_c_librarys() {
    let libc: &[(&str, i64)] = &[
        ("O_RDONLY", libc::O_RDONLY.into()),
        ("O_WRONLY", libc::O_WRONLY.into()),
        ("O_RDWR", libc::O_RDWR.into()),
        ("O_CREAT", libc::O_CREAT.into()),
        ("O_EXCL", libc::O_EXCL.into()),
        ("O_NOCTTY", libc::O_NOCTTY.into()),
        ("O_TRUNC", libc::O_TRUNC.into()),
        ("O_APPEND", libc::O_APPEND.into()),
        ("O_NONBLOCK", libc::O_NONBLOCK.into()),
        ("O_DIRECTORY", libc::O_DIRECTORY.into()),
        ("O_NOFOLLOW", libc::O_NOFOLLOW.into()),
        ("O_CLOEXEC", libc::O_CLOEXEC.into()),
        ("O_PATH", libc::O_PATH.into()),
        ("O_TMPFILE", libc::O_TMPFILE.into()),
        ("AT_FDCWD", libc::AT_FDCWD.into()),
        ("AT_SYMLINK_NOFOLLOW", libc::AT_SYMLINK_NOFOLLOW.into()),
        ("AT_REMOVEDIR", libc::AT_REMOVEDIR.into()),
        ("AT_EMPTY_PATH", libc::AT_EMPTY_PATH.into()),
        ("F_DUPFD", libc::F_DUPFD.into()),
        ("F_GETFD", libc::F_GETFD.into()),
        ("F_SETFD", libc::F_SETFD.into()),
        ("F_GETFL", libc::F_GETFL.into()),
        ("F_SETFL", libc::F_SETFL.into()),
        ("F_GETLK", libc::F_GETLK.into()),
        ("F_SETLK", libc::F_SETLK.into()),
        ("F_SETLKW", libc::F_SETLKW.into()),
        ("F_DUPFD_CLOEXEC", libc::F_DUPFD_CLOEXEC.into()),
        ("AF_UNIX", libc::AF_UNIX.into()),
        ("AF_INET", libc::AF_INET.into()),
        ("AF_INET6", libc::AF_INET6.into()),
        ("AF_NETLINK", libc::AF_NETLINK.into()),
        ("AF_PACKET", libc::AF_PACKET.into()),
        ("SOCK_STREAM", libc::SOCK_STREAM.into()),
        ("SOCK_DGRAM", libc::SOCK_DGRAM.into()),
        ("SOCK_RAW", libc::SOCK_RAW.into()),
        ("SOCK_SEQPACKET", libc::SOCK_SEQPACKET.into()),
        ("SOCK_NONBLOCK", libc::SOCK_NONBLOCK.into()),
        ("SOCK_CLOEXEC", libc::SOCK_CLOEXEC.into()),
        ("IPPROTO_TCP", libc::IPPROTO_TCP.into()),
        ("IPPROTO_UDP", libc::IPPROTO_UDP.into()),
        ("PROT_NONE", libc::PROT_NONE.into()),
        ("PROT_READ", libc::PROT_READ.into()),
        ("PROT_WRITE", libc::PROT_WRITE.into()),
        ("PROT_EXEC", libc::PROT_EXEC.into()),
        ("MAP_SHARED", libc::MAP_SHARED.into()),
        ("MAP_PRIVATE", libc::MAP_PRIVATE.into()),
        ("MAP_FIXED", libc::MAP_FIXED.into()),
        ("MAP_ANONYMOUS", libc::MAP_ANONYMOUS.into()),
        ("MFD_CLOEXEC", libc::MFD_CLOEXEC.into()),
        ("MFD_ALLOW_SEALING", libc::MFD_ALLOW_SEALING.into()),
        ("MFD_NOEXEC_SEAL", libc::MFD_NOEXEC_SEAL.into()),
        ("MFD_EXEC", libc::MFD_EXEC.into()),
        ("MFD_HUGETLB", libc::MFD_HUGETLB.into()),
        ("FIONREAD", libc::FIONREAD as i64),
        ("FIONBIO", libc::FIONBIO as i64),
        ("FIOCLEX", libc::FIOCLEX as i64),
        ("FIONCLEX", libc::FIONCLEX as i64),
        ("TCGETS", libc::TCGETS as i64),
        ("TCSETS", libc::TCSETS as i64),
        ("TCSETSW", libc::TCSETSW as i64),
        ("TCSETSF", libc::TCSETSF as i64),
        ("TIOCGWINSZ", libc::TIOCGWINSZ as i64),
        ("TIOCSWINSZ", libc::TIOCSWINSZ as i64),
        ("TIOCGPGRP", libc::TIOCGPGRP as i64),
        ("TIOCSPGRP", libc::TIOCSPGRP as i64),
        ("TCSBRK", libc::TCSBRK as i64),
        ("TCXONC", libc::TCXONC as i64),
        ("TCFLSH", libc::TCFLSH as i64),
        ("TIOCGPTN", libc::TIOCGPTN as i64),
        ("TIOCSPTLCK", libc::TIOCSPTLCK as i64),
        ("TIOCGPTPEER", libc::TIOCGPTPEER as i64),
        ("TIOCSTI", libc::TIOCSTI as i64),
        ("SIGHUP", libc::SIGHUP.into()),
        ("SIGINT", libc::SIGINT.into()),
        ("SIGQUIT", libc::SIGQUIT.into()),
        ("SIGABRT", libc::SIGABRT.into()),
        ("SIGKILL", libc::SIGKILL.into()),
        ("SIGUSR1", libc::SIGUSR1.into()),
        ("SIGSEGV", libc::SIGSEGV.into()),
        ("SIGUSR2", libc::SIGUSR2.into()),
        ("SIGPIPE", libc::SIGPIPE.into()),
        ("SIGALRM", libc::SIGALRM.into()),
        ("SIGTERM", libc::SIGTERM.into()),
        ("SIGCHLD", libc::SIGCHLD.into()),
        ("SIGCONT", libc::SIGCONT.into()),
        ("SIGSTOP", libc::SIGSTOP.into()),
        ("SIGTSTP", libc::SIGTSTP.into()),
        ("SIGWINCH", libc::SIGWINCH.into()),
        ("SIGSYS", libc::SIGSYS.into()),
    ];
    assert_eq!(libc.len(), all_symbols().count(), "every name is checked");
    for &(name, value) in libc {
        assert_eq!(
            symbol(name, Abi::X86_64),
            Some(value as u64),
            "{name} on x86_64"
        );
    }
}

fn decides(promises: &str, abi: Abi, call: Syscall, texts: &[&str]) -> Decision {
    let promises = Promises::parse(promises).unwrap();
    let mut args = [0u64; 6];
    for (i, t) in texts.iter().enumerate() {
        args[i] = argument(i + 1, t, abi).unwrap().0;
    }
    decide(promises, abi, call, &args, SELF_PID)
}

/// The names the promise table compares with, on every ABI: a wrong
/// value would turn these decisions around.
#[test]
fn names_agree_with_the_promise_table_on_every_abi() {
    use Decision::{Allowed, Refused};
    for abi in Abi::ALL {
        let check = |promises: &str, call: Syscall, texts: &[&str], want: Decision| {
            if abi.number(call).is_none() {
                return;
            }
            let got = decides(promises, abi, call, texts);
            assert_eq!(got, want, "{abi}: {call}({texts:?}) under {promises:?}");
        };
        let open = |flags: &str, promises: &str, want: Decision| {
            check(promises, Syscall::openat, &["AT_FDCWD", "0", flags], want);
        };
        open("O_RDONLY|O_CLOEXEC|O_DIRECTORY", "rpath", Allowed);
        open("O_WRONLY", "rpath", Refused);
        open("O_WRONLY|O_APPEND|O_NONBLOCK", "wpath", Allowed);
        open("O_RDWR|O_NOFOLLOW|O_NOCTTY", "rpath wpath", Allowed);
        for flag in ["O_CREAT", "O_TRUNC", "O_TMPFILE"] {
            open(&format!("O_RDWR|{flag}"), "rpath wpath", Refused);
            open(&format!("O_RDWR|{flag}"), "rpath wpath cpath", Allowed);
        }
        // tmppath: exactly mkstemp's O_RDWR|O_CREAT|O_EXCL.
        open("O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC", "tmppath", Allowed);
        open("O_RDWR|O_CREAT", "tmppath", Refused);
        open("O_RDWR|O_DIRECTORY", "rpath wpath", Allowed);
        for ioctl in [
            "TCGETS",
            "TCSETS",
            "TCSETSW",
            "TCSETSF",
            "TIOCGWINSZ",
            "TIOCSWINSZ",
            "TIOCGPGRP",
            "TIOCSPGRP",
            "TCSBRK",
            "TCXONC",
            "TCFLSH",
            "TIOCGPTN",
            "TIOCSPTLCK",
            "TIOCGPTPEER",
        ] {
            check("stdio", Syscall::ioctl, &["0", ioctl], Refused);
            check("stdio tty", Syscall::ioctl, &["0", ioctl], Allowed);
        }
        for ioctl in ["FIONREAD", "FIONBIO", "FIOCLEX", "FIONCLEX"] {
            check("stdio", Syscall::ioctl, &["0", ioctl], Allowed);
        }
        check("stdio tty", Syscall::ioctl, &["0", "TIOCSTI"], Refused);
        check(
            "stdio",
            Syscall::socket,
            &["AF_INET", "SOCK_STREAM"],
            Refused,
        );
        let socket = |family: &str, kind: &str, promise: &str| {
            let kind = format!("{kind}|SOCK_CLOEXEC|SOCK_NONBLOCK");
            check(promise, Syscall::socket, &[family, &kind], Allowed);
        };
        socket("AF_INET", "SOCK_STREAM", "inet");
        socket("AF_INET6", "SOCK_STREAM", "inet");
        socket("AF_UNIX", "SOCK_STREAM", "unix");
        socket("AF_INET", "SOCK_DGRAM", "dns");
        check("dns", Syscall::socket, &["AF_INET", "SOCK_STREAM"], Refused);
        check(
            "unix",
            Syscall::socket,
            &["AF_INET", "SOCK_STREAM"],
            Refused,
        );
        let mprotect = |prot: &str, promises: &str, want: Decision| {
            check(promises, Syscall::mprotect, &["0", "0", prot], want);
        };
        mprotect("PROT_READ|PROT_WRITE", "stdio", Allowed);
        mprotect("PROT_READ|PROT_EXEC", "stdio", Refused);
        mprotect("PROT_READ|PROT_EXEC", "stdio prot_exec", Allowed);
        let memfd = |flags: &str, promises: &str, want: Decision| {
            check(promises, Syscall::memfd_create, &["0", flags], want);
        };
        memfd("MFD_CLOEXEC", "stdio", Allowed);
        memfd("MFD_CLOEXEC", "stdio exec", Refused);
        memfd("MFD_CLOEXEC|MFD_NOEXEC_SEAL", "stdio exec", Allowed);
        memfd("MFD_NOEXEC_SEAL|MFD_EXEC", "stdio exec", Refused);
        let fcntl = |cmd: &str, promises: &str, want: Decision| {
            check(promises, Syscall::fcntl, &["0", cmd], want);
        };
        for cmd in ["F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL"] {
            fcntl(cmd, "stdio", Allowed);
        }
        fcntl("F_DUPFD_CLOEXEC", "stdio", Allowed);
        for cmd in ["F_GETLK", "F_SETLK", "F_SETLKW"] {
            fcntl(cmd, "stdio", Refused);
            fcntl(cmd, "stdio flock", Allowed);
        }
        let self_kill = |signal: &str| check("stdio", Syscall::kill, &["SELF", signal], Allowed);
        for signal in ["SIGTERM", "SIGKILL", "SIGUSR1", "SIGSYS", "SIGCHLD"] {
            self_kill(signal);
        }
        check("stdio", Syscall::kill, &["1", "SIGTERM"], Refused);
        check("stdio proc", Syscall::kill, &["1", "SIGTERM"], Allowed);
    }
}

#[test]
fn arguments_follow_the_abi() {
    let arg = |text: &str, abi: Abi| argument(1, text, abi).map(|(v, _)| v);
    assert_eq!(arg("O_WRONLY|O_CREAT", Abi::X86_64).unwrap(), 0o101);
    assert_eq!(arg("O_WRONLY|O_CREAT", Abi::Mips).unwrap(), 0x101);
    assert_eq!(arg("O_DIRECTORY", Abi::Aarch64).unwrap(), 0o40000);
    assert_eq!(
        arg("AT_FDCWD", Abi::X86_64).unwrap(),
        constants::generic::AT_FDCWD as u64
    );
    assert_eq!(arg("AT_FDCWD", Abi::I386).unwrap(), 0xffff_ff9c);
    assert_eq!(arg("-100", Abi::Arm).unwrap(), 0xffff_ff9c);
    assert_eq!(arg("0x10 | 1", Abi::X86_64).unwrap(), 0x11);
    assert_eq!(show(0xffff_ff9c, Abi::I386), "-100");
    assert_eq!(
        show(constants::generic::AT_FDCWD as u64, Abi::X86_64),
        "-100"
    );
    assert_eq!(show(0o101, Abi::X86_64), "0x41");
    assert_eq!(show(15, Abi::X86_64), "15");
    let e = arg("O_WRONLY|O_CRAET", Abi::X86_64).unwrap_err();
    assert_eq!(e.code, exit::USAGE);
    assert!(e.message.contains("\"O_CRAET\""), "{}", e.message);
    let e = arg("0x100000000", Abi::I386).unwrap_err();
    assert!(e.message.contains("0x100000000"), "{}", e.message);
    assert!(arg("O_WRONLY|", Abi::X86_64).is_err());
}

#[test]
fn help_lists_every_name() {
    let help = symbol_help();
    for name in all_symbols() {
        assert!(help.contains(&format!(" {name}")), "{name}");
    }
    assert!(help.lines().all(|l| l.len() <= 80), "{help}");
}
