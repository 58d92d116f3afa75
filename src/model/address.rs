//! An address a component serves: the Service (its name and namespace) and
//! port other components connect to.

use crate::names::service_host;

/// A Service port a component's release or custom resource creates, under
/// a role other components ask for (`elasticsearch` serves `http`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// What it is for (`http`, `bootstrap`, `bolt`, `query`).
    pub role: &'static str,
    /// Name of the Service.
    pub service: String,
    /// Namespace of the Service.
    pub namespace: String,
    /// Port of the Service.
    pub port: u16,
}

impl Address {
    /// `role` at Service `service` in `namespace`, port `port`.
    pub fn new(role: &'static str, service: impl Into<String>, namespace: &str, port: u16) -> Self {
        Address {
            role,
            service: service.into(),
            namespace: namespace.to_string(),
            port,
        }
    }

    /// The Service's cluster-local host name.
    pub fn host(&self) -> String {
        service_host(&self.service, &self.namespace)
    }

    /// `host:port`.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host(), self.port)
    }
}
