use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

use super::*;
use crate::evm::examples::mail;
use crate::evm::{Address, RecoverableSignature, keccak256};

/// An EIP-2612 permit, as a token's `permit` checks it.
fn permit() -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                { "name": "name", "type": "string" },
                { "name": "version", "type": "string" },
                { "name": "chainId", "type": "uint256" },
                { "name": "verifyingContract", "type": "address" }
            ],
            "Permit": [
                { "name": "owner", "type": "address" },
                { "name": "spender", "type": "address" },
                { "name": "value", "type": "uint256" },
                { "name": "nonce", "type": "uint256" },
                { "name": "deadline", "type": "uint256" }
            ]
        },
        "primaryType": "Permit",
        "domain": {
            "name": "USD Coin",
            "version": "2",
            "chainId": "0x7a69",
            "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"
        },
        "message": {
            "owner": "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
            "spender": "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
            "value": "1000000",
            "nonce": 0,
            "deadline": "0x6553f100"
        }
    })
}

fn parsed(value: &Value) -> Result<TypedData, ChainError> {
    typed_data(&value.to_string())
}

fn field<'a>(data: &'a TypedData, label: &str) -> &'a str {
    data.review
        .fields
        .iter()
        .find(|field| field.label == label)
        .map(|field| field.value.as_str())
        .unwrap_or_else(|| panic!("no field {label}: {:?}", data.review.fields))
}

fn word(bytes: &[u8]) -> [u8; 32] {
    let mut word = [0; 32];
    word[32 - bytes.len()..].copy_from_slice(bytes);
    word
}

#[test]
fn should_hash_the_mail_example_of_eip712() {
    let data = parsed(&mail()).expect("the example");
    assert_eq!(
        hex::encode(data.signing_hash),
        "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
    );
    assert_eq!(data.chain_id, Some(U256::from(1)));
    // The example's signer is the key keccak256("cow"); its signature
    // recovers to the example's `from` wallet.
    let key = SigningKey::from_slice(&keccak256(b"cow")).expect("a key");
    let (signature, _) = key
        .sign_prehash_recoverable(&data.signing_hash)
        .expect("a signature");
    let public_key = key.verifying_key().to_encoded_point(true);
    let signature = RecoverableSignature::new(
        &signature.to_bytes(),
        &data.signing_hash,
        public_key.as_bytes(),
    )
    .expect("the key's signature");
    let recovered = signature.recover(&data.signing_hash).expect("a key");
    assert_eq!(
        Address::from_public_key(&recovered)
            .expect("a key")
            .to_string(),
        "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"
    );
    assert_eq!(
        hex::encode(signature.rs),
        "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d\
         07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562",
        "the example's r and s (RFC 6979 signatures are deterministic)"
    );
    assert_eq!(signature.to_message_signature()[64], 28, "the example's v");
}

#[test]
fn should_hash_a_permit_as_the_token_contract_does() {
    let data = parsed(&permit()).expect("a permit");
    // What an EIP-2612 token computes, from its constants.
    let domain_type = keccak256(
        b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
    );
    let permit_type = keccak256(
        b"Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    assert_eq!(
        hex::encode(permit_type),
        "6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9"
    );
    let address = |text: &str| word(&Address::parse(text).expect("an address").0);
    let separator = keccak256(
        &[
            domain_type,
            keccak256(b"USD Coin"),
            keccak256(b"2"),
            word(&31337u32.to_be_bytes()),
            address("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
        ]
        .concat(),
    );
    let message = keccak256(
        &[
            permit_type,
            address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
            address("0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"),
            word(&1_000_000u32.to_be_bytes()),
            word(&[]),
            word(&0x6553_f100u32.to_be_bytes()),
        ]
        .concat(),
    );
    let expected = keccak256(&[&[0x19, 0x01][..], &separator, &message].concat());
    assert_eq!(data.signing_hash, expected);
    assert_eq!(data.chain_id, Some(U256::from(31337)));
}

#[test]
fn should_review_every_signed_field() {
    let data = parsed(&mail()).expect("the example");
    assert_eq!(data.review.title, "Sign typed data: Mail");
    let labels: Vec<&str> = data
        .review
        .fields
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Domain: Name",
            "Domain: Version",
            "Domain: Chain",
            "Domain: Verifying contract",
            "from.name",
            "from.wallet",
            "to.name",
            "to.wallet",
            "contents"
        ]
    );
    assert_eq!(field(&data, "Domain: Name"), "Ether Mail");
    assert_eq!(field(&data, "Domain: Chain"), "1");
    assert_eq!(
        field(&data, "to.wallet"),
        "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"
    );
    assert_eq!(field(&data, "contents"), "Hello, Bob!");

    let permit = parsed(&permit()).expect("a permit");
    assert_eq!(field(&permit, "value"), "1000000");
    assert_eq!(field(&permit, "deadline"), "1700000000");
}

#[test]
fn should_review_arrays_bytes_and_hidden_characters() {
    let mut data = mail();
    data["types"]["Mail"] = json!([
        { "name": "to", "type": "Person[]" },
        { "name": "tags", "type": "bytes32[]" },
        { "name": "contents", "type": "string" }
    ]);
    data["message"] = json!({
        "to": [
            { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            { "name": "Al\u{202e}ice", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" }
        ],
        "tags": [],
        "contents": "two\nlines"
    });
    let data = parsed(&data).expect("typed data");
    assert_eq!(field(&data, "to[0].name"), "Bob");
    assert_eq!(field(&data, "to[1].name"), "Al\\u{202e}ice");
    assert_eq!(field(&data, "tags"), "(none)");
    assert_eq!(field(&data, "contents"), "two\\u{a}lines");
}

#[test]
fn should_refuse_a_domain_that_other_wallets_would_hash_otherwise() {
    let mut extra = mail();
    extra["domain"]["chain"] = json!(1);
    let mut undeclared = mail();
    undeclared["types"]["EIP712Domain"]
        .as_array_mut()
        .expect("a list")
        .pop();
    let mut reordered = mail();
    reordered["types"]["EIP712Domain"]
        .as_array_mut()
        .expect("a list")
        .swap(0, 1);
    let mut retyped = mail();
    retyped["types"]["EIP712Domain"][2]["type"] = json!("uint64");
    let mut missing = mail();
    missing["types"]
        .as_object_mut()
        .expect("types")
        .remove("EIP712Domain");
    for data in [extra, undeclared, reordered, retyped, missing] {
        assert!(
            matches!(parsed(&data), Err(ChainError::MalformedTypedData { .. })),
            "{data}"
        );
    }
}

#[test]
fn should_refuse_malformed_typed_data_in_words() {
    let refusals = [
        ("", "not JSON"),
        ("[]", "not a JSON object"),
        (r#"{"types":{},"domain":{},"message":{}}"#, "primaryType"),
    ];
    for (json, words) in refusals {
        match typed_data(json) {
            Err(ChainError::MalformedTypedData { reason }) => {
                assert!(reason.contains(words), "{json:?}: {reason}")
            }
            other => panic!("{json:?}: {other:?}"),
        }
    }
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        ("no message", Box::new(|d| d["message"] = json!(null))),
        (
            "domain primary",
            Box::new(|d| d["primaryType"] = json!("EIP712Domain")),
        ),
        (
            "unknown primary",
            Box::new(|d| d["primaryType"] = json!("Letter")),
        ),
        (
            "unknown type",
            Box::new(|d| d["types"]["Mail"][0]["type"] = json!("Human")),
        ),
        (
            "wrong type",
            Box::new(|d| d["message"]["to"]["wallet"] = json!("Bob")),
        ),
        (
            "number for text",
            Box::new(|d| d["message"]["contents"] = json!(7)),
        ),
        (
            "missing field",
            Box::new(|d| d["message"]["from"] = json!({ "name": "Cow" })),
        ),
        (
            "uint8 overflow",
            Box::new(|d| {
                d["types"]["Person"][0]["type"] = json!("uint8");
                d["message"]["from"]["name"] = json!(256);
            }),
        ),
        (
            "cycle",
            Box::new(|d| {
                d["types"]["Person"][1] = json!({ "name": "mail", "type": "Mail" });
            }),
        ),
        (
            "self reference",
            Box::new(|d| {
                d["types"]["Person"][1] = json!({ "name": "friend", "type": "Person" });
            }),
        ),
        (
            "deep arrays",
            Box::new(|d| d["types"]["Mail"][2]["type"] = json!("string[][][][][]")),
        ),
        (
            "fixed array size",
            Box::new(|d| {
                d["types"]["Mail"][2]["type"] = json!("string[3]");
                d["message"]["contents"] = json!(["a", "b"]);
            }),
        ),
        (
            "huge fixed array",
            Box::new(|d| {
                d["types"]["Mail"][2]["type"] = json!("string[4294967295]");
                d["message"]["contents"] = json!(["a"]);
            }),
        ),
    ];
    for (case, change) in cases {
        let mut data = mail();
        change(&mut data);
        assert!(
            matches!(parsed(&data), Err(ChainError::MalformedTypedData { .. })),
            "{case}: {:?}",
            parsed(&data)
        );
    }
}

#[test]
fn should_bound_sizes_before_resolving_types() {
    let long = format!(r#"{{"pad":"{}"}}"#, "a".repeat(MAX_TYPED_DATA_LEN));
    assert_eq!(
        typed_data(&long),
        Err(ChainError::TypedDataTooLong {
            max: MAX_TYPED_DATA_LEN
        })
    );
    let mut many_types = mail();
    for index in 0..MAX_TYPES {
        many_types["types"][format!("T{index}")] = json!([]);
    }
    assert!(matches!(
        parsed(&many_types),
        Err(ChainError::MalformedTypedData { .. })
    ));
    let mut many_values = mail();
    many_values["types"]["Mail"][2]["type"] = json!("uint8[]");
    many_values["message"]["contents"] = json!(vec![1; MAX_REVIEW_FIELDS + 1]);
    assert_eq!(
        parsed(&many_values),
        Err(ChainError::TooManyFields {
            max: MAX_REVIEW_FIELDS
        })
    );
    let mut just_enough = mail();
    just_enough["types"]["Mail"][2]["type"] = json!("uint8[]");
    just_enough["message"]["contents"] = json!(vec![1; MAX_REVIEW_FIELDS - 8]);
    assert!(parsed(&just_enough).is_ok());
}

#[test]
fn should_never_panic_on_mutated_typed_data() {
    let text = mail().to_string().into_bytes();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let mut bytes = text.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = b"{}[]\":,0x1aZ "[(next() % 13) as usize];
        }
        if let Ok(json) = std::str::from_utf8(&bytes) {
            let _ = typed_data(json);
        }
    }
}
