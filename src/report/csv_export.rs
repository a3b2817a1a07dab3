//! Tidy CSV: one header for the whole output, raw numbers in SI base units (the unit in
//! each numeric column's name, or in a `unit` column where it varies by row), fractions
//! as fractions, empty cells where there is nothing. When a command emits several tables,
//! a leading `table` column names each row's table and the header is the union of their
//! columns. Titles and plain notes are left out; notes that carry the assumptions an
//! output depends on come last, one per row of a `notes` table, in a `note` column.

use super::RenderError;
use super::{Cell, Kind, Table};
use crate::report::Result;

/// The CSV header: `table` (when several tables), then every table's columns in order of
/// first appearance.
fn header(tables: &[Table]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    if several(tables) {
        keys.push("table".into());
    }
    for column in tables.iter().flat_map(|t| &t.columns) {
        for key in column.csv_keys() {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    if has_notes(tables) {
        keys.push(NOTE.into());
    }
    keys
}

const NOTE: &str = "note";

fn has_notes(tables: &[Table]) -> bool {
    assumption_notes(tables).next().is_some()
}

fn assumption_notes(tables: &[Table]) -> impl Iterator<Item = &String> {
    tables
        .iter()
        .filter(|t| t.notes_are_assumptions)
        .flat_map(|t| &t.notes)
}

/// Whether rows need a `table` column: several tables, or one with its notes.
fn several(tables: &[Table]) -> bool {
    tables.len() > 1 || has_notes(tables)
}

/// The raw values of one cell, one per CSV column the cell's column writes.
fn raw(cell: &Cell, kind: Kind) -> Vec<String> {
    let number = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    match (cell, kind) {
        (Cell::Missing, Kind::Range(..) | Kind::Shape) => vec![String::new(); 3],
        (Cell::Missing, _) => vec![String::new()],
        (Cell::Text(text), _) => vec![text.clone()],
        (Cell::Shape(s), _) => vec![s.m.to_string(), s.n.to_string(), s.k.to_string()],
        (Cell::Number(v), Kind::Range(..)) => vec![number(*v); 3],
        (Cell::Number(v), _) => vec![number(*v)],
        (Cell::Range(r), Kind::Range(..)) => vec![number(r.low), number(r.central), number(r.high)],
        (Cell::Range(r), _) => vec![number(r.central)],
    }
}

pub(super) fn render(tables: &[Table]) -> Result<String> {
    let keys = header(tables);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&keys).map_err(RenderError::csv)?;
    for table in tables {
        for row in &table.rows {
            let mut record = vec![String::new(); keys.len()];
            if several(tables) {
                record[0] = table.name.clone();
            }
            for (cell, column) in row.iter().zip(&table.columns) {
                for (key, value) in column.csv_keys().iter().zip(raw(cell, column.kind)) {
                    let at = keys
                        .iter()
                        .position(|k| k == key)
                        .expect("key is in the header");
                    record[at] = value;
                }
            }
            writer.write_record(&record).map_err(RenderError::csv)?;
        }
    }
    for note in assumption_notes(tables) {
        let mut record = vec![String::new(); keys.len()];
        record[0] = "notes".into();
        record[keys.len() - 1] = note.trim().to_string();
        writer.write_record(&record).map_err(RenderError::csv)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| RenderError::csv(e.into_error()))?;
    Ok(String::from_utf8(bytes).map_err(RenderError::csv)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;
    use crate::report::{Column, Shown, Unit};

    #[test]
    fn ranges_split_into_three_numeric_columns_and_missing_is_empty() {
        let mut t = Table::new(
            "fleets",
            vec![
                Column::text("fleet", "fleet"),
                Column::range("training", "training", Unit::FlopPerSecond, Shown::Si),
                Column::fraction("MFU", "mfu"),
            ],
        );
        t.push_row(vec![
            "a".into(),
            Range::new(1e18, 2e18, 3e18).unwrap().into(),
            0.4.into(),
        ]);
        t.push_row(vec!["b".into(), Cell::Missing, Cell::Missing]);
        let text = render(&[t]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "fleet,training_low_flop_per_s,training_central_flop_per_s,training_high_flop_per_s,mfu"
        );
        assert_eq!(
            lines[1],
            "a,1000000000000000000,2000000000000000000,3000000000000000000,0.4"
        );
        assert_eq!(lines[2], "b,,,,");
    }

    #[test]
    fn several_tables_share_one_header_with_a_table_column() {
        let mut a = Table::new("a", vec![Column::text("x", "x")]);
        a.push_row(vec!["1".into()]);
        let mut b = Table::new("b", vec![Column::number("y", "y", Unit::Watt, Shown::Si)]);
        b.push_row(vec![2.0.into()]);
        let text = render(&[a, b]).unwrap();
        assert_eq!(text, "table,x,y_w\na,1,\nb,,2\n");
    }
}
