//! The identity manager's real wasm on the local network, driven by the
//! real Rust agent: accounts, devices, two-factor, principals and the
//! canister-signed delegations that dapps receive, addresses and signatures
//! for other chains through the real signer under the accounts' policies,
//! and the defences of the
//! contract (devices join only by signing themselves, keys the IC cannot
//! verify are refused, registrations past the free ones cost work, junk
//! updates never reach execution, little is public). One test binary, one
//! module per area, sharing [`support`].
#![allow(clippy::unwrap_used)]

mod accounts;
mod chains;
mod connections;
mod delegations;
mod devices;
mod inspect;
mod policies;
mod privacy;
mod registration;
mod signatures;
mod support;
