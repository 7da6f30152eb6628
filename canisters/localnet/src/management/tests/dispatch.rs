//! Who may call which method: ingress filtering, `raw_rand`, unknown
//! methods and malformed Candid.

use super::*;

#[test]
fn threshold_methods_and_raw_rand_are_rejected_from_ingress() {
    let mut context = FakeContext::new();
    let unit = Encode!().unwrap();
    for method in [
        "raw_rand",
        "ecdsa_public_key",
        "sign_with_ecdsa",
        "schnorr_public_key",
        "sign_with_schnorr",
        "create_canister",
        "deposit_cycles",
        "canister_info",
    ] {
        let error = dispatch(&mut context, ingress(), method, &unit, 0).unwrap_err();
        assert_eq!(error.code, RejectCode::CanisterReject, "{method}");
        assert_eq!(error.error_code.as_deref(), Some("IC0406"));
        assert_eq!(
            error.message,
            format!("Only canisters can call ic00 method {method}")
        );
    }
}

#[test]
fn raw_rand_from_a_canister_returns_32_random_bytes() {
    let mut context = FakeContext::new();
    let reply = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "raw_rand",
        &Encode!().unwrap(),
        0,
    )
    .unwrap();
    let bytes = Decode!(&reply, serde_bytes::ByteBuf).unwrap();
    assert_eq!(bytes.as_slice(), &[1u8; 32]);
}

#[test]
fn an_unknown_method_is_rejected_with_the_ic_error() {
    let mut context = FakeContext::new();
    let error = dispatch(&mut context, ingress(), "start", &Encode!().unwrap(), 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);
    assert_eq!(error.error_code.as_deref(), Some("IC0536"));
    assert_eq!(error.message, "Management canister has no method 'start'");
}

#[test]
fn check_ingress_filters_like_the_ic() {
    let (context, canister) = FakeContext::with_canister(vec![user()]);
    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: canister
    })
    .unwrap();
    check_ingress(&context, &user(), "canister_status", &record).unwrap();
    check_ingress(
        &context,
        &user(),
        "provisional_create_canister_with_cycles",
        &[],
    )
    .unwrap();
    let stranger = Principal::anonymous();
    assert!(check_ingress(&context, &stranger, "stop_canister", &record).is_err());
    assert_eq!(
        check_ingress(&context, &user(), "raw_rand", &[])
            .unwrap_err()
            .message,
        "Only canisters can call ic00 method raw_rand"
    );
    assert!(check_ingress(&context, &user(), "nope", &[]).is_err());
    assert!(check_ingress(&context, &user(), "install_code", b"junk").is_err());
    assert_eq!(
        effective_canister_id("canister_status", &record),
        Some(canister)
    );
    assert_eq!(effective_canister_id("raw_rand", &record), None);
}

#[test]
fn malformed_candid_is_rejected_as_an_invalid_payload() {
    let (mut context, _) = FakeContext::with_canister(vec![user()]);
    let error = dispatch(&mut context, ingress(), "install_code", &[1, 2, 3], 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
    assert_eq!(error.error_code.as_deref(), Some("IC0408"));
    assert!(
        error.message.starts_with("Error decoding candid"),
        "{}",
        error.message
    );
    // A well-formed argument of the wrong type, too.
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "sign_with_ecdsa",
        &Encode!(&42u64).unwrap(),
        FEE,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0408"));
}
