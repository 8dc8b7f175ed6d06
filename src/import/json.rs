//! Reading describe-* and ARM JSON with the path of every value at hand, so that a wrong shape
//! is an error naming the file, the JSON path and the fix, and a finding can name the field.
//!
//! Owns: reading an exported file (capped in size), the files of an export on two threads
//! ([`map_files`]), and typed access to `serde_json::Value`.
//! Must never: panic on any input.

use serde_json::Value;

use super::ImportError;

/// A value with its file and JSON path (`SecurityGroups[3].IpPermissions[0]`).
#[derive(Clone, Copy)]
pub struct At<'a, 'p> {
    pub v: &'a Value,
    pub file: &'p str,
    path: &'p str,
}

/// The path of a member: `base.key`, or `key` at the top.
pub fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

impl<'a, 'p> At<'a, 'p> {
    pub fn new(v: &'a Value, file: &'p str, path: &'p str) -> Self {
        At { v, file, path }
    }

    pub fn path_of(&self, key: &str) -> String {
        join(self.path, key)
    }

    fn wrong(&self, key: &str, want: &str, got: &Value) -> ImportError {
        let kind = match got {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        ImportError::new(
            self.file,
            self.path_of(key),
            format!("expected {want}, found {kind}"),
            "the file must be the unchanged JSON output of the `aws ec2 describe-*` call; export it again",
        )
    }

    /// A member that is absent or null is `None`; any other non-string is an error.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, ImportError> {
        match self.v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    /// A required string member.
    pub fn req(&self, key: &str) -> Result<&'a str, ImportError> {
        self.str(key)?.ok_or_else(|| {
            ImportError::new(
                self.file,
                self.path_of(key),
                format!("`{key}` is missing"),
                "every resource of a describe-* output has it; export the file again, unchanged",
            )
        })
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ImportError> {
        match self.v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, "true or false", other)),
        }
    }

    /// An integer member (AWS prints ports and rule numbers as numbers).
    pub fn int(&self, key: &str) -> Result<Option<i64>, ImportError> {
        match self.v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong(key, "an integer", &Value::Number(n.clone()))),
            Some(other) => Err(self.wrong(key, "an integer", other)),
        }
    }

    /// An object member, or `None` when absent or null.
    pub fn obj(&self, key: &str) -> Result<Option<(&'a Value, String)>, ImportError> {
        match self.v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some((v, self.path_of(key)))),
            Some(other) => Err(self.wrong(key, "an object", other)),
        }
    }

    /// The elements of an array member with their paths (absent or null: none).
    pub fn arr(&self, key: &str) -> Result<Vec<(&'a Value, String)>, ImportError> {
        match self.v.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => {
                let base = self.path_of(key);
                Ok(a.iter()
                    .enumerate()
                    .map(|(i, v)| (v, format!("{base}[{i}]")))
                    .collect())
            }
            Some(other) => Err(self.wrong(key, "an array", other)),
        }
    }

    /// The elements of an array member that must be objects.
    pub fn objects(&self, key: &str) -> Result<Vec<(&'a Value, String)>, ImportError> {
        let items = self.arr(key)?;
        for (v, p) in &items {
            if !v.is_object() {
                return Err(ImportError::new(
                    self.file,
                    p.clone(),
                    "expected an object",
                    "each element of this list is one resource object; export the file again, unchanged",
                ));
            }
        }
        Ok(items)
    }

    /// The strings of an array member.
    pub fn strings(&self, key: &str) -> Result<Vec<&'a str>, ImportError> {
        self.arr(key)?
            .into_iter()
            .map(|(v, p)| {
                v.as_str().ok_or_else(|| {
                    ImportError::new(
                        self.file,
                        p,
                        "expected a string",
                        "export the file again, unchanged",
                    )
                })
            })
            .collect()
    }

    /// The `Key`/`Value` pairs of a tag list (`Tags`, or `TagSet` on interfaces).
    pub fn tags(&self) -> Result<Vec<(String, String)>, ImportError> {
        let key = if self.v.get("TagSet").is_some() {
            "TagSet"
        } else {
            "Tags"
        };
        let mut out = Vec::new();
        for (t, p) in self.objects(key)? {
            let t = At::new(t, self.file, &p);
            if let Some(k) = t.str("Key")? {
                out.push((k.to_string(), t.str("Value")?.unwrap_or("").to_string()));
            }
        }
        Ok(out)
    }
}

/// Read one exported JSON file, capped at the loader's size limit: every import reads its
/// files so. `too_big` and `unchanged` are the fixes the errors suggest (how to export less,
/// and which command's output the importer expects).
pub fn read_file(
    path: &std::path::Path,
    too_big: &str,
    unchanged: &str,
) -> Result<serde_json::Value, super::ImportError> {
    read_file_max(path, crate::model::MAX_FILE_BYTES, too_big, unchanged)
}

/// [`read_file`] with a cap of `max` bytes (a Terraform state is one file per workspace).
pub fn read_file_max(
    path: &std::path::Path,
    max: usize,
    too_big: &str,
    unchanged: &str,
) -> Result<serde_json::Value, super::ImportError> {
    let bytes = read_bytes_max(path, max, too_big)?;
    parse(&bytes, &path.display().to_string(), unchanged)
}

/// The bytes of one exported file, capped as [`read_file`] caps them.
pub fn read_bytes(path: &std::path::Path, too_big: &str) -> Result<Vec<u8>, super::ImportError> {
    read_bytes_max(path, crate::model::MAX_FILE_BYTES, too_big)
}

/// [`read_bytes`] with a cap of `max` bytes.
fn read_bytes_max(
    path: &std::path::Path,
    max: usize,
    too_big: &str,
) -> Result<Vec<u8>, super::ImportError> {
    let name = path.display().to_string();
    crate::model::read_capped(path, max)
        .map_err(|e| {
            ImportError::new(
                &name,
                "",
                format!("cannot read the file: {e}"),
                "check its path and permissions",
            )
        })?
        .ok_or_else(|| {
            ImportError::new(
                &name,
                "",
                format!("the file is larger than {} MB", max >> 20),
                too_big,
            )
        })
}

/// The JSON value of file `name`'s bytes, or the error with its line and column.
pub fn parse(bytes: &[u8], name: &str, unchanged: &str) -> Result<Value, ImportError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ImportError::new(
            name,
            "",
            format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
            unchanged,
        )
    })
}

/// `f` of every file, on up to two threads (the files of an export are independent; reading
/// and parsing JSON is most of an import's time), dealt out by size, largest first, to the
/// thread with less to read. The results are in the order of `files`, so an import, its
/// findings and its first error do not depend on the threads.
pub fn map_files<T: Send>(
    files: &[std::path::PathBuf],
    f: impl Fn(&std::path::Path) -> T + Sync,
) -> Vec<T> {
    let sizes: Vec<u64> = files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    let total: u64 = sizes.iter().sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(2);
    if threads < 2 || files.len() < 2 || total < PARALLEL_MIN_BYTES {
        return files.iter().map(|p| f(p)).collect();
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let mut shares: [(u64, Vec<usize>); 2] = [(0, Vec::new()), (0, Vec::new())];
    for i in order {
        let s = usize::from(shares[1].0 < shares[0].0);
        shares[s].0 += sizes[i];
        shares[s].1.push(i);
    }
    let f = &f;
    let mut out = std::thread::scope(|scope| {
        let [(_, a), (_, b)] = shares;
        let other =
            scope.spawn(move || b.into_iter().map(|i| (i, f(&files[i]))).collect::<Vec<_>>());
        let mut mine: Vec<_> = a.into_iter().map(|i| (i, f(&files[i]))).collect();
        mine.extend(
            other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        );
        mine
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Below this many bytes of JSON in all, a second thread is not worth starting.
const PARALLEL_MIN_BYTES: u64 = 4 << 20;
