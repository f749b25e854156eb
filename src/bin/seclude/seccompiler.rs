//! seccompiler's JSON filter format, read as it is: a policy file's
//! `"seccomp"` section holds a document written for seccompiler (or by a
//! tool that stores seccompiler JSON), and seclude compiles it into its own
//! program with the same verdict for every call
//! (`tests` compare the two compilers' programs call by call).
//!
//! The format: an object of named filters, each with `mismatch_action`
//! (alias `default_action`), `match_action` (alias `filter_action`) and
//! `filter`, a list of rules `{"syscall": NAME, "args": [CONDITION...]}`. A
//! call matches if any of its rules' conditions all hold; a syscall listed
//! only without `args` matches whatever its arguments (and, as in
//! seccompiler, a rule with `args` for the same syscall replaces that).
//! A condition is `{"index": 0-5, "type": "dword"|"qword", "op": "eq"|
//! "ne"|"lt"|"le"|"gt"|"ge"|{"masked_eq": MASK}, "val": N}`; `dword`
//! compares the low 32 bits. Actions: `"allow"`, `"kill_thread"`,
//! `"kill_process"`, `"log"`, `"trap"`, `{"errno": N}`, `{"trace": N}`.
//! `comment` keys are allowed where seccompiler allows them; any other key
//! is refused.
//!
//! One difference, on purpose: on x86-64, x32 calls (numbers with bit 30)
//! are killed (seclude's policies cover one ABI each), where seccompiler's
//! program gives them its mismatch action.

use crate::json::{Kind, Value};
use seclude::bpf::{Action, Instruction};
use seclude::seccomp::{Cmp, Condition, Policy, compile};
use seclude::tables::{Abi, Syscall};

/// Rules a raw filter may have (each condition list is one rule).
pub const MAX_RULES: usize = 1024;

/// Compiles the filter of a seccompiler document: the one it has, or the
/// one named `name` if it has several.
pub fn compile_document(document: &Value, name: Option<&str>) -> Result<Vec<Instruction>, String> {
    let Kind::Object(filters) = &document.kind else {
        return Err(format!(
            "{}: seccompiler's format is an object of named filters, not {}",
            document.at,
            document.kind.name()
        ));
    };
    let chosen = match (name, filters.as_slice()) {
        (Some(name), _) => filters
            .iter()
            .find(|(k, _)| k == name)
            .ok_or_else(|| format!("{}: no filter named \"{name}\"", document.at))?,
        (None, [only]) => only,
        (None, []) => return Err(format!("{}: no filter", document.at)),
        (None, _) => {
            let names: Vec<&str> = filters.iter().map(|(k, _)| k.as_str()).collect();
            return Err(format!(
                "{}: several filters ({}): name one with \"seccomp_filter\"",
                document.at,
                names.join(", ")
            ));
        }
    };
    let policy = policy_of(&chosen.1).map_err(|e| format!("filter \"{}\": {e}", chosen.0))?;
    let program = compile::<MAX_RULES, { seclude::bpf::MAX_INSNS }>(&policy)
        .map_err(|e| format!("filter \"{}\": compiling: {e}", chosen.0))?;
    Ok(program.instructions().to_vec())
}

/// One filter as seclude's policy (boxed: it is large).
fn policy_of(filter: &Value) -> Result<Box<Policy<MAX_RULES>>, String> {
    let members = object(filter)?;
    let mut mismatch = None;
    let mut matched = None;
    let mut rules: Option<&[Value]> = None;
    for (key, v) in members {
        match key.as_str() {
            "mismatch_action" | "default_action" => mismatch = Some(action(v)?),
            "match_action" | "filter_action" => matched = Some(action(v)?),
            "filter" => rules = Some(array(v)?),
            _ => return Err(format!("{}: unknown key \"{key}\"", v.at)),
        }
    }
    let mismatch = mismatch.ok_or_else(|| format!("{}: no \"mismatch_action\"", filter.at))?;
    let matched = matched.ok_or_else(|| format!("{}: no \"match_action\"", filter.at))?;
    let rules = rules.ok_or_else(|| format!("{}: no \"filter\"", filter.at))?;
    if mismatch == matched {
        return Err(format!(
            "{}: the match and mismatch actions are the same (seccompiler refuses that too)",
            filter.at
        ));
    }
    // Per syscall, in file order: its conditional rules (none: matches
    // whatever the arguments).
    let mut by_call: Vec<(Syscall, Vec<Vec<Condition>>)> = Vec::new();
    for rule in rules {
        let (call, conditions) = rule_of(rule)?;
        let index = match by_call.iter().position(|(c, _)| *c == call) {
            Some(i) => i,
            None => {
                by_call.push((call, Vec::new()));
                by_call.len() - 1
            }
        };
        if let Some(conditions) = conditions {
            by_call[index].1.push(conditions);
        }
    }
    let mut policy = Box::new(Policy::<MAX_RULES>::new(mismatch));
    for (call, alternatives) in &by_call {
        if alternatives.is_empty() {
            policy.add_rule(*call, &[], matched);
        }
        for conditions in alternatives {
            policy.add_rule(*call, conditions, matched);
        }
    }
    if let Some(e) = policy.error() {
        return Err(format!("{e}"));
    }
    Ok(policy)
}

/// A rule's syscall and its conditions (`None`: no `args`).
fn rule_of(rule: &Value) -> Result<(Syscall, Option<Vec<Condition>>), String> {
    let mut call = None;
    let mut conditions = None;
    for (key, v) in object(rule)? {
        match key.as_str() {
            "syscall" => {
                let name = string(v)?;
                let syscall = Syscall::from_name(name)
                    .filter(|s| Abi::NATIVE.number(*s).is_some())
                    .ok_or_else(|| {
                        format!(
                            "{}: \"{name}\" is no syscall of {}",
                            v.at,
                            Abi::NATIVE.name()
                        )
                    })?;
                call = Some(syscall);
            }
            "args" => {
                let mut list = Vec::new();
                for c in array(v)? {
                    list.push(condition(c)?);
                }
                conditions = Some(list);
            }
            "comment" => {
                string(v)?;
            }
            _ => return Err(format!("{}: unknown key \"{key}\"", v.at)),
        }
    }
    let call = call.ok_or_else(|| format!("{}: a rule without \"syscall\"", rule.at))?;
    Ok((call, conditions))
}

fn condition(c: &Value) -> Result<Condition, String> {
    let mut index = None;
    let mut wide = None;
    let mut op = None;
    let mut val = None;
    for (key, v) in object(c)? {
        match key.as_str() {
            "index" => match v.kind {
                Kind::Integer(n @ 0..=5) => index = Some(n as u8),
                _ => return Err(format!("{}: \"index\" is an argument number, 0 to 5", v.at)),
            },
            "type" => {
                wide = Some(match string(v)? {
                    "dword" => false,
                    "qword" => true,
                    other => return Err(format!("{}: type \"{other}\": dword or qword", v.at)),
                })
            }
            "op" => {
                op = Some(match &v.kind {
                    Kind::String(s) => match s.as_str() {
                        "eq" => Cmp::Eq,
                        "ne" => Cmp::Ne,
                        "lt" => Cmp::Lt,
                        "le" => Cmp::Le,
                        "gt" => Cmp::Gt,
                        "ge" => Cmp::Ge,
                        other => return Err(format!("{}: unknown op \"{other}\"", v.at)),
                    },
                    Kind::Object(m) => match m.as_slice() {
                        [(k, mask)] if k == "masked_eq" => Cmp::MaskedEq(unsigned(mask)?),
                        _ => {
                            return Err(format!(
                                "{}: an op object is {{\"masked_eq\": MASK}}",
                                v.at
                            ));
                        }
                    },
                    other => return Err(format!("{}: an op, not {}", v.at, other.name())),
                })
            }
            "val" => val = Some(unsigned(v)?),
            "comment" => {
                string(v)?;
            }
            _ => return Err(format!("{}: unknown key \"{key}\"", v.at)),
        }
    }
    let missing = |what: &str| format!("{}: a condition without \"{what}\"", c.at);
    let index = index.ok_or_else(|| missing("index"))?;
    let wide = wide.ok_or_else(|| missing("type"))?;
    let op = op.ok_or_else(|| missing("op"))?;
    let val = val.ok_or_else(|| missing("val"))?;
    Ok(if wide {
        Condition::arg64(index, op, val)
    } else {
        // seccompiler compares the low 32 bits with the value's.
        Condition::arg32(index, op, val as u32)
    })
}

fn action(v: &Value) -> Result<Action, String> {
    match &v.kind {
        Kind::String(s) => match s.as_str() {
            "allow" => Ok(Action::Allow),
            "kill_thread" => Ok(Action::KillThread),
            "kill_process" => Ok(Action::KillProcess),
            "log" => Ok(Action::Log),
            "trap" => Ok(Action::Trap(0)),
            other => Err(format!("{}: unknown action \"{other}\"", v.at)),
        },
        Kind::Object(m) => match m.as_slice() {
            // The kernel keeps the low 16 bits (SECCOMP_RET_DATA).
            [(k, n)] if k == "errno" => Ok(Action::Errno(unsigned32(n)? as u16)),
            [(k, n)] if k == "trace" => Ok(Action::Trace(unsigned32(n)? as u16)),
            _ => Err(format!(
                "{}: an action object is {{\"errno\": N}} or {{\"trace\": N}}",
                v.at
            )),
        },
        other => Err(format!("{}: an action, not {}", v.at, other.name())),
    }
}

fn object(v: &Value) -> Result<&[(String, Value)], String> {
    match &v.kind {
        Kind::Object(m) => Ok(m),
        other => Err(format!("{}: an object, not {}", v.at, other.name())),
    }
}

fn array(v: &Value) -> Result<&[Value], String> {
    match &v.kind {
        Kind::Array(items) => Ok(items),
        other => Err(format!("{}: an array, not {}", v.at, other.name())),
    }
}

fn string(v: &Value) -> Result<&str, String> {
    match &v.kind {
        Kind::String(s) => Ok(s),
        other => Err(format!("{}: a string, not {}", v.at, other.name())),
    }
}

fn unsigned(v: &Value) -> Result<u64, String> {
    match v.kind {
        Kind::Integer(n) => u64::try_from(n).map_err(|_| format!("{}: {n} is out of range", v.at)),
        ref other => Err(format!("{}: a number, not {}", v.at, other.name())),
    }
}

fn unsigned32(v: &Value) -> Result<u32, String> {
    let n = unsigned(v)?;
    u32::try_from(n).map_err(|_| format!("{}: {n} is out of range", v.at))
}

#[cfg(test)]
mod tests {
    use super::*;
    // seccompiler 0.5 is empty on big-endian targets (its crate root is
    // `#![cfg(target_endian = "little")]`): there the comparison with it is
    // left out, and the rest of the tests still build and run.
    #[cfg(target_endian = "little")]
    use seclude::bpf::{SeccompData, simulate};
    #[cfg(target_endian = "little")]
    use std::collections::BTreeSet;

    /// Policies in seccompiler's format, covering every op, both widths,
    /// alternatives, a syscall listed with and without args, and every
    /// action.
    #[cfg(target_endian = "little")]
    const POLICIES: &[&str] = &[
        r#"{"main": {"mismatch_action": "trap", "match_action": "allow", "filter": [
            {"syscall": "read"}, {"syscall": "write"}, {"syscall": "exit_group", "comment": "bye"}]}}"#,
        r#"{"main": {"mismatch_action": {"errno": 1}, "match_action": "allow", "filter": [
            {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 21505}]},
            {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": {"masked_eq": 4294901760}, "val": 1074003968}]},
            {"syscall": "mmap", "args": [
                {"index": 2, "type": "dword", "op": "le", "val": 3},
                {"index": 3, "type": "qword", "op": "ne", "val": 34, "comment": "not anonymous private"}]},
            {"syscall": "lseek", "args": [{"index": 1, "type": "qword", "op": "lt", "val": 4294967300}]},
            {"syscall": "pread64", "args": [{"index": 3, "type": "qword", "op": "ge", "val": 18446744069414584320}]},
            {"syscall": "pwrite64", "args": [{"index": 2, "type": "qword", "op": "gt", "val": 4096}]},
            {"syscall": "fcntl", "args": [{"index": 1, "type": "dword", "op": "ge", "val": 1}, {"index": 1, "type": "dword", "op": "lt", "val": 4}]}]}}"#,
        r#"{"a": {"default_action": "allow", "filter_action": "kill_process", "filter": [
            {"syscall": "ptrace"}, {"syscall": "kill", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 9}]},
            {"syscall": "socket"}, {"syscall": "socket", "args": [{"index": 0, "type": "dword", "op": "eq", "val": 16}]}]}}"#,
        r#"{"t": {"mismatch_action": "log", "match_action": "kill_thread", "filter": [{"syscall": "getpid"}]}}"#,
        r#"{"t": {"mismatch_action": {"trace": 7}, "match_action": {"errno": 13}, "filter": [
            {"syscall": "openat", "args": [{"index": 2, "type": "dword", "op": {"masked_eq": 3}, "val": 0}]}]}}"#,
        r#"{"t": {"mismatch_action": "allow", "match_action": {"errno": 65537}, "filter": [
            {"syscall": "dup", "args": [{"index": 0, "type": "dword", "op": "eq", "val": 4294967298}]}]}}"#,
        // seccompiler 0.5's own test vector (tests/json.rs, test_complex_filter).
        r#"{"main_thread": {"mismatch_action": {"errno" : 1000}, "match_action": "allow", "filter": [
            {"syscall": "rt_sigprocmask", "comment": "extra syscalls needed by the test runtime"},
            {"syscall": "sigaltstack"}, {"syscall": "munmap"}, {"syscall": "exit"},
            {"syscall": "rt_sigreturn"}, {"syscall": "futex"},
            {"syscall": "getpid", "comment": "start of the actual filter we want to test."},
            {"syscall": "ioctl", "args": [{"index": 2, "type": "dword", "op": "le", "val": 14},
                                          {"index": 2, "type": "dword", "op": "ne", "val": 13}]},
            {"syscall": "ioctl", "args": [{"index": 2, "type": "dword", "op": "gt", "val": 20},
                                          {"index": 2, "type": "dword", "op": "lt", "val": 40}]},
            {"syscall": "ioctl", "args": [{"index": 0, "type": "dword", "op": "eq", "val": 1},
                                          {"index": 2, "type": "dword", "op": "eq", "val": 15}]},
            {"syscall": "ioctl", "args": [{"index": 2, "type": "qword", "op": "eq", "val": 4294967336,
                                           "comment": "u32::MAX as u64 + 41"}]},
            {"syscall": "madvise", "args": [{"index": 0, "type": "dword", "op": "eq", "val": 0},
                                            {"index": 1, "type": "dword", "op": "eq", "val": 0}]}]}}"#,
    ];

    #[cfg(target_endian = "little")]
    fn theirs(policy: &str) -> Vec<Instruction> {
        let arch: seccompiler::TargetArch = std::env::consts::ARCH.try_into().unwrap();
        let mut filters = seccompiler::compile_from_json(policy.as_bytes(), arch).unwrap();
        assert_eq!(filters.len(), 1);
        let (_, program) = filters.drain().next().unwrap();
        program
            .iter()
            .map(|f| Instruction {
                code: f.code,
                jt: f.jt,
                jf: f.jf,
                k: f.k,
            })
            .collect()
    }

    /// The values worth trying for an argument: around each value and
    /// mask a rule names, in both halves.
    #[cfg(target_endian = "little")]
    fn probes(policy: &str) -> Vec<u64> {
        let mut values: BTreeSet<u64> = [0, 1, 2, 3, 4, u32::MAX as u64, 1 << 32, u64::MAX].into();
        let mut number = String::new();
        for c in policy.chars().chain([' ']) {
            if c.is_ascii_digit() {
                number.push(c);
            } else if !number.is_empty() {
                let n: u64 = number.parse().unwrap_or(u64::MAX);
                for v in [
                    n,
                    n.wrapping_sub(1),
                    n.wrapping_add(1),
                    n | 1 << 40,
                    n & 0xffff_ffff,
                ] {
                    values.insert(v);
                }
                number.clear();
            }
        }
        values.into_iter().collect()
    }

    #[cfg(target_endian = "little")]
    #[test]
    fn seccompilers_policies_agree_call_by_call() {
        let abi = Abi::NATIVE;
        for policy in POLICIES {
            let ours = compile_document(&crate::json::parse(policy).unwrap(), None).unwrap();
            let theirs = theirs(policy);
            let values = probes(policy);
            let mut compared = 0u64;
            for nr in 0..1024i32 {
                let mut data = SeccompData::new(nr, abi.audit_arch());
                let mut check = |data: &SeccompData| {
                    let a = simulate(&ours, data, abi.endian()).unwrap().action;
                    let b = simulate(&theirs, data, abi.endian()).unwrap().action;
                    assert_eq!(a, b, "{policy}\nnr {nr} args {:x?}", data.args);
                    compared += 1;
                };
                check(&data);
                // Each argument through the probe values, the others 0.
                if abi
                    .syscall(nr as u32)
                    .is_some_and(|s| policy.contains(&format!("\"{}\"", s.name())))
                {
                    for arg in 0..6 {
                        for &v in &values {
                            data.args = [0; 6];
                            data.args[arg] = v;
                            check(&data);
                        }
                    }
                    // Pairs for the rules with two conditions.
                    for &a in &values {
                        for &b in &values {
                            data.args = [0, a, b, a, 0, 0];
                            check(&data);
                            data.args = [a, b, b, 0, 0, 0];
                            check(&data);
                        }
                    }
                }
            }
            assert!(compared > 1024, "{policy}");
            // Another architecture: both kill.
            let other = SeccompData::new(0, 0x4000_0003);
            assert_eq!(
                simulate(&ours, &other, abi.endian()).unwrap().action,
                simulate(&theirs, &other, abi.endian()).unwrap().action
            );
        }
    }

    #[test]
    fn bad_documents_name_the_place() {
        let cases = [
            (
                r#"{"m": {"mismatch_action": "allow", "match_action": "allow", "filter": []}}"#,
                "the same",
            ),
            (
                r#"{"m": {"mismatch_action": "allow", "match_action": "trap", "filter": [{"syscall": "nope"}]}}"#,
                "\"nope\" is no syscall",
            ),
            (
                r#"{"m": {"mismatch_action": "allow", "match_action": "trap", "filter": [{"syscall": "read", "arg": []}]}}"#,
                "unknown key \"arg\"",
            ),
            (
                r#"{"m": {"mismatch_action": "allow", "match_action": "trap", "filter": [{"syscall": "read", "args": [{"index": 6, "type": "dword", "op": "eq", "val": 1}]}]}}"#,
                "0 to 5",
            ),
            (
                r#"{"a": {"mismatch_action": "allow", "match_action": "trap", "filter": []}, "b": {"mismatch_action": "allow", "match_action": "trap", "filter": []}}"#,
                "several filters (a, b)",
            ),
        ];
        for (text, expected) in cases {
            let e = compile_document(&crate::json::parse(text).unwrap(), None).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
