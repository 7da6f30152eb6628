//! The hand-written binary encoding of checkpoint payloads and commit
//! records.
//!
//! All integers are little-endian and fixed-width. Variable-length data is
//! prefixed by its length; sequences by their element count:
//!
//! ```text
//! bytes      = len:u64 data[len]
//! string     = bytes (UTF-8)
//! principal  = len:u8 (<= 29) data[len]
//! option<T>  = 0:u8 | 1:u8 T
//! seq<T>     = count:u64 T*count
//! memory     = len:u64 seq<page>          pages sorted or not; each lies within len
//! page       = index:u64 n:u32 (<= 4096) data[n]
//! delta      = 0:u8 (unchanged) | 1:u8 memory (pages over old) | 2:u8 memory (over zeros)
//! global     = 0:u8 i32 | 1:u8 i64 | 2:u8 f32-bits:u32 | 3:u8 f64-bits:u64
//! status     = 0:u8 (running) | 1:u8 (stopping) | 2:u8 (stopped)
//! meta       = seq<principal> certified_data:bytes global_timer:u64 cycles:u128
//!              status option<[u8;32]>
//! request    = id:[u8;32] stored_status ingress_expiry:u64 option<origin>
//!              (format version 1: no `option<origin>`)
//! origin     = sender:principal canister_id:principal effective_canister_id:principal
//! stored_status = 0:u8 reply:bytes
//!               | 1:u8 code:u64 message:string option<string>
//!               | 2:u8 (done)
//!
//! checkpoint payload = time:u64 next_canister_index:u64
//!                      seq<principal meta option<module_hash> heap:memory stable:memory seq<global>>
//!                      seq<request>
//! record payload     = time:u64 next_canister_index:u64
//!                      seq<principal meta module_change heap:delta stable:delta seq<global>>
//!                      seq<principal>            (deleted canisters)
//!                      seq<request>              (inserted or overwritten)
//!                      seq<id:[u8;32]>           (pruned)
//! module_change      = 0:u8 (keep) | 1:u8 hash:[u8;32] (install) | 2:u8 (uninstall)
//! ```
//!
//! Memories are sparse: all-zero pages are left out of full images, so an
//! empty 8 MiB stable memory costs a few bytes.
//!
//! Decoding never trusts a length: every length backed by bytes is checked
//! against the bytes that remain before anything is allocated, element
//! counts are checked against the smallest possible element size, and a
//! memory's length (not backed by bytes, because of sparseness) is capped at
//! [`MAX_MEMORY_BYTES`]; nothing allocates it until the data has passed its
//! checksum and is applied.

use candid::Principal;

use super::state::{BatchRecord, ChangeRecord, Delta, ModuleChange, ModuleHash, Sparse, State};
use super::{
    CanisterChange, CanisterMeta, CommitBatch, GlobalValue, MAX_MEMORY_BYTES, MemoryChange,
    PAGE_SIZE, PersistError, RunStatus, StoredRequest, StoredStatus,
};
use crate::messages::{RequestId, RequestOrigin};

/// The format version written by this code (in the checkpoint and log
/// headers).
pub(super) const FORMAT_VERSION: u32 = 2;
/// The oldest format version still read.
pub(super) const OLDEST_FORMAT_VERSION: u32 = 1;

/// Appends encoded values to a buffer.
#[derive(Default)]
pub(super) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.raw(bytes);
    }
    pub fn principal(&mut self, p: &Principal) {
        let s = p.as_slice();
        // A principal has at most 29 bytes, so this never truncates.
        self.u8(s.len() as u8);
        self.raw(s);
    }
    fn option<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }
}

/// Reads encoded values from a slice; every failure is
/// [`PersistError::Corrupt`] naming the offset.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The format version of the file the bytes come from.
    version: u32,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], version: u32) -> Self {
        Reader {
            buf,
            pos: 0,
            version,
        }
    }

    fn corrupt(&self, what: &str) -> PersistError {
        PersistError::Corrupt(format!("{what} (at payload byte {})", self.pos))
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], PersistError> {
        if n > self.remaining() {
            return Err(self.corrupt(&format!("{what} is cut short")));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], PersistError> {
        let s = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub fn u8(&mut self, what: &str) -> Result<u8, PersistError> {
        Ok(self.array::<1>(what)?[0])
    }
    pub fn u32(&mut self, what: &str) -> Result<u32, PersistError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    pub fn u64(&mut self, what: &str) -> Result<u64, PersistError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    pub fn u128(&mut self, what: &str) -> Result<u128, PersistError> {
        Ok(u128::from_le_bytes(self.array(what)?))
    }
    pub fn hash(&mut self, what: &str) -> Result<[u8; 32], PersistError> {
        self.array(what)
    }

    /// A length-prefixed byte string, checked against the remaining input.
    pub fn bytes(&mut self, what: &str) -> Result<Vec<u8>, PersistError> {
        let n = self.u64(what)?;
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.remaining())
            .ok_or_else(|| self.corrupt(&format!("{what} claims {n} bytes")))?;
        Ok(self.take(n, what)?.to_vec())
    }

    pub fn string(&mut self, what: &str) -> Result<String, PersistError> {
        let bytes = self.bytes(what)?;
        String::from_utf8(bytes).map_err(|_| self.corrupt(&format!("{what} is not UTF-8")))
    }

    pub fn principal(&mut self, what: &str) -> Result<Principal, PersistError> {
        let n = self.u8(what)?;
        let bytes = self.take(usize::from(n), what)?;
        Principal::try_from_slice(bytes)
            .map_err(|e| self.corrupt(&format!("{what} is not a principal: {e}")))
    }

    /// An element count, checked so that `count * min_size` bytes remain;
    /// it is then safe to reserve `count` elements.
    pub fn count(&mut self, min_size: usize, what: &str) -> Result<usize, PersistError> {
        let n = self.u64(what)?;
        usize::try_from(n)
            .ok()
            .filter(|n| {
                n.checked_mul(min_size.max(1))
                    .is_some_and(|b| b <= self.remaining())
            })
            .ok_or_else(|| self.corrupt(&format!("{what} claims {n} entries")))
    }

    fn option<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Self) -> Result<T, PersistError>,
    ) -> Result<Option<T>, PersistError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => Ok(Some(f(self)?)),
            t => Err(self.corrupt(&format!("{what} has option tag {t}"))),
        }
    }

    /// Fails unless all input was consumed.
    pub fn finish(&self, what: &str) -> Result<(), PersistError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.corrupt(&format!(
                "{} stray bytes after the {what}",
                self.remaining()
            )))
        }
    }
}

// ---- shared pieces ----

fn put_meta(w: &mut Writer, m: &CanisterMeta) {
    w.len(m.controllers.len());
    for c in &m.controllers {
        w.principal(c);
    }
    w.bytes(&m.certified_data);
    w.u64(m.global_timer);
    w.u128(m.cycles);
    w.u8(match m.status {
        RunStatus::Running => 0,
        RunStatus::Stopping => 1,
        RunStatus::Stopped => 2,
    });
    w.option(m.module_hash.as_ref(), |w, h| w.raw(h));
}

fn get_meta(r: &mut Reader<'_>) -> Result<CanisterMeta, PersistError> {
    let n = r.count(1, "controller count")?;
    let mut controllers = Vec::with_capacity(n);
    for _ in 0..n {
        controllers.push(r.principal("controller")?);
    }
    let certified_data = r.bytes("certified data")?;
    let global_timer = r.u64("global timer")?;
    let cycles = r.u128("cycles")?;
    let status = match r.u8("run status")? {
        0 => RunStatus::Running,
        1 => RunStatus::Stopping,
        2 => RunStatus::Stopped,
        t => return Err(r.corrupt(&format!("unknown run status {t}"))),
    };
    let module_hash = r.option("module hash", |r| r.hash("module hash"))?;
    Ok(CanisterMeta {
        controllers,
        certified_data,
        global_timer,
        cycles,
        status,
        module_hash,
    })
}

fn put_globals(w: &mut Writer, globals: &[GlobalValue]) {
    w.len(globals.len());
    for g in globals {
        match *g {
            GlobalValue::I32(v) => {
                w.u8(0);
                w.u32(v as u32);
            }
            GlobalValue::I64(v) => {
                w.u8(1);
                w.u64(v as u64);
            }
            GlobalValue::F32(bits) => {
                w.u8(2);
                w.u32(bits);
            }
            GlobalValue::F64(bits) => {
                w.u8(3);
                w.u64(bits);
            }
        }
    }
}

fn get_globals(r: &mut Reader<'_>) -> Result<Vec<GlobalValue>, PersistError> {
    let n = r.count(5, "global count")?;
    let mut globals = Vec::with_capacity(n);
    for _ in 0..n {
        globals.push(match r.u8("global type")? {
            0 => GlobalValue::I32(r.u32("i32 global")? as i32),
            1 => GlobalValue::I64(r.u64("i64 global")? as i64),
            2 => GlobalValue::F32(r.u32("f32 global")?),
            3 => GlobalValue::F64(r.u64("f64 global")?),
            t => return Err(r.corrupt(&format!("unknown global type {t}"))),
        });
    }
    Ok(globals)
}

fn put_request(w: &mut Writer, id: &RequestId, req: &StoredRequest) {
    w.raw(id);
    match &req.status {
        StoredStatus::Replied(reply) => {
            w.u8(0);
            w.bytes(reply);
        }
        StoredStatus::Rejected {
            code,
            message,
            error_code,
        } => {
            w.u8(1);
            w.u64(*code);
            w.bytes(message.as_bytes());
            w.option(error_code.as_ref(), |w, e| w.bytes(e.as_bytes()));
        }
        StoredStatus::Done => w.u8(2),
    }
    w.u64(req.ingress_expiry);
    w.option(req.origin.as_ref(), |w, origin| {
        w.principal(&origin.sender);
        w.principal(&origin.canister_id);
        w.principal(&origin.effective_canister_id);
    });
}

fn get_request(r: &mut Reader<'_>) -> Result<(RequestId, StoredRequest), PersistError> {
    let id = r.hash("request id")?;
    let status = match r.u8("request status")? {
        0 => StoredStatus::Replied(r.bytes("reply")?),
        1 => StoredStatus::Rejected {
            code: r.u64("reject code")?,
            message: r.string("reject message")?,
            error_code: r.option("error code", |r| r.string("error code"))?,
        },
        2 => StoredStatus::Done,
        t => return Err(r.corrupt(&format!("unknown request status {t}"))),
    };
    let ingress_expiry = r.u64("ingress expiry")?;
    let origin = if r.version >= 2 {
        r.option("request origin", |r| {
            Ok(RequestOrigin {
                sender: r.principal("request sender")?,
                canister_id: r.principal("request canister id")?,
                effective_canister_id: r.principal("request effective canister id")?,
            })
        })?
    } else {
        None
    };
    Ok((
        id,
        StoredRequest {
            status,
            ingress_expiry,
            origin,
        },
    ))
}

/// Whether `page` holds only zeros.
fn is_zero(page: &[u8]) -> bool {
    page.iter().all(|b| *b == 0)
}

/// Writes a whole memory image, leaving out all-zero pages.
fn put_image(w: &mut Writer, memory: &[u8]) {
    w.len(memory.len());
    let count = memory.chunks(PAGE_SIZE).filter(|p| !is_zero(p)).count();
    w.len(count);
    for (index, page) in memory.chunks(PAGE_SIZE).enumerate() {
        if !is_zero(page) {
            w.u64(index as u64);
            w.u32(page.len() as u32);
            w.raw(page);
        }
    }
}

/// The part of page `index` (`bytes`) that lies below `len`, or `None` when
/// the page starts at or past `len`.
fn clip_page(len: u64, index: u64, bytes: &[u8]) -> Option<&[u8]> {
    let start = index.checked_mul(PAGE_SIZE as u64)?;
    if start >= len {
        return None;
    }
    let room = usize::try_from(len - start).unwrap_or(usize::MAX);
    Some(&bytes[..bytes.len().min(room)])
}

/// Writes a page delta; pages at or past `len` are left out and a page
/// crossing `len` is clipped to it.
fn put_pages(w: &mut Writer, len: u64, pages: &[(u64, Vec<u8>)]) {
    w.u64(len);
    let count = pages
        .iter()
        .filter(|(i, b)| clip_page(len, *i, b).is_some())
        .count();
    w.len(count);
    for (index, bytes) in pages {
        if let Some(bytes) = clip_page(len, *index, bytes) {
            w.u64(*index);
            w.u32(bytes.len() as u32);
            w.raw(bytes);
        }
    }
}

fn get_memory(r: &mut Reader<'_>) -> Result<Sparse, PersistError> {
    let len = r.u64("memory length")?;
    if len > MAX_MEMORY_BYTES {
        return Err(r.corrupt(&format!("memory length {len} exceeds the limit")));
    }
    let n = r.count(12, "page count")?;
    let mut pages = Vec::with_capacity(n);
    for _ in 0..n {
        let index = r.u64("page index")?;
        let size = r.u32("page size")?;
        let start = index.checked_mul(PAGE_SIZE as u64);
        let fits = start
            .and_then(|s| s.checked_add(u64::from(size)).map(|e| (s, e)))
            .is_some_and(|(s, e)| s < len && e <= len);
        if size as usize > PAGE_SIZE || !fits {
            return Err(r.corrupt(&format!(
                "page {index} of {size} bytes does not fit a memory of {len} bytes"
            )));
        }
        pages.push((index, r.take(size as usize, "page")?.to_vec()));
    }
    Ok(Sparse { len, pages })
}

// ---- checkpoint payload ----

/// Encodes the whole state (the checkpoint payload).
pub(super) fn encode_state(state: &State) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(state.time_nanos);
    w.u64(state.next_canister_index);
    w.len(state.canisters.len());
    for (id, c) in &state.canisters {
        w.principal(id);
        put_meta(&mut w, &c.meta);
        w.option(c.module.as_ref(), |w, h| w.raw(h));
        put_image(&mut w, &c.heap);
        put_image(&mut w, &c.stable);
        put_globals(&mut w, &c.globals);
    }
    w.len(state.requests.len());
    for (id, req) in &state.requests {
        put_request(&mut w, id, req);
    }
    w.buf
}

/// The decoded form of a checkpoint payload, memories still sparse.
pub(super) struct DecodedCanister {
    pub id: Principal,
    pub meta: CanisterMeta,
    pub module: Option<ModuleHash>,
    pub heap: Sparse,
    pub stable: Sparse,
    pub globals: Vec<GlobalValue>,
}

/// Decodes a checkpoint payload of format `version` without materializing
/// memories.
pub(super) fn decode_state(
    payload: &[u8],
    version: u32,
) -> Result<(State, Vec<DecodedCanister>), PersistError> {
    let mut r = Reader::new(payload, version);
    let mut state = State {
        time_nanos: r.u64("time")?,
        next_canister_index: r.u64("next canister index")?,
        ..State::default()
    };
    let n = r.count(1, "canister count")?;
    let mut canisters = Vec::with_capacity(n);
    for _ in 0..n {
        canisters.push(DecodedCanister {
            id: r.principal("canister id")?,
            meta: get_meta(&mut r)?,
            module: r.option("module", |r| r.hash("module hash"))?,
            heap: get_memory(&mut r)?,
            stable: get_memory(&mut r)?,
            globals: get_globals(&mut r)?,
        });
    }
    let n = r.count(33, "request count")?;
    for _ in 0..n {
        let (id, req) = get_request(&mut r)?;
        state.requests.insert(id, req);
    }
    r.finish("checkpoint")?;
    Ok((state, canisters))
}

// ---- commit records ----

fn put_delta(w: &mut Writer, change: &MemoryChange) {
    match change {
        MemoryChange::Unchanged => w.u8(0),
        MemoryChange::Pages { len, pages } => {
            w.u8(1);
            put_pages(w, *len, pages);
        }
        MemoryChange::Full(bytes) => {
            w.u8(2);
            put_image(w, bytes);
        }
    }
}

fn get_delta(r: &mut Reader<'_>) -> Result<Delta, PersistError> {
    match r.u8("memory change")? {
        0 => Ok(Delta::Unchanged),
        1 => Ok(Delta::Pages(get_memory(r)?)),
        2 => Ok(Delta::Full(get_memory(r)?)),
        t => Err(r.corrupt(&format!("unknown memory change {t}"))),
    }
}

fn put_change(w: &mut Writer, c: &CanisterChange, module: Option<&ModuleHash>) {
    w.principal(&c.id);
    put_meta(w, &c.meta);
    match (&c.wasm, module) {
        (Some(Some(_)), Some(hash)) => {
            w.u8(1);
            w.raw(hash);
        }
        (Some(None), _) => w.u8(2),
        // `module` is always given for an install; keep otherwise.
        _ => w.u8(0),
    }
    put_delta(w, &c.heap);
    put_delta(w, &c.stable);
    put_globals(w, &c.globals);
}

/// Encodes a commit record payload into `w`. `modules[i]` is the hash of
/// `batch.canisters[i]`'s newly installed module, if any.
pub(super) fn encode_batch(w: &mut Writer, batch: &CommitBatch, modules: &[Option<ModuleHash>]) {
    w.u64(batch.time_nanos);
    w.u64(batch.next_canister_index);
    w.len(batch.canisters.len());
    for (i, c) in batch.canisters.iter().enumerate() {
        put_change(w, c, modules.get(i).and_then(Option::as_ref));
    }
    w.len(batch.deleted_canisters.len());
    for id in &batch.deleted_canisters {
        w.principal(id);
    }
    w.len(batch.requests.len());
    for (id, req) in &batch.requests {
        put_request(w, id, req);
    }
    w.len(batch.pruned_requests.len());
    for id in &batch.pruned_requests {
        w.raw(id);
    }
}

/// Decodes a commit record payload of format `version`.
pub(super) fn decode_batch(payload: &[u8], version: u32) -> Result<BatchRecord, PersistError> {
    let mut r = Reader::new(payload, version);
    let time_nanos = r.u64("time")?;
    let next_canister_index = r.u64("next canister index")?;
    let n = r.count(1, "change count")?;
    let mut changes = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.principal("canister id")?;
        let meta = get_meta(&mut r)?;
        let module = match r.u8("module change")? {
            0 => ModuleChange::Keep,
            1 => ModuleChange::Install(r.hash("module hash")?),
            2 => ModuleChange::Uninstall,
            t => return Err(r.corrupt(&format!("unknown module change {t}"))),
        };
        changes.push(ChangeRecord {
            id,
            meta,
            module,
            heap: get_delta(&mut r)?,
            stable: get_delta(&mut r)?,
            globals: get_globals(&mut r)?,
        });
    }
    let n = r.count(1, "deletion count")?;
    let mut deleted = Vec::with_capacity(n);
    for _ in 0..n {
        deleted.push(r.principal("deleted canister")?);
    }
    let n = r.count(33, "request count")?;
    let mut requests = Vec::with_capacity(n);
    for _ in 0..n {
        requests.push(get_request(&mut r)?);
    }
    let n = r.count(32, "pruned count")?;
    let mut pruned = Vec::with_capacity(n);
    for _ in 0..n {
        pruned.push(r.hash("pruned request id")?);
    }
    r.finish("commit record")?;
    Ok(BatchRecord {
        time_nanos,
        next_canister_index,
        changes,
        deleted,
        requests,
        pruned,
    })
}
