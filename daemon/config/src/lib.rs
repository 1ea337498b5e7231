//! cupsd.conf / cups-files.conf support for Quire.
//!
//! Three steps, none of which touch the file system:
//! [`parse`] turns text into a tree of [`Node`]s, [`validate`] turns the two trees into a typed
//! [`ServerConfig`], and the daemon applies it. Every problem is a [`Diagnostic`] carrying
//! `file:line:col`; like cupsd, only structural errors are [`Severity::Error`] and nothing is fatal
//! here — the caller decides.

mod access;
mod compat;
mod defaults;
mod diag;
mod mailto;
mod model;
mod parse;
mod resource;
mod table;
mod validate;
pub mod values;

pub use compat::{compatibility_markdown, APPLIED_BY_QUIRED};
pub use defaults::BUILTIN_PORT;
pub use diag::{Diagnostic, Loc, Severity};
pub use mailto::{is_address, parse_mailto_conf, MailtoConf};
pub use model::*;
pub use parse::{parse, Block, BlockKind, Directive, Node};
pub use resource::{canonical_resource, location_covers, location_for, ResourceError};
pub use table::{lookup, ConfFile, Context, DirectiveInfo, Status, DIRECTIVES};
pub use validate::validate;

/// The stock cupsd.conf Quire ships (CUPS 2.4's default, used by [`ServerConfig::builtin_default`]).
pub const DEFAULT_CUPSD_CONF: &str = include_str!("../../../conf/cupsd.conf");
/// The stock cups-files.conf Quire ships.
pub const DEFAULT_CUPS_FILES_CONF: &str = include_str!("../../../conf/cups-files.conf");

#[cfg(test)]
mod compat_tests;
#[cfg(test)]
mod mailto_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod resource_tests;
#[cfg(test)]
mod validate_tests;
#[cfg(test)]
mod values_tests;
