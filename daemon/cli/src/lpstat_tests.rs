use super::*;

fn group(tag: DelimiterTag, attrs: Vec<Attribute>) -> Group {
    let mut g = Group::new(tag);
    attrs.into_iter().for_each(|a| g.push(a));
    g
}

fn kw(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Keyword(v.into()))
}
fn int(name: &str, v: i32) -> Attribute {
    Attribute::new(name, Value::Integer(v))
}
fn flag(name: &str, v: bool) -> Attribute {
    Attribute::new(name, Value::Boolean(v))
}
fn names(name: &str, v: &[&str]) -> Attribute {
    Attribute::set(name, v.iter().map(|n| Value::Name(n.to_string())).collect())
}

#[test]
fn security_lines_show_the_facts_and_who_vouches_for_them() {
    let facts = |auth: &str, level: i32, level_source: &str| {
        vec![
            kw(qv::AUTHENTICATION_METHOD, auth),
            flag(qv::ENCRYPTS_JOB_DATA, auth != "none"),
            flag(qv::ERASES_STORAGE, auth != "none"),
            int(qv::SECURITY_LEVEL, level),
            kw(qv::SECURITY_LEVEL_SOURCE, level_source),
        ]
    };
    let with = |mut attrs: Vec<Attribute>, extra: Vec<Attribute>| {
        attrs.extend(extra);
        security_lines(&group(DelimiterTag::Printer, attrs))
    };
    let claim =
        Attribute::new(qv::SECURITY_CLAIM, Value::Collection(facts("biometric", 5, "derived")));
    assert_eq!(
        with(facts("id-card", 4, "derived"), vec![kw(qv::SECURITY_SOURCE, "confirmed"), claim.clone()]),
        [
            "\tSecurity: id-card, encrypts job data, erases storage; level 4 (derived; the device's claim, confirmed by an administrator)",
            "\tDevice claims: biometric, encrypts job data, erases storage; level 5",
        ]
    );
    assert_eq!(
        with(facts("none", 3, "configured"), vec![kw(qv::SECURITY_SOURCE, "configured")]),
        ["\tSecurity: no authentication; level 3 (configured; set by an administrator)"]
    );
    assert_eq!(
        with(facts("none", 0, "derived"), vec![kw(qv::SECURITY_SOURCE, "unconfirmed"), claim]),
        ["\tSecurity: not confirmed by an administrator (takes no part in splitting or failover)", "\tDevice claims: biometric, encrypts job data, erases storage; level 5"]
    );
    // A Quire server from before the source was shown; a CUPS server sends none of it.
    assert_eq!(
        with(facts("id-card", 4, "derived"), vec![]),
        ["\tSecurity: id-card, encrypts job data, erases storage; level 4 (derived)"]
    );
    assert!(security_lines(&group(DelimiterTag::Printer, vec![])).is_empty());
}

#[test]
fn split_policy_lines() {
    let policy = |mode: &str, extra: Vec<Attribute>| {
        let mut attrs =
            vec![kw(qv::SPLIT_DEFAULT, mode), kw(qv::SPLIT_FALLBACK_DEFAULT, "print-alone")];
        attrs.extend(extra);
        split_line(&group(DelimiterTag::Printer, attrs))
    };
    assert_eq!(policy("none", vec![int(qv::SPLIT_MIN_COPIES, 100)]), None);
    assert_eq!(
        policy("auto", vec![int(qv::SPLIT_MIN_COPIES, 100), int(qv::SPLIT_MIN_PAGES, 200)]).as_deref(),
        Some("\tSplit: auto (jobs of 100+ copies or 200+ pages; printers: any that qualify; if none qualifies: print-alone)")
    );
    assert_eq!(
        policy(
            "manual",
            vec![
                names(qv::SPLIT_PRINTERS_DEFAULT, &["a", "b"]),
                int(qv::SPLIT_MIN_PAGES, 50),
                int(qv::SPLIT_MIN_COPIES, 0)
            ]
        )
        .as_deref(),
        Some("\tSplit: manual (jobs of 50+ pages; printers: a, b; if none qualifies: print-alone)")
    );
    let none_listed = Attribute::new(qv::SPLIT_PRINTERS_DEFAULT, Value::NoValue);
    let g = group(
        DelimiterTag::Printer,
        vec![kw(qv::SPLIT_DEFAULT, "manual"), kw(qv::SPLIT_FALLBACK_DEFAULT, "hold"), none_listed],
    );
    assert_eq!(
        split_line(&g).as_deref(),
        Some("\tSplit: manual (every job; printers: none listed; if none qualifies: hold)")
    );
}

#[test]
fn split_job_lines() {
    let text = |v: &str| Value::Text(v.into());
    let parent = group(
        DelimiterTag::Job,
        vec![
            Attribute::set(
                "job-state-reasons",
                vec![
                    Value::Keyword(qv::REASON_SPLIT.into()),
                    Value::Keyword("job-printing".into()),
                ],
            ),
            Attribute::new("job-state-message", text("Job 3 is split into 2 parts: ...")),
            Attribute::set(qv::CHILD_JOB_IDS, vec![Value::Integer(4), Value::Integer(5)]),
            Attribute::set(
                qv::SPLIT_PARTS,
                vec![
                    text("job 4 on a: copies 1-5 of 10 (processing, 3 impressions)"),
                    text("job 5 on b: copies 6-10 of 10 (pending, 0 impressions)"),
                ],
            ),
        ],
    );
    assert_eq!(
        split_details(&parent),
        [
            "\tSplit into 2 parts:",
            "\t\tjob 4 on a: copies 1-5 of 10 (processing, 3 impressions)",
            "\t\tjob 5 on b: copies 6-10 of 10 (pending, 0 impressions)"
        ]
    );
    let child = group(
        DelimiterTag::Job,
        vec![
            int("parent-job-id", 3),
            Attribute::new("output-device-assigned", Value::Name("b".into())),
            Attribute::new(qv::SPLIT_PART, text("copies 6-10 of 10")),
            Attribute::new("job-state-message", text("Job is pending.")),
        ],
    );
    assert_eq!(split_details(&child), ["\tPart of job 3: copies 6-10 of 10 on b"]);
    let alone = group(
        DelimiterTag::Job,
        vec![
            Attribute::set(
                "job-state-reasons",
                vec![
                    Value::Keyword("job-printing".into()),
                    Value::Keyword(qv::REASON_NO_QUALIFIED_PRINTER.into()),
                ],
            ),
            Attribute::new(
                "job-state-message",
                text("No other printer qualifies. Printing on \"a\" alone."),
            ),
        ],
    );
    assert_eq!(
        split_details(&alone),
        ["\tNot split: No other printer qualifies. Printing on \"a\" alone."]
    );
    // An ordinary job (or one from a CUPS server) gets no extra lines.
    let plain = group(
        DelimiterTag::Job,
        vec![Attribute::new("job-state-message", text("Job is pending."))],
    );
    assert!(split_details(&plain).is_empty());
}

#[test]
fn failover_policy_lines() {
    let policy = |attrs: Vec<Attribute>| failover_line(&group(DelimiterTag::Printer, attrs));
    assert_eq!(
        policy(vec![kw(qv::FAILOVER_DEFAULT, "auto"), int(qv::FAILOVER_GRACE_TIME, 30)]).as_deref(),
        Some("\tFailover: auto after 30 s")
    );
    assert_eq!(
        policy(vec![kw(qv::FAILOVER_DEFAULT, "manual"), int(qv::FAILOVER_GRACE_TIME, 0)])
            .as_deref(),
        Some("\tFailover: manual after 0 s")
    );
    assert_eq!(
        policy(vec![kw(qv::FAILOVER_DEFAULT, "none"), int(qv::FAILOVER_GRACE_TIME, 30)]).as_deref(),
        Some("\tFailover: off")
    );
    assert_eq!(policy(vec![kw(qv::FAILOVER_DEFAULT, "auto")]).as_deref(), Some("\tFailover: auto"));
    // A CUPS server sends none of it: no line.
    assert_eq!(policy(vec![int(qv::FAILOVER_GRACE_TIME, 30)]), None);
    assert!(
        PRINTER_ATTRS.contains(&qv::FAILOVER_DEFAULT)
            && PRINTER_ATTRS.contains(&qv::FAILOVER_GRACE_TIME)
    );
}

#[test]
fn failover_job_lines() {
    let text = |v: &str| Value::Text(v.into());
    let vault = "vault: biometric, encrypts job data, erases storage; level 5; idle";
    let draft = "draft: does not qualify: no authentication";
    let waiting = |state: &str| {
        group(
            DelimiterTag::Job,
            vec![
                kw(qv::FAILOVER_STATE, state),
                Attribute::set(qv::FAILOVER_CANDIDATES, vec![text(draft), text(vault)]),
            ],
        )
    };
    let choice = format!("\t\t{vault}");
    let refused = format!("\t\t{draft}");
    assert_eq!(
        failover_details(&waiting("awaiting-choice"), 12),
        [
            "\tFailover: awaiting-choice (choose with \"quire failover 12 PRINTER\")",
            "\tCandidates:",
            &choice,
            &refused
        ]
    );
    assert_eq!(
        failover_details(&waiting("watching"), 12)[..2],
        ["\tFailover: watching", "\tCandidates:"]
    );
    assert_eq!(failover_details(&waiting("no-qualified-printer"), 12).len(), 4);
    // Once the job has moved (or its printer recovered), the state alone.
    assert_eq!(failover_details(&waiting("handing-off"), 12), ["\tFailover: handing-off"]);
    assert_eq!(failover_details(&waiting("resumed"), 12), ["\tFailover: resumed"]);
    assert!(failover_details(&group(DelimiterTag::Job, vec![]), 12).is_empty());
    assert!(
        JOB_LONG_ATTRS.contains(&qv::FAILOVER_STATE)
            && JOB_LONG_ATTRS.contains(&qv::FAILOVER_CANDIDATES)
    );
}

#[test]
fn failed_over_job_keeps_its_parts() {
    let text = |v: &str| Value::Text(v.into());
    let g = group(
        DelimiterTag::Job,
        vec![
            Attribute::set("job-state-reasons", vec![Value::Keyword(qv::REASON_FAILED_OVER.into())]),
            kw(qv::FAILOVER_STATE, "failed-over"),
            Attribute::set(
                qv::SPLIT_PARTS,
                vec![
                    text("job 15 on office: printed before \"office\" stopped: copy 1, pages 1-7 (7 impressions) (completed, 7 impressions)"),
                    text("job 16 on vault: rest after \"office\" stopped: copy 1, pages 8-20 (pending, 0 impressions)"),
                ],
            ),
        ],
    );
    assert_eq!(failover_details(&g, 12), ["\tFailover: failed-over"]);
    assert_eq!(
        split_details(&g),
        [
            "\tFailed over into 2 parts:",
            "\t\tjob 15 on office: printed before \"office\" stopped: copy 1, pages 1-7 (7 impressions) (completed, 7 impressions)",
            "\t\tjob 16 on vault: rest after \"office\" stopped: copy 1, pages 8-20 (pending, 0 impressions)"
        ]
    );
}
