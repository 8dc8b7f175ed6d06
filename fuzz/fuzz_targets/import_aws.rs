//! The AWS importer never panics on a describe-* file, whatever its bytes, and a bad file is an
//! error that names the file (and, when the JSON parses, the JSON path).
//!
//! Two modes, by the first byte:
//! - anything but 0x01: the input is the content of one describe-* file, read beside a valid
//!   `describe-vpcs.json` (so that the importer gets past "no VPC" and joins what it read);
//! - 0x01: a structured mutation of a valid file (a real Batfish snapshot's, when
//!   `../../shared/reference/aws-describe/` is there, else the `gen --as aws --size S` folder's):
//!   the following bytes pick a file, then up to four nodes to replace with a null, a boolean, a
//!   number, a string (of a list of values the importer treats specially, or from the bytes), an
//!   empty array or object, or to remove; the file is imported with the rest of its snapshot.
//!
//! The importer reads files, so each input is written to a per-process directory under the
//! temporary directory (`/dev/shm` when there is one).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use zonescope::import::{ImportOptions, aws};

/// One snapshot: its files' names and texts.
type Snapshot = Vec<(String, String)>;

struct Seeds {
    snapshots: Vec<Snapshot>,
    raw_dir: PathBuf,
    mut_dirs: Vec<PathBuf>,
}

fn root() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("zonescope-fuzz-import-aws-{}", std::process::id()))
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut snapshots: Vec<Snapshot> = Vec::new();
        let reference =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/aws-describe");
        for name in ["test-public-private-subnet", "test-vpc-endpoint-interface"] {
            let dir = reference.join(name);
            let Ok(list) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Snapshot = list
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .filter_map(|p| {
                    let text = std::fs::read_to_string(&p).ok()?;
                    Some((p.file_name()?.to_string_lossy().into_owned(), text))
                })
                .collect();
            files.sort();
            if !files.is_empty() {
                snapshots.push(files);
            }
        }
        let small = zonescope::generate::GenParams::size("S").expect("S is a size");
        let generated: Snapshot = zonescope::generate::generate_aws(&small)
            .files()
            .into_iter()
            .filter(|(n, _)| n.starts_with("us-east-1/"))
            .map(|(n, t)| (n.trim_start_matches("us-east-1/").to_string(), t))
            .collect();
        snapshots.push(generated);
        let root = root();
        let raw_dir = root.join("raw");
        std::fs::create_dir_all(&raw_dir).expect("a temporary directory");
        let vpcs = snapshots
            .iter()
            .flatten()
            .find(|(n, t)| n.contains("pcs") && t.contains("\"Vpcs\""))
            .map(|(_, t)| t.clone())
            .expect("a Vpcs file");
        std::fs::write(raw_dir.join("describe-vpcs.json"), vpcs).expect("write");
        let mut mut_dirs = Vec::new();
        for (k, s) in snapshots.iter().enumerate() {
            let d = root.join(format!("mut{k}"));
            std::fs::create_dir_all(&d).expect("a temporary directory");
            for (n, t) in s {
                std::fs::write(d.join(n), t).expect("write");
            }
            mut_dirs.push(d);
        }
        Seeds {
            snapshots,
            raw_dir,
            mut_dirs,
        }
    })
}

/// The bytes, one at a time (zero when they run out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            (usize::from(self.next()) << 8 | usize::from(self.next())) % len
        }
    }
}

/// Strings the importer gives a meaning to.
const SPECIAL: &[&str] = &[
    "",
    "-1",
    "6",
    "17",
    "58",
    "icmpv6",
    "all",
    "tcp",
    "local",
    "blackhole",
    "disassociated",
    "associated",
    "terminated",
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/33",
    "10.0.0.300",
    "igw-x",
    "nat-x",
    "pcx-x",
    "tgw-x",
    "eni-x",
    "i-x",
    "sg-x",
    "vpc-x",
    "subnet-x",
    "pl-x",
    "Interface",
    "Gateway",
    "vpc_endpoint",
    "nat_gateway",
    "transit_gateway",
    "available",
    "deleted",
    "ALLOW",
    "deny",
];

fn value(b: &mut Bytes<'_>) -> Option<Value> {
    Some(match b.next() % 9 {
        0 => Value::Null,
        1 => Value::Bool(b.next() & 1 == 1),
        2 => {
            let n = i64::from_le_bytes(std::array::from_fn(|_| b.next()));
            Value::from(if b.next() & 1 == 1 { n } else { n % 70_000 })
        }
        3 => Value::from(f64::from(b.next()) / 3.0),
        4 => Value::from(SPECIAL[b.index(SPECIAL.len())]),
        5 => {
            let n = usize::from(b.next() % 12);
            let bytes: Vec<u8> = (0..n).map(|_| b.next()).collect();
            Value::from(String::from_utf8_lossy(&bytes).into_owned())
        }
        6 => Value::Array(Vec::new()),
        7 => Value::Object(serde_json::Map::new()),
        _ => return None, // remove the node
    })
}

/// Replace (or remove) one node of `v`, chosen by the bytes.
fn mutate(v: &mut Value, b: &mut Bytes<'_>) {
    let descend = b.next() % 4 != 0;
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map.keys().nth(b.index(map.len())).cloned().unwrap_or_default();
            let leaf = !matches!(map.get(&key), Some(Value::Object(_) | Value::Array(_)))
                || b.next() % 3 == 0;
            if leaf {
                match value(b) {
                    Some(x) => {
                        map.insert(key, x);
                    }
                    None => {
                        map.remove(&key);
                    }
                }
            } else if let Some(child) = map.get_mut(&key) {
                mutate(child, b);
            }
        }
        Value::Array(list) if descend && !list.is_empty() => {
            let k = b.index(list.len());
            if b.next() % 5 == 0 {
                match value(b) {
                    Some(x) => list[k] = x,
                    None => {
                        list.remove(k);
                    }
                }
            } else {
                mutate(&mut list[k], b);
            }
        }
        _ => {
            if let Some(x) = value(b) {
                *v = x;
            }
        }
    }
}

/// Import `dir`, where `file` is the only file that can be wrong: no panic, and an error names
/// `file` and where in it (the JSON path, or the line and column when it is not JSON).
fn check(dir: &Path, file: &Path) {
    match aws::import(dir, ImportOptions::for_loader()) {
        Ok(imported) => {
            // What the importer made loads (or is refused) without a panic too.
            let _ = imported.load("fuzz");
        }
        Err(e) if e.message.starts_with("no VPC found") => {
            // The mutation removed every VPC: the directory is what lacks them.
            assert_eq!(e.file, dir.display().to_string(), "{e:?}");
        }
        Err(e) => {
            assert_eq!(e.file, file.display().to_string(), "{e:?}");
            let top_level = e.message.contains("top level") || e.message.contains("larger than");
            assert!(
                !e.json_path.is_empty() || e.message.contains("line ") || top_level,
                "an import error says where: {e:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let s = seeds();
    if let Some((1, rest)) = data.split_first() {
        let mut b = Bytes(rest);
        let k = b.index(s.snapshots.len());
        let snapshot = &s.snapshots[k];
        let f = b.index(snapshot.len());
        let (name, text) = &snapshot[f];
        let Ok(mut v) = serde_json::from_str::<Value>(text) else {
            return;
        };
        for _ in 0..=(b.next() % 4) {
            mutate(&mut v, &mut b);
        }
        let path = s.mut_dirs[k].join(name);
        std::fs::write(&path, v.to_string()).expect("write");
        check(&s.mut_dirs[k], &path);
        std::fs::write(&path, text).expect("write");
    } else {
        let path = s.raw_dir.join("fuzz.json");
        std::fs::write(&path, data).expect("write");
        check(&s.raw_dir, &path);
    }
});
