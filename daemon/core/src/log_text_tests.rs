use super::*;

#[test]
fn plain_text_is_left_alone() {
    assert!(matches!(escape("alice printed job 12 to \"office\" (ü)"), Cow::Borrowed(_)));
}

#[test]
fn controls_and_line_separators_are_escaped() {
    assert_eq!(
        escape("mallory\nE [forged] root logged in\r"),
        "mallory\\nE [forged] root logged in\\r"
    );
    assert_eq!(escape("a\tb\u{1b}[31mc\u{0}d\u{7f}"), "a\\tb\\u{1b}[31mc\\u{0}d\\u{7f}");
    assert_eq!(escape("x\u{85}y\u{2028}z\u{2029}"), "x\\u{85}y\\u{2028}z\\u{2029}");
}
