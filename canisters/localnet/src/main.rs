//! `localnet`: starts the local network on a state directory, optionally
//! deploying (or upgrading) the canisters of a config first, and serves the
//! IC HTTP interface until interrupted.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use localnet::certification::Keys;
use localnet::config;
use localnet::deploy::{self, DeployAction};
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};

/// A local Internet Computer network that runs real canister wasm.
#[derive(Parser, Debug)]
#[command(name = "localnet", version)]
struct Args {
    /// Port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 4943)]
    port: u16,
    /// Directory that holds the network's state; created when absent.
    #[arg(long, default_value = ".localnet")]
    state_dir: PathBuf,
    /// Deploy configuration (JSON): canisters to create, install or upgrade
    /// before serving.
    #[arg(long)]
    deploy: Option<PathBuf>,
    /// Instructions one update, callback or query may use.
    #[arg(long)]
    instruction_limit: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("localnet: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&args.state_dir)?;
    let mut limits = ExecutionLimits::default();
    if let Some(limit) = args.instruction_limit {
        limits.message_instructions = limit;
        limits.query_instructions = limit;
    }
    let keys = Keys::load_or_create(&args.state_dir)?;
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: args.state_dir.clone(),
        limits,
    })?;
    if let Some(path) = &args.deploy {
        let specs = config::load(path)?;
        for deployed in deploy::deploy(&mut replica, &args.state_dir, &specs)? {
            let verb = match deployed.action {
                DeployAction::Installed => "installed",
                DeployAction::Upgraded => "upgraded",
            };
            eprintln!(
                "localnet: {verb} {} ({})",
                deployed.name, deployed.canister_id
            );
        }
    }
    let ids = deploy::read_canister_ids(&args.state_dir)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
                .await?;
        let url = format!("http://{}", listener.local_addr()?);
        println!("localnet listening on {url}");
        for (name, id) in &ids {
            println!("  {name:<20} {id}");
        }
        localnet::http::serve(listener, replica, keys).await?;
        Ok(())
    })
}
