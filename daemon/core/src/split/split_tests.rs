use super::*;
use crate::model::SplitPolicy;

fn attr_kw(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Keyword(v.into()))
}

#[test]
fn policy_attributes_roundtrip_through_set() {
    let policy = SplitPolicy {
        mode: SplitMode::Manual,
        printers: vec!["a".into(), "b".into()],
        fallback: Fallback::Hold,
        min_copies: 100,
        min_pages: 200,
    };
    let mut back = SplitPolicy::default();
    for a in policy.attributes() {
        assert_eq!(back.set(&a), Ok(true), "{a:?}");
    }
    assert_eq!(back, policy);
}

#[test]
fn policy_values_from_lpadmin_style_text() {
    let mut p = SplitPolicy::default();
    assert_eq!(
        p.set(&Attribute::new(v::SPLIT_PRINTERS_DEFAULT, Value::Name("a, b".into()))),
        Ok(true)
    );
    assert_eq!(p.printers, ["a", "b"]);
    assert_eq!(p.set(&Attribute::new(v::SPLIT_MIN_PAGES, Value::Name("200".into()))), Ok(true));
    assert_eq!(p.min_pages, 200);
    assert!(p.set(&attr_kw(v::SPLIT_DEFAULT, "sometimes")).is_err());
    assert!(p.set(&Attribute::new(v::SPLIT_MIN_COPIES, Value::Integer(-1))).is_err());
    assert_eq!(p.set(&attr_kw("printer-info", "x")), Ok(false));
}

#[test]
fn thresholds_pick_the_jobs_a_policy_applies_to() {
    let p = SplitPolicy {
        mode: SplitMode::Auto,
        min_copies: 100,
        min_pages: 200,
        ..Default::default()
    };
    assert!(!p.applies(99, Some(199)));
    assert!(p.applies(100, Some(1)));
    assert!(p.applies(1, Some(200)));
    assert!(!p.applies(1, None), "uncounted pages do not meet a pages threshold");
    let every = SplitPolicy { mode: SplitMode::Auto, ..Default::default() };
    assert!(every.applies(1, None));
    assert!(!SplitPolicy::default().applies(1000, Some(1000)));
}
