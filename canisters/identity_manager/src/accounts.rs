//! Accounts: creation (with proof of possession of the first device's key,
//! free while registrations are few and with a proof of work past that,
//! see `registration`), the two-factor flag and the canister's figures.

use candid::Principal;
use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AccountNumber, CreateAccountArgs, Error, KeyType, Purpose, SetTwoFactorArgs, Stats,
    TwoFactorArgs,
};

use crate::authorization::{Authorized, authorize, reject_anonymous};
use crate::registration;
use crate::state::Env;
use crate::storage::{Storage, StoredAccount, StoredDevice};
use crate::validation::validate_device;

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

/// The checks of `create_account` that read no more than the header and
/// the indexes, shared with `canister_inspect_message`.
pub fn check_registration<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: &CreateAccountArgs,
) -> Result<StoredDevice, Error> {
    reject_anonymous(env.caller)?;
    let device = validate_device(args.device.clone())?;
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
    registration::check(storage.header(), env, args.proof_of_work.as_ref())?;
    Ok(device)
}

/// Creates an account whose first device is `args.device`; the caller must
/// hold that device's key.
pub fn create_account_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: CreateAccountArgs,
) -> Result<AccountNumber, Error> {
    let device = check_registration(storage, env, &args)?;
    let mut header = storage.header().clone();
    let number = header.next_account_number;
    let next = number
        .checked_add(1)
        .ok_or(Error::AccountNumbersExhausted)?;
    registration::take_free_token(&mut header, env);
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
    args: SetTwoFactorArgs,
) -> Result<(), Error> {
    let SetTwoFactorArgs {
        account: number,
        enabled,
    } = args;
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

/// Whether the account has two-factor authentication on. Private to the
/// account's devices: the flag would tell an attacker which accounts a
/// stolen non-passkey session could still use.
pub fn two_factor_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: TwoFactorArgs,
) -> Result<bool, Error> {
    authorize(storage, env.caller, args.account).map(|authorized| authorized.account.two_factor)
}

/// The canister's figures, for its controllers only.
pub fn stats_impl<M: Memory + Clone>(storage: &Storage<M>, env: &Env) -> Result<Stats, Error> {
    if !env.caller_is_controller {
        return Err(Error::ControllerOnly);
    }
    Ok(Stats {
        accounts: storage.account_count(),
        devices: storage.device_count(),
        stable_memory_bytes: storage.stable_memory_bytes(),
    })
}
