//! The build stage: every enabled component's documents, its smoke check
//! and its Argo CD Application (none for a component that renders
//! nothing), then the env's `argocd-cm` entries and its root Application.

pub(crate) mod argocd;
pub(crate) mod cluster;
pub(crate) mod smoke;
pub(crate) mod values;

use crate::error::Result;
use crate::graph::Graph;
use crate::model::{Delivery, Document, View};
use crate::resolve::Resolved;
use crate::yaml::Emitted;

/// Every document of an env, in order: per enabled component its files,
/// its smoke check and its Application; the `argocd-cm` entries, and the
/// root Application last.
pub(crate) fn build(r: &Resolved, graph: &Graph) -> Result<Vec<Document>> {
    let mut out = Vec::new();
    for (c, slot) in r.enabled() {
        let mut docs = c.build(r, slot).map_err(|f| r.located(vec![f]))?;
        if docs.is_empty() && matches!(c.delivery(r, slot), Delivery::Manifests) {
            // No manifests to apply (every namespace external, say): no
            // Application. A Helm or kustomize source applies without files.
            continue;
        }
        if r.platform.smoke_on(c.name()) {
            if let Some(check) = c.smoke(r, slot) {
                docs.push(smoke::document(&r.platform, c.name(), &check));
            }
        }
        let app = argocd::component_app(r, graph, c, slot, &docs);
        out.extend(docs);
        out.push(app_file(
            format!("apps/{}.yaml", c.name()),
            "application",
            Emitted::of(&app),
        ));
    }
    out.push(cluster::argocd_cm(r));
    out.push(app_file(
        "apps/root.yaml".into(),
        "root",
        Emitted::of(&argocd::root_app(r)),
    ));
    Ok(out)
}

/// An Argo CD Application file; the template sees it as `app`.
fn app_file(path: String, template: &'static str, app: Emitted) -> Document {
    Document {
        path,
        template,
        data: serde_json::json!({}),
        view: View::One("app"),
        expect: vec![app],
        json: None,
    }
}
