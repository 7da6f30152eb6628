//! The identity manager's real wasm on the local network, driven by the real
//! Rust agent: accounts, devices, two-factor, principals and the canister
//! signed delegations that dapps receive.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use candid::{CandidType, Deserialize, Principal};
use ic_agent::identity::{BasicIdentity, DelegatedIdentity};
use ic_agent::{Agent, AgentError, Identity};
use localnet::testing::{Localnet, WebAuthnIdentity, canister_wasm, now_nanos, query, update};
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, CredentialLookup, Delegation, Device, Error, InitArgs, KeyType,
    PreparedDelegation, Purpose, RateLimitConfig, SignedDelegation,
};

const DAPP: &str = "https://dapp.example";
const THIRTY_DAYS_NS: u64 = 30 * 24 * 3600 * 1_000_000_000;

fn start(init: Option<InitArgs>) -> Localnet {
    Localnet::builder()
        .canister(
            "identity_manager",
            &canister_wasm("identity_manager"),
            candid::encode_one(init).unwrap(),
        )
        .canister(
            "demo",
            &canister_wasm("demo"),
            candid::encode_args(()).unwrap(),
        )
        .canister(
            "demo2",
            &canister_wasm("demo"),
            candid::encode_args(()).unwrap(),
        )
        .start()
}

fn ed25519() -> BasicIdentity {
    BasicIdentity::from_raw_key(&rand::random())
}

fn device(identity: &dyn Identity, key_type: KeyType, alias: &str) -> Device {
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

/// A client of the identity manager acting as one device.
struct Client {
    agent: Agent,
    im: Principal,
}

impl Client {
    async fn new(net: &Localnet, identity: impl Identity + 'static) -> Self {
        Self {
            agent: net.agent(identity).await,
            im: net.id("identity_manager"),
        }
    }

    async fn update<R: CandidType + for<'de> Deserialize<'de>>(
        &self,
        method: &str,
        args: impl candid::utils::ArgumentEncoder,
    ) -> R {
        update(
            &self.agent,
            self.im,
            method,
            candid::encode_args(args).unwrap(),
        )
        .await
        .unwrap()
    }

    async fn query<R: CandidType + for<'de> Deserialize<'de>>(
        &self,
        method: &str,
        args: impl candid::utils::ArgumentEncoder,
    ) -> R {
        query(
            &self.agent,
            self.im,
            method,
            candid::encode_args(args).unwrap(),
        )
        .await
        .unwrap()
    }

    async fn create_account(&self, device: Device) -> Result<AccountNumber, Error> {
        self.update("create_account", (device,)).await
    }

    async fn principal(&self, account: AccountNumber, origin: &str) -> Result<Principal, Error> {
        self.query("get_principal", (account, origin)).await
    }

    /// `prepare_delegation` then `get_delegation`, as the frontend does.
    async fn delegation(
        &self,
        account: AccountNumber,
        origin: &str,
        session_key: &[u8],
        max_ttl: Option<u64>,
        targets: Option<Vec<Principal>>,
    ) -> Result<(PreparedDelegation, SignedDelegation), Error> {
        let session_key = ByteBuf::from(session_key.to_vec());
        let prepared: Result<PreparedDelegation, Error> = self
            .update(
                "prepare_delegation",
                (
                    account,
                    origin,
                    session_key.clone(),
                    max_ttl,
                    targets.clone(),
                ),
            )
            .await;
        let prepared = prepared?;
        let signed: Result<SignedDelegation, Error> = self
            .query(
                "get_delegation",
                (account, origin, session_key, prepared.expiration, targets),
            )
            .await;
        Ok((prepared, signed?))
    }
}

fn transport_delegation(delegation: &Delegation) -> ic_transport_types::Delegation {
    ic_transport_types::Delegation {
        pubkey: delegation.pubkey.to_vec(),
        expiration: delegation.expiration,
        targets: delegation.targets.clone(),
        permissions: None,
    }
}

/// An identity that signs with `session` on behalf of the account's
/// per-origin principal, through the canister-signed delegation.
fn delegated(
    prepared: &PreparedDelegation,
    signed: &SignedDelegation,
    session: BasicIdentity,
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

#[tokio::test]
async fn should_register_and_manage_devices_as_the_owner_only() {
    let net = start(None);
    let first = ed25519();
    let first_device = device(&first, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, first).await;
    let account = owner.create_account(first_device.clone()).await.unwrap();
    assert!(
        account >= 10_000,
        "account numbers start at the base: {account}"
    );

    let second = ed25519();
    let second_device = device(&second, KeyType::Ed25519, "phone");
    let added: Result<(), Error> = owner
        .update("add_device", (account, second_device.clone()))
        .await;
    added.unwrap();
    let renamed: Result<(), Error> = owner
        .update(
            "rename_device",
            (account, second_device.public_key.clone(), "old phone"),
        )
        .await;
    renamed.unwrap();
    let devices: Result<Vec<Device>, Error> = owner.query("list_devices", (account,)).await;
    let aliases: Vec<String> = devices.unwrap().into_iter().map(|d| d.alias).collect();
    assert_eq!(aliases, ["laptop", "old phone"]);

    // The new device now acts for the account; a stranger does not.
    let phone = Client::new(&net, second).await;
    let devices: Result<Vec<Device>, Error> = phone.query("list_devices", (account,)).await;
    assert_eq!(devices.unwrap().len(), 2);
    let stranger = Client::new(&net, ed25519()).await;
    let refused: Result<Vec<Device>, Error> = stranger.query("list_devices", (account,)).await;
    assert!(
        matches!(refused, Err(Error::Unauthorized { .. })),
        "{refused:?}"
    );
    let refused: Result<(), Error> = stranger
        .update("remove_device", (account, second_device.public_key.clone()))
        .await;
    assert!(
        matches!(refused, Err(Error::Unauthorized { .. })),
        "{refused:?}"
    );
    let refused: Result<(), Error> = stranger
        .update(
            "add_device",
            (account, device(&ed25519(), KeyType::Ed25519, "evil")),
        )
        .await;
    assert!(
        matches!(refused, Err(Error::Unauthorized { .. })),
        "{refused:?}"
    );

    let removed: Result<(), Error> = phone
        .update("remove_device", (account, second_device.public_key.clone()))
        .await;
    removed.unwrap();
    let last: Result<(), Error> = owner
        .update("remove_device", (account, first_device.public_key.clone()))
        .await;
    assert_eq!(last, Err(Error::LastAuthenticationDevice));

    // A discoverable passkey gives only a credential id: the lookup is public.
    let passkey = WebAuthnIdentity::generate();
    let passkey_device = device(&passkey, KeyType::WebAuthn, "YubiKey");
    let added: Result<(), Error> = owner
        .update("add_device", (account, passkey_device.clone()))
        .await;
    added.unwrap();
    let lookup: Result<CredentialLookup, Error> = stranger
        .query(
            "lookup_credential_id",
            (passkey_device.credential_id.clone().unwrap(),),
        )
        .await;
    let lookup = lookup.unwrap();
    assert_eq!(lookup.account, account);
    assert_eq!(lookup.public_key, passkey_device.public_key);
}

#[tokio::test]
async fn should_list_an_accounts_passkey_credential_ids_to_anyone() {
    let net = start(None);
    let passkey = WebAuthnIdentity::generate();
    let passkey_device = device(&passkey, KeyType::WebAuthn, "YubiKey");
    let owner = Client::new(&net, passkey).await;
    let account = owner.create_account(passkey_device.clone()).await.unwrap();
    let laptop = device(&ed25519(), KeyType::Ed25519, "laptop");
    let added: Result<(), Error> = owner.update("add_device", (account, laptop)).await;
    added.unwrap();

    // Before sign-in nobody is signed in: the anonymous principal asks.
    let anonymous = Client::new(&net, ic_agent::identity::AnonymousIdentity).await;
    let ids: Result<Vec<ByteBuf>, Error> = anonymous.query("credential_ids", (account,)).await;
    assert_eq!(
        ids,
        Ok(vec![passkey_device.credential_id.clone().unwrap()]),
        "only the passkey has a credential id to offer"
    );
    let missing: Result<Vec<ByteBuf>, Error> =
        anonymous.query("credential_ids", (account + 1,)).await;
    assert_eq!(
        missing,
        Err(Error::AccountNotFound {
            account: account + 1
        })
    );

    // An account whose devices are all plain keys has no passkey to offer.
    let key_only = ed25519();
    let key_only_device = device(&key_only, KeyType::Ed25519, "phrase");
    let key_only = Client::new(&net, key_only)
        .await
        .create_account(key_only_device)
        .await
        .unwrap();
    let none: Result<Vec<ByteBuf>, Error> = anonymous.query("credential_ids", (key_only,)).await;
    assert_eq!(none, Ok(vec![]));
}

#[tokio::test]
async fn should_refuse_a_first_device_the_caller_does_not_hold_and_oversized_fields() {
    let net = start(None);
    let caller = Client::new(&net, ed25519()).await;
    let someone_else = device(&ed25519(), KeyType::Ed25519, "not mine");
    let refused = caller.create_account(someone_else).await;
    assert!(
        matches!(refused, Err(Error::NotDeviceOwner { .. })),
        "{refused:?}"
    );

    let anonymous = Client::new(&net, ic_agent::identity::AnonymousIdentity).await;
    let refused = anonymous
        .create_account(device(&ed25519(), KeyType::Ed25519, "x"))
        .await;
    assert_eq!(refused, Err(Error::AnonymousCaller));

    let identity = ed25519();
    let mut long_alias = device(&identity, KeyType::Ed25519, &"a".repeat(65));
    let owner = Client::new(&net, identity).await;
    let refused = owner.create_account(long_alias.clone()).await;
    assert!(
        matches!(refused, Err(Error::AliasTooLong { .. })),
        "{refused:?}"
    );
    long_alias.alias = "ok".into();
    let account = owner.create_account(long_alias).await.unwrap();
    let refused = owner
        .principal(account, &format!("https://{}", "a".repeat(248)))
        .await;
    assert!(
        matches!(refused, Err(Error::OriginTooLong { .. })),
        "{refused:?}"
    );
    let stats: sigil_api::identity_manager::Stats = owner.query("stats", ()).await;
    assert_eq!(
        (stats.accounts, stats.devices),
        (1, 1),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn should_sign_delegations_that_the_network_accepts_for_the_origin_principal() {
    let net = start(None);
    let identity = ed25519();
    let laptop = device(&identity, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, identity).await;
    let account = owner.create_account(laptop).await.unwrap();
    let principal = owner.principal(account, DAPP).await.unwrap();
    let other_origin = owner
        .principal(account, "https://other.example")
        .await
        .unwrap();
    assert_ne!(principal, other_origin, "two origins, two principals");

    // A second device of the same account sees the same principal.
    let phone_identity = ed25519();
    let added: Result<(), Error> = owner
        .update(
            "add_device",
            (account, device(&phone_identity, KeyType::Ed25519, "phone")),
        )
        .await;
    added.unwrap();
    let phone = Client::new(&net, phone_identity).await;
    assert_eq!(phone.principal(account, DAPP).await.unwrap(), principal);

    let session = ed25519();
    let session_key = session.public_key().unwrap();
    let demo = net.id("demo");
    let (prepared, signed) = phone
        .delegation(account, DAPP, &session_key, None, Some(vec![demo]))
        .await
        .unwrap();
    assert_eq!(
        Principal::self_authenticating(&prepared.user_key),
        principal
    );
    assert_eq!(signed.delegation.pubkey.as_slice(), session_key.as_slice());
    assert_eq!(signed.delegation.targets, Some(vec![demo]));
    let ttl = prepared.expiration.saturating_sub(now_nanos());
    assert!(
        ttl <= 30 * 60 * 1_000_000_000 && ttl > 25 * 60 * 1_000_000_000,
        "default lifetime is 30 minutes: {ttl}"
    );

    // The canister signature verifies under the network's root key.
    let root_key = owner.agent.read_root_key();
    let message =
        localnet::auth::delegation_signable(&transport_delegation(&signed.delegation)).unwrap();
    localnet::auth::verify_signature(&prepared.user_key, &message, &signed.signature, &root_key)
        .unwrap();
    let mut tampered = signed.signature.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(
        localnet::auth::verify_signature(&prepared.user_key, &message, &tampered, &root_key)
            .is_err()
    );

    // The dapp's session key acts as the principal, on the targets only.
    let agent = net.agent(delegated(&prepared, &signed, session)).await;
    let seen: Principal = update(
        &agent,
        demo,
        "whoami_update",
        candid::encode_args(()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(seen, principal);
    let outside = update::<Principal>(
        &agent,
        net.id("demo2"),
        "whoami_update",
        candid::encode_args(()).unwrap(),
    )
    .await;
    assert!(
        matches!(outside, Err(AgentError::HttpError(_))),
        "{outside:?}"
    );
}

#[tokio::test]
async fn should_shorten_long_lifetimes_and_refuse_expired_delegations() {
    let net = start(None);
    let identity = ed25519();
    let laptop = device(&identity, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, identity).await;
    let account = owner.create_account(laptop).await.unwrap();
    let session = ed25519();
    let sixty_days = 2 * THIRTY_DAYS_NS;
    let (prepared, _) = owner
        .delegation(
            account,
            DAPP,
            &session.public_key().unwrap(),
            Some(sixty_days),
            None,
        )
        .await
        .unwrap();
    let ttl = prepared.expiration.saturating_sub(now_nanos());
    assert!(
        ttl <= THIRTY_DAYS_NS && ttl > THIRTY_DAYS_NS - 60_000_000_000,
        "{ttl}"
    );

    // A one-nanosecond delegation has expired by the time it is used.
    let (prepared, signed) = owner
        .delegation(account, DAPP, &session.public_key().unwrap(), Some(1), None)
        .await
        .unwrap();
    let agent = net.agent(delegated(&prepared, &signed, session)).await;
    let refused = update::<Principal>(
        &agent,
        net.id("demo"),
        "whoami_update",
        candid::encode_args(()).unwrap(),
    )
    .await;
    assert!(
        matches!(refused, Err(AgentError::HttpError(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn should_accept_only_passkeys_when_two_factor_is_on() {
    let net = start(None);
    let passkey = WebAuthnIdentity::generate();
    let passkey_device = device(&passkey, KeyType::WebAuthn, "YubiKey");
    let passkey_client = Client::new(&net, passkey).await;
    let account = passkey_client.create_account(passkey_device).await.unwrap();
    let laptop = ed25519();
    let added: Result<(), Error> = passkey_client
        .update(
            "add_device",
            (account, device(&laptop, KeyType::Ed25519, "laptop")),
        )
        .await;
    added.unwrap();
    let laptop_client = Client::new(&net, laptop).await;
    assert!(laptop_client.principal(account, DAPP).await.is_ok());

    let on: Result<(), Error> = passkey_client
        .update("set_two_factor", (account, true))
        .await;
    on.unwrap();
    let flag: Result<bool, Error> = laptop_client.query("two_factor", (account,)).await;
    assert_eq!(flag, Ok(true), "the flag is public");

    let refused = laptop_client.principal(account, DAPP).await;
    assert!(
        matches!(refused, Err(Error::PasskeyRequired { .. })),
        "{refused:?}"
    );
    let refused = laptop_client
        .delegation(account, DAPP, &ed25519().public_key().unwrap(), None, None)
        .await;
    assert!(
        matches!(refused, Err(Error::PasskeyRequired { .. })),
        "{refused:?}"
    );
    let refused: Result<(), Error> = laptop_client
        .update("set_two_factor", (account, false))
        .await;
    assert!(
        matches!(refused, Err(Error::PasskeyRequired { .. })),
        "{refused:?}"
    );
    assert!(
        passkey_client
            .delegation(account, DAPP, &ed25519().public_key().unwrap(), None, None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn should_trip_the_registration_rate_limit_and_recover() {
    let net = start(Some(InitArgs {
        base_account_number: Some(500),
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 2,
            refill_period_ns: 2_000_000_000,
        }),
    }));
    let mut results = Vec::new();
    for _ in 0..3 {
        let identity = ed25519();
        let new_device = device(&identity, KeyType::Ed25519, "d");
        results.push(
            Client::new(&net, identity)
                .await
                .create_account(new_device)
                .await,
        );
    }
    assert_eq!(results[0], Ok(500));
    assert_eq!(results[1], Ok(501));
    assert!(
        matches!(results[2], Err(Error::RateLimited { .. })),
        "{:?}",
        results[2]
    );
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let identity = ed25519();
    let new_device = device(&identity, KeyType::Ed25519, "d");
    assert_eq!(
        Client::new(&net, identity)
            .await
            .create_account(new_device)
            .await,
        Ok(502)
    );
}

#[tokio::test]
async fn should_keep_accounts_devices_and_principals_across_an_upgrade() {
    let mut net = start(None);
    let key: [u8; 32] = rand::random();
    let identity = BasicIdentity::from_raw_key(&key);
    let laptop = device(&identity, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, identity).await;
    let account = owner.create_account(laptop).await.unwrap();
    let principal = owner.principal(account, DAPP).await.unwrap();
    let devices: Result<Vec<Device>, Error> = owner.query("list_devices", (account,)).await;

    net.restart(true);
    let owner = Client::new(&net, BasicIdentity::from_raw_key(&key)).await;
    assert_eq!(owner.principal(account, DAPP).await.unwrap(), principal);
    let after: Result<Vec<Device>, Error> = owner.query("list_devices", (account,)).await;
    assert_eq!(after, devices);
}

#[tokio::test]
async fn should_let_a_session_delegated_from_a_passkey_act_for_the_account() {
    let net = start(None);
    let passkey = WebAuthnIdentity::generate();
    let passkey_device = device(&passkey, KeyType::WebAuthn, "YubiKey");
    let passkey_key = passkey.public_key().unwrap();
    let session = ic_agent::identity::Prime256v1Identity::from_private_key(
        p256::SecretKey::random(&mut rand::thread_rng()),
    );
    let delegation = ic_transport_types::Delegation {
        pubkey: session.public_key().unwrap(),
        expiration: now_nanos() + 600_000_000_000,
        targets: Some(vec![net.id("identity_manager")]),
        permissions: None,
    };
    let signature = passkey
        .sign_delegation(&delegation)
        .unwrap()
        .signature
        .unwrap();
    let passkey_client = Client::new(&net, passkey).await;
    let account = passkey_client.create_account(passkey_device).await.unwrap();
    let on: Result<(), Error> = passkey_client
        .update("set_two_factor", (account, true))
        .await;
    on.unwrap();

    // The frontend's session key, delegated from the passkey, is the
    // passkey's principal: it may act for the account even with two-factor on.
    let session_client = Client::new(
        &net,
        DelegatedIdentity::new_unchecked(
            passkey_key,
            Box::new(session),
            vec![ic_transport_types::SignedDelegation {
                delegation,
                signature,
            }],
        ),
    )
    .await;
    let devices: Result<Vec<Device>, Error> =
        session_client.query("list_devices", (account,)).await;
    assert_eq!(devices.unwrap().len(), 1);
    let signed = session_client
        .delegation(account, DAPP, &ed25519().public_key().unwrap(), None, None)
        .await;
    assert!(signed.is_ok(), "{signed:?}");
}

#[tokio::test]
async fn should_answer_every_size_limit_and_bad_input_with_a_typed_error_and_store_nothing() {
    use sigil_api::identity_manager::{
        MAX_ALIAS_LEN, MAX_CREDENTIAL_ID_LEN, MAX_DEVICES_PER_ACCOUNT, MAX_ORIGIN_LEN,
        MAX_PUBLIC_KEY_LEN, Stats,
    };
    let net = start(None);
    let identity = ed25519();
    let laptop = device(&identity, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, identity).await;
    let account = owner.create_account(laptop).await.unwrap();
    let add = |device: Device| {
        let owner = &owner;
        async move {
            let result: Result<(), Error> = owner.update("add_device", (account, device)).await;
            result
        }
    };

    let mut oversized_key = device(&ed25519(), KeyType::Ed25519, "key");
    oversized_key.public_key = ByteBuf::from(vec![0x30; MAX_PUBLIC_KEY_LEN + 1]);
    let refused = add(oversized_key).await;
    assert!(
        matches!(refused, Err(Error::PublicKeyTooLong { .. })),
        "{refused:?}"
    );

    let mut garbage_key = device(&ed25519(), KeyType::Ed25519, "key");
    garbage_key.public_key = ByteBuf::from(b"not a DER public key".to_vec());
    let refused = add(garbage_key).await;
    assert!(
        matches!(refused, Err(Error::InvalidPublicKey { .. })),
        "{refused:?}"
    );

    let long_alias = device(&ed25519(), KeyType::Ed25519, &"x".repeat(MAX_ALIAS_LEN + 1));
    let refused = add(long_alias).await;
    assert!(
        matches!(refused, Err(Error::AliasTooLong { .. })),
        "{refused:?}"
    );

    let mut long_credential = device(&WebAuthnIdentity::generate(), KeyType::WebAuthn, "pk");
    long_credential.credential_id = Some(ByteBuf::from(vec![7; MAX_CREDENTIAL_ID_LEN + 1]));
    let refused = add(long_credential).await;
    assert!(
        matches!(refused, Err(Error::CredentialIdTooLong { .. })),
        "{refused:?}"
    );

    let mismatched = device(&ed25519(), KeyType::WebAuthn, "claims to be a passkey");
    let refused = add(mismatched).await;
    assert!(
        matches!(
            refused,
            Err(Error::KeyTypeMismatch { .. } | Error::InvalidPublicKey { .. })
        ),
        "{refused:?}"
    );

    let refused = owner
        .principal(account, &format!("https://{}", "a".repeat(MAX_ORIGIN_LEN)))
        .await;
    assert!(
        matches!(refused, Err(Error::OriginTooLong { .. })),
        "{refused:?}"
    );
    let refused = owner.principal(account + 1_000, DAPP).await;
    assert!(
        matches!(
            refused,
            Err(Error::AccountNotFound { .. } | Error::Unauthorized { .. })
        ),
        "{refused:?}"
    );
    let refused = owner
        .delegation(account, DAPP, b"not DER at all", None, None)
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidSessionKey { .. })),
        "{refused:?}"
    );

    let stats: Stats = owner.query("stats", ()).await;
    assert_eq!(
        (stats.accounts, stats.devices),
        (1, 1),
        "nothing refused was stored"
    );

    for n in 1..MAX_DEVICES_PER_ACCOUNT {
        add(device(&ed25519(), KeyType::Ed25519, &format!("device {n}")))
            .await
            .unwrap();
    }
    let refused = add(device(&ed25519(), KeyType::Ed25519, "one too many")).await;
    assert!(
        matches!(refused, Err(Error::TooManyDevices { .. })),
        "{refused:?}"
    );
    let stats: Stats = owner.query("stats", ()).await;
    assert_eq!(stats.devices, MAX_DEVICES_PER_ACCOUNT as u64);
}
