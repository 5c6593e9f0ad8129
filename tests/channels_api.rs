//! Connecting channels, against the built-in platform emulator through the
//! real router, on SQLite and PostgreSQL: WeChat by AppID and AppSecret,
//! Facebook and X through their OAuth consent pages (clicked through here
//! the way a browser would: follow the redirect, submit the consent form,
//! follow the redirect back). Also: tokens sealed at rest, a rotated X token
//! persisted, a row moved to another channel refusing to decrypt, and the
//! demo workspace connected out of the box.

mod common;

use common::TestApp;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tongbu::domain::post::ConnectionStatus;
use tongbu::domain::{ChannelId, WorkspaceId};
use tongbu::emulator::DEMO;

async fn app_with_emulator(b: common::Backend) -> TestApp {
    TestApp::spawn_configured(common::TestDb::new(b).await, |c| c.emulator = true).await
}

async fn new_channel(app: &TestApp, c: &Client, ws: i64, platform: &str, emulated: bool) -> i64 {
    let r = c
        .post(app.url(&format!("/api/v1/channels?workspace={ws}")))
        .json(
            &json!({ "platform": platform, "name": format!("My {platform}"),
                       "time_zone": "Asia/Shanghai", "emulated": emulated }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn channel(app: &TestApp, c: &Client, ws: i64, id: i64) -> Value {
    let list: Value = c
        .get(app.url(&format!("/api/v1/channels?workspace={ws}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|ch| ch["id"] == id)
        .cloned()
        .expect("channel listed")
}

async fn sealed(app: &TestApp, id: i64) -> String {
    let ch = app.state.store.all_credentials().await.unwrap();
    let row = ch
        .into_iter()
        .find(|r| r.id == ChannelId(id))
        .expect("credentials stored");
    row.credentials.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect")
        .to_owned()
}

/// The consent page's form around the button `#{button}`: its action and
/// fields (including the button's own name and value, if any).
fn consent_form(html: &str, button: &str) -> (Option<String>, Vec<(String, String)>) {
    let marker = format!("id=\"{button}\"");
    let at = html.find(&marker).expect("the consent button");
    let start = html[..at].rfind("<form").expect("a form around the button");
    let end = at + html[at..].find("</form>").expect("form end");
    let form = &html[start..end];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let i = tag.find(&key)? + key.len();
        let j = tag[i..].find('"')? + i;
        Some(tag[i..j].replace("&amp;", "&"))
    };
    let head_end = form.find('>').unwrap();
    // Without an action, a form posts back to the page's own address.
    let action = attr(&form[..head_end], "action");
    let mut fields = Vec::new();
    for piece in form.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or("");
        let is_field = tag.starts_with("input") || tag.starts_with("button");
        if !is_field {
            continue;
        }
        if tag.starts_with("button") && !tag.contains(&marker) {
            continue;
        }
        if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((n, v));
        }
    }
    (action, fields)
}

/// Starts connecting `id`, clicks `button` on the platform's consent page,
/// and returns where Tongbu sends the browser at the end.
async fn oauth(
    app: &TestApp,
    c: &Client,
    ws: i64,
    id: i64,
    platform: &str,
    button: &str,
) -> String {
    let r = consent(app, c, ws, id, platform, button).await;
    assert!(r.status().is_redirection());
    location(&r)
}

/// Like [`oauth`], but returns Tongbu's answer to the callback (a redirect,
/// or a page to choose an account on).
async fn consent(
    app: &TestApp,
    c: &Client,
    ws: i64,
    id: i64,
    platform: &str,
    button: &str,
) -> reqwest::Response {
    let r = c
        .get(app.url(&format!("/oauth/{platform}/start?ws={ws}&channel={id}")))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection(),
        "start redirects: {}",
        r.status()
    );
    let consent_url = location(&r);
    let emulator = &app.emulator.as_ref().unwrap().base_url;
    assert!(consent_url.starts_with(emulator), "{consent_url}");
    // The consent page is another site: a plain client, like a browser tab
    // there, without Tongbu's cookies.
    let platform_browser = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = platform_browser.get(&consent_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let (action, fields) = consent_form(&html, button);
    let action = match action {
        None => consent_url.clone(),
        Some(a) if a.starts_with("http") => a,
        Some(a) => format!("{emulator}{a}"),
    };
    let r = platform_browser
        .post(&action)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection(),
        "consent redirects back: {}",
        r.status()
    );
    let back = location(&r);
    assert!(back.starts_with(&app.base), "back to Tongbu: {back}");
    c.get(&back).send().await.unwrap()
}

on_both_backends! {
    wechat_connects_with_app_id_and_secret_checked_by_the_platform => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "wechat", true).await;
        // A wrong secret is refused with the platform's reason; nothing is stored.
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/connect/wechat?workspace={ws}")))
            .json(&json!({ "app_id": DEMO.wechat.app_id, "app_secret": "wrong" }))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("reconnect")
            || body["error"]["message"].as_str().unwrap().contains("secret"), "{body}");
        assert_eq!(channel(&app, &c, ws, id).await["connection"]["status"], "not_connected");
        assert!(app.state.store.all_credentials().await.unwrap().is_empty());

        let r = c.post(app.url(&format!("/api/v1/channels/{id}/connect/wechat?workspace={ws}")))
            .json(&json!({ "app_id": DEMO.wechat.app_id, "app_secret": DEMO.wechat.app_secret }))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected");
        assert_eq!(ch["connection"]["account_id"], DEMO.wechat.app_id);
        // Sealed at rest; never sent to the browser.
        let stored = sealed(&app, id).await;
        assert!(stored.starts_with("v1."));
        assert!(!stored.contains(DEMO.wechat.app_secret));
        assert!(!ch.to_string().contains(DEMO.wechat.app_secret));
        // The health check asks the platform again.
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let ch: Value = r.json().await.unwrap();
        assert!(ch["connection"]["last_success_at"].is_string());
    };

    bluesky_connects_with_a_handle_and_an_app_password_only => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "bluesky", true).await;
        let connect = |identifier: &str, password: &str| {
            c.post(app.url(&format!("/api/v1/channels/{id}/connect/bluesky?workspace={ws}")))
                .json(&json!({ "identifier": identifier, "app_password": password }))
                .send()
        };
        // The account's own password is refused before it leaves this server.
        let r = connect(DEMO.bluesky.handle, "my account password").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "app_password", "{body}");
        // A wrong app password is refused by the platform; nothing is stored.
        let r = connect(DEMO.bluesky.handle, "aaaa-bbbb-cccc-dddd").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("app password"), "{body}");
        // An unknown handle says so.
        let r = connect("nobody.example.com", DEMO.bluesky.app_password).await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("@nobody.example.com"), "{body}");
        assert!(app.state.store.all_credentials().await.unwrap().is_empty());

        let r = connect(&format!("@{}", DEMO.bluesky.handle), DEMO.bluesky.app_password).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected");
        assert_eq!(ch["connection"]["account_id"], DEMO.bluesky.did);
        assert_eq!(ch["connection"]["account_name"], format!("@{}", DEMO.bluesky.handle));
        let stored = sealed(&app, id).await;
        assert!(!stored.contains(DEMO.bluesky.app_password));
        assert!(!ch.to_string().contains(DEMO.bluesky.app_password));
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    };

    mastodon_registers_an_app_on_the_instance_and_connects_through_its_consent_page => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "mastodon", true).await;
        let end = oauth(&app, &c, ws, id, "mastodon", "allow").await;
        assert_eq!(end, format!("/w/{ws}/channels?connected=1"));
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected", "{ch}");
        assert_eq!(ch["connection"]["account_id"], DEMO.mastodon.account_id);
        assert!(ch["connection"]["account_name"].as_str().unwrap().starts_with(&format!("@{}@", DEMO.mastodon.username)), "{ch}");
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Declining connects nothing; a bad visibility is refused before leaving.
        let other = new_channel(&app, &c, ws, "mastodon", true).await;
        let end = oauth(&app, &c, ws, other, "mastodon", "deny").await;
        assert!(end.contains("connect_error=ErrOauthDenied"), "{end}");
        let r = c.get(app.url(&format!("/oauth/mastodon/start?ws={ws}&channel={other}&visibility=everyone"))).send().await.unwrap();
        assert!(location(&r).contains("connect_error=ErrMastodonVisibility"), "{}", location(&r));
    };

    x_connects_through_its_consent_page_and_rotates_its_token => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "x", true).await;
        let end = oauth(&app, &c, ws, id, "x", "allow").await;
        assert_eq!(end, format!("/w/{ws}/channels?connected=1"));
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected");
        assert_eq!(ch["connection"]["account_id"], DEMO.x.user_id);
        assert!(ch["connection"]["token_expires_at"].is_string());
        let before = app.state.store.channel_credentials(WorkspaceId(ws), ChannelId(id)).await.unwrap().unwrap();
        // The platform expires the access token: the client refreshes once,
        // stores the rotated pair, and the check still succeeds.
        let emulator = &app.emulator.as_ref().unwrap().emulator;
        emulator.inject(serde_json::from_value(json!({
            "platform": "x", "scope": "all", "times": 1, "fault": { "kind": "token_expired" }
        })).unwrap());
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
        let after = app.state.store.channel_credentials(WorkspaceId(ws), ChannelId(id)).await.unwrap().unwrap();
        assert!(after.credentials_version > before.credentials_version, "the rotated pair was stored");
        assert_ne!(after.credentials, before.credentials);
        assert_eq!(channel(&app, &c, ws, id).await["connection"]["status"], "connected");
    };

    facebook_connects_its_page_through_the_consent_page => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "facebook", true).await;
        let end = oauth(&app, &c, ws, id, "facebook", "allow").await;
        assert_eq!(end, format!("/w/{ws}/channels?connected=1"));
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected");
        assert_eq!(ch["connection"]["account_id"], DEMO.facebook.page_id);
        assert_eq!(ch["connection"]["account_name"], DEMO.facebook.page_name);
    };

    linkedin_connects_the_organization_page_the_member_picks => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "linkedin", true).await;
        // The demo member administers two pages: Tongbu asks which one.
        let r = consent(&app, &c, ws, id, "linkedin", "allow").await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains(DEMO.linkedin.organization_name), "{html}");
        assert!(html.contains(DEMO.linkedin.second_organization_name), "{html}");
        assert!(html.contains("action=\"/oauth/linkedin/pick\""), "{html}");
        assert!(!html.contains("emulated-linkedin"), "no token in the page");
        assert_eq!(channel(&app, &c, ws, id).await["connection"]["status"], "not_connected");
        // A page that was not offered is refused.
        let r = c.post(app.url("/oauth/linkedin/pick")).form(&[("page", "999")]).send().await.unwrap();
        assert!(location(&r).contains("connect_error=ErrOauthState"), "{}", location(&r));
        let r = consent(&app, &c, ws, id, "linkedin", "allow").await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = c.post(app.url("/oauth/linkedin/pick"))
            .form(&[("page", DEMO.linkedin.second_organization_id)])
            .send().await.unwrap();
        assert_eq!(location(&r), format!("/w/{ws}/channels?connected=1"));
        let ch = channel(&app, &c, ws, id).await;
        assert_eq!(ch["connection"]["status"], "connected", "{ch}");
        assert_eq!(ch["connection"]["account_id"], DEMO.linkedin.second_organization_id);
        assert_eq!(ch["connection"]["account_name"], DEMO.linkedin.second_organization_name);
        assert!(ch["connection"]["token_expires_at"].is_string());
        // The token is sealed at rest, and the health check asks LinkedIn.
        let stored = sealed(&app, id).await;
        assert!(stored.starts_with("v1."));
        let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
        // Declining connects nothing.
        let other = new_channel(&app, &c, ws, "linkedin", true).await;
        let end = oauth(&app, &c, ws, other, "linkedin", "deny").await;
        assert!(end.contains("connect_error=ErrOauthDenied"), "{end}");
    };

    declining_consent_or_a_forged_state_connects_nothing => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "x", true).await;
        let end = oauth(&app, &c, ws, id, "x", "deny").await;
        assert!(end.contains("connect_error=ErrOauthDenied"), "{end}");
        assert_eq!(channel(&app, &c, ws, id).await["connection"]["status"], "not_connected");
        // A callback this session never started.
        let r = c.get(app.url("/oauth/x/callback?code=abc&state=forged")).send().await.unwrap();
        assert!(location(&r).contains("connect_error=ErrOauthState"));
        // A started flow answered with another state.
        let r = c.get(app.url(&format!("/oauth/x/start?ws={ws}&channel={id}"))).send().await.unwrap();
        assert!(r.status().is_redirection());
        let r = c.get(app.url("/oauth/x/callback?code=abc&state=forged")).send().await.unwrap();
        assert!(location(&r).contains("connect_error=ErrOauthState"));
        assert_eq!(channel(&app, &c, ws, id).await["connection"]["status"], "not_connected");
    };

    only_admins_connect_channels => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "x", true).await;
        let editor = app.member("ed@example.com", "Acme", tongbu::domain::Role::Editor).await;
        let r = editor.get(app.url(&format!("/oauth/x/start?ws={ws}&channel={id}"))).send().await.unwrap();
        assert!(location(&r).contains("connect_error=forbidden"), "{}", location(&r));
        let r = editor.post(app.url(&format!("/api/v1/channels/{id}/connect/wechat?workspace={ws}")))
            .json(&json!({ "app_id": "a", "app_secret": "b" })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = editor.put(app.url(&format!("/api/v1/channels/{id}/egress?workspace={ws}")))
            .json(&json!({ "proxy": "socks5://127.0.0.1:1080" })).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    };

    credentials_moved_to_another_channel_do_not_open => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let a = new_channel(&app, &c, ws, "wechat", true).await;
        let bch = new_channel(&app, &c, ws, "wechat", true).await;
        for id in [a, bch] {
            let r = c.post(app.url(&format!("/api/v1/channels/{id}/connect/wechat?workspace={ws}")))
                .json(&json!({ "app_id": DEMO.wechat.app_id, "app_secret": DEMO.wechat.app_secret }))
                .send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        // Someone with database access copies A's sealed secret onto B.
        let wsid = WorkspaceId(ws);
        let from_a = sealed(&app, a).await;
        let vb = app.state.store.channel_credentials(wsid, ChannelId(bch)).await.unwrap().unwrap().credentials_version;
        app.state.store.rotate_credentials(wsid, ChannelId(bch), vb, &from_a, None).await.unwrap();
        app.state.clients.forget(ChannelId(bch));
        let r = c.post(app.url(&format!("/api/v1/channels/{bch}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(channel(&app, &c, ws, bch).await["connection"]["status"], "reconnect");
        // A is untouched.
        let r = c.post(app.url(&format!("/api/v1/channels/{a}/check?workspace={ws}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    };

    egress_is_validated_and_its_password_never_shown => |b| async move {
        let app = app_with_emulator(b).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let id = new_channel(&app, &c, ws, "x", false).await;
        let put = |body: Value| {
            let c = c.clone();
            let url = app.url(&format!("/api/v1/channels/{id}/egress?workspace={ws}"));
            async move { c.put(url).json(&body).send().await.unwrap() }
        };
        let r = put(json!({ "proxy": "ftp://proxy.example" })).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "proxy");
        let r = put(json!({ "proxy": "socks5://user:s3cret@10.0.0.1:1080" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let ch: Value = r.json().await.unwrap();
        assert_eq!(ch["connection"]["proxy"], "socks5://user:***@10.0.0.1:1080");
        assert!(!ch.to_string().contains("s3cret"));
        // Saving the masked form back keeps the stored password.
        let r = put(json!({ "proxy": "socks5://user:***@10.0.0.1:1080", "api_base": "https://api.example.test" })).await;
        assert_eq!(r.status(), StatusCode::OK);
        let row = app.state.store.channel(WorkspaceId(ws), ChannelId(id)).await.unwrap().unwrap();
        assert_eq!(row.proxy.as_deref(), Some("socks5://user:s3cret@10.0.0.1:1080"));
        assert_eq!(row.api_base.as_deref(), Some("https://api.example.test"));
        let r = put(json!({ "api_base": "not a url" })).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    };

    the_demo_workspace_starts_with_six_connected_emulated_channels => |b| async move {
        let app = TestApp::spawn_configured(common::TestDb::new(b).await, |c| {
            c.emulator = true;
            c.demo = true;
        })
        .await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let list: Value = c.get(app.url(&format!("/api/v1/channels?workspace={ws}"))).send().await.unwrap().json().await.unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 6);
        for ch in list {
            assert_eq!(ch["emulated"], true);
            assert_eq!(ch["connection"]["status"], "connected", "{ch}");
            let id = ch["id"].as_i64().unwrap();
            let r = c.post(app.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{}: {}", ch["platform"], r.text().await.unwrap_or_default());
        }
    };

    two_processes_renewing_one_x_channel_spend_its_single_use_refresh_token_once => |b| async move {
        // The demo workspace's X channel starts with an expired access
        // token. Two clients of it, as two processes on one database would
        // have, need a refresh at the same moment: without the channel's
        // refresh lease both would spend the same single-use refresh token
        // and X would revoke the whole token family.
        let app = TestApp::spawn_configured(common::TestDb::new(b).await, |c| {
            c.emulator = true;
            c.demo = true;
        })
        .await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let ws = WorkspaceId(ws);
        let list: Value = c.get(app.url(&format!("/api/v1/channels?workspace={}", ws.0))).send().await.unwrap().json().await.unwrap();
        let x = list.as_array().unwrap().iter().find(|ch| ch["platform"] == "x").unwrap()["id"].as_i64().unwrap();
        let row = app.state.store.channel(ws, ChannelId(x)).await.unwrap().unwrap();
        let first = app.state.clients.client(ws, &row).await.unwrap();
        app.state.clients.forget(ChannelId(x));
        let second = app.state.clients.client(ws, &row).await.unwrap();
        assert!(!std::sync::Arc::ptr_eq(&first, &second), "two separate clients");
        let (a, b2) = tokio::join!(first.account(), second.account());
        assert!(a.is_ok(), "first: {a:?}");
        assert!(b2.is_ok(), "second: {b2:?}");
        // The family is alive: both clients go on working.
        first.account().await.expect("first again");
        second.account().await.expect("second again");
        let row = app.state.store.channel(ws, ChannelId(x)).await.unwrap().unwrap();
        assert_eq!(row.auth_status, ConnectionStatus::Connected);
    };
}
