use std::path::Path;

use crate::conf_line::{one_line, parse_line, put, put_tag, read};

fn one(text: &str) -> Option<(String, Option<String>)> {
    parse_line(text, 1).map(|l| (l.name, l.value))
}

fn pair(name: &str, value: Option<&str>) -> Option<(String, Option<String>)> {
    Some((name.to_string(), value.map(str::to_string)))
}

#[test]
fn lines_read_as_cupsd_reads_them() {
    assert_eq!(one("Info  Front desk  "), pair("Info", Some("Front desk")));
    assert_eq!(one("  \tInfo"), pair("Info", None));
    assert_eq!(one("Info   "), pair("Info", None));
    assert_eq!(one("# a comment"), None);
    assert_eq!(one("   "), None);
    assert_eq!(one("Info Room 4 # second floor"), pair("Info", Some("Room 4")));
    // An escaped first `#` is text, and so is everything after it.
    assert_eq!(
        one(r"Info Room \#4 # not a comment"),
        pair("Info", Some("Room #4 # not a comment"))
    );
    assert_eq!(one("<Printer office>"), pair("<Printer", Some("office")));
    assert_eq!(one("<Printer office >"), pair("<Printer", Some("office")));
    assert_eq!(one("<Printer office"), pair("<Printer", None));
    assert_eq!(one("<Printer >"), pair("<Printer", Some("")));
    assert_eq!(one("</Printer>"), pair("</Printer>", None));
    assert_eq!(one("Info a>"), pair("Info", Some("a>")));
}

#[test]
fn value_columns_point_at_the_value() {
    let line = parse_line("  Info   Front", 7).unwrap();
    assert_eq!((line.line, line.value_col), (7, 10));
}

#[test]
fn line_ends_nul_utf8_and_long_lines() {
    let path = Path::new("printers.conf");
    let (lines, diags) = read(b"A 1\r\nB 2\rC 3\nD\x004\nE \xff\nF", path, 8);
    let got: Vec<_> = lines.iter().map(|l| (l.line, l.name.as_str(), l.value.as_deref())).collect();
    assert_eq!(
        got,
        [
            (1, "A", Some("1")),
            (2, "B", Some("2")),
            (3, "C", Some("3")),
            (4, "D", None),
            (5, "E", Some("\u{fffd}")),
            (6, "F", None)
        ]
    );
    let lines_warned: Vec<_> = diags.iter().map(|d| d.loc.line).collect();
    assert_eq!(lines_warned, [4, 5], "{diags:?}");
    let (_, diags) = read(b"Info 0123456789\n", path, 8);
    assert_eq!(diags.len(), 1);
    assert!(diags[0].to_string().starts_with("printers.conf:1:1: warning: line of 15 bytes"));
}

#[test]
fn writing_escapes_the_first_hash_and_keeps_one_line() {
    let mut out = String::new();
    put(&mut out, "Info", "Room #4 #5");
    put(&mut out, "Info", "");
    put(&mut out, "Location", " two\nlines ");
    put_tag(&mut out, "Printer", "a#b");
    assert_eq!(out, "Info Room \\#4 #5\nInfo \nLocation two lines\n<Printer a\\#b>\n");
    assert_eq!(one_line("x\r\n\0y"), "x   y");
}

#[test]
fn whatever_is_written_reads_back() {
    for value in ["plain", "a#b", r"a\#b", "#", "x # y # z", "tab\there", "ends>", "é ü"] {
        let mut out = String::new();
        put(&mut out, "Info", value);
        let line = parse_line(out.trim_end_matches('\n'), 1).unwrap();
        assert_eq!(line.value.as_deref(), Some(value), "{out:?}");
    }
}

proptest::proptest! {
    #[test]
    fn any_value_written_reads_back_as_its_one_line_form(value in "\\PC{0,40}") {
        let mut out = String::new();
        put(&mut out, "Info", &value);
        let read_back = parse_line(out.trim_end_matches('\n'), 1).and_then(|l| l.value);
        let expected = one_line(&value);
        proptest::prop_assert_eq!(read_back.as_deref().unwrap_or(""), &*expected);
    }
}
