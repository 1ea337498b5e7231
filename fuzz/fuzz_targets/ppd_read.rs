#![no_main]
//! Fuzz the PPD reader (`quire_cupsfiles::read_ppd`): any bytes read without panicking;
//! every diagnostic points at a real line; a file is refused (`None`) exactly when there is
//! an error; and what is read is consistent: option keywords and each option's choice
//! keywords are unique, a default is one of its option's choices (or a custom value of a
//! custom option), page size names are unique.

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire_cupsfiles::read_ppd;

/// PPD lines end at LF, CR or CR LF.
fn line_count(data: &[u8]) -> usize {
    data.iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' || (b == b'\n' && (i == 0 || data[i - 1] != b'\r')))
        .count()
        + 1
}

fuzz_target!(|data: &[u8]| {
    let (ppd, diags) = read_ppd(data, Path::new("fuzz.ppd"));
    let lines = line_count(data);
    for d in &diags {
        assert!(d.loc.line >= 1 && d.loc.line <= lines && d.loc.col >= 1, "{d}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let Some(ppd) = ppd else {
        assert_eq!(errors, 1, "{diags:?}");
        assert!(diags.last().is_some_and(|d| d.is_error()), "{diags:?}");
        return;
    };
    assert_eq!(errors, 0, "{diags:?}");
    let mut keywords = HashSet::new();
    for option in &ppd.options {
        assert!(keywords.insert(&option.keyword), "two options {}", option.keyword);
        let mut choices = HashSet::new();
        for choice in &option.choices {
            assert!(choices.insert(&choice.keyword), "two choices {}", choice.keyword);
        }
        if let Some(default) = &option.default {
            let custom = option.custom && default.to_ascii_lowercase().starts_with("custom");
            assert!(choices.contains(default) || custom, "{option:?}");
        }
        assert_eq!(ppd.default_choice(&option.keyword), option.default.as_deref());
    }
    let mut sizes = HashSet::new();
    for size in &ppd.page_sizes {
        assert!(sizes.insert(&size.name), "two sizes {}", size.name);
    }
});
