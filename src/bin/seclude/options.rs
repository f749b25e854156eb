//! Run mode's options: the command line, parsed, and laid over a policy
//! file's. What they mean for a run is decided by the plan step (`plan.rs`).

use crate::cli::{self, Failure};
use crate::exit;
use crate::policy_file;
use seclude::bpf::Instruction;
use seclude::ns::Namespaces;
use seclude::privileges::Resource;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

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
pub fn over(file: policy_file::PolicyFile, mut o: Options) -> Options {
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
