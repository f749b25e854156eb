//! `tables/constants.rs`: the uapi constants seclude compares system call
//! arguments with (pledge's rules) or names them by (the `seclude explain`
//! command), evaluated from the kernel's headers for every architecture.
//!
//! The architectures are grouped into families that number every one of
//! these constants alike; the generator refuses to write the file if two
//! members of a family disagree, so a family module holds the values of
//! each of its architectures.

use crate::Error;
use crate::headers::{Headers, clone_flags_arg};
use std::fmt::Write as _;
use std::path::Path;

/// Architectures (their directory under `arch/`) that number the constants
/// alike, and the module of the generated file that holds them.
pub struct Family {
    pub module: &'static str,
    /// The family's ABIs, for the module's documentation.
    pub abis: &'static str,
    pub arches: &'static [&'static str],
}

/// Every architecture seclude has syscall tables for, in one family each.
pub const FAMILIES: &[Family] = &[
    Family {
        module: "generic",
        abis: "x86-64, x32, i386, RISC-V and LoongArch (asm-generic numbering)",
        arches: &["x86", "riscv", "loongarch"],
    },
    Family {
        module: "s390",
        abis: "s390x: asm-generic numbering, but `clone` takes the flags second",
        arches: &["s390"],
    },
    Family {
        module: "arm",
        abis: "AArch64 and 32-bit ARM: asm-generic but for `O_DIRECTORY` and `O_NOFOLLOW`",
        arches: &["arm", "arm64"],
    },
    Family {
        module: "powerpc",
        abis: "32- and 64-bit PowerPC: ARM's open flags and BSD-style terminal `ioctl`s",
        arches: &["powerpc"],
    },
    Family {
        module: "mips",
        abis: "MIPS o32, n32 and n64: their own open flags, socket types, signals and `ioctl`s",
        arches: &["mips"],
    },
];

/// The constants every family module has, by header name.
pub const NAMES: &[&str] = &[
    // open(2) and its flags
    "O_ACCMODE",
    "O_RDONLY",
    "O_WRONLY",
    "O_RDWR",
    "O_CREAT",
    "O_EXCL",
    "O_NOCTTY",
    "O_TRUNC",
    "O_APPEND",
    "O_NONBLOCK",
    "O_DIRECTORY",
    "O_NOFOLLOW",
    "O_CLOEXEC",
    "O_PATH",
    "O_TMPFILE",
    "__O_TMPFILE",
    // the *at calls
    "AT_FDCWD",
    "AT_SYMLINK_NOFOLLOW",
    "AT_REMOVEDIR",
    "AT_EMPTY_PATH",
    // fcntl(2)
    "F_DUPFD",
    "F_GETFD",
    "F_SETFD",
    "F_GETFL",
    "F_SETFL",
    "F_GETLK",
    "F_SETLK",
    "F_SETLKW",
    "F_GETLK64",
    "F_SETLK64",
    "F_SETLKW64",
    "F_OFD_GETLK",
    "F_OFD_SETLK",
    "F_OFD_SETLKW",
    "F_SETLEASE",
    "F_GETLEASE",
    "F_DUPFD_QUERY",
    "F_DUPFD_CLOEXEC",
    "F_SETPIPE_SZ",
    "F_GETPIPE_SZ",
    "F_ADD_SEALS",
    "F_GET_SEALS",
    // modes
    "S_IFMT",
    "S_IFIFO",
    "S_ISUID",
    "S_ISGID",
    "S_ISVTX",
    // sockets
    "AF_UNIX",
    "AF_INET",
    "AF_INET6",
    "AF_NETLINK",
    "AF_PACKET",
    "SOCK_STREAM",
    "SOCK_DGRAM",
    "SOCK_RAW",
    "SOCK_SEQPACKET",
    "SOCK_TYPE_MASK",
    "SOCK_NONBLOCK",
    "SOCK_CLOEXEC",
    "IPPROTO_TCP",
    "IPPROTO_UDP",
    "MSG_FASTOPEN",
    // mmap(2), memfd_create(2)
    "PROT_NONE",
    "PROT_READ",
    "PROT_WRITE",
    "PROT_EXEC",
    "MAP_SHARED",
    "MAP_PRIVATE",
    "MAP_FIXED",
    "MAP_ANONYMOUS",
    "MFD_CLOEXEC",
    "MFD_ALLOW_SEALING",
    "MFD_HUGETLB",
    "MFD_NOEXEC_SEAL",
    "MFD_EXEC",
    // ioctl(2)
    "FIONREAD",
    "FIONBIO",
    "FIOCLEX",
    "FIONCLEX",
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
    "TIOCSTI",
    // clone(2)
    "CLONE_THREAD",
    "CLONE_NEWNS",
    "CLONE_NEWCGROUP",
    "CLONE_NEWUTS",
    "CLONE_NEWIPC",
    "CLONE_NEWUSER",
    "CLONE_NEWPID",
    "CLONE_NEWNET",
    // prctl(2)
    "PR_SET_PDEATHSIG",
    "PR_GET_PDEATHSIG",
    "PR_GET_DUMPABLE",
    "PR_SET_DUMPABLE",
    "PR_GET_KEEPCAPS",
    "PR_SET_NAME",
    "PR_GET_NAME",
    "PR_GET_SECCOMP",
    "PR_SET_SECCOMP",
    "PR_CAPBSET_READ",
    "PR_GET_TIMERSLACK",
    "PR_SET_NO_NEW_PRIVS",
    "PR_GET_NO_NEW_PRIVS",
    "PR_GET_TID_ADDRESS",
    "PR_GET_THP_DISABLE",
    "PR_SET_VMA",
    // seccomp(2)
    "SECCOMP_SET_MODE_STRICT",
    "SECCOMP_SET_MODE_FILTER",
    "SECCOMP_GET_NOTIF_SIZES",
    // signals
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGABRT",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGWINCH",
    "SIGSYS",
    // errno
    "ENOSYS",
];

/// x86's `arch_prctl(2)` operations (`asm/prctl.h`, which only x86 has),
/// in the module `x86`.
pub const X86_NAMES: &[&str] = &["ARCH_SET_GS", "ARCH_SET_FS", "ARCH_GET_FS", "ARCH_GET_GS"];

/// One constant's value on one architecture, and its definition.
struct Value {
    value: u64,
    definition: Option<String>,
}

/// `name` on `h`'s architecture.
fn value(h: &Headers, name: &str) -> Result<Value, Error> {
    let value = h
        .eval(name)
        .map_err(|e| format!("{name} in the {} headers: {e}", h.arch))?;
    // The tokens as C is usually written: `_IOR('T', 0x30, unsigned int)`.
    let definition = h.definition(name).map(|d| {
        let d = d.replace("( ", "(").replace(" )", ")").replace(" ,", ",");
        match d.strip_prefix("- ") {
            Some(negated) => format!("-{negated}"),
            None => d,
        }
    });
    Ok(Value { value, definition })
}

/// The Rust type and literal of a value: `u32`, or `i32` for the negative
/// ones (`AT_FDCWD`).
fn literal(name: &str, v: u64) -> Result<(&'static str, String), Error> {
    if let Ok(v) = u32::try_from(v) {
        let text = if v < 10 {
            v.to_string()
        } else {
            format!("{v:#x}")
        };
        return Ok(("u32", text));
    }
    match i32::try_from(v as i64) {
        Ok(v) if v < 0 => Ok(("i32", v.to_string())),
        _ => Err(format!("{name} is {v:#x}, wider than 32 bits")),
    }
}

/// `names` evaluated on each of `arches`, with how the first defines them;
/// an error if two of the architectures give a name different values.
pub fn agreed_values(
    linux: &Path,
    arches: &[&'static str],
    names: &[&str],
) -> Result<Vec<(u64, Option<String>)>, Error> {
    let headers = arches
        .iter()
        .map(|a| Headers::new(linux, a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for name in names {
        let first = value(&headers[0], name)?;
        for h in &headers[1..] {
            let other = value(h, name)?;
            if other.value != first.value {
                return Err(format!(
                    "{name} is {:#x} on {} but {:#x} on {}",
                    first.value, headers[0].arch, other.value, h.arch
                ));
            }
        }
        out.push((first.value, first.definition));
    }
    Ok(out)
}

/// Renders one module: `names` on the architectures of `arches` (which
/// must agree), plus `CLONE_FLAGS_ARG` when `clone` is set.
fn render_module(
    out: &mut String,
    linux: &Path,
    module: &str,
    doc: &str,
    arches: &[&'static str],
    names: &[&str],
    clone: bool,
) -> Result<(), Error> {
    let values =
        agreed_values(linux, arches, names).map_err(|e| format!("module {module}: {e}"))?;
    let _ = writeln!(out, "/// {doc}.\npub mod {module} {{");
    for (name, (value, definition)) in names.iter().zip(values) {
        let (ty, lit) = literal(name, value)?;
        let doc = match definition {
            Some(d) => format!("`{name}`: `{d}`"),
            None => format!("`{name}`, an `enum` constant"),
        };
        let _ = writeln!(out, "    /// {doc}.\n    pub const {name}: {ty} = {lit};");
    }
    if clone {
        let arg = clone_flags_arg(linux, arches[0])?;
        for arch in &arches[1..] {
            if clone_flags_arg(linux, arch)? != arg {
                return Err(format!("clone's flags argument differs within {module}"));
            }
        }
        let _ = writeln!(
            out,
            "    /// Which argument of `clone` holds the flags (from 0): kernel/fork.c's\n    \
             /// definition for the `CLONE_BACKWARDS*` option the architecture's Kconfig selects.\n    \
             pub const CLONE_FLAGS_ARG: u8 = {arg};"
        );
    }
    let _ = writeln!(
        out,
        "    /// The constants above by name, negative ones sign-extended.\n    \
         pub const BY_NAME: &[(&str, i64)] = &["
    );
    for name in names {
        let _ = writeln!(out, "        (\"{name}\", {name} as i64),");
    }
    out.push_str("    ];\n}\n");
    Ok(())
}

/// Renders `tables/constants.rs` from the headers below `linux`.
pub fn render_constants(linux: &Path, header: &str, release: &str) -> Result<String, Error> {
    let mut out = String::from(header);
    let _ = writeln!(
        out,
        "// Linux {release}: the uapi headers syscalls/generator/src/headers.rs reads,\n\
         // evaluated for each architecture of a module (which agree).\n"
    );
    for f in FAMILIES {
        render_module(&mut out, linux, f.module, f.abis, f.arches, NAMES, true)?;
        out.push('\n');
    }
    render_module(
        &mut out,
        linux,
        "x86",
        "x86's `arch_prctl` operations (`asm/prctl.h`, which only x86 has)",
        &["x86"],
        X86_NAMES,
        false,
    )?;
    Ok(out)
}
