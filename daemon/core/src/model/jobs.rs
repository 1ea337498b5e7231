//! [`Jobs`]: the scheduler's jobs by id, with running totals of what they take in the
//! spool (the quotas' usage: job records, and stored documents counting each spool file
//! once, in all and per owner), so that reading a total costs the same with a million jobs
//! of history as with none.
//!
//! Every change to a job goes through [`Jobs::get_mut`], [`Jobs::insert`] or
//! [`Jobs::remove`] (reading goes through `Deref` to the map). `get_mut` takes the job's
//! share out of the totals and notes the job as *open*; its new share is added back the
//! next time the totals are read or another job is changed. So there is never more than one
//! open job, and no guard type whose drop would lengthen borrows.
//!
//! The same way, [`Jobs`] keeps the indexes that let the scheduler's timed work and the
//! queries that only care about jobs still to print skip the history: the jobs not yet
//! finished (or still open), and the finished ones by completion time (all of them; those
//! whose files are kept).

use super::{Job, Str};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Deref;

/// What every job (or one owner's jobs) takes in the spool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of job records ([`record_bytes`]).
    pub records: u64,
    /// Bytes of stored documents (jobs whose files are not purged), each spool file once.
    pub stored: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.records.saturating_add(self.stored)
    }
}

/// Bytes job `j` takes in the job store besides its documents: its attributes and the
/// strings kept with them (the row's fixed part aside).
pub fn record_bytes(j: &Job) -> u64 {
    let strings = [
        j.name.len(),
        j.owner.len(),
        j.originating_host.len(),
        j.state_message.len(),
        j.printer.len(),
    ];
    (j.attributes.as_bytes().len() + strings.iter().sum::<usize>()) as u64
}

/// Spool files in use, each with its size (when first counted) and how many documents
/// name it: a split job's parts share their parent's files.
#[derive(Debug, Clone, Default)]
struct Files {
    usage: Usage,
    refs: HashMap<String, (u64, u32)>,
}

impl Files {
    fn add(&mut self, j: &Job) {
        self.usage.records = self.usage.records.saturating_add(record_bytes(j));
        if j.files_purged {
            return;
        }
        for d in &j.documents {
            let slot = self.refs.entry(d.file.clone()).or_insert((d.size, 0));
            slot.1 += 1;
            if slot.1 == 1 {
                self.usage.stored = self.usage.stored.saturating_add(slot.0);
            }
        }
    }

    fn take(&mut self, j: &Job) {
        self.usage.records = self.usage.records.saturating_sub(record_bytes(j));
        if j.files_purged {
            return;
        }
        for d in &j.documents {
            let Some(slot) = self.refs.get_mut(d.file.as_str()) else { continue };
            slot.1 -= 1;
            if slot.1 == 0 {
                self.usage.stored = self.usage.stored.saturating_sub(slot.0);
                self.refs.remove(d.file.as_str());
            }
        }
    }
}

/// A finished job in an index by time: (completion time, id).
type Done = (i64, i32);

/// The totals, in all and per owner, and the indexes.
#[derive(Debug, Clone, Default)]
struct Totals {
    all: Files,
    owners: HashMap<Str, Files>,
    /// Jobs not finished, or still open for documents.
    active: BTreeSet<i32>,
    /// Finished jobs.
    finished: BTreeSet<Done>,
    /// Finished jobs whose files are kept: not confidential, and confidential.
    unpurged: [BTreeSet<Done>; 2],
    /// Unfinished jobs by queue (lowercase name), and by the printer printing them: a queue's
    /// `queued-job-count`, and whether a queue is in use, without a walk over every job.
    queued: HashMap<String, u32>,
    printing_on: HashMap<String, u32>,
}

fn count_in(map: &mut HashMap<String, u32>, key: &str, up: bool) {
    let key = key.to_ascii_lowercase();
    if up {
        *map.entry(key).or_default() += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&key);
        }
    }
}

/// Where job `j` is in the indexes: active, or finished (and whether its files are kept,
/// and whether it is confidential). A finished job with no completion time is never due.
enum Place {
    Active,
    Finished(Done, Option<usize>),
}

fn place(j: &Job) -> Place {
    if !j.state.is_terminal() || j.open {
        return Place::Active;
    }
    let done = (j.completed_at.unwrap_or(i64::MAX), j.id);
    Place::Finished(done, (!j.files_purged).then_some(usize::from(j.confidential.is_some())))
}

impl Totals {
    /// Counts `j` in (or out of) the per-queue counts of unfinished jobs.
    fn count_queue(&mut self, j: &Job, up: bool) {
        if j.state.is_terminal() {
            return;
        }
        count_in(&mut self.queued, &j.printer, up);
        if let Some(d) = &j.output_device {
            count_in(&mut self.printing_on, d, up);
        }
    }

    fn add(&mut self, j: &Job) {
        self.count_queue(j, true);
        self.all.add(j);
        self.owners.entry(j.owner.clone()).or_default().add(j);
        match place(j) {
            Place::Active => drop(self.active.insert(j.id)),
            Place::Finished(done, kept) => {
                self.finished.insert(done);
                if let Some(k) = kept {
                    self.unpurged[k].insert(done);
                }
            }
        }
    }

    fn take(&mut self, j: &Job) {
        self.count_queue(j, false);
        match place(j) {
            Place::Active => drop(self.active.remove(&j.id)),
            Place::Finished(done, kept) => {
                self.finished.remove(&done);
                if let Some(k) = kept {
                    self.unpurged[k].remove(&done);
                }
            }
        }
        self.all.take(j);
        if let Some(o) = self.owners.get_mut(&j.owner) {
            o.take(j);
            if o.refs.is_empty() && o.usage == Usage::default() {
                self.owners.remove(&j.owner);
            }
        }
    }
}

/// The jobs by id, with their spool usage kept up to date.
#[derive(Debug, Clone, Default)]
pub struct Jobs {
    map: BTreeMap<i32, Box<Job>>,
    /// Interior: reading the totals (`&self`) first adds back the open job's share.
    totals: RefCell<Totals>,
    /// The job handed out by `get_mut` whose share is out of the totals.
    open: RefCell<Option<i32>>,
    /// Jobs taken out by [`Jobs::detach`] and not yet freed: freeing a million jobs' strings
    /// and attributes is most of a purge's cost, so it goes in slices ([`Jobs::bury`]).
    graveyard: Graveyard,
}

/// What detached jobs leave to free: single jobs, and the whole map and indexes when every
/// job went at once.
#[derive(Debug, Clone, Default)]
struct Graveyard {
    #[allow(clippy::vec_box)] // boxed as the map holds them: unboxing would copy each job
    jobs: Vec<Box<Job>>,
    map: BTreeMap<i32, Box<Job>>,
    totals: Option<Box<Totals>>,
}

impl Deref for Jobs {
    type Target = BTreeMap<i32, Box<Job>>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<'a> IntoIterator for &'a Jobs {
    type Item = (&'a i32, &'a Box<Job>);
    type IntoIter = std::collections::btree_map::Iter<'a, i32, Box<Job>>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

impl Jobs {
    /// Adds the open job's share back into the totals.
    fn settle(&self) {
        if let Some(id) = self.open.borrow_mut().take() {
            if let Some(j) = self.map.get(&id) {
                self.totals.borrow_mut().add(j);
            }
        }
    }

    /// Job `id`, to change: its share is counted again once the change is done (the next
    /// read of the totals or change of a job).
    pub fn get_mut(&mut self, id: &i32) -> Option<&mut Job> {
        self.settle();
        let j = self.map.get_mut(id)?;
        self.totals.get_mut().take(j);
        *self.open.get_mut() = Some(*id);
        Some(&mut **j)
    }

    /// Adds or replaces job `id`; the replaced job, if any.
    pub fn insert(&mut self, id: i32, job: Box<Job>) -> Option<Box<Job>> {
        self.settle();
        if let Some(old) = self.map.get(&id) {
            self.totals.get_mut().take(old);
        }
        self.totals.get_mut().add(&job);
        self.map.insert(id, job)
    }

    /// Removes job `id`.
    pub fn remove(&mut self, id: &i32) -> Option<Box<Job>> {
        self.settle();
        let old = self.map.remove(id)?;
        self.totals.get_mut().take(&old);
        Some(old)
    }

    /// Takes job `id` out of the map, the totals and the indexes at once (so no request
    /// sees it again), leaving it to be freed by [`Jobs::bury`].
    pub fn detach(&mut self, id: &i32) -> bool {
        let Some(old) = self.remove(id) else { return false };
        self.graveyard.jobs.push(old);
        true
    }

    /// Takes every job out at once, in constant time: the map and the indexes are set aside
    /// whole and freed by [`Jobs::bury`].
    pub fn detach_all(&mut self) {
        self.settle();
        let map = std::mem::take(&mut self.map);
        let totals = std::mem::take(self.totals.get_mut());
        let g = &mut self.graveyard;
        if g.map.is_empty() {
            g.map = map;
        } else {
            g.jobs.extend(map.into_values());
        }
        g.totals.get_or_insert(Box::new(totals));
    }

    /// Frees up to `max` detached jobs; whether some are left.
    pub fn bury(&mut self, max: usize) -> bool {
        let g = &mut self.graveyard;
        let singles = g.jobs.len().min(max);
        g.jobs.truncate(g.jobs.len() - singles);
        for _ in singles..max {
            if g.map.pop_first().is_none() {
                break;
            }
        }
        if g.jobs.is_empty() && g.map.is_empty() {
            // The indexes go last, in one piece: a few allocations per thousand jobs.
            *g = Graveyard::default();
            return false;
        }
        true
    }

    /// Detached jobs not yet freed.
    pub fn detached(&self) -> usize {
        self.graveyard.jobs.len() + self.graveyard.map.len()
    }

    /// The finished jobs, most recently completed first and, completed at the same time,
    /// lowest id first (cupsd's completed-jobs order). Lazily: the index is read a few
    /// hundred entries at a time, so a page near the start costs the same with a million
    /// jobs as with a hundred.
    pub fn finished_newest_first(&self) -> impl Iterator<Item = &Job> + '_ {
        self.settle();
        let mut buffer: Vec<i32> = Vec::new();
        // Completion times below this one are still to read.
        let mut below = Some(i64::MAX);
        std::iter::from_fn(move || loop {
            if let Some(id) = buffer.pop() {
                match self.map.get(&id) {
                    Some(j) => return Some(&**j),
                    None => continue,
                }
            }
            let t = below?;
            below = self.refill(&mut buffer, t);
        })
    }

    /// The next entries of [`Jobs::finished_newest_first`] completed before `below` (whole
    /// completion times, at least `READ_AHEAD` entries when there are), into `buffer` in
    /// reverse (it is popped); the time to read below next, if any is left.
    fn refill(&self, buffer: &mut Vec<i32>, below: i64) -> Option<i64> {
        const READ_AHEAD: usize = 256;
        let totals = self.totals.borrow();
        // The first read also takes what has no completion time (kept at i64::MAX).
        let range = match below {
            i64::MAX => totals.finished.range(..),
            t => totals.finished.range(..(t, i32::MIN)),
        };
        let mut entries = range.rev().peekable();
        let mut taken: Vec<Done> = Vec::new();
        while let Some(&d) = entries.next() {
            taken.push(d);
            let whole = entries.peek().is_none_or(|n| n.0 != d.0);
            if taken.len() >= READ_AHEAD && whole {
                break;
            }
        }
        let last = taken.last().map(|d| d.0);
        // `taken` is newest first with ids descending within a time; popped from the end,
        // the order must be newest first with ids ascending: sort so, then reverse.
        taken.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        buffer.extend(taken.iter().rev().map(|d| d.1));
        entries.peek().and(last)
    }

    /// What every job takes in the spool, or only `owner`'s.
    pub fn usage(&self, owner: Option<&str>) -> Usage {
        self.settle();
        let totals = self.totals.borrow();
        match owner {
            None => totals.all.usage,
            Some(o) => totals.owners.get(o).map(|f| f.usage).unwrap_or_default(),
        }
    }

    /// Jobs not finished (or still open), in id order.
    /// Unfinished jobs submitted to queue `name` (any case).
    pub fn queued_on(&self, name: &str) -> u32 {
        self.settle();
        self.totals.borrow().queued.get(&name.to_ascii_lowercase()).copied().unwrap_or(0)
    }

    /// Whether an unfinished job is on queue `name` or printing on printer `name`.
    pub fn in_use(&self, name: &str) -> bool {
        self.settle();
        let totals = self.totals.borrow();
        let key = name.to_ascii_lowercase();
        totals.queued.contains_key(&key) || totals.printing_on.contains_key(&key)
    }

    pub fn active(&self) -> Vec<&Job> {
        self.settle();
        let totals = self.totals.borrow();
        totals.active.iter().filter_map(|id| self.map.get(id)).map(|j| &**j).collect()
    }

    /// The earliest completion time of a finished job (`kept`: of one whose files are kept,
    /// confidential or not).
    pub fn first_finished(&self, kept: Option<bool>) -> Option<i64> {
        self.settle();
        let totals = self.totals.borrow();
        let set = match kept {
            None => &totals.finished,
            Some(confidential) => &totals.unpurged[usize::from(confidential)],
        };
        set.first().map(|(t, _)| *t).filter(|t| *t != i64::MAX)
    }

    /// Up to `max` finished jobs completed at or before `until`, earliest first (`kept`: as
    /// for [`Jobs::first_finished`]).
    pub fn finished_until(&self, until: i64, kept: Option<bool>, max: usize) -> Vec<i32> {
        self.settle();
        let totals = self.totals.borrow();
        let set = match kept {
            None => &totals.finished,
            Some(confidential) => &totals.unpurged[usize::from(confidential)],
        };
        set.iter()
            .take_while(|(t, _)| *t <= until && *t != i64::MAX)
            .take(max)
            .map(|d| d.1)
            .collect()
    }
}
