//! What the platforms' OAuth consent pages share: plain server-rendered
//! HTML that works without JavaScript, and the redirect that answers.
//!
//! Each page shows the app asking, the account, the scopes and one form
//! ([`form`]) with two submit buttons, `#allow` and `#deny`, posting back
//! to the same path; the answer is a 302 to the redirect URI with `code` +
//! `state` or `error=access_denied`. Each platform module serves its own
//! page with these parts. Invariants: a platform checks the client (and
//! whatever else it requires) before anything is shown or issued, and again
//! on the POST, since the form's hidden fields come back from the browser.

use super::request::form_pairs;
use crate::domain::html::escape;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0;padding:40px 16px}\
.card{max-width:420px;margin:auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.12)}\
h1{font-size:20px;margin:0 0 12px}ul{padding-left:20px}li{margin:4px 0}.who{color:#555}\
.emu{font-size:12px;color:#888;margin-top:16px}\
button{display:block;width:100%;padding:10px;margin-top:10px;border-radius:8px;font-size:16px;cursor:pointer;border:1px solid #ccc;background:#fff}\
button#allow{background:var(--accent);color:#fff;border:none}";

pub(crate) fn page(title: &str, accent: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{}</title><style>:root{{--accent:{accent}}}{STYLE}</style></head><body><main class=\"card\">{body}\
<p class=\"emu\">Tongbu platform emulator — no real account is involved.</p></main></body></html>",
        escape(title)
    )
}

pub(crate) fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(page(
            "Error",
            "#888",
            &format!(
                "<h1>Something went wrong</h1><p id=\"error\">{}</p>",
                escape(message)
            ),
        )),
    )
        .into_response()
}

pub(crate) fn hidden(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

pub(crate) fn scope_list(scopes: &[&str]) -> String {
    scopes
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect()
}

/// `uri` with `pairs` appended to its query (and an optional fragment).
pub(crate) fn redirect(uri: &str, pairs: &[(&str, &str)], fragment: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(uri) else {
        return error_page("redirect_uri is not a valid URL");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    if let Some(f) = fragment {
        url.set_fragment(Some(f));
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

pub(crate) fn get_param<'a>(p: &'a HashMap<String, String>, k: &str) -> &'a str {
    p.get(k).map(String::as_str).unwrap_or("")
}

/// The parameters of a form body or query string (the last of a
/// repeated name wins).
pub(crate) fn params(src: &[u8]) -> HashMap<String, String> {
    form_pairs(src).into_iter().collect()
}

/// The consent form: `fields` (from [`hidden`]) and the two buttons,
/// posting to `action`, or back to the page's own path when `None`.
pub(crate) fn form(action: Option<&str>, fields: &str, allow: &str) -> String {
    let action = action
        .map(|a| format!(" action=\"{}\"", escape(a)))
        .unwrap_or_default();
    format!(
        "<form method=\"post\"{action}>{fields}\
<button id=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">{}</button>\
<button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form>",
        escape(allow)
    )
}

/// Whether the user pressed `#allow`.
pub(crate) fn allowed(p: &HashMap<String, String>) -> bool {
    get_param(p, "decision") == "allow"
}

/// BASE64URL(SHA256(verifier)) without padding, as RFC 7636 S256: what a
/// token endpoint compares with the challenge the authorize page was given.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A token endpoint's error answer, as RFC 6749 §5.2 shapes it.
pub(crate) fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": code, "error_description": description })),
    )
        .into_response()
}
