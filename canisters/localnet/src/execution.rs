//! Canister execution with wasmi. (Stub.)
