use std::path::Path;

use proptest::prelude::*;

use crate::{parse, validate};

fn config_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("<Policy".to_string()),
        Just("</Policy>".to_string()),
        Just("<Limit".to_string()),
        Just("</Limit>".to_string()),
        Just("<Location".to_string()),
        Just("</Location>".to_string()),
        Just(">".to_string()),
        Just("#".to_string()),
        Just("\\#".to_string()),
        Just("Listen".to_string()),
        Just("MaxJobs".to_string()),
        Just("Allow".to_string()),
        Just("Require".to_string()),
        Just("Include".to_string()),
        Just("Port".to_string()),
        Just("ServerRoot".to_string()),
        Just("PullHosts".to_string()),
        Just("PullMinRate".to_string()),
        Just("JobPrivateAccess".to_string()),
        Just("JobPrivateValues".to_string()),
        Just("[::1]:*".to_string()),
        Just("host:80".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ];
    proptest::collection::vec(word, 0..6).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn random_text_never_panics(text in "\\PC*") {
        let (nodes, _) = parse(&text, Path::new("x.conf"));
        let _ = validate(&nodes, &nodes);
    }

    #[test]
    fn config_like_text_never_panics(lines in proptest::collection::vec(config_line(), 0..40)) {
        let text = lines.join("\n");
        let (nodes, diags) = parse(&text, Path::new("x.conf"));
        let (_, more) = validate(&nodes, &nodes);
        for d in diags.iter().chain(&more) {
            prop_assert!(d.loc.line >= 1 && d.loc.line <= lines.len().max(1));
            prop_assert!(d.loc.col >= 1);
        }
    }

    #[test]
    fn pull_hosts_parse_or_say_why(word in "[\\[\\]:*a-z0-9.\\-]{0,24}|\\PC{0,12}") {
        use crate::model::PullPort;
        if let Ok(h) = crate::values::parse_pull_host(&word) {
            // What was read writes back to itself.
            let host = if h.host.contains(':') { format!("[{}]", h.host) } else { h.host.clone() };
            let written = match h.port {
                PullPort::SchemeDefault => host,
                PullPort::Port(p) => format!("{host}:{p}"),
                PullPort::Any => format!("{host}:*"),
            };
            prop_assert_eq!(crate::values::parse_pull_host(&written), Ok(h));
        }
    }
}
