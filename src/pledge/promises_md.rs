//! Generates `PROMISES.md` (the promise → syscalls table) from the table.
//!
//! The test renders the table as Markdown and compares it with the
//! committed file; with `SECLUDE_BLESS=1` it writes the file instead.

use super::Promises;
use super::constants::tests::{
    F_LOCKS_NAMES, F_LOCKS64_NAMES, FCNTL_LOCKS_NAMES, FCNTL_STDIO_NAMES, FIO_NAMES,
    PRCTL_HARMLESS_NAMES, TTY_NAMES,
};
use super::constants::*;
use super::table::{Entry, SELF_PID, Table, Verdict, table};
use crate::seccomp::{Cmp, Condition, Width};
use crate::tables::{Abi, Syscall};
use std::borrow::ToOwned;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::format;
use std::path::Path;
use std::string::String;
use std::vec::Vec;

/// The ABI the per-promise sections describe.
const DOC_ABI: Abi = Abi::X86_64;

const REGENERATE: &str = "SECLUDE_BLESS=1 cargo test --lib pledge::promises_md";

/// The set-id bits, one by one (`SETID_BITS`).
const SETID: [(&str, u32); 3] = [
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

fn zip_names(names: &[&'static str], values: &[u32]) -> Vec<(&'static str, u32)> {
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
type Glossary = BTreeMap<&'static str, String>;

fn number(v: u64, octal: bool) -> String {
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
fn rules(out: &mut String, entries: &[&Entry], c: &Constants, used: &mut Glossary) {
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

fn allowed(t: &Table, needs: Promises) -> Vec<&Entry> {
    t.entries()
        .iter()
        .filter(|e| e.verdict == Verdict::Allow && e.needs == needs)
        .collect()
}

fn enosys_calls(t: &Table) -> Vec<&'static str> {
    t.entries()
        .iter()
        .filter(|e| e.verdict == Verdict::Enosys)
        .map(|e| e.syscall.name())
        .collect()
}

fn code_list(names: &[&str]) -> String {
    let v: Vec<String> = names.iter().map(|s| format!("`{s}`")).collect();
    v.join(", ")
}

/// Distinct syscalls with an allowing rule that needs exactly `needs`.
fn count(t: &Table, needs: Promises) -> usize {
    let mut calls: Vec<Syscall> = allowed(t, needs).iter().map(|e| e.syscall).collect();
    calls.sort_unstable_by_key(|s| *s as usize);
    calls.dedup();
    calls.len()
}

/// The combinations of several promises that rules need, in table order.
fn combinations(t: &Table) -> Vec<Promises> {
    let mut v: Vec<Promises> = Vec::new();
    for e in t.entries() {
        if e.needs.bits().count_ones() > 1 && !v.contains(&e.needs) {
            v.push(e.needs);
        }
    }
    v
}

fn render() -> String {
    let t = table(DOC_ABI);
    let c = constants(DOC_ABI);
    let abi = DOC_ABI.name();
    let mut used = Glossary::new();
    let mut out = String::new();
    let _ = write!(
        out,
        "# What each pledge promise allows\n\
         \n\
         <!-- Generated by the test in src/pledge/promises_md.rs; do not edit. Regenerate: {REGENERATE} -->\n\
         \n\
         seclude's promise table (`src/pledge/table.rs`) written out: for each\n\
         promise, the system calls it allows and the conditions on their\n\
         arguments. The unit test in `src/pledge/promises_md.rs` renders this file from\n\
         the table and fails when the committed copy differs; after changing\n\
         the table, regenerate it with\n\
         \n\
         \x20   {REGENERATE}\n\
         \n\
         ## How to read it\n\
         \n\
         - The sections up to [Constants](#constants) are for **{abi}**. Other\n\
         \x20 ABIs get the same rules for the system calls they have, with their\n\
         \x20 own constant values; see [Per ABI](#per-abi).\n\
         - A call is allowed when, for some rule naming it, every promise of\n\
         \x20 the rule is held and every condition holds. Rules are alternatives:\n\
         \x20 one is enough. A call listed \"whatever the arguments\" has a rule\n\
         \x20 without conditions.\n\
         - Conditions name the argument and the kernel's constants (their\n\
         \x20 values are in [Constants](#constants)). `x & M == V` tests the bits\n\
         \x20 `M` of `x`. Flags, modes, commands and ids are compared in their low\n\
         \x20 32 bits, as the kernel reads them; `== NULL` compares all 64 bits of\n\
         \x20 a pointer.\n\
         - `getpid()` is the calling process's own pid: the filter is compiled\n\
         \x20 with a placeholder (`SELF_PID`, {:#x}) that is replaced by the pid\n\
         \x20 when the filter is loaded. A child forked later keeps the filter,\n\
         \x20 so for it `getpid()` is still that process's (its parent's) pid;\n\
         \x20 `0`, where a call takes it, names every process itself.\n\
         - A rule marked \"`exec` not held\" applies only while that promise\n\
         \x20 is not held: holding `exec` narrows `memfd_create` (see\n\
         \x20 [`stdio`](#stdio)).\n\
         - A call no rule allows gets the\n\
         \x20 [penalty](#everything-else-the-penalty).\n\
         \n",
        SELF_PID
    );

    // ---- always, ENOSYS, penalty ----
    let always: Vec<&str> = allowed(&t, Promises::empty())
        .iter()
        .map(|e| e.syscall.name())
        .collect();
    let _ = write!(
        out,
        "## Always allowed\n\
         \n\
         Whatever the promises (even none): {}.\n\
         \n\
         ## Always ENOSYS\n\
         \n\
         These fail with `ENOSYS` whatever the promises: {}.\n\
         \n\
         They are newer interfaces whose arguments live in memory, where a\n\
         seccomp filter cannot read them, or multiplexers that newer kernels\n\
         replace with direct calls. C libraries take `ENOSYS` as \"not\n\
         implemented by this kernel\" and fall back to the calls the rules\n\
         check (`clone3` to `clone`, `openat2` to `openat`, `socketcall` to\n\
         `socket` and the rest).\n\
         \n\
         ## Everything else: the penalty\n\
         \n\
         Any other call fails with `EPERM` by default. The `Penalty` chooses\n\
         instead another errno (`Penalty::errno`), killing the process\n\
         (`Penalty::KILL_PROCESS`) or the thread (`Penalty::KILL_THREAD`);\n\
         `.reported()` first prints a line on standard error naming the call\n\
         and the promise that would allow it (from a `SIGSYS` handler), then\n\
         acts as the penalty does: a reported kill still ends the thread or\n\
         the process by `SIGSYS`. Report mode also allows what the handler\n\
         needs: `write` to descriptor 2; `seccomp(SECCOMP_SET_MODE_FILTER, 0,\n\
         ..)`, a filter on the calling thread only (one more filter only\n\
         narrows), through which the kernel carries out a reported kill; and\n\
         `rt_sigaction` of `SIGSYS` and `kill(getpid(), SIGSYS)`, should\n\
         that filter fail.\n\
         \n\
         Two cases do not depend on the penalty: a system call number newer\n\
         than seclude's tables fails with `ENOSYS` (as on a kernel without it),\n\
         and a call through another ABI than the filter's (for example\n\
         `int 0x80` or an x32 call from an x86-64 program) kills the process.\n\
         \n",
        code_list(&always),
        code_list(&enosys_calls(&t)),
    );

    // ---- execpromises ----
    out.push_str(
        "## Execpromises\n\
         \n\
         `exec` allows `execve` and `execveat`. While execpromises narrower\n\
         than the promises are pending (`Pledge::execpromises`), the filter\n\
         lets `execve` through only from seclude's exec gate, the one\n\
         `seclude::pledge::execve` (and, with the `std` feature,\n\
         `PledgedCommand::spawn_pledged`) uses after installing the\n\
         execpromises. Any other exec (libc's `execve`, so\n\
         `std::process::Command::spawn`; any `execveat`) fails with `EPERM`\n\
         (with an errno penalty, its errno), reported in report mode, instead\n\
         of running the program with every promise. This rule is a prefix to\n\
         the filter, not a row of the table below. It stays with the program\n\
         executed, which has no gate: under execpromises that keep `exec`, that\n\
         program cannot exec in turn.\n\
         \n",
    );

    // ---- one section per promise ----
    for p in Promises::all().iter() {
        let word = p.word().unwrap_or("?");
        let _ = writeln!(out, "## `{word}`\n");
        let entries = allowed(&t, p);
        if entries.is_empty() {
            let _ = writeln!(out, "No system call of its own on {abi}.\n");
        } else {
            rules(&mut out, &entries, &c, &mut used);
        }
        if p == Promises::STDIO {
            out.push_str(
                "A memfd is a file on an internal mount, which Landlock always\n\
                 lets a program execute, by its `/proc/self/fd/N` path (seccomp\n\
                 sees only the path's address). So while `exec` is held,\n\
                 `memfd_create` must ask for `MFD_NOEXEC_SEAL` (Linux 6.3): the\n\
                 file has no x bits and `F_SEAL_EXEC` forbids adding them, so\n\
                 executing it fails with `EACCES`, root's too. Before Linux 6.3\n\
                 the kernel refuses that flag with `EINVAL`: a program holding\n\
                 `exec` cannot create a memfd there. Filters stack: a later\n\
                 pledge without `exec` keeps this rule of the earlier one. The\n\
                 `seclude` command performs a `memfd_create` without the flag\n\
                 itself, with it added.\n\
                 \n",
            );
        }
    }

    // ---- several promises ----
    let _ = write!(
        out,
        "## Rules that need several promises\n\
         \n\
         Each of these rules needs all the promises in its heading.\n\
         \n"
    );
    for needs in combinations(&t) {
        let _ = writeln!(out, "### `{needs}`\n");
        rules(&mut out, &allowed(&t, needs), &c, &mut used);
    }

    // ---- glossary ----
    let _ = write!(
        out,
        "## Constants\n\
         \n\
         The constants named above, with their {abi} values (checked against\n\
         the kernel's headers by the tests of `src/pledge/constants.rs`).\n\
         `CLONE_NAMESPACES` is `CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET`.\n\
         \n\
         | name | value |\n\
         | --- | --- |\n"
    );
    for (name, v) in &used {
        let _ = writeln!(out, "| `{name}` | `{v}` |");
    }
    out.push('\n');

    per_abi(&mut out);
    out
}

/// The per-ABI section: counts, ENOSYS lists, differing values, notes.
fn per_abi(out: &mut String) {
    let tables: Vec<Table> = Abi::ALL.iter().map(|&abi| table(abi)).collect();
    let _ = write!(
        out,
        "## Per ABI\n\
         \n\
         ### System calls per promise\n\
         \n\
         How many system calls have a rule needing exactly that promise (with\n\
         or without conditions). ABIs differ in the system calls they have:\n\
         a rule for a call an ABI lacks is left out (AArch64, RISC-V and\n\
         LoongArch, for example, have only the `*at` forms of path calls).\n\
         \n\
         | promise |"
    );
    for abi in Abi::ALL {
        let _ = write!(out, " {} |", abi.name());
    }
    out.push_str("\n| --- |");
    for _ in Abi::ALL {
        out.push_str(" ---: |");
    }
    out.push('\n');
    let mut row = |label: String, f: &dyn Fn(&Table) -> usize| {
        let _ = write!(out, "| {label} |");
        for t in &tables {
            let _ = write!(out, " {} |", f(t));
        }
        out.push('\n');
    };
    row("*always*".to_owned(), &|t| count(t, Promises::empty()));
    for p in Promises::all().iter() {
        row(format!("`{}`", p.word().unwrap_or("?")), &|t| count(t, p));
    }
    row("*several promises*".to_owned(), &|t| {
        combinations(t)
            .into_iter()
            .map(|needs| {
                allowed(t, needs)
                    .iter()
                    .map(|e| e.syscall)
                    .collect::<Vec<_>>()
            })
            .fold(Vec::new(), |mut all: Vec<Syscall>, calls| {
                for s in calls {
                    if !all.contains(&s) {
                        all.push(s);
                    }
                }
                all
            })
            .len()
    });
    row("*always ENOSYS*".to_owned(), &|t| enosys_calls(t).len());
    out.push('\n');

    let _ = writeln!(out, "### Always ENOSYS, per ABI\n");
    for t in &tables {
        let _ = writeln!(out, "- {}: {}", t.abi().name(), code_list(&enosys_calls(t)));
    }
    out.push('\n');

    // Argument values: one column per group of ABIs with equal constants.
    let mut groups: Vec<(Constants, Vec<&str>)> = Vec::new();
    for abi in Abi::ALL {
        let c = constants(abi);
        match groups.iter_mut().find(|g| g.0 == c) {
            Some(g) => g.1.push(abi.name()),
            None => groups.push((c, std::vec![abi.name()])),
        }
    }
    let values = |c: &Constants| -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> = std::vec![
            ("O_CREAT", c.o_creat.into()),
            ("O_EXCL", c.o_excl.into()),
            ("O_TRUNC", c.o_trunc.into()),
            ("__O_TMPFILE", c.o_tmpfile.into()),
            ("SOCK_STREAM", c.sock_stream.into()),
            ("SOCK_DGRAM", c.sock_dgram.into()),
        ];
        v.extend(
            zip_names(&F_LOCKS_NAMES, &c.f_locks)
                .into_iter()
                .map(|(n, x)| (n, x.into())),
        );
        v.extend(
            zip_names(&F_LOCKS64_NAMES, &c.f_locks64)
                .into_iter()
                .map(|(n, x)| (n, x.into())),
        );
        v.extend(
            zip_names(&FIO_NAMES, &c.fio)
                .into_iter()
                .map(|(n, x)| (n, x.into())),
        );
        v.extend(
            zip_names(&TTY_NAMES, &c.tty)
                .into_iter()
                .map(|(n, x)| (n, x.into())),
        );
        v.push(("TIOCSTI", c.tiocsti.into()));
        v.push(("*`clone` flags argument*", c.clone_flags_arg.into()));
        v.push(("ENOSYS", c.enosys.into()));
        v
    };
    let _ = write!(
        out,
        "### Argument values that differ\n\
         \n\
         MIPS and PowerPC number some open flags, socket types and terminal\n\
         `ioctl`s their own way, s390x passes `clone` its flags second, and\n\
         64-bit ABIs have no `F_*LK64` commands (0: no rule). The rules use\n\
         each ABI's values; the constants not listed are the same everywhere.\n\
         \n\
         | constant |"
    );
    for (_, abis) in &groups {
        let _ = write!(out, " {} |", abis.join(", "));
    }
    out.push_str("\n| --- |");
    for _ in &groups {
        out.push_str(" --- |");
    }
    out.push('\n');
    let columns: Vec<Vec<(&str, u64)>> = groups.iter().map(|g| values(&g.0)).collect();
    for (i, (name, first)) in columns[0].iter().enumerate() {
        if columns.iter().all(|col| col[i].1 == *first) {
            continue;
        }
        let label = if name.starts_with('*') {
            (*name).to_owned()
        } else {
            format!("`{name}`")
        };
        let _ = write!(out, "| {label} |");
        for col in &columns {
            let _ = write!(out, " `{}` |", number(col[i].1, false));
        }
        out.push('\n');
    }
    out.push_str(
        "\n### Notes\n\
         \n\
         - x86 (i386): `mmap` is `old_mmap`, whose arguments are in memory\n\
         \x20 where the filter cannot read them, so it fails with `ENOSYS`\n\
         \x20 whatever the promises; C libraries there use `mmap2`, which is\n\
         \x20 checked as `mmap` is elsewhere (`prot & PROT_EXEC == 0` without\n\
         \x20 `prot_exec`).\n\
         - s390x: `mmap` is `old_mmap` as well, and the only `mmap`: `stdio`\n\
         \x20 allows it without a condition, so on s390x the `PROT_EXEC` check\n\
         \x20 covers `mprotect` and `pkey_mprotect` only.\n\
         - s390x: `clone(stack, flags, ...)`: the `clone` conditions read the\n\
         \x20 second argument.\n\
         \n\
         ### What a filter cannot see\n\
         \n\
         - Paths. `stdio` allows `newfstatat`/`fstatat64`/`statx` with\n\
         \x20 `AT_EMPTY_PATH` because C libraries implement `fstat` that way;\n\
         \x20 the flag only matters when the path is empty, so under `stdio`\n\
         \x20 alone a program can still read the metadata (mode, size, owner;\n\
         \x20 not the contents) of any path it names, and learn whether it\n\
         \x20 exists. Unveil (Landlock) is what restricts paths.\n\
         - Which file `fattr` and `chown` change. Landlock does not check\n\
         \x20 mode, owner, times or extended attributes either, so the\n\
         \x20 library's `Unveil` refuses those calls everywhere (its seccomp\n\
         \x20 supplement; opt out with `without_seccomp_supplement`). The\n\
         \x20 `seclude` command instead performs `chmod`, `chown` and `utimes`\n\
         \x20 (all their forms) itself when the file is beneath a path unveiled\n\
         \x20 with `w`, resolved without a way out and with the program's\n\
         \x20 credentials, and refuses them elsewhere with a report; extended\n\
         \x20 attributes and inode flags stay refused under unveil.\n\
         - Thread ids. `tkill` is allowed under `stdio` only with the\n\
         \x20 process id as its target, i.e. to the main thread (musl's `raise`\n\
         \x20 from another thread is refused); `tgkill`, which glibc's `raise`\n\
         \x20 and `pthread_kill` use, is allowed for any thread of the process.\n\
         - Socket addresses, `SCM_RIGHTS` contents and the `/tmp` of\n\
         \x20 `tmppath`: they are in memory. Under unveil, Landlock confines\n\
         \x20 connecting to a UNIX socket by path only from ABI 9 (Linux\n\
         \x20 7.1); before, `Unveil`'s seccomp supplement refuses new UNIX\n\
         \x20 sockets and datagram socket pairs, whatever the promises (opt\n\
         \x20 out with `allow_unconfined_unix_sockets`; the command:\n\
         \x20 `--unconfined-unix`).\n\
         - Which socket a call is made on. `anet` is a server's TCP: it\n\
         \x20 creates TCP sockets only (no datagram or raw ones), has no\n\
         \x20 `connect`, and refuses sends with `MSG_FASTOPEN` (with an address,\n\
         \x20 they connect: TCP Fast Open). `unix` and `dns` allow `connect`\n\
         \x20 and every send on any socket, because the filter cannot tell a\n\
         \x20 UNIX or UDP socket from a TCP one: `anet unix` or `anet dns` can\n\
         \x20 connect out.\n",
    );
    // Calls of the table that only some ABIs have.
    for s in [
        Syscall::arch_prctl,
        Syscall::cacheflush,
        Syscall::riscv_flush_icache,
    ] {
        let abis: Vec<&str> = Abi::ALL
            .iter()
            .filter(|a| a.number(s).is_some())
            .map(|a| a.name())
            .collect();
        let mut needs: Vec<String> = Vec::new();
        for t in &tables {
            for e in t.entries().iter().filter(|e| e.syscall == s) {
                let word = format!("`{}`", e.needs);
                if !needs.contains(&word) {
                    needs.push(word);
                }
            }
        }
        let _ = writeln!(
            out,
            "- `{}` ({}) exists on {} only.",
            s.name(),
            needs.join(", "),
            abis.join(", ")
        );
    }
}

#[test]
fn promises_md_is_current() {
    // The notes state these facts about the table; keep them true.
    let mmap_rules = |abi: Abi| -> Vec<(Promises, usize, Verdict)> {
        table(abi)
            .entries()
            .iter()
            .filter(|e| e.syscall == Syscall::mmap)
            .map(|e| (e.needs, e.conditions().len(), e.verdict))
            .collect()
    };
    assert_eq!(
        mmap_rules(Abi::I386),
        [(Promises::empty(), 0, Verdict::Enosys)]
    );
    assert_eq!(
        mmap_rules(Abi::S390x),
        [(Promises::STDIO, 0, Verdict::Allow)]
    );
    assert_eq!(constants(Abi::S390x).clone_flags_arg, 1);
    let mmap2 = table(Abi::I386)
        .entries()
        .iter()
        .filter(|e| e.syscall == Syscall::mmap2 && e.needs == Promises::STDIO)
        .map(|e| e.conditions().to_vec())
        .collect::<Vec<_>>();
    assert_eq!(
        mmap2,
        [[Condition::arg32(2, Cmp::MaskedEq(PROT_EXEC.into()), 0)]]
    );
    penalty_facts();
    assert_eq!(SETID.iter().fold(0, |m, s| m | s.1), SETID_BITS);

    let text = render();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("PROMISES.md");
    if std::env::var_os("SECLUDE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let Ok(committed) = std::fs::read_to_string(&path) else {
        panic!(
            "{} is missing: generate it with `{REGENERATE}`",
            path.display()
        );
    };
    if committed != text {
        let line = committed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(text.lines().count()));
        panic!(
            "PROMISES.md does not match the promise table (first difference at line {}):\n\
             committed: {:?}\n\
             generated: {:?}\n\
             regenerate it with `{REGENERATE}` and commit the result",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            text.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// What "Everything else: the penalty" says about the cases that do not
/// depend on the penalty.
fn penalty_facts() {
    use crate::bpf::{Action, SeccompData};
    use crate::pledge::{Penalty, policy};
    // Policies are large: build them on a thread with room.
    crate::testing::with_big_stack(|| {
        let p = policy(Promises::all(), Penalty::EPERM, DOC_ABI).unwrap();
        let call = |arch: u32, nr: u32| {
            p.evaluate(&SeccompData {
                nr: nr as i32,
                arch,
                instruction_pointer: 0,
                args: [0; 6],
            })
        };
        let x86_64 = Abi::X86_64.audit_arch();
        assert_eq!(
            call(x86_64, 4000),
            Action::Errno(38),
            "newer than the tables"
        );
        assert_eq!(
            call(Abi::I386.audit_arch(), 20),
            Action::KillProcess,
            "int 0x80"
        );
        let x32_getpid = Abi::X32.number(Syscall::getpid).unwrap();
        assert_eq!(call(x86_64, x32_getpid), Action::KillProcess, "x32");
        let none = policy(Promises::empty(), Penalty::EPERM, DOC_ABI).unwrap();
        let open = Abi::X86_64.number(Syscall::openat).unwrap();
        let data = SeccompData {
            nr: open as i32,
            arch: x86_64,
            instruction_pointer: 0,
            args: [0; 6],
        };
        assert_eq!(none.evaluate(&data), Action::Errno(1), "EPERM by default");
        // What report mode adds, even to no promise at all.
        let reported = policy(Promises::empty(), Penalty::KILL_THREAD.reported(), DOC_ABI).unwrap();
        let seccomp = |flags: u64| SeccompData {
            nr: Abi::X86_64.number(Syscall::seccomp).unwrap() as i32,
            arch: x86_64,
            instruction_pointer: 0,
            args: [1, flags, 0, 0, 0, 0],
        };
        assert_eq!(
            reported.evaluate(&seccomp(0)),
            Action::Allow,
            "a thread filter"
        );
        assert!(
            matches!(reported.evaluate(&seccomp(1)), Action::Trap(_)),
            "not with TSYNC"
        );
    });
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
                    "{}: argument {} of {} has no name in doc.rs",
                    abi.name(),
                    cond.arg,
                    e.syscall.name()
                );
            }
        }
    }
}
