//! A method of a canister as a type: its name, whether it is a query or
//! an update, and the Candid types of its one argument and its reply.
//! Each method takes one record and answers `Result<T, Error>`, so adding
//! an optional field later keeps old callers working.

use candid::CandidType;
use serde::de::DeserializeOwned;

/// How a method is called (IC interface specification, "Request types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Answered by one replica, changes nothing.
    Query,
    /// Goes through consensus, may change state.
    Update,
}

pub trait Method {
    const NAME: &'static str;
    const KIND: CallKind;
    type Args: CandidType + DeserializeOwned;
    type Response: CandidType + DeserializeOwned;
}

/// Declares a unit type that describes one method.
macro_rules! method {
    ($(#[$doc:meta])* $name:ident = $method:literal, $kind:ident, $args:ty => $response:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name;

        impl $crate::identity_manager::Method for $name {
            const NAME: &'static str = $method;
            const KIND: $crate::identity_manager::CallKind = $crate::identity_manager::CallKind::$kind;
            type Args = $args;
            type Response = $response;
        }
    };
}
pub(crate) use method;
