//! The loading marker: a tiny shared object, written by seclude itself,
//! that a dynamically linked program preloads (`LD_PRELOAD`). Its
//! initializer makes one system call no program makes —
//! `prctl(MARKER_OPTION, MARKER_ARG)` — which the filter hands to the
//! supervisor: from then on the program's own code runs, and the loader's
//! allowance (see [`crate::launch::LOADER`]) ends for that process.
//!
//! Why a marker rather than pledging from inside (as Cosmopolitan's
//! `sandbox.so` does): the supervisor already sees every refused call, so
//! the object needs no filter, no promise parsing and no C library — a
//! dozen instructions, generated here, which is what lets a static seclude
//! binary work without shipping a second file. The loader runs every
//! preloaded object's initializer after mapping and relocating all
//! libraries and before the program's own initializers and `main`.
//!
//! The object is built in memory and handed over as a memfd
//! (`/proc/self/fd/N`), so nothing is written to disk.

use crate::elf;

/// The `prctl` option of the marker call. No kernel defines it (options
/// are small numbers or four-letter tags; this one spells `SCLD`), so it
/// fails with `EINVAL` if it ever reaches a kernel.
pub const MARKER_OPTION: u32 = 0x5343_4c44;
/// The marker call's second argument (`load`).
pub const MARKER_ARG: u32 = 0x6c6f_6164;

/// The marker's code for x86-64: `prctl(MARKER_OPTION, MARKER_ARG, 0, 0,
/// 0); ret`. It clobbers only what a call may (rax, rcx, rdx, rsi, rdi,
/// r8, r10, r11).
fn x86_64_code() -> Vec<u8> {
    let mut c = vec![0xb8]; // mov eax, imm32
    c.extend_from_slice(&157u32.to_le_bytes()); // __NR_prctl
    c.push(0xbf); // mov edi, imm32
    c.extend_from_slice(&MARKER_OPTION.to_le_bytes());
    c.push(0xbe); // mov esi, imm32
    c.extend_from_slice(&MARKER_ARG.to_le_bytes());
    c.extend_from_slice(&[0x31, 0xd2]); // xor edx, edx
    c.extend_from_slice(&[0x45, 0x31, 0xd2]); // xor r10d, r10d
    c.extend_from_slice(&[0x45, 0x31, 0xc0]); // xor r8d, r8d
    c.extend_from_slice(&[0x0f, 0x05]); // syscall
    c.push(0xc3); // ret
    c
}

/// The marker's code for AArch64, same call: `x8 = 167 (prctl)`, `svc 0`.
fn aarch64_code() -> Vec<u8> {
    let movz = |rd: u32, imm: u32, shift: u32| 0xd280_0000 | (shift / 16) << 21 | imm << 5 | rd;
    let movk = |rd: u32, imm: u32, shift: u32| 0xf280_0000 | (shift / 16) << 21 | imm << 5 | rd;
    let words = [
        movz(8, 167, 0),
        movz(0, MARKER_OPTION & 0xffff, 0),
        movk(0, MARKER_OPTION >> 16, 16),
        movz(1, MARKER_ARG & 0xffff, 0),
        movk(1, MARKER_ARG >> 16, 16),
        movz(2, 0, 0),
        movz(3, 0, 0),
        movz(4, 0, 0),
        0xd400_0001, // svc #0
        0xd65f_03c0, // ret
    ];
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The marker object for `machine` (an ELF `e_machine`), or `None` where
/// seclude has no marker code (the program then keeps the loader's
/// allowance, which the command says).
pub fn object(machine: u16) -> Option<Vec<u8>> {
    let code = match machine {
        elf::EM_X86_64 => x86_64_code(),
        elf::EM_AARCH64 => aarch64_code(),
        _ => return None,
    };
    Some(shared_object(machine, &code))
}

/// A 64-bit little-endian `ET_DYN` whose `DT_INIT` is `code`. Layout:
/// header, four program headers, code (one read+execute segment); then the
/// dynamic section, a one-bucket hash table, a symbol table holding only
/// the null symbol and an empty string table (one read+write segment:
/// older loaders relocate the dynamic section in place).
fn shared_object(machine: u16, code: &[u8]) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    const PHNUM: usize = 4;
    // Segments are aligned to 64 KiB, the largest page size of the
    // supported machines; the data segment's address is its offset plus
    // that much, so both map from the same file page.
    const ALIGN: u64 = 0x10000;
    let code_at = EHDR + PHDR * PHNUM;
    let data_at = (code_at + code.len()).next_multiple_of(8);
    let data_addr = data_at as u64 + ALIGN;
    // Data: dynamic (7 entries), hash (4 words), symtab (1 symbol), strtab.
    let dynamic_len = 7 * 16;
    let hash_at = data_addr + dynamic_len as u64;
    let symtab_at = hash_at + 16;
    let strtab_at = symtab_at + 24;
    let data_len = dynamic_len + 16 + 24 + 8;
    let total = data_at + data_len;

    let mut o = Vec::with_capacity(total);
    let put16 = |o: &mut Vec<u8>, v: u16| o.extend_from_slice(&v.to_le_bytes());
    // ELF header.
    o.extend_from_slice(b"\x7fELF");
    o.extend_from_slice(&[2, 1, 1, 0]); // 64-bit, little-endian, version 1, SysV
    o.extend_from_slice(&[0; 8]);
    put16(&mut o, 3); // ET_DYN
    put16(&mut o, machine);
    o.extend_from_slice(&1u32.to_le_bytes()); // e_version
    o.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    o.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    o.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    o.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    put16(&mut o, EHDR as u16);
    put16(&mut o, PHDR as u16);
    put16(&mut o, PHNUM as u16);
    put16(&mut o, 64); // e_shentsize
    put16(&mut o, 0); // e_shnum
    put16(&mut o, 0); // e_shstrndx
    // Program headers: type, flags, offset, vaddr, paddr, filesz, memsz, align.
    let phdr =
        |o: &mut Vec<u8>, kind: u32, flags: u32, offset: u64, addr: u64, len: u64, align: u64| {
            o.extend_from_slice(&kind.to_le_bytes());
            o.extend_from_slice(&flags.to_le_bytes());
            for v in [offset, addr, addr, len, len, align] {
                o.extend_from_slice(&v.to_le_bytes());
            }
        };
    const PT_LOAD: u32 = 1;
    const PT_DYNAMIC: u32 = 2;
    const PT_GNU_STACK: u32 = 0x6474_e551;
    const R: u32 = 4;
    const W: u32 = 2;
    const X: u32 = 1;
    let code_end = (code_at + code.len()) as u64;
    phdr(&mut o, PT_LOAD, R | X, 0, 0, code_end, ALIGN);
    phdr(
        &mut o,
        PT_LOAD,
        R | W,
        data_at as u64,
        data_addr,
        data_len as u64,
        ALIGN,
    );
    phdr(
        &mut o,
        PT_DYNAMIC,
        R | W,
        data_at as u64,
        data_addr,
        dynamic_len as u64,
        8,
    );
    // Without it a loader may make the stack executable for this object.
    phdr(&mut o, PT_GNU_STACK, R | W, 0, 0, 0, 16);
    debug_assert_eq!(o.len(), code_at);
    o.extend_from_slice(code);
    o.resize(data_at, 0);
    // Dynamic section.
    const DT_NULL: u64 = 0;
    const DT_HASH: u64 = 4;
    const DT_STRTAB: u64 = 5;
    const DT_SYMTAB: u64 = 6;
    const DT_STRSZ: u64 = 10;
    const DT_SYMENT: u64 = 11;
    const DT_INIT: u64 = 12;
    for (tag, value) in [
        (DT_INIT, code_at as u64),
        (DT_HASH, hash_at),
        (DT_STRTAB, strtab_at),
        (DT_SYMTAB, symtab_at),
        (DT_STRSZ, 1),
        (DT_SYMENT, 24),
        (DT_NULL, 0),
    ] {
        o.extend_from_slice(&tag.to_le_bytes());
        o.extend_from_slice(&value.to_le_bytes());
    }
    // Hash: one bucket, one chain, both empty (symbol 0).
    for v in [1u32, 1, 0, 0] {
        o.extend_from_slice(&v.to_le_bytes());
    }
    o.extend_from_slice(&[0; 24]); // the null symbol
    o.extend_from_slice(&[0; 8]); // strtab: "" (padded)
    debug_assert_eq!(o.len(), total);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_object_is_an_elf_seclude_itself_recognises() {
        let o = object(elf::EM_X86_64).unwrap();
        assert_eq!(
            elf::parse(&o, |_, _| None),
            elf::Executable::Elf {
                machine: elf::EM_X86_64,
                bits: 64,
                interpreter: None
            }
        );
        assert!(o.len() < 1024, "{} bytes", o.len());
        assert!(object(elf::EM_386).is_none());
        // The code holds the marker's constants.
        let code = x86_64_code();
        assert!(code.windows(4).any(|w| w == MARKER_OPTION.to_le_bytes()));
        assert_eq!(aarch64_code()[..4], 0xd280_14e8u32.to_le_bytes()); // movz x8, #167
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_loader_accepts_it() {
        // A plain run (no filter): the loader maps the object, runs its
        // initializer (whose prctl fails with EINVAL, harmlessly) and the
        // program runs normally, with nothing on stderr.
        let dir = std::env::temp_dir().join(format!("seclude-marker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("marker.so");
        std::fs::write(&path, object(elf::EM_X86_64).unwrap()).unwrap();
        let out = std::process::Command::new("/bin/echo")
            .arg("loaded")
            .env("LD_PRELOAD", &path)
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
        assert_eq!(out.stdout, b"loaded\n");
        assert!(out.status.success());
    }
}
