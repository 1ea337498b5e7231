//! Facts some operations need from outside the scheduler, gathered before the core runs:
//! the device's own attributes for `-m everywhere`, and the device list for lpinfo -v.

use quire_client::Client;
use quire_core::{DeviceInfo, Request};
use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use std::time::Duration;

pub async fn fill(req: &mut Request, op: Option<Operation>) {
    match op {
        Some(op @ (Operation::CupsAddModifyPrinter | Operation::CupsCreateLocalPrinter)) => {
            let ppd = req.message.operation_attr("ppd-name").or_else(|| req.message.attr(DelimiterTag::Printer, "ppd-name")).and_then(|a| a.first_str());
            let everywhere = op == Operation::CupsCreateLocalPrinter || ppd == Some("everywhere");
            let uri = req.message.attr(DelimiterTag::Printer, "device-uri").and_then(|a| a.first_str()).map(str::to_string);
            if let (true, Some(uri)) = (everywhere, uri) {
                req.device_attributes = tokio::task::spawn_blocking(move || query_device(&uri)).await.ok().flatten();
            }
        }
        Some(Operation::CupsGetDevices) => req.devices = devices(),
        _ => {}
    }
}

/// Get-Printer-Attributes from an ipp:// device (None when it can't be reached).
pub(crate) fn query_device(uri: &str) -> Option<Vec<Attribute>> {
    // The backend's own reading of the URI: ipp, ipps (TLS), http, https.
    let (dest, resource) = quire_backends::ipp_destination(uri).ok()?;
    let mut client = Client::connect(dest).ok()?.with_timeout(Duration::from_secs(10));
    let mut req = client.request(Operation::GetPrinterAttributes, Some(uri));
    // Devices, like cupsd, leave media-col-database out of "all".
    let wanted = ["all", "media-col-database"].iter().map(|k| Value::Keyword(k.to_string())).collect();
    req.group_mut(DelimiterTag::Operation).push(Attribute::set("requested-attributes", wanted));
    let resp = client.send(&resource, &req, None).ok()?;
    if resp.code >= 0x0100 {
        tracing::warn!("{}: Get-Printer-Attributes answered {:#06x}", quire_ipp::uri::without_userinfo(uri), resp.code);
        return None;
    }
    resp.group(DelimiterTag::Printer).map(|g| g.attributes.clone())
}

/// The backends this build ships, as `lpinfo -v` shows them.
fn devices() -> Vec<DeviceInfo> {
    let d = |class: &str, uri: &str, info: &str| DeviceInfo {
        class: class.into(),
        uri: uri.into(),
        make_and_model: "Unknown".into(),
        info: info.into(),
        device_id: String::new(),
        location: String::new(),
    };
    let mut list = vec![
        d("file", "file", "Write to a file"),
        d("network", "ipp", "Internet Printing Protocol (ipp)"),
        d("network", "ipps", "Internet Printing Protocol (ipps)"),
        d("network", "http", "Internet Printing Protocol (http)"),
        d("network", "https", "Internet Printing Protocol (https)"),
        d("network", "socket", "AppSocket/HP JetDirect"),
        d("network", "lpd", "LPD/LPR Host or Printer"),
    ];
    // Other schemes go to the CUPS backend of that name (usb, vendor backends…).
    for name in quire_backends::cups_backend_schemes() {
        if !list.iter().any(|x| x.uri == name) {
            list.push(d("direct", &name, &format!("CUPS backend \"{name}\"")));
        }
    }
    list
}
