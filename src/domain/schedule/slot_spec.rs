//! Reading the compact posting-slot spec a person types, such as
//! `"mon-fri 09:00, 18:00; sat 10:30"`, into [`Slot`]s, with errors that
//! point at the offending character.

use chrono::{NaiveTime, Weekday};

use super::{ScheduleError, Slot, SlotSpecProblem};

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

pub(super) const WEEK: [Weekday; 7] = [
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
