//! Devices proposed by `add_device` and waiting for the new device itself
//! to call `confirm_device`: proof that the person adding it holds its key
//! (so a key that cannot sign, or someone else's key, is never added).
//!
//! Heap only, like the signature map: a proposal lasts
//! [`PENDING_DEVICE_TTL_NS`] and one lost to an upgrade is simply made
//! again. At most one proposal per account (a new one replaces the old),
//! so the map never holds more entries than there are accounts; expired
//! entries are pruned whenever one is inserted.

use std::collections::BTreeMap;

use candid::Principal;
use sigil_api::identity_manager::{AccountNumber, PENDING_DEVICE_TTL_NS, Timestamp};

use crate::storage::StoredDevice;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub device: StoredDevice,
    /// The public key of the device that proposed it: the confirmation
    /// holds only while that device is still in the account.
    pub proposed_by: Vec<u8>,
    pub expiration: Timestamp,
}

impl Proposal {
    /// The principal that must confirm: the new device itself.
    pub fn confirmer(&self) -> Principal {
        Principal::self_authenticating(&self.device.public_key)
    }
}

#[derive(Default)]
pub struct PendingDevices {
    proposals: BTreeMap<AccountNumber, Proposal>,
}

impl PendingDevices {
    /// Records a proposal for `account`, replacing an earlier one, and
    /// returns its expiration.
    pub fn propose(
        &mut self,
        account: AccountNumber,
        device: StoredDevice,
        proposed_by: Vec<u8>,
        now: Timestamp,
    ) -> Timestamp {
        self.proposals
            .retain(|_, proposal| proposal.expiration > now);
        let expiration = now.saturating_add(PENDING_DEVICE_TTL_NS);
        self.proposals.insert(
            account,
            Proposal {
                device,
                proposed_by,
                expiration,
            },
        );
        expiration
    }

    /// The live proposal of `account` (not expired at `now`).
    pub fn get(&self, account: AccountNumber, now: Timestamp) -> Option<&Proposal> {
        self.proposals
            .get(&account)
            .filter(|proposal| proposal.expiration > now)
    }

    pub fn remove(&mut self, account: AccountNumber) -> Option<Proposal> {
        self.proposals.remove(&account)
    }

    pub fn len(&self) -> usize {
        self.proposals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.proposals.is_empty()
    }
}
