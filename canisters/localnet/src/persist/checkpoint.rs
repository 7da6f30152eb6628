//! The checkpoint file: a full state image under one SHA-256.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "SIGLCKPT"
//!      8     4  format version (u32 LE), see `codec::FORMAT_VERSION`
//!     12     8  generation (u64 LE)
//!     20     8  payload length P (u64 LE)
//!     28    32  SHA-256 over bytes 0..28 followed by the payload
//!     60     P  payload (see `codec`)
//! ```
//!
//! The file must be exactly `60 + P` bytes long. A checkpoint is only ever
//! replaced whole (temporary file, fsync, rename, fsync of the directory),
//! so any mismatch is corruption, never a torn write.

use sha2::{Digest, Sha256};

use super::PersistError;
use super::codec::{FORMAT_VERSION, OLDEST_FORMAT_VERSION, decode_state};
use super::state::{State, materialize};

const MAGIC: &[u8; 8] = b"SIGLCKPT";
pub(super) const HEADER_LEN: usize = 60;

/// The file header for `payload` at `generation`.
pub(super) fn header(generation: u64, payload: &[u8]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..20].copy_from_slice(&generation.to_le_bytes());
    h[20..28].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    let digest = Sha256::new()
        .chain_update(&h[0..28])
        .chain_update(payload)
        .finalize();
    h[28..60].copy_from_slice(&digest);
    h
}

fn corrupt(msg: impl std::fmt::Display) -> PersistError {
    PersistError::Corrupt(format!("checkpoint: {msg}"))
}

/// Checks a checkpoint file and returns its generation and state.
pub(super) fn decode(data: &[u8]) -> Result<(u64, State), PersistError> {
    if data.len() < HEADER_LEN {
        return Err(corrupt(format!(
            "{} bytes is shorter than the header",
            data.len()
        )));
    }
    let (h, payload) = data.split_at(HEADER_LEN);
    if &h[0..8] != MAGIC {
        return Err(corrupt("not a localnet checkpoint (bad magic)"));
    }
    let version = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    let mut word = [0u8; 8];
    word.copy_from_slice(&h[12..20]);
    let generation = u64::from_le_bytes(word);
    word.copy_from_slice(&h[20..28]);
    let len = u64::from_le_bytes(word);
    if len != payload.len() as u64 {
        return Err(corrupt(format!(
            "header announces {len} payload bytes, file holds {}",
            payload.len()
        )));
    }
    let digest = Sha256::new()
        .chain_update(&h[0..28])
        .chain_update(payload)
        .finalize();
    if digest[..] != h[28..60] {
        return Err(corrupt("checksum mismatch"));
    }
    // Checked after the checksum: a damaged version field reads as damage.
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(corrupt(format!("unsupported format version {version}")));
    }
    let (mut state, canisters) = decode_state(payload, version)?;
    for c in canisters {
        let canister = super::state::CanisterState {
            meta: c.meta,
            module: c.module,
            heap: materialize(c.heap)?,
            stable: materialize(c.stable)?,
            globals: c.globals,
        };
        if state.canisters.insert(c.id, canister).is_some() {
            return Err(corrupt(format!("canister {} appears twice", c.id)));
        }
    }
    Ok((generation, state))
}
