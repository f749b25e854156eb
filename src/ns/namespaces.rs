//! What to create: the id mapping and the request, and the kernel-facing
//! [`unshare`] and [`enter_child`].

use super::Namespaces;
use super::diagnose::{self, HOSTNAME_MAX, NamespaceError, RequestError, Step};
use super::net;
use crate::errno::Errno;
use crate::sys;
use crate::sys::process::{getgid, getuid};
use crate::tables::native_nr;

/// Which id inside a new user namespace the caller's outer uid and gid
/// become. Either way exactly one id is mapped, which is what an
/// unprivileged process may write; every other outer id shows up inside as
/// the overflow id (65534, `nobody`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IdMapping {
    /// The same ids inside as outside (uid 1000 stays 1000): programs see
    /// who they are, and hold the namespace's capabilities only until they
    /// exec (an exec by a non-root uid drops them).
    Own,
    /// Root inside (outer uid → 0): what `unshare -r` does; the
    /// capabilities survive `execve`, as for root.
    Root,
}

/// What to create, as plain data; built in `const` context.
///
/// ```
/// use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
/// const REQUEST: NamespaceRequest<'static> =
///     NamespaceRequest::new(Namespaces::USER.union(Namespaces::NET).union(Namespaces::UTS))
///         .id_mapping(IdMapping::Root)
///         .loopback_up(true)
///         .hostname("sandbox");
/// assert!(REQUEST.validate().is_ok());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NamespaceRequest<'a> {
    /// The namespace types to create.
    pub namespaces: Namespaces,
    /// The id mapping written with [`USER`](Namespaces::USER).
    pub id_mapping: IdMapping,
    /// Bring the loopback interface up (needs [`NET`](Namespaces::NET)).
    pub loopback_up: bool,
    /// The host name to set (needs [`UTS`](Namespaces::UTS)).
    pub hostname: Option<&'a str>,
}

const MS_REC: usize = 0x4000;
const MS_PRIVATE: usize = 0x40000;

impl<'a> NamespaceRequest<'a> {
    /// `namespaces`, mapped with [`IdMapping::Own`], loopback down, host
    /// name unchanged.
    ///
    /// ```
    /// use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
    /// let r = NamespaceRequest::new(Namespaces::USER);
    /// assert_eq!(r.id_mapping, IdMapping::Own);
    /// assert!(!r.loopback_up && r.hostname.is_none());
    /// ```
    pub const fn new(namespaces: Namespaces) -> Self {
        NamespaceRequest {
            namespaces,
            id_mapping: IdMapping::Own,
            loopback_up: false,
            hostname: None,
        }
    }

    /// The same request with this id mapping.
    ///
    /// ```
    /// use seclude::ns::{IdMapping, NamespaceRequest, Namespaces};
    /// let r = NamespaceRequest::new(Namespaces::USER).id_mapping(IdMapping::Root);
    /// assert_eq!(r.id_mapping, IdMapping::Root);
    /// ```
    pub const fn id_mapping(mut self, mapping: IdMapping) -> Self {
        self.id_mapping = mapping;
        self
    }

    /// The same request, bringing the loopback interface up or not.
    ///
    /// ```
    /// use seclude::ns::{NamespaceRequest, Namespaces};
    /// assert!(NamespaceRequest::new(Namespaces::NET).loopback_up(true).loopback_up);
    /// ```
    pub const fn loopback_up(mut self, up: bool) -> Self {
        self.loopback_up = up;
        self
    }

    /// The same request, setting this host name.
    ///
    /// ```
    /// use seclude::ns::{NamespaceRequest, Namespaces};
    /// let r = NamespaceRequest::new(Namespaces::UTS).hostname("box");
    /// assert_eq!(r.hostname, Some("box"));
    /// ```
    pub const fn hostname(mut self, name: &'a str) -> Self {
        self.hostname = Some(name);
        self
    }

    /// Checks the request before anything is changed: a host name needs a
    /// UTS namespace (setting it without one would rename the host), the
    /// loopback needs a network namespace (the host's is up already), and a
    /// host name must be 1 to 64 bytes.
    ///
    /// ```
    /// use seclude::ns::{NamespaceRequest, Namespaces, RequestError};
    /// let r = NamespaceRequest::new(Namespaces::USER).hostname("x");
    /// assert_eq!(r.validate(), Err(RequestError::HostnameWithoutUts));
    /// ```
    pub const fn validate(&self) -> Result<(), RequestError> {
        if let Some(name) = self.hostname {
            if !self.namespaces.contains(Namespaces::UTS) {
                return Err(RequestError::HostnameWithoutUts);
            }
            if name.is_empty() || name.len() > HOSTNAME_MAX {
                return Err(RequestError::HostnameLength { len: name.len() });
            }
        }
        if self.loopback_up && !self.namespaces.contains(Namespaces::NET) {
            return Err(RequestError::LoopbackWithoutNet);
        }
        Ok(())
    }
}

/// The ids mapped into a new user namespace.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MappedIds {
    /// The uid inside.
    pub uid_inside: u32,
    /// The uid outside it maps to.
    pub uid_outside: u32,
    /// The gid inside.
    pub gid_inside: u32,
    /// The gid outside it maps to.
    pub gid_outside: u32,
}

/// What [`unshare`] or [`enter_child`] did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NamespaceReport {
    /// The namespace types created (all of those requested: anything less
    /// is an error).
    pub created: Namespaces,
    /// The mapping written, with [`USER`](Namespaces::USER).
    pub ids: Option<MappedIds>,
    /// Whether the loopback interface was brought up.
    pub loopback_up: bool,
    /// Whether the host name was set.
    pub hostname_set: bool,
}

/// One line of `uid_map`/`gid_map`, `"<inside> <outside> 1\n"`, into `buf`.
fn map_line(buf: &mut [u8; 32], inside: u32, outside: u32) -> &[u8] {
    fn put(buf: &mut [u8; 32], len: &mut usize, mut n: u32) {
        let mut digits = [0u8; 10];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while count > 0 {
            count -= 1;
            buf[*len] = digits[count];
            *len += 1;
        }
    }
    let mut len = 0;
    put(buf, &mut len, inside);
    buf[len] = b' ';
    len += 1;
    put(buf, &mut len, outside);
    buf[len..len + 3].copy_from_slice(b" 1\n");
    len += 3;
    &buf[..len]
}

/// Creates the requested namespaces for the calling process
/// (`unshare(2)`), then sets them up: with [`USER`](Namespaces::USER),
/// writes `deny` to `/proc/self/setgroups` and one-line `uid_map` and
/// `gid_map`; with [`MOUNT`](Namespaces::MOUNT), makes every mount private
/// (so that no mount made inside propagates out); with
/// [`NET`](Namespaces::NET) and
/// [`loopback_up`](NamespaceRequest::loopback_up), brings `lo` up; with
/// [`UTS`](Namespaces::UTS) and a host name, sets it.
///
/// The outer uid and gid are read before `unshare`: afterwards, until the
/// maps are written, the process is the overflow id (65534).
///
/// Two things differ from [`crate::sys::process::fork`] with the same
/// flags:
///
/// - a new PID namespace applies to the children created afterwards: the
///   caller stays in its own, and its first child becomes pid 1 (when pid 1
///   exits, the namespace's other processes are killed and no new child
///   can be created in it);
/// - `unshare(CLONE_NEWUSER)` fails with `EINVAL` in a multithreaded
///   process ([`NamespaceError::Multithreaded`]); `clone` does not, so a
///   multithreaded program creates a child with `fork` and calls
///   [`enter_child`] there.
///
/// On failure the error says why and what to change; steps already done
/// stay done (a namespace cannot be left).
///
/// ```no_run
/// use seclude::ns::{self, IdMapping, NamespaceRequest, Namespaces};
/// let request = NamespaceRequest::new(Namespaces::USER | Namespaces::NET)
///     .id_mapping(IdMapping::Root)
///     .loopback_up(true);
/// match ns::unshare(&request) {
///     Ok(report) => assert_eq!(report.ids.unwrap().uid_inside, 0),
///     Err(e) => eprintln!("{e}"),
/// }
/// ```
pub fn unshare(request: &NamespaceRequest<'_>) -> Result<NamespaceReport, NamespaceError> {
    request.validate().map_err(NamespaceError::Request)?;
    let (uid, gid) = (getuid(), getgid());
    // Root-ness as the caller had it: inside the new user namespace the
    // effective uid reads as the overflow id until the maps are written.
    let root = crate::sys::process::geteuid() == 0;
    if let Err(errno) =
        // SAFETY: integer argument only.
        unsafe { sys::syscall1(native_nr!(unshare), request.namespaces.bits() as usize) }
    {
        return Err(fail(request.namespaces, Step::Unshare, errno, root));
    }
    set_up(request, uid, gid, root)
}

/// Sets up namespaces a child was created in (by
/// [`crate::sys::process::fork`] with `request.namespaces.bits()`): the
/// maps, the mount propagation, the loopback and the host name, as [`unshare`] does after its
/// `unshare(2)`.
///
/// `outer_uid` and `outer_gid` must be read (with
/// [`getuid`](crate::sys::process::getuid) and
/// [`getgid`](crate::sys::process::getgid)) before the clone: inside a
/// user namespace without maps they read as the overflow id.
///
/// ```no_run
/// use seclude::ns::{self, IdMapping, NamespaceRequest, Namespaces};
/// use seclude::sys::process::{fork, getgid, getuid, wait, Forked};
/// let request = NamespaceRequest::new(Namespaces::USER | Namespaces::PID)
///     .id_mapping(IdMapping::Root);
/// let (uid, gid) = (getuid(), getgid());
/// // SAFETY: the child only calls seclude and exits.
/// match unsafe { fork(request.namespaces.bits() as u64) }.unwrap() {
///     Forked::Child => {
///         let ok = ns::enter_child(&request, uid, gid).is_ok() && seclude::sys::getpid() == 1;
///         seclude::sys::exit_group(if ok { 0 } else { 1 });
///     }
///     Forked::Parent(pid) => {
///         wait(pid).unwrap();
///     }
/// }
/// ```
pub fn enter_child(
    request: &NamespaceRequest<'_>,
    outer_uid: u32,
    outer_gid: u32,
) -> Result<NamespaceReport, NamespaceError> {
    request.validate().map_err(NamespaceError::Request)?;
    set_up(request, outer_uid, outer_gid, outer_uid == 0)
}

fn fail(requested: Namespaces, step: Step, errno: Errno, root: bool) -> NamespaceError {
    let mut readings = diagnose::Readings::gather();
    readings.is_root = root;
    diagnose::diagnose(requested, step, errno, &readings)
}

fn set_up(
    request: &NamespaceRequest<'_>,
    uid: u32,
    gid: u32,
    root: bool,
) -> Result<NamespaceReport, NamespaceError> {
    let ns = request.namespaces;
    let mut report = NamespaceReport {
        created: ns,
        ids: None,
        loopback_up: false,
        hostname_set: false,
    };
    // The maps come first: until they are written the new namespace's
    // capabilities are there, but any call that checks an id (creating a
    // file, mounting) fails with EOVERFLOW or EPERM.
    if ns.contains(Namespaces::USER) {
        let inside = match request.id_mapping {
            IdMapping::Own => (uid, gid),
            IdMapping::Root => (0, 0),
        };
        // An unprivileged process may write gid_map only after denying
        // setgroups (since 3.19, so a dropped group cannot be regained by
        // `setgroups`); kernels before 3.19 have no such file.
        match sys::fd::write_file(c"/proc/self/setgroups", b"deny") {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(fail(ns, Step::Setgroups, e, root)),
        }
        let mut buf = [0u8; 32];
        let line = map_line(&mut buf, inside.0, uid);
        if let Err(e) = sys::fd::write_file(c"/proc/self/uid_map", line) {
            return Err(fail(ns, Step::UidMap, e, root));
        }
        let line = map_line(&mut buf, inside.1, gid);
        if let Err(e) = sys::fd::write_file(c"/proc/self/gid_map", line) {
            return Err(fail(ns, Step::GidMap, e, root));
        }
        report.ids = Some(MappedIds {
            uid_inside: inside.0,
            uid_outside: uid,
            gid_inside: inside.1,
            gid_outside: gid,
        });
    }
    if ns.contains(Namespaces::MOUNT) {
        // A new mount namespace starts with copies of the parent's mounts,
        // in the same peer groups: where they are shared (systemd makes /
        // shared), a mount made inside would appear outside too, unless
        // the kernel turned them into slaves for a less privileged user
        // namespace. Private, as unshare(1) does by default.
        // SAFETY: a NUL-terminated path and null pointers, as mount takes.
        if let Err(e) = unsafe {
            sys::syscall5(
                native_nr!(mount),
                0,
                c"/".as_ptr() as usize,
                0,
                MS_REC | MS_PRIVATE,
                0,
            )
        } {
            return Err(fail(ns, Step::MakePrivate, e, root));
        }
    }
    if ns.contains(Namespaces::NET) && request.loopback_up {
        if let Err(e) = net::loopback_up() {
            return Err(fail(ns, Step::Loopback, e, root));
        }
        report.loopback_up = true;
    }
    if let Some(name) = request.hostname {
        // validate() made sure UTS is among the namespaces.
        if let Err(e) =
            // SAFETY: the kernel reads name.len() bytes from name.
            unsafe {
                sys::syscall2(native_nr!(sethostname), name.as_ptr() as usize, name.len())
            }
        {
            return Err(fail(ns, Step::Hostname, e, root));
        }
        report.hostname_set = true;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_lines() {
        let mut buf = [0u8; 32];
        assert_eq!(map_line(&mut buf, 0, 1000), b"0 1000 1\n");
        assert_eq!(map_line(&mut buf, 65534, 65534), b"65534 65534 1\n");
        assert_eq!(
            map_line(&mut buf, u32::MAX, u32::MAX),
            b"4294967295 4294967295 1\n"
        );
    }

    #[test]
    fn requests_are_checked_before_anything_changes() {
        let uts = NamespaceRequest::new(Namespaces::UTS);
        assert_eq!(uts.hostname("h").validate(), Ok(()));
        assert_eq!(
            uts.hostname("").validate(),
            Err(RequestError::HostnameLength { len: 0 })
        );
        let long = "x".repeat(65);
        assert_eq!(
            uts.hostname(&long).validate(),
            Err(RequestError::HostnameLength { len: 65 })
        );
        assert_eq!(uts.hostname(&long[..64]).validate(), Ok(()));
        assert_eq!(
            NamespaceRequest::new(Namespaces::USER)
                .loopback_up(true)
                .validate(),
            Err(RequestError::LoopbackWithoutNet)
        );
        // Refused before unshare: the caller's namespaces are untouched.
        assert_eq!(
            unshare(&NamespaceRequest::new(Namespaces::NET).hostname("h")),
            Err(NamespaceError::Request(RequestError::HostnameWithoutUts))
        );
    }
}
