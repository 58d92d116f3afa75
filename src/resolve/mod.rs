//! The resolve stage: one env's merged config → a validated, typed
//! [`Resolved`] env. The platform's shared settings and every registered
//! component's section are read typed (errors located in the files); what
//! the enabled components declare (addresses, Secrets, namespaces) is
//! gathered; then every enabled component's rules run, and the platform's
//! own (every component's namespace is created, every release name valid).

mod diagnose;
pub(crate) mod erased;
pub(crate) mod release;

use serde::de::IgnoredAny;

use erased::{key, Common, Erased};
pub(crate) use erased::{Registry, Shared, Slot};

use crate::config::PlatformConfig;
use crate::error::{Diagnostic, Error, Loc, Result};
use crate::load::Sources;
use crate::merge::{merge, Merged};
use crate::model::{Facts, Finding, Findings, Section};
use crate::names::did_you_mean;
use crate::yaml::Node;

/// One env, validated: the platform's settings and every component's
/// section with defaults applied, and what the enabled components declare.
pub(crate) struct Resolved {
    /// Env name.
    pub env: String,
    /// The platform's shared settings.
    pub platform: PlatformConfig,
    /// What the enabled components declare for the others.
    pub facts: Facts,
    /// Whether values files are checked against vendored charts (set by
    /// the caller before building).
    pub checks_values: bool,
    /// Components whose chart is rendered into the env's
    /// `rendered/<component>/` (`gen render --hydrate`; set by the caller
    /// before building): their Applications apply that directory.
    pub hydrated: Vec<String>,
    components: Vec<Shared>,
    slots: Vec<Slot>,
    /// The merged config, to locate findings in.
    tree: Node,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("env", &self.env)
            .field(
                "enabled",
                &self.enabled().map(|(c, _)| c.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Resolved {
    /// Every registered component with its part of this env, in registry order.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&dyn Erased, &Slot)> {
        self.components.iter().map(|c| c.as_ref()).zip(&self.slots)
    }

    /// The enabled components, in registry order.
    pub(crate) fn enabled(&self) -> impl Iterator<Item = (&dyn Erased, &Slot)> {
        self.all().filter(|(_, s)| s.enabled)
    }

    /// The chart each enabled Helm component installs, by component key,
    /// with where the config pins it (`None`: the built-in pin).
    pub(crate) fn charts(&self) -> Vec<(String, &crate::model::Chart, Option<Loc>)> {
        self.enabled()
            .filter_map(|(c, s)| {
                let k = key(c);
                let section = c.section_path();
                let at = if section[0] == "releases" {
                    let mut p = section;
                    p.extend(["chart".into(), "version".into()]);
                    Some(self.locate(&p))
                } else {
                    self.platform
                        .charts
                        .contains_key(&k)
                        .then(|| self.locate(&["charts".into(), k.clone(), "version".into()]))
                };
                Some((k, s.chart.as_ref()?, at))
            })
            .collect()
    }

    /// Where the value at `path` is in the config files.
    pub(crate) fn locate(&self, path: &[String]) -> Loc {
        Merged::new(&self.tree).locate(path)
    }

    /// Config errors at the places in the files the findings' paths name.
    pub(crate) fn located(&self, findings: Vec<Finding>) -> Error {
        Error::Config(crate::error::in_file_order(
            findings
                .into_iter()
                .map(|f| {
                    Diagnostic::new(f.message)
                        .at(Some(self.locate(&f.path)))
                        .path(f.path.join("."))
                        .help(f.help)
                })
                .collect(),
        ))
    }

    /// The env's config as gen reads it: both files merged, every default
    /// applied, components without a section left out.
    pub(crate) fn effective_config(&self) -> serde_json::Value {
        let mut platform = self.platform.clone();
        // Every Helm component's pin in full: the config's parts over the
        // built-in ones.
        platform.charts = self
            .all()
            .filter(|(c, _)| c.section_path()[0] == "components")
            .filter_map(|(c, s)| {
                let chart = s.chart.as_ref()?;
                let pin = crate::config::ChartPin {
                    repository: Some(chart.repository()),
                    chart: Some(chart.name.to_string()),
                    version: Some(chart.version.to_string()),
                };
                Some((key(c), pin))
            })
            .collect();
        let mut v = serde_json::to_value(&platform).expect("settings serialise");
        let mut components = serde_json::Map::new();
        for (c, slot) in self
            .all()
            .filter(|(c, s)| s.present && c.section_path()[0] == "components")
        {
            let mut section = match serde_json::to_value(&slot.common).expect("serialises") {
                serde_json::Value::Object(m) => m,
                _ => unreachable!("common keys are a map"),
            };
            section.retain(|k, _| c.section().keys().contains(&k.as_str()));
            // The free-form values go last, after the typed settings.
            let values = section.remove("values");
            if let Some(config) = slot.config.as_deref() {
                if let serde_json::Value::Object(own) = c.to_json(config) {
                    section.extend(own);
                }
            }
            section.extend(values.map(|v| ("values".to_string(), v)));
            components.insert(key(c), serde_json::Value::Object(section));
        }
        v.as_object_mut()
            .expect("the platform's settings are a map")
            .insert("components".into(), serde_json::Value::Object(components));
        v
    }
}

/// The most problems one read of a section reports.
const MAX_FINDINGS: usize = 100;

/// Reads and validates `env` of `sources` with `components`.
pub(crate) fn resolve(sources: &Sources, env: &str, components: &[Shared]) -> Result<Resolved> {
    let overlay = sources
        .envs
        .get(env)
        .ok_or_else(|| unknown_env(sources, env))?;
    let tree = merge(&sources.base, overlay);
    let config = Merged::new(&tree);
    let mut errors = Vec::new();
    let platform = match config.gather(MAX_FINDINGS, |c| {
        c.read::<PlatformConfig>(&[], &["components"])
    }) {
        Ok(p) => p,
        Err(es) => {
            errors.extend(es.into_iter().map(diagnose::diagnose));
            None
        }
    };
    if let Err(e) =
        config.read::<Option<std::collections::BTreeMap<String, IgnoredAny>>>(&["components"], &[])
    {
        errors.push(diagnose::diagnose(e));
    }
    let keys: Vec<String> = components.iter().map(|c| key(c.as_ref())).collect();
    let sections: Vec<&str> = components
        .iter()
        .zip(&keys)
        .filter(|(c, _)| c.section() != Section::None)
        .map(|(_, k)| k.as_str())
        .collect();
    for (name, loc) in config.keys(&["components"]) {
        if sections.contains(&name) {
            continue;
        }
        let (message, help) = if keys.iter().any(|k| k == name) {
            (
                format!("component `{name}` has no section: other settings switch it"),
                "remove this section (`external-secrets` is on when the env sets `secretStore`)"
                    .to_string(),
            )
        } else {
            let help = match did_you_mean(name, sections.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("components: {}", sections.join(", ")),
            };
            (format!("no component named `{name}`"), help)
        };
        errors.push(
            Diagnostic::new(message)
                .at(Some(loc.clone()))
                .path(format!("components.{name}"))
                .help(help),
        );
    }
    let mut slots = Vec::with_capacity(components.len());
    for (c, key) in components.iter().zip(&keys) {
        match read_slot(c.as_ref(), key, &config) {
            Ok(slot) => slots.push(slot),
            Err(ds) => errors.extend(ds),
        }
    }
    if let Some(platform) = &platform {
        errors.extend(chart_pins(platform, components, &keys, &config));
    }
    let Some(platform) = platform.filter(|_| errors.is_empty()) else {
        return Err(Error::Config(crate::error::in_file_order(errors)));
    };
    for ((c, key), slot) in components.iter().zip(&keys).zip(&mut slots) {
        slot.chart = c.chart().map(|d| {
            platform
                .charts
                .get(key)
                .map_or_else(|| d.clone(), |p| d.pinned_by(p))
        });
    }
    let mut components = components.to_vec();
    for (c, slot) in release::releases(&platform.releases) {
        components.push(c);
        slots.push(slot);
    }
    let mut r = Resolved {
        env: env.to_string(),
        platform,
        facts: Facts::default(),
        checks_values: false,
        hydrated: Vec::new(),
        components,
        slots,
        tree,
    };
    let enabled: Vec<bool> = r.all().map(|(c, s)| c.enabled(&r, s)).collect();
    for (slot, on) in r.slots.iter_mut().zip(enabled) {
        slot.enabled = on;
    }
    r.facts = facts(&r);
    let mut findings = Vec::new();
    if !crate::names::is_dns_subdomain(&r.platform.domain) {
        let mut f = Findings::new(&[]);
        f.at(
            &["domain"],
            format!(
                "`{}` is not a DNS domain: hosts under it would be invalid",
                r.platform.domain.escape_debug()
            ),
            "write lower-case labels of letters, digits and `-`, joined by `.` (e.g. `example.com`)",
        );
        findings.extend(f.list);
    }
    if let Some(v) = &r.platform.kubernetes_version {
        if !is_kube_version(v) {
            let mut f = Findings::new(&[]);
            f.at(
                &["kubernetesVersion"],
                format!("`{}` is not a Kubernetes version", v.escape_debug()),
                "write MAJOR.MINOR or MAJOR.MINOR.PATCH, with or without a leading `v` (e.g. `1.35` or `v1.35.2`)",
            );
            findings.extend(f.list);
        }
    }
    for (c, slot) in r.enabled() {
        let section = c.section_path();
        let mut f = Findings::new(&section.iter().map(String::as_str).collect::<Vec<_>>());
        c.validate(&r, slot, &mut f);
        placement(&r, c, slot, &mut f);
        findings.extend(f.list);
    }

    if !findings.is_empty() {
        return Err(r.located(findings));
    }
    Ok(r)
}

/// `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, an optional `v` before it: what
/// Helm's `--kube-version` takes.
fn is_kube_version(v: &str) -> bool {
    let parts: Vec<&str> = v.strip_prefix('v').unwrap_or(v).split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Problems with the config's `charts:` pins: a key that is no Helm
/// component's, a repository Helm cannot pull from, an empty part.
fn chart_pins(
    platform: &PlatformConfig,
    components: &[Shared],
    keys: &[String],
    config: &Merged<'_>,
) -> Vec<Diagnostic> {
    let helm: Vec<&str> = components
        .iter()
        .zip(keys)
        .filter(|(c, _)| c.chart().is_some())
        .map(|(_, k)| k.as_str())
        .collect();
    let mut errors = Vec::new();
    for (name, loc) in config.keys(&["charts"]) {
        if helm.contains(&name) {
            continue;
        }
        let list = format!("components with a chart: {}", helm.join(", "));
        let (message, help) = if keys.iter().any(|k| k == name) {
            (
                format!("component `{name}` installs no chart"),
                format!("remove this pin ({list})"),
            )
        } else {
            let help = match did_you_mean(name, helm.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => list,
            };
            (format!("no component named `{name}`"), help)
        };
        errors.push(
            Diagnostic::new(message)
                .at(Some(loc.clone()))
                .path(format!("charts.{name}"))
                .help(help),
        );
    }
    for (name, pin) in &platform.charts {
        errors.extend(pin_problems(pin, &["charts", name.as_str()], config));
    }
    for (name, r) in &platform.releases {
        let at = ["releases", name.as_str()];
        if let Some(chart) = &r.chart {
            errors.extend(pin_problems(&chart.pin(), &[at[0], at[1], "chart"], config));
        }
        for (below, message, help) in release::problems(r) {
            let mut path: Vec<String> = at.iter().map(|s| s.to_string()).collect();
            path.extend(below.iter().map(|s| s.to_string()));
            errors.push(
                Diagnostic::new(message)
                    .at(Some(config.locate(&path)))
                    .path(path.join("."))
                    .help(help),
            );
        }
        let taken = components
            .iter()
            .zip(keys)
            .find(|(c, k)| c.name() == name || *k == name);
        if let Some((c, _)) = taken {
            let path = at.map(String::from);
            errors.push(
                Diagnostic::new(format!(
                    "release `{name}` has the name of the component `{}`",
                    c.name()
                ))
                .at(Some(config.locate(&path)))
                .path(path.join("."))
                .help("give the release another name (its files and Application are named after it), or configure the component under `components`"),
            );
        }
    }
    errors
}

/// Problems with one chart pin at `at`: a repository Helm cannot pull
/// from or with a password in it, an empty part.
fn pin_problems(
    pin: &crate::config::ChartPin,
    at: &[&str],
    config: &Merged<'_>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    {
        let mut bad = |field: &str, message: String, help: &str| {
            let mut path: Vec<String> = at.iter().map(|s| s.to_string()).collect();
            path.push(field.to_string());
            errors.push(
                Diagnostic::new(message)
                    .at(Some(config.locate(&path)))
                    .path(path.join("."))
                    .help(help),
            );
        };
        if let Some(r) = &pin.repository {
            let scheme = ["https://", "http://", "oci://"]
                .iter()
                .find(|s| r.starts_with(*s));
            if scheme.is_none_or(|s| r.len() == s.len()) {
                bad(
                    "repository",
                    format!("`{r}` is not a chart repository Helm can pull from"),
                    "write an HTTP(S) index URL (`https://charts.example.com`) or an OCI registry path (`oci://registry.example.com/charts`)",
                );
            } else if crate::names::has_userinfo_password(r) {
                bad(
                    "repository",
                    "the repository URL carries a password".into(),
                    "remove the credentials from the URL: Argo CD and Helm read them from their repository credentials",
                );
            }
        }
        for (field, v) in [("chart", &pin.chart), ("version", &pin.version)] {
            if v.as_deref()
                .is_some_and(|v| v.trim().is_empty() || v.contains(char::is_whitespace))
            {
                bad(
                    field,
                    format!("`{field}` is empty or holds spaces"),
                    "write the chart's name and exact version as the repository lists them",
                );
            }
        }
    }
    errors
}

/// One component's section: common keys and typed settings, or absent.
fn read_slot(c: &dyn Erased, key: &str, merged: &Merged<'_>) -> Result<Slot, Vec<Diagnostic>> {
    let absent = || Common {
        enabled: true,
        release: None,
        namespace: None,
        depends_on: Vec::new(),
        values: None,
    };
    if c.section() == Section::None {
        let config = c.no_section().map_err(|m| vec![Diagnostic::new(m)])?;
        return Ok(Slot {
            present: false,
            common: absent(),
            config: Some(config),
            enabled: false,
            chart: None,
        });
    }
    let at = ["components", key];
    let all = |es: Vec<crate::merge::ReadError>| {
        es.into_iter().map(diagnose::diagnose).collect::<Vec<_>>()
    };
    // Both readers run, so a run reports the problems of each.
    let common = merged.gather(MAX_FINDINGS, |m| m.read::<Option<Common>>(&at, &[]));
    let config = merged.gather(MAX_FINDINGS, |m| c.read(m, &at));
    let (common, config) = match (common, config) {
        (Ok(common), Ok(config)) => (common.flatten(), config),
        (common, config) => {
            let mut es = common.err().unwrap_or_default();
            es.extend(config.err().unwrap_or_default());
            return Err(all(es));
        }
    };
    let Some(common) = common else {
        return Ok(Slot {
            present: false,
            common: absent(),
            config: None,
            enabled: false,
            chart: None,
        });
    };
    if matches!(c.section(), Section::Namespaced | Section::Release) && common.namespace.is_none() {
        return Err(vec![Diagnostic::new("missing key `namespace`")
            .at(Some(merged.locate(&at.map(String::from))))
            .path(format!("components.{key}"))
            .help("add `namespace:` here")]);
    }
    Ok(Slot {
        present: true,
        common,
        config,
        enabled: false,
        chart: None,
    })
}

/// What the enabled components declare for the others.
fn facts(r: &Resolved) -> Facts {
    let mut facts = Facts::default();
    for (c, slot) in r.enabled() {
        for a in c.addresses(r, slot) {
            facts.addresses.insert((c.name(), a.role), a);
        }
        for u in c.secrets(r, slot) {
            facts.secrets.push((c.name(), u));
        }
        for ns in c.namespaces(r, slot) {
            facts.namespaces.entry(ns).or_insert(c.name());
        }
    }
    facts
}

/// The platform's rules for every component: a release name is a DNS
/// label, and when namespaces are declared, its namespace is one of them.
fn placement(r: &Resolved, c: &dyn Erased, slot: &Slot, f: &mut Findings) {
    if c.section() == Section::Release {
        let release = slot.common.release.as_deref().unwrap_or(c.name());
        crate::model::rules::name(release, &["release"], f);
    }
    let ns = slot.namespace();
    let declared = &r.facts.namespaces;
    if ns.is_empty() || declared.is_empty() || declared.contains_key(ns) {
        return;
    }
    let creator = declared.values().next().copied().unwrap_or_default();
    let under = format!("components.{}.items", crate::names::config_key(creator));
    let help = match did_you_mean(ns, declared.keys().map(String::as_str)) {
        Some(m) => format!("did you mean `{m}`? (or add `{ns}` under {under})"),
        None => format!(
            "add `{ns}` under {under}, or use one of: {}",
            declared
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    f.at(
        &["namespace"],
        format!("namespace `{ns}` is not declared"),
        help,
    );
}

fn unknown_env(sources: &Sources, env: &str) -> Error {
    let names: Vec<&str> = sources.envs.keys().map(String::as_str).collect();
    let mut help = format!("envs defined: {}", names.join(", "));
    if let Some(m) = did_you_mean(env, names.iter().copied()) {
        help = format!("did you mean `{m}`? ({help})");
    }
    if names.is_empty() {
        help = "add envs/<env>.yaml to the config directory".into();
    }
    let message = match &sources.origin {
        crate::load::Origin::Builtin => format!(
            "env `{env}` does not exist in the built-in example platform (no --config was given and there is no ./platform/platform.yaml)"
        ),
        crate::load::Origin::Dir(dir) => {
            format!("env `{env}` does not exist in {}", dir.display())
        }
        crate::load::Origin::Files => format!("env `{env}` does not exist"),
        crate::load::Origin::Revision { dir, rev } => {
            format!("env `{env}` does not exist in {} at `{rev}`", dir.display())
        }
    };
    if matches!(sources.origin, crate::load::Origin::Builtin) {
        help = format!("{help}; for your own platform, `gen init platform` writes one to edit, or pass --config DIR");
    }
    Error::Usage(Diagnostic::new(message).help(help))
}
