//! Where a rendered tree lands against where its Applications look: the
//! directory `--out` names should be the one `argocd.path` names in the
//! GitOps repository, and `apps/` should hold only gen's files, since the
//! root Application applies every manifest there.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use crate::tree::RenderedTree;

/// File names Argo CD's directory source applies.
const APPLIED: [&str; 4] = ["yaml", "yml", "json", "jsonnet"];

/// Whether `<out>/<env>` ends in the tree's `repo_dir` (`gitops/prod`), so
/// that committed at the repository's top its Applications find it. A path
/// that cannot be made absolute counts as matching (nothing to say).
pub(crate) fn matches_repo_dir(tree: &RenderedTree, out: &Path) -> bool {
    let Ok(dir) = std::path::absolute(out.join(&tree.env)) else {
        return true;
    };
    let written: Vec<String> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let wanted: Vec<&str> = tree.repo_dir.split('/').filter(|s| !s.is_empty()).collect();
    written.len() >= wanted.len()
        && written[written.len() - wanted.len()..]
            .iter()
            .zip(&wanted)
            .all(|(a, b)| a == b)
}

/// Files in `<env_dir>/apps/` that are neither the tree's nor gen's earlier
/// ones (`owned`, about to be pruned) but that Argo CD applies: their paths
/// in the env directory, sorted.
pub(crate) fn foreign_apps(
    tree: &RenderedTree,
    env_dir: &Path,
    owned: &BTreeSet<String>,
) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(env_dir.join("apps")) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(|n| format!("apps/{n}")))
        .filter(|p| {
            Path::new(p)
                .extension()
                .is_some_and(|x| APPLIED.iter().any(|a| x == *a))
        })
        .filter(|p| !tree.files.contains_key(p) && !owned.contains(p))
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(repo_dir: &str) -> RenderedTree {
        RenderedTree {
            env: "prod".into(),
            repo_dir: repo_dir.into(),
            files: [("apps/a.yaml".to_string(), String::new())].into(),
        }
    }

    #[test]
    fn the_out_directory_must_end_in_the_repository_path() {
        let t = tree("gitops/prod");
        assert!(matches_repo_dir(&t, Path::new("/repo/gitops")));
        assert!(matches_repo_dir(&t, Path::new("/repo/./gitops/")));
        assert!(!matches_repo_dir(&t, Path::new("/repo/gitops-all")));
        assert!(!matches_repo_dir(&t, Path::new("/repo/output")));
        assert!(matches_repo_dir(&tree("prod"), Path::new("/anywhere")));
        assert!(matches_repo_dir(
            &tree("deploy/clusters/prod"),
            Path::new("/r/deploy/clusters")
        ));
        assert!(!matches_repo_dir(
            &tree("deploy/clusters/prod"),
            Path::new("/r/clusters")
        ));
    }

    #[test]
    fn foreign_files_are_those_argo_cd_applies_that_gen_did_not_write() {
        let d = tempfile::tempdir().unwrap();
        let apps = d.path().join("apps");
        std::fs::create_dir_all(apps.join("sub")).unwrap();
        for f in ["a.yaml", "old.yaml", "mine.yaml", "mine.json", "notes.md"] {
            std::fs::write(apps.join(f), "").unwrap();
        }
        let owned: BTreeSet<String> = ["apps/old.yaml".to_string()].into();
        assert_eq!(
            foreign_apps(&tree("gitops/prod"), d.path(), &owned),
            ["apps/mine.json", "apps/mine.yaml"]
        );
        assert!(foreign_apps(&tree("x"), &d.path().join("none"), &owned).is_empty());
    }
}
