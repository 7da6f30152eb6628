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

#[cfg(test)]
mod tests {
    use super::*;

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
