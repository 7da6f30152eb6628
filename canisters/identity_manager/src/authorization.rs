//! Who may act for an account.
//!
//! A caller acts for an account only as the self-authenticating principal
//! (`SHA-224(DER) · 0x02`) of one of the account's devices. A session
//! delegated from a device signs in as that same principal, so it is
//! covered. With two-factor on, the device must be a WebAuthn (passkey)
//! device. Every account update and private query goes through
//! [`authorize`]; `canister_inspect_message` runs the same check, so an
//! update that would fail it never reaches execution.

use candid::Principal;
use ic_stable_structures::Memory;
use sigil_api::identity_manager::{AccountNumber, Error, KeyType, Purpose};

use crate::storage::{Storage, StoredAccount, StoredDevice};

/// The account, as seen by an authorized caller, with the index of the
/// caller's own device.
pub struct Authorized {
    pub account: StoredAccount,
    pub caller_device: usize,
}

impl Authorized {
    pub fn caller(&self) -> &StoredDevice {
        &self.account.devices[self.caller_device]
    }
}

/// A passkey used day to day: the devices with full authority over the
/// account, which may remove any other device, protected or not.
pub fn is_passkey(device: &StoredDevice) -> bool {
    device.key_type == KeyType::WebAuthn && device.purpose == Purpose::Authentication
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
