//! Payload and call limits of one message, long trap messages, and refunded
//! cycles.

use super::*;

const LIMIT_IMPORTS: &[&str] = &[
    "msg_reply_data_append",  // 0
    "msg_reply",              // 1
    "call_new",               // 2
    "call_data_append",       // 3
    "call_perform",           // 4
    "msg_reject",             // 5
    "trap",                   // 6
    "msg_cycles_refunded128", // 7
];

/// `body` run `times` times (local 0 counts).
fn repeat(times: i32, body: Vec<I<'static>>) -> Vec<I<'static>> {
    let mut b = vec![I::Loop(wasm_encoder::BlockType::Empty)];
    b.extend(body);
    b.extend([
        I::LocalGet(0),
        I::I32Const(1),
        I::I32Add,
        I::LocalTee(0),
        I::I32Const(times),
        I::I32LtU,
        I::BrIf(0),
        I::End,
    ]);
    b
}

/// `call_new` of `raw_rand` on the management canister.
fn call_new() -> Vec<I<'static>> {
    vec![
        I::I32Const(400),
        I::I32Const(0),
        I::I32Const(500),
        I::I32Const(8),
        I::I32Const(0),
        I::I32Const(0),
        I::I32Const(0),
        I::I32Const(0),
        I::Call(2),
    ]
}

fn limits_module() -> Vec<u8> {
    let page = 65_536;
    let append_page = vec![I::I32Const(0), I::I32Const(page), I::Call(0)];
    let funcs = vec![
        func("canister_update reply_2mib", {
            let mut b = repeat(32, append_page.clone());
            b.push(I::Call(1));
            b
        }),
        func("canister_update reply_too_big", {
            let mut b = repeat(33, append_page.clone());
            b.push(I::Call(1));
            b
        }),
        func(
            "canister_update reject_too_big",
            // The heap is one page: a 2 MiB + 1 reject message is out of
            // bounds or too big, a trap either way; grow it first.
            vec![
                I::I32Const(40),
                I::MemoryGrow(0),
                I::Drop,
                I::I32Const(0),
                I::I32Const(2 * 1024 * 1024 + 1),
                I::Call(5),
            ],
        ),
        func(
            "canister_update trap_huge",
            vec![
                I::I32Const(40),
                I::MemoryGrow(0),
                I::Drop,
                I::I32Const(0),
                I::I32Const(40 * 65_536),
                I::Call(6),
            ],
        ),
        TestFunc {
            export: None,
            params: vec![ValType::I32],
            body: vec![
                I::I32Const(700),
                I::Call(7),
                I::I32Const(700),
                I::I32Const(16),
                I::Call(0),
                I::Call(1),
            ],
        },
        func("canister_update call_arg_too_big", {
            let mut b = call_new();
            b.extend(repeat(
                33,
                vec![I::I32Const(0), I::I32Const(page), I::Call(3)],
            ));
            b.extend([I::Call(4), I::Drop]);
            b
        }),
        func("canister_update many_calls", {
            let mut body = call_new();
            body.extend([
                I::I32Const(600),
                I::I32Const(600),
                I::I32Load(MemArg {
                    offset: 0,
                    align: 2,
                    memory_index: 0,
                }),
                I::Call(4),
                I::I32Add,
                I::I32Store(MemArg {
                    offset: 0,
                    align: 2,
                    memory_index: 0,
                }),
            ]);
            let mut b = repeat(MAX_CALLS_PER_MESSAGE as i32 + 100, body);
            b.extend([I::I32Const(600), I::I32Const(4), I::Call(0), I::Call(1)]);
            b
        }),
    ];
    build(LIMIT_IMPORTS, funcs)
}

#[test]
fn should_trap_when_a_reply_reject_or_call_argument_exceeds_the_payload_limit() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let outcome = instance.execute(&update("reply_2mib"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert!(matches!(
        outcome.response,
        Some(Response::Reply(bytes)) if bytes.len() == MAX_PAYLOAD_BYTES as usize
    ));
    for method in ["reply_too_big", "reject_too_big", "call_arg_too_big"] {
        let outcome = instance.execute(&update(method), &env());
        let message = outcome.result.unwrap_err();
        assert!(message.contains("payload"), "{method}: {message}");
        assert!(outcome.calls.is_empty() && outcome.response.is_none());
    }
}

#[test]
fn should_refuse_calls_beyond_the_bound_of_one_message() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let outcome = instance.execute(&update("many_calls"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.calls.len(), MAX_CALLS_PER_MESSAGE);
    // Each refused `call_perform` returned SYS_TRANSIENT (2).
    assert_eq!(
        outcome.response,
        Some(Response::Reply(200i32.to_le_bytes().to_vec()))
    );
}

#[test]
fn should_cut_a_long_trap_message() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let message = instance
        .execute(&update("trap_huge"), &env())
        .result
        .unwrap_err();
    assert!(message.len() <= 32 * 1024, "{} bytes", message.len());
}

#[test]
fn should_show_a_callback_the_cycles_refunded_with_its_response() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let refunded = MessageEnv {
        cycles_refunded: 7,
        ..env()
    };
    let callback = Callback { fun: 4, env: 0 };
    for entry in [
        Entry::Reply {
            callback,
            payload: Vec::new(),
        },
        Entry::Reject {
            callback,
            code: 4,
            message: "no".into(),
        },
    ] {
        let outcome = instance.execute(&entry, &refunded);
        assert_eq!(outcome.result, Ok(()));
        assert_eq!(
            outcome.response,
            Some(Response::Reply(7u128.to_le_bytes().to_vec()))
        );
    }
}
