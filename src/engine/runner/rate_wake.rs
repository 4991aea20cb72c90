//! Rate wake phases: the network as rate units, trained by backprop on the phase's data.

use super::{Interference, Progress, Runner, WakeCall, interrupted, non_finite};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::backprop::{Backprop, Loss, Trainer};
use crate::engine::rate::{Activation, Inference};
use crate::outcome::OpRecord;
use crate::plan::bind::Rule;
use crate::plan::ir::WakeLength;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

impl Runner {
    pub(super) fn rate_wake(
        &mut self,
        call: &WakeCall,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let WakeCall {
            name,
            data,
            length,
            dynamics,
            rules,
            seed,
            span,
            ..
        } = *call;
        if !self.state.silenced.is_empty() {
            return Err(RunError::new(
                Code::E412,
                "a `silence` shock cannot keep rate units quiet in a wake phase",
            )
            .at(span)
            .help("the plan refuses this (E317); a REPL session can reach it"));
        }
        let net = &self.state.net;
        if !net.is_feedforward() {
            return Err(RunError::new(
                Code::E412,
                "a rate wake phase cannot train a network with recurrent projections",
            )
            .at(span)
            .help("the plan refuses this (E317); a REPL session can reach it"));
        }
        let mut act = vec![Activation::Linear; net.pops.len()];
        for (pop, b) in dynamics {
            if let Some(i) = net.pop(pop)
                && let Some(a) = Activation::of(&b.kernel)
            {
                act[i] = a;
            }
        }
        let (x, mut y) = self.data.train(data);
        if let Some(Interference {
            shuffle_labels: true,
        }) = call.interference
        {
            rotate_labels(&mut y, net.pops[net.output()].size as u32);
        }
        let n = y.len();
        let mut trained = false;
        for r in rules {
            // The plan gives rate wake phases rules of rate dynamics only (E307).
            let Rule::Backprop(params) = &r.kernel else {
                continue;
            };
            let rule = Backprop::new(params, &r.on, &self.state.net);
            let total = match length {
                WakeLength::Epochs(e) => e as usize * n,
                WakeLength::Samples(s) => s as usize,
            };
            rec.amount = Some(total as u64);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let features = self.data.features;
            let mut trainer = Trainer::new(&self.state.net, rule.batch.min(n.max(1)), features);
            trainer.shuffle = call.settings.shuffle;
            progress.start(name, total as u64, "samples");
            let mut done = 0usize;
            while done < total && n > 0 && !self.stopped() {
                let limit = (total - done).min(n);
                let base = done;
                let mut reached = 0;
                let net = &mut self.state.net;
                let loss = trainer
                    .epoch_stoppable(
                        net,
                        &act,
                        &rule,
                        &x,
                        &y,
                        features,
                        limit,
                        &mut rng,
                        |k| {
                            reached = k;
                            progress.advance((base + k) as u64)
                        },
                        &self.stop,
                    )
                    .map_err(|pop| non_finite(&net.pops[pop].name, name, span))?;
                rec.loss.push(loss);
                done += reached.min(limit);
                if reached < limit {
                    break;
                }
            }
            progress.finish();
            if done < total && self.stopped() {
                rec.amount = Some(done as u64);
                self.check_weights(name, span)?;
                return Err(interrupted(
                    span,
                    Some((done as u64, total as u64, "samples")),
                ));
            }
            if rule.loss == Loss::CrossEntropy {
                // The answer is the argmax of the softmax's input.
                act[self.state.net.output()] = Activation::Linear;
            }
            self.state.inf = Inference {
                act: act.clone(),
                test_scale: rule.test_scale(self.state.net.pops.len()),
            };
            trained = true;
        }
        if !trained {
            self.state.inf.act = act;
        }
        self.check_weights(name, span)?;
        if call.interference.is_some() {
            return Ok(());
        }
        // Tasks trained join `seen`; their accuracy now is what BWT compares against.
        self.note_seen(data);
        if trained {
            for k in data {
                if self.data.task(k).is_some() {
                    let acc = self.task_accuracy(k);
                    self.state.learnt.insert(k.clone(), acc);
                    let b = self.state.best.entry(k.clone()).or_insert(acc);
                    *b = b.max(acc);
                }
            }
        }
        Ok(())
    }
}

/// Trains each class as the next class present (the last as the first): every label is
/// wrong, and the task conflicts with what was learnt. One class becomes the next output.
fn rotate_labels(y: &mut [u32], outputs: u32) {
    let mut classes: Vec<u32> = y.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let next = |c: u32| -> u32 {
        match classes.len() {
            0 => c,
            1 => (c + 1) % outputs.max(1),
            n => {
                let i = classes.binary_search(&c).unwrap_or(0);
                classes[(i + 1) % n]
            }
        }
    };
    for v in y.iter_mut() {
        *v = next(*v);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rotated_labels_are_all_wrong_and_stay_in_the_task() {
        let mut y = vec![2, 3, 3, 2, 5];
        super::rotate_labels(&mut y, 10);
        assert_eq!(y, vec![3, 5, 5, 3, 2]);
        let mut one = vec![9, 9];
        super::rotate_labels(&mut one, 10);
        assert_eq!(one, vec![0, 0]);
    }
}
