//! What the Bitnami charts (Elasticsearch, Kafka) share: `global`, image
//! references under the configured registry, `persistence`, and the
//! resource presets they default to.

use serde::Serialize;

use crate::config::{PlatformConfig, Quantity, Resources};
use crate::model::{resources, Chart, Workload};

/// `global` of a Bitnami chart: storage class, and the image-verification
/// switch when images come from elsewhere than Docker Hub's `bitnamilegacy`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BitnamiGlobal {
    default_storage_class: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    security: Option<BitnamiSecurity>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BitnamiSecurity {
    allow_insecure_images: bool,
}

impl BitnamiGlobal {
    /// From the platform's storage class and image settings.
    pub(super) fn new(c: &PlatformConfig) -> Self {
        // The charts' image check (common.errors.insecureImages) lets
        // through their own images and Docker Hub's `bitnamilegacy` copies;
        // any other registry or namespace (a mirror too) needs the switch.
        let registry = c.images.registry_for(&c.images.bitnami_registry);
        let own = registry == "docker.io"
            && matches!(
                c.images.bitnami_namespace.as_str(),
                "bitnamilegacy" | "bitnami"
            );
        BitnamiGlobal {
            default_storage_class: c.storage_class.clone(),
            security: (!own).then_some(BitnamiSecurity {
                allow_insecure_images: true,
            }),
        }
    }
}

/// A Bitnami image reference (`registry` + `repository`; the chart keeps its tag).
#[derive(Debug, Serialize)]
pub(super) struct BitnamiImage {
    registry: String,
    repository: String,
}

impl BitnamiImage {
    /// `<registry>/<bitnamiNamespace>/<name>`, the registry through the
    /// mirror when there is one.
    pub(super) fn new(c: &PlatformConfig, name: &str) -> Self {
        BitnamiImage {
            registry: c.images.registry_for(&c.images.bitnami_registry),
            repository: format!("{}/{name}", c.images.bitnami_namespace),
        }
    }
}

/// `volumePermissions.image` of a Bitnami chart (an `os-shell` init container).
#[derive(Debug, Serialize)]
pub(super) struct VolumePermissions {
    image: BitnamiImage,
}

impl VolumePermissions {
    /// Points the init container's image at the configured registry.
    pub(super) fn new(c: &PlatformConfig) -> Self {
        VolumePermissions {
            image: BitnamiImage::new(c, "os-shell"),
        }
    }
}

/// `persistence` of a Bitnami chart.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Persistence {
    enabled: bool,
    storage_class: String,
    size: Quantity,
}

impl Persistence {
    /// An enabled volume of `size` in `class`.
    pub(super) fn new(class: &str, size: &Quantity) -> Self {
        Persistence {
            enabled: true,
            storage_class: class.to_string(),
            size: size.clone(),
        }
    }
}

/// The requests and limits of a Bitnami `resourcesPreset`
/// (bitnami/common 2.31 `templates/_resources.tpl`).
pub(super) fn preset(name: &str) -> Resources {
    let (req, lim) = match name {
        "nano" => (("100m", "128Mi"), ("150m", "192Mi")),
        "micro" => (("250m", "256Mi"), ("375m", "384Mi")),
        "small" => (("500m", "512Mi"), ("750m", "768Mi")),
        "medium" => (("500m", "1024Mi"), ("750m", "1536Mi")),
        "large" => (("1", "2048Mi"), ("1.5", "3072Mi")),
        "xlarge" => (("1", "3072Mi"), ("3", "6144Mi")),
        _ => (("1", "3072Mi"), ("6", "12288Mi")),
    };
    resources((Some(req.0), Some(req.1)), (Some(lim.0), Some(lim.1)))
}

/// A Bitnami node group's pods: the configured resources, or the chart's
/// preset (named with its source) when none are configured.
pub(super) fn pods(
    component: &'static str,
    namespace: &str,
    group: &str,
    replicas: u32,
    resources: Option<&Resources>,
    chart: &Chart,
    preset: &str,
) -> Workload {
    let w = Workload::pods(component, namespace, group, replicas);
    match resources {
        Some(r) => w.container(r),
        None => w.default_container(
            &self::preset(preset),
            format!(
                "{group}: resources from preset `{preset}` ({} {} values.yaml `{group}.resourcesPreset`)",
                chart.name, chart.version
            ),
        ),
    }
}
