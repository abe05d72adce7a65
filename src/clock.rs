//! Wall-clock time for the server and the commands: unix seconds in the store, RFC 3339 UTC on
//! the wire. Hand-rolled civil-date conversion, the only date arithmetic, so no date library.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Seconds since the unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the unix epoch.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `1700000000` → `"2023-11-14T22:13:20Z"`.
pub fn rfc3339(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(DAY);
    let secs_of_day = unix_seconds.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// The unix day (days since 1970-01-01) of the date that starts an RFC 3339 time
/// (`2026-02-26T12:00:00Z` → 20510), or None when it does not start with `YYYY-MM-DD`.
pub fn unix_day(timestamp: &str) -> Option<i64> {
    let mut parts = timestamp
        .get(..10)?
        .split('-')
        .map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// The unix seconds of an RFC 3339 UTC time as `rfc3339` writes it (`YYYY-MM-DDTHH:MM:SSZ`),
/// or None for any other text.
pub fn unix_seconds(timestamp: &str) -> Option<i64> {
    let time = timestamp.get(11..19)?;
    let mut parts = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hours, minutes, seconds) = (parts.next()??, parts.next()??, parts.next()??);
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some(unix_day(timestamp)? * DAY + hours * 3600 + minutes * 60 + seconds)
}

/// The unix seconds of an RFC 3339 time in UTC (`2026-02-26T12:00:00Z`, with or without a
/// fraction of a second), or None for any other text, a time with an offset among them.
pub fn utc_seconds(timestamp: &str) -> Option<i64> {
    let bytes = timestamp.as_bytes();
    let fraction = timestamp.get(19..timestamp.len().checked_sub(1)?)?;
    let well_formed = bytes.len() >= 20
        && bytes[10] == b'T'
        && timestamp.ends_with('Z')
        && (fraction.is_empty()
            || fraction.strip_prefix('.').is_some_and(|digits| {
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }));
    well_formed.then(|| unix_seconds(timestamp)).flatten()
}

/// How long ago (or how far ahead) `then` is from `now`, as a person says it: `just now`,
/// `42 s ago`, `3 min ago`, `5 h ago`, `2 days ago`, `in 3 days`; the date past 30 days.
pub fn relative(then: i64, now: i64) -> String {
    let distance = (now - then).abs();
    if distance < 5 {
        return "just now".to_string();
    }
    let amount = match distance {
        d if d < 60 => format!("{d} s"),
        d if d < 3600 => format!("{} min", d / 60),
        d if d < DAY => format!("{} h", d / 3600),
        d if d < 2 * DAY => "1 day".to_string(),
        d if d <= 30 * DAY => format!("{} days", d / DAY),
        _ => return rfc3339(then)[..10].to_string(),
    };
    if then <= now {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// Whole calendar days from today until the date of an RFC 3339 UTC time
/// (`2026-02-26T12:00:00Z`): 0 today, negative once past; None when it has no date.
pub fn days_until(timestamp: &str) -> Option<i64> {
    let today = now().div_euclid(DAY);
    Some(unix_day(timestamp)? - today)
}

/// (year, month, day) → days since 1970-01-01, the inverse of `civil_from_days`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 → (year, month, day), after Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn unix_days_and_seconds_read_back_what_rfc3339_wrote() {
        for seconds in [0, 951_782_400, 1_700_000_000, 4_107_542_399] {
            assert_eq!(
                unix_day(&rfc3339(seconds)),
                Some(seconds.div_euclid(86_400))
            );
        }
        for seconds in [0, 951_782_400, 1_700_000_000, 4_107_542_399] {
            assert_eq!(unix_seconds(&rfc3339(seconds)), Some(seconds));
        }
        assert_eq!(unix_seconds("2026-01-01"), None);
        assert_eq!(utc_seconds("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(utc_seconds("2023-11-14T22:13:20.250Z"), Some(1_700_000_000));
        for other in [
            "2023-11-14T22:13:20+02:00",
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20.Z",
            "v3",
            "",
        ] {
            assert_eq!(utc_seconds(other), None, "{other}");
        }
        assert_eq!(unix_seconds("2026-01-01T24:00:00Z"), None);
        assert_eq!(unix_day("garbage"), None);
        assert_eq!(unix_day("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn days_until_counts_calendar_days() {
        let today = rfc3339(now());
        assert_eq!(days_until(&today), Some(0));
        let in_ten = rfc3339(now() + 10 * 86_400);
        assert_eq!(days_until(&in_ten), Some(10));
        assert_eq!(days_until("garbage"), None);
    }

    #[test]
    fn relative_times_read_as_people_say_them() {
        let now = 1_700_000_000;
        assert_eq!(relative(now - 2, now), "just now");
        assert_eq!(relative(now - 42, now), "42 s ago");
        assert_eq!(relative(now - 200, now), "3 min ago");
        assert_eq!(relative(now - 5 * 3600 - 10, now), "5 h ago");
        assert_eq!(relative(now - DAY - 10, now), "1 day ago");
        assert_eq!(relative(now - 3 * DAY, now), "3 days ago");
        assert_eq!(relative(now + 3 * DAY, now), "in 3 days");
        assert_eq!(relative(now - 90 * DAY, now), "2023-08-16");
    }
}
