//! Seccomp user notifications (Linux 5.0; [`Response::Continue`] 5.5): a
//! filter's [`Action::UserNotif`](crate::bpf::Action::UserNotif) stops the
//! calling task and hands the call to a supervisor, which decides what the
//! call returns.
//!
//! The filter is installed with
//! [`FilterFlags::NEW_LISTENER`](super::FilterFlags::NEW_LISTENER), which
//! makes [`load`](super::load) return a listener descriptor. The task that
//! installed the filter usually passes that descriptor to the supervisor
//! (a parent, over [`socketpair`](crate::sys::socket::socketpair) with
//! [`send_fd`](crate::sys::socket::send_fd)) and goes on. The supervisor then
//! loops: [`receive`] a [`Notification`], decide, [`respond`].
//!
//! A notification is a question about a call that is still waiting: its
//! task may die or be interrupted by a signal at any moment, after which
//! its id is stale ([`id_valid`] says `false`, [`respond`] fails with
//! `ENOENT`). Anything the supervisor reads from the task's memory (a path
//! argument, say) must be re-checked with [`id_valid`] before it is
//! trusted, since the pid may have been reused in between.
//!
//! [`Response::Continue`] runs the call as if the filter had allowed it,
//! with the arguments as they are *then*: another thread of the task can
//! rewrite memory an argument points at after the supervisor looked. A
//! supervisor may continue a call only when the kernel's own checks would
//! stop anything a rewritten argument could ask for.
//!
//! ```no_run
//! use seclude::seccomp::notify::{self, Response};
//! # let listener: i32 = 3;
//! loop {
//!     let n = match notify::receive(listener) {
//!         Ok(n) => n,
//!         // The task died between the kernel's wake-up and our read.
//!         Err(seclude::Errno::ENOENT) => continue,
//!         Err(e) => panic!("{e}"),
//!     };
//!     // ENOENT: the task died or the call was interrupted; nothing to do.
//!     let _ = notify::respond(listener, n.id, Response::Error(seclude::Errno::EPERM));
//! }
//! ```

use crate::bpf::SeccompData;
use crate::errno::Errno;
use crate::sys;
use crate::sys::ioctl::{Direction, ioc};
use crate::tables::constants::native;
use crate::tables::native_nr;
use core::mem::{offset_of, size_of};

/// `seccomp()` operation: report the sizes of the notification structures.
const SECCOMP_GET_NOTIF_SIZES: usize = native::SECCOMP_GET_NOTIF_SIZES as usize;
/// `seccomp_notif_resp.flags`: run the call as if allowed.
const SECCOMP_USER_NOTIF_FLAG_CONTINUE: u32 = 1;
/// The ioctl type of the seccomp listener (`SECCOMP_IOC_MAGIC`).
const SECCOMP_IOC_MAGIC: u8 = b'!';

/// One notification: the kernel's `struct seccomp_notif` (80 bytes).
///
/// ```
/// use seclude::seccomp::notify::Notification;
/// assert_eq!(core::mem::size_of::<Notification>(), 80);
/// let n = Notification::default();
/// assert_eq!((n.id, n.pid, n.data.nr), (0, 0, 0));
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Notification {
    /// The notification's id, unique for the listener: what [`respond`]
    /// and [`id_valid`] take.
    pub id: u64,
    /// The calling thread's id, in the pid namespace of the supervisor (0
    /// if it has none there).
    pub pid: u32,
    /// Always 0 so far.
    pub flags: u32,
    /// The call, as the filter saw it: number, ABI, instruction pointer,
    /// the six argument registers.
    pub data: SeccompData,
}

const _: () = assert!(size_of::<Notification>() == 80);
const _: () = assert!(offset_of!(Notification, id) == 0);
const _: () = assert!(offset_of!(Notification, pid) == 8);
const _: () = assert!(offset_of!(Notification, flags) == 12);
const _: () = assert!(offset_of!(Notification, data) == 16);

/// The kernel's `struct seccomp_notif_resp` (24 bytes).
#[repr(C)]
struct RawResponse {
    id: u64,
    val: i64,
    /// A negative errno, or 0.
    error: i32,
    flags: u32,
}

const _: () = assert!(size_of::<RawResponse>() == 24);
const _: () = assert!(offset_of!(RawResponse, id) == 0);
const _: () = assert!(offset_of!(RawResponse, val) == 8);
const _: () = assert!(offset_of!(RawResponse, error) == 16);
const _: () = assert!(offset_of!(RawResponse, flags) == 20);

/// What a notified call does: the supervisor's answer.
///
/// ```
/// use seclude::seccomp::notify::Response;
/// let deny = Response::Error(seclude::Errno::EACCES);
/// assert_ne!(deny, Response::Continue);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Response {
    /// The kernel runs the call as if the filter had allowed it
    /// (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`, Linux 5.5; `EINVAL` before).
    /// Later filters of the task have already run; see the module
    /// documentation for why this is no security decision on pointer
    /// arguments.
    Continue,
    /// The call is not run and returns this value. On a 32-bit ABI the
    /// task sees the low 32 bits; a value in `-4095..=-1` reads as an
    /// error there.
    Return(i64),
    /// The call is not run and fails with this errno.
    Error(Errno),
    /// The call is not run: a copy of the supervisor's descriptor `fd` is
    /// installed in the task (close-on-exec if asked) and its number is the
    /// call's result, the way an `open` returns (`SECCOMP_IOCTL_NOTIF_ADDFD`
    /// with `SECCOMP_ADDFD_FLAG_SEND`, Linux 5.14). The supervisor keeps
    /// its own `fd` and may close it after [`respond`]. This is how a
    /// supervisor performs a call itself, on what it chose, instead of
    /// continuing one whose pointer arguments the task could still change.
    Descriptor {
        /// The supervisor's descriptor to copy.
        fd: i32,
        /// Whether the task's copy is close-on-exec (`O_CLOEXEC`).
        cloexec: bool,
    },
}

impl Response {
    fn raw(self, id: u64) -> RawResponse {
        let (val, error, flags) = match self {
            // The kernel refuses CONTINUE with a value or an error.
            Response::Continue => (0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE),
            Response::Return(val) => (val, 0, 0),
            Response::Error(errno) => (0, -errno.raw(), 0),
            // Answered by NOTIF_ADDFD, never sent through NOTIF_SEND.
            Response::Descriptor { .. } => (0, -Errno::EINVAL.raw(), 0),
        };
        RawResponse {
            id,
            val,
            error,
            flags,
        }
    }
}

// ------------------------------------------------------------ ioctl numbers

/// `SECCOMP_IOCTL_NOTIF_RECV`: `_IOWR('!', 0, struct seccomp_notif)`.
const NOTIF_RECV: u32 = ioc(
    Direction::ReadWrite,
    SECCOMP_IOC_MAGIC,
    0,
    size_of::<Notification>(),
);
/// `SECCOMP_IOCTL_NOTIF_SEND`: `_IOWR('!', 1, struct seccomp_notif_resp)`.
const NOTIF_SEND: u32 = ioc(
    Direction::ReadWrite,
    SECCOMP_IOC_MAGIC,
    1,
    size_of::<RawResponse>(),
);
/// `struct seccomp_notif_addfd` (Linux 5.9).
#[repr(C)]
struct AddFd {
    id: u64,
    flags: u32,
    srcfd: u32,
    newfd: u32,
    newfd_flags: u32,
}
const _: () = assert!(size_of::<AddFd>() == 24);
/// `SECCOMP_ADDFD_FLAG_SEND`: the new descriptor is the call's answer.
const SECCOMP_ADDFD_FLAG_SEND: u32 = 1 << 1;
/// `SECCOMP_IOCTL_NOTIF_ADDFD`: `_IOW('!', 3, struct seccomp_notif_addfd)`.
const NOTIF_ADDFD: u32 = ioc(Direction::Write, SECCOMP_IOC_MAGIC, 3, size_of::<AddFd>());

/// `SECCOMP_IOCTL_NOTIF_ID_VALID`: `_IOW('!', 2, __u64)`.
const NOTIF_ID_VALID: u32 = ioc(Direction::Write, SECCOMP_IOC_MAGIC, 2, size_of::<u64>());
/// The number `SECCOMP_IOCTL_NOTIF_ID_VALID` had until Linux 5.9, with the
/// wrong direction (`_IOR`). Later kernels accept both; earlier ones only
/// this.
const NOTIF_ID_VALID_WRONG_DIR: u32 = ioc(Direction::Read, SECCOMP_IOC_MAGIC, 2, size_of::<u64>());

/// `ioctl(fd, request, arg)`.
///
/// # Safety
/// `arg` must point at what `request` reads or writes.
unsafe fn ioctl(fd: i32, request: u32, arg: usize) -> Result<usize, Errno> {
    // SAFETY: as the caller guarantees. The kernel takes the request as an
    // unsigned int: zero-extended, never sign-extended.
    unsafe {
        sys::syscall3(
            native_nr!(ioctl),
            fd as isize as usize,
            request as usize,
            arg,
        )
    }
}

// -------------------------------------------------------------- the calls

/// Waits for the next notification on `listener` and returns it
/// (`SECCOMP_IOCTL_NOTIF_RECV`).
///
/// Blocks until a filtered task makes a notified call (use
/// [`poll`](crate::sys::fd::poll) with `POLLIN` on the listener to wait with
/// a timeout; `POLLHUP` there means every task the filter applied to has
/// exited, after which nothing more will come, Linux 5.8). Errors come back
/// to the caller: [`Errno::EINTR`] when a signal handler ran,
/// [`Errno::ENOENT`] when the task died between the kernel's wake-up and
/// this read (receive again).
///
/// The buffer is zeroed before each call, as the kernel requires. Its size
/// is this module's `struct seccomp_notif`, 80 bytes, and that is safe
/// whatever the kernel: the size is part of the ioctl number, which the
/// kernel matches whole, so a kernel whose structure had another size
/// would refuse this request with [`Errno::EINVAL`] rather than write more.
/// [`sizes_match`] turns that case into a clear answer up front.
///
/// ```no_run
/// # let listener = 3;
/// let n = seclude::seccomp::notify::receive(listener).unwrap();
/// println!("pid {} calls {}", n.pid, n.data.nr);
/// ```
pub fn receive(listener: i32) -> Result<Notification, Errno> {
    // Default is all zero bytes: Notification has no padding.
    let mut notification = Notification::default();
    // SAFETY: the kernel writes one struct seccomp_notif (the size in
    // NOTIF_RECV) into notification.
    unsafe {
        ioctl(
            listener,
            NOTIF_RECV,
            &mut notification as *mut Notification as usize,
        )
    }?;
    Ok(notification)
}

/// Answers notification `id` on `listener` (`SECCOMP_IOCTL_NOTIF_SEND`):
/// the waiting call continues, returns a value or fails, as `response`
/// says.
///
/// [`Errno::ENOENT`] means the call is no longer waiting: its task died or
/// a signal interrupted the call (which the task may make again, as a new
/// notification). A supervisor can ignore it. [`Errno::EINPROGRESS`] means
/// the id was answered already (until the task has taken the answer, then
/// it is `ENOENT` too); [`Errno::EINVAL`] for
/// [`Response::Continue`] means a kernel older than 5.5, and for
/// [`Response::Descriptor`] one older than 5.14 (or `ENOTTY` before 5.9).
///
/// ```no_run
/// use seclude::seccomp::notify::{receive, respond, Response};
/// # let listener = 3;
/// let n = receive(listener).unwrap();
/// match respond(listener, n.id, Response::Return(0)) {
///     Ok(()) | Err(seclude::Errno::ENOENT) => {}
///     Err(e) => panic!("{e}"),
/// }
/// ```
pub fn respond(listener: i32, id: u64, response: Response) -> Result<(), Errno> {
    if let Response::Descriptor { fd, cloexec } = response {
        let addfd = AddFd {
            id,
            flags: SECCOMP_ADDFD_FLAG_SEND,
            srcfd: fd as u32,
            newfd: 0,
            newfd_flags: if cloexec {
                crate::sys::fd::O_CLOEXEC
            } else {
                0
            },
        };
        // SAFETY: the kernel reads one struct seccomp_notif_addfd.
        return unsafe { ioctl(listener, NOTIF_ADDFD, &addfd as *const AddFd as usize) }.map(drop);
    }
    let raw = response.raw(id);
    // SAFETY: the kernel reads one struct seccomp_notif_resp from raw.
    unsafe { ioctl(listener, NOTIF_SEND, &raw as *const RawResponse as usize) }.map(drop)
}

/// Whether notification `id` on `listener` is still waiting for an answer
/// (`SECCOMP_IOCTL_NOTIF_ID_VALID`): `false` once its task died, the call
/// was interrupted or it was answered.
///
/// Kernels before 5.9 know the request only under its original number,
/// with the wrong direction bits; `EINVAL` (an unknown request) makes this
/// retry with that one.
///
/// ```no_run
/// # let (listener, id) = (3, 0);
/// if !seclude::seccomp::notify::id_valid(listener, id).unwrap() {
///     // The task is gone: what was read from its memory means nothing.
/// }
/// ```
pub fn id_valid(listener: i32, id: u64) -> Result<bool, Errno> {
    let addr = &id as *const u64 as usize;
    // SAFETY: the kernel reads one u64 at addr.
    let mut result = unsafe { ioctl(listener, NOTIF_ID_VALID, addr) };
    if result == Err(Errno::EINVAL) {
        // SAFETY: as above.
        result = unsafe { ioctl(listener, NOTIF_ID_VALID_WRONG_DIR, addr) };
    }
    match result {
        Ok(_) => Ok(true),
        Err(Errno::ENOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

/// `SECCOMP_IOCTL_NOTIF_SET_FLAGS`: `_IOW('!', 4, __u64)`, whose argument
/// is the flags themselves, not a pointer.
const NOTIF_SET_FLAGS: u32 = ioc(Direction::Write, SECCOMP_IOC_MAGIC, 4, size_of::<u64>());
/// `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`.
const SYNC_WAKE_UP: usize = 1;

/// Asks the kernel to hand the CPU straight over between the notifying
/// task and the supervisor of `listener` (`SECCOMP_IOCTL_NOTIF_SET_FLAGS`
/// with `SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux 6.6): a waiting
/// supervisor is woken on the notifying task's CPU, and the task on the
/// supervisor's when answered, rather than each waiting to be scheduled.
/// A round trip costs less when one side always waits for the other, as
/// a supervisor answering every call does. Earlier kernels refuse it with
/// [`Errno::EINVAL`] (or `ENOTTY`); nothing else changes.
///
/// ```no_run
/// # let listener = 3;
/// // An optimisation only: an older kernel works the same without it.
/// let _ = seclude::seccomp::notify::set_sync_wakeup(listener);
/// ```
pub fn set_sync_wakeup(listener: i32) -> Result<(), Errno> {
    // SAFETY: this request reads no memory: its argument is the flags.
    unsafe { ioctl(listener, NOTIF_SET_FLAGS, SYNC_WAKE_UP) }.map(drop)
}

/// The sizes of the notification structures: the kernel's
/// `struct seccomp_notif_sizes`.
///
/// ```
/// use seclude::seccomp::notify::Sizes;
/// assert_eq!(Sizes::THIS_MODULE, Sizes { notification: 80, response: 24, data: 64 });
/// ```
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Sizes {
    /// `sizeof(struct seccomp_notif)`.
    pub notification: u16,
    /// `sizeof(struct seccomp_notif_resp)`.
    pub response: u16,
    /// `sizeof(struct seccomp_data)`.
    pub data: u16,
}

const _: () = assert!(size_of::<Sizes>() == 6);

impl Sizes {
    /// The sizes this module's structures have.
    ///
    /// ```
    /// let ours = seclude::seccomp::notify::Sizes::THIS_MODULE;
    /// assert_eq!(ours.notification as usize, core::mem::size_of::<seclude::seccomp::notify::Notification>());
    /// ```
    pub const THIS_MODULE: Sizes = Sizes {
        notification: size_of::<Notification>() as u16,
        response: size_of::<RawResponse>() as u16,
        data: size_of::<SeccompData>() as u16,
    };
}

/// The kernel's sizes of the notification structures
/// (`seccomp(SECCOMP_GET_NOTIF_SIZES)`, Linux 5.0; `EINVAL` before).
///
/// ```
/// let sizes = seclude::seccomp::notify::sizes().unwrap();
/// assert_eq!(sizes.data, 64);
/// ```
pub fn sizes() -> Result<Sizes, Errno> {
    let mut sizes = Sizes::default();
    // SAFETY: the kernel writes one struct seccomp_notif_sizes into sizes.
    unsafe {
        sys::syscall3(
            native_nr!(seccomp),
            SECCOMP_GET_NOTIF_SIZES,
            0,
            &mut sizes as *mut Sizes as usize,
        )
    }?;
    Ok(sizes)
}

/// Whether the kernel's notification structures are the ones this module
/// uses ([`sizes`] equal to [`Sizes::THIS_MODULE`]). A supervisor can ask
/// once before it starts and report a kernel it cannot talk to plainly,
/// instead of meeting `EINVAL` from [`receive`] (see there why that is the
/// worst a mismatch can do).
///
/// ```
/// assert_eq!(seclude::seccomp::notify::sizes_match(), Ok(true));
/// ```
pub fn sizes_match() -> Result<bool, Errno> {
    sizes().map(|kernel| kernel == Sizes::THIS_MODULE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::ioctl::{ASM_GENERIC, THREE_DIRECTION_BITS};

    const fn ioc_generic(dir: Direction, ty: u8, nr: u8, size: usize) -> u32 {
        ASM_GENERIC.encode(dir, ty, nr, size)
    }

    const fn ioc_three_dir_bits(dir: Direction, ty: u8, nr: u8, size: usize) -> u32 {
        THREE_DIRECTION_BITS.encode(dir, ty, nr, size)
    }

    #[test]
    fn asm_generic_numbers_are_the_kernels() {
        // x86-64's (and every asm-generic architecture's) values, as the
        // kernel headers expand them.
        assert_eq!(
            ioc_generic(Direction::ReadWrite, b'!', 0, size_of::<Notification>()),
            0xC050_2100
        );
        assert_eq!(
            ioc_generic(Direction::ReadWrite, b'!', 1, size_of::<RawResponse>()),
            0xC018_2101
        );
        assert_eq!(ioc_generic(Direction::Write, b'!', 2, 8), 0x4008_2102);
        // The number libraries used before Linux 5.9 fixed the direction.
        assert_eq!(ioc_generic(Direction::Read, b'!', 2, 8), 0x8008_2102);
        // SECCOMP_IOCTL_NOTIF_SET_FLAGS.
        assert_eq!(ioc_generic(Direction::Write, b'!', 4, 8), 0x4008_2104);
    }

    #[test]
    fn powerpc_numbers_follow_its_three_direction_bits() {
        // _IOWR: 6 << 29 is 3 << 30, so RECV and SEND equal asm-generic's.
        assert_eq!(
            ioc_three_dir_bits(Direction::ReadWrite, b'!', 0, size_of::<Notification>()),
            0xC050_2100
        );
        assert_eq!(
            ioc_three_dir_bits(Direction::ReadWrite, b'!', 1, size_of::<RawResponse>()),
            0xC018_2101
        );
        // _IOW is 4 << 29: ID_VALID is asm-generic's wrong-direction number,
        // and powerpc's own old (_IOR) number is asm-generic's right one.
        assert_eq!(
            ioc_three_dir_bits(Direction::Write, b'!', 2, 8),
            0x8008_2102
        );
        assert_eq!(ioc_three_dir_bits(Direction::Read, b'!', 2, 8), 0x4008_2102);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn this_targets_numbers() {
        assert_eq!(NOTIF_RECV, 0xC050_2100);
        assert_eq!(NOTIF_SEND, 0xC018_2101);
        assert_eq!(NOTIF_ID_VALID, 0x4008_2102);
        assert_eq!(NOTIF_ID_VALID_WRONG_DIR, 0x8008_2102);
    }

    #[test]
    fn responses_encode_as_the_kernel_wants() {
        let r = Response::Continue.raw(7);
        assert_eq!((r.id, r.val, r.error, r.flags), (7, 0, 0, 1));
        let r = Response::Return(-3).raw(8);
        assert_eq!((r.id, r.val, r.error, r.flags), (8, -3, 0, 0));
        let r = Response::Error(Errno::EPERM).raw(9);
        assert_eq!((r.id, r.val, r.error, r.flags), (9, 0, -1, 0));
    }

    #[test]
    fn the_kernel_uses_our_sizes() {
        assert_eq!(sizes(), Ok(Sizes::THIS_MODULE));
    }

    #[test]
    fn a_descriptor_that_is_no_listener_is_refused() {
        let (r, _w) = crate::sys::fd::pipe().unwrap();
        // A pipe has no seccomp ioctls.
        assert_eq!(receive(r.raw()).err(), Some(Errno::ENOTTY));
        assert_eq!(receive(-1).err(), Some(Errno::EBADF));
    }
}
