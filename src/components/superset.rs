//! Registers the Doris cluster in the existing Superset release
//! (apache/superset chart), declaratively: the chart's init job imports
//! `/app/configs/import_datasources.yaml` (from `extraConfigs`). The URI in
//! Git carries Superset's password mask; a `DB_CONNECTION_MUTATOR` in
//! `configOverrides` puts the real password in at connect time, read from
//! an environment variable that `extraEnvRaw` fills from a Secret. Only
//! connections to the Doris FE are touched.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::{doris, Chart, Component, Delivery, Document};
use crate::config::{PlatformConfig, SupersetLinkConfig};
use crate::model::Finding;

/// Chart repository of apache/superset.
pub const REPO_URL: &str = "https://apache.github.io/superset";
/// Superset's password mask: an imported URI with it keeps no password.
pub const PASSWORD_MASK: &str = "XXXXXXXXXX";
/// Environment variable carrying the Doris password in Superset's pods.
pub const PASSWORD_ENV: &str = "DORIS_OLAP_PASSWORD";

/// The `superset` component (the Doris link).
pub struct Superset;

fn config(c: &PlatformConfig) -> Option<&SupersetLinkConfig> {
    c.components.superset.as_ref()
}

fn chart(s: &SupersetLinkConfig) -> Chart {
    Chart {
        repo_url: Cow::Borrowed(REPO_URL),
        name: Cow::Borrowed("superset"),
        version: Cow::Owned(s.chart_version.clone()),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values<'a> {
    extra_configs: BTreeMap<&'static str, String>,
    config_overrides: BTreeMap<&'static str, String>,
    extra_env_raw: Vec<super::EnvVar<'a>>,
}

/// The file `superset import_datasources` reads.
#[derive(Serialize)]
struct Import {
    databases: Vec<Database>,
}

#[derive(Serialize)]
struct Database {
    database_name: String,
    sqlalchemy_uri: String,
    expose_in_sqllab: bool,
    tables: Vec<String>,
}

fn mutator(host: &str, port: u16) -> String {
    format!(
        "import os\n\n\ndef DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):\n    # Doris OLAP: the password comes from the environment, never from Git.\n    if uri.host == \"{host}\" and uri.port == {port}:\n        uri = uri.set(password=os.environ[\"{PASSWORD_ENV}\"])\n    return uri, params\n"
    )
}

impl Component for Superset {
    fn name(&self) -> &'static str {
        "superset"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<super::Placement<'a>> {
        use super::Placement;
        config(c).map(|x| Placement::new(x.enabled, &x.namespace, &x.depends_on))
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        let mut n = super::needs_namespaces(c);
        n.push("doris");
        n
    }
    fn delivery(&self, c: &PlatformConfig) -> Delivery {
        match config(c) {
            Some(s) => Delivery::Helm(chart(s)),
            None => Delivery::Manifests,
        }
    }
    fn base_value_files(&self, c: &PlatformConfig) -> Vec<String> {
        config(c).map_or_else(Vec::new, |s| s.base_value_files.clone())
    }
    fn validate(&self, c: &PlatformConfig, f: &mut Vec<Finding>) {
        let Some(s) = config(c) else { return };
        super::check_placement(c, "superset", "release", &s.release, &s.namespace, f);
        let user_ok = !s.username.is_empty()
            && s.username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !user_ok {
            f.push(Finding::new(
                &["components", "superset", "username"],
                format!(
                    "`{}` is not a Doris user name this link can put in a URI",
                    s.username
                ),
                "use letters, digits and `_`",
            ));
        }
        if !s.database.contains('.') {
            f.push(Finding::new(
                &["components", "superset", "database"],
                format!("`{}` names no catalog", s.database),
                "Superset's Doris dialect needs `catalog.database`, e.g. `internal.information_schema`",
            ));
        }
        for (i, file) in s.base_value_files.iter().enumerate() {
            if file.contains("..") || file.starts_with('$') {
                let idx = i.to_string();
                f.push(Finding::new(
                    &["components", "superset", "baseValueFiles", &idx],
                    format!("`{file}` is not a path inside the GitOps repository"),
                    "give the path from the repository root, e.g. `apps/superset/values.yaml`",
                ));
            }
        }
    }
    fn workloads(&self, _: &PlatformConfig) -> Vec<crate::model::Workload> {
        // The release exists already; the link adds configuration, not pods.
        Vec::new()
    }

    fn secrets(&self, c: &PlatformConfig) -> Vec<super::SecretUse> {
        config(c).map_or_else(Vec::new, |s| {
            vec![super::SecretUse::new(&s.namespace, &s.password)]
        })
    }

    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let (Some(s), Some((host, port))) = (config(c), doris::query_endpoint(c)) else {
            return Vec::new();
        };
        let import = Import {
            databases: vec![Database {
                database_name: s.database_name.clone(),
                sqlalchemy_uri: format!(
                    "doris://{}:{PASSWORD_MASK}@{host}:{port}/{}",
                    s.username, s.database
                ),
                expose_in_sqllab: true,
                tables: Vec::new(),
            }],
        };
        let import_text = crate::yaml::to_yaml(&import).expect("import file serialises");
        let values = Values {
            extra_configs: BTreeMap::from([("import_datasources.yaml", import_text)]),
            config_overrides: BTreeMap::from([("doris_olap_connection", mutator(&host, port))]),
            extra_env_raw: vec![super::EnvVar::secret(PASSWORD_ENV, &s.password)],
        };
        let mut doc =
            super::values_document(self.name(), &chart(s), &s.release, &s.namespace, &values);
        doc.data["password_secret"] = s.password.secret.clone().into();
        vec![doc]
    }
}
