//! PPD generation from a printer's IPP attributes, in the manner of CUPS's
//! `_ppdCreateFromIPP` (`lpadmin -m everywhere`). Clients (`lpoptions -l`,
//! `lpadmin -o`, print dialogs) fetch this file and parse it with libcups, so
//! every option gets a `*Default` line, OpenUI/CloseUI pairs are balanced and
//! choice keywords are unique within an option.

use std::fmt::Write as _;

use quire_ipp::{Attribute, ResolutionUnits, Value};

/// Hundredths of a millimetre to PostScript points.
fn hmm_to_pt(v: i32) -> f64 {
    f64::from(v) * 72.0 / 2540.0
}

/// A number as PPDs write it: at most two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A quoted-string value: printable ASCII without `"` (PPD strings are
/// ISOLatin1 here, and a `"` would end the value early), cut at the first
/// control character as CUPS does: what follows a line break in a device's
/// text is not kept, even inside quotes.
fn quoted(s: &str) -> String {
    s.chars().take_while(|c| !c.is_control()).filter(|c| c.is_ascii() && *c != '"').collect()
}

/// A translation string: like `quoted` but also without `:` (which ends it), max 80 octets.
fn translation(s: &str) -> String {
    let mut t: String = quoted(s).chars().filter(|c| *c != ':' && *c != '/').collect();
    t.truncate(80);
    t
}

/// An option or choice keyword: printable ASCII without separators, max 40 octets.
fn keyword(s: &str) -> String {
    let mut k: String =
        s.chars().filter(|c| c.is_ascii_graphic() && !"/:\"".contains(*c)).collect();
    k.truncate(40);
    k
}

/// CUPS's `pwg_ppdize_name`: `by-pass-tray` -> `ByPassTray`, `tray-1` -> `Tray1`.
fn ppdize(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if c.is_ascii_alphanumeric() || c == '.' {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        }
    }
    keyword(&out)
}

/// `tray-1` -> `Tray 1` for display.
fn humanize(s: &str) -> String {
    let words: Vec<String> = s
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    translation(&words.join(" "))
}

/// Read access to the printer's attributes.
struct Attrs<'a>(&'a [Attribute]);

impl<'a> Attrs<'a> {
    fn get(&self, name: &str) -> Option<&'a Attribute> {
        self.0.iter().find(|a| a.name == name)
    }
    fn strs(&self, name: &str) -> Vec<&'a str> {
        self.get(name).map(|a| a.strs().collect()).unwrap_or_default()
    }
    fn first_str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Attribute::first_str)
    }
    fn ints(&self, name: &str) -> Vec<i32> {
        self.get(name)
            .map(|a| a.values.iter().filter_map(Value::as_i32).collect())
            .unwrap_or_default()
    }
    /// A member of the first value of a collection attribute (`media-col-default`).
    fn member(&self, name: &str, member: &str) -> Option<&'a Attribute> {
        let col = self.get(name)?.first()?.as_collection()?;
        col.iter().find(|m| m.name == member)
    }
}

/// One PickOne choice.
struct Choice {
    key: String,
    text: String,
    code: String,
}

/// Writes a PickOne option with its default (the first choice if `default` is not offered).
fn pick_one(
    out: &mut String,
    name: &str,
    text: &str,
    order: u32,
    choices: &[Choice],
    default: Option<&str>,
) {
    let Some(first) = choices.first() else { return };
    let default = default.filter(|d| choices.iter().any(|c| c.key == *d)).unwrap_or(&first.key);
    let _ = writeln!(out, "*OpenUI *{name}/{text}: PickOne");
    let _ = writeln!(out, "*OrderDependency: {order} AnySetup *{name}");
    let _ = writeln!(out, "*Default{name}: {default}");
    for c in choices {
        let _ = writeln!(out, "*{name} {}/{}: \"{}\"", c.key, c.text, c.code);
    }
    let _ = writeln!(out, "*CloseUI: *{name}\n");
}

/// Choices from keywords, dropping those that collapse onto an earlier keyword.
fn keyword_choices(values: &[&str], code: impl Fn(&str) -> String) -> Vec<Choice> {
    let mut choices: Vec<Choice> = Vec::new();
    for v in values {
        let key = ppdize(v);
        if key.is_empty() || choices.iter().any(|c| c.key == key) {
            continue;
        }
        choices.push(Choice { key, text: humanize(v), code: code(v) });
    }
    choices
}

/// Builds a PPD for `queue_name` from its IPP Printer attributes.
pub fn generate_ppd(queue_name: &str, attrs: &[Attribute]) -> String {
    let a = Attrs(attrs);
    let mut out = String::with_capacity(8192);
    header(&mut out, queue_name, &a);
    filters(&mut out, &a);
    let media = collect_media(&a);
    write_sizes(&mut out, &media, &a);
    let sources = a.strs("media-source-supported");
    let default =
        a.member("media-col-default", "media-source").and_then(Attribute::first_str).map(ppdize);
    pick_one(
        &mut out,
        "InputSlot",
        "Media Source",
        10,
        &keyword_choices(&sources, |_| String::new()),
        default.as_deref(),
    );
    let types = a.strs("media-type-supported");
    let default =
        a.member("media-col-default", "media-type").and_then(Attribute::first_str).map(ppdize);
    pick_one(
        &mut out,
        "MediaType",
        "Media Type",
        10,
        &keyword_choices(&types, |_| String::new()),
        default.as_deref(),
    );
    color_model(&mut out, &a);
    duplex(&mut out, &a);
    let bins = a.strs("output-bin-supported");
    let default = a.first_str("output-bin-default").map(ppdize);
    pick_one(
        &mut out,
        "OutputBin",
        "Output Tray",
        10,
        &keyword_choices(&bins, |_| String::new()),
        default.as_deref(),
    );
    quality(&mut out, &a);
    resolution(&mut out, &a);
    out.push_str("*% End of ");
    out.push_str(&keyword(queue_name));
    out.push_str(".ppd\n");
    out
}

/// Manufacturer and model from `printer-make-and-model` (first word is the make, as CUPS does).
fn make_model(a: &Attrs<'_>) -> (String, String) {
    let mm = a.first_str("printer-make-and-model").map(quoted).unwrap_or_default();
    let mm = mm.trim();
    let mm = if mm.is_empty() { "Unknown Printer" } else { mm };
    let make = mm.split_whitespace().next().unwrap_or("Unknown");
    // Hewlett-Packard reports itself under several names; CUPS normalises to HP.
    let make = if make.eq_ignore_ascii_case("hewlett-packard") { "HP" } else { make };
    (make.to_string(), mm.to_string())
}

fn header(out: &mut String, queue_name: &str, a: &Attrs<'_>) {
    let (make, model) = make_model(a);
    let mut short = model.clone();
    short.truncate(31);
    let short = short.trim_end();
    let color = a.get("color-supported").and_then(Attribute::first_bool).unwrap_or(false)
        || a.strs("print-color-mode-supported").contains(&"color");
    let pcfile = keyword(&queue_name.to_ascii_lowercase());
    let pcfile = if pcfile.is_empty() { "quire".to_string() } else { pcfile };
    let _ = write!(
        out,
        "*PPD-Adobe: \"4.3\"\n\
         *% PPD file for {q} generated by Quire from the printer's IPP attributes.\n\
         *FormatVersion: \"4.3\"\n\
         *FileVersion: \"1.0\"\n\
         *LanguageVersion: English\n\
         *LanguageEncoding: ISOLatin1\n\
         *PSVersion: \"(3010.000) 0\"\n\
         *LanguageLevel: \"3\"\n\
         *FileSystem: False\n\
         *PCFileName: \"{pcfile}.ppd\"\n\
         *Manufacturer: \"{make}\"\n\
         *ModelName: \"{model}\"\n\
         *Product: \"({model})\"\n\
         *NickName: \"{model}, driverless\"\n\
         *ShortNickName: \"{short}\"\n\
         *ColorDevice: {c}\n\
         *DefaultColorSpace: {cs}\n\
         *LandscapeOrientation: Plus90\n\
         *TTRasterizer: Type42\n\
         *cupsVersion: 2.4\n",
        q = quoted(queue_name),
        c = if color { "True" } else { "False" },
        cs = if color { "RGB" } else { "Gray" },
    );
    if let Some(ppm) = a.ints("pages-per-minute").first() {
        let _ = writeln!(out, "*Throughput: \"{ppm}\"");
    }
    let copies = a.get("copies-supported").and_then(|c| c.first().cloned());
    let manual = !matches!(copies, Some(Value::RangeOfInteger { upper, .. }) if upper > 1);
    let _ = writeln!(out, "*cupsManualCopies: {}", if manual { "True" } else { "False" });
    if let Some(uuid) = a.first_str("printer-uuid") {
        let _ = writeln!(out, "*cupsUUID: \"{}\"", quoted(uuid));
    }
    out.push('\n');
}

/// `*cupsFilter2` for the formats the printer takes directly (no conversion on our side).
fn filters(out: &mut String, a: &Attrs<'_>) {
    let formats = a.strs("document-format-supported");
    let known = [
        ("application/pdf", "application/vnd.cups-pdf application/pdf 10 -"),
        ("image/urf", "image/urf image/urf 100 -"),
        ("image/pwg-raster", "image/pwg-raster image/pwg-raster 100 -"),
        ("image/jpeg", "image/jpeg image/jpeg 0 -"),
    ];
    for (format, line) in known {
        if formats.contains(&format) {
            let _ = writeln!(out, "*cupsFilter2: \"{line}\"");
        }
    }
    out.push('\n');
}

fn color_model(out: &mut String, a: &Attrs<'_>) {
    let modes = a.strs("print-color-mode-supported");
    let mut choices = Vec::new();
    // cupsColorSpace 18 = sgray, 19 = srgb (cups/raster.h).
    if modes.is_empty() || modes.iter().any(|m| m.contains("monochrome") || *m == "bi-level") {
        let code = "<</cupsColorSpace 18/cupsBitsPerColor 8/cupsColorOrder 0/cupsCompression 0>>setpagedevice";
        choices.push(Choice { key: "Gray".into(), text: "Grayscale".into(), code: code.into() });
    }
    if modes.contains(&"color") {
        let code = "<</cupsColorSpace 19/cupsBitsPerColor 8/cupsColorOrder 0/cupsCompression 0>>setpagedevice";
        choices.push(Choice { key: "RGB".into(), text: "Color".into(), code: code.into() });
    }
    let default = match a.first_str("print-color-mode-default") {
        Some("color") => Some("RGB"),
        Some(_) => Some("Gray"),
        None => None,
    };
    pick_one(out, "ColorModel", "Color Mode", 10, &choices, default);
}

fn duplex(out: &mut String, a: &Attrs<'_>) {
    let sides = a.strs("sides-supported");
    if !sides.iter().any(|s| s.starts_with("two-sided")) {
        return;
    }
    let table = [
        ("one-sided", "None", "Off", "<</Duplex false>>setpagedevice"),
        (
            "two-sided-long-edge",
            "DuplexNoTumble",
            "Long-Edge (Portrait)",
            "<</Duplex true/Tumble false>>setpagedevice",
        ),
        (
            "two-sided-short-edge",
            "DuplexTumble",
            "Short-Edge (Landscape)",
            "<</Duplex true/Tumble true>>setpagedevice",
        ),
    ];
    // One-sided is always possible, whatever the printer lists.
    let choices: Vec<Choice> = table
        .iter()
        .filter(|(ipp, ..)| *ipp == "one-sided" || sides.contains(ipp))
        .map(|(_, key, text, code)| Choice {
            key: (*key).into(),
            text: (*text).into(),
            code: (*code).into(),
        })
        .collect();
    let default = a
        .first_str("sides-default")
        .and_then(|d| table.iter().find(|(ipp, ..)| *ipp == d))
        .map(|(_, key, ..)| *key);
    pick_one(out, "Duplex", "2-Sided Printing", 10, &choices, default);
    out.push_str("*cupsBackSide: Normal\n\n");
}

fn quality(out: &mut String, a: &Attrs<'_>) {
    let supported = a.ints("print-quality-supported");
    let table = [(3, "Draft", "Draft"), (4, "Normal", "Normal"), (5, "High", "High")];
    let choices: Vec<Choice> = table
        .iter()
        .filter(|(v, ..)| supported.contains(v))
        .map(|(_, key, text)| Choice {
            key: (*key).into(),
            text: (*text).into(),
            code: String::new(),
        })
        .collect();
    let default = a
        .get("print-quality-default")
        .and_then(Attribute::first_i32)
        .and_then(|d| table.iter().find(|(v, ..)| *v == d))
        .map(|(_, key, _)| *key);
    pick_one(out, "cupsPrintQuality", "Print Quality", 10, &choices, default.or(Some("Normal")));
}

/// Resolutions in dpi as (x, y); dots per cm are converted.
fn dpi(v: &Value) -> Option<(i32, i32)> {
    match v {
        Value::Resolution { cross_feed, feed, units } => match units {
            ResolutionUnits::DotsPerInch => Some((*cross_feed, *feed)),
            ResolutionUnits::DotsPerCm => {
                let conv = |d: i32| (f64::from(d) * 2.54).round() as i32;
                Some((conv(*cross_feed), conv(*feed)))
            }
            ResolutionUnits::Other(_) => None,
        },
        _ => None,
    }
}

fn res_key((x, y): (i32, i32)) -> String {
    if x == y {
        format!("{x}dpi")
    } else {
        format!("{x}x{y}dpi")
    }
}

/// A Resolution option when several are offered, otherwise a bare `*DefaultResolution`.
fn resolution(out: &mut String, a: &Attrs<'_>) {
    let mut list: Vec<(i32, i32)> = Vec::new();
    for name in ["printer-resolution-supported", "pwg-raster-document-resolution-supported"] {
        if let Some(attr) = a.get(name) {
            list.extend(attr.values.iter().filter_map(dpi).filter(|(x, y)| *x > 0 && *y > 0));
            if !list.is_empty() {
                break;
            }
        }
    }
    list.dedup();
    let default = a.get("printer-resolution-default").and_then(Attribute::first).and_then(dpi);
    let default = default.filter(|d| list.contains(d)).or_else(|| list.first().copied());
    let default_key = res_key(default.unwrap_or((300, 300)));
    if list.len() < 2 {
        let _ = writeln!(out, "*DefaultResolution: {default_key}\n");
        return;
    }
    let choices: Vec<Choice> = list
        .iter()
        .map(|&(x, y)| Choice {
            key: res_key((x, y)),
            text: res_key((x, y)),
            code: format!("<</HWResolution[{x} {y}]>>setpagedevice"),
        })
        .collect();
    pick_one(out, "Resolution", "Resolution", 20, &choices, Some(&default_key));
}

/// A page size in points.
#[derive(Debug, Clone, PartialEq)]
struct Size {
    key: String,
    text: String,
    width: f64,
    length: f64,
}

/// Sizes and, when the printer takes custom sizes, their (min, max) in points.
struct Media {
    sizes: Vec<Size>,
    custom: Option<((f64, f64), (f64, f64))>,
}

/// PWG 5101.1 names that have a traditional PPD keyword (as CUPS's pwg-media table gives).
const NAMED: &[(&str, &str, &str)] = &[
    ("na_letter_8.5x11in", "Letter", "US Letter"),
    ("na_legal_8.5x14in", "Legal", "US Legal"),
    ("na_executive_7.25x10.5in", "Executive", "Executive"),
    ("na_ledger_11x17in", "Tabloid", "Tabloid"),
    ("na_invoice_5.5x8.5in", "Statement", "Statement"),
    ("na_govt-letter_8x10in", "8x10", "8 x 10in"),
    ("na_index-3x5_3x5in", "3x5", "3 x 5in"),
    ("na_index-4x6_4x6in", "4x6", "4 x 6in"),
    ("na_5x7_5x7in", "5x7", "5 x 7in"),
    ("na_index-5x8_5x8in", "5x8", "5 x 8in"),
    ("na_number-10_4.125x9.5in", "Env10", "Envelope #10"),
    ("na_monarch_3.875x7.5in", "EnvMonarch", "Envelope Monarch"),
    ("iso_a3_297x420mm", "A3", "A3"),
    ("iso_a4_210x297mm", "A4", "A4"),
    ("iso_a5_148x210mm", "A5", "A5"),
    ("iso_a6_105x148mm", "A6", "A6"),
    ("iso_b4_250x353mm", "ISOB4", "B4 (ISO)"),
    ("iso_b5_176x250mm", "ISOB5", "B5 (ISO)"),
    ("jis_b4_257x364mm", "B4", "B4 (JIS)"),
    ("jis_b5_182x257mm", "B5", "B5 (JIS)"),
    ("iso_c5_162x229mm", "EnvC5", "Envelope C5"),
    ("iso_c6_114x162mm", "EnvC6", "Envelope C6"),
    ("iso_dl_110x220mm", "EnvDL", "Envelope DL"),
    ("jpn_hagaki_100x148mm", "Postcard", "Postcard"),
    ("om_small-photo_100x150mm", "100x150mm", "100 x 150mm"),
];

/// Width and length in points from a PWG self-describing name (`iso_a4_210x297mm`).
fn pwg_dimensions(name: &str) -> Option<(f64, f64)> {
    let dims = name.rsplit('_').next()?;
    let (num, factor) = match (dims.strip_suffix("in"), dims.strip_suffix("mm")) {
        (Some(d), _) => (d, 72.0),
        (None, Some(d)) => (d, 72.0 / 25.4),
        _ => return None,
    };
    let (w, h) = num.split_once('x')?;
    let (w, h) = (w.parse::<f64>().ok()? * factor, h.parse::<f64>().ok()? * factor);
    (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then_some((w, h))
}

fn size_from_pwg(name: &str) -> Option<Size> {
    if name.starts_with("custom_") {
        return None;
    }
    let (width, length) = pwg_dimensions(name)?;
    if let Some((_, key, text)) = NAMED.iter().find(|(pwg, ..)| *pwg == name) {
        return Some(Size { key: (*key).into(), text: (*text).into(), width, length });
    }
    // Unnamed sizes are named by their dimensions like CUPS: `100x150mm`, `3.5x5` (inches).
    let dims = name.rsplit('_').next().unwrap_or(name);
    let key = dims.strip_suffix("in").unwrap_or(dims);
    Some(Size { key: keyword(key), text: translation(dims), width, length })
}

/// A size from media-size dimensions (hundredths of mm), matched to a known name within 1pt.
fn size_from_dims(x: i32, y: i32) -> Size {
    let (width, length) = (hmm_to_pt(x), hmm_to_pt(y));
    let known = NAMED
        .iter()
        .filter_map(|(pwg, ..)| size_from_pwg(pwg))
        .find(|s| (s.width - width).abs() < 1.0 && (s.length - length).abs() < 1.0);
    known.unwrap_or_else(|| {
        let dims = format!("{}x{}mm", num(f64::from(x) / 100.0), num(f64::from(y) / 100.0));
        Size { key: keyword(&dims), text: translation(&dims), width, length }
    })
}

fn media_size_dims(col: &[Attribute]) -> Option<(Value, Value)> {
    let size = col.iter().find(|m| m.name == "media-size")?.first()?.as_collection()?;
    let get = |n: &str| size.iter().find(|m| m.name == n).and_then(|m| m.first().cloned());
    Some((get("x-dimension")?, get("y-dimension")?))
}

fn collect_media(a: &Attrs<'_>) -> Media {
    let mut sizes: Vec<Size> = Vec::new();
    let mut custom_min = None;
    let mut custom_max = None;
    for name in a.strs("media-supported") {
        if name.starts_with("custom_min_") {
            custom_min = pwg_dimensions(name);
        } else if name.starts_with("custom_max_") {
            custom_max = pwg_dimensions(name);
        } else if let Some(s) = size_from_pwg(name) {
            sizes.push(s);
        }
    }
    let db = a.get("media-col-database").map(|d| d.values.as_slice()).unwrap_or_default();
    for col in db.iter().filter_map(Value::as_collection) {
        match media_size_dims(col) {
            Some((Value::Integer(x), Value::Integer(y))) if x > 0 && y > 0 => {
                sizes.push(size_from_dims(x, y))
            }
            Some((
                Value::RangeOfInteger { lower: xl, upper: xu },
                Value::RangeOfInteger { lower: yl, upper: yu },
            )) => {
                custom_min = Some((hmm_to_pt(xl), hmm_to_pt(yl)));
                custom_max = Some((hmm_to_pt(xu), hmm_to_pt(yu)));
            }
            _ => {}
        }
    }
    let mut unique: Vec<Size> = Vec::new();
    for s in sizes {
        if !s.key.is_empty() && !unique.iter().any(|u| u.key == s.key) {
            unique.push(s);
        }
    }
    if unique.is_empty() {
        // A PPD without page sizes is rejected by libcups; offer the two common ones.
        unique.extend(
            ["na_letter_8.5x11in", "iso_a4_210x297mm"].iter().filter_map(|n| size_from_pwg(n)),
        );
    }
    let custom = custom_min
        .zip(custom_max)
        .filter(|(lo, hi)| lo.0 > 0.0 && lo.1 > 0.0 && hi.0 >= lo.0 && hi.1 >= lo.1);
    Media { sizes: unique, custom }
}

/// The default size's keyword: media-default, else media-col-default, else Letter/A4/first.
fn default_size(media: &Media, a: &Attrs<'_>) -> String {
    let from_name = a.first_str("media-default").and_then(size_from_pwg);
    let from_col = || {
        let col = a.get("media-col-default")?.first()?.as_collection()?;
        match media_size_dims(col)? {
            (Value::Integer(x), Value::Integer(y)) if x > 0 && y > 0 => Some(size_from_dims(x, y)),
            _ => None,
        }
    };
    let wanted = from_name.or_else(from_col).map(|s| s.key);
    let offered = |k: &str| media.sizes.iter().any(|s| s.key == k);
    wanted
        .filter(|k| offered(k))
        .or_else(|| ["Letter", "A4"].into_iter().find(|k| offered(k)).map(String::from))
        .or_else(|| media.sizes.first().map(|s| s.key.clone()))
        .unwrap_or_else(|| "Letter".to_string())
}

/// Margins in points (left, bottom, right, top): the largest supported, so the
/// imageable area holds in every mode (0 is borderless), with CUPS's defaults
/// (1/4in sides, 1/2in top and bottom) when the printer does not say.
fn margins(a: &Attrs<'_>) -> (f64, f64, f64, f64) {
    let max = |n: &str, default: i32| {
        hmm_to_pt(a.ints(n).into_iter().filter(|v| *v >= 0).max().unwrap_or(default))
    };
    (
        max("media-left-margin-supported", 635),
        max("media-bottom-margin-supported", 1270),
        max("media-right-margin-supported", 635),
        max("media-top-margin-supported", 1270),
    )
}

/// PageSize, PageRegion, ImageableArea, PaperDimension and custom-size support.
fn write_sizes(out: &mut String, media: &Media, a: &Attrs<'_>) {
    let default = default_size(media, a);
    let code = |s: &Size| format!("<</PageSize[{} {}]>>setpagedevice", num(s.width), num(s.length));
    let choices: Vec<Choice> = media
        .sizes
        .iter()
        .map(|s| Choice { key: s.key.clone(), text: s.text.clone(), code: code(s) })
        .collect();
    pick_one(out, "PageSize", "Media Size", 10, &choices, Some(&default));
    pick_one(out, "PageRegion", "Media Size", 10, &choices, Some(&default));
    let (left, bottom, right, top) = margins(a);
    let _ = writeln!(out, "*DefaultImageableArea: {default}");
    for s in &media.sizes {
        let (r, t) = ((s.width - right).max(left), (s.length - top).max(bottom));
        let _ = writeln!(
            out,
            "*ImageableArea {}/{}: \"{} {} {} {}\"",
            s.key,
            s.text,
            num(left),
            num(bottom),
            num(r),
            num(t)
        );
    }
    let _ = writeln!(out, "*DefaultPaperDimension: {default}");
    for s in &media.sizes {
        let _ = writeln!(
            out,
            "*PaperDimension {}/{}: \"{} {}\"",
            s.key,
            s.text,
            num(s.width),
            num(s.length)
        );
    }
    out.push('\n');
    if let Some(((min_w, min_l), (max_w, max_l))) = media.custom {
        let _ = write!(
            out,
            "*VariablePaperSize: True\n*MaxMediaWidth: \"{}\"\n*MaxMediaHeight: \"{}\"\n\
             *HWMargins: {} {} {} {}\n\
             *CustomPageSize True: \"pop pop pop <</PageSize[5 -2 roll]/ImagingBBox null>>setpagedevice\"\n\
             *ParamCustomPageSize Width: 1 points {} {}\n*ParamCustomPageSize Height: 2 points {} {}\n\
             *ParamCustomPageSize WidthOffset: 3 points 0 0\n*ParamCustomPageSize HeightOffset: 4 points 0 0\n\
             *ParamCustomPageSize Orientation: 5 int 0 0\n\n",
            num(max_w), num(max_l), num(left), num(bottom), num(right), num(top),
            num(min_w), num(max_w), num(min_l), num(max_l)
        );
    }
}

#[cfg(test)]
#[path = "ppd_tests.rs"]
mod tests;
