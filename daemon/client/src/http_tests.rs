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

fn head(headers: &[(&str, &str)]) -> HeaderMap {
    headers.iter().map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap())).collect()
}

#[test]
fn connection_close_rules() {
    assert!(!closes(Version::HTTP_11, &head(&[])));
    assert!(closes(Version::HTTP_11, &head(&[("connection", "Close")])));
    assert!(closes(Version::HTTP_11, &head(&[("connection", "upgrade, close")])));
    assert!(closes(Version::HTTP_10, &head(&[])));
    assert!(!closes(Version::HTTP_10, &head(&[("connection", "keep-alive")])));
}
