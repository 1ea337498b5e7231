//! The operations: one function per IPP operation, one file per object they act on (as
//! PAPPL's): a printer, the system (the server and its lists), queue administration, a job
//! (creation, control, edits, queries, confidential release), its documents and
//! subscriptions; and [`TABLE`], every operation's facts and function in one row.

pub mod admin;
pub mod confidential;
pub mod document;
pub mod job_control;
pub mod job_create;
pub mod job_edit;
pub mod job_query;
pub mod printer;
pub mod subscriptions;
pub mod system;

use crate::effect::{Effect, Outcome};
use crate::error::{IppError, IppResult};
use crate::model::{Job, Scheduler};
use crate::operation::{Caller, DocumentUse, Facts, Fetch, PinUse, Targets};
use crate::quota::Allowance;
use crate::request::{Request, Requester, Target};
use crate::response;
use quire_ipp::{Message, Operation, Value};

/// The signature every operation has.
pub type OpFn = fn(&mut Scheduler, &Request, &Target, &Requester, i64) -> IppResult<Outcome>;

/// How the core answers an operation.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// The operation's function (step 3 of dispatch).
    Op(OpFn),
    /// CUPS-Get-PPD: answered by `dispatch::get_ppd`, the PPD after the response.
    Ppd,
    /// Known by name, not supported (CUPS-Get-Document).
    Unsupported,
}

/// One operation: its facts and its function.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub facts: Facts,
    pub handler: Handler,
}

impl Row {
    const fn new(op: Operation, target: Targets, handler: Handler) -> Self {
        Row { facts: Facts::new(op, target), handler }
    }
    const fn admin(mut self) -> Self {
        self.facts.caller = Caller::Admin;
        self
    }
    const fn on_this_host(mut self) -> Self {
        self.facts.caller = Caller::OnThisHost;
        self
    }
    const fn requester_owns(mut self) -> Self {
        self.facts.requester_owns = true;
        self
    }
    const fn document(mut self, document: DocumentUse) -> Self {
        self.facts.document = document;
        self
    }
    const fn fetch(mut self, fetch: Fetch) -> Self {
        self.facts.fetch = fetch;
        self
    }
    const fn pin(mut self, pin: PinUse) -> Self {
        self.facts.pin = pin;
        self
    }
    /// Polled by clients: cacheable, and an allowed call is not audited.
    const fn polled(mut self) -> Self {
        self.facts.cacheable = true;
        self.facts.audited = false;
        self
    }
    /// Not audited when allowed (job and event queries clients poll).
    const fn quiet(mut self) -> Self {
        self.facts.audited = false;
        self
    }
}

/// Every operation Quire knows.
pub static TABLE: &[Row] = {
    use DocumentUse::{Fetched, Spooled};
    use Handler::{Op, Ppd, Unsupported};
    use Operation as O;
    use Targets as T;
    &[
        // A new job (job_create.rs).
        Row::new(O::PrintJob, T::Printer, Op(job_create::print_job))
            .document(Spooled)
            .pin(PinUse::NewJob),
        Row::new(O::PrintUri, T::Printer, Op(job_create::print_uri))
            .document(Fetched)
            .pin(PinUse::NewJob),
        Row::new(O::CreateJob, T::Printer, Op(job_create::create_job)).pin(PinUse::NewJob),
        Row::new(O::ValidateJob, T::Printer, Op(job_create::validate_job)),
        Row::new(O::ReprocessJob, T::Job, Op(job_create::reprocess_job)),
        Row::new(O::ResubmitJob, T::Job, Op(job_create::resubmit_job)),
        // A job's documents (document.rs).
        Row::new(O::SendDocument, T::Job, Op(document::send_document)).document(Spooled),
        Row::new(O::SendUri, T::Job, Op(document::send_uri)).document(Fetched),
        Row::new(O::CloseJob, T::Job, Op(document::close_job)),
        Row::new(O::CancelDocument, T::Job, Op(document::cancel_document)),
        Row::new(O::SetDocumentAttributes, T::Job, Op(document::set_document_attributes)),
        Row::new(O::GetDocuments, T::Job, Op(document::get_documents)),
        Row::new(O::GetDocumentAttributes, T::Job, Op(document::get_document_attributes)),
        Row::new(O::CupsGetDocument, T::Job, Unsupported),
        // A job's state (job_control.rs).
        Row::new(O::CancelJob, T::Job, Op(job_control::cancel_job)),
        Row::new(O::CancelJobs, T::PrinterOrServer, Op(job_control::cancel_jobs)),
        Row::new(O::CancelMyJobs, T::PrinterOrServer, Op(job_control::cancel_my_jobs)),
        Row::new(O::CancelCurrentJob, T::Printer, Op(job_control::cancel_current_job)),
        Row::new(O::PurgeJobs, T::PrinterOrServer, Op(job_control::purge_jobs)),
        Row::new(O::HoldJob, T::Job, Op(job_control::hold_job)),
        Row::new(O::ReleaseJob, T::Job, Op(job_control::release_job)).pin(PinUse::Release),
        Row::new(O::RestartJob, T::Job, Op(job_control::restart_job)),
        Row::new(O::SuspendCurrentJob, T::Printer, Op(job_control::suspend_current_job)),
        Row::new(O::ResumeJob, T::Job, Op(job_control::resume_job)),
        // What a job is, where and when it prints (job_edit.rs).
        Row::new(O::SetJobAttributes, T::Job, Op(job_edit::set_job_attributes)),
        Row::new(O::CupsMoveJob, T::JobOrPrinter, Op(job_edit::move_job)),
        Row::new(O::PromoteJob, T::Job, Op(job_edit::promote_job)).admin(),
        Row::new(O::ScheduleJobAfter, T::Job, Op(job_edit::schedule_job_after)).admin(),
        // Job queries (job_query.rs).
        Row::new(O::GetJobAttributes, T::Job, Op(job_query::get_job_attributes)).quiet(),
        Row::new(O::GetJobs, T::PrinterOrServer, Op(job_query::get_jobs)).quiet(),
        // Confidential jobs (confidential.rs).
        Row::new(O::CupsAuthenticateJob, T::Job, Op(confidential::authenticate_job))
            .pin(PinUse::Release),
        Row::new(O::QuireReleaseMyJobs, T::PrinterOrServer, Op(confidential::release_my_jobs)),
        // A printer (printer.rs).
        Row::new(O::GetPrinterAttributes, T::Printer, Op(printer::get_printer_attributes)).polled(),
        Row::new(
            O::GetPrinterSupportedValues,
            T::Printer,
            Op(printer::get_printer_supported_values),
        ),
        Row::new(O::PausePrinter, T::Printer, Op(printer::pause_printer)).admin(),
        Row::new(O::PausePrinterAfterCurrentJob, T::Printer, Op(printer::pause_printer)).admin(),
        Row::new(O::ResumePrinter, T::Printer, Op(printer::resume_printer)).admin(),
        Row::new(O::HoldNewJobs, T::Printer, Op(printer::hold_new_jobs)).admin(),
        Row::new(O::ReleaseHeldNewJobs, T::Printer, Op(printer::release_held_new_jobs)).admin(),
        Row::new(O::EnablePrinter, T::Printer, Op(printer::enable_printer)).admin(),
        Row::new(O::DisablePrinter, T::Printer, Op(printer::disable_printer)).admin(),
        Row::new(O::CupsAcceptJobs, T::Printer, Op(printer::accept_jobs)).admin(),
        Row::new(O::CupsRejectJobs, T::Printer, Op(printer::reject_jobs)).admin(),
        Row::new(O::IdentifyPrinter, T::Printer, Op(printer::identify_printer)),
        Row::new(O::SetPrinterAttributes, T::Printer, Op(printer::set_printer_attributes)).admin(),
        Row::new(O::RestartPrinter, T::Printer, Op(printer::restart_printer)).admin(),
        Row::new(O::StartupPrinter, T::Printer, Op(printer::startup_printer)).admin(),
        Row::new(O::ShutdownPrinter, T::Printer, Op(printer::shutdown_printer)).admin(),
        // The system: default, lists, devices, models (system.rs).
        Row::new(O::CupsGetDefault, T::Nothing, Op(system::get_default)).polled(),
        Row::new(O::CupsSetDefault, T::Printer, Op(system::set_default)).admin(),
        Row::new(O::CupsGetPrinters, T::Nothing, Op(system::get_printers)).polled(),
        Row::new(O::CupsGetClasses, T::Nothing, Op(system::get_classes)),
        Row::new(O::CupsGetDevices, T::Nothing, Op(system::get_devices))
            .admin()
            .fetch(Fetch::Devices),
        Row::new(O::CupsGetPpds, T::Nothing, Op(system::get_ppds)),
        Row::new(O::CupsGetPpd, T::Nothing, Ppd),
        // Queue administration (admin.rs).
        Row::new(O::CupsAddModifyPrinter, T::NewOrExistingPrinter, Op(admin::add_modify_printer))
            .admin()
            .fetch(Fetch::DeviceAttributesForEverywhere),
        Row::new(O::CupsAddModifyClass, T::NewOrExistingClass, Op(admin::add_modify_class)).admin(),
        Row::new(O::CupsDeletePrinter, T::Printer, Op(admin::delete_printer)).admin(),
        Row::new(O::CupsDeleteClass, T::Printer, Op(admin::delete_printer)).admin(),
        Row::new(O::CupsCreateLocalPrinter, T::Nothing, Op(admin::create_local_printer))
            .on_this_host()
            .fetch(Fetch::DeviceAttributes),
        // Subscriptions (subscriptions.rs).
        // On a queue, or on the server object (`/`, `/printers/`, ...: every queue) as
        // desktop notifiers subscribe; `@OWNER` of a job subscription is the job's owner.
        Row::new(
            O::CreatePrinterSubscriptions,
            T::PrinterOrServer,
            Op(subscriptions::create_printer_subscriptions),
        ),
        Row::new(
            O::CreateJobSubscriptions,
            T::PrinterOrServer,
            Op(subscriptions::create_job_subscriptions),
        ),
        Row::new(
            O::GetSubscriptionAttributes,
            T::PrinterOrServer,
            Op(subscriptions::get_subscription_attributes),
        ),
        Row::new(O::GetSubscriptions, T::PrinterOrServer, Op(subscriptions::get_subscriptions)),
        Row::new(O::RenewSubscription, T::PrinterOrServer, Op(subscriptions::renew_subscription)),
        Row::new(O::CancelSubscription, T::PrinterOrServer, Op(subscriptions::cancel_subscription)),
        Row::new(O::GetNotifications, T::PrinterOrServer, Op(subscriptions::get_notifications))
            .requester_owns()
            .quiet(),
    ]
};

/// Where the document of a Print-Job or Send-Document goes, reserved in phase one
/// (`dispatch::admit`) before any of it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub job_id: i32,
    pub doc_number: i32,
    /// The job is confidential: the daemon encrypts the document as it spools.
    pub confidential: bool,
    /// Bytes the document may take (spool quotas, free disk); `None`: no limit.
    pub room: Option<Allowance>,
}

/// The row of `op`.
pub fn row(op: Operation) -> Option<&'static Row> {
    TABLE.iter().find(|r| r.facts.op == op)
}

/// The facts of `op`.
pub fn facts(op: Operation) -> Option<&'static Facts> {
    row(op).map(|r| &r.facts)
}

/// Step 3 of dispatch: call the operation.
pub fn call(
    row: &Row,
    state: &mut Scheduler,
    req: &Request,
    target: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    match row.handler {
        Handler::Op(handler) => handler(state, req, target, who, now),
        Handler::Ppd | Handler::Unsupported => {
            Err(IppError::OperationNotSupported(row.facts.op.code()))
        }
    }
}

/// The job targeted, for an operation only its owner (or an administrator) may do.
fn owned_job<'a>(s: &'a Scheduler, t: &Target, who: &Requester) -> IppResult<&'a Job> {
    let job = t.job(s)?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::not_owner(job.id));
    }
    Ok(job)
}

fn owned_job_mut<'a>(s: &'a mut Scheduler, t: &Target, who: &Requester) -> IppResult<&'a mut Job> {
    let job = t.job_mut(s)?;
    if !who.may_manage_job(&job.owner) {
        return Err(IppError::not_owner(job.id));
    }
    Ok(job)
}

/// A successful answer with these effects.
fn ok(req: &Request, effects: Vec<Effect>) -> IppResult<Outcome> {
    Ok(Outcome { response: response::ok(&req.message), effects })
}

/// An integer operation attribute of 0 or more, if sent.
fn int_attr(msg: &Message, name: &str) -> IppResult<Option<i32>> {
    match msg.operation_attr(name) {
        None => Ok(None),
        Some(a) => match a.values.as_slice() {
            [Value::Integer(n)] if *n >= 0 => Ok(Some(*n)),
            _ => Err(IppError::BadRequest(format!("Bad {name} attribute."))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_row() {
        for op in Operation::all() {
            assert_eq!(TABLE.iter().filter(|r| r.facts.op == *op).count(), 1, "{op:?}");
        }
        assert_eq!(TABLE.len(), Operation::all().len());
    }
}
