//! Request shapes and error classes of the Facebook client against a
//! wiremock Graph API.

use super::*;
use crate::platforms::{MemoryCredentials, NoCheckpoint};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{
    body_json, body_string_contains, header_regex, method, path, query_param,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PAGE: &str = "100000000000777";
const TOKEN: &str = "EAAtestPAGEtoken";

fn client_at(base: &str, timeout: Duration) -> FacebookClient {
    let mut endpoints = Endpoints::single_host(base);
    endpoints.timeout = timeout;
    let http = http::build(&endpoints).unwrap();
    FacebookClient::new(
        http,
        endpoints,
        MemoryCredentials::new(Credentials::Facebook {
            page_id: PAGE.into(),
            page_token: TOKEN.into(),
        }),
    )
}

fn client(server: &MockServer) -> FacebookClient {
    client_at(&server.uri(), Duration::from_secs(5))
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

fn file(name: &str, content_type: &str) -> MediaFile {
    MediaFile {
        content_type: content_type.into(),
        file_name: name.into(),
        alt: "a picture".into(),
        bytes: Arc::new(format!("bytes of {name}").into_bytes()),
    }
}

fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Value {
    let mut e =
        json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ab1"});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    json!({ "error": e })
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

fn post(id: &str) -> RemotePost {
    RemotePost {
        remote_id: id.into(),
        published_at: Utc::now(),
        extra: Value::Null,
    }
}

fn form_batch(req: &Request) -> (Vec<Value>, Option<String>) {
    let mut batch = Vec::new();
    let mut token = None;
    for (k, v) in url::form_urlencoded::parse(&req.body) {
        match k.as_ref() {
            "batch" => batch = serde_json::from_str(&v).unwrap(),
            "access_token" => token = Some(v.into_owned()),
            _ => {}
        }
    }
    (batch, token)
}

fn sub(code: u16, body: Value) -> Value {
    json!({"code": code, "headers": [{"name": "Content-Type", "value": "application/json"}], "body": body.to_string()})
}

fn insights_body() -> Value {
    json!({"data": [
        {"name": "post_media_view", "period": "lifetime", "values": [{"value": 100}]},
        {"name": "post_total_media_view_unique", "period": "lifetime", "values": [{"value": 80}]},
        {"name": "post_clicks", "period": "lifetime", "values": [{"value": 5}]},
        {"name": "post_reactions_by_type_total", "period": "lifetime", "values": [{"value": {"like": 12, "love": 3}}]}
    ]})
}

fn engagement_body(id: &str) -> Value {
    json!({"id": id, "shares": {"count": 2},
           "comments": {"data": [], "summary": {"total_count": 3}},
           "reactions": {"data": [], "summary": {"total_count": 15}}})
}

// ---------------------------------------------------------------- publish

#[tokio::test]
async fn text_post_goes_to_feed_as_json_with_token_in_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .and(query_param("fields", "id,permalink_url"))
        .and(query_param("access_token", TOKEN))
        .and(body_json(
            json!({"message": "Hello page", "link": "https://example.com/a", "published": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": format!("{PAGE}_1"), "permalink_url": "https://www.facebook.com/p/1"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("  Hello page ");
    req.link = Some("https://example.com/a".into());
    let published = client(&server).publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(published.remote_id, format!("{PAGE}_1"));
    assert_eq!(
        published.url.as_deref(),
        Some("https://www.facebook.com/p/1")
    );
    assert!(!published.pending);
}

#[tokio::test]
async fn feed_post_without_permalink_gets_a_www_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "777_9"})))
        .mount(&server)
        .await;
    let published = client(&server)
        .publish(&request("x"), &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(
        published.url.as_deref(),
        Some("https://www.facebook.com/777_9")
    );
}

#[tokio::test]
async fn one_image_is_a_published_photo_whose_post_id_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/photos")))
        .and(query_param("access_token", TOKEN))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=",
        ))
        .and(body_string_contains("name=\"source\"; filename=\"a.png\""))
        .and(body_string_contains("bytes of a.png"))
        .and(body_string_contains(
            "name=\"caption\"\r\n\r\nLook\n\nhttps://example.com/x\r\n",
        ))
        .and(body_string_contains("name=\"published\"\r\n\r\ntrue\r\n"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "ph1", "post_id": "777_2"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("Look");
    req.link = Some("https://example.com/x".into());
    req.media = vec![file("a.png", "image/png")];
    let published = client(&server).publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(published.remote_id, "777_2");
    assert_eq!(
        published.url.as_deref(),
        Some("https://www.facebook.com/777_2")
    );
    assert_eq!(published.extra, json!({"photo_id": "ph1"}));
}

async fn mount_unpublished_photos(server: &MockServer, first: usize, expect: u64) {
    let next = AtomicUsize::new(first);
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/photos")))
        .and(query_param("access_token", TOKEN))
        .and(body_string_contains("name=\"published\"\r\n\r\nfalse\r\n"))
        .respond_with(move |_: &Request| {
            let n = next.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(json!({"id": format!("ph{n}")}))
        })
        .expect(expect)
        .mount(server)
        .await;
}

#[tokio::test]
async fn several_images_upload_unpublished_checkpoint_each_then_attach() {
    let server = MockServer::start().await;
    mount_unpublished_photos(&server, 1, 2).await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .and(query_param("access_token", TOKEN))
        .and(body_json(json!({
            "message": "Two pics",
            "published": true,
            "attached_media": [{"media_fbid": "ph1"}, {"media_fbid": "ph2"}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "777_3"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("Two pics");
    req.media = vec![file("a.png", "image/png"), file("b.jpg", "image/jpeg")];
    let recorder = Recorder::default();
    let published = client(&server).publish(&req, &recorder).await.unwrap();
    assert_eq!(published.remote_id, "777_3");
    assert_eq!(published.extra, json!({"photo_ids": ["ph1", "ph2"]}));
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![
            json!({"photo_ids": ["ph1"]}),
            json!({"photo_ids": ["ph1", "ph2"]})
        ]
    );
}

#[tokio::test]
async fn resumed_multi_photo_post_skips_uploaded_photos() {
    let server = MockServer::start().await;
    mount_unpublished_photos(&server, 2, 1).await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .and(body_json(json!({
            "message": "Two pics",
            "published": true,
            "attached_media": [{"media_fbid": "ph1"}, {"media_fbid": "ph2"}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "777_4"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("Two pics");
    req.media = vec![file("a.png", "image/png"), file("b.jpg", "image/jpeg")];
    req.resume = Some(json!({"photo_ids": ["ph1"]}));
    let published = client(&server).publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(published.remote_id, "777_4");
}

#[tokio::test]
async fn video_is_uploaded_to_videos_with_description() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/videos")))
        .and(query_param("access_token", TOKEN))
        .and(body_string_contains("name=\"source\"; filename=\"v.mp4\""))
        .and(body_string_contains(
            "name=\"description\"\r\n\r\nWatch\r\n",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "vid9"})))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request("Watch");
    req.media = vec![file("v.mp4", "video/mp4")];
    let published = client(&server).publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(published.remote_id, "vid9");
    assert_eq!(
        published.url.as_deref(),
        Some("https://www.facebook.com/vid9")
    );
}

async fn publish_against(response: ResponseTemplate) -> PlatformError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .publish(&request("Hello"), &NoCheckpoint)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn throttled_publish_retries_when_business_usage_says() {
    let before = Utc::now();
    let usage = json!({PAGE: [{"type": "pages", "call_count": 100, "total_cputime": 10,
                               "total_time": 12, "estimated_time_to_regain_access": 7}]});
    let err = publish_against(
        ResponseTemplate::new(400)
            .set_body_json(graph_error(32, None, "Page request limit reached"))
            .insert_header("X-Business-Use-Case-Usage", usage.to_string().as_str()),
    )
    .await;
    let after = Utc::now();
    match err {
        PlatformError::RetryAt { at: Some(at), .. } => {
            assert!(at >= before + TimeDelta::minutes(7) && at <= after + TimeDelta::minutes(7));
        }
        other => panic!("expected RetryAt with a time, got {other:?}"),
    }
}

#[tokio::test]
async fn temporary_error_on_create_is_unknown() {
    let err = publish_against(ResponseTemplate::new(500).set_body_json(graph_error(
        2,
        None,
        "Service temporarily unavailable",
    )))
    .await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn bodyless_5xx_on_create_is_unknown() {
    let err = publish_against(
        ResponseTemplate::new(502).set_body_raw("<html>Bad gateway</html>", "text/html"),
    )
    .await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn duplicate_506_is_permanent_and_says_it_may_be_published() {
    let err = publish_against(ResponseTemplate::new(400).set_body_json(graph_error(
        506,
        None,
        "Duplicate status message",
    )))
    .await;
    match err {
        PlatformError::Permanent { reason } => {
            assert!(reason.contains("identical") && reason.contains("may already be published"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn expired_page_token_means_reconnect() {
    let err = publish_against(ResponseTemplate::new(400).set_body_json(graph_error(
        190,
        Some(463),
        "Error validating access token: Session has expired",
    )))
    .await;
    match err {
        PlatformError::Reauthorize { reason } => assert!(reason.contains("expired")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn graph_errors_are_classified_on_code_not_status() {
    let now = Utc::now();
    let none = HeaderMap::new();
    let class = |status: u16, body: Value, call: Call| {
        let e = classify(
            StatusCode::from_u16(status).unwrap(),
            &none,
            &body.to_string(),
            call,
            now,
        );
        match e {
            PlatformError::RetryAt { .. } => "retry",
            PlatformError::Reauthorize { .. } => "reauth",
            PlatformError::Permanent { .. } => "permanent",
            PlatformError::Unknown { .. } => "unknown",
            PlatformError::QuotaExhausted { .. } => "quota",
            PlatformError::AlreadyDone { .. } => "done",
        }
    };
    let e = |code, sub| graph_error(code, sub, "m");
    assert_eq!(class(500, e(1, None), Call::Create), "unknown");
    assert_eq!(class(500, e(2, None), Call::Create), "unknown");
    assert_eq!(class(500, e(1, None), Call::Read), "retry");
    assert_eq!(class(500, e(2, None), Call::Read), "retry");
    for code in [4, 17, 32, 613, 80001] {
        assert_eq!(class(400, e(code, None), Call::Create), "retry", "{code}");
    }
    assert_eq!(class(400, e(80001, Some(2494055)), Call::Read), "retry");
    for (code, sub) in [
        (102, None),
        (190, Some(460)),
        (190, Some(463)),
        (190, Some(467)),
    ] {
        assert_eq!(class(400, e(code, sub), Call::Create), "reauth", "{code}");
    }
    for code in [10, 200, 250, 299] {
        assert_eq!(class(403, e(code, None), Call::Create), "reauth", "{code}");
    }
    for code in [100, 368, 506, 1609005] {
        assert_eq!(
            class(400, e(code, None), Call::Create),
            "permanent",
            "{code}"
        );
    }
    // Not a Graph error object.
    assert_eq!(class(503, json!("down"), Call::Create), "unknown");
    assert_eq!(class(503, json!("down"), Call::Read), "retry");
    assert_eq!(class(404, json!({"oops": 1}), Call::Read), "permanent");
    // Throttling without the usage header: retry, time unknown.
    assert!(matches!(
        classify(
            StatusCode::BAD_REQUEST,
            &none,
            &e(4, None).to_string(),
            Call::Read,
            now
        ),
        PlatformError::RetryAt { at: None, .. }
    ));
}

#[tokio::test]
async fn hang_past_the_timeout_is_unknown_on_create() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PAGE}/feed")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "late"}))
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&server)
        .await;
    let err = client_at(&server.uri(), Duration::from_millis(300))
        .publish(&request("Hello"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    assert!(!err.to_string().contains(TOKEN), "{err}");
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client_at(&base, Duration::from_secs(2))
        .publish(&request("Hello"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
    assert!(!err.to_string().contains(TOKEN), "{err}");
}

// ---------------------------------------------------------------- reconcile

async fn reconcile_with(posts: Value, since: DateTime<Utc>) -> Reconciled {
    try_reconcile_with(posts, since).await.unwrap()
}

async fn try_reconcile_with(
    posts: Value,
    since: DateTime<Utc>,
) -> Result<Reconciled, PlatformError> {
    let server = MockServer::start().await;
    let from = (since - TimeDelta::minutes(5)).timestamp().to_string();
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PAGE}/published_posts")))
        .and(query_param(
            "fields",
            "id,message,created_time,permalink_url",
        ))
        .and(query_param("since", from.as_str()))
        .and(query_param("limit", "100"))
        .and(query_param("access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": posts })))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .reconcile(&request("Hello page "), since)
        .await
}

#[tokio::test]
async fn reconcile_finds_the_post_by_its_text() {
    let since = Utc::now() - TimeDelta::seconds(10);
    let found = reconcile_with(
        json!([
            {"id": "777_8", "message": "Another", "created_time": "2026-01-01T00:00:00+0000"},
            {"id": "777_7", "message": "Hello page", "created_time": "2026-01-01T00:00:00+0000",
             "permalink_url": "https://www.facebook.com/p/7"}
        ]),
        since,
    )
    .await;
    assert_eq!(
        found,
        Reconciled::Found(Published {
            remote_id: "777_7".into(),
            url: Some("https://www.facebook.com/p/7".into()),
            extra: Value::Null,
            pending: false,
        })
    );
}

#[tokio::test]
async fn reconcile_absent_once_settled() {
    let since = Utc::now() - TimeDelta::minutes(2);
    let r = reconcile_with(json!([{"id": "777_8", "message": "Another"}]), since).await;
    assert_eq!(r, Reconciled::Absent);
}

#[tokio::test]
async fn reconcile_too_early_asks_again_later() {
    // Not a verdict: ask again once Graph lists what it accepted.
    let since = Utc::now() - TimeDelta::seconds(5);
    match try_reconcile_with(json!([]), since).await {
        Err(PlatformError::RetryAt {
            at: Some(at),
            reason,
        }) => {
            assert!(reason.contains("too early"));
            assert_eq!(at, since + TimeDelta::seconds(60));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reconcile_follows_the_next_page_and_stops_after_ten() {
    let server = MockServer::start().await;
    let page: Vec<Value> = (0..100)
        .map(|i| json!({"id": format!("777_{i}"), "message": format!("other {i}")}))
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PAGE}/published_posts")))
        .and(query_param("after", "cursor-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "777_900", "message": "Hello page"}],
            "paging": {"cursors": {"before": "b", "after": "end"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PAGE}/published_posts")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": page,
            "paging": {"cursors": {"before": "b", "after": "cursor-2"},
                       "next": "https://graph.facebook.com/next"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let r = client(&server)
        .reconcile(&request("Hello page "), Utc::now() - TimeDelta::minutes(10))
        .await
        .unwrap();
    assert!(
        matches!(r, Reconciled::Found(ref p) if p.remote_id == "777_900"),
        "{r:?}"
    );

    // A Page that keeps naming a next page beyond ten: undecided.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PAGE}/published_posts")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": page,
            "paging": {"cursors": {"after": "again"}, "next": "https://graph.facebook.com/next"}
        })))
        .expect(10)
        .mount(&server)
        .await;
    let r = client(&server)
        .reconcile(&request("Hello page "), Utc::now() - TimeDelta::minutes(10))
        .await
        .unwrap();
    assert!(matches!(r, Reconciled::Undecided { .. }), "{r:?}");
}

// ---------------------------------------------------------------- metrics

#[tokio::test]
async fn metrics_of_60_posts_take_three_batches_of_at_most_50() {
    let server = MockServer::start().await;
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let seen = sizes.clone();
    Mock::given(method("POST"))
        .and(path("/v23.0/"))
        .respond_with(move |req: &Request| {
            let (batch, token) = form_batch(req);
            assert_eq!(token.as_deref(), Some(TOKEN));
            seen.lock().unwrap().push(batch.len());
            let answers: Vec<Value> = batch
                .iter()
                .map(|s| {
                    assert_eq!(s["method"], "GET");
                    let url = s["relative_url"].as_str().unwrap();
                    if url.contains("/insights?") {
                        sub(200, insights_body())
                    } else {
                        sub(200, engagement_body(url.split('?').next().unwrap()))
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(Value::Array(answers))
        })
        .expect(3)
        .mount(&server)
        .await;
    let posts: Vec<RemotePost> = (0..60).map(|i| post(&format!("777_{i}"))).collect();
    let reports = client(&server).metrics(&posts).await.unwrap();
    assert_eq!(*sizes.lock().unwrap(), vec![50, 50, 20]);
    assert_eq!(reports.len(), 60);
    let m = &reports[59].metrics;
    assert_eq!(reports[59].remote_id, "777_59");
    use crate::domain::metrics::Figure;
    assert_eq!(m.views, Some(Figure::new(100, "post_media_view")));
    assert_eq!(
        m.reach,
        Some(Figure::new(80, "post_total_media_view_unique"))
    );
    assert_eq!(m.link_clicks, Some(Figure::new(5, "post_clicks")));
    assert_eq!(
        m.reactions,
        Some(Figure::new(15, "post_reactions_by_type_total"))
    );
    assert_eq!(
        m.comments,
        Some(Figure::new(3, "comments.summary.total_count"))
    );
    assert_eq!(m.shares, Some(Figure::new(2, "shares.count")));
    assert_eq!(m.saves, None);
    assert_eq!(reports[0].raw["engagement"]["shares"]["count"], 2);
    assert_eq!(
        reports[0].raw["insights"]["data"][0]["name"],
        "post_media_view"
    );
}

#[tokio::test]
async fn metrics_subrequests_name_the_post_insights_and_counters() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/"))
        .respond_with(|req: &Request| {
            let (batch, _) = form_batch(req);
            assert_eq!(
                batch,
                vec![
                    json!({"method": "GET", "relative_url": "777_1/insights?metric=post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"}),
                    json!({"method": "GET", "relative_url": "777_1?fields=shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)"}),
                    json!({"method": "GET", "relative_url": "777_2/insights?metric=post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"}),
                    json!({"method": "GET", "relative_url": "777_2?fields=shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)"}),
                ]
            );
            ResponseTemplate::new(200).set_body_json(json!([
                sub(200, json!({"data": []})),
                sub(200, json!({"id": "777_1", "comments": {"summary": {"total_count": 0}},
                                "reactions": {"summary": {"total_count": 4}}})),
                sub(400, graph_error(100, Some(33), "Unsupported get request. Object with ID '777_2' does not exist")),
                sub(400, graph_error(100, Some(33), "Unsupported get request. Object with ID '777_2' does not exist")),
            ]))
        })
        .expect(1)
        .mount(&server)
        .await;
    let reports = client(&server)
        .metrics(&[post("777_1"), post("777_2")])
        .await
        .unwrap();
    // The deleted post is left out; the other keeps what Graph gave.
    assert_eq!(reports.len(), 1);
    let m = &reports[0].metrics;
    use crate::domain::metrics::Figure;
    assert_eq!(m.views, None);
    assert_eq!(m.shares, None, "absent shares are unknown, not 0");
    assert_eq!(
        m.comments,
        Some(Figure::new(0, "comments.summary.total_count"))
    );
    assert_eq!(
        m.reactions,
        Some(Figure::new(4, "reactions.summary.total_count"))
    );
}

#[tokio::test]
async fn metrics_drop_a_dead_metric_named_by_graph_and_remember_it() {
    let server = MockServer::start().await;
    let urls = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = urls.clone();
    Mock::given(method("POST"))
        .and(path("/v23.0/"))
        .respond_with(move |req: &Request| {
            let (batch, _) = form_batch(req);
            let mut seen = seen.lock().unwrap();
            seen.extend(batch.iter().map(|s| s["relative_url"].as_str().unwrap().to_owned()));
            let answers: Vec<Value> = batch
                .iter()
                .map(|s| {
                    let url = s["relative_url"].as_str().unwrap();
                    if url.contains("post_clicks") {
                        sub(400, graph_error(100, None, "(#100) The value must be a valid insights metric: post_clicks"))
                    } else if url.contains("/insights?") {
                        sub(200, json!({"data": [{"name": "post_media_view", "values": [{"value": 42}]}]}))
                    } else {
                        sub(200, engagement_body("777_1"))
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(Value::Array(answers))
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/777_1/insights"))
        .and(query_param(
            "metric",
            "post_media_view,post_total_media_view_unique,post_reactions_by_type_total",
        ))
        .and(query_param("access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"name": "post_media_view", "values": [{"value": 42}]},
            {"name": "post_total_media_view_unique", "values": [{"value": 30}]}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let first = c.metrics(&[post("777_1")]).await.unwrap();
    use crate::domain::metrics::Figure;
    assert_eq!(
        first[0].metrics.views,
        Some(Figure::new(42, "post_media_view"))
    );
    assert_eq!(
        first[0].metrics.reach,
        Some(Figure::new(30, "post_total_media_view_unique"))
    );
    assert_eq!(first[0].metrics.link_clicks, None);
    // The next run no longer asks for the dead metric.
    let second = c.metrics(&[post("777_1")]).await.unwrap();
    assert_eq!(
        second[0].metrics.views,
        Some(Figure::new(42, "post_media_view"))
    );
    let urls = urls.lock().unwrap();
    assert!(urls[0].contains("post_clicks"));
    assert_eq!(
        urls[2],
        "777_1/insights?metric=post_media_view,post_total_media_view_unique,post_reactions_by_type_total"
    );
}

#[tokio::test]
async fn metrics_probe_each_metric_when_graph_does_not_name_the_dead_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            sub(
                400,
                graph_error(
                    100,
                    None,
                    "(#100) The value must be a valid insights metric"
                )
            ),
            sub(200, engagement_body("777_1")),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    for (metric, value) in [
        ("post_media_view", 11),
        ("post_total_media_view_unique", 9),
        ("post_reactions_by_type_total", 0),
    ] {
        let v = if metric == "post_reactions_by_type_total" {
            json!({"like": 6, "wow": 1})
        } else {
            json!(value)
        };
        Mock::given(method("GET"))
            .and(path("/v23.0/777_1/insights"))
            .and(query_param("metric", metric))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": [{"name": metric, "values": [{"value": v}]}]})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v23.0/777_1/insights"))
        .and(query_param("metric", "post_clicks"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            100,
            None,
            "(#100) The value must be a valid insights metric",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let reports = c.metrics(&[post("777_1")]).await.unwrap();
    let m = &reports[0].metrics;
    use crate::domain::metrics::Figure;
    assert_eq!(m.views, Some(Figure::new(11, "post_media_view")));
    assert_eq!(
        m.reach,
        Some(Figure::new(9, "post_total_media_view_unique"))
    );
    assert_eq!(
        m.reactions,
        Some(Figure::new(7, "post_reactions_by_type_total"))
    );
    assert_eq!(m.link_clicks, None);
    assert_eq!(c.live_metrics().len(), 3);
}

#[tokio::test]
async fn metrics_stop_on_an_expired_token_in_a_sub_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            sub(400, graph_error(190, Some(463), "Session has expired")),
            sub(400, graph_error(190, Some(463), "Session has expired")),
        ])))
        .mount(&server)
        .await;
    let err = client(&server).metrics(&[post("777_1")]).await.unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
}

// ---------------------------------------------------------------- account and connect

#[tokio::test]
async fn account_reads_me_with_the_page_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/me"))
        .and(query_param("fields", "id,name"))
        .and(query_param("access_token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PAGE, "name": "Tongbu Demo Page"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let account = client(&server).account().await.unwrap();
    assert_eq!(
        account,
        AccountInfo {
            id: PAGE.into(),
            name: "Tongbu Demo Page".into()
        }
    );
}

#[tokio::test]
async fn page_tokens_cannot_be_refreshed() {
    let server = MockServer::start().await;
    let err = client(&server).refresh_credentials().await.unwrap_err();
    match err {
        PlatformError::Reauthorize { reason } => assert!(reason.contains("reconnect")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn authorize_url_asks_for_page_scopes() {
    let endpoints = Endpoints::real(Platform::Facebook);
    assert_eq!(
        authorize_url(
            &endpoints,
            "100000000000001",
            "https://tongbu.example/cb/fb",
            "st4te"
        ),
        "https://www.facebook.com/v23.0/dialog/oauth?client_id=100000000000001\
         &redirect_uri=https%3A%2F%2Ftongbu.example%2Fcb%2Ffb&state=st4te\
         &scope=pages_manage_posts%2Cpages_read_engagement%2Cpages_show_list%2Cread_insights\
         &response_type=code"
    );
}

#[tokio::test]
async fn exchange_code_ends_with_a_long_lived_user_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/oauth/access_token"))
        .and(query_param("client_id", "app1"))
        .and(query_param("redirect_uri", "https://h/cb"))
        .and(query_param("client_secret", "s3cret"))
        .and(query_param("code", "the-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "short-user", "token_type": "bearer", "expires_in": 5183}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/oauth/access_token"))
        .and(query_param("grant_type", "fb_exchange_token"))
        .and(query_param("client_id", "app1"))
        .and(query_param("client_secret", "s3cret"))
        .and(query_param("fb_exchange_token", "short-user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "long-user", "token_type": "bearer", "expires_in": 5184000}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let token = exchange_code(
        &http,
        &endpoints,
        "app1",
        "s3cret",
        "https://h/cb",
        "the-code",
    )
    .await
    .unwrap();
    assert_eq!(token, "long-user");
}

#[tokio::test]
async fn exchange_code_with_a_bad_code_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/oauth/access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            100,
            Some(36009),
            "This authorization code has been used.",
        )))
        .mount(&server)
        .await;
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let err = exchange_code(&http, &endpoints, "app1", "s3cret", "https://h/cb", "old")
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Permanent { .. }), "{err:?}");
}

#[tokio::test]
async fn list_pages_returns_page_tokens_and_hides_them_in_debug() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/me/accounts"))
        .and(query_param("fields", "id,name,access_token"))
        .and(query_param("access_token", "long-user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": PAGE, "name": "Tongbu Demo Page", "access_token": "EAApage",
                      "category": "Software", "tasks": ["CREATE_CONTENT"]}],
            "paging": {"cursors": {"before": "a", "after": "b"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let pages = list_pages(&http, &endpoints, "long-user").await.unwrap();
    assert_eq!(
        pages,
        vec![PageGrant {
            id: PAGE.into(),
            name: "Tongbu Demo Page".into(),
            page_token: "EAApage".into()
        }]
    );
    let debug = format!("{pages:?}");
    assert!(
        !debug.contains("EAApage") && debug.contains("Tongbu Demo Page"),
        "{debug}"
    );
}

#[test]
fn validate_uses_the_shared_rules() {
    let endpoints = Endpoints::real(Platform::Facebook);
    let c = FacebookClient::new(
        http::build(&endpoints).unwrap(),
        endpoints,
        MemoryCredentials::new(Credentials::Facebook {
            page_id: PAGE.into(),
            page_token: TOKEN.into(),
        }),
    );
    assert!(c.validate(&request("fine")).is_empty());
    assert_eq!(c.validate(&request("  ")), vec![Issue::Empty]);
    let mut req = request("two videos");
    req.media = vec![file("a.mp4", "video/mp4"), file("b.mp4", "video/mp4")];
    assert!(c
        .validate(&req)
        .iter()
        .any(|i| matches!(i, Issue::TooManyMedia { .. })));
}
