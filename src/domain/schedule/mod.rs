//! When a post goes out.
//!
//! Turns what a person picked in the scheduler — a wall-clock time in a
//! chosen zone, the same wall-clock time in each channel's own zone, or "as
//! soon as approved" — into UTC instants, and finds a channel's next free
//! posting slot.
//!
//! This module is shared by the server and the wasm32 browser build, so it
//! does no IO and never reads the clock: "now" is always a parameter. Instants
//! are `DateTime<Utc>`; wall-clock times are a `NaiveDateTime` plus a zone.
//!
//! Daylight-saving time: a wall-clock time can be missing (clocks spring
//! forward: a *gap*) or happen twice (clocks fall back: a *fold*). For a time
//! a person typed we never pick on their behalf: [`to_utc`] and [`due_times`]
//! answer with an error carrying both candidates, the UI asks, and the answer
//! comes back as a [`DstChoice`]. Only posting slots, which are a standing
//! rule rather than a time somebody just typed, settle DST by themselves
//! (see [`next_free_slot`]).
//!
//! One file per idea: the errors (`error`), zones and the DST resolution of
//! wall-clock times (`zones`), when a post is due on each channel (`due`),
//! posting slots and the next free one (`slots`), and reading a slot spec
//! (`slot_spec`). Every public item is re-exported here, so callers name
//! `schedule::X` whatever file it lives in.

mod due;
mod error;
mod slot_spec;
mod slots;
mod zones;

#[cfg(test)]
mod tests;

pub use due::{due_times, plan, ChannelClock, DueTimes, When};
pub use error::{ScheduleError, SlotSpecProblem};
pub use slot_spec::parse_slots;
pub use slots::{next_free_slot, Slot};
pub use zones::{
    format_local, local_date_in, parse_zone, resolve_local, to_utc, DstChoice, LocalResolution,
};
