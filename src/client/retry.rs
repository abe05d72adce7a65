//! The retry policy of the API client: which failures are retried, and how long to wait
//! (jittered exponential backoff, `Retry-After` honoured, bounded in attempts and total time).

use std::time::Duration;

/// Bounds and pacing of retries.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Total time spent waiting across all retries of one request.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(10),
            max_total_wait: Duration::from_secs(75),
        }
    }
}

/// Statuses worth another try: rate limited, or a gateway or the service briefly down.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1` (attempt counts from 1), or None when the
    /// budget is spent. `retry_after` from the server wins over the backoff; `waited` is the
    /// time already spent waiting; `unit` is a random number in [0, 1) for the jitter.
    pub fn next_delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        waited: Duration,
        unit: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = match retry_after {
            Some(asked) => asked,
            None => {
                let exponential = self
                    .base_delay
                    .saturating_mul(1 << (attempt - 1).min(16))
                    .min(self.max_delay);
                exponential.mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0)
            }
        };
        (waited + delay <= self.max_total_wait).then_some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_stops_at_the_attempt_limit() {
        let policy = RetryPolicy::default();
        let first = policy.next_delay(1, None, Duration::ZERO, 0.0).unwrap();
        let third = policy.next_delay(3, None, Duration::ZERO, 0.99).unwrap();
        assert_eq!(first, Duration::from_millis(150));
        assert!(
            third > Duration::from_millis(1100) && third <= Duration::from_millis(1200),
            "{third:?}"
        );
        assert_eq!(policy.next_delay(5, None, Duration::ZERO, 0.5), None);
    }

    #[test]
    fn retry_after_is_honoured_within_the_total_budget() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.next_delay(1, Some(Duration::from_secs(7)), Duration::ZERO, 0.5),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            policy.next_delay(
                2,
                Some(Duration::from_secs(70)),
                Duration::from_secs(10),
                0.5
            ),
            None
        );
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for status in [429, 502, 503, 504] {
            assert!(is_retryable_status(status));
        }
        for status in [400, 401, 404, 409, 412, 500] {
            assert!(!is_retryable_status(status));
        }
    }
}
