//! Output formats shared by every command: a plain `Table` of strings rendered as a
//! terminal table, Markdown or CSV, and JSON for the typed results; plus the atomic
//! file writer, so an existing output file is either replaced whole or left untouched.
//!
//! Each text format lives in its own file behind the `Exporter` trait, as hyperfine does.

mod csv_export;
pub mod html;
mod markdown;
mod text;

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The output formats every command accepts with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A human-readable table.
    Table,
    /// Machine-readable JSON (the stable contract).
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// A GitHub-flavoured Markdown table.
    Markdown,
}

/// A rectangular table of already-formatted cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Optional caption printed above the table (not in CSV).
    pub title: Option<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows; each has as many cells as there are headers.
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table (not in CSV): assumptions, notes, sources.
    pub notes: Vec<String>,
}

impl Table {
    /// A table with the given headers and no rows.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// Sets the caption.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Appends a row of cells.
    pub fn push_row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let row: Vec<String> = cells.into_iter().map(Into::into).collect();
        debug_assert_eq!(
            row.len(),
            self.headers.len(),
            "row width must match headers"
        );
        self.rows.push(row);
    }

    /// Appends a note printed under the table.
    pub fn push_note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// Renders tables in one text format.
trait Exporter {
    fn render(&self, tables: &[Table]) -> Result<String>;
}

/// Renders one or more tables in a text format (`Json` is not a table format: callers
/// serialise their typed results instead).
pub fn render_tables(tables: &[Table], format: Format) -> Result<String> {
    let exporter: &dyn Exporter = match format {
        Format::Table => &text::TextExporter,
        Format::Markdown => &markdown::MarkdownExporter,
        Format::Csv => &csv_export::CsvExporter,
        Format::Json => return Err(Error::runtime("internal: JSON is not rendered as a table")),
    };
    exporter.render(tables)
}

/// Serialises a value as pretty JSON with a trailing newline.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::runtime(format!("could not serialise JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Prints `content` to stdout, or writes it atomically to `output` when given.
pub fn emit(content: &str, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => Ok(crate::atomic_file::write(path, content.as_bytes())?),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(content.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}
