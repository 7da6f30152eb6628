//! The network every test runs: the identity manager's release wasm and
//! the demo canister (twice, as `demo` and `demo2`) on a fresh `localnet`,
//! and clients that call the identity manager through the method
//! descriptors of `sigil_api::identity_manager`, so that each argument
//! list is written once, in the contract.

use candid::Principal;
use ic_agent::identity::{AnonymousIdentity, BasicIdentity, DelegatedIdentity};
use ic_agent::{Agent, AgentError, Identity};
use localnet::testing::{Localnet, WebAuthnIdentity, canister_wasm};
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, AddDevice, AddDeviceArgs, BitcoinNetwork, CallKind, ChainsConfig, ConfirmDevice,
    ConfirmDeviceArgs, Connect, ConnectArgs, CreateAccount, CreateAccountArgs, Delegation, Device,
    Error, EvmChain, GetDelegation, GetDelegationArgs, GetPrincipal, GetPrincipalArgs, GetStats,
    InitArgs, KeyType, ListDevices, ListDevicesArgs, Method, PrepareDelegation,
    PrepareDelegationArgs, PreparedDelegation, Purpose, SignedDelegation, Stats, StatsArgs,
};

pub const DAPP: &str = "https://dapp.example";

/// Where `localnet::deploy` keeps the key of the deployer, the controller
/// of every canister it deploys (a raw 32-byte Ed25519 seed).
const DEPLOYER_KEY_FILE: &str = "deployer.ed25519";

pub fn start(init: Option<InitArgs>) -> Localnet {
    let no_args = candid::encode_args(()).unwrap();
    Localnet::builder()
        .canister(
            "identity_manager",
            &canister_wasm("identity_manager"),
            candid::encode_one(init).unwrap(),
        )
        .canister("demo", &canister_wasm("demo"), no_args.clone())
        .canister("demo2", &canister_wasm("demo"), no_args)
        .start()
}

/// Sigil's origin on the network of [`start_with_signer`].
pub const SIGIL: &str = "http://localhost:8080";
/// The key name the network of [`start_with_signer`] signs with.
pub const KEY_NAME: &str = "dfx_test_key";

/// The EVM chain the network of [`start_with_signer`] signs for (a local
/// Hardhat node's).
pub const EVM_CHAIN_ID: u64 = 31337;
/// Another EVM chain it signs for.
pub const SECOND_EVM_CHAIN_ID: u64 = 11_155_111;

/// The ids of the identity manager and the signer in [`start_with_signer`]:
/// fixed, so that each install argument can name the other canister.
pub fn im_and_signer_ids() -> (Principal, Principal) {
    (
        localnet::ids::canister_id(1_000),
        localnet::ids::canister_id(1_001),
    )
}

/// The identity manager with a signer (both release wasm), on regtest.
pub fn start_with_signer() -> Localnet {
    start_with_signer_and(|_| {})
}

/// [`start_with_signer`], the identity manager's install argument changed
/// by `configure`.
pub fn start_with_signer_and(configure: impl FnOnce(&mut InitArgs)) -> Localnet {
    let (im, signer) = im_and_signer_ids();
    let mut im_init = InitArgs {
        base_account_number: None,
        registration_rate_limit: None,
        registration_proof_of_work_difficulty: None,
        chains: Some(ChainsConfig {
            signer,
            global_origin: SIGIL.to_string(),
            bitcoin_network: BitcoinNetwork::Regtest,
        }),
        evm_chains: Some(vec![
            EvmChain {
                chain_id: EVM_CHAIN_ID,
                name: "Hardhat".to_string(),
                symbol: "ETH".to_string(),
            },
            EvmChain {
                chain_id: SECOND_EVM_CHAIN_ID,
                name: "Sepolia".to_string(),
                symbol: "ETH".to_string(),
            },
        ]),
        ..InitArgs::default()
    };
    configure(&mut im_init);
    let signer_init = sigil_api::signer::InitArgs {
        identity_manager: im,
        key_name: KEY_NAME.to_string(),
    };
    Localnet::builder()
        .canister_with_id(
            "identity_manager",
            &canister_wasm("identity_manager"),
            candid::encode_one(Some(im_init)).unwrap(),
            im,
        )
        .canister_with_id(
            "signer",
            &canister_wasm("signer"),
            candid::encode_one(signer_init).unwrap(),
            signer,
        )
        .start()
}

pub fn ed25519() -> BasicIdentity {
    BasicIdentity::from_raw_key(&rand::random())
}

/// The controller of the network's canisters.
pub fn controller(net: &Localnet) -> BasicIdentity {
    let seed = std::fs::read(net.state_dir.join(DEPLOYER_KEY_FILE)).unwrap();
    BasicIdentity::from_raw_key(&seed.try_into().unwrap())
}

/// A client acting as the controller of the network's canisters.
pub async fn controller_client(net: &Localnet) -> Client {
    Client::new(net, controller(net)).await
}

/// The identity manager's figures, as its controller sees them.
pub async fn figures(net: &Localnet) -> Stats {
    controller_client(net).await.stats().await.unwrap()
}

/// Asserts that the identity manager holds `accounts` accounts with
/// `devices` devices in all: nothing refused was stored.
pub async fn assert_stored(net: &Localnet, accounts: u64, devices: u64) {
    let stats = figures(net).await;
    assert_eq!(
        (stats.accounts, stats.devices),
        (accounts, devices),
        "accounts and devices stored"
    );
}

/// An account whose first device is a passkey, with an Ed25519 laptop
/// added: the passkey's client, the account, the laptop's client and
/// device.
pub async fn passkey_and_laptop(net: &Localnet) -> (Client, AccountNumber, Client, Device) {
    let (identity, first) = passkey("passkey");
    let owner = Client::new(net, identity).await;
    let account = owner.create_account(first).await.unwrap();
    let laptop = ed25519();
    let laptop_device = device(&laptop, KeyType::Ed25519, "laptop");
    let laptop = owner.add(account, laptop, laptop_device.clone()).await;
    (owner, account, laptop, laptop_device)
}

/// An authentication device holding `identity`'s key; a WebAuthn one gets
/// a fresh credential id.
pub fn device(identity: &dyn Identity, key_type: KeyType, alias: &str) -> Device {
    Device {
        public_key: ByteBuf::from(identity.public_key().unwrap()),
        alias: alias.to_string(),
        credential_id: (key_type == KeyType::WebAuthn)
            .then(|| ByteBuf::from(rand::random::<[u8; 16]>().to_vec())),
        purpose: Purpose::Authentication,
        key_type,
        protected: false,
    }
}

/// A protected recovery device (as a recovery phrase gives).
pub fn protected_recovery(identity: &dyn Identity, alias: &str) -> Device {
    Device {
        purpose: Purpose::Recovery,
        protected: true,
        ..device(identity, KeyType::Ed25519, alias)
    }
}

/// A client of the identity manager acting as one identity.
#[derive(Clone)]
pub struct Client {
    pub agent: Agent,
    pub im: Principal,
    pub principal: Principal,
}

impl Client {
    pub async fn new(net: &Localnet, identity: impl Identity + 'static) -> Self {
        let principal = identity.sender().unwrap();
        Self {
            agent: net.agent(identity).await,
            im: net.id("identity_manager"),
            principal,
        }
    }

    pub async fn anonymous(net: &Localnet) -> Self {
        Self::new(net, AnonymousIdentity).await
    }

    /// The same network connection as another identity (no status request).
    pub fn as_identity(&self, identity: impl Identity + 'static) -> Self {
        let principal = identity.sender().unwrap();
        let mut agent = self.agent.clone();
        agent.set_identity(identity);
        Self {
            agent,
            im: self.im,
            principal,
        }
    }

    /// Calls `M` (a query or an update, as its descriptor says); the
    /// agent's error when the network refuses the message.
    pub async fn try_call<M: Method>(&self, args: &M::Args) -> Result<M::Response, AgentError> {
        let reply = self.raw(M::KIND, M::NAME, candid::encode_one(args).unwrap());
        Ok(candid::decode_one(&reply.await?).unwrap())
    }

    /// Calls `M`, which the network must let through to the canister.
    pub async fn call<M: Method>(&self, args: &M::Args) -> M::Response {
        match self.try_call::<M>(args).await {
            Ok(response) => response,
            Err(error) => panic!("{} did not reach the canister: {error}", M::NAME),
        }
    }

    /// Calls `M`, which `canister_inspect_message` must drop; the reject
    /// message.
    pub async fn dropped<M: Method>(&self, args: &M::Args) -> String {
        inspect_rejection(M::NAME, self.try_call::<M>(args).await)
    }

    /// Calls `method` with Candid bytes `arg`, whatever they are.
    pub async fn raw(
        &self,
        kind: CallKind,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, AgentError> {
        match kind {
            CallKind::Query => {
                self.agent
                    .query(&self.im, method)
                    .with_arg(arg)
                    .call()
                    .await
            }
            CallKind::Update => {
                self.agent
                    .update(&self.im, method)
                    .with_arg(arg)
                    .call_and_wait()
                    .await
            }
        }
    }

    pub async fn create_account(&self, device: Device) -> Result<AccountNumber, Error> {
        self.call::<CreateAccount>(&CreateAccountArgs {
            device,
            proof_of_work: None,
        })
        .await
    }

    /// Registers an account whose first device is `identity` itself.
    pub async fn register(
        net: &Localnet,
        identity: impl Identity + 'static,
        key_type: KeyType,
    ) -> (Self, AccountNumber) {
        let first = device(&identity, key_type, "first device");
        let client = Self::new(net, identity).await;
        let account = client.create_account(first).await.unwrap();
        (client, account)
    }

    pub async fn propose(&self, account: AccountNumber, device: Device) -> Result<(), Error> {
        self.call::<AddDevice>(&AddDeviceArgs { account, device })
            .await
            .map(|_| ())
    }

    pub async fn confirm(&self, account: AccountNumber) -> Result<(), Error> {
        self.call::<ConfirmDevice>(&ConfirmDeviceArgs { account })
            .await
    }

    /// Adds `new` to the account as this device proposes and `new` itself
    /// confirms; the new device's client.
    pub async fn add(
        &self,
        account: AccountNumber,
        new: impl Identity + 'static,
        device: Device,
    ) -> Client {
        let pending = self
            .call::<AddDevice>(&AddDeviceArgs {
                account,
                device: device.clone(),
            })
            .await
            .unwrap();
        assert_eq!(pending.public_key, device.public_key);
        let new = self.as_identity(new);
        new.confirm(account).await.unwrap();
        new
    }

    pub async fn devices(&self, account: AccountNumber) -> Result<Vec<Device>, Error> {
        self.call::<ListDevices>(&ListDevicesArgs { account }).await
    }

    pub async fn principal(
        &self,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, Error> {
        self.call::<GetPrincipal>(&GetPrincipalArgs {
            account,
            origin: origin.to_string(),
        })
        .await
    }

    pub async fn stats(&self) -> Result<Stats, Error> {
        self.call::<GetStats>(&StatsArgs {}).await
    }

    /// `prepare_delegation` then `get_delegation`, as the frontend does.
    pub async fn delegation(
        &self,
        account: AccountNumber,
        origin: &str,
        session_key: &[u8],
        max_time_to_live: Option<u64>,
        targets: Option<Vec<Principal>>,
    ) -> Result<(PreparedDelegation, SignedDelegation), Error> {
        let session_key = ByteBuf::from(session_key.to_vec());
        let prepared = self
            .call::<PrepareDelegation>(&prepare_args(
                account,
                origin,
                &session_key,
                max_time_to_live,
                targets.clone(),
            ))
            .await?;
        let signed = self
            .call::<GetDelegation>(&GetDelegationArgs {
                account,
                origin: origin.to_string(),
                session_key,
                expiration: prepared.expiration,
                targets,
            })
            .await?;
        Ok((prepared, signed))
    }
}

pub fn prepare_args(
    account: AccountNumber,
    origin: &str,
    session_key: &[u8],
    max_time_to_live: Option<u64>,
    targets: Option<Vec<Principal>>,
) -> PrepareDelegationArgs {
    PrepareDelegationArgs {
        account,
        origin: origin.to_string(),
        session_key: ByteBuf::from(session_key.to_vec()),
        max_time_to_live,
        targets,
    }
}

/// Asserts that `result` is the network refusing the update `method`
/// before it executed (`canister_inspect_message` trapped with the
/// reason), not a reply of the canister; the reject message.
pub fn inspect_rejection<T>(method: &str, result: Result<T, AgentError>) -> String {
    let message = match result {
        Err(AgentError::UncertifiedReject { reject, .. }) => reject.reject_message,
        Ok(_) => panic!("{method} should have been dropped by inspect_message, but it executed"),
        Err(other) => panic!("{method} should have been dropped by inspect_message: {other}"),
    };
    assert!(
        message.contains(&format!("{method} refused")),
        "{method} was refused, but not by inspect_message: {message}"
    );
    message
}

/// Asserts that the update was dropped because it would fail with `error`.
pub fn assert_dropped_for(message: &str, error: &Error) {
    assert!(
        message.contains(&error.to_string()),
        "expected the reason `{error}`, got: {message}"
    );
}

pub fn transport_delegation(delegation: &Delegation) -> ic_transport_types::Delegation {
    ic_transport_types::Delegation {
        pubkey: delegation.pubkey.to_vec(),
        expiration: delegation.expiration,
        targets: delegation.targets.clone(),
        permissions: None,
    }
}

/// An identity that signs with `session` on behalf of the account's
/// per-origin principal, through the canister-signed delegation.
pub fn delegated(
    prepared: &PreparedDelegation,
    signed: &SignedDelegation,
    session: impl Identity + 'static,
) -> DelegatedIdentity {
    DelegatedIdentity::new_unchecked(
        prepared.user_key.to_vec(),
        Box::new(session),
        vec![ic_transport_types::SignedDelegation {
            delegation: transport_delegation(&signed.delegation),
            signature: signed.signature.clone(),
        }],
    )
}

/// Connects `origin` to `account` as `client` (a device of the account),
/// as Sigil's window does once the person approved.
pub async fn connect(client: &Client, account: AccountNumber, origin: &str) {
    client
        .call::<Connect>(&ConnectArgs {
            account,
            origin: origin.into(),
        })
        .await
        .unwrap();
}

/// A dapp's session of `owner`'s account: an Ed25519 session key under
/// the canister-signed delegation for [`DAPP`], as a dapp holds it.
pub async fn dapp_session(owner: &Client, account: AccountNumber) -> Client {
    let session = ed25519();
    let session_key = session.public_key().unwrap();
    let (prepared, signed) = owner
        .delegation(account, DAPP, &session_key, None, None)
        .await
        .unwrap();
    owner.as_identity(delegated(&prepared, &signed, session))
}

/// A passkey and its device record.
pub fn passkey(alias: &str) -> (WebAuthnIdentity, Device) {
    let identity = WebAuthnIdentity::generate();
    let device = device(&identity, KeyType::WebAuthn, alias);
    (identity, device)
}
