//! The disassembler on arbitrary instructions: formatting never panics or
//! fails, and writes exactly one numbered line per instruction.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seclude::bpf::Listing;
use seclude::tables::{Abi, Endian};
use seclude_fuzz::decode_raw;
use std::fmt::Write;

fuzz_target!(|bytes: &[u8]| {
    let input = decode_raw(bytes);
    let prog = &input.prog[..];
    // The flag byte's high bits pick how the listing is configured.
    let sel = input.flags >> 2;
    let listing = match sel % 4 {
        0 => Listing::new(prog),
        1 => Listing::new(prog).endian(input.endian),
        _ => {
            let abi = Abi::ALL[(sel / 4) as usize % Abi::ALL.len()];
            let l = Listing::new(prog).abi(abi);
            if sel % 4 == 3 {
                l.endian(Endian::Big)
            } else {
                l
            }
        }
    };
    let mut text = String::new();
    write!(text, "{listing}").expect("formatting a Listing failed");
    let mut lines = 0;
    for (pc, line) in text.lines().enumerate() {
        let number = format!("{pc:04}: ");
        assert!(line.starts_with(&number), "line {pc}: {line:?}");
        assert!(line.len() > number.len(), "line {pc} is empty");
        lines += 1;
    }
    assert_eq!(lines, prog.len());
    assert!(text.is_empty() || text.ends_with('\n'));
});
