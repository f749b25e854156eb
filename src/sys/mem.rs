//! Memory shared between a process and the children it forks: the one
//! mapping call seclude needs, with each ABI's way of making it.

use crate::errno::Errno;
use crate::sys;
use crate::tables::{Abi, Syscall, native_nr};

/// A zero-filled, read-write `MAP_SHARED | MAP_ANONYMOUS` mapping: after a
/// fork both processes see the same bytes. Unmapped on drop (or earlier,
/// with [`unmap`](SharedMapping::unmap), in one process only).
///
/// ```
/// use seclude::sys::mem::SharedMapping;
/// use seclude::sys::process::{fork, wait, Forked};
/// let page = SharedMapping::new(8).unwrap();
/// let word = page.as_ptr() as *mut u64;
/// match unsafe { fork(0) }.unwrap() {
///     Forked::Child => {
///         unsafe { word.write_volatile(42) };
///         seclude::sys::exit_group(0)
///     }
///     Forked::Parent(pid) => {
///         wait(pid).unwrap();
///         assert_eq!(unsafe { word.read_volatile() }, 42);
///     }
/// }
/// ```
#[derive(Debug)]
pub struct SharedMapping {
    addr: *mut u8,
    len: usize,
}

impl SharedMapping {
    /// Maps `len` bytes (rounded up to pages) at an address the kernel
    /// chooses.
    pub fn new(len: usize) -> Result<SharedMapping, Errno> {
        const PROT_READ_WRITE: usize = 0x1 | 0x2;
        const MAP_SHARED_ANONYMOUS: usize = 0x01 | 0x20;
        // 32-bit ABIs take the offset in pages through mmap2 (i386's plain
        // mmap takes a pointer to its arguments); x32 and 64-bit ABIs have
        // only mmap. The offset is 0 either way.
        const MMAP: usize = match Abi::NATIVE.number(Syscall::mmap2) {
            Some(nr) => nr as usize,
            None => match Abi::NATIVE.number(Syscall::mmap) {
                Some(nr) => nr as usize,
                None => panic!("the target ABI has neither mmap2 nor mmap"),
            },
        };
        let len = len.max(1).next_multiple_of(4096);
        let args = [
            0,
            len,
            PROT_READ_WRITE,
            MAP_SHARED_ANONYMOUS,
            -1isize as usize,
            0,
        ];
        // s390x's mmap takes one pointer to the six arguments.
        #[cfg(target_arch = "s390x")]
        // SAFETY: the kernel reads the six words; a fresh anonymous mapping
        // at a kernel-chosen address.
        let addr = unsafe { sys::syscall1(MMAP, args.as_ptr() as usize) }?;
        #[cfg(not(target_arch = "s390x"))]
        // SAFETY: a fresh anonymous mapping at a kernel-chosen address.
        let addr =
            unsafe { sys::syscall6(MMAP, args[0], args[1], args[2], args[3], args[4], args[5]) }?;
        Ok(SharedMapping {
            addr: addr as *mut u8,
            len,
        })
    }

    /// The first byte (page-aligned).
    pub fn as_ptr(&self) -> *mut u8 {
        self.addr
    }

    /// The mapped length, a whole number of pages.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never: a mapping has at least one page (for clippy's `len` rule).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Unmaps it in this process now (a forked child giving up its view,
    /// say); the other processes keep theirs.
    ///
    /// ```
    /// let page = seclude::sys::mem::SharedMapping::new(1).unwrap();
    /// page.unmap().unwrap();
    /// ```
    pub fn unmap(self) -> Result<(), Errno> {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the mapping is ours; `self` is consumed, so no pointer
        // from as_ptr is used again through it.
        unsafe { sys::syscall2(native_nr!(munmap), this.addr as usize, this.len) }.map(drop)
    }
}

impl Drop for SharedMapping {
    fn drop(&mut self) {
        // SAFETY: the mapping is ours and no reference into it outlives this.
        let _ = unsafe { sys::syscall2(native_nr!(munmap), self.addr as usize, self.len) };
    }
}

/// Waits until the 32-bit word at `word` no longer holds `expected`, or
/// `timeout_ms` passes, or a signal arrives (`futex(FUTEX_WAIT)`, shared:
/// the word may live in a [`SharedMapping`] another process writes).
/// `Ok` after a wake-up, `Err(EAGAIN)` if the word already differed,
/// `Err(ETIMEDOUT)`, `Err(EINTR)`: callers re-read the word in every case.
///
/// ```
/// use core::sync::atomic::AtomicU32;
/// use seclude::{Errno, sys::mem::futex_wait};
/// let word = AtomicU32::new(1);
/// assert_eq!(futex_wait(&word, 0, 10), Err(Errno::EAGAIN)); // not 0: no wait
/// assert_eq!(futex_wait(&word, 1, 10), Err(Errno::ETIMEDOUT));
/// ```
pub fn futex_wait(
    word: &core::sync::atomic::AtomicU32,
    expected: u32,
    timeout_ms: u32,
) -> Result<(), Errno> {
    const FUTEX_WAIT: usize = 0;
    // A relative timeout as a 64-bit timespec (see `futex_nr`).
    let timeout: [i64; 2] = [
        (timeout_ms / 1000) as i64,
        ((timeout_ms % 1000) * 1_000_000) as i64,
    ];
    // SAFETY: the word and the timespec outlive the call.
    unsafe {
        sys::syscall4(
            futex_nr(),
            word.as_ptr() as usize,
            FUTEX_WAIT,
            expected as usize,
            timeout.as_ptr() as usize,
        )
    }
    .map(drop)
}

/// Wakes up to `count` waiters on `word` (`futex(FUTEX_WAKE)`, shared);
/// returns how many were woken.
///
/// ```
/// use core::sync::atomic::AtomicU32;
/// assert_eq!(seclude::sys::mem::futex_wake(&AtomicU32::new(0), 1), Ok(0));
/// ```
pub fn futex_wake(word: &core::sync::atomic::AtomicU32, count: u32) -> Result<usize, Errno> {
    const FUTEX_WAKE: usize = 1;
    // SAFETY: the word outlives the call.
    unsafe {
        sys::syscall3(
            futex_nr(),
            word.as_ptr() as usize,
            FUTEX_WAKE,
            count as usize,
        )
    }
}

/// The call [`futex_wait`] and [`futex_wake`] make: the futex call that
/// takes a 64-bit `timespec`, `futex_time64` on the 32-bit ABIs that have
/// it (Linux 5.1), otherwise `futex`, whose timespec is 64-bit on 64-bit
/// ABIs and on x32. (A filter that must let one of them through names
/// this one.)
///
/// ```
/// use seclude::{sys::mem::futex_call, tables::{Abi, Syscall}};
/// if Abi::NATIVE == Abi::X86_64 {
///     assert_eq!(futex_call(), Syscall::futex);
/// }
/// ```
pub const fn futex_call() -> Syscall {
    if Abi::NATIVE.number(Syscall::futex_time64).is_some() {
        Syscall::futex_time64
    } else {
        Syscall::futex
    }
}

fn futex_nr() -> usize {
    Abi::NATIVE
        .number(futex_call())
        .expect("every ABI has a futex call") as usize
}

/// One mapping of a process, as [`mapping_at`] finds it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Mapping {
    /// Its first address.
    pub start: u64,
    /// The address after its last.
    pub end: u64,
    /// Whether it is mapped executable.
    pub executable: bool,
    /// The mapped file's device (major, minor) and inode; inode 0 for
    /// anonymous memory.
    pub dev_major: u32,
    /// See `dev_major`.
    pub dev_minor: u32,
    /// See `dev_major`.
    pub inode: u64,
}

/// The mapping that holds `address`, asked of an open `/proc/PID/maps`
/// (`maps`) with the `PROCMAP_QUERY` ioctl (Linux 6.11): one mapping
/// looked up, not the whole file formatted and parsed. `None` if no
/// mapping holds it; `ENOTTY` from older kernels (read the file then).
///
/// ```
/// use seclude::sys::fd::{open, O_RDONLY};
/// use seclude::sys::mem::mapping_at;
/// let maps = open(c"/proc/self/maps", O_RDONLY, 0).unwrap();
/// let here = mapping_at as usize as u64;
/// match mapping_at(maps.raw(), here) {
///     Ok(Some(m)) => assert!(m.executable && (m.start..m.end).contains(&here) && m.inode != 0),
///     Ok(None) => unreachable!("the code runs from a mapping"),
///     Err(e) => assert_eq!(e, seclude::Errno::ENOTTY), // before Linux 6.11
/// }
/// ```
pub fn mapping_at(maps: i32, address: u64) -> Result<Option<Mapping>, Errno> {
    use sys::ioctl::{Direction, NATIVE};
    /// `struct procmap_query` (uapi `linux/fs.h`): sizes and addresses
    /// in, the mapping out; no name or build id asked for.
    #[repr(C)]
    #[derive(Default)]
    struct ProcmapQuery {
        size: u64,
        query_flags: u64,
        query_addr: u64,
        vma_start: u64,
        vma_end: u64,
        vma_flags: u64,
        vma_page_size: u64,
        vma_offset: u64,
        inode: u64,
        dev_major: u32,
        dev_minor: u32,
        vma_name_size: u32,
        build_id_size: u32,
        vma_name_addr: u64,
        build_id_addr: u64,
    }
    /// `PROCFS_IOCTL_MAGIC` and `PROCMAP_QUERY`'s number.
    const PROCMAP_QUERY: u32 = NATIVE.encode(
        Direction::ReadWrite,
        b'f',
        17,
        core::mem::size_of::<ProcmapQuery>(),
    );
    const PROCMAP_QUERY_VMA_EXECUTABLE: u64 = 0x04;
    let mut query = ProcmapQuery {
        size: core::mem::size_of::<ProcmapQuery>() as u64,
        query_addr: address,
        ..ProcmapQuery::default()
    };
    // SAFETY: the kernel reads and writes one `procmap_query` of the size
    // it is told, and no name or build id buffer (sizes 0).
    let r = unsafe {
        sys::syscall3(
            native_nr!(ioctl),
            maps as usize,
            PROCMAP_QUERY as usize,
            &mut query as *mut ProcmapQuery as usize,
        )
    };
    match r {
        Ok(_) => Ok(Some(Mapping {
            start: query.vma_start,
            end: query.vma_end,
            executable: query.vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE != 0,
            dev_major: query.dev_major,
            dev_minor: query.dev_minor,
            inode: query.inode,
        })),
        Err(Errno::ENOENT) => Ok(None),
        Err(e) => Err(e),
    }
}
