//! Links the example with no C runtime, no libc and no dynamic loader.
//!
//! The host build goes through the C compiler driver (`cc`), which takes
//! `-nostartfiles`; the cross builds in `.ci/freestanding-qemu.sh` call
//! `rust-lld` directly, which takes only linker options. Cargo tells a build
//! script which linker it resolved for the target in `RUSTC_LINKER`.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let linker = env::var("RUSTC_LINKER").unwrap_or_default();
    let stem = Path::new(&linker)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let direct_ld = stem.contains("lld") || stem == "ld" || stem.ends_with("-ld");

    // Both `cc` and `ld` understand these: no default libraries, no shared
    // objects, and an ET_EXEC output (rustc asks for a PIE by default; a
    // static PIE would need a self-relocating start-up code we don't have).
    for arg in ["-nostdlib", "-static", "-no-pie"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    if direct_ld {
        println!("cargo:rustc-link-arg-bins=--build-id=none");
    } else {
        // Our own `_start` replaces crt1.o/crti.o.
        println!("cargo:rustc-link-arg-bins=-nostartfiles");
        println!("cargo:rustc-link-arg-bins=-Wl,--build-id=none");
    }
}
