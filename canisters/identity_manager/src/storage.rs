//! Accounts, devices, salt and configuration in stable memory (layout in
//! `memory.rs`). Generic over `M: Memory` so tests run on `VectorMemory`.
//!
//! Accounts, the record every call reads, are CBOR-encoded (serde): a
//! fraction of the instructions a Candid decoding costs, which sets up a
//! type table and checks subtyping on every read. Accounts written
//! Candid-encoded by earlier versions (they start with the magic `DIDL`,
//! which no CBOR map does) are still read, and rewritten as CBOR at their
//! next change. The header stays Candid-encoded (read once per call at
//! most, and small). Both tolerate added optional fields, so records can
//! grow; renaming a field or a variant of `Purpose`/`KeyType` changes the
//! encoding and needs a migration.

use std::borrow::Cow;

use candid::{CandidType, Deserialize};
use ic_stable_structures::memory_manager::{MemoryManager, VirtualMemory};
use ic_stable_structures::storable::Bound;
use ic_stable_structures::{Memory, StableBTreeMap, StableCell, Storable};
use serde::Serialize;
use serde_bytes::ByteBuf;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{
    AccountNumber, Addresses, ChainsConfig, Connection, DEFAULT_PROOF_OF_WORK_DIFFICULTY, Device,
    EvmChain, KeyType, MAX_LOGGED_SIGNATURES, POLICY_LOOSENING_DELAY_NS, PolicyState, Purpose,
    SignatureRecord,
};

use crate::memory;
use crate::rate_limit::TokenBucket;

/// Default first account number.
pub const DEFAULT_BASE_ACCOUNT_NUMBER: AccountNumber = 10_000;
const WASM_PAGE_SIZE: u64 = 65_536;

type VMem<M> = VirtualMemory<M>;

/// `Storable` for a record kept as Candid, within `$bound`.
macro_rules! candid_storable {
    ($type:ty, $bound:expr) => {
        impl Storable for $type {
            fn to_bytes(&self) -> Cow<'_, [u8]> {
                Cow::Owned(encode(self))
            }
            fn into_bytes(self) -> Vec<u8> {
                encode(&self)
            }
            fn from_bytes(bytes: Cow<[u8]>) -> Self {
                decode(&bytes)
            }
            const BOUND: Bound = $bound;
        }
    };
}

/// The canister-wide record: salt, configuration and counters.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// 32 bytes from `raw_rand`; set once, never changed.
    pub salt: Option<ByteBuf>,
    pub base_account_number: AccountNumber,
    /// The number the next account gets; only grows.
    pub next_account_number: AccountNumber,
    pub registrations: TokenBucket,
    /// Leading zero bits of the proof of work past the bucket; `None`:
    /// the default.
    pub proof_of_work_difficulty: Option<u8>,
    /// How long a loosening of a policy waits; `None`: the default.
    pub policy_loosening_delay_ns: Option<u64>,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            salt: None,
            base_account_number: DEFAULT_BASE_ACCOUNT_NUMBER,
            next_account_number: DEFAULT_BASE_ACCOUNT_NUMBER,
            registrations: TokenBucket::default(),
            proof_of_work_difficulty: None,
            policy_loosening_delay_ns: None,
        }
    }
}

impl Header {
    pub fn proof_of_work_difficulty(&self) -> u8 {
        self.proof_of_work_difficulty
            .unwrap_or(DEFAULT_PROOF_OF_WORK_DIFFICULTY)
    }

    pub fn policy_loosening_delay_ns(&self) -> u64 {
        self.policy_loosening_delay_ns
            .unwrap_or(POLICY_LOOSENING_DELAY_NS)
    }

    pub fn salt(&self) -> Option<[u8; 32]> {
        self.salt
            .as_ref()
            .and_then(|salt| <[u8; 32]>::try_from(salt.as_slice()).ok())
    }
}

// Bound: at most 512 bytes (salt 32, six `nat64`, Candid type table).
candid_storable!(
    Header,
    Bound::Bounded {
        max_size: 512,
        is_fixed_size: false,
    }
);

/// A device as stored (see `sigil_api::identity_manager::Device`).
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredDevice {
    pub public_key: ByteBuf,
    pub alias: String,
    pub credential_id: Option<ByteBuf>,
    pub purpose: Purpose,
    pub key_type: KeyType,
    pub protected: bool,
}

impl From<Device> for StoredDevice {
    fn from(device: Device) -> Self {
        StoredDevice {
            public_key: device.public_key,
            alias: device.alias,
            credential_id: device.credential_id,
            purpose: device.purpose,
            key_type: device.key_type,
            protected: device.protected,
        }
    }
}

impl From<StoredDevice> for Device {
    fn from(device: StoredDevice) -> Self {
        Device {
            public_key: device.public_key,
            alias: device.alias,
            credential_id: device.credential_id,
            purpose: device.purpose,
            key_type: device.key_type,
            protected: device.protected,
        }
    }
}

/// An account: its devices (at least one for authentication, at most
/// `MAX_DEVICES_PER_ACCOUNT`) and its two-factor flag.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredAccount {
    pub two_factor: bool,
    pub devices: Vec<StoredDevice>,
}

/// Largest encoded account: ten devices with every field at its limit
/// encode to about 7.3 KiB (checked by a test).
pub const MAX_ACCOUNT_BYTES: u32 = 8 * 1024;

/// Bound: unbounded, though never more than [`MAX_ACCOUNT_BYTES`]. A
/// bounded value makes the B-tree reserve its maximum for every slot of a
/// node (about 14 KB of stable memory per account, measured), while an
/// unbounded one is stored at its actual size.
impl Storable for StoredAccount {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(encode_cbor(self))
    }
    fn into_bytes(self) -> Vec<u8> {
        encode_cbor(&self)
    }
    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        if bytes.starts_with(CANDID_MAGIC) {
            decode(&bytes)
        } else {
            serde_cbor::from_slice(&bytes)
                .expect("stable memory holds an account written by this canister")
        }
    }
    const BOUND: Bound = Bound::Unbounded;
}

/// The first bytes of every Candid message.
const CANDID_MAGIC: &[u8] = b"DIDL";

fn encode_cbor<T: Serialize>(value: &T) -> Vec<u8> {
    serde_cbor::to_vec(value).expect("stored records always encode")
}

fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("stored records always encode")
}

fn decode<T: for<'de> Deserialize<'de> + CandidType>(bytes: &[u8]) -> T {
    candid::decode_one(bytes).expect("stable memory holds a record written by this canister")
}

/// SHA-256 of an index key (a credential id or a DER public key): keeps the
/// index keys small and fixed-size.
pub fn index_key(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub struct Storage<M: Memory> {
    raw: M,
    header: StableCell<Header, VMem<M>>,
    accounts: StableBTreeMap<AccountNumber, StoredAccount, VMem<M>>,
    /// Key bound: 32 bytes; value bound: 8 bytes.
    credentials: StableBTreeMap<[u8; 32], AccountNumber, VMem<M>>,
    /// Key bound: 32 bytes; value bound: 8 bytes.
    public_keys: StableBTreeMap<[u8; 32], AccountNumber, VMem<M>>,
    chains: StableCell<StoredChains, VMem<M>>,
    signature_log: StableBTreeMap<(AccountNumber, u64), LoggedSignature, VMem<M>>,
    evm_chains: StableCell<StoredEvmChains, VMem<M>>,
    policies: StableBTreeMap<AccountNumber, StoredPolicy, VMem<M>>,
    spending: StableBTreeMap<SpendingKey, u128, VMem<M>>,
    addresses: StableBTreeMap<AccountNumber, StoredAddresses, VMem<M>>,
    connections: StableBTreeMap<ConnectionKey, StoredConnection, VMem<M>>,
}

/// A signature record as the log stores it (CBOR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedSignature(pub SignatureRecord);

impl Storable for LoggedSignature {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(encode_cbor(&self.0))
    }
    fn into_bytes(self) -> Vec<u8> {
        encode_cbor(&self.0)
    }
    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        LoggedSignature(
            serde_cbor::from_slice(&bytes)
                .expect("stable memory holds a signature record written by this canister"),
        )
    }
    const BOUND: Bound = Bound::Unbounded;
}

/// The chains configuration as stored: nothing until it is set.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct StoredChains(pub Option<ChainsConfig>);

candid_storable!(StoredChains, Bound::Unbounded);

/// An account's policy, as stored.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredPolicy(pub PolicyState);

candid_storable!(StoredPolicy, Bound::Unbounded);

/// An account's addresses, as stored.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredAddresses(pub Addresses);

candid_storable!(StoredAddresses, Bound::Unbounded);

/// A connected origin, as stored.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredConnection(pub Connection);

candid_storable!(StoredConnection, Bound::Unbounded);

/// A key of the connections: (account, SHA-256 of the origin).
type ConnectionKey = (AccountNumber, [u8; 32]);

/// A key of the spending record: ((account, chain id), (time, prepared id)).
type SpendingKey = ((AccountNumber, u64), (u64, u64));

/// The EVM chains signed for, as stored.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct StoredEvmChains(pub Vec<EvmChain>);

candid_storable!(StoredEvmChains, Bound::Unbounded);

impl<M: Memory + Clone> Storage<M> {
    /// Opens the storage in `memory`, creating empty structures the first
    /// time and loading the existing ones after an upgrade.
    pub fn init(memory: M) -> Self {
        let manager = MemoryManager::init(memory.clone());
        Storage {
            raw: memory,
            header: StableCell::init(manager.get(memory::HEADER), Header::default()),
            accounts: StableBTreeMap::init(manager.get(memory::ACCOUNTS)),
            credentials: StableBTreeMap::init(manager.get(memory::CREDENTIAL_INDEX)),
            public_keys: StableBTreeMap::init(manager.get(memory::PUBLIC_KEY_INDEX)),
            chains: StableCell::init(manager.get(memory::CHAINS), StoredChains::default()),
            signature_log: StableBTreeMap::init(manager.get(memory::SIGNATURE_LOG)),
            evm_chains: StableCell::init(
                manager.get(memory::EVM_CHAINS),
                StoredEvmChains::default(),
            ),
            policies: StableBTreeMap::init(manager.get(memory::POLICIES)),
            spending: StableBTreeMap::init(manager.get(memory::SPENDING)),
            addresses: StableBTreeMap::init(manager.get(memory::ADDRESSES)),
            connections: StableBTreeMap::init(manager.get(memory::CONNECTIONS)),
        }
    }

    /// Appends `record` to `account`'s signature log, dropping the oldest
    /// records past [`MAX_LOGGED_SIGNATURES`].
    pub fn log_signature(&mut self, account: AccountNumber, record: SignatureRecord) {
        let range = (account, 0)..=(account, u64::MAX);
        let next = self
            .signature_log
            .keys_range(range.clone())
            .next_back()
            .map_or(0, |(_, sequence)| sequence + 1);
        self.signature_log
            .insert((account, next), LoggedSignature(record));
        let kept = self.signature_log.keys_range(range.clone()).count();
        let old: Vec<_> = self
            .signature_log
            .keys_range(range)
            .take(kept.saturating_sub(MAX_LOGGED_SIGNATURES))
            .collect();
        for key in old {
            self.signature_log.remove(&key);
        }
    }

    /// `account`'s addresses, once written.
    pub fn addresses(&self, account: AccountNumber) -> Option<Addresses> {
        self.addresses.get(&account).map(|stored| stored.0)
    }

    /// Keeps `account`'s addresses: they never change (the chains
    /// configuration is set once).
    pub fn keep_addresses(&mut self, account: AccountNumber, addresses: Addresses) {
        self.addresses.insert(account, StoredAddresses(addresses));
    }

    /// `account`'s stored policy; `None`: it has the default one.
    pub fn policy(&self, account: AccountNumber) -> Option<PolicyState> {
        self.policies.get(&account).map(|stored| stored.0)
    }

    pub fn set_policy(&mut self, account: AccountNumber, state: PolicyState) {
        self.policies.insert(account, StoredPolicy(state));
    }

    /// The wei `account` sent on `chain_id` from `since` on.
    pub fn spent_since(&self, account: AccountNumber, chain_id: u64, since: u64) -> u128 {
        self.spending
            .values_range(
                ((account, chain_id), (since, 0))..=((account, chain_id), (u64::MAX, u64::MAX)),
            )
            .fold(0u128, u128::saturating_add)
    }

    /// Records `value` wei sent by the transaction prepared as `id`, signed
    /// at `time`, and forgets what `account` sent on the chain before
    /// `keep_since`.
    pub fn record_spending(
        &mut self,
        account: AccountNumber,
        chain_id: u64,
        (time, id): (u64, u64),
        value: u128,
        keep_since: u64,
    ) {
        let old: Vec<_> = self
            .spending
            .keys_range(((account, chain_id), (0, 0))..((account, chain_id), (keep_since, 0)))
            .collect();
        for key in old {
            self.spending.remove(&key);
        }
        self.spending
            .insert(((account, chain_id), (time, id)), value);
    }

    /// Forgets a recorded spending whose transaction was not signed after
    /// all.
    pub fn refund_spending(&mut self, account: AccountNumber, chain_id: u64, at: (u64, u64)) {
        self.spending.remove(&((account, chain_id), at));
    }

    /// `account`'s logged signatures, oldest first.
    pub fn signature_log(&self, account: AccountNumber) -> Vec<SignatureRecord> {
        self.signature_log
            .values_range((account, 0)..=(account, u64::MAX))
            .map(|logged| logged.0)
            .collect()
    }

    /// The chains configuration, once set.
    pub fn chains(&self) -> Option<&ChainsConfig> {
        self.chains.get().0.as_ref()
    }

    pub fn set_chains(&mut self, chains: ChainsConfig) {
        self.chains.set(StoredChains(Some(chains)));
    }

    /// The EVM chains signed for.
    pub fn evm_chains(&self) -> &[EvmChain] {
        &self.evm_chains.get().0
    }

    pub fn set_evm_chains(&mut self, chains: Vec<EvmChain>) {
        self.evm_chains.set(StoredEvmChains(chains));
    }

    pub fn header(&self) -> &Header {
        self.header.get()
    }

    pub fn set_header(&mut self, header: Header) {
        self.header.set(header);
    }

    pub fn account(&self, number: AccountNumber) -> Option<StoredAccount> {
        self.accounts.get(&number)
    }

    pub fn account_of_public_key(&self, public_key: &[u8]) -> Option<AccountNumber> {
        self.public_keys.get(&index_key(public_key))
    }

    pub fn account_of_credential_id(&self, credential_id: &[u8]) -> Option<AccountNumber> {
        self.credentials.get(&index_key(credential_id))
    }

    /// Writes `account` under `number` and brings both indexes in line:
    /// keys and credential ids the account no longer has are unindexed,
    /// new ones are indexed. Callers have checked uniqueness.
    pub fn write_account(&mut self, number: AccountNumber, account: StoredAccount) {
        let old = self.accounts.get(&number).unwrap_or_default();
        for device in &old.devices {
            self.public_keys.remove(&index_key(&device.public_key));
            if let Some(id) = &device.credential_id {
                self.credentials.remove(&index_key(id));
            }
        }
        for device in &account.devices {
            self.public_keys
                .insert(index_key(&device.public_key), number);
            if let Some(id) = &device.credential_id {
                self.credentials.insert(index_key(id), number);
            }
        }
        self.accounts.insert(number, account);
    }

    pub fn account_count(&self) -> u64 {
        self.accounts.len()
    }

    /// Every device has one public key index entry.
    pub fn device_count(&self) -> u64 {
        self.public_keys.len()
    }

    pub fn stable_memory_bytes(&self) -> u64 {
        self.raw.size().saturating_mul(WASM_PAGE_SIZE)
    }
}

/// The connections of each account (rules in `connections.rs`).
impl<M: Memory + Clone> Storage<M> {
    fn connection_key(account: AccountNumber, origin: &str) -> ConnectionKey {
        (account, Sha256::digest(origin.as_bytes()).into())
    }

    pub fn connection(&self, account: AccountNumber, origin: &str) -> Option<Connection> {
        self.connections
            .get(&Self::connection_key(account, origin))
            .map(|stored| stored.0)
    }

    /// Every connection of `account`, live or not.
    pub fn connections_of(&self, account: AccountNumber) -> Vec<Connection> {
        let range = (account, [0; 32])..=(account, [0xff; 32]);
        self.connections
            .values_range(range)
            .map(|stored| stored.0)
            .collect()
    }

    pub fn set_connection(&mut self, account: AccountNumber, connection: Connection) {
        let key = Self::connection_key(account, &connection.origin);
        self.connections.insert(key, StoredConnection(connection));
    }

    /// Removes `origin`'s connection to `account`; whether there was one.
    pub fn remove_connection(&mut self, account: AccountNumber, origin: &str) -> bool {
        self.connections
            .remove(&Self::connection_key(account, origin))
            .is_some()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
mod tests {
    use super::*;
    use ic_stable_structures::VectorMemory;
    use sigil_api::identity_manager::{
        MAX_ALIAS_LEN, MAX_CREDENTIAL_ID_LEN, MAX_DEVICES_PER_ACCOUNT, MAX_PUBLIC_KEY_LEN,
    };

    fn largest_account() -> StoredAccount {
        let device = StoredDevice {
            public_key: ByteBuf::from(vec![0xff; MAX_PUBLIC_KEY_LEN]),
            alias: "é".repeat(MAX_ALIAS_LEN / 2),
            credential_id: Some(ByteBuf::from(vec![0xff; MAX_CREDENTIAL_ID_LEN])),
            purpose: Purpose::Recovery,
            key_type: KeyType::Secp256k1,
            protected: true,
        };
        StoredAccount {
            two_factor: true,
            devices: vec![device; MAX_DEVICES_PER_ACCOUNT],
        }
    }

    #[test]
    fn should_fit_the_largest_account_within_its_bound() {
        let bytes = largest_account().into_bytes();
        assert!(bytes.len() <= MAX_ACCOUNT_BYTES as usize, "{}", bytes.len());
    }

    #[test]
    fn should_fit_the_largest_header_within_its_bound() {
        let header = Header {
            salt: Some(ByteBuf::from(vec![0xff; 32])),
            base_account_number: u64::MAX,
            next_account_number: u64::MAX,
            registrations: TokenBucket {
                capacity: u64::MAX,
                refill_period_ns: u64::MAX,
                tokens: u64::MAX,
                last_refill_ns: u64::MAX,
            },
            proof_of_work_difficulty: Some(u8::MAX),
            policy_loosening_delay_ns: Some(u64::MAX),
        };
        assert!(header.into_bytes().len() <= 512);
    }

    #[test]
    fn should_read_an_account_written_candid_encoded_by_an_earlier_version() {
        let account = largest_account();
        let earlier = encode(&account);
        assert!(earlier.starts_with(CANDID_MAGIC));
        assert_eq!(StoredAccount::from_bytes(Cow::Owned(earlier)), account);
        let now = account.to_bytes().into_owned();
        assert!(!now.starts_with(CANDID_MAGIC));
        assert_eq!(StoredAccount::from_bytes(Cow::Owned(now)), account);
    }

    #[test]
    fn should_keep_accounts_and_header_when_reopened() {
        let memory = VectorMemory::default();
        let mut storage = Storage::init(memory.clone());
        let mut header = storage.header().clone();
        header.salt = Some(ByteBuf::from(vec![7; 32]));
        header.next_account_number = 10_001;
        storage.set_header(header.clone());
        storage.write_account(10_000, largest_account());
        drop(storage);

        let reopened = Storage::init(memory);
        assert_eq!(reopened.header(), &header);
        assert_eq!(reopened.account(10_000), Some(largest_account()));
        assert_eq!(reopened.device_count(), 1);
        assert!(reopened.stable_memory_bytes() > 0);
    }

    #[test]
    fn should_unindex_keys_an_account_no_longer_has() {
        let mut storage = Storage::init(VectorMemory::default());
        let mut account = largest_account();
        account.devices.truncate(1);
        account.devices[0].public_key = ByteBuf::from(vec![1]);
        account.devices[0].credential_id = Some(ByteBuf::from(vec![2]));
        storage.write_account(1, account.clone());
        assert_eq!(storage.account_of_public_key(&[1]), Some(1));
        assert_eq!(storage.account_of_credential_id(&[2]), Some(1));

        account.devices[0].public_key = ByteBuf::from(vec![3]);
        account.devices[0].credential_id = None;
        storage.write_account(1, account);
        assert_eq!(storage.account_of_public_key(&[1]), None);
        assert_eq!(storage.account_of_credential_id(&[2]), None);
        assert_eq!(storage.account_of_public_key(&[3]), Some(1));
    }
}
