//! Binary encodings that keys and WebAuthn data come in (shared with the
//! identity manager through `sigil-keys`).

pub use sigil_keys::{cbor, der};
