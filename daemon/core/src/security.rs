//! Printer security levels and the qualification rule: may a printer print part of a job
//! first sent to another printer?
//!
//! A printer's security is three facts about its device (how it authenticates users,
//! whether it encrypts job data, whether it erases its storage) and an overall level 0–5,
//! derived from them (authentication 0–3, plus one for each protection) unless the
//! administrator sets it. The rule is one pure function, [`qualifies`].
//!
//! What a device reports about itself is a claim ([`Printer::claim`]), shown and never
//! relied on: the facts in effect ([`Printer::security`]) exist only once an administrator
//! set them or confirmed the claim ([`Trust`]). [`printer_qualifies`] is the one entry point
//! the splitter, failover and job moves use: a class, a temporary queue or a printer whose
//! facts nobody vouched for never qualifies, and a job sent to such a printer is shared
//! with none.

use crate::model::Printer;
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// How a device authenticates a user before releasing a job, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum AuthMethod {
    #[default]
    None,
    Pin,
    IdCard,
    Biometric,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] = [AuthMethod::None, AuthMethod::Pin, AuthMethod::IdCard, AuthMethod::Biometric];

    pub fn keyword(self) -> &'static str {
        v::AUTHENTICATION_METHODS[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.keyword().eq_ignore_ascii_case(s))
    }
    /// The method's share of the derived level.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// The highest security level.
pub const MAX_LEVEL: u8 = 5;

/// A printer's security facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Security {
    pub auth: AuthMethod,
    pub encrypts: bool,
    pub erases: bool,
    /// Set by the administrator (0..=5); `None`: derived from the facts.
    pub configured_level: Option<u8>,
}

impl Security {
    pub fn derived_level(&self) -> u8 {
        self.auth.rank() + u8::from(self.encrypts) + u8::from(self.erases)
    }
    /// The overall level: the administrator's, else the derived one.
    pub fn level(&self) -> u8 {
        self.configured_level.map_or_else(|| self.derived_level(), |l| l.min(MAX_LEVEL))
    }
    /// "id-card, encrypts, erases; level 4".
    pub fn describe(&self) -> String {
        let mut parts = vec![self.auth.keyword().to_string()];
        if self.encrypts {
            parts.push("encrypts".into());
        }
        if self.erases {
            parts.push("erases".into());
        }
        format!("{}; level {}", parts.join(", "), self.level())
    }

    /// The printer attributes that show these facts.
    pub fn attributes(&self) -> Vec<Attribute> {
        let source = if self.configured_level.is_some() { "configured" } else { "derived" };
        vec![
            Attribute::new(v::AUTHENTICATION_METHOD, Value::Keyword(self.auth.keyword().into())),
            Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Boolean(self.encrypts)),
            Attribute::new(v::ERASES_STORAGE, Value::Boolean(self.erases)),
            Attribute::new(v::SECURITY_LEVEL, Value::Integer(i32::from(self.level()))),
            Attribute::new(v::SECURITY_LEVEL_SOURCE, Value::Keyword(source.into())),
        ]
    }

    /// Applies one of the settable attributes. `Ok(false)`: not a security attribute.
    /// `quire-security-level` takes 0–5, or `auto` to derive it again.
    pub fn set(&mut self, attr: &Attribute) -> Result<bool, String> {
        let bad = || format!("Bad {} value.", attr.name);
        match attr.name.as_str() {
            v::AUTHENTICATION_METHOD => {
                let kw = attr.first_str().ok_or_else(bad)?;
                self.auth = AuthMethod::from_keyword(kw).ok_or_else(|| format!("Unknown {} \"{kw}\" (none, pin, id-card or biometric).", attr.name))?;
            }
            v::ENCRYPTS_JOB_DATA => self.encrypts = v::flag_value(attr).ok_or_else(bad)?,
            v::ERASES_STORAGE => self.erases = v::flag_value(attr).ok_or_else(bad)?,
            v::SECURITY_LEVEL => {
                if attr.first_str().is_some_and(|s| s.eq_ignore_ascii_case("auto")) {
                    self.configured_level = None;
                } else {
                    let level = v::integer_value(attr).filter(|l| (0..=i32::from(MAX_LEVEL)).contains(l));
                    let level = level.ok_or_else(|| format!("Bad {} value: 0 to {MAX_LEVEL}, or auto.", attr.name))?;
                    self.configured_level = Some(level as u8);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The facts stored as member attributes (a claim, a persisted record): `set` for each,
    /// the level only if it was the administrator's (`quire-security-level-source`).
    pub fn from_members(members: &[Attribute]) -> Security {
        let mut s = Security::default();
        let pinned = members.iter().any(|a| a.name == v::SECURITY_LEVEL_SOURCE && a.first_str() == Some("configured"));
        for a in members.iter().filter(|a| pinned || a.name != v::SECURITY_LEVEL) {
            // Values were checked when they were set; a damaged one keeps its default.
            let _ = s.set(a);
        }
        s
    }

    /// What a device tells about itself over IPP. Quire's own attributes (quire-sim, or a
    /// Quire server in front of the printer) are taken as stated. Otherwise, from standard
    /// attributes, conservatively: a device that releases jobs on `job-password` or
    /// `owner-authorized` authenticates at least by PIN; one reachable only over TLS
    /// (`ipps` device URI, every `uri-security-supported` value `tls`) encrypts job data
    /// in transit. Nothing standard says a device erases its storage.
    pub fn from_device(device: &[Attribute], device_uri: &str) -> Security {
        let get = |n: &str| device.iter().find(|a| a.name == n);
        let release = get("job-release-action-supported").is_some_and(|a| a.strs().any(|r| r == "job-password" || r == "owner-authorized"));
        let pin = get("job-password-supported").and_then(Attribute::first_i32).is_some_and(|n| n > 0);
        let auth = get(v::AUTHENTICATION_METHOD)
            .and_then(Attribute::first_str)
            .and_then(AuthMethod::from_keyword)
            .unwrap_or(if release || pin { AuthMethod::Pin } else { AuthMethod::None });
        let tls_only = (device_uri.starts_with("ipps:") || device_uri.starts_with("https:"))
            && get("uri-security-supported").is_some_and(|a| a.strs().count() > 0 && a.strs().all(|s| s == "tls"));
        Security {
            auth,
            encrypts: get(v::ENCRYPTS_JOB_DATA).and_then(v::flag_value).unwrap_or(tls_only),
            erases: get(v::ERASES_STORAGE).and_then(v::flag_value).unwrap_or(false),
            configured_level: None,
        }
    }
}

/// Who vouches for a printer's facts in effect (`quire-security-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Trust {
    /// Nobody: the facts in effect are the defaults (no protection) and count for nothing;
    /// what the device claims is only shown.
    #[default]
    Unconfirmed,
    /// An administrator confirmed what the device claims (`quire-security-confirmed`).
    Confirmed,
    /// An administrator set the facts.
    Configured,
}

impl Trust {
    pub const ALL: [Trust; 3] = [Trust::Unconfirmed, Trust::Confirmed, Trust::Configured];

    pub fn keyword(self) -> &'static str {
        v::SECURITY_SOURCES[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.keyword() == s)
    }
    /// An administrator vouches for the facts in effect.
    pub fn vouched(self) -> bool {
        self != Trust::Unconfirmed
    }
}

/// Why `p`'s facts in effect cannot be relied on, if they cannot: "it is a class", "it is a
/// temporary queue", "its security facts are not confirmed by an administrator".
pub fn untrusted(p: &Printer) -> Option<&'static str> {
    if p.is_class {
        Some("it is a class")
    } else if p.temporary {
        Some("it is a temporary queue")
    } else if !p.trust.vouched() {
        Some("its security facts are not confirmed by an administrator")
    } else {
        None
    }
}

/// May printer `candidate` print part of a job first sent to printer `first`? Only if an
/// administrator vouches for the facts of both (neither a class nor a temporary queue) and
/// the candidate is at least as secure under `rule`. The splitter, failover and job moves
/// all ask this.
pub fn printer_qualifies(candidate: &Printer, first: &Printer, rule: Rule) -> Result<(), Shortfall> {
    if let Some(why) = untrusted(first) {
        return Err(Shortfall(vec![format!("\"{}\", where the job was sent, cannot be compared with: {why}", first.name)]));
    }
    if let Some(why) = untrusted(candidate) {
        return Err(Shortfall(vec![why.to_string()]));
    }
    qualifies(&candidate.security, &first.security, rule)
        .map_err(|short| Shortfall(vec![format!("it is less secure than \"{}\" ({}): {short}", first.name, first.security.describe())]))
}

/// Attributes only an administrator sets: the facts, and `quire-security-confirmed`.
pub fn is_settable(name: &str) -> bool {
    matches!(name, v::AUTHENTICATION_METHOD | v::ENCRYPTS_JOB_DATA | v::ERASES_STORAGE | v::SECURITY_LEVEL | v::SECURITY_CONFIRMED)
}

/// An administrator sets one security attribute of `p`. `Ok(false)`: not one of them.
/// `quire-security-confirmed` true takes the device's claim as the facts (with no claim, the
/// administrator vouches for the facts as they are); false withdraws the facts. A fact set
/// on facts nobody vouched for starts from the defaults, never from the claim: the
/// administrator vouches only for what they set.
pub fn admin_set(p: &mut Printer, attr: &Attribute) -> Result<bool, String> {
    if attr.name == v::SECURITY_CONFIRMED {
        let yes = v::flag_value(attr).ok_or_else(|| format!("Bad {} value: true or false.", attr.name))?;
        (p.security, p.trust) = match (yes, p.claim) {
            (false, _) => (Security::default(), Trust::Unconfirmed),
            (true, Some(claim)) => (claim, Trust::Confirmed),
            (true, None) if p.trust.vouched() => (p.security, p.trust),
            (true, None) => (p.security, Trust::Configured),
        };
        return Ok(true);
    }
    let mut facts = if p.trust.vouched() { p.security } else { Security::default() };
    if !facts.set(attr)? {
        return Ok(false);
    }
    p.security = facts;
    p.trust = Trust::Configured;
    Ok(true)
}

/// The device reported `claim` (`-m everywhere`, CUPS-Create-Local-Printer). A confirmation
/// was of the previous claim: a different claim is not confirmed. Facts an administrator
/// set stay as set.
pub fn take_claim(p: &mut Printer, claim: Security) {
    if p.trust == Trust::Confirmed && p.claim != Some(claim) {
        p.security = Security::default();
        p.trust = Trust::Unconfirmed;
    }
    p.claim = Some(claim);
}

/// The printer attributes that show `p`'s security: the facts in effect, who vouches for
/// them, and what the device claims.
pub fn printer_attributes(p: &Printer) -> Vec<Attribute> {
    let mut out = p.security.attributes();
    out.push(Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(p.trust.vouched())));
    out.push(Attribute::new(v::SECURITY_SOURCE, Value::Keyword(p.trust.keyword().into())));
    if let Some(claim) = &p.claim {
        out.push(Attribute::new(v::SECURITY_CLAIM, Value::Collection(claim.attributes())));
    }
    out
}

/// How strictly [`qualifies`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    /// Every fact and the overall level must be at least the first printer's (the default:
    /// biometrics without encryption does not stand in for an encrypting PIN printer).
    #[default]
    Components,
    /// Only the overall level is compared.
    LevelOnly,
}

/// Why a printer does not qualify: every way it falls short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall(pub Vec<String>);

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

/// May a printer with security `candidate` print part of a job first sent to a printer
/// with security `first`? Only if it is at least as secure, under `rule`.
pub fn qualifies(candidate: &Security, first: &Security, rule: Rule) -> Result<(), Shortfall> {
    let mut why = Vec::new();
    if rule == Rule::Components {
        if candidate.auth < first.auth {
            why.push(format!("its authentication ({}) is weaker than {}", candidate.auth.keyword(), first.auth.keyword()));
        }
        if first.encrypts && !candidate.encrypts {
            why.push("it does not encrypt job data".to_string());
        }
        if first.erases && !candidate.erases {
            why.push("it does not erase its storage".to_string());
        }
    }
    if candidate.level() < first.level() {
        why.push(format!("its security level {} is below {}", candidate.level(), first.level()));
    }
    if why.is_empty() { Ok(()) } else { Err(Shortfall(why)) }
}

#[cfg(test)]
#[path = "security_tests.rs"]
mod tests;
