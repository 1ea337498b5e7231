//! Access-control values: Allow/Deny operands, Require, Order, policy private lists, and the
//! names allowed in `<Limit>`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{Access, AuthType, Encryption, HostRule, Order, Require, Satisfy};
use crate::values::{parse_keyword, single_word, ValueError};

/// IPP operation names cupsd (2.4) and IPP Everywhere know, for `<Limit>` inside `<Policy>`.
pub(crate) const IPP_OPERATIONS: &[&str] = &[
    "Print-Job",
    "Print-URI",
    "Validate-Job",
    "Create-Job",
    "Send-Document",
    "Send-URI",
    "Cancel-Job",
    "Get-Job-Attributes",
    "Get-Jobs",
    "Get-Printer-Attributes",
    "Hold-Job",
    "Release-Job",
    "Restart-Job",
    "Pause-Printer",
    "Resume-Printer",
    "Purge-Jobs",
    "Set-Printer-Attributes",
    "Set-Job-Attributes",
    "Get-Printer-Supported-Values",
    "Create-Printer-Subscriptions",
    "Create-Job-Subscriptions",
    "Create-Job-Subscription",
    "Get-Subscription-Attributes",
    "Get-Subscriptions",
    "Renew-Subscription",
    "Cancel-Subscription",
    "Get-Notifications",
    "Send-Notifications",
    "Get-Printer-Support-Files",
    "Enable-Printer",
    "Disable-Printer",
    "Pause-Printer-After-Current-Job",
    "Hold-New-Jobs",
    "Release-Held-New-Jobs",
    "Deactivate-Printer",
    "Activate-Printer",
    "Restart-Printer",
    "Shutdown-Printer",
    "Startup-Printer",
    "Reprocess-Job",
    "Cancel-Current-Job",
    "Suspend-Current-Job",
    "Resume-Job",
    "Promote-Job",
    "Schedule-Job-After",
    "Cancel-Document",
    "Get-Document-Attributes",
    "Get-Documents",
    "Delete-Document",
    "Set-Document-Attributes",
    "Cancel-Jobs",
    "Cancel-My-Jobs",
    "Resubmit-Job",
    "Close-Job",
    "Identify-Printer",
    "Validate-Document",
    "Get-System-Attributes",
    "Get-Printers",
    "Create-Printer",
    "Delete-Printer",
    "Pause-All-Printers",
    "Resume-All-Printers",
    "Enable-All-Printers",
    "Disable-All-Printers",
    "Set-System-Attributes",
    "Create-System-Subscriptions",
    "CUPS-Get-Default",
    "CUPS-Get-Printers",
    "CUPS-Add-Modify-Printer",
    "CUPS-Delete-Printer",
    "CUPS-Get-Classes",
    "CUPS-Add-Modify-Class",
    "CUPS-Delete-Class",
    "CUPS-Accept-Jobs",
    "CUPS-Reject-Jobs",
    "CUPS-Set-Default",
    "CUPS-Get-Devices",
    "CUPS-Get-PPDs",
    "CUPS-Move-Job",
    "CUPS-Authenticate-Job",
    "CUPS-Get-PPD",
    "CUPS-Get-Document",
    "CUPS-Create-Local-Printer",
];

/// HTTP methods for `<Limit>` inside `<Location>`.
pub(crate) const HTTP_METHODS: &[&str] = &["GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Is `op` acceptable in a policy `<Limit>`? (`All`, a known name, or a hex code like `0x4001`.)
pub(crate) fn is_operation(op: &str) -> bool {
    op.eq_ignore_ascii_case("All")
        || IPP_OPERATIONS.iter().any(|o| o.eq_ignore_ascii_case(op))
        || op
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && u16::from_str_radix(h, 16).is_ok())
}

pub(crate) fn is_method(m: &str) -> bool {
    m.eq_ignore_ascii_case("All") || HTTP_METHODS.iter().any(|o| o.eq_ignore_ascii_case(m))
}

pub(crate) const AUTH_TYPES: &[&str] = &["None", "Basic", "Default", "Negotiate"];
pub(crate) const ENCRYPTIONS: &[&str] = &["Never", "IfRequested", "Required"];

pub(crate) fn parse_auth_type(s: &str) -> Result<AuthType, ValueError> {
    const T: [AuthType; 4] =
        [AuthType::None, AuthType::Basic, AuthType::Default, AuthType::Negotiate];
    Ok(T[parse_keyword(single_word(s)?, AUTH_TYPES)?])
}

pub(crate) fn parse_encryption(s: &str) -> Result<Encryption, ValueError> {
    const E: [Encryption; 3] = [Encryption::Never, Encryption::IfRequested, Encryption::Required];
    Ok(E[parse_keyword(single_word(s)?, ENCRYPTIONS)?])
}

/// Apply one access-control directive (`name` is canonical) to `acc`.
pub(crate) fn apply_access(acc: &mut Access, name: &str, args: &str) -> Result<(), ValueError> {
    match name {
        "AuthType" => acc.auth_type = Some(parse_auth_type(args)?),
        "Encryption" => acc.encryption = Some(parse_encryption(args)?),
        "Satisfy" => {
            let i = parse_keyword(single_word(args)?, &["all", "any"])?;
            acc.satisfy = Some(if i == 0 { Satisfy::All } else { Satisfy::Any });
        }
        "Order" => acc.order = Some(parse_order(args)?),
        "Require" => acc.require = Some(parse_require(args)?),
        "Allow" => acc.allow.extend(parse_host_rules(args)?),
        "Deny" => acc.deny.extend(parse_host_rules(args)?),
        _ => return Err(ValueError::Other(format!("{name} is not an access-control directive"))),
    }
    Ok(())
}

fn parse_order(s: &str) -> Result<Order, ValueError> {
    let v = single_word(s)?.to_ascii_lowercase();
    match v.as_str() {
        "allow,deny" => Ok(Order::AllowDeny),
        "deny,allow" => Ok(Order::DenyAllow),
        _ => Err(ValueError::Keyword(&["allow,deny", "deny,allow"])),
    }
}

fn parse_require(s: &str) -> Result<Require, ValueError> {
    let mut words = s.split_whitespace();
    let kind = words.next().ok_or(ValueError::Empty)?.to_ascii_lowercase();
    let names: Vec<String> = words.map(str::to_string).collect();
    match kind.as_str() {
        "valid-user" if names.is_empty() => Ok(Require::ValidUser),
        "valid-user" => Err(ValueError::TooManyValues),
        "user" | "group" if names.is_empty() => {
            Err(ValueError::Other(format!("Require {kind} needs at least one name")))
        }
        "user" => Ok(Require::User(names)),
        "group" => Ok(Require::Group(names)),
        _ => Err(ValueError::Keyword(&["valid-user", "user", "group"])),
    }
}

/// All operands of an `Allow`/`Deny` line (an Apache-style leading `from` is skipped).
fn parse_host_rules(s: &str) -> Result<Vec<HostRule>, ValueError> {
    let mut words = s.split_whitespace().peekable();
    if words.peek().is_some_and(|w| w.eq_ignore_ascii_case("from")) {
        words.next();
    }
    let rules = words.map(parse_host_rule).collect::<Result<Vec<_>, _>>()?;
    if rules.is_empty() {
        return Err(ValueError::Empty);
    }
    Ok(rules)
}

/// One `Allow`/`Deny` operand.
pub fn parse_host_rule(w: &str) -> Result<HostRule, ValueError> {
    let bad = || ValueError::Other(format!("\"{w}\" is not an address, network, host or domain"));
    let lower = w.to_ascii_lowercase();
    match lower.as_str() {
        "all" => return Ok(HostRule::All),
        "none" => return Ok(HostRule::None),
        "@local" => return Ok(HostRule::Local),
        _ => {}
    }
    if let Some(name) = lower.strip_prefix("@if(").and_then(|r| r.strip_suffix(')')) {
        return if name.is_empty() {
            Err(bad())
        } else {
            Ok(HostRule::Interface(w[4..w.len() - 1].to_string()))
        };
    }
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    if let Some(v6) = addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        let ip: Ipv6Addr = v6.parse().map_err(|_| bad())?;
        let prefix = prefix_len(mask, 128, 128).ok_or_else(bad)?;
        return Ok(HostRule::Net { addr: IpAddr::V6(ip), prefix });
    }
    if !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_ipv4_net(addr, mask).ok_or_else(bad);
    }
    if mask.is_some() || !is_host_name(&lower) {
        return Err(bad());
    }
    match lower.strip_prefix("*.").or_else(|| lower.strip_prefix('.')) {
        Some(domain) if !domain.is_empty() => Ok(HostRule::Domain(domain.to_string())),
        Some(_) => Err(bad()),
        None => Ok(HostRule::Host(lower)),
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*'))
        && (!s.contains('*') || (s.starts_with("*.") && !s[2..].contains('*')))
}

/// `/N` or, for IPv4, a dotted netmask. `None` mask gives `default`.
fn prefix_len(mask: Option<&str>, default: u8, max: u8) -> Option<u8> {
    let Some(m) = mask else { return Some(default) };
    if m.contains('.') && max == 32 {
        let bits = u32::from(m.parse::<Ipv4Addr>().ok()?);
        let ones = bits.leading_ones();
        return (bits.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8);
    }
    m.parse::<u8>().ok().filter(|p| *p <= max)
}

/// `10.`, `192.168`, `192.168.1.0` (partial addresses imply /8, /16, /24).
fn parse_ipv4_net(addr: &str, mask: Option<&str>) -> Option<HostRule> {
    let parts: Vec<&str> = addr.trim_end_matches('.').split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        octets[i] = p.parse().ok()?;
    }
    let prefix = prefix_len(mask, (parts.len() * 8) as u8, 32)?;
    Some(HostRule::Net { addr: IpAddr::V4(Ipv4Addr::from(octets)), prefix })
}

const DEFAULT_PRIVATE_ACCESS: &[&str] = &["@OWNER", "@SYSTEM"];
const DEFAULT_JOB_VALUES: &[&str] =
    &["job-name", "job-originating-host-name", "job-originating-user-name", "phone"];
const DEFAULT_SUB_VALUES: &[&str] = &[
    "notify-events",
    "notify-pull-method",
    "notify-recipient-uri",
    "notify-subscriber-user-name",
    "notify-user-data",
];

/// Which private list a directive sets.
#[derive(Clone, Copy)]
pub(crate) enum PrivateList {
    JobAccess,
    JobValues,
    SubAccess,
    SubValues,
}

impl PrivateList {
    pub(crate) fn defaults(self) -> Vec<String> {
        let d = match self {
            PrivateList::JobAccess | PrivateList::SubAccess => DEFAULT_PRIVATE_ACCESS,
            PrivateList::JobValues => DEFAULT_JOB_VALUES,
            PrivateList::SubValues => DEFAULT_SUB_VALUES,
        };
        d.iter().map(|s| s.to_string()).collect()
    }
}

/// Adds a later line's values to a private list: `all` on either line wins; `none` gives
/// way to any names (a list that names attributes keeps them private).
pub(crate) fn merge_private(list: &mut Vec<String>, more: Vec<String>) {
    let lone = |l: &[String], w: &str| l.len() == 1 && l[0] == w;
    if lone(list, "all") || lone(&more, "all") {
        *list = vec!["all".into()];
        return;
    }
    list.retain(|v| v != "none");
    for v in more {
        if v != "none" && !list.iter().any(|x| x.eq_ignore_ascii_case(&v)) {
            list.push(v);
        }
    }
    if list.is_empty() {
        list.push("none".into());
    }
}

/// Parse a `*PrivateAccess`/`*PrivateValues` value, expanding `default`.
pub(crate) fn parse_private(kind: PrivateList, s: &str) -> Result<Vec<String>, ValueError> {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() {
        return Err(ValueError::Empty);
    }
    let alone = |w: &str| words.len() == 1 && words[0].eq_ignore_ascii_case(w);
    let is_values = matches!(kind, PrivateList::JobValues | PrivateList::SubValues);
    if alone("all") || (is_values && alone("none")) {
        return Ok(vec![words[0].to_ascii_lowercase()]);
    }
    let mut out = Vec::new();
    for w in words {
        if w.eq_ignore_ascii_case("default") {
            out.extend(kind.defaults());
        } else if w.eq_ignore_ascii_case("all") || w.eq_ignore_ascii_case("none") {
            return Err(ValueError::Other(format!("\"{w}\" must be the only value")));
        } else {
            out.push(w.to_string());
        }
    }
    Ok(out)
}
