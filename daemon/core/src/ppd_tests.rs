use super::*;
use quire_ipp::{Attribute, ResolutionUnits, Value};
use std::collections::HashSet;

fn kws(name: &str, v: &[&str]) -> Attribute {
    Attribute::set(name, v.iter().map(|s| Value::Keyword((*s).to_string())).collect())
}
fn kw(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Keyword(v.to_string()))
}
fn int(name: &str, v: i32) -> Attribute {
    Attribute::new(name, Value::Integer(v))
}
fn ints(name: &str, v: &[i32]) -> Attribute {
    Attribute::set(name, v.iter().map(|i| Value::Integer(*i)).collect())
}
fn res(x: i32) -> Value {
    Value::Resolution { cross_feed: x, feed: x, units: ResolutionUnits::DotsPerInch }
}
fn media_col(x: Value, y: Value, source: Option<&str>, kind: Option<&str>) -> Value {
    let size =
        Value::Collection(vec![Attribute::new("x-dimension", x), Attribute::new("y-dimension", y)]);
    let mut col = vec![Attribute::new("media-size", size)];
    if let Some(s) = source {
        col.push(kw("media-source", s));
    }
    if let Some(t) = kind {
        col.push(kw("media-type", t));
    }
    Value::Collection(col)
}

/// Attributes as an IPP Everywhere laser printer reports them.
fn laser() -> Vec<Attribute> {
    vec![
        Attribute::new(
            "printer-make-and-model",
            Value::Text("HP Color LaserJet MFP M283fdw".into()),
        ),
        Attribute::new(
            "printer-uuid",
            Value::Uri("urn:uuid:4e4a2b1c-1234-5678-9abc-def012345678".into()),
        ),
        Attribute::new("color-supported", Value::Boolean(true)),
        Attribute::set(
            "document-format-supported",
            [
                "application/octet-stream",
                "application/pdf",
                "image/urf",
                "image/pwg-raster",
                "image/jpeg",
            ]
            .iter()
            .map(|s| Value::MimeMediaType((*s).to_string()))
            .collect(),
        ),
        kws(
            "media-supported",
            &[
                "na_letter_8.5x11in",
                "na_legal_8.5x14in",
                "iso_a4_210x297mm",
                "na_number-10_4.125x9.5in",
                "om_small-photo_100x150mm",
                "oe_photo-l_3.5x5in",
                "custom_min_3x5in",
                "custom_max_8.5x14in",
            ],
        ),
        kw("media-default", "iso_a4_210x297mm"),
        Attribute::set(
            "media-col-database",
            vec![
                media_col(Value::Integer(21590), Value::Integer(27940), None, None),
                media_col(Value::Integer(18200), Value::Integer(25700), None, None),
                media_col(
                    Value::RangeOfInteger { lower: 7620, upper: 21590 },
                    Value::RangeOfInteger { lower: 12700, upper: 35560 },
                    None,
                    None,
                ),
            ],
        ),
        Attribute::new(
            "media-col-default",
            media_col(
                Value::Integer(21000),
                Value::Integer(29700),
                Some("tray-1"),
                Some("stationery"),
            ),
        ),
        kws("media-source-supported", &["auto", "by-pass-tray", "tray-1", "tray1"]),
        kws("media-type-supported", &["stationery", "photographic-glossy", "envelope", "labels"]),
        ints("media-left-margin-supported", &[423, 0]),
        ints("media-right-margin-supported", &[423]),
        ints("media-top-margin-supported", &[423]),
        ints("media-bottom-margin-supported", &[423]),
        kws("print-color-mode-supported", &["auto", "monochrome", "color"]),
        kw("print-color-mode-default", "auto"),
        kws("sides-supported", &["one-sided", "two-sided-long-edge", "two-sided-short-edge"]),
        kw("sides-default", "two-sided-long-edge"),
        Attribute::set(
            "print-quality-supported",
            vec![Value::Enum(3), Value::Enum(4), Value::Enum(5)],
        ),
        Attribute::new("print-quality-default", Value::Enum(5)),
        Attribute::set("printer-resolution-supported", vec![res(600), res(1200)]),
        Attribute::new("printer-resolution-default", res(600)),
        kws("output-bin-supported", &["face-down"]),
        Attribute::new("copies-supported", Value::RangeOfInteger { lower: 1, upper: 99 }),
        int("pages-per-minute", 22),
    ]
}

fn lines_for<'a>(ppd: &'a str, prefix: &str) -> Vec<&'a str> {
    ppd.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Structural checks libcups relies on: balanced UI, a default for each option, no duplicates.
fn assert_well_formed(ppd: &str) {
    assert!(ppd.starts_with("*PPD-Adobe: \"4.3\"\n"));
    let mut open: Option<String> = None;
    let mut seen = HashSet::new();
    for line in ppd.lines().filter(|l| l.starts_with('*') && !l.starts_with("*%")) {
        if let Some(rest) = line.strip_prefix("*OpenUI *") {
            assert!(open.is_none(), "nested OpenUI at {line}");
            let name = rest.split(['/', ':']).next().unwrap_or("").to_string();
            assert!(ppd.contains(&format!("*Default{name}: ")), "no default for {name}");
            open = Some(name);
        } else if let Some(rest) = line.strip_prefix("*CloseUI: *") {
            assert_eq!(open.take().as_deref(), Some(rest), "unbalanced CloseUI");
        }
        // "*Keyword option" (or "*Keyword" alone) must be unique in the file.
        let head = line.split([':', '/']).next().unwrap_or(line).to_string();
        let repeatable = ["*cupsFilter2", "*OrderDependency", "*CloseUI"];
        if !repeatable.iter().any(|p| line.starts_with(p)) {
            assert!(seen.insert(head.clone()), "duplicate {head}");
        }
        assert!(line.is_ascii() && !line.contains('\t'));
    }
    assert!(open.is_none(), "OpenUI without CloseUI");
}

#[test]
fn header_and_filters() {
    let ppd = generate_ppd("office", &laser());
    assert_well_formed(&ppd);
    assert!(ppd.contains("*Manufacturer: \"HP\"\n"));
    assert!(ppd.contains("*ModelName: \"HP Color LaserJet MFP M283fdw\"\n"));
    assert!(ppd.contains("*NickName: \"HP Color LaserJet MFP M283fdw, driverless\"\n"));
    assert!(lines_for(&ppd, "*ShortNickName: ")[0].len() <= "*ShortNickName: \"\"".len() + 31);
    assert!(ppd.contains("*PCFileName: \"office.ppd\"\n"));
    assert!(ppd.contains("*ColorDevice: True\n"));
    assert!(ppd.contains("*cupsManualCopies: False\n"));
    let filters = lines_for(&ppd, "*cupsFilter2:");
    assert_eq!(filters.len(), 4, "{filters:?}");
    assert!(filters.contains(&"*cupsFilter2: \"application/vnd.cups-pdf application/pdf 10 -\""));
    assert!(filters.contains(&"*cupsFilter2: \"image/pwg-raster image/pwg-raster 100 -\""));
    assert!(filters.contains(&"*cupsFilter2: \"image/urf image/urf 100 -\""));
}

#[test]
fn page_sizes() {
    let ppd = generate_ppd("office", &laser());
    assert!(ppd.contains("*DefaultPageSize: A4\n"));
    assert!(ppd.contains("*DefaultPageRegion: A4\n"));
    assert!(ppd.contains("*DefaultImageableArea: A4\n"));
    assert!(ppd.contains("*DefaultPaperDimension: A4\n"));
    assert!(ppd.contains("*PageSize Letter/US Letter: \"<</PageSize[612 792]>>setpagedevice\"\n"));
    assert!(ppd.contains("*PaperDimension A4/A4: \"595.28 841.89\"\n"));
    assert!(ppd.contains("*PaperDimension Env10/Envelope #10: \"297 684\"\n"));
    assert!(ppd.contains("*PaperDimension 3.5x5/3.5x5in: \"252 360\"\n"));
    // 423 hundredths of mm = 11.99pt; the largest margin wins over borderless 0.
    assert!(
        ppd.contains("*ImageableArea Letter/US Letter: \"11.99 11.99 600.01 780.01\"\n"),
        "{ppd}"
    );
    // media-col-database adds JIS B5 by dimensions; Letter is not repeated.
    assert!(ppd.contains("*PageSize B5/B5 (JIS): "));
    assert_eq!(lines_for(&ppd, "*PageSize Letter/").len(), 1);
    assert!(ppd.contains("*ParamCustomPageSize Width: 1 points 216 612\n"));
    assert!(ppd.contains("*ParamCustomPageSize Height: 2 points 360 1008\n"));
}

#[test]
fn options_and_defaults() {
    let ppd = generate_ppd("office", &laser());
    assert!(ppd.contains("*DefaultInputSlot: Tray1\n"));
    assert!(ppd.contains("*InputSlot ByPassTray/By Pass Tray: \"\"\n"));
    // `tray1` ppdizes to `Tray1` too and is dropped rather than duplicated.
    assert_eq!(lines_for(&ppd, "*InputSlot Tray1/").len(), 1);
    assert!(ppd.contains("*DefaultMediaType: Stationery\n"));
    assert!(ppd.contains("*MediaType PhotographicGlossy/Photographic Glossy: \"\"\n"));
    assert!(ppd.contains("*DefaultColorModel: Gray\n"));
    assert!(lines_for(&ppd, "*ColorModel RGB/Color:").len() == 1);
    assert!(ppd.contains("*DefaultDuplex: DuplexNoTumble\n"));
    assert!(ppd.contains("*Duplex DuplexTumble/Short-Edge (Landscape): \"<</Duplex true/Tumble true>>setpagedevice\"\n"));
    assert!(ppd.contains("*DefaultcupsPrintQuality: High\n"));
    assert!(ppd.contains("*DefaultResolution: 600dpi\n"));
    assert!(ppd
        .contains("*Resolution 1200dpi/1200dpi: \"<</HWResolution[1200 1200]>>setpagedevice\"\n"));
    assert!(ppd.contains("*DefaultOutputBin: FaceDown\n"));
}

#[test]
fn minimal_printer_still_valid() {
    let ppd = generate_ppd("bare", &[]);
    assert_well_formed(&ppd);
    assert!(ppd.contains("*DefaultPageSize: Letter\n"));
    assert!(ppd.contains("*PageSize A4/A4: "));
    assert!(ppd.contains("*ModelName: \"Unknown Printer\"\n"));
    assert!(ppd.contains("*DefaultResolution: 300dpi\n"));
    assert!(ppd.contains("*ColorDevice: False\n"));
    assert!(!ppd.contains("*OpenUI *Duplex"));
}

#[test]
fn hostile_strings_are_sanitised() {
    let attrs = vec![
        Attribute::new("printer-make-and-model", Value::Text("Evil \"Co\"\n*Inject: True".into())),
        kws("media-source-supported", &["tray:1/a", "ünïcode"]),
        kw("media-default", "bogus"),
    ];
    let ppd = generate_ppd("q\"ueue", &attrs);
    assert_well_formed(&ppd);
    assert!(!ppd.contains("Inject"), "what follows a line break is dropped, even inside quotes");
    assert!(ppd.contains("*ModelName: \"Evil Co\"\n"));
    assert!(ppd.contains("*InputSlot Tray1a/"));
    assert!(ppd.contains("*DefaultPageSize: Letter\n"));
}

#[test]
fn pwg_names() {
    assert_eq!(pwg_dimensions("na_letter_8.5x11in"), Some((612.0, 792.0)));
    let (w, h) = pwg_dimensions("iso_a4_210x297mm").unwrap_or_default();
    assert!((w - 595.2756).abs() < 0.01 && (h - 841.8898).abs() < 0.01);
    assert_eq!(pwg_dimensions("na_letter"), None);
    assert_eq!(pwg_dimensions("x_0x5in"), None);
    assert_eq!(size_from_dims(21000, 29700).key, "A4");
    assert_eq!(size_from_dims(12345, 20000).key, "123.45x200mm");
    assert_eq!(ppdize("by-pass-tray"), "ByPassTray");
    assert_eq!(ppdize("tray-10"), "Tray10");
}

/// Runs CUPS's own validator when it is installed.
#[test]
fn cupstestppd_accepts_generated_ppds() {
    let Ok(out) = std::process::Command::new("cupstestppd").arg("-V").output() else {
        eprintln!("skipped: cupstestppd is not installed");
        return;
    };
    let _ = out;
    let dir = std::env::temp_dir().join(format!("quire-ppd-test-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        eprintln!("skipped: cannot create {}", dir.display());
        return;
    }
    for (name, attrs) in [("office", laser()), ("bare", Vec::new())] {
        let path = dir.join(format!("{name}.ppd"));
        std::fs::write(&path, generate_ppd(name, &attrs)).expect("write ppd");
        let result = std::process::Command::new("cupstestppd")
            .args(["-W", "translations", "-v"])
            .arg(&path)
            .output()
            .expect("run cupstestppd");
        let report = String::from_utf8_lossy(&result.stdout);
        assert!(result.status.success(), "cupstestppd rejected {name}:\n{report}");
        assert!(!report.contains("WARN"), "cupstestppd warns on {name}:\n{report}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
