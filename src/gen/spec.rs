//! The tables of what a synthetic design contains: the zones, what a hub holds (subnets,
//! endpoints, the firewall policy and the NSGs), what a spoke's workload subnets of each zone
//! hold (endpoints and NSG rules), the zone policy and the expectations.
//!
//! Owns: the content, as constant data. Rules name what they refer to symbolically ([`Ref`]) and
//! say whether they are always there, there by chance, or there when the spoke has what they
//! refer to ([`Keep`]); `build` resolves the ids and draws the chances in table order. Must
//! never: hold logic beyond these tables, allocate, or format text.
//!
//! Over 800 lines on purpose: it is only tables, one entry per rule or policy, in file order;
//! splitting it would scatter one spoke's rules over several files.

use super::design::{Dir, Policy, Ports, ZoneSpec};

/// Region names, by region number (1-based); later regions are `region-{r}`.
pub(super) const REGION_NAMES: [&str; 20] = [
    "eastus",
    "westeurope",
    "swedencentral",
    "francecentral",
    "uksouth",
    "westus3",
    "northcentralus",
    "southcentralus",
    "eastus2",
    "japaneast",
    "australiaeast",
    "canadaeast",
    "switzerlandnorth",
    "norwayeast",
    "germanywestcentral",
    "koreacentral",
    "southindia",
    "brazilsouth",
    "westus",
    "northeurope",
];

pub(super) const OPENAI_ZONE: &str = "privatelink.openai.azure.com";
pub(super) const BLOB_ZONE: &str = "privatelink.blob.core.windows.net";

/// The zones, each with the role of the same name (SPEC §11.8).
pub(super) const ZONES: [ZoneSpec; 5] = [
    ZoneSpec {
        id: "application",
        role: "application",
        description: "User-facing application layer",
    },
    ZoneSpec {
        id: "inference",
        role: "inference",
        description: "Model inference, gateways and guardrails",
    },
    ZoneSpec {
        id: "data",
        role: "data",
        description: "Vector databases, document stores, training data",
    },
    ZoneSpec {
        id: "management",
        role: "management",
        description: "Secrets, identity, monitoring, deployment",
    },
    ZoneSpec {
        id: "external_ai",
        role: "external_ai",
        description: "Cloud AI service endpoints",
    },
];

// ---------------------------------------------------------------------------------------------
// Rule templates

/// What a selector of a rule template refers to, resolved per region and spoke.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ref {
    /// A zone id, a service tag or `*`, as written.
    Lit(&'static str),
    /// Several of those.
    Lits(&'static [&'static str]),
    /// The subnet the rule set is attached to.
    This,
    /// A hub subnet: `snet-{name}-r{r}`.
    HubSubnet(&'static str),
    /// A hub endpoint: `{name}-r{r}`.
    HubEndpoint(&'static str),
    /// The hub private-endpoint subnets of the region and the next one or two.
    NearHubPe,
    /// The region's hub private-endpoint subnet and its Azure `OpenAI` service.
    LocalAoai,
    /// The hub private-endpoint subnets and `OpenAI` services of the next one or two regions.
    RemoteAoai,
    /// The spoke's first application subnet, or the `application` zone without one.
    AppOrZone,
    /// The spoke's first inference subnet, or the `inference` zone without one.
    InferenceOrZone,
    /// The spoke's first data subnet (only with [`Cond::HasData`]).
    Data,
    /// The spoke's private-endpoint subnet.
    PeSubnet,
    /// The spoke's AI gateway.
    Gateway,
}

/// A condition on the spoke (or region) a rule is generated for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Cond {
    /// The spoke has an inference subnet.
    HasInference,
    /// The spoke has no inference subnet (its gateway sits in the private-endpoint subnet).
    NoInference,
    /// The spoke has a data subnet.
    HasData,
    /// The spoke has neither an inference nor a data subnet.
    NoInferenceNorData,
    /// There are other regions to fail over to.
    HasRemote,
}

/// Whether a rule template makes a rule.
#[derive(Clone, Copy, Debug)]
pub(super) enum Keep {
    Always,
    /// With probability `percent`, drawn from the part's stream in table order.
    Chance(u64),
    /// When every condition holds (no randomness drawn).
    If(&'static [Cond]),
}

/// Most optional rules are there 60 % of the time.
const MAYBE: Keep = Keep::Chance(60);

/// A rule template.
#[derive(Clone, Copy, Debug)]
pub(super) struct RuleSpec {
    pub(super) id: &'static str,
    /// A fixed priority, or 0 to be numbered in order.
    pub(super) priority: u32,
    pub(super) dir: Dir,
    pub(super) allow: bool,
    pub(super) protocol: &'static str,
    pub(super) source: Ref,
    pub(super) destination: Ref,
    pub(super) ports: Ports,
    pub(super) fqdns: &'static [&'static str],
    pub(super) justification: &'static str,
    pub(super) keep: Keep,
}

const fn allow(
    id: &'static str,
    dir: Dir,
    protocol: &'static str,
    source: Ref,
    destination: Ref,
    ports: Ports,
    justification: &'static str,
) -> RuleSpec {
    RuleSpec {
        id,
        priority: 0,
        dir,
        allow: true,
        protocol,
        source,
        destination,
        ports,
        fqdns: &[],
        justification,
        keep: Keep::Always,
    }
}

const fn deny(
    id: &'static str,
    dir: Dir,
    protocol: &'static str,
    source: Ref,
    destination: Ref,
    ports: Ports,
    justification: &'static str,
) -> RuleSpec {
    RuleSpec {
        allow: false,
        ..allow(id, dir, protocol, source, destination, ports, justification)
    }
}

impl RuleSpec {
    const fn keep(self, keep: Keep) -> RuleSpec {
        RuleSpec { keep, ..self }
    }

    const fn at(self, priority: u32) -> RuleSpec {
        RuleSpec { priority, ..self }
    }
}

const ANY: Ref = Ref::Lit("*");
const INTERNET: Ref = Ref::Lit("Internet");
const VNET: Ref = Ref::Lit("VirtualNetwork");
const WORKLOAD_ZONES: Ref = Ref::Lits(&["application", "inference", "data"]);
const ADMIN_PORTS: Ports = Ports::List(&[22, 3389]);
const HTTPS: Ports = Ports::One(443);
const VECTOR_PORTS: Ports = Ports::Range(6333, 6334);

const DENY_ALL_IN: RuleSpec = deny(
    "deny-all-in",
    Dir::In,
    "any",
    ANY,
    ANY,
    Ports::Any,
    "Default deny: only the flows above are allowed",
)
.at(4096);

const DENY_ALL_OUT: RuleSpec = deny(
    "deny-all-out",
    Dir::Out,
    "any",
    ANY,
    ANY,
    Ports::Any,
    "Default deny: only the flows above are allowed",
)
.at(4096);

/// A rule set of a hub: its id prefix (`{prefix}-r{r}`), kind, rules and the chance (percent)
/// of a deliberately shadowed copy of one of its allow rules.
pub(super) struct RuleSetSpec {
    pub(super) prefix: &'static str,
    pub(super) kind: &'static str,
    pub(super) rules: &'static [RuleSpec],
    pub(super) shadow_percent: u64,
}

// ---------------------------------------------------------------------------------------------
// The hub

/// A subnet of the hub: `snet-{name}-r{r}`, at `offset` in the hub's /22, with the NSG
/// `nsg-{name}-r{r}` when `nsg`.
pub(super) struct HubSubnetSpec {
    pub(super) name: &'static str,
    pub(super) offset: u64,
    pub(super) size: u64,
    pub(super) zone: &'static str,
    pub(super) nsg: bool,
    pub(super) internet_egress: bool,
}

const fn hub_subnet(
    name: &'static str,
    offset: u64,
    size: u64,
    zone: &'static str,
) -> HubSubnetSpec {
    HubSubnetSpec {
        name,
        offset,
        size,
        zone,
        nsg: true,
        internet_egress: false,
    }
}

pub(super) const HUB_SUBNETS: [HubSubnetSpec; 5] = [
    HubSubnetSpec {
        nsg: false,
        internet_egress: true,
        ..hub_subnet("fw", 0, 64, "management")
    },
    hub_subnet("bastion", 64, 64, "management"),
    hub_subnet("mgmt", 128, 64, "management"),
    hub_subnet("dns", 192, 16, "management"),
    hub_subnet("hubpe", 256, 256, "inference"),
];

/// An endpoint of the hub in one of its subnets: `{name}-r{r}` at `offset` in the hub's /22.
pub(super) struct HubEndpointSpec {
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    /// The hub subnet's name (see [`HUB_SUBNETS`]).
    pub(super) subnet: &'static str,
    pub(super) offset: u64,
    pub(super) public_ip: bool,
    /// Its own rule set, `{prefix}-r{r}` (the firewall's policy).
    pub(super) rules: Option<&'static str>,
    pub(super) ports: Option<&'static [u16]>,
}

const fn hub_endpoint(
    name: &'static str,
    kind: &'static str,
    subnet: &'static str,
    offset: u64,
    ports: &'static [u16],
) -> HubEndpointSpec {
    HubEndpointSpec {
        name,
        kind,
        subnet,
        offset,
        public_ip: false,
        rules: None,
        ports: Some(ports),
    }
}

/// The hub's endpoints in subnets; the region's Azure `OpenAI` service (`aoai-r{r}`) and its
/// private endpoint (`pe-aoai-r{r}`, at offset 260 in `hubpe`) follow them.
pub(super) const HUB_ENDPOINTS: [HubEndpointSpec; 6] = [
    HubEndpointSpec {
        rules: Some("fwp"),
        ports: None,
        ..hub_endpoint("fw", "firewall", "fw", 4, &[])
    },
    HubEndpointSpec {
        public_ip: true,
        ..hub_endpoint("bastion", "bastion", "bastion", 68, &[443])
    },
    hub_endpoint("jump", "jumpbox", "mgmt", 132, &[22, 3389]),
    hub_endpoint("kv", "secrets", "mgmt", 133, &[443]),
    hub_endpoint("mon", "monitoring", "mgmt", 134, &[443]),
    hub_endpoint("dns", "dns_resolver", "dns", 196, &[53]),
];

/// Offset of the `OpenAI` private endpoint in the hub's /22 (inside `hubpe`).
pub(super) const HUB_AOAI_PE_OFFSET: u64 = 260;
/// Chance (percent) that a region's `OpenAI` service has public access enabled.
pub(super) const AOAI_PUBLIC_PERCENT: u64 = 10;

/// The hub firewall's policy, `fwp-r{r}`.
const FIREWALL: &[RuleSpec] = &[
    allow(
        "allow-inference-to-aoai",
        Dir::None,
        "https",
        Ref::Lit("inference"),
        Ref::Lit("external_ai"),
        HTTPS,
        "The model proxies and gateways call Azure OpenAI",
    ),
    allow(
        "allow-inference-to-private-endpoints",
        Dir::None,
        "https",
        Ref::Lit("inference"),
        Ref::NearHubPe,
        HTTPS,
        "Gateways fail over to the private endpoints of the neighbouring regions",
    ),
    allow(
        "allow-dns",
        Dir::None,
        "udp",
        WORKLOAD_ZONES,
        Ref::HubEndpoint("dns"),
        Ports::One(53),
        "Every workload resolves names through the hub resolver",
    ),
    allow(
        "allow-admin",
        Dir::None,
        "tcp",
        Ref::Lit("management"),
        WORKLOAD_ZONES,
        ADMIN_PORTS,
        "Administration from the jumpbox only",
    ),
    allow(
        "allow-monitoring",
        Dir::None,
        "https",
        WORKLOAD_ZONES,
        Ref::HubEndpoint("mon"),
        HTTPS,
        "Logs and metrics go to the regional collector",
    ),
    allow(
        "allow-secrets",
        Dir::None,
        "https",
        Ref::Lit("inference"),
        Ref::HubEndpoint("kv"),
        HTTPS,
        "The inference layer reads API credentials from the secrets store",
    ),
    allow(
        "allow-legacy-egress",
        Dir::None,
        "tcp",
        Ref::Lit("inference"),
        INTERNET,
        HTTPS,
        "Temporary: the model proxy downloads tokenizer files (to be removed)",
    )
    .keep(Keep::Chance(10)),
    RuleSpec {
        fqdns: &["packages.microsoft.com", "security.ubuntu.com"],
        ..allow(
            "allow-os-updates",
            Dir::None,
            "https",
            Ref::Lit("application"),
            INTERNET,
            HTTPS,
            "Application hosts fetch OS updates from approved mirrors",
        )
    },
    deny(
        "deny-data-egress",
        Dir::None,
        "any",
        Ref::Lit("data"),
        INTERNET,
        Ports::Any,
        "The data zone never reaches the internet",
    ),
    deny(
        "deny-app-to-data",
        Dir::None,
        "any",
        Ref::Lit("application"),
        Ref::Lit("data"),
        Ports::Any,
        "Only the inference zone reaches the data zone",
    ),
];

const NSG_BASTION: &[RuleSpec] = &[
    allow(
        "allow-https-in",
        Dir::In,
        "tcp",
        INTERNET,
        Ref::HubSubnet("bastion"),
        HTTPS,
        "Administrators reach the bastion over HTTPS",
    ),
    DENY_ALL_IN,
    allow(
        "allow-ssh-rdp-out",
        Dir::Out,
        "tcp",
        Ref::HubSubnet("bastion"),
        VNET,
        ADMIN_PORTS,
        "The bastion opens SSH and RDP sessions to virtual machines",
    ),
    DENY_ALL_OUT,
];

const NSG_MGMT: &[RuleSpec] = &[
    allow(
        "allow-bastion-in",
        Dir::In,
        "tcp",
        Ref::HubSubnet("bastion"),
        Ref::HubSubnet("mgmt"),
        ADMIN_PORTS,
        "Administrators reach the jumpbox through the bastion only",
    ),
    allow(
        "allow-secrets-in",
        Dir::In,
        "https",
        VNET,
        Ref::HubEndpoint("kv"),
        HTTPS,
        "Workloads read secrets",
    ),
    allow(
        "allow-monitoring-in",
        Dir::In,
        "https",
        VNET,
        Ref::HubEndpoint("mon"),
        HTTPS,
        "Workloads send logs and metrics",
    ),
    deny(
        "deny-internet-in",
        Dir::In,
        "any",
        INTERNET,
        Ref::HubSubnet("mgmt"),
        Ports::Any,
        "The management plane is never exposed to the internet",
    )
    .at(4000),
    DENY_ALL_IN,
];

const NSG_DNS: &[RuleSpec] = &[
    allow(
        "allow-dns-in",
        Dir::In,
        "udp",
        VNET,
        Ref::HubSubnet("dns"),
        Ports::One(53),
        "Workloads resolve private DNS zones through the hub resolver",
    ),
    DENY_ALL_IN,
];

const NSG_HUBPE: &[RuleSpec] = &[
    deny(
        "deny-application-in",
        Dir::In,
        "any",
        Ref::Lit("application"),
        Ref::HubSubnet("hubpe"),
        Ports::Any,
        "Applications call models only through the gateway",
    ),
    allow(
        "allow-inference-in",
        Dir::In,
        "https",
        Ref::Lit("inference"),
        Ref::HubSubnet("hubpe"),
        HTTPS,
        "Gateways and model proxies call Azure OpenAI privately",
    ),
    DENY_ALL_IN,
];

/// The hub's rule sets, in file order.
pub(super) const HUB_RULE_SETS: [RuleSetSpec; 5] = [
    RuleSetSpec {
        prefix: "fwp",
        kind: "firewall",
        rules: FIREWALL,
        shadow_percent: 10,
    },
    RuleSetSpec {
        prefix: "nsg-bastion",
        kind: "nsg",
        rules: NSG_BASTION,
        shadow_percent: 0,
    },
    RuleSetSpec {
        prefix: "nsg-mgmt",
        kind: "nsg",
        rules: NSG_MGMT,
        shadow_percent: 10,
    },
    RuleSetSpec {
        prefix: "nsg-dns",
        kind: "nsg",
        rules: NSG_DNS,
        shadow_percent: 0,
    },
    RuleSetSpec {
        prefix: "nsg-hubpe",
        kind: "nsg",
        rules: NSG_HUBPE,
        shadow_percent: 0,
    },
];

// ---------------------------------------------------------------------------------------------
// The spoke

/// Chance (percent) of a deliberately shadowed rule in a workload subnet's NSG.
pub(super) const WORKLOAD_SHADOW_PERCENT: u64 = 5;
/// Chance (percent) that a spoke's storage account has public access enabled.
pub(super) const STORAGE_PUBLIC_PERCENT: u64 = 5;
/// Chance (percent) of a gateway `idle_timeout_s` of 240 (too short for streaming).
pub(super) const SHORT_TIMEOUT_PERCENT: u64 = 8;

const BASTION_IN: RuleSpec = allow(
    "allow-bastion-in",
    Dir::In,
    "tcp",
    Ref::HubSubnet("bastion"),
    Ref::This,
    ADMIN_PORTS,
    "Administrators connect through the bastion only",
);

const MONITORING_IN: RuleSpec = allow(
    "allow-monitoring-in",
    Dir::In,
    "tcp",
    Ref::HubEndpoint("mon"),
    Ref::This,
    Ports::One(9100),
    "The collector scrapes node metrics",
)
.keep(MAYBE);

const SECRETS_OUT: RuleSpec = allow(
    "allow-secrets-out",
    Dir::Out,
    "https",
    Ref::This,
    Ref::HubEndpoint("kv"),
    HTTPS,
    "Workloads read their credentials from the secrets store",
)
.keep(MAYBE);

const MONITORING_OUT: RuleSpec = allow(
    "allow-monitoring-out",
    Dir::Out,
    "https",
    Ref::This,
    Ref::HubEndpoint("mon"),
    HTTPS,
    "Logs and metrics go to the regional collector",
)
.keep(MAYBE);

const DNS_OUT: RuleSpec = allow(
    "allow-dns-out",
    Dir::Out,
    "udp",
    Ref::This,
    Ref::HubEndpoint("dns"),
    Ports::One(53),
    "Name resolution through the hub resolver",
);

const INTERNET_ADMIN_IN: RuleSpec = deny(
    "deny-internet-admin-in",
    Dir::In,
    "tcp",
    INTERNET,
    Ref::This,
    ADMIN_PORTS,
    "Remote administration is never exposed to the internet",
);

const INTERNET_OUT: RuleSpec = deny(
    "deny-internet-out",
    Dir::Out,
    "any",
    Ref::This,
    INTERNET,
    Ports::Any,
    "No direct internet egress: updates go through the hub firewall",
)
.at(4000);

const AOAI_OUT: RuleSpec = allow(
    "allow-aoai-out",
    Dir::Out,
    "https",
    Ref::This,
    Ref::LocalAoai,
    HTTPS,
    "The gateway calls Azure OpenAI through the hub private endpoint",
);

const REMOTE_AOAI_OUT: RuleSpec = allow(
    "allow-remote-aoai-out",
    Dir::Out,
    "https",
    Ref::This,
    Ref::RemoteAoai,
    HTTPS,
    "The gateway fails over to Azure OpenAI in the neighbouring regions",
);

/// The NSG of an application subnet.
const NSG_APPLICATION: &[RuleSpec] = &[
    INTERNET_ADMIN_IN,
    allow(
        "allow-https-in",
        Dir::In,
        "https",
        VNET,
        Ref::This,
        HTTPS,
        "Users reach the application through the internal load balancer",
    ),
    allow(
        "allow-http-redirect-in",
        Dir::In,
        "tcp",
        VNET,
        Ref::This,
        Ports::One(80),
        "Plain HTTP is redirected to HTTPS",
    )
    .keep(MAYBE),
    allow(
        "allow-health-in",
        Dir::In,
        "tcp",
        VNET,
        Ref::This,
        Ports::One(8080),
        "Load balancer health probes",
    )
    .keep(MAYBE),
    BASTION_IN,
    MONITORING_IN,
    DENY_ALL_IN,
    allow(
        "allow-gateway-out",
        Dir::Out,
        "https",
        Ref::This,
        Ref::Gateway,
        HTTPS,
        "The application calls models only through the gateway",
    ),
    allow(
        "allow-inference-out",
        Dir::Out,
        "https",
        Ref::This,
        Ref::InferenceOrZone,
        HTTPS,
        "The application sends prompts to the model proxies",
    )
    .keep(Keep::If(&[Cond::HasInference])),
    deny(
        "deny-data-out",
        Dir::Out,
        "any",
        Ref::This,
        Ref::Data,
        Ports::Any,
        "No lateral movement from the application to the data zone",
    )
    .keep(Keep::If(&[Cond::HasData])),
    SECRETS_OUT,
    MONITORING_OUT,
    DNS_OUT,
    INTERNET_OUT,
    DENY_ALL_OUT,
];

/// The NSG of an inference subnet.
const NSG_INFERENCE: &[RuleSpec] = &[
    INTERNET_ADMIN_IN,
    allow(
        "allow-app-in",
        Dir::In,
        "https",
        Ref::AppOrZone,
        Ref::This,
        HTTPS,
        "The application sends prompts to the gateway and model proxies",
    ),
    allow(
        "allow-app-stream-in",
        Dir::In,
        "tcp",
        Ref::AppOrZone,
        Ref::This,
        Ports::One(8000),
        "Streaming endpoint of the model proxies",
    )
    .keep(MAYBE),
    BASTION_IN,
    MONITORING_IN,
    DENY_ALL_IN,
    allow(
        "allow-vector-out",
        Dir::Out,
        "https",
        Ref::This,
        Ref::Data,
        VECTOR_PORTS,
        "Retrieval reads context from the vector database",
    )
    .keep(Keep::If(&[Cond::HasData])),
    allow(
        "allow-storage-out",
        Dir::Out,
        "https",
        Ref::This,
        Ref::PeSubnet,
        HTTPS,
        "Documents are read from the storage account's private endpoint",
    )
    .keep(MAYBE),
    AOAI_OUT,
    REMOTE_AOAI_OUT.keep(Keep::If(&[Cond::HasRemote])),
    SECRETS_OUT,
    DNS_OUT,
    MONITORING_OUT,
    INTERNET_OUT,
    DENY_ALL_OUT,
];

/// The NSG of a data subnet.
const NSG_DATA: &[RuleSpec] = &[
    INTERNET_ADMIN_IN,
    deny(
        "deny-app-in",
        Dir::In,
        "any",
        Ref::AppOrZone,
        Ref::This,
        Ports::Any,
        "The application never reaches the data zone directly",
    )
    .keep(Keep::Chance(50)),
    allow(
        "allow-vector-in",
        Dir::In,
        "https",
        Ref::InferenceOrZone,
        Ref::This,
        VECTOR_PORTS,
        "Retrieval reads context from the vector database",
    ),
    allow(
        "allow-documents-in",
        Dir::In,
        "https",
        Ref::InferenceOrZone,
        Ref::This,
        HTTPS,
        "The inference layer reads documents",
    )
    .keep(MAYBE),
    allow(
        "allow-any-vector-in",
        Dir::In,
        "tcp",
        ANY,
        Ref::This,
        VECTOR_PORTS,
        "Temporary: open for the data migration",
    )
    .keep(Keep::Chance(6)),
    BASTION_IN,
    MONITORING_IN,
    DENY_ALL_IN,
    allow(
        "allow-storage-out",
        Dir::Out,
        "https",
        Ref::This,
        Ref::PeSubnet,
        HTTPS,
        "Embeddings are persisted to the storage account",
    ),
    MONITORING_OUT,
    DNS_OUT,
    INTERNET_OUT,
    DENY_ALL_OUT,
];

/// The NSG of a spoke's private-endpoint subnet (which also holds the gateway when the spoke
/// has no inference subnet), `nsg-r{r}-s{s}-pe`.
pub(super) const NSG_PE: &[RuleSpec] = &[
    allow(
        "allow-inference-in",
        Dir::In,
        "https",
        Ref::InferenceOrZone,
        Ref::This,
        HTTPS,
        "The inference layer reads documents from storage",
    )
    .keep(Keep::If(&[Cond::HasInference])),
    allow(
        "allow-data-in",
        Dir::In,
        "https",
        Ref::Data,
        Ref::This,
        HTTPS,
        "The data layer persists embeddings to storage",
    )
    .keep(Keep::If(&[Cond::HasData])),
    allow(
        "allow-vnet-in",
        Dir::In,
        "https",
        VNET,
        Ref::This,
        HTTPS,
        "Workloads of the spoke use the storage account",
    )
    .keep(Keep::If(&[Cond::NoInferenceNorData])),
    allow(
        "allow-gateway-in",
        Dir::In,
        "https",
        VNET,
        Ref::Gateway,
        HTTPS,
        "Applications call the gateway",
    )
    .keep(Keep::If(&[Cond::NoInference])),
    DENY_ALL_IN,
    AOAI_OUT.keep(Keep::If(&[Cond::NoInference])),
    REMOTE_AOAI_OUT.keep(Keep::If(&[Cond::NoInference, Cond::HasRemote])),
];

/// An endpoint kind of a workload subnet and its ports.
pub(super) struct WorkloadKind {
    pub(super) kind: &'static str,
    pub(super) ports: &'static [u16],
}

/// What a workload subnet of one zone holds. Workload subnet `i` of a spoke is
/// `snet-{short}-r{r}-s{s}-{i}` of zone `WORKLOADS[(i - 1) % 3]`.
pub(super) struct WorkloadSpec {
    pub(super) zone: &'static str,
    pub(super) short: &'static str,
    /// The kind of its endpoints…
    pub(super) kind: WorkloadKind,
    /// …except, with this chance (percent), for each endpoint after the first.
    pub(super) alternative: Option<(WorkloadKind, u64)>,
    pub(super) nsg: &'static [RuleSpec],
}

pub(super) const WORKLOADS: [WorkloadSpec; 3] = [
    WorkloadSpec {
        zone: "application",
        short: "app",
        kind: WorkloadKind {
            kind: "app",
            ports: &[443],
        },
        alternative: None,
        nsg: NSG_APPLICATION,
    },
    WorkloadSpec {
        zone: "inference",
        short: "inf",
        kind: WorkloadKind {
            kind: "model_proxy",
            ports: &[443, 8000],
        },
        alternative: None,
        nsg: NSG_INFERENCE,
    },
    WorkloadSpec {
        zone: "data",
        short: "data",
        kind: WorkloadKind {
            kind: "vector_db",
            ports: &[6333, 6334],
        },
        alternative: Some((
            WorkloadKind {
                kind: "storage",
                ports: &[443],
            },
            35,
        )),
        nsg: NSG_DATA,
    },
];

// ---------------------------------------------------------------------------------------------
// The zone policy and the expectations

/// The zone policy: seed 002's NET-001..NET-004 and NET-010..NET-012, plus the allows the
/// generated workloads need.
pub(super) const POLICIES: [Policy; 11] = [
    Policy {
        id: "NET-001",
        name: "App to inference proxy",
        from: "application",
        to: "inference",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Application sends user prompts to the inference proxy for model processing",
        classification: "confidential",
    },
    Policy {
        id: "NET-002",
        name: "Inference to cloud AI (private endpoint)",
        from: "inference",
        to: "external_ai",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference proxy forwards validated requests to Azure OpenAI via private endpoint",
        classification: "confidential",
    },
    Policy {
        id: "NET-003",
        name: "Inference to vector database",
        from: "inference",
        to: "data",
        protocol: "https",
        ports: "6333-6334",
        action: "allow",
        justification: "RAG pipeline retrieves relevant context from vector database for augmented generation",
        classification: "confidential",
    },
    Policy {
        id: "NET-004",
        name: "Inference to secrets manager",
        from: "inference",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference layer retrieves API credentials from secrets manager",
        classification: "restricted",
    },
    Policy {
        id: "NET-005",
        name: "Inference to document storage",
        from: "inference",
        to: "data",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference layer reads source documents for retrieval",
        classification: "confidential",
    },
    Policy {
        id: "NET-006",
        name: "Workloads to monitoring",
        from: "application",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Application sends logs and metrics to the collector",
        classification: "internal",
    },
    Policy {
        id: "NET-007",
        name: "Administration from management",
        from: "management",
        to: "application",
        protocol: "tcp",
        ports: "22",
        action: "allow",
        justification: "Administrators reach application hosts from the jumpbox",
        classification: "internal",
    },
    Policy {
        id: "NET-008",
        name: "Data to monitoring",
        from: "data",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Data services send logs and metrics to the collector",
        classification: "internal",
    },
    Policy {
        id: "NET-010",
        name: "Block app direct AI access",
        from: "application",
        to: "external_ai",
        protocol: "https",
        ports: "443",
        action: "deny",
        justification: "All model API calls must go through the inference proxy for security inspection",
        classification: "n/a",
    },
    Policy {
        id: "NET-011",
        name: "Block data zone internet",
        from: "data",
        to: "application",
        protocol: "tcp",
        ports: "0-65535",
        action: "deny",
        justification: "Data zone contains sensitive training data and embeddings; no internet access permitted",
        classification: "n/a",
    },
    Policy {
        id: "NET-012",
        name: "Block inference internet egress",
        from: "inference",
        to: "application",
        protocol: "tcp",
        ports: "0-65535",
        action: "deny",
        justification: "Inference zone should only communicate with approved endpoints via private links",
        classification: "n/a",
    },
];

/// What the design must have for an expectation to be written.
#[derive(Clone, Copy)]
pub(super) struct Needs {
    pub(super) regions: u32,
    pub(super) spokes: u32,
    pub(super) subnets: u32,
    pub(super) endpoints: u32,
}

/// An `expect:` entry about region 1, spoke 1.
pub(super) struct ExpectSpec {
    pub(super) name: &'static str,
    pub(super) from: &'static str,
    pub(super) to: &'static str,
    pub(super) port: u16,
    pub(super) verdict: &'static str,
    pub(super) needs: Needs,
}

const fn needs(regions: u32, spokes: u32, subnets: u32, endpoints: u32) -> Needs {
    Needs {
        regions,
        spokes,
        subnets,
        endpoints,
    }
}

pub(super) const EXPECT: [ExpectSpec; 6] = [
    ExpectSpec {
        name: "the bastion reaches the jumpbox over SSH",
        from: "bastion-r1",
        to: "jump-r1",
        port: 22,
        verdict: "allow",
        needs: needs(1, 0, 0, 0),
    },
    ExpectSpec {
        name: "an application cannot call Azure OpenAI directly",
        from: "ep-r1-s1-1-1",
        to: "aoai-r1",
        port: 443,
        verdict: "deny",
        needs: needs(1, 1, 1, 1),
    },
    ExpectSpec {
        name: "an application reaches its AI gateway",
        from: "ep-r1-s1-1-1",
        to: "gw-r1-s1",
        port: 443,
        verdict: "allow",
        needs: needs(1, 1, 2, 1),
    },
    ExpectSpec {
        name: "no lateral movement from application to data",
        from: "ep-r1-s1-1-1",
        to: "ep-r1-s1-3-1",
        port: 6333,
        verdict: "deny",
        needs: needs(1, 1, 3, 1),
    },
    ExpectSpec {
        name: "the gateway reaches Azure OpenAI privately",
        from: "gw-r1-s1",
        to: "aoai-r1",
        port: 443,
        verdict: "allow",
        needs: needs(1, 1, 0, 0),
    },
    ExpectSpec {
        name: "the gateway fails over to region 2",
        from: "gw-r1-s1",
        to: "pe-aoai-r2",
        port: 443,
        verdict: "allow",
        needs: needs(2, 1, 0, 0),
    },
];
