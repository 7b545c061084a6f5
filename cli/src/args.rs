//! The command line as clap sees it. Names, flags and exit codes are a contract: scripts
//! depend on them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Sign, verify, encrypt, decrypt, seal and open API bodies with JOSE.
///
/// Exit codes: 0 success; 1 cryptographic rejection (bad signature, decryption failure,
/// algorithm not allowed, wrong nesting, binding mismatch); 2 usage or malformed input.
#[derive(Debug, Parser)]
#[command(name = "bodyseal", version, about, long_about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where output goes.
#[derive(Debug, Args)]
pub(crate) struct OutArg {
    /// Write to FILE (atomically: nothing is left behind on failure) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// Where input comes from.
#[derive(Debug, Args)]
pub(crate) struct InArg {
    /// Read from INPUT; stdin when absent or `-`.
    #[arg(value_name = "INPUT")]
    pub(crate) input: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Compact,
    Flattened,
    General,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OrderArg {
    SignThenEncrypt,
    EncryptThenSign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HashArg {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyFormat {
    Jwk,
    Pem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UseArg {
    Sig,
    Enc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyType {
    #[value(name = "ec-p256")]
    EcP256,
    #[value(name = "ec-p384")]
    EcP384,
    #[value(name = "ec-p521")]
    EcP521,
    #[value(name = "ed25519")]
    Ed25519,
    #[value(name = "x25519")]
    X25519,
    #[value(name = "rsa-2048")]
    Rsa2048,
    #[value(name = "rsa-3072")]
    Rsa3072,
    #[value(name = "rsa-4096")]
    Rsa4096,
    #[value(name = "oct-128")]
    Oct128,
    #[value(name = "oct-192")]
    Oct192,
    #[value(name = "oct-256")]
    Oct256,
    #[value(name = "oct-384")]
    Oct384,
    #[value(name = "oct-512")]
    Oct512,
    #[value(name = "ml-dsa-44")]
    MlDsa44,
    #[value(name = "ml-dsa-65")]
    MlDsa65,
    #[value(name = "ml-dsa-87")]
    MlDsa87,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate, convert and fingerprint keys.
    #[command(subcommand)]
    Key(KeyCommand),

    /// Sign INPUT as a JWS.
    ///
    /// Example: bodyseal sign --key client.jwk body.json -o body.jws
    #[command(after_help = "Example:\n  bodyseal sign --key client.jwk body.json -o body.jws")]
    Sign(SignArgs),

    /// Verify a JWS with trusted keys and write its payload.
    #[command(
        after_help = "Example:\n  bodyseal verify --key client.pub.jwk body.jws -o body.json"
    )]
    Verify(VerifyArgs),

    /// Encrypt INPUT as a JWE to one or more recipients.
    #[command(
        after_help = "Example:\n  bodyseal encrypt --key server.pub.jwk body.json -o body.jwe"
    )]
    Encrypt(EncryptArgs),

    /// Decrypt a JWE and write its plaintext.
    #[command(after_help = "Example:\n  bodyseal decrypt --key server.jwk body.jwe -o body.json")]
    Decrypt(DecryptArgs),

    /// Sign and encrypt INPUT (nested, bound to the recipient and signer).
    #[command(
        after_help = "Example:\n  bodyseal seal --sign-key client.jwk --to server.pub.jwk body.json -o body.jose"
    )]
    Seal(SealArgs),

    /// Open a sealed token: decrypt, verify, check the nesting and the bindings.
    #[command(
        after_help = "Example:\n  bodyseal open --verify-key client.pub.jwk --decrypt-key server.jwk body.jose"
    )]
    Open(OpenArgs),

    /// Run a sidecar that seals and opens bodies for a service in any language.
    #[command(subcommand)]
    Proxy(ProxyCommand),

    /// Show the decoded headers of a token as JSON, marked unverified.
    #[command(after_help = "Example:\n  bodyseal inspect body.jose")]
    Inspect(InArg),

    /// Run test-vector files.
    #[command(subcommand)]
    Vectors(VectorsCommand),

    /// Walk through sealing a request and its response; needs no files.
    #[command(after_help = "Examples:\n  bodyseal demo\n  bodyseal demo --https")]
    Demo(DemoArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  bodyseal completions bash > /etc/bash_completion.d/bodyseal"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a private key and print it as a JWK.
    #[command(
        after_help = "Example:\n  bodyseal key generate ec-p256 --kid client-1 --use sig -o client.jwk"
    )]
    Generate {
        /// The key type.
        #[arg(value_enum)]
        kind: KeyType,
        /// The key's `kid`.
        #[arg(long)]
        kid: Option<String>,
        /// The key's `alg` (pins the key to one algorithm).
        #[arg(long)]
        alg: Option<String>,
        /// The key's `use`.
        #[arg(long = "use", value_enum)]
        key_use: Option<UseArg>,
        #[command(flatten)]
        out: OutArg,
    },
    /// Print the public part of a key (a JWK Set gives a JWK Set).
    #[command(after_help = "Example:\n  bodyseal key public client.jwk -o client.pub.jwk")]
    Public {
        /// The key file; stdin when absent.
        key: Option<PathBuf>,
        #[command(flatten)]
        out: OutArg,
    },
    /// Print a key's RFC 7638 thumbprint (or RFC 9278 thumbprint URI).
    #[command(after_help = "Example:\n  bodyseal key thumbprint --uri client.pub.jwk")]
    Thumbprint {
        /// The key file; stdin when absent.
        key: Option<PathBuf>,
        /// The hash.
        #[arg(long, value_enum, default_value = "sha256")]
        hash: HashArg,
        /// Print the thumbprint URI.
        #[arg(long)]
        uri: bool,
    },
    /// Convert a key between JWK and PEM.
    #[command(after_help = "Example:\n  bodyseal key convert client.jwk --to pem -o client.pem")]
    Convert {
        /// The key file; stdin when absent.
        key: Option<PathBuf>,
        /// The target format.
        #[arg(long, value_enum)]
        to: KeyFormat,
        #[command(flatten)]
        out: OutArg,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The signing key (JWK or PEM).
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// The algorithm (default: the key's `alg`, else by key type).
    #[arg(long)]
    pub(crate) alg: Option<String>,
    /// The `kid` header (default: the key's).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The `typ` header.
    #[arg(long)]
    pub(crate) typ: Option<String>,
    /// The `cty` header.
    #[arg(long)]
    pub(crate) cty: Option<String>,
    /// An extra protected header member, NAME=JSON (repeatable).
    #[arg(long = "header", value_name = "NAME=JSON")]
    pub(crate) headers: Vec<String>,
    /// Leave the payload out of the token (RFC 7515 appendix F).
    #[arg(long)]
    pub(crate) detached: bool,
    /// Sign the payload bytes as they are (`b64: false`, RFC 7797).
    #[arg(long)]
    pub(crate) unencoded: bool,
    /// The serialization.
    #[arg(long, value_enum, default_value = "compact")]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// A trusted key (JWK, JWK Set or PEM; repeatable).
    #[arg(long, required_unless_present = "jwks_url")]
    pub(crate) key: Vec<PathBuf>,
    /// Trust the signing keys of the JWK Set at this https:// URL (fetched once; no
    /// redirects, 1 MiB and 5 s at most).
    #[arg(long)]
    pub(crate) jwks_url: Option<String>,
    /// CA certificates for the JWK Set's server (PEM); default: the Mozilla roots.
    #[arg(long, requires = "jwks_url")]
    pub(crate) jwks_ca: Option<PathBuf>,
    /// Allowed algorithms (default: every algorithm that fits a given key).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_alg: Vec<String>,
    /// The detached payload.
    #[arg(long)]
    pub(crate) payload: Option<PathBuf>,
    /// Require every signature of a general JSON JWS to verify with a given key (by
    /// default one trusted signature suffices; the report names the ones that verified).
    #[arg(long)]
    pub(crate) require_all_signatures: bool,
    /// Refuse a token whose `iat` is missing or more than SECS seconds old. Without it
    /// `verify` checks no time at all and keeps no replay record: it checks who signed
    /// what, not when.
    #[arg(long, value_name = "SECS")]
    pub(crate) max_age: Option<u64>,
    /// Write a JSON record {alg, kid, thumbprint, signature, header, verified_at,
    /// signatures} to FILE (mode 0600).
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Args)]
pub(crate) struct EncryptArgs {
    /// A recipient key (public JWK, JWK Set, PEM, or an `oct` JWK; repeatable).
    #[arg(long, required = true)]
    pub(crate) key: Vec<PathBuf>,
    /// The key-management algorithm (default by key type).
    #[arg(long)]
    pub(crate) alg: Option<String>,
    /// The content encryption.
    #[arg(long, default_value = "A256GCM")]
    pub(crate) enc: String,
    /// The `kid` header (default: the key's).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The `cty` header.
    #[arg(long)]
    pub(crate) cty: Option<String>,
    /// Compress with DEFLATE first (leaks length information: see the docs).
    #[arg(long)]
    pub(crate) zip: bool,
    /// The serialization (default: compact for one recipient, general for several).
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Args)]
pub(crate) struct DecryptArgs {
    /// A private key (JWK, JWK Set or PEM; repeatable).
    #[arg(long, required = true)]
    pub(crate) key: Vec<PathBuf>,
    /// Allowed key-management algorithms (default: every one that fits a given key,
    /// RSA1_5 never).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_alg: Vec<String>,
    /// Allowed content encryptions (default: all).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_enc: Vec<String>,
    /// Accept `zip: DEF` (inflated output capped at 256 MiB).
    #[arg(long)]
    pub(crate) allow_zip: bool,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    /// The sender's signing key.
    #[arg(long)]
    pub(crate) sign_key: PathBuf,
    /// The recipient's key (repeatable).
    #[arg(long, required = true)]
    pub(crate) to: Vec<PathBuf>,
    /// Which layer goes inside.
    #[arg(long, value_enum, default_value = "sign-then-encrypt")]
    pub(crate) order: OrderArg,
    /// The signature algorithm.
    #[arg(long)]
    pub(crate) alg: Option<String>,
    /// The key-management algorithm.
    #[arg(long)]
    pub(crate) key_alg: Option<String>,
    /// The content encryption.
    #[arg(long, default_value = "A256GCM")]
    pub(crate) enc: String,
    /// The body's media type, carried in `cty`.
    #[arg(long)]
    pub(crate) cty: Option<String>,
    /// Bind to an HTTP request with this method (needs --uri).
    #[arg(long, requires = "uri")]
    pub(crate) method: Option<String>,
    /// Bind to an HTTP request to this absolute URI (needs --method).
    #[arg(long, requires = "method")]
    pub(crate) uri: Option<String>,
    /// The outer serialization.
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    /// A trusted signer key (repeatable).
    #[arg(long, required_unless_present = "jwks_url")]
    pub(crate) verify_key: Vec<PathBuf>,
    /// Trust the signing keys of the JWK Set at this https:// URL (fetched once).
    #[arg(long)]
    pub(crate) jwks_url: Option<String>,
    /// CA certificates for the JWK Set's server (PEM); default: the Mozilla roots.
    #[arg(long, requires = "jwks_url")]
    pub(crate) jwks_ca: Option<PathBuf>,
    /// A decryption key (repeatable).
    #[arg(long, required = true)]
    pub(crate) decrypt_key: Vec<PathBuf>,
    /// The order to expect; the other order is refused.
    #[arg(long, value_enum, default_value = "sign-then-encrypt")]
    pub(crate) order: OrderArg,
    /// Accept nested tokens without the aud/iss binding (plain nested JWTs).
    #[arg(long)]
    pub(crate) allow_unbound: bool,
    /// Allowed signature algorithms (default: every one that fits a verify key).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_alg: Vec<String>,
    /// Allowed key-management algorithms (default: every one that fits a decrypt key).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_key_alg: Vec<String>,
    /// Allowed content encryptions (default: all).
    #[arg(long, value_delimiter = ',')]
    pub(crate) allow_enc: Vec<String>,
    /// Check the binding to an HTTP request with this method (needs --uri). With
    /// --method and --uri the `iat` window and the replay check apply too; without them
    /// `open` checks neither (see --max-age).
    #[arg(long, requires = "uri")]
    pub(crate) method: Option<String>,
    /// Check the binding to an HTTP request to this URI (needs --method).
    #[arg(long, requires = "method")]
    pub(crate) uri: Option<String>,
    /// Refuse a token whose `iat` is missing or more than SECS seconds old (the time
    /// check for tokens opened without --method/--uri; no replay record is kept).
    #[arg(long, value_name = "SECS")]
    pub(crate) max_age: Option<u64>,
    /// Write a JSON record of the signer and the decryption key to FILE (mode 0600).
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) input: InArg,
    #[command(flatten)]
    pub(crate) out: OutArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VectorsCommand {
    /// Run vector files or directories: the project's format, the RFC 7520 cookbook and
    /// Wycheproof JOSE files. Prints a line per failure and ends with "N passed, N failed".
    #[command(after_help = "Example:\n  bodyseal vectors check test-vectors")]
    Check {
        /// Files or directories (searched recursively for *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProxyCommand {
    /// HTTPS in front of a service: open each request (refusals never reach the
    /// upstream), forward the plaintext with `Bodyseal-Signer: <thumbprint>`, seal the
    /// upstream's answer to the client.
    #[command(
        after_help = "Example:\n  bodyseal proxy server --listen 127.0.0.1:8443 --upstream http://127.0.0.1:8080 \\\n    --tls-cert server.pem --tls-key server.key --decrypt-key server.jwk --sign-key server.jwk \\\n    --verify-key client.pub.jwk --to client.pub.jwk"
    )]
    Server(ProxyServerArgs),
    /// Plain HTTP on loopback for an app: seal each request to the upstream proxy server,
    /// open and check its answer before the app sees it.
    #[command(
        after_help = "Example:\n  bodyseal proxy client --listen 127.0.0.1:8080 --upstream https://api.example:8443 --ca ca.pem \\\n    --sign-key client.jwk --to server.pub.jwk --verify-key server.pub.jwk --decrypt-key client.jwk"
    )]
    Client(ProxyClientArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ProxyServerArgs {
    /// The address to listen on (port 0: any free port; the `listening on` line names it).
    #[arg(long)]
    pub(crate) listen: String,
    /// The service's base URL (http:// or https://).
    #[arg(long)]
    pub(crate) upstream: String,
    /// The TLS certificate chain (PEM).
    #[arg(long)]
    pub(crate) tls_cert: PathBuf,
    /// The TLS private key (PEM).
    #[arg(long)]
    pub(crate) tls_key: PathBuf,
    /// This server's decryption key (repeatable).
    #[arg(long, required = true)]
    pub(crate) decrypt_key: Vec<PathBuf>,
    /// A trusted client signing key (repeatable).
    #[arg(long, required_unless_present = "jwks_url")]
    pub(crate) verify_key: Vec<PathBuf>,
    /// Trust the client signing keys of the JWK Set at this https:// URL instead (cached
    /// per Cache-Control, refetched for an unknown kid at most every 30 s, refused when
    /// more than a day stale).
    #[arg(long)]
    pub(crate) jwks_url: Option<String>,
    /// CA certificates for the JWK Set's server (PEM); default: the Mozilla roots.
    #[arg(long, requires = "jwks_url")]
    pub(crate) jwks_ca: Option<PathBuf>,
    /// The key responses are signed with.
    #[arg(long)]
    pub(crate) sign_key: PathBuf,
    /// A client key responses are encrypted to (repeatable; with several, each client's
    /// is the one with the `kid` of its signing key).
    #[arg(long, required = true)]
    pub(crate) to: Vec<PathBuf>,
    /// The nesting order of requests and responses.
    #[arg(long, value_enum, default_value = "sign-then-encrypt")]
    pub(crate) order: OrderArg,
    /// The origin clients send to (`https://api.example.com`); default: https:// and the
    /// bound address.
    #[arg(long)]
    pub(crate) public_origin: Option<String>,
    /// The largest request or response body, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    pub(crate) max_body: usize,
    /// The `iat` window, in seconds.
    #[arg(long)]
    pub(crate) window: Option<u64>,
    /// Where accepted `jti`s are recorded: `memory` (this process only) or
    /// `redis://HOST:PORT[/DB]` (shared by every instance; a Redis error refuses the
    /// request with 503).
    #[arg(long, default_value = "memory")]
    pub(crate) replay: String,
    /// How many instances of this server run behind one name (a warning is printed when
    /// several share no replay store).
    #[arg(long, default_value_t = 1)]
    pub(crate) instances: usize,
}

#[derive(Debug, Args)]
pub(crate) struct ProxyClientArgs {
    /// The address to listen on, plain HTTP (use a loopback address).
    #[arg(long)]
    pub(crate) listen: String,
    /// The proxy server's base URL (https://HOST:PORT).
    #[arg(long)]
    pub(crate) upstream: String,
    /// CA certificates to trust for the upstream (PEM); default: the Mozilla roots.
    #[arg(long)]
    pub(crate) ca: Option<PathBuf>,
    /// The key requests are signed with.
    #[arg(long)]
    pub(crate) sign_key: PathBuf,
    /// The server key requests are encrypted to.
    #[arg(long)]
    pub(crate) to: PathBuf,
    /// A trusted server signing key (repeatable).
    #[arg(long, required = true)]
    pub(crate) verify_key: Vec<PathBuf>,
    /// This client's decryption key (repeatable).
    #[arg(long, required = true)]
    pub(crate) decrypt_key: Vec<PathBuf>,
    /// The nesting order.
    #[arg(long, value_enum, default_value = "sign-then-encrypt")]
    pub(crate) order: OrderArg,
    /// The largest request or response body, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    pub(crate) max_body: usize,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Run the walkthrough through a real HTTPS server and client on 127.0.0.1 (a
    /// certificate made for the run, the wire crate's layer and client).
    #[arg(long)]
    pub(crate) https: bool,
}
