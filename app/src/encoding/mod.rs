//! Binary encodings that keys and WebAuthn data come in.

pub mod cbor;
pub mod der;
