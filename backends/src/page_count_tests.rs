//! The pool's side of counting, with stand-in workers (shell scripts); the real worker's
//! answers are tested in worker_tests.rs, the whole path in tests/tests/security_filters.rs.

use super::*;
use crate::sandbox::Worker;

fn counter(script: &str, limit: Duration) -> PageCounter {
    let worker = Worker { program: "/bin/sh".into(), args: vec!["-c".into(), script.into()] };
    PageCounter::with_limit(Arc::new(Launch { worker: Some(worker), ..Launch::default() }), limit)
}

#[test]
fn answers_are_the_count_or_whose_fault_it_is() {
    assert_eq!(parse_answer("pages 12").expect("count"), 12);
    assert!(matches!(parse_answer("empty"), Err(CountError::Document(FilterError::Empty))));
    assert!(
        matches!(parse_answer("corrupt no xref"), Err(CountError::Document(FilterError::Corrupt(m))) if m == "no xref")
    );
    assert!(matches!(
        parse_answer("unsupported password-protected PDF"),
        Err(CountError::Document(FilterError::Unsupported(_)))
    ));
    for bad in ["pages", "pages -1", "pages many", "error out of memory", "", "hello"] {
        assert!(matches!(parse_answer(bad), Err(CountError::Worker(_))), "{bad:?}");
    }
}

#[test]
fn a_worker_that_answers_nonsense_or_nothing_is_not_believed() {
    let nonsense = counter("echo 'pages lots'; sleep 30", COUNT_TIMEOUT);
    assert!(matches!(nonsense.count(CountInput::Bytes(b"%PDF-1.4")), Err(CountError::Worker(_))));
    let pool = nonsense.pool.lock().expect("lock");
    assert!(pool.idle.is_empty() && pool.alive == 0, "a worker that made no sense is dropped");
    drop(pool);
    let silent = counter("exec sleep 30", Duration::from_millis(200));
    assert!(
        matches!(silent.count(CountInput::Bytes(b"%PDF-1.4")), Err(CountError::Worker(_))),
        "killed by the watchdog"
    );
    let gone = counter("exit 0", COUNT_TIMEOUT);
    assert!(matches!(gone.count(CountInput::Bytes(b"%PDF-1.4")), Err(CountError::Worker(_))));
    let missing = PageCounter::new(Arc::new(Launch {
        worker: Some(Worker { program: "/nonexistent/quired".into(), args: Vec::new() }),
        ..Launch::default()
    }));
    assert!(
        matches!(missing.count(CountInput::Bytes(b"%PDF-1.4")), Err(CountError::Worker(m)) if m.contains("unable to start"))
    );
}

#[test]
fn a_worker_is_kept_for_the_next_count() {
    // Answers every request (it never reads them: small ones fit in the pipe).
    let steady = counter("while true; do echo 'pages 2'; sleep 1; done", COUNT_TIMEOUT);
    assert_eq!(steady.count(CountInput::Bytes(b"%PDF-1.4")).expect("count"), 2);
    assert_eq!(steady.pool.lock().expect("lock").idle.len(), 1);
    assert_eq!(steady.count(CountInput::Bytes(b"%PDF-1.4")).expect("count"), 2);
    assert_eq!(steady.pool.lock().expect("lock").alive, 1, "the same worker answered");
}
