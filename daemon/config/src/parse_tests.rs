use std::path::Path;

use crate::diag::Severity;
use crate::parse::{parse, Block, BlockKind, Node};

fn p(text: &str) -> (Vec<Node>, Vec<crate::Diagnostic>) {
    parse(text, Path::new("/etc/cups/cupsd.conf"))
}

fn block(n: &Node) -> &Block {
    match n {
        Node::Block(b) => b,
        Node::Directive(d) => panic!("expected a block, got {d:?}"),
    }
}

#[test]
fn directives_comments_and_whitespace() {
    let (nodes, diags) =
        p("# comment\n\n  LogLevel   debug  # trailing\r\nPageLogFormat\nServerAdmin a\\#b@x\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(nodes.len(), 3);
    let Node::Directive(d) = &nodes[0] else { panic!() };
    assert_eq!((d.name.as_str(), d.args.as_str()), ("LogLevel", "debug"));
    assert_eq!((d.loc.line, d.loc.col, d.args_col), (3, 3, 14));
    let Node::Directive(d) = &nodes[1] else { panic!() };
    assert_eq!((d.name.as_str(), d.args.as_str()), ("PageLogFormat", ""));
    let Node::Directive(d) = &nodes[2] else { panic!() };
    assert_eq!(d.args, "a#b@x");
}

#[test]
fn blocks_nest() {
    let text = "<Policy default>\n  JobPrivateAccess default\n  <Limit Print-Job Create-Job>\n    Order deny,allow\n  </Limit>\n  <LimitExcept GET>\n  </limitexcept>\n</POLICY>\n<Location /admin>\n</Location>\n";
    let (nodes, diags) = p(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(nodes.len(), 2);
    let pol = block(&nodes[0]);
    assert_eq!(
        (pol.kind(), pol.args.as_str(), pol.loc.line, pol.loc.col),
        (BlockKind::Policy, "default", 1, 1)
    );
    assert_eq!(pol.args_col, 9);
    assert_eq!(pol.children.len(), 3);
    let lim = block(&pol.children[1]);
    assert_eq!(
        (lim.kind(), lim.args.as_str(), lim.loc.line, lim.loc.col),
        (BlockKind::Limit, "Print-Job Create-Job", 3, 3)
    );
    assert_eq!(lim.children.len(), 1);
    assert_eq!(block(&pol.children[2]).kind(), BlockKind::LimitExcept);
    assert_eq!(block(&nodes[1]).kind(), BlockKind::Location);
}

#[test]
fn unterminated_block_is_error() {
    let (nodes, diags) = p("<Policy x>\n  <Limit All>\n  Order deny,allow\n");
    assert_eq!(nodes.len(), 1);
    assert_eq!(diags.len(), 2);
    assert!(diags.iter().all(|d| d.severity == Severity::Error));
    assert_eq!(
        diags[0].to_string(),
        "/etc/cups/cupsd.conf:2:3: error: <Limit> is never closed (missing </Limit>)"
    );
    assert_eq!(diags[1].loc.line, 1);
    // The content is still kept.
    assert_eq!(block(&block(&nodes[0]).children[0]).children.len(), 1);
}

#[test]
fn mismatched_and_stray_closers() {
    let (nodes, diags) = p("<Policy x>\n<Limit All>\n</Policy>\n</Location>\nLogLevel info\n");
    assert_eq!(nodes.len(), 2);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0].loc.line, 2);
    assert!(diags[0].message.contains("not closed before </Policy>"));
    assert_eq!((diags[1].loc.line, diags[1].loc.col), (4, 1));
    assert!(diags[1].message.contains("without a matching"));

    let (_, diags) = p("<Policy x>\n</Limit>\n</Policy>\n");
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.contains("does not match <Policy> opened at line 1"), "{}", diags[0]);
}

#[test]
fn missing_angle_bracket_and_empty_tag() {
    let (nodes, diags) = p("<Location /\n</Location>\n<>\n");
    assert_eq!(nodes.len(), 1);
    assert_eq!(block(&nodes[0]).args, "/");
    assert_eq!(diags.len(), 2);
    assert!(diags.iter().all(|d| d.is_error()));
    assert_eq!(diags[1].loc.line, 3);
}

#[test]
fn include_is_an_unsupported_warning() {
    let (nodes, diags) = p("LogLevel info\n  include /etc/cups/other.conf\n");
    assert_eq!(nodes.len(), 1);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].severity, Severity::Warning);
    assert_eq!((diags[0].loc.line, diags[0].loc.col), (2, 3));
    assert!(diags[0]
        .to_string()
        .starts_with("/etc/cups/cupsd.conf:2:3: warning: Include is not supported"));
}

#[test]
fn columns_count_characters_not_bytes() {
    let (nodes, _) = p("\u{00e9}\u{00e9} x\n\t<Location /\u{00e9}>\n\t</Location>\n");
    let Node::Directive(d) = &nodes[0] else { panic!() };
    assert_eq!(d.args_col, 4);
    let b = block(&nodes[1]);
    assert_eq!((b.loc.col, b.args_col), (2, 12));
}

#[test]
fn debian_files_parse_without_errors() {
    for f in ["/etc/cups/cupsd.conf", "/etc/cups/cups-files.conf"] {
        let Ok(text) = std::fs::read_to_string(f) else {
            eprintln!("{f} not present; skipped");
            continue;
        };
        let (nodes, diags) = parse(&text, Path::new(f));
        assert!(!nodes.is_empty());
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    }
}
