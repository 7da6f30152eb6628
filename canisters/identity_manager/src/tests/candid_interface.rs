//! The checked-in `.did`, the canister's exported interface and the
//! method descriptors of `sigil_api` must all say the same.

use candid_parser::utils::{CandidSource, service_equal};
use sigil_api::identity_manager::{
    AddDevice, ApproveSignature, CancelPolicyChange, ConfirmDevice, Connect, CreateAccount,
    CredentialIds, Disconnect, GetAddresses, GetConnections, GetDelegation, GetPolicy,
    GetPrincipal, GetRegistrationRequirement, GetSignatureLog, GetStats, ListDevices,
    LookupCredentialId, PrepareDelegation, PrepareSignature, RemoveDevice, RenameDevice, SetPolicy,
    SetTwoFactor, TwoFactor,
};
use sigil_api::method::ServiceDescription;

const CHECKED_IN: &str = include_str!("../../identity_manager.did");

#[test]
fn should_match_the_checked_in_candid_interface() {
    let exported = crate::__export_service();
    service_equal(
        CandidSource::Text(CHECKED_IN),
        CandidSource::Text(&exported),
    )
    .unwrap_or_else(|error| {
        panic!("identity_manager.did differs from the canister's interface: {error:?}\n{exported}")
    });
}

#[test]
fn should_describe_every_method_exactly_as_the_canister_exports_it() {
    let described = ServiceDescription::default()
        .with::<CreateAccount>()
        .with::<AddDevice>()
        .with::<ConfirmDevice>()
        .with::<RenameDevice>()
        .with::<RemoveDevice>()
        .with::<ListDevices>()
        .with::<LookupCredentialId>()
        .with::<CredentialIds>()
        .with::<SetTwoFactor>()
        .with::<TwoFactor>()
        .with::<GetPrincipal>()
        .with::<PrepareDelegation>()
        .with::<GetDelegation>()
        .with::<GetStats>()
        .with::<GetRegistrationRequirement>()
        .with::<GetAddresses>()
        .with::<PrepareSignature>()
        .with::<ApproveSignature>()
        .with::<GetSignatureLog>()
        .with::<GetPolicy>()
        .with::<SetPolicy>()
        .with::<CancelPolicyChange>()
        .with::<Connect>()
        .with::<GetConnections>()
        .with::<Disconnect>()
        .into_candid();
    // The service's init argument is not a method; compare methods only.
    let exported = crate::__export_service();
    let methods_only = exported.replace("service : (opt InitArgs) ->", "service :");
    service_equal(
        CandidSource::Text(&described),
        CandidSource::Text(&methods_only),
    )
    .unwrap_or_else(|error| {
        panic!("the descriptors differ from the canister: {error:?}\n{described}")
    });
}
