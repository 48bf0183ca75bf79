//! A response body as it is read, chunk by chunk, into the one `Bytes` a response keeps.

use bytes::{Bytes, BytesMut};

/// An HTTP/2 body up to this size is copied out of the buffer it arrived in (see
/// [`Collected::into_bytes`]); copying a body this small costs far less than a request.
const COPIED_BODY: usize = 16 * 1024;

/// A body being read: the first chunk is kept as is (no copy for the common one-chunk
/// body); later chunks are appended to one buffer, allocated once at the announced length
/// (which the caller has checked against the cap) when there is one.
#[derive(Default)]
pub(super) struct Collected {
    first: Option<Bytes>,
    rest: BytesMut,
    expected: usize,
}

impl Collected {
    pub(super) fn expecting(length: u64) -> Self {
        Collected { expected: usize::try_from(length).unwrap_or(0), ..Collected::default() }
    }

    pub(super) fn len(&self) -> usize {
        self.first.as_ref().map_or(self.rest.len(), Bytes::len)
    }

    pub(super) fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            first => {
                if let Some(first) = first {
                    self.rest.reserve(self.expected.max(first.len() + chunk.len()));
                    self.rest.extend_from_slice(&first);
                }
                self.rest.extend_from_slice(&chunk);
            }
        }
    }

    /// The body in one piece. On HTTP/2 a small one is copied: hyper hands a body read in one
    /// piece as a slice of the connection's read buffer, and a slice keeps the whole buffer
    /// alive (a script that keeps two small responses through a `sleep`, as SyncKairos's
    /// `create_res` and `switch_res`, held two 8 KiB buffers per VU for a few hundred bytes of
    /// JSON). rload's HTTP/1.1 connection copies the body out of its read buffer already.
    pub(super) fn into_bytes(self, http2: bool) -> Bytes {
        let bytes = self.first.unwrap_or_else(|| self.rest.freeze());
        if http2 && bytes.len() <= COPIED_BODY {
            return Bytes::copy_from_slice(&bytes);
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_several_chunks_is_reassembled() {
        let mut collected = Collected::default();
        collected.push(Bytes::from_static(b"ab"));
        collected.push(Bytes::from_static(b""));
        collected.push(Bytes::from_static(b"cd"));
        collected.push(Bytes::from_static(b"e"));
        assert_eq!(collected.len(), 5);
        assert_eq!(collected.into_bytes(false), Bytes::from_static(b"abcde"));
        assert_eq!(Collected::default().into_bytes(false), Bytes::new());

        let mut announced = Collected::expecting(100);
        announced.push(Bytes::from(vec![b'a'; 40]));
        announced.push(Bytes::from(vec![b'b'; 60]));
        assert_eq!(announced.rest.capacity(), 100, "one allocation of the announced length");
        assert_eq!(announced.into_bytes(false).len(), 100);
    }

    #[test]
    fn a_small_http2_body_is_copied_out_of_its_buffer_and_an_http1_body_is_kept() {
        // A body that is a slice of a connection's 8 KiB read buffer, as hyper hands one.
        let buffer = Bytes::from(vec![b'x'; 8192]);
        let body = |http2| {
            let mut collected = Collected::default();
            collected.push(buffer.slice(100..700));
            collected.into_bytes(http2)
        };
        let copied = body(true);
        assert_eq!(copied, buffer.slice(100..700));
        assert!(!std::ptr::eq(copied.as_ptr(), buffer[100..].as_ptr()), "HTTP/2: a copy, not the buffer");
        // rload's HTTP/1.1 connection hands bodies it owns already: no second copy.
        assert!(std::ptr::eq(body(false).as_ptr(), buffer[100..].as_ptr()));
        // Past the size copied, the body is kept as it came.
        let mut large = Collected::default();
        large.push(Bytes::from(vec![b'y'; COPIED_BODY + 1]));
        assert_eq!(large.into_bytes(true).len(), COPIED_BODY + 1);
    }
}
