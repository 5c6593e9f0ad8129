use crate::ui::session::{hard_navigate, use_session};
use leptos::prelude::*;

/// `/` only renders when reached inside the app; the server already
/// redirects fresh loads. Sends the person where the server would.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let target = match session.await {
                    Ok(info) => match info.viewer {
                        Some(v) => v
                            .workspaces
                            .first()
                            .map(|w| format!("/w/{}/calendar", w.id))
                            .unwrap_or_else(|| "/account".to_owned()),
                        None if info.setup_needed => "/setup".to_owned(),
                        None => "/login".to_owned(),
                    },
                    Err(_) => "/login".to_owned(),
                };
                hard_navigate(&target);
                view! { <main class="center-page" aria-busy="true"></main> }
            })}
        </Suspense>
    }
}
