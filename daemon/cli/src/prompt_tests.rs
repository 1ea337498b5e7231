use super::*;

use std::io::Cursor;

#[test]
fn where_secrets_come_from() {
    assert!(source(Some("pw".into()), true) == Source::Env("pw".into()));
    assert!(source(Some(String::new()), false) == Source::Env(String::new()));
    assert!(source(None, false) == Source::Stdin);
    assert!(source(None, true) == Source::Tty);
}

#[test]
fn answers_are_one_line_each() {
    let mut input = Cursor::new(b"1234\r\ns3cret\n\nlast".to_vec());
    assert_eq!(read_answer(&mut input, "PIN").unwrap().as_deref(), Some("1234"));
    assert_eq!(read_answer(&mut input, "password").unwrap().as_deref(), Some("s3cret"));
    assert_eq!(read_answer(&mut input, "password").unwrap().as_deref(), Some(""));
    assert_eq!(read_answer(&mut input, "password").unwrap().as_deref(), Some("last"));
    assert_eq!(read_answer(&mut input, "password").unwrap(), None);
    // Spaces inside and around a password are its own.
    let mut input = Cursor::new(b" a b \n".to_vec());
    assert_eq!(read_answer(&mut input, "password").unwrap().as_deref(), Some(" a b "));
}

#[test]
fn overlong_answers_are_refused() {
    let mut ok = "x".repeat(MAX_ANSWER - 1).into_bytes();
    ok.push(b'\n');
    assert_eq!(
        read_answer(&mut Cursor::new(ok), "password").unwrap().map(|s| s.len()),
        Some(MAX_ANSWER - 1)
    );
    let long = "x".repeat(MAX_ANSWER + 10).into_bytes();
    let err = read_answer(&mut Cursor::new(long), "password").unwrap_err().to_string();
    assert_eq!(err, format!("The password is too long (at most {MAX_ANSWER} bytes)."));
    let bad = read_answer(&mut Cursor::new(vec![0xff, b'\n']), "PIN").unwrap_err().to_string();
    assert!(bad.starts_with("Unable to read the PIN: "), "{bad}");
}
