//! Service instance names: what cupsd registers a queue as, and the escaping a name needs in
//! a zone file. (Renaming on a conflict is the responder's: Avahi's alternative name, mdns-sd's
//! own.)

/// An instance name is one DNS label: at most 63 bytes (RFC 6763 section 4.1.1).
pub const MAX_INSTANCE_LEN: usize = 63;

/// The name cupsd registers a queue under: `<printer-info> @ <computer>` (the queue's name
/// when it has no info; no suffix when the computer name is unknown), cut to one label at a
/// character boundary.
pub fn instance_name(queue: &str, info: &str, computer: Option<&str>) -> String {
    let base = if info.trim().is_empty() { queue } else { info.trim() };
    let full = match computer.filter(|c| !c.is_empty()) {
        Some(c) => format!("{base} @ {c}"),
        None => base.to_string(),
    };
    clip(&full, MAX_INSTANCE_LEN).to_string()
}

/// `s` cut to at most `max` bytes without splitting a character.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `label` as written in a DNS master file (RFC 1035 section 5.1): `.` and `\` escaped with a
/// backslash, other bytes outside printable ASCII (and space, `;`, `(`, `)`, `"`, `$`, `@`) as `\DDD`.
pub fn zone_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 8);
    for b in label.bytes() {
        match b {
            b'.' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'!'..=b'~' if !b";()\"$@".contains(&b) => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

#[cfg(test)]
#[path = "name_tests.rs"]
mod tests;
