//! Kubernetes vocabulary: the API versions of the custom resources gen
//! emits.

/// `apiVersion` of KubeRay's RayCluster and RayJob (`v1alpha1` is deprecated).
pub const RAY_API_VERSION: &str = "ray.io/v1";
