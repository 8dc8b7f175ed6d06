//! The integration tests, one binary with a module per area (as ripgrep does): one link of the
//! crate instead of one per file. Shared fixtures live in `tests/fixtures/`.

/// A file of `../shared/reference/flowlogs/`.
macro_rules! reference {
    ($name:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/flowlogs/",
            $name
        )
    };
}

/// The reference flow logs (real samples from the providers' documentation).
mod flowlogs {
    pub const AWS_V2: &str = reference!("aws-vpc-v2-examples.log");
    pub const AWS_CUSTOM: &str = reference!("aws-vpc-custom-examples.log");
    pub const AZURE_NSG: &str = reference!("azure-nsg-v2-sample.json");
    pub const AZURE_VNET: &str = reference!("azure-vnet-v4-sample.json");
    pub const SOURCES: &str = reference!("SOURCES.txt");
}

mod azure_stream;
mod base;
mod check;
mod cli;
mod cli_person;
mod diff;
mod export;
mod export_highlight;
mod fixes;
mod flows_batch;
mod flows_classes;
mod flows_early;
mod flows_formats;
mod flows_nat;
#[cfg(feature = "parquet")]
mod flows_parquet;
mod flows_parts;
mod flows_read;
mod flows_report;
mod gen_aws;
mod gen_azure;
mod gen_terraform;
mod generator;
mod hardening;
mod hostile;
mod import_aws;
mod import_azure;
mod import_azure_fw;
mod import_azure_gw;
mod import_azure_nsg;
mod import_azure_pe;
mod import_azure_reference;
mod import_azure_routes;
mod import_terraform;
mod import_terraform_azurerm;
mod import_terraform_azurerm_fw;
mod invalid_files;
mod matrix;
mod nat;
mod nat_dnat;
mod onprem;
mod policy_props;
mod ports;
mod readme_flows;
mod reference_aws;
mod safe_write;
mod samples;
mod semantics_plan;
mod semantics_policy;
mod semantics_routes;
mod terraform_support;
mod trace_props;
mod trace_table;
mod tui;
mod tui_finding;
mod tui_tmux;
mod tui_ux;
mod whatif;
mod zone_roles;

/// Whether the external tool `name` runs (`name ARG` exits 0). Under CI (`CI` set) a missing
/// tool fails the test that needs it instead of letting it pass unseen: `.ci/run` installs it.
pub fn tool_available(name: &str, arg: &str) -> bool {
    let ok = std::process::Command::new(name)
        .arg(arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "`{name}` is needed by this test and CI is set: .ci/run installs it (apt-get install)"
    );
    ok
}
