//! Physical dimensions and units.
//!
//! A [`Dim`] is a vector of exponents over somnia's base dimensions: time, voltage, and the
//! four count dimensions (steps, samples, epochs, moves), which are kept apart so that
//! `2 epochs + 100 ms` or `5000 samples + 10 steps` is an error. Moves count an agent's
//! actions in an environment; an aeon is 100 moves, as in Golden et al. Frequency is time⁻¹;
//! dimensionless is all zeros. Values are stored in SI base units (seconds, volts); the unit
//! table gives each unit's factor.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Exponents of the base dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Dim {
    pub time: i8,
    pub voltage: i8,
    pub steps: i8,
    pub samples: i8,
    pub epochs: i8,
    /// Moves of an agent in an environment (`moves`, `aeons`).
    #[serde(default)]
    pub moves: i8,
}

impl Dim {
    pub const NONE: Dim = Dim::new(0, 0, 0, 0, 0);
    pub const TIME: Dim = Dim::new(1, 0, 0, 0, 0);
    pub const FREQUENCY: Dim = Dim::new(-1, 0, 0, 0, 0);
    pub const VOLTAGE: Dim = Dim::new(0, 1, 0, 0, 0);
    pub const STEPS: Dim = Dim::new(0, 0, 1, 0, 0);
    pub const SAMPLES: Dim = Dim::new(0, 0, 0, 1, 0);
    pub const EPOCHS: Dim = Dim::new(0, 0, 0, 0, 1);
    pub const MOVES: Dim = Dim {
        moves: 1,
        ..Dim::NONE
    };

    pub const fn new(time: i8, voltage: i8, steps: i8, samples: i8, epochs: i8) -> Dim {
        Dim {
            time,
            voltage,
            steps,
            samples,
            epochs,
            moves: 0,
        }
    }

    fn zip(self, o: Dim, f: impl Fn(i8, i8) -> i8) -> Dim {
        Dim {
            moves: f(self.moves, o.moves),
            ..Dim::new(
                f(self.time, o.time),
                f(self.voltage, o.voltage),
                f(self.steps, o.steps),
                f(self.samples, o.samples),
                f(self.epochs, o.epochs),
            )
        }
    }

    pub fn pow(self, n: i8) -> Dim {
        self.zip(Dim::NONE, |a, _| a.saturating_mul(n))
    }

    pub fn is_none(self) -> bool {
        self == Dim::NONE
    }

    /// The name of the dimension, as the user would call it.
    pub fn name(self) -> String {
        match self {
            Dim::NONE => "dimensionless".into(),
            Dim::TIME => "time".into(),
            Dim::FREQUENCY => "frequency".into(),
            Dim::VOLTAGE => "voltage".into(),
            Dim::STEPS => "steps".into(),
            Dim::SAMPLES => "samples".into(),
            Dim::EPOCHS => "epochs".into(),
            Dim::MOVES => "moves".into(),
            d => d.unit_expr(),
        }
    }

    /// "a time value", "an epochs value".
    pub fn a_value(self) -> String {
        let name = self.name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name} value")
    }

    /// The SI-like unit expression of the dimension: `s`, `mV·s⁻¹`...
    pub fn unit_expr(self) -> String {
        let parts = [
            ("s", self.time),
            ("V", self.voltage),
            ("steps", self.steps),
            ("samples", self.samples),
            ("epochs", self.epochs),
            ("moves", self.moves),
        ];
        let mut out = Vec::new();
        for (u, e) in parts {
            match e {
                0 => {}
                1 => out.push(u.to_string()),
                e => out.push(format!("{u}^{e}")),
            }
        }
        if out.is_empty() {
            "1".into()
        } else {
            out.join("·")
        }
    }
}

impl std::ops::Mul for Dim {
    type Output = Dim;
    fn mul(self, o: Dim) -> Dim {
        self.zip(o, |a, b| a.saturating_add(b))
    }
}

impl std::ops::Div for Dim {
    type Output = Dim;
    fn div(self, o: Dim) -> Dim {
        self.zip(o, |a, b| a.saturating_sub(b))
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A unit word and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Unit {
    pub name: &'static str,
    pub dim: Dim,
    /// Multiply a number in this unit by `factor` to get SI base units.
    pub factor: f64,
    pub doc: &'static str,
}

const fn unit(name: &'static str, dim: Dim, factor: f64, doc: &'static str) -> Unit {
    Unit {
        name,
        dim,
        factor,
        doc,
    }
}

/// Every unit somnia knows.
pub const UNITS: &[Unit] = &[
    unit("s", Dim::TIME, 1.0, "second"),
    unit("ms", Dim::TIME, 1e-3, "millisecond"),
    unit("us", Dim::TIME, 1e-6, "microsecond"),
    unit("µs", Dim::TIME, 1e-6, "microsecond"),
    unit("min", Dim::TIME, 60.0, "minute"),
    unit("h", Dim::TIME, 3600.0, "hour"),
    unit("Hz", Dim::FREQUENCY, 1.0, "hertz (per second)"),
    unit("kHz", Dim::FREQUENCY, 1e3, "kilohertz"),
    unit("V", Dim::VOLTAGE, 1.0, "volt"),
    unit("mV", Dim::VOLTAGE, 1e-3, "millivolt"),
    unit("steps", Dim::STEPS, 1.0, "simulation steps (one `dt` each)"),
    unit("step", Dim::STEPS, 1.0, "one simulation step"),
    unit("samples", Dim::SAMPLES, 1.0, "dataset samples presented"),
    unit("sample", Dim::SAMPLES, 1.0, "one dataset sample"),
    unit("epochs", Dim::EPOCHS, 1.0, "passes over a training set"),
    unit("epoch", Dim::EPOCHS, 1.0, "one pass over a training set"),
    unit(
        "moves",
        Dim::MOVES,
        1.0,
        "moves of an agent in an environment (one `epoch` of steps each, Golden et al.'s epochs)",
    ),
    unit("move", Dim::MOVES, 1.0, "one move of an agent"),
    unit(
        "aeons",
        Dim::MOVES,
        100.0,
        "hundreds of moves (Golden et al.'s aeons)",
    ),
    unit("aeon", Dim::MOVES, 100.0, "100 moves"),
    unit("%", Dim::NONE, 0.01, "percent (× 0.01)"),
];

/// The unit with this exact name.
pub fn lookup(name: &str) -> Option<&'static Unit> {
    UNITS.iter().find(|u| u.name == name)
}

/// A value in SI base units with its dimension, written back in a readable unit.
pub fn format_quantity(value: f64, dim: Dim) -> String {
    let (v, u) = match dim {
        Dim::TIME if value.abs() >= 1.0 || value == 0.0 => (value, "s"),
        Dim::TIME => (value * 1e3, "ms"),
        Dim::FREQUENCY => (value, "Hz"),
        Dim::VOLTAGE => (value * 1e3, "mV"),
        Dim::STEPS => (value, "steps"),
        Dim::SAMPLES => (value, "samples"),
        Dim::EPOCHS => (value, "epochs"),
        Dim::MOVES => (value, "moves"),
        Dim::NONE => return format_number(value),
        d => return format!("{} {}", format_number(value), d.unit_expr()),
    };
    format!("{} {u}", format_number(v))
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with at most 6 significant decimals and no trailing zeros.
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    if v.abs() >= 1e6 || v.abs() < 1e-4 {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_compose() {
        assert_eq!(Dim::TIME * Dim::FREQUENCY, Dim::NONE);
        assert_eq!(Dim::STEPS / Dim::STEPS, Dim::NONE);
        assert_eq!(Dim::NONE / Dim::TIME, Dim::FREQUENCY);
        assert_eq!(Dim::TIME.pow(2).name(), "s^2");
    }

    #[test]
    fn quantities_print_in_readable_units() {
        assert_eq!(format_quantity(0.001, Dim::TIME), "1 ms");
        assert_eq!(format_quantity(15.0, Dim::TIME), "15 s");
        assert_eq!(format_quantity(-0.065, Dim::VOLTAGE), "-65 mV");
        assert_eq!(format_quantity(0.25, Dim::NONE), "0.25");
        assert_eq!(format_quantity(239.515363, Dim::FREQUENCY), "239.515363 Hz");
    }
}
