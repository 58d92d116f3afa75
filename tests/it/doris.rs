//! The Doris stack: the plan's DorisCluster mistakes cannot be written, the
//! operator's rules are checked before rendering, and the Superset link
//! follows the cluster's name and namespace without ever holding a password.

use crate::common;

use common::{doc, render_with};

use platgen::Platform;

#[test]
fn the_cluster_has_persistent_volumes_and_images() {
    for env in ["dev", "staging", "prod"] {
        let tree = Platform::builtin().unwrap().render(env).unwrap();
        let cluster = doc(&tree, "manifests/doris.yaml");
        assert_eq!(cluster["apiVersion"], "doris.selectdb.com/v1");
        for (spec, path) in [
            ("feSpec", "/opt/apache-doris/fe/doris-meta"),
            ("beSpec", "/opt/apache-doris/be/storage"),
        ] {
            let s = &cluster["spec"][spec];
            assert!(s.get("persistentVolume").is_none());
            assert!(s["image"].as_str().unwrap().starts_with("apache/doris:"));
            let pv = &s["persistentVolumes"][0];
            assert_eq!(pv["mountPath"], path);
            assert_eq!(
                pv["persistentVolumeClaimSpec"]["storageClassName"],
                "local-storage-standard"
            );
        }
        let fe = &cluster["spec"]["feSpec"];
        assert!(fe["electionNumber"].as_u64().unwrap() <= fe["replicas"].as_u64().unwrap());
    }
    let prod = doc(
        &Platform::builtin().unwrap().render("prod").unwrap(),
        "manifests/doris.yaml",
    );
    assert_eq!(prod["spec"]["beSpec"]["replicas"], 2);
    assert_eq!(prod["spec"]["beSpec"]["limits"]["memory"], "8Gi");
    assert_eq!(
        prod["spec"]["feSpec"]["persistentVolumes"][0]["persistentVolumeClaimSpec"]["resources"]
            ["requests"]["storage"],
        "30Gi"
    );
}

#[test]
fn the_plans_singular_persistent_volume_and_missing_image_are_rejected() {
    let err = render_with(
        "components:\n  doris:\n    fe:\n      persistentVolume:\n        storageClassName: x\n",
    )
    .unwrap_err();
    assert!(err.contains("unknown key `persistentVolume`"), "{err}");
    let err = render_with("components:\n  doris:\n    fe:\n      image: null\n").unwrap_err();
    assert!(err.contains("missing key `image`"), "{err}");
    let err =
        render_with("components:\n  doris:\n    be:\n      image: apache/doris\n").unwrap_err();
    assert!(err.contains("has no tag"), "{err}");
    let err = render_with("components:\n  doris:\n    be:\n      image: apache/doris:latest\n")
        .unwrap_err();
    assert!(err.contains("`latest`"), "{err}");
}

#[test]
fn election_number_rules() {
    let err = render_with("components:\n  doris:\n    fe:\n      electionNumber: 3\n").unwrap_err();
    assert!(err.contains("envs/prod.yaml:4:23: components.doris.fe.electionNumber: electionNumber 3 must be between 1 and the FE replicas (1)"), "{err}");
    let err =
        render_with("components:\n  doris:\n    fe:\n      replicas: 4\n      electionNumber: 2\n")
            .unwrap_err();
    assert!(err.contains("electionNumber 2 is even"), "{err}");
    // Unset, it follows the replicas: 4 FEs elect among 3.
    let tree = render_with(
        "components:\n  doris:\n    fe:\n      replicas: 4\n      electionNumber: null\n",
    )
    .unwrap();
    assert_eq!(
        doc(&tree, "manifests/doris.yaml")["spec"]["feSpec"]["electionNumber"],
        3
    );
}

#[test]
fn requests_above_limits_and_zero_backends_are_rejected() {
    let err = render_with("components:\n  doris:\n    fe:\n      resources:\n        requests:\n          cpu: \"3\"\n").unwrap_err();
    assert!(
        err.contains(
            "components.doris.fe.resources.requests.cpu: cpu request 3 exceeds its limit 2"
        ),
        "{err}"
    );
    let err = render_with("components:\n  doris:\n    be:\n      replicas: 0\n").unwrap_err();
    assert!(
        err.contains("envs/prod.yaml:4:17: components.doris.be.replicas: replicas is 0"),
        "{err}"
    );
}

#[test]
fn waves_put_the_operator_before_the_cluster_before_superset() {
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let wave = |c: &str| -> u32 {
        doc(&tree, &format!("apps/{c}.yaml"))["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(wave("doris-operator") < wave("doris"));
    assert!(wave("doris") < wave("superset"));
    let op = doc(&tree, "apps/doris-operator.yaml");
    assert_eq!(
        op["spec"]["syncPolicy"]["syncOptions"][0], "ServerSideApply=true",
        "the CRD is too large for client-side apply"
    );
}

#[test]
fn superset_link_follows_the_cluster_and_holds_no_password() {
    let tree = render_with("components:\n  doris:\n    name: olap\n    namespace: data-platform\n")
        .unwrap();
    let values = doc(&tree, "values/superset.yaml");
    let import = common::yaml_docs(
        "import",
        values["extraConfigs"]["import_datasources.yaml"]
            .as_str()
            .unwrap(),
    )
    .remove(0);
    let db = &import["databases"][0];
    assert_eq!(db["database_name"], "Doris OLAP");
    assert_eq!(
        db["sqlalchemy_uri"],
        "doris://admin:XXXXXXXXXX@olap-fe-service.data-platform.svc.cluster.local:9030/internal.information_schema"
    );
    let mutator = values["configOverrides"]["doris_olap_connection"]
        .as_str()
        .unwrap();
    assert!(mutator.contains(
        "uri.host == \"olap-fe-service.data-platform.svc.cluster.local\" and uri.port == 9030"
    ));
    assert_eq!(
        values["extraEnvRaw"][0]["valueFrom"]["secretKeyRef"]["name"],
        "superset-doris"
    );
    // The release's own values come first, then the link's.
    let app = doc(&tree, "apps/superset.yaml");
    let files: Vec<&str> = app["spec"]["sources"][0]["helm"]["valueFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "$values/superset/values.yaml",
            "$values/gitops/prod/values/superset.yaml"
        ]
    );
    // A literal password is refused, and not repeated.
    let err = render_with("components:\n  superset:\n    password: doris_password\n").unwrap_err();
    assert!(
        err.contains("literal secret") && !err.contains("doris_password"),
        "{err}"
    );
}

#[test]
fn superset_needs_the_cluster() {
    let err = render_with("components:\n  doris:\n    enabled: false\n").unwrap_err();
    assert!(
        err.contains("`doris` is disabled but `superset` needs it"),
        "{err}"
    );
}
