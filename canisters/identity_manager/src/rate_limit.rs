//! A token bucket: how many accounts can be created without a proof of
//! work (see `registration`).
//!
//! Invariant: `tokens <= capacity`. While the bucket is full the refill
//! clock stands still (`last_refill_ns` follows the last use), so a full
//! bucket never banks more than `capacity` tokens.

use candid::{CandidType, Deserialize};

/// Default capacity: 100 registrations in a burst.
pub const DEFAULT_CAPACITY: u64 = 100;
/// Default refill: one registration every 10 seconds.
pub const DEFAULT_REFILL_PERIOD_NS: u64 = 10 * 1_000_000_000;

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    pub capacity: u64,
    /// Time to regain one token, in nanoseconds (never zero).
    pub refill_period_ns: u64,
    pub tokens: u64,
    pub last_refill_ns: u64,
}

impl Default for TokenBucket {
    fn default() -> Self {
        Self::full(DEFAULT_CAPACITY, DEFAULT_REFILL_PERIOD_NS)
    }
}

impl TokenBucket {
    pub fn full(capacity: u64, refill_period_ns: u64) -> Self {
        TokenBucket {
            capacity,
            refill_period_ns: refill_period_ns.max(1),
            tokens: capacity,
            last_refill_ns: 0,
        }
    }

    /// Changes the configuration, keeping the tokens there are (up to the
    /// new capacity).
    pub fn reconfigure(&mut self, capacity: u64, refill_period_ns: u64) {
        self.capacity = capacity;
        self.refill_period_ns = refill_period_ns.max(1);
        self.tokens = self.tokens.min(capacity);
    }

    fn refill(&mut self, now: u64) {
        if self.tokens >= self.capacity {
            self.tokens = self.capacity;
            self.last_refill_ns = now;
            return;
        }
        let elapsed = now.saturating_sub(self.last_refill_ns);
        let gained = elapsed / self.refill_period_ns;
        if gained == 0 {
            return;
        }
        self.tokens = self.tokens.saturating_add(gained).min(self.capacity);
        self.last_refill_ns = if self.tokens == self.capacity {
            now
        } else {
            self.last_refill_ns + gained * self.refill_period_ns
        };
    }

    /// Whether the bucket holds all its tokens at `now` (changes nothing).
    pub fn is_full(&self, now: u64) -> bool {
        let mut copy = *self;
        copy.refill(now);
        copy.tokens == copy.capacity
    }

    /// Whether [`Self::take`] at `now` would succeed (changes nothing).
    pub fn available(&self, now: u64) -> bool {
        let mut copy = *self;
        copy.take(now).is_ok()
    }

    /// Takes one token at `now`; `Err(ns)` says how long until one is back.
    pub fn take(&mut self, now: u64) -> Result<(), u64> {
        self.refill(now);
        if self.tokens == 0 {
            let elapsed = now.saturating_sub(self.last_refill_ns);
            return Err(self.refill_period_ns.saturating_sub(elapsed).max(1));
        }
        self.tokens -= 1;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000_000;

    #[test]
    fn should_be_full_only_once_every_token_is_back() {
        let mut bucket = TokenBucket::full(2, 10 * SECOND);
        let now = 1_000 * SECOND;
        assert!(bucket.is_full(now));
        bucket.take(now).unwrap();
        bucket.take(now).unwrap();
        assert!(!bucket.is_full(now + 10 * SECOND), "one token back");
        assert!(bucket.is_full(now + 20 * SECOND));
        assert_eq!(bucket.tokens, 0, "is_full changes nothing");
    }

    #[test]
    fn should_allow_a_burst_up_to_capacity_then_refuse() {
        let mut bucket = TokenBucket::full(3, 10 * SECOND);
        let now = 1_000 * SECOND;
        for _ in 0..3 {
            assert_eq!(bucket.take(now), Ok(()));
        }
        assert_eq!(bucket.take(now), Err(10 * SECOND));
        assert_eq!(bucket.take(now + 4 * SECOND), Err(6 * SECOND));
    }

    #[test]
    fn should_regain_one_token_per_refill_period() {
        let mut bucket = TokenBucket::full(2, 10 * SECOND);
        let now = 1_000 * SECOND;
        bucket.take(now).unwrap();
        bucket.take(now).unwrap();
        assert!(bucket.take(now + 9 * SECOND).is_err());
        assert_eq!(bucket.take(now + 10 * SECOND), Ok(()));
        assert!(bucket.take(now + 11 * SECOND).is_err());
        assert_eq!(bucket.take(now + 20 * SECOND), Ok(()));
    }

    #[test]
    fn should_never_bank_more_than_capacity() {
        let mut bucket = TokenBucket::full(2, SECOND);
        bucket.take(0).unwrap();
        let later = 1_000_000 * SECOND;
        assert_eq!(bucket.take(later), Ok(()));
        assert_eq!(bucket.take(later), Ok(()));
        assert!(bucket.take(later).is_err());
    }

    #[test]
    fn should_keep_tokens_within_a_lowered_capacity() {
        let mut bucket = TokenBucket::full(10, SECOND);
        bucket.reconfigure(2, SECOND);
        assert_eq!(bucket.tokens, 2);
    }
}
