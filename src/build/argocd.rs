//! Argo CD Applications: one per enabled component (Helm charts as
//! multi-source Applications with a `$values` ref to the GitOps repo) and a
//! root app-of-apps per env. Sync waves come from the dependency graph.

use std::collections::BTreeMap;

use crate::config::PlatformConfig;
use crate::graph::Graph;
use crate::model::{Delivery, Document, KustomizeSource};
use crate::resolve::erased::Erased;
use crate::resolve::Resolved;
use crate::resolve::Slot;

use crate::k8s::{
    meta, Application, ApplicationSet, ApplicationTemplate, Automated, Destination, Directory,
    Generator, GitDirectory, GitGenerator, Helm, Kustomize, KustomizePatch, ObjectMeta,
    PatchTarget, Resource, Source, SyncPolicy, TemplateMeta,
};
/// Annotation carrying the sync wave.
pub(crate) const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";

/// Removes the upstream Namespace object from a kustomize build: the
/// `namespaces` component owns every Namespace (with the labels all its
/// users need), so two Applications never fight over one.
const DELETE_NAMESPACE: &str =
    "$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubeflow";

fn automated() -> SyncPolicy {
    SyncPolicy {
        automated: Automated {
            prune: true,
            self_heal: true,
        },
        sync_options: Vec::new(),
    }
}

/// Path of an env's directory inside the GitOps repository.
pub(crate) fn env_dir(c: &PlatformConfig, env: &str) -> String {
    let base = c.argocd.path.trim_matches('/');
    if base.is_empty() {
        env.to_string()
    } else {
        format!("{base}/{env}")
    }
}

/// Name of the Application for a component in an env.
pub(crate) fn app_name(env: &str, component: &str) -> String {
    format!("{env}-{component}")
}

/// The Application of one component. `files` are the documents the
/// component emits (its values file or manifests).
pub(crate) fn component_app(
    r: &Resolved,
    graph: &Graph,
    component: &dyn Erased,
    slot: &Slot,
    files: &[Document],
) -> Resource<Application> {
    let c = &r.platform;
    let dir = env_dir(c, &r.env);
    let delivery = component.delivery(r, slot);
    let (source, sources) = match &delivery {
        Delivery::Helm(_) if r.hydrated.iter().any(|h| h == component.name()) => {
            // The chart's objects as Helm rendered them, reviewed in Git.
            let rendered = Source {
                repo_url: c.argocd.repo_url.clone(),
                target_revision: c.argocd.target_revision.clone(),
                chart: None,
                path: Some(format!("{dir}/rendered/{}", component.name())),
                reference: None,
                helm: None,
                directory: None,
                kustomize: None,
            };
            if files.iter().any(|d| d.path.starts_with("manifests/")) {
                (None, Some(vec![rendered, manifests_source(c, &dir, files)]))
            } else {
                (Some(rendered), None)
            }
        }
        Delivery::Helm(chart) => {
            let base = component
                .base_value_files(r, slot)
                .into_iter()
                .map(|f| format!("$values/{}", f.trim_start_matches('/')));
            let values: Vec<String> = base
                .chain(
                    files
                        .iter()
                        .filter(|d| d.path.starts_with("values/"))
                        .map(|d| format!("$values/{dir}/{}", d.path)),
                )
                .collect();
            let chart_source = Source {
                repo_url: chart.repo_url.to_string(),
                target_revision: chart.version.to_string(),
                chart: Some(chart.name.to_string()),
                path: None,
                reference: None,
                helm: Some(Helm {
                    release_name: slot
                        .common
                        .release
                        .clone()
                        .unwrap_or_else(|| component.name().to_string()),
                    value_files: values,
                }),
                directory: None,
                kustomize: None,
            };
            let values_source = Source {
                repo_url: c.argocd.repo_url.clone(),
                target_revision: c.argocd.target_revision.clone(),
                chart: None,
                path: None,
                reference: Some("values"),
                helm: None,
                directory: None,
                kustomize: None,
            };
            let mut sources = vec![chart_source, values_source];
            if files.iter().any(|d| d.path.starts_with("manifests/")) {
                // Hooks and extra manifests of a Helm component.
                sources.push(manifests_source(c, &dir, files));
            }
            (None, Some(sources))
        }
        Delivery::Manifests => (Some(manifests_source(c, &dir, files)), None),
        Delivery::Kustomize(k) => {
            let mut sources: Vec<Source> = k
                .paths
                .iter()
                .map(|path| Source {
                    repo_url: k.repo_url.to_string(),
                    target_revision: k.revision.to_string(),
                    chart: None,
                    path: Some(path.to_string()),
                    reference: None,
                    helm: None,
                    directory: None,
                    kustomize: Some(Kustomize {
                        images: mirror_images(c, k),
                        patches: std::iter::once(KustomizePatch {
                            target: PatchTarget {
                                kind: "Namespace",
                                name: None,
                            },
                            patch: DELETE_NAMESPACE.to_string(),
                        })
                        .chain(mirror_patches(c, k))
                        .collect(),
                    }),
                })
                .collect();
            if files.iter().any(|d| d.path.starts_with("manifests/")) {
                sources.push(manifests_source(c, &dir, files));
            }
            (None, Some(sources))
        }
        Delivery::Git(g) => (
            Some(Source {
                repo_url: g.repo_url.clone(),
                target_revision: g.revision.clone(),
                chart: None,
                path: Some(g.path.clone()),
                reference: None,
                helm: None,
                directory: None,
                kustomize: None,
            }),
            None,
        ),
    };
    let wave = graph.waves.get(component.name()).copied().unwrap_or(0);
    let namespace = match delivery {
        Delivery::Helm(_) | Delivery::Kustomize(_) | Delivery::Git(_) => {
            Some(slot.namespace().to_string())
        }
        Delivery::Manifests => None,
    };
    let metadata = app_metadata(
        c,
        &app_name(&r.env, component.name()),
        BTreeMap::from([(SYNC_WAVE.to_string(), wave.to_string())]),
    );
    Resource::new(
        metadata,
        Application {
            project: c.argocd.project.clone(),
            destination: Destination {
                server: c.argocd.destination_server.clone(),
                namespace,
            },
            source,
            sources,
            sync_policy: SyncPolicy {
                sync_options: component.sync_options().to_vec(),
                ..automated()
            },
        },
    )
}

/// An Application's metadata: in Argo CD's namespace, with the finalizer
/// that deletes its resources with it.
fn app_metadata(
    c: &PlatformConfig,
    name: &str,
    annotations: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        annotations: (!annotations.is_empty()).then_some(annotations),
        finalizers: Some(vec!["resources-finalizer.argocd.argoproj.io".into()]),
        ..meta(name, Some(&c.argocd.namespace))
    }
}

/// With a mirror, every image of the kustomize source pointed at it
/// (`name=mirror/…/name:tag`); none without one.
fn mirror_images(c: &PlatformConfig, k: &KustomizeSource) -> Vec<String> {
    if c.images.mirror.is_none() {
        return Vec::new();
    }
    k.images
        .iter()
        .map(|image| {
            let slash = image.rfind('/').map_or(0, |i| i + 1);
            let name = image[slash..]
                .find(':')
                .map_or(*image, |i| &image[..slash + i]);
            format!("{name}={}", c.images.pull(image))
        })
        .collect()
}

/// With a mirror, the patches that move the images set outside container
/// `image` fields.
fn mirror_patches(c: &PlatformConfig, k: &KustomizeSource) -> Vec<KustomizePatch> {
    if c.images.mirror.is_none() {
        return Vec::new();
    }
    (k.mirror_patches)(&c.images)
        .into_iter()
        .map(|p| KustomizePatch {
            target: PatchTarget {
                kind: p.kind,
                name: Some(p.name),
            },
            patch: p.patch,
        })
        .collect()
}

/// The env's `manifests/` directory, limited to the component's files.
fn manifests_source(c: &PlatformConfig, dir: &str, files: &[Document]) -> Source {
    let names: Vec<&str> = files
        .iter()
        .filter_map(|d| d.path.strip_prefix("manifests/"))
        .collect();
    let include = if names.len() == 1 {
        names[0].to_string()
    } else {
        format!("{{{}}}", names.join(","))
    };
    Source {
        repo_url: c.argocd.repo_url.clone(),
        target_revision: c.argocd.target_revision.clone(),
        chart: None,
        path: Some(format!("{dir}/manifests")),
        reference: None,
        helm: None,
        directory: Some(Directory {
            include: Some(include),
            exclude: None,
        }),
        kustomize: None,
    }
}

/// Argo CD's own cluster: where Application objects must be, whatever
/// cluster their resources go to.
pub(crate) const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// The env's root app-of-apps: every file in `apps/` but itself, applied
/// in Argo CD's own cluster.
pub(crate) fn root_app(r: &Resolved) -> Resource<Application> {
    let c = &r.platform;
    Resource::new(
        app_metadata(c, &app_name(&r.env, "root"), BTreeMap::new()),
        root_spec(c, format!("{}/apps", env_dir(c, &r.env))),
    )
}

/// A root Application's spec, applying the Applications in `apps`.
fn root_spec(c: &PlatformConfig, apps: String) -> Application {
    Application {
        project: c.argocd.project.clone(),
        destination: Destination {
            server: IN_CLUSTER.into(),
            namespace: Some(c.argocd.namespace.clone()),
        },
        source: Some(Source {
            repo_url: c.argocd.repo_url.clone(),
            target_revision: c.argocd.target_revision.clone(),
            chart: None,
            path: Some(apps),
            reference: None,
            helm: None,
            directory: Some(Directory {
                include: None,
                exclude: Some("root.yaml".into()),
            }),
            kustomize: None,
        }),
        sources: None,
        sync_policy: automated(),
    }
}

/// The fleet's bootstrap: per GitOps directory the envs share, one
/// ApplicationSet whose Git generator finds every env's `apps/` there and
/// makes its root Application (the same as the env's `apps/root.yaml`), so
/// one `kubectl apply` starts every env, and envs rendered later start by
/// themselves. Envs whose roots would differ in anything but their
/// directory are grouped apart.
pub(crate) fn bootstrap(platform: &str, envs: &[&Resolved]) -> Vec<Resource<ApplicationSet>> {
    let mut groups: BTreeMap<(String, String, String, String, String), Vec<&str>> = BTreeMap::new();
    for r in envs {
        let a = &r.platform.argocd;
        groups
            .entry((
                a.repo_url.clone(),
                a.target_revision.clone(),
                a.path.trim_matches('/').to_string(),
                a.namespace.clone(),
                a.project.clone(),
            ))
            .or_default()
            .push(&r.env);
    }
    let single = groups.len() == 1;
    groups
        .into_values()
        .map(|names| {
            let r = envs
                .iter()
                .find(|r| r.env == names[0])
                .expect("an env of the group");
            let c = &r.platform;
            let base = c.argocd.path.trim_matches('/');
            let depth = if base.is_empty() {
                0
            } else {
                base.split('/').count()
            };
            let pattern = if base.is_empty() {
                "*/apps".to_string()
            } else {
                format!("{base}/*/apps")
            };
            let name = if single {
                format!("{platform}-envs")
            } else {
                format!("{platform}-envs-{}", names[0])
            };
            Resource::new(
                meta(&name, Some(&c.argocd.namespace)),
                ApplicationSet {
                    go_template: true,
                    go_template_options: vec!["missingkey=error"],
                    generators: vec![Generator {
                        git: GitGenerator {
                            repo_url: c.argocd.repo_url.clone(),
                            revision: c.argocd.target_revision.clone(),
                            directories: vec![GitDirectory { path: pattern }],
                        },
                    }],
                    template: ApplicationTemplate {
                        metadata: TemplateMeta {
                            name: format!("{{{{ index .path.segments {depth} }}}}-root"),
                            finalizers: vec!["resources-finalizer.argocd.argoproj.io".into()],
                        },
                        spec: root_spec(c, "{{ .path.path }}".into()),
                    },
                },
            )
        })
        .collect()
}
