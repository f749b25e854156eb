//! The header reader (`seclude_syscalls::headers`) on the kernel's own
//! headers: the `ioctl` encodings it derives, and that a wrong or missing
//! value is an error rather than a silently generated constant.
//!
//! Needs the kernel tree `syscalls/fetch-linux-source.sh` unpacks (see
//! `sync.rs`); skipped visibly without it, and a failure under
//! `SECLUDE_REQUIRE_ALL=1`.

#[path = "../../../tests/support/skip.rs"]
mod skip;

use seclude_syscalls::constants::{FAMILIES, agreed_values};
use seclude_syscalls::headers::{Headers, Ioc};
use std::path::PathBuf;

fn linux_dir() -> Option<PathBuf> {
    let linux = std::env::var_os("SECLUDE_LINUX_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(seclude_syscalls::default_linux_dir);
    if linux.join("include/uapi/asm-generic/ioctl.h").is_file() {
        return Some(linux);
    }
    skip::skipped(
        "uapi constants vs the header reader",
        &format!("no kernel headers at {}", linux.display()),
        "run `bash syscalls/fetch-linux-source.sh`, or set SECLUDE_LINUX_SRC",
    );
    None
}

#[test]
fn ioctl_encodings_are_the_expected_ones() {
    let Some(root) = linux_dir() else { return };
    let generic = Ioc {
        none: 0,
        read: 2,
        write: 1,
        size_bits: 14,
        nr_shift: 0,
        type_shift: 8,
        size_shift: 16,
        dir_shift: 30,
    };
    let three_dir_bits = Ioc {
        none: 1,
        read: 2,
        write: 4,
        size_bits: 13,
        nr_shift: 0,
        type_shift: 8,
        size_shift: 16,
        dir_shift: 29,
    };
    for family in FAMILIES {
        for &arch in family.arches {
            let h = Headers::new(&root, arch).unwrap();
            let want = if matches!(arch, "mips" | "powerpc") {
                &three_dir_bits
            } else {
                &generic
            };
            assert_eq!(h.ioc().as_ref(), Ok(want), "{arch}");
        }
    }
    // PowerPC's TCGETS carries sizeof(struct termios): four tcflag_t,
    // c_cc[19], c_line, two speed_t.
    let ppc = Headers::new(&root, "powerpc").unwrap();
    assert_eq!(ppc.size_of("struct termios"), Ok((44, 4)));
    assert_eq!(ppc.eval("TCGETS"), Ok(0x402c_7413));
}

#[test]
fn an_undefined_name_is_an_error() {
    let Some(root) = linux_dir() else { return };
    let h = Headers::new(&root, "x86").unwrap();
    assert_eq!(
        h.eval("NO_SUCH_NAME"),
        Err("NO_SUCH_NAME is not defined".to_owned())
    );
}

#[test]
fn architectures_that_disagree_cannot_share_a_module() {
    // The check that lets one module stand for several architectures must
    // be able to fail: MIPS numbers O_EXCL its own way.
    let Some(root) = linux_dir() else { return };
    assert_eq!(
        agreed_values(&root, &["x86", "riscv"], &["O_EXCL"]).unwrap()[0].0,
        0o200
    );
    let err = agreed_values(&root, &["x86", "mips"], &["O_CREAT", "O_EXCL"]).unwrap_err();
    assert_eq!(err, "O_CREAT is 0x40 on x86 but 0x100 on mips");
}
