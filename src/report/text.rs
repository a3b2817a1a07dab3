//! Terminal tables (comfy-table), with the caption above and notes below.

use comfy_table::{Table as Comfy, presets::UTF8_FULL_CONDENSED};

use super::{Exporter, Table};
use crate::error::Result;

pub(super) struct TextExporter;

impl Exporter for TextExporter {
    fn render(&self, tables: &[Table]) -> Result<String> {
        let mut out = String::new();
        for (i, table) in tables.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if let Some(title) = &table.title {
                out.push_str(title);
                out.push('\n');
            }
            let mut comfy = Comfy::new();
            comfy.load_preset(UTF8_FULL_CONDENSED);
            comfy.set_header(&table.headers);
            for row in &table.rows {
                comfy.add_row(row);
            }
            out.push_str(&comfy.to_string());
            out.push('\n');
            for note in &table.notes {
                out.push_str(note);
                out.push('\n');
            }
        }
        Ok(out)
    }
}
