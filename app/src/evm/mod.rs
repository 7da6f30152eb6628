//! What the wallet needs to move ETH, in plain Rust: amounts as people
//! type and read them ([`amount`]), and the EVM node's JSON-RPC: requests,
//! replies and the fee suggestion ([`rpc`]), the signing policy as a form
//! ([`policy_form`]), and the send form as a
//! transaction request ([`transfer`]). What is signed is read and
//! shown by the identity manager, never decoded here.

pub mod amount;
pub mod policy_form;
pub mod rpc;
pub mod transfer;
