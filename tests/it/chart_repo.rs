//! A Helm chart repository on 127.0.0.1 for the tests: a folder of
//! packages and its `index.yaml` (written by the real `helm repo index`),
//! served over HTTP by a small server the test starts and stops.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common;

pub use common::helm;

/// A served chart repository; stops when dropped.
pub struct ChartRepo {
    /// The folder served.
    pub dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ChartRepo {
    /// Serves `packages` (paths of `.tgz` files), indexed by `helm repo index`.
    pub fn serve(packages: &[PathBuf]) -> ChartRepo {
        let dir = tempfile::tempdir().unwrap();
        for p in packages {
            std::fs::copy(p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}");
        let repo = dir.path().to_path_buf();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = stream {
                    let _ = answer(s, &repo);
                }
            }
        });
        let mut r = ChartRepo {
            dir,
            url,
            stop,
            port,
            thread: Some(thread),
        };
        r.index();
        r
    }

    /// The real pinned charts of `$PLATGEN_UPSTREAM/charts`.
    pub fn upstream() -> ChartRepo {
        let charts = common::upstream().unwrap().join("charts");
        let mut packages: Vec<PathBuf> = std::fs::read_dir(&charts)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
            .collect();
        packages.sort();
        assert_eq!(
            packages.len(),
            7,
            "the seven pinned charts in {}",
            charts.display()
        );
        ChartRepo::serve(&packages)
    }

    /// Re-indexes the folder (after a package was added).
    pub fn index(&mut self) {
        let o = std::process::Command::new(helm())
            .args(["repo", "index"])
            .arg(self.dir.path())
            .args(["--url", &self.url])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// Adds a package file as it is, with an index entry written by hand
    /// (for packages `helm repo index` would not read).
    pub fn add_raw(&mut self, name: &str, version: &str, bytes: &[u8]) {
        let file = format!("{name}-{version}.tgz");
        std::fs::write(self.dir.path().join(&file), bytes).unwrap();
        let index = self.dir.path().join("index.yaml");
        let text = std::fs::read_to_string(&index).unwrap();
        let entry = format!(
            "  {name}:\n  - apiVersion: v2\n    name: {name}\n    version: {version}\n    created: \"2026-01-01T00:00:00Z\"\n    urls:\n    - {}/{file}\n",
            self.url
        );
        let text = text.replacen("entries:\n", &format!("entries:\n{entry}"), 1);
        std::fs::write(index, text).unwrap();
    }
}

impl Drop for ChartRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answers one request: a file of the folder, or 404.
fn answer(stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let name = path.trim_start_matches('/');
    let body = (!name.contains('/') && !name.contains(".."))
        .then(|| std::fs::read(dir.join(name)).ok())
        .flatten();
    let mut out = stream;
    match body {
        Some(b) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                b.len()
            )?;
            out.write_all(&b)?;
        }
        None => write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?,
    }
    out.flush()
}
