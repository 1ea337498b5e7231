//! A minimal status page for GET / (the full web interface is a later issue).

use crate::command::Summary;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn status(s: &Summary) -> String {
    let mut out = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Quire</title></head><body><h1>Quire</h1><h2>Printers</h2><table><tr><th>Name</th><th>State</th><th>Device</th><th>Accepting</th></tr>");
    for (name, state, uri, accepting) in &s.printers {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            esc(state),
            esc(uri),
            if *accepting { "yes" } else { "no" }
        );
    }
    out.push_str("</table><h2>Jobs</h2><table><tr><th>ID</th><th>Queue</th><th>Owner</th><th>State</th></tr>");
    for (id, queue, owner, state) in &s.jobs {
        let _ = write!(
            out,
            "<tr><td>{id}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(queue),
            esc(owner),
            esc(state)
        );
    }
    out.push_str("</table></body></html>\n");
    out
}
