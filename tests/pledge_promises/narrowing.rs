//! Narrowing: a second pledge.

use super::*;

#[test]
fn a_second_pledge_can_only_narrow() {
    run_cases(
        "a_second_pledge_can_only_narrow",
        &["stdio rpath wpath"],
        || {
            outcome(|| {
                let dir = scratch();
                let (file, _) = make_file(&dir, "file");
                pledge_case();
                let penalty = Penalty::errno(FILTER_ERRNO as u16);
                ok("open for writing", openat(&file, libc::O_WRONLY, 0))?;
                let narrower = Pledge::new(promises!("stdio rpath"))
                    .penalty(penalty)
                    .apply()
                    .map_err(|e| format!("narrowing to \"stdio rpath\": {e}"))?;
                ensure(
                    narrower.promises == promises!("stdio rpath"),
                    "the narrower pledge holds stdio rpath",
                )?;
                ensure(
                    seclude::pledge::held() == promises!("stdio rpath"),
                    "held() is stdio rpath",
                )?;
                refused("open for writing", openat(&file, libc::O_WRONLY, 0))?;
                ok("open for reading", openat(&file, libc::O_RDONLY, 0))?;
                let wider = Pledge::new(promises!("stdio rpath wpath"))
                    .penalty(penalty)
                    .apply();
                ensure(
                    wider
                        == Err(PledgeError::Widening {
                            extra: promises!("wpath"),
                        }),
                    &format!("widening back to wpath: {wider:?}"),
                )?;
                refused(
                    "open for writing after the refused widening",
                    openat(&file, libc::O_WRONLY, 0),
                )?;
                Pledge::new(promises!("stdio"))
                    .penalty(penalty)
                    .apply()
                    .map_err(|e| format!("narrowing to \"stdio\": {e}"))?;
                refused("open for reading", openat(&file, libc::O_RDONLY, 0))?;
                let wider = Pledge::new(promises!("stdio rpath"))
                    .penalty(penalty)
                    .apply();
                ensure(
                    wider
                        == Err(PledgeError::Widening {
                            extra: promises!("rpath"),
                        }),
                    &format!("widening back to rpath: {wider:?}"),
                )?;
                refused(
                    "open for reading after the refused widening",
                    openat(&file, libc::O_RDONLY, 0),
                )?;
                ensure(
                    seclude::pledge::held() == promises!("stdio"),
                    "held() is stdio",
                )?;
                Ok(())
            })
        },
    );
}
