//! Syntax checks of operation attributes (RFC 8011 section 4.1.7: a bad operation
//! attribute is client-error-bad-request).

use crate::error::{IppError, IppResult};
use quire_ipp::Group;

pub fn operation_attributes(group: &Group) -> IppResult<()> {
    for attr in &group.attributes {
        if let Err(e) = quire_ipp::registry::check(attr) {
            return Err(IppError::BadRequest(format!("Bad \"{}\" attribute: {e}", attr.name)));
        }
    }
    Ok(())
}
