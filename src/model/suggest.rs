//! "Did you mean …": the nearest catalog id to a mistyped one, so an unknown id is one
//! helpful line rather than a bare refusal.

use crate::error::Error;

/// The closest id by Jaro-Winkler similarity, when it is close enough to be a typo.
pub fn nearest<'a>(wanted: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    ids.map(|id| (strsim::jaro_winkler(&wanted, id), id))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// The usage error for an unknown id: the suggestion, or where to list the ids.
pub fn unknown_id<'a>(
    kind: &str,
    wanted: &str,
    ids: impl Iterator<Item = &'a str>,
    list: &str,
) -> Error {
    match nearest(wanted, ids) {
        Some(id) => Error::usage(format!(
            "unknown {kind} '{wanted}': did you mean '{id}'? (list them with `{list}`)"
        )),
        None => Error::usage(format!(
            "unknown {kind} '{wanted}' (list them with `{list}`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["h100", "h200", "gb200", "mi300x"];
        assert_eq!(nearest("h10", ids.into_iter()), Some("h100"));
        assert_eq!(nearest("mi300", ids.into_iter()), Some("mi300x"));
        assert_eq!(nearest("zzzzzzzz", ids.into_iter()), None);
    }
}
