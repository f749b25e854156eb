//! Run mode: `seclude [FLAGS] [--] PROGRAM [ARGS…]`, with the flags of
//! Cosmopolitan's `pledge.com` where they overlap.
//!
//! The program runs as seclude's child under Landlock (its unveiled
//! paths), the privilege and limit flags, and a seccomp filter of its
//! promises whose refused calls come to seclude, which reports them (unless
//! `-q`) and fails them with `EPERM` (or kills the process, `-k`). A
//! dynamically linked program also gets the [`LOADER`] promises until its
//! loader has finished (see [`crate::marker`]).

use crate::attr;
use crate::cli::{self, DEFAULT_PROMISES, Failure};
use crate::elf::{self, Executable};
use crate::exit;
use crate::launch::{
    self, AUTOMATIC, LIBRARY_DIRS, LOADER, LOADER_FILES, passrights_rule, receives_no_descriptors,
};
use crate::marker;
use crate::policy_file;
use crate::procfs;
use crate::supervise::{self, Caller, Ended, Image, Launch, Phase, Verdict};
use seclude::Errno;
use seclude::bpf::{Action, Instruction};
use seclude::landlock::{AbiVersion, Scope, UnixSockets, Unveil};
use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
use seclude::pledge::{Decision, Promises, decide, would_allow};
use seclude::privileges::{Capabilities, Privileges, Resource};
use seclude::sandbox::{Cause, Sandbox};
use seclude::seccomp::notify::{Notification, Response};
use seclude::seccomp::{Cmp, Condition, Rule};
use seclude::tables::{Abi, Syscall};
use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

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
fn file_id(path: &str) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Without `recvfd` the program must not receive descriptors, but
/// seccomp cannot see `SCM_RIGHTS` in `recvmsg`'s buffers: the UNIX
/// sockets it inherits (0 to 2, or every descriptor with -N) refuse them
/// instead (`SO_PASSRIGHTS`, Linux 6.16; a sender gets `EPERM`), and the
/// filter keeps the program from turning that back on. The setting is the
/// socket's, so whoever else holds it sees it too. Nothing to do, or
/// nothing possible, is not an error: other files, other families, older
/// kernels. Descriptors already queued for such a socket would still
/// arrive: that is a failure.
fn refuse_passed_descriptors(keep_fds: bool) -> Result<(), Failure> {
    let fds: Vec<i32> = if keep_fds {
        std::fs::read_dir("/proc/self/fd")
            .map(|dir| {
                dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![0, 1, 2]
    };
    for fd in fds {
        if seclude::sys::fd::pass_rights(fd, false).is_err() {
            continue;
        }
        let queued = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}"))
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("scm_fds:"))
                    .and_then(|n| n.trim().parse::<u64>().ok())
            })
            .unwrap_or(0);
        if queued > 0 {
            return Err(Failure::new(
                exit::SETUP,
                format!(
                    "descriptor {fd} is a UNIX socket with {queued} descriptor(s) queued for it, which the program would receive without \"recvfd\""
                ),
            ));
        }
    }
    Ok(())
}

/// Whether one of `rules` matches a native call.
fn any_matches(rules: &[Rule], call: Syscall, args: &[u64; 6]) -> bool {
    let bits = Abi::NATIVE.pointer_bits();
    rules
        .iter()
        .any(|rule| rule.syscall == call && rule.matches(args, bits))
}

/// Run mode's options, as parsed.
#[derive(Debug)]
pub struct Options {
    pub promise_lists: Vec<String>,
    /// `-e`: the execpromises, for the programs the program executes.
    pub exec_lists: Vec<String>,
    /// Whether `exec_lists` came from the policy file.
    pub exec_from_file: bool,
    /// (permission letters, path)
    pub unveils: Vec<(String, PathBuf)>,
    pub no_unveil: bool,
    /// `--unconfined-unix`: new UNIX sockets under unveil even where
    /// Landlock cannot confine connecting to them by path.
    pub unconfined_unix: bool,
    pub kill: bool,
    pub quiet: bool,
    pub nice: bool,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub keep_capabilities: bool,
    pub keep_fds: bool,
    pub limits: Vec<(Resource, u64)>,
    pub test: Option<String>,
    pub help: bool,
    pub namespaces: Namespaces,
    /// `--policy FILE`: the policy file the flags are laid over.
    pub policy: Option<PathBuf>,
    /// A policy file's raw seccomp filter, installed after the promises'.
    pub extra_filter: Vec<Instruction>,
    pub program: Vec<OsString>,
}

/// Parses run mode's arguments: short flags (clustered as `-kq`, values
/// attached as `-pstdio` or separate), `--unshare LIST`, `--net none`,
/// then the program (after `--` or the first argument that is not a
/// flag).
pub fn parse(args: &[OsString]) -> Result<Options, Failure> {
    let mut o = Options {
        promise_lists: Vec::new(),
        exec_lists: Vec::new(),
        exec_from_file: false,
        unveils: Vec::new(),
        no_unveil: false,
        unconfined_unix: false,
        kill: false,
        quiet: false,
        nice: false,
        uid: None,
        gid: None,
        keep_capabilities: false,
        keep_fds: false,
        limits: Vec::new(),
        test: None,
        help: false,
        namespaces: Namespaces::empty(),
        policy: None,
        extra_filter: Vec::new(),
        program: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            break;
        }
        if bytes.starts_with(b"--") {
            let text = cli::utf8(arg, "an option")?;
            let (name, inline) = match text.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (text, None),
            };
            let value = |it: &mut std::slice::Iter<'_, OsString>| -> Result<String, Failure> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => Ok(cli::utf8(cli::value(it, name)?, name)?.to_string()),
                }
            };
            match name {
                "--unshare" => {
                    let list = value(&mut it)?;
                    let parsed = Namespaces::parse(&list).map_err(|e| {
                        Failure::usage(format!("--unshare {list}: {e} (one of: user, mount, net, pid, ipc, uts, cgroup)"))
                    })?;
                    o.namespaces |= parsed;
                }
                "--net" => {
                    let v = value(&mut it)?;
                    if v != "none" {
                        return Err(Failure::usage(format!(
                            "--net {v}: only `--net none` is known"
                        )));
                    }
                    o.namespaces |= Namespaces::NET;
                }
                "--policy" => o.policy = Some(PathBuf::from(value(&mut it)?)),
                "--execpromises" => o.exec_lists.push(value(&mut it)?),
                "--unconfined-unix" if inline.is_none() => o.unconfined_unix = true,
                "--help" => o.help = true,
                _ => return Err(Failure::usage(format!("unknown option {name}"))),
            }
            continue;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            o.program.push(arg.clone());
            break;
        }
        let text = cli::utf8(arg, "an option")?;
        for (i, flag) in text[1..].char_indices() {
            let takes_value = "pevTugCMOPF".contains(flag);
            if !takes_value {
                match flag {
                    'V' => o.no_unveil = true,
                    'k' => o.kill = true,
                    'q' => o.quiet = true,
                    'n' => o.nice = true,
                    'D' => o.keep_capabilities = true,
                    'N' => o.keep_fds = true,
                    'h' => o.help = true,
                    _ => return Err(Failure::usage(format!("unknown flag -{flag}"))),
                }
                continue;
            }
            let rest = &text[1 + i + flag.len_utf8()..];
            let name = format!("-{flag}");
            let v = if rest.is_empty() {
                cli::utf8(cli::value(&mut it, &name)?, &name)?.to_string()
            } else {
                rest.to_string()
            };
            match flag {
                'p' => o.promise_lists.push(v),
                'e' => o.exec_lists.push(v),
                'v' => {
                    let (perms, path) = match v.split_once(':') {
                        Some((perms, path)) if !perms.contains('/') => (perms.to_string(), path),
                        _ => ("r".to_string(), v.as_str()),
                    };
                    if path.is_empty() {
                        return Err(Failure::new(exit::UNVEIL, format!("-v {v}: no path")));
                    }
                    o.unveils.push((perms, PathBuf::from(path)));
                }
                'T' => o.test = Some(v),
                'u' => o.uid = Some(id(&name, &v)?),
                'g' => o.gid = Some(id(&name, &v)?),
                'C' => o.limits.push((Resource::Cpu, plain(&name, &v)?)),
                'M' => o.limits.push((Resource::As, cli::size(&name, &v, 1024)?)),
                'O' => o.limits.push((Resource::Nofile, plain(&name, &v)?)),
                'P' => o.limits.push((Resource::Nproc, plain(&name, &v)?)),
                'F' => o
                    .limits
                    .push((Resource::Fsize, cli::size(&name, &v, 1000)?)),
                _ => unreachable!(),
            }
            break;
        }
    }
    o.program.extend(it.cloned());
    Ok(o)
}

fn id(flag: &str, v: &str) -> Result<u32, Failure> {
    match v.parse::<u32>() {
        // The kernel reads (uid_t)-1 as "leave this id unchanged".
        Ok(u32::MAX) => Err(Failure::usage(format!(
            "{flag} {v}: not an id (the kernel reads it as \"unchanged\")"
        ))),
        Ok(id) => Ok(id),
        Err(_) => Err(Failure::usage(format!("{flag} {v}: not a numeric id"))),
    }
}

fn plain(flag: &str, v: &str) -> Result<u64, Failure> {
    v.parse()
        .map_err(|_| Failure::usage(format!("{flag} {v}: not a number")))
}

/// Lays the command line's flags over a policy file's: promises and
/// unveil rules given on the command line replace the file's, ids replace
/// its ids, limits follow its limits (the later one counts), and switches
/// (`-V`, `-k`, `-q`, `-n`, `-D`, `-N`) and namespaces add to it.
fn over(file: policy_file::PolicyFile, mut o: Options) -> Options {
    if o.promise_lists.is_empty() {
        o.promise_lists.extend(file.promises);
    }
    if o.exec_lists.is_empty() {
        o.exec_from_file = file.execpromises.is_some();
        o.exec_lists.extend(file.execpromises);
    }
    if o.unveils.is_empty() {
        o.unveils = file.unveils;
    }
    o.no_unveil |= file.no_unveil;
    o.unconfined_unix |= file.unconfined_unix;
    o.kill |= file.kill;
    o.quiet |= file.quiet;
    o.nice |= file.nice;
    o.keep_capabilities |= file.keep_capabilities;
    o.keep_fds |= file.keep_fds;
    o.uid = o.uid.or(file.uid);
    o.gid = o.gid.or(file.gid);
    o.namespaces |= file.namespaces;
    let mut limits = file.limits;
    limits.append(&mut o.limits);
    o.limits = limits;
    if let Some((_, program)) = file.seccomp {
        o.extra_filter = program;
    }
    o
}

/// Run mode.
pub fn main(args: &[OsString]) -> Result<u8, Failure> {
    let mut o = parse(args)?;
    if let Some(file) = &o.policy {
        let file = policy_file::load(file)?;
        o = over(file, o);
    }
    if o.help {
        print!("{}", cli::HELP);
        return Ok(0);
    }
    match o.test.as_deref() {
        Some("pledge") => return Ok(if pledge_supported() { 0 } else { 1 }),
        Some("unveil") => return Ok(if unveil_supported() { 0 } else { 1 }),
        Some(other) => {
            return Err(Failure::usage(format!(
                "-T {other}: unknown test (pledge or unveil)"
            )));
        }
        None => {}
    }
    let lists = if o.promise_lists.is_empty() {
        vec![DEFAULT_PROMISES.to_string()]
    } else {
        o.promise_lists.clone()
    };
    let promises = cli::promises(&lists)?;
    let execpromises = cli::execpromises(&o.exec_lists, promises).map_err(|mut f| {
        if let (Some(file), true) = (&o.policy, o.exec_from_file) {
            // They came from the file, the promises maybe from -p.
            f.message = format!("{} (execpromises from {})", f.message, file.display());
        }
        f
    })?;
    // Execpromises equal to the promises change nothing.
    let narrower = execpromises.filter(|&e| e != promises);
    if narrower.is_some() && o.no_unveil && !o.quiet {
        // /proc/PID/mem of the started program is then open to what it
        // executes (same user, one Landlock domain).
        cli::say_err(format_args!(
            "seclude: warning: with -V, a program PROGRAM executes can read and change PROGRAM's memory through /proc, so -e holds only against programs that do not try"
        ));
    }
    let Some(name) = o.program.first() else {
        return Err(Failure::usage("no program to run".into()));
    };
    let path = launch::find_program(name)?;
    let executable =
        elf::inspect(&path).map_err(|e| launch::cannot_execute(&path, &e.to_string()))?;
    let interpreter = launch::loader_of(&path, &executable)?;
    if !o.no_unveil && !unveil_supported() {
        return Err(Failure::new(
            exit::UNVEIL,
            "unveil: this kernel has no Landlock (or it is disabled); run with -V to go without"
                .into(),
        ));
    }

    // The paths, kept alive for the child's unveil.
    let mut unveil_paths: Vec<(CString, String)> = Vec::new();
    if !o.no_unveil {
        unveil_paths = unveil_list(&o, promises, &path, &executable, interpreter.as_deref())?;
    }
    // Without its seccomp supplement: the filter sends those calls to
    // seclude instead, which refuses them with a message.
    // Scoped (Linux 6.12): no signal to seclude or any process outside the
    // sandbox, no connection to an abstract socket made outside it.
    let mut unveil: Unveil<'_, 256> = Unveil::new()
        .without_seccomp_supplement()
        .scopes(Scope::all());
    for (i, (p, perms)) in unveil_paths.iter().enumerate() {
        unveil.unveil(p, perms).map_err(|e| {
            let shown = p.to_string_lossy();
            Failure::new(
                exit::UNVEIL,
                format!("unveil {perms}:{shown} (rule {}): {e}", i + 1),
            )
        })?;
    }

    // A marker for a program a system loader runs.
    let mut marker_fd = None;
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    if let Some(loader) = &interpreter {
        let object = elf::NATIVE_MACHINE.and_then(marker::object);
        let why_not = if !elf::trusted_loader(loader) {
            Some(format!(
                "its loader {} is not a system loader",
                loader.display()
            ))
        } else if object.is_none() {
            Some("seclude has no loading marker for this architecture".to_string())
        } else {
            None
        };
        match (why_not, object) {
            (None, Some(object)) => {
                let fd = launch::marker_memfd(&object)?;
                launch::set_preload(&mut env, &format!("/proc/self/fd/{}", fd.raw()));
                marker_fd = Some(fd);
            }
            (why, _) if !o.quiet => cli::say_err(format_args!(
                "seclude: warning: {}: {}, so loading gets no allowance (it may need \"{}\" in -p)",
                name.to_string_lossy(),
                why.unwrap_or_default(),
                cli::promise_words(LOADER.difference(promises))
            )),
            _ => {}
        }
    }
    // Opened before the program runs: where seclude may make metadata
    // changes for it.
    let roots = attr::WritableRoots::open(&unveil_paths);
    let kept: Vec<i32> = [0, 1, 2]
        .into_iter()
        .chain(marker_fd.as_ref().map(|f| f.raw()))
        .chain(roots.descriptors())
        .collect();

    // Privileges: no capabilities unless -D; ids; limits; descriptors.
    let mut privileges = Privileges::new().dumpable(true);
    if o.keep_capabilities {
        privileges = privileges.keep(Capabilities::all()).securebits(false);
    }
    if o.uid.is_some() || o.gid.is_some() {
        let uid = o.uid.unwrap_or_else(seclude::sys::process::getuid);
        let gid = o.gid.unwrap_or_else(seclude::sys::process::getgid);
        privileges = privileges.user(uid, gid);
    }
    for &(resource, value) in &o.limits {
        privileges = privileges.rlimit(resource, value);
    }
    if !o.keep_fds {
        privileges = privileges.close_fds_except(&kept);
    }

    // Namespaces: an unprivileged user needs a user namespace for the others.
    let mut namespaces = o.namespaces;
    if !namespaces.is_empty() && seclude::sys::process::geteuid() != 0 {
        namespaces |= Namespaces::USER;
    }
    let request = NamespaceRequest::new(namespaces).id_mapping(IdMapping::Own);
    let outer = (
        seclude::sys::process::getuid(),
        seclude::sys::process::getgid(),
    );

    let unix = if o.unconfined_unix {
        UnixSockets::AllowUnconfined
    } else {
        UnixSockets::ConfinedOnly
    };
    let supplement = (!o.no_unveil).then(|| {
        seclude::landlock::seccomp_supplement_rules(seclude::landlock::abi_version(), unix)
    });
    let follow_images = narrower.is_some();
    let launch = Launch {
        path: CString::new(path.as_os_str().as_bytes()).expect("paths have no NUL"),
        argv: launch::c_strings(&o.program)?,
        envp: launch::environment(&env),
        clone_flags: namespaces.bits() as u64,
        // The kernel allows what every program may do; what only the
        // started one may comes to seclude.
        filter: launch::filter(
            narrower.unwrap_or(promises),
            supplement,
            follow_images,
            // The kernel's filter holds execpromises without exec, under
            // which a memfd needs no seal; the started program holds exec.
            promises.contains(Promises::EXEC)
                && narrower.is_some_and(|e| !e.contains(Promises::EXEC)),
        )?,
        extra_filter: o.extra_filter.clone(),
        follow_images,
    };
    let nice = o.nice;
    let mut setup = || -> Result<(), Failure> {
        if !namespaces.is_empty() {
            seclude::ns::enter_child(&request, outer.0, outer.1)
                .map_err(|e| Failure::new(exit::SETUP, format!("namespaces: {e}")))?;
        }
        if nice {
            make_nice()?;
        }
        let mut sandbox = Sandbox::new().privileges(privileges);
        if !o.no_unveil {
            sandbox = sandbox.unveil(&unveil);
        }
        sandbox.apply().map_err(|e| {
            let code = if matches!(e.cause, Cause::Landlock(_)) {
                exit::UNVEIL
            } else {
                exit::SETUP
            };
            Failure::new(code, format!("{e}"))
        })?;
        if o.no_unveil {
            scope_only()?;
        }
        Ok(())
    };
    // Reports name the program as ps does: its file name.
    let shown = Path::new(name)
        .file_name()
        .unwrap_or(name)
        .to_string_lossy()
        .into_owned();
    let judge = Judge {
        promises,
        execpromises: narrower,
        supplement,
        marker: marker_fd
            .as_ref()
            .and_then(|fd| file_id(&format!("/proc/self/fd/{}", fd.raw()))),
        kill: o.kill,
        quiet: o.quiet,
        shown: &shown,
        roots: &roots,
    };
    let mut handler =
        |n: &Notification, caller: Caller| -> Verdict { refuse_or_allow(n, caller, &judge) };
    if receives_no_descriptors(promises) {
        refuse_passed_descriptors(o.keep_fds)?;
    }
    let ended = supervise::run(&launch, &mut setup, &mut handler)?;
    drop(marker_fd);
    match ended {
        Ended::Failed(failure) => Err(failure),
        Ended::Ran {
            status,
            killed_for_violation,
            never_loaded,
        } => {
            // A program killed by a signal may have died while it loaded
            // (a Ctrl-C or a forwarded SIGTERM right after the start): its
            // missing marker call says nothing of LD_PRELOAD then.
            let exited = matches!(status, seclude::sys::process::ExitStatus::Exited(_));
            if never_loaded && exited && !o.quiet {
                cli::say_err(format_args!(
                    "seclude: warning: {shown} never signalled the end of its loading (LD_PRELOAD ignored?): it kept the loader's promises ({})",
                    cli::promise_words(LOADER.difference(promises))
                ));
            }
            // A memory limit too small for the program kills it (the
            // kernel's SIGSEGV or SIGKILL during or right after the exec):
            // say which limit, since nothing else would.
            const SIGKILL: i32 = 9;
            const SIGSEGV: i32 = 11;
            if let seclude::sys::process::ExitStatus::Killed { signal, .. } = status {
                let memory = o.limits.iter().find(|(r, _)| *r == Resource::As);
                if let (Some((_, bytes)), SIGKILL | SIGSEGV) = (memory, signal) {
                    if !o.quiet && !killed_for_violation {
                        cli::say_err(format_args!(
                            "seclude: {shown} was killed by signal {signal}; its address space limit (-M, {bytes} bytes) may be too small"
                        ));
                    }
                }
            }
            Ok(match status {
                _ if killed_for_violation => exit::VIOLATION,
                seclude::sys::process::ExitStatus::Exited(code) => code as u8,
                seclude::sys::process::ExitStatus::Killed { signal, .. } => {
                    128u8.wrapping_add(signal as u8)
                }
            })
        }
    }
}

/// What [`refuse_or_allow`] judges by.
#[derive(Clone, Copy)]
struct Judge<'a> {
    promises: Promises,
    /// What an executed program holds (`-e`), if not the promises.
    execpromises: Option<Promises>,
    /// The rules of unveil's seccomp supplement (what Landlock cannot
    /// check), if the program is unveiled.
    supplement: Option<&'static [Rule]>,
    /// The marker memfd's device and inode, if the program has one.
    marker: Option<(u64, u64)>,
    kill: bool,
    quiet: bool,
    /// The program's name in reports.
    shown: &'a str,
    roots: &'a attr::WritableRoots,
}

/// Decides a call the kernel's filter sent to seclude: what the caller's
/// promises allow (an exec, followed; with `-e`, what only the started
/// program holds) goes on; metadata changes beneath writable unveiled
/// paths and opens of /dev/null seclude performs itself; the loader's
/// allowance while loading; everything else gets the penalty (with a
/// message unless quiet).
fn refuse_or_allow(n: &Notification, caller: Caller, run: &Judge<'_>) -> Verdict {
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

/// Without unveil (-V), still a Landlock layer with the scopes alone
/// (Linux 6.12; nothing before): no signal to seclude or another process
/// outside the sandbox, no abstract socket made outside it.
fn scope_only() -> Result<(), Failure> {
    use seclude::Compatibility;
    use seclude::landlock::{Request, Ruleset};
    if seclude::landlock::abi_version().scopes().is_empty() {
        return Ok(());
    }
    let request = Request {
        scopes: Scope::all(),
        ..Request::EMPTY
    };
    let failed = |e: seclude::landlock::RulesetError| {
        Failure::new(exit::SETUP, format!("Landlock scopes: {e}"))
    };
    Ruleset::new(&request, Compatibility::BestEffort)
        .map_err(failed)?
        .restrict_self()
        .map_err(failed)?;
    Ok(())
}

/// Whether this kernel can run a supervised pledge (user notifications).
fn pledge_supported() -> bool {
    seclude::seccomp::action_available(Action::UserNotif) == Ok(true)
}

fn unveil_supported() -> bool {
    !matches!(seclude::landlock::abi_version(), AbiVersion::Unsupported)
}

/// The unveil rules: the program itself (`rx`), its loader and libraries
/// when dynamically linked, the files each promise needs (as pledge.com),
/// then the `-v` rules. Automatic paths that do not exist are skipped; a
/// `-v` path must exist.
fn unveil_list(
    o: &Options,
    promises: Promises,
    program: &Path,
    executable: &Executable,
    interpreter: Option<&Path>,
) -> Result<Vec<(CString, String)>, Failure> {
    let mut list: Vec<(PathBuf, &str)> = vec![(program.to_path_buf(), "rx")];
    if let Executable::Script { interpreter } = executable {
        list.push((interpreter.clone(), "rx"));
    }
    if let Some(loader) = interpreter {
        list.push((loader.to_path_buf(), "rx"));
        for dir in LIBRARY_DIRS {
            list.push((dir.into(), "rx"));
        }
        for file in LOADER_FILES {
            list.push((file.into(), "r"));
        }
    }
    for &(promise, path, perms) in AUTOMATIC {
        if promises.contains(promise) {
            list.push((path.into(), perms));
        }
    }
    let mut rules: Vec<(CString, String)> = list
        .into_iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, perms)| {
            (
                CString::new(p.into_os_string().into_vec()).expect("no NUL"),
                perms.to_string(),
            )
        })
        .collect();
    for (perms, path) in &o.unveils {
        let shown = format!("-v {perms}:{}", path.display());
        seclude::landlock::UnveilPerms::parse(perms)
            .map_err(|e| Failure::new(exit::UNVEIL, format!("{shown}: {e}")))?;
        if let Err(e) = std::fs::metadata(path) {
            return Err(Failure::new(exit::UNVEIL, format!("{shown}: {e}")));
        }
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| Failure::new(exit::UNVEIL, format!("{shown}: contains a NUL byte")))?;
        rules.push((c, perms.clone()));
    }
    Ok(rules)
}

/// `-n`: the lowest CPU priority, idle I/O class and idle scheduling (as
/// pledge.com).
fn make_nice() -> Result<(), Failure> {
    seclude::sys::process::make_idle()
        .map_err(|(call, e)| Failure::new(exit::SETUP, format!("-n: {call}: {e}")))
}
