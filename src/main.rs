//! `gen`: the command line of platgen. All logic lives in the library; this
//! file parses flags, calls it, prints, and maps errors to exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod fleet;

use clap::{Args, Parser, Subcommand};
use platgen::Drift;
use platgen::{Error, Platform, RenderedTree};

/// A rendering is many small allocations on every core; mimalloc's
/// per-thread heaps make them several times cheaper than the system
/// allocator's (see README, Performance). Built with `no_thp`: a run lasts
/// milliseconds, and transparent huge pages cost it compaction stalls and
/// zeroing 2 MB at a time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Render a typed Kubernetes data platform into Helm values, manifests and
/// Argo CD Applications for a GitOps repository.
#[derive(Parser)]
#[command(name = "gen", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  gen render --env prod                 print prod as one YAML stream\n  gen render --all --out gitops         write every env under gitops/\n  gen check --all --out gitops          fail (exit 1) if gitops/ is stale\n\nExit codes: 0 success; 1 drift found or output failed validation; 2 bad usage or invalid config."
)]
struct Cli {
    /// Platform config directory (platform.yaml + envs/ENV.yaml).
    /// Default: ./platform when it exists, else the built-in example platform.
    #[arg(long, global = true, value_name = "DIR")]
    config: Option<PathBuf>,
    /// Directory of templates overriding the built-in ones (same file names).
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print where the config comes from and how long each step took.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render one env (or all) to a directory, or to stdout as one YAML stream.
    #[command(
        after_help = "Every file is checked before anything is written: it must be the emitted documents unchanged between the template's comments, or parse back into them. A failed render changes nothing: with --all, envs render in parallel (one worker per core) and are staged in DIR/.gen-txn, and none is put in place unless all rendered and staged. One render writes DIR at a time (a second waits, or fails with --no-wait); a render that was killed is completed by the next one.\n\n--hydrate (charts vendored; Helm needed) commits what Helm renders: each release of a vendored chart whose render holds no Secret and is the same twice (nothing generated: passwords, keys, certificates) is written one object per file to DIR/ENV/rendered/<component>/<kind>-<name>.yaml, Helm hooks as Argo CD hooks (pre-install/upgrade: PreSync, post-install/upgrade: PostSync, post-delete: PostDelete; weights as sync waves; test hooks left out), and its Application applies that directory: Argo CD syncs reviewed YAML and runs no Helm. Every other release stays a Helm source, and gen says why. Check the tree with `gen check --hydrate`; a render without --hydrate writes the Helm sources back (and prunes rendered/).\n\nExamples:\n  gen render --env prod\n  gen render --env prod --out gitops\n  gen render --all --out gitops --config ./platform\n  gen render --all --out gitops --hydrate"
    )]
    Render {
        #[command(flatten)]
        select: Select,
        /// Output directory; the files of env ENV go to DIR/ENV/. Without it,
        /// files are printed to stdout, each introduced by `# Source: PATH`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Fail at once when another gen is writing or checking DIR,
        /// instead of waiting for it.
        #[arg(long, requires = "out")]
        no_wait: bool,
        /// Commit the objects Helm renders for each release whose render is
        /// safe and stable, applied as plain directories (see below).
        #[arg(long)]
        hydrate: bool,
    },
    /// Check that a rendered directory is up to date; exit 1 with a diff if not.
    #[command(
        after_help = "The env is rendered in memory and compared with DIR: a file missing, changed or no longer generated is drift. With charts vendored (charts.lock), `gen verify` runs too, with the same cache: what gen claims about the charts is checked against them rendered by Helm ($HELM, or helm on PATH); `--no-verify` compares only.\n\nExit status: 0 up to date (and verified), 1 drift or verify findings, 2 error.\n\nExamples:\n  gen check --env prod --out gitops\n  gen check --all --out output\n  gen check --all --out gitops --no-verify"
    )]
    Check {
        #[command(flatten)]
        select: Select,
        /// The directory `gen render --out` wrote.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Output format: a unified diff for people, JSON for machines.
        #[arg(long, value_enum, default_value_t = CheckFormat::Diff)]
        format: CheckFormat,
        /// Compare only: with charts vendored, do not also run `gen verify`
        /// (which needs Helm).
        #[arg(long)]
        no_verify: bool,
        /// Compare with the tree `gen render --hydrate` writes.
        #[arg(long)]
        hydrate: bool,
    },
    /// Check what gen claims about the charts against the charts rendered
    /// for real: every address names a Service and port its chart or
    /// operator creates.
    #[command(
        after_help = "Every Helm release of the env is rendered with its vendored chart (charts/, from `gen vendor`) and the values gen writes, by the real Helm ($HELM, or helm on PATH; one `helm template` per release, in parallel). Every address a component declares — what DataHub connects to for Elasticsearch, Kafka and Neo4j, Superset for Doris, every smoke check's target — must then be a Service, and a port of it, that the component's chart creates in its namespace. A finding names the address, what the chart creates instead, and the config line of the release. Every custom resource gen writes (DorisCluster, RayCluster, RayJob, RayService) must also have its definition installed by a release in an earlier sync wave (or by its own Application when that skips the dry run for missing kinds); definitions no release installs (External Secrets') are listed as installed outside the platform. Every Secret a chart's pods read (not marked optional) must be created by the chart or known to gen — rendered as an ExternalSecret, or listed by `gen plan` as a prerequisite — with the key read. And every image the charts and gen's manifests run must come from where `images` says: through `images.mirror.registry` when set, the Bitnami charts' from `images.bitnamiRegistry`/`bitnamiNamespace`. Services an operator makes from gen's custom resources are checked by the operators' naming rules at the pinned versions (doris-operator 26.0.0, KubeRay 1.7.0):\n  DorisCluster N  N-fe-service 8030/9020/9030/9010, N-fe-internal 9030, N-be-service 9060/8040/9050/8060, N-be-internal 9050 (cnSpec: N-cn-*, as the BE's; brokerSpec: N-broker-internal 8000)\n  RayCluster N    N-head-svc (or headGroupSpec.headService's name): the head container's ports (none declared: 6379/8265/10001/8000) and metrics 8080\n  RayService N    N-head-svc as above; N-serve-svc (or serveService's name): the head ports named serve or serve-*, and no Service without one\n  RayJob N        N-head-svc as above; with clusterSelector none: its ray.io/cluster must name a RayCluster in its namespace\nEvery Ingress gen writes must send to a Service and port a chart or operator makes; addresses of what a Git source (Kubeflow) makes, and of services outside the platform (`external:`), are listed as not checked.\n\nExit status: 0 verified, 1 findings, 2 error.\n\nExamples:\n  gen verify --env prod --config platform\n  gen verify --all --config platform --format json"
    )]
    Verify {
        #[command(flatten)]
        select: Select,
        /// Where what each render gave is kept, by everything it depends
        /// on (Helm, the package, release, namespace, values) [default:
        /// $PLATGEN_CACHE_DIR, else $XDG_CACHE_HOME/platgen, else
        /// ~/.cache/platgen].
        #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
        cache: Option<PathBuf>,
        /// Render every release again, keeping nothing.
        #[arg(long)]
        no_cache: bool,
        /// Text for people, JSON for tools.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Show what a change does to every env: the config at a Git revision
    /// against the working config, or two rendered trees, compared as YAML.
    #[command(
        after_help = "Values files are compared by path, manifests by object (kind, namespace, name) and then by path; reordered keys are no change, lists of named items are matched by name. Envs with the same change are reported once. Values that may be credentials are never shown.\n\nExit status: 0 no change, 1 changes, 2 error (like diff).\n\nExamples:\n  gen diff --base main\n  gen diff --base HEAD~1 --env prod\n  gen diff --base origin/main --format markdown > comment.md\n  gen diff --base main --objects\n  gen diff gitops-before gitops\n\nWith --objects, each release whose values or chart changed is also rendered by the real Helm ($HELM or helm on PATH) on both sides, with the chart vendored on that side (the base's read from the revision, its digest checked), and its Kubernetes objects are compared under `helm:<component>`: a replicas edit shows as the StatefulSet's spec.replicas. Each side is rendered twice, and what differs between the two renders (passwords, keys and checksums the chart generates) is no change. A Secret's data is never shown, only its keys. Charts must be vendored on both sides (gen vendor)."
    )]
    Diff {
        /// The Git revision to compare the working config with (a branch,
        /// tag or commit of the repository holding the config directory).
        #[arg(long, value_name = "REV", conflicts_with = "dirs")]
        base: Option<String>,
        /// Only this env.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Text for people, markdown for a pull-request comment, JSON for tools.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Also compare the Kubernetes objects the vendored charts render
        /// for each release the change reaches (runs Helm; needs --base).
        #[arg(long)]
        objects: bool,
        /// Two rendered trees to compare instead: OLD_DIR NEW_DIR.
        #[arg(value_name = "DIR", num_args = 2)]
        dirs: Vec<PathBuf>,
    },
    /// Say where an output value comes from (FILE PATH), or what a config
    /// value feeds (CONFIG.PATH).
    #[command(
        after_help = "gen renders the env once as it is and once per config value with that value changed: the values a change moves are the ones it feeds, so every answer is checked by a render. Each config value is shown with the files and lines that set it, base first (the last wins); none means gen's default, and with how the output follows it, as rendered: the value as it is, a text holding it, or else what the output was for the value as set and for each value tried (the rule, measured). An output value no config value moves is written by gen as it is.\n\nExamples:\n  gen explain --env prod values/kafka.yaml controller.replicaCount\n  gen explain --env prod manifests/doris.yaml spec.beSpec.replicas\n  gen explain --env prod components.kafka.controller.replicas\n  gen explain --env prod components.neo4j --format json"
    )]
    Explain {
        /// The env.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// A rendered file (`values/kafka.yaml`) and a value's path in it
        /// (`controller.replicaCount`), or one config path.
        #[arg(value_name = "FILE PATH | CONFIG.PATH", num_args = 1..=2, required = true)]
        target: Vec<String>,
        /// Text for people, JSON for tools.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Pull every chart the envs install into the config's charts/ with Helm,
    /// and record each in charts.lock; --check verifies them.
    #[command(
        after_help = "Every chart an enabled component installs in any env (its pin in `charts:`, or the built-in one) is pulled with `helm pull` ($HELM, or helm on PATH) from its HTTP repository or OCI registry into DIR/charts/, and DIR/charts.lock records its repository, version and sha256. A chart whose pin and package match the lock is not pulled again: change a pin and run gen vendor to refresh that chart alone. Packages the lock listed that no env installs any more are removed. Nothing changes unless every pull succeeds and every package reads back as the chart pinned (one folder, regular files only, within size limits).\n\nWhen a chart is pulled at a new version, gen compares it with the version vendored before for the values gen writes in every env that installs it: keys the new version no longer reads and values its values.schema.json refuses (errors: exit 1, the charts are vendored all the same and renders then fail), values it newly requires, and the defaults that changed below keys gen leaves unset (old → new).\n\n--check needs no Helm and no network: it exits 1 when a pinned chart is not vendored, a package is missing or not the one locked, or the lock lists a chart nothing installs.\n\nExamples:\n  gen vendor --config platform\n  gen vendor --config platform --format json | jq '.upgrades[].unread'\n  gen vendor --check --config platform"
    )]
    Vendor {
        /// Verify charts.lock against the pins and the packages instead of
        /// pulling; exit 1 on any mismatch.
        #[arg(long)]
        check: bool,
        /// Pull from OCI registries over plain HTTP (helm pull
        /// --plain-http), for a registry without TLS.
        #[arg(long, conflicts_with = "check")]
        plain_http: bool,
        /// What was pulled and the upgrade report: text, or JSON on
        /// standard output for CI.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text, conflicts_with = "check")]
        format: ExplainFormat,
    },
    /// Write a synthetic fleet config for benchmarks: the example platform
    /// with N env overlays varying replicas, volume sizes and image tags.
    #[command(
        after_help = "Examples:\n  gen fleet --count 1000 --out /dev/shm/fleet\n  gen render --all --config /dev/shm/fleet --out /dev/shm/out\n\nbench/fleet.sh times this for N = 1, 10, 100 and 1000."
    )]
    #[command(hide = true)]
    Fleet {
        /// Number of envs (1 to 100000).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        count: u32,
        /// Directory to create (empty or missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  gen completions bash > /etc/bash_completion.d/gen\n  gen completions zsh > \"${fpath[1]}/_gen\"\n  gen completions fish > ~/.config/fish/completions/gen.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show what an env costs: pods, CPU, memory and storage per component
    /// and namespace, against its declared capacity.
    #[command(
        after_help = "Examples:\n  gen plan --env prod\n  gen plan --env prod --format markdown >> PLAN.md\n  gen plan --env prod --compare staging\n  gen plan --env prod --format json | jq .total\n\nWith the charts vendored (charts.lock), every release of a vendored chart is counted from its objects as Helm renders them ($HELM, or helm on PATH; renders kept as `gen verify` keeps them): the pods of each Deployment, StatefulSet and ReplicaSet (at most what a HorizontalPodAutoscaler allows), Jobs and the Helm hooks that are Jobs, the containers' requests and limits, StatefulSets' volume claim templates and the chart's own PersistentVolumeClaims; a DaemonSet counts as one pod, CronJobs, Helm test hooks and init containers are left out. Without them (or with --estimate), a chart's figures are gen's estimates of its defaults, listed with their source.\nCustom resources (DorisCluster, RayCluster) are counted from gen's own specs, the operators' defaults listed with their source.\nAutoscaled groups count at maxReplicas in the worst case and against capacity."
    )]
    Plan {
        /// The env (the file envs/ENV.yaml of the config).
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
        format: PlanFormat,
        /// Show the difference from another env (ENV − OTHER) instead.
        #[arg(long, value_name = "OTHER")]
        compare: Option<String>,
        /// Estimate the charts' figures from gen's table of their defaults,
        /// without rendering the vendored charts (no Helm needed).
        #[arg(long)]
        estimate: bool,
    },
    /// Print the fleet's bootstrap: an Argo CD ApplicationSet that starts
    /// every env committed to the GitOps repository.
    #[command(
        after_help = "Apply it once, in Argo CD's cluster: its Git generator finds every env directory (DIR/ENV/apps) committed to argocd.repoUrl at argocd.targetRevision and makes that env's root Application, the same as the env's apps/root.yaml; envs rendered and committed later start by themselves, and an env whose directory is removed is removed with its resources. Root Applications stay in Argo CD's own cluster; each env's components go to its argocd.destinationServer.\n\nExamples:\n  gen bootstrap > bootstrap.yaml\n  gen bootstrap --config platform | kubectl apply -n argocd -f -"
    )]
    Bootstrap,
    /// Show the dependency graph of an env's components and their sync waves.
    #[command(
        after_help = "Examples:\n  gen graph --env prod\n  gen graph --env prod --format dot | dot -Tsvg > graph.svg"
    )]
    Graph {
        /// The env (the file envs/ENV.yaml of the config).
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Mermaid)]
        format: Format,
    },
    /// Write the example platform as editable config into DIR (which must
    /// be empty or not exist): platform.yaml, envs/*.yaml and their schemas.
    #[command(
        after_help = "Examples:\n  gen init platform\n  gen render --env prod --config platform\n\nEvery file starts with a `# yaml-language-server: $schema=` line, so VS Code\n(YAML extension) and Neovim (yamlls) complete keys and flag errors as you type."
    )]
    Init {
        /// Directory to create.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Write the JSON Schema of the platform config (for editors and CI).
    #[command(
        after_help = "Examples:\n  gen schema                  print the schema\n  gen schema --out schemas    write schemas/platform.schema.json"
    )]
    Schema {
        /// Directory to write platform.schema.json and env.schema.json to;
        /// without it, the config schema is printed.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    /// Unified diff and a `help:` line.
    Diff,
    /// JSON: `{"up_to_date": bool, "drift": [...]}`.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExplainFormat {
    /// The value, what feeds it and where that is set.
    Text,
    /// The same as JSON.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Per env group, file and object, one line per change.
    Text,
    /// A summary table and collapsed details, for a pull-request comment.
    Markdown,
    /// `{"changed": bool, "groups": [{"envs", "changes"}]}`.
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PlanFormat {
    /// Aligned columns.
    Table,
    /// Markdown tables.
    Markdown,
    /// JSON.
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct Select {
    /// The env to render (the file envs/ENV.yaml of the config).
    #[arg(long, value_name = "ENV")]
    env: Option<String>,
    /// Every env of the config.
    #[arg(long)]
    all: bool,
}

/// A line on standard error; a closed or full stderr is no reason to stop.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`say!`] without the newline.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// Writes `text` to standard output, every failure an error: a closed
/// pipe ends gen as SIGPIPE would (see `main`), a full disk is reported.
fn emit(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("write", "standard output", e))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`gen check … | head -1`): the exit of a
        // process killed by SIGPIPE, as the shell expects, and no message.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(141)
        }
        Err(e) => {
            say!("{e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn load(cli: &Cli) -> Result<Platform, Error> {
    let platform = match &cli.config {
        Some(dir) => Platform::load(dir)?,
        None if Path::new("platform/platform.yaml").is_file() => {
            Platform::load(Path::new("platform"))?
        }
        None => {
            if !cli.quiet {
                say!("note: no --config and no ./platform here: using the built-in example platform (`gen init platform` writes it as config to edit)");
            }
            Platform::builtin()?
        }
    };
    match &cli.templates {
        Some(dir) => platform.with_templates(dir),
        None => Ok(platform),
    }
}

fn write_config(dir: &Path, files: &[(String, String)], quiet: bool) -> Result<u8, Error> {
    let occupied = dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
    if occupied {
        return Err(Error::Usage(
            platgen::Diagnostic::new(format!("{} exists and is not empty", dir.display()))
                .help("give a new directory; gen init never overwrites files"),
        ));
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    }
    if !quiet {
        say!(
            "wrote the example platform to {}; render it with `gen render --env prod --config {}`",
            dir.display(),
            dir.display()
        );
    }
    Ok(0)
}

/// Says, once, that values are not checked against charts when the
/// config has none vendored.
fn note_unchecked(platform: &Platform, quiet: bool) -> Result<(), Error> {
    if !quiet && platform.vendored()?.is_none() {
        say!("note: values not checked against the charts: none vendored (`gen vendor` pulls them into the config's charts/)");
    }
    Ok(())
}

/// Says what a write does besides writing.
fn notify(message: &str) {
    say!("note: {message}");
}

/// Names the staging directories an interrupted render left in `out`.
fn warn_leftovers(out: &Path, quiet: bool) {
    let found = platgen::leftovers(out);
    if quiet || found.is_empty() {
        return;
    }
    for dir in &found {
        say!(
            "warning: {} was left by an interrupted render",
            dir.display()
        );
    }
    say!(
        "  the next `gen render --out {}` completes or removes it (rm -r {} discards it)",
        out.display(),
        found
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
}

/// The warning for a file in `apps/` that gen did not write.
fn foreign_warning(path: &Path) -> String {
    format!(
        "warning: {} is not gen's, and the root Application applies every file in apps/, this one too
  help: move it out of apps/ (or remove it); gen never changes or prunes it",
        path.display()
    )
}

/// The warning for an env directory its Applications will not find.
fn misplaced_warning(dir: &Path, want: &str) -> String {
    format!(
        "warning: {} does not end in {want}, the directory its Applications read in the GitOps repository (argocd.path/<env>)
  help: render into the directory argocd.path names (--out {}), or set argocd.path to where this tree is committed",
        dir.display(),
        want.rsplit_once('/').map_or(".", |(p, _)| p)
    )
}

/// Envs above which `--all` reports progress on a terminal.
const PROGRESS_ENVS: usize = 50;

/// Runs `work` over every env, with a progress line on a terminal when
/// there are many envs.
fn with_progress<T>(platform: &Platform, quiet: bool, work: impl FnOnce() -> T) -> T {
    let n = platform.envs().len();
    let show = !quiet && n > PROGRESS_ENVS && std::io::stderr().is_terminal();
    if show {
        say_part!("rendering {n} envs…");
    }
    let started = std::time::Instant::now();
    let result = work();
    if show {
        say!("\rrendered {n} envs in {:.2?}", started.elapsed());
    }
    result
}

/// The selected envs rendered hydrated, saying (unless `quiet`) which
/// releases stay Helm sources and why.
fn hydrated(platform: &Platform, select: &Select, quiet: bool) -> Result<Vec<RenderedTree>, Error> {
    let envs = match &select.env {
        Some(env) => vec![env.clone()],
        None => platform.envs(),
    };
    let mut trees = Vec::new();
    for (tree, kept) in platform.hydrate(&envs)? {
        if !quiet {
            for k in kept {
                say!("note: {}: {k}", tree.env);
            }
        }
        trees.push(tree);
    }
    Ok(trees)
}

fn render(platform: &Platform, select: &Select, quiet: bool) -> Result<Vec<RenderedTree>, Error> {
    match &select.env {
        Some(env) => Ok(vec![platform.render(env)?]),
        None => with_progress(platform, quiet, || platform.render_all()),
    }
}

/// `gen verify`'s report as JSON: every env's, and the findings.
fn verified_json(reports: &[platgen::verify::Verified]) -> serde_json::Value {
    let found: Vec<String> = reports
        .iter()
        .flat_map(|v| v.findings.iter().map(|d| d.to_string()))
        .collect();
    serde_json::json!({ "envs": reports, "findings": found })
}

/// `gen verify`'s report for people: the findings, then a line per env
/// (what was checked, with `-v`).
fn say_verified(reports: &[platgen::verify::Verified], cli: &Cli) {
    for d in reports.iter().flat_map(|v| &v.findings) {
        say!("{d}");
    }
    if cli.quiet {
        return;
    }
    for v in reports {
        say!(
            "{}: {} releases rendered with their charts; {} addresses checked, {} not checked (outside the platform, or made by a Git source or a chart not vendored); {} custom resources after their definitions, {} defined outside the platform; {} Secret reads provided; {} images checked",
            v.env,
            v.releases.len(),
            v.checked.len(),
            v.not_checked.len(),
            v.crds_checked.len(),
            v.crds_outside.len(),
            v.secrets_checked.len(),
            v.images_checked
        );
        if cli.verbose {
            for c in &v.checked {
                say!("  checked: {c}");
            }
            for c in &v.not_checked {
                say!("  not checked: {c}");
            }
            for c in v.crds_checked.iter().chain(&v.crds_outside) {
                say!("  custom resource: {c}");
            }
            for c in &v.secrets_checked {
                say!("  secret: {c}");
            }
        }
    }
}

fn run(cli: &Cli) -> Result<u8, Error> {
    if let Command::Schema { out } = &cli.command {
        let schemas = Platform::builtin()?.schemas();
        match out {
            None => emit(&schemas[0].1)?,
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
                for (name, text) in schemas {
                    let path = dir.join(name);
                    std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
                }
            }
        }
        return Ok(0);
    }
    if let Command::Completions { shell } = &cli.command {
        use clap::CommandFactory;
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "gen", &mut script);
        emit(&String::from_utf8_lossy(&script))?;
        return Ok(0);
    }
    if let Command::Init { dir } = &cli.command {
        return write_config(dir, &Platform::example_files(), cli.quiet);
    }
    if let Command::Fleet { count, out } = &cli.command {
        return write_config(out, &fleet::files(*count as usize), true);
    }
    if let Command::Diff {
        base,
        env,
        format,
        objects,
        dirs,
    } = &cli.command
    {
        let format = match format {
            DiffFormat::Text => platgen::diff::Format::Text,
            DiffFormat::Markdown => platgen::diff::Format::Markdown,
            DiffFormat::Json => platgen::diff::Format::Json,
        };
        let diff = match (base, dirs.as_slice()) {
            (Some(rev), _) => {
                let new = load(cli)?;
                let dir = match new.origin() {
                    platgen::Origin::Dir(d) => d.clone(),
                    _ => {
                        return Err(Error::Usage(
                            platgen::Diagnostic::new("gen diff --base compares a config directory in Git with a revision of it, and there is none here (the built-in example is used)")
                                .help("pass --config DIR (or run where ./platform is), or compare two rendered trees: gen diff OLD_DIR NEW_DIR"),
                        ))
                    }
                };
                let mut old = Platform::load_revision(&dir, rev)?;
                if let Some(t) = &cli.templates {
                    old = old.with_templates(t)?;
                }
                if *objects {
                    new.diff_objects(&old, env.as_deref())?
                } else {
                    new.diff(&old, env.as_deref())?
                }
            }
            (None, [_, _]) if *objects => {
                return Err(Error::Usage(
                    platgen::Diagnostic::new("gen diff --objects renders the config on both sides through its vendored charts, and two rendered trees hold no config")
                        .help("gen diff --base REV --objects; trees rendered with --hydrate hold their objects already: gen diff OLD_DIR NEW_DIR compares them"),
                ))
            }
            (None, [old, new]) => {
                let keep = |trees: Vec<RenderedTree>| -> Vec<RenderedTree> {
                    trees
                        .into_iter()
                        .filter(|t| env.as_ref().is_none_or(|e| *e == t.env))
                        .collect()
                };
                platgen::diff::diff_trees(
                    &keep(platgen::diff::read_trees(old)?),
                    &keep(platgen::diff::read_trees(new)?),
                )
            }
            _ => {
                return Err(Error::Usage(
                    platgen::Diagnostic::new("gen diff needs --base REV or two directories")
                        .help("gen diff --base main, or gen diff OLD_DIR NEW_DIR"),
                ))
            }
        };
        emit(&diff.report(format))?;
        return Ok(if diff.is_empty() { 0 } else { 1 });
    }
    let started = std::time::Instant::now();
    // Kept to the end of the process: freeing the config, the vendored
    // charts and their caches would only delay the exit.
    let platform: &'static Platform = Box::leak(Box::new(load(cli)?));
    if cli.verbose {
        let from = match platform.origin() {
            platgen::Origin::Builtin => "the built-in example platform".to_string(),
            platgen::Origin::Dir(d) => d.display().to_string(),
            platgen::Origin::Files => "files given in memory".to_string(),
            platgen::Origin::Revision { dir, rev } => format!("{} at {rev}", dir.display()),
        };
        say!("config: {from} (envs: {})", platform.envs().join(", "));
    }
    match &cli.command {
        Command::Render {
            select,
            out,
            no_wait,
            hydrate,
        } => {
            let hydrated = match hydrate {
                true => Some(hydrated(platform, select, cli.quiet)?),
                false => None,
            };
            let Some(dir) = out else {
                let trees = match hydrated {
                    Some(trees) => trees,
                    None => render(platform, select, cli.quiet)?,
                };
                for tree in trees {
                    emit(&tree.to_stream())?;
                }
                note_unchecked(platform, cli.quiet)?;
                return Ok(0);
            };
            // Every env rendered and staged before any is put in place.
            let options = platgen::WriteOptions {
                wait: !no_wait,
                notify: (!cli.quiet).then_some(notify as fn(&str)),
            };
            let reports = match (&hydrated, &select.env) {
                (Some(trees), _) => platform.write_trees(dir, trees, &options)?,
                (None, Some(env)) => {
                    let tree = platform.render(env)?;
                    vec![(tree.env.clone(), tree.write_with_options(dir, &options)?)]
                }
                (None, None) => with_progress(platform, cli.quiet, || {
                    platform.write_all_with_options(dir, &options)
                })?,
            };
            if cli.verbose {
                say!(
                    "rendered and wrote {} env(s) in {:.1?}",
                    reports.len(),
                    started.elapsed()
                );
            }
            for (env, report) in reports {
                if !cli.quiet {
                    say!(
                        "{env}: {} written, {} unchanged, {} removed ({})",
                        report.written,
                        report.unchanged,
                        report.removed,
                        dir.join(&env).display()
                    );
                    for f in &report.foreign {
                        say!("{}", foreign_warning(&dir.join(&env).join(f)));
                    }
                    if let Some(want) = &report.misplaced {
                        say!("{}", misplaced_warning(&dir.join(&env), want));
                    }
                }
            }
            note_unchecked(platform, cli.quiet)?;
            Ok(0)
        }
        Command::Verify {
            select,
            format,
            cache,
            no_cache,
        } => {
            let cache = match (no_cache, cache) {
                (true, _) => None,
                (false, Some(dir)) => Some(dir.clone()),
                (false, None) => platgen::verify::default_cache(),
            };
            let envs = match &select.env {
                Some(env) => vec![env.clone()],
                None => platform.envs(),
            };
            let reports = platform.verify(&envs, cache.as_deref())?;
            if *format == ExplainFormat::Json {
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&verified_json(&reports)).expect("serialises")
                ))?;
            } else {
                say_verified(&reports, cli);
            }
            Ok(u8::from(reports.iter().any(|v| !v.findings.is_empty())))
        }
        Command::Check {
            select,
            out,
            format,
            no_verify,
            hydrate,
        } => {
            // Each env is rendered and compared on a worker, then dropped.
            let found = match (hydrate, &select.env) {
                (true, _) => {
                    let mut found = Vec::new();
                    for tree in hydrated(platform, select, true)? {
                        found.extend(tree.check(out)?);
                    }
                    found
                }
                (false, Some(env)) => platform.render(env)?.check(out)?,
                (false, None) => platform.check_all(out)?,
            };
            if cli.verbose {
                say!("rendered and compared in {:.1?}", started.elapsed());
            }
            warn_leftovers(out, cli.quiet);
            // With charts vendored, what gen claims about them is verified too.
            let verified = if !no_verify && platform.vendored()?.is_some() {
                let envs = match &select.env {
                    Some(env) => vec![env.clone()],
                    None => platform.envs(),
                };
                let cache = platgen::verify::default_cache();
                match platform.verify(&envs, cache.as_deref()) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        say!("note: with charts vendored, gen check also runs `gen verify`, which needs Helm; `--no-verify` compares only");
                        return Err(e);
                    }
                }
            } else {
                None
            };
            let unverified = verified
                .as_ref()
                .is_some_and(|v| v.iter().any(|v| !v.findings.is_empty()));
            if *format == CheckFormat::Json {
                let (advisory, drift): (Vec<Drift>, Vec<Drift>) =
                    found.into_iter().partition(Drift::is_advisory);
                let json = |d: Drift| match d {
                    Drift::Missing(p) => serde_json::json!({"path": p, "kind": "missing"}),
                    Drift::Stale(p) => serde_json::json!({"path": p, "kind": "stale"}),
                    Drift::Interrupted(p) => {
                        serde_json::json!({"path": p, "kind": "interrupted"})
                    }
                    Drift::Changed(p, diff) => {
                        serde_json::json!({"path": p, "kind": "changed", "diff": diff})
                    }
                    Drift::Foreign(p) => serde_json::json!({"path": p, "kind": "foreign"}),
                    Drift::Misplaced(p, want) => {
                        serde_json::json!({"path": p, "kind": "misplaced", "expected": want})
                    }
                };
                let ok = drift.is_empty();
                let drift: Vec<serde_json::Value> = drift.into_iter().map(json).collect();
                let warnings: Vec<serde_json::Value> = advisory.into_iter().map(json).collect();
                let verify = verified.as_deref().map(verified_json);
                emit(&format!(
                    "{}\n",
                    serde_json::json!({"up_to_date": ok, "drift": drift, "warnings": warnings, "verify": verify})
                ))?;
                return Ok(u8::from(!ok || unverified));
            }
            let drifted = found.iter().filter(|d| !d.is_advisory()).count();
            for drift in found {
                match drift {
                    Drift::Foreign(p) => {
                        if !cli.quiet {
                            say!("{}", foreign_warning(&out.join(p)));
                        }
                    }
                    Drift::Misplaced(env, want) => {
                        if !cli.quiet {
                            say!("{}", misplaced_warning(&out.join(env), &want));
                        }
                    }
                    Drift::Missing(p) => emit(&format!("missing: {}\n", out.join(p).display()))?,
                    Drift::Stale(p) => {
                        emit(&format!("stale (no longer generated): {}\n", out.join(p).display()))?
                    }
                    Drift::Changed(_, diff) => emit(&diff)?,
                    Drift::Interrupted(p) => emit(&format!(
                        "interrupted: {} (a render was killed while writing it; the next render completes it)\n",
                        out.join(p).display()
                    ))?,
                }
            }
            if let Some(reports) = &verified {
                say_verified(reports, cli);
            }
            if drifted == 0 {
                if !cli.quiet {
                    say!("{} is up to date", out.display());
                }
                return Ok(u8::from(unverified));
            }
            let which = match &select.env {
                Some(env) => format!("--env {env}"),
                None => "--all".to_string(),
            };
            let config = cli
                .config
                .as_ref()
                .map(|c| format!(" --config {}", c.display()))
                .unwrap_or_default();
            say!(
                "error: {drifted} generated file(s) out of date in {}\n  help: run `gen render {which} --out {}{config}` and commit the result",
                out.display(),
                out.display()
            );
            Ok(1)
        }
        Command::Plan {
            env,
            format,
            compare,
            estimate,
        } => {
            let cache = platgen::verify::default_cache();
            let plan_of = |env: &str| {
                if *estimate {
                    platform.plan(env)
                } else {
                    platform.plan_counted(env, cache.as_deref())
                }
            };
            let format = match format {
                PlanFormat::Table => platgen::PlanFormat::Table,
                PlanFormat::Markdown => platgen::PlanFormat::Markdown,
                PlanFormat::Json => platgen::PlanFormat::Json,
            };
            let helm_note = |e: Error| {
                if !*estimate {
                    say!("note: with charts vendored, gen plan counts their objects as Helm renders them; `--estimate` estimates them without Helm");
                }
                e
            };
            let plan = plan_of(env).map_err(helm_note)?;
            let text = match compare {
                Some(other) => plan.compare(&plan_of(other).map_err(helm_note)?, format),
                None => plan.report(format),
            };
            emit(&text)?;
            if plan.over_capacity() {
                say!(
                    "error: env `{env}` exceeds its declared capacity (OVER above)\n  help: raise `capacity` in the env's overlay, or lower replicas, requests or volume sizes; `gen render` refuses it until then"
                );
                return Ok(1);
            }
            Ok(0)
        }
        Command::Explain {
            env,
            target,
            format,
        } => {
            let json = *format == ExplainFormat::Json;
            match target.as_slice() {
                [file, path] => {
                    let found = platform.explain(env, file, path)?;
                    emit(&platgen::explain::outputs_report(&found, json))?;
                }
                [config] => {
                    let found = platform.explain_config(env, config)?;
                    emit(&platgen::explain::configs_report(&found, json))?;
                }
                _ => unreachable!("clap takes one or two"),
            }
            Ok(0)
        }
        Command::Vendor { check: true, .. } => {
            let problems = platform.vendor_check()?;
            if problems.is_empty() {
                if !cli.quiet {
                    let n = platform.chart_uses()?.len();
                    say!("charts.lock matches the pins and the {n} packages in charts/");
                }
                return Ok(0);
            }
            for p in &problems {
                say!("error: {p}");
            }
            say!("  help: run `gen vendor` to pull what the pins name and update charts.lock");
            Ok(1)
        }
        Command::Vendor {
            check: false,
            plain_http,
            format,
        } => {
            let report = platform.vendor(&platgen::vendor::VendorOptions {
                plain_http: *plain_http,
            })?;
            let breaks = report.upgrades.iter().any(platgen::charts::Upgrade::breaks);
            if *format == ExplainFormat::Json {
                let charts: Vec<serde_json::Value> = report
                    .charts
                    .iter()
                    .map(|(l, action)| {
                        let mut v = serde_json::to_value(l).expect("serialises");
                        v["action"] = match action {
                            platgen::vendor::Action::Pulled => "pulled",
                            platgen::vendor::Action::Kept => "kept",
                        }
                        .into();
                        v
                    })
                    .collect();
                let json = serde_json::json!({
                    "charts": charts,
                    "removed": report.removed,
                    "upgrades": report.upgrades,
                    "breaks": breaks,
                });
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json).expect("serialises")
                ))?;
                return Ok(u8::from(breaks));
            }
            if !cli.quiet {
                for (l, action) in &report.charts {
                    let what = match action {
                        platgen::vendor::Action::Pulled => "pulled",
                        platgen::vendor::Action::Kept => "up to date",
                    };
                    say!(
                        "{} {}: {what} ({}, {})",
                        l.name,
                        l.version,
                        l.repository,
                        l.digest
                    );
                }
                for f in &report.removed {
                    say!("removed charts/{f}: no env installs it");
                }
            }
            for u in &report.upgrades {
                emit(&platgen::charts::upgrade::text(u))?;
            }
            if breaks {
                say!("  help: the values gen writes break with the new version: change the settings (or `values:`) named above, or keep the old pin; renders fail until then");
            }
            Ok(u8::from(breaks))
        }
        Command::Bootstrap => {
            emit(&platform.bootstrap()?)?;
            Ok(0)
        }
        Command::Graph { env, format } => {
            let format = match format {
                Format::Mermaid => platgen::GraphFormat::Mermaid,
                Format::Dot => platgen::GraphFormat::Dot,
            };
            emit(&platform.graph(env)?.draw(format))?;
            Ok(0)
        }
        Command::Schema { .. }
        | Command::Init { .. }
        | Command::Diff { .. }
        | Command::Completions { .. }
        | Command::Fleet { .. } => {
            unreachable!("handled above")
        }
    }
}
