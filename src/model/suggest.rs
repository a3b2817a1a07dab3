//! "Did you mean …": the nearest catalog id to a mistyped one, so an unknown id is one
//! helpful line rather than a bare refusal.

use super::error::{CatalogError, IdKind};

/// The closest id by Jaro-Winkler similarity, when it is close enough to be a typo.
pub fn nearest<'a>(wanted: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_ascii_lowercase();
    ids.map(|id| (strsim::jaro_winkler(&wanted, id), id))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// The error for an unknown id, with the nearest known id when one is close.
pub fn unknown_id<'a>(
    kind: IdKind,
    wanted: &str,
    ids: impl Iterator<Item = &'a str>,
) -> CatalogError {
    CatalogError::UnknownId {
        kind,
        wanted: wanted.into(),
        suggestion: nearest(wanted, ids).map(str::to_string),
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
