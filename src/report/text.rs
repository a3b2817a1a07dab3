//! Terminal tables (comfy-table): the caption above, the notes below, and the table fitted
//! to the terminal's width unless the layout asks for the full width.

use comfy_table::{ContentArrangement, Table as Comfy, presets::UTF8_FULL_CONDENSED};

use super::{Layout, Table};

pub(super) fn render(tables: &[Table], layout: Layout) -> String {
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
        let narrowed;
        let table = match layout {
            Layout::Fit(width) => {
                comfy.set_content_arrangement(ContentArrangement::Dynamic);
                comfy.set_width(width);
                narrowed = table.without_details();
                &narrowed
            }
            Layout::Full => table,
        };
        comfy.set_header(table.headers());
        for row in table.shown_rows() {
            comfy.add_row(row);
        }
        out.push_str(&comfy.to_string());
        out.push('\n');
        for note in &table.notes {
            out.push_str(note);
            out.push('\n');
        }
    }
    out
}
