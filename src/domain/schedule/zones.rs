//! Zones and wall-clock times: reading a zone name, what a wall-clock time in
//! a zone corresponds to (once, never in a DST gap, twice in a fold), and the
//! instant for it given the person's [`DstChoice`]. Never picks on a
//! person's behalf: a gap or fold without a choice is an error carrying both
//! candidates.

use crate::domain::ChannelId;
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ScheduleError;

/// Reads an IANA zone name such as `"America/New_York"` (case-sensitive, as
/// the tz database spells it; surrounding blanks are ignored).
pub fn parse_zone(name: &str) -> Result<Tz, ScheduleError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| ScheduleError::UnknownZone {
            zone: name.to_owned(),
        })
}

/// What a wall-clock time in a zone corresponds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalResolution {
    /// The time happens exactly once.
    Exact(DateTime<Utc>),
    /// The time never shows on the clocks: they jumped over it.
    ///
    /// Example: America/New_York on 2026-03-08 jumps from 02:00 EST straight
    /// to 03:00 EDT, so 02:30 does not exist. The two offers are:
    ///
    /// * `before` — 03:00 EDT (07:00 UTC), the first moment that exists after
    ///   the gap. For a person: "post as soon as the clock has passed the time
    ///   I picked". It is the end of the gap wherever in the gap the picked
    ///   time was: 02:10 and 02:50 both give 03:00.
    /// * `after` — 03:30 EDT (07:30 UTC), the picked time read with the offset
    ///   in force before the jump (02:30 EST). For a person: "post when 02:30
    ///   would have been had the clocks not changed", i.e. the same amount of
    ///   time after 01:00 as intended; the clocks then read 03:30.
    ///
    /// `before <= after`, and they are equal only when the picked time is the
    /// very first missing moment (02:00 here), where both readings agree.
    /// Both are later than the picked wall-clock time, so neither posts
    /// earlier than a reader in that zone would expect. [`DstChoice::Earlier`]
    /// picks `before`, [`DstChoice::Later`] picks `after`.
    Gap {
        before: DateTime<Utc>,
        after: DateTime<Utc>,
    },
    /// The time shows twice: the clocks went back over it.
    ///
    /// Example: America/New_York on 2026-11-01 goes from 02:00 EDT back to
    /// 01:00 EST, so 01:30 happens at `earlier` = 05:30 UTC (01:30 EDT, first
    /// pass) and at `later` = 06:30 UTC (01:30 EST, an hour later).
    Fold {
        earlier: DateTime<Utc>,
        later: DateTime<Utc>,
    },
    /// The instant would fall outside the representable range of dates
    /// (within a day of year ±262143), so there is nothing to offer.
    OutOfRange,
}

/// Which instant to use when a wall-clock time is missing or repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DstChoice {
    /// [`LocalResolution::Gap`]'s `before` or [`LocalResolution::Fold`]'s
    /// `earlier`.
    Earlier,
    /// [`LocalResolution::Gap`]'s `after` or [`LocalResolution::Fold`]'s
    /// `later`.
    Later,
}

/// Works out what `local` in `tz` means; see [`LocalResolution`].
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> LocalResolution {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => LocalResolution::Exact(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            // Order them ourselves rather than rely on the order chrono-tz
            // happens to return them in.
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Fold {
                earlier: a.min(b),
                later: a.max(b),
            }
        }
        // chrono answers "none" both for gaps and for instants it cannot
        // represent; only a found transition makes it a gap.
        LocalResult::None => match resolve_gap(local, tz) {
            Some((before, after)) => LocalResolution::Gap { before, after },
            None => LocalResolution::OutOfRange,
        },
    }
}

/// The wall clock in `tz` at `at`, or `None` past the representable range.
fn wall_clock(at: DateTime<Utc>, tz: Tz) -> Option<NaiveDateTime> {
    let offset = utc_offset_secs(at, tz);
    at.naive_utc()
        .checked_add_signed(Duration::seconds(i64::from(offset)))
}

pub(super) fn utc_offset_secs(at: DateTime<Utc>, tz: Tz) -> i32 {
    tz.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// For a `local` that does not exist in `tz`: the first instant whose wall
/// clock reads later than `local`, and `local` read with the offset in force
/// just before that instant.
///
/// chrono does not say where a gap is, so we search for it. UTC offsets in the
/// tz database stay within about 16 hours of UTC, so the transition that
/// opened the gap lies within a day either side of `local` read as if it were
/// UTC; no real zone changes offset twice in that window. Transitions happen
/// on whole seconds, so a binary search over seconds finds it exactly.
fn resolve_gap(local: NaiveDateTime, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let as_utc = local.and_utc();
    let mut lo = as_utc.checked_sub_signed(Duration::days(1))?.timestamp();
    let mut hi = as_utc.checked_add_signed(Duration::days(1))?.timestamp();
    let passed = |secs: i64| -> Option<bool> {
        Some(wall_clock(DateTime::from_timestamp(secs, 0)?, tz)? > local)
    };
    // Invariant: the clock has not passed `local` at `lo` but has at `hi`.
    if passed(lo)? || !passed(hi)? {
        return None;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if passed(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let first_valid = DateTime::from_timestamp(hi, 0)?;
    let offset_before = utc_offset_secs(DateTime::from_timestamp(lo, 0)?, tz);
    let as_if_unchanged = local
        .checked_sub_signed(Duration::seconds(i64::from(offset_before)))?
        .and_utc();
    // `as_if_unchanged` can't precede the jump for a real gap; max() keeps
    // the documented `before <= after` even if tz data ever surprised us.
    Some((first_valid, as_if_unchanged.max(first_valid)))
}

/// The instant for `local` in `tz`, asking (by error) when DST makes it
/// missing or repeated and no `choice` was given. A `choice` is ignored when
/// the time is unambiguous, so the UI can send the same choice for every
/// channel.
pub fn to_utc(
    local: NaiveDateTime,
    tz: Tz,
    choice: Option<DstChoice>,
) -> Result<DateTime<Utc>, ScheduleError> {
    to_utc_for(local, tz, choice, None)
}

pub(super) fn to_utc_for(
    local: NaiveDateTime,
    tz: Tz,
    choice: Option<DstChoice>,
    channel: Option<ChannelId>,
) -> Result<DateTime<Utc>, ScheduleError> {
    match (resolve_local(local, tz), choice) {
        (LocalResolution::Exact(at), _) => Ok(at),
        (LocalResolution::Gap { before, .. }, Some(DstChoice::Earlier)) => Ok(before),
        (LocalResolution::Gap { after, .. }, Some(DstChoice::Later)) => Ok(after),
        (LocalResolution::Gap { before, after }, None) => {
            Err(ScheduleError::NonexistentLocalTime {
                channel,
                zone: tz,
                local,
                before,
                after,
            })
        }
        (LocalResolution::Fold { earlier, .. }, Some(DstChoice::Earlier)) => Ok(earlier),
        (LocalResolution::Fold { later, .. }, Some(DstChoice::Later)) => Ok(later),
        (LocalResolution::Fold { earlier, later }, None) => {
            Err(ScheduleError::AmbiguousLocalTime {
                channel,
                zone: tz,
                local,
                earlier,
                later,
            })
        }
        (LocalResolution::OutOfRange, _) => Err(ScheduleError::LocalTimeOutOfRange {
            channel,
            zone: tz,
            local,
        }),
    }
}

// ---------------------------------------------------------------------------
// Display helpers
// ---------------------------------------------------------------------------

/// `at` on the wall clock of `tz`, with the zone's abbreviation, for previews:
/// `"2026-03-08 03:00 EDT"`. Zones without an abbreviation in the tz database
/// show their offset instead (`"+03"`).
pub fn format_local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The calendar date `at` falls on in `tz`: which day cell of the viewer's
/// calendar a post belongs in.
pub fn local_date_in(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}
