//! Typed clients of the identity manager (`identity_manager.did`).
//!
//! [`PublicIdentityManager`] calls anonymously and offers only the public
//! methods; [`IdentityManager`] calls as the signed-in person (see
//! [`SessionCaller`]), which the canister requires for everything that
//! touches an account.

use candid::utils::ArgumentEncoder;
use candid::{CandidType, Principal};
use ic_agent::Agent;
use serde::de::DeserializeOwned;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, CredentialLookup, Device, Error, PreparedDelegation, SignedDelegation, Timestamp,
};

use super::error::ApiError;
use super::session_caller::SessionCaller;

/// Decodes a `variant { Ok : T; Err : Error }` reply.
fn decode_result<T: CandidType + DeserializeOwned>(reply: &[u8]) -> Result<T, ApiError> {
    candid::decode_one::<Result<T, Error>>(reply)?.map_err(ApiError::IdentityManager)
}

fn encode(args: impl ArgumentEncoder) -> Result<Vec<u8>, ApiError> {
    Ok(candid::encode_args(args)?)
}

/// The methods anyone may call.
#[derive(Clone)]
pub struct PublicIdentityManager {
    agent: Agent,
    canister: Principal,
}

impl PublicIdentityManager {
    pub(super) fn new(agent: Agent, canister: Principal) -> Self {
        Self { agent, canister }
    }

    /// The account a passkey belongs to, and the passkey's DER key.
    pub async fn lookup_credential_id(
        &self,
        credential_id: &[u8],
    ) -> Result<CredentialLookup, ApiError> {
        let arg = encode((ByteBuf::from(credential_id),))?;
        let reply = self
            .agent
            .query(&self.canister, "lookup_credential_id")
            .with_arg(arg)
            .call()
            .await?;
        decode_result(&reply)
    }

    /// The credential ids of `account`'s passkeys (empty when it has none).
    pub async fn credential_ids(
        &self,
        account: AccountNumber,
    ) -> Result<Vec<sigil_api::identity_manager::CredentialId>, ApiError> {
        let reply = self
            .agent
            .query(&self.canister, "credential_ids")
            .with_arg(encode((account,))?)
            .call()
            .await?;
        decode_result(&reply)
    }
}

/// The identity manager as the signed-in person.
#[derive(Clone)]
pub struct IdentityManager {
    agent: Agent,
    canister: Principal,
    caller: SessionCaller,
}

impl IdentityManager {
    pub(super) fn new(agent: Agent, canister: Principal, caller: SessionCaller) -> Self {
        Self {
            agent,
            canister,
            caller,
        }
    }

    async fn query<T: CandidType + DeserializeOwned>(
        &self,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<T, ApiError> {
        let reply = self
            .caller
            .query(&self.agent, self.canister, method, arg)
            .await?;
        decode_result(&reply)
    }

    async fn update<T: CandidType + DeserializeOwned>(
        &self,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<T, ApiError> {
        let reply = self
            .caller
            .update(&self.agent, self.canister, method, arg)
            .await?;
        decode_result(&reply)
    }

    /// Creates an account whose first device is the caller's passkey.
    pub async fn create_account(&self, device: &Device) -> Result<AccountNumber, ApiError> {
        self.update("create_account", encode((device,))?).await
    }

    /// The account's devices, in the order they were added.
    pub async fn list_devices(&self, account: AccountNumber) -> Result<Vec<Device>, ApiError> {
        self.query("list_devices", encode((account,))?).await
    }

    /// Adds `device` to `account`.
    pub async fn add_device(
        &self,
        account: AccountNumber,
        device: &Device,
    ) -> Result<(), ApiError> {
        self.update("add_device", encode((account, device))?).await
    }

    /// Gives the device with `public_key` a new alias.
    pub async fn rename_device(
        &self,
        account: AccountNumber,
        public_key: &[u8],
        alias: &str,
    ) -> Result<(), ApiError> {
        let arg = encode((account, ByteBuf::from(public_key), alias))?;
        self.update("rename_device", arg).await
    }

    /// Removes the device with `public_key` from `account`.
    pub async fn remove_device(
        &self,
        account: AccountNumber,
        public_key: &[u8],
    ) -> Result<(), ApiError> {
        let arg = encode((account, ByteBuf::from(public_key)))?;
        self.update("remove_device", arg).await
    }

    /// Whether `account` accepts only passkeys (and sessions made by them).
    pub async fn two_factor(&self, account: AccountNumber) -> Result<bool, ApiError> {
        self.query("two_factor", encode((account,))?).await
    }

    /// Turns two-factor authentication on or off for `account`.
    pub async fn set_two_factor(
        &self,
        account: AccountNumber,
        enabled: bool,
    ) -> Result<(), ApiError> {
        self.update("set_two_factor", encode((account, enabled))?)
            .await
    }

    /// The principal `account` has at `origin` (a query: nothing changes).
    pub async fn get_principal(
        &self,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, ApiError> {
        self.query("get_principal", encode((account, origin))?)
            .await
    }

    /// Has the canister sign a delegation from `account`'s key for `origin`
    /// to `session_key` (an update: the signature is certified).
    pub async fn prepare_delegation(
        &self,
        account: AccountNumber,
        origin: &str,
        session_key: &[u8],
        max_time_to_live: Option<u64>,
    ) -> Result<PreparedDelegation, ApiError> {
        let targets: Option<Vec<Principal>> = None;
        let arg = encode((
            account,
            origin,
            ByteBuf::from(session_key),
            max_time_to_live,
            targets,
        ))?;
        self.update("prepare_delegation", arg).await
    }

    /// Fetches the delegation prepared by [`Self::prepare_delegation`] (a
    /// query: the certificate exists only there).
    pub async fn get_delegation(
        &self,
        account: AccountNumber,
        origin: &str,
        session_key: &[u8],
        expiration: Timestamp,
    ) -> Result<SignedDelegation, ApiError> {
        let targets: Option<Vec<Principal>> = None;
        let arg = encode((
            account,
            origin,
            ByteBuf::from(session_key),
            expiration,
            targets,
        ))?;
        self.query("get_delegation", arg).await
    }
}
