//! What the spikes of a step do to plasticity: they bump the rules' traces, and the rules
//! that act on spikes (`src_stdp`, `stdp`, `hebbian`) change the weights they reach.

use super::Sim;
use crate::engine::deliver::apply_stdp;
use crate::engine::network::Network;
use crate::engine::neurons::State;
use crate::engine::rules::{SleepRule, Storage, hebbian, src_stdp};

impl Sim {
    pub(super) fn bump_traces(&mut self, pop: usize) {
        let spikes = &self.states[pop].spikes;
        for ((r, _), t) in self.rules.iter().zip(self.traces.iter_mut()) {
            let Some(t) = t else {
                continue;
            };
            let nearest = matches!(r, SleepRule::Stdp(s) if s.nearest);
            if matches!(r, SleepRule::Hebbian { .. }) {
                for &k in spikes {
                    t.x[pop][k as usize] += 1.0;
                }
                continue;
            }
            for &k in spikes {
                let k = k as usize;
                if nearest {
                    t.x[pop][k] = 1.0;
                    t.y[pop][k] = 1.0;
                } else {
                    t.x[pop][k] += 1.0;
                    t.y[pop][k] += 1.0;
                }
            }
        }
    }

    /// Rules triggered by the spikes of `pop` (its state `st`, taken out of `states`).
    pub(super) fn spike_rules(&mut self, net: &Network, pop: usize, st: &State) {
        for (ri, (rule, applies)) in self.rules.iter().enumerate() {
            for &pi in &net.incoming[pop] {
                if !applies[pi] {
                    continue;
                }
                let p = &net.projs[pi];
                let pre = if p.from == pop {
                    st
                } else {
                    &self.states[p.from]
                };
                match rule {
                    SleepRule::SrcStdp { inc, dec, gate } if !st.spikes.is_empty() => src_stdp(
                        &mut self.wt[pi],
                        p.post,
                        &st.spikes,
                        &pre.spiked,
                        *inc,
                        *dec,
                        *gate,
                        &self.limits[pi],
                    ),
                    SleepRule::Stdp(s) => {
                        let t = self.traces[ri].as_ref().expect("stdp rules have traces");
                        apply_stdp(
                            s,
                            &mut self.wt[pi],
                            p.post,
                            &pre.spikes,
                            st,
                            t,
                            p.from,
                            pop,
                            &self.limits[pi],
                        );
                    }
                    SleepRule::Hebbian { lr, .. } if !st.spikes.is_empty() => {
                        let t = self.traces[ri].as_ref().expect("hebbian rules have traces");
                        let (owner, tie) = match p.tie {
                            Some(tie) => (tie.source, Some(tie)),
                            None => (pi, None),
                        };
                        let storage = Storage {
                            stride: net.projs[owner].post,
                            tie,
                        };
                        hebbian(
                            &mut self.wt[owner],
                            storage,
                            &st.spikes,
                            &t.x[p.from],
                            *lr,
                            &self.limits[owner],
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}
