//! The platform emulator through raw HTTP (reqwest): platform behaviour,
//! fault injection, the ledger, consent pages, metric growth and the state
//! file.

mod bluesky;
mod linkedin;
mod mastodon;

use reqwest::{redirect::Policy, Client, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tongbu::emulator::{
    EmuPlatform, Emulator, EmulatorOptions, Fault, FaultRule, FaultScope, RunningEmulator, DEMO,
};

async fn start_with(opts: EmulatorOptions) -> RunningEmulator {
    Emulator::new(opts)
        .unwrap()
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn start() -> RunningEmulator {
    start_with(EmulatorOptions::default()).await
}

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

const FB: &str = "v23.0";

// ---- helpers per platform ------------------------------------------------------------

async fn tweet(c: &Client, e: &RunningEmulator, token: &str, text: &str) -> reqwest::Response {
    c.post(format!("{}/2/tweets", e.base_url))
        .bearer_auth(token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap()
}

async fn fb_post(
    c: &Client,
    e: &RunningEmulator,
    token: &str,
    page: &str,
    msg: &str,
) -> reqwest::Response {
    c.post(format!(
        "{}/{FB}/{page}/feed?fields=id,permalink_url&access_token={token}",
        e.base_url
    ))
    .json(&json!({ "message": msg, "published": true }))
    .send()
    .await
    .unwrap()
}

async fn wx_token(c: &Client, e: &RunningEmulator) -> Value {
    c.post(format!("{}/cgi-bin/stable_token", e.base_url))
        .json(&json!({
            "grant_type": "client_credential", "appid": DEMO.wechat.app_id,
            "secret": DEMO.wechat.app_secret, "force_refresh": false,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn wx(c: &Client, e: &RunningEmulator, path: &str, token: &str, body: Value) -> Value {
    let r = c
        .post(format!("{}{path}?access_token={token}", e.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    // WeChat answers errors with HTTP 200 too.
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

/// Uploads a cover, adds a draft and returns (token, draft media_id).
async fn wx_draft(c: &Client, e: &RunningEmulator, title: &str) -> (String, String) {
    let token = wx_token(c, e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let png = tiny_png();
    let form = reqwest::multipart::Form::new().part(
        "media",
        reqwest::multipart::Part::bytes(png)
            .file_name("c.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let m: Value = c
        .post(format!(
            "{}/cgi-bin/material/add_material?access_token={token}&type=image",
            e.base_url
        ))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let thumb = m["media_id"].as_str().expect("media_id").to_owned();
    let d = wx(
        c,
        e,
        "/cgi-bin/draft/add",
        &token,
        json!({ "articles": [{ "article_type": "news", "title": title, "author": "Ops",
            "digest": "d", "content": "<p>Hello</p>", "content_source_url": "",
            "thumb_media_id": thumb, "need_open_comment": 0, "only_fans_can_comment": 0 }] }),
    )
    .await;
    assert!(
        d.get("errcode").is_none(),
        "draft/add success has no errcode: {d}"
    );
    (token, d["media_id"].as_str().unwrap().to_owned())
}

fn tiny_png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 3, 8, 2, 0, 0, 0]);
    v
}

fn pkce_pair() -> (&'static str, String) {
    use base64::Engine;
    let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789";
    let ch = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    (verifier, ch)
}

async fn x_refresh(c: &Client, e: &RunningEmulator, rt: &str) -> reqwest::Response {
    c.post(format!("{}/2/oauth2/token", e.base_url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", DEMO.x.client_id),
        ])
        .send()
        .await
        .unwrap()
}

fn error_code(v: &Value) -> (i64, Option<i64>) {
    (
        v["error"]["code"].as_i64().unwrap(),
        v["error"]["error_subcode"].as_i64(),
    )
}

// ---- X ---------------------------------------------------------------------------------

#[tokio::test]
async fn x_tweet_is_created_with_201_and_recorded_in_the_ledger() {
    let e = start().await;
    let c = client();
    let body = json!({ "text": "hello from the emulator" });
    let raw = serde_json::to_vec(&body).unwrap();
    let r = c
        .post(format!("{}/2/tweets", e.base_url))
        .bearer_auth(DEMO.x.access_token)
        .header("content-type", "application/json")
        .header("idempotency-key", "k-1")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    for h in [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ] {
        assert!(r.headers().contains_key(h), "{h}");
    }
    let v: Value = r.json().await.unwrap();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["edit_history_tweet_ids"], json!([id]));

    let ledger: Vec<Value> = c
        .get(format!("{}/_emulator/ledger", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1);
    let l = &ledger[0];
    assert_eq!(l["platform"], "x");
    assert_eq!(l["kind"], "x.tweet");
    assert_eq!(l["account"], DEMO.x.user_id);
    assert_eq!(l["remote_id"], id.as_str());
    assert_eq!(l["committed"], true);
    assert_eq!(l["body_sha256"], sha(&raw));
    assert_eq!(l["text"], "hello from the emulator");
    assert_eq!(l["idempotency_key"], "k-1");
    assert_eq!(l["fault"], Value::Null);

    // The same text again: problem JSON 403, recorded as not committed.
    let r = tweet(&c, &e, DEMO.x.access_token, "hello from the emulator").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );
    assert_eq!(v["type"], "about:blank");
    let ledger = e.emulator.ledger();
    assert_eq!(ledger.len(), 2);
    assert!(!ledger[1].committed && ledger[1].remote_id.is_none());
}

#[tokio::test]
async fn x_lookup_limits_ids_and_reports_missing_ones() {
    let e = start().await;
    let c = client();
    let id: Value = tweet(&c, &e, DEMO.x.access_token, "lookup me")
        .await
        .json()
        .await
        .unwrap();
    let id = id["data"]["id"].as_str().unwrap().to_owned();
    let r = c
        .get(format!(
            "{}/2/tweets?ids={id},1999999999999999999&tweet.fields=public_metrics,non_public_metrics,created_at",
            e.base_url
        ))
        .bearer_auth(DEMO.x.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["data"][0]["id"], id.as_str());
    assert!(v["data"][0]["public_metrics"]["impression_count"].is_u64());
    assert!(v["data"][0]["non_public_metrics"]["url_link_clicks"].is_u64());
    assert_eq!(v["errors"][0]["title"], "Not Found Error");
    assert_eq!(v["errors"][0]["resource_id"], "1999999999999999999");

    let many: Vec<String> = (0..101).map(|i| (1_000 + i).to_string()).collect();
    let r = c
        .get(format!("{}/2/tweets?ids={}", e.base_url, many.join(",")))
        .bearer_auth(DEMO.x.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Private metrics of a post older than 30 days are refused.
    e.emulator.advance(Duration::from_secs(31 * 86400));
    let r = c
        .get(format!(
            "{}/2/tweets?ids={id}&tweet.fields=non_public_metrics",
            e.base_url
        ))
        .bearer_auth(DEMO.x.access_token)
        .send()
        .await
        .unwrap();
    // The seeded access token lives 2 h: after 31 days it is expired.
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let fresh: Value = x_refresh(&c, &e, DEMO.x.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let at = fresh["access_token"].as_str().unwrap();
    let r = c
        .get(format!(
            "{}/2/tweets?ids={id}&tweet.fields=non_public_metrics",
            e.base_url
        ))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn x_rate_limits_real_budget_and_injected_429_without_retry_after() {
    let e = start().await;
    let c = client();
    // The real budget: 200 creates per 15 minutes per user.
    for i in 0..200 {
        let r = tweet(&c, &e, DEMO.x.access_token, &format!("budget {i}")).await;
        assert_eq!(r.status(), StatusCode::CREATED, "tweet {i}");
    }
    let r = tweet(&c, &e, DEMO.x.access_token, "one too many").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    assert!(r.headers().get("retry-after").is_none());
    let reset: i64 = r.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > e.emulator.now().timestamp());
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})
    );
    // The window passes.
    e.emulator.advance(Duration::from_secs(15 * 60 + 1));
    let fresh: Value = x_refresh(&c, &e, DEMO.x.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let at = fresh["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        tweet(&c, &e, &at, "after the window").await.status(),
        StatusCode::CREATED
    );

    // An injected rate limit names its reset.
    e.emulator.inject(
        FaultRule::new(
            EmuPlatform::X,
            Fault::RateLimit {
                reset_after_secs: 120,
            },
        )
        .times(1),
    );
    let before = e.emulator.now().timestamp();
    let r = tweet(&c, &e, &at, "limited").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_none());
    let reset: i64 = r.headers()["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (before + 119..=before + 122).contains(&reset),
        "{reset} vs {before}"
    );
    assert_eq!(
        tweet(&c, &e, &at, "limited").await.status(),
        StatusCode::CREATED
    );
    let last = e.emulator.ledger();
    assert_eq!(last[last.len() - 2].fault.as_deref(), Some("rate_limit"));
}

#[tokio::test]
async fn x_refresh_tokens_are_single_use_and_reuse_revokes_the_family() {
    let e = start().await;
    let c = client();
    let r = x_refresh(&c, &e, DEMO.x.refresh_token).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 7200);
    let (at, rt) = (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    );
    let me = |t: String| {
        let c = c.clone();
        let url = format!("{}/2/users/me", e.base_url);
        async move { c.get(url).bearer_auth(t).send().await.unwrap() }
    };
    let v: Value = me(at.clone()).await.json().await.unwrap();
    assert_eq!(v["data"]["username"], DEMO.x.username);

    // Reusing the seed (already rotated) fails and kills the family.
    let r = x_refresh(&c, &e, DEMO.x.refresh_token).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(
        v["error_description"],
        "Value passed for the token was invalid."
    );
    assert_eq!(me(at).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        x_refresh(&c, &e, &rt).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn x_consent_page_and_pkce() {
    let e = start().await;
    let c = client();
    let (verifier, challenge) = pkce_pair();
    let cb = "http://127.0.0.1:9/callback";
    let page = c
        .get(format!("{}/i/oauth2/authorize", e.base_url))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEMO.x.client_id),
            ("redirect_uri", cb),
            ("scope", "tweet.read tweet.write users.read offline.access"),
            ("state", "st-1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"allow\"") && html.contains("id=\"deny\""));
    assert!(html.contains(DEMO.x.username) && html.contains("tweet.write"));

    let decide = |decision: &'static str, ch: String| {
        let c = c.clone();
        let url = format!("{}/i/oauth2/authorize", e.base_url);
        async move {
            c.post(url)
                .form(&[
                    ("response_type", "code"),
                    ("client_id", DEMO.x.client_id),
                    ("redirect_uri", cb),
                    ("scope", "tweet.read tweet.write users.read offline.access"),
                    ("state", "st-1"),
                    ("code_challenge", ch.as_str()),
                    ("code_challenge_method", "S256"),
                    ("decision", decision),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = decide("deny", challenge.clone()).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-1");

    let code_of = |r: reqwest::Response| {
        let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
        assert_eq!(q["state"], "st-1");
        q["code"].clone()
    };
    let exchange = |code: String, v: &'static str| {
        let c = c.clone();
        let url = format!("{}/2/oauth2/token", e.base_url);
        async move {
            c.post(url)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", cb),
                    ("code_verifier", v),
                    ("client_id", DEMO.x.client_id),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // A wrong verifier is refused.
    let code = code_of(decide("allow", challenge.clone()).await);
    let r = exchange(
        code,
        "some-other-verifier-that-does-not-match-the-challenge",
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The right one works once.
    let code = code_of(decide("allow", challenge.clone()).await);
    let r = exchange(code.clone(), verifier).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert!(v["refresh_token"].is_string());
    assert_eq!(
        exchange(code, verifier).await.status(),
        StatusCode::BAD_REQUEST
    );
    // Confidential variant: Basic auth with the secret.
    let code = code_of(decide("allow", challenge.clone()).await);
    let r = c
        .post(format!("{}/2/oauth2/token", e.base_url))
        .basic_auth(DEMO.x.client_id, Some("wrong"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", cb),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!("{}/2/oauth2/token", e.base_url))
        .basic_auth(DEMO.x.client_id, Some(DEMO.x.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", cb),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // plain PKCE and unknown clients never get a consent page.
    let r = c
        .get(format!(
            "{}/i/oauth2/authorize?response_type=code&client_id={}&redirect_uri={cb}&scope=tweet.read&state=s&code_challenge={challenge}&code_challenge_method=plain",
            e.base_url, DEMO.x.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = c
        .get(format!(
            "{}/i/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={cb}&scope=tweet.read&state=s&code_challenge={challenge}&code_challenge_method=S256",
            e.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

// ---- faults ----------------------------------------------------------------------------

#[tokio::test]
async fn error_before_commit_creates_nothing_on_each_platform() {
    let e = start().await;
    let c = client();
    for p in [EmuPlatform::X, EmuPlatform::Facebook, EmuPlatform::Wechat] {
        e.emulator
            .inject(FaultRule::new(p, Fault::ErrorBeforeCommit).times(1));
    }
    let r = tweet(&c, &e, DEMO.x.access_token, "before").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], 503);

    let r = fb_post(
        &c,
        &e,
        DEMO.facebook.page_token,
        DEMO.facebook.page_id,
        "before",
    )
    .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), (2, None));
    assert!(v["error"]["fbtrace_id"].is_string());

    let token = wx_token(&c, &e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = wx(
        &c,
        &e,
        "/cgi-bin/draft/add",
        &token,
        json!({"articles": []}),
    )
    .await;
    assert_eq!(v["errcode"], -1);
    assert!(v["errmsg"].as_str().unwrap().contains(" rid: "));

    let ledger = e.emulator.ledger();
    assert_eq!(ledger.len(), 3);
    assert!(ledger
        .iter()
        .all(|l| !l.committed && l.fault.as_deref() == Some("error_before_commit")));
    let posts: Vec<Value> = c
        .get(format!("{}/_emulator/posts", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(posts.is_empty());
}

#[tokio::test]
async fn error_after_commit_creates_the_post_but_answers_5xx() {
    let e = start().await;
    let c = client();
    e.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::ErrorAfterCommit).times(1));
    e.emulator
        .inject(FaultRule::new(EmuPlatform::Facebook, Fault::ErrorAfterCommit).times(1));

    let r = tweet(&c, &e, DEMO.x.access_token, "landed anyway").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let l = e.emulator.ledger().pop().unwrap();
    assert!(l.committed);
    assert_eq!(l.fault.as_deref(), Some("error_after_commit"));
    let id = l.remote_id.unwrap();
    let v: Value = c
        .get(format!(
            "{}/2/users/{}/tweets?max_results=5&tweet.fields=created_at,text",
            e.base_url, DEMO.x.user_id
        ))
        .bearer_auth(DEMO.x.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["id"], id.as_str());
    assert_eq!(v["data"][0]["text"], "landed anyway");
    assert_eq!(v["meta"]["result_count"], 1);

    let r = fb_post(
        &c,
        &e,
        DEMO.facebook.page_token,
        DEMO.facebook.page_id,
        "fb landed",
    )
    .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let l = e.emulator.ledger().pop().unwrap();
    assert!(l.committed);
    let v: Value = c
        .get(format!(
            "{}/{FB}/{}/published_posts?fields=id,message,created_time,permalink_url&limit=25&access_token={}",
            e.base_url, DEMO.facebook.page_id, DEMO.facebook.page_token
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["id"], l.remote_id.unwrap().as_str());
    assert_eq!(v["data"][0]["message"], "fb landed");
    let ct = v["data"][0]["created_time"].as_str().unwrap();
    assert!(ct.ends_with("+0000"), "{ct}");
}

#[tokio::test]
async fn hang_makes_the_client_timeout_fire_without_blocking_others() {
    let e = start().await;
    e.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::Hang).times(1));
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let hung = {
        let url = format!("{}/2/tweets", e.base_url);
        tokio::spawn(async move {
            impatient
                .post(url)
                .bearer_auth(DEMO.x.access_token)
                .json(&json!({ "text": "into the void" }))
                .send()
                .await
        })
    };
    // Meanwhile the emulator still answers.
    let c = client();
    let ok = c
        .get(format!("{}/_emulator/accounts", e.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let err = hung.await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let l = e.emulator.ledger().pop().unwrap();
    assert!(!l.committed);
    assert_eq!(l.fault.as_deref(), Some("hang"));
    e.shutdown().await;
}

#[tokio::test]
async fn drop_connection_gives_a_connection_error_and_creates_nothing() {
    let e = start().await;
    let c = client();
    e.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::DropConnection).times(1));
    let err = c
        .post(format!("{}/2/tweets", e.base_url))
        .bearer_auth(DEMO.x.access_token)
        .json(&json!({ "text": "cut" }))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert!(err.status().is_none(), "{err:?}");
    let l = e.emulator.ledger();
    assert_eq!(l.len(), 1, "the client must not have retried: {l:?}");
    assert!(!l[0].committed);
    assert_eq!(l[0].fault.as_deref(), Some("drop_connection"));
    // The next request (on a new connection) is served.
    assert_eq!(
        tweet(&c, &e, DEMO.x.access_token, "cut").await.status(),
        StatusCode::CREATED
    );

    // Facebook and WeChat too, with scope "all".
    e.emulator.inject(
        FaultRule::new(EmuPlatform::Facebook, Fault::DropConnection)
            .scope(FaultScope::All)
            .times(1),
    );
    let err = c
        .get(format!(
            "{}/{FB}/me?access_token={}",
            e.base_url, DEMO.facebook.page_token
        ))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
}

#[tokio::test]
async fn token_expired_on_each_platform_until_refreshed() {
    let e = start().await;
    let c = client();
    for p in [EmuPlatform::X, EmuPlatform::Facebook, EmuPlatform::Wechat] {
        e.emulator
            .inject(FaultRule::new(p, Fault::TokenExpired).times(1));
    }
    // X: 401, then the refresh path works.
    let r = tweet(&c, &e, DEMO.x.access_token, "expired").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["title"], "Unauthorized");
    assert_eq!(
        tweet(&c, &e, DEMO.x.access_token, "expired").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let v: Value = x_refresh(&c, &e, DEMO.x.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let at = v["access_token"].as_str().unwrap();
    assert_eq!(
        tweet(&c, &e, at, "expired").await.status(),
        StatusCode::CREATED
    );

    // Facebook: 190/463 and the token stays expired.
    let r = fb_post(&c, &e, DEMO.facebook.page_token, DEMO.facebook.page_id, "x").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.json().await.unwrap()), (190, Some(463)));
    let r = fb_post(&c, &e, DEMO.facebook.page_token, DEMO.facebook.page_id, "x").await;
    assert_eq!(error_code(&r.json().await.unwrap()), (190, Some(463)));

    // WeChat: 42001, and the next stable_token hands out a new one.
    let t1 = wx_token(&c, &e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = wx(&c, &e, "/cgi-bin/draft/add", &t1, json!({"articles": []})).await;
    assert_eq!(v["errcode"], 42001);
    let t2 = wx_token(&c, &e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(t1, t2);
    let v: Value = c
        .get(format!(
            "{}/cgi-bin/get_api_domain_ip?access_token={t2}",
            e.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["ip_list"].is_array(), "{v}");
}

#[tokio::test]
async fn token_revoked_on_each_platform_also_breaks_the_refresh_path() {
    let e = start().await;
    let c = client();
    for p in [EmuPlatform::X, EmuPlatform::Facebook, EmuPlatform::Wechat] {
        e.emulator
            .inject(FaultRule::new(p, Fault::TokenRevoked).times(1));
    }
    assert_eq!(
        tweet(&c, &e, DEMO.x.access_token, "r").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = x_refresh(&c, &e, DEMO.x.refresh_token).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_request");

    let r = fb_post(&c, &e, DEMO.facebook.page_token, DEMO.facebook.page_id, "r").await;
    assert_eq!(error_code(&r.json().await.unwrap()), (190, Some(460)));

    let t = wx_token(&c, &e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = wx(&c, &e, "/cgi-bin/draft/add", &t, json!({"articles": []})).await;
    assert_eq!(v["errcode"], 40001);
    assert_eq!(wx_token(&c, &e).await["errcode"], 40125);
    e.emulator.clear_faults();
    assert!(wx_token(&c, &e).await["access_token"].is_string());
}

#[tokio::test]
async fn injected_rate_limits_use_each_platforms_shape() {
    let e = start().await;
    let c = client();
    e.emulator.inject(
        FaultRule::new(
            EmuPlatform::Facebook,
            Fault::RateLimit {
                reset_after_secs: 300,
            },
        )
        .times(1),
    );
    let r = fb_post(&c, &e, DEMO.facebook.page_token, DEMO.facebook.page_id, "t").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let usage: Value =
        serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    let u = &usage[DEMO.facebook.page_id][0];
    assert_eq!(u["call_count"], 100);
    assert_eq!(u["estimated_time_to_regain_access"], 5);
    assert_eq!(error_code(&r.json().await.unwrap()), (32, None));

    let (token, draft) = wx_draft(&c, &e, "quota").await;
    e.emulator.inject(
        FaultRule::new(
            EmuPlatform::Wechat,
            Fault::RateLimit {
                reset_after_secs: 60,
            },
        )
        .account(DEMO.wechat.app_id)
        .times(1),
    );
    let v = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/submit",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(v["errcode"], 45011);
    let l = e.emulator.ledger().pop().unwrap();
    assert_eq!((l.kind.as_str(), l.committed), ("wechat.submit", false));
    assert_eq!(l.fault.as_deref(), Some("rate_limit"));
    // Nothing was consumed: the retry publishes.
    let v = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/submit",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(v["errcode"], 0, "{v}");
}

// ---- WeChat ----------------------------------------------------------------------------

#[tokio::test]
async fn wechat_submit_consumes_the_draft_and_publishing_completes() {
    let e = start().await;
    let c = client();
    let (token, draft) = wx_draft(&c, &e, "第一篇").await;
    let got = wx(
        &c,
        &e,
        "/cgi-bin/draft/get",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(got["news_item"][0]["title"], "第一篇");

    let s = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/submit",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(s["errcode"], 0);
    assert_eq!(s["errmsg"], "ok");
    let publish_id = s["publish_id"].as_str().unwrap().to_owned();
    assert!(s["msg_data_id"].is_u64());

    let again = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/submit",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(again["errcode"], 40007);
    assert!(again["errmsg"].as_str().unwrap().contains(" rid: "));
    let gone = wx(
        &c,
        &e,
        "/cgi-bin/draft/get",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    assert_eq!(gone["errcode"], 40007);

    let st = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/get",
        &token,
        json!({ "publish_id": publish_id }),
    )
    .await;
    assert_eq!(st["publish_status"], 1);
    assert!(st.get("errcode").is_none());
    e.emulator.advance(Duration::from_secs(3));
    let st = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/get",
        &token,
        json!({ "publish_id": publish_id }),
    )
    .await;
    assert_eq!(st["publish_status"], 0);
    let article_id = st["article_id"].as_str().unwrap().to_owned();
    assert_eq!(st["article_detail"]["item"][0]["idx"], 1);

    let list = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/batchget",
        &token,
        json!({ "offset": 0, "count": 20, "no_content": 1 }),
    )
    .await;
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["item"][0]["article_id"], article_id.as_str());
    assert_eq!(
        list["item"][0]["content"]["news_item"][0]["title"],
        "第一篇"
    );

    let kinds: Vec<(String, bool)> = e
        .emulator
        .ledger()
        .into_iter()
        .map(|l| (l.kind, l.committed))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("wechat.material".into(), true),
            ("wechat.draft".into(), true),
            ("wechat.submit".into(), true),
            ("wechat.submit".into(), false),
        ]
    );
}

#[tokio::test]
async fn wechat_classic_token_invalidates_the_previous_one_after_the_overlap() {
    let e = start().await;
    let c = client();
    let get = |c: Client, base: String| async move {
        let v: Value = c
            .get(format!(
                "{base}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
                DEMO.wechat.app_id, DEMO.wechat.app_secret
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    };
    let health = |c: Client, base: String, t: String| async move {
        let v: Value = c
            .get(format!("{base}/cgi-bin/get_api_domain_ip?access_token={t}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["errcode"].as_i64().unwrap_or(0)
    };
    let t1 = get(c.clone(), e.base_url.clone()).await;
    let t2 = get(c.clone(), e.base_url.clone()).await;
    assert_eq!(health(c.clone(), e.base_url.clone(), t1.clone()).await, 0);
    e.emulator.advance(Duration::from_secs(301));
    assert_eq!(health(c.clone(), e.base_url.clone(), t1).await, 40001);
    assert_eq!(health(c.clone(), e.base_url.clone(), t2).await, 0);
    // Stable tokens: the same one while valid.
    let s1 = wx_token(&c, &e).await;
    let s2 = wx_token(&c, &e).await;
    assert_eq!(s1["access_token"], s2["access_token"]);
    let bad = c
        .post(format!("{}/cgi-bin/stable_token", e.base_url))
        .json(&json!({"grant_type":"client_credential","appid":DEMO.wechat.app_id,"secret":"nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::OK);
    let v: Value = bad.json().await.unwrap();
    assert_eq!(v["errcode"], 40125);
}

#[tokio::test]
async fn wechat_datacube_reports_cumulative_days_since_publish() {
    let e = start_with(EmulatorOptions {
        publish_delay: Duration::from_millis(0),
        ..Default::default()
    })
    .await;
    let c = client();
    let (token, draft) = wx_draft(&c, &e, "stats").await;
    let s = wx(
        &c,
        &e,
        "/cgi-bin/freepublish/submit",
        &token,
        json!({ "media_id": draft }),
    )
    .await;
    let msg = s["msg_data_id"].as_u64().unwrap();
    let cn = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let day = e.emulator.now().with_timezone(&cn).date_naive();
    let d = day.format("%Y-%m-%d").to_string();
    // Today is not queryable yet.
    let v = wx(
        &c,
        &e,
        "/datacube/getarticletotaldetail",
        &token,
        json!({ "begin_date": d, "end_date": d }),
    )
    .await;
    assert_eq!(v["errcode"], 61501);
    e.emulator.advance(Duration::from_secs(3 * 86400));
    let t = wx_token(&c, &e).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = wx(
        &c,
        &e,
        "/datacube/getarticletotaldetail",
        &t,
        json!({ "begin_date": d, "end_date": d }),
    )
    .await;
    assert_eq!(v["is_delay"], false);
    let item = &v["list"][0];
    assert_eq!(item["msgid"], format!("{msg}_1"));
    assert_eq!(item["publish_type"], 1);
    let days = item["detail_list"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    let reads: Vec<u64> = days
        .iter()
        .map(|d| d["read_user"].as_u64().unwrap())
        .collect();
    assert!(reads.windows(2).all(|w| w[0] <= w[1]), "{reads:?}");
    assert!(reads[2] > 0);
    let next = (day + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let v = wx(
        &c,
        &e,
        "/datacube/getarticletotaldetail",
        &t,
        json!({ "begin_date": d, "end_date": next }),
    )
    .await;
    assert_eq!(v["errcode"], 61501);
}

// ---- Facebook --------------------------------------------------------------------------

#[tokio::test]
async fn facebook_login_exchange_page_token_and_scoping() {
    let e = start().await;
    let c = client();
    let cb = "http://127.0.0.1:9/fb";
    let page = c
        .get(format!(
            "{}/{FB}/dialog/oauth?client_id={}&redirect_uri={cb}&state=s9&scope=pages_manage_posts,pages_show_list&response_type=code",
            e.base_url, DEMO.facebook.app_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Continue as Demo Manager") && html.contains("id=\"deny\""));
    let r = c
        .post(format!("{}/{FB}/dialog/oauth", e.base_url))
        .form(&[
            ("client_id", DEMO.facebook.app_id),
            ("redirect_uri", cb),
            ("state", "s9"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = loc.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "s9");
    let code = q["code"].clone();
    let short: Value = c
        .get(format!("{}/{FB}/oauth/access_token", e.base_url))
        .query(&[
            ("client_id", DEMO.facebook.app_id),
            ("redirect_uri", cb),
            ("client_secret", DEMO.facebook.app_secret),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(short["expires_in"], 5183);
    let long: Value = c
        .get(format!("{}/{FB}/oauth/access_token", e.base_url))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", DEMO.facebook.app_id),
            ("client_secret", DEMO.facebook.app_secret),
            ("fb_exchange_token", short["access_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(long["expires_in"], 5184000);
    let user_token = long["access_token"].as_str().unwrap();
    let acc: Value = c
        .get(format!(
            "{}/{FB}/me/accounts?fields=id,name,access_token",
            e.base_url
        ))
        .bearer_auth(user_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(acc["data"][0]["id"], DEMO.facebook.page_id);
    let pt = acc["data"][0]["access_token"].as_str().unwrap();
    let me: Value = c
        .get(format!(
            "{}/{FB}/me?fields=id,name&access_token={pt}",
            e.base_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], DEMO.facebook.page_name);
    let r = fb_post(&c, &e, pt, DEMO.facebook.page_id, "via login").await;
    let v: Value = r.json().await.unwrap();
    assert!(v["id"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}_", DEMO.facebook.page_id)));
    assert!(v["permalink_url"].is_string());
    // A user token cannot post, and a page token only on its page.
    let r = fb_post(&c, &e, user_token, DEMO.facebook.page_id, "as user").await;
    assert_eq!(error_code(&r.json().await.unwrap()).0, 200);
    let r = fb_post(&c, &e, pt, "100000000000999", "elsewhere").await;
    assert_eq!(error_code(&r.json().await.unwrap()), (100, Some(33)));
    // The code is single use.
    let r = c
        .get(format!("{}/{FB}/oauth/access_token", e.base_url))
        .query(&[
            ("client_id", DEMO.facebook.app_id),
            ("redirect_uri", cb),
            ("client_secret", DEMO.facebook.app_secret),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Deny.
    let r = c
        .post(format!("{}/{FB}/dialog/oauth", e.base_url))
        .form(&[
            ("client_id", DEMO.facebook.app_id),
            ("redirect_uri", cb),
            ("state", "s9"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(
        loc.contains("error=access_denied") && loc.contains("error_reason=user_denied"),
        "{loc}"
    );
}

#[tokio::test]
async fn facebook_duplicate_dead_metrics_and_batch() {
    let e = start().await;
    let c = client();
    let (page, pt) = (DEMO.facebook.page_id, DEMO.facebook.page_token);
    let v: Value = fb_post(&c, &e, pt, page, "same words")
        .await
        .json()
        .await
        .unwrap();
    let post = v["id"].as_str().unwrap().to_owned();
    let r = fb_post(&c, &e, pt, page, "same words").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&r.json().await.unwrap()).0, 506);

    let insights = |metrics: &str| {
        let c = c.clone();
        let url = format!(
            "{}/{FB}/{post}/insights?metric={metrics}&access_token={pt}",
            e.base_url
        );
        async move { c.get(url).send().await.unwrap() }
    };
    let r = insights("post_media_view,post_impressions_unique").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(error_code(&v), (100, None));
    assert_eq!(
        v["error"]["message"],
        "(#100) The value must be a valid insights metric"
    );
    let v: Value = insights("post_media_view,post_reactions_by_type_total")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"][0]["name"], "post_media_view");
    assert_eq!(v["data"][0]["period"], "lifetime");
    assert!(v["data"][1]["values"][0]["value"]["like"].is_u64());

    let batch = json!([
        { "method": "GET", "relative_url": format!("{post}?fields=shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)") },
        { "method": "POST", "relative_url": format!("{page}/feed"), "body": "message=from%20batch" },
        { "method": "GET", "relative_url": format!("{post}/insights?metric=post_engaged_users") },
    ]);
    let r = c
        .post(format!("{}/{FB}/", e.base_url))
        .form(&[("batch", batch.to_string().as_str()), ("access_token", pt)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v[0]["code"], 200);
    let first: Value = serde_json::from_str(v[0]["body"].as_str().unwrap()).unwrap();
    assert!(first["comments"]["summary"]["total_count"].is_u64());
    assert_eq!(v[1]["code"], 200);
    assert_eq!(v[2]["code"], 400);
    assert_eq!(
        e.emulator.ledger().last().unwrap().text.as_deref(),
        Some("from batch")
    );

    let too_many: Vec<Value> = (0..51)
        .map(|_| json!({"method":"GET","relative_url":"me"}))
        .collect();
    let r = c
        .post(format!("{}/", e.base_url))
        .form(&[
            ("batch", json!(too_many).to_string().as_str()),
            ("access_token", pt),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], "Maximum batch size is 50");
}

// ---- metrics and state -------------------------------------------------------------------

#[tokio::test]
async fn metrics_grow_with_the_emulated_clock() {
    let e = start_with(EmulatorOptions {
        speed: 10.0,
        ..Default::default()
    })
    .await;
    let c = client();
    let v: Value = tweet(&c, &e, DEMO.x.access_token, "growing")
        .await
        .json()
        .await
        .unwrap();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    let read = |at: String| {
        let c = c.clone();
        let url = format!(
            "{}/2/tweets?ids={id}&tweet.fields=public_metrics",
            e.base_url
        );
        async move {
            let v: Value = c
                .get(url)
                .bearer_auth(at)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"][0]["public_metrics"].clone()
        }
    };
    let first = read(DEMO.x.access_token.into()).await;
    e.emulator.advance(Duration::from_secs(600));
    let second = read(DEMO.x.access_token.into()).await;
    e.emulator.advance(Duration::from_secs(3 * 3600));
    let fresh: Value = x_refresh(&c, &e, DEMO.x.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let third = read(fresh["access_token"].as_str().unwrap().into()).await;
    let views = |m: &Value| m["impression_count"].as_u64().unwrap();
    assert!(views(&first) <= views(&second) && views(&second) < views(&third));
    assert!(views(&third) > 0);
    for k in [
        "like_count",
        "reply_count",
        "retweet_count",
        "bookmark_count",
    ] {
        assert!(second[k].as_u64() <= third[k].as_u64(), "{k}");
    }
    // The same figures through the Rust API.
    assert_eq!(e.emulator.figures(&id).unwrap().views, views(&third));
}

#[tokio::test]
async fn state_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emu.json");
    let opts = EmulatorOptions {
        state_file: Some(path.clone()),
        ..Default::default()
    };
    let e = start_with(opts.clone()).await;
    let c = client();
    let v: Value = tweet(&c, &e, DEMO.x.access_token, "persisted")
        .await
        .json()
        .await
        .unwrap();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    let v: Value = x_refresh(&c, &e, DEMO.x.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let rt = v["refresh_token"].as_str().unwrap().to_owned();
    e.shutdown().await;
    assert!(path.exists());

    let e2 = start_with(opts).await;
    let l = e2.emulator.ledger();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].remote_id.as_deref(), Some(id.as_str()));
    // Rotation survived: the old refresh token is spent, the new one works.
    assert_eq!(
        x_refresh(&c, &e2, DEMO.x.refresh_token).await.status(),
        StatusCode::BAD_REQUEST
    );
    // (that reuse revoked the family, as on X)
    assert_eq!(
        x_refresh(&c, &e2, &rt).await.status(),
        StatusCode::BAD_REQUEST
    );
    let v: Value = tweet(&c, &e2, DEMO.x.access_token, "persisted")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], 401);
    assert!(e2.emulator.figures(&id).is_some());
}

#[tokio::test]
async fn control_api_adds_lists_and_clears_faults() {
    let e = start().await;
    let c = client();
    let r: Value = c
        .post(format!("{}/_emulator/faults", e.base_url))
        .json(&json!({"platform":"x","account":null,"scope":"create","times":1,"fault":{"kind":"latency","ms":20}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["id"].is_u64());
    let list: Vec<Value> = c
        .get(format!("{}/_emulator/faults", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        tweet(&c, &e, DEMO.x.access_token, "slow").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(e.emulator.ledger()[0].fault.as_deref(), Some("latency"));
    c.post(format!("{}/_emulator/faults", e.base_url))
        .json(&json!({"platform":"x","scope":"all","fault":{"kind":"error_before_commit"}}))
        .send()
        .await
        .unwrap();
    let r = c
        .delete(format!("{}/_emulator/faults", e.base_url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(
        tweet(&c, &e, DEMO.x.access_token, "fast").await.status(),
        StatusCode::CREATED
    );
    let acc: Value = c
        .get(format!("{}/_emulator/accounts", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(acc["facebook"]["page_token"], DEMO.facebook.page_token);
    assert_eq!(acc["x"]["user_id"], DEMO.x.user_id);
}
