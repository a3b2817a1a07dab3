//! Output, one way for every command: a command builds one `View` (a `Serialize` value
//! plus the typed tables it shows), and the formats are renderers of it: JSON from
//! `Serialize`, the terminal table, Markdown and tidy CSV from the tables, as criterion
//! fans one report out to several outputs. Also where an output goes: stdout or a file
//! written atomically, the format chosen from the file's extension when not given, and
//! terminal tables fitted to the terminal's width.

pub mod catalog_tables;
mod csv_export;
mod error;
pub mod html;
mod markdown;
pub mod projection;
pub mod results_tables;
mod table;
mod text;
pub mod timeline;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::{RenderError, ReportError, Result};
pub use table::{Cell, Column, Kind, Shown, Table, Unit, shown};

/// The output formats every command accepts with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A human-readable table.
    Table,
    /// Machine-readable JSON (the stable contract).
    Json,
    /// Tidy comma-separated values: one header, raw numbers in SI base units.
    Csv,
    /// GitHub-flavoured Markdown tables.
    Markdown,
}

impl Format {
    /// The format a file's extension names: .json, .csv, .md/.markdown, .txt.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        }
    }
}

/// How wide a terminal table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every column at its natural width (files, pipes, `--wide`).
    Full,
    /// Wrapped to fit this many columns of a terminal.
    Fit(u16),
}

/// What a command shows: its JSON is the `Serialize` value, its text formats the tables.
pub trait View: Serialize {
    fn tables(&self) -> Vec<Table>;
}

/// Renders tables in a text format; JSON is not a table format (it comes from a `View`).
pub fn render_tables(tables: &[Table], format: Format, layout: Layout) -> Result<String> {
    match format {
        Format::Table => Ok(text::render(tables, layout)),
        Format::Markdown => Ok(markdown::render(tables)),
        Format::Csv => csv_export::render(tables),
        Format::Json => Err(RenderError::JsonFromTables.into()),
    }
}

/// Renders a view in one format.
pub fn render<V: View + ?Sized>(view: &V, format: Format, layout: Layout) -> Result<String> {
    match format {
        Format::Json => to_json(view),
        text => render_tables(&view.tables(), text, layout),
    }
}

/// Serialises a value as pretty JSON with a trailing newline.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(RenderError::from)?;
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

/// The output flags every command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutputArgs {
    /// Output format [default: from the --output file's extension (.json, .csv, .md, .txt),
    /// else table].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Terminal tables at full width, even when wider than the terminal.
    #[arg(long)]
    pub wide: bool,
}

impl OutputArgs {
    /// Where and how to write, checked before any work: the format (the flag, else the
    /// file's extension, else table) and, for a file, that it can be written.
    pub fn destination(&self) -> Result<Destination> {
        Destination::new(self.format, self.output.clone(), self.wide)
    }
}

/// A resolved output: format, file (or stdout) and table layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    pub format: Format,
    pub path: Option<PathBuf>,
    pub layout: Layout,
}

impl Destination {
    /// Resolves the format and checks a file can be written; says so on stderr when the
    /// flag and the extension disagree (the flag wins).
    pub fn new(format: Option<Format>, path: Option<PathBuf>, wide: bool) -> Result<Self> {
        let by_extension = path.as_deref().and_then(Format::from_extension);
        if let (Some(path), Some(asked), Some(implied)) = (&path, format, by_extension) {
            if asked != implied {
                eprintln!(
                    "warning: writing {} to {} as --format {} asks, though its extension suggests {}",
                    asked.name(),
                    path.display(),
                    asked.name(),
                    implied.name()
                );
            }
        }
        if let Some(path) = &path {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html"))
                && format.is_none()
            {
                return Err(ReportError::HtmlOutput(path.clone()));
            }
            crate::atomic_file::check_writable(path).map_err(ReportError::Unwritable)?;
        }
        let layout = match (&path, wide) {
            (None, false) => terminal_width().map_or(Layout::Full, Layout::Fit),
            _ => Layout::Full,
        };
        Ok(Destination {
            format: format.or(by_extension).unwrap_or(Format::Table),
            path,
            layout,
        })
    }

    /// Renders a view and writes it.
    pub fn write<V: View + ?Sized>(&self, view: &V) -> Result<()> {
        let text = render(view, self.format, self.layout)?;
        emit(&text, self.path.as_deref())
    }
}

/// The terminal's width when stdout is a terminal: `COLUMNS` when set, else as measured.
fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok());
    from_env.or_else(|| terminal_size::terminal_size().map(|(w, _)| w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_the_format_and_the_flag_wins() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| Some(dir.path().join(name));
        let format_of = |f, name: &str| Destination::new(f, at(name), false).unwrap().format;
        assert_eq!(format_of(None, "x.json"), Format::Json);
        assert_eq!(format_of(None, "x.CSV"), Format::Csv);
        assert_eq!(format_of(None, "x.md"), Format::Markdown);
        assert_eq!(format_of(None, "x.out"), Format::Table);
        assert_eq!(format_of(Some(Format::Csv), "x.json"), Format::Csv);
    }

    #[test]
    fn an_unwritable_output_is_a_usage_error_before_any_work() {
        let err = Destination::new(None, Some("/no/such/dir/x.json".into()), false).unwrap_err();
        assert!(err.is_usage(), "{err}");
        assert!(err.to_string().contains("/no/such/dir/x.json"), "{err}");
    }

    #[test]
    fn a_fitted_table_stays_within_the_width() {
        let mut t = Table::new(
            "t",
            (0..12)
                .map(|i| Column::text(&format!("a long column header {i}"), &format!("c{i}")))
                .collect(),
        );
        t.push_row(
            (0..12)
                .map(|i| Cell::from(format!("value number {i}")))
                .collect(),
        );
        let fitted = render_tables(&[t.clone()], Format::Table, Layout::Fit(80)).unwrap();
        assert!(fitted.lines().all(|l| l.chars().count() <= 80), "{fitted}");
        let full = render_tables(&[t], Format::Table, Layout::Full).unwrap();
        assert!(full.lines().any(|l| l.chars().count() > 200), "{full}");
    }
}
