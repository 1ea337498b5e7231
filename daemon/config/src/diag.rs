//! Source locations and diagnostics.

use std::fmt;
use std::path::PathBuf;

/// A position in a configuration file; `line` and `col` are 1-based (col counts characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub loc: Loc,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(loc: &Loc, message: impl Into<String>) -> Self {
        Diagnostic { loc: loc.clone(), severity: Severity::Warning, message: message.into() }
    }

    pub fn error(loc: &Loc, message: impl Into<String>) -> Self {
        Diagnostic { loc: loc.clone(), severity: Severity::Error, message: message.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.loc, self.severity, self.message)
    }
}

impl std::error::Error for Diagnostic {}
