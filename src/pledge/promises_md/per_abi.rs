//! The "Per ABI" section of `PROMISES.md`: how many calls each promise
//! allows on each ABI, the calls that fail with `ENOSYS`, the argument
//! values that differ between ABIs, and the notes on what a filter cannot
//! see.
//!
//! Apart from the per-promise sections (the parent module) because it
//! reads every ABI's table, where they read one ABI's.

use super::super::Promises;
use super::super::constants::tests::{F_LOCKS_NAMES, F_LOCKS64_NAMES, FIO_NAMES, TTY_NAMES};
use super::super::constants::*;
use super::super::table::{Table, table};
use super::rules::{number, zip_names};
use super::{allowed, code_list, combinations, count, enosys_calls};
use crate::tables::{Abi, Syscall};
use std::borrow::ToOwned;
use std::fmt::Write as _;
use std::format;
use std::string::String;
use std::vec::Vec;

/// The per-ABI section: counts, ENOSYS lists, differing values, notes.
pub(super) fn per_abi(out: &mut String) {
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
