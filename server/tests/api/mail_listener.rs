//! A real SMTP listener for the tests: the server sends to it over TCP as it
//! would to any mail server, and tests read what arrived. The protocol is
//! the `mailin` crate's; this file only moves lines between it and a socket.

use std::net::IpAddr;

use mailin::{Action, Handler, Response, SessionBuilder, response};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// One email as it arrived: its recipients and the raw message.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub to: Vec<String>,
    pub raw: String,
}

impl ReceivedEmail {
    /// The message with its quoted-printable encoding undone (soft line
    /// breaks joined, `=XX` decoded), for reading links and text.
    pub fn decoded(&self) -> String {
        let joined = self.raw.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(byte);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    pub fn subject(&self) -> String {
        self.raw
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_owned()
    }

    /// The token of the first link to `path` (e.g. "/reset-password").
    pub fn token_for(&self, path: &str) -> Option<String> {
        let text = self.decoded();
        let start = text.find(&format!("{path}?token="))? + path.len() + 7;
        Some(
            text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect(),
        )
    }
}

#[derive(Clone)]
struct Collector {
    to: Vec<String>,
    data: Vec<u8>,
    arrived: mpsc::UnboundedSender<ReceivedEmail>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let _ = self.arrived.send(ReceivedEmail {
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
        });
        response::OK
    }
}

/// The listener's address and what has arrived at it.
pub struct MailListener {
    pub port: u16,
    arrived: mpsc::UnboundedReceiver<ReceivedEmail>,
}

impl MailListener {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// A listener on `port` (0: any free one), e.g. one that was down.
    pub async fn start_on(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("SMTP port");
        let port = listener.local_addr().expect("address").port();
        let (sender, arrived) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((socket, peer)) = listener.accept().await {
                let handler = Collector {
                    to: Vec::new(),
                    data: Vec::new(),
                    arrived: sender.clone(),
                };
                tokio::spawn(serve(socket, peer.ip(), handler));
            }
        });
        MailListener { port, arrived }
    }

    /// The next email to arrive within `seconds`.
    pub async fn next(&mut self, seconds: u64) -> Option<ReceivedEmail> {
        tokio::time::timeout(std::time::Duration::from_secs(seconds), self.arrived.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn serve(socket: tokio::net::TcpStream, peer: IpAddr, handler: Collector) {
    let (read, mut write) = socket.into_split();
    let mut session = SessionBuilder::new("mail.test").build(peer, handler);
    if write
        .write_all(&session.greeting().buffer().unwrap_or_default())
        .await
        .is_err()
    {
        return;
    }
    let mut lines = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = session.process(&line);
        if reply.action != Action::NoReply
            && write
                .write_all(&reply.buffer().unwrap_or_default())
                .await
                .is_err()
        {
            return;
        }
        if reply.action == Action::Close {
            return;
        }
    }
}
