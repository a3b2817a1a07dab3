//! Choosing how to serve: for every layout the fleet allows (or the one the user fixed),
//! the batch is the largest whose KV cache fits (or the user's), lowered until the latency
//! targets hold; the layout with the most output tokens/s per serving accelerator wins
//! (whole replicas only: accelerators left over idle). When
//! nothing fits or meets a target, the error says by how much, or the best achievable.

use serde::Serialize;

use super::layout::{Layout, Limits};
use super::step::{Hardware, Knobs, Replica, Request, Shape, Timing};
use crate::model::assumptions::{BatchChoice, LatencyTargets};
use crate::model::error::ModelError;
use crate::model::units::si;

/// What sets the chosen serving throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Matrix compute sets the decode step.
    Compute,
    /// Memory traffic sets the step and the batch was fixed below what memory holds.
    MemoryBandwidth,
    /// Memory traffic sets the step and memory holds no larger batch.
    MemoryCapacity,
    /// The batch was lowered to meet a latency target.
    LatencyTarget,
}

impl Bound {
    pub fn label(self) -> &'static str {
        match self {
            Bound::Compute => "compute",
            Bound::MemoryBandwidth => "memory bandwidth",
            Bound::MemoryCapacity => "memory capacity",
            Bound::LatencyTarget => "latency target",
        }
    }
}

/// The chosen layout and batch, and their timing at the central assumptions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub replica: Replica,
    pub batch: f64,
    pub bound: Bound,
    pub timing: Timing,
}

/// Everything the choice depends on.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    /// "llama-3.1-405b in fp8", for messages.
    pub what: &'a str,
    pub hw: Hardware,
    pub shape: Shape,
    pub request: Request,
    pub knobs: Knobs,
    pub limits: Limits,
    pub batch: BatchChoice,
    pub layout: Option<Layout>,
    pub targets: LatencyTargets,
}

/// Why a candidate was not chosen: short of memory (bytes), or too slow (the best
/// time per output token and time to first token it reaches, seconds).
enum Miss {
    Memory {
        layout: Layout,
        short: f64,
        batch: f64,
    },
    Latency {
        layout: Layout,
        tpot: f64,
        ttft: f64,
    },
}

impl Search<'_> {
    fn meets(&self, t: &Timing) -> bool {
        let ok = |target: Option<f64>, value: f64| target.is_none_or(|ms| value * 1e3 <= ms);
        ok(self.targets.tpot_ms, t.tpot) && ok(self.targets.ttft_ms, t.ttft)
    }

    /// The best plan on one layout, or why there is none.
    fn on(&self, layout: Layout) -> Result<Plan, Miss> {
        let replica = Replica {
            hw: self.hw,
            shape: self.shape,
            layout,
        };
        let (r, k) = (self.request, &self.knobs);
        let memory_max = replica.max_batch(r, k);
        let wanted = match self.batch {
            BatchChoice::Auto => memory_max.max(1.0),
            BatchChoice::Fixed(n) => n as f64,
        };
        if wanted > memory_max {
            return Err(Miss::Memory {
                layout,
                short: replica.shortfall(wanted, r, k),
                batch: wanted,
            });
        }
        let timing = replica.timing(wanted, r, k);
        if self.meets(&timing) {
            let bound = match (timing.compute_bound, self.batch) {
                (true, _) => Bound::Compute,
                (false, BatchChoice::Auto) => Bound::MemoryCapacity,
                (false, BatchChoice::Fixed(_)) => Bound::MemoryBandwidth,
            };
            return Ok(Plan {
                replica,
                batch: wanted,
                bound,
                timing,
            });
        }
        // A fixed batch is not lowered; an automatic one can go down to one sequence.
        let smallest = match self.batch {
            BatchChoice::Fixed(_) => timing,
            BatchChoice::Auto => replica.timing(1.0, r, k),
        };
        if matches!(self.batch, BatchChoice::Fixed(_)) || !self.meets(&smallest) {
            return Err(Miss::Latency {
                layout,
                tpot: smallest.tpot,
                ttft: smallest.ttft,
            });
        }
        // Time per token grows with the batch: the largest batch meeting the targets.
        let (mut good, mut bad) = (1.0_f64, wanted);
        while bad - good > 1.0 {
            let mid = ((good + bad) / 2.0).floor();
            if self.meets(&replica.timing(mid, r, k)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        Ok(Plan {
            replica,
            batch: good,
            bound: Bound::LatencyTarget,
            timing: replica.timing(good, r, k),
        })
    }

    /// The plan with the most output tokens/s per accelerator, or why none exists.
    pub fn best(&self) -> Result<Plan, ModelError> {
        let layouts = match self.layout {
            Some(layout) => {
                self.limits.check(layout)?;
                vec![layout]
            }
            None => self.limits.candidates(),
        };
        let mut best: Option<Plan> = None;
        let mut misses = Vec::new();
        let fleet = self.limits.accelerators;
        for layout in layouts {
            match self.on(layout) {
                Ok(plan) if best.is_none_or(|b| better(&plan, &b, fleet)) => best = Some(plan),
                Ok(_) => {}
                Err(miss) => misses.push(miss),
            }
        }
        best.ok_or_else(|| self.explain(&misses))
    }

    fn explain(&self, misses: &[Miss]) -> ModelError {
        let fastest = misses
            .iter()
            .filter_map(|m| match m {
                Miss::Latency { layout, tpot, ttft } => Some((*layout, *tpot, *ttft)),
                Miss::Memory { .. } => None,
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.2.total_cmp(&b.2)));
        if let Some((layout, tpot, ttft)) = fastest {
            return ModelError::LatencyTarget(format!(
                "no batch of {} meets {}: the best achievable is {:.1} ms per output token \
                 and {:.0} ms to the first token ({layout}, batch {})",
                self.what,
                targets_text(&self.targets),
                tpot * 1e3,
                ttft * 1e3,
                match self.batch {
                    BatchChoice::Fixed(n) => n,
                    BatchChoice::Auto => 1,
                }
            ));
        }
        let closest = misses
            .iter()
            .filter_map(|m| match m {
                Miss::Memory {
                    layout,
                    short,
                    batch,
                } => Some((*layout, *short, *batch)),
                Miss::Latency { .. } => None,
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((layout, short, batch)) = closest else {
            return ModelError::DoesNotFit(format!(
                "{}: no layout is possible on the accelerators serving",
                self.what
            ));
        };
        let replica = Replica {
            hw: self.hw,
            shape: self.shape,
            layout,
        };
        let k = &self.knobs;
        ModelError::DoesNotFit(format!(
            "{} does not fit: it needs {}B of weights and {}B per sequence of {} tokens; \
             {batch} sequence(s) on {layout} ({} accelerators, {}B usable) are {}B short{}",
            self.what,
            si(replica.weight_bytes()),
            si(replica.kv_bytes_per_sequence(self.request)),
            self.request.input + self.request.output,
            layout.accelerators(),
            si(replica.usable_memory(k)),
            si(short),
            match self.batch {
                BatchChoice::Fixed(_) if replica.max_batch(self.request, k) >= 1.0 =>
                    format!(" (it holds at most {})", replica.max_batch(self.request, k)),
                _ => String::new(),
            }
        ))
    }
}

/// More output tokens/s per serving accelerator wins: the replicas the fleet holds
/// (whole ones; the rest idle) times each replica's rate, over the fleet. A tie goes to
/// the smaller replica.
fn better(a: &Plan, b: &Plan, fleet: f64) -> bool {
    let per = |p: &Plan| {
        let n = f64::from(p.replica.layout.accelerators());
        (fleet / n).floor() * p.timing.output_tokens_per_s / fleet
    };
    let (pa, pb) = (per(a), per(b));
    pa > pb * (1.0 + 1e-9)
        || ((pa - pb).abs() <= pb * 1e-9
            && a.replica.layout.accelerators() < b.replica.layout.accelerators())
}

fn targets_text(t: &LatencyTargets) -> String {
    let mut parts = Vec::new();
    if let Some(ms) = t.tpot_ms {
        parts.push(format!("{ms} ms per output token"));
    }
    if let Some(ms) = t.ttft_ms {
        parts.push(format!("{ms} ms to the first token"));
    }
    parts.join(" and ")
}
