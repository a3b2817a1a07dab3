//! HTML building blocks for the report, written with maud (which escapes every value it
//! inserts): the shared `Table` as an HTML table (caption above, notes below, as in the
//! terminal), key–value blocks, figures, sections and the page around them.

use maud::{Markup, PreEscaped, html};

use crate::report::Table;

/// A `Table` as an HTML table with its caption, and its notes as a list under it.
pub(super) fn table(t: &Table) -> String {
    let markup = html! {
        table {
            @if let Some(title) = &t.title {
                caption { (title) }
            }
            thead { tr { @for h in t.headers() { th { (h) } } } }
            tbody {
                @for row in t.shown_rows() {
                    tr { @for cell in row { td { (cell) } } }
                }
            }
        }
        (PreEscaped(notes(&t.notes)))
    };
    markup.into_string()
}

/// Lines as a list (nothing when there are none).
pub(super) fn notes(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    html! { ul.notes { @for line in lines { li { (line.trim_start()) } } } }.into_string()
}

/// A definition list of labelled values.
pub(super) fn key_values(rows: &[(&str, String)]) -> String {
    html! { dl { @for (k, v) in rows { dt { (k) } dd { (v) } } } }.into_string()
}

/// An inline SVG chart (already markup) with a caption.
pub(super) fn figure(svg: &str, caption: &str) -> String {
    html! { figure { (PreEscaped(svg)) figcaption { (caption) } } }.into_string()
}

/// A titled section around a body that is already markup.
pub(super) fn section(id: &str, title: &str, body: &str) -> String {
    html! { section id=(id) { h2 { (title) } (PreEscaped(body)) } }.into_string()
}

/// A paragraph of text.
pub(super) fn para(text: &str) -> String {
    html! { p { (text) } }.into_string()
}

/// A paragraph set apart as a warning.
pub(super) fn warning(text: &str) -> String {
    html! { p.warn { (text) } }.into_string()
}

/// A command line as one copyable line, each argument quoted as a POSIX shell needs it.
pub(super) fn command_line(args: &[String]) -> String {
    let line = shlex::try_join(args.iter().map(String::as_str))
        .unwrap_or_else(|_| args.join(" ").replace('\0', "\\0"));
    html! { pre { (line) } }.into_string()
}

/// The whole document around a body that is already markup.
pub(super) fn page(title: &str, style: &str, body: &str) -> String {
    let markup: Markup = html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "fleetbench report — " (title) }
                style { (PreEscaped(style)) }
            }
            body {
                h1 { "fleetbench report — " (title) }
                (PreEscaped(body))
            }
        }
    };
    markup.into_string()
}

/// Seconds since the epoch as a UTC date and time ("2026-11-18 14:03:38 UTC").
pub(super) fn utc(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(
            || format!("{unix} s after the epoch"),
            |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(
            para("<a href=\"x\">&"),
            "<p>&lt;a href=&quot;x&quot;&gt;&amp;</p>"
        );
        let mut t = Table::with_text_columns("t", ["k<"]).with_title("t&");
        t.push_text_row(["<script>"]);
        let html = table(&t);
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
    }

    #[test]
    fn dates_and_command_lines() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_827_696), "2000-02-29 12:34:56 UTC");
        let args: Vec<String> = ["run", "a b", "it's", "$HOME"].map(String::from).into();
        let html = command_line(&args);
        let line = html
            .trim_start_matches("<pre>")
            .trim_end_matches("</pre>")
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
        assert_eq!(shlex::split(&line).unwrap(), args, "{html}");
    }
}
