//! Which promises a recorded call needs, and the fewest promises that
//! allow a whole recording: the pure part of `seclude learn`.
//!
//! [`needs`] reads the promise table for one call (ABI, syscall, argument
//! registers) and gives the promise sets that allow it, as [`Needs`];
//! [`smallest_cover`] gives the smallest promise set that allows every
//! call of a recording that some promise set allows.

use super::Promises;
use super::table::{NATIVE_TABLE, Table, Verdict, table};
use crate::tables::{Abi, Syscall};
use core::fmt;

/// Most alternatives of one [`Needs`]: the widest antichain of promise
/// sets among one syscall's entries on any ABI (`sendto` with no address:
/// `stdio`, `inet`, `anet`, `unix` or `dns`); tested on every ABI.
const ALTERNATIVES: usize = 5;

/// The promise sets under which one call is allowed: the call is allowed
/// under promises `S` exactly when some alternative is a subset of `S` and
/// `S` holds none of the promises that alternative excludes
/// ([`Needs::excluded`]; only `memfd_create` has any: without
/// `MFD_NOEXEC_SEAL` it is allowed by `stdio` unless `exec` is held).
///
/// The alternatives are minimal (none allows only what another allows
/// too) and kept in a fixed order, so two `Needs` allowing the same promise sets are equal
/// (and hash alike): a recording can be deduplicated by comparing them.
/// No alternatives: no promise set allows the call ([`Needs::is_never`]);
/// the one empty alternative: every promise set does ([`Needs::is_always`]).
///
/// ```
/// use seclude::{pledge::needs, promises, tables::{Abi, Syscall}};
/// const O_RDWR: u64 = 2;
/// let n = needs(Abi::X86_64, Syscall::openat, &[-100i64 as u64, 0, O_RDWR, 0, 0, 0], 1);
/// assert_eq!(n.alternatives(), [promises!("rpath wpath")]);
/// assert!(n.allows(promises!("stdio rpath wpath")));
/// assert!(!n.allows(promises!("stdio rpath")));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Needs {
    /// Sorted by `bits()` (then by their exclusions), none allowing only
    /// what another does; the slots past `len` are empty (so that the
    /// derived `Eq` and `Hash` compare the sets).
    alternatives: [Promises; ALTERNATIVES],
    /// What each alternative excludes: the call is not allowed by it
    /// while any of these is held.
    unless: [Promises; ALTERNATIVES],
    len: u8,
}

impl Needs {
    /// No promise set allows the call.
    ///
    /// ```
    /// use seclude::{pledge::{Needs, Promises}};
    /// assert!(Needs::NEVER.is_never());
    /// assert!(!Needs::NEVER.allows(Promises::all()));
    /// ```
    pub const NEVER: Needs = Needs {
        alternatives: [Promises::empty(); ALTERNATIVES],
        unless: [Promises::empty(); ALTERNATIVES],
        len: 0,
    };

    /// Every promise set allows the call, the empty one too.
    ///
    /// ```
    /// use seclude::{pledge::{Needs, Promises, needs}, tables::{Abi, Syscall}};
    /// assert!(Needs::ALWAYS.allows(Promises::empty()));
    /// assert_eq!(needs(Abi::X86_64, Syscall::exit_group, &[0; 6], 1), Needs::ALWAYS);
    /// ```
    pub const ALWAYS: Needs = Needs {
        alternatives: [Promises::empty(); ALTERNATIVES],
        unless: [Promises::empty(); ALTERNATIVES],
        len: 1,
    };

    /// The alternatives: minimal promise sets, in increasing order of
    /// [`Promises::bits`].
    ///
    /// ```
    /// use seclude::{pledge::needs, promises, tables::{Abi, Syscall}};
    /// // recvmsg: on a socket of any kind, or for receiving descriptors.
    /// let n = needs(Abi::X86_64, Syscall::recvmsg, &[3, 0, 0, 0, 0, 0], 1);
    /// assert_eq!(n.alternatives().len(), 5);
    /// assert_eq!(n.alternatives()[0], promises!("inet"));
    /// ```
    pub const fn alternatives(&self) -> &[Promises] {
        self.alternatives.split_at(self.len as usize).0
    }

    /// What each alternative excludes, in the order of
    /// [`Needs::alternatives`]: an alternative allows the call only while
    /// none of these promises is held (empty for nearly every call).
    ///
    /// ```
    /// use seclude::{pledge::{Promises, needs}, promises, tables::{Abi, Syscall}};
    /// const MFD_CLOEXEC: u64 = 1;
    /// const MFD_NOEXEC_SEAL: u64 = 8;
    /// // A memfd that could be made executable: stdio, unless exec is held.
    /// let plain = needs(Abi::X86_64, Syscall::memfd_create, &[0, MFD_CLOEXEC, 0, 0, 0, 0], 1);
    /// assert_eq!(plain.alternatives(), [promises!("stdio")]);
    /// assert_eq!(plain.excluded(), [promises!("exec")]);
    /// assert!(plain.allows(promises!("stdio")) && !plain.allows(promises!("stdio exec")));
    /// // Sealed non-executable: stdio whatever else is held.
    /// let sealed = needs(Abi::X86_64, Syscall::memfd_create, &[0, MFD_NOEXEC_SEAL, 0, 0, 0, 0], 1);
    /// assert_eq!(sealed.excluded(), [Promises::empty()]);
    /// ```
    pub const fn excluded(&self) -> &[Promises] {
        self.unless.split_at(self.len as usize).0
    }

    /// Whether the call is allowed under `promises`: some alternative is a
    /// subset of them, and they hold nothing it excludes.
    ///
    /// ```
    /// use seclude::{pledge::needs, promises, tables::{Abi, Syscall}};
    /// let read = needs(Abi::X86_64, Syscall::read, &[0; 6], 1);
    /// assert!(read.allows(promises!("stdio")));
    /// assert!(!read.allows(promises!("rpath")));
    /// ```
    pub const fn allows(&self, promises: Promises) -> bool {
        let mut i = 0;
        while i < self.len as usize {
            if promises.contains(self.alternatives[i]) && !promises.intersects(self.unless[i]) {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Whether some alternative excludes promises.
    const fn excludes_any(&self) -> bool {
        let mut i = 0;
        while i < self.len as usize {
            if !self.unless[i].is_empty() {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Whether some alternative is a subset of `promises`, whatever they
    /// exclude.
    const fn allows_ignoring_exclusions(&self, promises: Promises) -> bool {
        let mut i = 0;
        while i < self.len as usize {
            if promises.contains(self.alternatives[i]) {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Whether no promise set allows the call (the pledge refuses it, or
    /// it fails with `ENOSYS` whatever the promises).
    ///
    /// ```
    /// use seclude::{pledge::needs, tables::{Abi, Syscall}};
    /// assert!(needs(Abi::X86_64, Syscall::ptrace, &[0; 6], 1).is_never());
    /// assert!(needs(Abi::X86_64, Syscall::clone3, &[0; 6], 1).is_never());
    /// ```
    pub const fn is_never(&self) -> bool {
        self.len == 0
    }

    /// Whether the call is allowed without any promise.
    ///
    /// ```
    /// use seclude::{pledge::needs, tables::{Abi, Syscall}};
    /// assert!(needs(Abi::X86_64, Syscall::getpid, &[0; 6], 1).is_always());
    /// assert!(!needs(Abi::X86_64, Syscall::read, &[0; 6], 1).is_always());
    /// ```
    pub const fn is_always(&self) -> bool {
        // Minimal: the empty set excluding nothing allows everything and
        // stands alone.
        self.len == 1 && self.alternatives[0].is_empty() && self.unless[0].is_empty()
    }

    /// These needs, with `alt` as one more alternative (kept minimal and
    /// sorted).
    #[cfg(test)]
    const fn or(self, alt: Promises) -> Needs {
        self.or_unless(alt, Promises::empty())
    }

    /// These needs, with `alt` excluding `unless` as one more alternative
    /// (kept minimal and sorted).
    const fn or_unless(self, alt: Promises, unless: Promises) -> Needs {
        let mut out = Needs::NEVER;
        let mut placed = false;
        let mut i = 0;
        while i < self.len as usize {
            let (a, u) = (self.alternatives[i], self.unless[i]);
            i += 1;
            if alt.contains(a) && unless.contains(u) {
                // `a` already allows whatever `alt` would.
                return self;
            }
            if a.contains(alt) && u.contains(unless) {
                // `alt` allows whatever `a` did, and more.
                continue;
            }
            let before =
                alt.bits() < a.bits() || (alt.bits() == a.bits() && unless.bits() < u.bits());
            if !placed && before {
                out = out.push(alt, unless);
                placed = true;
            }
            out = out.push(a, u);
        }
        if !placed {
            out = out.push(alt, unless);
        }
        out
    }

    /// Appends `alt` excluding `unless`. A full `Needs` keeps its
    /// alternatives: that cannot happen with the promise table
    /// ([`ALTERNATIVES`] is tested to be its widest antichain on every ABI).
    const fn push(mut self, alt: Promises, unless: Promises) -> Needs {
        if (self.len as usize) < ALTERNATIVES {
            self.alternatives[self.len as usize] = alt;
            self.unless[self.len as usize] = unless;
            self.len += 1;
        }
        self
    }
}

impl fmt::Debug for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("Needs");
        t.field(&self.alternatives());
        if self.excluded().iter().any(|u| !u.is_empty()) {
            t.field(&self.excluded());
        }
        t.finish()
    }
}

/// The promise sets under which this call on `abi` is allowed (see
/// [`Needs`]), for [`decide`](crate::pledge::decide) and the promise table:
/// `needs(abi, s, args, pid).allows(p)` exactly when
/// `decide(p, abi, s, args, pid)` is [`Decision::Allowed`](crate::pledge::Decision::Allowed).
/// `self_pid` is the caller's pid (signals to itself need only `stdio`).
///
/// ```
/// use seclude::{pledge::needs, promises, tables::{Abi, Syscall}};
/// const AF_INET: u64 = 2;
/// const SOCK_STREAM: u64 = 1;
/// // A TCP socket: inet, or anet (a server's networking).
/// let tcp = needs(Abi::X86_64, Syscall::socket, &[AF_INET, SOCK_STREAM, 0, 0, 0, 0], 1);
/// assert_eq!(tcp.alternatives(), [promises!("inet"), promises!("anet")]);
/// // kill(own pid, sig): stdio or proc; kill(another, sig): proc only.
/// let own = needs(Abi::X86_64, Syscall::kill, &[7, 15, 0, 0, 0, 0], 7);
/// assert_eq!(own.alternatives(), [promises!("stdio"), promises!("proc")]);
/// assert_eq!(needs(Abi::X86_64, Syscall::kill, &[8, 15, 0, 0, 0, 0], 7).alternatives(), [promises!("proc")]);
/// ```
pub const fn needs(abi: Abi, syscall: Syscall, args: &[u64; 6], self_pid: u32) -> Needs {
    // The native table is built at compile time; another ABI's is built
    // here.
    if abi as u8 == Abi::NATIVE as u8 {
        needs_in(&NATIVE_TABLE, syscall, args, self_pid)
    } else {
        needs_in(&table(abi), syscall, args, self_pid)
    }
}

/// [`needs`] in table `t`.
///
/// The table is first-match ([`decide`](crate::pledge::decide)): under
/// promises `S` the call gets the verdict of the first matching entry whose
/// promises `S` holds. So it is allowed under `S` exactly when some
/// matching `Allow` entry has its promises in `S` and no matching `Enosys`
/// entry before it has (an earlier `Allow` entry only allows the same call
/// sooner). An `Enosys` entry needs no promise (it applies "whatever the
/// promises"; tested on every ABI), so it applies under every `S`: the
/// entries after the first matching one are never reached, and those
/// before it give the alternatives, a plain union.
const fn needs_in(t: &Table, syscall: Syscall, args: &[u64; 6], self_pid: u32) -> Needs {
    let bits = t.abi().arg_bits();
    let entries = t.entries();
    let mut needs = Needs::NEVER;
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        i += 1;
        if e.syscall as u16 != syscall as u16 || !e.matches(args, bits, self_pid) {
            continue;
        }
        match e.verdict {
            Verdict::Allow => needs = needs.or_unless(e.needs, e.unless),
            Verdict::Enosys => break,
        }
    }
    needs
}

/// The answer of [`smallest_cover`]: the promises, and how many calls no
/// promise set allows.
///
/// ```
/// use seclude::{pledge::{Needs, smallest_cover}, promises};
/// let cover = smallest_cover(&[Needs::ALWAYS, Needs::NEVER, Needs::NEVER]);
/// assert_eq!(cover.promises(), promises!(""));
/// assert_eq!(cover.never(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Cover {
    promises: Promises,
    never: usize,
    conflicts: usize,
}

impl Cover {
    /// The smallest promise set allowing every call that some promise set
    /// allows.
    ///
    /// ```
    /// use seclude::{pledge::{Needs, smallest_cover}, promises};
    /// assert_eq!(smallest_cover(&[]).promises(), promises!(""));
    /// ```
    pub const fn promises(&self) -> Promises {
        self.promises
    }

    /// How many of the calls no promise set allows (those whose
    /// [`Needs::is_never`] holds; the cover ignores them).
    ///
    /// ```
    /// use seclude::pledge::{Needs, smallest_cover};
    /// assert_eq!(smallest_cover(&[Needs::NEVER]).never(), 1);
    /// ```
    pub const fn never(&self) -> usize {
        self.never
    }

    /// How many calls the promises do not allow because of what they
    /// exclude ([`Needs::excluded`]): when no promise set allows every
    /// call (a `memfd_create` without `MFD_NOEXEC_SEAL` and an `execve`,
    /// which needs `exec`), the cover is the smallest set that would, were
    /// nothing excluded. 0 otherwise.
    ///
    /// ```
    /// use seclude::{pledge::{needs, smallest_cover}, promises, tables::{Abi, Syscall}};
    /// let x86 = Abi::X86_64;
    /// let memfd = needs(x86, Syscall::memfd_create, &[0, 1, 0, 0, 0, 0], 1); // MFD_CLOEXEC
    /// let execve = needs(x86, Syscall::execve, &[0; 6], 1);
    /// let cover = smallest_cover(&[memfd, execve]);
    /// assert_eq!(cover.promises(), promises!("stdio exec"));
    /// assert_eq!(cover.conflicts(), 1);
    /// assert_eq!(smallest_cover(&[memfd]).conflicts(), 0);
    /// ```
    pub const fn conflicts(&self) -> usize {
        self.conflicts
    }
}

/// The smallest promise set (fewest promises) under which every call of
/// `needs` is allowed, leaving out the calls no promise set allows (they
/// are counted in [`Cover::never`]). Should exclusions leave no such set,
/// the smallest one that would allow every call if nothing were excluded
/// (see [`Cover::conflicts`]).
///
/// Exact, not greedy. A call with a single alternative forces its promises;
/// the other promises its alternatives mention are the *free* ones, and the
/// subsets of the free promises are tried in increasing size, each size in
/// increasing order of bits (Gosper's hack), the first that allows every
/// call winning. So among several smallest sets the answer is the one with
/// the lowest [`Promises::bits`] (a promise earlier in the list is
/// preferred to a later one). The work is bounded by `2^m` tried sets, `m`
/// the free promises, each checked against the calls until one fails: at
/// most 23 promises, so 8,388,608 sets (about 0.1 s, optimized, when the
/// answer needs 22 of them). A recording that mentions few promises, as
/// real programs do, takes microseconds (4,084 sets, 36 µs, for 200
/// distinct needs over 12 promises whose cover needs 11).
///
/// ```
/// use seclude::{pledge::{needs, smallest_cover}, promises, tables::{Abi, Syscall}};
/// const AT_FDCWD: u64 = -100i64 as u64;
/// const O_WRONLY: u64 = 1;
/// const O_CREAT: u64 = 0o100;
/// let x86 = Abi::X86_64;
/// let recording = [
///     needs(x86, Syscall::read, &[0; 6], 1),
///     needs(x86, Syscall::openat, &[AT_FDCWD, 0, 0, 0, 0, 0], 1),
///     needs(x86, Syscall::openat, &[AT_FDCWD, 0, O_WRONLY | O_CREAT, 0o644, 0, 0], 1),
///     needs(x86, Syscall::ptrace, &[0; 6], 1),
/// ];
/// let cover = smallest_cover(&recording);
/// assert_eq!(cover.promises(), promises!("stdio rpath wpath cpath"));
/// assert_eq!(cover.never(), 1);
/// ```
pub const fn smallest_cover(needs: &[Needs]) -> Cover {
    search(needs).0
}

/// [`smallest_cover`], and how many promise sets it tried.
const fn search(needs: &[Needs]) -> (Cover, u32) {
    let (found, tried) = search_honouring(needs, true);
    if let Some(cover) = found {
        return (cover, tried);
    }
    // Exclusions leave no set allowing every call: the smallest one that
    // would, were nothing excluded, and how many calls it does not allow.
    let (found, more) = search_honouring(needs, false);
    let mut cover = match found {
        Some(cover) => cover,
        None => Cover {
            promises: Promises::empty(),
            never: 0,
            conflicts: 0,
        },
    };
    let mut i = 0;
    while i < needs.len() {
        if !needs[i].is_never() && !needs[i].allows(cover.promises) {
            cover.conflicts += 1;
        }
        i += 1;
    }
    (cover, tried + more)
}

/// The search of [`smallest_cover`], with exclusions honoured or not;
/// `None` if no set allows every call (only when they are honoured).
const fn search_honouring(needs: &[Needs], exclusions: bool) -> (Option<Cover>, u32) {
    // Promises every set allowing all calls holds.
    let mut forced = Promises::empty();
    let mut never = 0;
    let mut i = 0;
    while i < needs.len() {
        let n = &needs[i];
        if n.is_never() {
            never += 1;
        } else if n.len == 1 {
            forced = forced.union(n.alternatives[0]);
        }
        i += 1;
    }
    // Promises that may help a call `forced` does not allow yet, or one
    // that excludes promises (a larger set may no longer allow it): a
    // smallest set holds no other (dropping one keeps every call allowed).
    let mut free = Promises::empty();
    let mut i = 0;
    while i < needs.len() {
        let n = &needs[i];
        if !n.allows(forced) || n.excludes_any() {
            let mut j = 0;
            while j < n.len as usize {
                free = free.union(n.alternatives[j].difference(forced));
                j += 1;
            }
        }
        i += 1;
    }
    // Bit i of a subset index stands for the free promise at positions[i],
    // in increasing order, so indices and promise sets sort alike.
    let mut positions = [0u32; 32];
    let mut m = 0;
    let mut rest = free.bits();
    while rest != 0 {
        positions[m] = rest.trailing_zeros();
        rest &= rest - 1;
        m += 1;
    }
    let end = 1u32 << m;
    let mut tried = 0;
    let mut k = 0;
    while k <= m {
        let mut index: u32 = (1 << k) - 1;
        while index < end {
            let mut promises = forced;
            let mut bits = index;
            while bits != 0 {
                let bit = 1 << positions[bits.trailing_zeros() as usize];
                promises = promises.union(Promises::from_bits_retain(bit));
                bits &= bits - 1;
            }
            tried += 1;
            if allows_all(needs, promises, exclusions) {
                let conflicts = 0;
                let cover = Cover {
                    promises,
                    never,
                    conflicts,
                };
                return (Some(cover), tried);
            }
            if index == 0 {
                break;
            }
            // Gosper's hack: the next larger index with k bits set.
            let low = index & index.wrapping_neg();
            let ripple = index + low;
            index = (((ripple ^ index) >> 2) / low) | ripple;
        }
        k += 1;
    }
    // Reached only with exclusions honoured: `forced ∪ free` holds an
    // alternative of every call that has one, so without exclusions the
    // last size tried allows them all.
    (None, tried)
}

/// Whether `promises` allow every call of `needs` that some set allows
/// (whatever the alternatives exclude, unless `exclusions`).
const fn allows_all(needs: &[Needs], promises: Promises, exclusions: bool) -> bool {
    let mut i = 0;
    while i < needs.len() {
        let n = &needs[i];
        let allowed = if exclusions {
            n.allows(promises)
        } else {
            n.allows_ignoring_exclusions(promises)
        };
        if !n.is_never() && !allowed {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests;
