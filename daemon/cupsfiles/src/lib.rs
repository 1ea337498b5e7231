//! CUPS's state files, read and written as cupsd 2.4 reads and writes them: the groundwork
//! for taking a host over from cupsd and handing it back (docs/MIGRATION.md).
//!
//! - printers.conf and classes.conf: [`parse_printers_conf`], [`parse_classes_conf`] give a
//!   [`QueueFile`] of typed [`Queue`]s; [`QueueFile::to_text`] writes one back in cupsd's
//!   format. Quire's own printer settings travel as `Option quire-...` lines, which cupsd
//!   keeps ([`Queue::quire_settings`], [`Queue::set_quire_settings`]).
//! - subscriptions.conf: [`parse_subscriptions_conf`], [`SubscriptionsFile::to_text`].
//! - job control files (`cNNNNN`): [`JobControl`] (the IPP message, kept whole) and its
//!   typed [`JobRecord`]; [`JobControl::from_record`] makes one for cupsd. The spool's file
//!   names: [`SpoolFile`], [`job_documents`].
//!
//! Sans-IO: bytes in, typed values and diagnostics out. Every problem is a warning with
//! file:line:col, and only the broken item (a line, a block, a job) is left out. For what
//! parses, parse → write → parse gives the same values.
//!
//! Modules import only modules below them: `conf_line` < `queue` < `queue_parse`,
//! `queue_write`, `quire_settings`; `conf_line` < `subscription`; `spool`, `job_control`.

mod conf_line;
mod job_control;
mod queue;
mod queue_parse;
mod queue_write;
mod quire_settings;
mod spool;
mod subscription;

pub use job_control::{percent_encode, queue_name, JobControl, JobControlError, JobRecord};
pub use queue::{
    cross_check, valid_auth_info, valid_queue_name, CrossProblem, Queue, QueueFile, QueueKind,
    QueueState, UserAccess, ERROR_POLICIES, QUIRE_OPTION_PREFIX, TRANSIENT_REASONS,
};
pub use queue_parse::{parse_classes_conf, parse_printers_conf};
pub use quire_settings::{attribute_name, option_name, option_text};
pub use spool::{job_documents, Compression, JobDocuments, SpoolFile};
pub use subscription::{
    decode_user_data, encode_user_data, parse_subscriptions_conf, SubscriptionRecord,
    SubscriptionsFile, EVENT_NAMES, MAX_USER_DATA,
};

/// The server's default destination: cupsd reads printers.conf, then classes.conf, and a
/// default class wins over a default printer.
pub fn default_destination<'a>(
    printers: &'a QueueFile,
    classes: &'a QueueFile,
) -> Option<&'a Queue> {
    classes.default_queue().or_else(|| printers.default_queue())
}

#[cfg(test)]
mod conf_line_tests;
#[cfg(test)]
mod job_control_tests;
#[cfg(test)]
mod queue_tests;
#[cfg(test)]
mod spool_tests;
#[cfg(test)]
mod subscription_tests;
