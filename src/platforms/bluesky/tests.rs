//! Request shapes, session handling and error classes of the Bluesky
//! client against a wiremock PDS.

use super::*;
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{bearer_token, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const DID: &str = "did:plc:brand";

/// A JWT-shaped token expiring `secs` from now.
fn jwt(name: &str, secs: i64) -> String {
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        b64(json!({"typ": "at+jwt", "alg": "HS256"})),
        b64(json!({"sub": DID, "exp": Utc::now().timestamp() + secs, "name": name})),
        name
    )
}

fn creds(access: &str, secs: i64) -> Credentials {
    Credentials::Bluesky {
        did: DID.into(),
        handle: "brand.example".into(),
        pds: None,
        app_password: "abcd-efgh-ijkl-mnop".into(),
        access_jwt: access.into(),
        refresh_jwt: "refresh-1".into(),
        access_expires_at: Utc::now() + TimeDelta::seconds(secs),
    }
}

/// Credentials in memory, with every save logged.
struct Store {
    creds: Mutex<Credentials>,
    saves: Mutex<Vec<String>>,
}

impl Store {
    fn new(c: Credentials) -> Arc<Store> {
        Arc::new(Store {
            creds: Mutex::new(c),
            saves: Mutex::default(),
        })
    }
    fn access(&self) -> String {
        match &*self.creds.lock().unwrap() {
            Credentials::Bluesky { access_jwt, .. } => access_jwt.clone(),
            _ => unreachable!(),
        }
    }
}

#[async_trait]
impl CredentialStore for Store {
    async fn load(&self) -> Result<Credentials, PlatformError> {
        Ok(self.creds.lock().unwrap().clone())
    }
    async fn save(&self, c: &Credentials) -> Result<(), PlatformError> {
        if let Credentials::Bluesky { access_jwt, .. } = c {
            self.saves.lock().unwrap().push(access_jwt.clone());
        }
        *self.creds.lock().unwrap() = c.clone();
        Ok(())
    }
}

/// Keeps every checkpoint.
#[derive(Default)]
struct Kept(Mutex<Vec<Value>>);

#[async_trait]
impl Checkpoint for Kept {
    async fn record(&self, progress: &Value) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(progress.clone());
        Ok(())
    }
}

fn client(server: &MockServer, store: Arc<Store>) -> BlueskyClient {
    let mut endpoints = Endpoints::single_host(&server.uri());
    endpoints.timeout = Duration::from_millis(1500);
    BlueskyClient::new(http::build(&endpoints).unwrap(), endpoints, store)
}

fn request(text: &str) -> PublishRequest {
    PublishRequest {
        delivery_key: "d-1".into(),
        text: text.into(),
        title: None,
        digest: None,
        link: None,
        media: Vec::new(),
        thread: false,
        resume: None,
    }
}

fn created(rkey: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "uri": format!("at://{DID}/app.bsky.feed.post/{rkey}"),
        "cid": format!("bafy{rkey}"),
        "commit": {"cid": "bafycommit", "rev": rkey},
        "validationStatus": "valid",
    }))
}

fn xrpc_err(status: u16, name: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": name, "message": message}))
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

/// Answers createRecord with the rkey the request chose.
struct EchoCreate;

impl wiremock::Respond for EchoCreate {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let rkey = body(r)["rkey"].as_str().unwrap().to_owned();
        created(&rkey)
    }
}

async fn creates(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("createRecord"))
        .map(body)
        .collect()
}

#[tokio::test]
async fn a_post_keeps_its_record_key_before_sending_and_carries_byte_offset_facets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "friend.bsky.social"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"did": "did:plc:friend"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .and(bearer_token("acc-1"))
        .respond_with(EchoCreate)
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let kept = Kept::default();
    let text = "新茶 ☕ @friend.bsky.social https://example.com #tea";
    let p = c.publish(&request(text), &kept).await.unwrap();

    let sent = creates(&server).await;
    let b = &sent[0];
    assert_eq!(b["repo"], DID);
    assert_eq!(b["collection"], "app.bsky.feed.post");
    let rkey = b["rkey"].as_str().unwrap();
    assert_eq!(rkey.len(), 13);
    let first = kept.0.lock().unwrap()[0].clone();
    assert_eq!(
        first["rkeys"][0], rkey,
        "the key was kept before the create"
    );
    assert_eq!(b["record"]["createdAt"], first["created_at"]);
    assert_eq!(b["record"]["text"], text);
    let facets = b["record"]["facets"].as_array().unwrap();
    let span = |f: &Value| {
        let (s, e) = (
            f["index"]["byteStart"].as_u64().unwrap() as usize,
            f["index"]["byteEnd"].as_u64().unwrap() as usize,
        );
        text[s..e].to_owned()
    };
    assert_eq!(
        facets.iter().map(span).collect::<Vec<_>>(),
        ["@friend.bsky.social", "https://example.com", "#tea"]
    );
    assert_eq!(facets[0]["features"][0]["did"], "did:plc:friend");
    assert_eq!(p.remote_id, format!("at://{DID}/app.bsky.feed.post/{rkey}"));
    assert_eq!(
        p.url.as_deref(),
        Some(format!("https://bsky.app/profile/{DID}/post/{rkey}").as_str())
    );
}

#[tokio::test]
async fn a_500_on_create_is_checked_with_get_record_and_the_existing_post_adopted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(xrpc_err(
            500,
            "InternalServerError",
            "Internal Server Error",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .and(query_param("repo", DID))
        .and(query_param("collection", "app.bsky.feed.post"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uri": format!("at://{DID}/app.bsky.feed.post/3kexisting222"),
            "cid": "bafyexisting", "value": {}
        })))
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let p = c
        .publish(&request("hello"), &Kept::default())
        .await
        .unwrap();
    assert_eq!(
        p.remote_id,
        format!("at://{DID}/app.bsky.feed.post/3kexisting222")
    );
}

#[tokio::test]
async fn a_500_whose_record_is_absent_is_sent_again_later_under_the_same_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(xrpc_err(
            500,
            "InternalServerError",
            "Internal Server Error",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .respond_with(xrpc_err(400, "RecordNotFound", "Could not locate record"))
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let kept = Kept::default();
    let err = c.publish(&request("hello"), &kept).await.unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");

    // The retry resumes from the checkpoint: same key, same createdAt.
    let mut again = request("hello");
    again.resume = Some(kept.0.lock().unwrap()[0].clone());
    let kept_again = Kept::default();
    let _ = c.publish(&again, &kept_again).await;
    let sent = creates(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["rkey"], sent[1]["rkey"]);
    assert_eq!(
        sent[0]["record"]["createdAt"],
        sent[1]["record"]["createdAt"]
    );
    assert!(
        kept_again.0.lock().unwrap().is_empty(),
        "no new keys chosen"
    );
}

#[tokio::test]
async fn a_timeout_on_create_is_settled_by_looking_the_record_up() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(created("3kslow2222222").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .respond_with(xrpc_err(500, "InternalServerError", "busy"))
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let err = c
        .publish(&request("hello"), &Kept::default())
        .await
        .unwrap_err();
    // The lookup failed too: whether it was created is not known yet.
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn a_thread_replies_to_its_root_and_parent_and_images_carry_alt_and_aspect_ratio() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.uploadBlob"))
        .and(header("content-type", "image/png"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "blob": {"$type": "blob", "ref": {"$link": "bafkreiimage"}, "mimeType": "image/png", "size": 70}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(EchoCreate)
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let mut r = request(&"Tea is a leaf. ".repeat(30));
    r.thread = true;
    // A 2×1 PNG header is enough for the aspect ratio.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&2u32.to_be_bytes());
    png.extend_from_slice(&1u32.to_be_bytes());
    r.media = vec![MediaFile {
        content_type: "image/png".into(),
        file_name: "a.png".into(),
        alt: "a cup".into(),
        bytes: Arc::new(png),
    }];
    let kept = Kept::default();
    let p = c.publish(&r, &kept).await.unwrap();
    let sent = creates(&server).await;
    assert_eq!(sent.len(), 2);
    let image = &sent[0]["record"]["embed"]["images"][0];
    assert_eq!(image["alt"], "a cup");
    assert_eq!(image["image"]["ref"]["$link"], "bafkreiimage");
    assert_eq!(image["aspectRatio"], json!({"width": 2, "height": 1}));
    let reply = &sent[1]["record"]["reply"];
    assert_eq!(reply["root"]["uri"], p.remote_id);
    assert_eq!(reply["parent"]["uri"], p.remote_id);
    assert_eq!(
        reply["parent"]["cid"],
        format!("bafy{}", sent[0]["rkey"].as_str().unwrap())
    );
    assert!(sent[1]["record"].get("embed").is_none());
    assert!(sent
        .iter()
        .all(|b| content::graphemes(b["record"]["text"].as_str().unwrap()) <= 300));
    assert_eq!(p.extra["uris"].as_array().unwrap().len(), 2);
    // Between the parts, the first one's uri and cid were kept.
    assert_eq!(kept.0.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_link_becomes_a_card() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .and(body_partial_json(json!({"record": {"embed": {
            "$type": "app.bsky.embed.external",
            "external": {"uri": "https://example.com/tea", "title": "Spring tea", "description": "New leaves"}
        }}})))
        .respond_with(EchoCreate)
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let mut r = request("Out now");
    r.link = Some("https://example.com/tea".into());
    r.title = Some("Spring tea".into());
    r.digest = Some("New leaves".into());
    c.publish(&r, &Kept::default()).await.unwrap();
}

#[tokio::test]
async fn an_expired_token_is_renewed_with_the_refresh_jwt_saved_and_the_call_repeated() {
    let server = MockServer::start().await;
    let fresh = jwt("acc-2", 7200);
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .and(bearer_token("acc-1"))
        .respond_with(xrpc_err(400, "ExpiredToken", "Token has expired"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.refreshSession"))
        .and(bearer_token("refresh-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "did": DID, "handle": "brand.example", "accessJwt": fresh, "refreshJwt": "refresh-2", "active": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .and(bearer_token(fresh.as_str()))
        .respond_with(EchoCreate)
        .expect(1)
        .mount(&server)
        .await;
    let store = Store::new(creds("acc-1", 3600));
    let c = client(&server, store.clone());
    c.publish(&request("hello"), &Kept::default())
        .await
        .unwrap();
    assert_eq!(*store.saves.lock().unwrap(), std::slice::from_ref(&fresh));
    let saved = store.creds.lock().unwrap().clone();
    match saved {
        Credentials::Bluesky {
            refresh_jwt,
            access_expires_at,
            ..
        } => {
            assert_eq!(refresh_jwt, "refresh-2");
            // Read from the JWT's exp claim.
            assert!(access_expires_at > Utc::now() + TimeDelta::seconds(7000));
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_the_app_password_and_a_refused_password_asks_to_reconnect(
) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.refreshSession"))
        .respond_with(xrpc_err(400, "ExpiredToken", "Token has been revoked"))
        .mount(&server)
        .await;
    let fresh = jwt("acc-3", 7200);
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .and(body_partial_json(
            json!({"identifier": DID, "password": "abcd-efgh-ijkl-mnop"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "did": DID, "handle": "brand.example", "accessJwt": fresh, "refreshJwt": "refresh-3"
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(xrpc_err(
            401,
            "AuthenticationRequired",
            "Invalid identifier or password",
        ))
        .mount(&server)
        .await;
    let store = Store::new(creds("acc-1", 0));
    let c = client(&server, store.clone());
    c.refresh_credentials().await.unwrap();
    assert_eq!(store.access(), fresh);

    let err = c.refresh_credentials().await.unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
}

#[tokio::test]
async fn rate_limits_say_when_to_come_back_and_a_daily_window_is_a_quota() {
    let server = MockServer::start().await;
    let reset = Utc::now().timestamp() + 600;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(
            xrpc_err(429, "RateLimitExceeded", "Rate Limit Exceeded")
                .insert_header("ratelimit-reset", reset.to_string())
                .insert_header("ratelimit-policy", "5000;w=3600"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(
            xrpc_err(429, "RateLimitExceeded", "Rate Limit Exceeded")
                .insert_header("ratelimit-reset", reset.to_string())
                .insert_header("ratelimit-policy", "35000;w=86400"),
        )
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    match c
        .publish(&request("a"), &Kept::default())
        .await
        .unwrap_err()
    {
        PlatformError::RetryAt { at, .. } => assert_eq!(at.unwrap().timestamp(), reset),
        e => panic!("{e:?}"),
    }
    match c
        .publish(&request("b"), &Kept::default())
        .await
        .unwrap_err()
    {
        PlatformError::QuotaExhausted { until, .. } => assert_eq!(until.timestamp(), reset),
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn an_invalid_record_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.repo.createRecord"))
        .respond_with(xrpc_err(
            400,
            "InvalidRequest",
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
        ))
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let err = c
        .publish(&request("x"), &Kept::default())
        .await
        .unwrap_err();
    match err {
        PlatformError::Permanent { reason } => assert!(reason.contains("300 graphemes")),
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn reconciling_looks_up_every_kept_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .and(query_param("rkey", "3kaaaaaaaaaa2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "uri": format!("at://{DID}/app.bsky.feed.post/3kaaaaaaaaaa2"), "cid": "bafya", "value": {}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.repo.getRecord"))
        .and(query_param("rkey", "3kaaaaaaaaaa3"))
        .respond_with(xrpc_err(400, "RecordNotFound", "Could not locate record"))
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let since = Utc::now();
    let mut r = request("hello");
    assert_eq!(c.reconcile(&r, since).await.unwrap(), Reconciled::Absent);

    r.resume = Some(
        json!({"rkeys": ["3kaaaaaaaaaa2"], "created_at": "2026-05-01T09:00:00.000Z", "posts": []}),
    );
    match c.reconcile(&r, since).await.unwrap() {
        Reconciled::Found(p) => {
            assert_eq!(
                p.remote_id,
                format!("at://{DID}/app.bsky.feed.post/3kaaaaaaaaaa2")
            )
        }
        other => panic!("{other:?}"),
    }
    // A thread whose second part is missing is sent again (same keys).
    r.resume = Some(
        json!({"rkeys": ["3kaaaaaaaaaa2", "3kaaaaaaaaaa3"], "created_at": "2026-05-01T09:00:00.000Z"}),
    );
    assert_eq!(c.reconcile(&r, since).await.unwrap(), Reconciled::Absent);
}

#[tokio::test]
async fn metrics_are_read_25_posts_at_a_time_with_bluesky_names_kept() {
    let server = MockServer::start().await;
    struct Posts;
    impl wiremock::Respond for Posts {
        fn respond(&self, r: &Request) -> ResponseTemplate {
            let uris: Vec<String> = r
                .url
                .query_pairs()
                .filter(|(k, _)| k == "uris")
                .map(|(_, v)| v.into_owned())
                .collect();
            assert!(uris.len() <= 25);
            let posts: Vec<Value> = uris
                .iter()
                .map(|u| json!({"uri": u, "cid": "c", "likeCount": 7, "repostCount": 2, "quoteCount": 1, "replyCount": 3}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({ "posts": posts }))
        }
    }
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.getPosts"))
        .respond_with(Posts)
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server, Store::new(creds("acc-1", 3600)));
    let posts: Vec<RemotePost> = (0..30)
        .map(|i| RemotePost {
            remote_id: format!("at://{DID}/app.bsky.feed.post/3k{i:011}"),
            published_at: Utc::now(),
            extra: Value::Null,
        })
        .collect();
    let reports = c.metrics(&posts).await.unwrap();
    assert_eq!(reports.len(), 30);
    let m = &reports[0].metrics;
    assert_eq!(m.reactions, Some(Figure::new(7, "likeCount")));
    assert_eq!(m.shares, Some(Figure::new(3, "repostCount+quoteCount")));
    assert_eq!(m.comments, Some(Figure::new(3, "replyCount")));
    assert_eq!(m.views, None);
}

#[tokio::test]
async fn sign_in_resolves_the_handle_and_finds_the_pds_in_the_did_document() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "brand.example"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"did": DID})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .and(body_partial_json(json!({"identifier": DID, "password": "abcd-efgh-ijkl-mnop"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "did": DID, "handle": "brand.example", "accessJwt": jwt("a", 7200), "refreshJwt": "r",
            "didDoc": {"id": DID, "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": "https://pds.example.net"}]}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "nobody.example"))
        .respond_with(xrpc_err(400, "InvalidRequest", "Unable to resolve handle"))
        .mount(&server)
        .await;
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let c = sign_in(&http, &endpoints, "@brand.example", "abcd-efgh-ijkl-mnop")
        .await
        .unwrap();
    match c {
        Credentials::Bluesky {
            did, pds, handle, ..
        } => {
            assert_eq!(did, DID);
            assert_eq!(handle, "brand.example");
            assert_eq!(pds.as_deref(), Some("https://pds.example.net"));
        }
        _ => unreachable!(),
    }
    let err = sign_in(&http, &endpoints, "nobody.example", "abcd-efgh-ijkl-mnop")
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
}

#[test]
fn app_passwords_have_four_groups_of_four() {
    assert!(is_app_password("abcd-efgh-ijkl-mnop"));
    assert!(!is_app_password("my secret password"));
    assert!(!is_app_password("abcd-efgh-ijkl"));
}

#[test]
fn debug_output_hides_the_session_and_the_app_password() {
    let text = format!("{:?}", creds("secret-access", 10));
    assert!(text.contains(DID));
    assert!(!text.contains("secret-access") && !text.contains("abcd-efgh"));
}
