//! Time in flow logs: the `--since/--until` window on a record's start time, the per-hour
//! `timeline` of a report, and the two ways a time is written (Unix seconds, RFC 3339).
//!
//! Owns: [`Window`], [`Timeline`], [`parse_time`] and [`rfc3339`]. Must never: read a clock
//! (a report depends on its logs only), keep anything per record (the timeline holds one
//! entry per hour the logs span), or panic on a time (years outside 1970–9999 are refused).

use std::collections::BTreeMap;

use serde::Serialize;

/// Records whose start time is in `[since, until)` (Unix seconds); an open end holds all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<u64>,
    pub until: Option<u64>,
}

impl Window {
    /// No bound at all.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether a record starting at `start` is in the window. A record without a start time
    /// is in an open window only.
    #[inline]
    pub fn holds(&self, start: Option<u64>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(s) = start else { return false };
        self.since.is_none_or(|a| s >= a) && self.until.is_none_or(|b| s < b)
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Unix seconds as RFC 3339 in UTC: `2026-01-01T13:00:00Z`.
pub fn rfc3339(epoch: u64) -> String {
    let secs = i64::try_from(epoch).unwrap_or(i64::MAX / 2);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn num(s: &str, what: &str) -> Result<i64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a {what}"));
    }
    s.parse().map_err(|_| format!("`{s}` is not a {what}"))
}

/// A time as Unix seconds (`1767225600`) or RFC 3339 (`2026-01-01T00:00:00Z`, an offset such
/// as `+01:00`, fractions of a second ignored; a date alone means its midnight UTC).
pub fn parse_time(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let help = "write Unix seconds (1767225600) or RFC 3339 (2026-01-01T00:00:00Z)";
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map_err(|_| format!("`{s}` is too large a time: {help}"));
    }
    let bad = |why: String| format!("`{s}` is not a time ({why}): {help}");
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad("the date is not YYYY-MM-DD".into()));
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad("the date is not YYYY-MM-DD".into()));
    }
    let (y, m, d) = (
        num(y, "year").map_err(bad)?,
        num(m, "month").map_err(bad)?,
        num(d, "day").map_err(bad)?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || d < 1
        || d > month_days[(m - 1) as usize]
    {
        return Err(bad("no such date after 1970".into()));
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = match t.rfind(['Z', 'z', '+', '-']) {
            Some(i) => (&t[..i], &t[i..]),
            None => return Err(bad("a time needs `Z` or an offset such as +01:00".into())),
        };
        let clock = clock.split('.').next().unwrap_or(clock);
        let hms: Vec<&str> = clock.split(':').collect();
        let [h, mi, sec] = hms.as_slice() else {
            return Err(bad("the time is not HH:MM:SS".into()));
        };
        let (h, mi, sec) = (
            num(h, "hour").map_err(bad)?,
            num(mi, "minute").map_err(bad)?,
            num(sec, "second").map_err(bad)?,
        );
        if h > 23 || mi > 59 || sec > 60 {
            return Err(bad("no such time of day".into()));
        }
        secs += h * 3600 + mi * 60 + sec;
        if !offset.eq_ignore_ascii_case("z") {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let o: Vec<&str> = offset[1..].split(':').collect();
            let [oh, om] = o.as_slice() else {
                return Err(bad("the offset is not ±HH:MM".into()));
            };
            let (oh, om) = (
                num(oh, "offset").map_err(bad)?,
                num(om, "offset").map_err(bad)?,
            );
            if oh > 23 || om > 59 {
                return Err(bad("no such offset".into()));
            }
            secs -= sign * (oh * 3600 + om * 60);
        }
    }
    u64::try_from(secs).map_err(|_| bad("before 1970".into()))
}

/// One hour of a report's timeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hour {
    /// The hour's start, RFC 3339 UTC.
    pub hour: String,
    pub records: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub drift: u64,
    pub broken: u64,
}

/// Per-hour counts (by the records' start time; records without one are not in it).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    hours: BTreeMap<u64, [u64; 5]>,
}

/// What a record adds to its hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Accepted,
    Rejected,
    Drift,
    Broken,
}

impl Timeline {
    #[inline]
    pub fn add(&mut self, start: Option<u64>, mark: Mark) {
        let Some(s) = start else { return };
        let h = self.hours.entry(s / 3600).or_default();
        match mark {
            Mark::Accepted => {
                h[0] += 1;
                h[1] += 1;
            }
            Mark::Rejected => {
                h[0] += 1;
                h[2] += 1;
            }
            Mark::Drift => h[3] += 1,
            Mark::Broken => h[4] += 1,
        }
    }

    pub fn merge(&mut self, other: Timeline) {
        for (k, v) in other.hours {
            let h = self.hours.entry(k).or_default();
            for (a, b) in h.iter_mut().zip(v) {
                *a += b;
            }
        }
    }

    /// The hours in time order.
    pub fn hours(&self) -> Vec<Hour> {
        self.hours
            .iter()
            .map(|(k, v)| Hour {
                hour: rfc3339(k * 3600),
                records: v[0],
                accepted: v[1],
                rejected: v[2],
                drift: v[3],
                broken: v[4],
            })
            .collect()
    }
}
