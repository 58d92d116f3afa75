//! The smoke checks' scripts are run, not only rendered: every script of
//! every built-in env (and of a platform with every release renamed) is
//! parsed by its language (POSIX shell by dash and busybox's ash, the
//! shells of the check images; Python by Python), and each check runs, as
//! the Job runs it, against a real server on 127.0.0.1 where this machine
//! can install one — and fails when its target is down or unhealthy.
//! What is only parsed: Neo4j's and Kafka's checks (no server here).
//! Ray Serve's check runs against a stub of Serve's proxy and against Ray
//! Serve 2.9.0 (`.tools/serve-venv`) serving the rendered Serve config.
//!
//! Servers and tools come from `.ci/run` (Debian's mariadb, dash, busybox
//! and curl; mlflow and ray from PyPI in `.tools/smoke-venv`); where one is
//! missing the test says so and skips, and under `CI=true` it fails.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use platgen::{Platform, RenderedTree};

use crate::common;

/// A check as its Job runs it.
#[derive(Debug, Clone)]
struct Check {
    /// `<env>/<component>`.
    name: String,
    /// `sh` or `python`.
    program: String,
    /// What `-c` runs.
    script: String,
    /// The plain environment values of the container.
    env: BTreeMap<String, String>,
    /// The container's memory limit.
    memory_limit: Option<String>,
}

/// Every check of a render: Jobs by their `command`, the RayJob by its
/// entrypoint (`python -c '<source>'`).
fn checks(tree: &RenderedTree) -> Vec<Check> {
    let mut out = Vec::new();
    for (path, text) in &tree.files {
        let Some(component) = path
            .strip_prefix("manifests/")
            .and_then(|p| p.strip_suffix("-smoke-check.yaml"))
        else {
            continue;
        };
        let doc = common::yaml_docs(path, text).remove(0);
        let name = format!("{}/{component}", tree.env);
        if doc["kind"] == "RayJob" {
            let entry = doc["spec"]["entrypoint"].as_str().unwrap();
            let source = entry
                .strip_prefix("python -c '")
                .and_then(|s| s.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{name}: entrypoint is not python -c '…': {entry}"));
            assert!(
                !source.contains('\''),
                "{name}: a quote would end the entrypoint's"
            );
            out.push(Check {
                name,
                program: "python".into(),
                script: source.to_string(),
                env: BTreeMap::new(),
                memory_limit: None,
            });
            continue;
        }
        let c = &doc["spec"]["template"]["spec"]["containers"][0];
        let command: Vec<&str> = c["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let [program, "-c", script] = command[..] else {
            panic!("{name}: command is not `<program> -c <script>`: {command:?}");
        };
        let env = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                Some((
                    e["name"].as_str()?.to_string(),
                    e["value"].as_str()?.to_string(),
                ))
            })
            .collect();
        out.push(Check {
            name,
            program: program.to_string(),
            script: script.to_string(),
            env,
            memory_limit: c["resources"]["limits"]["memory"]
                .as_str()
                .map(String::from),
        });
    }
    out
}

/// The built-in envs and a platform with every release renamed.
fn every_check() -> Vec<Check> {
    let mut all = Vec::new();
    for tree in Platform::builtin().unwrap().render_all().unwrap() {
        all.extend(checks(&tree));
    }
    let dir = tempfile::tempdir().unwrap();
    common::write_builtin_config(dir.path());
    for (from, to) in [
        ("release: elasticsearch", "release: search"),
        ("release: kafka", "release: bus"),
        ("release: neo4j", "release: graph-db"),
        ("release: mlflow", "release: tracking"),
        ("name: doris-cluster", "name: olap"),
        ("name: ml-cluster", "name: compute"),
    ] {
        common::edit(dir.path(), "platform.yaml", from, to);
    }
    let tree = Platform::load(dir.path()).unwrap().render("prod").unwrap();
    all.extend(checks(&RenderedTree {
        env: "renamed".into(),
        ..tree
    }));
    all
}

fn one(checks: &[Check], name: &str) -> Check {
    checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
        .clone()
}

/// The Python with mlflow and ray: `.tools/smoke-venv` (which `.ci/run`
/// installs) or `$PLATGEN_SMOKE_VENV`.
fn smoke_venv() -> Option<PathBuf> {
    let dir = std::env::var_os("PLATGEN_SMOKE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/smoke-venv"));
    if dir.join("bin/mlflow").is_file() && dir.join("bin/ray").is_file() {
        return Some(dir);
    }
    common::absent(&format!(
        "no mlflow and ray in {} (.ci/run installs them)",
        dir.display()
    ))
}

/// Runs `script` with `shell -n`: the shell reads it without running it.
fn parses_as_shell(shell: &[&str], script: &str) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let out = Command::new(shell[0])
        .args(&shell[1..])
        .arg("-n")
        .arg(file.path())
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn parses_as_python(python: &Path, script: &str) -> Result<(), String> {
    let out = Command::new(python)
        .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(script.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "dash", platgen_has = "busybox", platgen_has = "python3")),
    ignore = "needs dash, busybox, python3 on PATH (.ci/run installs them)"
)]
fn every_script_parses_in_its_language() {
    let (Some(dash), Some(busybox), Some(python)) = (
        common::tool("dash"),
        common::tool("busybox"),
        common::tool("python3"),
    ) else {
        return;
    };
    let dash = dash.to_string_lossy().into_owned();
    let busybox = busybox.to_string_lossy().into_owned();
    let checks = every_check();
    assert!(checks.len() >= 20, "{} checks", checks.len());
    let mut shells = 0;
    for c in &checks {
        match c.program.as_str() {
            "sh" => {
                for shell in [vec![dash.as_str()], vec![busybox.as_str(), "sh"]] {
                    parses_as_shell(&shell, &c.script)
                        .unwrap_or_else(|e| panic!("{} in {shell:?}: {e}\n{}", c.name, c.script));
                }
                shells += 1;
            }
            "python" => parses_as_python(&python, &c.script)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", c.name, c.script)),
            other => panic!("{}: runs `{other}`", c.name),
        }
    }
    assert!(shells >= 15);
    // The parsers refuse what they should: an unclosed quote, a bashism, an
    // indented block lost (the bug the MLflow check once had).
    assert!(parses_as_shell(&[&dash], "echo \"$HOST").is_err());
    assert!(parses_as_shell(&[&dash], "[[ -n $HOST ]] && x=( a b )").is_err());
    assert!(parses_as_python(&python, "with open('x') as f:\nprint(f)\n").is_err());
}

/// A child process, in a process group of its own, killed with all its
/// children when dropped.
struct Server(Child);

impl Server {
    fn spawn(cmd: &mut Command) -> Server {
        use std::os::unix::process::CommandExt;
        Server(cmd.process_group(0).spawn().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

fn wait_closed(port: u16, within: Duration) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(start.elapsed() < within, "{port} still open");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One real server at a time: MLflow, Ray and MariaDB beside each other
/// would slow this 2-core machine past the checks' own timeouts.
static ONE_SERVER_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serially() -> std::sync::MutexGuard<'static, ()> {
    ONE_SERVER_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, within: Duration) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < within, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A Python HTTP server on a free loopback port, started with `args`: its
/// script prints the port it bound, then serves.
fn python_server(python: &Path, script: &str, args: &[&str]) -> (Server, u16) {
    let mut server = Server::spawn(
        Command::new(python)
            .args(["-c", script])
            .args(args)
            .stdout(Stdio::piped()),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().unwrap();
    (server, port)
}

/// An HTTP server answering every GET with `status` after `delay` seconds.
fn http_stub(python: &Path, status: u16, delay: f64) -> (Server, u16) {
    let script = r#"
import http.server, sys, time
status, delay = int(sys.argv[1]), float(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(delay)
        body = b'{"status":"green"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;
    python_server(python, script, &[&status.to_string(), &delay.to_string()])
}

/// An HTTP server answering as Ray Serve's proxy does: `/-/healthz` with
/// `health`, `/-/routes` with the route table `table` (JSON, route →
/// application), a route in it with `status`, anything else 404.
fn serve_stub(python: &Path, health: u16, table: &str, status: u16) -> (Server, u16) {
    let script = r#"
import http.server, json, sys
health, table, status = int(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/-/healthz":
            code, body = health, b"success"
        elif self.path == "/-/routes":
            code, body = 200, json.dumps(table).encode()
        elif self.path in table:
            code, body = status, b"4242"
        else:
            code, body = 404, b"Path not found"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;
    python_server(
        python,
        script,
        &[&health.to_string(), table, &status.to_string()],
    )
}

/// Runs a check's script as its Job does, against `port` on loopback,
/// with the Job's plain env values and `extra` ones.
fn run(c: &Check, program: &Path, port: u16, extra: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(["-c", &c.script]);
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    cmd.env("HOST", "127.0.0.1").env("PORT", port.to_string());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "dash", platgen_has = "python3", platgen_has = "curl")),
    ignore = "needs dash, python3, curl on PATH (.ci/run installs them)"
)]
fn http_checks_pass_on_200_and_fail_otherwise() {
    let (Some(dash), Some(python), Some(_curl)) = (
        common::tool("dash"),
        common::tool("python3"),
        common::tool("curl"),
    ) else {
        return;
    };
    let checks = every_check();
    for name in [
        "prod/elasticsearch",
        "prod/datahub",
        "prod/kubeflow-pipelines",
    ] {
        let c = one(&checks, name);
        let t = Instant::now();
        let (ok, port) = http_stub(&python, 200, 0.0);
        let o = run(&c, &dash, port, &[]);
        assert!(
            o.status.success(),
            "{name} on 200: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        drop(ok);
        let mut bad = vec![500, 503];
        if name.ends_with("elasticsearch") {
            // The health API's answer when the cluster stays red.
            bad.push(408);
        }
        for status in bad {
            let (_s, port) = http_stub(&python, status, 0.0);
            assert!(
                !run(&c, &dash, port, &[]).status.success(),
                "{name} passed on {status}"
            );
        }
        // No answer within the check's time: a failure, not a hang.
        let (_s, port) = http_stub(&python, 200, 30.0);
        let started = Instant::now();
        assert!(!run(&c, &dash, port, &[("CHECK_TIMEOUT", "2")])
            .status
            .success());
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{name} waited too long"
        );
        // Nothing listening.
        assert!(
            !run(&c, &dash, free_port(), &[]).status.success(),
            "{name} passed, server down"
        );
        eprintln!(
            "{name}: 200, 5xx, timeout and down tried in {:.1?}",
            t.elapsed()
        );
    }
}

/// A MariaDB server on loopback with a throw-away data directory.
fn mariadb() -> Option<(Server, u16, tempfile::TempDir)> {
    let server = common::tool("mariadbd")?;
    let install = common::tool("mariadb-install-db")?;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = Command::new(install)
        .arg(format!("--datadir={}", data.display()))
        .args([
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--user=root",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let port = free_port();
    let s = Server::spawn(
        Command::new(server)
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--user=root",
            ])
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for_port(port, Duration::from_secs(60));
    Some((s, port, dir))
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "dash", platgen_has = "mariadb")),
    ignore = "needs dash, mariadb on PATH (.ci/run installs them)"
)]
fn the_doris_round_trip_runs_on_a_mysql_server_and_leaves_nothing() {
    let (Some(dash), Some(mysql)) = (common::tool("dash"), common::tool("mysql")) else {
        return;
    };
    let _one = serially();
    let Some((_server, port, _dir)) = mariadb() else {
        return;
    };
    let c = one(&every_check(), "prod/doris");
    // Doris's own parts, in the env as the Job has them, are Doris
    // grammar; on MariaDB they are swapped for their MySQL equivalents.
    assert_eq!(c.env["FRONTENDS_QUERY"], "SHOW FRONTENDS");
    assert!(c.env["TABLE_OPTIONS"]
        .starts_with("DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("));
    let mysql_parts = [
        ("DORIS_USER", "root"),
        ("MYSQL_PWD", "unused"),
        ("FRONTENDS_QUERY", "SELECT 'fe-1'"),
        ("TABLE_OPTIONS", ""),
    ];
    let t = Instant::now();
    let o = run(&c, &dash, port, &mysql_parts);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    eprintln!("doris round trip on MariaDB in {:.1?}", t.elapsed());
    // Nothing left behind, and it runs again.
    let list = Command::new(&mysql)
        .args([
            "-h",
            "127.0.0.1",
            "-P",
            &port.to_string(),
            "-u",
            "root",
            "--batch",
        ])
        .args(["-e", "SHOW DATABASES"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&list.stdout).contains("platgen_smoke"));
    assert!(run(&c, &dash, port, &mysql_parts).status.success());
    // No frontends listed: a failure.
    let mut empty = mysql_parts;
    empty[2] = ("FRONTENDS_QUERY", "SELECT 1 FROM DUAL WHERE 1 = 0");
    assert!(!run(&c, &dash, port, &empty).status.success());
    // A statement the server refuses: a failure.
    let mut bad = mysql_parts;
    bad[3] = ("TABLE_OPTIONS", "NOT A CLAUSE");
    assert!(!run(&c, &dash, port, &bad).status.success());
    // Nothing listening: a failure.
    assert!(!run(&c, &dash, free_port(), &mysql_parts).status.success());
}

#[test]
#[cfg_attr(
    not(all(platgen_has = "smoke_venv", platgen_has = "time")),
    ignore = "needs mlflow and ray in .tools/smoke-venv or $PLATGEN_SMOKE_VENV (.ci/run installs them); time on PATH (.ci/run installs them)"
)]
fn the_mlflow_check_logs_a_run_on_a_real_server_within_its_memory_limit() {
    let (Some(venv), Some(time)) = (smoke_venv(), common::tool("time")) else {
        return;
    };
    let _one = serially();
    let c = one(&every_check(), "prod/mlflow");
    assert_eq!(c.program, "python");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server::spawn(
        Command::new(venv.join("bin/mlflow"))
            .args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--backend-store-uri")
            .arg(format!(
                "sqlite:///{}",
                dir.path().join("db.sqlite").display()
            ))
            .arg("--default-artifact-root")
            .arg(dir.path().join("artifacts"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for_port(port, Duration::from_secs(120));
    let python = venv.join("bin/python");
    // Up, but its health endpoint may answer a moment later.
    let start = Instant::now();
    let mut o = run(&c, &python, port, &[]);
    while !o.status.success() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_secs(2));
        o = run(&c, &python, port, &[]);
    }
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("logged"));
    // Peak memory, as the kernel counts it, within the Job's limit.
    let rss = dir.path().join("rss");
    let mut timed = Command::new(time);
    timed
        .args(["-f", "%M", "-o"])
        .arg(&rss)
        .arg(&python)
        .args(["-c", &c.script])
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string());
    let t = Instant::now();
    assert!(timed.output().unwrap().status.success());
    let kib: u64 = std::fs::read_to_string(&rss)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let limit = c.memory_limit.as_deref().unwrap();
    let limit_kib: u64 = limit.trim_end_matches("Mi").parse::<u64>().unwrap() * 1024;
    eprintln!(
        "mlflow check: {:.1?}, peak {} MiB of its {limit} limit",
        t.elapsed(),
        kib / 1024
    );
    assert!(
        kib * 5 < limit_kib * 4,
        "peak {kib} KiB is within 80% of {limit}"
    );
    drop(server);
    wait_closed(port, Duration::from_secs(30));
    // The server gone: a failure.
    assert!(!run(&c, &python, port, &[]).status.success());
}

#[test]
#[cfg_attr(
    not(platgen_has = "smoke_venv"),
    ignore = "needs mlflow and ray in .tools/smoke-venv or $PLATGEN_SMOKE_VENV (.ci/run installs them)"
)]
fn the_ray_job_runs_a_task_on_a_real_ray_head() {
    let Some(venv) = smoke_venv() else {
        return;
    };
    let _one = serially();
    let c = one(&every_check(), "prod/ray-cluster");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // `--block` keeps the head in the foreground, in a process group of
    // its own: dropping it stops this head only.
    let head = Server::spawn(
        Command::new(venv.join("bin/ray"))
            .args([
                "start",
                "--head",
                "--block",
                "--num-cpus=1",
                "--include-dashboard=false",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--temp-dir={}", dir.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    wait_for_port(port, Duration::from_secs(60));
    let address = format!("127.0.0.1:{port}");
    // The entrypoint as KubeRay's submitter runs it: through a shell, with
    // RAY_ADDRESS set to the cluster.
    // A bound for the task (generous: other tests load this machine), and
    // a shorter one for the cluster gone, where it can only wait.
    let entrypoint = |address: &str, seconds: u32| {
        Command::new("sh")
            .args(["-c", &format!("timeout {seconds} python -c '{}'", c.script)])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    venv.join("bin").display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .env("RAY_ADDRESS", address)
            .output()
            .unwrap()
    };
    let t = Instant::now();
    let o = entrypoint(&address, 90);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("CPU"));
    // The head is the cluster's Ray version.
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let cluster = common::yaml_docs("rc", &tree.files["manifests/ray-cluster.yaml"]).remove(0);
    let version = cluster["spec"]["rayVersion"].as_str().unwrap().to_string();
    let reported = Command::new(venv.join("bin/ray"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&reported.stdout).contains(&version),
        "the head is not Ray {version}"
    );
    eprintln!(
        "ray entrypoint on a Ray {version} head: {:.1?}",
        t.elapsed()
    );
    drop(head);
    wait_closed(port, Duration::from_secs(60));
    // No cluster: the task never runs (the RayJob's deadline fails it).
    assert!(!entrypoint(&address, 20).status.success());
}

#[test]
#[cfg_attr(
    not(all(
        platgen_has = "dash",
        platgen_has = "busybox",
        platgen_has = "python3",
        platgen_has = "curl"
    )),
    ignore = "needs dash, busybox, python3, curl on PATH (.ci/run installs them)"
)]
fn the_serve_check_needs_every_route_listed_and_answering() {
    let (Some(dash), Some(busybox), Some(python), Some(_curl)) = (
        common::tool("dash"),
        common::tool("busybox"),
        common::tool("python3"),
        common::tool("curl"),
    ) else {
        return;
    };
    let c = one(&every_check(), "prod/ray-serve");
    assert_eq!(c.env["ROUTES"], "/pid");
    let two = [("ROUTES", "/pid /fruit")];
    let both = r#"{"/pid": "pid", "/fruit": "fruit"}"#;
    for shell in [vec![dash.clone()], vec![busybox.clone(), "sh".into()]] {
        let run_in = |port: u16, extra: &[(&str, &str)]| {
            let mut cmd = Command::new(&shell[0]);
            cmd.args(&shell[1..]).args(["-c", &c.script]);
            for (k, v) in &c.env {
                cmd.env(k, v);
            }
            cmd.env("HOST", "127.0.0.1").env("PORT", port.to_string());
            for (k, v) in extra {
                cmd.env(k, v);
            }
            cmd.output().unwrap()
        };
        // Every route served and answering: a pass.
        let (_s, port) = serve_stub(&python, 200, both, 200);
        let o = run_in(port, &two);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // A route missing from the table (its application not deployed).
        let (_s, port) = serve_stub(&python, 200, r#"{"/pid": "pid"}"#, 200);
        let o = run_in(port, &two);
        assert!(!o.status.success(), "passed with /fruit not served");
        assert!(String::from_utf8_lossy(&o.stderr).contains("route /fruit is not served"));
        // A route answering 500 or 503 (its replicas failing).
        for status in [500, 503] {
            let (_s, port) = serve_stub(&python, 200, both, status);
            assert!(!run_in(port, &two).status.success(), "passed on {status}");
        }
        // The proxy unhealthy, then nothing listening.
        let (_s, port) = serve_stub(&python, 503, both, 200);
        assert!(!run_in(port, &[]).status.success());
        assert!(!run_in(free_port(), &[]).status.success());
    }
}

#[test]
#[cfg_attr(
    not(all(
        platgen_has = "serve_venv",
        all(platgen_has = "dash", platgen_has = "curl")
    )),
    ignore = "needs Ray Serve 2.9.0 in .tools/serve-venv or $PLATGEN_SERVE_VENV (.ci/run installs it); dash, curl on PATH (.ci/run installs them)"
)]
fn the_serve_check_passes_against_ray_serve_running_the_rendered_config() {
    let (Some(venv), Some(dash), Some(_curl)) = (
        common::serve_venv(),
        common::tool("dash"),
        common::tool("curl"),
    ) else {
        return;
    };
    let _one = serially();
    let c = one(&every_check(), "prod/ray-serve");
    let tree = Platform::builtin().unwrap().render("prod").unwrap();
    let service = common::yaml_docs("rs", &tree.files["manifests/ray-serve.yaml"]).remove(0);
    let spec = &service["spec"];
    // Ray Serve at the RayService's Ray version.
    let version = spec["rayClusterConfig"]["rayVersion"].as_str().unwrap();
    let reported = Command::new(venv.join("bin/ray"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&reported.stdout).contains(version),
        "Serve is not Ray {version}"
    );
    // The rendered Serve config, as KubeRay submits it, with its code in a
    // local directory (the example's archive is on GitHub, which this
    // machine cannot reach): an application at the same import path whose
    // deployments have the config's names and answer as the example does.
    let mut config: serde_json::Value =
        serde_norway::from_str(spec["serveConfigV2"].as_str().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for app in config["applications"].as_array_mut().unwrap() {
        let import = app["import_path"].as_str().unwrap().to_string();
        let (module, attribute) = import.split_once(':').unwrap();
        let mut code = String::from("import os\nfrom ray import serve\n");
        for d in app["deployments"].as_array().unwrap() {
            let name = d["name"].as_str().unwrap();
            code.push_str(&format!(
                "@serve.deployment\nclass {name}:\n    def __call__(self) -> int:\n        return os.getpid()\n{attribute} = {name}.bind()\n"
            ));
        }
        let src = dir.path().join(format!("{module}.py"));
        std::fs::write(&src, code).unwrap();
        // Serve takes code from archives only: a zip of it, by file URI.
        let zip = dir
            .path()
            .join(format!("{}.zip", app["name"].as_str().unwrap()));
        let zipped = Command::new(venv.join("bin/python"))
            .args(["-m", "zipfile", "-c"])
            .arg(&zip)
            .arg(&src)
            .status()
            .unwrap();
        assert!(zipped.success());
        app["runtime_env"]["working_dir"] = format!("file://{}", zip.display()).into();
    }
    let port = free_port();
    config["http_options"] = serde_json::json!({"host": "127.0.0.1", "port": port});
    let file = dir.path().join("serve.yaml");
    std::fs::write(&file, serde_json::to_string(&config).unwrap()).unwrap();
    let t = Instant::now();
    let server = Server::spawn(
        Command::new(venv.join("bin/serve"))
            .arg("run")
            .arg(&file)
            .env("RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S", "60")
            .env("RAY_USAGE_STATS_ENABLED", "0")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    // Serve deploys the applications a while after the proxy is up; the
    // check fails until then (Argo CD runs it once the RayService is
    // Ready), and passes after.
    let mut o = run(&c, &dash, port, &[("CHECK_TIMEOUT", "5")]);
    while !o.status.success() && t.elapsed() < Duration::from_secs(240) {
        std::thread::sleep(Duration::from_secs(2));
        o = run(&c, &dash, port, &[("CHECK_TIMEOUT", "5")]);
    }
    assert!(
        o.status.success(),
        "the check never passed against Serve: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!(
        "ray-serve check passed against Serve {version} after {:.1?}",
        t.elapsed()
    );
    // A route Serve does not serve: a failure against the real proxy.
    assert!(!run(&c, &dash, port, &[("ROUTES", "/pid /missing")])
        .status
        .success());
    drop(server);
    let _ = Command::new(venv.join("bin/ray"))
        .args(["stop", "--force"])
        .output();
    wait_closed(port, Duration::from_secs(60));
    assert!(!run(&c, &dash, port, &[]).status.success());
}
