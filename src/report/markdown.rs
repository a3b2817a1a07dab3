//! GitHub-flavoured Markdown tables; pipes inside cells are escaped.

use super::Table;

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}

fn row_line(cells: &[String]) -> String {
    let escaped: Vec<String> = cells.iter().map(|c| escape(c)).collect();
    format!("| {} |\n", escaped.join(" | "))
}

pub(super) fn render(tables: &[Table]) -> String {
    let mut out = String::new();
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(title) = &table.title {
            out.push_str(&format!("### {title}\n\n"));
        }
        out.push_str(&row_line(&table.headers()));
        out.push_str(&format!("|{}\n", "---|".repeat(table.columns.len())));
        for row in table.shown_rows() {
            out.push_str(&row_line(&row));
        }
        if !table.notes.is_empty() {
            out.push('\n');
            for note in &table.notes {
                out.push_str(&format!("- {}\n", escape(note)));
            }
        }
    }
    out
}
