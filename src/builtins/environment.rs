//! Environments an agent acts in, and where an environment phase gets its dopamine.
//!
//! A phase with an `environment` runs closed-loop: the world drives the input population
//! each move, the output population's vote picks the move, and what the agent eats is the
//! dopamine its reward rules learn from (Golden et al. 2022).

use super::{Builtin, Kind, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);

/// The food shapes of a foraging grid: pairs of pixels.
pub const PATTERNS: &[&str] = &["horizontal", "vertical", "diagonal_up", "diagonal_down"];
const SHAPES: Ty = Ty::OneOf(&[Ty::Symbol(PATTERNS), Ty::List(&Ty::Symbol(PATTERNS))]);

/// What an `environment` item builds.
pub const WORLDS: &[Builtin] = &[builtin(
    "foraging_grid",
    Kind::World,
    "a toroidal grid of food pairs (Golden et al.): the agent sees a window around itself, moves one cell per move in one of 8 directions, eats the food it steps on (re-placed at random), and is rewarded or punished by its shape",
    &[
        param("size", N, "the side of the square grid, in cells").num(50.0).range(Range::Between(3.0, 1000.0)).whole(),
        param("window", N, "the side of the square sensor window around the agent (odd): the input population has window² cells").num(7.0).range(Range::Between(1.0, 99.0)).whole(),
        param("rewarded", SHAPES, "the shapes whose eating is rewarded").optional(),
        param("punished", SHAPES, "the shapes whose eating is punished").optional(),
        param("neutral", SHAPES, "shapes present but neither rewarded nor punished (the unsupervised stage)").optional(),
        param("density", N, "the fraction of the grid's cells each listed shape covers (5 %: 63 pairs on a 50 × 50 grid)").num(0.05).range(Range::Between(0.0, 0.2)),
        param("replace", Ty::Bool, "put an eaten pair back at a random free place").bool(true),
        param("epoch", Ty::Num(Dim::STEPS), "simulation steps per move (the paper's epoch)").num(600.0).range(Range::Positive).whole(),
        param("sensor_kick", N, "input added once per move to each sensor cell whose pixel holds food").num(0.025).range(Range::NonNegative),
        param("random_moves", N, "chance of a random move, times the number of moves since the agent last ate a rewarded or punished pair").num(0.005).range(Range::Probability),
        param("last", N, "how many of the last rewarded or punished pairs eaten the performance is computed over (carried across consecutive wake phases in this environment; a `foraging` test starts its own)").num(100.0).range(Range::Positive).whole(),
    ],
)];

/// Where an environment phase's dopamine comes from.
pub const DOPAMINE: &[Builtin] = &[
    builtin(
        "rewards",
        Kind::Dopamine,
        "phasic dopamine from what the agent eats, applied to the reward rules at every move",
        &[
            param("reward", N, "after eating a rewarded pair").num(1.0),
            param("punish", N, "after eating a punished pair").num(-0.001),
            param(
                "nothing",
                N,
                "after a move that ate nothing, or a neutral pair",
            )
            .num(-0.0001),
        ],
    ),
    builtin(
        "tonic",
        Kind::Dopamine,
        "tonic dopamine: the same level at every move, whatever is eaten (sleep: 0.5 in Golden et al.)",
        &[param("level", N, "the dopamine level").num(0.5)],
    ),
];
