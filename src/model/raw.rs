//! The file schema, exactly as written: serde structs that mirror the YAML, each value that a
//! later error may point at wrapped in [`Sp`] (value + line/column/byte span).
//!
//! Owns: the shape of the file format and the JSON Schema generated from it
//! (`assets/topology.schema.json`). Must never: resolve references, interpret addresses or
//! decide anything — that is `validate`'s job. No YAML library type leaks out of `topology`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A value with the place it was written: 1-based line and column, byte offset and length.
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub value: T,
    pub at: Pos,
}

/// Where a value stands in the source text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

impl Pos {
    pub(crate) fn from_location(loc: serde_saphyr::Location) -> Self {
        if loc == serde_saphyr::Location::UNKNOWN {
            return Pos::default();
        }
        let span = loc.span();
        Pos {
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
            offset: span
                .byte_offset()
                .and_then(|o| usize::try_from(o).ok())
                .unwrap_or(0),
            len: span
                .byte_len()
                .and_then(|o| usize::try_from(o).ok())
                .unwrap_or(0),
        }
    }

    /// True when the parser could not tell where the value was (inside untagged values).
    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Sp {
            value: s.value,
            at: Pos::from_location(s.referenced),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// A mapping whose keys must differ. The loader's first parse hands repeated keys on
/// (`load::parse::parse_one`): a map rejects them here, as a struct's derived visitor does
/// its fields, and the loader reports the strict parser's error, which points at the key.
fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, V>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!(
                        "the key `{k}` is given twice"
                    )));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

// The either-or types below deserialize with their own visitors rather than
// `#[serde(untagged)]`: no buffering of every value (the L topology has some 100,000 of them),
// and an error that says what was expected. `#[serde(untagged)]` stays for the JSON Schema.

/// One value or a list of them (`cidr: 10.0.0.0/16` or `cidr: [10.0.0.0/16, fd00::/48]`).
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::IntoDeserializer;
        struct V<T>(std::marker::PhantomData<T>);
        macro_rules! one {
            ($name:ident, $ty:ty) => {
                fn $name<E: serde::de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                    T::deserialize(v.into_deserializer()).map(OneOrMany::One)
                }
            };
        }
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value or a list of values")
            }
            one!(visit_str, &str);
            one!(visit_string, String);
            one!(visit_i64, i64);
            one!(visit_u64, u64);
            one!(visit_bool, bool);
            one!(visit_f64, f64);
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A scalar written as a number or a string (`ports: 443`, `ports: "6333-6334"`).
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Number(i64),
    Text(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Number(n) => write!(f, "{n}"),
            Scalar::Text(s) => f.write_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                // Out of range numbers stay text, so the port check names them.
                Ok(i64::try_from(v).map_or_else(|_| Scalar::Text(v.to_string()), Scalar::Number))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// `public_ip: true` or `public_ip: 20.1.2.3`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum PublicIp {
    Flag(bool),
    Address(String),
}

impl<'de> Deserialize<'de> for PublicIp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PublicIp;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or an IP address")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<PublicIp, E> {
                Ok(PublicIp::Flag(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PublicIp, E> {
                Ok(PublicIp::Address(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<PublicIp, E> {
                Ok(PublicIp::Address(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A gateway backend: an endpoint id, or `{ endpoint, priority, weight }`.
#[derive(Debug, Clone, JsonSchema)]
#[serde(untagged)]
pub enum RawBackend {
    Id(String),
    Detailed {
        endpoint: String,
        #[serde(default)]
        priority: Option<u32>,
        #[serde(default)]
        weight: Option<u32>,
    },
}

/// The `{ endpoint, priority, weight }` form of a backend.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedBackend {
    endpoint: String,
    #[serde(default)]
    priority: Option<u32>,
    #[serde(default)]
    weight: Option<u32>,
}

impl<'de> Deserialize<'de> for RawBackend {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawBackend;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an endpoint id, or { endpoint, priority, weight }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawBackend, E> {
                Ok(RawBackend::Id(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<RawBackend, E> {
                Ok(RawBackend::Id(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawBackend, A::Error> {
                let b = DetailedBackend::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(RawBackend::Detailed {
                    endpoint: b.endpoint,
                    priority: b.priority,
                    weight: b.weight,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The whole topology file (version 1).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "zonescope topology",
    description = "A network-isolation design: zones, networks, subnets, endpoints, rule sets, zone policy, private DNS and expectations. See the README (The file format in brief) and docs/semantics.md."
)]
pub struct RawFile {
    /// Format version: always 1.
    pub version: Sp<i64>,
    /// A title for the design.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Security zones (application, inference, data, management, external_ai, ...).
    #[serde(default)]
    pub zones: Vec<RawZone>,
    /// VNets / VPCs.
    #[serde(default)]
    pub networks: Vec<RawNetwork>,
    /// Pairs of peered networks (non-transitive).
    #[serde(default)]
    pub peerings: Vec<Sp<Vec<Sp<String>>>>,
    #[serde(default)]
    pub endpoints: Vec<RawEndpoint>,
    #[serde(default)]
    pub rule_sets: Vec<RawRuleSet>,
    /// The zone policy: one global rule set of kind `policy`, applied to every flow between zones.
    #[serde(default)]
    pub policies: Vec<RawPolicy>,
    /// Private DNS zones.
    #[serde(default)]
    pub dns: Vec<RawDnsZone>,
    /// Service tags the file declares: `{ TagName: [cidr, ...] }`.
    #[serde(default, deserialize_with = "unique_keys")]
    pub service_tags: BTreeMap<String, Sp<OneOrMany<String>>>,
    /// Assertions checked by `zonescope check`.
    #[serde(default)]
    pub expect: Vec<RawExpect>,
    /// Azure application security groups: endpoints join them with their own
    /// `application_security_groups:`, NSG rules name them as source or destination.
    #[serde(default)]
    pub application_security_groups: Vec<RawAsg>,
    /// Named address lists (Azure IP groups, AWS managed prefix lists):
    /// `{ ID: [cidr, ...] }`, named in rules wherever a CIDR may be.
    #[serde(default, deserialize_with = "unique_keys")]
    pub address_groups: BTreeMap<String, Sp<OneOrMany<String>>>,
    /// Route tables, used by networks and subnets through `route_table:`.
    #[serde(default)]
    pub route_tables: Vec<RawRouteTable>,
    /// A cloud export this design builds on: imported when the file is loaded, with
    /// this file's zones, policies, endpoints, rule sets and `expect:` added on top.
    #[serde(default)]
    pub base: Option<Sp<RawBase>>,
}

/// What a design builds on: exactly one export, its paths relative to the file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBase {
    /// A directory of `aws ec2 describe-*` JSON files (or one such file).
    #[serde(default)]
    pub aws: Option<Sp<String>>,
    /// Azure ARM resource JSON: one file, a folder, or a list of them.
    #[serde(default)]
    pub azure: Option<Sp<OneOrMany<String>>>,
    /// The output of `terraform show -json` (a state or a plan).
    #[serde(default)]
    pub terraform: Option<Sp<String>>,
    /// Zones for the imported subnets and endpoints that have no `SecurityZone` tag, as a
    /// `--zones MAP` gives them: `{ZONE: [subnet id or name, CIDR, tag=value, ...]}`.
    #[serde(default, deserialize_with = "unique_keys")]
    pub zones: BTreeMap<String, Vec<String>>,
}

/// An application security group (Azure).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAsg {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The cloud's resource id, when imported.
    #[serde(default)]
    pub cloud_id: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A route table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRouteTable {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub routes: Vec<RawRoute>,
}

/// One route: the longest matching prefix of the effective table decides.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    /// A CIDR, or a service tag name (Azure).
    pub prefix: Sp<String>,
    /// local | internet | none | an endpoint id (firewall, nat_gateway, vpn_gateway,
    /// transit_gateway) | `peering:NETWORK`.
    pub next_hop: Sp<String>,
}

/// A transit gateway's route table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTgwTable {
    pub id: Sp<String>,
    /// Attachments (networks, or peered transit gateways) whose traffic this table routes.
    #[serde(default)]
    pub associations: Vec<Sp<String>>,
    /// Static routes: `attachment` is a network, a peered transit gateway, or `none` (blackhole).
    #[serde(default)]
    pub routes: Vec<RawTgwRoute>,
    /// Networks whose prefixes this table learns.
    #[serde(default)]
    pub propagations: Vec<Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTgwRoute {
    pub prefix: Sp<String>,
    pub attachment: Sp<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// What the zone is for, which the checks use: application | inference | data |
    /// management | external_ai | sandbox | dmz | other. Without it, the zone's id is its role
    /// when the id is one of those names.
    #[serde(default)]
    pub role: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// One CIDR or a list; IPv4 and IPv6.
    pub cidr: Sp<OneOrMany<String>>,
    /// hub | spoke | standalone (default standalone).
    #[serde(default)]
    pub role: Option<Sp<String>>,
    /// For a spoke: its hub (implies a peering).
    #[serde(default)]
    pub hub: Option<Sp<String>>,
    /// The firewall/NVA endpoint all traffic leaving this network (and its spokes) is forced through.
    #[serde(default)]
    pub egress: Option<Sp<String>>,
    /// Whether this network reaches the internet (internet or NAT gateway). Default false.
    #[serde(default)]
    pub internet_egress: Option<bool>,
    /// The route table of its subnets that name none (AWS: the main route table).
    #[serde(default)]
    pub route_table: Option<Sp<String>>,
    /// Cloud provider, informational: azure | aws.
    #[serde(default)]
    pub provider: Option<String>,
    /// Custom DNS servers: endpoint ids (a DNS resolver, the hub firewall's DNS
    /// proxy) or IP addresses. The network then resolves with the zones linked to the network
    /// the first server is in.
    #[serde(default)]
    pub dns_servers: Vec<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub subnets: Vec<RawSubnet>,
    /// The cloud's resource id (an Azure resource id, an AWS `vpc-…`/`subnet-…`/`sg-…` id),
    /// usable wherever the `id` is when it names one thing.
    #[serde(default)]
    pub cloud_id: Option<Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSubnet {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub cidr: Sp<OneOrMany<String>>,
    #[serde(default)]
    pub zone: Option<Sp<String>>,
    /// Rule sets enforced at this subnet (NSG / security group / NACL).
    #[serde(default)]
    pub rules: Vec<Sp<String>>,
    /// enabled (default) | disabled: when disabled, this subnet's rules do not apply to traffic
    /// to its private endpoints (Azure's platform default).
    #[serde(default)]
    pub private_endpoint_policies: Option<Sp<String>>,
    #[serde(default)]
    pub internet_egress: Option<bool>,
    /// The subnet's route table (replaces its network's).
    #[serde(default)]
    pub route_table: Option<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// The cloud's resource id (an Azure resource id, an AWS `vpc-…`/`subnet-…`/`sg-…` id),
    /// usable wherever the `id` is when it names one thing.
    #[serde(default)]
    pub cloud_id: Option<Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// app, gateway, model_proxy, firewall, private_endpoint, ai_service, vector_db, storage,
    /// secrets, monitoring, dns_resolver, jumpbox, bastion, vpn_gateway, sandbox, onprem, internet.
    #[serde(default)]
    pub kind: Option<Sp<String>>,
    #[serde(default)]
    pub subnet: Option<Sp<String>>,
    #[serde(default)]
    pub ip: Option<Sp<String>>,
    /// Listening ports; omitted = any.
    #[serde(default)]
    pub ports: Option<Sp<OneOrMany<Scalar>>>,
    #[serde(default)]
    pub rules: Vec<Sp<String>>,
    #[serde(default)]
    pub backends: Vec<Sp<RawBackend>>,
    #[serde(default)]
    pub idle_timeout_s: Option<Sp<u64>>,
    /// For endpoints outside subnets (PaaS): their zone and region.
    #[serde(default)]
    pub zone: Option<Sp<String>>,
    #[serde(default)]
    pub region: Option<Sp<String>>,
    #[serde(default)]
    pub fqdn: Option<Sp<String>>,
    /// enabled (default) | disabled.
    #[serde(default)]
    pub public_access: Option<Sp<String>>,
    /// For a private endpoint: the service it brings into the network.
    #[serde(default)]
    pub target: Option<Sp<String>>,
    #[serde(default)]
    pub dns_zone: Option<Sp<String>>,
    /// Reachable from the internet: an address, or true.
    #[serde(default)]
    pub public_ip: Option<Sp<PublicIp>>,
    /// A `vpn_gateway`: the on-premises prefixes behind it.
    #[serde(default)]
    pub onprem: Option<Sp<OneOrMany<String>>>,
    /// A `transit_gateway`: the networks attached to it.
    #[serde(default)]
    pub attachments: Vec<Sp<String>>,
    /// A `transit_gateway`: its route tables.
    #[serde(default)]
    pub route_tables: Vec<RawTgwTable>,
    /// A `transit_gateway`: the transit gateways it peers with.
    #[serde(default)]
    pub peers: Vec<Sp<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// The application security groups (ids from the top-level `application_security_groups`)
    /// its network interface is a member of (Azure).
    #[serde(default)]
    pub application_security_groups: Vec<Sp<String>>,
    /// The cloud's resource id (an Azure resource id, an AWS `vpc-…`/`subnet-…`/`sg-…` id),
    /// usable wherever the `id` is when it names one thing.
    #[serde(default)]
    pub cloud_id: Option<Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRuleSet {
    pub id: Sp<String>,
    /// nsg | security_group | nacl | firewall | policy
    pub kind: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    /// Firewalls only: `allow` passes what no rule matches (AWS Network Firewall's stateful
    /// default); default `deny`.
    #[serde(default)]
    pub default: Option<Sp<String>>,
    /// Network ACLs only: the client (ephemeral) ports the return leg must pass, e.g.
    /// `"32768-60999"`; default `"1024-65535"`.
    #[serde(default)]
    pub ephemeral: Option<Sp<Scalar>>,
    /// The cloud's resource id (an Azure resource id, an AWS `vpc-…`/`subnet-…`/`sg-…` id),
    /// usable wherever the `id` is when it names one thing.
    #[serde(default)]
    pub cloud_id: Option<Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// NSG priority (100-4096), NACL rule number, firewall priority.
    #[serde(default)]
    pub priority: Option<Sp<i64>>,
    /// inbound | outbound (nsg, security_group, nacl).
    #[serde(default)]
    pub direction: Option<Sp<String>>,
    /// allow | deny
    pub action: Sp<String>,
    /// tcp | udp | icmp | any | https | http (default any)
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    #[serde(default)]
    pub source: Option<Sp<OneOrMany<String>>>,
    #[serde(default)]
    pub destination: Option<Sp<OneOrMany<String>>>,
    /// 443 | "6333-6334" | [443, 8443] | "*"
    #[serde(default)]
    pub ports: Option<Sp<OneOrMany<Scalar>>>,
    /// Firewall application rules: destination FQDNs. `*.example.com` matches every subdomain,
    /// `.example.com` the domain and its subdomains, a bare name itself.
    #[serde(default)]
    pub fqdns: Vec<Sp<String>>,
    /// Firewalls only: `network`, `application` or `dnat` (default `application` when the rule
    /// lists `fqdns`, else `network`). Processed DNAT, then network, then application, each by
    /// priority.
    #[serde(default, rename = "type")]
    pub rule_type: Option<Sp<String>>,
    /// DNAT firewall rules only: where the flow the rule matches is sent (an endpoint id or an
    /// IP address; Azure Firewall's `translatedAddress`). Past the firewall the flow goes to it
    /// with the firewall's private address as its source.
    #[serde(default)]
    pub translated_address: Option<Sp<String>>,
    /// DNAT firewall rules only: the port it is sent to (default: the flow's own port).
    #[serde(default)]
    pub translated_port: Option<Sp<Scalar>>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A zone-policy entry (seed 002): `from` zone → `to` zone.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub id: Sp<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub from: Sp<OneOrMany<String>>,
    pub to: Sp<OneOrMany<String>>,
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    #[serde(default)]
    pub ports: Option<Sp<OneOrMany<Scalar>>>,
    pub action: Sp<String>,
    #[serde(default)]
    pub priority: Option<Sp<i64>>,
    #[serde(default)]
    pub direction: Option<Sp<String>>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDnsZone {
    pub zone: Sp<String>,
    /// Networks whose lookups see this zone.
    #[serde(default)]
    pub linked: Vec<Sp<String>>,
    /// `{ name: ip }`; private endpoints with `dns_zone` add theirs.
    #[serde(default, deserialize_with = "unique_keys")]
    pub records: BTreeMap<String, Sp<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(default)]
    pub name: Option<String>,
    pub from: Sp<String>,
    pub to: Sp<String>,
    #[serde(default)]
    pub port: Option<Sp<i64>>,
    #[serde(default)]
    pub protocol: Option<Sp<String>>,
    /// allow | deny | no_route
    pub verdict: Sp<String>,
    /// Optional: the rule expected to decide (`rule` or `rule_set/rule`).
    #[serde(default)]
    pub rule: Option<Sp<String>>,
}
