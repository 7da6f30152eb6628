//! Certification: the data a canister certifies (`certified_data_set`), the
//! certificate a non-replicated query reads (`data_certificate_*`), and the
//! root key (`root_key_*`, not supported).
//!
//! Invariants: certified data is at most `MAX_CERTIFIED_DATA` (32) bytes and
//! takes effect only when the message completes; a data certificate is
//! present only in non-replicated and composite queries, and only when the
//! runtime supplied one.

use std::borrow::Cow;

use wasmi::Error;

use super::host::{C, enter, msg, msg_mut, read_bytes, trap};
use super::imports::Context;
use super::state::MessageState;

/// Largest certified data.
const MAX_CERTIFIED_DATA: usize = 32;

/// What `data_certificate_*` reads.
pub(super) fn data_certificate(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    m.env
        .data_certificate
        .as_deref()
        .map(Cow::Borrowed)
        .ok_or_else(|| "no data certificate is available".to_string())
}

/// `root_key_*` trap.
pub(super) fn root_key(_: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Err("ic0.root_key is not supported by this network".to_string())
}

pub(super) fn certified_data_set(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "certified_data_set")?;
    if size as u32 as usize > MAX_CERTIFIED_DATA {
        return Err(trap(format!(
            "ic0.certified_data_set: {} bytes is more than the {MAX_CERTIFIED_DATA} allowed",
            size as u32
        )));
    }
    let bytes = read_bytes(&mut c, src, size, "ic0.certified_data_set")?;
    msg_mut(&mut c)?.certified_data = Some(bytes);
    Ok(())
}

pub(super) fn data_certificate_present(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "data_certificate_present")?;
    let m = msg(&c)?;
    let present = matches!(
        m.context,
        Context::NonReplicatedQuery | Context::CompositeQuery
    ) && m.env.data_certificate.is_some();
    Ok(i32::from(present))
}
