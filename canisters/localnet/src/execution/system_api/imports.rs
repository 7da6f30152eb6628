//! The table of `ic0` imports: every function the network provides, with
//! its wasm32 signature and the contexts (in the interface specification's
//! notation, as in `ic0.txt`) where it may be called, and the kinds of
//! message ([`Context`]) that notation names.
//!
//! Invariants: each name appears once; the linker defines exactly these
//! functions (a test in `execution` instantiates a module importing all of
//! them); a function is callable only in the contexts listed here.

/// A wasm value type, as the system API uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::execution) enum Ty {
    I32,
    I64,
}

/// One system API function.
pub(in crate::execution) struct ApiSpec {
    pub name: &'static str,
    pub params: &'static [Ty],
    pub results: &'static [Ty],
    /// The contexts where the function may be called, as in `ic0.txt`
    /// (`*` is every context).
    pub availability: &'static str,
}

const fn api(
    name: &'static str,
    params: &'static [Ty],
    results: &'static [Ty],
    availability: &'static str,
) -> ApiSpec {
    ApiSpec {
        name,
        params,
        results,
        availability,
    }
}

use Ty::{I32, I64};

/// Everything `ic0` provides (wasm32: the spec's `I` is `i32`).
pub(in crate::execution) const API: &[ApiSpec] = &[
    api("msg_arg_data_size", &[], &[I32], "I U RQ NRQ CQ Ry CRy F"),
    api(
        "msg_arg_data_copy",
        &[I32, I32, I32],
        &[],
        "I U RQ NRQ CQ Ry CRy F",
    ),
    api("msg_caller_size", &[], &[I32], "*"),
    api("msg_caller_copy", &[I32, I32, I32], &[], "*"),
    api(
        "msg_caller_info_data_size",
        &[],
        &[I32],
        "U RQ NRQ CQ Ry Rt CRy CRt C CC F",
    ),
    api(
        "msg_caller_info_data_copy",
        &[I32, I32, I32],
        &[],
        "U RQ NRQ CQ Ry Rt CRy CRt C CC F",
    ),
    api(
        "msg_caller_info_signer_size",
        &[],
        &[I32],
        "U RQ NRQ CQ Ry Rt CRy CRt C CC F",
    ),
    api(
        "msg_caller_info_signer_copy",
        &[I32, I32, I32],
        &[],
        "U RQ NRQ CQ Ry Rt CRy CRt C CC F",
    ),
    api("msg_reject_code", &[], &[I32], "Ry Rt CRy CRt"),
    api("msg_reject_msg_size", &[], &[I32], "Rt CRt"),
    api("msg_reject_msg_copy", &[I32, I32, I32], &[], "Rt CRt"),
    api("msg_deadline", &[], &[I64], "U RQ NRQ CQ Ry Rt CRy CRt"),
    api(
        "msg_reply_data_append",
        &[I32, I32],
        &[],
        "U RQ NRQ CQ Ry Rt CRy CRt",
    ),
    api("msg_reply", &[], &[], "U RQ NRQ CQ Ry Rt CRy CRt"),
    api("msg_reject", &[I32, I32], &[], "U RQ NRQ CQ Ry Rt CRy CRt"),
    api("msg_cycles_available128", &[I32], &[], "U RQ Rt Ry"),
    api("msg_cycles_refunded128", &[I32], &[], "Rt Ry"),
    api("msg_cycles_accept128", &[I64, I64, I32], &[], "U RQ Rt Ry"),
    api(
        "cycles_burn128",
        &[I64, I64, I32],
        &[],
        "I G U RQ Ry Rt C T",
    ),
    api("canister_self_size", &[], &[I32], "*"),
    api("canister_self_copy", &[I32, I32, I32], &[], "*"),
    api("canister_cycle_balance128", &[I32], &[], "*"),
    api("canister_liquid_cycle_balance128", &[I32], &[], "*"),
    api("canister_status", &[], &[I32], "*"),
    api("canister_version", &[], &[I64], "*"),
    api("subnet_self_size", &[], &[I32], "*"),
    api("subnet_self_copy", &[I32, I32, I32], &[], "*"),
    api("subnet_self_node_count", &[], &[I32], "*"),
    api("msg_method_name_size", &[], &[I32], "F"),
    api("msg_method_name_copy", &[I32, I32, I32], &[], "F"),
    api("accept_message", &[], &[], "F"),
    api(
        "call_new",
        &[I32, I32, I32, I32, I32, I32, I32, I32],
        &[],
        "U CQ Ry Rt CRy CRt T",
    ),
    api("call_on_cleanup", &[I32, I32], &[], "U CQ Ry Rt CRy CRt T"),
    api("call_data_append", &[I32, I32], &[], "U CQ Ry Rt CRy CRt T"),
    api(
        "call_with_best_effort_response",
        &[I32],
        &[],
        "U CQ Ry Rt CRy CRt T",
    ),
    api("call_cycles_add128", &[I64, I64], &[], "U Ry Rt T"),
    api("call_perform", &[], &[I32], "U CQ Ry Rt CRy CRt T"),
    api("stable64_size", &[], &[I64], "*"),
    api("stable64_grow", &[I64], &[I64], "*"),
    api("stable64_write", &[I64, I64, I64], &[], "*"),
    api("stable64_read", &[I64, I64, I64], &[], "*"),
    api("root_key_size", &[], &[I32], "I G U RQ Ry Rt C T"),
    api("root_key_copy", &[I32, I32, I32], &[], "I G U RQ Ry Rt C T"),
    api("certified_data_set", &[I32, I32], &[], "I G U Ry Rt T"),
    api("data_certificate_present", &[], &[I32], "*"),
    api("data_certificate_size", &[], &[I32], "NRQ CQ"),
    api("data_certificate_copy", &[I32, I32, I32], &[], "NRQ CQ"),
    api("time", &[], &[I64], "*"),
    api("global_timer_set", &[I64], &[I64], "I G U Ry Rt C T"),
    api("performance_counter", &[I32], &[I64], "*"),
    api("is_controller", &[I32, I32], &[I32], "*"),
    api("in_replicated_execution", &[], &[I32], "*"),
    api("cost_call", &[I64, I64, I32], &[], "*"),
    api("cost_create_canister", &[I32], &[], "*"),
    api("cost_http_request", &[I64, I64, I32], &[], "*"),
    api("cost_http_request_v2", &[I32, I32, I32], &[], "*"),
    api("cost_sign_with_ecdsa", &[I32, I32, I32, I32], &[I32], "*"),
    api("cost_sign_with_schnorr", &[I32, I32, I32, I32], &[I32], "*"),
    api("cost_vetkd_derive_key", &[I32, I32, I32, I32], &[I32], "*"),
    api("env_var_count", &[], &[I32], "*"),
    api("env_var_name_size", &[I32], &[I32], "*"),
    api("env_var_name_copy", &[I32, I32, I32, I32], &[], "*"),
    api("env_var_name_exists", &[I32, I32], &[I32], "*"),
    api("env_var_value_size", &[I32, I32], &[I32], "*"),
    api("env_var_value_copy", &[I32, I32, I32, I32, I32], &[], "*"),
    api("debug_print", &[I32, I32], &[], "*"),
    api("trap", &[I32, I32], &[], "*"),
];

/// The signature of `ic0.<name>`, if the network provides it.
pub(in crate::execution) fn signature(name: &str) -> Option<(&'static [Ty], &'static [Ty])> {
    API.iter()
        .find(|spec| spec.name == name)
        .map(|spec| (spec.params, spec.results))
}

/// The contexts where `ic0.<name>` may be called (none if unknown).
pub(super) fn availability(name: &str) -> &'static str {
    API.iter()
        .find(|spec| spec.name == name)
        .map_or("", |spec| spec.availability)
}

/// The kind of message running, named as in the interface specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::execution) enum Context {
    /// `canister_init`, `canister_post_upgrade`.
    Init,
    /// `canister_pre_upgrade`.
    PreUpgrade,
    Update,
    ReplicatedQuery,
    NonReplicatedQuery,
    CompositeQuery,
    ReplyCallback,
    RejectCallback,
    Cleanup,
    /// Global timer and heartbeat.
    SystemTask,
    InspectMessage,
}

impl Context {
    pub(super) fn code(self) -> &'static str {
        match self {
            Context::Init => "I",
            Context::PreUpgrade => "G",
            Context::Update => "U",
            Context::ReplicatedQuery => "RQ",
            Context::NonReplicatedQuery => "NRQ",
            Context::CompositeQuery => "CQ",
            Context::ReplyCallback => "Ry",
            Context::RejectCallback => "Rt",
            Context::Cleanup => "C",
            Context::SystemTask => "T",
            Context::InspectMessage => "F",
        }
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Context::Init => "canister_init or canister_post_upgrade",
            Context::PreUpgrade => "canister_pre_upgrade",
            Context::Update => "an update",
            Context::ReplicatedQuery => "a replicated query",
            Context::NonReplicatedQuery => "a non-replicated query",
            Context::CompositeQuery => "a composite query",
            Context::ReplyCallback => "a reply callback",
            Context::RejectCallback => "a reject callback",
            Context::Cleanup => "a cleanup callback",
            Context::SystemTask => "a timer or heartbeat",
            Context::InspectMessage => "canister_inspect_message",
        }
    }

    pub(super) fn allows(self, availability: &str) -> bool {
        availability
            .split_whitespace()
            .any(|code| code == "*" || code == self.code())
    }

    pub(super) fn replicated(self) -> bool {
        !matches!(
            self,
            Context::NonReplicatedQuery | Context::CompositeQuery | Context::InspectMessage
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_list_each_function_once() {
        let mut names: Vec<&str> = API.iter().map(|spec| spec.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn should_allow_calls_only_in_the_listed_contexts() {
        assert!(Context::Update.allows(availability("call_new")));
        assert!(!Context::NonReplicatedQuery.allows(availability("call_new")));
        assert!(!Context::Init.allows(availability("call_new")));
        assert!(Context::NonReplicatedQuery.allows(availability("data_certificate_size")));
        assert!(!Context::Update.allows(availability("data_certificate_size")));
        assert!(Context::Cleanup.allows(availability("time")));
        assert!(!Context::RejectCallback.allows(availability("msg_arg_data_size")));
    }
}
