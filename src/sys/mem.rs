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
