use super::*;

#[test]
fn classify_operands() {
    let dests = vec!["Q".to_string(), "hp-2".to_string(), "42".to_string()];
    assert_eq!(classify("-", &dests), Some(Target::Current));
    assert_eq!(classify("q", &dests), Some(Target::Dest("q".into())));
    assert_eq!(classify("hp-2", &dests), Some(Target::Dest("hp-2".into())));
    assert_eq!(classify("42", &dests), Some(Target::Dest("42".into())));
    assert_eq!(classify("17", &dests), Some(Target::Job(17)));
    assert_eq!(classify("Q-17", &dests), Some(Target::Job(17)));
    assert_eq!(classify("other-printer-3", &dests), Some(Target::Job(3)));
    assert_eq!(classify("nosuch", &dests), None);
    assert_eq!(classify("Q-x", &dests), None);
    assert_eq!(classify("0", &dests), None);
    assert_eq!(classify("99999999999999", &dests), None);
}
