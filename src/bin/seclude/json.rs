//! A strict JSON reader for policy files: RFC 8259 values, with the line
//! and column of every value kept for error messages, a depth limit, and
//! duplicate object keys refused (a reviewer reads the first, a parser
//! might keep the last). Numbers are integers (`i128` range checked by the
//! caller): a policy has no use for fractions.
//!
//! Pure: no I/O, fuzzed by `fuzz/fuzz_targets/policy_json.rs`.

use std::fmt;

/// Nesting deeper than this is refused (the stack is not the limit).
pub const MAX_DEPTH: usize = 64;

/// Where a value starts in the text, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A JSON value with where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub at: Position,
    pub kind: Kind,
}

/// What a value is. Objects keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Integer(i128),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Kind {
    /// The JSON type's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Integer(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// A syntax error and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Position,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Parses one JSON document (a value, surrounded by white space only).
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
    };
    p.skip_space();
    let value = p.value(0)?;
    p.skip_space();
    if p.pos < p.bytes.len() {
        return Err(p.error("text after the end of the document"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Parser<'_> {
    fn here(&self) -> Position {
        // Columns count characters, not bytes.
        let column = std::str::from_utf8(&self.bytes[self.line_start..self.pos])
            .map(|s| s.chars().count())
            .unwrap_or(self.pos - self.line_start);
        Position {
            line: self.line,
            column: column + 1,
        }
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            at: self.here(),
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                _ => break,
            }
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let at = self.here();
        let kind = match self.peek() {
            None => return Err(self.error("expected a value, found the end")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.word("true", Kind::Bool(true))?,
            Some(b'f') => self.word("false", Kind::Bool(false))?,
            Some(b'n') => self.word("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
        };
        Ok(Value { at, kind })
    }

    fn word(&mut self, word: &str, kind: Kind) -> Result<Kind, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Kind, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        if self.pos == digits {
            return Err(self.error("expected a digit"));
        }
        if self.bytes[digits] == b'0' && self.pos - digits > 1 {
            return Err(self.error("a number may not start with 0"));
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(self.error("only whole numbers are allowed here"));
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).expect("ASCII");
        text.parse::<i128>()
            .map(Kind::Integer)
            .map_err(|_| self.error("number out of range"))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.expect(b'"', "'\"'")?;
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("unknown escape")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                0..=0x1f => return Err(self.error("control character in a string")),
                _ => {
                    // One UTF-8 character (the input is a &str).
                    let rest = std::str::from_utf8(&self.bytes[self.pos..])
                        .map_err(|_| self.error("invalid UTF-8"))?;
                    let c = rest.chars().next().expect("not at the end");
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            return Err(self.error("expected four hex digits"));
        };
        let text =
            std::str::from_utf8(digits).map_err(|_| self.error("expected four hex digits"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("expected four hex digits"));
        }
        self.pos += 4;
        Ok(u32::from_str_radix(text, 16).expect("hex digits"))
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            // A surrogate pair: \uD83D\uDE00.
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(self.error("lone surrogate in \\u escape"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(self.error("lone surrogate in \\u escape"));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate in \\u escape"))
    }

    fn array(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.expect(b'[', "'['")?;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, SyntaxError> {
        self.expect(b'{', "'{'")?;
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_space();
            let key_at = self.here();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key (a string)"));
            }
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(SyntaxError {
                    at: key_at,
                    message: format!("\"{key}\" appears twice in this object"),
                });
            }
            self.skip_space();
            self.expect(b':', "':'")?;
            self.skip_space();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

/// `text` as a JSON string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_where_they_start() {
        let v = parse("{\n  \"a\": [1, -2, true, null],\n  \"b\": \"x\\u00e9\\n\"\n}").unwrap();
        let Kind::Object(members) = v.kind else {
            panic!()
        };
        assert_eq!(members[0].0, "a");
        assert_eq!(members[0].1.at, Position { line: 2, column: 8 });
        assert_eq!(members[1].1.kind, Kind::String("xé\n".into()));
        let Kind::Array(items) = &members[0].1.kind else {
            panic!()
        };
        assert_eq!(items[1].kind, Kind::Integer(-2));
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(e.at, Position { line: 2, column: 2 });
        assert!(e.message.contains("twice"));
        assert_eq!(parse("[1,]").unwrap_err().at.column, 4);
        assert!(parse("1.5").unwrap_err().message.contains("whole"));
        assert!(parse("01").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse("[] x").is_err());
        assert!(parse("\"a\nb\"").is_err());
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).unwrap_err().message.contains("deeply"));
    }

    #[test]
    fn quoted_strings_read_back() {
        for s in ["plain", "q\"b\\s", "tab\tnl\n", "\u{1}", "é/ü"] {
            assert_eq!(parse(&quote(s)).unwrap().kind, Kind::String(s.into()));
        }
    }
}
