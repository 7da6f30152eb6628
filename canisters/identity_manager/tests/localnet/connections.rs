//! The dapps an account connected: any device of the account connects,
//! lists and disconnects them, nobody else can (their updates are dropped
//! before they execute, their queries refused).

use sigil_api::identity_manager::{
    CONNECTION_TTL_NS, Connect, ConnectArgs, ConnectionsArgs, Disconnect, DisconnectArgs, Error,
    GetConnections, KeyType,
};

use crate::support::{
    Client, DAPP, assert_dropped_for, connect, dapp_session, ed25519, passkey_and_laptop, start,
};

#[tokio::test]
async fn should_connect_list_and_disconnect_origins_for_the_accounts_devices_only() {
    let net = start(None);
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    let listed = |client: &Client| {
        let client = client.clone();
        async move {
            client
                .call::<GetConnections>(&ConnectionsArgs { account })
                .await
        }
    };
    assert_eq!(listed(&owner).await, Ok(vec![]));
    connect(&owner, account, DAPP).await;
    connect(&laptop, account, "https://other.example").await;
    let connections = listed(&laptop).await.unwrap();
    let origins: Vec<&str> = connections.iter().map(|c| c.origin.as_str()).collect();
    assert_eq!(origins, ["https://other.example", DAPP], "newest first");
    for connection in &connections {
        assert_eq!(
            connection.expires_at - connection.connected_at,
            CONNECTION_TTL_NS
        );
    }

    // A stranger, and the dapp itself with its delegation, cannot connect
    // anything to the account, nor read what is connected.
    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let dapp = dapp_session(&owner, account).await;
    for outsider in [&stranger, &dapp] {
        let args = ConnectArgs {
            account,
            origin: "https://evil.example".into(),
        };
        let dropped = outsider.dropped::<Connect>(&args).await;
        assert_dropped_for(
            &dropped,
            &Error::Unauthorized {
                caller: outsider.principal,
                account,
            },
        );
        let args = DisconnectArgs {
            account,
            origin: DAPP.into(),
        };
        outsider.dropped::<Disconnect>(&args).await;
        assert!(matches!(
            listed(outsider).await,
            Err(Error::Unauthorized { .. })
        ));
    }

    let args = DisconnectArgs {
        account,
        origin: DAPP.into(),
    };
    assert_eq!(owner.call::<Disconnect>(&args).await, Ok(true));
    assert_eq!(owner.call::<Disconnect>(&args).await, Ok(false));
    let origins: Vec<String> = listed(&owner)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.origin)
        .collect();
    assert_eq!(origins, ["https://other.example"]);
}
