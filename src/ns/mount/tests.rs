//! Tests of filesystem isolation: path checks, path buffers, messages.

use super::apply::{PathBuf, readlink};
use super::*;
use crate::errno::Errno;
use std::string::ToString;

fn path_error(path: PathOf, problem: PathProblem) -> Result<(), PlanError> {
    Err(PlanError::Path { path, problem })
}

#[test]
fn paths_are_checked() {
    use PathProblem::*;
    let mut plan: FsIsolation<'_, 3> = FsIsolation::new().proc();
    assert_eq!(
        plan.bind(Bind::new(c"usr")),
        path_error(PathOf::Source(0), Relative)
    );
    assert_eq!(
        plan.bind(Bind::new(c"/usr").at(c"")),
        path_error(PathOf::Target(0), Relative)
    );
    assert_eq!(
        plan.bind(Bind::new(c"/usr/../etc")),
        path_error(PathOf::Source(0), DotDot)
    );
    assert_eq!(
        plan.bind(Bind::new(c"/usr").at(c"/..")),
        path_error(PathOf::Target(0), DotDot)
    );
    // `..` as part of a name is a name.
    assert_eq!(plan.bind(Bind::new(c"/usr/a..b")), Ok(()));
    assert_eq!(plan.bind(Bind::new(c"/usr/..b")), Ok(()));
    for reserved in [c"/", c"//", c"/oldroot", c"/oldroot/x", c"/proc", c"/proc/"] {
        assert_eq!(
            plan.bind(Bind::new(c"/usr").at(reserved)),
            path_error(PathOf::Target(2), Reserved),
            "{reserved:?}"
        );
    }
    // Only what the plan mounts is reserved, and only whole components.
    assert_eq!(plan.bind(Bind::new(c"/tmp/x")), Ok(()));
    assert_eq!(
        plan.bind(Bind::new(c"/procfs")),
        Err(PlanError::Full { capacity: 3 })
    );
    let mut small: FsIsolation<'_, 1> = FsIsolation::new().proc();
    assert_eq!(small.bind(Bind::new(c"/procfs")), Ok(()));
    // An option set after the binds is caught when applied.
    let plan = plan.tmp();
    assert_eq!(plan.check(), path_error(PathOf::Target(2), Reserved));
    let long = std::ffi::CString::new(std::format!("/{}", "a".repeat(PATH_LIMIT))).unwrap();
    let mut plan: FsIsolation<'_, 1> = FsIsolation::new();
    assert_eq!(
        plan.bind(Bind::new(&long)),
        path_error(PathOf::Source(0), TooLong)
    );
    let bad = FsIsolation::<'_, 1>::new().scratch(c"tmp");
    assert_eq!(bad.check(), path_error(PathOf::Scratch, Relative));
}

#[test]
fn path_buffers() {
    let mut p = PathBuf::new();
    p.push(b"/oldroot").push(b"/usr/lib");
    assert_eq!(p.as_cstr(), c"/oldroot/usr/lib");
}

#[test]
fn messages() {
    let e = MountError::Failed {
        step: MountStep::MountProc,
        path: Some(PathOf::Fixed(c"/proc")),
        errno: Errno::EPERM,
    };
    let text = e.to_string();
    assert!(
        text.contains("MountProc (\"/proc\")") && text.contains("PID namespace"),
        "{text}"
    );
    let text = MountError::Plan(PlanError::Path {
        path: PathOf::Target(3),
        problem: PathProblem::DotDot,
    })
    .to_string();
    assert!(text.contains("target of bind 3 has a `..`"), "{text}");
}

#[test]
fn refuses_the_shared_namespace() {
    // Only where this process visibly shares pid 1's namespace, so
    // that a broken check cannot pivot the test runner's root.
    let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
    let mine = readlink(c"/proc/self/ns/mnt", &mut a);
    let init = readlink(c"/proc/1/ns/mnt", &mut b);
    if mine.is_some() && mine == init && crate::sys::getpid() != 1 {
        let mut plan: FsIsolation<'_, 1> = FsIsolation::new();
        plan.bind(Bind::new(c"/usr")).unwrap();
        assert_eq!(
            isolate_filesystem(&plan),
            Err(MountError::SharedMountNamespace)
        );
    }
}
