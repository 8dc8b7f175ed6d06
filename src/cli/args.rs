//! The command line: clap derive structs for every subcommand and flag, with examples in the
//! help. Must never: do the work (that is `commands`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER: &str = "\
Examples:
  zonescope trace samples/azure-hub-spoke.yaml --from web --to aoai-eus --port 443
  zonescope check samples/flawed-design.yaml --format sarif > zonescope.sarif
  zonescope matrix samples/aws-isolated-ai.yaml --by zone --port 443
  zonescope diff baseline.yaml samples/azure-hub-spoke.yaml
  zonescope export samples/azure-hub-spoke.yaml --to markdown -o review.md

Exit codes: 0 done; 1 check found errors or failed expectations, or diff found behaviour
changes; 2 bad usage or invalid input.";

/// Can X reach Y on port P, along which path, and which rule decides? Network isolation of AI
/// workloads, explored offline.
#[derive(Debug, Parser)]
#[command(name = "zonescope", version, about, after_help = AFTER, arg_required_else_help = false)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Trace one flow: verdict, path, every check, the deciding rule, and a fix.
    #[command(after_help = "\
Examples:
  zonescope trace design.yaml --from web --to apim --port 443
  zonescope trace design.yaml --from web --to contoso-eus.openai.azure.com      # DNS step
  zonescope trace design.yaml --from 10.1.1.4 --to 10.2.3.5 --port 5432 --format json
  zonescope trace design.yaml --from apim --to aoai-eus --disable pe-aoai-eus   # what-if

SRC is an endpoint, subnet or network id, an IP address, or `internet`.
DST is also allowed to be an FQDN. Exit 0 whatever the verdict; 2 for a bad file or flow.")]
    Trace(TraceArgs),
    /// Validate a file, review the design, and evaluate its `expect:` assertions.
    #[command(after_help = "\
Examples:
  zonescope check design.yaml
  zonescope check design.yaml --format json | jq '.expectations[] | select(.passed == false)'
  zonescope check design.yaml --format sarif > zonescope.sarif

Exit 0 clean; 1 findings at --severity or above, or failed expectations; 2 invalid file.")]
    Check(CheckArgs),
    /// The reachability matrix between zones, subnets or endpoints on one port.
    #[command(after_help = "\
Examples:
  zonescope matrix design.yaml --by zone --port 443
  zonescope matrix design.yaml --by endpoint --port 5432 --format csv > matrix.csv
  zonescope matrix design.yaml --disable fw-eus        # what-if: the hub firewall is down")]
    Matrix(MatrixArgs),
    /// Compare flow logs with the design: drift, broken calls, anomalies, zone pairs.
    #[command(after_help = "\
Examples:
  zonescope flows design.yaml vpc-flow.log
  zonescope flows design.yaml nsg-*.json vpc.log.gz --format json | jq '.broken[]'
  zcat vpc-*.log.gz | zonescope flows design.yaml - --log-format aws

LOG is an AWS VPC flow log (default version 2 or a custom format with its header line) or an
Azure NSG / VNet flow log (JSON), plain or gzip; `-` reads standard input.
drift = accepted, but the design denies; broken = rejected, but the design allows (with the
design's path and allowing rules). AWS reply records (service port -> ephemeral port) are not
judged when accepted; a rejected reply is judged as its request.
Exit 0 after a report, whatever it finds; 2 for bad usage, an invalid design or a log that
cannot be opened.")]
    Flows(FlowsArgs),
    /// Make a synthetic topology (deterministic for a seed), for benchmarks and demos.
    #[command(after_help = "\
Examples:
  zonescope gen > small.yaml                                # 2 regions, 2 spokes each
  zonescope gen --size L -o large.yaml                      # 20 regions × 25 spokes, ~40,000 endpoints
  zonescope gen --regions 4 --spokes 6 --seed 7 -o m.yaml
  zonescope gen --as aws --size L -o large-aws/             # the same as aws ec2 describe-* JSON
  zonescope gen --as azure --size L -o large-azure/         # the same as Azure Resource Graph pages

Ids follow a pattern: hub-r{r}, spoke-r{r}-s{s}, snet-app-r{r}-s{s}-{i}, ep-r{r}-s{s}-{i}-{e}, fw-r{r}, aoai-r{r}.")]
    Gen(GenArgs),
    /// Print the JSON Schema of the topology file format.
    Schema,
    /// What changed between two versions of a design, and which flows changed verdict.
    #[command(after_help = "\
Examples:
  zonescope diff baseline.yaml design.yaml
  zonescope diff baseline.yaml design.yaml --format json | jq '.flows[]'
  zonescope diff state.json plan.json --format sarif > diff.sarif   # terraform show -json

Every endpoint pair present in both files (and the internet, as a source and as a
destination) is traced on one port of each interval in which no rule or listener boundary
falls, so the comparison is exact.
Endpoints that only one file has are listed with the flows they allow. At most 100,000 flows
are traced, those the change touches first; the output says when it capped.
Exit 0 no behaviour change; 1 a flow changed verdict, or an added or removed endpoint allows
flows; 2 an invalid file.")]
    Diff(DiffArgs),
    /// Export the design: a Mermaid or Graphviz diagram, a Markdown review report, or JSON.
    #[command(after_help = "\
Examples:
  zonescope export design.yaml --to mermaid -o design.mmd
  zonescope export design.yaml --to mermaid --trace \"web -> aoai-eus:443\"
  zonescope export design.yaml --to dot | dot -Tsvg > design.svg
  zonescope export design.yaml --to markdown -o review.md
  zonescope export design.yaml --to json | jq '.endpoints[].id'

-o writes atomically and never overwrites the input file.")]
    Export(ExportArgs),
    /// Explore a design interactively (terminal UI); `zonescope` alone opens the built-in demo.
    #[command(after_help = "\
Examples:
  zonescope explore design.yaml
  zonescope explore design.yaml --trace \"web -> aoai-eus:443\" --present
  zonescope explore design.yaml --flows vpc-flows.log.gz nsg-flows.json

Keys: / find, s source, d destination, p port, Enter trace, w what-if, z matrix, o observed
flows, ? help, q quit. The file reloads by itself when it changes (r also reads the flow logs
again). Needs a terminal: in scripts use `zonescope trace` and `zonescope flows`.")]
    Explore(ExploreArgs),
    /// Import real cloud configuration (AWS describe-* JSON, Azure ARM JSON, Terraform) as a
    /// topology file.
    #[command(after_help = "\
Examples:
  zonescope import aws ./snapshot -o design.yaml
  zonescope import aws ./snapshot --zones zones.yaml -o design.yaml
  zonescope import aws ./snapshot --format json | jq '.findings[]'
  zonescope import terraform plan.json -o design.yaml   # terraform show -json (state or plan)
  zonescope import azure vnets.json nsgs.json pe.json -o design.yaml   # ARM resource JSON

DIR holds `aws ec2 describe-*` output, one JSON file per call, in any file names (also
Batfish's aws_configs/[accounts/ACCOUNT/]REGION/ layout); see docs/import-aws.md.
The summary goes to standard error when the design goes to standard output.
Every other command also takes DIR directly: zonescope trace ./snapshot --from A --to B.
Exit 0 imported; 2 unreadable or malformed input (the file and JSON path are named).")]
    Import(ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "\
Examples:
  zonescope completions bash > ~/.local/share/bash-completion/completions/zonescope
  zonescope completions zsh > \"${fpath[1]}/_zonescope\"
  zonescope completions fish > ~/.config/fish/completions/zonescope.fish")]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "\
Example:
  zonescope man > zonescope.1 && man ./zonescope.1")]
    Man,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The cloud the export comes from.
    #[arg(value_enum)]
    pub cloud: ImportCloud,
    /// The export: a directory of describe-* JSON files (or one such file); the output of
    /// `terraform show -json` (a state or a plan); Azure ARM resource JSON files or folders of
    /// them (several are read as one export).
    #[arg(value_name = "INPUT", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// A zone map: YAML `{ZONE: [subnet id or name, CIDR, tag=value, ...]}`.
    #[arg(long, value_name = "MAP")]
    pub zones: Option<PathBuf>,
    /// Write the design here (atomically) instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The summary's format: text, or json (counts and every finding).
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportCloud {
    /// `aws ec2 describe-*` JSON.
    Aws,
    /// `terraform show -json` of a state or a plan.
    Terraform,
    /// ARM resource JSON: `az graph query`, `az network … -o json`, the portal's JSON view.
    Azure,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The baseline: a topology file, or an export (AWS describe-* JSON, `terraform show
    /// -json` of a state or plan).
    pub old: PathBuf,
    /// The new version (any of the same).
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    /// SARIF 2.1.0: each opened flow on the rule (the Terraform resource) that opens it.
    Sarif,
}

pub use crate::report::ExportFormat;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    /// The format: mermaid, dot, markdown or json.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Highlight this flow's path (mermaid, dot): "SRC -> DST:PORT[/PROTO]".
    #[arg(long, value_name = "FLOW")]
    pub trace: Option<String>,
    /// Write to this file instead of standard output: atomically, beside the real file a symlink
    /// names, keeping its mode; a device or FIFO is written directly; `-` is standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    /// A flow to show traced at start: "SRC -> DST:PORT[/PROTO]".
    #[arg(long, value_name = "FLOW")]
    pub trace: Option<String>,
    /// Start in presentation mode (big verdict, high contrast; F2 toggles).
    #[arg(long)]
    pub present: bool,
    /// Flow logs to show against the design, as `zonescope flows` reads them (AWS VPC text or
    /// Azure NSG/VNet JSON, plain or gzip): traffic on the map, and `o` lists drift, broken
    /// calls and anomalies.
    #[arg(long, value_name = "LOG", num_args = 1..)]
    pub flows: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// A preset size: S, M or L (the explicit flags below override it).
    #[arg(long)]
    pub size: Option<String>,
    /// Regions, each with a hub (firewall, Bastion, DNS) (default 2; 1 to 100).
    #[arg(long)]
    pub regions: Option<u32>,
    /// Spokes per region (default 2; 0 to 250).
    #[arg(long)]
    pub spokes: Option<u32>,
    /// Workload subnets per spoke (default 3; 0 to 16; at most 10,000 in all).
    #[arg(long)]
    pub subnets: Option<u32>,
    /// Endpoints per workload subnet (default 26; 0 to 1000; at most 250,000 in all).
    #[arg(long)]
    pub endpoints: Option<u32>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// What to write: the YAML topology, or (`aws`) the same design as an `aws ec2 describe-*`
    /// folder (`-o DIR`: one describe-*.json per call; without `-o`, one JSON object holding
    /// them all), which `zonescope import aws` and every command read; or (`azure`) as Azure
    /// Resource Graph JSON (`-o DIR`: one file per page of 1,000 rows and the private DNS A
    /// records; `-o FILE.json` or no `-o`: one array), which `zonescope import azure` and every
    /// command read; or (`terraform`) as the `terraform show -json` output of an azurerm
    /// state (one file), which `zonescope import terraform` and every command read.
    #[arg(long = "as", value_enum, default_value_t = GenFormat::Yaml)]
    pub format: GenFormat,
    /// Write to this file instead of standard output: atomically, beside the real file a symlink
    /// names, keeping its mode; a device or FIFO is written directly; `-` is standard output.
    /// With `--as aws`, a directory (created if missing), each file written atomically in it;
    /// with `--as azure`, a directory of Resource Graph pages, or one array to `FILE.json`;
    /// with `--as terraform`, one JSON file.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    Yaml,
    Aws,
    /// Azure Resource Graph JSON: one array of ARM resources (`zonescope import azure`).
    Azure,
    /// `terraform show -json` of an azurerm state (`zonescope import terraform`).
    Terraform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    Auto,
    Aws,
    Azure,
    Gcp,
    Parquet,
}

#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    /// Flow logs (plain, gzip or AWS Parquet); `-` reads standard input; a folder stands for every file
    /// under it in path order (S3's `AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/` layout).
    #[arg(required = true, value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// auto (`PAR1` files are AWS Parquet, JSON lines with `jsonPayload` GCP, other JSON
    /// Azure, text AWS), aws, azure, gcp or parquet (AWS VPC flow logs in Apache Parquet).
    #[arg(long, value_enum, default_value_t = LogFormatArg::Auto)]
    pub log_format: LogFormatArg,
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
    /// Threads for a large plain AWS log or GCP export (0 = one per core, 1 = one pass).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Keep records that start at or after this time (Unix seconds or RFC 3339, e.g.
    /// 2026-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Keep records that start before this time (Unix seconds or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Print nothing on standard error while reading (no progress).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixBy {
    Zone,
    Subnet,
    Endpoint,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    /// Source: endpoint/subnet/network id, IP address, or `internet`.
    #[arg(long, short = 'f')]
    pub from: String,
    /// Destination: endpoint/subnet/network id, IP address, FQDN, or `internet`.
    #[arg(long, short = 't')]
    pub to: String,
    /// Destination port, also `PORT/PROTO` (`443/udp`); default: the destination's first
    /// listening port, else 443.
    #[arg(long, short = 'p', value_name = "PORT[/PROTO]", value_parser = parse_port_proto)]
    pub port: Option<(u16, Option<String>)>,
    /// tcp, udp, icmp, https or http.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// What-if: switch off an endpoint, network, region, peering (A<->B) or rule (SET/RULE). Repeatable.
    #[arg(long, value_name = "ID")]
    pub disable: Vec<String>,
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Lowest severity that fails the check (exit 1): info, warning or error.
    #[arg(long, default_value = "error")]
    pub severity: String,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// The topology file (YAML).
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = MatrixBy::Zone)]
    pub by: MatrixBy,
    #[arg(long, short = 'p', default_value_t = 443)]
    pub port: u16,
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// What-if: switch off an endpoint, network, region, peering (A<->B) or rule (SET/RULE). Repeatable.
    #[arg(long, value_name = "ID")]
    pub disable: Vec<String>,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
}

/// `--port` of `trace`: `443`, or `443/udp` as the explorer and `--trace` take (SPEC §4).
fn parse_port_proto(s: &str) -> Result<(u16, Option<String>), String> {
    let (p, proto) = match s.split_once('/') {
        Some((p, proto)) => (p, Some(proto.trim())),
        None => (s, None),
    };
    let port = p.trim().parse::<u16>().map_err(|_| {
        format!("`{p}` is not a port (0-65535); write PORT or PORT/PROTO, e.g. 443/udp")
    })?;
    match proto {
        Some(x) if crate::model::rules::Protocol::parse(x).is_none() => Err(format!(
            "`{x}` is not a protocol: use tcp, udp, icmp, https or http (e.g. 443/udp)"
        )),
        _ => Ok((port, proto.map(str::to_string))),
    }
}
