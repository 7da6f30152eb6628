//! Devices of an account: validation, add, rename, remove, list, lookups
//! (by credential id, by public key, and an account's credential ids).
//!
//! Rules (besides the caller check of `accounts::authorize`):
//! - sizes as in `sigil_api::identity_manager` (`MAX_*`); the public key must
//!   be a supported DER key whose algorithm matches the declared key type
//!   (otherwise an Ed25519 key could pose as a passkey and pass two-factor);
//! - a public key and a credential id belong to at most one device anywhere;
//! - at most `MAX_DEVICES_PER_ACCOUNT` devices;
//! - an account keeps an authentication device, and with two-factor on a
//!   passkey;
//! - a protected device is renamed or removed only by itself.

use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AccountNumber, CredentialId, CredentialLookup, Device, Error, KeyType, MAX_ALIAS_LEN,
    MAX_CREDENTIAL_ID_LEN, MAX_DEVICES_PER_ACCOUNT, MAX_PUBLIC_KEY_LEN, Purpose,
};

use crate::accounts::{Authorized, authorize};
use crate::der;
use crate::state::Env;
use crate::storage::{Storage, StoredDevice};

pub fn validate_public_key(public_key: &[u8]) -> Result<(), Error> {
    if public_key.len() > MAX_PUBLIC_KEY_LEN {
        return Err(Error::PublicKeyTooLong {
            length: public_key.len() as u64,
            max: MAX_PUBLIC_KEY_LEN as u64,
        });
    }
    Ok(())
}

pub fn validate_alias(alias: &str) -> Result<(), Error> {
    if alias.len() > MAX_ALIAS_LEN {
        return Err(Error::AliasTooLong {
            length: alias.len() as u64,
            max: MAX_ALIAS_LEN as u64,
        });
    }
    Ok(())
}

pub fn validate_credential_id(credential_id: &[u8]) -> Result<(), Error> {
    if credential_id.is_empty() {
        return Err(Error::EmptyCredentialId);
    }
    if credential_id.len() > MAX_CREDENTIAL_ID_LEN {
        return Err(Error::CredentialIdTooLong {
            length: credential_id.len() as u64,
            max: MAX_CREDENTIAL_ID_LEN as u64,
        });
    }
    Ok(())
}

/// Checks every field of a device given by a caller.
pub fn validate_device(device: Device) -> Result<StoredDevice, Error> {
    validate_public_key(&device.public_key)?;
    validate_alias(&device.alias)?;
    if let Some(id) = &device.credential_id {
        validate_credential_id(id)?;
    }
    match der::key_type(&device.public_key) {
        Err(reason) => Err(Error::InvalidPublicKey {
            reason: reason.to_string(),
        }),
        Ok(actual) if actual == device.key_type => Ok(device.into()),
        Ok(actual) => Err(Error::KeyTypeMismatch {
            declared: device.key_type,
            actual,
        }),
    }
}

/// Refuses a device whose public key or credential id is already registered.
pub fn check_unique<M: Memory + Clone>(
    storage: &Storage<M>,
    device: &StoredDevice,
) -> Result<(), Error> {
    if storage.account_of_public_key(&device.public_key).is_some() {
        return Err(Error::PublicKeyAlreadyRegistered);
    }
    if let Some(id) = &device.credential_id
        && storage.account_of_credential_id(id).is_some()
    {
        return Err(Error::CredentialIdAlreadyRegistered);
    }
    Ok(())
}

pub fn add_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    number: AccountNumber,
    device: Device,
) -> Result<(), Error> {
    let Authorized { mut account, .. } = authorize(storage, env.caller, number)?;
    let device = validate_device(device)?;
    if account.devices.len() >= MAX_DEVICES_PER_ACCOUNT {
        return Err(Error::TooManyDevices {
            max: MAX_DEVICES_PER_ACCOUNT as u64,
        });
    }
    check_unique(storage, &device)?;
    account.devices.push(device);
    storage.write_account(number, account);
    Ok(())
}

/// Finds the device with `public_key` that the caller may change.
fn changeable_device(
    authorized: &Authorized,
    number: AccountNumber,
    public_key: &[u8],
) -> Result<usize, Error> {
    validate_public_key(public_key)?;
    let index = authorized
        .account
        .devices
        .iter()
        .position(|device| device.public_key.as_slice() == public_key)
        .ok_or(Error::DeviceNotFound { account: number })?;
    if authorized.account.devices[index].protected && index != authorized.caller_device {
        return Err(Error::ProtectedDevice);
    }
    Ok(index)
}

pub fn rename_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    number: AccountNumber,
    public_key: &[u8],
    alias: String,
) -> Result<(), Error> {
    let mut authorized = authorize(storage, env.caller, number)?;
    validate_alias(&alias)?;
    let index = changeable_device(&authorized, number, public_key)?;
    authorized.account.devices[index].alias = alias;
    storage.write_account(number, authorized.account);
    Ok(())
}

pub fn remove_device_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    number: AccountNumber,
    public_key: &[u8],
) -> Result<(), Error> {
    let authorized = authorize(storage, env.caller, number)?;
    let index = changeable_device(&authorized, number, public_key)?;
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
    storage.write_account(number, account);
    Ok(())
}

pub fn list_devices_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    number: AccountNumber,
) -> Result<Vec<Device>, Error> {
    let Authorized { account, .. } = authorize(storage, env.caller, number)?;
    Ok(account.devices.into_iter().map(Device::from).collect())
}

/// Public: the account and public key of the passkey with `credential_id`.
pub fn lookup_credential_id_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    credential_id: &[u8],
) -> Result<CredentialLookup, Error> {
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
/// the browser. Other devices have no credential id and are left out; an
/// account without passkeys gives an empty list. One B-tree read.
pub fn credential_ids_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    number: AccountNumber,
) -> Result<Vec<CredentialId>, Error> {
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

/// Public: the account a device public key belongs to.
pub fn lookup_public_key_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    public_key: &[u8],
) -> Result<AccountNumber, Error> {
    validate_public_key(public_key)?;
    storage
        .account_of_public_key(public_key)
        .ok_or(Error::UnknownPublicKey)
}
