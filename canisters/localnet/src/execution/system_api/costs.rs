//! The `cost_*` calls, which ic-cdk uses to attach cycles: the fee of an
//! inter-canister call, of creating a canister, of an HTTP outcall, and of a
//! threshold signature or key derivation.
//!
//! Invariants: these read the heap only to bounds-check and to learn a key
//! name, and change nothing but the 16 bytes written at `dst`; a threshold
//! key is priced as the management canister charges for it, and an unknown
//! curve or key name is the return code 1 or 2 rather than a trap.

use wasmi::Error;

use super::host::{C, enter, read_bytes, write_u128};

pub(super) fn cost_call(
    mut c: C<'_>,
    name_size: i64,
    payload_size: i64,
    dst: i32,
) -> Result<(), Error> {
    enter(&mut c, "cost_call")?;
    let bytes = u128::from(name_size as u64).saturating_add(u128::from(payload_size as u64));
    let fee = 260_000u128.saturating_add(bytes.saturating_mul(1_000));
    write_u128(&mut c, dst, fee, "ic0.cost_call")
}

pub(super) fn cost_create_canister(mut c: C<'_>, dst: i32) -> Result<(), Error> {
    enter(&mut c, "cost_create_canister")?;
    write_u128(&mut c, dst, 500_000_000_000, "ic0.cost_create_canister")
}

pub(super) fn cost_http_request(
    mut c: C<'_>,
    request_size: i64,
    max_res_bytes: i64,
    dst: i32,
) -> Result<(), Error> {
    enter(&mut c, "cost_http_request")?;
    let fee = http_fee(request_size as u64, max_res_bytes as u64);
    write_u128(&mut c, dst, fee, "ic0.cost_http_request")
}

pub(super) fn cost_http_request_v2(
    mut c: C<'_>,
    src: i32,
    size: i32,
    dst: i32,
) -> Result<(), Error> {
    enter(&mut c, "cost_http_request_v2")?;
    // Bounds-check the parameters; price them as a request of their
    // size with the largest response.
    read_bytes(&mut c, src, size, "ic0.cost_http_request_v2")?;
    let fee = http_fee(u64::from(size as u32), 2_000_000);
    write_u128(&mut c, dst, fee, "ic0.cost_http_request_v2")
}

/// Defines `ic0.<name>` for each threshold scheme `name` with the number
/// of curves (or algorithms) it knows.
macro_rules! threshold_costs {
    ($($name:ident: $curves:expr),* $(,)?) => {$(
        pub(super) fn $name(
            c: C<'_>,
            src: i32,
            size: i32,
            curve: i32,
            dst: i32,
        ) -> Result<i32, Error> {
            threshold_cost(c, stringify!($name), $curves, (src, size, curve, dst))
        }
    )*};
}

threshold_costs! {
    // 0 = secp256k1.
    cost_sign_with_ecdsa: 1,
    // 0 = bip340secp256k1, 1 = ed25519.
    cost_sign_with_schnorr: 2,
    // 0 = bls12_381_g2.
    cost_vetkd_derive_key: 1,
}

/// `ic0.<name>` for a threshold scheme with `curves` known curves: writes
/// the fee for the key name at `src` and returns 0, or returns the error
/// code.
fn threshold_cost(
    mut c: C<'_>,
    name: &str,
    curves: u32,
    (src, size, curve, dst): (i32, i32, i32, i32),
) -> Result<i32, Error> {
    enter(&mut c, name)?;
    let key = read_bytes(&mut c, src, size, name)?;
    match threshold_fee((curve as u32) < curves, &key) {
        Ok(fee) => {
            write_u128(&mut c, dst, fee, name)?;
            Ok(0)
        }
        Err(code) => Ok(code),
    }
}

/// Fee for a sign/derive call with the given key name — the one the
/// management canister charges — or the error code (1: curve or
/// algorithm, 2: key name).
fn threshold_fee(curve_ok: bool, key_name: &[u8]) -> Result<u128, i32> {
    if !curve_ok {
        return Err(1);
    }
    std::str::from_utf8(key_name)
        .ok()
        .and_then(crate::threshold::signature_fee)
        .ok_or(2)
}

fn http_fee(request_size: u64, max_res_bytes: u64) -> u128 {
    // The IC's formula for a 13-node subnet.
    let n: u128 = 13;
    (3_000_000 + 60_000 * n) * n
        + 400 * n * u128::from(request_size)
        + 800 * n * u128::from(max_res_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_price_known_threshold_keys_and_reject_unknown_ones() {
        assert!(threshold_fee(true, b"dfx_test_key").is_ok());
        assert!(threshold_fee(true, b"test_key_1").is_ok());
        assert!(threshold_fee(true, b"key_1").is_ok());
        assert_eq!(threshold_fee(true, b"nope"), Err(2));
        assert_eq!(threshold_fee(false, b"key_1"), Err(1));
    }
}
