//! The TXT record of a shared queue: the keys cupsd 2.4 advertises (Bonjour Printing
//! Specification 1.2.1), plus the PWG 5100.14 keys IPP Everywhere clients read (`kind`,
//! `PaperMax`) that cupsd leaves out.

/// What the TXT record is built from: plain values, read from the queue by the daemon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFacts {
    pub name: String,
    /// `printer-info`, for the instance name.
    pub info: String,
    pub is_class: bool,
    /// `printer-make-and-model` ("" gives "Unknown", as cupsd).
    pub make_and_model: String,
    pub location: String,
    /// The PPD's `*Product` as written (`(LaserJet 4)`), when the queue has one.
    pub product: Option<String>,
    /// `printer-uuid` (`urn:uuid:...`).
    pub uuid: String,
    /// `document-format-supported`, in order.
    pub document_formats: Vec<String>,
    /// `urf-supported` (empty: no `URF` key).
    pub urf: Vec<String>,
    /// `auth-info-required` (empty or `none`: no `air` key).
    pub auth_info_required: Vec<String>,
    /// CUPS's `printer-type` bits of the queue.
    pub printer_type: u32,
    /// `media-type-supported` keywords, for `kind`.
    pub media_types: Vec<String>,
    /// `media-size-supported` x/y dimensions in hundredths of millimetres, for `PaperMax`.
    pub media_sizes: Vec<(i32, i32)>,
}

/// Where the queue is administered: the admin URL's scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `https` when a listener offers TLS, else `http` (as cupsd chooses).
    pub admin_scheme: &'static str,
    /// The DNS-SD host name (`DNSSDHostName`, else `<hostname>.local`).
    pub host: String,
    pub port: u16,
}

/// CUPS's printer-type bits used in the TXT record (cups/cups.h `cups_ptype_e`).
pub mod ptype {
    pub const CLASS: u32 = 0x0001;
    pub const REMOTE: u32 = 0x0002;
    pub const BW: u32 = 0x0004;
    pub const COLOR: u32 = 0x0008;
    pub const DUPLEX: u32 = 0x0010;
    pub const STAPLE: u32 = 0x0020;
    pub const COPIES: u32 = 0x0040;
    pub const COLLATE: u32 = 0x0080;
    pub const PUNCH: u32 = 0x0100;
    pub const COVER: u32 = 0x0200;
    pub const BIND: u32 = 0x0400;
    pub const SORT: u32 = 0x0800;
    pub const FAX: u32 = 0x4_0000;
    pub const MFP: u32 = 0x40_0000;
}

/// A TXT string is one length byte and the bytes `key=value` (RFC 6763 section 6.1).
pub const MAX_PAIR_LEN: usize = 255;

/// The TXT record of queue `q`, keys in cupsd's order; pairs too long for a TXT string are
/// left out (as cupsd leaves them out), never truncated into something else.
pub fn queue_txt(q: &QueueFacts, origin: &Origin) -> Vec<(String, String)> {
    let rp = format!("{}/{}", if q.is_class { "classes" } else { "printers" }, q.name);
    let mut t: Vec<(String, String)> = Vec::with_capacity(24);
    let mut add = |k: &str, v: String| t.push((k.to_string(), v));
    add("txtvers", "1".into());
    add("qtotal", "1".into());
    add("rp", rp.clone());
    add("ty", or_unknown(&q.make_and_model));
    add("adminurl", admin_url(origin, &rp));
    if !q.location.is_empty() {
        add("note", q.location.clone());
    }
    add("priority", "0".into());
    add("product", q.product.clone().unwrap_or_else(|| "Unknown".into()));
    add("pdl", pdl(&q.document_formats));
    if let Some(air) = air(&q.auth_info_required) {
        add("air", air);
    }
    add("UUID", q.uuid.strip_prefix("urn:uuid:").unwrap_or(&q.uuid).to_string());
    add("TLS", "1.2".into());
    if !q.urf.is_empty() {
        add("URF", q.urf.join(","));
    }
    add("mopria-certified", "1.3".into());
    if let Some(kind) = kind(&q.media_types) {
        add("kind", kind);
    }
    if let Some(max) = paper_max(&q.media_sizes) {
        add("PaperMax", max.into());
    }
    let bits = q.printer_type;
    if bits & ptype::FAX != 0 {
        add("Fax", "T".into());
        add("rfo", rp);
    }
    for (bit, key) in [
        (ptype::COLOR, "Color"),
        (ptype::DUPLEX, "Duplex"),
        (ptype::STAPLE, "Staple"),
        (ptype::COPIES, "Copies"),
        (ptype::COLLATE, "Collate"),
        (ptype::PUNCH, "Punch"),
        (ptype::BIND, "Bind"),
        (ptype::SORT, "Sort"),
        (ptype::MFP, "Scan"),
    ] {
        if bits & bit != 0 {
            add(key, "T".into());
        }
    }
    add("printer-type", format!("0x{:X}", bits | ptype::REMOTE));
    t.retain(|(k, v)| k.len() + 1 + v.len() <= MAX_PAIR_LEN);
    t
}

fn or_unknown(s: &str) -> String {
    if s.is_empty() {
        "Unknown".into()
    } else {
        s.to_string()
    }
}

/// `scheme://host.:port/printers/NAME`: the host fully qualified with a trailing dot, as cupsd
/// writes it (an unqualified name gets `.local.`); the queue name percent-encoded.
pub fn admin_url(origin: &Origin, rp: &str) -> String {
    let host = if origin.host.contains('.') {
        if origin.host.ends_with('.') {
            origin.host.clone()
        } else {
            format!("{}.", origin.host)
        }
    } else {
        format!("{}.local.", origin.host)
    };
    format!("{}://{}:{}/{}", origin.admin_scheme, host, origin.port, percent_path(rp))
}

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

/// `pdl`: the document formats a client may send, comma-separated; cupsd's default when the
/// queue lists none. Pairs over 255 bytes lose formats from the end rather than the key.
fn pdl(formats: &[String]) -> String {
    let formats: Vec<&str> = formats
        .iter()
        .map(String::as_str)
        .filter(|f| *f != "application/octet-stream" && f.contains('/'))
        .collect();
    if formats.is_empty() {
        return "application/postscript".into();
    }
    let mut out = String::new();
    for f in formats {
        if "pdl=".len() + out.len() + 1 + f.len() > MAX_PAIR_LEN {
            break;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(f);
    }
    out
}

/// `air`: what a client must supply to print (Bonjour Printing Specification: `none`,
/// `username,password`, `negotiate`, `certificate`); no key when nothing is said.
fn air(required: &[String]) -> Option<String> {
    let wanted: Vec<&str> = required.iter().map(String::as_str).filter(|v| !v.is_empty()).collect();
    (!wanted.is_empty()).then(|| wanted.join(","))
}

/// PWG 5100.14 `kind`: the kinds of media the printer takes, from `media-type-supported`.
fn kind(media_types: &[String]) -> Option<String> {
    let mut kinds: Vec<&str> = Vec::new();
    for t in media_types {
        let k = if t.starts_with("envelope") {
            "envelope"
        } else if t.starts_with("label") {
            "label"
        } else if t.starts_with("photographic") {
            "photo"
        } else if t.starts_with("cardstock") {
            "postcard"
        } else if t.starts_with("stationery") || t == "auto" {
            "document"
        } else {
            continue;
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    (!kinds.is_empty()).then(|| kinds.join(","))
}

/// PWG 5100.14 `PaperMax` from the largest supported size (hundredths of millimetres): the
/// smallest class whose box holds it: `legal-A4` (215.9 × 355.6 mm, with A4 or letter at
/// least), `tabloid-A3` (297 × 431.8), `isoC-A2` (431.8 × 594), else `>isoC-A2`; sizes smaller
/// than A4 and letter are `<legal-A4`.
fn paper_max(sizes: &[(i32, i32)]) -> Option<&'static str> {
    let (w, l) = sizes
        .iter()
        .map(|&(x, y)| (x.min(y), x.max(y)))
        .filter(|&(w, l)| w > 0 && l > 0)
        .max_by_key(|&(w, l)| (i64::from(w) * i64::from(l), l))?;
    let fits = |bw: i32, bl: i32| w <= bw && l <= bl;
    Some(if fits(21_590, 35_560) {
        if w >= 20_900 && l >= 27_940 {
            "legal-A4"
        } else {
            "<legal-A4"
        }
    } else if fits(29_700, 43_180) {
        "tabloid-A3"
    } else if fits(43_180, 59_400) {
        "isoC-A2"
    } else {
        ">isoC-A2"
    })
}

#[cfg(test)]
#[path = "txt_tests.rs"]
mod tests;
