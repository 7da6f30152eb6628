//! A canister's life: creation, settings, status, deletion.

use super::*;

#[test]
fn a_canister_lifecycle_runs_from_provisional_creation_to_deletion() {
    let mut context = FakeContext::new();
    let specified = canister_id(500);
    let arg = Encode!(&ic::ProvisionalCreateCanisterWithCyclesArgs {
        amount: Some(Nat::from(7_000u32)),
        settings: None,
        specified_id: Some(specified),
        sender_canister_version: None,
    })
    .unwrap();
    let reply = dispatch(
        &mut context,
        ingress(),
        "provisional_create_canister_with_cycles",
        &arg,
        0,
    )
    .unwrap();
    let created = Decode!(&reply, ic::CanisterIdRecord).unwrap().canister_id;
    assert_eq!(created, specified);
    assert_eq!(context.controllers(&created), Some(vec![user()]));
    assert_eq!(
        effective_canister_id("provisional_create_canister_with_cycles", &arg),
        Some(specified)
    );
    // The same id again is refused.
    let error = dispatch(
        &mut context,
        ingress(),
        "provisional_create_canister_with_cycles",
        &arg,
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0205"));

    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: created
    })
    .unwrap();
    let top_up = Encode!(&ic::ProvisionalTopUpCanisterArgs {
        canister_id: created,
        amount: Nat::from(3_000u32),
    })
    .unwrap();
    dispatch(
        &mut context,
        ingress(),
        "provisional_top_up_canister",
        &top_up,
        0,
    )
    .unwrap();

    let reply = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap();
    let status = Decode!(&reply, ic::CanisterStatusResult).unwrap();
    assert_eq!(status.status, ic::CanisterStatusType::Running);
    assert_eq!(status.cycles, Nat::from(10_000u32));
    assert_eq!(status.settings.controllers, vec![user()]);
    assert_eq!(status.module_hash, None);
    assert_eq!(status.memory_size, Nat::from(4096u32));

    // The canister may ask for its own status; others may not.
    dispatch(
        &mut context,
        CallOrigin::Canister(created),
        "canister_status",
        &record,
        0,
    )
    .unwrap();
    assert!(
        dispatch(
            &mut context,
            CallOrigin::Canister(canister_id(1)),
            "canister_status",
            &record,
            0
        )
        .is_err()
    );

    // Deleting a running canister fails.
    let error = dispatch(&mut context, ingress(), "delete_canister", &record, 0).unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0510"));
    assert_eq!(
        error.message,
        format!("Canister {created} must be stopped before it is deleted.")
    );

    dispatch(&mut context, ingress(), "stop_canister", &record, 0).unwrap();
    let reply = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap();
    assert_eq!(
        Decode!(&reply, ic::CanisterStatusResult).unwrap().status,
        ic::CanisterStatusType::Stopped
    );
    dispatch(&mut context, ingress(), "start_canister", &record, 0).unwrap();
    dispatch(&mut context, ingress(), "stop_canister", &record, 0).unwrap();
    dispatch(&mut context, ingress(), "delete_canister", &record, 0).unwrap();
    let error = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap_err();
    assert_eq!(error.code, RejectCode::DestinationInvalid);
    assert_eq!(error.error_code.as_deref(), Some("IC0301"));
}

#[test]
fn update_settings_changes_controllers_and_enforces_the_limit() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let settings = |controllers: Vec<Principal>| {
        Encode!(&ic::UpdateSettingsArgs {
            canister_id: canister,
            settings: ic::CanisterSettings {
                controllers: Some(controllers),
                freezing_threshold: Some(Nat::from(1u8)),
                ..Default::default()
            },
            sender_canister_version: None,
        })
        .unwrap()
    };
    let error = dispatch(
        &mut context,
        ingress(),
        "update_settings",
        &settings(vec![canister_id(1); 11]),
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);

    dispatch(
        &mut context,
        ingress(),
        "update_settings",
        &settings(vec![canister_id(1)]),
        0,
    )
    .unwrap();
    assert_eq!(context.controllers(&canister), Some(vec![canister_id(1)]));
    // The user no longer controls it.
    assert!(
        dispatch(
            &mut context,
            ingress(),
            "update_settings",
            &settings(vec![user()]),
            0
        )
        .is_err()
    );
}

#[test]
fn create_canister_from_a_canister_defaults_controllers_to_the_caller_and_keeps_the_cycles() {
    let mut context = FakeContext::new();
    let parent = canister_id(9);
    let arg = Encode!(&ic::CreateCanisterArgs::default()).unwrap();
    let reply = dispatch(
        &mut context,
        CallOrigin::Canister(parent),
        "create_canister",
        &arg,
        123,
    )
    .unwrap();
    let child = Decode!(&reply, ic::CanisterIdRecord).unwrap().canister_id;
    assert_eq!(context.controllers(&child), Some(vec![parent]));
    assert_eq!(context.canisters[&child].cycles, 123);
    assert_eq!(cycles_consumed("create_canister", 123), 123);

    let deposit = Encode!(&ic::CanisterIdRecord { canister_id: child }).unwrap();
    dispatch(
        &mut context,
        CallOrigin::Canister(parent),
        "deposit_cycles",
        &deposit,
        7,
    )
    .unwrap();
    assert_eq!(context.canisters[&child].cycles, 130);
}

#[test]
fn a_canister_cannot_delete_itself() {
    let (mut context, canister) = FakeContext::with_canister(vec![]);
    context.canisters.get_mut(&canister).unwrap().controllers = vec![canister];
    context.canisters.get_mut(&canister).unwrap().status = RunStatus::Stopped;
    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: canister
    })
    .unwrap();
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister),
        "delete_canister",
        &record,
        0,
    )
    .unwrap_err();
    assert_eq!(
        error.message,
        format!("Canister {canister} cannot delete itself.")
    );
}
