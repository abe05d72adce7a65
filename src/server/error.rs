//! The API error envelope of contract §9, as the server answers it.
//! Handlers return `ApiError`; the envelope middleware adds the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::store;
use crate::model::{ErrorCode, ErrorObject};

/// An error answer: HTTP status, stable code, a message for people, optional details.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Box<Value>>,
    pub run_id: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            run_id: None,
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::RequestInvalid, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::ResourceNotFound,
            format!("{what} not found in this workspace"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::AuthInvalidKey, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// An `Idempotency-Key` reused for another request.
    pub fn idempotency_conflict() -> Self {
        Self::conflict(
            ErrorCode::RequestIdempotencyConflict,
            "this Idempotency-Key was already used for a different request (another endpoint or \
             another body); use a new key for a new request",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            message,
        )
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    pub fn with_run(mut self, run_id: &str) -> Self {
        self.run_id = Some(run_id.to_string());
        self
    }

    /// The `type` field of the envelope, derived from the code.
    pub fn error_type(&self) -> &'static str {
        match self.code.group() {
            "auth" => "auth",
            "moderation" => "moderation",
            "rate_limit" => "rate_limit",
            "provider" => "provider",
            "resource" => "not_found",
            "internal" => "api_error",
            _ => match self.status {
                StatusCode::PAYMENT_REQUIRED => "billing",
                StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => "conflict",
                _ => "invalid_request",
            },
        }
    }

    /// The envelope body, with the request id that the middleware knows.
    pub fn body(&self, request_id: &str) -> Value {
        json!({ "error": self.error_object(request_id) })
    }

    /// The `error` object of the envelope.
    pub fn error_object(&self, request_id: &str) -> ErrorObject {
        let anchor = self.code.as_str().rsplit('.').next().unwrap_or("");
        ErrorObject {
            code: self.code.to_string(),
            message: self.message.clone(),
            error_type: self.error_type().to_string(),
            doc_url: format!("https://docs.persona.dev/errors#{anchor}"),
            request_id: request_id.to_string(),
            run_id: self.run_id.clone(),
            details: self.details.as_deref().cloned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl From<store::Error> for ApiError {
    fn from(err: store::Error) -> Self {
        match (store::storage_advice(&err), store::opened_path()) {
            (Some(advice), Some(path)) => ApiError::internal(format!(
                "store error in the persona store {}: {err}; {advice}",
                path.display()
            )),
            (Some(advice), None) => ApiError::internal(format!("store error: {err}; {advice}")),
            (None, _) => ApiError::internal(format!("store error: {err}")),
        }
    }
}

/// The response carries the error as an extension; the envelope middleware renders the body
/// once it has attached the request id.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", seconds.to_string().parse().expect("digits"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
