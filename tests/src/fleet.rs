//! A fleet of simulated printers of different security levels behind one quired, each a
//! `-m everywhere` queue whose claimed facts an administrator confirmed: what the splitter
//! and failover tests drive. Every check is made against the simulators' page logs (what
//! was really printed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::parse_request_id;
use crate::process::wait_until;
use crate::simulated_printer::{write_marked_pdf, PageRecord, Sim, SimOptions};
use crate::{cups_tool_ok, Server, Via};
use quire_client::{Client, Destination};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

/// (queue, authentication, encrypts, erases)
pub const FLEET: &[(&str, &str, bool, bool)] = &[
    ("secure", "id-card", true, true),
    ("vault", "biometric", true, true),
    ("office", "pin", false, false),
    ("draft", "none", false, false),
];

pub struct Fleet {
    pub server: Server,
    pub sims: BTreeMap<&'static str, Sim>,
    pub dir: tempfile::TempDir,
}

/// quired with one `-m everywhere` queue per simulated printer; `None` when quired is not built.
pub fn fleet(ppm: u32) -> Option<Fleet> {
    crate::require_programs();
    let Some(server) = Server::start_quired().expect("start quired") else {
        crate::skipped("quired binary not built");
        return None;
    };
    let mut sims = BTreeMap::new();
    for (name, auth, encrypts, erases) in FLEET {
        let sim = SimOptions::new()
            .name(name)
            .ppm(ppm)
            .auth(auth)
            .encrypts(*encrypts)
            .erases_storage(*erases)
            .start()
            .expect("quire-sim");
        cups_tool_ok(
            &server,
            Via::Tcp,
            "lpadmin",
            &["-p", name, "-E", "-v", &sim.uri(), "-m", "everywhere"],
        )
        .expect("lpadmin -m everywhere");
        sims.insert(*name, sim);
    }
    let f = Fleet { server, sims, dir: tempfile::tempdir().expect("tempdir") };
    for (name, ..) in FLEET {
        f.confirm(name);
    }
    Some(f)
}

impl Fleet {
    pub fn pdf(&self, tag: &str, pages: u32) -> PathBuf {
        let path = self.dir.path().join(format!("{tag}.pdf"));
        write_marked_pdf(&path, tag, pages).expect("write PDF");
        path
    }

    /// `lp -d QUEUE EXTRA... FILE` with CUPS's own lp; the job id.
    pub fn lp(&self, queue: &str, file: &Path, extra: &[&str]) -> i32 {
        let doc = file.to_string_lossy().into_owned();
        let mut args = vec!["-d", queue];
        args.extend_from_slice(extra);
        args.push(&doc);
        let out = cups_tool_ok(&self.server, Via::Tcp, "lp", &args).expect("lp");
        parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
            as i32
    }

    pub fn ipp(&self, req: &Message) -> Message {
        let mut c = Client::connect(Destination::Tcp {
            host: "127.0.0.1".into(),
            port: self.server.port(),
        })
        .expect("connect");
        c.send("/", req, None).expect("IPP request")
    }

    pub fn job(&self, id: i32) -> Message {
        let mut req = quire_client::request_as(
            Operation::GetJobAttributes,
            Some(&self.server.uri_base()),
            "tester",
        );
        let g = req.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-id", Value::Integer(id)));
        g.push(Attribute::set("requested-attributes", vec![Value::Keyword("all".into())]));
        self.ipp(&req)
    }

    pub fn wait_state(&self, id: i32, state: i32, secs: u64) -> Message {
        let ok = wait_until(Duration::from_secs(secs), || {
            int(&self.job(id), "job-state") == Some(state)
        });
        let m = self.job(id);
        assert!(
            ok,
            "job {id} never reached state {state}: {:?}\nlog:\n{}",
            m.groups,
            self.server.log_tail(40)
        );
        m
    }

    /// Markers of every page each printer printed.
    pub fn printed(&self) -> BTreeMap<&'static str, Vec<String>> {
        self.sims.iter().map(|(n, s)| (*n, markers(&s.page_log().expect("page log")))).collect()
    }

    pub fn printer_attr(&self, queue: &str, name: &str) -> Option<Attribute> {
        let mut req = quire_client::request_as(
            Operation::GetPrinterAttributes,
            Some(&self.server.printer_uri(queue)),
            "tester",
        );
        req.group_mut(DelimiterTag::Operation)
            .push(Attribute::set("requested-attributes", vec![Value::Keyword(name.into())]));
        self.ipp(&req).attr(DelimiterTag::Printer, name).cloned()
    }
}

pub fn int(m: &Message, name: &str) -> Option<i32> {
    m.attr(DelimiterTag::Job, name).and_then(|a| a.first_i32())
}

pub fn strs(m: &Message, name: &str) -> Vec<String> {
    m.attr(DelimiterTag::Job, name)
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default()
}

pub fn markers(log: &[PageRecord]) -> Vec<String> {
    log.iter().filter_map(|r| r.marker.clone()).collect()
}

/// How often each marker was printed, over all printers.
pub fn tally(printed: &BTreeMap<&str, Vec<String>>) -> BTreeMap<String, usize> {
    let mut t = BTreeMap::new();
    for m in printed.values().flatten() {
        *t.entry(m.clone()).or_insert(0) += 1;
    }
    t
}

pub fn every_page(tag: &str, pages: u32, times: usize) -> BTreeMap<String, usize> {
    (1..=pages).map(|p| (format!("QPAGE:{tag}:p{p}"), times)).collect()
}

pub fn children(m: &Message) -> Vec<i32> {
    m.attr(DelimiterTag::Job, v::CHILD_JOB_IDS)
        .map(|a| {
            a.values
                .iter()
                .filter_map(|x| match x {
                    Value::Integer(i) => Some(*i),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Fleet {
    /// Failover `mode` with `grace` seconds on `queue` (CUPS-Add-Modify-Printer over IPP:
    /// CUPS's lpadmin only sends `*-default` options).
    pub fn set_failover(&self, queue: &str, mode: &str, grace: i32) {
        let mut req = quire_client::request_as(
            Operation::CupsAddModifyPrinter,
            Some(&self.server.printer_uri(queue)),
            "root",
        );
        let mut g = quire_ipp::Group::new(DelimiterTag::Printer);
        g.push(Attribute::new(v::FAILOVER_DEFAULT, Value::Keyword(mode.into())));
        g.push(Attribute::new(v::FAILOVER_GRACE_TIME, Value::Integer(grace)));
        req.push_group(g);
        let resp = self.ipp(&req);
        assert!(
            resp.code < 0x0100,
            "setting failover on {queue}: {:#06x} {:?}",
            resp.code,
            resp.operation_attr("status-message")
        );
    }

    /// An administrator confirms what `queue`'s device claims about its security: quired
    /// relies only on confirmed facts (CUPS-Add-Modify-Printer over IPP: CUPS's lpadmin only
    /// sends `*-default` options).
    pub fn confirm(&self, queue: &str) {
        let mut req = quire_client::request_as(
            Operation::CupsAddModifyPrinter,
            Some(&self.server.printer_uri(queue)),
            "root",
        );
        let mut g = quire_ipp::Group::new(DelimiterTag::Printer);
        g.push(Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(true)));
        req.push_group(g);
        let resp = self.ipp(&req);
        assert!(resp.code < 0x0100, "confirming {queue}'s security facts: {:#06x}", resp.code);
    }

    /// Sets `queue`'s security facts (as an administrator would for a device that does not
    /// report them).
    pub fn set_security(&self, queue: &str, auth: &str, encrypts: bool, erases: bool) {
        let mut req = quire_client::request_as(
            Operation::CupsAddModifyPrinter,
            Some(&self.server.printer_uri(queue)),
            "root",
        );
        let mut g = quire_ipp::Group::new(DelimiterTag::Printer);
        g.push(Attribute::new(v::AUTHENTICATION_METHOD, Value::Keyword(auth.into())));
        g.push(Attribute::new(v::ENCRYPTS_JOB_DATA, Value::Boolean(encrypts)));
        g.push(Attribute::new(v::ERASES_STORAGE, Value::Boolean(erases)));
        req.push_group(g);
        let resp = self.ipp(&req);
        assert!(resp.code < 0x0100, "setting security on {queue}: {:#06x}", resp.code);
    }

    /// An ippget subscription to `queue`'s job-state-changed events; its id.
    pub fn subscribe(&self, queue: &str) -> i32 {
        let mut sub = quire_client::request_as(
            Operation::CreatePrinterSubscriptions,
            Some(&self.server.printer_uri(queue)),
            "tester",
        );
        let mut g = quire_ipp::Group::new(DelimiterTag::Subscription);
        g.push(Attribute::set("notify-events", vec![Value::Keyword("job-state-changed".into())]));
        g.push(Attribute::new("notify-pull-method", Value::Keyword("ippget".into())));
        sub.push_group(g);
        self.ipp(&sub)
            .attr(DelimiterTag::Subscription, "notify-subscription-id")
            .and_then(|a| a.first_i32())
            .expect("subscription id")
    }

    /// The texts of the events subscription `id` has received.
    pub fn notifications(&self, id: i32) -> Vec<String> {
        let mut get = quire_client::request_as(
            Operation::GetNotifications,
            Some(&self.server.uri_base()),
            "tester",
        );
        get.group_mut(DelimiterTag::Operation)
            .push(Attribute::new("notify-subscription-ids", Value::Integer(id)));
        self.ipp(&get)
            .groups
            .iter()
            .filter_map(|g| g.get("notify-text").and_then(|a| a.first_str().map(str::to_string)))
            .collect()
    }

    /// Waits until job `id`'s `quire-failover-state` is `state`.
    pub fn wait_failover(&self, id: i32, state: &str, secs: u64) -> Message {
        let ok = wait_until(Duration::from_secs(secs), || {
            strs(&self.job(id), v::FAILOVER_STATE).first().is_some_and(|s| s == state)
        });
        let m = self.job(id);
        assert!(
            ok,
            "job {id} never reached failover state {state}: {:?}\nlog:\n{}",
            m.groups,
            self.server.log_tail(40)
        );
        m
    }
}
