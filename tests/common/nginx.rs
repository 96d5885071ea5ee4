//! Debian's nginx as the load balancer in front of several app instances on loopback, run
//! with the project's own configuration (`deploy/nginx.conf`) pointed at the test's ports.

use super::process::{free_addr, Scratch};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;

pub struct Nginx {
    pub addr: SocketAddr,
    child: Child,
    _dir: Scratch,
}

/// The nginx binary, if installed (`scripts/setup.sh --e2e` installs it).
pub fn binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().map(PathBuf::from).find(|p| p.exists())
}

impl Nginx {
    pub async fn start(upstreams: &[SocketAddr]) -> Nginx {
        let dir = Scratch::new("nginx");
        let addr = free_addr();
        let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx.conf")).expect("deploy/nginx.conf");
        let servers: String =
            upstreams.iter().map(|a| format!("        server {a} max_fails=1 fail_timeout=10s;\n")).collect();
        // Each upstream (pages and API; event streams) lists the same three servers.
        let listed: String = (1..=3).map(|n| format!("        server 127.0.0.1:300{n} max_fails=1 fail_timeout=10s;\n")).collect();
        assert_eq!(config.matches(&listed).count(), 2, "both upstreams list the three servers");
        let mut config = config.replace(&listed, &servers);
        config = config.replace("listen 127.0.0.1:8080;", &format!("listen {addr};"));
        // Run as root here (a sandbox): workers need the scratch folder.
        config = format!("user root;\n{config}");
        for temp in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            std::fs::create_dir_all(dir.0.join("tmp").join(temp)).expect("nginx temp folders");
        }
        std::fs::write(dir.0.join("nginx.conf"), config).expect("the configuration");
        let child = Command::new(binary().expect("nginx is installed"))
            .arg("-p")
            .arg(&dir.0)
            .arg("-c")
            .arg("nginx.conf")
            .arg("-e")
            .arg("stderr")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let mut nginx = Nginx { addr, child, _dir: dir };
        for _ in 0..200 {
            if TcpStream::connect(addr).await.is_ok() {
                return nginx;
            }
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!("nginx exited at start: {status}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("nginx did not listen on {addr}");
    }
}

impl Drop for Nginx {
    /// Stops nginx as its operators do (SIGTERM: the master stops its workers, then exits).
    /// SIGKILL only if that fails: killing the master outright leaves the workers running,
    /// holding the test's output open.
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..100 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
