//! The app's routes, named once. `/#authorize` and `/#evm` are hash routes
//! (dapps open exactly those URLs); the wallet lives at `/`. The route is read from
//! `location.hash` when the page starts.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/`: the wallet.
    Wallet,
    /// `/#authorize`: the dapp sign-in protocol.
    Authorize,
    /// `/#evm`: the window an EVM dapp's provider opens for approvals.
    Evm,
}

impl Route {
    /// The URL path (and hash) of this route.
    pub fn path(self) -> &'static str {
        match self {
            Route::Wallet => "/",
            Route::Authorize => "/#authorize",
            Route::Evm => "/#evm",
        }
    }

    /// The route for a `location.hash`; `None` for an unknown one.
    pub fn from_hash(hash: &str) -> Option<Route> {
        match hash {
            "" | "#" => Some(Route::Wallet),
            "#authorize" => Some(Route::Authorize),
            "#evm" => Some(Route::Evm),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_round_trip_every_route_through_its_path() {
        for route in [Route::Wallet, Route::Authorize, Route::Evm] {
            let hash = route.path().split_once('#').map_or("", |(_, h)| h);
            let hash = if hash.is_empty() {
                String::new()
            } else {
                format!("#{hash}")
            };
            assert_eq!(Route::from_hash(&hash), Some(route));
        }
    }

    #[test]
    fn should_not_guess_at_unknown_hashes() {
        assert_eq!(Route::from_hash("#authorise"), None);
        assert_eq!(Route::from_hash("#authorize/extra"), None);
    }
}
