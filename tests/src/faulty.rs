//! A loopback HTTP/1.1 server that keeps connections alive, counts them, and answers each request as a
//! handler says: a proper reply, or on purpose a broken one (reset in the middle, truncated, never
//! answered, huge). Used by the fault, fuzz, secrets and load tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::server::{Recorded, Reply, encode, read_request};

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
    /// This answer, after a pause (the head is late).
    After(Duration, Box<Answer>),
    /// A reply whose head comes at once and whose body comes after a pause (an answer that takes `delay` to
    /// read); the connection stays open for the next request.
    SlowBody {
        status: u16,
        body: Vec<u8>,
        delay: Duration,
    },
    /// A reply whose body is `length` bytes of filler after `prefix`, written in chunks
    /// (`usize::MAX`: never ends).
    Huge {
        status: u16,
        prefix: Vec<u8>,
        length: usize,
        declare_length: bool,
    },
}

/// An idle kept-alive connection is held this long (longer than any test), as a real server would.
const KEEP_ALIVE_PATIENCE: Duration = Duration::from_secs(300);

type Handler = dyn Fn(&Recorded, usize) -> Answer + Send + Sync;

#[derive(Default)]
struct Log {
    requests: Vec<(Instant, Recorded)>,
}

/// The server; stops when dropped (every connection task is aborted with it).
pub struct FaultyServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    open: Arc<Gauge>,
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
        let open = Arc::new(Gauge::default());
        let log = Arc::new(Mutex::new(Log::default()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (count, shared, gauge) = (connections.clone(), log.clone(), open.clone());
        let task = tokio::spawn(async move {
            let mut open = JoinSet::new();
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let up = Up::new(gauge.clone());
                let (handler, shared) = (handler.clone(), shared.clone());
                open.spawn(async move {
                    serve(socket, handler, shared).await;
                    drop(up);
                });
                while open.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            connections,
            open,
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

    /// The most connections that were open at the same time so far.
    pub fn peak_connections(&self) -> usize {
        self.open.peak.load(Ordering::SeqCst)
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

/// Connections open now, and the most at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

/// One open connection on the gauge, until dropped (also when its task is aborted).
struct Up(Arc<Gauge>);

impl Up {
    fn new(gauge: Arc<Gauge>) -> Self {
        let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
        gauge.peak.fetch_max(now, Ordering::SeqCst);
        Self(gauge)
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve(mut socket: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Log>>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buffer, KEEP_ALIVE_PATIENCE).await {
        let index = {
            let mut log = log.lock().unwrap();
            log.requests.push((Instant::now(), request.clone()));
            log.requests.len() - 1
        };
        let mut answer = handler(&request, index);
        while let Answer::After(pause, then) = answer {
            tokio::time::sleep(pause).await;
            answer = *then;
        }
        match answer {
            Answer::After(..) => unreachable!("unwrapped above"),
            Answer::SlowBody {
                status,
                body,
                delay,
            } => {
                let head = format!(
                    "HTTP/1.1 {status} Slow\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let _ = socket.flush().await;
                tokio::time::sleep(delay).await;
                if socket.write_all(&body).await.is_err() {
                    return;
                }
            }
            Answer::Reply(reply) => {
                if socket.write_all(&encode(&reply, false)).await.is_err() {
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
