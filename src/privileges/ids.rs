//! User and group ids: changing them and reading all of them back.
//!
//! The raw calls change the calling thread's credentials only (glibc and
//! musl make every thread follow by signalling them; a raw call does not),
//! so a program must change ids before it starts threads. The order is
//! fixed by what each call needs: `setgroups` and `setresgid` need
//! `CAP_SETGID`, which a root process loses when `setresuid` leaves uid 0,
//! so the groups go first and the uid last.

use crate::errno::Errno;
use crate::sys::process::id_call;
use crate::sys::{syscall2, syscall3};

/// Real, effective and saved ids, as `getresuid`/`getresgid` return them.
///
/// ```
/// let uids = seclude::privileges::getresuid().unwrap();
/// assert_eq!(uids.real, seclude::sys::process::getuid());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ResIds {
    /// Who the process is (signals, quotas).
    pub real: u32,
    /// What permission checks use.
    pub effective: u32,
    /// What the process may switch back to.
    pub saved: u32,
}

impl ResIds {
    /// Whether all three are `id`.
    ///
    /// ```
    /// use seclude::privileges::ResIds;
    /// assert!(ResIds { real: 5, effective: 5, saved: 5 }.all(5));
    /// assert!(!ResIds { real: 5, effective: 5, saved: 0 }.all(5));
    /// ```
    pub const fn all(&self, id: u32) -> bool {
        self.real == id && self.effective == id && self.saved == id
    }
}

fn getres(nr: usize) -> Result<ResIds, Errno> {
    let (mut real, mut effective, mut saved) = (0u32, 0u32, 0u32);
    // SAFETY: the kernel writes one 32-bit id through each pointer.
    unsafe {
        syscall3(
            nr,
            &mut real as *mut u32 as usize,
            &mut effective as *mut u32 as usize,
            &mut saved as *mut u32 as usize,
        )
    }?;
    Ok(ResIds {
        real,
        effective,
        saved,
    })
}

/// The calling thread's user ids (`getresuid`).
///
/// ```
/// # extern crate libc;
/// let uids = seclude::privileges::getresuid().unwrap();
/// assert_eq!(uids.effective, unsafe { libc::geteuid() });
/// ```
pub fn getresuid() -> Result<ResIds, Errno> {
    getres(id_call!(getresuid, getresuid32))
}

/// The calling thread's group ids (`getresgid`).
///
/// ```
/// # extern crate libc;
/// let gids = seclude::privileges::getresgid().unwrap();
/// assert_eq!(gids.effective, unsafe { libc::getegid() });
/// ```
pub fn getresgid() -> Result<ResIds, Errno> {
    getres(id_call!(getresgid, getresgid32))
}

/// How many supplementary groups the calling thread has (`getgroups` with
/// a zero size, which only counts).
///
/// ```
/// let n = seclude::privileges::supplementary_group_count().unwrap();
/// # let _ = n;
/// ```
pub fn supplementary_group_count() -> Result<usize, Errno> {
    // SAFETY: with size 0 the kernel writes nothing.
    unsafe { syscall2(id_call!(getgroups, getgroups32), 0, 0) }
}

/// Which id call failed, or which read-back did not match.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IdFailure {
    Groups(Errno),
    Gid(Errno),
    Uid(Errno),
    /// The calls succeeded but the ids read back are not the target.
    Verify,
}

/// Clears the supplementary groups, then sets all three gids to `gid`,
/// then all three uids to `uid`, and reads everything back.
pub(crate) fn change_ids(uid: u32, gid: u32) -> Result<(), IdFailure> {
    if let Err(e) = crate::sys::process::setgroups(&[]) {
        // Without CAP_SETGID the call fails even when there is nothing to
        // clear; an empty list is what was asked for either way.
        if !(e == Errno::EPERM && supplementary_group_count() == Ok(0)) {
            return Err(IdFailure::Groups(e));
        }
    }
    crate::sys::process::setresgid(gid, gid, gid).map_err(IdFailure::Gid)?;
    crate::sys::process::setresuid(uid, uid, uid).map_err(IdFailure::Uid)?;
    verify(uid, gid)
}

/// Whether the thread's ids are exactly the target, read back from the
/// kernel rather than assumed from the calls' success.
pub(crate) fn verify(uid: u32, gid: u32) -> Result<(), IdFailure> {
    let uids = getresuid().map_err(IdFailure::Uid)?;
    let gids = getresgid().map_err(IdFailure::Gid)?;
    let groups = supplementary_group_count().map_err(IdFailure::Groups)?;
    if uids.all(uid) && gids.all(gid) && groups == 0 {
        Ok(())
    } else {
        Err(IdFailure::Verify)
    }
}
