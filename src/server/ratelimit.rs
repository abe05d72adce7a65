//! Per-workspace rate limits of contract §10: fixed one-minute windows, by plan, for generations
//! and chat messages apart. Answers carry in `X-RateLimit-*` the state of the window their route
//! counts against: chat messages for chat routes, generations for every other.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::StatusCode;

use super::clock;
use super::error::ApiError;

/// The workspace's plan, which sets its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Free,
    Pro,
    Team,
    Unlimited,
}

impl Plan {
    pub fn parse(name: &str) -> Option<Plan> {
        match name {
            "free" => Some(Plan::Free),
            "pro" => Some(Plan::Pro),
            "team" => Some(Plan::Team),
            "unlimited" => Some(Plan::Unlimited),
            _ => None,
        }
    }

    /// Generations (creates and forks) per minute.
    pub fn generations_per_minute(self) -> u32 {
        match self {
            Plan::Free => 5,
            Plan::Pro => 60,
            Plan::Team => 300,
            Plan::Unlimited => 1_000_000,
        }
    }

    /// Chat messages (turns of a conversation or OpenAI completions) per minute.
    pub fn chat_messages_per_minute(self) -> u32 {
        match self {
            Plan::Free => 30,
            Plan::Pro => 600,
            Plan::Team => 3_000,
            Plan::Unlimited => 10_000_000,
        }
    }
}

/// What a window counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Counted {
    Generations,
    ChatMessages,
}

impl Counted {
    fn limit(self, plan: Plan) -> u32 {
        match self {
            Counted::Generations => plan.generations_per_minute(),
            Counted::ChatMessages => plan.chat_messages_per_minute(),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Counted::Generations => "generations",
            Counted::ChatMessages => "chat messages",
        }
    }
}

/// A snapshot of one window, for the headers.
#[derive(Debug, Clone, Copy)]
pub struct WindowState {
    pub limit: u32,
    pub remaining: u32,
    pub reset_at: i64,
}

/// Counts generations and chat messages per workspace in the current window (one minute
/// unless configured).
pub struct RateLimiter {
    plan: Plan,
    window_seconds: i64,
    windows: Mutex<HashMap<(Counted, String), (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(plan: Plan, window_seconds: u32) -> Self {
        RateLimiter {
            plan,
            window_seconds: i64::from(window_seconds.max(1)),
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn window_start(&self, now: i64) -> i64 {
        now - now.rem_euclid(self.window_seconds)
    }

    /// Counts one generation, or answers 429 with how long to wait.
    pub fn take_generation(&self, workspace_id: &str) -> Result<(), ApiError> {
        self.take(Counted::Generations, workspace_id)
    }

    /// Counts one chat message, or answers 429 with how long to wait.
    pub fn take_chat(&self, workspace_id: &str) -> Result<(), ApiError> {
        self.take(Counted::ChatMessages, workspace_id)
    }

    fn take(&self, counted: Counted, workspace_id: &str) -> Result<(), ApiError> {
        let now = clock::now();
        let start = self.window_start(now);
        let limit = counted.limit(self.plan);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let entry = windows
            .entry((counted, workspace_id.to_string()))
            .or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        if entry.1 >= limit {
            let wait = (start + self.window_seconds - now).max(1);
            let window = match self.window_seconds {
                60 => "minute".to_string(),
                seconds => format!("{seconds} seconds"),
            };
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit.exceeded",
                format!(
                    "rate limit of {limit} {} per {window} reached; retry in {wait}s, when the window resets",
                    counted.noun()
                ),
            );
            err.retry_after = Some(wait as u64);
            return Err(err);
        }
        entry.1 += 1;
        Ok(())
    }

    /// The window the route at `path` counts against (for its `X-RateLimit-*` headers).
    pub fn state(&self, workspace_id: Option<&str>, path: &str) -> WindowState {
        let counted = if path.starts_with("/v1/chat/") || path.starts_with("/v1/openai/chat/") {
            Counted::ChatMessages
        } else {
            Counted::Generations
        };
        let now = clock::now();
        let start = self.window_start(now);
        let limit = counted.limit(self.plan);
        let used = workspace_id
            .and_then(|ws| {
                let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
                windows
                    .get(&(counted, ws.to_string()))
                    .filter(|(s, _)| *s == start)
                    .map(|(_, n)| *n)
            })
            .unwrap_or(0);
        WindowState {
            limit,
            remaining: limit.saturating_sub(used),
            reset_at: start + self.window_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_plan_allows_five_generations_then_says_when_to_retry() {
        let limiter = RateLimiter::new(Plan::Free, 60);
        for _ in 0..5 {
            limiter.take_generation("ws_a").unwrap();
        }
        let err = limiter.take_generation("ws_a").unwrap_err();
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
        assert!((1..=60).contains(&err.retry_after.unwrap()));
        assert_eq!(limiter.state(Some("ws_a"), "/v1/personas").remaining, 0);
        limiter
            .take_generation("ws_b")
            .expect("workspaces are counted apart");
        limiter
            .take_chat("ws_a")
            .expect("chat messages are counted apart from generations");
    }

    #[test]
    fn free_plan_allows_thirty_chat_messages_a_minute() {
        let limiter = RateLimiter::new(Plan::Free, 60);
        for _ in 0..30 {
            limiter.take_chat("ws_a").unwrap();
        }
        let err = limiter.take_chat("ws_a").unwrap_err();
        assert_eq!(err.code, "rate_limit.exceeded");
        assert!(err.message.contains("30 chat messages"), "{}", err.message);
        assert_eq!(limiter.state(Some("ws_a"), "/v1/personas").remaining, 5);
        let chat = limiter.state(Some("ws_a"), "/v1/openai/chat/completions");
        assert_eq!((chat.limit, chat.remaining), (30, 0));
    }
}
