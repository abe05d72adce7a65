//! Browsers: which `Origin` may use this server (loopback origins, or this server's own host
//! when it listens beyond loopback), the answer to their CORS preflights, and the CORS headers
//! on answers to them, so that a page on `http://localhost:3000` can call the API and `/mcp`.

use crate::model::ErrorCode;
use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// The request headers allowed when a preflight names none (everything the API and MCP read).
const ALLOWED_HEADERS: &str = "authorization, content-type, accept, idempotency-key, if-match, \
     last-event-id, persona-workspace, x-persona-conversation-id, mcp-session-id, \
     mcp-protocol-version, prefer";
/// The answer headers a page may read.
const EXPOSED_HEADERS: &str = "x-request-id, x-ratelimit-limit, x-ratelimit-remaining, \
     x-ratelimit-reset, retry-after, etag, idempotent-replayed, mcp-session-id";

/// The `Origin` of a browser request this server accepts, to be named in its answer; None for
/// a request without one (not a browser) or from an origin it refuses.
pub fn allowed_origin(listening: SocketAddr, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    origin_allowed(listening, headers).then(|| origin.clone())
}

/// Whether this is a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
pub fn is_preflight(method: &axum::http::Method, headers: &HeaderMap) -> bool {
    method == axum::http::Method::OPTIONS
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a preflight: 204 for an accepted origin, 403 for any other. The headers the
/// page asked for are allowed as asked (SDKs send headers of their own, `x-stainless-*` say):
/// every route still needs its bearer key, and no credentials are allowed by CORS.
pub fn preflight(origin: Option<HeaderValue>, request_headers: &HeaderMap) -> Response {
    let Some(origin) = origin else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::RequestOriginNotAllowed,
            "requests from this Origin are not allowed: serve the page from this host or a loopback address",
        )
        .into_response();
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PATCH, DELETE, OPTIONS"),
    );
    let allowed = request_headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static(ALLOWED_HEADERS));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// Names the accepted origin on an answer, and the headers it may read.
pub fn allow(response: &mut Response, origin: HeaderValue) {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// No `Origin` (not a browser), a loopback origin, or, when this server listens beyond
/// loopback, the origin of the host the request was sent to. A server on loopback accepts
/// loopback origins only, which defeats DNS rebinding (a foreign name resolving to 127.0.0.1).
pub fn origin_allowed(listening: SocketAddr, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()) else {
        return false;
    };
    if !matches!(origin.scheme(), "http" | "https") {
        return false;
    }
    let loopback = match origin.host() {
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if loopback {
        return true;
    }
    if is_loopback(listening.ip()) {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = match (origin.host_str(), origin.port()) {
        (Some(name), Some(port)) => format!("{name}:{port}"),
        (Some(name), None) => name.to_string(),
        (None, _) => return false,
    };
    host.is_some_and(|host| host.eq_ignore_ascii_case(&origin_host))
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_loopback_and_same_host_origins_are_accepted() {
        let local: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let open: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert!(origin_allowed(local, &headers(None, "127.0.0.1:8787")));
        assert!(origin_allowed(
            local,
            &headers(Some("http://localhost:3000"), "127.0.0.1:8787")
        ));
        assert!(origin_allowed(
            local,
            &headers(Some("http://[::1]:5173"), "127.0.0.1:8787")
        ));
        assert!(!origin_allowed(
            local,
            &headers(Some("https://evil.example"), "127.0.0.1:8787")
        ));
        // DNS rebinding: the browser's Host is the attacker's name.
        assert!(!origin_allowed(
            local,
            &headers(Some("http://evil.example:8787"), "evil.example:8787")
        ));
        assert!(!origin_allowed(
            local,
            &headers(Some("null"), "127.0.0.1:8787")
        ));
        assert!(origin_allowed(
            open,
            &headers(Some("http://studio.lan:8787"), "studio.lan:8787")
        ));
        assert!(!origin_allowed(
            open,
            &headers(Some("http://evil.example"), "studio.lan:8787")
        ));
    }
}
