//! The dapps an account connected. A device of the account connects an
//! origin (the Sigil window does, once the person approved), lists the
//! account's connections and ends one; a signature a dapp asks for is
//! prepared only while its origin is connected.
//!
//! Invariants: a connection lasts [`CONNECTION_TTL_NS`] from when it was
//! made or renewed, and is never live after; an account has at most
//! [`MAX_CONNECTIONS_PER_ACCOUNT`] live ones (expired ones are dropped when
//! it connects another); only the account's devices read or change them.

use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AccountNumber, CONNECTION_TTL_NS, ConnectArgs, Connection, ConnectionsArgs, DisconnectArgs,
    Error, MAX_CONNECTIONS_PER_ACCOUNT,
};

use crate::authorization::authorize;
use crate::delegation::validate_origin;
use crate::state::Env;
use crate::storage::Storage;

/// Whether `origin` is connected to `account` at `now`.
pub fn require_connection<M: Memory + Clone>(
    storage: &Storage<M>,
    account: AccountNumber,
    origin: &str,
    now: u64,
) -> Result<(), Error> {
    match storage.connection(account, origin) {
        Some(connection) if connection.expires_at > now => Ok(()),
        _ => Err(Error::NotConnected {
            origin: origin.to_owned(),
        }),
    }
}

pub fn connect_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: ConnectArgs,
) -> Result<Connection, Error> {
    authorize(storage, env.caller, args.account)?;
    validate_origin(&args.origin)?;
    let mut live = 0;
    for connection in storage.connections_of(args.account) {
        if connection.expires_at <= env.now {
            storage.remove_connection(args.account, &connection.origin);
        } else if connection.origin != args.origin {
            live += 1;
        }
    }
    if live >= MAX_CONNECTIONS_PER_ACCOUNT {
        return Err(Error::TooManyConnections {
            max: MAX_CONNECTIONS_PER_ACCOUNT as u64,
        });
    }
    let connection = Connection {
        origin: args.origin,
        connected_at: env.now,
        expires_at: env.now.saturating_add(CONNECTION_TTL_NS),
    };
    storage.set_connection(args.account, connection.clone());
    Ok(connection)
}

pub fn connections_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: &ConnectionsArgs,
) -> Result<Vec<Connection>, Error> {
    authorize(storage, env.caller, args.account)?;
    let mut live: Vec<Connection> = storage
        .connections_of(args.account)
        .into_iter()
        .filter(|connection| connection.expires_at > env.now)
        .collect();
    live.sort_by_key(|connection| std::cmp::Reverse(connection.connected_at));
    Ok(live)
}

pub fn disconnect_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: &DisconnectArgs,
) -> Result<bool, Error> {
    authorize(storage, env.caller, args.account)?;
    Ok(storage.remove_connection(args.account, &args.origin))
}
