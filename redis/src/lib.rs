//! # bodyseal-redis
//!
//! A [`ReplayStore`] on Redis, for a service that runs as several instances: a `jti`
//! accepted by one instance is refused by every other.
//!
//! Each message costs one atomic command, `SET <prefix><signer thumbprint>:<jti> 1 NX EXAT
//! <iat + window>`: `OK` is a first sighting, nil a replay. Any error or timeout refuses
//! the request (the layer answers 503): the store fails closed, never open. The
//! connection is redis-rs's reconnecting connection manager, with connect and command
//! timeouts, so service resumes by itself once Redis is back.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let store = bodyseal_redis::RedisStore::connect("redis://127.0.0.1:6379/0", Default::default()).await?;
//! let builder = bodyseal_wire::Builder::new(bodyseal::seal::Order::SignThenEncrypt)
//!     .replay_store(Arc::new(store))
//!     .instances(3);
//! # let _ = builder; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use bodyseal::exchange::ReplayTicket;
use bodyseal_wire::{ReplayStore, StoreError, StoreFuture};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

/// How a [`RedisStore`] connects and names its keys.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RedisOptions {
    /// Prepended to every key. Defaults to `bodyseal:replay:`.
    pub prefix: String,
    /// How long a connection attempt may take. Defaults to 2 s.
    pub connect_timeout: Duration,
    /// How long one command may take before the request is refused. Defaults to 1 s.
    pub command_timeout: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            prefix: "bodyseal:replay:".to_owned(),
            connect_timeout: Duration::from_secs(2),
            command_timeout: Duration::from_secs(1),
        }
    }
}

impl RedisOptions {
    /// Uses `prefix` for the keys (one per service, when services share a Redis).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
}

/// The replay store on Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    options: RedisOptions,
}

impl core::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStore")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl RedisStore {
    /// Connects to `url` (`redis://HOST:PORT[/DB]`).
    ///
    /// # Errors
    /// When the URL is not a Redis URL or Redis cannot be reached in time.
    pub async fn connect(url: &str, options: RedisOptions) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(failed)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.command_timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(
            options.connect_timeout * 3,
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| failed("connecting timed out"))?
        .map_err(failed)?;
        Ok(RedisStore { conn, options })
    }

    async fn record(&self, ticket: &ReplayTicket) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let key = format!("{}{}", self.options.prefix, ticket.id);
        // A record that would already have expired still holds for a second.
        let until = ticket.expires_at.max(ticket.now.saturating_add(1));
        let mut cmd = redis::cmd("SET");
        cmd.arg(&key).arg(1).arg("NX").arg("EXAT").arg(until);
        let answer: Option<String> =
            tokio::time::timeout(self.options.command_timeout, cmd.query_async(&mut conn))
                .await
                .map_err(|_| failed("command timed out"))?
                .map_err(failed)?;
        match answer.as_deref() {
            Some("OK") => Ok(true),
            None => Ok(false),
            Some(other) => Err(failed(format!("unexpected answer {other:?}"))),
        }
    }
}

impl ReplayStore for RedisStore {
    fn check_and_record<'a>(&'a self, ticket: &'a ReplayTicket) -> StoreFuture<'a> {
        Box::pin(self.record(ticket))
    }
}
