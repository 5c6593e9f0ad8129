//! Per-request context resolved once by middleware: the client address, the
//! signed-in user (if any) and the language to answer in. Handlers and
//! server functions read it from the request extensions.

use super::auth::session;
use super::state::AppState;
use crate::i18n::Locale;
use crate::store::UserRow;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

pub const LANG_COOKIE: &str = "tongbu_lang";

#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub ip: IpAddr,
    pub user: Option<UserRow>,
    pub locale: Locale,
}

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, state.config.trust_forwarded_for);
    let user = match req.extensions().get::<Session>() {
        Some(s) => match session::current_user(s, &state).await {
            Ok(u) => u,
            Err(e) => return super::error::ApiError(e).into_response(),
        },
        None => None,
    };
    let locale = pick_locale(user.as_ref(), req.headers());
    req.extensions_mut().insert(RequestCtx { ip, user, locale });
    next.run(req).await
}

fn client_ip(req: &Request, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The user's saved preference, then the language cookie (set by the switch
/// before signing in), then the browser's Accept-Language, then English.
fn pick_locale(user: Option<&UserRow>, headers: &axum::http::HeaderMap) -> Locale {
    if let Some(l) = user
        .and_then(|u| u.locale.as_deref())
        .and_then(Locale::from_tag)
    {
        return l;
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .and_then(|(_, v)| Locale::from_tag(v));
    if let Some(l) = cookie {
        return l;
    }
    browser_locale(headers)
}

/// What the browser asks for in `Accept-Language`, else English.
pub fn browser_locale(headers: &axum::http::HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or_default()
}

/// A `Set-Cookie` value remembering the chosen language for a year.
pub fn lang_cookie(locale: Option<Locale>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match locale {
        Some(l) => format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            l.tag()
        ),
        None => format!("{LANG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
    }
}
