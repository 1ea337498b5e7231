//! The scheduler task: owns the `Scheduler`, runs the core's handlers and carries out
//! their effects (persist, start or stop a backend, arm a timer).

use crate::cache::ResponseCache;
use crate::clock::now;
use crate::command::{Command, Durable, Encoded, ResponseBody, Summary};
use crate::logs::Logs;
use crate::records;
use crate::runner::Runner;
use crate::store_thread::StoreHandle;
use quire_core::page_log::PageFields;
use quire_core::{Effect, Outcome, Request, Requester, Scheduler};
use quire_ipp::registry::ObjectKind;
use quire_ipp::Message;
use quire_store::Change;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The effects to save, sorted (each object saved once, as it is after them all).
#[derive(Default)]
struct Batch {
    changes: Vec<Change>,
    jobs: BTreeSet<i32>,
    printers: BTreeSet<String>,
    subs: BTreeSet<i32>,
    server: bool,
    /// Jobs whose sealed spool files are shredded before the batch removes them.
    shred: Vec<i32>,
    /// Runs to start once the batch is saved.
    starts: Vec<(i32, String, u32)>,
}

pub struct SchedulerTask {
    state: Scheduler,
    store: StoreHandle,
    runner: Runner,
    tx: mpsc::UnboundedSender<Command>,
    armed: BTreeSet<i64>,
    cache: Arc<ResponseCache>,
    spool_dir: PathBuf,
    logs: Arc<Logs>,
    /// Keeps printers.conf and classes.conf written (not for the built-in configuration).
    cups_files: Option<crate::cups_state::writer::CupsFilesWriter>,
    /// Delivers the events of push subscriptions (none: they are dropped).
    notifier: Option<crate::notify::Notifier>,
    /// Advertises the shared queues with DNS-SD.
    dnssd: Option<crate::dnssd::Publisher>,
}

impl SchedulerTask {
    #[allow(clippy::too_many_arguments)] // start-up wiring, called once
    pub fn new(
        state: Scheduler,
        store: StoreHandle,
        spool_dir: PathBuf,
        tx: mpsc::UnboundedSender<Command>,
        cache: Arc<ResponseCache>,
        keyring: Arc<quire_vault::Keyring>,
        pull: crate::fetch::PullPolicy,
        launch: Arc<quire_backends::Launch>,
        logs: Arc<Logs>,
    ) -> Self {
        let runner =
            Runner::new(spool_dir.clone(), store.clone(), tx.clone(), keyring, pull, launch);
        let armed = BTreeSet::new();
        SchedulerTask {
            state,
            store,
            runner,
            tx,
            armed,
            cache,
            spool_dir,
            logs,
            cups_files: None,
            notifier: None,
            dnssd: None,
        }
    }

    /// From now on, push subscriptions' events go to `notifier`.
    pub fn notify_with(&mut self, notifier: crate::notify::Notifier) {
        self.notifier = Some(notifier);
    }

    /// Hands the core's outbox to the notifiers, which deliver off this task.
    fn push_events(&mut self) {
        if self.state.outbox.items.is_empty() && self.state.outbox.dropped == 0 {
            return;
        }
        let (pushes, dropped) = self.state.outbox.take();
        if let Some(n) = &self.notifier {
            n.submit(pushes, dropped);
        }
    }

    /// From now on, changes to the queues are written to printers.conf and classes.conf.
    pub fn write_cups_files(&mut self, writer: crate::cups_state::writer::CupsFilesWriter) {
        self.cups_files = Some(writer);
    }

    /// From now on, changes to the queues are advertised again with DNS-SD.
    pub fn advertise(&mut self, publisher: crate::dnssd::Publisher) {
        self.dnssd = Some(publisher);
    }

    /// Recovers interrupted jobs, then serves commands until every sender is gone.
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        let effects = quire_core::schedule::recover(&mut self.state, now());
        self.apply(effects);
        while let Some(cmd) = rx.recv().await {
            match cmd {
                // Nothing else runs until memory agrees with the store again.
                Command::StoreFailed(touched) => self.reload(touched).await,
                cmd => self.command(cmd),
            }
        }
    }

    /// Replaces what a failed batch touched with what the store holds (reading it after
    /// every batch sent so far, so no later change is lost).
    async fn reload(&mut self, touched: crate::store_thread::Touched) {
        self.cache.invalidate();
        match self.store.reload(touched).await {
            Ok(Ok(stored)) => {
                let effects = crate::reconcile::apply(&mut self.state, &self.spool_dir, stored);
                // Only timers and stops: nothing is saved again (that could fail the same way).
                for e in effects {
                    match e {
                        Effect::ArmTimer { at } => self.arm(at),
                        Effect::StopJob { job_id } => self.runner.stop(job_id),
                        _ => {}
                    }
                }
            }
            Ok(Err(e)) => {
                tracing::error!("Unable to read back from the job store after a failed save: {e}")
            }
            Err(_) => tracing::error!("The job store thread is gone"),
        }
    }

    /// Runs one request through the core as if a local admin sent it (built-in queues).
    pub fn bootstrap(&mut self, request: Request) -> Message {
        let who = crate::requester::local_root();
        let out = quire_core::handle(&mut self.state, &request, &who, now());
        self.apply(out.effects);
        out.response
    }

    /// [`Self::bootstrap`] for a queue quired makes for itself on a `file:` device (the
    /// built-in configuration's fallback queues): allowed whatever FileDevice says, as no
    /// client chose the path (cupsd too loads file: queues from printers.conf regardless).
    pub fn bootstrap_own_file_queue(&mut self, request: Request) -> Message {
        let allowed = std::mem::replace(&mut self.state.settings.file_device, true);
        let response = self.bootstrap(request);
        self.state.settings.file_device = allowed;
        response
    }

    pub fn has_printer(&self, name: &str) -> bool {
        self.state.printer(name).is_some()
    }

    pub fn has_printers(&self) -> bool {
        !self.state.printers.is_empty()
    }

    fn command(&mut self, cmd: Command) {
        let t = now();
        // Phase one changes nothing but a Print-Job's reserved id (invalidated below).
        let read_only = matches!(
            &cmd,
            Command::Ipp { cache_key: Some(_), .. }
                | Command::Admit { .. }
                | Command::Ppd { .. }
                | Command::GetPpd { .. }
                | Command::Summary { .. }
                | Command::Spool(_)
                | Command::Idle { .. }
                | Command::CupsFiles { .. }
                | Command::SharedQueues { .. }
        );
        if !read_only {
            self.cache.invalidate();
        }
        match cmd {
            Command::Admit { request, who, reply } => {
                let admitted = quire_core::dispatch::admit(&mut self.state, &request, &who, t);
                if admitted.as_ref().is_ok_and(|a| a.document.is_some()) {
                    self.cache.invalidate();
                }
                let _ = reply.send(admitted);
            }
            Command::Complete { admitted, request, who, reply } => {
                let out =
                    quire_core::dispatch::complete(&mut self.state, *admitted, &request, &who, t);
                let _ = reply.send(self.answer(out, &request, None, t));
            }
            Command::Ipp { request, who, cache_key, reply } => {
                let out = quire_core::handle(&mut self.state, &request, &who, t);
                let _ = reply.send(self.answer(out, &request, cache_key, t));
            }
            Command::Ppd { name, base, reply } => {
                let _ = reply.send(quire_core::dispatch::ppd(&self.state, &name, &base, t));
            }
            Command::GetPpd { request, reply } => {
                let _ = reply.send(quire_core::dispatch::get_ppd(&self.state, &request, t));
            }
            Command::Summary { who, reply } => {
                let _ = reply.send(self.summary(&who));
            }
            Command::Spool(space) => {
                self.state.spool_free = space.free;
                self.state.spool_total = space.total;
            }
            Command::Reconfigure { settings, pull } => self.reconfigure(*settings, pull, t),
            Command::Idle { browsing, reply } => {
                let shared = browsing && self.state.printers.values().any(|p| p.shared);
                let _ = reply.send(self.state.jobs.active().is_empty() && !shared);
            }
            Command::DnssdNames(names) => {
                self.state.dnssd_names =
                    names.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
            }
            Command::SharedQueues { keys, reply } => {
                let facts = match keys {
                    None => quire_core::advert::shared_queues(&self.state)
                        .into_iter()
                        .map(|(k, q)| (k, Some(q)))
                        .collect(),
                    Some(keys) => keys
                        .into_iter()
                        .map(|k| {
                            let q = quire_core::advert::shared_queue(&self.state, &k);
                            (k, q)
                        })
                        .collect(),
                };
                let _ = reply.send(facts);
            }
            Command::CupsFiles { reply } => {
                let (printers, classes) = crate::cups_state::to_queue::queue_files(&self.state);
                let _ = reply.send((printers.to_text(), classes.to_text()));
            }
            cmd => self.backend_report(cmd, t),
        }
    }

    /// A new configuration's settings (SIGHUP): the limits, policies and times it sets apply
    /// from the next request; a timer now lets timed work see the new times.
    fn reconfigure(
        &mut self,
        settings: quire_core::Settings,
        pull: crate::fetch::PullPolicy,
        t: i64,
    ) {
        let old = &self.state.settings;
        let settings = quire_core::Settings {
            start_time: old.start_time,
            cups_backends: old.cups_backends.clone(),
            ..settings
        };
        self.state.settings = settings;
        self.runner.set_pull(pull);
        self.cache.invalidate();
        if let Some(p) = &self.dnssd {
            p.mark_all();
        }
        self.arm(t);
    }

    /// What the backends report, the timer, and the runs whose state is saved.
    fn backend_report(&mut self, cmd: Command, t: i64) {
        match cmd {
            Command::JobProgress { job_id, run, pages } => {
                let effects =
                    quire_core::schedule::job_progress(&mut self.state, job_id, run, pages, t);
                self.apply(effects);
            }
            Command::DeviceState { job_id, run, reasons, message } => {
                tracing::info!("[Job {job_id}] device state {reasons:?} {message:?}");
                let effects = quire_core::device::device_state(
                    &mut self.state,
                    job_id,
                    run,
                    reasons,
                    message,
                    t,
                );
                self.apply(effects);
            }
            Command::DeviceAttribute { job_id, run, attr } => {
                let effects =
                    quire_core::device::device_attribute(&mut self.state, job_id, run, attr);
                self.apply(effects);
            }
            Command::DeviceJob { job_id, run, device_job } => {
                tracing::info!("[Job {job_id}] accepted by the device as job {device_job}");
                let effects =
                    quire_core::schedule::device_job(&mut self.state, job_id, run, device_job);
                self.apply(effects);
            }
            Command::JobDone { job_id, run, result } => {
                self.runner.finished(job_id, run);
                self.log_pages(job_id, run);
                tracing::info!("[Job {job_id}] backend run {run} finished: {result:?}");
                let effects =
                    quire_core::schedule::job_finished(&mut self.state, job_id, run, result, t);
                self.apply(effects);
            }
            Command::Timer => {
                self.armed.retain(|at| *at > t);
                let effects = quire_core::schedule::fire(&mut self.state, t);
                self.apply(effects);
            }
            Command::Start(starts) => {
                for (job_id, printer, run) in starts {
                    // Cancelled, held or moved meanwhile: that run is not to start.
                    let current = self.state.jobs.get(&job_id).is_some_and(|j| {
                        j.state == quire_core::JobState::Processing && j.run == run
                    });
                    if current {
                        self.runner.start(&self.state, job_id, run, &printer);
                    }
                }
            }
            // Handled by `run`; the requests by `command`.
            _ => {}
        }
    }

    /// Carries out a handled request's effects; its answer is encoded (and cached, when it may
    /// be) by the connection's task.
    fn answer(
        &mut self,
        out: Outcome,
        request: &Request,
        cache_key: Option<Vec<u8>>,
        t: i64,
    ) -> Encoded {
        if !out.effects.is_empty() {
            self.cache.invalidate();
        }
        let durable = self.execute(out.effects);
        // The PutJob just queued took the staged bytes if the job kept the document.
        if let Some(doc) = request.document.as_ref().filter(|d| d.is_inline()) {
            self.store.discard_staged(&doc.file);
        }
        let status = out.response.code;
        let cache = cache_key.filter(|_| status < 0x0100).map(|k| (k, self.cache.generation(), t));
        Encoded { status, body: ResponseBody::new(out.response, cache), durable }
    }

    /// The page_log line for a job whose run `run` ended, as cupsd writes one when a job's
    /// processes end (completed, stopped or failed): the impressions counted so far.
    fn log_pages(&self, job_id: i32, run: u32) {
        if !self.logs.wants_pages() {
            return;
        }
        let Some(job) = self.state.jobs.get(&job_id).filter(|j| j.run == run) else { return };
        let base = quire_core::UriBase {
            scheme: "ipp".into(),
            authority: self.state.settings.server_name.clone(),
        };
        let all = quire_ipp::registry::expand_requested(&["all"], ObjectKind::Job);
        let attributes = quire_core::attrs::job::job_attributes(&self.state, job, &base, &all);
        self.logs.page(&PageFields {
            printer: &job.printer,
            user: &job.owner,
            job_id,
            page: "total",
            count: job.impressions_completed,
            attributes: &attributes,
        });
    }

    fn summary(&self, who: &Requester) -> Summary {
        // A private owner is "Withheld", as on cupsd's web pages.
        let owner = |j: &quire_core::Job| match quire_core::privacy::of_job(&self.state, j, who)
            .hides("job-originating-user-name")
        {
            true => "Withheld".to_string(),
            false => j.owner.to_string(),
        };
        Summary {
            printers: self
                .state
                .printers
                .values()
                .map(|p| {
                    (
                        p.name.clone(),
                        p.state.keyword().into(),
                        quire_ipp::uri::without_userinfo(&p.device_uri),
                        p.accepting,
                    )
                })
                .collect(),
            jobs: self
                .state
                .jobs
                .values()
                .rev()
                .take(50)
                .map(|j| (j.id, j.printer.to_string(), owner(j), j.state.keyword().into()))
                .collect(),
        }
    }

    /// Carries out effects no client waits on: the store saves them in their turn.
    fn apply(&mut self, effects: Vec<Effect>) {
        drop(self.execute(effects));
    }

    /// Carries out effects; returns when the persisted part will be durable.
    fn execute(&mut self, effects: Vec<Effect>) -> Durable {
        self.push_events();
        let changed = !effects.is_empty();
        let Batch { mut changes, jobs, printers, subs, server, shred, starts } = self.sort(effects);
        let queues_changed = server
            || !printers.is_empty()
            || changes.iter().any(|c| matches!(c, Change::DeletePrinter(_)));
        if queues_changed {
            if let Some(w) = &self.cups_files {
                w.mark();
            }
        }
        if let Some(p) = &self.dnssd {
            let deleted = changes.iter().filter_map(|c| match c {
                Change::DeletePrinter(k) => Some(k),
                _ => None,
            });
            if !printers.is_empty() || deleted.clone().next().is_some() {
                p.mark(printers.iter().chain(deleted));
            }
        }
        let st = &self.state;
        changes
            .extend(printers.iter().filter_map(|k| Some(records::printer(k, st.printers.get(k)?))));
        changes.extend(jobs.iter().filter_map(|id| Some(records::job(st.jobs.get(id)?))));
        changes.extend(
            subs.iter().filter_map(|id| Some(records::subscription(st.subscriptions.get(id)?))),
        );
        if server {
            changes.extend(records::server(st));
        }
        if !shred.is_empty() {
            // Overwriting a large file takes a while: the store thread does it (not the
            // scheduler's), before the batch below removes the files.
            self.store.shred_sealed(shred);
        }
        // A job starts once its state is saved: a run the store does not know of would
        // print again after a restart, or print a job whose creation was not saved.
        let durable = if starts.is_empty() {
            self.store.submit(changes)
        } else {
            let (durable, saved) = self.store.submit_acked(changes);
            let tx = self.tx.clone();
            tokio::spawn(async move {
                if saved.await == Ok(true) {
                    let _ = tx.send(Command::Start(starts));
                }
            });
            durable
        };
        // Whatever changed, the next deadline (history and file purges after a cancel,
        // expiries, holds) has a timer: handlers arm only the timers they know they need.
        // Only after a change: the look-up visits every active job and temporary printer, and
        // most requests (every read) change nothing.
        if changed {
            if let Some(at) = quire_core::schedule::next_timer(&self.state, now()) {
                self.arm(at);
            }
        }
        durable
    }

    /// Carries out the effects that are not saved (stops, timers, links, log lines) and
    /// sorts the rest into a batch.
    fn sort(&mut self, effects: Vec<Effect>) -> Batch {
        let mut b = Batch::default();
        for e in effects {
            match e {
                Effect::PersistJob(id) => {
                    b.jobs.insert(id);
                }
                Effect::PurgeJobFiles(id) => {
                    b.shred.push(id);
                    b.jobs.insert(id);
                }
                Effect::DeleteJob(id) => {
                    b.shred.push(id);
                    b.changes.push(Change::DeleteJob(id));
                }
                Effect::DeleteJobs(ids) => {
                    b.shred.extend(&ids);
                    b.changes.push(Change::DeleteJobs(ids));
                }
                Effect::PersistPrinter(k) => {
                    b.printers.insert(k);
                }
                Effect::DeletePrinter(k) => b.changes.push(Change::DeletePrinter(k)),
                Effect::PersistSubscription(id) => {
                    b.subs.insert(id);
                }
                Effect::DeleteSubscription(id) => b.changes.push(Change::DeleteSubscription(id)),
                Effect::PersistServer => b.server = true,
                // Started after the batch is queued: an inline document is read behind it.
                Effect::StartJob { job_id, printer, run } => b.starts.push((job_id, printer, run)),
                Effect::StopJob { job_id } => self.runner.stop(job_id),
                Effect::ArmTimer { at } => self.arm(at),
                Effect::LinkDocument { from, to } => self.runner.link_document(&from, &to),
                Effect::Log(text) => tracing::info!("{text}"),
                Effect::Identify { printer, actions, message } => {
                    tracing::info!("Identify-Printer {printer}: {actions:?} {message}");
                }
            }
        }
        b
    }

    fn arm(&mut self, at: i64) {
        if !self.armed.insert(at) {
            return;
        }
        let tx = self.tx.clone();
        let delay = (at - now()).max(0) as u64;
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(delay)).await;
            let _ = tx.send(Command::Timer);
        });
    }
}
