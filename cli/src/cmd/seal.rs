//! `bodyseal seal|open`: both layers, in the chosen order, with the bindings.

use crate::args::{Format, OpenArgs, OrderArg, SealArgs};
use crate::cmd::jose::cli_limits;
use crate::error::{CliResult, Failure};
use crate::io::{self, Output, Privacy};
use crate::io::{open_token, Token};
use crate::keys;
use bodyseal::alg::{JweAlg, JweEnc, JwsAlg};
use bodyseal::exchange::{Exchange, RequestBinding};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use bodyseal::seal::{Opener, Order, Outer, Sealer};
use std::io::Write;

pub(crate) fn order(o: OrderArg) -> Order {
    match o {
        OrderArg::SignThenEncrypt => Order::SignThenEncrypt,
        OrderArg::EncryptThenSign => Order::EncryptThenSign,
    }
}

fn exchange(method: Option<&str>, uri: Option<&str>) -> CliResult<Exchange> {
    Ok(match (method, uri) {
        (Some(m), Some(u)) => Exchange::Request(RequestBinding::new(m, u)?),
        _ => Exchange::Standalone,
    })
}

pub(crate) fn seal(a: SealArgs) -> CliResult<()> {
    let key = keys::signing_key(&a.sign_key)?;
    let mut sealer = Sealer::new(order(a.order), &key);
    if let Some(alg) = &a.alg {
        let alg: JwsAlg = alg
            .parse()
            .map_err(|_| Failure::usage(format!("unknown algorithm `{alg}`")))?;
        sealer = sealer
            .with_alg(alg)
            .map_err(|e| Failure::key(e, "signing key that fits the algorithm"))?;
    }
    let enc: JweEnc = a
        .enc
        .parse()
        .map_err(|_| Failure::usage(format!("unknown content encryption `{}`", a.enc)))?;
    sealer = sealer.with_enc(enc)?;
    let recipients = keys::encryption_keys(&a.to, None)?;
    for r in &recipients {
        let alg: JweAlg = match &a.key_alg {
            Some(n) => n
                .parse()
                .map_err(|_| Failure::usage(format!("unknown key-management algorithm `{n}`")))?,
            None => r
                .default_alg()
                .ok_or_else(|| Failure::usage("this key cannot encrypt").hint("pass --key-alg"))?,
        };
        sealer = sealer
            .recipient(r, alg)
            .map_err(|e| Failure::key(e, "recipient key (not a password)"))?;
    }
    let outer = match a.format {
        Some(Format::Compact) => Outer::Compact,
        Some(Format::Flattened) => Outer::Flattened,
        Some(Format::General) => Outer::General,
        None if recipients.len() > 1 => Outer::General,
        None => Outer::Compact,
    };
    let exchange = exchange(a.method.as_deref(), a.uri.as_deref())?;
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Public)?;
    if outer == Outer::Compact {
        // One pass, the body never held whole (AES-GCM holds the inner layer once).
        sealer.with_outer(outer).seal_stream(
            io::open_input(a.input.input.as_deref())?,
            a.cty.as_deref(),
            &exchange,
            out.writer(),
        )?;
    } else {
        let body = io::read_all(a.input.input.as_deref())?;
        let sealed = sealer
            .with_outer(outer)
            .seal_typed(&body, a.cty.as_deref(), &exchange)?;
        out.writer()
            .write_all(sealed.token.as_bytes())
            .map_err(io::write_err)?;
    }
    out.writer().write_all(b"\n").map_err(io::write_err)?;
    out.commit()
}

pub(crate) fn open(a: OpenArgs) -> CliResult<()> {
    let trusted = keys::signer_keys(&a.verify_key, a.jwks_url.as_deref(), a.jwks_ca.as_deref())?;
    let mine = keys::decryption_keys(&a.decrypt_key)?;
    let jws_algs = keys::jws_allowlist(&a.allow_alg, &trusted)?;
    let (jwe_algs, encs) = keys::jwe_allowlists(&a.allow_key_alg, &a.allow_enc, &mine)?;
    let mut opener = Opener::new(
        order(a.order),
        trusted,
        JwsPolicy::new(&jws_algs).with_limits(cli_limits()),
        mine,
        JwePolicy::new(&jwe_algs, &encs).with_limits(cli_limits()),
    );
    if a.allow_unbound {
        opener = opener.allow_unbound();
    }
    let exchange = exchange(a.method.as_deref(), a.uri.as_deref())?;
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Private)?;
    let opened = match open_token(a.input.input.as_deref())? {
        Token::Json(json) => {
            let opened = opener.open(&json, &exchange).map_err(Failure::from_open)?;
            out.writer()
                .write_all(opened.body())
                .map_err(io::write_err)?;
            opened
        }
        // The body goes to the temporary output as it streams; it is released below only
        // because open_stream returned Ok.
        Token::Compact(r) => opener
            .open_stream(r, &exchange, out.writer())
            .map_err(Failure::from_open)?,
    };
    if let Some(max_age) = a.max_age {
        crate::time::check_age(opened.signer.protected().get("iat"), max_age)?;
    }
    if let Some(report) = &a.report {
        let mut r = opened.signer.to_record();
        if let serde_json::Value::Object(m) = &mut r {
            m.insert("verified_at".into(), crate::time::now_rfc3339().into());
            m.insert("order".into(), opened.order.as_str().into());
            m.insert("bound".into(), opened.bound.into());
            m.insert("decrypted_by".into(), opened.decrypted_by.clone().into());
            m.insert(
                "decryption_thumbprint".into(),
                opened.decryption_thumbprint.clone().into(),
            );
        }
        // The record holds the inner layer's protected header, which was encrypted.
        let text = serde_json::to_string_pretty(&r).unwrap_or_default() + "\n";
        io::write_all(Some(report), Privacy::Private, text.as_bytes())?;
    }
    out.commit()
}
