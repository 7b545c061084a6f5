//! The replay check of a server, asynchronous and last: after every other check passed,
//! the request's [`ReplayTicket`] is recorded in a [`ReplayStore`]; only a first sighting
//! reaches the service. A store that cannot answer refuses the request (fails closed:
//! 503).

use bodyseal::exchange::{MemoryReplayCache, ReplayCache, ReplayTicket};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

/// What a store answers: `Ok(true)` for a first sighting, `Ok(false)` for a replay.
pub type StoreFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, StoreError>> + Send + 'a>>;

/// A replay store could not answer; the request is refused, never let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl core::fmt::Display for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "replay store unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Where a server records the `jti`s it accepted. Share one store between every instance
/// of a service, or a request accepted by one instance replays against another.
pub trait ReplayStore: Send + Sync + Debug + 'static {
    /// Records `ticket.id` until `ticket.expires_at`, in one atomic step that says
    /// whether it was recorded before.
    fn check_and_record<'a>(&'a self, ticket: &'a ReplayTicket) -> StoreFuture<'a>;

    /// True when the store is local to this process (a startup warning is given when such
    /// a store is used behind a declared multi-instance deployment).
    fn is_local(&self) -> bool {
        false
    }
}

/// The in-process store: bounded in time and size ([`MemoryReplayCache`]). The default.
#[derive(Debug, Default)]
pub struct MemoryStore(MemoryReplayCache);

impl MemoryStore {
    /// A store holding at most `max_entries` unexpired identifiers.
    #[must_use]
    pub fn new(max_entries: usize) -> Self {
        MemoryStore(MemoryReplayCache::new(max_entries))
    }
}

impl ReplayStore for MemoryStore {
    fn check_and_record<'a>(&'a self, ticket: &'a ReplayTicket) -> StoreFuture<'a> {
        let answer = self
            .0
            .check_and_record(&ticket.id, ticket.expires_at, ticket.now)
            .map_err(|e| StoreError(e.to_string()));
        Box::pin(std::future::ready(answer))
    }

    fn is_local(&self) -> bool {
        true
    }
}
