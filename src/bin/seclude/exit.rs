//! seclude's own exit statuses. Any other status is the program's own; a
//! program killed by signal N gives 128 + N.

/// A bad flag, argument or value (the message names it).
pub const USAGE: u8 = 64;
/// A promise list with an unknown word, or promises that cannot be
/// compiled.
pub const PROMISES: u8 = 65;
/// An unveil rule that cannot be applied (missing path, bad
/// permission letters, Landlock unavailable).
pub const UNVEIL: u8 = 66;
/// `explain` found the promise table and the compiled filter
/// disagreeing: a bug in seclude (`EX_SOFTWARE`).
pub const BUG: u8 = 70;
/// Another part of the sandbox could not be applied (namespaces,
/// limits, ids, the seccomp filter).
pub const SETUP: u8 = 71;
/// The program was found but could not be executed.
pub const CANNOT_EXECUTE: u8 = 126;
/// The program was not found.
pub const NOT_FOUND: u8 = 127;
/// Killed for a refused call under `-k` (as by `SIGSYS`: 128 + 31).
pub const VIOLATION: u8 = 159;
