//! A small spiking network on 6 × 6 bars, for CLI tests that need real runs in well under a
//! second: 36 Poisson inputs → 8 LIF neurons with STDP and lateral inhibition, and a wake
//! phase `look(t)`. Test files append their sleep phases and protocols:
//! `concat!(bars_network!(), r#"…"#)`.

/// The shared part of the test protocols, as a string literal.
#[macro_export]
macro_rules! bars_network {
    () => {
        r#"
dataset images = bars(side = 6, samples = 10)
tasks stream = chunks(images, 2)

network snn {
  input px 36
  layer exc 8 : lif { tau 20 ms; threshold -55 mV; r 5 }
  connect px -> exc as afferent { init uniform(0, 0.3); sign excitatory; bounds [0, 1] }
  connect exc -> exc as lateral { connectivity all_but_self; init -0.2; sign inhibitory; bounds [-1, 0] }
}

rule ltp = stdp { a_plus 1; a_minus 1.05; tau_plus 10 ms; tau_minus 10 ms; lr 0.01 }

phase look(t: task) = wake {
  data t
  length 30 samples
  dt 1 ms; present 40 ms; rest 10 ms
  encode poisson(max_rate = 80 Hz)
  plasticity ltp
}
"#
    };
}
