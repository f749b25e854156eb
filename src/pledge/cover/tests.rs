//! Tests of what a program needs and the smallest promises that cover it.

use super::super::constants::{AF_INET, AF_UNIX, O_RDWR, O_WRONLY, constants};
use super::super::policy::{Decision, decide, decide_in};
use super::super::table::SELF_PID;
use super::*;
use crate::testing::{Rng, with_big_stack};
use std::vec::Vec;

const AT_FDCWD: u64 = -100i64 as u64;

#[test]
fn enosys_entries_need_no_promises_on_every_abi() {
    // What makes `needs_in` exact (see there).
    with_big_stack(|| {
        for abi in Abi::ALL {
            for e in table(abi).entries() {
                if e.verdict == Verdict::Enosys {
                    assert!(e.needs.is_empty(), "{abi:?} {:?}", e.syscall);
                }
            }
        }
    });
}

#[test]
fn alternatives_fit_every_syscall_on_every_abi() {
    // Whatever the arguments, the alternatives are an antichain of the
    // promise sets of the syscall's entries.
    with_big_stack(|| {
        let mut widest = 0;
        for abi in Abi::ALL {
            let t = table(abi);
            for &s in Syscall::ALL.iter() {
                let mut sets: Vec<Promises> = Vec::new();
                for e in t.entries() {
                    if e.syscall == s && e.verdict == Verdict::Allow && !sets.contains(&e.needs) {
                        sets.push(e.needs);
                    }
                }
                assert!(sets.len() < 16, "{abi:?} {s:?}: {} sets", sets.len());
                for chosen in 0u32..1 << sets.len() {
                    let picked: Vec<Promises> = (0..sets.len())
                        .filter(|i| chosen & (1 << i) != 0)
                        .map(|i| sets[i])
                        .collect();
                    let antichain = picked.iter().enumerate().all(|(i, a)| {
                        picked
                            .iter()
                            .enumerate()
                            .all(|(j, b)| i == j || !a.contains(*b))
                    });
                    if antichain {
                        assert!(picked.len() <= ALTERNATIVES, "{abi:?} {s:?}: {picked:?}");
                        widest = widest.max(picked.len());
                    }
                }
            }
        }
        assert_eq!(widest, ALTERNATIVES, "ALTERNATIVES could be smaller");
    });
}

impl Rng {
    /// A call the table has rules for, with arguments near what its
    /// rules compare (or, now and then, any syscall of `abi`).
    fn recorded_call(&mut self, t: &Table, pid: u32) -> (Syscall, [u64; 6]) {
        let entries = t.entries();
        let mut args = [0u64; 6];
        for a in &mut args {
            *a = match self.below(3) {
                0 => self.next(),
                _ => self.below(8),
            };
        }
        if self.below(10) == 0 {
            let all = t.abi().entries();
            return (all[self.below(all.len() as u64) as usize].1, args);
        }
        let e = &entries[self.below(entries.len() as u64) as usize];
        for c in e.conditions() {
            if self.below(5) == 0 {
                continue;
            }
            let v = if c.value == SELF_PID as u64 {
                pid as u64
            } else {
                c.value
            };
            // Flip a bit now and then: the neighbouring flag values.
            let flip = if self.below(3) == 0 {
                1u64 << self.below(34)
            } else {
                0
            };
            let high = if self.below(4) == 0 {
                self.next() << 32
            } else {
                0
            };
            args[c.arg as usize] = (v ^ flip) | high;
        }
        (e.syscall, args)
    }

    /// A promise set of about one promise in `1 / sparse`.
    fn promises(&mut self, sparse: u64) -> Promises {
        let mut bits = 0u32;
        for i in 0..23 {
            if self.below(sparse) == 0 {
                bits |= 1 << i;
            }
        }
        Promises::from_bits_truncate(bits)
    }
}

#[test]
fn needs_agree_with_decide_on_every_abi() {
    with_big_stack(|| {
        let mut rng = Rng(0x1ea2_4ed5);
        let pid = 4242;
        let mut calls = 0;
        let mut sets = 0;
        for abi in Abi::ALL {
            let t = table(abi);
            for _ in 0..400 {
                let (s, args) = rng.recorded_call(&t, pid);
                let n = needs_in(&t, s, &args, pid);
                // Every subset of the promises of the matching entries
                // (with noise from the others): all that can matter.
                let mentioned = t
                    .entries()
                    .iter()
                    .filter(|e| e.syscall == s && e.matches(&args, abi.arg_bits(), pid))
                    .fold(Promises::empty(), |a, e| a | e.needs | e.unless);
                let free: Vec<u32> = (0..23)
                    .filter(|i| mentioned.bits() & (1 << i) != 0)
                    .collect();
                assert!(free.len() <= 10, "{abi:?} {s:?} {mentioned}");
                for subset in 0u32..1 << free.len() {
                    let mut p = rng.promises(4).difference(mentioned);
                    for (i, bit) in free.iter().enumerate() {
                        if subset & (1 << i) != 0 {
                            p |= Promises::from_bits_retain(1 << bit);
                        }
                    }
                    for p in [p, p | rng.promises(2)] {
                        let allowed = decide_in(&t, p, s, &args, pid) == Decision::Allowed;
                        assert_eq!(n.allows(p), allowed, "{abi:?} {s:?} {args:x?} {p} {n:?}");
                        sets += 1;
                    }
                }
                calls += 1;
            }
        }
        std::eprintln!("{calls} calls, {sets} promise sets");
    });
}

#[test]
fn the_public_functions_agree_too() {
    with_big_stack(|| {
        let mut rng = Rng(0xdec1de);
        for abi in [Abi::NATIVE, Abi::X86_64, Abi::I386, Abi::Aarch64] {
            let t = table(abi);
            for _ in 0..20 {
                let (s, args) = rng.recorded_call(&t, 77);
                let n = needs(abi, s, &args, 77);
                assert_eq!(n, needs_in(&t, s, &args, 77));
                for _ in 0..5 {
                    let p = rng.promises(3);
                    let allowed = decide(p, abi, s, &args, 77) == Decision::Allowed;
                    assert_eq!(n.allows(p), allowed, "{abi:?} {s:?} {args:x?} {p}");
                }
            }
        }
    });
}

fn any_of(alternatives: &[Promises]) -> Needs {
    alternatives.iter().fold(Needs::NEVER, |n, a| n.or(*a))
}

#[test]
fn needs_are_minimal_sorted_and_canonical() {
    let mut rng = Rng(0x0dd5);
    for _ in 0..2000 {
        let raw: Vec<Promises> = (0..rng.below(5)).map(|_| rng.promises(6)).collect();
        let n = any_of(&raw);
        let mut reversed = raw.clone();
        reversed.reverse();
        assert_eq!(n, any_of(&reversed), "{raw:?}");
        let alts = n.alternatives();
        for (i, a) in alts.iter().enumerate() {
            assert!(raw.contains(a));
            for b in &alts[i + 1..] {
                assert!(a.bits() < b.bits() && !b.contains(*a) && !a.contains(*b));
            }
        }
        for _ in 0..20 {
            let p = rng.promises(2);
            assert_eq!(n.allows(p), raw.iter().any(|a| p.contains(*a)));
        }
        assert_eq!(n.is_never(), raw.is_empty());
        assert_eq!(n.is_always(), raw.iter().any(|a| a.is_empty()));
    }
}

fn x86(s: Syscall, args: [u64; 6]) -> Needs {
    needs(Abi::X86_64, s, &args, 1)
}

fn p(words: &str) -> Promises {
    Promises::parse(words).unwrap()
}

#[test]
fn hand_made_calls() {
    let c = constants(Abi::X86_64);
    let (creat, excl) = (c.o_creat as u64, c.o_excl as u64);
    let open = |flags: u64| x86(Syscall::openat, [AT_FDCWD, 0, flags, 0o644, 0, 0]);
    let socket =
        |family: u32, kind: u32| x86(Syscall::socket, [family as u64, kind as u64, 0, 0, 0, 0]);
    assert_eq!(open(0).alternatives(), [p("rpath")]);
    let w = O_WRONLY as u64;
    assert_eq!(open(w | creat).alternatives(), [p("wpath cpath")]);
    let mkstemp = open(O_RDWR as u64 | creat | excl);
    assert_eq!(
        mkstemp.alternatives(),
        [p("rpath wpath cpath"), p("tmppath")]
    );
    assert_eq!(
        socket(AF_INET, c.sock_stream).alternatives(),
        [p("inet"), p("anet")]
    );
    // anet is TCP only.
    assert_eq!(
        socket(AF_INET, c.sock_dgram).alternatives(),
        [p("inet"), p("dns")]
    );
    assert_eq!(socket(AF_UNIX, c.sock_stream).alternatives(), [p("unix")]);
    assert_eq!(x86(Syscall::read, [0; 6]).alternatives(), [p("stdio")]);
    assert!(x86(Syscall::exit_group, [0; 6]).is_always());
    assert!(x86(Syscall::ptrace, [0; 6]).is_never());
    // Shadowed: the ENOSYS list comes first whatever the promises.
    assert!(x86(Syscall::clone3, [0; 6]).is_never());
    assert!(needs(Abi::I386, Syscall::mmap, &[0; 6], 1).is_never());
    // memfd_create: stdio, unless exec is held without the seal.
    let memfd = |flags: u64| x86(Syscall::memfd_create, [0, flags, 0, 0, 0, 0]);
    let (cloexec, seal, exec) = (1, 8, 0x10);
    assert_eq!(memfd(cloexec).alternatives(), [p("stdio")]);
    assert_eq!(memfd(cloexec).excluded(), [p("exec")]);
    assert!(!memfd(cloexec).allows(p("stdio exec")));
    assert!(memfd(cloexec | seal).allows(p("stdio exec")));
    assert_eq!(memfd(cloexec | seal).excluded(), [p("")]);
    assert_eq!(memfd(seal | exec).excluded(), [p("exec")]);

    let cover = |calls: &[Needs]| {
        let c = smallest_cover(calls);
        (c.promises(), c.never())
    };
    assert_eq!(cover(&[open(0)]), (p("rpath"), 0));
    assert_eq!(cover(&[open(w | creat)]), (p("wpath cpath"), 0));
    assert_eq!(cover(&[socket(AF_INET, c.sock_stream)]), (p("inet"), 0));
    assert_eq!(cover(&[x86(Syscall::exit_group, [0; 6])]), (p(""), 0));
    assert_eq!(cover(&[x86(Syscall::read, [0; 6])]), (p("stdio"), 0));
    assert_eq!(cover(&[x86(Syscall::ptrace, [0; 6])]), (p(""), 1));
    // mkstemp alone: tmppath; with another write, wpath cpath do it.
    assert_eq!(cover(&[mkstemp]), (p("tmppath"), 0));
    assert_eq!(
        cover(&[mkstemp, open(0), open(w | creat)]),
        (p("rpath wpath cpath"), 0)
    );
    let all = [
        open(0),
        open(w | creat),
        socket(AF_INET, c.sock_stream),
        x86(Syscall::read, [0; 6]),
        x86(Syscall::ptrace, [0; 6]),
        x86(Syscall::exit_group, [0; 6]),
    ];
    assert_eq!(cover(&all), (p("stdio rpath wpath cpath inet"), 1));
    // No set allows both: the cover ignores the exclusion, and counts
    // the call it leaves refused.
    let execve = x86(Syscall::execve, [0; 6]);
    let conflict = smallest_cover(&[memfd(cloexec), execve]);
    assert_eq!(
        (conflict.promises(), conflict.conflicts()),
        (p("stdio exec"), 1)
    );
    let sealed = smallest_cover(&[memfd(seal), execve]);
    assert_eq!(
        (sealed.promises(), sealed.conflicts()),
        (p("stdio exec"), 0)
    );
}

/// The smallest set by trying every subset of `universe`, lowest bits
/// first among the smallest.
fn brute_force(calls: &[Needs], universe: Promises) -> Promises {
    brute_force_honouring(calls, universe, true)
        .or_else(|| brute_force_honouring(calls, universe, false))
        .unwrap()
}

fn brute_force_honouring(
    calls: &[Needs],
    universe: Promises,
    exclusions: bool,
) -> Option<Promises> {
    let u = universe.bits();
    let mut best: Option<u32> = None;
    let mut s = u;
    loop {
        let set = Promises::from_bits_retain(s);
        let ok = calls.iter().all(|n| {
            n.is_never()
                || if exclusions {
                    n.allows(set)
                } else {
                    n.allows_ignoring_exclusions(set)
                }
        });
        if ok {
            best = match best {
                Some(b) if (b.count_ones(), b) < (s.count_ones(), s) => Some(b),
                _ => Some(s),
            };
        }
        if s == 0 {
            break;
        }
        s = (s - 1) & u;
    }
    best.map(Promises::from_bits_retain)
}

fn binomial(n: u32, k: u32) -> u64 {
    (0..k).fold(1u64, |acc, i| acc * u64::from(n - i) / u64::from(i + 1))
}

#[test]
fn smallest_cover_agrees_with_brute_force() {
    let mut rng = Rng(0xc0fe);
    for round in 0..3000 {
        // A few promises out of the 23, mixed into a few calls.
        let universe = rng.promises(3);
        let members: Vec<u32> = (0..23)
            .filter(|i| universe.bits() & (1 << i) != 0)
            .collect();
        let mut calls = Vec::new();
        for _ in 0..rng.below(12) {
            let mut alts = Vec::new();
            for _ in 0..rng.below(4) {
                let mut a = Promises::empty();
                for _ in 0..rng.below(4) {
                    if !members.is_empty() {
                        let bit = members[rng.below(members.len() as u64) as usize];
                        a |= Promises::from_bits_retain(1 << bit);
                    }
                }
                // Now and then a promise this alternative excludes.
                let mut unless = Promises::empty();
                if rng.below(4) == 0 && !members.is_empty() {
                    let bit = members[rng.below(members.len() as u64) as usize];
                    unless = Promises::from_bits_retain(1 << bit).difference(a);
                }
                alts.push((a, unless));
            }
            calls.push(
                alts.iter()
                    .fold(Needs::NEVER, |n, &(a, u)| n.or_unless(a, u)),
            );
        }
        let (cover, tried) = search(&calls);
        let want = brute_force(&calls, universe);
        assert_eq!(cover.promises(), want, "round {round}: {calls:?}");
        assert_eq!(cover.never(), calls.iter().filter(|n| n.is_never()).count());
        let conflicts = calls
            .iter()
            .filter(|n| !n.is_never() && !n.allows(want))
            .count();
        assert_eq!(cover.conflicts(), conflicts, "round {round}: {calls:?}");
        // Twice when exclusions leave no cover.
        assert!(
            u64::from(tried) <= 2 << members.len(),
            "round {round}: {tried}"
        );
    }
}

/// `len` distinct needs over `promises` promises, none forced: every
/// pair as two one-promise alternatives (a cover needs all promises but
/// one, so nearly every subset is tried), then two promises or a third.
fn worst_recording(promises: u32, len: usize) -> Vec<Needs> {
    let one = |i: u32| Promises::from_bits_retain(1 << i);
    let mut calls = Vec::new();
    for i in 0..promises {
        for j in i + 1..promises {
            calls.push(any_of(&[one(i), one(j)]));
        }
    }
    let mut rng = Rng(0x200);
    while calls.len() < len {
        let (i, j, k) = (
            rng.below(promises as u64) as u32,
            rng.below(promises as u64) as u32,
            rng.below(promises as u64) as u32,
        );
        let n = any_of(&[one(i) | one(j), one(k)]);
        // Distinct promises: a single alternative would force them.
        if i != j && j != k && k != i && !calls.contains(&n) {
            calls.push(n);
        }
    }
    calls.truncate(len);
    calls
}

#[test]
fn worst_realistic_recording() {
    let calls = worst_recording(12, 200);
    let start = std::time::Instant::now();
    let (cover, tried) = search(&calls);
    let elapsed = start.elapsed();
    assert_eq!(cover.promises().bits().count_ones(), 11);
    assert_eq!(
        cover.promises(),
        brute_force(&calls, Promises::from_bits_retain(0xfff))
    );
    let bound: u64 = (0..=11).map(|k| binomial(12, k)).sum();
    assert!(u64::from(tried) <= bound, "{tried} > {bound}");
    std::eprintln!("200 needs over 12 promises: {tried} sets tried in {elapsed:?}");
}
