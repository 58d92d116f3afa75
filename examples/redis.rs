//! Embeds platgen and adds a component the crate does not ship: a Redis
//! Helm release with its own typed settings, values and template. Run with
//! `cargo run --example redis`; it renders the example platform plus Redis
//! and prints Redis's values file, its Application and the ExternalSecret
//! that creates its password.

use platgen::config::{Quantity, SecretRef};
use platgen::model::{
    bytes, rules, Chart, Component, Cx, Delivery, Document, Finding, Findings, Own, SecretUse,
    Section, Workload,
};
use platgen::Platform;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What users write under `components.redis`, besides `enabled`,
/// `release`, `namespace` and `dependsOn`.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RedisConfig {
    /// Size of the master's data volume.
    storage: Quantity,
    /// The password, in a Secret.
    password: SecretRef,
}

/// bitnami/redis values this component sets.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values {
    architecture: &'static str,
    auth: Auth,
    master: Master,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Auth {
    existing_secret: String,
    existing_secret_password_key: String,
}

#[derive(Serialize)]
struct Master {
    persistence: Persistence,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Persistence {
    storage_class: String,
    size: Quantity,
}

const CHART: Chart = Chart::pinned("registry-1.docker.io/bitnamicharts", "redis", "22.0.7");

struct Redis;

impl Component for Redis {
    type Config = RedisConfig;
    const NAME: &'static str = "redis";
    const ABOUT: &'static str = "Redis (bitnami/redis), standalone.";
    const SECTION: Section = Section::Release;
    const TEMPLATE: Option<&'static str> = Some(
        "{{ header }}\n# Helm values for chart {{ chart.name }} {{ chart.version }}, release `{{ release }}` in `{{ namespace }}`.\n{{ values | to_yaml }}\n",
    );

    fn delivery(&self, _: &Own<'_, RedisConfig>) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn secrets(&self, own: &Own<'_, RedisConfig>) -> Vec<SecretUse> {
        vec![SecretUse::new(own.namespace, &own.config.password)]
    }
    fn validate(&self, cx: &Cx<'_, RedisConfig>, f: &mut Findings) {
        rules::storage(&cx.config.storage, &["storage"], f);
    }
    fn build(&self, cx: &Cx<'_, RedisConfig>) -> Result<Vec<Document>, Finding> {
        let r = cx.config;
        let values = Values {
            architecture: "standalone",
            auth: Auth {
                existing_secret: r.password.secret.clone(),
                existing_secret_password_key: r.password.key.clone(),
            },
            master: Master {
                persistence: Persistence {
                    storage_class: cx.platform.storage_class.clone(),
                    size: r.storage.clone(),
                },
            },
        };
        Ok(vec![Document::values(
            Self::NAME,
            &CHART,
            cx.release,
            cx.namespace,
            &values,
        )])
    }
    fn workloads(&self, own: &Own<'_, RedisConfig>) -> Vec<Workload> {
        vec![Workload::pods(Self::NAME, own.namespace, "master", 1)
            .volume(&own.platform.storage_class, &own.config.storage)]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The example platform as editable config, plus Redis's section.
    let dir = tempfile::tempdir()?;
    for (rel, text) in Platform::example_files() {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(path, text)?;
    }
    let base = dir.path().join("platform.yaml");
    let text = std::fs::read_to_string(&base)?.replacen(
        "\ncomponents:\n",
        "\ncomponents:\n  redis:\n    namespace: data-platform\n    storage: 8Gi\n    password: { secret: redis-auth, key: password }\n",
        1,
    );
    std::fs::write(&base, text)?;

    let platform = Platform::load(dir.path())?.with_component(Redis)?;
    let tree = platform.render("prod")?;
    let plan = platform.plan("prod")?;
    for file in [
        "values/redis.yaml",
        "apps/redis.yaml",
        "manifests/external-secrets.yaml",
    ] {
        println!("=== {file} ===\n{}", tree.files[file]);
    }
    let redis = &plan.components["redis"];
    println!(
        "redis adds {} pod and {}",
        redis.pods,
        bytes(redis.storage_total())
    );
    assert!(tree.files["values/redis.yaml"].contains("existingSecret: redis-auth"));
    // Redis reads a Secret, so it syncs after the ExternalSecrets, which create it.
    assert!(tree.files["apps/redis.yaml"].contains("argocd.argoproj.io/sync-wave: \"2\""));
    assert!(tree.files["manifests/external-secrets.yaml"].contains("name: redis-auth"));
    Ok(())
}
