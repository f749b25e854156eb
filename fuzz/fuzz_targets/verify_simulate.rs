//! Arbitrary instruction arrays (up to 4100) through the verifier and the
//! simulator: neither may panic, a program `verify` accepts must run to a
//! return on any data in either byte order, and no run executes more
//! instructions than the program has (jumps only go forward).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seclude::bpf::{self, Action, MAX_INSNS, SimError, VerifyError};
use seclude::tables::Endian;
use seclude_fuzz::decode_raw;

fuzz_target!(|bytes: &[u8]| {
    let input = decode_raw(bytes);
    let prog = &input.prog[..];
    let verdict = bpf::verify(prog);
    let run = bpf::simulate(prog, &input.data, input.endian);

    if prog.is_empty() {
        assert_eq!(verdict, Err(VerifyError::Empty));
        assert_eq!(run, Err(SimError::Empty));
        return;
    }
    if prog.len() > MAX_INSNS {
        assert_eq!(verdict, Err(VerifyError::TooLong { len: prog.len() }));
    }
    if let Ok(out) = run {
        assert!(out.executed >= 1 && out.executed <= prog.len());
        assert_eq!(out.action, Action::from_ret(out.ret));
    }
    if verdict.is_ok() {
        let other = match input.endian {
            Endian::Little => Endian::Big,
            Endian::Big => Endian::Little,
        };
        for (endian, out) in [
            (input.endian, run),
            (other, bpf::simulate(prog, &input.data, other)),
        ] {
            match out {
                Ok(out) => assert!(out.executed <= prog.len()),
                Err(e) => panic!("verified program does not run ({endian:?}): {e:?}"),
            }
        }
    }
});
