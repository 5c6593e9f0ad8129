//! A channel's weekly posting slots and the next free one. Slots are a
//! standing rule, not a time somebody just typed, so unlike the rest of the
//! module they settle DST by themselves (see [`next_free_slot`]).

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{local_date_in, resolve_local, LocalResolution};

/// How many days past the first candidate day [`next_free_slot`] looks: eight
/// weeks, so every weekday of a weekly slot gets eight chances.
const SLOT_SEARCH_DAYS: i64 = 56;

/// A weekly posting slot of a channel: `time` (wall clock, in the channel's
/// zone) on each of `weekdays`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub weekdays: Vec<Weekday>,
    pub time: NaiveTime,
}

/// The earliest slot instant strictly after `now + min_lead` that nobody has
/// taken yet, or `None` if there is none within eight weeks.
///
/// * Looks at slots on the local dates (in `tz`) from the date of
///   `now + min_lead` through 56 days later.
/// * A slot is taken when some instant in `taken` equals it exactly; posts at
///   other times do not block a slot.
/// * A slot in a DST gap goes out at the first instant that exists after the
///   gap (02:30 on New York's spring-forward day posts at 03:00 EDT): the
///   channel still posts that day and never before the slot's time, and it
///   is the same instant a slot at the end of the gap would get. Several
///   slots in one gap collapse into that one instant, which is a single slot.
/// * A slot in a DST fold uses the first pass (01:30 EDT, not 01:30 EST), so
///   the channel posts once, at the first time its clock shows the slot.
/// * A negative `min_lead` counts as zero.
pub fn next_free_slot(
    slots: &[Slot],
    tz: Tz,
    now: DateTime<Utc>,
    taken: &[DateTime<Utc>],
    min_lead: Duration,
) -> Option<DateTime<Utc>> {
    let threshold = now.checked_add_signed(min_lead.max(Duration::zero()))?;
    let first_day = local_date_in(threshold, tz);
    // Start a day early: a late-evening slot pushed over midnight by a gap
    // (some zones change at 24:00) belongs to the day before.
    (-1..=SLOT_SEARCH_DAYS)
        .filter_map(|offset| first_day.checked_add_signed(Duration::days(offset)))
        .flat_map(|day| {
            slots
                .iter()
                .filter(move |slot| slot.weekdays.contains(&day.weekday()))
                .filter_map(move |slot| slot_instant(day.and_time(slot.time), tz))
        })
        .filter(|at| *at > threshold && !taken.contains(at))
        .min()
}

/// Where a slot lands: see [`next_free_slot`] for the DST rules.
fn slot_instant(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match resolve_local(local, tz) {
        LocalResolution::Exact(at) => Some(at),
        LocalResolution::Gap { before, .. } => Some(before),
        LocalResolution::Fold { earlier, .. } => Some(earlier),
        LocalResolution::OutOfRange => None,
    }
}
