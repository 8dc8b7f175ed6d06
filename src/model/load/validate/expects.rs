//! Validating the file's `expect:` list.
//!
//! Must never: evaluate an expectation (that is `check`).

use std::net::IpAddr;

use crate::model::entities::{Expect, Verdict};
use crate::model::error::ErrorCode as C;
use crate::model::raw::RawFile;
use crate::model::rules::Protocol;

use super::Validator;

impl Validator {
    pub(super) fn expects_(&mut self, raw: &RawFile) {
        for (i, x) in raw.expect.iter().enumerate() {
            let verdict = if let Some(v) = Verdict::parse(&x.verdict.value) {
                v
            } else {
                self.err(
                    C::BadValue,
                    x.verdict.at,
                    format!("`{}` is not a verdict", x.verdict.value.trim()),
                    "use allow, deny or no_route",
                );
                Verdict::Deny
            };
            let port = x.port.as_ref().and_then(|p| {
                if let Ok(v) = u16::try_from(p.value) {
                    Some(v)
                } else {
                    self.err(
                        C::BadPort,
                        p.at,
                        format!("{} is not a port", p.value),
                        "write a port from 0 to 65535",
                    );
                    None
                }
            });
            let protocol = self.protocol(x.protocol.as_ref(), Protocol::Tcp);
            for (end, sp, fqdn_ok) in [("from", &x.from, false), ("to", &x.to, true)] {
                let t = sp.value.trim();
                let ok = self.ids.contains_key(t)
                    || t.eq_ignore_ascii_case("internet")
                    || t.parse::<IpAddr>().is_ok()
                    || (fqdn_ok && t.contains('.'));
                if !ok {
                    let hint = self.suggest(t);
                    self.err(
                        C::UnknownId,
                        sp.at,
                        format!("expectation `{end}: {t}` names nothing in the file"),
                        format!(
                            "{hint} (name an endpoint id, an address{}, or `internet`)",
                            if fqdn_ok { ", an FQDN" } else { "" }
                        ),
                    );
                }
            }
            self.expects.push(Expect {
                name: x.name.clone().unwrap_or_else(|| {
                    format!(
                        "expectation {}: {} -> {}:{}",
                        i + 1,
                        x.from.value.trim(),
                        x.to.value.trim(),
                        port.map_or("*".to_string(), |p| p.to_string())
                    )
                }),
                from: x.from.value.trim().to_string(),
                to: x.to.value.trim().to_string(),
                port,
                protocol,
                verdict,
                rule: x.rule.as_ref().map(|r| r.value.trim().to_string()),
                at: x.from.at,
            });
        }
    }
}
