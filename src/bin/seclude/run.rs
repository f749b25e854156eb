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
use crate::cli::{self, Failure};
use crate::elf;
use crate::exit;
use crate::judge::{Judge, file_id, refuse_or_allow};
use crate::launch::{self, receives_no_descriptors};
use crate::marker;
use crate::plan::{self, End, Found, Plan, Promised};
use crate::policy_file;
use crate::supervise::{self, Ended, Launch};
use crate::verdict::{Caller, Verdict};
use seclude::bpf::{Action, Instruction};
use seclude::landlock::{AbiVersion, Scope, Unveil};
use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
use seclude::privileges::{Capabilities, Privileges, Resource};
use seclude::sandbox::{Cause, Sandbox};
use seclude::seccomp::notify::Notification;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

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

/// Run mode: parse, find the program, plan ([`plan`]), start it under
/// supervision, and say how it ended.
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
    let (promised, warnings) = Promised::of(&o)?;
    say_all(&warnings);
    let found = find(plan::program_name(&o)?)?;
    let plan = plan::plan(&o, promised, found, &|p| std::fs::metadata(p).map(drop))?;
    say_all(&plan.warnings);
    let end = start(&o, &plan)?;
    let (code, messages) = plan::outcome(&o, &plan, end);
    say_all(&messages);
    Ok(code)
}

fn say_all(lines: &[String]) {
    for line in lines {
        cli::say_err(format_args!("seclude: {line}"));
    }
}

/// Finds the program `name` and its loader, and what the kernel offers.
fn find(name: &OsStr) -> Result<Found, Failure> {
    let path = launch::find_program(name)?;
    let executable =
        elf::inspect(&path).map_err(|e| launch::cannot_execute(&path, &e.to_string()))?;
    let interpreter = launch::loader_of(&path, &executable)?;
    Ok(Found {
        trusted_loader: interpreter.as_deref().is_some_and(elf::trusted_loader),
        marker_object: interpreter
            .as_ref()
            .and_then(|_| elf::NATIVE_MACHINE.and_then(marker::object)),
        path,
        executable,
        interpreter,
        landlock: seclude::landlock::abi_version(),
        euid: seclude::sys::process::geteuid(),
    })
}

/// Starts the program as `plan` says and supervises it to its end.
fn start(o: &Options, plan: &Plan) -> Result<End, Failure> {
    let promises = plan.promised.promises;
    // Without its seccomp supplement: the filter sends those calls to
    // seclude instead, which refuses them with a message.
    // Scoped (Linux 6.12): no signal to seclude or any process outside the
    // sandbox, no connection to an abstract socket made outside it.
    let mut unveil: Unveil<'_, 256> = Unveil::new()
        .without_seccomp_supplement()
        .scopes(Scope::all());
    let unveil_paths = plan.unveil.as_deref().unwrap_or_default();
    for (i, (p, perms)) in unveil_paths.iter().enumerate() {
        unveil.unveil(p, perms).map_err(|e| {
            let shown = p.to_string_lossy();
            Failure::new(
                exit::UNVEIL,
                format!("unveil {perms}:{shown} (rule {}): {e}", i + 1),
            )
        })?;
    }

    // The marker, preloaded from a memfd.
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let marker_fd = match &plan.marker {
        Some(object) => {
            let fd = launch::marker_memfd(object)?;
            launch::set_preload(&mut env, &format!("/proc/self/fd/{}", fd.raw()));
            Some(fd)
        }
        None => None,
    };
    // Opened before the program runs: where seclude may make metadata
    // changes for it.
    let roots = attr::WritableRoots::open(unveil_paths);
    // How the child tells that seclude ended before it could be told.
    let parent = supervise::ParentWatch::new();
    let kept: Vec<i32> = [0, 1, 2]
        .into_iter()
        .chain(parent.descriptor())
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

    let namespaces = plan.namespaces;
    let request = NamespaceRequest::new(namespaces).id_mapping(IdMapping::Own);
    let outer = (
        seclude::sys::process::getuid(),
        seclude::sys::process::getgid(),
    );
    let mut launch = Launch {
        path: CString::new(plan.path.as_os_str().as_bytes()).expect("paths have no NUL"),
        argv: launch::c_strings(&o.program)?,
        envp: launch::environment(&env),
        clone_flags: namespaces.bits() as u64,
        // The kernel allows what every program may do; what only the
        // started one may comes to seclude.
        filter: launch::filter(
            plan.promised.execpromises.unwrap_or(promises),
            plan.supplement,
            plan.follow_images,
            plan.notify_memfds,
        )?,
        extra_filter: o.extra_filter.clone(),
        follow_images: plan.follow_images,
    };
    let mut setup = || -> Result<(), Failure> {
        if !namespaces.is_empty() {
            seclude::ns::enter_child(&request, outer.0, outer.1)
                .map_err(|e| Failure::new(exit::SETUP, format!("namespaces: {e}")))?;
        }
        if o.nice {
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
    let judge = Judge {
        promises,
        execpromises: plan.promised.execpromises,
        supplement: plan.supplement,
        marker: marker_fd
            .as_ref()
            .and_then(|fd| file_id(&format!("/proc/self/fd/{}", fd.raw()))),
        kill: o.kill,
        quiet: o.quiet,
        shown: &plan.shown,
        roots: &roots,
    };
    let mut handler =
        |n: &Notification, caller: Caller| -> Verdict { refuse_or_allow(n, caller, &judge) };
    if receives_no_descriptors(promises) {
        refuse_passed_descriptors(o.keep_fds)?;
    }
    let ended = supervise::run(&mut launch, &parent, &mut setup, &mut handler)?;
    drop(marker_fd);
    match ended {
        Ended::Failed(failure) => Err(failure),
        Ended::Ran {
            status,
            killed_for_violation,
            never_loaded,
        } => Ok(End {
            status,
            killed_for_violation,
            never_loaded,
        }),
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

/// `-n`: the lowest CPU priority, idle I/O class and idle scheduling (as
/// pledge.com).
fn make_nice() -> Result<(), Failure> {
    seclude::sys::process::make_idle()
        .map_err(|(call, e)| Failure::new(exit::SETUP, format!("-n: {call}: {e}")))
}
