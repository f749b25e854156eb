//! The code generator: classic-BPF instructions emitted back to front.
//!
//! The policy compiler (the parent module) decides what to test in which
//! order; this module turns that into instructions through a small
//! interface: [`Emitter::ret`], [`Emitter::jump`] and [`Emitter::seq`] for
//! the number search, [`Emitter::condition`] for one argument condition,
//! and [`Emitter::finish`] to lay the result out as a program. Code refers
//! to code by *label*: the number of instructions emitted before it.
//!
//! The code is generated back to front. When a conditional jump is emitted,
//! everything it can jump to is already in place, so its offsets are known;
//! an offset over 255 (the 8-bit `jt`/`jf` limit) becomes a jump to an
//! unconditional `ja` placed right after it (a trampoline), whose offset is
//! 32 bits. There is no fix-up pass, and identical `ret`s within reach are
//! shared.
//!
//! A rule chain tests one argument after another, and the next rule often
//! starts by loading the word the last test just had in the accumulator:
//! a jump into it then goes past that load
//! ([`Emitter::condition`] does this). The loads no path reaches any more
//! are dropped by [`Emitter::finish`].

use crate::bpf::{Instruction, MAX_INSNS, SeccompData, op};
use crate::seccomp::policy::{Cmp, Condition, Width};
use crate::tables::Endian;

/// Back-to-front code buffer of room `N`: the instruction with label `l`
/// sits at `buf[N - 1 - l]`, and a jump from label `j` to label `t` has
/// offset `j - t - 1`.
///
/// Once the room runs out the emitter is [full](Emitter::is_full): it
/// goes on handing out labels, so that callers need no error paths, but
/// what it holds is no program.
pub(super) struct Emitter<const N: usize> {
    buf: [Instruction; N],
    count: usize,
    full: bool,
    /// Recent `ret` instructions: `(value, label)`, reused while in reach.
    rets: [(u32, usize); 8],
    ret_len: usize,
}

/// Room for the code before unreachable reloads are dropped (the result
/// must still fit the program's capacity and the kernel's 4096).
pub(super) const EMIT_CAPACITY: usize = 2 * MAX_INSNS;

/// The room of a first try, which most programs fit (a pledge of every
/// promise is under 500 instructions); a program that does not is
/// compiled again with [`EMIT_CAPACITY`]. The emitter and the tables that
/// drop unreachable code are sized by their room and sit on the stack,
/// whose every page a frame spans is touched (probed) on entry: at run
/// time, a 64 KB emitter for a program of a few hundred instructions cost
/// a launch of `seclude` tens of page faults.
pub(super) const EMIT_FIRST: usize = 1024;

/// Reuse a `ret` only while a jump to it stays well inside the 8-bit offset.
const RET_REUSE_DISTANCE: usize = 200;
/// The farthest a conditional jump reaches (its `jt` and `jf` are 8 bits).
const JUMP_MAX: usize = 255;

impl<const N: usize> Emitter<N> {
    /// An empty emitter with room for `N` instructions.
    pub(super) const fn new() -> Self {
        Emitter {
            buf: [Instruction::stmt(0, 0); N],
            count: 0,
            full: false,
            rets: [(0, 0); 8],
            ret_len: 0,
        }
    }

    /// Whether the code outgrew the room: what was emitted is to be
    /// discarded (or generated again with more room).
    pub(super) const fn is_full(&self) -> bool {
        self.full
    }

    /// The label the next instruction gets (the number emitted so far).
    pub(super) const fn next_label(&self) -> usize {
        self.count
    }

    const fn emit(&mut self, insn: Instruction) -> usize {
        if self.count == N {
            self.full = true;
            // Keep labels distinct so offsets stay computable; the program
            // is discarded anyway.
            return self.count;
        }
        self.buf[N - 1 - self.count] = insn;
        self.count += 1;
        self.count - 1
    }

    /// Offset of a jump emitted now (label `self.count`) to `target`.
    const fn offset(&self, target: usize) -> usize {
        if target >= self.count {
            0 // only after the buffer filled up; the result is discarded
        } else {
            self.count - target - 1
        }
    }

    /// An unconditional jump to `target`, or nothing if `target` is the next
    /// instruction anyway. Returns the label where control should go.
    const fn goto(&mut self, target: usize) -> usize {
        if self.count > 0 && target == self.count - 1 {
            target
        } else {
            let off = self.offset(target) as u32;
            self.emit(Instruction::stmt(op::JMP | op::JA, off))
        }
    }

    /// `insn` followed by `next` (with a `ja` between them unless `next`
    /// is the last instruction emitted). Returns the label of `insn`.
    pub(super) const fn seq(&mut self, insn: Instruction, next: usize) -> usize {
        self.goto(next);
        self.emit(insn)
    }

    /// A `ret value`: one emitted earlier if a jump from here still
    /// reaches it comfortably, else a new one. Returns its label.
    pub(super) const fn ret(&mut self, value: u32) -> usize {
        let mut i = 0;
        while i < self.ret_len {
            let (v, label) = self.rets[i];
            if v == value && self.count - label <= RET_REUSE_DISTANCE {
                return label;
            }
            i += 1;
        }
        let label = self.emit(Instruction::stmt(op::RET | op::K, value));
        let slot = if self.ret_len < self.rets.len() {
            self.ret_len += 1;
            self.ret_len - 1
        } else {
            // Replace the oldest (farthest) entry.
            let mut oldest = 0;
            let mut j = 1;
            while j < self.rets.len() {
                if self.rets[j].1 < self.rets[oldest].1 {
                    oldest = j;
                }
                j += 1;
            }
            oldest
        };
        self.rets[slot] = (value, label);
        label
    }

    /// A conditional jump `A <code> k ? t : f`, with trampolines for
    /// targets out of 8-bit reach. Returns the label to enter it at
    /// (`t` itself when `t == f`: there is nothing to test).
    pub(super) const fn jump(&mut self, code: u16, k: u32, mut t: usize, mut f: usize) -> usize {
        if t == f {
            return t;
        }
        loop {
            if self.full {
                return self.count;
            }
            if self.offset(t) > JUMP_MAX {
                let off = self.offset(t) as u32;
                t = self.emit(Instruction::stmt(op::JMP | op::JA, off));
                continue;
            }
            if self.offset(f) > JUMP_MAX {
                let off = self.offset(f) as u32;
                f = self.emit(Instruction::stmt(op::JMP | op::JA, off));
                continue;
            }
            break;
        }
        let (jt, jf) = (self.offset(t) as u8, self.offset(f) as u8);
        self.emit(Instruction::jump(op::JMP | code | op::K, k, jt, jf))
    }

    /// Where to jump to reach `target` when the accumulator already holds
    /// the word at `offset`: past `target` if it only reloads that word.
    /// (Rule chains test one argument rule after another; the reload at
    /// the head of the next rule is then skipped.)
    const fn skip_reload(&self, target: usize, offset: u32) -> usize {
        if self.full || target == 0 || target >= self.count {
            return target;
        }
        let insn = self.buf[N - 1 - target];
        if insn.code == op::LD | op::W | op::ABS && insn.k == offset {
            target - 1
        } else {
            target
        }
    }

    /// Lays the reachable code out at the front of `out` (written in
    /// place: a program's buffer is up to 32 KB, not to be copied about)
    /// and returns its length, or `None` if it needs more than `out` has
    /// room for (or than the kernel's 4096).
    ///
    /// Instructions no path reaches (the reloads that
    /// [`Emitter::skip_reload`] jumps over) are dropped and the jumps over
    /// them shortened. Jumps only go forward, so one pass in order finds
    /// what is reachable, and dropping instructions only shortens offsets.
    pub(super) const fn finish(&self, out: &mut [Instruction]) -> Option<usize> {
        let len = self.count;
        let start = N - len;
        let mut reachable = [false; N];
        if len > 0 {
            reachable[0] = true;
        }
        let mut i = 0;
        while i < len {
            if reachable[i] {
                let insn = self.buf[start + i];
                match op::class(insn.code) {
                    op::RET => {}
                    op::JMP if op::op(insn.code) == op::JA => {
                        reachable[i + 1 + insn.k as usize] = true;
                    }
                    op::JMP => {
                        reachable[i + 1 + insn.jt as usize] = true;
                        reachable[i + 1 + insn.jf as usize] = true;
                    }
                    _ => reachable[i + 1] = true,
                }
            }
            i += 1;
        }
        // new_index[i]: where instruction i lands (for reachable ones).
        let mut new_index = [0u16; N];
        let mut kept = 0usize;
        let mut i = 0;
        while i < len {
            new_index[i] = kept as u16;
            if reachable[i] {
                kept += 1;
            }
            i += 1;
        }
        if kept > out.len() || kept > MAX_INSNS {
            return None;
        }
        let mut i = 0;
        while i < len {
            if reachable[i] {
                let mut insn = self.buf[start + i];
                let at = new_index[i] as usize;
                if op::class(insn.code) == op::JMP {
                    if op::op(insn.code) == op::JA {
                        let target = new_index[i + 1 + insn.k as usize] as usize;
                        insn.k = (target - at - 1) as u32;
                    } else {
                        let t = new_index[i + 1 + insn.jt as usize] as usize;
                        let f = new_index[i + 1 + insn.jf as usize] as usize;
                        insn.jt = (t - at - 1) as u8;
                        insn.jf = (f - at - 1) as u8;
                    }
                }
                out[at] = insn;
            }
            i += 1;
        }
        Some(kept)
    }

    /// Emits the test of one argument condition: control goes to `t` if it
    /// holds, to `f` if not. `arg_bits` is the ABI's argument width (a
    /// 64-bit condition on a 32-bit ABI sees a high word of 0) and
    /// `endian` its byte order. Returns the entry label.
    pub(super) const fn condition(
        &mut self,
        c: &Condition,
        arg_bits: u32,
        endian: Endian,
        t: usize,
        f: usize,
    ) -> usize {
        let lo_off = SeccompData::arg_lo(c.arg as usize, endian);
        let hi_off = SeccompData::arg_hi(c.arg as usize, endian);
        let v_lo = c.value as u32;
        let v_hi = (c.value >> 32) as u32;
        // Whether the high word is in the register at all. If not, it reads
        // as 0 (see Width::Bits64), and its comparison folds to a constant.
        let wide = matches!(c.width, Width::Bits64) && arg_bits == 64;
        match c.cmp {
            Cmp::Eq | Cmp::Ne => {
                let (t, f) = if matches!(c.cmp, Cmp::Eq) {
                    (t, f)
                } else {
                    (f, t)
                };
                if !wide {
                    if v_hi != 0 {
                        return f;
                    }
                    let (t, f) = (self.skip_reload(t, lo_off), self.skip_reload(f, lo_off));
                    let j = self.jump(op::JEQ, v_lo, t, f);
                    return self.seq(Instruction::load_word(lo_off), j);
                }
                let (t_lo, f_lo) = (self.skip_reload(t, lo_off), self.skip_reload(f, lo_off));
                let j = self.jump(op::JEQ, v_lo, t_lo, f_lo);
                let lo = self.seq(Instruction::load_word(lo_off), j);
                let j = self.jump(op::JEQ, v_hi, lo, f);
                self.seq(Instruction::load_word(hi_off), j)
            }
            Cmp::Gt | Cmp::Ge | Cmp::Lt | Cmp::Le => {
                // Lt = !Ge and Le = !Gt: compile the positive form, swapped.
                let (t, f) = if matches!(c.cmp, Cmp::Gt | Cmp::Ge) {
                    (t, f)
                } else {
                    (f, t)
                };
                let code = if matches!(c.cmp, Cmp::Gt | Cmp::Le) {
                    op::JGT
                } else {
                    op::JGE
                };
                if !wide {
                    if v_hi != 0 {
                        return f; // 0 > v_hi and 0 == v_hi are both false
                    }
                    let (t, f) = (self.skip_reload(t, lo_off), self.skip_reload(f, lo_off));
                    let j = self.jump(code, v_lo, t, f);
                    return self.seq(Instruction::load_word(lo_off), j);
                }
                // hi > v_hi → t; hi == v_hi → compare lo; hi < v_hi → f.
                let (t_lo, f_lo) = (self.skip_reload(t, lo_off), self.skip_reload(f, lo_off));
                let j = self.jump(code, v_lo, t_lo, f_lo);
                let lo = self.seq(Instruction::load_word(lo_off), j);
                let eq = self.jump(op::JEQ, v_hi, lo, f);
                let gt = self.jump(op::JGT, v_hi, t, eq);
                self.seq(Instruction::load_word(hi_off), gt)
            }
            Cmp::MaskedEq(mask) => {
                let m_lo = mask as u32;
                let m_hi = if wide { (mask >> 32) as u32 } else { 0 };
                let lo = self.masked_word(lo_off, m_lo, v_lo, t, f);
                // The high word: (hi & m_hi) == v_hi.
                if m_hi == 0 {
                    if v_hi != 0 {
                        return f;
                    }
                    return lo;
                }
                self.masked_word(hi_off, m_hi, v_hi, lo, f)
            }
        }
    }

    /// `(word at offset) & mask == value ? t : f`.
    const fn masked_word(
        &mut self,
        offset: u32,
        mask: u32,
        value: u32,
        t: usize,
        f: usize,
    ) -> usize {
        if value & !mask != 0 {
            return f; // bits outside the mask can never be set after masking
        }
        if mask == 0 {
            return t; // 0 == 0
        }
        if value == 0 {
            // (A & mask) == 0 is "no bit of mask set": one jset.
            let (t, f) = (self.skip_reload(t, offset), self.skip_reload(f, offset));
            let j = self.jump(op::JSET, mask, f, t);
            return self.seq(Instruction::load_word(offset), j);
        }
        if mask == u32::MAX {
            let (t, f) = (self.skip_reload(t, offset), self.skip_reload(f, offset));
            let j = self.jump(op::JEQ, value, t, f);
            return self.seq(Instruction::load_word(offset), j);
        }
        let j = self.jump(op::JEQ, value, t, f);
        let and = self.seq(Instruction::stmt(op::ALU | op::AND | op::K, mask), j);
        self.seq(Instruction::load_word(offset), and)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{Action, simulate, verify};
    use std::vec::Vec;

    const ROOM: usize = 1024;
    const LOAD_NR: Instruction = Instruction::load_word(SeccompData::NR);
    /// The syscall number the jumps under test compare with.
    const KEY: u32 = 7;
    const FAR: u32 = Action::Allow.to_ret();
    const NEAR: u32 = Action::Errno(1).to_ret();

    /// The emitted code, front to back, before `finish` drops anything.
    fn emitted<const N: usize>(e: &Emitter<N>) -> &[Instruction] {
        &e.buf[N - e.count..]
    }

    /// The finished program, which the verifier must accept.
    fn finished<const N: usize>(e: &Emitter<N>) -> Vec<Instruction> {
        assert!(!e.is_full());
        let mut out = [Instruction::stmt(0, 0); MAX_INSNS];
        let len = e.finish(&mut out).expect("the code fits");
        let program = out[..len].to_vec();
        assert_eq!(verify(&program), Ok(()), "{program:?}");
        program
    }

    /// The simulator's return value and instruction count for a call.
    fn run(program: &[Instruction], nr: u32, args: [u64; 6]) -> (u32, usize) {
        let data = SeccompData {
            nr: nr as i32,
            arch: 0,
            instruction_pointer: 0,
            args,
        };
        let out = simulate(program, &data, Endian::Little).unwrap();
        (out.ret, out.executed)
    }

    /// `ld [nr]; jeq #KEY` with one branch to a `ret FAR` that is `gap`
    /// instructions past the jump, the other to the code in between:
    /// `gap - 1` loads falling through to a `ret NEAR`. All of it is
    /// reachable, so `finish` keeps it all. `const`, as the compiler runs
    /// the generator at compile time.
    const fn jump_over(gap: usize, far_when_equal: bool) -> Emitter<ROOM> {
        let mut e = Emitter::new();
        let far = e.ret(FAR);
        let mut near = e.ret(NEAR);
        let mut i = 1;
        while i < gap {
            near = e.seq(LOAD_NR, near);
            i += 1;
        }
        let j = if far_when_equal {
            e.jump(op::JEQ, KEY, far, near)
        } else {
            e.jump(op::JEQ, KEY, near, far)
        };
        e.seq(LOAD_NR, j);
        e
    }

    /// What [`jump_over`] should emit: a direct jump up to 255, and beyond
    /// it a jump to a `ja` right after it that covers the distance.
    fn jump_over_expected(gap: usize, far_when_equal: bool) -> Vec<Instruction> {
        let mut code = std::vec![LOAD_NR];
        if gap <= 255 {
            code.push(if far_when_equal {
                Instruction::jeq(KEY, gap as u8, 0)
            } else {
                Instruction::jeq(KEY, 0, gap as u8)
            });
        } else {
            code.push(if far_when_equal {
                Instruction::jeq(KEY, 0, 1)
            } else {
                Instruction::jeq(KEY, 1, 0)
            });
            code.push(Instruction::ja(gap as u32));
        }
        code.extend(core::iter::repeat_n(LOAD_NR, gap - 1));
        code.push(Instruction::ret(NEAR));
        code.push(Instruction::ret(FAR));
        code
    }

    #[test]
    fn jumps_up_to_255_are_direct_and_longer_ones_go_through_a_ja() {
        for gap in [254, 255, 256, 257] {
            for far_when_equal in [true, false] {
                let case = std::format!("gap {gap}, far when equal: {far_when_equal}");
                let e = jump_over(gap, far_when_equal);
                let expected = jump_over_expected(gap, far_when_equal);
                assert_eq!(emitted(&e), &expected[..], "{case}");
                let program = finished(&e);
                assert_eq!(program, expected, "{case}");

                // The far branch takes the `ja` (one more instruction run)
                // only beyond 255; the near one never does.
                let trampoline = usize::from(gap > 255);
                let (far_nr, near_nr) = if far_when_equal {
                    (KEY, KEY + 1)
                } else {
                    (KEY + 1, KEY)
                };
                assert_eq!(
                    run(&program, far_nr, [0; 6]),
                    (FAR, 3 + trampoline),
                    "{case}"
                );
                assert_eq!(run(&program, near_nr, [0; 6]), (NEAR, gap + 2), "{case}");
            }
        }
    }

    /// The generator gives the same code in `const` evaluation.
    #[test]
    fn a_far_jump_is_generated_alike_at_compile_time() {
        const LAID_OUT: ([Instruction; 300], Option<usize>) = {
            let e = jump_over(256, true);
            let mut out = [Instruction::stmt(0, 0); 300];
            let len = e.finish(&mut out);
            (out, len)
        };
        let (code, len) = LAID_OUT;
        assert_eq!(code[..len.unwrap()], jump_over_expected(256, true)[..]);
    }

    /// `ld [nr]; jeq #KEY+1` to a chain of `mid` loads into `ret NEAR`,
    /// else to `jeq #KEY` whose two targets, `ret FAR` and `ret
    /// Errno(2)`, lie past that chain, one instruction apart (`far_first`:
    /// the true branch's target is the farther).
    fn both_far(mid: usize, far_first: bool) -> Emitter<ROOM> {
        let mut e = Emitter::new();
        let other = Action::Errno(2).to_ret();
        let (farther, nearer) = (
            e.ret(if far_first { FAR } else { other }),
            e.ret(if far_first { other } else { FAR }),
        );
        let mut chain = e.ret(NEAR);
        for _ in 0..mid {
            chain = e.seq(LOAD_NR, chain);
        }
        let inner = if far_first {
            e.jump(op::JEQ, KEY, farther, nearer)
        } else {
            e.jump(op::JEQ, KEY, nearer, farther)
        };
        let outer = e.jump(op::JEQ, KEY + 1, chain, inner);
        e.seq(LOAD_NR, outer);
        e
    }

    /// One branch's trampoline moves the other branch's target one
    /// instruction farther: at 255 it then needs a trampoline too.
    #[test]
    fn a_trampoline_can_push_the_other_target_out_of_reach() {
        let errno2 = Action::Errno(2).to_ret();
        for far_first in [true, false] {
            // Targets at 254 and 255: both direct.
            let e = both_far(253, far_first);
            let jeq = if far_first {
                Instruction::jeq(KEY, 255, 254)
            } else {
                Instruction::jeq(KEY, 254, 255)
            };
            assert_eq!(emitted(&e)[2], jeq, "far first: {far_first}");
            let program = finished(&e);
            assert_eq!(run(&program, KEY, [0; 6]), (FAR, 4));
            assert_eq!(run(&program, KEY + 2, [0; 6]), (errno2, 4));
            assert_eq!(run(&program, KEY + 1, [0; 6]).0, NEAR);

            // Targets at 255 and 256: whichever is handled first, both
            // end up behind a `ja`.
            let e = both_far(254, far_first);
            let code = emitted(&e);
            let (to_ret_far, to_errno2) = if far_first { (1, 0) } else { (0, 1) };
            assert_eq!(
                code[2],
                Instruction::jeq(KEY, to_ret_far, to_errno2),
                "far first: {far_first}"
            );
            assert_eq!(code[3], Instruction::ja(256), "far first: {far_first}");
            assert_eq!(code[4], Instruction::ja(256), "far first: {far_first}");
            let program = finished(&e);
            assert_eq!(program.len(), code.len());
            assert_eq!(run(&program, KEY, [0; 6]), (FAR, 5));
            assert_eq!(run(&program, KEY + 2, [0; 6]), (errno2, 5));
            assert_eq!(run(&program, KEY + 1, [0; 6]).0, NEAR);
        }
    }

    /// `ret FAR` (label 0), then `loads` loads into `ret NEAR`; then
    /// `ret FAR` asked for again, and `ld [nr]; jeq #KEY` to it or to the
    /// loads. Returns the emitter and the label the second `ret FAR` got.
    fn ret_again_after(loads: usize) -> (Emitter<ROOM>, usize) {
        let mut e = Emitter::new();
        let first = e.ret(FAR);
        assert_eq!(first, 0);
        let mut near = e.ret(NEAR);
        for _ in 0..loads {
            near = e.seq(LOAD_NR, near);
        }
        let again = e.ret(FAR);
        let j = e.jump(op::JEQ, KEY, again, near);
        e.seq(LOAD_NR, j);
        (e, again)
    }

    /// A `ret` is shared while a jump to it needs at most
    /// [`RET_REUSE_DISTANCE`] of the 255 it can reach; one farther gets
    /// a `ret` of its own.
    #[test]
    fn a_ret_is_shared_while_in_reach_and_emitted_again_beyond() {
        // Asked for with 200 instructions emitted: the one at label 0.
        let (e, again) = ret_again_after(198);
        assert_eq!(again, 0);
        let code = emitted(&e);
        assert_eq!(code.len(), 202);
        assert_eq!(code[1], Instruction::jeq(KEY, 199, 0));
        let program = finished(&e);
        assert_eq!(run(&program, KEY, [0; 6]), (FAR, 3));
        assert_eq!(run(&program, KEY + 1, [0; 6]), (NEAR, 201));

        // With 201 emitted: a new `ret` right after the jump.
        let (e, again) = ret_again_after(199);
        assert_eq!(again, 201);
        let code = emitted(&e);
        assert_eq!(code.len(), 204);
        assert_eq!(code[1], Instruction::jeq(KEY, 0, 1));
        assert_eq!(code[2], Instruction::ret(FAR));
        let rets = code.iter().filter(|i| **i == Instruction::ret(FAR)).count();
        assert_eq!(rets, 2);
        let program = finished(&e);
        assert_eq!(run(&program, KEY, [0; 6]), (FAR, 3));
        assert_eq!(run(&program, KEY + 1, [0; 6]), (NEAR, 202));
    }

    /// The emitter remembers the last eight distinct `ret`s: a ninth
    /// value pushes out the oldest, which is then emitted again.
    #[test]
    fn the_oldest_remembered_ret_makes_room_for_a_new_value() {
        let mut e = Emitter::<ROOM>::new();
        for value in 0..9 {
            assert_eq!(e.ret(value), value as usize);
        }
        assert_eq!(e.ret(0), 9, "value 0 was pushed out by value 8");
        assert_eq!(e.ret(2), 2, "value 2 is still remembered");
        assert_eq!(e.ret(8), 8);
        assert_eq!(e.ret(1), 10, "value 1 was pushed out by value 0");
    }

    /// `args[arg] == value ? t : f` on a 64-bit little-endian ABI.
    fn arg_eq(e: &mut Emitter<ROOM>, arg: u8, value: u32, t: usize, f: usize) -> usize {
        e.condition(
            &Condition::arg32(arg, Cmp::Eq, value),
            64,
            Endian::Little,
            t,
            f,
        )
    }

    /// Three rules on argument 0 after one another:
    /// `args[0] == 1 → FAR`, `args[0] == 2 → Errno(2)`, else `NEAR`.
    /// The second rule's load of argument 0 is jumped over and dropped.
    #[test]
    fn a_reload_of_the_word_just_tested_is_skipped_and_dropped() {
        let errno2 = Action::Errno(2).to_ret();
        let arg0 = SeccompData::arg_lo(0, Endian::Little);
        let mut e = Emitter::<ROOM>::new();
        let fallback = e.ret(NEAR);
        let second_ok = e.ret(errno2);
        let second = arg_eq(&mut e, 0, 2, second_ok, fallback);
        let first_ok = e.ret(FAR);
        arg_eq(&mut e, 0, 1, first_ok, second);

        let load_arg0 = Instruction::load_word(arg0);
        let loads = |code: &[Instruction]| code.iter().filter(|i| **i == load_arg0).count();
        // The first rule's jeq fails over to the second's, past its load.
        let code = emitted(&e);
        assert_eq!(
            code[..5],
            [
                load_arg0,
                Instruction::jeq(1, 0, 2),
                Instruction::ret(FAR),
                load_arg0,
                Instruction::jeq(2, 0, 1),
            ]
        );
        assert_eq!(loads(code), 2);
        // That load is unreachable: dropped, and the jumps shortened.
        let program = finished(&e);
        assert_eq!(loads(&program), 1);
        assert_eq!(
            program[..3],
            [load_arg0, Instruction::jeq(1, 0, 1), Instruction::ret(FAR)]
        );
        assert_eq!(program[3], Instruction::jeq(2, 0, 1));
        assert_eq!(run(&program, 0, [1, 0, 0, 0, 0, 0]), (FAR, 3));
        assert_eq!(run(&program, 0, [2, 0, 0, 0, 0, 0]), (errno2, 4));
        assert_eq!(run(&program, 0, [3, 0, 0, 0, 0, 0]), (NEAR, 4));
    }

    /// A load that one path jumps over stays for the other paths that
    /// reach it with something else in the accumulator: here
    /// `nr == KEY` tests argument 0 first (and skips the reload), any
    /// other number tests argument 1 first (and needs it).
    #[test]
    fn a_reload_stays_for_a_path_that_joins_without_the_word() {
        let errno2 = Action::Errno(2).to_ret();
        let arg0 = SeccompData::arg_lo(0, Endian::Little);
        let arg1 = SeccompData::arg_lo(1, Endian::Little);
        let mut e = Emitter::<ROOM>::new();
        let fallback = e.ret(NEAR);
        let joined_ok = e.ret(errno2);
        let joined = arg_eq(&mut e, 0, 2, joined_ok, fallback);
        let allow = e.ret(FAR);
        let on_arg1 = arg_eq(&mut e, 1, 7, allow, joined);
        let on_arg0 = arg_eq(&mut e, 0, 1, allow, joined);
        let by_nr = e.jump(op::JEQ, KEY, on_arg0, on_arg1);
        e.seq(LOAD_NR, by_nr);

        let program = finished(&e);
        let load_arg0 = Instruction::load_word(arg0);
        let loads = program.iter().filter(|i| **i == load_arg0).count();
        assert_eq!(loads, 2, "{program:?}");
        assert!(program.contains(&Instruction::load_word(arg1)));
        // Through argument 0: the reload skipped.
        assert_eq!(run(&program, KEY, [1, 0, 0, 0, 0, 0]), (FAR, 5));
        assert_eq!(run(&program, KEY, [2, 0, 0, 0, 0, 0]), (errno2, 6));
        assert_eq!(run(&program, KEY, [3, 2, 0, 0, 0, 0]).0, NEAR);
        // Through argument 1, which holds the 2 the joined rule wants:
        // only its own load of argument 0 tells the calls apart.
        assert_eq!(run(&program, 0, [9, 2, 0, 0, 0, 0]).0, NEAR);
        assert_eq!(run(&program, 0, [2, 9, 0, 0, 0, 0]), (errno2, 7));
        assert_eq!(run(&program, 0, [0, 7, 0, 0, 0, 0]).0, FAR);
    }

    /// After `and #mask` the accumulator no longer holds the word, so the
    /// next rule's load of the same word stays.
    #[test]
    fn a_reload_stays_after_the_word_was_masked() {
        let arg0 = SeccompData::arg_lo(0, Endian::Little);
        let mut e = Emitter::<ROOM>::new();
        let fallback = e.ret(NEAR);
        let second_ok = e.ret(Action::Errno(2).to_ret());
        let second = arg_eq(&mut e, 0, 0x25, second_ok, fallback);
        let first_ok = e.ret(FAR);
        let masked = Condition::arg32(0, Cmp::MaskedEq(0xf0), 0x10);
        e.condition(&masked, 64, Endian::Little, first_ok, second);

        let program = finished(&e);
        let load_arg0 = Instruction::load_word(arg0);
        assert_eq!(
            program[..3],
            [
                load_arg0,
                Instruction::alu_and(0xf0),
                Instruction::jeq(0x10, 0, 1)
            ]
        );
        assert_eq!(program.iter().filter(|i| **i == load_arg0).count(), 2);
        assert_eq!(run(&program, 0, [0x15, 0, 0, 0, 0, 0]).0, FAR);
        // 0x25 & 0xf0 is 0x20: the second rule must see all of 0x25.
        assert_eq!(
            run(&program, 0, [0x25, 0, 0, 0, 0, 0]).0,
            Action::Errno(2).to_ret()
        );
        assert_eq!(run(&program, 0, [0x26, 0, 0, 0, 0, 0]).0, NEAR);
    }
}
