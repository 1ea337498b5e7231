//! Dividing a job's copies or pages between printers so that it finishes soonest. Pure.

/// What a job is divided into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Units {
    /// `copies` copies of a document of `pages` pages (0 when not counted).
    Copies { copies: u32, pages: u32 },
    /// One copy; the page numbers to print, in order (the job's `page-ranges` applied).
    Pages(Vec<u32>),
}

impl Units {
    pub fn count(&self) -> u32 {
        match self {
            Units::Copies { copies, .. } => *copies,
            Units::Pages(p) => p.len() as u32,
        }
    }
    /// Pages one unit prints (an uncounted document counts as one page).
    pub fn pages_per_unit(&self) -> u32 {
        match self {
            Units::Copies { pages, .. } => (*pages).max(1),
            Units::Pages(_) => 1,
        }
    }
}

/// A printer that may take a share: its speed and the pages queued on it already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub printer: String,
    /// Pages per minute (at least 1).
    pub ppm: u32,
    /// Pages of other jobs it has still to print.
    pub backlog: u64,
}

/// How many units each lane gets (same order as `lanes`), so that the last lane to finish
/// finishes as early as possible: each unit goes to the lane that would finish it first
/// (ties to the earlier lane, so the printer the user chose comes first).
pub fn allocate(units: &Units, lanes: &[Lane]) -> Vec<u32> {
    let mut shares = vec![0u32; lanes.len()];
    let per_unit = u128::from(units.pages_per_unit());
    // Finish time of lane i with n units: (backlog + n × per_unit) / ppm. Compared as
    // cross products, exactly.
    let finish = |i: usize, n: u32| -> (u128, u128) {
        let lane = &lanes[i];
        (u128::from(lane.backlog) + u128::from(n) * per_unit, u128::from(lane.ppm.max(1)))
    };
    for _ in 0..units.count() {
        let mut best: Option<usize> = None;
        for i in 0..lanes.len() {
            best = match best {
                None => Some(i),
                Some(b) => {
                    let (tb, sb) = finish(b, shares[b] + 1);
                    let (ti, si) = finish(i, shares[i] + 1);
                    if ti * sb < tb * si {
                        Some(i)
                    } else {
                        Some(b)
                    }
                }
            };
        }
        match best {
            Some(b) => shares[b] += 1,
            None => break,
        }
    }
    shares
}

/// One lane's part of the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Copies `first..=last` (numbered from 1) of `of`.
    Copies { first: u32, last: u32, of: u32 },
    /// These pages, as inclusive ranges, out of `of` selected pages.
    Pages { ranges: Vec<(u32, u32)>, of: u32 },
}

impl Part {
    /// "copies 1-25 of 100", "pages 1-100 of 400".
    pub fn describe(&self) -> String {
        match self {
            Part::Copies { first, last, of } if first == last => format!("copy {first} of {of}"),
            Part::Copies { first, last, of } => format!("copies {first}-{last} of {of}"),
            Part::Pages { ranges, of } => {
                let list: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") })
                    .collect();
                let word =
                    if ranges.len() == 1 && ranges[0].0 == ranges[0].1 { "page" } else { "pages" };
                format!("{word} {} of {of}", list.join(","))
            }
        }
    }
    pub fn copies(&self) -> u32 {
        match self {
            Part::Copies { first, last, .. } => last - first + 1,
            Part::Pages { .. } => 1,
        }
    }
    pub fn pages(&self) -> u32 {
        match self {
            Part::Copies { .. } => 0,
            Part::Pages { ranges, .. } => ranges.iter().map(|(a, b)| b - a + 1).sum(),
        }
    }
}

/// Cuts the units into consecutive parts of the given sizes (zero-sized parts are `None`).
pub fn parts(units: &Units, shares: &[u32]) -> Vec<Option<Part>> {
    let mut next = 0usize;
    shares
        .iter()
        .map(|&n| {
            if n == 0 {
                return None;
            }
            let start = next;
            next += n as usize;
            Some(match units {
                Units::Copies { copies, .. } => {
                    Part::Copies { first: start as u32 + 1, last: next as u32, of: *copies }
                }
                Units::Pages(pages) => Part::Pages {
                    ranges: ranges_of(pages.get(start..next).unwrap_or_default()),
                    of: pages.len() as u32,
                },
            })
        })
        .collect()
}

/// Consecutive page numbers merged into inclusive ranges.
pub fn ranges_of(pages: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &p in pages {
        match out.last_mut() {
            Some((_, end)) if p == *end + 1 => *end = p,
            _ => out.push((p, p)),
        }
    }
    out
}

/// The pages a document of `total` pages prints under `page-ranges` (all when empty).
pub fn selected_pages(total: u32, ranges: &[(i32, i32)]) -> Vec<u32> {
    if ranges.is_empty() {
        return (1..=total).collect();
    }
    let mut out = Vec::new();
    for &(a, b) in ranges {
        let a = a.max(1) as u32;
        let b = (b.max(0) as u32).min(total);
        out.extend(a..=b);
    }
    out
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
