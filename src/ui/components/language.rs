//! The language switch. It is a form of buttons, so it works before the page
//! has hydrated (the server answers with a redirect back) and instantly after.

use crate::api::auth::SetLanguage;
use crate::i18n::{Locale, Msg};
use crate::ui::i18n::use_i18n;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLanguage>::new();
    let location = use_location();
    let next = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    // Switch at once; the server stores the choice in the background.
    Effect::new(move |_| {
        if let Some(Ok(tag)) = action.value().get() {
            if let Some(l) = Locale::from_tag(&tag) {
                i18n.set(l);
            }
        }
    });
    view! {
        <ActionForm action=action attr:class="lang-switch" attr:aria-label=move || i18n.t(Msg::Language)>
            <input type="hidden" name="next" prop:value=next/>
            {Locale::ALL
                .into_iter()
                .map(|l| {
                    view! {
                        <button
                            type="submit"
                            name="tag"
                            value=l.tag()
                            lang=l.tag()
                            data-locale=l.tag()
                            class:active=move || i18n.locale() == l
                            aria-pressed=move || (i18n.locale() == l).to_string()
                            on:click=move |_| i18n.set(l)
                        >
                            {l.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </ActionForm>
    }
}
