//! Renders rules as Markdown: a promise's calls, and each condition with
//! its argument's name and the kernel's constants
//! (`flags & (O_ACCMODE|O_CREAT) == O_RDONLY`), collecting the constants
//! it names for the glossary.
//!
//! The part of the generator that knows about syscall arguments, apart
//! from the document's sections and prose (the parent module), which only
//! call [`rules`]. A new condition in the table needs its argument's name
//! (and constants) here; a test checks the names.

use super::super::constants::tests::{
    F_LOCKS_NAMES, F_LOCKS64_NAMES, FCNTL_LOCKS_NAMES, FCNTL_STDIO_NAMES, FIO_NAMES,
    PRCTL_HARMLESS_NAMES, TTY_NAMES,
};
use super::super::constants::*;
use super::super::table::{Entry, SELF_PID, table};
use crate::seccomp::{Cmp, Condition, Width};
use crate::tables::{Abi, Syscall};
use std::borrow::ToOwned;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::format;
use std::string::String;
use std::vec::Vec;

/// The set-id bits, one by one (`SETID_BITS`).
pub(super) const SETID: [(&str, u32); 3] = [
    ("S_ISUID", 0o4000),
    ("S_ISGID", 0o2000),
    ("S_ISVTX", 0o1000),
];

/// The names of a syscall's arguments, where a rule reads them.
fn arg_names(syscall: Syscall) -> &'static [&'static str] {
    match syscall.name() {
        "open" => &["pathname", "flags", "mode"],
        "openat" => &["dirfd", "pathname", "flags", "mode"],
        "creat" | "mkdir" | "chmod" => &["pathname", "mode"],
        "mkdirat" => &["dirfd", "pathname", "mode"],
        "mknod" => &["pathname", "mode", "dev"],
        "mknodat" => &["dirfd", "pathname", "mode", "dev"],
        "fchmod" => &["fd", "mode"],
        "fchmodat" | "fchmodat2" => &["dirfd", "pathname", "mode", "flags"],
        "fcntl" | "fcntl64" => &["fd", "cmd", "arg"],
        "ioctl" => &["fd", "request", "arg"],
        "mmap" | "mmap2" => &["addr", "length", "prot", "flags", "fd", "offset"],
        "mprotect" => &["addr", "len", "prot"],
        "pkey_mprotect" => &["addr", "len", "prot", "pkey"],
        "clone" => &["flags", "stack", "parent_tid", "child_tid", "tls"],
        "kill" => &["pid", "sig"],
        "tkill" => &["tid", "sig"],
        "tgkill" => &["tgid", "tid", "sig"],
        "rt_sigqueueinfo" => &["tgid", "sig", "info"],
        "rt_tgsigqueueinfo" => &["tgid", "tid", "sig", "info"],
        "prlimit64" => &["pid", "resource", "new_limit", "old_limit"],
        "sched_setaffinity" => &["pid", "cpusetsize", "mask"],
        "sched_setparam" => &["pid", "param"],
        "sched_setscheduler" => &["pid", "policy", "param"],
        "sched_setattr" => &["pid", "attr", "flags"],
        "setpriority" => &["which", "who", "prio"],
        "ioprio_set" => &["which", "who", "ioprio"],
        "newfstatat" | "fstatat64" => &["dirfd", "pathname", "statbuf", "flags"],
        "statx" => &["dirfd", "pathname", "flags", "mask", "statxbuf"],
        "sendto" => &["sockfd", "buf", "len", "flags", "dest_addr", "addrlen"],
        "sendmsg" => &["sockfd", "msg", "flags"],
        "sendmmsg" => &["sockfd", "msgvec", "vlen", "flags"],
        "socket" => &["domain", "type", "protocol"],
        "socketpair" => &["domain", "type", "protocol", "sv"],
        "prctl" => &["option", "arg2", "arg3", "arg4", "arg5"],
        "seccomp" => &["operation", "flags", "args"],
        "arch_prctl" => &["code", "addr"],
        "unlinkat" => &["dirfd", "pathname", "flags"],
        "memfd_create" => &["name", "flags"],
        _ => &[],
    }
}

/// A field of several bits: its name, its mask, its named values.
type Field = (&'static str, u32, Vec<(&'static str, u32)>);

/// The constants one argument is compared with, by name.
#[derive(Default)]
struct Names {
    /// Fields of several bits.
    fields: Vec<Field>,
    /// Single flags (or flag groups), in the order they are printed.
    flags: Vec<(&'static str, u32)>,
    /// Whole values.
    values: Vec<(&'static str, u32)>,
    /// Modes print in octal.
    octal: bool,
}

pub(super) fn zip_names(names: &[&'static str], values: &[u32]) -> Vec<(&'static str, u32)> {
    assert_eq!(names.len(), values.len());
    names.iter().copied().zip(values.iter().copied()).collect()
}

fn names(syscall: Syscall, arg: &str, c: &Constants) -> Names {
    let mut n = Names::default();
    match (syscall.name(), arg) {
        ("open" | "openat", "flags") => {
            n.fields.push((
                "O_ACCMODE",
                O_ACCMODE,
                std::vec![
                    ("O_RDONLY", O_RDONLY),
                    ("O_WRONLY", O_WRONLY),
                    ("O_RDWR", O_RDWR)
                ],
            ));
            n.flags = std::vec![
                ("O_CREAT", c.o_creat),
                ("O_EXCL", c.o_excl),
                ("O_TRUNC", c.o_trunc),
                ("__O_TMPFILE", c.o_tmpfile),
            ];
        }
        (_, "mode") => {
            n.fields
                .push(("S_IFMT", S_IFMT, std::vec![("S_IFIFO", S_IFIFO)]));
            n.flags = SETID.to_vec();
            n.octal = true;
        }
        (_, "prot") => n.flags.push(("PROT_EXEC", PROT_EXEC)),
        ("clone", "flags") => {
            n.flags = std::vec![
                ("CLONE_THREAD", CLONE_THREAD),
                ("CLONE_NAMESPACES", CLONE_NAMESPACES)
            ];
        }
        ("newfstatat" | "fstatat64" | "statx", "flags") => {
            n.flags.push(("AT_EMPTY_PATH", AT_EMPTY_PATH));
        }
        ("unlinkat", "flags") => n.flags.push(("AT_REMOVEDIR", AT_REMOVEDIR)),
        ("memfd_create", "flags") => {
            n.flags = std::vec![("MFD_NOEXEC_SEAL", MFD_NOEXEC_SEAL), ("MFD_EXEC", MFD_EXEC)];
        }
        ("sendto" | "sendmsg" | "sendmmsg", "flags") => {
            n.flags.push(("MSG_FASTOPEN", MSG_FASTOPEN));
        }
        ("socket" | "socketpair", "domain") => {
            n.values = std::vec![
                ("AF_UNIX", AF_UNIX),
                ("AF_INET", AF_INET),
                ("AF_INET6", AF_INET6)
            ];
        }
        ("socket" | "socketpair", "type") => n.fields.push((
            "SOCK_TYPE_MASK",
            SOCK_TYPE_MASK,
            std::vec![
                ("SOCK_STREAM", c.sock_stream),
                ("SOCK_DGRAM", c.sock_dgram),
                ("SOCK_SEQPACKET", SOCK_SEQPACKET),
            ],
        )),
        ("socket" | "socketpair", "protocol") => {
            n.values = std::vec![("IPPROTO_TCP", IPPROTO_TCP), ("IPPROTO_UDP", IPPROTO_UDP)];
        }
        ("fcntl" | "fcntl64", "cmd") => {
            n.values = zip_names(&FCNTL_STDIO_NAMES, &FCNTL_STDIO);
            n.values.extend(zip_names(&FCNTL_LOCKS_NAMES, &FCNTL_LOCKS));
            n.values.extend(zip_names(&F_LOCKS_NAMES, &c.f_locks));
            n.values.extend(
                zip_names(&F_LOCKS64_NAMES, &c.f_locks64)
                    .into_iter()
                    .filter(|v| v.1 != 0),
            );
        }
        ("ioctl", "request") => {
            n.values = zip_names(&FIO_NAMES, &c.fio);
            n.values.extend(zip_names(&TTY_NAMES, &c.tty));
            n.values.push(("TIOCSTI", c.tiocsti));
        }
        ("prctl", "option") => {
            n.values = zip_names(&PRCTL_HARMLESS_NAMES, &PRCTL_HARMLESS);
            n.values.push(("PR_SET_DUMPABLE", PR_SET_DUMPABLE));
        }
        ("seccomp", "operation") => n.values.push(("SECCOMP_GET_NOTIF_SIZES", SECCOMP_LAST_OP)),
        ("arch_prctl", "code") => {
            n.values = std::vec![("ARCH_SET_GS", ARCH_FS_GS.0), ("ARCH_GET_GS", ARCH_FS_GS.1)];
        }
        _ => {}
    }
    n
}

/// The constants the rendered conditions name, with their values as
/// printed (for the glossary).
pub(super) type Glossary = BTreeMap<&'static str, String>;

pub(super) fn number(v: u64, octal: bool) -> String {
    if octal && v != 0 {
        format!("0o{v:o}")
    } else if v < 10 {
        format!("{v}")
    } else {
        format!("{v:#x}")
    }
}

/// `x` as `NAME|NAME|0x..`: the fields of `n` whose mask `within` covers
/// (by mask name when `is_mask`, else by the field's value name), then its
/// flags, then what is left in hex.
fn symbolic(x: u32, within: u32, is_mask: bool, n: &Names, used: &mut Glossary) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = x;
    let mut name = |part: &'static str, value: u32, parts: &mut Vec<&str>| {
        used.entry(part)
            .or_insert_with(|| number(value.into(), n.octal));
        parts.push(part);
    };
    for (field, mask, values) in &n.fields {
        if within & mask != *mask {
            continue;
        }
        if is_mask {
            if rest & mask == *mask {
                name(field, *mask, &mut parts);
                rest &= !mask;
            }
        } else if let Some(&(value_name, value)) = values.iter().find(|v| v.1 == rest & mask) {
            name(value_name, value, &mut parts);
            rest &= !mask;
        }
    }
    for &(flag, bits) in &n.flags {
        if bits != 0 && rest & bits == bits {
            name(flag, bits, &mut parts);
            rest &= !bits;
        }
    }
    let mut out = parts.join("|");
    if rest != 0 || parts.is_empty() {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(&number(rest.into(), n.octal));
    }
    if is_mask && out.contains('|') {
        out = format!("({out})");
    }
    out
}

/// A compared value: `getpid()`, a constant's name, or the number.
fn value(v: u64, n: &Names, used: &mut Glossary) -> String {
    if v == u64::from(SELF_PID) {
        return "getpid()".to_owned();
    }
    match n.values.iter().find(|x| u64::from(x.1) == v) {
        Some(&(name, x)) => {
            used.entry(name).or_insert_with(|| number(x.into(), false));
            name.to_owned()
        }
        None => number(v, n.octal),
    }
}

fn arg_name(syscall: Syscall, arg: u8) -> String {
    match arg_names(syscall).get(usize::from(arg)) {
        Some(name) => (*name).to_owned(),
        None => format!("arg{arg}"),
    }
}

/// One condition, readable: `flags & (O_ACCMODE|O_CREAT) == O_RDONLY`.
fn condition(syscall: Syscall, cond: &Condition, c: &Constants, used: &mut Glossary) -> String {
    let arg = arg_name(syscall, cond.arg);
    let n = names(syscall, &arg, c);
    if cond.width == Width::Bits64 && cond.cmp == Cmp::Eq && cond.value == 0 {
        return format!("{arg} == NULL");
    }
    let arg = match cond.width {
        Width::Bits32 => arg,
        Width::Bits64 => format!("(u64){arg}"),
    };
    let op = match cond.cmp {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
        Cmp::MaskedEq(mask) => {
            // Masks and values of 32-bit conditions fit in 32 bits.
            let mask = mask as u32;
            let m = symbolic(mask, u32::MAX, true, &n, used);
            let v = symbolic(cond.value as u32, mask, false, &n, used);
            return format!("{arg} & {m} == {v}");
        }
    };
    format!("{arg} {op} {}", value(cond.value, &n, used))
}

/// The rules of one set of promises, as Markdown.
pub(super) fn rules(out: &mut String, entries: &[&Entry], c: &Constants, used: &mut Glossary) {
    let mut by_call: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_call.entry(e.syscall.name()).or_default().push(e);
    }
    let free: Vec<&str> = by_call
        .iter()
        .filter(|(_, es)| {
            es.iter()
                .any(|e| e.conditions().is_empty() && e.unless.is_empty())
        })
        .map(|(name, _)| *name)
        .collect();
    if !free.is_empty() {
        let _ = writeln!(out, "Whatever the arguments ({}):", free.len());
        let list: Vec<String> = free.iter().map(|s| format!("`{s}`")).collect();
        let _ = writeln!(out, "{}.\n", list.join(", "));
    }
    let checked: Vec<(&str, &Vec<&Entry>)> = by_call
        .iter()
        .filter(|(name, _)| !free.contains(name))
        .map(|(name, es)| (*name, es))
        .collect();
    if checked.is_empty() {
        return;
    }
    let _ = writeln!(out, "With conditions ({}):\n", checked.len());
    for (name, es) in checked {
        // Alternatives that differ only in the value one argument equals
        // are folded into one: `cmd` is one of ...
        let single_eq = |e: &Entry| match e.conditions() {
            [c] if c.cmp == Cmp::Eq && c.width == Width::Bits32 => Some(c.arg),
            _ => None,
        };
        let mut folded: Vec<u8> = Vec::new();
        let mut alternatives: Vec<String> = Vec::new();
        for e in es {
            if let Some(arg) = single_eq(e) {
                let same: Vec<&&Entry> = es.iter().filter(|x| single_eq(x) == Some(arg)).collect();
                if same.len() > 1 {
                    if !folded.contains(&arg) {
                        folded.push(arg);
                        let arg_name = arg_name(e.syscall, arg);
                        let n = names(e.syscall, &arg_name, c);
                        let values: Vec<String> = same
                            .iter()
                            .map(|x| format!("`{}`", value(x.conditions()[0].value, &n, used)))
                            .collect();
                        alternatives.push(format!("`{arg_name}` is one of {}", values.join(", ")));
                    }
                    continue;
                }
            }
            let cs: Vec<String> = e
                .conditions()
                .iter()
                .map(|cond| condition(e.syscall, cond, c, used))
                .collect();
            let mut alternative = Vec::new();
            if !e.unless.is_empty() {
                alternative.push(format!("`{}` not held", e.unless));
            }
            if !cs.is_empty() {
                alternative.push(format!("`{}`", cs.join(" && ")));
            }
            alternatives.push(alternative.join(" and "));
        }
        if alternatives.len() == 1 {
            let _ = writeln!(out, "- `{name}`: {}", alternatives[0]);
        } else {
            let _ = writeln!(out, "- `{name}`, when one of:");
            for a in alternatives {
                let _ = writeln!(out, "  - {a}");
            }
        }
    }
    out.push('\n');
}

#[test]
fn every_checked_argument_has_a_name() {
    // A rule on a new argument should come with its name (and constants)
    // here, or the document shows `argN` and bare numbers.
    for abi in Abi::ALL {
        for e in table(abi).entries() {
            for cond in e.conditions() {
                assert!(
                    arg_names(e.syscall).len() > usize::from(cond.arg),
                    "{}: argument {} of {} has no name in promises_md/rules.rs (`arg_names`)",
                    abi.name(),
                    cond.arg,
                    e.syscall.name()
                );
            }
        }
    }
}
