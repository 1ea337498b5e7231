use super::*;

fn close(a: (f32, f32), b: (f32, f32)) -> bool {
    (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
}

#[test]
fn pwg_names() {
    assert!(close(pwg_media_size("na_letter_8.5x11in").unwrap(), (612.0, 792.0)));
    assert!(close(pwg_media_size("iso_a4_210x297mm").unwrap(), (595.28, 841.89)));
    assert!(close(pwg_media_size("na_index-4x6_4x6in").unwrap(), (288.0, 432.0)));
    assert!(close(pwg_media_size("A4").unwrap(), (595.28, 841.89)));
    for bad in ["", "iso_a4", "x_0x5in", "x_1x2cm", "x_1e3x2in", "x_5x-2in", "x_9999x2in", "_x_in"]
    {
        assert_eq!(pwg_media_size(bad), None, "{bad}");
    }
}

fn apply(m: Matrix, x: f32, y: f32) -> (f32, f32) {
    let [a, b, c, d, e, f] = m.0;
    (a * x + c * y + e, b * x + d * y + f)
}

#[test]
fn landscape_sheet_maps_into_page() {
    let s = sheet(Some(4), 612.0, 792.0);
    assert_eq!((s.width, s.height), (792.0, 612.0));
    for (x, y) in [(0.0, 0.0), (792.0, 612.0), (0.0, 612.0), (792.0, 0.0)] {
        let (px, py) = apply(s.to_physical, x, y);
        assert!((0.0..=612.0).contains(&px) && (0.0..=792.0).contains(&py), "{px},{py}");
    }
}

#[test]
fn rotate_box_stays_in_bounds() {
    for deg in [0, 90, 180, 270, -90, 450] {
        let m = Matrix::rotate_box(deg, 100.0, 50.0);
        let swapped = matches!(deg.rem_euclid(360), 90 | 270);
        let (w, h) = if swapped { (50.0, 100.0) } else { (100.0, 50.0) };
        for (x, y) in [(0.0, 0.0), (100.0, 50.0)] {
            let (px, py) = apply(m, x, y);
            assert!((0.0..=w).contains(&px) && (0.0..=h).contains(&py), "{deg}: {px},{py}");
        }
    }
}

#[test]
fn numbers_format_plainly() {
    assert_eq!(fmt_num(1.0), "1");
    assert_eq!(fmt_num(-0.0), "0");
    assert_eq!(fmt_num(0.5), "0.5");
    assert_eq!(fmt_num(f32::NAN), "0");
    assert_eq!(fmt_num(1e20), "100000002004087734272");
}
