//! Secrets: with a secret store, every Secret reference in config yields an
//! ExternalSecret that creates it (validated against the CRD with the other
//! custom resources); without one, references stay references.

mod common;

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
