//! Kubernetes vocabulary, written once: the core kinds and embedded core
//! types gen emits are `k8s-openapi`'s (Kubernetes 1.33), re-exported
//! here; the custom resources (DorisCluster, RayCluster, RayJob,
//! ExternalSecret, Application) are typed specs in one
//! `{apiVersion, kind, metadata, spec}` wrapper, [`Resource`]. Every field
//! a spec can emit is validated against the pinned CRD in the tests.

mod argocd;
mod doris;
mod external_secrets;
mod ray;

use std::collections::BTreeMap;

use serde::Serialize;

pub use argocd::{
    Application, ApplicationSet, ApplicationTemplate, Automated, Destination, Directory, Generator,
    GitDirectory, GitGenerator, Helm, Kustomize, KustomizePatch, PatchTarget, Source, SyncPolicy,
    TemplateMeta,
};
pub use doris::{DorisCluster, DorisNodeSpec, DorisPersistentVolume};
pub use external_secrets::{
    ExternalSecret, ExternalSecretData, RemoteRef, SecretStoreRef, Target, TargetTemplate,
};
pub use k8s_openapi::api::batch::v1::{Job, JobSpec};
pub use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, Container, ContainerPort, EnvVar, EnvVarSource, Namespace,
    PersistentVolumeClaimSpec, PodSpec, PodTemplateSpec, ResourceRequirements, SecretKeySelector,
    SecurityContext, VolumeResourceRequirements,
};
pub use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
pub use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
pub use ray::{
    AutoscalerOptions, ClusterUpgradeOptions, HeadGroupSpec, RayCluster, RayJob, RayService,
    UpgradeStrategy, WorkerGroupSpec,
};

/// `apiVersion` of KubeRay's RayCluster and RayJob (`v1alpha1` is deprecated).
pub const RAY_API_VERSION: &str = "ray.io/v1";

/// A custom resource's spec, and the kind it is the spec of.
pub trait CustomResource: Serialize {
    /// `apiVersion` (`ray.io/v1`).
    const API_VERSION: &'static str;
    /// `kind` (`RayCluster`).
    const KIND: &'static str;
}

/// A custom resource: `{apiVersion, kind, metadata, spec}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<S: CustomResource> {
    api_version: &'static str,
    kind: &'static str,
    /// Its metadata.
    pub metadata: ObjectMeta,
    /// Its spec.
    pub spec: S,
}

impl<S: CustomResource> Resource<S> {
    /// The resource of `spec`, named by `metadata`.
    pub fn new(metadata: ObjectMeta, spec: S) -> Self {
        Resource {
            api_version: S::API_VERSION,
            kind: S::KIND,
            metadata,
            spec,
        }
    }
}

/// Metadata naming an object in `namespace` (cluster-scoped: `None`).
pub fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        ..ObjectMeta::default()
    }
}

/// A map of `&str` pairs, as Kubernetes' string maps take them.
pub fn string_map<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The environment variable `name` set to `value`.
pub fn env_value(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.to_string(),
        value: Some(value.to_string()),
        value_from: None,
    }
}

/// The environment variable `name` read from the key `key` of Secret `secret`.
pub fn env_secret(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.to_string(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_string(),
                key: key.to_string(),
                optional: None,
            }),
            ..EnvVarSource::default()
        }),
    }
}
