//! Threshold signing keys emulated with local master keys. (Stub.)

use std::path::Path;

/// The local master keys (secp256k1 for ECDSA and BIP-340, Ed25519).
pub struct MasterKeys {
    _private: (),
}

impl MasterKeys {
    /// Loads the master keys from `dir`, creating them on first use.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Self> {
        // Interface stub.
        let _ = dir;
        Ok(Self { _private: () })
    }
}
