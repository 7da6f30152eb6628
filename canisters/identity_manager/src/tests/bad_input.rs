use super::*;
use sigil_api::identity_manager::{CredentialIdsArgs, LookupCredentialIdArgs};

use crate::devices::{credential_ids_impl, lookup_credential_id_impl};
use crate::inspect::inspect;
use crate::validation::key_type;

const UPDATES: [&str; 8] = [
    "create_account",
    "add_device",
    "confirm_device",
    "rename_device",
    "remove_device",
    "set_two_factor",
    "prepare_delegation",
    "stats",
];

/// xorshift64*: deterministic bytes for the no-panic tests.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() as usize) % items.len()].clone()
    }
}

#[test]
fn should_never_panic_on_random_or_truncated_input() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    let mut rng = Bytes(0x5eed_1234_abcd_0001);
    let valid = [
        test_keys::webauthn(7),
        test_keys::ed25519(7),
        test_keys::p256(7),
        test_keys::secp256k1(7),
    ];
    let key_types = [
        KeyType::WebAuthn,
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
    ];
    let purposes = [Purpose::Authentication, Purpose::Recovery];
    for round in 0..3_000 {
        let key = match round % 3 {
            0 => rng.bytes(320),
            1 => {
                let key = rng.pick(&valid);
                let cut = (rng.next() as usize) % (key.len() + 1);
                key[..cut].to_vec()
            }
            _ => {
                let mut key = rng.pick(&valid);
                let at = (rng.next() as usize) % key.len();
                key[at] = rng.next() as u8;
                key
            }
        };
        let alias = String::from_utf8_lossy(&rng.bytes(80)).into_owned();
        let credential_id = rng
            .next()
            .is_multiple_of(2)
            .then(|| ByteBuf::from(rng.bytes(400)));
        let device = Device {
            public_key: ByteBuf::from(key.clone()),
            alias: alias.clone(),
            credential_id: credential_id.clone(),
            purpose: rng.pick(&purposes),
            key_type: rng.pick(&key_types),
            protected: rng.next().is_multiple_of(2),
        };
        let origin = String::from_utf8_lossy(&rng.bytes(300)).into_owned();
        let callers = [owner.clone(), device.clone()];
        let caller = rng.pick(&callers);
        let other_account = rng.next();
        let target_account = rng.pick(&[account, other_account]);
        let by_caller = principal_of(&caller);
        let by_device = principal_of(&device);

        let _ = f.create_as(by_device, &device, None);
        let _ = f.propose(by_caller, target_account, &device);
        let _ = f.confirm(by_device, target_account);
        let _ = f.rename(by_caller, target_account, &key, &alias);
        let _ = f.list(by_caller, target_account);
        let _ = f.two_factor(by_caller, target_account);
        let _ = credential_ids_impl(
            &f.state.storage,
            CredentialIdsArgs {
                account: target_account,
            },
        );
        if let Some(id) = &credential_id {
            let _ = lookup_credential_id_impl(
                &f.state.storage,
                LookupCredentialIdArgs {
                    credential_id: id.clone(),
                },
            );
        }
        let _ = f.principal_as(by_caller, target_account, &origin);
        let any_ttl = rng.next();
        let prepare = PrepareDelegationArgs {
            account: target_account,
            origin: origin.clone(),
            session_key: ByteBuf::from(key.clone()),
            max_time_to_live: rng.pick(&[None, Some(any_ttl), Some(0)]),
            targets: None,
        };
        let _ = f.prepare_with(by_caller, &prepare);
        let get = GetDelegationArgs {
            account: target_account,
            origin,
            session_key: ByteBuf::from(key.clone()),
            expiration: rng.next(),
            targets: None,
        };
        let _ = get_delegation_impl(&f.state, &f.env(by_caller), get, Some(CERTIFICATE));
        let method = rng.pick(&UPDATES);
        let _ = inspect(&f.state, &f.env(by_caller), method, &rng.bytes(200));
        if round % 5 == 0 {
            let _ = f.remove(by_caller, target_account, &key);
        }
        f.now += rng.next() % SECOND;
    }
    // Every stored device is valid and indexed.
    let stats = f.stats();
    let devices = f.list(principal_of(&owner), account).unwrap();
    assert!(devices.len() <= 10);
    for device in &devices {
        assert_eq!(key_type(&device.public_key), Ok(device.key_type));
        assert_eq!(
            f.state.storage.account_of_public_key(&device.public_key),
            Some(account)
        );
    }
    let passkey_ids: Vec<ByteBuf> = devices
        .iter()
        .filter(|device| device.key_type == KeyType::WebAuthn)
        .filter_map(|device| device.credential_id.clone())
        .collect();
    assert_eq!(
        credential_ids_impl(&f.state.storage, CredentialIdsArgs { account }),
        Ok(passkey_ids)
    );
    assert!(stats.devices >= devices.len() as u64);
    // The input was valid often enough to reach the paths that store.
    assert!(stats.accounts > 10 && devices.len() > 1, "{stats:?}");
}
