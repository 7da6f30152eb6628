//! Messages on the probe module: atomicity of traps, queries that leave no
//! trace, heap, stack and instruction limits, replies, calls and callbacks,
//! and moving heap, globals and stable memory between instances.

use super::*;

#[test]
fn should_trap_and_restore_heap_size_globals_and_stable_memory() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&update("write_then_trap"), &env());
    assert_eq!(outcome.result, Err("Canister trapped: unreachable".into()));
    assert_eq!(outcome.response, None);
    assert_same(&before, &instance);
    // The instance still works afterwards.
    let outcome = instance.execute(&update("commit"), &env());
    assert_eq!(outcome.result, Ok(()));
}

#[test]
fn should_leave_no_trace_of_a_query_but_keep_its_reply() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&Entry::Query("mutate".into()), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(42i32.to_le_bytes().to_vec()))
    );
    assert_same(&before, &instance);
    assert!(instance.take_dirty_stable_pages().is_empty());
    assert!(instance.take_dirty_heap_pages().is_empty());
}

#[test]
fn should_trap_on_out_of_bounds_memory_access_instead_of_panicking() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("oob_load"), &env());
    assert_eq!(
        outcome.result,
        Err("Canister trapped: heap out of bounds".into())
    );
    let outcome = instance.execute(&update("oob_reply"), &env());
    let message = outcome.result.unwrap_err();
    assert!(
        message.contains("msg_reply_data_append") && message.contains("out of bounds"),
        "{message}"
    );
}

#[test]
fn should_fail_memory_grow_beyond_the_heap_limit() {
    let mut instance = instance_of(&probe(), 2 * WASM_PAGE);
    let outcome = instance.execute(&update("grow_big"), &env());
    assert_eq!(
        outcome.response,
        Some(Response::Reply((-1i32).to_le_bytes().to_vec()))
    );
    assert_eq!(instance.memory_size(), WASM_PAGE);
}

#[test]
fn should_trap_when_a_query_makes_a_call() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let message = instance
        .execute(&Entry::Query("call".into()), &env())
        .result
        .unwrap_err();
    assert!(
        message.contains("ic0.call_new") && message.contains("query"),
        "{message}"
    );
}

#[test]
fn should_trap_when_replying_twice_or_when_no_reply_is_possible() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let message = instance
        .execute(&update("reply_twice"), &env())
        .result
        .unwrap_err();
    assert!(message.contains("msg_reply"), "{message}");
    let no_reply = MessageEnv {
        can_reply: false,
        ..env()
    };
    let message = instance
        .execute(&update("commit"), &no_reply)
        .result
        .unwrap_err();
    assert!(message.contains("already replied"), "{message}");
}

#[test]
fn should_report_effects_and_dirty_pages_of_a_committed_update() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    instance.take_dirty_heap_pages();
    let outcome = instance.execute(&update("commit"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(5i32.to_le_bytes().to_vec()))
    );
    assert_eq!(outcome.certified_data, Some(5i32.to_le_bytes().to_vec()));
    assert_eq!(outcome.global_timer, Some(123));
    assert!(outcome.instructions > 0);
    assert_eq!(instance.globals(), vec![GlobalValue::I32(9)]);
    assert_eq!(instance.stable_memory().len() as u64, WASM_PAGE);
    // Growth alone does not dirty pages; the write does.
    assert_eq!(instance.take_dirty_stable_pages(), vec![3]);
    assert!(instance.take_dirty_stable_pages().is_empty());
    assert_eq!(instance.take_dirty_heap_pages(), vec![0]);
}

#[test]
fn should_record_an_outgoing_call_and_run_its_callback_through_the_table() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("call"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.response, None);
    let call = &outcome.calls[0];
    assert_eq!(call.callee, Principal::management_canister());
    assert_eq!(call.method_name, "raw_rand");
    assert_eq!(
        call.on_reply,
        Callback {
            fun: CALLBACK,
            env: 77
        }
    );
    assert_eq!(
        call.on_reject,
        Callback {
            fun: CALLBACK,
            env: 78
        }
    );
    let outcome = instance.execute(
        &Entry::Reply {
            callback: call.on_reply,
            payload: Vec::new(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(77i32.to_le_bytes().to_vec()))
    );
    let outcome = instance.execute(
        &Entry::Reply {
            callback: Callback { fun: 999, env: 0 },
            payload: Vec::new(),
        },
        &env(),
    );
    assert!(outcome.result.unwrap_err().contains("callback 999"));
}

#[test]
fn should_trap_on_stack_overflow_and_instruction_limit() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&update("recurse"), &env());
    assert_eq!(
        outcome.result,
        Err("Canister trapped: stack overflow".into())
    );
    let limited = MessageEnv {
        instruction_limit: 1_000_000,
        ..env()
    };
    let outcome = instance.execute(&update("spin"), &limited);
    assert_eq!(
        outcome.result,
        Err(
            "Canister exceeded the limit of 1000000 instructions for single message execution."
                .into()
        )
    );
    assert_eq!(outcome.instructions, 1_000_000);
    assert_same(&before, &instance);
}

#[test]
fn should_use_the_explicit_trap_message() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("explicit_trap"), &env());
    assert_eq!(outcome.result, Err("raw_rand".into()));
}

#[test]
fn should_report_missing_methods_and_skip_missing_hooks() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("nope"), &env());
    assert!(
        outcome
            .result
            .unwrap_err()
            .contains("has no update method 'nope'")
    );
    assert_eq!(instance.execute(&Entry::GlobalTimer, &env()).result, Ok(()));
    let outcome = instance.execute(&Entry::InspectMessage("x".into()), &env());
    assert!(outcome.message_accepted);
    assert_eq!(instance.execute(&Entry::Init, &env()).result, Ok(()));
}

#[test]
fn should_restore_persisted_heap_stable_memory_and_globals_into_a_fresh_instance() {
    let wasm = probe();
    let mut instance = instance_of(&wasm, HEAP_LIMIT);
    assert_eq!(instance.execute(&update("commit"), &env()).result, Ok(()));
    let saved = state(&instance);

    let mut fresh = instance_of(&wasm, HEAP_LIMIT);
    fresh
        .restore(&saved.heap, saved.stable.clone(), &saved.globals)
        .unwrap();
    assert_same(&saved, &fresh);

    // A bigger persisted heap grows the fresh instance.
    let mut bigger = saved.heap.clone();
    bigger.resize(3 * WASM_PAGE as usize, 9);
    fresh.restore(&bigger, Vec::new(), &saved.globals).unwrap();
    assert_eq!(fresh.heap(), &bigger[..]);
    assert!(fresh.stable_memory().is_empty());

    assert!(fresh.restore(&saved.heap, Vec::new(), &[]).is_err());
    assert!(
        fresh
            .restore(&saved.heap[..100], Vec::new(), &saved.globals)
            .is_err()
    );
}

#[test]
fn should_move_stable_memory_between_instances() {
    let wasm = probe();
    let mut instance = instance_of(&wasm, HEAP_LIMIT);
    assert_eq!(instance.execute(&update("commit"), &env()).result, Ok(()));
    let stable = instance.take_stable_memory();
    assert!(instance.stable_memory().is_empty());
    let mut next = instance_of(&wasm, HEAP_LIMIT);
    next.set_stable_memory(stable.clone());
    assert_eq!(next.stable_memory(), &stable[..]);
    assert_eq!(next.take_dirty_stable_pages().len(), 16);
}
