//! Shared by the fuzz targets and the seed generator: the structure-aware
//! description of a policy and its probes (decoded by `arbitrary`), how a
//! description becomes values of `seclude`, the raw input format of the
//! instruction-level targets, and encoders that write inputs in exactly the
//! format the targets decode (so the committed seeds are meaningful).

use arbitrary::Arbitrary;
use seclude::bpf::{Action, Instruction, SECCOMP_OPCODES, SeccompData, op};
use seclude::seccomp::{Cmp, Condition, Policy, Rule, Width};
use seclude::tables::{Abi, Endian, Syscall};

// ---------------------------------------------------------------------------
// compile_policy: the description
// ---------------------------------------------------------------------------

/// A policy and the calls to probe it with.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct PolicyInput {
    /// Index into the ABI sets (see [`abi_set`]).
    pub abi_set: u8,
    pub default: ActionDesc,
    pub bad_arch: ActionDesc,
    pub rules: Vec<RuleDesc>,
    pub probes: Vec<ProbeDesc>,
}

/// Most rules taken from a description: one more than the policy's
/// capacity, so `TooManyRules` is reachable.
pub const MAX_RULES: usize = 66;
/// The policy's capacity.
pub const CAPACITY: usize = 64;
/// Most conditions taken per rule: one more than allowed.
pub const MAX_CONDS: usize = 7;
/// Most probes run per input.
pub const MAX_PROBES: usize = 64;

#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionDesc {
    KillProcess,
    KillThread,
    Trap(u16),
    Errno(u16),
    UserNotif,
    Trace(u16),
    Log,
    Allow,
}

/// The rules of a description as `seclude` values: syscall, conditions, action.
pub type Rules = Vec<(Syscall, Vec<Condition>, Action)>;

/// A description turned into a policy with the public builder.
pub struct Built {
    pub abis: &'static [Abi],
    pub default: Action,
    pub bad_arch: Action,
    /// The action for numbers without a syscall (`Policy::unknown`).
    pub unknown: Action,
    pub rules: Rules,
    pub policy: Policy<CAPACITY>,
}

pub fn build(input: &PolicyInput) -> Built {
    let abis = abi_set(input.abi_set);
    let default = input.default.action();
    let bad_arch = input.bad_arch.action();
    let rules: Rules = input
        .rules
        .iter()
        .take(MAX_RULES)
        .map(|r| (r.syscall(), r.conditions(), r.action.action()))
        .collect();
    let mut policy: Policy<CAPACITY> = Policy::for_abis(abis, default).bad_arch(bad_arch);
    // Bit 4 of the ABI selector (independent of which set it picks) also
    // gives numbers without a syscall their own action: the bad-arch one.
    let unknown = if input.abi_set & 0x10 != 0 {
        policy = policy.unknown(bad_arch);
        bad_arch
    } else {
        default
    };
    for (desc, (syscall, conds, action)) in input.rules.iter().zip(&rules) {
        policy = match Rule::with(*syscall, conds, *action) {
            Ok(rule) if desc.via_push => policy.push(rule),
            _ => policy.rule(*syscall, conds, *action),
        };
    }
    Built {
        abis,
        default,
        bad_arch,
        unknown,
        rules,
        policy,
    }
}

impl ActionDesc {
    pub fn action(self) -> Action {
        match self {
            ActionDesc::KillProcess => Action::KillProcess,
            ActionDesc::KillThread => Action::KillThread,
            ActionDesc::Trap(d) => Action::Trap(d),
            ActionDesc::Errno(d) => Action::Errno(d),
            ActionDesc::UserNotif => Action::UserNotif,
            ActionDesc::Trace(d) => Action::Trace(d),
            ActionDesc::Log => Action::Log,
            ActionDesc::Allow => Action::Allow,
        }
    }
}

#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct RuleDesc {
    /// Below [`HOT_LIMIT`]: one of [`HOT`]; else any syscall.
    pub syscall: u16,
    pub action: ActionDesc,
    /// Build with `Rule::with` + `Policy::push` rather than `Policy::rule`.
    pub via_push: bool,
    pub conditions: Vec<ConditionDesc>,
}

/// Syscalls most rules are about, so that rules collide. Some are missing
/// on some ABIs (`open`, `fork` on the generic table; `socketcall` outside
/// i386/s390x/…; `set_tls` only on ARM).
pub const HOT: [Syscall; 14] = [
    Syscall::read,
    Syscall::write,
    Syscall::openat,
    Syscall::close,
    Syscall::mmap,
    Syscall::mprotect,
    Syscall::ioctl,
    Syscall::socket,
    Syscall::kill,
    Syscall::clone,
    Syscall::exit_group,
    Syscall::open,
    Syscall::socketcall,
    Syscall::set_tls,
];
pub const HOT_LIMIT: u16 = 0xc000;

impl RuleDesc {
    pub fn syscall(&self) -> Syscall {
        if self.syscall < HOT_LIMIT {
            HOT[self.syscall as usize % HOT.len()]
        } else {
            Syscall::ALL[(self.syscall - HOT_LIMIT) as usize % Syscall::COUNT]
        }
    }

    pub fn conditions(&self) -> Vec<Condition> {
        self.conditions
            .iter()
            .take(MAX_CONDS)
            .map(ConditionDesc::condition)
            .collect()
    }
}

#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct ConditionDesc {
    /// Mostly 0–5; 0xfa–0xfd give 6, 0xfe gives 7, 0xff gives 255.
    pub arg: u8,
    pub form: Form,
    pub cmp: CmpDesc,
    pub value: ValueDesc,
}

/// How the condition is made.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `Condition::arg32` (value and mask truncated to 32 bits).
    Arg32,
    /// `Condition::arg64`.
    Arg64,
    /// A struct literal with `Width::Bits32` and the full 64-bit value and
    /// mask (the fields are public, so this is a policy users can write).
    Literal32,
}

#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpDesc {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    MaskedEq(ValueDesc),
}

impl ConditionDesc {
    pub fn arg(&self) -> u8 {
        match self.arg {
            0xfa..=0xfd => 6,
            0xfe => 7,
            0xff => 255,
            a => a % 6,
        }
    }

    pub fn condition(&self) -> Condition {
        let cmp = match self.cmp {
            CmpDesc::Eq => Cmp::Eq,
            CmpDesc::Ne => Cmp::Ne,
            CmpDesc::Lt => Cmp::Lt,
            CmpDesc::Le => Cmp::Le,
            CmpDesc::Gt => Cmp::Gt,
            CmpDesc::Ge => Cmp::Ge,
            CmpDesc::MaskedEq(m) => Cmp::MaskedEq(m.value()),
        };
        let value = self.value.value();
        match self.form {
            Form::Arg32 => Condition::arg32(self.arg(), cmp, value as u32),
            Form::Arg64 => Condition::arg64(self.arg(), cmp, value),
            Form::Literal32 => Condition {
                arg: self.arg(),
                width: Width::Bits32,
                cmp,
                value,
            },
        }
    }
}

/// Values near the edges of 32- and 64-bit comparisons.
pub const EDGES: [u64; 13] = [
    0,
    1,
    0x7f,
    0xff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    1 << 32,
    0xffff_ffff_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0xffff_ffff_ffff_fffe,
    u64::MAX,
];

#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDesc {
    /// `EDGES[i] - 1`, `EDGES[i]` or `EDGES[i] + 1` (wrapping), by `delta % 3`.
    Edge(u8, u8),
    Small(u8),
    Raw(u64),
}

impl ValueDesc {
    pub fn value(self) -> u64 {
        match self {
            ValueDesc::Edge(i, delta) => {
                let v = EDGES[i as usize % EDGES.len()];
                match delta % 3 {
                    0 => v,
                    1 => v.wrapping_add(1),
                    _ => v.wrapping_sub(1),
                }
            }
            ValueDesc::Small(v) => v as u64,
            ValueDesc::Raw(v) => v,
        }
    }
}

/// One `seccomp_data` to run the program and the policy on.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct ProbeDesc {
    pub nr: NrDesc,
    /// Below 200: one of the policy's ABIs; below 240: any ABI; else `arch_raw`.
    pub arch_sel: u8,
    pub arch_raw: u32,
    pub ip: u64,
    pub args: [ValueDesc; 6],
    /// Set the arguments so the conditions of this rule hold (or miss by one).
    pub pin: Option<Pin>,
}

#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NrDesc {
    /// The number of a rule's syscall on one of the policy's ABIs, ±1 by `delta % 4`
    /// (0, 1: exact; 2: +1; 3: −1).
    OfRule {
        rule: u8,
        abi: u8,
        delta: u8,
    },
    /// The `index`-th entry of an ABI's table (`abi` indexes `Abi::ALL`).
    OfTable {
        abi: u8,
        index: u16,
    },
    Raw(u32),
}

#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    pub rule: u8,
    /// 0, 1: the condition's value; 2: +1; 3: −1.
    pub delta: u8,
}

/// The ABI sets policies cover. Indices below [`REALISTIC_SETS`] are
/// realistic; the rest are mistakes or odd cases (chosen when `abi_set` is
/// 240 or more).
pub const ABI_SETS: &[&[Abi]] = &[
    &[Abi::X86_64],
    &[Abi::X86_64, Abi::X32, Abi::I386],
    &[Abi::Aarch64, Abi::Arm],
    &[Abi::Mips, Abi::Mips64N32],
    &[Abi::Ppc64le],
    &[Abi::S390x, Abi::Riscv32],
    &[Abi::X86_64, Abi::I386],
    &[Abi::X32],
    &[Abi::I386, Abi::X86_64],
    &[Abi::X32, Abi::X86_64],
    &[Abi::Riscv64],
    &[Abi::Loongarch64, Abi::Aarch64],
    &[Abi::Ppc64, Abi::Ppc],
    &[Abi::Mipsel, Abi::Mipsel64, Abi::Mipsel64N32],
    &[Abi::Arm, Abi::Aarch64, Abi::Riscv64, Abi::Mips64],
    // Odd cases.
    &[],
    &[Abi::X86_64, Abi::X86_64],
    &[Abi::X86_64, Abi::X32, Abi::I386, Abi::Aarch64, Abi::Arm],
    &[Abi::Mips, Abi::Mipsel, Abi::Mips64, Abi::Mipsel64],
];
pub const REALISTIC_SETS: usize = 15;

pub fn abi_set(sel: u8) -> &'static [Abi] {
    if sel < 240 {
        ABI_SETS[sel as usize % REALISTIC_SETS]
    } else {
        ABI_SETS[REALISTIC_SETS + sel as usize % (ABI_SETS.len() - REALISTIC_SETS)]
    }
}

impl ProbeDesc {
    /// The `seccomp_data` this probe describes, for a policy with these
    /// ABIs and (decoded) rules.
    pub fn data(&self, abis: &[Abi], rules: &[(Syscall, Vec<Condition>, Action)]) -> SeccompData {
        let nr = match self.nr {
            NrDesc::OfRule { rule, abi, delta } if !rules.is_empty() && !abis.is_empty() => {
                let syscall = rules[rule as usize % rules.len()].0;
                let abi = abis[abi as usize % abis.len()];
                let nr = abi.number(syscall).unwrap_or(0);
                match delta % 4 {
                    2 => nr.wrapping_add(1),
                    3 => nr.wrapping_sub(1),
                    _ => nr,
                }
            }
            NrDesc::OfRule { rule, .. } => rule as u32,
            NrDesc::OfTable { abi, index } => {
                let entries = Abi::ALL[abi as usize % Abi::ALL.len()].entries();
                entries[index as usize % entries.len()].0
            }
            NrDesc::Raw(nr) => nr,
        };
        let arch = match self.arch_sel {
            s if s < 200 && !abis.is_empty() => abis[s as usize % abis.len()].audit_arch(),
            s if s < 240 => Abi::ALL[s as usize % Abi::ALL.len()].audit_arch(),
            _ => self.arch_raw,
        };
        let mut args = self.args.map(ValueDesc::value);
        if let Some(pin) = self.pin {
            if !rules.is_empty() {
                for c in &rules[pin.rule as usize % rules.len()].1 {
                    if let Some(a) = args.get_mut(c.arg as usize) {
                        *a = match pin.delta % 4 {
                            2 => c.value.wrapping_add(1),
                            3 => c.value.wrapping_sub(1),
                            _ => c.value,
                        };
                    }
                }
            }
        }
        SeccompData {
            nr: nr as i32,
            arch,
            instruction_pointer: self.ip,
            args,
        }
    }
}

// ---------------------------------------------------------------------------
// verify_simulate, listing: raw input
// ---------------------------------------------------------------------------

/// Most instructions decoded: a few more than the kernel's 4096.
pub const MAX_RAW_INSNS: usize = 4100;

/// Flag bits of the first byte of a raw input.
pub const FLAG_BIG_ENDIAN: u8 = 1;
/// Reshape every instruction towards one seccomp accepts (see [`decode_raw`]).
pub const FLAG_SHAPED: u8 = 2;

/// A decoded raw input: `[flags][seccomp_data: 64 bytes][instructions: 8 bytes each]`,
/// all little-endian; missing bytes of the header read as 0, a trailing
/// partial instruction is dropped.
pub struct RawInput {
    pub flags: u8,
    pub endian: Endian,
    pub data: SeccompData,
    pub prog: Vec<Instruction>,
}

fn le_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b.try_into().unwrap())
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap())
}

pub fn decode_raw(bytes: &[u8]) -> RawInput {
    let mut header = [0u8; 65];
    let n = bytes.len().min(65);
    header[..n].copy_from_slice(&bytes[..n]);
    let flags = header[0];
    let d = &header[1..];
    let mut args = [0u64; 6];
    for (i, a) in args.iter_mut().enumerate() {
        *a = le_u64(&d[16 + 8 * i..24 + 8 * i]);
    }
    let data = SeccompData {
        nr: le_u32(&d[0..4]) as i32,
        arch: le_u32(&d[4..8]),
        instruction_pointer: le_u64(&d[8..16]),
        args,
    };
    let body = if bytes.len() > 65 { &bytes[65..] } else { &[] };
    let mut prog: Vec<Instruction> = body
        .chunks_exact(8)
        .take(MAX_RAW_INSNS)
        .map(|c| Instruction {
            code: u16::from_le_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: le_u32(&c[4..8]),
        })
        .collect();
    if flags & FLAG_SHAPED != 0 {
        shape(&mut prog);
    }
    RawInput {
        flags,
        endian: if flags & FLAG_BIG_ENDIAN != 0 {
            Endian::Big
        } else {
            Endian::Little
        },
        data,
        prog,
    }
}

/// Maps arbitrary instructions onto mostly valid seccomp ones, so that the
/// fuzzer reaches programs `verify` accepts: the opcode is picked from
/// seccomp's list, jump offsets are reduced into the program, loads into
/// `seccomp_data`, slots below 16, shifts below 32, divisors non-zero, and
/// the last instruction is a return. A `k` with its top bit set is left
/// alone (so out-of-range constants still occur).
pub fn shape(prog: &mut [Instruction]) {
    let len = prog.len();
    for (pc, insn) in prog.iter_mut().enumerate() {
        let room = (len - pc - 1).max(1) as u32;
        insn.code = SECCOMP_OPCODES[insn.code as usize % SECCOMP_OPCODES.len()];
        if pc + 1 == len && !insn.is_return() {
            insn.code = if insn.k & 1 == 0 {
                op::RET | op::K
            } else {
                op::RET | op::A
            };
        }
        if insn.is_conditional_jump() {
            insn.jt = (insn.jt as u32 % room) as u8;
            insn.jf = (insn.jf as u32 % room) as u8;
        }
        if insn.k & 0x8000_0000 != 0 {
            continue;
        }
        match insn.code {
            0x05 => insn.k %= room,
            0x20 => insn.k = (insn.k % 16) * 4,
            0x60 | 0x61 | 0x02 | 0x03 => insn.k %= 16,
            0x64 | 0x74 => insn.k %= 32,
            0x34 if insn.k == 0 => insn.k = 1,
            _ => {}
        }
    }
}

pub fn encode_raw(flags: u8, data: &SeccompData, prog: &[Instruction]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&data.nr.to_le_bytes());
    out.extend_from_slice(&data.arch.to_le_bytes());
    out.extend_from_slice(&data.instruction_pointer.to_le_bytes());
    for a in data.args {
        out.extend_from_slice(&a.to_le_bytes());
    }
    for i in prog {
        out.extend_from_slice(&i.code.to_le_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_le_bytes());
    }
    out
}

// ---------------------------------------------------------------------------
// Encoders: the inverse of the derived `Arbitrary` impls (arbitrary 1.5:
// integers little-endian, `bool` one byte, enum tag a `u32` mapped by
// `(tag * variants) >> 32`, a `Vec` one `true` byte before each element
// and a `false` byte after the last, `Option` a bool then the value).
// `make_seeds` decodes what it encodes and checks it gets the same value.
// ---------------------------------------------------------------------------

pub trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

fn tag(out: &mut Vec<u8>, index: u64, variants: u64) {
    let t = ((index << 32) + variants - 1) / variants;
    out.extend_from_slice(&(t as u32).to_le_bytes());
}

macro_rules! encode_int {
    ($($t:ty)*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
encode_int!(u8 u16 u32 u64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        for x in self {
            out.push(1);
            x.encode(out);
        }
        out.push(0);
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(x) => {
                out.push(1);
                x.encode(out);
            }
        }
    }
}

impl<T: Encode, const N: usize> Encode for [T; N] {
    fn encode(&self, out: &mut Vec<u8>) {
        for x in self {
            x.encode(out);
        }
    }
}

impl Encode for PolicyInput {
    fn encode(&self, out: &mut Vec<u8>) {
        self.abi_set.encode(out);
        self.default.encode(out);
        self.bad_arch.encode(out);
        self.rules.encode(out);
        self.probes.encode(out);
    }
}

impl Encode for ActionDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        let (i, data) = match *self {
            ActionDesc::KillProcess => (0, None),
            ActionDesc::KillThread => (1, None),
            ActionDesc::Trap(d) => (2, Some(d)),
            ActionDesc::Errno(d) => (3, Some(d)),
            ActionDesc::UserNotif => (4, None),
            ActionDesc::Trace(d) => (5, Some(d)),
            ActionDesc::Log => (6, None),
            ActionDesc::Allow => (7, None),
        };
        tag(out, i, 8);
        if let Some(d) = data {
            d.encode(out);
        }
    }
}

impl Encode for RuleDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.syscall.encode(out);
        self.action.encode(out);
        self.via_push.encode(out);
        self.conditions.encode(out);
    }
}

impl Encode for ConditionDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.arg.encode(out);
        self.form.encode(out);
        self.cmp.encode(out);
        self.value.encode(out);
    }
}

impl Encode for Form {
    fn encode(&self, out: &mut Vec<u8>) {
        tag(out, *self as u64, 3);
    }
}

impl Encode for CmpDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        let i = match self {
            CmpDesc::Eq => 0,
            CmpDesc::Ne => 1,
            CmpDesc::Lt => 2,
            CmpDesc::Le => 3,
            CmpDesc::Gt => 4,
            CmpDesc::Ge => 5,
            CmpDesc::MaskedEq(_) => 6,
        };
        tag(out, i, 7);
        if let CmpDesc::MaskedEq(m) = self {
            m.encode(out);
        }
    }
}

impl Encode for ValueDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            ValueDesc::Edge(i, d) => {
                tag(out, 0, 3);
                i.encode(out);
                d.encode(out);
            }
            ValueDesc::Small(v) => {
                tag(out, 1, 3);
                v.encode(out);
            }
            ValueDesc::Raw(v) => {
                tag(out, 2, 3);
                v.encode(out);
            }
        }
    }
}

impl Encode for ProbeDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        self.nr.encode(out);
        self.arch_sel.encode(out);
        self.arch_raw.encode(out);
        self.ip.encode(out);
        self.args.encode(out);
        self.pin.encode(out);
    }
}

impl Encode for NrDesc {
    fn encode(&self, out: &mut Vec<u8>) {
        match *self {
            NrDesc::OfRule { rule, abi, delta } => {
                tag(out, 0, 3);
                rule.encode(out);
                abi.encode(out);
                delta.encode(out);
            }
            NrDesc::OfTable { abi, index } => {
                tag(out, 1, 3);
                abi.encode(out);
                index.encode(out);
            }
            NrDesc::Raw(nr) => {
                tag(out, 2, 3);
                nr.encode(out);
            }
        }
    }
}

impl Encode for Pin {
    fn encode(&self, out: &mut Vec<u8>) {
        self.rule.encode(out);
        self.delta.encode(out);
    }
}
