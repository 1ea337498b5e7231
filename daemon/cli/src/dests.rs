//! Destinations as CUPS's library sees them: the lpoptions files (`Dest` and `Default`
//! lines of saved options and instances), read in CUPS's order (the system file, then the
//! user's), written as `cupsSetDests` writes them, and the default destination as
//! `cupsGetNamedDest` finds it (LPDEST / PRINTER, the user's file, the system file, the
//! server). `lp`, `lpstat -d` and `lpoptions` all go through here.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

use crate::options::Options;
use crate::session::{groups, is_not_found, keywords, op_attr, CliError, Ctx};

/// Options sorted by name without regard to case, one value per name: the order CUPS
/// keeps (cupsAddOption), so the order `lpoptions` prints and the files are written in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OptionList(Vec<(String, String)>);

fn cmp_names(a: &str, b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl OptionList {
    pub fn add(&mut self, name: &str, value: &str) {
        if name.is_empty() {
            return;
        }
        match self.0.binary_search_by(|(n, _)| cmp_names(n, name)) {
            Ok(i) => self.0[i].1 = value.to_string(),
            Err(i) => self.0.insert(i, (name.to_string(), value.to_string())),
        }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(n, _)| cmp_names(n, name)).ok()?;
        Some(self.0[i].1.as_str())
    }
    pub fn remove(&mut self, name: &str) {
        if let Ok(i) = self.0.binary_search_by(|(n, _)| cmp_names(n, name)) {
            self.0.remove(i);
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
    /// Adds the options of a CUPS option string (`-o` syntax) on top of these.
    pub fn parse_onto(&mut self, text: &str) -> Result<(), String> {
        let mut parsed = Options::default();
        parsed.parse(text)?;
        for (n, v) in &parsed.0 {
            self.add(n, v);
        }
        Ok(())
    }
    /// The options on one line as `lpoptions` prints them: `name`, `name=value`, or
    /// `name='value'` when the value holds a space or tab.
    pub fn display(&self) -> String {
        let shown: Vec<String> = self
            .iter()
            .map(|(n, v)| match v {
                "" => n.to_string(),
                v if v.contains([' ', '\t']) => format!("{n}='{v}'"),
                v => format!("{n}={v}"),
            })
            .collect();
        shown.join(" ")
    }
}

/// A destination: a queue (or an instance of one) with its options and whether it is the
/// default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub name: String,
    pub instance: Option<String>,
    pub options: OptionList,
    pub is_default: bool,
}

impl Dest {
    pub fn new(name: &str, instance: Option<&str>) -> Dest {
        Dest {
            name: name.to_string(),
            instance: instance.map(str::to_string),
            options: OptionList::default(),
            is_default: false,
        }
    }
    pub fn is(&self, name: &str, instance: Option<&str>) -> bool {
        self.name.eq_ignore_ascii_case(name)
            && match (&self.instance, instance) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
    }
    /// `name` or `name/instance`.
    pub fn full_name(&self) -> String {
        match &self.instance {
            Some(i) => format!("{}/{i}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Destinations in CUPS's order: by name, then instance (the queue itself first), without
/// regard to case.
pub fn sort_dests(dests: &mut [Dest]) {
    dests.sort_by(|a, b| {
        cmp_names(&a.name, &b.name).then_with(|| match (&a.instance, &b.instance) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => cmp_names(x, y),
        })
    });
}

/// Splits `name/instance`.
pub fn split_name(s: &str) -> (&str, Option<&str>) {
    match s.split_once('/') {
        Some((n, i)) => (n, Some(i)),
        None => (s, None),
    }
}

/// One line of a configuration file as CUPS reads it (cupsFileGetConf): comments (`#` not
/// escaped as `\#`) removed, blanks trimmed, then the directive and the rest (None if
/// empty); `<Block value>` loses its closing `>`.
pub fn conf_directive(raw: &str) -> Option<(String, Option<String>)> {
    let mut line = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                line.push('#');
                chars.next();
            }
            '#' => break,
            c => line.push(c),
        }
    }
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (word, rest) = match line.find(char::is_whitespace) {
        Some(i) => (&line[..i], line[i..].trim_start()),
        None => (line, ""),
    };
    let mut value = rest.to_string();
    if word.starts_with('<') && value.ends_with('>') {
        value.pop();
        value.truncate(value.trim_end().len());
    }
    Some((word.to_string(), (!value.is_empty()).then_some(value)))
}

/// A `Dest` or `Default` line of an lpoptions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub default: bool,
    pub name: String,
    pub instance: Option<String>,
    pub options: OptionList,
}

impl FileLine {
    pub fn is(&self, name: &str, instance: Option<&str>) -> bool {
        let mut d = Dest::new(&self.name, self.instance.as_deref());
        d.is_default = self.default;
        d.is(name, instance)
    }
}

/// The `Dest` and `Default` lines of an lpoptions file; other lines are ignored, as CUPS
/// ignores them, and so are options CUPS could not read either (an unclosed quote).
pub fn parse_file(text: &str) -> Vec<FileLine> {
    let mut lines = Vec::new();
    for raw in text.lines() {
        let Some((word, Some(rest))) = conf_directive(raw) else { continue };
        let default = word.eq_ignore_ascii_case("default");
        if !default && !word.eq_ignore_ascii_case("dest") {
            continue;
        }
        let (dest, opts) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest.as_str(), ""),
        };
        let (name, instance) = split_name(dest);
        let mut options = OptionList::default();
        if options.parse_onto(opts).is_err() {
            options = OptionList::default();
        }
        lines.push(FileLine {
            default,
            name: name.to_string(),
            instance: instance.filter(|i| !i.is_empty()).map(str::to_string),
            options,
        });
    }
    lines
}

/// Printer attributes, which are never saved as a destination's options (CUPS's option
/// table lists them as printer attributes).
#[rustfmt::skip]
const PRINTER_ATTRIBUTES: &[&str] = &[
    "auth-info-default", "auth-info-required", "blackplot-default", "brightness-default",
    "columns-default", "copies-default", "device-uri", "document-format-default",
    "finishings-col-default", "finishings-default", "fit-to-page-default", "fitplot-default",
    "gamma-default", "hue-default", "job-account-id-default", "job-accounting-user-id-default",
    "job-cancel-after-default", "job-hold-until-default", "job-k-limit", "job-page-limit",
    "job-priority-default", "job-quota-period", "job-sheets-col-default", "job-sheets-default",
    "marker-change-time", "marker-colors", "marker-high-levels", "marker-levels",
    "marker-low-levels", "marker-message", "marker-names", "marker-types", "media-col-default",
    "media-default", "mirror-default", "multiple-document-handling-default",
    "natural-scaling-default", "notify-events-default", "notify-lease-duration-default",
    "number-up-default", "number-up-layout-default", "orientation-requested-default",
    "output-bin-default", "page-bottom-default", "page-delivery-default", "page-left-default",
    "page-right-default", "page-top-default", "penwidth-default", "port-monitor", "ppi-default",
    "prettyprint-default", "print-as-raster-default", "print-color-mode-default",
    "print-content-optimize-default", "print-quality-default", "print-rendering-intent-default",
    "print-scaling-default", "printer-alert", "printer-alert-description", "printer-commands",
    "printer-error-policy", "printer-finisher", "printer-finisher-description",
    "printer-finisher-supplies", "printer-finisher-supplies-description", "printer-geo-location",
    "printer-info", "printer-input-tray", "printer-is-accepting-jobs", "printer-is-shared",
    "printer-is-temporary", "printer-location", "printer-make-and-model", "printer-more-info",
    "printer-op-policy", "printer-output-tray", "printer-resolution-default", "printer-state",
    "printer-state-change-time", "printer-state-reasons", "printer-supply",
    "printer-supply-description", "printer-type", "printer-uri-supported", "queued-job-count",
    "requesting-user-name-allowed", "requesting-user-name-denied", "resolution-default",
    "saturation-default", "scaling-default", "sides-default", "wrap-default",
];

/// A value as the lpoptions file holds it: quoted with `"` (and `"`, `'`, `\` escaped) when
/// it holds a space, a quote or a backslash.
fn file_value(v: &str) -> String {
    if !v.contains([' ', '\\', '"', '\'']) {
        return v.to_string();
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        if matches!(c, '"' | '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The lpoptions file for `dests` as cupsSetDests writes it: a line for each destination that
/// is the default, or has options that are not printer attributes and differ from what the
/// server (`server`, its queues) already gives.
pub fn write_file(dests: &[Dest], server: &[Dest]) -> String {
    let mut text = String::new();
    for dest in dests {
        let mut line =
            if dest.is_default { Some(format!("Default {}", dest.full_name())) } else { None };
        let on_server = server.iter().find(|s| s.is(&dest.name, None));
        for (name, value) in dest.options.iter() {
            if PRINTER_ATTRIBUTES.contains(&name) {
                continue;
            }
            let given = on_server.and_then(|s| s.options.get(name));
            if given.is_some_and(|g| g.eq_ignore_ascii_case(value)) {
                continue;
            }
            let line = line.get_or_insert_with(|| format!("Dest {}", dest.full_name()));
            line.push(' ');
            line.push_str(name);
            if !value.is_empty() {
                line.push('=');
                line.push_str(&file_value(value));
            }
        }
        if let Some(line) = line {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

/// Where the lpoptions files are: `$CUPS_SERVERROOT/lpoptions` (else /etc/cups) for
/// everyone, and `$CUPS_USERCONFIG/lpoptions` (else `~/.cups/lpoptions`) for a user other
/// than root, which is also the file that user's changes go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub system: PathBuf,
    pub user: Option<PathBuf>,
}

impl Files {
    pub fn from_env() -> Files {
        let var = |n: &str| std::env::var_os(n).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = nix::unistd::getuid().is_root();
        let system = var("CUPS_SERVERROOT").unwrap_or_else(|| PathBuf::from("/etc/cups"));
        let user_dir = var("CUPS_USERCONFIG").or_else(|| var("HOME").map(|h| h.join(".cups")));
        Files {
            system: system.join("lpoptions"),
            user: user_dir.filter(|_| !root).map(|d| d.join("lpoptions")),
        }
    }

    /// The files to read, system first.
    fn readable(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.system.as_path()).chain(self.user.as_deref())
    }

    /// Each file's lines, system first (a missing or unreadable file has none).
    pub fn lines(&self) -> Vec<FileLine> {
        self.readable()
            .flat_map(|p| std::fs::read_to_string(p).map(|t| parse_file(&t)).unwrap_or_default())
            .collect()
    }

    /// The options saved for `name[/instance]`: the system file's line, then the user's on
    /// top (the first matching line in each file).
    pub fn saved_options(&self, name: &str, instance: Option<&str>) -> OptionList {
        let mut options = OptionList::default();
        for path in self.readable() {
            let lines = std::fs::read_to_string(path).map(|t| parse_file(&t)).unwrap_or_default();
            let found = lines.iter().find(|l| l.is(name, instance));
            for (n, v) in found.iter().flat_map(|l| l.options.iter()) {
                options.add(n, v);
            }
        }
        options
    }

    /// The first `Default` line's destination: the user's file first, then the system's.
    /// Returns it with the file it came from.
    pub fn saved_default(&self) -> Option<(String, Option<String>, &Path)> {
        let mut order: Vec<&Path> = self.user.iter().map(PathBuf::as_path).collect();
        order.push(&self.system);
        order.into_iter().find_map(|path| {
            let lines = std::fs::read_to_string(path).map(|t| parse_file(&t)).ok()?;
            let l = lines.into_iter().find(|l| l.default)?;
            Some((l.name, l.instance, path))
        })
    }

    /// Writes `text` where this user's changes go, as CUPS does: root's to the system file
    /// (mode 0644), anyone else's to `~/.cups/lpoptions` (the directory made 0700).
    pub fn save(&self, text: &str) -> Result<(), CliError> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let path = self.user.as_deref().unwrap_or(&self.system);
        let fail = |e: std::io::Error| {
            CliError::Msg(format!("Unable to save \"{}\": {e}", path.display()))
        };
        if let (Some(dir), Some(_)) = (path.parent(), &self.user) {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(fail)?;
        }
        std::fs::write(path, text).map_err(fail)?;
        if self.user.is_none() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).map_err(fail)?;
        }
        Ok(())
    }
}

/// Where the default destination came from, for the error when it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultSource {
    Env(&'static str),
    File(PathBuf),
    Server,
}

/// LPDEST, else PRINTER unless it is "lp" (CUPS's user default), as (variable, value).
pub fn env_default() -> Option<(&'static str, String)> {
    match std::env::var("LPDEST") {
        Ok(v) => Some(("LPDEST", v)),
        Err(_) => std::env::var("PRINTER").ok().filter(|v| v != "lp").map(|v| ("PRINTER", v)),
    }
}

/// The default destination's name as cupsGetNamedDest looks for it, without asking the
/// server whether it exists: the environment, the lpoptions files, else the server's
/// default (None: the server has none).
pub fn default_name(
    ctx: &mut Ctx,
    files: &Files,
) -> Result<Option<(String, Option<String>, DefaultSource)>, CliError> {
    if let Some((var, v)) = env_default() {
        let (n, i) = split_name(&v);
        return Ok(Some((n.to_string(), i.map(str::to_string), DefaultSource::Env(var))));
    }
    if let Some((n, i, path)) = files.saved_default() {
        return Ok(Some((n, i, DefaultSource::File(path.to_path_buf()))));
    }
    let mut req = ctx.request(Operation::CupsGetDefault, None);
    op_attr(&mut req, keywords(&["printer-name"]));
    let resp = ctx.send("/", &req, None)?;
    Ok(resp
        .attr(DelimiterTag::Printer, "printer-name")
        .and_then(Attribute::first_str)
        .map(|n| (n.to_string(), None, DefaultSource::Server)))
}

/// The error CUPS gives when the default found does not exist on the server.
pub fn missing_default(source: &DefaultSource) -> String {
    match source {
        DefaultSource::Env(var) => {
            format!("{var} environment variable names default destination that does not exist.")
        }
        DefaultSource::File(path) => {
            format!("{} file names default destination that does not exist.", path.display())
        }
        DefaultSource::Server => "No default destination.".to_string(),
    }
}

/// What cupsGetDests asks each queue for.
#[rustfmt::skip]
pub const DEST_ATTRIBUTES: &[&str] = &[
    "auth-info-required", "device-uri", "job-sheets-default", "marker-change-time",
    "marker-colors", "marker-high-levels", "marker-levels", "marker-low-levels",
    "marker-message", "marker-names", "marker-types", "printer-commands", "printer-defaults",
    "printer-info", "printer-is-accepting-jobs", "printer-is-shared", "printer-is-temporary",
    "printer-location", "printer-make-and-model", "printer-mandatory-job-attributes",
    "printer-name", "printer-state", "printer-state-change-time", "printer-state-reasons",
    "printer-type", "printer-uri-supported",
];

/// Attributes a destination carries as options under their own names.
#[rustfmt::skip]
const DESCRIPTION: &[&str] = &[
    "auth-info-required", "device-uri", "marker-change-time", "marker-colors",
    "marker-high-levels", "marker-levels", "marker-low-levels", "marker-message",
    "marker-names", "marker-types", "printer-commands", "printer-info", "printer-is-shared",
    "printer-is-temporary", "printer-location", "printer-make-and-model",
    "printer-mandatory-job-attributes", "printer-state", "printer-state-change-time",
    "printer-state-reasons", "printer-type", "printer-is-accepting-jobs",
    "printer-uri-supported",
];

/// A value as CUPS turns it into an option's text, or None for a syntax it leaves out.
fn value_text(v: &Value, several: bool) -> Option<String> {
    let escaped = |s: &str| {
        if !several {
            return s.to_string();
        }
        let mut out = String::new();
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\\' | '\'' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    Some(match v {
        Value::Integer(n) | Value::Enum(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::RangeOfInteger { lower, upper } if lower == upper => lower.to_string(),
        Value::RangeOfInteger { lower, upper } => format!("{lower}-{upper}"),
        Value::Text(s) | Value::Name(s) | Value::Keyword(s) | Value::Uri(s) => escaped(s),
        Value::TextWithLanguage { text: s, .. } | Value::NameWithLanguage { name: s, .. } => {
            escaped(s)
        }
        _ => return None,
    })
}

fn attr_text(a: &Attribute) -> Option<String> {
    let several = a.values.len() > 1;
    let parts: Option<Vec<String>> = a.values.iter().map(|v| value_text(v, several)).collect();
    parts.map(|p| p.join(","))
}

/// Whether `name-default` (not notify-/print-quality-) with this syntax becomes option `name`.
fn default_option(a: &Attribute) -> Option<&str> {
    if a.name.starts_with("notify-") || a.name.starts_with("print-quality-") {
        return None;
    }
    let fits = a.values.first().is_some_and(|v| {
        matches!(
            v,
            Value::Boolean(_)
                | Value::Enum(_)
                | Value::Integer(_)
                | Value::Keyword(_)
                | Value::Name(_)
                | Value::NameWithLanguage { .. }
                | Value::RangeOfInteger { .. }
        )
    });
    let at = a.name.find("-default")?;
    fits.then(|| &a.name[..at])
}

/// A queue's attributes as a destination's options, as cupsGetDests makes them.
pub fn dest_from_group(g: &Group) -> Option<Dest> {
    let name = g.get("printer-name").and_then(Attribute::first_str)?;
    let mut dest = Dest::new(name, None);
    for a in &g.attributes {
        if DESCRIPTION.contains(&a.name.as_str()) {
            if let Some(v) = attr_text(a) {
                dest.options.add(&a.name, &v);
            }
        } else if let Some(opt) = default_option(a) {
            if opt.eq_ignore_ascii_case("media") && dest.options.get("media").is_some() {
                continue;
            }
            if let Some(v) = attr_text(a) {
                dest.options.add(opt, &v);
            }
        }
    }
    Some(dest)
}

/// The server's queues as destinations (CUPS-Get-Printers), and its default.
pub fn server_dests(ctx: &mut Ctx) -> Result<Vec<Dest>, CliError> {
    let mut req = ctx.request(Operation::CupsGetPrinters, None);
    op_attr(&mut req, keywords(DEST_ATTRIBUTES));
    let resp = ctx.send("/", &req, None)?;
    if is_not_found(&resp) {
        return Ok(Vec::new());
    }
    let resp = crate::session::ipp_ok(resp)?;
    Ok(dests_from(&resp))
}

pub fn dests_from(resp: &Message) -> Vec<Dest> {
    groups(resp, DelimiterTag::Printer).filter_map(dest_from_group).collect()
}

/// The server's destinations with the lpoptions files' lines on top, in file order: options
/// added, instances made (from their queue's options), `Default` marking the default unless
/// the environment names one. Lines for queues the server does not have are left out.
pub fn merge_saved(server: &[Dest], lines: &[FileLine], env_default: bool) -> Vec<Dest> {
    let mut dests = server.to_vec();
    for line in lines {
        let inst = line.instance.as_deref();
        let at = match dests.iter().position(|d| d.is(&line.name, inst)) {
            Some(at) => at,
            None => {
                let Some(base) = dests.iter().find(|d| d.is(&line.name, None)) else { continue };
                let mut dest = base.clone();
                dest.instance = line.instance.clone();
                dest.is_default = false;
                dests.push(dest);
                dests.len() - 1
            }
        };
        for (n, v) in line.options.iter() {
            dests[at].options.add(n, v);
        }
        if line.default && !env_default {
            dests.iter_mut().for_each(|d| d.is_default = false);
            dests[at].is_default = true;
        }
    }
    sort_dests(&mut dests);
    dests
}

#[cfg(test)]
#[path = "dests_tests.rs"]
mod tests;
