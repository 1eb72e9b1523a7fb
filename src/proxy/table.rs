//! A small reader of comma-separated tables (RFC 4180: a header line, fields optionally in
//! double quotes, `""` for a quote inside quotes) whose errors name the file, the line and
//! the column, for the proxy data files.

use std::path::{Path, PathBuf};

/// An error reading a table: the file, the 1-based line and, where it applies, the column.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}{}: {detail}", path.display(), column.as_ref().map(|c| format!(" (column `{c}`)")).unwrap_or_default())]
pub struct TableError {
    /// The file.
    pub path: PathBuf,
    /// The line (1 = the header; 0 when the file cannot be read).
    pub line: usize,
    /// The column's header name.
    pub column: Option<String>,
    /// What is wrong, and the fix.
    pub detail: String,
}

/// A table read whole: the header and the rows, each row as many fields as the header.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file it came from.
    pub path: PathBuf,
    /// Column names.
    pub header: Vec<String>,
    /// (line number, fields) of every data row.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Splits one line into fields (quotes as in RFC 4180; no newline inside quotes).
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed; close it with `\"`".into());
    }
    fields.push(field);
    Ok(fields)
}

impl Table {
    /// Reads `path`.
    ///
    /// # Errors
    /// [`TableError`] when the file cannot be read, is empty, or a row has another number of
    /// fields than the header.
    pub fn read(path: &Path) -> Result<Table, TableError> {
        let err = |line, detail: String| TableError {
            path: path.to_path_buf(),
            line,
            column: None,
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(0, e.to_string()))?;
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let (_, head) = lines
            .next()
            .ok_or_else(|| err(1, "the file is empty; it needs a header line".into()))?;
        let header = split(head).map_err(|e| err(1, e))?;
        let mut rows = Vec::new();
        for (n, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let fields = split(line).map_err(|e| err(n, e))?;
            if fields.len() != header.len() {
                return Err(err(
                    n,
                    format!(
                        "{} fields where the header has {}",
                        fields.len(),
                        header.len()
                    ),
                ));
            }
            rows.push((n, fields));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// The index of column `name`.
    ///
    /// # Errors
    /// [`TableError`] naming the missing column and the header.
    pub fn column(&self, name: &str) -> Result<usize, TableError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TableError {
                path: self.path.clone(),
                line: 1,
                column: Some(name.into()),
                detail: format!("no such column; the header is {}", self.header.join(",")),
            })
    }

    /// The number in column `col` of row `row` (an index into [`Table::rows`]).
    ///
    /// # Errors
    /// [`TableError`] naming line and column when the field is not a finite number.
    pub fn number(&self, row: usize, col: usize) -> Result<f64, TableError> {
        let (line, fields) = &self.rows[row];
        let text = fields[col].trim();
        text.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| TableError {
                path: self.path.clone(),
                line: *line,
                column: Some(self.header[col].clone()),
                detail: format!("`{text}` is not a finite number"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_commas_and_errors_with_line_and_column() {
        assert_eq!(
            split(r#"a,"b, c","say ""hi""",,d"#).unwrap(),
            ["a", "b, c", "say \"hi\"", "", "d"]
        );
        assert!(split(r#"a,"b"#).is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "site,lat\nA,10.5\n\nB,north\nC\n").unwrap();
        let e = Table::read(&p).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
        assert!(
            e.to_string().contains("1 fields where the header has 2"),
            "{e}"
        );
        std::fs::write(&p, "site,lat\nA,10.5\n\nB,north\n").unwrap();
        let t = Table::read(&p).unwrap();
        let lat = t.column("lat").unwrap();
        assert_eq!(t.number(0, lat).unwrap(), 10.5);
        let e = t.number(1, lat).unwrap_err().to_string();
        assert!(
            e.contains("t.csv:4 (column `lat`): `north` is not a finite number"),
            "{e}"
        );
        let e = t.column("lon").unwrap_err().to_string();
        assert!(e.contains("column `lon`") && e.contains("site,lat"), "{e}");
    }
}
