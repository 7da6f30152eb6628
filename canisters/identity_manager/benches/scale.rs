//! Cost of the identity manager as it grows: instructions (wasmi fuel) of
//! `create_account`, `add_device` (the proposal), `confirm_device` (the
//! new device joining), `prepare_delegation`, `get_delegation` and
//! `credential_ids`, and stable memory per account with three devices,
//! at each account count in `BENCH_ACCOUNTS` (default `1000,100000`).
//! `credential_ids` is measured last, on the measured account after a
//! passkey joined its three devices.
//!
//! `cargo bench -p identity_manager --bench scale` prints a Markdown table.
//! It runs the real wasm in process on the local network's replica;
//! instruction counts do not depend on the machine. Registrations are
//! submitted in batches (many ingress messages per round) to fill the
//! canister quickly; each measured message runs alone in its own round.
//! Every ingress message passes the canister's `inspect_message` first, as
//! on the IC; the figures are of execution only.

#![allow(clippy::unwrap_used)]

use candid::Principal;
use localnet::config::CanisterSpec;
use localnet::messages::{IngressCall, QueryCall, RequestStatus};
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, AddDevice, AddDeviceArgs, CallKind, ConfirmDevice, ConfirmDeviceArgs,
    CreateAccount, CreateAccountArgs, CredentialIds, CredentialIdsArgs, Device, GetDelegation,
    GetDelegationArgs, GetStats, InitArgs, KeyType, Method, PrepareDelegation,
    PrepareDelegationArgs, Purpose, RateLimitConfig, StatsArgs,
};

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const BATCH: usize = 500;
const ORIGIN: &str = "https://dapp.example";

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

fn principal_of(device: &Device) -> Principal {
    Principal::self_authenticating(&device.public_key)
}

fn registration(device: Device) -> CreateAccountArgs {
    CreateAccountArgs {
        device,
        proof_of_work: None,
    }
}

struct Bench {
    replica: Replica,
    im: Principal,
    controller: Principal,
}

impl Bench {
    /// Submits the update `M`; `inspect_message` must accept it.
    fn submit<M: Method>(&mut self, sender: Principal, args: &M::Args) -> [u8; 32] {
        assert_eq!(M::KIND, CallKind::Update, "{} is an update", M::NAME);
        let request_id: [u8; 32] = rand::random();
        let submitted = self.replica.submit_ingress(IngressCall {
            request_id,
            sender,
            canister_id: self.im,
            effective_canister_id: self.im,
            method_name: M::NAME.into(),
            arg: candid::encode_one(args).unwrap(),
            ingress_expiry: self.replica.time_nanos() + 240_000_000_000,
        });
        if let Err(reject) = submitted {
            panic!("{} was dropped: {reject:?}", M::NAME);
        }
        request_id
    }

    fn reply<M: Method>(&self, request_id: &[u8; 32]) -> M::Response {
        match self.replica.request_status(request_id) {
            Some(RequestStatus::Replied(reply)) => candid::decode_one(&reply).unwrap(),
            other => panic!("{}: {other:?}", M::NAME),
        }
    }

    fn run_to_completion(&mut self) {
        self.replica.execute_round();
        while self.replica.has_pending_messages() {
            self.replica.execute_round();
        }
    }

    /// One update alone in its round: its reply and the round's instructions.
    fn measure<M: Method>(&mut self, sender: Principal, args: &M::Args) -> (M::Response, u64) {
        let id = self.submit::<M>(sender, args);
        self.replica.execute_round();
        (self.reply::<M>(&id), self.replica.last_round().instructions)
    }

    /// A query: its reply and its instructions.
    fn query<M: Method>(
        &mut self,
        sender: Principal,
        args: &M::Args,
        certificate: Option<Vec<u8>>,
    ) -> (M::Response, u64) {
        assert_eq!(M::KIND, CallKind::Query, "{} is a query", M::NAME);
        let reply = self
            .replica
            .query(QueryCall {
                sender,
                canister_id: self.im,
                method_name: M::NAME.into(),
                arg: candid::encode_one(args).unwrap(),
                data_certificate: certificate,
            })
            .unwrap();
        (
            candid::decode_one(&reply).unwrap(),
            self.replica.last_round().last_message_instructions,
        )
    }

    /// Proposes `new` for each account (from its first device) in one
    /// round, and has each new device confirm itself in the next.
    fn add_devices(&mut self, joining: &[(AccountNumber, Principal, Device)]) {
        let ids: Vec<_> = joining
            .iter()
            .map(|(account, proposer, device)| {
                let args = AddDeviceArgs {
                    account: *account,
                    device: device.clone(),
                };
                self.submit::<AddDevice>(*proposer, &args)
            })
            .collect();
        self.run_to_completion();
        for id in &ids {
            self.reply::<AddDevice>(id).unwrap();
        }
        let ids: Vec<_> = joining
            .iter()
            .map(|(account, _, device)| {
                let args = ConfirmDeviceArgs { account: *account };
                self.submit::<ConfirmDevice>(principal_of(device), &args)
            })
            .collect();
        self.run_to_completion();
        for id in &ids {
            self.reply::<ConfirmDevice>(id).unwrap();
        }
    }

    /// Registers accounts `from..to`, each with three devices.
    fn fill(&mut self, from: u64, to: u64) {
        let mut n = from;
        while n < to {
            let end = (n + BATCH as u64).min(to);
            let ids: Vec<_> = (n..end)
                .map(|i| {
                    let first = device(ed25519_key(i, 0));
                    self.submit::<CreateAccount>(principal_of(&first), &registration(first))
                })
                .collect();
            self.run_to_completion();
            let accounts: Vec<AccountNumber> = ids
                .iter()
                .map(|id| self.reply::<CreateAccount>(id).unwrap())
                .collect();
            for extra in 1..=2 {
                let joining: Vec<_> = (n..end)
                    .zip(&accounts)
                    .map(|(i, account)| {
                        let proposer = Principal::self_authenticating(ed25519_key(i, 0));
                        (*account, proposer, device(ed25519_key(i, extra)))
                    })
                    .collect();
                self.add_devices(&joining);
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
    // Every registration free: the proof of work is the browser's cost,
    // not the canister's.
    let init = InitArgs {
        base_account_number: None,
        registration_rate_limit: Some(RateLimitConfig {
            capacity: u64::MAX / 2,
            refill_period_ns: 1,
        }),
        registration_proof_of_work_difficulty: None,
        ..InitArgs::default()
    };
    let wasm = localnet::testing::canister_wasm("identity_manager");
    let specs = [CanisterSpec {
        name: "identity_manager".into(),
        wasm,
        init_arg: candid::encode_one(Some(init)).unwrap(),
        id: None,
    }];
    let im = localnet::deploy::deploy(&mut replica, &state_dir, &specs).unwrap()[0].canister_id;
    let controller = localnet::deploy::deployer_principal(&state_dir).unwrap();
    let keys = localnet::certification::Keys::load_or_create(&state_dir).unwrap();
    let mut bench = Bench {
        replica,
        im,
        controller,
    };
    // Let the salt timer run.
    for _ in 0..3 {
        bench.replica.execute_round();
    }

    println!(
        "| accounts | create_account | add_device | confirm_device | prepare_delegation | get_delegation | credential_ids | stable memory | stable bytes per account |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut filled = 0;
    let mut baseline: Option<(u64, u64)> = None;
    for count in counts {
        // One fewer than the target: the measured create_account adds it.
        bench.fill(filled, count - 1);
        filled = count;
        let first = device(ed25519_key(count - 1, 0));
        let sender = principal_of(&first);
        let (account, create) = bench.measure::<CreateAccount>(sender, &registration(first));
        let account = account.unwrap();
        let second = device(ed25519_key(count - 1, 1));
        let proposal = AddDeviceArgs {
            account,
            device: second.clone(),
        };
        let (pending, add) = bench.measure::<AddDevice>(sender, &proposal);
        pending.unwrap();
        let (confirmed, confirm) =
            bench.measure::<ConfirmDevice>(principal_of(&second), &ConfirmDeviceArgs { account });
        confirmed.unwrap();
        bench.add_devices(&[(account, sender, device(ed25519_key(count - 1, 2)))]);

        let session_key = ByteBuf::from(ed25519_key(u64::MAX, 9));
        let prepare_args = PrepareDelegationArgs {
            account,
            origin: ORIGIN.into(),
            session_key: session_key.clone(),
            max_time_to_live: None,
            targets: None,
        };
        let (prepared, prepare) = bench.measure::<PrepareDelegation>(sender, &prepare_args);
        let prepared = prepared.unwrap();
        // What the HTTP layer hands a non-replicated query.
        let info = bench.replica.canister_info(&bench.im).unwrap();
        let certificate =
            localnet::certification::data_certificate(&keys, bench.replica.time_nanos(), &info)
                .unwrap();
        let get_args = GetDelegationArgs {
            account,
            origin: ORIGIN.into(),
            session_key,
            expiration: prepared.expiration,
            targets: None,
        };
        let (signed, get) = bench.query::<GetDelegation>(sender, &get_args, Some(certificate));
        signed.unwrap();

        bench.add_devices(&[(account, sender, passkey(count))]);
        let (ids, lookup) = bench.query::<CredentialIds>(
            Principal::anonymous(),
            &CredentialIdsArgs { account },
            None,
        );
        assert_eq!(ids.unwrap(), vec![passkey(count).credential_id.unwrap()]);
        let (stats, _) = bench.query::<GetStats>(bench.controller, &StatsArgs {}, None);
        let stats = stats.unwrap();
        let per_account = match baseline {
            Some((accounts, bytes)) if stats.accounts > accounts => format!(
                "{:.0} (growth since {accounts})",
                (stats.stable_memory_bytes - bytes) as f64 / (stats.accounts - accounts) as f64
            ),
            _ => "—".into(),
        };
        baseline.get_or_insert((stats.accounts, stats.stable_memory_bytes));
        println!(
            "| {} | {create} | {add} | {confirm} | {prepare} | {get} | {lookup} | {} | {per_account} |",
            stats.accounts, stats.stable_memory_bytes
        );
    }
    drop(bench);
    std::fs::remove_dir_all(state_dir).unwrap();
}
