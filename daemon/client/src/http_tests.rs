use super::*;

#[test]
fn base64_vectors() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

fn head(minor: u8, headers: &[(&str, &str)]) -> Head {
    Head {
        status: 200,
        reason: "OK".into(),
        minor_version: minor,
        headers: headers.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
    }
}

#[test]
fn connection_close_rules() {
    assert!(!head(1, &[]).closes());
    assert!(head(1, &[("connection", "Close")]).closes());
    assert!(head(1, &[("connection", "upgrade, close")]).closes());
    assert!(head(0, &[]).closes());
    assert!(!head(0, &[("connection", "keep-alive")]).closes());
}
