//! A printer's security facts, who vouches for them, and how strictly printers are compared
//! (the rules that use them are in the `security` module).

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// How a device authenticates a user before releasing a job, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum ReleaseAuth {
    #[default]
    None,
    Pin,
    IdCard,
    Biometric,
}

impl ReleaseAuth {
    pub const ALL: [ReleaseAuth; 4] =
        [ReleaseAuth::None, ReleaseAuth::Pin, ReleaseAuth::IdCard, ReleaseAuth::Biometric];

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
    pub auth: ReleaseAuth,
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
                self.auth = ReleaseAuth::from_keyword(kw).ok_or_else(|| {
                    format!("Unknown {} \"{kw}\" (none, pin, id-card or biometric).", attr.name)
                })?;
            }
            v::ENCRYPTS_JOB_DATA => self.encrypts = v::flag_value(attr).ok_or_else(bad)?,
            v::ERASES_STORAGE => self.erases = v::flag_value(attr).ok_or_else(bad)?,
            v::SECURITY_LEVEL => {
                if attr.first_str().is_some_and(|s| s.eq_ignore_ascii_case("auto")) {
                    self.configured_level = None;
                } else {
                    let level =
                        v::integer_value(attr).filter(|l| (0..=i32::from(MAX_LEVEL)).contains(l));
                    let level = level.ok_or_else(|| {
                        format!("Bad {} value: 0 to {MAX_LEVEL}, or auto.", attr.name)
                    })?;
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
        let pinned = members
            .iter()
            .any(|a| a.name == v::SECURITY_LEVEL_SOURCE && a.first_str() == Some("configured"));
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
        let release = get("job-release-action-supported")
            .is_some_and(|a| a.strs().any(|r| r == "job-password" || r == "owner-authorized"));
        let pin =
            get("job-password-supported").and_then(Attribute::first_i32).is_some_and(|n| n > 0);
        let auth = get(v::AUTHENTICATION_METHOD)
            .and_then(Attribute::first_str)
            .and_then(ReleaseAuth::from_keyword)
            .unwrap_or(if release || pin { ReleaseAuth::Pin } else { ReleaseAuth::None });
        let tls_only = (device_uri.starts_with("ipps:") || device_uri.starts_with("https:"))
            && get("uri-security-supported")
                .is_some_and(|a| a.strs().count() > 0 && a.strs().all(|s| s == "tls"));
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

/// How strictly `security::qualifies` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    /// Every fact and the overall level must be at least the first printer's (the default:
    /// biometrics without encryption does not stand in for an encrypting PIN printer).
    #[default]
    Components,
    /// Only the overall level is compared.
    LevelOnly,
}
