use k256::ecdsa::SigningKey;

use super::*;

fn mainnet() -> EvmChain {
    EvmChain {
        chain_id: 1,
        name: "Ethereum".into(),
        symbol: "ETH".into(),
    }
}

fn sender() -> Address {
    Address::parse("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F").expect("an address")
}

/// EIP-155's example: nonce 9, 20 gwei, 21000 gas, 1 ether to 0x3535….
fn eip155_example() -> EvmTransactionRequest {
    EvmTransactionRequest {
        chain_id: "0x1".into(),
        nonce: "9".into(),
        to: Some(format!("0x{}", "35".repeat(20))),
        value: Some("1000000000000000000".into()),
        gas: "21000".into(),
        gas_price: Some("20000000000".into()),
        ..EvmTransactionRequest::default()
    }
}

fn eip1559_transfer() -> EvmTransactionRequest {
    EvmTransactionRequest {
        chain_id: "0x1".into(),
        nonce: "0x0".into(),
        to: Some(format!("0x{}", "35".repeat(20))),
        value: Some("0xde0b6b3a7640000".into()),
        gas: "0x5208".into(),
        max_fee_per_gas: Some("2000000000".into()),
        max_priority_fee_per_gas: Some("1000000000".into()),
        ..EvmTransactionRequest::default()
    }
}

fn read(request: &EvmTransactionRequest) -> Result<Transaction, ChainError> {
    transaction(request, &mainnet(), sender())
}

fn sign(transaction: &Transaction, key: &SigningKey) -> SignedTransaction {
    let (signature, _) = key
        .sign_prehash_recoverable(&transaction.signing_hash)
        .expect("a signature");
    let public_key = key.verifying_key().to_encoded_point(true);
    let signature = RecoverableSignature::new(
        &signature.to_bytes(),
        &transaction.signing_hash,
        public_key.as_bytes(),
    )
    .expect("the key's signature");
    signed(&transaction.unsigned, &signature)
}

#[test]
fn should_encode_and_sign_the_example_of_eip155() {
    let transaction = read(&eip155_example()).expect("the example");
    assert_eq!(
        hex::encode(&transaction.encoded),
        "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080"
    );
    assert_eq!(
        hex::encode(transaction.signing_hash),
        "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"
    );
    let key = SigningKey::from_slice(&[0x46; 32]).expect("the example's key");
    let signed = sign(&transaction, &key);
    assert_eq!(
        hex::encode(&signed.raw),
        "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025\
         a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276\
         a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
    );
    assert_eq!(signed.hash, keccak256(&signed.raw));
}

#[test]
fn should_encode_an_eip1559_transfer_as_rlp_lays_it_out() {
    let transaction = read(&eip1559_transfer()).expect("a transfer");
    // 0x02 · list(47 bytes): chain 1, nonce 0, 1 gwei, 2 gwei, 21000 gas,
    // to, 1 ether, no data, no access list.
    let expected = format!(
        "02ef0180843b9aca00847735940082520894{}880de0b6b3a764000080c0",
        "35".repeat(20)
    );
    assert_eq!(hex::encode(&transaction.encoded), expected);
    assert_eq!(transaction.signing_hash, keccak256(&transaction.encoded));
    assert_eq!(
        transaction.max_cost,
        U256::from(1_000_042_000_000_000_000u64)
    );

    let key = SigningKey::from_slice(&[0x46; 32]).expect("a key");
    let signed = sign(&transaction, &key);
    // The signed form appends y parity, r and s to the same list.
    assert_eq!(signed.raw[0], 0x02);
    assert_eq!(signed.raw[1], 0xf8, "a long list now");
    assert_eq!(&signed.raw[3..50], &transaction.encoded[2..]);
    assert!(matches!(signed.raw[50], 0x80 | 0x01), "y parity 0 or 1");
    assert_eq!(signed.raw[51], 0xa0, "r: 32 bytes");
}

#[test]
fn should_encode_access_lists_and_contract_creation() {
    let key = format!("0x{}", "00".repeat(31) + "01");
    let mut request = eip1559_transfer();
    request.access_list = Some(vec![AccessListEntry {
        address: format!("0x{}", "35".repeat(20)),
        storage_keys: vec![key],
    }]);
    let transaction = read(&request).expect("a transaction");
    // One item: list(55) of the address and list(33) of one key; the
    // access list itself is a long list of 56 bytes.
    let item = format!("f794{}e1a0{}01", "35".repeat(20), "00".repeat(31));
    assert!(
        hex::encode(&transaction.encoded).ends_with(&format!("80f838{item}")),
        "{}",
        hex::encode(&transaction.encoded)
    );
    assert_eq!(
        transaction.review.value_of("Access list [0]"),
        Some("0x3535353535353535353535353535353535353535 (1 storage keys)")
    );

    let creation = EvmTransactionRequest {
        to: None,
        value: None,
        data: Some("0x600a600c600039600a6000f3602a60005260206000f3".into()),
        gas: "100000".into(),
        ..eip1559_transfer()
    };
    let transaction = super::transaction(
        &creation,
        &mainnet(),
        Address::parse("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0").expect("an address"),
    )
    .expect("a creation");
    assert_eq!(transaction.to, None);
    assert!(
        hex::encode(&transaction.encoded).contains("830186a0808096600a"),
        "to is empty: {}",
        hex::encode(&transaction.encoded)
    );
    assert_eq!(transaction.review.title, "Create a contract");
    assert_eq!(
        transaction.review.value_of("New contract's address"),
        Some(
            Address::parse("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")
                .expect("an address")
                .to_checksummed()
                .as_str()
        )
    );
    assert_eq!(transaction.review.value_of("Code"), Some("22 bytes"));
    assert_eq!(transaction.review.warnings.len(), 1);
}

#[test]
fn should_review_what_is_signed() {
    let review = read(&eip1559_transfer()).expect("a transfer").review;
    assert_eq!(review.title, "Send 1 ETH");
    let expected = [
        ("Chain", "Ethereum (1)"),
        ("From", "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"),
        ("To", "0x3535353535353535353535353535353535353535"),
        ("Amount", "1 ETH"),
        ("Max fee per gas", "2 gwei"),
        ("Priority fee per gas", "1 gwei"),
        ("Gas limit", "21000"),
        ("At most, in all", "1.000042 ETH"),
        ("Nonce", "0"),
        ("Type", "EIP-1559"),
    ];
    let fields: Vec<(&str, &str)> = review
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(fields, expected);
    assert!(review.warnings.is_empty());

    let legacy = read(&eip155_example()).expect("the example").review;
    assert_eq!(legacy.value_of("Gas price"), Some("20 gwei"));
    assert_eq!(legacy.value_of("Type"), Some("Legacy (EIP-155)"));

    let mut call = eip1559_transfer();
    call.value = None;
    call.data = Some(format!(
        "0xa9059cbb{}{}{:064x}",
        "00".repeat(12),
        "bb".repeat(20),
        5
    ));
    let call = read(&call).expect("a call").review;
    assert_eq!(call.title, "Call a contract");
    assert_eq!(call.value_of("Amount"), Some("0 ETH"));
    assert_eq!(call.value_of("Argument: amount"), Some("5"));
}

#[test]
fn should_refuse_malformed_transactions_in_words() {
    type Change = fn(&mut EvmTransactionRequest);
    let cases: [(Change, ChainError); 14] = [
        (
            |r| r.chain_id = "0x5".into(),
            ChainError::WrongChain {
                expected: 1,
                found: 5,
            },
        ),
        (
            |r| r.chain_id = "one".into(),
            ChainError::MalformedQuantity { field: "chainId" },
        ),
        (
            |r| r.nonce = "0x".into(),
            ChainError::MalformedQuantity { field: "nonce" },
        ),
        (
            |r| r.value = Some(format!("0x1{}", "0".repeat(64))),
            ChainError::QuantityTooLarge {
                field: "value",
                bits: 256,
            },
        ),
        (
            |r| r.gas = "0x10000000000000000".into(),
            ChainError::QuantityTooLarge {
                field: "gas",
                bits: 64,
            },
        ),
        (
            |r| r.value = Some(format!("0x{}", "f".repeat(64))),
            ChainError::CostOverflow,
        ),
        (|r| r.data = Some("0x123".into()), ChainError::MalformedData),
        (|r| r.data = Some("1234".into()), ChainError::MalformedData),
        (|r| r.data = Some("0xzz".into()), ChainError::MalformedData),
        (
            |r| r.data = Some(format!("0x{}", "00".repeat(MAX_TRANSACTION_DATA_LEN + 1))),
            ChainError::DataTooLong {
                max: MAX_TRANSACTION_DATA_LEN,
            },
        ),
        (|r| r.to = Some("0x35".into()), ChainError::MalformedAddress),
        (
            |r| r.gas_price = Some("1".into()),
            ChainError::AmbiguousFees,
        ),
        (|r| r.max_fee_per_gas = None, ChainError::AmbiguousFees),
        (
            |r| r.max_priority_fee_per_gas = Some("3000000000".into()),
            ChainError::PriorityFeeAboveMaxFee,
        ),
    ];
    for (change, error) in cases {
        let mut request = eip1559_transfer();
        change(&mut request);
        assert_eq!(read(&request), Err(error));
    }
    let mut legacy = eip155_example();
    legacy.access_list = Some(vec![AccessListEntry::default()]);
    assert_eq!(read(&legacy), Err(ChainError::AccessListOnLegacy));
    let mut no_fee = eip155_example();
    no_fee.gas_price = None;
    assert_eq!(read(&no_fee), Err(ChainError::AmbiguousFees));
    let mut bad_key = eip1559_transfer();
    bad_key.access_list = Some(vec![AccessListEntry {
        address: format!("0x{}", "35".repeat(20)),
        storage_keys: vec!["0x01".into()],
    }]);
    assert_eq!(read(&bad_key), Err(ChainError::MalformedStorageKey));
    let mut long_list = eip1559_transfer();
    long_list.access_list = Some(vec![
        AccessListEntry::default();
        MAX_ACCESS_LIST_ENTRIES + 1
    ]);
    assert_eq!(read(&long_list), Err(ChainError::AccessListTooLong));
}
