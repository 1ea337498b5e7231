use super::*;

const PPD: &str = r#"*PPD-Adobe: "4.3"
*%  A made-up printer for the lister's tests.
*OpenUI *PageSize/Media Size: PickOne
*DefaultPageSize: Letter
*PageSize Letter/US Letter: "<</PageSize[612 792]>>setpagedevice"
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*DefaultPageRegion: Letter
*PageRegion Letter: ""
*CloseUI: *PageRegion
*CustomPageSize True: "pop pop pop setpagedevice"
*ParamCustomPageSize Width: 1 points 36 1080
*OpenGroup: Finishing/Finishing
*OpenUI *Duplex/2-Sided Printing: PickOne
*DefaultDuplex: None
*Duplex None/Off: ""
*Duplex DuplexNoTumble/Long Edge: ""
*Duplex DuplexTumble/Short Edge: ""
*CloseUI: *Duplex
*OpenSubGroup: Stapling/Stapling
*OpenUI *Staple: PickOne
*Staple Off: ""
*Staple On: ""
*CloseUI: *Staple
*CloseSubGroup: Stapling
*OpenUI *Darkness/Darkness: PickOne
*DefaultDarkness: Normal
*Darkness Light/Light: ""
*Darkness Normal/Normal: ""
*CloseUI: *Darkness
*CloseGroup: Finishing
*CustomDarkness True/Custom: ""
*ParamCustomDarkness Level/Level: 1 int 0 10
*CustomStamp True/Stamp: ""
*ParamCustomStamp Text/Text: 1 string 0 32
*ParamCustomStamp Size/Size: 2 real 1 10
*OpenUI *Stamp/Stamp: PickOne
*DefaultStamp: None
*Stamp None/None: ""
*CloseUI: *Stamp
"#;

fn listed(saved: &[(&str, &str)]) -> Vec<String> {
    let mut dest = Dest::new("Q", None);
    for (n, v) in saved {
        dest.options.add(n, v);
    }
    lines(&parse(PPD), &dest)
}

#[test]
fn options_are_listed_by_group_with_the_default_marked() {
    assert_eq!(
        listed(&[]),
        [
            "PageSize/Media Size: *Letter A4 Custom.WIDTHxHEIGHT",
            "Stamp/Stamp: *None {Text=STRING Size=REAL}",
            "Duplex/2-Sided Printing: *None DuplexNoTumble DuplexTumble",
            "Darkness/Darkness: Light *Normal Custom.INTEGER",
            "Staple/Staple: Off On",
        ]
    );
}

#[test]
fn saved_options_and_their_ipp_names_mark_the_choice() {
    let out = listed(&[("media", "a4"), ("sides", "two-sided-short-edge"), ("Staple", "On")]);
    assert_eq!(out[0], "PageSize/Media Size: Letter *A4 Custom.WIDTHxHEIGHT");
    assert_eq!(out[2], "Duplex/2-Sided Printing: None DuplexNoTumble *DuplexTumble");
    assert_eq!(out[4], "Staple/Staple: Off *On");
}

#[test]
fn text_that_is_not_a_ppd_lists_nothing() {
    assert!(parse("").is_empty());
    assert!(parse("<html>Not Found</html>\n*\n*:\n*OpenUI\n*CloseUI")
        .iter()
        .all(|g| g.options.iter().all(|o| o.choices.is_empty())));
}
