//! Body protection: the nested modes, their bindings and the HTTP exchange binding.
//! One positive flow per mode and a negative test for every rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::error::{Error, Rejected};
use bodyseal::exchange::{Exchange, ExchangePolicy, RequestBinding, ResponseBinding};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jwk::Jwk;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealed, Sealer};
use serde_json::{json, Value};
use std::sync::OnceLock;

const URI: &str = "https://api.example.com/v1/records?patient=123";
const BODY: &[u8] = br#"{"dose_mg":5}"#;

struct Party {
    jwk: Jwk,
}

impl Party {
    fn new(kid: &str) -> Party {
        Party {
            jwk: Jwk::generate(KeyKind::Ec(EcCurve::P256))
                .unwrap()
                .with_kid(kid),
        }
    }
    fn signing(&self) -> SigningKey {
        SigningKey::from_jwk(&self.jwk).unwrap()
    }
    fn verifying(&self) -> VerifyingKey {
        VerifyingKey::from_jwk(&self.jwk.to_public().unwrap()).unwrap()
    }
    fn encryption(&self) -> EncryptionKey {
        EncryptionKey::from_jwk(&self.jwk.to_public().unwrap()).unwrap()
    }
    fn decryption(&self) -> DecryptionKey {
        DecryptionKey::from_jwk(&self.jwk).unwrap()
    }
}

struct World {
    client: Party,
    server: Party,
    third: Party,
    mallory: Party,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| World {
        client: Party::new("client"),
        server: Party::new("server"),
        third: Party::new("third"),
        mallory: Party::new("mallory"),
    })
}

fn jws_policy() -> JwsPolicy {
    JwsPolicy::new(&[JwsAlg::Es256])
}

fn jwe_policy() -> JwePolicy {
    JwePolicy::new(&[JweAlg::EcdhEs, JweAlg::EcdhEsA256Kw], &[JweEnc::A256Gcm])
}

fn sealer(order: Order, from: &Party, to: &Party) -> Sealer {
    Sealer::new(order, &from.signing())
        .recipient(&to.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
}

/// An opener at `at` trusting `signers`, decrypting as `me`.
fn opener(order: Order, signers: &[&Party], me: &Party) -> Opener {
    let mut keys = VerifyingKeys::new();
    for s in signers {
        keys.push(s.verifying()).unwrap();
    }
    Opener::new(
        order,
        keys,
        jws_policy(),
        DecryptionKeys::single(me.decryption()),
        jwe_policy(),
    )
}

fn request() -> RequestBinding {
    RequestBinding::new("POST", URI).unwrap()
}

fn req() -> Exchange {
    Exchange::Request(request())
}

fn rejected(r: Result<impl std::fmt::Debug, Error>) -> Rejected {
    match r {
        Err(Error::Rejected(x)) => x,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

const ORDERS: [Order; 2] = [Order::SignThenEncrypt, Order::EncryptThenSign];

// ---- positive flows ----------------------------------------------------------------

#[test]
fn request_and_response_round_trip_in_both_orders_and_every_outer_serialization() {
    let w = world();
    for order in ORDERS {
        for outer in [Outer::Compact, Outer::Flattened, Outer::General] {
            let sealed = sealer(order, &w.client, &w.server)
                .with_outer(outer)
                .seal_typed(BODY, Some("application/json"), &req())
                .unwrap();
            let server = opener(order, &[&w.client], &w.server);
            let opened = server.open(&sealed.token, &req()).unwrap();
            assert_eq!(opened.body(), BODY);
            assert_eq!(opened.signer.kid.as_deref(), Some("client"));
            assert_eq!(opened.signer.alg, JwsAlg::Es256);
            assert_eq!(opened.signer.thumbprint, w.client.signing().thumbprint());
            assert_eq!(opened.decrypted_by.as_deref(), Some("server"));
            assert_eq!(opened.media_type().as_deref(), Some("application/json"));
            assert!(opened.bound);
            assert_eq!(opened.stamp.jti.as_deref(), Some(sealed.jti.as_str()));
            assert_eq!(opened.digest, sealed.digest());

            // The server answers; the client opens the answer bound to its request.
            let answer = sealer(order, &w.server, &w.client)
                .with_outer(outer)
                .seal(b"ok", &Exchange::Response(opened.response(201).unwrap()))
                .unwrap();
            let client = opener(order, &[&w.server], &w.client);
            let got = client
                .open(&answer.token, &Exchange::Response(sealed.response(201)))
                .unwrap();
            assert_eq!(got.body(), b"ok");
            assert_eq!(got.signer.kid.as_deref(), Some("server"));
        }
    }
}

#[test]
fn several_recipients_each_open_and_each_is_named_in_aud() {
    let w = world();
    let sealed = Sealer::new(Order::SignThenEncrypt, &w.client.signing())
        .recipient(&w.server.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .recipient(&w.third.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .with_outer(Outer::General)
        .seal(BODY, &Exchange::Standalone)
        .unwrap();
    for me in [&w.server, &w.third] {
        let o = opener(Order::SignThenEncrypt, &[&w.client], me);
        assert_eq!(
            o.open(&sealed.token, &Exchange::Standalone).unwrap().body(),
            BODY
        );
    }
    // Compact output cannot carry several recipients.
    let e = Sealer::new(Order::SignThenEncrypt, &w.client.signing())
        .recipient(&w.server.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .recipient(&w.third.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .seal(BODY, &Exchange::Standalone);
    assert!(matches!(e, Err(Error::ApiMisuse(_))));
}

#[test]
fn equivalent_uris_normalize_to_the_same_binding() {
    let w = world();
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(
            BODY,
            &Exchange::Request(
                RequestBinding::new(
                    "POST",
                    "HTTPS://API.Example.com:443/v1/./records?patient=123#x",
                )
                .unwrap(),
            ),
        )
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(o.open(&sealed.token, &req()).is_ok());
}

// ---- nesting: order, stripped and added layers --------------------------------------

#[test]
fn the_other_order_is_refused() {
    let w = world();
    for order in ORDERS {
        let other = match order {
            Order::SignThenEncrypt => Order::EncryptThenSign,
            _ => Order::SignThenEncrypt,
        };
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        let o = opener(other, &[&w.client], &w.server);
        assert!(matches!(
            rejected(o.open(&sealed.token, &req())),
            Rejected::Nesting(_)
        ));
    }
}

/// The server's view of a sign-then-encrypt token: the inner compact JWS.
fn inner_jws(token: &str, me: &Party) -> String {
    let d = jwe::parse(token, &Default::default())
        .unwrap()
        .decrypt(&DecryptionKeys::single(me.decryption()), &jwe_policy())
        .unwrap();
    String::from_utf8(d.into_plaintext()).unwrap()
}

/// The inner compact JWE of an encrypt-then-sign token.
fn inner_jwe(token: &str, signer: &Party) -> String {
    let v = jws::parse(token, &Default::default())
        .unwrap()
        .verify(&VerifyingKeys::single(signer.verifying()), &jws_policy())
        .unwrap();
    String::from_utf8(v.payload().to_vec()).unwrap()
}

#[test]
fn a_stripped_layer_is_refused() {
    let w = world();
    // Sign-then-encrypt with the JWE removed: a bare JWS.
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let bare = inner_jws(&sealed.token, &w.server);
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&bare, &req())),
        Rejected::Nesting(_)
    ));
    // Encrypt-then-sign with the signature removed: a bare JWE.
    let sealed = sealer(Order::EncryptThenSign, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let bare = inner_jwe(&sealed.token, &w.client);
    let o = opener(Order::EncryptThenSign, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&bare, &req())),
        Rejected::Nesting(_)
    ));
}

#[test]
fn a_single_layer_is_refused() {
    let w = world();
    // A JWE straight over the body (no cty: JOSE).
    let jwe_only = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(BODY)
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&jwe_only, &req())),
        Rejected::Nesting(_)
    ));
    // A JWS straight over the body.
    let jws_only = Signer::new(&w.client.signing()).compact(BODY).unwrap();
    let o = opener(Order::EncryptThenSign, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&jws_only, &req())),
        Rejected::Nesting(_)
    ));
}

#[test]
fn an_added_layer_is_refused() {
    let w = world();
    // Sign-then-encrypt wrapped in one more JWE to the same server.
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let wrapped = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE")
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(sealed.token.as_bytes())
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&wrapped, &req())),
        Rejected::Nesting(_)
    ));
    // A JWS over a JWS inside the JWE (the inner JWS declares another layer).
    let innermost = Signer::new(&w.client.signing()).compact(BODY).unwrap();
    let mid = Signer::new(&w.client.signing())
        .with_cty("JOSE")
        .compact(innermost.as_bytes())
        .unwrap();
    let outer = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE")
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(mid.as_bytes())
        .unwrap();
    assert!(matches!(
        rejected(o.open(&outer, &req())),
        Rejected::Nesting(_)
    ));
    // Encrypt-then-sign with one more signature layer around it.
    let sealed = sealer(Order::EncryptThenSign, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let resigned = Signer::new(&w.client.signing())
        .with_cty("JOSE")
        .compact(sealed.token.as_bytes())
        .unwrap();
    let o = opener(Order::EncryptThenSign, &[&w.client], &w.server);
    assert!(matches!(
        rejected(o.open(&resigned, &req())),
        Rejected::Nesting(_)
    ));
}

// ---- the key bindings ---------------------------------------------------------------

#[test]
fn surreptitious_forwarding_is_refused_by_aud() {
    let w = world();
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    // The server decrypts the client's signed message and re-encrypts it to a third party.
    let signed = inner_jws(&sealed.token, &w.server);
    let forwarded = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE")
        .recipient(&w.third.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .compact(signed.as_bytes())
        .unwrap();
    let third = opener(Order::SignThenEncrypt, &[&w.client], &w.third);
    assert_eq!(
        rejected(third.open(&forwarded, &req())),
        Rejected::Binding("aud")
    );
    // Even with the opt-in for unbound tokens: a binding that is present must match.
    let third = third.allow_unbound();
    assert_eq!(
        rejected(third.open(&forwarded, &req())),
        Rejected::Binding("aud")
    );
}

#[test]
fn signature_stripping_is_refused_by_iss() {
    let w = world();
    let sealed = sealer(Order::EncryptThenSign, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    // Mallory, also a trusted client, strips the signature and signs the JWE herself,
    // with every exchange member copied.
    let jwe_text = inner_jwe(&sealed.token, &w.client);
    let mut claims = serde_json::Map::new();
    let (_, h) = sealed.token.split_once('.').map(|(h, _)| ((), h)).unwrap();
    let header: Value = serde_json::from_slice(
        &bodyseal::b64::decode(h.as_bytes(), bodyseal::error::Part::Header).unwrap(),
    )
    .unwrap();
    for name in ["iat", "jti", "htm", "htu"] {
        claims.insert(name.into(), header[name].clone());
    }
    let resigned = Signer::new(&w.mallory.signing())
        .with_cty("JOSE")
        .with_headers(claims)
        .unwrap()
        .compact(jwe_text.as_bytes())
        .unwrap();
    let server = opener(Order::EncryptThenSign, &[&w.client, &w.mallory], &w.server);
    assert_eq!(
        rejected(server.open(&resigned, &req())),
        Rejected::Binding("iss")
    );
    assert_eq!(
        rejected(server.allow_unbound().open(&resigned, &req())),
        Rejected::Binding("iss")
    );
}

/// A nested token as another library makes it: no `aud` / `iss`.
fn unbound(order: Order) -> String {
    let w = world();
    let claims = json!({"iat": now(), "jti": "x1", "htm": "POST", "htu": URI})
        .as_object()
        .unwrap()
        .clone();
    match order {
        Order::SignThenEncrypt => {
            let inner = Signer::new(&w.client.signing())
                .with_headers(claims)
                .unwrap()
                .compact(BODY)
                .unwrap();
            Encryptor::new(JweEnc::A256Gcm)
                .with_cty("JWT")
                .recipient(&w.server.encryption(), JweAlg::EcdhEs)
                .unwrap()
                .compact(inner.as_bytes())
                .unwrap()
        }
        _ => {
            let inner = Encryptor::new(JweEnc::A256Gcm)
                .recipient(&w.server.encryption(), JweAlg::EcdhEs)
                .unwrap()
                .compact(BODY)
                .unwrap();
            Signer::new(&w.client.signing())
                .with_headers(claims)
                .unwrap()
                .with_cty("JOSE")
                .compact(inner.as_bytes())
                .unwrap()
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_nested_token_without_the_binding_needs_the_opt_in() {
    let w = world();
    for (order, member) in [
        (Order::SignThenEncrypt, "aud"),
        (Order::EncryptThenSign, "iss"),
    ] {
        let token = unbound(order);
        let o = opener(order, &[&w.client], &w.server);
        assert_eq!(rejected(o.open(&token, &req())), Rejected::Missing(member));
        let opened = o.allow_unbound().open(&token, &req()).unwrap();
        assert_eq!(opened.body(), BODY);
        assert!(!opened.bound);
    }
}

#[test]
fn untrusted_signers_and_algorithms_outside_the_allowlists_are_refused() {
    let w = world();
    for order in ORDERS {
        let sealed = sealer(order, &w.mallory, &w.server)
            .seal(BODY, &req())
            .unwrap();
        let o = opener(order, &[&w.client], &w.server);
        assert!(o.open(&sealed.token, &req()).is_err());
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        let strict = Opener::new(
            order,
            VerifyingKeys::single(w.client.verifying()),
            jws_policy(),
            DecryptionKeys::single(w.server.decryption()),
            JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A256Gcm]),
        );
        assert!(matches!(
            rejected(strict.open(&sealed.token, &req())),
            Rejected::AlgNotAllowed(_)
        ));
        let strict = Opener::new(
            order,
            VerifyingKeys::single(w.client.verifying()),
            JwsPolicy::new(&[JwsAlg::Es384]),
            DecryptionKeys::single(w.server.decryption()),
            jwe_policy(),
        );
        assert!(matches!(
            rejected(strict.open(&sealed.token, &req())),
            Rejected::AlgNotAllowed(_)
        ));
    }
}

#[test]
fn a_tampered_token_fails_without_saying_where() {
    let w = world();
    for order in ORDERS {
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        let mut bytes = sealed.token.into_bytes();
        let i = bytes.len() - 3;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let token = String::from_utf8(bytes).unwrap();
        let e = opener(order, &[&w.client], &w.server)
            .open(&token, &req())
            .unwrap_err();
        assert!(e.is_crypto_failure(), "{e:?}");
    }
}

#[test]
fn a_password_recipient_cannot_be_bound() {
    let w = world();
    let e = Sealer::new(Order::SignThenEncrypt, &w.client.signing()).recipient(
        &EncryptionKey::from_password(b"correct horse"),
        JweAlg::Pbes2Hs256A128Kw,
    );
    assert!(matches!(e, Err(Error::ApiMisuse(_))));
}

// ---- the HTTP exchange --------------------------------------------------------------

#[test]
fn method_and_uri_mismatches_are_refused() {
    let w = world();
    for order in ORDERS {
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        let o = opener(order, &[&w.client], &w.server);
        let put = Exchange::Request(RequestBinding::new("PUT", URI).unwrap());
        assert_eq!(
            rejected(o.open(&sealed.token, &put)),
            Rejected::Binding("htm")
        );
        let other = Exchange::Request(
            RequestBinding::new("POST", "https://api.example.com/v1/records?patient=124").unwrap(),
        );
        assert_eq!(
            rejected(o.open(&sealed.token, &other)),
            Rejected::Binding("htu")
        );
        let host = Exchange::Request(
            RequestBinding::new("POST", "https://evil.example.com/v1/records?patient=123").unwrap(),
        );
        assert_eq!(
            rejected(o.open(&sealed.token, &host)),
            Rejected::Binding("htu")
        );
        // The refusals consumed nothing: the genuine request still opens, once.
        assert!(o.open(&sealed.token, &req()).is_ok());
    }
}

#[test]
fn stale_and_future_iat_are_refused() {
    let w = world();
    let t = now();
    for order in ORDERS {
        let o = opener(order, &[&w.client], &w.server);
        for (iat, ok) in [
            (t - 301, false),
            (t - 290, true),
            (t + 290, true),
            (t + 301, false),
        ] {
            let sealed = sealer(order, &w.client, &w.server)
                .seal(BODY, &Exchange::Request(request().at(iat)))
                .unwrap();
            let r = o.open(&sealed.token, &Exchange::Request(request().at(t)));
            match (ok, r) {
                (true, r) => assert!(r.is_ok(), "iat {iat} now {t}: {r:?}"),
                (false, r) if iat < t => assert_eq!(rejected(r), Rejected::Expired),
                (false, r) => assert_eq!(rejected(r), Rejected::NotYetValid),
            }
        }
        // A configured window.
        let narrow = opener(order, &[&w.client], &w.server)
            .with_exchange_policy(ExchangePolicy::default().with_window(10));
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &Exchange::Request(request().at(t - 11)))
            .unwrap();
        assert_eq!(
            rejected(narrow.open(&sealed.token, &Exchange::Request(request().at(t)))),
            Rejected::Expired
        );
    }
}

#[test]
fn a_replayed_jti_is_refused() {
    let w = world();
    for order in ORDERS {
        let o = opener(order, &[&w.client], &w.server);
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        assert!(o.open(&sealed.token, &req()).is_ok());
        assert_eq!(rejected(o.open(&sealed.token, &req())), Rejected::Replay);
        // A clone of the opener shares the cache (one server, several workers).
        assert_eq!(
            rejected(o.clone().open(&sealed.token, &req())),
            Rejected::Replay
        );
    }
}

#[test]
fn a_request_without_htm_htu_or_jti_is_refused() {
    let w = world();
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &Exchange::Standalone)
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert_eq!(
        rejected(o.open(&sealed.token, &req())),
        Rejected::Missing("htm")
    );
}

#[test]
fn bound_headers_must_match_what_was_received() {
    let w = world();
    let sent = request().with_header("Content-Type", "application/fhir+json");
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &Exchange::Request(sent.clone()))
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server)
        .with_exchange_policy(ExchangePolicy::default().require_bound_header("content-type"));
    let changed = request().with_header("content-type", "application/json");
    assert_eq!(
        rejected(o.open(&sealed.token, &Exchange::Request(changed))),
        Rejected::Binding("hth")
    );
    assert_eq!(
        rejected(o.open(&sealed.token, &req())),
        Rejected::Binding("hth")
    );
    assert!(o
        .open(
            &sealed.token,
            &Exchange::Request(request().with_header("CONTENT-TYPE", " application/fhir+json"))
        )
        .is_ok());
    // A request that does not bind a required header.
    let plain = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    assert_eq!(
        rejected(o.open(&plain.token, &Exchange::Request(sent))),
        Rejected::Missing("hth")
    );
}

fn response_flow(order: Order) -> (Sealed, Sealed, Opener) {
    let w = world();
    let request = sealer(order, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let opened = opener(order, &[&w.client], &w.server)
        .open(&request.token, &req())
        .unwrap();
    let response = sealer(order, &w.server, &w.client)
        .seal(b"{}", &Exchange::Response(opened.response(200).unwrap()))
        .unwrap();
    (request, response, opener(order, &[&w.server], &w.client))
}

#[test]
fn a_response_bound_to_another_request_or_status_is_refused() {
    let w = world();
    for order in ORDERS {
        let (request, response, client) = response_flow(order);
        assert!(client
            .open(&response.token, &Exchange::Response(request.response(200)))
            .is_ok());
        assert_eq!(
            rejected(client.open(&response.token, &Exchange::Response(request.response(500)))),
            Rejected::Binding("status")
        );
        let other = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        assert_eq!(
            rejected(client.open(&response.token, &Exchange::Response(other.response(200)))),
            Rejected::Binding("req_jti")
        );
        let same_jti_other_token = ResponseBinding::new(request.jti.clone(), other.digest(), 200);
        assert_eq!(
            rejected(client.open(&response.token, &Exchange::Response(same_jti_other_token))),
            Rejected::Binding("req_digest")
        );
        // A response is not a request.
        let server = opener(order, &[&w.server], &w.client);
        assert_eq!(
            rejected(server.open(&response.token, &req())),
            Rejected::Missing("htm")
        );
    }
}

#[test]
fn debug_output_never_shows_the_body() {
    let w = world();
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(b"SECRET-DIAGNOSIS", &Exchange::Standalone)
        .unwrap();
    let opened = opener(Order::SignThenEncrypt, &[&w.client], &w.server)
        .open(&sealed.token, &Exchange::Standalone)
        .unwrap();
    let shown = format!("{opened:?}");
    assert!(shown.contains("body_len: 16"), "{shown}");
    assert!(!shown.contains("SECRET"));
    let bytes: Vec<String> = b"SECRET".iter().map(u8::to_string).collect();
    assert!(!shown.contains(&bytes.join(", ")));
}

// ---- streaming ----------------------------------------------------------------------

fn open_stream(o: &Opener, token: &str, ex: &Exchange) -> Result<(Vec<u8>, bool), Error> {
    let mut out = Vec::new();
    let opened = o.open_stream(std::io::Cursor::new(token.as_bytes()), ex, &mut out)?;
    Ok((out, opened.bound))
}

#[test]
fn streamed_sealing_and_opening_agree_with_the_one_shot_api() {
    let w = world();
    let big: Vec<u8> = (0..(1 << 20) + 7).map(|i| (i % 251) as u8).collect();
    for order in ORDERS {
        for enc in [JweEnc::A256Gcm, JweEnc::A128CbcHs256] {
            for body in [&b""[..], BODY, &big[..]] {
                let sealer = Sealer::new(order, &w.client.signing())
                    .with_enc(enc)
                    .unwrap()
                    .recipient(&w.server.encryption(), JweAlg::EcdhEsA256Kw)
                    .unwrap();
                let opener = || {
                    Opener::new(
                        order,
                        VerifyingKeys::single(w.client.verifying()),
                        jws_policy(),
                        DecryptionKeys::single(w.server.decryption()),
                        JwePolicy::new(&[JweAlg::EcdhEsA256Kw], &[enc]).with_limits({
                            let mut l = bodyseal::policy::Limits::default();
                            l.max_token_bytes = 64 << 20;
                            l
                        }),
                    )
                };
                // Streamed seal, one-shot open.
                let mut token = Vec::new();
                let jti = sealer
                    .seal_stream(body, Some("application/json"), &req(), &mut token)
                    .unwrap();
                let token = String::from_utf8(token).unwrap();
                let opened = opener().open(&token, &req()).unwrap();
                assert_eq!(opened.body(), body, "{order:?} {enc}");
                assert_eq!(opened.stamp.jti.as_deref(), Some(jti.as_str()));
                assert_eq!(opened.media_type().as_deref(), Some("application/json"));
                // One-shot seal, streamed open.
                let sealed = sealer.seal(body, &req()).unwrap();
                let (out, bound) = open_stream(&opener(), &sealed.token, &req()).unwrap();
                assert_eq!(out, body);
                assert!(bound);
            }
        }
    }
}

#[test]
fn streamed_opening_enforces_every_nesting_and_binding_rule() {
    let w = world();
    for order in ORDERS {
        let other = if order == Order::SignThenEncrypt {
            Order::EncryptThenSign
        } else {
            Order::SignThenEncrypt
        };
        let sealed = sealer(order, &w.client, &w.server)
            .seal(BODY, &req())
            .unwrap();
        // The other order.
        let o = opener(other, &[&w.client], &w.server);
        assert!(matches!(
            rejected(open_stream(&o, &sealed.token, &req())),
            Rejected::Nesting(_)
        ));
        // Method mismatch and replay.
        let o = opener(order, &[&w.client], &w.server);
        let put = Exchange::Request(RequestBinding::new("PUT", URI).unwrap());
        assert_eq!(
            rejected(open_stream(&o, &sealed.token, &put)),
            Rejected::Binding("htm")
        );
        assert!(open_stream(&o, &sealed.token, &req()).is_ok());
        assert_eq!(
            rejected(open_stream(&o, &sealed.token, &req())),
            Rejected::Replay
        );
        // Unbound nested tokens need the opt-in.
        let plain = unbound(order);
        let o = opener(order, &[&w.client], &w.server);
        assert!(matches!(
            rejected(open_stream(&o, &plain, &req())),
            Rejected::Missing(_)
        ));
        assert_eq!(
            open_stream(&o.allow_unbound(), &plain, &req()).unwrap(),
            (BODY.to_vec(), false)
        );
        // A changed byte: opaque cryptographic failure.
        let mut bad = sealed.token.clone().into_bytes();
        let i = bad.len() - 5;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        let e = open_stream(
            &opener(order, &[&w.client], &w.server),
            std::str::from_utf8(&bad).unwrap(),
            &req(),
        )
        .unwrap_err();
        assert!(e.is_crypto_failure(), "{e:?}");
    }
    // Single layers.
    let jwe_only = Encryptor::new(JweEnc::A256Gcm)
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(BODY)
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(matches!(
        rejected(open_stream(&o, &jwe_only, &req())),
        Rejected::Nesting(_)
    ));
    let jws_only = Signer::new(&w.client.signing()).compact(BODY).unwrap();
    let o = opener(Order::EncryptThenSign, &[&w.client], &w.server);
    assert!(matches!(
        rejected(open_stream(&o, &jws_only, &req())),
        Rejected::Nesting(_)
    ));
    // Forwarding and stripping.
    let sealed = sealer(Order::SignThenEncrypt, &w.client, &w.server)
        .seal(BODY, &req())
        .unwrap();
    let forwarded = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE")
        .recipient(&w.third.encryption(), JweAlg::EcdhEsA256Kw)
        .unwrap()
        .compact(inner_jws(&sealed.token, &w.server).as_bytes())
        .unwrap();
    let third = opener(Order::SignThenEncrypt, &[&w.client], &w.third);
    assert_eq!(
        rejected(open_stream(&third, &forwarded, &req())),
        Rejected::Binding("aud")
    );
    // An added JWE layer.
    let wrapped = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE")
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(sealed.token.as_bytes())
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(matches!(
        rejected(open_stream(&o, &wrapped, &req())),
        Rejected::Nesting(_)
    ));
}

#[test]
fn an_inner_layer_in_json_serialization_is_refused() {
    // The modes define the inner layer as compact; a JSON inner layer is not accepted,
    // by the one-shot or the streaming opener.
    let w = world();
    let claims = json!({"iat": now(), "jti": "j-json", "aud": format!(
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:{}", w.server.encryption().thumbprint())})
    .as_object()
    .unwrap()
    .clone();
    let inner = Signer::new(&w.client.signing())
        .with_headers(claims)
        .unwrap()
        .flattened(BODY)
        .unwrap();
    let token = Encryptor::new(JweEnc::A256Gcm)
        .with_cty("JOSE+JSON")
        .recipient(&w.server.encryption(), JweAlg::EcdhEs)
        .unwrap()
        .compact(inner.as_bytes())
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(o.open(&token, &Exchange::Standalone).is_err());
    let o = opener(Order::SignThenEncrypt, &[&w.client], &w.server);
    assert!(open_stream(&o, &token, &Exchange::Standalone).is_err());
}

/// `req_digest` is the base64url SHA-256 of the octets of the request's JWS Signature
/// (inner JWS in sign-then-encrypt, outer in encrypt-then-sign), computed here with
/// OpenSSL from the token itself: the same for a small and a large body's cost, and the
/// same on both sides and on the streamed path.
#[test]
fn req_digest_is_the_hash_of_the_signed_layers_signature() {
    use openssl::sha::sha256;
    let w = world();
    let b64 =
        |d: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, d);
    let unb64 = |s: &str| {
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s).unwrap()
    };
    for order in ORDERS {
        let sealed = sealer(order, &w.client, &w.server)
            .seal(&vec![7u8; 1 << 20], &req())
            .unwrap();
        // The JWS whose signature counts: the outer token, or the inner one decrypted.
        let jws = match order {
            Order::EncryptThenSign => sealed.token.clone(),
            _ => {
                let d = jwe::parse(&sealed.token, &jwe_policy().limits)
                    .unwrap()
                    .decrypt(
                        &DecryptionKeys::single(w.server.decryption()),
                        &jwe_policy(),
                    )
                    .unwrap();
                String::from_utf8(d.into_plaintext()).unwrap()
            }
        };
        let signature = unb64(jws.rsplit('.').next().unwrap());
        let expected = b64(&sha256(&signature));
        assert_eq!(sealed.digest(), expected, "{order:?}");
        let opened = opener(order, &[&w.client], &w.server)
            .open(&sealed.token, &req())
            .unwrap();
        assert_eq!(opened.digest, expected);
        let mut out = Vec::new();
        let streamed = opener(order, &[&w.client], &w.server)
            .open_stream(
                std::io::Cursor::new(sealed.token.as_bytes()),
                &req(),
                &mut out,
            )
            .unwrap();
        assert_eq!(streamed.digest, expected);
        assert_ne!(
            expected,
            bodyseal::exchange::digest(sealed.token.as_bytes())
        );
    }
}
