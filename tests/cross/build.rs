//! Link the check program as a static executable with no C runtime, and
//! tell it which target it was built for (it prints that on success).
//!
//! .ci/cross-run.sh links with `rust-lld` (GNU flavour) directly, which adds
//! no start files or C library of its own; `-nostdlib` and `-static` are
//! understood by both ld.lld and a gcc driver.

fn main() {
    println!("cargo:rustc-link-arg-bins=-nostdlib");
    println!("cargo:rustc-link-arg-bins=-static");
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    println!("cargo:rustc-env=SECLUDE_CROSS_ARCH={target}");
}
