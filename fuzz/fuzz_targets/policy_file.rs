//! The `seclude` command's policy-file reader (src/bin/seclude/json.rs and
//! policy_file.rs) on any text: policy files are passed around and
//! reviewed, so a malformed one must give an error, never a panic; and a
//! policy it accepts, written back as `learn --save` writes it, reads back
//! with the same promises and rules.
#![no_main]

#[path = "../../src/bin/seclude/cli.rs"]
#[allow(dead_code)]
mod cli;
#[path = "../../src/bin/seclude/json.rs"]
#[allow(dead_code)]
mod json;
#[path = "../../src/bin/seclude/policy_file.rs"]
#[allow(dead_code)]
mod policy_file;
#[path = "../../src/bin/seclude/seccompiler.rs"]
#[allow(dead_code)]
mod seccompiler;

/// What the included files name from the command's main.rs and run.rs.
mod exit {
    pub const USAGE: u8 = 64;
    pub const PROMISES: u8 = 65;
}
mod run {
    pub const DEFAULT_PROMISES: &str = "stdio rpath";
}

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = policy_file::parse(text) {
        let promises = policy.promises.clone().unwrap_or_default();
        let again = policy_file::parse(&policy_file::render(&promises, &policy.unveils))
            .expect("a saved policy reads back");
        assert_eq!(again.unveils, policy.unveils);
        assert_eq!(again.promises.unwrap_or_default(), promises);
    }
});
