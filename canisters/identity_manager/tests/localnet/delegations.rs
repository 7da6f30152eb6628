//! Per-origin principals and the canister-signed delegations dapps receive.

use candid::Principal;
use ic_agent::identity::{DelegatedIdentity, Prime256v1Identity};
use ic_agent::{AgentError, Identity};
use localnet::testing::{now_nanos, update};
use sigil_api::identity_manager::{
    DEFAULT_DELEGATION_TTL_NS, KeyType, MAX_DELEGATION_TTL_NS, SetTwoFactor, SetTwoFactorArgs,
};

use crate::support::{
    Client, DAPP, delegated, device, ed25519, passkey, start, transport_delegation,
};

async fn whoami(agent: &ic_agent::Agent, canister: Principal) -> Result<Principal, AgentError> {
    update(
        agent,
        canister,
        "whoami_update",
        candid::encode_args(()).unwrap(),
    )
    .await
}

#[tokio::test]
async fn should_sign_delegations_that_the_network_accepts_for_the_origin_principal() {
    let net = start(None);
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let principal = owner.principal(account, DAPP).await.unwrap();
    let other_origin = owner
        .principal(account, "https://other.example")
        .await
        .unwrap();
    assert_ne!(principal, other_origin, "two origins, two principals");

    // A second device of the same account sees the same principal.
    let phone = ed25519();
    let phone_device = device(&phone, KeyType::Ed25519, "phone");
    let phone = owner.add(account, phone, phone_device).await;
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
        ttl <= DEFAULT_DELEGATION_TTL_NS && ttl > DEFAULT_DELEGATION_TTL_NS - 300_000_000_000,
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
    assert_eq!(whoami(&agent, demo).await.unwrap(), principal);
    let outside = whoami(&agent, net.id("demo2")).await;
    assert!(
        matches!(outside, Err(AgentError::HttpError(_))),
        "{outside:?}"
    );
}

#[tokio::test]
async fn should_shorten_long_lifetimes_and_refuse_expired_delegations() {
    let net = start(None);
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let session = ed25519();
    let session_key = session.public_key().unwrap();
    let (prepared, _) = owner
        .delegation(
            account,
            DAPP,
            &session_key,
            Some(2 * MAX_DELEGATION_TTL_NS),
            None,
        )
        .await
        .unwrap();
    let ttl = prepared.expiration.saturating_sub(now_nanos());
    assert!(
        ttl <= MAX_DELEGATION_TTL_NS && ttl > MAX_DELEGATION_TTL_NS - 300_000_000_000,
        "{ttl}"
    );

    // A one-nanosecond delegation has expired by the time it is used.
    let (prepared, signed) = owner
        .delegation(account, DAPP, &session_key, Some(1), None)
        .await
        .unwrap();
    let agent = net.agent(delegated(&prepared, &signed, session)).await;
    let refused = whoami(&agent, net.id("demo")).await;
    assert!(
        matches!(refused, Err(AgentError::HttpError(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn should_let_a_session_delegated_from_a_passkey_act_for_the_account() {
    let net = start(None);
    let (passkey, passkey_device) = passkey("YubiKey");
    let passkey_key = passkey.public_key().unwrap();
    let session =
        Prime256v1Identity::from_private_key(p256::SecretKey::random(&mut rand::thread_rng()));
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
    passkey_client
        .call::<SetTwoFactor>(&SetTwoFactorArgs {
            account,
            enabled: true,
        })
        .await
        .unwrap();

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
    assert_eq!(session_client.principal, passkey_client.principal);
    assert_eq!(session_client.devices(account).await.unwrap().len(), 1);
    let signed = session_client
        .delegation(account, DAPP, &ed25519().public_key().unwrap(), None, None)
        .await;
    assert!(signed.is_ok(), "{signed:?}");
}
