//! CLI errors: what went wrong, the exit code it maps to (README "Exit codes"), the error it came
//! from, and how it is shown: `error:` / `code:` and request id / `hint:` for people, an error
//! object under `--json`, or nothing more when the command already reported it.

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

use serde::Deserialize;
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

    /// `what` failed because of the I/O error `err`: its reason in words (see [`io_reason`]),
    /// the advice for that reason as the hint when there is one, and `err` as the source.
    pub fn io(kind: ExitKind, what: impl std::fmt::Display, err: std::io::Error) -> Self {
        let error = CliError::new(kind, format!("{what}: {}", io_reason(&err)));
        let error = match io_advice(&err) {
            Some(advice) => error.with_hint(advice),
            None => error,
        };
        error.with_source(err)
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
                "check the key with `persona auth status`, or log in again with `persona auth login`"
                    .to_string(),
            ),
            (403, "auth.insufficient_scope") => {
                Some("use a key that has the scope named above".to_string())
            }
            (412, _) => Some(
                "see what changed with `persona personas diff FILE`, pull again, or push with `--force` to overwrite"
                    .to_string(),
            ),
            (409, "persona.slug_taken") => Some(slug_taken_hint(error.get("details"))),
            (429, _) => Some(
                "wait a moment and try again, or use a plan with a higher limit".to_string(),
            ),
            (402, _) => Some(
                "raise `budget_usd` (or `--budget-usd`), or simplify the brief".to_string(),
            ),
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
            hint,
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

/// The hint of a slug collision: when the persona holding the slug is archived (the server
/// names it in `details`), how to bring it back; else how to choose another slug.
fn slug_taken_hint(details: Option<&Value>) -> String {
    #[derive(Deserialize)]
    struct Holder {
        persona_id: String,
        #[serde(default)]
        archived: bool,
    }
    let holder = details
        .and_then(Value::as_array)
        .and_then(|entries| entries.first())
        .and_then(|entry| Holder::deserialize(entry).ok());
    match holder {
        Some(Holder {
            persona_id,
            archived: true,
        }) => format!(
            "bring the archived persona back with `persona personas unarchive {persona_id}`, or \
             choose another slug with `--slug`"
        ),
        _ => "choose another slug with `--slug`".to_string(),
    }
}

/// An I/O error in a person's words: what the common kinds mean, else the system's message
/// without its "(os error N)". A message of our own (a size cap, "not UTF-8") is kept as written.
pub fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if err.get_ref().is_some() {
        return err.to_string();
    }
    let words = match err.kind() {
        ErrorKind::NotFound => "there is no such file or directory",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::IsADirectory => "it is a directory",
        ErrorKind::NotADirectory => "a part of the path is a file, not a directory",
        ErrorKind::AlreadyExists => "a file of that name is already there",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        ErrorKind::StorageFull => "the disk is full",
        ErrorKind::QuotaExceeded => "the disk quota is used up",
        ErrorKind::FileTooLarge => "the file is too large",
        ErrorKind::InvalidFilename => "the file name is too long or not valid",
        _ => {
            let text = err.to_string();
            return match text.rfind(" (os error ") {
                Some(at) if text.ends_with(')') => text[..at].to_string(),
                _ => text,
            };
        }
    };
    words.to_string()
}

/// What a person can do about an I/O error, for the kinds where that is clear.
pub fn io_advice(err: &std::io::Error) -> Option<&'static str> {
    use std::io::ErrorKind;
    Some(match err.kind() {
        ErrorKind::PermissionDenied => {
            "check the permissions of the file and of its directory (`ls -l`)"
        }
        ErrorKind::ReadOnlyFilesystem => "use a file on a writable disk",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "free some disk space and try again",
        ErrorKind::NotADirectory | ErrorKind::InvalidFilename => "check the path",
        _ => return None,
    })
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::general(io_reason(&err)).with_source(err)
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
    fn io_errors_read_as_words_without_the_os_error_number() {
        use std::io::{Error as IoError, ErrorKind};
        let missing = IoError::from_raw_os_error(2);
        assert_eq!(io_reason(&missing), "there is no such file or directory");
        let denied = CliError::io(
            ExitKind::Usage,
            "cannot read x.yml",
            IoError::from_raw_os_error(13),
        );
        assert_eq!(denied.message, "cannot read x.yml: permission denied");
        assert!(denied.hint.unwrap().contains("permissions"));
        let other = IoError::from_raw_os_error(libc::EIO);
        assert!(
            !io_reason(&other).contains("os error"),
            "{}",
            io_reason(&other)
        );
        let ours = IoError::new(ErrorKind::NotFound, "it is larger than 8 MiB");
        assert_eq!(io_reason(&ours), "it is larger than 8 MiB");
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
