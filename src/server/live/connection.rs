//! The server's listener: accepts connections and hands each to `direct::sort`, which answers
//! an event stream's connection itself and gives every other one back for axum, as a
//! [`Connection`] that replays the bytes already read.

use super::direct::sort;
use crate::server::startup::AppState;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The connections axum serves: every one that is not an event stream's.
pub struct Listener {
    accepted: mpsc::Receiver<(Connection, SocketAddr)>,
    local: SocketAddr,
}

/// Starts accepting on `tcp`; accepting stops when the returned listener is dropped.
pub fn listen(tcp: TcpListener, state: AppState) -> io::Result<Listener> {
    let local = tcp.local_addr()?;
    let (sender, accepted) = mpsc::channel(256);
    tokio::spawn(accept(tcp, sender, state));
    Ok(Listener { accepted, local })
}

impl axum::serve::Listener for Listener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        match self.accepted.recv().await {
            Some(accepted) => accepted,
            // The accepting task ends only once this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

async fn accept(tcp: TcpListener, sender: mpsc::Sender<(Connection, SocketAddr)>, state: AppState) {
    loop {
        let accepted = tokio::select! {
            accepted = tcp.accept() => accepted,
            () = sender.closed() => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let stream = without_delay(stream);
                let (sender, state) = (sender.clone(), state.clone());
                tokio::spawn(async move {
                    if let Some(connection) = sort(stream, peer, state).await {
                        let _ = sender.send((connection, peer)).await;
                    }
                });
            }
            // The peer gave up before it was accepted: nothing to do.
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => {}
            // Out of files, most likely: wait for some to close, as axum does.
            Err(e) => {
                tracing::error!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A connection for axum: the bytes already read from it come first.
pub struct Connection {
    head: Vec<u8>,
    read: usize,
    tcp: TcpStream,
}

impl Connection {
    /// `tcp`, of which `head` was read already.
    pub(super) fn new(head: Vec<u8>, tcp: TcpStream) -> Connection {
        Connection { head, read: 0, tcp }
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.read < this.head.len() {
            let n = buf.remaining().min(this.head.len() - this.read);
            buf.put_slice(&this.head[this.read..this.read + n]);
            this.read += n;
            if this.read == this.head.len() {
                (this.head, this.read) = (Vec::new(), 0);
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// Each write goes out at once: a streamed page's chunks and a stream's events are small, and
/// Nagle's algorithm would hold one back until the client acknowledges the last, which a client
/// that delays its ACKs does after up to 40 ms.
fn without_delay(stream: TcpStream) -> TcpStream {
    let _ = stream.set_nodelay(true);
    stream
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn accepted_connections_send_each_write_at_once() {
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpStream::connect(tcp.local_addr().unwrap()).await.unwrap();
        let (accepted, _) = tcp.accept().await.unwrap();
        assert!(!accepted.nodelay().unwrap(), "the system's default");
        assert!(super::without_delay(accepted).nodelay().unwrap());
        drop(client);
    }
}
