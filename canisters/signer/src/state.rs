//! The signer's stable state:
//!
//! ```text
//! stable memory (MemoryManager)
//! ├── CONFIG       StableCell<Config>   the init argument (Candid), set at install
//! └── PUBLIC_KEYS  StableBTreeMap<KeySlot, Vec<u8>>
//!                    (scheme byte, owner) → the public key the IC gave
//! ```
//!
//! Invariants: the configuration is written once, at install, and an
//! upgrade that names another one is refused (it would move every
//! address); a kept public key is exactly what the management canister
//! answered for that family and owner, so a lookup after the first costs no
//! threshold call. Memory ids are never reused.

use std::borrow::Cow;

use candid::{Decode, Encode, Principal};
use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::storable::Bound;
use ic_stable_structures::{Memory, StableBTreeMap, StableCell, Storable};
use sigil_api::signer::{InitArgs, KeyFamily};

use crate::derivation::scheme_byte;

const CONFIG: MemoryId = MemoryId::new(0);
const PUBLIC_KEYS: MemoryId = MemoryId::new(1);

/// The configuration as stored: the init argument, or nothing before
/// install.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Config(pub Option<InitArgs>);

impl Storable for Config {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(self.clone().into_bytes())
    }
    fn into_bytes(self) -> Vec<u8> {
        Encode!(&self.0).expect("the configuration always encodes")
    }
    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        Config(
            Decode!(&bytes, Option<InitArgs>)
                .expect("stable memory holds this canister's configuration"),
        )
    }
    const BOUND: Bound = Bound::Unbounded;
}

/// A family and an owner: one byte of scheme, one of length, and the
/// principal's bytes padded to 29.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeySlot([u8; 31]);

impl KeySlot {
    pub fn new(family: KeyFamily, owner: Principal) -> Self {
        let bytes = owner.as_slice();
        let mut slot = [0; 31];
        slot[0] = scheme_byte(family);
        // A principal is at most 29 bytes.
        slot[1] = bytes.len() as u8;
        slot[2..2 + bytes.len()].copy_from_slice(bytes);
        Self(slot)
    }
}

impl Storable for KeySlot {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.0)
    }
    fn into_bytes(self) -> Vec<u8> {
        self.0.to_vec()
    }
    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        let mut slot = [0; 31];
        slot.copy_from_slice(&bytes);
        Self(slot)
    }
    const BOUND: Bound = Bound::Bounded {
        max_size: 31,
        is_fixed_size: true,
    };
}

pub struct State<M: Memory> {
    config: StableCell<Config, VirtualMemory<M>>,
    public_keys: StableBTreeMap<KeySlot, Vec<u8>, VirtualMemory<M>>,
}

impl<M: Memory> State<M> {
    pub fn init(memory: M) -> Self {
        let manager = MemoryManager::init(memory);
        Self {
            config: StableCell::init(manager.get(CONFIG), Config::default()),
            public_keys: StableBTreeMap::init(manager.get(PUBLIC_KEYS)),
        }
    }

    /// Applies the install or upgrade argument: the first one is kept, a
    /// later one must name the same identity manager and key name.
    pub fn configure(&mut self, args: Option<InitArgs>) -> Result<(), String> {
        match (self.config.get().0.clone(), args) {
            (None, None) => {
                Err("the signer is installed with its identity manager and key name".into())
            }
            (None, Some(args)) => {
                if args.key_name.is_empty() {
                    return Err("the key name is empty".into());
                }
                self.config.set(Config(Some(args)));
                Ok(())
            }
            (Some(_), None) => Ok(()),
            (Some(kept), Some(args)) if kept == args => Ok(()),
            (Some(kept), Some(_)) => Err(format!(
                "the signer stays with identity manager {} and key {:?}: another would move every address",
                kept.identity_manager, kept.key_name
            )),
        }
    }

    /// The configuration (set at install).
    pub fn config(&self) -> Option<&InitArgs> {
        self.config.get().0.as_ref()
    }

    pub fn public_key(&self, family: KeyFamily, owner: Principal) -> Option<Vec<u8>> {
        self.public_keys.get(&KeySlot::new(family, owner))
    }

    pub fn keep_public_key(&mut self, family: KeyFamily, owner: Principal, key: Vec<u8>) {
        self.public_keys.insert(KeySlot::new(family, owner), key);
    }

    pub fn kept_public_keys(&self) -> u64 {
        self.public_keys.len()
    }
}
