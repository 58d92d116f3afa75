//! Plain `networking.k8s.io/v1` Ingresses for components whose chart has
//! no ingress setting, and host names under the env's domain.

use serde::Serialize;

use crate::config::{PlatformConfig, PublicEndpoint};

/// The host of an endpoint (`<subdomain>.<domain>`), when the env exposes
/// endpoints (`ingress:` is set) and this one is enabled.
pub fn public_host(c: &PlatformConfig, endpoint: &Option<PublicEndpoint>) -> Option<String> {
    let e = endpoint.as_ref().filter(|e| e.enabled)?;
    c.ingress.as_ref()?;
    Some(format!("{}.{}", e.subdomain, c.domain))
}

/// An Ingress routing every path of `host` to one Service port, with TLS.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingress {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Debug, Serialize)]
struct Metadata {
    name: String,
    namespace: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    ingress_class_name: String,
    tls: Vec<Tls>,
    rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Tls {
    hosts: Vec<String>,
    secret_name: String,
}

#[derive(Debug, Serialize)]
struct Rule {
    host: String,
    http: Http,
}

#[derive(Debug, Serialize)]
struct Http {
    paths: Vec<Path>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Path {
    path: &'static str,
    path_type: &'static str,
    backend: Backend,
}

#[derive(Debug, Serialize)]
struct Backend {
    service: Service,
}

#[derive(Debug, Serialize)]
struct Service {
    name: String,
    port: Port,
}

#[derive(Debug, Serialize)]
struct Port {
    number: u16,
}

/// Builds the Ingress of `host` to `service:port`; `None` when the env
/// exposes no endpoints.
pub fn ingress(
    c: &PlatformConfig,
    name: &str,
    namespace: &str,
    host: &str,
    service: &str,
    port: u16,
) -> Option<Ingress> {
    let cfg = c.ingress.as_ref()?;
    Some(Ingress {
        api_version: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: Metadata {
            name: name.to_string(),
            namespace: namespace.to_string(),
        },
        spec: Spec {
            ingress_class_name: cfg.class_name.clone(),
            tls: vec![Tls {
                hosts: vec![host.to_string()],
                secret_name: cfg.tls_secret.clone(),
            }],
            rules: vec![Rule {
                host: host.to_string(),
                http: Http {
                    paths: vec![Path {
                        path: "/",
                        path_type: "Prefix",
                        backend: Backend {
                            service: Service {
                                name: service.to_string(),
                                port: Port { number: port },
                            },
                        },
                    }],
                },
            }],
        },
    })
}

/// A manifest document holding one Ingress.
pub fn document(path: String, ingress: &Ingress) -> crate::model::Document {
    let backend = ingress.spec.rules.first().and_then(|r| {
        let b = &r.http.paths.first()?.backend.service;
        Some((&r.host, &b.name, b.port.number))
    });
    crate::model::Document {
        path,
        template: "ingress",
        data: match backend {
            Some((host, service, port)) => {
                serde_json::json!({ "host": host, "service": service, "port": port })
            }
            None => serde_json::json!({}),
        },
        view: crate::model::View::One("ingress"),
        expect: vec![crate::yaml::Emitted::of(ingress)],
    }
}
