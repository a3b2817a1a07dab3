//! Summary statistics over repeated samples: median, min, max and relative spread.

use serde::{Deserialize, Serialize};

/// Median, minimum and maximum of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises finite samples; None when there are none.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            median: median_of_sorted(&sorted),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        })
    }

    /// (max - min) / median: how far apart the samples are.
    pub fn spread(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median
        } else {
            0.0
        }
    }

    /// Converts a summary of times into a summary of rates `work / time`: the fastest time
    /// gives the highest rate, so min and max swap.
    pub fn rate(&self, work: f64) -> Summary {
        Summary {
            median: work / self.median,
            min: work / self.max,
            max: work / self.min,
        }
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).unwrap().median, 2.0);
        assert_eq!(Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
    }

    #[test]
    fn non_finite_samples_are_ignored_and_empty_is_none() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[f64::NAN]), None);
        let s = Summary::of(&[1.0, f64::INFINITY, 3.0]).unwrap();
        assert_eq!((s.min, s.max), (1.0, 3.0));
    }

    #[test]
    fn rates_swap_min_and_max() {
        let times = Summary {
            median: 2.0,
            min: 1.0,
            max: 4.0,
        };
        let rates = times.rate(8.0);
        assert_eq!(
            rates,
            Summary {
                median: 4.0,
                min: 2.0,
                max: 8.0
            }
        );
    }
}
