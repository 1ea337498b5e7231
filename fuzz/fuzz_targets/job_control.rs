#![no_main]
//! Fuzz the job control file reader (cupsd's `cNNNNN` files): any bytes decode or give an
//! error, never a panic; a decoded file encodes to a file that decodes to the same message;
//! a typed record written for cupsd reads back to the same record.

use libfuzzer_sys::fuzz_target;
use quire_cupsfiles::JobControl;

fuzz_target!(|data: &[u8]| {
    let Ok(control) = JobControl::decode(data) else { return };
    assert!(control.trailing <= data.len());
    let reread = JobControl::decode(&control.encode()).expect("an encoded control file decodes");
    assert_eq!(reread.message, control.message);
    let Ok(record) = control.record() else { return };
    let made = JobControl::from_record(&record);
    let again = JobControl::decode(&made.encode()).expect("a written control file decodes");
    assert_eq!(again.record().as_ref(), Ok(&record));
});
