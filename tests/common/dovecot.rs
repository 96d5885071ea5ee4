//! Debian's Dovecot (`dovecot-imapd`, installed by the test command) as a real IMAP server on
//! loopback: one account, a Maildir in a scratch folder, mail put in with IMAP APPEND as a
//! mail server would deliver it, and read back to see what the help desk marked.

use super::process::{free_addr, Scratch};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpStream;

pub const USER: &str = "helpdesk";

pub struct Dovecot {
    pub addr: SocketAddr,
    /// Where it speaks TLS (`start_with_tls`), and the certificate a client must trust.
    pub tls: Option<(SocketAddr, std::path::PathBuf)>,
    pub password: String,
    child: Child,
    dir: Scratch,
}

fn id(flag: &str) -> String {
    let out = Command::new("id").arg(flag).output().expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dovecot {
    /// Starts Dovecot on a free port and waits until it greets.
    pub async fn start() -> Dovecot {
        Self::start_on(false, true).await
    }

    /// Starts Dovecot offering no IDLE (as some servers do not): a client must look by itself.
    pub async fn start_without_idle() -> Dovecot {
        Self::start_on(false, false).await
    }

    /// Starts Dovecot speaking IMAP in the clear and, on a second port, TLS with a
    /// self-signed certificate for `localhost`.
    pub async fn start_with_tls() -> Dovecot {
        Self::start_on(true, true).await
    }

    async fn start_on(with_tls: bool, idle: bool) -> Dovecot {
        let dir = Scratch::new("dovecot");
        let addr = free_addr();
        let password = format!("pw-{}", helpdesk::server::security::random_token(12));
        let d = dir.0.display();
        std::fs::create_dir_all(dir.0.join("home")).unwrap();
        std::fs::create_dir_all(dir.0.join("state")).unwrap();
        std::fs::write(dir.0.join("users"), format!("{USER}:{{PLAIN}}{password}::::::\n")).unwrap();
        // As root, Dovecot runs its parts as its own users and will not serve mail as root; as
        // anyone else, it runs as that user throughout.
        let root = id("-u") == "0";
        let (mail_user, running_as) = if root {
            let status = Command::new("chown").args(["-R", "dovecot:dovecot"]).arg(dir.0.join("home")).status().unwrap();
            assert!(status.success(), "chown of the mail folder to dovecot");
            ("uid=dovecot gid=dovecot".to_string(), String::new())
        } else {
            let (user, group) = (id("-un"), id("-gn"));
            (
                format!("uid={} gid={}", id("-u"), id("-g")),
                format!("default_internal_user = {user}\ndefault_internal_group = {group}\ndefault_login_user = {user}\n"),
            )
        };
        let tls = with_tls.then(|| {
            let status = Command::new("openssl")
                .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=DNS:localhost", "-keyout"])
                .arg(dir.0.join("key.pem"))
                .arg("-out")
                .arg(dir.0.join("cert.pem"))
                .stderr(Stdio::null())
                .status()
                .expect("openssl runs");
            assert!(status.success(), "a self-signed certificate");
            (free_addr(), dir.0.join("cert.pem"))
        });
        let ssl = match &tls {
            None => "ssl = no\n".to_string(),
            Some(_) => format!("ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n"),
        };
        let imaps = match &tls {
            None => String::new(),
            Some((at, _)) => format!("  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {}\n    ssl = yes\n  }}\n", at.port()),
        };
        let capabilities = if idle { "" } else { "imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE\n" };
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
             {ssl}{capabilities}disable_plaintext_auth = no\nfirst_valid_uid = 1\nauth_mechanisms = plain login\n{running_as}\
             mail_location = maildir:{d}/home/%u/Maildir\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
             userdb {{\n  driver = static\n  args = {mail_user} home={d}/home/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {}\n  }}\n{imaps}  chroot =\n}}\n",
            addr.port()
        );
        std::fs::write(dir.0.join("dovecot.conf"), config).unwrap();
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(dir.0.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("Dovecot starts (Debian's dovecot-imapd; scripts/setup.sh --e2e installs it)");
        let server = Dovecot { addr, tls, password, child, dir };
        for _ in 0..400 {
            if TcpStream::connect(addr).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("Dovecot did not listen on {addr}: {}", server.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("dovecot.log")).unwrap_or_default()
    }

    /// The help desk's setting for this mailbox, reached through `addr` (the server itself, or a
    /// proxy in front of it).
    pub fn url_via(&self, addr: SocketAddr) -> String {
        format!("imap://{USER}:{}@{addr}/INBOX", self.password)
    }

    pub fn url(&self) -> String {
        self.url_via(self.addr)
    }

    async fn session(&self) -> async_imap::Session<TcpStream> {
        let mut client = async_imap::Client::new(TcpStream::connect(self.addr).await.unwrap());
        client.read_response().await.unwrap().expect("a greeting");
        let mut session = client.login(USER, &self.password).await.map_err(|(e, _)| e).expect("the test signs in");
        if let Err(e) = session.select("INBOX").await {
            panic!("SELECT INBOX: {e}\n{}", self.log());
        }
        session
    }

    /// Whether the signed-in server lists this capability.
    pub async fn offers(&self, capability: &str) -> bool {
        let mut session = self.session().await;
        let offered = session.capabilities().await.unwrap().has_str(capability);
        session.logout().await.unwrap();
        offered
    }

    /// Puts each raw mail in the inbox, unread, as delivery would.
    pub async fn deliver(&self, mails: &[Vec<u8>]) {
        let mut session = self.session().await;
        for raw in mails {
            session.append("INBOX", None, None, raw).await.expect("APPEND");
        }
        session.logout().await.unwrap();
    }

    /// How many mails the inbox holds, and how many of them are marked read.
    pub async fn counts(&self) -> (usize, usize) {
        let mut session = self.session().await;
        let all = session.uid_search("ALL").await.unwrap().len();
        let seen = session.uid_search("SEEN").await.unwrap().len();
        session.logout().await.unwrap();
        (all, seen)
    }

    /// Waits (at most `secs`) until every mail in the inbox is marked read.
    pub async fn wait_all_read(&self, secs: u64) -> (usize, usize) {
        let mut counts = (0, 0);
        for _ in 0..secs * 10 {
            counts = self.counts().await;
            if counts.0 == counts.1 {
                return counts;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        counts
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM: the master ends its children too.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}
