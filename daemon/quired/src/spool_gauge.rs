//! The spool's free space, measured by the request's task (never by the scheduler task) and
//! only for the operations that use it: a job or document creation always measures (the
//! disk limit must be current), a printer's attributes (`spool-area-full`,
//! `job-k-octets-supported`) reuse a measurement younger than a second, the rest none.

use quire_ipp::Operation;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a measurement stands for the attributes that only report it.
const REPORT_AGE: Duration = Duration::from_secs(1);

/// Free and total bytes of the spool's file system (`None`: statvfs failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolSpace {
    pub free: Option<u64>,
    pub total: Option<u64>,
}

/// What an operation needs of the spool's free space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpoolUse {
    /// It may take space (the quotas' disk limit): a fresh measurement.
    Measure,
    /// It reports it: one at most a second old.
    Report,
    None,
}

impl SpoolUse {
    pub fn of(op: Option<Operation>) -> SpoolUse {
        use Operation as O;
        match op {
            Some(
                O::PrintJob
                | O::PrintUri
                | O::ValidateJob
                | O::CreateJob
                | O::SendDocument
                | O::SendUri
                | O::SetJobAttributes,
            ) => SpoolUse::Measure,
            Some(
                O::GetPrinterAttributes
                | O::CupsGetPrinters
                | O::CupsGetClasses
                | O::CupsGetDefault,
            ) => SpoolUse::Report,
            _ => SpoolUse::None,
        }
    }
}

/// The last measurement of one spool directory.
#[derive(Debug)]
pub struct SpoolGauge {
    dir: PathBuf,
    last: Mutex<Option<Instant>>,
}

impl SpoolGauge {
    pub fn new(dir: PathBuf) -> SpoolGauge {
        SpoolGauge { dir, last: Mutex::new(None) }
    }

    /// A new measurement if `need` calls for one (the scheduler keeps the last one it was
    /// sent, so a report within a second of a measurement needs nothing new).
    pub fn reading(&self, need: SpoolUse) -> Option<SpoolSpace> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let fresh_enough = last.is_some_and(|at| at.elapsed() < REPORT_AGE);
        match need {
            SpoolUse::None => return None,
            SpoolUse::Report if fresh_enough => return None,
            SpoolUse::Measure | SpoolUse::Report => {}
        }
        *last = Some(Instant::now());
        Some(self.measure())
    }

    fn measure(&self) -> SpoolSpace {
        let v = nix::sys::statvfs::statvfs(&self.dir).ok();
        SpoolSpace {
            free: v.as_ref().map(|v| v.blocks_available().saturating_mul(v.fragment_size())),
            total: v.as_ref().map(|v| v.blocks().saturating_mul(v.fragment_size())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creation_always_measures_a_report_reuses_a_recent_one() {
        let gauge = SpoolGauge::new(std::env::temp_dir());
        assert_eq!(gauge.reading(SpoolUse::None), None);
        let first = gauge.reading(SpoolUse::Report).expect("the first report measures");
        assert!(first.free.is_some() && first.total.is_some());
        assert_eq!(gauge.reading(SpoolUse::Report), None, "within a second: reused");
        assert!(gauge.reading(SpoolUse::Measure).is_some(), "a creation measures");
        assert!(gauge.reading(SpoolUse::Measure).is_some(), "every time");
    }

    #[test]
    fn operations_are_sorted_by_their_use_of_the_free_space() {
        assert_eq!(SpoolUse::of(Some(Operation::PrintJob)), SpoolUse::Measure);
        assert_eq!(SpoolUse::of(Some(Operation::SendDocument)), SpoolUse::Measure);
        assert_eq!(SpoolUse::of(Some(Operation::GetPrinterAttributes)), SpoolUse::Report);
        assert_eq!(SpoolUse::of(Some(Operation::GetJobs)), SpoolUse::None);
        assert_eq!(SpoolUse::of(None), SpoolUse::None);
    }
}
