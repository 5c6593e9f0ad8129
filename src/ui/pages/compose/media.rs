//! The post's attachments: upload through the REST API's media route, alt
//! text, removal (also from every variant). The first image is WeChat's
//! cover.

use super::form::Form;
use crate::domain::content::MediaKind;
#[cfg(feature = "hydrate")]
use crate::domain::post::MediaRef;
use crate::domain::{AppError, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use leptos::task::spawn_local;
#[cfg(feature = "hydrate")]
use serde::Deserialize;

/// Attachments: upload, alt text, remove. The first image is WeChat's cover.
#[component]
pub(super) fn MediaPicker(ws: WorkspaceId, form: RwSignal<Form>) -> impl IntoView {
    let i18n = use_i18n();
    let uploading = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(files) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..files.length()).filter_map(|i| files.get(i)).collect();
            input.set_value("");
            uploading.set(true);
            error.set(None);
            spawn_local(async move {
                for file in files {
                    match upload(ws, file).await {
                        Ok(m) => form.update(|f| f.media.push(m)),
                        Err(e) => error.set(Some(e)),
                    }
                }
                uploading.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, ws);
    };
    let items = move || {
        form.with(|f| f.media.clone())
            .into_iter()
            .enumerate()
            .map(|(index, m)| {
                let url = m.url(ws);
                let is_image = m.kind != MediaKind::Video;
                let alt = m.alt.clone();
                view! {
                    <li class="media-item" data-testid="media-item">
                        {if is_image {
                            view! { <img src=url alt=alt.clone() loading="lazy"/> }.into_any()
                        } else {
                            view! { <video src=url controls=true preload="metadata"></video> }.into_any()
                        }}
                        <input placeholder=move || i18n.t(Msg::ComposeAltText) aria-label=move || i18n.t(Msg::ComposeAltText)
                            prop:value=alt on:input=move |ev| {
                                let v = event_target_value(&ev);
                                form.update(|f| if let Some(m) = f.media.get_mut(index) { m.alt = v; });
                            }/>
                        <button type="button" class="button button-ghost" on:click=move |_| form.update(|f| {
                            if index < f.media.len() {
                                let gone = f.media.remove(index).id;
                                for v in &mut f.variants {
                                    if let Some(list) = &mut v.media {
                                        list.retain(|m| m.id != gone);
                                    }
                                }
                            }
                        })>
                            {move || i18n.t(Msg::Remove)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field media-picker">
            <span>{move || i18n.t(Msg::ComposeMedia)}</span>
            <ul class="media-list">{items}</ul>
            <input type="file" multiple=true accept="image/png,image/jpeg,image/gif,image/webp,video/mp4"
                data-testid="media-input" on:change=on_files/>
            <small class="muted">{move || i18n.t(Msg::ComposeMediaHint)}</small>
            <Show when=move || uploading.get()>
                <p class="muted" role="status">{move || i18n.t(Msg::ComposeUploading)}</p>
            </Show>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </div>
    }
}

/// Uploads one file to the media route of the REST API (same session).
#[cfg(feature = "hydrate")]
async fn upload(ws: WorkspaceId, file: web_sys::File) -> Result<MediaRef, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let transport = |e: wasm_bindgen::JsValue| AppError::Transport {
        message: format!("{e:?}"),
    };
    let body = web_sys::FormData::new().map_err(transport)?;
    body.append_with_blob("file", &file).map_err(transport)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let url = format!("/api/v1/workspaces/{}/media", ws.0);
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(transport)?;
    let response: web_sys::Response = JsFuture::from(window().fetch_with_request(&request))
        .await
        .map_err(transport)?
        .dyn_into()
        .map_err(transport)?;
    let text = JsFuture::from(response.text().map_err(transport)?)
        .await
        .map_err(transport)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| AppError::Transport {
            message: e.to_string(),
        })
    } else {
        #[derive(Deserialize)]
        struct Body {
            error: ErrorBody,
        }
        #[derive(Deserialize)]
        struct ErrorBody {
            message: String,
        }
        let message = serde_json::from_str::<Body>(&text)
            .map(|b| b.error.message)
            .unwrap_or(text);
        Err(AppError::Invalid {
            field: Some("file".into()),
            key: String::new(),
            message,
        })
    }
}
