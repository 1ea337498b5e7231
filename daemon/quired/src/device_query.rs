//! Device facts some operations need from outside the scheduler, fetched before the core
//! runs them (their `Facts::fetch`): the device's own attributes for `-m everywhere` and
//! CUPS-Create-Local-Printer, and the device list for lpinfo -v.

use quire_backends::cups_discovery::{self, Query};
use quire_backends::Launch;
use quire_client::Client;
use quire_core::operation::Fetch;
use quire_core::{DeviceInfo, Request};
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};
use std::sync::Arc;
use std::time::Duration;

/// Runs only after `dispatch::admit` let the request through: the device query is a side
/// effect (a connection to any host:port the request names, backends run) that no refused
/// request causes. It runs on the request's own task, never the scheduler's.
/// `queue_device`: the existing queue's device, queried when the request names none.
pub async fn fill(
    req: &mut Request,
    fetch: Fetch,
    queue_device: Option<&str>,
    launch: &Arc<Launch>,
) {
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
        Fetch::Devices => req.devices = all_devices(launch, query_of(&req.message)).await,
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

/// The schemes Quire delivers to itself, listed as the CUPS backends of the same names list
/// themselves in discovery mode (those print only this line); their CUPS backends are not run.
const NATIVE: [(&str, &str, &str); 7] = [
    ("file", "file", "Write to a file"),
    ("network", "ipp", "Internet Printing Protocol (ipp)"),
    ("network", "ipps", "Internet Printing Protocol (ipps)"),
    ("network", "http", "Internet Printing Protocol (http)"),
    ("network", "https", "Internet Printing Protocol (https)"),
    ("network", "socket", "AppSocket/HP JetDirect"),
    ("network", "lpd", "LPD/LPR Host or Printer"),
];

/// CUPS-Get-Devices' `timeout`, `limit`, `include-schemes` and `exclude-schemes`, as cupsd
/// reads them (a timeout below 1 s or a limit below 1 means the default).
/// What the backends find (on a blocking thread, for at most the query's timeout) and, at
/// the same time, the IPP printers quired's own DNS-SD browse finds (ipp://, ipps://).
async fn all_devices(launch: &Arc<Launch>, query: Query) -> Vec<DeviceInfo> {
    let browse_ipp = query.wants("ipp") || query.wants("ipps");
    let wait = query.timeout.min(crate::dnssd::browse::MAX_BROWSE);
    let (launch, q) = (launch.clone(), query.clone());
    // The browse ends with the backends (they browse too: CUPS's dnssd), not later than `wait`.
    let enough = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = enough.clone();
    let backends = async move {
        let found = tokio::task::spawn_blocking(move || devices(&launch, &q)).await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        found
    };
    let browse = async {
        if browse_ipp {
            crate::dnssd::browse::devices(wait, enough.clone()).await
        } else {
            Vec::new()
        }
    };
    let (listed, found) = tokio::join!(backends, browse);
    let mut list = listed.unwrap_or_default();
    for d in found {
        let scheme = d.uri.split(':').next().unwrap_or_default();
        if list.len() < query.limit && query.wants(scheme) && !list.iter().any(|x| x.uri == d.uri) {
            list.push(d);
        }
    }
    list
}

fn query_of(msg: &Message) -> Query {
    let int = |name| msg.operation_attr(name).and_then(Attribute::first_i32);
    let names =
        |name| msg.operation_attr(name).map(|a| a.strs().map(str::to_string).collect::<Vec<_>>());
    let mut q = Query::default();
    if let Some(t) = int("timeout").and_then(|t| u64::try_from(t).ok()).filter(|t| *t >= 1) {
        q.timeout = Duration::from_secs(t).min(cups_discovery::MAX_TIMEOUT);
    }
    if let Some(n) = int("limit").and_then(|n| usize::try_from(n).ok()).filter(|n| *n >= 1) {
        q.limit = n.min(cups_discovery::MAX_DEVICES);
    }
    q.include = names("include-schemes");
    q.exclude = names("exclude-schemes").unwrap_or_default();
    q
}

/// `lpinfo -v`: the schemes Quire serves, then what the installed CUPS backends find
/// (the dnssd backend lists the IPP printers DNS-SD shows, usb the attached ones...).
fn devices(launch: &Launch, query: &Query) -> Vec<DeviceInfo> {
    let mut list: Vec<DeviceInfo> = NATIVE
        .iter()
        .filter(|(_, scheme, _)| query.wants(scheme))
        .take(query.limit)
        .map(|(class, uri, info)| DeviceInfo {
            class: (*class).into(),
            uri: (*uri).into(),
            make_and_model: "Unknown".into(),
            info: (*info).into(),
            device_id: String::new(),
            location: String::new(),
        })
        .collect();
    let mut rest = query.clone();
    rest.limit = query.limit.saturating_sub(list.len());
    rest.exclude.extend(NATIVE.iter().map(|(_, scheme, _)| scheme.to_string()));
    if rest.limit == 0 {
        return list;
    }
    let found = cups_discovery::discover(&launch.cups, launch.account, &rest);
    list.extend(found.into_iter().map(|d| DeviceInfo {
        class: d.class,
        uri: d.uri,
        make_and_model: d.make_and_model,
        info: d.info,
        device_id: d.device_id,
        location: d.location,
    }));
    list
}
