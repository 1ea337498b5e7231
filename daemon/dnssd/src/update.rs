//! RFC 2136 UPDATE messages that move a zone from the records quired published last to the
//! ones it publishes now, touching only its own: the RRsets of its instance names, and single
//! PTR records (never a whole PTR RRset, which other hosts' instances share). The pointers all
//! publishers of the domain share (service-type enumeration, browse domains) are withdrawn only
//! on the condition that nothing uses them any more.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::{class, rtype, Name, RData, Record};
use crate::tsig::{self, Key};
use crate::zone::{BROWSE, SERVICES};

/// DNS opcode UPDATE.
pub const OPCODE_UPDATE: u16 = 5;
/// A UDP message without EDNS is at most 512 bytes (RFC 1035 section 4.2.1).
pub const UDP_MAX: usize = 512;
/// An update quired sends stays below the TCP limit with room for its TSIG.
pub const MESSAGE_MAX: usize = 65_535 - 256;

/// One change of the update section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Delete all RRsets at a name (class ANY, type ANY): an instance name is quired's alone.
    DeleteName(Name),
    /// Delete one record (class NONE).
    DeleteRecord(Record),
    /// Add one record (class IN); adding a record that exists already changes nothing.
    Add(Record),
}

/// One UPDATE message's worth of changes, with its prerequisite when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// RFC 2136 section 2.4.5 "name is not in use": the batch applies only when nothing
    /// is left at this name (else the server answers YXDOMAIN, which is not a failure).
    pub unless_in_use: Option<Name>,
    pub changes: Vec<Change>,
}

impl Batch {
    /// A batch applied on condition: its refusal (YXDOMAIN) means "still in use".
    pub fn is_conditional(&self) -> bool {
        self.unless_in_use.is_some()
    }
}

/// The updates that take the zone from `old` (what quired sent last) to `new`: first the
/// instances' changes (each instance's deletes and adds kept in one message, messages packed
/// up to [`MESSAGE_MAX`]), then the conditional withdrawals of shared pointers no longer in
/// `new`: each service-type enumeration pointer unless that type's name is still in use, then
/// the browse-domain pointers unless the enumeration is. Nothing to do gives no batch.
pub fn plan(zone: &Name, old: &[Record], new: &[Record]) -> Vec<Batch> {
    let shared = shared_owners(zone);
    let old_set: BTreeSet<&Record> = old.iter().collect();
    let new_set: BTreeSet<&Record> = new.iter().collect();
    let mut groups: Vec<Vec<Change>> = Vec::new();
    // Shared pointers first: adding one that exists is a no-op.
    let adds: Vec<Change> = new
        .iter()
        .filter(|r| shared.contains(&r.owner) && !old_set.contains(r))
        .map(|r| Change::Add(r.clone()))
        .collect();
    if !adds.is_empty() {
        groups.push(adds);
    }
    let old_inst = instances(old);
    let new_inst = instances(new);
    let names: BTreeSet<&Name> = old_inst.keys().chain(new_inst.keys()).copied().collect();
    for name in names {
        let before = old_inst.get(name);
        let after = new_inst.get(name);
        if before == after {
            continue;
        }
        let mut g = vec![Change::DeleteName(name.clone())];
        g.extend(after.into_iter().flatten().map(|r| Change::Add((*r).clone())));
        // The instance's PTRs go with it, so no pointer is left dangling between messages.
        g.extend(pointer_changes(name, &shared, &old_set, &new_set));
        groups.push(g);
    }
    // PTRs whose instance did not change (a subtype added or dropped).
    let grouped: BTreeSet<&Name> = names_changed(&old_inst, &new_inst);
    let loose: Vec<Change> = pointer_diff(&shared, &old_set, &new_set)
        .filter(|c| !grouped.contains(ptr_target(c)))
        .collect();
    if !loose.is_empty() {
        groups.push(loose);
    }
    let mut batches = pack(zone, groups);
    batches.extend(withdrawals(zone, old, new));
    batches
}

/// Owners of the shared pointers under `zone`.
fn shared_owners(zone: &Name) -> BTreeSet<Name> {
    std::iter::once(SERVICES).chain(BROWSE).filter_map(|n| zone.children(n).ok()).collect()
}

/// The SRV and TXT records of each instance name.
fn instances(records: &[Record]) -> BTreeMap<&Name, BTreeSet<&Record>> {
    let mut m: BTreeMap<&Name, BTreeSet<&Record>> = BTreeMap::new();
    for r in records.iter().filter(|r| !matches!(r.data, RData::Ptr(_))) {
        m.entry(&r.owner).or_default().insert(r);
    }
    m
}

fn names_changed<'a>(
    old: &BTreeMap<&'a Name, BTreeSet<&'a Record>>,
    new: &BTreeMap<&'a Name, BTreeSet<&'a Record>>,
) -> BTreeSet<&'a Name> {
    old.keys().chain(new.keys()).filter(|n| old.get(*n) != new.get(*n)).copied().collect()
}

/// Added and removed PTR records that are not shared pointers.
fn pointer_diff<'a>(
    shared: &'a BTreeSet<Name>,
    old: &'a BTreeSet<&'a Record>,
    new: &'a BTreeSet<&'a Record>,
) -> impl Iterator<Item = Change> + 'a {
    let is_ptr = move |r: &&&Record| matches!(r.data, RData::Ptr(_)) && !shared.contains(&r.owner);
    let removed = old.iter().filter(is_ptr).filter(|r| !new.contains(**r));
    let added = new.iter().filter(is_ptr).filter(|r| !old.contains(**r));
    removed
        .map(|r| Change::DeleteRecord((*r).clone()))
        .chain(added.map(|r| Change::Add((*r).clone())))
}

fn pointer_changes(
    instance: &Name,
    shared: &BTreeSet<Name>,
    old: &BTreeSet<&Record>,
    new: &BTreeSet<&Record>,
) -> Vec<Change> {
    pointer_diff(shared, old, new).filter(|c| ptr_target(c) == instance).collect()
}

fn ptr_target(c: &Change) -> &Name {
    match c {
        Change::DeleteName(n) => n,
        Change::DeleteRecord(r) | Change::Add(r) => match &r.data {
            RData::Ptr(t) => t,
            _ => &r.owner,
        },
    }
}

/// Groups into batches no larger than [`MESSAGE_MAX`] once encoded (a single group larger than
/// that is sent alone: the server answers it as it may).
fn pack(zone: &Name, groups: Vec<Vec<Change>>) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut current = Batch { unless_in_use: None, changes: Vec::new() };
    let mut size = HEADER_LEN + zone.wire_len() + 4;
    for g in groups {
        let g_size: usize = g.iter().map(change_len).sum();
        if !current.changes.is_empty() && size + g_size > MESSAGE_MAX {
            out.push(std::mem::replace(
                &mut current,
                Batch { unless_in_use: None, changes: Vec::new() },
            ));
            size = HEADER_LEN + zone.wire_len() + 4;
        }
        size += g_size;
        current.changes.extend(g);
    }
    if !current.changes.is_empty() {
        out.push(current);
    }
    out
}

/// The conditional withdrawals of shared pointers that are in `old` and not in `new`.
fn withdrawals(zone: &Name, old: &[Record], new: &[Record]) -> Vec<Batch> {
    let (Ok(enumeration), new_set) = (zone.children(SERVICES), new.iter().collect::<BTreeSet<_>>())
    else {
        return Vec::new();
    };
    let gone = |r: &&Record| !new_set.contains(r);
    let mut out = Vec::new();
    let mut browse = Vec::new();
    for r in old.iter().filter(gone) {
        match &r.data {
            RData::Ptr(stype) if r.owner == enumeration => out.push(Batch {
                unless_in_use: Some(stype.clone()),
                changes: vec![Change::DeleteRecord(r.clone())],
            }),
            RData::Ptr(_)
                if BROWSE.iter().any(|b| zone.children(b).ok() == Some(r.owner.clone())) =>
            {
                browse.push(Change::DeleteRecord(r.clone()))
            }
            _ => {}
        }
    }
    if !browse.is_empty() {
        out.push(Batch { unless_in_use: Some(enumeration), changes: browse });
    }
    out
}

const HEADER_LEN: usize = 12;

fn change_len(c: &Change) -> usize {
    match c {
        Change::DeleteName(n) => n.wire_len() + 10,
        Change::DeleteRecord(r) | Change::Add(r) => {
            let mut d = Vec::new();
            r.data.write_wire(&mut d);
            r.owner.wire_len() + 10 + d.len()
        }
    }
}

/// An encoded update, with the MAC its answer's signature covers (empty when unsigned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: u16,
    pub bytes: Vec<u8>,
    pub mac: Vec<u8>,
}

/// The UPDATE message of `batch` for `zone` (RFC 2136 section 2): zone section `zone SOA IN`,
/// the prerequisite, the changes; signed with `key` at `time_signed` (Unix seconds) when given.
pub fn encode(id: u16, zone: &Name, batch: &Batch, key: Option<(&Key, u64)>) -> Message {
    let mut m = Vec::with_capacity(512);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&(OPCODE_UPDATE << 11).to_be_bytes());
    let prereqs = u16::from(batch.unless_in_use.is_some());
    let updates = u16::try_from(batch.changes.len()).unwrap_or(u16::MAX);
    for count in [1, prereqs, updates, 0] {
        m.extend_from_slice(&count.to_be_bytes());
    }
    zone.write_wire(&mut m);
    m.extend_from_slice(&rtype::SOA.to_be_bytes());
    m.extend_from_slice(&class::IN.to_be_bytes());
    if let Some(name) = &batch.unless_in_use {
        write_rr(&mut m, name, rtype::ANY, class::NONE, 0, None);
    }
    for c in batch.changes.iter().take(usize::from(updates)) {
        match c {
            Change::DeleteName(n) => write_rr(&mut m, n, rtype::ANY, class::ANY, 0, None),
            Change::DeleteRecord(r) => {
                write_rr(&mut m, &r.owner, r.data.rtype(), class::NONE, 0, Some(&r.data))
            }
            Change::Add(r) => {
                write_rr(&mut m, &r.owner, r.data.rtype(), class::IN, r.ttl, Some(&r.data))
            }
        }
    }
    let mac = match key {
        Some((k, now)) => tsig::sign(&mut m, k, now),
        None => Vec::new(),
    };
    Message { id, bytes: m, mac }
}

fn write_rr(out: &mut Vec<u8>, owner: &Name, t: u16, c: u16, ttl: u32, data: Option<&RData>) {
    owner.write_wire(out);
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&c.to_be_bytes());
    out.extend_from_slice(&ttl.to_be_bytes());
    let mut rdata = Vec::new();
    if let Some(d) = data {
        d.write_wire(&mut rdata);
    }
    out.extend_from_slice(&u16::try_from(rdata.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(&rdata);
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
