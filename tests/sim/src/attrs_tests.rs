use quire_ipp::registry::ObjectKind;

use super::*;
use crate::state::tests::state;

fn names(attrs: &[Attribute]) -> Vec<&str> {
    attrs.iter().map(|a| a.name.as_str()).collect()
}

fn get<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name == name)
}

#[test]
fn printer_attributes_are_ipp_everywhere_shaped_and_unique() {
    let st = state();
    let attrs = printer_attributes(&st);
    let mut seen = names(&attrs);
    seen.sort_unstable();
    let before = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), before, "duplicate attributes");
    for name in [
        "printer-uri-supported",
        "printer-name",
        "printer-state",
        "printer-state-reasons",
        "operations-supported",
        "document-format-supported",
        "copies-supported",
        "media-col-database",
        "printer-uuid",
        "pwg-raster-document-resolution-supported",
        "multiple-document-jobs-supported",
    ] {
        assert!(get(&attrs, name).is_some(), "{name} missing");
    }
    assert_eq!(get(&attrs, "page-ranges-supported").and_then(Attribute::first_bool), Some(false));
    assert_eq!(get(&attrs, "printer-name").and_then(Attribute::first_str), Some("t"));
    assert!(get(&attrs, "urf-supported").is_none(), "URF was not asked for");
    let uuid = get(&attrs, "printer-uuid").and_then(Attribute::first_str).expect("uuid");
    assert_eq!(uuid.len(), "urn:uuid:".len() + 36, "{uuid}");
    // Every registered attribute has a value of its registered syntax.
    for attr in &attrs {
        assert_eq!(quire_ipp::registry::check(attr), Ok(()), "{}", attr.name);
    }
}

#[test]
fn security_attributes_follow_the_flags() {
    let mut st = state();
    let attrs = printer_attributes(&st);
    assert_eq!(
        get(&attrs, quire_ipp::vendor::AUTHENTICATION_METHOD).and_then(Attribute::first_str),
        Some("none")
    );
    assert_eq!(
        get(&attrs, quire_ipp::vendor::ENCRYPTS_JOB_DATA).and_then(Attribute::first_bool),
        Some(false)
    );
    assert!(get(&attrs, "job-password-supported").is_none());
    st.opts.auth = AuthMethod::Pin;
    st.opts.encrypts = true;
    st.opts.erases_storage = true;
    let attrs = printer_attributes(&st);
    assert_eq!(
        get(&attrs, quire_ipp::vendor::AUTHENTICATION_METHOD).and_then(Attribute::first_str),
        Some("pin")
    );
    assert_eq!(
        get(&attrs, quire_ipp::vendor::ERASES_STORAGE).and_then(Attribute::first_bool),
        Some(true)
    );
    assert!(get(&attrs, "job-password-supported")
        .and_then(Attribute::first_i32)
        .is_some_and(|n| n >= 4));
    let release: Vec<&str> =
        get(&attrs, "job-release-action-supported").expect("release").strs().collect();
    assert_eq!(release, ["job-password"]);
    st.opts.auth = AuthMethod::Biometric;
    let attrs = printer_attributes(&st);
    let release: Vec<&str> =
        get(&attrs, "job-release-action-supported").expect("release").strs().collect();
    assert_eq!(release, ["owner-authorized"]);
}

#[test]
fn ppm_zero_advertises_a_large_speed_and_urf_needs_the_format() {
    let mut st = state();
    st.opts.ppm = 0;
    st.opts.formats.push("image/urf".into());
    let attrs = printer_attributes(&st);
    assert_eq!(get(&attrs, "pages-per-minute").and_then(Attribute::first_i32), Some(60_000));
    assert!(get(&attrs, "urf-supported").is_some());
}

#[test]
fn requested_attributes_groups_and_names() {
    let st = state();
    let all = printer_attributes(&st);
    let n = all.len();
    assert_eq!(filter(all.clone(), None, ObjectKind::Printer).len(), n);
    assert_eq!(filter(all.clone(), Some(&["all"]), ObjectKind::Printer).len(), n);
    let one = filter(all.clone(), Some(&["printer-state", "bogus"]), ObjectKind::Printer);
    assert_eq!(names(&one), ["printer-state"]);
    let desc = filter(all.clone(), Some(&["printer-description"]), ObjectKind::Printer);
    assert!(get(&desc, quire_ipp::vendor::AUTHENTICATION_METHOD).is_some());
    assert!(get(&desc, "printer-state").is_some());
    assert!(get(&desc, "copies-default").is_none());
    let template = filter(all, Some(&["job-template"]), ObjectKind::Printer);
    assert!(get(&template, "copies-supported").is_some());
    assert!(get(&template, "page-ranges-supported").is_some());
    assert!(get(&template, "printer-name").is_none());
    assert!(get(&template, quire_ipp::vendor::ENCRYPTS_JOB_DATA).is_none());
}
