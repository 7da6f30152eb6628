//! Connected dapps in the canister: renewing, expiry, the per-account
//! limit, who may change them, an upgrade, and signatures refused for an
//! origin that is not connected.

use sigil_api::identity_manager::{
    CONNECTION_TTL_NS, ConnectArgs, ConnectionsArgs, DisconnectArgs, MAX_CONNECTIONS_PER_ACCOUNT,
    MAX_ORIGIN_LEN, PrepareSignatureArgs, SignatureRequest,
};

use super::signatures::with_chains;
use super::*;
use crate::connections::{connect_impl, connections_impl, disconnect_impl};
use crate::signatures::check_request;

impl Fixture {
    pub(super) fn connect(
        &mut self,
        caller: Principal,
        account: AccountNumber,
        origin: &str,
    ) -> Result<sigil_api::identity_manager::Connection, Error> {
        let env = self.env(caller);
        let args = ConnectArgs {
            account,
            origin: origin.into(),
        };
        connect_impl(&mut self.state.storage, &env, args)
    }

    /// A new account and its passkey's principal.
    fn account_with_passkey(&mut self) -> (Principal, AccountNumber) {
        let device = passkey(1);
        let account = self.create(&device).unwrap();
        (principal_of(&device), account)
    }

    fn connected(&self, caller: Principal, account: AccountNumber) -> Vec<String> {
        let env = self.env(caller);
        connections_impl(&self.state.storage, &env, &ConnectionsArgs { account })
            .unwrap()
            .into_iter()
            .map(|connection| connection.origin)
            .collect()
    }
}

#[test]
fn should_renew_a_connection_and_end_it_after_thirty_days() {
    let mut f = Fixture::new();
    let (me, account) = f.account_with_passkey();
    let first = f.connect(me, account, ORIGIN).unwrap();
    assert_eq!(first.expires_at, f.now + CONNECTION_TTL_NS);
    f.now += DAY;
    let renewed = f.connect(me, account, ORIGIN).unwrap();
    assert_eq!(renewed.connected_at, f.now);
    assert_eq!(f.connected(me, account), [ORIGIN], "one entry per origin");
    f.now = renewed.expires_at;
    assert!(f.connected(me, account).is_empty(), "expired");
}

#[test]
fn should_keep_at_most_the_limit_of_live_connections() {
    let mut f = Fixture::new();
    let (me, account) = f.account_with_passkey();
    for n in 0..MAX_CONNECTIONS_PER_ACCOUNT {
        f.connect(me, account, &format!("https://d{n}.example"))
            .unwrap();
    }
    assert_eq!(
        f.connect(me, account, "https://one-more.example"),
        Err(Error::TooManyConnections {
            max: MAX_CONNECTIONS_PER_ACCOUNT as u64
        })
    );
    f.now += DAY;
    assert!(
        f.connect(me, account, "https://d0.example").is_ok(),
        "renewing is not more"
    );
    f.now += CONNECTION_TTL_NS - DAY;
    assert!(
        f.connect(me, account, "https://one-more.example").is_ok(),
        "the expired ones went"
    );
    assert_eq!(f.connected(me, account).len(), 2);
}

#[test]
fn should_let_only_the_accounts_devices_connect_list_and_disconnect() {
    let mut f = Fixture::new();
    let (me, account) = f.account_with_passkey();
    let stranger_device = passkey(2);
    let stranger = principal_of(&stranger_device);
    f.create(&stranger_device).unwrap();
    let unauthorized = Err(Error::Unauthorized {
        caller: stranger,
        account,
    });
    assert_eq!(
        f.connect(stranger, account, ORIGIN).map(|_| ()),
        unauthorized.clone()
    );
    f.connect(me, account, ORIGIN).unwrap();
    let env = f.env(stranger);
    let args = DisconnectArgs {
        account,
        origin: ORIGIN.into(),
    };
    assert_eq!(
        disconnect_impl(&mut f.state.storage, &env, &args).map(|_| ()),
        unauthorized.clone()
    );
    assert_eq!(
        connections_impl(&f.state.storage, &env, &ConnectionsArgs { account }).map(|_| ()),
        unauthorized
    );
    assert_eq!(f.connected(me, account), [ORIGIN]);
    assert_eq!(f.connect(me, account, ""), Err(Error::EmptyOrigin));
    assert_eq!(
        f.connect(me, account, &"x".repeat(MAX_ORIGIN_LEN + 1)),
        Err(Error::OriginTooLong {
            length: MAX_ORIGIN_LEN as u64 + 1,
            max: MAX_ORIGIN_LEN as u64
        })
    );
}

#[test]
fn should_keep_connections_across_an_upgrade() {
    let mut f = Fixture::new();
    let (me, account) = f.account_with_passkey();
    f.connect(me, account, ORIGIN).unwrap();
    f.upgrade(None);
    assert_eq!(f.connected(me, account), [ORIGIN]);
}

#[test]
fn should_refuse_a_dapps_signature_unless_its_origin_is_connected() {
    let mut f = with_chains();
    let (me, account) = f.account_with_passkey();
    let ask = |origin: Option<&str>| PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmMessage {
            message: ByteBuf::from(b"hello".to_vec()),
        },
        origin: origin.map(str::to_owned),
    };
    let env = f.env(me);
    let refused = check_request(&f.state.storage, &env, &ask(Some(ORIGIN)));
    assert_eq!(
        refused.map(|_| ()),
        Err(Error::NotConnected {
            origin: ORIGIN.into()
        })
    );
    assert!(
        check_request(&f.state.storage, &env, &ask(None)).is_ok(),
        "Sigil's own pages"
    );
    f.connect(me, account, ORIGIN).unwrap();
    let env = f.env(me);
    assert!(check_request(&f.state.storage, &env, &ask(Some(ORIGIN))).is_ok());
    let other = check_request(&f.state.storage, &env, &ask(Some("https://other.example")));
    assert!(matches!(other, Err(Error::NotConnected { .. })));
    let args = DisconnectArgs {
        account,
        origin: ORIGIN.into(),
    };
    assert_eq!(disconnect_impl(&mut f.state.storage, &env, &args), Ok(true));
    let refused = check_request(&f.state.storage, &env, &ask(Some(ORIGIN)));
    assert!(matches!(refused, Err(Error::NotConnected { .. })));
}
