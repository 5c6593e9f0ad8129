//! Connecting a channel to its platform account.
//!
//! - WeChat: the admin pastes the Official Account's AppID and AppSecret;
//!   they are checked against the platform (which also proves this
//!   server's IP is on the account's whitelist) before being sealed.
//! - Bluesky: the admin enters the account's handle (or DID) and an app
//!   password; the handle is resolved, a session is made at the channel's
//!   hosting provider and the account's own PDS found, before anything is
//!   sealed. Only app passwords are taken: a tool must never hold the
//!   account's main password.
//! - Mastodon: OAuth with an app Tongbu registers on the account's instance
//!   at each connect (`POST /api/v1/apps`); the registered app waits sealed
//!   in the session until the callback. The channel's visibility and
//!   content warning are chosen in the same form.
//! - LinkedIn: OAuth as a member with a page role; the member picks one of
//!   the organization pages they may post for, as a Facebook user picks a
//!   Page.
//! - Facebook and X: OAuth. `/oauth/{platform}/start` remembers a random
//!   `state` (and X's PKCE verifier) in the session and sends the browser to
//!   the platform's consent page; `/oauth/{platform}/callback` accepts the
//!   code only with that same state, in that same session, within 15
//!   minutes, then exchanges it and seals the tokens. A Facebook user who
//!   manages several Pages picks one; the Page tokens wait sealed in the
//!   session meanwhile.

use super::super::access::{self, Member, Need};
use super::super::error::internal;
use super::super::request::RequestCtx;
use super::super::state::AppState;
use super::credentials::platform_refusal;
use super::{channel_row, store_connection};
use crate::domain::content::Platform;
use crate::domain::html::escape;
use crate::domain::post::ChannelView;
use crate::domain::{AppError, ChannelId, WorkspaceId};
use crate::i18n::Msg;
use crate::platforms::mastodon::{self, StatusOptions};
use crate::platforms::{self, bluesky, facebook, linkedin, x, Credentials, MemoryCredentials};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING: &str = "oauth_pending";
const PAGES: &str = "oauth_pages";
const STATE_TTL_MINUTES: i64 = 15;

/// Checks the WeChat credentials with the platform, then stores them.
pub async fn connect_wechat(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    app_id: &str,
    app_secret: &str,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    let row = channel_row(state, ws, id).await?;
    if row.platform != Platform::Wechat {
        return Err(AppError::invalid(None, Msg::ErrWrongPlatform));
    }
    let (app_id, app_secret) = (app_id.trim(), app_secret.trim());
    if app_id.is_empty() || app_secret.is_empty() {
        return Err(AppError::invalid(Some("app_id"), Msg::ErrWechatCredentials));
    }
    let creds = Credentials::Wechat {
        app_id: app_id.to_owned(),
        app_secret: app_secret.to_owned(),
    };
    let name = verify(state, &row, Platform::Wechat, &creds).await?;
    store_connection(state, m, id, creds, name).await
}

/// Signs a Bluesky channel in with a handle and an app password, checks
/// the session, then stores it.
pub async fn connect_bluesky(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    identifier: &str,
    app_password: &str,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let row = channel_row(state, m.ws(), id).await?;
    if row.platform != Platform::Bluesky {
        return Err(AppError::invalid(None, Msg::ErrWrongPlatform));
    }
    let identifier = identifier.trim().trim_start_matches('@');
    if identifier.is_empty() || app_password.trim().is_empty() {
        return Err(AppError::invalid(
            Some("identifier"),
            Msg::ErrBlueskyCredentials,
        ));
    }
    if !bluesky::is_app_password(app_password) {
        return Err(AppError::invalid(
            Some("app_password"),
            Msg::ErrBlueskyAppPassword,
        ));
    }
    let ends = state.clients.endpoints(&row, Platform::Bluesky);
    let http = platforms::http::build(&ends).map_err(|e| platform_refusal(&e))?;
    let creds = bluesky::sign_in(&http, &ends, identifier, app_password)
        .await
        .map_err(|e| platform_refusal(&e))?;
    let name = verify(state, &row, Platform::Bluesky, &creds).await?;
    store_connection(state, m, id, creds, name).await
}

/// Asks the platform who `creds` belong to, without storing anything.
async fn verify(
    state: &AppState,
    row: &crate::store::ChannelRow,
    platform: Platform,
    creds: &Credentials,
) -> Result<String, AppError> {
    let client = platforms::client_for(
        platform,
        &state.clients.endpoints(row, platform),
        MemoryCredentials::new(creds.clone()),
    )
    .map_err(|e| platform_refusal(&e))?;
    let account = client.account().await.map_err(|e| platform_refusal(&e))?;
    Ok(account.name)
}

/// What the session remembers between the start and the callback.
#[derive(Clone, Serialize, Deserialize)]
struct Pending {
    state: String,
    ws: WorkspaceId,
    channel: ChannelId,
    platform: Platform,
    redirect_uri: String,
    /// X's and Mastodon's PKCE verifier.
    verifier: Option<String>,
    /// Mastodon: the app registered on the instance (with the instance and
    /// the channel's status options), sealed to the channel.
    #[serde(default)]
    app: Option<String>,
    started_at: DateTime<Utc>,
}

/// The OAuth app this server connects with: the emulator's demo app for
/// emulated channels, else the one configured.
fn oauth_app(
    state: &AppState,
    row: &crate::store::ChannelRow,
    platform: Platform,
) -> Result<(String, Option<String>), AppError> {
    let c = &state.config;
    let app = match (platform, row.emulated) {
        (Platform::Facebook | Platform::X | Platform::Linkedin, true) => {
            super::super::demo::oauth_app(platform)
        }
        (Platform::Facebook, false) => c
            .facebook_app_id
            .clone()
            .map(|id| (id, c.facebook_app_secret.clone())),
        (Platform::X, false) => c
            .x_client_id
            .clone()
            .map(|id| (id, c.x_client_secret.clone())),
        (Platform::Linkedin, false) => c
            .linkedin_client_id
            .clone()
            .map(|id| (id, c.linkedin_client_secret.clone())),
        _ => return Err(AppError::invalid(None, Msg::ErrWrongPlatform)),
    };
    let app = app.ok_or_else(|| AppError::invalid(None, Msg::ErrOauthAppMissing))?;
    // Both are confidential clients: the token exchange needs the secret.
    if matches!(platform, Platform::Facebook | Platform::Linkedin) && app.1.is_none() {
        return Err(AppError::invalid(None, Msg::ErrOauthAppMissing));
    }
    Ok(app)
}

/// The Mastodon channel's status options from the connect form.
fn status_options(q: &StartQuery) -> Result<StatusOptions, AppError> {
    let visibility = q
        .visibility
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if visibility.is_some_and(|v| !matches!(v, "public" | "unlisted" | "private" | "direct")) {
        return Err(AppError::invalid(
            Some("visibility"),
            Msg::ErrMastodonVisibility,
        ));
    }
    Ok(StatusOptions {
        visibility: visibility.map(str::to_owned),
        spoiler_text: q
            .spoiler_text
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    })
}

/// This server's address as the browser sees it.
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

#[derive(Deserialize)]
pub struct StartQuery {
    ws: WorkspaceId,
    channel: ChannelId,
    /// Mastodon: the account's instance, as typed.
    #[serde(default)]
    instance: Option<String>,
    /// Mastodon: `public`, `unlisted`, `private` or `direct`.
    #[serde(default)]
    visibility: Option<String>,
    /// Mastodon: the channel's content warning.
    #[serde(default)]
    spoiler_text: Option<String>,
}

/// `GET /oauth/{platform}/start?ws=&channel=`: off to the consent page.
pub async fn start(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    session: Session,
    headers: HeaderMap,
    Path(platform): Path<String>,
    Query(q): Query<StartQuery>,
) -> Response {
    match start_inner(&state, &ctx, &session, &headers, &platform, &q).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => back_to_channels(q.ws, Err(e)),
    }
}

async fn start_inner(
    state: &AppState,
    ctx: &RequestCtx,
    session: &Session,
    headers: &HeaderMap,
    platform: &str,
    q: &StartQuery,
) -> Result<String, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
    let ws = q.ws;
    access::require(state, user, ws, Need::Configure).await?;
    let platform = Platform::parse(platform).ok_or(AppError::NotFound)?;
    let row = channel_row(state, ws, q.channel).await?;
    if row.platform != platform {
        return Err(AppError::invalid(None, Msg::ErrWrongPlatform));
    }
    let ends = state.clients.endpoints(&row, platform);
    let redirect_uri = format!(
        "{}/oauth/{}/callback",
        origin(state, headers),
        platform.as_str()
    );
    let nonce = crate::server::tokens::random_secret(32);
    let mut app = None;
    let (url, verifier) = match platform {
        Platform::X => {
            let (app_id, _) = oauth_app(state, &row, platform)?;
            let pkce = x::Pkce::new();
            let url = x::authorize_url(&ends, &app_id, &redirect_uri, &nonce, &pkce.challenge);
            (url, Some(pkce.verifier))
        }
        Platform::Facebook => {
            let (app_id, _) = oauth_app(state, &row, platform)?;
            (
                facebook::authorize_url(&ends, &app_id, &redirect_uri, &nonce),
                None,
            )
        }
        Platform::Linkedin => {
            let (app_id, _) = oauth_app(state, &row, platform)?;
            (
                linkedin::authorize_url(&ends, &app_id, &redirect_uri, &nonce),
                None,
            )
        }
        Platform::Mastodon => {
            let options = status_options(q)?;
            // An emulated channel, or one whose API base was set, names its
            // instance already; otherwise the admin typed it.
            let instance = if row.emulated || row.api_base.is_some() {
                ends.api_base.trim_end_matches('/').to_owned()
            } else {
                mastodon::instance_url(q.instance.as_deref().unwrap_or(""))
                    .ok_or_else(|| AppError::invalid(Some("instance"), Msg::ErrMastodonInstance))?
            };
            let http = platforms::http::build(&ends).map_err(|e| platform_refusal(&e))?;
            let registered = mastodon::register_app(&http, &instance, &redirect_uri)
                .await
                .map_err(|e| platform_refusal(&e))?;
            let pkce = x::Pkce::new();
            let url = mastodon::authorize_url(
                &instance,
                &registered.client_id,
                &redirect_uri,
                &nonce,
                &pkce.challenge,
            );
            let waiting = Credentials::Mastodon {
                account_id: String::new(),
                username: String::new(),
                instance: Some(instance),
                client_id: registered.client_id,
                client_secret: registered.client_secret,
                access_token: String::new(),
                options,
            };
            app = Some(state.clients.seal(row.id, &waiting)?);
            (url, Some(pkce.verifier))
        }
        _ => return Err(AppError::invalid(None, Msg::ErrWrongPlatform)),
    };
    let pending = Pending {
        state: nonce,
        ws,
        channel: row.id,
        platform,
        redirect_uri,
        verifier,
        app,
        started_at: state.now(),
    };
    session
        .insert(PENDING, pending)
        .await
        .map_err(|e| internal(format!("session: {e}")))?;
    Ok(url)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /oauth/{platform}/callback`: the platform sends the browser back.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    session: Session,
    Path(platform): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let pending: Option<Pending> = session.remove(PENDING).await.ok().flatten();
    let Some(pending) = pending else {
        return back_to_channels(
            WorkspaceId(0),
            Err(AppError::invalid(None, Msg::ErrOauthState)),
        );
    };
    let ws = pending.ws;
    let result = callback_inner(&state, &ctx, &session, &platform, &q, pending).await;
    match result {
        Ok(Some(page)) => page,
        Ok(None) => back_to_channels(ws, Ok(())),
        Err(e) => back_to_channels(ws, Err(e)),
    }
}

async fn callback_inner(
    state: &AppState,
    ctx: &RequestCtx,
    session: &Session,
    platform: &str,
    q: &CallbackQuery,
    pending: Pending,
) -> Result<Option<Response>, AppError> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
    let fresh = state.now() - pending.started_at < Duration::minutes(STATE_TTL_MINUTES);
    if Some(pending.state.as_str()) != q.state.as_deref()
        || pending.platform.as_str() != platform
        || !fresh
    {
        return Err(AppError::invalid(None, Msg::ErrOauthState));
    }
    if q.error.is_some() {
        return Err(AppError::invalid(None, Msg::ErrOauthDenied));
    }
    let code = q
        .code
        .as_deref()
        .ok_or_else(|| AppError::invalid(None, Msg::ErrOauthState))?;
    let ws = pending.ws;
    let m = access::require(state, user, ws, Need::Configure).await?;
    let row = channel_row(state, ws, pending.channel).await?;
    let ends = state.clients.endpoints(&row, pending.platform);
    let http = platforms::http::build(&ends).map_err(|e| platform_refusal(&e))?;
    if pending.platform == Platform::Mastodon {
        let sealed = pending
            .app
            .as_deref()
            .ok_or_else(|| AppError::invalid(None, Msg::ErrOauthState))?;
        let Credentials::Mastodon {
            instance: Some(instance),
            client_id,
            client_secret,
            options,
            ..
        } = state.clients.unseal(row.id, sealed).map_err(internal)?
        else {
            return Err(AppError::invalid(None, Msg::ErrOauthState));
        };
        let registered = mastodon::RegisteredApp {
            client_id,
            client_secret,
        };
        let mut creds = mastodon::exchange_code(
            &http,
            &ends,
            &instance,
            &registered,
            &pending.redirect_uri,
            code,
            pending.verifier.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(|e| platform_refusal(&e))?;
        if let Credentials::Mastodon { options: o, .. } = &mut creds {
            *o = options;
        }
        let name = verify(state, &row, Platform::Mastodon, &creds).await?;
        store_connection(state, &m, row.id, creds, name).await?;
        return Ok(None);
    }
    let (app_id, app_secret) = oauth_app(state, &row, pending.platform)?;
    match pending.platform {
        Platform::X => {
            let verifier = pending.verifier.as_deref().unwrap_or_default();
            let creds = x::exchange_code(
                &http,
                &ends,
                &app_id,
                app_secret.as_deref(),
                &pending.redirect_uri,
                code,
                verifier,
            )
            .await
            .map_err(|e| platform_refusal(&e))?;
            let name = verify(state, &row, Platform::X, &creds).await?;
            store_connection(state, &m, row.id, creds, name).await?;
            Ok(None)
        }
        Platform::Facebook => {
            let secret = app_secret.unwrap_or_default();
            let user_token = facebook::exchange_code(
                &http,
                &ends,
                &app_id,
                &secret,
                &pending.redirect_uri,
                code,
            )
            .await
            .map_err(|e| platform_refusal(&e))?;
            let pages = facebook::list_pages(&http, &ends, &user_token)
                .await
                .map_err(|e| platform_refusal(&e))?;
            let choices = pages
                .into_iter()
                .map(|p| Choice {
                    creds: Credentials::Facebook {
                        page_id: p.id.clone(),
                        page_token: p.page_token,
                    },
                    id: p.id,
                    name: p.name,
                })
                .collect();
            offer(state, ctx, session, &m, &row, Platform::Facebook, choices).await
        }
        Platform::Linkedin => {
            let secret = app_secret.unwrap_or_default();
            let granted_at = Utc::now();
            let grant = linkedin::exchange_code(
                &http,
                &ends,
                &app_id,
                &secret,
                &pending.redirect_uri,
                code,
            )
            .await
            .map_err(|e| platform_refusal(&e))?;
            let orgs = linkedin::posting_organizations(&http, &ends, &grant.access_token)
                .await
                .map_err(|e| platform_refusal(&e))?;
            let choices = orgs
                .into_iter()
                .map(|o| Choice {
                    creds: linkedin::credentials_for(&grant, &o.id, &app_id, &secret, granted_at),
                    id: o.id,
                    name: o.name,
                })
                .collect();
            offer(state, ctx, session, &m, &row, Platform::Linkedin, choices).await
        }
        _ => Err(AppError::invalid(None, Msg::ErrWrongPlatform)),
    }
}

/// One account a grant may connect: a Facebook Page, a LinkedIn page.
struct Choice {
    id: String,
    name: String,
    creds: Credentials,
}

/// Connects the only account a grant offers, or shows the choice (the
/// credentials waiting sealed to the channel in the session).
async fn offer(
    state: &AppState,
    ctx: &RequestCtx,
    session: &Session,
    m: &Member,
    row: &crate::store::ChannelRow,
    platform: Platform,
    mut choices: Vec<Choice>,
) -> Result<Option<Response>, AppError> {
    match choices.len() {
        0 => Err(AppError::invalid(
            None,
            if platform == Platform::Linkedin {
                Msg::ErrNoOrganizations
            } else {
                Msg::ErrNoPages
            },
        )),
        1 => {
            let only = choices.remove(0);
            store_connection(state, m, row.id, only.creds, only.name).await?;
            Ok(None)
        }
        _ => {
            let offered: Vec<OfferedPage> = choices
                .into_iter()
                .map(|c| {
                    Ok(OfferedPage {
                        sealed: state.clients.seal(row.id, &c.creds)?,
                        id: c.id,
                        name: c.name,
                    })
                })
                .collect::<Result<_, AppError>>()?;
            let page = pick_page_html(ctx, platform, &row.name, &offered);
            session
                .insert(
                    PAGES,
                    PagesOffer {
                        ws: m.ws(),
                        channel: row.id,
                        platform,
                        pages: offered,
                        started_at: state.now(),
                    },
                )
                .await
                .map_err(|e| internal(format!("session: {e}")))?;
            Ok(Some(Html(page).into_response()))
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct OfferedPage {
    id: String,
    name: String,
    sealed: String,
}

#[derive(Clone, Serialize, Deserialize)]
struct PagesOffer {
    ws: WorkspaceId,
    channel: ChannelId,
    platform: Platform,
    pages: Vec<OfferedPage>,
    started_at: DateTime<Utc>,
}

fn pick_page_html(
    ctx: &RequestCtx,
    platform: Platform,
    channel: &str,
    pages: &[OfferedPage],
) -> String {
    let t = |m| crate::i18n::t(ctx.locale, m);
    let (title, lead) = if platform == Platform::Linkedin {
        (Msg::PickOrganizationTitle, Msg::PickOrganizationLead)
    } else {
        (Msg::PickPageTitle, Msg::PickPageLead)
    };
    let buttons: String = pages
        .iter()
        .map(|p| {
            format!(
                "<li><form method=\"post\" action=\"/oauth/{platform}/pick\">\
                 <input type=\"hidden\" name=\"page\" value=\"{id}\">\
                 <button type=\"submit\">{name}</button></form></li>",
                platform = platform.as_str(),
                id = escape(&p.id),
                name = escape(&p.name)
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/tongbu.css\"></head>\
         <body class=\"pick-page\"><main class=\"card\"><h1>{title}</h1><p>{lead} <b>{channel}</b></p>\
         <ul class=\"page-list\">{buttons}</ul></main></body></html>",
        lang = ctx.locale.tag(),
        title = t(title),
        lead = t(lead),
        channel = escape(channel),
    )
}

#[derive(Deserialize)]
pub struct PickForm {
    page: String,
}

/// `POST /oauth/{platform}/pick`: the page chosen among those offered.
pub async fn pick_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    session: Session,
    Path(platform): Path<String>,
    Form(form): Form<PickForm>,
) -> Response {
    let offer: Option<PagesOffer> = session.remove(PAGES).await.ok().flatten();
    let Some(offer) = offer else {
        return back_to_channels(
            WorkspaceId(0),
            Err(AppError::invalid(None, Msg::ErrOauthState)),
        );
    };
    let ws = offer.ws;
    let result = async {
        let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
        if state.now() - offer.started_at >= Duration::minutes(STATE_TTL_MINUTES)
            || offer.platform.as_str() != platform
        {
            return Err(AppError::invalid(None, Msg::ErrOauthState));
        }
        let page = offer
            .pages
            .iter()
            .find(|p| p.id == form.page)
            .ok_or_else(|| AppError::invalid(None, Msg::ErrOauthState))?;
        let creds = state
            .clients
            .unseal(offer.channel, &page.sealed)
            .map_err(internal)?;
        let ws = offer.ws;
        let m = access::require(&state, user, ws, Need::Configure).await?;
        store_connection(&state, &m, offer.channel, creds, page.name.clone()).await
    }
    .await;
    back_to_channels(ws, result.map(|_| ()))
}

/// Back to the Channels page, with the outcome in the query for its banner.
fn back_to_channels(ws: WorkspaceId, outcome: Result<(), AppError>) -> Response {
    let base = if ws.0 > 0 {
        format!("/w/{ws}/channels")
    } else {
        "/".to_owned()
    };
    let url = match outcome {
        Ok(()) => format!("{base}?connected=1"),
        Err(e) => {
            if let AppError::Internal { reference } = &e {
                tracing::warn!(reference, "channel connect failed");
            }
            let key = match &e {
                AppError::Invalid { key, .. } | AppError::Conflict { key, .. } => key.clone(),
                other => other.code().to_owned(),
            };
            let detail = match &e {
                AppError::Invalid { message, .. } if key == Msg::ErrPlatformRefused.key() => {
                    message.clone()
                }
                _ => String::new(),
            };
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            format!("{base}?connect_error={}&detail={}", enc(&key), enc(&detail))
        }
    };
    Redirect::to(&url).into_response()
}
