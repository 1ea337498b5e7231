//! PDF page operations on top of lopdf: page count, page selection, copies, concatenation.
//!
//! lopdf loads a whole PDF into memory (object table and, compressed, the streams), so these
//! operations cost memory in proportion to the input file. Outputs reference the input's
//! content streams and resources instead of copying them: a page repeated for copies is a new,
//! small page dictionary pointing at the same content.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::error::FilterError;

/// Page attributes a page may inherit from its ancestors in the page tree.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Deepest page tree walked when resolving inherited attributes.
const MAX_DEPTH: usize = 64;

/// Catalog entries that point into the old page tree and mean nothing for a printed copy.
const STALE_CATALOG_KEYS: [&[u8]; 6] =
    [b"Outlines", b"StructTreeRoot", b"PageLabels", b"Dests", b"OpenAction", b"Threads"];

/// Runs lopdf code that might panic on hostile input, turning a panic into `Corrupt`.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, FilterError>) -> Result<T, FilterError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(FilterError::corrupt("the PDF structure could not be processed")))
}

/// Loads a PDF. Errors: `Io` if it cannot be opened, `Corrupt` if it does not parse.
pub(crate) fn load(path: &Path) -> Result<Document, FilterError> {
    let file = File::open(path).map_err(|e| FilterError::io(path, e))?;
    let doc = guarded(|| {
        Document::load_from(BufReader::new(file))
            .map_err(|e| FilterError::corrupt(format!("not a readable PDF file ({e})")))
    })?;
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(FilterError::Unsupported("password-protected PDF".into()));
    }
    Ok(doc)
}

/// Writes `doc` to `output`.
pub(crate) fn save(doc: &mut Document, output: &Path) -> Result<(), FilterError> {
    let file = File::create(output).map_err(|e| FilterError::io(output, e))?;
    let mut w = BufWriter::new(file);
    guarded(|| doc.save_to(&mut w).map_err(|e| FilterError::io(output, e)))?;
    let file = w.into_inner().map_err(|e| FilterError::io(output, e.into_error()))?;
    file.sync_all().map_err(|e| FilterError::io(output, e))
}

/// Number of pages in the PDF at `pdf`.
pub fn page_count(pdf: &Path) -> Result<u32, FilterError> {
    let doc = load(pdf)?;
    let n = guarded(|| Ok(doc.page_iter().count()))?;
    match n {
        0 => Err(FilterError::Empty),
        n => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
    }
}

/// Number of pages in a PDF held in memory (a small spooled document).
pub fn page_count_mem(pdf: &[u8]) -> Result<u32, FilterError> {
    let doc = guarded(|| {
        Document::load_mem(pdf)
            .map_err(|e| FilterError::corrupt(format!("not a readable PDF file ({e})")))
    })?;
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(FilterError::Unsupported("password-protected PDF".into()));
    }
    let n = guarded(|| Ok(doc.page_iter().count()))?;
    match n {
        0 => Err(FilterError::Empty),
        n => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
    }
}

/// The pages of `doc` in order, each as a stand-alone dictionary: inherited attributes copied
/// in, `/Parent` removed. Content, resources and annotations stay references into `doc`.
pub(crate) fn flat_pages(doc: &Document) -> Result<Vec<Dictionary>, FilterError> {
    guarded(|| {
        let pages: Vec<Dictionary> = doc.page_iter().map(|id| flat_page(doc, id)).collect();
        if pages.is_empty() {
            Err(FilterError::Empty)
        } else {
            Ok(pages)
        }
    })
}

fn flat_page(doc: &Document, id: ObjectId) -> Dictionary {
    let Ok(page) = doc.get_dictionary(id) else {
        // A page object that cannot be read prints as a blank Letter page.
        let mut blank = Dictionary::new();
        blank.set("Type", Object::Name(b"Page".to_vec()));
        blank.set("MediaBox", letter_box());
        return blank;
    };
    let mut flat = page.clone();
    flat.remove(b"Parent");
    for key in INHERITED {
        if flat.has(key) {
            continue;
        }
        if let Some(value) = inherited(doc, page, key) {
            flat.set(key.to_vec(), value);
        }
    }
    if !flat.has(b"MediaBox") {
        flat.set("MediaBox", letter_box());
    }
    flat
}

fn letter_box() -> Object {
    Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()])
}

fn inherited(doc: &Document, page: &Dictionary, key: &[u8]) -> Option<Object> {
    let mut node = page;
    for _ in 0..MAX_DEPTH {
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
        if let Ok(v) = node.get(key) {
            return Some(v.clone());
        }
    }
    None
}

/// Replaces the page tree of `doc` with one flat `/Pages` node holding `pages`, drops catalog
/// entries that pointed into the old tree, and prunes objects nothing references any more.
pub(crate) fn set_pages(doc: &mut Document, pages: Vec<Dictionary>) -> Result<(), FilterError> {
    if pages.is_empty() {
        return Err(FilterError::Empty);
    }
    guarded(|| {
        let pages_id = doc.new_object_id();
        let mut kids = Vec::with_capacity(pages.len());
        for mut page in pages {
            page.set("Parent", Object::Reference(pages_id));
            kids.push(Object::Reference(doc.add_object(Object::Dictionary(page))));
        }
        let mut tree = Dictionary::new();
        tree.set("Type", Object::Name(b"Pages".to_vec()));
        tree.set("Count", Object::Integer(kids.len() as i64));
        tree.set("Kids", Object::Array(kids));
        doc.objects.insert(pages_id, Object::Dictionary(tree));
        let catalog = catalog_mut(doc)?;
        catalog.set("Pages", Object::Reference(pages_id));
        for key in STALE_CATALOG_KEYS {
            catalog.remove(key);
        }
        doc.prune_objects();
        Ok(())
    })
}

/// The catalog, creating a fresh one if the document's is missing or unreadable.
fn catalog_mut(doc: &mut Document) -> Result<&mut Dictionary, FilterError> {
    let has_catalog = doc.catalog().is_ok();
    if !has_catalog {
        let mut cat = Dictionary::new();
        cat.set("Type", Object::Name(b"Catalog".to_vec()));
        let id = doc.add_object(Object::Dictionary(cat));
        doc.trailer.set("Root", Object::Reference(id));
    }
    doc.catalog_mut().map_err(|e| FilterError::corrupt(format!("no document catalog ({e})")))
}

/// Copies the pages of `input` named by `ranges` (1-based, inclusive, in the order given;
/// out-of-range pages are ignored) to `output`.
pub fn select_pages(input: &Path, output: &Path, ranges: &[(u32, u32)]) -> Result<(), FilterError> {
    let mut doc = load(input)?;
    let pages = flat_pages(&doc)?;
    let total = pages.len() as u64;
    let mut chosen = Vec::new();
    for &(first, last) in ranges {
        let first = u64::from(first.max(1));
        let last = u64::from(last).min(total);
        for n in first..=last {
            if let Some(p) = usize::try_from(n - 1).ok().and_then(|i| pages.get(i)) {
                chosen.push(p.clone());
            }
        }
    }
    set_pages(&mut doc, chosen)?;
    save(&mut doc, output)
}

/// Most pages a `copies` output may have (guards against a huge `copies` value).
pub const MAX_OUTPUT_PAGES: u64 = 1_000_000;

/// Writes `copies` copies of `input` to `output`: collated `1..n, 1..n`, uncollated
/// `1,1,2,2...`. Every copy of a page shares the page's content and resources.
pub fn copies(input: &Path, output: &Path, copies: u32, collate: bool) -> Result<(), FilterError> {
    let mut doc = load(input)?;
    let pages = flat_pages(&doc)?;
    let copies = copies.max(1) as usize;
    if (pages.len() as u64).saturating_mul(copies as u64) > MAX_OUTPUT_PAGES {
        return Err(FilterError::Unsupported(format!("{copies} copies of {} pages", pages.len())));
    }
    let mut out = Vec::with_capacity(pages.len() * copies);
    if collate {
        for _ in 0..copies {
            out.extend(pages.iter().cloned());
        }
    } else {
        for p in &pages {
            out.extend(std::iter::repeat_n(p, copies).cloned());
        }
    }
    set_pages(&mut doc, out)?;
    save(&mut doc, output)
}

/// Concatenates the pages of `inputs` (e.g. banner, document, trailing banner) into `output`.
pub fn concat(inputs: &[&Path], output: &Path) -> Result<(), FilterError> {
    let Some((first, rest)) = inputs.split_first() else {
        return Err(FilterError::Empty);
    };
    let mut doc = load(first)?;
    let mut pages = flat_pages(&doc)?;
    for path in rest {
        let mut other = load(path)?;
        let offset = doc.max_id;
        guarded(|| {
            renumber(&mut other, offset);
            Ok(())
        })?;
        pages.extend(flat_pages(&other)?);
        doc.max_id = doc.max_id.max(other.max_id);
        doc.objects.extend(std::mem::take(&mut other.objects));
    }
    set_pages(&mut doc, pages)?;
    save(&mut doc, output)
}

/// Shifts every object number of `doc` (and every reference to one) up by `offset`.
fn renumber(doc: &mut Document, offset: u32) {
    fn shift(obj: &mut Object, offset: u32) {
        match obj {
            Object::Reference((n, _)) => *n = n.saturating_add(offset),
            Object::Array(items) => items.iter_mut().for_each(|o| shift(o, offset)),
            Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| shift(o, offset)),
            Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| shift(o, offset)),
            _ => {}
        }
    }
    let objects = std::mem::take(&mut doc.objects);
    doc.objects = objects
        .into_iter()
        .map(|((n, g), mut o)| {
            shift(&mut o, offset);
            ((n.saturating_add(offset), g), o)
        })
        .collect();
    doc.trailer.iter_mut().for_each(|(_, o)| shift(o, offset));
    doc.max_id = doc.max_id.saturating_add(offset);
}

#[cfg(test)]
#[path = "pdf_tests.rs"]
mod tests;
