//! The flow-log report: what an [`Analyzer`] accumulates over the records of one or more
//! logs (counts, capped samples of drift, broken calls and anomalies, zone pairs, top
//! talkers, unreadable lines), how two analyzers of parts of one log merge, and the text and
//! JSON forms of the finished [`FlowReport`].
//!
//! Owns: the comparison of an observed action with the design's verdict, the seed's anomaly
//! rules, and the report's shape (SPEC §7). Must never: keep more than [`SAMPLE_CAP`] entries
//! of any list or [`TALKER_KEEP`] × 4 talkers (counts stay exact), read a file, or panic on a
//! record.

use std::net::IpAddr;

use serde::Serialize;

use super::classify::{
    AddrClass, AddrKey, AllowingRule, Classifier, DecidingRule, FxMap, Judged, Judgement,
    SharedClasses,
};
use super::read;
use super::window::{Hour, Timeline, Window};
use crate::model::rules::Protocol;
use crate::model::{Topology, Verdict};

mod record;
use record::{Batch, Held};
pub use record::{EARLY_RECORDS, Early, JUDGE_BATCH};

/// Entries kept of each list (drift, broken, anomalies); counts stay exact.
pub const SAMPLE_CAP: usize = 1000;
/// Unreadable lines shown.
pub const UNREADABLE_SAMPLES: usize = 10;
/// Top talkers reported.
pub const TOP_TALKERS: usize = 10;
/// Source addresses tracked for the top talkers after a trim (trimmed at four times this).
pub const TALKER_KEEP: usize = 4096;
/// `large_transfer`: more than this many bytes from the inference zone in one record (100 MiB).
pub const LARGE_TRANSFER: u64 = 100 * 1024 * 1024;
/// Characters of an unreadable line kept.
const TEXT_LEN: usize = 200;

/// A line that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnreadableSample {
    pub file: String,
    pub line: u64,
    pub text: String,
    pub why: String,
}

/// A record whose observed action disagrees with the design: drift (accepted, design denies)
/// or a broken call (rejected, design allows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub file: String,
    pub line: u64,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    /// The service port the design was asked about (the destination port; the source port
    /// of a reply; none for ICMP).
    pub port: Option<u16>,
    pub protocol: String,
    /// `accept` or `reject`, as the log says.
    pub observed: &'static str,
    /// The design's verdict: `allow`, `deny` or `no_route`.
    pub verdict: Verdict,
    /// The deciding rule (`null` for `no_route`).
    pub decided_by: Option<DecidingRule>,
    pub reason: String,
    /// The record is the reply half of a connection: the design was asked about the request
    /// (`dst → src` on `src_port`).
    pub reply: bool,
    pub src_zone: String,
    pub dst_zone: String,
    /// The source's endpoint id, else its subnet's, else its network's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_name: Option<String>,
    pub bytes: u64,
    /// Broken calls: the path the design gives the flow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    /// Broken calls: the rules of the design that allow it, in path order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_by: Vec<AllowingRule>,
}

/// One of the seed's anomalies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// `data_zone_egress`, `large_transfer` or `unapproved_endpoint`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `critical`, `high` or `medium` (the seed's).
    pub severity: &'static str,
    pub file: String,
    pub line: u64,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: u16,
    pub dst_port: u16,
    pub port: u16,
    pub protocol: String,
    pub observed: &'static str,
    pub bytes: u64,
    pub src_zone: String,
    pub dst_zone: String,
    /// The source's endpoint id, else its subnet's, else its network's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_name: Option<String>,
    pub message: String,
}

/// Records from one zone to another (initiator → responder).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZonePair {
    pub from: String,
    pub to: String,
    pub records: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub bytes: u64,
}

/// A source address by the bytes of its records (AWS: sent; Azure: both directions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Talker {
    pub address: IpAddr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub zone: String,
    pub records: u64,
    pub bytes: u64,
}

/// One log read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub file: String,
    /// `aws`, `aws-parquet`, `azure` or `gcp`.
    pub format: &'static str,
    pub compressed: bool,
    pub lines: u64,
    pub records: u64,
    pub skipped: u64,
    pub unreadable: u64,
    /// Parts read in parallel (1: one pass).
    pub parts: usize,
}

/// Exact counts (the lists hold at most [`SAMPLE_CAP`] entries each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub drift: u64,
    pub broken: u64,
    pub anomalies: u64,
    pub data_zone_egress: u64,
    pub large_transfer: u64,
    pub unapproved_endpoint: u64,
}

/// How the verdict cache did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Flows the engine judged (misses of the caches: a plan on the exact engine per new pair
    /// of classes and transport, or a trace for a flow through a DNAT or to a gateway with
    /// backends; the name is kept for the JSON report).
    pub traces: u64,
    /// Verdicts answered from the cache.
    pub hits: u64,
    /// Flows the engine could not trace.
    pub errors: u64,
}

/// The report of `zonescope flows` (SPEC §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowReport {
    pub topology: String,
    pub files: Vec<FileSummary>,
    /// Flow records read.
    pub records: u64,
    /// NODATA / SKIPDATA records.
    pub skipped: u64,
    /// Unreadable lines, tuples or documents.
    pub unreadable: u64,
    /// The first few of them.
    pub unreadable_samples: Vec<UnreadableSample>,
    /// Records compared with the design.
    pub judged: u64,
    /// Judged records whose action agrees with the design.
    pub consistent: u64,
    /// AWS reply records (see [`is_reply`]); an accepted reply is not judged, a rejected one
    /// is judged as its request.
    pub replies: u64,
    /// Records the design cannot judge: a protocol other than TCP, UDP and ICMP, a flow the
    /// engine could not trace, or a request as a NAT gateway's interface logs it (its
    /// destination is not in the record, [`super::translated`]).
    pub unjudged: u64,
    /// Records with neither address in the design (outside every network, no endpoint):
    /// counted in the zone pairs, not judged.
    pub outside: u64,
    pub counts: Counts,
    /// Entries kept per list.
    pub sample_cap: usize,
    pub drift: Vec<Mismatch>,
    pub broken: Vec<Mismatch>,
    pub anomalies: Vec<Anomaly>,
    pub zone_pairs: Vec<ZonePair>,
    pub top_talkers: Vec<Talker>,
    /// Top talkers are approximate: sources were dropped from the tally along the way.
    pub talkers_approximate: bool,
    pub cache: CacheStats,
    /// Records left out by `--since/--until` (not counted anywhere else).
    pub outside_window: u64,
    /// Per hour of the records' start time: records, accepted, rejected, drift, broken.
    pub timeline: Vec<Hour>,
}

#[derive(Clone, Copy, Default)]
struct PairCount {
    records: u64,
    accepted: u64,
    rejected: u64,
    bytes: u64,
}

/// Accumulates a report over the events of one or more logs.
pub struct Analyzer<'t> {
    c: Classifier<'t>,
    file: String,
    zones: usize,
    files: Vec<FileSummary>,
    window: Window,
    /// What has been counted ([`Analyzer::take_part`] hands it on, the classifier stays).
    n: Tally,
    /// Samples are kept as the records that make them and made when a merge keeps them
    /// ([`Analyzer::defer_samples`]).
    deferred: bool,
    /// Records read and not yet judged or counted ([`record`]).
    batch: Batch,
}

/// What an [`Analyzer`] has counted over the records it took: counts, samples (made, or
/// kept to be made, [`Deferred`]), zone pairs, talkers, the timeline and the classifier's
/// cache counters. A part of a log is one of these, merged in the log's order.
struct Tally {
    records: u64,
    skipped: u64,
    unreadable: u64,
    judged: u64,
    consistent: u64,
    replies: u64,
    unjudged: u64,
    outside: u64,
    counts: Counts,
    drift: Vec<Mismatch>,
    broken: Vec<Mismatch>,
    anomalies: Vec<Anomaly>,
    unreadable_samples: Vec<UnreadableSample>,
    pairs: Vec<PairCount>,
    talkers: FxMap<AddrKey, (u64, u64)>,
    talkers_trimmed: bool,
    outside_window: u64,
    timeline: Timeline,
    /// The samples of a part whose analyzer defers them, at most [`SAMPLE_CAP`] a list.
    later: Deferred,
    cache: CacheStats,
}

impl Tally {
    /// The broken-call samples (`broken`), or the drift samples.
    fn mismatches(&mut self, broken: bool) -> &mut Vec<Mismatch> {
        if broken {
            &mut self.broken
        } else {
            &mut self.drift
        }
    }

    fn new(zones: usize) -> Tally {
        Tally {
            records: 0,
            skipped: 0,
            unreadable: 0,
            judged: 0,
            consistent: 0,
            replies: 0,
            unjudged: 0,
            outside: 0,
            counts: Counts::default(),
            drift: Vec::new(),
            broken: Vec::new(),
            anomalies: Vec::new(),
            unreadable_samples: Vec::new(),
            pairs: vec![PairCount::default(); zones * zones],
            talkers: FxMap::default(),
            talkers_trimmed: false,
            outside_window: 0,
            timeline: Timeline::default(),
            later: Deferred::default(),
            cache: CacheStats::default(),
        }
    }
}

/// The samples of a part of a log, kept as the records that make them: a later part's are
/// made only if the merge keeps them (most parts of a log with much drift never are).
#[derive(Default)]
struct Deferred {
    drift: Vec<ToMismatch>,
    broken: Vec<ToMismatch>,
    anomalies: Vec<ToAnomaly>,
}

impl Deferred {
    /// The broken-call samples to make (`broken`), or the drift ones.
    fn mismatches(&mut self, broken: bool) -> &mut Vec<ToMismatch> {
        if broken {
            &mut self.broken
        } else {
            &mut self.drift
        }
    }
}

/// A drift or broken sample to make ([`Analyzer::mismatch`]).
struct ToMismatch {
    rec: Held,
    s: AddrClass,
    d: AddrClass,
    ask: Asked,
    verdict: Verdict,
}

/// The flow a sample's record asked about: the request on `port` (`dst → src` for a reply).
#[derive(Clone, Copy)]
struct Asked {
    port: Option<u16>,
    proto: Protocol,
    reply: bool,
}

/// An anomaly sample to make ([`Analyzer::anomaly`]).
struct ToAnomaly {
    rec: Held,
    s: AddrClass,
    d: AddrClass,
    kind: AnomalyKind,
}

/// The seed's anomalies, and what each one's message names.
#[derive(Clone, Copy)]
enum AnomalyKind {
    DataZoneEgress,
    LargeTransfer,
    /// With the design's verdict.
    UnapprovedEndpoint(Verdict),
}

/// The counted part of an analyzer ([`Analyzer::take_part`]), for [`Analyzer::merge_part`].
pub struct Part {
    n: Tally,
    file: String,
}

fn proto_name(n: u8) -> String {
    match n {
        6 => "tcp".to_string(),
        17 => "udp".to_string(),
        1 => "icmp".to_string(),
        58 => "icmpv6".to_string(),
        n => n.to_string(),
    }
}

fn observed(a: read::Action) -> &'static str {
    match a {
        read::Action::Accept => "accept",
        read::Action::Reject => "reject",
    }
}

impl<'t> Analyzer<'t> {
    pub fn new(t: &'t Topology) -> Self {
        Self::with_classifier(Classifier::new(t))
    }

    /// An analyzer whose classifier shares its traced verdicts with others (parts of one
    /// log read in parallel).
    pub fn with_shared(t: &'t Topology, shared: &'t SharedClasses) -> Self {
        Self::with_classifier(Classifier::with_shared(t, shared))
    }

    /// An analyzer that traces every record's flow, caching nothing (slow: the reference the
    /// class-keyed verdict cache is tested against).
    pub fn uncached(t: &'t Topology) -> Self {
        Self::with_classifier(Classifier::uncached(t))
    }

    fn with_classifier(c: Classifier<'t>) -> Self {
        let zones = c.zone_names().len();
        Analyzer {
            c,
            file: String::new(),
            zones,
            files: Vec::new(),
            window: Window::default(),
            n: Tally::new(zones),
            deferred: false,
            batch: Batch::default(),
        }
    }

    /// The classifier (its cache counters).
    pub fn classifier(&self) -> &Classifier<'t> {
        &self.c
    }

    /// Keeps only the records that start in `w` (`--since/--until`).
    pub fn set_window(&mut self, w: Window) {
        self.window = w;
    }

    /// The window records are kept in.
    pub fn window(&self) -> Window {
        self.window
    }

    /// Names the log the next events come from (used in samples).
    pub fn set_file(&mut self, name: &str) {
        self.flush();
        name.clone_into(&mut self.file);
    }

    /// Records that a log was read to its end.
    pub fn file_done(&mut self, stats: &read::Stats) {
        self.flush();
        self.files.push(FileSummary {
            file: self.file.clone(),
            format: match stats.format {
                read::LogFormat::Azure => "azure",
                read::LogFormat::Gcp => "gcp",
                read::LogFormat::Parquet => "aws-parquet",
                read::LogFormat::Aws | read::LogFormat::Auto => "aws",
            },
            compressed: stats.compressed,
            lines: stats.lines,
            records: stats.records,
            skipped: stats.skipped,
            unreadable: stats.unreadable,
            parts: 1,
        });
    }

    /// Notes that the last log was read in `parts` parallel parts.
    pub(crate) fn set_parts(&mut self, parts: usize) {
        if let Some(f) = self.files.last_mut() {
            f.parts = parts;
        }
    }

    #[inline]
    fn talk(&mut self, src: IpAddr, bytes: u64) {
        let e = self.n.talkers.entry(AddrKey(src)).or_insert((0, 0));
        e.0 += 1;
        e.1 = e.1.saturating_add(bytes);
        if self.n.talkers.len() >= TALKER_KEEP * 4 {
            self.trim_talkers();
        }
    }

    fn trim_talkers(&mut self) {
        let mut all: Vec<(AddrKey, (u64, u64))> = self.n.talkers.drain().collect();
        if all.len() > TALKER_KEEP {
            // The heaviest TALKER_KEEP first, in no order (a selection, not a sort).
            all.select_nth_unstable_by(TALKER_KEEP, |a, b| {
                b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0))
            });
            all.truncate(TALKER_KEEP);
        }
        self.n.talkers.extend(all);
        self.n.talkers_trimmed = true;
    }

    fn zone_name(&self, c: &AddrClass) -> String {
        self.c
            .zone_names()
            .get(c.zone as usize)
            .cloned()
            .unwrap_or_default()
    }

    /// Keeps a drift (`broken`: a broken-call) sample of `rec`, made now or deferred.
    fn sample(
        &mut self,
        rec: &Held,
        (s, d): (&AddrClass, &AddrClass),
        ask: Asked,
        j: Judged,
        broken: bool,
    ) {
        if self.deferred {
            let later = self.n.later.mismatches(broken);
            if later.len() < SAMPLE_CAP {
                later.push(ToMismatch {
                    rec: *rec,
                    s: *s,
                    d: *d,
                    ask,
                    verdict: j.verdict,
                });
            }
        } else if self.n.mismatches(broken).len() < SAMPLE_CAP {
            let m = self.mismatch(&self.file, rec, (s, d), ask, j, broken);
            self.n.mismatches(broken).push(m);
        }
    }

    /// The sample of a record whose action disagrees with the design's verdict `j` on the
    /// flow `ask` names (`broken`: rejected, though the design allows it).
    fn mismatch(
        &self,
        file: &str,
        r: &Held,
        (s, d): (&AddrClass, &AddrClass),
        ask: Asked,
        j: Judged,
        broken: bool,
    ) -> Mismatch {
        let Asked { port, proto, reply } = ask;
        // The cache answers for a flow with the judgement of another of the same classes:
        // trace this record's own addresses and port so that the reason and path name them.
        let (from, to) = if reply {
            (r.dst, r.src)
        } else {
            (r.src, r.dst)
        };
        let cached = j
            .judgement
            .map(|i| self.c.judgement(i))
            .filter(|j| j.traced == (from, to, port));
        // Traced on this record unless the cache holds its own trace; the verdict alone if
        // the exact engine judged the flow but its trace failed.
        let exact;
        let j = match cached {
            Some(j) => j,
            None => {
                exact = self
                    .c
                    .exact(from, to, port, proto)
                    .unwrap_or_else(|| Judgement::unexplained(j.verdict, (from, to, port)));
                &exact
            }
        };
        Mismatch {
            file: file.to_string(),
            line: r.line,
            src: r.src,
            dst: r.dst,
            src_port: r.src_port,
            dst_port: r.dst_port,
            port,
            protocol: proto_name(r.protocol),
            observed: observed(r.action),
            verdict: j.verdict,
            decided_by: j.decided_by.clone(),
            reason: j.reason.clone(),
            reply,
            src_zone: self.zone_name(s),
            dst_zone: self.zone_name(d),
            src_name: self.c.label(s).map(str::to_string),
            dst_name: self.c.label(d).map(str::to_string),
            bytes: r.bytes,
            path: if broken { j.path.clone() } else { Vec::new() },
            allowed_by: if broken {
                j.allowed_by.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// Counts one of the seed's anomalies, and keeps its sample (made now, or deferred).
    fn anomaly(&mut self, r: &Held, s: &AddrClass, d: &AddrClass, kind: AnomalyKind) {
        self.n.counts.anomalies += 1;
        match kind {
            AnomalyKind::DataZoneEgress => self.n.counts.data_zone_egress += 1,
            AnomalyKind::LargeTransfer => self.n.counts.large_transfer += 1,
            AnomalyKind::UnapprovedEndpoint(_) => self.n.counts.unapproved_endpoint += 1,
        }
        if self.deferred {
            if self.n.later.anomalies.len() < SAMPLE_CAP {
                self.n.later.anomalies.push(ToAnomaly {
                    rec: *r,
                    s: *s,
                    d: *d,
                    kind,
                });
            }
        } else if self.n.anomalies.len() < SAMPLE_CAP {
            let a = self.make_anomaly(&self.file, r, s, d, kind);
            self.n.anomalies.push(a);
        }
    }

    fn make_anomaly(
        &self,
        file: &str,
        r: &Held,
        s: &AddrClass,
        d: &AddrClass,
        kind: AnomalyKind,
    ) -> Anomaly {
        let (kind, severity, message) = match kind {
            AnomalyKind::DataZoneEgress => (
                "data_zone_egress",
                "critical",
                format!(
                    "data zone address {} sent to {} outside every network (port {}): the data zone has no internet access",
                    r.src, r.dst, r.dst_port
                ),
            ),
            AnomalyKind::LargeTransfer => (
                "large_transfer",
                "high",
                format!(
                    "{:.1} MiB from the inference zone ({}) to {} in one record: model weights or data leaving?",
                    r.bytes as f64 / 1_048_576.0,
                    r.src,
                    r.dst
                ),
            ),
            AnomalyKind::UnapprovedEndpoint(verdict) => (
                "unapproved_endpoint",
                "medium",
                format!(
                    "the inference zone ({}) connected to {}:{} outside the network, which the design does not allow ({})",
                    r.src, r.dst, r.dst_port, verdict
                ),
            ),
        };
        Anomaly {
            kind,
            severity,
            file: file.to_string(),
            line: r.line,
            src: r.src,
            dst: r.dst,
            src_port: r.src_port,
            dst_port: r.dst_port,
            port: r.dst_port,
            protocol: proto_name(r.protocol),
            observed: observed(r.action),
            bytes: r.bytes,
            src_zone: self.zone_name(s),
            dst_zone: self.zone_name(d),
            src_name: self.c.label(s).map(str::to_string),
            dst_name: self.c.label(d).map(str::to_string),
            message,
        }
    }

    /// Whether to keep samples as the records that make them, to be made when a merge keeps
    /// them (from the next record on): for a part of a log after the first, whose samples
    /// the merge keeps only if the parts before it have fewer than [`SAMPLE_CAP`].
    pub(crate) fn set_deferred(&mut self, deferred: bool) {
        self.flush();
        self.deferred = deferred;
    }

    /// What this analyzer has counted since it started or since the last call, and a fresh
    /// start for the next part: the classifier and its caches stay (a worker reading parts
    /// of a log one after another keeps them warm).
    pub fn take_part(&mut self) -> Part {
        self.flush();
        let mut n = std::mem::replace(&mut self.n, Tally::new(self.zones));
        n.cache = CacheStats {
            traces: std::mem::take(&mut self.c.traces),
            hits: std::mem::take(&mut self.c.cache_hits),
            errors: std::mem::take(&mut self.c.trace_errors),
        };
        Part {
            n,
            file: self.file.clone(),
        }
    }

    /// [`Analyzer::take_part`], but the talkers stay in this analyzer: they add up in any
    /// order, and a tally trimmed once over a worker's parts is closer to the truth than
    /// one trimmed in each part. The worker's last [`Analyzer::take_part`] hands them on.
    pub(crate) fn take_counts(&mut self) -> Part {
        let mut part = self.take_part();
        self.n.talkers = std::mem::take(&mut part.n.talkers);
        self.n.talkers_trimmed = std::mem::take(&mut part.n.talkers_trimmed);
        part
    }

    /// Adds the analysis of the part of the same log that follows this one: `line_offset` is
    /// added to its line numbers.
    pub fn merge(&mut self, mut other: Analyzer<'_>, line_offset: u64) {
        let part = other.take_part();
        self.merge_part(part, line_offset);
    }

    /// [`Analyzer::merge`] for a part taken with [`Analyzer::take_part`] (by an analyzer on
    /// the same design). Its deferred samples are made here, as many as the lists keep.
    pub fn merge_part(&mut self, part: Part, line_offset: u64) {
        self.flush();
        let Part { n: other, file } = part;
        let n = &mut self.n;
        n.records += other.records;
        n.skipped += other.skipped;
        n.unreadable += other.unreadable;
        n.judged += other.judged;
        n.consistent += other.consistent;
        n.replies += other.replies;
        n.unjudged += other.unjudged;
        n.outside += other.outside;
        let (a, b) = (&mut n.counts, other.counts);
        a.drift += b.drift;
        a.broken += b.broken;
        a.anomalies += b.anomalies;
        a.data_zone_egress += b.data_zone_egress;
        a.large_transfer += b.large_transfer;
        a.unapproved_endpoint += b.unapproved_endpoint;
        append_shifted(&mut n.drift, other.drift, SAMPLE_CAP, line_offset, |m| {
            &mut m.line
        });
        append_shifted(&mut n.broken, other.broken, SAMPLE_CAP, line_offset, |m| {
            &mut m.line
        });
        append_shifted(
            &mut n.anomalies,
            other.anomalies,
            SAMPLE_CAP,
            line_offset,
            |m| &mut m.line,
        );
        append_shifted(
            &mut n.unreadable_samples,
            other.unreadable_samples,
            UNREADABLE_SAMPLES,
            line_offset,
            |u| &mut u.line,
        );
        for (p, q) in n.pairs.iter_mut().zip(&other.pairs) {
            p.records += q.records;
            p.accepted += q.accepted;
            p.rejected += q.rejected;
            p.bytes = p.bytes.saturating_add(q.bytes);
        }
        n.talkers_trimmed |= other.talkers_trimmed;
        for (k, (c, b)) in other.talkers {
            let e = n.talkers.entry(k).or_insert((0, 0));
            e.0 += c;
            e.1 = e.1.saturating_add(b);
        }
        n.outside_window += other.outside_window;
        n.timeline.merge(other.timeline);
        n.cache.traces += other.cache.traces;
        n.cache.hits += other.cache.hits;
        n.cache.errors += other.cache.errors;
        if self.n.talkers.len() >= TALKER_KEEP * 4 {
            self.trim_talkers();
        }
        // The deferred samples, made only as far as the lists keep them (in the part's
        // order, after the samples it made itself: a part makes its samples or defers them).
        let later = other.later;
        let shifted = |r: &Held| Held {
            line: r.line + line_offset,
            ..*r
        };
        for (list, broken) in [(later.drift, false), (later.broken, true)] {
            for t in list {
                if self.n.mismatches(broken).len() >= SAMPLE_CAP {
                    break;
                }
                let j = Judged {
                    verdict: t.verdict,
                    judgement: None,
                };
                let m = self.mismatch(&file, &shifted(&t.rec), (&t.s, &t.d), t.ask, j, broken);
                self.n.mismatches(broken).push(m);
            }
        }
        for t in later.anomalies {
            if self.n.anomalies.len() >= SAMPLE_CAP {
                break;
            }
            let a = self.make_anomaly(&file, &shifted(&t.rec), &t.s, &t.d, t.kind);
            self.n.anomalies.push(a);
        }
    }

    /// The finished report.
    pub fn finish(mut self) -> FlowReport {
        self.flush();
        let names = self.c.zone_names().to_vec();
        let mut zone_pairs: Vec<ZonePair> = self
            .n
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.records > 0)
            .map(|(i, p)| ZonePair {
                from: names[i / self.zones].clone(),
                to: names[i % self.zones].clone(),
                records: p.records,
                accepted: p.accepted,
                rejected: p.rejected,
                bytes: p.bytes,
            })
            .collect();
        zone_pairs.sort_by(|a, b| {
            b.records
                .cmp(&a.records)
                .then_with(|| a.from.cmp(&b.from))
                .then_with(|| a.to.cmp(&b.to))
        });
        let mut talkers: Vec<(IpAddr, (u64, u64))> =
            self.n.talkers.iter().map(|(k, v)| (k.0, *v)).collect();
        talkers.sort_unstable_by(|a, b| {
            b.1.1
                .cmp(&a.1.1)
                .then(b.1.0.cmp(&a.1.0))
                .then(a.0.cmp(&b.0))
        });
        talkers.truncate(TOP_TALKERS);
        let top_talkers = talkers
            .into_iter()
            .map(|(address, (records, bytes))| {
                let c = self.c.addr(address);
                Talker {
                    address,
                    name: self.c.label(&c).map(str::to_string),
                    zone: names.get(c.zone as usize).cloned().unwrap_or_default(),
                    records,
                    bytes,
                }
            })
            .collect();
        FlowReport {
            topology: self.c.topology().name.clone(),
            files: self.files,
            records: self.n.records,
            skipped: self.n.skipped,
            unreadable: self.n.unreadable,
            unreadable_samples: self.n.unreadable_samples,
            judged: self.n.judged,
            consistent: self.n.consistent,
            replies: self.n.replies,
            unjudged: self.n.unjudged,
            outside: self.n.outside,
            counts: self.n.counts,
            sample_cap: SAMPLE_CAP,
            drift: self.n.drift,
            broken: self.n.broken,
            anomalies: self.n.anomalies,
            zone_pairs,
            top_talkers,
            talkers_approximate: self.n.talkers_trimmed,
            cache: CacheStats {
                traces: self.n.cache.traces + self.c.traces,
                hits: self.n.cache.hits + self.c.cache_hits,
                errors: self.n.cache.errors + self.c.trace_errors,
            },
            outside_window: self.n.outside_window,
            timeline: self.n.timeline.hours(),
        }
    }
}

/// Append the samples of a later part of a split log to `into`, up to `cap`, with their line
/// numbers moved by the lines that came before that part.
fn append_shifted<T>(
    into: &mut Vec<T>,
    from: Vec<T>,
    cap: usize,
    shift: u64,
    line: impl Fn(&mut T) -> &mut u64,
) {
    for mut item in from.into_iter().take(cap.saturating_sub(into.len())) {
        *line(&mut item) += shift;
        into.push(item);
    }
}
