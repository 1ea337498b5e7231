use super::*;
use proptest::prelude::*;

fn security() -> impl Strategy<Value = Security> {
    (0usize..4, any::<bool>(), any::<bool>(), prop::option::of(0u8..=MAX_LEVEL)).prop_map(|(a, encrypts, erases, configured_level)| Security {
        auth: AuthMethod::ALL[a],
        encrypts,
        erases,
        configured_level,
    })
}

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![Just(Rule::Components), Just(Rule::LevelOnly)]
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
        let better = Security { encrypts: true, erases: true, auth: AuthMethod::Biometric.max(s.auth), configured_level: None };
        prop_assert!(better.derived_level() >= s.derived_level());
        prop_assert!(s.derived_level() <= MAX_LEVEL);
    }
}

#[test]
fn biometrics_without_encryption_does_not_stand_in_for_an_encrypting_pin_printer() {
    let first = Security { auth: AuthMethod::Pin, encrypts: true, ..Default::default() };
    let bio = Security { auth: AuthMethod::Biometric, ..Default::default() };
    let err = qualifies(&bio, &first, Rule::Components).expect_err("refused");
    assert_eq!(err.to_string(), "it does not encrypt job data");
    // The level alone would let it through (3 against 2).
    assert!(qualifies(&bio, &first, Rule::LevelOnly).is_ok());
}

#[test]
fn a_configured_level_beats_the_derived_one() {
    let mut s = Security { auth: AuthMethod::IdCard, encrypts: true, erases: true, configured_level: None };
    assert_eq!(s.level(), 4);
    s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Integer(2))).expect("set");
    assert_eq!(s.level(), 2);
    assert!(s.attributes().iter().any(|a| a.name == v::SECURITY_LEVEL_SOURCE && a.first_str() == Some("configured")));
    s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Name("auto".into()))).expect("auto");
    assert_eq!(s.level(), 4);
    assert!(s.set(&Attribute::new(v::SECURITY_LEVEL, Value::Integer(6))).is_err());
    assert!(s.set(&Attribute::new(v::AUTHENTICATION_METHOD, Value::Name("retina".into()))).is_err());
}

#[test]
fn lp_style_text_values_are_accepted() {
    let mut s = Security::default();
    assert_eq!(s.set(&Attribute::new(v::AUTHENTICATION_METHOD, Value::Name("ID-Card".into()))), Ok(true));
    assert_eq!(s.set(&Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Name("yes".into()))), Ok(true));
    assert_eq!(s.set(&Attribute::new("printer-info", Value::Text("x".into()))), Ok(false));
    assert_eq!(s, Security { auth: AuthMethod::IdCard, encrypts: true, erases: false, configured_level: None });
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
    assert_eq!((s.auth, s.encrypts, s.erases), (AuthMethod::Pin, true, false));
    // The same device reached without TLS encrypts nothing on the way.
    assert!(!Security::from_device(&standard, "ipp://p/ipp/print").encrypts);
    assert_eq!(Security::from_device(&[], "socket://p"), Security::default());
}
