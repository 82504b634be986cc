//! The clock: what time it is for `ics`. Recording stamps and "today" (the default reporting
//! period) both come from here, so `ICS_NOW` (an RFC 3339 time) pins them for tests and demos.

/// Now as an RFC 3339 UTC timestamp with microseconds; `ICS_NOW` overrides it.
pub fn now_utc() -> String {
    if let Ok(fixed) = std::env::var("ICS_NOW") {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&fixed) {
            return t
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string();
        }
    }
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
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
}
