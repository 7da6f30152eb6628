//! A local Internet Computer network with a single subnet.
//!
//! It executes real canister wasm ([`execution`]) under a message scheduler
//! with asynchronous inter-canister calls ([`replica`]), offers the
//! management canister ([`management`], [`threshold`]), serves the IC HTTP
//! interface that real agents speak ([`http`]), checks every request's
//! signatures and delegations ([`auth`]), certifies its state with a
//! BLS12-381 root key ([`certification`]), and keeps everything in a state
//! directory that survives `kill -9` ([`persist`]).

pub mod auth;
pub mod certification;
pub mod config;
pub mod deploy;
pub mod execution;
pub mod http;
pub mod ids;
pub mod management;
pub mod messages;
pub mod persist;
pub mod replica;
#[cfg(feature = "testing")]
pub mod testing;
pub mod threshold;
