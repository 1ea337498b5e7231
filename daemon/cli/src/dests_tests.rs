use super::*;
use quire_ipp::Group;

fn opts(list: &OptionList) -> Vec<(&str, &str)> {
    list.iter().collect()
}

fn queue(name: &str, options: &[(&str, &str)]) -> Dest {
    let mut d = Dest::new(name, None);
    for (n, v) in options {
        d.options.add(n, v);
    }
    d
}

#[test]
fn options_are_kept_sorted_without_regard_to_case_and_replaced_by_name() {
    let mut o = OptionList::default();
    o.add("sides", "one-sided");
    o.add("Media", "A4");
    o.add("_x", "1");
    o.add("copies", "2");
    o.add("MEDIA", "Letter");
    assert_eq!(
        opts(&o),
        [("_x", "1"), ("copies", "2"), ("Media", "Letter"), ("sides", "one-sided")]
    );
    o.remove("media");
    assert_eq!(o.get("MEDIA"), None);
}

#[test]
fn options_print_on_one_line_as_lpoptions_prints_them() {
    let mut o = OptionList::default();
    o.parse_onto("printer-location= printer-info='Front desk' copies=1 note=\"a\tb\"").unwrap();
    assert_eq!(o.display(), "copies=1 note='a\tb' printer-info='Front desk' printer-location");
}

#[test]
fn config_lines_lose_comments_and_blocks_their_closing_bracket() {
    assert_eq!(conf_directive("  # only a comment"), None);
    assert_eq!(conf_directive(""), None);
    assert_eq!(conf_directive("Dest Q a=b # note"), Some(("Dest".into(), Some("Q a=b".into()))));
    assert_eq!(conf_directive("Dest Q a=\\#1"), Some(("Dest".into(), Some("Q a=#1".into()))));
    assert_eq!(conf_directive("<Location />"), Some(("<Location".into(), Some("/".into()))));
    assert_eq!(conf_directive("</Location>"), Some(("</Location>".into(), None)));
    assert_eq!(conf_directive("PageLogFormat"), Some(("PageLogFormat".into(), None)));
}

#[test]
fn the_file_format_survives_parse_write_parse() {
    let text = "# saved by hand\n\
                Dest Q media=A4 note=\"it's \\\"here\\\"\" path=\"a\\\\b\" flag\n\
                Default Q/draft print-quality=3 title=\"two words\"\n\
                Frobnicate Q x=y\n\
                Dest R\n";
    let lines = parse_file(text);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].options.get("note"), Some("it's \"here\""));
    assert_eq!(lines[0].options.get("path"), Some("a\\b"));
    assert_eq!(lines[0].options.get("flag"), Some("true"));
    assert!(lines[1].default);
    assert_eq!(lines[1].instance.as_deref(), Some("draft"));
    let dests: Vec<Dest> = lines
        .iter()
        .map(|l| Dest {
            name: l.name.clone(),
            instance: l.instance.clone(),
            options: l.options.clone(),
            is_default: l.default,
        })
        .collect();
    let written = write_file(&dests, &[]);
    assert_eq!(
        written,
        "Dest Q flag=true media=A4 note=\"it\\'s \\\"here\\\"\" path=\"a\\\\b\"\n\
         Default Q/draft print-quality=3 title=\"two words\"\n"
    );
    let again = parse_file(&written);
    assert_eq!(again[0].options, lines[0].options);
    assert_eq!(again[1], lines[1]);
}

#[test]
fn a_line_cups_could_not_read_either_keeps_no_options() {
    let lines = parse_file("Dest Q a='open\nDest R b=1\n");
    assert_eq!(lines.len(), 2);
    assert!(lines[0].options.is_empty());
    assert_eq!(lines[1].options.get("b"), Some("1"));
}

#[test]
fn what_the_server_gives_and_printer_attributes_are_not_written() {
    let server = [queue("Q", &[("media", "A4"), ("printer-info", "Desk")])];
    let mut q = queue("Q", &[("media", "a4"), ("printer-info", "Mine"), ("sides", "one-sided")]);
    let r = queue("R", &[("media", "A4")]);
    let mut d = queue("S", &[]);
    d.is_default = true;
    q.is_default = false;
    assert_eq!(
        write_file(&[q, r, d], &server),
        "Dest Q sides=one-sided\nDest R media=A4\nDefault S\n"
    );
}

#[test]
fn saved_lines_go_on_the_server_queues_in_file_order() {
    let server = [queue("Q", &[("copies", "1"), ("media", "A4")]), queue("R", &[])];
    let system = parse_file("Dest Q media=Letter sides=one-sided\nDefault R\nDest Gone x=1\n");
    let user = parse_file("Dest Q sides=two-sided-long-edge\nDefault Q/draft print-quality=3\n");
    let lines: Vec<FileLine> = system.into_iter().chain(user).collect();
    let dests = merge_saved(&server, &lines, false);
    let names: Vec<String> = dests.iter().map(Dest::full_name).collect();
    assert_eq!(names, ["Q", "Q/draft", "R"]);
    assert_eq!(
        opts(&dests[0].options),
        [("copies", "1"), ("media", "Letter"), ("sides", "two-sided-long-edge")]
    );
    // The instance starts from its queue's options.
    assert_eq!(dests[1].options.get("media"), Some("Letter"));
    assert_eq!(dests[1].options.get("print-quality"), Some("3"));
    assert!(dests[1].is_default && !dests[2].is_default);
    // With LPDEST or PRINTER set, the files' Default lines do not count.
    assert!(merge_saved(&server, &lines, true).iter().all(|d| !d.is_default));
}

#[test]
fn saved_options_take_the_system_file_then_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let files =
        Files { system: dir.path().join("sys"), user: Some(dir.path().join("u/lpoptions")) };
    std::fs::write(&files.system, "Dest Q media=A4 copies=2\nDest Q media=B5\nDefault R\n")
        .unwrap();
    assert_eq!(opts(&files.saved_options("q", None)), [("copies", "2"), ("media", "A4")]);
    assert_eq!(files.saved_default().map(|(n, i, _)| (n, i)), Some(("R".into(), None)));
    files.save("Dest Q copies=3\nDefault Q/big\n").unwrap();
    assert_eq!(opts(&files.saved_options("Q", None)), [("copies", "3"), ("media", "A4")]);
    assert!(files.saved_options("Q", Some("other")).is_empty());
    let (name, instance, path) = files.saved_default().unwrap();
    assert_eq!((name.as_str(), instance.as_deref()), ("Q", Some("big")));
    assert_eq!(path, dir.path().join("u/lpoptions"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("u")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn root_saves_to_the_system_file_readable_by_all() {
    let dir = tempfile::tempdir().unwrap();
    let files = Files { system: dir.path().join("lpoptions"), user: None };
    files.save("Default Q\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&files.system).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
    assert_eq!(files.lines().len(), 1);
}

#[test]
fn a_queue_becomes_a_destination_as_cups_get_dests_makes_it() {
    let mut g = Group::new(DelimiterTag::Printer);
    g.push(Attribute::new("printer-name", Value::Name("Q".into())));
    g.push(Attribute::new("printer-info", Value::Text("Front desk".into())));
    g.push(Attribute::new("copies-default", Value::Integer(1)));
    g.push(Attribute::set(
        "job-sheets-default",
        vec![Value::Name("none".into()), Value::Name("a b".into())],
    ));
    g.push(Attribute::new("media-default", Value::Keyword("iso_a4_210x297mm".into())));
    g.push(Attribute::new("document-format-default", Value::MimeMediaType("x/y".into())));
    g.push(Attribute::new("notify-lease-duration-default", Value::Integer(86400)));
    g.push(Attribute::new("printer-is-shared", Value::Boolean(false)));
    g.push(Attribute::new("page-ranges-default", Value::RangeOfInteger { lower: 1, upper: 3 }));
    let d = dest_from_group(&g).unwrap();
    assert_eq!(
        opts(&d.options),
        [
            ("copies", "1"),
            ("job-sheets", "none,a\\ b"),
            ("media", "iso_a4_210x297mm"),
            ("page-ranges", "1-3"),
            ("printer-info", "Front desk"),
            ("printer-is-shared", "false"),
        ]
    );
    assert!(dest_from_group(&Group::new(DelimiterTag::Printer)).is_none());
}

#[test]
fn destinations_sort_by_name_then_instance() {
    let mut d = vec![Dest::new("b", None), Dest::new("A", Some("z")), Dest::new("a", None)];
    d.push(Dest::new("A", Some("c")));
    sort_dests(&mut d);
    let names: Vec<String> = d.iter().map(Dest::full_name).collect();
    assert_eq!(names, ["a", "A/c", "A/z", "b"]);
}
