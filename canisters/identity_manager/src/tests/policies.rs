//! The signing policy in the canister: refusals at preparation, the daily
//! limit summed across dapps (and given back when nothing was signed), the
//! passkey's step-up against stale, foreign and replayed assertions, and
//! changes: delayed loosening, cancelled only by a passkey.

use std::collections::BTreeMap;

use candid::Principal;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use serde_bytes::ByteBuf;
use serde_cbor::Value;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{
    ApproveSignatureArgs, ChainPolicy, Error, EvmTransactionRequest, PREPARED_SIGNATURE_TTL_NS,
    Policy, PolicyArgs, PolicyRefusal, PolicyState, PrepareSignatureArgs, SetPolicyArgs,
    SignatureRequest, Signed, StepUpAssertion, WEI_PER_ETHER,
};
use sigil_keys::public_key::test_keys;

use super::signatures::with_chains;
use super::*;
use crate::policies::{cancel_policy_change_impl, policy_impl, set_policy_impl};
use crate::signatures::refund;

const SIGIL: &str = "https://sigil.example";
const DAY: u64 = 24 * 60 * 60 * SECOND;
const MILLI_ETHER: u128 = WEI_PER_ETHER / 1_000;

/// A passkey with a real P-256 key, as a browser's authenticator holds it.
struct RealPasskey {
    key: SigningKey,
    device: Device,
}

impl RealPasskey {
    fn new(seed: u8) -> Self {
        let key = SigningKey::from_slice(&[seed; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let int = |n: i128| Value::Integer(n);
        let cose = BTreeMap::from([
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(point.x().unwrap().to_vec())),
            (int(-3), Value::Bytes(point.y().unwrap().to_vec())),
        ]);
        let cose = serde_cbor::to_vec(&Value::Map(cose)).unwrap();
        let device = Device {
            public_key: ByteBuf::from(test_keys::webauthn_wrapping(&cose)),
            credential_id: Some(ByteBuf::from(vec![seed; 20])),
            ..passkey(seed)
        };
        RealPasskey { key, device }
    }

    /// An assertion over `challenge` made at `origin`, with `flags` in the
    /// authenticator data, as the IC encodes a WebAuthn signature.
    fn assert_with(&self, challenge: &[u8], origin: &str, flags: u8) -> StepUpAssertion {
        let challenge = crate::step_up::base64url(challenge);
        let client_data =
            format!(r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"{origin}"}}"#);
        let host = origin
            .split("://")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap();
        let mut authenticator_data = Sha256::digest(host.as_bytes()).to_vec();
        authenticator_data.push(flags);
        authenticator_data.extend(7u32.to_be_bytes());
        let mut signed = authenticator_data.clone();
        signed.extend(Sha256::digest(client_data.as_bytes()));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        let text = |name: &str| Value::Text(name.into());
        let map = BTreeMap::from([
            (text("authenticator_data"), Value::Bytes(authenticator_data)),
            (text("client_data_json"), Value::Text(client_data)),
            (
                text("signature"),
                Value::Bytes(signature.to_der().as_bytes().to_vec()),
            ),
        ]);
        let value = Value::Tag(55_799, Box::new(Value::Map(map)));
        StepUpAssertion {
            credential_id: self.device.credential_id.clone().unwrap(),
            signature: ByteBuf::from(serde_cbor::to_vec(&value).unwrap()),
        }
    }

    fn assert(&self, challenge: &[u8]) -> StepUpAssertion {
        self.assert_with(challenge, SIGIL, 0x05)
    }

    fn principal(&self) -> Principal {
        principal_of(&self.device)
    }
}

fn send(account: u64, milli_ether: u128, origin: &str) -> PrepareSignatureArgs {
    PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
            chain_id: "31337".into(),
            nonce: "0".into(),
            to: Some(format!("0x{}", "35".repeat(20))),
            value: Some((milli_ether * MILLI_ETHER).to_string()),
            gas: "21000".into(),
            max_fee_per_gas: Some("2".into()),
            max_priority_fee_per_gas: Some("1".into()),
            ..EvmTransactionRequest::default()
        })),
        origin: Some(origin.into()),
    }
}

/// A policy for chain 31337 with limits in thousandths of an ether.
fn limits(transaction: u128, daily: u128, step_up_above: u128) -> Policy {
    Policy {
        evm_chains: vec![ChainPolicy {
            chain_id: 31337,
            transaction_limit: transaction * MILLI_ETHER,
            daily_limit: daily * MILLI_ETHER,
            step_up_above: step_up_above * MILLI_ETHER,
        }],
        allowlist: None,
        raw_hash_signing: false,
    }
}

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> PolicyRefusal {
    match result {
        Err(Error::PolicyRefused { refusal }) => refusal,
        other => panic!("not refused by the policy: {other:?}"),
    }
}

impl Fixture {
    fn set_policy(&mut self, caller: Principal, account: u64, policy: Policy) -> PolicyState {
        let env = self.env(caller);
        set_policy_impl(
            &mut self.state.storage,
            &env,
            SetPolicyArgs { account, policy },
        )
        .unwrap()
    }

    /// Prepares and approves `args` as `caller`, with no assertion.
    fn sign(&mut self, caller: Principal, args: PrepareSignatureArgs) -> Result<Signed, Error> {
        let account = args.account;
        let prepared = self.prepare_signature(caller, args)?;
        self.approve_signature(caller, account, prepared.id)
    }
}

#[test]
fn should_refuse_what_the_default_policy_does_not_allow_when_preparing() {
    let mut f = with_chains();
    let passkey = RealPasskey::new(1);
    let account = f.create(&passkey.device).unwrap();
    let me = passkey.principal();
    let refused = refusal(f.prepare_signature(me, send(account, 1_500, ORIGIN)));
    assert!(
        matches!(refused, PolicyRefusal::OverTransactionLimit { chain_id: 31337, ref value, ref limit } if value == "1.5 ETH" && limit == "1 ETH"),
        "{refused:?}"
    );
    let raw = PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmHash {
            hash: ByteBuf::from(vec![7; 32]),
        },
        origin: Some(ORIGIN.into()),
    };
    assert_eq!(
        refusal(f.prepare_signature(me, raw)),
        PolicyRefusal::RawHashSigningOff
    );
    assert!(
        f.sign(me, send(account, 100, ORIGIN)).is_ok(),
        "0.1 ETH needs no passkey"
    );
}

#[test]
fn should_sum_the_daily_limit_across_dapps_and_give_back_what_was_not_signed() {
    let mut f = with_chains();
    let passkey = RealPasskey::new(1);
    let account = f.create(&passkey.device).unwrap();
    let me = passkey.principal();
    let tightened = f.set_policy(me, account, limits(50, 100, 50));
    assert_eq!(tightened.pending, None, "tightening applies at once");

    f.sign(me, send(account, 40, "https://a.example")).unwrap();
    f.sign(me, send(account, 40, "https://b.example")).unwrap();
    let refused = refusal(f.prepare_signature(me, send(account, 40, "https://a.example")));
    assert!(
        matches!(refused, PolicyRefusal::OverDailyLimit { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("0.08 ETH"), "{refused}");
    f.sign(me, send(account, 20, "https://c.example")).unwrap();

    // What the signer did not sign does not count.
    f.now += DAY;
    let prepared = f.prepare_signature(me, send(account, 50, ORIGIN)).unwrap();
    let env = f.env(me);
    let args = ApproveSignatureArgs {
        account,
        id: prepared.id,
        step_up: None,
    };
    let approval = crate::signatures::approval(&mut f.state, &env, &args).unwrap();
    assert!(
        refusal(f.prepare_signature(me, send(account, 60, ORIGIN)))
            .to_string()
            .contains("0.05 ETH")
    );
    refund(&mut f.state, &approval, prepared.id);
    f.sign(me, send(account, 50, ORIGIN)).unwrap();
    f.sign(me, send(account, 50, ORIGIN)).unwrap();
    assert!(f.prepare_signature(me, send(account, 1, ORIGIN)).is_err());
}

#[test]
fn should_ask_a_passkey_above_the_amount_and_refuse_stale_foreign_or_replayed_assertions() {
    let mut f = with_chains();
    let passkey = RealPasskey::new(1);
    let account = f.create(&passkey.device).unwrap();
    let me = passkey.principal();
    let prepared = f.prepare_signature(me, send(account, 500, ORIGIN)).unwrap();
    let challenge = prepared
        .step_up_challenge
        .clone()
        .expect("a passkey is asked");
    assert!(
        f.prepare_signature(me, send(account, 100, ORIGIN))
            .unwrap()
            .step_up_challenge
            .is_none()
    );
    let id = prepared.id;

    assert_eq!(
        f.approve_with(me, account, id, None),
        Err(Error::StepUpRequired)
    );
    let rejected = |result: Result<Signed, Error>, words: &str| match result {
        Err(Error::StepUpRejected { reason }) => assert!(reason.contains(words), "{reason}"),
        other => panic!("not rejected: {other:?}"),
    };
    let foreign = passkey.assert(&[9; 32]);
    rejected(
        f.approve_with(me, account, id, Some(foreign)),
        "another request",
    );
    let elsewhere = passkey.assert_with(&challenge, "https://evil.example", 0x05);
    rejected(
        f.approve_with(me, account, id, Some(elsewhere)),
        "evil.example",
    );
    let unverified = passkey.assert_with(&challenge, SIGIL, 0x01);
    rejected(
        f.approve_with(me, account, id, Some(unverified)),
        "did not verify",
    );
    let stranger = RealPasskey::new(2);
    f.create(&stranger.device).unwrap();
    let strangers = stranger.assert(&challenge);
    rejected(
        f.approve_with(me, account, id, Some(strangers)),
        "not from one of your passkeys",
    );
    let mut tampered = passkey.assert(&challenge);
    let last = tampered.signature.len() - 1;
    tampered.signature[last] ^= 1;
    assert!(matches!(
        f.approve_with(me, account, id, Some(tampered)),
        Err(Error::StepUpRejected { .. })
    ));

    let good = passkey.assert(&challenge);
    assert!(f.approve_with(me, account, id, Some(good.clone())).is_ok());
    // Replayed: for the same request (signed once) or the same transaction
    // prepared again (another challenge).
    assert_eq!(
        f.approve_with(me, account, id, Some(good.clone())),
        Err(Error::SignatureNotPrepared)
    );
    let again = f.prepare_signature(me, send(account, 500, ORIGIN)).unwrap();
    assert_ne!(again.step_up_challenge, Some(challenge));
    rejected(
        f.approve_with(me, account, again.id, Some(good)),
        "another request",
    );
    // Stale: the request expired.
    let assertion = passkey.assert(again.step_up_challenge.as_ref().unwrap());
    f.now += PREPARED_SIGNATURE_TTL_NS;
    assert_eq!(
        f.approve_with(me, account, again.id, Some(assertion)),
        Err(Error::SignatureNotPrepared)
    );
}

#[test]
fn should_delay_a_loosening_that_only_a_passkey_can_cancel() {
    let mut f = with_chains();
    let passkey = RealPasskey::new(1);
    let account = f.create(&passkey.device).unwrap();
    let me = passkey.principal();
    let laptop = ed25519_device(3);
    f.add(&passkey.device, account, &laptop).unwrap();
    let laptop = principal_of(&laptop);

    let looser = limits(5_000, 10_000, 1_000);
    let changed = f.set_policy(laptop, account, looser.clone());
    let pending = changed.pending.clone().expect("a loosening waits");
    assert_eq!(pending.effective_at, f.now + DAY);
    assert_eq!(
        changed.current.evm_chains[0].transaction_limit,
        WEI_PER_ETHER
    );
    let read = policy_impl(&f.state.storage, &f.env(me), &PolicyArgs { account }).unwrap();
    assert_eq!(read, changed);
    assert!(matches!(
        refusal(f.prepare_signature(laptop, send(account, 2_000, ORIGIN))),
        PolicyRefusal::OverTransactionLimit { .. }
    ));

    let env = f.env(laptop);
    assert_eq!(
        cancel_policy_change_impl(&mut f.state.storage, &env, &PolicyArgs { account }),
        Err(Error::NotAPasskey { account })
    );
    let env = f.env(me);
    let cancelled =
        cancel_policy_change_impl(&mut f.state.storage, &env, &PolicyArgs { account }).unwrap();
    assert_eq!(cancelled.pending, None);
    f.now += DAY;
    assert!(
        f.prepare_signature(laptop, send(account, 2_000, ORIGIN))
            .is_err()
    );

    f.set_policy(laptop, account, looser.clone());
    f.now += DAY;
    let read = policy_impl(&f.state.storage, &f.env(me), &PolicyArgs { account }).unwrap();
    assert_eq!((read.current, read.pending), (looser, None));
    let prepared = f
        .prepare_signature(laptop, send(account, 2_000, ORIGIN))
        .unwrap();
    assert!(prepared.step_up_challenge.is_some());

    let stranger = ed25519_device(9);
    let env = f.env(principal_of(&stranger));
    assert!(matches!(
        policy_impl(&f.state.storage, &env, &PolicyArgs { account }),
        Err(Error::Unauthorized { .. })
    ));
}

#[test]
fn should_reject_every_mutation_of_an_assertion_without_panicking() {
    let mut f = with_chains();
    let passkey = RealPasskey::new(1);
    let account = f.create(&passkey.device).unwrap();
    let stored = f.state.storage.account(account).unwrap();
    let challenge = [3; 32];
    let good = passkey.assert(&challenge);
    assert_eq!(
        crate::step_up::verify(&stored, &good, &challenge, SIGIL),
        Ok(())
    );
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..2_000 {
        let mut bad = good.clone();
        let bytes = &mut bad.signature;
        match next() % 3 {
            0 => {
                let at = next() as usize % bytes.len();
                bytes[at] ^= 1 << (next() % 8);
            }
            1 => {
                let length = next() as usize % bytes.len();
                bytes.truncate(length);
            }
            _ => {
                let at = next() as usize % bytes.len();
                bytes.insert(at, next() as u8);
            }
        }
        assert!(crate::step_up::verify(&stored, &bad, &challenge, SIGIL).is_err());
    }
}
