//! A loopback HTTP/1.1 server that keeps connections alive, counts them, and answers each request as a
//! handler says: a proper reply, or on purpose a broken one (reset in the middle, truncated, never
//! answered, huge). Used by the fault, fuzz, secrets and load tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::server::{Recorded, Reply};

/// How the server answers one request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A well-formed reply; the connection stays open for the next request.
    Reply(Reply),
    /// These bytes as they are, then the connection is closed (a truncated body, a bad head).
    RawThenClose(Vec<u8>),
    /// These bytes, then the connection is reset (TCP RST).
    RawThenReset(Vec<u8>),
    /// The request is read and never answered; the connection stays open until the server stops.
    Silence,
    /// A reply whose body is `length` bytes of filler after `prefix`, written in chunks.
    Huge {
        status: u16,
        prefix: Vec<u8>,
        length: usize,
        declare_length: bool,
    },
}

type Handler = dyn Fn(&Recorded, usize) -> Answer + Send + Sync;

#[derive(Default)]
struct Log {
    requests: Vec<(Instant, Recorded)>,
}

/// The server; stops when dropped (every connection task is aborted with it).
pub struct FaultyServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    log: Arc<Mutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyServer {
    /// Starts a server that calls `handler(request, index)` for each request (`index` counts from 0 over
    /// the server's life).
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Answer + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let connections = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Log::default()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (count, shared) = (connections.clone(), log.clone());
        let task = tokio::spawn(async move {
            let mut open = JoinSet::new();
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                open.spawn(serve(socket, handler.clone(), shared.clone()));
                while open.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            connections,
            log,
            task,
        }
    }

    /// A server that answers every request with `answer`.
    pub async fn always(answer: Answer) -> Self {
        Self::start(move |_, _| answer.clone()).await
    }

    /// `http://127.0.0.1:<port>` followed by `base_path`.
    pub fn url(&self, base_path: &str) -> String {
        format!("http://{}{}", self.addr, base_path)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        let log = self.log.lock().unwrap();
        log.requests.iter().map(|(_, r)| r.clone()).collect()
    }

    /// When each request arrived, oldest first.
    pub fn arrivals(&self) -> Vec<Instant> {
        let log = self.log.lock().unwrap();
        log.requests.iter().map(|(at, _)| *at).collect()
    }
}

/// A URL on loopback where nothing listens: connecting is refused.
pub async fn refused_url(base_path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}{base_path}")
}

async fn serve(mut socket: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Log>>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buffer).await {
        let index = {
            let mut log = log.lock().unwrap();
            log.requests.push((Instant::now(), request.clone()));
            log.requests.len() - 1
        };
        match handler(&request, index) {
            Answer::Reply(reply) => {
                if socket.write_all(&encode(&reply)).await.is_err() {
                    return;
                }
            }
            Answer::RawThenClose(bytes) => {
                let _ = socket.write_all(&bytes).await;
                let _ = socket.shutdown().await;
                return;
            }
            Answer::RawThenReset(bytes) => {
                let _ = socket.write_all(&bytes).await;
                let _ = socket.flush().await;
                // Give the client a moment to read what was sent, then reset rather than close.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = socket.set_zero_linger();
                return;
            }
            Answer::Silence => {
                std::future::pending::<()>().await;
            }
            Answer::Huge {
                status,
                prefix,
                length,
                declare_length,
            } => {
                let mut head =
                    format!("HTTP/1.1 {status} Huge\r\ncontent-type: application/json\r\n");
                if declare_length {
                    head.push_str(&format!("content-length: {length}\r\n"));
                } else {
                    head.push_str("connection: close\r\n");
                }
                head.push_str("\r\n");
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(&prefix).await.is_err()
                {
                    return;
                }
                let filler = vec![b' '; 64 * 1024];
                let mut left = length.saturating_sub(prefix.len());
                while left > 0 {
                    let n = left.min(filler.len());
                    if socket.write_all(&filler[..n]).await.is_err() {
                        return; // the client stopped reading
                    }
                    left -= n;
                }
                let _ = socket.shutdown().await;
                return;
            }
        }
    }
}

/// A reply that keeps the connection open (the server in `server.rs` closes after each one).
pub fn encode(reply: &Reply) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} Scripted\r\ncontent-length: {}\r\n",
        reply.status,
        reply.body.len()
    );
    if let Some(content_type) = &reply.content_type {
        head.push_str(&format!("content-type: {content_type}\r\n"));
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&reply.body);
    bytes
}

/// Reads one request; bytes past it stay in `buffer` for the next one. `None` when the client is gone.
async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Recorded> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    buffer.drain(..head_end + 4);
    while buffer.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buffer.drain(..length).collect();
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}
