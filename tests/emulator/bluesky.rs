//! The Bluesky (AT Protocol) imitation through raw HTTP: sessions, the
//! rkey trap, record validation, blobs, post views and their counts,
//! faults and the write budget.

use super::{client, start, start_with, tiny_png};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tongbu::emulator::{
    EmuPlatform, Emulator, EmulatorOptions, Fault, FaultRule, RunningEmulator, DEMO,
};

const TID: &str = "3lbq7xk2m4c2a";

fn url(e: &RunningEmulator, method: &str) -> String {
    format!("{}/xrpc/{method}", e.base_url)
}

/// The error envelope of an answer: (status, error, message).
async fn xrpc_err(r: reqwest::Response) -> (StatusCode, String, String) {
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: Value = r.json().await.unwrap();
    (
        status,
        v["error"].as_str().unwrap_or("").to_owned(),
        v["message"].as_str().unwrap_or("").to_owned(),
    )
}

async fn create_session(c: &Client, e: &RunningEmulator, id: &str, pw: &str) -> reqwest::Response {
    c.post(url(e, "com.atproto.server.createSession"))
        .json(&json!({ "identifier": id, "password": pw }))
        .send()
        .await
        .unwrap()
}

/// A demo session: (accessJwt, refreshJwt).
async fn login(c: &Client, e: &RunningEmulator) -> (String, String) {
    let r = create_session(c, e, DEMO.bluesky.handle, DEMO.bluesky.app_password).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    (
        v["accessJwt"].as_str().unwrap().to_owned(),
        v["refreshJwt"].as_str().unwrap().to_owned(),
    )
}

async fn refresh(c: &Client, e: &RunningEmulator, token: &str) -> reqwest::Response {
    c.post(url(e, "com.atproto.server.refreshSession"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn post_record(text: &str) -> Value {
    json!({ "$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-05-01T09:00:00.000Z" })
}

async fn create_with(
    c: &Client,
    e: &RunningEmulator,
    token: &str,
    input: Value,
) -> reqwest::Response {
    c.post(url(e, "com.atproto.repo.createRecord"))
        .bearer_auth(token)
        .json(&input)
        .send()
        .await
        .unwrap()
}

async fn create(
    c: &Client,
    e: &RunningEmulator,
    token: &str,
    rkey: Option<&str>,
    record: Value,
) -> reqwest::Response {
    let mut input = json!({
        "repo": DEMO.bluesky.did, "collection": "app.bsky.feed.post", "record": record,
    });
    if let Some(k) = rkey {
        input["rkey"] = json!(k);
    }
    create_with(c, e, token, input).await
}

async fn get_record(c: &Client, e: &RunningEmulator, rkey: &str) -> reqwest::Response {
    c.get(format!(
        "{}?repo={}&collection=app.bsky.feed.post&rkey={rkey}",
        url(e, "com.atproto.repo.getRecord"),
        DEMO.bluesky.did
    ))
    .send()
    .await
    .unwrap()
}

fn jwt_payload(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn bluesky_create_session_checks_the_app_password_and_points_back_here() {
    let e = start().await;
    let c = client();
    for id in [DEMO.bluesky.handle, DEMO.bluesky.did] {
        let r = create_session(&c, &e, id, DEMO.bluesky.app_password).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "ratelimit-policy"), "30;w=300");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["did"], DEMO.bluesky.did);
        assert_eq!(v["handle"], DEMO.bluesky.handle);
        assert_eq!(v["active"], true);
        assert_eq!(v["emailConfirmed"], true);
        assert_eq!(v["didDoc"]["id"], DEMO.bluesky.did);
        assert_eq!(
            v["didDoc"]["alsoKnownAs"][0],
            format!("at://{}", DEMO.bluesky.handle)
        );
        assert_eq!(v["didDoc"]["service"][0]["id"], "#atproto_pds");
        assert_eq!(
            v["didDoc"]["service"][0]["serviceEndpoint"],
            e.base_url.as_str()
        );
        let access = v["accessJwt"].as_str().unwrap();
        assert_eq!(access.split('.').count(), 3);
        let p = jwt_payload(access);
        assert_eq!(p["scope"], "com.atproto.appPass");
        assert_eq!(p["sub"], DEMO.bluesky.did);
        assert_eq!(
            p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(),
            7200
        );
        let p = jwt_payload(v["refreshJwt"].as_str().unwrap());
        assert_eq!(p["scope"], "com.atproto.refresh");
        assert!(p["jti"].is_string());
    }
    for (id, pw) in [
        (DEMO.bluesky.handle, "wrong-pass-word-1234"),
        ("nobody.bsky.social", DEMO.bluesky.app_password),
        // The friend has no app password.
        (DEMO.bluesky.friend_handle, DEMO.bluesky.app_password),
    ] {
        let (s, err, msg) = xrpc_err(create_session(&c, &e, id, pw).await).await;
        assert_eq!(
            (s, err.as_str(), msg.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                "AuthenticationRequired",
                "Invalid identifier or password"
            )
        );
    }
    let r = c
        .post(url(&e, "com.atproto.server.createSession"))
        .json(&json!({ "identifier": DEMO.bluesky.handle }))
        .send()
        .await
        .unwrap();
    let (s, err, _) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidRequest")
    );

    // The session, the handle and the profile.
    let (access, _) = login(&c, &e).await;
    let v: Value = c
        .get(url(&e, "com.atproto.server.getSession"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["did"], DEMO.bluesky.did);
    assert_eq!(
        v["didDoc"]["service"][0]["serviceEndpoint"],
        e.base_url.as_str()
    );
    let v: Value = c
        .get(format!(
            "{}?handle={}",
            url(&e, "com.atproto.identity.resolveHandle"),
            DEMO.bluesky.friend_handle
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["did"], DEMO.bluesky.friend_did);
    let r = c
        .get(format!(
            "{}?handle=nobody.bsky.social",
            url(&e, "com.atproto.identity.resolveHandle")
        ))
        .send()
        .await
        .unwrap();
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "Unable to resolve handle"
        )
    );
    let v: Value = c
        .get(format!(
            "{}?actor={}",
            url(&e, "app.bsky.actor.getProfile"),
            DEMO.bluesky.handle
        ))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["did"], DEMO.bluesky.did);
    assert_eq!(v["displayName"], DEMO.bluesky.display_name);
    assert_eq!(v["postsCount"], 0);
    let r = c
        .get(format!(
            "{}?actor=did:plc:nobody",
            url(&e, "app.bsky.actor.getProfile")
        ))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let (s, _, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, msg.as_str()),
        (StatusCode::BAD_REQUEST, "Profile not found")
    );
    // No token, or an unknown one.
    let r = c
        .get(url(&e, "com.atproto.server.getSession"))
        .send()
        .await
        .unwrap();
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Authentication Required"
        )
    );
}

#[tokio::test]
async fn bluesky_refresh_tokens_rotate_and_are_not_access_tokens() {
    let e = start().await;
    let c = client();
    let (access, refresh1) = login(&c, &e).await;

    let (s, err, msg) = xrpc_err(refresh(&c, &e, &access).await).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "InvalidToken",
            "Invalid token type"
        )
    );
    // Nor is a refresh token an access token.
    let r = c
        .get(url(&e, "com.atproto.server.getSession"))
        .bearer_auth(&refresh1)
        .send()
        .await
        .unwrap();
    assert_eq!(xrpc_err(r).await.1, "InvalidToken");

    let r = refresh(&c, &e, &refresh1).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["did"], DEMO.bluesky.did);
    assert_eq!(v["active"], true);
    assert_eq!(
        v["didDoc"]["service"][0]["serviceEndpoint"],
        e.base_url.as_str()
    );
    let refresh2 = v["refreshJwt"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh1);
    let access2 = v["accessJwt"].as_str().unwrap().to_owned();

    let (s, err, msg) = xrpc_err(refresh(&c, &e, &refresh1).await).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Token has been revoked"
        )
    );
    let (s, err, msg) = xrpc_err(refresh(&c, &e, "not.a.token").await).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired")
    );
    // The reuse did not hurt the new pair.
    assert_eq!(refresh(&c, &e, &refresh2).await.status(), StatusCode::OK);
    let r = create(&c, &e, &access2, None, post_record("after refresh")).await;
    assert_eq!(r.status(), StatusCode::OK);

    // An access token expires after two hours of the emulated clock.
    e.emulator.advance(Duration::from_secs(2 * 3600 + 1));
    let r = create(&c, &e, &access2, None, post_record("too late")).await;
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired")
    );
}

#[tokio::test]
async fn bluesky_create_record_on_a_taken_rkey_answers_500_and_creates_nothing() {
    let e = start().await;
    let c = client();
    let (access, _) = login(&c, &e).await;

    let (s, err, msg) = xrpc_err(get_record(&c, &e, TID).await).await;
    let uri = format!("at://{}/app.bsky.feed.post/{TID}", DEMO.bluesky.did);
    assert_eq!(
        (s, err.as_str(), msg),
        (
            StatusCode::BAD_REQUEST,
            "RecordNotFound",
            format!("Could not locate record: {uri}")
        )
    );

    let record = post_record("exactly once");
    let r = create(&c, &e, &access, Some(TID), record.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "ratelimit-policy"), "5000;w=3600");
    assert_eq!(header(&r, "ratelimit-limit"), "5000");
    assert_eq!(header(&r, "ratelimit-remaining"), "4997");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["uri"], uri.as_str());
    let cid = v["cid"].as_str().unwrap().to_owned();
    assert!(cid.starts_with("bafyrei"), "{cid}");
    assert!(v["commit"]["cid"].as_str().unwrap().starts_with("bafyrei"));
    assert_eq!(v["commit"]["rev"].as_str().unwrap().len(), 13);
    assert_eq!(v["validationStatus"], "valid");

    let r = create(&c, &e, &access, Some(TID), record.clone()).await;
    assert_eq!(header(&r, "ratelimit-remaining"), "4994");
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Internal Server Error"
        )
    );
    let ledger = e.emulator.ledger();
    let posts: Vec<_> = ledger.iter().filter(|l| l.kind == "bluesky.post").collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts.iter().filter(|l| l.committed).count(), 1);
    assert_eq!(posts[0].remote_id.as_deref(), Some(uri.as_str()));
    assert_eq!(posts[0].account, DEMO.bluesky.did);
    assert_eq!(posts[0].text.as_deref(), Some("exactly once"));
    assert!(!posts[1].committed && posts[1].remote_id.is_none());

    // getRecord, without auth, by DID and by handle.
    let r = get_record(&c, &e, TID).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["uri"], uri.as_str());
    assert_eq!(v["cid"], cid.as_str());
    assert_eq!(v["value"], record);
    let v: Value = c
        .get(format!(
            "{}?repo={}&collection=app.bsky.feed.post&rkey={TID}",
            url(&e, "com.atproto.repo.getRecord"),
            DEMO.bluesky.handle
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["cid"], cid.as_str());

    // The same record under another rkey: the same cid; no rkey: a TID.
    let v: Value = create(&c, &e, &access, Some("3lbq7xk2m4c2b"), record.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["cid"], cid.as_str());
    let v: Value = create(&c, &e, &access, None, post_record("own rkey"))
        .await
        .json()
        .await
        .unwrap();
    let rkey = v["uri"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(rkey.len(), 13, "{rkey}");
    assert_eq!(get_record(&c, &e, &rkey).await.status(), StatusCode::OK);
    // Every post is one of the emulator's.
    assert!(e.emulator.figures(&uri).is_some());
    let listed: Vec<Value> = c
        .get(format!("{}/_emulator/posts", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
}

#[tokio::test]
async fn bluesky_records_are_validated() {
    let e = start().await;
    let c = client();
    let (access, _) = login(&c, &e).await;
    let bad = |r: reqwest::Response| async move {
        let (s, err, msg) = xrpc_err(r).await;
        assert_eq!(
            (s, err.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidRequest"),
            "{msg}"
        );
        msg
    };

    for k in ["3lbq7xk2m4c2", "post-1", "klbq7xk2m4c2a", "3LBQ7XK2M4C2A"] {
        let msg = bad(create(&c, &e, &access, Some(k), post_record("x")).await).await;
        assert_eq!(msg, "Invalid TID string");
    }
    let msg = bad(create_with(
        &c,
        &e,
        &access,
        json!({ "repo": DEMO.bluesky.friend_did, "collection": "app.bsky.feed.post",
                    "record": post_record("not mine") }),
    )
    .await)
    .await;
    assert_eq!(msg, "Input/repo must be the authenticated account");
    bad(create_with(
        &c,
        &e,
        &access,
        json!({ "repo": DEMO.bluesky.handle, "collection": "app.bsky.feed.like",
                "record": post_record("a like") }),
    )
    .await)
    .await;

    // Graphemes, not bytes or chars: 300 CJK characters or 300 emoji pass.
    for text in ["永".repeat(300), "👍🏽".repeat(300)] {
        let r = create(&c, &e, &access, None, post_record(&text)).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let msg = bad(create(&c, &e, &access, None, post_record(&"永".repeat(301))).await).await;
    assert_eq!(
        msg,
        "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    );

    // Facets: UTF-8 byte offsets within the text.
    let text = "Read the docs at example.com";
    let mut rec = post_record(text);
    rec["facets"] = json!([{ "index": { "byteStart": 17, "byteEnd": 29 },
        "features": [{ "$type": "app.bsky.richtext.facet#link", "uri": "https://example.com" }] }]);
    let msg = bad(create(&c, &e, &access, None, rec.clone()).await).await;
    assert!(
        msg.starts_with("Invalid app.bsky.feed.post record: "),
        "{msg}"
    );
    rec["facets"][0]["index"] = json!({ "byteStart": 17, "byteEnd": 28 });
    assert_eq!(
        create(&c, &e, &access, None, rec.clone()).await.status(),
        StatusCode::OK
    );
    rec["facets"][0]["features"][0] = json!({ "$type": "app.bsky.richtext.facet#mention" });
    bad(create(&c, &e, &access, None, rec.clone()).await).await;
    rec["facets"][0]["features"][0] =
        json!({ "$type": "app.bsky.richtext.facet#mention", "did": DEMO.bluesky.friend_did });
    assert_eq!(
        create(&c, &e, &access, None, rec).await.status(),
        StatusCode::OK
    );

    let mut rec = post_record("bad date");
    rec["createdAt"] = json!("yesterday");
    bad(create(&c, &e, &access, None, rec).await).await;
    let mut rec = post_record("bad type");
    rec["$type"] = json!("app.bsky.feed.like");
    bad(create(&c, &e, &access, None, rec).await).await;

    // A reply needs an existing parent.
    let parent: Value = create(&c, &e, &access, None, post_record("parent"))
        .await
        .json()
        .await
        .unwrap();
    let strong = json!({ "uri": parent["uri"], "cid": parent["cid"] });
    let mut rec = post_record("a reply");
    rec["reply"] = json!({ "root": strong, "parent": strong });
    assert_eq!(
        create(&c, &e, &access, None, rec.clone()).await.status(),
        StatusCode::OK
    );
    let gone = format!("at://{}/app.bsky.feed.post/3lbq7xk2m4c2z", DEMO.bluesky.did);
    rec["reply"]["parent"]["uri"] = json!(gone);
    let msg = bad(create(&c, &e, &access, None, rec).await).await;
    assert_eq!(msg, format!("Could not locate record: {gone}"));

    // None of the refused records was committed.
    let ledger = e.emulator.ledger();
    let committed = ledger.iter().filter(|l| l.committed).count();
    assert_eq!(committed, 6, "{ledger:?}");
}

#[tokio::test]
async fn bluesky_blobs_upload_and_embed() {
    let e = start().await;
    let c = client();
    let (access, _) = login(&c, &e).await;
    let upload = |body: Vec<u8>| {
        let c = c.clone();
        let (u, t) = (url(&e, "com.atproto.repo.uploadBlob"), access.clone());
        async move {
            c.post(u)
                .bearer_auth(t)
                .header("content-type", "image/png")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = upload(tiny_png()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let blob = v["blob"].clone();
    assert_eq!(blob["$type"], "blob");
    assert_eq!(blob["mimeType"], "image/png");
    assert_eq!(blob["size"], tiny_png().len());
    let cid = blob["ref"]["$link"].as_str().unwrap().to_owned();
    assert!(cid.starts_with("bafkrei"), "{cid}");
    // Deterministic from the bytes.
    let again: Value = upload(tiny_png()).await.json().await.unwrap();
    assert_eq!(again["blob"]["ref"]["$link"], cid.as_str());
    let l = e.emulator.ledger().pop().unwrap();
    assert_eq!(l.kind, "bluesky.blob");
    assert!(l.committed);
    assert_eq!(l.remote_id.as_deref(), Some(cid.as_str()));

    let (s, err, msg) = xrpc_err(upload(vec![0u8; 1_258_291]).await).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "BlobTooLarge",
            "This file is too large. It is 1.2MB but the maximum size is 976.56KB."
        )
    );
    let (s, err, _) = xrpc_err(upload(Vec::new()).await).await;
    assert_eq!(
        (s, err.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidRequest")
    );

    let mut rec = post_record("with a picture");
    rec["embed"] = json!({ "$type": "app.bsky.embed.images", "images": [
        { "image": blob, "alt": "a tiny image", "aspectRatio": { "width": 2, "height": 3 } },
    ]});
    assert_eq!(
        create(&c, &e, &access, None, rec.clone()).await.status(),
        StatusCode::OK
    );
    let mut unknown = rec.clone();
    unknown["embed"]["images"][0]["image"]["ref"]["$link"] =
        json!("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    let r = create(&c, &e, &access, None, unknown).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let mut five = rec.clone();
    let img = rec["embed"]["images"][0].clone();
    five["embed"]["images"] = json!([img, img, img, img, img]);
    assert_eq!(
        create(&c, &e, &access, None, five).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut flat = rec.clone();
    flat["embed"]["images"][0]["aspectRatio"]["height"] = json!(0);
    assert_eq!(
        create(&c, &e, &access, None, flat).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut link = post_record("a card");
    link["embed"] = json!({ "$type": "app.bsky.embed.external", "external": {
        "uri": "https://example.com", "title": "Example", "description": "An example" } });
    assert_eq!(
        create(&c, &e, &access, None, link).await.status(),
        StatusCode::OK
    );
    let mut video = post_record("a video");
    video["embed"] = json!({ "$type": "app.bsky.embed.video", "video": blob });
    assert_eq!(
        create(&c, &e, &access, None, video).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn bluesky_get_posts_limits_uris_and_counts_grow() {
    let emu = Emulator::new(EmulatorOptions {
        speed: 10.0,
        ..Default::default()
    })
    .unwrap();
    let e = emu.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let c = client();
    let (access, refresh_token) = login(&c, &e).await;
    let mut uris = Vec::new();
    for text in ["first", "second"] {
        let v: Value = create(&c, &e, &access, None, post_record(text))
            .await
            .json()
            .await
            .unwrap();
        uris.push(v["uri"].as_str().unwrap().to_owned());
    }
    let get = |token: String, asked: Vec<String>| {
        let c = c.clone();
        let query: Vec<(&str, String)> = asked.into_iter().map(|u| ("uris", u)).collect();
        let u = url(&e, "app.bsky.feed.getPosts");
        async move {
            c.get(u)
                .bearer_auth(token)
                .query(&query)
                .send()
                .await
                .unwrap()
        }
    };
    let missing = format!("at://{}/app.bsky.feed.post/3lbq7xk2m4c2z", DEMO.bluesky.did);
    let asked = vec![uris[1].clone(), missing, uris[0].clone()];
    let v: Value = get(access.clone(), asked.clone())
        .await
        .json()
        .await
        .unwrap();
    let posts = v["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["uri"], uris[1].as_str());
    assert_eq!(posts[1]["uri"], uris[0].as_str());
    assert_eq!(posts[0]["author"]["did"], DEMO.bluesky.did);
    assert_eq!(posts[0]["author"]["handle"], DEMO.bluesky.handle);
    assert_eq!(posts[0]["record"]["text"], "second");
    assert!(posts[0]["indexedAt"].as_str().unwrap().ends_with('Z'));
    let first_likes = posts[1]["likeCount"].as_u64().unwrap();

    let (s, _, msg) = xrpc_err(get(access.clone(), vec![uris[0].clone(); 26]).await).await;
    assert_eq!(
        (s, msg.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "Error: uris must not have more than 25 elements"
        )
    );
    assert_eq!(
        get(access.clone(), vec![uris[0].clone(); 25])
            .await
            .status(),
        StatusCode::OK
    );
    let (s, err, _) = xrpc_err(get(access.clone(), vec!["https://bsky.app/x".into()]).await).await;
    assert_eq!(
        (s, err.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidRequest")
    );

    emu.advance(Duration::from_secs(3 * 3600));
    let v: Value = refresh(&c, &e, &refresh_token).await.json().await.unwrap();
    let access = v["accessJwt"].as_str().unwrap().to_owned();
    let v: Value = get(access, asked).await.json().await.unwrap();
    let later = &v["posts"][1];
    let likes = later["likeCount"].as_u64().unwrap();
    assert!(likes > first_likes, "{first_likes} → {likes}");
    let f = emu.figures(&uris[0]).unwrap();
    assert_eq!(likes, f.likes);
    assert_eq!(later["repostCount"].as_u64().unwrap(), f.shares);
    assert_eq!(later["replyCount"].as_u64().unwrap(), f.comments);
    assert_eq!(later["quoteCount"].as_u64().unwrap(), f.quotes);
    assert_eq!(later["bookmarkCount"].as_u64().unwrap(), f.saves);
}

#[tokio::test]
async fn bluesky_token_expired_fault_then_refresh_works() {
    let e = start().await;
    let c = client();
    let (access, refresh_token) = login(&c, &e).await;
    e.emulator.inject(
        FaultRule::new(EmuPlatform::Bluesky, Fault::TokenExpired)
            .account(DEMO.bluesky.did)
            .times(1),
    );
    let r = create(&c, &e, &access, Some(TID), post_record("expired")).await;
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired")
    );
    let l = e.emulator.ledger().pop().unwrap();
    assert!(!l.committed);
    assert_eq!(l.fault.as_deref(), Some("token_expired"));
    // The token stays expired.
    let r = c
        .get(url(&e, "com.atproto.server.getSession"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(xrpc_err(r).await.1, "ExpiredToken");

    let v: Value = refresh(&c, &e, &refresh_token).await.json().await.unwrap();
    let fresh = v["accessJwt"].as_str().unwrap();
    let r = create(&c, &e, fresh, Some(TID), post_record("expired")).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn bluesky_token_revoked_kills_the_app_password_until_faults_clear() {
    let e = start().await;
    let c = client();
    let (access, refresh_token) = login(&c, &e).await;
    let (other_access, _) = login(&c, &e).await;
    e.emulator.inject(
        FaultRule::new(EmuPlatform::Bluesky, Fault::TokenRevoked).account(DEMO.bluesky.did),
    );
    let r = create(&c, &e, &access, None, post_record("revoked")).await;
    let (s, err, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str(), msg.as_str()),
        (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Token has been revoked"
        )
    );
    // Every session of the app password is gone, and the password too.
    let r = c
        .get(url(&e, "com.atproto.server.getSession"))
        .bearer_auth(&other_access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, err, _) = xrpc_err(refresh(&c, &e, &refresh_token).await).await;
    assert_eq!((s, err.as_str()), (StatusCode::BAD_REQUEST, "ExpiredToken"));
    let r = create_session(&c, &e, DEMO.bluesky.handle, DEMO.bluesky.app_password).await;
    let (s, _, msg) = xrpc_err(r).await;
    assert_eq!(
        (s, msg.as_str()),
        (StatusCode::UNAUTHORIZED, "Invalid identifier or password")
    );

    e.emulator.clear_faults();
    let (fresh, _) = login(&c, &e).await;
    assert_eq!(
        create(&c, &e, &fresh, None, post_record("back"))
            .await
            .status(),
        StatusCode::OK
    );
    // The old sessions stay revoked.
    let r = create(&c, &e, &access, None, post_record("old")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bluesky_error_faults_answer_500_before_and_after_commit() {
    let e = start().await;
    let c = client();
    let (access, _) = login(&c, &e).await;
    e.emulator
        .inject(FaultRule::new(EmuPlatform::Bluesky, Fault::ErrorBeforeCommit).times(1));
    let r = create(&c, &e, &access, Some(TID), post_record("landed")).await;
    assert_eq!(xrpc_err(r).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        xrpc_err(get_record(&c, &e, TID).await).await.1,
        "RecordNotFound"
    );

    e.emulator
        .inject(FaultRule::new(EmuPlatform::Bluesky, Fault::ErrorAfterCommit).times(1));
    let r = create(&c, &e, &access, Some(TID), post_record("landed")).await;
    assert!(!header(&r, "ratelimit-remaining").is_empty());
    let (s, err, _) = xrpc_err(r).await;
    assert_eq!(
        (s, err.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError")
    );
    let l = e.emulator.ledger().pop().unwrap();
    assert!(l.committed);
    assert_eq!(l.fault.as_deref(), Some("error_after_commit"));
    let r = get_record(&c, &e, TID).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["value"]["text"], "landed");
    // The retry a client would make lands on the trap, not on a duplicate.
    let r = create(&c, &e, &access, Some(TID), post_record("landed")).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let committed = e
        .emulator
        .ledger()
        .iter()
        .filter(|l| l.kind == "bluesky.post" && l.committed)
        .count();
    assert_eq!(committed, 1);

    e.emulator.inject(
        FaultRule::new(
            EmuPlatform::Bluesky,
            Fault::RateLimit {
                reset_after_secs: 120,
            },
        )
        .times(1),
    );
    let r = create(&c, &e, &access, None, post_record("throttled")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&r, "ratelimit-remaining"), "0");
    let reset: i64 = header(&r, "ratelimit-reset").parse().unwrap();
    let now = e.emulator.now().timestamp();
    assert!((now + 118..=now + 121).contains(&reset), "{reset} vs {now}");
    assert_eq!(xrpc_err(r).await.1, "RateLimitExceeded");
}

#[tokio::test]
async fn bluesky_the_day_budget_answers_429_with_the_day_policy() {
    // 1/1024 of the real budgets: 4 points an hour (one create), 34 a day
    // (eleven creates).
    let e = start_with(EmulatorOptions {
        rate_limit_scale: 1.0 / 1024.0,
        ..Default::default()
    })
    .await;
    let c = client();
    let (mut access, mut refresh_token) = login(&c, &e).await;
    let r = create(&c, &e, &access, None, post_record("post 1")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "ratelimit-limit"), "4");
    assert_eq!(header(&r, "ratelimit-remaining"), "1");
    let r = create(&c, &e, &access, None, post_record("same hour")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&r, "ratelimit-policy"), "5000;w=3600");
    assert_eq!(header(&r, "ratelimit-remaining"), "0");
    assert_eq!(xrpc_err(r).await.1, "RateLimitExceeded");

    for i in 2..=12 {
        e.emulator.advance(Duration::from_secs(3601));
        let v: Value = refresh(&c, &e, &refresh_token).await.json().await.unwrap();
        access = v["accessJwt"].as_str().unwrap().to_owned();
        refresh_token = v["refreshJwt"].as_str().unwrap().to_owned();
        let r = create(&c, &e, &access, None, post_record(&format!("post {i}"))).await;
        if i <= 11 {
            assert_eq!(r.status(), StatusCode::OK, "post {i}");
            assert_eq!(header(&r, "ratelimit-policy"), "5000;w=3600");
            continue;
        }
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&r, "ratelimit-policy"), "35000;w=86400");
        assert_eq!(header(&r, "ratelimit-limit"), "34");
        assert_eq!(header(&r, "ratelimit-remaining"), "0");
        let reset: i64 = header(&r, "ratelimit-reset").parse().unwrap();
        let left = reset - e.emulator.now().timestamp();
        assert!((12 * 3600..14 * 3600).contains(&left), "{left}");
        let (_, err, msg) = xrpc_err(r).await;
        assert_eq!(
            (err.as_str(), msg.as_str()),
            ("RateLimitExceeded", "Rate Limit Exceeded")
        );
    }
    let committed = e
        .emulator
        .ledger()
        .iter()
        .filter(|l| l.kind == "bluesky.post" && l.committed)
        .count();
    assert_eq!(committed, 11);
}
