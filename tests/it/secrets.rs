//! Secrets: with a secret store, every Secret reference in config yields an
//! ExternalSecret that creates it (validated against the CRD with the other
//! custom resources); without one, references stay references.

use crate::common;

use std::collections::BTreeSet;

use platgen::Platform;
use serde_json::Value;

/// Every (namespace, secret, key) the rendered values and manifests read.
fn referenced(tree: &platgen::RenderedTree) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for (path, text) in &tree.files {
        for doc in common::yaml_docs(path, text) {
            let ns_of_app = |c: &str| -> String {
                let app = common::yaml_docs(c, &tree.files[&format!("apps/{c}.yaml")]).remove(0);
                app["spec"]["destination"]["namespace"]
                    .as_str()
                    .unwrap()
                    .to_string()
            };
            let ns = if let Some(stem) = path
                .strip_prefix("values/")
                .and_then(|p| p.strip_suffix(".yaml"))
            {
                ns_of_app(stem)
            } else {
                doc["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            let mut stack = vec![&doc];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Object(m) => {
                        // secretKeyRef (pods), {secretRef, secretKey} (DataHub),
                        // existing*Secret (MLflow), passwordFromSecret (Neo4j), authSecret (Doris).
                        if let (Some(Value::String(n)), Some(Value::String(k))) =
                            (m.get("name"), m.get("key"))
                        {
                            if m.len() == 2
                                && !path.contains("values/")
                                && !path.contains("external-secrets")
                            {
                                out.insert((ns.clone(), n.clone(), k.clone()));
                            }
                        }
                        if let (Some(Value::String(n)), Some(Value::String(k))) =
                            (m.get("secretRef"), m.get("secretKey"))
                        {
                            out.insert((ns.clone(), n.clone(), k.clone()));
                        }
                        stack.extend(m.values());
                    }
                    Value::Array(a) => stack.extend(a.iter()),
                    _ => {}
                }
            }
        }
    }
    out
}

#[test]
fn every_secret_reference_has_an_external_secret() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let docs = common::yaml_docs("es", &tree.files["manifests/external-secrets.yaml"]);
    let mut provided = BTreeSet::new();
    for d in &docs {
        assert_eq!(d["apiVersion"], "external-secrets.io/v1");
        assert_eq!(d["spec"]["secretStoreRef"]["kind"], "ClusterSecretStore");
        assert_eq!(d["spec"]["secretStoreRef"]["name"], "vault-backend");
        let ns = d["metadata"]["namespace"].as_str().unwrap();
        let name = d["spec"]["target"]["name"].as_str().unwrap();
        for item in d["spec"]["data"].as_array().unwrap() {
            provided.insert((
                ns.to_string(),
                name.to_string(),
                item["secretKey"].as_str().unwrap().to_string(),
            ));
        }
    }
    let needed = referenced(&tree);
    assert!(!needed.is_empty());
    let missing: Vec<_> = needed.difference(&provided).collect();
    assert!(
        missing.is_empty(),
        "references without an ExternalSecret: {missing:?}"
    );
    // The Doris operator's Secret is a basic-auth Secret.
    let doris = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "doris-admin")
        .unwrap();
    assert_eq!(
        doris["spec"]["target"]["template"]["type"],
        "kubernetes.io/basic-auth"
    );
    // Neo4j's password Secret comes with its NEO4J_AUTH key.
    assert!(provided.contains(&(
        "data-platform".into(),
        "neo4j-auth".into(),
        "NEO4J_AUTH".into()
    )));
}

#[test]
fn readers_sync_after_the_external_secrets_and_dev_has_none() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let wave = |c: &str| -> u32 {
        common::yaml_docs(c, &tree.files[&format!("apps/{c}.yaml")])[0]["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    for reader in ["neo4j", "datahub", "doris", "superset", "mlflow"] {
        assert!(wave(reader) > wave("external-secrets"), "{reader}");
    }
    let dev = Platform::builtin().unwrap().render("dev").unwrap();
    assert!(!dev.files.keys().any(|p| p.contains("external-secrets")));
}

/// A component a program adds, reading one Secret: the smallest whole
/// component (settings, delivery, build).
mod cache {
    use platgen::config::SecretRef;
    use platgen::model::{
        Chart, Component, Cx, Delivery, Document, Finding, Own, SecretUse, Section,
    };
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Serialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Settings {
        /// The cache's password.
        pub password: SecretRef,
    }

    pub struct Cache;

    impl Component for Cache {
        type Config = Settings;
        const NAME: &'static str = "cache";
        const ABOUT: &'static str = "A cache.";
        const SECTION: Section = Section::Release;
        const TEMPLATE: Option<&'static str> = Some("{{ header }}\n{{ values | to_yaml }}\n");

        fn delivery(&self, _: &Own<'_, Settings>) -> Delivery {
            Delivery::Helm(Chart::pinned("https://charts.example", "cache", "1.0.0"))
        }
        fn secrets(&self, own: &Own<'_, Settings>) -> Vec<SecretUse> {
            vec![SecretUse::new(own.namespace, &own.config.password)]
        }
        fn build(&self, cx: &Cx<'_, Settings>) -> Result<Vec<Document>, Finding> {
            let chart = Chart::pinned("https://charts.example", "cache", "1.0.0");
            let values =
                serde_json::json!({ "auth": { "existingSecret": cx.config.password.secret } });
            Ok(vec![Document::values(
                Self::NAME,
                &chart,
                cx.release,
                cx.namespace,
                &values,
            )])
        }
    }
}

#[test]
fn an_added_component_that_reads_a_secret_gets_its_external_secret() {
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    common::edit(
        dir.path(),
        "platform.yaml",
        "\ncomponents:\n",
        "\ncomponents:\n  cache:\n    namespace: ml-platform\n    password: { secret: cache-auth, key: password }\n",
    );
    let platform = Platform::load(dir.path())
        .unwrap()
        .with_component(cache::Cache)
        .unwrap();
    let tree = platform.render("prod").unwrap();
    let secrets = common::yaml_docs("es", &tree.files["manifests/external-secrets.yaml"]);
    let cache = secrets
        .iter()
        .find(|d| d["metadata"]["name"] == "cache-auth")
        .expect("an ExternalSecret for the added component's Secret");
    assert_eq!(cache["metadata"]["namespace"], "ml-platform");
    assert_eq!(
        cache["spec"]["data"][0]["remoteRef"]["key"],
        "ml-platform/cache-auth"
    );
    // It syncs after the ExternalSecrets that create its Secret.
    let graph = platform.graph("prod").unwrap();
    assert!(graph.needs["cache"].contains(&"external-secrets"));
    assert!(graph.waves["cache"] > graph.waves["external-secrets"]);
    // Without a store (dev), no ExternalSecrets, and the reference stays one.
    let dev = platform.render("dev").unwrap();
    assert!(!dev.files.contains_key("manifests/external-secrets.yaml"));
    assert!(dev.files["values/cache.yaml"].contains("existingSecret: cache-auth"));
}
