use super::*;
use proptest::prelude::*;

fn lane(name: &str, ppm: u32, backlog: u64) -> Lane {
    Lane { printer: name.into(), ppm, backlog }
}

fn lanes() -> impl Strategy<Value = Vec<Lane>> {
    prop::collection::vec((1u32..200, 0u64..500), 1..6).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (ppm, backlog))| lane(&format!("p{i}"), ppm, backlog))
            .collect()
    })
}

fn units() -> impl Strategy<Value = Units> {
    prop_oneof![
        (1u32..300, 0u32..50).prop_map(|(copies, pages)| Units::Copies { copies, pages }),
        prop::collection::btree_set(1u32..2000, 1..400)
            .prop_map(|s| Units::Pages(s.into_iter().collect())),
    ]
}

/// Every copy number, or every page, the parts print, in order.
fn printed(parts: &[Option<Part>]) -> Vec<u32> {
    let mut out = Vec::new();
    for p in parts.iter().flatten() {
        match p {
            Part::Copies { first, last, .. } => out.extend(*first..=*last),
            Part::Pages { ranges, .. } => ranges.iter().for_each(|(a, b)| out.extend(*a..=*b)),
        }
    }
    out
}

proptest! {
    #[test]
    fn every_unit_goes_to_exactly_one_printer(u in units(), l in lanes()) {
        let shares = allocate(&u, &l);
        prop_assert_eq!(shares.iter().sum::<u32>(), u.count());
        let parts = parts(&u, &shares);
        let expected: Vec<u32> = match &u {
            Units::Copies { copies, .. } => (1..=*copies).collect(),
            Units::Pages(p) => p.clone(),
        };
        prop_assert_eq!(printed(&parts), expected);
        for (share, part) in shares.iter().zip(&parts) {
            prop_assert_eq!(*share == 0, part.is_none());
        }
    }

    #[test]
    fn no_single_unit_move_would_finish_sooner(u in units(), l in lanes()) {
        let shares = allocate(&u, &l);
        let per = f64::from(u.pages_per_unit());
        let finish = |i: usize, n: u32| (l[i].backlog as f64 + f64::from(n) * per) / f64::from(l[i].ppm);
        let makespan = |s: &[u32]| (0..l.len()).filter(|&i| s[i] > 0).map(|i| finish(i, s[i])).fold(0.0, f64::max);
        let best = makespan(&shares);
        for from in 0..l.len() {
            for to in 0..l.len() {
                if from != to && shares[from] > 0 {
                    let mut moved = shares.clone();
                    moved[from] -= 1;
                    moved[to] += 1;
                    prop_assert!(makespan(&moved) >= best - 1e-9, "moving a unit from {} to {} helps: {:?}", from, to, shares);
                }
            }
        }
    }
}

#[test]
fn equal_idle_printers_share_evenly() {
    let l: Vec<Lane> = (0..4).map(|i| lane(&format!("p{i}"), 40, 0)).collect();
    assert_eq!(allocate(&Units::Copies { copies: 100, pages: 4 }, &l), vec![25, 25, 25, 25]);
    assert_eq!(allocate(&Units::Pages((1..=10).collect()), &l), vec![3, 3, 2, 2]);
}

#[test]
fn a_faster_printer_takes_more_and_a_busy_one_less() {
    let l = vec![lane("slow", 20, 0), lane("fast", 60, 0)];
    assert_eq!(allocate(&Units::Pages((1..=80).collect()), &l), vec![20, 60]);
    let l = vec![lane("busy", 40, 100), lane("idle", 40, 0)];
    assert_eq!(allocate(&Units::Pages((1..=100).collect()), &l), vec![0, 100]);
}

#[test]
fn parts_describe_themselves() {
    let p = parts(&Units::Pages(vec![1, 2, 3, 7, 8, 9, 10]), &[3, 4]);
    assert_eq!(p[0].as_ref().map(Part::describe).as_deref(), Some("pages 1-3 of 7"));
    assert_eq!(p[1].as_ref().map(Part::describe).as_deref(), Some("pages 7-10 of 7"));
    let c = parts(&Units::Copies { copies: 5, pages: 2 }, &[0, 4, 1]);
    assert_eq!(c[0], None);
    assert_eq!(c[1].as_ref().map(Part::describe).as_deref(), Some("copies 1-4 of 5"));
    assert_eq!(c[2].as_ref().map(Part::describe).as_deref(), Some("copy 5 of 5"));
    assert_eq!(selected_pages(10, &[(2, 3), (9, 20)]), vec![2, 3, 9, 10]);
    assert_eq!(ranges_of(&[1, 2, 4]), vec![(1, 2), (4, 4)]);
}
