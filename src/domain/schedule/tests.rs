//! Tests of the scheduling rules: zones, DST gaps and folds in New York,
//! London, Shanghai, Lord Howe and Apia, planning, due times, next free
//! slots, slot specs, the calendar helpers, and properties.

use super::slot_spec::WEEK;
use super::zones::utc_offset_secs;
use super::*;
use crate::domain::ChannelId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::America::New_York as NY;
use chrono_tz::Asia::Shanghai as SH;
use chrono_tz::Australia::Lord_Howe as LORD_HOWE;
use chrono_tz::Europe::London as LONDON;
use chrono_tz::Tz;
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
            id: ChannelId(1),
            zone: SH,
            slots: slots("Mon-Fri 09:00"),
            taken: vec![utc("2026-02-02 01:00")],
        },
        ChannelClock {
            id: ChannelId(2),
            zone: NY,
            slots: slots("Mon-Fri 09:00"),
            taken: Vec::new(),
        },
    ];
    assert_eq!(
        plan(&When::NextFreeSlot, &clocks, now(), minutes(5)),
        Ok(vec![
            // Monday 09:00 Shanghai is taken, so Tuesday's.
            (ChannelId(1), Some(utc("2026-02-03 01:00"))),
            (ChannelId(2), Some(utc("2026-02-02 14:00"))),
        ])
    );
}

#[test]
fn next_free_slot_without_slots_names_the_channel() {
    let clocks = [ChannelClock {
        id: ChannelId(7),
        zone: SH,
        slots: Vec::new(),
        taken: Vec::new(),
    }];
    assert_eq!(
        plan(&When::NextFreeSlot, &clocks, now(), minutes(5)),
        Err(ScheduleError::NoFreeSlot {
            channel: ChannelId(7)
        })
    );
}

#[test]
fn plan_delegates_other_modes_to_due_times() {
    let clocks = [ChannelClock {
        id: ChannelId(1),
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
        due_times(&when, &[(ChannelId(1), SH)], now(), minutes(5))
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
        due_times(
            &when,
            &[(ChannelId(1), SH), (ChannelId(2), NY)],
            now(),
            minutes(5)
        ),
        Ok(vec![
            (ChannelId(1), Some(utc("2026-06-01 01:00"))),
            (ChannelId(2), Some(utc("2026-06-01 13:00"))),
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
        due_times(
            &when,
            &[(ChannelId(1), SH), (ChannelId(2), NY)],
            now(),
            minutes(5)
        ),
        Err(ScheduleError::NonexistentLocalTime {
            channel: Some(ChannelId(2)),
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
        due_times(
            &when,
            &[(ChannelId(1), SH), (ChannelId(2), NY)],
            now(),
            minutes(5)
        ),
        Ok(vec![
            (ChannelId(1), Some(utc("2026-03-07 18:30"))),
            (ChannelId(2), Some(utc("2026-03-08 07:00"))),
        ])
    );
}

#[test]
fn same_local_time_per_channel_names_the_channel_whose_zone_has_a_fold() {
    let when = When::SameLocalTimePerChannel {
        local: local("2026-10-25 01:30"),
        dst: None,
    };
    let err = due_times(
        &when,
        &[(ChannelId(1), SH), (ChannelId(7), LONDON)],
        now(),
        minutes(5),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ambiguous_local_time");
    assert_eq!(err.channel(), Some(ChannelId(7)));
}

#[test]
fn a_time_in_a_chosen_zone_gives_every_channel_the_same_instant() {
    let when = When::At {
        local: local("2026-06-01 09:00"),
        zone: "America/New_York".into(),
        dst: None,
    };
    assert_eq!(
        due_times(
            &when,
            &[
                (ChannelId(1), SH),
                (ChannelId(2), NY),
                (ChannelId(3), LONDON)
            ],
            now(),
            minutes(5)
        ),
        Ok(vec![
            (ChannelId(1), Some(utc("2026-06-01 13:00"))),
            (ChannelId(2), Some(utc("2026-06-01 13:00"))),
            (ChannelId(3), Some(utc("2026-06-01 13:00"))),
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
    let err = due_times(&when, &[(ChannelId(1), SH)], now(), minutes(5)).unwrap_err();
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
        due_times(&when, &[(ChannelId(1), SH)], now(), minutes(5)),
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
        due_times(
            &at("2026-02-01 11:00"),
            &[(ChannelId(1), SH)],
            now(),
            minutes(10)
        ),
        Err(ScheduleError::InPast {
            channel: None,
            at: utc("2026-02-01 11:00"),
            earliest: utc("2026-02-01 12:10"),
        })
    );
    // In the future but inside the lead time.
    assert!(matches!(
        due_times(
            &at("2026-02-01 12:05"),
            &[(ChannelId(1), SH)],
            now(),
            minutes(10)
        ),
        Err(ScheduleError::InPast { .. })
    ));
    // Exactly at the lead time is fine.
    assert_eq!(
        due_times(
            &at("2026-02-01 12:10"),
            &[(ChannelId(1), SH)],
            now(),
            minutes(10)
        ),
        Ok(vec![(ChannelId(1), Some(utc("2026-02-01 12:10")))])
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
        due_times(&when, &[(ChannelId(1), SH)], now(), Duration::hours(-2)),
        Err(ScheduleError::InPast { .. })
    ));
    assert!(due_times(&when, &[(ChannelId(1), SH)], now(), Duration::MAX).is_err());
}

#[test]
fn same_local_time_per_channel_refuses_the_channel_whose_zone_is_already_past_it() {
    // 20:00 on 2026-02-01 has passed in Shanghai (12:00 UTC) but not in New York.
    let when = When::SameLocalTimePerChannel {
        local: local("2026-02-01 20:00"),
        dst: None,
    };
    assert_eq!(
        due_times(
            &when,
            &[(ChannelId(2), NY), (ChannelId(1), SH)],
            now(),
            minutes(5)
        ),
        Err(ScheduleError::InPast {
            channel: Some(ChannelId(1)),
            at: utc("2026-02-01 12:00"),
            earliest: utc("2026-02-01 12:05"),
        })
    );
}

#[test]
fn when_approved_gives_no_time_for_every_channel() {
    assert_eq!(
        due_times(
            &When::WhenApproved,
            &[(ChannelId(1), SH), (ChannelId(2), NY)],
            now(),
            minutes(5)
        ),
        Ok(vec![(ChannelId(1), None), (ChannelId(2), None)])
    );
}

#[test]
fn when_crosses_the_wire_tagged_by_mode() {
    let json =
        r#"{"mode":"at","local":"2026-03-08T02:30:00","zone":"America/New_York","dst":"earlier"}"#;
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
            channel: Some(ChannelId(3)),
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
        Some(&t) => wall(DateTime::from_timestamp(t - 1, 0).unwrap(), tz) + Duration::seconds(1),
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
