//! The rejects the replica itself produces, worded and coded as the IC's
//! (reject codes from the interface specification, `IC0xxx` error codes from
//! the replica).

use candid::Principal;

use crate::messages::{Reject, RejectCode};

pub(crate) fn canister_not_found(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::DestinationInvalid,
        "IC0301",
        format!("Canister {id} not found"),
    )
}

pub(crate) fn no_wasm_module(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0537",
        format!(
            "Error from Canister {id}: Attempted to execute a message, but the canister contains no Wasm module."
        ),
    )
}

pub(crate) fn no_update_method(id: &Principal, method: &str) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0536",
        format!("Error from Canister {id}: Canister has no update method '{method}'."),
    )
}

pub(crate) fn no_query_method(id: &Principal, method: &str) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0536",
        format!("Error from Canister {id}: Canister has no query method '{method}'."),
    )
}

pub(crate) fn stopped(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0508",
        format!("Canister {id} is stopped"),
    )
}

pub(crate) fn stopped_query(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0508",
        format!("Canister {id} is stopped and therefore does not have a CallContextManager"),
    )
}

pub(crate) fn stopping(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0509",
        format!("Canister {id} is stopping"),
    )
}

pub(crate) fn trapped(id: &Principal, message: &str) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0503",
        format!("Canister {id} trapped: {message}"),
    )
}

pub(crate) fn instruction_limit(id: &Principal, limit: u64) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0522",
        format!(
            "Canister {id} trapped: instruction limit exceeded (limit {limit} instructions for a single message execution)"
        ),
    )
}

pub(crate) fn did_not_reply(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0506",
        format!("Canister {id} did not produce a response"),
    )
}

pub(crate) fn inspect_message_rejected(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterReject,
        "IC0406",
        format!("Error from Canister {id}: Canister rejected the message"),
    )
}

pub(crate) fn uninstalled(id: &Principal) -> Reject {
    Reject {
        code: RejectCode::CanisterReject,
        message: format!("Canister {id} has been uninstalled."),
        error_code: None,
    }
}

pub(crate) fn invalid_wasm(id: &Principal, reason: &str) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0505",
        format!("Error from Canister {id}: Canister's Wasm module is not valid: {reason}"),
    )
}

pub(crate) fn not_empty(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0538",
        format!(
            "Canister {id} cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead."
        ),
    )
}

pub(crate) fn not_stopped(id: &Principal) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0510",
        format!("Canister {id} must be stopped before it is deleted."),
    )
}

pub(crate) fn insufficient_cycles(id: &Principal, needed: u128, balance: u128) -> Reject {
    Reject::system(
        RejectCode::SysTransient,
        "IC0501",
        format!(
            "Canister {id} is out of cycles: please top up the canister with at least {} additional cycles",
            needed.saturating_sub(balance)
        ),
    )
}

pub(crate) fn invalid_specified_id(id: &Principal, reason: &str) -> Reject {
    Reject::system(
        RejectCode::DestinationInvalid,
        "IC0301",
        format!("The specified_id {id} is invalid: {reason}"),
    )
}

pub(crate) fn subnet_full() -> Reject {
    Reject::system(
        RejectCode::SysTransient,
        "IC0102",
        "Could not create canister: the subnet has allocated all canister ids in its range",
    )
}

pub(crate) fn composite_query_calls() -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0504",
        "Calls from queries (composite queries) are not supported by this network",
    )
}
