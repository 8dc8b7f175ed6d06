//! Reading the files of an Azure export into resources ([`Res`]): recognising the shapes of
//! ARM JSON (an array, Resource Graph's `{data: [...]}`, a REST list `{value: [...]}`, one
//! resource, a REST API example, an az CLI list with `properties` flattened) and ARM
//! deployment templates, each resource with its file and JSON path. Large pages are read row
//! by row ([`rows_of`]): only the fields the readers use become values.
//!
//! Owns: parsing and the JSON paths of resources. Must never: join resources, decide what a
//! resource becomes (the readers of `super` do), or panic on any input.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{Res, UNCHANGED, str_of};
use crate::import::{ImportError, ImportReport};

pub(super) fn is_resource(v: &Value) -> bool {
    let id = v.get("id").and_then(Value::as_str).unwrap_or("");
    id.to_ascii_lowercase().starts_with("/subscriptions/") && type_of(v).is_some()
}

/// A resource's `type`, else the type its id encodes (ARM ids are
/// `…/providers/NAMESPACE/TYPE/NAME[/TYPE/NAME…]`: some REST examples leave `type` out).
pub(super) fn type_of(v: &Value) -> Option<String> {
    if let Some(t) = v
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| t.contains('/'))
    {
        return Some(t.to_string());
    }
    let id = v.get("id").and_then(Value::as_str)?;
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/providers/")? + "/providers/".len();
    let segs: Vec<&str> = id[at..].split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() < 3 || segs.len().is_multiple_of(2) {
        return None;
    }
    let mut t = segs[0].to_string();
    for s in segs[1..].iter().step_by(2) {
        t.push('/');
        t.push_str(s);
    }
    Some(t)
}

/// The resources of a file with their JSON paths: an array, Resource Graph's `{data: [...]}`,
/// an ARM REST list `{value: [...]}`, one resource, or a REST API example (the resource is its
/// `responses.200.body`, as `../shared/reference/azure/rest-api-specs/` publishes them).
pub(super) fn resources_of(v: &Value) -> Option<Vec<(&Value, String)>> {
    resources_at(v, "")
}

fn resources_at<'v>(v: &'v Value, base: &str) -> Option<Vec<(&'v Value, String)>> {
    let list = |a: &'v [Value], key: &str| {
        let at = crate::import::json::join(base, key);
        a.iter()
            .enumerate()
            .map(|(i, x)| (x, format!("{at}[{i}]")))
            .collect()
    };
    match v {
        Value::Array(a) if base.is_empty() => Some(
            a.iter()
                .enumerate()
                .map(|(i, x)| (x, format!("[{i}]")))
                .collect(),
        ),
        Value::Object(o) => {
            for key in ["data", "value"] {
                if let Some(Value::Array(a)) = o.get(key) {
                    return Some(list(a, key));
                }
            }
            if is_resource(v) {
                return Some(vec![(v, base.to_string())]);
            }
            let body = o.get("responses")?.get("200")?.get("body")?;
            resources_at(body, &crate::import::json::join(base, "responses.200.body"))
        }
        _ => None,
    }
}

/// The resources of a parsed file, moved out of it with their JSON paths (the shapes of
/// [`resources_of`]); the file's value back when it holds none.
pub(super) fn into_resources(v: Value, base: &str) -> Result<Vec<(Value, String)>, Value> {
    fn body(v: &mut Value) -> Option<&mut Value> {
        v.get_mut("responses")?.get_mut("200")?.get_mut("body")
    }
    let list = |a: Vec<Value>, at: String| {
        a.into_iter()
            .enumerate()
            .map(|(i, x)| (x, format!("{at}[{i}]")))
            .collect()
    };
    match v {
        Value::Array(a) if base.is_empty() => Ok(list(a, String::new())),
        Value::Object(mut o) => {
            for key in ["data", "value"] {
                if let Some(Value::Array(a)) = o.get_mut(key) {
                    return Ok(list(
                        std::mem::take(a),
                        crate::import::json::join(base, key),
                    ));
                }
            }
            let mut v = Value::Object(o);
            if is_resource(&v) {
                return Ok(vec![(v, base.to_string())]);
            }
            let Some(inner) = body(&mut v).map(Value::take) else {
                return Err(v);
            };
            into_resources(
                inner,
                &crate::import::json::join(base, "responses.200.body"),
            )
            .map_err(|inner| {
                if let Some(slot) = body(&mut v) {
                    *slot = inner;
                }
                v
            })
        }
        other => Err(other),
    }
}

/// What one file holds: its resources, or (not ARM resource JSON) its value, for
/// [`template`] to judge.
pub(super) enum FileRead {
    Resources(Vec<Res>),
    Other(Value),
}

/// Read, parse and map one file (on either thread of [`crate::import::json::map_files`]).
pub(super) fn read(path: &Path) -> Result<FileRead, ImportError> {
    let name = path.display().to_string();
    let bytes = crate::import::json::read_bytes(
        path,
        "export fewer resources per file (page with `--first 1000 --skip-token`)",
    )?;
    if let Some((rows, base)) = rows_of(&bytes) {
        let mut all = Vec::with_capacity(rows.len());
        for (i, raw) in rows.into_iter().enumerate() {
            let p = if base.is_empty() {
                format!("[{i}]")
            } else {
                format!("{base}[{i}]")
            };
            read_one(&name, row(raw, &name, &p)?, p, &mut all)?;
        }
        return Ok(FileRead::Resources(all));
    }
    let v = crate::import::json::parse(&bytes, &name, UNCHANGED)?;
    let list = match into_resources(v, "") {
        Ok(list) => list,
        Err(v) => return Ok(FileRead::Other(v)),
    };
    let mut all = Vec::with_capacity(list.len());
    for (x, p) in list {
        read_one(&name, x, p, &mut all)?;
    }
    Ok(FileRead::Resources(all))
}

type Raw<'a> = &'a serde_json::value::RawValue;

/// The rows of a file in the two shapes of a large export, a JSON array or Resource Graph's
/// `{data: [...]}` (or a REST list's `{value: [...]}`), each row's text unparsed, with the
/// JSON path of the list; `None` for any other shape, or text that is not JSON (the whole
/// file is then parsed as a value, for [`into_resources`] or the error with its line). The
/// file is checked to be JSON here, as a whole.
fn rows_of(bytes: &[u8]) -> Option<(Vec<Raw<'_>>, &'static str)> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    match bytes[start] {
        b'[' => Some((serde_json::from_slice(bytes).ok()?, "")),
        b'{' => {
            let top: BTreeMap<String, Raw<'_>> = serde_json::from_slice(bytes).ok()?;
            ["data", "value"].into_iter().find_map(|key| {
                let raw = top.get(key)?;
                raw.get()
                    .starts_with('[')
                    .then(|| serde_json::from_str(raw.get()).ok())
                    .flatten()
                    .map(|rows| (rows, key))
            })
        }
        _ => None,
    }
}

/// Virtual machines: read for their id and name only (a NIC names its VM), their properties
/// (a quarter of a large export) left unparsed.
const UNREAD_PROPERTIES: &[&str] = &["microsoft.compute/virtualmachines"];

/// The fields of a value its reader uses: the whole value, or (an object) only the named
/// fields, each with its own shape; on an array, each element so; any other value whole.
#[derive(Clone, Copy)]
enum Shape {
    All,
    Fields(&'static [(&'static str, Shape)]),
}

/// Network interfaces, the most numerous resource of an export: the properties
/// [`super::nic::nics`] reads (the only reader of a NIC), the rest skipped unparsed (never
/// built as values, nor freed). A field added to that reader must be added here.
const NIC_PROPS: Shape = Shape::Fields(&[
    ("virtualMachine", Shape::All),
    ("networkSecurityGroup", Shape::All),
    ("dnsSettings", Shape::All),
    ("ipConfigurations", Shape::Fields(NIC_CONFIG)),
]);
/// An ip configuration: nested (`properties`) or flattened, so its properties both ways.
const NIC_CONFIG: &[(&str, Shape)] = &[
    ("name", Shape::All),
    ("id", Shape::All),
    ("properties", Shape::Fields(NIC_CONFIG_PROPS)),
    ("subnet", Shape::All),
    ("privateIPAddress", Shape::All),
    ("publicIPAddress", Shape::All),
    ("applicationSecurityGroups", Shape::All),
];
const NIC_CONFIG_PROPS: &[(&str, Shape)] = &[
    ("subnet", Shape::All),
    ("privateIPAddress", Shape::All),
    ("publicIPAddress", Shape::All),
    ("applicationSecurityGroups", Shape::All),
];

/// The resource types whose nested `properties` are read with a [`Shape`].
const READ_FIELDS: &[(&str, Shape)] = &[("microsoft.network/networkinterfaces", NIC_PROPS)];

/// A value read with its [`Shape`]: what it leaves out is checked as JSON, never built.
struct Pruned(Shape);

impl<'de> serde::de::DeserializeSeed<'de> for Pruned {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Shape::All => serde::Deserialize::deserialize(d),
            Shape::Fields(f) => d.deserialize_any(PrunedVisitor(f)),
        }
    }
}

/// A key of a [`Shape::Fields`] object: the field it names, if read.
struct Key(&'static [(&'static str, Shape)]);

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = Option<(&'static str, Shape)>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Key {
    type Value = Option<(&'static str, Shape)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|(k, _)| *k == s).copied())
    }
}

struct PrunedVisitor(&'static [(&'static str, Shape)]);

/// As `serde_json::Value`'s own visitor for every value but objects (only their fields read)
/// and arrays (each element read with the same fields).
impl<'de> serde::de::Visitor<'de> for PrunedVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(Pruned(Shape::Fields(self.0)), d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Pruned(Shape::Fields(self.0)))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(field) = m.next_key_seed(Key(self.0))? {
            match field {
                Some((k, shape)) => {
                    let v = m.next_value_seed(Pruned(shape))?;
                    out.insert(k.to_string(), v);
                }
                None => {
                    m.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// One row of [`rows_of`] as the value [`read_one`] reads: the fields it reads, parsed, and
/// the rest left out (a flattened row, without a `properties` object, is parsed whole).
fn row(raw: Raw<'_>, file: &str, p: &str) -> Result<Value, ImportError> {
    let bad =
        |e: serde_json::Error| ImportError::new(file, p, format!("not valid JSON: {e}"), UNCHANGED);
    let text = raw.get();
    if !text.starts_with('{') {
        return serde_json::from_str(text).map_err(bad);
    }
    let fields: BTreeMap<String, Raw<'_>> = serde_json::from_str(text).map_err(bad)?;
    let Some(props) = fields
        .get("properties")
        .filter(|x| x.get().starts_with('{'))
    else {
        return serde_json::from_str(text).map_err(bad);
    };
    let mut head = serde_json::Map::new();
    for key in ["id", "name", "type", "location", "tags"] {
        if let Some(x) = fields.get(key) {
            head.insert(key.to_string(), serde_json::from_str(x.get()).map_err(bad)?);
        }
    }
    let head = Value::Object(head);
    let skip =
        type_of(&head).is_some_and(|t| UNREAD_PROPERTIES.iter().any(|u| t.eq_ignore_ascii_case(u)));
    let shape = type_of(&head).and_then(|t| {
        READ_FIELDS
            .iter()
            .find(|(u, _)| t.eq_ignore_ascii_case(u))
            .map(|&(_, s)| s)
    });
    let props = if skip {
        Value::Object(serde_json::Map::new())
    } else if let Some(shape) = shape {
        let mut de = serde_json::Deserializer::from_str(props.get());
        serde::de::DeserializeSeed::deserialize(Pruned(shape), &mut de).map_err(bad)?
    } else {
        serde_json::from_str(props.get()).map_err(bad)?
    };
    let Value::Object(mut head) = head else {
        return Err(bad(serde::de::Error::custom("a resource object")));
    };
    head.insert("properties".into(), props);
    Ok(Value::Object(head))
}

/// An ARM deployment template (`$schema` …deploymentTemplate.json, `resources`): its values
/// are expressions (`[parameters('name')]`) known only once deployed, so each resource it
/// declares is a finding. Whether `v` is one.
pub(super) fn template(v: &Value, file: &str, report: &mut ImportReport) -> bool {
    let is =
        str_of(v, "$schema").is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    let Some(Value::Array(res)) = v.get("resources").filter(|_| is) else {
        return false;
    };
    for (i, r) in res.iter().enumerate() {
        report.unsupported(
            file,
            format!("resources[{i}]"),
            format!(
                "`{}` {} is declared in an ARM deployment template, whose values are expressions evaluated at deployment (no addresses exist before it): skipped; export the deployed resources (`az graph query`, see docs/import-azure.md)",
                str_of(r, "type").unwrap_or("?"),
                str_of(r, "name").unwrap_or("?")
            ),
        );
    }
    true
}

/// One ARM resource object at JSON path `p` of file `name`, its properties moved out of it.
pub(super) fn read_one(
    name: &str,
    x: Value,
    p: String,
    all: &mut Vec<Res>,
) -> Result<(), ImportError> {
    if !x.is_object() {
        return Err(ImportError::new(
            name,
            p,
            "expected a resource object",
            UNCHANGED,
        ));
    }
    let (Some(id), Some(ty)) = (str_of(&x, "id"), type_of(&x)) else {
        return Err(ImportError::new(
            name,
            p,
            "a resource needs a string `id` and `type`",
            UNCHANGED,
        ));
    };
    let nested = matches!(x.get("properties"), Some(Value::Object(_)));
    let pp = if nested {
        crate::import::json::join(&p, "properties")
    } else {
        p.clone()
    };
    let tags = match x.get("tags") {
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect(),
        _ => Vec::new(),
    };
    let id_lower = id.to_ascii_lowercase();
    let res_name = str_of(&x, "name").unwrap_or(id).to_string();
    let location = str_of(&x, "location").map(str::to_string);
    let mut x = x;
    // Nested: the properties alone (the rest of the object is dropped with `x`); flattened by
    // the az CLI: the whole object.
    let props = match x.get_mut("properties") {
        Some(p) if nested => p.take(),
        _ => x,
    };
    all.push(Res {
        tags,
        pp,
        id: id_lower,
        name: res_name,
        ty: ty.to_ascii_lowercase(),
        location,
        props,
        file: name.to_string(),
        path: p,
    });
    Ok(())
}
