//! `persona api`: requests of the user's own making against the embedded server (the local
//! profile) and `persona dev serve`: fields, input, paging, jq, event streams, exit codes, and
//! where the key may and may not go.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use persona::server::store::Store;
use serde_json::{Value, json};

use crate::common::{TestEnv, cutting_proxy};

const BRIEF: &str = "35-year-old, lonely, intellectual ex-academic bookseller in Istanbul";

/// The lines of stdout, each parsed as JSON.
#[track_caller]
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not a JSON line ({err}): {line:?}\n{stdout}"))
        })
        .collect()
}

/// `count` personas of the local workspace written straight into the store, newest last.
fn seed_personas(env: &TestEnv, count: usize) -> BTreeSet<String> {
    let store = Store::open(&env.data_dir()).expect("the store opens");
    store
        .ensure_workspace("ws_local", "Local workspace", "test")
        .unwrap();
    let ids: BTreeSet<String> = (0..count).map(|n| format!("psn_seed{n:04}")).collect();
    store
        .write(|tx| -> rusqlite::Result<()> {
            for (n, id) in ids.iter().enumerate() {
                let persona = json!({
                    "id": id, "slug": format!("seeded-{n}"), "status": "completed",
                    "language": "en", "schema_version": "1.0", "soul": {}, "self": {}, "mask": {},
                    "surface": {}, "fingerprint": null, "run": null, "intent": "a seeded persona",
                    "visibility": "workspace", "version": 1, "parent_id": null,
                    "custom_fields": {}, "created_at": format!("2026-01-01T00:{:02}:{:02}Z", n / 60, n % 60),
                    "updated_at": "2026-01-01T00:00:00Z", "archived_at": null,
                    "owner_key_id": "key_seed",
                });
                Store::insert_persona(tx, "ws_local", "local", &persona)?;
            }
            Ok(())
        })
        .unwrap();
    ids
}

#[test]
fn get_prints_the_answer_as_one_line_of_json_when_piped() {
    let env = TestEnv::new();
    let created = env.create(BRIEF, &[]);
    let out = env.run(&["api", "personas?limit=1"]).success();
    assert_eq!(out.stdout.lines().count(), 1, "compact: {}", out.stdout);
    let page = out.json();
    assert_eq!(page["data"][0]["id"], created["id"]);
    assert!(page.get("next_cursor").is_some(), "{page}");
    // The same path with the base URL's prefix, and query parameters from -f on a GET.
    let out = env
        .run(&[
            "api",
            "/v1/personas",
            "-X",
            "GET",
            "-f",
            "limit=1",
            "--jq",
            ".data | length",
        ])
        .success();
    assert_eq!(out.stdout, "1\n");
}

#[test]
fn post_with_string_typed_nested_and_file_fields() {
    let env = TestEnv::new();
    env.write("notes.txt", "first line\nsecond line\n");
    let out = env
        .run(&[
            "api",
            "personas",
            "-f",
            &format!("intent={BRIEF}"),
            "-f",
            "slug=the-dry-bookseller",
            "-f",
            "custom_fields[code]=007",
            "-F",
            "custom_fields[tone]=dry",
            "-F",
            "custom_fields[year]=1987",
            "-F",
            "custom_fields[public]=false",
            "-F",
            "custom_fields[editor]=null",
            "-F",
            "custom_fields[notes]=@notes.txt",
            "-F",
            "custom_fields[tags][]=books",
            "-F",
            "custom_fields[tags][]=tea",
        ])
        .success();
    let persona = out.json();
    let expected = json!({
        "code": "007", "tone": "dry", "year": 1987, "public": false, "editor": null,
        "notes": "first line\nsecond line\n", "tags": ["books", "tea"],
    });
    assert_eq!(persona["slug"], "the-dry-bookseller");
    assert_eq!(persona["custom_fields"], expected);
    // Stored as sent: read back with a GET.
    let stored = env
        .run(&[
            "api",
            "personas/the-dry-bookseller",
            "--jq",
            ".custom_fields",
        ])
        .success()
        .json();
    assert_eq!(stored, expected);
}

#[test]
fn input_from_stdin_is_sent_as_it_is() {
    let env = TestEnv::new();
    let body =
        json!({ "intent": BRIEF, "slug": "from-stdin", "custom_fields": { "via": "stdin" } });
    let out = env
        .run_with_stdin(&["api", "personas", "--input", "-"], &body.to_string())
        .success();
    let persona = out.json();
    assert_eq!(persona["slug"], "from-stdin");
    assert_eq!(persona["custom_fields"], json!({ "via": "stdin" }));
    // Stdin can be read once only.
    let out = env
        .run_with_stdin(&["api", "personas", "--input", "-", "-F", "x=@-"], "{}")
        .code(2);
    assert!(out.stderr.contains("both read stdin"), "{}", out.stderr);
}

#[test]
fn paginate_streams_every_persona_of_250_exactly_once_in_one_array() {
    let env = TestEnv::new();
    let seeded = seed_personas(&env, 250);
    let out = env
        .run(&["api", "personas?limit=100", "--paginate", "-v"])
        .success();
    let all = out.json();
    let items = all.as_array().expect("one JSON array");
    assert_eq!(items.len(), 250);
    let ids: BTreeSet<String> = items
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, seeded, "every id, each once");
    let pages = out.stderr.matches("→ GET").count();
    assert_eq!(pages, 3, "three pages of 100: {}", out.stderr);
    assert_eq!(out.stderr.matches("cursor=").count(), 2, "{}", out.stderr);

    // With --jq, the filter's output for each page: one id a line.
    let out = env
        .run(&[
            "api",
            "personas?limit=100",
            "--paginate",
            "--jq",
            ".data[].id",
        ])
        .success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 250);
    let ids: BTreeSet<String> = lines.iter().map(|l| l.to_string()).collect();
    assert_eq!(ids, seeded);

    // An empty list is an empty array; --paginate reads lists only.
    let out = env.run(&["api", "runs", "--paginate"]).success();
    assert_eq!(out.stdout, "[]\n");
    let out = env.run(&["api", "auth/whoami", "--paginate"]).code(1);
    assert!(out.stderr.contains("not a page"), "{}", out.stderr);
    env.run(&["api", "-X", "POST", "personas", "--paginate"])
        .code(2);
}

#[test]
fn jq_prints_strings_raw_and_a_bad_filter_is_a_usage_error() {
    let env = TestEnv::new();
    let first = env.create(BRIEF, &[]);
    let second = env.create("28-year-old cheerful street musician in Lisbon", &[]);
    let out = env
        .run(&["api", "personas", "--jq", ".data[].slug"])
        .success();
    let slugs: BTreeSet<&str> = out.stdout.lines().collect();
    let expected = BTreeSet::from([
        first["slug"].as_str().unwrap(),
        second["slug"].as_str().unwrap(),
    ]);
    assert_eq!(slugs, expected, "one slug a line, without quotes");
    let out = env
        .run(&[
            "api",
            "personas",
            "--jq",
            ".data[] | [.slug, .version] | @csv",
        ])
        .success();
    assert!(
        out.stdout
            .contains(&format!("\"{}\",1\n", first["slug"].as_str().unwrap())),
        "{}",
        out.stdout
    );
    let out = env.run(&["api", "personas", "--jq", ".data["]).code(2);
    assert!(out.stderr.contains("--jq"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn an_event_stream_is_printed_to_its_end_and_resumed_after_a_cut() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let run_id = env.create(BRIEF, &[])["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("runs/{run_id}/events");
    let whole = env.run(&["api", &path]).success();
    let events = json_lines(&whole.stdout);
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=events.len() as i64).collect::<Vec<_>>());
    assert_eq!(events[0]["event"], "run.started");
    assert_eq!(events.last().unwrap()["event"], "run.completed");
    assert_eq!(events[0]["data"]["run_id"], run_id.as_str());
    // The same lines as `runs tail --json`.
    let tail = env.run(&["runs", "tail", &run_id, "--json"]).success();
    assert_eq!(whole.stdout, tail.stdout);

    // After the caller's Last-Event-ID, with a filter per event.
    let out = env
        .run(&["api", &path, "-H", "Last-Event-ID: 3", "--jq", ".id"])
        .success();
    let after: Vec<String> = (4..=events.len()).map(|n| n.to_string()).collect();
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), after);

    // Cut mid-frame by a relay: reconnected, and every event printed once.
    let (proxy, connections) = cutting_proxy(&server.addr(), 1700);
    env.set("PERSONA_API_URL", &format!("http://{proxy}/v1"));
    env.set("PERSONA_RECONNECT_TIMEOUT_SECS", "15");
    let cut = env.run(&["api", &path]).success();
    assert!(connections.load(Ordering::SeqCst) >= 2, "reconnected");
    assert!(cut.stderr.contains("reconnecting"), "{}", cut.stderr);
    assert_eq!(cut.stdout, whole.stdout, "every event exactly once");
}

#[test]
fn not_found_exits_3_and_a_stale_if_match_exits_5_with_the_body_printed() {
    let env = TestEnv::new();
    let out = env.run(&["api", "personas/nobody-here"]).code(3);
    assert_eq!(out.json()["error"]["code"], "resource.not_found");
    assert!(out.stderr.contains("error:"), "{}", out.stderr);

    let persona = env.create(BRIEF, &[]);
    let slug = persona["slug"].as_str().unwrap();
    let patch = |fingerprint: &str| {
        env.run(&[
            "api",
            "-X",
            "PATCH",
            &format!("personas/{slug}"),
            "-H",
            &format!("If-Match: \"{fingerprint}\""),
            "-f",
            "custom_fields[tone]=dry",
        ])
    };
    let out = patch("sha256:stale").code(5);
    assert_eq!(out.json()["error"]["code"], "persona.version_conflict");
    // Under --json the envelope on stdout is the whole report; --silent prints nothing.
    let out = env.run(&["api", "personas/nobody-here", "--json"]).code(3);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    let out = env
        .run(&["api", "personas/nobody-here", "--silent"])
        .code(3);
    assert!(out.stdout.is_empty());
    // The same PATCH with the right fingerprint goes through.
    let out = patch(persona["fingerprint"].as_str().unwrap()).success();
    assert_eq!(out.json()["custom_fields"]["tone"], "dry");
}

#[test]
fn include_shows_the_exchange_with_the_key_redacted_and_the_idempotency_key() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let key = "0123456789abcdef0123456789abcdef";
    let args = [
        "api",
        "personas",
        "-i",
        "-vv",
        "-f",
        &format!("intent={BRIEF}"),
        "-H",
        &format!("Idempotency-Key: {key}"),
    ];
    let first = env.run(&args).success();
    let stdout = &first.stdout;
    assert!(stdout.starts_with("> POST http://127.0.0.1:"), "{stdout}");
    assert!(
        stdout.contains("> authorization: Bearer [redacted]\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("> idempotency-key: {key}\n")),
        "{stdout}"
    );
    assert!(stdout.contains("< HTTP/1.1 201 Created\n"), "{stdout}");
    assert!(stdout.contains("< x-request-id: req_"), "{stdout}");
    for text in [&first.stdout, &first.stderr] {
        assert!(!text.contains(&server.key), "the key leaked: {text}");
    }
    let (_, body) = stdout
        .split_once("\n\n")
        .expect("a blank line before the body");
    let persona: Value = serde_json::from_str(body).unwrap();

    // The same key again: the stored answer, nothing new created.
    let again = env.run(&args).success();
    assert!(
        again.stdout.contains("< idempotent-replayed: true\n"),
        "{}",
        again.stdout
    );
    let (_, body) = again.stdout.split_once("\n\n").unwrap();
    let replayed: Value = serde_json::from_str(body).unwrap();
    assert_eq!(replayed["id"], persona["id"]);

    // Without a key of the caller's, a POST gets one of its own.
    let out = env
        .run(&[
            "api",
            "-i",
            "-X",
            "POST",
            &format!("personas/{}/archive", persona["id"].as_str().unwrap()),
        ])
        .success();
    let line = out
        .stdout
        .lines()
        .find(|line| line.starts_with("> idempotency-key: "))
        .expect("an Idempotency-Key was sent");
    assert_eq!(line.len(), "> idempotency-key: ".len() + 32, "{line}");
}

#[test]
fn an_authorization_header_of_the_users_is_refused() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let out = env
        .run(&[
            "api",
            "auth/whoami",
            "-H",
            "Authorization: Bearer pk_test_other",
        ])
        .code(2);
    assert!(out.stderr.contains("Authorization"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let out = env
        .run(&["api", "auth/whoami", "-H", "authorization:Basic eDp5"])
        .code(2);
    assert!(out.stderr.contains("Authorization"), "{}", out.stderr);
}

#[test]
fn a_foreign_host_is_refused_and_the_profiles_own_url_accepted() {
    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    for url in [
        "https://api.example.com/v1/auth/whoami",
        "http://127.0.0.2:1/v1/auth/whoami",
        &format!(
            "{}/auth/whoami",
            server.base_url.replace("http://", "https://")
        ),
    ] {
        let out = env.run(&["api", url]).code(2);
        assert!(
            out.stderr.contains("refusing to send the profile's key"),
            "{url}: {}",
            out.stderr
        );
    }
    let own = env
        .run(&[
            "api",
            &format!("{}/auth/whoami", server.base_url),
            "--jq",
            ".workspace.id",
        ])
        .success();
    assert!(own.stdout.starts_with("ws_"), "{}", own.stdout);
    env.run(&["api", "personas/../../cli/activate"]).code(2);
}

#[test]
fn the_paths_offered_are_the_routes_of_the_openapi_document() {
    let env = TestEnv::new();
    // Each "METHOD path" of the document below /v1.
    let filter = r#".paths | to_entries[] | select(.key | startswith("/v1/")) | .key[4:] as $path
        | .value | keys[] | select(. != "parameters") | "\(ascii_upcase) \($path)""#;
    let out = env.run(&["api", "openapi.json", "--jq", filter]).success();
    let documented: BTreeSet<String> = out.stdout.lines().map(str::to_string).collect();
    assert!(
        documented.contains("PATCH personas/{ref}"),
        "{documented:?}"
    );
    let help = env.run(&["api", "--help"]).success().stdout;
    let (_, listed) = help
        .split_once("Paths (from the API's OpenAPI document):")
        .unwrap();
    let listed: BTreeSet<String> = listed
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        listed, documented,
        "persona api --help lists the documented routes"
    );
    let paths: BTreeSet<&str> = documented
        .iter()
        .map(|route| route.split_once(' ').unwrap().1)
        .collect();
    let bash = env
        .run(&["completion", "bash", "--static"])
        .success()
        .stdout;
    let zsh = env.run(&["completion", "zsh", "--static"]).success().stdout;
    // Live completion: the candidates for PATH, one a line (zsh's request gives no help text
    // for plain values).
    let live = env
        .command(&["--", "persona", "api", ""])
        .env("PERSONA_COMPLETE", "zsh")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(live.status.success(), "{live:?}");
    let live = String::from_utf8_lossy(&live.stdout).into_owned();
    let live: BTreeSet<&str> = live.lines().collect();
    // A path offered whole: between spaces, quotes or parentheses.
    let offers = |script: &str, path: &str| {
        script.match_indices(path).any(|(at, _)| {
            let before = script[..at].chars().last();
            let after = script[at + path.len()..].chars().next();
            matches!(before, Some(' ' | '(' | '"')) && matches!(after, Some(' ' | ')' | '"'))
        })
    };
    for path in paths {
        assert!(offers(&bash, path), "bash completes {path}");
        assert!(offers(&zsh, path), "zsh completes {path}");
        assert!(
            live.contains(path),
            "live completion offers {path}: {live:?}"
        );
    }
}

/// On a terminal (a pseudo-terminal made by `script`) the answer is indented; a paged list is
/// still one JSON array.
#[test]
fn a_terminal_gets_indented_json() {
    let env = TestEnv::new();
    seed_personas(&env, 3);
    let on_terminal = |args: &str| {
        let command = format!("{} api {args}", crate::common::BIN);
        let outcome = env
            .program("script", &["-qec", &command, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(outcome.status.success(), "{outcome:?}");
        String::from_utf8_lossy(&outcome.stdout).replace('\r', "")
    };
    let page = on_terminal("personas?limit=1");
    assert!(page.starts_with("{\n  \"data\": [\n    {\n"), "{page}");
    let every: Value = serde_json::from_str(&on_terminal("personas?limit=2 --paginate")).unwrap();
    assert_eq!(every.as_array().map(Vec::len), Some(3), "{every}");
    let every = on_terminal("personas?limit=2 --paginate");
    assert!(every.starts_with("[\n  {\n    \"id\": "), "{every}");
}

/// `webhooks/listen` prints the ready event, then each event of the workspace as it happens.
#[test]
fn the_listen_stream_prints_events_as_they_happen() {
    use std::io::{BufRead, BufReader};
    use std::time::Duration;

    let mut env = TestEnv::new();
    let server = env.serve(&[]);
    env.use_server(&server);
    let mut listen = env
        .command(&["api", "webhooks/listen?events=persona.created"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = BufReader::new(listen.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let next = || -> Value {
        let line = received
            .recv_timeout(Duration::from_secs(60))
            .expect("a line within a minute");
        serde_json::from_str(&line).unwrap()
    };
    let ready = next();
    assert_eq!(ready["event"], "listen.ready");
    assert!(
        ready["data"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    let persona = env.create(BRIEF, &[]);
    let created = next();
    assert_eq!(created["event"], "persona.created");
    assert!(created["id"].as_i64().unwrap() > ready["id"].as_i64().unwrap());
    let body: Value = serde_json::from_str(created["data"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"]["persona"]["id"], persona["id"], "{body}");
    let _ = listen.kill();
    let _ = listen.wait();
}

/// A whole HTTP answer of `status` with a JSON `body`, asking for no wait before a retry.
fn answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nRetry-After: 0\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn a_post_is_retried_with_one_idempotency_key_and_a_patch_is_sent_once() {
    let unavailable =
        r#"{"error":{"code":"provider.unavailable","message":"Try again.","type":"provider"}}"#;
    let mut env = TestEnv::new();
    env.set("PERSONA_API_KEY", "pk_test_double");
    let (url, requests) = crate::common::http_double(move |n| match n {
        0 | 1 => answer("503 Service Unavailable", unavailable),
        _ => answer("200 OK", r#"{"ok":true}"#),
    });
    env.set("PERSONA_API_URL", &url);
    let out = env.run(&["api", "things", "-f", "a=1"]).success();
    assert_eq!(out.json(), json!({ "ok": true }));
    assert!(out.stderr.contains("retrying"), "{}", out.stderr);
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    let keys: BTreeSet<&str> = requests
        .iter()
        .map(|head| {
            assert!(head.starts_with("POST /v1/things "), "{head}");
            head.lines()
                .find_map(|line| line.strip_prefix("idempotency-key: "))
                .expect("an Idempotency-Key on every attempt")
        })
        .collect();
    assert_eq!(keys.len(), 1, "the same key each time: {keys:?}");

    let (url, requests) =
        crate::common::http_double(move |_| answer("503 Service Unavailable", unavailable));
    env.set("PERSONA_API_URL", &url);
    let out = env
        .run(&["api", "-X", "PATCH", "things/1", "-f", "a=1"])
        .code(9);
    assert_eq!(out.json()["error"]["code"], "provider.unavailable");
    assert_eq!(requests.lock().unwrap().len(), 1, "a PATCH is sent once");
}

#[test]
fn an_answer_past_64_mib_is_not_read_to_its_end() {
    let mut env = TestEnv::new();
    env.set("PERSONA_API_KEY", "pk_test_double");
    let size = 65 * 1024 * 1024;
    let (url, _) = crate::common::http_double(move |_| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n\""
        );
        head + &"a".repeat(size - 2) + "\""
    });
    env.set("PERSONA_API_URL", &url);
    let out = env.run(&["api", "huge"]).code(1);
    assert!(out.stderr.contains("larger than 64 MiB"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}
