//! `bodyseal demo`: the README's walkthrough with no files. A clinic seals a request to a
//! records API (sign-then-encrypt, bound to the HTTP request), the API opens it, refuses
//! a replay, seals its response bound to the request, and the clinic opens the response.

use crate::error::CliResult;
use bodyseal::alg::{EcCurve, HashAlg, JweAlg, JweEnc, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwk::Jwk;
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Sealer};

const BODY: &[u8] = br#"{"patient":"12345","prescription":{"drug":"amoxicillin","dose_mg":500}}"#;
const URI: &str = "https://records.example/v1/prescriptions";

fn party(name: &str) -> bodyseal::Result<Jwk> {
    let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
    let kid = format!(
        "{name}-{}",
        jwk.thumbprint_b64(HashAlg::Sha256)
            .get(..8)
            .unwrap_or_default()
    );
    Ok(jwk.with_kid(kid))
}

fn show(step: &str, text: &str) {
    crate::io::say(&format!("{step}\n{text}\n"));
}

pub(crate) fn run() -> CliResult<()> {
    let clinic = party("clinic")?;
    let api = party("records-api")?;
    show(
        "1. Two P-256 keys, one per party. The clinic's public JWK:",
        &clinic.to_public()?.to_json_pretty(),
    );

    let jws_policy = JwsPolicy::new(&[JwsAlg::Es256]);
    let jwe_policy = JwePolicy::new(&[JweAlg::EcdhEsA256Kw], &[JweEnc::A256Gcm]);
    let to_api = Sealer::new(Order::SignThenEncrypt, &SigningKey::from_jwk(&clinic)?).recipient(
        &EncryptionKey::from_jwk(&api.to_public()?)?,
        JweAlg::EcdhEsA256Kw,
    )?;
    let request = RequestBinding::new("POST", URI)?;
    let sent = to_api.seal_typed(
        BODY,
        Some("application/json"),
        &Exchange::Request(request.clone()),
    )?;
    show(
        &format!(
            "2. The clinic signs the body {} (ES256, bound to POST {URI}, the API's key in `aud`)\n   and encrypts it to the API (ECDH-ES+A256KW, A256GCM):",
            String::from_utf8_lossy(BODY)
        ),
        &sent.token,
    );

    let api_opener = Opener::new(
        Order::SignThenEncrypt,
        VerifyingKeys::single(VerifyingKey::from_jwk(&clinic.to_public()?)?),
        jws_policy.clone(),
        DecryptionKeys::single(DecryptionKey::from_jwk(&api)?),
        jwe_policy.clone(),
    );
    let opened = api_opener.open(&sent.token, &Exchange::Request(request.clone()))?;
    show(
        "3. The API decrypts, verifies, and checks the nesting, its own key in `aud`, the method,\n   the URI, `iat` and `jti`. Body and signer record:",
        &format!(
            "{}\n{}",
            String::from_utf8_lossy(opened.body()),
            serde_json::to_string_pretty(&opened.signer.to_record()).unwrap_or_default()
        ),
    );
    let replay = api_opener.open(&sent.token, &Exchange::Request(request));
    show(
        "4. The same token again is a replay:",
        &replay.err().map_or_else(
            || "accepted (unexpected)".to_owned(),
            |e| format!("refused: {e}"),
        ),
    );

    let to_clinic = Sealer::new(Order::SignThenEncrypt, &SigningKey::from_jwk(&api)?).recipient(
        &EncryptionKey::from_jwk(&clinic.to_public()?)?,
        JweAlg::EcdhEsA256Kw,
    )?;
    let answer = to_clinic.seal(
        br#"{"status":"recorded"}"#,
        &Exchange::Response(opened.response(201)?),
    )?;
    let clinic_opener = Opener::new(
        Order::SignThenEncrypt,
        VerifyingKeys::single(VerifyingKey::from_jwk(&api.to_public()?)?),
        jws_policy,
        DecryptionKeys::single(DecryptionKey::from_jwk(&clinic)?),
        jwe_policy,
    );
    let response = clinic_opener.open(&answer.token, &Exchange::Response(sent.response(201)))?;
    show(
        "5. The API seals its 201 response, bound to the request's `jti`, its digest and the status;\n   the clinic opens it:",
        &String::from_utf8_lossy(response.body()),
    );
    let wrong = clinic_opener.open(&answer.token, &Exchange::Response(sent.response(200)));
    crate::io::say(&format!(
        "6. Read as the answer with another status, it is {}",
        wrong.err().map_or_else(
            || "accepted (unexpected)".to_owned(),
            |e| format!("refused: {e}")
        )
    ));
    Ok(())
}

/// `bodyseal demo --https`: the same exchange through a real HTTPS server (the wire
/// crate's layer) and client on 127.0.0.1, with a certificate made for the run.
pub(crate) fn https() -> CliResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::error::Failure::usage(format!("runtime: {e}")))?;
    rt.block_on(https_walkthrough())
}

fn demo_err(e: impl std::fmt::Display) -> crate::error::Failure {
    crate::error::Failure::usage(e.to_string())
}

async fn https_walkthrough() -> CliResult<()> {
    use bodyseal_wire::{tls, Builder};
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::{TokioExecutor, TokioIo};

    // A CA and a certificate for 127.0.0.1, made now and kept in memory.
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(demo_err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_key = rcgen::KeyPair::generate().map_err(demo_err)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(demo_err)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().map_err(demo_err)?;
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .and_then(|p| p.signed_by(&leaf_key, &issuer))
        .map_err(demo_err)?;
    let server_tls = tls::server_config_from_pem(
        (leaf.pem() + &ca_cert.pem()).as_bytes(),
        leaf_key.serialize_pem().as_bytes(),
    )
    .map_err(demo_err)?;
    let client_tls = tls::client_config_from_pem(ca_cert.pem().as_bytes()).map_err(demo_err)?;

    let clinic = party("clinic")?;
    let api = party("records-api")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(demo_err)?;
    let addr = listener.local_addr().map_err(demo_err)?;
    let origin = format!("https://{addr}");
    show(
        "1. Two P-256 keys, a certificate for 127.0.0.1, and an HTTPS server listening at:",
        &origin,
    );

    let server = Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(&api)?)
        .decrypt_keys(DecryptionKeys::single(DecryptionKey::from_jwk(&api)?))
        .verify_keys(VerifyingKeys::single(VerifyingKey::from_jwk(
            &clinic.to_public()?,
        )?))
        .to_key(EncryptionKey::from_jwk(&clinic.to_public()?)?)
        .public_origin(origin.clone())
        .server()
        .map_err(demo_err)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(server_tls);
    let srv = server.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, srv) = (acceptor.clone(), srv.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req| {
                    let srv = srv.clone();
                    async move {
                        let answer = match srv.open(req).await {
                            Err(p) => p.response(),
                            Ok((req, sender)) => {
                                crate::io::say(&format!(
                                    "   [server] opened {} {}: {} (signed by {})",
                                    req.method(),
                                    req.uri().path(),
                                    String::from_utf8_lossy(req.body()),
                                    sender.thumbprint()
                                ));
                                let resp = http::Response::builder()
                                    .status(201)
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from_static(
                                        br#"{"status":"recorded"}"#,
                                    )))
                                    .unwrap_or_default();
                                srv.seal(&sender, resp)
                                    .await
                                    .unwrap_or_else(bodyseal_wire::Problem::response)
                            }
                        };
                        Ok::<_, std::convert::Infallible>(answer)
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });

    let client = Builder::new(Order::SignThenEncrypt)
        .sign_key(SigningKey::from_jwk(&clinic)?)
        .decrypt_keys(DecryptionKeys::single(DecryptionKey::from_jwk(&clinic)?))
        .verify_keys(VerifyingKeys::single(VerifyingKey::from_jwk(
            &api.to_public()?,
        )?))
        .to_key(EncryptionKey::from_jwk(&api.to_public()?)?)
        .client()
        .map_err(demo_err)?;
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(client_tls)
        .build()
        .map_err(demo_err)?;
    let request = http::Request::post(format!("{origin}/v1/prescriptions"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(BODY))
        .map_err(demo_err)?;
    let (sealed, sent) = client.seal(request).await.map_err(demo_err)?;
    show(
        "2. The clinic seals the body to the API, bound to POST /v1/prescriptions; on the wire:",
        &String::from_utf8_lossy(sealed.body()),
    );
    let send = |req: &http::Request<Bytes>| {
        http.post(req.uri().to_string())
            .headers(req.headers().clone())
            .body(req.body().clone())
            .send()
    };
    let resp = send(&sealed).await.map_err(demo_err)?;
    let resp: http::Response<reqwest::Body> = resp.into();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.map_err(demo_err)?.to_bytes();
    show(
        &format!("3. The API answers {} with a sealed body:", parts.status),
        &String::from_utf8_lossy(&body),
    );
    let (opened, _) = client
        .open(http::Response::from_parts(parts, Full::new(body)), &sent)
        .await
        .map_err(demo_err)?;
    show(
        "4. The clinic opens it, bound to its request and the status:",
        &String::from_utf8_lossy(opened.body()),
    );
    let replay = send(&sealed).await.map_err(demo_err)?;
    let status = replay.status();
    let text = replay.text().await.map_err(demo_err)?;
    show(
        &format!("5. The same request sent again is a replay: {status}"),
        &text,
    );
    Ok(())
}
