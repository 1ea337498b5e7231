//! The server's answer to an update: network data, read strictly. Every length is checked
//! against the message, compression pointers only go backwards (so a name always ends), and a
//! name is at most 255 bytes; anything else is a typed error, never a panic.

use std::fmt;

use crate::record::{class, rtype, Name, MAX_NAME_WIRE};
use crate::tsig::{self, Key, Variables};
use crate::update::OPCODE_UPDATE;

/// Response codes an update may get (RFC 1035, RFC 2136 section 2.2, RFC 8945 section 3).
pub mod rcode {
    pub const NOERROR: u16 = 0;
    pub const FORMERR: u16 = 1;
    pub const SERVFAIL: u16 = 2;
    pub const NXDOMAIN: u16 = 3;
    pub const NOTIMP: u16 = 4;
    pub const REFUSED: u16 = 5;
    pub const YXDOMAIN: u16 = 6;
    pub const YXRRSET: u16 = 7;
    pub const NXRRSET: u16 = 8;
    pub const NOTAUTH: u16 = 9;
    pub const NOTZONE: u16 = 10;
    pub const BADSIG: u16 = 16;
    pub const BADKEY: u16 = 17;
    pub const BADTIME: u16 = 18;
    pub const BADTRUNC: u16 = 22;

    /// The mnemonic of a code, for log lines.
    pub fn name(code: u16) -> &'static str {
        match code {
            NOERROR => "NOERROR",
            FORMERR => "FORMERR",
            SERVFAIL => "SERVFAIL",
            NXDOMAIN => "NXDOMAIN",
            NOTIMP => "NOTIMP",
            REFUSED => "REFUSED",
            YXDOMAIN => "YXDOMAIN",
            YXRRSET => "YXRRSET",
            NXRRSET => "NXRRSET",
            NOTAUTH => "NOTAUTH",
            NOTZONE => "NOTZONE",
            BADSIG => "BADSIG",
            BADKEY => "BADKEY",
            BADTIME => "BADTIME",
            BADTRUNC => "BADTRUNC",
            _ => "unknown",
        }
    }
}

/// Why bytes are not an answer to our update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// Shorter than its header or than what its counts and lengths announce.
    Truncated,
    /// Not a response, or not to an UPDATE.
    NotUpdateResponse,
    /// Answers another message (its ID is not ours).
    WrongId { got: u16, want: u16 },
    /// A name that loops, points forwards, uses a reserved label type or is over 255 bytes.
    BadName,
    /// A TSIG record that is malformed, or not the last additional record.
    BadTsig,
    /// Bytes after the last record.
    TrailingBytes,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::Truncated => write!(f, "truncated DNS message"),
            AnswerError::NotUpdateResponse => write!(f, "not a response to an UPDATE"),
            AnswerError::WrongId { got, want } => write!(f, "answer ID {got} is not {want}"),
            AnswerError::BadName => write!(f, "malformed name"),
            AnswerError::BadTsig => write!(f, "malformed TSIG record"),
            AnswerError::TrailingBytes => write!(f, "bytes after the last record"),
        }
    }
}

impl std::error::Error for AnswerError {}

/// What the TSIG of an answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// No key configured and none in the answer.
    NotExpected,
    /// Signed with our key, MAC and time correct.
    Verified,
    /// Expected but missing: the answer cannot be trusted.
    Missing,
    /// The server could not check ours: its TSIG error (BADSIG, BADKEY, BADTIME...).
    ServerError(u16),
    /// Signed by another key or algorithm.
    WrongKey,
    /// Our key, but the MAC is wrong or the signing time too far from ours.
    Invalid,
}

/// A server's answer to an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The 4-bit RCODE of the header.
    pub rcode: u16,
    /// TC: the server could not send all of its answer over UDP (retry over TCP).
    pub truncated: bool,
    pub signature: Signature,
}

impl Answer {
    /// Applied, and (when a key is configured) verifiably from the server.
    pub fn is_success(&self) -> bool {
        self.rcode == rcode::NOERROR
            && matches!(self.signature, Signature::Verified | Signature::NotExpected)
    }
}

/// What the answer is checked against: the ID and, when signed, the key, the request's MAC
/// and the local time (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    pub id: u16,
    pub key: Option<&'a Key>,
    pub request_mac: &'a [u8],
    pub now: u64,
}

/// Reads the answer `bytes` to the update described by `expect`.
pub fn parse(bytes: &[u8], expect: &Expect<'_>) -> Result<Answer, AnswerError> {
    if bytes.len() < 12 {
        return Err(AnswerError::Truncated);
    }
    let mut r = Reader { msg: bytes, pos: 0 };
    let id = r.u16()?;
    let flags = r.u16()?;
    if flags & 0x8000 == 0 || (flags >> 11) & 0xF != OPCODE_UPDATE {
        return Err(AnswerError::NotUpdateResponse);
    }
    if id != expect.id {
        return Err(AnswerError::WrongId { got: id, want: expect.id });
    }
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    for _ in 0..counts[0] {
        r.name()?;
        r.take(4)?;
    }
    for _ in 0..(u32::from(counts[1]) + u32::from(counts[2])) {
        r.record()?;
    }
    let mut tsig_at = None;
    for i in 0..counts[3] {
        let start = r.pos;
        let rec = r.record()?;
        if rec.rtype == rtype::TSIG {
            if i + 1 != counts[3] {
                return Err(AnswerError::BadTsig);
            }
            tsig_at = Some((start, rec));
        }
    }
    if r.pos != bytes.len() {
        return Err(AnswerError::TrailingBytes);
    }
    let signature = match (expect.key, tsig_at) {
        (None, _) => Signature::NotExpected,
        (Some(_), None) => Signature::Missing,
        (Some(key), Some((start, rec))) => check_tsig(bytes, start, &rec, key, expect)?,
    };
    Ok(Answer { rcode: flags & 0xF, truncated: flags & 0x0200 != 0, signature })
}

/// A record's owner, type, class and where its data lies.
pub(crate) struct Rr {
    pub(crate) owner: Vec<Vec<u8>>,
    pub(crate) rtype: u16,
    pub(crate) class: u16,
    pub(crate) rdata: std::ops::Range<usize>,
}

fn check_tsig(
    msg: &[u8],
    start: usize,
    rec: &Rr,
    key: &Key,
    expect: &Expect<'_>,
) -> Result<Signature, AnswerError> {
    if rec.class != class::ANY {
        return Err(AnswerError::BadTsig);
    }
    let mut r = Reader { msg: &msg[..rec.rdata.end], pos: rec.rdata.start };
    let algorithm = r.name().map_err(|_| AnswerError::BadTsig)?;
    let t = r.take(6)?;
    let time_signed = t.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let fudge = r.u16()?;
    let mac_len = r.u16()?;
    let mac = r.take(usize::from(mac_len))?.to_vec();
    let original_id = r.u16()?;
    let error = r.u16()?;
    let other_len = r.u16()?;
    let other = r.take(usize::from(other_len))?.to_vec();
    if r.pos != rec.rdata.end {
        return Err(AnswerError::BadTsig);
    }
    if !same_name(&rec.owner, &key.name) || !same_name(&algorithm, &tsig::algorithm_name()) {
        return Ok(Signature::WrongKey);
    }
    if error != rcode::NOERROR {
        return Ok(Signature::ServerError(error));
    }
    if mac.len() != tsig::MAC_LEN {
        return Ok(Signature::Invalid);
    }
    // The answer as it was before the server added its TSIG: original ID, one record less.
    let mut unsigned = msg[..start].to_vec();
    unsigned[..2].copy_from_slice(&original_id.to_be_bytes());
    let ar = u16::from_be_bytes([unsigned[10], unsigned[11]]).wrapping_sub(1);
    unsigned[10..12].copy_from_slice(&ar.to_be_bytes());
    let vars = Variables { time_signed, fudge, error, other };
    if !tsig::verify_answer(key, expect.request_mac, &unsigned, &vars, &mac) {
        return Ok(Signature::Invalid);
    }
    if expect.now.abs_diff(time_signed) > u64::from(fudge) {
        return Ok(Signature::Invalid);
    }
    Ok(Signature::Verified)
}

fn same_name(wire: &[Vec<u8>], name: &Name) -> bool {
    wire.len() == name.labels().len()
        && wire.iter().zip(name.labels()).all(|(a, b)| a.eq_ignore_ascii_case(b.as_bytes()))
}

/// Reads a message from `pos` on; every read checked against its end.
pub(crate) struct Reader<'a> {
    pub(crate) msg: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], AnswerError> {
        let end = self.pos.checked_add(n).ok_or(AnswerError::Truncated)?;
        let s = self.msg.get(self.pos..end).ok_or(AnswerError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, AnswerError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A name's labels; after it, the reader is past its last byte in place (a pointer ends
    /// it). Pointers must point strictly before the name they occur in.
    pub(crate) fn name(&mut self) -> Result<Vec<Vec<u8>>, AnswerError> {
        let mut labels = Vec::new();
        let mut wire_len = 1;
        let mut at = self.pos;
        let mut floor = self.pos;
        let mut resume = None;
        loop {
            let len = *self.msg.get(at).ok_or(AnswerError::Truncated)?;
            match len & 0xC0 {
                0x00 if len == 0 => {
                    self.pos = resume.unwrap_or(at + 1);
                    return Ok(labels);
                }
                0x00 => {
                    let l = self.msg.get(at + 1..at + 1 + usize::from(len));
                    let l = l.ok_or(AnswerError::Truncated)?;
                    wire_len += l.len() + 1;
                    if wire_len > MAX_NAME_WIRE {
                        return Err(AnswerError::BadName);
                    }
                    labels.push(l.to_vec());
                    at += 1 + usize::from(len);
                }
                0xC0 => {
                    let lo = *self.msg.get(at + 1).ok_or(AnswerError::Truncated)?;
                    let target = usize::from(u16::from_be_bytes([len & 0x3F, lo]));
                    if target >= floor {
                        return Err(AnswerError::BadName);
                    }
                    resume.get_or_insert(at + 2);
                    floor = target;
                    at = target;
                }
                _ => return Err(AnswerError::BadName),
            }
        }
    }

    pub(crate) fn record(&mut self) -> Result<Rr, AnswerError> {
        let owner = self.name()?;
        let rtype = self.u16()?;
        let class = self.u16()?;
        self.take(4)?;
        let len = usize::from(self.u16()?);
        let start = self.pos;
        self.take(len)?;
        Ok(Rr { owner, rtype, class, rdata: start..start + len })
    }
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
