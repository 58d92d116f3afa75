//! The build stage: every enabled component's documents, its smoke check
//! and its Argo CD Application, then the env's root Application.

pub mod argocd;
pub mod smoke;

use crate::graph::Graph;
use crate::model::{Document, Shared, View};
use crate::resolve::Resolved;
use crate::yaml::Emitted;

/// Every document of an env, in order: per enabled component its files,
/// its smoke check and its Application; the root Application last.
pub fn build(r: &Resolved, graph: &Graph, components: &[Shared]) -> Vec<Document> {
    let c = &r.config;
    let mut out = Vec::new();
    for component in components.iter().filter(|x| x.enabled(c)) {
        let mut docs = component.build(c);
        if c.smoke_on(component.name()) {
            if let Some(check) = component.smoke_check(c) {
                docs.push(smoke::document(c, component.name(), &check));
            }
        }
        let app = argocd::component_app(r, graph, component.as_ref(), &docs);
        out.extend(docs);
        out.push(app_file(
            format!("apps/{}.yaml", component.name()),
            "application",
            Emitted::of(&app),
        ));
    }
    out.push(app_file(
        "apps/root.yaml".into(),
        "root",
        Emitted::of(&argocd::root_app(r)),
    ));
    out
}

/// An Argo CD Application file; the template sees it as `app`.
fn app_file(path: String, template: &'static str, app: Emitted) -> Document {
    Document {
        path,
        template,
        data: serde_json::json!({}),
        view: View::One("app"),
        expect: vec![app],
    }
}
