//! The paper's network and phases (Golden et al. 2022, the C++ `1.conn` of the paper runs).
//!
//! Input 49 (7×7) → hidden 784 (28×28) → output 8 (one cell per direction):
//!
//! - input → hidden: each hidden cell gets exactly 9 distinct inputs, each input exactly
//!   144 outputs (C++ `sin_network_parametrized`: an input is only drawn while it is among
//!   the least used); each input's 144 weights share 1440 chunks of 0.001 drawn at random,
//!   on top of one chunk each, so `w = 0.001·(1 + k)`; only the positive copies are kept
//!   (the makefile's `grep -v`);
//! - hidden → output: all to all, +0.02 (a projection of its own) and −0.02 (another).

use super::spec::{
    AdaptBy, AdaptSpec, ConnSpec, Dopamine, Learning, NetSpec, OutputBalanceSpec, Pattern,
    PhaseSpec, PopSpec, Role, StdpSpec, WorldSpec,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const INPUT: usize = 49;
pub const HIDDEN: usize = 784;
pub const OUTPUT: usize = 8;
const FAN_IN: usize = 9;
const FAN_OUT: usize = FAN_IN * HIDDEN / INPUT;
const CHUNKS: usize = 10 * FAN_OUT;

/// The paper's network; the seed draws the input → hidden wiring, weights and the order
/// of each output cell's excitatory inputs (C++ `random_shuffle`).
pub fn paper_network(seed: u64) -> NetSpec {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut used = [0usize; INPUT];
    let mut wired = vec![false; INPUT * HIDDEN];
    let mut candidates = Vec::with_capacity(INPUT);
    for m in 0..HIDDEN {
        for _ in 0..FAN_IN {
            let free = |x: usize| !wired[x * HIDDEN + m] && used[x] < FAN_OUT;
            let least = used.iter().copied().min().unwrap_or(0);
            candidates.clear();
            candidates.extend((0..INPUT).filter(|&x| used[x] == least && free(x)));
            if candidates.is_empty() {
                // The C++ would draw forever here; take the least used free inputs.
                let least = (0..INPUT).filter(|&x| free(x)).map(|x| used[x]).min();
                candidates.extend((0..INPUT).filter(|&x| free(x) && Some(used[x]) == least));
            }
            if candidates.is_empty() {
                break;
            }
            let x = candidates[rng.random_range(0..candidates.len())];
            wired[x * HIDDEN + m] = true;
            used[x] += 1;
        }
    }
    let mut in_hidden = Vec::with_capacity(INPUT * FAN_OUT);
    for i in 0..INPUT {
        let targets: Vec<usize> = (0..HIDDEN).filter(|&m| wired[i * HIDDEN + m]).collect();
        let mut chunks = vec![0usize; targets.len()];
        if !targets.is_empty() {
            for _ in 0..CHUNKS {
                chunks[rng.random_range(0..targets.len())] += 1;
            }
        }
        for (&m, &k) in targets.iter().zip(&chunks) {
            // The C++ writes the summed chunks with 6 digits and reads them back.
            in_hidden.push((i as u32, m as u32, (1 + k) as f64 / 1000.0));
        }
    }
    let mut exc = Vec::with_capacity(HIDDEN * OUTPUT);
    let mut inh = Vec::with_capacity(HIDDEN * OUTPUT);
    let mut order: Vec<u32> = (0..HIDDEN as u32).collect();
    for o in 0..OUTPUT as u32 {
        order.shuffle(&mut rng);
        exc.extend(order.iter().map(|&h| (h, o, 0.02)));
        inh.extend((0..HIDDEN as u32).map(|h| (h, o, -0.02)));
    }
    let pop = |name: &str, size| PopSpec {
        name: name.into(),
        size,
        model: None,
    };
    let conn = |name: &str, from, to, synapses| ConnSpec {
        name: name.into(),
        from,
        to,
        synapses,
    };
    NetSpec {
        pops: vec![
            pop("input", INPUT),
            pop("hidden", HIDDEN),
            pop("output", OUTPUT),
        ],
        conns: vec![
            conn("input_hidden", 0, 1, in_hidden),
            conn("hidden_output", 1, 2, exc),
            conn("hidden_output_inh", 1, 2, inh),
        ],
        input: 0,
        output: 2,
        actions: 8,
    }
}

/// Task 1 of the paper: horizontal rewarded, diagonal-up punished, 5 % each, replaced.
pub fn task1_world() -> WorldSpec {
    WorldSpec {
        size: 50,
        window: 7,
        patterns: vec![
            (Pattern::Horizontal, Role::Rewarded),
            (Pattern::DiagonalUp, Role::Punished),
        ],
        density: 0.05,
        replace: true,
    }
}

/// The paper's dopamine-gated STDP on a projection (output bound 1).
pub fn paper_stdp(conn: usize) -> StdpSpec {
    StdpSpec {
        conn,
        modulated: true,
        scale: 0.4,
        tau: 40.0,
        window: 120,
        memory: 3600,
        clip: 0.01,
        w_min: 0.00001,
        w_max: 1.0,
        average_rate: 0.001,
    }
}

/// Training with the hidden layer frozen (C++ `train1` after `freezeInputHiddenWeights`):
/// output STDP, input balancing of the output cells, inhibition from the excitation,
/// resistance adaptation of the output cells, hidden rates tracked.
pub fn paper_learning() -> Learning {
    Learning {
        stdp: vec![paper_stdp(1)],
        input_balance: vec![1, 2],
        output_balance: Some(OutputBalanceSpec {
            inhibitory: 2,
            cells_per_group: 1,
        }),
        adapt: vec![
            AdaptSpec {
                pop: 2,
                target: 0.5,
                by: AdaptBy::Resistance,
                rate: 0.00001,
                smoothing: 0.0001,
            },
            AdaptSpec {
                pop: 1,
                target: 0.01,
                by: AdaptBy::Track,
                rate: 0.00001,
                smoothing: 0.0001,
            },
        ],
    }
}

/// A phase with the paper's constants: 600 steps per move, kicks of 0.025, dopamine
/// 1 / −0.001 / −0.0001, random moves 0.005·hunger, 100-particle window, 100-move aeons.
pub fn paper_phase(moves: u64, world: Option<WorldSpec>, learning: Option<Learning>) -> PhaseSpec {
    PhaseSpec {
        moves,
        steps_per_move: 600,
        world,
        sensor_kick: 0.025,
        dopamine: Dopamine::Events {
            reward: 1.0,
            punish: -0.001,
            nothing: -0.0001,
        },
        learning,
        replay: None,
        record: None,
        random_moves: 0.005,
        last_n: 100,
        trajectory: false,
        moves_per_aeon: 100,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wiring_is_regular_and_the_weights_share_the_chunks() {
        let net = paper_network(1);
        let ih = &net.conns[0].synapses;
        assert_eq!(ih.len(), INPUT * FAN_OUT);
        let mut fan_in = vec![0usize; HIDDEN];
        let mut fan_out = vec![0usize; INPUT];
        let mut sum = vec![0.0f64; INPUT];
        for &(i, m, w) in ih {
            fan_in[m as usize] += 1;
            fan_out[i as usize] += 1;
            sum[i as usize] += w;
            let k = (w * 1000.0).round();
            assert_eq!(w, k / 1000.0);
        }
        assert!(fan_in.iter().all(|&n| n == FAN_IN));
        assert!(fan_out.iter().all(|&n| n == FAN_OUT));
        for s in sum {
            assert!((s - 0.001 * (FAN_OUT + CHUNKS) as f64).abs() < 1e-9);
        }
        let mut pairs: Vec<(u32, u32)> = ih.iter().map(|&(i, m, _)| (i, m)).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), ih.len(), "inputs are distinct");
        assert_eq!(net.conns[1].synapses.len(), HIDDEN * OUTPUT);
        assert_eq!(net.conns[2].synapses.len(), HIDDEN * OUTPUT);
        assert_eq!(paper_network(1), net);
        assert_ne!(paper_network(2).conns[0], net.conns[0]);
    }
}
