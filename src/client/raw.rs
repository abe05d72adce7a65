//! Any request to the API, as `persona api` sends it: a path below the profile's base URL (or a
//! URL on its own origin), with the profile's key, an `Idempotency-Key` on POST, the retry
//! policy and `-v` logging of every other request; the answer is handed back whatever its status.

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Response, Url};

use super::{ApiClient, REQUEST_TIMEOUT, RUN_TIMEOUT, new_idempotency_key};
use crate::error::{CliError, Result};

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A request of the caller's own making.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: Method,
    /// The path below the base URL, starting with `/`, without its query (see
    /// [`ApiClient::locate`]).
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The caller's headers, which replace the client's of the same name; never
    /// `Authorization` (the key is the client's).
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
}

/// What a raw request got.
pub struct RawAnswer {
    /// The request as it was sent (`shown_header` shows its key redacted).
    pub request: reqwest::Request,
    pub response: Response,
}

impl ApiClient {
    /// Where `target` points below the base URL: its path (starting with `/`) and its query.
    /// `target` is a path relative to the base URL (`personas?limit=5`), one that repeats the
    /// base URL's path (`/v1/personas`), or a full URL on the base URL's own origin; a URL of
    /// another origin is refused, so that the key goes nowhere else.
    pub fn locate(&self, target: &str) -> Result<(String, Vec<(String, String)>)> {
        let base = Url::parse(&self.base_url).map_err(|err| {
            CliError::usage(format!("`{}` is not a valid API URL: {err}", self.base_url))
        })?;
        let base_path = base.path().trim_end_matches('/');
        let (path, query) = if target.contains("://") {
            let url = Url::parse(target)
                .map_err(|err| CliError::usage(format!("`{target}` is not a valid URL: {err}")))?;
            if url.origin() != base.origin() {
                return Err(CliError::usage(format!(
                    "refusing to send the profile's key to {}: `persona api` talks only to {}",
                    url.origin().ascii_serialization(),
                    base.origin().ascii_serialization()
                ))
                .with_hint(format!(
                    "give a path below {}, such as `personas`",
                    self.base_url
                )));
            }
            let below = below(url.path(), base_path).ok_or_else(|| {
                CliError::usage(format!(
                    "`{target}` is not below the API at {}",
                    self.base_url
                ))
            })?;
            (format!("/{below}"), url.query().unwrap_or("").to_string())
        } else {
            let target = target.split('#').next().unwrap_or("");
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let rooted = format!("/{}", path.trim_start_matches('/'));
            let below = below(&rooted, base_path).unwrap_or(&rooted[1..]);
            (format!("/{below}"), query.to_string())
        };
        if path.split('/').any(|segment| matches!(segment, "." | "..")) {
            return Err(CliError::usage(format!(
                "`{target}` has a `.` or `..` segment; give the path below {} as it is",
                self.base_url
            )));
        }
        let query = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Ok((path, query))
    }

    /// Sends `request` and hands back its answer, whatever the status. A POST carries an
    /// `Idempotency-Key` (the caller's, or a new one), which makes it safe to retry like a read;
    /// other writes are sent once.
    pub async fn raw(&self, request: &RawRequest) -> Result<RawAnswer> {
        let mut headers = request.headers.clone();
        if request.method == Method::POST && !headers.contains_key(IDEMPOTENCY_KEY) {
            let key =
                HeaderValue::from_str(&new_idempotency_key()).expect("a hex key is a header value");
            headers.insert(IDEMPOTENCY_KEY, key);
        }
        let reads = matches!(request.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let retryable = reads || headers.contains_key(IDEMPOTENCY_KEY);
        let timeout = if reads { REQUEST_TIMEOUT } else { RUN_TIMEOUT };
        let build = || {
            let mut builder = self
                .request(request.method.clone(), &request.path)
                .timeout(timeout);
            if !request.query.is_empty() {
                builder = builder.query(&request.query);
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            builder.headers(headers.clone())
        };
        let sent = build()
            .build()
            .map_err(|err| CliError::usage(format!("bad request: {err}")).with_source(err))?;
        let response = self.exchange(retryable, build).await?;
        Ok(RawAnswer {
            request: sent,
            response,
        })
    }
}

/// What is left of `path` below `base_path` (without the slash between), if it is below.
fn below<'a>(path: &'a str, base_path: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(base_path)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{ColorChoice, Output};

    fn client(base: &str) -> ApiClient {
        let output = Output::from_process(false, true, 0, ColorChoice::Never);
        ApiClient::new(base, Some("pk_test_x".into()), None, output).unwrap()
    }

    #[test]
    fn paths_are_taken_below_the_base_url_with_or_without_its_prefix() {
        let api = client("http://127.0.0.1:8787/v1");
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        for target in [
            "personas",
            "/personas",
            "v1/personas",
            "/v1/personas",
            "http://127.0.0.1:8787/v1/personas",
        ] {
            assert_eq!(api.locate(target).unwrap(), ("/personas".into(), vec![]));
        }
        assert_eq!(
            api.locate("runs?status=failed&limit=5").unwrap(),
            (
                "/runs".into(),
                pairs(&[("status", "failed"), ("limit", "5")])
            )
        );
        // A path that only starts like the prefix is not below it.
        assert_eq!(api.locate("v1x/a").unwrap().0, "/v1x/a");
        assert_eq!(
            api.locate("http://127.0.0.1:8787/v1/runs?q=a%20b").unwrap(),
            ("/runs".into(), pairs(&[("q", "a b")]))
        );
    }

    #[test]
    fn other_origins_paths_outside_the_api_and_dot_segments_are_refused() {
        let api = client("http://127.0.0.1:8787/v1");
        for target in [
            "https://evil.example/v1/personas",
            "http://127.0.0.1:9999/v1/personas",
            "https://127.0.0.1:8787/v1/personas",
            "file:///etc/passwd",
        ] {
            let err = api.locate(target).unwrap_err();
            assert!(
                err.message.starts_with("refusing"),
                "{target}: {}",
                err.message
            );
        }
        assert!(api.locate("http://127.0.0.1:8787/cli/activate").is_err());
        assert!(api.locate("personas/../../cli/activate").is_err());
    }
}
