//! The signed-in account as the wallet's sections share it: [`Account`]
//! loads what they show ([`Details`]) and runs their changes one at a time,
//! with a progress label and a [`Notice`] of how each ended. The sections
//! (`account`, `addresses`, `devices`, `two_factor`) import this module
//! and never each other.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::AccountNumber;

use super::Wallet;
use crate::api::error::ApiError;
use crate::api::identity_manager::IdentityManager;
use crate::browser::own_origin;
use crate::devices::{self, DeviceEntry};
use crate::signin::{SignInError, SignedIn};

/// What the signed-in wallet shows, loaded together.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// The account's principal at Sigil's own origin (textual).
    pub principal: String,
    pub devices: Vec<DeviceEntry>,
    /// Of the account's passkeys, for the browser's exclude list.
    pub credential_ids: Vec<Vec<u8>>,
    pub two_factor: bool,
}

/// The outcome of the last change, for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Done(String),
    Failed(String),
}

/// How a change ended, when it worked.
pub enum Changed {
    /// Show the text and reload.
    Done(String),
    /// The change ended the session on this device: sign out, saying why.
    SignedOut(String),
}

/// A handle on the signed-in account (`Copy`, for event handlers).
///
/// The view that owns these handles can go away while a call is under way
/// (the person signs out, or leaves the page), so code after an `.await`
/// only writes signals and reads through `try_` accessors.
#[derive(Clone, Copy)]
pub struct Account {
    pub wallet: Wallet,
    signed_in: StoredValue<SignedIn, LocalStorage>,
    pub details: RwSignal<Option<Result<Details, String>>>,
    /// The change under way, as a progress label; one at a time.
    pub busy: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<Notice>>,
}

impl Account {
    pub fn new(wallet: Wallet, signed_in: SignedIn) -> Self {
        let account = Self {
            wallet,
            signed_in: StoredValue::new_local(signed_in),
            details: RwSignal::new(None),
            busy: RwSignal::new(None),
            notice: RwSignal::new(None),
        };
        account.reload();
        account
    }

    pub fn number(self) -> AccountNumber {
        self.signed_in.with_value(|signed_in| signed_in.account)
    }

    /// Loads [`Details`] again; what is on screen stays until they arrive.
    fn reload(self) {
        let Some(signed_in) = self.signed_in.try_get_value() else {
            return;
        };
        spawn_local(async move {
            match load(self.wallet, &signed_in).await {
                Ok(details) => self.details.set(Some(Ok(details))),
                Err(error) if self.wallet.end_session_if_revoked(&error) => {}
                Err(error) => self.details.set(Some(Err(error.to_string()))),
            }
        });
    }

    /// Loads [`Details`] again after they failed, showing progress meanwhile.
    pub fn retry(self) {
        self.details.set(None);
        self.reload();
    }

    /// Runs `change` with the progress `label`, unless another change is
    /// under way; then shows how it ended and reloads.
    pub fn change<F, Fut>(self, label: impl Into<String>, change: F)
    where
        F: FnOnce(IdentityManager, AccountNumber) -> Fut + 'static,
        Fut: Future<Output = Result<Changed, SignInError>> + 'static,
    {
        if self.busy.get_untracked().is_some() {
            return;
        }
        let signed_in = self.signed_in.get_value();
        self.busy.set(Some(label.into()));
        self.notice.set(None);
        spawn_local(async move {
            let outcome = match self.wallet.state().connection().await {
                Ok(connection) => {
                    let identity_manager = connection.identity_manager(signed_in.caller.clone());
                    change(identity_manager, signed_in.account).await
                }
                Err(error) => Err(error.into()),
            };
            self.busy.set(None);
            match outcome {
                Ok(Changed::Done(text)) => {
                    self.notice.set(Some(Notice::Done(text)));
                    self.reload();
                }
                Ok(Changed::SignedOut(text)) => self.wallet.sign_out(Some(text)),
                Err(SignInError::Api(error)) if self.wallet.end_session_if_revoked(&error) => {}
                Err(error) => self.notice.set(Some(Notice::Failed(error.to_string()))),
            }
        });
    }

    /// The identity manager as the signed-in person, and the account, for
    /// a section that loads something of its own.
    pub async fn identity_manager(self) -> Result<(IdentityManager, AccountNumber), ApiError> {
        let signed_in = self
            .signed_in
            .try_get_value()
            .ok_or_else(|| ApiError::Configuration("the wallet was closed".into()))?;
        let connection = self.wallet.state().connection().await?;
        Ok((
            connection.identity_manager(signed_in.caller.clone()),
            signed_in.account,
        ))
    }

    /// Runs `call` with the identity manager as the signed-in person and
    /// the account, for a section that loads or changes something of its
    /// own.
    pub async fn with_identity_manager<T, F, Fut>(self, call: F) -> Result<T, ApiError>
    where
        F: FnOnce(IdentityManager, AccountNumber) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let (identity_manager, number) = self.identity_manager().await?;
        call(identity_manager, number).await
    }

    /// Whether the session on this device was signed by the device with
    /// `public_key`.
    pub fn is_session_device(self, public_key: &[u8]) -> bool {
        self.signed_in
            .with_value(|s| s.caller.passkey().passkey_public_key == public_key)
    }
}

async fn load(wallet: Wallet, signed_in: &SignedIn) -> Result<Details, ApiError> {
    let connection = wallet.state().connection().await?;
    let identity_manager = connection.identity_manager(signed_in.caller.clone());
    let account = signed_in.account;
    let origin = own_origin().map_err(|e| ApiError::Configuration(e.to_string()))?;
    let principal = identity_manager.get_principal(account, &origin).await?;
    let devices = identity_manager.list_devices(account).await?;
    let two_factor = identity_manager.two_factor(account).await?;
    let session_device_key = &signed_in.caller.passkey().passkey_public_key;
    Ok(Details {
        principal: principal.to_text(),
        devices: devices::entries(&devices, session_device_key),
        credential_ids: devices::credential_ids(&devices),
        two_factor,
    })
}
