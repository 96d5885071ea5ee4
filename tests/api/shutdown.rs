//! Graceful shutdown of the real binary: on SIGTERM a request in flight is answered in full,
//! the process exits with status 0, and the address stops accepting connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process and its folder; killed and removed however the test ends.
struct Server {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn start() -> Server {
    let addr = free_port();
    let dir = std::env::temp_dir().join(format!("helpdesk-shutdown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .current_dir(&dir)
        .env_remove("HELPDESK_CONFIG")
        .env("HELPDESK_ADDR", addr.to_string())
        .env("HELPDESK_DATABASE_URL", "sqlite::memory:")
        .env("HELPDESK_DEMO", "true")
        .env("HELPDESK_OUTBOX_DIR", dir.join("outbox"))
        .env("LEPTOS_OUTPUT_NAME", "helpdesk")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the server binary starts");
    let server = Server { child, dir, addr };
    let deadline = Instant::now() + Duration::from_secs(180); // generous: a busy machine starts slowly
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(addr) {
            if exchange(&mut stream, "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").contains("200 OK") {
                return server;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not start: {}", std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default());
}

/// Sends a request and reads one response (headers and a Content-Length body).
fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).unwrap();
    read_response(stream)
}

fn read_response(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return text;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&bytes).to_string(),
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn sigterm_lets_a_sign_in_in_flight_finish_then_exits_cleanly_and_refuses_new_connections() {
    let mut server = start();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    // The connection is accepted and served before the signal: a request on it is in flight.
    assert!(exchange(&mut stream, "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").contains("200 OK"));

    // A sign-in (a password hash) whose body is still arriving when SIGTERM comes.
    let body = r#"{"email":"user@gmail.com","password":"user123"}"#;
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(10);
    stream.write_all(format!("{head}{first}").as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(server.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.child.try_wait().unwrap().is_none(), "the server waits for the request in flight");
    stream.write_all(rest.as_bytes()).unwrap();

    let response = read_response(&mut stream);
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    let json = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let parsed: serde_json::Value = serde_json::from_str(json).expect("the whole body arrived");
    assert!(parsed["token"].as_str().is_some_and(|t| !t.is_empty()), "{parsed}");

    let status = wait_for_exit(&mut server.child, Duration::from_secs(15)).expect("the server exits");
    assert!(status.success(), "exit status {status:?}: {}", std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default());
    let refused = TcpStream::connect(server.addr).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
    assert!(log.contains("SIGTERM received"), "{log}");
}
