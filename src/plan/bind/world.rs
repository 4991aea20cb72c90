//! Environments and their dopamine: what an environment phase acts in and learns from.

use super::FromArg;
use crate::builtins::Kind;
use crate::plan::ir::ParamIr;
use crate::{kernels, params, symbols};

kernels! {
    /// What an `environment` item builds.
    pub enum World: Kind::World {
        "foraging_grid" => ForagingGrid(ForagingGrid),
    }
}

symbols! {
    /// A food shape of a foraging grid: two pixels side by side.
    pub enum Shape {
        Horizontal = "horizontal",
        Vertical = "vertical",
        DiagonalUp = "diagonal_up",
        DiagonalDown = "diagonal_down",
    }
}

/// One shape or a list of shapes (`rewarded horizontal`, `neutral horizontal, vertical`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shapes(pub Vec<Shape>);

impl FromArg for Shapes {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::List { items }) => items
                .iter()
                .map(|i| Shape::from_arg(Some(i)))
                .collect::<Result<_, _>>()
                .map(Shapes),
            Some(_) => Shape::from_arg(p).map(|s| Shapes(vec![s])),
            None => Err("shapes"),
        }
    }
}

params! {
    /// Golden et al.'s toroidal world of food pairs.
    pub struct ForagingGrid {
        pub size: u64,
        pub window: u64,
        pub rewarded: Option<Shapes>,
        pub punished: Option<Shapes>,
        pub neutral: Option<Shapes>,
        pub density: f64,
        pub replace: bool,
        /// Simulation steps per move.
        pub epoch: u64,
        pub sensor_kick: f64,
        pub random_moves: f64,
        pub last: u64,
    }
}

impl ForagingGrid {
    /// Every shape present, with its role, in the order rewarded, punished, neutral.
    pub fn shapes(&self) -> Vec<(Shape, Role)> {
        let mut out = Vec::new();
        for (list, role) in [
            (&self.rewarded, Role::Rewarded),
            (&self.punished, Role::Punished),
            (&self.neutral, Role::Neutral),
        ] {
            for s in list.iter().flat_map(|l| l.0.iter()) {
                out.push((*s, role));
            }
        }
        out
    }
}

/// What eating a shape does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Rewarded,
    Punished,
    Neutral,
}

kernels! {
    /// Where an environment phase's dopamine comes from.
    pub enum Dopamine: Kind::Dopamine {
        "rewards" => Rewards(Rewards),
        "tonic" => Tonic(Tonic),
    }
}

params! {
    /// Dopamine from what the agent eats.
    pub struct Rewards {
        pub reward: f64,
        pub punish: f64,
        pub nothing: f64,
    }
}

params! {
    /// The same dopamine at every move.
    pub struct Tonic {
        pub level: f64,
    }
}
