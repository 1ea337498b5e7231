//! A PPD file (`/etc/cups/ppd/NAME.ppd`) read the way libcups's `ppdOpen` reads it in
//! its default (relaxed) conformance mode, kept as a summary of what a queue needs: its
//! names, the 1284 device ID, its filters, its UI options with their choices and defaults,
//! and its page sizes. Not a PPD compiler: PostScript code, constraints, custom options'
//! parameters and localizations are checked only as far as libcups checks them, not kept.
//!
//! The whole file is unusable ([`read_ppd`] gives `None` and an error; the queue is
//! imported without its PPD, as cupsd keeps a queue whose PPD it cannot load) when libcups
//! refuses it:
//! - the first line is not `*PPD-Adobe: "4.x"`;
//! - a line longer than 255 bytes, or one entry longer than 256 KiB;
//! - a line that starts with neither `*` nor white space;
//! - a keyword or option name longer than 40 bytes or with a byte that is not printable
//!   ASCII (a keyword also with `/`); a control character in a translation string;
//! - `*JCLOpenUI` with a UI type that is not `PickOne`, `PickMany` or `Boolean`;
//! - `*OpenGroup` inside another; a `*OrderDependency`, `*UIConstraints` or
//!   `*NonUIConstraints` without its two words; a bad or second `*ParamCustom...` for a
//!   parameter; `*JobPatchFile: N: ...`;
//! - a `*cupsFilter2` (in any case) that is not `type dest-type cost program`.
//!
//! One more is refused here though libcups reads it: a gzip-compressed file (libcups
//! unpacks it as it reads; cupsd writes `/etc/cups/ppd` unpacked, and a caller that meets
//! one unpacks it first).
//!
//! Everything else is a warning and only the broken item is left out:
//! - a NUL byte (the entry ends there), a quote still open at the end of the file (the rest
//!   of the file is that value): read as libcups reads them; a line with no `:` and value;
//! - `*OpenUI` with an unknown UI type (read as `PickOne`, as libcups does); `*OpenUI`
//!   inside another or without `*CloseUI` (the first option ends there and is kept), a
//!   `*CloseUI` naming another option or none; a second `*OpenUI` for the same option
//!   (left out); a choice whose keyword the option already has (left out);
//! - a `*Default...` that names none of the option's choices (the option has no default);
//! - a `*cupsFilter` cupsd cannot parse, a `maxsize(...)` it cannot read (that filter);
//! - numbers that do not read in `*PaperDimension`, `*ImageableArea` (left out), or in
//!   `*LanguageLevel` (read as C's `atoi` reads it, as libcups does);
//! - an empty option or choice name (`*PageSize : ...`; libcups keeps it), a second
//!   option or choice of one name (libcups keeps both; lookups find the first);
//! - text (translations, names) that is not valid in the file's `*LanguageEncoding`
//!   (read with U+FFFD): `ISOLatin1` (libcups's default) and `WindowsANSI` are decoded as
//!   such, `UTF-8` as UTF-8, the other encodings libcups knows keep only their ASCII.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quire_config::{Diagnostic, Loc};

use crate::ppd_lex::{Entry, Lexer};
use crate::ppd_text::{self, Encoding, FilterProblem};
pub use crate::ppd_text::{CupsFilter, CupsFilter2};

/// What a queue takes from its PPD.
#[derive(Debug, Clone, PartialEq)]
pub struct Ppd {
    /// From the `*PPD-Adobe` line (`4.3`).
    pub format_version: String,
    /// `*NickName`: cupsd's `printer-make-and-model`.
    pub nick_name: Option<String>,
    pub short_nick_name: Option<String>,
    pub model_name: Option<String>,
    pub manufacturer: Option<String>,
    /// `*1284DeviceID`.
    pub device_id: Option<String>,
    pub cups_version: Option<String>,
    /// `*ColorDevice: True` (libcups: false unless said).
    pub color_device: bool,
    /// `*LanguageLevel` (libcups: 2 unless said; what does not read is 0, as C's `atoi`).
    pub language_level: u32,
    /// `*cupsFilter` lines that cupsd can use, in order.
    pub cups_filters: Vec<CupsFilter>,
    /// `*cupsFilter2` lines, in order.
    pub cups_filters2: Vec<CupsFilter2>,
    /// UI options in the order of the file: `*OpenUI`/`*JCLOpenUI` blocks, and `*PageSize`
    /// or `*PageRegion` choices written without one (a PickOne; libcups calls it Boolean,
    /// which its choices belie).
    pub options: Vec<PpdOption>,
    /// Every size named by a `*PageSize` choice (but `Custom`), `*PaperDimension` or
    /// `*ImageableArea`.
    pub page_sizes: Vec<PageSize>,
}

/// A UI option: `*OpenUI *Keyword/Text: PickOne` ... `*CloseUI: *Keyword`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpdOption {
    pub keyword: String,
    /// The translation string, if any.
    pub text: Option<String>,
    pub ui: PpdUi,
    /// Opened with `*JCLOpenUI`.
    pub jcl: bool,
    pub choices: Vec<PpdChoice>,
    /// `*DefaultKeyword`: one of the choices, or `Custom...` when the option is custom.
    pub default: Option<String>,
    /// `*CustomKeyword True` is in the file: values outside the choices are allowed. Like
    /// libcups, the option then has a `Custom` choice (first if the line comes before the
    /// `*OpenUI`), and a choice written as `Custom...` is renamed `_Custom...`.
    pub custom: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PpdUi {
    PickOne,
    PickMany,
    Boolean,
}

/// `*Keyword Choice/Text: "code"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PpdChoice {
    pub keyword: String,
    pub text: Option<String>,
}

/// A page size, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSize {
    pub name: String,
    /// The `*PageSize` choice's translation string.
    pub text: Option<String>,
    /// `*PaperDimension`: width and length.
    pub dimensions: Option<[f64; 2]>,
    /// `*ImageableArea`: left, bottom, right, top.
    pub imageable_area: Option<[f64; 4]>,
}

/// A PPD's filters, as cupsd uses them: `*cupsFilter2` lines when there are any (the
/// `*cupsFilter` lines are then ignored), else `*cupsFilter` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PpdFilters<'a> {
    CupsFilter2(&'a [CupsFilter2]),
    CupsFilter(&'a [CupsFilter]),
}

impl Ppd {
    fn new(format_version: String) -> Self {
        Ppd {
            format_version,
            nick_name: None,
            short_nick_name: None,
            model_name: None,
            manufacturer: None,
            device_id: None,
            cups_version: None,
            color_device: false,
            language_level: 2,
            cups_filters: Vec::new(),
            cups_filters2: Vec::new(),
            options: Vec::new(),
            page_sizes: Vec::new(),
        }
    }

    /// The option with this keyword (PPD keywords are case-sensitive).
    pub fn option(&self, keyword: &str) -> Option<&PpdOption> {
        self.options.iter().find(|o| o.keyword == keyword)
    }

    /// The default choice of `option`, if it has one.
    pub fn default_choice(&self, option: &str) -> Option<&str> {
        self.option(option)?.default.as_deref()
    }

    pub fn filters(&self) -> PpdFilters<'_> {
        if self.cups_filters2.is_empty() {
            PpdFilters::CupsFilter(&self.cups_filters)
        } else {
            PpdFilters::CupsFilter2(&self.cups_filters2)
        }
    }

    pub fn page_size(&self, name: &str) -> Option<&PageSize> {
        self.page_sizes.iter().find(|s| s.name == name)
    }
}

impl PpdOption {
    pub fn choice(&self, keyword: &str) -> Option<&PpdChoice> {
        self.choices.iter().find(|c| c.keyword == keyword)
    }
}

/// Reads a PPD file: `None` (and an error among the diagnostics) when libcups would not
/// load it; else the summary, with a warning for each item left out.
pub fn read_ppd(bytes: &[u8], path: &Path) -> (Option<Ppd>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(bytes, path);
    let version = match lexer.header() {
        Ok(version) => version,
        Err(error) => {
            lexer.diags.push(error);
            return (None, lexer.diags);
        }
    };
    let mut reader = Reader {
        path,
        diags: Vec::new(),
        ppd: Ppd::new(version),
        encoding: Encoding::Latin1,
        open: Open::None,
        group: None,
        option_lines: Vec::new(),
        option_index: HashMap::new(),
        option_lower: HashMap::new(),
        choice_sets: Vec::new(),
        size_index: HashMap::new(),
        defaults: HashMap::new(),
        customs: HashMap::new(),
        params: HashSet::new(),
    };
    loop {
        let next = lexer.next_entry();
        reader.diags.append(&mut lexer.diags);
        let result = match next {
            Ok(Some(Some(entry))) => reader.entry(&entry),
            Ok(Some(None)) => Ok(()),
            Ok(None) => break,
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            reader.diags.push(error);
            return (None, reader.diags);
        }
    }
    reader.finish();
    (Some(reader.ppd), reader.diags)
}

/// Keywords libcups reads as such before it looks for a choice of the open option (so
/// that they never are one), besides those read here.
const LIBCUPS_KEYWORDS: [&str; 19] = [
    "LanguageVersion",
    "Protocols",
    "PCFileName",
    "Product",
    "TTRasterizer",
    "JCLBegin",
    "JCLEnd",
    "JCLToPSInterpreter",
    "AccurateScreensSupport",
    "ContoneOnly",
    "cupsFlipDuplex",
    "cupsManualCopies",
    "cupsModelNumber",
    "cupsColorProfile",
    "Throughput",
    "Font",
    "HWMargins",
    "LandscapeOrientation",
    "Emulators",
];

/// The `*OpenUI` block being read.
enum Open {
    None,
    /// Index into `ppd.options`, and the `*OpenUI` line.
    Option(usize, usize),
    /// A second block for an option already read: its lines are left out.
    Skipped(String),
}

struct Reader<'a> {
    path: &'a Path,
    diags: Vec<Diagnostic>,
    ppd: Ppd,
    encoding: Encoding,
    open: Open,
    /// The line of the open `*OpenGroup`.
    group: Option<usize>,
    /// The line that opened (or made) each option (parallel to `ppd.options`).
    option_lines: Vec<usize>,
    /// Indexes (a big file is read in linear time): options by keyword, each option's
    /// choice keywords (parallel to `ppd.options`), sizes by name.
    option_index: HashMap<String, usize>,
    /// Options by lowercase keyword (the first one), for libcups's lookups that ignore case.
    option_lower: HashMap<String, usize>,
    choice_sets: Vec<HashSet<String>>,
    size_index: HashMap<String, usize>,
    /// `*DefaultKeyword` lines by lowercase option keyword: the keyword as written, value,
    /// line, column.
    defaults: HashMap<String, Vec<(String, String, usize, usize)>>,
    /// `*CustomKeyword True` lines by lowercase keyword: the first one's translation string.
    customs: HashMap<String, Option<String>>,
    /// `*ParamCustomKeyword Name` seen.
    params: HashSet<(String, String)>,
}

impl Reader<'_> {
    fn loc(&self, line: usize, col: usize) -> Loc {
        Loc { file: self.path.to_path_buf(), line, col }
    }

    fn warn(&mut self, line: usize, col: usize, message: impl Into<String>) {
        let diag = Diagnostic::warning(&self.loc(line, col), message);
        self.diags.push(diag);
    }

    fn fatal(&self, entry: &Entry, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.loc(entry.value.line, entry.value.col), message)
    }

    /// Text in the file's encoding, with a warning when some of it could not be read.
    fn text(&mut self, bytes: &[u8], line: usize, col: usize) -> String {
        match self.encoding.decode(bytes) {
            Ok(text) => text,
            Err(lossy) => {
                let message = match self.encoding {
                    Encoding::Utf8 => "not UTF-8: bad bytes read as U+FFFD",
                    _ => "text in an encoding not read here: non-ASCII bytes read as U+FFFD",
                };
                self.warn(line, col, message);
                lossy
            }
        }
    }

    fn value_text(&mut self, entry: &Entry) -> String {
        self.text(&entry.value.bytes, entry.value.line, entry.value.col)
    }

    fn translation(&mut self, entry: &Entry) -> Option<String> {
        let bytes = entry.translation.as_deref()?;
        Some(self.text(bytes, entry.line, entry.translation_col)).filter(|t| !t.is_empty())
    }

    /// One entry, looked at in libcups's order: the block keywords, the keywords it
    /// knows, then a choice of the open option.
    fn entry(&mut self, entry: &Entry) -> Result<(), Diagnostic> {
        match entry.keyword.as_str() {
            "OpenUI" | "JCLOpenUI" => return self.open_ui(entry),
            "CloseUI" | "JCLCloseUI" => {
                self.close_ui(entry);
                return Ok(());
            }
            "OpenGroup" => {
                if let Some(line) = self.group {
                    let message = format!("*OpenGroup inside the group opened on line {line}");
                    return Err(self.fatal(entry, message));
                }
                self.group = Some(entry.line);
                return Ok(());
            }
            "CloseGroup" => {
                self.group = None;
                return Ok(());
            }
            _ => {}
        }
        let known = LIBCUPS_KEYWORDS.contains(&entry.keyword.as_str());
        if !self.checked(entry)? && !self.header_field(entry) && !known {
            self.choice(entry);
        }
        Ok(())
    }

    /// The keywords libcups checks the shape of: `true` when the entry was one.
    fn checked(&mut self, entry: &Entry) -> Result<bool, Diagnostic> {
        let keyword = entry.keyword.as_str();
        let value = entry.value.ascii();
        if keyword == "OrderDependency" && !ppd_text::order_dependency_ok(&value) {
            return Err(self.fatal(entry, "*OrderDependency: real section *Keyword expected"));
        }
        if (keyword == "UIConstraints" || keyword == "NonUIConstraints")
            && !ppd_text::constraints_ok(&value)
        {
            let message = format!("*{keyword}: *Option1 [Choice1] *Option2 [Choice2] expected");
            return Err(self.fatal(entry, message));
        }
        if keyword == "JobPatchFile" && ppd_text::job_patch_misplaced(&value) {
            return Err(self.fatal(entry, "*JobPatchFile: the number goes before the ':'"));
        }
        if let Some(custom) = keyword.strip_prefix("ParamCustom") {
            let name = entry.option.clone().unwrap_or_default();
            if !ppd_text::param_custom_ok(&value) {
                let message = format!("*{keyword} {name}: order type minimum maximum expected");
                return Err(self.fatal(entry, message));
            }
            if !self.params.insert((custom.to_string(), name.clone())) {
                return Err(self.fatal(entry, format!("a second *{keyword} {name}")));
            }
        }
        // libcups finds these case-insensitively (its attribute lookup).
        if keyword.eq_ignore_ascii_case("cupsFilter2") {
            match ppd_text::parse_filter2(&value) {
                Ok(filter) => self.ppd.cups_filters2.push(filter),
                Err(FilterProblem::Shape) => {
                    let message = "*cupsFilter2: \"type/sub dest/sub cost program\" expected";
                    return Err(self.fatal(entry, message));
                }
                Err(FilterProblem::MaxSize) => self.bad_max_size(entry),
            }
        }
        let known = ["OrderDependency", "UIConstraints", "NonUIConstraints", "JobPatchFile"];
        Ok(known.contains(&keyword) || keyword.starts_with("ParamCustom"))
    }

    fn bad_max_size(&mut self, entry: &Entry) {
        let message = format!("*{}: maxsize(bytes) expected: filter left out", entry.keyword);
        self.warn(entry.value.line, entry.value.col, message);
    }

    /// The file's names and facts, and the lines that are collected for the end: `true`
    /// when the entry was one.
    fn header_field(&mut self, entry: &Entry) -> bool {
        let keyword = entry.keyword.as_str();
        match keyword {
            "LanguageEncoding" => self.encoding = Encoding::from_name(&entry.value.ascii()),
            "NickName" => self.ppd.nick_name = Some(self.value_text(entry)),
            "ShortNickName" => self.ppd.short_nick_name = Some(self.value_text(entry)),
            "ModelName" => self.ppd.model_name = Some(self.value_text(entry)),
            "Manufacturer" => self.ppd.manufacturer = Some(self.value_text(entry)),
            "1284DeviceID" => {
                if self.ppd.device_id.is_none() {
                    self.ppd.device_id = Some(self.value_text(entry));
                }
            }
            "cupsVersion" => {
                if self.ppd.cups_version.is_none() {
                    self.ppd.cups_version = Some(entry.value.ascii());
                }
            }
            "ColorDevice" => {
                self.ppd.color_device = entry.value.bytes.eq_ignore_ascii_case(b"True");
            }
            "LanguageLevel" => {
                let (level, whole) = ppd_text::leading_number(&entry.value.ascii());
                self.ppd.language_level = level;
                if !whole {
                    let (line, col) = (entry.value.line, entry.value.col);
                    let message = format!("*LanguageLevel: not a number: read as {level}");
                    self.warn(line, col, message);
                }
            }
            "cupsFilter" => match ppd_text::parse_filter(&entry.value.ascii()) {
                Ok(filter) => self.ppd.cups_filters.push(filter),
                Err(FilterProblem::MaxSize) => self.bad_max_size(entry),
                Err(FilterProblem::Shape) => {
                    let (line, col) = (entry.value.line, entry.value.col);
                    let message = "*cupsFilter: \"type/sub cost program\" expected: left out";
                    self.warn(line, col, message);
                }
            },
            "PaperDimension" | "ImageableArea" => self.size_line(entry),
            _ => return self.collected(entry),
        }
        true
    }

    /// `*DefaultKeyword` and `*CustomKeyword True`, resolved at the end of the file: `true`
    /// when the entry was one.
    fn collected(&mut self, entry: &Entry) -> bool {
        let keyword = entry.keyword.as_str();
        if let Some(option) = keyword.strip_prefix("Default").filter(|o| !o.is_empty()) {
            let value = entry.value.ascii();
            let value = value.split('/').next().unwrap_or_default().to_string();
            let at = (entry.value.line, entry.value.col);
            let list = self.defaults.entry(option.to_ascii_lowercase()).or_default();
            list.push((option.to_string(), value, at.0, at.1));
            return true;
        }
        let lower = keyword.to_ascii_lowercase();
        let true_spec = entry.option.as_deref().is_some_and(|o| o.eq_ignore_ascii_case("True"));
        let Some(name) = lower.strip_prefix("custom").filter(|n| !n.is_empty() && true_spec) else {
            return false;
        };
        let text = self.translation(entry);
        // libcups looks these up ignoring case, when it opens the option.
        self.customs.entry(name.to_string()).or_insert_with(|| text.clone());
        let exact = keyword.starts_with("Custom") && entry.option.as_deref() == Some("True");
        if !exact || !matches!(self.open, Open::None) {
            return false;
        }
        // ... and here, for an option already read (*CustomPageSize: PageRegion too).
        let mut names = vec![name.to_string()];
        if keyword == "CustomPageSize" {
            names.push("pageregion".to_string());
        }
        for name in names {
            if let Some(&index) = self.option_lower.get(&name) {
                self.add_custom_choice(index, text.clone());
            }
        }
        true
    }

    /// The `*Custom...` name libcups looks for when it opens `option`, lowercase.
    fn custom_key(option: &str) -> String {
        if option.eq_ignore_ascii_case("PageRegion") {
            "pagesize".to_string()
        } else {
            option.to_ascii_lowercase()
        }
    }

    /// libcups gives a custom option a `Custom` choice, where it learns it is custom.
    fn add_custom_choice(&mut self, index: usize, text: Option<String>) {
        if self.choice_sets[index].insert("Custom".to_string()) {
            let keyword = "Custom".to_string();
            self.ppd.options[index].choices.push(PpdChoice { keyword, text });
        }
    }

    fn open_ui(&mut self, entry: &Entry) -> Result<(), Diagnostic> {
        let jcl = entry.keyword == "JCLOpenUI";
        let ui = match entry.value.bytes.as_slice() {
            b"PickOne" => PpdUi::PickOne,
            b"PickMany" => PpdUi::PickMany,
            b"Boolean" => PpdUi::Boolean,
            other => {
                let found = String::from_utf8_lossy(other).into_owned();
                if jcl {
                    let message = format!(
                        "*JCLOpenUI: UI type \"{found}\" is not PickOne, PickMany or Boolean"
                    );
                    return Err(self.fatal(entry, message));
                }
                let message = format!(
                    "UI type \"{found}\" is not PickOne, PickMany or Boolean: read as PickOne"
                );
                self.warn(entry.value.line, entry.value.col, message);
                PpdUi::PickOne
            }
        };
        self.end_open(entry.line, &format!("*{} inside", entry.keyword));
        let name = entry.option.as_deref().unwrap_or_default();
        let keyword = name.strip_prefix('*').unwrap_or(name).to_string();
        if keyword.is_empty() {
            let message = format!("*{} without an option keyword: left out", entry.keyword);
            self.warn(entry.line, 1, message);
            self.open = Open::Skipped(String::new());
            return Ok(());
        }
        if let Some(&index) = self.option_index.get(&keyword) {
            let first = self.option_lines[index];
            let message = format!("a second *OpenUI *{keyword} (first on line {first}): left out");
            self.warn(entry.line, 1, message);
            self.open = Open::Skipped(keyword);
            return Ok(());
        }
        let text = self.translation(entry);
        let option =
            PpdOption { keyword, text, ui, jcl, choices: Vec::new(), default: None, custom: false };
        let index = self.add_option(option, entry.line);
        let key = Self::custom_key(&self.ppd.options[index].keyword);
        if let Some(text) = self.customs.get(&key).cloned() {
            self.add_custom_choice(index, text);
        }
        self.open = Open::Option(index, entry.line);
        Ok(())
    }

    /// Ends an open option that has no `*CloseUI` (`why`: what came instead, on `line`).
    fn end_open(&mut self, line: usize, why: &str) {
        if let Open::Option(index, open_line) = self.open {
            let keyword = self.ppd.options[index].keyword.clone();
            let message = format!(
                "*OpenUI *{keyword} on line {open_line} has no *CloseUI ({why} on line {line}): \
                 it ends there"
            );
            self.warn(open_line, 1, message);
        }
        self.open = Open::None;
    }

    fn close_ui(&mut self, entry: &Entry) {
        let named = entry.value.ascii();
        let named = named.strip_prefix('*').unwrap_or(&named).trim().to_string();
        let open = match &self.open {
            Open::None => None,
            Open::Option(index, _) => Some(self.ppd.options[*index].keyword.clone()),
            Open::Skipped(keyword) => Some(keyword.clone()),
        };
        let (line, col) = (entry.value.line, entry.value.col);
        match open {
            None => self.warn(line, col, format!("*{} with no option open", entry.keyword)),
            Some(open) if open != named => {
                let message = format!("*{} *{named} closes *{open}", entry.keyword);
                self.warn(line, col, message);
            }
            Some(_) => {}
        }
        self.open = Open::None;
    }

    /// A choice of the open option, or a `*PageSize`/`*PageRegion` choice outside any
    /// block (libcups makes an option of those); other entries are not read.
    fn choice(&mut self, entry: &Entry) {
        let Some(choice) = entry.option.as_deref() else { return };
        let index = match self.open {
            Open::Option(index, _) if self.ppd.options[index].keyword == entry.keyword => index,
            Open::None if matches!(entry.keyword.as_str(), "PageSize" | "PageRegion") => {
                self.implicit_option(&entry.keyword, entry.line)
            }
            _ => return,
        };
        let choice = &ppd_text::choice_name(choice);
        if !self.choice_sets[index].insert(choice.clone()) {
            let message =
                format!("*{} {choice}: a second choice {choice}: left out", entry.keyword);
            return self.warn(entry.line, 1, message);
        }
        let text = self.translation(entry);
        if entry.keyword == "PageSize" {
            let size = self.size(choice);
            if size.text.is_none() {
                size.text.clone_from(&text);
            }
        }
        let keyword = choice.to_string();
        self.ppd.options[index].choices.push(PpdChoice { keyword, text });
    }

    /// The option `keyword`, made (as a PickOne) if the file has none.
    fn implicit_option(&mut self, keyword: &str, line: usize) -> usize {
        if let Some(&index) = self.option_index.get(keyword) {
            return index;
        }
        let option = PpdOption {
            keyword: keyword.to_string(),
            text: None,
            ui: PpdUi::PickOne,
            jcl: false,
            choices: Vec::new(),
            default: None,
            custom: false,
        };
        self.add_option(option, line)
    }

    /// Adds an option opened (or made) on `line`, and gives its index.
    fn add_option(&mut self, option: PpdOption, line: usize) -> usize {
        let index = self.ppd.options.len();
        self.option_index.insert(option.keyword.clone(), index);
        self.option_lower.entry(option.keyword.to_ascii_lowercase()).or_insert(index);
        self.ppd.options.push(option);
        self.option_lines.push(line);
        self.choice_sets.push(HashSet::new());
        index
    }

    fn size(&mut self, name: &str) -> &mut PageSize {
        let index = match self.size_index.get(name) {
            Some(&index) => index,
            None => {
                self.size_index.insert(name.to_string(), self.ppd.page_sizes.len());
                self.ppd.page_sizes.push(PageSize {
                    name: name.to_string(),
                    text: None,
                    dimensions: None,
                    imageable_area: None,
                });
                self.ppd.page_sizes.len() - 1
            }
        };
        &mut self.ppd.page_sizes[index]
    }

    /// `*PaperDimension Name: "w l"`, `*ImageableArea Name: "l b r t"`.
    fn size_line(&mut self, entry: &Entry) {
        let (line, col) = (entry.value.line, entry.value.col);
        let Some(name) = entry.option.as_deref() else {
            return self.warn(
                line,
                col,
                format!("*{} without a size name: left out", entry.keyword),
            );
        };
        let name = &ppd_text::choice_name(name);
        let value = entry.value.ascii();
        if entry.keyword == "PaperDimension" {
            match ppd_text::numbers::<2>(&value) {
                Some(dims) => self.size(name).dimensions = Some(dims),
                None => {
                    self.warn(line, col, "*PaperDimension: \"width length\" expected: left out")
                }
            }
        } else {
            match ppd_text::numbers::<4>(&value) {
                Some(area) => self.size(name).imageable_area = Some(area),
                None => {
                    let message = "*ImageableArea: \"left bottom right top\" expected: left out";
                    self.warn(line, col, message);
                }
            }
        }
    }

    /// The end of the file: blocks left open, and each option's default.
    fn finish(&mut self) {
        if let Open::Option(index, line) = self.open {
            let keyword = &self.ppd.options[index].keyword;
            let message = format!("*OpenUI *{keyword} has no *CloseUI before the end of the file");
            self.warn(line, 1, message);
        }
        if let Some(line) = self.group {
            self.warn(line, 1, "*OpenGroup has no *CloseGroup before the end of the file");
        }
        for index in 0..self.ppd.options.len() {
            let keyword = self.ppd.options[index].keyword.clone();
            self.ppd.options[index].custom = self.customs.contains_key(&Self::custom_key(&keyword));
            self.resolve_default(index);
        }
    }

    /// libcups takes the first `*DefaultX` before the option's `*OpenUI`, and lets each
    /// one after it replace that.
    fn resolve_default(&mut self, index: usize) {
        let open_line = self.option_lines[index];
        let option = &self.ppd.options[index];
        let Some(mine) = self.defaults.get(&option.keyword.to_ascii_lowercase()) else { return };
        // Before the option, libcups's lookup minds case; after it, it does not.
        let chosen = mine
            .iter()
            .rfind(|d| d.2 > open_line)
            .or_else(|| mine.iter().find(|d| d.0 == option.keyword));
        let Some((_, value, line, col)) = chosen.cloned() else { return };
        let keyword = option.keyword.clone();
        // A custom-looking default names the renamed choice if there is one (as in libcups),
        // else a custom value.
        let renamed = ppd_text::choice_name(&value);
        let custom_value = option.custom && value.len() > 7 && ppd_text::is_custom_name(&value);
        if option.choice(&renamed).is_some() {
            self.ppd.options[index].default = Some(renamed);
        } else if option.choice(&value).is_some() || custom_value {
            self.ppd.options[index].default = Some(value);
        } else {
            let message = format!(
                "*Default{keyword}: \"{value}\" is not one of its choices: the option has no default"
            );
            self.warn(line, col, message);
        }
    }
}
