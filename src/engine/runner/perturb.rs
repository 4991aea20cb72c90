//! Perturb ops: shocks applied once to the live network; `interfere` trains briefly the
//! way the last wake phase trained.

use super::{Interference, Progress, Runner, WakeCall};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::perturb;
use crate::outcome::OpRecord;
use crate::plan::bind::shocks::Interfere;
use crate::plan::bind::{Amount, Shock};
use crate::plan::ir::{Op, SpanIr, WakeLength};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

impl Runner {
    pub(super) fn perturb(
        &mut self,
        op: &Op,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let Op::Perturb {
            phase,
            call,
            shocks,
            stream,
            span,
        } = op
        else {
            unreachable!("called for perturb ops")
        };
        rec.kind = "perturb".into();
        rec.name = format!("{phase}#{call}");
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed_of(stream));
        for shock in shocks {
            if let Shock::Interfere(i) = &shock.kernel {
                self.interfere(i, rand::Rng::random(&mut rng), rec, progress, span)?;
                continue;
            }
            let silenced = perturb::apply(&mut self.state.net, &shock.kernel, &shock.on, &mut rng);
            self.state.silenced.extend(silenced);
        }
        Ok(())
    }

    /// `interfere(task, length, shuffle_labels)`: trains on `task` the way the last wake
    /// phase trained, with the labels rotated when `shuffle_labels`.
    fn interfere(
        &mut self,
        shock: &Interfere,
        seed: u64,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
        span: &SpanIr,
    ) -> Result<(), RunError> {
        let Some(last) = self.state.last_wake.clone() else {
            return Err(RunError::new(
                Code::E412,
                "`interfere` trains the way the last wake phase did, and no wake phase has run yet",
            )
            .at(span)
            .help("the plan refuses this (E318); in a REPL session, run a wake phase first"));
        };
        let length = match shock.length {
            Amount::Samples(s) => WakeLength::Samples(s),
            Amount::Epochs(e) => WakeLength::Epochs(e.max(1)),
        };
        let name = format!("{}:interfere", rec.name);
        let spiking = last.dynamics.values().any(|m| m.kernel.is_spiking());
        let call = WakeCall {
            name: &name,
            data: &shock.task.0,
            length,
            dynamics: &last.dynamics,
            rules: &last.rules,
            settings: &last.settings.typed,
            seed,
            span,
            interference: Some(Interference {
                shuffle_labels: shock.shuffle_labels,
            }),
        };
        // The shock's record keeps the perturb phase's name and kind.
        let (kind, own) = (rec.kind.clone(), rec.name.clone());
        let result = self.wake(&call, spiking, rec, progress);
        rec.kind = kind;
        rec.name = own;
        result
    }
}
