//! README's "Adapt it to your platform", run as written: `gen init`, the
//! YAML blocks put in place of the ones `gen init` wrote, then every shell
//! line in order in a Git clone whose remote is a local bare repository,
//! with a `kubectl` that records what it is given. What comes out is the
//! user's platform, not the example's.

use std::path::Path;
use std::process::Command;

use crate::common;

/// The walkthrough section of README.md.
fn section() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = text
        .find("## Adapt it to your platform")
        .expect("the section");
    let end = text[start + 3..].find("\n## ").unwrap() + start + 3;
    text[start..end].to_string()
}

/// The fenced blocks of `lang` in `text`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&fence) {
        let body = &rest[at + fence.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..][3..];
    }
    out
}

/// `text`'s top-level blocks: each key at column 0 with the lines below it
/// that are indented (or blank).
fn top_level(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let top = !line.is_empty() && !line.starts_with([' ', '#']);
        if top {
            let key = line.split(':').next().unwrap().to_string();
            out.push((key, format!("{line}\n")));
        } else if line.starts_with(' ') {
            if let Some((_, block)) = out.last_mut() {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    out
}

/// Replaces `key`'s top-level block in `text` with `block`.
fn replace_block(text: &str, key: &str, block: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    let mut found = false;
    while let Some(line) = lines.next() {
        if line.starts_with(&format!("{key}:")) {
            found = true;
            out.push_str(block);
            while lines.peek().is_some_and(|l| l.starts_with(' ')) {
                lines.next();
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(
        found,
        "`gen init` wrote no top-level `{key}:` for README's block to replace"
    );
    out
}

fn run(dir: &Path, path: &str, line: &str) -> std::process::Output {
    let o = common::with_git_identity(
        Command::new("sh")
            .args(["-ec", line])
            .current_dir(dir)
            .env("PATH", path),
    )
    .output()
    .unwrap();
    assert!(
        o.status.success(),
        "`{line}` failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
#[cfg_attr(not(platgen_has = "git"), ignore = "needs git")]
fn the_readme_walkthrough_makes_the_users_platform() {
    let text = section();
    let w = tempfile::tempdir().unwrap();
    // The user's tools: gen, git, and a kubectl that records its input.
    let bin = w.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_gen"), bin.join("gen")).unwrap();
    let applied = w.path().join("applied.yaml");
    let kubectl = bin.join("kubectl");
    std::fs::write(
        &kubectl,
        format!(
            "#!/bin/sh\n[ \"$*\" = \"apply -f -\" ] || {{ echo \"unexpected: $*\" >&2; exit 2; }}\ncat > '{}'\n",
            applied.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // A clone of the user's GitOps repository.
    run(
        w.path(),
        &path,
        "git init -q --bare remote.git && git clone -q remote.git repo 2>/dev/null",
    );
    let repo = w.path().join("repo");

    let shell: Vec<String> = blocks(&text, "sh")
        .iter()
        .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        shell[0], "gen init platform",
        "the walkthrough starts with gen init"
    );
    let mut stderr = String::new();
    let o = run(&repo, &path, &shell[0]);
    stderr.push_str(&String::from_utf8_lossy(&o.stderr));

    // The YAML blocks, in place of gen init's.
    let yaml = blocks(&text, "yaml");
    assert_eq!(yaml.len(), 1, "one block of settings");
    let file = repo.join("platform/platform.yaml");
    let mut config = std::fs::read_to_string(&file).unwrap();
    let settings = top_level(&yaml[0]);
    assert!(settings.len() >= 5, "{settings:?}");
    for (key, block) in &settings {
        config = replace_block(&config, key, block);
    }
    std::fs::write(&file, &config).unwrap();

    for line in &shell[1..] {
        let o = run(&repo, &path, line);
        stderr.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    assert!(
        !stderr.contains("warning"),
        "the walkthrough warns:\n{stderr}"
    );

    // What came out is the user's platform.
    let settings = common::yaml_docs("README's settings", &yaml[0]).remove(0);
    let repo_url = settings["argocd"]["repoUrl"].as_str().unwrap();
    let dir = settings["argocd"]["path"].as_str().unwrap();
    let domain = settings["domain"].as_str().unwrap();
    let pg = settings["external"]["postgresql"]["host"].as_str().unwrap();
    let store = settings["secretStore"]["name"].as_str().unwrap();
    let class = settings["ingress"]["className"].as_str().unwrap();
    let envs = ["dev", "prod", "staging"];
    for env in envs {
        let root = common::yaml_docs(
            "root",
            &std::fs::read_to_string(repo.join(dir).join(env).join("apps/root.yaml")).unwrap(),
        );
        assert_eq!(root[0]["spec"]["source"]["repoURL"], repo_url);
        assert_eq!(
            root[0]["spec"]["source"]["path"],
            format!("{dir}/{env}/apps")
        );
    }
    let all = |env: &str| {
        common::snapshot_dir(&repo.join(dir).join(env))
            .into_iter()
            .map(|(_, b)| String::from_utf8(b).unwrap())
            .collect::<String>()
    };
    let prod = all("prod");
    for (what, value) in [
        ("the domain", domain.to_string()),
        ("the PostgreSQL host", pg.to_string()),
        ("the secret store", format!("name: {store}")),
        ("the ingress class", format!("ingressClassName: {class}")),
        (
            "the header",
            "from platform/platform.yaml + platform/envs/prod.yaml.".to_string(),
        ),
    ] {
        assert!(
            prod.contains(&value),
            "{what} ({value}) is not in the render"
        );
    }
    for old in [
        "254carbon",
        "postgresql.kong.svc",
        "vault-backend",
        "git.254carbon.com",
    ] {
        assert!(
            !prod.contains(old),
            "the example's `{old}` is left in the render"
        );
    }
    // Committed and pushed: the remote holds the config and the tree.
    let o = run(
        w.path(),
        &path,
        "git --git-dir remote.git ls-tree -r --name-only HEAD",
    );
    let pushed = String::from_utf8(o.stdout).unwrap();
    assert!(pushed.contains("platform/platform.yaml"), "{pushed}");
    assert!(
        pushed.contains(&format!("{dir}/prod/apps/root.yaml")),
        "{pushed}"
    );
    // kubectl was given the ApplicationSet that starts every env from there.
    let sets = common::yaml_docs("bootstrap", &std::fs::read_to_string(&applied).unwrap());
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["kind"], "ApplicationSet");
    let git = &sets[0]["spec"]["generators"][0]["git"];
    assert_eq!(git["repoURL"], repo_url);
    assert_eq!(git["directories"][0]["path"], format!("{dir}/*/apps"));
    // And CI's check agrees with what was committed.
    let o = run(&repo, &path, &format!("gen check --all --out {dir}"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"));
}
