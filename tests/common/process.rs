//! The real server binary, started as a process on a free port, and a minimal HTTP/1.1
//! client to talk to it (each request on its own connection, as a crash can cut any of them).

use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Server {
    pub addr: SocketAddr,
    pub child: Child,
}

/// A free loopback port (the OS picks one; it is released for the server to take).
pub fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address")
}

impl Server {
    /// Starts the binary on `database` (a SQLite file) with demo data and generous limits,
    /// and waits until it answers.
    pub async fn start(database: &Path, outbox: &Path, extra_env: &[(&str, &str)]) -> Server {
        Self::start_on(&format!("sqlite://{}", database.display()), outbox, extra_env).await
    }

    /// Starts the binary on the database `url` names (see `start`).
    pub async fn start_on(url: &str, outbox: &Path, extra_env: &[(&str, &str)]) -> Server {
        let addr = free_addr();
        let mut command = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
        command
            .env("HELPDESK_ADDR", addr.to_string())
            .env("HELPDESK_DATABASE_URL", url)
            .env("HELPDESK_DEMO", "true")
            .env("HELPDESK_OUTBOX_DIR", outbox)
            .env("HELPDESK_REQUESTS_PER_IP", "100000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in extra_env {
            command.env(name, value);
        }
        let child = command.spawn().expect("the server binary starts");
        let mut server = Server { addr, child };
        // Generous: a debug build seeding its demo data on a busy machine starts slowly.
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        while std::time::Instant::now() < deadline {
            if TcpStream::connect(addr).await.is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited at start: {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = server.child.kill();
        panic!("the server did not listen on {addr}");
    }

    /// SIGKILL: no shutdown, no flush, nothing finishes.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
        call(self.addr, method, path, token, body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = serde_json::json!({ "email": email, "password": password });
        let (status, reply) = self.call("POST", "/api/auth/login", None, Some(&body)).await.expect("sign-in answers");
        assert_eq!(status, 200, "sign-in of {email}: {reply}");
        reply["token"].as_str().expect("a token").to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One request on a fresh connection; the JSON answer (or the raw text as a JSON string).
pub async fn call(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(addr).await?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", payload.len());
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(payload.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("an incomplete answer"))?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("no status"))?;
    let body = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()));
    Ok((status, body))
}

/// A folder for one test's files, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        Scratch(super::temp_dir(name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens `GET path` as an event stream (HTTP/1.1, kept open) on a connection of its own.
pub async fn open_stream(addr: SocketAddr, path: &str, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// Reads from `stream` until `needle` has come (then returns all read), or `wait` passed.
pub async fn read_until(stream: &mut TcpStream, needle: &str, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&seen).into_owned())
}
