//! A long answer arrives whole: CUPS-Get-Printers over enough queues that the answer is
//! well over a megabyte (quired sends such an answer as its pieces, one printer's group at a
//! time, instead of joining them; docs/BENCHMARKS.md "At campus scale"), against cupsd and
//! quired alike: every queue is in it once, and the message decodes to its last byte.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{exchange, ipp_post_bytes, request};
use quire_ipp::{Attribute, Limits, Operation, Value};
use quire_tests::{cups_tool_ok, Server, Via};

const QUEUES: usize = 160;

fn add_queues(s: &Server) -> BTreeSet<String> {
    let uri = format!("file://{}/long.prn", s.out_dir().display());
    let names: BTreeSet<String> = (0..QUEUES).map(|i| format!("long{i:03}")).collect();
    for name in &names {
        cups_tool_ok(s, Via::Socket, "lpadmin", &["-p", name, "-v", &uri, "-E"]).expect("lpadmin");
    }
    names
}

#[test]
fn cups_get_printers_over_many_queues_arrives_whole() {
    for s in quire_tests::both_servers() {
        let names = add_queues(&s);
        let mut msg = request(Operation::CupsGetPrinters, None, "alice", 7);
        common::op_attr(
            &mut msg,
            Attribute::new("requested-attributes", Value::Keyword("all".into())),
        );
        let resp =
            exchange(s.port(), &ipp_post_bytes("/", &msg.encode()), false, Duration::from_secs(60))
                .unwrap_or_else(|e| panic!("{}: no answer: {e:?}", s.name()));
        assert_eq!(resp.status, 200, "{}", s.name());
        // An answer this long is over the decoder's default limits, which are for requests.
        let limits =
            Limits { max_attribute_bytes: 64 << 20, max_values: 10_000_000, ..Limits::default() };
        let (answer, rest) = quire_ipp::decode::decode_with(&resp.body, limits)
            .unwrap_or_else(|e| panic!("{}: the body decodes: {e:?}", s.name()));
        assert!(rest.is_empty(), "{}: {} bytes after the message", s.name(), rest.len());
        assert_eq!(answer.code, 0, "{}: successful-ok", s.name());
        assert_eq!(answer.request_id, 7, "{}", s.name());
        let listed: Vec<String> = answer
            .groups
            .iter()
            .filter_map(|g| g.get("printer-name"))
            .filter_map(|a| a.first_str().map(str::to_string))
            .filter(|n| n.starts_with("long"))
            .collect();
        assert_eq!(listed.len(), QUEUES, "{}: each queue once", s.name());
        assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), names, "{}", s.name());
        // Big enough that quired does not join the answer into one buffer (over 1 MiB).
        assert!(resp.body.len() > 1 << 20, "{}: {} bytes", s.name(), resp.body.len());
        if s.kind() == quire_tests::ServerKind::Quired {
            let length = resp.header("content-length").and_then(|v| v.parse::<usize>().ok());
            assert_eq!(length, Some(resp.body.len()), "quired sends the exact length");
        }
    }
}
