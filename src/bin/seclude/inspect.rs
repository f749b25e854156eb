//! `explain`, `bpf`, `resolve` and `syscalls`: the policy and the tables,
//! without running anything. (Being written.)

use crate::cli::Failure;
use std::ffi::OsString;

pub fn explain(_args: &[OsString]) -> Result<u8, Failure> {
    Err(Failure::usage("explain: not written yet".into()))
}
pub fn bpf(_args: &[OsString]) -> Result<u8, Failure> {
    Err(Failure::usage("bpf: not written yet".into()))
}
pub fn resolve(_args: &[OsString]) -> Result<u8, Failure> {
    Err(Failure::usage("resolve: not written yet".into()))
}
pub fn syscalls(_args: &[OsString]) -> Result<u8, Failure> {
    Err(Failure::usage("syscalls: not written yet".into()))
}
