use super::*;

pub(crate) fn doc(number: u32, pages: u32) -> Doc {
    let markers = (1..=pages).map(|p| Some(format!("QPAGE:d{number}:p{p}"))).collect();
    Doc { number, format: "application/pdf".into(), pages, markers }
}

pub(crate) fn state() -> State {
    let addr: SocketAddr = ([127, 0, 0, 1], 8631).into();
    let mut o = Options::new(addr);
    o.name = "t".into();
    State::new(o, addr).expect("state")
}

fn slots(job: &mut Job) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    while let Some(s) = job.next_slot() {
        out.push((s.copy, s.document, s.page));
        job.printed += 1;
    }
    out
}

#[test]
fn copies_are_collated_across_documents() {
    let mut st = state();
    let id = st.add_job("j".into(), "u".into(), 2, false);
    let job = st.job_mut(id).expect("job");
    job.docs = vec![doc(1, 2), doc(2, 1)];
    job.open = false;
    assert_eq!(job.impressions(), 6);
    let order = slots(job);
    assert_eq!(order, [(1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 1), (2, 1, 2), (2, 2, 1)]);
    assert!(job.is_done());
}

#[test]
fn an_open_job_prints_only_its_first_copy_so_far() {
    let mut st = state();
    let id = st.add_job("j".into(), "u".into(), 3, false);
    let job = st.job_mut(id).expect("job");
    assert_eq!(job.next_slot(), None);
    job.docs.push(doc(1, 2));
    assert_eq!(slots(job).len(), 2);
    assert!(!job.is_done());
    job.open = false;
    assert_eq!(slots(job).len(), 4);
    assert!(job.is_done());
}

#[test]
fn markers_and_sheets_follow_the_page() {
    let mut st = state();
    let id = st.add_job("j".into(), "u".into(), 1, true);
    let job = st.job_mut(id).expect("job");
    job.docs.push(doc(1, 3));
    job.open = false;
    job.printed = 1;
    let s = job.next_slot().expect("slot");
    assert_eq!(s.marker.as_deref(), Some("QPAGE:d1:p2"));
    assert!(!s.new_sheet, "page 2 is on the back of sheet 1");
}

#[test]
fn faults_stop_and_repair_clears_everything() {
    let mut st = state();
    assert_eq!(
        (st.printer_state(), st.printer_state_reasons()),
        (PrinterState::Idle, vec!["none"])
    );
    st.inject(Fault::MediaEmptyAfter(0));
    st.inject(Fault::Offline);
    st.inject(Fault::JamAfter(2));
    assert!(st.stopped());
    assert_eq!(st.printer_state_reasons(), ["media-empty-error", "offline-report"]);
    assert_eq!(st.printer_state_message(), "Out of paper");
    let changed = st.state_change;
    st.repair();
    assert_eq!(st.faults, Faults::default());
    assert_eq!(st.printer_state(), PrinterState::Idle);
    assert!(st.state_change.unix >= changed.unix);
}

#[test]
fn start_flags_arm_faults() {
    let addr: SocketAddr = ([127, 0, 0, 1], 1).into();
    let mut o = Options::new(addr);
    o.media_empty_after = Some(4);
    o.refuse_connections = true;
    let st = State::new(o, addr).expect("state");
    assert_eq!(st.faults.media_left, Some(4));
    assert!(st.faults.refuse_connections && !st.stopped());
}

#[test]
fn uris_use_the_listener_address() {
    let mut st = state();
    assert_eq!(st.job_uri(4), "ipp://127.0.0.1:8631/ipp/print/4");
    st.addr = "[::]:99".parse().expect("addr");
    assert_eq!(st.printer_uri(), "ipp://localhost:99/ipp/print");
    st.addr = "[::1]:99".parse().expect("addr");
    assert_eq!(st.printer_uri(), "ipp://[::1]:99/ipp/print");
}

#[test]
fn old_finished_jobs_are_forgotten() {
    let mut st = state();
    let open = st.add_job("open".into(), "u".into(), 1, false);
    for _ in 0..JOB_HISTORY + 5 {
        let id = st.add_job("j".into(), "u".into(), 1, false);
        st.finish(id, JobState::Completed, "job-completed-successfully", String::new());
    }
    assert_eq!(st.jobs.len(), JOB_HISTORY + 1);
    assert!(st.job(open).is_some(), "unfinished jobs stay");
    assert!(st.job(2).is_none() && st.job(7).is_some());
}
