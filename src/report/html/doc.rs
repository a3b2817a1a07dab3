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

/// A command line as one copyable line, each argument quoted when it needs it.
pub(super) fn command_line(args: &[String]) -> String {
    let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    format!("<pre>{}</pre>\n", escape(&quoted.join(" ")))
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Seconds since the epoch as a UTC date and time ("2026-11-18 14:03:38 UTC").
pub(super) fn utc(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(0);
    let secs = unix % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
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
        let line = command_line(&["run".into(), "a b".into(), "it's".into()]);
        assert_eq!(
            line,
            "<pre>run &#39;a b&#39; &#39;it&#39;\\&#39;&#39;s&#39;</pre>\n"
        );
    }
}
