//! Help for a unit the language does not know: the unit meant, or what the word really is.

/// The unit meant by an unknown unit word (`secs` → `s`, `mss` → `ms`), with the help that
/// says so.
pub fn unit_meant(word: &str) -> Option<(&'static str, String)> {
    const ALIASES: &[(&[&str], &str)] = &[
        (&["sec", "secs", "second", "seconds"], "s"),
        (&["msec", "msecs", "millisecond", "milliseconds"], "ms"),
        (&["usec", "usecs", "microsecond", "microseconds"], "us"),
        (&["minute", "minutes", "mins"], "min"),
        (&["hour", "hours", "hr", "hrs"], "h"),
        (&["hz", "hertz"], "Hz"),
        (&["khz"], "kHz"),
        (&["mv", "millivolt", "millivolts", "µV", "uV"], "mV"),
        (&["v", "volt", "volts"], "V"),
        (&["percent", "pct"], "%"),
        (&["iterations", "iters", "timesteps"], "steps"),
        (&["images", "examples", "trials"], "samples"),
        (&["passes"], "epochs"),
    ];
    if let Some((_, unit)) = ALIASES.iter().find(|(words, _)| words.contains(&word)) {
        return Some((unit, format!("write `{unit}`")));
    }
    crate::diagnostics::did_you_mean(word, crate::units::UNITS.iter().map(|u| u.name))
        .map(|u| (u, format!("did you mean `{u}`?")))
}

/// Help for an unknown unit word: the unit meant, or what the word probably is instead.
pub fn unknown_unit_help(word: &str) -> String {
    if let Some((_, help)) = unit_meant(word) {
        return help;
    }
    if crate::builtins::lookup_kind(word, crate::builtins::Kind::NeuronModel).is_some() {
        return format!("a population's neuron model follows a colon: `layer h 400 : {word}`");
    }
    if crate::builtins::is_setting_name(word) {
        return format!(
            "`{word}` looks like the next setting: separate settings on one line with `;`"
        );
    }
    "units: s, ms, us, min, h, Hz, kHz, V, mV, steps, samples, epochs, %; a unit follows its number on the same line".into()
}
