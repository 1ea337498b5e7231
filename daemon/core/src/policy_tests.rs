use super::*;
use quire_config::{Access, AuthType, Encryption, HostRule, Order, Require, Satisfy};

fn remote(user: &str) -> Requester {
    Requester {
        user: user.into(),
        host: "10.0.0.2".into(),
        addr: Some([10, 0, 0, 2].into()),
        ..Default::default()
    }
}

fn owner_or_system() -> Access {
    Access {
        require: Some(Require::User(vec!["@OWNER".into(), "@SYSTEM".into()])),
        order: Some(Order::DenyAllow),
        ..Default::default()
    }
}

fn check(access: &Access, who: &Requester, pin: bool) -> Decision {
    evaluate(access, AuthType::Basic, who, Owner { name: Some("alice"), pin }, "Release-Job job #1")
}

#[test]
fn a_pin_stands_for_the_owner() {
    let access = owner_or_system();
    assert!(matches!(check(&access, &remote("mallory"), false), Decision::Unauthenticated(_)));
    assert_eq!(check(&access, &remote("mallory"), true), Decision::Allow);
    // Also where the owner would have to prove who they are: the PIN is that proof.
    let authenticated = Access { auth_type: Some(AuthType::Default), ..owner_or_system() };
    assert_eq!(check(&authenticated, &remote("mallory"), true), Decision::Allow);
}

#[test]
fn a_pin_does_not_lift_host_rules_or_stand_for_anyone_else() {
    let denied = Access {
        deny: vec![HostRule::Net { addr: [10, 0, 0, 0].into(), prefix: 8 }],
        ..owner_or_system()
    };
    assert!(matches!(check(&denied, &remote("mallory"), true), Decision::Forbidden(_)));
    let admins = Access {
        auth_type: Some(AuthType::Basic),
        require: Some(Require::User(vec!["@SYSTEM".into()])),
        ..Default::default()
    };
    assert!(matches!(check(&admins, &remote("mallory"), true), Decision::Unauthenticated(_)));
    let no_owner = evaluate(
        &owner_or_system(),
        AuthType::Basic,
        &remote("mallory"),
        Owner { name: None, pin: true },
        "x",
    );
    assert!(matches!(no_owner, Decision::Unauthenticated(_)), "nothing to own");
}

#[test]
fn encryption_required_sends_remote_plain_clients_to_tls_first() {
    let access = Access { encryption: Some(Encryption::Required), ..Default::default() };
    let plain = remote("alice");
    assert!(matches!(check(&access, &plain, false), Decision::UpgradeRequired(_)));
    let tls = Requester { tls: true, ..remote("alice") };
    assert_eq!(check(&access, &tls, false), Decision::Allow);
    let local = Requester { user: "alice".into(), ..Default::default() };
    assert_eq!(
        check(&access, &local, false),
        Decision::Allow,
        "the socket and loopback are not sent to TLS"
    );
    let any = Access { satisfy: Some(Satisfy::Any), ..access.clone() };
    assert_eq!(check(&any, &plain, false), Decision::Allow, "as cupsd: only with Satisfy all");
    // Host rules come first: a refused host hears 403, not an invitation to upgrade.
    let denied = Access { order: Some(Order::AllowDeny), ..access };
    assert!(matches!(check(&denied, &plain, false), Decision::Forbidden(_)));
}

#[test]
fn an_upgrade_is_a_401_under_default_encryption_required_else_a_refusal() {
    let mut rules = AccessRules {
        policies: Vec::new(),
        locations: Vec::new(),
        default_policy: "default".into(),
        default_auth_type: AuthType::Basic,
        default_encryption: Encryption::Required,
    };
    let upgrade = || Decision::UpgradeRequired("Encryption is required to Pause-Printer.".into());
    assert_eq!(upgrade().into_op_result(&rules), Err(IppError::NotAuthenticated));
    rules.default_encryption = Encryption::IfRequested;
    match upgrade().into_op_result(&rules) {
        Err(IppError::Forbidden(m)) => assert!(m.contains("TLS"), "{m}"),
        other => panic!("{other:?}"),
    }
}
