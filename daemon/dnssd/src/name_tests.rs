use super::*;
use proptest::prelude::*;

#[test]
fn instance_names_as_cupsd_registers_them() {
    assert_eq!(instance_name("office", "Office laser", Some("quire-a")), "Office laser @ quire-a");
    assert_eq!(instance_name("office", "", Some("quire-a")), "office @ quire-a");
    assert_eq!(instance_name("office", "  ", None), "office");
}

#[test]
fn long_names_are_cut_at_a_character_boundary() {
    let info = "é".repeat(40);
    let n = instance_name("q", &info, Some("host"));
    assert!(n.len() <= MAX_INSTANCE_LEN);
    assert!(n.chars().all(|c| c == 'é'));
}

#[test]
fn zone_labels_escape_dots_and_spaces() {
    assert_eq!(zone_label("Laser 2.0 @ a"), "Laser\\0322\\.0\\032\\064\\032a");
    assert_eq!(zone_label("a\\b;c"), "a\\\\b\\059c");
}

proptest! {
    #[test]
    fn zone_labels_are_printable_without_separators(name in "\\PC{0,40}") {
        let z = zone_label(&name);
        prop_assert!(z.bytes().all(|b| b.is_ascii_graphic()));
        // Every dot is escaped: splitting on unescaped dots gives one label.
        let mut prev_backslash = false;
        for b in z.bytes() {
            prop_assert!(b != b'.' || prev_backslash);
            prev_backslash = b == b'\\' && !prev_backslash;
        }
    }
}
