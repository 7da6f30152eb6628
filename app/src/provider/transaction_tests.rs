use serde_json::json;

use super::*;

const FROM: &str = "0x5b38da6a701c568545dcfcb03fcb875f56beddc4";
const TO: &str = "0x3535353535353535353535353535353535353535";

fn read(value: Value) -> Result<TransactionParams, ProviderError> {
    TransactionParams::read(&value)
}

fn refused(value: Value) -> String {
    match read(value) {
        Err(ProviderError::InvalidParams(reason)) => reason,
        other => panic!("expected invalid params, got {other:?}"),
    }
}

#[test]
fn should_read_what_ethers_sends_for_a_transfer() {
    // ethers v6 `getRpcTransaction`: hex quantities, gasLimit as `gas`.
    let params = read(json!({
        "from": FROM, "to": TO, "value": "0xde0b6b3a7640000", "gas": "0x5208", "chainId": "0x7a69"
    }))
    .expect("valid");
    assert_eq!(params.from.as_deref(), Some(FROM));
    assert_eq!(params.to.as_deref(), Some(TO));
    assert_eq!(params.value, Some(1_000_000_000_000_000_000));
    assert_eq!(params.gas, Some(21_000));
    assert_eq!(params.chain_id, Some(31337));
    assert_eq!(
        (params.nonce, params.fees, params.legacy),
        (None, None, false)
    );
}

#[test]
fn should_write_the_request_with_what_the_node_filled_in() {
    let params = read(json!({ "from": FROM, "data": "0x6080AB", "value": "0x0" })).expect("valid");
    let fees = Fees::Eip1559 {
        max_fee_per_gas: 3_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
    };
    let request = params.request(31337, 4, 60_000, fees);
    assert_eq!(request.chain_id, "31337");
    assert_eq!(request.nonce, "0x4");
    assert_eq!(request.to, None, "a contract creation");
    assert_eq!(request.data.as_deref(), Some("0x6080ab"));
    assert_eq!(request.value.as_deref(), Some("0x0"));
    assert_eq!(request.gas, "0xea60");
    assert_eq!(request.max_fee_per_gas.as_deref(), Some("0xb2d05e00"));
    assert_eq!(
        request.max_priority_fee_per_gas.as_deref(),
        Some("0x3b9aca00")
    );
    assert_eq!(request.gas_price, None);

    let legacy = read(json!({ "to": TO, "gasPrice": "0x10", "input": "0x" })).expect("valid");
    assert!(legacy.legacy);
    assert_eq!(legacy.fees, Some(Fees::Legacy { gas_price: 16 }));
    let request = legacy.request(1, 0, 21_000, legacy.fees.expect("fees"));
    assert_eq!(request.gas_price.as_deref(), Some("0x10"));
    assert_eq!(request.max_fee_per_gas, None);
}

#[test]
fn should_keep_the_dapps_fees_and_type() {
    let params = read(json!({
        "type": "0x2", "maxFeePerGas": "0x77359400", "maxPriorityFeePerGas": "0x3b9aca00",
        "accessList": [{ "address": TO, "storageKeys": [format!("0x{}", "00".repeat(32))] }]
    }))
    .expect("valid");
    assert_eq!(
        params.fees,
        Some(Fees::Eip1559 {
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000_000_000
        })
    );
    assert_eq!(params.access_list.map(|list| list.len()), Some(1));
    assert!(read(json!({ "type": "0x0" })).expect("valid").legacy);
}

#[test]
fn should_refuse_what_it_cannot_sign_as_asked() {
    let cases = [
        (json!({ "authorizationList": [] }), "unexpected key"),
        (json!({ "blobVersionedHashes": [] }), "unexpected key"),
        (json!({ "type": "0x1" }), "legacy (type 0x0) and EIP-1559"),
        (json!({ "type": "0x4" }), "legacy (type 0x0) and EIP-1559"),
        (
            json!({ "gasPrice": "0x1", "maxFeePerGas": "0x1" }),
            "either gasPrice",
        ),
        (
            json!({ "type": "0x0", "maxFeePerGas": "0x1" }),
            "either gasPrice",
        ),
        (json!({ "maxFeePerGas": "0x1" }), "both maxFeePerGas"),
        (
            json!({ "maxFeePerGas": "0x1", "maxPriorityFeePerGas": "0x2" }),
            "above maxFeePerGas",
        ),
        (
            json!({ "gas": "0x1", "gasLimit": "0x2" }),
            "gas and gasLimit differ",
        ),
        (
            json!({ "data": "0x01", "input": "0x02" }),
            "data and input differ",
        ),
        (
            json!({ "gasPrice": "0x1", "accessList": [] }),
            "no access list",
        ),
    ];
    for (value, words) in cases {
        let reason = refused(value.clone());
        assert!(reason.contains(words), "{value}: {reason}");
    }
}

#[test]
fn should_refuse_malformed_fields() {
    for value in [
        json!("0x"),
        json!([]),
        json!({ "value": "100" }),
        json!({ "value": 100 }),
        json!({ "value": "0x" }),
        json!({ "value": "0xzz" }),
        json!({ "value": format!("0x1{}", "0".repeat(32)) }),
        json!({ "nonce": "-0x1" }),
        json!({ "chainId": format!("0x1{}", "0".repeat(16)) }),
        json!({ "to": "0x1234" }),
        json!({ "to": "" }),
        json!({ "from": 7 }),
        json!({ "data": "0xabc" }),
        json!({ "data": "abcd" }),
        json!({ "data": format!("0x{}", "00".repeat(MAX_TRANSACTION_DATA_LEN + 1)) }),
        json!({ "accessList": [{ "address": TO }] }),
        json!({ "accessList": [{ "address": TO, "storageKeys": ["0x01"] }] }),
        json!({ "accessList": {} }),
    ] {
        assert!(
            matches!(read(value.clone()), Err(ProviderError::InvalidParams(_))),
            "{value}"
        );
    }
}

#[test]
fn should_read_nulls_as_left_out_and_zero_padded_quantities_as_numbers() {
    let params =
        read(json!({ "to": null, "value": "0x000a", "gas": null, "data": null })).expect("valid");
    assert_eq!(
        (params.to, params.value, params.gas, params.data),
        (None, Some(10), None, None)
    );
    assert_eq!(
        read(json!({ "value": format!("0x{}", "f".repeat(32)) }))
            .expect("valid")
            .value,
        Some(u128::MAX)
    );
}

#[test]
fn should_read_the_fees_the_person_types_in_gwei() {
    let dapps = Fees::Eip1559 {
        max_fee_per_gas: 2_500_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
    };
    assert_eq!(dapps.in_gwei(), ("2.5".into(), Some("1".into())));
    assert_eq!(
        dapps.retyped("3", "1.5"),
        Ok(Fees::Eip1559 {
            max_fee_per_gas: 3_000_000_000,
            max_priority_fee_per_gas: 1_500_000_000
        })
    );
    assert_eq!(
        dapps.retyped("1", "2"),
        Err("The priority fee cannot be above the maximum fee.".into())
    );
    assert!(
        dapps
            .retyped("one", "1")
            .expect_err("refused")
            .starts_with("Maximum fee: ")
    );
    let legacy = Fees::Legacy {
        gas_price: 7_000_000_000,
    };
    assert_eq!(legacy.in_gwei(), ("7".into(), None));
    assert_eq!(
        legacy.retyped("8", ""),
        Ok(Fees::Legacy {
            gas_price: 8_000_000_000
        })
    );
}

#[test]
fn should_ask_the_node_to_estimate_exactly_what_will_be_signed() {
    let params = read(json!({ "to": TO, "value": "0x10", "data": "0xAB" })).expect("valid");
    assert_eq!(
        params.estimate_call(FROM),
        json!({ "from": FROM, "to": TO, "value": "0x10", "data": "0xab" })
    );
    let creation = read(json!({ "data": "0x60" })).expect("valid");
    assert_eq!(
        creation.estimate_call(FROM),
        json!({ "from": FROM, "data": "0x60" })
    );
}
