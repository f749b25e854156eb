//! `const` string helpers: the standard library's comparisons and slicing
//! of `str` are not `const fn`, and the tables, errno names and promise
//! words are all looked up in `const` context.

use core::cmp::Ordering;

/// Compares two byte strings lexicographically.
pub(crate) const fn compare(a: &[u8], b: &[u8]) -> Ordering {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return if a[i] < b[i] {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        i += 1;
    }
    if a.len() == b.len() {
        Ordering::Equal
    } else if a.len() < b.len() {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Whether two strings are equal.
pub(crate) const fn eq(a: &str, b: &str) -> bool {
    matches!(compare(a.as_bytes(), b.as_bytes()), Ordering::Equal)
}

/// `s[start..end]`. The callers cut at ASCII boundaries, so the result is
/// valid UTF-8; were it not, the empty string is returned.
pub(crate) const fn slice(s: &str, start: usize, end: usize) -> &str {
    let bytes = s.as_bytes().split_at(end).0.split_at(start).1;
    match core::str::from_utf8(bytes) {
        Ok(part) => part,
        Err(_) => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_orders_bytewise_then_by_length() {
        assert_eq!(compare(b"abc", b"abd"), Ordering::Less);
        assert_eq!(compare(b"ab", b"abc"), Ordering::Less);
        assert_eq!(compare(b"b", b"abc"), Ordering::Greater);
        assert!(eq("read", "read") && !eq("read", "reads"));
    }

    #[test]
    fn slice_cuts_and_refuses_broken_utf8() {
        assert_eq!(slice("stdio rpath", 6, 11), "rpath");
        assert_eq!(slice("ä", 0, 1), "");
    }
}
