//! TSIG (RFC 8945) with HMAC-SHA256: signing an update and checking the server's signature on
//! its answer. The clock is the caller's: `time_signed` is passed in.

use std::fmt;

use ring::hmac;

use crate::record::{class, rtype, Name};

/// The one algorithm Quire signs with (RFC 8945 section 6: mandatory to implement).
pub const ALGORITHM: &str = "hmac-sha256";
/// Seconds of clock difference accepted either way (RFC 8945 recommends 300).
pub const FUDGE: u16 = 300;
/// The length of an HMAC-SHA256 MAC.
pub const MAC_LEN: usize = 32;

/// A TSIG key: its name and secret. The secret never appears in `Debug` output (logs).
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    pub name: Name,
    secret: Vec<u8>,
}

impl Key {
    pub fn new(name: Name, secret: Vec<u8>) -> Key {
        Key { name, secret }
    }

    fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.secret)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").field("name", &self.name).field("secret", &"<redacted>").finish()
    }
}

/// `hmac-sha256.` as a name.
pub fn algorithm_name() -> Name {
    Name::from_static(&[ALGORITHM])
}

/// The TSIG variables that follow the signed message (RFC 8945 section 4.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variables {
    pub time_signed: u64,
    pub fudge: u16,
    pub error: u16,
    pub other: Vec<u8>,
}

fn write_variables(out: &mut Vec<u8>, key: &Name, v: &Variables) {
    key.write_canonical(out);
    out.extend_from_slice(&class::ANY.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    algorithm_name().write_canonical(out);
    write_time(out, v.time_signed);
    out.extend_from_slice(&v.fudge.to_be_bytes());
    out.extend_from_slice(&v.error.to_be_bytes());
    out.extend_from_slice(&u16::try_from(v.other.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&v.other);
}

fn write_time(out: &mut Vec<u8>, t: u64) {
    out.extend_from_slice(&t.to_be_bytes()[2..]);
}

/// Signs the message `msg` (header and sections, without a TSIG): appends the TSIG record and
/// counts it in ARCOUNT. Returns the MAC, which the answer's signature covers.
pub fn sign(msg: &mut Vec<u8>, key: &Key, time_signed: u64) -> Vec<u8> {
    let vars = Variables { time_signed, fudge: FUDGE, error: 0, other: Vec::new() };
    let mut data = msg.clone();
    write_variables(&mut data, &key.name, &vars);
    let mac = hmac::sign(&key.hmac_key(), &data).as_ref().to_vec();
    let id = [msg.first().copied().unwrap_or(0), msg.get(1).copied().unwrap_or(0)];
    key.name.write_wire(msg);
    msg.extend_from_slice(&rtype::TSIG.to_be_bytes());
    msg.extend_from_slice(&class::ANY.to_be_bytes());
    msg.extend_from_slice(&0u32.to_be_bytes());
    let mut rdata = Vec::with_capacity(64);
    algorithm_name().write_wire(&mut rdata);
    write_time(&mut rdata, time_signed);
    rdata.extend_from_slice(&FUDGE.to_be_bytes());
    rdata.extend_from_slice(&u16::try_from(mac.len()).unwrap_or(0).to_be_bytes());
    rdata.extend_from_slice(&mac);
    rdata.extend_from_slice(&id);
    rdata.extend_from_slice(&0u16.to_be_bytes());
    rdata.extend_from_slice(&0u16.to_be_bytes());
    msg.extend_from_slice(&u16::try_from(rdata.len()).unwrap_or(0).to_be_bytes());
    msg.extend_from_slice(&rdata);
    bump_arcount(msg);
    mac
}

fn bump_arcount(msg: &mut [u8]) {
    if let Some(c) = msg.get_mut(10..12) {
        let n = u16::from_be_bytes([c[0], c[1]]).wrapping_add(1);
        c.copy_from_slice(&n.to_be_bytes());
    }
}

/// Checks the MAC of an answer (RFC 8945 section 5.3): over the request's MAC (with its
/// length), the answer as it was before its TSIG was added (`unsigned`: the original ID,
/// ARCOUNT without the TSIG), and the answer's TSIG variables. Constant time.
pub fn verify_answer(
    key: &Key,
    request_mac: &[u8],
    unsigned: &[u8],
    vars: &Variables,
    mac: &[u8],
) -> bool {
    let mut data = Vec::with_capacity(2 + request_mac.len() + unsigned.len() + 64);
    data.extend_from_slice(&u16::try_from(request_mac.len()).unwrap_or(0).to_be_bytes());
    data.extend_from_slice(request_mac);
    data.extend_from_slice(unsigned);
    write_variables(&mut data, &key.name, vars);
    hmac::verify(&key.hmac_key(), &data, mac).is_ok()
}

#[cfg(test)]
#[path = "tsig_tests.rs"]
mod tests;
