//! The `seclude` command's ELF reader (src/bin/seclude/elf.rs) on any
//! bytes: it reads files the program to run names, so a malformed header
//! must give an answer, never a panic or an out-of-bounds read. The first
//! 4 KiB are the header the command reads first; the rest is what a read
//! at an offset finds, as a file would give it.
#![no_main]

#[path = "../../src/bin/seclude/elf.rs"]
#[allow(dead_code)]
mod elf;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let head = &data[..data.len().min(4096)];
    // Any answer will do; a panic or an out-of-bounds read will not.
    let _ = elf::parse(head, |offset, len| {
        let start = usize::try_from(offset).ok()?;
        let rest = data.get(start..)?;
        Some(rest[..len.min(rest.len())].to_vec())
    });
});
