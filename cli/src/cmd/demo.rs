//! `bodyseal demo`: the README's walkthrough with no files. A clinic seals a request to a
//! records API (sign-then-encrypt, bound to the HTTP request), the API opens it, refuses
//! a replay, seals its response bound to the request, and the clinic opens the response.

use crate::error::CliResult;
use bodyseal::alg::{EcCurve, HashAlg, JweAlg, JweEnc, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::jwk::Jwk;
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, KeySet, SigningKey, VerifyingKey,
};
use bodyseal::policy::{JwePolicy, Policy};
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

    let jws_policy = Policy::new(&[JwsAlg::Es256]);
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
        KeySet::single(VerifyingKey::from_jwk(&clinic.to_public()?)?),
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
        KeySet::single(VerifyingKey::from_jwk(&api.to_public()?)?),
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
