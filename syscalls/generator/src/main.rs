//! `cargo run -p seclude-syscalls -- [--check] [LINUX_SOURCE_DIR]`
//!
//! Renders `syscalls/tables/*.rs` (the uapi constants included) and
//! `syscalls/errno/*.rs` from a Linux source tree (default:
//! `target/linux-source-6.12`, unpacked by `syscalls/fetch-linux-source.sh`). With `--check` it writes nothing and
//! exits 1 if any committed file differs from what it would write.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut linux = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: seclude-syscalls [--check] [LINUX_SOURCE_DIR]");
                return ExitCode::SUCCESS;
            }
            _ if arg.starts_with('-') => {
                eprintln!("seclude-syscalls: unknown option {arg:?} (try --help)");
                return ExitCode::from(2);
            }
            _ => linux = Some(PathBuf::from(arg)),
        }
    }
    let linux = linux.unwrap_or_else(seclude_syscalls::default_linux_dir);
    let dir = seclude_syscalls::syscalls_dir();
    let post = match std::fs::read_to_string(dir.join("post-6.12.tbl")) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("seclude-syscalls: syscalls/post-6.12.tbl: {e}");
            return ExitCode::from(2);
        }
    };
    let files = match seclude_syscalls::generate(&linux, &post) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("seclude-syscalls: {e}");
            eprintln!(
                "(is {} a Linux source tree? run syscalls/fetch-linux-source.sh)",
                linux.display()
            );
            return ExitCode::from(2);
        }
    };
    if check {
        let drift = seclude_syscalls::drift(&dir, &files);
        for path in &drift {
            eprintln!(
                "seclude-syscalls: syscalls/{} is not what the generator writes",
                path.display()
            );
        }
        return if drift.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    if let Err(e) = seclude_syscalls::write_files(&dir, &files) {
        eprintln!("seclude-syscalls: writing {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    println!("wrote {} files below {}", files.len(), dir.display());
    ExitCode::SUCCESS
}
