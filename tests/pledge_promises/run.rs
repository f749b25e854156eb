//! Running bodies: in fresh children, per promise string and mode.

use super::*;

/// Runs `body` in a child for every promise string of `cases`, as root and
/// unprivileged, and requires exit status 0 from each run.
pub(crate) fn run_cases(test: &str, cases: &[&str], body: fn() -> i32) {
    // In a child (the test binary re-executed by `child::run_with_env`),
    // go straight to the run the child was started for: its environment
    // already holds the case and the scratch directory, and the run for the
    // other mode would start a grandchild for nothing.
    if let Ok(tag) = std::env::var("SECLUDE_TEST_CHILD") {
        for mode in child::MODES {
            if tag == format!("{test}/{mode:?}") {
                child::run(test, mode, body);
            }
        }
    }
    for case in cases {
        for mode in child::MODES {
            let dir = std::env::temp_dir().join(format!(
                "seclude-promises-{}-{test}-{mode:?}",
                std::process::id()
            ));
            let _ = fs::remove_dir_all(&dir);
            let exit = child::run_with_env(
                test,
                mode,
                &[(CASE, case), (SCRATCH, dir.to_str().unwrap())],
                body,
            );
            let _ = fs::remove_dir_all(&dir);
            exit.assert_success(&format!("{test} under \"{case}\" ({mode:?})"));
        }
    }
}

/// The body's outcome as an exit status; a failure is printed on stderr
/// (writing there is within every promise set used here).
pub(crate) fn outcome(checks: impl FnOnce() -> Result<(), String>) -> i32 {
    match checks() {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("{message}");
            1
        }
    }
}

/// In the body: the promises of this run.
pub(crate) fn case() -> Promises {
    let case = std::env::var(CASE).expect("the case's promises");
    Promises::parse(&case).expect("a valid promise string")
}

/// In the body: pledges the promises of this run and returns them.
pub(crate) fn pledge_case() -> Promises {
    let promises = case();
    pledge(promises);
    promises
}

pub(crate) fn pledge(promises: Promises) {
    Pledge::new(promises)
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .expect("pledge applied");
}

/// In the body, before pledging: creates the scratch directory, owned by
/// whoever the body runs as.
pub(crate) fn scratch() -> PathBuf {
    let dir = PathBuf::from(std::env::var(SCRATCH).expect("a scratch directory"));
    fs::create_dir(&dir).expect("create the scratch directory");
    dir
}

/// In the body, before pledging: creates `dir/name` and returns it with a
/// read-write descriptor.
pub(crate) fn make_file(dir: &Path, name: &str) -> (CString, c_int) {
    let path = dir.join(name);
    let file = fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .expect("create a file");
    (cpath(&path), file.into_raw_fd())
}

pub(crate) fn cpath(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).unwrap()
}
