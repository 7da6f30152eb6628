//! The Sigil window's effects: the channel to the dapp's provider, the
//! sign-in, the identity manager's review and signature, the chain's node,
//! and the one answer each request gets. [`Flow`] is a `Copy` handle for
//! the screens' buttons; the decisions are `provider`'s.
//!
//! Invariants:
//! - One request at a time; another one meanwhile is answered "busy".
//! - Every request read ends in exactly one answer, to the channel's
//!   origin: the result once the person approved, else an error (4001
//!   when the person rejects).
//! - Nothing is signed without the person's click on the screen that shows
//!   the identity manager's review of it, and only for a dapp connected to
//!   the signed-in account (at the address it names): the window checks
//!   before it asks anything, and the identity manager prepares a dapp's
//!   signature only while the dapp is connected.

use leptos::logging::warn;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};
use sigil_api::identity_manager::{Error as IdentityManagerError, SignatureRequest, Signed};

use super::{Draft, ReviewScreen, Screen};
use crate::api::error::ApiError;
use crate::api::evm_node::EvmNode;
use crate::api::identity_manager::IdentityManager;
use crate::browser::messaging::{MessageListener, Mode, Peer, ReceivedJson};
use crate::browser::{own_origin, window};
use crate::config::EvmChainConfig;
use crate::devices;
use crate::provider::channel::{Channel, Verdict};
use crate::provider::error::ProviderError;
use crate::provider::reply;
use crate::provider::request::Request;
use crate::provider::transaction::{Fees, TransactionParams};
use crate::signin::step_up::step_up;
use crate::signin::{Passkeys, SignedIn, passkey, stored};
use crate::state::AppState;

/// What a request needs next: the person's decision on a screen, or
/// nothing more (a dapp ending its own connection).
enum Next {
    Ask(Screen),
    Answer(Value),
}

/// A request being answered.
#[derive(Clone)]
struct Pending {
    id: Value,
    origin: String,
    request: Request,
}

struct Inner {
    peer: Option<Peer>,
    channel: Channel,
    pending: Option<Pending>,
    signed_in: Option<SignedIn>,
    /// The signed-in account's EVM address, once looked up.
    address: Option<String>,
    _listener: Option<MessageListener>,
}

#[derive(Clone, Copy)]
pub struct Flow {
    pub screen: RwSignal<Screen>,
    state: AppState,
    inner: StoredValue<Inner, LocalStorage>,
}

fn api_failure(error: ApiError) -> ProviderError {
    match error {
        ApiError::IdentityManager(error @ IdentityManagerError::PolicyRefused { .. }) => {
            ProviderError::Policy(error.to_string())
        }
        ApiError::IdentityManager(IdentityManagerError::NotConnected { origin }) => {
            ProviderError::NotConnected { origin }
        }
        other => ProviderError::Internal(other.to_string()),
    }
}

impl Flow {
    pub fn start(state: AppState) -> Self {
        let screen = RwSignal::new(Screen::Waiting);
        let own = own_origin().unwrap_or_default();
        let flow = Self {
            screen,
            state,
            inner: StoredValue::new_local(Inner {
                peer: None,
                channel: Channel::new(own),
                pending: None,
                signed_in: None,
                address: None,
                _listener: None,
            }),
        };
        state.warm_up();
        let peer = match Peer::find() {
            Ok(Some(peer)) => peer,
            Ok(None) => {
                screen.set(Screen::NoApp);
                return flow;
            }
            Err(error) => {
                screen.set(Screen::Broken(error.to_string()));
                return flow;
            }
        };
        match MessageListener::start_json(&peer, move |message| flow.receive(message)) {
            Ok(listener) => flow.inner.update_value(|inner| {
                inner.peer = Some(peer);
                inner._listener = Some(listener);
            }),
            Err(error) => screen.set(Screen::Broken(error.to_string())),
        }
        flow
    }

    fn post(self, message: &Value, origin: &str) {
        self.inner.with_value(|inner| {
            if let Some(peer) = &inner.peer
                && let Err(error) = peer.post_json(message, origin)
            {
                warn!("evm: the answer could not be posted: {error}");
            }
        });
    }

    fn receive(self, message: ReceivedJson) {
        let Some(verdict) = self.inner.try_update_value(|inner| {
            inner
                .channel
                .receive(&message.origin, message.from_peer, message.data.as_ref())
        }) else {
            return;
        };
        match verdict {
            Verdict::Ignore => {}
            Verdict::Ready { reply, origin } => self.post(&reply, &origin),
            Verdict::Request {
                id,
                method,
                params,
                origin,
            } => {
                if self.inner.with_value(|inner| inner.pending.is_some()) {
                    self.post(&reply::error(&id, &ProviderError::Busy), &origin);
                    return;
                }
                match Request::read(&method, &params) {
                    Ok(request) => {
                        self.inner.update_value(|inner| {
                            inner.pending = Some(Pending {
                                id,
                                origin,
                                request,
                            })
                        });
                        self.begin();
                    }
                    Err(error) => {
                        self.post(&reply::error(&id, &error), &origin);
                        self.screen.set(Screen::Refused {
                            origin,
                            text: error.to_string(),
                        });
                    }
                }
            }
        }
    }

    fn pending(self) -> Option<Pending> {
        self.inner.with_value(|inner| inner.pending.clone())
    }

    fn is_disconnect(self) -> bool {
        self.pending()
            .is_some_and(|pending| pending.request == Request::Disconnect)
    }

    pub fn origin(self) -> String {
        self.pending().map(|p| p.origin).unwrap_or_default()
    }

    /// Answers the pending request and shows how it ended.
    fn answer(self, result: Result<Value, ProviderError>) {
        let Some(pending) = self
            .inner
            .try_update_value(|inner| inner.pending.take())
            .flatten()
        else {
            return;
        };
        let message = match &result {
            Ok(value) => reply::result(&pending.id, value.clone()),
            Err(error) => reply::error(&pending.id, error),
        };
        self.post(&message, &pending.origin);
        let origin = pending.origin;
        self.screen.set(match result {
            Ok(_) => Screen::Answered { origin },
            Err(ProviderError::Rejected) => Screen::Rejected { origin },
            Err(error) => Screen::Refused {
                origin,
                text: error.to_string(),
            },
        });
    }

    fn working(self, label: impl Into<String>) {
        self.screen.set(Screen::Working {
            origin: self.origin(),
            label: label.into(),
        });
    }

    pub fn busy(self) -> bool {
        matches!(self.screen.get(), Screen::Working { .. })
    }

    pub fn reject(self) {
        self.answer(Err(ProviderError::Rejected));
    }

    /// Closes the window once the person has read how it ended: a popup
    /// closes itself; a frame asks the provider to remove it (a
    /// notification, to the channel's origin only).
    pub fn close(self) {
        let frame_origin = self.inner.with_value(|inner| {
            let framed = inner.peer.as_ref().is_some_and(|p| p.mode == Mode::Iframe);
            framed
                .then(|| inner.channel.origin().map(str::to_owned))
                .flatten()
        });
        match frame_origin {
            Some(origin) => self.post(
                &json!({ "jsonrpc": "2.0", "method": "sigil_close" }),
                &origin,
            ),
            None => {
                if let Err(error) = window().and_then(|w| w.close().map_err(Into::into)) {
                    warn!("evm: the window could not close: {error}");
                }
            }
        }
    }

    fn begin(self) {
        if let Some(signed_in) = self.inner.with_value(|inner| inner.signed_in.clone()) {
            self.proceed(signed_in);
            return;
        }
        self.working("Opening your account…");
        spawn_local(async move {
            match stored::resume().await {
                Ok(Some(signed_in)) => {
                    self.inner
                        .update_value(|inner| inner.signed_in = Some(signed_in.clone()));
                    self.proceed(signed_in);
                }
                // Nobody is signed in to end the connection with: it ends
                // when it expires, or from the wallet.
                Ok(None) if self.is_disconnect() => self.answer(Ok(Value::Null)),
                Ok(None) => self.screen.set(Screen::SignIn {
                    origin: self.origin(),
                    notice: None,
                }),
                Err(error) => self.screen.set(Screen::SignIn {
                    origin: self.origin(),
                    notice: Some(error.to_string()),
                }),
            }
        });
    }

    /// Signs in with a passkey the browser offers (`None`: a new passkey
    /// and account), then goes on with the request.
    pub fn sign_in(self, passkeys: Option<Passkeys>) {
        self.working("Starting…");
        spawn_local(async move {
            let on_step = move |step: crate::signin::Step| self.working(step.label());
            let result = match passkeys {
                Some(passkeys) => passkey::sign_in(self.state, passkeys, on_step).await,
                None => passkey::sign_up(self.state, on_step).await,
            };
            match result {
                Ok(signed_in) => {
                    self.inner
                        .update_value(|inner| inner.signed_in = Some(signed_in.clone()));
                    self.proceed(signed_in);
                }
                Err(error) => self.screen.set(Screen::SignIn {
                    origin: self.origin(),
                    notice: Some(error.to_string()),
                }),
            }
        });
    }

    async fn identity_manager(
        self,
        signed_in: &SignedIn,
    ) -> Result<IdentityManager, ProviderError> {
        let connection = self.state.connection().await.map_err(api_failure)?;
        Ok(connection.identity_manager(signed_in.caller.clone()))
    }

    /// The chain of Sigil's configuration with `chain_id`, if it is one.
    async fn known_chain(self, chain_id: u64) -> Result<Option<EvmChainConfig>, ProviderError> {
        let config = self
            .state
            .config
            .await
            .map_err(|error| ProviderError::Internal(error.to_string()))?;
        Ok(config
            .evm_chains
            .into_iter()
            .find(|chain| chain.chain_id == chain_id))
    }

    /// The chain of Sigil's configuration a transaction is for (a chain
    /// an app added is one Sigil does not sign on).
    async fn chain(self, chain_id: u64) -> Result<EvmChainConfig, ProviderError> {
        self.known_chain(chain_id).await?.ok_or_else(|| {
            ProviderError::Policy(format!("Sigil does not sign on chain {chain_id}."))
        })
    }

    fn proceed(self, signed_in: SignedIn) {
        let Some(pending) = self.pending() else {
            return;
        };
        spawn_local(async move {
            match self.screen_for(&pending, &signed_in).await {
                Ok(Next::Ask(screen)) => self.screen.set(screen),
                Ok(Next::Answer(result)) => self.answer(Ok(result)),
                Err(error) => self.answer(Err(error)),
            }
        });
    }

    /// The signed-in account's EVM address (looked up once per window).
    async fn address(self, signed_in: &SignedIn) -> Result<String, ProviderError> {
        if let Some(address) = self.inner.with_value(|inner| inner.address.clone()) {
            return Ok(address);
        }
        self.working("Looking up your address…");
        let identity_manager = self.identity_manager(signed_in).await?;
        let addresses = identity_manager
            .addresses(signed_in.account)
            .await
            .map_err(api_failure)?;
        let address = addresses.evm;
        self.inner
            .update_value(|inner| inner.address = Some(address.clone()));
        Ok(address)
    }

    /// The account's address, once the identity manager says `origin` is
    /// connected to it; the request must name that address where it names
    /// one.
    async fn connected_address(
        self,
        origin: &str,
        signed_in: &SignedIn,
        named: Option<&str>,
    ) -> Result<String, ProviderError> {
        self.working("Checking that this app is connected…");
        let identity_manager = self.identity_manager(signed_in).await?;
        let connections = identity_manager
            .connections(signed_in.account)
            .await
            .map_err(api_failure)?;
        if !connections.iter().any(|c| c.origin == origin) {
            return Err(ProviderError::NotConnected {
                origin: origin.to_owned(),
            });
        }
        let address = self.address(signed_in).await?;
        if let Some(named) = named
            && !named.eq_ignore_ascii_case(&address)
        {
            return Err(ProviderError::OtherAccount {
                address: named.to_owned(),
                origin: origin.to_owned(),
            });
        }
        Ok(address)
    }

    async fn screen_for(
        self,
        pending: &Pending,
        signed_in: &SignedIn,
    ) -> Result<Next, ProviderError> {
        let origin = pending.origin.clone();
        let request = &pending.request;
        match request {
            Request::Connect { .. } => {
                let address = self.address(signed_in).await?;
                Ok(Next::Ask(Screen::Connect { origin, address }))
            }
            Request::SwitchChain { chain_id } => {
                let known = self.known_chain(*chain_id).await?;
                Ok(Next::Ask(Screen::SwitchChain {
                    origin,
                    chain_id: *chain_id,
                    known,
                }))
            }
            Request::Disconnect => {
                self.working(format!("Disconnecting {origin}…"));
                let identity_manager = self.identity_manager(signed_in).await?;
                identity_manager
                    .disconnect(signed_in.account, &origin)
                    .await
                    .map_err(api_failure)?;
                Ok(Next::Answer(Value::Null))
            }
            Request::AddChain(chain) => {
                let known = self.known_chain(chain.chain_id).await?.is_some();
                Ok(Next::Ask(Screen::AddChain {
                    origin,
                    chain: chain.clone(),
                    known,
                }))
            }
            Request::PersonalSign { message, address } => {
                self.connected_address(&origin, signed_in, Some(address))
                    .await?;
                let request = SignatureRequest::EvmMessage {
                    message: message.clone().into(),
                };
                self.review(signed_in, origin, request, None)
                    .await
                    .map(Next::Ask)
            }
            Request::SignTypedData { json, address } => {
                self.connected_address(&origin, signed_in, Some(address))
                    .await?;
                let request = SignatureRequest::EvmTypedData { json: json.clone() };
                self.review(signed_in, origin, request, None)
                    .await
                    .map(Next::Ask)
            }
            Request::Transaction { params, send } => {
                let address = self
                    .connected_address(&origin, signed_in, params.from.as_deref())
                    .await?;
                let draft = self.draft(params, &address, *send).await?;
                let request = draft.signature_request();
                self.review(signed_in, origin, request, Some(draft))
                    .await
                    .map(Next::Ask)
            }
        }
    }

    /// What the node fills in of `params`: nonce, gas and fees.
    async fn draft(
        self,
        params: &TransactionParams,
        address: &str,
        send: bool,
    ) -> Result<Draft, ProviderError> {
        let chain_id = params
            .chain_id
            .ok_or_else(|| ProviderError::InvalidParams("chainId is missing".into()))?;
        let chain = self.chain(chain_id).await?;
        self.working(format!("Asking {} about this transaction…", chain.name));
        Draft::fill(chain, params, address, send).await
    }

    async fn review(
        self,
        signed_in: &SignedIn,
        origin: String,
        request: SignatureRequest,
        transaction: Option<Draft>,
    ) -> Result<Screen, ProviderError> {
        self.working("Sigil is reading what you are about to sign…");
        let identity_manager = self.identity_manager(signed_in).await?;
        let prepared = identity_manager
            .prepare_signature(signed_in.account, request, Some(origin.clone()))
            .await
            .map_err(api_failure)?;
        Ok(Screen::Review(Box::new(ReviewScreen {
            origin,
            prepared,
            transaction,
        })))
    }

    /// Prepares the transaction again with the fees the person typed.
    pub fn change_fees(self, draft: Draft, fees: Fees) {
        let Some(signed_in) = self.inner.with_value(|inner| inner.signed_in.clone()) else {
            return;
        };
        let origin = self.origin();
        let draft = Draft { fees, ..draft };
        self.working("Sigil is reading the new fees…");
        spawn_local(async move {
            let request = draft.signature_request();
            match self.review(&signed_in, origin, request, Some(draft)).await {
                Ok(screen) => self.screen.set(screen),
                Err(error) => self.answer(Err(error)),
            }
        });
    }

    /// The person approved what the screen shows.
    pub fn approve(self) {
        let screen = self.screen.get_untracked();
        let Some(signed_in) = self.inner.with_value(|inner| inner.signed_in.clone()) else {
            return;
        };
        let Some(pending) = self.pending() else {
            return;
        };
        match screen {
            Screen::Connect { origin, address } => {
                self.working("Connecting…");
                spawn_local(async move {
                    let connected = async {
                        let identity_manager = self.identity_manager(&signed_in).await?;
                        identity_manager
                            .connect(signed_in.account, &origin)
                            .await
                            .map_err(api_failure)
                    };
                    let result = connected.await.map(|connection| match pending.request {
                        Request::Connect { permissions: true } => {
                            reply::permissions(&connection, &address)
                        }
                        _ => json!([address]),
                    });
                    self.answer(result);
                });
            }
            Screen::SwitchChain { .. } | Screen::AddChain { .. } => self.answer(Ok(Value::Null)),
            Screen::Review(review) => {
                // At once, so that a second click finds nothing to approve.
                self.working("Sigil's keys are signing…");
                spawn_local(async move {
                    let result = self.sign(&signed_in, *review).await;
                    self.answer(result);
                });
            }
            _ => {}
        }
    }

    async fn sign(
        self,
        signed_in: &SignedIn,
        review: ReviewScreen,
    ) -> Result<Value, ProviderError> {
        let identity_manager = self.identity_manager(signed_in).await?;
        let step_up = match &review.prepared.step_up_challenge {
            None => None,
            Some(challenge) => {
                self.working("Finding your passkeys…");
                let devices = identity_manager
                    .list_devices(signed_in.account)
                    .await
                    .map_err(api_failure)?;
                self.working("Confirm with your passkey…");
                let credential_ids = devices::credential_ids(&devices);
                Some(
                    step_up(challenge, &credential_ids)
                        .await
                        .map_err(ProviderError::Internal)?,
                )
            }
        };
        self.working("Sigil's keys are signing…");
        let signed = identity_manager
            .approve_signature(signed_in.account, review.prepared.id, step_up)
            .await
            .map_err(api_failure)?;
        match (signed, review.transaction) {
            (Signed::EvmSignature { signature, .. }, None) => Ok(reply::hex_data(&signature)),
            (Signed::EvmTransaction { raw, .. }, Some(draft)) if draft.send => {
                self.working(format!("Sending it to {}…", draft.chain.name));
                let node = EvmNode::new(&draft.chain.name, &draft.chain.rpc_url);
                let hash = node
                    .send_raw(&raw)
                    .await
                    .map_err(|error| ProviderError::Internal(error.to_string()))?;
                Ok(Value::String(hash))
            }
            (Signed::EvmTransaction { raw, .. }, Some(_)) => Ok(reply::hex_data(&raw)),
            _ => Err(ProviderError::Internal(
                "Sigil signed something other than what was asked".into(),
            )),
        }
    }
}
