#![no_main]
//! Fuzz what the `quire` commands read from files and from the server (daemon/cli): an
//! lpoptions file, `-o` option text, a PPD's options (`lpoptions -l`, from a server that may
//! lie) and cupsd.conf as `cupsctl` reads and rewrites it. Any text: no panic.

use libfuzzer_sys::fuzz_target;
use quire_cli::cupsctl::{edit, settings, Host};
use quire_cli::dests::{parse_file, OptionList};
use quire_cli::options::Options;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_file(&text);
    let _ = Options::default().parse(&text);
    let mut saved = OptionList::default();
    if saved.parse_onto(&text).is_ok() {
        let _ = saved.display();
    }
    let _ = quire_cli::ppd_options::parse(&text);
    let _ = settings(&text);
    let host = Host { port: 631, default_socket: data.first().is_some_and(|b| b & 1 == 1) };
    let _ = edit(&text, &OptionList::default(), host);
    let mut switches = OptionList::default();
    for name in ["_debug_logging", "_share_printers", "_remote_admin", "_user_cancel_any"] {
        switches.add(name, "1");
    }
    let _ = edit(&text, &switches, host);
});
