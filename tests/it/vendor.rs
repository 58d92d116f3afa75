//! `gen vendor` against a real chart repository on 127.0.0.1 holding the
//! pinned upstream charts: pulled by the real `helm pull`, locked by
//! digest, offline afterwards; and every way it can fail leaves the config
//! directory as it was, with a clear error.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::chart_repo::{helm, ChartRepo};
use crate::common;

/// The example platform with every chart pinned to `repo`, and Superset
/// (whose chart the upstream folder lacks) off.
pub(crate) fn platform_on(repo: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    let path = dir.path().join("platform.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text: Vec<String> = text
        .lines()
        .map(|l| match l.strip_prefix("    repository: ") {
            Some(_) => format!("    repository: {repo}"),
            None => l.to_string(),
        })
        .collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    common::edit(
        dir.path(),
        "platform.yaml",
        "  superset:\n    release: superset\n",
        "  superset:\n    enabled: false\n    release: superset\n",
    );
    dir
}

pub(crate) fn vendor(dir: &Path, args: &[&str]) -> Output {
    let helm = helm();
    let mut cmd = common::gen();
    cmd.arg("vendor")
        .args(args)
        .arg("--config")
        .arg(dir)
        .env("HELM", &helm)
        // Helm's caches and config in the test's folder, not the user's.
        .env("HELM_CACHE_HOME", dir.join(".helm/cache"))
        .env("HELM_CONFIG_HOME", dir.join(".helm/config"))
        .env("HELM_DATA_HOME", dir.join(".helm/data"));
    cmd.output().unwrap()
}

use common::stderr;

/// The config directory's files, Helm's caches left out.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::snapshot_dir(dir)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".helm"))
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let sum = sha2::Sha256::digest(bytes);
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn upstream_package(file: &str) -> PathBuf {
    common::upstream().unwrap().join("charts").join(file)
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn the_pinned_charts_are_pulled_locked_and_then_offline() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches(": pulled (").count(),
        7,
        "{}",
        stderr(&o)
    );
    let lock: serde_json::Value = common::yaml_file(&cfg.path().join("charts.lock"));
    let entries = lock["charts"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    for e in entries {
        let file = e["file"].as_str().unwrap();
        let served = std::fs::read(upstream_package(file)).unwrap();
        let vendored = std::fs::read(cfg.path().join("charts").join(file)).unwrap();
        assert_eq!(
            served, vendored,
            "{file} is the served package, byte for byte"
        );
        assert_eq!(e["digest"], sha256(&served), "{file}");
        assert_eq!(e["repository"], repo.url.as_str());
        assert_eq!(
            file,
            format!(
                "{}-{}.tgz",
                e["name"].as_str().unwrap(),
                e["version"].as_str().unwrap()
            )
        );
    }
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "datahub",
            "doris-operator",
            "elasticsearch",
            "kafka",
            "kuberay-operator",
            "mlflow",
            "neo4j"
        ]
    );
    // Nothing of the staging folder stays.
    let in_charts = std::fs::read_dir(cfg.path().join("charts"))
        .unwrap()
        .count();
    assert_eq!(in_charts, 7);
    let check = vendor(cfg.path(), &["--check"]);
    assert!(check.status.success(), "{}", stderr(&check));

    // The repository gone, everything still works: nothing is pulled again.
    let before = files(cfg.path());
    drop(repo);
    let again = vendor(cfg.path(), &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stderr(&again).matches(": up to date (").count(), 7);
    assert_eq!(files(cfg.path()), before, "a second vendor changes nothing");
    assert!(vendor(cfg.path(), &["--check"]).status.success());
}

/// The real neo4j chart repackaged as `version` (its Chart.yaml edited),
/// with the real `helm package`.
fn neo4j_as(version: &str, into: &Path) -> PathBuf {
    repackage("neo4j", version, into, |_, text| text)
}

/// A real chart repackaged by the real `helm package` as `version`, every
/// text file passed through `edit` (path below the chart, text) first;
/// `values.schema.json` may be added by `edit` returning it for that path.
pub(crate) fn repackage(
    chart: &str,
    version: &str,
    into: &Path,
    edit: impl Fn(&str, String) -> String,
) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    let upstream = std::fs::read_dir(common::upstream().unwrap().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(&format!("{chart}-")) && name.ends_with(".tgz")
        })
        .unwrap();
    let package = std::fs::File::open(&upstream).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(package))
        .unpack(work.path())
        .unwrap();
    let dir = work.path().join(chart);
    let meta = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&meta).unwrap();
    let old = text
        .lines()
        .find_map(|l| l.strip_prefix("version: "))
        .unwrap()
        .to_string();
    std::fs::write(
        &meta,
        text.replace(
            &format!("\nversion: {old}\n"),
            &format!("\nversion: {version}\n"),
        ),
    )
    .unwrap();
    for e in walkdir::WalkDir::new(&dir).into_iter().map(|e| e.unwrap()) {
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(&dir)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            let edited = edit(&rel, text.clone());
            if edited != text {
                std::fs::write(e.path(), edited).unwrap();
            }
        }
    }
    let schema = edit("values.schema.json", String::new());
    if !schema.is_empty() {
        std::fs::write(dir.join("values.schema.json"), schema).unwrap();
    }
    let o = std::process::Command::new(helm())
        .arg("package")
        .arg(&dir)
        .arg("--destination")
        .arg(into)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    into.join(format!("{chart}-{version}.tgz"))
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn a_changed_pin_refreshes_that_chart_alone() {
    let mut repo = ChartRepo::upstream();
    neo4j_as("5.17.1", repo.dir.path());
    repo.index();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    // prod moves to 5.17.1; dev and staging stay on 5.17.0.
    let prod = cfg.path().join("envs/prod.yaml");
    let mut text = std::fs::read_to_string(&prod).unwrap();
    text.push_str("charts:\n  neo4j:\n    version: 5.17.1\n");
    std::fs::write(&prod, &text).unwrap();
    let stale = vendor(cfg.path(), &["--check"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("neo4j 5.17.1 from"),
        "{}",
        stderr(&stale)
    );
    assert!(
        stderr(&stale).contains("is pinned (by prod/neo4j) but not vendored"),
        "{}",
        stderr(&stale)
    );
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches(": pulled (").count(), 1, "{err}");
    assert!(err.contains("neo4j 5.17.1: pulled"), "{err}");
    assert_eq!(err.matches(": up to date (").count(), 7, "{err}");
    assert!(
        cfg.path().join("charts/neo4j-5.17.0.tgz").is_file(),
        "dev and staging still use it"
    );
    assert!(cfg.path().join("charts/neo4j-5.17.1.tgz").is_file());
    // Every env on 5.17.1: the old package goes.
    common::edit(
        cfg.path(),
        "platform.yaml",
        "    version: 5.17.0\n",
        "    version: 5.17.1\n",
    );
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("removed charts/neo4j-5.17.0.tgz"),
        "{}",
        stderr(&o)
    );
    assert!(!cfg.path().join("charts/neo4j-5.17.0.tgz").exists());
    assert!(vendor(cfg.path(), &["--check"]).status.success());
}

/// Runs a vendor that must fail: exit 2, the config directory unchanged,
/// and the error naming `want`.
fn fails(cfg: &Path, want: &[&str]) -> String {
    let before = files(cfg);
    let o = vendor(cfg, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in want {
        assert!(err.contains(w), "no {w:?} in:\n{err}");
    }
    assert_eq!(
        files(cfg),
        before,
        "a failed vendor changes nothing:\n{err}"
    );
    err
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn every_failure_is_a_clear_error_and_changes_nothing() {
    let mut repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    let prod = cfg.path().join("envs/prod.yaml");
    let overlay = std::fs::read_to_string(&prod).unwrap();
    let pin = |extra: &str| {
        let pins = if extra.is_empty() {
            String::new()
        } else {
            format!("charts:\n{extra}")
        };
        std::fs::write(&prod, format!("{overlay}{pins}")).unwrap()
    };

    // A version the repository does not have: located at the pin.
    pin("  neo4j:\n    version: 9.9.9\n");
    let err = fails(
        cfg.path(),
        &[
            "envs/prod.yaml:",
            "charts.neo4j",
            "neo4j 9.9.9",
            "not found",
            "help:",
        ],
    );
    assert!(
        err.contains("version: 9.9.9"),
        "the pin's line is shown:\n{err}"
    );

    // A package with `../` entries, and one with a link.
    let evil = |name: &str, entries: &[(&str, tar::EntryType)]| {
        let chart = format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n");
        let mut b = tar::Builder::new(Vec::new());
        for (path, kind) in entries {
            let data: &[u8] = if path.ends_with("Chart.yaml") {
                chart.as_bytes()
            } else {
                b"x"
            };
            let data = if kind.is_file() { data } else { &[][..] };
            let mut h = tar::Header::new_gnu();
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if kind.is_symlink() {
                h.set_link_name("/etc/passwd").unwrap();
            }
            h.set_cksum();
            b.append(&h, data).unwrap();
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    };
    let file = tar::EntryType::Regular;
    repo.add_raw(
        "escape",
        "1.0.0",
        &evil(
            "escape",
            &[("escape/Chart.yaml", file), ("escape/../../escaped", file)],
        ),
    );
    repo.add_raw(
        "link",
        "1.0.0",
        &evil(
            "link",
            &[
                ("link/Chart.yaml", file),
                ("link/templates/x", tar::EntryType::Symlink),
            ],
        ),
    );
    pin("  neo4j:\n    chart: escape\n    version: 1.0.0\n");
    fails(cfg.path(), &["escape 1.0.0", "is refused", "climbs out"]);
    pin("  neo4j:\n    chart: link\n    version: 1.0.0\n");
    fails(cfg.path(), &["link 1.0.0", "is refused", "is a link"]);

    // The repository serves other bytes for a locked version: the same
    // chart, compressed anew.
    pin("");
    std::fs::remove_file(cfg.path().join("charts/kafka-32.4.4.tgz")).unwrap();
    let served = repo.dir.path().join("kafka-32.4.4.tgz");
    let original = std::fs::read(&served).unwrap();
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&original[..]), &mut tar).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let recompressed = gz.finish().unwrap();
    assert_ne!(recompressed, original);
    std::fs::write(&served, &recompressed).unwrap();
    fails(
        cfg.path(),
        &[
            "kafka 32.4.4",
            "is not the package charts.lock records",
            "remove its entry",
        ],
    );
    std::fs::write(&served, &original).unwrap();
    // The recorded bytes served again: restored.
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("kafka 32.4.4: pulled"),
        "{}",
        stderr(&o)
    );

    // A tampered package is reported by --check (exit 1), not trusted.
    let vendored = cfg.path().join("charts/mlflow-1.11.5.tgz");
    let mut bytes = std::fs::read(&vendored).unwrap();
    bytes.push(0);
    std::fs::write(&vendored, bytes).unwrap();
    let check = vendor(cfg.path(), &["--check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stderr(&check).contains("mlflow-1.11.5.tgz is not the package charts.lock records"),
        "{}",
        stderr(&check)
    );
    assert!(
        vendor(cfg.path(), &[]).status.success(),
        "gen vendor restores it"
    );

    // Helm missing.
    pin("  neo4j:\n    version: 9.9.9\n");
    let before = files(cfg.path());
    let o = common::gen()
        .args(["vendor", "--config"])
        .arg(cfg.path())
        .env("HELM", cfg.path().join("no-such-helm"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-such-helm`, which does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("install Helm"), "{}", stderr(&o));
    assert_eq!(files(cfg.path()), before);

    // The repository down.
    drop(repo);
    fails(
        cfg.path(),
        &["neo4j 9.9.9", "cannot be reached", "must be reachable"],
    );
}

#[test]
fn the_built_in_example_has_no_directory_to_vendor_into() {
    let w = tempfile::tempdir().unwrap();
    let o = common::gen()
        .current_dir(w.path())
        .arg("vendor")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("gen init platform"), "{}", stderr(&o));
    assert!(std::fs::read_dir(w.path()).unwrap().next().is_none());
}

/// A real OCI registry (Debian's `docker-registry`, the CNCF distribution
/// registry) on a free loopback port, over plain HTTP; stops when dropped.
struct Registry {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\nlog:\n  level: error\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = std::process::Command::new(common::tool("docker-registry").unwrap())
            .arg("serve")
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed().as_secs() < 20,
                "the registry did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Registry {
            child,
            port,
            _dir: dir,
        }
    }

    /// Pushes a package with the real `helm push`.
    fn push(&self, package: &Path) {
        let o = std::process::Command::new(helm())
            .arg("push")
            .arg(package)
            .arg(format!("oci://127.0.0.1:{}/charts", self.port))
            .arg("--plain-http")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[cfg_attr(
    not(all(
        platgen_has = "upstream",
        platgen_has = "helm",
        platgen_has = "docker_registry"
    )),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM), helm (../shared/tools/install-k8s-tools.sh .tools) and docker-registry (.ci/run installs it)"
)]
fn charts_are_vendored_from_an_oci_registry() {
    let registry = Registry::start();
    registry.push(&upstream_package("kafka-32.4.4.tgz"));
    registry.push(&upstream_package("elasticsearch-22.1.7.tgz"));
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    let oci = format!("oci://127.0.0.1:{}/charts", registry.port);
    for chart in ["kafka", "elasticsearch"] {
        common::edit(
            cfg.path(),
            "platform.yaml",
            &format!("    repository: {}\n    chart: {chart}\n", repo.url),
            &format!("    repository: {oci}\n    chart: {chart}\n"),
        );
    }
    // Without TLS the registry needs --plain-http, as Helm's pull does.
    let tls = vendor(cfg.path(), &[]);
    assert_eq!(tls.status.code(), Some(2), "{}", stderr(&tls));
    assert!(!cfg.path().join("charts.lock").exists());
    let o = vendor(cfg.path(), &["--plain-http"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lock = common::yaml_file(&cfg.path().join("charts.lock"));
    for chart in ["kafka", "elasticsearch"] {
        let e = lock["charts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == chart)
            .unwrap();
        assert_eq!(e["repository"], oci.as_str());
        let file = e["file"].as_str().unwrap();
        let pushed = std::fs::read(upstream_package(file)).unwrap();
        assert_eq!(
            e["digest"],
            sha256(&pushed),
            "the registry serves the pushed bytes"
        );
    }
    // The Application reads the registry as Argo CD names it: no scheme.
    let tree = platgen::Platform::load(cfg.path())
        .unwrap()
        .render("prod")
        .unwrap();
    let app = common::doc(&tree, "apps/kafka.yaml");
    assert_eq!(
        app["spec"]["sources"][0]["repoURL"],
        format!("127.0.0.1:{}/charts", registry.port)
    );
    drop(registry);
    assert!(vendor(cfg.path(), &["--check"]).status.success());
}

use common::render_to as render_out;

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn values_are_checked_against_the_vendored_charts() {
    let mut repo = ChartRepo::upstream();
    // The next neo4j renames a key gen writes; another adds a schema that
    // refuses gen's value of it.
    repackage("neo4j", "5.17.1", repo.dir.path(), |path, text| {
        if path == "values.yaml" || path.starts_with("templates/") {
            text.replace("disableLookups", "disableLookup")
        } else {
            text
        }
    });
    repackage(
        "neo4j",
        "5.17.2",
        repo.dir.path(),
        |path, text| match path {
            "values.schema.json" => {
                r#"{"type":"object","properties":{"disableLookups":{"type":"string"}}}"#.into()
            }
            _ => text,
        },
    );
    repo.index();
    let cfg = platform_on(&repo.url);
    let out = tempfile::tempdir().unwrap();

    // Before vendoring, renders say the values were not checked.
    let o = render_out(cfg.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: values not checked against the charts"),
        "{}",
        stderr(&o)
    );
    assert!(vendor(cfg.path(), &[]).status.success());

    // The built-in platform's values pass all seven real charts, in every env.
    let platform = platgen::Platform::load(cfg.path()).unwrap();
    assert!(platform.vendored().unwrap().is_some());
    platform.render_all().unwrap();
    let o = render_out(cfg.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("not checked"), "{}", stderr(&o));
    let rendered = common::snapshot_dir(out.path());

    let prod = cfg.path().join("envs/prod.yaml");
    let overlay = std::fs::read_to_string(&prod).unwrap();
    let bump = |version: &str| {
        std::fs::write(
            &prod,
            format!("{overlay}charts:\n  neo4j:\n    version: {version}\n"),
        )
        .unwrap();
    };
    let refused = |want: &[&str]| {
        let o = render_out(cfg.path(), out.path(), "prod");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for w in want {
            assert!(err.contains(w), "no {w:?} in:\n{err}");
        }
        assert_eq!(
            common::snapshot_dir(out.path()),
            rendered,
            "a refused render writes nothing"
        );
        err
    };

    // The pin moved and was not vendored.
    bump("5.17.1");
    refused(&["chart neo4j 5.17.1", "is not vendored", "run `gen vendor`"]);
    // Vendored, and reported: the version drops a key gen writes.
    let o = vendor(cfg.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("`disableLookups`"));
    // The key gen writes is gone from the new version.
    let err = refused(&[
        "values/neo4j.yaml: `disableLookups` is not a value chart neo4j 5.17.1 reads",
        "did you mean `disableLookup`?",
        "components.neo4j",
    ]);
    assert!(
        err.contains("platform.yaml:"),
        "located at the component's section:\n{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "only that key:\n{err}");
    // dev and staging still run 5.17.0, and pass.
    assert!(
        render_out(cfg.path(), tempfile::tempdir().unwrap().path(), "dev")
            .status
            .success()
    );

    // A schema violation of the coalesced values.
    bump("5.17.2");
    assert_eq!(vendor(cfg.path(), &[]).status.code(), Some(1));
    refused(&[
        "values/neo4j.yaml: `disableLookups` fails chart neo4j 5.17.2's values.schema.json",
        "is not of type \"string\"",
    ]);

    // A vendored package altered: refused until vendored again.
    bump("5.17.0");
    assert!(vendor(cfg.path(), &[]).status.success());
    let package = cfg.path().join("charts/kafka-32.4.4.tgz");
    let mut bytes = std::fs::read(&package).unwrap();
    bytes.push(0);
    std::fs::write(&package, bytes).unwrap();
    refused(&[
        "kafka-32.4.4.tgz is not the package charts.lock records",
        "gen vendor",
    ]);
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn free_form_values_are_checked_against_the_vendored_charts() {
    let repo = ChartRepo::upstream();
    let with_values = |kafka: &str, mlflow: &str| {
        let cfg = platform_on(&repo.url);
        common::edit(
            cfg.path(),
            "platform.yaml",
            "      replicas: 3\n      storage: 20Gi\n",
            &format!("      replicas: 3\n      storage: 20Gi\n    values:\n{kafka}"),
        );
        common::edit(
            cfg.path(),
            "platform.yaml",
            "  mlflow:\n    release: mlflow\n",
            &format!("  mlflow:\n    release: mlflow\n    values:\n{mlflow}"),
        );
        cfg
    };
    // Keys the charts read, below maps they leave open: accepted.
    let good = with_values(
        "      controller:\n        nodeSelector:\n          disktype: ssd\n        podAnnotations:\n          team: data\n",
        "      podAnnotations:\n        team: data\n      tolerations:\n        - {key: ml, operator: Exists}\n",
    );
    assert!(vendor(good.path(), &[]).status.success());
    let out = tempfile::tempdir().unwrap();
    let o = render_out(good.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("not checked"), "{}", stderr(&o));
    let kafka = common::yaml_file(&out.path().join("prod/values/kafka.yaml"));
    assert_eq!(kafka["controller"]["nodeSelector"]["disktype"], "ssd");

    // A misspelt key and a value the chart's schema refuses: each placed
    // at its own line of `values:`.
    let bad = with_values(
        "      controller:\n        nodeSelectr:\n          disktype: ssd\n",
        "      podAnnotations: team-data\n",
    );
    assert!(vendor(bad.path(), &[]).status.success());
    let o = render_out(bad.path(), out.path(), "prod");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let text = std::fs::read_to_string(bad.path().join("platform.yaml")).unwrap();
    let line = |s: &str| text.lines().position(|l| l.contains(s)).unwrap() + 1;
    for want in [
        format!(
            "platform.yaml:{}:21: components.kafka.values.controller.nodeSelectr.disktype: values/kafka.yaml: `controller.nodeSelectr.disktype` is not a value chart kafka 32.4.4 reads",
            line("disktype: ssd")
        ),
        "did you mean `nodeSelector`?".to_string(),
        format!(
            "platform.yaml:{}:23: components.mlflow.values.podAnnotations: values/mlflow.yaml: `podAnnotations` fails chart mlflow 1.11.5's values.schema.json",
            line("podAnnotations: team-data")
        ),
    ] {
        assert!(err.contains(&want), "{want:?} not in:\n{err}");
    }
    assert_eq!(err.matches("error:").count(), 2, "{err}");
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn a_new_chart_version_is_reported_against_the_one_vendored_before() {
    let mut repo = ChartRepo::upstream();
    // The next neo4j renames a key gen writes, moves a default gen leaves
    // alone, and requires a value it did not.
    repackage("neo4j", "5.17.1", repo.dir.path(), |path, text| {
        match path {
        "values.yaml" => text
            .replace("disableLookups", "disableLookup")
            .replace("clusterDomain: \"cluster.local\"", "clusterDomain: \"cluster.example\""),
        p if p.starts_with("templates/") => text.replace("disableLookups", "disableLookup"),
        "values.schema.json" => r#"{"type":"object","required":["analytics"],"properties":{"analytics":{"type":"object","required":["enabled"]},"neo4j":{"type":"object","properties":{"edition":{"enum":["enterprise"]}}}}}"#.into(),
        _ => text,
    }
    });
    repo.index();
    let cfg = platform_on(&repo.url);
    let first = vendor(cfg.path(), &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        String::from_utf8_lossy(&first.stdout).is_empty(),
        "no upgrade on a first vendor"
    );
    let prod = cfg.path().join("envs/prod.yaml");
    let overlay = std::fs::read_to_string(&prod).unwrap();
    std::fs::write(
        &prod,
        format!("{overlay}charts:\n  neo4j:\n    version: 5.17.1\n"),
    )
    .unwrap();
    let o = vendor(cfg.path(), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["breaks"], true);
    let upgrades = report["upgrades"].as_array().unwrap();
    assert_eq!(upgrades.len(), 1, "{report:#}");
    let u = &upgrades[0];
    assert_eq!(
        (&u["chart"], &u["from"], &u["to"]),
        (&"neo4j".into(), &"5.17.0".into(), &"5.17.1".into())
    );
    assert_eq!(
        u["unread"],
        serde_json::json!([{"path": "disableLookups", "written_by": ["prod/neo4j"], "read_before": true, "suggestion": "disableLookup"}])
    );
    assert_eq!(
        u["required"],
        serde_json::json!(["analytics", "analytics.enabled"])
    );
    assert_eq!(
        u["refused"],
        serde_json::json!([{"path": "neo4j.edition", "message": "\"community\" is not one of \"enterprise\"", "written_by": ["prod/neo4j"]}])
    );
    let defaults = u["defaults"].as_array().unwrap();
    assert!(
        defaults.contains(&serde_json::json!({"path": "clusterDomain", "old": "\"cluster.local\"", "new": "\"cluster.example\""})),
        "{defaults:?}"
    );
    // `disableLookup` is new only as a default (gen writes the old name):
    // the renamed key shows as a default that appeared.
    assert!(
        defaults
            .contains(&serde_json::json!({"path": "disableLookup", "old": null, "new": "false"})),
        "{defaults:?}"
    );
    assert!(
        !defaults.iter().any(|d| d["path"] == "neo4j.name"),
        "keys gen writes are not listed as defaults: {defaults:?}"
    );
    // The charts were vendored all the same; the render then fails.
    assert!(vendor(cfg.path(), &["--check"]).status.success());

    // The text report, on another bump from 5.17.0.
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    std::fs::write(
        cfg.path().join("envs/prod.yaml"),
        format!("{overlay}charts:\n  neo4j:\n    version: 5.17.1\n"),
    )
    .unwrap();
    let o = vendor(cfg.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    for want in [
        "neo4j 5.17.0 → 5.17.1:\n",
        "  error: `disableLookups` (written by prod/neo4j) is not read by neo4j 5.17.1; did you mean `disableLookup`?\n",
        "  error: `neo4j.edition` (written by prod/neo4j) fails neo4j 5.17.1's values.schema.json: \"community\" is not one of \"enterprise\"\n",
        "  required: `analytics` is required by 5.17.1\n",
        "  default: `clusterDomain`: \"cluster.local\" → \"cluster.example\"\n",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    assert!(
        stderr(&o).contains("help: the values gen writes break"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn a_release_is_vendored_and_its_values_checked_like_a_component() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    let path = cfg.path().join("platform.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!(
            "{text}releases:\n  graph:\n    namespace: data-platform\n    chart:\n      repository: {}\n      chart: neo4j\n      version: 5.17.0\n    values:\n      neo4j:\n        name: graph\n        passwordFromSecret: graph-auth\n      disableLookup: true\n",
            repo.url
        ),
    )
    .unwrap();
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // One package serves the component and the release.
    let lock = std::fs::read_to_string(cfg.path().join("charts.lock")).unwrap();
    assert_eq!(lock.matches("- name: neo4j").count(), 1, "{lock}");
    let out = tempfile::tempdir().unwrap();
    let o = render_out(cfg.path(), out.path(), "prod");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.contains("disableLookup: true"))
        .unwrap()
        + 1;
    for want in [
        format!("platform.yaml:{line}:22: releases.graph.values.disableLookup: values/graph.yaml: `disableLookup` is not a value chart neo4j 5.17.0 reads"),
        "did you mean `disableLookups`?".to_string(),
    ] {
        assert!(err.contains(&want), "{want:?} not in:\n{err}");
    }
    assert!(common::snapshot_dir(out.path()).is_empty());
    common::edit(
        cfg.path(),
        "platform.yaml",
        "disableLookup: true",
        "disableLookups: true",
    );
    let o = render_out(cfg.path(), out.path(), "prod");
    assert!(o.status.success(), "{}", stderr(&o));
    let app = common::yaml_file(&out.path().join("prod/apps/graph.yaml"));
    assert_eq!(app["spec"]["sources"][0]["chart"], "neo4j");
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm", platgen_has = "git")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM), helm and git"
)]
fn gen_diff_reports_a_chart_upgrade_against_the_base_revision() {
    let mut repo = ChartRepo::upstream();
    repackage(
        "neo4j",
        "5.17.3",
        repo.dir.path(),
        |path, text| match path {
            "values.yaml" => text.replace(
                "clusterDomain: \"cluster.local\"",
                "clusterDomain: \"cluster.example\"",
            ),
            _ => text,
        },
    );
    repo.index();
    let cfg = platform_on(&repo.url);
    assert!(vendor(cfg.path(), &[]).status.success());
    let git = |args: &[&str]| common::git(cfg.path(), args);
    git(&["init", "-q"]);
    git(&["add", "-A", "."]);
    git(&["commit", "-qm", "charts vendored"]);
    common::edit(
        cfg.path(),
        "platform.yaml",
        "    chart: neo4j\n    version: 5.17.0\n",
        "    chart: neo4j\n    version: 5.17.3\n",
    );
    let o = vendor(cfg.path(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let diff = |format: &str| {
        common::gen()
            .args(["diff", "--base", "HEAD", "--format", format, "--config"])
            .arg(cfg.path())
            .output()
            .unwrap()
    };
    let o = diff("text");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    for want in [
        "~ spec.sources[0].targetRevision: \"5.17.0\" → \"5.17.3\"",
        "neo4j 5.17.0 → 5.17.3:\n",
        "  default: `clusterDomain`: \"cluster.local\" → \"cluster.example\"\n",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    let o = diff("json");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let u = &report["upgrades"][0];
    assert_eq!((&u["from"], &u["to"]), (&"5.17.0".into(), &"5.17.3".into()));
    let written_by: Vec<&str> = u["defaults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(written_by, ["clusterDomain"]);
    let o = diff("markdown");
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("#### Chart upgrades\n\n```text\nneo4j 5.17.0 → 5.17.3:"));
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM) and helm (../shared/tools/install-k8s-tools.sh .tools)"
)]
fn explain_names_the_chart_default_behind_a_value_gen_leaves_unset() {
    let repo = ChartRepo::upstream();
    let cfg = platform_on(&repo.url);
    let explain = |args: &[&str]| {
        common::gen()
            .args(["explain", "--env", "prod", "--config"])
            .arg(cfg.path())
            .args(args)
            .output()
            .unwrap()
    };
    // Without the chart, gen knows only what it writes.
    let o = explain(&["values/kafka.yaml", "controller.podAntiAffinityPreset"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(vendor(cfg.path(), &[]).status.success());
    let o = explain(&["values/kafka.yaml", "controller.podAntiAffinityPreset"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("values/kafka.yaml controller.podAntiAffinityPreset = soft\n  not written by gen: the default of chart kafka 32.4.4"),
        "{text}"
    );
    let o = explain(&[
        "values/kafka.yaml",
        "controller.podAntiAffinityPreset",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["chart_default"], "kafka 32.4.4");
    assert_eq!(v[0]["fed_by"], serde_json::json!([]));
    // A map gen writes into is not a chart default; a key neither has is
    // still an error.
    assert_eq!(
        explain(&["values/kafka.yaml", "controller"]).status.code(),
        Some(2)
    );
    assert_eq!(
        explain(&["values/kafka.yaml", "controller.nope"])
            .status
            .code(),
        Some(2)
    );
}
