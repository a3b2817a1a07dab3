//! The physics of one serving replica: memory held, and the time of one decode step and of
//! one request's prefill, for a layout and a batch. Each accelerator, per decode step,
//! reads its weight shard once per pipeline microbatch, reads its share of the KV cache,
//! computes 2 × active parameters FLOP per token, and (with TP) joins two all-reduces per
//! layer. Weight reads and matrix compute overlap (the larger binds); attention's KV reads
//! and the all-reduces do not. Prefill is compute-bound. With continuous batching, each
//! step also prefills the requests that replace finished ones, so
//! time per output token = step + prefill per request × batch ÷ output tokens.

use super::layout::Layout;
use crate::model::reference::Architecture;

/// The accelerator as serving sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hardware {
    /// Dense peak FLOP/s in the serving format.
    pub peak_flops: f64,
    /// Memory bandwidth, bytes/s, and capacity, bytes.
    pub bandwidth: f64,
    pub memory: f64,
    pub domain: u32,
    /// Scale-up bandwidth in one direction, bytes/s.
    pub link: Option<f64>,
}

/// The model as serving sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub arch: Architecture,
    /// Bytes per stored weight and per KV-cache element.
    pub weight_bytes: f64,
    pub kv_bytes: f64,
}

/// A request: input (prefill) and output (decode) tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    pub input: f64,
    pub output: f64,
}

/// The serving assumptions at one corner of their ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knobs {
    /// Share of peak compute and bandwidth reached.
    pub efficiency: f64,
    pub allreduce_latency_s: f64,
    pub pipeline_efficiency: f64,
    pub expert_parallel_efficiency: f64,
    /// Share of memory usable for weights and KV cache.
    pub memory_usable: f64,
}

/// Times and rates of one replica at one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Time per output token (decode step plus the prefill it carries), seconds.
    pub tpot: f64,
    pub ttft: f64,
    pub requests_per_s: f64,
    pub output_tokens_per_s: f64,
    pub input_tokens_per_s: f64,
    /// True when matrix compute, not memory traffic, sets the decode step.
    pub compute_bound: bool,
}

/// One replica: a model on `layout` accelerators of one kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replica {
    pub hw: Hardware,
    pub shape: Shape,
    pub layout: Layout,
}

impl Replica {
    fn n(&self) -> f64 {
        f64::from(self.layout.accelerators())
    }

    /// Weight bytes the replica stores: each EP group its own shared weights, the routed
    /// experts once.
    pub fn weight_bytes(&self) -> f64 {
        let w = self.shape.arch.weights;
        self.shape.weight_bytes * (f64::from(self.layout.ep) * w.shared + w.routed)
    }

    /// KV bytes per token of context: TP ranks beyond the KV heads hold copies.
    fn kv_bytes_per_token(&self) -> f64 {
        let copies = (f64::from(self.layout.tp) / f64::from(self.shape.arch.kv_split)).max(1.0);
        self.shape.arch.kv_bytes_per_token_16bit / 2.0 * self.shape.kv_bytes * copies
    }

    /// KV bytes one sequence holds at its longest (input + output tokens).
    pub fn kv_bytes_per_sequence(&self, r: Request) -> f64 {
        (r.input + r.output) * self.kv_bytes_per_token()
    }

    /// Usable memory of the whole replica.
    pub fn usable_memory(&self, k: &Knobs) -> f64 {
        self.n() * self.hw.memory * k.memory_usable
    }

    /// Bytes the replica lacks to hold the weights and `batch` sequences (≤ 0: it fits).
    pub fn shortfall(&self, batch: f64, r: Request, k: &Knobs) -> f64 {
        self.weight_bytes() + batch * self.kv_bytes_per_sequence(r) - self.usable_memory(k)
    }

    /// The largest batch whose KV cache fits beside the weights (0 when none does).
    pub fn max_batch(&self, r: Request, k: &Knobs) -> f64 {
        let room = self.usable_memory(k) - self.weight_bytes();
        (room / self.kv_bytes_per_sequence(r)).floor().max(0.0)
    }

    /// Seconds of one all-reduce of `tokens` activations across the TP group.
    fn allreduce(&self, tokens: f64, k: &Knobs) -> f64 {
        let tp = f64::from(self.layout.tp);
        match (self.layout.tp, self.hw.link) {
            (1, _) | (_, None) => 0.0,
            (_, Some(link)) => {
                let bytes = tokens * self.shape.arch.hidden * 2.0;
                k.allreduce_latency_s + 2.0 * (tp - 1.0) / tp * bytes / link
            }
        }
    }

    /// Pipeline and cross-domain expert-parallel efficiency of this layout.
    fn parallel_efficiency(&self, k: &Knobs) -> f64 {
        let pp = if self.layout.pp > 1 {
            k.pipeline_efficiency
        } else {
            1.0
        };
        let ep = if self.layout.ep > 1 && self.layout.all_to_all_span() > self.hw.domain {
            k.expert_parallel_efficiency
        } else {
            1.0
        };
        pp * ep
    }

    /// Seconds of one decode step of the whole batch, and whether compute binds it.
    fn decode_step(&self, batch: f64, r: Request, k: &Knobs) -> (f64, bool) {
        let l = self.layout;
        let (tp, pp, ep) = (f64::from(l.tp), f64::from(l.pp), f64::from(l.ep));
        let w = self.shape.arch.weights;
        let bandwidth = self.hw.bandwidth * k.efficiency;
        let shared = w.shared * self.shape.weight_bytes / tp;
        let routed =
            w.routed * self.shape.weight_bytes * w.routed_share_touched(batch / pp) / (tp * ep);
        let weights = (shared + routed) / bandwidth;
        let context = r.input + r.output / 2.0;
        let kv = batch * context * self.kv_bytes_per_token() / self.n() / bandwidth;
        let compute = batch * 2.0 * w.active / (self.n() * self.hw.peak_flops * k.efficiency);
        let layers = f64::from(self.shape.arch.layers);
        let comm = 2.0 * layers * self.allreduce(batch / (pp * ep), k);
        let step = (weights.max(compute) + kv + comm) / self.parallel_efficiency(k);
        (step, compute >= weights + kv)
    }

    /// Replica-seconds one request's prefill takes (throughput), and its latency.
    fn prefill(&self, r: Request, k: &Knobs) -> (f64, f64) {
        let l = self.layout;
        let (tp, pp, ep) = (f64::from(l.tp), f64::from(l.pp), f64::from(l.ep));
        let flops = r.input * 2.0 * self.shape.arch.weights.active;
        let rate = self.hw.peak_flops * k.efficiency;
        let layers = f64::from(self.shape.arch.layers);
        let comm = 2.0 * layers * self.allreduce(r.input, k);
        let eff = self.parallel_efficiency(k);
        let throughput = (flops / (self.n() * rate) + comm / (pp * ep)) / eff;
        let latency = (flops / (tp * rate) + comm) / eff;
        (throughput, latency)
    }

    /// Times and rates at `batch` sequences.
    pub fn timing(&self, batch: f64, r: Request, k: &Knobs) -> Timing {
        let (step, compute_bound) = self.decode_step(batch, r, k);
        let (prefill, prefill_latency) = self.prefill(r, k);
        let tpot = step + prefill * batch / r.output;
        let requests_per_s = batch / (r.output * tpot);
        Timing {
            tpot,
            ttft: prefill_latency + tpot,
            requests_per_s,
            output_tokens_per_s: requests_per_s * r.output,
            input_tokens_per_s: requests_per_s * r.input,
            compute_bound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reference::Weights;

    pub(crate) fn dense_70b(layout: Layout) -> Replica {
        Replica {
            hw: Hardware {
                peak_flops: 1979e12,
                bandwidth: 3.35e12,
                memory: 80e9,
                domain: 8,
                link: Some(450e9),
            },
            shape: Shape {
                arch: Architecture {
                    weights: Weights {
                        shared: 70e9,
                        routed: 0.0,
                        experts: 1.0,
                        experts_per_token: 1.0,
                        active: 70e9,
                    },
                    layers: 80,
                    kv_bytes_per_token_16bit: 80.0 * 8.0 * 128.0 * 4.0,
                    kv_split: 8,
                    hidden: 8192.0,
                },
                weight_bytes: 1.0,
                kv_bytes: 1.0,
            },
            layout,
        }
    }

    pub(crate) fn knobs() -> Knobs {
        Knobs {
            efficiency: 0.5,
            allreduce_latency_s: 10e-6,
            pipeline_efficiency: 0.9,
            expert_parallel_efficiency: 0.8,
            memory_usable: 0.9,
        }
    }

    const CHAT: Request = Request {
        input: 1000.0,
        output: 1000.0,
    };

    #[test]
    fn a_bigger_batch_raises_throughput_and_time_per_token() {
        let r = dense_70b(Layout {
            tp: 2,
            pp: 1,
            ep: 1,
        });
        let k = knobs();
        let (small, big) = (r.timing(8.0, CHAT, &k), r.timing(200.0, CHAT, &k));
        assert!(big.output_tokens_per_s > small.output_tokens_per_s);
        assert!(big.tpot > small.tpot);
        assert!(big.ttft > big.tpot);
    }

    #[test]
    fn memory_holds_weights_plus_the_batch() {
        let r = dense_70b(Layout {
            tp: 2,
            pp: 1,
            ep: 1,
        });
        let k = knobs();
        let b = r.max_batch(CHAT, &k);
        assert!(b > 100.0);
        assert!(r.shortfall(b, CHAT, &k) <= 0.0);
        assert!(r.shortfall(b + 1.0, CHAT, &k) > 0.0);
        // One H100 cannot hold 140 GB of BF16 weights in its 72 usable GB.
        let mut single = dense_70b(Layout::SINGLE);
        single.shape.weight_bytes = 2.0;
        assert_eq!(single.max_batch(CHAT, &k), 0.0);
        assert!(single.shortfall(1.0, CHAT, &k) > 68e9);
    }
}
