//! Areas that later releases fill. Each says honestly what it will hold.

use crate::i18n::Msg;
use crate::ui::components::feedback::EmptyState;
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Area(title: Msg, icon: &'static str, empty: Msg, hint: Msg) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t(title)/>
        <div class="page-header"><h1>{move || i18n.t(title)}</h1></div>
        <EmptyState icon title=empty body=hint later=true/>
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    view! { <Area title=Msg::CalendarTitle icon="▦" empty=Msg::CalendarEmpty hint=Msg::CalendarEmptyHint/> }
}

#[component]
pub fn ComposePage() -> impl IntoView {
    view! { <Area title=Msg::ComposeTitle icon="✎" empty=Msg::ComposeEmpty hint=Msg::ComposeEmptyHint/> }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    view! { <Area title=Msg::ApprovalsTitle icon="✓" empty=Msg::ApprovalsEmpty hint=Msg::ApprovalsEmptyHint/> }
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    view! { <Area title=Msg::ChannelsTitle icon="⇄" empty=Msg::ChannelsEmpty hint=Msg::ChannelsEmptyHint/> }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! { <Area title=Msg::ReportsTitle icon="▤" empty=Msg::ReportsEmpty hint=Msg::ReportsEmptyHint/> }
}
