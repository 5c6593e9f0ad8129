//! What can go wrong when scheduling: [`ScheduleError`], and for slot specs
//! the [`SlotSpecProblem`]. Data with stable codes, never sentences: the app
//! translates the code and fills in the fields.

use crate::domain::ChannelId;
use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Everything that can go wrong here. Carries data, not sentences: the app
/// translates [`ScheduleError::code`] and fills in the fields.
///
/// Serialized with the code as tag, e.g.
/// `{"code":"in_past","channel":3,"at":"…","earliest":"…"}`, the same shape
/// as the app's other wire errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ScheduleError {
    /// `zone` is not an IANA time zone name known to the bundled tz database.
    UnknownZone { zone: String },
    /// `local` does not exist in `zone` (clocks jumped over it). `before` and
    /// `after` are the two instants on offer; see
    /// [`LocalResolution::Gap`](super::LocalResolution::Gap).
    /// `channel` is set when the time was resolved in that channel's zone.
    NonexistentLocalTime {
        channel: Option<ChannelId>,
        zone: Tz,
        local: NaiveDateTime,
        before: DateTime<Utc>,
        after: DateTime<Utc>,
    },
    /// `local` happens twice in `zone` (clocks went back over it).
    AmbiguousLocalTime {
        channel: Option<ChannelId>,
        zone: Tz,
        local: NaiveDateTime,
        earlier: DateTime<Utc>,
        later: DateTime<Utc>,
    },
    /// `local` in `zone` is outside the range of dates we can represent
    /// (hundreds of thousands of years away); only hostile or broken input
    /// gets here.
    LocalTimeOutOfRange {
        channel: Option<ChannelId>,
        zone: Tz,
        local: NaiveDateTime,
    },
    /// `at` is earlier than `earliest` (now plus the minimum lead time).
    /// `channel` is set when only that channel's zone made it too early.
    InPast {
        channel: Option<ChannelId>,
        at: DateTime<Utc>,
        earliest: DateTime<Utc>,
    },
    /// A posting-slot spec could not be read. `position` is a 0-based
    /// character (not byte) index into the spec and `text` the offending
    /// piece, so the UI can point at it; `problem` says what is wrong.
    InvalidSlotSpec {
        problem: SlotSpecProblem,
        position: usize,
        text: String,
    },
    /// "Next free slot" was asked for, but the channel has no posting slots
    /// (or none free in the weeks searched).
    NoFreeSlot { channel: ChannelId },
}

impl ScheduleError {
    /// Stable machine-readable code; equals the serde tag.
    pub fn code(&self) -> &'static str {
        match self {
            ScheduleError::UnknownZone { .. } => "unknown_zone",
            ScheduleError::NonexistentLocalTime { .. } => "nonexistent_local_time",
            ScheduleError::AmbiguousLocalTime { .. } => "ambiguous_local_time",
            ScheduleError::LocalTimeOutOfRange { .. } => "local_time_out_of_range",
            ScheduleError::InPast { .. } => "in_past",
            ScheduleError::InvalidSlotSpec { .. } => "invalid_slot_spec",
            ScheduleError::NoFreeSlot { .. } => "no_free_slot",
        }
    }

    /// The channel the error is about, if it is about one channel only.
    pub fn channel(&self) -> Option<ChannelId> {
        match self {
            ScheduleError::NonexistentLocalTime { channel, .. }
            | ScheduleError::AmbiguousLocalTime { channel, .. }
            | ScheduleError::LocalTimeOutOfRange { channel, .. }
            | ScheduleError::InPast { channel, .. } => *channel,
            ScheduleError::NoFreeSlot { channel } => Some(*channel),
            ScheduleError::UnknownZone { .. } | ScheduleError::InvalidSlotSpec { .. } => None,
        }
    }
}

// Display is for logs only, so it prints the code (plus the slot-spec detail
// code) rather than an English sentence the UI might be tempted to show.
impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::InvalidSlotSpec {
                problem, position, ..
            } => write!(f, "{}/{} at {}", self.code(), problem.code(), position),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for ScheduleError {}

/// What exactly is wrong with a posting-slot spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotSpecProblem {
    /// Nothing but blanks and separators.
    Empty,
    /// Two commas in a row, or a comma at the start or end of a group.
    EmptyItem,
    /// Not a weekday name or range (`mon`, `monday`, `mon-fri`, `daily`,
    /// `weekdays`, `weekends`).
    UnknownWeekday,
    /// Not a time of day written `HH:MM` or `H:MM` (00:00 to 23:59).
    InvalidTime,
    /// A group names weekdays but no time.
    MissingTime,
    /// A group names times but no weekday.
    MissingWeekday,
    /// A weekday after the times of its group; groups are separated by `;`.
    WeekdayAfterTime,
}

impl SlotSpecProblem {
    /// Stable machine-readable code; equals the serde name.
    pub fn code(self) -> &'static str {
        match self {
            SlotSpecProblem::Empty => "empty",
            SlotSpecProblem::EmptyItem => "empty_item",
            SlotSpecProblem::UnknownWeekday => "unknown_weekday",
            SlotSpecProblem::InvalidTime => "invalid_time",
            SlotSpecProblem::MissingTime => "missing_time",
            SlotSpecProblem::MissingWeekday => "missing_weekday",
            SlotSpecProblem::WeekdayAfterTime => "weekday_after_time",
        }
    }
}
