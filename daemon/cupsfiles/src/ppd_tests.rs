use std::path::{Path, PathBuf};

use quire_config::Diagnostic;

use crate::ppd::{read_ppd, CupsFilter, CupsFilter2, Ppd, PpdChoice, PpdFilters, PpdUi};

const PATH: &str = "/etc/cups/ppd/office.ppd";

/// A small PPD in the shape drivers write (ISO-8859-1, as most are).
const OFFICE: &[u8] = b"*PPD-Adobe: \"4.3\"\r
*% A test printer\r
*FormatVersion: \"4.3\"\r
*LanguageVersion: English\r
*LanguageEncoding: ISOLatin1\r
*Manufacturer: \"Acme\"\r
*ModelName: \"Acme Laser 9\"\r
*ShortNickName: \"Acme Laser 9\"\r
*NickName: \"Acme Laser 9 caf\xe9, 1.0\"\r
*1284DeviceID: \"MFG:Acme;MDL:Laser 9;CMD:PCL,PDF;\"\r
*cupsVersion: 2.4\r
*LanguageLevel: \"3\"\r
*ColorDevice: True\r
*cupsFilter: \"application/vnd.cups-raster 50 rastertoacme\"\r
*cupsFilter2: \"application/pdf application/vnd.acme-pdf 10 maxsize(1000000) pdftoacme\"\r
*cupsFilter2: \"application/vnd.cups-raster application/vnd.acme-pcl 50 /usr/lib/acme/rastertopcl\"\r
*JCLBegin: \"<1B>%-12345X@PJL JOB<0A>\"\r
*OpenGroup: General/General\r
*OpenUI *PageSize/Media Size: PickOne\r
*OrderDependency: 10 AnySetup *PageSize\r
*DefaultPageSize: A4\r
*PageSize Letter/US Letter: \"<</PageSize[612 792]>>setpagedevice\"\r
*PageSize A4/A4: \"<</PageSize[595 842]>>\r
setpagedevice\"\r
*End\r
*CloseUI: *PageSize\r
*OpenUI *Duplex/2-Sided: PickOne\r
*DefaultDuplex: None\r
*Duplex None/Off: \"\"\r
*Duplex DuplexNoTumble/Long Edge: \"\"\r
*CloseUI: *Duplex\r
*OpenUI *Collate/Collate: Boolean\r
*DefaultCollate: False\r
*Collate True: \"\"\r
*Collate False: \"\"\r
*CloseUI: *Collate\r
*CloseGroup: General\r
*JCLOpenUI *JCLSaving/Toner Saving: PickOne\r
*DefaultJCLSaving: Off\r
*JCLSaving Off/Normal: \"@PJL SET ECONOMODE=OFF<0A>\"\r
*JCLSaving On/\xc9conomie: \"@PJL SET ECONOMODE=ON<0A>\"\r
*JCLCloseUI: *JCLSaving\r
*UIConstraints: *Duplex DuplexNoTumble *PageSize Letter\r
*DefaultImageableArea: A4\r
*ImageableArea Letter: \"18 36 594 756\"\r
*ImageableArea A4: \"18 36 577 806\"\r
*DefaultPaperDimension: A4\r
*PaperDimension Letter: \"612 792\"\r
*PaperDimension A4: \"595 842\"\r
";

fn read(bytes: &[u8]) -> (Option<Ppd>, Vec<Diagnostic>) {
    read_ppd(bytes, Path::new(PATH))
}

/// `OFFICE` with `line` (1-based) replaced by `with` (which may hold several lines, or none).
fn office_with(line: usize, with: &str) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = OFFICE.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    lines[line - 1] = with.as_bytes().to_vec();
    lines.join(&b'\n')
}

/// `bytes` with the first `from` replaced by `to`.
fn swap(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = bytes.windows(from.len()).position(|w| w == from.as_bytes()).unwrap();
    [&bytes[..at], to.as_bytes(), &bytes[at + from.len()..]].concat()
}

/// The one diagnostic, as `line:col: severity: message`.
fn only(diags: &[Diagnostic]) -> String {
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    format!("{}:{}: {}: {}", d.loc.line, d.loc.col, d.severity, d.message)
}

#[test]
fn a_sound_ppd_is_read_whole() {
    let (ppd, diags) = read(OFFICE);
    assert!(diags.is_empty(), "{diags:#?}");
    let ppd = ppd.unwrap();
    assert_eq!(ppd.format_version, "4.3");
    assert_eq!(ppd.nick_name.as_deref(), Some("Acme Laser 9 café, 1.0"));
    assert_eq!(ppd.short_nick_name.as_deref(), Some("Acme Laser 9"));
    assert_eq!(ppd.model_name.as_deref(), Some("Acme Laser 9"));
    assert_eq!(ppd.manufacturer.as_deref(), Some("Acme"));
    assert_eq!(ppd.device_id.as_deref(), Some("MFG:Acme;MDL:Laser 9;CMD:PCL,PDF;"));
    assert_eq!(ppd.cups_version.as_deref(), Some("2.4"));
    assert_eq!(ppd.language_level, 3);
    assert!(ppd.color_device);
    let keywords: Vec<&str> = ppd.options.iter().map(|o| o.keyword.as_str()).collect();
    assert_eq!(keywords, ["PageSize", "Duplex", "Collate", "JCLSaving"]);
    assert_eq!(ppd.default_choice("PageSize"), Some("A4"));
    assert_eq!(ppd.default_choice("Duplex"), Some("None"));
    assert_eq!(ppd.default_choice("Collate"), Some("False"));
    assert_eq!(ppd.default_choice("JCLSaving"), Some("Off"));
    assert_eq!(ppd.default_choice("InputSlot"), None);
    let duplex = ppd.option("Duplex").unwrap();
    assert_eq!(duplex.text.as_deref(), Some("2-Sided"));
    assert_eq!(duplex.ui, PpdUi::PickOne);
    assert!(!duplex.jcl);
    let long = PpdChoice { keyword: "DuplexNoTumble".into(), text: Some("Long Edge".into()) };
    assert_eq!(duplex.choices[1], long);
    assert_eq!(ppd.option("Collate").unwrap().ui, PpdUi::Boolean);
    let saving = ppd.option("JCLSaving").unwrap();
    assert!(saving.jcl);
    assert_eq!(saving.choices[1].text.as_deref(), Some("Économie"));
    let a4 = ppd.page_size("A4").unwrap();
    assert_eq!(a4.text.as_deref(), Some("A4"));
    assert_eq!(a4.dimensions, Some([595.0, 842.0]));
    assert_eq!(a4.imageable_area, Some([18.0, 36.0, 577.0, 806.0]));
    assert_eq!(ppd.page_size("Letter").unwrap().text.as_deref(), Some("US Letter"));
    assert_eq!(ppd.page_sizes.len(), 2);
}

#[test]
fn filters_are_cups_filter2_when_there_are_any() {
    let (ppd, _) = read(OFFICE);
    let ppd = ppd.unwrap();
    let pdf = CupsFilter2 {
        source: "application/pdf".into(),
        dest: "application/vnd.acme-pdf".into(),
        cost: 10,
        max_size: Some(1_000_000),
        program: "pdftoacme".into(),
    };
    let PpdFilters::CupsFilter2(filters) = ppd.filters() else { panic!("{:?}", ppd.filters()) };
    assert_eq!(filters.len(), 2);
    assert_eq!(filters[0], pdf);
    assert_eq!(filters[1].program, "/usr/lib/acme/rastertopcl");
    assert_eq!(filters[1].max_size, None);

    let ppd = read(&office_with(15, "")).0.unwrap();
    assert_eq!(ppd.cups_filters2.len(), 1);
    let without2 = swap(&swap(OFFICE, "*cupsFilter2:", "*% was"), "*cupsFilter2:", "*% was");
    let ppd = read(&without2).0.unwrap();
    let raster = CupsFilter {
        source: "application/vnd.cups-raster".into(),
        cost: 50,
        max_size: None,
        program: "rastertoacme".into(),
    };
    assert_eq!(ppd.filters(), PpdFilters::CupsFilter(&[raster]));
}

/// A broken line: the whole file is refused, with the error on the line it is on.
fn refused(bytes: &[u8]) -> String {
    let (ppd, diags) = read(bytes);
    assert!(ppd.is_none(), "read: {diags:#?}");
    let error = diags.last().unwrap();
    assert!(error.is_error(), "{diags:#?}");
    format!("{}:{}: {}", error.loc.line, error.loc.col, error.message)
}

/// A broken item: the file is read, with one warning.
fn warned(bytes: &[u8]) -> (Ppd, String) {
    let (ppd, diags) = read(bytes);
    let ppd = ppd.unwrap_or_else(|| panic!("refused: {diags:#?}"));
    (ppd, only(&diags))
}

#[test]
fn not_a_ppd() {
    let expected = "1:1: not a PPD file: the first line must be *PPD-Adobe: \"4.3\"";
    assert_eq!(refused(b""), expected);
    assert_eq!(refused(b"%!PS-Adobe-3.0\n"), expected);
    assert_eq!(refused(&[b"\n", OFFICE].concat()), expected);
    assert_eq!(refused(&[b"*% first\n", OFFICE].concat()), expected);
    assert_eq!(
        refused(&[0x1f, 0x8b, 8, 0]),
        "1:1: a gzip-compressed file: not a PPD file until unpacked"
    );
    assert_eq!(
        refused(b"*PPD-Adobe: \"3.0\"\n"),
        "1:13: PPD version \"3.0\": only version 4 PPD files are read"
    );
    assert!(read(b"*PPD-Adobe: \"4.3\"").0.is_some(), "the first line alone is a PPD");
    assert!(read(b"*PPD-Adobe :\"4.3\"").0.is_some(), "an empty option name is none");
}

#[test]
fn a_line_over_255_bytes_refuses_the_file() {
    let line = format!("*Foo: \"{}\"", "x".repeat(247));
    assert_eq!(line.len(), 255);
    assert!(read(&office_with(4, &line)).0.is_some());
    let line = format!("*Foo: \"{}\"", "x".repeat(248));
    assert_eq!(
        refused(&office_with(4, &line)),
        "4:256: line longer than 255 bytes (the PPD limit)"
    );
    // Inside a quoted value too, on its own line.
    let value = format!("*Foo: \"a\n{}\"", "x".repeat(256));
    assert_eq!(
        refused(&office_with(4, &value)),
        "5:256: line longer than 255 bytes (the PPD limit)"
    );
}

#[test]
fn line_shape_errors_refuse_the_file() {
    assert_eq!(
        refused(&office_with(4, "LanguageVersion: English")),
        "4:1: a line that does not start with '*'"
    );
    assert_eq!(
        refused(&office_with(4, &format!("*{}: x", "K".repeat(41)))),
        "4:42: keyword longer than 40 bytes"
    );
    assert_eq!(
        refused(&office_with(4, "*Lang/uage: x")),
        "4:6: byte 0x2f is not allowed in a keyword"
    );
    assert_eq!(
        refused(&office_with(4, "*Foo caf\u{e9}: x")),
        "4:9: byte 0xc3 is not allowed in an option name"
    );
    assert_eq!(
        refused(&office_with(4, "*Foo bar/a\u{7}b: x")),
        "4:11: control character 0x07 in a translation string"
    );
}

#[test]
fn what_libcups_refuses_in_values() {
    let cases = [
        (
            "*JCLOpenUI *JCLFoo: Weird",
            "1:21: *JCLOpenUI: UI type \"Weird\" is not PickOne, PickMany or Boolean",
        ),
        ("*OrderDependency: 10 AnySetup", "1:19: *OrderDependency: real section *Keyword expected"),
        (
            "*UIConstraints: *Duplex",
            "1:17: *UIConstraints: *Option1 [Choice1] *Option2 [Choice2] expected",
        ),
        ("*JobPatchFile: 1: x", "1:16: *JobPatchFile: the number goes before the ':'"),
        (
            "*ParamCustomFoo Bar: 1 colour 0 9",
            "1:22: *ParamCustomFoo Bar: order type minimum maximum expected",
        ),
        (
            "*cupsFilter2: \"application/pdf 10 pdftoacme\"",
            "1:15: *cupsFilter2: \"type/sub dest/sub cost program\" expected",
        ),
        (
            "*cupsFilter2: \"application/pdf printer/x ten pdftoacme\"",
            "1:15: *cupsFilter2: \"type/sub dest/sub cost program\" expected",
        ),
    ];
    for (line, expected) in cases {
        let bytes = office_with(4, line);
        let got = refused(&bytes);
        assert_eq!(got, expected.replacen("1:", "4:", 1), "{line}");
    }
    // libcups finds *cupsFilter2 lines whatever their case, and checks them all.
    let other_case = office_with(4, "*CUPSFILTER2: \"application/pdf\"");
    assert_eq!(
        refused(&other_case),
        "4:15: *cupsFilter2: \"type/sub dest/sub cost program\" expected"
    );
    let nested = office_with(37, "*OpenGroup: Extra");
    assert_eq!(refused(&nested), "37:13: *OpenGroup inside the group opened on line 18");
    let twice = office_with(4, "*ParamCustomFoo Bar: 1 int 0 9\n*ParamCustomFoo Bar: 2 int 0 9");
    assert_eq!(refused(&twice), "5:22: a second *ParamCustomFoo Bar");
}

#[test]
fn a_bad_open_ui_is_a_warning() {
    let (ppd, warning) = warned(&office_with(27, "*OpenUI *Duplex/2-Sided: PickTwo"));
    assert_eq!(
        warning,
        "27:26: warning: UI type \"PickTwo\" is not PickOne, PickMany or Boolean: read as PickOne"
    );
    assert_eq!(ppd.option("Duplex").unwrap().ui, PpdUi::PickOne);

    // No *CloseUI: the option ends at the next *OpenUI, and is kept.
    let (ppd, warning) = warned(&office_with(31, ""));
    assert_eq!(
        warning,
        "27:1: warning: *OpenUI *Duplex on line 27 has no *CloseUI (*OpenUI inside on line 32): it ends there"
    );
    assert_eq!(ppd.option("Duplex").unwrap().choices.len(), 2);
    assert_eq!(ppd.default_choice("Collate"), Some("False"));

    // ... or at the end of the file.
    let text = swap(OFFICE, "*JCLCloseUI: *JCLSaving\r\n", "");
    let (ppd, warning) = warned(&text);
    assert_eq!(
        warning,
        "38:1: warning: *OpenUI *JCLSaving has no *CloseUI before the end of the file"
    );
    assert_eq!(ppd.default_choice("JCLSaving"), Some("Off"));

    let (_, warning) = warned(&office_with(31, "*CloseUI: *Duplx"));
    assert_eq!(warning, "31:11: warning: *CloseUI *Duplx closes *Duplex");
    let (_, warning) = warned(&office_with(4, "*CloseUI: *Duplex"));
    assert_eq!(warning, "4:11: warning: *CloseUI with no option open");
}

#[test]
fn a_second_open_ui_or_choice_is_left_out() {
    let again = "*OpenUI *Duplex/Again: PickOne\n*Duplex Other: \"\"\n*CloseUI: *Duplex";
    let (ppd, warning) = warned(&office_with(37, &format!("{again}\n*CloseGroup: General")));
    assert_eq!(warning, "37:1: warning: a second *OpenUI *Duplex (first on line 27): left out");
    let duplex = ppd.option("Duplex").unwrap();
    assert_eq!(duplex.choices.len(), 2);
    assert_eq!(duplex.text.as_deref(), Some("2-Sided"));

    let (ppd, warning) = warned(&office_with(30, "*Duplex None/Again: \"\""));
    assert_eq!(warning, "30:1: warning: *Duplex None: a second choice None: left out");
    assert_eq!(ppd.option("Duplex").unwrap().choices[0].text.as_deref(), Some("Off"));
}

#[test]
fn a_default_naming_no_choice_leaves_the_option_without_one() {
    let (ppd, warning) = warned(&office_with(28, "*DefaultDuplex: Tumble"));
    assert_eq!(
        warning,
        "28:17: warning: *DefaultDuplex: \"Tumble\" is not one of its choices: the option has no default"
    );
    assert_eq!(ppd.default_choice("Duplex"), None);
    // A custom size is a good default when the file has *CustomPageSize True.
    let custom = office_with(21, "*DefaultPageSize: Custom.100x200\n*CustomPageSize True: \"pop\"");
    let (ppd, diags) = read(&custom);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(ppd.unwrap().default_choice("PageSize"), Some("Custom.100x200"));
}

#[test]
fn quoted_values_span_lines_and_an_open_quote_is_reported_where_it_opens() {
    let (ppd, diags) = read(&office_with(9, "*NickName: \"Acme\nLaser\"\n*Foo: 1"));
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(ppd.unwrap().nick_name.as_deref(), Some("Acme\nLaser"));
    // Line numbers after a value over three lines are right.
    let bad = office_with(9, "*NickName: \"A\n\nB\"\n*LanguageLevel: x");
    let (_, warning) = warned(&bad);
    assert_eq!(warning, "12:17: warning: *LanguageLevel: not a number: read as 0");

    let open = [OFFICE, b"*NickName: \"Acme\n*Foo: 1\n"].concat();
    let (ppd, warning) = warned(&open);
    assert_eq!(
        warning,
        "50:12: warning: quote not closed before the end of the file: the rest of the file is \
         read as this value (as libcups reads it)"
    );
    assert_eq!(ppd.nick_name.as_deref(), Some("\"Acme\n*Foo: 1"), "as libcups reads it");
}

#[test]
fn nul_bytes_and_bad_text_are_warnings() {
    let (ppd, warning) = warned(&office_with(9, "*NickName: \"Ac\0me\""));
    assert_eq!(warning, "9:15: warning: NUL byte: the entry ends here");
    assert_eq!(ppd.nick_name.as_deref(), Some("\"Ac"), "as libcups reads it");

    let utf8 = swap(OFFICE, "ISOLatin1", "UTF-8");
    let utf8 = [&utf8[..], b"*ShortNickName: \"\xff\"\n"].concat();
    let (ppd, diags) = read(&utf8);
    let ppd = ppd.unwrap();
    let lines: Vec<String> =
        diags.iter().map(|d| format!("{}:{} {}", d.loc.line, d.loc.col, d.message)).collect();
    assert_eq!(
        lines,
        [
            "9:12 not UTF-8: bad bytes read as U+FFFD",
            "41:15 not UTF-8: bad bytes read as U+FFFD",
            "50:17 not UTF-8: bad bytes read as U+FFFD",
        ]
    );
    assert_eq!(ppd.short_nick_name.as_deref(), Some("\u{fffd}"));

    let windows = swap(OFFICE, "ISOLatin1", "WindowsANSI");
    let windows = [&windows[..], b"*ShortNickName: \"\x80 9\"\n"].concat();
    assert_eq!(read(&windows).0.unwrap().short_nick_name.as_deref(), Some("€ 9"));
}

#[test]
fn other_warnings_name_their_line() {
    let cases = [
        (
            "*cupsFilter: \"application/pdf\"",
            "4:14: warning: *cupsFilter: \"type/sub cost program\" expected: left out",
        ),
        (
            "*cupsFilter: \"a/b 1 maxsize(x) prog\"",
            "4:14: warning: *cupsFilter: maxsize(bytes) expected: filter left out",
        ),
        (
            "*PaperDimension A4: \"595\"",
            "4:21: warning: *PaperDimension: \"width length\" expected: left out",
        ),
        (
            "*ImageableArea A4: \"1 2 3 x\"",
            "4:20: warning: *ImageableArea: \"left bottom right top\" expected: left out",
        ),
        ("*Foo bar", "4:9: warning: *Foo has no ':' and value: this line is ignored"),
    ];
    for (line, expected) in cases {
        let (_, warning) = warned(&office_with(4, line));
        assert_eq!(warning, expected, "{line}");
    }
}

#[test]
fn page_size_choices_without_open_ui_make_an_option() {
    let old = b"*PPD-Adobe: \"4.0\"\n*DefaultPageSize: A4\n*PageSize A4: \"a4\"\n*PageSize Letter: \"letter\"\n";
    let (ppd, diags) = read(old);
    assert!(diags.is_empty(), "{diags:#?}");
    let ppd = ppd.unwrap();
    assert_eq!(ppd.default_choice("PageSize"), Some("A4"));
    assert_eq!(ppd.option("PageSize").unwrap().choices.len(), 2);
    assert_eq!(ppd.page_sizes.len(), 2);
    // Inside another option's block, libcups does not read it as a choice.
    let (ppd, diags) = read(&office_with(30, "*PageSize Tabloid: \"\""));
    assert!(diags.is_empty(), "{diags:#?}");
    let ppd = ppd.unwrap();
    assert_eq!(ppd.option("PageSize").unwrap().choices.len(), 2);
    assert_eq!(ppd.option("Duplex").unwrap().choices.len(), 1);
}

/// PPD files installed on this machine (drivers' model directories, cupsd's queues).
fn machine_ppds() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> =
        ["/usr/share/ppd", "/usr/share/cups/model", "/etc/cups/ppd", "/usr/share/ghostscript"]
            .iter()
            .map(PathBuf::from)
            .collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "ppd") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn ppds_on_this_machine_read_without_errors() {
    let paths = machine_ppds();
    if paths.is_empty() {
        eprintln!("no PPD files on this machine: skipped");
        return;
    }
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let (ppd, diags) = read_ppd(&bytes, path);
        assert!(diags.iter().all(|d| !d.is_error()), "{}: {diags:#?}", path.display());
        let ppd = ppd.unwrap();
        assert!(ppd.nick_name.is_some(), "{}", path.display());
        for option in &ppd.options {
            if let Some(default) = &option.default {
                assert!(option.choice(default).is_some() || option.custom, "{}", path.display());
            }
        }
        eprintln!("{}: {} options, {} warnings", path.display(), ppd.options.len(), diags.len());
        for d in &diags {
            eprintln!("  {d}");
        }
    }
}

/// Each case the tests above read, as `(line to replace in OFFICE, with)`.
const CASES: &[(usize, &str)] = &[
    (4, "LanguageVersion: English"),
    (4, "*KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK: x"),
    (4, "*Lang/uage: x"),
    (4, "*Foo caf\u{e9}: x"),
    (4, "*Foo bar/a\u{7}b: x"),
    (4, "*JCLOpenUI *JCLFoo: Weird"),
    (4, "*OrderDependency: 10 AnySetup"),
    (4, "*UIConstraints: *Duplex"),
    (4, "*JobPatchFile: 1: x"),
    (4, "*ParamCustomFoo Bar: 1 colour 0 9"),
    (4, "*ParamCustomFoo Bar: 1 int 0 9\n*ParamCustomFoo Bar: 2 int 0 9"),
    (4, "*cupsFilter2: \"application/pdf 10 pdftoacme\""),
    (4, "*cupsFilter2: \"application/pdf printer/x ten pdftoacme\""),
    (37, "*OpenGroup: Extra"),
    (27, "*OpenUI *Duplex/2-Sided: PickTwo"),
    (31, ""),
    (31, "*CloseUI: *Duplx"),
    (4, "*CloseUI: *Duplex"),
    (30, "*Duplex None/Again: \"\""),
    (28, "*DefaultDuplex: Tumble"),
    (9, "*NickName: \"A\n\nB\"\n*LanguageLevel: x"),
    (9, "*NickName: \"Ac\0me\""),
    (4, "*cupsFilter: \"application/pdf\""),
    (4, "*PaperDimension A4: \"595\""),
    (4, "*Foo bar"),
    (49, "*NickName: \"Acme"),
    // Found by comparing the fuzz corpus with cupstestppd -r.
    (4, "*CloseGr\u{1}\0\0: General"),
    (4, "*cupsFilter2: \"applica/\0tion/pdf a/b 10 x\""),
    (49, "*cupsFilter2: \"application/pdf a/b 10 x"),
    (4, "*cupsFilTer2: \"application/pdf\""),
];

/// What libcups says of a file, in its default (relaxed) mode: `Some(line)` when it
/// refuses it.
fn cupstestppd(bytes: &[u8]) -> Option<Option<usize>> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, bytes).unwrap();
    let out = std::process::Command::new("cupstestppd").arg("-r").arg(file.path()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let Some(at) = text.find("Unable to open PPD file") else { return Some(None) };
    let line = text[at..].split(" on line ").nth(1)?;
    Some(line.split('.').next()?.parse().ok())
}

#[test]
fn libcups_refuses_what_read_ppd_refuses() {
    if cupstestppd(OFFICE).is_none() {
        eprintln!("no cupstestppd: skipped");
        return;
    }
    assert_eq!(cupstestppd(OFFICE), Some(None));
    let long = format!("*Foo: \"{}\"", "x".repeat(248));
    let mut inputs: Vec<Vec<u8>> =
        CASES.iter().map(|&(line, with)| office_with(line, with)).collect();
    inputs.push(office_with(4, &long));
    inputs.push(b"*PPD-Adobe: \"3.0\"\n".to_vec());
    inputs.push(b"\n*PPD-Adobe: \"4.3\"\n".to_vec());
    inputs.push(b"*PPD-Adobe :\"4.\r0\"\n".to_vec());
    inputs.push(b"*PPD-Adobe: \"4.3\"\n*Foo: \"a\x1a\x1ab\x01\"\n*Bar:\n  \n".to_vec());
    inputs.push([&b"*PPD-Adobe: \"4.3\"\n*Foo: \""[..], &[b'x'; 247], b"\x1a\"\r\n"].concat());
    inputs.push(b"*PPD-Adobe: \"4.3\"\n\x89PNG\x00\x01\xff\n".to_vec());
    inputs.push(b"*PPD-Adobe: \"4.3\"\n*Foo:\n*\n*Bar \xff: x\n".to_vec());
    for bytes in &inputs {
        let (ppd, diags) = read(bytes);
        let ours = ppd.is_none().then(|| diags.last().map(|d| d.loc.line));
        let theirs = cupstestppd(bytes).unwrap();
        let text = String::from_utf8_lossy(bytes);
        assert_eq!(ours.is_some(), theirs.is_some(), "{diags:#?}\n{text}");
        // libcups checks *cupsFilter2 lines after the last line; we say which one.
        if !diags.last().is_some_and(|d| d.message.starts_with("*cupsFilter2")) {
            assert_eq!(ours.flatten(), theirs, "{diags:#?}\n{text}");
        }
    }
}

/// libcups's reading of a PPD, from `cupstestppd -r -vv`: its names, and each option's
/// UI type, choices (keyword, text) and default.
#[derive(Debug, Default)]
struct LibcupsView {
    fields: Vec<(String, String)>,
    options: Vec<LibcupsOption>,
}

#[derive(Debug, Default)]
struct LibcupsOption {
    keyword: String,
    ui: String,
    choices: Vec<(String, String)>,
    default: Option<String>,
}

fn libcups_view(path: &Path) -> Option<LibcupsView> {
    let out = std::process::Command::new("cupstestppd")
        .args(["-r", "-vv"])
        .arg(path)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut view = LibcupsView::default();
    let dump = text
        .lines()
        .skip_while(|l| !l.starts_with("    language_level"))
        .take_while(|l| !l.starts_with("    num_consts"));
    for line in dump {
        if let Some(choice) = line.strip_prefix("                ") {
            let (rest, marked) = match choice.strip_suffix(" *") {
                Some(rest) => (rest, true),
                None => (choice, false),
            };
            let (keyword, rest) = rest.split_once(" (").unwrap();
            let text = match rest.rsplit_once(") = ") {
                Some((text, _)) => text,
                None => rest.strip_suffix(')').unwrap(),
            };
            let option = view.options.last_mut().unwrap();
            option.choices.push((keyword.to_string(), text.to_string()));
            if marked {
                option.default = Some(keyword.to_string());
            }
        } else if let Some(option) = line.trim_start().strip_prefix("options[") {
            let (_, rest) = option.split_once("] = ").unwrap();
            let (keyword, rest) = rest.split_once(" (").unwrap();
            let ui = rest.rsplit(' ').nth(4).unwrap().to_string();
            view.options.push(LibcupsOption {
                keyword: keyword.to_string(),
                ui,
                ..Default::default()
            });
        } else if let Some((name, value)) = line.trim_start().split_once(" = ") {
            view.fields.push((name.to_string(), value.to_string()));
        }
    }
    Some(view)
}

/// `ppd` holds what libcups read: names, options, choices and defaults.
fn assert_same_reading(ppd: &Ppd, libcups: &LibcupsView, what: &str) {
    let field = |name: &str| libcups.fields.iter().find(|f| f.0 == name).map(|f| f.1.as_str());
    let or_null = |v: &Option<String>| v.clone().unwrap_or_else(|| "(null)".into());
    // The dump is one line a field: a name over several lines is not compared.
    if !ppd.nick_name.as_deref().unwrap_or_default().contains('\n') {
        assert_eq!(field("nickname"), Some(or_null(&ppd.nick_name).as_str()), "{what}");
    }
    assert_eq!(field("shortnickname"), Some(or_null(&ppd.short_nick_name).as_str()), "{what}");
    assert_eq!(field("modelname"), Some(or_null(&ppd.model_name).as_str()), "{what}");
    assert_eq!(field("manufacturer"), Some(or_null(&ppd.manufacturer).as_str()), "{what}");
    assert_eq!(field("language_level"), Some(ppd.language_level.to_string().as_str()), "{what}");
    let color = if ppd.color_device { "TRUE" } else { "FALSE" };
    assert_eq!(field("color_device"), Some(color), "{what}");
    assert_eq!(libcups.options.len(), ppd.options.len(), "{what}: {:?}", libcups.options);
    for LibcupsOption { keyword, ui, choices, default } in &libcups.options {
        let option = ppd.option(keyword).unwrap_or_else(|| panic!("{what}: no {keyword}"));
        let ours = match option.ui {
            PpdUi::PickOne => "PICKONE",
            PpdUi::PickMany => "PICKMANY",
            PpdUi::Boolean => "BOOLEAN",
        };
        assert_eq!(ui, ours, "{what}: {keyword}");
        let ours: Vec<(String, String)> = option
            .choices
            .iter()
            .map(|c| {
                let fallback = match c.keyword.as_str() {
                    "True" => "Yes",
                    "False" => "No",
                    other => other,
                };
                (c.keyword.clone(), c.text.clone().unwrap_or_else(|| fallback.into()))
            })
            .collect();
        assert_eq!(choices, &ours, "{what}: {keyword}");
        // libcups marks no choice for a custom value (`Custom.10x20cm`).
        let ours = option.default.clone().filter(|d| !d.starts_with("Custom."));
        assert_eq!(default, &ours, "{what}: {keyword}");
    }
}

#[test]
fn libcups_reads_the_same_names_options_and_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let office = dir.path().join("office.ppd");
    std::fs::write(&office, OFFICE).unwrap();
    let Some(view) = libcups_view(&office) else {
        eprintln!("no cupstestppd: skipped");
        return;
    };
    assert_same_reading(&read(OFFICE).0.unwrap(), &view, "office.ppd");
    for path in machine_ppds() {
        let bytes = std::fs::read(&path).unwrap();
        let ppd = read_ppd(&bytes, &path).0.unwrap();
        let view = libcups_view(&path).unwrap();
        assert_same_reading(&ppd, &view, &path.display().to_string());
    }
    for (i, &(line, with)) in CASES.iter().enumerate() {
        let bytes = office_with(line, with);
        let (Some(ppd), diags) = read(&bytes) else { continue };
        // Where Quire leaves out a second choice or option, libcups keeps both.
        if diags.iter().any(|d| d.message.contains("a second")) {
            continue;
        }
        let path = dir.path().join(format!("case{i}.ppd"));
        std::fs::write(&path, &bytes).unwrap();
        let view = libcups_view(&path).unwrap();
        eprintln!("case {i}: {with:?}");
        assert_same_reading(&ppd, &view, &format!("{with:?}"));
    }
}
