//! Codec tests: round-trips, incremental feeding, malformed input, properties.

use super::*;
use crate::encode::EncodeError;
use crate::message::{Attribute, Group, Message};
use crate::ops::StatusCode;
use crate::tag::DelimiterTag;
use crate::value::{DateTime, ResolutionUnits, Value};
use proptest::prelude::*;

fn kw(s: &str) -> Value {
    Value::Keyword(s.into())
}

fn int(i: i32) -> Value {
    Value::Integer(i)
}

fn member(name: &str, values: Vec<Value>) -> Attribute {
    Attribute::set(name, values)
}

fn operation_group(uri: &str) -> Group {
    let mut g = Group::new(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    g.push(Attribute::new("printer-uri", Value::Uri(uri.into())));
    g
}

/// A Get-Printer-Attributes request as `ipptool` sends it.
fn get_printer_attributes() -> Message {
    let mut m = Message::new((2, 0), 0x000B, 1);
    let mut op = operation_group("ipp://localhost/printers/test");
    op.push(Attribute::new("requesting-user-name", Value::Name("alice".into())));
    op.push(Attribute::set(
        "requested-attributes",
        vec![kw("printer-state"), kw("media-col-database")],
    ));
    m.push_group(op);
    m
}

/// A Print-Job request header with job template attributes.
fn print_job() -> Message {
    let mut m = Message::new((1, 1), 0x0002, 42);
    let mut op = operation_group("ipp://localhost/printers/test");
    op.push(Attribute::new("job-name", Value::Name("report.pdf".into())));
    op.push(Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())));
    m.push_group(op);
    let mut job = Group::new(DelimiterTag::Job);
    job.push(Attribute::new("copies", int(2)));
    job.push(Attribute::new("sides", kw("two-sided-long-edge")));
    job.push(Attribute::new("media-col", media_col(21000, 29700, "stationery")));
    m.push_group(job);
    m
}

fn media_size(x: i32, y: i32) -> Value {
    Value::Collection(vec![
        member("x-dimension", vec![int(x)]),
        member("y-dimension", vec![int(y)]),
    ])
}

fn media_col(x: i32, y: i32, ty: &str) -> Value {
    Value::Collection(vec![
        member("media-size", vec![media_size(x, y)]),
        member("media-type", vec![kw(ty)]),
        // A 1setOf member inside a collection.
        member("media-source-properties", vec![kw("a"), Value::Name("b".into())]),
    ])
}

fn every_value() -> Vec<Value> {
    let date = DateTime {
        year: 2024,
        month: 2,
        day: 29,
        hour: 23,
        minutes: 59,
        seconds: 60,
        deci_seconds: 9,
        utc_dir: b'-',
        utc_hours: 5,
        utc_minutes: 30,
    };
    vec![
        Value::Unsupported,
        Value::Default,
        Value::Unknown,
        Value::NoValue,
        Value::NotSettable,
        Value::DeleteAttribute,
        Value::AdminDefine,
        Value::Integer(i32::MIN),
        Value::Boolean(true),
        Value::Boolean(false),
        Value::Enum(3),
        Value::OctetString(vec![0, 0xFF, 3]),
        Value::DateTime(date),
        Value::Resolution { cross_feed: 600, feed: 300, units: ResolutionUnits::DotsPerInch },
        Value::Resolution { cross_feed: 118, feed: 118, units: ResolutionUnits::DotsPerCm },
        Value::Resolution { cross_feed: 1, feed: 2, units: ResolutionUnits::Other(9) },
        Value::RangeOfInteger { lower: -1, upper: i32::MAX },
        Value::TextWithLanguage { language: "fr".into(), text: "Bonjour été".into() },
        Value::NameWithLanguage { language: "de".into(), name: "Drucker".into() },
        Value::Text("hello".into()),
        Value::Name("name".into()),
        Value::Keyword("kw".into()),
        Value::Uri("ipp://h/p".into()),
        Value::UriScheme("ipps".into()),
        Value::Charset("utf-8".into()),
        Value::NaturalLanguage("en-us".into()),
        Value::MimeMediaType("text/plain".into()),
        Value::Text(String::new()),
        Value::Collection(Vec::new()),
        media_col(1, 2, "x"),
        Value::Other { tag: 0x14, data: vec![] },
        Value::Other { tag: 0x20, data: vec![1, 2] },
        Value::Other { tag: 0x38, data: vec![9] },
        Value::Other { tag: 0x4B, data: b"x".to_vec() },
        Value::Other { tag: 0x60, data: vec![] },
        Value::Other { tag: 0x4000_0001, data: vec![7, 7] },
        Value::Other { tag: 0x7F, data: vec![0, 0, 0, 0x21, 0xAA] },
    ]
}

fn roundtrip(m: &Message) {
    let bytes = m.encode();
    let (back, rest) = decode(&bytes).expect("decodes");
    assert_eq!(&back, m);
    assert!(rest.is_empty());
    assert_eq!(m.try_encode().as_deref(), Ok(&bytes[..]));
}

/// Feeds `bytes` in chunks of `chunk` and returns the message and the
/// absolute offset just after the end-of-attributes tag.
fn feed_chunked(bytes: &[u8], chunk: usize) -> Result<Option<(Message, usize)>, DecodeError> {
    let mut d = MessageDecoder::new(Limits::default());
    let mut offset = 0;
    for piece in bytes.chunks(chunk.max(1)) {
        if let Some((m, used)) = d.feed(piece)? {
            assert!(used <= piece.len());
            return Ok(Some((m, offset + used)));
        }
        offset += piece.len();
    }
    Ok(None)
}

fn with_value(tag: u8, name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut b = vec![2, 0, 0, 0x0B, 0, 0, 0, 1, 0x01];
    b.push(tag);
    b.extend_from_slice(&(name.len() as u16).to_be_bytes());
    b.extend_from_slice(name);
    b.extend_from_slice(&(value.len() as u16).to_be_bytes());
    b.extend_from_slice(value);
    b
}

fn one_value(tag: u8, value: &[u8]) -> Result<Value, DecodeError> {
    let mut b = with_value(tag, b"a", value);
    b.push(0x03);
    let (m, _) = decode(&b)?;
    Ok(m.groups[0].attributes[0].values[0].clone())
}

// ---------------------------------------------------------------------------
// Round-trips

#[test]
fn roundtrip_every_value_tag_single_and_as_1set_of() {
    let mut m = Message::new((2, 0), 0x0B, 7);
    let mut g = Group::new(DelimiterTag::Printer);
    for (i, v) in every_value().into_iter().enumerate() {
        g.push(Attribute::new(format!("attr-{i}"), v));
    }
    g.push(Attribute::set("all-of-them", every_value()));
    m.push_group(g);
    roundtrip(&m);
}

#[test]
fn roundtrip_requests_and_every_group_tag() {
    roundtrip(&get_printer_attributes());
    roundtrip(&print_job());
    let mut m = Message::new((2, 0), 0, -5);
    for t in [0x01u8, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A] {
        let tag = DelimiterTag::from_u8(t).unwrap();
        m.push_group(Group::new(tag));
        m.push_group(Group { tag, attributes: vec![Attribute::new("x", int(t.into()))] });
    }
    roundtrip(&m);
    roundtrip(&Message::new((0, 0), 0xFFFF, i32::MIN));
}

#[test]
fn known_wire_bytes() {
    let mut m = Message::new((1, 1), 0x000B, 1);
    let mut op = Group::new(DelimiterTag::Operation);
    op.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    op.push(Attribute::set("x", vec![kw("a"), Value::Name("b".into())]));
    m.push_group(op);
    let mut want = vec![1, 1, 0, 0x0B, 0, 0, 0, 1, 0x01, 0x47, 0, 18];
    want.extend_from_slice(b"attributes-charset");
    want.extend_from_slice(&[0, 5]);
    want.extend_from_slice(b"utf-8");
    want.extend_from_slice(&[0x44, 0, 1, b'x', 0, 1, b'a', 0x42, 0, 0, 0, 1, b'b', 0x03]);
    assert_eq!(m.encode(), want);
}

#[test]
fn media_col_database_with_nested_collections() {
    let mut m = Message::new((2, 0), 0, 1);
    let mut p = Group::new(DelimiterTag::Printer);
    let db = (0..20).map(|i| media_col(10000 + i, 20000 + i, "stationery")).collect();
    p.push(Attribute::set("media-col-database", db));
    let ranges = Value::Collection(vec![
        member("x-dimension", vec![Value::RangeOfInteger { lower: 1, upper: 2 }]),
        member("y-dimension", vec![int(3), int(4)]),
    ]);
    p.push(Attribute::set("media-size-supported", vec![media_size(1, 2), ranges]));
    m.push_group(p);
    roundtrip(&m);
    let bytes = m.encode();
    let (back, _) = decode(&bytes).unwrap();
    let first = back.attr(DelimiterTag::Printer, "media-col-database").unwrap().first().unwrap();
    let size = first.as_collection().unwrap()[0].first().unwrap().as_collection().unwrap();
    assert_eq!(size[0].name, "x-dimension");
    assert_eq!(size[0].first_i32(), Some(10000));
}

#[test]
fn mixed_1set_of_keeps_each_tag() {
    let mut m = Message::new((2, 0), 0x0A, 3);
    let mut op = operation_group("ipp://h/");
    op.push(Attribute::set(
        "which-jobs",
        vec![kw("completed"), Value::Name("custom".into()), Value::NoValue],
    ));
    m.push_group(op);
    roundtrip(&m);
}

#[test]
fn extension_tag() {
    // 0x7F with a 4-byte vendor tag in the value.
    let v = one_value(0x7F, &[0x40, 0, 0, 0x10, 1, 2, 3]).unwrap();
    assert_eq!(v, Value::Other { tag: 0x4000_0010, data: vec![1, 2, 3] });
    // An escaped small tag is kept whole.
    let v = one_value(0x7F, &[0, 0, 0, 0x21, 0, 0, 0, 1]).unwrap();
    assert_eq!(v, Value::Other { tag: 0x7F, data: vec![0, 0, 0, 0x21, 0, 0, 0, 1] });
    // Fewer than four bytes is a bad length.
    assert!(matches!(
        one_value(0x7F, &[0, 0, 1]),
        Err(DecodeError::BadValueLength { tag: 0x7F, len: 3, .. })
    ));
    // A single-byte tag >= 0x80 re-encodes through the extension tag.
    let v = one_value(0x90, &[5]).unwrap();
    assert_eq!(v, Value::Other { tag: 0x90, data: vec![5] });
    let mut m = Message::new((2, 0), 0, 1);
    m.push_group(Group { tag: DelimiterTag::Job, attributes: vec![Attribute::new("v", v)] });
    let bytes = m.encode();
    assert_eq!(&bytes[9..13], &[0x7F, 0, 1, b'v']);
    roundtrip(&m);
}

#[test]
fn unknown_tags_are_kept() {
    for tag in [0x20u8, 0x24, 0x2F, 0x38, 0x3F, 0x40, 0x43, 0x4B, 0x5F, 0x60, 0x7E, 0xFF] {
        let v = one_value(tag, b"zz").unwrap();
        assert_eq!(v, Value::Other { tag: tag.into(), data: b"zz".to_vec() });
    }
    assert_eq!(one_value(0x14, b"").unwrap(), Value::Other { tag: 0x14, data: vec![] });
}

#[test]
fn other_version_is_reported_not_rejected() {
    let mut m = get_printer_attributes();
    m.version = (9, 9);
    roundtrip(&m);
}

// ---------------------------------------------------------------------------
// Incremental feeding

#[test]
fn byte_at_a_time_with_trailing_document() {
    let m = print_job();
    let mut bytes = m.encode();
    let header_len = bytes.len();
    bytes.extend_from_slice(b"%PDF-1.7 document data");
    for chunk in [1, 2, 3, 7, 64, bytes.len()] {
        let (got, end) = feed_chunked(&bytes, chunk).unwrap().unwrap();
        assert_eq!(got, m);
        assert_eq!(end, header_len, "chunk {chunk}");
    }
    let (got, rest) = decode(&bytes).unwrap();
    assert_eq!(got, m);
    assert_eq!(rest, b"%PDF-1.7 document data");
}

#[test]
fn decoder_starts_over_after_a_message() {
    let mut bytes = get_printer_attributes().encode();
    bytes.extend(print_job().encode());
    let mut d = MessageDecoder::new(Limits::default());
    let (a, used) = d.feed(&bytes).unwrap().unwrap();
    assert_eq!(a, get_printer_attributes());
    let (b, used2) = d.feed(&bytes[used..]).unwrap().unwrap();
    assert_eq!(b, print_job());
    assert_eq!(used + used2, bytes.len());
}

#[test]
fn every_prefix_is_incomplete_then_truncated() {
    let bytes = print_job().encode();
    for len in 0..bytes.len() {
        let mut d = MessageDecoder::new(Limits::default());
        assert_eq!(d.feed(&bytes[..len]), Ok(None), "prefix {len}");
        assert_eq!(d.finish(), DecodeError::Truncated);
        assert_eq!(decode(&bytes[..len]), Err(DecodeError::Truncated));
    }
}

#[test]
fn errors_are_sticky() {
    let mut d = MessageDecoder::new(Limits::default());
    let bad = [2, 0, 0, 0x0B, 0, 0, 0, 1, 0x00];
    assert_eq!(d.feed(&bad), Err(DecodeError::BadDelimiterTag(0)));
    assert_eq!(d.feed(&[0x03]), Err(DecodeError::BadDelimiterTag(0)));
    assert_eq!(d.finish(), DecodeError::BadDelimiterTag(0));
}

// ---------------------------------------------------------------------------
// Malformed input

#[test]
fn bad_delimiter_tags() {
    for t in [0x00u8, 0x0B, 0x0F] {
        let b = [2, 0, 0, 0x0B, 0, 0, 0, 1, t];
        assert_eq!(decode(&b), Err(DecodeError::BadDelimiterTag(t)));
        let b = [2, 0, 0, 0x0B, 0, 0, 0, 1, 0x01, t];
        assert_eq!(decode(&b), Err(DecodeError::BadDelimiterTag(t)));
    }
}

#[test]
fn attribute_outside_group_and_missing_name() {
    let mut b = vec![2, 0, 0, 0x0B, 0, 0, 0, 1, 0x44, 0, 1, b'a', 0, 0, 0x03];
    assert_eq!(decode(&b), Err(DecodeError::AttributeOutsideGroup));
    b = with_value(0x44, b"", b"x");
    assert_eq!(decode(&b), Err(DecodeError::MissingName { tag: 0x44 }));
    // The previous attribute must be in the same group.
    let mut b = with_value(0x44, b"a", b"x");
    b.extend_from_slice(&[0x02, 0x44, 0, 0, 0, 1, b'y', 0x03]);
    assert_eq!(decode(&b), Err(DecodeError::MissingName { tag: 0x44 }));
}

#[test]
fn bad_value_lengths() {
    let cases: &[(u8, usize)] = &[
        (0x21, 3),
        (0x21, 5),
        (0x23, 0),
        (0x22, 0),
        (0x22, 2),
        (0x31, 10),
        (0x31, 12),
        (0x32, 8),
        (0x33, 7),
        (0x33, 9),
        (0x13, 1),
        (0x10, 4),
        (0x34, 1),
    ];
    for &(tag, len) in cases {
        let err = one_value(tag, &vec![0; len]).unwrap_err();
        assert_eq!(
            err,
            DecodeError::BadValueLength { attribute: "a".into(), tag: tag.into(), len },
            "{tag:#x}"
        );
        assert!(err.to_string().contains("\"a\""));
    }
    assert_eq!(
        one_value(0x22, &[2]),
        Err(DecodeError::BadBoolean { attribute: "a".into(), value: 2 })
    );
}

#[test]
fn with_language_lengths_must_fill_the_value() {
    let ok = [0, 2, b'e', b'n', 0, 2, b'h', b'i'];
    let v = one_value(0x35, &ok).unwrap();
    assert_eq!(v, Value::TextWithLanguage { language: "en".into(), text: "hi".into() });
    for bad in
        [&ok[..7], &[0, 2, b'e', b'n', 0, 2, b'h', b'i', b'!'][..], &[0, 9, 0, 0][..], &[0][..]]
    {
        assert!(matches!(one_value(0x36, bad), Err(DecodeError::BadValueLength { tag: 0x36, .. })));
    }
    let bad_utf8 = [0, 2, b'e', b'n', 0, 1, 0xFF];
    assert!(matches!(one_value(0x35, &bad_utf8), Err(DecodeError::InvalidUtf8 { .. })));
}

#[test]
fn invalid_utf8() {
    for tag in [0x41u8, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49] {
        assert_eq!(
            one_value(tag, &[b'a', 0xC3]),
            Err(DecodeError::InvalidUtf8 { attribute: "a".into() })
        );
    }
    // octetString is not text.
    assert_eq!(one_value(0x30, &[0xC3]), Ok(Value::OctetString(vec![0xC3])));
    // Attribute names must be UTF-8 too.
    let mut b = with_value(0x44, &[b'n', 0xFF], b"x");
    b.push(0x03);
    assert!(matches!(decode(&b), Err(DecodeError::InvalidUtf8 { .. })));
}

/// Builds a message whose single attribute is a hand-made item sequence.
fn items(list: &[(u8, &[u8], &[u8])]) -> Vec<u8> {
    let mut b = vec![2, 0, 0, 0x0B, 0, 0, 0, 1, 0x04];
    for &(tag, name, value) in list {
        b.push(tag);
        b.extend_from_slice(&(name.len() as u16).to_be_bytes());
        b.extend_from_slice(name);
        b.extend_from_slice(&(value.len() as u16).to_be_bytes());
        b.extend_from_slice(value);
    }
    b.push(0x03);
    b
}

fn collection_error(list: &[(u8, &[u8], &[u8])]) -> &'static str {
    match decode(&items(list)) {
        Err(DecodeError::BadCollection { reason, .. }) => reason,
        other => panic!("expected BadCollection, got {other:?}"),
    }
}

#[test]
fn malformed_collections() {
    let beg: (u8, &[u8], &[u8]) = (0x34, b"c", b"");
    let end: (u8, &[u8], &[u8]) = (0x37, b"", b"");
    let mem: (u8, &[u8], &[u8]) = (0x4A, b"", b"m");
    let val: (u8, &[u8], &[u8]) = (0x21, b"", &[0, 0, 0, 1]);
    assert_eq!(collection_error(&[mem]), "member name or end tag outside a collection");
    assert_eq!(
        collection_error(&[(0x44, b"a", b"k"), end]),
        "member name or end tag outside a collection"
    );
    assert_eq!(collection_error(&[beg, mem, val]), "missing endCollection");
    assert_eq!(collection_error(&[beg, val, end]), "value before memberAttrName");
    assert_eq!(collection_error(&[beg, mem, end]), "member without a value");
    assert_eq!(collection_error(&[beg, mem, mem, val, end]), "member without a value");
    assert_eq!(collection_error(&[beg, (0x4A, b"", b""), val, end]), "empty memberAttrName");
    assert_eq!(
        collection_error(&[beg, mem, (0x21, b"n", &[0, 0, 0, 1]), end]),
        "member value with a name"
    );
    assert!(matches!(
        decode(&items(&[beg, mem, val, (0x37, b"", b"x")])),
        Err(DecodeError::BadValueLength { tag: 0x37, .. })
    ));
    assert!(matches!(
        decode(&items(&[beg, (0x4A, b"", &[0xFF]), val, end])),
        Err(DecodeError::InvalidUtf8 { .. })
    ));
    // The error names the path to the member.
    let err = decode(&items(&[beg, mem, (0x22, b"", &[7]), end])).unwrap_err();
    assert_eq!(err, DecodeError::BadBoolean { attribute: "c.m".into(), value: 7 });
    // Well formed, with an empty collection as a second value.
    let (m, _) = decode(&items(&[beg, mem, val, val, end, (0x34, b"", b""), end])).unwrap();
    let c = &m.groups[0].attributes[0];
    assert_eq!(c.values[0], Value::Collection(vec![member("m", vec![int(1), int(1)])]));
    assert_eq!(c.values[1], Value::Collection(vec![]));
}

fn nested(depth: usize) -> Message {
    let mut v = int(1);
    for _ in 0..depth {
        v = Value::Collection(vec![member("m", vec![v])]);
    }
    let mut m = Message::new((2, 0), 0, 1);
    m.push_group(Group { tag: DelimiterTag::Job, attributes: vec![Attribute::new("deep", v)] });
    m
}

#[test]
fn limits() {
    let limits = Limits::default();
    roundtrip(&nested(limits.max_collection_depth));
    let err = decode(&nested(limits.max_collection_depth + 1).encode()).unwrap_err();
    assert!(matches!(err, DecodeError::CollectionTooDeep { limit: 16, .. }), "{err:?}");

    let bytes = print_job().encode();
    let exact = Limits { max_attribute_bytes: bytes.len(), ..limits };
    assert!(decode_with(&bytes, exact).is_ok());
    let small = Limits { max_attribute_bytes: bytes.len() - 1, ..limits };
    assert_eq!(decode_with(&bytes, small), Err(DecodeError::TooLarge { limit: bytes.len() - 1 }));
    // A huge declared value length is refused before it is buffered.
    let mut d = MessageDecoder::new(Limits { max_attribute_bytes: 100, ..limits });
    assert_eq!(
        d.feed(&[2, 0, 0, 1, 0, 0, 0, 1, 1, 0x41, 0, 1, b'a', 0xFF, 0xFF]),
        Err(DecodeError::TooLarge { limit: 100 })
    );

    let m = get_printer_attributes();
    let count = m.groups.iter().flat_map(|g| &g.attributes).map(|a| a.values.len()).sum::<usize>();
    let few = Limits { max_values: count - 1, ..limits };
    assert_eq!(decode_with(&m.encode(), few), Err(DecodeError::TooManyValues { limit: count - 1 }));
    assert!(decode_with(&m.encode(), Limits { max_values: count, ..limits }).is_ok());
}

#[test]
fn status_messages_are_short() {
    let e = DecodeError::BadCollection { attribute: "é".repeat(200), reason: "x" };
    assert!(e.status_message().len() <= 255);
    assert!(e.status_message().starts_with("bad IPP collection"));
    assert_eq!(
        DecodeError::TooLarge { limit: 1 }.status_message(),
        "IPP attributes larger than 1 bytes"
    );
}

// ---------------------------------------------------------------------------
// Encoder edge cases

#[test]
fn long_values_are_truncated_at_a_char_boundary() {
    let long = "é".repeat(40_000); // 80000 bytes
    let mut m = Message::new((2, 0), 0, 1);
    let attrs = vec![
        Attribute::new("t", Value::Text(long.clone())),
        Attribute::new("o", Value::OctetString(vec![1; 70_000])),
        Attribute::new("l", Value::TextWithLanguage { language: "en".into(), text: long.clone() }),
        Attribute::new("x", Value::Other { tag: 0x4000_0000, data: vec![2; 70_000] }),
        Attribute::new(long, int(1)),
    ];
    m.push_group(Group { tag: DelimiterTag::Job, attributes: attrs });
    assert!(matches!(m.try_encode(), Err(EncodeError::ValueTooLong { len: 80_000, .. })));
    let (back, _) = decode(&m.encode()).unwrap();
    let a = &back.groups[0].attributes;
    assert_eq!(a[0].first_str().unwrap().len(), 65534);
    assert_eq!(a[1].first(), Some(&Value::OctetString(vec![1; 65535])));
    assert_eq!(a[2].first_str().unwrap().len(), 65535 - 4 - 2 - 1);
    assert_eq!(a[3].first(), Some(&Value::Other { tag: 0x4000_0000, data: vec![2; 65531] }));
    assert_eq!(a[4].name.len(), 65534);
}

#[test]
fn unencodable_parts_are_skipped_by_encode_and_refused_by_try_encode() {
    let mut m = Message::new((2, 0), 0, 1);
    m.push_group(Group {
        tag: DelimiterTag::Job,
        attributes: vec![Attribute::set("empty", vec![]), Attribute::new("", int(1))],
    });
    assert_eq!(m.try_encode(), Err(EncodeError::NoValues { attribute: "empty".into() }));
    let (back, _) = decode(&m.encode()).unwrap();
    assert!(back.groups[0].attributes.is_empty());

    let mut m = Message::new((2, 0), 0, 1);
    m.push_group(Group::new(DelimiterTag::EndOfAttributes));
    assert_eq!(m.try_encode(), Err(EncodeError::EndOfAttributesGroup));
    assert_eq!(decode(&m.encode()).unwrap().0.groups, vec![]);

    for (tag, data) in
        [(0x21u32, vec![0; 4]), (0x34, vec![]), (0x05, vec![]), (0x14, vec![1]), (0x7F, vec![1])]
    {
        let mut m = Message::new((2, 0), 0, 1);
        m.push_group(Group {
            tag: DelimiterTag::Job,
            attributes: vec![Attribute::new("o", Value::Other { tag, data })],
        });
        assert!(matches!(m.try_encode(), Err(EncodeError::BadOther { .. })), "{tag:#x}");
        // Still well framed.
        assert!(decode(&m.encode()).is_ok() || tag == 0x7F || tag == 0x21, "{tag:#x}");
    }
}

// ---------------------------------------------------------------------------
// Properties

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z0-9-]{1,12}", "\\PC{0,8}"]
}

fn arb_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,20}"
}

fn arb_date() -> impl Strategy<Value = DateTime> {
    (any::<u16>(), any::<[u8; 9]>()).prop_map(|(year, b)| DateTime {
        year,
        month: b[0],
        day: b[1],
        hour: b[2],
        minutes: b[3],
        seconds: b[4],
        deci_seconds: b[5],
        utc_dir: b[6],
        utc_hours: b[7],
        utc_minutes: b[8],
    })
}

fn arb_units() -> impl Strategy<Value = ResolutionUnits> {
    prop_oneof![
        Just(ResolutionUnits::DotsPerInch),
        Just(ResolutionUnits::DotsPerCm),
        any::<u8>()
            .prop_filter("not 3 or 4", |u| *u != 3 && *u != 4)
            .prop_map(ResolutionUnits::Other),
    ]
}

fn arb_other() -> impl Strategy<Value = Value> {
    let data = proptest::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        prop_oneof![Just(0x14u32), 0x18u32..=0x1F]
            .prop_map(|tag| Value::Other { tag, data: vec![] }),
        (
            prop_oneof![Just(0x20u32), 0x24u32..=0x2F, 0x38u32..=0x40, Just(0x43), 0x4Bu32..=0x7E],
            data.clone()
        )
            .prop_map(|(tag, data)| Value::Other { tag, data }),
        (0x80u32.., data.clone()).prop_map(|(tag, data)| Value::Other { tag, data }),
        (0u32..0x80, data).prop_map(|(t, rest)| {
            let mut data = t.to_be_bytes().to_vec();
            data.extend(rest);
            Value::Other { tag: 0x7F, data }
        }),
    ]
}

fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop_oneof![
            Just(Value::Unsupported),
            Just(Value::Default),
            Just(Value::Unknown),
            Just(Value::NoValue),
            Just(Value::NotSettable),
            Just(Value::DeleteAttribute),
            Just(Value::AdminDefine),
        ],
        any::<i32>().prop_map(Value::Integer),
        any::<bool>().prop_map(Value::Boolean),
        any::<i32>().prop_map(Value::Enum),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::OctetString),
        arb_date().prop_map(Value::DateTime),
        (any::<i32>(), any::<i32>(), arb_units()).prop_map(|(cross_feed, feed, units)| {
            Value::Resolution { cross_feed, feed, units }
        }),
        (any::<i32>(), any::<i32>())
            .prop_map(|(lower, upper)| Value::RangeOfInteger { lower, upper }),
        (arb_string(), arb_string())
            .prop_map(|(language, text)| Value::TextWithLanguage { language, text }),
        (arb_string(), arb_string())
            .prop_map(|(language, name)| Value::NameWithLanguage { language, name }),
        arb_string().prop_map(Value::Text),
        arb_string().prop_map(Value::Name),
        arb_string().prop_map(Value::Keyword),
        arb_string().prop_map(Value::Uri),
        arb_string().prop_map(Value::UriScheme),
        arb_string().prop_map(Value::Charset),
        arb_string().prop_map(Value::NaturalLanguage),
        arb_string().prop_map(Value::MimeMediaType),
        arb_other(),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_scalar().prop_recursive(4, 48, 6, |inner| {
        let member = (arb_name(), proptest::collection::vec(inner, 1..4))
            .prop_map(|(n, v)| Attribute::set(n, v));
        proptest::collection::vec(member, 0..4).prop_map(Value::Collection)
    })
}

fn arb_message() -> impl Strategy<Value = Message> {
    let attr = (arb_name(), proptest::collection::vec(arb_value(), 1..4))
        .prop_map(|(n, v)| Attribute::set(n, v));
    let tag = prop_oneof![Just(1u8), Just(2), 4u8..=0x0A]
        .prop_map(|t| DelimiterTag::from_u8(t).unwrap_or(DelimiterTag::Job));
    let group = (tag, proptest::collection::vec(attr, 0..5))
        .prop_map(|(tag, attributes)| Group { tag, attributes });
    (any::<(u8, u8)>(), any::<u16>(), any::<i32>(), proptest::collection::vec(group, 0..4))
        .prop_map(|(version, code, request_id, groups)| Message {
            version,
            code,
            request_id,
            groups,
            encoded_groups: Vec::new(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn prop_encode_decode_roundtrip(m in arb_message(), chunk in 1usize..40, tail in proptest::collection::vec(any::<u8>(), 0..8)) {
        let mut bytes = m.encode();
        prop_assert_eq!(m.try_encode(), Ok(bytes.clone()));
        let end = bytes.len();
        bytes.extend_from_slice(&tail);
        let (back, rest) = decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(rest, &tail[..]);
        let (again, used) = feed_chunked(&bytes, chunk).ok().flatten().ok_or_else(|| TestCaseError::fail("chunked"))?;
        prop_assert_eq!(again, m);
        prop_assert_eq!(used, end);
    }

    #[test]
    fn prop_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256), chunk in 1usize..16) {
        let one_shot = decode(&bytes).map(|(m, rest)| (m, bytes.len() - rest.len()));
        let chunked = feed_chunked(&bytes, chunk).and_then(|r| r.ok_or(DecodeError::Truncated));
        prop_assert_eq!(&one_shot, &chunked);
        if let Ok((m, _)) = one_shot {
            prop_assert_eq!(decode(&m.encode()).map(|(m, _)| m), Ok(m));
        }
    }

    #[test]
    fn prop_mutated_messages_never_panic(m in arb_message(), at in any::<usize>(), byte in any::<u8>(), chunk in 1usize..16) {
        let mut bytes = m.encode();
        let len = bytes.len();
        bytes[at % len] = byte;
        let one_shot = decode(&bytes).map(|(m, rest)| (m, bytes.len() - rest.len()));
        let chunked = feed_chunked(&bytes, chunk).and_then(|r| r.ok_or(DecodeError::Truncated));
        prop_assert_eq!(&one_shot, &chunked);
        if let Ok((m, _)) = one_shot {
            prop_assert_eq!(decode(&m.encode()).map(|(m, _)| m), Ok(m));
        }
    }
}

/// Writes the fuzz seed corpus: `cargo test -p quire-ipp -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/ipp_decode");
    std::fs::create_dir_all(&dir).unwrap();
    let mut pj = print_job().encode();
    pj.extend_from_slice(b"%PDF-1.7\n");
    let mut attrs = Message::new((2, 0), 0, 1);
    attrs.push_group(operation_group("ipp://h/"));
    let mut p = Group::new(DelimiterTag::Printer);
    p.push(Attribute::set("media-col-database", vec![media_col(1, 2, "a"), media_col(3, 4, "b")]));
    p.push(Attribute::set("mixed", every_value()));
    attrs.push_group(p);
    for (name, bytes) in [
        ("get-printer-attributes.ipp", get_printer_attributes().encode()),
        ("print-job.ipp", pj),
        ("printer-attributes-response.ipp", attrs.encode()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn large_value_byte_at_a_time_stays_linear() {
    // Re-parsing the pending item on every byte would take ~10^9 steps here.
    let mut m = Message::new((2, 0), 0, 1);
    let attrs = (0..4)
        .map(|i| Attribute::new(format!("big-{i}"), Value::OctetString(vec![7; 65_000])))
        .collect();
    m.push_group(Group { tag: DelimiterTag::Job, attributes: attrs });
    let bytes = m.encode();
    let (got, end) = feed_chunked(&bytes, 1).unwrap().unwrap();
    assert_eq!(end, bytes.len());
    assert_eq!(got, m);
}

#[test]
fn encoded_groups_go_last_and_decode_as_groups() {
    let mut printer = Group::new(DelimiterTag::Printer);
    printer.push(Attribute::new("printer-name", Value::Name("P1".into())));
    printer.push(Attribute::set("x", vec![Value::Integer(1), Value::Integer(2)]));
    let mut whole = Message::response((2, 0), StatusCode::SuccessfulOk, 7);
    whole.push_group(printer.clone());
    whole.push_group(printer.clone());
    let mut split = Message::response((2, 0), StatusCode::SuccessfulOk, 7);
    split.push_encoded_group(&printer);
    split.push_encoded_group(&printer);
    let bytes = split.encode();
    assert_eq!(bytes, whole.encode());
    assert_eq!(bytes.len(), split.encoded_len());
    assert_eq!(split.clone().into_chunks().concat(), bytes);
    let (decoded, rest) = decode(&bytes).expect("decodes");
    assert!(rest.is_empty());
    assert_eq!(decoded, whole);
}
