//! Hostile requests to every server function: random bytes, broken form
//! encoding and JSON, wrong content types, plausible fields with hostile
//! values (NUL, right-to-left overrides, 10,000 characters, huge and
//! negative numbers), and bodies over the limit. Sent as nobody and as a
//! signed-in administrator, so every check past the permission runs too.
//! No answer may be a 500 or a dropped connection (a panic), and a body
//! over 2 MB is refused with 413, announced or streamed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::helpers::{Backend, TestApp, Visitor, spawn_app};

/// Panics seen on each thread, by thread name. The server of a test runs on
/// the test's own thread (`#[tokio::test]` is single-threaded), so a panic
/// anywhere in it, in a handler or in a task it spawned, counts against
/// that test even if no answer showed it.
static PANICS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn count_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current().name().unwrap_or_default().to_owned();
            if let Ok(mut panics) = PANICS.lock() {
                panics.push(thread);
            }
            previous(info);
        }));
    });
}

fn panics_on_this_thread() -> usize {
    let thread = std::thread::current().name().unwrap_or_default().to_owned();
    PANICS
        .lock()
        .map_or(0, |p| p.iter().filter(|t| **t == thread).count())
}

/// Field names server functions take, to get past "missing argument".
const FIELDS: [&str; 24] = [
    "view",
    "ids",
    "selection",
    "username",
    "email",
    "name",
    "password",
    "new_password",
    "current_password",
    "q",
    "page",
    "team",
    "role",
    "reason",
    "message",
    "confirm_username",
    "version",
    "days",
    "permissions",
    "id",
    "login",
    "user_id",
    "phone",
    "description",
];

/// Values no form should send.
fn hostile_value(rng: &mut StdRng) -> String {
    match rng.random_range(0..9) {
        0 => "\0".to_owned(),
        1 => "a\u{202e}b\u{0}c".to_owned(),
        2 => "x".repeat(10_000),
        3 => "99999999999999999999999999".to_owned(),
        4 => "-1".to_owned(),
        5 => "%ZZ%".to_owned(),
        6 => "[1,2,\"3\"]".to_owned(),
        7 => (0..rng.random_range(0..40))
            .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('?'))
            .collect(),
        _ => String::new(),
    }
}

/// (content type, body) pairs for one call.
fn hostile_bodies(rng: &mut StdRng) -> Vec<(Option<&'static str>, Vec<u8>)> {
    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
    let random_bytes: Vec<u8> = (0..rng.random_range(1..512))
        .map(|_| rng.random())
        .collect();
    let mut fields = url::form_urlencoded::Serializer::new(String::new());
    for _ in 0..rng.random_range(1..6) {
        let name = FIELDS[rng.random_range(0..FIELDS.len())];
        fields.append_pair(name, &hostile_value(rng));
    }
    vec![
        (FORM, random_bytes.clone()),
        (FORM, b"a=%ZZ&&=&b=%F0%28%8C%28&view".to_vec()),
        (FORM, fields.finish().into_bytes()),
        (FORM, Vec::new()),
        (Some("application/json"), b"{\"view\": ".to_vec()),
        (Some("application/json"), b"[1, 2, 3]".to_vec()),
        (Some("application/json"), random_bytes),
        (Some("text/plain"), b"hello".to_vec()),
        (Some("multipart/form-data"), b"--x\r\n".to_vec()),
        (None, b"view=".to_vec()),
    ]
}

async fn post(
    visitor: &Visitor,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::StatusCode {
    let mut request = visitor
        .client
        .post(format!("{}{path}", visitor.address))
        .header("origin", &visitor.address)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    match request.send().await {
        Ok(response) => response.status(),
        Err(error) => panic!("POST {path}: no answer ({error}); did the handler panic?"),
    }
}

/// POSTs `body` in chunks of 64 KB without a length (HTTP/1.1 chunked
/// encoding, written by hand) and returns the answer's status. Writing and
/// reading go on at once: the server answers without reading the rest.
async fn post_chunked(address: &str, path: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let host = address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let body = body.to_vec();
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(64 * 1024) {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });
    let mut answer = Vec::new();
    let read_status_line = async {
        let mut buffer = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), read_status_line)
        .await
        .unwrap_or_else(|_| panic!("POST {path} in chunks: no answer within 20 s"));
    sending.abort();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("POST {path} in chunks: no status in {answer:?}"))
}

async fn every_server_function_survives_hostile_bodies(backend: Backend) {
    count_panics();
    let app: TestApp = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let mut rng = StdRng::seed_from_u64(20_261_206);
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort();
    let mut refusals = 0;
    for path in &paths {
        for signed_in in [false, true] {
            let visitor = if signed_in {
                app.signed_in("root").await
            } else {
                app.visitor()
            };
            for (content_type, body) in hostile_bodies(&mut rng) {
                let status = post(&visitor, path, content_type, body.clone()).await;
                assert!(
                    status.as_u16() < 500,
                    "POST {path} ({content_type:?}, signed in: {signed_in}) answered {status} \
                     to {:?}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                );
                refusals += usize::from(status.is_client_error());
            }
        }
    }
    assert!(refusals > paths.len() * 10, "hostile bodies are refused");

    // Over the limit: refused before anything reads it, whether the length
    // is announced or the body streams in chunks without one.
    let visitor = app.signed_in("root").await;
    let oversized = vec![b'a'; 2 * 1024 * 1024 + 1];
    for path in ["/api/sign_in", "/api/list_users", "/api/bulk_action"] {
        let status = post(
            &visitor,
            path,
            Some("application/x-www-form-urlencoded"),
            oversized.clone(),
        )
        .await;
        assert_eq!(status, 413, "POST {path} with 2 MB + 1 byte");
        let streamed = post_chunked(&app.address, path, &oversized).await;
        assert_eq!(streamed, 413, "POST {path}, 2 MB + 1 byte in chunks");
    }
    // 2 MB exactly is read, and answered for what it says.
    let at_limit = vec![b'a'; 2 * 1024 * 1024];
    let status = post(
        &visitor,
        "/api/list_users",
        Some("application/x-www-form-urlencoded"),
        at_limit,
    )
    .await;
    assert_eq!(
        status, 200,
        "2 MB exactly (one long parameter name, ignored)"
    );
    assert_eq!(
        visitor.whoami().await.as_deref(),
        Some("root"),
        "still signed in"
    );
    assert_eq!(panics_on_this_thread(), 0, "no panic in the server");
}

both_backends!(every_server_function_survives_hostile_bodies);
