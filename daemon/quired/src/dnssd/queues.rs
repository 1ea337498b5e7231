//! The shared queues as the publisher knows them, kept up to date queue by queue: the
//! scheduler marks the queues a batch changed, and the publisher reads only those back (all of
//! them once, and after a new configuration), and builds only their registrations again
//! (all of them when the host name, the port or the subtypes change).

use super::{registration, Names, Registration, Sharing};
use crate::command::Command;
use quire_dnssd::txt::QueueFacts;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot, Notify};

/// What changed since the publisher last looked, and its wake-up.
#[derive(Default)]
pub struct Dirty {
    notify: Notify,
    marked: Mutex<Marked>,
}

#[derive(Default)]
struct Marked {
    all: bool,
    keys: BTreeSet<String>,
}

impl Dirty {
    pub fn mark<'a>(&self, keys: impl IntoIterator<Item = &'a String>) {
        if let Ok(mut m) = self.marked.lock() {
            m.keys.extend(keys.into_iter().cloned());
        }
        self.notify.notify_one();
    }

    pub fn mark_all(&self) {
        if let Ok(mut m) = self.marked.lock() {
            m.all = true;
        }
        self.notify.notify_one();
    }

    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    /// What was marked (`None`: everything), cleared.
    fn take(&self) -> Option<BTreeSet<String>> {
        let mut m = self.marked.lock().ok()?;
        let keys = std::mem::take(&mut m.keys);
        (!std::mem::take(&mut m.all)).then_some(keys)
    }
}

/// The facts of the shared queues (by lower-cased name) and what they advertise (by name).
#[derive(Default)]
pub struct Queues {
    loaded: bool,
    facts: BTreeMap<String, QueueFacts>,
    /// Queues whose registration must be built again.
    stale: BTreeSet<String>,
    built_for: Option<(Sharing, Names)>,
    /// By queue name as written (the backends log and report it).
    regs: BTreeMap<String, Registration>,
    /// The name each key's registration is under in `regs`.
    named: BTreeMap<String, String>,
}

impl Queues {
    /// Reads back from the scheduler what changed (everything the first time). None: the
    /// scheduler is gone.
    pub async fn refresh(
        &mut self,
        dirty: &Dirty,
        tx: &mpsc::UnboundedSender<Command>,
    ) -> Option<()> {
        let marked = dirty.take();
        let keys = match (self.loaded, marked) {
            (true, Some(keys)) if keys.is_empty() => return Some(()),
            (true, Some(keys)) => Some(keys.into_iter().collect()),
            _ => None,
        };
        let (reply, answer) = oneshot::channel();
        tx.send(Command::SharedQueues { keys: keys.clone(), reply }).ok()?;
        let answer = answer.await.ok()?;
        if keys.is_none() {
            self.stale.extend(self.facts.keys().cloned());
            self.facts.clear();
            self.loaded = true;
        }
        for (key, facts) in answer {
            self.stale.insert(key.clone());
            match facts {
                Some(f) => self.facts.insert(key, f),
                None => self.facts.remove(&key),
            };
        }
        Some(())
    }

    /// What every shared queue advertises under `sharing` and the responder's `names`.
    pub fn registrations(
        &mut self,
        sharing: &Sharing,
        names: &Names,
    ) -> &BTreeMap<String, Registration> {
        let setting = (sharing.clone(), names.clone());
        if self.built_for.as_ref() != Some(&setting) {
            self.regs.clear();
            self.named.clear();
            self.stale = self.facts.keys().cloned().collect();
            self.built_for = Some(setting);
        }
        // One look-up per changed queue (not a walk of every registration for each).
        for key in std::mem::take(&mut self.stale) {
            if let Some(name) = self.named.remove(&key) {
                self.regs.remove(&name);
            }
            if let Some(q) = self.facts.get(&key) {
                self.regs.insert(q.name.clone(), registration(sharing, names, q));
                self.named.insert(key, q.name.clone());
            }
        }
        &self.regs
    }
}
