use super::*;
use lopdf::{dictionary, Stream};

/// A document whose page inherits MediaBox and Resources from an intermediate Pages node.
fn nested_doc() -> Document {
    let mut doc = Document::with_version("1.4");
    let root_pages = doc.new_object_id();
    let mid_pages = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"0 0 m 5 5 l S".to_vec()));
    let page = doc
        .add_object(dictionary! { "Type" => "Page", "Parent" => mid_pages, "Contents" => content });
    doc.objects.insert(
        mid_pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Parent" => root_pages, "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 300.into()],
            "Resources" => dictionary! {},
        }),
    );
    doc.objects.insert(
        root_pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![mid_pages.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => root_pages });
    doc.trailer.set("Root", catalog);
    doc
}

#[test]
fn flat_pages_copy_inherited_attributes() {
    let doc = nested_doc();
    let pages = flat_pages(&doc).unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].has(b"Resources"));
    assert!(!pages[0].has(b"Parent"));
    let mb = pages[0].get(b"MediaBox").unwrap().as_array().unwrap();
    assert!((mb[3].as_float().unwrap() - 300.0).abs() < f32::EPSILON);
}

#[test]
fn set_pages_replaces_tree() {
    let mut doc = nested_doc();
    let pages = flat_pages(&doc).unwrap();
    set_pages(&mut doc, vec![pages[0].clone(), pages[0].clone()]).unwrap();
    assert_eq!(doc.get_pages().len(), 2);
    assert!(matches!(set_pages(&mut doc, Vec::new()), Err(FilterError::Empty)));
}

#[test]
fn renumber_shifts_references() {
    let mut doc = nested_doc();
    let before = doc.get_pages().len();
    renumber(&mut doc, 100);
    assert_eq!(doc.get_pages().len(), before);
    assert!(doc.objects.keys().all(|(n, _)| *n > 100));
}
