use std::io::Write;
use std::process::{Command, Stdio};

use quire_config::DIRECTIVES;

use crate::pages;
use crate::roff::escape;

#[test]
fn the_conf_page_lists_every_directive_of_the_table() {
    let all = pages("9.9.9", "2026-01-01");
    let conf = &all.iter().find(|(n, _)| *n == "quired.conf.5").unwrap().1;
    for d in DIRECTIVES {
        assert!(conf.contains(&format!("\n.B {}\n", escape(d.name))), "{} missing", d.name);
    }
    assert!(conf.starts_with(".TH QUIRED.CONF 5 \"2026-01-01\" \"Quire 9.9.9\""));
}

#[test]
fn every_page_has_a_title_a_whatis_line_and_no_placeholder() {
    for (name, text) in pages("9.9.9", "2026-01-01") {
        assert!(text.starts_with(".TH "), "{name}");
        let whatis = text.split(".SH NAME\n").nth(1).and_then(|t| t.lines().next()).unwrap_or("");
        assert!(whatis.contains(" \\- "), "{name}: NAME line {whatis:?}");
        assert!(!text.contains("@VERSION@") && !text.contains("@DATE@"), "{name}: placeholder");
        assert!(text.contains("Quire 9.9.9"), "{name}");
    }
}

#[test]
fn escape_keeps_roff_requests_and_backslashes_out() {
    assert_eq!(escape(".x"), "\\&.x");
    assert_eq!(escape("a\\b"), "a\\eb");
    assert_eq!(escape("use `Listen` here"), "use \\fBListen\\fR here");
    assert_eq!(escape("`open"), "\\fBopen\\fR");
    assert_eq!(escape("cups-files.conf"), "cups\\-files.conf");
}

/// groff reads each page without a warning (skipped where groff is not installed).
#[test]
fn groff_reads_every_page_without_a_warning() {
    if Command::new("groff").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "groff is not installed (groff-base)");
        eprintln!("SKIPPED: groff not installed");
        return;
    }
    for (name, text) in pages("9.9.9", "2026-01-01") {
        let mut child = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.is_empty(), "{name}: {err}");
    }
}
