//! One function per IPP operation, grouped by family.

pub mod admin;
pub mod confidential;
pub mod ipp22;
pub mod job_control;
pub mod job_query;
pub mod jobs;
pub mod printers;
pub mod subscriptions;

use crate::effect::Outcome;
use crate::error::{IppError, IppResult};
use crate::model::Scheduler;
use crate::request::{Request, Requester};
use crate::request::Target;
use quire_ipp::Operation;

/// The signature every operation has.
pub type Handler = fn(&mut Scheduler, &Request, &Target, &Requester, i64) -> IppResult<Outcome>;

/// Step 3 of dispatch: call the operation.
pub fn call(
    op: Operation,
    state: &mut Scheduler,
    req: &Request,
    target: &Target,
    who: &Requester,
    now: i64,
) -> IppResult<Outcome> {
    let handler = handler(op).ok_or(IppError::OperationNotSupported(op.code()))?;
    handler(state, req, target, who, now)
}

fn handler(op: Operation) -> Option<Handler> {
    use Operation::*;
    Some(match op {
        PrintJob => jobs::print_job,
        ValidateJob => jobs::validate_job,
        CreateJob => jobs::create_job,
        SendDocument => jobs::send_document,
        CloseJob => jobs::close_job,
        CancelJob => job_control::cancel_job,
        CancelJobs => job_control::cancel_jobs,
        CancelMyJobs => job_control::cancel_my_jobs,
        CancelCurrentJob => job_control::cancel_current_job,
        PurgeJobs => job_control::purge_jobs,
        HoldJob => job_control::hold_job,
        ReleaseJob => job_control::release_job,
        RestartJob => job_control::restart_job,
        SetJobAttributes => job_control::set_job_attributes,
        CupsMoveJob => job_control::move_job,
        GetJobAttributes => job_query::get_job_attributes,
        GetJobs => job_query::get_jobs,
        GetDocumentAttributes => job_query::get_document_attributes,
        GetDocuments => job_query::get_documents,
        GetPrinterAttributes => printers::get_printer_attributes,
        GetPrinterSupportedValues => printers::get_printer_supported_values,
        PausePrinter => printers::pause_printer,
        ResumePrinter => printers::resume_printer,
        HoldNewJobs => printers::hold_new_jobs,
        ReleaseHeldNewJobs => printers::release_held_new_jobs,
        EnablePrinter => printers::enable_printer,
        DisablePrinter => printers::disable_printer,
        IdentifyPrinter => printers::identify_printer,
        CupsAcceptJobs => printers::accept_jobs,
        CupsRejectJobs => printers::reject_jobs,
        CupsGetDefault => printers::get_default,
        CupsSetDefault => printers::set_default,
        CupsGetPrinters => printers::get_printers,
        CupsGetClasses => printers::get_classes,
        CupsAddModifyPrinter => admin::add_modify_printer,
        CupsAddModifyClass => admin::add_modify_class,
        CupsDeletePrinter | CupsDeleteClass => admin::delete_printer,
        CupsGetDevices => admin::get_devices,
        CupsGetPpds => admin::get_ppds,
        CupsCreateLocalPrinter => admin::create_local_printer,
        SetPrinterAttributes => ipp22::set_printer_attributes,
        PausePrinterAfterCurrentJob => printers::pause_printer,
        RestartPrinter => ipp22::restart_printer,
        ShutdownPrinter => ipp22::shutdown_printer,
        StartupPrinter => ipp22::startup_printer,
        SuspendCurrentJob => ipp22::suspend_current_job,
        ResumeJob => ipp22::resume_job,
        PromoteJob => ipp22::promote_job,
        ScheduleJobAfter => ipp22::schedule_job_after,
        CancelDocument => ipp22::cancel_document,
        SetDocumentAttributes => ipp22::set_document_attributes,
        ReprocessJob => ipp22::reprocess_job,
        ResubmitJob => ipp22::resubmit_job,
        CreatePrinterSubscriptions => subscriptions::create_printer_subscriptions,
        CreateJobSubscriptions => subscriptions::create_job_subscriptions,
        GetSubscriptionAttributes => subscriptions::get_subscription_attributes,
        GetSubscriptions => subscriptions::get_subscriptions,
        RenewSubscription => subscriptions::renew_subscription,
        CancelSubscription => subscriptions::cancel_subscription,
        GetNotifications => subscriptions::get_notifications,
        CupsAuthenticateJob => confidential::authenticate_job,
        QuireReleaseMyJobs => confidential::release_my_jobs,
        PrintUri => jobs::print_uri,
        SendUri => jobs::send_uri,
        CupsGetPpd | CupsGetDocument => return None,
    })
}
