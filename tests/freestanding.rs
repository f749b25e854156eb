//! The crate links into a program with no libc, no std and no allocator.
//!
//! Builds `examples/freestanding` (its own package: own `_start`, own
//! `memcpy`, linked `-nostdlib -static`) in release for the host, runs it,
//! checks its output and exit status, and reads the ELF file itself to show
//! it is a static executable with no dynamic section, no interpreter and
//! no undefined symbols. `.ci/freestanding-qemu.sh` does the same run for
//! AArch64 and RISC-V 64 under qemu.
#![cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )
))]

#[path = "support/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The stripped binary must stay below this. Measured at 13,776 bytes
/// (x86-64, rustc 1.95, rust-lld); about a third of it is the errno names
/// and descriptions `Errno`'s `Display` prints.
const STRIPPED_SIZE_LIMIT: u64 = 16 * 1024;

/// Builds both programs of the example; returns their directory.
fn build() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = root.join("target").join("freestanding");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--manifest-path"])
        .arg(root.join("examples/freestanding/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        // Flags meant for the outer build (coverage, sanitizers) would need
        // a runtime this program deliberately does not have.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("run cargo");
    assert!(status.success(), "building examples/freestanding failed");
    target_dir.join("release")
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> usize {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap()) as usize
}

const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const SHT_SYMTAB: u32 = 2;
const SHT_DYNAMIC: u32 = 6;
const SHT_DYNSYM: u32 = 11;

/// A section header's fields we need.
struct Section {
    name: String,
    kind: u32,
    offset: usize,
    size: usize,
    link: usize,
}

/// Fails `check_elf` with a message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)*) => {
        if !$cond {
            return Err(format!($($msg)*));
        }
    };
}

/// Checks an ELF64 little-endian file is static and self-contained.
fn check_elf(elf: &[u8]) -> Result<(), String> {
    ensure!(elf.starts_with(b"\x7fELF"), "not an ELF file");
    ensure!(elf[4] == 2, "not ELFCLASS64");
    ensure!(elf[5] == 1, "not little-endian");

    let e_type = u16_at(elf, 16);
    let (phoff, shoff) = (u64_at(elf, 32), u64_at(elf, 40));
    let (phentsize, phnum) = (u16_at(elf, 54) as usize, u16_at(elf, 56) as usize);
    let (shentsize, shnum) = (u16_at(elf, 58) as usize, u16_at(elf, 60) as usize);
    let shstrndx = u16_at(elf, 62) as usize;

    let mut interp = false;
    let mut dynamic = false;
    for i in 0..phnum {
        match u32_at(elf, phoff + i * phentsize) {
            PT_INTERP => interp = true,
            PT_DYNAMIC => dynamic = true,
            _ => {}
        }
    }
    ensure!(!interp, "has PT_INTERP: needs a dynamic loader");
    ensure!(!dynamic, "has PT_DYNAMIC: not a static executable");
    // ET_EXEC, or a static PIE (ET_DYN) — which would need PT_DYNAMIC for
    // its self-relocation, ruled out above, so in practice ET_EXEC.
    ensure!(
        e_type == ET_EXEC || e_type == ET_DYN,
        "ELF type {e_type} is not an executable"
    );

    let sections: Vec<Section> = (0..shnum)
        .map(|i| {
            let h = shoff + i * shentsize;
            Section {
                name: String::new(),
                kind: u32_at(elf, h + 4),
                offset: u64_at(elf, h + 24),
                size: u64_at(elf, h + 32),
                link: u32_at(elf, h + 40) as usize,
            }
        })
        .collect();
    let names = &sections[shstrndx];
    let name_at = |table: &Section, at: usize| -> String {
        let bytes = &elf[table.offset + at..table.offset + table.size];
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    };
    let sections: Vec<Section> = (0..shnum)
        .map(|i| Section {
            name: name_at(names, u32_at(elf, shoff + i * shentsize) as usize),
            ..sections[i]
        })
        .collect();

    for s in &sections {
        // No `.interp`, no `.dynamic` (so no DT_NEEDED libc.so.6), no
        // dynamic symbols, no PLT/GOT for imported functions.
        ensure!(
            !matches!(
                s.name.as_str(),
                ".interp" | ".dynamic" | ".dynsym" | ".dynstr"
            ) && s.kind != SHT_DYNAMIC
                && s.kind != SHT_DYNSYM
                && !s.name.starts_with(".plt")
                && !s.name.starts_with(".rela.plt"),
            "unexpected section {}",
            s.name
        );
    }

    // Every symbol is defined inside the file: nothing is left for a libc
    // to provide. (Elf64_Sym: name u32, info u8, other u8, shndx u16, …)
    if let Some(symtab) = sections.iter().find(|s| s.kind == SHT_SYMTAB) {
        let strtab = &sections[symtab.link];
        let undefined: Vec<String> = (1..symtab.size / 24)
            .map(|i| symtab.offset + i * 24)
            .filter(|&sym| u16_at(elf, sym + 6) == 0)
            .map(|sym| name_at(strtab, u32_at(elf, sym) as usize))
            .filter(|name| !name.is_empty())
            .collect();
        ensure!(undefined.is_empty(), "undefined symbols: {undefined:?}");
    }

    let has = |needle: &[u8]| elf.windows(needle.len()).any(|w| w == needle);
    for needle in [&b"libc.so"[..], b"ld-linux", b"ld-musl", b"GLIBC_"] {
        ensure!(!has(needle), "mentions {}", String::from_utf8_lossy(needle));
    }
    Ok(())
}

#[test]
fn freestanding_binary_runs_and_is_static() {
    let bin = build().join("seclude-freestanding");

    let child = Command::new(&bin)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the freestanding binary");
    let child_pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    print!("{stdout}");
    assert_eq!(out.status.code(), Some(0), "exit status; stdout:\n{stdout}");
    assert!(out.stderr.is_empty(), "stderr: {:?}", out.stderr);

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"seclude freestanding: start"));
    assert_eq!(lines.last(), Some(&"seclude freestanding: ok"));
    assert!(lines.contains(&"argc: 1"));
    let value = |prefix: &str| -> &str {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?}"))
    };
    let pid: u32 = value("pid: ").parse().expect("pid is a number");
    assert_eq!(pid, child_pid, "getpid() in the child");
    assert_eq!(value("abi: "), seclude::tables::Abi::NATIVE.name());
    let nr: u32 = value("landlock_create_ruleset: nr ").parse().unwrap();
    assert_eq!(
        Some(nr),
        seclude::tables::Abi::NATIVE.number(seclude::tables::Syscall::landlock_create_ruleset)
    );
    // A kernel with Landlock reports its ABI version; one without (or
    // qemu-user) the errno, printed by Errno's Display.
    let landlock = lines
        .iter()
        .find(|l| l.starts_with("landlock abi ") || l.starts_with("landlock: "))
        .expect("a landlock line");
    if let Some(v) = landlock.strip_prefix("landlock abi ") {
        assert!(v.parse::<u32>().unwrap() >= 1);
    } else {
        assert!(
            landlock
                .strip_prefix("landlock: E")
                .is_some_and(|r| r.contains(" ("))
        );
    }
    let ebadf = format!("close(-1): {}", seclude::Errno::EBADF);
    assert!(lines.contains(&ebadf.as_str()), "no {ebadf:?}");
    assert!(lines.contains(&"mmap+munmap: ok"));

    let elf = std::fs::read(&bin).unwrap();
    check_elf(&elf).unwrap();

    let stripped = bin.with_file_name("seclude-freestanding.stripped");
    let status = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&bin)
        .status();
    match status {
        Ok(s) if s.success() => {
            let size = std::fs::metadata(&stripped).unwrap().len();
            println!(
                "freestanding binary: {} bytes, stripped {size} bytes",
                elf.len()
            );
            check_elf(&std::fs::read(&stripped).unwrap()).unwrap();
            assert!(
                size < STRIPPED_SIZE_LIMIT,
                "stripped size {size} >= {STRIPPED_SIZE_LIMIT}"
            );
        }
        _ => skip::skipped(
            "freestanding binary's stripped size",
            "`strip` did not run",
            "apt-get install binutils",
        ),
    }
}

/// The checks above are not vacuous: this test program itself is a
/// dynamically linked executable, and `check_elf` rejects it.
/// `seclude-init`, the example an init process links: it pledges and
/// unveils itself, then checks an allowed read and two refusals (one by
/// each mechanism). `.ci/vm-matrix.sh` boots it as pid 1; here it runs as
/// an ordinary process, as root and as uid 65534 without capabilities.
#[test]
fn init_program_confines_itself_as_root_and_unprivileged() {
    use std::os::unix::process::CommandExt;
    let bin = build().join("seclude-init");
    let elf = std::fs::read(&bin).unwrap();
    check_elf(&elf).unwrap();
    for unprivileged in [false, true] {
        let mut cmd = Command::new(&bin);
        if unprivileged {
            // From root, std also clears the supplementary groups.
            cmd.uid(65534).gid(65534);
        }
        let out = cmd.output().expect("run seclude-init");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let context = format!(
            "unprivileged: {unprivileged}\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{context}");
        assert!(!stdout.contains("FAIL"), "{context}");
        for expected in [
            "pid1: pass pledge stdio rpath + unveil /etc r applied",
            "pid1: pass allowed: read ",
            "outside the unveiled /etc: EACCES",
            "pid1: pass refused: socket without the inet promise: EPERM",
        ] {
            assert!(stdout.contains(expected), "no {expected:?}: {context}");
        }
    }
}

#[test]
fn elf_check_rejects_a_dynamic_executable() {
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let err = check_elf(&me).expect_err("accepted a dynamically linked executable");
    assert!(err.contains("PT_INTERP"), "{err}");
}
