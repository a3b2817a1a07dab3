//! Text a user typed, shown back in a message: the one place that makes it printable
//! on one line. A leaf: every layer (the model included) may use it.

/// Text a user typed, as an error message quotes it: control characters (a newline, a
/// carriage return, a tab) are escaped, so the message stays on one line and shows
/// exactly what was given.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Joins an error and its sources with ": ", on one line (a cause's own line breaks,
/// carriage returns included, become spaces).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line.replace(['\n', '\r'], " ")
}
