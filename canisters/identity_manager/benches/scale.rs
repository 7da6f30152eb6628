//! Cost of the identity manager as it grows: instructions (wasmi fuel) of
//! `create_account`, `add_device`, `prepare_delegation`, `get_delegation`
//! and `credential_ids`, and stable memory per account with three devices,
//! at each account count in `BENCH_ACCOUNTS` (default `1000,100000`).
//! `credential_ids` is measured last, on the measured account after a
//! passkey joined its three devices.
//!
//! `cargo bench -p identity_manager --bench scale` prints a Markdown table.
//! It runs the real wasm in process on the local network's replica;
//! instruction counts do not depend on the machine. Registrations are
//! submitted in batches (many ingress messages per round) to fill the
//! canister quickly; each measured message runs alone in its own round.

#![allow(clippy::unwrap_used)]

use candid::{CandidType, Principal};
use localnet::config::CanisterSpec;
use localnet::messages::{IngressCall, QueryCall, RequestStatus};
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    Device, InitArgs, KeyType, PreparedDelegation, Purpose, RateLimitConfig, Stats,
};

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const BATCH: usize = 500;

fn ed25519_key(n: u64, device: u8) -> Vec<u8> {
    let mut key = ED25519_SPKI_PREFIX.to_vec();
    let mut raw = [0u8; 32];
    raw[..8].copy_from_slice(&n.to_be_bytes());
    raw[8] = device;
    raw[31] = 0x5a;
    key.extend_from_slice(&raw);
    key
}

/// A WebAuthn DER key (OID 1.3.6.1.4.1.56387.1.1) wrapping a COSE EC2
/// P-256 key whose coordinates are arbitrary bytes.
fn webauthn_key(n: u64) -> Vec<u8> {
    let mut coordinate = [0x5a; 32];
    coordinate[..8].copy_from_slice(&n.to_be_bytes());
    let mut key = vec![
        0x30, 0x5e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01,
        0x01, 0x03, 0x4e, 0x00,
    ];
    key.extend([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]);
    key.extend(coordinate);
    key.extend([0x22, 0x58, 0x20]);
    key.extend(coordinate);
    key
}

fn passkey(n: u64) -> Device {
    Device {
        public_key: ByteBuf::from(webauthn_key(n)),
        alias: "benchmark passkey".into(),
        credential_id: Some(ByteBuf::from(n.to_be_bytes().repeat(8))),
        purpose: Purpose::Authentication,
        key_type: KeyType::WebAuthn,
        protected: false,
    }
}

fn device(public_key: Vec<u8>) -> Device {
    Device {
        public_key: ByteBuf::from(public_key),
        alias: "benchmark device".into(),
        credential_id: None,
        purpose: Purpose::Authentication,
        key_type: KeyType::Ed25519,
        protected: false,
    }
}

struct Bench {
    replica: Replica,
    im: Principal,
}

impl Bench {
    fn submit(&mut self, sender: Principal, method: &str, arg: Vec<u8>) -> [u8; 32] {
        let request_id: [u8; 32] = rand::random();
        self.replica
            .submit_ingress(IngressCall {
                request_id,
                sender,
                canister_id: self.im,
                effective_canister_id: self.im,
                method_name: method.into(),
                arg,
                ingress_expiry: self.replica.time_nanos() + 240_000_000_000,
            })
            .unwrap();
        request_id
    }

    fn reply(&self, request_id: &[u8; 32]) -> Vec<u8> {
        match self.replica.request_status(request_id) {
            Some(RequestStatus::Replied(reply)) => reply,
            other => panic!("{other:?}"),
        }
    }

    /// One update alone in its round: its reply and the round's instructions.
    fn measure(&mut self, sender: Principal, method: &str, arg: Vec<u8>) -> (Vec<u8>, u64) {
        let id = self.submit(sender, method, arg);
        self.replica.execute_round();
        (self.reply(&id), self.replica.last_round().instructions)
    }

    fn query<R: CandidType + for<'de> candid::Deserialize<'de>>(
        &mut self,
        sender: Principal,
        method: &str,
        arg: Vec<u8>,
        certificate: Option<Vec<u8>>,
    ) -> (R, u64) {
        let reply = self
            .replica
            .query(QueryCall {
                sender,
                canister_id: self.im,
                method_name: method.into(),
                arg,
                data_certificate: certificate,
            })
            .unwrap();
        (
            candid::decode_one(&reply).unwrap(),
            self.replica.last_round().last_message_instructions,
        )
    }

    /// Registers accounts `from..to`, each with three devices.
    fn fill(&mut self, from: u64, to: u64) {
        let mut n = from;
        while n < to {
            let end = (n + BATCH as u64).min(to);
            let ids: Vec<_> = (n..end)
                .map(|i| {
                    let key = ed25519_key(i, 0);
                    let sender = Principal::self_authenticating(&key);
                    self.submit(
                        sender,
                        "create_account",
                        candid::encode_one(device(key)).unwrap(),
                    )
                })
                .collect();
            self.replica.execute_round();
            let accounts: Vec<u64> = ids
                .iter()
                .map(|id| {
                    let result: Result<u64, sigil_api::identity_manager::Error> =
                        candid::decode_one(&self.reply(id)).unwrap();
                    result.unwrap()
                })
                .collect();
            for (i, account) in (n..end).zip(&accounts) {
                let sender = Principal::self_authenticating(ed25519_key(i, 0));
                for extra in 1..=2 {
                    let arg =
                        candid::encode_args((account, device(ed25519_key(i, extra)))).unwrap();
                    self.submit(sender, "add_device", arg);
                }
            }
            self.replica.execute_round();
            while self.replica.has_pending_messages() {
                self.replica.execute_round();
            }
            n = end;
        }
    }
}

fn main() {
    let counts: Vec<u64> = std::env::var("BENCH_ACCOUNTS")
        .unwrap_or_else(|_| "1000,100000".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let state_dir = std::env::temp_dir().join(format!("im-bench-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: state_dir.clone(),
        limits: ExecutionLimits::default(),
    })
    .unwrap();
    let init = InitArgs {
        base_account_number: None,
        registration_rate_limit: Some(RateLimitConfig {
            capacity: u64::MAX / 2,
            refill_period_ns: 1,
        }),
    };
    let wasm = localnet::testing::canister_wasm("identity_manager");
    let specs = [CanisterSpec {
        name: "identity_manager".into(),
        wasm,
        init_arg: candid::encode_one(Some(init)).unwrap(),
    }];
    let im = localnet::deploy::deploy(&mut replica, &state_dir, &specs).unwrap()[0].canister_id;
    let keys = localnet::certification::Keys::load_or_create(&state_dir).unwrap();
    let mut bench = Bench { replica, im };
    // Let the salt timer run.
    for _ in 0..3 {
        bench.replica.execute_round();
    }

    println!(
        "| accounts | create_account | add_device | prepare_delegation | get_delegation | credential_ids | stable memory | stable bytes per account |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut filled = 0;
    let mut baseline: Option<(u64, u64)> = None;
    for count in counts {
        // One fewer than the target: the measured create_account adds it.
        bench.fill(filled, count - 1);
        filled = count;
        let key = ed25519_key(count - 1, 0);
        let sender = Principal::self_authenticating(&key);
        let (reply, create) = bench.measure(
            sender,
            "create_account",
            candid::encode_one(device(key)).unwrap(),
        );
        let account: Result<u64, sigil_api::identity_manager::Error> =
            candid::decode_one(&reply).unwrap();
        let account = account.unwrap();
        let (_, add) = bench.measure(
            sender,
            "add_device",
            candid::encode_args((account, device(ed25519_key(count - 1, 1)))).unwrap(),
        );
        bench.measure(
            sender,
            "add_device",
            candid::encode_args((account, device(ed25519_key(count - 1, 2)))).unwrap(),
        );
        let session = ByteBuf::from(ed25519_key(u64::MAX, 9));
        let origin = "https://dapp.example";
        let (reply, prepare) = bench.measure(
            sender,
            "prepare_delegation",
            candid::encode_args((
                account,
                origin,
                session.clone(),
                None::<u64>,
                None::<Vec<Principal>>,
            ))
            .unwrap(),
        );
        let prepared: Result<PreparedDelegation, sigil_api::identity_manager::Error> =
            candid::decode_one(&reply).unwrap();
        let prepared = prepared.unwrap();
        // What the HTTP layer hands a non-replicated query.
        let info = bench.replica.canister_info(&bench.im).unwrap();
        let certificate =
            localnet::certification::data_certificate(&keys, bench.replica.time_nanos(), &info)
                .unwrap();
        let (signed, get): (
            Result<
                sigil_api::identity_manager::SignedDelegation,
                sigil_api::identity_manager::Error,
            >,
            u64,
        ) = bench.query(
            sender,
            "get_delegation",
            candid::encode_args((
                account,
                origin,
                session,
                prepared.expiration,
                None::<Vec<Principal>>,
            ))
            .unwrap(),
            Some(certificate),
        );
        signed.unwrap();
        bench.measure(
            sender,
            "add_device",
            candid::encode_args((account, passkey(count))).unwrap(),
        );
        let (ids, lookup): (
            Result<Vec<ByteBuf>, sigil_api::identity_manager::Error>,
            u64,
        ) = bench.query(
            Principal::anonymous(),
            "credential_ids",
            candid::encode_one(account).unwrap(),
            None,
        );
        assert_eq!(ids.unwrap(), vec![passkey(count).credential_id.unwrap()]);
        let (stats, _): (Stats, u64) = bench.query(
            Principal::anonymous(),
            "stats",
            candid::encode_args(()).unwrap(),
            None,
        );
        let per_account = match baseline {
            Some((accounts, bytes)) if stats.accounts > accounts => format!(
                "{:.0} (growth since {accounts})",
                (stats.stable_memory_bytes - bytes) as f64 / (stats.accounts - accounts) as f64
            ),
            _ => "—".into(),
        };
        baseline.get_or_insert((stats.accounts, stats.stable_memory_bytes));
        println!(
            "| {} | {create} | {add} | {prepare} | {get} | {lookup} | {} | {per_account} |",
            stats.accounts, stats.stable_memory_bytes
        );
    }
    drop(bench);
    std::fs::remove_dir_all(state_dir).unwrap();
}
