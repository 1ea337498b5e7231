//! What is left of a job once its printer has confirmed `done` impressions. Pure.
//!
//! A device counts impressions in the order it prints them: copy 1 page by page, then
//! copy 2, … (collated copies, one document). From the count alone the remainder is then
//! exact: the rest of the current copy as page ranges, then the copies not started. When
//! the job's shape does not allow that (several documents, uncollated copies, N-up, a
//! document whose pages were not counted), the remainder is rounded back to whole copies,
//! or to the whole job: never a page lost, and the duplicate bound is stated.

use crate::model::Job;
use crate::split::plan::{ranges_of, selected_pages};
use quire_ipp::Value;

/// How a job's impressions map to copies and pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// One document, collated copies: each copy prints these pages (page-ranges applied).
    Pages { selection: Vec<u32>, copies: u32 },
    /// Each copy is `per_copy` impressions, but pages within a copy cannot be addressed.
    Copies { per_copy: u32, copies: u32 },
    /// Nothing is known beyond the copy count.
    Unknown { copies: u32 },
}

/// A continuation: `copies` copies of `ranges` (None: the job's own selection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub copies: u32,
    pub ranges: Option<Vec<(u32, u32)>>,
    /// Impressions it prints.
    pub impressions: u64,
    /// "copy 3, pages 8-20", "copies 4-5 of 5".
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remainder {
    /// What the first printer printed ("copies 1-2 and copy 3 pages 1-7"), for the record.
    pub printed: String,
    pub rest: Vec<Piece>,
    /// Impressions that may be printed a second time (0 when the remainder is exact).
    pub may_repeat: u64,
}

fn copies_of(job: &Job) -> u32 {
    job.attribute("copies").and_then(|a| a.first_i32()).unwrap_or(1).max(1) as u32
}

/// The job's shape, from its documents and attributes.
pub fn shape_of(job: &Job) -> Shape {
    let copies = copies_of(job);
    let per_copy = job.impressions.filter(|n| *n > 0).map(|n| n as u32);
    // Only PDF pages are counted at submission; anything else is the client's estimate.
    let counted =
        !job.documents.is_empty() && job.documents.iter().all(|d| d.format == "application/pdf");
    let Some(total) = per_copy.filter(|_| counted) else { return Shape::Unknown { copies } };
    let word = |n: &str| {
        job.attribute(n).and_then(|a| a.first_str().map(str::to_string)).unwrap_or_default()
    };
    let uncollated = word("multiple-document-handling") == "separate-documents-uncollated-copies"
        || word("sheet-collate") == "uncollated";
    let n_up = job.attribute("number-up").and_then(|a| a.first_i32()).unwrap_or(1) > 1;
    if uncollated || n_up {
        return if copies > 1 && !uncollated {
            Shape::Copies { per_copy: total, copies }
        } else {
            Shape::Unknown { copies }
        };
    }
    if job.documents.len() != 1 {
        return Shape::Copies { per_copy: total, copies };
    }
    let ranges: Vec<(i32, i32)> = job
        .attribute("page-ranges")
        .map(|a| {
            a.values
                .iter()
                .filter_map(|v| match v {
                    Value::RangeOfInteger { lower, upper } => Some((*lower, *upper)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // Quire's own page parts (split or continuation) carry exact ranges with their page
    // count as job-impressions; a client's ranges apply to the document's pages.
    let listed: u64 =
        ranges.iter().map(|&(a, b)| (i64::from(b) - i64::from(a.max(1)) + 1).max(0) as u64).sum();
    let selection: Vec<u32> = if !ranges.is_empty() && listed == u64::from(total) {
        ranges.iter().flat_map(|&(a, b)| (a.max(1) as u32)..=(b.max(0) as u32)).collect()
    } else {
        selected_pages(total, &ranges)
    };
    if selection.is_empty() {
        return Shape::Unknown { copies };
    }
    Shape::Pages { selection, copies }
}

fn pages_text(ranges: &[(u32, u32)]) -> String {
    let list: Vec<String> = ranges
        .iter()
        .map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
        .collect();
    let single = ranges.len() == 1 && ranges[0].0 == ranges[0].1;
    format!("{} {}", if single { "page" } else { "pages" }, list.join(","))
}

fn copies_text(first: u32, last: u32, of: u32) -> String {
    if first == last {
        format!("copy {first} of {of}")
    } else {
        format!("copies {first}-{last} of {of}")
    }
}

/// Whole copies `first..=copies`, if any.
fn whole(first: u32, copies: u32, per_copy: u64) -> Option<Piece> {
    (first <= copies).then(|| Piece {
        copies: copies - first + 1,
        ranges: None,
        impressions: u64::from(copies - first + 1) * per_copy,
        text: copies_text(first, copies, copies),
    })
}

/// What is left after `done` confirmed impressions.
pub fn remainder(shape: &Shape, done: u32) -> Remainder {
    match shape {
        Shape::Pages { selection, copies } => {
            let n = selection.len() as u32;
            let full = (done / n).min(*copies);
            let off = if full == *copies { 0 } else { done % n };
            let mut printed = Vec::new();
            if full > 0 {
                printed.push(if full == 1 {
                    "copy 1".to_string()
                } else {
                    format!("copies 1-{full}")
                });
            }
            let mut rest = Vec::new();
            if off > 0 {
                let head = ranges_of(&selection[..off as usize]);
                printed.push(format!("copy {}, {}", full + 1, pages_text(&head)));
                let tail = ranges_of(&selection[off as usize..]);
                let text = format!("copy {} of {copies}, {}", full + 1, pages_text(&tail));
                rest.push(Piece {
                    copies: 1,
                    ranges: Some(tail),
                    impressions: u64::from(n - off),
                    text,
                });
            }
            let next = full + 1 + u32::from(off > 0);
            rest.extend(whole(next, *copies, u64::from(n)));
            Remainder { printed: join(printed, done), rest, may_repeat: 0 }
        }
        Shape::Copies { per_copy, copies } => {
            let full = (done / per_copy).min(*copies);
            let printed = if full == 0 { Vec::new() } else { vec![copies_text(1, full, *copies)] };
            let rest: Vec<Piece> =
                whole(full + 1, *copies, u64::from(*per_copy)).into_iter().collect();
            let may_repeat = if rest.is_empty() { 0 } else { u64::from(done - full * per_copy) };
            Remainder { printed: join(printed, done), rest, may_repeat }
        }
        Shape::Unknown { copies } => {
            // Where the device stands inside the job is unknown: all of it prints again.
            Remainder {
                printed: join(Vec::new(), done),
                rest: whole(1, *copies, 0).into_iter().collect(),
                may_repeat: u64::from(done),
            }
        }
    }
}

fn join(parts: Vec<String>, done: u32) -> String {
    let count = format!("{done} impression{}", if done == 1 { "" } else { "s" });
    if parts.is_empty() {
        count
    } else {
        format!("{} ({count})", parts.join(" and "))
    }
}

#[cfg(test)]
#[path = "remainder_tests.rs"]
mod tests;
