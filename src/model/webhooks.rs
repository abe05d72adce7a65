//! The webhook event types of contract §11, spelt once: endpoints subscribe to them on the
//! server, and `persona webhooks listen --events` is checked against them.

/// Every event type an endpoint may subscribe to; `*` subscribes to all of them.
pub const WEBHOOK_EVENT_TYPES: [&str; 10] = [
    "persona.created",
    "persona.updated",
    "persona.forked",
    "persona.archived",
    "run.completed",
    "run.failed",
    "conversation.drift_detected",
    "moderation.flagged",
    "audit.test_failed",
    "webhook.test",
];
