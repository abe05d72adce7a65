//! CLI errors: what went wrong, the exit code it maps to (README "Exit codes"), the error it came
//! from, and how it is shown: `error:` / `code:` and request id / `hint:` for people, an error
//! object under `--json`, or nothing more when the command already reported it.

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Value, json};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// 1: an error not listed below (server error, I/O).
    General,
    /// 2: bad flags, or a local input file that is invalid.
    Usage,
    /// 3: not found.
    NotFound,
    /// 4: authentication needed or refused.
    Auth,
    /// 5: conflict: slug taken, version conflict, run not cancelable.
    Conflict,
    /// 6: rate limited after retries.
    RateLimited,
    /// 7: budget exceeded or moderation block.
    Budget,
    /// 8: the run ended failed or canceled.
    RunFailed,
    /// 9: network or provider unavailable.
    Unavailable,
    /// 130: interrupted.
    Interrupted,
}

impl ExitKind {
    pub fn code(self) -> u8 {
        match self {
            ExitKind::General => 1,
            ExitKind::Usage => 2,
            ExitKind::NotFound => 3,
            ExitKind::Auth => 4,
            ExitKind::Conflict => 5,
            ExitKind::RateLimited => 6,
            ExitKind::Budget => 7,
            ExitKind::RunFailed => 8,
            ExitKind::Unavailable => 9,
            ExitKind::Interrupted => 130,
        }
    }

    /// The exit kind of an API error answer (contract §9).
    pub fn for_api(status: u16, code: &str) -> ExitKind {
        match (status, code) {
            (_, c) if c.starts_with("moderation.") => ExitKind::Budget,
            (402, _) => ExitKind::Budget,
            (401, _) => ExitKind::Auth,
            (403, c) if c.starts_with("auth.") => ExitKind::Auth,
            (403, _) => ExitKind::Auth,
            (404, _) => ExitKind::NotFound,
            (409 | 412, _) => ExitKind::Conflict,
            (429, _) => ExitKind::RateLimited,
            (503, _) => ExitKind::Unavailable,
            (400 | 413 | 422, _) => ExitKind::Usage,
            _ => ExitKind::General,
        }
    }
}

/// An error the CLI reports and exits with.
#[derive(Debug, Clone)]
pub struct CliError {
    pub kind: ExitKind,
    pub message: String,
    /// The API's error code, when the error came from the API.
    pub code: Option<Box<str>>,
    pub request_id: Option<Box<str>>,
    /// The run the error is about, when the API names one.
    pub run_id: Option<Box<str>>,
    pub hint: Option<String>,
    /// The API error's `details`, kept for `--json`.
    pub details: Option<Box<Value>>,
    /// The error this one was made from (I/O, HTTP, JSON, YAML), for [`Error::source`]; behind
    /// a thin pointer, which keeps every `Result` small.
    source: Option<Arc<Box<dyn Error + Send + Sync>>>,
    /// Whether the command already told it (a report on stdout, one line per file), so that
    /// only the exit code remains to give.
    reported: bool,
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    pub fn new(kind: ExitKind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: message.into(),
            code: None,
            request_id: None,
            run_id: None,
            hint: None,
            details: None,
            source: None,
            reported: false,
        }
    }

    /// An outcome the command has already told in full: nothing more is printed, and the
    /// process exits with `kind`'s code.
    pub fn reported(kind: ExitKind) -> Self {
        Self::new(kind, "").into_reported()
    }

    /// This error, marked as already told: it keeps its exit code, and nothing more is printed.
    pub fn into_reported(mut self) -> Self {
        self.reported = true;
        self
    }

    /// Whether the command already told this error, so that rendering prints nothing.
    pub fn is_reported(&self) -> bool {
        self.reported
    }

    /// Keeps the error this one was made from.
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(Arc::new(source.into()));
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ExitKind::Usage, message)
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self::new(ExitKind::General, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The error from an API error envelope.
    pub fn from_api(status: u16, envelope: &Value) -> Self {
        let error = &envelope["error"];
        let code = error["code"].as_str().unwrap_or("").to_string();
        let message = error["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("the server answered HTTP {status}"));
        let kind = ExitKind::for_api(status, &code);
        let hint = match (status, code.as_str()) {
            (401, _) => Some(
                "check the key with `persona auth status`, or log in again with `persona auth login`",
            ),
            (403, "auth.insufficient_scope") => Some("use a key that has the scope named above"),
            (412, _) => Some(
                "see what changed with `persona personas diff FILE`, pull again, or push with `--force` to overwrite",
            ),
            (409, "persona.slug_taken") => Some("choose another slug with `--slug`"),
            (429, _) => Some("wait a moment and try again, or use a plan with a higher limit"),
            (402, _) => Some("raise `budget_usd` (or `--budget-usd`), or simplify the brief"),
            _ => None,
        };
        CliError {
            kind,
            message,
            code: (!code.is_empty()).then(|| code.into()),
            request_id: error["request_id"]
                .as_str()
                .filter(|id| !id.is_empty())
                .map(Into::into),
            run_id: error["run_id"].as_str().map(Into::into),
            hint: hint.map(str::to_string),
            details: error.get("details").cloned().map(Box::new),
            source: None,
            reported: false,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.code())
    }

    /// The text shown on stderr.
    pub fn render(&self) -> String {
        let mut text = format!("error: {}\n", self.message);
        let labels = [
            ("code", &self.code),
            ("request", &self.request_id),
            ("run", &self.run_id),
        ];
        let facts: Vec<String> = labels
            .iter()
            .filter_map(|(label, value)| value.as_ref().map(|v| format!("{label}: {v}")))
            .collect();
        if !facts.is_empty() {
            text.push_str(&facts.join("  "));
            text.push('\n');
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("hint: {hint}\n"));
        }
        text
    }

    /// The object printed on stdout under `--json`.
    pub fn to_json(&self) -> Value {
        json!({ "error": self.error_object() })
    }

    /// The error object of [`CliError::to_json`], for a report that lists it with its file.
    pub fn error_object(&self) -> Value {
        let mut error = json!({
            "message": self.message,
            "code": self.code,
            "exit_code": self.kind.code(),
        });
        if let Some(request_id) = &self.request_id {
            error["request_id"] = json!(request_id);
        }
        if let Some(run_id) = &self.run_id {
            error["run_id"] = json!(run_id);
        }
        if let Some(hint) = &self.hint {
            error["hint"] = json!(hint);
        }
        if let Some(details) = &self.details {
            error["details"] = (**details).clone();
        }
        error
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for CliError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| &**source as &(dyn Error + 'static))
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::general(err.to_string()).with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_map_to_the_documented_exit_codes() {
        let cases = [
            (400, "request.invalid", 2),
            (401, "auth.invalid_key", 4),
            (403, "auth.insufficient_scope", 4),
            (403, "moderation.intent_blocked", 7),
            (402, "persona.cost_budget_exceeded", 7),
            (404, "resource.not_found", 3),
            (409, "persona.slug_taken", 5),
            (409, "run.not_cancelable", 5),
            (412, "persona.version_conflict", 5),
            (429, "rate_limit.exceeded", 6),
            (503, "provider.unavailable", 9),
            (500, "internal.error", 1),
        ];
        for (status, code, exit) in cases {
            assert_eq!(
                ExitKind::for_api(status, code).code(),
                exit,
                "{status} {code}"
            );
        }
    }

    #[test]
    fn an_error_keeps_its_source_and_a_reported_one_only_its_exit_code() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let error = CliError::from(io);
        assert_eq!(error.kind, ExitKind::General);
        assert_eq!(
            Error::source(&error).map(ToString::to_string),
            Some("denied".into())
        );
        assert!(!error.is_reported());

        let reported = CliError::usage("shown with its file").into_reported();
        assert!(reported.is_reported());
        assert_eq!(reported.kind.code(), 2);
        assert_eq!(reported.message, "shown with its file");
        let reported = CliError::reported(ExitKind::RunFailed);
        assert!(reported.is_reported());
        assert_eq!(reported.kind.code(), 8);
    }

    #[test]
    fn rendering_shows_code_request_and_hint() {
        let envelope = json!({ "error": { "code": "persona.version_conflict", "message": "stale", "request_id": "req_1" } });
        let text = CliError::from_api(412, &envelope).render();
        assert!(
            text.starts_with(
                "error: stale\ncode: persona.version_conflict  request: req_1\nhint: "
            ),
            "{text}"
        );
    }
}
