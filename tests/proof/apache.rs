//! Apache httpd as a backend: name-based TLS virtual hosts on one loopback port, each with a
//! self-signed certificate of its own, run in the foreground from a configuration of the test's
//! own (Debian's `apache2` package; the test fails when it is missing).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MODULES: &str = "/usr/lib/apache2/modules";

pub struct Apache {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

impl Apache {
    /// One `<VirtualHost>` per name, the first being the default of the address; each serves
    /// `/index.html`.
    pub fn sites(names: &[&str]) -> Apache {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("docs")).unwrap();
        fs::write(root.join("docs/index.html"), "ok\n").unwrap();
        let port = super::net::free_port();
        let r = root.display();
        let mut conf = format!(
            "ServerRoot {r}\n\
             LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\n\
             LoadModule authz_core_module {MODULES}/mod_authz_core.so\n\
             LoadModule socache_shmcb_module {MODULES}/mod_socache_shmcb.so\n\
             LoadModule ssl_module {MODULES}/mod_ssl.so\n\
             User nobody\nGroup nogroup\nServerName localhost\n\
             Listen 127.0.0.1:{port}\nPidFile {r}/httpd.pid\nErrorLog {r}/error.log\n\
             LogLevel info\nMutex file:{r} default\nDocumentRoot {r}/docs\n\
             <Directory {r}/docs>\n    Require all granted\n</Directory>\n\
             SSLSessionCache shmcb:{r}/scache(51200)\n"
        );
        for (i, name) in names.iter().enumerate() {
            let key = rcgen::KeyPair::generate().unwrap();
            let cert = rcgen::CertificateParams::new(vec![name.to_string()])
                .unwrap()
                .self_signed(&key)
                .unwrap();
            fs::write(root.join(format!("{i}.crt")), cert.pem()).unwrap();
            fs::write(root.join(format!("{i}.key")), key.serialize_pem()).unwrap();
            conf.push_str(&format!(
                "<VirtualHost *:{port}>\n    ServerName {name}\n    SSLEngine on\n    \
                 SSLCertificateFile {r}/{i}.crt\n    SSLCertificateKeyFile {r}/{i}.key\n\
                 </VirtualHost>\n"
            ));
        }
        fs::write(root.join("httpd.conf"), conf).unwrap();
        // The children run as `nobody` and read the documents.
        for p in [
            root.to_path_buf(),
            root.join("docs"),
            root.join("docs/index.html"),
        ] {
            let mode = if p.is_dir() { 0o755 } else { 0o644 };
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        }
        let log = fs::File::create(root.join("stdout.log")).unwrap();
        let child = Command::new("/usr/sbin/apache2")
            .arg("-f")
            .arg(root.join("httpd.conf"))
            .arg("-DFOREGROUND")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start /usr/sbin/apache2 (Debian's apache2 package)");
        let mut apache = Apache { dir, child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = apache.child.try_wait() {
                panic!("apache2 exited at start-up ({status}):\n{}", apache.logs());
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return apache;
            }
            assert!(
                Instant::now() < deadline,
                "apache2 did not listen on port {port} within 10s:\n{}",
                apache.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn logs(&self) -> String {
        let dir = self.dir.path();
        [dir.join("error.log"), dir.join("stdout.log")]
            .iter()
            .filter_map(|p| fs::read(p).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect::<Vec<_>>()
            .join("")
    }

    /// How many lines of the error log hold every fragment, after a short wait for the
    /// request's line to be written.
    pub fn count(&self, fragments: &[&str]) -> usize {
        std::thread::sleep(Duration::from_millis(100));
        self.logs()
            .lines()
            .filter(|l| fragments.iter().all(|f| l.contains(f)))
            .count()
    }
}

impl Drop for Apache {
    /// SIGTERM to the parent, which stops its children, then wait for it.
    fn drop(&mut self) {
        crate::proxy::terminate(&mut self.child, Duration::from_secs(10));
    }
}
