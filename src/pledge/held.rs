//! What this process still holds: the promises of its pledges so far, and
//! the execpromises a program it runs may get. A module of its own because
//! both applying a pledge (which narrows them) and the report-mode `SIGSYS`
//! handler (which reads them) need them, and neither should import the
//! other.

use super::Promises;
use core::sync::atomic::{AtomicU32, Ordering};

/// The promises this process still holds (all bits: never pledged).
pub(crate) static HELD: AtomicU32 = AtomicU32::new(u32::MAX);
/// The execpromises a program run by execve may still get.
pub(crate) static EXEC_HELD: AtomicU32 = AtomicU32::new(u32::MAX);

/// The promises this process holds (all of them before any pledge).
///
/// ```
/// // Nothing pledged in this doctest:
/// assert_eq!(seclude::pledge::held(), seclude::pledge::Promises::all());
/// ```
pub fn held() -> Promises {
    Promises::from_bits_truncate(HELD.load(Ordering::Acquire))
}
