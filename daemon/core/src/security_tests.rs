use super::*;
use crate::model::{ReleaseAuth, MAX_LEVEL};
use proptest::prelude::*;

fn security() -> impl Strategy<Value = Security> {
    (0usize..4, any::<bool>(), any::<bool>(), prop::option::of(0u8..=MAX_LEVEL)).prop_map(
        |(a, encrypts, erases, configured_level)| Security {
            auth: ReleaseAuth::ALL[a],
            encrypts,
            erases,
            configured_level,
        },
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![Just(Rule::Components), Just(Rule::LevelOnly)]
}

fn bare_printer(name: &str) -> Printer {
    crate::ops::admin::new_printer(&mut crate::model::Scheduler::default(), name, false, 0)
}

/// Any printer: facts, who vouches, a claim, class or not, temporary or not.
fn printer() -> impl Strategy<Value = Printer> {
    (security(), 0usize..3, prop::option::of(security()), any::<bool>(), any::<bool>()).prop_map(
        |(facts, trust, claim, is_class, temporary)| {
            let mut p = bare_printer("p");
            (p.security, p.trust, p.claim, p.is_class, p.temporary) =
                (facts, Trust::ALL[trust], claim, is_class, temporary);
            p
        },
    )
}

fn fact() -> impl Strategy<Value = Attribute> {
    prop_oneof![
        (0usize..4).prop_map(|a| Attribute::new(
            v::AUTHENTICATION_METHOD,
            Value::Keyword(ReleaseAuth::ALL[a].keyword().into())
        )),
        any::<bool>().prop_map(|b| Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Boolean(b))),
        any::<bool>().prop_map(|b| Attribute::new(v::ERASES_STORAGE, Value::Boolean(b))),
        (0i32..=5).prop_map(|l| Attribute::new(v::SECURITY_LEVEL, Value::Integer(l))),
    ]
}

proptest! {
    #[test]
    fn every_printer_qualifies_for_its_own_jobs(s in security(), r in rule()) {
        prop_assert!(qualifies(&s, &s, r).is_ok());
    }

    #[test]
    fn a_qualifying_printer_is_never_weaker_in_anything(c in security(), f in security()) {
        if qualifies(&c, &f, Rule::Components).is_ok() {
            prop_assert!(c.auth >= f.auth);
            prop_assert!(c.encrypts || !f.encrypts);
            prop_assert!(c.erases || !f.erases);
            prop_assert!(c.level() >= f.level());
        }
        if qualifies(&c, &f, Rule::LevelOnly).is_ok() {
            prop_assert!(c.level() >= f.level());
        }
    }

    #[test]
    fn a_refusal_names_each_shortfall(c in security(), f in security()) {
        match qualifies(&c, &f, Rule::Components) {
            Ok(()) => {}
            Err(Shortfall(why)) => {
                let expected = usize::from(c.auth < f.auth) + usize::from(f.encrypts && !c.encrypts)
                    + usize::from(f.erases && !c.erases) + usize::from(c.level() < f.level());
                prop_assert_eq!(why.len(), expected);
            }
        }
    }

    #[test]
    fn the_rule_is_transitive(a in security(), b in security(), c in security(), r in rule()) {
        if qualifies(&a, &b, r).is_ok() && qualifies(&b, &c, r).is_ok() {
            prop_assert!(qualifies(&a, &c, r).is_ok());
        }
    }

    #[test]
    fn components_is_stricter_than_level_only(c in security(), f in security()) {
        if qualifies(&c, &f, Rule::Components).is_ok() {
            prop_assert!(qualifies(&c, &f, Rule::LevelOnly).is_ok());
        }
    }

    #[test]
    fn more_protection_never_lowers_the_derived_level(s in security()) {
        let better = Security { encrypts: true, erases: true, auth: ReleaseAuth::Biometric.max(s.auth), configured_level: None };
        prop_assert!(better.derived_level() >= s.derived_level());
        prop_assert!(s.derived_level() <= MAX_LEVEL);
    }
}

proptest! {
    #[test]
    fn only_printers_an_administrator_vouches_for_ever_qualify(c in printer(), f in printer(), r in rule()) {
        if printer_qualifies(&c, &f, r).is_ok() {
            for p in [&c, &f] {
                prop_assert!(p.trust.vouched() && !p.is_class && !p.temporary);
            }
            prop_assert!(qualifies(&c.security, &f.security, r).is_ok());
        }
    }

    #[test]
    fn between_vouched_printers_the_rule_decides(mut c in printer(), mut f in printer(), r in rule()) {
        for p in [&mut c, &mut f] {
            (p.is_class, p.temporary, p.trust) = (false, false, Trust::Configured);
        }
        prop_assert_eq!(printer_qualifies(&c, &f, r).is_ok(), qualifies(&c.security, &f.security, r).is_ok());
    }

    #[test]
    fn a_claim_alone_never_qualifies_a_printer(claim in security(), f in printer(), r in rule()) {
        let mut p = bare_printer("rogue");
        take_claim(&mut p, claim);
        prop_assert_eq!(p.security, Security::default());
        let why = printer_qualifies(&p, &f, r).expect_err("an unconfirmed claim").to_string();
        prop_assert!(why.contains("not confirmed") || why.contains("where the job was sent"), "{}", why);
    }

    #[test]
    fn a_fact_set_on_an_unconfirmed_printer_takes_nothing_from_the_claim(claim in security(), a in fact()) {
        let mut p = bare_printer("p");
        take_claim(&mut p, claim);
        prop_assert_eq!(admin_set(&mut p, &a), Ok(true));
        let mut expected = Security::default();
        expected.set(&a).expect("a valid fact");
        prop_assert_eq!((p.security, p.trust), (expected, Trust::Configured));
    }

    #[test]
    fn confirming_puts_exactly_the_claim_in_effect(claim in security(), before in printer()) {
        let mut p = Printer { is_class: false, temporary: false, ..before };
        take_claim(&mut p, claim);
        admin_set(&mut p, &Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(true))).expect("confirm");
        prop_assert_eq!((p.security, p.trust), (claim, Trust::Confirmed));
        admin_set(&mut p, &Attribute::new(v::SECURITY_CONFIRMED, Value::Name("no".into()))).expect("withdraw");
        prop_assert_eq!((p.security, p.trust), (Security::default(), Trust::Unconfirmed));
    }
}

#[test]
fn classes_temporary_queues_and_unconfirmed_printers_say_why_they_do_not_qualify() {
    let mut first = bare_printer("office");
    first.trust = Trust::Configured;
    let mut c = bare_printer("c");
    c.trust = Trust::Configured;
    assert!(printer_qualifies(&c, &first, Rule::Components).is_ok());
    let why = |p: &Printer, f: &Printer| {
        printer_qualifies(p, f, Rule::Components).expect_err("refused").to_string()
    };
    assert_eq!(why(&Printer { temporary: true, ..c.clone() }, &first), "it is a temporary queue");
    assert_eq!(why(&Printer { is_class: true, ..c.clone() }, &first), "it is a class");
    assert_eq!(
        why(&Printer { trust: Trust::Unconfirmed, ..c.clone() }, &first),
        "its security facts are not confirmed by an administrator"
    );
    assert_eq!(
        why(&c, &Printer { trust: Trust::Unconfirmed, ..first.clone() }),
        "\"office\", where the job was sent, cannot be compared with: its security facts are not confirmed by an administrator"
    );
    first.security.auth = ReleaseAuth::Pin;
    assert_eq!(why(&c, &first), "it is less secure than \"office\" (pin; level 1): its authentication (none) is weaker than pin; its security level 0 is below 1");
}

#[test]
fn biometrics_without_encryption_does_not_stand_in_for_an_encrypting_pin_printer() {
    let first = Security { auth: ReleaseAuth::Pin, encrypts: true, ..Default::default() };
    let bio = Security { auth: ReleaseAuth::Biometric, ..Default::default() };
    let err = qualifies(&bio, &first, Rule::Components).expect_err("refused");
    assert_eq!(err.to_string(), "it does not encrypt job data");
    // The level alone would let it through (3 against 2).
    assert!(qualifies(&bio, &first, Rule::LevelOnly).is_ok());
}

#[test]
fn a_configured_level_beats_the_derived_one() {
    let mut s = Security {
        auth: ReleaseAuth::IdCard,
        encrypts: true,
        erases: true,
        configured_level: None,
    };
    assert_eq!(s.level(), 4);
    s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Integer(2))).expect("set");
    assert_eq!(s.level(), 2);
    assert!(s
        .attributes()
        .iter()
        .any(|a| a.name == v::SECURITY_LEVEL_SOURCE && a.first_str() == Some("configured")));
    s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Name("auto".into()))).expect("auto");
    assert_eq!(s.level(), 4);
    assert!(s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Integer(6))).is_err());
    assert!(s
        .set(&Attribute::new(v::AUTHENTICATION_METHOD, Value::Name("retina".into())))
        .is_err());
}

#[test]
fn lp_style_text_values_are_accepted() {
    let mut s = Security::default();
    assert_eq!(
        s.set(&Attribute::new(v::AUTHENTICATION_METHOD, Value::Name("ID-Card".into()))),
        Ok(true)
    );
    assert_eq!(s.set(&Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Name("yes".into()))), Ok(true));
    assert_eq!(s.set(&Attribute::new("printer-info", Value::Text("x".into()))), Ok(false));
    assert_eq!(
        s,
        Security {
            auth: ReleaseAuth::IdCard,
            encrypts: true,
            erases: false,
            configured_level: None
        }
    );
}

#[test]
fn device_facts_are_read_from_quire_attributes_then_standard_ones() {
    let quire = vec![
        Attribute::new(v::AUTHENTICATION_METHOD, Value::Keyword("biometric".into())),
        Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Boolean(true)),
        Attribute::new(v::ERASES_STORAGE, Value::Boolean(true)),
    ];
    assert_eq!(Security::from_device(&quire, "ipp://p/ipp/print").level(), 5);
    let standard = vec![
        Attribute::new("job-release-action-supported", Value::Keyword("owner-authorized".into())),
        Attribute::new("uri-security-supported", Value::Keyword("tls".into())),
    ];
    let s = Security::from_device(&standard, "ipps://p/ipp/print");
    assert_eq!((s.auth, s.encrypts, s.erases), (ReleaseAuth::Pin, true, false));
    // The same device reached without TLS encrypts nothing on the way.
    assert!(!Security::from_device(&standard, "ipp://p/ipp/print").encrypts);
    assert_eq!(Security::from_device(&[], "socket://p"), Security::default());
}
