//! What every subcommand shares: failures with their exit status, and the
//! parsers of promise lists, architecture names and numbers.

use crate::exit;
use seclude::pledge::Promises;
use seclude::tables::Abi;
use std::ffi::OsString;

/// Why seclude stops before (or instead of) running anything: an exit
/// status from [`exit`] and a message naming what was wrong.
#[derive(Debug)]
pub struct Failure {
    /// The exit status.
    pub code: u8,
    /// One line, without the `seclude: ` prefix.
    pub message: String,
}

impl Failure {
    /// A bad flag, argument or value.
    pub fn usage(message: String) -> Failure {
        Failure {
            code: exit::USAGE,
            message,
        }
    }

    /// A failure with another exit status.
    pub fn new(code: u8, message: String) -> Failure {
        Failure { code, message }
    }
}

/// An argument as UTF-8, or a usage failure naming it.
pub fn utf8<'a>(arg: &'a OsString, what: &str) -> Result<&'a str, Failure> {
    arg.to_str()
        .ok_or_else(|| Failure::usage(format!("{what} is not valid UTF-8: {arg:?}")))
}

/// The value after a flag, or a usage failure naming the flag.
pub fn value<'a>(
    args: &mut impl Iterator<Item = &'a OsString>,
    flag: &str,
) -> Result<&'a OsString, Failure> {
    args.next()
        .ok_or_else(|| Failure::usage(format!("{flag} needs a value")))
}

/// The promises of one or more `-p` lists (words separated by spaces,
/// tabs or commas), or a failure naming the unknown word.
pub fn promises(lists: &[String]) -> Result<Promises, Failure> {
    let mut all = Promises::empty();
    for list in lists {
        for word in list.split([' ', '\t', '\n', ',']).filter(|w| !w.is_empty()) {
            let promise = Promises::from_word(word).ok_or_else(|| {
                Failure::new(
                    exit::PROMISES,
                    format!("unknown promise \"{word}\" in -p '{list}' (see seclude --help)"),
                )
            })?;
            all |= promise;
        }
    }
    Ok(all)
}

/// The promise words of `promises`, space-separated, in table order.
pub fn promise_words(promises: Promises) -> String {
    let words: Vec<&str> = promises.iter().filter_map(Promises::word).collect();
    words.join(" ")
}

/// An ABI by name (`x86_64`, `i386`, `aarch64`, …), or a failure listing
/// the names.
pub fn arch(name: &str) -> Result<Abi, Failure> {
    Abi::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Abi::ALL.iter().map(|a| a.name()).collect();
        Failure::usage(format!(
            "unknown architecture \"{name}\" (one of: {})",
            names.join(", ")
        ))
    })
}

/// A number in decimal, `0x` hex or `0o` octal, or negative decimal (as
/// its two's complement: `-100` is `AT_FDCWD`).
pub fn number(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = t.strip_prefix("0o") {
        u64::from_str_radix(oct, 8).ok()
    } else if let Some(neg) = t.strip_prefix('-') {
        neg.parse::<i64>().ok().map(|n| n.wrapping_neg() as u64)
    } else {
        t.parse::<u64>().ok()
    }
}

/// A size with an optional `k`, `m`, `g` or `t` suffix (powers of `base`,
/// 1000 or 1024, as pledge.com's `-F` and `-M`), or a usage failure naming
/// the flag.
pub fn size(flag: &str, text: &str, base: u64) -> Result<u64, Failure> {
    let bad = || {
        Failure::usage(format!(
            "{flag} {text}: not a size (a number, optionally with k, m, g or t)"
        ))
    };
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let exponent = match suffix.to_ascii_lowercase().as_str() {
        "" => 0,
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 2,
        "g" | "gb" | "gib" => 3,
        "t" | "tb" | "tib" => 4,
        _ => return Err(bad()),
    };
    (0..exponent)
        .try_fold(n, |acc, _| acc.checked_mul(base))
        .ok_or_else(|| Failure::usage(format!("{flag} {text}: too large")))
}

/// `--help`.
pub const HELP: &str = "\
seclude: run a program under pledge-style promises and unveil-style rules

(help text comes with the run mode)
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promise_lists_join_and_name_the_unknown_word() {
        let p = promises(&["stdio rpath".into(), "inet,dns".into()]).unwrap();
        assert_eq!(promise_words(p), "stdio rpath inet dns");
        let e = promises(&["stdio rpth".into()]).unwrap_err();
        assert_eq!(e.code, exit::PROMISES);
        assert!(e.message.contains("\"rpth\""), "{}", e.message);
    }

    #[test]
    fn numbers_and_sizes() {
        assert_eq!(number("0x10"), Some(16));
        assert_eq!(number("-100"), Some(-100i64 as u64));
        assert_eq!(number("0o777"), Some(511));
        assert_eq!(number("x"), None);
        assert_eq!(size("-M", "4g", 1024).unwrap(), 4 << 30);
        assert_eq!(size("-F", "2k", 1000).unwrap(), 2000);
        assert!(
            size("-F", "2q", 1000)
                .unwrap_err()
                .message
                .contains("-F 2q")
        );
        assert!(size("-F", "99999999999t", 1000).is_err());
    }
}
