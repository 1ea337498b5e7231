//! cupsd's policies and locations as the core keeps them (the `policy` module applies them).

use quire_config::{AuthType, Encryption, Location, Policy};

/// The access-control part of the configuration, as the core applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessRules {
    pub policies: Vec<Policy>,
    pub locations: Vec<Location>,
    pub default_policy: String,
    pub default_auth_type: AuthType,
    /// `DefaultEncryption`: when Required (cupsd's default), a remote plain-HTTP client is
    /// never asked for a password, it is told to upgrade to TLS (the daemon turns its 401
    /// into 426).
    pub default_encryption: Encryption,
}

/// The policy cupsd falls back to when `DefaultPolicy` names none.
const FALLBACK_POLICY: &str = "default";

impl AccessRules {
    /// The configuration's rules. As cupsd (scheduler/conf.c): when `DefaultPolicy` names
    /// no `<Policy>`, the one called "default" is the default; when there is none either
    /// (a cupsd.conf without `<Policy>`), cupsd's standard default policy is added, so
    /// operations are never left unchecked. `default_policy` is the one in effect.
    pub fn from_config(c: &quire_config::ServerConfig) -> Self {
        let mut policies = c.policies.clone();
        let has = |ps: &[Policy], n: &str| ps.iter().any(|p| p.name.eq_ignore_ascii_case(n));
        let default_policy = if has(&policies, &c.default_policy) {
            c.default_policy.clone()
        } else {
            if !has(&policies, FALLBACK_POLICY) {
                policies.push(Policy::cupsd_default());
            }
            FALLBACK_POLICY.to_string()
        };
        AccessRules {
            policies,
            locations: c.locations.clone(),
            default_policy,
            default_auth_type: c.default_auth_type,
            default_encryption: c.default_encryption,
        }
    }

    /// The named policy, else the default one (cupsd falls back the same way).
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        let find = |n: &str| self.policies.iter().find(|p| p.name.eq_ignore_ascii_case(n));
        find(name).or_else(|| find(&self.default_policy)).or_else(|| find(FALLBACK_POLICY))
    }

    /// The innermost `<Location>` that covers the canonical `path`.
    pub fn location_for(&self, path: &str) -> Option<&Location> {
        quire_config::location_for(&self.locations, path)
    }
}
