use std::path::PathBuf;

use crate::compatibility_markdown;
use crate::table::{lookup, Status, DIRECTIVES};

#[test]
fn table_is_consistent() {
    for (i, d) in DIRECTIVES.iter().enumerate() {
        assert!(!d.contexts.is_empty(), "{}", d.name);
        assert!(
            d.status == Status::Supported || !d.note.is_empty(),
            "{} is {:?} but does not say why",
            d.name,
            d.status
        );
        let dup = DIRECTIVES[..i].iter().any(|e| e.name.eq_ignore_ascii_case(d.name));
        assert!(!dup, "{} listed twice", d.name);
    }
    assert_eq!(lookup("maxjobs").map(|d| d.name), Some("MaxJobs"));
    assert!(lookup("NoSuchDirective").is_none());
}

#[test]
fn compatibility_doc_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/COMPATIBILITY.md");
    let want = compatibility_markdown();
    if std::env::var_os("QUIRE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &want).expect("write docs/COMPATIBILITY.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/COMPATIBILITY.md is out of date with daemon/config/src/table.rs; regenerate it with\n\
         QUIRE_BLESS=1 cargo test -p quire-config compatibility_doc_is_up_to_date"
    );
}

#[test]
fn every_applied_directive_has_a_handler() {
    use crate::table::{ConfFile, Context};
    for d in DIRECTIVES.iter().filter(|d| d.status != Status::Unsupported) {
        let line = format!("{} x\n", d.name);
        let text = match d.contexts[0] {
            Context::TopLevel => line,
            Context::Policy => format!("<Policy p>\n{line}</Policy>\n"),
            Context::Limit | Context::Location => format!("<Location />\n{line}</Location>\n"),
        };
        let (nodes, _) = crate::parse(&text, std::path::Path::new("t.conf"));
        let (cupsd, files) =
            if d.file == ConfFile::Cupsd { (&nodes[..], &[][..]) } else { (&[][..], &nodes[..]) };
        let (_, diags) = crate::validate(cupsd, files);
        assert!(
            diags.iter().all(|g| !g.message.contains("internal table mismatch")
                && !g.message.contains("not allowed")),
            "{}: {diags:?}",
            d.name
        );
    }
}
