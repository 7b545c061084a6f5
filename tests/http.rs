//! The `http` crate integration: requests and responses sealed, opened, signed and
//! verified end to end, with `Content-Type` set and checked.
#![cfg(feature = "http")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use bodyseal::alg::{EcCurve, JweAlg, JweEnc, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::detached::{DetachedSigner, DetachedVerifier, SIGNATURE_HEADER};
use bodyseal::error::{Error, Rejected};
use bodyseal::exchange::ExchangePolicy;
use bodyseal::jwk::Jwk;
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealer};

const ORIGIN: &str = "https://api.example.com";

struct Pair {
    client: Jwk,
    server: Jwk,
}

fn pair() -> Pair {
    Pair {
        client: Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap(),
        server: Jwk::generate(KeyKind::Ec(EcCurve::P256)).unwrap(),
    }
}

fn sealer(order: Order, from: &Jwk, to: &Jwk) -> Sealer {
    Sealer::new(order, &SigningKey::from_jwk(from).unwrap())
        .recipient(
            &EncryptionKey::from_jwk(&to.to_public().unwrap()).unwrap(),
            JweAlg::EcdhEs,
        )
        .unwrap()
}

fn opener(order: Order, from: &Jwk, me: &Jwk) -> Opener {
    Opener::new(
        order,
        VerifyingKeys::single(VerifyingKey::from_jwk(&from.to_public().unwrap()).unwrap()),
        JwsPolicy::new(&[JwsAlg::Es256]),
        DecryptionKeys::single(DecryptionKey::from_jwk(me).unwrap()),
        JwePolicy::new(&[JweAlg::EcdhEs], &[JweEnc::A256Gcm]),
    )
}

fn request(body: &[u8]) -> http::Request<Vec<u8>> {
    http::Request::post(format!("{ORIGIN}/v1/claims?x=1"))
        .header("content-type", "application/fhir+json")
        .header("content-length", body.len())
        .body(body.to_vec())
        .unwrap()
}

/// What the server sees: an origin-form URI (the proxy terminated TLS).
fn as_received(req: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let (mut parts, body) = req.into_parts();
    parts.uri = parts
        .uri
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    http::Request::from_parts(parts, body)
}

#[test]
fn sealed_requests_and_responses_round_trip_in_both_orders_and_serializations() {
    let p = pair();
    for order in [Order::SignThenEncrypt, Order::EncryptThenSign] {
        for (outer, media) in [
            (Outer::Compact, "application/jose"),
            (Outer::Flattened, "application/jose+json"),
            (Outer::General, "application/jose+json"),
        ] {
            let (req, sent) = sealer(order, &p.client, &p.server)
                .with_outer(outer)
                .seal_request(request(br#"{"id":1}"#), &[])
                .unwrap();
            assert_eq!(req.headers()["content-type"], media);
            // Content-Length is fixed to the token, then to the body.
            assert_eq!(
                req.headers()["content-length"],
                req.body().len().to_string()
            );
            let (req, opened) = opener(order, &p.client, &p.server)
                .open_request(as_received(req), ORIGIN)
                .unwrap();
            assert_eq!(req.body(), br#"{"id":1}"#);
            assert_eq!(req.headers()["content-length"], "8");
            assert_eq!(req.headers()["content-type"], "application/fhir+json");
            let resp = http::Response::builder()
                .status(202)
                .header("content-type", "application/json")
                .body(b"[]".to_vec())
                .unwrap();
            let resp = sealer(order, &p.server, &p.client)
                .with_outer(outer)
                .seal_response(resp, &opened)
                .unwrap();
            assert_eq!(resp.headers()["content-type"], media);
            let (resp, _) = opener(order, &p.server, &p.client)
                .open_response(resp, &sent)
                .unwrap();
            assert_eq!(resp.body(), b"[]");
            assert_eq!(resp.headers()["content-type"], "application/json");
        }
    }
}

#[test]
fn a_request_that_is_not_jose_is_refused() {
    let p = pair();
    let o = opener(Order::SignThenEncrypt, &p.client, &p.server);
    let e = o
        .open_request(as_received(request(b"{}")), ORIGIN)
        .unwrap_err();
    assert_eq!(e, Error::Rejected(Rejected::Mismatch("content-type")));
}

#[test]
fn a_request_received_at_another_origin_or_path_is_refused() {
    let p = pair();
    let (req, _) = sealer(Order::SignThenEncrypt, &p.client, &p.server)
        .seal_request(request(b"{}"), &[])
        .unwrap();
    let o = opener(Order::SignThenEncrypt, &p.client, &p.server);
    let e = o
        .open_request(as_received(req.clone()), "https://other.example.com")
        .unwrap_err();
    assert_eq!(e, Error::Rejected(Rejected::Binding("htu")));
    let (mut parts, body) = req.into_parts();
    parts.uri = "/v1/claims?x=2".parse().unwrap();
    let e = o
        .open_request(http::Request::from_parts(parts, body), ORIGIN)
        .unwrap_err();
    assert_eq!(e, Error::Rejected(Rejected::Binding("htu")));
}

#[test]
fn a_sealed_response_with_another_status_is_refused() {
    let p = pair();
    let (req, sent) = sealer(Order::EncryptThenSign, &p.client, &p.server)
        .seal_request(request(b"{}"), &[])
        .unwrap();
    let (_, opened) = opener(Order::EncryptThenSign, &p.client, &p.server)
        .open_request(as_received(req), ORIGIN)
        .unwrap();
    let resp = http::Response::builder()
        .status(200)
        .body(b"{}".to_vec())
        .unwrap();
    let mut resp = sealer(Order::EncryptThenSign, &p.server, &p.client)
        .seal_response(resp, &opened)
        .unwrap();
    *resp.status_mut() = http::StatusCode::NOT_FOUND;
    let e = opener(Order::EncryptThenSign, &p.server, &p.client)
        .open_response(resp, &sent)
        .unwrap_err();
    assert_eq!(e, Error::Rejected(Rejected::Binding("status")));
}

#[test]
fn detached_signature_header_round_trip_and_tamper() {
    let p = pair();
    let signer = DetachedSigner::new(&SigningKey::from_jwk(&p.client).unwrap()).unencoded();
    let verifier = DetachedVerifier::new(
        VerifyingKeys::single(VerifyingKey::from_jwk(&p.client.to_public().unwrap()).unwrap()),
        JwsPolicy::new(&[JwsAlg::Es256]),
    )
    .with_exchange_policy(ExchangePolicy::default().require_bound_header("content-type"));
    let mut req = request(br#"{"amount":1}"#);
    let sent = signer.sign_request(&mut req, &["content-type"]).unwrap();
    assert_eq!(req.headers()["content-type"], "application/fhir+json");
    assert!(req.headers().contains_key(SIGNATURE_HEADER));
    let req = as_received(req);

    // A changed body, a changed Content-Type, a missing signature header.
    let mut tampered = req.clone();
    *tampered.body_mut() = br#"{"amount":9}"#.to_vec();
    assert_eq!(
        verifier.verify_request(&tampered, ORIGIN).unwrap_err(),
        Error::InvalidSignature
    );
    let mut retyped = req.clone();
    retyped
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    assert_eq!(
        verifier.verify_request(&retyped, ORIGIN).unwrap_err(),
        Error::Rejected(Rejected::Binding("hth"))
    );
    let mut unsigned = req.clone();
    unsigned.headers_mut().remove(SIGNATURE_HEADER);
    assert_eq!(
        verifier.verify_request(&unsigned, ORIGIN).unwrap_err(),
        Error::Rejected(Rejected::Missing("x-jws-signature"))
    );

    let verified = verifier.verify_request(&req, ORIGIN).unwrap();
    // The server signs its response, bound to this request.
    let server_signer = DetachedSigner::new(&SigningKey::from_jwk(&p.server).unwrap());
    let mut resp = http::Response::builder()
        .status(200)
        .body(b"{\"ok\":true}".to_vec())
        .unwrap();
    server_signer.sign_response(&mut resp, &verified).unwrap();
    let client_verifier = DetachedVerifier::new(
        VerifyingKeys::single(VerifyingKey::from_jwk(&p.server.to_public().unwrap()).unwrap()),
        JwsPolicy::new(&[JwsAlg::Es256]),
    );
    assert!(client_verifier.verify_response(&resp, &sent).is_ok());
    *resp.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    assert_eq!(
        client_verifier.verify_response(&resp, &sent).unwrap_err(),
        Error::Rejected(Rejected::Binding("status"))
    );
}
