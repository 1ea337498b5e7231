use super::*;

const D: Direction = Direction { rows_first: true, right_to_left: false, bottom_to_top: false };

#[test]
fn directions_parse() {
    assert_eq!(parse_direction(None).unwrap(), D);
    let d = parse_direction(Some("tobottom-toleft")).unwrap();
    assert_eq!(d, Direction { rows_first: false, right_to_left: true, bottom_to_top: false });
    for bad in ["", "toright", "toright-toleft", "totop-tobottom", "sideways-tobottom"] {
        assert!(matches!(parse_direction(Some(bad)), Err(FilterError::Unsupported(_))), "{bad}");
    }
}

#[test]
fn cells_follow_direction() {
    let order: Vec<_> = (0..4).map(|i| cell(i, 2, 2, D)).collect();
    assert_eq!(order, [(0, 0), (1, 0), (0, 1), (1, 1)]);
    let d = parse_direction(Some("tobottom-toright")).unwrap();
    let order: Vec<_> = (0..4).map(|i| cell(i, 2, 2, d)).collect();
    assert_eq!(order, [(0, 0), (0, 1), (1, 0), (1, 1)]);
    let d = parse_direction(Some("toleft-totop")).unwrap();
    let order: Vec<_> = (0..4).map(|i| cell(i, 2, 2, d)).collect();
    assert_eq!(order, [(1, 1), (0, 1), (1, 0), (0, 0)]);
}

#[test]
fn grids() {
    for n in [1, 2, 4, 6, 9, 16] {
        let (c, r, _) = grid(n).unwrap();
        assert_eq!(c * r, n);
    }
    assert_eq!(grid(3), None);
    assert_eq!(grid(0), None);
}
