#![no_main]
//! Fuzz the filter worker's pipes (backends/src/filter_chain/wire.rs). The daemon reads the
//! worker's results as hostile (the worker runs on hostile documents): any bytes must give
//! the asked-for results or an error, never a panic, and never a chunk over MAX_CHUNK. The
//! worker's plan reader must refuse or accept any bytes without panicking, and an accepted
//! plan must survive encode → decode unchanged.

use libfuzzer_sys::fuzz_target;
use quire_backends::filter_wire::{decode_plan, encode_plan, read_plan, read_results, MAX_CHUNK};
use std::io::{self, Write};

/// Counts what is written and checks every write stays within a chunk.
struct Bounded(u64);

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        assert!(buf.len() <= MAX_CHUNK);
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else { return };
    let mut open = |_: usize| -> io::Result<Box<dyn Write>> { Ok(Box::new(Bounded(0))) };
    let _ = read_results(&mut &rest[..], usize::from(count % 8), &mut open);

    let mut input = io::Cursor::new(rest);
    if let Ok(plan) = read_plan(&mut input) {
        let again = decode_plan(&encode_plan(&plan)).expect("an accepted plan encodes and decodes");
        assert_eq!(again, plan);
    }
});
