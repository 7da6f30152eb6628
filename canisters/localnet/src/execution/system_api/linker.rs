//! Wires the `ic0` imports of [`API`](super::imports::API) to the functions
//! of the group modules, and nothing else: no semantics live here.
//!
//! Invariant: every function is defined under its own name
//! (`stringify!`), so the name in the table, the name in the linker and the
//! name of the function agree; a test in `execution` instantiates a module
//! importing every entry of the table.

use wasmi::{Error, Linker};

use super::host::{BlobSource, C, blob_copy, blob_size};
use super::state::HostState;
use super::{calls, certification, costs, cycles, debug, env_vars, ids, message, stable, time};

/// The `*_size`/`*_copy` pairs, with the bytes each pair reads.
const BLOBS: &[(&str, &str, BlobSource)] = &[
    ("msg_arg_data_size", "msg_arg_data_copy", message::arg_data),
    ("msg_caller_size", "msg_caller_copy", ids::caller),
    (
        "msg_caller_info_data_size",
        "msg_caller_info_data_copy",
        ids::caller_info,
    ),
    (
        "msg_caller_info_signer_size",
        "msg_caller_info_signer_copy",
        ids::caller_info,
    ),
    (
        "msg_reject_msg_size",
        "msg_reject_msg_copy",
        message::reject_message,
    ),
    (
        "msg_method_name_size",
        "msg_method_name_copy",
        message::method_name,
    ),
    (
        "canister_self_size",
        "canister_self_copy",
        ids::canister_self,
    ),
    ("subnet_self_size", "subnet_self_copy", ids::subnet_self),
    ("root_key_size", "root_key_copy", certification::root_key),
    (
        "data_certificate_size",
        "data_certificate_copy",
        certification::data_certificate,
    ),
];

/// Defines `ic0.<name>` as `<group>::<name>` for every name listed.
macro_rules! define {
    ($linker:ident; $($group:ident::{$($name:ident),* $(,)?});* $(;)?) => {
        $($($linker.func_wrap("ic0", stringify!($name), $group::$name)?;)*)*
    };
}

/// Defines every function of [`API`](super::imports::API) in `linker`.
pub(in crate::execution) fn define_all(linker: &mut Linker<HostState>) -> Result<(), Error> {
    for &(size_name, copy_name, source) in BLOBS {
        define_blob(linker, size_name, copy_name, source)?;
    }
    define!(linker;
        message::{
            msg_reject_code,
            msg_deadline,
            accept_message,
            msg_reply_data_append,
            msg_reply,
            msg_reject,
        };
        cycles::{
            msg_cycles_available128,
            msg_cycles_refunded128,
            msg_cycles_accept128,
            cycles_burn128,
            canister_cycle_balance128,
            canister_liquid_cycle_balance128,
        };
        ids::{
            canister_status,
            canister_version,
            subnet_self_node_count,
            is_controller,
            in_replicated_execution,
        };
        calls::{
            call_new,
            call_on_cleanup,
            call_data_append,
            call_with_best_effort_response,
            call_cycles_add128,
            call_perform,
        };
        stable::{stable64_size, stable64_grow, stable64_write, stable64_read};
        certification::{certified_data_set, data_certificate_present};
        time::{time, global_timer_set, performance_counter};
        costs::{
            cost_call,
            cost_create_canister,
            cost_http_request,
            cost_http_request_v2,
            cost_sign_with_ecdsa,
            cost_sign_with_schnorr,
            cost_vetkd_derive_key,
        };
        env_vars::{
            env_var_count,
            env_var_name_size,
            env_var_name_copy,
            env_var_name_exists,
            env_var_value_size,
            env_var_value_copy,
        };
        debug::{debug_print, trap};
    );
    Ok(())
}

fn define_blob(
    linker: &mut Linker<HostState>,
    size_name: &'static str,
    copy_name: &'static str,
    source: BlobSource,
) -> Result<(), Error> {
    linker.func_wrap("ic0", size_name, move |mut c: C<'_>| {
        blob_size(&mut c, size_name, source)
    })?;
    linker.func_wrap(
        "ic0",
        copy_name,
        move |mut c: C<'_>, dst: i32, offset: i32, size: i32| {
            blob_copy(&mut c, copy_name, source, (dst, offset, size))
        },
    )?;
    Ok(())
}
