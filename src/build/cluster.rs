//! What an env asks of the cluster's Argo CD, as a file to apply once:
//! `cluster/argocd-cm.yaml`, the `argocd-cm` health checks for the kinds
//! Argo CD must wait for. Argo CD does not apply it (no Application points
//! at `cluster/`); an administrator patches it in.

use std::collections::BTreeMap;

use crate::k8s::{meta, ConfigMap, ObjectMeta};
use crate::model::{Document, HealthCheck, View};
use crate::resolve::Resolved;
use crate::yaml::Emitted;

/// The file's path in an env's tree.
pub(crate) const ARGOCD_CM: &str = "cluster/argocd-cm.yaml";

/// Sync waves on child Applications order them only when Argo CD knows an
/// Application's health, which it does not by default since Argo CD 1.8.
pub(crate) const APPLICATION_HEALTH: HealthCheck = HealthCheck {
    key: "argoproj.io_Application",
    lua: r#"hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"#,
};

/// Every health check the env's enabled components need, with the
/// Applications' own.
pub(crate) fn health_checks(r: &Resolved) -> Vec<HealthCheck> {
    let mut checks: Vec<HealthCheck> = std::iter::once(APPLICATION_HEALTH)
        .chain(r.enabled().flat_map(|(c, _)| c.health().iter().copied()))
        .collect();
    checks.sort();
    checks.dedup();
    checks
}

/// The `argocd-cm` entries of the env, as a ConfigMap to merge into the
/// live one.
pub(crate) fn argocd_cm(r: &Resolved) -> Document {
    let data: BTreeMap<String, String> = health_checks(r)
        .into_iter()
        .map(|h| {
            (
                format!("resource.customizations.health.{}", h.key),
                h.lua.to_string(),
            )
        })
        .collect();
    let labels = BTreeMap::from([
        (
            "app.kubernetes.io/name".to_string(),
            "argocd-cm".to_string(),
        ),
        (
            "app.kubernetes.io/part-of".to_string(),
            "argocd".to_string(),
        ),
    ]);
    let cm = ConfigMap {
        metadata: ObjectMeta {
            labels: Some(labels),
            ..meta("argocd-cm", Some(&r.platform.argocd.namespace))
        },
        data: Some(data),
        ..ConfigMap::default()
    };
    Document {
        json: None,
        path: ARGOCD_CM.into(),
        template: "argocd-cm",
        data: serde_json::json!({
            "namespace": r.platform.argocd.namespace,
            "file": format!("{}/{ARGOCD_CM}", super::argocd::env_dir(&r.platform, &r.env)),
        }),
        view: View::One("configmap"),
        expect: vec![Emitted::of(&cm)],
    }
}
