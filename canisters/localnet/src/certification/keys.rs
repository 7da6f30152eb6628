//! The network's keys: the BLS12-381 root key that signs certificates and
//! the Ed25519 node key that signs query responses.
//!
//! Layout on disk (inside the state directory):
//!
//! ```text
//! keys/root_key   hex of the 32-byte BLS12-381 secret scalar (little endian)
//! keys/node_key   hex of the 32-byte Ed25519 secret seed
//! ```
//!
//! Both files are created on first start and never rewritten. The subnet id
//! is the self-authenticating principal of the root key's DER form, as for
//! the IC's root subnet; an agent that sees a certificate without delegation
//! derives the subnet id the same way. The node id is the self-authenticating
//! principal of the node key's DER form.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use candid::Principal;
use ic_bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use ic_bls12_381::{G1Projective, G2Affine, Scalar};
use rand::RngCore;

/// DER prefix of a BLS12-381 G2 public key as the IC encodes its root key
/// (IC interface specification, "Certification": the root key is a
/// DER-wrapped 96-byte compressed G2 point).
pub const BLS_DER_PREFIX: [u8; 37] = [
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
    0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
    0x02, 0x01, 0x03, 0x61, 0x00,
];

/// The domain separation tag of the IC's BLS signatures (minimal-signature-size
/// variant: signatures on G1, keys on G2).
pub const BLS_DST: &[u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

const KEYS_DIR: &str = "keys";
const ROOT_KEY_FILE: &str = "root_key";
const NODE_KEY_FILE: &str = "node_key";

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot access key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path} is malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("the root key secret is not a valid BLS12-381 scalar")]
    InvalidRootSecret,
}

/// The root key and the node key, with the identities derived from them.
pub struct Keys {
    root_secret: Scalar,
    root_public: [u8; 96],
    root_der: Vec<u8>,
    node_key: ic_ed25519::PrivateKey,
    node_der: Vec<u8>,
    subnet_id: Principal,
    node_id: Principal,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("subnet_id", &self.subnet_id.to_text())
            .field("node_id", &self.node_id.to_text())
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// Fresh random keys.
    pub fn generate() -> Self {
        let root_secret = random_scalar();
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Self::assemble(
            root_secret,
            ic_ed25519::PrivateKey::deserialize_raw_32(&seed),
        )
    }

    /// Keys from their secrets: the BLS scalar in its 32-byte little-endian
    /// form and the Ed25519 seed.
    pub fn from_secrets(root_secret: &[u8; 32], node_seed: &[u8; 32]) -> Result<Self, KeysError> {
        let root_secret: Option<Scalar> = Scalar::from_bytes(root_secret).into();
        let root_secret = root_secret
            .filter(|s| *s != Scalar::zero())
            .ok_or(KeysError::InvalidRootSecret)?;
        Ok(Self::assemble(
            root_secret,
            ic_ed25519::PrivateKey::deserialize_raw_32(node_seed),
        ))
    }

    /// Loads the keys from `<dir>/keys/`, creating whichever is missing.
    pub fn load_or_create(dir: &Path) -> Result<Self, KeysError> {
        let keys_dir = dir.join(KEYS_DIR);
        fs::create_dir_all(&keys_dir).map_err(|source| KeysError::Io {
            path: keys_dir.clone(),
            source,
        })?;
        let root_path = keys_dir.join(ROOT_KEY_FILE);
        let root = match read_secret(&root_path)? {
            Some(bytes) => bytes,
            None => {
                let bytes = random_scalar().to_bytes();
                write_secret(&root_path, &bytes)?;
                bytes
            }
        };
        let node_path = keys_dir.join(NODE_KEY_FILE);
        let node = match read_secret(&node_path)? {
            Some(bytes) => bytes,
            None => {
                let mut seed = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut seed);
                write_secret(&node_path, &seed)?;
                seed
            }
        };
        Self::from_secrets(&root, &node).map_err(|_| KeysError::Malformed {
            path: root_path,
            reason: "not a valid BLS12-381 secret scalar".into(),
        })
    }

    fn assemble(root_secret: Scalar, node_key: ic_ed25519::PrivateKey) -> Self {
        let root_public = G2Affine::from(G2Affine::generator() * root_secret).to_compressed();
        let mut root_der = Vec::with_capacity(BLS_DER_PREFIX.len() + 96);
        root_der.extend_from_slice(&BLS_DER_PREFIX);
        root_der.extend_from_slice(&root_public);
        let node_der = node_key.public_key().serialize_rfc8410_der();
        Self {
            subnet_id: Principal::self_authenticating(&root_der),
            node_id: Principal::self_authenticating(&node_der),
            root_secret,
            root_public,
            root_der,
            node_key,
            node_der,
        }
    }

    /// The 96-byte compressed G2 root public key.
    pub fn root_public_key(&self) -> &[u8; 96] {
        &self.root_public
    }

    /// The root public key in the DER form `/api/v2/status` publishes.
    pub fn root_key_der(&self) -> &[u8] {
        &self.root_der
    }

    /// The node's Ed25519 public key, DER (RFC 8410), 44 bytes.
    pub fn node_public_key_der(&self) -> &[u8] {
        &self.node_der
    }

    pub fn subnet_id(&self) -> Principal {
        self.subnet_id
    }

    pub fn node_id(&self) -> Principal {
        self.node_id
    }

    /// A BLS signature (48-byte compressed G1 point) of `message` by the root key.
    pub fn bls_sign(&self, message: &[u8]) -> [u8; 48] {
        let point = <G1Projective as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::hash_to_curve(
            message, BLS_DST,
        );
        ic_bls12_381::G1Affine::from(point * self.root_secret).to_compressed()
    }

    /// An Ed25519 signature of `message` by the node key.
    pub fn node_sign(&self, message: &[u8]) -> [u8; 64] {
        self.node_key.sign_message(message)
    }
}

fn random_scalar() -> Scalar {
    loop {
        let mut wide = [0u8; 64];
        rand::rngs::OsRng.fill_bytes(&mut wide);
        let scalar = Scalar::from_bytes_wide(&wide);
        if scalar != Scalar::zero() {
            return scalar;
        }
    }
}

fn read_secret(path: &Path) -> Result<Option<[u8; 32]>, KeysError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(KeysError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut bytes).map_err(|e| KeysError::Malformed {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(Some(bytes))
}

/// Writes a secret to a temporary file, syncs it and renames it into place,
/// so a crash never leaves a half-written key behind.
fn write_secret(path: &Path, secret: &[u8; 32]) -> Result<(), KeysError> {
    let io = |source| KeysError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(hex::encode(secret).as_bytes()).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io)?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn root_signatures_verify_with_the_ic_bls_verifier() {
        let keys = Keys::generate();
        let signature = keys.bls_sign(b"hello");
        assert!(
            ic_verify_bls_signature::verify_bls_signature(
                &signature,
                b"hello",
                keys.root_public_key()
            )
            .is_ok()
        );
        assert!(
            ic_verify_bls_signature::verify_bls_signature(
                &signature,
                b"other",
                keys.root_public_key()
            )
            .is_err()
        );
    }

    #[test]
    fn identities_are_self_authenticating_principals_of_the_der_keys() {
        let keys = Keys::generate();
        assert_eq!(keys.root_key_der().len(), 133);
        assert_eq!(&keys.root_key_der()[..37], &BLS_DER_PREFIX);
        assert_eq!(
            keys.subnet_id(),
            Principal::self_authenticating(keys.root_key_der())
        );
        assert_eq!(keys.node_public_key_der().len(), 44);
        assert_eq!(
            keys.node_id(),
            Principal::self_authenticating(keys.node_public_key_der())
        );
    }

    #[test]
    fn keys_survive_a_restart_from_the_state_directory() {
        let dir = std::env::temp_dir().join(format!("localnet-keys-{}", rand::random::<u64>()));
        let first = Keys::load_or_create(&dir).unwrap();
        let second = Keys::load_or_create(&dir).unwrap();
        assert_eq!(first.root_key_der(), second.root_key_der());
        assert_eq!(first.node_id(), second.node_id());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_key_file_is_an_error_not_a_new_key() {
        let dir = std::env::temp_dir().join(format!("localnet-keys-{}", rand::random::<u64>()));
        fs::create_dir_all(dir.join(KEYS_DIR)).unwrap();
        fs::write(dir.join(KEYS_DIR).join(ROOT_KEY_FILE), "not hex").unwrap();
        assert!(matches!(
            Keys::load_or_create(&dir),
            Err(KeysError::Malformed { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
