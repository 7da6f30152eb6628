//! What every `ic0` function does around its own semantics: find the running
//! message, check that the function may be called in its context, charge
//! instructions, and move bytes between the canister's heap and the host.
//!
//! Invariants:
//! - Every `ic0` function calls [`enter`] first: outside a message, or
//!   outside the function's contexts, it traps; otherwise it is charged
//!   `API_BASE_COST` instructions.
//! - Heap reads and writes are bounds-checked and charged one instruction
//!   per byte before anything is copied; an out-of-bounds access is a trap
//!   ([`Trap`]), never a panic.
//! - [`check_payload`] runs before the bytes of a payload are read, so a
//!   message never holds more than [`MAX_PAYLOAD_BYTES`] of one payload.

use std::borrow::Cow;

use candid::Principal;
use wasmi::{Caller, Error, Memory};

use super::imports::availability;
use super::state::{HostState, MessageState};

/// Instructions charged for every system API call.
const API_BASE_COST: u64 = 50;
/// Largest reply, reject message or call argument a message may assemble
/// (the IC's inter-canister payload limit, 2 MiB): `msg_reply_data_append`,
/// `msg_reject` and `call_data_append` trap beyond it.
pub const MAX_PAYLOAD_BYTES: u64 = 2 * 1024 * 1024;

/// A trap raised by the system API (or the runtime on its behalf).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::execution) struct Trap(pub String);

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl wasmi::errors::HostError for Trap {}

pub(in crate::execution) fn trap(message: impl Into<String>) -> Error {
    Error::host(Trap(message.into()))
}

pub(in crate::execution) fn instruction_limit_message(limit: u64) -> String {
    format!("Canister exceeded the limit of {limit} instructions for single message execution.")
}

pub(super) fn not_supported(name: &str) -> Error {
    trap(format!("ic0.{name} is not supported by this network"))
}

/// The caller every `ic0` function receives.
pub(super) type C<'a> = Caller<'a, HostState>;

pub(super) fn msg<'a>(caller: &'a C<'_>) -> Result<&'a MessageState, Error> {
    caller
        .data()
        .msg
        .as_deref()
        .ok_or_else(|| trap("the system API is not available outside a message"))
}

pub(super) fn msg_mut<'a>(caller: &'a mut C<'_>) -> Result<&'a mut MessageState, Error> {
    caller
        .data_mut()
        .msg
        .as_deref_mut()
        .ok_or_else(|| trap("the system API is not available outside a message"))
}

/// Charges `amount` instructions, trapping at the message's limit.
pub(super) fn charge(caller: &mut C<'_>, amount: u64) -> Result<(), Error> {
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
pub(super) fn enter(caller: &mut C<'_>, name: &str) -> Result<(), Error> {
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

pub(super) fn heap_range(
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

pub(super) fn memory(caller: &C<'_>) -> Result<Memory, Error> {
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

/// Reads `size` bytes at `src` from the heap, both given as wasm32 `i32`
/// arguments (unsigned).
pub(super) fn read_bytes(
    caller: &mut C<'_>,
    src: i32,
    size: i32,
    what: &str,
) -> Result<Vec<u8>, Error> {
    read_heap(caller, u64::from(src as u32), u64::from(size as u32), what)
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

/// Writes `value` as 16 little-endian bytes at `dst`.
pub(super) fn write_u128(
    caller: &mut C<'_>,
    dst: i32,
    value: u128,
    what: &str,
) -> Result<(), Error> {
    write_heap(caller, u64::from(dst as u32), &value.to_le_bytes(), what)
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
pub(super) fn check_payload(held: usize, size: u32, name: &str) -> Result<(), Error> {
    let total = (held as u64).saturating_add(u64::from(size));
    if total > MAX_PAYLOAD_BYTES {
        return Err(trap(format!(
            "ic0.{name}: application payload size ({total}) cannot be larger than {MAX_PAYLOAD_BYTES}"
        )));
    }
    Ok(())
}

/// The 128-bit amount passed as two `i64` halves.
pub(super) fn u128_of(high: i64, low: i64) -> u128 {
    (u128::from(high as u64) << 64) | u128::from(low as u64)
}

pub(super) fn principal_of(bytes: &[u8], what: &str) -> Result<Principal, Error> {
    Principal::try_from_slice(bytes)
        .map_err(|error| trap(format!("{what}: invalid principal: {error}")))
}

/// The source of a `*_size`/`*_copy` pair: the bytes, or why they cannot be
/// read (a trap).
pub(super) type BlobSource = for<'a> fn(&'a MessageState) -> Result<Cow<'a, [u8]>, String>;

/// `ic0.<size_name>`: the length of the blob.
pub(super) fn blob_size(c: &mut C<'_>, size_name: &str, source: BlobSource) -> Result<i32, Error> {
    enter(c, size_name)?;
    let len = source(msg(c)?).map_err(trap)?.len();
    Ok(len as i32)
}

/// `ic0.<copy_name>`: copies `size` bytes of the blob from `offset` to `dst`.
pub(super) fn blob_copy(
    c: &mut C<'_>,
    copy_name: &str,
    source: BlobSource,
    (dst, offset, size): (i32, i32, i32),
) -> Result<(), Error> {
    enter(c, copy_name)?;
    let bytes = source(msg(c)?).map_err(trap)?.into_owned();
    copy_out(c, &bytes, dst as u32, offset as u32, size as u32, copy_name)
}
