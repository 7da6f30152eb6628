//! Threshold signing keys (chain-key ECDSA and Schnorr) emulated with local
//! master keys.
//!
//! The IC holds each master key secret-shared among a subnet's nodes; the
//! local network holds it whole, but derives and signs exactly as the IC
//! does, so canisters see the same key shapes and the same derivation:
//!
//! - The derivation path is `[canister id bytes]` followed by the caller's
//!   derivation path elements (IC interface specification,
//!   `ecdsa_public_key`), applied to the master key with the master chain
//!   code of 32 zero bytes. secp256k1 keys (ECDSA and BIP-340) use the
//!   IC's BIP-32-like derivation (crate `ic-secp256k1`), Ed25519 keys the
//!   IC's HKDF-based derivation (crate `ic-ed25519`).
//! - A public key is derived from the master *public* key; it equals the
//!   public key of the derived private key that signs.
//!
//! # Keys
//!
//! There is one independent master key per scheme and key name: the schemes
//! are ECDSA secp256k1, Schnorr BIP-340 secp256k1 and Schnorr Ed25519, and
//! the key names those the IC's local replicas offer: [`KEY_NAMES`]. As on
//! the IC, `ecdsa:Secp256k1:key_1` and `schnorr:Bip340Secp256k1:key_1` are
//! different keys, and distinct key names give unrelated keys.
//!
//! # Key files
//!
//! The master keys live in `<state dir>/threshold/` (mode 0700), one file
//! per key (mode 0600), named `<scheme>-<key name>.key` with `<scheme>` one
//! of `ecdsa-secp256k1`, `schnorr-bip340secp256k1`, `schnorr-ed25519`.
//! Each file holds exactly 32 bytes: the big-endian secp256k1 scalar, or
//! the Ed25519 secret seed (RFC 8032). A missing file is created with OS
//! randomness (written to a temporary file, synced, then renamed); an
//! existing file is never replaced, and a file of the wrong length or
//! holding an invalid scalar makes [`MasterKeys::load_or_create`] fail
//! rather than silently change a key that canisters already rely on.
//!
//! # Invariants
//!
//! Nothing here panics on input from canisters: key names, paths, hashes,
//! messages and taproot roots are validated and rejected with a
//! [`ThresholdError`].

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use candid::Principal;
use rand::SeedableRng;

/// The key names for which the local network holds master keys (those of
/// dfx's and PocketIC's local keys and the IC's mainnet key names).
pub const KEY_NAMES: [&str; 3] = ["dfx_test_key", "test_key_1", "key_1"];

/// The largest number of derivation path elements the IC accepts.
pub const MAX_DERIVATION_PATH_ELEMENTS: usize = 255;

/// The fee, in cycles, that a signature costs (the IC's fee for a signature
/// with a key held by a 13-node subnet; local replicas charge the same).
pub const SIGNATURE_FEE: u128 = 10_000_000_000;

/// A threshold signature scheme, as the management canister names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyScheme {
    /// `ecdsa_public_key` / `sign_with_ecdsa` with curve `secp256k1`.
    EcdsaSecp256k1,
    /// `schnorr_public_key` / `sign_with_schnorr` with `bip340secp256k1`.
    SchnorrBip340Secp256k1,
    /// `schnorr_public_key` / `sign_with_schnorr` with `ed25519`.
    SchnorrEd25519,
}

impl KeyScheme {
    pub const ALL: [KeyScheme; 3] = [
        KeyScheme::EcdsaSecp256k1,
        KeyScheme::SchnorrBip340Secp256k1,
        KeyScheme::SchnorrEd25519,
    ];

    fn file_prefix(self) -> &'static str {
        match self {
            KeyScheme::EcdsaSecp256k1 => "ecdsa-secp256k1",
            KeyScheme::SchnorrBip340Secp256k1 => "schnorr-bip340secp256k1",
            KeyScheme::SchnorrEd25519 => "schnorr-ed25519",
        }
    }

    /// The name the IC uses for the scheme in key ids (`ecdsa:Secp256k1`).
    pub fn ic_name(self) -> &'static str {
        match self {
            KeyScheme::EcdsaSecp256k1 => "ecdsa:Secp256k1",
            KeyScheme::SchnorrBip340Secp256k1 => "schnorr:Bip340Secp256k1",
            KeyScheme::SchnorrEd25519 => "schnorr:Ed25519",
        }
    }
}

/// Whether the local network holds master keys named `key_name` (it holds
/// one for every [`KeyScheme`] under each name).
pub fn key_exists(key_name: &str) -> bool {
    KEY_NAMES.contains(&key_name)
}

/// The fee a signature with the given key costs, or `None` for a key the
/// local network does not hold (what `ic0.cost_sign_with_ecdsa` /
/// `ic0.cost_sign_with_schnorr` report as an unknown key name).
pub fn signature_fee(key_name: &str) -> Option<u128> {
    key_exists(key_name).then_some(SIGNATURE_FEE)
}

/// Why a threshold operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    /// The key id names no key the local network holds. The message follows
    /// the IC's.
    #[error("Requested unknown threshold key: {key_id}, existing keys: [{existing}]")]
    UnknownKey { key_id: String, existing: String },
    /// An argument is out of range (hash length, path length, taproot root).
    #[error("{0}")]
    InvalidArgument(String),
}

/// A derived public key and its chain code, as `ecdsa_public_key` and
/// `schnorr_public_key` return them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DerivedPublicKey {
    /// SEC1 compressed (33 bytes) for secp256k1 schemes, 32 raw bytes for
    /// Ed25519.
    pub public_key: Vec<u8>,
    pub chain_code: [u8; 32],
}

enum MasterKey {
    Secp256k1(ic_secp256k1::PrivateKey),
    Ed25519(ic_ed25519::PrivateKey),
}

struct Entry {
    scheme: KeyScheme,
    name: &'static str,
    key: MasterKey,
}

/// The local master keys, one per scheme and key name.
pub struct MasterKeys {
    entries: Vec<Entry>,
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never prints private key material.
        let mut list = f.debug_list();
        for entry in &self.entries {
            list.entry(&format_args!("{}:{}", entry.scheme.ic_name(), entry.name));
        }
        list.finish()
    }
}

impl MasterKeys {
    /// Loads the master keys from `dir/threshold/`, creating the missing
    /// ones with OS randomness. See the module documentation for the file
    /// layout.
    pub fn load_or_create(dir: &Path) -> io::Result<Self> {
        let key_dir = dir.join("threshold");
        create_private_dir(&key_dir)?;
        let mut entries = Vec::with_capacity(KeyScheme::ALL.len() * KEY_NAMES.len());
        for scheme in KeyScheme::ALL {
            for name in KEY_NAMES {
                let path = key_dir.join(format!("{}-{}.key", scheme.file_prefix(), name));
                let bytes = match read_key_file(&path)? {
                    Some(bytes) => bytes,
                    None => {
                        let bytes = new_key_bytes(scheme);
                        write_key_file(&key_dir, &path, &bytes)?;
                        bytes
                    }
                };
                let key = decode_key(scheme, &bytes).map_err(|reason| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("threshold key file {} is invalid: {reason}", path.display()),
                    )
                })?;
                entries.push(Entry { scheme, name, key });
            }
        }
        Ok(Self { entries })
    }

    fn master(&self, scheme: KeyScheme, key_name: &str) -> Result<&MasterKey, ThresholdError> {
        self.entries
            .iter()
            .find(|entry| entry.scheme == scheme && entry.name == key_name)
            .map(|entry| &entry.key)
            .ok_or_else(|| ThresholdError::UnknownKey {
                key_id: format!("{}:{}", scheme.ic_name(), key_name),
                existing: self
                    .entries
                    .iter()
                    .map(|entry| format!("{}:{}", entry.scheme.ic_name(), entry.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The master public key (the key derived with the empty path), in the
    /// encoding of [`DerivedPublicKey::public_key`].
    pub fn master_public_key(
        &self,
        scheme: KeyScheme,
        key_name: &str,
    ) -> Result<Vec<u8>, ThresholdError> {
        Ok(match self.master(scheme, key_name)? {
            MasterKey::Secp256k1(key) => key.public_key().serialize_sec1(true),
            MasterKey::Ed25519(key) => key.public_key().serialize_raw().to_vec(),
        })
    }

    /// The public key of `canister_id` for `derivation_path`, derived from
    /// the master public key.
    pub fn public_key(
        &self,
        scheme: KeyScheme,
        key_name: &str,
        canister_id: &Principal,
        derivation_path: &[Vec<u8>],
    ) -> Result<DerivedPublicKey, ThresholdError> {
        let master = self.master(scheme, key_name)?;
        check_path(derivation_path)?;
        Ok(match master {
            MasterKey::Secp256k1(key) => {
                let path = secp256k1_path(canister_id, derivation_path);
                let (public_key, chain_code) = key.public_key().derive_subkey(&path);
                DerivedPublicKey {
                    public_key: public_key.serialize_sec1(true),
                    chain_code,
                }
            }
            MasterKey::Ed25519(key) => {
                let path = ed25519_path(canister_id, derivation_path);
                let (public_key, chain_code) = key.public_key().derive_subkey(&path);
                DerivedPublicKey {
                    public_key: public_key.serialize_raw().to_vec(),
                    chain_code,
                }
            }
        })
    }

    /// An ECDSA signature (64 bytes `r || s`, `s` normalised to the lower
    /// half of the group order) over the 32-byte `message_hash` with the
    /// key of `canister_id` for `derivation_path`.
    pub fn sign_with_ecdsa(
        &self,
        key_name: &str,
        canister_id: &Principal,
        derivation_path: &[Vec<u8>],
        message_hash: &[u8],
    ) -> Result<[u8; 64], ThresholdError> {
        let master = self.master(KeyScheme::EcdsaSecp256k1, key_name)?;
        check_path(derivation_path)?;
        if message_hash.len() != 32 {
            return Err(ThresholdError::InvalidArgument(
                "message_hash must be 32 bytes".to_string(),
            ));
        }
        let MasterKey::Secp256k1(key) = master else {
            return Err(scheme_mismatch());
        };
        let (derived, _) = key.derive_subkey(&secp256k1_path(canister_id, derivation_path));
        Ok(derived.sign_digest_with_ecdsa(message_hash))
    }

    /// A Schnorr signature (64 bytes) over `message` with the key of
    /// `canister_id` for `derivation_path`.
    ///
    /// For BIP-340, `bip341_merkle_root` (0 or 32 bytes) asks for a
    /// signature with the BIP-341 taproot-tweaked key; `randomness` seeds
    /// the BIP-340 auxiliary randomness. Ed25519 takes no auxiliary input
    /// and is deterministic.
    #[allow(clippy::too_many_arguments)] // mirrors the fields of `sign_with_schnorr`
    pub fn sign_with_schnorr(
        &self,
        scheme: KeyScheme,
        key_name: &str,
        canister_id: &Principal,
        derivation_path: &[Vec<u8>],
        message: &[u8],
        bip341_merkle_root: Option<&[u8]>,
        randomness: [u8; 32],
    ) -> Result<[u8; 64], ThresholdError> {
        if scheme == KeyScheme::EcdsaSecp256k1 {
            return Err(scheme_mismatch());
        }
        let master = self.master(scheme, key_name)?;
        check_path(derivation_path)?;
        match master {
            MasterKey::Secp256k1(key) => {
                let (derived, _) = key.derive_subkey(&secp256k1_path(canister_id, derivation_path));
                let mut rng = rand::rngs::StdRng::from_seed(randomness);
                match bip341_merkle_root {
                    None => Ok(derived.sign_message_with_bip340(message, &mut rng)),
                    Some(root) => {
                        if !root.is_empty() && root.len() != 32 {
                            return Err(ThresholdError::InvalidArgument(format!(
                                "Invalid BIP-341 merkle_root_hash: must be 0 or 32 bytes, got {}",
                                root.len()
                            )));
                        }
                        derived
                            .sign_message_with_bip341(message, &mut rng, root)
                            .map_err(|error| {
                                ThresholdError::InvalidArgument(format!(
                                    "Invalid BIP-341 merkle_root_hash: {error:?}"
                                ))
                            })
                    }
                }
            }
            MasterKey::Ed25519(key) => {
                if bip341_merkle_root.is_some() {
                    return Err(ThresholdError::InvalidArgument(
                        "Ed25519 signing does not take auxiliary inputs: aux must be null"
                            .to_string(),
                    ));
                }
                let (derived, _) = key.derive_subkey(&ed25519_path(canister_id, derivation_path));
                Ok(derived.sign_message(message))
            }
        }
    }
}

fn scheme_mismatch() -> ThresholdError {
    ThresholdError::InvalidArgument("the key id does not match the signing method".to_string())
}

fn check_path(derivation_path: &[Vec<u8>]) -> Result<(), ThresholdError> {
    if derivation_path.len() > MAX_DERIVATION_PATH_ELEMENTS {
        return Err(ThresholdError::InvalidArgument(format!(
            "derivation_path must have at most {MAX_DERIVATION_PATH_ELEMENTS} elements, got {}",
            derivation_path.len()
        )));
    }
    Ok(())
}

fn secp256k1_path(canister_id: &Principal, path: &[Vec<u8>]) -> ic_secp256k1::DerivationPath {
    ic_secp256k1::DerivationPath::from_canister_id_and_path(canister_id.as_slice(), path)
}

fn ed25519_path(canister_id: &Principal, path: &[Vec<u8>]) -> ic_ed25519::DerivationPath {
    ic_ed25519::DerivationPath::from_canister_id_and_path(canister_id.as_slice(), path)
}

fn new_key_bytes(scheme: KeyScheme) -> Vec<u8> {
    let mut rng = rand::rngs::OsRng;
    match scheme {
        KeyScheme::EcdsaSecp256k1 | KeyScheme::SchnorrBip340Secp256k1 => {
            ic_secp256k1::PrivateKey::generate_using_rng(&mut rng).serialize_sec1()
        }
        KeyScheme::SchnorrEd25519 => ic_ed25519::PrivateKey::generate_using_rng(&mut rng)
            .serialize_raw()
            .to_vec(),
    }
}

fn decode_key(scheme: KeyScheme, bytes: &[u8]) -> Result<MasterKey, String> {
    if bytes.len() != 32 {
        return Err(format!("expected 32 bytes, found {}", bytes.len()));
    }
    match scheme {
        KeyScheme::EcdsaSecp256k1 | KeyScheme::SchnorrBip340Secp256k1 => {
            ic_secp256k1::PrivateKey::deserialize_sec1(bytes)
                .map(MasterKey::Secp256k1)
                .map_err(|error| format!("{error:?}"))
        }
        KeyScheme::SchnorrEd25519 => ic_ed25519::PrivateKey::deserialize_raw(bytes)
            .map(MasterKey::Ed25519)
            .map_err(|error| error.to_string()),
    }
}

fn read_key_file(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes a new key file atomically: a temporary file with mode 0600,
/// synced, renamed into place, and the directory synced.
fn write_key_file(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
mod tests {
    use super::*;

    /// A fresh directory, removed when dropped.
    struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn temp_dir(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "localnet-threshold-{tag}-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn canister(index: u64) -> Principal {
        crate::ids::canister_id(index)
    }

    #[test]
    fn keys_persist_across_loads_of_the_same_directory() {
        let dir = temp_dir("persist");
        let first = MasterKeys::load_or_create(&dir).unwrap();
        let second = MasterKeys::load_or_create(&dir).unwrap();
        for scheme in KeyScheme::ALL {
            for name in KEY_NAMES {
                assert_eq!(
                    first.master_public_key(scheme, name).unwrap(),
                    second.master_public_key(scheme, name).unwrap()
                );
            }
        }
        let other = MasterKeys::load_or_create(&temp_dir("other")).unwrap();
        assert_ne!(
            first
                .master_public_key(KeyScheme::EcdsaSecp256k1, "key_1")
                .unwrap(),
            other
                .master_public_key(KeyScheme::EcdsaSecp256k1, "key_1")
                .unwrap()
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private_and_thirty_two_bytes_long() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("files");
        MasterKeys::load_or_create(&dir).unwrap();
        let key_dir = dir.join("threshold");
        let mut count = 0;
        for entry in fs::read_dir(&key_dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
            assert_eq!(meta.len(), 32);
            count += 1;
        }
        assert_eq!(count, 9);
        assert!(key_dir.join("ecdsa-secp256k1-dfx_test_key.key").exists());
        assert!(key_dir.join("schnorr-ed25519-key_1.key").exists());
    }

    #[test]
    fn a_corrupt_key_file_fails_loading_instead_of_being_replaced() {
        let dir = temp_dir("corrupt");
        MasterKeys::load_or_create(&dir).unwrap();
        let path = dir.join("threshold/schnorr-bip340secp256k1-test_key_1.key");
        fs::write(&path, [1u8; 5]).unwrap();
        assert!(MasterKeys::load_or_create(&dir).is_err());
        assert_eq!(fs::read(&path).unwrap(), vec![1u8; 5]);
    }

    #[test]
    fn distinct_schemes_and_key_names_give_distinct_master_keys() {
        let keys = MasterKeys::load_or_create(&temp_dir("distinct")).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for scheme in KeyScheme::ALL {
            for name in KEY_NAMES {
                assert!(seen.insert(keys.master_public_key(scheme, name).unwrap()));
            }
        }
    }

    #[test]
    fn public_derivation_equals_the_derived_private_keys_public_key() {
        let keys = MasterKeys::load_or_create(&temp_dir("derive")).unwrap();
        let path = vec![b"alice".to_vec(), vec![], vec![0, 0, 0, 1]];
        for entry in &keys.entries {
            let public = keys
                .public_key(entry.scheme, entry.name, &canister(7), &path)
                .unwrap();
            let (from_private, chain_code) = match &entry.key {
                MasterKey::Secp256k1(key) => {
                    let (derived, chain_code) =
                        key.derive_subkey(&secp256k1_path(&canister(7), &path));
                    (derived.public_key().serialize_sec1(true), chain_code)
                }
                MasterKey::Ed25519(key) => {
                    let (derived, chain_code) =
                        key.derive_subkey(&ed25519_path(&canister(7), &path));
                    (derived.public_key().serialize_raw().to_vec(), chain_code)
                }
            };
            assert_eq!(public.public_key, from_private);
            assert_eq!(public.chain_code, chain_code);
        }
    }

    #[test]
    fn public_keys_have_the_ic_encodings() {
        let keys = MasterKeys::load_or_create(&temp_dir("enc")).unwrap();
        let path = [b"p".to_vec()];
        let ecdsa = keys
            .public_key(
                KeyScheme::EcdsaSecp256k1,
                "dfx_test_key",
                &canister(1),
                &path,
            )
            .unwrap();
        assert_eq!(ecdsa.public_key.len(), 33);
        assert!(matches!(ecdsa.public_key[0], 2 | 3));
        let bip340 = keys
            .public_key(
                KeyScheme::SchnorrBip340Secp256k1,
                "dfx_test_key",
                &canister(1),
                &path,
            )
            .unwrap();
        assert_eq!(bip340.public_key.len(), 33);
        let ed25519 = keys
            .public_key(
                KeyScheme::SchnorrEd25519,
                "dfx_test_key",
                &canister(1),
                &path,
            )
            .unwrap();
        assert_eq!(ed25519.public_key.len(), 32);
    }

    #[test]
    fn unknown_key_names_are_refused_with_the_ic_message() {
        let keys = MasterKeys::load_or_create(&temp_dir("unknown")).unwrap();
        let error = keys
            .public_key(KeyScheme::EcdsaSecp256k1, "nope", &canister(1), &[])
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("Requested unknown threshold key: ecdsa:Secp256k1:nope, existing keys: [ecdsa:Secp256k1:dfx_test_key"),
            "{message}"
        );
        assert_eq!(signature_fee("nope"), None);
        assert_eq!(signature_fee("key_1"), Some(SIGNATURE_FEE));
    }

    #[test]
    fn over_long_paths_and_bad_taproot_roots_are_refused() {
        let keys = MasterKeys::load_or_create(&temp_dir("limits")).unwrap();
        let long = vec![vec![]; 256];
        assert!(matches!(
            keys.public_key(KeyScheme::SchnorrEd25519, "key_1", &canister(1), &long),
            Err(ThresholdError::InvalidArgument(_))
        ));
        assert!(matches!(
            keys.sign_with_schnorr(
                KeyScheme::SchnorrBip340Secp256k1,
                "key_1",
                &canister(1),
                &[],
                b"m",
                Some(&[0u8; 31]),
                [0; 32]
            ),
            Err(ThresholdError::InvalidArgument(_))
        ));
        assert!(matches!(
            keys.sign_with_schnorr(
                KeyScheme::SchnorrEd25519,
                "key_1",
                &canister(1),
                &[],
                b"m",
                Some(&[]),
                [0; 32]
            ),
            Err(ThresholdError::InvalidArgument(_))
        ));
    }

    #[test]
    fn bip341_signatures_verify_against_the_tweaked_key() {
        let keys = MasterKeys::load_or_create(&temp_dir("bip341")).unwrap();
        let path = [b"taproot".to_vec()];
        let root = [9u8; 32];
        let public = keys
            .public_key(
                KeyScheme::SchnorrBip340Secp256k1,
                "key_1",
                &canister(3),
                &path,
            )
            .unwrap();
        let public = ic_secp256k1::PublicKey::deserialize_sec1(&public.public_key).unwrap();
        for merkle_root in [&root[..], &[][..]] {
            let signature = keys
                .sign_with_schnorr(
                    KeyScheme::SchnorrBip340Secp256k1,
                    "key_1",
                    &canister(3),
                    &path,
                    b"spend",
                    Some(merkle_root),
                    [5; 32],
                )
                .unwrap();
            assert!(public.verify_bip341_signature(b"spend", &signature, merkle_root));
            assert!(!public.verify_bip340_signature(b"spend", &signature));
        }
    }
}
