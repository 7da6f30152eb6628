//! The checked-in `.did`, the canister's exported interface and the
//! method descriptors of `sigil_api` must all say the same.

use candid::types::internal::TypeContainer;
use candid::types::{FuncMode, Function, TypeInner};
use candid_parser::utils::{CandidSource, service_equal};
use sigil_api::identity_manager::{
    AddDevice, CallKind, ConfirmDevice, CreateAccount, CredentialIds, GetDelegation, GetPrincipal,
    GetRegistrationRequirement, GetStats, ListDevices, LookupCredentialId, Method,
    PrepareDelegation, RemoveDevice, RenameDevice, SetTwoFactor, TwoFactor,
};

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

/// Collects the descriptors into one Candid service.
#[derive(Default)]
struct Service {
    types: TypeContainer,
    methods: Vec<(String, candid::types::Type)>,
}

impl Service {
    fn add<M: Method>(mut self) -> Self {
        let args = self.types.add::<M::Args>();
        let response = self.types.add::<M::Response>();
        let modes = match M::KIND {
            CallKind::Query => vec![FuncMode::Query],
            CallKind::Update => vec![],
        };
        let function = Function {
            modes,
            args: vec![args],
            rets: vec![response],
        };
        self.methods
            .push((M::NAME.to_string(), TypeInner::Func(function).into()));
        self
    }

    fn into_candid(mut self) -> String {
        self.methods.sort_by(|a, b| a.0.cmp(&b.0));
        let service: candid::types::Type = TypeInner::Service(self.methods).into();
        candid::pretty::candid::compile(&self.types.env, &Some(service))
    }
}

#[test]
fn should_describe_every_method_exactly_as_the_canister_exports_it() {
    let described = Service::default()
        .add::<CreateAccount>()
        .add::<AddDevice>()
        .add::<ConfirmDevice>()
        .add::<RenameDevice>()
        .add::<RemoveDevice>()
        .add::<ListDevices>()
        .add::<LookupCredentialId>()
        .add::<CredentialIds>()
        .add::<SetTwoFactor>()
        .add::<TwoFactor>()
        .add::<GetPrincipal>()
        .add::<PrepareDelegation>()
        .add::<GetDelegation>()
        .add::<GetStats>()
        .add::<GetRegistrationRequirement>()
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
