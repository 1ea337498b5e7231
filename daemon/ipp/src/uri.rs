//! Device URIs as they may be shown: without the `user:password@` (or `user@`) part, as
//! cupsd shows `device-uri` (its sanitized_device_uri). Only the backend gets the whole URI.

/// The byte range of the user information (before its `@`), if the URI has one: after
/// `scheme:` and any slashes, before the last `@` of the authority (which ends at `/`, `?`
/// or `#`). The last `@`, so a password with an unescaped `@` is removed whole.
fn userinfo_range(uri: &str) -> Option<std::ops::Range<usize>> {
    let colon = uri.find(':')?;
    let start = colon + 1 + uri[colon + 1..].bytes().take_while(|b| *b == b'/').count();
    let end = uri[start..].find(['/', '?', '#']).map_or(uri.len(), |i| start + i);
    let at = uri[start..end].rfind('@')?;
    Some(start..start + at)
}

/// The URI without its user information: `ipps://alice:s3cret@host/ipp/print` and
/// `ipps://alice@host/ipp/print` both become `ipps://host/ipp/print`.
pub fn without_userinfo(uri: &str) -> String {
    let mut shown = uri.to_string();
    // Again until none is left: taking `@` out of a malformed URI (`x:/@/a@b`) can join its
    // slashes into a new authority that has one (found by fuzzing).
    while let Some(r) = userinfo_range(&shown) {
        shown.replace_range(r.start..r.end + 1, "");
    }
    shown
}

/// `text` (a message or log line about the device) with the URI's user information taken
/// out wherever it appears: `user:password@` or `user@`, and, when there is a password,
/// `user:password` and the password on its own if it has four or more characters (shorter
/// ones would mangle ordinary words). A user name alone is not a secret.
pub fn redact(text: &str, uri: &str) -> String {
    let Some(r) = userinfo_range(uri) else { return text.to_string() };
    let info = &uri[r];
    if info.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(&format!("{info}@"), "");
    if let Some((_, password)) = info.split_once(':') {
        out = out.replace(info, "");
        if password.len() >= 4 {
            out = out.replace(password, "****");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_is_removed_as_cupsd_does() {
        assert_eq!(without_userinfo("ipps://alice:s3cret@host/ipp/print"), "ipps://host/ipp/print");
        assert_eq!(
            without_userinfo("ipps://alice@host:631/ipp/print"),
            "ipps://host:631/ipp/print"
        );
        assert_eq!(without_userinfo("smb://user:secret@server/share"), "smb://server/share");
        assert_eq!(
            without_userinfo("ipp://a:p@ss@host:631/printers/x"),
            "ipp://host:631/printers/x"
        );
        assert_eq!(without_userinfo("smb://WORKGROUP;bob:pw@server"), "smb://server");
        assert_eq!(without_userinfo("socket://host:9100"), "socket://host:9100");
        assert_eq!(without_userinfo("lpd://host/queue?user=x@y"), "lpd://host/queue?user=x@y");
        assert_eq!(without_userinfo("lpd://host?user=x@y"), "lpd://host?user=x@y");
        assert_eq!(without_userinfo("usb:/dev/x"), "usb:/dev/x");
        assert_eq!(without_userinfo("weird"), "weird");
        assert_eq!(without_userinfo("x:u@"), "x:");
        assert_eq!(without_userinfo("ipp://[::1]:631/ipp"), "ipp://[::1]:631/ipp");
        // Taking the first `@` out joins "/" and "/" into an authority holding another one.
        assert_eq!(without_userinfo("x:/@/a@b/c"), "x://b/c");
    }

    #[test]
    fn messages_lose_the_credentials_in_every_form() {
        let uri = "ipps://alice:s3cret@host/ipp/print";
        assert_eq!(
            redact("Unable to connect to alice:s3cret@host:631: refused", uri),
            "Unable to connect to host:631: refused"
        );
        assert_eq!(
            redact("Bad device URI: ipps://alice:s3cret@host/x", uri),
            "Bad device URI: ipps://host/x"
        );
        assert_eq!(redact("password s3cret refused", uri), "password **** refused");
        assert_eq!(redact("nothing here", "ipp://host/ipp"), "nothing here");
        assert_eq!(
            redact("user alice at alice@host", "ipp://alice@host/ipp"),
            "user alice at host"
        );
    }
}
