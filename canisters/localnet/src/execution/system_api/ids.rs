//! Who is involved and where: the caller (`msg_caller_*`, and the empty
//! caller info), the canister (`canister_self_*`, `canister_status`,
//! `canister_version`, `is_controller`), its subnet (`subnet_self_*`,
//! `subnet_self_node_count`) and whether execution is replicated.
//!
//! Invariants: everything here reads the message's environment and changes
//! nothing; the canister is always running (messages only execute on running
//! or stopping canisters) and the subnet has one node.

use std::borrow::Cow;

use wasmi::Error;

use super::host::{C, enter, msg, principal_of, read_bytes};
use super::state::MessageState;

/// What `msg_caller_*` reads.
pub(super) fn caller(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(m.env.caller.as_slice()))
}

/// What `msg_caller_info_data_*` and `msg_caller_info_signer_*` read:
/// nothing, as this network attaches no caller info.
pub(super) fn caller_info(_: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(&[]))
}

/// What `canister_self_*` reads.
pub(super) fn canister_self(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(m.env.canister_id.as_slice()))
}

/// `subnet_self_*` trap.
pub(super) fn subnet_self(_: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Err("ic0.subnet_self is not supported by this network".to_string())
}

pub(super) fn canister_status(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "canister_status")?;
    // Running: messages only execute on running (or stopping) canisters.
    Ok(1)
}

pub(super) fn canister_version(mut c: C<'_>) -> Result<i64, Error> {
    enter(&mut c, "canister_version")?;
    Ok(msg(&c)?.env.canister_version as i64)
}

pub(super) fn subnet_self_node_count(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "subnet_self_node_count")?;
    Ok(1)
}

pub(super) fn is_controller(mut c: C<'_>, src: i32, size: i32) -> Result<i32, Error> {
    enter(&mut c, "is_controller")?;
    let bytes = read_bytes(&mut c, src, size, "ic0.is_controller")?;
    let principal = principal_of(&bytes, "ic0.is_controller")?;
    Ok(i32::from(msg(&c)?.env.controllers.contains(&principal)))
}

pub(super) fn in_replicated_execution(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "in_replicated_execution")?;
    Ok(i32::from(msg(&c)?.context.replicated()))
}
