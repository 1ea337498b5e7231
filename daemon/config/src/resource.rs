//! HTTP resource paths as access control sees them, and which `<Location>` covers one.
//!
//! A request's path is made canonical once, before any `<Location>` is looked up, so that no
//! other spelling of a path escapes its `<Location>`: the query is dropped, `%xx` escapes
//! are decoded (as cupsd's httpSeparateURI does), empty and `.` segments are removed (cupsd
//! leaves `/printers//q2` and `/printers/./q2` to `<Location />`), and a `..` segment is
//! refused (cupsd answers 403). Matching is case-insensitive, which cupsd's cupsdFindBest
//! does for `/printers/` and `/classes/` paths (queue names are case-insensitive); other
//! paths name fixed, lower-case resources, so no configuration depends on case there.
//! Unlike cupsd, a `<Location>` covers whole segments: `/admin` is not a prefix of
//! `/administrator`.

use crate::model::{Location, ServerConfig};
use std::fmt;

/// Why a request path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceError {
    /// Not an absolute path (no leading `/`).
    NotAbsolute,
    /// A `%` not followed by two hex digits, an escape decoding to a control character or
    /// to bytes that are not UTF-8.
    BadEscape,
    /// A `..` segment (cupsd refuses these with 403 Forbidden).
    DotDot,
}

impl fmt::Display for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceError::NotAbsolute => "the request path is not absolute",
            ResourceError::BadEscape => "the request path has a bad %-escape",
            ResourceError::DotDot => "the request path may not contain \"..\"",
        })
    }
}

impl std::error::Error for ResourceError {}

/// The canonical form of a request path: decoded, without query, empty or `.` segments; a
/// trailing `/` is kept (`/admin/` stays `/admin/`).
pub fn canonical_resource(raw: &str) -> Result<String, ResourceError> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(ResourceError::NotAbsolute);
    }
    let decoded = percent_decode(path)?;
    let mut out = String::with_capacity(decoded.len());
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(ResourceError::DotDot),
            s => {
                out.push('/');
                out.push_str(s);
            }
        }
    }
    if out.is_empty() || decoded.ends_with('/') {
        out.push('/');
    }
    Ok(out)
}

fn percent_decode(path: &str) -> Result<String, ResourceError> {
    if !path.contains('%') {
        return if path.chars().any(char::is_control) {
            Err(ResourceError::BadEscape)
        } else {
            Ok(path.to_string())
        };
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
        match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            _ => return Err(ResourceError::BadEscape),
        }
        i += 3;
    }
    let text = String::from_utf8(out).map_err(|_| ResourceError::BadEscape)?;
    if text.chars().any(char::is_control) {
        return Err(ResourceError::BadEscape);
    }
    Ok(text)
}

/// What a path is matched as: no trailing `/`, and a queue's PPD (`/printers/q.ppd`) is the
/// queue (cupsd strips `.ppd` the same way).
fn match_key(path: &str) -> &str {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    let path = if path.is_empty() { "/" } else { path };
    let queue =
        starts_with_ignore_case(path, "/printers/") || starts_with_ignore_case(path, "/classes/");
    match path.len().checked_sub(4) {
        Some(at)
            if queue && path.is_char_boundary(at) && path[at..].eq_ignore_ascii_case(".ppd") =>
        {
            &path[..at]
        }
        _ => path,
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Does the `<Location>` path `location` cover `path` (both canonical)? Whole segments,
/// case-insensitively.
pub fn location_covers(location: &str, path: &str) -> bool {
    let (loc, path) = (match_key(location), match_key(path));
    if loc == "/" {
        return true;
    }
    starts_with_ignore_case(path, loc)
        && (path.len() == loc.len() || path.as_bytes()[loc.len()] == b'/')
}

/// The innermost of `locations` that covers `path` (cupsd's longest match).
pub fn location_for<'a>(locations: &'a [Location], path: &str) -> Option<&'a Location> {
    locations
        .iter()
        .filter(|l| location_covers(&l.path, path))
        .max_by_key(|l| match_key(&l.path).len())
}

impl ServerConfig {
    /// The innermost `<Location>` that covers the canonical `path` (cupsd's longest match).
    pub fn location_for(&self, path: &str) -> Option<&Location> {
        location_for(&self.locations, path)
    }
}
