//! Wider vectors where the CPU has them, with the same results.
//!
//! The release build targets baseline x86-64 (SSE2: 4 floats per instruction) so that the
//! binary runs anywhere. The neuron and synapse loops are written to vectorise, in
//! `#[inline(always)]` bodies; each hot one also has a twin marked
//! `#[target_feature(enable = "avx2")]` that inlines the same body (8 floats per
//! instruction), called when [`avx2`] says the CPU has it. Only AVX2 is enabled, not FMA:
//! every operation is the same IEEE operation at either width, so results are bit for bit
//! the same on every machine.

//!
//! `SOMNIA_SIMD=baseline` in the environment keeps the SSE2 code (the tests compare the
//! two).

use std::sync::OnceLock;

/// Whether to run the AVX2 code: the CPU has it and `SOMNIA_SIMD` is not `baseline`
/// (decided once, then a load).
#[inline(always)]
pub fn avx2() -> bool {
    static WIDE: OnceLock<bool> = OnceLock::new();
    *WIDE.get_or_init(|| {
        let allowed = std::env::var("SOMNIA_SIMD").map_or(true, |v| v != "baseline");
        #[cfg(target_arch = "x86_64")]
        {
            allowed && std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = allowed;
            false
        }
    })
}
