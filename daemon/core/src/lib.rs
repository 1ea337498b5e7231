//! Quire's scheduler core: state plus one function per IPP operation.
//!
//! Pure: no I/O, no clock. Every handler takes (state, request, requester, now) and
//! returns a response and a list of effects for the daemon to carry out.

pub mod advert;
pub mod attrs;
pub mod capabilities;
pub mod confidential;
pub mod device;
pub mod device_text;
pub mod dispatch;
pub mod document;
pub mod effect;
pub mod error;
pub mod events;
pub mod failover;
pub mod ids;
pub mod lifecycle;
pub mod log_text;
pub mod model;
pub mod operation;
pub mod ops;
pub mod page_log;
pub mod persist;
pub mod policy;
pub mod ppd;
pub mod privacy;
pub mod quota;
pub mod request;
pub mod response;
pub mod schedule;
pub mod security;
pub mod split;
pub mod stuck;
pub mod template;
pub mod temporary;
pub mod time;
pub mod validate;

pub use dispatch::handle;
pub use document::Document;
pub use effect::{Effect, Outcome};
pub use error::{IppError, IppResult};
pub use model::{
    Job, JobAttrs, JobState, Printer, PrinterState, Scheduler, Settings, Str, Subscription,
};
pub use request::{AuthMethod, DeviceInfo, Network, Request, Requester, Target, UriBase};
pub use schedule::JobResult;
