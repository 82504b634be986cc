//! The clock: what time it is for `ics`. Recording stamps and "today" (the default reporting
//! period) both come from here, so `ICS_NOW` (an RFC 3339 time) pins them for tests and demos.

/// Now, in UTC; `ICS_NOW` (an RFC 3339 time) overrides it.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    if let Ok(fixed) = std::env::var("ICS_NOW") {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&fixed) {
            return t.with_timezone(&chrono::Utc);
        }
    }
    chrono::Utc::now()
}

/// `t` as an RFC 3339 UTC timestamp with microseconds. Every stamp has the same width, so
/// stamps compare as text in time order.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Now as an RFC 3339 UTC timestamp with microseconds; `ICS_NOW` overrides it.
pub fn now_utc() -> String {
    stamp(now())
}

/// The first second of year 0, as a Unix time: earlier years do not print as four digits.
const EPOCH_0: i64 = -62_167_219_200;

/// Now for what must keep moving while a process runs (sessions idling out, sign-in
/// failures ageing): [`now`], except that under `ICS_NOW` it starts at the pinned time when
/// first asked and runs on from there. A test can so let a session idle out in a running
/// server, or start the next server later than the last.
pub fn running() -> chrono::DateTime<chrono::Utc> {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<(chrono::DateTime<chrono::Utc>, Instant)>> = OnceLock::new();
    let start = START.get_or_init(|| {
        std::env::var("ICS_NOW")
            .ok()
            .and_then(|fixed| chrono::DateTime::parse_from_rfc3339(&fixed).ok())
            .map(|t| (t.with_timezone(&chrono::Utc), Instant::now()))
    });
    match start {
        Some((at, since)) => chrono::Duration::from_std(since.elapsed())
            .ok()
            .and_then(|d| at.checked_add_signed(d))
            .unwrap_or(*at),
        None => chrono::Utc::now(),
    }
}

/// The stamp of `d` before `t` (the earliest stamp there is, should `d` reach past year 0).
pub fn before(t: chrono::DateTime<chrono::Utc>, d: std::time::Duration) -> String {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_sub_signed(d))
        .filter(|t| t.timestamp() >= EPOCH_0)
        .map_or_else(|| "0000-01-01T00:00:00.000000Z".to_string(), stamp)
}

/// Today's date in UTC, from the same clock as [`now_utc`].
pub fn today() -> chrono::NaiveDate {
    if let Ok(fixed) = std::env::var("ICS_NOW") {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&fixed) {
            return t.with_timezone(&chrono::Utc).date_naive();
        }
    }
    chrono::Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_has_a_fixed_shape() {
        let now = super::now_utc();
        assert_eq!(now.len(), "2026-01-15T12:00:00.000000Z".len(), "{now}");
        assert!(now.ends_with('Z'));
        assert_eq!(&now[..10], super::today().format("%Y-%m-%d").to_string());
    }

    #[test]
    fn a_time_before_is_earlier_and_as_wide() {
        let t = super::running();
        let (now, before) = (
            super::stamp(t),
            super::before(t, std::time::Duration::from_secs(90)),
        );
        assert!(before < now, "{before} {now}");
        assert_eq!(before.len(), now.len());
        assert_eq!(
            super::before(t, std::time::Duration::from_secs(u64::MAX / 4)),
            "0000-01-01T00:00:00.000000Z"
        );
    }
}
