use super::*;
use crate::model::{AccessRules, Settings};
use quire_config::{Access, Limit, Location, Policy};
use std::sync::Arc;

fn scheduler(locations: Vec<Location>, policy: Policy) -> Scheduler {
    let rules = AccessRules {
        policies: vec![policy],
        locations,
        default_policy: "default".into(),
        default_auth_type: AuthType::Basic,
        default_encryption: quire_config::Encryption::IfRequested,
    };
    let mut s = Scheduler::new(Settings { access: Some(Arc::new(rules)), ..Settings::default() });
    let p = crate::ops::admin::new_printer(&mut s, "Desk", false, 0);
    s.printers.insert("desk".into(), p);
    s
}

fn limit(ops: &[&str], auth: Option<AuthType>) -> Limit {
    Limit {
        operations: ops.iter().map(|o| o.to_string()).collect(),
        except: false,
        access: Access { auth_type: auth, ..Access::default() },
        loc: here(),
    }
}

fn here() -> quire_config::Loc {
    quire_config::Loc { file: "cupsd.conf".into(), line: 1, col: 1 }
}

fn policy(limits: Vec<Limit>) -> Policy {
    Policy { name: "default".into(), limits, ..Policy::cupsd_default() }
}

fn air(s: &Scheduler) -> Vec<String> {
    queue_facts(s, s.printer("desk").expect("desk")).auth_info_required
}

#[test]
fn air_follows_the_location_then_the_policy_as_in_cupsd() {
    // cupsd's stock policy asks nothing of Print-Job: no `air` key.
    let stock = scheduler(Vec::new(), policy(vec![limit(&["Print-Job"], None)]));
    assert!(air(&stock).is_empty());
    // A policy that wants a login for Print-Job.
    let login = scheduler(Vec::new(), policy(vec![limit(&["Print-Job"], Some(AuthType::Default))]));
    assert_eq!(air(&login), ["username", "password"]);
    // A <Location /printers/Desk> that wants Kerberos wins over the policy.
    let loc = Location {
        path: "/printers/Desk".into(),
        access: Access { auth_type: Some(AuthType::Negotiate), ..Access::default() },
        limits: Vec::new(),
        loc: here(),
    };
    let kerberos = scheduler(vec![loc], policy(vec![limit(&["Print-Job"], Some(AuthType::Basic))]));
    assert_eq!(air(&kerberos), ["negotiate"]);
    // A policy that says nothing of Print-Job at all: cupsd advertises `none`.
    let silent = scheduler(Vec::new(), policy(vec![limit(&["Cancel-Job"], Some(AuthType::Basic))]));
    assert_eq!(air(&silent), ["none"]);
}

#[test]
fn the_queue_s_own_auth_info_required_comes_first() {
    let mut s = scheduler(Vec::new(), policy(vec![limit(&["Print-Job"], None)]));
    let attr = quire_ipp::Attribute::set(
        "auth-info-required",
        vec![Value::Keyword("domain".into()), Value::Keyword("username".into())],
    );
    s.printer_mut("desk").expect("desk").set_capability(attr);
    assert_eq!(air(&s), ["domain", "username"]);
}

#[test]
fn shared_queues_leave_out_temporary_and_unshared_ones() {
    let mut s = scheduler(Vec::new(), policy(Vec::new()));
    for (name, shared, temporary) in [("b", true, false), ("c", false, false), ("t", true, true)] {
        let mut p = crate::ops::admin::new_printer(&mut s, name, false, 0);
        (p.shared, p.temporary) = (shared, temporary);
        s.printers.insert(name.into(), p);
    }
    let names: Vec<(String, String)> =
        shared_queues(&s).into_iter().map(|(k, q)| (k, q.name)).collect();
    assert_eq!(
        names,
        [("b".to_string(), "b".to_string()), ("desk".into(), "Desk".into())],
        "DefaultShared made Desk shared"
    );
}
