//! Stable memory (`stable64_*`): a byte vector in the host state, a whole
//! number of 64 KiB wasm pages long, that survives upgrades.
//!
//! Invariants:
//! - Stable memory never grows past the message's `stable_limit_bytes`; a
//!   grow that would, or that cannot be allocated, returns -1 and changes
//!   nothing.
//! - Reads and writes are bounds-checked against both the heap and stable
//!   memory before any byte moves; out of bounds is a trap.
//! - Writes happen in place. Before a 4 KiB page below the message's
//!   starting length is first written, its original is saved in the
//!   message's undo log, and every written page is recorded, so the runtime
//!   can roll back a trapped message and persist only dirty pages.

use std::collections::BTreeMap;

use wasmi::Error;

use super::host::{C, charge, enter, heap_range, memory, msg, trap};

/// Size of a wasm (and stable memory) page.
pub(in crate::execution) const WASM_PAGE: u64 = 65_536;
/// Granularity of stable memory dirty tracking and undo.
pub(in crate::execution) const STABLE_PAGE: usize = 4096;

pub(super) fn stable64_size(mut c: C<'_>) -> Result<i64, Error> {
    enter(&mut c, "stable64_size")?;
    Ok((c.data().stable.len() as u64 / WASM_PAGE) as i64)
}

pub(super) fn stable64_grow(mut c: C<'_>, new_pages: i64) -> Result<i64, Error> {
    enter(&mut c, "stable64_grow")?;
    let limit = msg(&c)?.env.stable_limit_bytes;
    let state = c.data_mut();
    let old_len = state.stable.len() as u64;
    let new_len = (new_pages as u64)
        .checked_mul(WASM_PAGE)
        .and_then(|bytes| bytes.checked_add(old_len))
        .filter(|len| *len <= limit)
        .and_then(|len| usize::try_from(len).ok());
    let Some(new_len) = new_len else {
        return Ok(-1);
    };
    if state
        .stable
        .try_reserve_exact(new_len - state.stable.len())
        .is_err()
    {
        return Ok(-1);
    }
    state.stable.resize(new_len, 0);
    Ok((old_len / WASM_PAGE) as i64)
}

pub(super) fn stable64_write(mut c: C<'_>, offset: i64, src: i64, size: i64) -> Result<(), Error> {
    enter(&mut c, "stable64_write")?;
    let (offset, src, size) = (offset as u64, src as u64, size as u64);
    charge(&mut c, size)?;
    let memory = memory(&c)?;
    let (heap, state) = memory.data_and_store_mut(&mut c);
    let from = heap_range(heap.len(), src, size, "ic0.stable64_write")?;
    let to = stable_range(state.stable.len(), offset, size, "ic0.stable64_write")?;
    if let Some(m) = state.msg.as_deref_mut() {
        save_pages(&mut m.stable_undo, m.stable_len_before, &state.stable, &to);
        if !to.is_empty() {
            let pages = to.start / STABLE_PAGE..=(to.end - 1) / STABLE_PAGE;
            m.stable_written.extend(pages.map(|page| page as u64));
        }
    }
    state.stable[to].copy_from_slice(&heap[from]);
    Ok(())
}

pub(super) fn stable64_read(mut c: C<'_>, dst: i64, offset: i64, size: i64) -> Result<(), Error> {
    enter(&mut c, "stable64_read")?;
    let (dst, offset, size) = (dst as u64, offset as u64, size as u64);
    charge(&mut c, size)?;
    let memory = memory(&c)?;
    let (heap, state) = memory.data_and_store_mut(&mut c);
    let from = stable_range(state.stable.len(), offset, size, "ic0.stable64_read")?;
    let to = heap_range(heap.len(), dst, size, "ic0.stable64_read")?;
    heap[to].copy_from_slice(&state.stable[from]);
    Ok(())
}

fn stable_range(
    len: usize,
    offset: u64,
    size: u64,
    what: &str,
) -> Result<std::ops::Range<usize>, Error> {
    let fail = || trap(format!("{what}: stable memory out of bounds"));
    let end = offset.checked_add(size).ok_or_else(fail)?;
    let start = usize::try_from(offset).map_err(|_| fail())?;
    let end = usize::try_from(end).map_err(|_| fail())?;
    if end > len {
        return Err(fail());
    }
    Ok(start..end)
}

/// Saves the original content of the pages of `range` (below `len_before`)
/// that were not saved yet.
fn save_pages(
    undo: &mut BTreeMap<u64, Vec<u8>>,
    len_before: usize,
    stable: &[u8],
    range: &std::ops::Range<usize>,
) {
    if range.is_empty() {
        return;
    }
    let first = range.start / STABLE_PAGE;
    let last = (range.end - 1) / STABLE_PAGE;
    for page in first..=last {
        let start = page * STABLE_PAGE;
        if start >= len_before {
            break;
        }
        let end = (start + STABLE_PAGE).min(len_before);
        undo.entry(page as u64).or_insert_with(|| {
            stable
                .get(start..end)
                .map(<[u8]>::to_vec)
                .unwrap_or_default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_save_each_stable_page_once_and_only_below_the_old_length() {
        let stable = vec![7u8; 3 * STABLE_PAGE];
        let mut undo = BTreeMap::new();
        save_pages(
            &mut undo,
            2 * STABLE_PAGE,
            &stable,
            &(100..2 * STABLE_PAGE + 5),
        );
        assert_eq!(undo.keys().copied().collect::<Vec<_>>(), vec![0, 1]);
        save_pages(
            &mut undo,
            2 * STABLE_PAGE,
            &[0u8; 3 * STABLE_PAGE],
            &(0..10),
        );
        assert_eq!(undo.get(&0).map(|p| p[0]), Some(7));
    }
}
