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

        impl $crate::method::Method for $name {
            const NAME: &'static str = $method;
            const KIND: $crate::method::CallKind = $crate::method::CallKind::$kind;
            type Args = $args;
            type Response = $response;
        }
    };
}
pub(crate) use method;

/// A Candid service written from method descriptors, so that tests can
/// check them against a canister's exported interface.
#[derive(Default)]
pub struct ServiceDescription {
    types: candid::types::internal::TypeContainer,
    methods: Vec<(String, candid::types::Type)>,
}

impl ServiceDescription {
    /// Adds the method `M`.
    pub fn with<M: Method>(mut self) -> Self {
        use candid::types::{FuncMode, Function, TypeInner};
        let args = self.types.add::<M::Args>();
        let response = self.types.add::<M::Response>();
        let modes = match M::KIND {
            CallKind::Query => vec![FuncMode::Query],
            CallKind::Update => vec![],
        };
        let function = Function {
            modes,
            args: vec![args],
            rets: vec![response],
        };
        self.methods
            .push((M::NAME.to_string(), TypeInner::Func(function).into()));
        self
    }

    /// The service in Candid text (methods in name order, no init
    /// argument).
    pub fn into_candid(mut self) -> String {
        self.methods.sort_by(|a, b| a.0.cmp(&b.0));
        let service: candid::types::Type = candid::types::TypeInner::Service(self.methods).into();
        candid::pretty::candid::compile(&self.types.env, &Some(service))
    }
}
