//! GitHub-flavoured Markdown tables; pipes inside cells are escaped.

use super::{Exporter, Table};
use crate::error::Result;

pub(super) struct MarkdownExporter;

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}

fn row_line(cells: &[String]) -> String {
    let escaped: Vec<String> = cells.iter().map(|c| escape(c)).collect();
    format!("| {} |\n", escaped.join(" | "))
}

impl Exporter for MarkdownExporter {
    fn render(&self, tables: &[Table]) -> Result<String> {
        let mut out = String::new();
        for (i, table) in tables.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if let Some(title) = &table.title {
                out.push_str(&format!("### {title}\n\n"));
            }
            out.push_str(&row_line(&table.headers));
            out.push_str(&format!("|{}\n", "---|".repeat(table.headers.len())));
            for row in &table.rows {
                out.push_str(&row_line(row));
            }
            if !table.notes.is_empty() {
                out.push('\n');
                for note in &table.notes {
                    out.push_str(&format!("- {}\n", escape(note)));
                }
            }
        }
        Ok(out)
    }
}
