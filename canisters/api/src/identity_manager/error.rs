//! Every expected failure of the identity manager, in words a person
//! understands.

use std::fmt;

use candid::{CandidType, Deserialize, Principal};

use super::{AccountNumber, KeyType, PolicyRefusal};

/// Every expected failure of the identity manager.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The anonymous principal cannot own or use an account.
    AnonymousCaller,
    /// `create_account` must be called by the new device itself.
    NotDeviceOwner {
        caller: Principal,
        expected: Principal,
    },
    /// The caller is not a device (or a session of a device) of the account.
    Unauthorized {
        caller: Principal,
        account: AccountNumber,
    },
    /// Two-factor authentication is on: only a passkey may act for the account.
    PasskeyRequired {
        account: AccountNumber,
    },
    /// Two-factor authentication cannot be turned on without a passkey.
    NoPasskey {
        account: AccountNumber,
    },
    AccountNotFound {
        account: AccountNumber,
    },
    DeviceNotFound {
        account: AccountNumber,
    },
    UnknownCredentialId,
    PublicKeyTooLong {
        length: u64,
        max: u64,
    },
    InvalidPublicKey {
        reason: String,
    },
    KeyTypeMismatch {
        declared: KeyType,
        actual: KeyType,
    },
    AliasTooLong {
        length: u64,
        max: u64,
    },
    CredentialIdTooLong {
        length: u64,
        max: u64,
    },
    EmptyCredentialId,
    TooManyDevices {
        max: u64,
    },
    PublicKeyAlreadyRegistered,
    CredentialIdAlreadyRegistered,
    /// An account keeps at least one authentication device.
    LastAuthenticationDevice,
    /// An account starts with a device for authentication, not recovery.
    FirstDeviceNotForAuthentication,
    /// With two-factor authentication on, an account keeps at least one passkey.
    LastPasskey,
    /// A protected device is renamed only by itself, and removed only by
    /// itself or a passkey of the account.
    ProtectedDevice,
    /// Only a recovery device can be protected.
    ProtectedNotRecovery,
    /// A recovery device renames or removes only itself.
    RecoveryChangesOnlyItself,
    /// `confirm_device` found no proposed device for the caller (none was
    /// proposed, it expired after ten minutes, or the canister restarted).
    NoPendingDevice {
        account: AccountNumber,
    },
    /// Registrations are many: this one needs a proof of work of
    /// `difficulty` leading zero bits (missing, stale or too weak).
    ProofOfWorkRequired {
        difficulty: u8,
    },
    /// Only a controller of the canister may call this method.
    ControllerOnly,
    /// The canister was installed without a signer: no addresses or
    /// signatures for other chains.
    ChainsNotConfigured,
    /// The signer could not answer (in its words).
    SignerUnavailable {
        message: String,
    },
    MessageTooLong {
        length: u64,
        max: u64,
    },
    /// The account asked for more signatures than it may at once.
    TooManySignatures {
        retry_after_seconds: u64,
    },
    /// Typed data or a transaction that cannot be read (in words).
    MalformedSignatureRequest {
        message: String,
    },
    /// An EVM chain this Sigil does not sign for.
    UnknownEvmChain {
        chain_id: u64,
    },
    /// No prepared signature of this id waits for this caller: never
    /// prepared, prepared by another device, already approved, or expired.
    SignatureNotPrepared,
    /// The account's policy does not allow this signature.
    PolicyRefused {
        refusal: PolicyRefusal,
    },
    /// The policy asks a passkey to confirm this signature, and the
    /// approval carried no assertion.
    StepUpRequired,
    /// The passkey's assertion does not confirm this request (in words).
    StepUpRejected {
        reason: String,
    },
    /// Only a passkey of the account may do this.
    NotAPasskey {
        account: AccountNumber,
    },
    /// A policy that cannot be set (in words).
    InvalidPolicy {
        reason: String,
    },
    /// A dapp asked for a signature, and the account has not connected it
    /// (or its connection ended).
    NotConnected {
        origin: String,
    },
    TooManyConnections {
        max: u64,
    },
    AccountNumbersExhausted,
    OriginTooLong {
        length: u64,
        max: u64,
    },
    EmptyOrigin,
    SessionKeyTooLong {
        length: u64,
        max: u64,
    },
    InvalidSessionKey {
        reason: String,
    },
    TooManyTargets {
        count: u64,
        max: u64,
    },
    /// The canister's salt is not set yet (it is drawn right after install).
    SaltNotSet,
    /// The salt could not be drawn from the management canister.
    RandomnessUnavailable {
        message: String,
    },
    /// `get_delegation` found no signature: call `prepare_delegation` first
    /// (prepared signatures expire after a minute and do not survive upgrades).
    NoSuchDelegation,
    /// Certificates exist only in (non-replicated) query calls.
    NoCertificate,
}

impl Error {
    /// The error in words a person understands.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::AnonymousCaller => {
                write!(f, "Please sign in: anonymous calls cannot use accounts.")
            }
            Error::NotDeviceOwner { caller, expected } => write!(
                f,
                "The account must be created by the device being registered (expected caller {expected}, got {caller})."
            ),
            Error::Unauthorized { caller, account } => {
                write!(f, "{caller} is not a device of account {account}.")
            }
            Error::PasskeyRequired { account } => write!(
                f,
                "Account {account} has two-factor authentication on: sign in with a passkey."
            ),
            Error::NoPasskey { account } => write!(
                f,
                "Add a passkey to account {account} before turning on two-factor authentication."
            ),
            Error::AccountNotFound { account } => write!(f, "There is no account {account}."),
            Error::DeviceNotFound { account } => {
                write!(f, "Account {account} has no device with this public key.")
            }
            Error::UnknownCredentialId => write!(f, "No account uses this passkey."),
            Error::PublicKeyTooLong { length, max } => {
                write!(
                    f,
                    "The public key is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::InvalidPublicKey { reason } => {
                write!(f, "The public key is not valid: {reason}.")
            }
            Error::KeyTypeMismatch { declared, actual } => write!(
                f,
                "The device is declared as {declared} but its public key is of type {actual}."
            ),
            Error::AliasTooLong { length, max } => {
                write!(
                    f,
                    "The device name is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::CredentialIdTooLong { length, max } => {
                write!(
                    f,
                    "The credential id is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::EmptyCredentialId => write!(f, "The credential id is empty."),
            Error::TooManyDevices { max } => {
                write!(
                    f,
                    "An account can have at most {max} devices; remove one first."
                )
            }
            Error::PublicKeyAlreadyRegistered => {
                write!(f, "This public key is already registered to an account.")
            }
            Error::CredentialIdAlreadyRegistered => {
                write!(f, "This passkey is already registered to an account.")
            }
            Error::LastAuthenticationDevice => {
                write!(
                    f,
                    "The last sign-in device of an account cannot be removed."
                )
            }
            Error::FirstDeviceNotForAuthentication => write!(
                f,
                "A new account needs a sign-in device first; recovery devices come later."
            ),
            Error::LastPasskey => write!(
                f,
                "With two-factor authentication on, the last passkey cannot be removed."
            ),
            Error::ProtectedDevice => write!(
                f,
                "A protected device can only be renamed by itself, and removed by itself or a passkey."
            ),
            Error::ProtectedNotRecovery => {
                write!(f, "Only a recovery device can be protected.")
            }
            Error::RecoveryChangesOnlyItself => write!(
                f,
                "A recovery device can only rename or remove itself; use a passkey for other devices."
            ),
            Error::NoPendingDevice { account } => write!(
                f,
                "Account {account} is not waiting for this device: add it again from a device of the account (a request lasts ten minutes)."
            ),
            Error::ProofOfWorkRequired { difficulty } => write!(
                f,
                "Many accounts are being created right now: your browser must first do a short computation ({difficulty} bits)."
            ),
            Error::ControllerOnly => {
                write!(f, "Only the canister's controllers may call this.")
            }
            Error::ChainsNotConfigured => write!(
                f,
                "This Sigil is not set up for other chains: it has no addresses or signatures for them."
            ),
            Error::SignerUnavailable { message } => write!(
                f,
                "Your keys for other chains could not be reached right now ({message}). Please try again."
            ),
            Error::MessageTooLong { length, max } => write!(
                f,
                "The message is {length} bytes long; at most {max} can be signed."
            ),
            Error::TooManySignatures {
                retry_after_seconds,
            } => write!(
                f,
                "Too many signatures in a short time: please wait {retry_after_seconds} seconds and try again."
            ),
            Error::MalformedSignatureRequest { message } => {
                write!(f, "This request cannot be signed: {message}.")
            }
            Error::UnknownEvmChain { chain_id } => {
                write!(f, "Sigil does not sign for the EVM chain {chain_id}.")
            }
            Error::SignatureNotPrepared => write!(
                f,
                "This signature request is no longer waiting (requests last ten minutes and are signed once); please ask again."
            ),
            Error::PolicyRefused { refusal } => write!(f, "Not signed: {refusal}."),
            Error::StepUpRequired => write!(
                f,
                "Your policy asks you to confirm this with one of your passkeys."
            ),
            Error::StepUpRejected { reason } => write!(
                f,
                "The passkey's confirmation does not match this request ({reason}); please confirm again."
            ),
            Error::NotAPasskey { account } => write!(
                f,
                "Only one of the passkeys of account {account} can do this."
            ),
            Error::InvalidPolicy { reason } => {
                write!(f, "This policy cannot be set: {reason}.")
            }
            Error::NotConnected { origin } => {
                write!(f, "{origin} is not connected to this account.")
            }
            Error::TooManyConnections { max } => write!(
                f,
                "An account can connect at most {max} apps; disconnect one first."
            ),
            Error::AccountNumbersExhausted => write!(f, "No account numbers are left."),
            Error::OriginTooLong { length, max } => {
                write!(
                    f,
                    "The origin is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::EmptyOrigin => write!(f, "The origin is empty."),
            Error::SessionKeyTooLong { length, max } => {
                write!(
                    f,
                    "The session key is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::InvalidSessionKey { reason } => {
                write!(f, "The session key is not valid: {reason}.")
            }
            Error::TooManyTargets { count, max } => write!(
                f,
                "A delegation can name at most {max} target canisters, not {count}."
            ),
            Error::SaltNotSet => write!(
                f,
                "The identity manager is still starting; try again shortly."
            ),
            Error::RandomnessUnavailable { message } => {
                write!(f, "Could not get randomness from the network: {message}.")
            }
            Error::NoSuchDelegation => write!(
                f,
                "No prepared delegation matches; prepare it again (prepared delegations last one minute)."
            ),
            Error::NoCertificate => write!(
                f,
                "A delegation can only be fetched with a query call (certificates are not available here)."
            ),
        }
    }
}

impl std::error::Error for Error {}
