//! A PPD's defaults as cupsd's IPP defaults.

use crate::read_ppd;
use std::path::Path;

fn ppd(body: &str) -> crate::Ppd {
    let text = format!(
        "*PPD-Adobe: \"4.3\"\n*FormatVersion: \"4.3\"\n*LanguageVersion: English\n\
         *LanguageEncoding: ISOLatin1\n*ModelName: \"T\"\n*NickName: \"T\"\n{body}"
    );
    let (ppd, diags) = read_ppd(text.as_bytes(), Path::new("t.ppd"));
    ppd.unwrap_or_else(|| panic!("{diags:?}"))
}

const SIZES: &str = "*OpenUI *PageSize: PickOne\n*DefaultPageSize: A4\n\
*PageSize A4: \"\"\n*PageSize Oddball: \"\"\n*CloseUI: *PageSize\n\
*PaperDimension A4: \"595 842\"\n*PaperDimension Oddball: \"300 400.5\"\n";

#[test]
fn page_size_duplex_and_color_become_ipp_defaults() {
    let p = ppd(&format!(
        "*ColorDevice: True\n{SIZES}*OpenUI *Duplex: PickOne\n*DefaultDuplex: DuplexTumble\n\
         *Duplex None: \"\"\n*Duplex DuplexTumble: \"\"\n*CloseUI: *Duplex\n\
         *OpenUI *ColorModel: PickOne\n*DefaultColorModel: Gray\n*ColorModel Gray: \"\"\n\
         *ColorModel RGB: \"\"\n*CloseUI: *ColorModel\n"
    ));
    assert_eq!(
        p.ipp_defaults(),
        [
            ("media-default", "iso_a4_210x297mm".to_string()),
            ("sides-default", "two-sided-short-edge".to_string()),
            ("print-color-mode-default", "monochrome".to_string()),
        ]
    );
}

#[test]
fn a_size_of_its_own_is_named_from_its_dimensions() {
    let p = ppd(SIZES);
    assert_eq!(crate::pwg_media(&p, "Oddball").as_deref(), Some("custom_oddball_105.83x141.29mm"));
    assert_eq!(crate::pwg_media(&p, "Letter").as_deref(), Some("na_letter_8.5x11in"));
    assert_eq!(crate::pwg_media(&p, "Missing"), None);
    // No ColorDevice: a black-and-white printer.
    assert!(p.ipp_defaults().contains(&("print-color-mode-default", "monochrome".into())));
}
