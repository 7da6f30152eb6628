//! Who the canister sees as the caller, for each kind of identity, and the
//! requests the network must refuse.

use candid::Principal;
use ic_agent::identity::{
    AnonymousIdentity, BasicIdentity, DelegatedIdentity, Delegation, DelegationPermissions,
    Prime256v1Identity, Secp256k1Identity, SignedDelegation,
};
use ic_agent::{Agent, AgentError, Identity};
use ic_transport_types::EnvelopeContent;

use localnet::testing::now_nanos;

use crate::harness::{self, DemoCanisters, Localnet, no_args, query, update};

fn ed25519() -> BasicIdentity {
    BasicIdentity::from_raw_key(&rand::random())
}

fn secp256k1() -> Secp256k1Identity {
    Secp256k1Identity::from_private_key(k256::SecretKey::random(&mut rand::thread_rng()))
}

fn p256() -> Prime256v1Identity {
    Prime256v1Identity::from_private_key(p256::SecretKey::random(&mut rand::thread_rng()))
}

/// `from` delegates to `to` until `expiration`, for `targets`.
fn delegate(
    from: &dyn Identity,
    to: &dyn Identity,
    expiration: u64,
    targets: Option<Vec<Principal>>,
) -> SignedDelegation {
    delegate_with(from, to, expiration, targets, None)
}

fn delegate_with(
    from: &dyn Identity,
    to: &dyn Identity,
    expiration: u64,
    targets: Option<Vec<Principal>>,
    permissions: Option<DelegationPermissions>,
) -> SignedDelegation {
    let delegation = Delegation {
        pubkey: to.public_key().unwrap(),
        expiration,
        targets,
        permissions,
    };
    let signature = from.sign_delegation(&delegation).unwrap();
    SignedDelegation {
        delegation,
        signature: signature.signature.unwrap(),
    }
}

async fn assert_seen_as(net: &Localnet, agent: &Agent, expected: Principal) {
    let seen: Principal = query(agent, net.demo(), "whoami", no_args()).await.unwrap();
    assert_eq!(seen, expected, "query caller");
    let seen: Principal = update(agent, net.demo(), "whoami_update", no_args())
        .await
        .unwrap();
    assert_eq!(seen, expected, "update caller");
}

#[tokio::test]
async fn should_see_each_kind_of_identity_as_its_own_principal() {
    let net = harness::start();
    assert_seen_as(&net, &net.anonymous_agent().await, Principal::anonymous()).await;
    let identity = ed25519();
    let expected = identity.sender().unwrap();
    assert_seen_as(&net, &net.agent(identity).await, expected).await;
    let identity = secp256k1();
    let expected = identity.sender().unwrap();
    assert_seen_as(&net, &net.agent(identity).await, expected).await;
    let identity = p256();
    let expected = identity.sender().unwrap();
    assert_seen_as(&net, &net.agent(identity).await, expected).await;
}

#[tokio::test]
async fn should_let_a_delegation_reach_its_targets_and_nothing_else() {
    let net = harness::start();
    let root = ed25519();
    let session = p256();
    let chain = vec![delegate(
        &root,
        &session,
        now_nanos() + 600_000_000_000,
        Some(vec![net.demo()]),
    )];
    let delegated =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), chain);
    let agent = net.agent(delegated).await;
    let seen: Principal = update(&agent, net.demo(), "whoami_update", no_args())
        .await
        .unwrap();
    assert_eq!(seen, root.sender().unwrap());
    let seen: Principal = query(&agent, net.demo(), "whoami", no_args())
        .await
        .unwrap();
    assert_eq!(seen, root.sender().unwrap());

    let refused = update::<Principal>(&agent, net.demo2(), "whoami_update", no_args()).await;
    assert!(refused.is_err(), "call outside targets: {refused:?}");
    let refused = query::<Principal>(&agent, net.demo2(), "whoami", no_args()).await;
    assert!(refused.is_err(), "query outside targets: {refused:?}");
}

#[tokio::test]
async fn should_let_a_queries_only_delegation_query_but_not_update() {
    let net = harness::start();
    let root = ed25519();
    let session = ed25519();
    let chain = vec![delegate_with(
        &root,
        &session,
        now_nanos() + 600_000_000_000,
        None,
        Some(DelegationPermissions::Queries),
    )];
    let delegated =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), chain);
    let agent = net.agent(delegated).await;
    let seen: Principal = query(&agent, net.demo(), "whoami", no_args())
        .await
        .unwrap();
    assert_eq!(seen, root.sender().unwrap());
    let refused = update::<u64>(&agent, net.demo(), "increment", no_args()).await;
    assert_http_refusal(refused);
    let counter: u64 = query(&agent, net.demo(), "counter", no_args())
        .await
        .unwrap();
    assert_eq!(counter, 0, "the refused update changed nothing");
}

#[tokio::test]
async fn should_refuse_an_expired_delegation() {
    let net = harness::start();
    let root = ed25519();
    let session = ed25519();
    let chain = vec![delegate(&root, &session, now_nanos() - 1_000_000_000, None)];
    let delegated =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), chain);
    let agent = net.agent(delegated).await;
    let refused = update::<Principal>(&agent, net.demo(), "whoami_update", no_args()).await;
    assert_http_refusal(refused);
    let refused = query::<Principal>(&agent, net.demo(), "whoami", no_args()).await;
    assert_http_refusal(refused);
}

#[tokio::test]
async fn should_refuse_a_chain_of_more_than_twenty_delegations() {
    let net = harness::start();
    let keys: Vec<BasicIdentity> = (0..22).map(|_| ed25519()).collect();
    let expiration = now_nanos() + 600_000_000_000;
    let chain: Vec<SignedDelegation> = keys
        .windows(2)
        .map(|pair| delegate(&pair[0], &pair[1], expiration, None))
        .collect();
    assert_eq!(chain.len(), 21);
    let root_key = keys[0].public_key().unwrap();
    let last = keys.into_iter().last().unwrap();
    let agent = net
        .agent(DelegatedIdentity::new_unchecked(
            root_key,
            Box::new(last),
            chain,
        ))
        .await;
    let refused = query::<Principal>(&agent, net.demo(), "whoami", no_args()).await;
    assert_http_refusal(refused);
}

/// Signs like `inner`, then flips one bit of the signature.
struct TamperedIdentity<I>(I);

impl<I: Identity> Identity for TamperedIdentity<I> {
    fn sender(&self) -> Result<Principal, String> {
        self.0.sender()
    }
    fn public_key(&self) -> Option<Vec<u8>> {
        self.0.public_key()
    }
    fn sign(&self, content: &EnvelopeContent) -> Result<ic_agent::Signature, String> {
        let mut signature = self.0.sign(content)?;
        if let Some(bytes) = signature.signature.as_mut() {
            bytes[0] ^= 0x01;
        }
        Ok(signature)
    }
}

/// Claims another principal than its key's.
struct ImpostorIdentity<I> {
    inner: I,
    claimed: Principal,
}

impl<I: Identity> Identity for ImpostorIdentity<I> {
    fn sender(&self) -> Result<Principal, String> {
        Ok(self.claimed)
    }
    fn public_key(&self) -> Option<Vec<u8>> {
        self.inner.public_key()
    }
    fn sign(&self, content: &EnvelopeContent) -> Result<ic_agent::Signature, String> {
        self.inner.sign(content)
    }
}

#[tokio::test]
async fn should_refuse_tampered_signatures_and_impostor_senders() {
    let net = harness::start();
    for agent in [
        net.agent(TamperedIdentity(ed25519())).await,
        net.agent(TamperedIdentity(secp256k1())).await,
        net.agent(TamperedIdentity(p256())).await,
        net.agent(ImpostorIdentity {
            inner: ed25519(),
            claimed: ed25519().sender().unwrap(),
        })
        .await,
        net.agent(ImpostorIdentity {
            inner: ed25519(),
            claimed: Principal::anonymous(),
        })
        .await,
    ] {
        let refused = query::<Principal>(&agent, net.demo(), "whoami", no_args()).await;
        assert_http_refusal(refused);
        let refused = update::<Principal>(&agent, net.demo(), "whoami_update", no_args()).await;
        assert_http_refusal(refused);
    }
    // The network keeps serving honest callers.
    let seen: Principal = query(
        &net.agent(AnonymousIdentity).await,
        net.demo(),
        "whoami",
        no_args(),
    )
    .await
    .unwrap();
    assert_eq!(seen, Principal::anonymous());
}

/// The request was refused at the HTTP layer (4xx), before any canister ran.
#[track_caller]
pub fn assert_http_refusal<T: std::fmt::Debug>(result: Result<T, AgentError>) {
    match result {
        Err(AgentError::HttpError(payload)) => assert!(
            (400..500).contains(&payload.status),
            "expected a 4xx refusal, got {payload}"
        ),
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

/// Calls `method` of the management canister through `/canister/<ecid>/call`
/// with `{canister_id = target}` as argument.
async fn management_call(
    agent: &Agent,
    method: &str,
    effective_canister_id: Principal,
    target: Principal,
) -> Result<Vec<u8>, AgentError> {
    let arg = candid::encode_one(ic_management_canister_types::CanisterIdRecord {
        canister_id: target,
    })
    .unwrap();
    agent
        .update(&Principal::management_canister(), method)
        .with_effective_canister_id(effective_canister_id)
        .with_arg(arg)
        .call_and_wait()
        .await
}

#[tokio::test]
async fn should_not_let_the_management_canister_carry_a_delegation_past_its_targets() {
    let net = harness::start();
    let root = ed25519();
    let session = ed25519();
    let chain = vec![delegate(
        &root,
        &session,
        now_nanos() + 600_000_000_000,
        Some(vec![net.demo()]),
    )];
    let delegated =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), chain);
    let unrestricted = net.agent(root).await;
    let restricted = net.agent(delegated).await;

    // A canister that the root identity controls, outside the targets.
    let arg = candid::encode_one(
        ic_management_canister_types::ProvisionalCreateCanisterWithCyclesArgs::default(),
    )
    .unwrap();
    let reply = unrestricted
        .update(
            &Principal::management_canister(),
            "provisional_create_canister_with_cycles",
        )
        .with_effective_canister_id(net.demo())
        .with_arg(arg)
        .call_and_wait()
        .await
        .unwrap();
    let own = candid::decode_one::<ic_management_canister_types::CanisterIdRecord>(&reply)
        .unwrap()
        .canister_id;
    management_call(&unrestricted, "canister_status", own, own)
        .await
        .unwrap();

    // The URL must name the canister the argument names.
    assert_http_refusal(management_call(&unrestricted, "canister_status", net.demo(), own).await);
    // Neither route reaches a canister outside the delegation's targets.
    assert_http_refusal(management_call(&restricted, "canister_status", net.demo(), own).await);
    assert_http_refusal(management_call(&restricted, "stop_canister", net.demo(), own).await);
    assert_http_refusal(management_call(&restricted, "canister_status", own, own).await);
    management_call(&unrestricted, "canister_status", own, own)
        .await
        .unwrap();
}

#[tokio::test]
async fn should_show_a_request_status_only_to_its_sender_even_after_a_restart() {
    let mut net = harness::start();
    let alice_key: [u8; 32] = rand::random();
    let alice = net.agent(BasicIdentity::from_raw_key(&alice_key)).await;
    let signed = alice
        .update(&net.demo(), "increment")
        .with_arg(no_args())
        .sign()
        .unwrap();
    alice
        .update_signed(net.demo(), signed.signed_update)
        .await
        .unwrap();
    let request_id = signed.request_id;
    let (status, _) = alice
        .request_status_raw(&request_id, net.demo())
        .await
        .unwrap();
    assert!(
        matches!(status, ic_agent::agent::RequestStatusResponse::Replied(_)),
        "{status:?}"
    );

    for restart in [false, true] {
        if restart {
            net.restart(false);
        }
        let bob = net.agent(ed25519()).await;
        assert_http_refusal(bob.request_status_raw(&request_id, net.demo()).await);
        let anonymous = net.anonymous_agent().await;
        assert_http_refusal(anonymous.request_status_raw(&request_id, net.demo()).await);
        let alice = net.agent(BasicIdentity::from_raw_key(&alice_key)).await;
        let (status, _) = alice
            .request_status_raw(&request_id, net.demo())
            .await
            .unwrap();
        assert!(
            matches!(status, ic_agent::agent::RequestStatusResponse::Replied(_)),
            "{status:?}"
        );
    }
}
