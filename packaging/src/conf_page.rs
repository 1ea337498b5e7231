//! quired.conf(5): every directive of quire-config's table, with where it may appear, what
//! quired does with it and the table's note. Nothing here is written by hand per directive.

use std::fmt::Write;

use quire_config::{ConfFile, DirectiveInfo, Status, APPLIED_BY_QUIRED, DIRECTIVES};

use crate::roff::escape;

const HEAD: &str = r#".SH NAME
quired.conf \- the cupsd.conf and cups\-files.conf directives quired reads
.SH DESCRIPTION
.B quired
has no configuration file of its own: it reads CUPS's
.I /etc/cups/cupsd.conf
and
.IR /etc/cups/cups\-files.conf ,
with the syntax described in
.BR cupsd.conf (5)
and
.BR cups\-files.conf (5).
This page lists every directive it recognises and what it does with each; it is
generated from the table in quired's source, so it is exact for this version.
.PP
A directive is either
.B applied
(read, checked and acted on),
.B read, not applied yet
(read and checked, no effect in this version),
.B accepted, no effect
(read and checked; the note says why it does not matter to Quire; no warning), or
.B not supported
(a warning with file:line:col, then ignored).
Unknown directives are warnings too, never fatal, as in cupsd.
A directive in the wrong file (for example
.B ServerRoot
in cupsd.conf) is ignored with a warning saying where it belongs.
Directives marked
.B Quire extension
are Quire's own; cupsd logs them as unknown and goes on (unless its
.B FatalErrors
includes
.BR unknown ),
so a file using them still works with cupsd.
.PP
.B "quired \-t"
checks both files and prints every warning with its file, line and column.
"#;

const TAIL: &str = r#".SH FILES
.TP
.I /etc/cups/cupsd.conf
The scheduler's configuration: listening, logging, limits and access rules.
.TP
.I /etc/cups/cups\-files.conf
Files, directories, users and groups.
.SH "SEE ALSO"
.BR quired (8),
.BR quire (1),
.BR cupsd.conf (5),
.BR cups\-files.conf (5)
"#;

/// The whole page.
pub fn quired_conf_5(version: &str, date: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, ".TH QUIRED.CONF 5 \"{date}\" \"Quire {version}\" \"File Formats\"");
    out.push_str(HEAD);
    for (file, title) in [
        (ConfFile::Cupsd, "CUPSD.CONF DIRECTIVES"),
        (ConfFile::Files, "CUPS\\-FILES.CONF DIRECTIVES"),
    ] {
        let _ = writeln!(out, ".SH \"{title}\"");
        for d in DIRECTIVES.iter().filter(|d| d.file == file) {
            entry(&mut out, d);
        }
    }
    out.push_str(TAIL);
    out
}

fn entry(out: &mut String, d: &DirectiveInfo) {
    let contexts: Vec<&str> = d.contexts.iter().map(|c| c.label()).collect();
    let _ = writeln!(out, ".TP\n.B {}", escape(d.name));
    let _ = writeln!(out, "{}; {}.", escape(&contexts.join(", ")), status_text(d));
    if !d.note.is_empty() {
        let note = escape(d.note);
        let end = if note.ends_with('.') { "" } else { "." };
        let _ = writeln!(out, "{}{end}", upper_first(&note));
    }
}

fn status_text(d: &DirectiveInfo) -> &'static str {
    match d.status {
        Status::Supported if APPLIED_BY_QUIRED.contains(&d.name) => "applied",
        Status::Supported => "read, not applied yet",
        Status::AcceptedIgnored => "accepted, no effect",
        Status::Unsupported => "not supported (warning)",
    }
}

/// The note starts a sentence: its first letter in upper case.
fn upper_first(note: &str) -> String {
    let mut chars = note.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
