use super::*;
use proptest::prelude::*;

/// Every (copy, page) the device prints for `shape`, in order.
fn sequence(selection: &[u32], copies: u32) -> Vec<(u32, u32)> {
    (1..=copies).flat_map(|c| selection.iter().map(move |p| (c, *p))).collect()
}

/// The (copy, page) pairs the continuation pieces print, renumbering their copies from
/// where they start in the original job.
fn continued(rem: &Remainder, selection: &[u32], copies: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut copy = copies + 1 - rem.rest.iter().map(|p| p.copies).sum::<u32>();
    for piece in &rem.rest {
        let pages: Vec<u32> = match &piece.ranges {
            Some(r) => r.iter().flat_map(|(a, b)| *a..=*b).collect(),
            None => selection.to_vec(),
        };
        for _ in 0..piece.copies {
            out.extend(pages.iter().map(|p| (copy, *p)));
            copy += 1;
        }
    }
    out
}

#[test]
fn paper_out_at_page_7_of_20_leaves_pages_8_to_20() {
    let shape = Shape::Pages { selection: (1..=20).collect(), copies: 1 };
    let rem = remainder(&shape, 7);
    assert_eq!(
        rem.rest,
        vec![Piece {
            copies: 1,
            ranges: Some(vec![(8, 20)]),
            impressions: 13,
            text: "copy 1 of 1, pages 8-20".into()
        }]
    );
    assert_eq!(rem.printed, "copy 1, pages 1-7 (7 impressions)");
    assert_eq!(rem.may_repeat, 0);
}

#[test]
fn a_jam_in_copy_3_of_5_leaves_its_rest_and_copies_4_and_5() {
    let shape = Shape::Pages { selection: (1..=4).collect(), copies: 5 };
    let rem = remainder(&shape, 9); // copies 1-2 and page 1 of copy 3
    assert_eq!(rem.printed, "copies 1-2 and copy 3, page 1 (9 impressions)");
    assert_eq!(rem.rest.len(), 2);
    assert_eq!(rem.rest[0].ranges, Some(vec![(2, 4)]));
    assert_eq!(rem.rest[1].text, "copies 4-5 of 5");
    assert_eq!(rem.rest[1].ranges, None);
    // At a copy boundary only whole copies are left.
    let rem = remainder(&shape, 8);
    assert_eq!(rem.rest.len(), 1);
    assert_eq!((rem.rest[0].copies, &rem.rest[0].text), (3, &"copies 3-5 of 5".to_string()));
}

#[test]
fn page_ranges_are_followed_through_the_selection() {
    let shape = Shape::Pages { selection: vec![2, 3, 4, 10, 11], copies: 1 };
    let rem = remainder(&shape, 3);
    assert_eq!(rem.rest[0].ranges, Some(vec![(10, 11)]));
    assert_eq!(rem.printed, "copy 1, pages 2-4 (3 impressions)");
}

#[test]
fn a_finished_count_leaves_nothing() {
    let shape = Shape::Pages { selection: (1..=3).collect(), copies: 2 };
    assert!(remainder(&shape, 6).rest.is_empty());
    assert!(remainder(&shape, 60).rest.is_empty(), "an over-count never underflows");
    assert!(remainder(&Shape::Copies { per_copy: 3, copies: 2 }, 6).rest.is_empty());
}

#[test]
fn coarse_shapes_round_back_and_say_how_much_may_repeat() {
    let rem = remainder(&Shape::Copies { per_copy: 10, copies: 4 }, 25);
    assert_eq!(rem.rest.len(), 1);
    assert_eq!((rem.rest[0].copies, rem.may_repeat), (2, 5));
    let rem = remainder(&Shape::Unknown { copies: 3 }, 7);
    assert_eq!((rem.rest[0].copies, rem.may_repeat), (3, 7));
}

proptest! {
    /// Exact shapes: what was printed plus what continues is the job, every page once.
    #[test]
    fn printed_and_rest_cover_the_job_exactly_once(
        pages in prop::collection::btree_set(1u32..500, 1..40),
        copies in 1u32..8,
        frac in 0.0f64..1.0,
    ) {
        let selection: Vec<u32> = pages.into_iter().collect();
        let all = sequence(&selection, copies);
        let done = (all.len() as f64 * frac) as u32;
        let rem = remainder(&Shape::Pages { selection: selection.clone(), copies }, done);
        let mut got = all[..done as usize].to_vec();
        got.extend(continued(&rem, &selection, copies));
        prop_assert_eq!(got, all);
        prop_assert_eq!(rem.may_repeat, 0);
        let planned: u64 = rem.rest.iter().map(|p| p.impressions).sum();
        prop_assert_eq!(planned + u64::from(done), (selection.len() as u64) * u64::from(copies));
    }

    /// Coarse shapes never lose a page: the rest covers at least what was not printed.
    #[test]
    fn coarse_remainders_lose_nothing(per_copy in 1u32..50, copies in 1u32..10, frac in 0.0f64..1.0) {
        let total = per_copy * copies;
        let done = (f64::from(total) * frac) as u32;
        for shape in [Shape::Copies { per_copy, copies }, Shape::Unknown { copies }] {
            let rem = remainder(&shape, done);
            let again: u32 = rem.rest.iter().map(|p| p.copies).sum::<u32>() * per_copy;
            prop_assert!(again + done >= total, "{shape:?} done {done}: {rem:?}");
            // What prints twice is exactly what the remainder says may repeat.
            prop_assert_eq!(u64::from(again + done - total), rem.may_repeat);
        }
    }
}
