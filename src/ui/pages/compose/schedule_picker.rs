//! When the post goes out: the mode, the wall-clock time and zone, and the
//! daylight-saving question when the typed time is missing or repeated in the
//! zone it is read in. Never picks for the person: a gap or fold shows both
//! instants and waits for a choice.

use super::form::{parse_local, Form};
use crate::domain::post::ChannelView;
use crate::domain::schedule::{resolve_local, DstChoice, LocalResolution};
use crate::i18n::Msg;
use crate::ui::format::{local_time, COMMON_ZONES};
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;

#[component]
pub(super) fn SchedulePicker<LV, LI, ZV, ZI>(
    form: RwSignal<Form>,
    channels: Vec<ChannelView>,
    local_value: LV,
    local_input: LI,
    zone_value: ZV,
    zone_input: ZI,
) -> impl IntoView
where
    LV: Fn() -> String + Send + Sync + Copy + 'static,
    LI: Fn(leptos::ev::Event) + Send + Sync + Copy + 'static,
    ZV: Fn() -> String + Send + Sync + Copy + 'static,
    ZI: Fn(leptos::ev::Event) + Send + Sync + Copy + 'static,
{
    let i18n = use_i18n();
    let mode = move || form.with(|f| f.mode.clone());
    let modes = [
        ("none", Msg::ComposeWhenNone),
        ("at", Msg::ComposeWhenAt),
        ("same_local", Msg::ComposeWhenSameLocal),
        ("when_approved", Msg::ComposeWhenApproved),
        ("next_free_slot", Msg::ComposeWhenSlot),
    ];
    let options = modes
        .into_iter()
        .map(|(value, label)| {
            view! { <option value=value selected=move || mode() == value>{move || i18n.t(label)}</option> }
        })
        .collect_view();
    let zones = COMMON_ZONES
        .into_iter()
        .map(|z| view! { <option value=z></option> })
        .collect_view();
    let channels = StoredValue::new(channels);
    // Daylight-saving trouble with the typed time, in the zone it is read in:
    // the picked zone, or each chosen channel's own zone.
    let dst_problem = move || {
        let f = form.get();
        let local = parse_local(&f.local)?;
        let zones: Vec<String> = match f.mode.as_str() {
            "at" => vec![f.zone.clone()],
            "same_local" => channels.with_value(|all| {
                all.iter()
                    .filter(|c| f.channels.contains(&c.id))
                    .map(|c| c.time_zone.clone())
                    .collect()
            }),
            _ => Vec::new(),
        };
        zones.into_iter().find_map(|zone| {
            let tz = zone.parse::<chrono_tz::Tz>().ok()?;
            match resolve_local(local, tz) {
                LocalResolution::Gap { before, after } => Some((true, zone, before, after, tz)),
                LocalResolution::Fold { earlier, later } => Some((false, zone, earlier, later, tz)),
                _ => None,
            }
        })
    };
    let in_past = move || {
        let f = form.get();
        let local = parse_local(&f.local)?;
        if f.mode != "at" {
            return None;
        }
        let tz = f.zone.parse::<chrono_tz::Tz>().ok()?;
        let at = match resolve_local(local, tz) {
            LocalResolution::Exact(at) => at,
            _ => return None,
        };
        (at < chrono::Utc::now()).then_some(())
    };
    let unknown_zone = move || {
        let f = form.get();
        f.mode == "at" && !f.zone.trim().is_empty() && f.zone.parse::<chrono_tz::Tz>().is_err()
    };
    view! {
        <label class="field">
            <select data-testid="schedule-mode" on:change=move |ev| {
                let v = event_target_value(&ev);
                form.update(|f| { f.mode = v; f.dst = None; });
            }>{options}</select>
        </label>
        <Show when=move || matches!(mode().as_str(), "at" | "same_local")>
            <div class="grid-2">
                <label class="field">
                    <span>{move || i18n.t(Msg::ComposeDate)}</span>
                    <input type="datetime-local" data-testid="schedule-local" prop:value=local_value on:input=local_input/>
                </label>
                <Show when=move || mode() == "at">
                    <label class="field">
                        <span>{move || i18n.t(Msg::ComposeZone)}</span>
                        <input list="tz-list" data-testid="schedule-zone" prop:value=zone_value on:input=zone_input/>
                    </label>
                </Show>
            </div>
        </Show>
        <datalist id="tz-list">{zones}</datalist>
        <Show when=unknown_zone>
            <p class="notice notice-error" role="alert">{move || i18n.t(Msg::ErrUnknownZone)}</p>
        </Show>
        <Show when=move || in_past().is_some()>
            <p class="notice notice-error" role="alert" data-testid="schedule-past">{move || i18n.t(Msg::ErrInPast)}</p>
        </Show>
        {move || dst_problem().map(|(gap, zone, first, second, tz)| {
            let first_label = local_time(first, tz);
            let second_label = local_time(second, tz);
            let choice = move || form.with(|f| f.dst);
            view! {
                <fieldset class="dst-choice" data-testid="dst-choice">
                    <legend>{move || i18n.tf(if gap { Msg::ComposeDstGap } else { Msg::ComposeDstFold }, &[("zone", &zone)])}</legend>
                    <label class="check">
                        <input type="radio" name="dst" data-testid="dst-earlier" prop:checked=move || choice() == Some(DstChoice::Earlier)
                            on:change=move |_| form.update(|f| f.dst = Some(DstChoice::Earlier))/>
                        <span>{move || i18n.tf(Msg::ComposeDstEarlier, &[("at", &first_label)])}</span>
                    </label>
                    <label class="check">
                        <input type="radio" name="dst" data-testid="dst-later" prop:checked=move || choice() == Some(DstChoice::Later)
                            on:change=move |_| form.update(|f| f.dst = Some(DstChoice::Later))/>
                        <span>{move || i18n.tf(Msg::ComposeDstLater, &[("at", &second_label)])}</span>
                    </label>
                </fieldset>
            }
        })}
    }
}
