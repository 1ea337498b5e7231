use super::*;
use crate::state::tests::{doc, state};
use crate::state::Fault;

/// A closed job with one document of `pages` pages.
fn job(st: &mut State, pages: u32, copies: u32) -> i32 {
    let id = st.add_job("j".into(), "u".into(), copies, false);
    let job = st.job_mut(id).expect("job");
    job.docs.push(doc(1, pages));
    job.open = false;
    id
}

/// Runs the engine without clocks until it waits; returns the printed markers.
fn run(st: &mut State) -> Vec<String> {
    let mut out = Vec::new();
    while let Step::Print { job, slot } = next_step(st) {
        let before = st.job(job).map(|j| j.printed);
        commit(st, job, &slot);
        if st.job(job).map(|j| j.printed) != before {
            out.push(slot.marker.unwrap_or_default());
        }
    }
    out
}

fn with_log(st: &mut State) -> tempfile::NamedTempFile {
    let log = tempfile::NamedTempFile::new().expect("log");
    st.page_log = Some(log.reopen().expect("reopen"));
    log
}

#[test]
fn prints_jobs_in_order_and_completes_them() {
    let mut st = state();
    let log = with_log(&mut st);
    let (a, b) = (job(&mut st, 2, 1), job(&mut st, 1, 2));
    assert_eq!(run(&mut st), ["QPAGE:d1:p1", "QPAGE:d1:p2", "QPAGE:d1:p1", "QPAGE:d1:p1"]);
    for id in [a, b] {
        let j = st.job(id).expect("job");
        assert_eq!((j.state, j.reason), (JobState::Completed, Some("job-completed-successfully")));
    }
    let text = std::fs::read_to_string(log.path()).expect("log");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[3].starts_with(r#"{"printer":"t","job-id":2,"job-name":"j","user":"u","document":1,"copy":2,"page":1,"marker":"QPAGE:d1:p1","ms":"#));
    assert_eq!(st.total_impressions, 4);
}

#[test]
fn media_empty_stops_after_n_and_repair_resumes() {
    let mut st = state();
    let id = job(&mut st, 8, 1);
    st.inject(Fault::MediaEmptyAfter(5));
    assert_eq!(run(&mut st).len(), 5);
    assert_eq!(st.printer_state_reasons(), ["media-empty-error"]);
    let j = st.job(id).expect("job");
    assert_eq!((j.state, j.printed), (JobState::Processing, 5));
    assert_eq!(crate::attrs::job_state_reasons(&st, j), ["printer-stopped"]);
    st.repair();
    assert_eq!(run(&mut st), ["QPAGE:d1:p6", "QPAGE:d1:p7", "QPAGE:d1:p8"]);
    assert_eq!(st.job(id).map(|j| j.state), Some(JobState::Completed));
}

#[test]
fn a_jammed_page_is_printed_again_after_repair() {
    let mut st = state();
    let log = with_log(&mut st);
    job(&mut st, 6, 1);
    st.inject(Fault::JamAfter(3));
    assert_eq!(run(&mut st).len(), 3);
    assert!(st.faults.jammed);
    st.repair();
    assert_eq!(run(&mut st), ["QPAGE:d1:p4", "QPAGE:d1:p5", "QPAGE:d1:p6"]);
    let text = std::fs::read_to_string(log.path()).expect("log");
    assert_eq!(text.lines().filter(|l| l.contains("\"page\":4,")).count(), 1);
}

#[test]
fn a_page_in_flight_when_the_printer_stops_is_not_counted() {
    let mut st = state();
    let id = job(&mut st, 2, 1);
    let Step::Print { slot, .. } = next_step(&mut st) else { panic!("no page") };
    st.inject(Fault::Offline);
    commit(&mut st, id, &slot);
    assert_eq!(st.job(id).map(|j| j.printed), Some(0));
    assert_eq!(next_step(&mut st), Step::Wait);
    st.repair();
    assert_eq!(run(&mut st), ["QPAGE:d1:p1", "QPAGE:d1:p2"]);
}

#[test]
fn cancel_waits_for_the_page_in_flight() {
    let mut st = state();
    let id = job(&mut st, 5, 1);
    let Step::Print { slot, .. } = next_step(&mut st) else { panic!("no page") };
    st.job_mut(id).expect("job").cancel_requested = true;
    commit(&mut st, id, &slot);
    let j = st.job(id).expect("job");
    assert_eq!(
        (j.state, j.printed, j.reason),
        (JobState::Canceled, 1, Some("job-canceled-by-user"))
    );
}

#[test]
fn an_open_job_without_documents_blocks_until_closed() {
    let mut st = state();
    let open = st.add_job("open".into(), "u".into(), 1, false);
    let later = job(&mut st, 1, 1);
    assert_eq!(next_step(&mut st), Step::Wait);
    st.job_mut(open).expect("job").open = false;
    assert_eq!(run(&mut st).len(), 1);
    assert_eq!(
        st.job(open).map(|j| (j.state, j.reason)),
        Some((JobState::Aborted, Some("aborted-by-system")))
    );
    assert_eq!(st.job(later).map(|j| j.state), Some(JobState::Completed));
}

#[test]
fn page_time_follows_ppm() {
    assert_eq!(page_time(0), Duration::ZERO);
    assert_eq!(page_time(60), Duration::from_secs(1));
    assert_eq!(page_time(60_000), Duration::from_millis(1));
}
