//! Consent pages of the Facebook login dialog and X's OAuth 2.0
//! authorize screen: plain server-rendered HTML that works without
//! JavaScript.
//!
//! Each page shows the app asking, the account, the scopes and one form with
//! two submit buttons, `#allow` and `#deny`, posting back to the same path;
//! the answer is a 302 to the redirect URI with `code` + `state` or
//! `error=access_denied`. Invariants: the client id (and for X the S256
//! code challenge) is checked before anything is shown or issued, and again
//! on the POST, since the form's hidden fields come back from the browser.

// Error answers are whole HTTP responses, as is usual with axum; boxing
// them would only add noise on a loopback test server.
#![allow(clippy::result_large_err)]

use super::{Emulator, DEMO};
use crate::domain::html::escape;
use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::http::{header, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;

pub(crate) fn routes() -> Router<Emulator> {
    Router::new().route("/i/oauth2/authorize", get(x_page).post(x_decide))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0;padding:40px 16px}\
.card{max-width:420px;margin:auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.12)}\
h1{font-size:20px;margin:0 0 12px}ul{padding-left:20px}li{margin:4px 0}.who{color:#555}\
.emu{font-size:12px;color:#888;margin-top:16px}\
button{display:block;width:100%;padding:10px;margin-top:10px;border-radius:8px;font-size:16px;cursor:pointer;border:1px solid #ccc;background:#fff}\
button#allow{background:var(--accent);color:#fff;border:none}";

fn page(title: &str, accent: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{}</title><style>:root{{--accent:{accent}}}{STYLE}</style></head><body><main class=\"card\">{body}\
<p class=\"emu\">Tongbu platform emulator — no real account is involved.</p></main></body></html>",
        escape(title)
    )
}

fn error_page(message: &str) -> Response {
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

fn hidden(fields: &[(&str, &str)]) -> String {
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

fn scope_list(scopes: &[&str]) -> String {
    scopes
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect()
}

/// `uri` with `pairs` appended to its query (and an optional fragment).
fn redirect(uri: &str, pairs: &[(&str, &str)], fragment: Option<&str>) -> Response {
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

fn get_param<'a>(p: &'a HashMap<String, String>, k: &str) -> &'a str {
    p.get(k).map(String::as_str).unwrap_or("")
}

// ---- Facebook --------------------------------------------------------------------

/// `GET|POST /vNN.0/dialog/oauth`.
pub(crate) async fn facebook(
    emu: &Emulator,
    method: &Method,
    query: &str,
    body: &Bytes,
) -> Response {
    let src: &[u8] = if method == Method::POST {
        body
    } else {
        query.as_bytes()
    };
    let p: HashMap<String, String> = super::form_pairs(src).into_iter().collect();
    let app_id = emu.read(|st, _| st.facebook.app_id.clone());
    if get_param(&p, "client_id") != app_id {
        return error_page(
            "Invalid App ID: the provided app ID does not look like a valid app ID.",
        );
    }
    let redirect_uri = get_param(&p, "redirect_uri");
    if url::Url::parse(redirect_uri).is_err() {
        return error_page("URL blocked: redirect_uri is missing or not a valid URL.");
    }
    if !matches!(get_param(&p, "response_type"), "" | "code") {
        return error_page("Unsupported response_type.");
    }
    let state = get_param(&p, "state");
    if method == Method::POST {
        if get_param(&p, "decision") != "allow" {
            return redirect(
                redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_code", "200"),
                    ("error_description", "Permissions error"),
                    ("error_reason", "user_denied"),
                    ("state", state),
                ],
                Some("_=_"),
            );
        }
        let code = emu.mutate(|st, now| super::facebook::issue_code(st, now, redirect_uri));
        return redirect(
            redirect_uri,
            &[("code", &code), ("state", state)],
            Some("_=_"),
        );
    }
    let scope = get_param(&p, "scope");
    let scopes: Vec<&str> = scope.split([',', ' ']).collect();
    let fields = hidden(&[
        ("client_id", &app_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("scope", scope),
        ("response_type", "code"),
    ]);
    let body = format!(
        "<h1>Tongbu wants to access your Facebook account</h1>\
<p class=\"who\">Logged in as <strong id=\"account\">{user}</strong>, who manages <strong>{page}</strong>.</p>\
<p>Tongbu (app {app}) will receive:</p><ul id=\"scopes\">{scopes}</ul>\
<form method=\"post\">{fields}\
<button id=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">Continue as {user}</button>\
<button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form>",
        user = escape(DEMO.facebook.user_name),
        page = escape(DEMO.facebook.page_name),
        app = escape(&app_id),
        scopes = scope_list(&scopes),
    );
    Html(page("Log in with Facebook", "#1877f2", &body)).into_response()
}

// ---- X -----------------------------------------------------------------------------

/// Validates the authorize parameters; `Err` is the error page.
fn x_check(emu: &Emulator, p: &HashMap<String, String>) -> Result<(), Response> {
    let client = get_param(p, "client_id");
    if !emu.read(|st, _| st.x.client_known(client)) {
        return Err(error_page(
            "Something went wrong: this app's client_id is not valid.",
        ));
    }
    if get_param(p, "response_type") != "code" {
        return Err(error_page("response_type must be code."));
    }
    if url::Url::parse(get_param(p, "redirect_uri")).is_err() {
        return Err(error_page("redirect_uri is missing or not a valid URL."));
    }
    if get_param(p, "code_challenge_method") != "S256" {
        return Err(error_page("code_challenge_method must be S256."));
    }
    let ch = get_param(p, "code_challenge");
    // S256 challenges are 43 base64url characters.
    if ch.len() != 43
        || !ch
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(error_page("code_challenge is missing or malformed."));
    }
    if get_param(p, "state").is_empty() {
        return Err(error_page("state is required."));
    }
    if get_param(p, "scope").trim().is_empty() {
        return Err(error_page("scope is required."));
    }
    Ok(())
}

async fn x_page(
    AxState(emu): AxState<Emulator>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = x_check(&emu, &p) {
        return r;
    }
    let keys = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
    let pairs: Vec<(&str, &str)> = keys.iter().map(|k| (*k, get_param(&p, k))).collect();
    let scopes: Vec<&str> = get_param(&p, "scope").split(' ').collect();
    let body = format!(
        "<h1>Authorize app to access your account?</h1>\
<p class=\"who\">Signed in as <strong id=\"account\">{name}</strong> @{username}</p>\
<p>The app <strong>{client}</strong> will be able to:</p><ul id=\"scopes\">{scopes}</ul>\
<form method=\"post\" action=\"/i/oauth2/authorize\">{fields}\
<button id=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">Authorize app</button>\
<button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form>",
        name = escape(DEMO.x.name),
        username = escape(DEMO.x.username),
        client = escape(get_param(&p, "client_id")),
        scopes = scope_list(&scopes),
        fields = hidden(&pairs),
    );
    Html(page("Authorize app — X", "#000", &body)).into_response()
}

async fn x_decide(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    let p: HashMap<String, String> = super::form_pairs(&body).into_iter().collect();
    if let Err(r) = x_check(&emu, &p) {
        return r;
    }
    let redirect_uri = get_param(&p, "redirect_uri");
    let state = get_param(&p, "state");
    if get_param(&p, "decision") != "allow" {
        return redirect(
            redirect_uri,
            &[("error", "access_denied"), ("state", state)],
            None,
        );
    }
    let code = emu.mutate(|st, now| {
        super::x::issue_code(
            st,
            now,
            get_param(&p, "client_id"),
            redirect_uri,
            get_param(&p, "code_challenge"),
            get_param(&p, "scope"),
        )
    });
    redirect(redirect_uri, &[("state", state), ("code", &code)], None)
}
