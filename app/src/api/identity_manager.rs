//! Typed clients of the identity manager (`identity_manager.did`). Methods
//! are called by their descriptor in `sigil_api::identity_manager` (name,
//! query or update, argument and reply types), so no argument list is
//! written here.
//!
//! [`PublicIdentityManager`] calls anonymously and offers only the public
//! methods; [`IdentityManager`] calls as the signed-in person (see
//! [`SessionCaller`]), which the canister requires for everything that
//! touches an account.

use candid::{CandidType, Principal};
use serde::de::DeserializeOwned;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, AddDevice, AddDeviceArgs, Addresses, AddressesArgs, ApproveSignature,
    ApproveSignatureArgs, CallKind, CancelPolicyChange, ConfirmDevice, ConfirmDeviceArgs, Connect,
    ConnectArgs, Connection, ConnectionsArgs, CreateAccount, CreateAccountArgs, CredentialId,
    CredentialIds, CredentialIdsArgs, CredentialLookup, Device, Disconnect, DisconnectArgs, Error,
    GetAddresses, GetConnections, GetDelegation, GetDelegationArgs, GetPolicy, GetPrincipal,
    GetPrincipalArgs, GetRegistrationRequirement, GetSignatureLog, ListDevices, ListDevicesArgs,
    LookupCredentialId, LookupCredentialIdArgs, Method, PendingDevice, Policy, PolicyArgs,
    PolicyState, PrepareDelegation, PrepareDelegationArgs, PrepareSignature, PrepareSignatureArgs,
    PreparedDelegation, PreparedSignature, ProofOfWork, RegistrationRequirement,
    RegistrationRequirementArgs, RemoveDevice, RemoveDeviceArgs, RenameDevice, RenameDeviceArgs,
    SetPolicy, SetPolicyArgs, SetTwoFactor, SetTwoFactorArgs, SignatureLogArgs, SignatureRecord,
    SignatureRequest, Signed, SignedDelegation, StepUpAssertion, Timestamp, TwoFactor,
    TwoFactorArgs,
};

use super::envelope;
use super::error::ApiError;
use super::network::Network;
use super::session_caller::SessionCaller;
use crate::browser::now_nanos;

fn encode<M: Method>(args: &M::Args) -> Result<Vec<u8>, ApiError> {
    Ok(candid::encode_one(args)?)
}

/// Decodes a `variant { Ok : T; Err : Error }` reply.
fn decode<M, T>(reply: &[u8]) -> Result<T, ApiError>
where
    M: Method<Response = Result<T, Error>>,
    T: CandidType + DeserializeOwned,
{
    candid::decode_one::<M::Response>(reply)?.map_err(ApiError::IdentityManager)
}

/// The methods anyone may call.
#[derive(Clone)]
pub struct PublicIdentityManager {
    network: Network,
    canister: Principal,
}

impl PublicIdentityManager {
    pub(super) fn new(network: Network, canister: Principal) -> Self {
        Self { network, canister }
    }

    async fn query<M, T>(&self, args: &M::Args) -> Result<T, ApiError>
    where
        M: Method<Response = Result<T, Error>>,
        T: CandidType + DeserializeOwned,
    {
        let (sender, canister) = (Principal::anonymous(), self.canister);
        let content = envelope::query(sender, canister, M::NAME, encode::<M>(args)?, now_nanos());
        let request_id = content.to_request_id();
        let reply = self
            .network
            .query(canister, request_id, envelope::encode_anonymous(&content))
            .await?;
        decode::<M, T>(&reply)
    }

    /// The account a passkey belongs to, and the passkey's DER key.
    pub async fn lookup_credential_id(
        &self,
        credential_id: &[u8],
    ) -> Result<CredentialLookup, ApiError> {
        let credential_id = ByteBuf::from(credential_id);
        self.query::<LookupCredentialId, _>(&LookupCredentialIdArgs { credential_id })
            .await
    }

    /// The credential ids of `account`'s passkeys (empty when it has none).
    pub async fn credential_ids(
        &self,
        account: AccountNumber,
    ) -> Result<Vec<CredentialId>, ApiError> {
        self.query::<CredentialIds, _>(&CredentialIdsArgs { account })
            .await
    }

    /// Whether signing up needs a proof of work now.
    pub async fn registration_requirement(&self) -> Result<RegistrationRequirement, ApiError> {
        self.query::<GetRegistrationRequirement, _>(&RegistrationRequirementArgs {})
            .await
    }

    /// The identity manager's canister id (proofs of work are bound to it).
    pub fn canister(&self) -> Principal {
        self.canister
    }
}

/// The identity manager as the signed-in person.
#[derive(Clone)]
pub struct IdentityManager {
    network: Network,
    canister: Principal,
    caller: SessionCaller,
}

impl IdentityManager {
    pub(super) fn new(network: Network, canister: Principal, caller: SessionCaller) -> Self {
        Self {
            network,
            canister,
            caller,
        }
    }

    /// The same canister, called as another session (a new passkey's, to
    /// confirm it).
    pub fn as_caller(&self, caller: SessionCaller) -> Self {
        Self::new(self.network.clone(), self.canister, caller)
    }

    async fn call<M, T>(&self, args: &M::Args) -> Result<T, ApiError>
    where
        M: Method<Response = Result<T, Error>>,
        T: CandidType + DeserializeOwned,
    {
        let arg = encode::<M>(args)?;
        let (network, canister) = (&self.network, self.canister);
        let reply = match M::KIND {
            CallKind::Query => self.caller.query(network, canister, M::NAME, arg).await?,
            CallKind::Update => self.caller.update(network, canister, M::NAME, arg).await?,
        };
        decode::<M, T>(&reply)
    }

    /// Creates an account whose first device is the caller's passkey.
    pub async fn create_account(
        &self,
        device: &Device,
        proof_of_work: Option<ProofOfWork>,
    ) -> Result<AccountNumber, ApiError> {
        let args = CreateAccountArgs {
            device: device.clone(),
            proof_of_work,
        };
        self.call::<CreateAccount, _>(&args).await
    }

    /// The account's devices, in the order they were added.
    pub async fn list_devices(&self, account: AccountNumber) -> Result<Vec<Device>, ApiError> {
        self.call::<ListDevices, _>(&ListDevicesArgs { account })
            .await
    }

    /// Proposes `device` for `account`; it joins when it confirms itself.
    pub async fn add_device(
        &self,
        account: AccountNumber,
        device: &Device,
    ) -> Result<PendingDevice, ApiError> {
        let device = device.clone();
        self.call::<AddDevice, _>(&AddDeviceArgs { account, device })
            .await
    }

    /// Confirms the device proposed for `account`; the caller must be that
    /// device.
    pub async fn confirm_device(&self, account: AccountNumber) -> Result<(), ApiError> {
        self.call::<ConfirmDevice, _>(&ConfirmDeviceArgs { account })
            .await
    }

    /// Gives the device with `public_key` a new alias.
    pub async fn rename_device(
        &self,
        account: AccountNumber,
        public_key: &[u8],
        alias: &str,
    ) -> Result<(), ApiError> {
        let args = RenameDeviceArgs {
            account,
            public_key: ByteBuf::from(public_key),
            alias: alias.to_owned(),
        };
        self.call::<RenameDevice, _>(&args).await
    }

    /// Removes the device with `public_key` from `account`.
    pub async fn remove_device(
        &self,
        account: AccountNumber,
        public_key: &[u8],
    ) -> Result<(), ApiError> {
        let public_key = ByteBuf::from(public_key);
        self.call::<RemoveDevice, _>(&RemoveDeviceArgs {
            account,
            public_key,
        })
        .await
    }

    /// Whether `account` accepts only passkeys (and sessions made by them).
    pub async fn two_factor(&self, account: AccountNumber) -> Result<bool, ApiError> {
        self.call::<TwoFactor, _>(&TwoFactorArgs { account }).await
    }

    /// Turns two-factor authentication on or off for `account`.
    pub async fn set_two_factor(
        &self,
        account: AccountNumber,
        enabled: bool,
    ) -> Result<(), ApiError> {
        self.call::<SetTwoFactor, _>(&SetTwoFactorArgs { account, enabled })
            .await
    }

    /// `account`'s addresses for other chains (an update: the identity
    /// manager asks the signer).
    pub async fn addresses(&self, account: AccountNumber) -> Result<Addresses, ApiError> {
        self.call::<GetAddresses, _>(&AddressesArgs { account })
            .await
    }

    /// Reads `request` and returns its review (and, where the account's
    /// policy asks a passkey, the challenge it must sign); nothing is
    /// signed yet. `origin`: the dapp that asked (`None`: the wallet).
    pub async fn prepare_signature(
        &self,
        account: AccountNumber,
        request: SignatureRequest,
        origin: Option<String>,
    ) -> Result<PreparedSignature, ApiError> {
        let args = PrepareSignatureArgs {
            account,
            request,
            origin,
        };
        self.call::<PrepareSignature, _>(&args).await
    }

    /// Signs what was prepared as `id`, with a passkey's assertion where
    /// the policy asks for one.
    pub async fn approve_signature(
        &self,
        account: AccountNumber,
        id: u64,
        step_up: Option<StepUpAssertion>,
    ) -> Result<Signed, ApiError> {
        let args = ApproveSignatureArgs {
            account,
            id,
            step_up,
        };
        self.call::<ApproveSignature, _>(&args).await
    }

    /// `account`'s signing policy in force, and any pending change.
    pub async fn policy(&self, account: AccountNumber) -> Result<PolicyState, ApiError> {
        self.call::<GetPolicy, _>(&PolicyArgs { account }).await
    }

    /// Asks for `policy`: a tightening applies at once, a loosening later.
    pub async fn set_policy(
        &self,
        account: AccountNumber,
        policy: Policy,
    ) -> Result<PolicyState, ApiError> {
        self.call::<SetPolicy, _>(&SetPolicyArgs { account, policy })
            .await
    }

    /// Cancels the pending change of `account`'s policy (a passkey only).
    pub async fn cancel_policy_change(
        &self,
        account: AccountNumber,
    ) -> Result<PolicyState, ApiError> {
        self.call::<CancelPolicyChange, _>(&PolicyArgs { account })
            .await
    }

    /// Connects `origin` to `account` (or renews its connection).
    pub async fn connect(
        &self,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Connection, ApiError> {
        let origin = origin.to_owned();
        self.call::<Connect, _>(&ConnectArgs { account, origin })
            .await
    }

    /// `account`'s live connections, newest first.
    pub async fn connections(&self, account: AccountNumber) -> Result<Vec<Connection>, ApiError> {
        self.call::<GetConnections, _>(&ConnectionsArgs { account })
            .await
    }

    /// Ends `origin`'s connection to `account`; whether there was one.
    pub async fn disconnect(&self, account: AccountNumber, origin: &str) -> Result<bool, ApiError> {
        let origin = origin.to_owned();
        self.call::<Disconnect, _>(&DisconnectArgs { account, origin })
            .await
    }

    /// `account`'s last signatures, oldest first.
    pub async fn signature_log(
        &self,
        account: AccountNumber,
    ) -> Result<Vec<SignatureRecord>, ApiError> {
        self.call::<GetSignatureLog, _>(&SignatureLogArgs { account })
            .await
    }

    /// The principal `account` has at `origin` (a query: nothing changes).
    pub async fn get_principal(
        &self,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, ApiError> {
        let origin = origin.to_owned();
        self.call::<GetPrincipal, _>(&GetPrincipalArgs { account, origin })
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
        let args = PrepareDelegationArgs {
            account,
            origin: origin.to_owned(),
            session_key: ByteBuf::from(session_key),
            max_time_to_live,
            targets: None,
        };
        self.call::<PrepareDelegation, _>(&args).await
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
        let args = GetDelegationArgs {
            account,
            origin: origin.to_owned(),
            session_key: ByteBuf::from(session_key),
            expiration,
            targets: None,
        };
        self.call::<GetDelegation, _>(&args).await
    }
}
