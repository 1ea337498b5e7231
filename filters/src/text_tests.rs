use super::*;

fn chars(chunks: &[&[u8]]) -> String {
    let mut out = String::new();
    let mut carry = Vec::new();
    for c in chunks {
        carry.extend_from_slice(c);
        let used = decode_utf8(&carry, false, &mut |ch| {
            out.push(ch);
            Ok(())
        })
        .unwrap();
        carry.drain(..used);
    }
    decode_utf8(&carry, true, &mut |ch| {
        out.push(ch);
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn utf8_split_across_chunks() {
    let s = "héllo €".as_bytes();
    for cut in 0..s.len() {
        assert_eq!(chars(&[&s[..cut], &s[cut..]]), "héllo €", "cut {cut}");
    }
}

#[test]
fn invalid_utf8_becomes_question_marks() {
    assert_eq!(chars(&[b"a\xffb"]), "a?b");
    assert_eq!(chars(&[b"a\xe2\x82"]), "a?");
}

#[test]
fn layout_fits_narrow_media() {
    let opts = ConvertOptions { media: Some("na_index-4x6_4x6in".into()), ..Default::default() };
    let l = Layout::new(&opts);
    assert!(l.font_size * 0.6 * COLUMNS as f32 <= 288.0 - 2.0 * MARGIN + 0.01);
    assert!(l.y < 432.0);
}
