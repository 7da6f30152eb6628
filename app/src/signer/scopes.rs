//! ICRC-25 permission scopes: which methods a relying party needs the
//! person's permission for, the state of each for one origin, and what a
//! request may do in that state.
//!
//! Invariants:
//! - Every scope Sigil supports is always listed, in [`Scope::ALL`]'s
//!   order; a scope without a recorded state, or whose record expired, is
//!   `ask_on_use` (so the person is asked, never skipped).
//! - `denied` refuses at once with 3000; nothing else does.
//! - Methods that are not scoped (`icrc25_*`, `icrc29_status`) need no
//!   permission. A scope's name is its method's; a scope object's further
//!   restrictions (signer-js sends `targets` with `icrc34_delegation`) are
//!   not kept: the request itself is checked when it comes.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::error::SignerError;

/// A method that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Accounts,
    Delegation,
    CallCanister,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Accounts, Scope::Delegation, Scope::CallCanister];

    /// The scope's method name, as ICRC-25 scope objects carry it.
    pub fn method(self) -> &'static str {
        match self {
            Scope::Accounts => "icrc27_accounts",
            Scope::Delegation => "icrc34_delegation",
            Scope::CallCanister => "icrc49_call_canister",
        }
    }

    /// The scope named `method`; `None` for one Sigil does not support.
    pub fn from_method(method: &str) -> Option<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.method() == method)
    }

    /// What the person reads for the scope on the consent screen.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Accounts => "See the accounts you share with it",
            Scope::Delegation => "Sign in: act as you on the Internet Computer for a limited time",
            Scope::CallCanister => "Ask you to approve calls to canisters, one by one",
        }
    }
}

/// The state of one scope for one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeState {
    Granted,
    Denied,
    AskOnUse,
}

impl ScopeState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeState::Granted => "granted",
            ScopeState::Denied => "denied",
            ScopeState::AskOnUse => "ask_on_use",
        }
    }
}

/// What an origin's recorded decisions allow, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    states: BTreeMap<Scope, ScopeState>,
}

/// What a scoped request may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Use {
    /// Granted: go on (the request may still ask its own question, as
    /// ICRC-49 always does).
    Proceed,
    /// Ask the person first.
    Ask,
    /// Denied: answer with this error.
    Refuse(SignerError),
}

impl Permissions {
    /// The decisions recorded until `expires_at` (nanoseconds), as they
    /// stand at `now`: nothing once expired.
    pub fn recorded(
        states: impl IntoIterator<Item = (Scope, ScopeState)>,
        expires_at: u64,
        now: u64,
    ) -> Self {
        if expires_at <= now {
            return Self::default();
        }
        Self {
            states: states.into_iter().collect(),
        }
    }

    pub fn state(&self, scope: Scope) -> ScopeState {
        self.states
            .get(&scope)
            .copied()
            .unwrap_or(ScopeState::AskOnUse)
    }

    /// Records the person's decision on `scope`.
    pub fn set(&mut self, scope: Scope, state: ScopeState) {
        self.states.insert(scope, state);
    }

    /// Whether a request of `scope` may go on.
    pub fn use_of(&self, scope: Scope) -> Use {
        match self.state(scope) {
            ScopeState::Granted => Use::Proceed,
            ScopeState::AskOnUse => Use::Ask,
            ScopeState::Denied => {
                Use::Refuse(SignerError::PermissionNotGranted(scope.method().to_owned()))
            }
        }
    }

    /// `icrc25_permissions`'s and `icrc25_request_permissions`'s result:
    /// every supported scope with its state.
    pub fn to_json(&self) -> Value {
        let scopes: Vec<Value> = Scope::ALL
            .into_iter()
            .map(|scope| {
                json!({
                    "scope": { "method": scope.method() },
                    "state": self.state(scope).as_str(),
                })
            })
            .collect();
        json!({ "scopes": scopes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_ask_for_every_scope_nothing_was_decided_for() {
        let permissions = Permissions::default();
        for scope in Scope::ALL {
            assert_eq!(permissions.use_of(scope), Use::Ask);
        }
    }

    #[test]
    fn should_forget_every_decision_once_expired() {
        let states = [(Scope::Accounts, ScopeState::Denied)];
        assert_eq!(
            Permissions::recorded(states, 10, 9).state(Scope::Accounts),
            ScopeState::Denied
        );
        assert_eq!(
            Permissions::recorded(states, 10, 10).state(Scope::Accounts),
            ScopeState::AskOnUse
        );
    }

    #[test]
    fn should_refuse_a_denied_scope_with_3000_and_let_a_granted_one_go_on() {
        let permissions = Permissions::recorded(
            [
                (Scope::Accounts, ScopeState::Denied),
                (Scope::Delegation, ScopeState::Granted),
            ],
            u64::MAX,
            0,
        );
        match permissions.use_of(Scope::Accounts) {
            Use::Refuse(error) => assert_eq!(error.code(), 3000),
            other => panic!("{other:?}"),
        }
        assert_eq!(permissions.use_of(Scope::Delegation), Use::Proceed);
        assert_eq!(permissions.use_of(Scope::CallCanister), Use::Ask);
    }

    #[test]
    fn should_list_every_supported_scope_in_the_standard_shape() {
        let mut permissions = Permissions::default();
        permissions.set(Scope::Delegation, ScopeState::Granted);
        assert_eq!(
            permissions.to_json(),
            json!({ "scopes": [
                { "scope": { "method": "icrc27_accounts" }, "state": "ask_on_use" },
                { "scope": { "method": "icrc34_delegation" }, "state": "granted" },
                { "scope": { "method": "icrc49_call_canister" }, "state": "ask_on_use" },
            ]})
        );
    }

    #[test]
    fn should_know_scopes_only_by_their_exact_method() {
        for scope in Scope::ALL {
            assert_eq!(Scope::from_method(scope.method()), Some(scope));
        }
        for unknown in [
            "icrc25_permissions",
            "ICRC27_ACCOUNTS",
            "icrc7_transfer",
            "",
        ] {
            assert_eq!(Scope::from_method(unknown), None);
        }
    }
}
