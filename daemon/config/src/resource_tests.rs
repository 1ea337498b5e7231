use crate::resource::{canonical_resource, location_covers, location_for, ResourceError};
use crate::{Access, Loc, Location};
use proptest::prelude::*;

fn loc(path: &str) -> Location {
    Location {
        path: path.into(),
        access: Access::default(),
        limits: Vec::new(),
        loc: Loc { file: "cupsd.conf".into(), line: 1, col: 1 },
    }
}

#[test]
fn other_spellings_of_a_path_become_the_same_path() {
    for raw in [
        "/printers/q2",
        "//printers/q2",
        "/printers//q2",
        "/printers/./q2",
        "/printers/%71%32",
        "/%70rinters/q2?x=1",
        "/printers%2Fq2",
    ] {
        assert_eq!(canonical_resource(raw).as_deref(), Ok("/printers/q2"), "{raw}");
    }
    assert_eq!(canonical_resource("/admin/").as_deref(), Ok("/admin/"), "a trailing slash is kept");
    assert_eq!(canonical_resource("/").as_deref(), Ok("/"));
    assert_eq!(canonical_resource("//").as_deref(), Ok("/"));
    assert_eq!(
        canonical_resource("/printers/Q2").as_deref(),
        Ok("/printers/Q2"),
        "case is kept; matching ignores it"
    );
}

#[test]
fn climbing_bad_escapes_and_relative_paths_are_refused() {
    assert_eq!(canonical_resource("/printers/q1/../q2"), Err(ResourceError::DotDot));
    assert_eq!(canonical_resource("/printers/%2e%2E/admin"), Err(ResourceError::DotDot));
    assert_eq!(canonical_resource("/printers/q%2"), Err(ResourceError::BadEscape));
    assert_eq!(canonical_resource("/printers/q%zz"), Err(ResourceError::BadEscape));
    assert_eq!(canonical_resource("/printers/q%00"), Err(ResourceError::BadEscape));
    assert_eq!(canonical_resource("/printers/%ff"), Err(ResourceError::BadEscape));
    assert_eq!(canonical_resource("printers/q2"), Err(ResourceError::NotAbsolute));
    assert_eq!(canonical_resource(""), Err(ResourceError::NotAbsolute));
    assert_eq!(
        canonical_resource("/..foo").as_deref(),
        Ok("/..foo"),
        "only a whole `..` segment climbs"
    );
}

#[test]
fn locations_cover_whole_segments_case_insensitively() {
    assert!(location_covers("/printers/q2", "/printers/Q2"));
    assert!(location_covers("/printers/q2", "/printers/q2/"));
    assert!(
        location_covers("/printers/q2", "/printers/q2.ppd"),
        "a queue's PPD is the queue (as cupsd)"
    );
    assert!(location_covers("/printers/q2/", "/printers/q2"));
    assert!(location_covers("/", "/anything"));
    assert!(location_covers("/admin", "/admin/conf"));
    assert!(!location_covers("/admin", "/administrator"));
    assert!(!location_covers("/printers/q2", "/printers/q22"));
    assert!(!location_covers("/printers/q2", "/printers"));
}

#[test]
fn the_innermost_location_wins() {
    let locations = [loc("/"), loc("/printers"), loc("/printers/Q2"), loc("/admin")];
    let at = |p: &str| location_for(&locations, p).map(|l| l.path.as_str());
    assert_eq!(at("/printers/q2"), Some("/printers/Q2"));
    assert_eq!(at("/printers/q2.ppd"), Some("/printers/Q2"));
    assert_eq!(at("/printers/q1"), Some("/printers"));
    assert_eq!(at("/admin/"), Some("/admin"));
    assert_eq!(at("/jobs/"), Some("/"));
    assert_eq!(location_for(&[], "/"), None);
}

proptest! {
    /// Never panics; a canonical path is its own canonical form and has no `//`, `.` or `..`
    /// segment and no `%` escape left to decode into another spelling.
    #[test]
    fn canonical_paths_are_stable(raw in "[/a-zA-Z0-9%.?#_-]{0,24}") {
        if let Ok(c) = canonical_resource(&raw) {
            prop_assert!(c.starts_with('/'));
            prop_assert!(!c.contains("//"));
            prop_assert!(!c.split('/').any(|s| s == "." || s == ".."));
            if !c.contains('%') {
                prop_assert_eq!(canonical_resource(&c), Ok(c));
            }
        }
    }
}
