use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::*;
use crate::authorize::request::MAX_TIME_TO_LIVE_NANOS;
use crate::authorize::session_key::tests::{ed25519_spki, p256_spki};

fn key() -> String {
    STANDARD.encode(ed25519_spki())
}

fn read(method: &str, params: Value) -> Result<Request, SignerError> {
    Incoming::read(method, &params).map(|incoming| incoming.request)
}

fn invalid(method: &str, params: Value) -> String {
    match read(method, params) {
        Err(error @ SignerError::InvalidParams(_)) => error.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn should_read_the_methods_without_params_with_or_without_them() {
    for (method, request) in [
        ("icrc25_supported_standards", Request::SupportedStandards),
        ("icrc25_permissions", Request::Permissions),
        ("icrc27_accounts", Request::Accounts),
    ] {
        assert_eq!(read(method, json!([])), Ok(request.clone()));
        assert_eq!(read(method, json!({})), Ok(request.clone()));
        assert_eq!(read(method, json!({ "extra": 1 })), Ok(request));
    }
}

#[test]
fn should_refuse_params_that_are_not_an_object() {
    for params in [json!([1]), json!("x"), json!(3)] {
        assert!(invalid("icrc27_accounts", params).contains("object"));
    }
}

#[test]
fn should_answer_2000_for_methods_sigil_does_not_serve() {
    for method in ["icrc7_transfer", "eth_accounts", "ICRC25_PERMISSIONS", ""] {
        assert_eq!(
            read(method, json!({}))
                .expect_err("an error of the test")
                .code(),
            2000,
            "{method}"
        );
    }
    let long = "m".repeat(10_000);
    assert!(
        read(&long, json!({}))
            .expect_err("an error of the test")
            .to_string()
            .len()
            < 200
    );
}

#[test]
fn should_keep_only_supported_scopes_each_once_in_order() {
    let params = json!({ "scopes": [
        { "method": "icrc49_call_canister" },
        { "method": "icrc7_transfer" },
        { "method": "icrc27_accounts", "extra": true },
        { "method": "icrc49_call_canister" },
    ]});
    assert_eq!(
        read("icrc25_request_permissions", params),
        Ok(Request::RequestPermissions(vec![
            Scope::Accounts,
            Scope::CallCanister
        ]))
    );
    assert_eq!(
        read("icrc25_request_permissions", json!({ "scopes": [] })),
        Ok(Request::RequestPermissions(vec![]))
    );
}

#[test]
fn should_refuse_malformed_or_unbounded_scopes() {
    for params in [
        json!({}),
        json!({ "scopes": {} }),
        json!({ "scopes": ["icrc27_accounts"] }),
        json!({ "scopes": [{ "method": 27 }] }),
        json!({ "scopes": vec![json!({ "method": "icrc27_accounts" }); MAX_REQUESTED_SCOPES + 1] }),
    ] {
        assert!(invalid("icrc25_request_permissions", params).contains("scope"));
    }
}

#[test]
fn should_read_a_relying_party_delegation_with_the_default_lifetime() {
    let Ok(Request::Delegation(request)) = read("icrc34_delegation", json!({ "publicKey": key() }))
    else {
        panic!()
    };
    assert_eq!(request.session_key.der(), ed25519_spki());
    assert_eq!(request.time_to_live_nanos, DEFAULT_TIME_TO_LIVE_NANOS);
    assert_eq!(request.targets, None);
}

#[test]
fn should_bound_the_lifetime_as_authorize_does() {
    let lifetime = |ttl: &str| match read(
        "icrc34_delegation",
        json!({ "publicKey": key(), "maxTimeToLive": ttl }),
    ) {
        Ok(Request::Delegation(request)) => request.time_to_live_nanos,
        other => panic!("{other:?}"),
    };
    assert_eq!(lifetime("1"), 1);
    assert_eq!(lifetime("28800000000000"), 28_800_000_000_000);
    assert_eq!(
        lifetime(&format!("1{}", "0".repeat(29))),
        MAX_TIME_TO_LIVE_NANOS
    );
    for ttl in [
        json!("0"),
        json!(""),
        json!("-1"),
        json!("1e9"),
        json!(" 1"),
        json!(1000),
    ] {
        let params = json!({ "publicKey": key(), "maxTimeToLive": ttl });
        assert!(invalid("icrc34_delegation", params).contains("maxTimeToLive"));
    }
}

#[test]
fn should_refuse_keys_the_ic_cannot_use_as_session_keys() {
    for public_key in [
        json!(null),
        json!(42),
        json!("not base64!"),
        json!(STANDARD.encode([1, 2, 3])),
        json!(STANDARD.encode(vec![0; 10_000])),
    ] {
        let params = json!({ "publicKey": public_key });
        assert!(invalid("icrc34_delegation", params).contains("publicKey"));
    }
    assert!(invalid("icrc34_delegation", json!({})).contains("publicKey"));
    let p256 = json!({ "publicKey": STANDARD.encode(p256_spki()) });
    assert!(matches!(
        read("icrc34_delegation", p256),
        Ok(Request::Delegation(_))
    ));
}

#[test]
fn should_read_targets_as_distinct_principals() {
    let ledger = "ryjl3-tyaaa-aaaaa-aaaba-cai";
    let params = json!({ "publicKey": key(), "targets": [ledger, ledger, "aaaaa-aa"] });
    let Ok(Request::Delegation(request)) = read("icrc34_delegation", params) else {
        panic!()
    };
    let targets: Vec<String> = request
        .targets
        .expect("a value of the test")
        .iter()
        .map(|p| p.to_text())
        .collect();
    assert_eq!(targets, [ledger, "aaaaa-aa"]);
    for targets in [
        json!([]),
        json!("aaaaa-aa"),
        json!(["not a principal"]),
        json!([7]),
    ] {
        let params = json!({ "publicKey": key(), "targets": targets });
        assert!(invalid("icrc34_delegation", params).contains("target"));
    }
}

#[test]
fn should_read_a_derivation_origin_on_any_request() {
    let origin = "https://abcde-aaaaa-aaaaa-aaaaa-cai.icp0.io";
    let incoming = Incoming::read(
        "icrc27_accounts",
        &json!({ "icrc95DerivationOrigin": origin }),
    )
    .expect("a value of the test");
    assert_eq!(incoming.derivation_origin.as_deref(), Some(origin));
    for bad in [json!(1), json!("x".repeat(MAX_ORIGIN_LEN + 1))] {
        let params = json!({ "icrc95DerivationOrigin": bad });
        assert!(invalid("icrc25_permissions", params).contains("icrc95DerivationOrigin"));
    }
}

#[test]
fn should_name_the_scope_each_request_needs() {
    assert_eq!(Request::Accounts.scope(), Some(Scope::Accounts));
    assert_eq!(Request::Permissions.scope(), None);
    assert_eq!(Request::SupportedStandards.scope(), None);
    assert_eq!(Request::RequestPermissions(vec![]).scope(), None);
}
