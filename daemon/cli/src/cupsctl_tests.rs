use super::*;

/// The directives of Debian's stock cupsd.conf (CUPS 2.4), comments left out.
const STOCK: &str = "LogLevel warn
PageLogFormat
MaxLogSize 0
ErrorPolicy retry-job
Listen localhost:631
Listen /run/cups/cups.sock
Browsing Yes
BrowseLocalProtocols dnssd
DefaultAuthType Basic
WebInterface Yes
IdleExitTimeout 60
<Location />
  Order allow,deny
</Location>
<Location /admin>
  Order allow,deny
</Location>
<Location /admin/conf>
  AuthType Default
  Require user @SYSTEM
  Order allow,deny
</Location>
<Location /admin/log>
  AuthType Default
  Require user @SYSTEM
  Order allow,deny
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit Create-Job Print-Job Print-URI Validate-Job>
    Order deny,allow
  </Limit>
  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job Suspend-Current-Job Resume-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Pause-Printer Resume-Printer Enable-Printer Disable-Printer Cancel-Jobs CUPS-Accept-Jobs CUPS-Reject-Jobs>
    AuthType Default
    Require user @SYSTEM
    Order deny,allow
  </Limit>
  <Limit Cancel-Job CUPS-Authenticate-Job>
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
<Policy authenticated>
  JobPrivateAccess default
  <Limit Cancel-Job CUPS-Authenticate-Job>
    AuthType Default
    Require user @OWNER @SYSTEM
    Order deny,allow
  </Limit>
</Policy>
";

const HOST: Host = Host { port: 631, default_socket: false };

fn shown(text: &str) -> Vec<String> {
    settings(text).iter().map(|(n, v)| format!("{n}={v}")).collect()
}

fn changes(args: &[&str]) -> OptionList {
    let words: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse(&words).unwrap().0
}

fn edited(args: &[&str]) -> String {
    edit(STOCK, &changes(args), HOST)
}

/// The lines of `text` inside the block that starts with `head`.
fn block(text: &str, head: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| *l == head) else { return Vec::new() };
    lines[start..].iter().take_while(|l| !l.starts_with("</")).map(|l| l.to_string()).collect()
}

#[test]
fn the_stock_file_shows_as_cupsctl_shows_it() {
    assert_eq!(
        shown(STOCK),
        [
            "_debug_logging=0",
            "_remote_admin=0",
            "_remote_any=0",
            "_share_printers=0",
            "_user_cancel_any=0",
            "BrowseLocalProtocols=dnssd",
            "DefaultAuthType=Basic",
            "ErrorPolicy=retry-job",
            "IdleExitTimeout=60",
            "JobPrivateAccess=default",
            "MaxLogSize=0",
            "PageLogFormat=",
            "WebInterface=Yes",
        ]
    );
}

#[test]
fn debug_logging_rewrites_log_level() {
    let out = edited(&["--debug-logging"]);
    assert!(out.starts_with("LogLevel debug\nPageLogFormat\n"), "{out}");
    assert!(shown(&out).contains(&"_debug_logging=1".to_string()));
    let back = edit(&out, &changes(&["--no-debug-logging"]), HOST);
    assert!(back.starts_with("LogLevel warn\n"), "{back}");
    // Unchanged switches leave the file's lines as they were (comments aside).
    assert_eq!(edited(&["--no-debug-logging"]), STOCK);
}

#[test]
fn remote_admin_listens_everywhere_and_opens_the_admin_pages_to_the_lan() {
    let out = edited(&["--remote-admin"]);
    assert!(out.contains("\nPort 631\nBrowsing Yes\n"), "{out}");
    assert!(!out.contains("Listen"), "{out}");
    assert_eq!(
        block(&out, "<Location />"),
        ["<Location />", "  Order allow,deny", "  Allow @LOCAL"]
    );
    assert_eq!(
        block(&out, "<Location /admin>"),
        ["<Location /admin>", "  Order allow,deny", "  Allow @LOCAL"]
    );
    assert_eq!(
        block(&out, "<Location /admin/conf>"),
        [
            "<Location /admin/conf>",
            "  AuthType Default",
            "  Require user @SYSTEM",
            "  Order allow,deny",
            "  Allow @LOCAL"
        ]
    );
    let s = shown(&out);
    assert!(s.contains(&"_remote_admin=1".to_string()), "{s:?}");
    // Browsing was already on: listening everywhere makes the printers shared.
    assert!(s.contains(&"_share_printers=1".to_string()), "{s:?}");
}

#[test]
fn the_default_socket_stays_when_it_exists() {
    let host = Host { port: 8631, default_socket: true };
    let out = edit(STOCK, &changes(&["--remote-any"]), host);
    assert!(out.contains("\nPort 8631\nListen /run/cups/cups.sock\n"), "{out}");
    let local = "Listen localhost:631\nListen /tmp/q.sock\n";
    let out = edit(local, &changes(&["--share-printers"]), host);
    assert!(
        out.starts_with("Port 8631\nListen /run/cups/cups.sock\nListen /tmp/q.sock\n"),
        "{out}"
    );
}

#[test]
fn remote_any_allows_all_at_the_root() {
    let out = edited(&["--remote-any"]);
    assert_eq!(block(&out, "<Location />"), ["<Location />", "  Order allow,deny", "  Allow all"]);
    // As CUPS: the admin location's rules are dropped, and not rewritten (remote-admin is
    // unchanged), so it takes the defaults.
    assert_eq!(block(&out, "<Location /admin>"), ["<Location /admin>"]);
    assert!(shown(&out).contains(&"_remote_any=1".to_string()));
}

#[test]
fn share_printers_turns_browsing_on_for_the_lan() {
    let out = edited(&["--share-printers"]);
    assert!(out.contains("\nPort 631\nBrowsing On\nBrowseLocalProtocols dnssd\nDefaultAuthType"));
    assert_eq!(
        block(&out, "<Location />"),
        ["<Location />", "  Order allow,deny", "  Allow @LOCAL"]
    );
    assert!(shown(&out).contains(&"_share_printers=1".to_string()));
    let off = edit(&out, &changes(&["--no-share-printers"]), HOST);
    assert!(off.contains("\nListen localhost:631\nBrowsing Off\nDefaultAuthType"), "{off}");
    assert!(shown(&off).contains(&"_share_printers=0".to_string()));
}

#[test]
fn user_cancel_any_drops_cancel_job_from_the_default_policy_only() {
    let out = edited(&["--user-cancel-any"]);
    let policy = block(&out, "<Policy default>").join("\n");
    assert!(policy.contains("  <Limit CUPS-Authenticate-Job>"), "{policy}");
    assert!(!policy.contains("Cancel-Job>"), "{policy}");
    assert!(out.contains("<Policy authenticated>\n  JobPrivateAccess default\n  <Limit Cancel-Job CUPS-Authenticate-Job>"));
    assert!(shown(&out).contains(&"_user_cancel_any=1".to_string()));
    let back = edit(&out, &changes(&["--no-user-cancel-any"]), HOST);
    assert!(back.contains(
        "  <Limit Cancel-Job>\n    Order deny,allow\n    Require user @OWNER @SYSTEM\n  </Limit>\n</Policy>\n<Policy authenticated>"
    ), "{back}");
    assert!(shown(&back).contains(&"_user_cancel_any=0".to_string()));
}

#[test]
fn every_switch_reads_back_as_set_from_a_file_without_its_lines() {
    for flag in ["debug-logging", "remote-admin", "remote-any", "share-printers", "user-cancel-any"]
    {
        let key = format!("_{}=", flag.replace('-', "_"));
        for (arg, want) in [(format!("--{flag}"), "1"), (format!("--no-{flag}"), "0")] {
            let out = edit("", &changes(&[&arg]), HOST);
            let s = shown(&out);
            assert!(s.contains(&format!("{key}{want}")), "{arg}: {s:?}\n{out}");
            // A second time changes nothing.
            assert_eq!(edit(&out, &changes(&[&arg]), HOST), out, "{arg}");
        }
    }
}

#[test]
fn name_value_sets_a_top_level_directive_or_adds_it() {
    let out = edited(&["MaxJobs=50", "WebInterface=No", "MaxLogSize=1m"]);
    assert!(out.contains("\nMaxLogSize 1m\n"), "{out}");
    assert!(out.contains("\nWebInterface No\n"), "{out}");
    assert!(out.ends_with("</Policy>\nMaxJobs 50\n"), "{out}");
    // Directives inside policies are not top-level ones.
    let out = edited(&["JobPrivateAccess=all"]);
    assert!(out.contains("  JobPrivateAccess default\n"), "{out}");
    assert!(out.ends_with("JobPrivateAccess all\n"), "{out}");
}

#[test]
fn the_command_line_is_checked_before_the_server_is_asked() {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let err = parse(&words(&["Listen=*:631"])).unwrap_err();
    assert_eq!(err.to_string(), "Cannot set Listen directly.");
    let err = parse(&words(&["serverroot=/tmp"])).unwrap_err();
    assert_eq!(err.to_string(), "Cannot set ServerRoot directly.");
    assert!(matches!(parse(&words(&["--share"])), Err(CliError::Usage(_))));
    assert!(matches!(parse(&words(&["share"])), Err(CliError::Usage(_))));
    let (c, rest) = parse(&words(&["-h", "srv:8631", "--no-remote-any", "-E", "A=1 B=2"])).unwrap();
    assert_eq!(rest, words(&["-h", "srv:8631", "-E"]));
    let got: Vec<(&str, &str)> = c.iter().collect();
    assert_eq!(got, [("_remote_any", "0"), ("A", "1"), ("B", "2")]);
    let mut ctx = Ctx::new("cupsctl");
    assert!(matches!(run(&mut ctx, &words(&["-x"])), Err(CliError::Usage(_))));
    assert_eq!(run(&mut ctx, &words(&["--help"])).unwrap(), 1);
}
