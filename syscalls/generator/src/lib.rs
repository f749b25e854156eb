//! Generator of seclude's syscall, architecture, errno and uapi constant tables.
//!
//! It reads the Linux kernel's own sources (the `*.tbl` syscall tables, the
//! per-architecture `Makefile.syscalls` ABI lists and uapi headers, through
//! the small preprocessor of [`headers`]) and
//! renders Rust files that the `seclude` crate includes with `include!`.
//! Nothing in the output is typed by hand except the syscalls recorded in
//! `syscalls/post-6.12.tbl` (added to Linux after the 6.12 sources we read).
//!
//! The same code runs in two places: the `seclude-syscalls` binary writes the
//! files, and the `sync` test renders them again and compares them with the
//! committed ones, so a hand edit of a generated file fails CI.

pub mod constants;
pub mod headers;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where one ABI's numbers come from in the kernel tree.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// A `.tbl` file and the ABI tags (column 2) this ABI takes from it.
    Table {
        path: &'static str,
        abis: &'static [&'static str],
    },
    /// `scripts/syscall.tbl` with the tags `syscall_abis_{bits}` gets by
    /// default (`common,{bits}`) plus those the architecture's
    /// `Makefile.syscalls` adds.
    Generic { makefile: &'static str, bits: u32 },
}

/// How the number in the table becomes the number in `seccomp_data.nr`.
#[derive(Clone, Copy, Debug)]
pub enum Offset {
    None,
    /// `__X32_SYSCALL_BIT` from `arch/x86/include/uapi/asm/unistd.h`.
    X32Bit,
    /// `__NR_Linux` for one `_MIPS_SIM` value in `arch/mips/include/uapi/asm/unistd.h`.
    Mips(&'static str),
}

/// One syscall table: the numbering of one kernel ABI.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    /// Rust module and file name under `syscalls/tables/`.
    pub module: &'static str,
    /// Human name used in comments.
    pub title: &'static str,
    pub source: Source,
    pub offset: Offset,
    /// Also read the ARM private syscalls (`__ARM_NR_*`) from the uapi header.
    pub arm_private: bool,
}

/// The fourteen syscall numberings seclude builds filters for.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        module: "x86_64",
        title: "x86-64 (64-bit)",
        source: Source::Table {
            path: "arch/x86/entry/syscalls/syscall_64.tbl",
            abis: &["common", "64"],
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "x32",
        title: "x32 (ILP32 on x86-64)",
        source: Source::Table {
            path: "arch/x86/entry/syscalls/syscall_64.tbl",
            abis: &["common", "x32"],
        },
        offset: Offset::X32Bit,
        arm_private: false,
    },
    TableSpec {
        module: "i386",
        title: "i386 (32-bit x86)",
        source: Source::Table {
            path: "arch/x86/entry/syscalls/syscall_32.tbl",
            abis: &["i386"],
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "aarch64",
        title: "AArch64",
        source: Source::Generic {
            makefile: "arch/arm64/kernel/Makefile.syscalls",
            bits: 64,
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "arm",
        title: "ARM EABI",
        source: Source::Table {
            path: "arch/arm/tools/syscall.tbl",
            abis: &["common", "eabi"],
        },
        offset: Offset::None,
        arm_private: true,
    },
    TableSpec {
        module: "riscv64",
        title: "RISC-V 64-bit",
        source: Source::Generic {
            makefile: "arch/riscv/kernel/Makefile.syscalls",
            bits: 64,
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "riscv32",
        title: "RISC-V 32-bit",
        source: Source::Generic {
            makefile: "arch/riscv/kernel/Makefile.syscalls",
            bits: 32,
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "loongarch64",
        title: "LoongArch 64-bit",
        source: Source::Generic {
            makefile: "arch/loongarch/kernel/Makefile.syscalls",
            bits: 64,
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "powerpc64",
        title: "PowerPC 64-bit",
        source: Source::Table {
            path: "arch/powerpc/kernel/syscalls/syscall.tbl",
            abis: &["common", "nospu", "64"],
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "powerpc",
        title: "PowerPC 32-bit",
        source: Source::Table {
            path: "arch/powerpc/kernel/syscalls/syscall.tbl",
            abis: &["common", "nospu", "32"],
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "s390x",
        title: "s390x (64-bit)",
        source: Source::Table {
            path: "arch/s390/kernel/syscalls/syscall.tbl",
            abis: &["common", "64"],
        },
        offset: Offset::None,
        arm_private: false,
    },
    TableSpec {
        module: "mips_o32",
        title: "MIPS o32",
        source: Source::Table {
            path: "arch/mips/kernel/syscalls/syscall_o32.tbl",
            abis: &["o32"],
        },
        offset: Offset::Mips("_MIPS_SIM_ABI32"),
        arm_private: false,
    },
    TableSpec {
        module: "mips_n32",
        title: "MIPS n32",
        source: Source::Table {
            path: "arch/mips/kernel/syscalls/syscall_n32.tbl",
            abis: &["n32"],
        },
        offset: Offset::Mips("_MIPS_SIM_NABI32"),
        arm_private: false,
    },
    TableSpec {
        module: "mips_n64",
        title: "MIPS n64",
        source: Source::Table {
            path: "arch/mips/kernel/syscalls/syscall_n64.tbl",
            abis: &["common", "n64"],
        },
        offset: Offset::Mips("_MIPS_SIM_ABI64"),
        arm_private: false,
    },
];

/// The `AUDIT_ARCH_*` constants the crate needs, by their uapi names.
pub const AUDIT_ARCHES: &[&str] = &[
    "AUDIT_ARCH_X86_64",
    "AUDIT_ARCH_I386",
    "AUDIT_ARCH_AARCH64",
    "AUDIT_ARCH_ARM",
    "AUDIT_ARCH_RISCV64",
    "AUDIT_ARCH_RISCV32",
    "AUDIT_ARCH_LOONGARCH64",
    "AUDIT_ARCH_PPC64",
    "AUDIT_ARCH_PPC64LE",
    "AUDIT_ARCH_PPC",
    "AUDIT_ARCH_S390X",
    "AUDIT_ARCH_MIPS",
    "AUDIT_ARCH_MIPSEL",
    "AUDIT_ARCH_MIPS64",
    "AUDIT_ARCH_MIPSEL64",
    "AUDIT_ARCH_MIPS64N32",
    "AUDIT_ARCH_MIPSEL64N32",
];

/// The errno numberings: `generic` (asm-generic, used by most architectures)
/// and the two architectures in our list whose numbers differ.
pub const ERRNO_SETS: &[(&str, &str)] = &[
    ("generic", "include/uapi/asm-generic/errno.h"),
    ("mips", "arch/mips/include/uapi/asm/errno.h"),
    ("powerpc", "arch/powerpc/include/uapi/asm/errno.h"),
];

/// Where a table entry came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A kernel `.tbl` file.
    Table,
    /// `syscalls/post-6.12.tbl`: added after the kernel we read, in this release.
    HandAdded(String),
    /// An ARM private syscall from `arch/arm/include/uapi/asm/unistd.h`.
    ArmPrivate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub number: u32,
    pub name: String,
    pub origin: Origin,
}

/// Every error is a sentence naming the file and what was wrong with it.
pub type Error = String;

fn read(root: &Path, rel: &str) -> Result<String, Error> {
    let path = root.join(rel);
    fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `(number, abi tag, name)` rows of a `.tbl` file.
pub fn parse_tbl(text: &str, what: &str) -> Result<Vec<(u32, String, String)>, Error> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let mut cols = line.split_whitespace();
        let Some(number) = cols.next() else { continue };
        let (Some(abi), Some(name)) = (cols.next(), cols.next()) else {
            return Err(format!("{what}:{}: expected `number abi name`", i + 1));
        };
        let number = number
            .parse::<u32>()
            .map_err(|e| format!("{what}:{}: bad number {number:?}: {e}", i + 1))?;
        rows.push((number, abi.to_string(), name.to_string()));
    }
    Ok(rows)
}

/// The extra ABI tags `Makefile.syscalls` adds for `syscall_abis_{bits}`.
fn makefile_abis(text: &str, bits: u32) -> Vec<String> {
    let key = format!("syscall_abis_{bits}");
    let mut abis = vec!["common".to_string(), bits.to_string()];
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() == Some(key.as_str()) && words.next() == Some("+=") {
            abis.extend(words.map(str::to_string));
        }
    }
    abis
}

/// Value of `#define NAME VALUE` (decimal or hex), first occurrence.
fn define_value(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next()? != "#define" || words.next()? != name {
            return None;
        }
        parse_int(words.next()?)
    })
}

fn parse_int(s: &str) -> Option<u32> {
    match s.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// `__NR_Linux` as defined under `#if _MIPS_SIM == {sim}`.
fn mips_base(text: &str, sim: &str) -> Option<u32> {
    let mut current = None;
    for line in text.lines() {
        if let Some(cond) = line.strip_prefix("#if _MIPS_SIM == ") {
            current = Some(cond.trim().to_string());
        } else if current.as_deref() == Some(sim) {
            if let Some(v) = define_value(line, "__NR_Linux") {
                return Some(v);
            }
        }
    }
    None
}

/// The ARM private syscalls: `#define __ARM_NR_x (__ARM_NR_BASE+n)`, with
/// `__ARM_NR_BASE` = `__NR_SYSCALL_BASE` (0 for EABI) + the offset given.
fn arm_private(text: &str) -> Result<Vec<(u32, String)>, Error> {
    let plus = |expr: &str, base: &str| -> Option<u32> {
        let inner = expr.strip_prefix('(')?.strip_suffix(')')?;
        let (b, n) = inner.split_once('+')?;
        (b.trim() == base).then(|| parse_int(n.trim()))?
    };
    let mut base = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(expr)) = (words.next(), words.next()) else {
            continue;
        };
        if name == "__ARM_NR_BASE" {
            base = plus(expr, "__NR_SYSCALL_BASE");
        } else if let Some(short) = name.strip_prefix("__ARM_NR_") {
            let base = base.ok_or("arm unistd.h: __ARM_NR_BASE not defined before use")?;
            let n = plus(expr, "__ARM_NR_BASE")
                .ok_or_else(|| format!("arm unistd.h: cannot read {name} = {expr}"))?;
            out.push((base + n, short.to_string()));
        }
    }
    if out.is_empty() {
        return Err("arm unistd.h: no __ARM_NR_* syscalls found".into());
    }
    Ok(out)
}

/// The hand-recorded post-6.12 syscalls: `(table number, name, release)`.
pub fn parse_post_612(text: &str) -> Result<Vec<(u32, String, String)>, Error> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        let cols: Vec<&str> = line.split_whitespace().collect();
        match cols.as_slice() {
            [] => {}
            [nr, name, release] => {
                let nr = nr
                    .parse()
                    .map_err(|e| format!("post-6.12.tbl:{}: bad number: {e}", i + 1))?;
                out.push((nr, name.to_string(), release.to_string()));
            }
            _ => {
                return Err(format!(
                    "post-6.12.tbl:{}: expected `number name release`",
                    i + 1
                ));
            }
        }
    }
    Ok(out)
}

/// Reads one ABI's table from the kernel tree.
pub fn load_table(
    linux: &Path,
    spec: &TableSpec,
    post_612: &[(u32, String, String)],
) -> Result<Vec<Entry>, Error> {
    let (path, abis): (&str, Vec<String>) = match spec.source {
        Source::Table { path, abis } => (path, abis.iter().map(|s| s.to_string()).collect()),
        Source::Generic { makefile, bits } => (
            "scripts/syscall.tbl",
            makefile_abis(&read(linux, makefile)?, bits),
        ),
    };
    let offset = match spec.offset {
        Offset::None => 0,
        Offset::X32Bit => {
            let rel = "arch/x86/include/uapi/asm/unistd.h";
            define_value(&read(linux, rel)?, "__X32_SYSCALL_BIT")
                .ok_or_else(|| format!("{rel}: no __X32_SYSCALL_BIT"))?
        }
        Offset::Mips(sim) => {
            let rel = "arch/mips/include/uapi/asm/unistd.h";
            mips_base(&read(linux, rel)?, sim)
                .ok_or_else(|| format!("{rel}: no __NR_Linux for {sim}"))?
        }
    };
    let mut entries = Vec::new();
    for (number, abi, name) in parse_tbl(&read(linux, path)?, path)? {
        if abis.contains(&abi) && !is_placeholder(&name) {
            entries.push(Entry {
                number: number + offset,
                name,
                origin: Origin::Table,
            });
        }
    }
    if spec.arm_private {
        let rel = "arch/arm/include/uapi/asm/unistd.h";
        for (number, name) in arm_private(&read(linux, rel)?)? {
            entries.push(Entry {
                number,
                name,
                origin: Origin::ArmPrivate,
            });
        }
    }
    for (number, name, release) in post_612 {
        if entries.iter().any(|e| &e.name == name) {
            return Err(format!(
                "{}: {name} is already in the kernel's table; remove it from post-6.12.tbl",
                spec.module
            ));
        }
        entries.push(Entry {
            number: number + offset,
            name: name.clone(),
            origin: Origin::HandAdded(release.clone()),
        });
    }
    entries.sort_by_key(|e| e.number);
    for pair in entries.windows(2) {
        if pair[0].number == pair[1].number {
            return Err(format!(
                "{}: number {} given twice ({} and {})",
                spec.module, pair[0].number, pair[0].name, pair[1].name
            ));
        }
    }
    let mut names = BTreeSet::new();
    for e in &entries {
        if !names.insert(&e.name) {
            return Err(format!("{}: name {} given twice", spec.module, e.name));
        }
        if e.name.is_empty()
            || !e
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(format!(
                "{}: {:?} is not a syscall name",
                spec.module, e.name
            ));
        }
    }
    Ok(entries)
}

/// MIPS names never-assigned slots `unused18`, `reserved82`, …: numbers
/// that are not system calls, so they get no [`Entry`] (nor a `Syscall`).
pub fn is_placeholder(name: &str) -> bool {
    ["unused", "reserved"].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `#define AUDIT_ARCH_X (EM_Y|__AUDIT_ARCH_64BIT|...)`, resolved.
pub fn audit_arch(audit_h: &str, elf_em_h: &str, name: &str) -> Result<u32, Error> {
    // The definition may continue on the next line after a backslash.
    let joined = audit_h.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| {
            let mut w = l.split_whitespace();
            w.next() == Some("#define") && w.next() == Some(name)
        })
        .ok_or_else(|| format!("audit.h: no {name}"))?;
    let expr: String = line.split_whitespace().skip(2).collect();
    let expr = expr.trim_start_matches('(').trim_end_matches(')');
    let mut value = 0;
    for term in expr.split('|') {
        value |= define_value(&joined, term)
            .or_else(|| define_value(elf_em_h, term))
            .or_else(|| parse_int(term))
            .ok_or_else(|| format!("audit.h: cannot resolve {term} in {name}"))?;
    }
    Ok(value)
}

/// One errno: value, name, and the kernel header's comment; `alias_of` for
/// `#define EWOULDBLOCK EAGAIN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrnoDef {
    pub name: String,
    pub value: u32,
    pub description: String,
    pub alias_of: Option<String>,
}

/// Reads an errno header, following `#include <asm-generic/...>` and
/// honouring `#undef`, as the C preprocessor would for these simple files.
pub fn load_errnos(linux: &Path, rel: &str) -> Result<Vec<ErrnoDef>, Error> {
    let mut defs: Vec<ErrnoDef> = Vec::new();
    load_errnos_into(linux, rel, &mut defs)?;
    Ok(defs)
}

fn load_errnos_into(linux: &Path, rel: &str, defs: &mut Vec<ErrnoDef>) -> Result<(), Error> {
    let text = read(linux, rel)?;
    for line in text.lines() {
        let line = line.trim();
        if let Some(inc) = line.strip_prefix("#include <asm-generic/") {
            let file = inc.trim_end_matches('>');
            load_errnos_into(linux, &format!("include/uapi/asm-generic/{file}"), defs)?;
            continue;
        }
        let mut words = line.split_whitespace();
        match words.next() {
            Some("#undef") => {
                let name = words.next().unwrap_or("");
                defs.retain(|d| d.name != name);
            }
            Some("#define") => {
                let (Some(name), Some(value)) = (words.next(), words.next()) else {
                    continue;
                };
                if !name.starts_with('E') {
                    continue; // include guards
                }
                let description = line
                    .split_once("/*")
                    .map(|(_, c)| c.trim_end_matches("*/").trim().to_string())
                    .unwrap_or_default();
                let (value, alias_of) = match parse_int(value) {
                    Some(v) => (v, None),
                    None => {
                        let target = defs
                            .iter()
                            .find(|d| d.name == value)
                            .ok_or_else(|| format!("{rel}: {name} = unknown {value}"))?;
                        (target.value, Some(value.to_string()))
                    }
                };
                defs.retain(|d| d.name != name);
                defs.push(ErrnoDef {
                    name: name.to_string(),
                    value,
                    description,
                    alias_of,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The Rust identifier of a syscall's variant: its kernel name, except
///
/// - Rust keywords (i386's `break`), which take the raw-identifier form;
/// - MIPS o32's `syscall`, the indirect call, which becomes
///   `indirect_syscall`: a variant called `syscall` would make every binding
///   `syscall: Syscall` in user code an error (`bindings_with_variant_name`).
fn ident(name: &str) -> String {
    if name == "syscall" {
        return "indirect_syscall".to_string();
    }
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
        "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// `6.12` from the top-level Makefile.
pub fn kernel_release(linux: &Path) -> Result<String, Error> {
    let text = read(linux, "Makefile")?;
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.trim().strip_prefix('=').map(str::trim))
            .map(str::to_string)
            .ok_or_else(|| format!("Makefile: no {key}"))
    };
    Ok(format!("{}.{}", get("VERSION")?, get("PATCHLEVEL")?))
}

/// The rendered files: path relative to `syscalls/` → contents.
pub type Files = BTreeMap<PathBuf, String>;

const HEADER: &str = "// @generated by syscalls/generator (`cargo run -p seclude-syscalls`).\n\
                      // Do not edit: a test regenerates this file and compares.\n";

/// Reads everything from `linux` (a kernel source tree) and `post_612` (the
/// text of `syscalls/post-6.12.tbl`) and renders every generated file.
pub fn generate(linux: &Path, post_612: &str) -> Result<Files, Error> {
    let release = kernel_release(linux)?;
    let post = parse_post_612(post_612)?;
    let mut tables = Vec::new();
    for spec in TABLES {
        tables.push((spec, load_table(linux, spec, &post)?));
    }

    // The union of names, sorted bytewise: the enum's discriminant order, so
    // that `Syscall::from_name` can binary-search the name array.
    let mut all: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (_, entries) in &tables {
        for e in entries {
            let release = match &e.origin {
                Origin::HandAdded(r) => Some(r.clone()),
                _ => None,
            };
            all.insert(e.name.clone(), release);
        }
    }
    let index: BTreeMap<&str, usize> = all
        .keys()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();

    let mut files = Files::new();
    files.insert(
        "tables/syscall.rs".into(),
        render_syscall_enum(&all, &tables, &release),
    );
    for (spec, entries) in &tables {
        files.insert(
            format!("tables/{}.rs", spec.module).into(),
            render_table(spec, entries, &index, &release),
        );
    }
    files.insert("tables/arch.rs".into(), render_arch(linux, &release)?);
    files.insert(
        "tables/constants.rs".into(),
        constants::render_constants(linux, HEADER, &release)?,
    );
    for (module, rel) in ERRNO_SETS {
        let defs = load_errnos(linux, rel)?;
        files.insert(
            format!("errno/{module}.rs").into(),
            render_errno(module, rel, &defs, &release),
        );
    }
    Ok(files)
}

fn render_syscall_enum(
    all: &BTreeMap<String, Option<String>>,
    tables: &[(&TableSpec, Vec<Entry>)],
    release: &str,
) -> String {
    let mut out = String::from(HEADER);
    let _ = writeln!(
        out,
        "// Every syscall name in the {} tables below, from Linux {release}\n\
         // (plus syscalls/post-6.12.tbl), sorted bytewise.\n",
        tables.len()
    );
    out.push_str(
        "/// A Linux system call, identified by its name across every ABI seclude knows.\n\
         ///\n\
         /// The same [`Syscall`] has a different number, or none, on each [`Abi`](crate::tables::Abi):\n\
         /// ask [`Abi::number`](crate::tables::Abi::number). Variants are the kernel's own\n\
         /// names, so `Syscall::openat` is the `openat` of every table.\n\
         ///\n\
         /// ```\n\
         /// use seclude::tables::{Abi, Syscall};\n\
         /// assert_eq!(Abi::X86_64.number(Syscall::openat), Some(257));\n\
         /// assert_eq!(Abi::Aarch64.number(Syscall::open), None);\n\
         /// assert_eq!(Syscall::from_name(\"openat\"), Some(Syscall::openat));\n\
         /// ```\n\
         #[allow(non_camel_case_types)]\n\
         #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]\n\
         #[repr(u16)]\n\
         pub enum Syscall {\n",
    );
    for (i, (name, release)) in all.iter().enumerate() {
        let present: Vec<&str> = tables
            .iter()
            .filter(|(_, entries)| entries.iter().any(|e| &e.name == name))
            .map(|(spec, _)| spec.module)
            .collect();
        let where_ = if present.len() == tables.len() {
            "every ABI".to_string()
        } else {
            present.join(", ")
        };
        let _ = writeln!(out, "    /// `{name}`: {where_}.");
        if ident(name) != *name && !ident(name).starts_with("r#") {
            let _ = writeln!(
                out,
                "    ///\n    /// Named `{}` here so that `syscall` stays free as a variable name;\n    /// [`Syscall::name`] is still `\"{name}\"`.",
                ident(name)
            );
        }
        if let Some(r) = release {
            let _ = writeln!(
                out,
                "    ///\n    /// Added in Linux {r}: recorded by hand in `syscalls/post-6.12.tbl`."
            );
        }
        let _ = writeln!(out, "    {} = {i},", ident(name));
    }
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/// Number of [`Syscall`] variants.\npub(crate) const COUNT: usize = {};\n",
        all.len()
    );
    out.push_str(
        "/// Names by discriminant (sorted bytewise).\npub(crate) const NAMES: [&str; COUNT] = [\n",
    );
    for name in all.keys() {
        let _ = writeln!(out, "    \"{name}\",");
    }
    out.push_str(
        "];\n\n/// Variants by discriminant.\npub(crate) const ALL: [Syscall; COUNT] = [\n",
    );
    for name in all.keys() {
        let _ = writeln!(out, "    Syscall::{},", ident(name));
    }
    out.push_str(
        "];\n\n/// Syscalls newer than the kernel sources the tables were generated from,\n\
                  /// with the Linux release that added them.\n\
                  pub(crate) const HAND_ADDED: &[(Syscall, &str)] = &[\n",
    );
    for (name, release) in all {
        if let Some(r) = release {
            let _ = writeln!(out, "    (Syscall::{}, \"{r}\"),", ident(name));
        }
    }
    out.push_str("];\n");
    out
}

fn render_table(
    spec: &TableSpec,
    entries: &[Entry],
    index: &BTreeMap<&str, usize>,
    release: &str,
) -> String {
    let mut out = String::from(HEADER);
    let source = match spec.source {
        Source::Table { path, abis } => format!("{path}, ABI tags {}", abis.join(",")),
        Source::Generic { makefile, bits } => {
            format!("scripts/syscall.tbl, ABI tags common,{bits} + {makefile}")
        }
    };
    let _ = writeln!(out, "// {}: Linux {release}, {source}.", spec.title);
    match spec.offset {
        Offset::None => {}
        Offset::X32Bit => out.push_str("// Numbers include __X32_SYSCALL_BIT.\n"),
        Offset::Mips(sim) => {
            let _ = writeln!(out, "// Numbers include __NR_Linux for {sim}.");
        }
    }
    if spec.arm_private {
        out.push_str("// Includes the ARM private syscalls (__ARM_NR_*) of arch/arm/include/uapi/asm/unistd.h.\n");
    }
    let _ = writeln!(
        out,
        "\n/// `(number, syscall)`, sorted by number: {} entries.",
        entries.len()
    );
    out.push_str("pub(crate) const BY_NUMBER: &[(u32, Syscall)] = &[\n");
    for e in entries {
        let note = match &e.origin {
            Origin::Table => String::new(),
            Origin::HandAdded(r) => format!(" // Linux {r}, post-6.12.tbl"),
            Origin::ArmPrivate => " // __ARM_NR_".to_string() + &e.name,
        };
        // x32 numbers carry the 0x40000000 bit: hex keeps them readable.
        let number = match spec.offset {
            Offset::X32Bit => format!("{:#x}", e.number),
            _ => e.number.to_string(),
        };
        let _ = writeln!(out, "    ({number}, Syscall::{}),{note}", ident(&e.name));
    }
    out.push_str(
        "];\n\n/// Number by [`Syscall`] discriminant; `ABSENT` where this ABI lacks it.\n",
    );
    out.push_str("pub(crate) const BY_SYSCALL: &[u32; COUNT] = &[\n");
    let mut numbers = vec![None; index.len()];
    for e in entries {
        numbers[index[e.name.as_str()]] = Some(e.number);
    }
    for chunk in numbers.chunks(8) {
        let row: Vec<String> = chunk
            .iter()
            .map(|n| n.map_or("ABSENT".to_string(), |n| n.to_string()))
            .collect();
        let _ = writeln!(out, "    {},", row.join(", "));
    }
    out.push_str("];\n");
    out
}

fn render_arch(linux: &Path, release: &str) -> Result<String, Error> {
    let audit = read(linux, "include/uapi/linux/audit.h")?;
    let elf = read(linux, "include/uapi/linux/elf-em.h")?;
    let mut out = String::from(HEADER);
    let _ = writeln!(
        out,
        "// Linux {release}: include/uapi/linux/audit.h, elf-em.h, arch/*/include/uapi/asm/unistd.h.\n"
    );
    for name in AUDIT_ARCHES {
        let value = audit_arch(&audit, &elf, name)?;
        let _ = writeln!(out, "pub(crate) const {name}: u32 = {value:#010x};");
    }
    for flag in ["__AUDIT_ARCH_64BIT", "__AUDIT_ARCH_LE"] {
        let value = define_value(&audit, flag).ok_or_else(|| format!("audit.h: no {flag}"))?;
        let _ = writeln!(
            out,
            "pub(crate) const {}: u32 = {value:#010x};",
            flag.trim_start_matches('_')
        );
    }
    let rel = "arch/x86/include/uapi/asm/unistd.h";
    let x32 = define_value(&read(linux, rel)?, "__X32_SYSCALL_BIT")
        .ok_or("unistd.h: no __X32_SYSCALL_BIT")?;
    let _ = writeln!(out, "pub(crate) const X32_SYSCALL_BIT: u32 = {x32:#010x};");
    let mips = read(linux, "arch/mips/include/uapi/asm/unistd.h")?;
    for (name, sim) in [
        ("MIPS_O32_BASE", "_MIPS_SIM_ABI32"),
        ("MIPS_N64_BASE", "_MIPS_SIM_ABI64"),
        ("MIPS_N32_BASE", "_MIPS_SIM_NABI32"),
    ] {
        let v = mips_base(&mips, sim).ok_or_else(|| format!("mips unistd.h: no base for {sim}"))?;
        let _ = writeln!(out, "pub(crate) const {name}: u32 = {v};");
    }
    Ok(out)
}

fn render_errno(module: &str, rel: &str, defs: &[ErrnoDef], release: &str) -> String {
    let mut out = String::from(HEADER);
    let _ = writeln!(
        out,
        "// The {module} errno numbers: Linux {release}, {rel}.\n"
    );
    out.push_str("impl Errno {\n");
    for d in defs {
        let doc = match &d.alias_of {
            Some(target) => format!("Same value as [`Errno::{target}`]."),
            None => d.description.clone(),
        };
        let _ = writeln!(
            out,
            "    /// {doc}\n    pub const {}: Errno = Errno({});",
            d.name, d.value
        );
    }
    out.push_str("}\n\n");
    let mut primary: BTreeMap<u32, &ErrnoDef> = BTreeMap::new();
    for d in defs.iter().filter(|d| d.alias_of.is_none()) {
        primary.entry(d.value).or_insert(d);
    }
    // One string and small offsets instead of two `&str` per entry: the
    // table is linked into every binary that displays an Errno.
    let mut text = String::new();
    let mut rows = Vec::new();
    for (value, d) in &primary {
        rows.push((*value, text.len(), d.name.len(), d.description.len()));
        text.push_str(&d.name);
        text.push_str(&d.description);
    }
    assert!(text.len() < 1 << 16, "errno text too long for u16 offsets");
    out.push_str("/// Every name immediately followed by its description.\n");
    let _ = writeln!(
        out,
        "pub(crate) const TEXT: &str = \"{}\";\n",
        text.replace('"', "\\\"")
    );
    out.push_str(
        "/// `(value, offset of the name in TEXT, name length, description length)`\n\
         /// for the first name of each value, sorted by value.\n",
    );
    out.push_str("pub(crate) const TABLE: &[(u16, u16, u8, u8)] = &[\n");
    for (value, start, name_len, desc_len) in rows {
        let _ = writeln!(out, "    ({value}, {start}, {name_len}, {desc_len}),");
    }
    out.push_str("];\n");
    out
}

/// Writes `files` below `dir`.
pub fn write_files(dir: &Path, files: &Files) -> io::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text)?;
    }
    Ok(())
}

/// The paths (relative to `dir`) whose contents differ from `files`, and
/// the generated files in `dir` that `files` no longer has.
pub fn drift(dir: &Path, files: &Files) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = files
        .iter()
        .filter(|(rel, text)| {
            fs::read_to_string(dir.join(rel)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(rel, _)| rel.clone())
        .collect();
    for sub in ["tables", "errno"] {
        if let Ok(list) = fs::read_dir(dir.join(sub)) {
            for e in list.flatten() {
                let rel = Path::new(sub).join(e.file_name());
                if rel.extension().is_some_and(|x| x == "rs") && !files.contains_key(&rel) {
                    out.push(rel);
                }
            }
        }
    }
    out
}

/// Default location of the kernel tree that `fetch-linux-source.sh` unpacks.
pub fn default_linux_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/linux-source-6.12")
}

/// The `syscalls/` directory.
pub fn syscalls_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tbl_rows_skip_comments_and_blank_lines() {
        let rows = parse_tbl("# c\n\n0\tcommon\tread\tsys_read\n13 x32 foo # tail\n", "t").unwrap();
        assert_eq!(
            rows,
            vec![
                (0, "common".into(), "read".into()),
                (13, "x32".into(), "foo".into())
            ]
        );
    }

    #[test]
    fn tbl_row_without_name_is_an_error() {
        assert!(parse_tbl("5 common\n", "t").unwrap_err().contains("t:1"));
    }

    #[test]
    fn makefile_adds_abis_for_its_width_only() {
        let mk =
            "syscall_abis_32 += riscv memfd_secret\nsyscall_abis_64 += riscv rlimit memfd_secret\n";
        assert_eq!(
            makefile_abis(mk, 32),
            ["common", "32", "riscv", "memfd_secret"]
        );
        assert_eq!(
            makefile_abis(mk, 64),
            ["common", "64", "riscv", "rlimit", "memfd_secret"]
        );
    }

    #[test]
    fn mips_base_follows_the_sim_condition() {
        let h = "#if _MIPS_SIM == _MIPS_SIM_ABI32\n#define __NR_Linux\t4000\n#endif\n\
                 #if _MIPS_SIM == _MIPS_SIM_NABI32\n#define __NR_Linux\t6000\n#endif\n";
        assert_eq!(mips_base(h, "_MIPS_SIM_ABI32"), Some(4000));
        assert_eq!(mips_base(h, "_MIPS_SIM_NABI32"), Some(6000));
        assert_eq!(mips_base(h, "_MIPS_SIM_ABI64"), None);
    }

    #[test]
    fn arm_private_numbers_add_the_base() {
        let h = "#define __ARM_NR_BASE\t\t\t(__NR_SYSCALL_BASE+0x0f0000)\n\
                 #define __ARM_NR_cacheflush\t\t(__ARM_NR_BASE+2)\n";
        assert_eq!(
            arm_private(h).unwrap(),
            vec![(0xf0002, "cacheflush".to_string())]
        );
    }

    #[test]
    fn audit_arch_ors_its_terms_across_a_continued_line() {
        let audit = "#define __AUDIT_ARCH_64BIT 0x80000000\n#define __AUDIT_ARCH_LE\t   0x40000000\n\
                     #define __AUDIT_ARCH_CONVENTION_MIPS64_N32 0x20000000\n\
                     #define AUDIT_ARCH_MIPSEL64N32\t(EM_MIPS|__AUDIT_ARCH_64BIT|__AUDIT_ARCH_LE|\\\n\
                     \t\t\t\t __AUDIT_ARCH_CONVENTION_MIPS64_N32)\n";
        let elf = "#define EM_MIPS\t\t8\n";
        assert_eq!(
            audit_arch(audit, elf, "AUDIT_ARCH_MIPSEL64N32").unwrap(),
            0xe000_0008
        );
    }

    #[test]
    fn placeholders_are_recognised() {
        assert!(is_placeholder("unused18"));
        assert!(is_placeholder("reserved177"));
        assert!(!is_placeholder("reserved"));
        assert!(!is_placeholder("unused_syscall"));
        assert!(!is_placeholder("afs_syscall"));
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("break"), "r#break");
        assert_eq!(ident("read"), "read");
        assert_eq!(ident("syscall"), "indirect_syscall");
    }
}
