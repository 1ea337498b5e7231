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

use crate::model::{Printer, Rule, Security, Trust};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

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
pub fn printer_qualifies(
    candidate: &Printer,
    first: &Printer,
    rule: Rule,
) -> Result<(), Shortfall> {
    if let Some(why) = untrusted(first) {
        return Err(Shortfall(vec![format!(
            "\"{}\", where the job was sent, cannot be compared with: {why}",
            first.name
        )]));
    }
    if let Some(why) = untrusted(candidate) {
        return Err(Shortfall(vec![why.to_string()]));
    }
    qualifies(&candidate.security, &first.security, rule).map_err(|short| {
        Shortfall(vec![format!(
            "it is less secure than \"{}\" ({}): {short}",
            first.name,
            first.security.describe()
        )])
    })
}

/// Attributes only an administrator sets: the facts, and `quire-security-confirmed`.
pub fn is_settable(name: &str) -> bool {
    matches!(
        name,
        v::AUTHENTICATION_METHOD
            | v::ENCRYPTS_JOB_DATA
            | v::ERASES_STORAGE
            | v::SECURITY_LEVEL
            | v::SECURITY_CONFIRMED
    )
}

/// An administrator sets one security attribute of `p`. `Ok(false)`: not one of them.
/// `quire-security-confirmed` true takes the device's claim as the facts (with no claim, the
/// administrator vouches for the facts as they are); false withdraws the facts. A fact set
/// on facts nobody vouched for starts from the defaults, never from the claim: the
/// administrator vouches only for what they set.
pub fn admin_set(p: &mut Printer, attr: &Attribute) -> Result<bool, String> {
    if attr.name == v::SECURITY_CONFIRMED {
        let yes = v::flag_value(attr)
            .ok_or_else(|| format!("Bad {} value: true or false.", attr.name))?;
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
            why.push(format!(
                "its authentication ({}) is weaker than {}",
                candidate.auth.keyword(),
                first.auth.keyword()
            ));
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
    if why.is_empty() {
        Ok(())
    } else {
        Err(Shortfall(why))
    }
}

#[cfg(test)]
#[path = "security_tests.rs"]
mod tests;
