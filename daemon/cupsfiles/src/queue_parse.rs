//! Reading printers.conf and classes.conf as cupsd 2.4 does, with a warning (file:line:col)
//! for each line it would complain about, and skipping only what is broken: a bad line is
//! left out of its queue, a bad or unterminated block is left out of the file.

use std::collections::HashSet;
use std::path::Path;

use quire_config::Diagnostic;

use crate::conf_line::{self, is_space, ConfLine};
use crate::queue::{
    valid_auth_info, valid_queue_name, Queue, QueueFile, QueueKind, QueueState, UserAccess,
    ERROR_POLICIES, TRANSIENT_REASONS,
};

/// cupsd reads these files with a 4096-byte line buffer.
const MAX_LINE: usize = 4095;

/// cupsd keeps this many `printer-state-reasons` at most.
const MAX_REASONS: usize = 64;

/// printers.conf: its `<Printer>` / `<DefaultPrinter>` blocks and `NextPrinterId`.
pub fn parse_printers_conf(bytes: &[u8], path: &Path) -> (QueueFile, Vec<Diagnostic>) {
    parse(QueueKind::Printer, bytes, path)
}

/// classes.conf: its `<Class>` / `<DefaultClass>` blocks.
pub fn parse_classes_conf(bytes: &[u8], path: &Path) -> (QueueFile, Vec<Diagnostic>) {
    parse(QueueKind::Class, bytes, path)
}

/// The block being read.
struct Open {
    queue: Queue,
    line: usize,
}

struct Reader<'a> {
    kind: QueueKind,
    path: &'a Path,
    file: QueueFile,
    diags: Vec<Diagnostic>,
    open: Option<Open>,
    /// Inside a block that is skipped (its tag was bad): its lines are not looked at.
    skipping: bool,
    /// The names of the queues so far, lowercase (cupsd's names ignore case).
    names: HashSet<String>,
}

fn parse(kind: QueueKind, bytes: &[u8], path: &Path) -> (QueueFile, Vec<Diagnostic>) {
    let (lines, diags) = conf_line::read(bytes, path, MAX_LINE);
    let mut r = Reader {
        kind,
        path,
        file: QueueFile::new(kind),
        diags,
        open: None,
        skipping: false,
        names: HashSet::new(),
    };
    for line in &lines {
        r.line(line);
    }
    if let Some(open) = r.open.take() {
        r.unterminated(&open, "the end of the file");
    }
    (r.file, r.diags)
}

impl Reader<'_> {
    fn warn(&mut self, line: &ConfLine, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(&line.value_loc(self.path), message));
    }

    fn line(&mut self, line: &ConfLine) {
        let tag = self.kind.tag();
        if let Some(BlockTag::Open { default }) = block_tag(&line.name, self.kind) {
            self.open_block(line, default);
        } else if let Some(BlockTag::Close) = block_tag(&line.name, self.kind) {
            self.close_block(line);
        } else if self.kind == QueueKind::Printer && line.is("NextPrinterId") {
            match line.value.as_deref().and_then(|v| v.parse::<i32>().ok()).filter(|&n| n > 0) {
                Some(n) => self.file.next_printer_id = Some(n),
                None => self.warn(line, "NextPrinterId needs a number above 0"),
            }
        } else if self.skipping {
            // Part of a block left out: its tag was warned about.
        } else if let Some(mut open) = self.open.take() {
            match directive(self.kind, &mut open.queue, line) {
                Ok(None) => {}
                Ok(Some(note)) | Err(note) => self.warn(line, note),
            }
            self.open = Some(open);
        } else {
            let message = format!("{} outside a <{tag}> block", line.name);
            self.warn(line, message);
        }
    }

    fn open_block(&mut self, line: &ConfLine, is_default: bool) {
        if let Some(open) = self.open.take() {
            self.unterminated(&open, &format!("line {}", line.line));
        }
        let tag = if is_default { self.kind.default_tag() } else { self.kind.tag() };
        self.skipping = true;
        let Some(name) = line.value.as_deref() else {
            return self.warn(line, format!("<{tag} name> expected: this block is skipped"));
        };
        if !valid_queue_name(name) {
            return self.warn(
                line,
                format!(
                    "bad queue name \"{name}\" (1 to 127 bytes, no space, control character, \
                     / or #): this block is skipped"
                ),
            );
        }
        if !self.names.insert(name.to_ascii_lowercase()) {
            return self.warn(line, format!("a second queue \"{name}\": this block is skipped"));
        }
        if let Some(before) = self.file.default_queue().filter(|_| is_default) {
            let message = format!("a second default (after \"{}\"): this one wins", before.name);
            self.warn(line, message);
        }
        self.skipping = false;
        let mut queue = Queue::new(name);
        queue.is_default = is_default;
        self.open = Some(Open { queue, line: line.line });
    }

    fn close_block(&mut self, line: &ConfLine) {
        if let Some(open) = self.open.take() {
            if self.kind == QueueKind::Printer && open.queue.device_uri.is_none() {
                let message = format!(
                    "printer \"{}\" has no DeviceURI (cupsd sends its jobs to file:///dev/null)",
                    open.queue.name
                );
                self.warn(line, message);
            }
            if open.queue.is_default {
                self.file.queues.iter_mut().for_each(|q| q.is_default = false);
            }
            self.file.queues.push(open.queue);
        } else if !std::mem::take(&mut self.skipping) {
            let message = format!("{} without a block to close", line.name);
            self.warn(line, message);
        }
    }

    fn unterminated(&mut self, open: &Open, before: &str) {
        // Its name is free again for a complete block.
        self.names.remove(&open.queue.name.to_ascii_lowercase());
        let loc = quire_config::Loc { file: self.path.to_path_buf(), line: open.line, col: 1 };
        self.diags.push(Diagnostic::warning(
            &loc,
            format!(
                "<{} {}> is not closed before {before}: the queue is skipped",
                self.kind.tag(),
                open.queue.name
            ),
        ));
    }
}

enum BlockTag {
    Open { default: bool },
    Close,
}

/// `<Printer`, `<DefaultPrinter` (and `<Printer>`, a bad one without a name), `</Printer>`,
/// `</DefaultPrinter>`: in any case, as cupsd compares them.
fn block_tag(name: &str, kind: QueueKind) -> Option<BlockTag> {
    let rest = name.strip_prefix('<')?;
    let (close, rest) = match rest.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (bare, ended) = match rest.strip_suffix('>') {
        Some(bare) => (bare, true),
        None => (rest, false),
    };
    let default = if bare.eq_ignore_ascii_case(kind.default_tag()) {
        true
    } else if bare.eq_ignore_ascii_case(kind.tag()) {
        false
    } else {
        return None;
    };
    match (close, ended) {
        (true, true) => Some(BlockTag::Close),
        (true, false) => None,
        (false, _) => Some(BlockTag::Open { default }),
    }
}

/// What a directive line did: `Ok(None)` applied, `Ok(Some(note))` applied with a remark,
/// `Err(why)` left out.
type Applied = Result<Option<String>, String>;

fn directive(kind: QueueKind, q: &mut Queue, line: &ConfLine) -> Applied {
    if let Some(done) = common(q, line) {
        return done;
    }
    let specific = match kind {
        QueueKind::Printer => printer_only(q, line),
        QueueKind::Class => class_only(q, line),
    };
    specific.unwrap_or_else(|| {
        Err(format!(
            "unknown {} directive {} (cupsd ignores it, and drops it when it saves the file)",
            kind.file_name(),
            line.name
        ))
    })
}

fn value(line: &ConfLine) -> Result<&str, String> {
    line.value.as_deref().ok_or_else(|| format!("{} needs a value", line.name))
}

fn number<T: std::str::FromStr>(line: &ConfLine) -> Result<T, String> {
    let v = value(line)?;
    v.parse().map_err(|_| format!("{} needs a number, not \"{v}\"", line.name))
}

fn yes_no(line: &ConfLine) -> Result<bool, String> {
    let v = value(line)?;
    match v.to_ascii_lowercase().as_str() {
        "yes" | "on" | "true" => Ok(true),
        "no" | "off" | "false" => Ok(false),
        _ => Err(format!("{} needs Yes or No, not \"{v}\"", line.name)),
    }
}

/// `name value` of an `Option` or `Attribute` line.
fn pair(line: &ConfLine) -> Result<(String, String), String> {
    let v = value(line)?;
    match v.find(is_space) {
        Some(at) => Ok((v[..at].to_string(), v[at..].trim_start_matches(is_space).to_string())),
        None => Err(format!("{} needs a name and a value", line.name)),
    }
}

/// A text directive: no value is the empty text.
fn text(line: &ConfLine) -> Option<String> {
    Some(line.value.clone().unwrap_or_default())
}

/// Applies a parsed value with `apply`: an [`Applied`] for [`directive`].
fn set<T>(parsed: Result<T, String>, apply: impl FnOnce(T)) -> Option<Applied> {
    Some(parsed.map(|v| {
        apply(v);
        None
    }))
}

fn check<T>(v: T, ok: bool, why: impl FnOnce() -> String) -> Result<T, String> {
    if ok {
        Ok(v)
    } else {
        Err(why())
    }
}

/// The directives of both files; `None`: not one of them.
fn common(q: &mut Queue, line: &ConfLine) -> Option<Applied> {
    let name = line.name.to_ascii_lowercase();
    match name.as_str() {
        "printerid" => set(
            number::<i32>(line)
                .and_then(|n| check(n, n > 0, || "PrinterId needs a number above 0".into())),
            |n| q.printer_id = Some(n),
        ),
        "uuid" => set(
            value(line).and_then(|v| {
                check(v, v.starts_with("urn:uuid:"), || {
                    format!("UUID needs a urn:uuid: URI, not \"{v}\"")
                })
            }),
            |v| q.uuid = Some(v.to_string()),
        ),
        "authinforequired" => set(
            value(line).and_then(|v| {
                let list: Vec<String> = v.split(',').map(str::to_string).collect();
                let ok = valid_auth_info(&list);
                check(list, ok, || format!("bad AuthInfoRequired \"{v}\""))
            }),
            |list| q.auth_info_required = list,
        ),
        "info" => set(Ok(text(line)), |v| q.info = v),
        "location" => set(Ok(text(line)), |v| q.location = v),
        "option" => set(pair(line), |(n, v)| q.set_option(&n, &v)),
        "state" => set(
            value(line).and_then(|v| match v.to_ascii_lowercase().as_str() {
                "idle" => Ok(QueueState::Idle),
                "stopped" => Ok(QueueState::Stopped),
                _ => Err(format!("State needs Idle or Stopped, not \"{v}\"")),
            }),
            |s| q.state = s,
        ),
        "statemessage" => set(Ok(line.value.clone()), |v| {
            if v.is_some() {
                q.state_message = v;
            }
        }),
        "statetime" => set(number(line), |t| q.state_time = Some(t)),
        "accepting" => set(yes_no(line), |b| q.accepting = b),
        "shared" => set(yes_no(line), |b| q.shared = Some(b)),
        "jobsheets" => Some(job_sheets(q, line)),
        "allowuser" | "denyuser" => Some(user(q, line, name == "denyuser")),
        "quotaperiod" => set(number(line), |n| q.quota_period = n),
        "pagelimit" => set(number(line), |n| q.page_limit = n),
        "klimit" => set(number(line), |n| q.k_limit = n),
        "oppolicy" => set(value(line), |v| q.op_policy = Some(v.to_string())),
        _ => None,
    }
}

/// `AllowUser` / `DenyUser`: cupsd keeps one list; the last directive says which it is.
fn user(q: &mut Queue, line: &ConfLine, deny: bool) -> Applied {
    let name = value(line)?.to_string();
    let (mut list, mixed) = match std::mem::take(&mut q.users) {
        UserAccess::All => (Vec::new(), false),
        UserAccess::Allow(list) => (list, deny),
        UserAccess::Deny(list) => (list, !deny),
    };
    if !list.contains(&name) {
        list.push(name);
    }
    q.users = if deny { UserAccess::Deny(list) } else { UserAccess::Allow(list) };
    Ok(mixed.then(|| {
        let kind = if deny { "denies" } else { "allows" };
        format!("AllowUser and DenyUser mixed: cupsd {kind} every name listed")
    }))
}

fn job_sheets(q: &mut Queue, line: &ConfLine) -> Applied {
    let v = value(line)?;
    let mut words = v.split(is_space).filter(|w| !w.is_empty());
    if let Some(start) = words.next() {
        q.job_sheets.0 = start.to_string();
    }
    if let Some(end) = words.next() {
        q.job_sheets.1 = end.to_string();
    }
    Ok(words.next().map(|_| "JobSheets takes two banners: the rest is ignored".to_string()))
}
fn printer_only(q: &mut Queue, line: &ConfLine) -> Option<Applied> {
    let name = line.name.to_ascii_lowercase();
    match name.as_str() {
        "makemodel" => set(Ok(line.value.clone()), |v| {
            if v.is_some() {
                q.make_model = v;
            }
        }),
        "geolocation" => set(Ok(text(line)), |v| q.geo_location = v),
        "organization" => set(Ok(text(line)), |v| q.organization = v),
        "organizationalunit" => set(Ok(text(line)), |v| q.organizational_unit = v),
        "deviceuri" => set(value(line), |v| q.device_uri = Some(v.to_string())),
        "portmonitor" => {
            set(value(line), |v| q.port_monitor = (v != "none").then(|| v.to_string()))
        }
        "reason" => set(
            value(line)
                .and_then(|v| {
                    check(v, !TRANSIENT_REASONS.contains(&v), || {
                        format!("cupsd does not read back the reason {v}")
                    })
                })
                .and_then(|v| {
                    check(v, q.reasons.len() < MAX_REASONS, || {
                        format!("cupsd keeps {MAX_REASONS} reasons at most")
                    })
                }),
            |v| {
                if !q.reasons.iter().any(|r| r == v) {
                    q.reasons.push(v.to_string());
                }
            },
        ),
        "configtime" => set(number(line), |t| q.config_time = Some(t)),
        "type" => set(number(line), |t| q.printer_type = Some(t)),
        "errorpolicy" => set(
            value(line).and_then(|v| {
                check(v, ERROR_POLICIES.contains(&v), || {
                    format!("bad ErrorPolicy \"{v}\" (one of {})", ERROR_POLICIES.join(", "))
                })
            }),
            |v| q.error_policy = Some(v.to_string()),
        ),
        "attribute" => set(pair(line), |(n, v)| q.attributes.push((n, v))),
        // Directives of old CUPS versions, ignored by cupsd without a word.
        "filter" | "prefilter" | "product" => set(Ok(()), |()| {}),
        _ => None,
    }
}

fn class_only(q: &mut Queue, line: &ConfLine) -> Option<Applied> {
    let name = line.name.to_ascii_lowercase();
    match name.as_str() {
        "printer" => Some(value(line).map(|v| {
            if !q.members.iter().any(|m| m == v) {
                q.members.push(v.to_string());
            }
            None
        })),
        // Kept so it is written back, but cupsd never applies a class's ErrorPolicy read here.
        "errorpolicy" => Some(value(line).map(|v| {
            q.error_policy = Some(v.to_string());
            (v != "retry-current-job" && v != "retry-job")
                .then(|| format!("cupsd ignores ErrorPolicy {v} on a class"))
        })),
        _ => None,
    }
}
