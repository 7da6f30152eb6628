//! Stable memory layout.
//!
//! The whole stable memory belongs to one `MemoryManager`, which splits it
//! into virtual memories, one per stored structure:
//!
//! ```text
//! stable memory
//! ├── MemoryManager header and bucket table (first page)
//! ├── HEADER             StableCell<Header>
//! │                        salt (32 bytes, set once), configuration,
//! │                        next account number, registration token bucket
//! ├── ACCOUNTS           StableBTreeMap<AccountNumber, StoredAccount>
//! │                        account number → two-factor flag + ≤ 10 devices
//! ├── CREDENTIAL_INDEX   StableBTreeMap<[u8; 32], AccountNumber>
//! │                        SHA-256(credential id) → account number
//! ├── PUBLIC_KEY_INDEX   StableBTreeMap<[u8; 32], AccountNumber>
//! │                        SHA-256(DER public key) → account number
//! ├── CHAINS             StableCell<StoredChains>
//! │                        the signer, Sigil's own origin and the Bitcoin
//! │                        network (Candid), set once
//! ├── SIGNATURE_LOG      StableBTreeMap<(AccountNumber, u64), LoggedSignature>
//! │                        (account, sequence number) → a signature made
//! │                        for it (CBOR); at most 100 per account
//! ├── EVM_CHAINS         StableCell<StoredEvmChains>
//! │                        the EVM chains signed for (Candid), replaced by
//! │                        an upgrade argument that names them
//! ├── POLICIES           StableBTreeMap<AccountNumber, StoredPolicy>
//! │                        account → its signing policy and a pending
//! │                        change (Candid); absent: the default policy
//! ├── SPENDING           StableBTreeMap<((AccountNumber, u64), (u64, u64)), u128>
//! │                        ((account, chain id), (time, prepared id)) →
//! │                        wei sent by a transaction signed then; only
//! │                        the last 24 hours are kept
//! ├── ADDRESSES          StableBTreeMap<AccountNumber, StoredAddresses>
//! │                        account → its addresses for other chains
//! │                        (Candid), written at the first lookup
//! └── CONNECTIONS        StableBTreeMap<(AccountNumber, [u8; 32]), StoredConnection>
//!                          (account, SHA-256 of an origin) → the dapp it
//!                          connected, until when (Candid); at most 64 per
//!                          account
//! ```
//!
//! Invariants: every device of every account has exactly one entry in
//! `PUBLIC_KEY_INDEX` (so a key belongs to at most one account, and the
//! index's length is the device count), and every device with a credential
//! id has exactly one entry in `CREDENTIAL_INDEX`. Both indexes are written
//! in the same message as the account, so they never disagree with it.
//!
//! Memory ids are never reused: a retired structure keeps its id.
//! The signature map is *not* here: it lives in the heap (see
//! `signature_map.rs`).

use ic_stable_structures::memory_manager::MemoryId;

pub const HEADER: MemoryId = MemoryId::new(0);
pub const ACCOUNTS: MemoryId = MemoryId::new(1);
pub const CREDENTIAL_INDEX: MemoryId = MemoryId::new(2);
pub const PUBLIC_KEY_INDEX: MemoryId = MemoryId::new(3);
pub const CHAINS: MemoryId = MemoryId::new(4);
pub const SIGNATURE_LOG: MemoryId = MemoryId::new(5);
pub const EVM_CHAINS: MemoryId = MemoryId::new(6);
pub const POLICIES: MemoryId = MemoryId::new(7);
pub const SPENDING: MemoryId = MemoryId::new(8);
pub const ADDRESSES: MemoryId = MemoryId::new(9);
pub const CONNECTIONS: MemoryId = MemoryId::new(10);
