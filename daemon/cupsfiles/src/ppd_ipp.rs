//! A PPD's defaults as the IPP `-default` attributes cupsd derives from them for its queue
//! (what `lpoptions -p` lists): the page size as a PWG media name (PWG 5101.1), duplex as
//! `sides`, the color model as `print-color-mode`.

use crate::ppd::Ppd;

/// PPD page size names and their PWG media names (the common ones; others are named from
/// their dimensions).
const MEDIA: [(&str, &str); 16] = [
    ("A3", "iso_a3_297x420mm"),
    ("A4", "iso_a4_210x297mm"),
    ("A5", "iso_a5_148x210mm"),
    ("A6", "iso_a6_105x148mm"),
    ("B5", "iso_b5_176x250mm"),
    ("Letter", "na_letter_8.5x11in"),
    ("Legal", "na_legal_8.5x14in"),
    ("Tabloid", "na_ledger_11x17in"),
    ("Ledger", "na_ledger_11x17in"),
    ("Executive", "na_executive_7.25x10.5in"),
    ("Statement", "na_invoice_5.5x8.5in"),
    ("Env10", "na_number-10_4.125x9.5in"),
    ("EnvDL", "iso_dl_110x220mm"),
    ("EnvC5", "iso_c5_162x229mm"),
    ("EnvMonarch", "na_monarch_3.875x7.5in"),
    ("Postcard", "jpn_hagaki_100x148mm"),
];

/// A number of millimetres as PWG names write it (at most two decimals, no trailing zeros).
fn mm(points: f64) -> String {
    let v = format!("{:.2}", points * 25.4 / 72.0);
    v.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The PWG media name of PPD page size `name` (`A4` → `iso_a4_210x297mm`); one PPDs made
/// up is named from its dimensions, as cupsd names it (`custom_NAME_WxHmm`).
pub fn pwg_media(ppd: &Ppd, name: &str) -> Option<String> {
    let base = name.split('.').next().unwrap_or(name);
    if let Some((_, pwg)) = MEDIA.iter().find(|(n, _)| n.eq_ignore_ascii_case(base)) {
        return Some((*pwg).to_string());
    }
    let [w, h] = ppd.page_size(name)?.dimensions?;
    let clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    Some(format!("custom_{clean}_{}x{}mm", mm(w), mm(h)))
}

impl Ppd {
    /// The IPP defaults this PPD sets, as (attribute, keyword) pairs.
    pub fn ipp_defaults(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let page = self.default_choice("PageSize").or_else(|| self.default_choice("PageRegion"));
        if let Some(media) = page.and_then(|p| pwg_media(self, p)) {
            out.push(("media-default", media));
        }
        let duplex = self.default_choice("Duplex").or_else(|| self.default_choice("EFDuplex"));
        let sides = match duplex {
            Some("DuplexNoTumble") => Some("two-sided-long-edge"),
            Some("DuplexTumble") => Some("two-sided-short-edge"),
            Some("None") => Some("one-sided"),
            _ => None,
        };
        out.extend(sides.map(|s| ("sides-default", s.to_string())));
        let color = match self.default_choice("ColorModel") {
            Some(m) if ["Gray", "Grayscale", "Black", "KGray"].contains(&m) => Some("monochrome"),
            Some(_) if self.color_device => Some("color"),
            _ if !self.color_device => Some("monochrome"),
            _ => None,
        };
        out.extend(color.map(|c| ("print-color-mode-default", c.to_string())));
        out
    }
}

#[cfg(test)]
#[path = "ppd_ipp_tests.rs"]
mod tests;
