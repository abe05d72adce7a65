//! The CLI against a remote API that means harm: `HostileApi`, a test double written here (a
//! plain TCP listener answering canned HTTP), names files, prints terminal escapes and hands out
//! URLs that the CLI must neither obey nor show raw.

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Outcome, TestEnv, list_dir, read_http_request};

/// Escape sequences that retitle the terminal, clear it, hide text, and a C1 CSI and a
/// right-to-left override: none may reach stdout or stderr as they are.
const ESCAPES: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[8mhidden\u{9b}31m\u{202e}txt.exe";

/// One canned answer, to every request whose request line starts with `request`
/// (`"GET /v1/personas/"`).
struct Answer {
    request: &'static str,
    status: u16,
    content_type: &'static str,
    body: String,
}

impl Answer {
    fn json(request: &'static str, status: u16, body: Value) -> Answer {
        Answer {
            request,
            status,
            content_type: "application/json",
            body: body.to_string(),
        }
    }
}

/// The test double of a remote Persona API that is hostile: it answers each request with the
/// first matching canned answer (else a 404 envelope) and records the request lines it saw.
struct HostileApi {
    base_url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl HostileApi {
    fn start(answers: Vec<Answer>) -> HostileApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                answer(stream, &answers, &log);
            }
        });
        HostileApi { base_url, seen }
    }

    /// The request lines seen so far (`POST /v1/auth/device/code HTTP/1.1`).
    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// An environment whose commands use this API with a key.
    fn env(&self) -> TestEnv {
        let mut env = TestEnv::new();
        env.set("PERSONA_API_URL", &self.base_url);
        env.set("PERSONA_API_KEY", "pk_test_hostile");
        env
    }
}

fn answer(stream: TcpStream, answers: &[Answer], log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(&stream);
    let (head, _) = read_http_request(&mut reader);
    let Some(request_line) = head.lines().next().map(|line| line.trim().to_string()) else {
        return;
    };
    log.lock().unwrap().push(request_line.clone());
    let not_found = Answer::json(
        "",
        404,
        json!({ "error": { "code": "resource.not_found", "message": "nothing here" } }),
    );
    let chosen = answers
        .iter()
        .find(|a| request_line.starts_with(a.request))
        .unwrap_or(&not_found);
    let head = format!(
        "HTTP/1.1 {} Hostile\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        chosen.status,
        chosen.content_type,
        chosen.body.len()
    );
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(chosen.body.as_bytes());
}

/// A completed persona as the hostile API describes it.
fn persona(slug: &str, name: &str) -> Value {
    json!({
        "id": "psn_hostile1",
        "slug": slug,
        "status": "completed",
        "version": 1,
        "visibility": "private",
        "language": "en",
        "created_at": "2025-01-01T00:00:00Z",
        "surface": { "name": name },
        "mask": { "public_bio": name },
        "soul": {}, "self": {}, "custom_fields": {},
    })
}

/// No raw control character of `ESCAPES` (ESC, BEL, CSI, RLO) on either stream.
#[track_caller]
fn assert_no_raw_escapes(outcome: &Outcome) {
    for (stream, text) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
        let raw = text
            .chars()
            .find(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}'));
        assert!(
            raw.is_none(),
            "{stream} holds a raw {raw:?}:\nstdout:\n{}\nstderr:\n{}",
            outcome.stdout,
            outcome.stderr
        );
    }
}

#[test]
fn pull_refuses_a_slug_that_is_not_a_plain_file_name_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let absolute = root.path().join("abs").display().to_string();
    let tmp_abs_existed = std::path::Path::new("/tmp/abs.yml").exists();
    for slug in [
        "../escaped_by_slug",
        "/tmp/abs",
        absolute.as_str(),
        "sub/dir",
        "..",
        "-rf",
        ESCAPES,
    ] {
        let api = HostileApi::start(vec![Answer::json(
            "GET /v1/personas/",
            200,
            persona(slug, "Ayşe"),
        )]);
        let env = api.env();
        let before = list_dir(env.root.path());
        let refused = env.run(&["personas", "pull", "bookseller"]).code(2);
        assert!(
            refused.stderr.contains("not a plain file name") && refused.stderr.contains("-o FILE"),
            "{slug:?}: {}",
            refused.stderr
        );
        if !slug.contains('\u{1b}') {
            assert!(refused.stderr.contains(slug), "{}", refused.stderr);
        }
        assert_no_raw_escapes(&refused);
        assert_eq!(list_dir(&env.work()), Vec::<String>::new(), "{slug:?}");
        assert_eq!(list_dir(env.root.path()), before, "{slug:?}");
        assert_eq!(list_dir(root.path()), Vec::<String>::new(), "{slug:?}");
        assert_eq!(
            std::path::Path::new("/tmp/abs.yml").exists(),
            tmp_abs_existed,
            "{slug:?}"
        );

        // Naming the file is the way out, and the file lands where it was named.
        env.run(&["personas", "pull", "bookseller", "-o", "mine.yml"])
            .success();
        assert_eq!(list_dir(&env.work()), vec!["mine.yml".to_string()]);
        assert!(env.read("mine.yml").contains("psn_hostile1"));
    }
}

#[test]
fn a_plain_slug_still_names_the_working_copy() {
    let api = HostileApi::start(vec![Answer::json(
        "GET /v1/personas/",
        200,
        persona("the-istanbul-bookseller", "Ayşe"),
    )]);
    let env = api.env();
    env.run(&["personas", "pull", "bookseller"]).success();
    assert_eq!(
        list_dir(&env.work()),
        vec!["the-istanbul-bookseller.yml".to_string()]
    );
}

#[test]
fn escapes_in_an_api_error_are_shown_escaped_and_kept_exact_under_json() {
    let envelope = json!({ "error": {
        "code": format!("resource.not_found{ESCAPES}"),
        "message": format!("no persona {ESCAPES}"),
        "request_id": format!("req_{ESCAPES}"),
    }});
    let api = HostileApi::start(vec![Answer::json(
        "GET /v1/personas/",
        404,
        envelope.clone(),
    )]);
    let env = api.env();
    let shown = env.run(&["personas", "get", "bookseller"]).code(3);
    assert_no_raw_escapes(&shown);
    assert!(
        shown
            .stderr
            .contains("error: no persona \\u001b]0;pwned\\u0007\\u001b[2J")
            && shown.stderr.contains("\\u009b31m\\u202etxt.exe"),
        "{}",
        shown.stderr
    );

    let scripted = env
        .run(&["personas", "get", "bookseller", "--json"])
        .code(3);
    assert_no_raw_escapes(&scripted);
    let error = &scripted.json()["error"];
    assert_eq!(error["message"], envelope["error"]["message"]);
    assert_eq!(error["code"], envelope["error"]["code"]);
    assert_eq!(error["request_id"], envelope["error"]["request_id"]);
}

#[test]
fn escapes_in_personas_tables_summaries_and_run_events_are_shown_escaped() {
    let hostile = persona("the-bookseller", &format!("Ayşe\t{ESCAPES}\nfake row"));
    let events = format!(
        "id: 1\nevent: step.started\ndata: {}\n\nid: 2\nevent: run.failed\ndata: {}\n\n",
        json!({ "run_id": "run_1", "step": ESCAPES }),
        json!({ "run_id": "run_1", "error": { "code": "x", "message": ESCAPES } }),
    );
    let api = HostileApi::start(vec![
        Answer::json(
            "GET /v1/personas?",
            200,
            json!({ "data": [hostile.clone()], "next_cursor": null }),
        ),
        Answer::json("GET /v1/personas/", 200, hostile.clone()),
        Answer {
            request: "GET /v1/runs/run_1/events",
            status: 200,
            content_type: "text/event-stream",
            body: events,
        },
    ]);
    let env = api.env();

    let table = env.run(&["personas", "list"]).success();
    assert_no_raw_escapes(&table);
    // One row, seven cells: the tab and line break of the name are escaped, not obeyed.
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(rows.len(), 1, "{}", table.stdout);
    assert_eq!(rows[0].split('\t').count(), 7, "{}", rows[0]);
    assert!(
        rows[0].contains("Ayşe\\u0009\\u001b]0;pwned"),
        "{}",
        rows[0]
    );

    let summary = env.run(&["personas", "get", "the-bookseller"]).success();
    assert_no_raw_escapes(&summary);
    assert!(
        summary.stdout.contains("\\u001b[8mhidden"),
        "{}",
        summary.stdout
    );

    let tail = env.run(&["runs", "tail", "run_1"]).success();
    assert_no_raw_escapes(&tail);
    assert!(
        tail.stdout.contains("\\u001b[2J") && tail.stderr.contains("run failed · \\u001b]0;pwned"),
        "stdout:\n{}\nstderr:\n{}",
        tail.stdout,
        tail.stderr
    );
}

/// The device-code answer of a hostile API.
fn device_code(user_code: &str, verification_uri_complete: &str) -> Answer {
    Answer::json(
        "POST /v1/auth/device/code",
        200,
        json!({
            "device_code": "dev_hostile",
            "user_code": user_code,
            "verification_uri": verification_uri_complete,
            "verification_uri_complete": verification_uri_complete,
            "expires_in": 900,
            "interval": 1,
        }),
    )
}

fn login(api: &HostileApi, extra: &[&str]) -> Outcome {
    let mut args = vec![
        "auth",
        "login",
        "--api-url",
        api.base_url.as_str(),
        "--profile",
        "hostile",
    ];
    args.extend_from_slice(extra);
    TestEnv::new().run(&args)
}

#[test]
fn login_shows_a_hostile_user_code_url_and_error_escaped() {
    // A loopback http URL, which the CLI may show and open (nothing needs to listen there).
    let origin = "http://127.0.0.1:9";
    let api = HostileApi::start(vec![
        device_code(
            &format!("WDJB-{ESCAPES}"),
            &format!("{origin}/cli/activate?user_code=\u{1b}[2J"),
        ),
        Answer::json(
            "POST /v1/auth/device/token",
            400,
            json!({ "error": { "code": "request.invalid", "message": format!("denied {ESCAPES}") } }),
        ),
    ]);
    let refused = login(&api, &[]).code(2);
    assert_no_raw_escapes(&refused);
    assert!(
        refused
            .stderr
            .contains("one-time code: WDJB-\\u001b]0;pwned")
            && refused.stderr.contains("/cli/activate?user_code=%1B[2J")
            && refused.stderr.contains("error: denied \\u001b]0;pwned"),
        "{}",
        refused.stderr
    );
    // The login went on to poll: the loopback URL was accepted.
    assert!(
        api.requests()
            .iter()
            .any(|r| r.starts_with("POST /v1/auth/device/token")),
        "{:?}",
        api.requests()
    );
}

#[test]
fn login_refuses_a_verification_url_that_is_not_https_and_never_shows_it() {
    for (uri, why) in [
        ("file:///etc/passwd", "scheme `file`"),
        ("javascript:alert(1)//etc/passwd", "scheme `javascript`"),
        (
            "http://evil.example/etc/passwd",
            "plain http to evil.example",
        ),
        ("\u{1b}]0;x\u{7}https://a/etc/passwd", "is not a URL"),
    ] {
        let api = HostileApi::start(vec![device_code("WDJB-MJHT", uri)]);
        let refused = login(&api, &[]).code(1);
        assert!(
            refused.stderr.contains(why) && refused.stderr.contains("refusing to show or open it"),
            "{uri}: {}",
            refused.stderr
        );
        assert!(
            !refused.stderr.contains("/etc/passwd"),
            "{}",
            refused.stderr
        );
        assert!(!refused.stderr.contains("WDJB-MJHT"), "{}", refused.stderr);
        assert_no_raw_escapes(&refused);
        // Refused before anything else: no poll, no key, no profile.
        assert_eq!(
            api.requests()
                .iter()
                .filter(|r| !r.starts_with("POST /v1/auth/device/code"))
                .count(),
            0,
            "{:?}",
            api.requests()
        );
    }
}

#[test]
fn verify_reports_a_timestamp_out_of_range_instead_of_wrapping() {
    let env = TestEnv::new();
    for t in ["-9223372036854775808", "9223372036854775807", "-1"] {
        let header = format!("t={t},v1=00");
        let refused = env
            .run_with_stdin(
                &[
                    "webhooks", "verify", "--secret", "whsec_x", "--header", &header,
                ],
                "{}",
            )
            .code(2);
        assert!(
            refused.stderr.contains("out of range") && !refused.stderr.contains("future"),
            "{}",
            refused.stderr
        );
    }
}

#[test]
fn listing_every_page_stops_when_the_server_sends_a_cursor_again() {
    for (command, request) in [
        (["personas", "list"], "GET /v1/personas?"),
        (["runs", "list"], "GET /v1/runs?"),
        (["webhooks", "list"], "GET /v1/webhooks?"),
        (["webhooks", "deliveries"], "GET /v1/webhooks/deliveries?"),
    ] {
        let api = HostileApi::start(vec![Answer::json(
            request,
            200,
            json!({ "data": [{ "id": "x_1" }], "next_cursor": "c_again" }),
        )]);
        let env = api.env();
        let mut all = command.to_vec();
        all.push("--all");
        let stopped = env.run(&all).code(1);
        assert!(
            stopped
                .stderr
                .contains("stopped listing: the server sent the cursor `c_again` a second time"),
            "{command:?}: {}",
            stopped.stderr
        );
        assert_eq!(api.requests().len(), 2, "{:?}", api.requests());
        // One page is one request, whatever cursor it names.
        env.run(&command).success();
        assert_eq!(api.requests().len(), 3, "{:?}", api.requests());
    }
}

#[test]
fn an_api_error_with_an_empty_message_is_still_reported() {
    let api = HostileApi::start(vec![Answer::json(
        "GET /v1/personas/",
        404,
        json!({ "error": { "code": "resource.not_found", "message": "" } }),
    )]);
    let env = api.env();
    let shown = env.run(&["personas", "get", "bookseller"]).code(3);
    assert!(
        shown.stderr.starts_with("error: ") && shown.stderr.contains("code: resource.not_found"),
        "{}",
        shown.stderr
    );
    let scripted = env
        .run(&["personas", "get", "bookseller", "--json"])
        .code(3);
    assert_eq!(scripted.json()["error"]["code"], "resource.not_found");
}
