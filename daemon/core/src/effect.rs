//! What a handler returns: its response, and the side effects for the daemon to carry out.

use quire_ipp::Message;

/// Side effects for the daemon to carry out, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    PersistJob(i32),
    /// Remove the job and its spool files.
    DeleteJob(i32),
    /// Remove these jobs and their spool files: a purge of many jobs in one effect, so a
    /// million of them cost a list of ids, not a million effects and changes.
    DeleteJobs(Vec<i32>),
    /// Remove only the job's spool files (job history stays).
    PurgeJobFiles(i32),
    PersistPrinter(String),
    DeletePrinter(String),
    PersistSubscription(i32),
    DeleteSubscription(i32),
    /// Default printer, id counters.
    PersistServer,
    /// Deliver the job to `printer`'s device. `run` identifies this run of the job: pass it
    /// back to `schedule::job_finished` / `job_progress`.
    StartJob {
        job_id: i32,
        printer: String,
        run: u32,
    },
    /// Stop the backend of a running job (it was canceled, held or moved).
    StopJob {
        job_id: i32,
    },
    /// Call `schedule::fire` at this unix time.
    ArmTimer {
        at: i64,
    },
    /// Make spool file `to` another name for spool file `from` (Reprocess/Resubmit-Job).
    LinkDocument {
        from: String,
        to: String,
    },
    /// A decision worth the daemon's log (failover steps).
    Log(String),
    /// The printer should identify itself (Identify-Printer).
    Identify {
        printer: String,
        actions: Vec<String>,
        message: String,
    },
}

/// A handler's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub response: Message,
    pub effects: Vec<Effect>,
}
