//! A TCP proxy that cuts a connection at a chosen moment, as a network or a server can: each
//! rule fires once, in order, then the proxy passes everything through.

use super::process::free_addr;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// The server's answer contains this: half of that piece is passed on, then the connection
    /// is cut (the client is left mid-answer).
    ServerSays(&'static str),
    /// The client sends a command containing this: the connection is cut and the command never
    /// reaches the server.
    ClientSays(&'static str),
}

pub struct Cutter {
    pub addr: SocketAddr,
    rules: Arc<Mutex<Vec<Cut>>>,
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

impl Cutter {
    pub async fn start(target: SocketAddr, rules: Vec<Cut>) -> Cutter {
        let addr = free_addr();
        let listener = TcpListener::bind(addr).await.unwrap();
        let rules = Arc::new(Mutex::new(rules));
        let shared = rules.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(target).await else { continue };
                tokio::spawn(pump(client, server, shared.clone()));
            }
        });
        Cutter { addr, rules }
    }

    /// The rules that have not fired yet.
    pub fn pending(&self) -> usize {
        self.rules.lock().unwrap().len()
    }
}

async fn pump(mut client: TcpStream, mut server: TcpStream, rules: Arc<Mutex<Vec<Cut>>>) {
    let (mut from_client, mut from_server) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        tokio::select! {
            n = client.read(&mut from_client) => {
                let Ok(n @ 1..) = n else { return };
                let piece = &from_client[..n];
                {
                    let mut rules = rules.lock().unwrap();
                    if let Some(Cut::ClientSays(needle)) = rules.first().copied() {
                        if contains(piece, needle) {
                            rules.remove(0);
                            return;
                        }
                    }
                }
                if server.write_all(piece).await.is_err() { return }
            }
            n = server.read(&mut from_server) => {
                let Ok(n @ 1..) = n else { return };
                let piece = &from_server[..n];
                let cut = {
                    let mut rules = rules.lock().unwrap();
                    match rules.first().copied() {
                        Some(Cut::ServerSays(needle)) if contains(piece, needle) => {
                            rules.remove(0);
                            true
                        }
                        _ => false,
                    }
                };
                let pass = if cut { &piece[..n / 2] } else { piece };
                if client.write_all(pass).await.is_err() || cut { return }
            }
        }
    }
}
