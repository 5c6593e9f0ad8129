//! When a post is due on each of its channels: the modes a person picks from
//! ([`When`]), turned into one instant per channel, never earlier than now
//! plus the minimum lead. "Now" is always a parameter.

use crate::domain::ChannelId;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::zones::to_utc_for;
use super::{next_free_slot, parse_zone, DstChoice, ScheduleError, Slot};

/// When a post should go out, as picked in the scheduler.
///
/// Wire shape: `{"mode":"at","local":"2026-03-08T02:30:00",
/// "zone":"America/New_York","dst":"earlier"}`,
/// `{"mode":"same_local_time_per_channel","local":"…","dst":null}`,
/// `{"mode":"when_approved"}`. `dst` may be left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum When {
    /// One instant for every channel: `local` read in `zone`.
    At {
        local: NaiveDateTime,
        zone: String,
        #[serde(default)]
        dst: Option<DstChoice>,
    },
    /// `local` read in each channel's own zone, so each channel gets its
    /// own instant. `dst` applies to whichever channels hit a transition.
    SameLocalTimePerChannel {
        local: NaiveDateTime,
        #[serde(default)]
        dst: Option<DstChoice>,
    },
    /// Publish as soon as the post is approved.
    WhenApproved,
    /// Each channel's next free posting slot (see [`plan`]).
    NextFreeSlot,
}

/// Per channel id, when the post is due there; `None` means "when approved".
pub type DueTimes = Vec<(ChannelId, Option<DateTime<Utc>>)>;

/// The due instant of a post on each of `channel_zones` (channel id and that
/// channel's zone), in the same order; `None` means "when approved".
///
/// Refuses instants earlier than `now + min_lead` (exactly `now + min_lead`
/// is accepted). A negative `min_lead` counts as zero, so nothing in the past
/// ever gets through. Stops at the first channel that fails; errors from
/// per-channel resolution name that channel, errors about the single instant
/// of [`When::At`] name none. [`When::At`] is checked even with no channels,
/// so a bad time is refused before channels are picked.
pub fn due_times(
    when: &When,
    channel_zones: &[(ChannelId, Tz)],
    now: DateTime<Utc>,
    min_lead: Duration,
) -> Result<DueTimes, ScheduleError> {
    let earliest = earliest_allowed(now, min_lead);
    match when {
        When::WhenApproved => Ok(channel_zones.iter().map(|&(id, _)| (id, None)).collect()),
        // Slots are not known here; `plan` resolves this mode.
        When::NextFreeSlot => Err(ScheduleError::NoFreeSlot {
            channel: channel_zones.first().map_or(ChannelId(0), |&(id, _)| id),
        }),
        When::At { local, zone, dst } => {
            let tz = parse_zone(zone)?;
            let at = to_utc_for(*local, tz, *dst, None)?;
            not_too_early(at, earliest, None)?;
            Ok(channel_zones
                .iter()
                .map(|&(id, _)| (id, Some(at)))
                .collect())
        }
        When::SameLocalTimePerChannel { local, dst } => channel_zones
            .iter()
            .map(|&(id, tz)| {
                let at = to_utc_for(*local, tz, *dst, Some(id))?;
                not_too_early(at, earliest, Some(id))?;
                Ok((id, Some(at)))
            })
            .collect(),
    }
}

/// What [`plan`] needs to know about one target channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelClock {
    pub id: ChannelId,
    pub zone: Tz,
    pub slots: Vec<Slot>,
    /// Instants already taken on this channel by other posts.
    pub taken: Vec<DateTime<Utc>>,
}

/// [`due_times`] for every mode, including [`When::NextFreeSlot`], which
/// gives each channel its own next free slot.
pub fn plan(
    when: &When,
    channels: &[ChannelClock],
    now: DateTime<Utc>,
    min_lead: Duration,
) -> Result<DueTimes, ScheduleError> {
    match when {
        When::NextFreeSlot => channels
            .iter()
            .map(|c| {
                next_free_slot(&c.slots, c.zone, now, &c.taken, min_lead)
                    .map(|at| (c.id, Some(at)))
                    .ok_or(ScheduleError::NoFreeSlot { channel: c.id })
            })
            .collect(),
        other => {
            let zones: Vec<(ChannelId, Tz)> = channels.iter().map(|c| (c.id, c.zone)).collect();
            due_times(other, &zones, now, min_lead)
        }
    }
}

/// `now + min_lead`, with a negative lead counted as zero. Saturates instead
/// of panicking on absurd leads: then nothing is early enough.
fn earliest_allowed(now: DateTime<Utc>, min_lead: Duration) -> DateTime<Utc> {
    now.checked_add_signed(min_lead.max(Duration::zero()))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn not_too_early(
    at: DateTime<Utc>,
    earliest: DateTime<Utc>,
    channel: Option<ChannelId>,
) -> Result<(), ScheduleError> {
    if at < earliest {
        Err(ScheduleError::InPast {
            channel,
            at,
            earliest,
        })
    } else {
        Ok(())
    }
}
