//! The one `kid` rule: which of the caller's trusted keys a token's `kid` selects. Every
//! selection (verification, decryption, JWK Sets) goes through [`select`].
//!
//! * The token names a `kid` that some trusted key has: the keys with that `kid`.
//! * The token names a `kid` that no trusted key has: the keys that have no `kid` at all.
//!   A key with a different `kid` is never tried.
//! * The token names no `kid`: every key.
//!
//! A `kid` only narrows the caller's keys; nothing named in a token adds one.

/// The keys of `keys` that the token's `kid` selects, by the rule above.
pub(crate) fn select<'k: 'q, 'q, K>(
    keys: &'k [K],
    kid: Option<&'q str>,
    kid_of: impl Fn(&K) -> Option<&str> + Copy + 'q,
) -> impl Iterator<Item = &'k K> + 'q {
    let known = kid.is_some_and(|kid| keys.iter().any(|k| kid_of(k) == Some(kid)));
    keys.iter().filter(move |k| match kid {
        Some(kid) if known => kid_of(k) == Some(kid),
        Some(_) => kid_of(k).is_none(),
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::select;

    fn picked(keys: &[Option<&'static str>], kid: Option<&str>) -> Vec<usize> {
        let indexed: Vec<(usize, Option<&str>)> = keys.iter().copied().enumerate().collect();
        select(&indexed, kid, |k| k.1).map(|k| k.0).collect()
    }

    #[test]
    fn a_kid_selects_its_keys_else_the_keys_without_one_and_never_another_kid() {
        let keys = [Some("a"), Some("b"), None, Some("a")];
        assert_eq!(picked(&keys, Some("a")), [0, 3]);
        assert_eq!(picked(&keys, Some("zz")), [2]);
        assert_eq!(picked(&keys, None), [0, 1, 2, 3]);
        assert!(picked(&[Some("a")], Some("b")).is_empty());
    }
}
