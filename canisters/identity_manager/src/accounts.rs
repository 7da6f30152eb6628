//! Accounts: creation (rate limited, with proof of possession of the first
//! device's key), the caller check every account operation goes through,
//! the two-factor flag and the canister's figures.
//!
//! Authorization rule: a caller acts for an account only as the
//! self-authenticating principal (`SHA-224(DER) · 0x02`) of one of the
//! account's devices. A session delegated from a device signs in as that
//! same principal, so it is covered. With two-factor on, the device must be
//! a WebAuthn (passkey) device.

use candid::Principal;
use ic_stable_structures::Memory;
use sigil_api::identity_manager::{AccountNumber, Device, Error, KeyType, Purpose, Stats};

use crate::devices::{check_unique, validate_device};
use crate::state::Env;
use crate::storage::{Storage, StoredAccount};

/// The account, as seen by an authorized caller, with the index of the
/// caller's own device.
pub struct Authorized {
    pub account: StoredAccount,
    pub caller_device: usize,
}

pub fn reject_anonymous(caller: Principal) -> Result<(), Error> {
    if caller == Principal::anonymous() {
        Err(Error::AnonymousCaller)
    } else {
        Ok(())
    }
}

/// Checks that `caller` is a device of `number` (a passkey if two-factor is
/// on) and returns the account.
pub fn authorize<M: Memory + Clone>(
    storage: &Storage<M>,
    caller: Principal,
    number: AccountNumber,
) -> Result<Authorized, Error> {
    reject_anonymous(caller)?;
    let account = storage
        .account(number)
        .ok_or(Error::AccountNotFound { account: number })?;
    let caller_device = account
        .devices
        .iter()
        .position(|device| Principal::self_authenticating(&device.public_key) == caller)
        .ok_or(Error::Unauthorized {
            caller,
            account: number,
        })?;
    if account.two_factor && account.devices[caller_device].key_type != KeyType::WebAuthn {
        return Err(Error::PasskeyRequired { account: number });
    }
    Ok(Authorized {
        account,
        caller_device,
    })
}

/// Creates an account whose first device is `device`; the caller must hold
/// that device's key.
pub fn create_account_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    device: Device,
) -> Result<AccountNumber, Error> {
    reject_anonymous(env.caller)?;
    let device = validate_device(device)?;
    let expected = Principal::self_authenticating(&device.public_key);
    if env.caller != expected {
        return Err(Error::NotDeviceOwner {
            caller: env.caller,
            expected,
        });
    }
    if device.purpose != Purpose::Authentication {
        return Err(Error::FirstDeviceNotForAuthentication);
    }
    check_unique(storage, &device)?;

    let mut header = storage.header().clone();
    let number = header.next_account_number;
    let next = number
        .checked_add(1)
        .ok_or(Error::AccountNumbersExhausted)?;
    header
        .registrations
        .take(env.now)
        .map_err(|retry_after_ns| Error::RateLimited { retry_after_ns })?;
    header.next_account_number = next;
    storage.set_header(header);
    storage.write_account(
        number,
        StoredAccount {
            two_factor: false,
            devices: vec![device],
        },
    );
    Ok(number)
}

/// Turns two-factor authentication on or off. Turning it on needs a
/// passkey in the account, so that the account stays usable.
pub fn set_two_factor_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    number: AccountNumber,
    enabled: bool,
) -> Result<(), Error> {
    let Authorized { mut account, .. } = authorize(storage, env.caller, number)?;
    if enabled
        && !account
            .devices
            .iter()
            .any(|device| device.key_type == KeyType::WebAuthn)
    {
        return Err(Error::NoPasskey { account: number });
    }
    if account.two_factor != enabled {
        account.two_factor = enabled;
        storage.write_account(number, account);
    }
    Ok(())
}

/// Whether the account has two-factor authentication on (public).
pub fn two_factor_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    number: AccountNumber,
) -> Result<bool, Error> {
    storage
        .account(number)
        .map(|account| account.two_factor)
        .ok_or(Error::AccountNotFound { account: number })
}

pub fn stats_impl<M: Memory + Clone>(storage: &Storage<M>) -> Stats {
    Stats {
        accounts: storage.account_count(),
        devices: storage.device_count(),
        stable_memory_bytes: storage.stable_memory_bytes(),
    }
}
