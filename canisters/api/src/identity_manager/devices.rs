//! Devices: the two-step add (an existing device proposes, the new device
//! confirms by calling itself), rename, remove, list, and the two public
//! lookups that signing in needs.

use candid::{CandidType, Deserialize};

use super::{AccountNumber, CredentialId, CredentialLookup, Device, Error, PublicKey, Timestamp};
use crate::method::method;

/// How long a proposed device waits for its confirmation: 10 minutes.
pub const PENDING_DEVICE_TTL_NS: u64 = 10 * 60 * 1_000_000_000;

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AddDeviceArgs {
    pub account: AccountNumber,
    pub device: Device,
}

/// A proposed device, waiting for `confirm_device` from the device itself.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingDevice {
    pub public_key: PublicKey,
    pub expiration: Timestamp,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmDeviceArgs {
    pub account: AccountNumber,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RenameDeviceArgs {
    pub account: AccountNumber,
    pub public_key: PublicKey,
    pub alias: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RemoveDeviceArgs {
    pub account: AccountNumber,
    pub public_key: PublicKey,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListDevicesArgs {
    pub account: AccountNumber,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LookupCredentialIdArgs {
    pub credential_id: CredentialId,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialIdsArgs {
    pub account: AccountNumber,
}

method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    AddDevice = "add_device", Update, AddDeviceArgs => Result<PendingDevice, Error>
);
method!(
    /// Caller: the proposed device itself.
    ConfirmDevice = "confirm_device", Update, ConfirmDeviceArgs => Result<(), Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    RenameDevice = "rename_device", Update, RenameDeviceArgs => Result<(), Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    RemoveDevice = "remove_device", Update, RemoveDeviceArgs => Result<(), Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    ListDevices = "list_devices", Query, ListDevicesArgs => Result<Vec<Device>, Error>
);
method!(
    /// Public.
    LookupCredentialId = "lookup_credential_id", Query, LookupCredentialIdArgs => Result<CredentialLookup, Error>
);
method!(
    /// Public.
    CredentialIds = "credential_ids", Query, CredentialIdsArgs => Result<Vec<CredentialId>, Error>
);
