//! `install_code`: controllers, install modes checked against the module,
//! gzipped modules.

use super::*;

#[test]
fn a_non_controller_cannot_install_code() {
    let (mut context, canister) = FakeContext::with_canister(vec![canister_id(99)]);
    let arg = install_arg(canister, ic::CanisterInstallMode::Install, WASM);

    let error = dispatch(&mut context, ingress(), "install_code", &arg, 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);
    assert_eq!(error.error_code.as_deref(), Some("IC0512"));
    assert_eq!(
        error.message,
        format!("Only controllers of canister {canister} can call ic00 method install_code")
    );
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(5)),
        "install_code",
        &arg,
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0512"));
    assert!(context.installs.is_empty());
    assert_eq!(
        check_ingress(&context, &user(), "install_code", &arg)
            .unwrap_err()
            .error_code
            .as_deref(),
        Some("IC0512")
    );

    // The controller may.
    dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(99)),
        "install_code",
        &arg,
        0,
    )
    .unwrap();
    assert_eq!(context.installs.len(), 1);
}

#[test]
fn install_modes_reach_the_replica_and_are_checked_against_the_module() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let upgrade = |skip| {
        ic::CanisterInstallMode::Upgrade(Some(ic::UpgradeFlags {
            skip_pre_upgrade: skip,
            wasm_memory_persistence: None,
        }))
    };
    // Upgrading an empty canister fails.
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, upgrade(None), WASM),
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0537"));

    let reply = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, ic::CanisterInstallMode::Install, WASM),
        0,
    )
    .unwrap();
    assert_eq!(reply, Encode!().unwrap());
    // A second install fails: the canister is not empty.
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, ic::CanisterInstallMode::Install, WASM),
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);

    for (mode, expected) in [
        (
            upgrade(Some(true)),
            InstallMode::Upgrade {
                skip_pre_upgrade: true,
            },
        ),
        (
            upgrade(None),
            InstallMode::Upgrade {
                skip_pre_upgrade: false,
            },
        ),
        (
            ic::CanisterInstallMode::Upgrade(None),
            InstallMode::Upgrade {
                skip_pre_upgrade: false,
            },
        ),
        (ic::CanisterInstallMode::Reinstall, InstallMode::Reinstall),
    ] {
        dispatch(
            &mut context,
            ingress(),
            "install_code",
            &install_arg(canister, mode, WASM),
            0,
        )
        .unwrap();
        let last = context.installs.last().unwrap();
        assert_eq!(last.1, expected);
        assert_eq!(last.2, WASM);
        assert_eq!(last.3, vec![1, 2, 3]);
        assert_eq!(last.4, user());
    }
    assert_eq!(context.installs[0].1, InstallMode::Install);
}

#[test]
fn a_gzipped_module_is_rejected_with_a_clear_message() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(
            canister,
            ic::CanisterInstallMode::Install,
            &[0x1f, 0x8b, 8, 0],
        ),
        0,
    )
    .unwrap_err();
    assert!(error.message.contains("gzip"), "{}", error.message);
    assert!(context.installs.is_empty());
}
