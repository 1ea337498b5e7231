//! A queue's policy for splitting jobs between printers (the splitter is the
//! `split` module).

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Value};

/// How a job is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SplitMode {
    #[default]
    None,
    /// Quire picks the printers, by speed and backlog.
    Auto,
    /// The user (or the queue's policy) lists the printers.
    Manual,
}

impl SplitMode {
    pub fn keyword(self) -> &'static str {
        v::SPLIT_MODES[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        [SplitMode::None, SplitMode::Auto, SplitMode::Manual]
            .into_iter()
            .find(|m| m.keyword().eq_ignore_ascii_case(s))
    }
}

/// What happens to a job that asked for a split when no other printer qualifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// Print it on the printer it was sent to, and say so (nothing is less secure).
    #[default]
    PrintAlone,
    /// Hold it until the user releases it (to print alone) or cancels it.
    Hold,
}

impl Fallback {
    pub fn keyword(self) -> &'static str {
        v::SPLIT_FALLBACKS[self as usize]
    }
    pub fn from_keyword(s: &str) -> Option<Self> {
        [Fallback::PrintAlone, Fallback::Hold]
            .into_iter()
            .find(|m| m.keyword().eq_ignore_ascii_case(s))
    }
}

/// A queue's split policy: the default mode for its jobs, and which jobs it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitPolicy {
    pub mode: SplitMode,
    /// Printers for `manual`.
    pub printers: Vec<String>,
    pub fallback: Fallback,
    /// Split only jobs of at least this many copies or (`min_pages`) pages; with both 0,
    /// every job.
    pub min_copies: u32,
    pub min_pages: u32,
}

impl SplitPolicy {
    pub fn attributes(&self) -> Vec<Attribute> {
        let kw = |n: &str, s: &str| Attribute::new(n, Value::Keyword(s.into()));
        let mut out = vec![
            kw(v::SPLIT_DEFAULT, self.mode.keyword()),
            kw(v::SPLIT_FALLBACK_DEFAULT, self.fallback.keyword()),
        ];
        let printers: Vec<Value> = self.printers.iter().map(|p| Value::Name(p.clone())).collect();
        out.push(Attribute::set(
            v::SPLIT_PRINTERS_DEFAULT,
            if printers.is_empty() { vec![Value::NoValue] } else { printers },
        ));
        out.push(Attribute::new(
            v::SPLIT_MIN_COPIES,
            Value::Integer(self.min_copies.min(i32::MAX as u32) as i32),
        ));
        out.push(Attribute::new(
            v::SPLIT_MIN_PAGES,
            Value::Integer(self.min_pages.min(i32::MAX as u32) as i32),
        ));
        out
    }

    /// Applies one of the settable attributes. `Ok(false)`: not a split attribute.
    pub fn set(&mut self, attr: &Attribute) -> Result<bool, String> {
        let word = || attr.first_str().unwrap_or("").to_string();
        let count = || {
            v::integer_value(attr)
                .filter(|n| *n >= 0)
                .map(|n| n as u32)
                .ok_or_else(|| format!("Bad {} value: a number of 0 or more.", attr.name))
        };
        match attr.name.as_str() {
            v::SPLIT_DEFAULT => {
                self.mode = SplitMode::from_keyword(&word()).ok_or_else(|| {
                    format!("Unknown {} \"{}\" (none, auto or manual).", attr.name, word())
                })?
            }
            v::SPLIT_FALLBACK_DEFAULT => {
                self.fallback = Fallback::from_keyword(&word()).ok_or_else(|| {
                    format!("Unknown {} \"{}\" (print-alone or hold).", attr.name, word())
                })?
            }
            v::SPLIT_PRINTERS_DEFAULT => self.printers = v::list_values(attr),
            v::SPLIT_MIN_COPIES => self.min_copies = count()?,
            v::SPLIT_MIN_PAGES => self.min_pages = count()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Whether the policy applies to a job of `copies` copies of `pages` pages.
    pub(crate) fn applies(&self, copies: u32, pages: Option<u32>) -> bool {
        if self.mode == SplitMode::None {
            return false;
        }
        if self.min_copies == 0 && self.min_pages == 0 {
            return true;
        }
        (self.min_copies > 0 && copies >= self.min_copies)
            || (self.min_pages > 0 && pages.is_some_and(|p| p >= self.min_pages))
    }
}
