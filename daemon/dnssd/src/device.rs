//! Printers found on the network (`_ipp._tcp`, `_ipps._tcp`) as CUPS-Get-Devices lists them.
//! Everything here comes from other hosts: a claim, checked and bounded before it becomes a
//! device URI or a line of `lpinfo -v`.

/// One TXT string's key and value (None: a key without `=`), RFC 6763 section 6.
pub type TxtPair = (String, Option<Vec<u8>>);

/// At most this many TXT strings are read from one record.
pub const MAX_TXT_PAIRS: usize = 64;
/// Longest text taken for make-and-model, info, location.
const MAX_TEXT: usize = 127;

/// Parses TXT record data (length-prefixed strings): keys are printable ASCII without `=`
/// (case kept, compared without case), a key seen twice keeps its first value (RFC 6763
/// section 6.4); an empty or malformed string is skipped, a length past the end ends it.
pub fn parse_txt(rdata: &[u8]) -> Vec<TxtPair> {
    let mut out: Vec<TxtPair> = Vec::new();
    let mut rest = rdata;
    while let Some((&len, tail)) = rest.split_first() {
        let Some(string) = tail.get(..usize::from(len)) else { break };
        rest = &tail[usize::from(len)..];
        if out.len() == MAX_TXT_PAIRS {
            break;
        }
        let (key, value) = match string.iter().position(|&b| b == b'=') {
            Some(i) => (&string[..i], Some(string[i + 1..].to_vec())),
            None => (string, None),
        };
        if key.is_empty() || !key.iter().all(|b| (0x20..0x7f).contains(b)) {
            continue;
        }
        let key = String::from_utf8_lossy(key).into_owned();
        if !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            out.push((key, value));
        }
    }
    out
}

/// What a browse found, resolved.
#[derive(Debug, Clone)]
pub struct Found {
    pub instance: String,
    /// `_ipps._tcp` (else `_ipp._tcp`).
    pub secure: bool,
    /// The host name the SRV record points to (`printer.local.`).
    pub host: String,
    pub port: u16,
    pub txt: Vec<TxtPair>,
}

/// A device line of CUPS-Get-Devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub uri: String,
    pub make_and_model: String,
    pub info: String,
    pub device_id: String,
    pub location: String,
}

/// The device a resolved service is, or None when what it claims cannot make a safe URI
/// (a host that is not a host name, port 0, a resource path with `..` or control bytes).
pub fn device_of(f: &Found) -> Option<Device> {
    let host = f.host.trim_end_matches('.');
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok || f.port == 0 {
        return None;
    }
    let rp = text(&f.txt, "rp").unwrap_or_else(|| "ipp/print".into());
    let rp = rp.trim_start_matches('/');
    if rp.split('/').any(|s| s == ".." || s == ".") || rp.len() > 255 {
        return None;
    }
    let scheme = if f.secure { "ipps" } else { "ipp" };
    let uri = format!("{scheme}://{host}:{}/{}", f.port, percent_path(rp));
    let mfg = text(&f.txt, "usb_MFG");
    let mdl = text(&f.txt, "usb_MDL");
    let make_and_model = text(&f.txt, "ty")
        .or_else(|| Some(format!("{} {}", mfg.clone()?, mdl.clone()?)))
        .unwrap_or_else(|| "Unknown".into());
    let device_id = match (&mfg, &mdl) {
        (Some(m), Some(d)) => format!("MFG:{m};MDL:{d};"),
        _ => String::new(),
    };
    Some(Device {
        uri,
        make_and_model: clean(&make_and_model),
        info: clean(&f.instance),
        device_id,
        location: text(&f.txt, "note").unwrap_or_default(),
    })
}

/// A TXT value as text: UTF-8 (lossy), control characters dropped, at most [`MAX_TEXT`] bytes.
fn text(txt: &[TxtPair], key: &str) -> Option<String> {
    let (_, v) = txt.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
    let v = clean(&String::from_utf8_lossy(v.as_deref()?));
    (!v.is_empty()).then_some(v)
}

fn clean(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    crate::name::clip(s.trim(), MAX_TEXT).to_string()
}

/// The resource path percent-encoded where a URI needs it (`;` and `"` too: the device ID
/// and lpinfo's quoting use them).
fn percent_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
