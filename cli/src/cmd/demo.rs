//! `bodyseal demo`: generate a key, sign a sample JSON body, verify it, print the record.

use bodyseal::alg::{EcCurve, JwsAlg};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::Jwk;
use bodyseal::jws::{self, Signer};
use bodyseal::key::{KeySet, SigningKey, VerifyingKey};
use bodyseal::policy::Policy;
use bodyseal::Result;

const BODY: &[u8] = br#"{"patient":"12345","prescription":{"drug":"amoxicillin","dose_mg":500}}"#;

pub(crate) fn run() -> Result<()> {
    let jwk = Jwk::generate(KeyKind::Ec(EcCurve::P256))?;
    let kid = jwk.thumbprint_b64(bodyseal::alg::HashAlg::Sha256);
    let jwk = jwk.with_kid(kid);
    let public = jwk.to_public()?;
    println!("1. generated a P-256 signing key; its public JWK:");
    println!("{}", public.to_json_pretty());

    let signer = Signer::new(&SigningKey::from_jwk(&jwk)?).with_cty("json");
    let token = signer.compact(BODY)?;
    println!(
        "\n2. signed the body {} as a compact JWS (ES256):",
        String::from_utf8_lossy(BODY)
    );
    println!("{token}");

    let keys = KeySet::single(VerifyingKey::from_jwk(&public)?);
    let policy = Policy::new(&[JwsAlg::Es256]);
    let verified = jws::parse_compact(&token, &policy.limits)?.verify(&keys, &policy)?;
    let signer = verified
        .signer()
        .ok_or(bodyseal::Error::Unreachable("no signer"))?;
    println!("\n3. verified with the trusted public key and an ES256-only policy; payload:");
    println!("{}", String::from_utf8_lossy(verified.payload()));
    println!("\n4. verification record (what an audit log keeps):");
    println!(
        "{}",
        serde_json::to_string_pretty(&signer.to_record()).unwrap_or_default()
    );

    let mut tampered = token.clone().into_bytes();
    if let Some(b) = tampered.iter_mut().rev().nth(5) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    let tampered = String::from_utf8_lossy(&tampered).into_owned();
    let outcome =
        jws::parse_compact(&tampered, &policy.limits).and_then(|u| u.verify(&keys, &policy));
    println!(
        "\n5. the same token with one signature character changed: {}",
        match outcome {
            Ok(_) => "accepted (unexpected!)".to_owned(),
            Err(e) => format!("rejected ({e})"),
        }
    );
    Ok(())
}
