//! Syntax checks of operation attributes (RFC 8011 section 4.1.7: a bad operation
//! attribute is client-error-bad-request).

use crate::error::{IppError, IppResult};
use quire_ipp::Group;

pub fn operation_attributes(group: &Group) -> IppResult<()> {
    for attr in &group.attributes {
        // CUPS clients send job-id 0 to mean "no particular job" (cancel -a).
        if attr.name == "job-id" && attr.values == [quire_ipp::Value::Integer(0)] {
            continue;
        }
        // cupsd takes a printer-uri that is a bare path (gnome-settings-daemon subscribes on
        // `/`); the target is resolved from the path alone.
        if attr.name == "printer-uri" && bare_path(&attr.values) {
            continue;
        }
        if let Err(e) = quire_ipp::registry::check(attr) {
            return Err(IppError::BadRequest(format!("Bad \"{}\" attribute: {e}", attr.name)));
        }
    }
    Ok(())
}

fn bare_path(values: &[quire_ipp::Value]) -> bool {
    matches!(values, [quire_ipp::Value::Uri(u)]
        if u.starts_with('/') && u.len() <= 1023 && u.bytes().all(|b| b.is_ascii_graphic()))
}
