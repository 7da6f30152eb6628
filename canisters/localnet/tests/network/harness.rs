//! The network these tests run: this package's `localnet` binary with the
//! demo canister deployed twice (`demo`, `demo2`), through the shared
//! [`localnet::testing`] harness.

use std::path::Path;

use candid::Principal;
pub use localnet::testing::{Localnet, canister_wasm, query, update};

/// A network with the default limits.
pub fn start() -> Localnet {
    start_with(&[])
}

/// A network started with extra command-line arguments.
pub fn start_with(args: &[&str]) -> Localnet {
    let demo = canister_wasm("demo");
    let no_args = no_args();
    let mut builder = Localnet::builder()
        .binary(Path::new(env!("CARGO_BIN_EXE_localnet")))
        .canister("demo", &demo, no_args.clone())
        .canister("demo2", &demo, no_args);
    for arg in args {
        builder = builder.arg(arg);
    }
    builder.start()
}

/// The two demo canisters of the network.
pub trait DemoCanisters {
    fn demo(&self) -> Principal;
    fn demo2(&self) -> Principal;
}

impl DemoCanisters for Localnet {
    fn demo(&self) -> Principal {
        self.id("demo")
    }

    fn demo2(&self) -> Principal {
        self.id("demo2")
    }
}

pub fn no_args() -> Vec<u8> {
    candid::encode_args(()).expect("encode ()")
}
