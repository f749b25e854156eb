//! Run mode's plan: what a run will do, decided from its options and from
//! what seclude found out about the program and the kernel, before
//! anything is started; and what its end means (exit status, messages).
//!
//! Kept apart from [`crate::run`], which finds things out and starts the
//! program, so that every decision is a function of its inputs: the file
//! system is asked only through the `present` function [`plan`] is given,
//! and the tests below decide runs without a kernel or a program.

use crate::cli::{self, DEFAULT_PROMISES, Failure};
use crate::elf::Executable;
use crate::exit;
use crate::launch::{AUTOMATIC, LIBRARY_DIRS, LOADER, LOADER_FILES};
use crate::options::Options;
use seclude::landlock::{AbiVersion, UnixSockets};
use seclude::ns::Namespaces;
use seclude::pledge::Promises;
use seclude::privileges::Resource;
use seclude::seccomp::Rule;
use seclude::sys::process::ExitStatus;
use std::ffi::{CString, OsStr};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The promises of a run, read from its options before anything else (a
/// bad promise is reported before a missing program).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promised {
    /// What the program may do.
    pub promises: Promises,
    /// What the programs it executes may do, when narrower (`-e`;
    /// execpromises equal to the promises change nothing).
    pub execpromises: Option<Promises>,
}

impl Promised {
    /// The promises of `o` (the default ones without `-p`), and the
    /// warnings they call for (none under `-q`).
    pub fn of(o: &Options) -> Result<(Promised, Vec<String>), Failure> {
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
        let narrower = execpromises.filter(|&e| e != promises);
        let mut warnings = Vec::new();
        if narrower.is_some() && o.no_unveil && !o.quiet {
            // /proc/PID/mem of the started program is then open to what
            // it executes (same user, one Landlock domain).
            warnings.push(
                "warning: with -V, a program PROGRAM executes can read and change PROGRAM's memory through /proc, so -e holds only against programs that do not try"
                    .to_string(),
            );
        }
        Ok((
            Promised {
                promises,
                execpromises: narrower,
            },
            warnings,
        ))
    }
}

/// What seclude found out about the program and the kernel, before the
/// plan.
#[derive(Debug)]
pub struct Found {
    /// The program's file, found on `PATH`.
    pub path: PathBuf,
    /// What kind of file it is.
    pub executable: Executable,
    /// Its loader, when dynamically linked (its interpreter's, for a
    /// script).
    pub interpreter: Option<PathBuf>,
    /// Whether that loader is a system loader seclude trusts to load the
    /// marker first.
    pub trusted_loader: bool,
    /// The marker object for this machine, if seclude has one.
    pub marker_object: Option<Vec<u8>>,
    /// The kernel's Landlock.
    pub landlock: AbiVersion,
    /// seclude's effective user id.
    pub euid: u32,
}

/// What a run will do.
#[derive(Debug)]
pub struct Plan {
    /// Its promises.
    pub promised: Promised,
    /// The program's file.
    pub path: PathBuf,
    /// Its name in reports, as `ps` shows it: the file name it was given.
    pub shown: String,
    /// The unveil rules; `None` with `-V`.
    pub unveil: Option<Vec<UnveilRule>>,
    /// The marker object to preload, for a program a system loader runs.
    pub marker: Option<Vec<u8>>,
    /// The namespaces the child gets (a user namespace added for an
    /// unprivileged seclude that asks for others).
    pub namespaces: Namespaces,
    /// The Landlock rules' seccomp supplement, sent to seclude rather
    /// than refused in the kernel (`None` with `-V`).
    pub supplement: Option<&'static [Rule]>,
    /// Whether seclude follows every exec and exit (execpromises apply
    /// to what the program executes).
    pub follow_images: bool,
    /// Whether memfds without the no-exec seal come to seclude: the
    /// program holds `exec`, but what it executes does not.
    pub notify_memfds: bool,
    /// Warnings to print before the start (none under `-q`).
    pub warnings: Vec<String>,
}

/// One unveil rule of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnveilRule {
    pub path: CString,
    /// Its permission letters.
    pub perms: String,
    /// Whether it is left out if the path is not there when the child
    /// makes its rules (automatic paths; a `-v` path must be there).
    pub if_present: bool,
}

/// Decides the run of `o` with `promised` for the program `found`.
/// `present` says whether a `-v` path exists (an error if it does not).
pub fn plan(
    o: &Options,
    promised: Promised,
    found: Found,
    present: &dyn Fn(&Path) -> std::io::Result<()>,
) -> Result<Plan, Failure> {
    let Promised {
        promises,
        execpromises,
    } = promised;
    if !o.no_unveil && found.landlock == AbiVersion::Unsupported {
        return Err(Failure::new(
            exit::UNVEIL,
            "unveil: this kernel has no Landlock (or it is disabled); run with -V to go without"
                .into(),
        ));
    }
    let name = o.program.first().map(|n| n.as_os_str()).unwrap_or_default();
    let unveil = if o.no_unveil {
        None
    } else {
        Some(unveil_list(o, promises, &found, present)?)
    };
    let mut warnings = Vec::new();
    let mut marker = None;
    if let Some(loader) = &found.interpreter {
        let why_not = if !found.trusted_loader {
            Some(format!(
                "its loader {} is not a system loader",
                loader.display()
            ))
        } else if found.marker_object.is_none() {
            Some("seclude has no loading marker for this architecture".to_string())
        } else {
            None
        };
        match why_not {
            None => marker = found.marker_object,
            // Promises that hold the loader's need no allowance.
            Some(why) if !o.quiet && !promises.contains(LOADER) => warnings.push(format!(
                "warning: {}: {why}, so loading gets no allowance (it may need \"{}\" in -p)",
                name.to_string_lossy(),
                cli::promise_words(LOADER.difference(promises))
            )),
            Some(_) => {}
        }
    }
    // An unprivileged user needs a user namespace for the others.
    let mut namespaces = o.namespaces;
    if !namespaces.is_empty() && found.euid != 0 {
        namespaces |= Namespaces::USER;
    }
    let unix = if o.unconfined_unix {
        UnixSockets::AllowUnconfined
    } else {
        UnixSockets::ConfinedOnly
    };
    let supplement =
        (!o.no_unveil).then(|| seclude::landlock::seccomp_supplement_rules(found.landlock, unix));
    Ok(Plan {
        promised,
        shown: Path::new(name)
            .file_name()
            .unwrap_or(name)
            .to_string_lossy()
            .into_owned(),
        path: found.path,
        unveil,
        marker,
        namespaces,
        supplement,
        follow_images: execpromises.is_some(),
        // The kernel's filter holds execpromises without exec, under
        // which a memfd needs no seal; the started program holds exec.
        notify_memfds: promises.contains(Promises::EXEC)
            && execpromises.is_some_and(|e| !e.contains(Promises::EXEC)),
        warnings,
    })
}

/// The unveil rules: the program itself (`rx`), its loader and libraries
/// when dynamically linked, the files each promise needs (as pledge.com),
/// then the `-v` rules. Automatic paths that do not exist are left out by
/// the child, which opens them anyway (a look here walked each path once
/// more, ~40 of them, on every launch); a `-v` path must exist.
fn unveil_list(
    o: &Options,
    promises: Promises,
    found: &Found,
    present: &dyn Fn(&Path) -> std::io::Result<()>,
) -> Result<Vec<UnveilRule>, Failure> {
    let mut list: Vec<(PathBuf, &str)> = vec![(found.path.clone(), "rx")];
    if let Executable::Script { interpreter } = &found.executable {
        list.push((interpreter.clone(), "rx"));
    }
    if let Some(loader) = &found.interpreter {
        list.push((loader.clone(), "rx"));
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
    let mut rules: Vec<UnveilRule> = list
        .into_iter()
        .map(|(p, perms)| UnveilRule {
            path: CString::new(p.into_os_string().into_vec()).expect("no NUL"),
            perms: perms.to_string(),
            if_present: true,
        })
        .collect();
    for (perms, path) in &o.unveils {
        let shown = format!("-v {perms}:{}", path.display());
        seclude::landlock::UnveilPerms::parse(perms)
            .map_err(|e| Failure::new(exit::UNVEIL, format!("{shown}: {e}")))?;
        if let Err(e) = present(path) {
            return Err(Failure::new(exit::UNVEIL, format!("{shown}: {e}")));
        }
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| Failure::new(exit::UNVEIL, format!("{shown}: contains a NUL byte")))?;
        rules.push(UnveilRule {
            path: c,
            perms: perms.clone(),
            if_present: false,
        });
    }
    Ok(rules)
}

/// How the program ended, as the supervisor saw it.
#[derive(Debug, Clone, Copy)]
pub struct End {
    /// Its status.
    pub status: ExitStatus,
    /// Whether seclude killed it for a refused call (`-k`).
    pub killed_for_violation: bool,
    /// Whether it never made the marker's call (it kept the loader's
    /// promises to the end).
    pub never_loaded: bool,
}

/// seclude's exit status for `end`, and the messages to print (none
/// under `-q`).
pub fn outcome(o: &Options, plan: &Plan, end: End) -> (u8, Vec<String>) {
    let mut messages = Vec::new();
    let shown = &plan.shown;
    // A program killed by a signal may have died while it loaded (a
    // Ctrl-C or a forwarded SIGTERM right after the start): its missing
    // marker call says nothing of LD_PRELOAD then.
    let exited = matches!(end.status, ExitStatus::Exited(_));
    // Promises that hold the loader's kept nothing more.
    let widened = !plan.promised.promises.contains(LOADER);
    if end.never_loaded && exited && widened && !o.quiet {
        messages.push(format!(
            "warning: {shown} never signalled the end of its loading (LD_PRELOAD ignored?): it kept the loader's promises ({})",
            cli::promise_words(LOADER.difference(plan.promised.promises))
        ));
    }
    // A memory limit too small for the program kills it (the kernel's
    // SIGSEGV or SIGKILL during or right after the exec): say which
    // limit, since nothing else would.
    const SIGKILL: i32 = 9;
    const SIGSEGV: i32 = 11;
    if let ExitStatus::Killed { signal, .. } = end.status {
        let memory = o.limits.iter().find(|(r, _)| *r == Resource::As);
        if let (Some((_, bytes)), SIGKILL | SIGSEGV) = (memory, signal) {
            if !o.quiet && !end.killed_for_violation {
                messages.push(format!(
                    "{shown} was killed by signal {signal}; its address space limit (-M, {bytes} bytes) may be too small"
                ));
            }
        }
    }
    let code = match end.status {
        _ if end.killed_for_violation => exit::VIOLATION,
        ExitStatus::Exited(code) => code as u8,
        ExitStatus::Killed { signal, .. } => 128u8.wrapping_add(signal as u8),
    };
    (code, messages)
}

/// The program's name, as given (for the "no program" check before
/// anything is found).
pub fn program_name(o: &Options) -> Result<&OsStr, Failure> {
    o.program
        .first()
        .map(|n| n.as_os_str())
        .ok_or_else(|| Failure::usage("no program to run".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::parse;
    use std::ffi::OsString;

    fn options(args: &[&str]) -> Options {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(&args).unwrap()
    }

    /// A dynamically linked program at /usr/bin/prog, on a kernel with
    /// Landlock, as root.
    fn found() -> Found {
        Found {
            path: "/usr/bin/prog".into(),
            executable: Executable::Elf {
                machine: 62,
                bits: 64,
                interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            },
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            trusted_loader: true,
            marker_object: Some(vec![0x7f, b'E', b'L', b'F']),
            landlock: AbiVersion::V6,
            euid: 0,
        }
    }

    fn everything_exists(_: &Path) -> std::io::Result<()> {
        Ok(())
    }

    fn decide(args: &[&str], found: Found) -> Result<Plan, Failure> {
        let o = options(args);
        let (promised, _) = Promised::of(&o)?;
        plan(&o, promised, found, &everything_exists)
    }

    fn paths(plan: &Plan) -> Vec<(String, String)> {
        plan.unveil
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| (r.path.to_string_lossy().into_owned(), r.perms.clone()))
            .collect()
    }

    #[test]
    fn without_p_the_default_promises_hold() {
        let o = options(&["prog"]);
        let (promised, warnings) = Promised::of(&o).unwrap();
        assert_eq!(
            promised.promises,
            cli::promises(&[DEFAULT_PROMISES.to_string()]).unwrap()
        );
        assert_eq!(promised.execpromises, None);
        assert!(warnings.is_empty());
    }

    #[test]
    fn execpromises_equal_to_the_promises_change_nothing() {
        let plan = decide(&["-p", "stdio exec", "-e", "stdio exec", "prog"], found()).unwrap();
        assert_eq!(plan.promised.execpromises, None);
        assert!(!plan.follow_images && !plan.notify_memfds);

        let plan = decide(&["-p", "stdio exec", "-e", "stdio", "prog"], found()).unwrap();
        assert_eq!(plan.promised.execpromises, Some(Promises::STDIO));
        assert!(plan.follow_images && plan.notify_memfds);

        // What it executes may exec too: a memfd needs no watching.
        let plan = decide(
            &["-p", "stdio rpath exec", "-e", "stdio exec", "prog"],
            found(),
        )
        .unwrap();
        assert!(plan.follow_images && !plan.notify_memfds);
    }

    #[test]
    fn narrower_execpromises_without_unveil_are_warned_about_unless_quiet() {
        let o = options(&["-V", "-p", "stdio exec", "-e", "stdio", "prog"]);
        assert_eq!(Promised::of(&o).unwrap().1.len(), 1);
        let o = options(&["-q", "-V", "-p", "stdio exec", "-e", "stdio", "prog"]);
        assert!(Promised::of(&o).unwrap().1.is_empty());
        let o = options(&["-p", "stdio exec", "-e", "stdio", "prog"]);
        assert!(Promised::of(&o).unwrap().1.is_empty());
    }

    #[test]
    fn a_bad_promise_has_its_own_exit_status_and_no_program_is_a_usage_error() {
        let o = options(&["-p", "stdio nonsense", "prog"]);
        let e = Promised::of(&o).unwrap_err();
        assert_eq!(e.code, exit::PROMISES);
        assert!(e.message.contains("nonsense"), "{}", e.message);
        assert_eq!(program_name(&options(&[])).unwrap_err().code, exit::USAGE);
    }

    #[test]
    fn the_unveil_rules_hold_the_program_its_loader_and_the_v_paths_in_order() {
        let rules =
            paths(&decide(&["-p", "stdio", "-v", "rw:/srv/data", "prog"], found()).unwrap());
        assert_eq!(rules[0], ("/usr/bin/prog".into(), "rx".into()));
        assert_eq!(
            rules[1],
            ("/lib64/ld-linux-x86-64.so.2".into(), "rx".into())
        );
        assert!(rules.contains(&("/etc/ld.so.cache".into(), "r".into())));
        assert_eq!(rules.last().unwrap(), &("/srv/data".into(), "rw".into()));
        // Automatic paths are left out by the child if missing, so taken
        // whatever `present` says; a missing -v path is an unveil error
        // naming the flag.
        let o = options(&["-p", "stdio", "-v", "r:/nowhere", "prog"]);
        let (promised, _) = Promised::of(&o).unwrap();
        let only_the_program = |p: &Path| {
            if p == Path::new("/usr/bin/prog") {
                Ok(())
            } else {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        };
        let e = plan(&o, promised, found(), &only_the_program).unwrap_err();
        assert_eq!(e.code, exit::UNVEIL);
        assert!(e.message.starts_with("-v r:/nowhere: "), "{}", e.message);
        let o = options(&["-p", "stdio", "prog"]);
        let decided = plan(&o, promised, found(), &only_the_program).unwrap();
        let rules = decided.unveil.unwrap();
        assert!(
            rules.len() > 5 && rules.iter().all(|r| r.if_present),
            "{rules:?}"
        );
        let with_v = decide(&["-p", "stdio", "-v", "rw:/srv/data", "prog"], found()).unwrap();
        let last = with_v.unveil.unwrap().pop().unwrap();
        assert!(!last.if_present, "{last:?}");
        // Bad letters are an unveil error too.
        let e = decide(&["-v", "rq:/srv", "prog"], found()).unwrap_err();
        assert_eq!(e.code, exit::UNVEIL);
    }

    #[test]
    fn a_script_unveils_its_interpreter_after_itself_then_the_interpreters_loader() {
        let script = Found {
            path: "/opt/tools/run.sh".into(),
            executable: Executable::Script {
                interpreter: "/bin/sh".into(),
            },
            ..found()
        };
        let rules = paths(&decide(&["-p", "stdio", "run.sh"], script).unwrap());
        assert_eq!(
            rules[..3],
            [
                ("/opt/tools/run.sh".into(), "rx".into()),
                ("/bin/sh".into(), "rx".into()),
                ("/lib64/ld-linux-x86-64.so.2".into(), "rx".into()),
            ]
        );
    }

    #[test]
    fn without_unveil_there_are_no_rules_and_no_supplement() {
        let plan = decide(&["-V", "prog"], found()).unwrap();
        assert!(plan.unveil.is_none() && plan.supplement.is_none());
        let plan = decide(&["prog"], found()).unwrap();
        assert!(plan.unveil.is_some() && plan.supplement.is_some());
    }

    #[test]
    fn without_landlock_unveil_fails_unless_v_is_given() {
        let no_landlock = || Found {
            landlock: AbiVersion::Unsupported,
            ..found()
        };
        let e = decide(&["prog"], no_landlock()).unwrap_err();
        assert_eq!(e.code, exit::UNVEIL);
        assert!(e.message.contains("-V"), "{}", e.message);
        assert!(decide(&["-V", "prog"], no_landlock()).is_ok());
    }

    #[test]
    fn an_untrusted_loader_gets_no_marker_and_a_warning() {
        let plan = decide(&["prog"], found()).unwrap();
        assert!(plan.marker.is_some() && plan.warnings.is_empty());
        let untrusted = || Found {
            trusted_loader: false,
            ..found()
        };
        let plan = decide(&["-p", "stdio", "prog"], untrusted()).unwrap();
        assert!(plan.marker.is_none());
        assert_eq!(plan.warnings.len(), 1);
        assert!(
            plan.warnings[0].contains("is not a system loader")
                && plan.warnings[0].contains("\"rpath prot_exec\""),
            "{}",
            plan.warnings[0]
        );
        let plan = decide(&["-q", "prog"], untrusted()).unwrap();
        assert!(plan.marker.is_none() && plan.warnings.is_empty());
        // Promises that hold the loader's: nothing is missing, nothing to
        // say (it said "it may need \"\" in -p").
        let plan = decide(&["-p", "stdio rpath prot_exec", "prog"], untrusted()).unwrap();
        assert!(
            plan.marker.is_none() && plan.warnings.is_empty(),
            "{:?}",
            plan.warnings
        );
        let no_marker = Found {
            marker_object: None,
            ..found()
        };
        let plan = decide(&["prog"], no_marker).unwrap();
        assert!(plan.warnings[0].contains("no loading marker"));
        // A static program has no loader, so nothing to say.
        let static_program = Found {
            interpreter: None,
            trusted_loader: false,
            ..found()
        };
        let plan = decide(&["prog"], static_program).unwrap();
        assert!(plan.marker.is_none() && plan.warnings.is_empty());
    }

    #[test]
    fn an_unprivileged_seclude_adds_a_user_namespace_to_others() {
        let plan = decide(&["--unshare", "pid", "prog"], found()).unwrap();
        assert_eq!(plan.namespaces, Namespaces::PID);
        let user = || Found {
            euid: 65534,
            ..found()
        };
        let plan = decide(&["--unshare", "pid", "prog"], user()).unwrap();
        assert_eq!(plan.namespaces, Namespaces::PID | Namespaces::USER);
        let plan = decide(&["prog"], user()).unwrap();
        assert!(plan.namespaces.is_empty());
    }

    #[test]
    fn reports_name_the_program_by_its_file_name() {
        let plan = decide(&["/opt/tools/prog", "arg"], found()).unwrap();
        assert_eq!(plan.shown, "prog");
    }

    #[test]
    fn the_exit_status_follows_the_program_or_says_violation() {
        let o = options(&["prog"]);
        let plan = decide(&["prog"], found()).unwrap();
        let end = |status, killed_for_violation, never_loaded| End {
            status,
            killed_for_violation,
            never_loaded,
        };
        let killed = |signal| ExitStatus::Killed {
            signal,
            core_dumped: false,
        };
        assert_eq!(
            outcome(&o, &plan, end(ExitStatus::Exited(3), false, false)),
            (3, vec![])
        );
        assert_eq!(outcome(&o, &plan, end(killed(15), false, false)).0, 143);
        assert_eq!(
            outcome(&o, &plan, end(killed(31), true, false)).0,
            exit::VIOLATION
        );
        // The loading warning follows an exit, not a signal.
        let (_, said) = outcome(&o, &plan, end(ExitStatus::Exited(0), false, true));
        assert!(said[0].contains("never signalled the end of its loading"));
        assert!(
            outcome(&o, &plan, end(killed(15), false, true))
                .1
                .is_empty()
        );
        let full = decide(&["-p", "stdio rpath prot_exec", "prog"], found()).unwrap();
        let (_, said) = outcome(&o, &full, end(ExitStatus::Exited(0), false, true));
        assert!(said.is_empty(), "{said:?}");
        let quiet = options(&["-q", "prog"]);
        let (_, said) = outcome(&quiet, &plan, end(ExitStatus::Exited(0), false, true));
        assert!(said.is_empty());
    }

    #[test]
    fn a_memory_limit_is_named_when_it_may_have_killed_the_program() {
        let o = options(&["-M", "1000000", "prog"]);
        let plan = decide(&["prog"], found()).unwrap();
        let killed = |signal| End {
            status: ExitStatus::Killed {
                signal,
                core_dumped: false,
            },
            killed_for_violation: false,
            never_loaded: false,
        };
        let (_, said) = outcome(&o, &plan, killed(11));
        assert!(said[0].contains("-M, 1000000 bytes"), "{said:?}");
        assert!(outcome(&o, &plan, killed(15)).1.is_empty());
        assert!(outcome(&options(&["prog"]), &plan, killed(9)).1.is_empty());
    }

    #[test]
    fn the_memory_limit_message_is_not_given_under_q_or_after_a_violation() {
        let plan = decide(&["prog"], found()).unwrap();
        let end = |killed_for_violation| End {
            status: ExitStatus::Killed {
                signal: 9,
                core_dumped: false,
            },
            killed_for_violation,
            never_loaded: false,
        };
        let limited = options(&["-M", "1000000", "prog"]);
        assert_eq!(outcome(&limited, &plan, end(false)).1.len(), 1);
        let quiet = options(&["-q", "-M", "1000000", "prog"]);
        assert_eq!(outcome(&quiet, &plan, end(false)), (137, vec![]));
        assert_eq!(
            outcome(&limited, &plan, end(true)),
            (exit::VIOLATION, vec![])
        );
    }

    #[test]
    fn unconfined_unix_picks_the_supplement_that_lets_unix_sockets_be_made() {
        let landlock = found().landlock;
        let confined = decide(&["prog"], found()).unwrap();
        let unconfined = decide(&["--unconfined-unix", "prog"], found()).unwrap();
        assert_eq!(
            confined.supplement,
            Some(seclude::landlock::seccomp_supplement_rules(
                landlock,
                UnixSockets::ConfinedOnly
            ))
        );
        assert_eq!(
            unconfined.supplement,
            Some(seclude::landlock::seccomp_supplement_rules(
                landlock,
                UnixSockets::AllowUnconfined
            ))
        );
    }
}
