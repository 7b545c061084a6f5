//! Setting up a server or a client in a few lines: keys from files (a JWK, a JWK Set or
//! PEM) or as prepared values, with algorithm allowlists that fit the keys, as the CLI
//! chooses them; every policy can still be given in full.

use crate::replay::{MemoryStore, ReplayStore};
use crate::{Client, Server};
use bodyseal::alg::JwsAlg;
use bodyseal::exchange::ExchangePolicy;
use bodyseal::jwk::{read_keys, Jwk};
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Sealer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The default limit on a request or response body: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 << 20;

/// Bodies above this size are opened and sealed on the blocking thread pool, so large
/// messages do not stall the executor: 64 KiB.
pub const DEFAULT_BLOCKING_THRESHOLD: usize = 64 << 10;

/// How long the replay store may take to answer before the request is refused: 2 s.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// A configuration that cannot work (a key file that cannot be read or does not fit, a
/// missing key, a partner key missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err(what: impl Into<String>) -> ConfigError {
    ConfigError(what.into())
}

fn load(path: &Path) -> Result<Vec<Jwk>, ConfigError> {
    read_keys(path).map_err(|e| err(format!("{}: {e}", path.display())))
}

fn public(jwk: Jwk) -> Jwk {
    // A shared (oct) key has no public part: it is its own.
    match jwk.to_public() {
        Ok(p) => p,
        Err(_) => jwk,
    }
}

/// Builds a [`Server`] or a [`Client`].
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bodyseal::seal::Order;
/// let server = bodyseal_wire::Builder::new(Order::SignThenEncrypt)
///     .sign_key_file("server.jwk")?      // signs responses
///     .decrypt_key_file("server.jwk")?   // opens requests
///     .verify_key_file("client.pub.jwk")? // trusted request signers
///     .to_key_file("client.pub.jwk")?    // responses are encrypted to this key
///     .public_origin("https://api.example.com")
///     .server()?;
/// # let _ = server; Ok(()) }
/// ```
#[derive(Debug)]
pub struct Builder {
    order: Order,
    sign: Option<SigningKey>,
    to: Vec<EncryptionKey>,
    verify: VerifyingKeys,
    decrypt: DecryptionKeys,
    jws_policy: Option<JwsPolicy>,
    jwe_policy: Option<JwePolicy>,
    origin: Option<String>,
    max_body: usize,
    window: Option<u64>,
    replay: Option<Arc<dyn ReplayStore>>,
    store_timeout: Duration,
    blocking_threshold: usize,
    instances: usize,
    #[cfg(feature = "reqwest")]
    jwks: Option<crate::jwks::RemoteJwks>,
}

impl Builder {
    /// A configuration for `order`, with no keys yet.
    #[must_use]
    pub fn new(order: Order) -> Self {
        Builder {
            order,
            sign: None,
            to: Vec::new(),
            verify: VerifyingKeys::new(),
            decrypt: DecryptionKeys::new(),
            jws_policy: None,
            jwe_policy: None,
            origin: None,
            max_body: DEFAULT_MAX_BODY,
            window: None,
            replay: None,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            blocking_threshold: DEFAULT_BLOCKING_THRESHOLD,
            instances: 1,
            #[cfg(feature = "reqwest")]
            jwks: None,
        }
    }

    /// The key this side signs with (the private key of a file holding one key).
    ///
    /// # Errors
    /// When the file cannot be read or holds anything but one private signing key.
    pub fn sign_key_file(mut self, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let keys = load(path)?;
        let [jwk] = keys.as_slice() else {
            return Err(err(format!("{}: expected one signing key", path.display())));
        };
        self.sign =
            Some(SigningKey::from_jwk(jwk).map_err(|e| err(format!("{}: {e}", path.display())))?);
        Ok(self)
    }

    /// The key this side signs with.
    #[must_use]
    pub fn sign_key(mut self, key: SigningKey) -> Self {
        self.sign = Some(key);
        self
    }

    /// A key messages to the peer are encrypted to (repeatable on a server: each client's
    /// key, matched to its signing key by `kid`).
    ///
    /// # Errors
    /// When the file cannot be read or a key cannot encrypt.
    pub fn to_key_file(mut self, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        for jwk in load(path)? {
            self.to.push(
                EncryptionKey::from_jwk(&public(jwk))
                    .map_err(|e| err(format!("{}: {e}", path.display())))?,
            );
        }
        Ok(self)
    }

    /// A key messages to the peer are encrypted to.
    #[must_use]
    pub fn to_key(mut self, key: EncryptionKey) -> Self {
        self.to.push(key);
        self
    }

    /// Trusted signer keys (a file may hold a JWK Set).
    ///
    /// # Errors
    /// When the file cannot be read or a key cannot verify.
    pub fn verify_key_file(mut self, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        for jwk in load(path)? {
            let key = VerifyingKey::from_jwk(&public(jwk))
                .map_err(|e| err(format!("{}: {e}", path.display())))?;
            self.verify
                .push(key)
                .map_err(|e| err(format!("{}: {e}", path.display())))?;
        }
        Ok(self)
    }

    /// Trusted signer keys.
    #[must_use]
    pub fn verify_keys(mut self, keys: VerifyingKeys) -> Self {
        self.verify = keys;
        self
    }

    /// Trusted signer keys from a remote JWK Set instead of files: kept fresh, refetched
    /// (rate-limited) for an unknown `kid`, refused when too stale.
    #[cfg(feature = "reqwest")]
    #[must_use]
    pub fn verify_jwks(mut self, jwks: crate::jwks::RemoteJwks) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// This side's decryption keys (a file may hold a JWK Set).
    ///
    /// # Errors
    /// When the file cannot be read or a key cannot decrypt.
    pub fn decrypt_key_file(mut self, path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        for jwk in load(path)? {
            self.decrypt.push(
                DecryptionKey::from_jwk(&jwk)
                    .map_err(|e| err(format!("{}: {e}", path.display())))?,
            );
        }
        Ok(self)
    }

    /// This side's decryption keys.
    #[must_use]
    pub fn decrypt_keys(mut self, keys: DecryptionKeys) -> Self {
        self.decrypt = keys;
        self
    }

    /// The signature policy (default: every algorithm a trusted key can verify).
    #[must_use]
    pub fn jws_policy(mut self, policy: JwsPolicy) -> Self {
        self.jws_policy = Some(policy);
        self
    }

    /// The decryption policy (default: every algorithm a decryption key fits, but
    /// RSA1_5 and PBES2).
    #[must_use]
    pub fn jwe_policy(mut self, policy: JwePolicy) -> Self {
        self.jwe_policy = Some(policy);
        self
    }

    /// A server's public origin (`https://api.example.com`): the scheme and authority its
    /// clients send to, which `htu` is checked against. Never taken from `Host`.
    #[must_use]
    pub fn public_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The largest body accepted or sent. Defaults to [`DEFAULT_MAX_BODY`].
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The `iat` window in seconds (and how long a `jti` is remembered).
    #[must_use]
    pub fn window(mut self, secs: u64) -> Self {
        self.window = Some(secs);
        self
    }

    /// Where a server records accepted `jti`s. Defaults to a [`MemoryStore`]; share one
    /// store between the instances of a service.
    #[must_use]
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// How long the replay store may take (then the request is refused with 503).
    #[must_use]
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// Bodies above `bytes` are processed on the blocking pool.
    #[must_use]
    pub fn blocking_threshold(mut self, bytes: usize) -> Self {
        self.blocking_threshold = bytes;
        self
    }

    /// Declares how many instances of the service run (for the warning about a replay
    /// store local to one process).
    #[must_use]
    pub fn instances(mut self, n: usize) -> Self {
        self.instances = n;
        self
    }

    fn opener(&self, exchange: ExchangePolicy) -> Result<Opener, ConfigError> {
        #[cfg(feature = "reqwest")]
        let remote = self.jwks.is_some();
        #[cfg(not(feature = "reqwest"))]
        let remote = false;
        if self.verify.keys().is_empty() && !remote {
            return Err(err("no trusted signer key (verify key)"));
        }
        if self.decrypt.keys().is_empty() {
            return Err(err("no decryption key"));
        }
        let jws = self.jws_policy.clone().unwrap_or_else(|| {
            if remote {
                // The keys are not known yet: every signature algorithm but the shared-key
                // ones (a JWK Set publishes public keys).
                let algs: Vec<JwsAlg> = JwsAlg::ALL
                    .iter()
                    .copied()
                    .filter(|a| !a.as_str().starts_with("HS"))
                    .collect();
                JwsPolicy::new(&algs)
            } else {
                JwsPolicy::fitting(&self.verify)
            }
        });
        let jwe = self
            .jwe_policy
            .clone()
            .unwrap_or_else(|| JwePolicy::fitting(&self.decrypt));
        let exchange = match self.window {
            Some(w) => exchange.with_window(w),
            None => exchange,
        };
        let opener = Opener::new(
            self.order,
            self.verify.clone(),
            jws,
            self.decrypt.clone(),
            jwe,
        )
        .with_exchange_policy(exchange);
        #[cfg(feature = "reqwest")]
        if let Some(j) = &self.jwks {
            return Ok(opener.with_signer_source(Arc::new(j.clone())));
        }
        Ok(opener)
    }

    fn sealer(&self, to: &EncryptionKey) -> Result<Sealer, ConfigError> {
        let sign = self.sign.as_ref().ok_or_else(|| err("no signing key"))?;
        Sealer::new(self.order, sign)
            .recipient_default(to)
            .map_err(|e| err(format!("a key to encrypt to: {e}")))
    }

    /// A server: opens requests, seals responses.
    ///
    /// # Errors
    /// A missing key or origin; several keys to encrypt to and a trusted signer key whose
    /// `kid` none of them has (each client's response key is found by its `kid`).
    pub fn server(self) -> Result<Server, ConfigError> {
        let origin = self
            .origin
            .clone()
            .ok_or_else(|| err("no public origin (https://host:port)"))?;
        if self.to.is_empty() {
            return Err(err("no key to encrypt responses to"));
        }
        let mut partners = Vec::with_capacity(self.to.len());
        for to in &self.to {
            partners.push((to.kid().map(str::to_owned), self.sealer(to)?));
        }
        // With several response keys each trusted signer key needs its partner (checked
        // here for fixed keys; for a remote set, when a request arrives).
        if partners.len() > 1 {
            for k in self.verify.keys() {
                let kid = k.kid();
                if kid.is_none() || !partners.iter().any(|(p, _)| p.as_deref() == kid) {
                    return Err(err(format!(
                        "trusted signer key {} has no key to encrypt responses to with the same kid",
                        kid.unwrap_or("(no kid)")
                    )));
                }
            }
        }
        let store: Arc<dyn ReplayStore> = match &self.replay {
            Some(s) => s.clone(),
            None => Arc::new(MemoryStore::default()),
        };
        let opener = self.opener(ExchangePolicy::default().with_deferred_replay())?;
        Ok(Server::new(crate::server::Inner {
            opener,
            partners,
            origin: origin.trim_end_matches('/').to_owned(),
            max_body: self.max_body,
            store,
            store_timeout: self.store_timeout,
            blocking_threshold: self.blocking_threshold,
            instances: self.instances,
            #[cfg(feature = "reqwest")]
            jwks: self.jwks.clone(),
        }))
    }

    /// A client: seals requests to one server, opens its responses.
    ///
    /// # Errors
    /// A missing key, or not exactly one key to encrypt to.
    pub fn client(self) -> Result<Client, ConfigError> {
        let [to] = self.to.as_slice() else {
            return Err(err("a client encrypts to exactly one server key"));
        };
        let sealer = self.sealer(to)?;
        let opener = self.opener(ExchangePolicy::default())?;
        Ok(Client::new(crate::client::Inner {
            sealer,
            opener,
            max_body: self.max_body,
            blocking_threshold: self.blocking_threshold,
        }))
    }
}
