//! CSV with a header row; several tables are separated by a blank line, each with its
//! own header. Titles and notes are left out so the file stays machine-readable.

use super::{Exporter, Table};
use crate::error::{Error, Result};

pub(super) struct CsvExporter;

impl Exporter for CsvExporter {
    fn render(&self, tables: &[Table]) -> Result<String> {
        let mut out = String::new();
        for (i, table) in tables.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let mut writer = csv::Writer::from_writer(Vec::new());
            let fail = |e: csv::Error| Error::runtime(format!("could not write CSV: {e}"));
            writer.write_record(&table.headers).map_err(fail)?;
            for row in &table.rows {
                writer.write_record(row).map_err(fail)?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| Error::runtime(format!("could not write CSV: {e}")))?;
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
        Ok(out)
    }
}
