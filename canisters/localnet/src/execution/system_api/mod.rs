//! The `ic0` system API, as the `ic0` crate (1.1 and 1.2, used by ic-cdk
//! 0.20) imports it for wasm32 canisters.
//!
//! Layout (each module depends only on those above it):
//!
//! ```text
//! imports        the table: name, wasm32 signature, contexts; Context
//! state          MessageState (one message's inputs and effects), HostState
//! host           enter/charge, heap access, payload bound, Trap
//! message        arguments, reject info, method name, accept, reply/reject
//! ids            caller, canister and subnet ids, status, controllers
//! cycles         available/accepted/refunded cycles, balance
//! calls          call_new … call_perform
//! stable         stable64_*, with the undo log of written pages
//! certification  certified data, data certificate, root key
//! time           time, global timer, performance counter
//! costs          cost_*
//! env_vars       env_var_* (none defined)
//! debug          debug_print, trap
//! linker         wires the table to the functions above, nothing else
//! ```
//!
//! Invariants:
//! - [`API`](imports::API) lists every function the network provides, with its wasm32
//!   signature and the contexts (in the interface specification's notation)
//!   where it may be called; [`define_all`] defines exactly these, and a
//!   unit test checks that the two agree.
//! - A call outside its contexts, any out-of-bounds heap or stable access,
//!   and any malformed argument is a trap ([`Trap`]) — never a panic.
//! - What a message accumulates on the host side is bounded, whatever its
//!   instruction budget: replies, reject messages and call arguments by
//!   [`MAX_PAYLOAD_BYTES`], outgoing calls by [`MAX_CALLS_PER_MESSAGE`],
//!   `debug_print` output and trap messages by `MAX_DEBUG_PRINT`.
//! - All effects of a message are collected in [`MessageState`]; the runtime
//!   applies them only when the message completes without trapping.
//!   Stable memory is written in place, and the original of every 4 KiB page
//!   that existed before the message is kept in [`MessageState::stable_undo`]
//!   the first time the page is written.

mod calls;
mod certification;
mod costs;
mod cycles;
mod debug;
mod env_vars;
mod host;
mod ids;
mod imports;
mod linker;
mod message;
mod stable;
mod state;
mod time;

pub use calls::MAX_CALLS_PER_MESSAGE;
pub use host::MAX_PAYLOAD_BYTES;
pub(super) use host::{Trap, instruction_limit_message};
#[cfg(test)]
pub(super) use imports::API;
pub(super) use imports::{Context, Ty, signature};
pub(super) use linker::define_all;
pub(super) use stable::{STABLE_PAGE, WASM_PAGE};
pub(super) use state::{HostState, MessageState};
