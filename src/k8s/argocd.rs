//! Argo CD's `Application` (`argoproj.io/v1alpha1`): the fields gen sets.
//! `helm.values` is a string in the CRD; gen writes values files instead.

use serde::Serialize;

use super::CustomResource;

/// The spec of an Application.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Argo CD project.
    pub project: String,
    /// Where it deploys.
    pub destination: Destination,
    /// Its one source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Its sources (multi-source Applications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Source>>,
    /// How it syncs.
    pub sync_policy: SyncPolicy,
}

impl CustomResource for Application {
    const API_VERSION: &'static str = "argoproj.io/v1alpha1";
    const KIND: &'static str = "Application";
}

/// The cluster and namespace an Application deploys to.
#[derive(Debug, Clone, Serialize)]
pub struct Destination {
    /// API server URL.
    pub server: String,
    /// Namespace of namespaced resources without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A source: a chart of a Helm repository, a directory of a Git
/// repository, or a `ref` other sources read values files from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Repository URL.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Chart version, or Git revision.
    pub target_revision: String,
    /// Chart name (Helm repositories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Directory (Git repositories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The name other sources use for this one (`$values`).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'static str>,
    /// Helm settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<Helm>,
    /// Directory settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<Directory>,
    /// Kustomize settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<Kustomize>,
}

/// Kustomize settings.
#[derive(Debug, Clone, Serialize)]
pub struct Kustomize {
    /// Image overrides, `name=newName:tag`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Patches applied to the build.
    pub patches: Vec<KustomizePatch>,
}

/// A patch of a kustomize build.
#[derive(Debug, Clone, Serialize)]
pub struct KustomizePatch {
    /// What it applies to.
    pub target: PatchTarget,
    /// The patch, as YAML text.
    pub patch: String,
}

/// The objects a patch applies to.
#[derive(Debug, Clone, Serialize)]
pub struct PatchTarget {
    /// Their kind.
    pub kind: &'static str,
    /// Their name (all of the kind when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
}

/// Helm settings of a chart source.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Helm {
    /// Release name.
    pub release_name: String,
    /// Values files, in order (`$values/…` for the GitOps repository's).
    pub value_files: Vec<String>,
}

/// Directory settings of a Git source.
#[derive(Debug, Clone, Serialize)]
pub struct Directory {
    /// Files applied (a glob).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Files left out (a glob).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
}

/// How an Application syncs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Automatic sync.
    pub automated: Automated,
    /// Sync options (`ServerSideApply=true`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
}

/// Automatic sync settings.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    /// Delete what is no longer in Git.
    pub prune: bool,
    /// Undo changes made in the cluster.
    pub self_heal: bool,
}

/// An `ApplicationSet` (`argoproj.io/v1alpha1`): Applications generated
/// from the directories of a Git repository.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSet {
    /// Templates are Go templates (`{{ .path.path }}`).
    pub go_template: bool,
    /// Go template options (`missingkey=error`).
    pub go_template_options: Vec<&'static str>,
    /// Where the parameters come from.
    pub generators: Vec<Generator>,
    /// The Application made for each parameter set.
    pub template: ApplicationTemplate,
}

impl CustomResource for ApplicationSet {
    const API_VERSION: &'static str = "argoproj.io/v1alpha1";
    const KIND: &'static str = "ApplicationSet";
}

/// One generator of an ApplicationSet.
#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    /// The Git directory generator.
    pub git: GitGenerator,
}

/// Parameters from the directories of a Git repository matching a pattern.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GitGenerator {
    /// Repository URL.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Git revision.
    pub revision: String,
    /// Directory patterns.
    pub directories: Vec<GitDirectory>,
}

/// A directory pattern of a Git generator.
#[derive(Debug, Clone, Serialize)]
pub struct GitDirectory {
    /// Glob of directories (`gitops/*/apps`).
    pub path: String,
}

/// The Application template of an ApplicationSet.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationTemplate {
    /// Its metadata (templated).
    pub metadata: TemplateMeta,
    /// Its spec (templated).
    pub spec: Application,
}

/// Metadata of an ApplicationSet's template.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateMeta {
    /// Name (templated).
    pub name: String,
    /// Finalizers.
    pub finalizers: Vec<String>,
}
