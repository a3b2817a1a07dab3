//! Stopping a run early on Ctrl-C (SIGINT) or SIGTERM: the signal only sets a flag (via
//! `signal-hook`), and the measuring loops ask `check()` between samples, candidates and
//! GEMMs, so a run stops at the next sample with everything measured before it intact. A
//! second signal of the same run ends the process at once (exit 130 or 143), for a run
//! stuck inside one long dispatch.
//!
//! The flag is process-wide because signals are: one run per process.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Once};

use signal_hook::consts::{SIGINT, SIGTERM};

use crate::error::{Error, Result, StopSignal};

/// The signal number received, 0 while none was.
static RECEIVED: LazyLock<Arc<AtomicUsize>> = LazyLock::new(|| Arc::new(AtomicUsize::new(0)));
/// Set with `RECEIVED`: the condition signal-hook's immediate exit on a second signal reads.
static ONCE_RECEIVED: LazyLock<Arc<AtomicBool>> =
    LazyLock::new(|| Arc::new(AtomicBool::new(false)));
static INSTALLED: Once = Once::new();

/// Catches SIGINT and SIGTERM from now on (once per process): the first sets the flag
/// `check` reads, a second exits at once. Without this the signals keep their default
/// (the process dies where it stands, with nothing written).
pub fn catch_signals() -> Result<()> {
    let mut outcome = Ok(());
    INSTALLED.call_once(|| outcome = install());
    outcome
}

fn install() -> Result<()> {
    let cannot = |e: std::io::Error| Error::runtime(format!("cannot catch Ctrl-C: {e}"));
    for (signal, stop) in [
        (SIGINT, StopSignal::Interrupt),
        (SIGTERM, StopSignal::Terminate),
    ] {
        // Registered first, so it runs before this signal sets the flag: it exits only
        // when an earlier signal already had.
        signal_hook::flag::register_conditional_shutdown(
            signal,
            stop.exit_code(),
            Arc::clone(&ONCE_RECEIVED),
        )
        .map_err(cannot)?;
        signal_hook::flag::register_usize(signal, Arc::clone(&RECEIVED), signal as usize)
            .map_err(cannot)?;
        signal_hook::flag::register(signal, Arc::clone(&ONCE_RECEIVED)).map_err(cannot)?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if any.
pub fn requested() -> Option<StopSignal> {
    match RECEIVED.load(Ordering::SeqCst) as i32 {
        SIGINT => Some(StopSignal::Interrupt),
        SIGTERM => Some(StopSignal::Terminate),
        _ => None,
    }
}

/// `Error::Interrupted` once a stop was asked for: called where a loop can stop cleanly.
pub fn check() -> Result<()> {
    match requested() {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => Ok(()),
    }
}
