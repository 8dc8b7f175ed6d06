//! One record's way through an [`Analyzer`]: held in a batch, classified, judged in an order
//! that keeps the engine's working set warm, then counted in the log's own order.
//!
//! A realistic log brings a new pair of classes with most records, so most verdicts cost a
//! plan, and a plan's time is the first reads of its source's route table and rule sets.
//! Judged in the log's order, consecutive plans start from unrelated sources and each pays
//! those reads again; judged sorted by (source class, destination class), the plans of one
//! source follow each other (`BENCHMARKS.md`, session 16). Sorting changes which calls the
//! engine gets first, never a verdict: every one is exact (the caches are keyed by what
//! decides it), and the counting that follows runs in the log's order, so the samples, the
//! timeline and the first and last lines are those of a single pass.
//!
//! Records read before the design is there (the parts of a large log start while it loads)
//! wait in an [`Early`] buffer, at most [`EARLY_RECORDS`] of them, and enter the analyzer's
//! batches in their order once it exists: as the same events read later would.
//!
//! Owns: the per-record comparison of the log's action with the design's verdict, the
//! batch and the early buffer. Must never: count a record out of its log's order, hold more
//! than [`JUDGE_BATCH`] records in a batch or [`EARLY_RECORDS`] early, or keep a judgement's
//! index past the epoch it was given in.

use std::net::IpAddr;

use super::{Analyzer, AnomalyKind, Asked, LARGE_TRANSFER, TEXT_LEN, UnreadableSample};
use crate::engine::flows::classify::{AddrClass, Judged, is_reply, protocol_of};
use crate::engine::flows::read::{self, FlowRecord, ReadEvent};
use crate::engine::flows::translated::NatLeg;
use crate::engine::flows::window::{Mark, Window};
use crate::model::Verdict;
use crate::model::rules::Protocol;

/// Records held before their batch is judged and counted (at most this many are in memory,
/// whatever the log's size).
pub const JUDGE_BATCH: usize = 1 << 16;

/// Records a worker holds while the design loads (80 bytes each: at most 42 MB a worker; on
/// the L benchmark the workers hold 200,000–300,000 each when the design comes).
pub const EARLY_RECORDS: usize = 1 << 19;

/// The events of a part of a log read before its analyzer exists: its records in order, and
/// the counts of the events that are only counted. An unreadable line is not kept (its
/// sample needs the analyzer's file name and order): the reader waits for the design there.
#[derive(Debug, Default)]
pub struct Early {
    held: Vec<Held>,
    cap: usize,
    skipped: u64,
    outside_window: u64,
    window: Window,
}

impl Early {
    /// A buffer for at most `cap` records (of those that start in `window`: the others are
    /// counted).
    pub fn new(window: Window, cap: usize) -> Early {
        Early {
            window,
            cap: cap.min(EARLY_RECORDS),
            ..Early::default()
        }
    }

    /// Keeps `ev`, as [`Analyzer::event`] would take it: `false` (and nothing kept) when the
    /// buffer is full or `ev` is an unreadable line.
    pub fn keep(&mut self, ev: &ReadEvent<'_>) -> bool {
        match ev {
            ReadEvent::Record(r) if !self.window.holds(r.start) => self.outside_window += 1,
            ReadEvent::Record(_) if self.held.len() >= self.cap => return false,
            ReadEvent::Record(r) => self.held.push(Held::of(r)),
            ReadEvent::Skipped { .. } => self.skipped += 1,
            ReadEvent::Unreadable { .. } => return false,
        }
        true
    }

    /// Records kept.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

/// The fields of a record the report reads, kept while its batch fills.
#[derive(Clone, Copy, Debug)]
pub(super) struct Held {
    pub(super) line: u64,
    pub(super) src: IpAddr,
    pub(super) dst: IpAddr,
    pub(super) src_port: u16,
    pub(super) dst_port: u16,
    pub(super) protocol: u8,
    pub(super) bytes: u64,
    pub(super) start: Option<u64>,
    pub(super) action: read::Action,
    /// An AWS record (no Azure rule or flow state): it logs each direction of a connection.
    pub(super) aws: bool,
}

impl Held {
    fn of(r: &FlowRecord<'_>) -> Held {
        Held {
            line: r.line,
            src: r.src,
            dst: r.dst,
            src_port: r.src_port,
            dst_port: r.dst_port,
            protocol: r.protocol,
            bytes: r.bytes,
            start: r.start,
            action: r.action,
            aws: r.rule.is_none() && r.state.is_none(),
        }
    }
}

/// What a record asks of the design, found before any verdict.
#[derive(Clone, Copy, Debug)]
enum Ask {
    /// Neither end is in the design: nothing to compare.
    Outside,
    /// A protocol the design does not judge, or a NAT gateway's transit leg.
    Unjudged,
    /// An accepted reply: its request's own record is judged.
    AcceptedReply,
    /// The flow to judge: the request (`dst → src` for a reply) on `port` (none for ICMP).
    Judge {
        port: Option<u16>,
        protocol: Protocol,
    },
}

/// A held record's classes and question.
#[derive(Clone, Copy, Debug)]
struct Prep {
    sc: AddrClass,
    dc: AddrClass,
    reply: bool,
    ask: Ask,
}

impl Prep {
    /// The flow to judge: the request, which for a reply runs from its destination.
    fn ends<'p>(&'p self, h: &Held) -> ((IpAddr, &'p AddrClass), (IpAddr, &'p AddrClass)) {
        if self.reply {
            ((h.dst, &self.dc), (h.src, &self.sc))
        } else {
            ((h.src, &self.sc), (h.dst, &self.dc))
        }
    }
}

/// The records of the batch being filled, and the batch's working buffers (kept between
/// batches, so a batch allocates nothing once the first is done).
#[derive(Default)]
pub(super) struct Batch {
    held: Vec<Held>,
    preps: Vec<Prep>,
    /// (source class, destination class) and the record's index, for each record to judge.
    order: Vec<(u64, u32)>,
    /// Each record's verdict and the epoch of the classifier's judgements it was given in.
    judged: Vec<Option<(Judged, u64)>>,
}

impl Analyzer<'_> {
    /// Takes one event of the reader.
    #[inline]
    pub fn event(&mut self, ev: ReadEvent<'_>) {
        match ev {
            ReadEvent::Record(r) if !self.window.holds(r.start) => self.n.outside_window += 1,
            ReadEvent::Record(r) => {
                self.batch.held.push(Held::of(&r));
                if self.batch.held.len() >= JUDGE_BATCH {
                    self.flush();
                }
            }
            ReadEvent::Skipped { .. } => self.n.skipped += 1,
            ReadEvent::Unreadable { line, text, why } => self.unreadable(line, &text, &why),
        }
    }

    /// Takes the events an [`Early`] buffer kept, as if they came now one by one (the
    /// records are judged and counted in their order, after those taken before).
    pub fn take_early(&mut self, early: Early) {
        self.n.skipped += early.skipped;
        self.n.outside_window += early.outside_window;
        for h in early.held {
            self.batch.held.push(h);
            if self.batch.held.len() >= JUDGE_BATCH {
                self.flush();
            }
        }
    }

    fn unreadable(&mut self, line: u64, text: &str, why: &read::Problem) {
        self.n.unreadable += 1;
        if self.n.unreadable_samples.len() < super::UNREADABLE_SAMPLES {
            let text: String = text.chars().take(TEXT_LEN).collect();
            self.n.unreadable_samples.push(UnreadableSample {
                file: self.file.clone(),
                line,
                text,
                why: why.to_string(),
            });
        }
    }

    /// Judges and counts the held records: classes and the verdicts the cache holds in the
    /// log's order, the other verdicts in the order of (source class, destination class),
    /// counts in the log's order.
    pub(super) fn flush(&mut self) {
        if self.batch.held.is_empty() {
            return;
        }
        let mut b = std::mem::take(&mut self.batch);
        b.preps.clear();
        b.order.clear();
        b.judged.clear();
        b.judged.resize(b.held.len(), None);
        for (i, h) in b.held.iter().enumerate() {
            let p = self.prepare(h);
            if let Ask::Judge { port, protocol } = p.ask {
                let ((_, from), (_, to)) = p.ends(h);
                // A pair whose ports are cached is answered now; only the others wait.
                match self.c.judge_cached(from, to, port, protocol) {
                    Some(j) => b.judged[i] = Some((j, self.c.judgements_epoch())),
                    None => {
                        let key = u64::from(from.key.bits()) << 32 | u64::from(to.key.bits());
                        b.order.push((key, i as u32));
                    }
                }
            }
            b.preps.push(p);
        }
        b.order.sort_unstable();
        for &(_, i) in &b.order {
            let (h, p) = (&b.held[i as usize], &b.preps[i as usize]);
            let Ask::Judge { port, protocol } = p.ask else {
                continue;
            };
            let (from, to) = p.ends(h);
            b.judged[i as usize] = self
                .c
                .judge_classified(from, to, port, protocol)
                .map(|j| (j, self.c.judgements_epoch()));
        }
        let epoch = self.c.judgements_epoch();
        for ((h, p), j) in b.held.iter().zip(&b.preps).zip(&b.judged) {
            // A judgement dropped since its verdict was given is traced again if a sample
            // needs it ([`Analyzer::mismatch`]).
            let j = j.map(|(mut j, at)| {
                if at != epoch {
                    j.judgement = None;
                }
                j
            });
            self.account(h, p, j);
        }
        b.held.clear();
        self.batch = b;
    }

    /// A record's classes and what it asks of the design (no count changes).
    #[inline]
    fn prepare(&self, rec: &Held) -> Prep {
        let t = self.c.topology();
        let sc = self.c.addr(rec.src);
        let dc = self.c.addr(rec.dst);
        // Azure tuples name the flow as its initiator opened it; AWS logs each direction.
        let reply = rec.aws && is_reply(t, rec.protocol, rec.src_port, rec.dst_port, &sc, &dc);
        let nat = crate::engine::flows::translated::nat_gateway_leg(t, &sc, &dc);
        let reply = reply || (rec.aws && nat == Some(NatLeg::Reply));
        let outside =
            sc.external() && dc.external() && sc.endpoint.is_none() && dc.endpoint.is_none();
        let ask = match protocol_of(rec.protocol) {
            _ if outside => Ask::Outside,
            None => Ask::Unjudged,
            Some(_) if nat == Some(NatLeg::Transit) => Ask::Unjudged,
            Some(_) if reply && rec.action == read::Action::Accept => Ask::AcceptedReply,
            Some(proto) => Ask::Judge {
                port: if reply {
                    Some(rec.src_port)
                } else if proto == Protocol::Icmp {
                    None
                } else {
                    Some(rec.dst_port)
                },
                protocol: proto,
            },
        };
        Prep { sc, dc, reply, ask }
    }

    /// Counts one record with its verdict (`None`: not judged, or the engine could not).
    fn account(&mut self, rec: &Held, p: &Prep, judged: Option<Judged>) {
        self.n.records += 1;
        if self
            .n
            .records
            .is_multiple_of(crate::engine::flows::progress::BATCH)
        {
            crate::engine::flows::progress::add_records(crate::engine::flows::progress::BATCH);
        }
        let (sc, dc, reply) = (&p.sc, &p.dc, p.reply);
        let accepted = rec.action == read::Action::Accept;
        self.n.timeline.add(
            rec.start,
            if accepted {
                Mark::Accepted
            } else {
                Mark::Rejected
            },
        );
        let (zi, zr) = if reply {
            (dc.zone, sc.zone)
        } else {
            (sc.zone, dc.zone)
        };
        if let Some(pc) = self.n.pairs.get_mut(zi as usize * self.zones + zr as usize) {
            pc.records += 1;
            pc.bytes = pc.bytes.saturating_add(rec.bytes);
            if accepted {
                pc.accepted += 1;
            } else {
                pc.rejected += 1;
            }
        }
        self.talk(rec.src, rec.bytes);
        if reply {
            self.n.replies += 1;
        }
        if self.c.is_data(sc.zone) && dc.external() {
            self.anomaly(rec, sc, dc, AnomalyKind::DataZoneEgress);
        }
        if self.c.is_inference(sc.zone) && rec.bytes > LARGE_TRANSFER {
            self.anomaly(rec, sc, dc, AnomalyKind::LargeTransfer);
        }
        let (port, proto) = match p.ask {
            Ask::Outside => {
                self.n.outside += 1;
                return;
            }
            Ask::Unjudged => {
                self.n.unjudged += 1;
                return;
            }
            Ask::AcceptedReply => return,
            Ask::Judge { port, protocol } => (port, protocol),
        };
        let Some(ji) = judged else {
            self.n.unjudged += 1;
            return;
        };
        self.n.judged += 1;
        let allowed = ji.verdict == Verdict::Allow;
        let asked = Asked { port, proto, reply };
        if accepted && !allowed {
            self.n.counts.drift += 1;
            self.n.timeline.add(rec.start, Mark::Drift);
            self.sample(rec, (sc, dc), asked, ji, false);
        } else if !accepted && allowed {
            self.n.counts.broken += 1;
            self.n.timeline.add(rec.start, Mark::Broken);
            self.sample(rec, (sc, dc), asked, ji, true);
        } else {
            self.n.consistent += 1;
        }
        if !reply && !allowed && self.c.is_inference(sc.zone) && dc.external() {
            self.anomaly(rec, sc, dc, AnomalyKind::UnapprovedEndpoint(ji.verdict));
        }
    }
}
