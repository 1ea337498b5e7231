//! Plain DNS queries (RFC 1035) for the PTR and SRV records already in a zone: how quired,
//! starting again after a crash, finds the instances it published before (those whose SRV
//! names its host and port) to withdraw the ones no longer shared. The response is network
//! data, read as strictly as an update's answer.

use crate::answer::{AnswerError, Reader};
use crate::record::{class, rtype, Name, RData};

/// A query for `name` `qtype` IN, recursion not asked for (the server is authoritative).
pub fn encode_query(id: u16, name: &Name, qtype: u16) -> Vec<u8> {
    let mut m = Vec::with_capacity(64);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes());
    for count in [1u16, 0, 0, 0] {
        m.extend_from_slice(&count.to_be_bytes());
    }
    name.write_wire(&mut m);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&class::IN.to_be_bytes());
    m
}

/// One record of an answer section that quired reads: its owner and its PTR or SRV data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub owner: Name,
    pub data: RData,
}

/// A response to a query: its RCODE and the PTR and SRV records of its answer section (others,
/// and names that are not UTF-8, left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub rcode: u16,
    pub truncated: bool,
    pub records: Vec<Found>,
}

/// Reads the response `bytes` to the query with `id`.
pub fn parse_response(bytes: &[u8], id: u16) -> Result<Response, AnswerError> {
    if bytes.len() < 12 {
        return Err(AnswerError::Truncated);
    }
    let mut r = Reader { msg: bytes, pos: 0 };
    let got = r.u16()?;
    let flags = r.u16()?;
    if flags & 0x8000 == 0 || (flags >> 11) & 0xF != 0 {
        return Err(AnswerError::NotUpdateResponse);
    }
    if got != id {
        return Err(AnswerError::WrongId { got, want: id });
    }
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    for _ in 0..counts[0] {
        r.name()?;
        r.take(4)?;
    }
    let mut records = Vec::new();
    for _ in 0..counts[1] {
        let rr = r.record()?;
        if rr.class != class::IN {
            continue;
        }
        let mut d = Reader { msg: &bytes[..rr.rdata.end], pos: rr.rdata.start };
        let data = match rr.rtype {
            rtype::PTR => Name::from_wire_labels(d.name()?).map(RData::Ptr),
            rtype::SRV => {
                let (priority, weight, port) = (d.u16()?, d.u16()?, d.u16()?);
                Name::from_wire_labels(d.name()?).map(|target| RData::Srv {
                    priority,
                    weight,
                    port,
                    target,
                })
            }
            _ => continue,
        };
        if d.pos != rr.rdata.end {
            return Err(AnswerError::TrailingBytes);
        }
        if let (Some(owner), Some(data)) = (Name::from_wire_labels(rr.owner), data) {
            records.push(Found { owner, data });
        }
    }
    // Authority and additional sections are not read: nothing there is used.
    Ok(Response { rcode: flags & 0xF, truncated: flags & 0x0200 != 0, records })
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod tests;
