//! What the supervisor and the code that judges a notified call share: who
//! made the call (its phase and image) and the verdict. A leaf module, so
//! that neither the loop (`supervise`) nor the tracking of processes
//! (`tracker`) imports from the other for it.

use seclude::seccomp::notify::Response;
use seclude::sys::fd::OwnedFd;

/// Where a process is, for the loader's allowance.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// The loader (and the initializers of the libraries loaded before
    /// the marker) runs.
    Loading,
    /// The program's own code runs.
    Loaded,
}

/// Which program a process runs, for execpromises (`-e`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Image {
    /// The program seclude started, or a fork of it.
    Started,
    /// A program executed after it (or a fork of one), or a process
    /// seclude cannot tell to be `Started`: it holds the execpromises.
    Executed,
}

/// Who made a notified call.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    /// Whether the loader's allowance may apply.
    pub phase: Phase,
    /// Which program made it; without [`Launch::follow_images`], only
    /// the started program itself is known as `Started`.
    pub image: Image,
    /// The listener, for answers that add a descriptor.
    pub listener: i32,
    /// The calling process's id as it sees itself (in its own pid
    /// namespace): what its own-pid conditions compare with.
    pub own_pid: u32,
}

/// What the handler decides for a notified call.
pub struct Verdict {
    /// The answer.
    pub response: Response,
    /// Kill the calling process (`-k`).
    pub kill: bool,
    /// A descriptor the answer copies into the process
    /// ([`Response::Descriptor`]), closed once the answer is sent.
    pub holds: Option<OwnedFd>,
}

impl Verdict {
    /// This answer, nobody killed, no descriptor.
    pub fn answer(response: Response) -> Verdict {
        Verdict {
            response,
            kill: false,
            holds: None,
        }
    }
}
