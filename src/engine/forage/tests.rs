//! Whole-agent tests: small networks, fixed seeds, hand-built worlds.

use super::paper::{paper_learning, paper_network, paper_phase, paper_stdp, task1_world};
use super::step::MOVES;
use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn pop(name: &str, size: usize) -> PopSpec {
    PopSpec {
        name: name.into(),
        size,
        model: None,
    }
}

/// Input 49 (7×7), hidden 4, output `out`; `conns` between them.
fn small(out: usize, conns: Vec<ConnSpec>) -> Agent {
    Agent::new(&NetSpec {
        pops: vec![pop("input", 49), pop("hidden", 4), pop("output", out)],
        conns,
        input: 0,
        output: 2,
        actions: 8,
    })
    .unwrap()
}

fn world_spec(replace: bool) -> WorldSpec {
    WorldSpec {
        replace,
        ..task1_world()
    }
}

fn quiet_phase(moves: u64) -> PhaseSpec {
    PhaseSpec {
        record: Some(0),
        trajectory: true,
        ..paper_phase(moves, None, None)
    }
}

fn never() -> bool {
    false
}

#[test]
fn sensor_kicks_land_on_the_window_cells_that_see_food() {
    let mut a = small(8, vec![]);
    // Pairs at (3,1)-(4,1) and, across the corner, (48,49)-(49,49).
    let w = World::with_pairs(&world_spec(true), &[(0, 3, 1), (0, 48, 49)]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let st = run_phase_in(&mut a, &quiet_phase(1), Some(w), &mut rng, &never).unwrap();
    // The first move goes (0,0) → (1,1) (direction starts (1,1)); the window is centred there.
    assert_eq!(st.trajectory, vec![(1, 1)]);
    let rec = st.recorded.unwrap();
    let fired: Vec<usize> = (0..49).filter(|&i| rec[i] > 0.0).collect();
    // (3,1) → window (5,3) = 38, (4,1) → (6,3) = 45, (48,49) → (0,1) = 1, (49,49) → (1,1) = 8.
    assert_eq!(fired, vec![1, 8, 38, 45]);
    assert_eq!(st.spikes[1] + st.spikes[2], 0);
    assert_eq!(a.step(), 600);
}

#[test]
fn the_move_is_the_group_with_most_output_spikes() {
    // 16 output cells, 2 per group; replay kicks both cells of group 6 and one of group 5.
    let mut a = small(16, vec![]);
    let mut prob = vec![0.0; 16];
    prob[12] = 1.0;
    prob[13] = 1.0;
    prob[10] = 1.0;
    let spec = PhaseSpec {
        replay: Some(Replay {
            pop: 2,
            prob,
            kick: 0.025,
        }),
        record: Some(2),
        ..quiet_phase(3)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let st = run_phase(&mut a, &spec, &mut rng, &never).unwrap();
    let rec = st.recorded.unwrap();
    assert!(rec[12] >= rec[10] && rec[13] >= rec[10] && rec[10] > 0.0);
    // Move 0 has no votes yet: (1,1). Then group 6 wins: MOVES[6] = (1, 0).
    assert_eq!(MOVES[6], (1, 0));
    assert_eq!(st.trajectory, vec![(1, 1), (2, 1), (3, 1)]);
    assert_eq!(a.direction(), (1, 0));
    // An empty world with constant dopamine leaves hunger alone; with events it grows.
    assert_eq!(a.hunger(), 3);
}

#[test]
fn eating_rewarded_food_turns_positive_traces_into_growth() {
    // Window pixels 32 and 39 (agent at (1,1) sees (2,2), (3,2)) drive output cell 7 (move (1,1)).
    let conn = ConnSpec {
        name: "sense".into(),
        from: 0,
        to: 2,
        synapses: vec![(32, 7, 0.5), (39, 7, 0.5)],
    };
    let mut a = small(8, vec![conn]);
    let learning = Learning {
        stdp: vec![StdpSpec {
            conn: 0,
            ..paper_stdp(0)
        }],
        input_balance: vec![],
        output_balance: None,
        adapt: vec![],
    };
    let spec = PhaseSpec {
        record: Some(0),
        ..paper_phase(1, None, Some(learning))
    };
    let pairs = [(0, 2, 2)];
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let w1 = World::with_pairs(&world_spec(false), &pairs).unwrap();
    let st = run_phase_in(&mut a, &spec, Some(w1), &mut rng, &never).unwrap();
    let rec = st.recorded.unwrap();
    assert!(rec[32] > 0.0 && rec[39] > 0.0);
    assert_eq!(st.rewarded, 0);
    // Output 7 fired after its inputs: positive traces, nothing applied yet (no food at (1,1),
    // dopamine −0.0001 with no traces changes nothing).
    let s = a.conns[0].syns[0] as usize;
    let before = a.clone();
    assert_eq!(before.w[s], 0.5);
    assert!(!before.traces[s].is_empty());
    assert!(before.traces[s].iter().all(|&(_, m)| m > 0.0));
    assert_eq!(a.direction(), MOVES[7]);
    // Second move: to (2,2), onto the rewarded pair: dopamine 1 at step 600.
    let w2 = World::with_pairs(&world_spec(false), &pairs).unwrap();
    let st = run_phase_in(&mut a, &spec, Some(w2), &mut rng, &never).unwrap();
    assert_eq!(
        (st.rewarded, st.performance, st.relevant),
        (1, Some(1.0), 1)
    );
    assert_eq!(a.position(), (2, 2));
    assert_eq!(a.hunger(), 0);
    // By hand, from the traces before the move (none added at step 600 itself).
    let now = 600u64;
    let age = |t: u64| (now - t + 600) as f64;
    let tr = &before.traces[s];
    let sumtr: f64 = tr.iter().fold(0.0, |acc, &(t, m)| acc + m * 1.0 / age(t));
    let avg = 0.0 * (1.0 - 0.001) + 0.001 * sumtr;
    let b = before.output_target[32] / before.output_sum[32];
    assert_eq!(b, 1.0);
    let mut w = 0.5f64;
    for &(t, m) in tr {
        let delta = (m * 1.0 / age(t) * 1.0 * sumtr / avg).clamp(-0.01, 0.01);
        w *= 1.0 + b * delta;
    }
    assert!(w > 0.5);
    assert_eq!(a.w[s], w);
}

#[test]
fn sleep_wraps_in_the_last_arena_and_keeps_hunger() {
    let mut a = small(8, vec![]);
    a.set_position(49, 49);
    a.hunger = 7;
    let spec = PhaseSpec {
        dopamine: Dopamine::Constant(0.5),
        random_moves: 0.0,
        replay: Some(Replay {
            pop: 1,
            prob: vec![0.5; 4],
            kick: 0.025,
        }),
        record: Some(1),
        ..quiet_phase(2)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let st = run_phase(&mut a, &spec, &mut rng, &never).unwrap();
    assert_eq!(st.trajectory, vec![(0, 0), (1, 1)]);
    assert_eq!(a.hunger(), 7);
    assert!(st.spikes[1] > 0, "replay drives the hidden cells");
    assert_eq!(st.performance, None);
}

#[test]
fn phases_chain_like_one_long_phase() {
    let conn = ConnSpec {
        name: "ho".into(),
        from: 1,
        to: 2,
        synapses: (0..4)
            .flat_map(|h| (0..8).map(move |o| (h, o, 0.3)))
            .collect(),
    };
    let start = small(8, vec![conn]);
    let learning = Learning {
        stdp: vec![paper_stdp(0)],
        input_balance: vec![0],
        output_balance: None,
        adapt: vec![AdaptSpec {
            pop: 2,
            target: 0.5,
            by: AdaptBy::Resistance,
            rate: 1e-5,
            smoothing: 1e-4,
        }],
    };
    let spec = |moves| PhaseSpec {
        replay: Some(Replay {
            pop: 1,
            prob: vec![0.3; 4],
            kick: 0.025,
        }),
        dopamine: Dopamine::Constant(0.5),
        ..paper_phase(moves, None, Some(learning.clone()))
    };
    let (mut one, mut two) = (start.clone(), start);
    let (mut r1, mut r2) = (ChaCha8Rng::seed_from_u64(5), ChaCha8Rng::seed_from_u64(5));
    run_phase(&mut one, &spec(6), &mut r1, &never).unwrap();
    run_phase(&mut two, &spec(2), &mut r2, &never).unwrap();
    run_phase(&mut two, &spec(4), &mut r2, &never).unwrap();
    assert_eq!(one.step(), two.step());
    assert_eq!(one.w, two.w);
    assert_eq!(one.x, two.x);
    assert_eq!(one.traces, two.traces);
    assert_eq!(one.resistance, two.resistance);
    assert_ne!(one.w, small(8, vec![]).w, "something was learned");
}

#[test]
fn a_stopped_phase_returns_what_it_has() {
    let mut a = small(8, vec![]);
    let moves = std::cell::Cell::new(0u32);
    let stop = || {
        moves.set(moves.get() + 1);
        moves.get() > 3
    };
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let spec = PhaseSpec {
        moves_per_aeon: 2,
        ..paper_phase(10, Some(task1_world()), None)
    };
    let st = run_phase(&mut a, &spec, &mut rng, &stop).unwrap();
    assert_eq!(st.moves, 3);
    assert_eq!(st.per_aeon.len(), 1);
    assert_eq!(a.step(), 1800);
    assert!(run_phase(&mut a, &spec, &mut rng, &never).is_ok());
}

#[test]
fn bad_specs_are_errors_not_panics() {
    let syn = |s| {
        vec![ConnSpec {
            name: "c".into(),
            from: 0,
            to: 2,
            synapses: s,
        }]
    };
    let net = |conns, actions, out| NetSpec {
        pops: vec![pop("input", 49), pop("hidden", 4), pop("output", out)],
        conns,
        input: 0,
        output: 2,
        actions,
    };
    assert!(Agent::new(&net(syn(vec![(49, 0, 0.1)]), 8, 8)).is_err());
    assert!(Agent::new(&net(syn(vec![(0, 8, 0.1)]), 8, 8)).is_err());
    assert!(Agent::new(&net(syn(vec![(0, 0, f64::NAN)]), 8, 8)).is_err());
    assert!(Agent::new(&net(vec![], 7, 7)).is_err());
    assert!(Agent::new(&net(vec![], 8, 12)).is_err());
    let mut a = Agent::new(&net(vec![], 8, 8)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let bad = [
        PhaseSpec {
            steps_per_move: 0,
            ..quiet_phase(1)
        },
        PhaseSpec {
            world: Some(WorldSpec {
                window: 5,
                ..task1_world()
            }),
            ..quiet_phase(1)
        },
        PhaseSpec {
            replay: Some(Replay {
                pop: 1,
                prob: vec![0.1; 3],
                kick: 0.025,
            }),
            ..quiet_phase(1)
        },
        PhaseSpec {
            record: Some(9),
            ..quiet_phase(1)
        },
        PhaseSpec {
            learning: Some(Learning {
                stdp: vec![paper_stdp(4)],
                ..paper_learning()
            }),
            ..quiet_phase(1)
        },
    ];
    for spec in &bad {
        assert!(
            run_phase(&mut a, spec, &mut rng, &never).is_err(),
            "{spec:?}"
        );
    }
    assert_eq!(a.step(), 0);
    run_phase(
        &mut a,
        &PhaseSpec {
            steps_per_move: 7,
            ..quiet_phase(1)
        },
        &mut rng,
        &never,
    )
    .unwrap();
    assert!(
        run_phase(&mut a, &quiet_phase(1), &mut rng, &never).is_err(),
        "7 is not a boundary of 600"
    );
}

#[test]
fn the_paper_network_forages() {
    let mut a = Agent::new(&paper_network(11)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let spec = PhaseSpec {
        trajectory: true,
        ..paper_phase(20, Some(task1_world()), Some(paper_learning()))
    };
    let st = run_phase(&mut a, &spec, &mut rng, &never).unwrap();
    assert_eq!(st.moves, 20);
    assert_eq!(st.trajectory.len(), 20);
    assert!(st.spikes[0] > 0 && st.spikes[1] > 0);
    assert_eq!(st.eaten.len(), 2);
    assert_eq!(
        st.rewarded + st.punished,
        st.eaten.iter().map(|e| e.2).sum::<u64>()
    );
    let w = a.weights(2);
    assert_eq!(w.len(), 784 * 8);
    assert!(w.iter().all(|&(_, _, v)| v < 0.0));
}

#[test]
fn the_performance_window_carries_over_wake_phases_and_sleep_leaves_it() {
    let mut a = Agent::new(&paper_network(3)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let wake = paper_phase(300, Some(task1_world()), None);
    let first = run_phase(&mut a, &wake, &mut rng, &never).unwrap();
    assert!(first.relevant > 0, "it ate something in 300 moves");
    let window = a.recent.clone();
    assert_eq!(window.len() as u64, first.relevant);
    // A sleep phase eats nothing and keeps the window as it was.
    let sleep = PhaseSpec {
        dopamine: Dopamine::Constant(0.5),
        ..paper_phase(3, None, None)
    };
    run_phase(&mut a, &sleep, &mut rng, &never).unwrap();
    assert_eq!(a.recent, window);
    // The next wake phase counts on from it: the earlier pairs stay in its performance.
    let second = run_phase(&mut a, &wake, &mut rng, &never).unwrap();
    let n = (first.rewarded + first.punished + second.rewarded + second.punished)
        .min(wake.last_n as u64);
    assert_eq!(second.relevant, n);
    let hits = a.recent.iter().filter(|&&r| r).count() as f64;
    assert_eq!(second.performance, Some(hits / a.recent.len() as f64));
    a.forget_recent();
    assert!(a.recent.is_empty());
}
