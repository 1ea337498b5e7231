//! Sans-IO IPP codec (RFC 8010 encoding, RFC 8011 model).
//!
//! No sockets, no files, no async: bytes in, messages out. The decoder is
//! incremental: it consumes the attribute section as bytes arrive and hands
//! back how many bytes it used, so whatever follows (document data) can be
//! streamed by the caller and is never buffered here.

pub mod build;
pub mod date;
pub mod decode;
pub mod encode;
pub mod message;
pub mod ops;
pub mod registry;
pub mod state;
pub mod syntax;
pub mod tag;
pub mod uri;
pub mod value;
pub mod vendor;

pub use decode::{decode, DecodeError, Limits, MessageDecoder};
pub use message::{Attribute, Group, Message};
pub use ops::{Operation, StatusCode};
pub use state::{JobState, PrinterState};
pub use tag::{DelimiterTag, ValueTag};
pub use value::{DateTime, ResolutionUnits, Value};
