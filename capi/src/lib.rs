//! seclude for C programs: OpenBSD's `pledge()` and `unveil()`, and a
//! policy object with an isolated launch in the shape of exile.h, in a
//! static (`libseclude.a`) and a shared (`libseclude.so`) library whose
//! declarations are `seclude.h`.
//!
//! No libc and no allocator underneath, as in the Rust library: every
//! kernel call is seclude's own. A program that links no C library at all
//! (`-nostdlib`) provides `memcpy`, `memmove`, `memset` and `memcmp`, as
//! GCC requires of every freestanding program.
//!
//! Errors: a function that fails returns -1 and keeps an error number
//! ([`seclude_errno`]) and a message ([`seclude_error`]) for the caller;
//! they are the last failure of any thread (no thread-local storage without
//! a C library).
#![cfg_attr(not(test), no_std)]

use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use seclude::landlock::{AbiVersion, AccessFs, Enforcement, Request, Ruleset, UnveilPerms};
use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
use seclude::pledge::{Pledge, Promises};
use seclude::privileges::{Capabilities, Privileges, Resource};
use seclude::sandbox::Sandbox;
use seclude::{Compatibility, Errno};

// ------------------------------------------------------------------ errors

static LAST_ERRNO: AtomicI32 = AtomicI32::new(0);
static MESSAGE_LOCK: AtomicBool = AtomicBool::new(false);
static mut MESSAGE: [u8; 256] = [0; 256];

/// A spin lock around a static: a C program may call from several threads.
struct Locked<'a>(&'a AtomicBool);

impl<'a> Locked<'a> {
    fn take(lock: &'a AtomicBool) -> Locked<'a> {
        while lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        Locked(lock)
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Writes into a fixed buffer, cutting what does not fit (and keeping a
/// NUL at the end).
struct Cut<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for Cut<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.buf.len() - 1 - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Records a failure and returns -1.
fn fail(errno: Errno, message: core::fmt::Arguments<'_>) -> c_int {
    LAST_ERRNO.store(errno.raw(), Ordering::Relaxed);
    let _held = Locked::take(&MESSAGE_LOCK);
    // SAFETY: the lock is held; nothing else touches MESSAGE meanwhile.
    let buf = unsafe { &mut *core::ptr::addr_of_mut!(MESSAGE) };
    let mut w = Cut { buf, len: 0 };
    let _ = w.write_fmt(message);
    let end = w.len;
    w.buf[end] = 0;
    -1
}

/// The error number of the last failure (`EINVAL`, `EPERM`, ...), 0 if none.
#[unsafe(no_mangle)]
pub extern "C" fn seclude_errno() -> c_int {
    LAST_ERRNO.load(Ordering::Relaxed)
}

/// The message of the last failure, NUL-terminated, in a static buffer ("" if
/// none). It names what was wrong: `seclude_pledge: unknown promise "rpth"`.
#[unsafe(no_mangle)]
pub extern "C" fn seclude_error() -> *const c_char {
    core::ptr::addr_of!(MESSAGE).cast()
}

/// A C string as a `CStr`, measured here: `CStr::from_ptr` calls the C
/// library's `strlen`, which a program without one does not have.
///
/// # Safety
/// `ptr` is a non-NULL NUL-terminated string.
unsafe fn c_str<'a>(ptr: *const c_char) -> &'a CStr {
    let mut len = 0;
    // SAFETY: within the string, up to and including its NUL, per the
    // caller. Volatile, so that LLVM does not turn the loop into strlen.
    while unsafe { core::ptr::read_volatile(ptr.add(len)) } != 0 {
        len += 1;
    }
    // SAFETY: len + 1 bytes, the last the only NUL.
    unsafe { CStr::from_bytes_with_nul_unchecked(core::slice::from_raw_parts(ptr.cast(), len + 1)) }
}

/// A C string argument as UTF-8 text.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string.
unsafe fn text<'a>(ptr: *const c_char) -> Option<Result<&'a str, ()>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a non-NULL pointer to a NUL-terminated string, per the caller.
    Some(unsafe { c_str(ptr) }.to_str().map_err(|_| ()))
}

fn promises(function: &str, words: &str) -> Result<Promises, c_int> {
    Promises::parse(words).map_err(|e| {
        fail(
            Errno::EINVAL,
            format_args!("{function}: unknown promise \"{}\"", e.word()),
        )
    })
}

// ------------------------------------------------------------------ pledge

/// OpenBSD's `pledge(promises, execpromises)`: from now on this process
/// (and what it forks) may make only the system calls `promises` allow
/// (space-separated words: `"stdio rpath"`); a refused call fails with
/// `EPERM`. `execpromises` (NULL: none) are what a program it executes
/// gets, and need `exec` among `promises`. NULL `promises` keeps those held.
/// A second pledge can only narrow. Returns 0, or -1 with `EINVAL` (an
/// unknown word), `EPERM` (widening) or the kernel's error.
///
/// # Safety
/// Each argument is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_pledge(
    promises_text: *const c_char,
    execpromises_text: *const c_char,
) -> c_int {
    const F: &str = "seclude_pledge";
    // SAFETY: forwarded from the caller.
    let held = match unsafe { text(promises_text) } {
        None => seclude::pledge::held(),
        Some(Err(())) => return fail(Errno::EINVAL, format_args!("{F}: promises are not UTF-8")),
        Some(Ok(words)) => match promises(F, words) {
            Ok(p) => p,
            Err(rc) => return rc,
        },
    };
    let mut pledge = Pledge::new(held);
    // SAFETY: forwarded from the caller.
    match unsafe { text(execpromises_text) } {
        None => {}
        Some(Err(())) => {
            return fail(
                Errno::EINVAL,
                format_args!("{F}: execpromises are not UTF-8"),
            );
        }
        Some(Ok(words)) => match promises(F, words) {
            Ok(p) => pledge = pledge.execpromises(p),
            Err(rc) => return rc,
        },
    }
    match pledge.apply() {
        Ok(_) => 0,
        Err(e) => fail(Errno::EPERM, format_args!("{F}: {e}")),
    }
}

// ------------------------------------------------------------------ unveil

struct UnveilState {
    ruleset: Option<Ruleset>,
    locked: bool,
    /// What the commit's seccomp supplement does with new UNIX sockets.
    unix: seclude::landlock::UnixSockets,
}

static UNVEIL_LOCK: AtomicBool = AtomicBool::new(false);
static mut UNVEIL: UnveilState = UnveilState {
    ruleset: None,
    locked: false,
    unix: seclude::landlock::UnixSockets::ConfinedOnly,
};

/// Before the commit: let it allow new UNIX sockets although this
/// kernel's Landlock (before ABI 9, Linux 7.1) cannot confine connecting to
/// them by path; then every pathname socket the process can name is
/// reachable (`syslog(3)`'s `/dev/log`, say). Fails with `EPERM` after the
/// commit.
#[unsafe(no_mangle)]
pub extern "C" fn seclude_unveil_unconfined_unix() -> c_int {
    let _held = Locked::take(&UNVEIL_LOCK);
    // SAFETY: the lock is held; nothing else touches UNVEIL meanwhile.
    let state = unsafe { &mut *core::ptr::addr_of_mut!(UNVEIL) };
    if state.locked {
        return fail(
            Errno::EPERM,
            format_args!("seclude_unveil_unconfined_unix: committed already"),
        );
    }
    state.unix = seclude::landlock::UnixSockets::AllowUnconfined;
    0
}

/// OpenBSD's `unveil(path, permissions)` on Landlock: `path` (opened now)
/// stays reachable with `permissions`, letters from `r`, `w`, `x`, `c`;
/// `unveil(NULL, NULL)` commits: from then on nothing else on the
/// filesystem is reachable, and further calls fail with `EPERM`. Until the
/// commit nothing is restricted (Landlock applies a ruleset whole). The
/// commit fails with `ENOSYS` on a kernel without Landlock: a sandbox is
/// never reported applied when it is not. Also refused everywhere, as
/// Landlock cannot check them: changes of mode, owner, times and extended
/// attributes, and executing a descriptor; before Landlock ABI 9 (Linux
/// 7.1), which confines connecting to a UNIX socket by path, new UNIX
/// sockets (`socket(AF_UNIX, ...)`, datagram `socketpair`) too.
///
/// # Safety
/// Each argument is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_unveil(path: *const c_char, permissions: *const c_char) -> c_int {
    const F: &str = "seclude_unveil";
    let _held = Locked::take(&UNVEIL_LOCK);
    // SAFETY: the lock is held; nothing else touches UNVEIL meanwhile.
    let state = unsafe { &mut *core::ptr::addr_of_mut!(UNVEIL) };
    if state.locked {
        return fail(Errno::EPERM, format_args!("{F}: committed already"));
    }
    match (path.is_null(), permissions.is_null()) {
        (true, true) => {
            state.locked = true;
            let Some(ruleset) = state.ruleset.take() else {
                // As on OpenBSD: nothing unveiled, nothing hidden.
                return 0;
            };
            match ruleset.restrict_self() {
                Ok(plan) if plan.enforcement == Enforcement::None => fail(
                    Errno::ENOSYS,
                    format_args!("{F}: this kernel has no Landlock: nothing is hidden"),
                ),
                Ok(plan) => {
                    let supplement = seclude::landlock::seccomp_supplement(plan.abi, state.unix);
                    match seclude::seccomp::load(supplement, seclude::seccomp::FilterFlags::empty())
                    {
                        Ok(_) => 0,
                        Err(e) => {
                            fail(Errno::EPERM, format_args!("{F}: seccomp supplement: {e:?}"))
                        }
                    }
                }
                Err(e) => fail(Errno::EPERM, format_args!("{F}: {e}")),
            }
        }
        (false, false) => {
            // SAFETY: both non-NULL NUL-terminated strings, per the caller.
            let (path, letters) = unsafe { (c_str(path), c_str(permissions)) };
            let Ok(letters) = letters.to_str() else {
                return fail(
                    Errno::EINVAL,
                    format_args!("{F}: permissions are not UTF-8"),
                );
            };
            let perms = match UnveilPerms::parse(letters) {
                Ok(p) => p,
                Err(e) => return fail(Errno::EINVAL, format_args!("{F}: \"{letters}\": {e}")),
            };
            if state.ruleset.is_none() {
                let request = Request {
                    fs: AccessFs::all(),
                    ..Request::EMPTY
                };
                match Ruleset::new(&request, Compatibility::BestEffort) {
                    Ok(r) => state.ruleset = Some(r),
                    Err(e) => return fail(Errno::ENOSYS, format_args!("{F}: {e}")),
                }
            }
            let ruleset = state.ruleset.as_mut().expect("made above");
            match ruleset.allow_path(path, perms.access()) {
                Ok(()) => 0,
                Err(seclude::landlock::RulesetError::Open(errno)) => fail(
                    errno,
                    format_args!("{F}: {}: {errno}", path.to_str().unwrap_or("the path")),
                ),
                Err(e) => fail(Errno::EINVAL, format_args!("{F}: {e}")),
            }
        }
        _ => fail(
            Errno::EINVAL,
            format_args!("{F}: path and permissions are both given or both NULL"),
        ),
    }
}

/// The Landlock version of this kernel (0: none): what unveil can enforce.
#[unsafe(no_mangle)]
pub extern "C" fn seclude_landlock_abi() -> c_int {
    match seclude::landlock::abi_version() {
        AbiVersion::Unsupported => 0,
        v => v as c_int,
    }
}

// ------------------------------------------------------------------ policy

const MAGIC: u32 = 0x5ec1_0de1;
const MAX_LIMITS: usize = 8;

/// What a launched child gets: namespaces, ids, capabilities, limits and
/// promises. C sees it as 256 opaque bytes (`seclude_policy`).
#[repr(C)]
struct Policy {
    magic: u32,
    namespaces: u32,
    uid: u32,
    gid: u32,
    keep_capabilities: u32,
    limit_count: u32,
    limits: [(u32, u64); MAX_LIMITS],
    pledged: u32,
    exec_pledged: u32,
    promises: u64,
    execpromises: u64,
}

/// The limits a policy may set, back from their numbers.
fn resource_of(raw: u32) -> Option<Resource> {
    [
        Resource::Cpu,
        Resource::As,
        Resource::Fsize,
        Resource::Nofile,
        Resource::Nproc,
    ]
    .into_iter()
    .find(|r| *r as u32 == raw)
}

/// The size of `seclude_policy` in seclude.h.
pub const POLICY_SIZE: usize = 256;
const _: () = assert!(core::mem::size_of::<Policy>() <= POLICY_SIZE);
const _: () = assert!(core::mem::align_of::<Policy>() <= 8);

/// Unchanged ids.
const KEEP_ID: u32 = u32::MAX;

/// The policy behind a C pointer, checked.
///
/// # Safety
/// `p` is NULL or points to `POLICY_SIZE` writable bytes aligned to 8.
unsafe fn policy<'a>(p: *mut c_void, function: &str) -> Result<&'a mut Policy, c_int> {
    if p.is_null() {
        return Err(fail(Errno::EINVAL, format_args!("{function}: NULL policy")));
    }
    // SAFETY: per the caller, POLICY_SIZE bytes that hold a Policy.
    let policy = unsafe { &mut *p.cast::<Policy>() };
    if policy.magic != MAGIC {
        return Err(fail(
            Errno::EINVAL,
            format_args!("{function}: the policy was not set up by seclude_policy_init"),
        ));
    }
    Ok(policy)
}

/// Sets up `policy` (a `seclude_policy` the caller owns): no namespaces,
/// ids unchanged, every capability dropped, no limits, no pledge.
///
/// # Safety
/// `policy` points to a `seclude_policy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_init(policy: *mut c_void) -> c_int {
    if policy.is_null() {
        return fail(
            Errno::EINVAL,
            format_args!("seclude_policy_init: NULL policy"),
        );
    }
    // SAFETY: per the caller, room for a Policy.
    unsafe {
        policy.cast::<Policy>().write(Policy {
            magic: MAGIC,
            namespaces: 0,
            uid: KEEP_ID,
            gid: KEEP_ID,
            keep_capabilities: 0,
            limit_count: 0,
            limits: [(0, 0); MAX_LIMITS],
            pledged: 0,
            exec_pledged: 0,
            promises: 0,
            execpromises: 0,
        })
    };
    0
}

/// New namespaces for the child, as `--unshare` takes them: `"net,pid"`
/// (user, mount, net, pid, ipc, uts, cgroup). Without root a user
/// namespace is added.
///
/// # Safety
/// `policy` as for [`seclude_policy_init`]; `list` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_namespaces(
    policy: *mut c_void,
    list: *const c_char,
) -> c_int {
    const F: &str = "seclude_policy_namespaces";
    // SAFETY: forwarded from the caller.
    let p = match unsafe { self::policy(policy, F) } {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    // SAFETY: forwarded from the caller.
    let Some(Ok(list)) = (unsafe { text(list) }) else {
        return fail(Errno::EINVAL, format_args!("{F}: no list"));
    };
    match Namespaces::parse(list) {
        Ok(ns) => {
            p.namespaces |= ns.bits();
            0
        }
        Err(e) => fail(Errno::EINVAL, format_args!("{F}: {e}")),
    }
}

/// The child runs as user `uid` and group `gid` (root only), with no
/// supplementary groups.
///
/// # Safety
/// `policy` as for [`seclude_policy_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_ids(
    policy: *mut c_void,
    uid: c_uint,
    gid: c_uint,
) -> c_int {
    const F: &str = "seclude_policy_ids";
    // SAFETY: forwarded from the caller.
    let p = match unsafe { self::policy(policy, F) } {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    if uid == KEEP_ID || gid == KEEP_ID {
        return fail(Errno::EINVAL, format_args!("{F}: (uid_t)-1 is not an id"));
    }
    p.uid = uid;
    p.gid = gid;
    0
}

/// Keep the capabilities (`keep` non-zero) rather than drop them all.
///
/// # Safety
/// `policy` as for [`seclude_policy_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_keep_capabilities(
    policy: *mut c_void,
    keep: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller.
    match unsafe { self::policy(policy, "seclude_policy_keep_capabilities") } {
        Ok(p) => {
            p.keep_capabilities = (keep != 0) as u32;
            0
        }
        Err(rc) => rc,
    }
}

/// A resource limit for the child, by name as in policy files: `"cpu"`
/// (seconds), `"address_space"`, `"file_size"` (bytes), `"open_files"`,
/// `"processes"`. At most 8.
///
/// # Safety
/// `policy` as for [`seclude_policy_init`]; `name` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_limit(
    policy: *mut c_void,
    name: *const c_char,
    value: u64,
) -> c_int {
    const F: &str = "seclude_policy_limit";
    // SAFETY: forwarded from the caller.
    let p = match unsafe { self::policy(policy, F) } {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    // SAFETY: forwarded from the caller.
    let resource = match unsafe { text(name) } {
        Some(Ok("cpu")) => Resource::Cpu,
        Some(Ok("address_space")) => Resource::As,
        Some(Ok("file_size")) => Resource::Fsize,
        Some(Ok("open_files")) => Resource::Nofile,
        Some(Ok("processes")) => Resource::Nproc,
        _ => {
            return fail(
                Errno::EINVAL,
                format_args!(
                    "{F}: unknown limit (cpu, address_space, file_size, open_files, processes)"
                ),
            );
        }
    };
    if p.limit_count as usize == MAX_LIMITS {
        return fail(
            Errno::ENOSPC,
            format_args!("{F}: at most {MAX_LIMITS} limits"),
        );
    }
    p.limits[p.limit_count as usize] = (resource as u32, value);
    p.limit_count += 1;
    0
}

/// Promises for the child, as for [`seclude_pledge`], applied after its
/// other restrictions.
///
/// # Safety
/// `policy` as for [`seclude_policy_init`]; the strings NULL (execpromises
/// only) or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_policy_pledge(
    policy: *mut c_void,
    promises_text: *const c_char,
    execpromises_text: *const c_char,
) -> c_int {
    const F: &str = "seclude_policy_pledge";
    // SAFETY: forwarded from the caller.
    let p = match unsafe { self::policy(policy, F) } {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    // SAFETY: forwarded from the caller.
    let Some(Ok(words)) = (unsafe { text(promises_text) }) else {
        return fail(Errno::EINVAL, format_args!("{F}: no promises"));
    };
    let held = match promises(F, words) {
        Ok(h) => h,
        Err(rc) => return rc,
    };
    // SAFETY: forwarded from the caller.
    let exec = match unsafe { text(execpromises_text) } {
        None => None,
        Some(Ok(words)) => match promises(F, words) {
            Ok(e) => Some(e),
            Err(rc) => return rc,
        },
        Some(Err(())) => return fail(Errno::EINVAL, format_args!("{F}: not UTF-8")),
    };
    p.pledged = 1;
    p.promises = held.bits() as u64;
    p.exec_pledged = exec.is_some() as u32;
    p.execpromises = exec.map_or(0, |e| e.bits() as u64);
    0
}

// ------------------------------------------------------------------ launch

/// A launched child: its pid, the write end of its standard input and the
/// read end of its standard output (-1 once closed).
#[repr(C)]
pub struct Child {
    pub pid: c_int,
    pub to_child: c_int,
    pub from_child: c_int,
}

/// Runs `function(argument)` in a child process confined by `policy`
/// (NULL: only capabilities dropped), exile.h's `exile_launch` with pipes
/// both ways: what the caller writes to `child->to_child` is the child's
/// standard input, what the child writes to its standard output comes out
/// of `child->from_child`. The function's return value is the child's exit
/// status. If the sandbox cannot be applied the child writes why to
/// standard error and exits with 125 without calling `function`. Returns 0,
/// or -1 (`EINVAL`, or `fork`'s and `pipe`'s errors).
///
/// # Safety
/// `policy` as for [`seclude_policy_init`] or NULL; `function` callable
/// with `argument`; `child` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_launch(
    policy: *mut c_void,
    function: Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    argument: *mut c_void,
    child: *mut Child,
) -> c_int {
    const F: &str = "seclude_launch";
    use seclude::sys::fd::{dup2, pipe};
    use seclude::sys::process::{Forked, fork, geteuid, getgid, getuid};
    let Some(function) = function else {
        return fail(Errno::EINVAL, format_args!("{F}: NULL function"));
    };
    if child.is_null() {
        return fail(Errno::EINVAL, format_args!("{F}: NULL child"));
    }
    let p = if policy.is_null() {
        None
    } else {
        // SAFETY: forwarded from the caller.
        match unsafe { self::policy(policy, F) } {
            Ok(p) => Some(&*p),
            Err(rc) => return rc,
        }
    };
    let mut namespaces = Namespaces::from_bits_truncate(p.map_or(0, |p| p.namespaces));
    if !namespaces.is_empty() && geteuid() != 0 {
        namespaces |= Namespaces::USER;
    }
    let (input_r, input_w) = match pipe() {
        Ok(p) => p,
        Err(e) => return fail(e, format_args!("{F}: pipe: {e}")),
    };
    let (output_r, output_w) = match pipe() {
        Ok(p) => p,
        Err(e) => return fail(e, format_args!("{F}: pipe: {e}")),
    };
    let outer = (getuid(), getgid());
    // SAFETY: the child makes system calls only (no allocation) and leaves
    // through exit_group.
    match unsafe { fork(namespaces.bits() as u64) } {
        Err(e) => fail(e, format_args!("{F}: fork: {e}")),
        Ok(Forked::Child) => {
            let refuse = |what: core::fmt::Arguments<'_>| -> ! {
                let mut buf = [0u8; 256];
                let mut w = Cut {
                    buf: &mut buf,
                    len: 0,
                };
                let _ = w.write_fmt(format_args!("seclude_launch: {what}\n"));
                let len = w.len;
                let _ = seclude::sys::write_all(2, &buf[..len]);
                seclude::sys::exit_group(125)
            };
            if dup2(input_r.raw(), 0).is_err() || dup2(output_w.raw(), 1).is_err() {
                refuse(format_args!("dup2 failed"));
            }
            drop((input_r, input_w, output_r, output_w));
            if !namespaces.is_empty() {
                let request = NamespaceRequest::new(namespaces).id_mapping(IdMapping::Own);
                if let Err(e) = seclude::ns::enter_child(&request, outer.0, outer.1) {
                    refuse(format_args!("namespaces: {e}"));
                }
            }
            let keep: [i32; 3] = [0, 1, 2];
            let mut privileges = Privileges::new().close_fds_except(&keep);
            let mut pledge = None;
            if let Some(p) = p {
                if p.keep_capabilities != 0 {
                    privileges = privileges.keep(Capabilities::all()).securebits(false);
                }
                if p.uid != KEEP_ID {
                    privileges = privileges.user(p.uid, p.gid);
                }
                for &(resource, value) in &p.limits[..p.limit_count as usize] {
                    if let Some(resource) = resource_of(resource) {
                        privileges = privileges.rlimit(resource, value);
                    }
                }
                if p.pledged != 0 {
                    let mut promised = Pledge::new(Promises::from_bits_retain(p.promises as u32));
                    if p.exec_pledged != 0 {
                        promised = promised
                            .execpromises(Promises::from_bits_retain(p.execpromises as u32));
                    }
                    pledge = Some(promised);
                }
            }
            let mut sandbox = Sandbox::new().privileges(privileges);
            if let Some(pledge) = pledge {
                sandbox = sandbox.pledge(pledge);
            }
            if let Err(e) = sandbox.apply() {
                refuse(format_args!("{e}"));
            }
            // SAFETY: the caller's function, with the caller's argument.
            let status = unsafe { function(argument) };
            seclude::sys::exit_group(status & 0xff)
        }
        Ok(Forked::Parent(pid)) => {
            drop((input_r, output_w));
            // SAFETY: checked non-NULL; writable per the caller.
            unsafe {
                child.write(Child {
                    pid,
                    to_child: input_w.into_raw(),
                    from_child: output_r.into_raw(),
                })
            };
            0
        }
    }
}

/// Waits for a launched child and closes what is left of its pipes.
/// Returns its exit status, or 128 + the signal that killed it (159 for a
/// refused call under a killing penalty), or -1.
///
/// # Safety
/// `child` as [`seclude_launch`] filled it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn seclude_wait(child: *mut Child) -> c_int {
    use seclude::sys::process::{ExitStatus, wait};
    if child.is_null() {
        return fail(Errno::EINVAL, format_args!("seclude_wait: NULL child"));
    }
    // SAFETY: non-NULL, as seclude_launch filled it, per the caller.
    let child = unsafe { &mut *child };
    for fd in [&mut child.to_child, &mut child.from_child] {
        if *fd >= 0 {
            seclude::sys::fd::close(*fd);
            *fd = -1;
        }
    }
    match wait(child.pid) {
        Ok(ExitStatus::Exited(code)) => code,
        Ok(ExitStatus::Killed { signal, .. }) => 128 + signal,
        Err(e) => fail(e, format_args!("seclude_wait: {e}")),
    }
}

// ------------------------------------------------------------------ no_std

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    let _ = seclude::sys::write_all(2, b"libseclude: panic\n");
    seclude::sys::exit_group(134)
}

/// Referenced by the precompiled `core` in unoptimised builds even with
/// `panic = "abort"`; never called.
#[cfg(not(test))]
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

// ------------------------------------------------------------------ header

/// The declarations seclude.h must hold, each beside a check that the
/// function has that type: the header and the code cannot drift apart
/// unnoticed (`tests` compares them with the checked-in header).
#[cfg(test)]
const DECLARATIONS: &[&str] = &[
    "int seclude_errno(void);",
    "const char *seclude_error(void);",
    "int seclude_pledge(const char *promises, const char *execpromises);",
    "int seclude_unveil(const char *path, const char *permissions);",
    "int seclude_unveil_unconfined_unix(void);",
    "int seclude_landlock_abi(void);",
    "int seclude_policy_init(seclude_policy *policy);",
    "int seclude_policy_namespaces(seclude_policy *policy, const char *list);",
    "int seclude_policy_ids(seclude_policy *policy, unsigned int uid, unsigned int gid);",
    "int seclude_policy_keep_capabilities(seclude_policy *policy, int keep);",
    "int seclude_policy_limit(seclude_policy *policy, const char *name, unsigned long long value);",
    "int seclude_policy_pledge(seclude_policy *policy, const char *promises, const char *execpromises);",
    "int seclude_launch(seclude_policy *policy, int (*function)(void *), void *argument, seclude_child *child);",
    "int seclude_wait(seclude_child *child);",
];

const _: extern "C" fn() -> c_int = seclude_errno;
const _: extern "C" fn() -> *const c_char = seclude_error;
const _: unsafe extern "C" fn(*const c_char, *const c_char) -> c_int = seclude_pledge;
const _: unsafe extern "C" fn(*const c_char, *const c_char) -> c_int = seclude_unveil;
const _: extern "C" fn() -> c_int = seclude_unveil_unconfined_unix;
const _: extern "C" fn() -> c_int = seclude_landlock_abi;
const _: unsafe extern "C" fn(*mut c_void) -> c_int = seclude_policy_init;
const _: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int = seclude_policy_namespaces;
const _: unsafe extern "C" fn(*mut c_void, c_uint, c_uint) -> c_int = seclude_policy_ids;
const _: unsafe extern "C" fn(*mut c_void, c_int) -> c_int = seclude_policy_keep_capabilities;
const _: unsafe extern "C" fn(*mut c_void, *const c_char, u64) -> c_int = seclude_policy_limit;
const _: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int =
    seclude_policy_pledge;
const _: unsafe extern "C" fn(
    *mut c_void,
    Option<unsafe extern "C" fn(*mut c_void) -> c_int>,
    *mut c_void,
    *mut Child,
) -> c_int = seclude_launch;
const _: unsafe extern "C" fn(*mut Child) -> c_int = seclude_wait;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_declares_exactly_the_exports() {
        let header =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/seclude.h")).unwrap();
        let declared: Vec<&str> = header
            .lines()
            .filter(|l| l.starts_with("int ") || l.starts_with("const char *"))
            .collect();
        assert_eq!(declared, DECLARATIONS);
        assert!(header.contains(&format!(
            "typedef struct seclude_policy {{ unsigned long long opaque_[{}]; }} seclude_policy;",
            POLICY_SIZE / 8
        )));
        assert!(header.contains(
            "typedef struct seclude_child { int pid; int to_child; int from_child; } seclude_child;"
        ));
    }
}
