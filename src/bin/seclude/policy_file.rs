//! Policy files: a whole `seclude` policy in one reviewed file, written by
//! `seclude learn --save FILE`, run with `seclude --policy FILE -- PROGRAM`
//! and explained by `seclude check FILE`.
//!
//! The format is JSON (one object; see [`KEYS`] and the README), versioned
//! by its `"seclude"` key, with every key checked: an unknown key, a value
//! of the wrong type or a bad promise, permission or namespace is an error
//! naming the line, the column and the key, and nothing is applied.

use crate::cli::{self, Failure};
use crate::exit;
use crate::json::{self, Kind, Value};
use seclude::landlock::{AbiVersion, AccessFs, Scope, UnveilPerms};
use seclude::ns::Namespaces;
use seclude::privileges::Resource;
use std::path::{Path, PathBuf};

/// The only version so far.
pub const VERSION: i128 = 1;

/// The keys of a policy file, with what they hold.
pub const KEYS: &[(&str, &str)] = &[
    ("seclude", "the format's version: 1 (required)"),
    ("promises", "promise words, as -p: \"stdio rpath\""),
    (
        "execpromises",
        "what the programs it executes hold, as -e: \"stdio\" (a subset of the promises, which need exec)",
    ),
    (
        "unveil",
        "rules as -v takes them: [\"r:/etc\", \"rwc:/tmp/out\"]",
    ),
    ("no_unveil", "true: no unveil (-V)"),
    (
        "unconfined_unix",
        "true: new UNIX sockets under unveil where Landlock cannot confine connecting to them by path (--unconfined-unix)",
    ),
    ("penalty", "\"eperm\" (the default) or \"kill\" (-k)"),
    ("quiet", "true: refusals are not reported (-q)"),
    ("nice", "true: lowest priority (-n)"),
    ("user", "run as this user id (-u)"),
    ("group", "run as this group id (-g)"),
    ("keep_capabilities", "true: keep capabilities (-D)"),
    ("keep_fds", "true: keep inherited descriptors (-N)"),
    (
        "namespaces",
        "new namespaces, as --unshare: [\"net\", \"pid\"]",
    ),
    (
        "limits",
        "{\"cpu\": SECS, \"address_space\": BYTES, \"open_files\": N, \"processes\": N, \"file_size\": BYTES}",
    ),
    (
        "seccomp",
        "a seccompiler JSON document, as it is: its filter is installed too",
    ),
    ("seccomp_filter", "which of its filters, if it has several"),
];

/// A policy file's contents, checked.
#[derive(Debug, PartialEq)]
pub struct PolicyFile {
    pub promises: Option<String>,
    pub execpromises: Option<String>,
    /// Permission letters and absolute path, as `-v`.
    pub unveils: Vec<(String, PathBuf)>,
    pub no_unveil: bool,
    pub unconfined_unix: bool,
    pub kill: bool,
    pub quiet: bool,
    pub nice: bool,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub keep_capabilities: bool,
    pub keep_fds: bool,
    pub namespaces: Namespaces,
    pub limits: Vec<(Resource, u64)>,
    /// The `"seccomp"` section's filter, compiled, and its name.
    pub seccomp: Option<(String, Vec<seclude::bpf::Instruction>)>,
}

/// Reads and checks a policy file.
pub fn load(path: &Path) -> Result<PolicyFile, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("policy {}: {e}", path.display())))?;
    parse(&text).map_err(|message| {
        Failure::new(exit::USAGE, format!("policy {}: {message}", path.display()))
    })
}

/// Checks a policy file's text (pure: nothing is opened or applied).
pub fn parse(text: &str) -> Result<PolicyFile, String> {
    let value = json::parse(text).map_err(|e| e.to_string())?;
    let Kind::Object(members) = value.kind else {
        return Err(format!(
            "{}: a policy is an object ({{\"seclude\": 1, ...}}), not {}",
            value.at,
            value.kind.name()
        ));
    };
    let mut policy = PolicyFile {
        promises: None,
        execpromises: None,
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
        namespaces: Namespaces::empty(),
        limits: Vec::new(),
        seccomp: None,
    };
    let mut seccomp: Option<&Value> = None;
    let mut seccomp_filter: Option<&str> = None;
    let mut version = None;
    for (key, v) in &members {
        let at = |message: String| format!("{}: \"{key}\": {message}", v.at);
        match key.as_str() {
            "seclude" => match v.kind {
                Kind::Integer(VERSION) => version = Some(VERSION),
                Kind::Integer(n) => {
                    return Err(at(format!(
                        "version {n} is not one this seclude reads (it reads {VERSION})"
                    )));
                }
                _ => return Err(at(format!("a version number, not {}", v.kind.name()))),
            },
            "promises" => {
                let words = string(v).map_err(at)?;
                cli::promises(&[words.to_string()]).map_err(|f| at(f.message))?;
                policy.promises = Some(words.to_string());
            }
            "execpromises" => {
                let words = string(v).map_err(at)?;
                cli::promises_of("-e", &[words.to_string()]).map_err(|f| at(f.message))?;
                policy.execpromises = Some(words.to_string());
            }
            "unveil" => {
                for item in array(v).map_err(at)? {
                    let rule = string(item).map_err(|m| format!("{}: \"{key}\": {m}", item.at))?;
                    let (perms, path) = rule.split_once(':').ok_or_else(|| {
                        format!(
                            "{}: \"{key}\": \"{rule}\": a rule is PERMS:PATH, as \"r:/etc\"",
                            item.at
                        )
                    })?;
                    UnveilPerms::parse(perms)
                        .map_err(|e| format!("{}: \"{key}\": \"{rule}\": {e}", item.at))?;
                    if !path.starts_with('/') {
                        return Err(format!(
                            "{}: \"{key}\": \"{rule}\": the path must be absolute (a policy must not depend on the directory it runs in)",
                            item.at
                        ));
                    }
                    policy
                        .unveils
                        .push((perms.to_string(), PathBuf::from(path)));
                }
            }
            "no_unveil" => policy.no_unveil = boolean(v).map_err(at)?,
            "unconfined_unix" => policy.unconfined_unix = boolean(v).map_err(at)?,
            "penalty" => {
                policy.kill = match string(v).map_err(at)? {
                    "eperm" => false,
                    "kill" => true,
                    other => {
                        return Err(at(format!(
                            "\"{other}\": the penalty is \"eperm\" or \"kill\""
                        )));
                    }
                }
            }
            "quiet" => policy.quiet = boolean(v).map_err(at)?,
            "nice" => policy.nice = boolean(v).map_err(at)?,
            "keep_capabilities" => policy.keep_capabilities = boolean(v).map_err(at)?,
            "keep_fds" => policy.keep_fds = boolean(v).map_err(at)?,
            "user" => policy.uid = Some(id(v).map_err(at)?),
            "group" => policy.gid = Some(id(v).map_err(at)?),
            "namespaces" => {
                for item in array(v).map_err(at)? {
                    let name = string(item).map_err(|m| format!("{}: \"{key}\": {m}", item.at))?;
                    let parsed = Namespaces::parse(name).map_err(|e| {
                        format!(
                            "{}: \"{key}\": {e} (one of: user, mount, net, pid, ipc, uts, cgroup)",
                            item.at
                        )
                    })?;
                    policy.namespaces |= parsed;
                }
            }
            "limits" => {
                let Kind::Object(limits) = &v.kind else {
                    return Err(at(format!("an object, not {}", v.kind.name())));
                };
                for (name, limit) in limits {
                    let at = |m: String| format!("{}: \"limits\".\"{name}\": {m}", limit.at);
                    let (resource, base) = match name.as_str() {
                        "cpu" => (Resource::Cpu, None),
                        "address_space" => (Resource::As, Some(1024)),
                        "open_files" => (Resource::Nofile, None),
                        "processes" => (Resource::Nproc, None),
                        "file_size" => (Resource::Fsize, Some(1000)),
                        _ => {
                            return Err(at(
                                "unknown limit (cpu, address_space, open_files, processes, file_size)"
                                    .into(),
                            ));
                        }
                    };
                    let amount = match (&limit.kind, base) {
                        (Kind::Integer(n), _) => {
                            u64::try_from(*n).map_err(|_| at(format!("{n} is not a limit")))?
                        }
                        (Kind::String(s), Some(base)) => {
                            cli::size(name, s, base).map_err(|f| at(f.message))?
                        }
                        (other, _) => return Err(at(format!("a number, not {}", other.name()))),
                    };
                    policy.limits.push((resource, amount));
                }
            }
            "seccomp" => seccomp = Some(v),
            "seccomp_filter" => seccomp_filter = Some(string(v).map_err(at)?),
            _ => {
                let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
                return Err(at(format!("unknown key (known: {})", known.join(", "))));
            }
        }
    }
    match (seccomp, seccomp_filter) {
        (Some(document), name) => {
            let program = crate::seccompiler::compile_document(document, name)
                .map_err(|e| format!("\"seccomp\": {e}"))?;
            let shown = match (name, &document.kind) {
                (Some(name), _) => name.to_string(),
                (None, Kind::Object(filters)) => filters[0].0.clone(),
                _ => String::new(),
            };
            policy.seccomp = Some((shown, program));
        }
        (None, Some(_)) => return Err("\"seccomp_filter\" without \"seccomp\"".into()),
        (None, None) => {}
    }
    if let Some(exec) = &policy.execpromises {
        let promises = policy.promises.as_deref().unwrap_or(cli::DEFAULT_PROMISES);
        let promises = cli::promises(&[promises.to_string()]).map_err(|f| f.message)?;
        cli::execpromises(std::slice::from_ref(exec), promises)
            .map_err(|f| format!("\"execpromises\": {}", f.message))?;
    }
    if version.is_none() {
        return Err(format!(
            "{}: no \"seclude\" key: a policy file starts with {{\"seclude\": {VERSION}, ...}}",
            value.at
        ));
    }
    Ok(policy)
}

fn string(v: &Value) -> Result<&str, String> {
    match &v.kind {
        Kind::String(s) => Ok(s),
        other => Err(format!("a string, not {}", other.name())),
    }
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v.kind {
        Kind::Bool(b) => Ok(b),
        ref other => Err(format!("true or false, not {}", other.name())),
    }
}

fn array(v: &Value) -> Result<&[Value], String> {
    match &v.kind {
        Kind::Array(items) => Ok(items),
        other => Err(format!("an array, not {}", other.name())),
    }
}

fn id(v: &Value) -> Result<u32, String> {
    match v.kind {
        // (uid_t)-1 means "unchanged" to the kernel: not an id.
        Kind::Integer(n) if (0..u32::MAX as i128).contains(&n) => Ok(n as u32),
        Kind::Integer(n) => Err(format!("{n} is not an id")),
        ref other => Err(format!("an id (a number), not {}", other.name())),
    }
}

/// The policy file `seclude learn --save` writes.
pub fn render(promises: &str, unveils: &[(String, PathBuf)]) -> String {
    let rules: Vec<String> = unveils
        .iter()
        .map(|(perms, path)| {
            format!(
                "    {}",
                json::quote(&format!("{perms}:{}", path.display()))
            )
        })
        .collect();
    let unveil = if rules.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n{}\n  ]", rules.join(",\n"))
    };
    format!(
        "{{\n  \"seclude\": {VERSION},\n  \"promises\": {},\n  \"unveil\": {unveil}\n}}\n",
        json::quote(promises)
    )
}

/// `seclude check FILE`: checks a policy file and says what each part does
/// and what this kernel cannot enforce of it.
pub fn check(args: &[std::ffi::OsString]) -> Result<u8, Failure> {
    let [file] = args else {
        return Err(Failure::usage("check: one policy file expected".into()));
    };
    let path = Path::new(file);
    let policy = load(path)?;
    print!("{}", explain(&policy, seclude::landlock::abi_version()));
    println!("{}: a valid policy (version {VERSION})", path.display());
    Ok(0)
}

/// What a policy does, on a kernel with Landlock `abi`.
fn explain(policy: &PolicyFile, abi: AbiVersion) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let promises = policy.promises.as_deref().unwrap_or(cli::DEFAULT_PROMISES);
    let _ = writeln!(
        out,
        "promises: {promises}{}",
        if policy.promises.is_none() {
            " (the default)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  a refused call {}{}; `seclude explain -p '{promises}' CALL ...` and PROMISES.md show what each allows",
        if policy.kill {
            "kills the program"
        } else {
            "fails with EPERM"
        },
        if policy.quiet {
            ", unreported"
        } else {
            ", reported"
        }
    );
    if let Some(exec) = &policy.execpromises {
        let _ = writeln!(
            out,
            "execpromises: {exec}\n  what the program executes holds only these (the program itself, and what it forks, the promises)"
        );
    }
    let landlock = match abi {
        AbiVersion::Unsupported => "none".to_string(),
        v => format!("ABI {}", v as u8),
    };
    if policy.no_unveil {
        let _ = writeln!(
            out,
            "unveil: none (no_unveil): the whole filesystem stays reachable"
        );
    } else {
        let _ = writeln!(
            out,
            "unveil: {} rule(s), on top of what seclude unveils by itself for the promises and the program (this kernel's Landlock: {landlock})",
            policy.unveils.len()
        );
        if abi == AbiVersion::Unsupported {
            let _ = writeln!(
                out,
                "  NOT ENFORCEABLE here: this kernel has no Landlock; running fails unless no_unveil"
            );
        }
        for (perms, path) in &policy.unveils {
            let wanted = UnveilPerms::parse(perms)
                .map(|p| p.access())
                .unwrap_or(AccessFs::empty());
            let dropped = wanted.difference(abi.fs());
            let _ = writeln!(out, "  {perms}:{}  {}", path.display(), names(wanted));
            if !dropped.is_empty() && abi != AbiVersion::Unsupported {
                let _ = writeln!(out, "    not enforced by this kernel: {}", names(dropped));
            }
            if !path.exists() {
                let _ = writeln!(out, "    missing here: running fails until it exists");
            }
        }
        if abi != AbiVersion::Unsupported && !abi.fs().contains(AccessFs::RESOLVE_UNIX) {
            let _ = writeln!(
                out,
                "{}",
                if policy.unconfined_unix {
                    "  UNIX sockets (unconfined_unix): connecting to any pathname socket stays possible, this kernel's Landlock cannot confine it (ABI 9)"
                } else {
                    "  UNIX sockets: new ones are refused, this kernel's Landlock cannot confine connecting to them by path (ABI 9; unconfined_unix allows them)"
                }
            );
        }
        if abi != AbiVersion::Unsupported && abi.scopes() != Scope::all() {
            let _ = writeln!(
                out,
                "  not enforced by this kernel: the signal and abstract-socket scopes (Landlock ABI 6)"
            );
        }
    }
    if let Some((name, program)) = &policy.seccomp {
        let _ = writeln!(
            out,
            "seccomp: seccompiler filter \"{name}\", {} instructions, installed on top of the promises' filter (the stricter verdict wins)",
            program.len()
        );
    }
    if !policy.namespaces.is_empty() {
        let _ = writeln!(out, "namespaces: {}", policy.namespaces);
    }
    match (policy.uid, policy.gid) {
        (None, None) => {}
        (u, g) => {
            let _ = writeln!(
                out,
                "ids: user {}, group {} (needs root)",
                u.map_or("unchanged".into(), |u| u.to_string()),
                g.map_or("unchanged".into(), |g| g.to_string())
            );
        }
    }
    let _ = writeln!(
        out,
        "capabilities: {}; inherited descriptors: {}",
        if policy.keep_capabilities {
            "kept"
        } else {
            "all dropped"
        },
        if policy.keep_fds {
            "kept"
        } else {
            "closed but 0-2"
        }
    );
    for (resource, amount) in &policy.limits {
        let _ = writeln!(out, "limit: {resource:?} {amount}");
    }
    out
}

fn names(access: AccessFs) -> String {
    let names: Vec<&str> = access.iter_names().map(|(name, _)| name).collect();
    names.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_policy_reads() {
        let p = parse(
            r#"{
  "seclude": 1,
  "promises": "stdio rpath proc exec",
  "execpromises": "stdio proc",
  "unveil": ["r:/etc", "rwc:/tmp/out"],
  "penalty": "kill",
  "quiet": true,
  "user": 65534, "group": 65534,
  "namespaces": ["net", "pid"],
  "limits": {"cpu": 10, "address_space": "2g", "file_size": 1000}
}"#,
        )
        .unwrap();
        assert_eq!(p.promises.as_deref(), Some("stdio rpath proc exec"));
        assert_eq!(p.execpromises.as_deref(), Some("stdio proc"));
        assert!(explain(&p, AbiVersion::V6).contains("execpromises: stdio proc\n"));
        assert_eq!(p.unveils[1], ("rwc".to_string(), PathBuf::from("/tmp/out")));
        assert!(p.kill && p.quiet && !p.nice);
        assert_eq!((p.uid, p.gid), (Some(65534), Some(65534)));
        assert_eq!(p.namespaces, Namespaces::NET | Namespaces::PID);
        assert_eq!(
            p.limits,
            [
                (Resource::Cpu, 10),
                (Resource::As, 2 << 30),
                (Resource::Fsize, 1000)
            ]
        );
    }

    #[test]
    fn errors_name_line_column_and_key() {
        let cases = [
            (
                "{\"seclude\": 1, \"promise\": \"stdio\"}",
                "line 1, column 27: \"promise\": unknown key",
            ),
            (
                "{\"seclude\": 1,\n \"promises\": \"stdio rpth\"}",
                "line 2, column 14: \"promises\": unknown promise \"rpth\"",
            ),
            (
                "{\"seclude\": 1, \"unveil\": [\"q:/etc\"]}",
                "\"unveil\": \"q:/etc\"",
            ),
            (
                "{\"seclude\": 1, \"unveil\": [\"r:etc\"]}",
                "must be absolute",
            ),
            ("{\"seclude\": 1, \"user\": 4294967295}", "is not an id"),
            (
                "{\"seclude\": 1, \"execpromises\": \"stdio\"}",
                "\"execpromises\": execpromises need the \"exec\" promise",
            ),
            (
                "{\"seclude\": 1, \"promises\": \"stdio exec\", \"execpromises\": \"stdio inet\"}",
                "\"execpromises\": execpromises: \"inet\" is not in the promises",
            ),
            (
                "{\"seclude\": 1, \"execpromises\": 1}",
                "\"execpromises\": a string, not a number",
            ),
            ("{\"seclude\": 2}", "version 2"),
            ("{\"promises\": \"stdio\"}", "no \"seclude\" key"),
            ("[]", "a policy is an object"),
            (
                "{\"seclude\": 1, \"limits\": {\"stack\": 1}}",
                "\"limits\".\"stack\": unknown limit",
            ),
            (
                "{\"seclude\": 1, \"namespaces\": [\"nett\"]}",
                "\"namespaces\"",
            ),
            (
                "{\"seclude\": 1, \"quiet\": \"yes\"}",
                "true or false, not a string",
            ),
        ];
        for (text, expected) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }

    #[test]
    fn a_seccompiler_section_is_compiled() {
        let p = parse(
            r#"{"seclude": 1, "seccomp": {"main_thread": {"mismatch_action": "allow",
                "match_action": {"errno": 1}, "filter": [{"syscall": "uname"}]}}}"#,
        )
        .unwrap();
        let (name, program) = p.seccomp.unwrap();
        assert_eq!(name, "main_thread");
        assert!(!program.is_empty());
        let e =
            parse(r#"{"seclude": 1, "seccomp": {"m": {"mismatch_action": "allow"}}}"#).unwrap_err();
        assert!(e.contains("\"seccomp\": filter \"m\""), "{e}");
        assert!(parse(r#"{"seclude": 1, "seccomp_filter": "m"}"#).is_err());
    }

    #[test]
    fn what_learn_saves_reads_back() {
        let unveils = vec![
            ("r".to_string(), PathBuf::from("/usr/share/doc")),
            ("rwc".to_string(), PathBuf::from("/tmp/a \"b\"")),
        ];
        let text = render("stdio rpath tty", &unveils);
        let p = parse(&text).unwrap();
        assert_eq!(p.promises.as_deref(), Some("stdio rpath tty"));
        assert_eq!(p.unveils, unveils);
        assert_eq!(parse(&render("", &[])).unwrap().unveils, []);
    }

    #[test]
    fn the_explanation_names_what_an_old_kernel_drops() {
        let p = parse("{\"seclude\": 1, \"unveil\": [\"rw:/tmp\"]}").unwrap();
        let old = explain(&p, AbiVersion::V2);
        assert!(
            old.contains("not enforced by this kernel: TRUNCATE"),
            "{old}"
        );
        assert!(old.contains("scopes"), "{old}");
        let new = explain(&p, AbiVersion::V7);
        assert!(!new.contains("TRUNCATE\n    not"), "{new}");
        assert!(!new.contains("scopes"), "{new}");
    }
}
