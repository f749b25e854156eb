//! What calls return, and what is expected of them.

use super::*;

/// What a call returned: its value, or the errno it failed with.
pub(crate) type Ret = Result<i64, i32>;

/// A C-style return value (-1 and errno on failure) as a [`Ret`]; call it
/// right after the call, before anything can change errno.
pub(crate) fn ret(r: impl Into<i64>) -> Ret {
    let r = r.into();
    if r == -1 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        Ok(r)
    }
}

pub(crate) fn io<T>(r: std::io::Result<T>) -> Ret {
    r.map(|_| 0).map_err(|e| e.raw_os_error().unwrap_or(0))
}

pub(crate) fn failure(at: &Location<'_>, what: &str, got: Ret, expected: &str) -> String {
    let got = match got {
        Ok(v) => format!("returned {v}"),
        Err(e) => format!("failed with errno {e}"),
    };
    format!(
        "{}:{}: {what}: {got}, expected {expected} (promises \"{}\", uid {})",
        at.file(),
        at.line(),
        case(),
        // SAFETY: getuid has no arguments.
        unsafe { libc::getuid() }
    )
}

/// The call succeeded; its value.
#[track_caller]
pub(crate) fn ok(what: &str, r: Ret) -> Result<i64, String> {
    let at = Location::caller();
    r.map_err(|e| failure(at, what, Err(e), "success"))
}

/// The filter refused the call.
#[track_caller]
pub(crate) fn refused(what: &str, r: Ret) -> Result<(), String> {
    match r {
        Err(FILTER_ERRNO) => Ok(()),
        other => Err(failure(
            Location::caller(),
            what,
            other,
            "refusal by the filter (errno 131)",
        )),
    }
}

/// The filter let the call through (the kernel may still have failed it).
#[track_caller]
pub(crate) fn let_through(what: &str, r: Ret) -> Result<(), String> {
    match r {
        Err(FILTER_ERRNO) => Err(failure(
            Location::caller(),
            what,
            r,
            "the filter to let it through",
        )),
        _ => Ok(()),
    }
}

/// Succeeded when `allowed`, refused by the filter otherwise.
#[track_caller]
pub(crate) fn ok_if(allowed: bool, what: &str, r: Ret) -> Result<(), String> {
    if allowed {
        ok(what, r).map(drop)
    } else {
        refused(what, r)
    }
}

/// Let through when `allowed`, refused by the filter otherwise.
#[track_caller]
pub(crate) fn through_if(allowed: bool, what: &str, r: Ret) -> Result<(), String> {
    if allowed {
        let_through(what, r)
    } else {
        refused(what, r)
    }
}

/// The call failed with exactly `errno` (not the filter's).
#[track_caller]
pub(crate) fn fails_with(errno: i32, what: &str, r: Ret) -> Result<(), String> {
    if r == Err(errno) {
        Ok(())
    } else {
        Err(failure(
            Location::caller(),
            what,
            r,
            &format!("errno {errno}"),
        ))
    }
}

#[track_caller]
pub(crate) fn ensure(condition: bool, what: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        let at = Location::caller();
        Err(format!("{}:{}: {what}", at.file(), at.line()))
    }
}
