//! The AWS VPC flow-log reader for Apache Parquet (S3 delivery's `parquet` file format): one
//! column per field, Gzip-compressed pages, as AWS writes them
//! (<https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html>, "Log file
//! format"; the field types: "Parquet data type" in
//! <https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-fields>).
//!
//! Columns are found by name: AWS's field name with `_` for `-` (`log_status`, as Athena's
//! `vpc-flow-logs-parquet` table names them) or with `-`, in any case. Only the columns a
//! record needs are read, one row group at a time and [`BATCH`] rows at a time within it, so
//! memory is bounded by a batch (and a page), never by the file. A record goes through the
//! same rules as a text line ([`super::aws::parse_aws`]): a null value is the text's `-`, a
//! missing required column makes every row unreadable (as a header lacking the field does),
//! a missing optional column leaves the field absent.
//!
//! A record's `line` is its row in the file, 1-based; a problem with the file as a whole (no
//! footer, a bad schema, a missing required column) is reported on line 0.
//!
//! Must never: classify, hold more than a batch of rows (and the decoder's page), or panic on a
//! broken file (every error of the Parquet decoder, and a panic of it, becomes a
//! [`Problem::Parquet`] event and reading of the file stops there).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io;

use ::parquet::basic::{Compression, Type as PhysicalType};
use ::parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use ::parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use ::parquet::file::reader::{FileReader, RowGroupReader};
use ::parquet::file::serialized_reader::SerializedFileReader;

use super::aws::{REQUIRED, ROLE_NAMES, Role, SLOTS, parse_num, role_at};
use super::aws_fields::Fields;
use super::{FlowRecord, Out, Problem, ReadEvent, SkipKind};

/// Rows decoded per column before they are turned into records.
pub const BATCH: usize = 4096;

/// [`read_parquet`], with a panic of the Parquet decoder (a defect of the decoder on a hostile
/// file) turned into a [`Problem::Parquet`] event: reading of the file stops there.
pub(super) fn read_parquet_guarded<F: FnMut(ReadEvent<'_>)>(file: File, out: &mut Out<F>) {
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_parquet(file, out)));
    if let Err(panic) = run {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        out.unreadable(
            0,
            Cow::Borrowed(""),
            Problem::Parquet {
                message: format!("the Parquet decoder failed on this file ({why})"),
            },
        );
    }
}

/// Reads a Parquet flow log held in `file`; the counts go to `out.stats`.
fn read_parquet<F: FnMut(ReadEvent<'_>)>(file: File, out: &mut Out<F>) {
    let reader = match SerializedFileReader::new(file) {
        Ok(reader) => reader,
        Err(e) => {
            out.unreadable(0, Cow::Borrowed(""), parquet_problem(&e));
            return;
        }
    };
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    // The leaf column of each role (top-level, not repeated; the first of a repeated name).
    let mut column: [Option<usize>; SLOTS] = [None; SLOTS];
    for i in 0..schema.num_columns() {
        let c = schema.column(i);
        if c.path().parts().len() != 1 || c.max_rep_level() != 0 {
            continue;
        }
        let name = c.name().to_ascii_lowercase().replace('_', "-");
        if let Some(k) = ROLE_NAMES.iter().position(|n| *n == name)
            && column[k].is_none()
        {
            column[k] = Some(i);
        }
    }
    let rows: u64 = (0..meta.num_row_groups())
        .map(|g| u64::try_from(meta.row_group(g).num_rows()).unwrap_or(0))
        .sum();
    out.stats.lines = rows;
    out.stats.compressed = (0..meta.num_row_groups()).any(|g| {
        meta.row_group(g)
            .columns()
            .iter()
            .any(|c| c.compression() != Compression::UNCOMPRESSED)
    });
    if let Some(role) = REQUIRED.iter().find(|r| column[**r as usize].is_none()) {
        // As a text header lacking a field: the header (here the schema) and every row.
        let missing = ROLE_NAMES[*role as usize];
        let names: Vec<String> = (0..schema.num_columns())
            .map(|i| schema.column(i).name().to_owned())
            .collect();
        out.unreadable(
            0,
            Cow::Owned(names.join(" ")),
            Problem::BadHeader { missing },
        );
        for row in 1..=rows {
            out.unreadable(row, Cow::Borrowed(""), Problem::NoUsableHeader { missing });
        }
        return;
    }
    let mut row = 0u64;
    for g in 0..reader.num_row_groups() {
        let group = match reader.get_row_group(g) {
            Ok(group) => group,
            Err(e) => {
                out.unreadable(row + 1, Cow::Borrowed(""), parquet_problem(&e));
                return;
            }
        };
        if let Err(e) = read_group(&*group, &column, &mut row, out) {
            out.unreadable(row + 1, Cow::Borrowed(""), e);
            return;
        }
    }
}

/// The reader and buffers of one column of a row group.
struct Col {
    values: Values,
    def: Vec<i16>,
    max_def: i16,
    /// Next value of `values` (values hold the non-null rows only).
    next: usize,
}

enum Values {
    I32(ColumnReaderImpl<Int32Type>, Vec<i32>),
    I64(ColumnReaderImpl<Int64Type>, Vec<i64>),
    Bytes(ColumnReaderImpl<ByteArrayType>, Vec<ByteArray>),
    /// A column whose physical type cannot hold the field: every row is a bad value.
    Unusable,
}

/// One field of one row.
#[derive(Clone, Copy)]
enum Val<'a> {
    /// Null (the text format's `-`), or no column.
    Absent,
    Int(i64),
    Bytes(&'a [u8]),
    /// The column's type cannot hold the field.
    Bad,
}

impl Col {
    fn open(group: &dyn RowGroupReader, i: usize, role: Role) -> Result<Self, Problem> {
        let descr = group.metadata().schema_descr().column(i);
        let max_def = descr.max_def_level();
        let text_role = matches!(
            role,
            Role::Src | Role::Dst | Role::Interface | Role::Action | Role::Status | Role::Direction
        );
        let usable = match descr.physical_type() {
            PhysicalType::BYTE_ARRAY => true,
            PhysicalType::INT32 | PhysicalType::INT64 => !text_role,
            _ => false,
        };
        let values = if usable {
            match group
                .get_column_reader(i)
                .map_err(|e| parquet_problem(&e))?
            {
                ColumnReader::Int32ColumnReader(r) => Values::I32(r, Vec::new()),
                ColumnReader::Int64ColumnReader(r) => Values::I64(r, Vec::new()),
                ColumnReader::ByteArrayColumnReader(r) => Values::Bytes(r, Vec::new()),
                _ => Values::Unusable,
            }
        } else {
            Values::Unusable
        };
        Ok(Col {
            values,
            def: Vec::new(),
            max_def,
            next: 0,
        })
    }

    /// Decodes up to `n` more rows; returns how many (`None` for an unusable column).
    fn fill(&mut self, n: usize) -> Result<Option<usize>, Problem> {
        self.def.clear();
        self.next = 0;
        let def = (self.max_def > 0).then_some(&mut self.def);
        let got = match &mut self.values {
            Values::I32(r, v) => {
                v.clear();
                r.read_records(n, def, None, v)
            }
            Values::I64(r, v) => {
                v.clear();
                r.read_records(n, def, None, v)
            }
            Values::Bytes(r, v) => {
                v.clear();
                r.read_records(n, def, None, v)
            }
            Values::Unusable => return Ok(None),
        };
        got.map(|(records, _, _)| Some(records))
            .map_err(|e| parquet_problem(&e))
    }

    /// The value of row `r` of the batch; rows must be asked in order.
    fn value(&mut self, r: usize) -> Val<'_> {
        if matches!(self.values, Values::Unusable) {
            return Val::Bad;
        }
        if self.max_def > 0 && self.def.get(r) != Some(&self.max_def) {
            return Val::Absent;
        }
        let k = self.next;
        self.next += 1;
        match &self.values {
            Values::I32(_, v) => v.get(k).map_or(Val::Bad, |x| Val::Int(i64::from(*x))),
            Values::I64(_, v) => v.get(k).map_or(Val::Bad, |x| Val::Int(*x)),
            Values::Bytes(_, v) => v.get(k).map_or(Val::Bad, |x| Val::Bytes(x.data())),
            Values::Unusable => Val::Bad,
        }
    }
}

/// Reads the rows of one row group, `BATCH` at a time.
fn read_group<F: FnMut(ReadEvent<'_>)>(
    group: &dyn RowGroupReader,
    column: &[Option<usize>; SLOTS],
    row: &mut u64,
    out: &mut Out<F>,
) -> Result<(), Problem> {
    let total = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
    let mut cols: Vec<(Role, Col)> = Vec::with_capacity(SLOTS);
    for (k, c) in column.iter().enumerate() {
        if let Some(i) = c {
            let role = role_at(k);
            cols.push((role, Col::open(group, *i, role)?));
        }
    }
    let mut done = 0usize;
    while done < total {
        let want = BATCH.min(total - done);
        for (_, col) in &mut cols {
            if let Some(got) = col.fill(want)?
                && got != want
            {
                return Err(Problem::Parquet {
                    message: format!(
                        "a column holds {} rows where the row group has {total}",
                        done + got
                    ),
                });
            }
        }
        for r in 0..want {
            *row += 1;
            let mut slot = [Val::Absent; SLOTS];
            for (role, col) in &mut cols {
                slot[*role as usize] = col.value(r);
            }
            match record(&slot, *row) {
                Ok(rec) => out.record(rec),
                Err(NoRecord::Skip(kind)) => out.skipped(*row, kind),
                Err(NoRecord::Bad(why)) => out.unreadable(*row, Cow::Owned(show(&slot)), why),
            }
        }
        done += want;
    }
    Ok(())
}

/// Why a row gives no record.
enum NoRecord {
    /// Unreadable.
    Bad(Problem),
    /// NODATA or SKIPDATA.
    Skip(SkipKind),
}

/// A Parquet row's columns: null (or a missing column) and `-` are absent; a number is an
/// integer column or digits in a string column.
struct RowFields<'s, 'a> {
    slot: &'s [Val<'a>; SLOTS],
}

fn bad(role: Role) -> Problem {
    Problem::BadValue {
        field: ROLE_NAMES[role as usize],
    }
}

impl<'a> Fields<'a> for RowFields<'_, 'a> {
    fn text(&self, role: Role) -> Result<Option<&'a [u8]>, Problem> {
        match self.slot[role as usize] {
            Val::Absent | Val::Bytes(b"-") => Ok(None),
            Val::Bytes(b) => Ok(Some(b)),
            Val::Int(_) | Val::Bad => Err(bad(role)),
        }
    }

    fn number(&self, role: Role) -> Result<Option<u64>, Problem> {
        match self.slot[role as usize] {
            Val::Absent | Val::Bytes(b"-") => Ok(None),
            Val::Int(n) => u64::try_from(n).map(Some).map_err(|_| bad(role)),
            Val::Bytes(b) => parse_num(b).map(Some).ok_or_else(|| bad(role)),
            Val::Bad => Err(bad(role)),
        }
    }
}

/// The record of one row, by the text reader's rules (`aws_fields.rs`, shared), a null value
/// standing for its `-`.
fn record<'a>(slot: &[Val<'a>; SLOTS], line: u64) -> Result<FlowRecord<'a>, NoRecord> {
    match super::aws_fields::record(&RowFields { slot }, line) {
        Ok(super::aws::Parsed::Record(r)) => Ok(r),
        Ok(super::aws::Parsed::Skipped(k)) => Err(NoRecord::Skip(k)),
        Err(p) => Err(NoRecord::Bad(p)),
    }
}

/// An unreadable row as `name=value` pairs of the columns read (`-` for null).
fn show(slot: &[Val<'_>; SLOTS]) -> String {
    let mut s = String::new();
    for (k, v) in slot.iter().enumerate() {
        let name = ROLE_NAMES[k];
        match v {
            Val::Absent => {}
            Val::Int(n) => {
                let _ = write!(s, "{name}={n} ");
            }
            Val::Bytes(b) => {
                let _ = write!(s, "{name}={} ", String::from_utf8_lossy(b));
            }
            Val::Bad => {
                let _ = write!(s, "{name}=(unreadable type) ");
            }
        }
    }
    s.truncate(s.trim_end().len());
    s
}

fn parquet_problem(e: &::parquet::errors::ParquetError) -> Problem {
    Problem::Parquet {
        message: e.to_string(),
    }
}

/// Copies a non-seekable Parquet stream (standard input, a gzip-wrapped file) to a temporary
/// file, since a Parquet file is read from its footer, then reads it.
pub(super) fn read_parquet_stream<R: io::Read, F: FnMut(ReadEvent<'_>)>(
    mut input: R,
    out: &mut Out<F>,
) -> io::Result<()> {
    let mut tmp = tempfile::tempfile()?;
    io::copy(&mut input, &mut tmp)?;
    read_parquet_guarded(tmp, out);
    Ok(())
}
