#![no_main]
//! Fuzz request-path canonicalization and `<Location>` matching: any text is refused or made
//! canonical without panicking; a canonical path has no `//`, `.` or `..` segment, and
//! matching it against any location path (itself included) never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (raw, location) = text.split_once('\n').unwrap_or((&text, "/"));
    let Ok(path) = quire_config::canonical_resource(raw) else { return };
    assert!(path.starts_with('/') && !path.contains("//"), "{path:?}");
    assert!(!path.split('/').any(|s| s == "." || s == ".."), "{path:?}");
    assert!(quire_config::location_covers(&path, &path), "{path:?} covers itself");
    let _ = quire_config::location_covers(location, &path);
    let _ = quire_config::location_covers(&path, location);
});
