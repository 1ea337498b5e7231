use super::*;
use crate::model::{FailoverMode, FailoverPolicy};

#[test]
fn policy_attributes_round_trip_and_bad_values_are_refused() {
    let mut p = FailoverPolicy::default();
    assert!(p
        .set(&Attribute::new(v::FAILOVER_DEFAULT, Value::Name("Manual".into())))
        .unwrap_or(false));
    assert!(p
        .set(&Attribute::new(v::FAILOVER_GRACE_TIME, Value::Name("12".into())))
        .unwrap_or(false));
    assert_eq!(p, FailoverPolicy { mode: FailoverMode::Manual, grace: 12 });
    let mut back = FailoverPolicy::default();
    for a in p.attributes() {
        assert_eq!(back.set(&a), Ok(true));
    }
    assert_eq!(back, p);
    assert!(p.set(&Attribute::new(v::FAILOVER_DEFAULT, Value::Keyword("often".into()))).is_err());
    assert!(p.set(&Attribute::new(v::FAILOVER_GRACE_TIME, Value::Integer(86401))).is_err());
    assert_eq!(p.set(&Attribute::new("copies", Value::Integer(1))), Ok(false));
}

#[test]
fn faults_are_error_states_and_offline() {
    let mut p = crate::ops::admin::new_printer(&mut Scheduler::default(), "p", false, 0);
    assert_eq!(fault_of(&p), None);
    p.device.reasons = vec!["media-low-warning".into(), "toner-low-report".into()];
    assert_eq!(fault_of(&p), None);
    p.device.reasons.push("offline-report".into());
    assert_eq!(fault_of(&p).as_deref(), Some("offline-report"));
    p.device.reasons = vec!["media-empty-error".into()];
    p.device.message = "Out of paper.".into();
    assert_eq!(fault_of(&p).as_deref(), Some("media-empty-error: Out of paper."));
}

#[test]
fn phases_have_their_keywords() {
    for p in Phase::ALL {
        assert_eq!(Phase::from_keyword(p.keyword()), Some(p));
    }
    assert!(
        Phase::Watching.is_waiting()
            && !Phase::HandingOff.is_waiting()
            && !Phase::Resumed.is_waiting()
    );
}
