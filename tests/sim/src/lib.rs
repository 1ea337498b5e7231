//! quire-sim: an IPP Everywhere printer simulator for tests and benchmarks.
//!
//! It takes jobs over IPP (HTTP/1.1), "prints" them one impression at a time at `--ppm`,
//! writes one JSON line per printed impression to the page log (with the `QPAGE:` marker
//! found on the page, so tests can prove exactly-once delivery), and injects faults (paper
//! out, jam, offline, refused connections) from flags or a separate control listener.
//!
//! Layout: `cli` (flags), `server` (IPP listener) and `control` (control listener) on
//! tokio + hyper; `ipp` (operations), `attrs` (attributes), `engine` (the print loop),
//! `state` (jobs and faults), `doc` (page counting, markers), `spool` (document bodies).

pub mod attrs;
pub mod cli;
pub mod control;
pub mod ctl;
pub mod doc;
pub mod engine;
pub mod ipp;
pub mod json;
pub mod server;
pub mod spool;
pub mod state;
