//! What the connections and the backends send the scheduler task, and what it answers.

use crate::cache::ResponseCache;
use quire_core::dispatch::Admitted;
use quire_core::{JobResult, Request, Requester, UriBase};
use quire_ipp::Message;
use tokio::sync::oneshot;

pub type Durable = oneshot::Receiver<Result<(), String>>;

/// The scheduler task's answer to a request: its status, the response (encoded by the
/// connection's task) and when its changes are saved.
pub struct Encoded {
    pub status: u16,
    pub body: ResponseBody,
    pub durable: Durable,
}

/// A response as the scheduler task built it. The connection's task encodes it (on any
/// worker thread) and caches the bytes when it may: the scheduler task, which serializes
/// every request, spends its time on the state only.
pub struct ResponseBody {
    message: Message,
    /// Cache the encoded answer under this key, as built at this generation in this second.
    cache: Option<(Vec<u8>, u64, i64)>,
}

impl ResponseBody {
    pub fn new(message: Message, cache: Option<(Vec<u8>, u64, i64)>) -> Self {
        ResponseBody { message, cache }
    }

    /// The encoded response, cached if it was asked to be. An answer too long to cache
    /// (CUPS-Get-Printers over thousands of printers) is sent as its pieces, never joined.
    pub fn into_body(self, cache: &ResponseCache) -> axum::body::Body {
        if self.message.encoded_len() > crate::cache::MAX_ENTRY_BYTES {
            let pieces = crate::pieces::PiecesBody::new(self.message.into_chunks());
            return axum::body::Body::new(pieces);
        }
        let body = self.message.encode();
        if let Some((key, generation, second)) = self.cache {
            cache.put(key, generation, second, &body);
        }
        body.into()
    }
}

pub enum Command {
    /// Phase one of a request the daemon works on before the core finishes it (spools its
    /// document, queries a device, hashes a PIN): every check, so a refused request causes
    /// no work (`dispatch::admit`; a Print-Job's id is reserved).
    Admit {
        request: Request,
        who: Requester,
        reply: oneshot::Sender<Result<Admitted, Message>>,
    },
    /// The spool's free space, measured by a request's task just before it sends its request.
    Spool(crate::spool_gauge::SpoolSpace),
    /// Phase two: `request` carries the daemon's work (`dispatch::complete`).
    Complete {
        admitted: Box<Admitted>,
        request: Request,
        who: Requester,
        reply: oneshot::Sender<Encoded>,
    },
    /// A request in one trip (`quire_core::handle`). `cache_key`: set for read-only queries
    /// whose answer may be cached (crate::cache).
    Ipp {
        request: Request,
        who: Requester,
        cache_key: Option<Vec<u8>>,
        reply: oneshot::Sender<Encoded>,
    },
    Ppd {
        name: String,
        base: UriBase,
        reply: oneshot::Sender<Option<String>>,
    },
    /// CUPS-Get-PPD: the response and the PPD that follows it.
    GetPpd {
        request: Request,
        reply: oneshot::Sender<(Message, Option<String>)>,
    },
    /// The status page's view, with the job privacy `who` is subject to.
    Summary {
        who: Requester,
        reply: oneshot::Sender<Summary>,
    },
    /// Reports of one backend run (`run` from `Effect::StartJob`).
    JobProgress {
        job_id: i32,
        run: u32,
        pages: i32,
    },
    /// The device's state reasons and message while it prints run `run` of the job.
    DeviceState {
        job_id: i32,
        run: u32,
        reasons: Vec<String>,
        message: String,
    },
    DeviceAttribute {
        job_id: i32,
        run: u32,
        attr: quire_ipp::Attribute,
    },
    /// The device accepted run `run` of the job as its job `device_job`.
    DeviceJob {
        job_id: i32,
        run: u32,
        device_job: i32,
    },
    JobDone {
        job_id: i32,
        run: u32,
        result: JobResult,
    },
    Timer,
    /// Start these runs (job, printer, run): their jobs' state is saved.
    Start(Vec<(i32, String, u32)>),
    /// A batch was not saved: reload what it touched from the store.
    StoreFailed(crate::store_thread::Touched),
    /// SIGHUP: the new configuration's settings (the start time and the CUPS backends are
    /// kept) and pull policy.
    Reconfigure {
        settings: Box<quire_core::Settings>,
        pull: crate::fetch::PullPolicy,
    },
    /// The texts of printers.conf and classes.conf as they are now (for the writer that
    /// keeps them written for cupsd).
    CupsFiles {
        reply: oneshot::Sender<(String, String)>,
    },
    /// The names the shared queues are registered under now (`printer-dns-sd-name`).
    DnssdNames(std::collections::BTreeMap<String, String>),
    /// The facts of the queues to advertise with DNS-SD (for the publisher).
    SharedQueues {
        reply: oneshot::Sender<Vec<quire_dnssd::txt::QueueFacts>>,
    },
    /// `-l`: is there nothing to do (no unfinished job; with `browsing`, no shared printer)?
    Idle {
        browsing: bool,
        reply: oneshot::Sender<bool>,
    },
}

/// A read-only view for the status page.
#[derive(Debug, Default)]
pub struct Summary {
    pub printers: Vec<(String, String, String, bool)>,
    pub jobs: Vec<(i32, String, String, String)>,
}
