//! `downscale`: multiplicative synaptic downscaling (synaptic homeostasis), every step.

/// w ← factor·w for every weight of a pre-major copy (absent synapses stay 0).
pub fn downscale(wt: &mut [f32], factor: f32) {
    wt.iter_mut().for_each(|w| *w *= factor);
}
