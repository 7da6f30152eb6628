//! One module per page.

pub mod authorize;
pub mod evm;
pub mod not_found;
pub mod wallet;
