//! The current language as a reactive signal, shared through context.

use crate::i18n::{t, tf, Locale, Msg};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

impl I18n {
    /// Reactive: re-renders the caller when the language changes.
    pub fn t(&self, msg: Msg) -> &'static str {
        t(self.0.get(), msg)
    }

    pub fn tf(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        tf(self.0.get(), msg, args)
    }

    pub fn locale(&self) -> Locale {
        self.0.get()
    }

    pub fn error(&self, err: &crate::domain::AppError) -> String {
        err.text(self.0.get())
    }

    /// Switches the interface and keeps `<html lang>` in step (screen
    /// readers and fonts depend on it).
    pub fn set(&self, locale: Locale) {
        self.0.set(locale);
        #[cfg(feature = "hydrate")]
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", locale.tag());
        }
    }
}

pub fn provide_i18n(initial: Locale) {
    provide_context(I18n(RwSignal::new(initial)));
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

pub fn role_name(role: crate::domain::Role) -> Msg {
    use crate::domain::Role;
    match role {
        Role::Owner => Msg::RoleOwner,
        Role::Admin => Msg::RoleAdmin,
        Role::Approver => Msg::RoleApprover,
        Role::Editor => Msg::RoleEditor,
        Role::Viewer => Msg::RoleViewer,
    }
}
