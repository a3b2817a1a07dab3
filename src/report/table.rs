//! The typed table every text format renders: columns that know their kind and unit, and
//! cells that hold values, not display strings. The terminal and Markdown show rounded
//! figures ("7.82Z", "63.5%"); CSV writes the raw value in SI base units, so a spreadsheet
//! or pandas reads numbers without parsing suffixes.

use crate::kernels::GemmShape;
use crate::model::Range;
use crate::model::units::{range_text, sig3};

/// The unit of a numeric column, in SI base units (per second, watts, bytes...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    FlopPerSecond,
    BytePerSecond,
    Byte,
    Watt,
    Second,
    Day,
    Hour,
    TokenPerSecond,
    Count,
    Joule,
    /// US dollars, and dollars per hour or per token.
    Usd,
    UsdPerHour,
    UsdPerToken,
    /// The unit is given per row, in a text column named `unit`.
    PerRow,
    /// A plain number (a ratio, a size).
    None,
}

impl Unit {
    /// The suffix of a CSV column's name: `median_flop_per_s`.
    pub fn csv_suffix(self) -> Option<&'static str> {
        Some(match self {
            Unit::FlopPerSecond => "flop_per_s",
            Unit::BytePerSecond => "byte_per_s",
            Unit::Byte => "byte",
            Unit::Watt => "w",
            Unit::Second => "s",
            Unit::Day => "days",
            Unit::Hour => "hours",
            Unit::TokenPerSecond => "token_per_s",
            Unit::Joule => "j",
            Unit::Usd => "usd",
            Unit::UsdPerHour => "usd_per_hour",
            Unit::UsdPerToken => "usd_per_token",
            Unit::Count | Unit::PerRow | Unit::None => return None,
        })
    }
}

/// How the terminal and Markdown show a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    /// Three significant figures with an SI prefix: 7.82Z, 356E, 1.3M.
    Si,
    /// The value times a factor, three significant figures (GFLOP/s from FLOP/s: 1e-9).
    Scaled(f64),
    /// As a whole number.
    Whole,
    /// Bytes in binary units: "128 MiB".
    Bytes,
    /// A share as a percentage: "40%".
    Percent,
    /// Dollars times a factor, with a k/M/B/T suffix: "$12.3B", or "$0.42" per million
    /// tokens from dollars per token (factor 1e6).
    Usd(f64),
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Number(Unit, Shown),
    /// A share in [0, 1]: "63.5%" on screen, 0.635 in CSV.
    Fraction,
    /// Low / central / high: "c (l–h)" on screen, three columns in CSV.
    Range(Unit, Shown),
    /// A GEMM shape: "MxNxK" on screen, `m`, `n`, `k` in CSV.
    Shape,
}

/// One column: its header on screen, its name in CSV (snake_case, unit appended) and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub key: String,
    pub kind: Kind,
    /// A detail left out when a terminal table must fit a narrow terminal.
    pub detail: bool,
}

impl Column {
    pub fn text(header: &str, key: &str) -> Self {
        Column::new(header, key, Kind::Text)
    }

    pub fn number(header: &str, key: &str, unit: Unit, shown: Shown) -> Self {
        Column::new(header, key, Kind::Number(unit, shown))
    }

    pub fn fraction(header: &str, key: &str) -> Self {
        Column::new(header, key, Kind::Fraction)
    }

    pub fn range(header: &str, key: &str, unit: Unit, shown: Shown) -> Self {
        Column::new(header, key, Kind::Range(unit, shown))
    }

    /// A range of dollars (or dollars per hour or per token), shown as "$4.31 ($2.94–$6.28)"
    /// times `factor` ($ per million tokens from $ per token: 1e6).
    pub fn usd(header: &str, key: &str, unit: Unit, factor: f64) -> Self {
        Column::range(header, key, unit, Shown::Usd(factor))
    }

    pub fn shape(header: &str) -> Self {
        Column::new(header, "shape", Kind::Shape)
    }

    /// Marks the column as a detail, dropped from a table fitted to a terminal.
    pub fn detail(mut self) -> Self {
        self.detail = true;
        self
    }

    fn new(header: &str, key: &str, kind: Kind) -> Self {
        Column {
            header: header.into(),
            key: key.into(),
            kind,
            detail: false,
        }
    }

    /// The CSV header names this column writes (three for a range).
    pub fn csv_keys(&self) -> Vec<String> {
        let with_unit = |base: String, unit: Unit| match unit.csv_suffix() {
            Some(suffix) => format!("{base}_{suffix}"),
            None => base,
        };
        match self.kind {
            Kind::Text | Kind::Fraction => vec![self.key.clone()],
            Kind::Shape => vec!["m".into(), "n".into(), "k".into()],
            Kind::Number(unit, _) => vec![with_unit(self.key.clone(), unit)],
            Kind::Range(unit, _) => ["low", "central", "high"]
                .iter()
                .map(|part| with_unit(format!("{}_{part}", self.key), unit))
                .collect(),
        }
    }
}

/// A value in a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Range(Range),
    Shape(GemmShape),
    /// Nothing to show: "-" on screen, empty in CSV.
    Missing,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.into())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Number(value)
    }
}

impl From<usize> for Cell {
    fn from(value: usize) -> Self {
        Cell::Number(value as f64)
    }
}

impl From<u32> for Cell {
    fn from(value: u32) -> Self {
        Cell::Number(f64::from(value))
    }
}

impl From<GemmShape> for Cell {
    fn from(shape: GemmShape) -> Self {
        Cell::Shape(shape)
    }
}

impl From<Range> for Cell {
    fn from(range: Range) -> Self {
        Cell::Range(range)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Missing, Into::into)
    }
}

/// A table of typed cells, with a caption and notes for the human formats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Names the table in a CSV that holds several (the `table` column).
    pub name: String,
    /// Caption above the table (terminal, Markdown, HTML; not CSV).
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Lines under the table (terminal, Markdown, HTML): assumptions, notes.
    pub notes: Vec<String>,
    /// The notes carry the assumptions the figures rest on, so CSV keeps them too.
    pub notes_are_assumptions: bool,
}

impl Table {
    /// A table named `name` (its CSV `table` value) with these columns.
    pub fn new(name: &str, columns: Vec<Column>) -> Self {
        Table {
            name: name.into(),
            columns,
            ..Table::default()
        }
    }

    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// A table whose columns all hold text (captions, ids, sentences).
    pub fn with_text_columns<S: AsRef<str>>(
        name: &str,
        headers: impl IntoIterator<Item = S>,
    ) -> Self {
        let columns = headers
            .into_iter()
            .map(|h| {
                let header = h.as_ref();
                let key = header.to_ascii_lowercase().replace([' ', '/', '-'], "_");
                Column::text(header, &key)
            })
            .collect();
        Table::new(name, columns)
    }

    /// Appends a row of text cells.
    pub fn push_text_row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.push_row(cells.into_iter().map(|c| Cell::Text(c.into())).collect());
    }

    /// Appends a row; it must have one cell per column.
    pub fn push_row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(
            cells.len(),
            self.columns.len(),
            "row width must match the columns of table {}",
            self.name
        );
        self.rows.push(cells);
    }

    pub fn push_note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// A note the figures depend on (an assumption, its status and source): kept in every
    /// format, CSV included.
    pub fn push_assumption_note(&mut self, note: impl Into<String>) {
        self.notes_are_assumptions = true;
        self.push_note(note);
    }

    /// The headers shown on screen.
    pub fn headers(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.header.clone()).collect()
    }

    /// Every row as the strings shown on screen.
    pub fn shown_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.columns)
                    .map(|(cell, column)| shown(cell, column.kind))
                    .collect()
            })
            .collect()
    }

    /// The table without its detail columns (for a narrow terminal).
    pub fn without_details(&self) -> Table {
        let keep: Vec<bool> = self.columns.iter().map(|c| !c.detail).collect();
        let pick = |cells: &[Cell]| -> Vec<Cell> {
            cells
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.clone())
                .collect()
        };
        Table {
            name: self.name.clone(),
            title: self.title.clone(),
            columns: self.columns.iter().filter(|c| !c.detail).cloned().collect(),
            rows: self.rows.iter().map(|r| pick(r)).collect(),
            notes: self.notes.clone(),
            notes_are_assumptions: self.notes_are_assumptions,
        }
    }
}

/// A cell as the terminal and Markdown show it.
pub fn shown(cell: &Cell, kind: Kind) -> String {
    match (cell, kind) {
        (Cell::Missing, _) => "-".into(),
        (Cell::Text(text), _) => text.clone(),
        (Cell::Shape(shape), _) => shape.label(),
        (Cell::Number(v), Kind::Fraction) => format!("{:.1}%", v * 100.0),
        (Cell::Number(v), Kind::Number(_, how) | Kind::Range(_, how)) => number(*v, how),
        (Cell::Number(v), Kind::Text | Kind::Shape) => sig3(*v),
        (Cell::Range(r), Kind::Number(_, how) | Kind::Range(_, how)) => {
            range_text(r, |v| number(v, how))
        }
        (Cell::Range(r), Kind::Fraction) => range_text(r, |v| format!("{:.0}%", v * 100.0)),
        (Cell::Range(r), Kind::Text | Kind::Shape) => range_text(r, sig3),
    }
}

fn number(value: f64, how: Shown) -> String {
    match how {
        Shown::Si => crate::model::units::si(value),
        Shown::Scaled(factor) => sig3(value * factor),
        Shown::Whole => format!("{value:.0}"),
        Shown::Percent => format!("{:.0}%", value * 100.0),
        Shown::Usd(factor) => crate::model::units::usd(value * factor),
        Shown::Bytes => bytesize::ByteSize::b(value.max(0.0) as u64)
            .display()
            .iec()
            .to_string(),
    }
}
