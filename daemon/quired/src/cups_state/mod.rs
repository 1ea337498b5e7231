//! Taking a host over from cupsd, and handing it back (docs/MIGRATION.md).
//!
//! - [`import`]: on quired's first start against an existing CUPS install (its store is new),
//!   cupsd's queues, classes, default, subscriptions and queued jobs are read with
//!   quire-cupsfiles, backed up, and recorded in quired's store in one transaction; only then
//!   are the imported jobs' files taken out of cupsd's spool (kept in the backup).
//! - [`to_queue`] and [`writer`]: while quired runs, printers.conf and classes.conf are
//!   kept written in cupsd's format, Quire's own settings as `Option quire-...` lines, so that
//!   cupsd started again finds the same queues.
//!
//! Neither runs for the built-in (demo) configuration: its ServerRoot is quired's own.

mod backup;
mod import;
mod import_jobs;
mod import_queues;
pub mod to_queue;
pub mod writer;

pub use import::import_if_first_start;

/// The store key that says the first start's look at CUPS's files happened, and what came of
/// it: quired never imports twice.
pub const IMPORT_MARK: &str = "cups-import";
