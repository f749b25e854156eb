//! Compatibility: what to do when the running kernel cannot enforce all of
//! a ruleset, decided explicitly and reported exactly.
//!
//! Landlock grows with every kernel release, and a program runs on kernels
//! older and newer than the one it was written for. Refusing to run where a
//! newer right is missing would push users to turn sandboxing off; silently
//! enforcing less would let them believe in a sandbox they do not have (the
//! nono project's network rules vanished on kernels before 6.7 that way).
//! So the caller chooses, per ruleset, with [`Compatibility`], and whatever
//! happens the [`Plan`] says exactly what is enforced and what was dropped.
//!
//! The computation is pure: it takes the ABI version as an input, so every
//! version from 0 to 9 is tested on any machine.

use super::access::{AbiVersion, AccessFs, AccessNet, RestrictFlags, Scope};
use crate::Compatibility;
use core::fmt;

/// How much of a requested ruleset is enforced.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Enforcement {
    /// Everything requested.
    Full,
    /// Some of it: see [`Plan::dropped`].
    Partial,
    /// Nothing: no Landlock, or a soft requirement that could not be met.
    None,
}

/// What a ruleset restricts: the rights it handles (denies unless a rule
/// allows them), the scopes, and the `restrict_self` flags.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Request {
    /// Filesystem rights handled.
    pub fs: AccessFs,
    /// Network rights handled.
    pub net: AccessNet,
    /// IPC scopes restricted.
    pub scopes: Scope,
    /// Flags for `landlock_restrict_self`.
    pub flags: RestrictFlags,
}

impl Request {
    /// Nothing requested.
    ///
    /// ```
    /// assert!(seclude::landlock::Request::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Request = Request {
        fs: AccessFs::empty(),
        net: AccessNet::empty(),
        scopes: Scope::empty(),
        flags: RestrictFlags::empty(),
    };

    /// Everything this crate knows how to restrict (logging flags aside).
    ///
    /// ```
    /// use seclude::landlock::{AccessFs, Request};
    /// assert_eq!(Request::ALL.fs, AccessFs::all());
    /// ```
    pub const ALL: Request = Request {
        fs: AccessFs::all(),
        net: AccessNet::all(),
        scopes: Scope::all(),
        flags: RestrictFlags::empty(),
    };

    /// Whether nothing is requested.
    ///
    /// ```
    /// use seclude::landlock::{AccessNet, Request};
    /// assert!(!Request { net: AccessNet::BIND_TCP, ..Request::EMPTY }.is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.fs.is_empty() && self.net.is_empty() && self.scopes.is_empty() && self.flags.is_empty()
    }

    /// The part of this request that `abi` supports.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, Request};
    /// assert!(Request::ALL.supported_by(AbiVersion::V3).net.is_empty());
    /// ```
    pub const fn supported_by(&self, abi: AbiVersion) -> Request {
        Request {
            fs: self.fs.intersection(abi.fs()),
            net: self.net.intersection(abi.net()),
            scopes: self.scopes.intersection(abi.scopes()),
            flags: self.flags.intersection(abi.restrict_flags()),
        }
    }

    /// What is in `self` but not in `other`.
    ///
    /// ```
    /// use seclude::landlock::{AbiVersion, AccessFs, Request};
    /// let missing = Request::ALL.minus(&Request::ALL.supported_by(AbiVersion::V4));
    /// assert!(missing.fs.contains(AccessFs::IOCTL_DEV));
    /// ```
    pub const fn minus(&self, other: &Request) -> Request {
        Request {
            fs: self.fs.difference(other.fs),
            net: self.net.difference(other.net),
            scopes: self.scopes.difference(other.scopes),
            flags: self.flags.difference(other.flags),
        }
    }

    /// Whether dropping this part weakens the sandbox: anything but the
    /// logging flags does.
    const fn weakens(&self) -> bool {
        !self.fs.is_empty()
            || !self.net.is_empty()
            || !self.scopes.is_empty()
            || !self.flags.difference(RestrictFlags::LOGGING).is_empty()
    }
}

/// What will be enforced on a given kernel, and what will not.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Plan {
    /// The kernel's Landlock version the plan is for.
    pub abi: AbiVersion,
    /// What the ruleset will restrict (empty when nothing is enforced).
    pub enforced: Request,
    /// What was asked for but will not be restricted.
    pub dropped: Request,
    /// Summary of the two.
    pub enforcement: Enforcement,
}

/// A hard requirement the kernel cannot meet.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct CompatError {
    /// The kernel's version.
    pub abi: AbiVersion,
    /// What it cannot restrict.
    pub missing: Request,
}

impl fmt::Display for CompatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "landlock: {} cannot enforce the required ruleset (missing fs {:#x}, net {:#x}, scopes {:#x}, flags {:#x})",
            self.abi,
            self.missing.fs.bits(),
            self.missing.net.bits(),
            self.missing.scopes.bits(),
            self.missing.flags.bits()
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CompatError {}

/// Decides what of `request` is enforced on a kernel with Landlock `abi`,
/// under `compat`.
///
/// Dropping only logging flags (which no version before 7 has) does not
/// make a plan partial: they change what is logged, not what is denied.
///
/// ```
/// use seclude::Compatibility;
/// use seclude::landlock::{plan, AbiVersion, AccessNet, Enforcement, Request};
///
/// let request = Request { net: AccessNet::CONNECT_TCP, ..Request::ALL };
/// let on_6_2 = plan(&request, AbiVersion::V3, Compatibility::BestEffort).unwrap();
/// assert_eq!(on_6_2.enforcement, Enforcement::Partial);
/// assert_eq!(on_6_2.dropped.net, AccessNet::CONNECT_TCP);
///
/// let soft = plan(&request, AbiVersion::V3, Compatibility::SoftRequirement).unwrap();
/// assert_eq!(soft.enforcement, Enforcement::None);
///
/// assert!(plan(&request, AbiVersion::V3, Compatibility::HardRequirement).is_err());
/// assert!(plan(&request, AbiVersion::V9, Compatibility::HardRequirement).is_ok());
/// ```
pub const fn plan(
    request: &Request,
    abi: AbiVersion,
    compat: Compatibility,
) -> Result<Plan, CompatError> {
    let supported = request.supported_by(abi);
    let missing = request.minus(&supported);
    let weakened = missing.weakens();
    let nothing_left = !supported.weakens();
    match compat {
        Compatibility::HardRequirement if weakened || matches!(abi, AbiVersion::Unsupported) => {
            return Err(CompatError { abi, missing });
        }
        Compatibility::SoftRequirement if weakened || matches!(abi, AbiVersion::Unsupported) => {
            return Ok(Plan {
                abi,
                enforced: Request::EMPTY,
                dropped: *request,
                enforcement: Enforcement::None,
            });
        }
        _ => {}
    }
    if matches!(abi, AbiVersion::Unsupported) || (nothing_left && !request.is_empty() && weakened) {
        return Ok(Plan {
            abi,
            enforced: Request::EMPTY,
            dropped: *request,
            enforcement: Enforcement::None,
        });
    }
    Ok(Plan {
        abi,
        enforced: supported,
        dropped: missing,
        enforcement: if weakened {
            Enforcement::Partial
        } else {
            Enforcement::Full
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [Compatibility; 3] = [
        Compatibility::BestEffort,
        Compatibility::SoftRequirement,
        Compatibility::HardRequirement,
    ];

    /// The invariants, for every version, level and a spread of requests.
    #[test]
    fn plans_never_claim_more_than_they_enforce() {
        let requests = [
            Request::ALL,
            Request::EMPTY,
            Request {
                fs: AccessFs::READ_FILE | AccessFs::WRITE_FILE,
                ..Request::EMPTY
            },
            Request {
                fs: AccessFs::TRUNCATE,
                ..Request::EMPTY
            },
            Request {
                net: AccessNet::BIND_TCP,
                ..Request::EMPTY
            },
            Request {
                scopes: Scope::SIGNAL,
                fs: AccessFs::EXECUTE,
                ..Request::EMPTY
            },
            Request {
                flags: RestrictFlags::LOG_NEW_EXEC_ON,
                fs: AccessFs::READ_DIR,
                ..Request::EMPTY
            },
            Request {
                flags: RestrictFlags::TSYNC,
                fs: AccessFs::READ_DIR,
                ..Request::EMPTY
            },
            Request {
                fs: AccessFs::RESOLVE_UNIX,
                ..Request::EMPTY
            },
        ];
        for abi in AbiVersion::ALL {
            for compat in LEVELS {
                for request in &requests {
                    let Ok(p) = plan(request, abi, compat) else {
                        assert_eq!(compat, Compatibility::HardRequirement);
                        continue;
                    };
                    // Enforced ⊆ supported ∩ requested; enforced ∪ dropped = requested.
                    let supported = request.supported_by(abi);
                    assert_eq!(
                        p.enforced.minus(&supported),
                        Request::EMPTY,
                        "{abi:?} {compat:?}"
                    );
                    let union = Request {
                        fs: p.enforced.fs.union(p.dropped.fs),
                        net: p.enforced.net.union(p.dropped.net),
                        scopes: p.enforced.scopes.union(p.dropped.scopes),
                        flags: p.enforced.flags.union(p.dropped.flags),
                    };
                    assert_eq!(union, *request, "{abi:?} {compat:?}");
                    match p.enforcement {
                        Enforcement::Full => {
                            assert!(!p.dropped.weakens(), "{abi:?} {compat:?} {request:?}")
                        }
                        Enforcement::Partial => {
                            assert!(p.dropped.weakens() && p.enforced.weakens());
                            assert_eq!(compat, Compatibility::BestEffort);
                        }
                        Enforcement::None => assert_eq!(p.enforced, Request::EMPTY),
                    }
                }
            }
        }
    }

    #[test]
    fn no_landlock_enforces_nothing_and_a_hard_requirement_fails() {
        let r = Request {
            fs: AccessFs::READ_FILE,
            ..Request::EMPTY
        };
        for compat in [Compatibility::BestEffort, Compatibility::SoftRequirement] {
            let p = plan(&r, AbiVersion::Unsupported, compat).unwrap();
            assert_eq!(p.enforcement, Enforcement::None);
            assert_eq!(p.dropped, r);
        }
        let e = plan(&r, AbiVersion::Unsupported, Compatibility::HardRequirement).unwrap_err();
        assert_eq!(e.missing, r);
    }

    #[test]
    fn network_rules_are_reported_dropped_before_abi_4() {
        // The failure mode this module exists for: network restrictions
        // asked for on a kernel before 6.7 must show up as dropped.
        let r = Request {
            fs: AccessFs::READ_FILE,
            net: AccessNet::all(),
            ..Request::EMPTY
        };
        for abi in [AbiVersion::V1, AbiVersion::V2, AbiVersion::V3] {
            let p = plan(&r, abi, Compatibility::BestEffort).unwrap();
            assert_eq!(p.enforcement, Enforcement::Partial);
            assert_eq!(p.dropped.net, AccessNet::all());
            assert_eq!(p.enforced.fs, AccessFs::READ_FILE);
        }
        let p = plan(&r, AbiVersion::V4, Compatibility::BestEffort).unwrap();
        assert_eq!(p.enforcement, Enforcement::Full);
    }

    #[test]
    fn logging_flags_alone_do_not_make_a_plan_partial() {
        let r = Request {
            fs: AccessFs::READ_FILE,
            flags: RestrictFlags::LOGGING,
            ..Request::EMPTY
        };
        for compat in LEVELS {
            let p = plan(&r, AbiVersion::V6, compat).unwrap();
            assert_eq!(p.enforcement, Enforcement::Full, "{compat:?}");
            assert_eq!(p.dropped.flags, RestrictFlags::LOGGING);
            assert!(p.enforced.flags.is_empty());
        }
    }

    #[test]
    fn tsync_is_a_restriction_not_a_logging_flag() {
        let r = Request {
            fs: AccessFs::READ_FILE,
            flags: RestrictFlags::TSYNC,
            ..Request::EMPTY
        };
        assert_eq!(
            plan(&r, AbiVersion::V7, Compatibility::BestEffort)
                .unwrap()
                .enforcement,
            Enforcement::Partial
        );
        assert!(plan(&r, AbiVersion::V7, Compatibility::HardRequirement).is_err());
        assert_eq!(
            plan(&r, AbiVersion::V8, Compatibility::HardRequirement)
                .unwrap()
                .enforcement,
            Enforcement::Full
        );
    }

    #[test]
    fn a_request_nothing_of_which_is_supported_enforces_nothing() {
        let r = Request {
            scopes: Scope::all(),
            ..Request::EMPTY
        };
        let p = plan(&r, AbiVersion::V5, Compatibility::BestEffort).unwrap();
        assert_eq!(p.enforcement, Enforcement::None);
        assert_eq!(p.dropped, r);
    }

    #[test]
    fn soft_requirement_is_all_or_nothing_for_every_version() {
        for abi in AbiVersion::ALL {
            let p = plan(&Request::ALL, abi, Compatibility::SoftRequirement).unwrap();
            let expect = if abi == AbiVersion::LATEST {
                Enforcement::Full
            } else {
                Enforcement::None
            };
            assert_eq!(p.enforcement, expect, "{abi:?}");
        }
    }
}
