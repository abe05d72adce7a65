//! The error codes of contract §9, spelt once: the server answers with them and the client reads
//! them from the error envelope (a code this build does not know still passes through as text).

use std::fmt;

use serde::{Serialize, Serializer};

macro_rules! error_codes {
    ($($variant:ident => $name:literal,)*) => {
        /// A stable error code of the API's error envelope.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the envelope writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    RequestInvalid => "request.invalid",
    RequestTooLarge => "request.too_large",
    RequestMethodNotAllowed => "request.method_not_allowed",
    RequestOriginNotAllowed => "request.origin_not_allowed",
    RequestIdempotencyConflict => "request.idempotency_conflict",
    RequestIdempotencyInProgress => "request.idempotency_in_progress",
    AuthInvalidKey => "auth.invalid_key",
    AuthInsufficientScope => "auth.insufficient_scope",
    AuthWorkspaceForbidden => "auth.workspace_forbidden",
    AuthAuthorizationPending => "auth.authorization_pending",
    AuthSlowDown => "auth.slow_down",
    AuthAccessDenied => "auth.access_denied",
    AuthExpiredToken => "auth.expired_token",
    ResourceNotFound => "resource.not_found",
    PersonaCostBudgetExceeded => "persona.cost_budget_exceeded",
    PersonaSlugTaken => "persona.slug_taken",
    PersonaSchemaViolation => "persona.schema_violation",
    PersonaVersionConflict => "persona.version_conflict",
    PersonaNotReady => "persona.not_ready",
    ModerationIntentBlocked => "moderation.intent_blocked",
    RunNotCancelable => "run.not_cancelable",
    RunCanceled => "run.canceled",
    RunFailed => "run.failed",
    WebhookReplayExpired => "webhook.replay_expired",
    WebhookDeliveryPending => "webhook.delivery_pending",
    RateLimitExceeded => "rate_limit.exceeded",
    ProviderUnavailable => "provider.unavailable",
    ServerOverloaded => "server.overloaded",
    InternalError => "internal.error",
}

impl ErrorCode {
    /// The code a wire name stands for; None for one this build does not know.
    pub fn parse(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == name)
    }

    /// Its group, the part before the dot (`auth`, `request`, ...).
    pub fn group(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or("")
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_belongs_to_a_group() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!(!code.group().is_empty() && code.as_str().len() > code.group().len() + 1);
        }
        assert_eq!(ErrorCode::parse("auth.unheard_of"), None);
        assert_eq!(ErrorCode::PersonaNotReady.to_string(), "persona.not_ready");
    }
}
