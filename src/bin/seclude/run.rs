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
use crate::options::{Options, over, parse};
use crate::plan::{self, End, Found, Plan, Promised};
use crate::policy_file;
use crate::supervise::{self, Ended, Launch};
use crate::verdict::{Caller, Verdict};
use seclude::bpf::Action;
use seclude::landlock::{AbiVersion, Scope, Unveil};
use seclude::ns::{IdMapping, NamespaceRequest};
use seclude::privileges::{Capabilities, Privileges};
use seclude::sandbox::{Cause, Sandbox};
use seclude::seccomp::notify::Notification;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

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
        if seclude::sys::socket::pass_rights(fd, false).is_err() {
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
    for (i, rule) in unveil_paths.iter().enumerate() {
        let (p, perms) = (&rule.path, &rule.perms);
        let added = if rule.if_present {
            unveil.unveil_if_present(p, perms)
        } else {
            unveil.unveil(p, perms)
        };
        added.map_err(|e| {
            let shown = p.to_string_lossy();
            Failure::new(
                exit::UNVEIL,
                format!("unveil {perms}:{shown} (rule {}): {e}", i + 1),
            )
        })?;
    }
    // The plan's warnings (the loader's), after the unveil rules are
    // taken: a run that fails there says only why.
    say_all(&plan.warnings);

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
    let roots = attr::WritableRoots::open(
        unveil_paths
            .iter()
            .map(|r| (r.path.as_c_str(), r.perms.as_str())),
    );
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
        ),
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
        // SAFETY: this runs in the child of seclude's fork, before its
        // exec: the one thread that called fork.
        unsafe { sandbox.apply_single_threaded() }.map_err(|e| {
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
