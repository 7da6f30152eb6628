//! Devices of an account: the two-step add, rename, remove, list, and the
//! public lookups that signing in needs.
//!
//! Rules (besides the caller check of `authorization::authorize` and the
//! field checks of `validation`):
//! - a device is added in two steps: a device of the account proposes it
//!   (`add_device`), then the new device itself confirms (`confirm_device`,
//!   whose caller must be the new key's principal), which proves that the
//!   person adding it holds its key and that the IC verifies it. The
//!   proposal is bound to the account and to the proposing device, which
//!   must still be in the account at confirmation;
//! - a public key and a credential id belong to at most one device anywhere;
//! - at most `MAX_DEVICES_PER_ACCOUNT` devices;
//! - an account keeps an authentication device, and with two-factor on a
//!   passkey;
//! - a recovery device renames or removes only itself (taking the place of
//!   lost passkeys is recovery's own flow), so one planted as a recovery
//!   device cannot remove the owner's passkeys;
//! - only a recovery device is protected; a protected device is renamed
//!   only by itself and removed only by itself or by a passkey (a WebAuthn
//!   authentication device) of the account, so the owner's passkeys can
//!   always remove a device that is not theirs.

use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AddDeviceArgs, ConfirmDeviceArgs, CredentialId, CredentialIdsArgs, CredentialLookup, Device,
    Error, KeyType, ListDevicesArgs, LookupCredentialIdArgs, MAX_DEVICES_PER_ACCOUNT,
    PendingDevice, Purpose, RemoveDeviceArgs, RenameDeviceArgs,
};

use crate::accounts::check_unique;
use crate::authorization::{Authorized, authorize, is_passkey, reject_anonymous};
use crate::pending::PendingDevices;
use crate::state::Env;
use crate::storage::{Storage, StoredAccount};
use crate::validation::{
    validate_alias, validate_credential_id, validate_device, validate_public_key_len,
};

fn check_room(account: &StoredAccount) -> Result<(), Error> {
    if account.devices.len() >= MAX_DEVICES_PER_ACCOUNT {
        return Err(Error::TooManyDevices {
            max: MAX_DEVICES_PER_ACCOUNT as u64,
        });
    }
    Ok(())
}

/// Proposes `args.device` for the account; it joins when it confirms
/// itself within `PENDING_DEVICE_TTL_NS`.
pub fn add_device_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    pending: &mut PendingDevices,
    env: &Env,
    args: AddDeviceArgs,
) -> Result<PendingDevice, Error> {
    let authorized = authorize(storage, env.caller, args.account)?;
    let device = validate_device(args.device)?;
    check_room(&authorized.account)?;
    check_unique(storage, &device)?;
    let public_key = device.public_key.clone();
    let proposed_by = authorized.caller().public_key.to_vec();
    let expiration = pending.propose(args.account, device, proposed_by, env.now);
    Ok(PendingDevice {
        public_key,
        expiration,
    })
}

/// Adds the device proposed for the account. Caller: that device itself.
pub fn confirm_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    pending: &mut PendingDevices,
    env: &Env,
    args: ConfirmDeviceArgs,
) -> Result<(), Error> {
    reject_anonymous(env.caller)?;
    let number = args.account;
    let proposal = pending
        .for_confirmer(number, env.caller, env.now)
        .ok_or(Error::NoPendingDevice { account: number })?
        .clone();
    let mut account = storage
        .account(number)
        .ok_or(Error::AccountNotFound { account: number })?;
    let proposer = account
        .devices
        .iter()
        .find(|device| device.public_key.as_slice() == proposal.proposed_by.as_slice())
        .ok_or(Error::NoPendingDevice { account: number })?;
    if account.two_factor && proposer.key_type != KeyType::WebAuthn {
        return Err(Error::PasskeyRequired { account: number });
    }
    check_room(&account)?;
    check_unique(storage, &proposal.device)?;
    pending.take(number, &proposal.device.public_key);
    account.devices.push(proposal.device);
    storage.write_account(number, account);
    Ok(())
}

/// Finds the device with `public_key` that the caller may change.
fn changeable_device(
    authorized: &Authorized,
    number: u64,
    public_key: &[u8],
    removing: bool,
) -> Result<usize, Error> {
    validate_public_key_len(public_key)?;
    let index = authorized
        .account
        .devices
        .iter()
        .position(|device| device.public_key.as_slice() == public_key)
        .ok_or(Error::DeviceNotFound { account: number })?;
    let is_self = index == authorized.caller_device;
    if authorized.caller().purpose == Purpose::Recovery && !is_self {
        return Err(Error::RecoveryChangesOnlyItself);
    }
    let passkey_removes = removing && is_passkey(authorized.caller());
    if authorized.account.devices[index].protected && !is_self && !passkey_removes {
        return Err(Error::ProtectedDevice);
    }
    Ok(index)
}

pub fn rename_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: RenameDeviceArgs,
) -> Result<(), Error> {
    let number = args.account;
    let mut authorized = authorize(storage, env.caller, number)?;
    validate_alias(&args.alias)?;
    let index = changeable_device(&authorized, number, &args.public_key, false)?;
    authorized.account.devices[index].alias = args.alias;
    storage.write_account(number, authorized.account);
    Ok(())
}

/// Removes a device, and the proposals it made.
pub fn remove_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    pending: &mut PendingDevices,
    env: &Env,
    args: RemoveDeviceArgs,
) -> Result<(), Error> {
    let number = args.account;
    let authorized = authorize(storage, env.caller, number)?;
    let index = changeable_device(&authorized, number, &args.public_key, true)?;
    let mut account = authorized.account;
    let removed = account.devices.remove(index);
    if removed.purpose == Purpose::Authentication
        && !account
            .devices
            .iter()
            .any(|device| device.purpose == Purpose::Authentication)
    {
        return Err(Error::LastAuthenticationDevice);
    }
    if account.two_factor
        && removed.key_type == KeyType::WebAuthn
        && !account
            .devices
            .iter()
            .any(|device| device.key_type == KeyType::WebAuthn)
    {
        return Err(Error::LastPasskey);
    }
    pending.forget_proposed_by(number, &removed.public_key);
    storage.write_account(number, account);
    Ok(())
}

pub fn list_devices_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: ListDevicesArgs,
) -> Result<Vec<Device>, Error> {
    let Authorized { account, .. } = authorize(storage, env.caller, args.account)?;
    Ok(account.devices.into_iter().map(Device::from).collect())
}

/// Public: the account and public key of the passkey with `credential_id`
/// (all a discoverable credential tells the browser, and what the
/// frontend needs to verify the assertion and sign in).
pub fn lookup_credential_id_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    args: LookupCredentialIdArgs,
) -> Result<CredentialLookup, Error> {
    let credential_id = args.credential_id.as_slice();
    validate_credential_id(credential_id)?;
    let number = storage
        .account_of_credential_id(credential_id)
        .ok_or(Error::UnknownCredentialId)?;
    storage
        .account(number)
        .and_then(|account| {
            account.devices.into_iter().find(|device| {
                device.credential_id.as_deref().map(|id| id.as_slice()) == Some(credential_id)
            })
        })
        .map(|device| CredentialLookup {
            account: number,
            public_key: device.public_key,
        })
        .ok_or(Error::UnknownCredentialId)
}

/// Public: the credential ids of the account's passkeys (WebAuthn devices
/// with a credential id, recovery ones included), in the order they were
/// added, so that a sign-in naming the account can offer exactly these to
/// the browser. Nothing else about the devices (purpose, alias, flags). An
/// account without passkeys gives an empty list. One B-tree read.
pub fn credential_ids_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    args: CredentialIdsArgs,
) -> Result<Vec<CredentialId>, Error> {
    let number = args.account;
    let account = storage
        .account(number)
        .ok_or(Error::AccountNotFound { account: number })?;
    Ok(account
        .devices
        .into_iter()
        .filter(|device| device.key_type == KeyType::WebAuthn)
        .filter_map(|device| device.credential_id)
        .collect())
}
