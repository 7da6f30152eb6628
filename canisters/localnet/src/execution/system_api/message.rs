//! The message itself: its argument (`msg_arg_data_*`), the reject it
//! carries in a callback (`msg_reject_code`, `msg_reject_msg_*`), its
//! deadline and method name, `accept_message`, and its response
//! (`msg_reply_data_append`, `msg_reply`, `msg_reject`).
//!
//! Invariants: a message responds at most once, and only when its caller
//! awaits a response ([`MessageState::can_respond`]); the reply buffer and a
//! reject message stay within `MAX_PAYLOAD_BYTES`; `msg_reject` drops what
//! was appended to the reply.

use std::borrow::Cow;

use wasmi::Error;

use super::host::{C, check_payload, enter, msg, msg_mut, read_bytes, trap};
use super::state::MessageState;
use crate::execution::Response;

/// What `msg_arg_data_*` reads: the argument or the reply payload.
pub(super) fn arg_data(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(&m.arg))
}

/// What `msg_reject_msg_*` reads (empty outside reject callbacks).
pub(super) fn reject_message(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(
        m.reject
            .as_ref()
            .map_or(&[][..], |(_, text)| text.as_bytes()),
    ))
}

/// What `msg_method_name_*` reads.
pub(super) fn method_name(m: &MessageState) -> Result<Cow<'_, [u8]>, String> {
    Ok(Cow::Borrowed(m.method_name.as_bytes()))
}

pub(super) fn msg_reject_code(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "msg_reject_code")?;
    Ok(msg(&c)?.reject.as_ref().map_or(0, |(code, _)| *code as i32))
}

pub(super) fn msg_deadline(mut c: C<'_>) -> Result<i64, Error> {
    enter(&mut c, "msg_deadline")?;
    Ok(0)
}

pub(super) fn accept_message(mut c: C<'_>) -> Result<(), Error> {
    enter(&mut c, "accept_message")?;
    let m = msg_mut(&mut c)?;
    if m.message_accepted {
        return Err(trap("ic0.accept_message was called twice"));
    }
    m.message_accepted = true;
    Ok(())
}

pub(super) fn msg_reply_data_append(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "msg_reply_data_append")?;
    let m = msg(&c)?;
    if !m.can_respond() {
        return Err(trap(
            "ic0.msg_reply_data_append: the call was already replied to or rejected",
        ));
    }
    check_payload(m.reply_buf.len(), size as u32, "msg_reply_data_append")?;
    let bytes = read_bytes(&mut c, src, size, "ic0.msg_reply_data_append")?;
    msg_mut(&mut c)?.reply_buf.extend_from_slice(&bytes);
    Ok(())
}

pub(super) fn msg_reply(mut c: C<'_>) -> Result<(), Error> {
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
}

pub(super) fn msg_reject(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "msg_reject")?;
    if !msg(&c)?.can_respond() {
        return Err(trap(
            "ic0.msg_reject: the call was already replied to or rejected",
        ));
    }
    check_payload(0, size as u32, "msg_reject")?;
    let bytes = read_bytes(&mut c, src, size, "ic0.msg_reject")?;
    let m = msg_mut(&mut c)?;
    m.reply_buf.clear();
    m.response = Some(Response::Reject(
        String::from_utf8_lossy(&bytes).into_owned(),
    ));
    Ok(())
}
