//! A Kubernetes Secret a component reads.

use crate::config::SecretRef;

/// A key of a Kubernetes Secret a component reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretUse {
    /// Namespace of the Secret (the reader's).
    pub namespace: String,
    /// The Secret and key.
    pub reference: SecretRef,
    /// Kubernetes Secret type, when it must be a particular one.
    pub secret_type: Option<&'static str>,
}

impl SecretUse {
    /// An opaque Secret key read in `namespace`.
    pub fn new(namespace: &str, reference: &SecretRef) -> SecretUse {
        SecretUse {
            namespace: namespace.to_string(),
            reference: reference.clone(),
            secret_type: None,
        }
    }
}
