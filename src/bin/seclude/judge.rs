//! How run mode answers a notified call: the program's promises, the
//! loader's allowance while it loads, the calls seclude makes for the
//! program (opening /dev/null, a sealed memfd, metadata changes beneath
//! writable unveiled paths), and the report of a refusal.

use crate::attr;
use crate::cli::{self};
use crate::launch::{LOADER, passrights_rule, receives_no_descriptors};
use crate::procfs;
use crate::verdict::{Caller, Image, Phase, Verdict};
use seclude::Errno;
use seclude::bpf::Action;
use seclude::pledge::{Decision, Promises, decide, would_allow};
use seclude::seccomp::notify::{Notification, Response};
use seclude::seccomp::{Cmp, Condition, Rule};
use seclude::tables::{Abi, Syscall};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

const PROT_WRITE: u64 = 0x2;
const PROT_EXEC: u64 = 0x4;
/// The same on x86-64 and AArch64, the architectures with a marker.
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_SHARED: u64 = 0x01;

/// What the loading allowance does not include although [`LOADER`]'s
/// `prot_exec` would: executable memory that is anonymous, shared or
/// writable, and making memory executable afterwards. A loader maps its
/// libraries privately and executable straight from their files; code
/// that runs before the marker (an IFUNC resolver, a constructor) should
/// not get a place to write code into and run it. Seccomp sees only the
/// arguments, not what a descriptor is: such code can still map a file it
/// can write privately and executable, and change the pages it has not
/// touched through the file (a memfd seclude refuses after a look at the
/// descriptor: `maps_memfd_executable`).
/// seclude refuses calls these rules match while loading (unless the
/// promises hold `prot_exec` themselves); their action is unused, they
/// only match.
fn loading_narrowed() -> Vec<Rule> {
    let exec = Condition::arg64(2, Cmp::MaskedEq(PROT_EXEC), PROT_EXEC);
    let mut rules = Vec::new();
    for call in [Syscall::mmap, Syscall::mmap2] {
        if Abi::NATIVE.number(call).is_none() {
            continue;
        }
        let anonymous = Condition::arg64(3, Cmp::MaskedEq(MAP_ANONYMOUS), MAP_ANONYMOUS);
        let shared = Condition::arg64(3, Cmp::MaskedEq(MAP_SHARED), MAP_SHARED);
        let writable = Condition::arg64(2, Cmp::MaskedEq(PROT_WRITE), PROT_WRITE);
        rules.extend(Rule::with(call, &[exec, anonymous], Action::UserNotif));
        rules.extend(Rule::with(call, &[exec, shared], Action::UserNotif));
        rules.extend(Rule::with(call, &[exec, writable], Action::UserNotif));
    }
    for call in [Syscall::mprotect, Syscall::pkey_mprotect] {
        rules.extend(Rule::with(call, &[exec], Action::UserNotif));
    }
    rules
}

/// Whether the loading allowance covers `call` with `args` for a program
/// holding `promises`: [`LOADER`] less [`loading_narrowed`].
fn loading_allows(promises: Promises, call: Syscall, args: &[u64; 6], pid: u32) -> bool {
    let abi = Abi::NATIVE;
    decide(promises | LOADER, abi, call, args, pid) == Decision::Allowed
        && (promises.contains(Promises::PROT_EXEC) || !any_matches(&loading_narrowed(), call, args))
}

/// Whether `call` (of thread `tid`) maps a memfd executable, other than
/// the marker (`marker`: its device and inode). A memfd's link in
/// /proc/PID/fd always starts with `/memfd:`; an unreadable one counts as
/// a memfd (the strict answer).
fn maps_memfd_executable(
    tid: u32,
    call: Syscall,
    args: &[u64; 6],
    marker: Option<(u64, u64)>,
) -> bool {
    const PROT_EXEC: u64 = 4;
    if !matches!(call, Syscall::mmap | Syscall::mmap2) || args[2] & PROT_EXEC == 0 {
        return false;
    }
    let fd = args[4] as i32;
    if fd < 0 {
        return false;
    }
    let link = format!("/proc/{tid}/fd/{fd}");
    match std::fs::read_link(&link) {
        Ok(target) if target.as_os_str().as_bytes().starts_with(b"/memfd:") => {
            marker.is_none() || file_id(&link) != marker
        }
        Ok(_) => false,
        Err(_) => true,
    }
}

/// The device and inode of the file at `path` (followed).
pub fn file_id(path: &str) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether one of `rules` matches a native call.
fn any_matches(rules: &[Rule], call: Syscall, args: &[u64; 6]) -> bool {
    let bits = Abi::NATIVE.pointer_bits();
    rules
        .iter()
        .any(|rule| rule.syscall == call && rule.matches(args, bits))
}

/// What [`refuse_or_allow`] judges by.
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    pub promises: Promises,
    /// What an executed program holds (`-e`), if not the promises.
    pub execpromises: Option<Promises>,
    /// The rules of unveil's seccomp supplement (what Landlock cannot
    /// check), if the program is unveiled.
    pub supplement: Option<&'static [Rule]>,
    /// The marker memfd's device and inode, if the program has one.
    pub marker: Option<(u64, u64)>,
    pub kill: bool,
    pub quiet: bool,
    /// The program's name in reports.
    pub shown: &'a str,
    pub roots: &'a attr::WritableRoots,
}

/// Decides a call the kernel's filter sent to seclude: what the caller's
/// promises allow (an exec, followed; with `-e`, what only the started
/// program holds) goes on; metadata changes beneath writable unveiled
/// paths and opens of /dev/null seclude performs itself; the loader's
/// allowance while loading; everything else gets the penalty (with a
/// message unless quiet).
pub fn refuse_or_allow(n: &Notification, caller: Caller, run: &Judge<'_>) -> Verdict {
    let Judge {
        promises,
        execpromises,
        supplement,
        marker,
        kill,
        quiet,
        shown,
        roots,
    } = *run;
    // Own-pid conditions compare with the caller's id as it sees itself
    // (in its pid namespace), not as seclude does.
    let Caller {
        phase,
        image,
        listener,
        own_pid,
    } = caller;
    // Whatever the caller holds: a process seclude takes for an executed
    // one (holding execpromises without exec) may be the started program,
    // or hand its memfd to it.
    let memfds_sealed = promises.contains(Promises::EXEC);
    let (promises, executed) = match (image, execpromises) {
        (Image::Executed, Some(exec)) => (exec, true),
        _ => (promises, false),
    };
    let abi = Abi::NATIVE;
    let call = abi.syscall(n.data.nr as u32);
    if call == Some(Syscall::memfd_create)
        && memfds_sealed
        && promises.contains(Promises::STDIO)
        && executable_memfd(n.data.args[1])
    {
        return memfd_under_exec(n, listener, kill, quiet, shown);
    }
    let promised =
        call.is_some_and(|c| decide(promises, abi, c, &n.data.args, own_pid) == Decision::Allowed);
    if call == Some(Syscall::setsockopt)
        && receives_no_descriptors(promises)
        && passrights_rule().matches(&n.data.args, abi.pointer_bits())
    {
        if !quiet {
            cli::say_err(format_args!(
                "seclude: {shown}[{}]: setsockopt refused (EPERM): SO_PASSRIGHTS stays off without \"recvfd\" (the program's sockets refuse descriptors); promise \"recvfd\" would allow it",
                n.pid
            ));
        }
        return Verdict {
            response: Response::Error(Errno::EPERM),
            kill,
            holds: None,
        };
    }
    // The loader's allowance is for libraries: a memfd (other than the
    // marker) is code the program wrote, preloaded into a program it
    // executes, say. Read once: the refusal's report says so too.
    let written_code = phase == Phase::Loading
        && !promised
        && call.is_some_and(|c| maps_memfd_executable(n.pid, c, &n.data.args, marker));
    if let Some(call) = call {
        let allowed_while_loading = phase == Phase::Loading
            && !written_code
            && loading_allows(promises, call, &n.data.args, own_pid);
        // What unveil refuses, whether the promises or the loader's
        // allowance would let it through.
        if let Some(supplement) = supplement {
            if (promised || allowed_while_loading) && any_matches(supplement, call, &n.data.args) {
                // A metadata change seclude performs itself beneath a
                // writable unveiled path; anything else is refused.
                let reason = match attr::perform(n, call, roots, listener) {
                    Some(Ok(response)) => return Verdict::answer(response),
                    Some(Err(refusal)) => refusal.to_string(),
                    None if matches!(call, Syscall::socket | Syscall::socketpair) =>
                    {
                        "Landlock cannot confine connecting to UNIX sockets by path before ABI 9 (Linux 7.1), so unveil refuses the UNIX sockets that could connect to one (--unconfined-unix allows them)".to_string()
                    }
                    None => {
                        "Landlock cannot check it (extended attributes, inode flags, truncating before Landlock ABI 3, executing a descriptor), so unveil refuses it everywhere".to_string()
                    }
                };
                if !quiet {
                    cli::say_err(format_args!(
                        "seclude: {shown}[{}]: {} refused (EPERM): {reason}; -V goes without unveil",
                        n.pid,
                        call.name()
                    ));
                }
                return Verdict {
                    response: Response::Error(Errno::EPERM),
                    kill,
                    holds: None,
                };
            }
        }
        // A promised call comes here when the filter sends it to follow
        // what runs (every exec), or when the kernel's filter holds only
        // the execpromises and the started program holds more: it goes on,
        // as judged by its number and arguments, which the program cannot
        // change any more.
        if allowed_while_loading || promised {
            return Verdict::answer(Response::Continue);
        }
        if promises.contains(Promises::STDIO) {
            if let Some(verdict) = open_dev_null(n, call) {
                return verdict;
            }
        }
    }
    if !quiet {
        let name = call
            .map(|c| c.name().to_string())
            .unwrap_or_else(|| format!("syscall {}", n.data.nr));
        let fix = match call.and_then(|c| would_allow(promises, abi, c, &n.data.args, own_pid)) {
            Some(extra) if !extra.is_empty() => {
                format!("promise \"{}\" would allow it", cli::promise_words(extra))
            }
            _ => "no promise allows it".to_string(),
        };
        let fix = if executed {
            format!(
                "{fix} (not known as the program seclude started: it holds the execpromises, -e)"
            )
        } else {
            fix
        };
        // A call the loader's promises would allow but its narrowing does
        // not: executable memory that is not a file mapped read-only.
        let why = match call {
            Some(_) if written_code => {
                " while loading: a memfd is not a library (the program can write it)"
            }
            Some(call)
                if phase == Phase::Loading
                    && decide(promises | LOADER, abi, call, &n.data.args, own_pid)
                        == Decision::Allowed =>
            {
                " while loading: executable memory must be a file mapped read-only"
            }
            _ => "",
        };
        let penalty = if kill { "killed" } else { "EPERM" };
        cli::say_err(format_args!(
            "seclude: {shown}[{}]: {name} refused ({penalty}){why}; {fix}",
            n.pid
        ));
    }
    Verdict {
        response: Response::Error(Errno::EPERM),
        kill,
        holds: None,
    }
}

/// `stdio` may open /dev/null, as on OpenBSD (programs open it to discard
/// output or to fill descriptors 0-2), though the promises' filter cannot
/// see paths. seclude opens it itself, with the access mode and flags the
/// call asked for, and answers with the descriptor: the process gets
/// /dev/null whatever its memory says after seclude read the path, so the
/// read is no race. Only plain opens of exactly "/dev/null".
fn open_dev_null(n: &Notification, call: Syscall) -> Option<Verdict> {
    use seclude::sys::fd;
    const O_ACCMODE: u64 = 3;
    const O_NOCTTY: u64 = 0o400;
    const O_APPEND: u64 = 0o2000;
    // musl passes its O_LARGEFILE on 64-bit ABIs too; arm and aarch64
    // number it (and O_DIRECTORY, O_NOFOLLOW) differently, powerpc too.
    const O_LARGEFILE: u64 = if cfg!(any(target_arch = "arm", target_arch = "aarch64")) {
        0o400000
    } else if cfg!(any(target_arch = "powerpc", target_arch = "powerpc64")) {
        0o200000
    } else {
        0o100000
    };
    let args = &n.data.args;
    let (path, flags) = match call {
        Syscall::open => (args[0], args[1]),
        Syscall::openat => (args[1], args[2]),
        Syscall::creat => (args[0], (fd::O_WRONLY | fd::O_CREAT | fd::O_TRUNC) as u64),
        _ => return None,
    };
    let plain = O_ACCMODE
        | O_NOCTTY
        | O_APPEND
        | O_LARGEFILE
        | (fd::O_CREAT | fd::O_TRUNC | fd::O_NONBLOCK | fd::O_CLOEXEC) as u64;
    if flags & !plain != 0 || flags & O_ACCMODE == O_ACCMODE {
        return None;
    }
    if procfs::read_string(n.pid, path)?.as_os_str().as_bytes() != b"/dev/null" {
        return None;
    }
    let ours = flags & (O_ACCMODE | O_APPEND | fd::O_NONBLOCK as u64);
    let opened = fd::open(c"/dev/null", ours as u32 | fd::O_CLOEXEC, 0).ok()?;
    Some(Verdict {
        response: Response::Descriptor {
            fd: opened.raw(),
            cloexec: flags & fd::O_CLOEXEC as u64 != 0,
        },
        kill: false,
        holds: Some(opened),
    })
}

/// Whether `memfd_create`'s `flags` let the memfd be executed: without
/// `MFD_NOEXEC_SEAL`, with `MFD_EXEC`, or on hugetlbfs (`MFD_HUGETLB`),
/// which does not enforce the seal.
fn executable_memfd(flags: u64) -> bool {
    use seclude::sys::fd::{MFD_EXEC, MFD_HUGETLB, MFD_NOEXEC_SEAL};
    let flags = flags as u32;
    flags & MFD_NOEXEC_SEAL == 0 || flags & (MFD_EXEC | MFD_HUGETLB) != 0
}

/// `memfd_create` without `MFD_NOEXEC_SEAL` under `exec`: what C libraries
/// and toolkits call (`memfd_create(name, MFD_CLOEXEC)`), so it is not
/// refused. seclude creates the memfd itself, with the seal added (never
/// executable: no x bits, and `F_SEAL_EXEC` so that no chmod adds them),
/// and answers with it, close-on-exec as asked. The name read from the
/// program's memory only names the file. On a kernel without the seal
/// (before Linux 6.3) the call fails with `EINVAL`, as under the library's
/// pledge, with a message. `MFD_EXEC`, an executable memfd asked for, is
/// refused (`EPERM`, or killed with `-k`). So for every process while the
/// started program holds `exec`, programs it executes under execpromises
/// without `exec` too: seclude knows a process's image only as well as
/// /proc tells it, and a memfd can be passed on.
fn memfd_under_exec(
    n: &Notification,
    listener: i32,
    kill: bool,
    quiet: bool,
    shown: &str,
) -> Verdict {
    use seclude::sys::fd::{self, MFD_CLOEXEC, MFD_EXEC, MFD_HUGETLB, MFD_NOEXEC_SEAL};
    let flags = n.data.args[1] as u32;
    let refused = |errno: Errno, why: &str, kill: bool| {
        if !quiet {
            cli::say_err(format_args!(
                "seclude: {shown}[{}]: memfd_create refused ({}): {why}",
                n.pid,
                if kill {
                    "killed"
                } else {
                    errno.name().unwrap_or("refused")
                }
            ));
        }
        Verdict {
            response: Response::Error(errno),
            kill,
            holds: None,
        }
    };
    if flags & MFD_EXEC != 0 {
        return refused(
            Errno::EPERM,
            "under \"exec\" a memfd cannot be executable (MFD_EXEC)",
            kill,
        );
    }
    if flags & MFD_HUGETLB != 0 {
        return refused(
            Errno::EPERM,
            "under \"exec\" a memfd cannot be on hugetlbfs (MFD_HUGETLB), which lets a chmod past the seal that keeps it from being executed",
            kill,
        );
    }
    // Read before the answer, and only kept if the call is still the
    // caller's: a pid reused since would lend another process's memory.
    let name = procfs::read_c_string(&format!("/proc/{}/mem", n.pid), n.data.args[0]);
    if seclude::seccomp::notify::id_valid(listener, n.id) != Ok(true) {
        return Verdict::answer(Response::Error(Errno::ESRCH));
    }
    let Some(name) = name.and_then(|name| CString::new(name).ok()) else {
        return Verdict::answer(Response::Error(Errno::EFAULT));
    };
    match fd::memfd_create(&name, flags | MFD_NOEXEC_SEAL | MFD_CLOEXEC) {
        Ok(memfd) => Verdict {
            response: Response::Descriptor {
                fd: memfd.raw(),
                cloexec: flags & MFD_CLOEXEC != 0,
            },
            kill: false,
            holds: Some(memfd),
        },
        // The program's own flags or name, or a kernel without the seal.
        Err(Errno::EINVAL)
            if fd::memfd_create(c"seclude-probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL).is_err() =>
        {
            refused(
                Errno::EINVAL,
                "under \"exec\" a memfd needs MFD_NOEXEC_SEAL, which this kernel lacks (Linux 6.3)",
                false,
            )
        }
        Err(e) => Verdict::answer(Response::Error(e)),
    }
}
