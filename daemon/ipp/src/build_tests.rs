use super::*;
use crate::{Message, Operation, StatusCode};

#[test]
fn integers_are_clamped_to_32_bits() {
    assert_eq!(clamped_integer(7u32), Value::Integer(7));
    assert_eq!(clamped_integer(-7i64), Value::Integer(-7));
    assert_eq!(clamped_integer(u64::MAX), Value::Integer(i32::MAX));
    assert_eq!(clamped_integer(i64::from(i32::MAX) + 1), Value::Integer(i32::MAX));
    assert_eq!(clamped_integer(i64::MIN), Value::Integer(i32::MIN));
}

#[test]
fn media_col_lists_size_margins_source_and_type() {
    let col = media_col(21000, 29700, 423, Some("main"), None);
    let members = col.as_collection().expect("collection");
    let names: Vec<&str> = members.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "media-size",
            "media-bottom-margin",
            "media-left-margin",
            "media-right-margin",
            "media-top-margin",
            "media-source"
        ]
    );
    assert_eq!(members[0].first(), Some(&media_size(21000, 29700)));
}

#[test]
fn requests_and_responses_start_with_charset_and_language() {
    for msg in [
        Message::request(Operation::GetJobs, 3),
        Message::response((1, 1), StatusCode::SuccessfulOk, 3),
    ] {
        let op = msg.groups.first().expect("operation group");
        let names: Vec<&str> = op.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["attributes-charset", "attributes-natural-language"]);
        assert_eq!(msg.request_id, 3);
    }
    assert_eq!(Message::request(Operation::GetJobs, 1).version, (2, 0));
    assert_eq!(Message::response((1, 1), StatusCode::SuccessfulOk, 1).version, (1, 1));
}
