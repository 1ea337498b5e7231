//! Fuzzes the IPP decoder: arbitrary bytes must never panic; whatever decodes
//! must survive decode -> encode -> decode unchanged, and feeding the same
//! bytes in small chunks must give exactly the one-shot result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire_ipp::{decode, DecodeError, Limits, Message, MessageDecoder};

/// Feeds `data` in chunks whose sizes cycle through 1..=chunk_max, returning
/// the message and the absolute offset where document data starts.
fn chunked(data: &[u8], chunk_max: usize) -> Result<(Message, usize), DecodeError> {
    let mut decoder = MessageDecoder::new(Limits::default());
    let mut offset = 0;
    let mut size = 1;
    while offset < data.len() {
        let end = (offset + size).min(data.len());
        let piece = &data[offset..end];
        if let Some((message, used)) = decoder.feed(piece)? {
            assert!(used <= piece.len());
            return Ok((message, offset + used));
        }
        offset = end;
        size = size % chunk_max + 1;
    }
    Err(decoder.finish())
}

fuzz_target!(|data: &[u8]| {
    let one_shot = decode(data).map(|(message, rest)| (message, data.len() - rest.len()));
    // The first byte picks the chunking so both paths get explored.
    let chunk_max = usize::from(data.first().copied().unwrap_or(0) % 16) + 1;
    assert_eq!(one_shot, chunked(data, chunk_max));

    if let Ok((message, _)) = one_shot {
        let encoded = message.encode();
        let (again, rest) = decode(&encoded).expect("re-encoded message decodes");
        assert!(rest.is_empty());
        assert_eq!(again, message);
        assert_eq!(again.encode(), encoded);
    }
});
