//! Embeds platgen and adds a component the crate does not ship: a Redis
//! Helm release with its own typed config, values and template. Run with
//! `cargo run --example redis`; it renders the example platform plus Redis
//! and prints Redis's values file and Application.

use platgen::components::{
    needs_namespaces, values_document, Chart, Component, Delivery, Document, Placement,
};
use platgen::config::{PlatformConfig, Quantity, SecretRef};
use platgen::model::Finding;
use platgen::model::Workload;
use platgen::Platform;
use serde::{Deserialize, Serialize};

/// What users write under `extensions.redis`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RedisConfig {
    namespace: String,
    storage: Quantity,
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

fn config(c: &PlatformConfig) -> Option<RedisConfig> {
    platgen::components::extension(c, "redis").ok().flatten()
}

impl Component for Redis {
    fn name(&self) -> &'static str {
        "redis"
    }
    fn placement<'a>(&self, c: &'a PlatformConfig) -> Option<Placement<'a>> {
        let namespace = c.extensions.get("redis")?.get("namespace")?.as_str()?;
        Some(Placement {
            enabled: true,
            namespace,
            depends_on: &[],
        })
    }
    fn needs(&self, c: &PlatformConfig) -> Vec<&'static str> {
        needs_namespaces(c)
    }
    fn depends_on<'a>(&self, _: &'a PlatformConfig) -> &'a [String] {
        &[]
    }
    fn namespace<'a>(&self, c: &'a PlatformConfig) -> &'a str {
        c.extensions["redis"]["namespace"]
            .as_str()
            .unwrap_or_default()
    }
    fn delivery(&self, _: &PlatformConfig) -> Delivery {
        Delivery::Helm(CHART)
    }
    fn validate(&self, c: &PlatformConfig, findings: &mut Vec<Finding>) {
        match platgen::components::extension::<RedisConfig>(c, "redis") {
            Err(f) => findings.push(f),
            Ok(Some(r)) if !r.storage.is_positive() => findings.push(Finding::new(
                &["extensions", "redis", "storage"],
                "the volume size must be positive",
                "give a size such as `8Gi`",
            )),
            Ok(_) => {}
        }
    }
    fn build(&self, c: &PlatformConfig) -> Vec<Document> {
        let Some(r) = config(c) else {
            return Vec::new();
        };
        let values = Values {
            architecture: "standalone",
            auth: Auth {
                existing_secret: r.password.secret.clone(),
                existing_secret_password_key: r.password.key.clone(),
            },
            master: Master {
                persistence: Persistence {
                    storage_class: c.storage_class.clone(),
                    size: r.storage.clone(),
                },
            },
        };
        vec![values_document(
            "redis",
            &CHART,
            "redis",
            &r.namespace,
            &values,
        )]
    }
    fn workloads(&self, c: &PlatformConfig) -> Vec<Workload> {
        let Some(r) = config(c) else {
            return Vec::new();
        };
        vec![Workload::pods("redis", &r.namespace, "master", 1).volume(&c.storage_class, &r.storage)]
    }
}

const TEMPLATE: &str = "{{ header }}\n# Helm values for chart {{ chart.name }} {{ chart.version }}, release `{{ release }}` in `{{ namespace }}`.\n{{ values | to_yaml }}\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The example platform as editable config, plus Redis's section.
    let dir = tempfile::tempdir()?;
    for (rel, text) in platgen::schema::init_files() {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(path, text)?;
    }
    let base = dir.path().join("platform.yaml");
    let mut text = std::fs::read_to_string(&base)?;
    text.push_str("\nextensions:\n  redis:\n    namespace: data-platform\n    storage: 8Gi\n    password: { secret: redis-auth, key: password }\n");
    std::fs::write(&base, text)?;

    let platform = Platform::load(dir.path())?
        .with_component(Redis)
        .with_template("redis.yaml.tera", TEMPLATE)?;
    let tree = platform.render("prod")?;
    let plan = platform.plan("prod")?;
    for file in ["values/redis.yaml", "apps/redis.yaml"] {
        println!("=== {file} ===\n{}", tree.files[file]);
    }
    let redis = &plan.components["redis"];
    println!(
        "redis adds {} pod and {}",
        redis.pods,
        platgen::model::bytes(redis.storage_total())
    );
    assert!(tree.files["values/redis.yaml"].contains("existingSecret: redis-auth"));
    assert!(tree.files["apps/redis.yaml"].contains("argocd.argoproj.io/sync-wave: \"1\""));
    Ok(())
}
