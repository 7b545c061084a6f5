//! Trusted signer keys from a remote JWK Set over HTTPS, kept fresh the way a partner's
//! rotation needs and a flood of unknown `kid`s cannot abuse.
//!
//! * HTTPS only (rustls, aws-lc-rs), no redirects, answers over a size cap refused, a
//!   timeout on every fetch.
//! * The cache lifetime comes from `Cache-Control: max-age`, clamped between a floor and a
//!   ceiling (a default without it).
//! * A token whose `kid` is not in the set causes at most one refetch per cooldown, shared
//!   by every concurrent caller (single flight): rotation is picked up at once, a flood of
//!   made-up `kid`s costs one fetch.
//! * When refetching fails, the last good set is kept up to a maximum staleness, then
//!   every token is refused (fail closed). A source that cannot be fetched at start is
//!   retried, and refuses every token until a good set arrives.
//! * Keys are filtered: `use` must be `sig` (or absent), `key_ops` must include `verify`
//!   (or be absent), `alg` must be a signature algorithm (or absent). A key is trusted
//!   because the set holds it, never because a token names it.
//!
//! The defaults follow panva/jose's `createRemoteJWKSet`.

use crate::tls;
use bodyseal::alg::KeyAlg;
use bodyseal::jwk::{JwkSet, KeyOp, KeyUse};
use bodyseal::key::{KeySource, VerifyingKey, VerifyingKeys};
use http_body_util::{BodyExt, Limited};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How a [`RemoteJwks`] fetches and caches. Every field defaults as documented.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwksOptions {
    /// The longest a fetch may take. Defaults to 5 s.
    pub timeout: Duration,
    /// The largest answer accepted. Defaults to 1 MiB.
    pub max_bytes: usize,
    /// The shortest cache lifetime, whatever `Cache-Control` says. Defaults to 1 min.
    pub min_ttl: Duration,
    /// The longest cache lifetime. Defaults to 1 day.
    pub max_ttl: Duration,
    /// The lifetime without `Cache-Control: max-age`. Defaults to 10 min.
    pub default_ttl: Duration,
    /// At most one refetch per this long for unknown `kid`s and after failures. Defaults
    /// to 30 s.
    pub cooldown: Duration,
    /// How long the last good set is used while refetches fail. Defaults to 1 day.
    pub max_stale: Duration,
    /// CA certificates to trust for the JWK Set's server (PEM); the Mozilla roots when
    /// none. Defaults to none.
    pub ca: Option<PathBuf>,
}

impl Default for JwksOptions {
    fn default() -> Self {
        JwksOptions {
            timeout: Duration::from_secs(5),
            max_bytes: 1 << 20,
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(86_400),
            default_ttl: Duration::from_secs(600),
            cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(86_400),
            ca: None,
        }
    }
}

/// A JWK Set could not be used as a key source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksError(pub String);

impl core::fmt::Display for JwksError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "JWK Set: {}", self.0)
    }
}

impl std::error::Error for JwksError {}

fn err(e: impl core::fmt::Display) -> JwksError {
    JwksError(e.to_string())
}

#[derive(Debug)]
struct State {
    keys: Arc<VerifyingKeys>,
    /// When the keys held were fetched (none yet: every token is refused).
    good_at: Option<Instant>,
    /// When the cache lifetime ends.
    expires: Instant,
    /// When a fetch last started.
    last_try: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    url: String,
    http: reqwest::Client,
    options: JwksOptions,
    state: RwLock<State>,
    flight: tokio::sync::Mutex<()>,
    fetches: AtomicUsize,
}

/// A remote JWK Set as a [`KeySource`]. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct RemoteJwks(Arc<Inner>);

/// The cache lifetime `Cache-Control` asks for, clamped.
fn ttl(cache_control: Option<&str>, o: &JwksOptions) -> Duration {
    let asked = cache_control.and_then(|cc| {
        cc.split(',').find_map(|d| {
            let d = d.trim();
            if d.eq_ignore_ascii_case("no-store") || d.eq_ignore_ascii_case("no-cache") {
                return Some(Duration::ZERO);
            }
            d.strip_prefix("max-age=")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
        })
    });
    asked
        .unwrap_or(o.default_ttl)
        .clamp(o.min_ttl, o.max_ttl.max(o.min_ttl))
}

/// The keys of `set` that may verify signatures.
fn signing_keys(set: &JwkSet) -> VerifyingKeys {
    let mut keys = VerifyingKeys::new();
    for jwk in &set.keys {
        if matches!(jwk.key_use, Some(KeyUse::Enc)) {
            continue;
        }
        if jwk
            .key_ops
            .as_ref()
            .is_some_and(|ops| !ops.contains(&KeyOp::Verify))
        {
            continue;
        }
        if jwk
            .alg
            .as_ref()
            .is_some_and(|a| !matches!(a, KeyAlg::Jws(_)))
        {
            continue;
        }
        let public = match jwk.to_public() {
            Ok(p) => p,
            Err(_) => continue,
        };
        if let Ok(key) = VerifyingKey::from_jwk(&public) {
            let _ = keys.push(key);
        }
    }
    keys
}

impl RemoteJwks {
    /// A source reading `url` (which must be `https://`); fetches once now. A failure
    /// here is not fatal: the source retries, and refuses every token until a good set
    /// arrives.
    ///
    /// # Errors
    /// A URL that is not `https://`, or a CA file that cannot be read.
    pub async fn new(url: &str, options: JwksOptions) -> Result<Self, JwksError> {
        if !url.starts_with("https://") {
            return Err(err("the URL must be https://"));
        }
        let config = tls::client_config(options.ca.as_deref()).map_err(err)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .build()
            .map_err(err)?;
        let source = RemoteJwks(Arc::new(Inner {
            url: url.to_owned(),
            http,
            options,
            state: RwLock::new(State {
                keys: Arc::new(VerifyingKeys::new()),
                good_at: None,
                expires: Instant::now(),
                last_try: None,
            }),
            flight: tokio::sync::Mutex::new(()),
            fetches: AtomicUsize::new(0),
        }));
        source.refresh(false).await;
        Ok(source)
    }

    /// How many fetches were made (for monitoring and tests).
    #[must_use]
    pub fn fetches(&self) -> usize {
        self.0.fetches.load(Ordering::SeqCst)
    }

    /// True once a good set was fetched and is not older than the maximum staleness.
    #[must_use]
    pub fn is_usable(&self) -> bool {
        let st = self.0.state.read().unwrap_or_else(PoisonError::into_inner);
        st.good_at
            .is_some_and(|t| t.elapsed() <= self.0.options.max_stale)
    }

    /// Refetches when the cache lifetime is over (at most once per cooldown while
    /// fetches fail). Call before verifying.
    pub async fn ensure_fresh(&self) {
        let due = {
            let st = self.0.state.read().unwrap_or_else(PoisonError::into_inner);
            Instant::now() >= st.expires
        };
        if due {
            self.refresh(true).await;
        }
    }

    /// A token named a `kid` the set does not hold: refetch, at most once per cooldown,
    /// one fetch for every concurrent caller. Returns true when a new set arrived.
    pub async fn refresh_unknown_kid(&self) -> bool {
        self.refresh(true).await
    }

    /// Fetches unless another caller just did (single flight) or, with `cooled`, a fetch
    /// started within the cooldown. Returns true when a new set arrived.
    async fn refresh(&self, cooled: bool) -> bool {
        let asked = Instant::now();
        let _flight = self.0.flight.lock().await;
        {
            let st = self.0.state.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(t) = st.last_try {
                // Another caller fetched while this one waited, or one did recently.
                if t >= asked || (cooled && t.elapsed() < self.0.options.cooldown) {
                    return false;
                }
            }
        }
        let started = Instant::now();
        self.0.fetches.fetch_add(1, Ordering::SeqCst);
        let fetched = self.fetch().await;
        let mut st = self.0.state.write().unwrap_or_else(PoisonError::into_inner);
        st.last_try = Some(started);
        match fetched {
            Ok((keys, ttl)) => {
                st.keys = Arc::new(keys);
                st.good_at = Some(Instant::now());
                st.expires = Instant::now() + ttl;
                true
            }
            Err(_) => {
                // Stale-if-error: keep the last good set; try again after the cooldown.
                st.expires = Instant::now() + self.0.options.cooldown;
                false
            }
        }
    }

    async fn fetch(&self) -> Result<(VerifyingKeys, Duration), JwksError> {
        let o = &self.0.options;
        let resp = self.0.http.get(&self.0.url).send().await.map_err(err)?;
        if !resp.status().is_success() {
            return Err(err(format!("answer {}", resp.status())));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > o.max_bytes as u64)
        {
            return Err(err("answer over the size limit"));
        }
        let cache_control = resp
            .headers()
            .get(http::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: http::Response<reqwest::Body> = resp.into();
        let bytes = Limited::new(body.into_body(), o.max_bytes)
            .collect()
            .await
            .map_err(|_| err("answer over the size limit or broken"))?
            .to_bytes();
        let text = core::str::from_utf8(&bytes).map_err(err)?;
        let set = JwkSet::from_json(text).map_err(err)?;
        Ok((signing_keys(&set), ttl(cache_control.as_deref(), o)))
    }
}

impl KeySource for RemoteJwks {
    fn current(&self) -> Arc<VerifyingKeys> {
        if self.is_usable() {
            let st = self.0.state.read().unwrap_or_else(PoisonError::into_inner);
            st.keys.clone()
        } else {
            Arc::new(VerifyingKeys::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_lifetime_from_cache_control_clamped() {
        let o = JwksOptions::default();
        assert_eq!(ttl(None, &o), Duration::from_secs(600));
        assert_eq!(
            ttl(Some("public, max-age=3600"), &o),
            Duration::from_secs(3600)
        );
        assert_eq!(ttl(Some("max-age=5"), &o), Duration::from_secs(60));
        assert_eq!(
            ttl(Some("max-age=999999999"), &o),
            Duration::from_secs(86_400)
        );
        assert_eq!(ttl(Some("no-store"), &o), Duration::from_secs(60));
    }
}
