//! RFC 3339 timestamps for audit records (UTC, seconds), and the `--max-age` check.

use bodyseal::error::{Malformed, Rejected};
use bodyseal::Error;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn now_rfc3339() -> String {
    rfc3339(now())
}

/// How far a token's `iat` may be ahead of this clock.
const SKEW_SECS: u64 = 60;

/// `--max-age`: `iat` present, at most `max_age` seconds old, and not in the future.
pub(crate) fn check_age(iat: Option<&serde_json::Value>, max_age: u64) -> Result<(), Error> {
    let iat = iat
        .ok_or(Rejected::Missing("iat"))?
        .as_u64()
        .ok_or(Malformed::InvalidMember("iat"))?;
    let now = now();
    if iat.saturating_add(max_age) < now {
        return Err(Rejected::Expired.into());
    }
    if iat > now.saturating_add(SKEW_SECS) {
        return Err(Rejected::NotYetValid.into());
    }
    Ok(())
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn rfc3339(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
