//! Helpers shared by the unit tests.

/// xorshift64*: a small deterministic generator for test inputs. Test
/// modules add the draws they need in their own `impl Rng` blocks.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Runs `f` on a thread with a large stack: tests that build policies of
/// hundreds of rules, which debug builds copy through every const builder
/// call.
pub(crate) fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}
