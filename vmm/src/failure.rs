//! Why a run, a snapshot or a restore did not complete: one error type for the whole VMM, each variant
//! saying which step failed and how.

use std::fmt;
use std::io;
use std::time::Duration;

/// Why a run, a snapshot or a restore did not complete.
#[derive(Debug)]
pub enum Failure {
    /// `/dev/kvm` cannot be opened: no KVM here. Callers may skip.
    NoKvm(kvm_ioctls::Error),
    /// An ioctl failed.
    Kvm(&'static str, kvm_ioctls::Error),
    /// A file, socket, thread or memory operation failed.
    Io(&'static str, io::Error),
    /// The guest did something unexpected (an exit this VMM does not handle, an exception).
    Guest(String),
    /// The guest printed no line for this long, `lines` lines into the run: it waits for a timer interrupt
    /// that does not come (the PIT, an interrupt controller or a LAPIC lost its state), or for its turn.
    Stalled { lines: usize, after: Duration },
    /// The image was refused.
    Refused(cr_core::Error),
    /// An invariant of snapshot/restore does not hold.
    Broken(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoKvm(e) => write!(f, "/dev/kvm cannot be opened: {e}"),
            Failure::Kvm(what, e) => write!(f, "{what} failed: {e}"),
            Failure::Io(what, e) => write!(f, "{what}: {e}"),
            Failure::Guest(msg) => write!(f, "guest: {msg}"),
            Failure::Stalled { lines, after } => write!(
                f,
                "the guest stalled: no line for {:.1} s after {lines} lines (no timer interrupt comes?)",
                after.as_secs_f64()
            ),
            Failure::Refused(e) => write!(f, "image refused: {e}"),
            Failure::Broken(msg) => write!(f, "broken: {msg}"),
        }
    }
}

impl std::error::Error for Failure {}

/// Maps an ioctl's error to [`Failure::Kvm`] naming it.
pub(crate) fn ioctl(what: &'static str) -> impl Fn(kvm_ioctls::Error) -> Failure {
    move |e| Failure::Kvm(what, e)
}
