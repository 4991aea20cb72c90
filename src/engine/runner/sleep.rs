//! Sleep ops: the network run as spiking neurons for a number of steps under its drive and
//! modulators, with the phase's rules; `prune` acts when the phase ends.

use super::{Progress, Runner, interrupted, seed_initials};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::drive::{self, Drive};
use crate::engine::modulators::Modulator;
use crate::engine::monitor::Monitor;
use crate::engine::rules::SleepRule;
use crate::engine::rules::prune;
use crate::engine::scale;
use crate::engine::sleep::{self as simulate, Setup};
use crate::outcome::{Histogram, OpRecord, WeightChange};
use crate::plan::bind::{Bound, Pattern, Rule};
use crate::plan::ir::{Op, SleepKind, SpanIr};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

impl Runner {
    pub(super) fn sleep(
        &mut self,
        op: &Op,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let Op::Sleep {
            kind,
            phase,
            call,
            steps,
            dt,
            dynamics,
            scale,
            drive,
            window,
            modulators,
            rules,
            record,
            stream,
            span,
        } = op
        else {
            unreachable!("called for sleep ops")
        };
        rec.kind = match kind {
            SleepKind::Nrem => "nrem".into(),
            SleepKind::Rem => "rem".into(),
        };
        rec.name = format!("{phase}#{call}");
        rec.amount = Some(*steps);
        rec.sim_seconds = Some(0.0);
        if *steps == 0 {
            return Ok(());
        }
        // A sleep without rules changes no weight: nothing to histogram (a pass over every
        // weight, 16 M for CUBA's 4000 × 4000). With rules, the weights before are kept
        // until the sleep ends, so both histograms can share bins over both ranges.
        let before = if rules.is_empty() {
            Vec::new()
        } else {
            self.existing_weights()
        };
        let seed = self.seed_of(stream);
        let mut models = self.spiking_models(dynamics, *dt, span)?;
        seed_initials(&mut models, &self.state.net, seed);
        let net = &self.state.net;
        let scale = scale::of(
            net,
            &self.state.inf,
            scale,
            |tasks| self.data.train(tasks).0,
            self.data.features,
        );
        let mut drv = self.drive(drive, *dt, span)?;
        if let Some([w, h]) = window {
            drv.window = Some(self.window(*w, *h, span)?);
        }
        let mut sleep_rules = Vec::new();
        let mut prunes = Vec::new();
        for r in rules {
            let applies = self.applies(r);
            match &r.kernel {
                Rule::Prune(p) => prunes.push((p.by(), applies)),
                kernel => {
                    if let Some(rule) = SleepRule::new(kernel, self.baseline(&applies)) {
                        sleep_rules.push((rule, applies));
                    }
                }
            }
        }
        let setup = Setup {
            steps: *steps,
            dt: *dt,
            models,
            scale,
            drive: drv,
            rules: sleep_rules,
            modulators: modulators
                .iter()
                .map(|m| Modulator::new(&m.kernel))
                .collect(),
            silenced: self.state.silenced.clone(),
            record_input: *record,
            monitor: Monitor::new(&self.recordings, &self.state.net, phase, *dt),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        progress.start(&rec.name, *steps, "steps");
        let result = simulate::run_stoppable(
            &mut self.state.net,
            &setup,
            &mut rng,
            |d| progress.advance(d),
            &self.stop,
        );
        progress.finish();
        let stats = result.map_err(|pop| {
            RunError::new(
                Code::E410,
                format!(
                    "the membrane potential of `{}` became NaN or infinite in `{}`",
                    self.state.net.pops[pop].name, rec.name
                ),
            )
            .at(span)
            .label(format!("while running `{}`", rec.name))
            .help("lower the input scale or the drive's rate, or raise the thresholds")
        })?;
        self.monitor = stats.monitor;
        for (p, &n) in self.state.net.pops.iter().zip(&stats.spikes) {
            rec.spikes.insert(p.name.clone(), n);
        }
        // A homeostatic sleep may end early: the steps it ran.
        rec.amount = Some(stats.steps);
        rec.sim_seconds = Some(stats.steps as f64 * dt);
        if *record {
            let seconds = (stats.steps as f64 * dt).max(f64::MIN_POSITIVE);
            let rates = stats
                .input_counts
                .iter()
                .map(|&c| (c as f64 / seconds) as f32)
                .collect();
            self.state.recorded.insert(phase.clone(), rates);
        }
        self.state.last_spikes = Some((stats.spikes, stats.steps, *dt));
        self.state.activity = Some(stats.activity);
        self.state.silenced.clear();
        for (by, applies) in &prunes {
            prune::apply(&mut self.state.net, *by, applies);
        }
        if !rules.is_empty() {
            self.check_weights(&rec.name, span)?;
        }
        rec.weights = before
            .into_iter()
            .zip(&self.state.net.projs)
            .map(|((projection, before), p)| {
                let (before, after) =
                    Histogram::pair(before.iter().map(|&w| w as f64), p.existing());
                WeightChange {
                    projection,
                    before,
                    after,
                }
            })
            .collect();
        if stats.stopped {
            return Err(interrupted(span, Some((stats.steps, *steps, "steps"))));
        }
        Ok(())
    }

    /// The phase's drive, its patterns and recordings read from the run.
    fn drive(
        &self,
        d: &Bound<crate::plan::bind::Drive>,
        dt: f64,
        span: &SpanIr,
    ) -> Result<Drive, RunError> {
        let net = &self.state.net;
        let n_in = net.input().map_or(0, |i| net.pops[i].size);
        let sources = drive::Sources {
            inputs: n_in,
            pattern: &|p: &Pattern| self.pattern(p, span),
            recorded: &|phase: &str| self.state.recorded.get(phase).map(Vec::as_slice),
        };
        drive::build(&d.kernel, dt, &sources).map_err(|e| e.at(span))
    }

    /// `window w x h` over image-shaped input.
    fn window(
        &self,
        w: u64,
        h: u64,
        span: &SpanIr,
    ) -> Result<(usize, usize, usize, usize), RunError> {
        let (rows, cols) = self.data.shape.ok_or_else(|| {
            RunError::new(
                Code::E407,
                "a `window` needs image-shaped input (IDX or synthetic images)",
            )
            .at(span)
        })?;
        let (w, h) = (w as usize, h as usize);
        if w > cols || h > rows {
            return Err(RunError::new(
                Code::E407,
                format!("the window {w} x {h} does not fit the {cols} x {rows} input images"),
            )
            .at(span));
        }
        Ok((w, h, cols, rows))
    }

    /// An input pattern in [0, 1] per input neuron.
    fn pattern(&self, p: &Pattern, span: &SpanIr) -> Result<Vec<f32>, RunError> {
        let f = self.data.features;
        if f == 0 {
            return Err(RunError::new(
                Code::E408,
                "an input pattern has no data to average: no dataset was loaded",
            )
            .at(span));
        }
        let mean = |x: &[f32]| {
            let n = (x.len() / f.max(1)).max(1);
            let mut m = vec![0.0f64; f];
            for row in x.chunks_exact(f) {
                m.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
            }
            m.into_iter()
                .map(|v| (v / n as f64) as f32)
                .collect::<Vec<f32>>()
        };
        match p {
            Pattern::MeanImage(m) => Ok(mean(&self.data.train(&m.tasks.0).0)),
            Pattern::SampleMean(s) => {
                use rand::Rng;
                let (x, y) = self.data.train(&s.tasks.0);
                let count = s.count as usize;
                let mut rng = ChaCha8Rng::seed_from_u64(crate::plan::streams::derive(
                    self.seed,
                    &format!("sample_mean:{}", self.after),
                ));
                let mut picked = Vec::with_capacity(count * f);
                for _ in 0..count.min(y.len()) {
                    let i = rng.random_range(0..y.len());
                    picked.extend_from_slice(&x[i * f..(i + 1) * f]);
                }
                Ok(mean(&picked))
            }
        }
    }

    /// A copy of every projection's existing synapses, in the network's order (as f32,
    /// the weights' own precision: a copy the size of the weights).
    fn existing_weights(&self) -> Vec<(String, Vec<f32>)> {
        self.state
            .net
            .projs
            .iter()
            .map(|p| (p.name.clone(), p.existing().map(|w| w as f32).collect()))
            .collect()
    }
}
