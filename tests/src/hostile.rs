//! A hostile loopback HTTP/1.1 server (raw TCP, keep-alive) for the adversarial suite
//! (`tests/tests/adversarial.rs`): each request is answered by a [`Script`] of raw steps, so an answer can be
//! anything a real server or an attacker could send: bytes dripped one by one (head or body), a stalled head
//! or body, a body that never ends, any raw head (2,000 headers, a huge or malformed `Content-Length`,
//! conflicting framing), `1xx` answers first, redirects anywhere, the request echoed back. The server
//! counts connections (open now, most open at once, total) and requests being answered at once, and a
//! [`TokenAuthority`] plays MailUp's OAuth token endpoint (issue, refresh, expire, revoke).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::server::{Recorded, read_request};

/// One thing the server does while answering.
#[derive(Clone, Debug)]
pub enum Step {
    /// Writes these bytes at once.
    Send(Vec<u8>),
    /// Writes these bytes `chunk` at a time, pausing `pause` between pieces.
    Drip {
        bytes: Vec<u8>,
        chunk: usize,
        pause: Duration,
    },
    /// Waits (the connection stays open; a client that leaves is noticed).
    Pause(Duration),
    /// Writes `chunk` again and again, pausing `pause` after each, until the client goes away.
    Endless { chunk: Vec<u8>, pause: Duration },
    /// Never writes again, until the client goes away.
    Stall,
    /// Closes the connection (FIN).
    Close,
    /// Resets the connection (RST).
    Reset,
}

/// How the server answers one request: steps in order. Unless a step ends the connection, it is kept alive
/// for the client's next request.
#[derive(Clone, Debug, Default)]
pub struct Script(pub Vec<Step>);

impl Script {
    /// The steps in short: kinds, sizes and waits, and the first line of what is sent first.
    pub fn outline(&self) -> String {
        let first_line = |bytes: &[u8]| {
            let line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
            String::from_utf8_lossy(&line[..line.len().min(60)])
                .trim_end()
                .to_string()
        };
        self.0
            .iter()
            .map(|step| match step {
                Step::Send(bytes) => {
                    format!("send {} bytes ({:?})", bytes.len(), first_line(bytes))
                }
                Step::Drip {
                    bytes,
                    chunk,
                    pause,
                } => {
                    format!(
                        "drip {} bytes by {chunk} every {pause:?} ({:?})",
                        bytes.len(),
                        first_line(bytes)
                    )
                }
                Step::Pause(wait) => format!("pause {wait:?}"),
                Step::Endless { chunk, pause } => {
                    format!("endless {} bytes every {pause:?}", chunk.len())
                }
                Step::Stall => "stall".to_string(),
                Step::Close => "close".to_string(),
                Step::Reset => "reset".to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How an answer's body is delimited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `content-length` of the body.
    Length,
    /// `transfer-encoding: chunked`, in chunks of this size.
    Chunked(usize),
    /// No length; the body ends when the connection is closed.
    CloseDelimited,
    /// `content-length` says more than is sent, then the connection is closed.
    Truncated { declared: usize },
    /// This raw `content-length` value (huge, negative, not a number, a list).
    RawLength(String),
    /// Both `content-length` and `transfer-encoding: chunked` (request smuggling style).
    Conflicting,
    /// A JSON-looking body that never ends (no length, never closed); with [`Pace::DripBody`], its pieces
    /// are about `chunk` bytes, `pause` apart.
    Endless,
}

/// How the bytes of an answer are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pace {
    /// All at once.
    AtOnce,
    /// The head `chunk` bytes at a time with `pause` between pieces, then the body at once.
    DripHead { chunk: usize, pause: Duration },
    /// The head at once, the body dripped.
    DripBody { chunk: usize, pause: Duration },
    /// Wait this long before the head.
    StallHead(Duration),
    /// The head, then wait this long before the body.
    StallBody(Duration),
}

/// A scripted HTTP answer, turned into a [`Script`] by [`Answer::script`].
#[derive(Clone, Debug)]
pub struct Answer {
    /// Interim answers sent first (`100`, `103`, ...).
    pub informational: Vec<u16>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub framing: Framing,
    pub pace: Pace,
}

impl Answer {
    pub fn new(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            informational: vec![],
            status,
            headers: content_type
                .map(|c| vec![("content-type".to_string(), c.to_string())])
                .unwrap_or_default(),
            body: body.into(),
            framing: Framing::Length,
            pace: Pace::AtOnce,
        }
    }

    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self::new(status, Some("application/json"), body.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    pub fn pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        self
    }

    /// The body bytes a client can receive in full: `None` when the body never ends.
    pub fn delivered(&self) -> Option<&[u8]> {
        match self.framing {
            Framing::Endless => None,
            _ => Some(&self.body),
        }
    }

    /// The steps that send this answer.
    pub fn script(&self) -> Script {
        let mut head = Vec::new();
        for status in &self.informational {
            head.extend_from_slice(format!("HTTP/1.1 {status} Interim\r\n\r\n").as_bytes());
        }
        head.extend_from_slice(format!("HTTP/1.1 {} Hostile\r\n", self.status).as_bytes());
        for (name, value) in &self.headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        let body_len = self.body.len();
        let mut body = self.body.clone();
        let mut ending = None;
        match &self.framing {
            Framing::Length => push_header(&mut head, "content-length", &body_len.to_string()),
            Framing::Chunked(size) => {
                push_header(&mut head, "transfer-encoding", "chunked");
                body = chunked(&self.body, *size);
            }
            Framing::CloseDelimited => {
                push_header(&mut head, "connection", "close");
                ending = Some(Step::Close);
            }
            Framing::Truncated { declared } => {
                push_header(&mut head, "content-length", &declared.to_string());
                ending = Some(Step::Close);
            }
            Framing::RawLength(value) => {
                push_header(&mut head, "content-length", value);
                ending = Some(Step::Close);
            }
            Framing::Conflicting => {
                push_header(&mut head, "content-length", &body_len.to_string());
                push_header(&mut head, "transfer-encoding", "chunked");
                body = chunked(&self.body, 7);
                ending = Some(Step::Close);
            }
            Framing::Endless => {
                push_header(&mut head, "connection", "close");
                let (size, pause) = match self.pace {
                    Pace::DripBody { chunk, pause } => (chunk, pause),
                    _ => (8 * 1024, Duration::ZERO),
                };
                let piece = b"{\"x\":[1,2,3]},";
                ending = Some(Step::Endless {
                    chunk: piece.repeat(size / piece.len() + 1),
                    pause,
                });
                body = b"[".to_vec();
            }
        }
        head.extend_from_slice(b"\r\n");
        let mut steps = Vec::new();
        match &self.pace {
            Pace::AtOnce => steps.push(Step::Send([head, body].concat())),
            Pace::DripHead { chunk, pause } => {
                steps.push(Step::Drip {
                    bytes: head,
                    chunk: *chunk,
                    pause: *pause,
                });
                steps.push(Step::Send(body));
            }
            Pace::DripBody { chunk, pause } => {
                steps.push(Step::Send(head));
                steps.push(Step::Drip {
                    bytes: body,
                    chunk: *chunk,
                    pause: *pause,
                });
            }
            Pace::StallHead(wait) => {
                steps.push(Step::Pause(*wait));
                steps.push(Step::Send([head, body].concat()));
            }
            Pace::StallBody(wait) => {
                steps.push(Step::Send(head));
                steps.push(Step::Pause(*wait));
                steps.push(Step::Send(body));
            }
        }
        steps.extend(ending);
        Script(steps)
    }
}

fn push_header(head: &mut Vec<u8>, name: &str, value: &str) {
    head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
}

fn chunked(body: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in body.chunks(size.max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// The request as text (method, target, every header, body, and the password of a Basic `Authorization`
/// decoded): what an echoing server copies into its answer.
pub fn echo(request: &Recorded) -> String {
    let mut text = format!("{} {}", request.method, request.target);
    for (name, value) in &request.headers {
        text.push_str(&format!(" {name}={value}"));
        if let Some(decoded) = value
            .strip_prefix("Basic ")
            .and_then(|b| base64_decode(b.trim()))
        {
            text.push_str(&format!(" ({decoded})"));
        }
    }
    text.push(' ');
    text.push_str(&String::from_utf8_lossy(&request.body));
    text
}

fn base64_decode(text: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in text.bytes().filter(|b| *b != b'=') {
        bits = (bits << 6) | ALPHABET.iter().position(|a| *a == byte)? as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    String::from_utf8(out).ok()
}

/// What the handler is told about a request.
pub struct Context<'a> {
    pub request: &'a Recorded,
    /// Counts the server's requests from 0.
    pub index: usize,
    /// `http://127.0.0.1:<port>` of this server.
    pub origin: &'a str,
}

type Handler = dyn Fn(&Context<'_>) -> Script + Send + Sync;

/// Connections and requests, as the server counts them.
#[derive(Default)]
struct Counters {
    open: AtomicUsize,
    most_open: AtomicUsize,
    total: AtomicUsize,
    busy: AtomicUsize,
    most_busy: AtomicUsize,
    requests: AtomicUsize,
    /// When each answer began and how it ended, for [`HostileServer::most_busy_allowing`].
    answers: Mutex<Vec<Answering>>,
}

/// One answer's time at the server.
#[derive(Clone)]
struct Answering {
    /// The request and the script, in short (for a failing check to show).
    what: String,
    began: Instant,
    /// When and how it ended: an answer played to its end, when its last bytes began to go out; an answer
    /// the client walked away from (its writes failed, or the client reset the connection after it), when
    /// the server's task noticed, which on a loaded machine can be well after the client left.
    ended: Option<(Instant, Played)>,
}

/// How an answer's script ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Played {
    /// Every step was played; the connection stays open for the next request.
    Answered,
    /// A step of the script closed or reset the connection.
    ServerClosed,
    /// The client closed the connection (a read saw its end, or a write failed), or reset it after the
    /// answer (it had not read all of it).
    ClientLeft,
}

/// Decrements a counter when dropped (a connection or an answer ends however its task ends).
struct Held<'a>(&'a AtomicUsize);

impl<'a> Held<'a> {
    fn take(now: &'a AtomicUsize, most: &AtomicUsize) -> Self {
        let value = now.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(value, Ordering::SeqCst);
        Self(now)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The server; stops when dropped (every connection task is aborted with it).
pub struct HostileServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    log: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An idle kept-alive connection is held this long, as a real server would.
const KEEP_ALIVE_PATIENCE: Duration = Duration::from_secs(300);

impl HostileServer {
    /// A server that answers each request with `handler(context)`. With `tokens`, a request whose bearer
    /// token the authority does not hold (expired, revoked, unknown) gets MailUp's `401` instead.
    pub async fn start(
        tokens: Option<Arc<TokenAuthority>>,
        handler: impl Fn(&Context<'_>) -> Script + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let counters = Arc::new(Counters::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (shared_counters, shared_log) = (counters.clone(), log.clone());
        let task = tokio::spawn(async move {
            let origin: Arc<str> = format!("http://{addr}").into();
            let mut open = tokio::task::JoinSet::new();
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                shared_counters.total.fetch_add(1, Ordering::SeqCst);
                open.spawn(serve(
                    socket,
                    handler.clone(),
                    tokens.clone(),
                    shared_counters.clone(),
                    shared_log.clone(),
                    origin.clone(),
                ));
                while open.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            counters,
            log,
            task,
        }
    }

    /// A server that answers every request the same way.
    pub async fn always(answer: Answer) -> Self {
        let script = answer.script();
        Self::start(None, move |_| script.clone()).await
    }

    /// `http://127.0.0.1:<port>` followed by `base_path`.
    pub fn url(&self, base_path: &str) -> String {
        format!("http://{}{}", self.addr, base_path)
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counters.open.load(Ordering::SeqCst)
    }

    /// Waits until no connection is open (every answer has ended and the server has seen how), for at most
    /// `within`; whether it got there. Counts read before that could still be settling.
    pub async fn until_closed(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while self.open() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// The most connections that were open at once.
    pub fn most_open(&self) -> usize {
        self.counters.most_open.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn total_connections(&self) -> usize {
        self.counters.total.load(Ordering::SeqCst)
    }

    /// The most requests that were being answered at once (from a request read to its answer's end).
    pub fn most_busy(&self) -> usize {
        self.counters.most_busy.load(Ordering::SeqCst)
    }

    /// The most requests answered at once, with each answer the client walked away from counted as ended up
    /// to `notice_lag` before the server noticed (never before it began). A client that gives up on a call
    /// (its deadline, an attempt's timeout) closes the connection and may send its next request at once;
    /// the server only notices the close when its task next runs, so under load the raw count
    /// ([`most_busy`](Self::most_busy)) also counts answers nobody is waiting for any more.
    pub fn most_busy_allowing(&self, notice_lag: Duration) -> usize {
        self.busiest_allowing(notice_lag).len()
    }

    /// The answers counted at the moment [`most_busy_allowing`](Self::most_busy_allowing) found, each as
    /// "request; script; how and when it ended (from its beginning)".
    pub fn busiest_allowing(&self, notice_lag: Duration) -> Vec<String> {
        let now = Instant::now();
        let answers = self.counters.answers.lock().unwrap().clone();
        // (time, change, answer): ends sort before beginnings at the same instant.
        let mut changes: Vec<(Instant, i64, usize)> = Vec::with_capacity(2 * answers.len());
        for (i, answer) in answers.iter().enumerate() {
            let end = match answer.ended {
                Some((at, Played::ClientLeft)) => {
                    at.checked_sub(notice_lag).unwrap_or(at).max(answer.began)
                }
                Some((at, _)) => at,
                None => now,
            };
            if end <= answer.began {
                // Over before it began, once the lag is allowed: never counted.
                continue;
            }
            changes.push((answer.began, 1, i));
            changes.push((end, -1, i));
        }
        changes.sort();
        let (mut busy, mut most) = (HashSet::new(), HashSet::new());
        for (_, change, i) in changes {
            if change > 0 {
                busy.insert(i);
            } else {
                busy.remove(&i);
            }
            if busy.len() > most.len() {
                most = busy.clone();
            }
        }
        let mut most: Vec<usize> = most.into_iter().collect();
        most.sort();
        most.into_iter()
            .map(|i| {
                let answer = &answers[i];
                let ended = match answer.ended {
                    Some((at, how)) => format!("{how:?} after {:?}", at - answer.began),
                    None => format!("not ended after {:?}", now - answer.began),
                };
                format!("{}; {ended}", answer.what)
            })
            .collect()
    }

    /// Requests received so far.
    pub fn request_count(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// Starts counting "most open" and "most busy" afresh from what is open and busy now.
    pub fn reset_peaks(&self) {
        let c = &self.counters;
        c.most_open
            .store(c.open.load(Ordering::SeqCst), Ordering::SeqCst);
        c.most_busy
            .store(c.busy.load(Ordering::SeqCst), Ordering::SeqCst);
        c.answers
            .lock()
            .unwrap()
            .retain(|answer| answer.ended.is_none());
    }
}

async fn serve(
    mut socket: TcpStream,
    handler: Arc<Handler>,
    tokens: Option<Arc<TokenAuthority>>,
    counters: Arc<Counters>,
    log: Arc<Mutex<Vec<Recorded>>>,
    origin: Arc<str>,
) {
    let _open = Held::take(&counters.open, &counters.most_open);
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut socket, &mut buffer, KEEP_ALIVE_PATIENCE).await {
        let _busy = Held::take(&counters.busy, &counters.most_busy);
        let began = Instant::now();
        let index = counters.requests.fetch_add(1, Ordering::SeqCst);
        log.lock().unwrap().push(request.clone());
        let refused = tokens.as_ref().and_then(|t| t.refuse(&request));
        let script = match refused {
            Some(answer) => answer.script(),
            None => handler(&Context {
                request: &request,
                index,
                origin: &origin,
            }),
        };
        let answer = {
            let mut answers = counters.answers.lock().unwrap();
            answers.push(Answering {
                what: format!(
                    "{} {}; {}",
                    request.method,
                    request.target,
                    script.outline()
                ),
                began,
                ended: None,
            });
            answers.len() - 1
        };
        let mut last_act = began;
        let played = play(&mut socket, &mut buffer, script, &mut last_act).await;
        let ended = match played {
            Played::ClientLeft => Instant::now(),
            Played::Answered | Played::ServerClosed => last_act,
        };
        let record = |ended: Instant, played: Played| {
            if let Some(entry) = counters.answers.lock().unwrap().get_mut(answer) {
                entry.ended = Some((ended, played));
            }
        };
        record(ended, played);
        let patience = match played {
            Played::ClientLeft => return,
            Played::Answered => KEEP_ALIVE_PATIENCE,
            Played::ServerClosed => CLOSE_PATIENCE,
        };
        // Writes to a connection the client has closed succeed until its reset comes back, so an answer the
        // client gave up on (a head it refused, a length over its limit) can look played to its end. The
        // reset tells: the client closed with bytes unread, or bytes came after it closed.
        match after_answer(&mut socket, &mut buffer, patience).await {
            AfterAnswer::Reset => {
                record(Instant::now(), Played::ClientLeft);
                return;
            }
            AfterAnswer::More if played == Played::Answered => {}
            AfterAnswer::More | AfterAnswer::Closed => return,
        }
    }
}

/// How long the server waits, after closing its side, for the client to close its own (it does once it
/// reads the end): long enough to see a reset, and the task ends then rather than when the test does.
const CLOSE_PATIENCE: Duration = Duration::from_secs(2);

/// What came on a connection after an answer.
enum AfterAnswer {
    /// The first bytes of the next request (kept in the buffer).
    More,
    /// The client closed the connection cleanly, or sent nothing for the patience given.
    Closed,
    /// The client reset the connection: it had not read the whole answer.
    Reset,
}

async fn after_answer(
    socket: &mut TcpStream,
    buffer: &mut Vec<u8>,
    patience: Duration,
) -> AfterAnswer {
    if !buffer.is_empty() {
        return AfterAnswer::More;
    }
    let mut chunk = [0u8; 1024];
    match tokio::time::timeout(patience, socket.read(&mut chunk)).await {
        Ok(Ok(n)) if n > 0 => {
            buffer.extend_from_slice(&chunk[..n]);
            AfterAnswer::More
        }
        // A reset that came after the client's close is not reported by the read (it reports the close);
        // it waits as the socket's pending error (EPIPE on Linux).
        Ok(Ok(_)) | Err(_) => match socket.take_error() {
            Ok(Some(_)) => AfterAnswer::Reset,
            _ => AfterAnswer::Closed,
        },
        Ok(Err(error)) => match error.kind() {
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::ConnectionAborted => AfterAnswer::Reset,
            _ => AfterAnswer::Closed,
        },
    }
}

/// Plays a script, and says how it ended.
///
/// `last_act` is set just before each write (and before a close or reset that follows no write): an answer
/// cannot have been complete at the client before its last bytes went out, while the moment the server's
/// task records afterwards can be late on a loaded machine.
async fn play(
    socket: &mut TcpStream,
    buffer: &mut Vec<u8>,
    script: Script,
    last_act: &mut Instant,
) -> Played {
    use Played::{Answered, ClientLeft, ServerClosed};
    let began = *last_act;
    for step in script.0 {
        match step {
            Step::Send(bytes) => {
                *last_act = Instant::now();
                if client_gone(socket) || socket.write_all(&bytes).await.is_err() {
                    return ClientLeft;
                }
            }
            Step::Drip {
                bytes,
                chunk,
                pause,
            } => {
                // Pauses between pieces, not after the last: once its last byte is sent, the answer is over.
                for (i, piece) in bytes.chunks(chunk.max(1)).enumerate() {
                    if i > 0 && !wait_unless_gone(socket, buffer, pause).await {
                        return ClientLeft;
                    }
                    *last_act = Instant::now();
                    if client_gone(socket) || socket.write_all(piece).await.is_err() {
                        return ClientLeft;
                    }
                }
            }
            Step::Pause(wait) => {
                if !wait_unless_gone(socket, buffer, wait).await {
                    return ClientLeft;
                }
            }
            Step::Endless { chunk, pause } => loop {
                if client_gone(socket)
                    || socket.write_all(&chunk).await.is_err()
                    || !wait_unless_gone(socket, buffer, pause).await
                {
                    return ClientLeft;
                }
            },
            Step::Stall => {
                while wait_unless_gone(socket, buffer, KEEP_ALIVE_PATIENCE).await {}
                return ClientLeft;
            }
            // A close carries no byte of the answer: after bytes, the answer counts as over when its last
            // bytes went out (a client with a complete answer, by its length, may have moved on before the
            // close; a body delimited by the close is then counted over a moment early). A client that
            // closed first did not wait for it.
            Step::Close => {
                if *last_act == began {
                    *last_act = Instant::now();
                }
                if client_gone(socket) {
                    return ClientLeft;
                }
                let _ = socket.shutdown().await;
                return ServerClosed;
            }
            Step::Reset => {
                if *last_act == began {
                    *last_act = Instant::now();
                }
                if client_gone(socket) {
                    return ClientLeft;
                }
                let _ = socket.set_zero_linger();
                return ServerClosed;
            }
        }
    }
    Answered
}

/// Whether the client has closed or reset the connection, asked of the kernel without waiting. Writes to a
/// connection the client has closed succeed (only the reset they provoke tells, and after the client's
/// close a read reports the close, not the reset), and tokio's readiness can lag behind a close that has
/// arrived: so each write asks first. An answer whose bytes go to a client that has left was given up.
fn client_gone(socket: &TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::uninit()];
    match socket2::SockRef::from(socket).peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => !matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
        ),
    }
}

/// Waits `wait`, or less when the client closes the connection (`false` then). Bytes the client sends
/// meanwhile are kept for the next request.
async fn wait_unless_gone(socket: &mut TcpStream, buffer: &mut Vec<u8>, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    let mut chunk = [0u8; 1024];
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return true,
            read = socket.read(&mut chunk) => match read {
                Ok(0) | Err(_) => return false,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            },
        }
    }
}

/// MailUp's OAuth token endpoint, played on a [`HostileServer`] of its own ([`TokenAuthority::serve`]), and
/// the judge of the bearer tokens an API server receives (`HostileServer::start(Some(authority), ..)`).
/// Tokens are `<prefix>-access-<n>` and `<prefix>-refresh-<n>`.
pub struct TokenAuthority {
    prefix: String,
    state: Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    access: HashSet<String>,
    refresh: HashSet<String>,
    issued: usize,
    requests: usize,
    refused: usize,
    /// While set, every token request gets this answer instead.
    override_answer: Option<Answer>,
}

impl TokenAuthority {
    pub fn new(prefix: &str) -> Arc<Self> {
        Arc::new(Self {
            prefix: prefix.to_string(),
            state: Mutex::new(TokenState::default()),
        })
    }

    /// A server that answers token requests (password and refresh-token grants, form-encoded).
    pub async fn serve(self: &Arc<Self>) -> HostileServer {
        let authority = self.clone();
        HostileServer::start(None, move |context| {
            authority.answer(context.request).script()
        })
        .await
    }

    fn answer(&self, request: &Recorded) -> Answer {
        let mut state = self.state.lock().unwrap();
        state.requests += 1;
        if let Some(answer) = &state.override_answer {
            let echoed = echo(request);
            let mut answer = answer.clone();
            answer.body = String::from_utf8_lossy(&answer.body)
                .replace("{echo}", &echoed)
                .into_bytes();
            return answer;
        }
        let form: Vec<(String, String)> = String::from_utf8_lossy(&request.body)
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), percent_decode(v)))
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let granted = match field("grant_type") {
            Some("password") => field("password").is_some_and(|p| !p.is_empty()),
            Some("refresh_token") => {
                field("refresh_token").is_some_and(|r| state.refresh.remove(r))
            }
            _ => false,
        };
        if !granted {
            state.refused += 1;
            return Answer::json(
                400,
                &serde_json::json!({"error": "invalid_grant", "error_description": "refused"}),
            );
        }
        state.issued += 1;
        let n = state.issued;
        let access = format!("{}-access-{n}", self.prefix);
        let refresh = format!("{}-refresh-{n}", self.prefix);
        state.access.insert(access.clone());
        state.refresh.insert(refresh.clone());
        Answer::json(
            200,
            &serde_json::json!({"access_token": access, "refresh_token": refresh, "expires_in": 3600}),
        )
    }

    /// MailUp's answer to a request whose bearer token is not (or no longer) valid; `None` when it is valid.
    fn refuse(&self, request: &Recorded) -> Option<Answer> {
        let token = request
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "));
        let state = self.state.lock().unwrap();
        if token.is_some_and(|t| state.access.contains(t)) {
            return None;
        }
        Some(Answer::json(
            401,
            &serde_json::json!({"ErrorCode": "401", "ErrorDescription": "Authorization error: Access token is expired", "ErrorName": "Unauthorized", "ErrorStack": null}),
        ))
    }

    /// Every access token expires now (refresh tokens still work).
    pub fn expire(&self) {
        self.state.lock().unwrap().access.clear();
    }

    /// Every access and refresh token is revoked (only a new password login works).
    pub fn revoke(&self) {
        let mut state = self.state.lock().unwrap();
        state.access.clear();
        state.refresh.clear();
    }

    /// From now on every token request gets `answer` (a failure, a redirect, a stall; `{echo}` in its body
    /// becomes the request); `None` restores.
    pub fn answer_with(&self, answer: Option<Answer>) {
        self.state.lock().unwrap().override_answer = answer;
    }

    /// Token requests received so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        self.state.lock().unwrap().issued
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------------------
// Every `log` record (reqwest) and `tracing` event or span (hyper-util), kept as text at trace level.

static LOGS: Mutex<String> = Mutex::new(String::new());

struct LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        use std::fmt::Write as _;
        let _ = writeln!(
            LOGS.lock().unwrap(),
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

struct Fields(String);

impl tracing_core::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing_core::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

struct TraceCapture;

impl tracing_core::Subscriber for TraceCapture {
    fn enabled(&self, _: &tracing_core::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing_core::span::Attributes<'_>) -> tracing_core::span::Id {
        let mut fields = Fields(format!("span {}:", span.metadata().name()));
        span.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
        tracing_core::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing_core::span::Id, values: &tracing_core::span::Record<'_>) {
        let mut fields = Fields("span record:".into());
        values.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
    }
    fn record_follows_from(&self, _: &tracing_core::span::Id, _: &tracing_core::span::Id) {}
    fn event(&self, event: &tracing_core::Event<'_>) {
        let mut fields = Fields(format!(
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
    }
    fn enter(&self, _: &tracing_core::span::Id) {}
    fn exit(&self, _: &tracing_core::span::Id) {}
    fn max_level_hint(&self) -> Option<tracing_core::LevelFilter> {
        Some(tracing_core::LevelFilter::TRACE)
    }
}

/// Installs (once per process) a `log` logger and a `tracing` subscriber that keep every record.
pub fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        log::set_logger(&LogCapture).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
        tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(TraceCapture))
            .expect("no other subscriber");
    });
}

/// The records captured since the last call.
pub fn take_logs() -> String {
    std::mem::take(&mut *LOGS.lock().unwrap())
}

/// A process-wide counting allocator for a test binary (`#[global_allocator] static A: CountingAlloc =
/// CountingAlloc::new();`): the bytes allocated now and the most at once since [`CountingAlloc::reset_peak`].
pub struct CountingAlloc {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingAlloc {
    pub const fn new() -> Self {
        Self {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Bytes allocated now.
    pub fn now(&self) -> usize {
        self.now.load(Ordering::Relaxed)
    }

    /// The most bytes allocated at once since the last reset.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Starts the peak afresh from what is allocated now.
    pub fn reset_peak(&self) {
        self.peak.store(self.now(), Ordering::Relaxed);
    }

    fn grow(&self, bytes: usize) {
        let now = self.now.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are updated.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let pointer = unsafe { std::alloc::System.alloc(layout) };
        if !pointer.is_null() {
            self.grow(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: as above.
        unsafe { std::alloc::System.dealloc(pointer, layout) };
        self.now.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as above.
        let pointer = unsafe { std::alloc::System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            self.grow(layout.size());
        }
        pointer
    }

    unsafe fn realloc(
        &self,
        pointer: *mut u8,
        layout: std::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: as above.
        let moved = unsafe { std::alloc::System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            self.now.fetch_sub(layout.size(), Ordering::Relaxed);
            self.grow(new_size);
        }
        moved
    }
}
