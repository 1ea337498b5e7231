//! Renders docs/COMPATIBILITY.md from [`crate::DIRECTIVES`].

use std::fmt::Write;

use crate::table::{ConfFile, Status, DIRECTIVES};

/// The full text of docs/COMPATIBILITY.md.
pub fn compatibility_markdown() -> String {
    let mut out = String::new();
    out.push_str("# cupsd.conf / cups-files.conf compatibility\n\n");
    out.push_str("<!-- Generated from daemon/config/src/table.rs; do not edit. -->\n");
    out.push_str("<!-- Regenerate: QUIRE_BLESS=1 cargo test -p quire-config compat -->\n\n");
    out.push_str(
        "Quire reads CUPS 2.4's configuration files. Every directive below is recognised:\n\n",
    );
    out.push_str("- **supported**: parsed and validated into the typed configuration. The column *quired\n  applies it* says whether the daemon acts on it in this release.\n");
    out.push_str("- **accepted, ignored**: parsed and validated, but has no effect (the note says why); no warning.\n");
    out.push_str(
        "- **unsupported (warning)**: reported as a warning with file:line:col and ignored.\n\n",
    );
    out.push_str("Unknown directives are warnings too, never fatal, as in cupsd. A directive in the wrong file\n");
    out.push_str(
        "(e.g. `ServerRoot` in cupsd.conf) is ignored with cupsd's \"Please move ...\" warning.\n",
    );
    out.push_str(LOCATION_PATHS);
    for file in [ConfFile::Cupsd, ConfFile::Files] {
        let _ = write!(out, "\n## {}\n\n", file.file_name());
        out.push_str(
            "| Directive | Context | Status | quired applies it | Notes |\n|---|---|---|---|---|\n",
        );
        for d in DIRECTIVES.iter().filter(|d| d.file == file) {
            let ctx: Vec<String> = d.contexts.iter().map(|c| context_cell(c.label())).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                d.name,
                ctx.join(", "),
                d.status.label(),
                applied_cell(d.name, d.status),
                d.note
            );
        }
    }
    let count = |s: Status| DIRECTIVES.iter().filter(|d| d.status == s).count();
    let _ = write!(
        out,
        "\nTotals: {} supported, {} accepted and ignored, {} unsupported.\n",
        count(Status::Supported),
        count(Status::AcceptedIgnored),
        count(Status::Unsupported)
    );
    out
}

/// How `<Location>` paths are matched (they are blocks, not table entries).
const LOCATION_PATHS: &str =
    "\n`<Location>` paths are matched against the request path made canonical first: `%xx`\n\
escapes decoded, the query, empty and `.` segments dropped, a `..` segment refused (403, as\n\
cupsd), case ignored (cupsd ignores it for `/printers/` and `/classes/`), whole segments only\n\
(`/admin` does not cover `/administrator`; cupsd compares bytes). An operation on a queue or\n\
one of its jobs must also pass the `<Location>` covering that queue's path (`/printers/NAME`,\n\
`/classes/NAME`), unless the `<Location>` of the path posted to is that one or one nested in it\n\
(`/admin` in `/`). cupsd checks only the path posted to, so there `<Location /printers/q2>` does\n\
not apply to a request for q2 posted to `/`.\n";

/// Directives quired acts on today. The `<Policy>`, `<Limit>` and `<Location>` blocks are not
/// table entries; the rules inside them (Order, Allow, Deny, AuthType, Require, Satisfy) are.
pub const APPLIED_BY_QUIRED: &[&str] = &[
    "AccessLog",
    "AccessLogLevel",
    "Allow",
    "AuditLog",
    "AuthLockoutTime",
    "AuthType",
    "BrowseDNSSDSubTypes",
    "BrowseLocalProtocols",
    "Browsing",
    "CacheDir",
    "ConfidentialHoldTime",
    "CreateSelfSignedCerts",
    "DNSSDHostName",
    "DefaultAuthType",
    "DefaultEncryption",
    "DefaultShared",
    "Deny",
    "Encryption",
    "ErrorLog",
    "FileDevice",
    "Group",
    "IdleExitTimeout",
    "JobPrivateAccess",
    "JobPrivateValues",
    "LimitRequestBody",
    "Listen",
    "LogFileGroup",
    "LogFilePerm",
    "LogLevel",
    "LogTimeFormat",
    "MaxAuthFailures",
    "MaxClients",
    "MaxClientsPerHost",
    "MaxCopies",
    "MaxJobTime",
    "MaxJobs",
    "MaxJobsPerPrinter",
    "MaxJobsPerUser",
    "MaxLogSize",
    "MaxSubscriptions",
    "MultipleOperationTimeout",
    "Order",
    "PageLog",
    "PageLogFormat",
    "PamService",
    "Port",
    "PreserveJobFiles",
    "PreserveJobHistory",
    "PullHosts",
    "PullMinRate",
    "PullSchemes",
    "RequestRoot",
    "Require",
    "SSLListen",
    "SSLPort",
    "Satisfy",
    "ServerBin",
    "ServerKeychain",
    "ServerName",
    "ServerRoot",
    "SpoolQuota",
    "SpoolQuotaPerUser",
    "StateDir",
    "SubscriptionPrivateAccess",
    "SubscriptionPrivateValues",
    "SystemGroup",
    "TempDir",
    "Timeout",
    "User",
];

fn applied_cell(name: &str, status: Status) -> &'static str {
    match (status, APPLIED_BY_QUIRED.contains(&name)) {
        (Status::Supported, true) => "yes",
        (Status::Supported, false) => "not yet",
        _ => "",
    }
}

/// `<Policy>` would be read as HTML: put tags in code spans.
fn context_cell(label: &str) -> String {
    if label.starts_with('<') {
        format!("`{label}`")
    } else {
        label.to_string()
    }
}
