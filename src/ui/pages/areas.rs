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
pub fn ReportsPage() -> impl IntoView {
    view! { <Area title=Msg::ReportsTitle icon="▤" empty=Msg::ReportsEmpty hint=Msg::ReportsEmptyHint/> }
}
