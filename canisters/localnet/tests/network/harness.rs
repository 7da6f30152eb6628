//! Starts the real `localnet` binary on a fresh state directory with the demo
//! canister deployed twice (`demo`, `demo2`), and stops it when dropped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use candid::Principal;
use ic_agent::{Agent, Identity};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Localnet {
    child: Option<Child>,
    pub url: String,
    pub state_dir: PathBuf,
    pub ids: BTreeMap<String, Principal>,
    config: PathBuf,
    extra_args: Vec<String>,
}

pub fn demo_wasm() -> PathBuf {
    match std::env::var_os("DEMO_WASM") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/wasm32-unknown-unknown/release/demo.wasm"),
    }
}

impl Localnet {
    /// A network with the default limits.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A network started with extra command-line arguments.
    pub fn start_with(extra_args: &[&str]) -> Self {
        let wasm = demo_wasm();
        assert!(
            wasm.exists(),
            "{} is missing: build the canisters first (scripts/test does)",
            wasm.display()
        );
        let state_dir = std::env::temp_dir().join(format!(
            "localnet-test-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&state_dir).expect("create state dir");
        let config = state_dir.join("deploy.json");
        let wasm = wasm.display().to_string();
        let json = serde_json::json!({
            "canisters": { "demo": { "wasm": wasm }, "demo2": { "wasm": wasm } }
        });
        std::fs::write(&config, json.to_string()).expect("write config");
        let mut net = Localnet {
            child: None,
            url: String::new(),
            state_dir,
            ids: BTreeMap::new(),
            config,
            extra_args: extra_args.iter().map(|s| s.to_string()).collect(),
        };
        net.spawn(true);
        net
    }

    fn spawn(&mut self, deploy: bool) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_localnet"));
        command
            .arg("--port")
            .arg("0")
            .arg("--state-dir")
            .arg(&self.state_dir)
            .args(&self.extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if deploy {
            command.arg("--deploy").arg(&self.config);
        }
        let mut child = command.spawn().expect("spawn localnet");
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
            &std::fs::read_to_string(self.state_dir.join("canister_ids.json"))
                .expect("canister_ids.json"),
        )
        .expect("canister ids json");
        self.ids = ids
            .into_iter()
            .map(|(name, id)| (name, Principal::from_text(id).expect("principal")))
            .collect();
    }

    pub fn demo(&self) -> Principal {
        self.ids["demo"]
    }

    pub fn demo2(&self) -> Principal {
        self.ids["demo2"]
    }

    /// Kills the process with SIGKILL: nothing gets a chance to flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL localnet");
            child.wait().expect("wait for localnet");
        }
    }

    /// Starts the network again on the same state directory.
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

pub fn no_args() -> Vec<u8> {
    candid::encode_args(()).expect("encode ()")
}
