//! What goes through the filter worker's pipes.
//!
//! - To the worker: the [`Plan`] as an IPP message (quire-ipp's codec), then each document
//!   to convert as a *chunked stream*.
//! - From the worker: each result, in the plan's order, as a chunked stream; then the end of
//!   the pipe. Errors go to stderr as CUPS filters write them (`ERROR: ...`).
//!
//! A chunked stream is chunks of a 4-byte big-endian length and that many bytes (at most
//! [`MAX_CHUNK`]); a zero length ends it. The daemon reads what the worker sends as hostile
//! (the worker runs on hostile documents): only the number of results it asked for, in
//! chunks of bounded size, and nothing after them.

use super::Plan;
use quire_filters::{BannerInfo, ConvertOptions, RasterFormat, RasterOptions};
use quire_ipp::build::keyword_attr as kw;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, MessageDecoder, ResolutionUnits, Value};
use std::fmt;
use std::io::{self, BufRead, Read, Write};

/// The largest chunk either side accepts.
pub const MAX_CHUNK: usize = 1 << 20;
/// The chunk size writers use.
const CHUNK: usize = 64 * 1024;

/// Why a stream from the other side is unusable.
#[derive(Debug)]
pub enum WireError {
    Io(io::Error),
    /// The stream ended before it was complete.
    Truncated,
    /// A chunk longer than [`MAX_CHUNK`].
    ChunkTooLarge(u32),
    /// Bytes after the last expected result.
    TrailingData,
    /// The plan is not a valid message.
    BadPlan(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Io(e) => write!(f, "{e}"),
            WireError::Truncated => write!(f, "the stream ended early"),
            WireError::ChunkTooLarge(n) => write!(f, "a chunk of {n} bytes is too large"),
            WireError::TrailingData => write!(f, "unexpected data after the last document"),
            WireError::BadPlan(m) => write!(f, "bad plan: {m}"),
        }
    }
}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => WireError::Truncated,
            _ => WireError::Io(e),
        }
    }
}

/// Copies `input` to `out` as one chunked stream; returns the bytes copied.
pub fn write_stream(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&(n as u32).to_be_bytes())?;
        out.write_all(&buf[..n])?;
        total += n as u64;
    }
    out.write_all(&0u32.to_be_bytes())?;
    Ok(total)
}

/// Reads one chunked stream from `input` into `out`, giving up once more than `limit` bytes
/// came (`Ok(None)`, the rest of the stream unread); returns the bytes read.
pub fn read_stream(
    input: &mut dyn Read,
    out: &mut dyn Write,
    limit: u64,
) -> Result<Option<u64>, WireError> {
    let mut buf = Vec::new();
    let mut total = 0u64;
    loop {
        let mut len = [0u8; 4];
        input.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len);
        if len == 0 {
            return Ok(Some(total));
        }
        if len as usize > MAX_CHUNK {
            return Err(WireError::ChunkTooLarge(len));
        }
        total += u64::from(len);
        if total > limit {
            return Ok(None);
        }
        buf.resize(len as usize, 0);
        input.read_exact(&mut buf)?;
        out.write_all(&buf)?;
    }
}

/// The daemon's side: reads exactly `count` results from the worker, asking `open` for where
/// to put result `i`, then expects the end of the pipe.
pub fn read_results<'a>(
    input: &mut dyn Read,
    count: usize,
    open: &mut dyn FnMut(usize) -> io::Result<Box<dyn Write + 'a>>,
) -> Result<(), WireError> {
    for i in 0..count {
        let mut out = open(i)?;
        read_stream(input, &mut out, u64::MAX)?;
        out.flush()?;
    }
    let mut one = [0u8; 1];
    loop {
        return match input.read(&mut one) {
            Ok(0) => Ok(()),
            Ok(_) => Err(WireError::TrailingData),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e.into()),
        };
    }
}

/// Reads the plan message at the start of `input`, leaving `input` at the first document.
pub fn read_plan(input: &mut dyn BufRead) -> Result<Plan, WireError> {
    let msg = read_message(input)?;
    decode_plan(&msg).map_err(WireError::BadPlan)
}

/// One IPP message from `input`, nothing after it consumed.
pub fn read_message(input: &mut dyn BufRead) -> Result<Message, WireError> {
    let mut decoder = MessageDecoder::new(quire_ipp::Limits::default());
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Err(WireError::Truncated);
        }
        match decoder.feed(buf) {
            Ok(None) => {
                let n = buf.len();
                input.consume(n);
            }
            Ok(Some((msg, used))) => {
                input.consume(used);
                return Ok(msg);
            }
            Err(e) => return Err(WireError::BadPlan(format!("{e:?}"))),
        }
    }
}

/// The plan as an IPP message: conversion settings in the operation group, each banner sheet
/// as a job group (`job-sheets` says which), each document as a document group.
pub fn encode_plan(plan: &Plan) -> Message {
    let mut msg = Message::new((2, 0), 0, 1);
    let g = msg.group_mut(DelimiterTag::Operation);
    let o = &plan.opts;
    if let Some(m) = &o.media {
        g.push(kw("media", m));
    }
    if let Some(n) = o.orientation {
        g.push(Attribute::new("orientation-requested", Value::Enum(n)));
    }
    if let Some(d) = &o.presentation_direction {
        g.push(kw("presentation-direction-number-up", d));
    }
    if let Some(ranges) = &plan.ranges {
        let values = ranges
            .iter()
            .map(|(a, b)| Value::RangeOfInteger { lower: *a as i32, upper: *b as i32 })
            .collect();
        g.push(Attribute::set("page-ranges", values));
    }
    if let Some(n) = plan.number_up {
        g.push(Attribute::new("number-up", Value::Integer(n as i32)));
    }
    if let Some((n, collate)) = plan.copies {
        g.push(Attribute::new("copies", Value::Integer(n as i32)));
        g.push(kw("sheet-collate", if collate { "collated" } else { "uncollated" }));
    }
    if let Some(r) = plan.raster {
        g.push(Attribute::new("output-format", Value::MimeMediaType(r.format.mime_type().into())));
        g.push(Attribute::new(
            "printer-resolution",
            Value::Resolution {
                cross_feed: r.dpi as i32,
                feed: r.dpi as i32,
                units: ResolutionUnits::DotsPerInch,
            },
        ));
        g.push(kw("print-color-mode", if r.color { "color" } else { "monochrome" }));
    }
    for (which, info) in ["start", "end"].iter().zip(&plan.banners) {
        let Some(b) = info else { continue };
        let mut j = Group::new(DelimiterTag::Job);
        j.push(kw("job-sheets", which));
        j.push(Attribute::new("job-id", Value::Integer(b.job_id)));
        j.push(Attribute::new("job-name", Value::Name(b.job_name.clone())));
        j.push(Attribute::new("job-originating-user-name", Value::Name(b.user.clone())));
        j.push(Attribute::new("printer-name", Value::Name(b.printer.clone())));
        // As text: Unix seconds outgrow an IPP integer in 2038.
        j.push(Attribute::new("time-at-creation", Value::Text(b.created_unix.to_string())));
        if let Some(c) = &b.classification {
            j.push(Attribute::new("classification", Value::Name(c.clone())));
        }
        msg.push_group(j);
    }
    for f in &plan.formats {
        let mut d = Group::new(DelimiterTag::Document);
        d.push(Attribute::new("document-format", Value::MimeMediaType(f.clone())));
        msg.push_group(d);
    }
    msg
}

/// The plan from its message (what [`encode_plan`] made).
pub fn decode_plan(msg: &Message) -> Result<Plan, String> {
    let op = |n: &str| msg.operation_attr(n);
    let positive = |n: &str| -> Result<Option<u32>, String> {
        op(n)
            .map(|a| {
                a.first_i32()
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|v| *v > 0)
                    .ok_or(format!("bad {n}"))
            })
            .transpose()
    };
    let opts = ConvertOptions {
        media: op("media").and_then(|a| a.first_str()).map(str::to_string),
        orientation: op("orientation-requested").and_then(|a| a.first_i32()),
        presentation_direction: op("presentation-direction-number-up")
            .and_then(|a| a.first_str())
            .map(str::to_string),
    };
    let ranges = op("page-ranges")
        .map(|a| {
            a.values
                .iter()
                .map(|v| match v {
                    Value::RangeOfInteger { lower, upper } if *lower >= 1 && upper >= lower => {
                        Ok((*lower as u32, *upper as u32))
                    }
                    _ => Err("bad page-ranges".to_string()),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let collate = op("sheet-collate").and_then(|a| a.first_str()) != Some("uncollated");
    let copies = positive("copies")?.map(|n| (n, collate));
    let raster = decode_raster(msg)?;
    let banners = decode_banners(msg)?;
    let formats = msg
        .groups
        .iter()
        .filter(|g| g.tag == DelimiterTag::Document)
        .map(|g| {
            g.get("document-format")
                .and_then(|a| a.first_str())
                .map(str::to_string)
                .ok_or("document without a format")
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Plan { opts, ranges, number_up: positive("number-up")?, copies, raster, banners, formats })
}

/// The raster output the plan asks for (`output-format`, with its resolution and color).
fn decode_raster(msg: &Message) -> Result<Option<RasterOptions>, String> {
    let op = |n: &str| msg.operation_attr(n);
    let Some(f) = op("output-format").and_then(|a| a.first_str()) else { return Ok(None) };
    let format = [RasterFormat::PwgRaster, RasterFormat::Urf]
        .into_iter()
        .find(|r| r.mime_type() == f)
        .ok_or(format!("bad output-format {f}"))?;
    let dpi = match op("printer-resolution").and_then(|a| a.first()) {
        Some(Value::Resolution { cross_feed, .. }) => {
            u32::try_from(*cross_feed).map_err(|_| "bad printer-resolution")?
        }
        _ => return Err("no printer-resolution".into()),
    };
    let color = op("print-color-mode").and_then(|a| a.first_str()) == Some("color");
    Ok(Some(RasterOptions { format, dpi, color }))
}

/// The banner sheets of the plan: one Job group per `job-sheets` (start, end).
fn decode_banners(msg: &Message) -> Result<[Option<BannerInfo>; 2], String> {
    let mut banners = [None, None];
    for g in msg.groups.iter().filter(|g| g.tag == DelimiterTag::Job) {
        let s = |n: &str| g.get(n).and_then(|a| a.first_str()).unwrap_or("").to_string();
        let slot = match s("job-sheets").as_str() {
            "start" => 0,
            "end" => 1,
            other => return Err(format!("bad job-sheets {other}")),
        };
        banners[slot] = Some(BannerInfo {
            job_id: g.get("job-id").and_then(|a| a.first_i32()).unwrap_or(0),
            job_name: s("job-name"),
            user: s("job-originating-user-name"),
            printer: s("printer-name"),
            created_unix: s("time-at-creation").parse().map_err(|_| "bad time-at-creation")?,
            classification: g.get("classification").and_then(|a| a.first_str()).map(str::to_string),
            pages: None,
        });
    }
    Ok(banners)
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
