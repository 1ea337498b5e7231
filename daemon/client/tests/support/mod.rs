//! A tiny scripted HTTP/1.1 server for the client tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};

use quire_ipp::{Attribute, DelimiterTag, Message, Value};

/// One parsed request as the server saw it.
#[derive(Debug)]
pub struct Req {
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub chunked: bool,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn read_line<R: BufRead>(r: &mut R) -> Option<String> {
    let mut s = String::new();
    match r.read_line(&mut s) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(s.trim_end_matches(['\r', '\n']).to_string()),
    }
}

/// Reads the request head only (for 100-continue tests).
pub fn read_head<R: BufRead>(r: &mut R) -> Option<(String, Vec<(String, String)>)> {
    let line = read_line(r)?;
    let mut headers = Vec::new();
    loop {
        let h = read_line(r)?;
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    Some((line, headers))
}

pub fn read_body<R: BufRead>(r: &mut R, headers: &[(String, String)]) -> (Vec<u8>, bool) {
    let get =
        |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if get("Transfer-Encoding").map(|v| v.contains("chunked")).unwrap_or(false) {
        loop {
            let size = usize::from_str_radix(&read_line(r).expect("chunk size"), 16).expect("hex");
            if size == 0 {
                assert_eq!(read_line(r).as_deref(), Some(""));
                return (body, true);
            }
            let mut chunk = vec![0; size];
            r.read_exact(&mut chunk).expect("chunk");
            body.extend_from_slice(&chunk);
            assert_eq!(read_line(r).as_deref(), Some(""));
        }
    }
    if let Some(len) = get("Content-Length") {
        let mut b = vec![0; len.parse().expect("length")];
        r.read_exact(&mut b).expect("body");
        body = b;
    }
    (body, false)
}

pub fn read_request<R: BufRead>(r: &mut R) -> Option<Req> {
    let (line, headers) = read_head(r)?;
    let (body, chunked) = read_body(r, &headers);
    Some(Req { line, headers, body, chunked })
}

/// A successful IPP response echoing the request id, with one job attribute.
pub fn ipp_ok(request_id: i32) -> Vec<u8> {
    let mut m = Message::new((2, 0), 0, request_id);
    let g = m.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    m.group_mut(DelimiterTag::Job).push(Attribute::new("job-id", Value::Integer(42)));
    m.encode()
}

pub fn request_id_of(body: &[u8]) -> i32 {
    i32::from_be_bytes([body[4], body[5], body[6], body[7]])
}

pub fn respond_len<W: Write>(w: &mut W, extra: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    );
    w.write_all(head.as_bytes()).unwrap();
    w.write_all(body).unwrap();
    w.flush().unwrap();
}

pub fn respond_chunked<W: Write>(w: &mut W, body: &[u8]) {
    let mut out =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for c in body.chunks(7) {
        out.extend_from_slice(format!("{:X};ext=1\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\nX-Trailer: yes\r\n\r\n");
    w.write_all(&out).unwrap();
    w.flush().unwrap();
}

/// Serves requests on one connection: read, answer with a Content-Length IPP
/// response, until the client goes away. Returns the requests seen.
pub fn serve_keepalive<S: Read + Write>(stream: S) -> Vec<Req> {
    let mut r = BufReader::new(stream);
    let mut seen = Vec::new();
    while let Some(req) = read_request(&mut r) {
        let id = request_id_of(&req.body);
        respond_len(r.get_mut(), "", &ipp_ok(id));
        seen.push(req);
    }
    seen
}

/// Deterministic pseudo-random bytes.
pub fn noise(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}
