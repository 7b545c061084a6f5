//! The replay cache: remembers each accepted `jti` until its `iat` leaves the window.

use crate::error::{Rejected, Result};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Debug;
use std::sync::{Mutex, PoisonError};

/// A store of message identifiers already accepted.
///
/// The opener calls [`ReplayCache::check_and_record`] last, after every other check
/// passed, with an identifier scoped to the signer (`<thumbprint>:<jti>`), so one signer
/// cannot block another's identifiers and refused messages never consume one.
/// Implement it over a shared store (Redis `SET key 1 NX EXAT expires_at`, for example)
/// when several servers must share one view.
pub trait ReplayCache: Send + Sync + Debug {
    /// Records `id` until `expires_at` (Unix seconds) and returns `true`, or returns
    /// `false` when `id` was recorded before and has not expired at `now`. The check
    /// and the record must be one atomic step.
    ///
    /// # Errors
    /// When the store cannot answer or is full: the opener then refuses the message
    /// (fails closed).
    fn check_and_record(&self, id: &str, expires_at: u64, now: u64) -> Result<bool>;
}

/// An in-process [`ReplayCache`], bounded in time (entries leave when they expire) and
/// in size (when full of unexpired entries it refuses new ones rather than forget one,
/// which would reopen a replay).
#[derive(Debug)]
pub struct MemoryReplayCache {
    max_entries: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    by_id: HashMap<String, u64>,
    by_expiry: BTreeSet<(u64, String)>,
}

impl State {
    fn prune(&mut self, now: u64) {
        while let Some(first) = self.by_expiry.first() {
            if first.0 >= now {
                break;
            }
            if let Some((_, id)) = self.by_expiry.pop_first() {
                self.by_id.remove(&id);
            }
        }
    }
}

/// The default capacity of [`MemoryReplayCache::default`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

impl MemoryReplayCache {
    /// A cache holding at most `max_entries` unexpired identifiers.
    #[must_use]
    pub fn new(max_entries: usize) -> Self {
        MemoryReplayCache {
            max_entries,
            state: Mutex::new(State::default()),
        }
    }

    /// How many identifiers are held (expired ones included until the next call prunes
    /// them).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// True when nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent at every await-free step, so a panic elsewhere
        // while holding the lock leaves nothing half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

impl ReplayCache for MemoryReplayCache {
    fn check_and_record(&self, id: &str, expires_at: u64, now: u64) -> Result<bool> {
        let mut state = self.lock();
        state.prune(now);
        if state.by_id.contains_key(id) {
            return Ok(false);
        }
        if state.by_id.len() >= self.max_entries {
            return Err(Rejected::LimitExceeded {
                limit: "replay cache entries",
                required: u64::try_from(state.by_id.len()).unwrap_or(u64::MAX) + 1,
                allowed: u64::try_from(self.max_entries).unwrap_or(u64::MAX),
            }
            .into());
        }
        state.by_id.insert(id.to_owned(), expires_at);
        state.by_expiry.insert((expires_at, id.to_owned()));
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_sighting_is_refused_until_expiry() {
        let c = MemoryReplayCache::new(10);
        assert!(c.check_and_record("a", 100, 0).unwrap());
        assert!(!c.check_and_record("a", 100, 50).unwrap());
        assert!(c.check_and_record("a", 200, 101).unwrap());
    }

    #[test]
    fn full_cache_fails_closed_and_frees_expired_entries() {
        let c = MemoryReplayCache::new(2);
        assert!(c.check_and_record("a", 10, 0).unwrap());
        assert!(c.check_and_record("b", 20, 0).unwrap());
        assert!(matches!(
            c.check_and_record("c", 30, 5),
            Err(crate::Error::Rejected(Rejected::LimitExceeded { .. }))
        ));
        assert!(c.check_and_record("c", 30, 11).unwrap());
        assert_eq!(c.len(), 2);
    }
}
