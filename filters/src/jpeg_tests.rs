use super::*;

fn header(sof: u8, precision: u8, w: u16, h: u16, comps: u8) -> Vec<u8> {
    let mut v = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46];
    v.extend_from_slice(&[0xff, 0xff, sof, 0x00, 0x08 + 3 * comps, precision]);
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&w.to_be_bytes());
    v.push(comps);
    v
}

#[test]
fn reads_frame_header() {
    let info = read_info(&mut &header(0xc0, 8, 640, 480, 3)[..]).unwrap();
    assert_eq!(info, JpegInfo { width: 640, height: 480, components: 3, adobe: false });
    let info = read_info(&mut &header(0xc2, 8, 1, 2, 1)[..]).unwrap();
    assert_eq!((info.width, info.height, info.components), (1, 2, 1));
}

#[test]
fn rejects_bad_jpegs() {
    assert!(matches!(read_info(&mut &b""[..]), Err(FilterError::Corrupt(_))));
    assert!(matches!(
        read_info(&mut &b"\xff\xd8\xff\xda\x00\x02"[..]),
        Err(FilterError::Corrupt(_))
    ));
    assert!(matches!(read_info(&mut &header(0xc0, 8, 0, 5, 3)[..]), Err(FilterError::Corrupt(_))));
    assert!(matches!(read_info(&mut &header(0xc0, 8, 5, 5, 2)[..]), Err(FilterError::Corrupt(_))));
    assert!(matches!(
        read_info(&mut &header(0xc9, 8, 5, 5, 3)[..]),
        Err(FilterError::Unsupported(_))
    ));
    assert!(matches!(
        read_info(&mut &header(0xc0, 12, 5, 5, 3)[..]),
        Err(FilterError::Unsupported(_))
    ));
    let h = header(0xc0, 8, 5, 5, 3);
    for cut in 0..h.len() {
        assert!(read_info(&mut &h[..cut]).is_err(), "cut {cut}");
    }
}
