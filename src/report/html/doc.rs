//! HTML building blocks for the report: escaping, the shared `Table` as an HTML table
//! (caption above, notes below, as in the terminal), key–value blocks, figures and
//! sections. Everything user- or file-supplied passes through `escape`.

use crate::report::Table;

/// Escapes text for HTML element content and double-quoted attributes.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A `Table` as an HTML table with its caption, and its notes as a list under it.
pub(super) fn table(t: &Table) -> String {
    let mut out = String::from("<table>\n");
    if let Some(title) = &t.title {
        out.push_str(&format!("<caption>{}</caption>\n", escape(title)));
    }
    out.push_str("<thead><tr>");
    for h in t.headers() {
        out.push_str(&format!("<th>{}</th>", escape(&h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in t.shown_rows() {
        out.push_str("<tr>");
        for cell in &row {
            out.push_str(&format!("<td>{}</td>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str(&notes(&t.notes));
    out
}

/// Lines as a list (nothing when there are none).
pub(super) fn notes(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let items: String = lines
        .iter()
        .map(|l| format!("<li>{}</li>\n", escape(l.trim_start())))
        .collect();
    format!("<ul class=\"notes\">\n{items}</ul>\n")
}

/// A definition list of labelled values.
pub(super) fn key_values(rows: &[(&str, String)]) -> String {
    let items: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd>{}</dd>\n", escape(k), escape(v)))
        .collect();
    format!("<dl>\n{items}</dl>\n")
}

/// An inline SVG chart with a caption.
pub(super) fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(caption)
    )
}

/// A titled section.
pub(super) fn section(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section id=\"{id}\">\n<h2>{}</h2>\n{body}</section>\n",
        escape(title)
    )
}

/// A paragraph of escaped text.
pub(super) fn para(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

/// A command line as one copyable line, each argument quoted as a POSIX shell needs it.
pub(super) fn command_line(args: &[String]) -> String {
    let line = shlex::try_join(args.iter().map(String::as_str))
        .unwrap_or_else(|_| args.join(" ").replace('\0', "\\0"));
    format!("<pre>{}</pre>\n", escape(&line))
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
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
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
            .trim_end_matches("</pre>\n")
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
        assert_eq!(shlex::split(&line).unwrap(), args, "{html}");
    }
}
