//! The `ic0` system API, as the `ic0` crate (1.1 and 1.2, used by ic-cdk
//! 0.20) imports it for wasm32 canisters.
//!
//! Invariants:
//! - [`API`] lists every function the network provides, with its wasm32
//!   signature and the contexts (in the interface specification's notation)
//!   where it may be called; [`define_all`] defines exactly these, and a
//!   unit test checks that the two agree.
//! - A call outside its contexts, any out-of-bounds heap or stable access,
//!   and any malformed argument is a trap ([`Trap`]) — never a panic.
//! - What a message accumulates on the host side is bounded, whatever its
//!   instruction budget: replies, reject messages and call arguments by
//!   [`MAX_PAYLOAD_BYTES`], outgoing calls by [`MAX_CALLS_PER_MESSAGE`],
//!   `debug_print` output and trap messages by `MAX_DEBUG_PRINT`.
//! - All effects of a message are collected in [`MessageState`]; the runtime
//!   applies them only when the message completes without trapping.
//!   Stable memory is written in place, and the original of every 4 KiB page
//!   that existed before the message is kept in [`MessageState::stable_undo`]
//!   the first time the page is written.

use std::collections::{BTreeMap, BTreeSet};

use candid::Principal;
use wasmi::{Caller, Error, Linker, Memory, StoreLimits};

use super::{Callback, MessageEnv, OutgoingCall, Response};

/// Size of a wasm (and stable memory) page.
pub(super) const WASM_PAGE: u64 = 65_536;
/// Granularity of stable memory dirty tracking and undo.
pub(super) const STABLE_PAGE: usize = 4096;
/// Instructions charged for every system API call.
const API_BASE_COST: u64 = 50;
/// Longest message `debug_print` prints, and longest trap message kept
/// (it becomes a reject message, stored with the request's status).
const MAX_DEBUG_PRINT: usize = 32 * 1024;
/// Largest certified data.
const MAX_CERTIFIED_DATA: usize = 32;
/// Largest reply, reject message or call argument a message may assemble
/// (the IC's inter-canister payload limit, 2 MiB): `msg_reply_data_append`,
/// `msg_reject` and `call_data_append` trap beyond it.
pub const MAX_PAYLOAD_BYTES: u64 = 2 * 1024 * 1024;
/// Most calls one message may make (the IC's output queue capacity); a
/// further `call_perform` returns 2 (`SYS_TRANSIENT`), as on a full queue.
pub const MAX_CALLS_PER_MESSAGE: usize = 500;
/// Longest best-effort call timeout, in seconds.
const MAX_CALL_TIMEOUT: u32 = 300;

/// A wasm value type, as the system API uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    I32,
    I64,
}

/// One system API function.
pub(super) struct ApiSpec {
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
pub(super) const API: &[ApiSpec] = &[
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
pub(super) fn signature(name: &str) -> Option<(&'static [Ty], &'static [Ty])> {
    API.iter()
        .find(|spec| spec.name == name)
        .map(|spec| (spec.params, spec.results))
}

fn availability(name: &str) -> &'static str {
    API.iter()
        .find(|spec| spec.name == name)
        .map_or("", |spec| spec.availability)
}

/// The kind of message running, named as in the interface specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
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
    fn code(self) -> &'static str {
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

    fn describe(self) -> &'static str {
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

    fn allows(self, availability: &str) -> bool {
        availability
            .split_whitespace()
            .any(|code| code == "*" || code == self.code())
    }

    fn replicated(self) -> bool {
        !matches!(
            self,
            Context::NonReplicatedQuery | Context::CompositeQuery | Context::InspectMessage
        )
    }
}

/// A trap raised by the system API (or the runtime on its behalf).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Trap(pub String);

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl wasmi::errors::HostError for Trap {}

pub(super) fn trap(message: impl Into<String>) -> Error {
    Error::host(Trap(message.into()))
}

pub(super) fn instruction_limit_message(limit: u64) -> String {
    format!("Canister exceeded the limit of {limit} instructions for single message execution.")
}

/// A call being assembled between `call_new` and `call_perform`.
struct PendingCall {
    callee: Principal,
    method_name: String,
    arg: Vec<u8>,
    cycles: u128,
    on_reply: Callback,
    on_reject: Callback,
    on_cleanup: Option<Callback>,
    timeout_seconds: Option<u32>,
}

/// The system's view of one running message, and its effects so far.
pub(super) struct MessageState {
    pub context: Context,
    pub env: MessageEnv,
    /// The method name (inspect message).
    pub method_name: String,
    /// What `msg_arg_data_*` reads: the argument or the reply payload.
    pub arg: Vec<u8>,
    /// Reject code and message (reject callbacks; code 0 in reply callbacks).
    pub reject: Option<(u32, String)>,
    pub reply_buf: Vec<u8>,
    pub response: Option<Response>,
    pub calls: Vec<OutgoingCall>,
    pending: Option<PendingCall>,
    pub certified_data: Option<Vec<u8>>,
    pub global_timer: Option<u64>,
    pub cycles_accepted: u128,
    /// Cycles moved from the balance into calls (performed or pending).
    cycles_attached: u128,
    pub message_accepted: bool,
    /// Original contents of stable pages (below `stable_len_before`)
    /// written by this message.
    pub stable_undo: BTreeMap<u64, Vec<u8>>,
    /// Every stable page (4 KiB index) this message wrote.
    pub stable_written: BTreeSet<u64>,
    pub stable_len_before: usize,
    /// Fuel given to the message.
    pub fuel_limit: u64,
}

impl MessageState {
    pub(super) fn new(
        context: Context,
        env: MessageEnv,
        method_name: String,
        arg: Vec<u8>,
        reject: Option<(u32, String)>,
        stable_len_before: usize,
    ) -> Self {
        let fuel_limit = env.instruction_limit;
        MessageState {
            context,
            env,
            method_name,
            arg,
            reject,
            reply_buf: Vec::new(),
            response: None,
            calls: Vec::new(),
            pending: None,
            certified_data: None,
            global_timer: None,
            cycles_accepted: 0,
            cycles_attached: 0,
            message_accepted: false,
            stable_undo: BTreeMap::new(),
            stable_written: BTreeSet::new(),
            stable_len_before,
            fuel_limit,
        }
    }

    fn balance(&self) -> u128 {
        self.env
            .cycles_balance
            .saturating_add(self.cycles_accepted)
            .saturating_sub(self.cycles_attached)
    }

    fn can_respond(&self) -> bool {
        self.env.can_reply && self.response.is_none()
    }
}

/// The data of a canister's wasmi store.
pub(super) struct HostState {
    pub memory: Option<Memory>,
    pub limits: StoreLimits,
    pub stable: Vec<u8>,
    pub msg: Option<Box<MessageState>>,
    /// Canister id for `debug_print` outside messages.
    pub canister_label: String,
}

type C<'a> = Caller<'a, HostState>;

fn msg<'a>(caller: &'a C<'_>) -> Result<&'a MessageState, Error> {
    caller
        .data()
        .msg
        .as_deref()
        .ok_or_else(|| trap("the system API is not available outside a message"))
}

fn msg_mut<'a>(caller: &'a mut C<'_>) -> Result<&'a mut MessageState, Error> {
    caller
        .data_mut()
        .msg
        .as_deref_mut()
        .ok_or_else(|| trap("the system API is not available outside a message"))
}

/// Charges `amount` instructions, trapping at the message's limit.
fn charge(caller: &mut C<'_>, amount: u64) -> Result<(), Error> {
    let limit = msg(caller)?.fuel_limit;
    let fuel = caller.get_fuel()?;
    if fuel < amount {
        caller.set_fuel(0)?;
        return Err(trap(instruction_limit_message(limit)));
    }
    caller.set_fuel(fuel - amount)?;
    Ok(())
}

/// Checks that `ic0.<name>` may be called now and charges its base cost.
fn enter(caller: &mut C<'_>, name: &str) -> Result<(), Error> {
    let context = msg(caller)?.context;
    if !context.allows(availability(name)) {
        return Err(trap(format!(
            "\"ic0.{name}\" cannot be executed in {}",
            context.describe()
        )));
    }
    charge(caller, API_BASE_COST)
}

fn oob(what: &str) -> Error {
    trap(format!("{what}: heap out of bounds"))
}

fn heap_range(
    len: usize,
    start: u64,
    size: u64,
    what: &str,
) -> Result<std::ops::Range<usize>, Error> {
    let end = start.checked_add(size).ok_or_else(|| oob(what))?;
    let start = usize::try_from(start).map_err(|_| oob(what))?;
    let end = usize::try_from(end).map_err(|_| oob(what))?;
    if end > len {
        return Err(oob(what));
    }
    Ok(start..end)
}

fn memory(caller: &C<'_>) -> Result<Memory, Error> {
    caller
        .data()
        .memory
        .ok_or_else(|| trap("the canister has no memory"))
}

/// Reads `size` bytes at `src` from the heap.
fn read_heap(caller: &mut C<'_>, src: u64, size: u64, what: &str) -> Result<Vec<u8>, Error> {
    charge(caller, size)?;
    let memory = memory(caller)?;
    let data = memory.data(&*caller);
    let range = heap_range(data.len(), src, size, what)?;
    Ok(data[range].to_vec())
}

/// Writes `bytes` to the heap at `dst`.
fn write_heap(caller: &mut C<'_>, dst: u64, bytes: &[u8], what: &str) -> Result<(), Error> {
    charge(caller, bytes.len() as u64)?;
    let memory = memory(caller)?;
    let data = memory.data_mut(&mut *caller);
    let range = heap_range(data.len(), dst, bytes.len() as u64, what)?;
    data[range].copy_from_slice(bytes);
    Ok(())
}

fn write_u128(caller: &mut C<'_>, dst: u32, value: u128, what: &str) -> Result<(), Error> {
    write_heap(caller, u64::from(dst), &value.to_le_bytes(), what)
}

/// Copies `source[offset..offset + size]` to the heap at `dst`.
fn copy_out(
    caller: &mut C<'_>,
    source: &[u8],
    dst: u32,
    offset: u32,
    size: u32,
    name: &str,
) -> Result<(), Error> {
    let start = offset as usize;
    let end = start
        .checked_add(size as usize)
        .filter(|end| *end <= source.len())
        .ok_or_else(|| {
            trap(format!(
                "ic0.{name}: offset {offset} + size {size} exceeds the length {}",
                source.len()
            ))
        })?;
    write_heap(
        caller,
        u64::from(dst),
        &source[start..end],
        &format!("ic0.{name}"),
    )
}

/// Traps unless `held + size` bytes fit in [`MAX_PAYLOAD_BYTES`]; checked
/// before the bytes are read, so nothing is allocated beyond it.
fn check_payload(held: usize, size: u32, name: &str) -> Result<(), Error> {
    let total = (held as u64).saturating_add(u64::from(size));
    if total > MAX_PAYLOAD_BYTES {
        return Err(trap(format!(
            "ic0.{name}: application payload size ({total}) cannot be larger than {MAX_PAYLOAD_BYTES}"
        )));
    }
    Ok(())
}

fn u128_of(high: i64, low: i64) -> u128 {
    (u128::from(high as u64) << 64) | u128::from(low as u64)
}

fn principal_of(bytes: &[u8], what: &str) -> Result<Principal, Error> {
    Principal::try_from_slice(bytes)
        .map_err(|error| trap(format!("{what}: invalid principal: {error}")))
}

/// The source of a `*_size`/`*_copy` pair.
type BlobSource = for<'a> fn(&'a MessageState) -> Result<std::borrow::Cow<'a, [u8]>, String>;

fn define_blob(
    linker: &mut Linker<HostState>,
    size_name: &'static str,
    copy_name: &'static str,
    source: BlobSource,
) -> Result<(), Error> {
    linker.func_wrap(
        "ic0",
        size_name,
        move |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, size_name)?;
            let len = source(msg(&c)?).map_err(trap)?.len();
            Ok(len as i32)
        },
    )?;
    linker.func_wrap(
        "ic0",
        copy_name,
        move |mut c: C<'_>, dst: i32, offset: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, copy_name)?;
            let bytes = source(msg(&c)?).map_err(trap)?.into_owned();
            copy_out(
                &mut c,
                &bytes,
                dst as u32,
                offset as u32,
                size as u32,
                copy_name,
            )
        },
    )?;
    Ok(())
}

fn not_supported(name: &str) -> Error {
    trap(format!("ic0.{name} is not supported by this network"))
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

fn define_threshold_cost(
    linker: &mut Linker<HostState>,
    name: &'static str,
    curves: u32,
) -> Result<(), Error> {
    linker.func_wrap(
        "ic0",
        name,
        move |mut c: C<'_>, src: i32, size: i32, curve: i32, dst: i32| -> Result<i32, Error> {
            enter(&mut c, name)?;
            let key = read_heap(&mut c, u64::from(src as u32), u64::from(size as u32), name)?;
            match threshold_fee((curve as u32) < curves, &key) {
                Ok(fee) => {
                    write_u128(&mut c, dst as u32, fee, name)?;
                    Ok(0)
                }
                Err(code) => Ok(code),
            }
        },
    )?;
    Ok(())
}

/// Defines every function of [`API`] in `linker`.
pub(super) fn define_all(linker: &mut Linker<HostState>) -> Result<(), Error> {
    use std::borrow::Cow;

    // --- Message data -----------------------------------------------------
    define_blob(linker, "msg_arg_data_size", "msg_arg_data_copy", |m| {
        Ok(Cow::Borrowed(&m.arg))
    })?;
    define_blob(linker, "msg_caller_size", "msg_caller_copy", |m| {
        Ok(Cow::Borrowed(m.env.caller.as_slice()))
    })?;
    define_blob(
        linker,
        "msg_caller_info_data_size",
        "msg_caller_info_data_copy",
        |_| Ok(Cow::Borrowed(&[])),
    )?;
    define_blob(
        linker,
        "msg_caller_info_signer_size",
        "msg_caller_info_signer_copy",
        |_| Ok(Cow::Borrowed(&[])),
    )?;
    linker.func_wrap(
        "ic0",
        "msg_reject_code",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "msg_reject_code")?;
            Ok(msg(&c)?.reject.as_ref().map_or(0, |(code, _)| *code as i32))
        },
    )?;
    define_blob(linker, "msg_reject_msg_size", "msg_reject_msg_copy", |m| {
        Ok(Cow::Borrowed(
            m.reject
                .as_ref()
                .map_or(&[][..], |(_, text)| text.as_bytes()),
        ))
    })?;
    linker.func_wrap(
        "ic0",
        "msg_deadline",
        |mut c: C<'_>| -> Result<i64, Error> {
            enter(&mut c, "msg_deadline")?;
            Ok(0)
        },
    )?;
    define_blob(
        linker,
        "msg_method_name_size",
        "msg_method_name_copy",
        |m| Ok(Cow::Borrowed(m.method_name.as_bytes())),
    )?;
    linker.func_wrap(
        "ic0",
        "accept_message",
        |mut c: C<'_>| -> Result<(), Error> {
            enter(&mut c, "accept_message")?;
            let m = msg_mut(&mut c)?;
            if m.message_accepted {
                return Err(trap("ic0.accept_message was called twice"));
            }
            m.message_accepted = true;
            Ok(())
        },
    )?;

    // --- Responding --------------------------------------------------------
    linker.func_wrap(
        "ic0",
        "msg_reply_data_append",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "msg_reply_data_append")?;
            let m = msg(&c)?;
            if !m.can_respond() {
                return Err(trap(
                    "ic0.msg_reply_data_append: the call was already replied to or rejected",
                ));
            }
            check_payload(m.reply_buf.len(), size as u32, "msg_reply_data_append")?;
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.msg_reply_data_append",
            )?;
            msg_mut(&mut c)?.reply_buf.extend_from_slice(&bytes);
            Ok(())
        },
    )?;
    linker.func_wrap("ic0", "msg_reply", |mut c: C<'_>| -> Result<(), Error> {
        enter(&mut c, "msg_reply")?;
        let m = msg_mut(&mut c)?;
        if !m.can_respond() {
            return Err(trap(
                "ic0.msg_reply: the call was already replied to or rejected",
            ));
        }
        let data = std::mem::take(&mut m.reply_buf);
        m.response = Some(Response::Reply(data));
        Ok(())
    })?;
    linker.func_wrap(
        "ic0",
        "msg_reject",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "msg_reject")?;
            if !msg(&c)?.can_respond() {
                return Err(trap(
                    "ic0.msg_reject: the call was already replied to or rejected",
                ));
            }
            check_payload(0, size as u32, "msg_reject")?;
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.msg_reject",
            )?;
            let m = msg_mut(&mut c)?;
            m.reply_buf.clear();
            m.response = Some(Response::Reject(
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
            Ok(())
        },
    )?;

    // --- Cycles ------------------------------------------------------------
    linker.func_wrap(
        "ic0",
        "msg_cycles_available128",
        |mut c: C<'_>, dst: i32| -> Result<(), Error> {
            enter(&mut c, "msg_cycles_available128")?;
            let m = msg(&c)?;
            let available = m.env.cycles_available.saturating_sub(m.cycles_accepted);
            write_u128(&mut c, dst as u32, available, "ic0.msg_cycles_available128")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "msg_cycles_refunded128",
        |mut c: C<'_>, dst: i32| -> Result<(), Error> {
            enter(&mut c, "msg_cycles_refunded128")?;
            let refunded = msg(&c)?.env.cycles_refunded;
            write_u128(&mut c, dst as u32, refunded, "ic0.msg_cycles_refunded128")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "msg_cycles_accept128",
        |mut c: C<'_>, high: i64, low: i64, dst: i32| -> Result<(), Error> {
            enter(&mut c, "msg_cycles_accept128")?;
            let m = msg_mut(&mut c)?;
            let available = m.env.cycles_available.saturating_sub(m.cycles_accepted);
            let amount = u128_of(high, low).min(available);
            m.cycles_accepted = m.cycles_accepted.saturating_add(amount);
            write_u128(&mut c, dst as u32, amount, "ic0.msg_cycles_accept128")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "cycles_burn128",
        |mut c: C<'_>, _high: i64, _low: i64, _dst: i32| -> Result<(), Error> {
            enter(&mut c, "cycles_burn128")?;
            Err(not_supported("cycles_burn128"))
        },
    )?;
    linker.func_wrap(
        "ic0",
        "canister_cycle_balance128",
        |mut c: C<'_>, dst: i32| -> Result<(), Error> {
            enter(&mut c, "canister_cycle_balance128")?;
            let balance = msg(&c)?.balance();
            write_u128(&mut c, dst as u32, balance, "ic0.canister_cycle_balance128")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "canister_liquid_cycle_balance128",
        |mut c: C<'_>, dst: i32| -> Result<(), Error> {
            enter(&mut c, "canister_liquid_cycle_balance128")?;
            let balance = msg(&c)?.balance();
            write_u128(
                &mut c,
                dst as u32,
                balance,
                "ic0.canister_liquid_cycle_balance128",
            )
        },
    )?;

    // --- The canister and its subnet ---------------------------------------
    define_blob(linker, "canister_self_size", "canister_self_copy", |m| {
        Ok(Cow::Borrowed(m.env.canister_id.as_slice()))
    })?;
    linker.func_wrap(
        "ic0",
        "canister_status",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "canister_status")?;
            // Running: messages only execute on running (or stopping) canisters.
            Ok(1)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "canister_version",
        |mut c: C<'_>| -> Result<i64, Error> {
            enter(&mut c, "canister_version")?;
            Ok(msg(&c)?.env.canister_version as i64)
        },
    )?;
    define_blob(linker, "subnet_self_size", "subnet_self_copy", |_| {
        Err("ic0.subnet_self is not supported by this network".to_string())
    })?;
    linker.func_wrap(
        "ic0",
        "subnet_self_node_count",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "subnet_self_node_count")?;
            Ok(1)
        },
    )?;
    define_blob(linker, "root_key_size", "root_key_copy", |_| {
        Err("ic0.root_key is not supported by this network".to_string())
    })?;
    linker.func_wrap(
        "ic0",
        "is_controller",
        |mut c: C<'_>, src: i32, size: i32| -> Result<i32, Error> {
            enter(&mut c, "is_controller")?;
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.is_controller",
            )?;
            let principal = principal_of(&bytes, "ic0.is_controller")?;
            Ok(i32::from(msg(&c)?.env.controllers.contains(&principal)))
        },
    )?;
    linker.func_wrap(
        "ic0",
        "in_replicated_execution",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "in_replicated_execution")?;
            Ok(i32::from(msg(&c)?.context.replicated()))
        },
    )?;

    // --- Inter-canister calls ----------------------------------------------
    linker.func_wrap(
        "ic0",
        "call_new",
        |mut c: C<'_>,
         callee_src: i32,
         callee_size: i32,
         name_src: i32,
         name_size: i32,
         reply_fun: i32,
         reply_env: i32,
         reject_fun: i32,
         reject_env: i32|
         -> Result<(), Error> {
            enter(&mut c, "call_new")?;
            if msg(&c)?.context == Context::CompositeQuery {
                return Err(not_supported("call_new in composite queries"));
            }
            let callee = read_heap(
                &mut c,
                u64::from(callee_src as u32),
                u64::from(callee_size as u32),
                "ic0.call_new",
            )?;
            let callee = principal_of(&callee, "ic0.call_new")?;
            let name = read_heap(
                &mut c,
                u64::from(name_src as u32),
                u64::from(name_size as u32),
                "ic0.call_new",
            )?;
            let method_name = String::from_utf8(name)
                .map_err(|_| trap("ic0.call_new: the method name is not valid UTF-8"))?;
            let m = msg_mut(&mut c)?;
            // A call still being assembled is discarded, with its cycles.
            if let Some(old) = m.pending.take() {
                m.cycles_attached = m.cycles_attached.saturating_sub(old.cycles);
            }
            m.pending = Some(PendingCall {
                callee,
                method_name,
                arg: Vec::new(),
                cycles: 0,
                on_reply: Callback {
                    fun: reply_fun as u32,
                    env: u64::from(reply_env as u32),
                },
                on_reject: Callback {
                    fun: reject_fun as u32,
                    env: u64::from(reject_env as u32),
                },
                on_cleanup: None,
                timeout_seconds: None,
            });
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "call_on_cleanup",
        |mut c: C<'_>, fun: i32, env: i32| -> Result<(), Error> {
            enter(&mut c, "call_on_cleanup")?;
            let m = msg_mut(&mut c)?;
            let pending = m
                .pending
                .as_mut()
                .ok_or_else(|| trap("ic0.call_on_cleanup: no call is being assembled"))?;
            if pending.on_cleanup.is_some() {
                return Err(trap("ic0.call_on_cleanup was called twice for one call"));
            }
            pending.on_cleanup = Some(Callback {
                fun: fun as u32,
                env: u64::from(env as u32),
            });
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "call_data_append",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "call_data_append")?;
            let Some(pending) = msg(&c)?.pending.as_ref() else {
                return Err(trap("ic0.call_data_append: no call is being assembled"));
            };
            check_payload(pending.arg.len(), size as u32, "call_data_append")?;
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.call_data_append",
            )?;
            if let Some(pending) = msg_mut(&mut c)?.pending.as_mut() {
                pending.arg.extend_from_slice(&bytes);
            }
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "call_with_best_effort_response",
        |mut c: C<'_>, timeout: i32| -> Result<(), Error> {
            enter(&mut c, "call_with_best_effort_response")?;
            let m = msg_mut(&mut c)?;
            let pending = m.pending.as_mut().ok_or_else(|| {
                trap("ic0.call_with_best_effort_response: no call is being assembled")
            })?;
            if pending.timeout_seconds.is_some() {
                return Err(trap(
                    "ic0.call_with_best_effort_response was called twice for one call",
                ));
            }
            pending.timeout_seconds = Some((timeout as u32).clamp(1, MAX_CALL_TIMEOUT));
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "call_cycles_add128",
        |mut c: C<'_>, high: i64, low: i64| -> Result<(), Error> {
            enter(&mut c, "call_cycles_add128")?;
            let amount = u128_of(high, low);
            let m = msg_mut(&mut c)?;
            let balance = m.balance();
            let Some(pending) = m.pending.as_mut() else {
                return Err(trap("ic0.call_cycles_add128: no call is being assembled"));
            };
            if amount > balance {
                return Err(trap(format!(
                    "ic0.call_cycles_add128: the canister has {balance} cycles, fewer than the {amount} to attach"
                )));
            }
            pending.cycles = pending.cycles.saturating_add(amount);
            m.cycles_attached = m.cycles_attached.saturating_add(amount);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "call_perform",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "call_perform")?;
            let m = msg_mut(&mut c)?;
            let pending = m
                .pending
                .take()
                .ok_or_else(|| trap("ic0.call_perform: no call is being assembled"))?;
            if m.calls.len() >= MAX_CALLS_PER_MESSAGE {
                // The call is discarded, and its cycles go back.
                m.cycles_attached = m.cycles_attached.saturating_sub(pending.cycles);
                return Ok(2);
            }
            m.calls.push(OutgoingCall {
                callee: pending.callee,
                method_name: pending.method_name,
                arg: pending.arg,
                cycles: pending.cycles,
                on_reply: pending.on_reply,
                on_reject: pending.on_reject,
                on_cleanup: pending.on_cleanup,
                timeout_seconds: pending.timeout_seconds,
            });
            Ok(0)
        },
    )?;

    // --- Stable memory -----------------------------------------------------
    linker.func_wrap(
        "ic0",
        "stable64_size",
        |mut c: C<'_>| -> Result<i64, Error> {
            enter(&mut c, "stable64_size")?;
            Ok((c.data().stable.len() as u64 / WASM_PAGE) as i64)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "stable64_grow",
        |mut c: C<'_>, new_pages: i64| -> Result<i64, Error> {
            enter(&mut c, "stable64_grow")?;
            let limit = msg(&c)?.env.stable_limit_bytes;
            let state = c.data_mut();
            let old_len = state.stable.len() as u64;
            let new_len = (new_pages as u64)
                .checked_mul(WASM_PAGE)
                .and_then(|bytes| bytes.checked_add(old_len))
                .filter(|len| *len <= limit)
                .and_then(|len| usize::try_from(len).ok());
            let Some(new_len) = new_len else {
                return Ok(-1);
            };
            if state
                .stable
                .try_reserve_exact(new_len - state.stable.len())
                .is_err()
            {
                return Ok(-1);
            }
            state.stable.resize(new_len, 0);
            Ok((old_len / WASM_PAGE) as i64)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "stable64_write",
        |mut c: C<'_>, offset: i64, src: i64, size: i64| -> Result<(), Error> {
            enter(&mut c, "stable64_write")?;
            let (offset, src, size) = (offset as u64, src as u64, size as u64);
            charge(&mut c, size)?;
            let memory = memory(&c)?;
            let (heap, state) = memory.data_and_store_mut(&mut c);
            let from = heap_range(heap.len(), src, size, "ic0.stable64_write")?;
            let to = stable_range(state.stable.len(), offset, size, "ic0.stable64_write")?;
            if let Some(m) = state.msg.as_deref_mut() {
                save_pages(&mut m.stable_undo, m.stable_len_before, &state.stable, &to);
                if !to.is_empty() {
                    let pages = to.start / STABLE_PAGE..=(to.end - 1) / STABLE_PAGE;
                    m.stable_written.extend(pages.map(|page| page as u64));
                }
            }
            state.stable[to].copy_from_slice(&heap[from]);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "stable64_read",
        |mut c: C<'_>, dst: i64, offset: i64, size: i64| -> Result<(), Error> {
            enter(&mut c, "stable64_read")?;
            let (dst, offset, size) = (dst as u64, offset as u64, size as u64);
            charge(&mut c, size)?;
            let memory = memory(&c)?;
            let (heap, state) = memory.data_and_store_mut(&mut c);
            let from = stable_range(state.stable.len(), offset, size, "ic0.stable64_read")?;
            let to = heap_range(heap.len(), dst, size, "ic0.stable64_read")?;
            heap[to].copy_from_slice(&state.stable[from]);
            Ok(())
        },
    )?;

    // --- Certification, time, timers ---------------------------------------
    linker.func_wrap(
        "ic0",
        "certified_data_set",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "certified_data_set")?;
            if size as u32 as usize > MAX_CERTIFIED_DATA {
                return Err(trap(format!(
                    "ic0.certified_data_set: {} bytes is more than the {MAX_CERTIFIED_DATA} allowed",
                    size as u32
                )));
            }
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.certified_data_set",
            )?;
            msg_mut(&mut c)?.certified_data = Some(bytes);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "data_certificate_present",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "data_certificate_present")?;
            let m = msg(&c)?;
            let present = matches!(
                m.context,
                Context::NonReplicatedQuery | Context::CompositeQuery
            ) && m.env.data_certificate.is_some();
            Ok(i32::from(present))
        },
    )?;
    define_blob(
        linker,
        "data_certificate_size",
        "data_certificate_copy",
        |m| {
            m.env
                .data_certificate
                .as_deref()
                .map(Cow::Borrowed)
                .ok_or_else(|| "no data certificate is available".to_string())
        },
    )?;
    linker.func_wrap("ic0", "time", |mut c: C<'_>| -> Result<i64, Error> {
        enter(&mut c, "time")?;
        Ok(msg(&c)?.env.time_nanos as i64)
    })?;
    linker.func_wrap(
        "ic0",
        "global_timer_set",
        |mut c: C<'_>, timestamp: i64| -> Result<i64, Error> {
            enter(&mut c, "global_timer_set")?;
            let m = msg_mut(&mut c)?;
            let previous = m.global_timer.unwrap_or(m.env.global_timer);
            m.global_timer = Some(timestamp as u64);
            Ok(previous as i64)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "performance_counter",
        |mut c: C<'_>, kind: i32| -> Result<i64, Error> {
            enter(&mut c, "performance_counter")?;
            if !(0..=1).contains(&kind) {
                return Err(trap(format!(
                    "ic0.performance_counter: unknown counter type {kind}"
                )));
            }
            let limit = msg(&c)?.fuel_limit;
            let left = c.get_fuel()?;
            Ok(limit.saturating_sub(left) as i64)
        },
    )?;

    // --- Costs ---------------------------------------------------------------
    linker.func_wrap(
        "ic0",
        "cost_call",
        |mut c: C<'_>, name_size: i64, payload_size: i64, dst: i32| -> Result<(), Error> {
            enter(&mut c, "cost_call")?;
            let bytes =
                u128::from(name_size as u64).saturating_add(u128::from(payload_size as u64));
            let fee = 260_000u128.saturating_add(bytes.saturating_mul(1_000));
            write_u128(&mut c, dst as u32, fee, "ic0.cost_call")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "cost_create_canister",
        |mut c: C<'_>, dst: i32| -> Result<(), Error> {
            enter(&mut c, "cost_create_canister")?;
            write_u128(
                &mut c,
                dst as u32,
                500_000_000_000,
                "ic0.cost_create_canister",
            )
        },
    )?;
    linker.func_wrap(
        "ic0",
        "cost_http_request",
        |mut c: C<'_>, request_size: i64, max_res_bytes: i64, dst: i32| -> Result<(), Error> {
            enter(&mut c, "cost_http_request")?;
            let fee = http_fee(request_size as u64, max_res_bytes as u64);
            write_u128(&mut c, dst as u32, fee, "ic0.cost_http_request")
        },
    )?;
    linker.func_wrap(
        "ic0",
        "cost_http_request_v2",
        |mut c: C<'_>, src: i32, size: i32, dst: i32| -> Result<(), Error> {
            enter(&mut c, "cost_http_request_v2")?;
            // Bounds-check the parameters; price them as a request of their
            // size with the largest response.
            read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.cost_http_request_v2",
            )?;
            let fee = http_fee(u64::from(size as u32), 2_000_000);
            write_u128(&mut c, dst as u32, fee, "ic0.cost_http_request_v2")
        },
    )?;
    // ECDSA: 0 = secp256k1. Schnorr: 0 = bip340secp256k1, 1 = ed25519.
    // VetKD: 0 = bls12_381_g2.
    define_threshold_cost(linker, "cost_sign_with_ecdsa", 1)?;
    define_threshold_cost(linker, "cost_sign_with_schnorr", 2)?;
    define_threshold_cost(linker, "cost_vetkd_derive_key", 1)?;

    // --- Environment variables (this network defines none) -----------------
    linker.func_wrap(
        "ic0",
        "env_var_count",
        |mut c: C<'_>| -> Result<i32, Error> {
            enter(&mut c, "env_var_count")?;
            Ok(0)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "env_var_name_size",
        |mut c: C<'_>, index: i32| -> Result<i32, Error> {
            enter(&mut c, "env_var_name_size")?;
            Err(trap(format!(
                "ic0.env_var_name_size: index {} is out of range (there are no environment variables)",
                index as u32
            )))
        },
    )?;
    linker.func_wrap(
        "ic0",
        "env_var_name_copy",
        |mut c: C<'_>, index: i32, _dst: i32, _offset: i32, _size: i32| -> Result<(), Error> {
            enter(&mut c, "env_var_name_copy")?;
            Err(trap(format!(
                "ic0.env_var_name_copy: index {} is out of range (there are no environment variables)",
                index as u32
            )))
        },
    )?;
    linker.func_wrap(
        "ic0",
        "env_var_name_exists",
        |mut c: C<'_>, src: i32, size: i32| -> Result<i32, Error> {
            enter(&mut c, "env_var_name_exists")?;
            read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.env_var_name_exists",
            )?;
            Ok(0)
        },
    )?;
    linker.func_wrap(
        "ic0",
        "env_var_value_size",
        |mut c: C<'_>, src: i32, size: i32| -> Result<i32, Error> {
            enter(&mut c, "env_var_value_size")?;
            let name = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.env_var_value_size",
            )?;
            Err(trap(format!(
                "ic0.env_var_value_size: there is no environment variable {:?}",
                String::from_utf8_lossy(&name)
            )))
        },
    )?;
    linker.func_wrap(
        "ic0",
        "env_var_value_copy",
        |mut c: C<'_>,
         src: i32,
         size: i32,
         _dst: i32,
         _offset: i32,
         _len: i32|
         -> Result<(), Error> {
            enter(&mut c, "env_var_value_copy")?;
            let name = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size as u32),
                "ic0.env_var_value_copy",
            )?;
            Err(trap(format!(
                "ic0.env_var_value_copy: there is no environment variable {:?}",
                String::from_utf8_lossy(&name)
            )))
        },
    )?;

    // --- Debugging and traps -------------------------------------------------
    linker.func_wrap(
        "ic0",
        "debug_print",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "debug_print")?;
            let size = (size as u32).min(MAX_DEBUG_PRINT as u32);
            let bytes = read_heap(
                &mut c,
                u64::from(src as u32),
                u64::from(size),
                "ic0.debug_print",
            )?;
            eprintln!(
                "[Canister {}] {}",
                c.data().canister_label,
                String::from_utf8_lossy(&bytes)
            );
            Ok(())
        },
    )?;
    linker.func_wrap(
        "ic0",
        "trap",
        |mut c: C<'_>, src: i32, size: i32| -> Result<(), Error> {
            enter(&mut c, "trap")?;
            let size = (size as u32).min(MAX_DEBUG_PRINT as u32);
            let bytes = read_heap(&mut c, u64::from(src as u32), u64::from(size), "ic0.trap")?;
            Err(trap(String::from_utf8_lossy(&bytes).into_owned()))
        },
    )?;
    Ok(())
}

fn http_fee(request_size: u64, max_res_bytes: u64) -> u128 {
    // The IC's formula for a 13-node subnet.
    let n: u128 = 13;
    (3_000_000 + 60_000 * n) * n
        + 400 * n * u128::from(request_size)
        + 800 * n * u128::from(max_res_bytes)
}

fn stable_range(
    len: usize,
    offset: u64,
    size: u64,
    what: &str,
) -> Result<std::ops::Range<usize>, Error> {
    let fail = || trap(format!("{what}: stable memory out of bounds"));
    let end = offset.checked_add(size).ok_or_else(fail)?;
    let start = usize::try_from(offset).map_err(|_| fail())?;
    let end = usize::try_from(end).map_err(|_| fail())?;
    if end > len {
        return Err(fail());
    }
    Ok(start..end)
}

/// Saves the original content of the pages of `range` (below `len_before`)
/// that were not saved yet.
fn save_pages(
    undo: &mut BTreeMap<u64, Vec<u8>>,
    len_before: usize,
    stable: &[u8],
    range: &std::ops::Range<usize>,
) {
    if range.is_empty() {
        return;
    }
    let first = range.start / STABLE_PAGE;
    let last = (range.end - 1) / STABLE_PAGE;
    for page in first..=last {
        let start = page * STABLE_PAGE;
        if start >= len_before {
            break;
        }
        let end = (start + STABLE_PAGE).min(len_before);
        undo.entry(page as u64).or_insert_with(|| {
            stable
                .get(start..end)
                .map(<[u8]>::to_vec)
                .unwrap_or_default()
        });
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

    #[test]
    fn should_save_each_stable_page_once_and_only_below_the_old_length() {
        let stable = vec![7u8; 3 * STABLE_PAGE];
        let mut undo = BTreeMap::new();
        save_pages(
            &mut undo,
            2 * STABLE_PAGE,
            &stable,
            &(100..2 * STABLE_PAGE + 5),
        );
        assert_eq!(undo.keys().copied().collect::<Vec<_>>(), vec![0, 1]);
        save_pages(
            &mut undo,
            2 * STABLE_PAGE,
            &[0u8; 3 * STABLE_PAGE],
            &(0..10),
        );
        assert_eq!(undo.get(&0).map(|p| p[0]), Some(7));
    }

    #[test]
    fn should_price_known_threshold_keys_and_reject_unknown_ones() {
        assert!(threshold_fee(true, b"dfx_test_key").is_ok());
        assert!(threshold_fee(true, b"test_key_1").is_ok());
        assert!(threshold_fee(true, b"key_1").is_ok());
        assert_eq!(threshold_fee(true, b"nope"), Err(2));
        assert_eq!(threshold_fee(false, b"key_1"), Err(1));
    }
}
