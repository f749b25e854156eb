//! What to do when the running kernel cannot do all that was asked: the one
//! choice Landlock rulesets ([`crate::landlock`]) and privilege dropping
//! ([`crate::privileges`]) share.
//!
//! Both depend on what the kernel (and the process's own rights) allow, and
//! a program runs on kernels older and newer than the one it was written
//! for. Refusing to run where something is missing would push users to turn
//! sandboxing off; silently doing less would let them believe in a sandbox
//! they do not have. So the caller chooses, and the report of each module
//! says exactly what was done and what was not.

/// How much of a request must be carried out.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Compatibility {
    /// Do what the kernel supports and drop the rest (reported, as in
    /// [`Plan::dropped`](crate::landlock::Plan::dropped)). The default: some
    /// sandbox beats none, and the report keeps it honest.
    BestEffort,
    /// All of it or none of it: if anything is missing, skip the whole
    /// request (as [`Enforcement::None`](crate::landlock::Enforcement::None))
    /// rather than carry out a part.
    SoftRequirement,
    /// All of it, or an error (as
    /// [`CompatError`](crate::landlock::CompatError)).
    HardRequirement,
}
