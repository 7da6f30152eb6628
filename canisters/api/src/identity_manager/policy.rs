//! An account's signing policy: the person's controls over what the
//! account's keys for other chains sign, kept and enforced by the identity
//! manager (`prepare_signature` evaluates it and says what it requires,
//! `approve_signature` evaluates it again).
//!
//! Whatever no rule allows is refused: transactions and typed data only on
//! the EVM chains the policy lists; per chain, a limit on the native value
//! of one transaction and on the value sent in any 24 hours (all dapps
//! together); above a lower amount, a fresh assertion of one of the
//! account's passkeys over the request; optionally, only listed recipients;
//! bare hashes never, unless the policy turns that on (and then each needs
//! a passkey too). A new account has the default limits
//! ([`DEFAULT_TRANSACTION_LIMIT`], [`DEFAULT_DAILY_LIMIT`],
//! [`DEFAULT_STEP_UP_ABOVE`]) on every chain the identity manager signs
//! for. A change that tightens applies at once; one that loosens anything
//! applies after [`POLICY_LOOSENING_DELAY_NS`] (or the configured delay),
//! and until then the policy in force is the tighter of the two; any
//! passkey of the account can cancel it.

use candid::{CandidType, Deserialize};
use serde_bytes::ByteBuf;

use super::{AccountNumber, Error, Timestamp};
use crate::method::method;

/// How long a loosening waits before it applies: 24 hours.
pub const POLICY_LOOSENING_DELAY_NS: u64 = 24 * 60 * 60 * 1_000_000_000;
/// The shortest and the longest delay the identity manager may be
/// configured with.
pub const MIN_POLICY_LOOSENING_DELAY_NS: u64 = 1_000_000_000;
pub const MAX_POLICY_LOOSENING_DELAY_NS: u64 = 30 * 24 * 60 * 60 * 1_000_000_000;
/// The window of the daily limit: any 24 hours.
pub const DAILY_LIMIT_WINDOW_NS: u64 = 24 * 60 * 60 * 1_000_000_000;
/// The most recipients an allowlist holds.
pub const MAX_ALLOWLIST_LEN: usize = 64;

/// 10^18: one unit (ether) of an EVM chain's native token, in wei.
pub const WEI_PER_ETHER: u128 = 1_000_000_000_000_000_000;
/// A new account's limits on each chain, in wei: one transaction at most
/// 1 ETH, at most 2 ETH in any 24 hours, a passkey asked above 0.1 ETH.
pub const DEFAULT_TRANSACTION_LIMIT: u128 = WEI_PER_ETHER;
pub const DEFAULT_DAILY_LIMIT: u128 = 2 * WEI_PER_ETHER;
pub const DEFAULT_STEP_UP_ABOVE: u128 = WEI_PER_ETHER / 10;
const _: () = assert!(DEFAULT_STEP_UP_ABOVE < DEFAULT_TRANSACTION_LIMIT);
const _: () = assert!(DEFAULT_TRANSACTION_LIMIT < DEFAULT_DAILY_LIMIT);

/// The rules for one EVM chain; amounts are of its native token, in wei.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChainPolicy {
    pub chain_id: u64,
    /// The most one transaction may send.
    pub transaction_limit: u128,
    /// The most all transactions signed in any 24 hours may send.
    pub daily_limit: u128,
    /// A transaction sending more needs a fresh passkey assertion.
    pub step_up_above: u128,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The chains transactions and typed data may be signed for, each at
    /// most once; any other is refused.
    pub evm_chains: Vec<ChainPolicy>,
    /// When set, transactions may go only to these EVM addresses (hex,
    /// any letter case), and none may create a contract.
    pub allowlist: Option<Vec<String>>,
    /// Whether a bare 32-byte hash may be signed (`eth_sign`), whose
    /// meaning nobody can show: off unless the person turns it on.
    pub raw_hash_signing: bool,
}

/// A loosening waiting for its delay.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PendingPolicy {
    pub policy: Policy,
    pub effective_at: Timestamp,
}

/// An account's policy as it stands.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PolicyState {
    /// The policy in force now.
    pub current: Policy,
    pub pending: Option<PendingPolicy>,
}

/// Why a policy refused to sign.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum PolicyRefusal {
    ChainNotAllowed {
        chain_id: u64,
    },
    /// Amounts as a person reads them ("1.5 ETH").
    OverTransactionLimit {
        chain_id: u64,
        value: String,
        limit: String,
    },
    OverDailyLimit {
        chain_id: u64,
        value: String,
        spent: String,
        limit: String,
    },
    RecipientNotAllowed {
        to: String,
    },
    ContractCreationNotAllowed,
    RawHashSigningOff,
}

impl std::fmt::Display for PolicyRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyRefusal::ChainNotAllowed { chain_id } => write!(
                f,
                "your policy does not allow signing for the EVM chain {chain_id}"
            ),
            PolicyRefusal::OverTransactionLimit {
                chain_id,
                value,
                limit,
            } => write!(
                f,
                "this sends {value}, more than the {limit} your policy allows in one transaction on chain {chain_id}"
            ),
            PolicyRefusal::OverDailyLimit {
                chain_id,
                value,
                spent,
                limit,
            } => write!(
                f,
                "this sends {value} after {spent} in the last 24 hours, more than the {limit} a day your policy allows on chain {chain_id}"
            ),
            PolicyRefusal::RecipientNotAllowed { to } => {
                write!(f, "{to} is not on your list of allowed recipients")
            }
            PolicyRefusal::ContractCreationNotAllowed => write!(
                f,
                "your list of allowed recipients leaves no room for creating contracts"
            ),
            PolicyRefusal::RawHashSigningOff => write!(
                f,
                "signing a bare hash, whose meaning nobody can show you, is off in your policy"
            ),
        }
    }
}

/// A passkey's WebAuthn assertion over a prepared signature's
/// `step_up_challenge`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StepUpAssertion {
    /// The passkey's credential id: one of the account's passkeys.
    pub credential_id: ByteBuf,
    /// As the IC encodes a WebAuthn signature: CBOR (self-described) of
    /// `{ authenticator_data, client_data_json, signature }`, the
    /// signature ES256 in DER.
    pub signature: ByteBuf,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PolicyArgs {
    pub account: AccountNumber,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SetPolicyArgs {
    pub account: AccountNumber,
    pub policy: Policy,
}

method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    GetPolicy = "policy", Query, PolicyArgs => Result<PolicyState, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    /// Tightening applies at once, loosening after the delay; replaces any
    /// pending change.
    SetPolicy = "set_policy", Update, SetPolicyArgs => Result<PolicyState, Error>
);
method!(
    /// Caller: a passkey of the account. Drops the pending change.
    CancelPolicyChange = "cancel_policy_change", Update, PolicyArgs => Result<PolicyState, Error>
);
