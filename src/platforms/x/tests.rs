//! Request shapes, token handling and error classes of the X client
//! against a wiremock X API.

use super::*;
use crate::platforms::NoCheckpoint;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{
    basic_auth, bearer_token, body_json, body_string_contains, header, header_regex, method, path,
    query_param,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const USER: &str = "1500000000000000001";

fn creds(expires_in_secs: i64, secret: Option<&str>) -> Credentials {
    Credentials::X {
        user_id: USER.into(),
        client_id: "cid".into(),
        client_secret: secret.map(str::to_owned),
        access_token: "acc-1".into(),
        refresh_token: "ref-1".into(),
        expires_at: Utc::now() + TimeDelta::seconds(expires_in_secs),
    }
}

/// A credential store that logs saves into a shared event log (which the
/// mock API also writes to) and can be told to fail them.
struct Store {
    creds: Mutex<Credentials>,
    log: Arc<Mutex<Vec<String>>>,
    fail_save: bool,
}

impl Store {
    fn new(c: Credentials) -> Arc<Store> {
        Arc::new(Store {
            creds: Mutex::new(c),
            log: Arc::default(),
            fail_save: false,
        })
    }
    fn current(&self) -> Credentials {
        self.creds.lock().unwrap().clone()
    }
}

#[async_trait]
impl CredentialStore for Store {
    async fn load(&self) -> Result<Credentials, PlatformError> {
        Ok(self.current())
    }
    async fn save(&self, c: &Credentials) -> Result<(), PlatformError> {
        if self.fail_save {
            return Err(PlatformError::retry("the database is unavailable"));
        }
        if let Credentials::X { access_token, .. } = c {
            self.log
                .lock()
                .unwrap()
                .push(format!("save:{access_token}"));
        }
        *self.creds.lock().unwrap() = c.clone();
        Ok(())
    }
}

fn client_with(base: &str, store: Arc<Store>, timeout: Duration) -> XClient {
    let mut endpoints = Endpoints::single_host(base);
    endpoints.timeout = timeout;
    XClient::new(http::build(&endpoints).unwrap(), endpoints, store)
}

fn client(server: &MockServer, store: Arc<Store>) -> XClient {
    client_with(&server.uri(), store, Duration::from_secs(5))
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

fn image(name: &str) -> MediaFile {
    MediaFile {
        content_type: "image/png".into(),
        file_name: name.into(),
        alt: "alt".into(),
        bytes: Arc::new(format!("png {name}").into_bytes()),
    }
}

fn created(id: &str, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(201)
        .set_body_json(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}))
}

fn granted(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "token_type": "bearer", "expires_in": 7200, "access_token": access,
        "scope": SCOPES, "refresh_token": refresh
    }))
}

fn unauthorized() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(
        json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
    )
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Value>>);

#[async_trait]
impl Checkpoint for Recorder {
    async fn record(&self, progress: &Value) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(progress.clone());
        Ok(())
    }
}

fn long_text() -> String {
    (1..=3)
        .map(|i| format!("Paragraph {i}: {}", "word ".repeat(40).trim_end()))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Answers every tweet create with ids t1, t2, ... and keeps the bodies.
fn tweet_recorder(
    first: usize,
) -> (
    impl Fn(&Request) -> ResponseTemplate,
    Arc<Mutex<Vec<Value>>>,
) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let next = AtomicUsize::new(first);
    let respond = move |req: &Request| {
        let body: Value = req.body_json().unwrap();
        seen.lock().unwrap().push(body.clone());
        let id = format!("t{}", next.fetch_add(1, Ordering::SeqCst));
        created(&id, body["text"].as_str().unwrap_or(""))
    };
    (respond, bodies)
}

// ---------------------------------------------------------------- publish

#[tokio::test]
async fn single_tweet_is_posted_with_bearer_and_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(header("authorization", "Bearer acc-1"))
        .and(body_json(
            json!({"text": "Hello X\n\nhttps://example.com/a"}),
        ))
        .respond_with(created("111", "Hello X https://t.co/x"))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request(" Hello X ");
    req.link = Some("https://example.com/a".into());
    let published = client(&server, Store::new(creds(3600, None)))
        .publish(&req, &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(
        published,
        Published {
            remote_id: "111".into(),
            url: Some("https://x.com/i/web/status/111".into()),
            extra: json!({"tweet_ids": ["111"]}),
            pending: false,
        }
    );
}

#[tokio::test]
async fn long_text_becomes_a_chained_thread_checkpointed_until_its_last_tweet() {
    let server = MockServer::start().await;
    let text = long_text();
    let parts = content::split_thread(&text, 280);
    assert!(parts.len() >= 2);
    let (respond, bodies) = tweet_recorder(1);
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(respond)
        .expect(parts.len() as u64)
        .mount(&server)
        .await;
    let mut req = request(&text);
    req.thread = true;
    let recorder = Recorder::default();
    let published = client(&server, Store::new(creds(3600, None)))
        .publish(&req, &recorder)
        .await
        .unwrap();
    let ids: Vec<String> = (1..=parts.len()).map(|i| format!("t{i}")).collect();
    assert_eq!(published.remote_id, "t1");
    assert_eq!(published.extra, json!({ "tweet_ids": ids }));
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies[0], json!({"text": parts[0]}));
    for i in 1..parts.len() {
        assert_eq!(
            bodies[i],
            json!({"text": parts[i], "reply": {"in_reply_to_tweet_id": ids[i - 1]}})
        );
    }
    // Every tweet but the last is checkpointed (a resume continues after
    // it); the last one's id is in the outcome.
    let checkpoints = recorder.0.lock().unwrap();
    assert_eq!(checkpoints.len(), parts.len() - 1);
    assert_eq!(
        checkpoints[0],
        json!({"media_ids": [], "tweet_ids": ["t1"]})
    );
    assert_eq!(
        checkpoints.last().unwrap()["tweet_ids"],
        serde_json::to_value(&ids[..parts.len() - 1]).unwrap()
    );
}

#[tokio::test]
async fn resumed_thread_continues_after_the_last_recorded_tweet() {
    let server = MockServer::start().await;
    let text = long_text();
    let parts = content::split_thread(&text, 280);
    let (respond, bodies) = tweet_recorder(2);
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(respond)
        .expect(parts.len() as u64 - 1)
        .mount(&server)
        .await;
    let mut req = request(&text);
    req.thread = true;
    req.resume = Some(json!({"media_ids": [], "tweet_ids": ["t1"]}));
    let published = client(&server, Store::new(creds(3600, None)))
        .publish(&req, &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(published.remote_id, "t1");
    let bodies = bodies.lock().unwrap();
    assert_eq!(
        bodies[0],
        json!({"text": parts[1], "reply": {"in_reply_to_tweet_id": "t1"}})
    );
    assert_eq!(
        published.extra["tweet_ids"].as_array().unwrap().len(),
        parts.len()
    );
}

#[tokio::test]
async fn images_are_uploaded_first_and_attached_to_the_first_tweet() {
    let server = MockServer::start().await;
    let next = AtomicUsize::new(1);
    Mock::given(method("POST"))
        .and(path("/2/media/upload"))
        .and(header("authorization", "Bearer acc-1"))
        .and(header_regex("content-type", "^multipart/form-data; boundary="))
        .and(body_string_contains("name=\"media\"; filename=\""))
        .and(body_string_contains("name=\"media_category\"\r\n\r\ntweet_image\r\n"))
        .respond_with(move |_: &Request| {
            let n = next.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!({"data": {
                "id": format!("m{n}"), "media_key": format!("3_m{n}"), "size": 10,
                "expires_after_secs": 86400, "image": {"image_type": "image/png", "w": 1, "h": 1}}}))
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(body_json(
            json!({"text": "pics", "media": {"media_ids": ["m1", "m2"]}}),
        ))
        .respond_with(created("222", "pics"))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("pics");
    req.media = vec![image("a.png"), image("b.png")];
    let recorder = Recorder::default();
    let published = client(&server, Store::new(creds(3600, None)))
        .publish(&req, &recorder)
        .await
        .unwrap();
    assert_eq!(published.remote_id, "222");
    // Each upload is checkpointed; the single tweet is the outcome.
    let checkpoints = recorder.0.lock().unwrap();
    assert_eq!(checkpoints.len(), 2);
    assert_eq!(checkpoints[0]["media_ids"], json!(["m1"]));
    assert_eq!(checkpoints[1]["media_ids"], json!(["m1", "m2"]));
    assert_eq!(checkpoints[1]["tweet_ids"], json!([]));
    assert!(checkpoints[1]["media_uploaded_at"].is_string());
}

#[tokio::test]
async fn resume_reuses_recent_media_but_uploads_again_when_stale() {
    let now = Utc::now();
    let recent = json!({"media_ids": ["m1"], "tweet_ids": [],
                        "media_uploaded_at": (now - TimeDelta::hours(1)).to_rfc3339()});
    let p = Progress::from_resume(Some(&recent), now);
    assert_eq!(p.media_ids, vec!["m1"]);
    let stale = json!({"media_ids": ["m1"], "tweet_ids": [],
                       "media_uploaded_at": (now - TimeDelta::hours(23)).to_rfc3339()});
    assert!(Progress::from_resume(Some(&stale), now)
        .media_ids
        .is_empty());
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn expiring_token_is_refreshed_saved_and_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=ref-1"))
        .and(body_string_contains("client_id=cid"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(bearer_token("acc-2"))
        .respond_with(created("333", "hi"))
        .expect(1)
        .mount(&server)
        .await;
    let store = Store::new(creds(30, None));
    client(&server, store.clone())
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap();
    match store.current() {
        Credentials::X {
            access_token,
            refresh_token,
            expires_at,
            ..
        } => {
            assert_eq!(
                (access_token.as_str(), refresh_token.as_str()),
                ("acc-2", "ref-2")
            );
            assert!(expires_at > Utc::now() + TimeDelta::minutes(100));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rotated_pair_is_saved_before_the_next_api_call() {
    let server = MockServer::start().await;
    let store = Store::new(creds(-10, None));
    let log = store.log.clone();
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(move |req: &Request| {
            let auth = req.headers.get("authorization").unwrap().to_str().unwrap();
            log.lock().unwrap().push(format!("api:{auth}"));
            created("444", "hi")
        })
        .expect(1)
        .mount(&server)
        .await;
    client(&server, store.clone())
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(
        *store.log.lock().unwrap(),
        vec!["save:acc-2", "api:Bearer acc-2"]
    );
}

#[tokio::test]
async fn a_pair_that_cannot_be_saved_is_not_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("555", "hi"))
        .expect(0)
        .mount(&server)
        .await;
    let store = Arc::new(Store {
        creds: Mutex::new(creds(-10, None)),
        log: Arc::default(),
        fail_save: true,
    });
    let err = client(&server, store)
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
}

#[tokio::test]
async fn ten_concurrent_calls_share_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(granted("acc-2", "ref-2").set_delay(Duration::from_millis(50)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .and(bearer_token("acc-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"id": USER, "name": "Tongbu Demo", "username": "tongbu_demo"}}),
        ))
        .expect(10)
        .mount(&server)
        .await;
    let c = Arc::new(client(&server, Store::new(creds(-10, None))));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.account().await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().id, USER);
    }
}

#[tokio::test]
async fn unauthorized_create_refreshes_once_and_retries_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(bearer_token("acc-1"))
        .respond_with(unauthorized())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(body_string_contains("refresh_token=ref-1"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(bearer_token("acc-2"))
        .respond_with(created("666", "hi"))
        .expect(1)
        .mount(&server)
        .await;
    let published = client(&server, Store::new(creds(3600, None)))
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(published.remote_id, "666");
}

#[tokio::test]
async fn still_unauthorized_after_refresh_means_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(unauthorized())
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, Store::new(creds(3600, None)))
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
}

#[tokio::test]
async fn refused_refresh_token_means_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid."
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("777", "hi"))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server, Store::new(creds(-10, None)))
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
    assert!(!err.to_string().contains("ref-1"));
}

#[tokio::test]
async fn confidential_client_refreshes_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(basic_auth("cid", "sec"))
        .and(body_string_contains("refresh_token=ref-1"))
        .respond_with(granted("acc-2", "ref-2"))
        .expect(1)
        .mount(&server)
        .await;
    client(&server, Store::new(creds(3600, Some("sec"))))
        .refresh_credentials()
        .await
        .unwrap();
}

// ---------------------------------------------------------------- errors

fn answer(status: u16, body: Value, headers: &[(&str, &str)]) -> Answer {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    Answer {
        status: StatusCode::from_u16(status).unwrap(),
        headers: map,
        body: body.to_string(),
    }
}

#[test]
fn x_errors_are_classified() {
    let now = Utc::now();
    let reset = now.timestamp() + 900;
    let reset_s = reset.to_string();
    let too_many = json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429});
    match classify(
        &answer(429, too_many.clone(), &[("x-rate-limit-reset", &reset_s)]),
        Call::Create,
        now,
    ) {
        PlatformError::RetryAt { at: Some(at), .. } => assert_eq!(at.timestamp(), reset),
        other => panic!("{other:?}"),
    }
    let capped = json!({"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap", "type": "https://api.twitter.com/2/problems/usage-capped", "status": 429});
    assert!(matches!(
        classify(&answer(429, capped.clone(), &[]), Call::Read, now),
        PlatformError::QuotaExhausted { .. }
    ));
    assert!(matches!(
        classify(&answer(403, capped, &[]), Call::Create, now),
        PlatformError::QuotaExhausted { .. }
    ));
    match classify(
        &answer(
            429,
            too_many,
            &[
                ("x-user-limit-24hour-remaining", "0"),
                ("x-user-limit-24hour-reset", &reset_s),
            ],
        ),
        Call::Create,
        now,
    ) {
        PlatformError::QuotaExhausted { until, .. } => assert_eq!(until.timestamp(), reset),
        other => panic!("{other:?}"),
    }
    let duplicate = json!({"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank", "title": "Forbidden", "status": 403});
    match classify(&answer(403, duplicate, &[]), Call::Create, now) {
        PlatformError::Permanent { reason } => {
            assert!(reason.contains("identical") && reason.contains("may already be published"))
        }
        other => panic!("{other:?}"),
    }
    let forbidden = json!({"detail": "You are not permitted to perform this action.", "title": "Forbidden", "status": 403});
    assert!(matches!(
        classify(&answer(403, forbidden, &[]), Call::Create, now),
        PlatformError::Permanent { .. }
    ));
    let invalid = json!({"errors": [{"message": "The `text` field is required"}], "title": "Invalid Request"});
    assert!(matches!(
        classify(&answer(400, invalid, &[]), Call::Create, now),
        PlatformError::Permanent { .. }
    ));
    assert!(matches!(
        classify(
            &answer(503, json!({"title": "Service Unavailable"}), &[]),
            Call::Create,
            now
        ),
        PlatformError::Unknown { .. }
    ));
    assert!(matches!(
        classify(
            &answer(503, json!({"title": "Service Unavailable"}), &[]),
            Call::Read,
            now
        ),
        PlatformError::RetryAt { at: None, .. }
    ));
}

#[tokio::test]
async fn rate_limited_create_waits_for_the_reset() {
    let server = MockServer::start().await;
    let reset = Utc::now().timestamp() + 600;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}))
                .insert_header("x-rate-limit-limit", "200")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server, Store::new(creds(3600, None)))
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap_err();
    match err {
        PlatformError::RetryAt { at: Some(at), .. } => assert_eq!(at.timestamp(), reset),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn hang_past_the_timeout_is_unknown_on_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(created("late", "hi").set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let err = client_with(
        &server.uri(),
        Store::new(creds(3600, None)),
        Duration::from_millis(300),
    )
    .publish(&request("hi"), &NoCheckpoint)
    .await
    .unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    assert!(!err.to_string().contains("acc-1"));
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client_with(&base, Store::new(creds(3600, None)), Duration::from_secs(2))
        .publish(&request("hi"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
}

// ---------------------------------------------------------------- reconcile

async fn reconcile_with(tweets: Value, req: &PublishRequest, since: DateTime<Utc>) -> Reconciled {
    try_reconcile_with(tweets, req, since).await.unwrap()
}

async fn try_reconcile_with(
    tweets: Value,
    req: &PublishRequest,
    since: DateTime<Utc>,
) -> Result<Reconciled, PlatformError> {
    let server = MockServer::start().await;
    let start = (since - TimeDelta::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{USER}/tweets")))
        .and(bearer_token("acc-1"))
        .and(query_param("max_results", "100"))
        .and(query_param("start_time", start.as_str()))
        .and(query_param("tweet.fields", "created_at,text"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": tweets, "meta": {"result_count": 0}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    client(&server, Store::new(creds(3600, None)))
        .reconcile(req, since)
        .await
}

#[tokio::test]
async fn reconcile_pages_through_a_busy_account() {
    // 150 tweets since the attempt: ours is on the second page.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{USER}/tweets")))
        .and(query_param("pagination_token", "page-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"id": "77", "text": "mine"}], "meta": {"result_count": 1}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let first: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("{}", 1000 + i), "text": format!("other {i}")}))
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{USER}/tweets")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": first, "meta": {"result_count": 100, "next_token": "page-2"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let r = client(&server, Store::new(creds(3600, None)))
        .reconcile(&request("mine"), Utc::now() - TimeDelta::minutes(10))
        .await
        .unwrap();
    assert!(
        matches!(r, Reconciled::Found(ref p) if p.remote_id == "77"),
        "{r:?}"
    );
}

#[tokio::test]
async fn reconcile_beyond_what_it_reads_is_undecided() {
    // Every page names another: after ten pages it stops and says so.
    let server = MockServer::start().await;
    let page: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("{}", 1000 + i), "text": format!("other {i}")}))
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("/2/users/{USER}/tweets")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": page, "meta": {"result_count": 100, "next_token": "more"}}),
        ))
        .expect(10)
        .mount(&server)
        .await;
    let r = client(&server, Store::new(creds(3600, None)))
        .reconcile(&request("mine"), Utc::now() - TimeDelta::minutes(10))
        .await
        .unwrap();
    assert!(matches!(r, Reconciled::Undecided { .. }), "{r:?}");
}

#[tokio::test]
async fn reconcile_finds_the_tweet_by_text() {
    let since = Utc::now() - TimeDelta::seconds(5);
    let r = reconcile_with(
        json!([{"id": "900", "text": "something else"}, {"id": "901", "text": "Hello & bye"}]),
        &request("Hello & bye"),
        since,
    )
    .await;
    assert_eq!(
        r,
        Reconciled::Found(Published {
            remote_id: "901".into(),
            url: Some("https://x.com/i/web/status/901".into()),
            extra: json!({"tweet_ids": ["901"]}),
            pending: false,
        })
    );
}

#[tokio::test]
async fn reconcile_matches_despite_escaping_and_shortened_links() {
    let since = Utc::now() - TimeDelta::seconds(5);
    let mut req = request("Read <this> & that");
    req.link = Some("https://example.com/a/long/article".into());
    let r = reconcile_with(
        json!([{"id": "902", "text": "Read &lt;this&gt; &amp; that\n\nhttps://t.co/AbC123"}]),
        &req,
        since,
    )
    .await;
    assert!(
        matches!(r, Reconciled::Found(ref p) if p.remote_id == "902"),
        "{r:?}"
    );
}

#[tokio::test]
async fn reconcile_absent_once_settled_and_undecided_before() {
    let settled = Utc::now() - TimeDelta::minutes(3);
    assert_eq!(
        reconcile_with(
            json!([{"id": "1", "text": "other"}]),
            &request("mine"),
            settled
        )
        .await,
        Reconciled::Absent
    );
    // Too early is not a verdict: ask again when X lists what it took.
    let early = Utc::now() - TimeDelta::seconds(3);
    match try_reconcile_with(json!([]), &request("mine"), early).await {
        Err(PlatformError::RetryAt {
            at: Some(at),
            reason,
        }) => {
            assert!(reason.contains("too early"));
            assert_eq!(at, early + TimeDelta::seconds(60));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------- metrics

fn tweet_json(id: &str) -> Value {
    json!({"id": id, "text": "t",
           "public_metrics": {"retweet_count": 3, "reply_count": 1, "like_count": 20,
                              "quote_count": 2, "bookmark_count": 4, "impression_count": 950},
           "non_public_metrics": {"impression_count": 950, "url_link_clicks": 14, "user_profile_clicks": 5}})
}

fn lookup_responder(
    calls: Arc<Mutex<Vec<(usize, String)>>>,
) -> impl Fn(&Request) -> ResponseTemplate {
    move |req: &Request| {
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let ids: Vec<&str> = q["ids"].split(',').collect();
        calls
            .lock()
            .unwrap()
            .push((ids.len(), q["tweet.fields"].clone()));
        if ids.len() > 100 {
            return ResponseTemplate::new(400).set_body_json(json!({"title": "Invalid Request"}));
        }
        let data: Vec<Value> = ids
            .iter()
            .filter(|i| **i != "gone")
            .map(|i| tweet_json(i))
            .collect();
        let mut body = json!({ "data": data });
        if ids.contains(&"gone") {
            body["errors"] = json!([{"value": "gone", "detail": "Could not find tweet with ids: [gone].",
                "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                "resource_id": "gone", "type": "https://api.twitter.com/2/problems/resource-not-found"}]);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

#[tokio::test]
async fn metrics_of_250_posts_take_three_lookups_and_skip_deleted_ones() {
    let server = MockServer::start().await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/2/tweets"))
        .and(bearer_token("acc-1"))
        .respond_with(lookup_responder(calls.clone()))
        .expect(3)
        .mount(&server)
        .await;
    let posts: Vec<RemotePost> = (0..250)
        .map(|i| RemotePost {
            remote_id: if i == 7 {
                "gone".into()
            } else {
                format!("{i}")
            },
            published_at: Utc::now() - TimeDelta::days(1),
            extra: Value::Null,
        })
        .collect();
    let reports = client(&server, Store::new(creds(3600, None)))
        .metrics(&posts)
        .await
        .unwrap();
    let calls = calls.lock().unwrap();
    let sizes: Vec<usize> = calls.iter().map(|c| c.0).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    assert!(calls
        .iter()
        .all(|c| c.1 == "public_metrics,non_public_metrics"));
    assert_eq!(reports.len(), 249);
    assert!(reports.iter().all(|r| r.remote_id != "gone"));
    use crate::domain::metrics::Figure;
    let m = &reports[0].metrics;
    assert_eq!(m.views, Some(Figure::new(950, "impression_count")));
    assert_eq!(m.reach, None);
    assert_eq!(m.reactions, Some(Figure::new(20, "like_count")));
    assert_eq!(m.comments, Some(Figure::new(1, "reply_count")));
    assert_eq!(m.shares, Some(Figure::new(5, "retweet_count+quote_count")));
    assert_eq!(m.saves, Some(Figure::new(4, "bookmark_count")));
    assert_eq!(m.link_clicks, Some(Figure::new(14, "url_link_clicks")));
    assert_eq!(reports[0].raw["id"], "0");
}

#[tokio::test]
async fn old_posts_are_asked_for_public_metrics_only() {
    let server = MockServer::start().await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/2/tweets"))
        .respond_with(lookup_responder(calls.clone()))
        .expect(2)
        .mount(&server)
        .await;
    let post = |id: &str, days: i64| RemotePost {
        remote_id: id.into(),
        published_at: Utc::now() - TimeDelta::days(days),
        extra: Value::Null,
    };
    let reports = client(&server, Store::new(creds(3600, None)))
        .metrics(&[post("young", 2), post("old", 45)])
        .await
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(
        *calls.lock().unwrap(),
        vec![
            (1, "public_metrics,non_public_metrics".to_owned()),
            (1, "public_metrics".to_owned())
        ]
    );
}

#[tokio::test]
async fn refused_non_public_lookup_falls_back_to_public_metrics() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/tweets"))
        .and(query_param("tweet.fields", "public_metrics,non_public_metrics"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/tweets"))
        .and(query_param("tweet.fields", "public_metrics"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"id": "5", "text": "t", "public_metrics": {"like_count": 2, "impression_count": 10}}]})))
        .expect(1)
        .mount(&server)
        .await;
    let reports = client(&server, Store::new(creds(3600, None)))
        .metrics(&[RemotePost {
            remote_id: "5".into(),
            published_at: Utc::now(),
            extra: Value::Null,
        }])
        .await
        .unwrap();
    let m = &reports[0].metrics;
    assert_eq!(m.link_clicks, None);
    assert_eq!(m.shares, None);
    assert_eq!(m.reactions.as_ref().map(|f| f.value), Some(2));
}

// ---------------------------------------------------------------- account and connect

#[tokio::test]
async fn account_reads_users_me() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .and(bearer_token("acc-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"id": USER, "name": "Tongbu Demo", "username": "tongbu_demo"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let account = client(&server, Store::new(creds(3600, None)))
        .account()
        .await
        .unwrap();
    assert_eq!(
        account,
        AccountInfo {
            id: USER.into(),
            name: "Tongbu Demo".into()
        }
    );
}

#[test]
fn authorize_url_carries_scopes_state_and_challenge() {
    let endpoints = Endpoints::real(Platform::X);
    assert_eq!(
        authorize_url(
            &endpoints,
            "cid",
            "https://tongbu.example/cb/x",
            "st",
            "ch-AL_lenge"
        ),
        "https://x.com/i/oauth2/authorize?response_type=code&client_id=cid\
         &redirect_uri=https%3A%2F%2Ftongbu.example%2Fcb%2Fx\
         &scope=tweet.read%20tweet.write%20users.read%20offline.access%20media.write\
         &state=st&code_challenge=ch-AL_lenge&code_challenge_method=S256"
    );
}

#[tokio::test]
async fn exchange_code_sends_the_verifier_and_fills_the_user_id() {
    let server = MockServer::start().await;
    let pkce = Pkce::new();
    Mock::given(method("POST"))
        .and(path("/2/oauth2/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("redirect_uri=https%3A%2F%2Fh%2Fcb"))
        .and(body_string_contains(format!(
            "code_verifier={}",
            pkce.verifier
        )))
        .and(body_string_contains("client_id=cid"))
        .respond_with(granted("acc-9", "ref-9"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/me"))
        .and(bearer_token("acc-9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"id": USER, "name": "Tongbu Demo", "username": "tongbu_demo"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let creds = exchange_code(
        &http,
        &endpoints,
        "cid",
        None,
        "https://h/cb",
        "the-code",
        &pkce.verifier,
    )
    .await
    .unwrap();
    match creds {
        Credentials::X {
            user_id,
            client_id,
            client_secret,
            access_token,
            refresh_token,
            expires_at,
        } => {
            assert_eq!(user_id, USER);
            assert_eq!(client_id, "cid");
            assert_eq!(client_secret, None);
            assert_eq!(
                (access_token.as_str(), refresh_token.as_str()),
                ("acc-9", "ref-9")
            );
            assert!(expires_at > Utc::now() + TimeDelta::minutes(100));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn validate_allows_threads_only_when_asked() {
    let endpoints = Endpoints::real(Platform::X);
    let c = XClient::new(
        http::build(&endpoints).unwrap(),
        endpoints,
        Store::new(creds(3600, None)),
    );
    let mut req = request(&long_text());
    assert!(c
        .validate(&req)
        .iter()
        .any(|i| matches!(i, Issue::TooLong { .. })));
    req.thread = true;
    assert!(c.validate(&req).is_empty());
}
