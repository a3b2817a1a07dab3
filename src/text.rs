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
