//! Test support (feature `testing`): starts the real `localnet` binary on a
//! fresh state directory with the given canisters deployed, and gives
//! agents for it; plus identities that real clients have but `ic-agent`
//! lacks (a WebAuthn passkey).
//!
//! The binary is `$LOCALNET_BIN`, or `localnet` in the target directory of
//! the running test. Canister wasm is looked up by crate name in
//! `$SIGIL_WASM_DIR`, or in `wasm32-unknown-unknown/release` of that target
//! directory (`scripts/test` builds them there).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use candid::Principal;
use ic_agent::{Agent, Identity, Signature};
use ic_transport_types::{Delegation, EnvelopeContent};
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// The target directory of the running test binary (`<target>/<profile>/deps/<test>`).
fn target_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.to_path_buf())
}

fn profile_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.to_path_buf())
}

/// The release wasm of the canister crate `name`.
pub fn canister_wasm(name: &str) -> PathBuf {
    let dir = std::env::var_os("SIGIL_WASM_DIR")
        .map(PathBuf::from)
        .or_else(|| target_dir().map(|t| t.join("wasm32-unknown-unknown/release")))
        .unwrap_or_default();
    let path = dir.join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: build the canisters first (scripts/test does)",
        path.display()
    );
    path
}

fn localnet_binary() -> PathBuf {
    std::env::var_os("LOCALNET_BIN")
        .map(PathBuf::from)
        .or_else(|| profile_dir().map(|p| p.join("localnet")))
        .unwrap_or_else(|| PathBuf::from("localnet"))
}

/// What to start: canisters by name and extra command-line arguments.
#[derive(Default)]
pub struct LocalnetBuilder {
    canisters: BTreeMap<String, (PathBuf, Vec<u8>, Option<Principal>)>,
    args: Vec<String>,
    binary: Option<PathBuf>,
}

impl LocalnetBuilder {
    /// Deploys `wasm` as `name` with the Candid-encoded `init_arg`.
    pub fn canister(mut self, name: &str, wasm: &Path, init_arg: Vec<u8>) -> Self {
        self.canisters
            .insert(name.to_string(), (wasm.to_path_buf(), init_arg, None));
        self
    }

    /// Deploys `wasm` as `name`, created with the canister id `id` (one of
    /// [`crate::ids::canister_id`]), so that other canisters' init
    /// arguments can name it.
    pub fn canister_with_id(
        mut self,
        name: &str,
        wasm: &Path,
        init_arg: Vec<u8>,
        id: Principal,
    ) -> Self {
        self.canisters
            .insert(name.to_string(), (wasm.to_path_buf(), init_arg, Some(id)));
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_string());
        self
    }

    /// Runs this binary instead of the one found by default.
    pub fn binary(mut self, path: &Path) -> Self {
        self.binary = Some(path.to_path_buf());
        self
    }

    pub fn start(self) -> Localnet {
        let state_dir = std::env::temp_dir().join(format!(
            "localnet-test-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&state_dir).expect("create state dir");
        let config = state_dir.join("deploy.json");
        let canisters: serde_json::Map<String, serde_json::Value> = self
            .canisters
            .iter()
            .map(|(name, (wasm, init_arg, id))| {
                let mut canister = serde_json::json!({
                    "wasm": wasm.display().to_string(),
                    "init_arg_hex": hex::encode(init_arg),
                });
                if let Some(id) = id {
                    canister["id"] = serde_json::Value::String(id.to_text());
                }
                (name.clone(), canister)
            })
            .collect();
        std::fs::write(
            &config,
            serde_json::json!({ "canisters": canisters }).to_string(),
        )
        .expect("write deploy config");
        let mut net = Localnet {
            child: None,
            url: String::new(),
            state_dir,
            ids: BTreeMap::new(),
            config,
            args: self.args,
            binary: self.binary.unwrap_or_else(localnet_binary),
        };
        net.spawn(true);
        net
    }
}

/// A running local network; killed and its state removed when dropped.
pub struct Localnet {
    child: Option<Child>,
    pub url: String,
    pub state_dir: PathBuf,
    pub ids: BTreeMap<String, Principal>,
    config: PathBuf,
    args: Vec<String>,
    binary: PathBuf,
}

impl Localnet {
    pub fn builder() -> LocalnetBuilder {
        LocalnetBuilder::default()
    }

    /// The id of the canister deployed as `name`.
    pub fn id(&self, name: &str) -> Principal {
        match self.ids.get(name) {
            Some(id) => *id,
            None => panic!("no canister named {name}"),
        }
    }

    fn spawn(&mut self, deploy: bool) {
        let mut command = Command::new(&self.binary);
        command
            .arg("--port")
            .arg("0")
            .arg("--state-dir")
            .arg(&self.state_dir)
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if deploy {
            command.arg("--deploy").arg(&self.config);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(error) => panic!(
                "cannot run {}: {error} (build it with `cargo build -p localnet`)",
                self.binary.display()
            ),
        };
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("localnet listening on ") {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        self.url = match receiver.recv_timeout(STARTUP_TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("localnet did not start: {:?}", child.wait());
            }
        };
        self.child = Some(child);
        let ids: BTreeMap<String, String> = serde_json::from_str(
            &std::fs::read_to_string(self.state_dir.join(crate::deploy::CANISTER_IDS_FILE))
                .expect("canister_ids.json"),
        )
        .expect("canister ids json");
        self.ids = ids
            .into_iter()
            .map(|(name, id)| (name, Principal::from_text(id).expect("principal")))
            .collect();
    }

    /// Kills the process with SIGKILL: nothing gets a chance to flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL localnet");
            child.wait().expect("wait for localnet");
        }
    }

    /// Starts the network again on the same state directory; with `deploy`,
    /// the canisters are upgraded.
    pub fn restart(&mut self, deploy: bool) {
        self.kill();
        self.spawn(deploy);
    }

    /// An agent for `identity` that trusts the root key from `/api/v2/status`
    /// and verifies query signatures.
    pub async fn agent(&self, identity: impl Identity + 'static) -> Agent {
        let agent = Agent::builder()
            .with_url(&self.url)
            .with_identity(identity)
            .with_verify_query_signatures(true)
            .build()
            .expect("build agent");
        agent.fetch_root_key().await.expect("fetch root key");
        agent
    }

    pub async fn anonymous_agent(&self) -> Agent {
        self.agent(ic_agent::identity::AnonymousIdentity).await
    }
}

impl Drop for Localnet {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

/// The wall clock in nanoseconds since the epoch, as ingress expiries and
/// delegation expirations count it.
pub fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

/// Calls a query and decodes its single result.
pub async fn query<R: candid::CandidType + for<'de> candid::Deserialize<'de>>(
    agent: &Agent,
    canister: Principal,
    method: &str,
    arg: Vec<u8>,
) -> Result<R, ic_agent::AgentError> {
    let bytes = agent.query(&canister, method).with_arg(arg).call().await?;
    Ok(candid::decode_one(&bytes).expect("decode query reply"))
}

/// Calls an update, waits for its certified result, and decodes it.
pub async fn update<R: candid::CandidType + for<'de> candid::Deserialize<'de>>(
    agent: &Agent,
    canister: Principal,
    method: &str,
    arg: Vec<u8>,
) -> Result<R, ic_agent::AgentError> {
    let bytes = agent
        .update(&canister, method)
        .with_arg(arg)
        .call_and_wait()
        .await?;
    Ok(candid::decode_one(&bytes).expect("decode update reply"))
}

/// A passkey as a browser uses it: an ECDSA P-256 key whose signatures are
/// WebAuthn assertions (authenticator data, client data JSON with the
/// message as challenge, DER signature), with the COSE key in DER as its
/// public key (IC interface specification, "Web Authentication").
#[derive(Clone)]
pub struct WebAuthnIdentity {
    key: p256::ecdsa::SigningKey,
    public_key_der: Vec<u8>,
    /// The relying party's origin written into the client data.
    origin: String,
}

impl WebAuthnIdentity {
    pub fn generate() -> Self {
        let key = p256::ecdsa::SigningKey::random(&mut rand::thread_rng());
        let public_key_der = crate::auth::webauthn_public_key_der(key.verifying_key());
        Self {
            key,
            public_key_der,
            origin: "https://sigil.localhost".to_string(),
        }
    }

    /// The DER public key (COSE key wrapped in the IC's WebAuthn OID).
    pub fn public_key_der(&self) -> Vec<u8> {
        self.public_key_der.clone()
    }

    fn assert(&self, message: &[u8]) -> Vec<u8> {
        self.assertion(message, &self.origin)
    }

    /// A WebAuthn assertion of `challenge` at `origin` (the relying party
    /// its host), with the person present and verified, as the IC encodes
    /// a WebAuthn signature: what a page gets from `navigator.credentials.get`.
    pub fn assertion(&self, challenge: &[u8], origin: &str) -> Vec<u8> {
        let challenge = crate::auth::base64url(challenge);
        let client_data_json =
            format!(r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"{origin}"}}"#);
        let host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        let host = host.split(':').next().unwrap_or(host);
        let mut authenticator_data = Sha256::digest(host.as_bytes()).to_vec();
        authenticator_data.push(0x05); // user present, user verified
        authenticator_data.extend_from_slice(&1u32.to_be_bytes());
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data_json.as_bytes()));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        let mut map = BTreeMap::new();
        map.insert(
            serde_cbor::Value::Text("authenticator_data".into()),
            serde_cbor::Value::Bytes(authenticator_data),
        );
        map.insert(
            serde_cbor::Value::Text("client_data_json".into()),
            serde_cbor::Value::Text(client_data_json),
        );
        map.insert(
            serde_cbor::Value::Text("signature".into()),
            serde_cbor::Value::Bytes(signature.to_der().as_bytes().to_vec()),
        );
        let value = serde_cbor::Value::Tag(55799, Box::new(serde_cbor::Value::Map(map)));
        serde_cbor::to_vec(&value).expect("encode WebAuthn signature")
    }
}

impl Identity for WebAuthnIdentity {
    fn sender(&self) -> Result<Principal, String> {
        Ok(Principal::self_authenticating(&self.public_key_der))
    }

    fn public_key(&self) -> Option<Vec<u8>> {
        Some(self.public_key_der.clone())
    }

    fn sign(&self, content: &EnvelopeContent) -> Result<Signature, String> {
        let mut message = b"\x0Aic-request".to_vec();
        message.extend_from_slice(content.to_request_id().as_slice());
        Ok(Signature {
            public_key: Some(self.public_key_der.clone()),
            signature: Some(self.assert(&message)),
            delegations: None,
        })
    }

    fn sign_delegation(&self, content: &Delegation) -> Result<Signature, String> {
        Ok(Signature {
            public_key: Some(self.public_key_der.clone()),
            signature: Some(self.assert(&content.signable())),
            delegations: None,
        })
    }
}

/// Runs the update `method(arg)` from `sender` on an in-process `replica`
/// until it is answered: the reply and the instructions of every round it
/// took, for benchmarks (which count instructions, not time); the reject
/// in words otherwise.
pub fn run_update(
    replica: &mut crate::replica::Replica,
    canister: Principal,
    sender: Principal,
    method: &str,
    arg: Vec<u8>,
) -> Result<(Vec<u8>, u64), String> {
    use crate::messages::{IngressCall, RequestStatus};
    let request_id: [u8; 32] = rand::random();
    replica
        .submit_ingress(IngressCall {
            request_id,
            sender,
            canister_id: canister,
            effective_canister_id: canister,
            method_name: method.into(),
            arg,
            ingress_expiry: replica.time_nanos() + 240_000_000_000,
        })
        .map_err(|reject| format!("{method} was dropped: {reject:?}"))?;
    let mut instructions = 0;
    loop {
        replica.execute_round();
        instructions += replica.last_round().instructions;
        match replica.request_status(&request_id) {
            Some(RequestStatus::Replied(reply)) => return Ok((reply, instructions)),
            Some(RequestStatus::Rejected(reject)) => return Err(format!("{method}: {reject:?}")),
            _ if !replica.has_pending_messages() => return Err(format!("{method} is stuck")),
            _ => {}
        }
    }
}
