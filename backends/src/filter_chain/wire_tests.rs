use super::*;
use quire_filters::RasterFormat;
use std::io::Cursor;

fn full_plan() -> Plan {
    let banner = |c: Option<&str>| BannerInfo {
        job_id: 12,
        job_name: "quarterly report (draft)".into(),
        user: "alice".into(),
        printer: "office".into(),
        created_unix: 4_102_444_800,
        classification: c.map(str::to_string),
        pages: None,
    };
    Plan {
        opts: ConvertOptions {
            media: Some("iso_a4_210x297mm".into()),
            orientation: Some(4),
            presentation_direction: Some("tobottom-toright".into()),
        },
        ranges: Some(vec![(1, 2), (5, 9)]),
        number_up: Some(4),
        copies: Some((3, false)),
        raster: Some(RasterOptions { format: RasterFormat::Urf, dpi: 600, color: true }),
        banners: [Some(banner(None)), Some(banner(Some("secret")))],
        formats: vec!["text/plain; charset=utf-8".into(), "application/postscript".into()],
    }
}

#[test]
fn a_plan_survives_the_pipe_and_the_documents_follow_it() {
    for plan in [full_plan(), Plan { formats: vec!["image/jpeg".into()], ..Plan::default() }] {
        let mut bytes = encode_plan(&plan).encode();
        bytes.extend_from_slice(b"document bytes");
        let mut input = Cursor::new(bytes);
        assert_eq!(read_plan(&mut input).expect("plan"), plan);
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).expect("rest");
        assert_eq!(rest, b"document bytes");
    }
}

#[test]
fn bad_plans_are_refused() {
    let mut msg = encode_plan(&full_plan());
    msg.group_mut(DelimiterTag::Operation).attributes.retain(|a| a.name != "number-up");
    msg.group_mut(DelimiterTag::Operation).push(Attribute::new("number-up", Value::Integer(-2)));
    assert!(decode_plan(&msg).is_err(), "negative number-up");
    let mut msg = encode_plan(&full_plan());
    msg.push_group(Group::new(DelimiterTag::Document));
    assert!(decode_plan(&msg).is_err(), "a document without a format");
    let mut msg = encode_plan(&full_plan());
    msg.group_mut(DelimiterTag::Job).attributes[0] = kw("job-sheets", "middle");
    assert!(decode_plan(&msg).is_err(), "a banner neither at the start nor the end");
    assert!(matches!(read_plan(&mut Cursor::new(b"\x02\x00".to_vec())), Err(WireError::Truncated)));
    assert!(read_plan(&mut Cursor::new(vec![0xff; 64])).is_err());
    let mut bad_tag = encode_plan(&full_plan()).encode();
    bad_tag[8] = 0x00;
    assert!(matches!(read_plan(&mut Cursor::new(bad_tag)), Err(WireError::BadPlan(_))));
}

#[test]
fn streams_round_trip_in_bounded_chunks() {
    for size in [0usize, 1, CHUNK, CHUNK * 2 + 17] {
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut wire = Vec::new();
        assert_eq!(write_stream(&mut &data[..], &mut wire).expect("write"), size as u64);
        let mut out = Vec::new();
        assert_eq!(
            read_stream(&mut &wire[..], &mut out, u64::MAX).expect("read"),
            Some(size as u64)
        );
        assert_eq!(out, data);
        let mut small = Vec::new();
        if size > 0 {
            assert_eq!(
                read_stream(&mut &wire[..], &mut small, size as u64 - 1).expect("read"),
                None,
                "over the limit"
            );
        }
    }
}

#[test]
fn hostile_result_streams_are_refused() {
    let mut sink = |_: usize| -> io::Result<Box<dyn Write>> { Ok(Box::new(io::sink())) };
    let huge = ((MAX_CHUNK + 1) as u32).to_be_bytes();
    assert!(matches!(read_results(&mut &huge[..], 1, &mut sink), Err(WireError::ChunkTooLarge(_))));
    let mut two = Vec::new();
    write_stream(&mut &b"one"[..], &mut two).expect("write");
    write_stream(&mut &b"two"[..], &mut two).expect("write");
    assert!(read_results(&mut &two[..], 2, &mut sink).is_ok());
    assert!(
        matches!(read_results(&mut &two[..], 1, &mut sink), Err(WireError::TrailingData)),
        "more results than asked for"
    );
    assert!(
        matches!(read_results(&mut &two[..], 3, &mut sink), Err(WireError::Truncated)),
        "fewer results than asked for"
    );
    assert!(
        matches!(read_results(&mut &two[..5], 1, &mut sink), Err(WireError::Truncated)),
        "a chunk cut short"
    );
}
