//! The name a chart gives the objects of a release, by the `fullname`
//! helper the Bitnami charts (`common.names.fullname`) and MLflow's chart
//! (`mlflow.fullname`) share: `fullnameOverride` if set, else the release
//! name when it contains the chart's name (or `nameOverride`), else
//! `<release>-<name>`; at most 63 characters, no trailing `-`.

use crate::model::Own;

/// The fullname of the release `own` installs of the chart `chart`,
/// reading the overrides its section's `values:` may set.
pub(super) fn fullname<T>(own: &Own<'_, T>, chart: &str) -> String {
    let set = |key: &str| {
        own.value_at(&[key])
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    rule(
        own.release,
        chart,
        set("nameOverride"),
        set("fullnameOverride"),
    )
}

fn rule(
    release: &str,
    chart: &str,
    name_override: Option<&str>,
    fullname_override: Option<&str>,
) -> String {
    let full = match fullname_override {
        Some(f) => f.to_string(),
        None => {
            let name = name_override.unwrap_or(chart);
            if release.contains(name) {
                release.to_string()
            } else {
                format!("{release}-{name}")
            }
        }
    };
    let cut: String = full.chars().take(63).collect();
    cut.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::rule;

    #[test]
    fn the_release_name_is_kept_when_it_names_the_chart() {
        assert_eq!(rule("kafka", "kafka", None, None), "kafka");
        assert_eq!(rule("prod-kafka", "kafka", None, None), "prod-kafka");
        assert_eq!(rule("bus", "kafka", None, None), "bus-kafka");
        assert_eq!(
            rule("es", "elasticsearch", Some("search"), None),
            "es-search"
        );
        assert_eq!(
            rule("search", "elasticsearch", Some("search"), None),
            "search"
        );
        assert_eq!(rule("es", "elasticsearch", Some("x"), Some("logs")), "logs");
        let long = "a".repeat(60);
        assert_eq!(rule(&long, "kafka", None, None).len(), 63);
        assert_eq!(rule(&"b".repeat(62), "-x", None, None), "b".repeat(62));
    }
}
