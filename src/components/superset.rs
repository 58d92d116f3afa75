//! Registers the Doris cluster in the existing Superset release
//! (apache/superset chart), declaratively: the chart's init job imports
//! `/app/configs/import_datasources.yaml` (from `extraConfigs`). The URI in
//! Git carries Superset's password mask; a `DB_CONNECTION_MUTATOR` in
//! `configOverrides` puts the real password in at connect time, read from
//! an environment variable that `extraEnvRaw` fills from a Secret. Only
//! connections to the Doris FE are touched.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::SecretRef;
use crate::k8s::{env_secret, EnvVar};
use crate::model::{
    Chart, Component, Cx, Delivery, Document, Finding, Findings, Own, Prerequisite, SecretUse,
    Section,
};

/// Chart repository of apache/superset.
/// The chart the existing release runs unless `charts.superset` says
/// another.
const PIN: Chart = Chart::pinned("https://apache.github.io/superset", "superset", "0.22.8");
/// Superset's password mask: an imported URI with it keeps no password.
pub(super) const PASSWORD_MASK: &str = "XXXXXXXXXX";
/// Environment variable carrying the Doris password in Superset's pods.
pub(super) const PASSWORD_ENV: &str = "DORIS_OLAP_PASSWORD";

/// The `superset` component (the Doris link).
pub(super) struct Superset;

/// Registers the Doris cluster as a database in the existing Superset
/// release, declaratively (the chart's `import_datasources` step). Its
/// `release` and `namespace` are those of the existing release.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct SupersetLinkConfig {
    /// The release's own values files in the GitOps repository (paths from
    /// the repository root), applied before the rendered one.
    #[serde(default)]
    pub base_value_files: Vec<String>,
    /// Name of the database in Superset.
    #[serde(default = "database_name")]
    pub database_name: String,
    /// Doris user Superset connects as.
    pub username: String,
    /// Doris database (`catalog.database`) the connection opens.
    #[serde(default = "doris_database")]
    pub database: String,
    /// That user's password, in a Secret in Superset's namespace.
    pub password: SecretRef,
}

fn database_name() -> String {
    "Doris OLAP".into()
}
fn doris_database() -> String {
    "internal.information_schema".into()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    extra_configs: BTreeMap<&'static str, String>,
    config_overrides: BTreeMap<&'static str, String>,
    extra_env_raw: Vec<EnvVar>,
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
    type Config = SupersetLinkConfig;
    const CHART: Option<Chart> = Some(PIN);
    const NAME: &'static str = "superset";
    const ABOUT: &'static str = "Doris registered in the existing Superset release.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(include_str!("../../templates/superset.yaml.tera"));

    fn delivery(&self, own: &Own<'_, SupersetLinkConfig>) -> Delivery {
        Delivery::Helm(own.chart().clone())
    }
    fn prerequisites(&self, own: &Own<'_, SupersetLinkConfig>) -> Vec<Prerequisite> {
        vec![Prerequisite::new(
            "Helm release",
            format!("{}/{}", own.namespace, own.release),
            format!(
                "the existing Superset (chart {} {}) Doris is registered in; its values files in the GitOps repository: {}",
                own.chart().name,
                own.chart().version,
                if own.config.base_value_files.is_empty() {
                    "none".to_string()
                } else {
                    own.config.base_value_files.join(", ")
                }
            ),
        )]
    }
    fn needs(&self, _: &Cx<'_, SupersetLinkConfig>) -> Vec<&'static str> {
        vec!["doris"]
    }
    fn base_value_files(&self, own: &Own<'_, SupersetLinkConfig>) -> Vec<String> {
        own.config.base_value_files.clone()
    }
    fn secrets(&self, own: &Own<'_, SupersetLinkConfig>) -> Vec<SecretUse> {
        vec![SecretUse::new(own.namespace, &own.config.password)]
    }
    fn validate(&self, cx: &Cx<'_, SupersetLinkConfig>, f: &mut Findings) {
        let s = cx.config;
        let user_ok = !s.username.is_empty()
            && s.username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !user_ok {
            f.at(
                &["username"],
                format!(
                    "`{}` is not a Doris user name this link can put in a URI",
                    s.username
                ),
                "use letters, digits and `_`",
            );
        }
        if !s.database.contains('.') {
            f.at(
                &["database"],
                format!("`{}` names no catalog", s.database),
                "Superset's Doris dialect needs `catalog.database`, e.g. `internal.information_schema`",
            );
        }
        for (i, file) in s.base_value_files.iter().enumerate() {
            if file.contains("..") || file.starts_with('$') {
                let idx = i.to_string();
                f.at(
                    &["baseValueFiles", &idx],
                    format!("`{file}` is not a path inside the GitOps repository"),
                    "give the path from the repository root, e.g. `apps/superset/values.yaml`",
                );
            }
        }
    }
    // The release exists already; the link adds configuration, not pods.
    fn build(&self, cx: &Cx<'_, SupersetLinkConfig>) -> Result<Vec<Document>, Finding> {
        let s = cx.config;
        let doris = cx.address("doris", "query")?;
        let (host, port) = (doris.host(), doris.port);
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
            extra_env_raw: vec![env_secret(
                PASSWORD_ENV,
                &s.password.secret,
                &s.password.key,
            )],
        };
        let mut doc = cx.values_file(&values);
        doc.data["password_secret"] = s.password.secret.clone().into();
        Ok(vec![doc])
    }
}
