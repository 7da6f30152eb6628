//! The write-ahead log: a header and a sequence of self-delimiting commit
//! records.
//!
//! ```text
//! header (24 bytes)
//!      0     8  magic "SIGLWAL\0"
//!      8     4  format version (u32 LE) = 1
//!     12     8  generation (u64 LE): the checkpoint this log continues
//!     20     4  first 4 bytes of SHA-256 over bytes 0..20
//!
//! record (52 + P bytes), repeated
//!      0     4  magic "SGRC"
//!      4     8  payload length P (u64 LE)
//!     12     8  sequence number (u64 LE): 1 for the first record of a log
//!     20    32  SHA-256 over bytes 4..20 followed by the payload
//!     52     P  payload (see `codec`)
//! ```
//!
//! A log is created whole (temporary file with just the header, fsync,
//! rename), so its header is never torn. Records are appended and fsynced
//! one at a time, so only the last record can be incomplete after a crash.
//! [`scan`] accepts records while they are intact and numbered in order;
//! the first damaged one ends the log, unless an intact record with a later
//! sequence number follows it: that is damage in the middle of the log,
//! which is reported as corruption instead of silently dropping
//! acknowledged commits.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::PersistError;
use super::codec::{FORMAT_VERSION, OLDEST_FORMAT_VERSION};

const MAGIC: &[u8; 8] = b"SIGLWAL\0";
pub(super) const HEADER_LEN: usize = 24;

const RECORD_MAGIC: &[u8; 4] = b"SGRC";
pub(super) const RECORD_HEADER_LEN: usize = 52;

/// The log header for `generation`.
pub(super) fn header(generation: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[12..20].copy_from_slice(&generation.to_le_bytes());
    let digest = Sha256::digest(&h[0..20]);
    h[20..24].copy_from_slice(&digest[0..4]);
    h
}

fn corrupt(msg: impl std::fmt::Display) -> PersistError {
    PersistError::Corrupt(format!("log: {msg}"))
}

/// Checks the header and returns the log's generation and format version.
pub(super) fn parse_header(data: &[u8]) -> Result<(u64, u32), PersistError> {
    let Some(h) = data.get(..HEADER_LEN) else {
        return Err(corrupt(format!(
            "{} bytes is shorter than the header",
            data.len()
        )));
    };
    if &h[0..8] != MAGIC {
        return Err(corrupt("not a localnet log (bad magic)"));
    }
    if Sha256::digest(&h[0..20])[0..4] != h[20..24] {
        return Err(corrupt("header checksum mismatch"));
    }
    let version = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(corrupt(format!("unsupported format version {version}")));
    }
    Ok((read_u64(&h[12..20]), version))
}

fn read_u64(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[..8]);
    u64::from_le_bytes(word)
}

/// Reserves room for a record header at the start of a payload buffer;
/// [`seal`] fills it in once the payload is written after it.
pub(super) fn record_buffer() -> Vec<u8> {
    vec![0u8; RECORD_HEADER_LEN]
}

/// Fills in the record header of `buf` (from [`record_buffer`]).
pub(super) fn seal(buf: &mut [u8], seq: u64) {
    let payload_len = (buf.len() - RECORD_HEADER_LEN) as u64;
    buf[0..4].copy_from_slice(RECORD_MAGIC);
    buf[4..12].copy_from_slice(&payload_len.to_le_bytes());
    buf[12..20].copy_from_slice(&seq.to_le_bytes());
    let (head, payload) = buf.split_at_mut(RECORD_HEADER_LEN);
    let digest = Sha256::new()
        .chain_update(&head[4..20])
        .chain_update(&*payload)
        .finalize();
    head[20..52].copy_from_slice(&digest);
}

/// An intact record found at some offset.
struct Frame {
    seq: u64,
    payload: Range<usize>,
}

/// The intact record starting at `pos`, if there is one.
fn frame_at(data: &[u8], pos: usize) -> Option<Frame> {
    let head = data.get(pos..pos.checked_add(RECORD_HEADER_LEN)?)?;
    if &head[0..4] != RECORD_MAGIC {
        return None;
    }
    let len = usize::try_from(read_u64(&head[4..12])).ok()?;
    let start = pos + RECORD_HEADER_LEN;
    let end = start.checked_add(len)?;
    let payload = data.get(start..end)?;
    let digest = Sha256::new()
        .chain_update(&head[4..20])
        .chain_update(payload)
        .finalize();
    (digest[..] == head[20..52]).then(|| Frame {
        seq: read_u64(&head[12..20]),
        payload: start..end,
    })
}

/// What [`scan`] found.
pub(super) struct Scan {
    /// Payload ranges of the intact records, in order.
    pub records: Vec<Range<usize>>,
    /// Where the intact records end; the rest is a torn tail.
    pub valid_len: usize,
}

/// Finds the intact records of a log whose header was already checked.
pub(super) fn scan(data: &[u8]) -> Result<Scan, PersistError> {
    let mut records = Vec::new();
    let mut pos = HEADER_LEN.min(data.len());
    let mut expected = 1u64;
    while pos < data.len() {
        match frame_at(data, pos) {
            Some(frame) if frame.seq == expected => {
                pos = frame.payload.end;
                records.push(frame.payload);
                expected += 1;
            }
            Some(frame) => {
                return Err(corrupt(format!(
                    "record at byte {pos} has sequence number {}, expected {expected}",
                    frame.seq
                )));
            }
            None => {
                if let Some(later) = later_record(data, pos + 1, expected) {
                    return Err(corrupt(format!(
                        "record {expected} at byte {pos} is damaged, \
                         but an intact later record follows at byte {later}"
                    )));
                }
                break;
            }
        }
    }
    Ok(Scan {
        records,
        valid_len: pos,
    })
}

/// The offset of an intact record numbered `min_seq` or later at or after
/// `from`, if any.
fn later_record(data: &[u8], from: usize, min_seq: u64) -> Option<usize> {
    let tail = data.get(from..)?;
    tail.windows(RECORD_MAGIC.len())
        .enumerate()
        .filter(|(_, w)| *w == RECORD_MAGIC)
        .map(|(i, _)| from + i)
        .find(|pos| frame_at(data, *pos).is_some_and(|f| f.seq >= min_seq))
}
