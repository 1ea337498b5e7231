//! Temporary queues (CUPS-Create-Local-Printer, `printer-is-temporary`): deleted once
//! nobody has used them for a while, and at start-up when no job needs them, as cupsd
//! forgets them.

use crate::effect::Effect;
use crate::events::{self, EventKind};
use crate::model::{Printer, PrinterState, Scheduler};

/// A temporary queue lives this long after its state last changed (cupsd: 5 minutes after
/// its last job).
pub const TEMPORARY_UNUSED_SECS: i64 = 300;

/// When temporary queue `p` may be deleted: unused (no job not yet finished), not printing,
/// [`TEMPORARY_UNUSED_SECS`] after its state last changed.
pub fn temporary_expiry(s: &Scheduler, p: &Printer) -> Option<i64> {
    // Asked for every queue at start-up and on every timer: O(1) each (`Jobs::in_use`).
    if !p.temporary || p.state == PrinterState::Processing || s.jobs.in_use(&p.name) {
        return None;
    }
    Some(p.state_change_time + TEMPORARY_UNUSED_SECS)
}

/// Deletes the temporary queues nobody has used for a while (called from the timer).
pub fn expire_temporary(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let due: Vec<String> = s
        .printers
        .iter()
        .filter(|(_, p)| temporary_expiry(s, p).is_some_and(|t| t <= now))
        .map(|(k, _)| k.clone())
        .collect();
    delete_temporary(s, due, now)
}

/// At start-up, the temporary queues no job needs are deleted, as cupsd forgets them at a
/// restart; one with unfinished jobs stays until they are done (cupsd would drop the jobs).
pub fn forget_unused_temporary(s: &mut Scheduler, now: i64) -> Vec<Effect> {
    let unused: Vec<String> = s
        .printers
        .iter()
        .filter(|(_, p)| temporary_expiry(s, p).is_some())
        .map(|(k, _)| k.clone())
        .collect();
    delete_temporary(s, unused, now)
}

fn delete_temporary(s: &mut Scheduler, due: Vec<String>, now: i64) -> Vec<Effect> {
    let mut effects = Vec::new();
    for key in due {
        let Some(p) = s.printers.remove(&key) else { continue };
        effects.push(Effect::DeletePrinter(key));
        let subs: Vec<i32> = s
            .subscriptions
            .values()
            .filter(|x| x.printer.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(&p.name)))
            .map(|x| x.id)
            .collect();
        for id in subs {
            s.subscriptions.remove(&id);
            effects.push(Effect::DeleteSubscription(id));
        }
        if s.default_printer.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&p.name)) {
            s.default_printer = None;
            effects.push(Effect::PersistServer);
        }
        events::emit_printer(s, EventKind::PrinterDeleted, &p.name, now);
    }
    effects
}
