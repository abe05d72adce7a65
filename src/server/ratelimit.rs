//! Per-workspace rate limits of contract §10: fixed one-minute windows, by plan, for generations
//! and chat messages apart. Answers carry in `X-RateLimit-*` the state of the window their route
//! counts against: chat messages for chat routes, generations for every other. Apart from
//! those, per-address limits on what needs no key: device logins started, codes guessed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::clock;
use crate::model::ErrorCode;

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
                ErrorCode::RateLimitExceeded,
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

/// What a per-address limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guarded {
    /// Device logins started (`POST /v1/auth/device/code`).
    DeviceCodes,
    /// User codes that match no login, and sign-in links that are not valid.
    WrongGuesses,
}

impl Guarded {
    /// How many a client address may send in a minute.
    pub fn per_minute(self) -> u32 {
        match self {
            Guarded::DeviceCodes => 10,
            Guarded::WrongGuesses => 5,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Guarded::DeviceCodes => "device logins started",
            Guarded::WrongGuesses => "wrong login codes or sign-in links",
        }
    }
}

/// The address a request came from, when the server knows it (its listener records
/// `ConnectInfo<SocketAddr>`); requests of unknown origin share one count.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// The part of an address that one client controls: an IPv4 address, or the /64 network of
/// an IPv6 one (a host is commonly given a whole /64).
fn client_key(addr: Option<IpAddr>) -> Option<IpAddr> {
    addr.map(|addr| match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        v4 => v4,
    })
}

/// A minute's window per client address, from its first counted request (unix ms), and the
/// count in it.
type AddressWindows = HashMap<(Guarded, Option<IpAddr>), (i64, u32)>;

/// Counts requests that need no key per client address, in windows of a minute that start
/// at a client's first counted request.
pub struct AddressLimiter {
    windows: Mutex<(AddressWindows, usize)>,
}

const ADDRESS_WINDOW_MS: i64 = 60_000;

impl Default for AddressLimiter {
    fn default() -> Self {
        AddressLimiter {
            windows: Mutex::new((HashMap::new(), 1024)),
        }
    }
}

impl AddressLimiter {
    /// Counts one request of `client`, or answers 429 with how long to wait.
    pub fn take(&self, guarded: Guarded, client: Option<IpAddr>) -> Result<(), ApiError> {
        self.check(guarded, client)?;
        self.count(guarded, client);
        Ok(())
    }

    /// Whether `client` may try again, without counting it: 429 with how long to wait if not.
    pub fn check(&self, guarded: Guarded, client: Option<IpAddr>) -> Result<(), ApiError> {
        let now = clock::now_millis();
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let limit = guarded.per_minute();
        match windows.0.get(&(guarded, client_key(client))) {
            Some(&(start, used)) if start + ADDRESS_WINDOW_MS > now && used >= limit => {
                let wait = (start + ADDRESS_WINDOW_MS - now + 999) / 1000;
                let mut err = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimitExceeded,
                    format!(
                        "too many {} from this address: the limit is {limit} a minute; retry in {wait}s",
                        guarded.noun()
                    ),
                );
                err.retry_after = Some(wait.max(1) as u64);
                Err(err)
            }
            _ => Ok(()),
        }
    }

    /// Counts one request of `client` (a wrong guess, say, known only once it was looked up).
    pub fn count(&self, guarded: Guarded, client: Option<IpAddr>) {
        let now = clock::now_millis();
        let mut guard = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let (windows, prune_at) = &mut *guard;
        // Windows that have ended are dropped once the map doubles, so that it stays as small
        // as the number of addresses seen in the last minute, at amortized constant cost.
        if windows.len() >= *prune_at {
            windows.retain(|_, (start, _)| *start + ADDRESS_WINDOW_MS > now);
            *prune_at = (windows.len() * 2).max(1024);
        }
        let entry = windows
            .entry((guarded, client_key(client)))
            .or_insert((now, 0));
        if entry.0 + ADDRESS_WINDOW_MS <= now {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
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

    #[test]
    fn addresses_are_counted_apart_and_ipv6_by_network() {
        let limiter = AddressLimiter::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..5 {
            limiter.take(Guarded::WrongGuesses, Some(a)).unwrap();
        }
        let err = limiter.take(Guarded::WrongGuesses, Some(a)).unwrap_err();
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
        assert!((1..=60).contains(&err.retry_after.unwrap()));
        assert!(err.message.contains("5 a minute"), "{}", err.message);
        limiter.check(Guarded::WrongGuesses, Some(b)).unwrap();
        limiter.check(Guarded::DeviceCodes, Some(a)).unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert!(limiter.check(Guarded::WrongGuesses, Some(mapped)).is_err());

        let one: IpAddr = "2001:db8::1".parse().unwrap();
        let same_network: IpAddr = "2001:db8::ffff:1".parse().unwrap();
        let other_network: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        for _ in 0..10 {
            limiter.take(Guarded::DeviceCodes, Some(one)).unwrap();
        }
        assert!(
            limiter
                .check(Guarded::DeviceCodes, Some(same_network))
                .is_err()
        );
        limiter
            .check(Guarded::DeviceCodes, Some(other_network))
            .unwrap();
    }
}
