//! Termination signals during runs (`run`, `sweep`, `compare`, `test`): the first SIGINT,
//! SIGTERM or SIGHUP sets the stop flag the runs look at between steps, so each ends at the
//! next step boundary with its partial outcome written; a second one ends the process at
//! once. The exit status is then 128 + the signal's number (130 for Ctrl-C, 143 for
//! SIGTERM, 129 for SIGHUP), as shells report it.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The stop flag and the signal that set it.
#[derive(Clone)]
pub struct Stop {
    pub flag: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Stop {
    /// Whether a signal asked the runs to stop.
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// The exit status for the signal received (130 when none was: a stop asked for
    /// otherwise).
    pub fn exit_code(&self) -> i32 {
        match self.signal.load(Ordering::Relaxed) {
            0 => 128 + SIGINT,
            s => 128 + s as i32,
        }
    }
}

/// Installs the handlers (once per process) and returns the stop flag they set.
pub fn install() -> Stop {
    static STOP: OnceLock<Stop> = OnceLock::new();
    STOP.get_or_init(|| {
        let stop = Stop {
            flag: Arc::new(AtomicBool::new(false)),
            signal: Arc::new(AtomicUsize::new(0)),
        };
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // The order matters: the shutdown is armed by the flag the first signal sets.
            let _ =
                signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, stop.flag.clone());
            let _ = signal_hook::flag::register_usize(sig, stop.signal.clone(), sig as usize);
            let _ = signal_hook::flag::register(sig, stop.flag.clone());
        }
        stop
    })
    .clone()
}
