//! A load client for `GET /api/events`, for `scripts/bench-live.sh`: it holds thousands of
//! event streams open, or measures how long a change takes to reach every one of them. It
//! speaks HTTP/1.1 over tokio's `TcpStream` and parses the chunked framing and the SSE lines
//! by hand, so that it costs far less than the server it measures (it reports its own CPU
//! time and per-event handling time to show it).
//!
//!     live_client hold --addr 127.0.0.1:3240 --token T --streams 10000 --secs 600
//!     live_client latency --addr 127.0.0.1:3240 --token ADMIN --writer-token W \
//!         --streams 2000 --writes 50 --ticket 42
//!
//! `hold` prints `open N in S s` once every stream has its 200 answer, then holds them for
//! `--secs` or until its standard input closes (give it a pipe: /dev/null closes at once).
//! `latency` posts `--writes` public replies to `--ticket` as the writer, 200 ms apart, and
//! times each one's `ticket` event on every stream (the token must see every event: an admin).
//! The shell raises the open-files limit (`ulimit -n 20000`). Build with `--features ssr`.

#[cfg(feature = "ssr")]
mod client {
    use std::collections::HashMap;
    use std::io::ErrorKind::WouldBlock;
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use tokio::net::TcpStream;
    use tokio::sync::{mpsc, Semaphore};

    /// Streams being opened at once: more would overrun the server's accept backlog.
    const OPENING: usize = 200;
    /// Time between the starts of two writes of `latency`.
    const PACE: Duration = Duration::from_millis(200);
    /// How long a write's event may take to reach every stream before the rest count as missed.
    const WAIT: Duration = Duration::from_secs(10);

    pub fn main() {
        let mut args = std::env::args().skip(1);
        let command = args.next().unwrap_or_default();
        let mut opts = HashMap::new();
        while let (Some(key), Some(value)) = (args.next(), args.next()) {
            opts.insert(key.trim_start_matches("--").to_string(), value);
        }
        let get = |key: &str| opts.get(key).cloned().unwrap_or_else(|| fail(&format!("--{key} is missing")));
        let num = |key: &str| get(key).parse::<u64>().unwrap_or_else(|_| fail(&format!("--{key} must be a whole number")));
        // Two workers, as many as the machine's cores: the client competes with the server.
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("the runtime starts");
        let (addr, token): (Arc<str>, Arc<str>) = (get("addr").into(), get("token").into());
        match command.as_str() {
            "hold" => runtime.block_on(hold(addr, token, num("streams") as usize, Duration::from_secs(num("secs")))),
            "latency" => runtime.block_on(latency(addr, token, get("writer-token"), num("streams") as usize, num("writes") as usize, num("ticket"))),
            _ => fail("usage: live_client hold|latency --addr HOST:PORT --token T … (see the file's doc comment)"),
        }
    }

    fn fail(message: &str) -> ! {
        eprintln!("live_client: {message}");
        std::process::exit(2)
    }

    /// Bytes read, `ticket` events seen and streams the server ended, over all streams.
    #[derive(Default)]
    struct Counts {
        bytes: AtomicU64,
        events: AtomicU64,
        closed: AtomicU64,
    }

    /// Reads what the socket holds (0: closed). `readable` and `try_read` need only tokio's
    /// `net` feature, not `io-util`.
    async fn read_some(sock: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            sock.readable().await?;
            match sock.try_read(buf) {
                Err(e) if e.kind() == WouldBlock => continue,
                done => return done,
            }
        }
    }

    async fn write_all(sock: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            sock.writable().await?;
            match sock.try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sends `request` on a new connection and reads the answer's status line and headers (in
    /// lower case); also returns the socket and the body bytes that came with the headers.
    async fn send(addr: &str, request: &str) -> Result<(TcpStream, String, Vec<u8>), String> {
        let sock = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
        write_all(&sock, request.as_bytes()).await.map_err(|e| format!("send: {e}"))?;
        let (mut buf, mut chunk) = (Vec::with_capacity(1024), [0u8; 1024]);
        loop {
            match read_some(&sock, &mut chunk).await {
                Ok(0) => return Err("closed before the headers".into()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("read: {e}")),
            }
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                return Ok((sock, head, buf[end + 4..].to_vec()));
            }
        }
    }

    fn status(head: &str) -> &str {
        head.split(' ').nth(1).unwrap_or("?")
    }

    /// Chunked decoding and SSE parsing in one pass over whatever bytes arrive, with no copy
    /// beyond the line being read and no JSON parsing: a `ticket` event is matched by its
    /// `"ticket":ID` field.
    #[derive(Default)]
    struct Parser {
        chunked: bool,
        /// Payload bytes still due in the current chunk (0: a chunk-size line comes next).
        left: usize,
        size_line: Vec<u8>,
        line: Vec<u8>,
        id: u64,
        ticket: bool,
        matched: bool,
    }

    impl Parser {
        /// Feeds bytes read at `at`; `seen(id, matched, at)` is called at the end of each
        /// `ticket` event. False once the last chunk came.
        fn feed(&mut self, mut bytes: &[u8], pattern: &[u8], at: Instant, seen: &mut impl FnMut(u64, bool, Instant)) -> bool {
            if !self.chunked {
                self.lines(bytes, pattern, at, seen);
                return true;
            }
            while !bytes.is_empty() {
                if self.left > 0 {
                    let n = self.left.min(bytes.len());
                    self.lines(&bytes[..n], pattern, at, seen);
                    (self.left, bytes) = (self.left - n, &bytes[n..]);
                    continue;
                }
                let Some(i) = bytes.iter().position(|&b| b == b'\n') else {
                    self.size_line.extend_from_slice(bytes);
                    break;
                };
                self.size_line.extend_from_slice(&bytes[..i]);
                bytes = &bytes[i + 1..];
                let digits = self.size_line.split(|&b| b == b';' || b == b'\r').next().unwrap_or_default();
                // An empty line is the CRLF that closes a chunk's payload.
                let size = (!digits.is_empty()).then(|| std::str::from_utf8(digits).ok().and_then(|s| usize::from_str_radix(s.trim(), 16).ok()));
                self.size_line.clear();
                match size {
                    None => {}
                    Some(Some(0)) | Some(None) => return false,
                    Some(Some(n)) => self.left = n,
                }
            }
            true
        }

        fn lines(&mut self, mut bytes: &[u8], pattern: &[u8], at: Instant, seen: &mut impl FnMut(u64, bool, Instant)) {
            while let Some(i) = bytes.iter().position(|&b| b == b'\n') {
                self.line.extend_from_slice(&bytes[..i]);
                bytes = &bytes[i + 1..];
                let line = std::mem::take(&mut self.line);
                let text = line.strip_suffix(b"\r").unwrap_or(&line);
                if text.is_empty() {
                    if self.ticket {
                        seen(self.id, self.matched, at);
                    }
                    (self.ticket, self.matched) = (false, false);
                } else if let Some(v) = text.strip_prefix(b"id:") {
                    self.id = std::str::from_utf8(v).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(self.id);
                } else if let Some(v) = text.strip_prefix(b"event:") {
                    self.ticket = v.trim_ascii() == b"ticket";
                } else if let Some(v) = text.strip_prefix(b"data:") {
                    self.matched |= mentions(v, pattern);
                }
                self.line = line;
                self.line.clear();
            }
            self.line.extend_from_slice(bytes);
        }
    }

    /// Whether `data` holds `pattern` (`"ticket":ID`) as a whole field, not `ID` as a prefix.
    fn mentions(data: &[u8], pattern: &[u8]) -> bool {
        !pattern.is_empty()
            && data.windows(pattern.len()).enumerate().any(|(i, w)| w == pattern && matches!(data.get(i + pattern.len()), Some(b',' | b'}')))
    }

    /// Opens `n` streams, at most `OPENING` at a time, each read by its own task that calls
    /// `seen(idx)`'s closure for every `ticket` event. Returns once every stream has its 200
    /// answer (exits on the first failure), with the time that took.
    async fn open_all<F>(addr: Arc<str>, token: Arc<str>, n: usize, pattern: Vec<u8>, counts: Arc<Counts>, seen: impl Fn(usize) -> F) -> Duration
    where
        F: FnMut(u64, bool, Instant) + Send + 'static,
    {
        let started = Instant::now();
        let (gate, pattern) = (Arc::new(Semaphore::new(OPENING)), Arc::<[u8]>::from(pattern));
        let (ready, mut opened) = mpsc::unbounded_channel::<Result<(), String>>();
        for idx in 0..n {
            let (addr, token, gate, ready, pattern, counts, mut seen) = (addr.clone(), token.clone(), gate.clone(), ready.clone(), pattern.clone(), counts.clone(), seen(idx));
            tokio::spawn(async move {
                let permit = gate.acquire_owned().await.expect("the gate stays open");
                let request = format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n");
                let (sock, head, body) = match send(&addr, &request).await {
                    Ok(answer) if status(&answer.1) == "200" => answer,
                    Ok(answer) => return drop(ready.send(Err(format!("HTTP {}", status(&answer.1))))),
                    Err(e) => return drop(ready.send(Err(e))),
                };
                drop(permit);
                let _ = ready.send(Ok(()));
                let mut parser = Parser { chunked: head.contains("transfer-encoding: chunked"), ..Parser::default() };
                let mut seen = |id, matched, at| {
                    counts.events.fetch_add(1, Relaxed);
                    seen(id, matched, at)
                };
                let (mut buf, mut more) = (vec![0u8; 4096], parser.feed(&body, &pattern, Instant::now(), &mut seen));
                while more {
                    let n = match read_some(&sock, &mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let at = Instant::now();
                    counts.bytes.fetch_add(n as u64, Relaxed);
                    more = parser.feed(&buf[..n], &pattern, at, &mut seen);
                }
                counts.closed.fetch_add(1, Relaxed);
            });
        }
        for _ in 0..n {
            if let Some(Err(e)) = opened.recv().await {
                fail(&format!("opening a stream: {e}"));
            }
        }
        started.elapsed()
    }

    async fn hold(addr: Arc<str>, token: Arc<str>, n: usize, secs: Duration) {
        let counts = Arc::new(Counts::default());
        let took = open_all(addr, token, n, Vec::new(), counts.clone(), |_| |_, _, _| {}).await;
        println!("open {n} in {:.2} s", took.as_secs_f64());
        // Standard input is read on a thread of its own: tokio's `io-std` feature is not enabled.
        let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = closed.send(());
        });
        let start = Instant::now();
        tokio::select! {
            _ = tokio::time::sleep(secs) => {}
            _ = stdin_closed => {}
        }
        let (events, bytes, ended) = (counts.events.load(Relaxed), counts.bytes.load(Relaxed), counts.closed.load(Relaxed));
        println!("held {n} secs {:.1} events {events} bytes {bytes} closed {ended}", start.elapsed().as_secs_f64());
    }

    /// Milliseconds from `from` to `to`, negative when `to` came first.
    fn ms(from: Instant, to: Instant) -> f64 {
        match to.checked_duration_since(from) {
            Some(d) => d.as_secs_f64() * 1e3,
            None => -(from - to).as_secs_f64() * 1e3,
        }
    }

    /// `label p50 p90 p99 max`, one line for the script to read.
    fn report(label: &str, mut values: Vec<f64>) {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values.get(((values.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(f64::NAN);
        println!("{label} {:.2} {:.2} {:.2} {:.2}", at(0.5), at(0.9), at(0.99), at(1.0));
    }

    /// This process's CPU time (user and system), all threads.
    fn cpu_time() -> Duration {
        // SAFETY: getrusage only writes the struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            usage
        };
        let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        time(usage.ru_utime) + time(usage.ru_stime)
    }

    async fn latency(addr: Arc<str>, token: Arc<str>, writer: String, n: usize, writes: usize, ticket: u64) {
        let counts = Arc::new(Counts::default());
        // Each matching event: (stream, event id, when its bytes were read, time spent until now).
        let (tx, mut rx) = mpsc::unbounded_channel::<(usize, u64, Instant, Duration)>();
        let pattern = format!("\"ticket\":{ticket}").into_bytes();
        let took = open_all(addr.clone(), token, n, pattern, counts.clone(), |idx| {
            let tx = tx.clone();
            move |id, matched, at: Instant| {
                if matched {
                    let _ = tx.send((idx, id, at, at.elapsed()));
                }
            }
        })
        .await;
        println!("open {n} in {:.2} s", took.as_secs_f64());
        let (cpu0, wall0, events0) = (cpu_time(), Instant::now(), counts.events.load(Relaxed));
        let (mut every, mut each, mut from_request, mut handling) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut missed, mut last) = (0, 0u64);
        for k in 0..writes {
            let body = format!("{{\"text\":\"bench reply {k}\"}}");
            let request = format!(
                "POST /api/tickets/{ticket}/replies HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {writer}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let t0 = Instant::now();
            // The answer is read to its end: the server closes the connection after it.
            let (sock, head, _) = send(&addr, &request).await.unwrap_or_else(|e| fail(&format!("reply {k}: {e}")));
            let mut buf = [0u8; 8192];
            while let Ok(1..) = read_some(&sock, &mut buf).await {}
            let t1 = Instant::now();
            if status(&head) != "201" {
                fail(&format!("reply {k}: HTTP {}", status(&head)));
            }
            // Every stream's first event of the ticket after the previous write's.
            let (mut got, mut count, mut slowest, mut newest) = (vec![false; n], 0, None::<Instant>, last);
            let deadline = tokio::time::Instant::from_std(t1 + WAIT);
            while count < n {
                let Ok(Some((idx, id, at, spent))) = tokio::time::timeout_at(deadline, rx.recv()).await else { break };
                if id <= last || std::mem::replace(&mut got[idx], true) {
                    continue;
                }
                (count, newest) = (count + 1, newest.max(id));
                each.push(ms(t1, at));
                handling.push(spent.as_secs_f64() * 1e6);
                slowest = slowest.max(Some(at));
            }
            missed += n - count;
            if let Some(at) = slowest {
                every.push(ms(t1, at));
                from_request.push(ms(t0, at));
            }
            last = newest;
            tokio::time::sleep_until(tokio::time::Instant::from_std(t0 + PACE)).await;
        }
        let (cpu, wall) = (cpu_time() - cpu0, wall0.elapsed());
        report("every_stream_ms", every);
        report("each_stream_ms", each);
        report("every_stream_from_request_ms", from_request);
        report("handling_us", handling);
        println!("missed {missed} of {} closed {}", n * writes, counts.closed.load(Relaxed));
        println!("client_cpu_ms {:.0} wall_ms {:.0} events {}", cpu.as_secs_f64() * 1e3, wall.as_secs_f64() * 1e3, counts.events.load(Relaxed) - events0);
    }
}

#[cfg(feature = "ssr")]
fn main() {
    client::main()
}

#[cfg(not(feature = "ssr"))]
fn main() {
    eprintln!("build with --features ssr");
}
