use super::*;

#[test]
fn request_has_standard_operation_attributes() {
    let m = request_as(Operation::GetJobs, Some("ipp://localhost/printers/Q"), "alice");
    assert_eq!(m.code, Operation::GetJobs.code());
    assert_eq!(m.version, (2, 0));
    assert!(m.request_id > 0);
    let names: Vec<&str> = m.groups[0].attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "attributes-charset",
            "attributes-natural-language",
            "printer-uri",
            "requesting-user-name"
        ]
    );
    assert_eq!(m.operation_attr("requesting-user-name").and_then(|a| a.first_str()), Some("alice"));
    let none = request_as(Operation::CupsGetDefault, None, "bob");
    assert!(none.operation_attr("printer-uri").is_none());
}

#[test]
fn request_ids_increase() {
    let a = next_request_id();
    let b = next_request_id();
    assert!(b > a);
}
