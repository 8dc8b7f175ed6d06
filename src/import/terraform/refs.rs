//! The `configuration` block of a plan: which resource an attribute refers to, when its value
//! (an id) is not known until apply. References are followed through module calls (`var.x` to
//! the calling module's argument) and module outputs (`module.m.out` to the output's
//! expression); nothing is evaluated.
//!
//! Owns: [`Config`] and reference resolution to a configuration address. Must never: evaluate
//! an expression, or pick one instance of several without the referrer's own key to match.

use std::collections::HashMap;

use serde_json::Value;

/// `module.a["x"].module.b[0].aws_vpc.main` → `module.a.module.b.aws_vpc.main`.
pub(crate) fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// One module of the configuration.
#[derive(Debug, Default, Clone)]
struct Module {
    /// Resource (`aws_vpc.main`, `data.aws_vpc.x`) → its `expressions`.
    resources: HashMap<String, Value>,
    /// Output name → its expression.
    outputs: HashMap<String, Value>,
    /// Call name → the call's `expressions` (its arguments).
    calls: HashMap<String, Value>,
}

/// The configuration's modules, by module path without keys (`""`, `module.net`).
#[derive(Debug, Default, Clone)]
pub(crate) struct Config {
    modules: HashMap<String, Module>,
}

fn child(scope: &str, call: &str) -> String {
    if scope.is_empty() {
        format!("module.{call}")
    } else {
        format!("{scope}.module.{call}")
    }
}

fn parent(scope: &str) -> Option<(String, String)> {
    let (p, call) = scope.rsplit_once("module.")?;
    Some((p.trim_end_matches('.').to_string(), call.to_string()))
}

fn refs_of(expr: &Value) -> Vec<String> {
    expr.get("references")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Config {
    /// Read the `configuration` object (anything unexpected is left out: references are an aid
    /// to joining, never required).
    pub fn read(v: &Value) -> Self {
        let mut c = Config::default();
        if let Some(root) = v.get("root_module") {
            c.module(String::new(), root, 0);
        }
        c
    }

    fn module(&mut self, scope: String, m: &Value, depth: usize) {
        if depth > 64 {
            return;
        }
        let mut me = Module::default();
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(addr) = r.get("address").and_then(Value::as_str) else {
                continue;
            };
            me.resources.insert(
                addr.to_string(),
                r.get("expressions").cloned().unwrap_or(Value::Null),
            );
        }
        for (k, o) in m
            .get("outputs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            me.outputs.insert(
                k.clone(),
                o.get("expression").cloned().unwrap_or(Value::Null),
            );
        }
        for (k, call) in m
            .get("module_calls")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            me.calls.insert(
                k.clone(),
                call.get("expressions").cloned().unwrap_or(Value::Null),
            );
            if let Some(cm) = call.get("module") {
                self.module(child(&scope, k), cm, depth + 1);
            }
        }
        self.modules.insert(scope, me);
    }

    /// Whether the configuration of resource `addr` in `scope` sets `attr` (an argument or a
    /// block).
    pub fn has(&self, scope: &str, addr: &str, attr: &str) -> bool {
        self.modules
            .get(scope)
            .and_then(|m| m.resources.get(addr))
            .and_then(|e| e.get(attr))
            .is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The expression of attribute `path` (`["vpc_id"]`, `["route", "0", "gateway_id"]`) of
    /// the resource at configuration address `addr` (`aws_subnet.a`) in module `scope`.
    fn expression(&self, scope: &str, addr: &str, path: &[&str]) -> Option<&Value> {
        let mut e = self.modules.get(scope)?.resources.get(addr)?;
        for (i, p) in path.iter().enumerate() {
            e = match e {
                Value::Array(a) => match p.parse::<usize>() {
                    Ok(k) => a.get(k).or(if a.len() == 1 { a.first() } else { None })?,
                    Err(_) => return None,
                },
                Value::Object(o) => match o.get(*p) {
                    Some(x) => x,
                    // A block written once in the configuration, many in the values.
                    None if i > 0 => return None,
                    None => return None,
                },
                _ => return None,
            };
        }
        Some(e)
    }

    /// Which block of the nested block list `attr` of a resource's configuration is the one
    /// whose constant `key` is `value` (a set of blocks is planned in its own order, not the
    /// configuration's).
    pub fn block_index(
        &self,
        scope: &str,
        addr: &str,
        attr: &str,
        key: &str,
        value: &str,
    ) -> Option<usize> {
        let blocks = self
            .modules
            .get(scope)?
            .resources
            .get(addr)?
            .get(attr)?
            .as_array()?;
        let mut hits = blocks.iter().enumerate().filter(|(_, b)| {
            b.get(key)
                .and_then(|e| e.get("constant_value"))
                .and_then(Value::as_str)
                == Some(value)
        });
        let first = hits.next()?.0;
        hits.next().is_none().then_some(first)
    }

    /// The one block of `attr` whose constants agree with `fields` (each field the block sets
    /// as a constant must equal the value): a set's planned order is not the configuration's.
    pub fn block_matching(
        &self,
        scope: &str,
        addr: &str,
        attr: &str,
        fields: &[(&str, &Value)],
    ) -> Option<usize> {
        let blocks = self
            .modules
            .get(scope)?
            .resources
            .get(addr)?
            .get(attr)?
            .as_array()?;
        let mut hits = blocks.iter().enumerate().filter(|(_, b)| {
            fields.iter().all(|(k, v)| {
                b.get(*k)
                    .and_then(|e| e.get("constant_value"))
                    .is_none_or(|c| c == *v)
            })
        });
        let first = hits.next()?.0;
        hits.next().is_none().then_some(first)
    }

    /// The configuration addresses (module path, resource address) that attribute `path` of
    /// the resource `addr` in `scope` refers to, followed through module variables and outputs.
    pub fn targets(&self, scope: &str, addr: &str, path: &[&str]) -> Vec<Target> {
        let Some(e) = self.expression(scope, addr, path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for r in refs_of(e) {
            self.follow(scope, &r, &mut out, 0);
        }
        out.dedup();
        out
    }

    fn follow(&self, scope: &str, r: &str, out: &mut Vec<Target>, depth: usize) {
        if depth > 32 {
            return;
        }
        let parts: Vec<&str> = r.split('.').collect();
        match parts.as_slice() {
            ["var", name, ..] => {
                let Some((p, call)) = parent(scope) else {
                    return;
                };
                let call = strip_keys(&call);
                let Some(e) = self
                    .modules
                    .get(&p)
                    .and_then(|m| m.calls.get(&call))
                    .and_then(|c| c.get(*name))
                else {
                    return;
                };
                for r2 in refs_of(e) {
                    self.follow(&p, &r2, out, depth + 1);
                }
            }
            ["module", call, output, ..] => {
                let call = strip_keys(call);
                let inner = child(scope, &call);
                let Some(e) = self
                    .modules
                    .get(&inner)
                    .and_then(|m| m.outputs.get(*output))
                else {
                    return;
                };
                for r2 in refs_of(e) {
                    self.follow(&inner, &r2, out, depth + 1);
                }
            }
            ["data", t, n, rest @ ..] => {
                push(out, scope, format!("data.{t}.{}", strip_keys(n)), n, rest);
            }
            [t, n, rest @ ..]
                if t.contains('_')
                    && !matches!(
                        *t,
                        "count" | "each" | "path" | "self" | "local" | "terraform"
                    ) =>
            {
                push(out, scope, format!("{t}.{}", strip_keys(n)), n, rest);
            }
            _ => {}
        }
    }
}

/// A resource a reference names: (module path, address in it, instance key as the reference
/// writes it (`0`, `"x"`), attribute).
pub(crate) type Target = (String, String, Option<String>, Option<String>);

fn push(out: &mut Vec<Target>, scope: &str, addr: String, name: &str, rest: &[&str]) {
    let key = name
        .split_once('[')
        .map(|(_, k)| k.trim_end_matches(']').to_string());
    let attr = rest.first().map(|a| strip_keys(a));
    let t = (scope.to_string(), addr, key, attr);
    if !out.contains(&t) {
        out.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stripped() {
        assert_eq!(
            strip_keys(r#"module.a["x.y"].module.b[0].aws_vpc.main"#),
            "module.a.module.b.aws_vpc.main"
        );
        assert_eq!(strip_keys("aws_subnet.a[3]"), "aws_subnet.a");
    }

    #[test]
    fn references_follow_variables_and_outputs() {
        let c = Config::read(&serde_json::json!({"root_module": {
            "resources": [{"address": "aws_vpc.main", "expressions": {}}],
            "module_calls": {"net": {
                "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}},
                "module": {
                    "resources": [
                        {"address": "aws_subnet.a", "expressions": {"vpc_id": {"references": ["var.vpc_id"]}}},
                        {"address": "aws_security_group.web", "expressions": {}}
                    ],
                    "outputs": {"sg": {"expression": {"references": ["aws_security_group.web.id", "aws_security_group.web"]}}}
                }
            }}
        }}));
        // Terraform lists the attribute reference, then the resource: both, most specific first.
        assert_eq!(
            c.targets("module.net", "aws_subnet.a", &["vpc_id"]),
            vec![
                (
                    String::new(),
                    "aws_vpc.main".to_string(),
                    None,
                    Some("id".to_string())
                ),
                (String::new(), "aws_vpc.main".to_string(), None, None)
            ]
        );
        let mut out = Vec::new();
        c.follow("", "module.net.sg", &mut out, 0);
        assert_eq!(out[0].0, "module.net");
        assert_eq!(out[0].1, "aws_security_group.web");
        assert_eq!(out[0].3.as_deref(), Some("id"));
    }
}
