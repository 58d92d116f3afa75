//! Container image references (`repository:tag`), always with a tag.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An image reference `[registry/]repository:tag[@digest]`. A tag is
/// required and may not be `latest`: a render must say what runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry and repository (`apache/doris`).
    pub repository: String,
    /// Tag (`fe-3.0.8`).
    pub tag: String,
    /// Optional `sha256:…` digest.
    pub digest: Option<String>,
}

impl FromStr for ImageRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (s, None),
        };
        // A `:` after the last `/` separates the tag (a registry may have a port).
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let Some(colon) = name[slash..].rfind(':').map(|i| i + slash) else {
            return Err(format!(
                "image `{s}` has no tag; write `{name}:<version>` so the render says what runs"
            ));
        };
        let (repository, tag) = (&name[..colon], &name[colon + 1..]);
        let valid_repo = !repository.is_empty()
            && repository
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/:".contains(&b));
        if !valid_repo {
            return Err(format!("`{s}` is not a valid image reference"));
        }
        let valid_tag = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !valid_tag {
            return Err(format!("`{tag}` is not a valid image tag"));
        }
        if tag == "latest" {
            return Err(format!(
                "image `{s}` uses the tag `latest`, which changes under a running platform; pin a version"
            ));
        }
        Ok(ImageRef {
            repository: repository.to_string(),
            tag: tag.to_string(),
            digest,
        })
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.repository, self.tag)?;
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl Serialize for ImageRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for ImageRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImageRef".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A container image with a tag other than `latest`, e.g. `apache/doris:fe-3.0.8`.",
            "type": "string",
            "pattern": "^[a-z0-9._/:-]+:[A-Za-z0-9._-]+(@sha256:[a-f0-9]{64})?$"
        })
    }
}

/// The registry of an image reference and its path there, as a container
/// runtime reads it: a first component with a `.` or `:` (or `localhost`)
/// is a registry, else the image is Docker Hub's, where a one-part name is
/// an official image under `library/`.
pub fn split_registry(reference: &str) -> (&str, String) {
    match reference.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest.to_string())
        }
        Some(_) => ("docker.io", reference.to_string()),
        None => ("docker.io", format!("library/{reference}")),
    }
}

impl super::ImagesConfig {
    /// Where images of the `source` registry are pulled from: the mirror's
    /// place for them, or `source` itself without a mirror.
    pub fn registry_for(&self, source: &str) -> String {
        match &self.mirror {
            None => source.to_string(),
            Some(m) => {
                let base = m.registry.trim_end_matches('/');
                match m.paths.get(source).map(String::as_str) {
                    Some("") => base.to_string(),
                    Some(path) => format!("{base}/{}", path.trim_matches('/')),
                    None => format!("{base}/{source}"),
                }
            }
        }
    }

    /// `reference` (`[registry/]path:tag`) as pulled through the mirror;
    /// unchanged without one.
    pub fn pull(&self, reference: &str) -> String {
        if self.mirror.is_none() {
            return reference.to_string();
        }
        let (source, path) = split_registry(reference);
        format!("{}/{path}", self.registry_for(source))
    }

    /// An [`ImageRef`] pulled through the mirror.
    pub fn pull_ref(&self, image: &ImageRef) -> ImageRef {
        ImageRef {
            repository: self.pull(&image.repository),
            tag: image.tag.clone(),
            digest: image.digest.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_keep_the_source_registry_in_the_path() {
        use crate::config::{ImagesConfig, MirrorConfig};
        assert_eq!(
            split_registry("mysql:8"),
            ("docker.io", "library/mysql:8".into())
        );
        assert_eq!(
            split_registry("rayproject/ray"),
            ("docker.io", "rayproject/ray".into())
        );
        assert_eq!(
            split_registry("quay.io/kuberay/operator"),
            ("quay.io", "kuberay/operator".into())
        );
        assert_eq!(
            split_registry("registry:5000/ray"),
            ("registry:5000", "ray".into())
        );
        assert_eq!(split_registry("localhost/x"), ("localhost", "x".into()));
        let mut images = ImagesConfig::default();
        assert_eq!(images.pull("mysql:8"), "mysql:8");
        images.mirror = Some(MirrorConfig {
            registry: "mirror.corp:5000/m/".into(),
            paths: [
                ("quay.io".to_string(), "quay".to_string()),
                ("ghcr.io".to_string(), String::new()),
            ]
            .into(),
        });
        assert_eq!(
            images.pull("mysql:8"),
            "mirror.corp:5000/m/docker.io/library/mysql:8"
        );
        assert_eq!(
            images.pull("quay.io/kuberay/operator:v1"),
            "mirror.corp:5000/m/quay/kuberay/operator:v1"
        );
        assert_eq!(images.pull("ghcr.io/a/b:1"), "mirror.corp:5000/m/a/b:1");
        assert_eq!(
            images.registry_for("docker.io"),
            "mirror.corp:5000/m/docker.io"
        );
    }

    #[test]
    fn parses_and_refuses() {
        let i: ImageRef = "apache/doris:fe-3.0.8".parse().unwrap();
        assert_eq!(
            (i.repository.as_str(), i.tag.as_str()),
            ("apache/doris", "fe-3.0.8")
        );
        let i: ImageRef = "registry:5000/ray:2.9.0".parse().unwrap();
        assert_eq!(
            (i.repository.as_str(), i.tag.as_str()),
            ("registry:5000/ray", "2.9.0")
        );
        assert!("apache/doris"
            .parse::<ImageRef>()
            .unwrap_err()
            .contains("no tag"));
        assert!("registry:5000/ray"
            .parse::<ImageRef>()
            .unwrap_err()
            .contains("no tag"));
        assert!("apache/doris:latest"
            .parse::<ImageRef>()
            .unwrap_err()
            .contains("latest"));
    }
}
