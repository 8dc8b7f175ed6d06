//! The meaning of an AWS VPC flow-log record's fields, whatever holds them: a text line's
//! columns (`read_aws.rs`) or a Parquet row's (`read_parquet.rs`). One set of rules, so the two
//! readers give the same record, or the same reason for none, for the same values.
//!
//! Owns: which fields are required, how each is read (`-`, or a null, is absent), NODATA and
//! SKIPDATA. Must never: split a line, read a file, or classify a record.

use super::aws::{Parsed, ROLE_NAMES, Role, parse_ip, parse_num};
use super::{Action, Direction, FlowRecord, Problem, SkipKind};

/// One record's fields as its reader holds them.
pub(super) trait Fields<'a> {
    /// A string field; `None` when the format lacks it or its value is `-` (or null).
    fn text(&self, role: Role) -> Result<Option<&'a [u8]>, Problem>;
    /// A number field (digits, or an integer column); `None` as for [`Fields::text`].
    fn number(&self, role: Role) -> Result<Option<u64>, Problem>;
}

fn bad(role: Role) -> Problem {
    Problem::BadValue {
        field: ROLE_NAMES[role as usize],
    }
}

/// The record of one line or row (`line`: its number), or why there is none.
#[inline]
pub(super) fn record<'a>(f: &impl Fields<'a>, line: u64) -> Result<Parsed<'a>, Problem> {
    match f.text(Role::Status)? {
        None | Some(b"OK") => {}
        Some(b"NODATA") => return Ok(Parsed::Skipped(SkipKind::NoData)),
        Some(b"SKIPDATA") => return Ok(Parsed::Skipped(SkipKind::SkipData)),
        Some(_) => return Err(bad(Role::Status)),
    }
    let ip = |role: Role| f.text(role)?.and_then(parse_ip).ok_or_else(|| bad(role));
    let src = ip(Role::Src)?;
    let dst = ip(Role::Dst)?;
    let port = |role: Role| {
        f.number(role)?
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| bad(role))
    };
    let src_port = port(Role::SrcPort)?;
    let dst_port = port(Role::DstPort)?;
    let protocol = f
        .number(Role::Protocol)?
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| bad(Role::Protocol))?;
    let action = match f.text(Role::Action)? {
        Some(b"ACCEPT") => Action::Accept,
        Some(b"REJECT") => Action::Reject,
        _ => return Err(bad(Role::Action)),
    };
    let packets = f.number(Role::Packets)?.unwrap_or(0);
    let bytes = f.number(Role::Bytes)?.unwrap_or(0);
    let start = f.number(Role::Start)?;
    let end = f.number(Role::End)?;
    let interface = match f.text(Role::Interface)? {
        None => None,
        Some(b) => Some(std::str::from_utf8(b).map_err(|_| bad(Role::Interface))?),
    };
    let direction = match f.text(Role::Direction)? {
        None => None,
        Some(b"ingress") => Some(Direction::Inbound),
        Some(b"egress") => Some(Direction::Outbound),
        Some(_) => return Err(bad(Role::Direction)),
    };
    Ok(Parsed::Record(FlowRecord {
        line,
        src,
        dst,
        src_port,
        dst_port,
        protocol,
        packets,
        bytes,
        start,
        end,
        action,
        interface,
        direction,
        rule: None,
        state: None,
    }))
}

/// A text line's columns: the slots of the layout's roles.
pub(super) struct TextFields<'s, 'a> {
    pub present: &'s [bool],
    pub slot: &'s [&'a [u8]],
}

impl<'a> Fields<'a> for TextFields<'_, 'a> {
    #[inline]
    fn text(&self, role: Role) -> Result<Option<&'a [u8]>, Problem> {
        let i = role as usize;
        let v = self.slot[i];
        Ok((self.present[i] && v != b"-").then_some(v))
    }

    #[inline]
    fn number(&self, role: Role) -> Result<Option<u64>, Problem> {
        match self.text(role)? {
            None => Ok(None),
            Some(v) => parse_num(v).map(Some).ok_or_else(|| bad(role)),
        }
    }
}
