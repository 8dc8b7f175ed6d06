//! `zonescope gen`: a synthetic design, to stdout or `-o` (atomically); `--as aws` as a
//! describe-* folder, each file written atomically into the directory `-o` names; `--as azure`
//! as one Resource Graph JSON file; `--as terraform` as one `terraform show -json` state.
//!
//! Owns: the gen command's flags → parameters. Must never: build a design itself.

use std::io::Write;

use crate::cli::args::{GenArgs, GenFormat};
use crate::cli::{CliError, count, write_atomically};

pub fn run(a: &GenArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    use crate::generate::{GenParams, generate_with_stats};
    let mut p = match &a.size {
        Some(s) => GenParams::size(s)
            .ok_or_else(|| CliError::usage(format!("`{s}` is not a size"), "use S, M or L"))?,
        None => GenParams::default(),
    };
    if let Some(v) = a.regions {
        p.regions = v;
    }
    if let Some(v) = a.spokes {
        p.spokes = v;
    }
    if let Some(v) = a.subnets {
        p.subnets = v;
    }
    if let Some(v) = a.endpoints {
        p.endpoints = v;
    }
    p.seed = a.seed;
    p.validate()
        .map_err(|e| CliError::usage(e.to_string(), e.help()))?;
    if a.format == GenFormat::Aws {
        return aws(a, &p, out);
    }
    if a.format == GenFormat::Azure {
        return azure(a, &p, out);
    }
    if a.format == GenFormat::Terraform {
        return terraform(a, &p, out);
    }
    let (text, stats) = generate_with_stats(&p);
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, text.as_bytes())?;
            eprintln!(
                "wrote {}: {}, {}, {}, {}",
                path.display(),
                count(stats.networks, "network"),
                count(stats.subnets, "subnet"),
                count(stats.endpoints, "endpoint"),
                count(stats.rules, "rule")
            );
        }
        _ => out.write_all(text.as_bytes())?,
    }
    Ok(0)
}

/// `gen --as aws`: the describe-* files into the directory `-o` names (created if missing, each
/// file replaced atomically, nothing else touched), or all of them as one JSON object on stdout.
fn aws(a: &GenArgs, p: &crate::generate::GenParams, out: &mut dyn Write) -> Result<u8, CliError> {
    let folder = crate::generate::generate_aws(p);
    match &a.output {
        Some(dir) if dir.as_os_str() != "-" => {
            if dir.is_file() {
                return Err(CliError::usage(
                    format!("{} is a file; --as aws writes a directory", dir.display()),
                    "give -o a directory name (it is created if missing)",
                ));
            }
            let files = folder.files();
            for region in &folder.regions {
                std::fs::create_dir_all(dir.join(region))?;
            }
            for (name, text) in &files {
                write_atomically(&dir.join(name), text.as_bytes())?;
            }
            let s = folder.stats;
            eprintln!(
                "wrote {} describe-* files ({}) to {}: {}, {}, {}, {}, {}",
                files.len(),
                count(folder.regions.len(), "region"),
                dir.display(),
                count(s.vpcs, "VPC"),
                count(s.subnets, "subnet"),
                count(s.interfaces, "network interface"),
                count(s.security_groups, "security group"),
                count(s.network_acls, "network ACL")
            );
        }
        _ => out.write_all(folder.combined().as_bytes())?,
    }
    Ok(0)
}

/// `gen --as azure`: with `-o DIR`, an export folder (one file per Resource Graph page of 1,000
/// rows, `resource-graph/page-NNNN.json`, and `private-dns-a.json`; created if missing, each file
/// written atomically, nothing else touched); with `-o FILE.json`, everything as one JSON array
/// (written atomically); without `-o`, that array on stdout.
fn azure(a: &GenArgs, p: &crate::generate::GenParams, out: &mut dyn Write) -> Result<u8, CliError> {
    let export = crate::generate::generate_azure(p);
    let s = export.stats;
    let summary = || {
        format!(
            "{} ({}, {}, {}, {}, {})",
            count(s.resources, "resource"),
            count(s.virtual_networks, "virtual network"),
            count(s.subnets, "subnet"),
            count(s.network_interfaces, "NIC"),
            count(s.nsgs, "NSG"),
            count(s.route_tables, "route table")
        )
    };
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            let one_file = path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                && !path.is_dir();
            if one_file {
                write_atomically(path, export.text().as_bytes())?;
                eprintln!("wrote {}: {}", path.display(), summary());
                return Ok(0);
            }
            if path.is_file() {
                return Err(CliError::usage(
                    format!(
                        "{} is a file; --as azure writes a folder, or one array to a name ending in .json",
                        path.display()
                    ),
                    "give -o a directory name (created if missing) or FILE.json",
                ));
            }
            let files = export.files();
            std::fs::create_dir_all(path.join("resource-graph"))?;
            for (name, text) in &files {
                write_atomically(&path.join(name), text.as_bytes())?;
            }
            eprintln!(
                "wrote {} files to {}: {}",
                files.len(),
                path.display(),
                summary()
            );
        }
        _ => out.write_all(export.text().as_bytes())?,
    }
    Ok(0)
}

/// `gen --as terraform`: the `terraform show -json` output of an azurerm state, to `-o FILE`
/// (written atomically) or stdout.
fn terraform(
    a: &GenArgs,
    p: &crate::generate::GenParams,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let state = crate::generate::generate_terraform(p);
    let s = state.stats;
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            if path.is_dir() {
                return Err(CliError::usage(
                    format!(
                        "{} is a directory; --as terraform writes one file",
                        path.display()
                    ),
                    "give -o a file name, e.g. state.json",
                ));
            }
            write_atomically(path, state.text().as_bytes())?;
            eprintln!(
                "wrote {}: {} in {} ({}, {}, {}, {}, {})",
                path.display(),
                count(s.resources, "resource"),
                count(s.modules, "module"),
                count(s.virtual_networks, "virtual network"),
                count(s.subnets, "subnet"),
                count(s.network_interfaces, "NIC"),
                count(s.nsgs, "NSG"),
                count(s.security_rules, "security rule")
            );
        }
        _ => out.write_all(state.text().as_bytes())?,
    }
    Ok(0)
}
