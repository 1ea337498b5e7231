//! An HTTP body sent as a list of pieces, so a long answer (CUPS-Get-Printers over 20,000
//! printers is some 200 MB) is never joined into one buffer: each printer's encoded group
//! is written and freed in turn. Its exact length is known, so the answer carries a
//! `Content-Length` like any other.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

pub struct PiecesBody {
    pieces: VecDeque<Bytes>,
    left: u64,
}

impl PiecesBody {
    pub fn new(pieces: Vec<Vec<u8>>) -> Self {
        let left = pieces.iter().map(|p| p.len() as u64).sum();
        let pieces = pieces.into_iter().filter(|p| !p.is_empty()).map(Bytes::from).collect();
        PiecesBody { pieces, left }
    }
}

impl Body for PiecesBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let next = self.pieces.pop_front();
        if let Some(piece) = &next {
            self.left -= piece.len() as u64;
        }
        Poll::Ready(next.map(|p| Ok(Frame::data(p))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn pieces_come_out_in_order_with_their_exact_length() {
        let body = PiecesBody::new(vec![b"ab".to_vec(), Vec::new(), b"cde".to_vec()]);
        assert_eq!(body.size_hint().exact(), Some(5));
        let all = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(all.ok().as_deref(), Some(&b"abcde"[..]));
    }
}
