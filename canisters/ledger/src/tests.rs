//! The checked-in `.did`, the canister's exported interface and the method
//! descriptors of `sigil_api::ledger` must all say the same.

use candid_parser::utils::{CandidSource, service_equal};
use sigil_api::icrc21::Icrc21ConsentMessage;
use sigil_api::ledger::{
    Icrc1BalanceOf, Icrc1Fee, Icrc1Transfer, Icrc2Allowance, Icrc2Approve, Icrc2TransferFrom,
};
use sigil_api::method::ServiceDescription;

const CHECKED_IN: &str = include_str!("../ledger.did");

#[test]
fn should_match_the_checked_in_candid_interface() {
    let exported = crate::__export_service();
    service_equal(
        CandidSource::Text(CHECKED_IN),
        CandidSource::Text(&exported),
    )
    .unwrap_or_else(|error| panic!("ledger.did differs from the canister: {error:?}\n{exported}"));
}

#[test]
fn should_describe_its_methods_as_the_canister_exports_them() {
    let described = ServiceDescription::default()
        .with::<Icrc1Transfer>()
        .with::<Icrc1BalanceOf>()
        .with::<Icrc1Fee>()
        .with::<Icrc2Approve>()
        .with::<Icrc2TransferFrom>()
        .with::<Icrc2Allowance>()
        .with::<Icrc21ConsentMessage>()
        .into_candid();
    // The descriptors name some of the methods: each must be in the
    // exported service with the same type.
    let exported = crate::__export_service();
    let methods_only = exported.replace("service : (LedgerInit) ->", "service :");
    candid_parser::utils::service_compatible(
        CandidSource::Text(&methods_only),
        CandidSource::Text(&described),
    )
    .unwrap_or_else(|error| {
        panic!("the descriptors differ from the canister: {error:?}\n{described}")
    });
}
