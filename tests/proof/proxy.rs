//! nginx and HAProxy, run unprivileged-style from a temporary directory on a free loopback
//! port, with the example's configuration; stopped by PID when dropped (also on a panic).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::net;
use crate::pages::Example;
use crate::tls;

/// The installed binary, or a failure that says how to install it (the suite never skips).
fn binary(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed; the proof suite needs it: apt-get install -y {name}")
        })
}

/// What `nginx -t` / `haproxy -c` said.
pub struct Check {
    pub ok: bool,
    pub output: String,
}

/// Which proxy a prepared directory is for.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Nginx,
    Haproxy,
}

/// A configuration written to its own directory, with the port it listens on.
pub struct Prepared {
    kind: Kind,
    dir: tempfile::TempDir,
    conf: PathBuf,
    pub port: u16,
}

/// A running proxy; dropping it stops the process.
pub struct Running {
    prepared: Prepared,
    child: Child,
}

/// The nginx configuration that runs the example here: pid, error log and temp paths in the
/// directory, every listener on one free port (`{port}` in a mapped address), the example's DNS
/// names as upstreams. What is added goes on existing lines, so nginx's messages keep the
/// page's line numbers.
pub fn nginx(ex: &Example) -> Prepared {
    let dir = tempdir();
    let port = net::free_port();
    let d = dir.path().display().to_string();
    let mut files = ex.clone();
    let mut http_done = false;
    for (i, (_, text)) in files.files.iter_mut().enumerate() {
        let mut out = String::new();
        if i == 0 {
            out.push_str(&format!(
                "pid {d}/nginx.pid; error_log {d}/error.log info; "
            ));
        }
        for line in text.lines() {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            if trimmed.starts_with("listen ") {
                // The address moves; what the listener speaks stays (GW028, GW025).
                let flags: String = trimmed
                    .trim_end_matches(';')
                    .split_whitespace()
                    .skip(2)
                    .filter(|w| matches!(*w, "ssl" | "http2"))
                    .map(|w| format!(" {w}"))
                    .collect();
                out.push_str(&format!("{indent}listen 127.0.0.1:{port}{flags};\n"));
                continue;
            }
            out.push_str(line);
            if i == 0 && trimmed == "http {" && !http_done {
                http_done = true;
                out.push_str(&format!(" access_log {d}/access.log;"));
                for t in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
                    out.push_str(&format!(" {t}_temp_path {d}/tmp_{t};"));
                }
                for (name, addr) in &ex.hosts {
                    out.push_str(&format!(" upstream {name} {{ server {addr}; }}"));
                }
            }
            out.push('\n');
        }
        *text = out
            .replace("{dir}", &d)
            .replace("{port}", &port.to_string());
    }
    assert!(
        http_done || ex.hosts.is_empty(),
        "{}: no `http {{` line to add hosts to",
        ex.code
    );
    let conf = files.write(dir.path());
    fs::write(dir.path().join("ca.pem"), tls::ca_pem()).unwrap();
    Prepared {
        kind: Kind::Nginx,
        dir,
        conf,
        port,
    }
}

/// The HAProxy configuration that runs the example here: `bind` on a free port, and the
/// traffic log (httplog, with the termination state) on standard output; `{dir}/ca.pem` is
/// the test's CA.
pub fn haproxy(ex: &Example) -> Prepared {
    let dir = tempdir();
    let port = net::free_port();
    let mut text = String::new();
    let root = ex.root();
    if !root.lines().any(|l| l.trim_end() == "global") {
        text.push_str("global\n    log stdout format raw local0 info\n\n");
    }
    for line in root.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with("bind ") {
            // The address moves; `ssl` stays (GW028).
            let ssl = if trimmed.split_whitespace().skip(2).any(|w| w == "ssl") {
                " ssl"
            } else {
                ""
            };
            text.push_str(&format!("{indent}bind 127.0.0.1:{port}{ssl}\n"));
            continue;
        }
        text.push_str(line);
        text.push('\n');
        match line.trim_end() {
            "global" => text.push_str("    log stdout format raw local0 info\n"),
            "defaults" => text.push_str("    log global\n    option httplog\n"),
            _ => {}
        }
    }
    let text = text.replace("{dir}", &dir.path().display().to_string());
    let mut files = ex.clone();
    files.files[0].1 = text;
    let conf = files.write(dir.path());
    fs::write(dir.path().join("ca.pem"), tls::ca_pem()).unwrap();
    Prepared {
        kind: Kind::Haproxy,
        dir,
        conf,
        port,
    }
}

fn tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // nginx's workers run as `nobody` when the master is root: they must reach the directory.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

impl Prepared {
    fn args(&self) -> Vec<String> {
        let conf = self.conf.display().to_string();
        match self.kind {
            Kind::Nginx => vec![
                "-p".into(),
                format!("{}/", self.dir.path().display()),
                "-c".into(),
                conf,
            ],
            Kind::Haproxy => vec!["-f".into(), conf],
        }
    }

    fn program(&self) -> PathBuf {
        binary(match self.kind {
            Kind::Nginx => "nginx",
            Kind::Haproxy => "haproxy",
        })
    }

    /// `nginx -t` or `haproxy -c`.
    pub fn check(&self) -> Check {
        self.check_command(Command::new(self.program()))
    }

    /// The check under a limit of `nofile` open files (`ulimit -n`), as on most hosts.
    pub fn check_with_open_files(&self, nofile: u32) -> Check {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &format!("ulimit -n {nofile} && exec \"$0\" \"$@\"")])
            .arg(self.program());
        self.check_command(cmd)
    }

    fn check_command(&self, mut cmd: Command) -> Check {
        let flag = match self.kind {
            Kind::Nginx => "-t",
            Kind::Haproxy => "-c",
        };
        let out = cmd
            .args(self.args())
            .arg(flag)
            .stdin(Stdio::null())
            .output()
            .expect("run the proxy's configuration check");
        Check {
            ok: out.status.success(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// Starts the proxy in the foreground and waits until its port accepts connections.
    pub fn start(self) -> Running {
        let log = fs::File::create(self.dir.path().join("stdout.log")).unwrap();
        let mut cmd = Command::new(self.program());
        cmd.args(self.args());
        match self.kind {
            Kind::Nginx => cmd.args(["-g", "daemon off;"]),
            Kind::Haproxy => cmd.arg("-db"),
        };
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start the proxy");
        let mut running = Running {
            prepared: self,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = running.child.try_wait() {
                panic!(
                    "{:?} exited at start-up ({status}):\n{}",
                    running.prepared.kind,
                    running.logs()
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", running.prepared.port)).is_ok() {
                return running;
            }
            assert!(
                Instant::now() < deadline,
                "{:?} did not listen on port {} within 10s:\n{}",
                running.prepared.kind,
                running.prepared.port,
                running.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Running {
    pub fn port(&self) -> u16 {
        self.prepared.port
    }

    /// Everything the proxy logged so far: nginx's error log and its stderr, or HAProxy's
    /// standard output (alerts, warnings and the traffic log).
    pub fn logs(&self) -> String {
        let dir = self.prepared.dir.path();
        // Read lossily: nginx logs the bytes of a request it cannot read (a ClientHello).
        [dir.join("error.log"), dir.join("stdout.log")]
            .iter()
            .filter_map(|p| fs::read(p).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect::<Vec<_>>()
            .join("")
    }

    /// Waits (briefly: logs are written as the request ends) until the logs contain `fragment`.
    pub fn wait_log(&self, fragment: &str) -> String {
        self.wait_line(&[fragment])
    }

    /// Waits until one line of the logs contains every fragment, and returns that line.
    pub fn wait_line(&self, fragments: &[&str]) -> String {
        self.wait_line_within(fragments, Duration::from_secs(3))
    }

    /// Waits up to `timeout` for a line with every fragment (a health check's verdict).
    pub fn wait_line_within(&self, fragments: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let logs = self.logs();
            if let Some(line) = logs
                .lines()
                .find(|l| fragments.iter().all(|f| l.contains(f)))
            {
                return line.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no line of the proxy's log has all of {fragments:?}:\n{logs}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
    }
}

/// Stops a server the proofs started: SIGTERM, so that a master process (nginx, Apache)
/// stops its workers before it exits (SIGKILL would orphan them), then SIGKILL after `grace`.
pub fn terminate(child: &mut std::process::Child, grace: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}
