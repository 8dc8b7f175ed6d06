//! Azure NSG and VNet flow-log JSON, streamed: `records` are read one at a time from the
//! (decompressed) input and their `flowTuples` handed out, so memory is bounded by one record,
//! never by the log.
//!
//! Owns: the JSON side of [`super::read_log`] for Azure. A child of `read` (it uses its
//! `Out`, `Problem` and `parse_tuple`). What it must never do: hold more than one record (at
//! most [`MAX_VALUE`] bytes of input: a larger one, or a run of whitespace that long, is
//! unreadable and reading stops), count a wrong-shaped document (`{"records":"nope"}`,
//! `[1,"x",null]`) as zero records instead of unreadable, or lose the other tuples of a record
//! because one tuple is not valid UTF-8 or not a string.
//!
//! Line numbers: a tuple's line is the line its string ends on (tuples hold no newline, so it
//! is the line it is on).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::marker::PhantomData;
use std::rc::Rc;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Out, Problem, ReadEvent, SAMPLE_LEN, TupleKind, drain_map, drain_seq, parse_tuple};

/// The most input one record (or the run of bytes before the first one) may take.
pub const MAX_VALUE: u64 = 64 * 1024 * 1024;

/// Where the parser is: line of the last byte consumed, bytes since the current value began.
#[derive(Default)]
struct Pos {
    line: Cell<u64>,
    in_value: Cell<u64>,
    total: Cell<u64>,
    last: Cell<u8>,
    over: Cell<bool>,
    /// Reading what is left after the parser stopped, only to count its lines: no cap.
    draining: Cell<bool>,
    /// The first bytes of the current line, and of line `want` once it is complete.
    current: std::cell::RefCell<Vec<u8>>,
    want: Cell<u64>,
    sample: std::cell::RefCell<Option<Vec<u8>>>,
}

impl Pos {
    fn take_sample(&self) {
        if self.line.get() == self.want.get() && self.sample.borrow().is_none() {
            *self.sample.borrow_mut() = Some(self.current.borrow().clone());
        }
    }
}

/// Counts lines and the bytes of the current value as the parser consumes them.
struct Counting<R> {
    inner: BufReader<R>,
    pos: Rc<Pos>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        let p = &self.pos;
        for &b in bytes {
            if b == b'\n' {
                p.take_sample();
                p.current.borrow_mut().clear();
                p.line.set(p.line.get() + 1);
            } else {
                let mut cur = p.current.borrow_mut();
                if cur.len() < SAMPLE_LEN {
                    cur.push(b);
                }
            }
        }
        p.total.set(p.total.get() + n as u64);
        p.in_value.set(p.in_value.get() + n as u64);
        if let Some(b) = bytes.last() {
            p.last.set(*b);
        }
        if p.in_value.get() > MAX_VALUE && !p.draining.get() {
            p.over.set(true);
            return Err(io::Error::other(format!(
                "more than {} MB of input without the end of a record",
                MAX_VALUE >> 20
            )));
        }
        Ok(n)
    }
}

/// Reads Azure JSON (see [`super::read_log`]): a blob `{"records": [...]}`, an array of
/// records, a bare record, or such documents one after another. Returns the number of the
/// line the input ended in.
pub(super) fn read_azure<R: Read, F: FnMut(ReadEvent<'_>)>(
    input: R,
    out: &mut Out<F>,
) -> io::Result<u64> {
    let pos = Rc::new(Pos::default());
    pos.line.set(1);
    let mut reader = Counting {
        inner: BufReader::with_capacity(1 << 16, input),
        pos: Rc::clone(&pos),
    };
    // A UTF-8 byte order mark before the document is skipped.
    let mut head = Vec::with_capacity(3);
    while head.len() < 3 {
        let mut b = [0u8; 1];
        match reader.read(&mut b) {
            Ok(0) => break,
            Ok(_) => head.push(b[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let head = if head == super::UTF8_BOM {
        Vec::new()
    } else {
        head
    };
    let mut ctx = Ctx {
        out,
        pos: Rc::clone(&pos),
    };
    let mut failed = None;
    {
        let mut de =
            serde_json::Deserializer::from_reader(io::Cursor::new(head).chain(&mut reader));
        loop {
            pos.in_value.set(0);
            if de.end().is_ok() {
                break;
            }
            let start_line = pos.line.get();
            if let Err(e) = (Top { ctx: &mut ctx }).deserialize(&mut de) {
                if e.is_io() && !pos.over.get() {
                    return Err(io::Error::other(e.to_string()));
                }
                let line = if e.line() > 0 {
                    e.line() as u64
                } else {
                    start_line
                };
                pos.want.set(line);
                failed = Some((line, e.to_string()));
                break;
            }
        }
    }
    // Count the lines of whatever the parser left unread (after an error), and keep the
    // start of the line at fault.
    pos.draining.set(true);
    io::copy(&mut reader, &mut io::sink())?;
    pos.take_sample();
    if let Some((line, message)) = failed {
        let sample = pos.sample.borrow_mut().take().unwrap_or_default();
        let text = String::from_utf8_lossy(&sample);
        let text = text.strip_suffix('\r').unwrap_or(&text).to_owned();
        ctx.json_error(line, text, message);
    }
    let newlines = pos.line.get() - 1;
    ctx.out.stats.lines = newlines + u64::from(pos.total.get() > 0 && pos.last.get() != b'\n');
    Ok(newlines + 1)
}

struct Ctx<'o, F> {
    out: &'o mut Out<F>,
    pos: Rc<Pos>,
}

impl<F: FnMut(ReadEvent<'_>)> Ctx<'_, F> {
    fn json_error(&mut self, line: u64, text: String, message: String) {
        self.out
            .unreadable(line, Cow::Owned(text), Problem::Json { message });
    }

    fn shape_error(&mut self, what: &str) {
        let line = self.pos.line.get();
        self.out.unreadable(
            line,
            Cow::Borrowed(""),
            Problem::Json {
                message: format!("{what} (an Azure flow log is {{\"records\": [{{...}}, ...]}})"),
            },
        );
    }

    fn record(&mut self, record: &AzRecord) {
        if let Some(properties) = &record.properties.0 {
            for group in properties.flows.0.iter().filter_map(|g| g.0.as_ref()) {
                let rule = group.rule.as_str();
                for flows in group.flows.0.iter().filter_map(|f| f.0.as_ref()) {
                    let mac = flows.mac.as_str();
                    for tuple in &flows.flow_tuples.0 {
                        self.tuple(tuple, TupleKind::Nsg, rule, mac);
                    }
                }
            }
        }
        if let Some(flow_records) = &record.flow_records.0 {
            let mac = record.mac_address.as_str();
            for acl in flow_records.flows.0.iter().filter_map(|f| f.0.as_ref()) {
                for group in acl.flow_groups.0.iter().filter_map(|g| g.0.as_ref()) {
                    let rule = group.rule.as_str();
                    for tuple in &group.flow_tuples.0 {
                        self.tuple(tuple, TupleKind::Vnet, rule, mac);
                    }
                }
            }
        }
    }

    fn tuple(&mut self, tuple: &Tuple, kind: TupleKind, rule: Option<&str>, mac: Option<&str>) {
        match tuple {
            Tuple::Text { text, line } => match parse_tuple(text, kind, *line, rule, mac) {
                Ok(record) => self.out.record(record),
                Err(why) => self.out.unreadable(*line, Cow::Borrowed(text), why),
            },
            Tuple::NotText { line } => {
                self.out
                    .unreadable(*line, Cow::Borrowed(""), Problem::TupleNotString);
            }
        }
    }
}

// The JSON shapes, read leniently: a value of an unexpected type is ignored (or, for a
// tuple, reported) rather than failing the document. Strings are owned: a streamed document
// has nothing to borrow from.

#[derive(Default, Deserialize)]
#[serde(default)]
struct AzRecord {
    properties: LMap<NsgProperties>,
    #[serde(rename = "flowRecords")]
    flow_records: LMap<VnetFlowRecords>,
    #[serde(rename = "macAddress")]
    mac_address: JStr,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NsgProperties {
    flows: LSeq<LMap<NsgRuleFlows>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NsgRuleFlows {
    rule: JStr,
    flows: LSeq<LMap<NsgMacFlows>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NsgMacFlows {
    mac: JStr,
    #[serde(rename = "flowTuples")]
    flow_tuples: Tuples,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct VnetFlowRecords {
    flows: LSeq<LMap<VnetAclFlows>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct VnetAclFlows {
    #[serde(rename = "flowGroups")]
    flow_groups: LSeq<LMap<VnetFlowGroup>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct VnetFlowGroup {
    rule: JStr,
    #[serde(rename = "flowTuples")]
    flow_tuples: Tuples,
}

/// A JSON string (lossily decoded: invalid UTF-8 does not fail the document), or nothing.
#[derive(Default)]
struct JStr(Option<String>);

impl JStr {
    fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct BytesOrOther<T>(PhantomData<T>);

/// What a JSON value read as bytes turns into.
trait FromJson: Sized {
    fn text(bytes: &[u8]) -> Self;
    fn other() -> Self;
}

impl FromJson for JStr {
    fn text(bytes: &[u8]) -> Self {
        JStr(Some(String::from_utf8_lossy(bytes).into_owned()))
    }
    fn other() -> Self {
        JStr(None)
    }
}

impl<'de, T: FromJson> Visitor<'de> for BytesOrOther<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<T, E> {
        Ok(T::text(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::text(v.as_bytes()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        drain_seq(seq).map(|()| T::other())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        drain_map(map).map(|()| T::other())
    }
    lenient_scalars!(T::other());
}

impl<'de> Deserialize<'de> for JStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        bytes_or_other(deserializer)
    }
}

/// serde_json hands a string to `visit_bytes` without checking its UTF-8 (so one bad string
/// does not end the document), an array to `visit_seq`, and refuses anything else with an
/// "invalid type" error after consuming it — except an object, which it leaves in place, so
/// that error must stand.
fn bytes_or_other<'de, D: Deserializer<'de>, T: FromJson>(deserializer: D) -> Result<T, D::Error> {
    match deserializer.deserialize_bytes(BytesOrOther(PhantomData)) {
        Err(e) => {
            let m = e.to_string();
            if m.starts_with("invalid type:") && !m.starts_with("invalid type: map") {
                Ok(T::other())
            } else {
                Err(e)
            }
        }
        ok => ok,
    }
}

/// One `flowTuples` entry with the line it is on.
enum Tuple {
    Text { text: String, line: u64 },
    NotText { line: u64 },
}

/// A `flowTuples` array; any other value is ignored (empty).
#[derive(Default)]
struct Tuples(Vec<Tuple>);

thread_local! {
    /// The position of the document being read (one at a time per thread).
    static CURRENT: std::cell::RefCell<Option<Rc<Pos>>> = const { std::cell::RefCell::new(None) };
}

fn current_line() -> u64 {
    CURRENT.with(|c| c.borrow().as_ref().map_or(0, |p| p.line.get()))
}

impl<'de> Deserialize<'de> for Tuples {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tuples;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tuples, A::Error> {
                let mut items = Vec::new();
                while let Some(s) = seq.next_element::<JStr>()? {
                    let line = current_line();
                    items.push(match s.0 {
                        Some(text) => Tuple::Text { text, line },
                        None => Tuple::NotText { line },
                    });
                }
                Ok(Tuples(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Tuples, A::Error> {
                drain_map(map).map(|()| Tuples::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Tuples, E> {
                Ok(Tuples::default())
            }
            lenient_scalars!(Tuples::default());
        }
        deserializer.deserialize_any(V)
    }
}

/// A JSON object read as `T`; any other value is ignored (None). The GCP reader reads its
/// entries' objects with it too.
pub(crate) struct LMap<T>(pub(crate) Option<T>);

impl<T> Default for LMap<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = LMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| LMap(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| LMap(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(LMap(None))
            }
            lenient_scalars!(LMap(None));
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A JSON array of `T`s; any other value is ignored (empty).
struct LSeq<T>(Vec<T>);

impl<T> Default for LSeq<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LSeq<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = LSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(LSeq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| LSeq(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(LSeq(Vec::new()))
            }
            lenient_scalars!(LSeq(Vec::new()));
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// The top of a document: `{"records": [...]}` (streamed record by record), an array of
/// records (streamed), or a bare record. Anything else is unreadable.
struct Top<'c, 'o, F> {
    ctx: &'c mut Ctx<'o, F>,
}

impl<'de, F: FnMut(ReadEvent<'_>)> DeserializeSeed<'de> for Top<'_, '_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        CURRENT.with(|c| *c.borrow_mut() = Some(Rc::clone(&self.ctx.pos)));
        let r = deserializer.deserialize_any(self);
        CURRENT.with(|c| *c.borrow_mut() = None);
        r
    }
}

impl<'de, F: FnMut(ReadEvent<'_>)> Visitor<'de> for Top<'_, '_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a flow log JSON object or array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut bare = AzRecord::default();
        let mut any = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "records" => {
                    map.next_value_seed(Records {
                        ctx: &mut *self.ctx,
                    })?;
                    any = true;
                }
                "properties" => {
                    bare.properties = map.next_value()?;
                    any = true;
                }
                "flowRecords" => {
                    bare.flow_records = map.next_value()?;
                    any = true;
                }
                "macAddress" => bare.mac_address = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if any {
            self.ctx.record(&bare);
        } else {
            self.ctx
                .shape_error("the JSON object has no `records`, `properties` or `flowRecords`");
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Records { ctx: self.ctx }.visit_seq(seq)
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        self.ctx.shape_error("the document is a JSON string");
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.ctx.shape_error("the document is a JSON string");
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.ctx.shape_error("the document is a JSON scalar");
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.visit_bool(true)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.visit_bool(true)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.visit_bool(true)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_bool(true)
    }
}

/// The value of `records`: an array of record objects, read one at a time.
struct Records<'c, 'o, F> {
    ctx: &'c mut Ctx<'o, F>,
}

impl<'de, F: FnMut(ReadEvent<'_>)> DeserializeSeed<'de> for Records<'_, '_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A record, or what stands in its place.
enum Item {
    Record(Box<AzRecord>),
    NotObject,
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                AzRecord::deserialize(MapAccessDeserializer::new(map))
                    .map(|r| Item::Record(Box::new(r)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Item, A::Error> {
                drain_seq(seq).map(|()| Item::NotObject)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Item, E> {
                Ok(Item::NotObject)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Item, E> {
                Ok(Item::NotObject)
            }
            lenient_scalars!(Item::NotObject);
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de, F: FnMut(ReadEvent<'_>)> Visitor<'de> for Records<'_, '_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.ctx.pos.in_value.set(0);
            match seq.next_element::<Item>()? {
                None => return Ok(()),
                Some(Item::Record(r)) => self.ctx.record(&r),
                Some(Item::NotObject) => self.ctx.shape_error("a record is not a JSON object"),
            }
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        drain_map(map)?;
        self.ctx.shape_error("`records` is not an array");
        Ok(())
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        self.ctx.shape_error("`records` is not an array");
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.visit_bytes(&[])
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.visit_bytes(&[])
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.visit_bytes(&[])
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.visit_bytes(&[])
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.visit_bytes(&[])
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_bytes(&[])
    }
}
