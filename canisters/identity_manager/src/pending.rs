//! Devices proposed by `add_device` and waiting for the new device itself
//! to call `confirm_device`: proof that the person adding it holds its key
//! (so a key that cannot sign, or someone else's key, is never added).
//!
//! Heap only, like the signature map: a proposal lasts
//! [`PENDING_DEVICE_TTL_NS`] and one lost to an upgrade is simply made
//! again. Proposals are kept per account and new key, at most
//! [`MAX_PENDING_PER_ACCOUNT`] per account (the oldest gives way), so one
//! device cannot push another's proposal out by proposing once, and the
//! map stays within a few entries per account. Expired entries are pruned
//! whenever one is inserted; a removed device's proposals go with it.

use std::collections::BTreeMap;

use candid::Principal;
use sigil_api::identity_manager::{AccountNumber, PENDING_DEVICE_TTL_NS, Timestamp};

/// Most proposals one account may have waiting.
pub const MAX_PENDING_PER_ACCOUNT: usize = 4;

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
    /// Keyed by account and the new device's public key.
    proposals: BTreeMap<(AccountNumber, Vec<u8>), Proposal>,
}

impl PendingDevices {
    /// Records a proposal for `account` (replacing one for the same key,
    /// and the account's oldest beyond [`MAX_PENDING_PER_ACCOUNT`]) and
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
        let key = (account, device.public_key.to_vec());
        self.proposals.remove(&key);
        while self.of_account(account).count() >= MAX_PENDING_PER_ACCOUNT {
            let oldest = self
                .of_account(account)
                .min_by_key(|(_, proposal)| proposal.expiration)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(oldest) => self.proposals.remove(&oldest),
                None => break,
            };
        }
        let expiration = now.saturating_add(PENDING_DEVICE_TTL_NS);
        self.proposals.insert(
            key,
            Proposal {
                device,
                proposed_by,
                expiration,
            },
        );
        expiration
    }

    fn of_account(
        &self,
        account: AccountNumber,
    ) -> impl Iterator<Item = (&(AccountNumber, Vec<u8>), &Proposal)> {
        self.proposals
            .range((account, Vec::new())..)
            .take_while(move |((number, _), _)| *number == account)
    }

    /// The live proposal of `account` that `caller` (the new device) may
    /// confirm.
    pub fn for_confirmer(
        &self,
        account: AccountNumber,
        caller: Principal,
        now: Timestamp,
    ) -> Option<&Proposal> {
        self.of_account(account)
            .map(|(_, proposal)| proposal)
            .find(|proposal| proposal.expiration > now && proposal.confirmer() == caller)
    }

    /// Takes the proposal of `account` for `public_key` out.
    pub fn take(&mut self, account: AccountNumber, public_key: &[u8]) -> Option<Proposal> {
        self.proposals.remove(&(account, public_key.to_vec()))
    }

    /// Forgets the proposals that the device with `public_key` made.
    pub fn forget_proposed_by(&mut self, account: AccountNumber, public_key: &[u8]) {
        self.proposals.retain(|(number, _), proposal| {
            *number != account || proposal.proposed_by != public_key
        });
    }

    pub fn len(&self) -> usize {
        self.proposals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.proposals.is_empty()
    }
}
