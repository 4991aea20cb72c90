//! The foraging agent's speed: one aeon (100 moves × 600 steps = 60,000 steps) of the
//! paper network (Golden et al. 2022: input 49 → hidden 784 → output 8, hidden frozen)
//! training on task 1 (horizontal rewarded, diagonal-up punished, 5 % each): output
//! dopamine-gated STDP, input and output balancing, resistance adaptation.
//!
//! Each iteration starts from the same agent (cloned) and the same rng, so the work per
//! iteration does not depend on how many ran. The authors' C++ takes about 0.2 s per aeon
//! on one core. `cargo bench --bench forage`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use somnia::engine::forage::paper::{paper_learning, paper_network, paper_phase, task1_world};
use somnia::engine::forage::{Agent, run_phase};
use std::hint::black_box;

fn aeon(c: &mut Criterion) {
    let agent = Agent::new(&paper_network(1)).expect("the paper network builds");
    let spec = paper_phase(100, Some(task1_world()), Some(paper_learning()));
    let mut g = c.benchmark_group("forage");
    g.sample_size(10);
    g.bench_function("aeon_paper_task1", |b| {
        b.iter_batched(
            || (agent.clone(), ChaCha8Rng::seed_from_u64(1)),
            |(mut a, mut rng)| {
                let st = run_phase(&mut a, &spec, &mut rng, &|| false).expect("the phase runs");
                black_box((st, a))
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, aeon);
criterion_main!(benches);
