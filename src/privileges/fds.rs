//! Closing inherited file descriptors: every descriptor above 2 except a
//! kept list.
//!
//! A descriptor a sandboxed program inherited (a parent's socket, a log
//! file, a directory outside its Landlock rules) is a capability no filter
//! sees: access through it was checked when it was opened. So they go
//! before the sandbox starts. The pure part computes the ranges to close
//! from the kept list; the system-call part closes them with `close_range`
//! (Linux 5.9), or, before 5.9, closes what `/proc/self/fd` lists, or,
//! without `/proc`, every number up to the descriptor limit.

use crate::errno::Errno;
use crate::sys::fd::{O_CLOEXEC, O_DIRECTORY, O_RDONLY, close, open};
use crate::sys::syscall3;
use crate::tables::native_nr;

/// The ranges of descriptor numbers, from 3 up, that are not in a kept
/// list: what must be closed. Each item is `(first, last)`, inclusive; the
/// last range ends at `u32::MAX`, which `close_range` takes as "all the
/// rest". The kept list may be in any order, hold repeats, negative numbers
/// and numbers below 3 (all harmless); no allocation, `O(k²)` for `k` kept
/// descriptors.
///
/// ```
/// use seclude::privileges::CloseGaps;
/// let gaps: Vec<(u32, u32)> = CloseGaps::new(&[7, 4, 4, 1]).collect();
/// assert_eq!(gaps, [(3, 3), (5, 6), (8, u32::MAX)]);
/// ```
#[derive(Clone, Debug)]
pub struct CloseGaps<'a> {
    keep: &'a [i32],
    /// The lowest number not yet covered; `None` once past `u32::MAX`.
    next: Option<u32>,
}

impl<'a> CloseGaps<'a> {
    /// The gaps around `keep`, starting at descriptor 3.
    ///
    /// ```
    /// use seclude::privileges::CloseGaps;
    /// assert_eq!(CloseGaps::new(&[]).next(), Some((3, u32::MAX)));
    /// ```
    pub const fn new(keep: &'a [i32]) -> CloseGaps<'a> {
        CloseGaps {
            keep,
            next: Some(3),
        }
    }

    /// Whether descriptor `fd` is kept.
    const fn kept(&self, fd: u32) -> bool {
        let mut i = 0;
        while i < self.keep.len() {
            if self.keep[i] >= 0 && self.keep[i] as u32 == fd {
                return true;
            }
            i += 1;
        }
        false
    }
}

impl Iterator for CloseGaps<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        let mut first = self.next?;
        while self.kept(first) {
            first = match first.checked_add(1) {
                Some(n) => n,
                None => {
                    self.next = None;
                    return None;
                }
            };
        }
        // The gap ends just below the nearest kept descriptor above it.
        let mut last = u32::MAX;
        for &fd in self.keep {
            if fd >= 0 && (fd as u32) > first && (fd as u32) - 1 < last {
                last = fd as u32 - 1;
            }
        }
        self.next = last.checked_add(1);
        Some((first, last))
    }
}

/// How [`close_fds_except`] closes descriptors.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CloseMethod {
    /// `close_range`, falling back as below when the kernel lacks it (the
    /// normal choice).
    Auto,
    /// `close_range` once per gap (Linux 5.9); `ENOSYS` before.
    CloseRange,
    /// Close each descriptor `/proc/self/fd` lists (`getdents64`). Needs
    /// `/proc` mounted; a process may always list its own descriptors,
    /// dumpable or not (`proc_fd_permission`).
    ProcSelfFd,
    /// `close` on every number from 3 up to the hard `RLIMIT_NOFILE`
    /// (at most 2^20, the kernel's default `fs.nr_open`: a descriptor above
    /// that, possible only where an administrator raised `fs.nr_open`, is
    /// not closed by this method).
    UpToLimit,
}

/// Closes every descriptor above 2 that is not in `keep`, and returns the
/// method that did it ([`CloseMethod::Auto`] resolves to the method that
/// worked).
///
/// ```
/// use seclude::privileges::{close_fds_except, CloseMethod};
/// # // Run in a child: the doctest binary's own descriptors must survive.
/// # match unsafe { seclude::sys::process::fork(0) }.unwrap() {
/// #   seclude::sys::process::Forked::Child => {
/// let (r, w) = seclude::sys::fd::pipe().unwrap();
/// let (r, w) = (r.into_raw(), w.into_raw());
/// let (gone, _gone_too) = seclude::sys::fd::pipe().unwrap();
/// let gone = gone.into_raw();
/// close_fds_except(&[r, w], CloseMethod::Auto).unwrap();
/// let mut buf = [0u8; 1];
/// assert_eq!(seclude::sys::fd::read(gone, &mut buf), Err(seclude::Errno::EBADF));
/// assert_eq!(seclude::sys::write(w, b"x"), Ok(1)); // the kept ones are open
/// assert_eq!(seclude::sys::fd::read(r, &mut buf), Ok(1));
/// #     seclude::sys::exit_group(0);
/// #   }
/// #   seclude::sys::process::Forked::Parent(pid) => {
/// #     assert_eq!(seclude::sys::process::wait(pid), Ok(seclude::sys::process::ExitStatus::Exited(0)));
/// #   }
/// # }
/// ```
pub fn close_fds_except(keep: &[i32], method: CloseMethod) -> Result<CloseMethod, Errno> {
    match method {
        CloseMethod::CloseRange => close_range_gaps(keep).map(|()| method),
        CloseMethod::ProcSelfFd => close_listed(keep).map(|()| method),
        CloseMethod::UpToLimit => close_up_to_limit(keep).map(|()| method),
        CloseMethod::Auto => match close_range_gaps(keep) {
            Ok(()) => Ok(CloseMethod::CloseRange),
            Err(Errno::ENOSYS) => match close_listed(keep) {
                Ok(()) => Ok(CloseMethod::ProcSelfFd),
                // No /proc (or a seccomp filter denying the calls).
                Err(_) => close_up_to_limit(keep).map(|()| CloseMethod::UpToLimit),
            },
            Err(e) => Err(e),
        },
    }
}

fn close_range_gaps(keep: &[i32]) -> Result<(), Errno> {
    for (first, last) in CloseGaps::new(keep) {
        // SAFETY: integer arguments only; flags 0 closes.
        unsafe { syscall3(native_nr!(close_range), first as usize, last as usize, 0) }?;
    }
    Ok(())
}

/// The names in a buffer of `struct linux_dirent64` records as
/// `getdents64` fills it: `d_ino` (8 bytes), `d_off` (8), `d_reclen` (2),
/// `d_type` (1), then the NUL-terminated name, the record padded to
/// `d_reclen`. A malformed record ends the iteration.
pub(crate) fn dirent_names(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    const NAME_AT: usize = 19;
    let mut rest = buf;
    core::iter::from_fn(move || {
        if rest.len() < NAME_AT {
            return None;
        }
        let reclen = u16::from_ne_bytes([rest[16], rest[17]]) as usize;
        if reclen < NAME_AT || reclen > rest.len() {
            rest = &[];
            return None;
        }
        let record = &rest[NAME_AT..reclen];
        rest = &rest[reclen..];
        let len = record.iter().position(|&b| b == 0).unwrap_or(record.len());
        Some(&record[..len])
    })
}

/// The descriptor number a `/proc/self/fd` entry names (`.` and `..` are
/// not numbers).
fn fd_number(name: &[u8]) -> Option<u32> {
    if name.is_empty() || name.len() > 10 || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for &d in name {
        n = n * 10 + (d - b'0') as u64;
    }
    u32::try_from(n).ok()
}

fn close_listed(keep: &[i32]) -> Result<(), Errno> {
    let dir = open(c"/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)?;
    let gaps = CloseGaps::new(keep);
    // u64 elements: linux_dirent64 records are 8-byte aligned.
    let mut buf = [0u64; 256];
    loop {
        // SAFETY: the kernel writes at most the buffer's size in bytes.
        let n = unsafe {
            syscall3(
                native_nr!(getdents64),
                dir.raw() as usize,
                buf.as_mut_ptr() as usize,
                core::mem::size_of_val(&buf),
            )
        }?;
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the kernel filled n bytes of buf; u8 has no alignment.
        let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr() as *const u8, n) };
        for name in dirent_names(bytes) {
            // /proc lists by descriptor number, and its position is the
            // number, so closing what was listed skips nothing later.
            match fd_number(name) {
                Some(fd) if fd >= 3 && fd as i32 != dir.raw() && !gaps.kept(fd) => close(fd as i32),
                _ => {}
            }
        }
    }
}

fn close_up_to_limit(keep: &[i32]) -> Result<(), Errno> {
    let limit = super::rlimit::getrlimit(super::rlimit::Resource::Nofile)?;
    let bound = limit.hard.min(1 << 20) as u32;
    let gaps = CloseGaps::new(keep);
    for fd in 3..bound {
        if !gaps.kept(fd) {
            close(fd as i32);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// The gaps the slow way: walk every number below a bound.
    fn brute_force(keep: &[i32], bound: u32) -> Vec<(u32, u32)> {
        let kept = |n: u32| keep.iter().any(|&k| k >= 0 && k as u32 == n);
        let mut out: Vec<(u32, u32)> = Vec::new();
        for n in 3..bound {
            if kept(n) {
                continue;
            }
            match out.last_mut() {
                Some((_, last)) if *last + 1 == n => *last = n,
                _ => out.push((n, n)),
            }
        }
        out
    }

    #[test]
    fn gaps_match_brute_force() {
        let mut rng = crate::testing::Rng(0x5eed_f00d_dead_beef);
        for _ in 0..3000 {
            let len = rng.below(8) as usize;
            let keep: Vec<i32> = (0..len).map(|_| rng.below(40) as i32 - 3).collect();
            let gaps: Vec<(u32, u32)> = CloseGaps::new(&keep).collect();
            // Truncate the open-ended last gap to the brute force's bound.
            let bound = 64;
            let mut cut: Vec<(u32, u32)> = gaps
                .iter()
                .map(|&(a, b)| (a, b.min(bound - 1)))
                .filter(|&(a, _)| a < bound)
                .collect();
            cut.dedup();
            assert_eq!(cut, brute_force(&keep, bound), "{keep:?}");
            assert_eq!(gaps.last().unwrap().1, u32::MAX, "{keep:?}");
            // Sorted, disjoint, no kept number inside.
            for w in gaps.windows(2) {
                assert!(w[0].1 < w[1].0);
            }
            for &(a, b) in &gaps {
                assert!(a >= 3 && a <= b);
                assert!(
                    !keep
                        .iter()
                        .any(|&k| k >= 0 && (k as u32) >= a && (k as u32) <= b)
                );
            }
        }
    }

    #[test]
    fn gaps_at_the_top_of_the_range() {
        let top = i32::MAX;
        let gaps: Vec<(u32, u32)> = CloseGaps::new(&[top, 3]).collect();
        assert_eq!(gaps, [(4, top as u32 - 1), (top as u32 + 1, u32::MAX)]);
        let mut all = CloseGaps::new(&[]);
        assert_eq!(all.next(), Some((3, u32::MAX)));
        assert_eq!(all.next(), None);
    }

    fn record(name: &[u8], pad_to: usize) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&1u64.to_ne_bytes());
        r.extend_from_slice(&2i64.to_ne_bytes());
        r.extend_from_slice(&(pad_to as u16).to_ne_bytes());
        r.push(10);
        r.extend_from_slice(name);
        r.push(0);
        r.resize(pad_to, 0);
        r
    }

    #[test]
    fn dirents_parse_and_malformed_ones_stop() {
        let mut buf = record(b".", 24);
        buf.extend(record(b"..", 24));
        buf.extend(record(b"12", 24));
        buf.extend(record(b"1234567", 32));
        let names: Vec<&[u8]> = dirent_names(&buf).collect();
        assert_eq!(names, [&b"."[..], b"..", b"12", b"1234567"]);
        let numbers: Vec<Option<u32>> = names.iter().map(|n| fd_number(n)).collect();
        assert_eq!(numbers, [None, None, Some(12), Some(1234567)]);
        assert_eq!(fd_number(b"99999999999"), None);
        assert_eq!(fd_number(b"4294967296"), None);
        // A record length past the end, or too short to hold a name.
        let mut bad = record(b"3", 24);
        bad[16] = 200;
        assert_eq!(dirent_names(&bad).count(), 0);
        bad[16] = 4;
        assert_eq!(dirent_names(&bad).count(), 0);
        assert_eq!(dirent_names(&buf[..30]).count(), 1);
        // Arbitrary bytes never panic.
        let mut rng = crate::testing::Rng(42);
        for _ in 0..2000 {
            let junk: Vec<u8> = (0..rng.below(80)).map(|_| rng.below(256) as u8).collect();
            for name in dirent_names(&junk) {
                let _ = fd_number(name);
            }
        }
    }
}
