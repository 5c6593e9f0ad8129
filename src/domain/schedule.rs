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

use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How many days past the first candidate day [`next_free_slot`] looks: eight
/// weeks, so every weekday of a weekly slot gets eight chances.
const SLOT_SEARCH_DAYS: i64 = 56;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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
    /// `after` are the two instants on offer; see [`LocalResolution::Gap`].
    /// `channel` is set when the time was resolved in that channel's zone.
    NonexistentLocalTime {
        channel: Option<i64>,
        zone: Tz,
        local: NaiveDateTime,
        before: DateTime<Utc>,
        after: DateTime<Utc>,
    },
    /// `local` happens twice in `zone` (clocks went back over it).
    AmbiguousLocalTime {
        channel: Option<i64>,
        zone: Tz,
        local: NaiveDateTime,
        earlier: DateTime<Utc>,
        later: DateTime<Utc>,
    },
    /// `local` in `zone` is outside the range of dates we can represent
    /// (hundreds of thousands of years away); only hostile or broken input
    /// gets here.
    LocalTimeOutOfRange {
        channel: Option<i64>,
        zone: Tz,
        local: NaiveDateTime,
    },
    /// `at` is earlier than `earliest` (now plus the minimum lead time).
    /// `channel` is set when only that channel's zone made it too early.
    InPast {
        channel: Option<i64>,
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
    NoFreeSlot { channel: i64 },
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
    pub fn channel(&self) -> Option<i64> {
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

// ---------------------------------------------------------------------------
// Zones and wall-clock times
// ---------------------------------------------------------------------------

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

fn utc_offset_secs(at: DateTime<Utc>, tz: Tz) -> i32 {
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

fn to_utc_for(
    local: NaiveDateTime,
    tz: Tz,
    choice: Option<DstChoice>,
    channel: Option<i64>,
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
// When a post is due
// ---------------------------------------------------------------------------

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
pub type DueTimes = Vec<(i64, Option<DateTime<Utc>>)>;

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
    channel_zones: &[(i64, Tz)],
    now: DateTime<Utc>,
    min_lead: Duration,
) -> Result<DueTimes, ScheduleError> {
    let earliest = earliest_allowed(now, min_lead);
    match when {
        When::WhenApproved => Ok(channel_zones.iter().map(|&(id, _)| (id, None)).collect()),
        // Slots are not known here; `plan` resolves this mode.
        When::NextFreeSlot => Err(ScheduleError::NoFreeSlot {
            channel: channel_zones.first().map_or(0, |&(id, _)| id),
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

/// `now + min_lead`, with a negative lead counted as zero. Saturates instead
/// of panicking on absurd leads: then nothing is early enough.
/// What [`plan`] needs to know about one target channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelClock {
    pub id: i64,
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
            let zones: Vec<(i64, Tz)> = channels.iter().map(|c| (c.id, c.zone)).collect();
            due_times(other, &zones, now, min_lead)
        }
    }
}

fn earliest_allowed(now: DateTime<Utc>, min_lead: Duration) -> DateTime<Utc> {
    now.checked_add_signed(min_lead.max(Duration::zero()))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn not_too_early(
    at: DateTime<Utc>,
    earliest: DateTime<Utc>,
    channel: Option<i64>,
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

// ---------------------------------------------------------------------------
// Posting slots
// ---------------------------------------------------------------------------

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

/// Reads a compact slot spec such as `"mon-fri 09:00, 18:00; sat 10:30"`.
///
/// Groups are separated by `;`. Each group is one or more weekday items, then
/// one or more times; items are separated by blanks and/or commas. A weekday
/// item is a name (`mon` or `monday`, any case), a range (`mon-fri`; ranges
/// may wrap, `fri-mon` is Fri, Sat, Sun, Mon) or one of `daily`, `weekdays`,
/// `weekends`. A time is `HH:MM` or `H:MM`, 00:00 to 23:59.
///
/// Gives one [`Slot`] per time of each group, in spec order, weekdays Monday
/// first, repeats dropped. A blank spec is an error
/// ([`SlotSpecProblem::Empty`]): "no slots" is the caller's decision.
pub fn parse_slots(spec: &str) -> Result<Vec<Slot>, ScheduleError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut slots: Vec<Slot> = Vec::new();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        if *c == ';' {
            parse_slot_group(&chars[start..i], start, &mut slots)?;
            start = i + 1;
        }
    }
    parse_slot_group(&chars[start..], start, &mut slots)?;
    if slots.is_empty() {
        return Err(spec_error(SlotSpecProblem::Empty, 0, ""));
    }
    Ok(slots)
}

fn spec_error(problem: SlotSpecProblem, position: usize, text: &str) -> ScheduleError {
    ScheduleError::InvalidSlotSpec {
        problem,
        position,
        text: text.to_owned(),
    }
}

/// One `;`-separated group; `offset` is the character index where it starts.
/// An empty group adds nothing, so a trailing `;` is harmless.
fn parse_slot_group(
    chars: &[char],
    offset: usize,
    out: &mut Vec<Slot>,
) -> Result<(), ScheduleError> {
    // Split into (position, text) items on blanks and commas, refusing empty
    // comma-separated items: they are almost always a slip worth pointing at.
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut item_since_comma = false;
    let mut last_comma = None;
    for (i, &c) in chars.iter().enumerate() {
        let position = offset + i;
        if c == ',' || c.is_whitespace() {
            if let Some(item) = current.take() {
                items.push(item);
                item_since_comma = true;
            }
            if c == ',' {
                if !item_since_comma {
                    return Err(spec_error(SlotSpecProblem::EmptyItem, position, ","));
                }
                item_since_comma = false;
                last_comma = Some(position);
            }
        } else {
            current
                .get_or_insert_with(|| (position, String::new()))
                .1
                .push(c);
        }
    }
    if let Some(item) = current.take() {
        items.push(item);
        item_since_comma = true;
    }
    if let (Some(position), false) = (last_comma, item_since_comma) {
        return Err(spec_error(SlotSpecProblem::EmptyItem, position, ","));
    }
    let Some(&(group_start, _)) = items.first() else {
        return Ok(());
    };

    let mut days = [false; 7];
    let mut any_day = false;
    let mut times: Vec<NaiveTime> = Vec::new();
    for (position, text) in &items {
        if text.starts_with(|c: char| c.is_ascii_digit()) {
            let time = parse_slot_time(text)
                .ok_or_else(|| spec_error(SlotSpecProblem::InvalidTime, *position, text))?;
            times.push(time);
        } else if !times.is_empty() {
            return Err(spec_error(
                SlotSpecProblem::WeekdayAfterTime,
                *position,
                text,
            ));
        } else {
            add_weekdays(text, *position, &mut days)?;
            any_day = true;
        }
    }

    let group_text: String = chars.iter().collect();
    let group_text = group_text.trim();
    if !any_day {
        return Err(spec_error(
            SlotSpecProblem::MissingWeekday,
            group_start,
            group_text,
        ));
    }
    if times.is_empty() {
        return Err(spec_error(
            SlotSpecProblem::MissingTime,
            group_start,
            group_text,
        ));
    }
    let weekdays: Vec<Weekday> = WEEK
        .iter()
        .zip(days)
        .filter(|(_, on)| *on)
        .map(|(day, _)| *day)
        .collect();
    for time in times {
        let slot = Slot {
            weekdays: weekdays.clone(),
            time,
        };
        if !out.contains(&slot) {
            out.push(slot);
        }
    }
    Ok(())
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Marks the weekdays named by one item (name, range or keyword) in `days`,
/// indexed Monday first. `position` is where the item starts in the spec.
fn add_weekdays(text: &str, position: usize, days: &mut [bool; 7]) -> Result<(), ScheduleError> {
    let keyword: &[Weekday] = match text.to_lowercase().as_str() {
        "daily" => &WEEK,
        "weekdays" => &WEEK[..5],
        "weekends" => &WEEK[5..],
        _ => &[],
    };
    if !keyword.is_empty() {
        for day in keyword {
            days[day.num_days_from_monday() as usize] = true;
        }
        return Ok(());
    }
    let weekday = |part: &str, part_position: usize| {
        // Point at the bad side of a range, or at the whole item when a side
        // is missing ("mon-") and there is nothing to point at.
        part.parse::<Weekday>().map_err(|_| {
            if part.is_empty() {
                spec_error(SlotSpecProblem::UnknownWeekday, position, text)
            } else {
                spec_error(SlotSpecProblem::UnknownWeekday, part_position, part)
            }
        })
    };
    match text.split_once('-') {
        None => {
            let day = weekday(text, position)?;
            days[day.num_days_from_monday() as usize] = true;
        }
        Some((first, last)) => {
            let mut day = weekday(first, position)?;
            let last = weekday(last, position + first.chars().count() + 1)?;
            loop {
                days[day.num_days_from_monday() as usize] = true;
                if day == last {
                    break;
                }
                day = day.succ();
            }
        }
    }
    Ok(())
}

/// `HH:MM` or `H:MM`; nothing else, so `9`, `9am` or `09:00:00` are refused
/// rather than guessed at.
fn parse_slot_time(text: &str) -> Option<NaiveTime> {
    let (hour, minute) = text.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hour) || hour.len() > 2 || !digits(minute) || minute.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(hour.parse().ok()?, minute.parse().ok()?, 0)
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

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York as NY;
    use chrono_tz::Asia::Shanghai as SH;
    use chrono_tz::Australia::Lord_Howe as LORD_HOWE;
    use chrono_tz::Europe::London as LONDON;
    use proptest::prelude::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        local(s).and_utc()
    }

    fn minutes(n: i64) -> Duration {
        Duration::minutes(n)
    }

    fn slots(spec: &str) -> Vec<Slot> {
        parse_slots(spec).unwrap()
    }

    fn spec_err(spec: &str) -> (SlotSpecProblem, usize, String) {
        match parse_slots(spec) {
            Err(ScheduleError::InvalidSlotSpec {
                problem,
                position,
                text,
            }) => (problem, position, text),
            other => panic!("expected a slot spec error for {spec:?}, got {other:?}"),
        }
    }

    // --- zones ---------------------------------------------------------------

    #[test]
    fn known_zone_names_parse_and_unknown_ones_are_refused_with_the_name() {
        assert_eq!(parse_zone("America/New_York"), Ok(NY));
        assert_eq!(parse_zone(" Asia/Shanghai "), Ok(SH));
        assert_eq!(
            parse_zone("Mars/Olympus_Mons"),
            Err(ScheduleError::UnknownZone {
                zone: "Mars/Olympus_Mons".into()
            })
        );
    }

    // --- New York --------------------------------------------------------------

    #[test]
    fn new_york_spring_forward_0230_is_a_gap_offering_0300_and_0330_edt() {
        let resolution = resolve_local(local("2026-03-08 02:30"), NY);
        assert_eq!(
            resolution,
            LocalResolution::Gap {
                before: utc("2026-03-08 07:00"),
                after: utc("2026-03-08 07:30"),
            }
        );
        assert_eq!(
            format_local(utc("2026-03-08 07:00"), NY),
            "2026-03-08 03:00 EDT"
        );
        assert_eq!(
            format_local(utc("2026-03-08 07:30"), NY),
            "2026-03-08 03:30 EDT"
        );
    }

    #[test]
    fn new_york_gap_without_a_choice_is_refused_with_both_candidates() {
        assert_eq!(
            to_utc(local("2026-03-08 02:30"), NY, None),
            Err(ScheduleError::NonexistentLocalTime {
                channel: None,
                zone: NY,
                local: local("2026-03-08 02:30"),
                before: utc("2026-03-08 07:00"),
                after: utc("2026-03-08 07:30"),
            })
        );
    }

    #[test]
    fn new_york_gap_with_earlier_posts_at_0300_and_with_later_at_0330() {
        let l = local("2026-03-08 02:30");
        assert_eq!(
            to_utc(l, NY, Some(DstChoice::Earlier)),
            Ok(utc("2026-03-08 07:00"))
        );
        assert_eq!(
            to_utc(l, NY, Some(DstChoice::Later)),
            Ok(utc("2026-03-08 07:30"))
        );
    }

    #[test]
    fn the_first_missing_minute_of_a_gap_offers_the_same_instant_twice() {
        let at = utc("2026-03-08 07:00");
        assert_eq!(
            resolve_local(local("2026-03-08 02:00"), NY),
            LocalResolution::Gap {
                before: at,
                after: at
            }
        );
    }

    #[test]
    fn new_york_fall_back_0130_is_a_fold_an_hour_apart() {
        assert_eq!(
            resolve_local(local("2026-11-01 01:30"), NY),
            LocalResolution::Fold {
                earlier: utc("2026-11-01 05:30"),
                later: utc("2026-11-01 06:30"),
            }
        );
        assert_eq!(
            format_local(utc("2026-11-01 05:30"), NY),
            "2026-11-01 01:30 EDT"
        );
        assert_eq!(
            format_local(utc("2026-11-01 06:30"), NY),
            "2026-11-01 01:30 EST"
        );
    }

    #[test]
    fn new_york_fold_without_a_choice_is_refused_and_with_one_gives_that_pass() {
        let l = local("2026-11-01 01:30");
        assert_eq!(
            to_utc(l, NY, None),
            Err(ScheduleError::AmbiguousLocalTime {
                channel: None,
                zone: NY,
                local: l,
                earlier: utc("2026-11-01 05:30"),
                later: utc("2026-11-01 06:30"),
            })
        );
        assert_eq!(
            to_utc(l, NY, Some(DstChoice::Earlier)),
            Ok(utc("2026-11-01 05:30"))
        );
        assert_eq!(
            to_utc(l, NY, Some(DstChoice::Later)),
            Ok(utc("2026-11-01 06:30"))
        );
    }

    #[test]
    fn an_ordinary_time_is_exact_and_ignores_any_choice() {
        let l = local("2026-07-01 12:00");
        assert_eq!(
            resolve_local(l, NY),
            LocalResolution::Exact(utc("2026-07-01 16:00"))
        );
        for choice in [None, Some(DstChoice::Earlier), Some(DstChoice::Later)] {
            assert_eq!(to_utc(l, NY, choice), Ok(utc("2026-07-01 16:00")));
        }
    }

    // --- London, Shanghai, Lord Howe, Apia -----------------------------------

    #[test]
    fn london_spring_forward_0130_is_a_gap_offering_0200_and_0230_bst() {
        let l = local("2026-03-29 01:30");
        assert_eq!(
            resolve_local(l, LONDON),
            LocalResolution::Gap {
                before: utc("2026-03-29 01:00"),
                after: utc("2026-03-29 01:30"),
            }
        );
        assert_eq!(
            format_local(utc("2026-03-29 01:00"), LONDON),
            "2026-03-29 02:00 BST"
        );
        assert_eq!(
            format_local(utc("2026-03-29 01:30"), LONDON),
            "2026-03-29 02:30 BST"
        );
        assert!(matches!(
            to_utc(l, LONDON, None),
            Err(ScheduleError::NonexistentLocalTime { .. })
        ));
        assert_eq!(
            to_utc(l, LONDON, Some(DstChoice::Earlier)),
            Ok(utc("2026-03-29 01:00"))
        );
        assert_eq!(
            to_utc(l, LONDON, Some(DstChoice::Later)),
            Ok(utc("2026-03-29 01:30"))
        );
    }

    #[test]
    fn london_fall_back_0130_is_a_fold_in_bst_then_gmt() {
        let l = local("2026-10-25 01:30");
        assert_eq!(
            resolve_local(l, LONDON),
            LocalResolution::Fold {
                earlier: utc("2026-10-25 00:30"),
                later: utc("2026-10-25 01:30"),
            }
        );
        assert_eq!(
            format_local(utc("2026-10-25 00:30"), LONDON),
            "2026-10-25 01:30 BST"
        );
        assert_eq!(
            format_local(utc("2026-10-25 01:30"), LONDON),
            "2026-10-25 01:30 GMT"
        );
        assert!(matches!(
            to_utc(l, LONDON, None),
            Err(ScheduleError::AmbiguousLocalTime { .. })
        ));
        assert_eq!(
            to_utc(l, LONDON, Some(DstChoice::Later)),
            Ok(utc("2026-10-25 01:30"))
        );
    }

    #[test]
    fn shanghai_has_no_dst_so_every_quarter_hour_of_2026_is_exact() {
        let mut l = local("2026-01-01 00:00");
        while l < local("2027-01-01 00:00") {
            assert_eq!(
                resolve_local(l, SH),
                LocalResolution::Exact((l - Duration::hours(8)).and_utc()),
                "{l}"
            );
            l += minutes(15);
        }
    }

    #[test]
    fn lord_howe_half_hour_dst_gives_a_half_hour_gap_and_fold() {
        // Standard time is +10:30, summer time +11:00; both changes at 02:00.
        assert_eq!(
            resolve_local(local("2026-10-04 02:15"), LORD_HOWE),
            LocalResolution::Gap {
                before: utc("2026-10-03 15:30"), // 02:30 +11
                after: utc("2026-10-03 15:45"),  // 02:15 +10:30 = 02:45 +11
            }
        );
        assert_eq!(
            resolve_local(local("2026-04-05 01:45"), LORD_HOWE),
            LocalResolution::Fold {
                earlier: utc("2026-04-04 14:45"), // 01:45 +11
                later: utc("2026-04-04 15:15"),   // 01:45 +10:30
            }
        );
    }

    #[test]
    fn apia_skipped_a_whole_day_and_both_offers_land_after_it() {
        // Samoa moved across the date line: 2011-12-29 24:00 (-10) was
        // followed by 2011-12-31 00:00 (+14).
        let apia = chrono_tz::Pacific::Apia;
        assert_eq!(
            resolve_local(local("2011-12-30 12:00"), apia),
            LocalResolution::Gap {
                before: utc("2011-12-30 10:00"), // 12-31 00:00 +14
                after: utc("2011-12-30 22:00"),  // 12:00 -10 = 12-31 12:00 +14
            }
        );
    }

    #[test]
    fn times_beyond_the_representable_range_are_reported_not_panicked_on() {
        assert_eq!(
            resolve_local(NaiveDateTime::MAX, NY),
            LocalResolution::OutOfRange
        );
        assert_eq!(
            resolve_local(NaiveDateTime::MIN, chrono_tz::Asia::Tokyo),
            LocalResolution::OutOfRange
        );
        assert_eq!(
            to_utc(NaiveDateTime::MAX, NY, Some(DstChoice::Earlier)),
            Err(ScheduleError::LocalTimeOutOfRange {
                channel: None,
                zone: NY,
                local: NaiveDateTime::MAX
            })
        );
    }

    // --- plan: next free slot ---------------------------------------------------

    #[test]
    fn next_free_slot_gives_each_channel_its_own_free_slot() {
        // 2026-02-01 is a Sunday; weekday slots start on Monday the 2nd.
        let clocks = [
            ChannelClock {
                id: 1,
                zone: SH,
                slots: slots("Mon-Fri 09:00"),
                taken: vec![utc("2026-02-02 01:00")],
            },
            ChannelClock {
                id: 2,
                zone: NY,
                slots: slots("Mon-Fri 09:00"),
                taken: Vec::new(),
            },
        ];
        assert_eq!(
            plan(&When::NextFreeSlot, &clocks, now(), minutes(5)),
            Ok(vec![
                // Monday 09:00 Shanghai is taken, so Tuesday's.
                (1, Some(utc("2026-02-03 01:00"))),
                (2, Some(utc("2026-02-02 14:00"))),
            ])
        );
    }

    #[test]
    fn next_free_slot_without_slots_names_the_channel() {
        let clocks = [ChannelClock {
            id: 7,
            zone: SH,
            slots: Vec::new(),
            taken: Vec::new(),
        }];
        assert_eq!(
            plan(&When::NextFreeSlot, &clocks, now(), minutes(5)),
            Err(ScheduleError::NoFreeSlot { channel: 7 })
        );
    }

    #[test]
    fn plan_delegates_other_modes_to_due_times() {
        let clocks = [ChannelClock {
            id: 1,
            zone: SH,
            slots: Vec::new(),
            taken: Vec::new(),
        }];
        let when = When::At {
            local: local("2026-06-01 09:00"),
            zone: "Asia/Shanghai".into(),
            dst: None,
        };
        assert_eq!(
            plan(&when, &clocks, now(), minutes(5)),
            due_times(&when, &[(1, SH)], now(), minutes(5))
        );
    }

    // --- due_times -------------------------------------------------------------

    fn now() -> DateTime<Utc> {
        utc("2026-02-01 12:00")
    }

    #[test]
    fn same_local_time_per_channel_gives_different_instants_for_shanghai_and_new_york() {
        let when = When::SameLocalTimePerChannel {
            local: local("2026-06-01 09:00"),
            dst: None,
        };
        assert_eq!(
            due_times(&when, &[(1, SH), (2, NY)], now(), minutes(5)),
            Ok(vec![
                (1, Some(utc("2026-06-01 01:00"))),
                (2, Some(utc("2026-06-01 13:00"))),
            ])
        );
    }

    #[test]
    fn same_local_time_per_channel_names_the_channel_whose_zone_has_a_gap() {
        let mut when = When::SameLocalTimePerChannel {
            local: local("2026-03-08 02:30"),
            dst: None,
        };
        assert_eq!(
            due_times(&when, &[(1, SH), (2, NY)], now(), minutes(5)),
            Err(ScheduleError::NonexistentLocalTime {
                channel: Some(2),
                zone: NY,
                local: local("2026-03-08 02:30"),
                before: utc("2026-03-08 07:00"),
                after: utc("2026-03-08 07:30"),
            })
        );
        // The answer applies where it matters and is ignored elsewhere.
        if let When::SameLocalTimePerChannel { dst, .. } = &mut when {
            *dst = Some(DstChoice::Earlier);
        }
        assert_eq!(
            due_times(&when, &[(1, SH), (2, NY)], now(), minutes(5)),
            Ok(vec![
                (1, Some(utc("2026-03-07 18:30"))),
                (2, Some(utc("2026-03-08 07:00"))),
            ])
        );
    }

    #[test]
    fn same_local_time_per_channel_names_the_channel_whose_zone_has_a_fold() {
        let when = When::SameLocalTimePerChannel {
            local: local("2026-10-25 01:30"),
            dst: None,
        };
        let err = due_times(&when, &[(1, SH), (7, LONDON)], now(), minutes(5)).unwrap_err();
        assert_eq!(err.code(), "ambiguous_local_time");
        assert_eq!(err.channel(), Some(7));
    }

    #[test]
    fn a_time_in_a_chosen_zone_gives_every_channel_the_same_instant() {
        let when = When::At {
            local: local("2026-06-01 09:00"),
            zone: "America/New_York".into(),
            dst: None,
        };
        assert_eq!(
            due_times(&when, &[(1, SH), (2, NY), (3, LONDON)], now(), minutes(5)),
            Ok(vec![
                (1, Some(utc("2026-06-01 13:00"))),
                (2, Some(utc("2026-06-01 13:00"))),
                (3, Some(utc("2026-06-01 13:00"))),
            ])
        );
    }

    #[test]
    fn a_gap_in_the_chosen_zone_names_no_channel() {
        let when = When::At {
            local: local("2026-03-08 02:30"),
            zone: "America/New_York".into(),
            dst: None,
        };
        let err = due_times(&when, &[(1, SH)], now(), minutes(5)).unwrap_err();
        assert_eq!(err.code(), "nonexistent_local_time");
        assert_eq!(err.channel(), None);
    }

    #[test]
    fn an_unknown_chosen_zone_is_refused() {
        let when = When::At {
            local: local("2026-06-01 09:00"),
            zone: "Europe/Atlantis".into(),
            dst: None,
        };
        assert_eq!(
            due_times(&when, &[(1, SH)], now(), minutes(5)),
            Err(ScheduleError::UnknownZone {
                zone: "Europe/Atlantis".into()
            })
        );
    }

    #[test]
    fn times_before_now_plus_the_minimum_lead_are_refused() {
        let at = |l: &str| When::At {
            local: local(l),
            zone: "UTC".into(),
            dst: None,
        };
        // Already past.
        assert_eq!(
            due_times(&at("2026-02-01 11:00"), &[(1, SH)], now(), minutes(10)),
            Err(ScheduleError::InPast {
                channel: None,
                at: utc("2026-02-01 11:00"),
                earliest: utc("2026-02-01 12:10"),
            })
        );
        // In the future but inside the lead time.
        assert!(matches!(
            due_times(&at("2026-02-01 12:05"), &[(1, SH)], now(), minutes(10)),
            Err(ScheduleError::InPast { .. })
        ));
        // Exactly at the lead time is fine.
        assert_eq!(
            due_times(&at("2026-02-01 12:10"), &[(1, SH)], now(), minutes(10)),
            Ok(vec![(1, Some(utc("2026-02-01 12:10")))])
        );
        // Refused even with no channels picked yet.
        assert!(due_times(&at("2026-02-01 11:00"), &[], now(), minutes(10)).is_err());
    }

    #[test]
    fn a_negative_lead_does_not_let_past_times_through() {
        let when = When::At {
            local: local("2026-02-01 11:59"),
            zone: "UTC".into(),
            dst: None,
        };
        assert!(matches!(
            due_times(&when, &[(1, SH)], now(), Duration::hours(-2)),
            Err(ScheduleError::InPast { .. })
        ));
        assert!(due_times(&when, &[(1, SH)], now(), Duration::MAX).is_err());
    }

    #[test]
    fn same_local_time_per_channel_refuses_the_channel_whose_zone_is_already_past_it() {
        // 20:00 on 2026-02-01 has passed in Shanghai (12:00 UTC) but not in New York.
        let when = When::SameLocalTimePerChannel {
            local: local("2026-02-01 20:00"),
            dst: None,
        };
        assert_eq!(
            due_times(&when, &[(2, NY), (1, SH)], now(), minutes(5)),
            Err(ScheduleError::InPast {
                channel: Some(1),
                at: utc("2026-02-01 12:00"),
                earliest: utc("2026-02-01 12:05"),
            })
        );
    }

    #[test]
    fn when_approved_gives_no_time_for_every_channel() {
        assert_eq!(
            due_times(&When::WhenApproved, &[(1, SH), (2, NY)], now(), minutes(5)),
            Ok(vec![(1, None), (2, None)])
        );
    }

    #[test]
    fn when_crosses_the_wire_tagged_by_mode() {
        let json = r#"{"mode":"at","local":"2026-03-08T02:30:00","zone":"America/New_York","dst":"earlier"}"#;
        let when: When = serde_json::from_str(json).unwrap();
        assert_eq!(
            when,
            When::At {
                local: local("2026-03-08 02:30"),
                zone: "America/New_York".into(),
                dst: Some(DstChoice::Earlier),
            }
        );
        let when: When = serde_json::from_str(
            r#"{"mode":"same_local_time_per_channel","local":"2026-03-08T09:00:00"}"#,
        )
        .unwrap();
        assert_eq!(
            when,
            When::SameLocalTimePerChannel {
                local: local("2026-03-08 09:00"),
                dst: None
            }
        );
        assert_eq!(
            serde_json::to_string(&When::WhenApproved).unwrap(),
            r#"{"mode":"when_approved"}"#
        );
    }

    #[test]
    fn error_codes_match_their_serde_tags_and_carry_the_data() {
        let errors = [
            ScheduleError::UnknownZone { zone: "X".into() },
            to_utc(local("2026-03-08 02:30"), NY, None).unwrap_err(),
            to_utc(local("2026-11-01 01:30"), NY, None).unwrap_err(),
            to_utc(NaiveDateTime::MAX, NY, None).unwrap_err(),
            ScheduleError::InPast {
                channel: Some(3),
                at: now(),
                earliest: now(),
            },
            parse_slots("mon 25:00").unwrap_err(),
        ];
        for error in errors {
            let value = serde_json::to_value(&error).unwrap();
            assert_eq!(value["code"], error.code());
            let back: ScheduleError = serde_json::from_value(value).unwrap();
            assert_eq!(back, error);
        }
        let value =
            serde_json::to_value(to_utc(local("2026-03-08 02:30"), NY, None).unwrap_err()).unwrap();
        assert_eq!(value["zone"], "America/New_York");
        assert_eq!(value["channel"], serde_json::Value::Null);
        let value = serde_json::to_value(parse_slots("mon 25:00").unwrap_err()).unwrap();
        assert_eq!(value["problem"], "invalid_time");
    }

    // --- next_free_slot ------------------------------------------------------

    // 2026-06-01 is a Monday; New York is on EDT (-4).
    fn weekday_slots() -> Vec<Slot> {
        slots("mon-fri 09:00, 18:00")
    }

    #[test]
    fn next_free_slot_takes_the_next_slot_today() {
        let now = utc("2026-06-01 12:00"); // Mon 08:00 EDT
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &[], Duration::zero()),
            Some(utc("2026-06-01 13:00"))
        );
    }

    #[test]
    fn next_free_slot_skips_taken_slots() {
        let now = utc("2026-06-01 12:00");
        let taken = [utc("2026-06-01 13:00"), utc("2026-06-01 22:00")];
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &taken, Duration::zero()),
            Some(utc("2026-06-02 13:00"))
        );
    }

    #[test]
    fn a_post_at_a_non_slot_time_does_not_block_a_slot() {
        let now = utc("2026-06-01 12:00");
        let taken = [utc("2026-06-01 13:01")];
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &taken, Duration::zero()),
            Some(utc("2026-06-01 13:00"))
        );
    }

    #[test]
    fn next_free_slot_is_strictly_after_now_plus_the_lead() {
        let now = utc("2026-06-01 12:50"); // 08:50 EDT
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &[], minutes(10)),
            Some(utc("2026-06-01 22:00"))
        );
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &[], minutes(9)),
            Some(utc("2026-06-01 13:00"))
        );
    }

    #[test]
    fn next_free_slot_crosses_the_weekend() {
        let now = utc("2026-06-05 23:00"); // Fri 19:00 EDT
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &[], Duration::zero()),
            Some(utc("2026-06-08 13:00")) // Mon 09:00 EDT
        );
    }

    #[test]
    fn next_free_slot_respects_weekday_lists() {
        let now = utc("2026-06-02 12:00"); // Tue
        assert_eq!(
            next_free_slot(&slots("mon, wed 10:00"), NY, now, &[], Duration::zero()),
            Some(utc("2026-06-03 14:00")) // Wed 10:00 EDT
        );
        let wed = utc("2026-06-03 14:00");
        assert_eq!(
            next_free_slot(&slots("mon, wed 10:00"), NY, now, &[wed], Duration::zero()),
            Some(utc("2026-06-08 14:00")) // Mon 10:00 EDT
        );
    }

    #[test]
    fn next_free_slot_reads_slot_times_in_the_channel_zone() {
        let now = utc("2026-06-01 00:00"); // Mon 08:00 in Shanghai
        assert_eq!(
            next_free_slot(&weekday_slots(), SH, now, &[], Duration::zero()),
            Some(utc("2026-06-01 01:00"))
        );
    }

    #[test]
    fn a_slot_inside_a_gap_posts_at_the_first_time_after_the_gap() {
        let now = utc("2026-03-07 12:00"); // Sat
        assert_eq!(
            next_free_slot(&slots("sun 02:30"), NY, now, &[], Duration::zero()),
            Some(utc("2026-03-08 07:00")) // 03:00 EDT
        );
        // It shares that instant with a 03:00 slot; taking it takes both.
        let both = slots("sun 02:30, 03:00");
        let taken = [utc("2026-03-08 07:00")];
        assert_eq!(
            next_free_slot(&both, NY, now, &taken, Duration::zero()),
            Some(utc("2026-03-15 06:30")) // next Sunday 02:30 EDT
        );
    }

    #[test]
    fn a_slot_inside_a_fold_posts_on_the_first_pass() {
        let now = utc("2026-10-31 12:00"); // Sat
        assert_eq!(
            next_free_slot(&slots("sun 01:30"), NY, now, &[], Duration::zero()),
            Some(utc("2026-11-01 05:30")) // 01:30 EDT
        );
    }

    #[test]
    fn next_free_slot_looks_eight_weeks_ahead_and_no_further() {
        let now = utc("2026-06-01 16:00"); // Mon 12:00 EDT, after the 09:00 slot
        let mondays: Vec<DateTime<Utc>> = (1..=8)
            .map(|week| utc("2026-06-01 13:00") + Duration::weeks(week))
            .collect();
        let monday_slot = slots("mon 09:00");
        assert_eq!(
            next_free_slot(&monday_slot, NY, now, &mondays[..7], Duration::zero()),
            Some(utc("2026-07-27 13:00"))
        );
        assert_eq!(
            next_free_slot(&monday_slot, NY, now, &mondays, Duration::zero()),
            None
        );
    }

    #[test]
    fn no_slots_or_slots_without_weekdays_give_no_free_slot() {
        let now = utc("2026-06-01 12:00");
        assert_eq!(next_free_slot(&[], NY, now, &[], Duration::zero()), None);
        let never = [Slot {
            weekdays: vec![],
            time: NaiveTime::MIN,
        }];
        assert_eq!(next_free_slot(&never, NY, now, &[], Duration::zero()), None);
        assert_eq!(
            next_free_slot(&weekday_slots(), NY, now, &[], Duration::MAX),
            None
        );
    }

    // --- parse_slots -------------------------------------------------------------

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn parse_slots_accepts_the_example() {
        use Weekday::*;
        assert_eq!(
            slots("mon-fri 09:00, 18:00; sat 10:30"),
            vec![
                Slot {
                    weekdays: vec![Mon, Tue, Wed, Thu, Fri],
                    time: hm(9, 0)
                },
                Slot {
                    weekdays: vec![Mon, Tue, Wed, Thu, Fri],
                    time: hm(18, 0)
                },
                Slot {
                    weekdays: vec![Sat],
                    time: hm(10, 30)
                },
            ]
        );
    }

    #[test]
    fn parse_slots_accepts_lists_names_ranges_keywords_and_short_hours() {
        use Weekday::*;
        let day = |spec: &str| slots(spec)[0].weekdays.clone();
        assert_eq!(day("wed,mon 9:00"), vec![Mon, Wed]);
        assert_eq!(day("Monday, FRIDAY 9:00"), vec![Mon, Fri]);
        assert_eq!(day("fri-mon 9:00"), vec![Mon, Fri, Sat, Sun]);
        assert_eq!(day("tue-tue 9:00"), vec![Tue]);
        assert_eq!(day("daily 9:00"), vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun]);
        assert_eq!(day("weekdays 9:00"), vec![Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(day("weekends 9:00"), vec![Sat, Sun]);
        assert_eq!(slots("sun 0:05")[0].time, hm(0, 5));
        assert_eq!(slots("sun 23:59")[0].time, hm(23, 59));
        // Trailing ';', extra blanks and repeats are harmless.
        assert_eq!(slots("  sat 10:30 ;; sat 10:30 ; ").len(), 1);
    }

    #[test]
    fn parse_slots_rejects_bad_specs_with_positions() {
        use SlotSpecProblem::*;
        assert_eq!(spec_err(""), (Empty, 0, "".into()));
        assert_eq!(spec_err(" ; "), (Empty, 0, "".into()));
        assert_eq!(spec_err("mon-fri 25:00"), (InvalidTime, 8, "25:00".into()));
        assert_eq!(spec_err("mon 9:5"), (InvalidTime, 4, "9:5".into()));
        assert_eq!(spec_err("mon 9am"), (InvalidTime, 4, "9am".into()));
        assert_eq!(
            spec_err("mon 09:00:00"),
            (InvalidTime, 4, "09:00:00".into())
        );
        assert_eq!(spec_err("mon-fir 09:00"), (UnknownWeekday, 4, "fir".into()));
        assert_eq!(spec_err("mon- 09:00"), (UnknownWeekday, 0, "mon-".into()));
        assert_eq!(
            spec_err("sat 10:30; xyz 9:00"),
            (UnknownWeekday, 11, "xyz".into())
        );
        assert_eq!(
            spec_err("sat 10:30; mon-fri"),
            (MissingTime, 11, "mon-fri".into())
        );
        assert_eq!(
            spec_err("09:00, 18:00"),
            (MissingWeekday, 0, "09:00, 18:00".into())
        );
        assert_eq!(
            spec_err("mon 09:00 tue 10:00"),
            (WeekdayAfterTime, 10, "tue".into())
        );
        assert_eq!(spec_err("mon 09:00,, 10:00"), (EmptyItem, 10, ",".into()));
        assert_eq!(spec_err(", mon 09:00"), (EmptyItem, 0, ",".into()));
        assert_eq!(
            spec_err("sat 10:30; mon 09:00,"),
            (EmptyItem, 20, ",".into())
        );
    }

    #[test]
    fn parse_slots_positions_count_characters_not_bytes() {
        // U+00A0 is a blank taking two bytes.
        assert_eq!(
            spec_err("mon\u{a0}\u{a0}25:00"),
            (SlotSpecProblem::InvalidTime, 5, "25:00".into())
        );
    }

    #[test]
    fn slots_cross_the_wire_with_weekday_names() {
        let slot = &slots("mon,sat 09:00")[0];
        let json = serde_json::to_string(slot).unwrap();
        assert_eq!(json, r#"{"weekdays":["Mon","Sat"],"time":"09:00:00"}"#);
        assert_eq!(&serde_json::from_str::<Slot>(&json).unwrap(), slot);
    }

    // --- calendar helpers ----------------------------------------------------

    #[test]
    fn local_date_in_places_an_instant_in_the_viewers_calendar_day() {
        let at = utc("2026-06-01 20:00");
        assert_eq!(
            local_date_in(at, SH),
            NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()
        );
        assert_eq!(
            local_date_in(at, NY),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
    }

    #[test]
    fn format_local_shows_wall_clock_and_abbreviation() {
        assert_eq!(
            format_local(utc("2026-06-01 20:00"), SH),
            "2026-06-02 04:00 CST"
        );
        assert_eq!(
            format_local(utc("2026-01-15 12:00"), NY),
            "2026-01-15 07:00 EST"
        );
    }

    // --- properties ----------------------------------------------------------

    /// Zones with assorted DST habits: none, ±1 h, 30 min (Lord Howe), 45 min
    /// offsets (Chatham), 2 h (Troll), changes at midnight (Havana, Santiago),
    /// several a year (Casablanca), a skipped day (Apia).
    const ZONES: [Tz; 12] = [
        chrono_tz::America::New_York,
        chrono_tz::Europe::London,
        chrono_tz::Asia::Shanghai,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Pacific::Chatham,
        chrono_tz::Antarctica::Troll,
        chrono_tz::America::Havana,
        chrono_tz::America::Santiago,
        chrono_tz::Africa::Casablanca,
        chrono_tz::Pacific::Apia,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Europe::Berlin,
    ];

    fn wall(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
        at.with_timezone(&tz).naive_local()
    }

    fn offset_at(secs: i64, tz: Tz) -> i32 {
        utc_offset_secs(DateTime::from_timestamp(secs, 0).unwrap(), tz)
    }

    /// Offset changes of `tz` in `year` (UTC seconds), found by sampling every
    /// three hours and bisecting each change to the second.
    fn transitions(tz: Tz, year: i32) -> Vec<i64> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1)
            .unwrap()
            .and_time(NaiveTime::MIN)
            .and_utc()
            .timestamp();
        let step = 3 * 3600;
        let mut found = Vec::new();
        let mut t = start;
        while t < start + 366 * 86_400 {
            if offset_at(t, tz) != offset_at(t + step, tz) {
                let (mut lo, mut hi) = (t, t + step);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset_at(mid, tz) == offset_at(lo, tz) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                found.push(hi);
            }
            t += step;
        }
        found
    }

    /// Checks everything `resolve_local` promises about `local` in `tz`.
    fn check_resolution(local: NaiveDateTime, tz: Tz) -> Result<(), TestCaseError> {
        match resolve_local(local, tz) {
            LocalResolution::Exact(at) => {
                prop_assert_eq!(wall(at, tz), local);
                prop_assert_eq!(to_utc(local, tz, None), Ok(at));
            }
            LocalResolution::Gap { before, after } => {
                prop_assert!(after >= before);
                // `before` is a transition: the second before it reads earlier
                // than `local`, `before` itself reads later.
                let just_before = before - Duration::seconds(1);
                prop_assert!(wall(just_before, tz) < local);
                prop_assert!(wall(before, tz) > local);
                // `after` is `local` read with the pre-jump offset, and lies as
                // far past `before` as `local` lies past the gap's start.
                let offset = utc_offset_secs(just_before, tz);
                prop_assert_eq!(after, (local - Duration::seconds(offset.into())).and_utc());
                let gap_start = wall(just_before, tz) + Duration::seconds(1);
                prop_assert_eq!(after - before, local - gap_start);
                prop_assert_eq!(after > before, local > gap_start);
                prop_assert!(wall(after, tz) > local);
                prop_assert_eq!(to_utc(local, tz, Some(DstChoice::Earlier)), Ok(before));
                prop_assert_eq!(to_utc(local, tz, Some(DstChoice::Later)), Ok(after));
                prop_assert!(to_utc(local, tz, None).is_err());
            }
            LocalResolution::Fold { earlier, later } => {
                prop_assert!(earlier < later);
                prop_assert_eq!(wall(earlier, tz), local);
                prop_assert_eq!(wall(later, tz), local);
                prop_assert!(to_utc(local, tz, None).is_err());
            }
            LocalResolution::OutOfRange => {
                return Err(TestCaseError::fail(format!(
                    "{local} in {tz} is well inside the range"
                )));
            }
        }
        Ok(())
    }

    fn zone() -> impl Strategy<Value = Tz> {
        proptest::sample::select(ZONES.to_vec())
    }

    fn any_zone() -> impl Strategy<Value = Tz> {
        proptest::sample::select(chrono_tz::TZ_VARIANTS.to_vec())
    }

    /// A wall-clock time within three hours of one of `tz`'s transitions in
    /// `year`, where gaps and folds live (or any time that year if none).
    fn near_transition(tz: Tz, year: i32, pick: usize, delta: i64) -> NaiveDateTime {
        let changes = transitions(tz, year);
        let base = match changes.get(pick % changes.len().max(1)) {
            Some(&t) => {
                wall(DateTime::from_timestamp(t - 1, 0).unwrap(), tz) + Duration::seconds(1)
            }
            None => NaiveDate::from_ymd_opt(year, 1, 1)
                .unwrap()
                .and_time(NaiveTime::MIN),
        };
        base + Duration::seconds(delta)
    }

    proptest! {
        #[test]
        fn random_local_times_resolve_consistently(
            tz in zone(),
            secs in 0i64..2_240_000_000, // 1970 to 2040
        ) {
            let local = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            check_resolution(local, tz)?;
        }

        #[test]
        fn local_times_near_transitions_resolve_consistently(
            tz in zone(),
            year in 1970i32..2040,
            pick in 0usize..8,
            delta in -3 * 3600i64..3 * 3600,
        ) {
            check_resolution(near_transition(tz, year, pick, delta), tz)?;
        }

        #[test]
        fn local_times_near_transitions_of_any_zone_resolve_consistently(
            tz in any_zone(),
            year in 1900i32..2040,
            pick in 0usize..8,
            delta in -3 * 3600i64..3 * 3600,
        ) {
            check_resolution(near_transition(tz, year, pick, delta), tz)?;
        }

        #[test]
        fn next_free_slot_is_a_free_slot_after_the_lead(
            tz in zone(),
            secs in 1_700_000_000i64..2_000_000_000,
            lead_minutes in -60i64..600,
            spec in proptest::sample::select(vec![
                "mon-fri 09:00, 18:00; sat 10:30",
                "sun 02:30",
                "daily 00:00, 01:30, 23:59",
                "wed 12:00",
            ]),
            taken_picks in proptest::collection::vec(0usize..20, 0..6),
        ) {
            let now = DateTime::from_timestamp(secs, 0).unwrap();
            let slots = parse_slots(spec).unwrap();
            let lead = Duration::minutes(lead_minutes);
            let threshold = now + lead.max(Duration::zero());
            // Take some of the upcoming free slots, found by asking repeatedly.
            let mut upcoming = Vec::new();
            while upcoming.len() < 20 {
                match next_free_slot(&slots, tz, now, &upcoming, lead) {
                    Some(at) => upcoming.push(at),
                    None => break,
                }
            }
            prop_assert!(upcoming.windows(2).all(|w| w[0] < w[1]));
            let taken: Vec<DateTime<Utc>> =
                taken_picks.iter().filter_map(|&i| upcoming.get(i).copied()).collect();
            if let Some(at) = next_free_slot(&slots, tz, now, &taken, lead) {
                prop_assert!(at > threshold);
                prop_assert!(!taken.contains(&at));
                // It is the first upcoming slot not taken.
                prop_assert_eq!(Some(at), upcoming.iter().copied().find(|u| !taken.contains(u)));
                // It falls on a slot's weekday, at or (after a gap) just after its time.
                let when = wall(at, tz);
                let on_a_slot = slots.iter().any(|s| {
                    s.weekdays.contains(&when.weekday())
                        && matches!(
                            resolve_local(when.date().and_time(s.time), tz),
                            LocalResolution::Exact(x) | LocalResolution::Gap { before: x, .. }
                                | LocalResolution::Fold { earlier: x, .. } if x == at
                        )
                });
                prop_assert!(on_a_slot);
            }
        }

        #[test]
        fn parse_slots_never_panics_and_points_inside_the_spec(spec in "\\PC{0,40}") {
            match parse_slots(&spec) {
                Ok(slots) => prop_assert!(!slots.is_empty()),
                Err(ScheduleError::InvalidSlotSpec { position, text, .. }) => {
                    let chars: Vec<char> = spec.chars().collect();
                    prop_assert!(position <= chars.len());
                    let from: String = chars[position..].iter().collect();
                    prop_assert!(from.starts_with(&text));
                }
                Err(other) => return Err(TestCaseError::fail(format!("unexpected error {other:?}"))),
            }
        }

        #[test]
        fn parse_slots_reads_generated_specs(
            groups in proptest::collection::vec(
                (
                    proptest::collection::btree_set(0usize..7, 1..4),
                    proptest::collection::btree_set((0u32..24, 0u32..60), 1..3),
                ),
                1..4,
            ),
        ) {
            const NAMES: [&str; 7] = ["mon", "Tue", "wednesday", "THU", "fri", "sat", "Sunday"];
            let spec = groups
                .iter()
                .map(|(days, times)| {
                    let days: Vec<&str> = days.iter().map(|&d| NAMES[d]).collect();
                    let times: Vec<String> =
                        times.iter().map(|(h, m)| format!("{h}:{m:02}")).collect();
                    format!("{} {}", days.join(","), times.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ");
            let parsed = parse_slots(&spec).unwrap();
            let mut expected: Vec<Slot> = Vec::new();
            for (days, times) in &groups {
                for &(h, m) in times {
                    let slot = Slot {
                        weekdays: days.iter().map(|&d| WEEK[d]).collect(),
                        time: hm(h, m),
                    };
                    if !expected.contains(&slot) {
                        expected.push(slot);
                    }
                }
            }
            prop_assert_eq!(parsed, expected);
        }
    }
}
