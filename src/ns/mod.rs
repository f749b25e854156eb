//! Namespaces: user, mount, network, pid, ipc, uts and cgroup.
//!
//! A namespace gives a process its own copy of one kind of global
//! resource: ids and capabilities (user), the mount table (mount),
//! interfaces and ports (net), process ids (pid), System V IPC (ipc), the
//! host name (uts), the cgroup root (cgroup). seclude creates them for the
//! calling process ([`unshare`]) or sets up a child created in them
//! ([`enter_child`] after [`crate::sys::process::fork`]), and can then
//! replace the filesystem with an empty root holding only chosen paths
//! ([`isolate_filesystem`]).
//!
//! The order is forced by the kernel:
//!
//! 1. the user namespace first, in the same call as the others: creating
//!    a mount, network, pid, ipc, uts or cgroup namespace needs
//!    `CAP_SYS_ADMIN`, which an unprivileged process only has in a user
//!    namespace of its own, and the kernel creates that one before the
//!    rest of the same `unshare`/`clone`;
//! 2. the uid and gid maps next (`setgroups` denied before `gid_map`, as
//!    the kernel requires of an unprivileged writer): until they exist the
//!    process's ids are unmapped, and anything that records an id (a new
//!    file, a mount) fails;
//! 3. then what uses the capabilities: the loopback interface, the host
//!    name, and mounts;
//! 4. [`isolate_filesystem`] last, since it removes the `/proc` the steps
//!    above write to (it can mount a new one).
//!
//! When something fails, [`NamespaceError`] says why in terms of the
//! system's settings (`user.max_user_namespaces`, Debian's
//! `kernel.unprivileged_userns_clone`, Ubuntu's AppArmor restriction, a
//! multithreaded caller, …) and what to do; [`diagnose`] is the pure
//! decision behind it.
//!
//! ```
//! use seclude::ns::{diagnose, IdMapping, NamespaceError, NamespaceRequest, Namespaces, Readings, Step};
//! use seclude::Errno;
//!
//! // Plain data, checked before anything changes.
//! const REQUEST: NamespaceRequest<'static> = NamespaceRequest::new(
//!     match Namespaces::parse("user,mount,net") {
//!         Ok(ns) => ns,
//!         Err(_) => panic!(),
//!     },
//! )
//! .id_mapping(IdMapping::Root)
//! .loopback_up(true);
//! assert!(REQUEST.validate().is_ok());
//!
//! // What an EPERM means for an unprivileged caller on Debian with
//! // kernel.unprivileged_userns_clone = 0:
//! let mut readings = Readings::UNKNOWN;
//! readings.unprivileged_userns_clone = Some(0);
//! let e = diagnose(REQUEST.namespaces, Step::Unshare, Errno::EPERM, &readings);
//! assert_eq!(e, NamespaceError::UnprivilegedUsernsDisabled);
//! ```

mod diagnose;
mod kinds;
mod mount;
mod namespaces;
mod net;

pub use diagnose::{HOSTNAME_MAX, NamespaceError, Readings, RequestError, Step, diagnose};
pub use kinds::{Namespaces, ParseNamespacesError};
pub use mount::{
    Bind, FsIsolation, MountError, MountFlags, MountStep, PATH_LIMIT, PathOf, PathProblem,
    PlanError, isolate_filesystem,
};
pub use namespaces::{
    IdMapping, MappedIds, NamespaceReport, NamespaceRequest, enter_child, unshare,
};
pub use net::loopback_up;
