//! Device facts some operations need from outside the scheduler, fetched before the core
//! runs them (their `Facts::fetch`): the device's own attributes for `-m everywhere` and
//! CUPS-Create-Local-Printer, and the device list for lpinfo -v.

use quire_client::Client;
use quire_core::operation::Fetch;
use quire_core::{DeviceInfo, Request};
use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use std::time::Duration;

/// Runs only after `dispatch::admit` let the request through: the device query is a side
/// effect (a connection to any host:port the request names) that no refused request causes.
/// `queue_device`: the existing queue's device, queried when the request names none.
pub async fn fill(req: &mut Request, fetch: Fetch, queue_device: Option<&str>) {
    match fetch {
        Fetch::DeviceAttributes | Fetch::DeviceAttributesForEverywhere => {
            let ppd = req
                .message
                .operation_attr("ppd-name")
                .or_else(|| req.message.attr(DelimiterTag::Printer, "ppd-name"))
                .and_then(|a| a.first_str());
            let everywhere = fetch == Fetch::DeviceAttributes || ppd == Some("everywhere");
            let uri = req
                .message
                .attr(DelimiterTag::Printer, "device-uri")
                .and_then(|a| a.first_str())
                .or(queue_device)
                .map(str::to_string);
            if let (true, Some(uri)) = (everywhere, uri) {
                match tokio::task::spawn_blocking(move || query_device(&uri)).await {
                    Ok(Ok(attrs)) => req.device_attributes = Some(attrs),
                    Ok(Err(why)) => req.device_error = Some(why),
                    Err(_) => req.device_error = Some("the query failed".into()),
                }
            }
        }
        Fetch::Devices => {
            let mut list = devices();
            list.extend(crate::dnssd::browse::devices(crate::dnssd::browse::MAX_BROWSE).await);
            req.devices = list;
        }
        Fetch::None => {}
    }
}

/// Get-Printer-Attributes from an ipp:// device, or why it could not be had. The answer is
/// read up to `quire_backends::MAX_DEVICE_REPLY` bytes: a device's answer is a claim.
pub(crate) fn query_device(uri: &str) -> Result<Vec<Attribute>, String> {
    // The backend's own reading of the URI: ipp, ipps (TLS), http, https.
    let (dest, resource) = quire_backends::ipp_destination(uri).map_err(|e| e.to_string())?;
    let client = Client::connect(dest).map_err(|e| e.to_string())?;
    let mut client = client
        .with_timeout(Duration::from_secs(10))
        .with_max_reply(quire_backends::MAX_DEVICE_REPLY);
    // The device is told its URI without the credentials (they are ours, not its business).
    let mut req = client
        .request(Operation::GetPrinterAttributes, Some(&quire_ipp::uri::without_userinfo(uri)));
    // Devices, like cupsd, leave media-col-database out of "all".
    let wanted =
        ["all", "media-col-database"].iter().map(|k| Value::Keyword(k.to_string())).collect();
    req.group_mut(DelimiterTag::Operation).push(Attribute::set("requested-attributes", wanted));
    let resp = client.send(&resource, &req, None).map_err(|e| {
        tracing::warn!(
            "{}: Get-Printer-Attributes failed: {e}",
            quire_ipp::uri::without_userinfo(uri)
        );
        e.to_string()
    })?;
    if resp.code >= 0x0100 {
        tracing::warn!(
            "{}: Get-Printer-Attributes answered {:#06x}",
            quire_ipp::uri::without_userinfo(uri),
            resp.code
        );
        return Err(format!("the device answered {:#06x}", resp.code));
    }
    resp.group(DelimiterTag::Printer)
        .map(|g| g.attributes.clone())
        .ok_or_else(|| "the device sent no printer attributes".to_string())
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
