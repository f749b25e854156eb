//! A small C preprocessor for the kernel's uapi headers: enough of one to
//! evaluate the constants seclude compares arguments with (open flags,
//! socket types, `ioctl` numbers, `prctl` options, ...) as the kernel built
//! for one architecture sees them.
//!
//! It reads object-like `#define`s, `enum` constants, `typedef`s and
//! `struct` bodies; follows `#include <...>` along the kernel's include
//! path; honours `#ifdef`, `#ifndef`, `#else` and `#endif`. `#if EXPR` is
//! taken as true unless EXPR is `0`: in these headers it guards the 32-bit
//! lock commands and user-space definitions, both wanted. A name given two
//! different values (a conditional read wrongly) cannot be used.
//! Expressions may use literals, names, `| ^ & << >> + - * ~`, parentheses
//! and the `_IO`/`_IOR`/`_IOW`/`_IOWR` macros with the architecture's
//! encoding (its own `_IOC_*` definitions, and `sizeof` from the struct
//! bodies read).

use crate::Error;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// C tokens, roughly: words (names and numbers), character and string
/// literals, the two-character operators, and single characters.
fn tokens(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else if ["<<", ">>", "==", "!=", "<=", ">=", "&&", "||", "->"]
            .iter()
            .any(|op| s[i..].starts_with(op))
        {
            i += 2;
        } else {
            i += 1;
        }
        out.push(s[start..i].to_owned());
    }
    out
}

/// `text` without comments, its lines kept.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        match (rest.find("/*"), rest.find("//")) {
            (Some(b), line) if line.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..]
                    .find("*/")
                    .map_or(rest.len(), |e| b + 2 + e + 2);
                out.push(' ');
                out.extend(rest[b..end].chars().filter(|&c| c == '\n'));
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = &rest[rest[l..].find('\n').map_or(rest.len(), |e| l + e)..];
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// How one architecture encodes `_IOC(dir, type, nr, size)`.
#[derive(PartialEq, Eq, Debug)]
pub struct Ioc {
    pub none: u64,
    pub read: u64,
    pub write: u64,
    pub size_bits: u64,
    pub nr_shift: u64,
    pub type_shift: u64,
    pub size_shift: u64,
    pub dir_shift: u64,
}

/// What the kernel, built for one architecture, sees of the headers read.
pub struct Headers {
    root: PathBuf,
    /// The architecture's directory name under `arch/`.
    pub arch: &'static str,
    defines: HashMap<String, String>,
    /// Function-like macros (only their names, for `#ifdef`).
    macros: HashSet<String>,
    enums: HashMap<String, String>,
    typedefs: HashMap<String, String>,
    structs: HashMap<String, String>,
    /// Names given two different values.
    ambiguous: HashSet<String>,
    seen: HashSet<PathBuf>,
}

/// The headers read for every architecture, in this order.
/// `<linux/socket.h>` comes before `<linux/net.h>` as in the kernel's
/// socket code: MIPS's `asm/socket.h` defines `ARCH_HAS_SOCKET_TYPES`,
/// and net.h then leaves the socket types to it.
const ROOTS: [&str; 17] = [
    "linux/fcntl.h",
    "linux/memfd.h",
    "linux/mman.h",
    "asm/ioctl.h",
    "asm/ioctls.h",
    "asm/termbits.h",
    "asm/mman.h",
    "asm/errno.h",
    "asm/signal.h",
    "linux/sched.h",
    "linux/prctl.h",
    "linux/stat.h",
    "linux/seccomp.h",
    "linux/socket.h",
    "linux/in.h",
    "linux/net.h",
    "asm/prctl.h",
];

impl Headers {
    pub fn new(root: &Path, arch: &'static str) -> Result<Headers, Error> {
        let mut h = Headers {
            root: root.to_owned(),
            arch,
            defines: HashMap::new(),
            macros: HashSet::new(),
            enums: HashMap::new(),
            typedefs: HashMap::new(),
            structs: HashMap::new(),
            ambiguous: HashSet::new(),
            seen: HashSet::new(),
        };
        for name in ROOTS {
            h.include(name)?;
        }
        Ok(h)
    }

    /// The kernel's include path (arch/$A/include, include,
    /// arch/$A/include/uapi, include/uapi); an architecture without its
    /// own `asm/X.h` gets asm-generic's (Kbuild's generated wrapper).
    /// Headers that are not unpacked are skipped.
    fn resolve(&self, name: &str) -> Option<PathBuf> {
        let arch = self.arch;
        let dirs = [
            format!("arch/{arch}/include"),
            "include".to_owned(),
            format!("arch/{arch}/include/uapi"),
            "include/uapi".to_owned(),
        ];
        dirs.iter()
            .map(|d| self.root.join(d).join(name))
            .chain(
                name.strip_prefix("asm/")
                    .map(|rest| self.root.join("include/uapi/asm-generic").join(rest)),
            )
            .find(|p| p.is_file())
    }

    fn is_defined(&self, name: &str) -> bool {
        self.defines.contains_key(name) || self.macros.contains(name)
    }

    fn include(&mut self, name: &str) -> Result<(), Error> {
        let Some(path) = self.resolve(name) else {
            return Ok(());
        };
        if !self.seen.insert(path.clone()) {
            return Ok(());
        }
        let text = strip_comments(&read(&path)?).replace("\\\n", " ");
        // (enclosing block active, this branch active, a branch taken)
        let mut conds: Vec<(bool, bool, bool)> = Vec::new();
        let mut code = String::new();
        for line in text.lines() {
            let active = conds.last().is_none_or(|c| c.1);
            let Some(directive) = line.trim_start().strip_prefix('#') else {
                if active {
                    code.push_str(line);
                    code.push('\n');
                }
                continue;
            };
            let directive = directive.trim();
            let (word, arg) = directive
                .split_once(|c: char| c.is_ascii_whitespace())
                .unwrap_or((directive, ""));
            let arg = arg.trim();
            let at = || format!("{}: #{word} {arg} without #if", path.display());
            match word {
                "ifdef" | "ifndef" | "if" => {
                    let holds = match word {
                        "ifdef" => self.is_defined(arg),
                        "ifndef" => !self.is_defined(arg),
                        _ => arg != "0",
                    };
                    conds.push((active, active && holds, holds));
                }
                "elif" => {
                    let top = conds.last_mut().ok_or_else(at)?;
                    let holds = !top.2 && arg != "0";
                    top.1 = top.0 && holds;
                    top.2 |= holds;
                }
                "else" => {
                    let top = conds.last_mut().ok_or_else(at)?;
                    top.1 = top.0 && !top.2;
                    top.2 = true;
                }
                "endif" => {
                    conds.pop().ok_or_else(at)?;
                }
                _ if !active => {}
                "include" => {
                    if let Some((name, _)) = arg.strip_prefix('<').and_then(|a| a.split_once('>')) {
                        self.include(name)?;
                    }
                }
                "define" => self.define(arg),
                "undef" => {
                    self.defines.remove(arg);
                    self.macros.remove(arg);
                }
                _ => {}
            }
        }
        if !conds.is_empty() {
            return Err(format!("{}: unbalanced #if", path.display()));
        }
        self.declarations(&tokens(&code));
        Ok(())
    }

    fn define(&mut self, arg: &str) {
        let end = arg
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(arg.len());
        let (name, body) = arg.split_at(end);
        if body.starts_with('(') {
            self.macros.insert(name.to_owned());
            return;
        }
        let body = tokens(body).join(" ");
        // `#define IPPROTO_TCP IPPROTO_TCP`: the enum constant stays.
        if body == name {
            return;
        }
        if let Some(old) = self.defines.insert(name.to_owned(), body.clone()) {
            if old != body {
                self.ambiguous.insert(name.to_owned());
            }
        }
    }

    /// `enum`s, `typedef`s and `struct` bodies of one file's C code.
    fn declarations(&mut self, toks: &[String]) {
        // The index of the `}` closing the `{` at `open`.
        let close = |open: usize| {
            let mut depth = 0;
            (open..toks.len()).find(|&i| {
                match toks[i].as_str() {
                    "{" => depth += 1,
                    "}" => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
        };
        let mut i = 0;
        while i < toks.len() {
            let next = |k: usize| toks.get(i + k).map_or("", String::as_str);
            match toks[i].as_str() {
                "enum" if next(1) == "{" || next(2) == "{" => {
                    let open = if next(1) == "{" { i + 1 } else { i + 2 };
                    let Some(end) = close(open) else { return };
                    let mut prev: Option<String> = None;
                    for item in toks[open + 1..end].split(|t| t == ",") {
                        let Some((name, rest)) = item.split_first() else {
                            continue;
                        };
                        let expr = match rest.split_first() {
                            Some((eq, value)) if eq == "=" => value.join(" "),
                            _ => prev.map_or("0".to_owned(), |p| format!("( {p} ) + 1")),
                        };
                        if let Some(old) = self.enums.insert(name.clone(), expr.clone()) {
                            if old != expr {
                                self.ambiguous.insert(name.clone());
                            }
                        }
                        prev = Some(expr);
                    }
                    i = end;
                }
                "struct" if next(2) == "{" => {
                    let Some(end) = close(i + 2) else { return };
                    self.structs
                        .entry(next(1).to_owned())
                        .or_insert_with(|| toks[i + 3..end].join(" "));
                    i = end;
                }
                "typedef" => {
                    let Some(semi) = (i..toks.len()).find(|&k| toks[k] == ";") else {
                        return;
                    };
                    if !toks[i..semi].iter().any(|t| t == "{") && semi > i + 2 {
                        self.typedefs
                            .insert(toks[semi - 1].clone(), toks[i + 1..semi - 1].join(" "));
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// How `name` is defined: the body of its `#define`, or the value
    /// written in its `enum` (`None` for an enum constant numbered by its
    /// place).
    pub fn definition(&self, name: &str) -> Option<&str> {
        let implicit = |body: &&String| body.ends_with(") + 1") || body.as_str() == "0";
        self.defines
            .get(name)
            .or_else(|| self.enums.get(name).filter(|b| !implicit(b)))
            .map(String::as_str)
    }

    /// The value of a C expression.
    pub fn eval(&self, expr: &str) -> Result<u64, String> {
        let toks = tokens(expr);
        self.eval_tokens(&toks, 0)
    }

    fn eval_tokens(&self, toks: &[String], depth: u32) -> Result<u64, String> {
        if depth > 64 {
            return Err("definitions nest too deep".to_owned());
        }
        let mut e = Eval {
            h: self,
            toks,
            pos: 0,
            depth,
        };
        let v = e.binary(0)?;
        match e.peek() {
            None => Ok(v),
            Some(t) => Err(format!("unexpected `{t}` in `{}`", toks.join(" "))),
        }
    }

    fn value(&self, name: &str, depth: u32) -> Result<u64, String> {
        if self.ambiguous.contains(name) {
            return Err(format!("{name} is defined twice, differently"));
        }
        let body = self
            .defines
            .get(name)
            .or_else(|| self.enums.get(name))
            .ok_or_else(|| format!("{name} is not defined"))?;
        self.eval_tokens(&tokens(body), depth + 1)
            .map_err(|e| format!("{name} = {body}: {e}"))
    }

    pub fn ioc(&self) -> Result<Ioc, String> {
        Ok(Ioc {
            none: self.eval("_IOC_NONE")?,
            read: self.eval("_IOC_READ")?,
            write: self.eval("_IOC_WRITE")?,
            size_bits: self.eval("_IOC_SIZEBITS")?,
            nr_shift: self.eval("_IOC_NRSHIFT")?,
            type_shift: self.eval("_IOC_TYPESHIFT")?,
            size_shift: self.eval("_IOC_SIZESHIFT")?,
            dir_shift: self.eval("_IOC_DIRSHIFT")?,
        })
    }

    /// Size and alignment of a C type.
    pub fn size_of(&self, ty: &str) -> Result<(u64, u64), String> {
        match ty {
            "char" | "signed char" | "unsigned char" => Ok((1, 1)),
            "short" | "unsigned short" => Ok((2, 2)),
            "int" | "unsigned int" => Ok((4, 4)),
            _ => {
                if let Some(name) = ty.strip_prefix("struct ") {
                    match self.structs.get(name) {
                        Some(body) => self.layout(body),
                        // Four unsigned shorts (asm-generic/termios.h,
                        // not unpacked).
                        None if name == "winsize" => Ok((8, 2)),
                        None => Err(format!("struct {name} is not defined")),
                    }
                } else if let Some(base) = self.typedefs.get(ty) {
                    self.size_of(base)
                } else {
                    Err(format!("unknown type `{ty}`"))
                }
            }
        }
    }

    /// Size and alignment of a struct of plain and array fields.
    fn layout(&self, body: &str) -> Result<(u64, u64), String> {
        let (mut size, mut align) = (0u64, 1u64);
        for field in body.split(';').map(tokens).filter(|f| !f.is_empty()) {
            let (decl, count) = match field.iter().position(|t| t == "[") {
                Some(open) if field.last().is_some_and(|t| t == "]") => (
                    &field[..open],
                    self.eval_tokens(&field[open + 1..field.len() - 1], 0)?,
                ),
                Some(_) => return Err(format!("field `{}`", field.join(" "))),
                None => (&field[..], 1),
            };
            let Some((_name, ty)) = decl.split_last() else {
                return Err(format!("field `{}`", field.join(" ")));
            };
            let (s, a) = self.size_of(&ty.join(" "))?;
            size = size.next_multiple_of(a) + s * count;
            align = align.max(a);
        }
        Ok((size.next_multiple_of(align), align))
    }
}

/// A precedence-climbing evaluator over tokens.
struct Eval<'a> {
    h: &'a Headers,
    toks: &'a [String],
    pos: usize,
    depth: u32,
}

impl<'a> Eval<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.toks.get(self.pos).map(String::as_str)
    }

    fn take(&mut self) -> Result<&'a str, String> {
        let t = self.peek().ok_or("unexpected end of expression")?;
        self.pos += 1;
        Ok(t)
    }

    fn expect(&mut self, t: &str) -> Result<(), String> {
        match self.take()? {
            got if got == t => Ok(()),
            got => Err(format!("expected `{t}`, found `{got}`")),
        }
    }

    fn binary(&mut self, level: usize) -> Result<u64, String> {
        const LEVELS: [&[&str]; 6] = [&["|"], &["^"], &["&"], &["<<", ">>"], &["+", "-"], &["*"]];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut v = self.binary(level + 1)?;
        while let Some(op) = self.peek().filter(|t| LEVELS[level].contains(t)) {
            self.pos += 1;
            let r = self.binary(level + 1)?;
            v = match op {
                "|" => v | r,
                "^" => v ^ r,
                "&" => v & r,
                "<<" => v << r,
                ">>" => v >> r,
                "+" => v.wrapping_add(r),
                "-" => v.wrapping_sub(r),
                _ => v.wrapping_mul(r),
            };
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<u64, String> {
        match self.peek() {
            Some("~") => {
                self.pos += 1;
                Ok(!self.unary()?)
            }
            Some("-") => {
                self.pos += 1;
                Ok(self.unary()?.wrapping_neg())
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<u64, String> {
        let t = self.take()?;
        if t == "(" {
            let v = self.binary(0)?;
            self.expect(")")?;
            return Ok(v);
        }
        if let Some(c) = t.strip_prefix('\'').and_then(|c| c.strip_suffix('\'')) {
            return match c.as_bytes() {
                [b] => Ok(u64::from(*b)),
                _ => Err(format!("character literal {t}")),
            };
        }
        if t.starts_with(|c: char| c.is_ascii_digit()) {
            let digits = t.trim_end_matches(['u', 'U', 'l', 'L']);
            let parsed = if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X"))
            {
                u64::from_str_radix(hex, 16)
            } else if digits.len() > 1 && digits.starts_with('0') {
                u64::from_str_radix(&digits[1..], 8)
            } else {
                digits.parse()
            };
            return parsed.map_err(|e| format!("number {t}: {e}"));
        }
        match t {
            "_IO" | "_IOR" | "_IOW" | "_IOWR" => self.ioctl(t),
            _ if t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                self.h.value(t, self.depth)
            }
            _ => Err(format!("unexpected `{t}`")),
        }
    }

    /// `_IO(type, nr)`, `_IOR(type, nr, T)`, `_IOW`, `_IOWR`.
    fn ioctl(&mut self, which: &str) -> Result<u64, String> {
        self.expect("(")?;
        let start = self.pos;
        let mut depth = 0;
        loop {
            match self.take()? {
                "(" => depth += 1,
                ")" if depth == 0 => break,
                ")" => depth -= 1,
                _ => {}
            }
        }
        let args: Vec<&[String]> = self.toks[start..self.pos - 1].split(|t| t == ",").collect();
        let enc = self.h.ioc()?;
        let size = |i: usize| self.h.size_of(&args[i].join(" ")).map(|s| s.0);
        let (dir, size) = match (which, args.len()) {
            ("_IO", 2) => (enc.none, 0),
            ("_IOR", 3) => (enc.read, size(2)?),
            ("_IOW", 3) => (enc.write, size(2)?),
            ("_IOWR", 3) => (enc.read | enc.write, size(2)?),
            _ => return Err(format!("{which} with {} arguments", args.len())),
        };
        let ty = self.h.eval_tokens(args[0], self.depth + 1)?;
        let nr = self.h.eval_tokens(args[1], self.depth + 1)?;
        if ty > 0xff || nr > 0xff || size >= 1 << enc.size_bits {
            return Err(format!("{which}({ty}, {nr}, size {size}) does not fit"));
        }
        Ok(dir << enc.dir_shift
            | ty << enc.type_shift
            | nr << enc.nr_shift
            | size << enc.size_shift)
    }
}

/// Which argument of `clone` holds the flags on `arch`: the clone
/// `SYSCALL_DEFINE` of kernel/fork.c that the `CLONE_BACKWARDS*`
/// option arch/$A/Kconfig selects picks (any it selects anywhere: they
/// must agree).
pub fn clone_flags_arg(root: &Path, arch: &str) -> Result<u8, String> {
    let fork = read(&root.join("kernel/fork.c"))?;
    let start = fork
        .find("#ifdef __ARCH_WANT_SYS_CLONE\n")
        .ok_or("fork.c: no __ARCH_WANT_SYS_CLONE")?;
    // (the CONFIG_ option, or None for the #else; the flags' index)
    let mut variants: Vec<(Option<String>, u8)> = Vec::new();
    let mut config: Option<String> = None;
    let mut lines = fork[start..].lines().skip(1);
    while let Some(line) = lines.next() {
        let line = line.trim();
        if let Some(c) = line.strip_prefix("#ifdef CONFIG_") {
            config = Some(c.trim().to_owned());
        } else if let Some(c) = line.strip_prefix("#elif defined(CONFIG_") {
            config = Some(c.trim().trim_end_matches(')').to_owned());
        } else if line == "#else" {
            config = None;
        } else if line.starts_with("SYSCALL_DEFINE") && line.contains("(clone,") {
            let mut decl = line.to_owned();
            while !decl.contains(')') {
                decl.push_str(lines.next().ok_or("fork.c: unterminated clone")?);
            }
            let args = decl.split_once("(clone,").map_or("", |d| d.1);
            let args: Vec<&str> = args
                .split(')')
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .collect();
            let index = args
                .chunks(2)
                .position(|pair| pair.get(1) == Some(&"clone_flags"))
                .ok_or_else(|| format!("fork.c: no clone_flags in {decl}"))?;
            variants.push((config.clone(), index as u8));
            if config.is_none() {
                break;
            }
        }
    }
    if variants.len() != 4 {
        return Err(format!(
            "fork.c: expected 4 clone definitions, found {variants:?}"
        ));
    }
    let kconfig = read(&root.join(format!("arch/{arch}/Kconfig")))?;
    let selected: HashSet<&str> = kconfig
        .lines()
        .filter_map(|l| l.trim().strip_prefix("select "))
        .filter_map(|s| s.split_whitespace().next())
        .filter(|s| s.starts_with("CLONE_BACKWARDS"))
        .collect();
    let mut picked: Vec<u8> = variants
        .iter()
        .filter(|(c, _)| c.as_deref().is_some_and(|c| selected.contains(c)))
        .map(|v| v.1)
        .collect();
    if picked.is_empty() {
        picked.extend(variants.iter().filter(|v| v.0.is_none()).map(|v| v.1));
    }
    picked.sort_unstable();
    picked.dedup();
    match picked[..] {
        [index] => Ok(index),
        _ => Err(format!("{arch}: clone variants disagree: {selected:?}")),
    }
}
