//! Parsing what users type (powers with units, counts, fractions, ranges) and printing
//! large numbers compactly. Every parser returns an `InputError` on bad input: one line
//! saying what was given and what was expected, which the command layer turns into exit
//! code 2.

use super::error::InputError;
use super::range::Range;
use crate::text::printable;

/// Watts per unit accepted by `--power`, longest suffix first so "kW" wins over "W".
const POWER_UNITS: [(&str, f64); 4] = [("gw", 1e9), ("mw", 1e6), ("kw", 1e3), ("w", 1.0)];

/// Parses a power such as `1.5GW`, `500 MW`, `120kW` or `700 W` into watts.
pub fn parse_power(text: &str) -> Result<f64, InputError> {
    let given = printable(text.trim());
    let lower = text.trim().to_ascii_lowercase();
    let Some((unit, watts)) = POWER_UNITS.iter().find(|(u, _)| lower.ends_with(u)) else {
        return Err(InputError::PowerWithoutUnit { given });
    };
    let number = lower[..lower.len() - unit.len()].trim();
    let Ok(value) = number.parse::<f64>() else {
        return Err(InputError::NotAPower { given });
    };
    let result = value * watts;
    if !(result.is_finite() && result > 0.0) {
        return Err(InputError::PowerNotPositive { given });
    }
    Ok(result)
}

/// Parses a strictly positive finite number (accepts `16384`, `1e6`, `405e9`, `1_000`).
pub fn parse_positive(text: &str, what: &str) -> Result<f64, InputError> {
    let given = printable(text.trim());
    let what = what.to_string();
    let cleaned = text.trim().replace('_', "");
    let Ok(value) = cleaned.parse::<f64>() else {
        return Err(InputError::NotANumber { what, given });
    };
    if !value.is_finite() || value <= 0.0 {
        return Err(InputError::NotPositive { what, given });
    }
    Ok(value)
}

/// Parses a strictly positive whole number (token counts, layers, a batch): `512`, `1_024`,
/// `4e3`; zero, negatives and fractions are refused.
pub fn parse_whole(text: &str, what: &str) -> Result<u32, InputError> {
    let refused = || InputError::NotWhole {
        what: what.into(),
        given: printable(text.trim()),
    };
    let value = parse_positive(text, what).map_err(|_| refused())?;
    if value.fract() != 0.0 || value > f64::from(u32::MAX) {
        return Err(refused());
    }
    Ok(value as u32)
}

/// Parses a fraction in (0, 1], or three comma-separated fractions `low,central,high`.
pub fn parse_fraction_range(text: &str, what: &str) -> Result<Range, InputError> {
    let range = parse_ordered(text, what)?;
    if range.low <= 0.0 || range.high > 1.0 {
        return Err(outside(text, what, "(0, 1]"));
    }
    Ok(range)
}

/// Parses a number, or `low,central,high`, each finite and positive, in order.
pub fn parse_range(text: &str, what: &str) -> Result<Range, InputError> {
    let range = parse_ordered(text, what)?;
    if range.low <= 0.0 {
        return Err(InputError::NotPositive {
            what: what.into(),
            given: printable(text.trim()),
        });
    }
    Ok(range)
}

/// Parses a number, or `low,central,high`, finite, in order and within `interval` (written
/// as maths writes it, "[1, 5]") as `contains` decides.
pub fn parse_range_within(
    text: &str,
    what: &str,
    interval: &'static str,
    contains: impl Fn(f64) -> bool,
) -> Result<Range, InputError> {
    let range = parse_range(text, what)?;
    if !(contains(range.low) && contains(range.high)) {
        return Err(outside(text, what, interval));
    }
    Ok(range)
}

fn outside(text: &str, what: &str, interval: &'static str) -> InputError {
    InputError::Outside {
        what: what.into(),
        interval,
        given: printable(text.trim()),
    }
}

/// Parses a number, or `low,central,high`, finite and in order.
fn parse_ordered(text: &str, what: &str) -> Result<Range, InputError> {
    let values: Vec<f64> = text
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| InputError::NotARange {
                    what: what.into(),
                    given: printable(text.trim()),
                })
        })
        .collect::<Result<_, _>>()?;
    match values.as_slice() {
        [v] => Ok(Range::exact(*v)),
        [l, c, h] => Range::new(*l, *c, *h).map_err(|problem| InputError::BadRange {
            what: what.into(),
            problem,
        }),
        _ => Err(InputError::RangeArity {
            what: what.into(),
            count: values.len(),
        }),
    }
}

/// Multipliers a money amount may carry, the way budgets are written: 30k, 500M, 10B, 1.4T.
const MONEY_SUFFIXES: [(&str, f64); 4] = [("k", 1e3), ("m", 1e6), ("b", 1e9), ("t", 1e12)];

/// Parses a US-dollar amount such as `10B`, `$1.5T`, `500M`, `30k` or `30000` into dollars;
/// zero, negatives and unknown suffixes are refused.
pub fn parse_usd(text: &str, what: &str) -> Result<f64, InputError> {
    let trimmed = text.trim();
    let given = printable(trimmed);
    let what = what.to_string();
    let body = trimmed
        .strip_prefix('$')
        .unwrap_or(trimmed)
        .replace('_', "");
    let split = body
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(split);
    let multiplier = match MONEY_SUFFIXES
        .iter()
        .find(|(s, _)| suffix.eq_ignore_ascii_case(s))
    {
        Some((_, m)) => *m,
        None if suffix.is_empty() => 1.0,
        None => {
            let suffix = printable(suffix);
            return Err(InputError::UnknownMoneySuffix {
                what,
                given,
                suffix,
            });
        }
    };
    let Ok(value) = number.trim().parse::<f64>() else {
        return Err(InputError::NotAnAmount { what, given });
    };
    let usd = value * multiplier;
    if !(usd.is_finite() && usd > 0.0) {
        return Err(InputError::AmountNotPositive { what, given });
    }
    Ok(usd)
}

/// A dollar amount with three significant digits and a k/M/B/T suffix: $12.3B, $1.06.
pub fn usd(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".into();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    for (suffix, scale) in [("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)] {
        if magnitude >= scale {
            return format!("{sign}${}{suffix}", sig3(magnitude / scale));
        }
    }
    format!("{sign}${}", sig3(magnitude))
}

/// Formats a number with an SI suffix and three significant digits: 1.43M, 989, 3.2E.
pub fn si(value: f64) -> String {
    const SUFFIXES: [(f64, &str); 8] = [
        (1e21, "Z"),
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
    ];
    if !value.is_finite() {
        return "n/a".to_string();
    }
    if value.abs() >= 1e24 {
        return format!("{value:.2e}");
    }
    for (scale, suffix) in SUFFIXES {
        if value.abs() >= scale {
            return format!("{}{suffix}", sig3(value / scale));
        }
    }
    sig3(value)
}

/// Three significant digits without trailing zeros.
pub fn sig3(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return if value == 0.0 {
            "0".into()
        } else {
            "n/a".into()
        };
    }
    if value.abs() < 1e-3 {
        return format!("{value:.2e}");
    }
    let digits = (2 - value.abs().log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A range as "central (low–high)", or just the value when it is exact.
pub fn range_text(range: &Range, fmt: impl Fn(f64) -> String) -> String {
    if range.is_exact() {
        fmt(range.central)
    } else {
        format!(
            "{} ({}–{})",
            fmt(range.central),
            fmt(range.low),
            fmt(range.high)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_with_every_unit() {
        assert_eq!(parse_power("1.5GW").unwrap(), 1.5e9);
        assert_eq!(parse_power("500 MW").unwrap(), 5e8);
        assert_eq!(parse_power("120kW").unwrap(), 1.2e5);
        assert_eq!(parse_power("700 W").unwrap(), 700.0);
        assert_eq!(parse_power("1gw").unwrap(), 1e9);
    }

    #[test]
    fn bad_powers_say_why() {
        let given = |text: &str| text.to_string();
        assert_eq!(
            parse_power("5"),
            Err(InputError::PowerWithoutUnit { given: given("5") })
        );
        assert_eq!(
            parse_power("5 TW"),
            Err(InputError::NotAPower {
                given: given("5 TW")
            })
        );
        assert!(
            parse_power("-1GW")
                .unwrap_err()
                .to_string()
                .contains("positive")
        );
        assert!(
            parse_power("0MW")
                .unwrap_err()
                .to_string()
                .contains("positive")
        );
    }

    /// Found by fuzzing: a newline typed into a value split its error over two lines.
    #[test]
    fn control_characters_in_a_value_are_shown_escaped_on_one_line() {
        let err = parse_power("5\n00 MW").unwrap_err().to_string();
        assert!(err.contains("'5\\n00 MW'"), "{err}");
        for err in [
            parse_positive("1\r2", "--gpus").unwrap_err(),
            parse_whole("1\n2", "--layers").unwrap_err(),
            parse_range("1,\n2x,3", "--pue").unwrap_err(),
            parse_fraction_range("2\t", "--mfu").unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(!err.contains(['\n', '\r', '\t']), "{err:?}");
        }
    }

    #[test]
    fn fractions_must_lie_in_the_unit_interval() {
        assert_eq!(parse_fraction_range("0.4", "--mfu").unwrap().central, 0.4);
        assert_eq!(
            parse_fraction_range("0.3,0.4,0.5", "--mfu").unwrap().high,
            0.5
        );
        assert!(parse_fraction_range("1.2", "--mfu").is_err());
        assert!(parse_fraction_range("0", "--mfu").is_err());
        assert!(parse_fraction_range("0.5,0.4,0.6", "--mfu").is_err());
    }

    #[test]
    fn whole_numbers_refuse_zero_negatives_and_fractions() {
        assert_eq!(parse_whole("512", "--input-tokens").unwrap(), 512);
        assert_eq!(parse_whole("4e3", "--batch").unwrap(), 4000);
        for bad in ["0", "-5", "2.5", "lots", "1e12"] {
            assert!(
                parse_whole(bad, "--input-tokens")
                    .unwrap_err()
                    .to_string()
                    .contains("positive whole number"),
                "{bad}"
            );
        }
    }

    #[test]
    fn money_with_every_suffix_and_bad_input_refused() {
        assert_eq!(parse_usd("10B", "--budget").unwrap(), 1e10);
        assert_eq!(parse_usd("$1.5T", "--budget").unwrap(), 1.5e12);
        assert_eq!(parse_usd("500m", "--budget").unwrap(), 5e8);
        assert_eq!(parse_usd("30k", "--price").unwrap(), 3e4);
        assert_eq!(parse_usd("2.5e4", "--price").unwrap(), 2.5e4);
        assert!(
            parse_usd("10X", "--budget")
                .unwrap_err()
                .to_string()
                .contains("unknown suffix 'X'")
        );
        assert!(
            parse_usd("10GB", "--budget")
                .unwrap_err()
                .to_string()
                .contains("unknown suffix")
        );
        assert!(
            parse_usd("0", "--budget")
                .unwrap_err()
                .to_string()
                .contains("positive")
        );
        assert!(
            parse_usd("-5B", "--budget")
                .unwrap_err()
                .to_string()
                .contains("positive")
        );
        assert!(parse_usd("lots", "--budget").is_err());
        assert_eq!(usd(1.234e10), "$12.3B");
        assert_eq!(usd(1.06), "$1.06");
        assert_eq!(usd(42_000.0), "$42k");
    }

    #[test]
    fn si_suffixes() {
        assert_eq!(si(1_430_000.0), "1.43M");
        assert_eq!(si(989.4), "989");
        assert_eq!(si(3.2e18), "3.2E");
        assert_eq!(si(0.41), "0.41");
    }
}
