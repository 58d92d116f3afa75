//! The library's entry point: a loaded platform config that renders envs.

use std::path::Path;

mod review;

use crate::error::{Diagnostic, Error, Result};
use crate::graph::{graph, Graph};
use crate::load::{load_builtin, load_dir, Origin, Sources};
use crate::model::{Component, Delivery, Registrar, Release};
use crate::plan::{aggregate, capacity, Plan};
use crate::readback::read_back;
use crate::render::{templates, Renderer};
use crate::resolve::{resolve, Registry, Resolved, Shared};
use crate::tree::RenderedTree;

/// A platform config (base + env overlays) with its templates compiled and
/// the components that render it.
pub struct Platform {
    sources: Sources,
    renderer: Renderer,
    components: Vec<Shared>,
    template_dir: Option<std::path::PathBuf>,
    /// The config directory as its Git repository names it (`platform/`),
    /// for the headers; empty for the built-in example.
    config_name: String,
    /// The config directory's vendored charts, loaded on first use.
    vendored: std::sync::OnceLock<VendoredCharts>,
    /// Their load, started beside the config's (first use waits for it).
    loading: std::sync::Mutex<Option<std::sync::Arc<crate::charts::Loader>>>,
}

/// A config directory's vendored charts: `None` without `charts.lock`.
type VendoredCharts = std::result::Result<Option<crate::charts::Vendored>, Vec<Diagnostic>>;

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.components.iter().map(|c| c.name()).collect();
        f.debug_struct("Platform")
            .field("origin", &self.sources.origin)
            .field("envs", &self.envs())
            .field("components", &names)
            .finish()
    }
}

/// The components the crate ships.
pub(crate) fn builtin_components() -> Vec<Shared> {
    let mut registry = Registry::default();
    crate::components::register(&mut registry);
    registry.0
}

impl Platform {
    /// The example platform built into the binary (the Phase 3 data platform).
    pub fn builtin() -> Result<Platform> {
        Platform::from_sources(load_builtin()?)
    }

    fn from_sources(sources: Sources) -> Result<Platform> {
        let components = builtin_components();
        let config_name = match &sources.origin {
            Origin::Dir(d) | Origin::Revision { dir: d, .. } => repo_relative(d),
            _ => String::new(),
        };
        Ok(Platform {
            config_name,
            sources,
            renderer: Renderer::new(templates(&components), None)?,
            components,
            template_dir: None,
            vendored: std::sync::OnceLock::new(),
            loading: std::sync::Mutex::new(None),
        })
    }

    /// Loads a config held in memory: `(relative path, text)` pairs of
    /// `platform.yaml` and `envs/<env>.yaml`.
    pub fn from_files(files: &[(String, String)]) -> Result<Platform> {
        Platform::from_sources(crate::load::load_files(files)?)
    }

    /// Loads `DIR/platform.yaml` and `DIR/envs/*.yaml`.
    pub fn load(dir: &Path) -> Result<Platform> {
        // The vendored charts are read while the config is: both are
        // needed before the first render.
        let charts = crate::charts::Loader::start(dir);
        let platform = Platform::from_sources(load_dir(dir)?)?;
        *platform.loading.lock().expect("not poisoned") = charts;
        Ok(platform)
    }

    /// Loads the config in `DIR` as revision `rev` (a branch, tag or
    /// commit) of the Git repository holding `DIR` has it, through the
    /// `git` CLI; the working tree is not touched. Templates are the
    /// built-in ones until [`Platform::with_templates`].
    pub fn load_revision(dir: &Path, rev: &str) -> Result<Platform> {
        Platform::from_sources(crate::load::load_rev(dir, rev)?)
    }

    /// Replaces built-in templates with the same-named files in `dir`; a
    /// file there that replaces no template is an error.
    pub fn with_templates(mut self, dir: &Path) -> Result<Platform> {
        self.template_dir = Some(dir.to_path_buf());
        self.renderer = Renderer::new(templates(&self.components), Some(dir))?;
        Ok(self)
    }

    /// Adds a component the crate does not ship, after the built-in ones:
    /// it reads its section `components.<its name in camelCase>` and
    /// renders with its own template, like any built-in component.
    pub fn with_component(mut self, component: impl Component) -> Result<Platform> {
        let mut registry = Registry(std::mem::take(&mut self.components));
        registry.add(component);
        self.components = registry.0;
        self.renderer = Renderer::new(templates(&self.components), self.template_dir.as_deref())?;
        Ok(self)
    }

    /// The JSON Schemas of this platform's config and env overlays, as
    /// `(file name, text)`: every component's section included.
    pub fn schemas(&self) -> Vec<(String, String)> {
        crate::schema::schema_files(&self.components)
    }

    /// The example platform as editable config (what `gen init` writes):
    /// `(relative path, text)` of `platform.yaml`, `envs/*.yaml` and the
    /// schemas.
    pub fn example_files() -> Vec<(String, String)> {
        crate::schema::init_files(&builtin_components())
    }

    /// Every chart the enabled Helm components of any env install, each
    /// once, with the envs and components that install it.
    pub fn chart_uses(&self) -> Result<Vec<crate::vendor::ChartUse>> {
        let envs = self.all_envs()?;
        let resolved = crate::error::all_of(
            envs.iter()
                .map(|env| {
                    let r = self.resolve(env)?;
                    let charts = r
                        .charts()
                        .into_iter()
                        .map(|(k, c, at)| (k, c.clone(), at))
                        .collect::<Vec<_>>();
                    Ok((env.clone(), charts))
                })
                .collect(),
        )?;
        crate::vendor::uses(resolved)
    }

    /// The config directory, for what is kept beside the config.
    fn config_dir(&self, what: &str) -> Result<&Path> {
        match &self.sources.origin {
            Origin::Dir(d) => Ok(d),
            _ => Err(Error::Usage(
                Diagnostic::new(format!("{what} keeps charts in the config directory, and there is none here (the built-in example is used)"))
                    .help("write the example as config with `gen init platform` (or pass --config DIR), then run it there"),
            )),
        }
    }

    /// The config directory's vendored charts (`gen vendor`), read and
    /// verified once; `None` when there is no `charts.lock` (or no config
    /// directory): values are then not checked against charts.
    pub fn vendored(&self) -> Result<Option<&crate::charts::Vendored>> {
        let loaded = self.vendored.get_or_init(|| {
            let started = self.loading.lock().ok().and_then(|mut l| l.take());
            match (started, &self.sources.origin) {
                (Some(loader), _) => loader.finish().map(Some),
                (None, Origin::Dir(d)) => crate::charts::Vendored::load(d),
                (None, _) => Ok(None),
            }
        });
        match loaded {
            Ok(v) => Ok(v.as_ref()),
            Err(ds) => Err(Error::Config(ds.clone())),
        }
    }

    /// Checks what gen claims about the charts against the charts
    /// themselves (`gen verify`): every Helm release of `envs` is rendered
    /// with its vendored chart and gen's values by the real Helm (`$HELM`
    /// or `helm` on PATH; one process per release, in parallel), and every
    /// address a component declares must be a Service and port its chart
    /// creates, every custom resource must come after its definition,
    /// every Secret a pod reads must be provided, every image must come
    /// from where `images` says. Needs vendored charts. What each render
    /// gave is kept in `cache` (see
    /// [`verify::default_cache`](crate::verify::default_cache)) by all it
    /// depends on, so an unchanged release is not rendered again.
    pub fn verify(
        &self,
        envs: &[String],
        cache: Option<&Path>,
    ) -> Result<Vec<crate::verify::Verified>> {
        let vendored = self.vendored_for("gen verify")?;
        // Run only for a release not kept from before.
        let helm = crate::verify::Helm::named(cache);
        let (rendered, objects) = self.render_all_resolved(envs)?;
        crate::verify::verify(&rendered, &objects, vendored, &helm)
    }

    /// The vendored charts, which `what` renders: an error saying to vendor
    /// them when there are none.
    fn vendored_for(&self, what: &str) -> Result<&crate::charts::Vendored> {
        self.vendored()?.ok_or_else(|| {
            Error::Usage(
                Diagnostic::new(format!("{what} renders the vendored charts, and this config has none (no charts.lock)"))
                    .help("run `gen vendor` first: it pulls every pinned chart into charts/ and writes charts.lock"),
            )
        })
    }

    /// The plan of `env` with every release of a vendored chart counted
    /// from its objects as Helm renders them (pods, requests and limits,
    /// volumes, hook Jobs), not estimated; the rest as [`plan`](Self::plan)
    /// gives it. Renders are kept in `cache` as for [`verify`](Self::verify).
    pub fn plan_counted(&self, env: &str, cache: Option<&Path>) -> Result<Plan> {
        let Some(vendored) = self.vendored()? else {
            return self.plan(env);
        };
        let helm = crate::verify::Helm::named(cache);
        let (envs, objects) = self.render_all_resolved(&[env.to_string()])?;
        let verified = crate::verify::verify(&envs, &objects, vendored, &helm)?;
        let counted = verified
            .into_iter()
            .flat_map(|v| v.releases)
            .map(|rel| (rel.component.clone(), (rel.chart.clone(), rel.workloads)))
            .collect();
        Ok(aggregate::plan_with(&envs[0].0, &counted))
    }

    /// Renders `envs` hydrated (`gen render --hydrate`): every release of a
    /// vendored chart whose render holds no Secret and is the same twice
    /// (no generated passwords, keys or certificates) is rendered by Helm
    /// into the env's `rendered/<component>/`, one file per object, and its
    /// Application applies that directory: Argo CD syncs reviewed objects
    /// and runs no Helm. The other releases stay Helm sources; each tree
    /// comes with why, per release.
    pub fn hydrate(&self, envs: &[String]) -> Result<Vec<(RenderedTree, Vec<String>)>> {
        let vendored = self.vendored_for("--hydrate")?;
        let helm = crate::verify::Helm::named(None);
        let (rendered, objects) = self.render_all_resolved(envs)?;
        let hydrated =
            crate::verify::hydrate(&rendered, &objects, vendored, &helm, |env| self.header(env))?;
        let trees = crate::parallel::in_parallel(&hydrated, |h| {
            Ok((
                self.render_env(&self.sources, &h.env, h, false)?.1,
                h.kept.clone(),
            ))
        });
        crate::error::all_of(trees)
    }

    /// Writes rendered `trees` (those of [`hydrate`](Self::hydrate)) under
    /// `out` as one transaction, as [`write_all`](Self::write_all) does.
    pub fn write_trees(
        &self,
        out: &Path,
        trees: &[RenderedTree],
        options: &crate::write::WriteOptions,
    ) -> Result<Vec<(String, crate::write::WriteReport)>> {
        let envs: Vec<String> = trees.iter().map(|t| t.env.clone()).collect();
        crate::write::write_envs(out, &envs, options, |env| {
            Ok(trees
                .iter()
                .find(|t| t.env == env)
                .expect("a tree per env")
                .clone())
        })
    }

    /// Pulls every chart the envs install with Helm into the config
    /// directory's `charts/` and records each in `charts.lock` (`gen
    /// vendor`). A chart whose pin and package match the lock is not
    /// pulled again; nothing is changed unless every pull succeeds.
    pub fn vendor(
        &self,
        options: &crate::vendor::VendorOptions,
    ) -> Result<crate::vendor::VendorReport> {
        let dir = self.config_dir("gen vendor")?;
        let mut report = crate::vendor::vendor(dir, &self.chart_uses()?, options)?;
        for m in std::mem::take(&mut report.moved) {
            let keys = |bytes: &[u8]| {
                crate::charts::Package::read(bytes)
                    .map_err(|e| e.to_string())
                    .and_then(|p| crate::charts::ChartKeys::of(&p))
            };
            let (Ok(old), Ok(new)) = (keys(&m.old), keys(&m.new)) else {
                continue;
            };
            let (written, open) = self.written_values(&m.used_by)?;
            report
                .upgrades
                .push(crate::charts::upgrade::compare(&old, &new, &written, &open));
        }
        Ok(report)
    }

    /// What is wrong with the vendored charts (`gen vendor --check`): a
    /// pin not vendored, a package missing or not the one locked, a locked
    /// chart nothing installs. Empty when all agree.
    pub fn vendor_check(&self) -> Result<Vec<String>> {
        let dir = self.config_dir("gen vendor --check")?;
        crate::vendor::check(dir, &self.chart_uses()?)
    }

    /// Names of the envs, sorted.
    pub fn envs(&self) -> Vec<String> {
        self.sources.envs.keys().cloned().collect()
    }

    /// Every env, for the `*_all` methods: a config without one is an error.
    fn all_envs(&self) -> Result<Vec<String>> {
        let envs = self.envs();
        if envs.is_empty() {
            return Err(Error::Usage(
                Diagnostic::new("the config defines no env").help("add envs/<env>.yaml"),
            ));
        }
        Ok(envs)
    }

    /// Where the config came from.
    pub fn origin(&self) -> &Origin {
        &self.sources.origin
    }

    /// Merges and validates one env.
    pub(crate) fn resolve(&self, env: &str) -> Result<Resolved> {
        resolve(&self.sources, env, &self.components)
    }

    /// One env's config as gen reads it: both files merged and every
    /// default applied, as YAML (a valid `platform.yaml` on its own).
    pub fn effective_config(&self, env: &str) -> Result<String> {
        let config = self.resolve(env)?.effective_config();
        Ok(crate::yaml::to_yaml(&config).expect("config serialises"))
    }

    /// The error for keys of `values:` the typed values already hold, each
    /// naming the settings that write it: found by sensitivity, on the
    /// env's config without any `values:`.
    fn typed_conflicts(&self, r: &Resolved, conflicts: &[crate::build::values::Conflict]) -> Error {
        let mut effective = r.effective_config();
        if let Some(serde_json::Value::Object(sections)) = effective.get_mut("components") {
            for section in sections.values_mut() {
                if let Some(s) = section.as_object_mut() {
                    s.remove("values");
                }
            }
        }
        let measured = self.sensitivity_of(&r.env, &effective, "").ok();
        let found = conflicts
            .iter()
            .map(|c| {
                let path = c.path.join(".");
                let feeding = measured
                    .as_ref()
                    .map(|m| m.feeding(&c.file, &path))
                    .unwrap_or_default();
                let help = match feeding.as_slice() {
                    [] => "gen always writes this value, whatever the config says (the platform relies on it): remove it from `values:`".to_string(),
                    [one] => format!("set `{one}` instead: gen writes this value from it"),
                    many => format!(
                        "gen writes this value from {}: set those instead",
                        many.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                let at = c.config_path();
                Diagnostic::new(format!(
                    "{}: `{path}` is written by gen; `values:` cannot set it too",
                    c.file
                ))
                .at(Some(r.locate(&at)))
                .path(at.join("."))
                .help(help)
            })
            .collect();
        Error::Config(crate::error::in_file_order(found))
    }

    /// The dependency graph of one env and the sync wave of each component.
    pub fn graph(&self, env: &str) -> Result<Graph> {
        graph(&self.resolve(env)?)
    }

    /// The Helm releases one env renders, in component order.
    pub fn releases(&self, env: &str) -> Result<Vec<Release>> {
        let r = self.resolve(env)?;
        Ok(r.enabled()
            .filter_map(|(c, slot)| match c.delivery(&r, slot) {
                Delivery::Helm(chart) => Some(Release {
                    component: c.name(),
                    name: slot
                        .common
                        .release
                        .clone()
                        .unwrap_or_else(|| c.name().into()),
                    namespace: slot.namespace().to_string(),
                    chart,
                    values_file: format!("values/{}.yaml", c.name()),
                    open_values: c.open_values(),
                }),
                _ => None,
            })
            .collect())
    }

    /// What one env costs: pods, CPU, memory and storage per component,
    /// per namespace and in total, against its declared capacity.
    pub fn plan(&self, env: &str) -> Result<Plan> {
        Ok(aggregate::plan(&self.resolve(env)?))
    }

    /// Renders one env: resolve → graph → plan (capacity) → build → render
    /// → read back. Nothing is written. Fails when the env's requests
    /// exceed its declared capacity.
    pub fn render(&self, env: &str) -> Result<RenderedTree> {
        self.render_sources(&self.sources, env)
    }

    /// [`render`](Self::render) of other config files with this platform's
    /// components and templates.
    pub(crate) fn render_sources(&self, sources: &Sources, env: &str) -> Result<RenderedTree> {
        Ok(self
            .render_env(sources, env, &crate::verify::Hydrated::default(), false)?
            .1)
    }

    /// [`render`](Self::render), with the env as resolved for it and the
    /// objects of its `manifests/` and `apps/` (for `gen verify`).
    fn render_resolved(
        &self,
        env: &str,
    ) -> Result<(Resolved, RenderedTree, crate::verify::Objects)> {
        let (r, tree, objects) = self.render_env(
            &self.sources,
            env,
            &crate::verify::Hydrated::default(),
            true,
        )?;
        Ok((r, tree, crate::verify::Objects::new(objects)))
    }

    /// Every env of `envs` by [`render_resolved`](Self::render_resolved),
    /// in parallel: `(resolved, rendered)` pairs and their objects.
    #[allow(clippy::type_complexity)]
    fn render_all_resolved(
        &self,
        envs: &[String],
    ) -> Result<(Vec<(Resolved, RenderedTree)>, Vec<crate::verify::Objects>)> {
        let all = crate::parallel::in_parallel(envs, |env| self.render_resolved(env));
        Ok(crate::error::all_of(all)?
            .into_iter()
            .map(|(r, t, o)| ((r, t), o))
            .unzip())
    }

    /// [`render_sources`](Self::render_sources), the components in
    /// `hydrated` applied from their rendered objects, which join the tree.
    /// With `keep`, the objects of its `manifests/` and `apps/` files too,
    /// as built (each file is proven to read back as them).
    #[allow(clippy::type_complexity)]
    fn render_env(
        &self,
        sources: &Sources,
        env: &str,
        hydrated: &crate::verify::Hydrated,
        keep: bool,
    ) -> Result<(Resolved, RenderedTree, Vec<(String, serde_json::Value)>)> {
        let vendored = self.vendored()?;
        let names: Vec<String> = hydrated.files.keys().cloned().collect();
        let build = || self.documents(sources, env, vendored.is_some(), &names);
        let (resolved, docs) = if keep {
            crate::yaml::keeping_json(build)?
        } else {
            build()?
        };
        let mut objects = Vec::new();
        let header = self.header(env);
        let mut files = std::collections::BTreeMap::new();
        let mut problems = Vec::new();
        if let Some(vendored) = vendored {
            let found = crate::chart_check::check(&resolved, &docs, vendored);
            if !found.is_empty() {
                return Err(Error::Config(crate::error::in_file_order(found)));
            }
        }
        for doc in docs {
            if keep && (doc.path.starts_with("manifests/") || doc.path.starts_with("apps/")) {
                objects.extend(doc.expect.iter().map(|e| (doc.path.clone(), e.to_json())));
            }
            let text =
                self.renderer
                    .render(doc.template, &header, &doc.data, doc.view, &doc.expect)?;
            if let Err(d) = read_back(&format!("{env}/{}", doc.path), &text, &doc.expect) {
                problems.push(d);
            }
            files.insert(doc.path, text);
        }
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        for rendered in hydrated.files.values() {
            files.extend(rendered.iter().cloned());
        }
        let tree = RenderedTree {
            env: env.to_string(),
            repo_dir: crate::build::argocd::env_dir(&resolved.platform, env),
            files,
        };
        Ok((resolved, tree, objects))
    }

    /// Resolves and builds one env: resolve → graph → plan (capacity) →
    /// build, `values:` merged; `keep_json` keeps each values file's values
    /// as JSON.
    fn documents(
        &self,
        sources: &Sources,
        env: &str,
        keep_json: bool,
        hydrated: &[String],
    ) -> Result<(Resolved, Vec<crate::model::Document>)> {
        let mut resolved = resolve(sources, env, &self.components)?;
        resolved.checks_values = keep_json;
        resolved.hydrated = hydrated.to_vec();
        let graph = graph(&resolved)?;
        // Only a declared capacity can be exceeded.
        if resolved.platform.capacity.is_some() {
            let over = capacity::over_capacity(&resolved, &aggregate::plan(&resolved));
            if !over.is_empty() {
                return Err(Error::Validation(over));
            }
        }
        let mut docs = crate::build::build(&resolved, &graph)?;
        let conflicts = crate::build::values::apply(&resolved, &mut docs);
        if !conflicts.is_empty() {
            return Err(self.typed_conflicts(&resolved, &conflicts));
        }
        Ok((resolved, docs))
    }

    /// The values gen writes for `used_by` (`env/component key`), each
    /// with who writes it, and the free-form paths its component declares.
    fn written_values(
        &self,
        used_by: &[String],
    ) -> Result<(Vec<crate::charts::upgrade::Written>, Vec<&'static str>)> {
        let mut written = Vec::new();
        let mut open = Vec::new();
        for who in used_by {
            let Some((env, k)) = who.split_once('/') else {
                continue;
            };
            let (resolved, docs) = self.documents(&self.sources, env, true, &[])?;
            let Some((c, _)) = resolved
                .enabled()
                .find(|(c, _)| crate::resolve::erased::key(*c) == k)
            else {
                continue;
            };
            open.extend(c.open_values().iter().map(|(p, _)| *p));
            let file = format!("values/{}.yaml", c.name());
            if let Some(json) = docs
                .into_iter()
                .find(|d| d.path == file)
                .and_then(|d| d.json)
            {
                written.push((who.clone(), json));
            }
        }
        open.sort_unstable();
        open.dedup();
        Ok((written, open))
    }

    /// Renders every env and compares it with `<out>/<env>/`, in parallel,
    /// holding one tree per core at a time: the drift of every env, in env
    /// order, or every env's config problems (else the first error in env
    /// order).
    pub fn check_all(&self, out: &Path) -> Result<Vec<crate::write::Drift>> {
        let envs = self.all_envs()?;
        crate::write::checking(out, || {
            let results =
                crate::parallel::in_parallel(&envs, |env| self.render(env)?.check_locked(out));
            Ok(crate::error::all_of(results)?
                .into_iter()
                .flatten()
                .collect())
        })
    }

    /// Renders every env and writes it under `out` as one transaction, in
    /// parallel, holding little in memory: each worker renders an env and
    /// stages it at once. Only when every env has rendered and staged is
    /// anything put in place, so a failure anywhere leaves every env as it
    /// was and returns every env's config problems (else the first error in
    /// env order); a report per env, in order. Waits for another gen writing `out`.
    pub fn write_all(&self, out: &Path) -> Result<Vec<(String, crate::write::WriteReport)>> {
        self.write_all_with_options(out, &crate::write::WriteOptions::default())
    }

    /// [`write_all`](Self::write_all) with [`crate::WriteOptions`].
    pub fn write_all_with_options(
        &self,
        out: &Path,
        options: &crate::write::WriteOptions,
    ) -> Result<Vec<(String, crate::write::WriteReport)>> {
        let envs = self.all_envs()?;
        crate::write::write_envs(out, &envs, options, |env| self.render(env))
    }

    /// Renders every env, in parallel (one worker per core); the result is
    /// in env order, or the first error in env order.
    pub fn render_all(&self) -> Result<Vec<RenderedTree>> {
        let envs = self.all_envs()?;
        let results = crate::parallel::in_parallel(&envs, |env| self.render(env));
        crate::error::all_of(results)
    }

    /// The fleet's bootstrap, to apply once in Argo CD's namespace: one
    /// ApplicationSet (per GitOps directory the envs share) whose Git
    /// generator makes every env's root Application from the env
    /// directories committed there — envs rendered later included.
    pub fn bootstrap(&self) -> Result<String> {
        let envs = self.all_envs()?;
        let resolved = crate::error::all_of(envs.iter().map(|env| self.resolve(env)).collect())?;
        // Two groups over one directory would make the same Applications.
        let mut seen: std::collections::BTreeMap<(String, String, String), &Resolved> =
            std::collections::BTreeMap::new();
        for r in &resolved {
            let a = &r.platform.argocd;
            let key = (
                a.repo_url.clone(),
                a.target_revision.clone(),
                a.path.trim_matches('/').to_string(),
            );
            if let Some(other) = seen.get(&key) {
                let b = &other.platform.argocd;
                if (&a.namespace, &a.project) != (&b.namespace, &b.project) {
                    return Err(Error::Usage(
                        Diagnostic::new(format!(
                            "envs `{}` and `{}` are committed to one directory but differ in argocd.namespace or argocd.project, so one ApplicationSet cannot start both",
                            other.env, r.env
                        ))
                        .help("give them the same argocd.namespace and argocd.project, or different argocd.path"),
                    ));
                }
            }
            seen.entry(key).or_insert(r);
        }
        let refs: Vec<&Resolved> = resolved.iter().collect();
        let name = &resolved[0].platform.name;
        let mut out = String::from(
            "# Generated by platgen (`gen bootstrap`) from platform.yaml + envs/*.yaml.\n# Apply once: every env committed under the GitOps directory gets its root\n# Application from it (kubectl apply -f bootstrap.yaml).\n",
        );
        for set in crate::build::argocd::bootstrap(name, &refs) {
            out.push_str("---\n");
            out.push_str(&crate::yaml::to_yaml(&set).expect("an ApplicationSet serialises"));
        }
        Ok(out)
    }

    /// The header of every file. It names the config files as the
    /// repository holding them sees them (`platform/platform.yaml +
    /// platform/envs/prod.yaml`), so it is the same from any working
    /// directory and on any machine; the built-in example's and in-memory
    /// files' have no directory.
    fn header(&self, env: &str) -> String {
        let dir = &self.config_name;
        format!(
            "# Generated by platgen (`gen render --env {env}`) from {dir}platform.yaml + {dir}envs/{env}.yaml.\n# Do not edit: change the config and render again."
        )
    }
}

/// `dir` as the Git work tree holding it names it, with a trailing `/`
/// (`platform/`; empty at the top of the work tree); outside one, its last
/// component (`cfg/`).
fn repo_relative(dir: &Path) -> String {
    let Ok(full) = std::fs::canonicalize(dir) else {
        return String::new();
    };
    let rel = full
        .ancestors()
        .find(|a| a.join(".git").exists())
        .and_then(|top| full.strip_prefix(top).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| full.file_name().map(Into::into).unwrap_or_default());
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readback::is_verbatim;

    #[test]
    fn the_config_is_named_as_its_repository_sees_it() {
        let w = tempfile::tempdir().unwrap();
        let repo = w.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("deploy/platform")).unwrap();
        assert_eq!(
            repo_relative(&repo.join("deploy/platform")),
            "deploy/platform/"
        );
        assert_eq!(
            repo_relative(&repo.join("deploy/./platform/")),
            "deploy/platform/"
        );
        assert_eq!(repo_relative(&repo), "");
        // Outside a work tree: the directory's own name.
        std::fs::create_dir_all(w.path().join("cfg")).unwrap();
        assert_eq!(repo_relative(&w.path().join("cfg")), "cfg/");
    }

    /// Every file of the built-in platform is the serialiser's documents
    /// between the template's comments, so none needs parsing back.
    #[test]
    fn builtin_files_are_verbatim() {
        let platform = Platform::builtin().unwrap();
        for env in platform.envs() {
            let resolved = platform.resolve(&env).unwrap();
            let graph = graph(&resolved).unwrap();
            let mut files = 0;
            for doc in crate::build::build(&resolved, &graph).unwrap() {
                let text = platform
                    .renderer
                    .render(doc.template, "# h", &doc.data, doc.view, &doc.expect)
                    .unwrap();
                assert!(
                    is_verbatim(&text, &doc.expect),
                    "{env}/{}:\n{text}",
                    doc.path
                );
                files += 1;
            }
            assert!(files > 10, "{env}: {files} files");
        }
    }
}
