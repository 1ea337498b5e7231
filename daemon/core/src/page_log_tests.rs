use super::*;
use quire_ipp::build::media_size;

const CUPSD_DEFAULT: &str =
    "%p %u %j %T %P %C %{job-billing} %{job-originating-host-name} %{job-name} %{media} %{sides}";

fn fields(attributes: &[Attribute]) -> PageFields<'_> {
    PageFields { printer: "office", user: "alice", job_id: 12, page: "total", count: 3, attributes }
}

#[test]
fn cupsd_default_format() {
    let attrs = vec![
        Attribute::new("job-originating-host-name", Value::Name("localhost".into())),
        Attribute::new("job-name", Value::Name("report.pdf".into())),
        Attribute::new("media", Value::Keyword("iso_a4_210x297mm".into())),
    ];
    assert_eq!(
        render(CUPSD_DEFAULT, &fields(&attrs), "[06/Dec/2026:03:10:49 +0000]"),
        "office alice 12 [06/Dec/2026:03:10:49 +0000] total 3 - localhost report.pdf iso_a4_210x297mm -"
    );
}

#[test]
fn aliases_lists_and_literals() {
    let attrs = vec![
        Attribute::new("job-account-id", Value::Name("dept-7".into())),
        Attribute::new(
            "media-col",
            Value::Collection(vec![Attribute::new("media-size", media_size(21590, 27940))]),
        ),
        Attribute::set("finishings", vec![Value::Enum(3), Value::Enum(4)]),
        Attribute::new("color", Value::Boolean(true)),
    ];
    assert_eq!(
        render(
            "%{job-billing} %{media} %{finishings} %{color} 100%% %q %{unclosed",
            &fields(&attrs),
            "T"
        ),
        "dept-7 na_letter_8.5x11in 3,4 1 100% %q %{unclosed"
    );
    let odd = vec![Attribute::new(
        "media-col",
        Value::Collection(vec![Attribute::new("media-size", media_size(10000, 12550))]),
    )];
    assert_eq!(render("%{media}", &fields(&odd), "T"), "custom_100x125.5mm_100x125.5mm");
    assert_eq!(render("%", &fields(&[]), "T"), "");
}

#[test]
fn a_job_name_cannot_start_a_line() {
    let attrs = vec![Attribute::new("job-name", Value::Name("x\noffice root 1".into()))];
    assert!(!render("%{job-name}", &fields(&attrs), "T").contains('\n'));
}
