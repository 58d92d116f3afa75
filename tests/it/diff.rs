//! `gen diff`: a Git repository made here with two commits of the config;
//! `--base HEAD~1` shows exactly the edit, in every env it reaches and no
//! other, in all three formats; reordering is no change; two rendered trees
//! compare the same way, and a credential planted in one is never printed.

use std::path::Path;
use std::process::Output;

use crate::common;

use common::git;

fn gen(dir: &Path, args: &[&str]) -> Output {
    common::gen().current_dir(dir).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A repository whose `platform/` is the example, committed, then edited:
/// Kafka's controllers in prod 3 → 5, and a comment and reordered keys in
/// the base (no change).
fn repo() -> tempfile::TempDir {
    let w = tempfile::tempdir().unwrap();
    common::write_builtin_config(&w.path().join("platform"));
    git(w.path(), &["init", "-q"]);
    git(w.path(), &["add", "."]);
    git(w.path(), &["commit", "-qm", "the example"]);
    let cfg = w.path().join("platform");
    common::edit(
        &cfg,
        "envs/prod.yaml",
        "components:\n",
        "components:\n  kafka:\n    controller:\n      replicas: 5\n",
    );
    common::edit(
        &cfg,
        "platform.yaml",
        "  tlsSecret: wildcard-tls\n",
        "  # the certificate\n  tlsSecret: wildcard-tls\n",
    );
    // The ingress block moved to the top of the file: keys reordered.
    let base = std::fs::read_to_string(cfg.join("platform.yaml")).unwrap();
    let at = base.find("\ningress:\n").unwrap() + 1;
    let end = at + base[at..].find("\n\n").unwrap() + 2;
    let moved = format!(
        "{}{}",
        &base[at..end],
        base[..at].to_string() + &base[end..]
    );
    std::fs::write(cfg.join("platform.yaml"), moved).unwrap();
    git(w.path(), &["commit", "-qam", "five controllers in prod"]);
    w
}

#[test]
#[cfg_attr(not(platgen_has = "git"), ignore = "needs git")]
fn a_commit_shows_as_exactly_its_edit_in_the_envs_it_reaches() {
    let w = repo();
    let o = gen(w.path(), &["diff", "--base", "HEAD~1"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    assert_eq!(
        text,
        "prod: 1 change\n  values/kafka.yaml\n    ~ controller.replicaCount: 3 → 5\n1 env changed, 1 change in all\n"
    );
    // README's example is this run.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("$ gen diff --base HEAD~1\n{text}```")),
        "README's gen diff example is not what gen prints"
    );
    let o = gen(w.path(), &["diff", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"changed": true, "groups": [{"envs": ["prod"], "changes": [{
            "file": "values/kafka.yaml", "object": null, "path": "controller.replicaCount",
            "kind": "changed", "old": 3, "new": 5}]}]})
    );
    let o = gen(
        w.path(),
        &["diff", "--base", "HEAD~1", "--format", "markdown"],
    );
    insta::assert_snapshot!(stdout(&o));
    // Against itself, and for an env the edit does not reach: nothing.
    let o = gen(w.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "no change\n")
    );
    let o = gen(w.path(), &["diff", "--base", "HEAD~1", "--env", "staging"]);
    assert_eq!(o.status.code(), Some(0));
    // Working-tree edits count, uncommitted: the base's domain reaches the
    // envs that do not set their own (prod), in every host.
    common::edit(
        &w.path().join("platform"),
        "platform.yaml",
        "domain: 254carbon.com",
        "domain: acme.example",
    );
    let o = gen(w.path(), &["diff", "--base", "HEAD", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["envs"], serde_json::json!(["prod"]));
    for c in groups[0]["changes"].as_array().unwrap() {
        assert!(c["old"].as_str().unwrap().contains("254carbon.com"), "{c}");
        assert!(c["new"].as_str().unwrap().contains("acme.example"), "{c}");
    }
    // A bad revision, and a config outside Git, are errors (exit 2).
    let o = gen(w.path(), &["diff", "--base", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`no-such-branch` is no commit"));
    let outside = tempfile::tempdir().unwrap();
    common::write_builtin_config(&outside.path().join("platform"));
    let o = gen(outside.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not in a Git repository"));
}

/// An edit at the base that every env of a fleet meets alike is reported
/// once, for all of them.
#[test]
#[cfg_attr(not(platgen_has = "git"), ignore = "needs git")]
fn envs_with_the_same_change_are_summarised_once() {
    let w = tempfile::tempdir().unwrap();
    assert!(
        gen(w.path(), &["fleet", "--count", "12", "--out", "platform"])
            .status
            .success()
    );
    git(w.path(), &["init", "-q"]);
    git(w.path(), &["add", "."]);
    git(w.path(), &["commit", "-qm", "fleet"]);
    common::edit(
        &w.path().join("platform"),
        "platform.yaml",
        "  deadlineSeconds: 300",
        "  deadlineSeconds: 301",
    );
    let o = gen(w.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("c0001 … c0012 (12 envs, the same change): "),
        "{text}"
    );
    assert!(text.contains("activeDeadlineSeconds: 300 → 301"), "{text}");
}

#[test]
fn two_rendered_trees_compare_as_yaml_and_never_show_a_credential() {
    let w = tempfile::tempdir().unwrap();
    assert!(gen(w.path(), &["render", "--all", "--out", "old", "-q"])
        .status
        .success());
    assert!(gen(w.path(), &["render", "--all", "--out", "new", "-q"])
        .status
        .success());
    let o = gen(w.path(), &["diff", "old", "new"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "no change\n")
    );
    // Keys reordered and the header changed: no change.
    let kafka = w.path().join("new/prod/values/kafka.yaml");
    let text = std::fs::read_to_string(&kafka).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let reordered = reorder_top_level(&lines.join("\n"));
    std::fs::write(&kafka, format!("# another header\n{reordered}\n")).unwrap();
    let o = gen(w.path(), &["diff", "old", "new"]);
    assert_eq!(stdout(&o), "no change\n");
    // A Secret planted on one side, changed on the other: named, not shown.
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: planted, namespace: ns}\nstringData:\n  token: SECRET-ONE\n";
    std::fs::write(w.path().join("old/prod/manifests/planted.yaml"), secret).unwrap();
    std::fs::write(
        w.path().join("new/prod/manifests/planted.yaml"),
        secret.replace("SECRET-ONE", "SECRET-TWO") + "  password: SECRET-THREE\n",
    )
    .unwrap();
    for format in ["text", "markdown", "json"] {
        let o = gen(
            w.path(),
            &["diff", "old", "new", "--env", "prod", "--format", format],
        );
        assert_eq!(o.status.code(), Some(1));
        let out = stdout(&o);
        assert!(out.contains("Secret/ns/planted"), "{format}: {out}");
        assert!(
            !out.contains("SECRET-"),
            "{format} shows a credential:\n{out}"
        );
    }
}

/// `text` (a YAML map) with its top-level entries in reverse order.
fn reorder_top_level(text: &str) -> String {
    let mut entries: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('-') || entries.is_empty() {
            entries.push(line.to_string());
        } else {
            let last = entries.last_mut().unwrap();
            last.push('\n');
            last.push_str(line);
        }
    }
    assert!(entries.len() > 2, "{text}");
    entries.reverse();
    entries.join("\n")
}

/// `gen diff --objects` with `args`, run in `dir`, Helm the real one.
fn diff_objects(dir: &Path, args: &[&str]) -> Output {
    common::gen()
        .current_dir(dir)
        .args(["diff", "--objects", "--config", "platform"])
        .args(args)
        .env("HELM", crate::chart_repo::helm())
        .output()
        .unwrap()
}

/// The changes of a JSON report as `env file object path kind old new`.
fn change_lines(report: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for g in report["groups"].as_array().unwrap() {
        for c in g["changes"].as_array().unwrap() {
            out.push(format!(
                "{} {} {} {} {} {} {}",
                g["envs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                c["file"].as_str().unwrap(),
                c["object"].as_str().unwrap_or("-"),
                c["path"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["old"],
                c["new"]
            ));
        }
    }
    out
}

/// A replicas edit shows as the StatefulSet the chart renders; what the
/// chart generates at each render is no change; a Secret's data is never
/// shown; a chart upgrade renders the old chart as vendored at the base.
#[test]
#[cfg_attr(
    not(all(platgen_has = "upstream", platgen_has = "helm", platgen_has = "git")),
    ignore = "needs the pinned upstream charts (../shared/upstream or $PLATGEN_UPSTREAM), helm (../shared/tools/install-k8s-tools.sh .tools) and git"
)]
fn objects_show_what_the_charts_render_differently() {
    let mut repo = crate::chart_repo::ChartRepo::upstream();
    let w = tempfile::tempdir().unwrap();
    let cfg = crate::vendor::platform_on(&repo.url);
    std::fs::rename(cfg.path(), w.path().join("platform")).unwrap();
    let platform = w.path().join("platform");
    let o = crate::vendor::vendor(&platform, &[]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    git(w.path(), &["init", "-q"]);
    git(w.path(), &["add", "."]);
    git(w.path(), &["commit", "-qm", "vendored"]);
    let o = diff_objects(w.path(), &["--base", "HEAD"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "no change\n"),
        "{}",
        common::stderr(&o)
    );

    common::edit(
        &platform,
        "envs/prod.yaml",
        "components:\n",
        "components:\n  kafka:\n    controller:\n      replicas: 5\n",
    );
    let o = diff_objects(w.path(), &["--base", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lines = change_lines(&report);
    for want in [
        "prod values/kafka.yaml - controller.replicaCount changed 3 5",
        "prod helm:kafka StatefulSet/data-platform/kafka-controller spec.replicas changed 3 5",
    ] {
        assert!(lines.iter().any(|l| l == want), "{want} not in {lines:#?}");
    }
    // Only Kafka's objects: no other release's values changed.
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("prod values/kafka.yaml ") || l.starts_with("prod helm:kafka ")),
        "{lines:#?}"
    );
    // The two new controllers' ids the chart generates: added, as
    // generated, never shown.
    let generated = "\"(generated by the chart at each render)\"";
    for id in ["controller-3-id", "controller-4-id"] {
        let want = format!(
            "prod helm:kafka Secret/data-platform/kafka-kraft data.{id} added null {generated}"
        );
        assert!(lines.contains(&want), "{want} not in {lines:#?}");
    }
    // Nothing that differs between two renders of one side reads as a change.
    assert!(
        !lines
            .iter()
            .any(|l| l.contains(" changed ") && l.contains(generated)),
        "{lines:#?}"
    );
    // A Secret's values are never shown: each is masked or generated.
    for l in lines.iter().filter(|l| l.contains(" Secret/")) {
        assert!(
            l.ends_with(generated) || l.contains("********"),
            "a Secret value shown: {l}"
        );
    }
    // Same input, the same report, whatever the chart generates.
    let again = diff_objects(w.path(), &["--base", "HEAD", "--format", "json"]);
    assert_eq!(again.stdout, o.stdout);
    let text = stdout(&diff_objects(w.path(), &["--base", "HEAD"]));
    assert!(
        text.contains("  helm:kafka  StatefulSet/data-platform/kafka-controller\n    ~ spec.replicas: 3 → 5\n"),
        "{text}"
    );
    // The broker list of the config file, as the part that changed.
    assert!(
        text.contains(r#"data["server.properties"]: "line "#),
        "{text}"
    );
    // README's example is what gen prints (its first lines).
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("$ gen diff --base HEAD~1 --objects --env prod\n")
        .unwrap();
    let block = &readme[start..start + readme[start..].find("    …\n```").unwrap()];
    let shown = block.split_once('\n').unwrap().1;
    let prod = stdout(&diff_objects(
        w.path(),
        &["--base", "HEAD", "--env", "prod"],
    ));
    assert!(
        prod.starts_with(shown),
        "README's gen diff --objects example is not what gen prints:\n{prod}"
    );

    // A chart upgrade in every env: the old package is gone from charts/,
    // so it is read from the base revision.
    git(w.path(), &["checkout", "-q", "--", "platform"]);
    crate::vendor::repackage("neo4j", "5.17.1", repo.dir.path(), |path, text| {
        if path == "templates/neo4j-statefulset.yaml" {
            text.replace("  serviceName:", "  minReadySeconds: 7\n  serviceName:")
        } else {
            text
        }
    });
    repo.index();
    common::edit(
        &platform,
        "platform.yaml",
        "chart: neo4j\n    version: 5.17.0",
        "chart: neo4j\n    version: 5.17.1",
    );
    let o = crate::vendor::vendor(&platform, &[]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(!platform.join("charts/neo4j-5.17.0.tgz").exists());
    let o = diff_objects(w.path(), &["--base", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let lines = change_lines(&serde_json::from_slice(&o.stdout).unwrap());
    for env in ["dev", "prod", "staging"] {
        for want in [
            format!("{env} helm:neo4j StatefulSet/data-platform/neo4j spec.minReadySeconds added null 7"),
            format!("{env} apps/neo4j.yaml Application/argocd/{env}-neo4j spec.sources[0].targetRevision changed \"5.17.0\" \"5.17.1\""),
        ] {
            assert!(lines.contains(&want), "{want} not in {lines:#?}");
        }
    }

    // A base without vendored charts: said, with what to do.
    let bare = tempfile::tempdir().unwrap();
    common::write_builtin_config(&bare.path().join("platform"));
    git(bare.path(), &["init", "-q"]);
    git(bare.path(), &["add", "."]);
    git(bare.path(), &["commit", "-qm", "no charts"]);
    let o = diff_objects(bare.path(), &["--base", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains("gen diff --objects renders the vendored charts, and this config has none")
            && err.contains("gen vendor"),
        "{err}"
    );
    // Two rendered trees hold no config to render charts with.
    let o = gen(bare.path(), &["diff", "--objects", "old", "new"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("--base"),
        "{}",
        common::stderr(&o)
    );
}
