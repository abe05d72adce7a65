//! Authentication endpoints of contract §2 that the foundation serves: whoami.

use axum::Json;
use serde_json::{Value, json};

use crate::server::clock;
use crate::server::http::Caller;

pub async fn whoami(caller: Caller) -> Json<Value> {
    Json(json!({
        "key_id": caller.key_id,
        "mode": caller.mode,
        "workspace": { "id": caller.workspace.id, "name": caller.workspace.name },
        "scopes": caller.scopes,
        "expires_at": clock::rfc3339(caller.expires_at),
        "user": { "email": caller.user_email },
    }))
}
