//! Debian's aiosmtpd (`python3-aiosmtpd`, installed by the test command) as a real SMTP
//! server on loopback that keeps every message it accepts in a maildir.

use super::process::{free_addr, Scratch};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;

pub struct SmtpSink {
    pub addr: SocketAddr,
    child: Child,
    dir: Scratch,
}

impl SmtpSink {
    /// Starts a sink on a free port and waits until it accepts connections.
    pub async fn start() -> SmtpSink {
        Self::start_on(free_addr()).await
    }

    /// Starts a sink on `addr` (e.g. where an earlier one stood) and waits until it listens.
    pub async fn start_on(addr: SocketAddr) -> SmtpSink {
        let dir = Scratch::new("smtp-sink");
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &addr.to_string(), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.0.join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the SMTP sink starts (Debian's python3-aiosmtpd; scripts/test.sh installs it)");
        let sink = SmtpSink { addr, child, dir };
        for _ in 0..200 {
            if TcpStream::connect(addr).await.is_ok() {
                return sink;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the SMTP sink (python3 -m aiosmtpd) did not listen on {addr}: is python3-aiosmtpd installed?");
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every message accepted so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.dir.0.join("maildir").join(sub)) else { continue };
            out.extend(entries.filter_map(|e| std::fs::read(e.ok()?.path()).ok()));
        }
        out
    }

    /// Waits (at most `secs`) until at least `n` messages have arrived; returns them all.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Vec<u8>> {
        for _ in 0..secs * 20 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got = self.messages();
        assert!(got.len() >= n, "{} of {n} mails reached the SMTP sink in {secs} s", got.len());
        got
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
