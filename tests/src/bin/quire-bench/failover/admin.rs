//! The administration the failover benchmark does: failover on a quired queue (over IPP),
//! and on cupsd a class, printers disabled and enabled, a job cancelled (CUPS's own tools).

use std::io;

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

use super::ORIGIN;
use crate::client;
use crate::fleet::Fleet;

/// cupsd's class: the origin first, then the printers quired may move the remainder to.
pub const CLASS: &str = "failover";
/// The class members besides the origin (the two at least as secure as office).
pub const OTHERS: [&str; 2] = ["secure", "vault"];

/// `quire-failover-default` = `mode` and `quire-failover-grace-time` = `grace` on `queue`,
/// with CUPS-Add-Modify-Printer (CUPS's lpadmin only sends `*-default` options).
pub fn set_failover(fleet: &Fleet, queue: &str, mode: &str, grace: u32) -> io::Result<()> {
    let mut msg =
        client::request_as(Operation::CupsAddModifyPrinter, &fleet.srv.printer_uri(queue), "root");
    let p = msg.group_mut(DelimiterTag::Printer);
    p.push(Attribute::new(v::FAILOVER_DEFAULT, Value::Keyword(mode.into())));
    p.push(Attribute::new(v::FAILOVER_GRACE_TIME, Value::Integer(grace.min(86_400) as i32)));
    let mut conn = fleet.connect()?;
    let resp = conn.call("/", &msg.encode())?;
    if !client::is_ok(resp.code) {
        let text = resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
        return Err(client::other(format!(
            "CUPS-Add-Modify-Printer: IPP status 0x{:04x} {text}",
            resp.code
        )));
    }
    // Read back what the queue now says.
    let got = printer_attrs(fleet, queue, &[v::FAILOVER_DEFAULT, v::FAILOVER_GRACE_TIME])?;
    let mode_now = got
        .attr(DelimiterTag::Printer, v::FAILOVER_DEFAULT)
        .and_then(|a| a.first_str())
        .unwrap_or("");
    let grace_now =
        got.attr(DelimiterTag::Printer, v::FAILOVER_GRACE_TIME).and_then(|a| a.first_i32());
    if mode_now != mode || grace_now != Some(grace as i32) {
        return Err(client::other(format!(
            "{queue} says {mode_now:?}, grace {grace_now:?} after setting {mode}, {grace}"
        )));
    }
    Ok(())
}

/// Get-Printer-Attributes of `queue` for `names`.
fn printer_attrs(fleet: &Fleet, queue: &str, names: &[&str]) -> io::Result<Message> {
    let mut msg = Message::request(Operation::GetPrinterAttributes, 2);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("printer-uri", Value::Uri(fleet.srv.printer_uri(queue))));
    g.push(client::requested(names));
    let mut conn = fleet.connect()?;
    let resp = conn.call(&format!("/printers/{queue}"), &msg.encode())?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!(
            "Get-Printer-Attributes {queue}: IPP status 0x{:04x}",
            resp.code
        )));
    }
    Ok(resp)
}

/// Runs a CUPS tool against the fleet's server; an error unless it exits 0.
pub fn tool(fleet: &Fleet, program: &str, args: &[&str]) -> io::Result<()> {
    let out = crate::server::tool(&fleet.srv, 60, program, args)?;
    if out.rc != 0 {
        return Err(client::other(format!("{program} {}: {}", args.join(" "), out.text())));
    }
    Ok(())
}

/// The class of the origin and [`OTHERS`], enabled and accepting (a new class is neither
/// on cupsd).
pub fn make_class(fleet: &Fleet) -> io::Result<()> {
    for member in std::iter::once(ORIGIN).chain(OTHERS) {
        tool(fleet, "lpadmin", &["-p", member, "-c", CLASS])?;
    }
    tool(fleet, "cupsenable", &[CLASS])?;
    tool(fleet, "cupsaccept", &[CLASS])
}

/// `cupsdisable` / `cupsenable` the class members other than the origin.
pub fn others_enabled(fleet: &Fleet, enabled: bool) -> io::Result<()> {
    let program = if enabled { "cupsenable" } else { "cupsdisable" };
    tool(fleet, program, &OTHERS)
}
