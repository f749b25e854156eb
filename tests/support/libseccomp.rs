//! A minimal binding to libseccomp's C API (Debian's libseccomp 2.5.4,
//! `/usr/include/seccomp.h`), declared here by hand so the crate needs no
//! binding generator. Shared by the tests and the benchmark
//! (`#[path = "support/libseccomp.rs"] mod libseccomp;`).
//!
//! The library is loaded at run time (`dlopen("libseccomp.so.2")`), not
//! linked: a machine without it must still build and pass `cargo test`,
//! which a `-lseccomp` link error would stop before any test ran. Callers
//! ask [`available`] first and skip what needs libseccomp if it is not.
//!
//! Only what they use: build a filter (`seccomp_init`, `seccomp_arch_add`,
//! `seccomp_rule_add_array`, `seccomp_attr_set`) and export its BPF
//! (`seccomp_export_bpf`), which [`Filter::export`] reads back as
//! `seclude::bpf::Instruction`s. Nothing here loads a filter: that is left to
//! `seclude::seccomp::load`, so that only the program differs.

#![allow(dead_code, non_camel_case_types)]

use seclude::bpf::{Action, Instruction};
use std::ffi::c_void;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::{AsRawFd, FromRawFd};

// `enum scmp_filter_attr`.
pub const SCMP_FLTATR_ACT_DEFAULT: u32 = 1;
pub const SCMP_FLTATR_ACT_BADARCH: u32 = 2;
pub const SCMP_FLTATR_CTL_NNP: u32 = 3;
pub const SCMP_FLTATR_CTL_TSYNC: u32 = 4;
pub const SCMP_FLTATR_API_TSKIP: u32 = 5;
pub const SCMP_FLTATR_CTL_LOG: u32 = 6;
pub const SCMP_FLTATR_CTL_SSB: u32 = 7;
pub const SCMP_FLTATR_CTL_OPTIMIZE: u32 = 8;
pub const SCMP_FLTATR_API_SYSRAWRC: u32 = 9;

// `enum scmp_compare`.
pub const SCMP_CMP_NE: u32 = 1;
pub const SCMP_CMP_LT: u32 = 2;
pub const SCMP_CMP_LE: u32 = 3;
pub const SCMP_CMP_EQ: u32 = 4;
pub const SCMP_CMP_GE: u32 = 5;
pub const SCMP_CMP_GT: u32 = 6;
pub const SCMP_CMP_MASKED_EQ: u32 = 7;

// Architecture tokens (`SCMP_ARCH_*`): the AUDIT_ARCH values, except x32,
// which libseccomp tells apart from x86-64 with its own token
// (`EM_X86_64 | __AUDIT_ARCH_LE`).
pub const SCMP_ARCH_NATIVE: u32 = 0;
pub const SCMP_ARCH_X86: u32 = 0x4000_0003;
pub const SCMP_ARCH_X86_64: u32 = 0xc000_003e;
pub const SCMP_ARCH_X32: u32 = 0x4000_003e;

// Actions (`SCMP_ACT_*`): the kernel's SECCOMP_RET_* values.
pub const SCMP_ACT_KILL_PROCESS: u32 = 0x8000_0000;
pub const SCMP_ACT_KILL_THREAD: u32 = 0x0000_0000;
pub const SCMP_ACT_TRAP: u32 = 0x0003_0000;
pub const SCMP_ACT_NOTIFY: u32 = 0x7fc0_0000;
pub const SCMP_ACT_LOG: u32 = 0x7ffc_0000;
pub const SCMP_ACT_ALLOW: u32 = 0x7fff_0000;
pub const fn scmp_act_errno(x: u16) -> u32 {
    0x0005_0000 | x as u32
}
pub const fn scmp_act_trace(x: u16) -> u32 {
    0x7ff0_0000 | x as u32
}

/// `struct scmp_arg_cmp`: `unsigned int arg; enum scmp_compare op;
/// scmp_datum_t datum_a, datum_b;` (24 bytes). For `SCMP_CMP_MASKED_EQ`
/// `datum_a` is the mask and `datum_b` the value; otherwise `datum_a` is
/// the value.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct scmp_arg_cmp {
    pub arg: u32,
    pub op: u32,
    pub datum_a: u64,
    pub datum_b: u64,
}
const _: () = assert!(core::mem::size_of::<scmp_arg_cmp>() == 24);

pub type scmp_filter_ctx = *mut c_void;

/// The shared object loaded, by its soname (the runtime package,
/// `libseccomp2`, installs it; `libseccomp-dev` adds only the headers and
/// the `libseccomp.so` link).
pub const SONAME: &str = "libseccomp.so.2";

/// Declares the functions used, as fields of [`Api`] filled by `dlsym`.
macro_rules! api {
    ($($name:ident: fn($($arg:ty),*) -> $ret:ty;)*) => {
        /// libseccomp's functions, resolved in the loaded library.
        struct Api {
            $($name: unsafe extern "C" fn($($arg),*) -> $ret,)*
        }

        impl Api {
            fn load() -> Result<Api, String> {
                let soname = std::ffi::CString::new(SONAME).unwrap();
                // SAFETY: a NUL-terminated name; the handle is never closed,
                // so the functions stay valid for the process's life.
                let handle = unsafe { libc::dlopen(soname.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
                if handle.is_null() {
                    return Err(dlerror());
                }
                Ok(Api {
                    $($name: {
                        let symbol = concat!(stringify!($name), "\0");
                        // SAFETY: a live handle and a NUL-terminated name.
                        let address = unsafe { libc::dlsym(handle, symbol.as_ptr().cast()) };
                        if address.is_null() {
                            return Err(dlerror());
                        }
                        // SAFETY: the symbol is the function of this name,
                        // whose C prototype in seccomp.h the type repeats.
                        unsafe {
                            core::mem::transmute::<*mut c_void, unsafe extern "C" fn($($arg),*) -> $ret>(address)
                        }
                    },)*
                })
            }
        }
    };
}

api! {
    seccomp_init: fn(u32) -> scmp_filter_ctx;
    seccomp_release: fn(scmp_filter_ctx) -> ();
    seccomp_arch_add: fn(scmp_filter_ctx, u32) -> i32;
    seccomp_arch_remove: fn(scmp_filter_ctx, u32) -> i32;
    seccomp_attr_set: fn(scmp_filter_ctx, u32, u32) -> i32;
    seccomp_rule_add_array: fn(scmp_filter_ctx, u32, i32, u32, *const scmp_arg_cmp) -> i32;
    seccomp_syscall_resolve_name_arch: fn(u32, *const std::ffi::c_char) -> i32;
    seccomp_export_bpf: fn(scmp_filter_ctx, i32) -> i32;
    seccomp_export_pfc: fn(scmp_filter_ctx, i32) -> i32;
}

/// The last `dlopen`/`dlsym` error, as text.
fn dlerror() -> String {
    // SAFETY: dlerror returns null or a NUL-terminated message.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        return "unknown dlopen error".to_owned();
    }
    // SAFETY: non-null, NUL-terminated, valid until the next dl* call.
    unsafe { std::ffi::CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned()
}

static API: std::sync::OnceLock<Result<Api, String>> = std::sync::OnceLock::new();

/// Whether libseccomp could be loaded; the error says why not.
pub fn available() -> Result<(), &'static str> {
    API.get_or_init(Api::load)
        .as_ref()
        .map(drop)
        .map_err(String::as_str)
}

/// The loaded library; panics if the caller did not check [`available`].
fn api() -> &'static Api {
    match API.get_or_init(Api::load) {
        Ok(api) => api,
        Err(e) => panic!("libseccomp is not loaded ({e}): check libseccomp::available() first"),
    }
}

/// An owned filter context, released on drop.
pub struct Filter(scmp_filter_ctx);

impl Filter {
    /// `seccomp_init(default)`; `None` if libseccomp refuses the action.
    pub fn new(default: u32) -> Option<Filter> {
        // SAFETY: plain call; a null result is checked.
        let ctx = unsafe { (api().seccomp_init)(default) };
        (!ctx.is_null()).then_some(Filter(ctx))
    }

    /// `seccomp_arch_add`: 0 or a negative errno.
    pub fn arch_add(&mut self, token: u32) -> i32 {
        // SAFETY: a live context.
        unsafe { (api().seccomp_arch_add)(self.0, token) }
    }

    /// `seccomp_arch_remove`: 0 or a negative errno.
    pub fn arch_remove(&mut self, token: u32) -> i32 {
        // SAFETY: a live context.
        unsafe { (api().seccomp_arch_remove)(self.0, token) }
    }

    /// `seccomp_attr_set`: 0 or a negative errno.
    pub fn attr_set(&mut self, attr: u32, value: u32) -> i32 {
        // SAFETY: a live context.
        unsafe { (api().seccomp_attr_set)(self.0, attr, value) }
    }

    /// `seccomp_rule_add_array`: 0 or a negative errno. `syscall` is the
    /// native (x86-64) number; libseccomp translates it by name for the
    /// filter's other architectures.
    pub fn rule_add(&mut self, action: u32, syscall: i32, cmps: &[scmp_arg_cmp]) -> i32 {
        // SAFETY: a live context; the array outlives the call.
        unsafe {
            (api().seccomp_rule_add_array)(
                self.0,
                action,
                syscall,
                cmps.len() as u32,
                cmps.as_ptr(),
            )
        }
    }

    /// `seccomp_export_bpf` into a memfd, read back as instructions (native
    /// byte order, 8 bytes each: `struct sock_filter`).
    pub fn export(&self) -> Result<Vec<Instruction>, i32> {
        self.export_with(api().seccomp_export_bpf)
            .map(|bytes| instructions(&bytes))
    }

    /// `seccomp_export_pfc`: libseccomp's pseudo-code, for diagnostics.
    pub fn export_pfc(&self) -> Result<String, i32> {
        self.export_with(api().seccomp_export_pfc)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }

    fn export_with(
        &self,
        f: unsafe extern "C" fn(scmp_filter_ctx, i32) -> i32,
    ) -> Result<Vec<u8>, i32> {
        // SAFETY: a NUL-terminated name; the fd is owned by `file` below.
        let fd = unsafe { libc::memfd_create(c"seclude-libseccomp".as_ptr(), libc::MFD_CLOEXEC) };
        assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
        // SAFETY: a fresh fd nothing else owns.
        let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
        // SAFETY: a live context and an open fd.
        let rc = unsafe { f(self.0, file.as_raw_fd()) };
        if rc != 0 {
            return Err(rc);
        }
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut bytes).unwrap();
        Ok(bytes)
    }
}

impl Drop for Filter {
    fn drop(&mut self) {
        // SAFETY: the context is live and released once.
        unsafe { (api().seccomp_release)(self.0) }
    }
}

/// Bytes of `struct sock_filter`s (native endian) as instructions.
pub fn instructions(bytes: &[u8]) -> Vec<Instruction> {
    assert_eq!(bytes.len() % 8, 0, "BPF export of {} bytes", bytes.len());
    bytes
        .chunks_exact(8)
        .map(|b| Instruction {
            code: u16::from_ne_bytes([b[0], b[1]]),
            jt: b[2],
            jf: b[3],
            k: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
        })
        .collect()
}

/// libseccomp's action value for a seclude action (the kernel's return
/// value: libseccomp's `SCMP_ACT_*` are the `SECCOMP_RET_*` values).
pub fn action(a: Action) -> u32 {
    a.to_ret()
}

/// libseccomp's token for a seclude ABI, if it is one of the x86 family.
pub fn arch_token(abi: seclude::tables::Abi) -> u32 {
    use seclude::tables::Abi;
    match abi {
        Abi::X86_64 => SCMP_ARCH_X86_64,
        Abi::I386 => SCMP_ARCH_X86,
        Abi::X32 => SCMP_ARCH_X32,
        other => panic!("no libseccomp token wired up for {other}"),
    }
}

/// The number libseccomp gives `name` on `arch` (negative: unknown, or one
/// of its pseudo-syscalls).
pub fn resolve(arch: u32, name: &str) -> i32 {
    let c = std::ffi::CString::new(name).unwrap();
    // SAFETY: a NUL-terminated string.
    unsafe { (api().seccomp_syscall_resolve_name_arch)(arch, c.as_ptr()) }
}
