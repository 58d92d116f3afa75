//! A packaged Helm chart (what `helm package` writes and `helm pull`
//! fetches: a gzipped tar of one folder named after the chart), read into
//! memory. A package that could write outside its folder, holds links,
//! expands past the limits or is not a gzipped tar is refused.

use std::collections::BTreeMap;
use std::io::Read;

use sha2::{Digest, Sha256};

/// Largest package accepted, compressed.
pub const MAX_PACKAGE_BYTES: u64 = 32 * 1024 * 1024;
/// Most bytes a package may expand to.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// Most entries a package may hold.
const MAX_ENTRIES: usize = 20_000;

/// A chart package's files, by path below its folder (`values.yaml`,
/// `charts/common/values.yaml`), with the name and version its
/// `Chart.yaml` gives.
#[derive(Debug, Clone)]
pub struct Package {
    /// The chart's name (`Chart.yaml` `name`).
    pub name: String,
    /// The chart's version (`Chart.yaml` `version`).
    pub version: String,
    /// Every regular file, by path below the chart's folder.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Why a package was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageError(pub String);

impl std::fmt::Display for PackageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PackageError {}

fn refuse(message: impl Into<String>) -> PackageError {
    PackageError(message.into())
}

/// The `sha256:<hex>` digest of a package's bytes, as `charts.lock`
/// records it.
pub fn digest(bytes: &[u8]) -> String {
    let sum = Sha256::digest(bytes);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in sum.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// An entry's path split into its parts, or why it is refused: absolute,
/// climbing out (`..`), or not UTF-8.
fn parts(raw: &[u8]) -> Result<Vec<&str>, PackageError> {
    let path = std::str::from_utf8(raw).map_err(|_| {
        refuse(format!(
            "entry `{}` has a path that is not UTF-8",
            String::from_utf8_lossy(raw)
        ))
    })?;
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return Err(refuse(format!(
            "entry `{path}` has an absolute or non-portable path"
        )));
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(refuse(format!(
            "entry `{path}` climbs out of the chart's folder (`..`)"
        )));
    }
    Ok(parts)
}

impl Package {
    /// Reads a package from its bytes.
    pub fn read(bytes: &[u8]) -> Result<Package, PackageError> {
        Package::read_limited(bytes, MAX_UNPACKED_BYTES)
    }

    fn read_limited(bytes: &[u8], max_unpacked: u64) -> Result<Package, PackageError> {
        if bytes.len() as u64 > MAX_PACKAGE_BYTES {
            return Err(refuse(format!(
                "the package is {} bytes, more than the {MAX_PACKAGE_BYTES} accepted",
                bytes.len()
            )));
        }
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            return Err(refuse("not a gzip file (a chart package is a .tgz)"));
        }
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let corrupt = |e: std::io::Error| refuse(format!("corrupt package: {e}"));
        let mut top: Option<String> = None;
        let mut files = BTreeMap::new();
        let mut unpacked = 0u64;
        for (n, entry) in archive.entries().map_err(corrupt)?.enumerate() {
            if n >= MAX_ENTRIES {
                return Err(refuse(format!("more than {MAX_ENTRIES} entries")));
            }
            let mut entry = entry.map_err(corrupt)?;
            let kind = entry.header().entry_type();
            if matches!(
                kind,
                tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
            ) {
                continue;
            }
            let raw = entry.path_bytes().into_owned();
            let parts = parts(&raw)?;
            let path = parts.join("/");
            if !(kind.is_file() || kind.is_dir()) {
                let what = if kind.is_symlink() || kind.is_hard_link() {
                    "a link"
                } else {
                    "neither a file nor a folder"
                };
                return Err(refuse(format!("entry `{path}` is {what}")));
            }
            let Some((&first, rest)) = parts.split_first() else {
                continue;
            };
            match &top {
                None => top = Some(first.to_string()),
                Some(t) if t != first => {
                    return Err(refuse(format!(
                        "entry `{path}` is outside the chart's folder `{t}/`"
                    )))
                }
                Some(_) => {}
            }
            if kind.is_dir() {
                continue;
            }
            if rest.is_empty() {
                return Err(refuse(format!(
                    "entry `{path}` is a file where the chart's folder belongs"
                )));
            }
            let size = entry.header().size().map_err(corrupt)?;
            unpacked = unpacked.saturating_add(size);
            if unpacked > max_unpacked {
                return Err(refuse(format!(
                    "the package expands to more than {max_unpacked} bytes"
                )));
            }
            let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
            (&mut entry)
                .take(size)
                .read_to_end(&mut data)
                .map_err(corrupt)?;
            if files.insert(rest.join("/"), data).is_some() {
                return Err(refuse(format!("entry `{path}` appears twice")));
            }
        }
        let top = top.ok_or_else(|| refuse("the package is empty"))?;
        let chart = files
            .get("Chart.yaml")
            .ok_or_else(|| refuse(format!("no `{top}/Chart.yaml`: not a chart package")))?;
        let (name, version) =
            chart_id(chart).map_err(|e| refuse(format!("`{top}/Chart.yaml`: {e}")))?;
        if name != top {
            return Err(refuse(format!(
                "the chart `{name}` is packaged in a folder named `{top}/`"
            )));
        }
        Ok(Package {
            name,
            version,
            files,
        })
    }

    /// A file's text, when the package holds it as UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files
            .get(path)
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// The `name` and `version` of a `Chart.yaml`.
fn chart_id(bytes: &[u8]) -> Result<(String, String), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let source = std::sync::Arc::new(crate::error::Source {
        name: "Chart.yaml".into(),
        text: text.to_string(),
    });
    let node =
        crate::yaml::parse_one(source, crate::yaml::Limits::default()).map_err(|d| d.message)?;
    let v = node.to_json();
    let field = |k: &str| match &v[k] {
        serde_json::Value::String(s) if !s.is_empty() => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("no `{k}`")),
    };
    Ok((field("name")?, field("version")?))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An entry of a test package: path, kind, data.
    pub(crate) type Entry<'a> = (&'a str, tar::EntryType, &'a [u8]);

    /// A gzipped tar of `entries`: `(path, kind, data)`, with the path
    /// written raw into the header (so `../` and absolute paths can be
    /// made).
    pub(crate) fn tgz(entries: &[Entry<'_>]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, data) in entries {
            let mut h = tar::Header::new_gnu();
            let name = &mut h.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if kind.is_symlink() {
                h.set_link_name("/etc/passwd").unwrap();
            }
            h.set_cksum();
            builder.append(&h, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    const FILE: tar::EntryType = tar::EntryType::Regular;
    const CHART: &[u8] = b"apiVersion: v2\nname: demo\nversion: 1.2.3\n";

    #[test]
    fn a_chart_package_is_read_below_its_folder() {
        let p = Package::read(&tgz(&[
            ("demo/Chart.yaml", FILE, CHART),
            ("demo/values.yaml", FILE, b"a: 1\n"),
            ("demo/charts/sub/values.yaml", FILE, b"b: 2\n"),
        ]))
        .unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("demo", "1.2.3"));
        assert_eq!(p.text("values.yaml"), Some("a: 1\n"));
        assert!(p.files.contains_key("charts/sub/values.yaml"));
    }

    #[test]
    fn packages_that_reach_outside_their_folder_are_refused() {
        let cases: &[(&[Entry<'_>], &str)] = &[
            (
                &[
                    ("demo/Chart.yaml", FILE, CHART),
                    ("demo/../evil", FILE, b"x"),
                ],
                "climbs out",
            ),
            (
                &[("demo/Chart.yaml", FILE, CHART), ("/etc/evil", FILE, b"x")],
                "absolute",
            ),
            (
                &[("demo/Chart.yaml", FILE, CHART), ("other/x", FILE, b"x")],
                "outside the chart's folder",
            ),
            (
                &[
                    ("demo/Chart.yaml", FILE, CHART),
                    ("demo/link", tar::EntryType::Symlink, b""),
                ],
                "is a link",
            ),
            (
                &[("demo/values.yaml", FILE, b"a: 1\n")],
                "not a chart package",
            ),
            (
                &[("other/Chart.yaml", FILE, CHART)],
                "folder named `other/`",
            ),
            (&[], "empty"),
        ];
        for (entries, want) in cases {
            let e = Package::read(&tgz(entries)).unwrap_err();
            assert!(e.0.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn corrupt_and_oversized_packages_are_refused() {
        assert!(Package::read(b"PK\x03\x04 a zip")
            .unwrap_err()
            .0
            .contains("not a gzip"));
        let mut cut = tgz(&[("demo/Chart.yaml", FILE, CHART)]);
        cut.truncate(cut.len() / 2);
        assert!(Package::read(&cut).unwrap_err().0.contains("corrupt"));
        // Zeros compress a thousandfold: the expansion is what is bounded.
        let big = vec![0u8; 4097];
        let small = tgz(&[("demo/Chart.yaml", FILE, CHART), ("demo/big", FILE, &big)]);
        assert!(small.len() < 1024);
        let e = Package::read_limited(&small, 4096).unwrap_err();
        assert!(e.0.contains("expands to more than"), "{e}");
    }

    #[test]
    fn the_digest_is_sha256_in_hex() {
        assert_eq!(
            digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
