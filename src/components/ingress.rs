//! Plain `networking.k8s.io/v1` Ingresses for components whose chart has
//! no ingress setting, and host names under the env's domain.

use crate::config::{PlatformConfig, PublicEndpoint};
use crate::k8s::{
    meta, HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use crate::model::{Address, Document, Prerequisite, View};
use crate::yaml::Emitted;

/// The host of an endpoint (`<subdomain>.<domain>`), when the env exposes
/// endpoints (`ingress:` is set) and this one is enabled.
pub(crate) fn public_host(c: &PlatformConfig, endpoint: &Option<PublicEndpoint>) -> Option<String> {
    let e = endpoint.as_ref().filter(|e| e.enabled)?;
    c.ingress.as_ref()?;
    Some(format!("{}.{}", e.subdomain, c.domain))
}

/// What an endpoint at `host` in `namespace` needs on the cluster: the
/// ingress class's controller, the TLS Secret in that namespace, and the
/// host's DNS record. Nothing when the env exposes no endpoints.
pub(crate) fn prerequisites(
    c: &PlatformConfig,
    namespace: &str,
    host: Option<String>,
) -> Vec<Prerequisite> {
    let (Some(cfg), Some(host)) = (c.ingress.as_ref(), host) else {
        return Vec::new();
    };
    vec![
        Prerequisite::new(
            "IngressClass",
            &cfg.class_name,
            "with its controller running: every public endpoint goes through it (`ingress.className`)",
        ),
        Prerequisite::new(
            "Secret",
            format!("{namespace}/{}", cfg.tls_secret),
            "type kubernetes.io/tls, its certificate valid for the hosts of the endpoints in this namespace (`ingress.tlsSecret`)",
        ),
        Prerequisite::new(
            "DNS",
            host,
            format!("resolving to the `{}` ingress controller", cfg.class_name),
        ),
    ]
}

/// The file `path` holding an Ingress `name` in `namespace` that routes
/// every path of `host` to `to`, with the env's TLS Secret; `None` when the
/// env exposes no endpoints.
pub(crate) fn document(
    c: &PlatformConfig,
    path: &str,
    name: &str,
    namespace: &str,
    host: &str,
    to: &Address,
) -> Option<Document> {
    let cfg = c.ingress.as_ref()?;
    let ingress = Ingress {
        metadata: meta(name, Some(namespace)),
        spec: Some(IngressSpec {
            ingress_class_name: Some(cfg.class_name.clone()),
            tls: Some(vec![IngressTLS {
                hosts: Some(vec![host.to_string()]),
                secret_name: Some(cfg.tls_secret.clone()),
            }]),
            rules: Some(vec![IngressRule {
                host: Some(host.to_string()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: to.service.clone(),
                                port: Some(ServiceBackendPort {
                                    number: Some(i32::from(to.port)),
                                    name: None,
                                }),
                            }),
                            resource: None,
                        },
                    }],
                }),
            }]),
            default_backend: None,
        }),
        status: None,
    };
    Some(Document {
        json: None,
        path: path.to_string(),
        template: "ingress",
        data: serde_json::json!({ "host": host, "service": to.service, "port": to.port }),
        view: View::One("ingress"),
        expect: vec![Emitted::of(&ingress)],
    })
}
