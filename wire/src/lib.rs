//! # bodyseal-wire
//!
//! bodyseal on the wire: the body protection of [`bodyseal::seal`] put in front of a real
//! service, with no body handling left to write.
//!
//! * **Servers**: a [`Server`] (from a [`Builder`]) gives a tower layer
//!   ([`Server::layer`]) that buffers each request body under a hard limit, opens it
//!   (checked against the configured public origin, never `Host`), puts the verified
//!   [`Sender`] in the request extensions, calls the service with the plaintext body and
//!   its media type restored, then seals the response bound to that request and its
//!   status. Under axum it is `Router::layer(server.layer())`, or the
//!   [`OpenedRequest`](axum::OpenedRequest) extractor per route.
//! * **Clients**: a [`Client`] gives a tower layer for hyper-util clients
//!   ([`Client::layer`]) and a `reqwest-middleware` middleware ([`Client::middleware`]):
//!   seal the request, open and check the response against it. A response that does
//!   not open is an error; its bytes are never returned.
//! * **Replay**: the replay check is asynchronous and last ([`ReplayStore`]); the
//!   bounded in-memory [`MemoryStore`] is the default, a store error refuses the request
//!   (503).
//! * **Errors** become fixed RFC 9457 bodies per class ([`Problem`]): 400 malformed, 401
//!   every cryptographic or binding rejection (replay included), 413 over the limit, 415
//!   wrong media type, 503 replay store unavailable.
//! * Crypto above a size threshold runs on the blocking pool.
//! * **TLS**: rustls with the aws-lc-rs provider, from PEM files ([`tls`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use bodyseal::seal::Order;
//! use bodyseal_wire::Builder;
//!
//! // A server: open requests from the client, answer sealed to it.
//! let server = Builder::new(Order::SignThenEncrypt)
//!     .sign_key_file("server.jwk")?
//!     .decrypt_key_file("server.jwk")?
//!     .verify_key_file("client.pub.jwk")?
//!     .to_key_file("client.pub.jwk")?
//!     .public_origin("https://api.example.com")
//!     .server()?;
//! let app: axum::Router = axum::Router::new()
//!     .route("/notes", axum::routing::post(|body: String| async move { body }))
//!     .layer(server.layer());
//!
//! // A client: reqwest with the middleware.
//! let client = Builder::new(Order::SignThenEncrypt)
//!     .sign_key_file("client.jwk")?
//!     .decrypt_key_file("client.jwk")?
//!     .verify_key_file("server.pub.jwk")?
//!     .to_key_file("server.pub.jwk")?
//!     .client()?;
//! let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(client.middleware())
//!     .build();
//! let answer = http.post("https://api.example.com/notes").body("{}").send().await?;
//! # let _ = (app, answer); Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
mod body;
mod client;
mod config;
#[cfg(feature = "reqwest")]
pub mod jwks;
mod problem;
mod replay;
#[cfg(feature = "reqwest")]
mod reqwest;
mod server;
pub mod tls;

pub use body::BoxError;
pub use client::{Client, ClientError, SealLayer, SealService};
pub use config::{
    Builder, ConfigError, DEFAULT_BLOCKING_THRESHOLD, DEFAULT_MAX_BODY, DEFAULT_STORE_TIMEOUT,
};
pub use problem::Problem;
pub use replay::{MemoryStore, ReplayStore, StoreError, StoreFuture};
#[cfg(feature = "reqwest")]
pub use reqwest::SealMiddleware;
pub use server::{OpenLayer, OpenService, Sender, Server};
