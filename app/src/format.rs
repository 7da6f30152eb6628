//! Words for numbers the person sees.

const NANOS_PER_MINUTE: u64 = 60 * 1_000_000_000;

/// A delegation lifetime in the largest whole unit that fits: "30 minutes",
/// "8 hours", "30 days" (rounded down; at least "1 minute").
pub fn duration(nanos: u64) -> String {
    let minutes = (nanos / NANOS_PER_MINUTE).max(1);
    let (count, unit) = if minutes.is_multiple_of(24 * 60) || minutes >= 2 * 24 * 60 {
        (minutes / (24 * 60), "day")
    } else if minutes.is_multiple_of(60) || minutes >= 2 * 60 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

/// A time (nanoseconds since the Unix epoch) in UTC, to the minute:
/// "2026-12-02 12:51 UTC".
pub fn utc_time(nanos: u64) -> String {
    let seconds = nanos / 1_000_000_000;
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    // Days to a civil date (the proleptic Gregorian calendar), after
    // Howard Hinnant's `civil_from_days`.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (of_day / 3_600, of_day % 3_600 / 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_times_in_utc_to_the_minute() {
        const SECOND: u64 = 1_000_000_000;
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(951_782_400 * SECOND), "2000-02-29 00:00 UTC");
        assert_eq!(
            utc_time(1_796_215_860 * SECOND + 59),
            "2026-12-02 12:51 UTC"
        );
        assert_eq!(utc_time(4_102_444_799 * SECOND), "2099-12-31 23:59 UTC");
    }

    const MINUTE: u64 = NANOS_PER_MINUTE;

    #[test]
    fn should_name_common_lifetimes_in_their_natural_unit() {
        assert_eq!(duration(30 * MINUTE), "30 minutes");
        assert_eq!(duration(60 * MINUTE), "1 hour");
        assert_eq!(duration(8 * 60 * MINUTE), "8 hours");
        assert_eq!(duration(24 * 60 * MINUTE), "1 day");
        assert_eq!(duration(30 * 24 * 60 * MINUTE), "30 days");
    }

    #[test]
    fn should_round_down_and_never_say_zero() {
        assert_eq!(duration(1), "1 minute");
        assert_eq!(duration(150 * MINUTE), "2 hours");
        assert_eq!(duration(3 * 24 * 60 * MINUTE + 5 * MINUTE), "3 days");
    }
}
