//! The command's memory allocator: the system's, with freed blocks of up
//! to 128 KiB kept for reuse instead of returned.
//!
//! Why: musl's allocator (the static build's) gives a group of blocks back
//! to the kernel as soon as its last block is freed, and maps it again on
//! the next allocation of that size. A launch made ~26 `mmap`/`munmap`
//! pairs this way, each with its page faults and TLB flush: about a fifth
//! of the static command's own time. seclude's allocations are few and
//! short-lived, so keeping what it freed costs little: at most the sum of
//! each size class's own peak (blocks never move between classes), each
//! block rounded up to a power of two. The lock is never held across a
//! fork: the command forks from its one thread, outside the allocator (a
//! fork while another thread held it would leave the child spinning).
//!
//! Blocks of one size class are interchangeable: each has the class's
//! size and an alignment of 16, whatever the request, so any request of
//! that class can reuse any of them. Requests aligned to more than 16
//! bytes, or larger than the largest class, go to the system as they are.
//!
//! New blocks of up to 8 KiB are cut one after the other from chunks of
//! 256 KiB the system maps (untouched until used), not asked of the
//! system one by one: musl's allocator keeps each size in groups of its
//! own, with their own metadata, so a launch's few hundred small blocks
//! touched ~38 pages there, each a page fault (~2 us on a VM); packed,
//! they touch a handful. Larger blocks are whole pages anyway and come
//! from the system.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::{self, null_mut};
use std::sync::atomic::{AtomicBool, Ordering};

/// The smallest class, and the alignment every class block has.
const MIN_BLOCK: usize = 16;
/// Classes 16 B, 32 B, ..., 128 KiB.
const CLASSES: usize = 14;
/// Classes up to 8 KiB are cut from chunks.
const LARGEST_CUT_CLASS: usize = 9;
/// A chunk's size: room for 32 blocks of the largest class cut.
const CHUNK: usize = 256 * 1024;

/// A freed block, linked through its own first word.
struct FreeBlock {
    next: *mut FreeBlock,
}

/// The allocator ([`Recycle`]): per class, a list of freed blocks, behind
/// one spin lock (the command is single-threaded; the lock only keeps the
/// allocator sound should that change).
pub struct Recycle {
    lock: AtomicBool,
    free: std::cell::UnsafeCell<Lists>,
}

/// What the lock guards: the free lists, and the rest of the chunk new
/// small blocks are cut from.
struct Lists {
    free: [*mut FreeBlock; CLASSES],
    /// The next free byte of the current chunk, and its end (both null
    /// before the first chunk).
    cut: *mut u8,
    end: *mut u8,
}

// SAFETY: the lists are only touched with `lock` held.
unsafe impl Sync for Recycle {}

impl Recycle {
    pub const fn new() -> Recycle {
        Recycle {
            lock: AtomicBool::new(false),
            free: std::cell::UnsafeCell::new(Lists {
                free: [null_mut(); CLASSES],
                cut: null_mut(),
                end: null_mut(),
            }),
        }
    }

    /// Runs `f` on the free lists, with the lock held.
    fn with_lists<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> R {
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference.
        let result = f(unsafe { &mut *self.free.get() });
        self.lock.store(false, Ordering::Release);
        result
    }
}

/// The class of a request, if it is recycled: the smallest power of two
/// from 16 that holds it.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > MIN_BLOCK {
        return None;
    }
    let block = layout.size().max(MIN_BLOCK).checked_next_power_of_two()?;
    let class = (block.trailing_zeros() - MIN_BLOCK.trailing_zeros()) as usize;
    (class < CLASSES).then_some(class)
}

/// The layout every block of `class` is asked of the system with.
fn class_layout(class: usize) -> Layout {
    Layout::from_size_align(MIN_BLOCK << class, MIN_BLOCK).expect("a valid class layout")
}

// SAFETY: every block handed out is either the system's answer to the
// request itself, or a block of at least the request's size and alignment
// (its class's) that was freed and is not handed out twice (taken off its
// list under the lock).
unsafe impl GlobalAlloc for Recycle {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            // SAFETY: as the caller promised for `layout`.
            return unsafe { System.alloc(layout) };
        };
        let block = self.with_lists(|lists| {
            let head = lists.free[class];
            if !head.is_null() {
                // SAFETY: a block on a list is a freed block of this
                // class, whose first word links the next.
                lists.free[class] = unsafe { (*head).next };
                return head.cast();
            }
            if class > LARGEST_CUT_CLASS {
                return null_mut();
            }
            let size = MIN_BLOCK << class;
            if (lists.end as usize) - (lists.cut as usize) < size {
                // A new chunk; the rest of the old one stays unused.
                let chunk = Layout::from_size_align(CHUNK, MIN_BLOCK).expect("a valid chunk");
                // SAFETY: a non-zero size.
                let start = unsafe { System.alloc(chunk) };
                if start.is_null() {
                    return null_mut();
                }
                lists.cut = start;
                // SAFETY: the end of the chunk just allocated.
                lists.end = unsafe { start.add(CHUNK) };
            }
            let block = lists.cut;
            // SAFETY: `size` bytes are left in the chunk; blocks are cut at
            // multiples of 16 from a 16-aligned start, every size being one.
            lists.cut = unsafe { block.add(size) };
            block
        });
        if block.is_null() && class > LARGEST_CUT_CLASS {
            // SAFETY: a class layout has a non-zero size.
            unsafe { System.alloc(class_layout(class)) }
        } else {
            block
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if class_of(layout).is_none() {
            // SAFETY: as the caller promised for `layout`.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: as above.
        let block = unsafe { self.alloc(layout) };
        if !block.is_null() {
            // SAFETY: the block holds at least `layout.size()` bytes.
            unsafe { ptr::write_bytes(block, 0, layout.size()) };
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(layout) else {
            // SAFETY: `block` came from `System.alloc(layout)` (same class
            // test).
            return unsafe { System.dealloc(block, layout) };
        };
        let block = block.cast::<FreeBlock>();
        self.with_lists(|lists| {
            // SAFETY: a class block is at least 16 bytes and 16-aligned,
            // room for the link, and the caller gives it up.
            unsafe {
                block.write(FreeBlock {
                    next: lists.free[class],
                })
            };
            lists.free[class] = block;
        });
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller promises a valid new size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class_of(layout), class_of(new_layout)) {
            // The block already holds the new size.
            (Some(old), Some(new)) if old == new => block,
            (None, None) => {
                // SAFETY: `block` is the system's, as is the answer.
                unsafe { System.realloc(block, layout, new_size) }
            }
            _ => {
                // SAFETY: as the caller promised.
                let moved = unsafe { self.alloc(new_layout) };
                if !moved.is_null() {
                    // SAFETY: both hold the smaller of the two sizes, and
                    // are distinct blocks.
                    unsafe {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_powers_of_two_from_16_to_128_kib() {
        let class = |size, align| class_of(Layout::from_size_align(size, align).unwrap());
        assert_eq!(class(0, 1), Some(0));
        assert_eq!(class(16, 16), Some(0));
        assert_eq!(class(17, 8), Some(1));
        assert_eq!(class(4096, 8), Some(8));
        assert_eq!(class(128 * 1024, 8), Some(13));
        assert_eq!(class(128 * 1024 + 1, 8), None);
        assert_eq!(class(64, 32), None);
    }

    #[test]
    fn a_freed_block_is_reused_for_its_class_only() {
        let recycle = Recycle::new();
        let small = Layout::from_size_align(100, 8).unwrap();
        let other = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: blocks are used within their layouts and freed once.
        unsafe {
            let a = recycle.alloc(small);
            a.write_bytes(0xaa, 100);
            recycle.dealloc(a, small);
            let b = recycle.alloc(other);
            assert_ne!(a, b, "another class's block");
            let c = recycle.alloc_zeroed(Layout::from_size_align(128, 16).unwrap());
            assert_eq!(a, c, "the freed block of the same class");
            assert!(std::slice::from_raw_parts(c, 128).iter().all(|&x| x == 0));
            recycle.dealloc(c, Layout::from_size_align(128, 16).unwrap());
            recycle.dealloc(b, other);
        }
    }

    #[test]
    fn small_blocks_are_cut_side_by_side_across_chunks() {
        let recycle = Recycle::new();
        let layout = Layout::from_size_align(3000, 8).unwrap(); // 4 KiB class
        let count = 2 * CHUNK / 4096 + 3; // into a third chunk
        // SAFETY: each block is written within its class size, freed once.
        unsafe {
            let blocks: Vec<*mut u8> = (0..count).map(|_| recycle.alloc(layout)).collect();
            for (i, &b) in blocks.iter().enumerate() {
                assert!(!b.is_null());
                assert_eq!(b as usize % MIN_BLOCK, 0);
                b.write_bytes(i as u8, 4096);
            }
            // No two overlap: each still holds what was written to it.
            for (i, &b) in blocks.iter().enumerate() {
                let bytes = std::slice::from_raw_parts(b, 4096);
                assert!(bytes.iter().all(|&x| x == i as u8), "block {i}");
            }
            // Within a chunk, one after the other.
            assert_eq!(blocks[1] as usize - blocks[0] as usize, 4096);
            let last = *blocks.last().unwrap();
            for &b in &blocks {
                recycle.dealloc(b, layout);
            }
            // The last freed is the first reused.
            assert_eq!(recycle.alloc(layout), last);
        }
    }

    #[test]
    fn large_classes_come_from_the_system() {
        let recycle = Recycle::new();
        let layout = Layout::from_size_align(20_000, 8).unwrap(); // 32 KiB class
        // SAFETY: written within its size, freed once.
        unsafe {
            let block = recycle.alloc(layout);
            block.write_bytes(7, 20_000);
            recycle.with_lists(|lists| assert!(lists.cut.is_null(), "no chunk"));
            recycle.dealloc(block, layout);
            assert_eq!(recycle.alloc(layout), block);
        }
    }

    #[test]
    fn realloc_keeps_the_contents_across_classes_and_to_the_system() {
        let recycle = Recycle::new();
        let mut layout = Layout::from_size_align(10, 1).unwrap();
        // SAFETY: the block is used within its current layout.
        unsafe {
            let mut block = recycle.alloc(layout);
            for i in 0..10 {
                block.add(i).write(i as u8);
            }
            for size in [12, 40, 5000, 300_000, 20] {
                let same_class = class_of(layout)
                    == class_of(Layout::from_size_align(size, 1).unwrap())
                    && class_of(layout).is_some();
                let old = block;
                block = recycle.realloc(block, layout, size);
                assert!(!block.is_null());
                if same_class {
                    assert_eq!(old, block);
                }
                layout = Layout::from_size_align(size, 1).unwrap();
                let kept = (0..10).all(|i| block.add(i).read() == i as u8);
                assert!(kept, "contents lost growing to {size}");
            }
            recycle.dealloc(block, layout);
        }
    }
}
