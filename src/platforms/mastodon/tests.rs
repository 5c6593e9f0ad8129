//! Request shapes, idempotency keys, media processing and error classes of
//! the Mastodon client against a wiremock instance.

use super::*;
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{bearer_token, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn creds(options: StatusOptions) -> Credentials {
    Credentials::Mastodon {
        account_id: "42".into(),
        username: "brand".into(),
        instance: None,
        client_id: "cid".into(),
        client_secret: "csecret".into(),
        access_token: "tok".into(),
        options,
    }
}

#[derive(Default)]
struct Kept(Mutex<Vec<Value>>);

#[async_trait]
impl Checkpoint for Kept {
    async fn record(&self, progress: &Value) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(progress.clone());
        Ok(())
    }
}

fn client(server: &MockServer, c: Credentials) -> MastodonClient {
    let mut endpoints = Endpoints::single_host(&server.uri());
    endpoints.timeout = Duration::from_millis(1500);
    MastodonClient::new(
        http::build(&endpoints).unwrap(),
        endpoints,
        MemoryCredentials::new(c),
    )
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

fn status(id: &str, text: &str) -> Value {
    json!({
        "id": id, "created_at": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "url": format!("https://social.example/@brand/{id}"),
        "content": format!("<p>{}</p>", text.replace('&', "&amp;")),
        "favourites_count": 4, "reblogs_count": 2, "replies_count": 1, "quotes_count": 1,
    })
}

async fn instance(server: &MockServer, max: usize) {
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "domain": "social.example",
            "configuration": {"statuses": {"max_characters": max, "characters_reserved_per_url": 23}}
        })))
        .mount(server)
        .await;
}

/// Answers a status create with an id per idempotency key.
struct ByKey;

impl wiremock::Respond for ByKey {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let key = r.headers.get("idempotency-key").unwrap().to_str().unwrap();
        let id = if key.ends_with(":1") { "102" } else { "101" };
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        ResponseTemplate::new(200).set_body_json(status(id, body["status"].as_str().unwrap()))
    }
}

fn bodies(reqs: &[Request], p: &str) -> Vec<(String, Value)> {
    reqs.iter()
        .filter(|r| r.url.path() == p && r.method.as_str() == "POST")
        .map(|r| {
            (
                r.headers
                    .get("idempotency-key")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_status_carries_the_deliverys_idempotency_key_visibility_and_content_warning() {
    let server = MockServer::start().await;
    instance(&server, 500).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(bearer_token("tok"))
        .and(header("idempotency-key", "d-1"))
        .respond_with(ByKey)
        .expect(1)
        .mount(&server)
        .await;
    let c = client(
        &server,
        creds(StatusOptions {
            visibility: Some("unlisted".into()),
            spoiler_text: Some("Tea talk".into()),
        }),
    );
    let p = c
        .publish(&request("Spring oolong"), &Kept::default())
        .await
        .unwrap();
    assert_eq!(p.remote_id, "101");
    assert_eq!(p.url.as_deref(), Some("https://social.example/@brand/101"));
    let sent = bodies(
        &server.received_requests().await.unwrap(),
        "/api/v1/statuses",
    );
    assert_eq!(sent[0].1["visibility"], "unlisted");
    assert_eq!(sent[0].1["spoiler_text"], "Tea talk");
}

#[tokio::test]
async fn a_thread_replies_part_by_part_each_with_its_own_stable_key_and_media_waits_for_processing()
{
    let server = MockServer::start().await;
    instance(&server, 500).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"id": "m1", "type": "image", "url": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/m1"))
        .respond_with(ResponseTemplate::new(206).set_body_json(json!({"id": "m1", "url": null})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/m1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "m1", "url": "https://files.example/m1.png"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ByKey)
        .mount(&server)
        .await;
    let c = client(&server, creds(StatusOptions::default()));
    let mut r = request(&"A leaf, a cup, a morning. ".repeat(30));
    r.thread = true;
    r.media = vec![MediaFile {
        content_type: "image/png".into(),
        file_name: "a.png".into(),
        alt: "a cup".into(),
        bytes: Arc::new(b"png".to_vec()),
    }];
    let kept = Kept::default();
    let p = c.publish(&r, &kept).await.unwrap();
    let sent = bodies(
        &server.received_requests().await.unwrap(),
        "/api/v1/statuses",
    );
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].0, "d-1");
    assert_eq!(sent[1].0, "d-1:1");
    assert_eq!(sent[0].1["media_ids"], json!(["m1"]));
    assert_eq!(sent[1].1["in_reply_to_id"], "101");
    assert!(sent
        .iter()
        .all(|(_, b)| content::mastodon_length(b["status"].as_str().unwrap()) <= 500));
    assert_eq!(p.extra["status_ids"], json!(["101", "102"]));
    // The media id was kept before any status referred to it.
    assert_eq!(kept.0.lock().unwrap()[0]["media_ids"], json!(["m1"]));
}

#[tokio::test]
async fn the_instances_own_limit_is_used() {
    let server = MockServer::start().await;
    instance(&server, 1000).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ByKey)
        .mount(&server)
        .await;
    let c = client(&server, creds(StatusOptions::default()));
    // 700 characters: too long for 500, fine on this instance.
    c.publish(&request(&"x".repeat(700)), &Kept::default())
        .await
        .unwrap();
    let err = c
        .publish(&request(&"y".repeat(1200)), &Kept::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Permanent { .. }), "{err:?}");
}

#[tokio::test]
async fn errors_are_classified() {
    let server = MockServer::start().await;
    instance(&server, 500).await;
    let reset = "2026-12-07T12:15:00.000Z";
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(body_partial_json(json!({"status": "limited"})))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"error": "Too many requests"}))
                .insert_header("x-ratelimit-reset", reset),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(body_partial_json(json!({"status": "revoked"})))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token was revoked"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(body_partial_json(json!({"status": "invalid"})))
        .respond_with(ResponseTemplate::new(422).set_body_json(
            json!({"error": "Validation failed: Text character limit of 500 exceeded"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(body_partial_json(json!({"status": "busy"})))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"error": "Service Unavailable"})),
        )
        .mount(&server)
        .await;
    let c = client(&server, creds(StatusOptions::default()));
    let k = Kept::default();
    match c.publish(&request("limited"), &k).await.unwrap_err() {
        PlatformError::RetryAt { at, .. } => {
            assert_eq!(at.unwrap().to_rfc3339(), "2026-12-07T12:15:00+00:00")
        }
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        c.publish(&request("revoked"), &k).await.unwrap_err(),
        PlatformError::Reauthorize { .. }
    ));
    match c.publish(&request("invalid"), &k).await.unwrap_err() {
        PlatformError::Permanent { reason } => assert!(reason.contains("character limit")),
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        c.publish(&request("busy"), &k).await.unwrap_err(),
        PlatformError::Unknown { .. }
    ));
}

#[tokio::test]
async fn reconciling_matches_the_accounts_statuses_by_text_and_trusts_the_key_within_the_hour() {
    let server = MockServer::start().await;
    instance(&server, 500).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/42/statuses"))
        .and(query_param("limit", "40"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            status("201", "Tea & cakes at ten"),
            status("200", "Something else"),
        ])))
        .mount(&server)
        .await;
    let c = client(&server, creds(StatusOptions::default()));
    let since = Utc::now() - TimeDelta::minutes(1);
    match c
        .reconcile(&request("Tea & cakes at ten"), since)
        .await
        .unwrap()
    {
        Reconciled::Found(p) => assert_eq!(p.remote_id, "201"),
        other => panic!("{other:?}"),
    }
    // Not there, within the hour: sending again is answered by the key.
    assert_eq!(
        c.reconcile(&request("Never sent"), since).await.unwrap(),
        Reconciled::Absent
    );
    // Long after, the complete listing proves it absent too.
    let old = Utc::now() - TimeDelta::hours(3);
    assert_eq!(
        c.reconcile(&request("Never sent"), old).await.unwrap(),
        Reconciled::Absent
    );
}

#[tokio::test]
async fn metrics_use_the_batch_lookup_and_fall_back_to_one_by_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses"))
        .and(query_param("id[]", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([status("1", "a")])))
        .mount(&server)
        .await;
    let c = client(&server, creds(StatusOptions::default()));
    let post = |id: &str| RemotePost {
        remote_id: id.into(),
        published_at: Utc::now(),
        extra: Value::Null,
    };
    let r = c.metrics(&[post("1")]).await.unwrap();
    assert_eq!(
        r[0].metrics.reactions,
        Some(Figure::new(4, "favourites_count"))
    );
    assert_eq!(
        r[0].metrics.shares,
        Some(Figure::new(3, "reblogs_count+quotes_count"))
    );
    assert_eq!(r[0].metrics.comments, Some(Figure::new(1, "replies_count")));

    let old = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "Not Found"})))
        .mount(&old)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status("7", "b")))
        .mount(&old)
        .await;
    let c = client(&old, creds(StatusOptions::default()));
    let r = c.metrics(&[post("7"), post("8")]).await.unwrap();
    assert_eq!(r.len(), 1, "the deleted one is left out");
}

#[tokio::test]
async fn connecting_registers_an_app_and_trades_the_code_with_pkce() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .and(body_partial_json(json!({"client_name": "Tongbu", "scopes": SCOPES, "redirect_uris": "https://app.example/cb"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"client_id": "cid", "client_secret": "cs"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains(
            "code_verifier=ver",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "new", "token_type": "Bearer"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(bearer_token("new"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "42", "username": "brand", "acct": "brand"})),
        )
        .mount(&server)
        .await;
    let base = server.uri();
    let endpoints = Endpoints::single_host(&base);
    let http = http::build(&endpoints).unwrap();
    let app = register_app(&http, &base, "https://app.example/cb")
        .await
        .unwrap();
    let url = authorize_url(
        &base,
        &app.client_id,
        "https://app.example/cb",
        "st",
        "chal",
    );
    assert!(url.contains("code_challenge_method=S256") && url.contains("client_id=cid"));
    let c = exchange_code(
        &http,
        &endpoints,
        &base,
        &app,
        "https://app.example/cb",
        "code",
        "ver",
    )
    .await
    .unwrap();
    match c {
        Credentials::Mastodon {
            account_id,
            instance,
            access_token,
            ..
        } => {
            assert_eq!(account_id, "42");
            assert_eq!(instance, None, "the channel's own base");
            assert_eq!(access_token, "new");
        }
        _ => unreachable!(),
    }
}

#[test]
fn instances_are_read_from_what_people_type() {
    assert_eq!(
        instance_url("mastodon.social").as_deref(),
        Some("https://mastodon.social")
    );
    assert_eq!(
        instance_url("@me@hachyderm.io").as_deref(),
        Some("https://hachyderm.io")
    );
    assert_eq!(
        instance_url("https://social.example/").as_deref(),
        Some("https://social.example")
    );
    assert_eq!(instance_url("not a host"), None);
}

#[test]
fn html_content_reads_back_as_text() {
    assert_eq!(
        html_text("<p>Tea &amp; <a href=\"https://x.example\"><span>x.example</span></a></p><p>Line<br>two</p>"),
        "Tea & x.example\n\nLine\ntwo"
    );
}
