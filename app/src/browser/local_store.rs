//! `localStorage`: small JSON documents that hold nothing secret, read and
//! written whole. Today: the dapps a person connected
//! ([`Connections`], key `sigil-evm-connections`).

use super::{JsFailure, window};
use crate::provider::connections::Connections;

const CONNECTIONS: &str = "sigil-evm-connections";

fn storage() -> Result<web_sys::Storage, JsFailure> {
    window()?.local_storage()?.ok_or_else(|| JsFailure {
        name: "StorageUnavailable".into(),
        message: "this browser keeps no local storage for Sigil".into(),
    })
}

/// The connections kept on this device; none when storage cannot be read.
pub fn load_connections() -> Connections {
    let text = storage()
        .ok()
        .and_then(|s| s.get_item(CONNECTIONS).ok().flatten());
    Connections::from_json(text.as_deref())
}

pub fn save_connections(connections: &Connections) -> Result<(), JsFailure> {
    storage()?.set_item(CONNECTIONS, &connections.to_json())?;
    Ok(())
}
