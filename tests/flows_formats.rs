//! Flow logs in the shapes clouds deliver them: S3's folder layout given as a directory
//! (AWS: "bucket/AWSLogs/account_id/vpcflowlogs/region/year/month/day/", each file one Gzip
//! file named `ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_YYYYMMDDTHHmmZ_HASH.log.gz`).

use std::io::Write as _;
use std::path::Path;

use zonescope::flows::layout::expand;
use zonescope::flows::read::LogFormat;
use zonescope::flows::{Options, analyze_logs};
use zonescope::topology::load;

const AWS_V2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/flowlogs/aws-vpc-v2-examples.log"
);
const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);

fn gz(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap();
}

#[test]
fn s3_folder_layout_reads_every_file_in_date_order() {
    let root = std::env::temp_dir().join(format!("zonescope-s3-{}", std::process::id()));
    let base = root.join("AWSLogs/123456789010/vpcflowlogs/us-east-1");
    let reference = std::fs::read_to_string(AWS_V2).unwrap();
    let records: Vec<&str> = reference.lines().filter(|l| l.starts_with("2 ")).collect();
    assert_eq!(records.len(), 7);
    // Written out of order: the second day first, then the first day's two files.
    let day2 = base.join(
        "2026/01/02/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260102T0005Z_b2c3d4.log.gz",
    );
    let day1b = base.join(
        "2026/01/01/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260101T0010Z_a1b2c3.log.gz",
    );
    let day1a = base.join(
        "2026/01/01/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260101T0005Z_f0e1d2.log.gz",
    );
    let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";
    gz(&day2, &format!("{header}{}\n", records[5..].join("\n")));
    gz(&day1b, &format!("{header}{}\n", records[2..5].join("\n")));
    gz(&day1a, &format!("{header}{}\n", records[..2].join("\n")));
    // Not logs: a hidden file and the console's folder marker.
    std::fs::write(base.join("2026/.DS_Store"), b"\0\0junk").unwrap();
    std::fs::write(base.join("2026/01_$folder$"), b"").unwrap();

    let dir = root.to_string_lossy().into_owned();
    let files = expand(std::slice::from_ref(&dir)).unwrap();
    let want: Vec<String> = [&day1a, &day1b, &day2]
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, want);

    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let opts = Options {
        format: LogFormat::Auto,
        jobs: 1,
    };
    let folder = analyze_logs(&t, std::slice::from_ref(&dir), opts).unwrap();
    let whole = analyze_logs(&t, &[AWS_V2.to_string()], opts).unwrap();
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(folder.files.len(), 3);
    assert!(folder.files.iter().all(|f| f.compressed));
    assert_eq!(
        (folder.records, folder.skipped, folder.unreadable),
        (whole.records, whole.skipped, whole.unreadable)
    );
    assert_eq!(folder.counts, whole.counts);
    assert_eq!(folder.zone_pairs, whole.zone_pairs);
}

#[test]
fn an_empty_folder_is_an_error_naming_it() {
    let root = std::env::temp_dir().join(format!("zonescope-s3-empty-{}", std::process::id()));
    std::fs::create_dir_all(root.join("AWSLogs")).unwrap();
    let dir = root.to_string_lossy().into_owned();
    let err = expand(std::slice::from_ref(&dir)).unwrap_err();
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(err.0, dir);
    assert!(err.1.to_string().contains("no log files"), "{}", err.1);
}
