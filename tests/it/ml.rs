//! The ML platform: the plan's Ray mistakes cannot be written, Ray's rules
//! are checked before rendering, MLflow holds no credential, Kubeflow parts
//! switch per env, and public hosts follow the env's domain.

use crate::common;

use common::{doc, render_with};

use platgen::Platform;
use serde_json::Value;

const GROUP: &str = "groupName: workers\n        replicas: 2\n        minReplicas: 1\n        maxReplicas: 4\n        resources: {requests: {cpu: \"1\"}, limits: {cpu: \"2\"}}";

#[test]
fn the_cluster_is_ray_io_v1_with_named_groups_and_autoscaling() {
    for env in ["dev", "staging", "prod"] {
        let tree = Platform::builtin().unwrap().render(env).unwrap();
        let rc = doc(&tree, "manifests/ray-cluster.yaml");
        assert_eq!(rc["apiVersion"], "ray.io/v1");
        assert_eq!(rc["spec"]["enableInTreeAutoscaling"], true);
        assert_eq!(
            rc["spec"]["headGroupSpec"]["rayStartParams"]["dashboard-host"],
            "0.0.0.0"
        );
        for g in rc["spec"]["workerGroupSpecs"].as_array().unwrap() {
            assert!(!g["groupName"].as_str().unwrap().is_empty());
            assert!(g["template"]["spec"]["containers"].is_array());
            let (min, n, max) = (
                g["minReplicas"].as_u64().unwrap(),
                g["replicas"].as_u64().unwrap(),
                g["maxReplicas"].as_u64().unwrap(),
            );
            assert!(min <= n && n <= max);
        }
    }
    let prod = doc(
        &Platform::builtin().unwrap().render("prod").unwrap(),
        "manifests/ray-cluster.yaml",
    );
    let g = &prod["spec"]["workerGroupSpecs"][0];
    assert_eq!(
        (
            g["replicas"].as_u64(),
            g["minReplicas"].as_u64(),
            g["maxReplicas"].as_u64()
        ),
        (Some(2), Some(1), Some(4))
    );
    assert_eq!(
        g["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"],
        "8Gi"
    );
    assert_eq!(
        prod["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"],
        "rayproject/ray:2.9.0"
    );
}

#[test]
fn the_plans_v1alpha1_and_a_group_without_name_cannot_be_written() {
    let err =
        render_with("components:\n  rayCluster:\n    apiVersion: ray.io/v1alpha1\n").unwrap_err();
    assert!(err.contains("unknown key `apiVersion`"), "{err}");
    let err = render_with("components:\n  rayCluster:\n    workerGroups:\n      - replicas: 2\n        minReplicas: 1\n        maxReplicas: 4\n        resources: {}\n").unwrap_err();
    assert!(err.contains("missing key `groupName`"), "{err}");
}

#[test]
fn ray_rules_are_checked_at_resolve_time() {
    let bad_range = GROUP.replace("minReplicas: 1", "minReplicas: 3");
    let err = render_with(&format!(
        "components:\n  rayCluster:\n    workerGroups:\n      - {bad_range}\n"
    ))
    .unwrap_err();
    assert!(err.contains("envs/prod.yaml:5:19: components.rayCluster.workerGroups.0.replicas: minReplicas ≤ replicas ≤ maxReplicas does not hold: 3 ≤ 2 ≤ 4"), "{err}");
    let err = render_with(&format!(
        "components:\n  rayCluster:\n    workerGroups:\n      - {GROUP}\n      - {GROUP}\n"
    ))
    .unwrap_err();
    assert!(
        err.contains("worker group `workers` is defined twice"),
        "{err}"
    );
    let empty = GROUP.replace("groupName: workers", "groupName: \"\"");
    let err = render_with(&format!(
        "components:\n  rayCluster:\n    workerGroups:\n      - {empty}\n"
    ))
    .unwrap_err();
    assert!(err.contains("is not a valid worker group name"), "{err}");
    let over = GROUP.replace("requests: {cpu: \"1\"}", "requests: {cpu: \"3\"}");
    let err = render_with(&format!(
        "components:\n  rayCluster:\n    workerGroups:\n      - {over}\n"
    ))
    .unwrap_err();
    assert!(
        err.contains("workerGroups.0.resources.requests.cpu: cpu request 3 exceeds its limit 2"),
        "{err}"
    );
    let err =
        render_with("components:\n  rayCluster:\n    image: rayproject/ray:2.10.0\n").unwrap_err();
    assert!(err.contains("does not match rayVersion"), "{err}");
}

#[test]
fn a_literal_password_in_ml_config_is_refused_with_the_reference_form() {
    for overlay in [
        "components:\n  mlflow:\n    backendStore:\n      password: mlflow_password\n",
        "components:\n  mlflow:\n    artifacts:\n      secretAccessKey: minio_secret\n",
        "components:\n  mlflow:\n    artifacts:\n      secretKey: minio_secret\n",
    ] {
        let err = render_with(overlay).unwrap_err();
        assert!(err.contains("{ secret:"), "shows the reference form: {err}");
        assert!(
            !err.contains("mlflow_password") && !err.contains("minio_secret"),
            "leaked: {err}"
        );
    }
}

#[test]
fn mlflow_reads_every_credential_from_secrets() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let v = doc(&tree, "values/mlflow.yaml");
    assert_eq!(
        v["backendStore"]["postgres"]["host"],
        "postgresql.kong.svc.cluster.local"
    );
    assert_eq!(v["backendStore"]["postgres"]["database"], "mlflow");
    assert!(
        v["backendStore"]["postgres"].get("password").is_none()
            && v["backendStore"]["postgres"].get("user").is_none()
    );
    assert_eq!(
        v["backendStore"]["existingDatabaseSecret"]["name"],
        "mlflow-postgresql"
    );
    assert_eq!(v["artifactRoot"]["s3"]["bucket"], "mlflow-artifacts");
    assert_eq!(
        v["artifactRoot"]["proxiedArtifactStorage"], true,
        "clients need no MinIO credentials"
    );
    assert!(v["artifactRoot"]["s3"].get("awsSecretAccessKey").is_none());
    assert_eq!(
        v["artifactRoot"]["s3"]["existingSecret"]["name"],
        "mlflow-minio"
    );
    assert_eq!(
        v["extraEnvVars"]["MLFLOW_S3_ENDPOINT_URL"],
        "http://minio-service.data-platform.svc.cluster.local:9000"
    );
    let err = render_with(
        "components:\n  mlflow:\n    artifacts:\n      secretAccessKey: {secret: other, key: k}\n",
    )
    .unwrap_err();
    assert!(err.contains("reads both keys from one Secret"), "{err}");
}

#[test]
fn kubeflow_parts_are_pinned_and_switch_per_env() {
    let prod = Platform::builtin().unwrap().render("prod").unwrap();
    for (app, repo, rev) in [
        (
            "apps/kubeflow-pipelines.yaml",
            "https://github.com/kubeflow/pipelines",
            "2.17.0",
        ),
        (
            "apps/katib.yaml",
            "https://github.com/kubeflow/katib",
            "v0.19.0",
        ),
    ] {
        let a = doc(&prod, app);
        assert_eq!(a["spec"]["destination"]["namespace"], "kubeflow");
        let upstream: Vec<&Value> = a["spec"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["repoURL"] == repo)
            .collect();
        assert!(!upstream.is_empty());
        assert!(upstream.iter().all(|s| s["targetRevision"] == rev
            && s["kustomize"]["patches"][0]["target"]["kind"] == "Namespace"));
    }
    let dev = Platform::builtin().unwrap().render("dev").unwrap();
    assert!(
        !dev.files.contains_key("apps/katib.yaml"),
        "katib is off in dev"
    );
    assert!(dev.files.contains_key("apps/kubeflow-pipelines.yaml"));
    let err = render_with("components:\n  katib:\n    namespace: ml-platform\n").unwrap_err();
    assert!(
        err.contains("the upstream manifests install into `kubeflow`"),
        "{err}"
    );
}

#[test]
fn public_hosts_follow_the_env_domain() {
    let dev = Platform::builtin().unwrap().render("dev").unwrap();
    let ray = doc(&dev, "manifests/ray-dashboard-ingress.yaml");
    assert_eq!(ray["spec"]["rules"][0]["host"], "ray.dev.254carbon.com");
    assert_eq!(
        ray["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
        "ml-cluster-head-svc"
    );
    assert_eq!(ray["spec"]["tls"][0]["secretName"], "wildcard-tls");
    assert_eq!(
        doc(&dev, "values/mlflow.yaml")["ingress"]["hosts"][0]["host"],
        "mlflow.dev.254carbon.com"
    );
    assert_eq!(
        doc(&dev, "values/datahub.yaml")["datahub-frontend"]["ingress"]["hosts"][0]["host"],
        "datahub.dev.254carbon.com"
    );
    assert_eq!(
        doc(&dev, "manifests/kubeflow-pipelines-ingress.yaml")["spec"]["rules"][0]["host"],
        "kubeflow.dev.254carbon.com"
    );
    // Without `ingress:` no endpoint is rendered.
    let tree = render_with("ingress: null\n").unwrap();
    assert!(!tree
        .files
        .contains_key("manifests/ray-dashboard-ingress.yaml"));
    assert!(doc(&tree, "values/mlflow.yaml").get("ingress").is_none());
}

#[test]
fn the_operator_comes_before_the_ray_cluster() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let wave = |c: &str| -> u32 {
        doc(&tree, &format!("apps/{c}.yaml"))["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(wave("kuberay-operator") < wave("ray-cluster"));
    let err = render_with("components:\n  kuberayOperator:\n    enabled: false\n").unwrap_err();
    assert!(
        err.contains("`kuberay-operator` is disabled but `ray-cluster` needs it"),
        "{err}"
    );
}
