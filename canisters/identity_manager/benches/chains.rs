//! Cost of an account's addresses: instructions (wasmi fuel) of the whole
//! `addresses` update, the identity manager and the signer together, from
//! the ingress message to the reply, the first time (three threshold
//! public-key calls) and once the identity manager keeps the addresses; and of signatures,
//! `prepare_signature` (reading the request, hashing it, making its review)
//! and `approve_signature` (threshold signature, recovery id, the check
//! against the account's key, the log) for an EIP-191 message, EIP-712
//! typed data, an ETH transfer and an ERC-20 transfer.
//!
//! `cargo bench -p identity_manager --bench chains` prints a Markdown
//! table. The real wasm of both canisters runs in process on the local
//! network's replica; instruction counts do not depend on the machine.

#![allow(clippy::unwrap_used)]

use candid::Principal;
use localnet::config::CanisterSpec;
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AddressesArgs, ApproveSignature, ApproveSignatureArgs, BitcoinNetwork, ChainPolicy,
    ChainsConfig, Connect, ConnectArgs, CreateAccount, CreateAccountArgs, Device, EvmChain,
    EvmTransactionRequest, GetAddresses, InitArgs, KeyType, MAX_ALLOWLIST_LEN, Method, Policy,
    PrepareSignature, PrepareSignatureArgs, Purpose, SetPolicy, SetPolicyArgs, SignatureRequest,
    WEI_PER_ETHER,
};

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Runs the update `M` to its reply; the reply and the instructions of
/// every round it took.
fn run<M: Method>(
    replica: &mut Replica,
    canister: Principal,
    sender: Principal,
    args: &M::Args,
) -> (M::Response, u64) {
    let arg = candid::encode_one(args).unwrap();
    let (reply, instructions) =
        localnet::testing::run_update(replica, canister, sender, M::NAME, arg).unwrap();
    (candid::decode_one(&reply).unwrap(), instructions)
}

fn main() {
    let state_dir = std::env::temp_dir().join(format!("im-chains-bench-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: state_dir.clone(),
        limits: ExecutionLimits::default(),
    })
    .unwrap();
    let (im, signer) = (
        localnet::ids::canister_id(1_000),
        localnet::ids::canister_id(1_001),
    );
    let im_init = InitArgs {
        base_account_number: None,
        registration_rate_limit: None,
        registration_proof_of_work_difficulty: None,
        chains: Some(ChainsConfig {
            signer,
            global_origin: "https://sigil.example".into(),
            bitcoin_network: BitcoinNetwork::Mainnet,
        }),
        evm_chains: Some(vec![EvmChain {
            chain_id: 1,
            name: "Ethereum".into(),
            symbol: "ETH".into(),
        }]),
        ..InitArgs::default()
    };
    let signer_init = sigil_api::signer::InitArgs {
        identity_manager: im,
        key_name: "dfx_test_key".into(),
    };
    let specs = [
        CanisterSpec {
            name: "identity_manager".into(),
            wasm: localnet::testing::canister_wasm("identity_manager"),
            init_arg: candid::encode_one(Some(im_init)).unwrap(),
            id: Some(im),
        },
        CanisterSpec {
            name: "signer".into(),
            wasm: localnet::testing::canister_wasm("signer"),
            init_arg: candid::encode_one(signer_init).unwrap(),
            id: Some(signer),
        },
    ];
    localnet::deploy::deploy(&mut replica, &state_dir, &specs).unwrap();
    // Let the salt timer run.
    for _ in 0..3 {
        replica.execute_round();
    }

    let mut public_key = ED25519_SPKI_PREFIX.to_vec();
    public_key.extend([7; 32]);
    let sender = Principal::self_authenticating(&public_key);
    let device = Device {
        public_key: ByteBuf::from(public_key),
        alias: "laptop".into(),
        credential_id: None,
        purpose: Purpose::Authentication,
        key_type: KeyType::Ed25519,
        protected: false,
    };
    let registration = CreateAccountArgs {
        device,
        proof_of_work: None,
    };
    let (account, _) = run::<CreateAccount>(&mut replica, im, sender, &registration);
    let account = account.unwrap();

    let args = AddressesArgs { account };
    let (first, uncached) = run::<GetAddresses>(&mut replica, im, sender, &args);
    let (again, cached) = run::<GetAddresses>(&mut replica, im, sender, &args);
    assert_eq!(first.unwrap(), again.unwrap());
    println!("| update (identity manager and signer) | instructions |");
    println!("| --- | ---: |");
    println!("| `addresses`, first lookup (three threshold public-key calls) | {uncached} |");
    println!("| `addresses`, later lookups (kept by the identity manager) | {cached} |");
    // A dapp's signatures need its origin connected.
    let args = ConnectArgs {
        account,
        origin: "https://dapp.example".into(),
    };
    let (connected, connect) = run::<Connect>(&mut replica, im, sender, &args);
    connected.unwrap();
    println!("| `connect`, a dapp's origin | {connect} |");
    for (name, request) in requests() {
        let args = PrepareSignatureArgs {
            account,
            request,
            origin: Some("https://dapp.example".into()),
        };
        let (prepared, prepare) = run::<PrepareSignature>(&mut replica, im, sender, &args);
        let id = prepared.unwrap().id;
        let args = ApproveSignatureArgs {
            account,
            id,
            step_up: None,
        };
        let (signed, approve) = run::<ApproveSignature>(&mut replica, im, sender, &args);
        signed.unwrap();
        println!("| `prepare_signature`, {name} | {prepare} |");
        println!("| `approve_signature`, {name} | {approve} |");
    }

    // The policy's cost: the same transfer again, after a tightening to
    // a full allowlist (the largest policy), which applies at once.
    let mut allowlist: Vec<String> = (1..MAX_ALLOWLIST_LEN as u8)
        .map(|n| format!("0x{}", hex::encode([n; 20])))
        .collect();
    allowlist.push(format!("0x{}", "35".repeat(20)));
    let policy = Policy {
        evm_chains: vec![ChainPolicy {
            chain_id: 1,
            transaction_limit: WEI_PER_ETHER / 10,
            daily_limit: WEI_PER_ETHER,
            step_up_above: WEI_PER_ETHER / 10,
        }],
        allowlist: Some(allowlist),
        raw_hash_signing: false,
    };
    let args = SetPolicyArgs { account, policy };
    let (state, set_policy) = run::<SetPolicy>(&mut replica, im, sender, &args);
    assert_eq!(state.unwrap().pending, None);
    let (_, transfer) = requests().swap_remove(2);
    let args = PrepareSignatureArgs {
        account,
        request: transfer,
        origin: None,
    };
    let (prepared, listed) = run::<PrepareSignature>(&mut replica, im, sender, &args);
    prepared.unwrap();
    println!("| `set_policy`, a tightening to a 64-address allowlist | {set_policy} |");
    println!("| `prepare_signature`, an ETH transfer, that allowlist | {listed} |");
    let _ = std::fs::remove_dir_all(state_dir);
}

/// What the bench signs, by the name its rows give it.
fn requests() -> Vec<(&'static str, SignatureRequest)> {
    let transfer = |to: &str, value: &str, data: Option<String>| {
        SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
            chain_id: "1".into(),
            nonce: "0".into(),
            to: Some(to.into()),
            value: Some(value.into()),
            data,
            gas: "65000".into(),
            max_fee_per_gas: Some("30000000000".into()),
            max_priority_fee_per_gas: Some("1000000000".into()),
            ..EvmTransactionRequest::default()
        }))
    };
    let recipient = format!("{:0>64}", "35".repeat(20));
    let erc20 = format!("0xa9059cbb{recipient}{:064x}", 25_000_000u64);
    vec![
        (
            "a 36-byte message",
            SignatureRequest::EvmMessage {
                message: ByteBuf::from(&b"Sign in to dapp.example\nNonce: 8f3a"[..]),
            },
        ),
        (
            "EIP-712 `Mail`",
            SignatureRequest::EvmTypedData {
                json: sigil_chains::evm::examples::mail().to_string(),
            },
        ),
        (
            "an ETH transfer",
            transfer(&format!("0x{}", "35".repeat(20)), "1000000000000000", None),
        ),
        (
            "an ERC-20 `transfer`",
            transfer(&format!("0x{}", "a0".repeat(20)), "0", Some(erc20)),
        ),
    ]
}
