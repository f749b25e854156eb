//! Spawning a [`Command`] whose program runs under the pending
//! execpromises (the `std` feature).
//!
//! std's `spawn` forks, applies the command's settings in the child, then
//! execs through libc, which a pledge with narrower execpromises refuses
//! (only [`execve`](super::execve) installs them first). So the exec is
//! made by a `pre_exec` hook instead, which runs in the child after std
//! has applied the settings it applies before hooks (descriptors, ids,
//! process group, session, directory) and calls
//! [`execve`](super::execve) itself. Everything the hook needs (paths,
//! arguments, environment) is built before the fork: the child of a
//! multithreaded parent must not allocate.

use super::apply::execve_first;
use super::policy::PledgeError;
use std::borrow::ToOwned;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::vec::Vec;

/// Where the program's environment starts from, before the command's own
/// [`env`](Command::env) and [`env_remove`](Command::env_remove) changes.
///
/// `Command` does not tell whether [`env_clear`](Command::env_clear) was
/// called (no stable accessor), so the choice is made here, explicitly.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Environment {
    /// This process's environment, as it is when the command is spawned.
    Inherited,
    /// Nothing: only the variables set on the command.
    Cleared,
}

/// Spawning a [`Command`] under the pending execpromises: the program is
/// executed by [`seclude::pledge::execve`](super::execve), so it holds only
/// what [`Pledge::execpromises`](super::Pledge::execpromises) left it (or
/// the promises, without pending execpromises). Without it, an exec made
/// while narrower execpromises are pending is refused.
///
/// What is honoured: the program and arguments; the directory
/// ([`current_dir`](Command::current_dir)), descriptors
/// ([`stdin`](Command::stdin) and the others), ids, process group and
/// earlier `pre_exec` hooks, which std applies before the exec; the
/// environment, as [`Environment`] says, with the command's `env` and
/// `env_remove` changes; a program name without `/` is looked for in the
/// `PATH` of that environment (`/bin:/usr/bin` if it has none), as
/// `execvp` does, relative to the new directory. What is not, because
/// `Command` does not tell: [`env_clear`](Command::env_clear) (say
/// [`Environment::Cleared`]) and
/// [`arg0`](std::os::unix::process::CommandExt::arg0) (the program's
/// `argv[0]` is the program as given). Unlike `execvp`, a file without a
/// `#!` line is not handed to `/bin/sh`. Creating the child needs the
/// `proc` promise (a fork), as any spawn does.
///
/// ```no_run
/// use seclude::pledge::{Environment, Pledge, PledgedCommand};
/// use seclude::promises;
/// use std::process::Command;
///
/// Pledge::new(promises!("stdio rpath wpath cpath proc exec prot_exec"))
///     .execpromises(promises!("stdio rpath prot_exec"))
///     .apply()
///     .expect("pledged");
/// // cat may read, nothing more.
/// let status = Command::new("cat")
///     .arg("/etc/hostname")
///     .spawn_pledged(Environment::Inherited)?
///     .wait()?;
/// assert!(status.success());
/// // Command::new("cat").spawn() would fail with EPERM: its exec would
/// // give cat every promise of this process.
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait PledgedCommand {
    /// Spawns the command, its program executed by
    /// [`seclude::pledge::execve`](super::execve) (see the trait). An
    /// error of that exec is the spawn's error, as `spawn` reports its own
    /// exec's: `ENOENT` for a program not found, `EPERM` (or the pledge's
    /// errno) for one refused. A string holding a NUL byte is
    /// `InvalidInput`.
    fn spawn_pledged(&mut self, environment: Environment) -> io::Result<Child>;
}

impl PledgedCommand for Command {
    fn spawn_pledged(&mut self, environment: Environment) -> io::Result<Child> {
        let exec = PreparedExec::new(self, environment)?;
        // Only the spawn made here runs the hook: `pre_exec` hooks stay
        // with the command, and a later plain `spawn` of it must exec its
        // own settings, not these.
        let armed = Arc::new(AtomicBool::new(true));
        let in_child = Arc::clone(&armed);
        // SAFETY: the hook makes raw calls only and does not allocate
        // (io::Error::from_raw_os_error does not).
        unsafe {
            self.pre_exec(move || {
                if !in_child.load(Ordering::Relaxed) {
                    return Ok(());
                }
                Err(exec.run())
            });
        }
        let spawned = self.spawn();
        armed.store(false, Ordering::Relaxed);
        spawned
    }
}

/// An exec with everything built: the candidate paths, and the argument
/// and environment arrays as `execve` wants them.
struct PreparedExec {
    paths: Vec<CString>,
    /// Owns the strings `argv` and `envp` point into.
    _strings: Vec<CString>,
    argv: Vec<*const u8>,
    envp: Vec<*const u8>,
}

// SAFETY: the pointers point into `_strings`, owned alongside and never
// changed; the hook only reads them.
unsafe impl Send for PreparedExec {}
// SAFETY: as above.
unsafe impl Sync for PreparedExec {}

impl PreparedExec {
    fn new(cmd: &Command, environment: Environment) -> io::Result<PreparedExec> {
        let program = cmd.get_program();
        let mut env: Vec<(OsString, OsString)> = match environment {
            Environment::Inherited => std::env::vars_os().collect(),
            Environment::Cleared => Vec::new(),
        };
        for (key, value) in cmd.get_envs() {
            env.retain(|(k, _)| k != key);
            if let Some(value) = value {
                env.push((key.to_owned(), value.to_owned()));
            }
        }
        let path_var = env.iter().find(|(k, _)| k == "PATH").map(|(_, v)| v);
        let paths = candidates(program, path_var.map(OsString::as_os_str))?;
        let mut strings = Vec::new();
        strings.push(c_string(program.as_bytes().to_vec())?);
        for arg in cmd.get_args() {
            strings.push(c_string(arg.as_bytes().to_vec())?);
        }
        let args = strings.len();
        for (key, value) in env {
            let mut entry = key.into_vec();
            entry.push(b'=');
            entry.extend_from_slice(value.as_bytes());
            strings.push(c_string(entry)?);
        }
        let pointers = |s: &[CString]| -> Vec<*const u8> {
            s.iter()
                .map(|c| c.as_ptr().cast())
                .chain([core::ptr::null()])
                .collect()
        };
        Ok(PreparedExec {
            paths,
            argv: pointers(&strings[..args]),
            envp: pointers(&strings[args..]),
            _strings: strings,
        })
    }

    /// Execs; returns only the error. Runs in the forked child.
    fn run(&self) -> io::Error {
        // SAFETY: argv and envp are NULL-terminated arrays of pointers to
        // the NUL-terminated strings `self` owns.
        let error = unsafe {
            execve_first(
                self.paths.iter().map(CString::as_c_str),
                self.argv.as_ptr(),
                self.envp.as_ptr(),
            )
        };
        let errno = match error {
            PledgeError::Kernel { errno, .. } => errno.raw(),
            // Building the staged filter again cannot fail: it was built
            // once already, into the same capacity.
            _ => crate::Errno::EINVAL.raw(),
        };
        io::Error::from_raw_os_error(errno)
    }
}

fn c_string(bytes: Vec<u8>) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "seclude: a program, argument or environment string holds a NUL byte",
        )
    })
}

/// The paths to try for `program`, as `execvp` does: the program itself if
/// it names a path (holds a `/`), else each directory of `path_var` (an
/// empty one is the current directory) joined with it.
fn candidates(program: &OsStr, path_var: Option<&OsStr>) -> io::Result<Vec<CString>> {
    let name = program.as_bytes();
    if name.contains(&b'/') {
        return Ok(std::vec![c_string(name.to_vec())?]);
    }
    if name.is_empty() {
        return Err(io::Error::from_raw_os_error(crate::Errno::ENOENT.raw()));
    }
    let dirs = path_var.map_or(&b"/bin:/usr/bin"[..], OsStr::as_bytes);
    dirs.split(|&b| b == b':')
        .map(|dir| {
            let mut path = dir.to_vec();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(name);
            c_string(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn strings(v: &[CString]) -> Vec<&str> {
        v.iter().map(|c| c.to_str().unwrap()).collect()
    }

    #[test]
    fn a_program_is_looked_for_as_execvp_does() {
        let found = |program: &str, path: Option<&str>| {
            let paths = candidates(OsStr::new(program), path.map(OsStr::new)).unwrap();
            strings(&paths)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("/bin/cat", Some("/x")), ["/bin/cat"]);
        assert_eq!(found("sub/prog", None), ["sub/prog"]);
        assert_eq!(found("cat", None), ["/bin/cat", "/usr/bin/cat"]);
        assert_eq!(found("cat", Some("/a::b/")), ["/a/cat", "cat", "b//cat"]);
        assert!(candidates(OsStr::new(""), None).is_err());
        assert_eq!(
            candidates(OsStr::new("a\0b"), None).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn the_arrays_hold_the_arguments_and_the_environment() {
        let mut cmd = Command::new("prog");
        cmd.args(["one", "two"])
            .env("SECLUDE_SET", "yes")
            .env("PATH", "/opt/bin")
            .env_remove("SECLUDE_GONE");
        let exec = PreparedExec::new(&cmd, Environment::Cleared).unwrap();
        assert_eq!(strings(&exec.paths), ["/opt/bin/prog"]);
        let read = |array: &[*const u8]| -> Vec<String> {
            assert!(array.last().unwrap().is_null());
            array[..array.len() - 1]
                .iter()
                // SAFETY: each pointer before the NULL points to a
                // NUL-terminated string owned by `exec`, which outlives
                // this use.
                .map(|&p| unsafe { core::ffi::CStr::from_ptr(p.cast()) })
                .map(|c| c.to_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(read(&exec.argv), ["prog", "one", "two"]);
        let mut env = read(&exec.envp);
        env.sort();
        assert_eq!(env, ["PATH=/opt/bin", "SECLUDE_SET=yes"]);
        let inherited = PreparedExec::new(&cmd, Environment::Inherited).unwrap();
        assert!(read(&inherited.envp).contains(&"SECLUDE_SET=yes".to_owned()));
        assert!(read(&inherited.envp).len() >= env.len());
    }
}
