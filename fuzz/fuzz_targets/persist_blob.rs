#![no_main]
//! Fuzz the store's record decoding: arbitrary bytes given to job_from_blob, printer_from_blob
//! and subscription_from_blob must never panic. Whatever loads must save and load back to the
//! same object (a restart must not change state).

use libfuzzer_sys::fuzz_target;
use quire_core::persist::{
    job_from_blob, job_to_blob, printer_from_blob, printer_to_blob, subscription_from_blob,
    subscription_to_blob,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(job) = job_from_blob(data, Vec::new()) {
        let again = job_from_blob(&job_to_blob(&job), Vec::new()).expect("a saved job loads");
        assert_eq!(again, job);
    }
    if let Ok(printer) = printer_from_blob(data) {
        let again = printer_from_blob(&printer_to_blob(&printer)).expect("a saved printer loads");
        assert_eq!(again, printer);
    }
    if let Ok(sub) = subscription_from_blob(data) {
        let again = subscription_from_blob(&subscription_to_blob(&sub))
            .expect("a saved subscription loads");
        assert_eq!(again, sub);
    }
});
