//! Webhook signatures of contract §11: `Persona-Signature: t=<unix seconds>,v1=<hex>`, where
//! `v1` is HMAC-SHA256 under the endpoint's secret of `t + "." + body`, checked in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The name of the header that carries the signature.
pub const HEADER: &str = "Persona-Signature";

/// How old a signature may be before it is refused as a possible replay, in seconds.
pub const DEFAULT_TOLERANCE_SECONDS: u64 = 300;

/// The latest timestamp a header may carry: the last second of the year 9999. A signature's
/// time is a unix time in seconds from 0 to this, so its distance from now never overflows.
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts` under `key`, to finalize or verify.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The MAC of `body` signed at `timestamp` with `secret` (the whole `whsec_...` text is the key).
fn signed(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    hmac_sha256(
        secret.as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    )
}

/// The header value for `body` signed at `timestamp` with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = signed(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(mac))
}

/// What a check of a signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The body is authentic and was signed `age` seconds ago (negative: in the future).
    Valid { timestamp: i64, age: i64 },
    /// No `v1` signature matches: the body was changed, or another secret signed it.
    Mismatch { timestamp: i64 },
    /// Authentic, but signed longer ago (or further ahead) than the tolerance allows.
    Stale { timestamp: i64, age: i64 },
    /// The header cannot be read.
    Malformed(String),
}

/// Checks `header` (with or without its `Persona-Signature:` name) against `body`: every `v1`
/// value is compared in constant time, then the timestamp must be within `tolerance` of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance: u64) -> Verdict {
    let (timestamp, signatures) = match parse(header) {
        Ok(parsed) => parsed,
        Err(problem) => return Verdict::Malformed(problem),
    };
    let expected = signed(secret, timestamp, body);
    let mut matched = false;
    for signature in &signatures {
        matched |= expected.clone().verify_slice(signature).is_ok();
    }
    if !matched {
        return Verdict::Mismatch { timestamp };
    }
    let age = now.saturating_sub(timestamp);
    if age.unsigned_abs() > tolerance {
        Verdict::Stale { timestamp, age }
    } else {
        Verdict::Valid { timestamp, age }
    }
}

/// The timestamp and the `v1` signatures of a header; other schemes are ignored.
fn parse(header: &str) -> Result<(i64, Vec<Vec<u8>>), String> {
    let mut value = header.trim();
    if let Some((name, rest)) = value.split_once(':') {
        if !name.trim().eq_ignore_ascii_case(HEADER) {
            return Err(format!(
                "this is the `{}` header, not `{HEADER}`",
                name.trim()
            ));
        }
        value = rest.trim();
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in value.split(',') {
        let Some((key, text)) = item.trim().split_once('=') else {
            return Err(format!("`{}` is not a key=value pair", item.trim()));
        };
        match key.trim() {
            "t" => {
                let parsed = text.trim().parse::<i64>().map_err(|_| {
                    format!("t must be a unix time in seconds, not `{}`", text.trim())
                })?;
                if !(0..=MAX_TIMESTAMP).contains(&parsed) {
                    return Err(format!(
                        "the timestamp t={parsed} is out of range: a unix time in seconds is 0 to \
                         {MAX_TIMESTAMP} (the year 9999)"
                    ));
                }
                timestamp = Some(parsed);
            }
            "v1" => {
                let bytes = hex::decode(text.trim())
                    .map_err(|_| format!("v1 must be hexadecimal, not `{}`", text.trim()))?;
                signatures.push(bytes);
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("the header has no t=<unix seconds>")?;
    if signatures.is_empty() {
        return Err("the header has no v1=<signature>".to_string());
    }
    Ok((timestamp, signatures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 2 and 6 of RFC 4231 (a short key, and a key longer than a block).
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_signature_verifies_until_the_body_or_the_time_is_wrong() {
        let header = sign("whsec_abc", 1_700_000_000, b"{\"a\":1}");
        let named = format!("Persona-Signature: {header}");
        assert!(matches!(
            verify("whsec_abc", &named, b"{\"a\":1}", 1_700_000_010, 300),
            Verdict::Valid { age: 10, .. }
        ));
        assert!(matches!(
            verify("whsec_abc", &header, b"{\"a\":2}", 1_700_000_010, 300),
            Verdict::Mismatch { .. }
        ));
        assert!(matches!(
            verify("whsec_other", &header, b"{\"a\":1}", 1_700_000_010, 300),
            Verdict::Mismatch { .. }
        ));
        assert!(matches!(
            verify("whsec_abc", &header, b"{\"a\":1}", 1_700_000_301, 300),
            Verdict::Stale { age: 301, .. }
        ));
        let rotated = format!("{header},v1=00ff,v0=zz");
        assert!(matches!(
            verify("whsec_abc", &rotated, b"{\"a\":1}", 1_700_000_000, 300),
            Verdict::Valid { .. }
        ));
    }

    #[test]
    fn only_the_whole_signature_matches() {
        let header = sign("whsec_abc", 1_700_000_000, b"{}");
        let (_, hex_mac) = header.split_once(",v1=").unwrap();
        for kept in [0, 2, 32, 62] {
            let cut = format!("t=1700000000,v1={}", &hex_mac[..kept]);
            assert!(
                matches!(
                    verify("whsec_abc", &cut, b"{}", 1_700_000_000, 300),
                    Verdict::Mismatch { .. }
                ),
                "{cut}"
            );
        }
        let longer = format!("{header}00");
        assert!(matches!(
            verify("whsec_abc", &longer, b"{}", 1_700_000_000, 300),
            Verdict::Mismatch { .. }
        ));
    }

    #[test]
    fn timestamps_out_of_range_are_refused_before_any_arithmetic() {
        for t in [i64::MIN, -1, MAX_TIMESTAMP + 1, i64::MAX] {
            let header = sign("whsec_abc", t, b"{}");
            match verify("whsec_abc", &header, b"{}", 1_700_000_000, 300) {
                Verdict::Malformed(problem) => {
                    assert!(problem.contains("out of range"), "{problem}")
                }
                other => panic!("t={t}: {other:?}"),
            }
        }
        let header = sign("whsec_abc", MAX_TIMESTAMP, b"{}");
        assert!(matches!(
            verify("whsec_abc", &header, b"{}", i64::MIN, 300),
            Verdict::Stale { age: i64::MIN, .. }
        ));
    }

    #[test]
    fn unreadable_headers_are_malformed() {
        for header in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=zz", "nonsense"] {
            assert!(
                matches!(verify("s", header, b"", 1, 300), Verdict::Malformed(_)),
                "{header}"
            );
        }
    }
}
