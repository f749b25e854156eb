//! A fixture directory for filesystem sandbox tests, open to every user:
//! `inside/{file,sub/file}` and `outside/file`, plus whatever the test adds.
//! Its path reaches the child process in `SECLUDE_FIXTURE`.

#![allow(dead_code)]

use super::child::{MODES, run_with_env};
use std::ffi::CString;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub const FIXTURE: &str = "SECLUDE_FIXTURE";

/// Creates `/tmp/seclude-fs-<pid>-<test>/{inside,outside}/file`, open to
/// every user, and removes it when dropped.
pub struct Fixture(pub PathBuf);

impl Fixture {
    pub fn new(test: &str) -> Fixture {
        // The child the test re-executes runs the test from its start, and
        // ends without dropping: its own fixture goes inside the test's,
        // which the test removes. One level deep (a child starts children
        // for the other mode too), so that paths stay short enough to bind
        // a UNIX socket in.
        let root = match std::env::var_os(FIXTURE).map(PathBuf::from) {
            Some(parent) => {
                let nested = parent
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with("child-"));
                let top = if nested {
                    parent
                        .parent()
                        .expect("a nested fixture has a parent")
                        .to_owned()
                } else {
                    parent
                };
                top.join(format!("child-{}", std::process::id()))
            }
            None => std::env::temp_dir().join(format!("seclude-fs-{}-{test}", std::process::id())),
        };
        let _ = fs::remove_dir_all(&root);
        for dir in ["inside/sub", "outside"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in ["inside/file", "inside/sub/file", "outside/file"] {
            fs::write(root.join(file), b"seclude\n").unwrap();
        }
        for path in ["", "inside", "inside/sub", "outside"] {
            fs::set_permissions(root.join(path), fs::Permissions::from_mode(0o777)).unwrap();
        }
        for file in ["inside/file", "inside/sub/file", "outside/file"] {
            fs::set_permissions(root.join(file), fs::Permissions::from_mode(0o666)).unwrap();
        }
        Fixture(root)
    }

    pub fn run_both(&self, test: &str, body: fn() -> i32) {
        let dir = self.0.to_str().unwrap();
        for mode in MODES {
            run_with_env(test, mode, &[(FIXTURE, dir)], body)
                .assert_success(&format!("{test} ({mode:?})"));
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// In the child: the fixture's path.
pub fn fixture() -> PathBuf {
    PathBuf::from(std::env::var(FIXTURE).unwrap())
}

pub fn c(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).unwrap()
}

pub fn read(path: &Path) -> Result<(), ErrorKind> {
    let mut s = String::new();
    fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut s))
        .map(drop)
        .map_err(|e| e.kind())
}

pub fn write(path: &Path) -> Result<(), ErrorKind> {
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(b"x"))
        .map_err(|e| e.kind())
}

pub const DENIED: Result<(), ErrorKind> = Err(ErrorKind::PermissionDenied);
