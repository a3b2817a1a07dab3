//! How one model replica is laid out over accelerators: tensor-parallel (TP, a power of
//! two within the scale-up domain) × pipeline-parallel (PP, stages of consecutive layers,
//! across domains when needed) × expert-parallel (EP, mixture-of-experts only: EP groups
//! each run attention on their own sequences and together hold the routed experts once).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::error::{InputError, LayoutError};
use crate::text::printable;

/// A replica layout; it spans `tp × pp × ep` accelerators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    pub tp: u32,
    pub pp: u32,
    pub ep: u32,
}

impl Layout {
    pub const SINGLE: Layout = Layout {
        tp: 1,
        pp: 1,
        ep: 1,
    };

    pub fn accelerators(&self) -> u32 {
        self.tp * self.pp * self.ep
    }

    /// Accelerators one expert-parallel all-to-all spans (a pipeline stage of every group).
    pub fn all_to_all_span(&self) -> u32 {
        self.tp * self.ep
    }

    /// Tensor parallel only (no pipeline, no expert parallelism).
    pub fn is_tp_only(&self) -> bool {
        self.pp == 1 && self.ep == 1
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TP{}", self.tp)?;
        if self.pp > 1 {
            write!(f, "xPP{}", self.pp)?;
        }
        if self.ep > 1 {
            write!(f, "xEP{}", self.ep)?;
        }
        Ok(())
    }
}

impl Serialize for Layout {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for Layout {
    type Err = InputError;

    /// Parses `TP8`, `TP8xPP2`, `TP4xEP8`, `PP4` (case-insensitive, `x` or `×`); a part
    /// left out is 1.
    fn from_str(text: &str) -> Result<Self, InputError> {
        let given = || printable(text);
        let bad = || InputError::NotALayout { given: given() };
        let mut layout = Layout::SINGLE;
        let lower = text.trim().to_ascii_lowercase().replace('×', "x");
        if lower.is_empty() {
            return Err(bad());
        }
        for part in lower.split('x') {
            let (slot, digits) = if let Some(d) = part.strip_prefix("tp") {
                (&mut layout.tp, d)
            } else if let Some(d) = part.strip_prefix("pp") {
                (&mut layout.pp, d)
            } else if let Some(d) = part.strip_prefix("ep") {
                (&mut layout.ep, d)
            } else {
                return Err(bad());
            };
            let n: u32 = digits.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(InputError::LayoutDegreeZero { given: given() });
            }
            *slot = n;
        }
        let accelerators = layout.tp.checked_mul(layout.pp);
        if accelerators
            .and_then(|n| n.checked_mul(layout.ep))
            .is_none()
        {
            return Err(InputError::LayoutTooLarge { given: given() });
        }
        Ok(layout)
    }
}

/// What limits the layouts a model may take on an accelerator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Accelerators sharing the scale-up fabric.
    pub domain: u32,
    /// Whether the fabric's bandwidth is known (tensor parallelism needs it).
    pub has_fabric: bool,
    /// Layers to split into pipeline stages.
    pub layers: u32,
    /// Routed experts (1 for a dense model).
    pub experts: u32,
    /// Accelerators available to one replica.
    pub accelerators: f64,
}

impl Limits {
    /// Why `layout` cannot be used, if it cannot.
    pub fn check(&self, layout: Layout) -> Result<(), LayoutError> {
        if !layout.tp.is_power_of_two() || !layout.ep.is_power_of_two() {
            return Err(LayoutError::NotPowersOfTwo(layout));
        }
        if layout.tp > 1 && !self.has_fabric {
            return Err(LayoutError::NoFabric(layout));
        }
        if layout.tp > self.domain {
            return Err(LayoutError::BeyondDomain {
                layout,
                domain: self.domain,
            });
        }
        if layout.pp > self.layers {
            return Err(LayoutError::MoreStagesThanLayers {
                layout,
                layers: self.layers,
            });
        }
        if layout.ep > 1 && self.experts <= 1 {
            return Err(LayoutError::NoExperts(layout));
        }
        if layout.ep > self.experts {
            return Err(LayoutError::MoreExpertParallelThanExperts {
                layout,
                experts: self.experts,
            });
        }
        if f64::from(layout.accelerators()) > self.accelerators {
            return Err(LayoutError::TooFewAccelerators {
                layout,
                serving: self.accelerators,
            });
        }
        Ok(())
    }

    /// Every layout worth trying: TP in powers of two up to the domain, EP in powers of two
    /// up to the experts, and pipeline stages (up to the layers) only where each stage
    /// fills a scale-up domain. A user may still fix any layout `check` allows.
    pub fn candidates(&self) -> Vec<Layout> {
        let powers = |max: u32| {
            std::iter::successors(Some(1u32), |n| n.checked_mul(2)).take_while(move |n| *n <= max)
        };
        let tp_max = if self.has_fabric { self.domain } else { 1 };
        let mut out = Vec::new();
        for tp in powers(tp_max) {
            for ep in powers(self.experts.max(1)) {
                // Pipeline stages go across scale-up domains: a replica pipelines only once
                // each stage fills its domain (no power-of-two group twice as large fits).
                let stages = if tp * ep * 2 > tp_max {
                    self.layers.max(1)
                } else {
                    1
                };
                for pp in 1..=stages {
                    let layout = Layout { tp, pp, ep };
                    if f64::from(layout.accelerators()) > self.accelerators {
                        break;
                    }
                    out.push(layout);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for text in ["TP8", "TP8xPP2", "TP4xEP8", "TP1xPP3xEP2"] {
            assert_eq!(text.parse::<Layout>().unwrap().to_string(), text);
        }
        assert_eq!("pp4".parse::<Layout>().unwrap().to_string(), "TP1xPP4");
        assert!("TP0".parse::<Layout>().is_err());
        assert!("8".parse::<Layout>().is_err());
        assert!("TPxPP".parse::<Layout>().is_err());
        assert!("ࠀ".parse::<Layout>().is_err());
    }

    /// Found by the fuzz harness: the degrees parsed, then multiplying them overflowed.
    #[test]
    fn degrees_whose_product_passes_u32_are_refused() {
        let err = "tp65536xpp65536".parse::<Layout>().unwrap_err().to_string();
        assert!(err.contains("passes 4294967295"), "{err}");
        assert_eq!("tp65536xpp65535".parse::<Layout>().unwrap().pp, 65535);
    }

    #[test]
    fn candidates_respect_the_domain_and_the_fleet() {
        let limits = Limits {
            domain: 8,
            has_fabric: true,
            layers: 4,
            experts: 1,
            accelerators: 16.0,
        };
        let all = limits.candidates();
        assert!(all.iter().all(|l| limits.check(*l).is_ok()));
        assert!(all.contains(&Layout {
            tp: 8,
            pp: 2,
            ep: 1
        }));
        assert!(
            !all.iter()
                .any(|l| l.tp == 3 || l.tp > 8 || l.accelerators() > 16)
        );
        assert!(
            limits
                .check(Layout {
                    tp: 16,
                    pp: 1,
                    ep: 1
                })
                .unwrap_err()
                .to_string()
                .contains("scale-up domain")
        );
        assert!(
            limits
                .check(Layout {
                    tp: 1,
                    pp: 1,
                    ep: 2
                })
                .unwrap_err()
                .to_string()
                .contains("mixture-of-experts")
        );
    }
}
