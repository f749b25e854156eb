//! The capability system calls: `capget`/`capset`, the bounding set and the
//! ambient set through `prctl`, and the securebits.
//!
//! Everything here acts on the calling thread only, as the kernel's
//! credentials are per thread: a program must drop privileges before it
//! starts threads (or in every thread).

use super::capability::Capabilities;
use super::securebits::SecureBits;
use crate::errno::Errno;
use crate::sys::process::prctl;
use crate::sys::syscall2;
use crate::tables::native_nr;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit sets as two 32-bit words.
const VERSION_3: u32 = 0x2008_0522;

pub(crate) const PR_SET_KEEPCAPS: u32 = 8;
const PR_CAPBSET_READ: u32 = crate::tables::constants::native::PR_CAPBSET_READ;
const PR_CAPBSET_DROP: u32 = 24;
const PR_GET_SECUREBITS: u32 = 27;
const PR_SET_SECUREBITS: u32 = 28;
const PR_CAP_AMBIENT: u32 = 47;
const PR_CAP_AMBIENT_IS_SET: usize = 1;
const PR_CAP_AMBIENT_CLEAR_ALL: usize = 4;

/// The three per-thread capability sets `capget` and `capset` carry.
///
/// ```
/// let sets = seclude::privileges::capget().unwrap();
/// // Nothing can be effective that is not permitted.
/// assert!(sets.permitted.contains(sets.effective));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CapSets {
    /// What the thread can use now.
    pub effective: Capabilities,
    /// What it may make effective (or inheritable, with `CAP_SETPCAP`).
    pub permitted: Capabilities,
    /// What may pass through `execve` to a program with matching file
    /// capabilities (and bounds the ambient set).
    pub inheritable: Capabilities,
}

impl CapSets {
    /// All three sets empty.
    ///
    /// ```
    /// use seclude::privileges::CapSets;
    /// assert!(CapSets::EMPTY.permitted.is_empty());
    /// ```
    pub const EMPTY: CapSets = CapSets {
        effective: Capabilities::empty(),
        permitted: Capabilities::empty(),
        inheritable: Capabilities::empty(),
    };
}

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct Header {
    version: u32,
    pid: i32,
}

/// `struct __user_cap_data_struct`; version 3 takes two of them, the low
/// 32 capabilities first.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Data {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const fn join(low: u32, high: u32) -> Capabilities {
    Capabilities::from_bits_retain(low as u64 | (high as u64) << 32)
}

/// The calling thread's capability sets (`capget`).
///
/// ```
/// let sets = seclude::privileges::capget().unwrap();
/// # let _ = sets;
/// ```
pub fn capget() -> Result<CapSets, Errno> {
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: the kernel reads the header and writes two data structs,
    // which is what version 3 means.
    unsafe {
        syscall2(
            native_nr!(capget),
            &mut header as *mut Header as usize,
            data.as_mut_ptr() as usize,
        )
    }?;
    Ok(CapSets {
        effective: join(data[0].effective, data[1].effective),
        permitted: join(data[0].permitted, data[1].permitted),
        inheritable: join(data[0].inheritable, data[1].inheritable),
    })
}

/// Sets the calling thread's capability sets (`capset`). Lowering is always
/// allowed; adding to the permitted set never is, and adding to the
/// inheritable set needs `CAP_SETPCAP` (`EPERM` otherwise).
///
/// ```no_run
/// use seclude::privileges::{capset, CapSets};
/// // Give up every capability for good.
/// capset(&CapSets::EMPTY).unwrap();
/// ```
pub fn capset(sets: &CapSets) -> Result<(), Errno> {
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let split = |c: Capabilities| (c.bits() as u32, (c.bits() >> 32) as u32);
    let (e0, e1) = split(sets.effective);
    let (p0, p1) = split(sets.permitted);
    let (i0, i1) = split(sets.inheritable);
    let data = [
        Data {
            effective: e0,
            permitted: p0,
            inheritable: i0,
        },
        Data {
            effective: e1,
            permitted: p1,
            inheritable: i1,
        },
    ];
    // SAFETY: the kernel reads the header and two data structs.
    unsafe {
        syscall2(
            native_nr!(capset),
            &mut header as *mut Header as usize,
            data.as_ptr() as usize,
        )
    }
    .map(drop)
}

/// The highest capability number the running kernel knows: from
/// `/proc/sys/kernel/cap_last_cap` (Linux 3.2), or, without `/proc`, by
/// asking `PR_CAPBSET_READ` about each number until the kernel says
/// `EINVAL`.
///
/// ```
/// let last = seclude::privileges::cap_last_cap().unwrap();
/// assert!(last >= 36); // every kernel since 3.5
/// ```
pub fn cap_last_cap() -> Result<u8, Errno> {
    match crate::sys::fd::read_number(c"/proc/sys/kernel/cap_last_cap") {
        Ok(n) if (0..64).contains(&n) => return Ok(n as u8),
        _ => {}
    }
    probe_last_cap()
}

/// [`cap_last_cap`]'s fallback: the last number `PR_CAPBSET_READ` accepts.
pub(crate) fn probe_last_cap() -> Result<u8, Errno> {
    let mut n: u8 = 0;
    loop {
        match bounding_has(n) {
            Ok(_) if n < 63 => n += 1,
            Ok(_) => return Ok(n),
            Err(Errno::EINVAL) if n > 0 => return Ok(n - 1),
            Err(e) => return Err(e),
        }
    }
}

/// Whether capability number `cap` is in the bounding set
/// (`PR_CAPBSET_READ`; `EINVAL` for a number the kernel does not know).
fn bounding_has(cap: u8) -> Result<bool, Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(PR_CAPBSET_READ, cap as usize, 0, 0, 0) }.map(|r| r == 1)
}

/// The calling thread's bounding set: the most any `execve` can grant.
///
/// ```
/// use seclude::privileges::{bounding_set, cap_last_cap};
/// let bounding = bounding_set().unwrap();
/// // Only numbers the kernel knows can be in it.
/// assert!(bounding.bits() < 1 << (cap_last_cap().unwrap() + 1));
/// ```
pub fn bounding_set() -> Result<Capabilities, Errno> {
    bounding_set_upto(cap_last_cap()?)
}

/// [`bounding_set`] on a kernel whose last capability is `last` (from
/// [`cap_last_cap`], read once by the caller for several calls).
pub(crate) fn bounding_set_upto(last: u8) -> Result<Capabilities, Errno> {
    let mut bits = 0u64;
    for cap in 0..=last {
        if bounding_has(cap)? {
            bits |= 1 << cap;
        }
    }
    Ok(Capabilities::from_bits_retain(bits))
}

/// Removes every capability not in `keep` from the bounding set
/// (`PR_CAPBSET_DROP` for each number up to [`cap_last_cap`] still in it,
/// including numbers newer than this crate). Needs `CAP_SETPCAP` in the
/// effective set (`EPERM` otherwise); irreversible.
///
/// ```no_run
/// use seclude::privileges::{drop_bounding_set, Capabilities};
/// drop_bounding_set(Capabilities::NET_BIND_SERVICE).unwrap();
/// ```
pub fn drop_bounding_set(keep: Capabilities) -> Result<(), Errno> {
    drop_bounding_from(bounding_set()?, keep)
}

/// Removes from the bounding set every capability in `held` and not in
/// `keep`, where `held` is the bounding set as just read (by
/// [`bounding_set_upto`]): only numbers the kernel knows and the thread
/// still holds are dropped, without asking about each one again. Dropping
/// what is already gone would be allowed, but costs a credential copy; and
/// skipping it keeps an unprivileged caller whose set is already small from
/// failing for nothing.
///
/// The bounding set is per thread and only the thread itself lowers it, so
/// `held` stays true until the first drop. The caller reads the set back
/// afterwards to verify.
pub(crate) fn drop_bounding_from(held: Capabilities, keep: Capabilities) -> Result<(), Errno> {
    let mut left = held.difference(keep).bits();
    while left != 0 {
        let cap = left.trailing_zeros() as usize;
        left &= left - 1;
        // SAFETY: integer arguments only.
        unsafe { prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) }?;
    }
    Ok(())
}

/// The calling thread's ambient set (asked capability by capability with
/// `PR_CAP_AMBIENT_IS_SET`); empty on kernels before 4.3, which have none.
///
/// ```
/// let ambient = seclude::privileges::ambient_set().unwrap();
/// # let _ = ambient;
/// ```
pub fn ambient_set() -> Result<Capabilities, Errno> {
    let last = cap_last_cap()?;
    ambient_set_within(Capabilities::from_bits_retain(u64::MAX >> (63 - last)))
}

/// The members of `candidates` in the ambient set: [`ambient_set`] asking
/// only about those, in increasing order. The numbers must be ones the
/// kernel knows, as `EINVAL` for the first one asked means a kernel before
/// 4.3 (no ambient set: empty).
///
/// The kernel keeps the ambient set within the permitted and inheritable
/// sets (`cap_ambient_invariant_ok`): `PR_CAP_AMBIENT_RAISE` refuses any
/// other capability, `capset` masks the ambient set with the new sets, a
/// uid change that empties the permitted set empties it too, and `execve`
/// refuses credentials that break it. With `permitted & inheritable` (from
/// a `capget` made just before) as the candidates the answer is the whole
/// ambient set, without asking about every number: nothing at all when
/// the inheritable set is empty.
pub(crate) fn ambient_set_within(candidates: Capabilities) -> Result<Capabilities, Errno> {
    let mut bits = 0u64;
    let mut left = candidates.bits();
    let mut first = true;
    while left != 0 {
        let cap = left.trailing_zeros();
        left &= left - 1;
        // SAFETY: integer arguments only.
        match unsafe { prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap as usize, 0, 0) } {
            Ok(1) => bits |= 1 << cap,
            Ok(_) => {}
            // Before 4.3: no ambient set at all.
            Err(Errno::EINVAL) if first => return Ok(Capabilities::empty()),
            Err(e) => return Err(e),
        }
        first = false;
    }
    Ok(Capabilities::from_bits_retain(bits))
}

/// Empties the ambient set (`PR_CAP_AMBIENT_CLEAR_ALL`, no privilege
/// needed). Before Linux 4.3 the kernel answers `EINVAL`; there is no
/// ambient set to clear then, so that is success.
///
/// ```
/// seclude::privileges::clear_ambient().unwrap();
/// assert!(seclude::privileges::ambient_set().unwrap().is_empty());
/// ```
pub fn clear_ambient() -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    match unsafe { prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) } {
        Ok(_) | Err(Errno::EINVAL) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The calling thread's securebits (`PR_GET_SECUREBITS`).
///
/// ```
/// let bits = seclude::privileges::securebits().unwrap();
/// # let _ = bits;
/// ```
pub fn securebits() -> Result<SecureBits, Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) }.map(|v| SecureBits::from_bits_retain(v as u32))
}

/// Sets the calling thread's securebits to exactly `bits`
/// (`PR_SET_SECUREBITS`). The kernel answers `EPERM` without `CAP_SETPCAP`,
/// for a locked flag changed or a lock released, and for a bit it does not
/// know.
///
/// ```no_run
/// use seclude::privileges::{set_securebits, SecureBits};
/// set_securebits(SecureBits::DEFAULT_LOCK).unwrap();
/// ```
pub fn set_securebits(bits: SecureBits) -> Result<(), Errno> {
    // SAFETY: integer arguments only.
    unsafe { prctl(PR_SET_SECUREBITS, bits.bits() as usize, 0, 0, 0) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privileges::Capability;

    #[test]
    fn probing_agrees_with_proc() {
        let from_proc = crate::sys::fd::read_number(c"/proc/sys/kernel/cap_last_cap").unwrap();
        assert_eq!(probe_last_cap().unwrap() as i64, from_proc);
    }

    #[test]
    fn the_sets_read_back_consistently() {
        let sets = capget().unwrap();
        assert!(sets.permitted.contains(sets.effective));
        // Setting what one has is always allowed and changes nothing.
        capset(&sets).unwrap();
        assert_eq!(capget().unwrap(), sets);
        let bounding = bounding_set().unwrap();
        assert!(bounding.bits() < 1 << (cap_last_cap().unwrap() + 1));
    }

    #[test]
    fn dropping_from_the_read_set_leaves_only_the_kept() {
        // Credentials are per thread: the drop stays on this one, which
        // ends with the test.
        std::thread::spawn(|| {
            if !capget().unwrap().effective.has(Capability::Setpcap) {
                return; // not root: nothing to drop with
            }
            let last = cap_last_cap().unwrap();
            let before = bounding_set_upto(last).unwrap();
            let keep = Capabilities::NET_BIND_SERVICE | Capabilities::CHOWN;
            assert!(before.contains(keep), "{before:?}");
            drop_bounding_from(before, keep).unwrap();
            assert_eq!(bounding_set_upto(last).unwrap(), keep);
            // Already dropped: nothing is asked of the kernel again, and a
            // kept capability the set does not hold is not an error.
            drop_bounding_from(keep, keep | Capabilities::KILL).unwrap();
            assert_eq!(bounding_set().unwrap(), keep);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn the_ambient_set_is_read_within_permitted_and_inheritable() {
        // As above: the raised capabilities stay on this thread.
        std::thread::spawn(|| {
            let mut sets = capget().unwrap();
            let raised = Capabilities::NET_BIND_SERVICE;
            let inheritable = raised | Capabilities::CHOWN;
            if !sets.permitted.contains(inheritable) {
                return; // not root: nothing to raise
            }
            assert!(ambient_set_within(sets.permitted).unwrap().is_empty());
            sets.inheritable = inheritable;
            capset(&sets).unwrap();
            const PR_CAP_AMBIENT_RAISE: usize = 2;
            let cap = Capability::NetBindService as usize;
            // SAFETY: integer arguments only.
            unsafe { prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) }.unwrap();
            let candidates = sets.permitted.intersection(sets.inheritable);
            assert_eq!(ambient_set_within(candidates).unwrap(), raised);
            assert_eq!(ambient_set().unwrap(), raised);
            // The kernel's invariant the narrowed read relies on: lowering
            // the inheritable set lowers the ambient set with it.
            sets.inheritable = Capabilities::empty();
            capset(&sets).unwrap();
            assert!(ambient_set().unwrap().is_empty());
            assert!(
                ambient_set_within(Capabilities::empty())
                    .unwrap()
                    .is_empty()
            );
        })
        .join()
        .unwrap();
    }
}
