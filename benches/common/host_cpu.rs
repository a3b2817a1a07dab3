//! The host CPU's own multiply-add rates, natively (no shader, no driver), for benches
//! run on a CPU adapter such as lavapipe: what the CPU behind the adapter can do with
//! fused multiply-adds, and with a multiply and an add apart, which is what a shader's
//! `fma` becomes on Mesa's llvmpipe (its NIR options lower `ffma`). Independent 8-lane
//! chains on one thread per available core: 12 (as many as the WGSL FMA probe keeps in
//! registers there) with AVX2, and 24 where AVX-512VL's 32 vector registers hold them.
//! x86-64 only; elsewhere `cases` is empty.

/// Loop iterations of one thread per measurement.
const ITERATIONS: u64 = 10_000_000;

/// One native measurement: its chain count and the loop that runs them on one thread.
#[derive(Debug, Clone, Copy)]
pub struct HostCase {
    pub name: &'static str,
    chains: usize,
    /// Unsafe to call: compiled for CPU features (`cases` checks them first).
    one_thread: unsafe fn(u64) -> f32,
}

/// The cases this CPU can run: fused and apart with 12 chains (AVX2 and FMA), apart with
/// 24 (AVX-512VL). Empty off x86-64 or without AVX2 and FMA.
pub fn cases() -> Vec<HostCase> {
    let mut cases = Vec::new();
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        cases.push(HostCase {
            name: "host cpu fused fma, 12 chains",
            chains: 12,
            one_thread: x86::avx2::<12, true>,
        });
        cases.push(HostCase {
            name: "host cpu mul then add, 12 chains",
            chains: 12,
            one_thread: x86::avx2::<12, false>,
        });
        if std::arch::is_x86_feature_detected!("avx512vl") {
            cases.push(HostCase {
                name: "host cpu mul then add, 24 chains",
                chains: 24,
                one_thread: x86::avx512vl::<24>,
            });
        }
    }
    cases
}

impl HostCase {
    /// FLOPs of one measurement on `threads` threads (a multiply-add counts two).
    pub fn flops(&self, threads: usize) -> f64 {
        threads as f64 * ITERATIONS as f64 * self.chains as f64 * 8.0 * 2.0
    }

    /// Runs one measurement on `threads` threads.
    pub fn run(&self, threads: usize) {
        let one_thread = self.one_thread;
        std::thread::scope(|scope| {
            for _ in 0..threads {
                // SAFETY: `cases` offers a case only where the CPU has the features its
                // loop is compiled for (AVX2 and FMA; AVX-512VL for 24 chains).
                scope.spawn(move || unsafe { one_thread(ITERATIONS) });
            }
        });
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    pub fn avx2<const N: usize, const FUSED: bool>(iterations: u64) -> f32 {
        chains::<N, FUSED>(iterations)
    }

    /// The same loop where 32 vector registers can hold the chains.
    #[target_feature(enable = "avx2,fma,avx512f,avx512vl")]
    pub fn avx512vl<const N: usize>(iterations: u64) -> f32 {
        chains::<N, false>(iterations)
    }

    /// `N` chains of x = x * m + c, fused or not; the sum is kept from the optimiser.
    #[inline(always)]
    fn chains<const N: usize, const FUSED: bool>(iterations: u64) -> f32 {
        // SAFETY (all intrinsics below): the callers are compiled with AVX2 and FMA, and
        // only called where the CPU has them.
        unsafe {
            let m = _mm256_set1_ps(std::hint::black_box(0.999));
            let c = _mm256_set1_ps(std::hint::black_box(0.001));
            let mut x: [__m256; N] = std::array::from_fn(|i| _mm256_set1_ps(i as f32 * 0.01));
            for _ in 0..iterations {
                for chain in x.iter_mut() {
                    *chain = if FUSED {
                        _mm256_fmadd_ps(*chain, m, c)
                    } else {
                        _mm256_add_ps(_mm256_mul_ps(*chain, m), c)
                    };
                }
            }
            let total = x
                .iter()
                .fold(_mm256_setzero_ps(), |s, v| _mm256_add_ps(s, *v));
            let mut lanes = [0f32; 8];
            _mm256_storeu_ps(lanes.as_mut_ptr(), total);
            std::hint::black_box(lanes.iter().sum())
        }
    }
}
